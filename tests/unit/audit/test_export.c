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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_audit_query__filters),
		cmocka_unit_test(test_audit_format__csv_json),
		cmocka_unit_test(test_audit_export__verify),
		cmocka_unit_test(test_audit_archive__keeps_proofs),
	};
	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
