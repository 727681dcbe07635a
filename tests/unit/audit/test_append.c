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
#include <jansson.h>
#include <sodium.h>

#include "attt/audit.h"
#include "attt/buf.h"
#include "attt/err.h"
#include "attt/limits.h"
#include "attt/str.h"
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

/* R7.1: the node store's layout: each event's row carries its leaf and every perfect subtree it
 * completes (one audit page per commit). The nodes are recomputed here from the leaves with the
 * stream (independently of the module's append), the size comes from the newest row, audit_node
 * stays empty (it only holds archived events' nodes) and audit_time has the span of each complete
 * block of 256 events. */
struct want_nodes {
	uint8_t tree[300][8 * 32];
	size_t len[300];
};

static int collect(void *ctx, unsigned level, uint64_t index, const struct attt_hash *h)
{
	struct want_nodes *w = ctx;
	uint64_t last = ((index + 1) << level) - 1;
	assert_true(last < 300);
	assert_int_equal(w->len[last], 32 * level);
	memcpy(w->tree[last] + w->len[last], h->b, 32);
	w->len[last] += 32;
	return ATTT_OK;
}

static void test_audit_append__tree_rows(void **state)
{
	struct tdb t;
	struct attt_stmt *st = NULL;
	struct attt_merkle_stream s;
	static struct want_nodes w;
	uint64_t size, seq = 0;

	(void)state;
	tdb_open(&t);
	tdb_append(&t, 300);
	memset(&w, 0, sizeof(w));
	attt_merkle_stream_init(&s);
	assert_int_equal(attt_db_prepare(t.db,
					 "SELECT seq, time_us, category, action, outcome, actor_account, actor_person, "
					 "actor_agency, actor_name, session, source, agency_id, object_type, object_id, rule, "
					 "summary, tree FROM audit_event ORDER BY seq",
					 &st),
			 ATTT_OK);
	while (attt_stmt_step(st) == 1) {
		struct attt_audit_record rec;
		struct attt_hash leaf;
		size_t n = 0;
		const void *tree;

		trec_read(st, &rec);
		assert_int_equal(rec.seq, (int64_t)seq);
		assert_int_equal(attt_audit_leaf_hash(&rec, &leaf), ATTT_OK);
		assert_int_equal(attt_merkle_stream_add(&s, &leaf, collect, &w), ATTT_OK);
		tree = attt_stmt_blob(st, 16, &n);
		assert_int_equal(n, w.len[seq]);
		assert_memory_equal(tree, w.tree[seq], n);
		seq++;
	}
	attt_stmt_finalize(st);
	assert_int_equal(seq, 300);
	assert_int_equal(w.len[255], 9 * 32); /* leaf 255 completes levels 1..8 */
	assert_int_equal(attt_audit_size(t.db, &size), ATTT_OK);
	assert_int_equal(size, 300);
	assert_int_equal(attt_db_prepare(t.db, "SELECT COUNT(*) FROM audit_node", &st), ATTT_OK);
	assert_int_equal(attt_stmt_step(st), 1);
	assert_int_equal(attt_stmt_int64(st, 0), 0);
	attt_stmt_finalize(st);
	assert_int_equal(attt_db_prepare(t.db,
					 "SELECT block, min_us = (SELECT MIN(time_us) FROM audit_event WHERE seq < 256), "
					 "max_us = (SELECT MAX(time_us) FROM audit_event WHERE seq < 256) FROM audit_time",
					 &st),
			 ATTT_OK);
	assert_int_equal(attt_stmt_step(st), 1);
	assert_int_equal(attt_stmt_int64(st, 0), 0);
	assert_int_equal(attt_stmt_int64(st, 1), 1);
	assert_int_equal(attt_stmt_int64(st, 2), 1);
	assert_int_equal(attt_stmt_step(st), 0); /* block 1 (256..511) is not complete */
	attt_stmt_finalize(st);
	tdb_close(&t);
}

/* The reference for summaries (R7.2): a JSON object as json_loads reads it without duplicate
 * keys, no secret key at any depth (at most 32 levels). */
static bool ref_secret(json_t *j, int depth)
{
	static const char *const bad[] = { "password", "passwd", "secret", "private_key", "seed", "totp_secret",
					   "token_secret", "api_token" };
	const char *k;
	json_t *v;
	size_t i;

	if (depth > 32)
		return true;
	if (json_is_object(j)) {
		json_object_foreach(j, k, v) {
			for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
				if (strcmp(k, bad[i]) == 0)
					return true;
			if (ref_secret(v, depth + 1))
				return true;
		}
	} else if (json_is_array(j)) {
		json_array_foreach(j, i, v)
			if (ref_secret(v, depth + 1))
				return true;
	}
	return false;
}

static bool ref_summary_ok(const char *s)
{
	json_error_t err;
	json_t *j = json_loads(s, JSON_REJECT_DUPLICATES, &err);
	bool ok = j && json_is_object(j) && !ref_secret(j, 0);
	json_decref(j);
	return ok;
}

/* R7.2: the summary check (a fast scan for plain summaries, the full parse for the rest) accepts
 * exactly what the reference does, over seeded random mutations of summaries near the edges:
 * escapes, secret keys, duplicates, reals, nesting, trailing bytes. */
static void test_audit_append__summary_check(void **state)
{
	static const char *const seeds[] = {
		"{\"name\":[\"Nguyễn Văn An\",\"Trần Thị Bình\"],\"agency_id\":5,\"phone\":\"0912345678\"}",
		"{\"a\":{\"b\":[1,-2,true,false,null,{\"passwor\":\"x\"}]},\"c\":\"tab\\tq\\\"\\\\\"}",
		"{\"pass\\u0077ord\":1,\"k\":1.5e3,\"n\":123456789012345678901}",
		"{\"a/b\":1,\"a\\/b\":2,\"x\":0,\"y\":-0}",
		"{\"seed\":\"\",\"token_secre\":\"t\",\"deep\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}",
		" { \"spaces\" : [ 1 , 2 ] } ",
		"{\"k\":\"\\ud800\",\"e\":\"\\u00e9\"}",
	};
	static const char alphabet[] = "{}[]\":,\\u0123456789.eE-+ tfnrdsawop_\t\n\xc3\xa9";
	struct tdb t;
	char buf[512];
	unsigned agree = 0, accepted = 0, refused = 0;
	uint64_t x = 0x2545f4914f6cdd1dull;

	(void)state;
	tdb_open(&t);
	assert_int_equal(attt_db_begin(t.db), ATTT_OK);
	for (unsigned i = 0; i < 6000; i++) {
		const char *seed = seeds[i % (sizeof(seeds) / sizeof(seeds[0]))];
		size_t n = strlen(seed);
		memcpy(buf, seed, n + 1);
		for (unsigned m = 0; m < 1 + i % 3 && i >= 7; m++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			size_t at = (size_t)(x % (n + 1));
			char c = alphabet[(x >> 32) % (sizeof(alphabet) - 1)];
			switch ((x >> 48) % 3) {
			case 0: /* insert */
				if (n + 1 < sizeof(buf)) {
					memmove(buf + at + 1, buf + at, n - at + 1);
					buf[at] = c;
					n++;
				}
				break;
			case 1: /* delete */
				if (at < n) {
					memmove(buf + at, buf + at + 1, n - at);
					n--;
				}
				break;
			default: /* replace */
				if (at < n)
					buf[at] = c;
			}
		}
		struct attt_audit_event ev = { .category = ATTT_AUDIT_DATA, .action = "x", .summary = buf };
		bool ok = attt_audit_append(t.db, &t.clock, &actor, &ev, NULL) == ATTT_OK;
		bool want = attt_utf8_valid(buf, n) && ref_summary_ok(buf);
		if (ok != want)
			fail_msg("summary %s: append says %d, the reference %d", buf, ok, want);
		agree++;
		accepted += ok;
		refused += !ok;
	}
	assert_int_equal(attt_db_rollback(t.db), ATTT_OK);
	/* Both answers occur often enough for the comparison to mean something. */
	assert_true(accepted > 500 && refused > 500);
	print_message("  %u summaries: %u accepted, %u refused, all as the reference\n", agree, accepted, refused);
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
		cmocka_unit_test(test_audit_append__tree_rows),
		cmocka_unit_test(test_audit_append__transactional),
		cmocka_unit_test(test_audit_append__invalid),
		cmocka_unit_test(test_audit_append__summary_check),
		cmocka_unit_test(test_audit_canonical__vector),
	};
	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
