/*
 * test_db_cli.c: `attt db` run as a program ($ATTT_BIN): status reads without migrating and
 * reports pending migrations, migrate applies them, copy makes a readable copy and never
 * overwrites (R10.1.b), usage errors exit 2. init, migrate and copy leave their audit events
 * (R7.2: configuration changes and data copies are logged).
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
#include "attt/db.h"
#include "attt/err.h"
#include "attt/str.h"
#include "db-int.h"

static char tmpdir[256];

static int setup(void **state)
{
	(void)state;
	assert_int_equal(harness_mkdtemp(tmpdir, sizeof(tmpdir), "attt-dbcli-"), 0);
	unsetenv("ATTT_DATA");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	harness_rmtree(tmpdir);
	return 0;
}

static json_t *run_json(const char *const *args)
{
	char out[16384];
	json_error_t je;
	json_t *j;
	assert_int_equal(harness_run(args, out, sizeof(out)), 0);
	j = json_loads(out, 0, &je);
	assert_non_null(j);
	return j;
}

/* The audit events of the database at path, in order: "action/category/outcome summary" lines. */
static void events_of(const char *path, char *buf, size_t size)
{
	struct attt_db *h = NULL;
	struct attt_stmt *st = NULL;
	size_t len = 0;

	buf[0] = '\0';
	assert_int_equal(attt_db_open(path, ATTT_DB_READONLY, &h), ATTT_OK);
	assert_int_equal(attt_db_prepare(h, "SELECT action, category, outcome, summary FROM audit_event ORDER BY seq", &st),
			 ATTT_OK);
	while (attt_stmt_step(st) == 1) {
		assert_int_equal(attt_str_printf(buf + len, size - len, "%s/%lld/%lld %s\n", attt_stmt_text(st, 0),
						 (long long)attt_stmt_int64(st, 1), (long long)attt_stmt_int64(st, 2),
						 attt_stmt_text(st, 3)),
				 ATTT_OK);
		len += strlen(buf + len);
	}
	attt_stmt_finalize(st);
	attt_db_close(h);
}

static void test_db_cli__status_migrate_copy(void **state)
{
	char out[8192], dir[300], db[400], copy[400];
	struct attt_db *h = NULL;
	json_t *j;
	(void)state;

	assert_int_equal(attt_str_printf(dir, sizeof(dir), "%s/d", tmpdir), 0);
	assert_int_equal(attt_str_printf(db, sizeof(db), "%s/d/attt.db", tmpdir), 0);
	assert_int_equal(attt_str_printf(copy, sizeof(copy), "%s/copy.db", tmpdir), 0);
	{
		const char *args[] = { "db", "status", "--data", dir, NULL };
		assert_int_equal(harness_run(args, out, sizeof(out)), 1); /* not initialised */
	}
	{
		const char *args[] = { "init", "--data", dir, NULL };
		assert_int_equal(harness_run(args, out, sizeof(out)), 0);
	}
	{
		const char *args[] = { "db", "status", "--data", dir, "--json", NULL };
		j = run_json(args);
	}
	assert_int_equal(json_integer_value(json_object_get(j, "version")), attt_db_schema_latest());
	assert_true(json_is_false(json_object_get(j, "pending")));
	assert_int_equal(json_array_size(json_object_get(j, "migrations")), attt__migrations_count);
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(j, "migrations"), 0), "name")),
			    "core");
	json_decref(j);

	/* Replace attt.db by one at version 1, as an older attt left it. status reports the pending
	 * migrations and changes nothing; migrate applies them. */
	assert_int_equal(unlink(db), 0);
	assert_int_equal(attt_db_open(db, ATTT_DB_CREATE, &h), ATTT_OK);
	assert_int_equal(attt__db_migrate_list(h, attt__migrations, 1), ATTT_OK);
	assert_int_equal(attt_db_exec(h, "INSERT INTO meta VALUES ('data_id', '00112233445566778899aabbccddeeff')"), ATTT_OK);
	attt_db_close(h);
	for (int pass = 0; pass < 2; pass++) {
		const char *args[] = { "db", "status", "--data", dir, "--json", NULL };
		j = run_json(args);
		assert_int_equal(json_integer_value(json_object_get(j, "version")), 1);
		assert_true(json_is_true(json_object_get(j, "pending")) == (attt_db_schema_latest() > 1));
		assert_int_equal(json_array_size(json_object_get(j, "migrations")), 1);
		json_decref(j);
	}
	{
		const char *args[] = { "db", "migrate", "--data", dir, "--json", NULL };
		j = run_json(args);
	}
	assert_int_equal(json_integer_value(json_object_get(j, "version")), attt_db_schema_latest());
	assert_true(json_is_false(json_object_get(j, "pending")));
	assert_int_equal(json_array_size(json_object_get(j, "migrations")), attt__migrations_count);
	json_decref(j);
	{
		const char *args[] = { "db", "migrate", "--data", dir, NULL };
		assert_int_equal(harness_run(args, out, sizeof(out)), 0);
	}
	assert_non_null(strstr(out, "0001_core"));
	{
		/* R7.2: the migration from version 1 left its event (config), and so did the second run. */
		char ev[4096], want[256];
		events_of(db, ev, sizeof(ev));
		assert_int_equal(attt_str_printf(want, sizeof(want), "db.migrate/3/0 {\"from\":1,\"to\":%d}\n"
								     "db.migrate/3/0 {\"from\":%d,\"to\":%d}\n",
						 attt_db_schema_latest(), attt_db_schema_latest(), attt_db_schema_latest()),
				 ATTT_OK);
		assert_string_equal(ev, want);
	}

	/* A fresh directory for copy. */
	assert_int_equal(attt_str_printf(dir, sizeof(dir), "%s/e", tmpdir), 0);
	{
		const char *args[] = { "init", "--data", dir, NULL };
		assert_int_equal(harness_run(args, out, sizeof(out)), 0);
	}
	{
		const char *args[] = { "db", "migrate", "--data", dir, "--json", NULL };
		j = run_json(args);
		assert_true(json_is_false(json_object_get(j, "pending")));
		json_decref(j);
	}
	{
		const char *args[] = { "db", "copy", "--data", dir, "--to", copy, NULL };
		assert_int_equal(harness_run(args, out, sizeof(out)), 0);
	}
	assert_int_equal(attt_db_open(copy, ATTT_DB_READONLY, &h), ATTT_OK);
	{
		int64_t v = 0;
		assert_int_equal(attt_db_schema_version(h, &v), ATTT_OK);
		assert_int_equal(v, attt_db_schema_latest());
	}
	attt_db_close(h);
	{
		const char *args[] = { "db", "copy", "--data", dir, "--to", copy, NULL };
		assert_int_equal(harness_run(args, out, sizeof(out)), 1); /* never overwrites */
	}
	{
		/* R7.2: init's system.init (config, the profile), migrate (config), the copy (data) and the
		 * refused copy (outcome failure). */
		char ev[4096], want[1024], e_db[400];
		assert_int_equal(attt_str_printf(e_db, sizeof(e_db), "%s/attt.db", dir), 0);
		events_of(e_db, ev, sizeof(ev));
		assert_non_null(strstr(ev, "system.init/3/0 {\"data_id\":\""));
		assert_non_null(strstr(ev, "\"profile\":\"thai-nguyen-10-2020\""));
		assert_int_equal(attt_str_printf(want, sizeof(want),
						 "db.migrate/3/0 {\"from\":%d,\"to\":%d}\n"
						 "db.copy/2/0 {\"to\":\"%s\"}\n"
						 "db.copy/2/1 {\"error\":\"Already exists\",\"to\":\"%s\"}\n",
						 attt_db_schema_latest(), attt_db_schema_latest(), copy, copy),
				 ATTT_OK);
		assert_non_null(strstr(ev, want));
		assert_true(strncmp(ev, "system.init/", 12) == 0);
	}
}

static void test_db_cli__usage(void **state)
{
	char out[8192];
	(void)state;
	{
		const char *args[] = { "db", NULL };
		assert_int_equal(harness_run(args, out, sizeof(out)), 2);
	}
	{
		const char *args[] = { "db", "drop", "--data", tmpdir, NULL };
		assert_int_equal(harness_run(args, out, sizeof(out)), 2);
	}
	{
		const char *args[] = { "db", "copy", "--data", tmpdir, NULL };
		assert_int_equal(harness_run(args, out, sizeof(out)), 2);
	}
	{
		const char *args[] = { "db", "status", NULL };
		assert_int_equal(harness_run(args, out, sizeof(out)), 2);
	}
	{
		const char *args[] = { "db", "--help", NULL };
		assert_int_equal(harness_run(args, out, sizeof(out)), 0);
	}
	assert_non_null(strstr(out, "attt db status"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_db_cli__status_migrate_copy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_db_cli__usage, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
