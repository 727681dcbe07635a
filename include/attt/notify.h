/*
 * notify.h: notifications: a durable mail outbox in the database, delivered through an SMTP relay
 * (libcurl), and the in-app inbox.
 *
 * A caller enqueues a notification inside its own transaction, next to the change it tells about,
 * so that the notification exists if and only if the change committed (R11.3: escalation is
 * notified at once). Every notification for a person or an account also lands in that person's or
 * account's inbox in the app. attt_notify_deliver (run by the scheduler of `attt serve`, or by
 * `attt` commands) sends the due mails; a failed attempt is retried with exponential backoff and a
 * mail is never dropped: after the last attempt it is marked failed and stays, listed, until an
 * operator queues it again. Delivery is at least once: a process that dies after the relay accepted
 * a mail but before recording it sends it again; the stable Message-ID lets mail clients fold the
 * copies.
 *
 * Mail format: RFC 5322 headers Date (Asia/Ho_Chi_Minh, +0700), From, To, Subject (RFC 2047
 * encoded-words, UTF-8 base64), Message-ID "<notify.ID.CREATED@domain-of-from>", MIME-Version,
 * Content-Type text/plain; charset=UTF-8, Content-Transfer-Encoding base64.
 *
 * Templates: Vietnamese subject and body for the platform's notifications (attt_notify_template).
 *
 * Threads: functions take the caller's struct attt_db (one per thread); nothing else is shared.
 */
#ifndef ATTT_NOTIFY_H
#define ATTT_NOTIFY_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "attt/buf.h"
#include "attt/clock.h"

struct attt_db;

/* One notification to enqueue. Strings are borrowed for the call. */
struct attt_notify_msg {
	const char *kind;       /* what it is, e.g. "incident.escalated" ([a-z0-9._-], <= 64 bytes) */
	const char *to_address; /* mail address (addr-spec, ASCII, <= 254 bytes) or NULL: inbox only */
	int64_t person_id;      /* recipient person (inbox), 0 for none */
	int64_t account_id;     /* recipient account (inbox), 0 for none */
	const char *subject;    /* UTF-8, one line, <= ATTT_NOTIFY_MAX_SUBJECT bytes */
	const char *body;       /* UTF-8 plain text, <= ATTT_MAX_TEXT bytes */
	const char *ref_type;   /* what it refers to ("incident"), or NULL */
	int64_t ref_id;         /* id of that record, 0 for none */
};

/* Enqueues m: one outbox row (state "queued", due now, when there is an address; "inapp"
 * otherwise) and one inbox row when a person or account is given. Must be called inside the
 * caller's transaction (ATTT_E_STATE otherwise): it commits or rolls back with the caller's change.
 * ATTT_E_INVAL for a missing or malformed field (an address with spaces, CR/LF or no '@'; a
 * subject with a line break or control character; no recipient at all), ATTT_E_TOOBIG beyond the
 * limits, ATTT_E_CONFLICT when person_id or account_id does not exist. *ret_id (may be NULL) gets
 * the notification's id. */
int attt_notify_enqueue(struct attt_db *db, const struct attt_clock *clock, const struct attt_notify_msg *m,
			int64_t *ret_id);

/* The SMTP relay and the retry policy. Strings are borrowed for the call. */
struct attt_notify_smtp {
	const char *url;       /* "smtp://host[:port]" or "smtps://host[:port]" (TLS from the start) */
	const char *from;      /* sender address (envelope and From:) */
	const char *from_name; /* display name in From: (UTF-8), or NULL */
	const char *user;      /* SMTP AUTH user, or NULL for none */
	const char *password;  /* SMTP AUTH password, or NULL; never logged */
	bool starttls;         /* smtp:// only: require STARTTLS */
	bool insecure;         /* tests only: do not verify the relay's TLS certificate */
	long timeout_s;        /* per mail, 0: ATTT_NOTIFY_TIMEOUT_S */
	int max_attempts;      /* 0: ATTT_NOTIFY_MAX_ATTEMPTS */
	int64_t backoff_s;     /* first retry delay, doubled after each failure; 0: ATTT_NOTIFY_BACKOFF_S */
	int64_t backoff_max_s; /* ceiling of the delay; 0: ATTT_NOTIFY_BACKOFF_MAX_S */
};

struct attt_notify_stats {
	unsigned sent;    /* accepted by the relay */
	unsigned retried; /* failed, queued again with a later next_attempt_at */
	unsigned failed;  /* failed for the last time (state "failed") */
};

/* Sends up to max (1..ATTT_NOTIFY_MAX_BATCH) queued mails whose next_attempt_at is due at
 * clock's now, oldest first. Each mail is first claimed in its own short transaction (attempts + 1,
 * next_attempt_at moved past the send timeout, so that a concurrent deliverer skips it), then sent
 * outside any transaction, then recorded: "sent" with sent_at, or queued again at now + backoff
 * (backoff_s * 2^(attempts-1), at most backoff_max_s) with last_error, or "failed" after
 * max_attempts. Must not be called inside a transaction (ATTT_E_STATE). ATTT_E_CONFIG when smtp
 * has no url or from, or an invalid from. A relay that cannot be reached is not an error of this
 * function: it is counted in stats. stats may be NULL. */
int attt_notify_deliver(struct attt_db *db, const struct attt_clock *clock, const struct attt_notify_smtp *smtp,
			int max, struct attt_notify_stats *stats);

/* Queues a failed (or queued) mail again, due now, with its attempts reset to 0. ATTT_E_NOTFOUND
 * for an unknown id, ATTT_E_STATE for a sent or inbox-only notification. Call inside the caller's
 * transaction (the change is the caller's to audit). */
int attt_notify_requeue(struct attt_db *db, const struct attt_clock *clock, int64_t id);

/* Builds the complete mail (headers and base64 body, CRLF line ends) of notification id as it would
 * be sent with smtp, appended to out (for tests and for showing an operator the raw mail). */
int attt_notify_format(struct attt_db *db, const struct attt_notify_smtp *smtp, int64_t id, struct attt_buf *out);

/* One notification as JSON: {"id", "kind", "to", "person_id", "account_id", "subject", "body",
 * "ref_type", "ref_id", "state", "attempts", "next_attempt_at", "last_error", "created_at",
 * "sent_at"} (times as RFC 3339 UTC, null when 0; ids null when 0). */
int attt_notify_get(struct attt_db *db, int64_t id, json_t **ret);
/* The notifications of a record (ref_type, ref_id), oldest first, at most limit (1..
 * ATTT_HTTP_MAX_PAGE): for `attt incident show`. *ret is a new JSON array. */
int attt_notify_list_ref(struct attt_db *db, const char *ref_type, int64_t ref_id, int limit, json_t **ret);
/* Counts by state: {"queued": n, "sent": n, "failed": n, "inapp": n}. */
int attt_notify_counts(struct attt_db *db, json_t **ret);

/* The inbox of a person (person_id > 0), an account (account_id > 0), or both (the items addressed
 * to either; 0 for "not this one", at least one > 0, else ATTT_E_INVAL), newest first, after item id before_id (0: from the newest), at most limit items; unread_only
 * leaves out items read. Items: {"id", "notification_id", "kind", "subject", "body", "ref_type",
 * "ref_id", "created_at", "read": bool}. */
int attt_notify_inbox_list(struct attt_db *db, int64_t person_id, int64_t account_id, bool unread_only,
			   int64_t before_id, int limit, json_t **ret);
/* Unread items of that inbox. */
int attt_notify_inbox_unread(struct attt_db *db, int64_t person_id, int64_t account_id, int64_t *ret);
/* Marks item read for its owner (the person or account given, either when both, must own it: ATTT_E_NOTFOUND
 * otherwise, so that one user cannot probe another's inbox). Marking twice is not an error. */
int attt_notify_inbox_mark_read(struct attt_db *db, const struct attt_clock *clock, int64_t person_id,
				int64_t account_id, int64_t item_id);

/* Vietnamese templates. name is one of the names listed in docs/mail.md ("incident.reported",
 * "incident.escalated", "incident.deadline_near", "incident.deadline_missed", "incident.task_assigned",
 * "account.locked");
 * vars is an object of string (or integer) values for the {{placeholders}}. Fills subject and
 * body (initialised by the caller; appended to). ATTT_E_NOTFOUND for an unknown template,
 * ATTT_E_INVAL when a placeholder has no value (named in the debug log). */
int attt_notify_template(const char *name, const json_t *vars, struct attt_buf *subject, struct attt_buf *body);

#endif
