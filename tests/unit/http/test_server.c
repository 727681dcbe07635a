/*
 * test_server.c: an in-process attt_http server on 127.0.0.1 (ephemeral port) driven with libcurl:
 * routing and params, query limits, the auth hook and 401, body limits before and after
 * authentication, the JSON depth limit, problem+json in both languages, security headers on every
 * kind of answer, static files with ETag/304, traversal refused, /metrics, the access log, oversized
 * headers and graceful shutdown with a request in flight.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "attt/err.h"
#include "attt/http.h"
#include "attt/limits.h"
#include "integration/harness.h"

static char tmp[256];
static char web[300];
static char logpath[300];
static int log_fd = -1;
static struct attt_http_server *srv;
static char base[128];

/* ---- handlers ---- */

static int h_item(struct attt_http_req *req, void *ctx)
{
	const char *q = attt_http_req_query(req, "q");
	return attt_http_reply_json(req, 200, json_pack("{s:s, s:s?, s:s}", "id", attt_http_req_param(req, "id"), "q", q,
						      "route", attt_http_req_route(req)));
}

static int h_item_new(struct attt_http_req *req, void *ctx)
{
	return attt_http_reply_json(req, 200, json_pack("{s:b}", "new", 1));
}

static int h_echo(struct attt_http_req *req, void *ctx)
{
	json_t *j;
	int r = attt_http_req_json(req, &j);
	if (r < 0)
		return r;
	attt_http_req_set_user(req, attt_http_req_principal(req) ? (const char *)attt_http_req_principal(req) : "anon");
	return attt_http_reply_json(req, 201, j);
}

static int h_noanswer(struct attt_http_req *req, void *ctx)
{
	return ATTT_OK;
}

static int h_header(struct attt_http_req *req, void *ctx)
{
	assert_int_equal(attt_http_reply_header(req, "X-Bad", "a\r\nSet-Cookie: evil=1"), ATTT_E_INVAL);
	assert_int_equal(attt_http_reply_header(req, "Set-Cookie", "s=1; HttpOnly; Secure; SameSite=Strict"), ATTT_OK);
	return attt_http_reply_empty(req, 204);
}

static int h_etag(struct attt_http_req *req, void *ctx)
{
	static const char body[] = "{\"rules\":\"v1\"}";
	return attt_http_reply_etag(req, "application/json", body, sizeof(body) - 1, "private, no-cache");
}

static int h_fail(struct attt_http_req *req, void *ctx)
{
	return ATTT_E_CONFLICT;
}

/* The slow route holds its request until the test lets it go. */
static pthread_mutex_t slow_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t slow_cond = PTHREAD_COND_INITIALIZER;
static bool slow_entered, slow_release;

static int h_slow(struct attt_http_req *req, void *ctx)
{
	pthread_mutex_lock(&slow_lock);
	slow_entered = true;
	pthread_cond_broadcast(&slow_cond);
	while (!slow_release)
		pthread_cond_wait(&slow_cond, &slow_lock);
	pthread_mutex_unlock(&slow_lock);
	return attt_http_reply_json(req, 200, json_pack("{s:s}", "done", "yes"));
}

/* Auth hook: "X-Test-User: NAME" authenticates NAME, "X-Test-User: !" is a forged session. */
static int auth(struct attt_http_req *req, void *ctx, void **ret_principal)
{
	const char *u = attt_http_req_header(req, "X-Test-User");
	if (!u)
		u = attt_http_req_cookie(req, "test_user");
	if (!u)
		return ATTT_OK;
	if (strcmp(u, "!") == 0)
		return ATTT_E_AUTH;
	*ret_principal = strdup(u);
	return *ret_principal ? ATTT_OK : ATTT_E_NOMEM;
}

static void principal_free(void *p, void *ctx)
{
	free(p);
}

static int healthy = ATTT_OK;
static int health(void *ctx)
{
	return healthy;
}

/* ---- fixture ---- */

static void write_file(const char *dir, const char *name, const char *content)
{
	char path[512];
	FILE *f;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "we");
	assert_non_null(f);
	fputs(content, f);
	fclose(f);
}

static int start_server(void)
{
	struct attt_http_options o;
	int r;

	attt_http_options_init(&o);
	o.listen = "127.0.0.1:0";
	o.threads = 2;
	o.static_dir = web;
	o.access_log_fd = log_fd;
	o.version = "test";
	r = attt_http_server_new(&o, &srv);
	if (r < 0)
		return r;
	attt_http_server_set_auth(srv, auth, principal_free, NULL);
	attt_http_server_set_health(srv, health, NULL);
	if ((r = attt_http_server_route(srv, "GET", "/api/items/{id}", ATTT_HTTP_PUBLIC, h_item, NULL)) < 0 ||
	    (r = attt_http_server_route(srv, "GET", "/api/items/new", ATTT_HTTP_PUBLIC, h_item_new, NULL)) < 0 ||
	    (r = attt_http_server_route(srv, "POST", "/api/items/{id}", 0, h_echo, NULL)) < 0 ||
	    (r = attt_http_server_route(srv, "POST", "/api/echo", 0, h_echo, NULL)) < 0 ||
	    (r = attt_http_server_route(srv, "POST", "/api/public-echo", ATTT_HTTP_PUBLIC, h_echo, NULL)) < 0 ||
	    (r = attt_http_server_route(srv, "GET", "/api/noanswer", ATTT_HTTP_PUBLIC, h_noanswer, NULL)) < 0 ||
	    (r = attt_http_server_route(srv, "GET", "/api/header", ATTT_HTTP_PUBLIC, h_header, NULL)) < 0 ||
	    (r = attt_http_server_route(srv, "DELETE", "/api/fail", ATTT_HTTP_PUBLIC, h_fail, NULL)) < 0 ||
	    (r = attt_http_server_route(srv, "GET", "/api/etag", ATTT_HTTP_PUBLIC, h_etag, NULL)) < 0 ||
	    (r = attt_http_server_route(srv, "GET", "/api/slow", ATTT_HTTP_PUBLIC, h_slow, NULL)) < 0 ||
	    (r = attt_http_server_route(srv, "GET", "/api/private", 0, h_item_new, NULL)) < 0)
		return r;
	r = attt_http_server_start(srv);
	if (r < 0)
		return r;
	return attt_http_server_url(srv, base, sizeof(base));
}

static int setup(void **state)
{
	char path[512], outside[512];
	const char *t = getenv("TMPDIR");

	snprintf(tmp, sizeof(tmp), "%s/attt-http-XXXXXX", t && *t ? t : "/tmp");
	if (!mkdtemp(tmp))
		return -1;
	snprintf(web, sizeof(web), "%s/web", tmp);
	mkdir(web, 0700);
	snprintf(path, sizeof(path), "%s/sub", web);
	mkdir(path, 0700);
	write_file(web, "index.html", "<!doctype html><title>attt</title>");
	write_file(web, "app.js", "export const x = 1;\n");
	write_file(web, ".secret", "hidden");
	write_file(web, "healthz", "a file that the /healthz route hides");
	write_file(web, "sub/data.json", "{\"ok\":true}");
	write_file(tmp, "outside.txt", "outside the root");
	snprintf(outside, sizeof(outside), "%s/outside.txt", tmp);
	snprintf(path, sizeof(path), "%s/escape.txt", web);
	if (symlink(outside, path) < 0)
		return -1;
	snprintf(path, sizeof(path), "%s/alias.js", web);
	if (symlink("app.js", path) < 0)
		return -1;
	snprintf(logpath, sizeof(logpath), "%s/access.log", tmp);
	log_fd = open(logpath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (log_fd < 0)
		return -1;
	return start_server() < 0 ? -1 : 0;
}

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	return remove(path);
}

static int rm_tree(const char *dir)
{
	return nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static int teardown(void **state)
{
	/* A failed shutdown test must not leave its handler waiting for ever. */
	pthread_mutex_lock(&slow_lock);
	slow_release = true;
	pthread_cond_broadcast(&slow_cond);
	pthread_mutex_unlock(&slow_lock);
	attt_http_server_free(srv);
	srv = NULL;
	if (log_fd >= 0)
		close(log_fd);
	rm_tree(tmp);
	return 0;
}

static void req(const char *method, const char *path, const char *const *headers, const char *body,
		struct harness_resp *r)
{
	char url[8192];
	snprintf(url, sizeof(url), "%s%s", base, path);
	assert_int_equal(harness_request(method, url, headers, body, body ? strlen(body) : 0, r), 0);
}

static void assert_security_headers(const struct harness_resp *r)
{
	char v[512];
	assert_true(harness_header(r, "Content-Security-Policy", v, sizeof(v)));
	assert_string_equal(v, "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
	assert_true(harness_header(r, "X-Content-Type-Options", v, sizeof(v)));
	assert_string_equal(v, "nosniff");
	assert_true(harness_header(r, "X-Frame-Options", v, sizeof(v)));
	assert_string_equal(v, "DENY");
	assert_true(harness_header(r, "Referrer-Policy", v, sizeof(v)));
	assert_string_equal(v, "no-referrer");
	assert_true(harness_header(r, "Cross-Origin-Opener-Policy", v, sizeof(v)));
	assert_string_equal(v, "same-origin");
	assert_true(harness_header(r, "Cross-Origin-Resource-Policy", v, sizeof(v)));
	assert_string_equal(v, "same-origin");
	assert_true(harness_header(r, "Permissions-Policy", v, sizeof(v)));
	assert_false(harness_header(r, "Strict-Transport-Security", v, sizeof(v))); /* no TLS here */
}

static json_t *problem(const struct harness_resp *r, int status, const char *name)
{
	char v[128], type[128];
	json_t *j;
	assert_int_equal(r->status, status);
	assert_true(harness_header(r, "Content-Type", v, sizeof(v)));
	assert_string_equal(v, "application/problem+json");
	j = harness_json(r);
	assert_non_null(j);
	snprintf(type, sizeof(type), "https://attt.gov.vn/problems/%s", name);
	assert_string_equal(json_string_value(json_object_get(j, "type")), type);
	assert_int_equal(json_integer_value(json_object_get(j, "status")), status);
	return j;
}

/* ---- tests ---- */

static void test_router__params_and_literals(void **state)
{
	struct harness_resp r;
	json_t *j;
	char v[64];

	req("GET", "/api/items/42?q=a%20b+c", NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	j = harness_json(&r);
	assert_string_equal(json_string_value(json_object_get(j, "id")), "42");
	assert_string_equal(json_string_value(json_object_get(j, "q")), "a b c");
	assert_string_equal(json_string_value(json_object_get(j, "route")), "/api/items/{id}");
	assert_true(harness_header(&r, "Cache-Control", v, sizeof(v)));
	assert_string_equal(v, "no-store");
	assert_true(harness_header(&r, "Content-Type", v, sizeof(v)));
	assert_string_equal(v, "application/json");
	assert_security_headers(&r);
	json_decref(j);
	harness_resp_free(&r);

	/* A literal segment wins over a {param}, whatever the order of registration. */
	req("GET", "/api/items/new", NULL, NULL, &r);
	j = harness_json(&r);
	assert_true(json_is_true(json_object_get(j, "new")));
	json_decref(j);
	harness_resp_free(&r);

	/* Decoded params: %C3%A2 is "â". */
	req("GET", "/api/items/c%C3%A2y", NULL, NULL, &r);
	j = harness_json(&r);
	assert_string_equal(json_string_value(json_object_get(j, "id")), "cây");
	json_decref(j);
	harness_resp_free(&r);

	/* HEAD follows GET with no body. */
	req("HEAD", "/api/items/1", NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_int_equal(r.body_len, 0);
	harness_resp_free(&r);
}

static void test_router__404_405_problem_vi_en(void **state)
{
	struct harness_resp r;
	json_t *j;
	char v[128];
	const char *en[] = { "Accept-Language: en-US,en;q=0.9", NULL };

	req("GET", "/api/nothing/here", NULL, NULL, &r);
	j = problem(&r, 404, "notfound");
	assert_string_equal(json_string_value(json_object_get(j, "title")), "Không tìm thấy");
	assert_string_equal(json_string_value(json_object_get(j, "title_en")), "Not found");
	assert_string_equal(json_string_value(json_object_get(j, "instance")), "/api/nothing/here");
	assert_true(harness_header(&r, "Content-Language", v, sizeof(v)));
	assert_string_equal(v, "vi");
	assert_security_headers(&r);
	json_decref(j);
	harness_resp_free(&r);

	req("GET", "/api/nothing/here", en, NULL, &r);
	j = problem(&r, 404, "notfound");
	assert_string_equal(json_string_value(json_object_get(j, "title")), "Not found");
	assert_string_equal(json_string_value(json_object_get(j, "title_vi")), "Không tìm thấy");
	assert_true(harness_header(&r, "Content-Language", v, sizeof(v)));
	assert_string_equal(v, "en");
	json_decref(j);
	harness_resp_free(&r);

	req("PUT", "/api/items/7", en, "{}", &r);
	j = problem(&r, 405, "method");
	assert_true(harness_header(&r, "Allow", v, sizeof(v)));
	assert_string_equal(v, "GET, HEAD, POST");
	assert_string_equal(json_string_value(json_object_get(j, "title")), "Method not allowed");
	json_decref(j);
	harness_resp_free(&r);
}

static void test_handler__errors_become_problems(void **state)
{
	struct harness_resp r;
	json_t *j;

	req("DELETE", "/api/fail", NULL, NULL, &r);
	j = problem(&r, 409, "conflict");
	json_decref(j);
	harness_resp_free(&r);

	req("GET", "/api/noanswer", NULL, NULL, &r);
	j = problem(&r, 500, "internal");
	json_decref(j);
	harness_resp_free(&r);
}

static void test_reply_etag__304(void **state)
{
	struct harness_resp r;
	char v[128], etag[64], inm[96];
	const char *h[] = { inm, NULL };

	req("GET", "/api/etag", NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.body, "{\"rules\":\"v1\"}");
	assert_true(harness_header(&r, "ETag", etag, sizeof(etag)));
	assert_true(harness_header(&r, "Cache-Control", v, sizeof(v)));
	assert_string_equal(v, "private, no-cache");
	assert_security_headers(&r);
	harness_resp_free(&r);

	snprintf(inm, sizeof(inm), "If-None-Match: \"other\", %s", etag);
	req("GET", "/api/etag", h, NULL, &r);
	assert_int_equal(r.status, 304);
	assert_int_equal(r.body_len, 0);
	assert_true(harness_header(&r, "ETag", v, sizeof(v)));
	assert_string_equal(v, etag);
	harness_resp_free(&r);
}

static void test_reply_header__injection_refused(void **state)
{
	struct harness_resp r;
	char v[128];
	req("GET", "/api/header", NULL, NULL, &r);
	assert_int_equal(r.status, 204);
	assert_true(harness_header(&r, "Set-Cookie", v, sizeof(v)));
	assert_string_equal(v, "s=1; HttpOnly; Secure; SameSite=Strict");
	assert_false(harness_header(&r, "X-Bad", v, sizeof(v)));
	assert_security_headers(&r);
	harness_resp_free(&r);
}

static void test_query__limits(void **state)
{
	struct harness_resp r;
	char path[2048];
	size_t n;
	json_t *j;

	n = (size_t)snprintf(path, sizeof(path), "/api/items/1?");
	for (int i = 0; i <= ATTT_HTTP_MAX_QUERY_PARAMS; i++)
		n += (size_t)snprintf(path + n, sizeof(path) - n, "k%d=v&", i);
	req("GET", path, NULL, NULL, &r);
	j = problem(&r, 400, "toobig");
	json_decref(j);
	harness_resp_free(&r);

	req("GET", "/api/items/1?q=%FF%FE", NULL, NULL, &r);
	j = problem(&r, 400, "inval");
	json_decref(j);
	harness_resp_free(&r);

	/* The path too: {param} values reach handlers as text. */
	req("GET", "/api/items/%C3%28", NULL, NULL, &r);
	j = problem(&r, 400, "inval");
	json_decref(j);
	harness_resp_free(&r);
}

static void test_url__too_long(void **state)
{
	struct harness_resp r;
	char *path = malloc(ATTT_HTTP_MAX_URL + 64);
	json_t *j;
	memcpy(path, "/api/items/", 11);
	memset(path + 11, 'a', ATTT_HTTP_MAX_URL);
	path[11 + ATTT_HTTP_MAX_URL] = '\0';
	req("GET", path, NULL, NULL, &r);
	j = problem(&r, 414, "toobig");
	json_decref(j);
	harness_resp_free(&r);
	free(path);
}

static void test_headers__too_large_431(void **state)
{
	struct harness_resp r;
	char *big = malloc(ATTT_HTTP_MAX_HEADER_BYTES + 64);
	const char *h[] = { big, NULL };
	json_t *j;
	memcpy(big, "X-Big: ", 7);
	memset(big + 7, 'x', ATTT_HTTP_MAX_HEADER_BYTES);
	big[7 + ATTT_HTTP_MAX_HEADER_BYTES] = '\0';
	req("GET", "/api/items/1", h, NULL, &r);
	j = problem(&r, 431, "toobig");
	json_decref(j);
	harness_resp_free(&r);
	free(big);
}

static void test_auth__401_before_handler(void **state)
{
	struct harness_resp r;
	json_t *j;
	const char *alice[] = { "X-Test-User: alice", NULL };
	const char *forged[] = { "X-Test-User: !", NULL };
	const char *cookie[] = { "Cookie: other=1; test_user=bob", NULL };

	req("GET", "/api/private", NULL, NULL, &r);
	j = problem(&r, 401, "auth");
	json_decref(j);
	harness_resp_free(&r);

	req("GET", "/api/private", alice, NULL, &r);
	assert_int_equal(r.status, 200);
	harness_resp_free(&r);

	req("GET", "/api/private", cookie, NULL, &r);
	assert_int_equal(r.status, 200);
	harness_resp_free(&r);

	/* A refusal of the hook stops public routes too. */
	req("GET", "/api/items/1", forged, NULL, &r);
	j = problem(&r, 401, "auth");
	json_decref(j);
	harness_resp_free(&r);
}

static char *json_body(size_t size)
{
	char *b = malloc(size + 1);
	memset(b, ' ', size);
	b[0] = '{';
	b[size - 1] = '}';
	b[size] = '\0';
	return b;
}

static void test_body__limit_switches_with_principal(void **state)
{
	struct harness_resp r;
	json_t *j;
	char *mid = json_body(ATTT_HTTP_MAX_BODY_ANON + 100);
	char *huge = json_body(ATTT_HTTP_MAX_BODY + 100);
	const char *anon[] = { "Content-Type: application/json", NULL };
	const char *alice[] = { "Content-Type: application/json", "X-Test-User: alice", NULL };

	/* Without a principal, a body over ATTT_HTTP_MAX_BODY_ANON is 413 ... */
	req("POST", "/api/public-echo", anon, mid, &r);
	j = problem(&r, 413, "toobig");
	json_decref(j);
	harness_resp_free(&r);
	/* ... on any path (the hook ran first and found no principal) ... */
	req("POST", "/api/echo", anon, mid, &r);
	j = problem(&r, 413, "toobig");
	json_decref(j);
	harness_resp_free(&r);
	req("POST", "/api/nowhere", anon, mid, &r);
	j = problem(&r, 413, "toobig");
	json_decref(j);
	harness_resp_free(&r);
	/* ... while a small body to a non-public route gets 401 without being read. */
	req("POST", "/api/echo", anon, "{}", &r);
	j = problem(&r, 401, "auth");
	json_decref(j);
	harness_resp_free(&r);
	/* With a principal the same body is accepted ... */
	req("POST", "/api/echo", alice, mid, &r);
	assert_int_equal(r.status, 201);
	harness_resp_free(&r);
	req("POST", "/api/public-echo", alice, mid, &r);
	assert_int_equal(r.status, 201);
	harness_resp_free(&r);
	/* ... up to ATTT_HTTP_MAX_BODY. */
	req("POST", "/api/echo", alice, huge, &r);
	j = problem(&r, 413, "toobig");
	json_decref(j);
	harness_resp_free(&r);
	free(mid);
	free(huge);
}

static void test_body__chunked_over_limit(void **state)
{
	struct harness_resp r;
	char *mid = json_body(ATTT_HTTP_MAX_BODY_ANON + 100);
	const char *h[] = { "Content-Type: application/json", "Transfer-Encoding: chunked", NULL };
	char url[256];
	int rc;
	json_t *j;

	snprintf(url, sizeof(url), "%s/api/public-echo", base);
	rc = harness_request("POST", url, h, mid, strlen(mid), &r);
	/* Without Content-Length the limit is met while reading: still a 413, never the handler. */
	assert_int_equal(rc, 0);
	j = problem(&r, 413, "toobig");
	json_decref(j);
	harness_resp_free(&r);
	free(mid);
}

static void test_json__depth_and_type(void **state)
{
	struct harness_resp r;
	json_t *j;
	const char *anon[] = { "Content-Type: application/json", NULL };
	const char *alice[] = { "Content-Type: application/json", "X-Test-User: alice", NULL };
	const char *text[] = { "Content-Type: text/plain", NULL };
	const char *deep9 = "{\"a\":[[[[[[[[1]]]]]]]]}"; /* depth 9 */

	req("POST", "/api/public-echo", anon, deep9, &r);
	j = problem(&r, 413, "toobig");
	assert_non_null(strstr(json_string_value(json_object_get(j, "detail")), "nesting"));
	json_decref(j);
	harness_resp_free(&r);

	req("POST", "/api/echo", alice, deep9, &r);
	assert_int_equal(r.status, 201);
	harness_resp_free(&r);

	req("POST", "/api/public-echo", anon, "{\"a\":", &r);
	j = problem(&r, 400, "parse");
	assert_non_null(strstr(json_string_value(json_object_get(j, "detail")), "JSON"));
	json_decref(j);
	harness_resp_free(&r);

	req("POST", "/api/public-echo", text, "{}", &r);
	j = problem(&r, 415, "unsupported");
	json_decref(j);
	harness_resp_free(&r);
}

static void test_static__etag_304(void **state)
{
	struct harness_resp r;
	char v[128], etag[64], inm[96];
	const char *h[] = { inm, NULL };

	req("GET", "/app.js", NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.body, "export const x = 1;\n");
	assert_true(harness_header(&r, "Content-Type", v, sizeof(v)));
	assert_string_equal(v, "text/javascript; charset=utf-8");
	assert_true(harness_header(&r, "Cache-Control", v, sizeof(v)));
	assert_string_equal(v, "no-cache");
	assert_true(harness_header(&r, "ETag", etag, sizeof(etag)));
	assert_security_headers(&r);
	harness_resp_free(&r);

	snprintf(inm, sizeof(inm), "If-None-Match: %s", etag);
	req("GET", "/app.js", h, NULL, &r);
	assert_int_equal(r.status, 304);
	assert_int_equal(r.body_len, 0);
	assert_true(harness_header(&r, "ETag", v, sizeof(v)));
	assert_string_equal(v, etag);
	harness_resp_free(&r);

	req("GET", "/", NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "<title>attt</title>"));
	harness_resp_free(&r);

	req("GET", "/sub/data.json", NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_true(harness_header(&r, "Content-Type", v, sizeof(v)));
	assert_string_equal(v, "application/json");
	harness_resp_free(&r);

	/* A link inside the root is served. */
	req("GET", "/alias.js", NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	harness_resp_free(&r);
}

/* R4.5: nothing outside the web root is reachable: traversal in every encoding, hidden files,
 * links out of the root, directory listings. */
static void test_static__traversal_refused(void **state)
{
	static const char *const bad[] = {
		"/../outside.txt", "/%2e%2e/outside.txt", "/sub/..%2f..%2foutside.txt", "/%252e%252e/outside.txt",
		"/sub/%2e%2e/index.html", "/.secret", "/sub//data.json", "/a%5c..%5coutside.txt",
	};
	struct harness_resp r;
	char url[512];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		/* The harness sends the target as given (no dot-segment removal). */
		snprintf(url, sizeof(url), "%s%s", base, bad[i]);
		assert_int_equal(harness_request("GET", url, NULL, NULL, 0, &r), 0);
		assert_true(r.status == 400 || r.status == 404);
		assert_null(strstr(r.body, "outside the root"));
		assert_null(strstr(r.body, "hidden"));
		harness_resp_free(&r);
	}
	/* A link that leads out of the root was never loaded. */
	req("GET", "/escape.txt", NULL, NULL, &r);
	assert_int_equal(r.status, 404);
	harness_resp_free(&r);
	/* No directory listing. */
	req("GET", "/sub/", NULL, NULL, &r);
	assert_int_equal(r.status, 404);
	harness_resp_free(&r);
}

static void test_health_and_metrics(void **state)
{
	struct harness_resp r;
	char v[128];
	json_t *j;

	/* web/healthz exists, but a route wins over a static file of the same path. */
	req("GET", "/healthz", NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.body, "{\"status\":\"ok\"}");
	assert_security_headers(&r);
	assert_true(harness_header(&r, "Cache-Control", v, sizeof(v)));
	assert_string_equal(v, "no-store");
	harness_resp_free(&r);

	healthy = ATTT_E_DB;
	req("GET", "/healthz", NULL, NULL, &r);
	j = problem(&r, 500, "db");
	json_decref(j);
	harness_resp_free(&r);
	healthy = ATTT_OK;

	req("GET", "/metrics", NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_true(harness_header(&r, "Content-Type", v, sizeof(v)));
	assert_string_equal(v, "text/plain; version=0.0.4; charset=utf-8");
	assert_non_null(strstr(r.body, "# TYPE attt_http_requests_total counter\n"));
	assert_non_null(strstr(r.body, "attt_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"} "));
	assert_non_null(strstr(r.body, "attt_http_requests_total{method=\"GET\",route=\"unmatched\",status=\"404\"} "));
	assert_non_null(strstr(r.body, "attt_http_request_duration_seconds_bucket{route=\"/healthz\",le=\"+Inf\"} "));
	assert_non_null(strstr(r.body, "attt_http_request_duration_seconds_count{route=\"/healthz\"} "));
	assert_non_null(strstr(r.body, "# TYPE attt_http_requests_in_flight gauge\nattt_http_requests_in_flight "));
	assert_non_null(strstr(r.body, "attt_uptime_seconds "));
	assert_non_null(strstr(r.body, "attt_build_info{version=\"test\"} 1\n"));
	harness_resp_free(&r);
}

static void test_access_log__no_query_escaped(void **state)
{
	struct harness_resp r;
	char buf[65536];
	ssize_t n;
	int fd;
	const char *alice[] = { "Content-Type: application/json", "X-Test-User: alice", NULL };

	req("GET", "/api/items/x%22y%0Az?token=SECRET123", NULL, NULL, &r);
	harness_resp_free(&r);
	req("POST", "/api/echo", alice, "{}", &r);
	harness_resp_free(&r);
	/* Lines are written when a request completes, just after its last byte is sent: one more
	 * round trip leaves the two above ample time. */
	req("GET", "/healthz", NULL, NULL, &r);
	harness_resp_free(&r);
	fd = open(logpath, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	assert_true(n > 0);
	buf[n] = '\0';
	assert_null(strstr(buf, "SECRET123"));
	assert_non_null(strstr(buf, "\"path\":\"/api/items/x\\\"y\\u000az\""));
	assert_non_null(strstr(buf, "\"route\":\"/api/items/{id}\",\"status\":200,"));
	assert_non_null(strstr(buf, "\"method\":\"POST\",\"path\":\"/api/echo\",\"route\":\"/api/echo\",\"user\":\"alice\",\"status\":201"));
	assert_non_null(strstr(buf, "\"remote\":\"127.0.0.1\""));
	/* Invalid UTF-8 from test_query__limits ("/api/items/%C3%28") is replaced, not copied. */
	assert_non_null(strstr(buf, "\"path\":\"/api/items/\\ufffd(\""));
	/* Every line is one JSON object. */
	for (char *line = buf, *nl; (nl = strchr(line, '\n')); line = nl + 1) {
		json_t *j;
		*nl = '\0';
		j = json_loads(line, 0, NULL);
		assert_non_null(j);
		json_decref(j);
	}
}

struct slow_call {
	struct harness_resp r;
	int rc;
};

static void *slow_thread(void *arg)
{
	struct slow_call *c = arg;
	char url[256];
	snprintf(url, sizeof(url), "%s/api/slow", base);
	c->rc = harness_request("GET", url, NULL, NULL, 0, &c->r);
	return NULL;
}

struct stop_call {
	int rc;
};

static void *stop_thread(void *arg)
{
	struct stop_call *c = arg;
	c->rc = attt_http_server_shutdown(srv, 20000);
	return NULL;
}

static int raw_connect(const struct attt_http_server *s)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)attt_http_server_port(s)) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

/* Sends GET /healthz and reads one whole answer (headers and the body its Content-Length gives). */
static void raw_get(int fd, char *buf, size_t size)
{
	static const char get[] = "GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n";
	size_t got = 0;
	assert_int_equal(write(fd, get, sizeof(get) - 1), (ssize_t)(sizeof(get) - 1));
	for (;;) {
		ssize_t n = read(fd, buf + got, size - 1 - got);
		char *end, *cl;
		assert_true(n > 0);
		got += (size_t)n;
		buf[got] = '\0';
		end = strstr(buf, "\r\n\r\n");
		cl = strcasestr(buf, "Content-Length: ");
		if (end && cl) {
			size_t len = 0;
			for (const char *d = cl + 16; *d >= '0' && *d <= '9'; d++)
				len = len * 10 + (size_t)(*d - '0');
			if (got >= (size_t)(end + 4 - buf) + len)
				return;
		}
	}
}

/* After quiesce, a new request on a connection that was already open gets 503 and the connection
 * is closed; the stop then finds nothing in flight. Its own server, so that no held handler can
 * stand in the way. */
static void test_shutdown__open_connection_gets_503(void **state)
{
	struct attt_http_options o;
	struct attt_http_server *s = NULL;
	char buf[4096];
	int ka;

	attt_http_options_init(&o);
	o.listen = "127.0.0.1:0";
	o.threads = 2;
	assert_int_equal(attt_http_server_new(&o, &s), ATTT_OK);
	assert_int_equal(attt_http_server_start(s), ATTT_OK);
	ka = raw_connect(s);
	raw_get(ka, buf, sizeof(buf));
	assert_non_null(strstr(buf, "HTTP/1.1 200"));
	attt_http_server_quiesce(s);
	raw_get(ka, buf, sizeof(buf));
	assert_non_null(strstr(buf, "HTTP/1.1 503"));
	assert_non_null(strstr(buf, "Connection: close"));
	assert_non_null(strstr(buf, "https://attt.gov.vn/problems/busy"));
	assert_int_equal(read(ka, buf, sizeof(buf)), 0); /* closed by the server */
	close(ka);
	assert_int_equal(attt_http_server_shutdown(s, 20000), ATTT_OK);
	attt_http_server_free(s);
}

/* Last: it stops the shared server. */
static void test_shutdown__in_flight_request_finishes(void **state)
{
	pthread_t t1, t2;
	struct slow_call sc = { 0 };
	struct stop_call st = { 0 };

	assert_int_equal(pthread_create(&t1, NULL, slow_thread, &sc), 0);
	pthread_mutex_lock(&slow_lock);
	while (!slow_entered)
		pthread_cond_wait(&slow_cond, &slow_lock);
	pthread_mutex_unlock(&slow_lock);
	assert_true(attt_http_server_in_flight(srv) >= 1);

	/* Stop accepting first (what SIGTERM does), with the request still held in its handler. */
	attt_http_server_quiesce(srv);
	assert_true(attt_http_server_in_flight(srv) >= 1);
	assert_int_equal(pthread_create(&t2, NULL, stop_thread, &st), 0);
	pthread_mutex_lock(&slow_lock);
	slow_release = true;
	pthread_cond_broadcast(&slow_cond);
	pthread_mutex_unlock(&slow_lock);
	pthread_join(t1, NULL);
	pthread_join(t2, NULL);
	assert_int_equal(sc.rc, 0);
	assert_int_equal(sc.r.status, 200);
	assert_string_equal(sc.r.body, "{\"done\":\"yes\"}");
	harness_resp_free(&sc.r);
	assert_int_equal(st.rc, ATTT_OK);
	assert_int_equal(attt_http_server_port(srv), 0);
}

static void test_config__bad_routes_and_listen(void **state)
{
	struct attt_http_options o;
	struct attt_http_server *s = NULL;

	attt_http_options_init(&o);
	o.listen = "nonsense";
	assert_int_equal(attt_http_server_new(&o, &s), ATTT_E_INVAL);
	o.listen = "127.0.0.1:70000";
	assert_int_equal(attt_http_server_new(&o, &s), ATTT_E_INVAL);
	o.listen = "127.0.0.1:0";
	o.tls_cert_file = "/nonexistent.pem";
	assert_true(attt_http_server_new(&o, &s) < 0);
	o.tls_cert_file = NULL;
	assert_int_equal(attt_http_server_new(&o, &s), ATTT_OK);
	assert_int_equal(attt_http_server_route(s, "GET", "no-slash", 0, h_item, NULL), ATTT_E_INVAL);
	assert_int_equal(attt_http_server_route(s, "GET", "/a/{b", 0, h_item, NULL), ATTT_E_INVAL);
	assert_int_equal(attt_http_server_route(s, "GET", "/a//b", 0, h_item, NULL), ATTT_E_INVAL);
	assert_int_equal(attt_http_server_route(s, "BREW", "/a", 0, h_item, NULL), ATTT_E_INVAL);
	assert_int_equal(attt_http_server_route(s, "GET", "/a/{b}", 0, h_item, NULL), ATTT_OK);
	assert_int_equal(attt_http_server_route(s, "GET", "/a/{b}", 0, h_item, NULL), ATTT_E_EXISTS);
	assert_int_equal(attt_http_server_route(s, "GET", "/healthz", 0, h_item, NULL), ATTT_E_EXISTS);
	assert_int_equal(attt_http_server_route(s, "GET", "/p/{a}/{b}/{c}/{d}/{e}/{f}/{g}/{h}/{i}", 0, h_item, NULL),
			 ATTT_E_TOOBIG);
	assert_int_equal(attt_http_server_start(s), ATTT_OK);
	assert_true(attt_http_server_port(s) > 0);
	assert_int_equal(attt_http_server_route(s, "GET", "/late", 0, h_item, NULL), ATTT_E_STATE);
	attt_http_server_free(s);
}

/* TLS from PEM files (a self-signed test-only pair committed beside this file): answers carry
 * HSTS, and the request knows it came over TLS. */
static int h_tls(struct attt_http_req *req, void *ctx)
{
	return attt_http_reply_json(req, 200, json_pack("{s:b}", "tls", attt_http_req_tls(req)));
}

static void test_tls__hsts(void **state)
{
	struct attt_http_options o;
	struct attt_http_server *s = NULL;
	struct harness_resp r;
	char cert[1024], key[1024], url[160], path[200], v[128];
	const char *src = getenv("ATTT_SOURCE_DIR");
	json_t *j;

	assert_non_null(src);
	snprintf(cert, sizeof(cert), "%s/tests/unit/http/tls-test-cert.pem", src);
	snprintf(key, sizeof(key), "%s/tests/unit/http/tls-test-key.pem", src);
	attt_http_options_init(&o);
	o.listen = "127.0.0.1:0";
	o.threads = 1;
	o.tls_cert_file = cert;
	assert_int_equal(attt_http_server_new(&o, &s), ATTT_E_CONFIG); /* a key is needed too */
	o.tls_key_file = key;
	assert_int_equal(attt_http_server_new(&o, &s), ATTT_OK);
	assert_int_equal(attt_http_server_route(s, "GET", "/tls", ATTT_HTTP_PUBLIC, h_tls, NULL), ATTT_OK);
	assert_int_equal(attt_http_server_start(s), ATTT_OK);
	assert_int_equal(attt_http_server_url(s, url, sizeof(url)), ATTT_OK);
	assert_int_equal(strncmp(url, "https://127.0.0.1:", 18), 0);
	snprintf(path, sizeof(path), "%s/tls", url);
	assert_int_equal(harness_request("GET", path, NULL, NULL, 0, &r), 0);
	assert_int_equal(r.status, 200);
	j = harness_json(&r);
	assert_true(json_is_true(json_object_get(j, "tls")));
	json_decref(j);
	assert_true(harness_header(&r, "Strict-Transport-Security", v, sizeof(v)));
	assert_string_equal(v, "max-age=31536000; includeSubDomains");
	harness_resp_free(&r);
	attt_http_server_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_router__params_and_literals),
		cmocka_unit_test(test_router__404_405_problem_vi_en),
		cmocka_unit_test(test_handler__errors_become_problems),
		cmocka_unit_test(test_reply_header__injection_refused),
		cmocka_unit_test(test_reply_etag__304),
		cmocka_unit_test(test_query__limits),
		cmocka_unit_test(test_url__too_long),
		cmocka_unit_test(test_headers__too_large_431),
		cmocka_unit_test(test_auth__401_before_handler),
		cmocka_unit_test(test_body__limit_switches_with_principal),
		cmocka_unit_test(test_body__chunked_over_limit),
		cmocka_unit_test(test_json__depth_and_type),
		cmocka_unit_test(test_static__etag_304),
		cmocka_unit_test(test_static__traversal_refused),
		cmocka_unit_test(test_health_and_metrics),
		cmocka_unit_test(test_access_log__no_query_escaped),
		cmocka_unit_test(test_config__bad_routes_and_listen),
		cmocka_unit_test(test_tls__hsts),
		cmocka_unit_test(test_shutdown__open_connection_gets_503),
		cmocka_unit_test(test_shutdown__in_flight_request_finishes),
	};
	harness_init();
	return cmocka_run_group_tests(tests, setup, teardown);
}
