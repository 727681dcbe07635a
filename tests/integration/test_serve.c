/*
 * test_serve.c: `attt serve` end to end: the listening line, /healthz, /metrics, problem+json for
 * 404/405 in Vietnamese and English, 413 and 431, security headers, static files with ETag and 304,
 * traversal refused, the CLI's usage errors, and graceful shutdown on SIGTERM with a large answer
 * still being sent (it must arrive whole and the exit status must be 0).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "attt/limits.h"
#include "integration/harness.h"

#define BIG_BYTES (24u << 20) /* larger than the loopback socket buffers together */

static struct harness_server srv;
static char web_tmp[256], web[300], conf[300];

static void write_file(const char *path, const void *p, size_t n)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, p, n), (ssize_t)n);
	close(fd);
}

static int setup(void **state)
{
	char path[512], *big;
	const char *t = getenv("TMPDIR");
	const char *extra[] = { "--config", conf, NULL };
	FILE *f;

	snprintf(web_tmp, sizeof(web_tmp), "%s/attt-it-web-XXXXXX", t && *t ? t : "/tmp");
	if (!mkdtemp(web_tmp))
		return -1;
	snprintf(web, sizeof(web), "%s/web", web_tmp);
	mkdir(web, 0700);
	snprintf(path, sizeof(path), "%s/index.html", web);
	write_file(path, "<!doctype html><title>attt</title>", 34);
	snprintf(path, sizeof(path), "%s/data.json", web);
	write_file(path, "{\"ok\":true}", 11);
	snprintf(path, sizeof(path), "%s/secret.txt", web_tmp);
	write_file(path, "outside the web root", 20);
	big = malloc(BIG_BYTES);
	for (size_t i = 0; i < BIG_BYTES; i++)
		big[i] = (char)('a' + i % 26);
	snprintf(path, sizeof(path), "%s/big.bin", web);
	write_file(path, big, BIG_BYTES);
	free(big);
	snprintf(conf, sizeof(conf), "%s/serve.ini", web_tmp);
	f = fopen(conf, "we");
	fprintf(f, "[http]\nstatic_dir = %s\nthreads = 2\n", web);
	fclose(f);
	return harness_server_start(&srv, extra);
}

static int teardown(void **state)
{
	char cmd[600];
	harness_server_cleanup(&srv);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", web_tmp);
	return system(cmd) == 0 ? 0 : -1;
}

static void assert_security_headers(const struct harness_resp *r)
{
	static const char *const names[] = {
		"Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy",
		"Cross-Origin-Opener-Policy", "Cross-Origin-Resource-Policy", "Permissions-Policy",
	};
	char v[256];
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		assert_true(harness_header(r, names[i], v, sizeof(v)));
	assert_true(harness_header(r, "Content-Security-Policy", v, sizeof(v)));
	assert_non_null(strstr(v, "frame-ancestors 'none'"));
	assert_true(harness_header(r, "X-Frame-Options", v, sizeof(v)));
	assert_string_equal(v, "DENY");
}

static json_t *problem(const struct harness_resp *r, long status, const char *name)
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
	assert_security_headers(r);
	return j;
}

static void test_serve__listening_line_and_healthz(void **state)
{
	struct harness_resp r;
	char v[64];
	assert_true(srv.port > 0);
	assert_int_equal(strncmp(srv.url, "http://127.0.0.1:", 17), 0);
	assert_int_equal(harness_get(&srv, "/healthz", NULL, &r), 0);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.body, "{\"status\":\"ok\"}");
	assert_true(harness_header(&r, "Cache-Control", v, sizeof(v)));
	assert_string_equal(v, "no-store");
	assert_security_headers(&r);
	harness_resp_free(&r);
}

static void test_serve__metrics_format(void **state)
{
	struct harness_resp r;
	char v[128];
	assert_int_equal(harness_get(&srv, "/healthz", NULL, &r), 0);
	harness_resp_free(&r);
	assert_int_equal(harness_get(&srv, "/metrics", NULL, &r), 0);
	assert_int_equal(r.status, 200);
	assert_true(harness_header(&r, "Content-Type", v, sizeof(v)));
	assert_string_equal(v, "text/plain; version=0.0.4; charset=utf-8");
	/* Every line is a comment or "name{labels} value". */
	for (char *line = r.body, *nl; (nl = strchr(line, '\n')); line = nl + 1) {
		*nl = '\0';
		if (line[0] == '#') {
			assert_true(strncmp(line, "# HELP ", 7) == 0 || strncmp(line, "# TYPE ", 7) == 0);
		} else {
			assert_true(strncmp(line, "attt_", 5) == 0);
			assert_non_null(strchr(line, ' '));
		}
		*nl = '\n';
	}
	assert_non_null(strstr(r.body, "attt_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"}"));
	assert_non_null(strstr(r.body, "# TYPE attt_http_request_duration_seconds histogram"));
	assert_non_null(strstr(r.body, "attt_build_info{version=\""));
	assert_non_null(strstr(r.body, "attt_uptime_seconds "));
	harness_resp_free(&r);
}

static void test_serve__404_405_vi_en(void **state)
{
	struct harness_resp r;
	json_t *j;
	char v[64];
	const char *en[] = { "Accept-Language: en", NULL };

	assert_int_equal(harness_get(&srv, "/api/v1/nothing", NULL, &r), 0);
	j = problem(&r, 404, "notfound");
	assert_string_equal(json_string_value(json_object_get(j, "title")), "Không tìm thấy");
	assert_string_equal(json_string_value(json_object_get(j, "title_en")), "Not found");
	json_decref(j);
	harness_resp_free(&r);

	assert_int_equal(harness_get(&srv, "/api/v1/nothing", en, &r), 0);
	j = problem(&r, 404, "notfound");
	assert_string_equal(json_string_value(json_object_get(j, "title")), "Not found");
	assert_string_equal(json_string_value(json_object_get(j, "title_vi")), "Không tìm thấy");
	json_decref(j);
	harness_resp_free(&r);

	assert_int_equal(harness_post(&srv, "/healthz", en, "{}", 2, &r), 0);
	j = problem(&r, 405, "method");
	assert_string_equal(json_string_value(json_object_get(j, "title")), "Method not allowed");
	assert_true(harness_header(&r, "Allow", v, sizeof(v)));
	assert_string_equal(v, "GET, HEAD");
	json_decref(j);
	harness_resp_free(&r);
}

static void test_serve__413_body_431_headers(void **state)
{
	struct harness_resp r;
	json_t *j;
	size_t n = 64 * 1024;
	char *body = malloc(n), *hdr = malloc(20000);
	const char *h[] = { hdr, NULL };

	memset(body, 'x', n);
	assert_int_equal(harness_post(&srv, "/api/v1/anything", NULL, body, n, &r), 0);
	j = problem(&r, 413, "toobig");
	json_decref(j);
	harness_resp_free(&r);

	/* Over the header limit: 431 problem+json ... */
	memcpy(hdr, "X-Big: ", 7);
	memset(hdr + 7, 'y', ATTT_HTTP_MAX_HEADER_BYTES + 100);
	hdr[7 + ATTT_HTTP_MAX_HEADER_BYTES + 100] = '\0';
	assert_int_equal(harness_get(&srv, "/healthz", h, &r), 0);
	j = problem(&r, 431, "toobig");
	json_decref(j);
	harness_resp_free(&r);
	/* ... and far over it, beyond the connection's buffer, libmicrohttpd's own 431. */
	memset(hdr + 7, 'y', 20000 - 8);
	hdr[20000 - 1] = '\0';
	assert_int_equal(harness_get(&srv, "/healthz", h, &r), 0);
	assert_int_equal(r.status, 431);
	harness_resp_free(&r);
	free(body);
	free(hdr);
}

static void test_serve__static_etag_304(void **state)
{
	struct harness_resp r;
	char etag[64], inm[96], v[64];
	const char *h[] = { inm, NULL };

	assert_int_equal(harness_get(&srv, "/data.json", NULL, &r), 0);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.body, "{\"ok\":true}");
	assert_true(harness_header(&r, "ETag", etag, sizeof(etag)));
	assert_true(harness_header(&r, "Content-Type", v, sizeof(v)));
	assert_string_equal(v, "application/json");
	assert_security_headers(&r);
	harness_resp_free(&r);

	snprintf(inm, sizeof(inm), "If-None-Match: %s", etag);
	assert_int_equal(harness_get(&srv, "/data.json", h, &r), 0);
	assert_int_equal(r.status, 304);
	assert_int_equal(r.body_len, 0);
	harness_resp_free(&r);

	assert_int_equal(harness_get(&srv, "/", NULL, &r), 0);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "<title>attt</title>"));
	harness_resp_free(&r);
}

/* R4.5: a file beside the web root stays unreachable, however the path is encoded. */
static void test_serve__traversal_refused(void **state)
{
	static const char *const bad[] = { "/../secret.txt", "/%2e%2e/secret.txt", "/%2E%2E%2Fsecret.txt",
					   "/..%2fsecret.txt", "/%252e%252e/secret.txt", "/.%2e/secret.txt" };
	struct harness_resp r;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(harness_get(&srv, bad[i], NULL, &r), 0);
		assert_true(r.status == 400 || r.status == 404);
		assert_null(strstr(r.body, "outside the web root"));
		harness_resp_free(&r);
	}
}

static void test_serve__cli_usage(void **state)
{
	char out[4096];
	const char *help[] = { "serve", "--help", NULL };
	const char *bad_opt[] = { "serve", "--bogus", NULL };
	const char *bad_listen[] = { "serve", "--data", srv.data, "--listen", "nonsense", NULL };
	const char *no_dir[] = { "serve", "--data", "/nonexistent/attt", "--listen", "127.0.0.1:0", NULL };

	assert_int_equal(harness_run(help, out, sizeof(out)), 0);
	assert_non_null(strstr(out, "attt serve"));
	assert_int_equal(harness_run(bad_opt, NULL, 0), 2);
	assert_int_equal(harness_run(bad_listen, NULL, 0), 1);
	assert_int_equal(harness_run(no_dir, NULL, 0), 1);
}

/* Last: stops the server. A 24 MiB answer is being read slowly when SIGTERM arrives; it must
 * arrive whole, and the server must then exit 0. */
static void test_serve__graceful_shutdown_in_flight(void **state)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)srv.port) };
	char req[128], buf[65536];
	size_t body = 0, total = 0, hdr_end = 0;
	int fd, n;
	bool in_body = false;

	inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	n = snprintf(req, sizeof(req), "GET /big.bin HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
	assert_int_equal(write(fd, req, (size_t)n), n);
	/* The answer has started: its first bytes are here, most of it is not sent yet. */
	n = (int)read(fd, buf, 4096);
	assert_true(n > 0);
	total = (size_t)n;
	assert_int_equal(kill(srv.pid, SIGTERM), 0);
	for (;;) {
		char *p;
		if (!in_body) {
			buf[total < sizeof(buf) ? total : sizeof(buf) - 1] = '\0';
			p = strstr(buf, "\r\n\r\n");
			if (p) {
				hdr_end = (size_t)(p + 4 - buf);
				body = total - hdr_end;
				in_body = true;
			}
		}
		n = (int)read(fd, in_body ? buf : buf + total, in_body ? sizeof(buf) : sizeof(buf) - 1 - total);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (in_body)
			body += (size_t)n;
		else
			total += (size_t)n;
	}
	close(fd);
	assert_true(in_body);
	assert_int_equal(body, BIG_BYTES);
	assert_int_equal(harness_server_stop(&srv), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_serve__listening_line_and_healthz),
		cmocka_unit_test(test_serve__metrics_format),
		cmocka_unit_test(test_serve__404_405_vi_en),
		cmocka_unit_test(test_serve__413_body_431_headers),
		cmocka_unit_test(test_serve__static_etag_304),
		cmocka_unit_test(test_serve__traversal_refused),
		cmocka_unit_test(test_serve__cli_usage),
		cmocka_unit_test(test_serve__graceful_shutdown_in_flight),
	};
	harness_init();
	return cmocka_run_group_tests(tests, setup, teardown);
}
