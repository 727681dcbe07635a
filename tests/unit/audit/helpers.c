/* helpers.c: see helpers.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "attt/err.h"
#include "helpers.h"

void tdb_open(struct tdb *t)
{
	memset(t, 0, sizeof(*t));
	/* /dev/shm when there is one: these tests write much and need no durability. */
	snprintf(t->dir, sizeof(t->dir), "%s/attt-audit-test-XXXXXX", access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
	assert_non_null(mkdtemp(t->dir));
	snprintf(t->path, sizeof(t->path), "%s/audit.db", t->dir);
	assert_int_equal(attt_db_open(t->path, ATTT_DB_CREATE, &t->db), ATTT_OK);
	assert_int_equal(attt_db_migrate(t->db), ATTT_OK);
	t->now = INT64_C(1795000000000000); /* 2026-11-18 */
	t->clock.now_us = attt_clock_fake_now;
	t->clock.ctx = &t->now;
}

void tdb_close(struct tdb *t)
{
	attt_db_close(t->db);
	t->db = NULL;
	tsh("rm -rf '%s'", t->dir);
}

void tdb_append(struct tdb *t, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		char user[32], obj[32], summary[96];
		snprintf(user, sizeof(user), "user%u", i % 7);
		snprintf(obj, sizeof(obj), "%u", i);
		snprintf(summary, sizeof(summary), "{\"name\":[\"old %u\",\"new %u\"]}", i, i + 1);
		struct attt_actor a = { .account_id = i % 7 + 1, .person_id = i % 5, .agency_id = i % 3 + 1,
					.username = user, .session = "s-1", .source = "127.0.0.1" };
		struct attt_audit_event ev = { .category = (enum attt_audit_category)(i % 5 + 1),
					       .action = i % 2 ? "agency.update" : "auth.login",
					       .object_type = "agency", .object_id = obj, .agency_id = i % 3 + 1,
					       .outcome = (enum attt_audit_outcome)(i % 3), .rule = "R7.2",
					       .summary = i % 4 ? summary : NULL };
		t->now += 1000;
		assert_int_equal(attt_db_begin(t->db), ATTT_OK);
		assert_int_equal(attt_audit_append(t->db, &t->clock, &a, &ev, NULL), ATTT_OK);
		assert_int_equal(attt_db_commit(t->db), ATTT_OK);
	}
}

void trec_read(struct attt_stmt *st, struct attt_audit_record *rec)
{
	*rec = (struct attt_audit_record){
		.seq = attt_stmt_int64(st, 0),
		.time_us = attt_stmt_int64(st, 1),
		.category = (int)attt_stmt_int64(st, 2),
		.action = attt_stmt_text(st, 3),
		.outcome = (int)attt_stmt_int64(st, 4),
		.actor_account = attt_stmt_int64(st, 5),
		.actor_person = attt_stmt_int64(st, 6),
		.actor_agency = attt_stmt_int64(st, 7),
		.actor_name = attt_stmt_text(st, 8),
		.session = attt_stmt_text(st, 9),
		.source = attt_stmt_text(st, 10),
		.agency_id = attt_stmt_int64(st, 11),
		.object_type = attt_stmt_text(st, 12),
		.object_id = attt_stmt_text(st, 13),
		.rule = attt_stmt_text(st, 14),
		.summary = attt_stmt_text(st, 15),
	};
}

int tsh(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	int st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}
