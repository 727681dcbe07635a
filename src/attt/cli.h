/*
 * cli.h: what every attt subcommand shares: exit codes, the data directory, error messages in
 * Vietnamese and English, JSON output. Subcommands parse their own options with getopt_long.
 */
#ifndef ATTT_CLI_H
#define ATTT_CLI_H

#include <stdbool.h>

#include <jansson.h>

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

#endif
