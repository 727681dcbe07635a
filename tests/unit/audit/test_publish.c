/*
 * test_publish.c: checkpoints off the database (R7.1) and log review records (R7.3).
 * The ticker makes a checkpoint after 60 s or 1000 events (fake clock, no sleeping), writes it to
 * the checkpoint file and POSTs it to a C2SP tlog-witness (a small witness in this test, on
 * 127.0.0.1, that checks the old size and the consistency proof it is sent); an unreachable witness
 * stays pending without holding up the others. Reviews cover periods; a gap older than the interval is overdue.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <microhttpd.h>
#include <sodium.h>

#include "attt/audit.h"
#include "attt/buf.h"
#include "attt/err.h"
#include "attt/limits.h"
#include "attt/str.h"
#include "helpers.h"

/* ---- a minimal tlog-witness ---- */

struct witness {
	struct attt_audit_verifier *v;
	uint64_t size;
	struct attt_hash root;
	unsigned posts, conflicts, accepted;
	char body[ATTT_AUDIT_MAX_NOTE * 2];
	size_t len;
};

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, const char *text)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(strlen(text), (void *)text, MHD_RESPMEM_MUST_COPY);
	MHD_add_response_header(r, "Content-Type", status == 409 ? "text/x.tlog.size" : "text/plain");
	enum MHD_Result ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

/* Checks "old N\n<proof>\n\n<note>" as a witness does; answers 200, 409 (with its size) or 403. */
static unsigned witness_add(struct witness *w, char *size_text, size_t sz)
{
	char *p = w->body, *end = w->body + w->len, *blank = strstr(p, "\n\n");
	struct attt_hash proof[ATTT_AUDIT_MAX_PROOF];
	struct attt_checkpoint cp;
	int64_t old;
	size_t n = 0;

	if (strncmp(p, "old ", 4) != 0 || !blank)
		return 400;
	char *nl = strchr(p, '\n');
	*nl = 0;
	if (attt_parse_int64(p + 4, 0, INT64_MAX, &old) < 0)
		return 400;
	if ((uint64_t)old != w->size) {
		snprintf(size_text, sz, "%llu\n", (unsigned long long)w->size);
		return 409;
	}
	if (nl + 1 < blank + 1 && attt_merkle_proof_parse(nl + 1, (size_t)(blank - nl), proof, ATTT_AUDIT_MAX_PROOF, &n) < 0)
		return 400;
	if (attt_checkpoint_open(blank + 2, (size_t)(end - blank - 2), w->v, NULL, &cp) < 0)
		return 403;
	if (w->size > 0 && attt_merkle_verify_consistency(w->size, cp.size, proof, n, w->root.b, 32, cp.root.b, 32) < 0)
		return 422;
	w->size = cp.size;
	w->root = cp.root;
	w->accepted++;
	return 200;
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *c, const char *url, const char *method,
			       const char *version, const char *data, size_t *data_size, void **con_cls)
{
	struct witness *w = cls;
	char size_text[32] = "";

	(void)version;
	if (!*con_cls) {
		*con_cls = w;
		w->len = 0;
		return MHD_YES;
	}
	if (*data_size) {
		if (w->len + *data_size < sizeof(w->body)) {
			memcpy(w->body + w->len, data, *data_size);
			w->len += *data_size;
		}
		*data_size = 0;
		return MHD_YES;
	}
	w->body[w->len] = 0;
	if (strcmp(method, "POST") != 0 || strcmp(url, "/w/add-checkpoint") != 0)
		return reply(c, 404, "");
	w->posts++;
	unsigned status = witness_add(w, size_text, sizeof(size_text));
	if (status == 409)
		w->conflicts++;
	return reply(c, status, size_text);
}

static void test_audit_tick__publish(void **state)
{
	struct tdb t;
	struct witness w = { 0 };
	struct attt_audit_signer *s = NULL;
	struct attt_audit_ticker *tk = NULL;
	uint8_t seed[32] = { 77 };
	char vkey[ATTT_AUDIT_VKEY_MAX], file[300], url[64], *latest = NULL;
	bool made;

	(void)state;
	tdb_open(&t);
	assert_int_equal(attt_audit_signer_new("attt.test/publish", seed, &s), ATTT_OK);
	assert_int_equal(attt_audit_signer_vkey(s, vkey, sizeof(vkey)), ATTT_OK);
	assert_int_equal(attt_audit_verifier_parse(vkey, &w.v), ATTT_OK);
	struct MHD_Daemon *d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL, handler, &w,
						MHD_OPTION_END);
	assert_non_null(d);
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	snprintf(url, sizeof(url), "http://127.0.0.1:%u/w", info->port);
	snprintf(file, sizeof(file), "%s/offsite-checkpoint.txt", t.dir);
	const char *urls[2] = { url, "http://127.0.0.1:9/unreachable" };
	struct attt_audit_publish_opts po = { .checkpoint_file = file, .witness_urls = urls, .n_witness = 2,
					      .interval_us = 60 * ATTT_USEC_PER_SEC, .events = 1000, .timeout_ms = 2000 };
	assert_int_equal(attt_audit_ticker_new(&po, &tk), ATTT_OK);

	/* Nothing to do on an empty trail. */
	assert_int_equal(attt_audit_tick(tk, t.db, &t.clock, s, &made), ATTT_OK);
	assert_false(made);
	/* Events, but the interval has not passed since the (absent) last checkpoint... it has: the
	 * first checkpoint is due at once. */
	tdb_append(&t, 5);
	assert_int_equal(attt_audit_tick(tk, t.db, &t.clock, s, &made), ATTT_OK);
	assert_true(made);
	assert_int_equal(w.accepted, 1);
	assert_int_equal(w.size, 5);
	assert_int_equal(attt_audit_ticker_pending(tk), 1); /* the unreachable witness */
	assert_int_equal(attt_audit_checkpoint_latest(t.db, &latest, NULL), ATTT_OK);
	assert_int_equal(tsh("printf '%%s' '%s' | cmp -s - %s", latest, file), 0);
	free(latest);
	/* 3 more events, 30 s later: not due yet. 31 s more: due (60 s). */
	tdb_append(&t, 3);
	t.now += 30 * ATTT_USEC_PER_SEC;
	assert_int_equal(attt_audit_tick(tk, t.db, &t.clock, s, &made), ATTT_OK);
	assert_false(made);
	t.now += 31 * ATTT_USEC_PER_SEC;
	assert_int_equal(attt_audit_tick(tk, t.db, &t.clock, s, &made), ATTT_OK);
	assert_true(made);
	assert_int_equal(w.size, 8); /* with a consistency proof from 5, checked by the witness */
	assert_int_equal(w.accepted, 2);
	/* 1000 events: due at once without waiting. */
	assert_int_equal(attt_db_exec(t.db, "PRAGMA synchronous=OFF"), ATTT_OK);
	tdb_append(&t, 1000);
	assert_int_equal(attt_audit_tick(tk, t.db, &t.clock, s, &made), ATTT_OK);
	assert_true(made);
	assert_int_equal(w.size, 1008);
	/* A new ticker (after a restart) knows nothing of the witness: it answers 409 with its size
	 * and gets the proof from there. */
	attt_audit_ticker_free(tk);
	po.n_witness = 1;
	assert_int_equal(attt_audit_ticker_new(&po, &tk), ATTT_OK);
	tdb_append(&t, 2);
	t.now += 61 * ATTT_USEC_PER_SEC;
	assert_int_equal(attt_audit_tick(tk, t.db, &t.clock, s, &made), ATTT_OK);
	assert_true(made);
	assert_int_equal(w.conflicts, 1);
	assert_int_equal(w.size, 1010);
	assert_int_equal(attt_audit_ticker_pending(tk), 0);
	/* The copy in the file catches a truncation of the database. */
	struct attt_audit_report rep;
	char *copy = NULL;
	assert_int_equal(tsh("test -s %s", file), 0);
	FILE *f = fopen(file, "re");
	assert_non_null(f);
	copy = calloc(1, ATTT_AUDIT_MAX_NOTE + 1);
	assert_non_null(copy);
	assert_true(fread(copy, 1, ATTT_AUDIT_MAX_NOTE, f) > 0);
	fclose(f);
	assert_int_equal(attt_db_begin(t.db), ATTT_OK);
	assert_int_equal(attt_db_exec(t.db, "DELETE FROM audit_event WHERE seq >= 1009; DELETE FROM audit_node WHERE "
					    "((idx + 1) << level) > 1009; DELETE FROM audit_checkpoint WHERE size > 1009"),
			 ATTT_OK);
	const char *notes[1] = { copy };
	assert_int_equal(attt_audit_verify(t.db, w.v, notes, 1, &rep), ATTT_E_CORRUPT);
	assert_int_equal(rep.first_bad, 1009);
	assert_int_equal(attt_db_rollback(t.db), ATTT_OK);
	free(copy);
	attt_audit_ticker_free(tk);
	MHD_stop_daemon(d);
	attt_audit_verifier_free(w.v);
	attt_audit_signer_free(s);
	tdb_close(&t);
}

/* An unreachable witness leaves the note pending (retried on later ticks); the checkpoint is stored
 * regardless. */
static void test_audit_tick__retry(void **state)
{
	struct tdb t;
	struct attt_audit_signer *s = NULL;
	struct attt_audit_ticker *tk = NULL;
	uint8_t seed[32] = { 78 };
	bool made;
	const char *urls[1] = { "http://127.0.0.1:9/w" };
	struct attt_audit_publish_opts po = { .witness_urls = urls, .n_witness = 1, .interval_us = 60 * ATTT_USEC_PER_SEC,
					      .events = 1000, .timeout_ms = 500 };

	(void)state;
	tdb_open(&t);
	assert_int_equal(attt_audit_signer_new("attt.test/retry", seed, &s), ATTT_OK);
	assert_int_equal(attt_audit_ticker_new(&po, &tk), ATTT_OK);
	tdb_append(&t, 2);
	assert_int_equal(attt_audit_tick(tk, t.db, &t.clock, s, &made), ATTT_OK);
	assert_true(made);
	assert_int_equal(attt_audit_ticker_pending(tk), 1);
	/* The checkpoint is stored whatever the witnesses do, with the time it was signed. */
	uint64_t size = 0;
	int64_t at = 0;
	assert_int_equal(attt_audit_checkpoint_latest(t.db, NULL, &size), ATTT_OK);
	assert_int_equal(size, 2);
	assert_int_equal(attt_audit_checkpoint_latest_at(t.db, NULL, &size, &at), ATTT_OK);
	assert_int_equal(at, t.now);
	at = 0;
	assert_int_equal(attt_audit_checkpoint_time(t.db, 2, &at), ATTT_OK);
	assert_int_equal(at, t.now);
	assert_int_equal(attt_audit_checkpoint_time(t.db, 3, &at), ATTT_E_NOTFOUND);
	attt_audit_ticker_free(tk);
	attt_audit_signer_free(s);
	tdb_close(&t);
}

/* ---- R7.3 ---- */

static int count_reviews(void *ctx, const struct attt_audit_review *rev)
{
	(*(int *)ctx)++;
	assert_non_null(rev->findings);
	return 0;
}

static void test_audit_review__overdue(void **state)
{
	struct tdb t;
	struct attt_actor rv = { .account_id = 9, .username = "kiemtra", .source = "cli" };
	const int64_t day = 86400 * ATTT_USEC_PER_SEC;
	int64_t start, since, id;
	bool overdue;
	int n = 0;

	(void)state;
	tdb_open(&t);
	assert_int_equal(attt_audit_review_overdue(t.db, &t.clock, 0, 30 * day, &since, &overdue), ATTT_OK);
	assert_false(overdue);
	start = t.now + 1000;
	tdb_append(&t, 10);
	t.now += 40 * day;
	/* R7.3: 40 days unreviewed with a 30-day interval: overdue since the first event. */
	assert_int_equal(attt_audit_review_overdue(t.db, &t.clock, 0, 30 * day, &since, &overdue), ATTT_OK);
	assert_true(overdue);
	assert_int_equal(since, start);
	/* A review of the first 20 days: still overdue from day 20 (20 days ago < 30? no: 20 days). */
	assert_int_equal(attt_audit_review_add(t.db, &t.clock, &rv, 0, start, start + 20 * day,
					       "Không phát hiện bất thường (no anomalies)", &id),
			 ATTT_OK);
	assert_int_equal(attt_audit_review_overdue(t.db, &t.clock, 0, 30 * day, &since, &overdue), ATTT_OK);
	assert_int_equal(since, start + 20 * day);
	assert_false(overdue);
	t.now += 15 * day;
	assert_int_equal(attt_audit_review_overdue(t.db, &t.clock, 0, 30 * day, &since, &overdue), ATTT_OK);
	assert_true(overdue);
	/* Bad input changes nothing. */
	assert_int_equal(attt_audit_review_add(t.db, &t.clock, &rv, 0, start, start, "x", NULL), ATTT_E_INVAL);
	assert_int_equal(attt_audit_review_add(t.db, &t.clock, &rv, 0, start, t.now + day, "x", NULL), ATTT_E_INVAL);
	assert_int_equal(attt_audit_review_add(t.db, &t.clock, &rv, 0, start, start + day, "", NULL), ATTT_E_INVAL);
	/* Reviews are listed, and each is an audit event "audit.review" (R7.3 in the trail). */
	assert_int_equal(attt_audit_review_list(t.db, 0, count_reviews, &n), ATTT_OK);
	assert_int_equal(n, 1);
	uint64_t size;
	assert_int_equal(attt_audit_size(t.db, &size), ATTT_OK);
	assert_int_equal(size, 11);
	tdb_close(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_audit_tick__publish),
		cmocka_unit_test(test_audit_tick__retry),
		cmocka_unit_test(test_audit_review__overdue),
	};
	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
