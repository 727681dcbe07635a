/*
 * routes_org.c: the HTTP API of agencies and people (R1.2), scoped to the caller's agency subtree
 * (issue 3: officers see and manage the people of their agencies only). Reading needs people.read
 * on the agency, changing a person people.write there; reorganising the tree (create, rename,
 * move, merge an agency) is a platform change that needs config.write (the admin). Every change
 * goes through the org library, which writes its audit event in the same transaction, with the
 * caller as actor. docs/access-control.md lists who may call what; docs/api/openapi.yaml the shapes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "attt/account.h"
#include "attt/app.h"
#include "attt/db.h"
#include "attt/err.h"
#include "attt/http.h"
#include "attt/limits.h"
#include "attt/org.h"
#include "attt/str.h"
#include "auth_cli.h"
#include "routes.h"

static struct attt_app *g_app;

static int db_of(struct attt_db **ret)
{
	return serve_thread_db(g_app, ret);
}

static int problem_field(struct attt_http_req *req, int err, const char *vi, const char *en, const char *field)
{
	char dvi[256], den[256];
	attt_str_printf(dvi, sizeof(dvi), "%s: %s", field, vi);
	attt_str_printf(den, sizeof(den), "%s: %s", field, en);
	return attt_http_reply_problem(req, err, dvi, den);
}

/* 403 unless the caller holds perm on agency (0: a platform object). */
static int need(struct attt_http_req *req, enum attt_perm perm, int64_t agency)
{
	bool ok = false;
	int r = auth_can(req, perm, agency, &ok);
	if (r < 0)
		return r;
	return ok ? ATTT_OK : ATTT_E_PERM;
}

static int path_id(struct attt_http_req *req, int64_t *ret)
{
	const char *s = attt_http_req_param(req, "id");
	if (!s || attt_parse_int64(s, 1, INT64_MAX, ret) < 0)
		return ATTT_E_NOTFOUND;
	return ATTT_OK;
}

/* Optional query integer. Returns ATTT_OK, or 1 after answering 400 naming the field (the
 * handler then returns ATTT_OK), or a negative error. */
static int query_int(struct attt_http_req *req, const char *name, int64_t lo, int64_t hi, int64_t *ret, bool *present)
{
	const char *s = attt_http_req_query(req, name);
	*present = s != NULL;
	if (!s)
		return ATTT_OK;
	if (attt_parse_int64(s, lo, hi, ret) < 0)
		return problem_field(req, ATTT_E_INVAL, "không phải số hợp lệ", "not a valid number", name) < 0 ? ATTT_E_INVAL : 1;
	return ATTT_OK;
}

/* The agency whose subtree a list is about: ?agency=, else the caller's own, else the first grant
 * carrying perm (the bootstrap admin has no agency of its own). */
static int scope_agency(struct attt_http_req *req, enum attt_perm perm, int64_t *ret)
{
	const struct attt_principal *p = auth_principal(req);
	int64_t agency = p ? p->agency_id : 0;
	bool present = false;
	int r;

	if ((r = query_int(req, "agency", 1, INT64_MAX, &agency, &present)) != ATTT_OK)
		return r;
	for (size_t i = 0; p && i < p->n_grants && !agency; i++)
		if (attt_role_has(p->grants[i].role, perm))
			agency = p->grants[i].agency_id;
	*ret = agency;
	return ATTT_OK;
}

static int page(struct attt_http_req *req, size_t *limit, size_t *offset)
{
	int64_t l = ATTT_HTTP_DEFAULT_PAGE, o = 0;
	bool present;
	int r;
	if ((r = query_int(req, "limit", 1, ATTT_HTTP_MAX_PAGE, &l, &present)) != ATTT_OK ||
	    (r = query_int(req, "offset", 0, INT32_MAX, &o, &present)) != ATTT_OK)
		return r;
	*limit = (size_t)l;
	*offset = (size_t)o;
	return ATTT_OK;
}

/* Maps errors of the org library to answers naming the field at fault. */
static int org_problem(struct attt_http_req *req, int r, const char *field)
{
	switch (r) {
	case ATTT_E_INVAL:
	case ATTT_E_TOOBIG:
		return problem_field(req, r, "giá trị không hợp lệ", "invalid value", field);
	case ATTT_E_NOTFOUND:
		return problem_field(req, r, "không tìm thấy", "not found", field);
	case ATTT_E_EXISTS:
		return problem_field(req, r, "đã được dùng", "already in use", field);
	case ATTT_E_STATE:
		return problem_field(req, r, "cơ quan đã sáp nhập hoặc giải thể", "the agency is merged or dissolved", field);
	case ATTT_E_CONFLICT:
		return problem_field(req, r, "tạo thành vòng trong cây cơ quan", "would make a cycle in the tree", field);
	case ATTT_E_RANGE:
		return problem_field(req, r, "vượt quá độ sâu tối đa của cây", "beyond the maximum depth of the tree", field);
	default:
		return r;
	}
}

static int body_obj(struct attt_http_req *req, json_t **ret)
{
	json_t *j = NULL;
	int r = attt_http_req_json(req, &j);
	if (r < 0)
		return r;
	if (!json_is_object(j)) {
		json_decref(j);
		return problem_field(req, ATTT_E_INVAL, "cần một đối tượng JSON", "a JSON object is expected", "body") < 0
			       ? ATTT_E_INVAL
			       : 1;
	}
	*ret = j;
	return ATTT_OK;
}

/* --- agencies ------------------------------------------------------------------------------------ */

static int h_agencies(struct attt_http_req *req, void *unused)
{
	struct attt_agency_filter f = {0};
	struct attt_agency_list l = {0};
	struct attt_db *db = NULL;
	const char *type = attt_http_req_query(req, "type");
	int64_t agency = 0, parent = 0;
	bool has_parent = false;
	int r;

	(void)unused;
	if ((r = scope_agency(req, ATTT_PERM_PEOPLE_READ, &agency)) != ATTT_OK ||
	    (r = query_int(req, "parent", 0, INT64_MAX, &parent, &has_parent)) != ATTT_OK ||
	    (r = page(req, &f.limit, &f.offset)) != ATTT_OK)
		return r > 0 ? ATTT_OK : r;
	if (type && attt_org_agency_type_parse(type, &f.type) < 0)
		return problem_field(req, ATTT_E_INVAL, "loại cơ quan không có", "unknown agency type", "type");
	if ((r = need(req, ATTT_PERM_PEOPLE_READ, agency)) < 0)
		return r == ATTT_E_NOTFOUND ? problem_field(req, r, "không có cơ quan này", "no such agency", "agency") : r;
	if ((r = db_of(&db)) < 0)
		return r;
	/* Issue 3: only the caller's subtree. */
	f.within = agency;
	f.by_parent = has_parent;
	f.parent_id = parent;
	f.search = attt_http_req_query(req, "q");
	if ((r = attt_org_agency_list(db, &f, &l)) < 0)
		return r;
	r = attt_http_reply_json(req, 200, attt_org_agency_list_to_json(&l, f.limit, f.offset));
	attt_org_agency_list_done(&l);
	return r;
}

static int h_agency(struct attt_http_req *req, void *unused)
{
	struct attt_agency a = {0};
	struct attt_db *db = NULL;
	int64_t id = 0;
	int r;

	(void)unused;
	if ((r = path_id(req, &id)) < 0 || (r = db_of(&db)) < 0 || (r = attt_org_agency_get(db, id, &a)) < 0)
		return r;
	if ((r = need(req, ATTT_PERM_PEOPLE_READ, a.id)) == ATTT_OK)
		r = attt_http_reply_json(req, 200, attt_org_agency_to_json(&a));
	attt_org_agency_done(&a);
	return r;
}

static int reply_agency(struct attt_http_req *req, struct attt_db *db, int status, int64_t id)
{
	struct attt_agency a = {0};
	int r = attt_org_agency_get(db, id, &a);
	if (r < 0)
		return r;
	r = attt_http_reply_json(req, status, attt_org_agency_to_json(&a));
	attt_org_agency_done(&a);
	return r;
}

static int h_agency_create(struct attt_http_req *req, void *unused)
{
	struct attt_agency_new in = {0};
	struct attt_actor actor;
	struct attt_db *db = NULL;
	const char *field = NULL;
	json_t *b = NULL;
	int64_t id = 0;
	int r;

	(void)unused;
	/* R1.2: the tree of the province is platform configuration. */
	if ((r = need(req, ATTT_PERM_CONFIG_WRITE, 0)) < 0)
		return r;
	if ((r = body_obj(req, &b)) != ATTT_OK)
		return r > 0 ? ATTT_OK : r;
	if ((r = attt_org_agency_new_from_json(b, &in, &field)) < 0) {
		r = org_problem(req, r, field ? field : "body");
		goto out;
	}
	if (!in.name || !in.type) {
		r = problem_field(req, ATTT_E_INVAL, "bắt buộc", "required", !in.name ? "name" : "type");
		goto out;
	}
	if ((r = db_of(&db)) < 0 || (r = auth_actor(req, &actor)) < 0)
		goto out;
	r = attt_org_agency_add(db, attt_app_clock(g_app), &actor, &in, &id);
	if (r < 0) {
		r = org_problem(req, r, r == ATTT_E_EXISTS ? "code" : r == ATTT_E_INVAL ? "body" : "parent_id");
		goto out;
	}
	r = reply_agency(req, db, 201, id);
out:
	json_decref(b);
	return r;
}

/* rename {"name"}, move {"parent_id"}, merge {"into"}: 0, 1, 2. */
static int agency_change(struct attt_http_req *req, int what)
{
	static const char *const fields[] = {"name", "parent_id", "into"};
	struct attt_org_merge_result mr = {0};
	struct attt_actor actor;
	struct attt_db *db = NULL;
	json_t *b = NULL, *v;
	int64_t id = 0;
	int r;

	if ((r = path_id(req, &id)) < 0)
		return r;
	if ((r = need(req, ATTT_PERM_CONFIG_WRITE, 0)) < 0)
		return r;
	if ((r = body_obj(req, &b)) != ATTT_OK)
		return r > 0 ? ATTT_OK : r;
	v = json_object_get(b, fields[what]);
	if (what == 0 ? !json_is_string(v) : !json_is_integer(v) || json_integer_value(v) < (what == 2 ? 1 : 0)) {
		r = problem_field(req, ATTT_E_INVAL, what == 0 ? "cần một chuỗi" : "cần một số cơ quan",
				  what == 0 ? "a string is required" : "an agency id is required", fields[what]);
		goto out;
	}
	if ((r = db_of(&db)) < 0 || (r = auth_actor(req, &actor)) < 0)
		goto out;
	if (what == 0)
		r = attt_org_agency_rename(db, attt_app_clock(g_app), &actor, id, json_string_value(v));
	else if (what == 1)
		r = attt_org_agency_move(db, attt_app_clock(g_app), &actor, id, json_integer_value(v));
	else
		r = attt_org_agency_merge(db, attt_app_clock(g_app), &actor, id, json_integer_value(v), &mr);
	if (r == ATTT_E_NOTFOUND) {
		struct attt_agency a = {0};
		bool self_missing = attt_org_agency_get(db, id, &a) == ATTT_E_NOTFOUND;
		attt_org_agency_done(&a);
		if (self_missing)
			goto out;
	}
	if (r < 0) {
		r = org_problem(req, r, fields[what]);
		goto out;
	}
	r = reply_agency(req, db, 200, what == 2 ? json_integer_value(v) : id);
out:
	json_decref(b);
	return r;
}

static int h_agency_rename(struct attt_http_req *req, void *u) { (void)u; return agency_change(req, 0); }
static int h_agency_move(struct attt_http_req *req, void *u) { (void)u; return agency_change(req, 1); }
static int h_agency_merge(struct attt_http_req *req, void *u) { (void)u; return agency_change(req, 2); }

static int h_agency_history(struct attt_http_req *req, void *unused)
{
	struct attt_agency_history_list l = {0};
	struct attt_db *db = NULL;
	struct attt_agency a = {0};
	json_t *items;
	int64_t id = 0;
	int r;

	(void)unused;
	if ((r = path_id(req, &id)) < 0 || (r = db_of(&db)) < 0 || (r = attt_org_agency_get(db, id, &a)) < 0)
		return r;
	attt_org_agency_done(&a);
	if ((r = need(req, ATTT_PERM_PEOPLE_READ, id)) < 0 || (r = attt_org_agency_history(db, id, &l)) < 0)
		return r;
	items = json_array();
	for (size_t i = 0; items && i < l.count; i++)
		json_array_append_new(items, attt_org_history_to_json(&l.items[i]));
	attt_org_agency_history_list_done(&l);
	return attt_http_reply_json(req, 200, json_pack("{s:o*}", "items", items));
}

/* --- people ------------------------------------------------------------------------------------- */

/* Checks the text fields of a person body one by one, so that a bad value is answered with its
 * field's name (the library checks them again when it stores them). Returns ATTT_OK, 1 after
 * answering 400, or a negative error. */
static int check_person_fields(struct attt_http_req *req, const char *full_name, const char *position,
			       const char *email, const char *phone)
{
	static const char *const names[] = {"full_name", "position", "email", "phone"};
	const char *v[] = {full_name, position, email, phone};
	for (int i = 0; i < 4; i++) {
		char *norm = NULL;
		int r;
		if (!v[i] || (i > 0 && !v[i][0]))
			continue;
		r = i == 2 ? attt_org_norm_email(v[i], &norm) : i == 3 ? attt_org_norm_phone(v[i], &norm)
								    : attt_org_norm_name(v[i], &norm);
		free(norm);
		if (r == ATTT_E_NOMEM)
			return r;
		if (r < 0)
			return problem_field(req, r,
					     i == 2 ? "địa chỉ thư điện tử không hợp lệ"
					     : i == 3 ? "số điện thoại không hợp lệ (8 đến 15 chữ số)"
						      : "trống, quá dài hoặc có ký tự điều khiển",
					     i == 2 ? "invalid e-mail address"
					     : i == 3 ? "invalid phone number (8 to 15 digits)"
						      : "empty, too long or with control characters",
					     names[i]) < 0 ? r : 1;
	}
	return ATTT_OK;
}

static int h_people(struct attt_http_req *req, void *unused)
{
	struct attt_person_filter f = {0};
	struct attt_person_list l = {0};
	struct attt_db *db = NULL;
	const char *status = attt_http_req_query(req, "status");
	int64_t agency = 0;
	int r;

	(void)unused;
	if ((r = scope_agency(req, ATTT_PERM_PEOPLE_READ, &agency)) != ATTT_OK ||
	    (r = page(req, &f.limit, &f.offset)) != ATTT_OK)
		return r > 0 ? ATTT_OK : r;
	if (status && attt_org_person_status_parse(status, &f.status) < 0)
		return problem_field(req, ATTT_E_INVAL, "trạng thái không có", "unknown status", "status");
	if ((r = need(req, ATTT_PERM_PEOPLE_READ, agency)) < 0)
		return r == ATTT_E_NOTFOUND ? problem_field(req, r, "không có cơ quan này", "no such agency", "agency") : r;
	if ((r = db_of(&db)) < 0)
		return r;
	/* Issue 3: the people of the caller's subtree only; search ignores case and diacritics. */
	f.agency_id = agency;
	f.subtree = true;
	f.search = attt_http_req_query(req, "q");
	if ((r = attt_org_person_list(db, &f, &l)) < 0)
		return r;
	r = attt_http_reply_json(req, 200, attt_org_person_list_to_json(&l, f.limit, f.offset));
	attt_org_person_list_done(&l);
	return r;
}

static int load_person(struct attt_http_req *req, struct attt_db *db, enum attt_perm perm, struct attt_person *ret)
{
	int64_t id = 0;
	int r;
	if ((r = path_id(req, &id)) < 0 || (r = attt_org_person_get(db, id, ret)) < 0)
		return r;
	if ((r = need(req, perm, ret->agency_id)) < 0) {
		attt_org_person_done(ret);
		return r;
	}
	return ATTT_OK;
}

static int h_person(struct attt_http_req *req, void *unused)
{
	struct attt_person p = {0};
	struct attt_db *db = NULL;
	int r;

	(void)unused;
	if ((r = db_of(&db)) < 0 || (r = load_person(req, db, ATTT_PERM_PEOPLE_READ, &p)) < 0)
		return r;
	r = attt_http_reply_json(req, 200, attt_org_person_to_json(&p));
	attt_org_person_done(&p);
	return r;
}

static int reply_person(struct attt_http_req *req, struct attt_db *db, int status, int64_t id)
{
	struct attt_person p = {0};
	int r = attt_org_person_get(db, id, &p);
	if (r < 0)
		return r;
	r = attt_http_reply_json(req, status, attt_org_person_to_json(&p));
	attt_org_person_done(&p);
	return r;
}

static int h_person_create(struct attt_http_req *req, void *unused)
{
	struct attt_person_new in = {0};
	struct attt_actor actor;
	struct attt_db *db = NULL;
	const char *field = NULL;
	json_t *b = NULL;
	int64_t id = 0;
	int r;

	(void)unused;
	if ((r = body_obj(req, &b)) != ATTT_OK)
		return r > 0 ? ATTT_OK : r;
	if ((r = attt_org_person_new_from_json(b, &in, &field)) < 0) {
		r = org_problem(req, r, field ? field : "body");
		goto out;
	}
	if (in.agency_id <= 0 || !in.full_name) {
		r = problem_field(req, ATTT_E_INVAL, "bắt buộc", "required", in.agency_id <= 0 ? "agency_id" : "full_name");
		goto out;
	}
	r = need(req, ATTT_PERM_PEOPLE_WRITE, in.agency_id);
	if (r == ATTT_E_NOTFOUND) {
		r = problem_field(req, r, "không có cơ quan này", "no such agency", "agency_id");
		goto out;
	}
	if (r < 0 || (r = db_of(&db)) < 0 || (r = auth_actor(req, &actor)) < 0)
		goto out;
	if ((r = check_person_fields(req, in.full_name, in.position, in.email, in.phone)) != ATTT_OK) {
		r = r > 0 ? ATTT_OK : r;
		goto out;
	}
	r = attt_org_person_add(db, attt_app_clock(g_app), &actor, &in, &id);
	if (r < 0) {
		r = org_problem(req, r, r == ATTT_E_INVAL || r == ATTT_E_TOOBIG ? "body" : "agency_id");
		goto out;
	}
	r = reply_person(req, db, 201, id);
out:
	json_decref(b);
	return r;
}

static int h_person_update(struct attt_http_req *req, void *unused)
{
	struct attt_person_update u = {0};
	struct attt_person p = {0};
	struct attt_actor actor;
	struct attt_db *db = NULL;
	const char *field = NULL;
	json_t *b = NULL;
	int r;

	(void)unused;
	if ((r = db_of(&db)) < 0 || (r = load_person(req, db, ATTT_PERM_PEOPLE_WRITE, &p)) < 0)
		return r;
	if ((r = body_obj(req, &b)) != ATTT_OK) {
		r = r > 0 ? ATTT_OK : r;
		goto out;
	}
	if ((r = attt_org_person_update_from_json(b, &u, &field)) < 0) {
		r = org_problem(req, r, field ? field : "body");
		goto out;
	}
	if ((r = check_person_fields(req, u.full_name, u.position, u.email, u.phone)) != ATTT_OK) {
		r = r > 0 ? ATTT_OK : r;
		goto out;
	}
	/* Moving a person needs the right on the agency it goes to as well. */
	if (u.agency_id > 0 && u.agency_id != p.agency_id) {
		r = need(req, ATTT_PERM_PEOPLE_WRITE, u.agency_id);
		if (r == ATTT_E_NOTFOUND) {
			r = problem_field(req, r, "không có cơ quan này", "no such agency", "agency_id");
			goto out;
		}
		if (r < 0)
			goto out;
	}
	if ((r = auth_actor(req, &actor)) < 0)
		goto out;
	r = attt_org_person_update(db, attt_app_clock(g_app), &actor, p.id, &u);
	if (r < 0) {
		r = org_problem(req, r, r == ATTT_E_INVAL || r == ATTT_E_TOOBIG ? "body" : "agency_id");
		goto out;
	}
	r = reply_person(req, db, 200, p.id);
out:
	json_decref(b);
	attt_org_person_done(&p);
	return r;
}

/* The route table: docs/access-control.md has one row per line here. */
static const struct {
	const char *method, *pattern;
	attt_http_handler_fn fn;
} routes[] = {
	{"GET", "/api/v1/agencies", h_agencies},
	{"POST", "/api/v1/agencies", h_agency_create},
	{"GET", "/api/v1/agencies/{id}", h_agency},
	{"GET", "/api/v1/agencies/{id}/history", h_agency_history},
	{"POST", "/api/v1/agencies/{id}/rename", h_agency_rename},
	{"POST", "/api/v1/agencies/{id}/move", h_agency_move},
	{"POST", "/api/v1/agencies/{id}/merge", h_agency_merge},
	{"GET", "/api/v1/people", h_people},
	{"POST", "/api/v1/people", h_person_create},
	{"GET", "/api/v1/people/{id}", h_person},
	{"PATCH", "/api/v1/people/{id}", h_person_update},
};

int routes_org_register(struct attt_http_server *srv, struct attt_app *app)
{
	g_app = app;
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		int r = attt_http_server_route(srv, routes[i].method, routes[i].pattern, 0, routes[i].fn, NULL);
		if (r < 0)
			return r;
	}
	return ATTT_OK;
}
