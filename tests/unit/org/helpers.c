/* helpers.c: see helpers.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "attt/err.h"
#include "helpers.h"

int odb_setup(void **state)
{
	struct odb *t = calloc(1, sizeof(*t));
	assert_non_null(t);
	snprintf(t->dir, sizeof(t->dir), "/tmp/attt-org-test-XXXXXX");
	assert_non_null(mkdtemp(t->dir));
	snprintf(t->path, sizeof(t->path), "%s/attt.db", t->dir);
	assert_int_equal(attt_db_open(t->path, ATTT_DB_CREATE, &t->db), ATTT_OK);
	assert_int_equal(attt_db_migrate(t->db), ATTT_OK);
	t->now = INT64_C(1795000000000000); /* 2026-11-18 */
	t->clock.now_us = attt_clock_fake_now;
	t->clock.ctx = &t->now;
	t->actor.username = "cli";
	t->actor.source = "cli";
	*state = t;
	return 0;
}

int odb_teardown(void **state)
{
	struct odb *t = *state;
	char cmd[256];
	attt_db_close(t->db);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t->dir);
	if (system(cmd) != 0)
		return -1;
	free(t);
	return 0;
}

int64_t o_agency(struct odb *t, const char *name, enum attt_agency_type type, const char *code, int64_t parent)
{
	struct attt_agency_new in = { .name = name, .type = type, .code = code, .parent_id = parent };
	int64_t id = 0;
	t->now += 1000000;
	assert_int_equal(attt_org_agency_add(t->db, &t->clock, &t->actor, &in, &id), ATTT_OK);
	assert_true(id > 0);
	return id;
}

int64_t o_person(struct odb *t, int64_t agency, const char *name, const char *email)
{
	struct attt_person_new in = { .agency_id = agency, .full_name = name, .email = email };
	int64_t id = 0;
	t->now += 1000000;
	assert_int_equal(attt_org_person_add(t->db, &t->clock, &t->actor, &in, &id), ATTT_OK);
	assert_true(id > 0);
	return id;
}

int64_t o_audit_count(struct odb *t)
{
	uint64_t n = 0;
	assert_int_equal(attt_audit_size(t->db, &n), ATTT_OK);
	return (int64_t)n;
}

int64_t o_count(struct odb *t, const char *table)
{
	struct attt_stmt *st = NULL;
	char sql[128];
	int64_t n;
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", table);
	assert_int_equal(attt_db_prepare(t->db, sql, &st), ATTT_OK);
	assert_int_equal(attt_stmt_step(st), 1);
	n = attt_stmt_int64(st, 0);
	attt_stmt_finalize(st);
	return n;
}
