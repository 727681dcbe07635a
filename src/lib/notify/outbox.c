/*
 * outbox.c: the durable outbox (table notification, db/migrations/0005_notify.sql): enqueue in
 * the caller's transaction, claim-send-record delivery with exponential backoff, requeue, and the
 * JSON views.
 *
 * Invariant: a mail leaves state "queued" only for "sent" (the relay accepted it) or "failed"
 * (max_attempts reached); nothing deletes a notification. A claimed mail is still "queued", with
 * next_attempt_at moved past the send timeout, so a deliverer that dies mid-send leaves it to be
 * retried when the lease ends.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "attt/clock.h"
#include "attt/db.h"
#include "attt/err.h"
#include "attt/limits.h"
#include "attt/log.h"
#include "attt/notify.h"
#include "attt/str.h"
#include "notify-int.h"

static bool kind_valid(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n == 0 || n > 64)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || strchr("._-", s[i])))
			return false;
	return true;
}

/* UTF-8 text without any control character (no line break: it goes into a header). */
static bool line_valid(const char *s, size_t max)
{
	size_t n = s ? strlen(s) : 0;
	if (n == 0 || n > max || !attt_utf8_valid(s, n))
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] == 0x7f)
			return false;
	return true;
}

static int validate(const struct attt_notify_msg *m)
{
	if (!m || !kind_valid(m->kind))
		return ATTT_E_INVAL;
	if (m->to_address && !attt__notify_address_valid(m->to_address))
		return ATTT_E_INVAL;
	if (!m->to_address && m->person_id <= 0 && m->account_id <= 0)
		return ATTT_E_INVAL;
	if (m->person_id < 0 || m->account_id < 0 || m->ref_id < 0)
		return ATTT_E_INVAL;
	if (!m->subject || strlen(m->subject) > ATTT_NOTIFY_MAX_SUBJECT)
		return m->subject ? ATTT_E_TOOBIG : ATTT_E_INVAL;
	if (!line_valid(m->subject, ATTT_NOTIFY_MAX_SUBJECT))
		return ATTT_E_INVAL;
	if (!m->body || strlen(m->body) > ATTT_MAX_TEXT)
		return m->body ? ATTT_E_TOOBIG : ATTT_E_INVAL;
	if (!attt_utf8_valid(m->body, strlen(m->body)))
		return ATTT_E_INVAL;
	if (m->ref_type && !kind_valid(m->ref_type))
		return ATTT_E_INVAL;
	return ATTT_OK;
}

static int bind_id(struct attt_stmt *st, int idx, int64_t id)
{
	return id > 0 ? attt_stmt_bind_int64(st, idx, id) : attt_stmt_bind_null(st, idx);
}

int attt_notify_enqueue(struct attt_db *db, const struct attt_clock *clock, const struct attt_notify_msg *m,
			int64_t *ret_id)
{
	struct attt_stmt *st = NULL;
	int64_t now = attt_now_us(clock), id = 0;
	int e;

	if (!attt_db_in_tx(db))
		return ATTT_E_STATE;
	if ((e = validate(m)) < 0)
		return e;
	e = attt_db_prepare(db,
			    "INSERT INTO notification (kind, to_address, person_id, account_id, subject, body, ref_type, "
			    "ref_id, state, attempts, next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?) "
			    "RETURNING id",
			    &st);
	if (e < 0)
		goto out;
	if ((e = attt_stmt_bind_text(st, 1, m->kind)) < 0 || (e = attt_stmt_bind_text(st, 2, m->to_address)) < 0 ||
	    (e = bind_id(st, 3, m->person_id)) < 0 || (e = bind_id(st, 4, m->account_id)) < 0 ||
	    (e = attt_stmt_bind_text(st, 5, m->subject)) < 0 || (e = attt_stmt_bind_text(st, 6, m->body)) < 0 ||
	    (e = attt_stmt_bind_text(st, 7, m->ref_type)) < 0 || (e = bind_id(st, 8, m->ref_id)) < 0 ||
	    (e = attt_stmt_bind_text(st, 9, m->to_address ? "queued" : "inapp")) < 0 ||
	    (e = attt_stmt_bind_int64(st, 10, now)) < 0 || (e = attt_stmt_bind_int64(st, 11, now)) < 0)
		goto out;
	if ((e = attt_stmt_step(st)) < 0)
		goto out;
	if (e != 1) {
		e = ATTT_E_DB;
		goto out;
	}
	id = attt_stmt_int64(st, 0);
	attt_stmt_finalize(st);
	st = NULL;
	if (m->person_id > 0 || m->account_id > 0) {
		if ((e = attt_db_prepare(db,
					 "INSERT INTO inbox_item (notification_id, person_id, account_id, created_at) "
					 "VALUES (?, ?, ?, ?)",
					 &st)) < 0)
			goto out;
		if ((e = attt_stmt_bind_int64(st, 1, id)) < 0 || (e = bind_id(st, 2, m->person_id)) < 0 ||
		    (e = bind_id(st, 3, m->account_id)) < 0 || (e = attt_stmt_bind_int64(st, 4, now)) < 0)
			goto out;
		if ((e = attt_stmt_step(st)) < 0)
			goto out;
	}
	e = ATTT_OK;
	if (ret_id)
		*ret_id = id;
out:
	attt_stmt_finalize(st);
	return e;
}

/* ---- delivery ---- */

struct claim_ctx {
	int64_t now, lease;
	int64_t id, created_at, attempts;
	char *to, *subject, *body;
};

static char *dup_col(struct attt_stmt *st, int col)
{
	const char *s = attt_stmt_text(st, col);
	return strdup(s ? s : "");
}

/* Takes the oldest due mail: attempts + 1 and next_attempt_at moved forward by the lease. */
static int claim_fn(struct attt_db *db, void *vctx)
{
	struct claim_ctx *c = vctx;
	struct attt_stmt *st = NULL;
	int e;

	/* attt_db_tx runs this again after a busy database: start clean. */
	free(c->to);
	free(c->subject);
	free(c->body);
	c->to = c->subject = c->body = NULL;
	e = attt_db_prepare(db,
			    "SELECT id, created_at, attempts, to_address, subject, body FROM notification "
			    "WHERE state = 'queued' AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT 1",
			    &st);
	if (e < 0)
		goto out;
	if ((e = attt_stmt_bind_int64(st, 1, c->now)) < 0)
		goto out;
	if ((e = attt_stmt_step(st)) <= 0)
		goto out; /* 0: nothing due */
	c->id = attt_stmt_int64(st, 0);
	c->created_at = attt_stmt_int64(st, 1);
	c->attempts = attt_stmt_int64(st, 2) + 1;
	c->to = dup_col(st, 3);
	c->subject = dup_col(st, 4);
	c->body = dup_col(st, 5);
	if (!c->to || !c->subject || !c->body) {
		e = ATTT_E_NOMEM;
		goto out;
	}
	attt_stmt_finalize(st);
	st = NULL;
	if ((e = attt_db_prepare(db, "UPDATE notification SET attempts = ?, next_attempt_at = ? WHERE id = ?", &st)) < 0)
		goto out;
	if ((e = attt_stmt_bind_int64(st, 1, c->attempts)) < 0 ||
	    (e = attt_stmt_bind_int64(st, 2, c->now + c->lease)) < 0 || (e = attt_stmt_bind_int64(st, 3, c->id)) < 0)
		goto out;
	if ((e = attt_stmt_step(st)) < 0)
		goto out;
	e = 1;
out:
	attt_stmt_finalize(st);
	return e;
}

struct record_ctx {
	int64_t id, now, next;
	const char *state; /* "sent", "queued" or "failed" */
	const char *error;
};

static int record_fn(struct attt_db *db, void *vctx)
{
	struct record_ctx *c = vctx;
	struct attt_stmt *st = NULL;
	int e;

	e = attt_db_prepare(db,
			    "UPDATE notification SET state = ?, next_attempt_at = ?, last_error = ?, sent_at = ? "
			    "WHERE id = ? AND state = 'queued'",
			    &st);
	if (e < 0)
		goto out;
	if ((e = attt_stmt_bind_text(st, 1, c->state)) < 0 || (e = attt_stmt_bind_int64(st, 2, c->next)) < 0 ||
	    (e = attt_stmt_bind_text(st, 3, c->error)) < 0 ||
	    (e = attt_stmt_bind_int64(st, 4, strcmp(c->state, "sent") == 0 ? c->now : 0)) < 0 ||
	    (e = attt_stmt_bind_int64(st, 5, c->id)) < 0)
		goto out;
	e = attt_stmt_step(st);
out:
	attt_stmt_finalize(st);
	return e < 0 ? e : ATTT_OK;
}

static int64_t backoff_us(const struct attt_notify_smtp *smtp, int64_t attempts)
{
	int64_t base = smtp->backoff_s > 0 ? smtp->backoff_s : ATTT_NOTIFY_BACKOFF_S;
	int64_t max = smtp->backoff_max_s > 0 ? smtp->backoff_max_s : ATTT_NOTIFY_BACKOFF_MAX_S;
	int64_t d = base;
	for (int64_t i = 1; i < attempts && d < max; i++)
		d *= 2;
	if (d > max)
		d = max;
	return d * ATTT_USEC_PER_SEC;
}

int attt_notify_deliver(struct attt_db *db, const struct attt_clock *clock, const struct attt_notify_smtp *smtp,
			int max, struct attt_notify_stats *stats)
{
	struct attt_notify_stats s = { 0, 0, 0 };
	struct attt_buf mail;
	void *curl = NULL;
	int max_attempts, e = ATTT_OK;

	if (attt_db_in_tx(db))
		return ATTT_E_STATE;
	if (!smtp || !smtp->url || !*smtp->url || !attt__notify_address_valid(smtp->from))
		return ATTT_E_CONFIG;
	if (!attt_str_startswith(smtp->url, "smtp://") && !attt_str_startswith(smtp->url, "smtps://"))
		return ATTT_E_CONFIG;
	if (max < 1 || max > ATTT_NOTIFY_MAX_BATCH)
		return ATTT_E_RANGE;
	max_attempts = smtp->max_attempts > 0 ? smtp->max_attempts : ATTT_NOTIFY_MAX_ATTEMPTS;
	attt_buf_init(&mail, ATTT_NOTIFY_MAX_MAIL);

	for (int i = 0; i < max; i++) {
		int64_t now = attt_now_us(clock);
		struct claim_ctx c = { .now = now };
		struct record_ctx rec = { .now = now };
		char err[512];
		int r;

		/* The lease outlasts the send's own timeout, so no one else takes it while it is sent. */
		c.lease = ((smtp->timeout_s > 0 ? smtp->timeout_s : ATTT_NOTIFY_TIMEOUT_S) + 60) * ATTT_USEC_PER_SEC;
		r = attt_db_tx(db, claim_fn, &c);
		if (r <= 0) {
			free(c.to);
			free(c.subject);
			free(c.body);
			e = r;
			break;
		}
		struct attt__notify_mail m = { c.id, c.created_at, c.to, c.subject, c.body };
		attt_buf_reset(&mail);
		r = attt__notify_build(&m, smtp, &mail);
		if (r >= 0)
			r = attt__notify_send(&curl, smtp, c.to, mail.data, mail.len, err, sizeof(err));
		else
			attt_str_copy(err, sizeof(err), attt_strerror(r));
		rec.id = c.id;
		if (r >= 0) {
			rec.state = "sent";
			rec.next = 0;
			rec.error = NULL;
			s.sent++;
		} else if (c.attempts >= max_attempts) {
			rec.state = "failed";
			rec.next = 0;
			rec.error = err;
			s.failed++;
		} else {
			rec.state = "queued";
			rec.next = now + backoff_us(smtp, c.attempts);
			rec.error = err;
			s.retried++;
		}
		if (r < 0)
			log_debug("notify: mail %lld attempt %lld: %s", (long long)c.id, (long long)c.attempts, err);
		free(c.to);
		free(c.subject);
		free(c.body);
		if ((e = attt_db_tx(db, record_fn, &rec)) < 0)
			break;
		/* A relay that cannot be reached fails every mail: stop the batch rather than spend an
		 * attempt of each; the backoff takes over. */
		if (r == ATTT_E_TIMEOUT)
			break;
	}
	attt__notify_send_done(curl);
	attt_buf_done(&mail);
	if (e < 0)
		return e;
	if (stats)
		*stats = s;
	return ATTT_OK;
}

static int requeue_fn(struct attt_db *db, void *vctx)
{
	const int64_t *a = vctx;
	struct attt_stmt *st = NULL;
	int e;

	if ((e = attt_db_prepare(db, "SELECT state FROM notification WHERE id = ?", &st)) < 0)
		goto out;
	if ((e = attt_stmt_bind_int64(st, 1, a[0])) < 0)
		goto out;
	if ((e = attt_stmt_step(st)) < 0)
		goto out;
	if (e == 0) {
		e = ATTT_E_NOTFOUND;
		goto out;
	}
	if (strcmp(attt_stmt_text(st, 0), "failed") != 0 && strcmp(attt_stmt_text(st, 0), "queued") != 0) {
		e = ATTT_E_STATE;
		goto out;
	}
	attt_stmt_finalize(st);
	st = NULL;
	if ((e = attt_db_prepare(db,
				 "UPDATE notification SET state = 'queued', attempts = 0, next_attempt_at = ? WHERE id = ?",
				 &st)) < 0)
		goto out;
	if ((e = attt_stmt_bind_int64(st, 1, a[1])) < 0 || (e = attt_stmt_bind_int64(st, 2, a[0])) < 0)
		goto out;
	e = attt_stmt_step(st);
out:
	attt_stmt_finalize(st);
	return e < 0 ? e : ATTT_OK;
}

int attt_notify_requeue(struct attt_db *db, const struct attt_clock *clock, int64_t id)
{
	int64_t a[2] = { id, attt_now_us(clock) };
	return attt_db_tx(db, requeue_fn, a);
}

/* ---- views ---- */

#define NOTIFY_COLS                                                                                          \
	"id, kind, to_address, person_id, account_id, subject, body, ref_type, ref_id, state, attempts, "   \
	"next_attempt_at, last_error, created_at, sent_at"

static json_t *time_json(int64_t t)
{
	char s[40];
	if (t <= 0 || attt_time_iso(t, s, sizeof(s)) < 0)
		return json_null();
	return json_string(s);
}

static json_t *text_json(struct attt_stmt *st, int col)
{
	const char *s = attt_stmt_text(st, col);
	return s ? json_string(s) : json_null();
}

static json_t *id_json(struct attt_stmt *st, int col)
{
	int64_t v = attt_stmt_int64(st, col);
	return v > 0 ? json_integer(v) : json_null();
}

static json_t *row_json(struct attt_stmt *st)
{
	return json_pack("{s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:I, s:o, s:o, s:o, s:o}", "id",
			 (json_int_t)attt_stmt_int64(st, 0), "kind", text_json(st, 1), "to", text_json(st, 2),
			 "person_id", id_json(st, 3), "account_id", id_json(st, 4), "subject", text_json(st, 5), "body",
			 text_json(st, 6), "ref_type", text_json(st, 7), "ref_id", id_json(st, 8), "state",
			 text_json(st, 9), "attempts", (json_int_t)attt_stmt_int64(st, 10), "next_attempt_at",
			 time_json(attt_stmt_int64(st, 11)), "last_error", text_json(st, 12), "created_at",
			 time_json(attt_stmt_int64(st, 13)), "sent_at", time_json(attt_stmt_int64(st, 14)));
}

int attt_notify_get(struct attt_db *db, int64_t id, json_t **ret)
{
	struct attt_stmt *st = NULL;
	json_t *o;
	int e;

	if ((e = attt_db_prepare(db, "SELECT " NOTIFY_COLS " FROM notification WHERE id = ?", &st)) < 0)
		return e;
	if ((e = attt_stmt_bind_int64(st, 1, id)) < 0 || (e = attt_stmt_step(st)) < 0)
		goto out;
	if (e == 0) {
		e = ATTT_E_NOTFOUND;
		goto out;
	}
	if (!(o = row_json(st))) {
		e = ATTT_E_NOMEM;
		goto out;
	}
	*ret = o;
	e = ATTT_OK;
out:
	attt_stmt_finalize(st);
	return e;
}

int attt_notify_list_ref(struct attt_db *db, const char *ref_type, int64_t ref_id, int limit, json_t **ret)
{
	struct attt_stmt *st = NULL;
	json_t *arr = NULL;
	int e;

	if (!ref_type || limit < 1 || limit > ATTT_HTTP_MAX_PAGE)
		return ATTT_E_RANGE;
	if ((e = attt_db_prepare(db,
				 "SELECT " NOTIFY_COLS " FROM notification WHERE ref_type = ? AND ref_id = ? "
				 "ORDER BY id LIMIT ?",
				 &st)) < 0)
		return e;
	if ((e = attt_stmt_bind_text(st, 1, ref_type)) < 0 || (e = attt_stmt_bind_int64(st, 2, ref_id)) < 0 ||
	    (e = attt_stmt_bind_int64(st, 3, limit)) < 0)
		goto out;
	if (!(arr = json_array())) {
		e = ATTT_E_NOMEM;
		goto out;
	}
	while ((e = attt_stmt_step(st)) == 1)
		if (json_array_append_new(arr, row_json(st)) < 0) {
			e = ATTT_E_NOMEM;
			break;
		}
	if (e < 0)
		goto out;
	*ret = arr;
	arr = NULL;
	e = ATTT_OK;
out:
	json_decref(arr);
	attt_stmt_finalize(st);
	return e;
}

int attt_notify_counts(struct attt_db *db, json_t **ret)
{
	struct attt_stmt *st = NULL;
	json_t *o = json_pack("{s:I, s:I, s:I, s:I}", "queued", (json_int_t)0, "sent", (json_int_t)0, "failed",
			      (json_int_t)0, "inapp", (json_int_t)0);
	int e;

	if (!o)
		return ATTT_E_NOMEM;
	if ((e = attt_db_prepare(db, "SELECT state, COUNT(*) FROM notification GROUP BY state", &st)) < 0)
		goto out;
	while ((e = attt_stmt_step(st)) == 1)
		json_object_set_new(o, attt_stmt_text(st, 0), json_integer(attt_stmt_int64(st, 1)));
	if (e < 0)
		goto out;
	*ret = o;
	o = NULL;
	e = ATTT_OK;
out:
	json_decref(o);
	attt_stmt_finalize(st);
	return e;
}

int attt_notify_format(struct attt_db *db, const struct attt_notify_smtp *smtp, int64_t id, struct attt_buf *out)
{
	struct attt_stmt *st = NULL;
	int e;

	if ((e = attt_db_prepare(db,
				 "SELECT id, created_at, to_address, subject, body FROM notification WHERE id = ?",
				 &st)) < 0)
		return e;
	if ((e = attt_stmt_bind_int64(st, 1, id)) < 0 || (e = attt_stmt_step(st)) < 0)
		goto out;
	if (e == 0) {
		e = ATTT_E_NOTFOUND;
		goto out;
	}
	if (attt_stmt_is_null(st, 2)) {
		e = ATTT_E_STATE; /* an inbox-only notification has no mail */
		goto out;
	}
	struct attt__notify_mail m = { attt_stmt_int64(st, 0), attt_stmt_int64(st, 1), attt_stmt_text(st, 2),
				       attt_stmt_text(st, 3), attt_stmt_text(st, 4) };
	e = attt__notify_build(&m, smtp, out);
out:
	attt_stmt_finalize(st);
	return e;
}
