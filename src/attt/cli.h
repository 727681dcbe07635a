/*
 * cli.h: what every attt subcommand shares: exit codes, the data directory, error messages in
 * Vietnamese and English, JSON output, and one table-driven option parser (cli_parse) over
 * getopt_long. Not thread-safe (getopt's globals): the CLI runs on one thread.
 */
#ifndef ATTT_CLI_H
#define ATTT_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

struct attt_app;
struct attt_audit_event;

enum { ATTT_EXIT_OK = 0, ATTT_EXIT_FAIL = 1, ATTT_EXIT_USAGE = 2 };

/* The data directory: opt if given, else $ATTT_DATA, else NULL after a usage message. */
const char *cli_data_dir(const char *opt);
/* Prints "attt: <context>: <Vietnamese message> (<English message>)" to stderr; returns 1. */
int cli_fail(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prints "attt: <message>" and a hint to run --help to stderr; returns 2. */
int cli_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints j on stdout as one line of JSON and drops the reference. Returns 0, or 1 on failure. */
int cli_print_json(json_t *j);
/* Reads a whole file (at most max bytes) into a malloc'ed NUL-terminated buffer. */
int cli_read_file(const char *path, size_t max, char **ret, size_t *ret_len);
/* True if argv has "--help" or "-h" at position 1 or later. */
bool cli_wants_help(int argc, char **argv);
/* Opens the data directory data_opt (else $ATTT_DATA) with attt_app_open flags. Returns 0 and sets
 * *ret (the caller closes it), or an exit code after printing why (2: no directory, 1: open failed). */
int cli_open_app(const char *data_opt, unsigned flags, struct attt_app **ret);

/* Appends ev to the audit trail of app in a transaction of its own, as the command line's actor
 * {username "cli", source "cli"}. Returns ATTT_OK or a negative attt_err; prints nothing. */
int cli_audit_append(struct attt_app *app, const struct attt_audit_event *ev);
/* R7.2 views (`config show`, `policy show`) of the data directory dir: opens it when it holds a
 * database, setting *ret (the caller closes it). When it holds none, notes on stderr that no audit
 * event is written and sets *ret to NULL (the caller shows the files). Returns 0, or an exit code
 * after a message (1: dir is not a directory or does not open). */
int cli_open_if_initialised(const char *dir, struct attt_app **ret);
/* Prints a configuration or profile value to stdout: a string, an array of strings joined by
 * ", ", an integer, or true/false. */
void cli_print_value(json_t *v);

/* ---- cli_parse: one verb's options ---------------------------------------------------------- */

enum cli_opt_kind {
	CLI_OPT_VALUE, /* --name VALUE: a const char * pointing into argv */
	CLI_OPT_FLAG,  /* --name: a bool set to true */
	CLI_OPT_LIST,  /* --name VALUE, repeatable: an array of const char * and an int count */
};

/* One option of a noun. code is one ASCII letter naming it in a verb's `allowed` string; the
 * fields are offsets into the caller's options struct (use the macros below). */
struct cli_opt {
	const char *name; /* long name without "--" */
	int code;
	enum cli_opt_kind kind;
	size_t offset;       /* the const char *, bool or const char *[max] */
	size_t count_offset; /* CLI_OPT_LIST: the int count */
	int max;             /* CLI_OPT_LIST: capacity of the array */
};

#define CLI_VALUE(type, field, name, code) { name, code, CLI_OPT_VALUE, offsetof(type, field), 0, 0 }
#define CLI_FLAG(type, field, name, code) { name, code, CLI_OPT_FLAG, offsetof(type, field), 0, 0 }
#define CLI_LIST(type, field, count, name, code)                                                     \
	{ name, code, CLI_OPT_LIST, offsetof(type, field), offsetof(type, count),                     \
	  (int)(sizeof(((type *)0)->field) / sizeof(((type *)0)->field[0])) }

/* A noun's options: the table ends with an entry whose name is NULL and holds at most
 * CLI_MAX_OPTS entries. The option of code 'd' (--data) is also -d and, like --help/-h (added by
 * cli_parse, prints help(stdout)), accepted by every verb. */
struct cli_noun {
	const char *name; /* "agency": begins every message */
	const struct cli_opt *opts;
	void (*help)(FILE *f);
};

#define CLI_MAX_OPTS 32
#define CLI_HELP_SHOWN (-1) /* cli_parse printed --help: the caller exits 0 */

/* Parses argv (argv[0] = the verb) accepting only the options whose code is in allowed, and
 * exactly nargs positional arguments (stored in ret_args[0..nargs-1]). Option values are stored
 * into ret_opts, which the caller zeroes first. Returns 0, CLI_HELP_SHOWN, or 2 after a usage
 * message naming the noun, the verb and the offending word ("missing value", "option not valid
 * here", "unexpected argument", "missing argument", a repeated option over its capacity). */
int cli_parse(const struct cli_noun *noun, int argc, char **argv, const char *allowed, int nargs, void *ret_opts,
	      const char **ret_args);
/* The noun alone, or followed by --help, -h or help: prints help (alone: to stderr, 2; else to
 * stdout, 0), stores that exit code in *ret_rc and returns true. Otherwise returns false. */
bool cli_noun_help(const struct cli_noun *noun, int argc, char **argv, int *ret_rc);

#endif
