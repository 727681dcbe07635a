/*
 * config.h: the server configuration file DIR/attt.ini (after redis config.c).
 *
 * Every option is one row of a single declarative table (src/lib/config/options.c): section.key,
 * type, default, bounds, secret flag and a Vietnamese and English description. Loading is strict:
 * an unknown section or key, a value of the wrong type, a value out of bounds and a key set twice
 * are errors citing "file:line: ...". A loaded struct attt_config is immutable; typed getters read
 * it by the option's full name ("http.listen").
 *
 * The module also offers the strict INI reader it is built on (attt_config_ini_parse, libinih
 * underneath), which the policy module uses for profiles.
 *
 * Thread-safety: loading may run in any thread; a loaded config may be read from many threads at
 * once. Loading configures libinih's process-wide options once (long lines, no continuation lines,
 * stop at the first error); nothing else in the process may use libinih with other settings.
 */
#ifndef ATTT_CONFIG_H
#define ATTT_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct attt_config;

/* The file name of the configuration inside a data directory. */
#define ATTT_CONFIG_FILE_NAME "attt.ini"

enum attt_config_type {
	ATTT_CONFIG_STRING = 1,
	ATTT_CONFIG_INT,
	ATTT_CONFIG_BOOL,
	ATTT_CONFIG_ENUM, /* a string from a fixed set of words */
	ATTT_CONFIG_LIST, /* comma-separated strings, empty items dropped */
};

/* Where an effective value comes from. */
enum attt_config_source { ATTT_CONFIG_FROM_DEFAULT = 0, ATTT_CONFIG_FROM_FILE = 1 };

/* One row of the option table, as the table holds it (read-only, static storage). */
struct attt_config_option {
	const char *name;    /* "section.key" */
	enum attt_config_type type;
	const char *def;     /* default as text, as it would be written in the file */
	int64_t min, max;    /* bounds of an INT */
	const char *const *words; /* NULL-terminated allowed words of an ENUM, else NULL */
	bool secret;         /* shown as "********", never logged */
	bool path;           /* a relative path is resolved against the file's directory */
	const char *vi;      /* description in Vietnamese */
	const char *en;      /* description in English */
};

/* The option table: attt_config_option_count() rows, in the order of the file's sections. */
size_t attt_config_option_count(void);
const struct attt_config_option *attt_config_option_at(size_t i);
/* The row of name ("http.listen"), NULL if there is none. */
const struct attt_config_option *attt_config_option_find(const char *name);

/*
 * Loads the configuration file at path; path NULL gives all defaults. On failure err (if errsz > 0)
 * receives a one-line message, in Vietnamese then English in parentheses, starting with
 * "path:line: " when a line is at fault, e.g.
 *   "/data/attt.ini:3: khóa không có: http.lisen (unknown key)".
 * Returns ATTT_OK, ATTT_E_NOTFOUND (no such file), ATTT_E_IO, ATTT_E_TOOBIG (larger than
 * ATTT_MAX_CONFIG_FILE), ATTT_E_NOMEM, or ATTT_E_CONFIG for every fault in the content.
 * *ret (free with attt_config_free) is written only on success. path is copied.
 */
int attt_config_load(const char *path, struct attt_config **ret, char *err, size_t errsz);
/* Same as attt_config_load on text[0..len) held in memory; name is used in messages and its
 * directory to resolve relative paths (NULL: "<memory>", relative paths stay as written). */
int attt_config_load_string(const char *text, size_t len, const char *name, struct attt_config **ret,
			    char *err, size_t errsz);
/* Frees cfg; secrets are wiped first. NULL is a no-op. */
void attt_config_free(struct attt_config *cfg);

/* The file cfg was loaded from, NULL when all defaults. Owned by cfg. */
const char *attt_config_path(const struct attt_config *cfg);

/*
 * Typed getters by option name. They return ATTT_E_NOTFOUND for an unknown name and ATTT_E_INVAL
 * when the option has another type (ENUM options are read with attt_config_get_string). Results
 * are owned by cfg and live as long as it. ret_... are written only on success.
 */
int attt_config_get_string(const struct attt_config *cfg, const char *name, const char **ret_value);
int attt_config_get_int(const struct attt_config *cfg, const char *name, int64_t *ret_value);
int attt_config_get_bool(const struct attt_config *cfg, const char *name, bool *ret_value);
/* A LIST: *ret_items is a NULL-terminated array of *ret_count strings. */
int attt_config_get_list(const struct attt_config *cfg, const char *name, const char *const **ret_items,
			 size_t *ret_count);
/* Convenience forms for names known at compile time: "" / 0 / false on a wrong name or type. */
const char *attt_config_string(const struct attt_config *cfg, const char *name);
int64_t attt_config_int(const struct attt_config *cfg, const char *name);
bool attt_config_bool(const struct attt_config *cfg, const char *name);

/* Where the value of name comes from; ATTT_CONFIG_FROM_DEFAULT for an unknown name. */
enum attt_config_source attt_config_source_of(const struct attt_config *cfg, const char *name);
/* Line of the file where name was set, 0 when it comes from the default. */
int attt_config_line_of(const struct attt_config *cfg, const char *name);

/*
 * Every effective value as JSON: {"path": ..., "options": [{"name", "type", "value", "source",
 * "line", "secret", "vi", "en"}, ...]}. Secrets that are set show as "********" (an empty secret
 * shows as ""). *ret is a new reference, written only on success.
 */
int attt_config_to_json(const struct attt_config *cfg, json_t **ret);

/*
 * The strict INI reader under the configuration and the policy profiles.
 *
 * Parses text[0..len) (at most ATTT_MAX_CONFIG_FILE bytes, valid UTF-8 without NUL, lines of at
 * most ATTT_MAX_LINE bytes). Lines are "[section]", "key = value" (spaces around trimmed), blank,
 * or comments starting with ';' or '#'; " ;" starts an inline comment. Leading whitespace is
 * ignored (there are no continuation lines). on_section (may be NULL) is called for every section
 * header, on_key for every key; each returns ATTT_OK, or an error after writing a message without
 * location into msg[msgsz]. The first failure stops the parse and err receives
 * "name:line: message". Returns ATTT_OK, the callback's error, ATTT_E_PARSE for a syntax error
 * or invalid text, ATTT_E_TOOBIG, or ATTT_E_NOMEM.
 */
struct attt_ini_handler {
	int (*on_section)(void *user, const char *section, int line, char *msg, size_t msgsz);
	int (*on_key)(void *user, const char *section, const char *key, const char *value, int line,
		      char *msg, size_t msgsz);
	void *user;
};
int attt_config_ini_parse(const char *text, size_t len, const char *name, const struct attt_ini_handler *h,
			  char *err, size_t errsz);
/* Reads the regular file at path (at most ATTT_MAX_CONFIG_FILE bytes, opened O_CLOEXEC) into a
 * malloc'ed NUL-terminated buffer. ATTT_E_NOTFOUND, ATTT_E_IO, ATTT_E_TOOBIG or ATTT_E_NOMEM;
 * *ret and *ret_len are written only on success. */
int attt_config_read_file(const char *path, char **ret, size_t *ret_len);

#endif
