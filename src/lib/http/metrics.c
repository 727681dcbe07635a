/*
 * metrics.c: request counters and latency histograms for GET /metrics (Prometheus text format
 * 0.0.4), and the JSON-lines access log.
 *
 * Counters are relaxed atomics in a fixed array made at start (one slot per route pattern plus
 * "static" and "unmatched"), one copy per worker thread, so recording costs a few uncontended
 * atomic adds and no lock. Labels come only
 * from registered patterns, never from request paths, so clients cannot blow up the series count.
 * The access log writes one line with one write(2), path without its query string (query strings
 * carry tokens and search terms), every client-supplied string JSON-escaped.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <utf8proc.h>

#include "attt/err.h"
#include "attt/str.h"
#include "http-int.h"

static const int statuses[] = {
#define HTTP_STATUS_ROW(s) s,
	HTTP_STATUSES(HTTP_STATUS_ROW)
#undef HTTP_STATUS_ROW
};
static const int64_t buckets_us[N_BUCKETS] = { HTTP_BUCKETS_US };

static int status_index(int status)
{
	for (int i = 0; i < N_STATUS - 1; i++)
		if (statuses[i] == status)
			return i;
	return N_STATUS - 1;
}

int attt__http_metrics_init(struct attt_http_server *srv)
{
	int n = srv->nres + 2;
	srv->nshards = (int)srv->threads + 1; /* + 1: a caller outside the pool */
	srv->slots = calloc((size_t)n * (size_t)srv->nshards, sizeof(*srv->slots));
	if (!srv->slots)
		return ATTT_E_NOMEM;
	srv->nslots = n;
	for (int k = 0; k < srv->nshards; k++) {
		struct slot_metrics *sh = srv->slots + (size_t)k * (size_t)n;
		for (int i = 0; i < srv->nres; i++)
			sh[i].label = srv->res[i].pattern;
		sh[srv->nres].label = "static";
		sh[srv->nres + 1].label = "unmatched";
	}
	srv->slot_static = srv->nres;
	srv->slot_unmatched = srv->nres + 1;
	return ATTT_OK;
}

/* The calling thread's shard: threads take numbers in the order they first record. */
static int my_shard(const struct attt_http_server *srv)
{
	static _Atomic unsigned next;
	static __thread unsigned id_plus_1;
	if (!id_plus_1)
		id_plus_1 = atomic_fetch_add_explicit(&next, 1, memory_order_relaxed) + 1;
	return (int)((id_plus_1 - 1) % (unsigned)srv->nshards);
}

void attt__http_metrics_record(struct attt_http_server *srv, int slot, enum http_method m, int status,
			       int64_t dur_us)
{
	struct slot_metrics *s;
	int b = N_BUCKETS;

	if (!srv->slots || slot < 0)
		return;
	s = &srv->slots[(size_t)my_shard(srv) * (size_t)srv->nslots + (size_t)slot];
	atomic_fetch_add_explicit(&s->count[m][status_index(status)], 1, memory_order_relaxed);
	for (int i = 0; i < N_BUCKETS; i++) {
		if (dur_us <= buckets_us[i]) {
			b = i;
			break;
		}
	}
	atomic_fetch_add_explicit(&s->hist[b], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&s->sum_us, (uint64_t)(dur_us > 0 ? dur_us : 0), memory_order_relaxed);
	atomic_fetch_add_explicit(&s->total, 1, memory_order_relaxed);
}

/* Sums of one slot over the shards. */
static uint64_t sum_count(const struct attt_http_server *srv, int slot, int m, int k)
{
	uint64_t v = 0;
	for (int i = 0; i < srv->nshards; i++)
		v += atomic_load_explicit(&srv->slots[(size_t)i * (size_t)srv->nslots + (size_t)slot].count[m][k],
					  memory_order_relaxed);
	return v;
}

static uint64_t sum_hist(const struct attt_http_server *srv, int slot, int b)
{
	uint64_t v = 0;
	for (int i = 0; i < srv->nshards; i++)
		v += atomic_load_explicit(&srv->slots[(size_t)i * (size_t)srv->nslots + (size_t)slot].hist[b],
					  memory_order_relaxed);
	return v;
}

static uint64_t sum_field(const struct attt_http_server *srv, int slot, bool total)
{
	uint64_t v = 0;
	for (int i = 0; i < srv->nshards; i++) {
		struct slot_metrics *s = &srv->slots[(size_t)i * (size_t)srv->nslots + (size_t)slot];
		v += atomic_load_explicit(total ? &s->total : &s->sum_us, memory_order_relaxed);
	}
	return v;
}

/* Appends s as a Prometheus label value (backslash, quote and newline escaped). */
static int add_label(struct attt_buf *b, const char *s)
{
	int r = ATTT_OK;
	for (; *s && r >= 0; s++) {
		if (*s == '\\' || *s == '"')
			r = attt_buf_addc(b, '\\') < 0 ? ATTT_E_TOOBIG : attt_buf_addc(b, *s);
		else if (*s == '\n')
			r = attt_buf_adds(b, "\\n");
		else
			r = attt_buf_addc(b, *s);
	}
	return r;
}

static int write_metrics(struct attt_http_server *srv, struct attt_buf *b)
{
	int r = ATTT_OK;
	int64_t now = attt_now_us(srv->clock);

	r = attt_buf_adds(b, "# HELP attt_http_requests_total HTTP requests answered, by method, route and status.\n"
			     "# TYPE attt_http_requests_total counter\n");
	for (int i = 0; i < srv->nslots && r >= 0; i++) {
		struct slot_metrics *s = &srv->slots[i];
		for (int m = 0; m < M_COUNT && r >= 0; m++) {
			for (int k = 0; k < N_STATUS && r >= 0; k++) {
				uint64_t v = sum_count(srv, i, m, k);
				if (!v)
					continue;
				r = attt_buf_addf(b, "attt_http_requests_total{method=\"%s\",route=\"",
						  attt__http_method_name((enum http_method)m));
				if (r >= 0)
					r = add_label(b, s->label);
				if (r >= 0 && k == N_STATUS - 1)
					r = attt_buf_addf(b, "\",status=\"other\"} %llu\n", (unsigned long long)v);
				else if (r >= 0)
					r = attt_buf_addf(b, "\",status=\"%d\"} %llu\n", statuses[k], (unsigned long long)v);
			}
		}
	}
	if (r >= 0)
		r = attt_buf_adds(b, "# HELP attt_http_request_duration_seconds Time from the request line to the "
				     "last byte of the answer.\n"
				     "# TYPE attt_http_request_duration_seconds histogram\n");
	for (int i = 0; i < srv->nslots && r >= 0; i++) {
		struct slot_metrics *s = &srv->slots[i];
		uint64_t total = sum_field(srv, i, true), cum = 0;
		if (!total)
			continue;
		for (int k = 0; k <= N_BUCKETS && r >= 0; k++) {
			cum += sum_hist(srv, i, k);
			r = attt_buf_adds(b, "attt_http_request_duration_seconds_bucket{route=\"");
			if (r >= 0)
				r = add_label(b, s->label);
			if (r >= 0 && k < N_BUCKETS)
				r = attt_buf_addf(b, "\",le=\"%g\"} %llu\n", (double)buckets_us[k] / 1e6,
						  (unsigned long long)cum);
			else if (r >= 0)
				r = attt_buf_addf(b, "\",le=\"+Inf\"} %llu\n", (unsigned long long)cum);
		}
		if (r >= 0)
			r = attt_buf_adds(b, "attt_http_request_duration_seconds_sum{route=\"");
		if (r >= 0)
			r = add_label(b, s->label);
		if (r >= 0)
			r = attt_buf_addf(b, "\"} %.6f\n", (double)sum_field(srv, i, false) / 1e6);
		if (r >= 0)
			r = attt_buf_adds(b, "attt_http_request_duration_seconds_count{route=\"");
		if (r >= 0)
			r = add_label(b, s->label);
		if (r >= 0)
			r = attt_buf_addf(b, "\"} %llu\n", (unsigned long long)total);
	}
	if (r >= 0)
		r = attt_buf_addf(b,
				  "# HELP attt_http_requests_in_flight Requests being handled now.\n"
				  "# TYPE attt_http_requests_in_flight gauge\n"
				  "attt_http_requests_in_flight %u\n"
				  "# HELP attt_uptime_seconds Seconds since the server started.\n"
				  "# TYPE attt_uptime_seconds gauge\n"
				  "attt_uptime_seconds %.3f\n"
				  "# HELP attt_build_info The running build.\n"
				  "# TYPE attt_build_info gauge\n"
				  "attt_build_info{version=\"",
				  atomic_load(&srv->in_flight), (double)(now - srv->started_us) / 1e6);
	if (r >= 0)
		r = add_label(b, srv->version);
	if (r >= 0)
		r = attt_buf_adds(b, "\"} 1\n");
	if (r >= 0 && srv->metrics_fn)
		r = srv->metrics_fn(b, srv->metrics_ctx);
	return r;
}

int attt__http_metrics_handler(struct attt_http_req *req, void *ctx)
{
	struct attt_buf b;
	int r;

	attt_buf_init(&b, 16u << 20);
	r = write_metrics(req->srv, &b);
	if (r >= 0)
		r = attt_http_reply_bytes(req, 200, "text/plain; version=0.0.4; charset=utf-8", attt_buf_str(&b), b.len);
	attt_buf_done(&b);
	return r;
}

/* Appends s JSON-escaped: quotes, backslash and control bytes escaped, valid UTF-8 kept as it is,
 * each byte of invalid UTF-8 written as \ufffd, so that every line stays valid JSON whatever the
 * client sent. */
static int add_json_str(struct attt_buf *b, const char *s)
{
	int r = attt_buf_addc(b, '"');
	while (s && *s && r >= 0) {
		unsigned char c = (unsigned char)*s;
		if (c >= 0x80) {
			utf8proc_int32_t cp;
			utf8proc_ssize_t n = utf8proc_iterate((const utf8proc_uint8_t *)s, -1, &cp);
			if (n > 0) {
				r = attt_buf_add(b, s, (size_t)n);
				s += n;
			} else {
				r = attt_buf_adds(b, "\\ufffd");
				s++;
			}
			continue;
		}
		if (c == '"' || c == '\\') {
			char esc[2] = { '\\', (char)c };
			r = attt_buf_add(b, esc, 2);
		} else if (c < 0x20 || c == 0x7f) {
			r = attt_buf_addf(b, "\\u%04x", c);
		} else {
			r = attt_buf_addc(b, (char)c);
		}
		s++;
	}
	if (r >= 0)
		r = attt_buf_addc(b, '"');
	return r;
}

void attt__http_access_log(struct attt_http_req *req, int64_t dur_us)
{
	struct attt_http_server *srv = req->srv;
	struct attt_buf b;
	char ts[40];
	int64_t now = attt_now_us(srv->clock);
	int r;

	if (srv->access_log_fd < 0)
		return;
	attt_buf_init(&b, 4 * ATTT_HTTP_MAX_URL);
	if (attt_time_iso(now, ts, sizeof(ts)) < 0)
		ts[0] = '\0';
	r = attt_buf_addf(&b, "{\"time\":\"%s\",\"remote\":", ts);
	if (r >= 0)
		r = add_json_str(&b, attt_http_req_remote(req));
	if (r >= 0)
		r = attt_buf_adds(&b, ",\"method\":");
	if (r >= 0)
		r = add_json_str(&b, req->method);
	if (r >= 0)
		r = attt_buf_adds(&b, ",\"path\":");
	if (r >= 0)
		r = add_json_str(&b, req->path);
	if (r >= 0 && req->res) {
		r = attt_buf_adds(&b, ",\"route\":");
		if (r >= 0)
			r = add_json_str(&b, req->res->pattern);
	}
	if (r >= 0 && req->user[0]) {
		r = attt_buf_adds(&b, ",\"user\":");
		if (r >= 0)
			r = add_json_str(&b, req->user);
	}
	if (r >= 0)
		r = attt_buf_addf(&b, ",\"status\":%d,\"bytes\":%zu,\"duration_ms\":%.3f}\n",
				  req->answered ? req->status : 0, req->resp_bytes, (double)dur_us / 1000.0);
	if (r >= 0) {
		ssize_t w = write(srv->access_log_fd, b.data, b.len);
		(void)w; /* a full disk must not stop the answers; the diagnostic log has no better place */
	}
	attt_buf_done(&b);
}
