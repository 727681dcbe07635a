/*
 * work.c: the work around an incident (issue 5): tasks with assignees and due dates on both sides
 * of step 4 (R11.2: the agency and the provincial response team), links between incidents, and the
 * templated notification of one account that tasks and the deadline sweep (sweep.c) share.
 *
 * Invariants as in incident.c: every change runs in one transaction with its timeline row (on both
 * incidents for a link) and exactly one audit event; a notification is enqueued in that same
 * transaction. See include/attt/incident.h for the contract.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "attt/buf.h"
#include "attt/db.h"
#include "attt/err.h"
#include "attt/incident.h"
#include "attt/limits.h"
#include "attt/notify.h"
#include "attt/str.h"
#include "incident-int.h"

/* ---- one account, one templated notification ------------------------------------------------ */

int attt__incident_notify_account(struct attt_db *db, const struct attt_clock *clock, int64_t account_id,
				  const char *kind, const char *tmpl, json_t *vars, int64_t incident_id)
{
	struct attt_stmt *st = NULL;
	struct attt_buf subject, body;
	char *email = NULL;
	int64_t person = 0;
	int r;

	attt_buf_init(&subject, ATTT_NOTIFY_MAX_SUBJECT);
	attt_buf_init(&body, ATTT_MAX_TEXT);
	r = attt_db_prepare_cached(db,
				   "SELECT COALESCE(a.person_id, 0), p.email, COALESCE(p.full_name, a.username) FROM account a "
				   "LEFT JOIN person p ON p.id = a.person_id WHERE a.id = ? AND a.status <> 'disabled'",
				   &st);
	if (r < 0)
		goto out;
	if ((r = attt_stmt_bind_int64(st, 1, account_id)) < 0 || (r = attt_stmt_step(st)) < 0)
		goto out;
	if (r == 0) { /* a disabled or removed account is told nothing */
		r = ATTT_OK;
		goto out;
	}
	person = attt_stmt_int64(st, 0);
	if (attt_stmt_text(st, 1) && *attt_stmt_text(st, 1) && !(email = strdup(attt_stmt_text(st, 1)))) {
		r = ATTT_E_NOMEM;
		goto out;
	}
	if (json_object_set_new(vars, "recipient", json_string(attt_stmt_text(st, 2))) < 0) {
		r = ATTT_E_NOMEM;
		goto out;
	}
	attt_stmt_finalize(st);
	st = NULL;
	if ((r = attt_notify_template(tmpl, vars, &subject, &body)) < 0)
		goto out;
	{
		struct attt_notify_msg m = {
			.kind = kind, .to_address = email, .person_id = person, .account_id = account_id,
			.subject = attt_buf_str(&subject), .body = attt_buf_str(&body), .ref_type = "incident",
			.ref_id = incident_id,
		};
		r = attt__incident_enqueue(db, clock, &m);
	}
	if (r >= 0)
		r = 1;
out:
	attt_stmt_finalize(st);
	free(email);
	attt_buf_done(&subject);
	attt_buf_done(&body);
	return r;
}

int attt__incident_notify_officers(struct attt_db *db, const struct attt_clock *clock, int64_t agency,
				   int64_t except_account, const char *kind, const char *tmpl, json_t *vars,
				   int64_t incident_id)
{
	struct attt_stmt *st = NULL;
	int r, told = 0;

	r = attt_db_prepare(db,
			    "SELECT DISTINCT a.id FROM account a JOIN role_grant g ON g.account_id = a.id "
			    "WHERE g.role = 'security_officer' AND g.agency_id = ? AND a.status <> 'disabled' AND a.id <> ? "
			    "ORDER BY a.id",
			    &st);
	if (r < 0)
		return r;
	if ((r = attt_stmt_bind_int64(st, 1, agency)) < 0 || (r = attt_stmt_bind_int64(st, 2, except_account)) < 0)
		goto out;
	while ((r = attt_stmt_step(st)) > 0) {
		int e = attt__incident_notify_account(db, clock, attt_stmt_int64(st, 0), kind, tmpl, vars, incident_id);
		if (e < 0) {
			r = e;
			goto out;
		}
		told += e;
	}
	if (r >= 0)
		r = told;
out:
	attt_stmt_finalize(st);
	return r;
}

#define TEMPLATE_SYSTEM_MAX 1000 /* bytes of the affected system a notice shows */

/* The agency's name, the incident's whole title (a subject cuts it: attt_notify_template), its
 * detection time and affected system. */
int attt__incident_template_vars(struct attt_db *db, int64_t id, json_t **ret)
{
	struct attt_stmt *st = NULL;
	json_t *v = NULL;
	char url[64], when[40], system[TEMPLATE_SYSTEM_MAX + 8] = "-";
	const char *sys;
	size_t n;
	int r;

	r = attt__incident_row(db,
			       "SELECT i.title, COALESCE(a.name, ''), i.detected_at, COALESCE(i.affected_system, '') "
			       "FROM incident i LEFT JOIN agency a ON a.id = i.agency_id WHERE i.id = ?",
			       id, &st);
	if (r < 0)
		return r;
	attt_str_printf(url, sizeof(url), "attt incident show %lld (/api/v1/incidents/%lld)", (long long)id,
			(long long)id);
	attt__incident_fmt_time(attt_stmt_int64(st, 2), when, sizeof(when));
	/* A free-text system may be ATTT_MAX_TEXT bytes, as large as a whole body: its start is shown. */
	sys = attt_stmt_text(st, 3);
	n = strlen(sys);
	if (n > TEMPLATE_SYSTEM_MAX) {
		n = TEMPLATE_SYSTEM_MAX;
		while (n > 0 && ((unsigned char)sys[n] & 0xC0) == 0x80)
			n--; /* never inside a UTF-8 sequence */
		attt_str_printf(system, sizeof(system), "%.*s…", (int)n, sys);
	} else if (n > 0) {
		attt_str_copy(system, sizeof(system), sys);
	}
	v = json_pack("{s:s,s:s,s:s,s:I,s:s,s:s}", "title", attt_stmt_text(st, 0), "agency",
		      *attt_stmt_text(st, 1) ? attt_stmt_text(st, 1) : "cơ quan", "url", url, "id", (json_int_t)id,
		      "detected_at", when, "system", system);
	if (!v) {
		r = ATTT_E_NOMEM;
		goto out;
	}
	*ret = v;
	r = ATTT_OK;
out:
	attt_stmt_finalize(st);
	return r;
}

/* ---- R11.2 step 4: tasks --------------------------------------------------------------------- */

struct task_ctx {
	const struct attt_clock *clock;
	const struct attt_actor *actor;
	int64_t id, task, assignee, due_at;
	const char *side, *status;
	char *title, *note;
};

static int task_add_tx(struct attt_db *db, void *vctx)
{
	struct task_ctx *c = vctx;
	struct attt_stmt *st = NULL;
	int64_t now = attt_now_us(c->clock), agency = 0, n = 0;
	json_t *vars = NULL;
	char to[24], due[32];
	int step = 0, r;

	if ((r = attt__incident_agency_step(db, c->id, &agency, &step)) < 0)
		return r;
	if (step == ATTT_INCIDENT_CLOSED)
		return ATTT_E_STATE;
	r = attt_db_prepare_cached(db, "SELECT COUNT(*) FROM incident_task WHERE incident_id = ?", &st);
	if (r < 0)
		return r;
	if ((r = attt_stmt_bind_int64(st, 1, c->id)) < 0 || (r = attt_stmt_step(st)) < 0)
		goto out;
	n = attt_stmt_int64(st, 0);
	attt_stmt_finalize(st);
	st = NULL;
	if (n >= ATTT_INCIDENT_MAX_TASKS)
		return ATTT_E_TOOBIG;
	r = attt_db_prepare_cached(db,
				   "INSERT INTO incident_task (incident_id, title, side, assignee_account_id, due_at, created_at, "
				   "created_by, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
				   &st);
	if (r < 0)
		return r;
	if ((r = attt_stmt_bind_int64(st, 1, c->id)) < 0 || (r = attt_stmt_bind_text(st, 2, c->title)) < 0 ||
	    (r = attt_stmt_bind_text(st, 3, c->side)) < 0)
		goto out;
	r = c->assignee ? attt_stmt_bind_int64(st, 4, c->assignee) : attt_stmt_bind_null(st, 4);
	if (r < 0 || (r = attt_stmt_bind_int64(st, 5, c->due_at)) < 0 || (r = attt_stmt_bind_int64(st, 6, now)) < 0 ||
	    (r = attt_stmt_bind_text(st, 7, c->actor && c->actor->username ? c->actor->username : "system")) < 0 ||
	    (r = attt_stmt_bind_int64(st, 8, now)) < 0)
		goto out;
	r = attt_stmt_step(st);
	if (r == 0)
		r = ATTT_E_DB;
	if (r < 0)
		goto out;
	c->task = attt_stmt_int64(st, 0);
	(void)attt_stmt_step(st);
	attt_stmt_finalize(st);
	st = NULL;
	attt_str_printf(to, sizeof(to), "%lld", (long long)c->task);
	/* R11.2 step 4: the task is part of the record. */
	r = attt__incident_timeline(db, c->id, now, c->actor, "task", NULL, to, c->title);
	if (r < 0)
		goto out;
	r = attt__incident_audit(db, c->clock, c->actor, "incident.task", c->id, agency, ATTT_AUDIT_SUCCESS, "R11.2",
				 json_pack("{s:I,s:s,s:s,s:I,s:I}", "task", (json_int_t)c->task, "title", c->title, "side",
					   c->side, "assignee_account_id", (json_int_t)c->assignee, "due_at",
					   (json_int_t)c->due_at));
	if (r < 0 || !c->assignee)
		goto out;
	/* The assignee learns of the task at once (inbox, and mail when there is an address). */
	if ((r = attt__incident_template_vars(db, c->id, &vars)) < 0)
		goto out;
	if (c->due_at)
		attt_date_local(c->due_at - 1, due, sizeof(due));
	else
		attt_str_copy(due, sizeof(due), "không đặt hạn");
	if (json_object_set_new(vars, "task", json_string(c->title)) < 0 ||
	    json_object_set_new(vars, "due", json_string(due)) < 0) {
		r = ATTT_E_NOMEM;
		goto out;
	}
	r = attt__incident_notify_account(db, c->clock, c->assignee, "incident.task_assigned", "incident.task_assigned",
					  vars, c->id);
out:
	attt_stmt_finalize(st);
	json_decref(vars);
	return r < 0 ? r : ATTT_OK;
}

int attt_incident_task_add(struct attt_db *db, const struct attt_clock *clock, const struct attt_actor *actor,
			   int64_t id, const struct attt_incident_task_new *in, int64_t *ret_id)
{
	struct task_ctx c = { .clock = clock, .actor = actor, .id = id };
	int r;

	if (!in || in->assignee_account_id < 0 || in->due_at < 0)
		return ATTT_E_INVAL;
	c.side = in->side ? in->side : "agency";
	if (strcmp(c.side, "agency") != 0 && strcmp(c.side, "response") != 0)
		return ATTT_E_INVAL;
	c.assignee = in->assignee_account_id;
	c.due_at = in->due_at;
	if ((r = attt__incident_norm(in->title, ATTT_INCIDENT_MAX_TITLE, true, &c.title)) < 0)
		return r;
	r = attt_db_tx(db, task_add_tx, &c);
	if (r == ATTT_E_CONFLICT)
		r = ATTT_E_NOTFOUND; /* no such assignee */
	if (r >= 0) {
		if (ret_id)
			*ret_id = c.task;
		r = ATTT_OK;
	}
	free(c.title);
	return r;
}

int attt_incident_task_owner(struct attt_db *db, int64_t task_id, int64_t *ret_incident, int64_t *ret_assignee)
{
	struct attt_stmt *st = NULL;
	int r = attt__incident_row(db,
				   "SELECT incident_id, COALESCE(assignee_account_id, 0) FROM incident_task WHERE id = ?",
				   task_id, &st);
	if (r < 0)
		return r;
	*ret_incident = attt_stmt_int64(st, 0);
	if (ret_assignee)
		*ret_assignee = attt_stmt_int64(st, 1);
	attt_stmt_finalize(st);
	return ATTT_OK;
}

static int task_status_tx(struct attt_db *db, void *vctx)
{
	struct task_ctx *c = vctx;
	struct attt_stmt *st = NULL;
	int64_t now = attt_now_us(c->clock), agency = 0;
	char from[16], to[24];
	int step = 0, r;

	r = attt__incident_row(db, "SELECT incident_id, status FROM incident_task WHERE id = ?", c->task, &st);
	if (r < 0)
		return r;
	c->id = attt_stmt_int64(st, 0);
	attt_str_copy(from, sizeof(from), attt_stmt_text(st, 1));
	attt_stmt_finalize(st);
	st = NULL;
	if (strcmp(from, c->status) == 0)
		return ATTT_E_CONFLICT;
	if ((r = attt__incident_agency_step(db, c->id, &agency, &step)) < 0)
		return r;
	r = attt_db_prepare_cached(db, "UPDATE incident_task SET status = ?, updated_at = ? WHERE id = ?", &st);
	if (r < 0)
		return r;
	if ((r = attt_stmt_bind_text(st, 1, c->status)) < 0 || (r = attt_stmt_bind_int64(st, 2, now)) < 0 ||
	    (r = attt_stmt_bind_int64(st, 3, c->task)) < 0 || (r = attt_stmt_step(st)) < 0)
		goto out;
	attt_str_printf(to, sizeof(to), "%s", c->status);
	r = attt__incident_timeline(db, c->id, now, c->actor, "task_status", from, to, c->note);
	if (r < 0)
		goto out;
	r = attt__incident_audit(db, c->clock, c->actor, "incident.task_status", c->id, agency, ATTT_AUDIT_SUCCESS,
				 "R11.2",
				 json_pack("{s:I,s:s,s:s,s:s?}", "task", (json_int_t)c->task, "from", from, "to", c->status,
					   "note", c->note));
out:
	attt_stmt_finalize(st);
	return r;
}

int attt_incident_task_set_status(struct attt_db *db, const struct attt_clock *clock, const struct attt_actor *actor,
				  int64_t task_id, const char *status, const char *note)
{
	struct task_ctx c = { .clock = clock, .actor = actor, .task = task_id, .status = status };
	int r;

	if (task_id < 1 || !status ||
	    (strcmp(status, "open") != 0 && strcmp(status, "done") != 0 && strcmp(status, "cancelled") != 0))
		return ATTT_E_INVAL;
	if ((r = attt__incident_norm(note, ATTT_MAX_TEXT, false, &c.note)) < 0)
		return r;
	r = attt_db_tx(db, task_status_tx, &c);
	free(c.note);
	return r < 0 ? r : ATTT_OK;
}

int attt_incident_tasks_json(struct attt_db *db, int64_t id, int64_t now, json_t **ret)
{
	struct attt_stmt *st = NULL;
	json_t *arr = json_array();
	int r;

	if (!arr)
		return ATTT_E_NOMEM;
	r = attt_db_prepare_cached(db,
				   "SELECT t.id, t.title, t.side, COALESCE(t.assignee_account_id, 0), a.username, t.status, "
				   "t.due_at, t.created_at, t.created_by, t.updated_at FROM incident_task t "
				   "LEFT JOIN account a ON a.id = t.assignee_account_id WHERE t.incident_id = ? ORDER BY t.id",
				   &st);
	if (r < 0)
		goto out;
	if ((r = attt_stmt_bind_int64(st, 1, id)) < 0)
		goto out;
	while ((r = attt_stmt_step(st)) > 0) {
		int64_t due = attt_stmt_int64(st, 6), assignee = attt_stmt_int64(st, 3);
		const char *status = attt_stmt_text(st, 5);
		char day[32];
		json_t *o;

		/* A due date is a day (dd/mm/yyyy): the task is due by the end of it. */
		if (!due || attt_date_local(due - 1, day, sizeof(day)) < 0)
			day[0] = '\0';
		o = json_pack("{s:I,s:s,s:s,s:o,s:o,s:s,s:o,s:o,s:b,s:o,s:s,s:o}", "id",
			      (json_int_t)attt_stmt_int64(st, 0), "title", attt_stmt_text(st, 1), "side",
			      attt_stmt_text(st, 2), "assignee_account_id",
			      assignee ? json_integer((json_int_t)assignee) : json_null(), "assignee",
			      attt_stmt_text(st, 4) ? json_string(attt_stmt_text(st, 4)) : json_null(), "status", status,
			      "due_at", attt__incident_jtime(due), "due", day[0] ? json_string(day) : json_null(),
			      "overdue", strcmp(status, "open") == 0 && due > 0 && due <= now, "created_at",
			      attt__incident_jtime(attt_stmt_int64(st, 7)), "created_by", attt_stmt_text(st, 8),
			      "updated_at", attt__incident_jtime(attt_stmt_int64(st, 9)));
		if (!o || json_array_append_new(arr, o) < 0) {
			r = ATTT_E_NOMEM;
			goto out;
		}
	}
	if (r < 0)
		goto out;
	*ret = arr;
	arr = NULL;
	r = ATTT_OK;
out:
	attt_stmt_finalize(st);
	json_decref(arr);
	return r;
}

int attt_incident_show_json(struct attt_db *db, int64_t id, int64_t now, json_t **ret)
{
	json_t *j = NULL, *tasks = NULL;
	int r;

	if ((r = attt_incident_get_json(db, id, &j)) < 0)
		return r;
	if ((r = attt_incident_tasks_json(db, id, now, &tasks)) < 0) {
		json_decref(j);
		return r;
	}
	if (json_object_set_new(j, "tasks", tasks) < 0) {
		json_decref(j);
		return ATTT_E_NOMEM;
	}
	*ret = j;
	return ATTT_OK;
}

/* ---- links ----------------------------------------------------------------------------------- */

struct link_ctx {
	const struct attt_clock *clock;
	const struct attt_actor *actor;
	int64_t id, to;
	const char *kind;
};

static int link_tx(struct attt_db *db, void *vctx)
{
	struct link_ctx *c = vctx;
	struct attt_stmt *st = NULL;
	int64_t now = attt_now_us(c->clock), agency = 0, other_agency = 0;
	char sid[24], sto[24];
	int step = 0, r;

	if ((r = attt__incident_agency_step(db, c->id, &agency, &step)) < 0 ||
	    (r = attt__incident_agency_step(db, c->to, &other_agency, &step)) < 0)
		return r;
	r = attt_db_prepare_cached(db,
				   "INSERT INTO incident_link (from_id, to_id, kind, created_at, created_by) VALUES (?, ?, ?, ?, ?)",
				   &st);
	if (r < 0)
		return r;
	if ((r = attt_stmt_bind_int64(st, 1, c->id)) < 0 || (r = attt_stmt_bind_int64(st, 2, c->to)) < 0 ||
	    (r = attt_stmt_bind_text(st, 3, c->kind)) < 0 || (r = attt_stmt_bind_int64(st, 4, now)) < 0 ||
	    (r = attt_stmt_bind_text(st, 5, c->actor && c->actor->username ? c->actor->username : "system")) < 0)
		goto out;
	if ((r = attt_stmt_step(st)) < 0) /* ATTT_E_EXISTS: the same link is recorded */
		goto out;
	attt_str_printf(sid, sizeof(sid), "%lld", (long long)c->id);
	attt_str_printf(sto, sizeof(sto), "%lld", (long long)c->to);
	/* Both timelines tell the link: each end shows it. */
	if ((r = attt__incident_timeline(db, c->id, now, c->actor, "link", sid, sto, c->kind)) < 0 ||
	    (r = attt__incident_timeline(db, c->to, now, c->actor, "link", sid, sto, c->kind)) < 0)
		goto out;
	r = attt__incident_audit(db, c->clock, c->actor, "incident.link", c->id, agency, ATTT_AUDIT_SUCCESS, "R11.2",
				 json_pack("{s:I,s:I,s:s}", "to", (json_int_t)c->to, "to_agency_id",
					   (json_int_t)other_agency, "kind", c->kind));
out:
	attt_stmt_finalize(st);
	return r;
}

int attt_incident_link(struct attt_db *db, const struct attt_clock *clock, const struct attt_actor *actor, int64_t id,
		       int64_t to, const char *kind)
{
	struct link_ctx c = { .clock = clock, .actor = actor, .id = id, .to = to, .kind = kind };
	int r;

	if (!kind || (strcmp(kind, "related") != 0 && strcmp(kind, "duplicate") != 0 && strcmp(kind, "caused-by") != 0))
		return ATTT_E_INVAL;
	if (id < 1 || to < 1 || id == to)
		return ATTT_E_INVAL;
	r = attt_db_tx(db, link_tx, &c);
	return r < 0 ? r : ATTT_OK;
}

int attt_incident_links_json(struct attt_db *db, int64_t id, json_t **ret)
{
	struct attt_stmt *st = NULL;
	json_t *arr = json_array();
	int r;

	if (!arr)
		return ATTT_E_NOMEM;
	r = attt_db_prepare_cached(db,
				   "SELECT l.id, l.kind, CASE WHEN l.from_id = ?1 THEN 'out' ELSE 'in' END, i.id, i.agency_id, "
				   "i.title, i.status FROM incident_link l JOIN incident i ON i.id = "
				   "CASE WHEN l.from_id = ?1 THEN l.to_id ELSE l.from_id END "
				   "WHERE l.from_id = ?1 OR l.to_id = ?1 ORDER BY l.id",
				   &st);
	if (r < 0)
		goto out;
	if ((r = attt_stmt_bind_int64(st, 1, id)) < 0)
		goto out;
	while ((r = attt_stmt_step(st)) > 0) {
		json_t *o = json_pack("{s:I,s:s,s:s,s:I,s:I,s:s,s:s}", "id", (json_int_t)attt_stmt_int64(st, 0), "kind",
				      attt_stmt_text(st, 1), "direction", attt_stmt_text(st, 2), "incident_id",
				      (json_int_t)attt_stmt_int64(st, 3), "agency_id", (json_int_t)attt_stmt_int64(st, 4),
				      "title", attt_stmt_text(st, 5), "status", attt_stmt_text(st, 6));
		if (!o || json_array_append_new(arr, o) < 0) {
			r = ATTT_E_NOMEM;
			goto out;
		}
	}
	if (r < 0)
		goto out;
	*ret = arr;
	arr = NULL;
	r = ATTT_OK;
out:
	attt_stmt_finalize(st);
	json_decref(arr);
	return r;
}
