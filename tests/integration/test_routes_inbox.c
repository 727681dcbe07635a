/*
 * test_routes_inbox.c: the in-app inbox over the API against a running `attt serve` (issue 5: every
 * notification also appears in the recipient's inbox in the app). R6.2.b: an account locked by
 * failed logins notifies the security officer of its agency, whose inbox shows it; an officer of another agency sees
 * nothing and cannot mark the item; marking read is the owner's, idempotent and audited (R11.3);
 * the unread filter, the cursor and bad parameters behave.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "integration/auth_helpers.h"

static struct harness_server srv;
static struct who staff, officer, other;

static int setup(void **state)
{
	const char *a1[] = {"agency", "add", "--name", "Tỉnh", "--type", "province", NULL};
	const char *a2[] = {"agency", "add", "--name", "Sở Một", "--type", "department", "--parent", "1", NULL};
	const char *a3[] = {"agency", "add", "--name", "Sở Hai", "--type", "department", "--parent", "1", NULL};
	(void)state;

	harness_init();
	if (harness_server_start(&srv, NULL) != 0)
		return -1;
	json_decref(cli_ok(&srv, a1));
	json_decref(cli_ok(&srv, a2));
	json_decref(cli_ok(&srv, a3));
	if (make_user(&srv, &staff, "c.bo", "Hoàng Văn Bộ", "2", "staff", false) != 0 ||
	    make_user(&srv, &officer, "o.mot", "Lê Văn Cán", "2", "security_officer", true) != 0 ||
	    make_user(&srv, &other, "o.hai", "Trần Thị Khác", "3", "security_officer", true) != 0)
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

static long post(const char *path, const struct who *w)
{
	struct harness_resp r;
	long st;
	assert_int_equal(call(&srv, "POST", path, w, NULL, &r), 0);
	st = r.status;
	harness_resp_free(&r);
	return st;
}

/* The newest item of w's inbox of kind, or 0. */
static long long find_item(const struct who *w, const char *kind)
{
	json_t *j = get_json_as(&srv, "/api/v1/me/inbox", w, 200), *it;
	size_t i;
	long long id = 0;
	json_array_foreach(json_object_get(j, "items"), i, it)
	{
		if (strcmp(json_string_value(json_object_get(it, "kind")), kind) == 0) {
			id = json_integer_value(json_object_get(it, "id"));
			break;
		}
	}
	json_decref(j);
	return id;
}

/* R6.2.b: five wrong passwords (the profile's threshold) lock the account, which notifies. */
static void lock_by_failures(const struct who *w)
{
	struct who wrong = *w;
	snprintf(wrong.password, sizeof(wrong.password), "Sai-mat-khau-%d", 1);
	for (int i = 0; i < 5; i++)
		assert_int_equal(login(&srv, &wrong, NULL), 401);
}

/* R6.2.b + inbox: the lock of a staff account reaches the officer of its agency, not another. */
static void test_inbox__lock_notifies_own_officer_only(void **state)
{
	char path[96];
	(void)state;

	lock_by_failures(&staff);
	long long item = find_item(&officer, "account.locked");
	assert_true(item > 0);
	assert_int_equal(find_item(&other, "account.locked"), 0);

	json_t *before = get_json_as(&srv, "/api/v1/me/inbox", &officer, 200);
	json_int_t unread = json_integer_value(json_object_get(before, "unread"));
	assert_true(unread >= 1);
	json_decref(before);

	/* Another agency's officer cannot mark it, nor learn that it exists: 404, nothing changes. */
	snprintf(path, sizeof(path), "/api/v1/me/inbox/%lld/read", item);
	assert_int_equal(post(path, &other), 404);
	json_t *same = get_json_as(&srv, "/api/v1/me/inbox", &officer, 200);
	assert_int_equal(json_integer_value(json_object_get(same, "unread")), unread);
	json_decref(same);

	/* R11.3: the owner marks it read (twice is fine), and the unread filter leaves it out. */
	assert_int_equal(post(path, &officer), 204);
	assert_int_equal(post(path, &officer), 204);
	json_t *after = get_json_as(&srv, "/api/v1/me/inbox", &officer, 200);
	assert_int_equal(json_integer_value(json_object_get(after, "unread")), unread - 1);
	json_decref(after);
	json_t *unr = get_json_as(&srv, "/api/v1/me/inbox?unread=true", &officer, 200), *it;
	size_t i;
	json_array_foreach(json_object_get(unr, "items"), i, it)
	{
		assert_true(json_integer_value(json_object_get(it, "id")) != item);
		assert_false(json_is_true(json_object_get(it, "read")));
	}
	json_decref(unr);

	/* The read is in the audit trail. */
	const char *list[] = {"audit", "list", "--action", "inbox.read", NULL};
	json_t *ev = cli_ok(&srv, list);
	json_t *items = json_is_array(ev) ? ev : json_object_get(ev, "items");
	assert_true(json_array_size(items) >= 1);
	json_decref(ev);
}

/* Paging: limit=1 gives one item and a cursor; the next page starts below it. */
static void test_inbox__paging(void **state)
{
	const char *unlock[] = {"user", "unlock", "c.bo", NULL};
	char path[96];
	(void)state;

	json_decref(cli_ok(&srv, unlock));
	lock_by_failures(&staff); /* a second account.locked for the officer */
	json_t *p1 = get_json_as(&srv, "/api/v1/me/inbox?limit=1", &officer, 200);
	assert_int_equal(json_array_size(json_object_get(p1, "items")), 1);
	json_int_t first = json_integer_value(json_object_get(json_array_get(json_object_get(p1, "items"), 0), "id"));
	json_t *next = json_object_get(p1, "next");
	assert_true(json_is_integer(next));
	snprintf(path, sizeof(path), "/api/v1/me/inbox?limit=1&before=%lld", (long long)json_integer_value(next));
	json_decref(p1);
	json_t *p2 = get_json_as(&srv, path, &officer, 200);
	assert_int_equal(json_array_size(json_object_get(p2, "items")), 1);
	assert_true(json_integer_value(json_object_get(json_array_get(json_object_get(p2, "items"), 0), "id")) < first);
	json_decref(p2);
}

/* Bad parameters are named; anonymous callers get 401. */
static void test_inbox__bad_input(void **state)
{
	struct harness_resp r;
	static const char *const bad[] = {"/api/v1/me/inbox?limit=0", "/api/v1/me/inbox?limit=501",
					   "/api/v1/me/inbox?unread=perhaps", "/api/v1/me/inbox?before=-3"};
	(void)state;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(call(&srv, "GET", bad[i], &officer, NULL, &r), 0);
		assert_int_equal(r.status, 400);
		assert_non_null(strstr(r.body, "problem"));
		harness_resp_free(&r);
	}
	assert_int_equal(post("/api/v1/me/inbox/abc/read", &officer), 400);
	assert_int_equal(post("/api/v1/me/inbox/999999/read", &officer), 404);
	assert_int_equal(call(&srv, "GET", "/api/v1/me/inbox", NULL, NULL, &r), 0);
	assert_int_equal(r.status, 401);
	harness_resp_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_inbox__lock_notifies_own_officer_only),
		cmocka_unit_test(test_inbox__paging),
		cmocka_unit_test(test_inbox__bad_input),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
