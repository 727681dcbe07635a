/*
 * static.c: the web UI's files, read once at start into memory and answered from there.
 *
 * Serving from a table of known paths makes traversal impossible by construction: a request can
 * only name a file that was found under the root at start. The walk itself skips hidden names,
 * follows a symbolic link only when its target resolves inside the root (and never into a
 * directory, so there are no loops), and stops at ATTT_HTTP_STATIC_MAX_FILES files or
 * ATTT_HTTP_STATIC_MAX_BYTES bytes. Each file gets a strong ETag (BLAKE2b of its bytes) and two
 * ready-made responses (200 and 304) that MHD shares between connections, which is the fast path
 * the bench measures. Files changed on disk are seen at the next start.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "attt/err.h"
#include "attt/log.h"
#include "attt/str.h"
#include "http-int.h"

#define MAX_DEPTH 16

static uint64_t hash_path(const char *s)
{
	uint64_t h = UINT64_C(1469598103934665603);
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= UINT64_C(1099511628211);
	}
	return h;
}

static int table_grow(struct static_cache *c)
{
	size_t ncap = c->cap ? c->cap * 2 : 64;
	struct static_file *nf = calloc(ncap, sizeof(*nf));
	if (!nf)
		return ATTT_E_NOMEM;
	for (size_t i = 0; i < c->cap; i++) {
		if (!c->files[i].path)
			continue;
		size_t k = hash_path(c->files[i].path) & (ncap - 1);
		while (nf[k].path)
			k = (k + 1) & (ncap - 1);
		nf[k] = c->files[i];
	}
	free(c->files);
	c->files = nf;
	c->cap = ncap;
	return ATTT_OK;
}

static int read_all(int fd, size_t size, char **ret)
{
	char *buf = malloc(size ? size : 1);
	size_t got = 0;
	if (!buf)
		return ATTT_E_NOMEM;
	while (got < size) {
		ssize_t n = read(fd, buf + got, size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			free(buf);
			return ATTT_E_IO;
		}
		got += (size_t)n;
	}
	*ret = buf;
	return ATTT_OK;
}

static int add_file(struct attt_http_server *srv, const char *url, const char *fspath, bool follow)
{
	struct static_cache *c = &srv->stat;
	struct static_file f = { 0 };
	unsigned char h[16];
	struct stat st;
	int fd = -1, r;
	size_t k;

	if (c->count >= ATTT_HTTP_STATIC_MAX_FILES) {
		log_error("static: more than %d files under the web root", ATTT_HTTP_STATIC_MAX_FILES);
		return ATTT_E_TOOBIG;
	}
	fd = open(fspath, O_RDONLY | O_CLOEXEC | (follow ? 0 : O_NOFOLLOW));
	if (fd < 0)
		return log_error_err(ATTT_E_IO, "static: cannot open %s", fspath);
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		r = ATTT_OK; /* not a regular file after all: skipped */
		goto out;
	}
	if ((uint64_t)st.st_size > ATTT_HTTP_STATIC_MAX_BYTES - c->bytes) {
		log_error("static: the web root is over %u bytes", ATTT_HTTP_STATIC_MAX_BYTES);
		r = ATTT_E_TOOBIG;
		goto out;
	}
	f.len = (size_t)st.st_size;
	r = read_all(fd, f.len, &f.data);
	if (r < 0)
		goto out;
	f.path = strdup(url);
	if (!f.path) {
		r = ATTT_E_NOMEM;
		goto out;
	}
	crypto_generichash(h, sizeof(h), (const unsigned char *)f.data, f.len, NULL, 0);
	f.etag[0] = '"';
	sodium_bin2hex(f.etag + 1, sizeof(f.etag) - 2, h, 10);
	f.etag[21] = '"';
	f.etag[22] = '\0';
	f.ctype = attt_http_content_type(url);
	f.ok = MHD_create_response_from_buffer(f.len, f.data, MHD_RESPMEM_PERSISTENT);
	f.notmod = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
	if (!f.ok || !f.notmod) {
		r = ATTT_E_NOMEM;
		goto out;
	}
	/* Revalidated on each use (no-cache) so a new release shows at once; the 304 is cheap. */
	if (attt__http_add_common_headers(f.ok, srv->tls, false) < 0 ||
	    attt__http_add_common_headers(f.notmod, srv->tls, false) < 0 ||
	    MHD_add_response_header(f.ok, "Content-Type", f.ctype) != MHD_YES ||
	    MHD_add_response_header(f.ok, "ETag", f.etag) != MHD_YES ||
	    MHD_add_response_header(f.ok, "Cache-Control", "no-cache") != MHD_YES ||
	    MHD_add_response_header(f.notmod, "ETag", f.etag) != MHD_YES ||
	    MHD_add_response_header(f.notmod, "Cache-Control", "no-cache") != MHD_YES) {
		r = ATTT_E_NOMEM;
		goto out;
	}
	if ((c->count + 1) * 2 > c->cap && (r = table_grow(c)) < 0)
		goto out;
	k = hash_path(f.path) & (c->cap - 1);
	while (c->files[k].path)
		k = (k + 1) & (c->cap - 1);
	c->files[k] = f;
	memset(&f, 0, sizeof(f));
	c->count++;
	c->bytes += (size_t)st.st_size;
	r = ATTT_OK;
out:
	if (f.ok)
		MHD_destroy_response(f.ok);
	if (f.notmod)
		MHD_destroy_response(f.notmod);
	free(f.data);
	free(f.path);
	if (fd >= 0)
		close(fd);
	return r;
}

/* Walks dir (file system path fs, URL prefix url) below root (the resolved root). */
static int walk(struct attt_http_server *srv, const char *root, const char *fs, const char *url, int depth)
{
	DIR *d = NULL;
	struct dirent *e;
	int r = ATTT_OK;
	int dfd;

	if (depth > MAX_DEPTH)
		return ATTT_OK;
	dfd = open(fs, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (dfd < 0)
		return log_error_err(ATTT_E_IO, "static: cannot open directory %s", fs);
	d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return ATTT_E_NOMEM;
	}
	while ((e = readdir(d))) {
		char cfs[ATTT_MAX_PATH], curl[ATTT_MAX_PATH], real[PATH_MAX];
		struct stat st;

		/* R4.5: only the web UI's own files are reachable: ".", "..", hidden files and links
		 * that lead out of the root are never loaded, so documents stored elsewhere in the
		 * data directory cannot be served. */
		if (e->d_name[0] == '.')
			continue;
		if (attt_str_printf(cfs, sizeof(cfs), "%s/%s", fs, e->d_name) < 0 ||
		    attt_str_printf(curl, sizeof(curl), "%s/%s", url, e->d_name) < 0 ||
		    attt_http_path_check(curl) < 0) {
			log_warn("static: skipped a name that is not safe in a URL under %s", fs);
			continue;
		}
		if (lstat(cfs, &st) < 0)
			continue;
		if (S_ISLNK(st.st_mode)) {
			size_t rl = strlen(root);
			/* A link is served only when it resolves to a file inside the root. */
			if (!realpath(cfs, real) || strncmp(real, root, rl) != 0 || real[rl] != '/' ||
			    stat(real, &st) < 0 || !S_ISREG(st.st_mode)) {
				log_warn("static: skipped link %s (outside the web root or not a file)", cfs);
				continue;
			}
			r = add_file(srv, curl, real, true);
		} else if (S_ISDIR(st.st_mode)) {
			r = walk(srv, root, cfs, curl, depth + 1);
		} else if (S_ISREG(st.st_mode)) {
			r = add_file(srv, curl, cfs, false);
		}
		if (r < 0)
			break;
	}
	closedir(d);
	return r;
}

int attt__http_static_load(struct attt_http_server *srv, const char *dir)
{
	char root[PATH_MAX];
	if (!realpath(dir, root))
		return log_error_err(errno == ENOENT ? ATTT_E_NOTFOUND : ATTT_E_IO, "static: no directory %s", dir);
	return walk(srv, root, root, "", 0);
}

const struct static_file *attt__http_static_find(const struct attt_http_server *srv, const char *path)
{
	const struct static_cache *c = &srv->stat;
	size_t k;

	if (!c->count)
		return NULL;
	k = hash_path(path) & (c->cap - 1);
	while (c->files[k].path) {
		if (strcmp(c->files[k].path, path) == 0)
			return &c->files[k];
		k = (k + 1) & (c->cap - 1);
	}
	return NULL;
}

void attt__http_static_free(struct attt_http_server *srv)
{
	struct static_cache *c = &srv->stat;
	for (size_t i = 0; i < c->cap; i++) {
		struct static_file *f = &c->files[i];
		if (!f->path)
			continue;
		MHD_destroy_response(f->ok);
		MHD_destroy_response(f->notmod);
		free(f->data);
		free(f->path);
	}
	free(c->files);
	memset(c, 0, sizeof(*c));
}

int attt__http_static_shadow(struct attt_http_server *srv)
{
	struct static_cache *c = &srv->stat;
	for (size_t i = 0; i < c->cap; i++) {
		struct attt_http_req probe = { 0 };
		const struct resource *res;
		if (!c->files[i].path)
			continue;
		probe.path = c->files[i].path;
		res = attt__http_route_match(srv, &probe);
		free(probe.pbuf);
		if (probe.nomem)
			return ATTT_E_NOMEM;
		c->files[i].shadowed = res != NULL;
		if (res)
			log_warn("static: %s is hidden by the route %s", c->files[i].path, res->pattern);
	}
	return ATTT_OK;
}
