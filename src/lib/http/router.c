/*
 * router.c: routes as (method, pattern). Patterns are split into segments once, at registration;
 * a request path is split on the stack (at most MAX_SEGS segments) and compared with every pattern
 * of the same length. Among patterns that match, the one whose first literal comes earliest wins
 * ("/a/new" beats "/a/{id}"), so the order of registration never matters.
 */
#include <stdlib.h>
#include <string.h>

#include "attt/err.h"
#include "attt/str.h"
#include "http-int.h"

#define MAX_SEGS 32

static const char *const method_names[M_COUNT] = { "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "OTHER" };

enum http_method attt__http_method_index(const char *m)
{
	for (int i = 0; i < M_OTHER; i++)
		if (strcmp(m, method_names[i]) == 0)
			return (enum http_method)i;
	return M_OTHER;
}

const char *attt__http_method_name(enum http_method m)
{
	return method_names[m];
}

static bool is_param(const char *seg)
{
	size_t n = strlen(seg);
	return n >= 3 && seg[0] == '{' && seg[n - 1] == '}';
}

static int split_pattern(const char *pattern, char ***ret_segs, int *ret_n, int *ret_nlit)
{
	char **segs = NULL;
	int n = 0, nlit = 0, nparams = 0, r;
	const char *p;

	if (pattern[0] != '/')
		return ATTT_E_INVAL;
	segs = calloc(MAX_SEGS, sizeof(*segs));
	if (!segs)
		return ATTT_E_NOMEM;
	p = pattern + 1;
	while (strcmp(pattern, "/") != 0) {
		const char *slash = strchr(p, '/');
		size_t len = slash ? (size_t)(slash - p) : strlen(p);
		if (n == MAX_SEGS) {
			r = ATTT_E_TOOBIG;
			goto fail;
		}
		segs[n] = strndup(p, len);
		if (!segs[n]) {
			r = ATTT_E_NOMEM;
			goto fail;
		}
		n++;
		if (len == 0 && slash) {
			r = ATTT_E_INVAL; /* "//" */
			goto fail;
		}
		if (memchr(p, '{', len) || memchr(p, '}', len)) {
			/* A parameter is a whole segment "{name}" with no braces inside. */
			if (!is_param(segs[n - 1]) || memchr(p + 1, '{', len - 2) || memchr(p + 1, '}', len - 2)) {
				r = ATTT_E_INVAL;
				goto fail;
			}
			if (++nparams > ATTT_HTTP_MAX_PATH_PARAMS) {
				r = ATTT_E_TOOBIG;
				goto fail;
			}
		} else {
			nlit++; /* a trailing "" too: "/a/" differs from "/a" */
		}
		if (!slash)
			break;
		p = slash + 1;
	}
	*ret_segs = segs;
	*ret_n = n;
	*ret_nlit = nlit;
	return ATTT_OK;
fail:
	for (int i = 0; i < n; i++)
		free(segs[i]);
	free(segs);
	return r;
}

int attt__http_route_add(struct attt_http_server *srv, enum http_method m, const char *pattern,
			 unsigned flags, attt_http_handler_fn fn, void *ctx)
{
	struct resource *res = NULL;
	struct handler *h;
	int r;

	if (srv->nroutes >= ATTT_HTTP_MAX_ROUTES)
		return ATTT_E_TOOBIG;
	for (int i = 0; i < srv->nres; i++)
		if (strcmp(srv->res[i].pattern, pattern) == 0)
			res = &srv->res[i];
	if (!res) {
		struct resource *grown = realloc(srv->res, (size_t)(srv->nres + 1) * sizeof(*grown));
		if (!grown)
			return ATTT_E_NOMEM;
		srv->res = grown;
		res = &srv->res[srv->nres];
		memset(res, 0, sizeof(*res));
		r = split_pattern(pattern, &res->segs, &res->nsegs, &res->nlit);
		if (r < 0)
			return r;
		res->pattern = strdup(pattern);
		if (!res->pattern) {
			for (int i = 0; i < res->nsegs; i++)
				free(res->segs[i]);
			free(res->segs);
			return ATTT_E_NOMEM;
		}
		srv->nres++;
	}
	if (res->h[m])
		return ATTT_E_EXISTS;
	h = calloc(1, sizeof(*h));
	if (!h)
		return ATTT_E_NOMEM;
	h->fn = fn;
	h->ctx = ctx;
	h->flags = flags;
	res->h[m] = h;
	srv->nroutes++;
	return ATTT_OK;
}

void attt__http_routes_free(struct attt_http_server *srv)
{
	for (int i = 0; i < srv->nres; i++) {
		struct resource *res = &srv->res[i];
		for (int k = 0; k < res->nsegs; k++)
			free(res->segs[k]);
		free(res->segs);
		free(res->pattern);
		for (int k = 0; k < M_COUNT; k++)
			free(res->h[k]);
	}
	free(srv->res);
	srv->res = NULL;
	srv->nres = 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int attt_http_server_routes(const struct attt_http_server *srv, attt_http_route_visit_fn fn, void *ctx)
{
	const char **order;
	int r = ATTT_OK;

	if (srv->nres == 0)
		return ATTT_OK;
	/* The patterns sorted; each points into its resource, found again below by identity. */
	order = malloc((size_t)srv->nres * sizeof(*order));
	if (!order)
		return ATTT_E_NOMEM;
	for (int i = 0; i < srv->nres; i++)
		order[i] = srv->res[i].pattern;
	qsort(order, (size_t)srv->nres, sizeof(*order), cmp_str);
	for (int i = 0; i < srv->nres && r >= 0; i++) {
		const struct resource *res = NULL;
		for (int k = 0; k < srv->nres; k++)
			if (srv->res[k].pattern == order[i])
				res = &srv->res[k];
		for (int m = 0; res && m < M_COUNT && r >= 0; m++) {
			struct attt_http_route_info ri;
			if (!res->h[m])
				continue;
			ri.method = method_names[m];
			ri.pattern = res->pattern;
			ri.flags = res->h[m]->flags;
			r = fn(&ri, ctx);
		}
	}
	free(order);
	return r < 0 ? r : ATTT_OK;
}

struct resource *attt__http_route_match(struct attt_http_server *srv, struct attt_http_req *req)
{
	const char *start[MAX_SEGS];
	size_t len[MAX_SEGS];
	int n = 0, best = -1;
	uint64_t best_rank = 0;
	const char *p = req->path;
	struct resource *res;

	if (p[0] != '/')
		return NULL;
	p++;
	for (;;) {
		const char *slash = strchr(p, '/');
		if (n == MAX_SEGS)
			return NULL;
		start[n] = p;
		len[n] = slash ? (size_t)(slash - p) : strlen(p);
		n++;
		if (!slash)
			break;
		p = slash + 1;
	}
	/* "/" is zero segments, like the pattern "/". */
	if (n == 1 && len[0] == 0)
		n = 0;

	for (int i = 0; i < srv->nres; i++) {
		uint64_t rank = 0;
		bool ok = true;
		res = &srv->res[i];
		if (res->nsegs != n)
			continue;
		for (int k = 0; k < n && ok; k++) {
			const char *seg = res->segs[k];
			if (seg[0] == '{' && is_param(seg)) {
				ok = len[k] > 0;
			} else {
				ok = strlen(seg) == len[k] && memcmp(seg, start[k], len[k]) == 0;
				rank |= UINT64_C(1) << (MAX_SEGS - k);
			}
		}
		if (ok && (best < 0 || rank > best_rank)) {
			best = i;
			best_rank = rank;
		}
	}
	if (best < 0)
		return NULL;
	res = &srv->res[best];
	if (res->nlit < res->nsegs) {
		/* Cut a copy of the path into the parameter values. */
		size_t plen = strlen(req->path);
		char *copy = malloc(plen + 1);
		if (!copy) {
			req->nomem = true;
			return NULL;
		}
		memcpy(copy, req->path, plen + 1);
		req->pbuf = copy;
		req->nparams = 0;
		for (int k = 0; k < n; k++) {
			const char *seg = res->segs[k];
			if (!is_param(seg))
				continue;
			char *v = copy + (start[k] - req->path);
			v[len[k]] = '\0';
			req->pname[req->nparams] = seg;
			req->pval[req->nparams] = v;
			req->nparams++;
		}
	}
	return res;
}
