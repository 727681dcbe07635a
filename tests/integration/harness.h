/*
 * harness.h: what integration tests share: a real `attt serve` on 127.0.0.1 with a temporary data
 * directory, and a small HTTP client (libcurl) to talk to it. Unit tests of in-process servers use
 * the client half alone.
 *
 * The server half reads $ATTT_BIN (set by attt_test). Starting waits for the one line
 * "listening on http://ADDR:PORT" with a bounded poll on the pipe, never a sleep; stopping sends
 * SIGTERM and waits (bounded) for the exit status. Every function returns 0 on success and -1 on
 * failure after printing why to stderr, so tests can assert_int_equal(..., 0). Not thread-safe
 * except harness_request, which may run on several threads at once (curl_global_init is done by
 * harness_init).
 */
#ifndef ATTT_TEST_HARNESS_H
#define ATTT_TEST_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <jansson.h>

#define HARNESS_WAIT_MS 30000 /* bound on start and stop */

struct harness_server {
	pid_t pid;
	int out_fd;          /* the server's stdout */
	char tmp[256];       /* the temporary directory (removed by harness_server_cleanup) */
	char data[300];      /* tmp/data: the data directory given to init and serve */
	char url[128];       /* "http://127.0.0.1:PORT" */
	int port;
};

struct harness_resp {
	long status;
	char *body;       /* NUL-terminated, body_len bytes */
	size_t body_len;
	char *headers;    /* the raw header block of the final answer */
};

/* curl_global_init; call once at the start of main. */
void harness_init(void);

/* Makes a temporary directory, runs `$ATTT_BIN init --data DIR`, then starts
 * `$ATTT_BIN serve --data DIR --listen 127.0.0.1:0 [extra...]` (extra: NULL-terminated, may be NULL)
 * and waits for its "listening on" line. */
int harness_server_start(struct harness_server *s, const char *const *extra);
/* Like harness_server_start, but skips `init` (the data directory exists already or the test
 * wants a bare one) and runs `$ATTT_BIN argv...` with argv NULL-terminated. */
int harness_spawn(struct harness_server *s, const char *const *argv);
/* Sends SIGTERM and waits for the exit; returns the exit status (0..255), or -1 when the process
 * did not exit within HARNESS_WAIT_MS (it is then killed) or died of a signal. */
int harness_server_stop(struct harness_server *s);
/* Removes the temporary directory (after stop). */
void harness_server_cleanup(struct harness_server *s);
/* Makes a new directory $TMPDIR/<prefix>XXXXXX (TMPDIR default /tmp) into buf[size]; 0 or -1. */
int harness_mkdtemp(char *buf, size_t size, const char *prefix);
/* Removes dir and everything below it (no-op for NULL or ""). */
void harness_rmtree(const char *dir);
/* Runs `$ATTT_BIN argv...` to completion; returns its exit status or -1. stdout is captured into
 * out (NUL-terminated, may be NULL to discard) of outsize bytes. */
int harness_run(const char *const *argv, char *out, size_t outsize);

/* One HTTP request. headers: NULL-terminated "Name: value" strings, may be NULL. body may be NULL.
 * ret is filled on success (free with harness_resp_free). */
int harness_request(const char *method, const char *url, const char *const *headers, const void *body,
		    size_t body_len, struct harness_resp *ret);
/* Same against s->url + path. */
int harness_get(const struct harness_server *s, const char *path, const char *const *headers,
		struct harness_resp *ret);
int harness_post(const struct harness_server *s, const char *path, const char *const *headers,
		 const void *body, size_t body_len, struct harness_resp *ret);
/* The value of response header name (case-insensitive; the first one) copied into buf; false when
 * absent or too long. */
bool harness_header(const struct harness_resp *r, const char *name, char *buf, size_t size);
/* The body parsed as JSON (new reference), NULL when it is not. */
json_t *harness_json(const struct harness_resp *r);
void harness_resp_free(struct harness_resp *r);

#endif
