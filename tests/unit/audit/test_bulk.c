/*
 * test_bulk.c: bulk events (R7.2): a bulk operation writes one event per agency naming the set of
 * objects it changed, in the caller's transaction; sets are exact ("{...}", sorted, without
 * duplicates, as ranges), split when too long for one event, written early when memory would grow;
 * a query for one object finds the bulk events whose set holds it and nothing else.
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
#include "attt/db.h"
#include "attt/err.h"
#include "attt/limits.h"
#include "helpers.h"

static const struct attt_actor actor = { .account_id = 3, .person_id = 4, .agency_id = 5, .username = "an",
					 .session = "s1", .source = "10.0.0.1" };

static const struct attt_audit_event import_ev = { .category = ATTT_AUDIT_DATA, .action = "person.import",
						   .object_type = "person", .rule = "R1.2",
						   .summary = "{\"file\":\"people.csv\"}" };

struct row {
	int64_t agency;
	char object_id[ATTT_AUDIT_MAX_FIELD + 1];
	int64_t count;
	char file[32];
};

/* The stored bulk events, in seq order. */
static size_t rows(struct tdb *t, struct row *out, size_t max)
{
	struct attt_stmt *st = NULL;
	size_t n = 0;

	assert_int_equal(attt_db_prepare(t->db,
					 "SELECT agency_id, object_id, summary FROM audit_event WHERE action = "
					 "'person.import' ORDER BY seq",
					 &st),
			 ATTT_OK);
	while (attt_stmt_step(st) == 1) {
		json_t *j = json_loads(attt_stmt_text(st, 2), 0, NULL);
		assert_true(n < max);
		assert_non_null(j);
		out[n].agency = attt_stmt_int64(st, 0);
		assert_true(strlen(attt_stmt_text(st, 1)) <= ATTT_AUDIT_MAX_FIELD);
		snprintf(out[n].object_id, sizeof(out[n].object_id), "%s", attt_stmt_text(st, 1));
		out[n].count = json_integer_value(json_object_get(j, "count"));
		snprintf(out[n].file, sizeof(out[n].file), "%s", json_string_value(json_object_get(j, "file")));
		json_decref(j);
		n++;
	}
	attt_stmt_finalize(st);
	return n;
}

/* R7.2: ids in any order and repeated become one sorted set of ranges per agency. */
static void test_audit_bulk__sets(void **state)
{
	static const int64_t a7[] = { 9, 1, 3, 2, 7, 5, 8, 3, 1 }, a8[] = { 100, 12 };
	struct attt_audit_bulk *b;
	struct row r[4];
	uint64_t events = 0, size;
	struct tdb t;

	(void)state;
	tdb_open(&t);
	assert_int_equal(attt_db_begin(t.db), ATTT_OK);
	assert_int_equal(attt_audit_bulk_begin(t.db, &t.clock, &actor, &import_ev, &b), ATTT_OK);
	for (size_t i = 0; i < sizeof(a7) / sizeof(a7[0]); i++) {
		assert_int_equal(attt_audit_bulk_add(b, 7, a7[i]), ATTT_OK);
		if (i < sizeof(a8) / sizeof(a8[0]))
			assert_int_equal(attt_audit_bulk_add(b, 8, a8[i]), ATTT_OK);
	}
	assert_int_equal(attt_audit_size(t.db, &size), ATTT_OK);
	assert_int_equal(size, 0); /* nothing written before the end */
	assert_int_equal(attt_audit_bulk_end(b, &events), ATTT_OK);
	assert_int_equal(events, 2);
	assert_int_equal(attt_db_commit(t.db), ATTT_OK);
	assert_int_equal(rows(&t, r, 4), 2);
	assert_int_equal(r[0].agency, 7);
	assert_string_equal(r[0].object_id, "{1-3,5,7-9}");
	assert_int_equal(r[0].count, 7);
	assert_string_equal(r[0].file, "people.csv");
	assert_int_equal(r[1].agency, 8);
	assert_string_equal(r[1].object_id, "{12,100}");
	assert_int_equal(r[1].count, 2);
	tdb_close(&t);
}

/* R7.2: a set longer than one event's object_id is split; together the events name every object
 * once and their counts add up. */
static void test_audit_bulk__split(void **state)
{
	enum { N = 3000 };
	static struct row r[16];
	struct attt_audit_bulk *b;
	uint64_t events = 0;
	int64_t total = 0;
	size_t n;
	struct tdb t;

	(void)state;
	tdb_open(&t);
	assert_int_equal(attt_db_begin(t.db), ATTT_OK);
	assert_int_equal(attt_audit_bulk_begin(t.db, &t.clock, &actor, &import_ev, &b), ATTT_OK);
	for (int64_t i = 0; i < N; i++) /* every other id: no ranges, ~7 bytes each */
		assert_int_equal(attt_audit_bulk_add(b, 1, 100000 + 2 * i), ATTT_OK);
	assert_int_equal(attt_audit_bulk_end(b, &events), ATTT_OK);
	assert_int_equal(attt_db_commit(t.db), ATTT_OK);
	n = rows(&t, r, 16);
	assert_int_equal(n, events);
	assert_true(n >= 5); /* 3000 x 7 bytes over 4096-byte sets */
	for (size_t k = 0; k < n; k++) {
		size_t len = strlen(r[k].object_id);
		total += r[k].count;
		/* Each set but the last is filled to the limit: no room for one more 7-byte item. */
		if (k + 1 < n)
			assert_true(len > ATTT_AUDIT_MAX_FIELD - 7 && len <= ATTT_AUDIT_MAX_FIELD);
		assert_int_equal(r[k].object_id[0], '{');
		assert_int_equal(r[k].object_id[len - 1], '}');
	}
	assert_int_equal(total, N);
	for (int64_t i = 0; i < 2 * N + 2; i++) {
		int64_t id = 100000 + i;
		size_t hits = 0;
		for (size_t k = 0; k < n; k++)
			hits += attt_audit_idset_has(r[k].object_id, id);
		assert_int_equal(hits, i % 2 == 0 && i < 2 * N ? 1 : 0);
	}
	tdb_close(&t);
}

/* Consecutive IDs cost one range: 100 000 of them are one event. Scattered IDs are held up to
 * ATTT_AUDIT_BULK_SET_RUNS ranges per agency, then written as the operation goes. */
static void test_audit_bulk__bounded(void **state)
{
	struct attt_audit_bulk *b;
	uint64_t size = 0, events = 0;
	static struct row r[8];
	struct tdb t;

	(void)state;
	tdb_open(&t);
	assert_int_equal(attt_db_begin(t.db), ATTT_OK);
	assert_int_equal(attt_audit_bulk_begin(t.db, &t.clock, &actor, &import_ev, &b), ATTT_OK);
	for (int64_t i = 0; i < 100000; i++)
		assert_int_equal(attt_audit_bulk_add(b, 1, 1000 + i), ATTT_OK);
	assert_int_equal(attt_audit_bulk_end(b, &events), ATTT_OK);
	assert_int_equal(events, 1);
	assert_int_equal(attt_db_commit(t.db), ATTT_OK);
	assert_int_equal(rows(&t, r, 8), 1);
	assert_string_equal(r[0].object_id, "{1000-100999}");
	assert_int_equal(r[0].count, 100000);

	assert_int_equal(attt_db_begin(t.db), ATTT_OK);
	assert_int_equal(attt_audit_bulk_begin(t.db, &t.clock, &actor, &import_ev, &b), ATTT_OK);
	for (int64_t i = 0; i < ATTT_AUDIT_BULK_SET_RUNS; i++)
		assert_int_equal(attt_audit_bulk_add(b, 1, 3 * i), ATTT_OK);
	assert_int_equal(attt_audit_size(t.db, &size), ATTT_OK);
	assert_true(size > 1); /* written when the set was full, before the end */
	assert_int_equal(attt_audit_bulk_end(b, &events), ATTT_OK);
	assert_int_equal(attt_db_commit(t.db), ATTT_OK);
	tdb_close(&t);
}

/* More agencies than a bulk operation holds at once: the largest set is written to make room, and
 * every object is still named exactly once, under its agency. */
static void test_audit_bulk__many_agencies(void **state)
{
	enum { AG = ATTT_AUDIT_BULK_AGENCIES + 300, ROUNDS = 3 };
	static int seen[AG * ROUNDS + 1];
	struct attt_audit_bulk *b;
	struct attt_stmt *st = NULL;
	uint64_t events = 0;
	int64_t named = 0;
	struct tdb t;

	(void)state;
	tdb_open(&t);
	assert_int_equal(attt_db_begin(t.db), ATTT_OK);
	assert_int_equal(attt_audit_bulk_begin(t.db, &t.clock, &actor, &import_ev, &b), ATTT_OK);
	for (int64_t k = 0; k < ROUNDS; k++) /* interleaved: agency 1, 2, ..., AG, 1, 2, ... */
		for (int64_t a = 1; a <= AG; a++)
			assert_int_equal(attt_audit_bulk_add(b, a, k * AG + a), ATTT_OK);
	assert_int_equal(attt_audit_bulk_end(b, &events), ATTT_OK);
	assert_int_equal(attt_db_commit(t.db), ATTT_OK);
	assert_true(events >= AG && events < (uint64_t)AG * ROUNDS);
	assert_int_equal(attt_db_prepare(t.db, "SELECT agency_id, object_id, summary FROM audit_event WHERE action = "
					       "'person.import'", &st),
			 ATTT_OK);
	while (attt_stmt_step(st) == 1) {
		int64_t a = attt_stmt_int64(st, 0);
		const char *set = attt_stmt_text(st, 1);
		assert_true(a >= 1 && a <= AG);
		for (int64_t k = 0; k < ROUNDS; k++) {
			seen[k * AG + a] += attt_audit_idset_has(set, k * AG + a);
			for (int64_t other = 1; other <= AG; other += 97) /* never another agency's */
				if (other != a)
					assert_false(attt_audit_idset_has(set, k * AG + other));
		}
		json_t *j = json_loads(attt_stmt_text(st, 2), 0, NULL);
		assert_non_null(j);
		named += json_integer_value(json_object_get(j, "count"));
		json_decref(j);
	}
	attt_stmt_finalize(st);
	assert_int_equal(named, (int64_t)AG * ROUNDS);
	for (int64_t id = 1; id <= (int64_t)AG * ROUNDS; id++)
		assert_int_equal(seen[id], 1);
	tdb_close(&t);
}

/* R7.2: bulk events roll back with the transaction, are refused outside one, and bad input is
 * refused before anything is written. */
static void test_audit_bulk__transactional_and_invalid(void **state)
{
	struct attt_audit_bulk *b = NULL;
	struct attt_audit_event ev;
	uint64_t size;
	struct tdb t;

	(void)state;
	tdb_open(&t);
	/* Rolled back: nothing stays. */
	assert_int_equal(attt_db_begin(t.db), ATTT_OK);
	assert_int_equal(attt_audit_bulk_begin(t.db, &t.clock, &actor, &import_ev, &b), ATTT_OK);
	assert_int_equal(attt_audit_bulk_add(b, 1, 1), ATTT_OK);
	assert_int_equal(attt_audit_bulk_end(b, NULL), ATTT_OK);
	assert_int_equal(attt_db_rollback(t.db), ATTT_OK);
	/* Discarded: nothing written. */
	assert_int_equal(attt_db_begin(t.db), ATTT_OK);
	assert_int_equal(attt_audit_bulk_begin(t.db, &t.clock, &actor, &import_ev, &b), ATTT_OK);
	assert_int_equal(attt_audit_bulk_add(b, 1, 1), ATTT_OK);
	attt_audit_bulk_free(b);
	assert_int_equal(attt_db_commit(t.db), ATTT_OK);
	/* Outside a transaction: refused at the end, b freed all the same. */
	assert_int_equal(attt_audit_bulk_begin(t.db, &t.clock, &actor, &import_ev, &b), ATTT_OK);
	assert_int_equal(attt_audit_bulk_add(b, 1, 1), ATTT_OK);
	assert_int_equal(attt_audit_bulk_end(b, NULL), ATTT_E_STATE);
	/* An object ID below 0 or agency below 0. */
	assert_int_equal(attt_audit_bulk_begin(t.db, &t.clock, &actor, &import_ev, &b), ATTT_OK);
	assert_int_equal(attt_audit_bulk_add(b, 1, -1), ATTT_E_INVAL);
	assert_int_equal(attt_audit_bulk_add(b, -1, 1), ATTT_E_INVAL);
	attt_audit_bulk_free(b);
	/* "count" is the bulk event's own key; the summary must be a JSON object without secrets; an
	 * object type is needed. */
	ev = import_ev;
	static const char *const bad[] = { "{\"count\":3}", "[1]", "{\"a\":1,\"a\":2}", "x{}", "{",
					   "{\"a\":{\"secret\":\"x\"}}" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ev.summary = bad[i];
		assert_int_equal(attt_audit_bulk_begin(t.db, &t.clock, &actor, &ev, &b), ATTT_E_INVAL);
	}
	/* Any JSON object, spaces included. */
	static const char *const good[] = { "{}", " { } ", "{ \"a\" : 1 }" };
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		ev.summary = good[i];
		assert_int_equal(attt_audit_bulk_begin(t.db, &t.clock, &actor, &ev, &b), ATTT_OK);
		attt_audit_bulk_free(b);
	}
	ev = import_ev;
	ev.object_type = NULL;
	assert_int_equal(attt_audit_bulk_begin(t.db, &t.clock, &actor, &ev, &b), ATTT_E_INVAL);
	assert_int_equal(attt_audit_size(t.db, &size), ATTT_OK);
	assert_int_equal(size, 0);
	tdb_close(&t);
}

/* The set grammar: the whole text, ascending disjoint ranges of decimals without sign or leading
 * zero; anything else (an incident code, a UUID) is never read as a set. */
static void test_audit_idset__grammar(void **state)
{
	static const struct {
		const char *set;
		int64_t id;
		bool want;
	} v[] = {
		{ "{42}", 42, true },
		{ "{42}", 4, false },
		{ "42", 42, false }, /* not a set: an object ID (matched exactly by queries) */
		{ "0-1000", 5, false }, /* an archive's seq range, not a set */
		{ "{0}", 0, true },
		{ "{1-3,5,7-9}", 2, true },
		{ "{1-3,5,7-9}", 4, false },
		{ "{1-3,5,7-9}", 9, true },
		{ "{1-3,5,7-9}", 10, false },
		{ "{9223372036854775807}", INT64_MAX, true },
		{ "{9223372036854775800-9223372036854775807}", INT64_MAX, true },
		{ "{9223372036854775808}", 0, false },
		{ "{01}", 1, false },
		{ "{1-01}", 1, false },
		{ "{3-1}", 2, false },
		{ "{1-1}", 1, false },
		{ "{1,1}", 1, false },
		{ "{1-3,3}", 1, false },
		{ "{5,2}", 5, false },
		{ "{1,,2}", 1, false },
		{ "{1,}", 1, false },
		{ "{,1}", 1, false },
		{ "{1-}", 1, false },
		{ "{-1}", 1, false },
		{ "{+1}", 1, false },
		{ "{ 1}", 1, false },
		{ "{1-2x}", 1, false },
		{ "{1}x", 1, false },
		{ "{1", 1, false },
		{ "1}", 1, false },
		{ "{}", 0, false },
		{ "{SC-2026-001}", 2026, false },
		{ "", 0, false },
		{ NULL, 0, false },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		if (attt_audit_idset_has(v[i].set, v[i].id) != v[i].want)
			fail_msg("set \"%s\" id %lld: want %d", v[i].set ? v[i].set : "(null)", (long long)v[i].id,
				 v[i].want);
	}
}

static int count_fn(void *ctx, const struct attt_audit_record *rec)
{
	int64_t *seqs = ctx;
	seqs[++seqs[0]] = rec->seq;
	return 0;
}

static void append_obj(struct tdb *t, const char *type, const char *id)
{
	struct attt_audit_event ev = { .category = ATTT_AUDIT_DATA, .action = "x.y", .object_type = type, .object_id = id };
	assert_int_equal(attt_db_begin(t->db), ATTT_OK);
	assert_int_equal(attt_audit_append(t->db, &t->clock, &actor, &ev, NULL), ATTT_OK);
	assert_int_equal(attt_db_commit(t->db), ATTT_OK);
}

/* R7.2: a query for one object finds its own events and the bulk events naming it, in seq order,
 * with the limit and keyset pagination counting only matches. */
static void test_audit_query__object_in_sets(void **state)
{
	struct attt_audit_filter f;
	int64_t seqs[16], last;
	struct tdb t;

	(void)state;
	tdb_open(&t);
	append_obj(&t, "person", "{1-3}");        /* 0: a set without 5 */
	append_obj(&t, "person", "{4-6,9}");      /* 1: holds 5 */
	append_obj(&t, "incident", "5");          /* 2: another type */
	append_obj(&t, "person", "SC-5");         /* 3: not a set */
	append_obj(&t, "person", "5");            /* 4: the object itself */
	append_obj(&t, "person", "05");           /* 5: not a set, not 5 */
	append_obj(&t, "person", "{1,5,700-800}"); /* 6: holds 5 */
	append_obj(&t, "audit_archive", "0-1000"); /* 7: an archive's seq range, never a set */
	append_obj(&t, "person", "4-6");           /* 8: not a set */
	memset(&f, 0, sizeof(f));
	f.outcome = -1;
	f.after_seq = -1;
	f.object_type = "person";
	f.object_id = "5";
	seqs[0] = 0;
	assert_int_equal(attt_audit_query(t.db, &f, count_fn, seqs, &last), ATTT_OK);
	assert_int_equal(seqs[0], 3);
	assert_int_equal(seqs[1], 1);
	assert_int_equal(seqs[2], 4);
	assert_int_equal(seqs[3], 6);
	assert_int_equal(last, 6);
	/* Pages of one. */
	f.limit = 1;
	seqs[0] = 0;
	assert_int_equal(attt_audit_query(t.db, &f, count_fn, seqs, &last), ATTT_OK);
	assert_int_equal(seqs[0], 1);
	assert_int_equal(last, 1);
	f.after_seq = last;
	seqs[0] = 0;
	assert_int_equal(attt_audit_query(t.db, &f, count_fn, seqs, &last), ATTT_OK);
	assert_int_equal(seqs[0], 1);
	assert_int_equal(last, 4);
	/* Without a type: every event of object 5 (the incident too), never the archive's range. */
	f.object_type = NULL;
	f.limit = 0;
	f.after_seq = -1;
	seqs[0] = 0;
	assert_int_equal(attt_audit_query(t.db, &f, count_fn, seqs, &last), ATTT_OK);
	assert_int_equal(seqs[0], 4);
	assert_int_equal(seqs[1], 1);
	assert_int_equal(seqs[2], 2);
	assert_int_equal(seqs[3], 4);
	assert_int_equal(seqs[4], 6);
	f.object_type = "person";
	/* A text object ID is matched exactly, never as a set. */
	f.limit = 0;
	f.after_seq = -1;
	f.object_id = "SC-5";
	seqs[0] = 0;
	assert_int_equal(attt_audit_query(t.db, &f, count_fn, seqs, &last), ATTT_OK);
	assert_int_equal(seqs[0], 1);
	assert_int_equal(seqs[1], 3);
	f.object_id = "05";
	seqs[0] = 0;
	assert_int_equal(attt_audit_query(t.db, &f, count_fn, seqs, &last), ATTT_OK);
	assert_int_equal(seqs[0], 1);
	assert_int_equal(seqs[1], 5);
	tdb_close(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_audit_bulk__sets),
		cmocka_unit_test(test_audit_bulk__split),
		cmocka_unit_test(test_audit_bulk__bounded),
		cmocka_unit_test(test_audit_bulk__many_agencies),
		cmocka_unit_test(test_audit_bulk__transactional_and_invalid),
		cmocka_unit_test(test_audit_idset__grammar),
		cmocka_unit_test(test_audit_query__object_in_sets),
	};
	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
