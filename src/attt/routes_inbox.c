/*
 * routes_inbox.c: the in-app inbox over the API (issue 5 "every notification also appears in the
 * recipient's inbox in the app"; docs/mail.md). A signed-in user reads the items addressed to their
 * person and to their account, and marks them read. Only their own: the owner is part of every query,
 * so another user's item is simply not found. Reading is open to every account, restricted or not
 * (permission "self"), because a lock or an escalation must reach someone who has yet to change a
 * temporary password. Marking an item read is audited: that the authority opened an escalation
 * notice is evidence (R11.3).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "attt/account.h"
#include "attt/app.h"
#include "attt/audit.h"
#include "attt/db.h"
#include "attt/err.h"
#include "attt/http.h"
#include "attt/limits.h"
#include "attt/notify.h"
#include "attt/str.h"
#include "auth_cli.h"
#include "routes.h"

static struct attt_app *g_app;

static int bad(struct attt_http_req *req, const char *vi, const char *en, const char *field)
{
	char dvi[256], den[256];
	attt_str_printf(dvi, sizeof(dvi), "%s: %s", field, vi);
	attt_str_printf(den, sizeof(den), "%s: %s", field, en);
	return attt_http_reply_problem(req, ATTT_E_INVAL, dvi, den);
}

/* GET /api/v1/me/inbox[?unread=true][&before=ID][&limit=N]: newest first, with the unread count and
 * the cursor of the next page ("next": the last item's id, null at the end). */
static int h_inbox(struct attt_http_req *req, void *unused)
{
	const char *qu = attt_http_req_query(req, "unread"), *qb = attt_http_req_query(req, "before");
	const char *ql = attt_http_req_query(req, "limit");
	const struct attt_principal *p = auth_principal(req);
	struct attt_db *db = NULL;
	int64_t before = 0, limit = ATTT_HTTP_DEFAULT_PAGE, unread = 0;
	bool unread_only = false;
	json_t *items = NULL, *out;
	size_t n;
	int r;

	(void)unused;
	if (!p || p->account_id <= 0)
		return ATTT_E_AUTH;
	if (qu && attt_parse_bool(qu, &unread_only) < 0)
		return bad(req, "cần true hoặc false", "true or false is expected", "unread");
	if (qb && attt_parse_int64(qb, 1, INT64_MAX, &before) < 0)
		return bad(req, "cần mã thông báo (giá trị next của trang trước)", "an item id (the previous page's next)",
			   "before");
	if (ql && attt_parse_int64(ql, 1, ATTT_HTTP_MAX_PAGE, &limit) < 0)
		return bad(req, "cần một số từ 1 đến 500", "a number from 1 to 500 is expected", "limit");
	if ((r = serve_thread_db(g_app, &db)) < 0)
		return r;
	if ((r = attt_notify_inbox_list(db, p->person_id, p->account_id, unread_only, before, (int)limit, &items)) < 0 ||
	    (r = attt_notify_inbox_unread(db, p->person_id, p->account_id, &unread)) < 0) {
		json_decref(items);
		return r;
	}
	n = json_array_size(items);
	out = json_pack("{s:o, s:I, s:o}", "items", items, "unread", (json_int_t)unread, "next",
			n == (size_t)limit ? json_incref(json_object_get(json_array_get(items, n - 1), "id")) : json_null());
	if (!out)
		return ATTT_E_NOMEM;
	return attt_http_reply_json(req, 200, out);
}

struct mark {
	const struct attt_principal *p;
	const struct attt_actor *actor;
	int64_t item;
};

static int mark_tx(struct attt_db *db, void *ctx)
{
	const struct mark *m = ctx;
	char id[24], summary[64];
	struct attt_audit_event ev = {
		.category = ATTT_AUDIT_DATA,
		.action = "inbox.read",
		.object_type = "inbox_item",
		.object_id = id,
		.agency_id = m->p->agency_id,
		.outcome = ATTT_AUDIT_SUCCESS,
		.rule = "R11.3",
		.summary = summary,
	};
	int r = attt_notify_inbox_mark_read(db, attt_app_clock(g_app), m->p->person_id, m->p->account_id, m->item);
	if (r < 0)
		return r;
	if ((r = attt_str_printf(id, sizeof(id), "%lld", (long long)m->item)) < 0 ||
	    (r = attt_str_printf(summary, sizeof(summary), "{\"item\":%lld}", (long long)m->item)) < 0)
		return r;
	return attt_audit_append(db, attt_app_clock(g_app), m->actor, &ev, NULL);
}

/* POST /api/v1/me/inbox/{id}/read: 204; 404 for an item that is not the caller's. */
static int h_mark_read(struct attt_http_req *req, void *unused)
{
	const struct attt_principal *p = auth_principal(req);
	const char *s = attt_http_req_param(req, "id");
	struct attt_actor actor;
	struct attt_db *db = NULL;
	struct mark m = {.p = p, .actor = &actor};
	int r;

	(void)unused;
	if (!p || p->account_id <= 0)
		return ATTT_E_AUTH;
	if (!s || attt_parse_int64(s, 1, INT64_MAX, &m.item) < 0)
		return bad(req, "không phải số hợp lệ", "not a valid number", "id");
	if ((r = auth_actor(req, &actor)) < 0 || (r = serve_thread_db(g_app, &db)) < 0)
		return r;
	if ((r = attt_db_tx(db, mark_tx, &m)) < 0)
		return r;
	return attt_http_reply_empty(req, 204);
}

int routes_inbox_register(struct attt_http_server *srv, struct attt_app *app)
{
	static const struct {
		const char *method, *pattern;
		attt_http_handler_fn fn;
	} routes[] = {
		{"GET", "/api/v1/me/inbox", h_inbox},
		{"POST", "/api/v1/me/inbox/{id}/read", h_mark_read},
	};

	g_app = app;
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		int r = attt_http_server_route(srv, routes[i].method, routes[i].pattern, 0, routes[i].fn, NULL);
		if (r < 0)
			return r;
	}
	return ATTT_OK;
}
