/*
 * routes_incident.c: the HTTP API of security incidents (issue 5; R8.8, R11.1, R11.2, R11.3). Anyone
 * with incident.report on an agency (every staff member of it, R18.2) reports an incident there and
 * gets the malware guidance back; reading needs incident.read on the incident's agency (the list is
 * filtered to the agencies the caller may read: its subtree, or the whole province for the
 * provincial roles); classifying and assigning need incident.manage; taking a step of the workflow
 * needs incident.manage or incident.approve there, and the incident library then checks the step
 * against the strongest role the caller holds that may take it. Every change goes through the
 * library, which writes the timeline row and the audit event with the caller as actor.
 * docs/access-control.md lists who may call what; docs/api/openapi.yaml the shapes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "attt/account.h"
#include "attt/app.h"
#include "attt/buf.h"
#include "attt/clock.h"
#include "attt/db.h"
#include "attt/docs.h"
#include "attt/err.h"
#include "attt/http.h"
#include "attt/incident.h"
#include "attt/limits.h"
#include "attt/str.h"
#include "auth_cli.h"
#include "routes.h"

static struct attt_app *g_app;

static int problem_field(struct attt_http_req *req, int err, const char *vi, const char *en, const char *field)
{
	char dvi[256], den[256];
	attt_str_printf(dvi, sizeof(dvi), "%s: %s", field, vi);
	attt_str_printf(den, sizeof(den), "%s: %s", field, en);
	return attt_http_reply_problem(req, err, dvi, den);
}

/* A 400 naming field; the handler returns what this returns. */
static int bad(struct attt_http_req *req, const char *vi, const char *en, const char *field)
{
	int r = problem_field(req, ATTT_E_INVAL, vi, en, field);
	return r < 0 ? r : ATTT_OK;
}

static int can(struct attt_http_req *req, enum attt_perm perm, int64_t agency, bool *ret)
{
	*ret = false;
	return auth_can(req, perm, agency, ret);
}

/* 403 unless the caller holds perm (or, when perm2 >= 0, perm2) on agency. */
static int need(struct attt_http_req *req, enum attt_perm perm, int perm2, int64_t agency)
{
	bool ok = false;
	int r = can(req, perm, agency, &ok);
	if (r >= 0 && !ok && perm2 >= 0)
		r = can(req, (enum attt_perm)perm2, agency, &ok);
	if (r < 0)
		return r;
	return ok ? ATTT_OK : ATTT_E_PERM;
}

/* The incident of the path's {id} and its agency; ATTT_E_NOTFOUND (404) when there is none. */
static int load(struct attt_http_req *req, struct attt_db **ret_db, int64_t *ret_id, int64_t *ret_agency,
		json_t **ret_json)
{
	const char *s = attt_http_req_param(req, "id");
	struct attt_db *db = NULL;
	json_t *j = NULL;
	int64_t id = 0;
	int r;

	if (!s || attt_parse_int64(s, 1, INT64_MAX, &id) < 0)
		return ATTT_E_NOTFOUND;
	if ((r = serve_thread_db(g_app, &db)) < 0 ||
	    (r = attt_incident_show_json(db, id, attt_now_us(attt_app_clock(g_app)), &j)) < 0)
		return r;
	*ret_db = db;
	*ret_id = id;
	*ret_agency = (int64_t)json_integer_value(json_object_get(j, "agency_id"));
	if (ret_json)
		*ret_json = j;
	else
		json_decref(j);
	return ATTT_OK;
}

static int body_obj(struct attt_http_req *req, json_t **ret)
{
	json_t *j = NULL;
	int r = attt_http_req_json(req, &j);
	if (r < 0)
		return r;
	if (!json_is_object(j)) {
		json_decref(j);
		r = problem_field(req, ATTT_E_INVAL, "cần một đối tượng JSON", "a JSON object is expected", "body");
		return r < 0 ? r : 1;
	}
	*ret = j;
	return ATTT_OK;
}

/* An optional string member: NULL when absent; 1 (after a 400) when not a string. */
static int opt_str(struct attt_http_req *req, json_t *b, const char *name, const char **ret)
{
	json_t *v = json_object_get(b, name);
	*ret = NULL;
	if (!v || json_is_null(v))
		return ATTT_OK;
	if (!json_is_string(v)) {
		int r = problem_field(req, ATTT_E_INVAL, "cần một chuỗi", "a string is expected", name);
		return r < 0 ? r : 1;
	}
	*ret = json_string_value(v);
	return ATTT_OK;
}

/* Errors of the incident library as answers naming the field at fault. */
static int lib_problem(struct attt_http_req *req, int r, const char *field)
{
	switch (r) {
	case ATTT_E_INVAL:
	case ATTT_E_TOOBIG:
		return problem_field(req, r, "giá trị không hợp lệ", "invalid value", field);
	case ATTT_E_STATE:
		return problem_field(req, r, "bước hiện tại của sự cố không cho phép việc này",
				     "the incident's current step does not allow this", field);
	case ATTT_E_CONFLICT:
		return problem_field(req, r, "không thay đổi gì", "nothing would change", field);
	case ATTT_E_PERM:
		return problem_field(req, r, "vai trò của bạn không được thực hiện bước này",
				     "your role may not take this step", field);
	case ATTT_E_NOTFOUND:
		return problem_field(req, r, "không tìm thấy", "not found", field);
	default:
		return r;
	}
}

static int reply_incident(struct attt_http_req *req, struct attt_db *db, int status, int64_t id)
{
	json_t *j = NULL;
	int r = attt_incident_show_json(db, id, attt_now_us(attt_app_clock(g_app)), &j);
	if (r < 0)
		return r;
	return attt_http_reply_json(req, status, j);
}

/* R8.8, R18.2: a report by any member of the agency, answered with the malware guidance. */
static int h_report(struct attt_http_req *req, void *unused)
{
	const struct attt_principal *p = auth_principal(req);
	struct attt_incident_new in = {0};
	struct attt_actor actor;
	struct attt_db *db = NULL;
	const char *sev = NULL, *detected = NULL;
	json_t *b = NULL, *v;
	int64_t id = 0;
	int r;

	(void)unused;
	if ((r = body_obj(req, &b)) != ATTT_OK)
		return r > 0 ? ATTT_OK : r;
	in.agency_id = p ? p->agency_id : 0;
	if ((v = json_object_get(b, "agency_id")) && !json_is_null(v)) {
		if (!json_is_integer(v) || json_integer_value(v) < 1) {
			r = bad(req, "cần mã cơ quan", "an agency id is expected", "agency_id");
			goto out;
		}
		in.agency_id = (int64_t)json_integer_value(v);
	}
	if (in.agency_id < 1) {
		r = bad(req, "thiếu cơ quan", "missing agency", "agency_id");
		goto out;
	}
	if ((r = need(req, ATTT_PERM_INCIDENT_REPORT, -1, in.agency_id)) < 0) {
		if (r == ATTT_E_NOTFOUND)
			r = lib_problem(req, r, "agency_id");
		goto out;
	}
	if ((r = opt_str(req, b, "title", &in.title)) != ATTT_OK ||
	    (r = opt_str(req, b, "description", &in.description)) != ATTT_OK ||
	    (r = opt_str(req, b, "affected_system", &in.affected_system)) != ATTT_OK ||
	    (r = opt_str(req, b, "incident_type", &in.incident_type)) != ATTT_OK ||
	    (r = opt_str(req, b, "severity", &sev)) != ATTT_OK ||
	    (r = opt_str(req, b, "detected_at", &detected)) != ATTT_OK) {
		r = r > 0 ? ATTT_OK : r;
		goto out;
	}
	if (!in.title || !in.title[0]) {
		r = bad(req, "bắt buộc", "required", "title");
		goto out;
	}
	if (!in.description || !in.description[0]) {
		r = bad(req, "bắt buộc", "required", "description");
		goto out;
	}
	if (in.incident_type && !attt_incident_type_valid(in.incident_type)) {
		r = bad(req, "loại sự cố không có", "unknown incident type", "incident_type");
		goto out;
	}
	if (sev && attt_incident_severity_parse(sev, &in.severity) < 0) {
		r = bad(req, "mức độ không có (thap, trung-binh, cao, khan-cap)", "unknown severity", "severity");
		goto out;
	}
	if (detected && attt_time_parse(detected, &in.detected_at) < 0) {
		r = bad(req, "thời điểm không hợp lệ (RFC 3339)", "invalid time (RFC 3339)", "detected_at");
		goto out;
	}
	if (in.detected_at > attt_now_us(attt_app_clock(g_app))) {
		r = bad(req, "ở tương lai", "in the future", "detected_at");
		goto out;
	}
	in.reporter = p ? p->username : "api";
	in.reporter_account_id = p ? p->account_id : 0;
	in.reporter_person_id = p ? p->person_id : 0;
	if ((r = auth_actor(req, &actor)) < 0 || (r = serve_thread_db(g_app, &db)) < 0)
		goto out;
	r = attt_incident_report(db, attt_app_clock(g_app), attt_app_policy(g_app), &actor, &in, &id);
	if (r < 0) {
		r = lib_problem(req, r, r == ATTT_E_NOTFOUND ? "agency_id" : "body");
		goto out;
	}
	r = reply_incident(req, db, 201, id);
out:
	json_decref(b);
	return r;
}

/* Whether the caller reported incident item j (its reporter_account_id): a reporter reads the own
 * reports without incident.read on the agency (issue 5). */
static bool own_report(struct attt_http_req *req, const json_t *j)
{
	const struct attt_principal *p = auth_principal(req);
	json_t *v = json_object_get(j, "reporter_account_id");
	return p && p->account_id > 0 && json_is_integer(v) && json_integer_value(v) == p->account_id;
}

/* Pages of the library scanned for one answer of the list without ?agency=: the filter by
 * permission may drop many rows, and the work of one request stays bounded; "next" resumes. */
#define LIST_SCAN_PAGES 20

/* The incidents of ?agency= (which the caller must be allowed to read), or of every agency the
 * caller may read plus the caller's own reports (?mine=true: those only), newest first, a page of
 * ?limit= after the cursor ?after= (the "next" of the previous page). */
static int h_list(struct attt_http_req *req, void *unused)
{
	const char *qa = attt_http_req_query(req, "agency"), *ql = attt_http_req_query(req, "limit");
	const char *qo = attt_http_req_query(req, "open"), *qd = attt_http_req_query(req, "overdue");
	const char *qf = attt_http_req_query(req, "after"), *qm = attt_http_req_query(req, "mine");
	const struct attt_principal *p = auth_principal(req);
	struct attt_incident_filter f = {0};
	struct attt_db *db = NULL;
	json_t *j = NULL, *out = NULL, *it;
	int64_t limit = ATTT_HTTP_DEFAULT_PAGE, next = 0;
	bool mine = false;
	size_t i;
	int r;

	(void)unused;
	if (qa && attt_parse_int64(qa, 1, INT64_MAX, &f.agency_id) < 0)
		return bad(req, "không phải số hợp lệ", "not a valid number", "agency");
	if (ql && attt_parse_int64(ql, 1, ATTT_HTTP_MAX_PAGE, &limit) < 0)
		return bad(req, "cần một số từ 1 đến 500", "a number from 1 to 500 is expected", "limit");
	if (qf && attt_parse_int64(qf, 1, INT64_MAX, &f.after) < 0)
		return bad(req, "cần mã sự cố (giá trị next của trang trước)", "an incident id (the previous page's next)",
			   "after");
	if (qm && attt_parse_bool(qm, &mine) < 0)
		return bad(req, "cần true hoặc false", "true or false is expected", "mine");
	if (f.agency_id) {
		if ((r = need(req, ATTT_PERM_INCIDENT_READ, -1, f.agency_id)) < 0)
			return r == ATTT_E_NOTFOUND ? lib_problem(req, r, "agency") : r;
	}
	if (!p || p->account_id <= 0)
		return ATTT_E_PERM;
	if (mine)
		f.reporter_account_id = p->account_id;
	f.open_only = qo && strcmp(qo, "true") == 0;
	f.overdue_only = qd && strcmp(qd, "true") == 0;
	f.now = attt_now_us(attt_app_clock(g_app));
	if ((r = serve_thread_db(g_app, &db)) < 0)
		return r;
	out = json_array();
	if (!out)
		return ATTT_E_NOMEM;
	/* With ?agency= every row is readable: one page of the library is the answer. Without it the
	 * rows are filtered by incident.read on each item's agency (or the caller's own report). */
	f.limit = f.agency_id ? (int)limit : ATTT_HTTP_MAX_PAGE;
	for (int page = 0; page < (f.agency_id ? 1 : LIST_SCAN_PAGES); page++) {
		json_t *items;
		bool full = false;

		if ((r = attt_incident_query_json(db, &f, &j)) < 0)
			goto out;
		items = json_object_get(j, "items");
		json_array_foreach(items, i, it) {
			bool ok = f.agency_id != 0 || own_report(req, it);
			int64_t id = (int64_t)json_integer_value(json_object_get(it, "id"));

			if (json_array_size(out) >= (size_t)limit) {
				full = true;
				break;
			}
			next = id; /* the cursor after the last row looked at */
			if (!ok && !mine &&
			    (r = can(req, ATTT_PERM_INCIDENT_READ, (int64_t)json_integer_value(json_object_get(it, "agency_id")),
				     &ok)) < 0)
				goto out;
			if (ok && json_array_append(out, it) < 0) {
				r = ATTT_E_NOMEM;
				goto out;
			}
		}
		if (!full) /* the page was read to its end: the library's cursor, null at the last page */
			next = (int64_t)json_integer_value(json_object_get(j, "next"));
		json_decref(j);
		j = NULL;
		if (full || !next)
			break;
		f.after = next;
	}
	r = attt_http_reply_json(req, 200,
				 json_pack("{s:O,s:I,s:o}", "items", out, "count", (json_int_t)json_array_size(out), "next",
					   next ? json_integer((json_int_t)next) : json_null()));
out:
	json_decref(j);
	json_decref(out);
	return r;
}

/* Keeps the links of j whose other incident the caller may read (a link never shows an incident
 * of another subtree). */
static int filter_links(struct attt_http_req *req, json_t *j)
{
	json_t *links = json_object_get(j, "links"), *keep = json_array(), *it;
	size_t i;
	int r;

	if (!keep)
		return ATTT_E_NOMEM;
	json_array_foreach(links, i, it) {
		bool ok = false;
		if ((r = can(req, ATTT_PERM_INCIDENT_READ, (int64_t)json_integer_value(json_object_get(it, "agency_id")),
			     &ok)) < 0) {
			json_decref(keep);
			return r;
		}
		if (ok && json_array_append(keep, it) < 0) {
			json_decref(keep);
			return ATTT_E_NOMEM;
		}
	}
	return json_object_set_new(j, "links", keep) < 0 ? ATTT_E_NOMEM : ATTT_OK;
}

/* incident.read on the incident's agency shows it all; its reporter (issue 5: staff follow their
 * own reports) sees the record, the timeline and the tasks, not who was notified, the documents or
 * the links. */
static int h_show(struct attt_http_req *req, void *unused)
{
	struct attt_db *db = NULL;
	json_t *j = NULL;
	int64_t id = 0, agency = 0;
	bool ok = false;
	int r;

	(void)unused;
	if ((r = load(req, &db, &id, &agency, &j)) < 0)
		return r;
	if ((r = can(req, ATTT_PERM_INCIDENT_READ, agency, &ok)) < 0)
		goto out;
	if (ok)
		r = filter_links(req, j);
	else if (own_report(req, j)) {
		json_object_del(j, "notifications");
		json_object_del(j, "documents");
		json_object_del(j, "links");
	} else
		r = ATTT_E_PERM;
	if (r < 0)
		goto out;
	r = attt_http_reply_json(req, 200, j);
	j = NULL;
out:
	json_decref(j);
	return r;
}

/* R11.1: severity and reason. */
static int h_classify(struct attt_http_req *req, void *unused)
{
	struct attt_actor actor;
	struct attt_db *db = NULL;
	enum attt_severity s;
	const char *sev = NULL, *reason = NULL;
	json_t *b = NULL;
	int64_t id = 0, agency = 0;
	int r;

	(void)unused;
	if ((r = load(req, &db, &id, &agency, NULL)) < 0 ||
	    (r = need(req, ATTT_PERM_INCIDENT_MANAGE, -1, agency)) < 0)
		return r;
	if ((r = body_obj(req, &b)) != ATTT_OK)
		return r > 0 ? ATTT_OK : r;
	if ((r = opt_str(req, b, "severity", &sev)) != ATTT_OK || (r = opt_str(req, b, "reason", &reason)) != ATTT_OK) {
		r = r > 0 ? ATTT_OK : r;
		goto out;
	}
	if (!sev || attt_incident_severity_parse(sev, &s) < 0) {
		r = bad(req, "cần thap, trung-binh, cao hoặc khan-cap", "thap, trung-binh, cao or khan-cap", "severity");
		goto out;
	}
	if (!reason || !reason[0]) {
		r = bad(req, "bắt buộc", "required", "reason");
		goto out;
	}
	if ((r = auth_actor(req, &actor)) < 0)
		goto out;
	r = attt_incident_classify(db, attt_app_clock(g_app), attt_app_policy(g_app), &actor, id, s, reason);
	if (r < 0) {
		r = lib_problem(req, r, r == ATTT_E_INVAL || r == ATTT_E_TOOBIG ? "reason" : "severity");
		goto out;
	}
	r = reply_incident(req, db, 200, id);
out:
	json_decref(b);
	return r;
}

/* R11.2: the role the caller acts in for action a on an incident of agency: the strongest of its
 * roles held on that agency's subtree that may take it (the head approves before the officer, then
 * the response team, the authority), else the first role held there. A role granted over another
 * subtree only never counts: an officer of agency A who is head in B acts in B as head. */
static int acting_role(struct attt_http_req *req, struct attt_db *db, int64_t agency, enum attt_incident_action a,
		       enum attt_role *ret)
{
	static const enum attt_role order[] = {ATTT_ROLE_AGENCY_HEAD, ATTT_ROLE_SECURITY_OFFICER,
					       ATTT_ROLE_RESPONSE_TEAM, ATTT_ROLE_AUTHORITY, ATTT_ROLE_STEERING,
					       ATTT_ROLE_ADMIN, ATTT_ROLE_AUDITOR, ATTT_ROLE_STAFF};
	const struct attt_principal *p = auth_principal(req);
	unsigned held = 0;
	int r;

	if (!p)
		return ATTT_E_PERM;
	r = attt_acl_roles_on(p->grants, p->n_grants, agency, attt_account_agency_within, db, &held);
	if (r < 0)
		return r;
	/* An API token acts only through the permissions it was given: a role whose workflow rights
	 * (incident.manage, incident.approve) the token's scope leaves out is not one it acts in. */
	for (int k = 1; p->api_token_id && k <= ATTT_ROLE_COUNT; k++) {
		bool usable = false;
		static const enum attt_perm steps[] = {ATTT_PERM_INCIDENT_MANAGE, ATTT_PERM_INCIDENT_APPROVE};
		for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
			if (attt_role_has(k, steps[i]) && (p->scopes & (1u << steps[i])))
				usable = true;
		if (!usable)
			held &= ~(1u << k);
	}
	for (size_t k = 0; k < sizeof(order) / sizeof(order[0]); k++)
		if ((held & (1u << order[k])) && attt_incident_role_may(order[k], a)) {
			*ret = order[k];
			return ATTT_OK;
		}
	for (size_t k = 0; k < sizeof(order) / sizeof(order[0]); k++)
		if (held & (1u << order[k])) {
			*ret = order[k]; /* may not take a: the library refuses it and audits the refusal */
			return ATTT_OK;
		}
	return ATTT_E_PERM;
}

static int h_advance(struct attt_http_req *req, void *unused)
{
	struct attt_actor actor;
	struct attt_db *db = NULL;
	enum attt_incident_action a;
	enum attt_role role = ATTT_ROLE_STAFF;
	const char *action = NULL, *text = NULL;
	json_t *b = NULL;
	int64_t id = 0, agency = 0;
	int r;

	(void)unused;
	if ((r = load(req, &db, &id, &agency, NULL)) < 0 ||
	    (r = need(req, ATTT_PERM_INCIDENT_MANAGE, ATTT_PERM_INCIDENT_APPROVE, agency)) < 0)
		return r;
	if ((r = body_obj(req, &b)) != ATTT_OK)
		return r > 0 ? ATTT_OK : r;
	if ((r = opt_str(req, b, "action", &action)) != ATTT_OK || (r = opt_str(req, b, "text", &text)) != ATTT_OK) {
		r = r > 0 ? ATTT_OK : r;
		goto out;
	}
	if (!action || attt_incident_action_parse(action, &a) < 0) {
		r = bad(req, "cần own, hosted, resolved, beyond, reported, coordinated hoặc close",
			"own, hosted, resolved, beyond, reported, coordinated or close", "action");
		goto out;
	}
	if (!text || !text[0]) {
		r = bad(req, "bắt buộc (biên bản, báo cáo hoặc ghi chú)", "required (minutes, report or note)", "text");
		goto out;
	}
	if ((r = auth_actor(req, &actor)) < 0 || (r = acting_role(req, db, agency, a, &role)) < 0)
		goto out;
	r = attt_incident_advance(db, attt_app_clock(g_app), attt_app_policy(g_app), &actor, role, id, a, text);
	if (r < 0) {
		r = lib_problem(req, r, r == ATTT_E_INVAL || r == ATTT_E_TOOBIG ? "text" : "action");
		goto out;
	}
	r = reply_incident(req, db, 200, id);
out:
	json_decref(b);
	return r;
}

static int h_assign(struct attt_http_req *req, void *unused)
{
	struct attt_actor actor;
	struct attt_db *db = NULL;
	json_t *b = NULL, *v;
	int64_t id = 0, agency = 0;
	int r;

	(void)unused;
	if ((r = load(req, &db, &id, &agency, NULL)) < 0 ||
	    (r = need(req, ATTT_PERM_INCIDENT_MANAGE, -1, agency)) < 0)
		return r;
	if ((r = body_obj(req, &b)) != ATTT_OK)
		return r > 0 ? ATTT_OK : r;
	v = json_object_get(b, "account_id");
	if (!json_is_integer(v) || json_integer_value(v) < 0) {
		r = bad(req, "cần mã tài khoản (0: bỏ giao)", "an account id is expected (0 clears)", "account_id");
		goto out;
	}
	if ((r = auth_actor(req, &actor)) < 0)
		goto out;
	r = attt_incident_assign(db, attt_app_clock(g_app), &actor, id, (int64_t)json_integer_value(v));
	if (r < 0) {
		r = lib_problem(req, r, "account_id");
		goto out;
	}
	r = reply_incident(req, db, 200, id);
out:
	json_decref(b);
	return r;
}

/* A task's due date: "dd/mm/yyyy" (due by the end of that day, Asia/Ho_Chi_Minh) or RFC 3339. */
static int parse_due(const char *s, int64_t *ret)
{
	int64_t t = 0;
	int r = attt_time_parse(s, &t);
	if (r < 0)
		return r;
	if (strlen(s) == 10) /* a day: the end of it */
		t += INT64_C(86400) * ATTT_USEC_PER_SEC;
	*ret = t;
	return ATTT_OK;
}

/* R11.2 step 4: the tasks of the incident, each with "overdue". */
static int h_tasks(struct attt_http_req *req, void *unused)
{
	struct attt_db *db = NULL;
	json_t *j = NULL, *tasks;
	int64_t id = 0, agency = 0;
	int r;

	(void)unused;
	if ((r = load(req, &db, &id, &agency, &j)) < 0)
		return r;
	if ((r = need(req, ATTT_PERM_INCIDENT_READ, -1, agency)) < 0 && !own_report(req, j)) {
		json_decref(j);
		return r;
	}
	tasks = json_incref(json_object_get(j, "tasks"));
	json_decref(j);
	return attt_http_reply_json(req, 200,
				    json_pack("{s:o,s:I}", "items", tasks, "count", (json_int_t)json_array_size(tasks)));
}

/* R11.2 step 4: a task with an assignee (an account) and a due date; incident.manage. */
static int h_task_add(struct attt_http_req *req, void *unused)
{
	struct attt_incident_task_new in = {0};
	struct attt_actor actor;
	struct attt_db *db = NULL;
	const char *due = NULL;
	json_t *b = NULL, *v;
	int64_t id = 0, agency = 0, task = 0;
	int r;

	(void)unused;
	if ((r = load(req, &db, &id, &agency, NULL)) < 0 ||
	    (r = need(req, ATTT_PERM_INCIDENT_MANAGE, -1, agency)) < 0)
		return r;
	if ((r = body_obj(req, &b)) != ATTT_OK)
		return r > 0 ? ATTT_OK : r;
	if ((r = opt_str(req, b, "title", &in.title)) != ATTT_OK || (r = opt_str(req, b, "side", &in.side)) != ATTT_OK ||
	    (r = opt_str(req, b, "due", &due)) != ATTT_OK) {
		r = r > 0 ? ATTT_OK : r;
		goto out;
	}
	if (!in.title || !in.title[0]) {
		r = bad(req, "bắt buộc", "required", "title");
		goto out;
	}
	if (in.side && strcmp(in.side, "agency") != 0 && strcmp(in.side, "response") != 0) {
		r = bad(req, "cần agency hoặc response", "agency or response is expected", "side");
		goto out;
	}
	if ((v = json_object_get(b, "assignee_account_id")) && !json_is_null(v)) {
		if (!json_is_integer(v) || json_integer_value(v) < 1) {
			r = bad(req, "cần mã tài khoản", "an account id is expected", "assignee_account_id");
			goto out;
		}
		in.assignee_account_id = (int64_t)json_integer_value(v);
	}
	if (due && parse_due(due, &in.due_at) < 0) {
		r = bad(req, "cần ngày dd/mm/yyyy hoặc RFC 3339", "dd/mm/yyyy or RFC 3339 is expected", "due");
		goto out;
	}
	if ((r = auth_actor(req, &actor)) < 0)
		goto out;
	r = attt_incident_task_add(db, attt_app_clock(g_app), &actor, id, &in, &task);
	if (r < 0) {
		r = lib_problem(req, r, r == ATTT_E_NOTFOUND ? "assignee_account_id" : "title");
		goto out;
	}
	r = reply_incident(req, db, 201, id);
out:
	json_decref(b);
	return r;
}

/* A task's status (open, done, cancelled) with an optional note: incident.manage on the incident's
 * agency, or the task's assignee. */
static int h_task_update(struct attt_http_req *req, void *unused)
{
	const char *ts = attt_http_req_param(req, "task");
	const struct attt_principal *p = auth_principal(req);
	struct attt_actor actor;
	struct attt_db *db = NULL;
	const char *status = NULL, *note = NULL;
	json_t *b = NULL;
	int64_t id = 0, agency = 0, task = 0, task_incident = 0, assignee = 0;
	int r;

	(void)unused;
	if ((r = load(req, &db, &id, &agency, NULL)) < 0)
		return r;
	/* A task of another incident is not found here, whoever asks. */
	if (!ts || attt_parse_int64(ts, 1, INT64_MAX, &task) < 0 ||
	    attt_incident_task_owner(db, task, &task_incident, &assignee) < 0 || task_incident != id) {
		if ((r = need(req, ATTT_PERM_INCIDENT_MANAGE, -1, agency)) < 0)
			return r;
		return ATTT_E_NOTFOUND;
	}
	if (!(p && assignee && p->account_id == assignee) && (r = need(req, ATTT_PERM_INCIDENT_MANAGE, -1, agency)) < 0)
		return r;
	if ((r = body_obj(req, &b)) != ATTT_OK)
		return r > 0 ? ATTT_OK : r;
	if ((r = opt_str(req, b, "status", &status)) != ATTT_OK || (r = opt_str(req, b, "note", &note)) != ATTT_OK) {
		r = r > 0 ? ATTT_OK : r;
		goto out;
	}
	if (!status || (strcmp(status, "open") != 0 && strcmp(status, "done") != 0 && strcmp(status, "cancelled") != 0)) {
		r = bad(req, "cần open, done hoặc cancelled", "open, done or cancelled is expected", "status");
		goto out;
	}
	if ((r = auth_actor(req, &actor)) < 0)
		goto out;
	r = attt_incident_task_set_status(db, attt_app_clock(g_app), &actor, task, status, note);
	if (r < 0) {
		r = lib_problem(req, r, r == ATTT_E_CONFLICT ? "status" : "note");
		goto out;
	}
	r = reply_incident(req, db, 200, id);
out:
	json_decref(b);
	return r;
}

/* A link to another incident (related, duplicate, caused-by): incident.manage on this incident's
 * agency and incident.read on the other's, so that no one links (and so sees) an incident outside
 * their reach. */
static int h_link(struct attt_http_req *req, void *unused)
{
	struct attt_actor actor;
	struct attt_db *db = NULL;
	const char *kind = NULL;
	json_t *b = NULL, *v, *other = NULL;
	int64_t id = 0, agency = 0, to = 0;
	bool ok = false;
	int r;

	(void)unused;
	if ((r = load(req, &db, &id, &agency, NULL)) < 0 ||
	    (r = need(req, ATTT_PERM_INCIDENT_MANAGE, -1, agency)) < 0)
		return r;
	if ((r = body_obj(req, &b)) != ATTT_OK)
		return r > 0 ? ATTT_OK : r;
	if ((r = opt_str(req, b, "kind", &kind)) != ATTT_OK) {
		r = r > 0 ? ATTT_OK : r;
		goto out;
	}
	if (!kind || (strcmp(kind, "related") != 0 && strcmp(kind, "duplicate") != 0 && strcmp(kind, "caused-by") != 0)) {
		r = bad(req, "cần related, duplicate hoặc caused-by", "related, duplicate or caused-by is expected", "kind");
		goto out;
	}
	v = json_object_get(b, "to");
	if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) == id) {
		r = bad(req, "cần mã một sự cố khác", "the id of another incident is expected", "to");
		goto out;
	}
	to = (int64_t)json_integer_value(v);
	/* The other incident: not found and not readable answer alike, so its existence is not told. */
	if ((r = attt_incident_get_json(db, to, &other)) == ATTT_OK &&
	    (r = can(req, ATTT_PERM_INCIDENT_READ, (int64_t)json_integer_value(json_object_get(other, "agency_id")),
		     &ok)) == ATTT_OK && !ok)
		r = ATTT_E_NOTFOUND;
	if (r < 0) {
		r = lib_problem(req, r, "to");
		goto out;
	}
	if ((r = auth_actor(req, &actor)) < 0)
		goto out;
	r = attt_incident_link(db, attt_app_clock(g_app), &actor, id, to, kind);
	if (r == ATTT_E_EXISTS)
		r = problem_field(req, r, "liên kết này đã có", "this link exists already", "to");
	else if (r < 0)
		r = lib_problem(req, r, "to");
	else
		r = reply_incident(req, db, 201, id);
out:
	json_decref(other);
	json_decref(b);
	return r;
}

/* R11.2 steps 3 and 5: Mẫu 03, 04 or 05 as PDF, stored with the incident (hashed and audited). */
static int h_form(struct attt_http_req *req, void *unused)
{
	const char *form = attt_http_req_param(req, "form"), *fmt = attt_http_req_query(req, "format");
	struct attt_docs_info info = {0};
	struct attt_actor actor;
	struct attt_db *db = NULL;
	struct attt_buf pdf;
	json_t *data = NULL;
	int64_t id = 0, agency = 0;
	int r;

	(void)unused;
	if ((r = load(req, &db, &id, &agency, NULL)) < 0 ||
	    (r = need(req, ATTT_PERM_INCIDENT_MANAGE, ATTT_PERM_INCIDENT_APPROVE, agency)) < 0)
		return r;
	if (!form || (strcmp(form, "03") != 0 && strcmp(form, "04") != 0 && strcmp(form, "05") != 0))
		return bad(req, "cần 03, 04 hoặc 05", "03, 04 or 05 is expected", "form");
	if (fmt && strcmp(fmt, "json") != 0 && strcmp(fmt, "pdf") != 0)
		return bad(req, "cần pdf hoặc json", "pdf or json is expected", "format");
	/* Issue 5: the same data as JSON, the fields of the form with their values; a read: nothing is
	 * drawn, stored or audited. */
	if (fmt && strcmp(fmt, "json") == 0) {
		if ((r = attt_incident_form_data(db, id, form, &data)) < 0)
			return r;
		return attt_http_reply_json(req, 200, json_pack("{s:s,s:I,s:o}", "form", form, "incident", (json_int_t)id,
								"data", data));
	}
	attt_buf_init(&pdf, ATTT_INCIDENT_MAX_DOCUMENT);
	if ((r = auth_actor(req, &actor)) < 0 || (r = attt_incident_form_data(db, id, form, &data)) < 0 ||
	    (r = attt_docs_render_form(form, data, &pdf, &info)) < 0 ||
	    (r = attt_incident_store_document(db, attt_app_clock(g_app), &actor, id, form, pdf.data, pdf.len, NULL)) < 0)
		goto out;
	r = attt_http_reply_bytes(req, 200, "application/pdf", pdf.data, pdf.len);
out:
	json_decref(data);
	attt_buf_done(&pdf);
	return r;
}

/* R11.1: the questionnaire; ?group=&main=&several=&defaced= (true/false). */
static int h_suggest(struct attt_http_req *req, void *unused)
{
	static const char *const names[4] = {"group", "main", "several", "defaced"};
	bool v[4] = {false, false, false, false};
	const struct attt_policy_severity *d;
	enum attt_severity s;

	(void)unused;
	for (int i = 0; i < 4; i++) {
		const char *q = attt_http_req_query(req, names[i]);
		if (!q)
			continue;
		if (strcmp(q, "true") == 0 || strcmp(q, "1") == 0)
			v[i] = true;
		else if (strcmp(q, "false") != 0 && strcmp(q, "0") != 0)
			return bad(req, "cần true hoặc false", "true or false is expected", names[i]);
	}
	struct attt_incident_answers a = {.group = v[0], .main_interrupted = v[1] || v[2], .several_main = v[2],
					  .website_defaced = v[3]};
	s = attt_incident_suggest_severity(&a);
	d = &attt_policy_values(attt_app_policy(g_app))->severities[s];
	return attt_http_reply_json(req, 200,
				    json_pack("{s:s,s:s?,s:s?}", "severity", attt_incident_severity_name(s), "name_vi",
					      d->name_vi, "name_en", d->name_en));
}

/* The route table: docs/access-control.md has one row per line here. */
static const struct {
	const char *method, *pattern;
	attt_http_handler_fn fn;
} routes[] = {
	{"POST", "/api/v1/incidents", h_report},
	{"GET", "/api/v1/incidents", h_list},
	{"GET", "/api/v1/incidents/suggest", h_suggest},
	{"GET", "/api/v1/incidents/{id}", h_show},
	{"POST", "/api/v1/incidents/{id}/classify", h_classify},
	{"POST", "/api/v1/incidents/{id}/advance", h_advance},
	{"POST", "/api/v1/incidents/{id}/assign", h_assign},
	{"GET", "/api/v1/incidents/{id}/forms/{form}", h_form},
	{"GET", "/api/v1/incidents/{id}/tasks", h_tasks},
	{"POST", "/api/v1/incidents/{id}/tasks", h_task_add},
	{"POST", "/api/v1/incidents/{id}/tasks/{task}", h_task_update},
	{"POST", "/api/v1/incidents/{id}/links", h_link},
};

int routes_incident_register(struct attt_http_server *srv, struct attt_app *app)
{
	g_app = app;
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		int r = attt_http_server_route(srv, routes[i].method, routes[i].pattern, 0, routes[i].fn, NULL);
		if (r < 0)
			return r;
	}
	return ATTT_OK;
}
