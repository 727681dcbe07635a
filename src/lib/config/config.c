/*
 * config.c: loads DIR/attt.ini against the option table (options.c) and answers typed getters.
 *
 * Invariants: every option always has a value (its default until the file sets it), a value in the
 * struct has passed its type, bounds and extra check, and a loaded config never changes. Defaults
 * go through the same setter as file values, so a bad default cannot slip in. Secrets are wiped
 * when replaced and when the config is freed.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "attt/config.h"
#include "attt/err.h"
#include "attt/limits.h"
#include "attt/str.h"
#include "config-int.h"

#define MASK "********"

struct cval {
	char *s;      /* STRING, ENUM */
	int64_t i;    /* INT */
	bool b;       /* BOOL */
	char **list;  /* LIST: NULL-terminated */
	size_t nlist;
	int line;     /* line of the file that set it; 0 = default */
};

struct attt_config {
	char *path; /* NULL: all defaults */
	char *dir;  /* directory relative paths are resolved against; NULL: leave them */
	struct cval *v;
};

size_t attt_config_option_count(void)
{
	return attt__config_nrows;
}

const struct attt_config_option *attt_config_option_at(size_t i)
{
	return i < attt__config_nrows ? &attt__config_rows[i].opt : NULL;
}

static int row_index(const char *name)
{
	if (!name)
		return -1;
	for (size_t i = 0; i < attt__config_nrows; i++)
		if (strcmp(attt__config_rows[i].opt.name, name) == 0)
			return (int)i;
	return -1;
}

const struct attt_config_option *attt_config_option_find(const char *name)
{
	int i = row_index(name);
	return i < 0 ? NULL : &attt__config_rows[i].opt;
}

static void free_str(char *s, bool secret)
{
	if (s && secret)
		sodium_memzero(s, strlen(s));
	free(s);
}

static void free_list(char **list)
{
	if (!list)
		return;
	for (char **p = list; *p; p++)
		free(*p);
	free(list);
}

static void cval_done(struct cval *v, bool secret)
{
	free_str(v->s, secret);
	free_list(v->list);
	memset(v, 0, sizeof(*v));
}

void attt_config_free(struct attt_config *cfg)
{
	if (!cfg)
		return;
	if (cfg->v)
		for (size_t i = 0; i < attt__config_nrows; i++)
			cval_done(&cfg->v[i], attt__config_rows[i].opt.secret);
	free(cfg->v);
	free(cfg->path);
	free(cfg->dir);
	free(cfg);
}

static bool looks_like_path(const char *v)
{
	size_t n = strlen(v);
	return strchr(v, '/') || (n >= 4 && strcmp(v + n - 4, ".ini") == 0);
}

/* The value a STRING option stores: relative paths joined to cfg->dir. */
static int resolve_path(const struct attt_config *cfg, const struct attt__config_row *row, const char *value,
			char **ret)
{
	bool resolve = row->opt.path && cfg->dir && value[0] && value[0] != '/' && strcmp(value, "-") != 0 &&
		       (!row->name_or_path || looks_like_path(value));
	size_t n;
	char *s;

	if (!resolve) {
		s = strdup(value);
	} else {
		n = strlen(cfg->dir) + 1 + strlen(value) + 1;
		if (n > ATTT_MAX_PATH)
			return ATTT_E_TOOBIG;
		s = malloc(n);
		if (s && attt_str_printf(s, n, "%s/%s", cfg->dir, value) < 0) {
			free(s);
			return ATTT_E_INTERNAL;
		}
	}
	if (!s)
		return ATTT_E_NOMEM;
	*ret = s;
	return ATTT_OK;
}

static int split_list(const struct attt__config_row *row, const char *value, char ***ret, size_t *ret_n,
		      char *msg, size_t msgsz)
{
	char **list = NULL, *copy = NULL, *p, *next;
	size_t n = 0;
	int r;

	list = calloc(ATTT_CONFIG_MAX_LIST + 1, sizeof(*list));
	copy = strdup(value);
	if (!list || !copy) {
		r = ATTT_E_NOMEM;
		goto out;
	}
	for (p = copy; p; p = next) {
		char *item;
		next = strchr(p, ',');
		if (next)
			*next++ = '\0';
		item = attt_str_trim(p);
		if (!*item)
			continue;
		if (n == ATTT_CONFIG_MAX_LIST) {
			attt_str_printf(msg, msgsz, "%s: nhiều hơn %d mục (more than %d items)", row->opt.name,
					ATTT_CONFIG_MAX_LIST, ATTT_CONFIG_MAX_LIST);
			r = ATTT_E_CONFIG;
			goto out;
		}
		if (row->check) {
			r = row->check(item, msg, msgsz);
			if (r < 0)
				goto out;
		}
		list[n] = strdup(item);
		if (!list[n]) {
			r = ATTT_E_NOMEM;
			goto out;
		}
		n++;
	}
	*ret = list;
	list = NULL;
	*ret_n = n;
	r = ATTT_OK;
out:
	free(copy);
	free_list(list);
	return r;
}

/* Parses value for row i and stores it with its line; on failure cfg is unchanged and msg says why. */
static int set_value(struct attt_config *cfg, size_t i, const char *value, int line, char *msg, size_t msgsz)
{
	const struct attt__config_row *row = &attt__config_rows[i];
	const struct attt_config_option *o = &row->opt;
	struct cval nv = { 0 };
	int r;

	switch (o->type) {
	case ATTT_CONFIG_STRING:
		if (row->check) {
			r = row->check(value, msg, msgsz);
			if (r < 0)
				return r;
		}
		r = resolve_path(cfg, row, value, &nv.s);
		if (r == ATTT_E_TOOBIG)
			attt_str_printf(msg, msgsz, "%s: đường dẫn dài quá %d byte (path longer than %d bytes)", o->name,
					ATTT_MAX_PATH, ATTT_MAX_PATH);
		if (r < 0)
			return r == ATTT_E_NOMEM ? r : ATTT_E_CONFIG;
		break;
	case ATTT_CONFIG_INT:
		r = attt_parse_int64(value, o->min, o->max, &nv.i);
		if (r == ATTT_E_RANGE) {
			attt_str_printf(msg, msgsz, "%s: giá trị phải từ %lld đến %lld (value must be %lld to %lld)", o->name,
					(long long)o->min, (long long)o->max, (long long)o->min, (long long)o->max);
			return ATTT_E_CONFIG;
		}
		if (r < 0) {
			attt_str_printf(msg, msgsz, "%s: cần một số nguyên (integer expected)", o->name);
			return ATTT_E_CONFIG;
		}
		break;
	case ATTT_CONFIG_BOOL:
		if (attt_parse_bool(value, &nv.b) < 0) {
			attt_str_printf(msg, msgsz, "%s: cần true hoặc false (true or false expected)", o->name);
			return ATTT_E_CONFIG;
		}
		break;
	case ATTT_CONFIG_ENUM: {
		const char *const *w;
		for (w = o->words; *w; w++)
			if (strcmp(*w, value) == 0)
				break;
		if (!*w) {
			char words[256] = "";
			size_t len = 0;
			for (w = o->words; *w; w++) {
				if (attt_str_printf(words + len, sizeof(words) - len, "%s%s", len ? ", " : "", *w) < 0)
					break;
				len += strlen(words + len);
			}
			attt_str_printf(msg, msgsz, "%s: giá trị phải là một trong: %s (value must be one of: %s)", o->name,
					words, words);
			return ATTT_E_CONFIG;
		}
		nv.s = strdup(value);
		if (!nv.s)
			return ATTT_E_NOMEM;
		break;
	}
	case ATTT_CONFIG_LIST:
		r = split_list(row, value, &nv.list, &nv.nlist, msg, msgsz);
		if (r < 0)
			return r;
		break;
	}
	nv.line = line;
	cval_done(&cfg->v[i], o->secret);
	cfg->v[i] = nv;
	return ATTT_OK;
}

static int on_section(void *user, const char *section, int line, char *msg, size_t msgsz)
{
	size_t n = strlen(section);
	(void)user;
	(void)line;
	for (size_t i = 0; i < attt__config_nrows; i++) {
		const char *name = attt__config_rows[i].opt.name;
		if (n > 0 && strncmp(name, section, n) == 0 && name[n] == '.')
			return ATTT_OK;
	}
	attt_str_printf(msg, msgsz, "mục không có: [%s] (unknown section)", section);
	return ATTT_E_CONFIG;
}

static int on_key(void *user, const char *section, const char *key, const char *value, int line, char *msg,
		  size_t msgsz)
{
	struct attt_config *cfg = user;
	char name[128];
	int i;

	if (!section[0]) {
		attt_str_printf(msg, msgsz, "khóa %s nằm ngoài mọi mục, cần [mục] trước (key outside any section)", key);
		return ATTT_E_CONFIG;
	}
	if (attt_str_printf(name, sizeof(name), "%s.%s", section, key) < 0 || (i = row_index(name)) < 0) {
		attt_str_printf(msg, msgsz, "khóa không có: %s.%s (unknown key)", section, key);
		return ATTT_E_CONFIG;
	}
	if (cfg->v[i].line) {
		attt_str_printf(msg, msgsz, "khóa %s đã đặt ở dòng %d (key already set at line %d)", name,
				cfg->v[i].line, cfg->v[i].line);
		return ATTT_E_CONFIG;
	}
	return set_value(cfg, (size_t)i, value, line, msg, msgsz);
}

/* The parent directory of path, as written: "dir/attt.ini" -> "dir", "attt.ini" -> ".". */
static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		return strdup(".");
	if (slash == path)
		return strdup("/");
	return strndup(path, (size_t)(slash - path));
}

/* True if file lies inside dir, comparing real paths where they exist. */
static bool inside_dir(const char *file, const char *dir)
{
	char *fdir = dir_of(file), *rf = NULL, *rd = NULL;
	const char *a, *b;
	bool inside = false;
	size_t n;

	if (!fdir)
		return false;
	rf = realpath(fdir, NULL);
	rd = realpath(dir, NULL);
	a = rf ? rf : fdir;
	b = rd ? rd : dir;
	n = strlen(b);
	if (strcmp(a, b) == 0 || (strncmp(a, b, n) == 0 && (a[n] == '/' || (n == 1 && b[0] == '/'))))
		inside = true;
	free(fdir);
	free(rf);
	free(rd);
	return inside;
}

/* Rules between options, checked once the whole file is read. */
static int check_whole(struct attt_config *cfg, const char *name, char *err, size_t errsz)
{
	int cert = row_index("http.tls_cert"), key = row_index("http.tls_key");
	int cp = row_index("audit.checkpoint_file");

	if (!cfg->v[cert].s[0] != !cfg->v[key].s[0]) {
		int line = cfg->v[cert].line ? cfg->v[cert].line : cfg->v[key].line;
		attt_str_printf(err, errsz,
				"%s:%d: http.tls_cert và http.tls_key phải đặt cả hai hoặc không đặt "
				"(set both http.tls_cert and http.tls_key, or neither)",
				name, line);
		return ATTT_E_CONFIG;
	}
	if (cfg->dir && cfg->v[cp].s[0] && inside_dir(cfg->v[cp].s, cfg->dir)) {
		attt_str_printf(err, errsz,
				"%s:%d: audit.checkpoint_file phải nằm ngoài thư mục dữ liệu %s, để bản sao còn lại khi "
				"thư mục bị xóa hoặc sửa (must be outside the data directory)",
				name, cfg->v[cp].line, cfg->dir);
		return ATTT_E_CONFIG;
	}
	return ATTT_OK;
}

static int config_new(const char *path, struct attt_config **ret)
{
	struct attt_config *cfg = calloc(1, sizeof(*cfg));
	char msg[256];
	int r;

	if (!cfg)
		return ATTT_E_NOMEM;
	cfg->v = calloc(attt__config_nrows, sizeof(*cfg->v));
	if (!cfg->v) {
		r = ATTT_E_NOMEM;
		goto out;
	}
	for (size_t i = 0; i < attt__config_nrows; i++) {
		r = set_value(cfg, i, attt__config_rows[i].opt.def, 0, msg, sizeof(msg));
		if (r < 0)
			goto out; /* a bad default: the table test catches it */
	}
	if (path) {
		cfg->path = strdup(path);
		cfg->dir = dir_of(path);
		if (!cfg->path || !cfg->dir) {
			r = ATTT_E_NOMEM;
			goto out;
		}
	}
	*ret = cfg;
	cfg = NULL;
	r = ATTT_OK;
out:
	attt_config_free(cfg);
	return r;
}

static int load_text(const char *text, size_t len, const char *path, struct attt_config **ret, char *err,
		     size_t errsz)
{
	struct attt_config *cfg = NULL;
	struct attt_ini_handler h = { on_section, on_key, NULL };
	const char *name = path ? path : "<memory>";
	char dummy[1];
	int r;

	if (!err || !errsz) {
		err = dummy;
		errsz = sizeof(dummy);
	}
	err[0] = '\0';
	r = config_new(path, &cfg);
	if (r < 0) {
		attt_str_printf(err, errsz, "%s: hết bộ nhớ (out of memory)", name);
		goto out;
	}
	h.user = cfg;
	r = attt_config_ini_parse(text, len, name, &h, err, errsz);
	if (r < 0)
		goto out;
	r = check_whole(cfg, name, err, errsz);
	if (r < 0)
		goto out;
	*ret = cfg;
	cfg = NULL;
out:
	attt_config_free(cfg);
	return r;
}

int attt_config_load_string(const char *text, size_t len, const char *name, struct attt_config **ret,
			    char *err, size_t errsz)
{
	return load_text(text, len, name, ret, err, errsz);
}

int attt_config_load(const char *path, struct attt_config **ret, char *err, size_t errsz)
{
	char *text = NULL;
	size_t len = 0;
	int r;

	if (errsz)
		err[0] = '\0';
	if (!path)
		return load_text("", 0, NULL, ret, err, errsz);
	r = attt_config_read_file(path, &text, &len);
	if (r < 0) {
		if (errsz)
			attt_str_printf(err, errsz, "%s: %s (%s)", path, attt_strerror_vi(r), attt_strerror(r));
		return r;
	}
	r = load_text(text, len, path, ret, err, errsz);
	if (text)
		sodium_memzero(text, len); /* the file may hold mail.password */
	free(text);
	return r;
}

const char *attt_config_path(const struct attt_config *cfg)
{
	return cfg->path;
}

static int typed(const struct attt_config *cfg, const char *name, enum attt_config_type t1,
		 enum attt_config_type t2)
{
	int i = row_index(name);
	if (i < 0)
		return ATTT_E_NOTFOUND;
	if (attt__config_rows[i].opt.type != t1 && attt__config_rows[i].opt.type != t2)
		return ATTT_E_INVAL;
	return i;
}

int attt_config_get_string(const struct attt_config *cfg, const char *name, const char **ret_value)
{
	int i = typed(cfg, name, ATTT_CONFIG_STRING, ATTT_CONFIG_ENUM);
	if (i < 0)
		return i;
	*ret_value = cfg->v[i].s;
	return ATTT_OK;
}

int attt_config_get_int(const struct attt_config *cfg, const char *name, int64_t *ret_value)
{
	int i = typed(cfg, name, ATTT_CONFIG_INT, ATTT_CONFIG_INT);
	if (i < 0)
		return i;
	*ret_value = cfg->v[i].i;
	return ATTT_OK;
}

int attt_config_get_bool(const struct attt_config *cfg, const char *name, bool *ret_value)
{
	int i = typed(cfg, name, ATTT_CONFIG_BOOL, ATTT_CONFIG_BOOL);
	if (i < 0)
		return i;
	*ret_value = cfg->v[i].b;
	return ATTT_OK;
}

int attt_config_get_list(const struct attt_config *cfg, const char *name, const char *const **ret_items,
			 size_t *ret_count)
{
	int i = typed(cfg, name, ATTT_CONFIG_LIST, ATTT_CONFIG_LIST);
	if (i < 0)
		return i;
	*ret_items = (const char *const *)cfg->v[i].list;
	*ret_count = cfg->v[i].nlist;
	return ATTT_OK;
}

const char *attt_config_string(const struct attt_config *cfg, const char *name)
{
	const char *s = "";
	return attt_config_get_string(cfg, name, &s) < 0 ? "" : s;
}

int64_t attt_config_int(const struct attt_config *cfg, const char *name)
{
	int64_t v = 0;
	return attt_config_get_int(cfg, name, &v) < 0 ? 0 : v;
}

bool attt_config_bool(const struct attt_config *cfg, const char *name)
{
	bool v = false;
	return attt_config_get_bool(cfg, name, &v) < 0 ? false : v;
}

enum attt_config_source attt_config_source_of(const struct attt_config *cfg, const char *name)
{
	int i = row_index(name);
	return i >= 0 && cfg->v[i].line ? ATTT_CONFIG_FROM_FILE : ATTT_CONFIG_FROM_DEFAULT;
}

int attt_config_line_of(const struct attt_config *cfg, const char *name)
{
	int i = row_index(name);
	return i >= 0 ? cfg->v[i].line : 0;
}

static const char *type_name(enum attt_config_type t)
{
	switch (t) {
	case ATTT_CONFIG_STRING: return "string";
	case ATTT_CONFIG_INT: return "int";
	case ATTT_CONFIG_BOOL: return "bool";
	case ATTT_CONFIG_ENUM: return "enum";
	case ATTT_CONFIG_LIST: return "list";
	}
	return "string";
}

static json_t *value_json(const struct attt_config_option *o, const struct cval *v)
{
	json_t *a;

	switch (o->type) {
	case ATTT_CONFIG_INT:
		return json_integer((json_int_t)v->i);
	case ATTT_CONFIG_BOOL:
		return json_boolean(v->b);
	case ATTT_CONFIG_LIST:
		a = json_array();
		for (size_t k = 0; a && k < v->nlist; k++)
			if (json_array_append_new(a, json_string(v->list[k])) < 0) {
				json_decref(a);
				return NULL;
			}
		return a;
	case ATTT_CONFIG_STRING:
	case ATTT_CONFIG_ENUM:
		break;
	}
	return json_string(o->secret && v->s[0] ? MASK : v->s);
}

int attt_config_to_json(const struct attt_config *cfg, json_t **ret)
{
	json_t *root = json_object(), *opts = json_array();
	int r = ATTT_E_NOMEM;

	if (!root || !opts)
		goto out;
	if (json_object_set_new(root, "path", cfg->path ? json_string(cfg->path) : json_null()) < 0)
		goto out;
	for (size_t i = 0; i < attt__config_nrows; i++) {
		const struct attt_config_option *o = &attt__config_rows[i].opt;
		json_t *row = json_pack("{s:s, s:s, s:o?, s:s, s:i, s:b, s:s, s:s}", "name", o->name, "type",
					type_name(o->type), "value", value_json(o, &cfg->v[i]), "source",
					cfg->v[i].line ? "file" : "default", "line", cfg->v[i].line, "secret",
					o->secret, "vi", o->vi, "en", o->en);
		if (!row || json_array_append_new(opts, row) < 0)
			goto out;
	}
	if (json_object_set(root, "options", opts) < 0)
		goto out;
	*ret = root;
	root = NULL;
	r = ATTT_OK;
out:
	json_decref(opts);
	json_decref(root);
	return r;
}
