/*
 * incident-int.h: what the files of the incident module share (incident.c, work.c, sweep.c,
 * attach.c); not part of the public API. Every change of an incident writes one timeline row and one audit event
 * in the caller's transaction; these are the helpers that do it the same way everywhere.
 */
#ifndef ATTT_INCIDENT_INT_H
#define ATTT_INCIDENT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "attt/audit.h"
#include "attt/clock.h"

struct attt_db;

/* Prepares sql (cached), binds id to its one parameter and steps to the row: ATTT_OK with *ret on
 * that row (the caller finalizes it), ATTT_E_NOTFOUND when there is none, or another error; on any
 * error *ret is NULL. The read by id every record of the module starts with. */
int attt__incident_row(struct attt_db *db, const char *sql, int64_t id, struct attt_stmt **ret);

/* NFC copy of s into *ret (the caller frees it), at most max bytes; a required field must be
 * non-empty after trimming (ATTT_E_INVAL). NULL stays NULL when optional. */
int attt__incident_norm(const char *s, size_t max, bool required, char **ret);
/* The name an actor is recorded under on the timeline and as an uploader ("system" for none). */
const char *attt__incident_actor_name(const struct attt_actor *actor);
/* One incident_event row (the timeline) of incident id; strings may be NULL except kind. */
int attt__incident_timeline(struct attt_db *db, int64_t id, int64_t at, const struct attt_actor *actor,
			    const char *kind, const char *from, const char *to, const char *detail);
/* One audit event (category data, object "incident" id) with rule and summary (consumed, may be
 * NULL). */
int attt__incident_audit(struct attt_db *db, const struct attt_clock *clock, const struct attt_actor *actor,
			 const char *action, int64_t id, int64_t agency_id, enum attt_audit_outcome outcome,
			 const char *rule, json_t *summary);
/* The same in category cat (ATTT_AUDIT_ACCESS for a download, whose reading is the event). */
int attt__incident_audit_cat(struct attt_db *db, const struct attt_clock *clock, const struct attt_actor *actor,
			     enum attt_audit_category cat, const char *action, int64_t id, int64_t agency_id,
			     enum attt_audit_outcome outcome, const char *rule, json_t *summary);
/* RFC 3339 UTC string, or JSON null for 0. */
json_t *attt__incident_jtime(int64_t t);
/* "dd/mm/yyyy HH:MM" in Asia/Ho_Chi_Minh, "-" for 0. */
void attt__incident_fmt_time(int64_t t, char *buf, size_t size);
/* Agency and step of incident id: ATTT_E_NOTFOUND when there is none. */
int attt__incident_agency_step(struct attt_db *db, int64_t id, int64_t *ret_agency, int *ret_step);
struct attt_notify_msg;
/* attt_notify_enqueue of m; when m's address is refused as unusable, again without it, so that the
 * recipient's inbox still gets it. Call inside the caller's transaction. */
int attt__incident_enqueue(struct attt_db *db, const struct attt_clock *clock, const struct attt_notify_msg *m);
/* Fills template tmpl with vars (plus "recipient": the person's name or the username) and enqueues
 * it as kind for account_id (inbox, and mail when the account's person has a usable address),
 * referring to the incident. A disabled or unknown account is skipped. Returns 1 when enqueued, 0
 * when skipped, or an error. Call inside the caller's transaction. vars is borrowed (changed). */
int attt__incident_notify_account(struct attt_db *db, const struct attt_clock *clock, int64_t account_id,
				  const char *kind, const char *tmpl, json_t *vars, int64_t incident_id);
/* attt__incident_notify_account for every active account holding security_officer on agency but
 * except_account (0: none), in account order. Returns the count told, or an error. */
int attt__incident_notify_officers(struct attt_db *db, const struct attt_clock *clock, int64_t agency,
				   int64_t except_account, const char *kind, const char *tmpl, json_t *vars,
				   int64_t incident_id);
/* {"title", "agency" (name), "url", "id", "detected_at" (dd/mm/yyyy HH:MM), "system" (the affected
 * system, its first 1000 bytes, "-" for none)} of incident id for the templates; *ret is the
 * caller's. The title is whole: attt_notify_template cuts a long value where it goes into a subject. */
int attt__incident_template_vars(struct attt_db *db, int64_t id, json_t **ret);

#endif
