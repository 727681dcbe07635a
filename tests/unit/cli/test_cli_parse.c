/*
 * test_cli_parse.c: cli_parse and cli_noun_help (src/attt/cli.c), the option parser of every attt
 * noun: values, flags and repeatable options land in the caller's struct, positional arguments are
 * counted exactly, and each refusal prints its precise message and returns 2 (usage).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "cli.h"

struct opts {
	const char *data, *name, *parent;
	bool json, subtree;
	const char *list[2];
	int n_list;
	const char *args[2];
};

static const struct cli_opt test_opts[] = {
	CLI_VALUE(struct opts, data, "data", 'd'),    CLI_FLAG(struct opts, json, "json", 'j'),
	CLI_VALUE(struct opts, name, "name", 'n'),    CLI_VALUE(struct opts, parent, "parent", 'p'),
	CLI_FLAG(struct opts, subtree, "subtree", 'T'), CLI_LIST(struct opts, list, n_list, "checkpoint", 'c'),
	{ NULL, 0, CLI_OPT_VALUE, 0, 0, 0 },
};

static int help_calls;
static FILE *help_stream;

static void test_help(FILE *f)
{
	help_calls++;
	help_stream = f;
}

static const struct cli_noun noun = { "thing", test_opts, test_help };

/* Runs cli_parse on the words given (the verb first) with stderr captured into err. */
static int run(char *err, size_t errsz, const char *allowed, int nargs, struct opts *o, ...)
{
	char *argv[16];
	int argc = 0, rc, saved;
	FILE *tmp = tmpfile();
	va_list ap;
	size_t n;

	assert_non_null(tmp);
	va_start(ap, o);
	for (const char *w; (w = va_arg(ap, const char *)) != NULL && argc < 15;)
		argv[argc++] = (char *)w;
	va_end(ap);
	argv[argc] = NULL;
	memset(o, 0, sizeof(*o));
	fflush(stderr);
	saved = dup(STDERR_FILENO);
	assert_true(saved >= 0);
	assert_true(dup2(fileno(tmp), STDERR_FILENO) >= 0);
	rc = cli_parse(&noun, argc, argv, allowed, nargs, o, o->args);
	fflush(stderr);
	assert_true(dup2(saved, STDERR_FILENO) >= 0);
	close(saved);
	rewind(tmp);
	n = fread(err, 1, errsz - 1, tmp);
	err[n] = '\0';
	fclose(tmp);
	return rc;
}

static void test_values_flags_args(void **state)
{
	char err[512];
	struct opts o;
	(void)state;
	int rc = run(err, sizeof(err), "jnT", 1, &o, "add", "--name", "Sở A", "7", "--json", "-d", "/x", "--subtree",
		     NULL);
	assert_int_equal(rc, 0);
	assert_string_equal(err, "");
	assert_string_equal(o.name, "Sở A");
	assert_string_equal(o.data, "/x");
	assert_string_equal(o.args[0], "7");
	assert_true(o.json);
	assert_true(o.subtree);
	assert_null(o.parent);
	/* --data=DIR and --name=V forms, --data accepted though not in allowed. */
	assert_int_equal(run(err, sizeof(err), "n", 0, &o, "add", "--data=/y", "--name=Z", NULL), 0);
	assert_string_equal(o.data, "/y");
	assert_string_equal(o.name, "Z");
}

static void test_missing_value(void **state)
{
	char err[512];
	struct opts o;
	(void)state;
	assert_int_equal(run(err, sizeof(err), "n", 0, &o, "add", "--name", NULL), ATTT_EXIT_USAGE);
	assert_string_equal(err, "attt: thing add: thiếu giá trị cho --name (missing value)\nXem / see: attt --help\n");
	assert_int_equal(run(err, sizeof(err), "n", 0, &o, "add", "-d", NULL), ATTT_EXIT_USAGE);
	assert_string_equal(err, "attt: thing add: thiếu giá trị cho -d (missing value)\nXem / see: attt --help\n");
}

static void test_not_valid_here(void **state)
{
	char err[512];
	struct opts o;
	(void)state;
	/* Known to the noun but not to this verb. */
	assert_int_equal(run(err, sizeof(err), "j", 0, &o, "show", "--subtree", NULL), ATTT_EXIT_USAGE);
	assert_string_equal(err, "attt: thing show: tùy chọn không dùng được ở đây: --subtree (option not valid "
				 "here)\nXem / see: attt --help\n");
	assert_int_equal(run(err, sizeof(err), "j", 0, &o, "show", "--parent=3", NULL), ATTT_EXIT_USAGE);
	assert_non_null(strstr(err, "ở đây: --parent=3 (option not valid here)"));
	/* Unknown to the noun; short options other than -d and -h do not exist. */
	assert_int_equal(run(err, sizeof(err), "j", 0, &o, "show", "--bogus", NULL), ATTT_EXIT_USAGE);
	assert_non_null(strstr(err, "thing show: tùy chọn không dùng được ở đây: --bogus"));
	assert_int_equal(run(err, sizeof(err), "j", 0, &o, "show", "-j", NULL), ATTT_EXIT_USAGE);
	assert_non_null(strstr(err, "ở đây: -j (option not valid here)"));
}

static void test_positional_count(void **state)
{
	char err[512];
	struct opts o;
	(void)state;
	assert_int_equal(run(err, sizeof(err), "j", 1, &o, "show", NULL), ATTT_EXIT_USAGE);
	assert_string_equal(err, "attt: thing show: thiếu đối số (missing argument)\nXem / see: attt --help\n");
	assert_int_equal(run(err, sizeof(err), "j", 1, &o, "show", "1", "2", NULL), ATTT_EXIT_USAGE);
	assert_string_equal(err, "attt: thing show: đối số thừa: 2 (unexpected argument)\nXem / see: attt --help\n");
	assert_int_equal(run(err, sizeof(err), "j", 0, &o, "list", "x", NULL), ATTT_EXIT_USAGE);
	assert_non_null(strstr(err, "thing list: đối số thừa: x (unexpected argument)"));
}

static void test_list_capacity(void **state)
{
	char err[512];
	struct opts o;
	(void)state;
	assert_int_equal(run(err, sizeof(err), "c", 0, &o, "verify", "--checkpoint", "a", "--checkpoint", "b", NULL), 0);
	assert_int_equal(o.n_list, 2);
	assert_string_equal(o.list[0], "a");
	assert_string_equal(o.list[1], "b");
	assert_int_equal(run(err, sizeof(err), "c", 0, &o, "verify", "--checkpoint", "a", "--checkpoint", "b",
			     "--checkpoint", "c", NULL),
			 ATTT_EXIT_USAGE);
	assert_string_equal(err, "attt: thing verify: quá nhiều --checkpoint (at most 2)\nXem / see: attt --help\n");
}

static void test_help_option(void **state)
{
	char err[512];
	struct opts o;
	(void)state;
	help_calls = 0;
	assert_int_equal(run(err, sizeof(err), "", 1, &o, "show", "--help", NULL), CLI_HELP_SHOWN);
	assert_int_equal(help_calls, 1);
	assert_ptr_equal(help_stream, stdout);
	assert_int_equal(run(err, sizeof(err), "", 0, &o, "show", "-h", NULL), CLI_HELP_SHOWN);
	assert_int_equal(help_calls, 2);
}

static void test_noun_help(void **state)
{
	char *alone[] = { "thing", NULL }, *help[] = { "thing", "help", NULL }, *verb[] = { "thing", "show", NULL };
	int rc = -5;
	(void)state;
	help_calls = 0;
	assert_true(cli_noun_help(&noun, 1, alone, &rc));
	assert_int_equal(rc, ATTT_EXIT_USAGE);
	assert_ptr_equal(help_stream, stderr);
	assert_true(cli_noun_help(&noun, 2, help, &rc));
	assert_int_equal(rc, ATTT_EXIT_OK);
	assert_ptr_equal(help_stream, stdout);
	rc = -5;
	assert_false(cli_noun_help(&noun, 2, verb, &rc));
	assert_int_equal(rc, -5);
	assert_int_equal(help_calls, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_values_flags_args), cmocka_unit_test(test_missing_value),
		cmocka_unit_test(test_not_valid_here),    cmocka_unit_test(test_positional_count),
		cmocka_unit_test(test_list_capacity),     cmocka_unit_test(test_help_option),
		cmocka_unit_test(test_noun_help),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
