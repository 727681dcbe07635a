/*
 * test_init_cli.c: `attt init` run as a program ($ATTT_BIN): exit 0 and a JSON object whose
 * audit_key is the public key written to keys/audit.pub; exit 1 on an initialised directory
 * without touching it; exit 2 for usage errors; --help on stdout with exit 0.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "integration/harness.h"
#include "attt/str.h"

static char tmpdir[256];

static int setup(void **state)
{
	(void)state;
	assert_int_equal(harness_mkdtemp(tmpdir, sizeof(tmpdir), "attt-init-"), 0);
	unsetenv("ATTT_DATA");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	harness_rmtree(tmpdir);
	return 0;
}

static void test_init_cli__json_and_refusal(void **state)
{
	char out[8192], dir[300], pubpath[400], pub[128];
	json_t *j;
	json_error_t je;
	FILE *fp;
	size_t n;
	(void)state;

	assert_int_equal(attt_str_printf(dir, sizeof(dir), "%s/d", tmpdir), 0);
	{
		const char *args[] = { "init", "--data", dir, "--json", NULL };
		assert_int_equal(harness_run(args, out, sizeof(out)), 0);
	}
	j = json_loads(out, 0, &je);
	assert_non_null(j);
	assert_true(json_is_object(j));
	assert_non_null(strstr(json_string_value(json_object_get(j, "data")), "/d"));
	assert_string_equal(json_string_value(json_object_get(j, "profile")), "thai-nguyen-10-2020");
	assert_int_equal(strlen(json_string_value(json_object_get(j, "audit_key"))), 64);
	assert_int_equal(attt_str_printf(pubpath, sizeof(pubpath), "%s/keys/audit.pub", dir), 0);
	fp = fopen(pubpath, "re");
	assert_non_null(fp);
	n = fread(pub, 1, sizeof(pub) - 1, fp);
	fclose(fp);
	assert_int_equal(n, 65);
	assert_memory_equal(pub, json_string_value(json_object_get(j, "audit_key")), 64);
	json_decref(j);

	/* A second init of the same directory fails and changes nothing. */
	{
		const char *args[] = { "init", "--data", dir, NULL };
		assert_int_equal(harness_run(args, out, sizeof(out)), 1);
	}
	fp = fopen(pubpath, "re");
	assert_non_null(fp);
	n = fread(out, 1, sizeof(out) - 1, fp);
	fclose(fp);
	assert_int_equal(n, 65);
	assert_memory_equal(out, pub, 65);
}

static void test_init_cli__text_profile_and_env(void **state)
{
	char out[8192], dir[300];
	(void)state;

	assert_int_equal(attt_str_printf(dir, sizeof(dir), "%s/e", tmpdir), 0);
	setenv("ATTT_DATA", dir, 1);
	{
		const char *args[] = { "init", "--profile", "thai-nguyen-10-2020", NULL };
		assert_int_equal(harness_run(args, out, sizeof(out)), 0);
	}
	unsetenv("ATTT_DATA");
	assert_non_null(strstr(out, "thai-nguyen-10-2020"));
	assert_non_null(strstr(out, "audit public key"));
	assert_int_equal(attt_str_printf(dir, sizeof(dir), "%s/e/attt.db", tmpdir), 0);
	assert_int_equal(access(dir, F_OK), 0);
}

static void test_init_cli__usage_errors(void **state)
{
	char out[8192], dir[300];
	(void)state;

	{
		const char *args[] = { "init", NULL };
		assert_int_equal(harness_run(args, out, sizeof(out)), 2);
	}
	{
		const char *args[] = { "init", "--bogus", NULL };
		assert_int_equal(harness_run(args, out, sizeof(out)), 2);
	}
	{
		const char *args[] = { "init", "--data", NULL };
		assert_int_equal(harness_run(args, out, sizeof(out)), 2);
	}
	assert_int_equal(attt_str_printf(dir, sizeof(dir), "%s/f", tmpdir), 0);
	{
		const char *args[] = { "init", "--data", dir, "extra", NULL };
		assert_int_equal(harness_run(args, out, sizeof(out)), 2);
	}
	{
		const char *args[] = { "init", "--data", dir, "--profile", "no-such-profile", NULL };
		assert_int_equal(harness_run(args, out, sizeof(out)), 1);
	}
	assert_int_equal(access(dir, F_OK), -1);
	{
		const char *args[] = { "init", "--help", NULL };
		assert_int_equal(harness_run(args, out, sizeof(out)), 0);
	}
	assert_non_null(strstr(out, "attt init --data DIR"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_init_cli__json_and_refusal, setup, teardown),
		cmocka_unit_test_setup_teardown(test_init_cli__text_profile_and_env, setup, teardown),
		cmocka_unit_test_setup_teardown(test_init_cli__usage_errors, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
