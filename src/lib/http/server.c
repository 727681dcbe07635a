/*
 * server.c: the MHD glue. One access-handler call sequence per request:
 *
 *   first call (headers in)  -> checks (shutdown, header bytes, URL, query, a body over the
 *                               anonymous limit needs a principal), route, auth hook, 401, body
 *                               limit by Content-Length; requests without a body are handled now
 *                               (the fast path: static files and /healthz) but their answer is
 *                               queued on the next call, to keep the connection alive;
 *   body calls               -> the body is gathered under the limit of the auth state;
 *   last call                -> the handler runs and its answer is queued.
 *
 * Every answer carries the security headers (add_common_headers); answers the server makes itself
 * (404, 405, 401, 413, 431, 503) are problem+json like the handlers' errors. The completion
 * callback records metrics and the access-log line and frees the request; the in-flight counter it
 * decrements is what graceful shutdown waits on.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "attt/err.h"
#include "attt/json.h"
#include "attt/log.h"
#include "attt/str.h"
#include "http-int.h"

#define CSP "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
#define PERMISSIONS "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), " \
		    "microphone=(), payment=(), usb=(), interest-cohort=()"
#define HSTS "max-age=31536000; includeSubDomains"
#define HEALTH_BODY "{\"status\":\"ok\"}"
#define DRAIN_MAX ((size_t)ATTT_HTTP_MAX_BODY) /* bytes read and dropped after a 413 */

int64_t attt__http_mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int attt__http_add_common_headers(struct MHD_Response *resp, bool tls, bool api)
{
	if (MHD_add_response_header(resp, "Content-Security-Policy", CSP) != MHD_YES ||
	    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff") != MHD_YES ||
	    MHD_add_response_header(resp, "X-Frame-Options", "DENY") != MHD_YES ||
	    MHD_add_response_header(resp, "Referrer-Policy", "no-referrer") != MHD_YES ||
	    MHD_add_response_header(resp, "Cross-Origin-Opener-Policy", "same-origin") != MHD_YES ||
	    MHD_add_response_header(resp, "Cross-Origin-Resource-Policy", "same-origin") != MHD_YES ||
	    MHD_add_response_header(resp, "Permissions-Policy", PERMISSIONS) != MHD_YES)
		return ATTT_E_NOMEM;
	if (tls && MHD_add_response_header(resp, "Strict-Transport-Security", HSTS) != MHD_YES)
		return ATTT_E_NOMEM;
	if (api && MHD_add_response_header(resp, "Cache-Control", "no-store") != MHD_YES)
		return ATTT_E_NOMEM;
	return ATTT_OK;
}

/* ---- options, lifecycle ---- */

void attt_http_options_init(struct attt_http_options *o)
{
	memset(o, 0, sizeof(*o));
	o->access_log_fd = -1;
}

static int parse_listen(const char *listen, struct sockaddr_storage *ret)
{
	char host[256], port_s[8];
	const char *colon, *h;
	size_t hlen;
	int64_t port;
	struct addrinfo hints = { 0 }, *ai = NULL;
	int r;

	if (listen[0] == '[') {
		const char *close = strchr(listen, ']');
		if (!close || close[1] != ':')
			return ATTT_E_INVAL;
		h = listen + 1;
		hlen = (size_t)(close - h);
		colon = close + 1;
	} else {
		colon = strrchr(listen, ':');
		if (!colon)
			return ATTT_E_INVAL;
		h = listen;
		hlen = (size_t)(colon - listen);
	}
	if (hlen >= sizeof(host) || attt_str_copy(port_s, sizeof(port_s), colon + 1) < 0)
		return ATTT_E_INVAL;
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	if (attt_parse_int64(port_s, 0, 65535, &port) < 0)
		return ATTT_E_INVAL;
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	r = getaddrinfo(hlen ? host : NULL, port_s, &hints, &ai);
	if (r != 0 || !ai)
		return ATTT_E_INVAL;
	memset(ret, 0, sizeof(*ret));
	memcpy(ret, ai->ai_addr, ai->ai_addrlen);
	freeaddrinfo(ai);
	return ATTT_OK;
}

/* Reads a PEM file (at most 1 MiB) into a malloc'ed NUL-terminated string; key material is
 * wiped when freed (free_pem). */
static int read_pem(const char *path, char **ret, size_t *ret_len)
{
	struct attt_buf b;
	char chunk[4096];
	int fd, r = ATTT_OK;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return log_error_err(errno == ENOENT ? ATTT_E_NOTFOUND : ATTT_E_IO, "http: cannot open %s", path);
	attt_buf_init(&b, 1u << 20);
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = ATTT_E_IO;
			break;
		}
		if (n == 0)
			break;
		r = attt_buf_add(&b, chunk, (size_t)n);
		if (r < 0) {
			log_error("http: %s is over 1 MiB", path);
			break;
		}
	}
	sodium_memzero(chunk, sizeof(chunk));
	close(fd);
	if (r == ATTT_OK && b.len == 0)
		r = log_error_err(ATTT_E_CONFIG, "http: %s is empty", path);
	if (r < 0) {
		attt_buf_done_secure(&b);
		return r;
	}
	*ret = attt_buf_steal(&b, ret_len);
	return ATTT_OK;
}

static void free_pem(char *p, size_t n)
{
	if (p) {
		sodium_memzero(p, n);
		free(p);
	}
}

static int health_handler(struct attt_http_req *req, void *ctx)
{
	struct attt_http_server *srv = req->srv;
	int r = srv->health ? srv->health(srv->health_ctx) : ATTT_OK;
	if (r < 0)
		return attt_http_reply_problem(req, r, "Máy chủ chưa sẵn sàng", "The server is not ready");
	return attt__http_reply_shared(req, 200, srv->health_ok, sizeof(HEALTH_BODY) - 1);
}

int attt_http_server_new(const struct attt_http_options *o, struct attt_http_server **ret)
{
	struct attt_http_server *srv;
	int r;

	srv = calloc(1, sizeof(*srv));
	if (!srv)
		return ATTT_E_NOMEM;
	srv->access_log_fd = o->access_log_fd;
	srv->clock = o->clock ? o->clock : &attt_clock_system;
	srv->threads = o->threads;
	if (!srv->threads) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		srv->threads = n > 0 && n < 256 ? (unsigned)n : 2;
	}
	srv->max_connections = o->max_connections ? o->max_connections : ATTT_HTTP_MAX_CONNECTIONS;
	srv->timeout_sec = o->timeout_sec ? o->timeout_sec : ATTT_HTTP_CONNECTION_TIMEOUT;
	pthread_mutex_init(&srv->lock, NULL);
	pthread_cond_init(&srv->idle, NULL);
	srv->listen = strdup(o->listen ? o->listen : "127.0.0.1:8080");
	srv->version = strdup(o->version ? o->version : "unknown");
	if (!srv->listen || !srv->version) {
		r = ATTT_E_NOMEM;
		goto fail;
	}
	r = parse_listen(srv->listen, &srv->addr);
	if (r < 0) {
		log_error("http: cannot use the listen address %s (want HOST:PORT)", srv->listen);
		goto fail;
	}
	if ((o->tls_cert_file != NULL) != (o->tls_key_file != NULL)) {
		r = log_error_err(ATTT_E_CONFIG, "http: TLS needs both a certificate and a key file");
		goto fail;
	}
	if (o->tls_cert_file) {
		size_t n;
		r = read_pem(o->tls_cert_file, &srv->tls_cert, &n);
		if (r >= 0)
			r = read_pem(o->tls_key_file, &srv->tls_key, &srv->tls_key_len);
		if (r < 0)
			goto fail;
		srv->tls = true;
	}
	srv->health_ok = MHD_create_response_from_buffer(sizeof(HEALTH_BODY) - 1, (void *)HEALTH_BODY,
							 MHD_RESPMEM_PERSISTENT);
	if (!srv->health_ok || attt__http_add_common_headers(srv->health_ok, srv->tls, true) < 0 ||
	    MHD_add_response_header(srv->health_ok, "Content-Type", "application/json") != MHD_YES) {
		r = ATTT_E_NOMEM;
		goto fail;
	}
	if (o->static_dir && (r = attt__http_static_load(srv, o->static_dir)) < 0)
		goto fail;
	if ((r = attt_http_server_route(srv, "GET", "/healthz", ATTT_HTTP_PUBLIC, health_handler, NULL)) < 0 ||
	    (r = attt_http_server_route(srv, "GET", "/metrics", ATTT_HTTP_PUBLIC, attt__http_metrics_handler, NULL)) < 0)
		goto fail;
	*ret = srv;
	return ATTT_OK;
fail:
	attt_http_server_free(srv);
	return r;
}

void attt_http_server_free(struct attt_http_server *srv)
{
	if (!srv)
		return;
	attt_http_server_shutdown(srv, 0);
	attt__http_routes_free(srv);
	attt__http_static_free(srv);
	if (srv->health_ok)
		MHD_destroy_response(srv->health_ok);
	free(srv->slots);
	free(srv->listen);
	free(srv->version);
	free_pem(srv->tls_cert, srv->tls_cert ? strlen(srv->tls_cert) : 0);
	free_pem(srv->tls_key, srv->tls_key_len);
	pthread_mutex_destroy(&srv->lock);
	pthread_cond_destroy(&srv->idle);
	free(srv);
}

int attt_http_server_route(struct attt_http_server *srv, const char *method, const char *pattern,
			   unsigned flags, attt_http_handler_fn handler, void *ctx)
{
	enum http_method m;
	if (srv->ndaemons)
		return ATTT_E_STATE;
	if (!method || !pattern || !handler)
		return ATTT_E_INVAL;
	m = attt__http_method_index(method);
	if (m == M_OTHER || m == M_HEAD)
		return ATTT_E_INVAL; /* HEAD follows GET by itself */
	return attt__http_route_add(srv, m, pattern, flags, handler, ctx);
}

void attt_http_server_set_auth(struct attt_http_server *srv, attt_http_auth_fn fn,
			       attt_http_principal_free_fn free_fn, void *ctx)
{
	srv->auth = fn;
	srv->auth_free = free_fn;
	srv->auth_ctx = ctx;
}

void attt_http_server_set_health(struct attt_http_server *srv, attt_http_health_fn fn, void *ctx)
{
	srv->health = fn;
	srv->health_ctx = ctx;
}

void attt_http_server_set_metrics(struct attt_http_server *srv, attt_http_metrics_fn fn, void *ctx)
{
	srv->metrics_fn = fn;
	srv->metrics_ctx = ctx;
}

/* ---- answers ---- */

static int queue(struct attt_http_req *req)
{
	enum MHD_Result mr;
	if (!req->resp)
		return MHD_NO;
	mr = MHD_queue_response(req->conn, (unsigned)req->status, req->resp);
	if (!req->resp_shared)
		MHD_destroy_response(req->resp);
	req->resp = NULL;
	return mr;
}

int attt__http_reply_shared(struct attt_http_req *req, int status, struct MHD_Response *resp, size_t bytes)
{
	if (req->answered)
		return ATTT_E_STATE;
	req->resp = resp;
	req->resp_shared = true;
	req->status = status;
	req->resp_bytes = bytes;
	req->answered = true;
	return ATTT_OK;
}

/* Makes the answer from a malloc'ed body (taken in every case). */
static int reply_owned(struct attt_http_req *req, int status, const char *ctype, char *body, size_t n,
		       bool problem)
{
	struct MHD_Response *resp;
	int r = ATTT_E_NOMEM;

	if (req->answered) {
		free(body);
		return ATTT_E_STATE;
	}
	resp = MHD_create_response_from_buffer(n, body ? body : (void *)"",
					       body ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
	if (!resp) {
		free(body);
		return ATTT_E_NOMEM;
	}
	if (attt__http_add_common_headers(resp, req->srv->tls, true) < 0)
		goto fail;
	if (ctype && MHD_add_response_header(resp, "Content-Type", ctype) != MHD_YES)
		goto fail;
	if (problem && (MHD_add_response_header(resp, "Content-Language", attt_http_req_lang(req)) != MHD_YES ||
			MHD_add_response_header(resp, "Vary", "Accept-Language") != MHD_YES))
		goto fail;
	if (req->close && MHD_add_response_header(resp, "Connection", "close") != MHD_YES)
		goto fail;
	for (int i = 0; i < req->nextra; i++)
		if (MHD_add_response_header(resp, req->extra[i].name, req->extra[i].value) != MHD_YES)
			goto fail;
	req->resp = resp;
	req->resp_shared = false;
	req->status = status;
	req->resp_bytes = n;
	req->answered = true;
	return ATTT_OK;
fail:
	MHD_destroy_response(resp);
	return r;
}

static int reply_problem_status(struct attt_http_req *req, int err, int status, const char *vi, const char *en);

int attt_http_reply_header(struct attt_http_req *req, const char *name, const char *value)
{
	struct extra_header *e;
	if (req->nextra >= HTTP_MAX_EXTRA_HEADERS)
		return ATTT_E_TOOBIG;
	if (!name[0] || strpbrk(name, "\r\n: \t") || strpbrk(value, "\r\n"))
		return ATTT_E_INVAL;
	e = &req->extra[req->nextra];
	e->name = strdup(name);
	e->value = strdup(value);
	if (!e->name || !e->value) {
		free(e->name);
		free(e->value);
		e->name = e->value = NULL;
		return ATTT_E_NOMEM;
	}
	req->nextra++;
	return ATTT_OK;
}

int attt_http_reply_json(struct attt_http_req *req, int status, json_t *body)
{
	char *s = NULL;
	size_t n = 0;
	int r;

	if (!body)
		return ATTT_E_NOMEM;
	if (req->answered) {
		json_decref(body);
		return ATTT_E_STATE;
	}
	r = attt_json_dump(body, &s, &n);
	json_decref(body);
	if (r < 0)
		return r;
	return reply_owned(req, status, "application/json", s, n, false);
}

int attt_http_reply_bytes(struct attt_http_req *req, int status, const char *content_type, const void *p, size_t n)
{
	char *copy = malloc(n ? n : 1);
	if (!copy)
		return ATTT_E_NOMEM;
	if (n)
		memcpy(copy, p, n);
	return reply_owned(req, status, content_type, copy, n, false);
}

/* Adds a response header, replacing the one add_common_headers set (Cache-Control). */
static int set_header(struct MHD_Response *resp, const char *name, const char *value)
{
	MHD_del_response_header(resp, name, MHD_get_response_header(resp, name));
	return MHD_add_response_header(resp, name, value) == MHD_YES ? ATTT_OK : ATTT_E_NOMEM;
}

int attt_http_reply_etag(struct attt_http_req *req, const char *content_type, const void *p, size_t n,
			 const char *cache_control)
{
	unsigned char h[16];
	char etag[24];
	const char *inm = attt_http_req_header(req, "If-None-Match");
	bool match;
	int r;

	if (req->answered)
		return ATTT_E_STATE;
	crypto_generichash(h, sizeof(h), p, n, NULL, 0);
	etag[0] = '"';
	sodium_bin2hex(etag + 1, sizeof(etag) - 2, h, 10);
	etag[21] = '"';
	etag[22] = '\0';
	match = inm && attt_http_etag_match(inm, etag);
	r = match ? attt_http_reply_empty(req, 304) : attt_http_reply_bytes(req, 200, content_type, p, n);
	if (r < 0)
		return r;
	if (MHD_add_response_header(req->resp, "ETag", etag) != MHD_YES ||
	    set_header(req->resp, "Cache-Control", cache_control ? cache_control : "no-cache") < 0) {
		/* The answer stands without them; a client just cannot revalidate. */
		log_debug("http: no room for the ETag of %s", req->path);
	}
	return ATTT_OK;
}

int attt_http_reply_empty(struct attt_http_req *req, int status)
{
	return reply_owned(req, status, NULL, NULL, 0, false);
}

int attt_http_reply_problem(struct attt_http_req *req, int err, const char *detail_vi, const char *detail_en)
{
	return reply_problem_status(req, err, 0, detail_vi, detail_en);
}

/* A problem answer with an HTTP status other than err's own (431, 414 have no attt_err). */
static int reply_problem_status(struct attt_http_req *req, int err, int status, const char *vi, const char *en)
{
	json_t *j;
	char *s = NULL;
	size_t n = 0;
	int r;

	if (req->answered)
		return ATTT_E_STATE;
	j = attt_http_problem_new(err, attt_http_req_lang(req), vi, en, req->path);
	if (!j)
		return ATTT_E_NOMEM;
	if (status && json_object_set_new(j, "status", json_integer(status)) < 0) {
		json_decref(j);
		return ATTT_E_NOMEM;
	}
	r = attt_json_dump(j, &s, &n);
	json_decref(j);
	if (r < 0)
		return r;
	return reply_owned(req, status ? status : attt_err_http_status(err), "application/problem+json", s, n, true);
}

/* A problem answer the server makes itself; if even that fails (out of memory), the request is
 * marked failed and MHD closes the connection. */
static void refuse_status(struct attt_http_req *req, int err, int status, const char *vi, const char *en)
{
	if (reply_problem_status(req, err, status, vi, en) < 0 && !req->answered)
		req->failed = true;
}

static void refuse(struct attt_http_req *req, int err, const char *vi, const char *en)
{
	refuse_status(req, err, 0, vi, en);
}

/* 413 for a body over limit bytes; the connection is closed after it (the body is not read). */
static void refuse_too_big(struct attt_http_req *req, size_t limit)
{
	char vi[96], en[96];
	attt_str_printf(vi, sizeof(vi), "Nội dung yêu cầu vượt quá %zu byte", limit);
	attt_str_printf(en, sizeof(en), "Request body exceeds %zu bytes", limit);
	req->close = true;
	refuse(req, ATTT_E_TOOBIG, vi, en);
}

/* ---- requests ---- */

const char *attt_http_req_method(const struct attt_http_req *req) { return req->method; }
const char *attt_http_req_path(const struct attt_http_req *req) { return req->path; }
const char *attt_http_req_route(const struct attt_http_req *req) { return req->res ? req->res->pattern : NULL; }
void *attt_http_req_principal(const struct attt_http_req *req) { return req->principal; }
bool attt_http_req_tls(const struct attt_http_req *req) { return req->srv->tls; }

const char *attt_http_req_param(const struct attt_http_req *req, const char *name)
{
	size_t n = strlen(name);
	for (int i = 0; i < req->nparams; i++) {
		const char *p = req->pname[i]; /* "{name}" */
		if (strlen(p) == n + 2 && memcmp(p + 1, name, n) == 0)
			return req->pval[i];
	}
	return NULL;
}

const char *attt_http_req_query(const struct attt_http_req *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *attt_http_req_header(const struct attt_http_req *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const char *attt_http_req_cookie(const struct attt_http_req *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_COOKIE_KIND, name);
}

const char *attt_http_req_remote(const struct attt_http_req *req)
{
	struct attt_http_req *r = (struct attt_http_req *)req; /* lazily filled cache */
	if (!r->remote_done) {
		const union MHD_ConnectionInfo *ci = MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
		r->remote[0] = '\0';
		if (ci && ci->client_addr) {
			const struct sockaddr *sa = ci->client_addr;
			if (sa->sa_family == AF_INET)
				inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, r->remote,
					  sizeof(r->remote));
			else if (sa->sa_family == AF_INET6)
				inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr,
					  r->remote, sizeof(r->remote));
		}
		r->remote_done = true;
	}
	return r->remote;
}

const char *attt_http_req_body(const struct attt_http_req *req, size_t *ret_len)
{
	if (ret_len)
		*ret_len = req->body.len;
	return attt_buf_str(&req->body);
}

int attt_http_req_json(struct attt_http_req *req, json_t **ret)
{
	const char *ct = attt_http_req_header(req, "Content-Type");
	struct attt_json_error je;
	size_t n;
	const char *p;
	int r;

	if (!ct || strncasecmp(ct, "application/json", 16) != 0 || (ct[16] && ct[16] != ';' && ct[16] != ' ')) {
		attt_str_copy(req->detail, sizeof(req->detail), "Content-Type must be application/json");
		return ATTT_E_UNSUPPORTED;
	}
	p = attt_http_req_body(req, &n);
	r = attt_json_parse(p, n, req->body_limit, req->json_depth, ret, &je);
	if (r < 0) {
		if (je.line > 0)
			attt_str_printf(req->detail, sizeof(req->detail), "JSON line %d column %d: %s", je.line,
					je.column, je.text);
		else
			attt_str_printf(req->detail, sizeof(req->detail), "JSON: %s", je.text);
	}
	return r;
}

const char *attt_http_req_lang(const struct attt_http_req *req)
{
	struct attt_http_req *r = (struct attt_http_req *)req; /* lazily filled cache */
	if (!r->lang)
		r->lang = attt_http_lang_negotiate(attt_http_req_header(req, "Accept-Language"));
	return r->lang;
}

void attt_http_req_set_user(struct attt_http_req *req, const char *name)
{
	size_t n = strnlen(name, sizeof(req->user) - 1);
	memcpy(req->user, name, n);
	req->user[n] = '\0';
}

/* ---- the MHD callbacks ---- */

struct scan {
	size_t bytes;
	unsigned count;
	bool bad;
};

static enum MHD_Result sum_headers(void *cls, enum MHD_ValueKind kind, const char *key, size_t klen,
				   const char *value, size_t vlen)
{
	struct scan *s = cls;
	s->bytes += klen + vlen + 4; /* "K: V\r\n" */
	return MHD_YES;
}

static enum MHD_Result scan_query(void *cls, enum MHD_ValueKind kind, const char *key, size_t klen,
				  const char *value, size_t vlen)
{
	struct scan *s = cls;
	s->count++;
	s->bytes += klen + vlen + 2;
	if (!attt_utf8_valid(key, klen) || (value && !attt_utf8_valid(value, vlen)))
		s->bad = true;
	return s->count > ATTT_HTTP_MAX_QUERY_PARAMS ? MHD_NO : MHD_YES;
}

static bool has_body(struct attt_http_req *req, int64_t *ret_len)
{
	const char *cl = attt_http_req_header(req, "Content-Length");
	*ret_len = -1;
	if (cl && attt_parse_int64(cl, 0, INT64_MAX, ret_len) == ATTT_OK)
		return *ret_len > 0;
	return cl != NULL || attt_http_req_header(req, "Transfer-Encoding") != NULL;
}

static void reply_static(struct attt_http_req *req, const struct static_file *f)
{
	const char *inm = attt_http_req_header(req, "If-None-Match");
	req->slot = req->srv->slot_static;
	if (inm && attt_http_etag_match(inm, f->etag))
		attt__http_reply_shared(req, 304, f->notmod, 0);
	else
		attt__http_reply_shared(req, 200, f->ok, f->len);
}

/* Runs the auth hook once per request; on its refusal the request is answered with its error. */
static int authenticate(struct attt_http_req *req)
{
	struct attt_http_server *srv = req->srv;
	void *principal = NULL;
	int r;

	if (req->auth_done || !srv->auth)
		return ATTT_OK;
	req->auth_done = true;
	r = srv->auth(req, srv->auth_ctx, &principal);
	if (r < 0) {
		refuse(req, r, NULL, NULL);
		return r;
	}
	req->principal = principal;
	return ATTT_OK;
}

/* Decides everything that can be decided from the headers. Leaves req->answered set when the
 * request is answered already (an error, a static file, or a body-less request handled now). */
static void begin(struct attt_http_req *req)
{
	struct attt_http_server *srv = req->srv;
	struct scan hs = { 0 }, qs = { 0 };

	if (atomic_load(&srv->stopping)) {
		/* Connection: close, and queued at once so that the connection goes (see on_request). */
		req->close = true;
		refuse(req, ATTT_E_BUSY, "Máy chủ đang dừng", "The server is shutting down");
		return;
	}
	MHD_get_connection_values_n(req->conn, MHD_HEADER_KIND, sum_headers, &hs);
	if (hs.bytes > ATTT_HTTP_MAX_HEADER_BYTES) {
		char vi[96], en[96];
		attt_str_printf(vi, sizeof(vi), "Phần đầu yêu cầu vượt quá %d byte", ATTT_HTTP_MAX_HEADER_BYTES);
		attt_str_printf(en, sizeof(en), "Request headers exceed %d bytes", ATTT_HTTP_MAX_HEADER_BYTES);
		req->close = true;
		/* 431 Request Header Fields Too Large, not err's 413 */
		refuse_status(req, ATTT_E_TOOBIG, 431, vi, en);
		return;
	}
	if (!attt_utf8_valid(req->path, strlen(req->path))) {
		/* Handlers get {param} values as text: the decoded path must be UTF-8. */
		refuse(req, ATTT_E_INVAL, "Đường dẫn không phải UTF-8 hợp lệ", "The path is not valid UTF-8");
		return;
	}
	MHD_get_connection_values_n(req->conn, MHD_GET_ARGUMENT_KIND, scan_query, &qs);
	if (qs.count > ATTT_HTTP_MAX_QUERY_PARAMS) {
		refuse_status(req, ATTT_E_TOOBIG, 400, "Quá nhiều tham số truy vấn", "Too many query parameters");
		return;
	}
	if (qs.bad) {
		refuse(req, ATTT_E_INVAL, "Tham số truy vấn không phải UTF-8 hợp lệ",
		       "A query parameter is not valid UTF-8");
		return;
	}
	if (strlen(req->path) + qs.bytes > ATTT_HTTP_MAX_URL) {
		refuse_status(req, ATTT_E_TOOBIG, 414, "Địa chỉ yêu cầu quá dài", "Request target too long");
		return;
	}

	/* A body over the anonymous limit needs a principal, whatever the path: the hook runs now
	 * (it would run anyway for a matched route) and without a principal the answer is 413. */
	if (req->content_length > (int64_t)ATTT_HTTP_MAX_BODY_ANON) {
		if (authenticate(req) < 0)
			return;
		if (!req->principal) {
			refuse_too_big(req, ATTT_HTTP_MAX_BODY_ANON);
			return;
		}
	}
	/* The fast path: a file of the web UI that no route hides, straight from memory. */
	if ((req->midx == M_GET || req->midx == M_HEAD) && srv->stat.count) {
		const struct static_file *f = attt__http_static_find(srv, req->path);
		if (f && !f->shadowed) {
			reply_static(req, f);
			return;
		}
	}
	req->res = attt__http_route_match(srv, req);
	if (req->nomem) {
		refuse(req, ATTT_E_NOMEM, NULL, NULL);
		return;
	}
	if (req->res) {
		req->slot = (int)(req->res - srv->res);
		req->h = req->res->h[req->midx == M_HEAD ? M_GET : req->midx];
		if (!req->h) {
			char allow[64] = "";
			size_t pos = 0;
			for (int m = 0; m < M_OTHER; m++) {
				bool on = req->res->h[m] || (m == M_HEAD && req->res->h[M_GET]);
				const char *name = attt__http_method_name((enum http_method)m);
				if (!on)
					continue;
				if (attt_str_printf(allow + pos, sizeof(allow) - pos, "%s%s", pos ? ", " : "", name) == 0)
					pos = strlen(allow);
			}
			attt_http_reply_header(req, "Allow", allow);
			refuse(req, ATTT_E_METHOD, NULL, NULL);
			return;
		}
	} else {
		const struct static_file *f = NULL;
		req->slot = srv->slot_unmatched;
		if ((req->midx == M_GET || req->midx == M_HEAD) && srv->stat.count) {
			char idx[ATTT_HTTP_MAX_URL + 16];
			const char *p = req->path;
			size_t n = strlen(p);
			if (n && p[n - 1] == '/' && attt_str_printf(idx, sizeof(idx), "%sindex.html", p) == 0)
				p = idx;
			if (attt_http_path_check(p) < 0) {
				/* R4.5: traversal or a hidden name, refused before any lookup. */
				refuse(req, ATTT_E_INVAL, "Đường dẫn không hợp lệ", "Unsafe path");
				return;
			}
			f = attt__http_static_find(srv, p);
		}
		if (f) {
			reply_static(req, f);
			return;
		}
		refuse(req, ATTT_E_NOTFOUND, "Không có tài nguyên tại địa chỉ này", "No resource at this address");
		return;
	}

	if (authenticate(req) < 0)
		return;
	if (!(req->h->flags & ATTT_HTTP_PUBLIC) && !req->principal) {
		refuse(req, ATTT_E_AUTH, "Cần đăng nhập", "Authentication required");
		return;
	}
	if (req->principal) {
		req->body_limit = (req->h->flags & ATTT_HTTP_UPLOAD) ? ATTT_HTTP_MAX_UPLOAD : ATTT_HTTP_MAX_BODY;
		req->json_depth = ATTT_HTTP_MAX_JSON_DEPTH;
	} else {
		req->body_limit = ATTT_HTTP_MAX_BODY_ANON;
		req->json_depth = ATTT_HTTP_MAX_JSON_DEPTH_ANON;
	}
	if (req->content_length > (int64_t)req->body_limit) {
		refuse_too_big(req, req->body_limit);
		return;
	}
	attt_buf_init(&req->body, req->body_limit);
}

static void dispatch(struct attt_http_req *req)
{
	int r = req->h->fn(req, req->h->ctx);
	if (req->answered)
		return;
	if (r >= 0) {
		log_error("http: handler of %s %s returned without an answer", req->method, req->res->pattern);
		r = ATTT_E_INTERNAL;
	}
	/* The JSON parse detail (English) is all the server knows; both languages carry it. */
	refuse(req, r, req->detail[0] ? req->detail : NULL, req->detail[0] ? req->detail : NULL);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
				  const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
	struct attt_http_server *srv = cls;
	struct attt_http_req *req = *con_cls;

	if (!req) {
		req = calloc(1, sizeof(*req));
		if (!req)
			return MHD_NO;
		atomic_fetch_add(&srv->in_flight, 1);
		*con_cls = req;
		req->t0_ns = attt__http_mono_ns();
		req->srv = srv;
		req->conn = conn;
		req->method = method;
		req->midx = attt__http_method_index(method);
		req->path = url;
		req->slot = -1;
		req->has_body = has_body(req, &req->content_length);
		begin(req);
		if (req->failed)
			return MHD_NO;
		/* MHD treats an answer queued during this first call as "early": it stops reading and
		 * closes the connection after it. That is right for a refused body, and wrong for
		 * everything else, which would lose keep-alive (5x less throughput): those answers
		 * wait for the next call. */
		if (req->answered && (req->close || req->has_body))
			return queue(req);
		if (!req->answered && !req->has_body)
			dispatch(req);
		return req->failed ? MHD_NO : MHD_YES;
	}
	if (*upload_size) {
		if (req->answered) {
			/* A body without Content-Length (chunked) went over the limit: MHD only lets us
			 * answer once the body is in, so the rest is read and dropped, for at most
			 * DRAIN_MAX more bytes, after which the connection is cut. */
			req->drained += *upload_size;
			*upload_size = 0;
			return req->drained > DRAIN_MAX ? MHD_NO : MHD_YES;
		}
		if (attt_buf_add(&req->body, upload, *upload_size) < 0) {
			req->drained = *upload_size;
			*upload_size = 0;
			attt_buf_done(&req->body);
			refuse_too_big(req, req->body_limit);
			return req->failed ? MHD_NO : MHD_YES;
		}
		*upload_size = 0;
		return MHD_YES;
	}
	if (!req->answered && !req->failed)
		dispatch(req);
	return req->failed ? MHD_NO : queue(req);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls, enum MHD_RequestTerminationCode toe)
{
	struct attt_http_server *srv = cls;
	struct attt_http_req *req = *con_cls;
	int64_t dur_us;

	if (!req)
		return;
	*con_cls = NULL;
	dur_us = (attt__http_mono_ns() - req->t0_ns) / 1000;
	if (toe != MHD_REQUEST_TERMINATED_COMPLETED_OK && req->answered && req->status < 400)
		req->answered = false; /* the answer did not reach the client: logged as status 0 */
	if (req->answered)
		attt__http_metrics_record(srv, req->slot, req->midx, req->status, dur_us);
	attt__http_access_log(req, dur_us);
	if (req->resp && !req->resp_shared)
		MHD_destroy_response(req->resp);
	if (req->principal && srv->auth_free)
		srv->auth_free(req->principal, srv->auth_ctx);
	attt_buf_done(&req->body);
	for (int i = 0; i < req->nextra; i++) {
		free(req->extra[i].name);
		free(req->extra[i].value);
	}
	free(req->pbuf);
	free(req);
	if (atomic_fetch_sub(&srv->in_flight, 1) == 1 && atomic_load(&srv->stopping)) {
		pthread_mutex_lock(&srv->lock);
		pthread_cond_broadcast(&srv->idle);
		pthread_mutex_unlock(&srv->lock);
	}
}

__attribute__((format(printf, 2, 0))) static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[512];
	if (attt__log_level > ATTT_LOG_DEBUG)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	log_debug("mhd: %s", msg);
}

/* A listening socket on srv->addr with SO_REUSEPORT, so that each worker has its own: the kernel
 * spreads new connections over them. (A libmicrohttpd thread pool shares one socket, and the
 * worker that wakes first accepts up to ten connections at a time: measured, 64 connections split
 * 64/36 between two workers, and one core saturated while the other idled.) */
static int listen_socket(struct attt_http_server *srv, int *ret_fd)
{
	int fd, one = 1;
	socklen_t len = srv->addr.ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);

	fd = socket(srv->addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return ATTT_E_IO;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) < 0 ||
	    (srv->addr.ss_family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) < 0) ||
	    bind(fd, (const struct sockaddr *)&srv->addr, len) < 0 || listen(fd, 511) < 0) {
		int e = errno;
		close(fd);
		return log_error_err(ATTT_E_IO, "http: cannot listen on %s: %s", srv->listen, strerror(e));
	}
	*ret_fd = fd;
	return ATTT_OK;
}

/* The port bound to fd, written into srv->addr so that the next workers bind the same one. */
static int learn_port(struct attt_http_server *srv, int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
		return ATTT_E_IO;
	if (ss.ss_family == AF_INET6) {
		srv->port = ntohs(((struct sockaddr_in6 *)(void *)&ss)->sin6_port);
		((struct sockaddr_in6 *)(void *)&srv->addr)->sin6_port = htons((uint16_t)srv->port);
	} else {
		srv->port = ntohs(((struct sockaddr_in *)(void *)&ss)->sin_port);
		((struct sockaddr_in *)(void *)&srv->addr)->sin_port = htons((uint16_t)srv->port);
	}
	return ATTT_OK;
}

int attt_http_server_start(struct attt_http_server *srv)
{
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC | MHD_USE_ERROR_LOG;
	struct MHD_OptionItem opts[16];
	int n = 0, r, lfd = -1;
	unsigned per_worker;

	if (srv->ndaemons)
		return ATTT_E_STATE;
	if (!srv->slots && (r = attt__http_metrics_init(srv)) < 0)
		return r;
	if ((r = attt__http_static_shadow(srv)) < 0)
		return r;
	srv->daemons = calloc(srv->threads, sizeof(*srv->daemons));
	srv->quiesced = calloc(srv->threads, sizeof(*srv->quiesced));
	if (!srv->daemons || !srv->quiesced)
		return ATTT_E_NOMEM;
	for (unsigned i = 0; i < srv->threads; i++)
		srv->quiesced[i] = -1;
	if (srv->addr.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	if (srv->tls)
		flags |= MHD_USE_TLS;
	per_worker = srv->max_connections / srv->threads;
	if (per_worker == 0)
		per_worker = 1;
#define OPT(o, v, p) opts[n++] = (struct MHD_OptionItem){ (o), (intptr_t)(v), (p) }
	OPT(MHD_OPTION_LISTEN_SOCKET, 0, NULL); /* [0]: set per worker below */
	OPT(MHD_OPTION_CONNECTION_LIMIT, per_worker, NULL);
	OPT(MHD_OPTION_CONNECTION_TIMEOUT, srv->timeout_sec, NULL);
	/* The request line and headers live in this per-connection pool, with the answer's headers.
	 * MHD zeroes the whole pool between requests on a kept-alive connection (0.7 us per request
	 * at 22 KiB, 20 % of a static answer), so it holds the URL and header limits and no more;
	 * what does not fit gets MHD's own 431 or 414. */
	OPT(MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)ATTT_HTTP_MAX_HEADER_BYTES + ATTT_HTTP_MAX_URL, NULL);
	OPT(MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)on_completed, srv);
	OPT(MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)mhd_log, srv);
	if (srv->tls) {
		OPT(MHD_OPTION_HTTPS_MEM_CERT, 0, srv->tls_cert);
		OPT(MHD_OPTION_HTTPS_MEM_KEY, 0, srv->tls_key);
	}
	OPT(MHD_OPTION_END, 0, NULL);
#undef OPT
	srv->started_us = attt_now_us(srv->clock);
	atomic_store(&srv->stopping, false);
	/* One single-threaded epoll daemon per worker, each on its own SO_REUSEPORT socket. */
	for (unsigned i = 0; i < srv->threads; i++) {
		r = listen_socket(srv, &lfd);
		if (r >= 0 && i == 0)
			r = learn_port(srv, lfd);
		if (r < 0)
			goto fail;
		opts[0].value = lfd;
		srv->daemons[i] = MHD_start_daemon(flags, 0, NULL, NULL, on_request, srv, MHD_OPTION_ARRAY, opts,
						   MHD_OPTION_END);
		if (!srv->daemons[i]) {
			close(lfd);
			r = log_error_err(srv->tls ? ATTT_E_CRYPTO : ATTT_E_IO, "http: cannot start on %s%s", srv->listen,
					  srv->tls ? " (is the TLS certificate/key refused?)" : "");
			goto fail;
		}
		srv->ndaemons++;
	}
	return ATTT_OK;
fail:
	attt_http_server_shutdown(srv, 0);
	srv->port = 0;
	return r;
}

int attt_http_server_port(const struct attt_http_server *srv)
{
	return srv->ndaemons ? srv->port : 0;
}

int attt_http_server_url(const struct attt_http_server *srv, char *buf, size_t size)
{
	char host[INET6_ADDRSTRLEN] = "";
	if (srv->addr.ss_family == AF_INET6) {
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)&srv->addr)->sin6_addr, host, sizeof(host));
		return attt_str_printf(buf, size, "%s://[%s]:%d", srv->tls ? "https" : "http", host, srv->port);
	}
	inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)&srv->addr)->sin_addr, host, sizeof(host));
	return attt_str_printf(buf, size, "%s://%s:%d", srv->tls ? "https" : "http", host, srv->port);
}

unsigned attt_http_server_in_flight(const struct attt_http_server *srv)
{
	return atomic_load(&((struct attt_http_server *)srv)->in_flight);
}

void attt_http_server_quiesce(struct attt_http_server *srv)
{
	pthread_mutex_lock(&srv->lock);
	if (srv->ndaemons && !atomic_load(&srv->stopping)) {
		atomic_store(&srv->stopping, true);
		for (int i = 0; i < srv->ndaemons; i++) {
			MHD_socket s = MHD_quiesce_daemon(srv->daemons[i]);
			/* MHD hands the socket back; it may only be closed after MHD_stop_daemon. */
			srv->quiesced[i] = s == MHD_INVALID_SOCKET ? -1 : s;
		}
	}
	pthread_mutex_unlock(&srv->lock);
}

int attt_http_server_shutdown(struct attt_http_server *srv, unsigned grace_ms)
{
	struct timespec deadline;
	int r = ATTT_OK;

	if (!srv->ndaemons) {
		free(srv->daemons); /* a start that failed before the first worker */
		free(srv->quiesced);
		srv->daemons = NULL;
		srv->quiesced = NULL;
		return ATTT_OK;
	}
	attt_http_server_quiesce(srv);
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += grace_ms / 1000;
	deadline.tv_nsec += (long)(grace_ms % 1000) * 1000000L;
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&srv->lock);
	while (atomic_load(&srv->in_flight) > 0) {
		if (pthread_cond_timedwait(&srv->idle, &srv->lock, &deadline) == ETIMEDOUT) {
			if (atomic_load(&srv->in_flight) > 0)
				r = ATTT_E_TIMEOUT;
			break;
		}
	}
	pthread_mutex_unlock(&srv->lock);
	if (r < 0)
		log_warn("http: %u requests still in flight after %u ms; closing", atomic_load(&srv->in_flight), grace_ms);
	for (int i = 0; i < srv->ndaemons; i++) {
		MHD_stop_daemon(srv->daemons[i]);
		if (srv->quiesced[i] >= 0)
			close(srv->quiesced[i]);
	}
	free(srv->daemons);
	free(srv->quiesced);
	srv->daemons = NULL;
	srv->quiesced = NULL;
	srv->ndaemons = 0;
	return r;
}
