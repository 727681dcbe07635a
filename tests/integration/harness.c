/*
 * harness.c: the integration-test harness (see harness.h). Processes are started with fork/exec,
 * their stdout read through a close-on-exec pipe with poll() bounded by HARNESS_WAIT_MS, and their
 * exit awaited through a pidfd, so nothing here sleeps to wait.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "integration/harness.h"

#define LISTEN_PREFIX "listening on "

void harness_init(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
	signal(SIGPIPE, SIG_IGN);
}

static const char *bin(void)
{
	const char *b = getenv("ATTT_BIN");
	if (!b || !*b) {
		fprintf(stderr, "harness: ATTT_BIN is not set\n");
		return NULL;
	}
	return b;
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits for pid to exit within ms; returns its exit status, or -1 (killed on timeout). */
static int wait_exit(pid_t pid, int ms)
{
	int st = 0, pfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pfd >= 0) {
		struct pollfd p = { .fd = pfd, .events = POLLIN };
		int n;
		do
			n = poll(&p, 1, ms);
		while (n < 0 && errno == EINTR);
		close(pfd);
		if (n == 0) {
			fprintf(stderr, "harness: pid %d did not exit within %d ms; killing it\n", (int)pid, ms);
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			return -1;
		}
	}
	if (waitpid(pid, &st, 0) < 0)
		return -1;
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	fprintf(stderr, "harness: pid %d died of signal %d\n", (int)pid, WIFSIGNALED(st) ? WTERMSIG(st) : 0);
	return -1;
}

static pid_t spawn(const char *const *argv, int *ret_out)
{
	const char *b = bin();
	const char *args[64];
	int p[2];
	pid_t pid;
	int n = 0;

	if (!b)
		return -1;
	args[n++] = b;
	for (int i = 0; argv[i] && n < 63; i++)
		args[n++] = argv[i];
	args[n] = NULL;
	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0) {
		dup2(p[1], 1);
		execv(b, (char *const *)args);
		_exit(127);
	}
	close(p[1]);
	*ret_out = p[0];
	return pid;
}

int harness_run(const char *const *argv, char *out, size_t outsize)
{
	int fd = -1, st;
	size_t got = 0;
	char sink[4096];
	pid_t pid = spawn(argv, &fd);

	if (pid < 0)
		return -1;
	for (;;) {
		char *dst = out && got + 1 < outsize ? out + got : sink;
		size_t room = out && got + 1 < outsize ? outsize - got - 1 : sizeof(sink);
		ssize_t n = read(fd, dst, room);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (dst != sink)
			got += (size_t)n;
	}
	if (out && outsize)
		out[got] = '\0';
	close(fd);
	st = wait_exit(pid, HARNESS_WAIT_MS);
	return st;
}

static int read_listen_line(struct harness_server *s)
{
	char line[256];
	size_t got = 0;
	int64_t deadline = now_ms() + HARNESS_WAIT_MS;

	for (;;) {
		struct pollfd p = { .fd = s->out_fd, .events = POLLIN };
		int64_t left = deadline - now_ms();
		ssize_t n;
		char *nl;
		if (left <= 0 || poll(&p, 1, (int)left) <= 0) {
			fprintf(stderr, "harness: no \"listening on\" line within %d ms\n", HARNESS_WAIT_MS);
			return -1;
		}
		n = read(s->out_fd, line + got, sizeof(line) - 1 - got);
		if (n <= 0) {
			fprintf(stderr, "harness: the server closed its stdout before listening\n");
			return -1;
		}
		got += (size_t)n;
		line[got] = '\0';
		nl = strchr(line, '\n');
		if (!nl) {
			if (got == sizeof(line) - 1)
				return -1;
			continue;
		}
		*nl = '\0';
		if (strncmp(line, LISTEN_PREFIX, strlen(LISTEN_PREFIX)) != 0) {
			fprintf(stderr, "harness: unexpected first line: %s\n", line);
			return -1;
		}
		snprintf(s->url, sizeof(s->url), "%s", line + strlen(LISTEN_PREFIX));
		{
			const char *colon = strrchr(s->url, ':');
			s->port = 0;
			for (const char *c = colon ? colon + 1 : ""; *c >= '0' && *c <= '9'; c++)
				s->port = s->port * 10 + (*c - '0');
		}
		return 0;
	}
}

int harness_spawn(struct harness_server *s, const char *const *argv)
{
	s->pid = spawn(argv, &s->out_fd);
	if (s->pid < 0)
		return -1;
	if (read_listen_line(s) < 0) {
		harness_server_stop(s);
		return -1;
	}
	return 0;
}

int harness_server_start(struct harness_server *s, const char *const *extra)
{
	const char *argv[48];
	int n = 0, r;

	memset(s, 0, sizeof(*s));
	s->pid = -1;
	s->out_fd = -1;
	if (harness_mkdtemp(s->tmp, sizeof(s->tmp), "attt-it-") != 0)
		return -1;
	snprintf(s->data, sizeof(s->data), "%s/data", s->tmp);
	{
		const char *init[] = { "init", "--data", s->data, NULL };
		r = harness_run(init, NULL, 0);
		if (r != 0) {
			fprintf(stderr, "harness: attt init --data %s exited %d\n", s->data, r);
			return -1;
		}
	}
	argv[n++] = "serve";
	argv[n++] = "--data";
	argv[n++] = s->data;
	argv[n++] = "--listen";
	argv[n++] = "127.0.0.1:0";
	for (int i = 0; extra && extra[i] && n < 47; i++)
		argv[n++] = extra[i];
	argv[n] = NULL;
	return harness_spawn(s, argv);
}

int harness_server_stop(struct harness_server *s)
{
	int st;
	if (s->pid <= 0)
		return -1;
	kill(s->pid, SIGTERM);
	st = wait_exit(s->pid, HARNESS_WAIT_MS);
	s->pid = -1;
	if (s->out_fd >= 0) {
		close(s->out_fd);
		s->out_fd = -1;
	}
	return st;
}

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

void harness_rmtree(const char *dir)
{
	if (dir && dir[0])
		nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

int harness_mkdtemp(char *buf, size_t size, const char *prefix)
{
	const char *tmpdir = getenv("TMPDIR");
	int n = snprintf(buf, size, "%s/%sXXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp", prefix);
	if (n < 0 || (size_t)n >= size)
		errno = ENAMETOOLONG;
	if (n < 0 || (size_t)n >= size || !mkdtemp(buf)) {
		fprintf(stderr, "harness: mkdtemp %s: %s\n", prefix, strerror(errno));
		if (size)
			buf[0] = '\0';
		return -1;
	}
	return 0;
}

void harness_server_cleanup(struct harness_server *s)
{
	if (s->pid > 0)
		harness_server_stop(s);
	harness_rmtree(s->tmp);
	s->tmp[0] = '\0';
}

/* ---- client ---- */

struct sink {
	char *p;
	size_t n;
};

static size_t on_data(char *ptr, size_t size, size_t nmemb, void *ud)
{
	struct sink *s = ud;
	size_t add = size * nmemb;
	char *np = realloc(s->p, s->n + add + 1);
	if (!np)
		return 0;
	memcpy(np + s->n, ptr, add);
	s->n += add;
	np[s->n] = '\0';
	s->p = np;
	return add;
}

static size_t on_header(char *ptr, size_t size, size_t nmemb, void *ud)
{
	struct sink *s = ud;
	/* A new status line starts a new header block (after 100 Continue). */
	if (nmemb * size >= 5 && strncmp(ptr, "HTTP/", 5) == 0) {
		free(s->p);
		s->p = NULL;
		s->n = 0;
	}
	return on_data(ptr, size, nmemb, ud);
}

int harness_request(const char *method, const char *url, const char *const *headers, const void *body,
		    size_t body_len, struct harness_resp *ret)
{
	CURL *c = curl_easy_init();
	struct curl_slist *hl = NULL;
	struct sink b = { 0 }, h = { 0 };
	CURLcode cc;
	int r = -1;

	if (!c)
		return -1;
	for (int i = 0; headers && headers[i]; i++)
		hl = curl_slist_append(hl, headers[i]);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	if (strcmp(method, "HEAD") == 0)
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	if (body) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
	}
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &h);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)HARNESS_WAIT_MS);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_PATH_AS_IS, 1L); /* send "/../" as written: traversal tests */
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
	cc = curl_easy_perform(c);
	if (cc != CURLE_OK) {
		fprintf(stderr, "harness: %s %s: %s\n", method, url, curl_easy_strerror(cc));
		goto out;
	}
	memset(ret, 0, sizeof(*ret));
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &ret->status);
	ret->body = b.p ? b.p : strdup("");
	ret->body_len = b.n;
	ret->headers = h.p ? h.p : strdup("");
	b.p = h.p = NULL;
	r = 0;
out:
	free(b.p);
	free(h.p);
	curl_slist_free_all(hl);
	curl_easy_cleanup(c);
	return r;
}

int harness_get(const struct harness_server *s, const char *path, const char *const *headers,
		struct harness_resp *ret)
{
	char url[8192];
	snprintf(url, sizeof(url), "%s%s", s->url, path);
	return harness_request("GET", url, headers, NULL, 0, ret);
}

int harness_post(const struct harness_server *s, const char *path, const char *const *headers,
		 const void *body, size_t body_len, struct harness_resp *ret)
{
	char url[8192];
	snprintf(url, sizeof(url), "%s%s", s->url, path);
	return harness_request("POST", url, headers, body ? body : "", body_len, ret);
}

bool harness_header(const struct harness_resp *r, const char *name, char *buf, size_t size)
{
	size_t n = strlen(name);
	const char *p = r->headers;
	while (p && *p) {
		const char *eol = strstr(p, "\r\n");
		size_t len = eol ? (size_t)(eol - p) : strlen(p);
		if (len > n && p[n] == ':' && strncasecmp(p, name, n) == 0) {
			const char *v = p + n + 1;
			size_t vl;
			while (*v == ' ' || *v == '\t')
				v++;
			vl = (size_t)(p + len - v);
			if (vl + 1 > size)
				return false;
			memcpy(buf, v, vl);
			buf[vl] = '\0';
			return true;
		}
		if (!eol)
			break;
		p = eol + 2;
	}
	return false;
}

json_t *harness_json(const struct harness_resp *r)
{
	return json_loadb(r->body, r->body_len, 0, NULL);
}

void harness_resp_free(struct harness_resp *r)
{
	free(r->body);
	free(r->headers);
	memset(r, 0, sizeof(*r));
}
