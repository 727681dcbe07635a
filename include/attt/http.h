/*
 * http.h: the HTTP server of attt over libmicrohttpd: worker threads each with its own epoll loop
 * and its own SO_REUSEPORT listening socket (so the kernel spreads connections evenly), optional
 * TLS (GnuTLS).
 *
 * A server is made with attt_http_server_new, given routes (method + pattern with {params}) and an
 * authentication hook, then started. Every request is answered with the security headers of
 * docs/http.md; API answers are JSON with Cache-Control: no-store, errors are RFC 9457
 * application/problem+json in Vietnamese (default) or English by Accept-Language. The server itself
 * answers GET /healthz and GET /metrics (Prometheus text) and, when a static directory is given,
 * serves its files (held in memory, with ETag) under "/".
 *
 * Limits (include/attt/limits.h): request headers ATTT_HTTP_MAX_HEADER_BYTES (431), request target
 * ATTT_HTTP_MAX_URL (414), query parameters ATTT_HTTP_MAX_QUERY_PARAMS (400), body
 * ATTT_HTTP_MAX_BODY_ANON until the auth hook names a principal and ATTT_HTTP_MAX_BODY (or
 * ATTT_HTTP_MAX_UPLOAD on ATTT_HTTP_UPLOAD routes) after (413), JSON depth
 * ATTT_HTTP_MAX_JSON_DEPTH_ANON / ATTT_HTTP_MAX_JSON_DEPTH.
 *
 * Threads: configuration calls (route, set_*) before attt_http_server_start only, from one thread.
 * Handlers and the auth hook run concurrently on the pool's threads; a struct attt_http_req belongs
 * to the one thread running its handler and is valid only during that call.
 */
#ifndef ATTT_HTTP_H
#define ATTT_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "attt/buf.h"
#include "attt/clock.h"

struct attt_http_server;
struct attt_http_req;

enum attt_http_route_flags {
	ATTT_HTTP_PUBLIC = 1 << 0, /* answered without a principal (login, health); else 401 first */
	ATTT_HTTP_UPLOAD = 1 << 1, /* authenticated body up to ATTT_HTTP_MAX_UPLOAD, not ATTT_HTTP_MAX_BODY */
};

/* A route handler. It answers with one attt_http_reply_* call and returns ATTT_OK, or returns a
 * negative attt_err without answering, and the server answers with that error's problem+json.
 * Returning ATTT_OK without an answer gives 500. ctx is the pointer given at registration. */
typedef int (*attt_http_handler_fn)(struct attt_http_req *req, void *ctx);

/* The authentication hook, run once per request before the body is read, for every route
 * (public ones too, so that a logged-in user is known there). It reads headers and cookies and:
 *   returns ATTT_OK and sets *ret_principal (non-NULL) for an authenticated request;
 *   returns ATTT_OK leaving *ret_principal NULL for an anonymous request;
 *   returns a negative attt_err to refuse the request with that error (e.g. ATTT_E_AUTH for a
 *   forged or expired session, ATTT_E_RATE): the handler is not run.
 * The principal is owned by the server from then on and given to free_fn (may be NULL) when the
 * request ends. */
typedef int (*attt_http_auth_fn)(struct attt_http_req *req, void *ctx, void **ret_principal);
typedef void (*attt_http_principal_free_fn)(void *principal, void *ctx);

/* The readiness check of GET /healthz: ATTT_OK when the server can do its work (the database
 * answers), a negative attt_err otherwise (503). Runs on pool threads, concurrently. */
typedef int (*attt_http_health_fn)(void *ctx);

/* Appends more Prometheus text to out for GET /metrics (other modules' counters). */
typedef int (*attt_http_metrics_fn)(struct attt_buf *out, void *ctx);

struct attt_http_options {
	const char *listen;         /* "HOST:PORT", "[V6]:PORT"; port 0 = ephemeral. Default 127.0.0.1:8080 */
	const char *tls_cert_file;  /* PEM certificate chain; TLS (and HSTS) when both files are given */
	const char *tls_key_file;   /* PEM private key */
	unsigned threads;           /* pool size; 0 = number of online CPUs */
	unsigned max_connections;   /* 0 = ATTT_HTTP_MAX_CONNECTIONS */
	unsigned timeout_sec;       /* idle connection timeout; 0 = ATTT_HTTP_CONNECTION_TIMEOUT */
	const char *static_dir;     /* files served under "/"; NULL = none */
	int access_log_fd;          /* JSON-lines access log; -1 = none. Not owned (not closed). */
	const char *version;        /* reported by attt_build_info in /metrics; NULL = "unknown" */
	const struct attt_clock *clock; /* time of access-log lines and uptime; NULL = system clock */
};

/* Fills o with the defaults above (access_log_fd = -1). */
void attt_http_options_init(struct attt_http_options *o);

/* Makes a server from o (strings are copied; nothing is kept of o). Reads the TLS files and loads
 * the static directory into memory here, so a bad file fails now with a precise log line:
 * ATTT_E_INVAL (listen address), ATTT_E_IO / ATTT_E_NOTFOUND (files), ATTT_E_TOOBIG (static
 * directory over ATTT_HTTP_STATIC_MAX_FILES / _BYTES), ATTT_E_NOMEM. Nothing listens yet. */
int attt_http_server_new(const struct attt_http_options *o, struct attt_http_server **ret);
/* Stops the server if it runs (attt_http_server_shutdown with no grace) and frees it. NULL: no-op. */
void attt_http_server_free(struct attt_http_server *srv);

/* Registers handler for method ("GET", "POST", ...) on pattern: "/api/v1/agencies/{id}" where a
 * {name} segment matches one non-empty path segment (read with attt_http_req_param). Literal
 * segments win over {params}. Pattern and method are copied. Before start only.
 * ATTT_E_INVAL bad pattern or method, ATTT_E_EXISTS same method and pattern twice,
 * ATTT_E_TOOBIG over ATTT_HTTP_MAX_ROUTES or ATTT_HTTP_MAX_PATH_PARAMS, ATTT_E_STATE after start. */
int attt_http_server_route(struct attt_http_server *srv, const char *method, const char *pattern,
			   unsigned flags, attt_http_handler_fn handler, void *ctx);
/* One registered route, as attt_http_server_routes shows it. The strings belong to the server. */
struct attt_http_route_info {
	const char *method;  /* "GET", "POST", ... */
	const char *pattern; /* "/api/v1/agencies/{id}" */
	unsigned flags;      /* enum attt_http_route_flags */
};
typedef int (*attt_http_route_visit_fn)(const struct attt_http_route_info *ri, void *ctx);
/* Calls fn once per registered route, the server's own GET /healthz and GET /metrics (public)
 * included, ordered by pattern then method (so the listing is the same on every run). Stops at
 * and returns the first negative value fn returns; ATTT_OK otherwise. For documentation checks
 * (`attt serve --print-routes`) and tests; any time, from the configuring thread. */
int attt_http_server_routes(const struct attt_http_server *srv, attt_http_route_visit_fn fn, void *ctx);
/* Installs the authentication hook (one; a second call replaces it). Before start only. */
void attt_http_server_set_auth(struct attt_http_server *srv, attt_http_auth_fn fn,
			       attt_http_principal_free_fn free_fn, void *ctx);
void attt_http_server_set_health(struct attt_http_server *srv, attt_http_health_fn fn, void *ctx);
void attt_http_server_set_metrics(struct attt_http_server *srv, attt_http_metrics_fn fn, void *ctx);

/* Binds one listening socket per worker thread (SO_REUSEPORT, same port) and starts the workers.
 * ATTT_E_IO when the address cannot be bound (in use, no such address), ATTT_E_CRYPTO when GnuTLS
 * refuses the certificate or key, ATTT_E_STATE if started. */
int attt_http_server_start(struct attt_http_server *srv);
/* The bound port (the real one when 0 was asked for); 0 before start. */
int attt_http_server_port(const struct attt_http_server *srv);
/* "http://127.0.0.1:PORT" or "https://..." of the running server into buf. ATTT_E_TOOBIG. */
int attt_http_server_url(const struct attt_http_server *srv, char *buf, size_t size);
/* Stops accepting connections and answers 503 (Connection: close) to new requests on open
 * connections; requests in flight go on. Safe from any thread except a handler. Idempotent. */
void attt_http_server_quiesce(struct attt_http_server *srv);
/* Graceful stop: quiesces (as above), answers 503 to new requests on open connections, waits up to
 * grace_ms for the requests in flight to finish, then closes everything. ATTT_OK when none was cut
 * short, ATTT_E_TIMEOUT when some were still running at the deadline. Idempotent. */
int attt_http_server_shutdown(struct attt_http_server *srv, unsigned grace_ms);
/* Requests being handled now (for tests and /metrics). */
unsigned attt_http_server_in_flight(const struct attt_http_server *srv);

/* ---- Requests (valid during the handler or auth call only; strings likewise) ---- */

const char *attt_http_req_method(const struct attt_http_req *req);
/* The decoded path without the query string: "/api/v1/agencies/7". */
const char *attt_http_req_path(const struct attt_http_req *req);
/* The pattern of the matched route ("/api/v1/agencies/{id}"), NULL for none. */
const char *attt_http_req_route(const struct attt_http_req *req);
/* A {name} of the route pattern, decoded, valid UTF-8 (the server answers 400 to a path that is
 * not); NULL if the pattern has none. */
const char *attt_http_req_param(const struct attt_http_req *req, const char *name);
/* A query parameter, decoded ('+' is a space), valid UTF-8 without NUL; NULL when absent (the first
 * one when repeated). The server has refused requests over ATTT_HTTP_MAX_QUERY_PARAMS or with
 * invalid UTF-8 in the query with 400 before the handler. */
const char *attt_http_req_query(const struct attt_http_req *req, const char *name);
/* A request header (case-insensitive name); NULL when absent. */
const char *attt_http_req_header(const struct attt_http_req *req, const char *name);
/* A cookie by name; NULL when absent. */
const char *attt_http_req_cookie(const struct attt_http_req *req, const char *name);
/* The peer address ("127.0.0.1", "::1"); the TCP peer, never a forwarded header. */
const char *attt_http_req_remote(const struct attt_http_req *req);
/* The body (NUL-terminated for convenience, *ret_len bytes, may contain NUL); "" with 0 when none. */
const char *attt_http_req_body(const struct attt_http_req *req, size_t *ret_len);
/* The body parsed as JSON with the size and depth limits of the request's authentication state.
 * ATTT_E_UNSUPPORTED when the Content-Type is not application/json, ATTT_E_TOOBIG, ATTT_E_PARSE.
 * On failure the detail (position and reason) is kept, and the problem answer the server makes for
 * that error carries it. *ret is a new reference. */
int attt_http_req_json(struct attt_http_req *req, json_t **ret);
/* The answer language negotiated from Accept-Language: "vi" (default) or "en". */
const char *attt_http_req_lang(const struct attt_http_req *req);
/* The principal the auth hook returned; NULL for an anonymous request. */
void *attt_http_req_principal(const struct attt_http_req *req);
/* Names the acting user in the access log line (copied, at most 128 bytes kept). */
void attt_http_req_set_user(struct attt_http_req *req, const char *name);
/* True when the request came over TLS. */
bool attt_http_req_tls(const struct attt_http_req *req);

/* ---- Answers: one per request ---- */

/* Adds a header to the answer that follows (Set-Cookie, Location, ...). At most 16 per answer.
 * Copies both. ATTT_E_INVAL on CR/LF/NUL in either (no header injection), ATTT_E_TOOBIG. */
int attt_http_reply_header(struct attt_http_req *req, const char *name, const char *value);
/* Answers status with body as compact JSON (application/json). Takes the reference to body in
 * every case. ATTT_E_STATE if already answered, ATTT_E_NOMEM. */
int attt_http_reply_json(struct attt_http_req *req, int status, json_t *body);
/* Answers err as problem+json (status attt_err_http_status(err)), with an optional detail in both
 * languages (either may be NULL; a missing one falls back to the other). */
int attt_http_reply_problem(struct attt_http_req *req, int err, const char *detail_vi, const char *detail_en);
/* Answers status with a copy of p[0..n) as content_type. */
int attt_http_reply_bytes(struct attt_http_req *req, int status, const char *content_type,
			  const void *p, size_t n);
/* Answers 200 with a copy of p[0..n) as content_type, a strong ETag computed from the bytes and
 * Cache-Control cache_control (NULL: "no-cache", revalidate each time; private data should say
 * "private, no-cache"); or 304 without a body when If-None-Match matches. For read endpoints
 * whose answer rarely changes: the client's copy is validated without sending it again. */
int attt_http_reply_etag(struct attt_http_req *req, const char *content_type, const void *p, size_t n,
			 const char *cache_control);
/* Answers status with no body (204, 202 ...). */
int attt_http_reply_empty(struct attt_http_req *req, int status);

/* ---- Pure helpers, exposed for tests and for other servers' reuse ---- */

/* "vi" or "en" from an Accept-Language value (NULL or no match gives "vi"): the language with the
 * highest q among vi and en, the earlier on a tie; q=0 excludes. */
const char *attt_http_lang_negotiate(const char *accept_language);
/* ATTT_OK when path is safe to map under a static root: starts with "/", no "." or ".." segment,
 * no empty segment, no backslash, '%', NUL or control byte, no segment starting with '.'
 * (hidden files). ATTT_E_INVAL otherwise. */
int attt_http_path_check(const char *path);
/* Builds the problem+json object for err in lang ("vi"/"en"): type, title, status, detail,
 * instance (if non-NULL) and the other language's title_xx/detail_xx. New reference or NULL. */
json_t *attt_http_problem_new(int err, const char *lang, const char *detail_vi, const char *detail_en,
			      const char *instance);
/* True when an If-None-Match value matches etag ("*", or a listed strong or weak tag). */
bool attt_http_etag_match(const char *if_none_match, const char *etag);
/* The Content-Type for a file name, by extension; "application/octet-stream" when unknown. */
const char *attt_http_content_type(const char *filename);

#endif
