/*
 * sweep.c: R11.3 "deadlines approaching and missed are notified". The deadlines themselves are set
 * by escalation (incident.c: the notice and report deadlines of the active profile) and by the end
 * of the response (step 4 -> 5: the Mẫu 04 closing report). This sweep, run once a minute by
 * `attt serve` (src/attt/tick_incident.c) and by `attt incident sweep` from cron, tells each
 * deadline still to meet once as approaching and once as missed.
 *
 * Idempotence: the incident_deadline_notice row of (incident, deadline, kind) is inserted in the
 * same transaction as the notifications, its timeline row and its audit event; its primary key
 * refuses a second insert, so a second sweep (or a concurrent one) sends nothing.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "attt/db.h"
#include "attt/err.h"
#include "attt/incident.h"
#include "attt/policy.h"
#include "attt/str.h"
#include "incident-int.h"

#define US_PER_HOUR INT64_C(3600000000)
#define SWEEP_MAX 10000 /* incidents looked at by one sweep; the rest wait for the next */

enum { D_NOTICE, D_REPORT, D_CLOSING, D_COUNT };

static const struct {
	const char *id, *what_vi;
} deadlines[D_COUNT] = {
	[D_NOTICE] = { "notice", "thông báo sự cố" },
	[D_REPORT] = { "report", "báo cáo sự cố" },
	[D_CLOSING] = { "closing", "báo cáo kết thúc ứng phó (Mẫu 04)" },
};

struct due {
	int64_t id, agency, owner;
	int deadline;
	int64_t at;
};

struct notice_ctx {
	const struct attt_clock *clock;
	const struct due *d;
	bool missed;
	unsigned sent;
};

static const struct attt_actor sweep_actor = { .username = "system", .source = "sweep" };

/* The profile's hours for deadline d (what escalation and the response's end used), 0 unset. */
static int64_t profile_hours(const struct attt_policy *pol, int d)
{
	const struct attt_policy_values *v = pol ? attt_policy_values(pol) : NULL;

	if (!v)
		return 0;
	switch (d) {
	case D_NOTICE:
		return v->incident_serious_first_notice_h > 0 ? v->incident_serious_first_notice_h
							      : v->incident_notice_deadline_h;
	case D_REPORT: return v->incident_report_deadline_h;
	default: return v->incident_closing_report_deadline_h;
	}
}

static int notice_tx(struct attt_db *db, void *vctx)
{
	struct notice_ctx *c = vctx;
	const struct due *d = c->d;
	const char *kind = c->missed ? "missed" : "near";
	struct attt_stmt *st = NULL;
	int64_t now = attt_now_us(c->clock);
	json_t *vars = NULL;
	char when[32], detail[96];
	int r;

	c->sent = 0;
	r = attt_db_prepare_cached(db,
				   "INSERT INTO incident_deadline_notice (incident_id, deadline, kind, due_at, sent_at, "
				   "recipients) VALUES (?, ?, ?, ?, ?, 0)",
				   &st);
	if (r < 0)
		return r;
	if ((r = attt_stmt_bind_int64(st, 1, d->id)) < 0 || (r = attt_stmt_bind_text(st, 2, deadlines[d->deadline].id)) < 0 ||
	    (r = attt_stmt_bind_text(st, 3, kind)) < 0 || (r = attt_stmt_bind_int64(st, 4, d->at)) < 0 ||
	    (r = attt_stmt_bind_int64(st, 5, now)) < 0 || (r = attt_stmt_step(st)) < 0)
		goto out; /* ATTT_E_EXISTS: told already */
	attt_stmt_finalize(st);
	st = NULL;

	if ((r = attt__incident_template_vars(db, d->id, &vars)) < 0)
		goto out;
	attt__incident_fmt_time(d->at, when, sizeof(when));
	if (json_object_set_new(vars, "what", json_string(deadlines[d->deadline].what_vi)) < 0 ||
	    json_object_set_new(vars, "deadline", json_string(when)) < 0) {
		r = ATTT_E_NOMEM;
		goto out;
	}
	/* R11.3: the owner, the agency's security officers and the authority. */
	/* The authority: accounts whose authority grant's subtree holds the agency (not any authority). */
	r = attt_db_prepare(db,
			    "SELECT id FROM account WHERE status <> 'disabled' AND (id = ? OR id IN (SELECT g.account_id "
			    "FROM role_grant g WHERE (g.role = 'authority' AND (COALESCE(g.agency_id, 0) = 0 OR EXISTS "
			    "(SELECT 1 FROM agency x, agency y WHERE x.id = ? AND y.id = g.agency_id "
			    "AND substr(x.path, 1, length(y.path)) = y.path))) OR (g.role = 'security_officer' AND g.agency_id = ?))) "
			    "ORDER BY id",
			    &st);
	if (r < 0)
		goto out;
	if ((r = attt_stmt_bind_int64(st, 1, d->owner)) < 0 || (r = attt_stmt_bind_int64(st, 2, d->agency)) < 0 ||
	    (r = attt_stmt_bind_int64(st, 3, d->agency)) < 0)
		goto out;
	while ((r = attt_stmt_step(st)) > 0) {
		int e = attt__incident_notify_account(db, c->clock, attt_stmt_int64(st, 0),
						      c->missed ? "incident.deadline_missed" : "incident.deadline_near",
						      c->missed ? "incident.deadline_missed" : "incident.deadline_near",
						      vars, d->id);
		if (e < 0) {
			r = e;
			goto out;
		}
		c->sent += (unsigned)e;
	}
	if (r < 0)
		goto out;
	attt_stmt_finalize(st);
	st = NULL;
	r = attt_db_prepare_cached(db,
				   "UPDATE incident_deadline_notice SET recipients = ? WHERE incident_id = ? AND deadline = ? "
				   "AND kind = ?",
				   &st);
	if (r < 0)
		goto out;
	if ((r = attt_stmt_bind_int64(st, 1, c->sent)) < 0 || (r = attt_stmt_bind_int64(st, 2, d->id)) < 0 ||
	    (r = attt_stmt_bind_text(st, 3, deadlines[d->deadline].id)) < 0 || (r = attt_stmt_bind_text(st, 4, kind)) < 0 ||
	    (r = attt_stmt_step(st)) < 0)
		goto out;
	attt_str_printf(detail, sizeof(detail), "{\"recipients\":%u,\"due\":\"%s\"}", c->sent, when);
	r = attt__incident_timeline(db, d->id, now, &sweep_actor, c->missed ? "deadline_missed" : "deadline_near", NULL,
				    deadlines[d->deadline].id, detail);
	if (r < 0)
		goto out;
	r = attt__incident_audit(db, c->clock, &sweep_actor, c->missed ? "incident.deadline_missed" : "incident.deadline_near",
				 d->id, d->agency, ATTT_AUDIT_SUCCESS, "R11.3",
				 json_pack("{s:s,s:I,s:i}", "deadline", deadlines[d->deadline].id, "due_at", (json_int_t)d->at,
					   "recipients", (int)c->sent));
out:
	attt_stmt_finalize(st);
	json_decref(vars);
	return r;
}

/* The open incidents with a deadline still to meet (the rule of OVERDUE in incident.c). */
static int collect(struct attt_db *db, struct due **ret, size_t *ret_n)
{
	struct attt_stmt *st = NULL;
	struct due *v = NULL;
	size_t n = 0, cap = 0;
	int r;

	r = attt_db_prepare(db,
			    "SELECT id, agency_id, COALESCE(owner_account_id, 0), step, notice_due_at, report_due_at, "
			    "closing_due_at FROM incident WHERE status = 'open' AND ((step BETWEEN 1 AND 3 AND "
			    "(notice_due_at > 0 OR report_due_at > 0)) OR (step = 5 AND closing_due_at > 0)) ORDER BY id",
			    &st);
	if (r < 0)
		return r;
	while ((r = attt_stmt_step(st)) > 0 && n + D_COUNT <= SWEEP_MAX * D_COUNT) {
		int64_t at[D_COUNT] = { attt_stmt_int64(st, 4), attt_stmt_int64(st, 5), attt_stmt_int64(st, 6) };
		int step = (int)attt_stmt_int64(st, 3);

		if (step == 5)
			at[D_NOTICE] = at[D_REPORT] = 0; /* reported to the authority already */
		else
			at[D_CLOSING] = 0;
		for (int k = 0; k < D_COUNT; k++) {
			if (!at[k])
				continue;
			if (n == cap) {
				size_t nc = cap ? cap * 2 : 16;
				struct due *nv = realloc(v, nc * sizeof(*v));
				if (!nv) {
					r = ATTT_E_NOMEM;
					goto out;
				}
				v = nv;
				cap = nc;
			}
			v[n++] = (struct due){ .id = attt_stmt_int64(st, 0), .agency = attt_stmt_int64(st, 1),
					       .owner = attt_stmt_int64(st, 2), .deadline = k, .at = at[k] };
		}
	}
	if (r < 0)
		goto out;
	*ret = v;
	*ret_n = n;
	v = NULL;
	r = ATTT_OK;
out:
	attt_stmt_finalize(st);
	free(v);
	return r;
}

/* Whether (id, deadline, kind) was told already: read first, so that a quiet sweep writes nothing. */
static int told(struct attt_db *db, const struct due *d, bool missed, bool *ret)
{
	struct attt_stmt *st = NULL;
	int r = attt_db_prepare_cached(db,
				       "SELECT 1 FROM incident_deadline_notice WHERE incident_id = ? AND deadline = ? AND kind = ?",
				       &st);
	if (r < 0)
		return r;
	if ((r = attt_stmt_bind_int64(st, 1, d->id)) < 0 || (r = attt_stmt_bind_text(st, 2, deadlines[d->deadline].id)) < 0 ||
	    (r = attt_stmt_bind_text(st, 3, missed ? "missed" : "near")) < 0 || (r = attt_stmt_step(st)) < 0)
		goto out;
	*ret = r > 0;
	r = ATTT_OK;
out:
	attt_stmt_finalize(st);
	return r;
}

int attt_incident_sweep_deadlines(struct attt_db *db, const struct attt_clock *clock, const struct attt_policy *pol,
				  int64_t lead_us, struct attt_incident_sweep_stats *stats)
{
	struct attt_incident_sweep_stats s = { 0 };
	struct due *v = NULL;
	size_t n = 0;
	int64_t now = attt_now_us(clock);
	int r;

	if (lead_us < 0)
		return ATTT_E_INVAL;
	if (attt_db_in_tx(db))
		return ATTT_E_STATE;
	if ((r = collect(db, &v, &n)) < 0)
		return r;
	for (size_t i = 0; i < n; i++) {
		struct notice_ctx c = { .clock = clock, .d = &v[i] };
		int64_t lead = lead_us;
		bool done = false;

		if (!lead) {
			int64_t h = profile_hours(pol, v[i].deadline);
			lead = h > 0 ? h * US_PER_HOUR / 4 : ATTT_INCIDENT_DEFAULT_LEAD_H * US_PER_HOUR;
		}
		if (now >= v[i].at)
			c.missed = true;
		else if (now < v[i].at - lead)
			continue;
		if ((r = told(db, &v[i], c.missed, &done)) < 0)
			goto out;
		if (done)
			continue;
		r = attt_db_tx(db, notice_tx, &c);
		if (r == ATTT_E_EXISTS)
			continue; /* told already (this deadline and kind) */
		if (r < 0)
			goto out;
		if (c.missed)
			s.missed++;
		else
			s.near++;
		s.recipients += c.sent;
	}
	r = ATTT_OK;
	if (stats)
		*stats = s;
out:
	free(v);
	return r;
}
