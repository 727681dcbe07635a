/*
 * incident.c: the incident record (R8.8), severities (R11.1), the five-step workflow (R11.2) and
 * escalation with deadlines (R11.3). See include/attt/incident.h for the contract.
 *
 * Invariants: every change runs in one transaction that also writes its incident_event row (the
 * timeline) and exactly one audit event; notifications are enqueued in that same transaction, so an
 * escalation is notified if and only if it committed. Step 0 is "closed" and accepts no action.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "attt/db.h"
#include "attt/err.h"
#include "attt/incident.h"
#include "attt/limits.h"
#include "attt/notify.h"
#include "attt/str.h"
#include "attt/text.h"
#include "incident-int.h"

#define US_PER_HOUR INT64_C(3600000000)

/* ---- tables ---------------------------------------------------------------------------------- */

struct action_def {
	const char *name;
	int from, to;
	unsigned roles; /* bit (1 << role) */
};

#define RB(r) (1u << (ATTT_ROLE_##r))
/* R11.2: who takes which step. The agency's security officer and head run steps 1-3 and 5; the
 * response team (or the authority) closes the coordinated response of step 4; the authority may
 * also sign the closing of step 5, whose Mẫu 04 goes to it. */
static const struct action_def actions[ATTT_INCIDENT_ACTION_COUNT] = {
	[ATTT_INCIDENT_OWN] = { "own", 1, 2, RB(SECURITY_OFFICER) | RB(AGENCY_HEAD) },
	[ATTT_INCIDENT_HOSTED] = { "hosted", 1, 3, RB(SECURITY_OFFICER) | RB(AGENCY_HEAD) },
	[ATTT_INCIDENT_RESOLVED] = { "resolved", 2, ATTT_INCIDENT_CLOSED, RB(SECURITY_OFFICER) | RB(AGENCY_HEAD) },
	[ATTT_INCIDENT_BEYOND] = { "beyond", 2, 3, RB(SECURITY_OFFICER) | RB(AGENCY_HEAD) },
	[ATTT_INCIDENT_REPORTED] = { "reported", 3, 4, RB(SECURITY_OFFICER) | RB(AGENCY_HEAD) },
	[ATTT_INCIDENT_COORDINATED] = { "coordinated", 4, 5, RB(RESPONSE_TEAM) | RB(AUTHORITY) },
	[ATTT_INCIDENT_CLOSE] = { "close", 5, ATTT_INCIDENT_CLOSED,
				  RB(SECURITY_OFFICER) | RB(AGENCY_HEAD) | RB(AUTHORITY) },
};
#undef RB

const char *attt_incident_action_name(int a)
{
	return (a >= 0 && a < ATTT_INCIDENT_ACTION_COUNT) ? actions[a].name : NULL;
}

int attt_incident_action_parse(const char *s, enum attt_incident_action *ret)
{
	for (int i = 0; s && i < ATTT_INCIDENT_ACTION_COUNT; i++)
		if (strcmp(s, actions[i].name) == 0) {
			*ret = (enum attt_incident_action)i;
			return ATTT_OK;
		}
	return ATTT_E_INVAL;
}

int attt_incident_action_from(enum attt_incident_action a)
{
	return ((int)a >= 0 && a < ATTT_INCIDENT_ACTION_COUNT) ? actions[a].from : -1;
}

int attt_incident_action_to(enum attt_incident_action a)
{
	return ((int)a >= 0 && a < ATTT_INCIDENT_ACTION_COUNT) ? actions[a].to : -1;
}

bool attt_incident_role_may(enum attt_role role, enum attt_incident_action a)
{
	if ((int)a < 0 || a >= ATTT_INCIDENT_ACTION_COUNT || (int)role < 0 || (int)role > 31)
		return false;
	return (actions[a].roles & (1u << role)) != 0;
}

static const char *const sev_cli[ATTT_SEVERITY_COUNT] = { "thap", "trung-binh", "cao", "khan-cap" };
static const char *const sev_id[ATTT_SEVERITY_COUNT] = { "low", "medium", "high", "emergency" };
static const char *const sev_vi[ATTT_SEVERITY_COUNT] = { "Thấp", "Trung bình", "Cao", "Khẩn cấp" };

const char *attt_incident_severity_name(enum attt_severity s)
{
	return ((int)s >= 0 && s < ATTT_SEVERITY_COUNT) ? sev_cli[s] : "unknown";
}

int attt_incident_severity_parse(const char *s, enum attt_severity *ret)
{
	for (int i = 0; s && i < ATTT_SEVERITY_COUNT; i++)
		if (strcmp(s, sev_cli[i]) == 0 || strcmp(s, sev_id[i]) == 0) {
			*ret = (enum attt_severity)i;
			return ATTT_OK;
		}
	return ATTT_E_INVAL;
}

static int sev_from_id(const char *s)
{
	for (int i = 0; s && i < ATTT_SEVERITY_COUNT; i++)
		if (strcmp(s, sev_id[i]) == 0)
			return i;
	return 0;
}

static const char *const types[] = {
#define T(id, vi) id,
	ATTT_INCIDENT_TYPES(T)
#undef T
};

bool attt_incident_type_valid(const char *id)
{
	for (size_t i = 0; id && i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(id, types[i]) == 0)
			return true;
	return false;
}

/* R11.1 (Điều 11.1 a-d): several main activities or a defaced website: Khẩn cấp; one main activity
 * interrupted: Cao; a group of users without interruption: Trung bình; one user: Thấp. */
enum attt_severity attt_incident_suggest_severity(const struct attt_incident_answers *a)
{
	if (a->website_defaced || (a->main_interrupted && a->several_main))
		return ATTT_SEVERITY_EMERGENCY;
	if (a->main_interrupted)
		return ATTT_SEVERITY_HIGH;
	if (a->group)
		return ATTT_SEVERITY_MEDIUM;
	return ATTT_SEVERITY_LOW;
}

/* ---- helpers --------------------------------------------------------------------------------- */

/* NFC copy of s; required fields must be non-empty after trimming. NULL stays NULL when optional. */
int attt__incident_norm(const char *s, size_t max, bool required, char **ret)
{
	char *p = NULL;
	int r;

	if (!s) {
		if (required)
			return ATTT_E_INVAL;
		*ret = NULL;
		return ATTT_OK;
	}
	r = attt_text_nfc(s, strlen(s), max, &p);
	if (r < 0)
		return r;
	if (required && *attt_str_trim(p) == '\0') {
		free(p);
		return ATTT_E_INVAL;
	}
	*ret = p;
	return ATTT_OK;
}

const char *attt__incident_actor_name(const struct attt_actor *a)
{
	return (a && a->username) ? a->username : "system";
}

int attt__incident_timeline(struct attt_db *db, int64_t id, int64_t at, const struct attt_actor *actor, const char *kind,
		    const char *from, const char *to, const char *detail)
{
	struct attt_stmt *st = NULL;
	int r = attt_db_prepare_cached(db,
				       "INSERT INTO incident_event (incident_id, at, actor, kind, from_value, to_value, "
				       "detail) VALUES (?, ?, ?, ?, ?, ?, ?)",
				       &st);
	if (r < 0)
		return r;
	if ((r = attt_stmt_bind_int64(st, 1, id)) < 0 || (r = attt_stmt_bind_int64(st, 2, at)) < 0 ||
	    (r = attt_stmt_bind_text(st, 3, attt__incident_actor_name(actor))) < 0 || (r = attt_stmt_bind_text(st, 4, kind)) < 0 ||
	    (r = attt_stmt_bind_text(st, 5, from)) < 0 || (r = attt_stmt_bind_text(st, 6, to)) < 0 ||
	    (r = attt_stmt_bind_text(st, 7, detail)) < 0)
		goto out;
	r = attt_stmt_step(st);
	if (r > 0)
		r = ATTT_E_DB;
out:
	attt_stmt_finalize(st);
	return r;
}

/* One audit event (category data) about incident id; summary is consumed. */
int attt__incident_audit(struct attt_db *db, const struct attt_clock *clock, const struct attt_actor *actor,
			 const char *action, int64_t id, int64_t agency_id, enum attt_audit_outcome outcome, const char *rule,
			 json_t *summary)
{
	return attt__incident_audit_cat(db, clock, actor, ATTT_AUDIT_DATA, action, id, agency_id, outcome, rule,
					summary);
}

int attt__incident_audit_cat(struct attt_db *db, const struct attt_clock *clock, const struct attt_actor *actor,
			     enum attt_audit_category cat, const char *action, int64_t id, int64_t agency_id,
			     enum attt_audit_outcome outcome, const char *rule, json_t *summary)
{
	char sid[24];
	char *text = NULL;
	int r;

	if (summary) {
		text = json_dumps(summary, JSON_COMPACT | JSON_SORT_KEYS);
		json_decref(summary);
		if (!text)
			return ATTT_E_NOMEM;
	}
	r = attt_str_printf(sid, sizeof(sid), "%lld", (long long)id);
	if (r == ATTT_OK) {
		struct attt_audit_event ev = {
			.category = cat, .action = action, .object_type = "incident",
			.object_id = sid, .agency_id = agency_id, .outcome = outcome, .rule = rule,
			.summary = text,
		};
		r = attt_audit_append(db, clock, actor, &ev, NULL);
	}
	free(text);
	return r;
}

struct row {
	int64_t agency_id;
	int severity;
	int step;
	int64_t escalated_at, notice_due_at, report_due_at;
	char title[ATTT_INCIDENT_MAX_TITLE + 1];
};

static int load(struct attt_db *db, int64_t id, struct row *ret)
{
	struct attt_stmt *st = NULL;
	struct row w;
	int r;

	memset(&w, 0, sizeof(w));
	r = attt__incident_row(db,
			       "SELECT agency_id, severity, step, escalated_at, notice_due_at, report_due_at, title "
			       "FROM incident WHERE id = ?",
			       id, &st);
	if (r < 0)
		return r;
	w.agency_id = attt_stmt_int64(st, 0);
	w.severity = sev_from_id(attt_stmt_text(st, 1));
	w.step = (int)attt_stmt_int64(st, 2);
	w.escalated_at = attt_stmt_int64(st, 3);
	w.notice_due_at = attt_stmt_int64(st, 4);
	w.report_due_at = attt_stmt_int64(st, 5);
	attt_str_copy(w.title, sizeof(w.title), attt_stmt_text(st, 6) ? attt_stmt_text(st, 6) : "");
	*ret = w;
	attt_stmt_finalize(st);
	return ATTT_OK;
}

int attt__incident_row(struct attt_db *db, const char *sql, int64_t id, struct attt_stmt **ret)
{
	struct attt_stmt *st = NULL;
	int r = attt_db_prepare_cached(db, sql, &st);

	if (r < 0)
		goto fail;
	if ((r = attt_stmt_bind_int64(st, 1, id)) < 0 || (r = attt_stmt_step(st)) < 0)
		goto fail;
	if (r == 0) {
		r = ATTT_E_NOTFOUND;
		goto fail;
	}
	*ret = st;
	return ATTT_OK;
fail:
	attt_stmt_finalize(st);
	*ret = NULL;
	return r;
}

int attt__incident_agency_step(struct attt_db *db, int64_t id, int64_t *ret_agency, int *ret_step)
{
	struct row w;
	int r = load(db, id, &w);

	if (r < 0)
		return r;
	*ret_agency = w.agency_id;
	*ret_step = w.step;
	return ATTT_OK;
}

void attt__incident_fmt_time(int64_t t, char *buf, size_t size)
{
	if (t == 0 || attt_time_local(t, buf, size) < 0)
		attt_str_copy(buf, size, "-");
}

int attt__incident_enqueue(struct attt_db *db, const struct attt_clock *clock, const struct attt_notify_msg *m)
{
	int r = attt_notify_enqueue(db, clock, m, NULL);
	if (r == ATTT_E_INVAL && m->to_address) { /* an unusable address: the inbox still gets it */
		struct attt_notify_msg inbox = *m;
		inbox.to_address = NULL;
		r = attt_notify_enqueue(db, clock, &inbox, NULL);
	}
	return r;
}

/* The template variables of escalate() beyond attt__incident_template_vars: severity, reason and
 * the deadlines. */
static int escalate_vars(const struct row *w, const char *why, int64_t notice_due, int64_t report_due, json_t *vars)
{
	char nd[40], rd[40], deadline[160];

	attt__incident_fmt_time(notice_due, nd, sizeof(nd));
	attt__incident_fmt_time(report_due, rd, sizeof(rd));
	/* R11.3: the deadlines the active profile sets (Thông tư 20 has no separate report deadline). */
	if (report_due)
		attt_str_printf(deadline, sizeof(deadline), "thông báo sự cố %s; báo cáo %s", nd, rd);
	else if (notice_due)
		attt_str_printf(deadline, sizeof(deadline), "thông báo sự cố %s", nd);
	else
		attt_str_copy(deadline, sizeof(deadline), "theo quy chế của cơ quan");
	if (json_object_set_new(vars, "severity", json_string(sev_vi[w->severity])) < 0 ||
	    json_object_set_new(vars, "reason",
				json_string(strcmp(why, "beyond") == 0 ? "vượt quá khả năng xử lý của cơ quan"
								       : "mức độ nghiêm trọng")) < 0 ||
	    json_object_set_new(vars, "deadline", json_string(deadline)) < 0)
		return ATTT_E_NOMEM;
	return ATTT_OK;
}

/* R11.3: notifies the superior agency's security officers and heads and the authority accounts
 * over the incident's agency (inbox, and mail when the account's person has an address) with the incident.escalated template,
 * sets the deadlines of the profile on the first escalation, and records the escalation on the
 * timeline. why: "severity" or "beyond" (notification kind incident.beyond_capacity). */
static int escalate(struct attt_db *db, const struct attt_clock *clock, const struct attt_policy *pol,
		    const struct attt_actor *actor, int64_t id, const char *why)
{
	const struct attt_policy_values *v = pol ? attt_policy_values(pol) : NULL;
	struct attt_stmt *st = NULL;
	struct row w;
	json_t *vars = NULL;
	int64_t now = attt_now_us(clock), notice_h = 0, report_h = 0, parent = 0;
	int64_t notice_due, report_due;
	char detail[128];
	unsigned sent = 0;
	int r;

	r = load(db, id, &w);
	if (r < 0)
		return r;
	if (v) {
		notice_h = v->incident_serious_first_notice_h > 0 ? v->incident_serious_first_notice_h
								  : v->incident_notice_deadline_h;
		report_h = v->incident_report_deadline_h;
	}
	notice_due = w.notice_due_at ? w.notice_due_at : (notice_h > 0 ? now + notice_h * US_PER_HOUR : 0);
	report_due = w.report_due_at ? w.report_due_at : (report_h > 0 ? now + report_h * US_PER_HOUR : 0);
	r = attt_db_prepare_cached(db,
				   "UPDATE incident SET escalated_at = CASE WHEN escalated_at = 0 THEN ? ELSE escalated_at "
				   "END, notice_due_at = ?, report_due_at = ? WHERE id = ?",
				   &st);
	if (r < 0)
		return r;
	if ((r = attt_stmt_bind_int64(st, 1, now)) < 0 || (r = attt_stmt_bind_int64(st, 2, notice_due)) < 0 ||
	    (r = attt_stmt_bind_int64(st, 3, report_due)) < 0 || (r = attt_stmt_bind_int64(st, 4, id)) < 0 ||
	    (r = attt_stmt_step(st)) < 0)
		goto out;
	attt_stmt_finalize(st);
	st = NULL;

	r = attt_db_prepare_cached(db, "SELECT COALESCE(parent_id, 0) FROM agency WHERE id = ?", &st);
	if (r < 0)
		goto out;
	if ((r = attt_stmt_bind_int64(st, 1, w.agency_id)) < 0 || (r = attt_stmt_step(st)) < 0)
		goto out;
	if (r > 0)
		parent = attt_stmt_int64(st, 0);
	attt_stmt_finalize(st);
	st = NULL;

	if ((r = attt__incident_template_vars(db, id, &vars)) < 0 ||
	    (r = escalate_vars(&w, why, notice_due, report_due, vars)) < 0)
		goto out;
	/* The authority accounts whose subtree holds the incident's agency (an authority granted on
	 * another subtree only is told nothing of it: it may not read it either). */
	r = attt_db_prepare(db,
			    "SELECT a.id FROM account a WHERE a.status <> 'disabled' AND a.id IN "
			    "(SELECT g.account_id FROM role_grant g WHERE (g.role = 'authority' AND (COALESCE(g.agency_id, 0) = 0 "
			    "OR EXISTS (SELECT 1 FROM agency x, agency y WHERE x.id = ? AND y.id = g.agency_id "
			    "AND substr(x.path, 1, length(y.path)) = y.path))) OR "
			    "(g.role IN ('security_officer', 'agency_head') AND g.agency_id = ?)) ORDER BY a.id",
			    &st);
	if (r < 0)
		goto out;
	if ((r = attt_stmt_bind_int64(st, 1, w.agency_id)) < 0 || (r = attt_stmt_bind_int64(st, 2, parent)) < 0)
		goto out;
	while ((r = attt_stmt_step(st)) > 0) {
		int e = attt__incident_notify_account(db, clock, attt_stmt_int64(st, 0),
						      strcmp(why, "beyond") == 0 ? "incident.beyond_capacity"
										 : "incident.escalated",
						      "incident.escalated", vars, id);
		if (e < 0) {
			r = e;
			goto out;
		}
		sent += (unsigned)e;
	}
	if (r < 0)
		goto out;
	r = attt_str_printf(detail, sizeof(detail), "{\"recipients\":%u,\"superior_agency_id\":%lld}", sent,
			    (long long)parent);
	if (r < 0)
		goto out;
	r = attt__incident_timeline(db, id, now, actor, "escalate", NULL, why, detail);
out:
	attt_stmt_finalize(st);
	json_decref(vars);
	return r;
}

static bool sev_escalates(const struct attt_policy *pol, int s)
{
	if (!pol)
		return false;
	return attt_policy_values(pol)->severities[s].escalate;
}

/* ---- report ---------------------------------------------------------------------------------- */

struct report_ctx {
	const struct attt_clock *clock;
	const struct attt_policy *pol;
	const struct attt_actor *actor;
	const struct attt_incident_new *in;
	char *title, *desc, *reporter, *system;
	int64_t id;
};

/* R8.8, R18.2: "báo ngay cho cán bộ chuyên trách": every active account holding security_officer
 * on the incident's agency gets incident.reported (inbox, and mail when its person has an address),
 * in the report's transaction; the reporter is not told of their own report. Returns the count told. */
static int notify_reported(struct attt_db *db, const struct report_ctx *c)
{
	json_t *vars = NULL;
	int r;

	if ((r = attt__incident_template_vars(db, c->id, &vars)) < 0)
		return r;
	if (json_object_set_new(vars, "reporter",
				json_string(c->reporter ? c->reporter : attt__incident_actor_name(c->actor))) < 0)
		r = ATTT_E_NOMEM;
	else
		r = attt__incident_notify_officers(db, c->clock, c->in->agency_id, c->actor ? c->actor->account_id : 0,
						   "incident.reported", "incident.reported", vars, c->id);
	json_decref(vars);
	return r;
}

static int report_tx(struct attt_db *db, void *vctx)
{
	struct report_ctx *c = vctx;
	const struct attt_incident_new *in = c->in;
	struct attt_stmt *st = NULL;
	int64_t now = attt_now_us(c->clock);
	int64_t detected = in->detected_at ? in->detected_at : now;
	int r;

	r = attt_db_prepare_cached(db,
				   "INSERT INTO incident (agency_id, title, description, detected_at, reported_at, reporter, "
				   "reporter_account_id, reporter_person_id, affected_system, incident_type, severity, "
				   "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
				   &st);
	if (r < 0)
		return r;
	if ((r = attt_stmt_bind_int64(st, 1, in->agency_id)) < 0 || (r = attt_stmt_bind_text(st, 2, c->title)) < 0 ||
	    (r = attt_stmt_bind_text(st, 3, c->desc)) < 0 || (r = attt_stmt_bind_int64(st, 4, detected)) < 0 ||
	    (r = attt_stmt_bind_int64(st, 5, now)) < 0 ||
	    (r = attt_stmt_bind_text(st, 6, c->reporter ? c->reporter : attt__incident_actor_name(c->actor))) < 0)
		goto out;
	r = in->reporter_account_id ? attt_stmt_bind_int64(st, 7, in->reporter_account_id) : attt_stmt_bind_null(st, 7);
	if (r < 0)
		goto out;
	r = in->reporter_person_id ? attt_stmt_bind_int64(st, 8, in->reporter_person_id) : attt_stmt_bind_null(st, 8);
	if (r < 0)
		goto out;
	if ((r = attt_stmt_bind_text(st, 9, c->system)) < 0 ||
	    (r = attt_stmt_bind_text(st, 10, in->incident_type ? in->incident_type : "other")) < 0 ||
	    (r = attt_stmt_bind_text(st, 11, sev_id[in->severity])) < 0 || (r = attt_stmt_bind_int64(st, 12, now)) < 0)
		goto out;
	r = attt_stmt_step(st);
	if (r == 0)
		r = ATTT_E_DB;
	if (r < 0)
		goto out;
	c->id = attt_stmt_int64(st, 0);
	(void)attt_stmt_step(st);
	attt_stmt_finalize(st);
	st = NULL;
	/* R8.8: the report opens the timeline. */
	r = attt__incident_timeline(db, c->id, now, c->actor, "report", NULL, sev_cli[in->severity], c->title);
	if (r < 0)
		goto out;
	r = attt__incident_audit(db, c->clock, c->actor, "incident.report", c->id, in->agency_id, ATTT_AUDIT_SUCCESS, "R8.8",
		  json_pack("{s:s,s:s,s:s}", "title", c->title, "severity", sev_cli[in->severity], "type",
			    in->incident_type ? in->incident_type : "other"));
	if (r < 0)
		goto out;
	/* R8.8, R18.2: the agency's security officers hear of every report at once. */
	if ((r = notify_reported(db, c)) < 0)
		goto out;
	r = ATTT_OK;
	/* R11.3: a serious incident is escalated as soon as it is reported. */
	if (sev_escalates(c->pol, (int)in->severity))
		r = escalate(db, c->clock, c->pol, c->actor, c->id, "severity");
out:
	attt_stmt_finalize(st);
	return r;
}

int attt_incident_report(struct attt_db *db, const struct attt_clock *clock, const struct attt_policy *pol,
			 const struct attt_actor *actor, const struct attt_incident_new *in, int64_t *ret_id)
{
	struct report_ctx c = { .clock = clock, .pol = pol, .actor = actor, .in = in };
	int r;

	if (!in || in->agency_id <= 0 || (int)in->severity < 0 || in->severity >= ATTT_SEVERITY_COUNT)
		return ATTT_E_INVAL;
	if (in->incident_type && !attt_incident_type_valid(in->incident_type))
		return ATTT_E_INVAL;
	if (in->detected_at < 0 || in->detected_at > attt_now_us(clock))
		return ATTT_E_INVAL;
	if ((r = attt__incident_norm(in->title, ATTT_INCIDENT_MAX_TITLE, true, &c.title)) < 0 ||
	    (r = attt__incident_norm(in->description, ATTT_MAX_TEXT, true, &c.desc)) < 0 ||
	    (r = attt__incident_norm(in->reporter, ATTT_INCIDENT_MAX_TITLE, false, &c.reporter)) < 0 ||
	    (r = attt__incident_norm(in->affected_system, ATTT_MAX_TEXT, false, &c.system)) < 0)
		goto out;
	r = attt_db_tx(db, report_tx, &c);
	if (r == ATTT_E_CONFLICT)
		r = ATTT_E_NOTFOUND; /* the agency (or reporter account/person) does not exist */
	if (r >= 0) {
		*ret_id = c.id;
		r = ATTT_OK;
	}
out:
	free(c.title);
	free(c.desc);
	free(c.reporter);
	free(c.system);
	return r;
}

/* ---- classify -------------------------------------------------------------------------------- */

struct change_ctx {
	const struct attt_clock *clock;
	const struct attt_policy *pol;
	const struct attt_actor *actor;
	int64_t id;
	int sev;
	enum attt_role role;
	enum attt_incident_action action;
	int64_t account;
	const char *kind, *value;
	char *text;
};

static int classify_tx(struct attt_db *db, void *vctx)
{
	struct change_ctx *c = vctx;
	struct attt_stmt *st = NULL;
	struct row w;
	int64_t now = attt_now_us(c->clock);
	int r = load(db, c->id, &w);

	if (r < 0)
		return r;
	if (w.step == ATTT_INCIDENT_CLOSED)
		return ATTT_E_STATE;
	if (w.severity == c->sev)
		return ATTT_E_CONFLICT;
	r = attt_db_prepare_cached(db, "UPDATE incident SET severity = ?, updated_at = ? WHERE id = ?", &st);
	if (r < 0)
		return r;
	if ((r = attt_stmt_bind_text(st, 1, sev_id[c->sev])) < 0 || (r = attt_stmt_bind_int64(st, 2, now)) < 0 ||
	    (r = attt_stmt_bind_int64(st, 3, c->id)) < 0 || (r = attt_stmt_step(st)) < 0)
		goto out;
	/* R11.1: every change of severity is recorded with its reason. */
	r = attt__incident_timeline(db, c->id, now, c->actor, "classify", sev_cli[w.severity], sev_cli[c->sev], c->text);
	if (r < 0)
		goto out;
	r = attt__incident_audit(db, c->clock, c->actor, "incident.classify", c->id, w.agency_id, ATTT_AUDIT_SUCCESS, "R11.1",
		  json_pack("{s:s,s:s,s:s}", "from", sev_cli[w.severity], "to", sev_cli[c->sev], "reason", c->text));
	if (r < 0)
		goto out;
	/* R11.3: raising to an escalating severity notifies at once. */
	if (sev_escalates(c->pol, c->sev) && !sev_escalates(c->pol, w.severity))
		r = escalate(db, c->clock, c->pol, c->actor, c->id, "severity");
out:
	attt_stmt_finalize(st);
	return r;
}

int attt_incident_classify(struct attt_db *db, const struct attt_clock *clock, const struct attt_policy *pol,
			   const struct attt_actor *actor, int64_t id, enum attt_severity sev, const char *reason)
{
	struct change_ctx c = { .clock = clock, .pol = pol, .actor = actor, .id = id, .sev = (int)sev };
	int r;

	if ((int)sev < 0 || sev >= ATTT_SEVERITY_COUNT)
		return ATTT_E_INVAL;
	r = attt__incident_norm(reason, ATTT_MAX_TEXT, true, &c.text);
	if (r < 0)
		return r;
	r = attt_db_tx(db, classify_tx, &c);
	free(c.text);
	return r < 0 ? r : ATTT_OK;
}

/* ---- advance --------------------------------------------------------------------------------- */

static int advance_tx(struct attt_db *db, void *vctx)
{
	struct change_ctx *c = vctx;
	const struct action_def *d = &actions[c->action];
	const struct attt_policy_values *v = c->pol ? attt_policy_values(c->pol) : NULL;
	struct attt_stmt *st = NULL;
	struct row w;
	int64_t now = attt_now_us(c->clock), closing_due = 0;
	char from[8], to[8];
	int r = load(db, c->id, &w);

	if (r < 0)
		return r;
	if (w.step != d->from)
		return ATTT_E_STATE;
	/* R11.2 step 5: the closing minutes (Mẫu 04) are due within the profile's time after the
	 * response ends. */
	if (c->action == ATTT_INCIDENT_COORDINATED && v && v->incident_closing_report_deadline_h > 0)
		closing_due = now + v->incident_closing_report_deadline_h * US_PER_HOUR;
	r = attt_db_prepare_cached(db,
				   "UPDATE incident SET step = ?, status = ?, closed_at = ?, updated_at = ?, "
				   "closing_due_at = CASE WHEN ? > 0 THEN ? ELSE closing_due_at END WHERE id = ?",
				   &st);
	if (r < 0)
		return r;
	if ((r = attt_stmt_bind_int64(st, 1, d->to)) < 0 ||
	    (r = attt_stmt_bind_text(st, 2, d->to == ATTT_INCIDENT_CLOSED ? "closed" : "open")) < 0 ||
	    (r = attt_stmt_bind_int64(st, 3, d->to == ATTT_INCIDENT_CLOSED ? now : 0)) < 0 ||
	    (r = attt_stmt_bind_int64(st, 4, now)) < 0 || (r = attt_stmt_bind_int64(st, 5, closing_due)) < 0 ||
	    (r = attt_stmt_bind_int64(st, 6, closing_due)) < 0 || (r = attt_stmt_bind_int64(st, 7, c->id)) < 0 ||
	    (r = attt_stmt_step(st)) < 0)
		goto out;
	attt_str_printf(from, sizeof(from), "%d", d->from);
	if (d->to == ATTT_INCIDENT_CLOSED)
		attt_str_copy(to, sizeof(to), "closed");
	else
		attt_str_printf(to, sizeof(to), "%d", d->to);
	r = attt__incident_timeline(db, c->id, now, c->actor, d->name, from, to, c->text);
	if (r < 0)
		goto out;
	r = attt__incident_audit(db, c->clock, c->actor, "incident.advance", c->id, w.agency_id, ATTT_AUDIT_SUCCESS, "R11.2",
		  json_pack("{s:s,s:s,s:s,s:s}", "action", d->name, "role", attt_role_name((int)c->role), "from", from,
			    "to", to));
	if (r < 0)
		goto out;
	/* R11.3: beyond the agency's capacity: the superior agency and the authority are told at once. */
	if (c->action == ATTT_INCIDENT_BEYOND)
		r = escalate(db, c->clock, c->pol, c->actor, c->id, "beyond");
out:
	attt_stmt_finalize(st);
	return r;
}

static int denied_tx(struct attt_db *db, void *vctx)
{
	struct change_ctx *c = vctx;
	struct row w;
	int r = load(db, c->id, &w);

	if (r < 0)
		return r;
	return attt__incident_audit(db, c->clock, c->actor, "incident.advance", c->id, w.agency_id, ATTT_AUDIT_DENIED, "R11.2",
		     json_pack("{s:s,s:s}", "action", actions[c->action].name, "role", attt_role_name((int)c->role)));
}

int attt_incident_advance(struct attt_db *db, const struct attt_clock *clock, const struct attt_policy *pol,
			  const struct attt_actor *actor, enum attt_role role, int64_t id,
			  enum attt_incident_action a, const char *text)
{
	struct change_ctx c = { .clock = clock, .pol = pol, .actor = actor, .id = id, .role = role, .action = a };
	int r;

	if ((int)a < 0 || a >= ATTT_INCIDENT_ACTION_COUNT)
		return ATTT_E_INVAL;
	if (!attt_incident_role_may(role, a)) {
		/* R11.2: a refused transition is audited too (outcome denied). */
		if (!attt_db_in_tx(db)) {
			r = attt_db_tx(db, denied_tx, &c);
			if (r < 0)
				return r;
		}
		return ATTT_E_PERM;
	}
	r = attt__incident_norm(text, ATTT_MAX_TEXT, true, &c.text);
	if (r < 0)
		return r;
	r = attt_db_tx(db, advance_tx, &c);
	free(c.text);
	return r < 0 ? r : ATTT_OK;
}

/* ---- assign, observe ------------------------------------------------------------------------- */

static int assign_tx(struct attt_db *db, void *vctx)
{
	struct change_ctx *c = vctx;
	struct attt_stmt *st = NULL;
	struct row w;
	int64_t now = attt_now_us(c->clock);
	char to[24];
	int r = load(db, c->id, &w);

	if (r < 0)
		return r;
	r = attt_db_prepare_cached(db, "UPDATE incident SET owner_account_id = ?, updated_at = ? WHERE id = ?", &st);
	if (r < 0)
		return r;
	r = c->account ? attt_stmt_bind_int64(st, 1, c->account) : attt_stmt_bind_null(st, 1);
	if (r < 0 || (r = attt_stmt_bind_int64(st, 2, now)) < 0 || (r = attt_stmt_bind_int64(st, 3, c->id)) < 0 ||
	    (r = attt_stmt_step(st)) < 0)
		goto out;
	attt_str_printf(to, sizeof(to), "%lld", (long long)c->account);
	r = attt__incident_timeline(db, c->id, now, c->actor, "assign", NULL, to, NULL);
	if (r < 0)
		goto out;
	r = attt__incident_audit(db, c->clock, c->actor, "incident.assign", c->id, w.agency_id, ATTT_AUDIT_SUCCESS, "R11.2",
		  json_pack("{s:I}", "owner_account_id", (json_int_t)c->account));
out:
	attt_stmt_finalize(st);
	return r;
}

int attt_incident_assign(struct attt_db *db, const struct attt_clock *clock, const struct attt_actor *actor,
			 int64_t id, int64_t account_id)
{
	struct change_ctx c = { .clock = clock, .actor = actor, .id = id, .account = account_id };
	int r;

	if (account_id < 0)
		return ATTT_E_INVAL;
	r = attt_db_tx(db, assign_tx, &c);
	if (r == ATTT_E_CONFLICT)
		r = ATTT_E_NOTFOUND; /* no such account */
	return r < 0 ? r : ATTT_OK;
}

static bool valid_observable(const char *kind, const char *v)
{
	size_t n = strlen(v);

	if (n == 0 || n > 2048)
		return false;
	if (strcmp(kind, "ip") == 0) {
		for (size_t i = 0; i < n; i++)
			if (!strchr("0123456789abcdefABCDEF.:", v[i]))
				return false;
		return n <= 45 && (strchr(v, '.') || strchr(v, ':'));
	}
	if (strcmp(kind, "domain") == 0) {
		for (size_t i = 0; i < n; i++)
			if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-", v[i]))
				return false;
		return n <= 253 && strchr(v, '.') && v[0] != '.' && v[0] != '-';
	}
	if (strcmp(kind, "hash") == 0) {
		for (size_t i = 0; i < n; i++)
			if (!strchr("0123456789abcdefABCDEF", v[i]))
				return false;
		return n >= 32 && n <= 128;
	}
	return strcmp(kind, "account") == 0 || strcmp(kind, "url") == 0 || strcmp(kind, "other") == 0;
}

static int observe_tx(struct attt_db *db, void *vctx)
{
	struct change_ctx *c = vctx;
	struct attt_stmt *st = NULL;
	struct row w;
	int64_t now = attt_now_us(c->clock);
	int r = load(db, c->id, &w);

	if (r < 0)
		return r;
	r = attt_db_prepare_cached(db,
				   "INSERT INTO incident_observable (incident_id, kind, value, created_at) VALUES (?, ?, ?, ?)",
				   &st);
	if (r < 0)
		return r;
	if ((r = attt_stmt_bind_int64(st, 1, c->id)) < 0 || (r = attt_stmt_bind_text(st, 2, c->kind)) < 0 ||
	    (r = attt_stmt_bind_text(st, 3, c->text)) < 0 || (r = attt_stmt_bind_int64(st, 4, now)) < 0 ||
	    (r = attt_stmt_step(st)) < 0)
		goto out;
	r = attt__incident_timeline(db, c->id, now, c->actor, "observable", NULL, c->text, c->kind);
	if (r < 0)
		goto out;
	r = attt__incident_audit(db, c->clock, c->actor, "incident.observe", c->id, w.agency_id, ATTT_AUDIT_SUCCESS, "R8.8",
		  json_pack("{s:s,s:s}", "kind", c->kind, "value", c->text));
out:
	attt_stmt_finalize(st);
	return r;
}

int attt_incident_observe(struct attt_db *db, const struct attt_clock *clock, const struct attt_actor *actor,
			  int64_t id, const char *kind, const char *value)
{
	struct change_ctx c = { .clock = clock, .actor = actor, .id = id, .kind = kind };
	int r;

	if (!kind || !value)
		return ATTT_E_INVAL;
	r = attt__incident_norm(value, 2048, true, &c.text);
	if (r < 0)
		return r;
	if (!valid_observable(kind, c.text)) {
		r = ATTT_E_INVAL;
		goto out;
	}
	r = attt_db_tx(db, observe_tx, &c);
out:
	free(c.text);
	return r < 0 ? r : ATTT_OK;
}

/* ---- JSON ------------------------------------------------------------------------------------ */

static json_t *jtime(int64_t t)
{
	char buf[40];
	if (t == 0 || attt_time_iso(t, buf, sizeof(buf)) < 0)
		return json_null();
	return json_string(buf);
}

json_t *attt__incident_jtime(int64_t t)
{
	return jtime(t);
}

static json_t *jtext(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *jid(int64_t v)
{
	return v ? json_integer((json_int_t)v) : json_null();
}

static int add_rows(struct attt_db *db, const char *sql, int64_t id, json_t *arr,
		    json_t *(*row)(struct attt_stmt *st))
{
	struct attt_stmt *st = NULL;
	int r = attt_db_prepare_cached(db, sql, &st);

	if (r < 0)
		return r;
	if ((r = attt_stmt_bind_int64(st, 1, id)) < 0)
		goto out;
	while ((r = attt_stmt_step(st)) > 0) {
		json_t *o = row(st);
		if (!o || json_array_append_new(arr, o) < 0) {
			r = ATTT_E_NOMEM;
			goto out;
		}
	}
out:
	attt_stmt_finalize(st);
	return r;
}

static json_t *event_row(struct attt_stmt *st)
{
	return json_pack("{s:o,s:s,s:s,s:o,s:o,s:o}", "at", jtime(attt_stmt_int64(st, 0)), "actor",
			 attt_stmt_text(st, 1), "kind", attt_stmt_text(st, 2), "from", jtext(attt_stmt_text(st, 3)),
			 "to", jtext(attt_stmt_text(st, 4)), "detail", jtext(attt_stmt_text(st, 5)));
}

static json_t *document_row(struct attt_stmt *st)
{
	return json_pack("{s:I,s:s,s:s,s:I,s:o,s:s}", "id", (json_int_t)attt_stmt_int64(st, 0), "form",
			 attt_stmt_text(st, 1), "sha256", attt_stmt_text(st, 2), "size",
			 (json_int_t)attt_stmt_int64(st, 3), "created_at", jtime(attt_stmt_int64(st, 4)), "created_by",
			 attt_stmt_text(st, 5));
}

static json_t *observable_row(struct attt_stmt *st)
{
	return json_pack("{s:s,s:s}", "kind", attt_stmt_text(st, 0), "value", attt_stmt_text(st, 1));
}

static json_t *notification_row(struct attt_stmt *st)
{
	return json_pack("{s:I,s:s,s:o,s:o,s:s,s:s,s:o}", "id", (json_int_t)attt_stmt_int64(st, 0), "kind",
			 attt_stmt_text(st, 1), "to", jtext(attt_stmt_text(st, 2)), "account_id",
			 jid(attt_stmt_int64(st, 3)), "subject", attt_stmt_text(st, 4), "state", attt_stmt_text(st, 5),
			 "created_at", jtime(attt_stmt_int64(st, 6)));
}

int attt_incident_get_json(struct attt_db *db, int64_t id, json_t **ret)
{
	struct attt_stmt *st = NULL;
	json_t *o = NULL, *tl = NULL, *obs = NULL, *nt = NULL, *docs = NULL;
	int r;

	r = attt__incident_row(db,
			       "SELECT agency_id, title, description, detected_at, reported_at, reporter, affected_system, "
			       "incident_type, severity, status, step, COALESCE(owner_account_id, 0), escalated_at, "
			       "notice_due_at, report_due_at, closing_due_at, closed_at, COALESCE(reporter_account_id, 0) "
			       "FROM incident WHERE id = ?",
			       id, &st);
	if (r < 0)
		return r;
	{
		int sev = sev_from_id(attt_stmt_text(st, 8));
		o = json_pack("{s:I,s:I,s:s,s:s,s:o,s:o,s:s,s:o,s:s,s:s,s:s,s:s,s:I,s:o,s:o,s:o,s:o,s:o,s:o,"
			      "s:{s:s,s:s}}",
			      "id", (json_int_t)id, "agency_id", (json_int_t)attt_stmt_int64(st, 0), "title",
			      attt_stmt_text(st, 1), "description", attt_stmt_text(st, 2), "detected_at",
			      jtime(attt_stmt_int64(st, 3)), "reported_at", jtime(attt_stmt_int64(st, 4)), "reporter",
			      attt_stmt_text(st, 5), "affected_system", jtext(attt_stmt_text(st, 6)), "incident_type",
			      attt_stmt_text(st, 7), "severity", sev_cli[sev], "severity_id", sev_id[sev], "status",
			      attt_stmt_text(st, 9), "step", (json_int_t)attt_stmt_int64(st, 10), "owner_account_id",
			      jid(attt_stmt_int64(st, 11)), "escalated_at", jtime(attt_stmt_int64(st, 12)),
			      "notice_due_at", jtime(attt_stmt_int64(st, 13)), "report_due_at",
			      jtime(attt_stmt_int64(st, 14)), "closing_due_at", jtime(attt_stmt_int64(st, 15)),
			      "closed_at", jtime(attt_stmt_int64(st, 16)), "guidance", "vi", ATTT_INCIDENT_MALWARE_VI,
			      "en", ATTT_INCIDENT_MALWARE_EN);
		if (o && json_object_set_new(o, "reporter_account_id", jid(attt_stmt_int64(st, 17))) < 0)
			r = ATTT_E_NOMEM;
	}
	if (r == ATTT_E_NOMEM)
		goto out;
	attt_stmt_finalize(st);
	st = NULL;
	tl = json_array();
	obs = json_array();
	nt = json_array();
	docs = json_array();
	if (!o || !tl || !obs || !nt || !docs) {
		r = ATTT_E_NOMEM;
		goto out;
	}
	r = add_rows(db, "SELECT at, actor, kind, from_value, to_value, detail FROM incident_event "
			 "WHERE incident_id = ? ORDER BY id", id, tl, event_row);
	if (r < 0)
		goto out;
	r = add_rows(db, "SELECT kind, value FROM incident_observable WHERE incident_id = ? ORDER BY id", id, obs,
		     observable_row);
	if (r < 0)
		goto out;
	r = add_rows(db, "SELECT id, kind, to_address, account_id, subject, state, created_at FROM notification "
			 "WHERE ref_type = 'incident' AND ref_id = ? ORDER BY id", id, nt, notification_row);
	if (r < 0)
		goto out;
	r = add_rows(db, "SELECT id, form, sha256, size, created_at, created_by FROM incident_document "
			 "WHERE incident_id = ? ORDER BY id", id, docs, document_row);
	if (r < 0)
		goto out;
	{
		json_t *links = NULL;
		if ((r = attt_incident_links_json(db, id, &links)) < 0)
			goto out;
		if (json_object_set_new(o, "links", links) < 0) {
			r = ATTT_E_NOMEM;
			goto out;
		}
	}
	if (json_object_set_new(o, "timeline", tl) < 0 || json_object_set_new(o, "observables", obs) < 0 ||
	    json_object_set_new(o, "notifications", nt) < 0 || json_object_set_new(o, "documents", docs) < 0) {
		tl = obs = nt = docs = NULL;
		r = ATTT_E_NOMEM;
		goto out;
	}
	tl = obs = nt = docs = NULL;
	*ret = o;
	o = NULL;
	r = ATTT_OK;
out:
	attt_stmt_finalize(st);
	json_decref(o);
	json_decref(tl);
	json_decref(obs);
	json_decref(nt);
	json_decref(docs);
	return r;
}

/* R11.3: an open incident one of whose deadlines still to meet has passed at now (one ? per
 * comparison): the notice and the report while the incident has not been reported to the
 * authority (steps 1 to 3), the Mẫu 04 closing report at step 5. attt_incident_sweep_deadlines uses
 * the same rule. */
#define OVERDUE                                                                                     \
	"(status = 'open' AND ((step BETWEEN 1 AND 3 AND ((notice_due_at > 0 AND notice_due_at < ?) OR " \
	"(report_due_at > 0 AND report_due_at < ?))) OR (step = 5 AND closing_due_at > 0 AND "          \
	"closing_due_at < ?)))"

int attt_incident_query_json(struct attt_db *db, const struct attt_incident_filter *f, json_t **ret)
{
	struct attt_stmt *st = NULL;
	json_t *items = NULL, *o = NULL;
	int64_t last = 0;
	bool more = false;
	int r;

	if (!f || f->limit < 1 || f->limit > ATTT_HTTP_MAX_PAGE || f->agency_id < 0 || f->after < 0 ||
	    f->reporter_account_id < 0)
		return ATTT_E_RANGE;
	/* One row beyond the page tells whether another page follows. */
	r = attt_db_prepare_cached(db,
				   "SELECT id, agency_id, title, severity, step, status, reported_at, notice_due_at, "
				   "CASE WHEN " OVERDUE " THEN 1 ELSE 0 END, COALESCE(reporter_account_id, 0) FROM incident "
				   "WHERE (? = 0 OR agency_id = ?) AND (? = 0 OR status = 'open') AND (? = 0 OR " OVERDUE ") "
				   "AND (? = 0 OR id < ?) AND (? = 0 OR reporter_account_id = ?) ORDER BY id DESC LIMIT ?",
				   &st);
	if (r < 0)
		return r;
	for (int i = 1; i <= 3; i++)
		if ((r = attt_stmt_bind_int64(st, i, f->now)) < 0 || (r = attt_stmt_bind_int64(st, i + 7, f->now)) < 0)
			goto out;
	if ((r = attt_stmt_bind_int64(st, 4, f->agency_id)) < 0 || (r = attt_stmt_bind_int64(st, 5, f->agency_id)) < 0 ||
	    (r = attt_stmt_bind_int64(st, 6, f->open_only ? 1 : 0)) < 0 ||
	    (r = attt_stmt_bind_int64(st, 7, f->overdue_only ? 1 : 0)) < 0 ||
	    (r = attt_stmt_bind_int64(st, 11, f->after)) < 0 || (r = attt_stmt_bind_int64(st, 12, f->after)) < 0 ||
	    (r = attt_stmt_bind_int64(st, 13, f->reporter_account_id)) < 0 ||
	    (r = attt_stmt_bind_int64(st, 14, f->reporter_account_id)) < 0 ||
	    (r = attt_stmt_bind_int64(st, 15, (int64_t)f->limit + 1)) < 0)
		goto out;
	items = json_array();
	if (!items) {
		r = ATTT_E_NOMEM;
		goto out;
	}
	while ((r = attt_stmt_step(st)) > 0) {
		json_t *it;
		if (json_array_size(items) >= (size_t)f->limit) {
			more = true;
			break;
		}
		last = attt_stmt_int64(st, 0);
		it = json_pack("{s:I,s:I,s:s,s:s,s:I,s:s,s:o,s:o,s:b,s:o}", "id", (json_int_t)last, "agency_id",
			       (json_int_t)attt_stmt_int64(st, 1), "title", attt_stmt_text(st, 2), "severity",
			       sev_cli[sev_from_id(attt_stmt_text(st, 3))], "step", (json_int_t)attt_stmt_int64(st, 4),
			       "status", attt_stmt_text(st, 5), "reported_at", jtime(attt_stmt_int64(st, 6)),
			       "notice_due_at", jtime(attt_stmt_int64(st, 7)), "overdue", attt_stmt_int64(st, 8) != 0,
			       "reporter_account_id", jid(attt_stmt_int64(st, 9)));
		if (!it || json_array_append_new(items, it) < 0) {
			r = ATTT_E_NOMEM;
			goto out;
		}
	}
	if (r < 0)
		goto out;
	o = json_pack("{s:O,s:I,s:o}", "items", items, "count", (json_int_t)json_array_size(items), "next",
		      more ? json_integer((json_int_t)last) : json_null());
	if (!o) {
		r = ATTT_E_NOMEM;
		goto out;
	}
	*ret = o;
	r = ATTT_OK;
out:
	attt_stmt_finalize(st);
	json_decref(items);
	return r;
}

int attt_incident_list_json(struct attt_db *db, int64_t agency_id, bool open_only, bool overdue_only, int64_t now,
			    int limit, json_t **ret)
{
	struct attt_incident_filter f = { .agency_id = agency_id, .open_only = open_only, .overdue_only = overdue_only,
					  .now = now, .limit = limit };
	return attt_incident_query_json(db, &f, ret);
}
