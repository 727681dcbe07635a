/*
 * routes_incident_files.c: the files and observables of an incident over the API (R8.6, R11.2,
 * R8.8): attachments scanned with libclamav before they are stored, the stored Mẫu 03/04/05 PDFs,
 * and the observables list.
 *
 * Who may: reading (lists, downloads) needs incident.read on the incident's agency, as reading the
 * incident does. Adding (an attachment, an observable) needs incident.manage or incident.approve
 * there (an agency head or the authority adds evidence as an officer does), or being the account
 * that reported the incident while still holding incident.report on its agency: a staff member adds
 * evidence to their own report, never to another's. A route of an incident the caller
 * may not read answers 403, as routes_incident.c does; an unknown incident 404.
 *
 * The libclamav engine is loaded on the first upload (loading the official databases takes seconds
 * and hundreds of MiB; a server that never receives an attachment never pays it) and then shared by
 * every pool thread, each upload holding a read lock for its scan and store. Without a usable
 * database an upload is refused with a problem naming the path, and nothing is stored (fail
 * closed); the next upload tries to load again, so installing the database needs no restart. Once
 * a minute of the app clock the database is compared with the loaded engine's and the engine
 * reloaded when clamav-freshclam changed it (a new engine is built outside the lock, then swapped in
 * under the write lock): by the tick (tick_scan.c), or by an upload that finds the check due before
 * the tick made it. The tick frees the engine at shutdown. A quarantined file answers 422 (type infected) on upload
 * and 403 on every download; the detection is recorded all the same (timeline, audit, notice).
 * docs/access-control.md lists who may call what; docs/api/openapi.yaml the shapes.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "attt/account.h"
#include "attt/app.h"
#include "attt/config.h"
#include "attt/db.h"
#include "attt/err.h"
#include "attt/http.h"
#include "attt/incident.h"
#include "attt/log.h"
#include "attt/scan.h"
#include "attt/str.h"
#include "auth_cli.h"
#include "incident_files.h"
#include "routes.h"

static struct attt_app *g_app;
/* g_scan is read under g_scan_rw's read lock for as long as a scan may use it, and replaced or
 * freed under its write lock; g_load makes one thread at a time build or check an engine, and
 * guards g_stamp. g_next_check (app clock, µs) is when the database is next compared with g_stamp;
 * it is atomic so that an upload sees without a lock whether a check is due. */
static pthread_rwlock_t g_scan_rw = PTHREAD_RWLOCK_INITIALIZER;
static pthread_mutex_t g_load = PTHREAD_MUTEX_INITIALIZER;
static struct attt_scan *g_scan;
static struct incident_scan_stamp g_stamp; /* of the database g_scan was loaded from */
static _Atomic int64_t g_next_check;

/* Builds an engine from attt.ini's scan.database (outside g_scan_rw: it takes seconds). */
static int load_engine(struct attt_scan **ret, struct incident_scan_stamp *ret_stamp, char *err, size_t errsz)
{
	struct incident_scan_stamp st;
	int r;

	incident_scan_stamp(attt_config_string(attt_app_config(g_app), "scan.database"), &st);
	r = incident_scan_open(attt_app_config(g_app), ret, err, errsz);
	if (r < 0)
		return r;
	log_info("scan: %u signatures loaded (libclamav %s)", attt_scan_signatures(*ret), attt_scan_version());
	*ret_stamp = st;
	return ATTT_OK;
}

/* A check is due at now: its time has come, or the clock went back by more than an interval. */
static bool check_due(int64_t now)
{
	int64_t next = atomic_load(&g_next_check);
	return now >= next || now < next - INCIDENT_SCAN_CHECK_US;
}

/* R8.6: with g_load held and an engine loaded, compares the database with the engine's stamp and,
 * when clamav-freshclam (or the operator) changed it, builds a new engine outside g_scan_rw and
 * swaps it in under the write lock. The old engine serves until the new one is ready, and stays
 * when the new database does not load (its error is logged at each check). */
static int refresh_locked(int64_t now)
{
	struct attt_scan *s = NULL, *old = NULL;
	struct incident_scan_stamp st;
	char err[1024];
	int r;

	incident_scan_stamp(attt_config_string(attt_app_config(g_app), "scan.database"), &st);
	if (memcmp(&st, &g_stamp, sizeof(st)) == 0) {
		r = ATTT_OK;
		goto out;
	}
	r = load_engine(&s, &st, err, sizeof(err));
	if (r < 0) {
		log_error("scan: reloading the signature database failed, the loaded one stays: %s", err);
		goto out;
	}
	pthread_rwlock_wrlock(&g_scan_rw);
	old = g_scan;
	g_scan = s;
	g_stamp = st;
	pthread_rwlock_unlock(&g_scan_rw);
	attt_scan_close(old);
out:
	/* Only now: an upload that comes while the check runs finds it due, waits for g_load and then
	 * scans with the engine this check leaves. */
	atomic_store(&g_next_check, now + INCIDENT_SCAN_CHECK_US);
	return r;
}

/* R8.6: read-locks and returns the engine, loading it first when there is none. A check of the
 * database that is due (INCIDENT_SCAN_CHECK_US after the last one, on the app clock) is made here
 * before the scan when the tick has not made it yet, so that a file is never scanned with a
 * database older than one interval, however late the tick runs. On success the caller scans, then
 * calls scan_release(); on failure nothing is held and err says why. */
static int scan_engine(const struct attt_scan **ret, char *err, size_t errsz)
{
	struct attt_scan *s = NULL;
	struct incident_scan_stamp st;
	int64_t now = attt_now_us(attt_app_clock(g_app));
	int r = ATTT_OK;

	pthread_rwlock_rdlock(&g_scan_rw);
	if (g_scan && !check_due(now)) {
		*ret = g_scan;
		return ATTT_OK;
	}
	pthread_rwlock_unlock(&g_scan_rw);
	pthread_mutex_lock(&g_load);
	pthread_rwlock_rdlock(&g_scan_rw);
	bool have = g_scan != NULL;
	pthread_rwlock_unlock(&g_scan_rw);
	if (!have) {
		r = load_engine(&s, &st, err, errsz);
		if (r < 0)
			log_error("scan: attachments refused: %s", err);
		else {
			pthread_rwlock_wrlock(&g_scan_rw);
			g_scan = s;
			g_stamp = st;
			pthread_rwlock_unlock(&g_scan_rw);
			atomic_store(&g_next_check, now + INCIDENT_SCAN_CHECK_US);
		}
	} else if (check_due(now)) {
		(void)refresh_locked(now); /* a failed reload keeps the engine that is loaded */
	}
	pthread_mutex_unlock(&g_load);
	if (r < 0)
		return r;
	pthread_rwlock_rdlock(&g_scan_rw);
	if (!g_scan) { /* freed by the shutdown tick meanwhile */
		pthread_rwlock_unlock(&g_scan_rw);
		attt_str_copy(err, errsz, "shutting down");
		return ATTT_E_STATE;
	}
	*ret = g_scan;
	return ATTT_OK;
}

static void scan_release(void)
{
	pthread_rwlock_unlock(&g_scan_rw);
}

int incident_files_tick(struct attt_app *app, int64_t now_us)
{
	struct attt_scan *old = NULL;
	bool loaded;
	int r = ATTT_OK;

	(void)app;
	if (now_us == 0) { /* shutdown: the HTTP server has stopped, no scan is running */
		pthread_rwlock_wrlock(&g_scan_rw);
		old = g_scan;
		g_scan = NULL;
		pthread_rwlock_unlock(&g_scan_rw);
		attt_scan_close(old);
		return ATTT_OK;
	}
	if (!check_due(now_us))
		return ATTT_OK;
	pthread_rwlock_rdlock(&g_scan_rw);
	loaded = g_scan != NULL;
	pthread_rwlock_unlock(&g_scan_rw);
	if (!loaded || !g_app)
		return ATTT_OK; /* loaded on first use */
	pthread_mutex_lock(&g_load);
	if (check_due(now_us)) /* an upload may have checked meanwhile */
		r = refresh_locked(now_us);
	pthread_mutex_unlock(&g_load);
	return r;
}

static int problem_field(struct attt_http_req *req, int err, const char *vi, const char *en, const char *field)
{
	char dvi[512], den[512];
	attt_str_printf(dvi, sizeof(dvi), "%s: %s", field, vi);
	attt_str_printf(den, sizeof(den), "%s: %s", field, en);
	return attt_http_reply_problem(req, err, dvi, den);
}

/* The incident of the path's {id}: its agency and reporter; ATTT_E_NOTFOUND (404) when none. */
static int load(struct attt_http_req *req, struct attt_db **ret_db, int64_t *ret_id, int64_t *ret_agency,
		int64_t *ret_reporter)
{
	const char *s = attt_http_req_param(req, "id");
	struct attt_db *db = NULL;
	int64_t id = 0;
	int r;

	if (!s || attt_parse_int64(s, 1, INT64_MAX, &id) < 0)
		return ATTT_E_NOTFOUND;
	if ((r = serve_thread_db(g_app, &db)) < 0 || (r = attt_incident_scope(db, id, ret_agency, ret_reporter)) < 0)
		return r;
	*ret_db = db;
	*ret_id = id;
	return ATTT_OK;
}

/* 403 unless the caller holds perm on agency. */
static int need(struct attt_http_req *req, enum attt_perm perm, int64_t agency)
{
	bool ok = false;
	int r = auth_can(req, perm, agency, &ok);
	if (r < 0)
		return r;
	return ok ? ATTT_OK : ATTT_E_PERM;
}

/* R8.6: incident.manage or incident.approve (the agency's head, the authority: they hold evidence
 * too), or the incident's own reporter who may still report for its agency. */
static int need_contributor(struct attt_http_req *req, int64_t agency, int64_t reporter)
{
	const struct attt_principal *p = auth_principal(req);
	int r = need(req, ATTT_PERM_INCIDENT_MANAGE, agency);

	if (r == ATTT_E_PERM)
		r = need(req, ATTT_PERM_INCIDENT_APPROVE, agency);
	if (r != ATTT_E_PERM || !p || reporter <= 0 || p->account_id != reporter)
		return r;
	return need(req, ATTT_PERM_INCIDENT_REPORT, agency);
}

/* Reading the incident's files and observables: incident.read on its agency, or (issue 5: reporters
 * follow their own reports, as GET /api/v1/incidents/{id} allows) the incident's own reporter who
 * may still report for its agency. Stored forms stay with incident.read, as they do in show. */
static int need_reader(struct attt_http_req *req, int64_t agency, int64_t reporter)
{
	const struct attt_principal *p = auth_principal(req);
	int r = need(req, ATTT_PERM_INCIDENT_READ, agency);

	if (r != ATTT_E_PERM || !p || reporter <= 0 || p->account_id != reporter)
		return r;
	return need(req, ATTT_PERM_INCIDENT_REPORT, agency);
}

/* A path parameter that must be a positive id; 0 when it is not (the caller answers 404). */
static int64_t param_id(struct attt_http_req *req, const char *name)
{
	const char *s = attt_http_req_param(req, name);
	int64_t v = 0;
	if (!s || attt_parse_int64(s, 1, INT64_MAX, &v) < 0)
		return 0;
	return v;
}

/* R8.6: POST /api/v1/incidents/{id}/attachments?name=FILE with the file as the raw body. */
static int h_attach(struct attt_http_req *req, void *unused)
{
	struct attt_incident_attach_limits lim;
	struct attt_incident_attachment a;
	const struct attt_scan *scan = NULL;
	struct attt_actor actor;
	struct attt_db *db = NULL;
	const char *name = attt_http_req_query(req, "name"), *body;
	char err[1024] = "", dvi[768], den[768];
	int64_t id = 0, agency = 0, reporter = 0;
	size_t n = 0;
	int r;

	(void)unused;
	if ((r = load(req, &db, &id, &agency, &reporter)) < 0 || (r = need_contributor(req, agency, reporter)) < 0)
		return r;
	attt_incident_attach_limits_from_config(attt_app_config(g_app), &lim);
	body = attt_http_req_body(req, &n);
	if (n == 0)
		return problem_field(req, ATTT_E_INVAL, "tệp rỗng", "the file is empty", "body");
	if (n > lim.max_bytes) {
		attt_str_printf(dvi, sizeof(dvi), "tệp lớn hơn %zu byte (incident.attachment_max_bytes)", lim.max_bytes);
		attt_str_printf(den, sizeof(den), "the file is larger than %zu bytes (incident.attachment_max_bytes)",
				lim.max_bytes);
		return attt_http_reply_problem(req, ATTT_E_TOOBIG, dvi, den);
	}
	if ((r = scan_engine(&scan, err, sizeof(err))) < 0) {
		/* R8.6, fail closed: nothing is stored unscanned. */
		attt_str_printf(dvi, sizeof(dvi), "không quét được mã độc nên không lưu tệp: %s", err);
		attt_str_printf(den, sizeof(den), "cannot scan for malware, nothing stored: %s", err);
		return attt_http_reply_problem(req, ATTT_E_CONFIG, dvi, den);
	}
	if ((r = auth_actor(req, &actor)) < 0) {
		scan_release();
		return r;
	}
	r = attt_incident_attach(db, attt_app_clock(g_app), scan, &lim, &actor, id, name, body, n, &a);
	scan_release();
	switch (r) {
	case ATTT_OK:
		break;
	case ATTT_E_UNSUPPORTED:
		return problem_field(req, r, "loại tệp không được nhận (incident.attachment_types)",
				     "this type of file is not accepted (incident.attachment_types)", "body");
	case ATTT_E_CONFLICT:
		return problem_field(req, r, "sự cố đã đủ số tệp đính kèm tối đa", "the incident has the most attachments allowed",
				     "body");
	case ATTT_E_INVAL:
		return problem_field(req, r, "tên tệp không hợp lệ", "invalid file name", "name");
	case ATTT_E_TOOBIG:
		return problem_field(req, r, "quá lớn", "too large", name ? "name" : "body");
	default:
		return r;
	}
	if (a.quarantined) {
		/* R8.6: recorded, quarantined, never served; the client is told in the problem. */
		attt_str_printf(dvi, sizeof(dvi), "tệp %lld (%s) chứa mã độc %s và đã bị cách ly; không thể tải xuống",
				(long long)a.id, a.name, a.signature);
		attt_str_printf(den, sizeof(den), "attachment %lld (%s) matched %s and was quarantined; it cannot be downloaded",
				(long long)a.id, a.name, a.signature);
		return attt_http_reply_problem(req, ATTT_E_INFECTED, dvi, den);
	}
	return attt_http_reply_json(req, 201,
				    json_pack("{s:I,s:I,s:s,s:s,s:s,s:I,s:s,s:n}", "id", (json_int_t)a.id, "incident_id",
					      (json_int_t)id, "name", a.name, "state", "clean", "sha256", a.sha256, "size",
					      (json_int_t)a.size, "media_type", a.media_type, "signature"));
}

static int h_attachments(struct attt_http_req *req, void *unused)
{
	struct attt_db *db = NULL;
	json_t *j = NULL;
	int64_t id = 0, agency = 0, reporter = 0;
	int r;

	(void)unused;
	if ((r = load(req, &db, &id, &agency, &reporter)) < 0 || (r = need_reader(req, agency, reporter)) < 0 ||
	    (r = attt_incident_attachments_json(db, id, &j)) < 0)
		return r;
	return attt_http_reply_json(req, 200, j);
}

/* The file as a download: never rendered inline (Content-Disposition attachment; the server adds
 * X-Content-Type-Options: nosniff and a CSP without scripts to every answer). */
static int reply_file(struct attt_http_req *req, const struct attt_incident_file *f)
{
	char cd[4 * ATTT_INCIDENT_MAX_FILE_NAME + 64];
	int r = attt_incident_content_disposition(f->name, cd, sizeof(cd));

	if (r < 0 || (r = attt_http_reply_header(req, "Content-Disposition", cd)) < 0 ||
	    (r = attt_http_reply_header(req, "X-Content-SHA256", f->sha256)) < 0)
		return r;
	return attt_http_reply_bytes(req, 200, f->media_type, f->data, f->size);
}

/* R8.6: a clean attachment's bytes; a quarantined one never (403, audited as denied). */
static int h_download(struct attt_http_req *req, void *unused)
{
	struct attt_incident_file f = {0};
	struct attt_actor actor;
	struct attt_db *db = NULL;
	int64_t id = 0, agency = 0, reporter = 0, aid = param_id(req, "aid");
	int r;

	(void)unused;
	if ((r = load(req, &db, &id, &agency, &reporter)) < 0 || (r = need_reader(req, agency, reporter)) < 0)
		return r;
	if (aid <= 0)
		return ATTT_E_NOTFOUND;
	if ((r = auth_actor(req, &actor)) < 0)
		return r;
	r = attt_incident_attachment_read(db, attt_app_clock(g_app), &actor, id, aid, &f);
	if (r == ATTT_E_INFECTED)
		return attt_http_reply_problem(req, ATTT_E_PERM, "tệp đã bị cách ly vì chứa mã độc; không bao giờ được tải xuống",
					       "the file is quarantined as malware; it is never served");
	if (r < 0)
		return r;
	r = reply_file(req, &f);
	attt_incident_file_done(&f);
	return r;
}

/* R11.2: a stored Mẫu 03/04/05, as it was generated. */
static int h_document(struct attt_http_req *req, void *unused)
{
	struct attt_incident_file f = {0};
	struct attt_actor actor;
	struct attt_db *db = NULL;
	int64_t id = 0, agency = 0, did = param_id(req, "did");
	int r;

	(void)unused;
	if ((r = load(req, &db, &id, &agency, NULL)) < 0 || (r = need(req, ATTT_PERM_INCIDENT_READ, agency)) < 0)
		return r;
	if (did <= 0)
		return ATTT_E_NOTFOUND;
	if ((r = auth_actor(req, &actor)) < 0 ||
	    (r = attt_incident_document_read(db, attt_app_clock(g_app), &actor, id, did, &f)) < 0)
		return r;
	r = reply_file(req, &f);
	attt_incident_file_done(&f);
	return r;
}

static int observables(struct attt_http_req *req, struct attt_db *db, int64_t id, int status)
{
	json_t *j = NULL, *items;
	int r = attt_incident_get_json(db, id, &j);

	if (r < 0)
		return r;
	items = json_incref(json_object_get(j, "observables"));
	json_decref(j);
	if (!items)
		return ATTT_E_INTERNAL;
	return attt_http_reply_json(req, status,
				    json_pack("{s:o,s:I}", "items", items, "count", (json_int_t)json_array_size(items)));
}

static int h_observables(struct attt_http_req *req, void *unused)
{
	struct attt_db *db = NULL;
	int64_t id = 0, agency = 0, reporter = 0;
	int r;

	(void)unused;
	if ((r = load(req, &db, &id, &agency, &reporter)) < 0 || (r = need_reader(req, agency, reporter)) < 0)
		return r;
	return observables(req, db, id, 200);
}

/* R8.8: {"kind": "ip"|"domain"|"hash"|"account"|"url"|"other", "value": "..."}; answers the list. */
static int h_observe(struct attt_http_req *req, void *unused)
{
	struct attt_actor actor;
	struct attt_db *db = NULL;
	json_t *b = NULL, *k, *v;
	int64_t id = 0, agency = 0, reporter = 0;
	int r;

	(void)unused;
	if ((r = load(req, &db, &id, &agency, &reporter)) < 0 || (r = need_contributor(req, agency, reporter)) < 0)
		return r;
	if ((r = attt_http_req_json(req, &b)) < 0)
		return r;
	k = json_object_get(b, "kind");
	v = json_object_get(b, "value");
	if (!json_is_string(k) || !json_is_string(v)) {
		json_decref(b);
		return problem_field(req, ATTT_E_INVAL, "cần chuỗi kind và value", "string kind and value are expected",
				     "body");
	}
	if ((r = auth_actor(req, &actor)) < 0)
		goto out;
	r = attt_incident_observe(db, attt_app_clock(g_app), &actor, id, json_string_value(k), json_string_value(v));
	if (r == ATTT_E_INVAL || r == ATTT_E_TOOBIG)
		r = problem_field(req, r,
				  "ip: IPv4/IPv6, domain: tên miền, hash: 32-128 chữ số hex; kind ip, domain, hash, account, url, other",
				  "ip: IPv4/IPv6, domain: a domain name, hash: 32-128 hex digits; kinds ip, domain, hash, account, url, other",
				  "value");
	else if (r == ATTT_E_EXISTS)
		r = problem_field(req, r, "đã có", "already recorded", "value");
	else if (r >= 0)
		r = observables(req, db, id, 201);
out:
	json_decref(b);
	return r;
}

/* The route table: docs/access-control.md has one row per line here. */
static const struct {
	const char *method, *pattern;
	attt_http_handler_fn fn;
	unsigned flags;
} routes[] = {
	{"POST", "/api/v1/incidents/{id}/attachments", h_attach, ATTT_HTTP_UPLOAD},
	{"GET", "/api/v1/incidents/{id}/attachments", h_attachments, 0},
	{"GET", "/api/v1/incidents/{id}/attachments/{aid}", h_download, 0},
	{"GET", "/api/v1/incidents/{id}/documents/{did}", h_document, 0},
	{"GET", "/api/v1/incidents/{id}/observables", h_observables, 0},
	{"POST", "/api/v1/incidents/{id}/observables", h_observe, 0},
};

int routes_incident_files_register(struct attt_http_server *srv, struct attt_app *app)
{
	g_app = app;
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		int r = attt_http_server_route(srv, routes[i].method, routes[i].pattern, routes[i].flags, routes[i].fn, NULL);
		if (r < 0)
			return r;
	}
	return ATTT_OK;
}
