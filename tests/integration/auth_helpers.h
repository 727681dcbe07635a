/*
 * auth_helpers.h: what the identity integration tests share (header-only): running the CLI against
 * the harness's data directory, logging in over HTTP and keeping the session cookie and CSRF token,
 * and bringing a new account to a usable state (password changed, rules acknowledged, TOTP enrolled
 * when a role needs it).
 */
#ifndef ATTT_TEST_AUTH_HELPERS_H
#define ATTT_TEST_AUTH_HELPERS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "attt/auth.h"
#include "attt/str.h"
#include "integration/harness.h"

struct who {
	char username[64];
	char password[64];
	char cookie[256];  /* "Cookie: attt_session=..." */
	char csrf[96];     /* "X-CSRF-Token: ..." */
	long long id;
};

static const char *const json_ct[] = {"Content-Type: application/json", NULL};

/* Runs `attt <args...> --data DIR --json` and parses its stdout. */
static inline json_t *cli_json(const struct harness_server *s, const char *const *args)
{
	const char *argv[24];
	static char out[65536];
	size_t n = 0;
	json_error_t e;

	for (; args[n] && n < 20; n++)
		argv[n] = args[n];
	argv[n++] = "--data";
	argv[n++] = s->data;
	argv[n++] = "--json";
	argv[n] = NULL;
	if (harness_run(argv, out, sizeof(out)) != 0) {
		fprintf(stderr, "cli failed: %s ...\n", args[0]);
		return NULL;
	}
	return json_loads(out, 0, &e);
}

/* cli_json that fails the test unless the command succeeds and prints JSON. */
static inline json_t *cli_ok(const struct harness_server *s, const char *const *args)
{
	json_t *j = cli_json(s, args);
	assert_non_null(j);
	return j;
}

/* A request with a JSON body as w (w may be NULL: anonymous). */
static inline int call(const struct harness_server *s, const char *method, const char *path, const struct who *w,
		const char *body, struct harness_resp *ret)
{
	const char *h[4] = {"Content-Type: application/json", NULL, NULL, NULL};
	char url[512];
	if (w) {
		h[1] = w->cookie;
		h[2] = w->csrf;
	}
	snprintf(url, sizeof(url), "%s%s", s->url, path);
	return harness_request(method, url, h, body, body ? strlen(body) : 0, ret);
}

/* GET path as w; fails the test unless the status is want and the body is JSON (printed when the
 * status differs, to say why). */
static inline json_t *get_json_as(const struct harness_server *s, const char *path, const struct who *w, long want)
{
	struct harness_resp r;
	json_t *j;
	assert_int_equal(call(s, "GET", path, w, NULL, &r), 0);
	if (r.status != want)
		print_error("GET %s: %ld %s\n", path, r.status, r.body);
	assert_int_equal(r.status, want);
	j = harness_json(&r);
	harness_resp_free(&r);
	assert_non_null(j);
	return j;
}

/* Logs w in with its password (and totp when non-NULL); returns the HTTP status, keeps the cookie
 * and the CSRF token on 200. */
static inline long login(const struct harness_server *s, struct who *w, const char *totp)
{
	struct harness_resp r;
	char body[512], cookie[200];
	json_t *j;
	long st;

	if (totp)
		snprintf(body, sizeof(body), "{\"username\":\"%s\",\"password\":\"%s\",\"totp\":\"%s\"}", w->username,
			 w->password, totp);
	else
		snprintf(body, sizeof(body), "{\"username\":\"%s\",\"password\":\"%s\"}", w->username, w->password);
	if (call(s, "POST", "/api/v1/auth/login", NULL, body, &r) != 0)
		return -1;
	st = r.status;
	if (st == 200 && harness_header(&r, "Set-Cookie", cookie, sizeof(cookie))) {
		char *semi = strchr(cookie, ';');
		if (semi)
			*semi = '\0';
		snprintf(w->cookie, sizeof(w->cookie), "Cookie: %s", cookie);
		j = harness_json(&r);
		snprintf(w->csrf, sizeof(w->csrf), "X-CSRF-Token: %s", json_string_value(json_object_get(j, "csrf_token")));
		json_decref(j);
	}
	harness_resp_free(&r);
	return st;
}

/* Makes an account with the CLI and brings it to a usable state. Returns 0 or -1. */
static inline int make_user(const struct harness_server *s, struct who *w, const char *username, const char *name,
		     const char *agency, const char *role, bool mfa)
{
	const char *add[] = {"user", "add", "--username", username, "--new-person", name, "--agency", agency, "--role", role,
			     NULL};
	struct harness_resp r;
	char body[256], code[8];
	json_t *j = cli_json(s, add), *k;

	if (!j)
		return -1;
	memset(w, 0, sizeof(*w));
	snprintf(w->username, sizeof(w->username), "%s", username);
	snprintf(w->password, sizeof(w->password), "%s", json_string_value(json_object_get(j, "password")));
	json_decref(j);
	if (login(s, w, NULL) != 200)
		return -1;
	/* R6.1.a: change the temporary password first. */
	snprintf(body, sizeof(body), "{\"current\":\"%s\",\"new\":\"Qx7#%sZz!\"}", w->password, "pW9mK2");
	if (call(s, "POST", "/api/v1/auth/password", w, body, &r) != 0 || r.status != 204) {
		fprintf(stderr, "password change of %s: %ld %s\n", username, r.status, r.body);
		harness_resp_free(&r);
		return -1;
	}
	harness_resp_free(&r);
	snprintf(w->password, sizeof(w->password), "Qx7#pW9mK2Zz!");
	/* R5.1: acknowledge the rules. */
	if (call(s, "POST", "/api/v1/me/acknowledge", w, NULL, &r) != 0 || r.status != 204) {
		harness_resp_free(&r);
		return -1;
	}
	harness_resp_free(&r);
	if (mfa) {
		if (call(s, "POST", "/api/v1/auth/mfa/enrol", w, NULL, &r) != 0 || r.status != 200) {
			harness_resp_free(&r);
			return -1;
		}
		k = harness_json(&r);
		harness_resp_free(&r);
		if (attt_totp_code(json_string_value(json_object_get(k, "secret")), (int64_t)time(NULL) * ATTT_USEC_PER_SEC,
				   code) != 0) {
			json_decref(k);
			return -1;
		}
		json_decref(k);
		snprintf(body, sizeof(body), "{\"code\":\"%s\"}", code);
		if (call(s, "POST", "/api/v1/auth/mfa/verify", w, body, &r) != 0 || r.status != 200) {
			harness_resp_free(&r);
			return -1;
		}
		harness_resp_free(&r);
	}
	/* Its id, from GET /me. */
	if (call(s, "GET", "/api/v1/me", w, NULL, &r) != 0 || r.status != 200) {
		harness_resp_free(&r);
		return -1;
	}
	j = harness_json(&r);
	w->id = json_integer_value(json_object_get(j, "id"));
	json_decref(j);
	harness_resp_free(&r);
	return 0;
}

/* A count from the database (read-only connection beside the running server). */
static inline long long db_count(const struct harness_server *s, const char *sql)
{
	char cmd[1024], out[64] = "";
	FILE *p;
	snprintf(cmd, sizeof(cmd), "sqlite3 -readonly '%s/attt.db' \"%s\"", s->data, sql);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	if (!fgets(out, sizeof(out), p))
		out[0] = '\0';
	pclose(p);
	out[strcspn(out, "\n")] = '\0';
	int64_t v = -1;
	if (attt_parse_int64(out, INT64_MIN, INT64_MAX, &v) < 0)
		return -1;
	return v;
}

#endif
