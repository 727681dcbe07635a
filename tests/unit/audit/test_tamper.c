/*
 * test_tamper.c: the tamper campaign of issue 6 (R7.1). A 10,000-event trail with a signed
 * checkpoint kept off the database is altered at random (seeded): a bit flipped in any stored field
 * of an event, in a stored tree node or in a stored checkpoint, one event deleted, two swapped, one
 * inserted, the tail truncated by 1..1000 events. In one trial in ten the attacker also
 * renumbers the events and rebuilds the tree from the altered point on, and deletes the stored checkpoints so that only the off-database
 * copy stands. Every alteration must be detected (first bad sequence number reported), the
 * untouched trail must verify: 100 % detected, 0 false accepts, 0 false alarms. The 1000 trials run
 * as four tests of 250 with different seeds (argument 0..3), so that each stays short under ASan.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <sodium.h>

#include "attt/audit.h"
#include "attt/buf.h"
#include "attt/db.h"
#include "attt/err.h"
#include "helpers.h"

#define EVENTS 10000
#define PARTS 4
#define TRIALS 250 /* per part: the campaign runs as four ctest tests (parts 0..3) side by side */

static unsigned part;

static uint64_t rng_state = 0x9e3779b97f4a7c15u;
static uint64_t rnd(uint64_t n)
{
	/* splitmix64: fixed seed, the campaign is the same on every run. */
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15u);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	z ^= z >> 31;
	return n ? z % n : z;
}

static void sql(struct attt_db *db, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static char last_sql[1024];
static void sql(struct attt_db *db, const char *fmt, ...)
{
	char *q = last_sql;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(q, sizeof(last_sql), fmt, ap);
	va_end(ap);
	if (attt_db_exec(db, q) != ATTT_OK)
		fail_msg("sql failed: %s", q);
}

static const char *const text_cols[] = { "action", "actor_name", "session", "source", "object_type", "object_id",
					 "rule", "summary" };
static const char *const int_cols[] = { "seq", "time_us", "category", "outcome", "actor_account", "actor_person",
					"actor_agency", "agency_id" };

/* Flips one bit of one byte of a text column (NULL becomes ""). */
static void flip_text(struct attt_db *db, uint64_t seq, const char *col)
{
	char q[256];
	struct attt_stmt *st = NULL;
	snprintf(q, sizeof(q), "SELECT %s FROM audit_event WHERE seq = %llu", col, (unsigned long long)seq);
	assert_int_equal(attt_db_prepare(db, q, &st), ATTT_OK);
	assert_int_equal(attt_stmt_step(st), 1);
	const char *v = attt_stmt_text(st, 0);
	char *copy = strdup(v ? v : "");
	size_t n = strlen(copy);
	attt_stmt_finalize(st);
	snprintf(last_sql, sizeof(last_sql), "flip text %s of %llu", col, (unsigned long long)seq);
	if (n > 0 && v) {
		size_t i = rnd(n);
		copy[i] = (char)(copy[i] ^ (1 << rnd(7)));
		if (copy[i] == 0)
			copy[i] = 1;
	}
	snprintf(q, sizeof(q), "UPDATE audit_event SET %s = ? WHERE seq = %llu", col, (unsigned long long)seq);
	assert_int_equal(attt_db_prepare(db, q, &st), ATTT_OK);
	assert_int_equal(attt_stmt_bind_textn(st, 1, copy, n), ATTT_OK);
	assert_int_equal(attt_stmt_step(st), 0);
	attt_stmt_finalize(st);
	free(copy);
}

/* The rebuilt tree of one event row: its leaf and the subtrees it completes, in order of level. */
struct row_tree {
	struct attt_stmt *upd;
	uint8_t tree[62 * 32];
	size_t len;
};

static int put_node(void *ctx, unsigned level, uint64_t index, const struct attt_hash *h)
{
	struct row_tree *t = ctx;
	(void)index;
	if (level == 0)
		t->len = 0;
	memcpy(t->tree + t->len, h->b, 32);
	t->len += 32;
	return ATTT_OK;
}

/* The strong attacker: renumbers the events from `from` on so that the sequence looks whole,
 * recomputes every tree node that covers them, as if nothing happened, and drops the stored
 * checkpoints. Nodes wholly before `from` are untouched, as they would be. */
static void rebuild(struct attt_db *db, uint64_t from)
{
	struct attt_stmt *st = NULL, *ins = NULL;
	struct attt_merkle_stream s;
	struct attt_audit_src src;
	struct row_tree rt = { 0 };
	uint64_t next;

	sql(db, "DELETE FROM audit_checkpoint");
	sql(db, "UPDATE audit_event SET seq = -seq - 1 WHERE seq >= %llu", (unsigned long long)from);
	assert_int_equal(attt_db_prepare(db, "SELECT seq FROM audit_event WHERE seq < 0 ORDER BY seq DESC", &st), ATTT_OK);
	assert_int_equal(attt_db_prepare(db, "UPDATE audit_event SET seq = ? WHERE seq = ?", &ins), ATTT_OK);
	next = from;
	while (attt_stmt_step(st) == 1) {
		attt_stmt_reset(ins);
		attt_stmt_bind_int64(ins, 1, (int64_t)next++);
		attt_stmt_bind_int64(ins, 2, attt_stmt_int64(st, 0));
		assert_int_equal(attt_stmt_step(ins), 0);
	}
	attt_stmt_finalize(st);
	attt_stmt_finalize(ins);
	attt_audit_src_init(&src, db);
	assert_int_equal(attt_merkle_stream_start(&s, &src.src, from), ATTT_OK);
	attt_audit_src_done(&src);
	assert_int_equal(attt_db_prepare(db, "UPDATE audit_event SET tree = ? WHERE seq = ?", &rt.upd), ATTT_OK);
	assert_int_equal(attt_db_prepare(db,
					 "SELECT seq, time_us, category, action, outcome, actor_account, actor_person, "
					 "actor_agency, actor_name, session, source, agency_id, object_type, object_id, rule, "
					 "summary FROM audit_event WHERE seq >= ? ORDER BY seq",
					 &st),
			 ATTT_OK);
	attt_stmt_bind_int64(st, 1, (int64_t)from);
	while (attt_stmt_step(st) == 1) {
		struct attt_audit_record rec;
		struct attt_hash leaf;

		trec_read(st, &rec);
		assert_int_equal(attt_audit_leaf_hash(&rec, &leaf), ATTT_OK);
		assert_int_equal(attt_merkle_stream_add(&s, &leaf, put_node, &rt), ATTT_OK);
		attt_stmt_reset(rt.upd);
		attt_stmt_bind_blob(rt.upd, 1, rt.tree, rt.len);
		attt_stmt_bind_int64(rt.upd, 2, rec.seq);
		assert_int_equal(attt_stmt_step(rt.upd), 0);
	}
	attt_stmt_finalize(st);
	attt_stmt_finalize(rt.upd);
	/* ... and the time spans of the blocks from `from` on. */
	sql(db, "DELETE FROM audit_time WHERE block >= %llu >> 8", (unsigned long long)from);
	sql(db,
	    "INSERT INTO audit_time SELECT seq >> 8, MIN(time_us), MAX(time_us) FROM audit_event WHERE seq >= "
	    "(%llu >> 8) << 8 GROUP BY seq >> 8 HAVING COUNT(*) = 256",
	    (unsigned long long)from);
}

enum kind { FLIP_EVENT, FLIP_NODE, FLIP_CHECKPOINT, DELETE, SWAP, SWAP_ROWS, INSERT, TRUNCATE, KINDS };
static const char *const kind_names[] = { "flip-event", "flip-node", "flip-checkpoint", "delete",
					  "swap",       "swap-rows", "insert",          "truncate" };

static void tamper(struct attt_db *db, enum kind k, bool strong)
{
	uint64_t a = rnd(EVENTS), b = a;

	switch (k) {
	case FLIP_EVENT:
		if (rnd(2)) {
			flip_text(db, a, text_cols[rnd(8)]);
		} else {
			const char *col = int_cols[rnd(8)];
			/* seq: flipping into another existing seq would collide; flip a high bit instead. */
			unsigned bit = strcmp(col, "seq") == 0 ? 20 + (unsigned)rnd(40) : (unsigned)rnd(63);
			/* A renumbering attacker would undo a change of seq itself: that is no alteration. */
			if (strcmp(col, "seq") == 0)
				strong = false;
			sql(db, "UPDATE audit_event SET %s = (%s | %llu) - (%s & %llu) WHERE seq = %llu", col, col,
			    1ull << bit, col, 1ull << bit, (unsigned long long)a);
		}
		break;
	case FLIP_NODE: {
		/* Any stored node (leaves or inner nodes, in the tree column of the event that completed
		 * them), or one in four times the time span of a block (audit_time). */
		unsigned level = (unsigned)rnd(13);
		uint64_t idx = rnd((EVENTS >> level) ? (EVENTS >> level) : 1), last = ((idx + 1) << level) - 1;
		unsigned byte = (unsigned)rnd(32), bit = (unsigned)rnd(8);
		struct attt_stmt *st = NULL;
		char q[256];
		if (rnd(4) == 0) {
			const char *col = rnd(2) ? "min_us" : "max_us";
			unsigned long long mask = 1ull << rnd(40);
			sql(db, "UPDATE audit_time SET %s = (%s | %llu) - (%s & %llu) WHERE block = %llu", col, col, mask, col,
			    mask, (unsigned long long)rnd(EVENTS >> 8));
			strong = false;
			break;
		}
		snprintf(q, sizeof(q), "SELECT tree FROM audit_event WHERE seq = %llu", (unsigned long long)last);
		assert_int_equal(attt_db_prepare(db, q, &st), ATTT_OK);
		assert_int_equal(attt_stmt_step(st), 1);
		size_t n = 0;
		uint8_t h[62 * 32];
		const void *p = attt_stmt_blob(st, 0, &n);
		assert_true(n >= 32 * (level + 1) && n <= sizeof(h));
		memcpy(h, p, n);
		attt_stmt_finalize(st);
		h[32 * level + byte] ^= (uint8_t)(1 << bit);
		snprintf(q, sizeof(q), "UPDATE audit_event SET tree = ? WHERE seq = %llu", (unsigned long long)last);
		assert_int_equal(attt_db_prepare(db, q, &st), ATTT_OK);
		attt_stmt_bind_blob(st, 1, h, n);
		assert_int_equal(attt_stmt_step(st), 0);
		attt_stmt_finalize(st);
		strong = false; /* a rebuild would repair it */
		break;
	}
	case FLIP_CHECKPOINT: {
		struct attt_stmt *st = NULL;
		assert_int_equal(attt_db_prepare(db, "SELECT size, note FROM audit_checkpoint ORDER BY random() LIMIT 1", &st),
				 ATTT_OK);
		assert_int_equal(attt_stmt_step(st), 1);
		int64_t size = attt_stmt_int64(st, 0);
		char *note = strdup(attt_stmt_text(st, 1));
		attt_stmt_finalize(st);
		size_t i = rnd(strlen(note));
		note[i] = (char)(note[i] ^ (1 << rnd(7)));
		if (note[i] == 0)
			note[i] = 1;
		assert_int_equal(attt_db_prepare(db, "UPDATE audit_checkpoint SET note = ? WHERE size = ?", &st), ATTT_OK);
		attt_stmt_bind_text(st, 1, note);
		attt_stmt_bind_int64(st, 2, size);
		assert_int_equal(attt_stmt_step(st), 0);
		attt_stmt_finalize(st);
		free(note);
		strong = false;
		break;
	}
	case DELETE:
		sql(db, "DELETE FROM audit_event WHERE seq = %llu", (unsigned long long)a);
		break;
	case SWAP:
	case SWAP_ROWS:
		do
			b = rnd(EVENTS);
		while (b == a);
		/* SWAP exchanges the rows' numbers (contents and their stored trees change places);
		 * SWAP_ROWS puts the stored trees back at their numbers, so only the contents move. */
		sql(db, "UPDATE audit_event SET seq = -1 WHERE seq = %llu", (unsigned long long)a);
		sql(db, "UPDATE audit_event SET seq = %llu WHERE seq = %llu", (unsigned long long)a, (unsigned long long)b);
		sql(db, "UPDATE audit_event SET seq = %llu WHERE seq = -1", (unsigned long long)b);
		if (k == SWAP_ROWS) {
			sql(db, "CREATE TEMP TABLE swap_tree AS SELECT seq, tree FROM audit_event WHERE seq IN (%llu, %llu)",
			    (unsigned long long)a, (unsigned long long)b);
			sql(db,
			    "UPDATE audit_event SET tree = (SELECT tree FROM swap_tree s WHERE s.seq = %llu + %llu - "
			    "audit_event.seq) WHERE seq IN (%llu, %llu)",
			    (unsigned long long)a, (unsigned long long)b, (unsigned long long)a, (unsigned long long)b);
			sql(db, "DROP TABLE swap_tree");
		}
		break;
	case INSERT:
		/* Shift the events from a on by one and put a forged event at a. */
		sql(db, "UPDATE audit_event SET seq = -seq - 1 WHERE seq >= %llu", (unsigned long long)a);
		sql(db, "UPDATE audit_event SET seq = -seq WHERE seq < 0");
		sql(db,
		    "INSERT INTO audit_event (seq, time_us, category, action, outcome, actor_account, actor_person, "
		    "actor_agency, agency_id) VALUES (%llu, 1795000000000000, 2, 'agency.delete', 0, 1, 1, 1, 1)",
		    (unsigned long long)a);
		break;
	case TRUNCATE: {
		uint64_t k2 = 1 + rnd(1000), keep = EVENTS - k2;
		sql(db, "DELETE FROM audit_event WHERE seq >= %llu", (unsigned long long)keep);
		/* Remove the nodes the cut events completed and the checkpoints beyond: a clean cut. */
		sql(db, "DELETE FROM audit_time WHERE block >= %llu >> 8", (unsigned long long)keep);
		sql(db, "DELETE FROM audit_checkpoint WHERE size > %llu", (unsigned long long)keep);
		a = b = keep;
		break;
	}
	default:
		fail();
	}
	if (strong)
		rebuild(db, a < b ? a : b);
}

static void test_audit_verify__tamper_campaign(void **state)
{
	struct tdb t;
	struct attt_audit_signer *s = NULL;
	struct attt_audit_verifier *v = NULL;
	struct attt_audit_report rep;
	uint8_t seed[32] = { 1, 2, 3 };
	char vkey[ATTT_AUDIT_VKEY_MAX], *offdb = NULL;
	unsigned detected[KINDS] = { 0 }, tried[KINDS] = { 0 };
	long long ns_kind[KINDS] = { 0 }, ns_tamper = 0, ns_verify = 0, ns_rollback = 0;

	(void)state;
	tdb_open(&t);
	assert_int_equal(attt_audit_signer_new("attt.test/tamper", seed, &s), ATTT_OK);
	assert_int_equal(attt_audit_signer_vkey(s, vkey, sizeof(vkey)), ATTT_OK);
	assert_int_equal(attt_audit_verifier_parse(vkey, &v), ATTT_OK);
	/* The trail: 10,000 events, a checkpoint every 1000 as the ticker would make them. */
	assert_int_equal(attt_db_exec(t.db, "PRAGMA synchronous=OFF; PRAGMA cache_size=-65536"), ATTT_OK);
	for (int i = 0; i < 10; i++) {
		assert_int_equal(attt_db_begin(t.db), ATTT_OK);
		for (int j = 0; j < EVENTS / 10; j++) {
			char obj[32];
			snprintf(obj, sizeof(obj), "%d", i * 1000 + j);
			struct attt_actor a = { .account_id = j % 9 + 1, .username = "cb", .session = "s", .source = "10.1.2.3" };
			struct attt_audit_event ev = { .category = (enum attt_audit_category)(j % 5 + 1),
						       .action = "person.update", .object_type = "person", .object_id = obj,
						       .agency_id = j % 4, .rule = j % 2 ? "R7.2" : NULL,
						       .summary = j % 3 ? "{\"phone\":[\"0912\",\"0913\"]}" : NULL };
			t.now += 1000;
			assert_int_equal(attt_audit_append(t.db, &t.clock, &a, &ev, NULL), ATTT_OK);
		}
		assert_int_equal(attt_db_commit(t.db), ATTT_OK);
		free(offdb);
		offdb = NULL;
		assert_int_equal(attt_audit_checkpoint(t.db, &t.clock, s, &offdb, NULL), ATTT_OK);
	}
	const char *notes[1] = { offdb };
	assert_int_equal(attt_audit_verify(t.db, v, notes, 1, &rep), ATTT_OK);
	assert_int_equal(rep.first_bad, -1);
	assert_int_equal(rep.events, EVENTS);
	assert_int_equal(rep.checkpoints, 10);
	assert_int_equal(rep.signed_size, EVENTS);

	/* The attacker is not bound by any constraint of the schema. */
	assert_int_equal(attt_db_exec(t.db, "PRAGMA ignore_check_constraints=ON"), ATTT_OK);
	for (unsigned trial = 0; trial < TRIALS; trial++) {
		enum kind k = (enum kind)(trial % KINDS);
		bool strong = rnd(10) == 0;
		struct timespec t0, t1, t2, t3;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		assert_int_equal(attt_db_begin(t.db), ATTT_OK);
		tamper(t.db, k, strong);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		int r = attt_audit_verify(t.db, v, notes, 1, &rep);
		clock_gettime(CLOCK_MONOTONIC, &t2);
		assert_int_equal(attt_db_rollback(t.db), ATTT_OK);
		clock_gettime(CLOCK_MONOTONIC, &t3);
		ns_tamper += (t1.tv_sec - t0.tv_sec) * 1000000000LL + t1.tv_nsec - t0.tv_nsec;
		ns_kind[k] += (t2.tv_sec - t0.tv_sec) * 1000000000LL + t2.tv_nsec - t0.tv_nsec;
		ns_verify += (t2.tv_sec - t1.tv_sec) * 1000000000LL + t2.tv_nsec - t1.tv_nsec;
		ns_rollback += (t3.tv_sec - t2.tv_sec) * 1000000000LL + t3.tv_nsec - t2.tv_nsec;
		tried[k]++;
		if (r == ATTT_E_CORRUPT && rep.first_bad >= 0)
			detected[k]++;
		else
			fail_msg("trial %u (%s%s) not detected: r=%d, last sql: %s", trial, kind_names[k],
				 strong ? ", strong" : "", r, last_sql);
		/* Every 50 trials: the untouched trail still verifies (no false alarm). */
		if (trial % 50 == 0) {
			assert_int_equal(attt_audit_verify(t.db, v, notes, 1, &rep), ATTT_OK);
			assert_int_equal(rep.first_bad, -1);
		}
	}
	print_message("  tamper %.1f ms, verify %.1f ms, rollback %.1f ms per trial\n", ns_tamper / 1e6 / TRIALS,
		      ns_verify / 1e6 / TRIALS, ns_rollback / 1e6 / TRIALS);
	for (unsigned k = 0; k < KINDS; k++) {
		print_message("  %-16s %u/%u detected (%.1f ms each)\n", kind_names[k], detected[k], tried[k],
			      tried[k] ? ns_kind[k] / 1e6 / tried[k] : 0.0);
		assert_int_equal(detected[k], tried[k]);
	}
	free(offdb);
	attt_audit_verifier_free(v);
	attt_audit_signer_free(s);
	tdb_close(&t);
}

/* R7.1: a truncated tail is reported at the first missing sequence number; without any
 * off-database checkpoint the stored ones catch a plain deletion of events. */
static void test_audit_verify__first_bad(void **state)
{
	struct tdb t;
	struct attt_audit_signer *s = NULL;
	struct attt_audit_verifier *v = NULL;
	struct attt_audit_report rep;
	uint8_t seed[32] = { 9 };
	char vkey[ATTT_AUDIT_VKEY_MAX], *note = NULL;

	(void)state;
	tdb_open(&t);
	assert_int_equal(attt_audit_signer_new("attt.test/a", seed, &s), ATTT_OK);
	assert_int_equal(attt_audit_signer_vkey(s, vkey, sizeof(vkey)), ATTT_OK);
	assert_int_equal(attt_audit_verifier_parse(vkey, &v), ATTT_OK);
	tdb_append(&t, 100);
	assert_int_equal(attt_audit_checkpoint(t.db, &t.clock, s, &note, NULL), ATTT_OK);
	const char *notes[1] = { note };
	/* Truncate the last 10 events cleanly, drop the stored checkpoint: only the copy remains. */
	assert_int_equal(attt_db_begin(t.db), ATTT_OK);
	sql(t.db, "DELETE FROM audit_event WHERE seq >= 90");
	sql(t.db, "DELETE FROM audit_checkpoint");
	assert_int_equal(attt_audit_verify(t.db, v, NULL, 0, &rep), ATTT_OK); /* undetectable without the copy */
	assert_int_equal(attt_audit_verify(t.db, v, notes, 1, &rep), ATTT_E_CORRUPT);
	assert_int_equal(rep.first_bad, 90);
	assert_non_null(strstr(rep.reason, "truncated"));
	assert_int_equal(attt_db_rollback(t.db), ATTT_OK);
	/* Event 42 altered: reported at 42. */
	assert_int_equal(attt_db_begin(t.db), ATTT_OK);
	sql(t.db, "UPDATE audit_event SET outcome = 2 WHERE seq = 42");
	assert_int_equal(attt_audit_verify(t.db, v, notes, 1, &rep), ATTT_E_CORRUPT);
	assert_int_equal(rep.first_bad, 42);
	assert_int_equal(attt_db_rollback(t.db), ATTT_OK);
	/* A checkpoint by another key is not accepted as evidence. */
	struct attt_audit_signer *evil = NULL;
	uint8_t seed2[32] = { 10 };
	char *forged = NULL;
	assert_int_equal(attt_audit_signer_new("attt.test/a", seed2, &evil), ATTT_OK);
	assert_int_equal(attt_db_begin(t.db), ATTT_OK);
	sql(t.db, "DELETE FROM audit_checkpoint");
	assert_int_equal(attt_db_commit(t.db), ATTT_OK);
	assert_int_equal(attt_audit_checkpoint(t.db, &t.clock, evil, &forged, NULL), ATTT_OK);
	assert_int_equal(attt_audit_verify(t.db, v, NULL, 0, &rep), ATTT_E_CORRUPT);
	assert_int_equal(rep.first_bad, 0);
	free(forged);
	free(note);
	attt_audit_signer_free(evil);
	attt_audit_verifier_free(v);
	attt_audit_signer_free(s);
	tdb_close(&t);
}

int main(int argc, char **argv)
{
	/* Part 0..3 of the campaign, each with its own seed: 4 x 250 trials per run. */
	if (argc > 1 && argv[1][0] >= '0' && argv[1][0] < '0' + PARTS && argv[1][1] == 0)
		part = (unsigned)(argv[1][0] - '0');
	rng_state += part * 0x632be59bd9b4e019u;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_audit_verify__first_bad),
		cmocka_unit_test(test_audit_verify__tamper_campaign),
	};
	const struct CMUnitTest campaign_only[] = {
		cmocka_unit_test(test_audit_verify__tamper_campaign),
	};
	if (sodium_init() < 0)
		return 1;
	if (part != 0) /* the fixed cases run once */
		return cmocka_run_group_tests(campaign_only, NULL, NULL);
	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
