/*
 * http-int.h: private to the http module. The server, its routes, the per-request state, the
 * in-memory static files and the metrics slots. One metrics slot per route pattern, plus one for
 * static files and one for requests that matched nothing, so label cardinality is bounded by the
 * routes the program registered, never by what clients send.
 */
#ifndef ATTT_HTTP_INT_H
#define ATTT_HTTP_INT_H

#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <microhttpd.h>

#include "attt/buf.h"
#include "attt/http.h"
#include "attt/limits.h"

enum http_method { M_GET, M_HEAD, M_POST, M_PUT, M_PATCH, M_DELETE, M_OPTIONS, M_OTHER, M_COUNT };

/* Statuses counted one by one in /metrics; anything else is counted as "other". */
#define HTTP_STATUSES(X)                                                                          \
	X(200) X(201) X(202) X(204) X(301) X(302) X(304) X(400) X(401) X(403) X(404) X(405) X(406)  \
	X(409) X(413) X(414) X(415) X(422) X(423) X(429) X(431) X(500) X(501) X(503) X(504)
#define HTTP_STATUS_COUNT_ONE(s) +1
enum { N_STATUS = 0 HTTP_STATUSES(HTTP_STATUS_COUNT_ONE) + 1 };
/* Latency histogram upper bounds in microseconds (Prometheus "le" in seconds). */
#define HTTP_BUCKETS_US 100, 250, 500, 1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000, \
			500000, 1000000, 2500000, 5000000, 10000000
enum { N_BUCKETS = 16 };

struct slot_metrics {
	const char *label; /* the route pattern, "static" or "unmatched" */
	char pad_[56];     /* keeps neighbouring shards' counters off one cache line */
	_Atomic uint64_t count[M_COUNT][N_STATUS];
	_Atomic uint64_t hist[N_BUCKETS + 1]; /* last: +Inf */
	_Atomic uint64_t sum_us;
	_Atomic uint64_t total;
};

struct handler {
	attt_http_handler_fn fn;
	void *ctx;
	unsigned flags;
};

/* All routes that share one pattern. */
struct resource {
	char *pattern;
	char **segs; /* literal segment, or "{name}" */
	int nsegs;
	int nlit;    /* literal segments, to rank matches */
	struct handler *h[M_COUNT];
};

struct static_file {
	char *path; /* URL path: "/app.js" */
	char *data;
	size_t len;
	char etag[24];
	const char *ctype;
	struct MHD_Response *ok;
	struct MHD_Response *notmod;
	bool shadowed; /* a route pattern matches this path too: the route wins */
};

struct static_cache {
	struct static_file *files; /* open addressing; path NULL = empty */
	size_t cap;                /* power of two */
	size_t count;
	size_t bytes;
};

struct attt_http_server {
	char *listen;
	struct sockaddr_storage addr;
	char *tls_cert;
	char *tls_key; /* wiped on free */
	size_t tls_key_len;
	bool tls;
	unsigned threads, max_connections, timeout_sec;
	int access_log_fd;
	char *version;
	const struct attt_clock *clock;
	int64_t started_us;

	struct resource *res;
	int nres;
	int nroutes;
	/* nshards copies of (nres + 2) slots, made at start; a worker thread writes only its own
	 * shard, so counting costs no cache-line traffic between cores; /metrics adds them up. */
	struct slot_metrics *slots;
	int nslots, nshards;
	int slot_static, slot_unmatched;

	attt_http_auth_fn auth;
	attt_http_principal_free_fn auth_free;
	void *auth_ctx;
	attt_http_health_fn health;
	void *health_ctx;
	attt_http_metrics_fn metrics_fn;
	void *metrics_ctx;

	struct static_cache stat;
	struct MHD_Response *health_ok; /* shared, built at start */

	struct MHD_Daemon **daemons; /* one single-threaded daemon per worker thread */
	int *quiesced;               /* their listen sockets once quiesced, -1 before */
	int ndaemons;                /* > 0 while running */
	int port;
	atomic_bool stopping;
	_Atomic unsigned in_flight;
	pthread_mutex_t lock;
	pthread_cond_t idle;
};

struct extra_header {
	char *name;
	char *value;
};

#define HTTP_MAX_EXTRA_HEADERS 16

struct attt_http_req {
	struct attt_http_server *srv;
	struct MHD_Connection *conn;
	const char *method;
	enum http_method midx;
	const char *path;
	struct resource *res;
	struct handler *h;
	int slot;
	char *pbuf; /* copy of the path, cut into the {param} values */
	const char *pval[ATTT_HTTP_MAX_PATH_PARAMS];
	const char *pname[ATTT_HTTP_MAX_PATH_PARAMS];
	int nparams;
	void *principal;
	bool auth_done;
	const char *lang; /* NULL until asked */
	struct attt_buf body;
	bool has_body;
	int64_t content_length; /* -1 when absent */
	size_t body_limit;
	int json_depth;
	char detail[224]; /* English detail of the last JSON error, for the problem answer */
	struct extra_header extra[HTTP_MAX_EXTRA_HEADERS];
	int nextra;
	char user[129];
	char remote[INET6_ADDRSTRLEN + 1];
	bool remote_done;
	int64_t t0_ns;
	struct MHD_Response *resp; /* the answer, until queued */
	bool resp_shared;          /* a cached response: never destroyed here */
	bool answered;
	bool failed;               /* no answer could be made: the connection is closed */
	bool close;                /* answer with Connection: close */
	int status;
	size_t resp_bytes;
	size_t drained;            /* body bytes dropped after refusing it */
	bool nomem;                /* the router could not allocate the {param} values */
};

/* server.c */
int attt__http_reply_shared(struct attt_http_req *req, int status, struct MHD_Response *resp, size_t bytes);
int attt__http_add_common_headers(struct MHD_Response *resp, bool tls, bool api);
int64_t attt__http_mono_ns(void);
/* router.c */
int attt__http_route_add(struct attt_http_server *srv, enum http_method m, const char *pattern,
			 unsigned flags, attt_http_handler_fn fn, void *ctx);
/* The resource whose pattern matches req->path (and req's {param} values), or NULL: no match, or
 * out of memory when req->nomem is set. */
struct resource *attt__http_route_match(struct attt_http_server *srv, struct attt_http_req *req);
void attt__http_routes_free(struct attt_http_server *srv);
enum http_method attt__http_method_index(const char *m);
const char *attt__http_method_name(enum http_method m);
/* static.c */
int attt__http_static_load(struct attt_http_server *srv, const char *dir);
const struct static_file *attt__http_static_find(const struct attt_http_server *srv, const char *path);
void attt__http_static_free(struct attt_http_server *srv);
/* Marks the files whose path a route also matches (at start, once the routes are known). */
int attt__http_static_shadow(struct attt_http_server *srv);
/* metrics.c */
int attt__http_metrics_init(struct attt_http_server *srv);
void attt__http_metrics_record(struct attt_http_server *srv, int slot, enum http_method m, int status,
			       int64_t dur_us);
int attt__http_metrics_handler(struct attt_http_req *req, void *ctx);
void attt__http_access_log(struct attt_http_req *req, int64_t dur_us);

#endif
