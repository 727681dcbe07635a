/*
 * routes_audit.c: the HTTP API of the audit trail (issue 6; R7.1, R7.2, R7.3): query the events
 * (paginated JSON, or CSV and JSON lines by ?format= or Accept), the latest signed checkpoint, the
 * inclusion and consistency proofs of RFC 9162, and the R7.3 log review records.
 *
 * Who reads what (docs/audit.md, docs/access-control.md): auditors and admins (audit.read) and the
 * provincial authority read the trail of the subtrees they are granted (a grant on a root agency, or
 * platform-wide, reads the whole trail, system events included); security officers and heads of
 * agency read the events of their own subtree only: other agencies' events are filtered out of
 * their queries, and naming another agency is refused. A review is recorded by an auditor or a
 * security officer for an agency within their reach. An export (CSV or JSON lines) writes the
 * audit event "audit.export" (R7.2, category access) before the data leaves.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "attt/account.h"
#include "attt/app.h"
#include "attt/audit.h"
#include "attt/buf.h"
#include "attt/clock.h"
#include "attt/config.h"
#include "attt/db.h"
#include "attt/err.h"
#include "attt/http.h"
#include "attt/limits.h"
#include "attt/org.h"
#include "attt/policy.h"
#include "attt/str.h"
#include "auth_cli.h"
#include "routes.h"

#define EXPORT_MAX_EVENTS 100000            /* events of one CSV / JSON-lines answer */
#define EXPORT_MAX_BYTES (64u * 1024 * 1024) /* bytes of one export answer */
#define PAGE_DEFAULT 100

static struct attt_app *g_app;
/* The verifier key of the trail's checkpoints, made once at registration (read-only after). */
static char g_vkey[ATTT_AUDIT_VKEY_MAX];

/* The agencies whose events a caller may read. */
struct scope {
	bool all;          /* the whole trail */
	bool reviewer;     /* may record reviews (auditor, security officer) */
	bool review_all;   /* may record a review of the whole trail (auditor on a root) */
	size_t n;
	int64_t ids[ATTT_AUDIT_MAX_AGENCIES];
	size_t n_rev;      /* ids[0..n_rev) are the agencies where the caller may record reviews */
};

static int problem_field(struct attt_http_req *req, int err, const char *vi, const char *en, const char *field)
{
	char dvi[256], den[256];
	attt_str_printf(dvi, sizeof(dvi), "%s: %s", field, vi);
	attt_str_printf(den, sizeof(den), "%s: %s", field, en);
	return attt_http_reply_problem(req, err, dvi, den);
}

static bool in_list(const int64_t *ids, size_t n, int64_t id)
{
	for (size_t i = 0; i < n; i++)
		if (ids[i] == id)
			return true;
	return false;
}

static int add_subtree(struct attt_db *db, struct scope *s, int64_t agency)
{
	int64_t *ids = NULL;
	size_t n = 0;
	int r = attt_org_agency_subtree(db, agency, ATTT_AUDIT_MAX_AGENCIES, &ids, &n);
	if (r < 0)
		return r;
	for (size_t i = 0; i < n && r == ATTT_OK; i++) {
		if (in_list(s->ids, s->n, ids[i]))
			continue;
		if (s->n >= ATTT_AUDIT_MAX_AGENCIES)
			r = ATTT_E_TOOBIG;
		else
			s->ids[s->n++] = ids[i];
	}
	free(ids);
	return r;
}

/* True when agency is a root of the tree (or 0, platform-wide). */
static int is_root(struct attt_db *db, int64_t agency, bool *ret)
{
	struct attt_agency a = {0};
	int r;
	if (agency == 0) {
		*ret = true;
		return ATTT_OK;
	}
	if ((r = attt_org_agency_get(db, agency, &a)) < 0)
		return r;
	*ret = a.parent_id == 0;
	attt_org_agency_done(&a);
	return ATTT_OK;
}

/* Builds the caller's scope from its grants. Each grant counts only when auth_can confirms the
 * permission that role reads the trail by (audit.read for auditors and admins, review.read for the
 * authority, officers and heads), so that a restricted account or a token without that scope reads
 * nothing. Reviewers' agencies come first in ids. */
static int scope_of(struct attt_http_req *req, struct attt_db *db, struct scope **ret)
{
	const struct attt_principal *p = auth_principal(req);
	struct scope *s;
	int r = ATTT_OK;

	if (!p)
		return ATTT_E_AUTH;
	s = calloc(1, sizeof(*s));
	if (!s)
		return ATTT_E_NOMEM;
	for (int pass = 0; pass < 2 && r == ATTT_OK; pass++) {
		for (size_t i = 0; i < p->n_grants && r == ATTT_OK; i++) {
			const struct attt_grant *g = &p->grants[i];
			bool reviewer = g->role == ATTT_ROLE_AUDITOR || g->role == ATTT_ROLE_SECURITY_OFFICER;
			bool wide = g->role == ATTT_ROLE_AUDITOR || g->role == ATTT_ROLE_ADMIN || g->role == ATTT_ROLE_AUTHORITY;
			enum attt_perm perm;
			bool ok = false, root = false;

			if ((pass == 0) != reviewer)
				continue;
			if (g->role == ATTT_ROLE_AUDITOR || g->role == ATTT_ROLE_ADMIN)
				perm = ATTT_PERM_AUDIT_READ;
			else if (g->role == ATTT_ROLE_AUTHORITY || g->role == ATTT_ROLE_SECURITY_OFFICER ||
				 g->role == ATTT_ROLE_AGENCY_HEAD)
				perm = ATTT_PERM_REVIEW_READ;
			else
				continue;
			if ((r = auth_can(req, perm, g->agency_id, &ok)) < 0 || !ok)
				continue;
			if (wide && (r = is_root(db, g->agency_id, &root)) < 0)
				break;
			if (root) {
				s->all = true;
				if (reviewer)
					s->review_all = true;
			}
			if (g->agency_id > 0)
				r = add_subtree(db, s, g->agency_id);
			if (reviewer) {
				s->reviewer = true;
				s->n_rev = s->n;
			}
		}
	}
	if (r < 0) {
		free(s);
		return r;
	}
	if (!s->all && s->n == 0) {
		free(s);
		return ATTT_E_PERM;
	}
	*ret = s;
	return ATTT_OK;
}

static bool scope_has(const struct scope *s, int64_t agency)
{
	return s->all || (agency > 0 && in_list(s->ids, s->n, agency));
}

/* Optional query parameters. Each returns ATTT_OK, 1 after answering 400 naming the parameter, or
 * a negative error. */
static int q_int(struct attt_http_req *req, const char *name, int64_t lo, int64_t hi, int64_t *ret)
{
	const char *v = attt_http_req_query(req, name);
	if (!v)
		return ATTT_OK;
	if (attt_parse_int64(v, lo, hi, ret) < 0)
		return problem_field(req, ATTT_E_INVAL, "không phải số hợp lệ", "not a valid number", name) < 0 ? ATTT_E_INVAL : 1;
	return ATTT_OK;
}

static int q_time(struct attt_http_req *req, const char *name, int64_t *ret)
{
	const char *v = attt_http_req_query(req, name);
	if (!v)
		return ATTT_OK;
	if (attt_time_parse(v, ret) < 0)
		return problem_field(req, ATTT_E_INVAL, "thời gian không hợp lệ (RFC 3339 hoặc yyyy-mm-dd)",
				     "invalid time (RFC 3339 or yyyy-mm-dd)", name) < 0 ? ATTT_E_INVAL : 1;
	return ATTT_OK;
}

static int done(int r)
{
	return r > 0 ? ATTT_OK : r;
}

/* --- events ------------------------------------------------------------------------------------- */

enum fmt { FMT_JSON, FMT_CSV, FMT_JSONL };

static int pick_format(struct attt_http_req *req, enum fmt *ret)
{
	const char *f = attt_http_req_query(req, "format");
	const char *acc = attt_http_req_header(req, "Accept");
	if (f) {
		if (strcmp(f, "json") == 0)
			*ret = FMT_JSON;
		else if (strcmp(f, "csv") == 0)
			*ret = FMT_CSV;
		else if (strcmp(f, "jsonl") == 0)
			*ret = FMT_JSONL;
		else
			return problem_field(req, ATTT_E_INVAL, "cần json, csv hoặc jsonl", "json, csv or jsonl expected",
					     "format") < 0 ? ATTT_E_INVAL : 1;
		return ATTT_OK;
	}
	*ret = FMT_JSON;
	if (acc && strstr(acc, "text/csv"))
		*ret = FMT_CSV;
	else if (acc && (strstr(acc, "application/x-ndjson") || strstr(acc, "application/jsonl")))
		*ret = FMT_JSONL;
	return ATTT_OK;
}

struct collect {
	enum fmt fmt;
	struct attt_buf buf;
	json_t *items;
	size_t count;
};

static int collect_one(void *ctx, const struct attt_audit_record *rec)
{
	struct collect *c = ctx;
	int r;
	c->count++;
	if (c->fmt == FMT_CSV)
		return attt_audit_format_csv(rec, &c->buf);
	if (c->fmt == FMT_JSONL)
		return attt_audit_format_json(rec, &c->buf);
	{
		struct attt_buf line;
		json_error_t e;
		json_t *j;
		attt_buf_init(&line, ATTT_AUDIT_MAX_EXPORT_LINE);
		r = attt_audit_format_json(rec, &line);
		j = r == ATTT_OK ? json_loadb(line.data, line.len, 0, &e) : NULL;
		attt_buf_done(&line);
		if (r < 0)
			return r;
		if (!j || json_array_append_new(c->items, j) < 0)
			return ATTT_E_NOMEM;
	}
	return ATTT_OK;
}

struct export_ev {
	const struct attt_actor *actor;
	const char *format;
	size_t count;
};

static int export_event(struct attt_db *db, void *ctx)
{
	struct export_ev *x = ctx;
	char summary[128];
	struct attt_audit_event ev = {
		.category = ATTT_AUDIT_ACCESS,
		.action = "audit.export",
		.object_type = "audit",
		.outcome = ATTT_AUDIT_SUCCESS,
		.rule = "R7.2",
		.summary = summary,
	};
	int r = attt_str_printf(summary, sizeof(summary), "{\"format\":\"%s\",\"count\":%zu}", x->format, x->count);
	if (r < 0)
		return r;
	ev.agency_id = x->actor->agency_id;
	return attt_audit_append(db, attt_app_clock(g_app), x->actor, &ev, NULL);
}

static int h_events(struct attt_http_req *req, void *unused)
{
	struct attt_audit_filter f;
	struct collect c = {0};
	struct scope *s = NULL;
	struct attt_db *db = NULL;
	struct attt_actor actor;
	const char *v;
	int64_t agency = 0, limit = PAGE_DEFAULT, last = -1;
	enum fmt fmt = FMT_JSON;
	int r;

	(void)unused;
	memset(&f, 0, sizeof(f));
	f.outcome = -1;
	f.after_seq = -1;
	if ((r = pick_format(req, &fmt)) != ATTT_OK)
		return done(r);
	if (fmt != FMT_JSON)
		limit = EXPORT_MAX_EVENTS;
	if ((r = q_time(req, "from", &f.from_us)) != ATTT_OK || (r = q_time(req, "to", &f.to_us)) != ATTT_OK ||
	    (r = q_int(req, "account", 1, INT64_MAX, &f.actor_account)) != ATTT_OK ||
	    (r = q_int(req, "agency", 1, INT64_MAX, &agency)) != ATTT_OK ||
	    (r = q_int(req, "after", -1, INT64_MAX, &f.after_seq)) != ATTT_OK ||
	    (r = q_int(req, "limit", 1, fmt == FMT_JSON ? ATTT_HTTP_MAX_PAGE : EXPORT_MAX_EVENTS, &limit)) != ATTT_OK)
		return done(r);
	if ((v = attt_http_req_query(req, "category")) && attt_audit_category_parse(v, &f.category) < 0)
		return problem_field(req, ATTT_E_INVAL, "nhóm không có", "unknown category", "category");
	if ((v = attt_http_req_query(req, "outcome")) && attt_audit_outcome_parse(v, &f.outcome) < 0)
		return problem_field(req, ATTT_E_INVAL, "kết quả không có", "unknown outcome", "outcome");
	f.actor_name = attt_http_req_query(req, "user");
	f.action = attt_http_req_query(req, "action");
	f.object_type = attt_http_req_query(req, "object_type");
	f.object_id = attt_http_req_query(req, "object_id");
	f.limit = (size_t)limit;
	if ((r = serve_thread_db(g_app, &db)) < 0 || (r = scope_of(req, db, &s)) < 0)
		return r;
	if (agency > 0) {
		if (!scope_has(s, agency)) {
			r = ATTT_E_PERM;
			goto out;
		}
		f.agency_id = agency;
	} else if (!s->all) {
		/* Only the caller's agencies: others' events are filtered out, not shown. */
		f.agencies = s->ids;
		f.n_agencies = s->n;
	}
	c.fmt = fmt;
	attt_buf_init(&c.buf, EXPORT_MAX_BYTES);
	if (fmt == FMT_JSON && !(c.items = json_array())) {
		r = ATTT_E_NOMEM;
		goto out;
	}
	if (fmt == FMT_CSV && (r = attt_audit_format_csv_header(&c.buf)) < 0)
		goto out;
	r = attt_audit_query(db, &f, collect_one, &c, &last);
	if (r == ATTT_E_INVAL) {
		r = problem_field(req, r, "bộ lọc không hợp lệ", "invalid filter", "action");
		goto out;
	}
	if (r < 0)
		goto out;
	if (fmt == FMT_JSON) {
		json_t *body = json_pack("{s:O, s:I, s:o}", "items", c.items, "count", (json_int_t)c.count, "next_after",
					 c.count == (size_t)limit ? json_integer(last) : json_null());
		r = attt_http_reply_json(req, 200, body);
		goto out;
	}
	/* R7.2: taking the trail out of the system is itself recorded, before the data leaves. */
	{
		struct export_ev x = {&actor, fmt == FMT_CSV ? "csv" : "jsonl", c.count};
		if ((r = auth_actor(req, &actor)) < 0 || (r = attt_db_tx(db, export_event, &x)) < 0)
			goto out;
	}
	r = attt_http_reply_header(req, "Content-Disposition",
				   fmt == FMT_CSV ? "attachment; filename=\"audit.csv\"" : "attachment; filename=\"audit.jsonl\"");
	if (r == ATTT_OK && c.count == (size_t)limit) {
		/* A full export may have more: the client continues with after=<this>. */
		char next[32];
		attt_str_printf(next, sizeof(next), "%lld", (long long)last);
		r = attt_http_reply_header(req, "X-Next-After", next);
	}
	if (r == ATTT_OK)
		r = attt_http_reply_bytes(req, 200, fmt == FMT_CSV ? "text/csv; charset=utf-8" : "application/x-ndjson",
					  c.buf.data ? c.buf.data : "", c.buf.len);
out:
	json_decref(c.items);
	attt_buf_done(&c.buf);
	free(s);
	return r;
}

/* --- checkpoint and proofs --------------------------------------------------------------------- */

static json_t *time_json(int64_t t)
{
	char buf[40];
	return attt_time_iso(t, buf, sizeof(buf)) == ATTT_OK ? json_string(buf) : json_null();
}

static int h_checkpoint(struct attt_http_req *req, void *unused)
{
	const char *fmt = attt_http_req_query(req, "format");
	struct attt_db *db = NULL;
	struct scope *s = NULL;
	char *note = NULL;
	uint64_t size = 0;
	int64_t at = 0;
	int r;

	(void)unused;
	if ((r = serve_thread_db(g_app, &db)) < 0 || (r = scope_of(req, db, &s)) < 0)
		return r;
	free(s);
	if (fmt && strcmp(fmt, "json") != 0 && strcmp(fmt, "note") != 0)
		return problem_field(req, ATTT_E_INVAL, "note hoặc json", "note or json", "format");
	r = attt_audit_checkpoint_latest_at(db, &note, &size, &at);
	if (r == ATTT_E_NOTFOUND)
		return attt_http_reply_problem(req, r, "chưa có điểm kiểm tra nào được ký", "no signed checkpoint yet");
	if (r < 0)
		return r;
	if (fmt && strcmp(fmt, "json") == 0) {
		/* The note's first three lines: origin, tree size, root hash (C2SP tlog-checkpoint); the
		 * signing time is not in the note, so it is told beside it. */
		const char *l1 = strchr(note, '\n'), *l2 = l1 ? strchr(l1 + 1, '\n') : NULL,
			   *l3 = l2 ? strchr(l2 + 1, '\n') : NULL;
		r = l3 ? attt_http_reply_json(req, 200,
					      json_pack("{s:s%, s:I, s:s%, s:o, s:s}", "origin", note, (size_t)(l1 - note), "size",
							(json_int_t)size, "root", l2 + 1, (size_t)(l3 - l2 - 1), "signed_at",
							time_json(at), "note", note))
		       : ATTT_E_CORRUPT;
	} else {
		r = attt_http_reply_bytes(req, 200, "text/plain; charset=utf-8", note, strlen(note));
	}
	free(note);
	return r;
}

static int proof_array(const struct attt_hash *proof, size_t n, json_t **ret)
{
	json_t *a = json_array();
	char b64[ATTT_HASH_B64];
	if (!a)
		return ATTT_E_NOMEM;
	for (size_t i = 0; i < n; i++) {
		if (attt_hash_b64(&proof[i], b64, sizeof(b64)) < 0 || json_array_append_new(a, json_string(b64)) < 0) {
			json_decref(a);
			return ATTT_E_NOMEM;
		}
	}
	*ret = a;
	return ATTT_OK;
}

static int h_inclusion(struct attt_http_req *req, void *unused)
{
	struct attt_hash proof[ATTT_AUDIT_MAX_PROOF], leaf, root;
	char leaf64[ATTT_HASH_B64], root64[ATTT_HASH_B64];
	struct attt_db *db = NULL;
	struct scope *s = NULL;
	int64_t index = -1, size = 0;
	uint64_t cur = 0;
	json_t *arr = NULL;
	size_t n = 0;
	int r;

	(void)unused;
	if ((r = q_int(req, "index", 0, INT64_MAX, &index)) != ATTT_OK || (r = q_int(req, "size", 1, INT64_MAX, &size)) != ATTT_OK)
		return done(r);
	if (index < 0)
		return problem_field(req, ATTT_E_INVAL, "bắt buộc", "required", "index");
	if ((r = serve_thread_db(g_app, &db)) < 0 || (r = scope_of(req, db, &s)) < 0)
		return r;
	free(s);
	if ((r = attt_audit_size(db, &cur)) < 0)
		return r;
	if (size == 0)
		size = (int64_t)cur;
	if ((uint64_t)size > cur)
		return problem_field(req, ATTT_E_RANGE, "lớn hơn số sự kiện của nhật ký", "beyond the trail's size", "size");
	if (index >= size)
		return problem_field(req, ATTT_E_RANGE, "phải nhỏ hơn size", "must be below size", "index");
	if ((r = attt_audit_prove_inclusion(db, (uint64_t)index, (uint64_t)size, &leaf, proof, &n)) < 0 ||
	    (r = attt_audit_root(db, (uint64_t)size, &root)) < 0 || (r = proof_array(proof, n, &arr)) < 0)
		return r;
	attt_hash_b64(&leaf, leaf64, sizeof(leaf64));
	attt_hash_b64(&root, root64, sizeof(root64));
	return attt_http_reply_json(req, 200,
				    json_pack("{s:I, s:I, s:s, s:s, s:o}", "index", (json_int_t)index, "size", (json_int_t)size,
					      "root", root64, "leaf", leaf64, "proof", arr));
}

static int h_consistency(struct attt_http_req *req, void *unused)
{
	struct attt_hash proof[ATTT_AUDIT_MAX_PROOF], r1, r2;
	char b1[ATTT_HASH_B64], b2[ATTT_HASH_B64];
	struct attt_db *db = NULL;
	struct scope *s = NULL;
	int64_t from = 0, to = 0;
	uint64_t cur = 0;
	json_t *arr = NULL;
	size_t n = 0;
	int r;

	(void)unused;
	if ((r = q_int(req, "from", 1, INT64_MAX, &from)) != ATTT_OK || (r = q_int(req, "to", 1, INT64_MAX, &to)) != ATTT_OK)
		return done(r);
	if (from == 0 || to == 0)
		return problem_field(req, ATTT_E_INVAL, "bắt buộc", "required", from == 0 ? "from" : "to");
	if (from > to)
		return problem_field(req, ATTT_E_RANGE, "phải không lớn hơn to", "must not exceed to", "from");
	if ((r = serve_thread_db(g_app, &db)) < 0 || (r = scope_of(req, db, &s)) < 0)
		return r;
	free(s);
	if ((r = attt_audit_size(db, &cur)) < 0)
		return r;
	if ((uint64_t)to > cur)
		return problem_field(req, ATTT_E_RANGE, "lớn hơn số sự kiện của nhật ký", "beyond the trail's size", "to");
	if ((r = attt_audit_prove_consistency(db, (uint64_t)from, (uint64_t)to, proof, &n)) < 0 ||
	    (r = attt_audit_root(db, (uint64_t)from, &r1)) < 0 || (r = attt_audit_root(db, (uint64_t)to, &r2)) < 0 ||
	    (r = proof_array(proof, n, &arr)) < 0)
		return r;
	attt_hash_b64(&r1, b1, sizeof(b1));
	attt_hash_b64(&r2, b2, sizeof(b2));
	return attt_http_reply_json(req, 200,
				    json_pack("{s:I, s:I, s:s, s:s, s:o}", "from", (json_int_t)from, "to", (json_int_t)to,
					      "root1", b1, "root2", b2, "proof", arr));
}

/* The verifier key ("<origin>+<key id>+<base64 key>") that checks the checkpoints (R7.1). An
 * inspector should get it from elsewhere too: a key taken from the server inspected proves nothing. */
static int h_key(struct attt_http_req *req, void *unused)
{
	struct attt_db *db = NULL;
	struct scope *s = NULL;
	int r;

	(void)unused;
	if ((r = serve_thread_db(g_app, &db)) < 0 || (r = scope_of(req, db, &s)) < 0)
		return r;
	free(s);
	if (!g_vkey[0])
		return attt_http_reply_problem(req, ATTT_E_NOTFOUND, "không có khóa công khai của nhật ký",
					       "no public key of the trail");
	return attt_http_reply_bytes(req, 200, "text/plain; charset=utf-8", g_vkey, strlen(g_vkey));
}

/* --- R7.3 reviews ------------------------------------------------------------------------------- */

struct rev_list {
	const struct scope *s;
	int64_t agency; /* > 0: only this agency */
	json_t *items;
};


static int rev_one(void *ctx, const struct attt_audit_review *rv)
{
	struct rev_list *l = ctx;
	json_t *j;
	if (l->agency > 0 && rv->agency_id != l->agency)
		return ATTT_OK;
	/* A review of the whole trail is for those who read the whole trail. */
	if (rv->agency_id == 0 ? !l->s->all : !scope_has(l->s, rv->agency_id))
		return ATTT_OK;
	j = json_pack("{s:I, s:I, s:o, s:o, s:I, s:s?, s:o, s:I, s:s?}", "id", (json_int_t)rv->id, "agency",
		      (json_int_t)rv->agency_id, "from", time_json(rv->from_us), "to", time_json(rv->to_us), "reviewer_account",
		      (json_int_t)rv->reviewer_account, "reviewer", rv->reviewer_name, "reviewed_at", time_json(rv->reviewed_us),
		      "tree_size", (json_int_t)rv->tree_size, "findings", rv->findings);
	if (!j || json_array_append_new(l->items, j) < 0)
		return ATTT_E_NOMEM;
	return ATTT_OK;
}

static int h_reviews(struct attt_http_req *req, void *unused)
{
	struct rev_list l = {0};
	struct attt_db *db = NULL;
	struct scope *s = NULL;
	int64_t agency = 0;
	int r;

	(void)unused;
	if ((r = q_int(req, "agency", 1, INT64_MAX, &agency)) != ATTT_OK)
		return done(r);
	if ((r = serve_thread_db(g_app, &db)) < 0 || (r = scope_of(req, db, &s)) < 0)
		return r;
	if (agency > 0 && !scope_has(s, agency)) {
		free(s);
		return ATTT_E_PERM;
	}
	l.s = s;
	l.agency = agency;
	l.items = json_array();
	r = l.items ? attt_audit_review_list(db, agency, rev_one, &l) : ATTT_E_NOMEM;
	free(s);
	if (r < 0) {
		json_decref(l.items);
		return r;
	}
	return attt_http_reply_json(req, 200, json_pack("{s:o}", "items", l.items));
}

static int body_time(struct attt_http_req *req, json_t *b, const char *name, int64_t *ret)
{
	json_t *v = json_object_get(b, name);
	if (!json_is_string(v) || attt_time_parse(json_string_value(v), ret) < 0)
		return problem_field(req, ATTT_E_INVAL, "cần thời gian (RFC 3339 hoặc yyyy-mm-dd)",
				     "a time is required (RFC 3339 or yyyy-mm-dd)", name) < 0 ? ATTT_E_INVAL : 1;
	return ATTT_OK;
}

static int h_review_add(struct attt_http_req *req, void *unused)
{
	struct attt_actor actor;
	struct attt_db *db = NULL;
	struct scope *s = NULL;
	json_t *b = NULL, *a, *fnd;
	int64_t agency = 0, from = 0, to = 0, id = 0;
	int r;

	(void)unused;
	if ((r = serve_thread_db(g_app, &db)) < 0 || (r = scope_of(req, db, &s)) < 0)
		return r;
	if (!s->reviewer) {
		r = ATTT_E_PERM;
		goto out;
	}
	if ((r = attt_http_req_json(req, &b)) < 0)
		goto out;
	if (!json_is_object(b)) {
		r = problem_field(req, ATTT_E_INVAL, "cần một đối tượng JSON", "a JSON object is expected", "body");
		goto out;
	}
	a = json_object_get(b, "agency");
	if (a && !json_is_null(a) && (!json_is_integer(a) || json_integer_value(a) < 0)) {
		r = problem_field(req, ATTT_E_INVAL, "cần số cơ quan (0: toàn bộ nhật ký)", "an agency id (0: the whole trail)",
				  "agency");
		goto out;
	}
	agency = json_is_integer(a) ? json_integer_value(a) : 0;
	/* R7.3: a reviewer records reviews of what they may review. */
	if (agency == 0 ? !s->review_all : !(s->review_all || in_list(s->ids, s->n_rev, agency))) {
		r = ATTT_E_PERM;
		goto out;
	}
	if ((r = body_time(req, b, "from", &from)) != ATTT_OK || (r = body_time(req, b, "to", &to)) != ATTT_OK) {
		r = done(r);
		goto out;
	}
	fnd = json_object_get(b, "findings");
	if (!json_is_string(fnd) || json_string_length(fnd) == 0) {
		r = problem_field(req, ATTT_E_INVAL, "bắt buộc (\"không có\" cũng là một kết luận)",
				  "required (\"none\" is a finding)", "findings");
		goto out;
	}
	if ((r = auth_actor(req, &actor)) < 0)
		goto out;
	r = attt_audit_review_add(db, attt_app_clock(g_app), &actor, agency, from, to, json_string_value(fnd), &id);
	if (r == ATTT_E_INVAL || r == ATTT_E_TOOBIG) {
		r = problem_field(req, r, "kỳ rà soát trống, đảo ngược, ở tương lai, hoặc kết luận không hợp lệ",
				  "the period is empty, inverted or in the future, or the findings are invalid", "from, to, findings");
		goto out;
	}
	if (r < 0)
		goto out;
	r = attt_http_reply_json(req, 201, json_pack("{s:I, s:I}", "id", (json_int_t)id, "agency", (json_int_t)agency));
out:
	json_decref(b);
	free(s);
	return r;
}

static int h_review_overdue(struct attt_http_req *req, void *unused)
{
	const struct attt_principal *p = auth_principal(req);
	const struct attt_policy_values *pv = attt_policy_values(attt_app_policy(g_app));
	struct attt_db *db = NULL;
	struct scope *s = NULL;
	int64_t agency = -1, since = 0;
	bool overdue = false;
	int r;

	(void)unused;
	if ((r = q_int(req, "agency", 0, INT64_MAX, &agency)) != ATTT_OK)
		return done(r);
	if ((r = serve_thread_db(g_app, &db)) < 0 || (r = scope_of(req, db, &s)) < 0)
		return r;
	if (agency < 0)
		agency = s->all ? 0 : p->agency_id > 0 ? p->agency_id : s->ids[0];
	if (agency == 0 ? !s->all : !scope_has(s, agency)) {
		free(s);
		return ATTT_E_PERM;
	}
	free(s);
	/* R7.3: the oldest period nobody has reviewed, overdue past the profile's interval. */
	r = attt_audit_review_overdue(db, attt_app_clock(g_app), agency,
				      pv->audit_log_review_interval_days * INT64_C(86400) * ATTT_USEC_PER_SEC, &since, &overdue);
	if (r < 0)
		return r;
	/* "now": a review may end no later than the server's clock, which a browser's may not match. */
	return attt_http_reply_json(req, 200,
				    json_pack("{s:I, s:o, s:b, s:I, s:o}", "agency", (json_int_t)agency, "since",
					      since ? time_json(since) : json_null(), "overdue", overdue, "interval_days",
					      (json_int_t)pv->audit_log_review_interval_days, "now",
					      time_json(attt_now_us(attt_app_clock(g_app)))));
}

/* The route table: docs/access-control.md has one row per line here. */
static const struct {
	const char *method, *pattern;
	attt_http_handler_fn fn;
} routes[] = {
	{"GET", "/api/v1/audit/events", h_events},
	{"GET", "/api/v1/audit/checkpoint", h_checkpoint},
	{"GET", "/api/v1/audit/key", h_key},
	{"GET", "/api/v1/audit/proof/inclusion", h_inclusion},
	{"GET", "/api/v1/audit/proof/consistency", h_consistency},
	{"GET", "/api/v1/audit/reviews", h_reviews},
	{"POST", "/api/v1/audit/reviews", h_review_add},
	{"GET", "/api/v1/audit/reviews/overdue", h_review_overdue},
};

/* Makes g_vkey from [audit] origin (or attt/<data id>) and keys/audit.pub, as `attt audit key`. */
static int make_vkey(struct attt_app *app)
{
	struct attt_audit_verifier *v = NULL;
	char origin[ATTT_AUDIT_MAX_NAME + 1];
	const char *o = NULL;
	uint8_t pub[32];
	int r;

	if (attt_config_get_string(attt_app_config(app), "audit.origin", &o) != ATTT_OK)
		o = NULL;
	if ((r = attt_audit_origin(o, attt_app_data_id(app), origin, sizeof(origin))) < 0 ||
	    (r = attt_app_read_key(app, ATTT_APP_AUDIT_PUB, pub, sizeof(pub))) < 0 ||
	    (r = attt_audit_verifier_new(origin, pub, &v)) < 0)
		return r;
	r = attt_audit_verifier_vkey(v, g_vkey, sizeof(g_vkey));
	attt_audit_verifier_free(v);
	return r;
}

int routes_audit_register(struct attt_http_server *srv, struct attt_app *app)
{
	int r;

	g_app = app;
	/* Without keys/audit.pub the server still runs; GET /api/v1/audit/key then answers 404. */
	if ((r = make_vkey(app)) < 0)
		g_vkey[0] = '\0';
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		r = attt_http_server_route(srv, routes[i].method, routes[i].pattern, 0, routes[i].fn, NULL);
		if (r < 0)
			return r;
	}
	return ATTT_OK;
}
