/*
 * test_export.c: queries, CSV and JSON-lines output, and the verifiable export (R7.1, R7.2):
 * filters and keyset pagination return the right events, CSV cells are quoted and defused, an
 * export verifies without the database and any edit of it is caught.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "attt/audit.h"
#include "attt/buf.h"
#include "attt/err.h"
#include "attt/limits.h"
#include "helpers.h"

struct collect {
	int64_t seqs[1000];
	size_t n;
};

static int collect(void *ctx, const struct attt_audit_record *rec)
{
	struct collect *c = ctx;
	c->seqs[c->n++] = rec->seq;
	return 0;
}

static void filter_any(struct attt_audit_filter *f)
{
	memset(f, 0, sizeof(*f));
	f->outcome = -1;
	f->after_seq = -1;
}

/* R7.2: the query filters of the API and keyset pagination. */
static void test_audit_query__filters(void **state)
{
	struct tdb t;
	struct attt_audit_filter f;
	struct collect c;
	int64_t last;

	(void)state;
	tdb_open(&t);
	tdb_append(&t, 60); /* event i: category i%5+1, outcome i%3, account i%7+1, agency i%3+1 */
	filter_any(&f);
	memset(&c, 0, sizeof(c));
	assert_int_equal(attt_audit_query(t.db, &f, collect, &c, &last), ATTT_OK);
	assert_int_equal(c.n, 60);
	assert_int_equal(last, 59);
	/* Pages of 25 by after_seq. */
	filter_any(&f);
	f.limit = 25;
	size_t total = 0;
	for (int page = 0; page < 4; page++) {
		memset(&c, 0, sizeof(c));
		assert_int_equal(attt_audit_query(t.db, &f, collect, &c, &last), ATTT_OK);
		total += c.n;
		if (c.n)
			assert_int_equal(c.seqs[0], f.after_seq + 1);
		f.after_seq = last;
	}
	assert_int_equal(total, 60);
	assert_int_equal(last, -1);
	/* Category, outcome, account, agency, action prefix, object, time range. */
	filter_any(&f);
	f.category = ATTT_AUDIT_CONFIG;
	f.outcome = ATTT_AUDIT_SUCCESS;
	memset(&c, 0, sizeof(c));
	assert_int_equal(attt_audit_query(t.db, &f, collect, &c, NULL), ATTT_OK);
	for (size_t i = 0; i < c.n; i++)
		assert_true(c.seqs[i] % 5 == 2 && c.seqs[i] % 3 == 0);
	assert_int_equal(c.n, 4); /* 0..59 with i%15 == 12 */
	filter_any(&f);
	f.actor_account = 3;
	f.action = "auth.";
	memset(&c, 0, sizeof(c));
	assert_int_equal(attt_audit_query(t.db, &f, collect, &c, NULL), ATTT_OK);
	for (size_t i = 0; i < c.n; i++)
		assert_true(c.seqs[i] % 7 == 2 && c.seqs[i] % 2 == 0);
	filter_any(&f);
	int64_t ags[2] = { 2, 3 };
	f.agencies = ags;
	f.n_agencies = 2;
	memset(&c, 0, sizeof(c));
	assert_int_equal(attt_audit_query(t.db, &f, collect, &c, NULL), ATTT_OK);
	assert_int_equal(c.n, 40);
	filter_any(&f);
	f.object_type = "agency";
	f.object_id = "17";
	memset(&c, 0, sizeof(c));
	assert_int_equal(attt_audit_query(t.db, &f, collect, &c, NULL), ATTT_OK);
	assert_int_equal(c.n, 1);
	assert_int_equal(c.seqs[0], 17);
	filter_any(&f);
	f.from_us = INT64_C(1795000000000000) + 10 * 1000;
	f.to_us = INT64_C(1795000000000000) + 20 * 1000;
	memset(&c, 0, sizeof(c));
	assert_int_equal(attt_audit_query(t.db, &f, collect, &c, NULL), ATTT_OK);
	assert_int_equal(c.n, 10);
	assert_int_equal(c.seqs[0], 9);
	/* The LIKE wildcards of SQL mean nothing in a prefix. */
	filter_any(&f);
	f.action = "%.";
	memset(&c, 0, sizeof(c));
	assert_int_equal(attt_audit_query(t.db, &f, collect, &c, NULL), ATTT_OK);
	assert_int_equal(c.n, 0);
	filter_any(&f);
	f.category = 9;
	assert_int_equal(attt_audit_query(t.db, &f, collect, &c, NULL), ATTT_E_INVAL);
	tdb_close(&t);
}

static void test_audit_format__csv_json(void **state)
{
	struct attt_audit_record rec = { .seq = 7, .time_us = INT64_C(1795000000000000), .category = ATTT_AUDIT_DATA,
					 .action = "person.update", .outcome = 0, .actor_name = "=cmd|' /C calc'!A0",
					 .summary = "{\"name\":[\"A, B\",\"C \\\"D\\\"\"]}" };
	struct attt_buf b;

	(void)state;
	attt_buf_init(&b, 1 << 16);
	assert_int_equal(attt_audit_format_csv_header(&b), ATTT_OK);
	assert_int_equal(attt_audit_format_csv(&rec, &b), ATTT_OK);
	const char *s = attt_buf_str(&b);
	assert_non_null(strstr(s, ",'=cmd|' /C calc'!A0,"));
	assert_non_null(strstr(s, ",\"{\"\"name\"\":[\"\"A, B\"\",\"\"C \\\"\"D\\\"\"\"\"]}\","));
	assert_non_null(strstr(s, "\r\n7,2026-11-18T"));
	attt_buf_reset(&b);
	assert_int_equal(attt_audit_format_json(&rec, &b), ATTT_OK);
	s = attt_buf_str(&b);
	assert_non_null(strstr(s, "\"seq\":7,"));
	assert_non_null(strstr(s, "\"category\":\"data\""));
	assert_non_null(strstr(s, "\"session\":null"));
	assert_int_equal(s[b.len - 1], '\n');
	attt_buf_done(&b);
}

/* R7.1: the export verifies without the database; edits of any kind are caught. */
static void test_audit_export__verify(void **state)
{
	struct tdb t;
	struct attt_audit_signer *s = NULL;
	struct attt_audit_verifier *v = NULL;
	struct attt_audit_report rep;
	uint8_t seed[32] = { 4 };
	char vkey[ATTT_AUDIT_VKEY_MAX], path[512], path2[512], *note = NULL;

	(void)state;
	tdb_open(&t);
	assert_int_equal(attt_audit_signer_new("attt.test/export", seed, &s), ATTT_OK);
	assert_int_equal(attt_audit_signer_vkey(s, vkey, sizeof(vkey)), ATTT_OK);
	assert_int_equal(attt_audit_verifier_parse(vkey, &v), ATTT_OK);
	tdb_append(&t, 50);
	assert_int_equal(attt_audit_checkpoint(t.db, &t.clock, s, NULL, NULL), ATTT_OK);
	tdb_append(&t, 27);
	assert_int_equal(attt_audit_checkpoint(t.db, &t.clock, s, &note, NULL), ATTT_OK);
	snprintf(path, sizeof(path), "%s/export.jsonl", t.dir);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(attt_audit_export(t.db, v, fd), ATTT_OK);
	close(fd);
	assert_int_equal(attt_audit_verify_export(path, v, NULL, 0, &rep), ATTT_OK);
	assert_int_equal(rep.events, 77);
	assert_int_equal(rep.checkpoints, 2);
	assert_int_equal(rep.signed_size, 77);
	/* An edited field. */
	snprintf(path2, sizeof(path2), "%s/edited.jsonl", t.dir);
	assert_int_equal(tsh("sed 's/\"object_id\":\"33\"/\"object_id\":\"34\"/' %s > %s", path, path2), 0);
	assert_int_equal(attt_audit_verify_export(path2, v, NULL, 0, &rep), ATTT_E_CORRUPT);
	assert_int_equal(rep.first_bad, 33);
	/* A deleted event. */
	assert_int_equal(tsh("grep -v '\"seq\":40,' %s > %s", path, path2), 0);
	assert_int_equal(attt_audit_verify_export(path2, v, NULL, 0, &rep), ATTT_E_CORRUPT);
	assert_int_equal(rep.first_bad, 40);
	/* The tail and its checkpoint cut off: only an off-database checkpoint catches it. */
	assert_int_equal(tsh("grep -v -E '\"seq\":(7[0-9]),|\"type\":\"checkpoint\"' %s > %s", path, path2), 0);
	assert_int_equal(attt_audit_verify_export(path2, v, NULL, 0, &rep), ATTT_E_CORRUPT); /* header size */
	const char *notes[1] = { note };
	assert_int_equal(tsh("grep -v -E '\"seq\":(7[0-9]),|\"type\":\"checkpoint\"' %s | sed 's/\"size\":77/\"size\":70/' > %s",
			     path, path2),
			 0);
	assert_int_equal(attt_audit_verify_export(path2, v, NULL, 0, &rep), ATTT_OK); /* nothing to compare with */
	assert_int_equal(attt_audit_verify_export(path2, v, notes, 1, &rep), ATTT_E_CORRUPT);
	assert_int_equal(rep.first_bad, 70);
	/* Garbage. */
	assert_int_equal(tsh("printf '{\"type\":\"header\"\\n' > %s", path2), 0);
	assert_int_equal(attt_audit_verify_export(path2, v, NULL, 0, &rep), ATTT_E_PARSE);
	assert_non_null(strstr(rep.reason, ":1:"));
	free(note);
	attt_audit_verifier_free(v);
	attt_audit_signer_free(s);
	tdb_close(&t);
}

/* Retention: archived events leave the database, the rest still verifies and proves; the archive
 * file verifies on its own against the checkpoint it ends at. */
static void test_audit_archive__keeps_proofs(void **state)
{
	struct tdb t;
	struct attt_audit_signer *s = NULL;
	struct attt_audit_verifier *v = NULL;
	struct attt_audit_report rep;
	struct attt_hash leaf, root, proof[ATTT_AUDIT_MAX_PROOF];
	uint8_t seed[32] = { 5 };
	char vkey[ATTT_AUDIT_VKEY_MAX], path[512];
	uint64_t count = 0;
	size_t n;

	(void)state;
	tdb_open(&t);
	assert_int_equal(attt_audit_signer_new("attt.test/archive", seed, &s), ATTT_OK);
	assert_int_equal(attt_audit_signer_vkey(s, vkey, sizeof(vkey)), ATTT_OK);
	assert_int_equal(attt_audit_verifier_parse(vkey, &v), ATTT_OK);
	tdb_append(&t, 50);
	assert_int_equal(attt_audit_checkpoint(t.db, &t.clock, s, NULL, NULL), ATTT_OK);
	tdb_append(&t, 50);
	assert_int_equal(attt_audit_checkpoint(t.db, &t.clock, s, NULL, NULL), ATTT_OK);
	/* Older than event 60: archived up to the checkpoint at 50. */
	int64_t before = INT64_C(1795000000000000) + 61 * 1000;
	assert_int_equal(attt_audit_archive(t.db, &t.clock, NULL, v, before, t.dir, &count), ATTT_OK);
	assert_int_equal(count, 50);
	assert_int_equal(attt_audit_verify(t.db, v, NULL, 0, &rep), ATTT_OK);
	assert_int_equal(rep.first, 50);
	assert_int_equal(rep.size, 101); /* with the archive's own event */
	assert_int_equal(attt_audit_prove_inclusion(t.db, 70, 100, &leaf, proof, &n), ATTT_OK);
	assert_int_equal(attt_audit_root(t.db, 100, &root), ATTT_OK);
	assert_int_equal(attt_merkle_verify_inclusion(70, 100, leaf.b, 32, proof, n, root.b, 32), ATTT_OK);
	assert_int_equal(attt_audit_prove_inclusion(t.db, 10, 100, &leaf, proof, &n), ATTT_OK); /* archived, still proven */
	assert_int_equal(attt_merkle_verify_inclusion(10, 100, leaf.b, 32, proof, n, root.b, 32), ATTT_OK);
	snprintf(path, sizeof(path), "%s/audit-archive-0-50.jsonl", t.dir);
	assert_int_equal(attt_audit_verify_export(path, v, NULL, 0, &rep), ATTT_OK);
	assert_int_equal(rep.signed_size, 50);
	/* Nothing more is due; a second archive run archives nothing and never overwrites. */
	assert_int_equal(attt_audit_archive(t.db, &t.clock, NULL, v, before, t.dir, &count), ATTT_OK);
	assert_int_equal(count, 0);
	/* Deleting the first kept event is not archiving. */
	assert_int_equal(attt_db_begin(t.db), ATTT_OK);
	assert_int_equal(attt_db_exec(t.db, "DELETE FROM audit_event WHERE seq = 50"), ATTT_OK);
	assert_int_equal(attt_audit_verify(t.db, v, NULL, 0, &rep), ATTT_E_CORRUPT);
	assert_int_equal(rep.first_bad, 50);
	assert_int_equal(attt_db_rollback(t.db), ATTT_OK);
	attt_audit_verifier_free(v);
	attt_audit_signer_free(s);
	tdb_close(&t);
}

static int count_cb(void *ctx, const struct attt_audit_record *rec)
{
	(void)rec;
	(*(int64_t *)ctx)++;
	return ATTT_OK;
}

static int64_t q1(struct attt_db *db, const char *sql);

/* A period query finds every event of the period although there is no time index, also when the
 * clock went backwards (audit_time bounds the seq range it scans by each block's earliest and
 * latest time): 900 events whose time jumps back and forth, 300 random periods, each compared
 * with a count over every row. */
static void test_audit_query__period_without_index(void **state)
{
	struct tdb t;
	uint64_t x = 0x9e3779b97f4a7c15ull;
	int64_t base = INT64_C(1795000000000000);

	(void)state;
	tdb_open(&t);
	for (int i = 0; i < 9; i++) {
		t.now = base + (int64_t)((i * 7) % 9) * 1000000; /* blocks of 100 events out of time order */
		tdb_append(&t, 100);
	}
	t.now = base - 5000000; /* and a clock stepped back for the newest events */
	tdb_append(&t, 10);
	assert_int_equal(q1(t.db, "SELECT COUNT(*) FROM audit_time"), 3);
	for (int i = 0; i < 300; i++) {
		struct attt_audit_filter f = { .outcome = -1, .after_seq = -1 };
		char sql[256];
		int64_t got = 0;
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		f.from_us = i % 10 == 0 ? 0 : base - 6000000 + (int64_t)(x % 16000000);
		f.to_us = i % 10 == 1 ? 0 : f.from_us + (int64_t)((x >> 24) % 3000000);
		if (f.from_us == 0 && f.to_us == 0)
			f.to_us = base;
		assert_int_equal(attt_audit_query(t.db, &f, count_cb, &got, NULL), ATTT_OK);
		snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM audit_event WHERE time_us >= %lld AND time_us < %lld",
			 (long long)(f.from_us ? f.from_us : INT64_MIN), (long long)(f.to_us ? f.to_us : INT64_MAX));
		assert_int_equal(got, q1(t.db, sql));
	}
	tdb_close(&t);
}

static int64_t q1(struct attt_db *db, const char *sql)
{
	struct attt_stmt *st = NULL;
	int64_t v;
	assert_int_equal(attt_db_prepare(db, sql, &st), ATTT_OK);
	assert_int_equal(attt_stmt_step(st), 1);
	v = attt_stmt_int64(st, 0);
	attt_stmt_finalize(st);
	return v;
}

/* db/migrations/0010_audit_tree.sql on a trail in the layout before it (every node a row of
 * audit_node, a time index, no audit_time), made here from a trail written by this build with an
 * archived prefix: the migration must rebuild exactly the rows this build writes (tree columns,
 * archived nodes, time spans), and the trail must verify. */
static void test_audit_migrate__0010(void **state)
{
	struct tdb t;
	struct attt_audit_signer *s = NULL;
	struct attt_audit_verifier *v = NULL;
	struct attt_audit_report rep;
	struct attt_stmt *st = NULL, *ins = NULL;
	uint8_t seed[32] = { 6 };
	char vkey[ATTT_AUDIT_VKEY_MAX];
	uint64_t count = 0;

	(void)state;
	tdb_open(&t);
	assert_int_equal(attt_audit_signer_new("attt.test/migrate", seed, &s), ATTT_OK);
	assert_int_equal(attt_audit_signer_vkey(s, vkey, sizeof(vkey)), ATTT_OK);
	assert_int_equal(attt_audit_verifier_parse(vkey, &v), ATTT_OK);
	tdb_append(&t, 300);
	assert_int_equal(attt_audit_checkpoint(t.db, &t.clock, s, NULL, NULL), ATTT_OK);
	tdb_append(&t, 300);
	assert_int_equal(attt_audit_checkpoint(t.db, &t.clock, s, NULL, NULL), ATTT_OK);
	assert_int_equal(attt_audit_archive(t.db, &t.clock, NULL, v, INT64_C(1795000000000000) + 351 * 1000, t.dir, &count),
			 ATTT_OK);
	assert_int_equal(count, 300);
	tdb_append(&t, 200);
	assert_int_equal(q1(t.db, "SELECT COUNT(*) FROM audit_time"), 2); /* blocks 1 (part archived) and 2 */
	assert_int_equal(attt_db_exec(t.db, "CREATE TABLE snap_tree AS SELECT seq, tree FROM audit_event; "
					    "CREATE TABLE snap_node AS SELECT * FROM audit_node; "
					    "CREATE TABLE snap_time AS SELECT * FROM audit_time"),
			 ATTT_OK);
	/* The old layout: every node of every event in audit_node at its post-order position. */
	assert_int_equal(attt_db_prepare(t.db, "SELECT seq, tree FROM audit_event", &st), ATTT_OK);
	assert_int_equal(attt_db_prepare(t.db, "INSERT INTO audit_node (pos, level, idx, hash) VALUES (?, ?, ?, ?)", &ins),
			 ATTT_OK);
	while (attt_stmt_step(st) == 1) {
		uint64_t seq = (uint64_t)attt_stmt_int64(st, 0);
		size_t n = 0;
		const uint8_t *tree = attt_stmt_blob(st, 1, &n);
		for (unsigned level = 0; level < n / 32; level++) {
			uint64_t idx = seq >> level, m = ((idx + 1) << level) - 1;
			attt_stmt_reset(ins);
			attt_stmt_bind_int64(ins, 1, (int64_t)(2 * m - (uint64_t)__builtin_popcountll(m) + level));
			attt_stmt_bind_int64(ins, 2, level);
			attt_stmt_bind_int64(ins, 3, (int64_t)idx);
			attt_stmt_bind_blob(ins, 4, tree + 32 * level, 32);
			assert_int_equal(attt_stmt_step(ins), 0);
		}
	}
	attt_stmt_finalize(st);
	attt_stmt_finalize(ins);
	assert_int_equal(attt_db_exec(t.db, "ALTER TABLE audit_event DROP COLUMN tree; DROP TABLE audit_time; "
					    "CREATE INDEX audit_event_time ON audit_event (time_us); "
					    "DELETE FROM schema_migrations WHERE version = 10"),
			 ATTT_OK);
	assert_int_equal(attt_db_migrate(t.db), ATTT_OK);
	assert_int_equal(q1(t.db, "SELECT COUNT(*) FROM audit_event e JOIN snap_tree s USING (seq) WHERE e.tree = s.tree"),
			 501);
	assert_int_equal(q1(t.db, "SELECT COUNT(*) FROM audit_event"), 501);
	assert_true(q1(t.db, "SELECT COUNT(*) FROM snap_node") > 300);
	assert_int_equal(q1(t.db, "SELECT COUNT(*) FROM (SELECT * FROM audit_node EXCEPT SELECT * FROM snap_node)"), 0);
	assert_int_equal(q1(t.db, "SELECT COUNT(*) FROM (SELECT * FROM snap_node EXCEPT SELECT * FROM audit_node)"), 0);
	assert_int_equal(q1(t.db, "SELECT COUNT(*) FROM (SELECT * FROM audit_time EXCEPT SELECT * FROM snap_time)"), 0);
	assert_int_equal(q1(t.db, "SELECT COUNT(*) FROM (SELECT * FROM snap_time EXCEPT SELECT * FROM audit_time)"), 0);
	assert_int_equal(attt_audit_verify(t.db, v, NULL, 0, &rep), ATTT_OK);
	assert_int_equal(rep.first, 300);
	assert_int_equal(rep.size, 801);
	/* And appending goes on. */
	tdb_append(&t, 3);
	assert_int_equal(attt_audit_verify(t.db, v, NULL, 0, &rep), ATTT_OK);
	assert_int_equal(rep.size, 804);
	attt_audit_verifier_free(v);
	attt_audit_signer_free(s);
	tdb_close(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_audit_query__filters),
		cmocka_unit_test(test_audit_query__period_without_index),
		cmocka_unit_test(test_audit_migrate__0010),
		cmocka_unit_test(test_audit_format__csv_json),
		cmocka_unit_test(test_audit_export__verify),
		cmocka_unit_test(test_audit_archive__keeps_proofs),
	};
	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
