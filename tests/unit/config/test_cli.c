/*
 * test_cli.c: `attt config` and `attt policy` as an operator runs them (the attt binary from
 * ATTT_BIN): exit codes 0/1/2, file:line errors naming the rule, secrets masked, and R7.2: showing
 * the configuration or the policy of a data directory writes one audit event each.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

static char tmpdir[] = "/tmp/attt-test-cli-XXXXXX";
static const char *bin;
static char out[262144];

/* Runs "$ATTT_BIN args" with stdout and stderr into out; returns the exit status. */
static int run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int run(const char *fmt, ...)
{
	char args[2048], cmd[4096];
	va_list ap;
	size_t n = 0;
	FILE *p;
	int st;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	snprintf(cmd, sizeof(cmd), "'%s' %s 2>&1", bin, args);
	p = popen(cmd, "r");
	assert_non_null(p);
	while (n < sizeof(out) - 1) {
		size_t got = fread(out + n, 1, sizeof(out) - 1 - n, p);
		if (got == 0)
			break;
		n += got;
	}
	out[n] = '\0';
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void write_file(const char *name, const char *text)
{
	char path[512];
	FILE *f;
	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	f = fopen(path, "we");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void expect_in(const char *needle)
{
	if (!strstr(out, needle))
		fail_msg("expected \"%s\" in:\n%s", needle, out);
}

static int setup(void **state)
{
	(void)state;
	bin = getenv("ATTT_BIN");
	if (!bin || !*bin)
		return -1;
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[600];
	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_cli_config__exit_codes(void **state)
{
	(void)state;
	assert_int_equal(run("config --help"), 0);
	expect_in("attt config check [--data DIR | FILE]");
	assert_int_equal(run("config"), 2);
	assert_int_equal(run("config frobnicate"), 2);
	assert_int_equal(run("config show --bogus"), 2);
	write_file("bad.ini", "[http]\nthreads = 65\n");
	assert_int_equal(run("config check %s/bad.ini", tmpdir), 1);
	expect_in("/bad.ini:2: http.threads: giá trị phải từ 0 đến 64 (value must be 0 to 64)");
	write_file("good.ini", "[http]\nthreads = 4\n[mail]\npassword = hunter2-secret\n");
	assert_int_equal(run("config check %s/good.ini", tmpdir), 0);
	expect_in("hợp lệ (valid)");
	/* The profile the file selects is checked too. */
	write_file("badprof.ini", "[policy]\nprofile = no-such-profile\n");
	assert_int_equal(run("config check %s/badprof.ini", tmpdir), 1);
	expect_in("/badprof.ini:2: policy.profile: không có hồ sơ có sẵn tên no-such-profile");
}

static void test_cli_config__show_masks_secret(void **state)
{
	(void)state;
	write_file("good.ini", "[http]\nthreads = 4\n[mail]\npassword = hunter2-secret\n");
	assert_int_equal(run("config show %s/good.ini --json", tmpdir), 0);
	expect_in("\"name\":\"mail.password\"");
	expect_in("\"value\":\"********\"");
	assert_null(strstr(out, "hunter2"));
	assert_int_equal(run("config show %s/good.ini", tmpdir), 0);
	expect_in("http.threads");
	expect_in("tệp / file:2");
	assert_null(strstr(out, "hunter2"));
}

/* R6.2.b: `attt policy check` names file:line and the rule. */
static void test_cli_policy__check(void **state)
{
	(void)state;
	write_file("strict.ini", "[profile]\nbase = thai-nguyen-10-2020\nname = strict\n\n[lockout]\nthreshold = 7\n");
	assert_int_equal(run("policy check %s/strict.ini", tmpdir), 1);
	expect_in("/strict.ini:6: R6.2.b: ngưỡng khóa phải từ 3 đến 5 (lockout threshold must be 3 to 5)");
	write_file("ok.ini", "[profile]\nbase = thai-nguyen-10-2020\nname = ok\n[lockout]\nthreshold = 3\n");
	assert_int_equal(run("policy check %s/ok.ini", tmpdir), 0);
	assert_int_equal(run("policy check"), 2);
	assert_int_equal(run("policy check a b"), 2);
	assert_int_equal(run("policy --help"), 0);
	expect_in("attt policy show");
	assert_int_equal(run("policy list"), 0);
	expect_in("thai-nguyen-10-2020");
	expect_in("national-2026");
}

static void test_cli_policy__show(void **state)
{
	(void)state;
	assert_int_equal(run("policy show --profile national-2026 --json"), 0);
	expect_in("\"name\":\"national-2026\"");
	expect_in("\"rule\":\"R6.2.b\"");
	assert_int_equal(run("policy show --profile thai-nguyen-10-2020"), 0);
	expect_in("lockout.threshold");
	expect_in("R6.2.b");
	expect_in("Khẩn cấp");
	expect_in("Mẫu số 03");
	assert_int_equal(run("policy show --profile nope"), 1);
	assert_int_equal(run("policy show --profile a --data b"), 2);
}

static int count_events(const char *dir, const char *action)
{
	char path[512];
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	int n = -1;

	snprintf(path, sizeof(path), "%s/attt.db", dir);
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, "SELECT count(*) FROM audit_event WHERE category = 3 AND action = ? AND rule = 'R7.2'",
			       -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_bind_text(st, 1, action, -1, SQLITE_STATIC) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}

/* R7.2: viewing the configuration of a data directory is audited, one event per view. */
static void test_cli_show__audited(void **state)
{
	char dir[512];
	(void)state;
	snprintf(dir, sizeof(dir), "%s/data", tmpdir);
	assert_int_equal(run("init --data %s", dir), 0);
	assert_int_equal(count_events(dir, "config.view"), 0);
	assert_int_equal(run("config show --data %s", dir), 0);
	assert_int_equal(count_events(dir, "config.view"), 1);
	assert_int_equal(run("config show --data %s --json", dir), 0);
	assert_int_equal(count_events(dir, "config.view"), 2);
	assert_int_equal(run("policy show --data %s", dir), 0);
	expect_in("thai-nguyen-10-2020");
	assert_int_equal(count_events(dir, "policy.view"), 1);
	/* check and --profile read no data directory's configuration: no event. */
	assert_int_equal(run("config check --data %s", dir), 0);
	assert_int_equal(run("policy show --profile national-2026"), 0);
	assert_int_equal(count_events(dir, "config.view"), 2);
	assert_int_equal(count_events(dir, "policy.view"), 1);
	/* A directory without a database has no trail: shown from its files, with a note. */
	snprintf(dir, sizeof(dir), "%s/plain", tmpdir);
	assert_int_equal(mkdir(dir, 0700), 0);
	write_file("plain/attt.ini", "[policy]\nprofile = national-2026\n");
	assert_int_equal(run("config show --data %s", dir), 0);
	expect_in("not initialised: no audit event");
	expect_in("national-2026    ; tệp / file:2");
	assert_int_equal(run("policy show --data %s --json", dir), 0);
	expect_in("\"name\":\"national-2026\"");
	/* A directory that does not exist is an error, not the defaults. */
	assert_int_equal(run("config show --data %s/none", tmpdir), 1);
	assert_int_equal(run("policy show --data %s/none", tmpdir), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cli_config__exit_codes),
		cmocka_unit_test(test_cli_config__show_masks_secret),
		cmocka_unit_test(test_cli_policy__check),
		cmocka_unit_test(test_cli_policy__show),
		cmocka_unit_test(test_cli_show__audited),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
