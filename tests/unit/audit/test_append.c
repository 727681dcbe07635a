/*
 * test_append.c: attt_audit_append (R7.1, R7.2): events are stored with their leaf hash and the
 * tree inside the caller's transaction, roll back with it, are refused outside one, and refuse
 * invalid input and secrets in the summary without changing anything.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "attt/audit.h"
#include "attt/buf.h"
#include "attt/err.h"
#include "attt/limits.h"
#include "helpers.h"

static const struct attt_actor actor = { .account_id = 3, .person_id = 4, .agency_id = 5, .username = "an",
					 .session = "s1", .source = "10.0.0.1" };

static int append1(struct tdb *t, const struct attt_audit_event *ev, int64_t *seq)
{
	int r = attt_db_begin(t->db);
	assert_int_equal(r, ATTT_OK);
	r = attt_audit_append(t->db, &t->clock, &actor, ev, seq);
	if (r < 0)
		attt_db_rollback(t->db);
	else
		assert_int_equal(attt_db_commit(t->db), ATTT_OK);
	return r;
}

/* R7.1: seq is the leaf index; the stored tree's root is the RFC 9162 root of the leaf hashes of the
 * canonical bytes. */
static void test_audit_append__tree(void **state)
{
	struct tdb t;
	struct attt_merkle_stream s;
	struct attt_hash root, want, proof[ATTT_AUDIT_MAX_PROOF], leaf;
	uint64_t size;
	size_t n;

	(void)state;
	tdb_open(&t);
	assert_int_equal(attt_audit_size(t.db, &size), ATTT_OK);
	assert_int_equal(size, 0);
	struct attt_audit_event ev = { .category = ATTT_AUDIT_DATA, .action = "agency.create", .object_type = "agency",
				       .object_id = "1", .agency_id = 5, .rule = "R7.2",
				       .summary = "{\"name\":\"Sở Nội vụ\"}" };
	int64_t seq = -1;
	attt_merkle_stream_init(&s);
	for (int i = 0; i < 37; i++) {
		assert_int_equal(append1(&t, &ev, &seq), ATTT_OK);
		assert_int_equal(seq, i);
		struct attt_audit_record rec = { .seq = i, .time_us = t.now, .category = ATTT_AUDIT_DATA,
						 .action = "agency.create", .outcome = 0, .actor_account = 3,
						 .actor_person = 4, .actor_agency = 5, .actor_name = "an", .session = "s1",
						 .source = "10.0.0.1", .agency_id = 5, .object_type = "agency",
						 .object_id = "1", .rule = "R7.2", .summary = "{\"name\":\"Sở Nội vụ\"}" };
		assert_int_equal(attt_audit_leaf_hash(&rec, &leaf), ATTT_OK);
		assert_int_equal(attt_merkle_stream_add(&s, &leaf, NULL, NULL), ATTT_OK);
		attt_merkle_stream_root(&s, &want);
		assert_int_equal(attt_audit_root(t.db, (uint64_t)i + 1, &root), ATTT_OK);
		assert_memory_equal(root.b, want.b, 32);
	}
	assert_int_equal(attt_audit_size(t.db, &size), ATTT_OK);
	assert_int_equal(size, 37);
	for (uint64_t i = 0; i < 37; i++) {
		assert_int_equal(attt_audit_prove_inclusion(t.db, i, 0, &leaf, proof, &n), ATTT_OK);
		assert_int_equal(attt_merkle_verify_inclusion(i, 37, leaf.b, 32, proof, n, root.b, 32), ATTT_OK);
	}
	for (uint64_t s1 = 1; s1 <= 37; s1++) {
		struct attt_hash r1;
		assert_int_equal(attt_audit_root(t.db, s1, &r1), ATTT_OK);
		assert_int_equal(attt_audit_prove_consistency(t.db, s1, 37, proof, &n), ATTT_OK);
		assert_int_equal(attt_merkle_verify_consistency(s1, 37, proof, n, r1.b, 32, root.b, 32), ATTT_OK);
	}
	assert_int_equal(attt_audit_prove_inclusion(t.db, 37, 0, &leaf, proof, &n), ATTT_E_RANGE);
	assert_int_equal(attt_audit_prove_consistency(t.db, 1, 38, proof, &n), ATTT_E_RANGE);
	assert_int_equal(attt_audit_root(t.db, 38, &root), ATTT_E_RANGE);
	tdb_close(&t);
}

/* R7.1: the node store's layout: rows keyed by post-order position, so that each append writes at
 * the end of one b-tree. The expected order is simulated here (leaf, then each subtree it
 * completes), independently of the module's closed formula; the size comes from the newest row. */
static void test_audit_append__postorder(void **state)
{
	struct tdb t;
	struct attt_stmt *st = NULL;
	uint64_t size;
	int64_t pos = 0;
	unsigned want_level[400], n_want = 0;
	uint64_t want_idx[400];

	(void)state;
	tdb_open(&t);
	tdb_append(&t, 150);
	for (uint64_t leaf = 0; leaf < 150; leaf++) {
		uint64_t idx = leaf;
		unsigned level = 0;
		want_level[n_want] = 0;
		want_idx[n_want++] = leaf;
		while (idx & 1) {
			idx >>= 1;
			level++;
			want_level[n_want] = level;
			want_idx[n_want++] = idx;
		}
	}
	assert_int_equal(attt_db_prepare(t.db, "SELECT pos, level, idx FROM audit_node ORDER BY pos", &st), ATTT_OK);
	while (attt_stmt_step(st) == 1) {
		assert_true(pos < (int64_t)n_want);
		assert_int_equal(attt_stmt_int64(st, 0), pos);
		assert_int_equal(attt_stmt_int64(st, 1), want_level[pos]);
		assert_int_equal(attt_stmt_int64(st, 2), (int64_t)want_idx[pos]);
		pos++;
	}
	attt_stmt_finalize(st);
	assert_int_equal(pos, (int64_t)n_want);
	assert_int_equal(attt_audit_size(t.db, &size), ATTT_OK);
	assert_int_equal(size, 150);
	tdb_close(&t);
}

/* R7.1: no change without its event: the event rolls back with the transaction, and append outside
 * a transaction is refused. */
static void test_audit_append__transactional(void **state)
{
	struct tdb t;
	uint64_t size;
	struct attt_audit_event ev = { .category = ATTT_AUDIT_AUTH, .action = "auth.login" };

	(void)state;
	tdb_open(&t);
	assert_int_equal(attt_audit_append(t.db, &t.clock, &actor, &ev, NULL), ATTT_E_STATE);
	assert_int_equal(attt_db_begin(t.db), ATTT_OK);
	for (int i = 0; i < 5; i++)
		assert_int_equal(attt_audit_append(t.db, &t.clock, &actor, &ev, NULL), ATTT_OK);
	assert_int_equal(attt_db_rollback(t.db), ATTT_OK);
	assert_int_equal(attt_audit_size(t.db, &size), ATTT_OK);
	assert_int_equal(size, 0);
	assert_int_equal(append1(&t, &ev, NULL), ATTT_OK);
	assert_int_equal(attt_audit_size(t.db, &size), ATTT_OK);
	assert_int_equal(size, 1);
	/* NULL actor is the system. */
	assert_int_equal(attt_db_begin(t.db), ATTT_OK);
	assert_int_equal(attt_audit_append(t.db, &t.clock, NULL, &ev, NULL), ATTT_OK);
	assert_int_equal(attt_db_commit(t.db), ATTT_OK);
	tdb_close(&t);
}

/* R7.2: only the five categories and three outcomes; an action is required; the summary is a JSON
 * object without secrets; nothing is stored for a refused event. */
static void test_audit_append__invalid(void **state)
{
	struct tdb t;
	uint64_t size;
	struct attt_audit_event ev;

	(void)state;
	tdb_open(&t);
	ev = (struct attt_audit_event){ .category = 0, .action = "x" };
	assert_int_equal(append1(&t, &ev, NULL), ATTT_E_INVAL);
	ev = (struct attt_audit_event){ .category = 6, .action = "x" };
	assert_int_equal(append1(&t, &ev, NULL), ATTT_E_INVAL);
	ev = (struct attt_audit_event){ .category = ATTT_AUDIT_DATA, .action = NULL };
	assert_int_equal(append1(&t, &ev, NULL), ATTT_E_INVAL);
	ev = (struct attt_audit_event){ .category = ATTT_AUDIT_DATA, .action = "" };
	assert_int_equal(append1(&t, &ev, NULL), ATTT_E_INVAL);
	ev = (struct attt_audit_event){ .category = ATTT_AUDIT_DATA, .action = "x", .outcome = 3 };
	assert_int_equal(append1(&t, &ev, NULL), ATTT_E_INVAL);
	ev = (struct attt_audit_event){ .category = ATTT_AUDIT_DATA, .action = "x", .summary = "[1]" };
	assert_int_equal(append1(&t, &ev, NULL), ATTT_E_INVAL);
	ev = (struct attt_audit_event){ .category = ATTT_AUDIT_DATA, .action = "x", .summary = "{\"a\":" };
	assert_int_equal(append1(&t, &ev, NULL), ATTT_E_INVAL);
	ev = (struct attt_audit_event){ .category = ATTT_AUDIT_ACCESS, .action = "user.update",
					.summary = "{\"changes\":{\"password\":\"hunter2\"}}" };
	assert_int_equal(append1(&t, &ev, NULL), ATTT_E_INVAL);
	ev = (struct attt_audit_event){ .category = ATTT_AUDIT_DATA, .action = "x\xff" };
	assert_int_equal(append1(&t, &ev, NULL), ATTT_E_INVAL);
	assert_int_equal(attt_audit_size(t.db, &size), ATTT_OK);
	assert_int_equal(size, 0);
	tdb_close(&t);
}

/* The canonical bytes are fixed: this vector is in docs/audit.md. */
static void test_audit_canonical__vector(void **state)
{
	struct attt_audit_record rec = { .seq = 1, .time_us = 2, .category = 3, .action = "a", .outcome = 0,
					 .actor_account = -1, .summary = "{}" };
	struct attt_buf b;
	static const uint8_t want[] = {
		0x01, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 1, 'a',
		0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0,
		0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0, 0, 0, 2, '{', '}',
	};
	(void)state;
	attt_buf_init(&b, 4096);
	assert_int_equal(attt_audit_canonical(&rec, &b), ATTT_OK);
	assert_int_equal(b.len, sizeof(want));
	assert_memory_equal(b.data, want, sizeof(want));
	attt_buf_done(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_audit_append__tree),
		cmocka_unit_test(test_audit_append__postorder),
		cmocka_unit_test(test_audit_append__transactional),
		cmocka_unit_test(test_audit_append__invalid),
		cmocka_unit_test(test_audit_canonical__vector),
	};
	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
