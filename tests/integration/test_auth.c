/*
 * test_auth.c: identity end to end against a real `attt serve`: login with the session cookie
 * (HttpOnly, SameSite=Strict) and CSRF token (R6.1.c), a temporary password that must be changed
 * first (R6.1.a), the password rule with its reasons (R6.1.đ), no user enumeration (same status and
 * body for unknown, wrong, locked and disabled; time within noise), the lockout denial-of-service
 * drill (R6.2.b: a flood of wrong passwords locks the victims only, every lock is audited, an
 * officer's unlock lets them in again), logout, and the review and offboarding commands.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <pthread.h>
#include <time.h>

#include <cmocka.h>

#include "integration/auth_helpers.h"

static struct harness_server srv;
static struct who officer, alice, bob, carol, dave, erin;

static int setup(void **state)
{
	const char *a1[] = {"agency", "add", "--name", "Tỉnh Thái Nguyên", "--type", "province", NULL};
	const char *a2[] = {"agency", "add", "--name", "Sở Nội vụ", "--type", "department", "--parent", "1", NULL};
	json_t *j;
	(void)state;

	harness_init();
	if (harness_server_start(&srv, NULL) != 0)
		return -1;
	if (!(j = cli_json(&srv, a1)))
		return -1;
	json_decref(j);
	if (!(j = cli_json(&srv, a2)))
		return -1;
	json_decref(j);
	if (make_user(&srv, &officer, "so.officer", "Phạm Văn Sở", "2", "security_officer", true) != 0 ||
	    make_user(&srv, &alice, "alice.x", "Lê Thị Hoa", "2", "staff", false) != 0 ||
	    make_user(&srv, &bob, "bob.x", "Trần Văn Bảo", "2", "staff", false) != 0 ||
	    make_user(&srv, &carol, "carol.x", "Đỗ Thị Cúc", "2", "staff", false) != 0 ||
	    make_user(&srv, &dave, "dave.x", "Võ Văn Dũng", "2", "staff", false) != 0 ||
	    make_user(&srv, &erin, "erin.x", "Hà Thị Én", "2", "staff", false) != 0)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	harness_server_stop(&srv);
	harness_server_cleanup(&srv);
	return 0;
}

/* R6.1.c: the cookie's flags; R6.1.a: a new account must change its password first. */
static void test_login__cookie_flags_and_first_change(void **state)
{
	const char *add[] = {"user", "add", "--username", "new.person", "--new-person", "Ngô Thị Mới", "--agency", "2", NULL};
	struct harness_resp r;
	char body[256], cookie[256];
	json_t *j = cli_json(&srv, add), *k;
	(void)state;

	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "username")), "new.person");
	snprintf(body, sizeof(body), "{\"username\":\"NEW.person\",\"password\":\"%s\"}",
		 json_string_value(json_object_get(j, "password")));
	json_decref(j);
	assert_int_equal(call(&srv, "POST", "/api/v1/auth/login", NULL, body, &r), 0);
	assert_int_equal(r.status, 200);
	assert_true(harness_header(&r, "Set-Cookie", cookie, sizeof(cookie)));
	assert_non_null(strstr(cookie, "attt_session="));
	assert_non_null(strstr(cookie, "HttpOnly"));
	assert_non_null(strstr(cookie, "SameSite=Strict"));
	assert_null(strstr(cookie, "Secure")); /* no TLS here */
	k = harness_json(&r);
	assert_true(json_is_true(json_object_get(k, "must_change_password")));
	assert_true(json_is_true(json_object_get(k, "must_acknowledge")));
	assert_int_equal(strlen(json_string_value(json_object_get(k, "csrf_token"))), 43);
	json_decref(k);
	harness_resp_free(&r);
}

/* R6.1.c: without the CSRF token a state-changing request of a session is refused. */
static void test_csrf__required(void **state)
{
	struct who w = alice;
	struct harness_resp r;
	(void)state;

	assert_int_equal(login(&srv, &w, NULL), 200);
	snprintf(w.csrf, sizeof(w.csrf), "X-CSRF-Token: AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
	assert_int_equal(call(&srv, "POST", "/api/v1/me/acknowledge", &w, NULL, &r), 0);
	assert_int_equal(r.status, 403);
	harness_resp_free(&r);
	w.csrf[0] = 'X';
	snprintf(w.csrf, sizeof(w.csrf), "X-Nothing: 1");
	assert_int_equal(call(&srv, "POST", "/api/v1/me/acknowledge", &w, NULL, &r), 0);
	assert_int_equal(r.status, 403);
	harness_resp_free(&r);
	/* A GET needs none. */
	assert_int_equal(call(&srv, "GET", "/api/v1/me", &w, NULL, &r), 0);
	assert_int_equal(r.status, 200);
	harness_resp_free(&r);
}

/* R6.1.đ: every failed rule is named, in Vietnamese and English. */
static void test_password__rule_reasons(void **state)
{
	struct who w = bob;
	struct harness_resp r;
	char body[256];
	json_t *j, *f;
	(void)state;

	assert_int_equal(login(&srv, &w, NULL), 200);
	snprintf(body, sizeof(body), "{\"current\":\"%s\",\"new\":\"baoxyz\"}", w.password);
	assert_int_equal(call(&srv, "POST", "/api/v1/auth/password", &w, body, &r), 0);
	assert_int_equal(r.status, 422);
	j = harness_json(&r);
	f = json_object_get(j, "failed");
	assert_true(json_array_size(f) >= 3); /* too short, no upper case, no digit or special */
	assert_string_equal(json_string_value(json_object_get(json_array_get(f, 0), "rule")), "too_short");
	assert_string_equal(json_string_value(json_object_get(json_array_get(f, 0), "legal_basis")), "R6.1.đ");
	assert_non_null(json_string_value(json_object_get(json_array_get(f, 0), "vi")));
	assert_non_null(json_string_value(json_object_get(json_array_get(f, 0), "en")));
	json_decref(j);
	harness_resp_free(&r);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* No enumeration: same status and body for unknown, wrong, locked, disabled; time within noise. */
static void test_login__no_enumeration(void **state)
{
	struct harness_resp r;
	const char *disable[] = {"user", "disable", "dave.x", NULL};
	const char *bodies[4] = {
		"{\"username\":\"no.such.user\",\"password\":\"Whatever#1\"}",
		"{\"username\":\"carol.x\",\"password\":\"Whatever#1\"}",
		"{\"username\":\"carol.x\",\"password\":\"Qx7#pW9mK2Zz!\"}", /* locked below: right password */
		"{\"username\":\"dave.x\",\"password\":\"Qx7#pW9mK2Zz!\"}",  /* disabled: right password */
	};
	char *first = NULL;
	double t_unknown[40], t_known[40];
	json_t *j;
	int n = 40;
	(void)state;

	j = cli_json(&srv, disable);
	assert_non_null(j);
	json_decref(j);
	for (int i = 0; i < 5; i++) { /* lock carol */
		assert_int_equal(call(&srv, "POST", "/api/v1/auth/login", NULL, bodies[1], &r), 0);
		harness_resp_free(&r);
	}
	for (int k = 0; k < 4; k++) {
		assert_int_equal(call(&srv, "POST", "/api/v1/auth/login", NULL, bodies[k], &r), 0);
		assert_int_equal(r.status, 401);
		if (!first)
			first = strdup(r.body);
		else
			assert_string_equal(r.body, first);
		harness_resp_free(&r);
	}
	free(first);
	/* Timing: interleaved, unknown against existing (locked) accounts; medians, so that a stall
	 * of the shared machine during one request does not decide. */
	for (int i = 0; i < n; i++) {
		double t0 = now_s();
		assert_int_equal(call(&srv, "POST", "/api/v1/auth/login", NULL, bodies[0], &r), 0);
		t_unknown[i] = now_s() - t0;
		harness_resp_free(&r);
		t0 = now_s();
		assert_int_equal(call(&srv, "POST", "/api/v1/auth/login", NULL, bodies[1], &r), 0);
		t_known[i] = now_s() - t0;
		harness_resp_free(&r);
	}
	qsort(t_unknown, (size_t)n, sizeof(double), cmp_double);
	qsort(t_known, (size_t)n, sizeof(double), cmp_double);
	double mu = t_unknown[n / 2], mk = t_known[n / 2];
	print_message("login timing: unknown %.2f ms, existing %.2f ms (median of %d)\n", mu * 1000, mk * 1000, n);
	/* Both cost one Argon2id verification: within 30 % of each other. */
	assert_true(mu < mk * 1.3 && mk < mu * 1.3);
}

struct flood {
	const struct who *victim;
	int n;
};

static void *flood_thread(void *arg)
{
	struct flood *f = arg;
	char body[256];
	snprintf(body, sizeof(body), "{\"username\":\"%s\",\"password\":\"WrongWrong#%d\"}", f->victim->username, f->n);
	for (int i = 0; i < f->n; i++) {
		struct harness_resp r;
		if (call(&srv, "POST", "/api/v1/auth/login", NULL, body, &r) == 0)
			harness_resp_free(&r);
	}
	return NULL;
}

/* R6.2.b: lockout denial-of-service drill. A flood of wrong passwords from several threads locks the
 * victims, and only them; each lock is audited once; the officer's unlock lets them in again. */
static void test_lockout__dos_drill(void **state)
{
	struct who a = alice, b = bob, o = officer, e = erin;
	struct flood fl[4] = {{&alice, 15}, {&alice, 15}, {&bob, 15}, {&bob, 15}};
	pthread_t th[4];
	struct harness_resp r;
	char path[128];
	long long locks_before = db_count(&srv, "SELECT COUNT(*) FROM audit_event WHERE action = 'auth.lockout'");
	(void)state;

	for (int i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&th[i], NULL, flood_thread, &fl[i]), 0);
	for (int i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	/* Locked: the right password does not help. */
	assert_int_equal(login(&srv, &a, NULL), 401);
	assert_int_equal(login(&srv, &b, NULL), 401);
	/* Others are not affected. */
	assert_int_equal(login(&srv, &e, NULL), 200);
	assert_int_equal(db_count(&srv, "SELECT COUNT(*) FROM audit_event WHERE action = 'auth.lockout'"), locks_before + 2);
	assert_int_equal(db_count(&srv, "SELECT COUNT(*) FROM account WHERE username IN ('alice.x', 'bob.x') AND failures = 5"), 2);
	assert_true(db_count(&srv, "SELECT COUNT(*) FROM audit_event WHERE action = 'auth.login' AND outcome = 1") >= 60);
	/* The officer (already signed in since setup) unlocks both. */
	snprintf(path, sizeof(path), "/api/v1/accounts/%lld/unlock", alice.id);
	assert_int_equal(call(&srv, "POST", path, &o, NULL, &r), 0);
	assert_int_equal(r.status, 200);
	harness_resp_free(&r);
	snprintf(path, sizeof(path), "/api/v1/accounts/%lld/unlock", bob.id);
	assert_int_equal(call(&srv, "POST", path, &o, NULL, &r), 0);
	assert_int_equal(r.status, 200);
	harness_resp_free(&r);
	assert_int_equal(login(&srv, &a, NULL), 200);
	assert_int_equal(login(&srv, &b, NULL), 200);
	assert_int_equal(db_count(&srv, "SELECT COUNT(*) FROM audit_event WHERE action = 'auth.unlock'"), 2);
	/* The user and the agency's officer were told of each lock. */
	assert_int_equal(db_count(&srv, "SELECT COUNT(*) FROM notification WHERE kind = 'account.locked' AND ref_id = "
					"(SELECT id FROM account WHERE username = 'alice.x') AND account_id = "
					"(SELECT id FROM account WHERE username = 'so.officer')"), 1);
	assert_int_equal(db_count(&srv, "SELECT COUNT(*) FROM notification WHERE kind = 'account.locked' AND account_id = "
					"(SELECT id FROM account WHERE username = 'alice.x')"), 1);
}

/* Logout ends the session: the cookie no longer works. */
static void test_logout__ends_session(void **state)
{
	struct who w = erin;
	struct harness_resp r;
	(void)state;

	assert_int_equal(login(&srv, &w, NULL), 200);
	assert_int_equal(call(&srv, "POST", "/api/v1/auth/logout", &w, NULL, &r), 0);
	assert_int_equal(r.status, 204);
	harness_resp_free(&r);
	assert_int_equal(call(&srv, "GET", "/api/v1/me", &w, NULL, &r), 0);
	assert_int_equal(r.status, 401);
	harness_resp_free(&r);
}

/* Automation: a scoped, expiring API token made with the CLI works as a bearer, within its scope
 * only, without CSRF; a made-up token is refused. */
static void test_api_token__bearer_scope(void **state)
{
	const char *mk[] = {"user", "token", "so.officer", "--name", "script", "--scope", "account.read", "--days", "1", NULL};
	const char *h[3] = {NULL, "Content-Type: application/json", NULL};
	struct harness_resp r;
	char auth[128], url[256];
	json_t *j = cli_json(&srv, mk);
	(void)state;

	assert_non_null(j);
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", json_string_value(json_object_get(j, "token")));
	json_decref(j);
	h[0] = auth;
	snprintf(url, sizeof(url), "%s/api/v1/accounts?agency=2", srv.url);
	assert_int_equal(harness_request("GET", url, h, NULL, 0, &r), 0);
	assert_int_equal(r.status, 200);
	harness_resp_free(&r);
	snprintf(url, sizeof(url), "%s/api/v1/accounts/%lld/lock", srv.url, carol.id);
	assert_int_equal(harness_request("POST", url, h, NULL, 0, &r), 0);
	assert_int_equal(r.status, 403); /* the officer may, the token's scope may not */
	harness_resp_free(&r);
	h[0] = "Authorization: Bearer attt_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
	snprintf(url, sizeof(url), "%s/api/v1/me", srv.url);
	assert_int_equal(harness_request("GET", url, h, NULL, 0, &r), 0);
	assert_int_equal(r.status, 401);
	harness_resp_free(&r);
}

/* The command line of R6.1.e and R5.3 against the same data: a review campaign whose revocation
 * applies at once, and an offboarding that ends the person's sessions. */
static void test_cli__review_and_offboard(void **state)
{
	const char *start[] = {"review", "start", "--agency", "2", NULL};
	const char *show[] = {"user", "show", "erin.x", NULL};
	struct who w = erin;
	struct harness_resp r;
	json_t *c, *items, *it, *u;
	size_t i;
	char item[32], person[32];
	long long role_item = 0;
	(void)state;

	c = cli_json(&srv, start);
	assert_non_null(c);
	items = json_object_get(c, "items");
	assert_true(json_array_size(items) >= 7);
	json_array_foreach(items, i, it)
		if (strcmp(json_string_value(json_object_get(it, "username")), "erin.x") == 0 &&
		    json_is_string(json_object_get(it, "role")))
			role_item = json_integer_value(json_object_get(it, "id"));
	json_decref(c);
	assert_true(role_item > 0);
	snprintf(item, sizeof(item), "%lld", role_item);
	const char *decide[] = {"review", "decide", item, "--decision", "revoke", "--note", "không cần", NULL};
	c = cli_json(&srv, decide);
	assert_non_null(c);
	json_decref(c);
	u = cli_json(&srv, show);
	assert_non_null(u);
	assert_int_equal(json_array_size(json_object_get(u, "roles")), 0); /* revoked at once */
	snprintf(person, sizeof(person), "%lld", (long long)json_integer_value(json_object_get(u, "person")));
	json_decref(u);
	assert_int_equal(login(&srv, &w, NULL), 200);
	const char *off[] = {"user", "offboard", "--person", person, "--reason", "Chuyển công tác (transferred)", NULL};
	c = cli_json(&srv, off);
	assert_non_null(c);
	assert_int_equal(json_array_size(json_object_get(c, "items")), 4); /* one account, assets, external, keys */
	json_decref(c);
	assert_int_equal(call(&srv, "GET", "/api/v1/me", &w, NULL, &r), 0);
	assert_int_equal(r.status, 401);
	harness_resp_free(&r);
	assert_int_equal(login(&srv, &w, NULL), 401);
	assert_int_equal(db_count(&srv, "SELECT COUNT(*) FROM audit_event WHERE action = 'person.offboard' AND rule = 'R5.3'"), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_login__cookie_flags_and_first_change),
		cmocka_unit_test(test_csrf__required),
		cmocka_unit_test(test_password__rule_reasons),
		cmocka_unit_test(test_login__no_enumeration),
		cmocka_unit_test(test_lockout__dos_drill),
		cmocka_unit_test(test_logout__ends_session),
		cmocka_unit_test(test_api_token__bearer_scope),
		cmocka_unit_test(test_cli__review_and_offboard),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
