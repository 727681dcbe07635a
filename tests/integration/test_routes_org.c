/*
 * test_routes_org.c: the agencies and people API (R1.2; issue 3, officers see the people of their
 * agencies only) against a real `attt serve`: scoping of lists and records to the caller's subtree,
 * search ignoring case and diacritics, creation and update through the org library with the caller
 * as the audit actor, field-named errors, CSRF, and the admin's reorganisation of the tree.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "integration/auth_helpers.h"

static struct harness_server srv;
static struct who officer, admin, staff;
static long long nva, ttb; /* Nguyễn Văn A in agency 2, Trần Thị B in agency 3 */

static int setup(void **state)
{
	const char *a1[] = {"agency", "add", "--name", "Tỉnh", "--type", "province", NULL};
	const char *a2[] = {"agency", "add", "--name", "Sở Một", "--type", "department", "--parent", "1", NULL};
	const char *a3[] = {"agency", "add", "--name", "Sở Hai", "--type", "department", "--parent", "1", NULL};
	const char *p2[] = {"person", "add", "--agency", "2", "--name", "Nguyễn Văn A", NULL};
	const char *p3[] = {"person", "add", "--agency", "3", "--name", "Trần Thị B", NULL};
	json_t *j;
	(void)state;

	harness_init();
	if (harness_server_start(&srv, NULL) != 0)
		return -1;
	json_decref(cli_ok(&srv, a1));
	json_decref(cli_ok(&srv, a2));
	json_decref(cli_ok(&srv, a3));
	j = cli_ok(&srv, p2);
	nva = json_integer_value(json_object_get(j, "id"));
	json_decref(j);
	j = cli_ok(&srv, p3);
	ttb = json_integer_value(json_object_get(j, "id"));
	json_decref(j);
	if (make_user(&srv, &officer, "o.mot", "Lê Văn Cán", "2", "security_officer", true) != 0 ||
	    make_user(&srv, &admin, "q.tri", "Phạm Thị Quản", "1", "admin", true) != 0 ||
	    make_user(&srv, &staff, "c.bo", "Hoàng Văn Bộ", "2", "staff", false) != 0)
		return -1;
	return nva > 0 && ttb > 0 ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	harness_server_stop(&srv);
	harness_server_cleanup(&srv);
	return 0;
}

static bool has_person(json_t *list, long long id)
{
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(list, "items"), i, v) if (json_integer_value(json_object_get(v, "id")) == id) return true;
	return false;
}

/* Issue 3: an officer of agency 2 sees the people of agency 2 only. */
static void test_org__officer_sees_own_agency_people_only(void **state)
{
	char path[128];
	json_t *j;
	(void)state;

	j = get_json_as(&srv, "/api/v1/people?limit=500", &officer, 200);
	assert_true(has_person(j, nva));
	assert_false(has_person(j, ttb));
	json_decref(j);
	snprintf(path, sizeof(path), "/api/v1/people/%lld", ttb);
	json_decref(get_json_as(&srv, path, &officer, 403));
	json_decref(get_json_as(&srv, "/api/v1/people?agency=3", &officer, 403));
	snprintf(path, sizeof(path), "/api/v1/people/%lld", nva);
	j = get_json_as(&srv, path, &officer, 200);
	assert_string_equal(json_string_value(json_object_get(j, "full_name")), "Nguyễn Văn A");
	json_decref(j);
	/* The admin of the province sees both. */
	j = get_json_as(&srv, "/api/v1/people?limit=500", &admin, 200);
	assert_true(has_person(j, nva));
	assert_true(has_person(j, ttb));
	json_decref(j);
	/* Staff hold no people.read. */
	json_decref(get_json_as(&srv, "/api/v1/people", &staff, 403));
}

/* R1.2: search ignores case and Vietnamese diacritics. */
static void test_org__search_folds_diacritics(void **state)
{
	json_t *j;
	(void)state;

	j = get_json_as(&srv, "/api/v1/people?q=nguyen%20van%20a", &officer, 200);
	assert_true(has_person(j, nva));
	assert_int_equal(json_integer_value(json_object_get(j, "total")), 1);
	json_decref(j);
	j = get_json_as(&srv, "/api/v1/people?q=NGUY%E1%BB%84N", &officer, 200); /* "NGUYỄN" */
	assert_true(has_person(j, nva));
	json_decref(j);
	/* Trần Thị B is in agency 3: not found by the officer of agency 2. */
	j = get_json_as(&srv, "/api/v1/people?q=tran%20thi%20b", &officer, 200);
	assert_int_equal(json_integer_value(json_object_get(j, "total")), 0);
	json_decref(j);
	j = get_json_as(&srv, "/api/v1/agencies?q=so%20mot", &admin, 200);
	assert_int_equal(json_integer_value(json_object_get(j, "total")), 1);
	json_decref(j);
}

/* R1.2: a change goes through the org library, which writes the audit event with the caller as actor. */
static void test_org__create_update_audited_as_caller(void **state)
{
	struct harness_resp r;
	char path[128], body[256];
	long long id;
	json_t *j;
	(void)state;

	assert_int_equal(call(&srv, "POST", "/api/v1/people", &officer,
			      "{\"agency_id\":2,\"full_name\":\"Đặng Thị Chín\",\"email\":\"Chin.DT@So1.gov.vn\"}", &r),
			 0);
	assert_int_equal(r.status, 201);
	j = harness_json(&r);
	harness_resp_free(&r);
	id = json_integer_value(json_object_get(j, "id"));
	assert_string_equal(json_string_value(json_object_get(j, "email")), "chin.dt@so1.gov.vn");
	json_decref(j);
	snprintf(body, sizeof(body),
		 "SELECT count(*) FROM audit_event WHERE action='person.create' AND object_id='%lld' AND actor_name='o.mot'", id);
	assert_int_equal(db_count(&srv, body), 1);

	snprintf(path, sizeof(path), "/api/v1/people/%lld", id);
	assert_int_equal(call(&srv, "PATCH", path, &officer, "{\"phone\":\"0912 345 678\",\"position\":\"Chuyên viên\"}", &r), 0);
	assert_int_equal(r.status, 200);
	j = harness_json(&r);
	harness_resp_free(&r);
	assert_string_equal(json_string_value(json_object_get(j, "phone")), "0912345678");
	json_decref(j);
	snprintf(body, sizeof(body),
		 "SELECT count(*) FROM audit_event WHERE action='person.update' AND object_id='%lld' AND actor_name='o.mot'", id);
	assert_int_equal(db_count(&srv, body), 1);

	/* Not in another agency, nor moving someone there. */
	assert_int_equal(call(&srv, "POST", "/api/v1/people", &officer, "{\"agency_id\":3,\"full_name\":\"Ai Đó\"}", &r), 0);
	assert_int_equal(r.status, 403);
	harness_resp_free(&r);
	assert_int_equal(call(&srv, "PATCH", path, &officer, "{\"agency_id\":3}", &r), 0);
	assert_int_equal(r.status, 403);
	harness_resp_free(&r);
}

/* Bad input: problem+json naming the field, nothing stored. */
static void test_org__errors_name_the_field(void **state)
{
	static const struct {
		const char *body, *field;
	} cases[] = {
		{"{\"agency_id\":2,\"full_name\":\"Bùi Văn Mười\",\"email\":\"not-an-address\"}", "email"},
		{"{\"agency_id\":2,\"full_name\":\"Bùi Văn Mười\",\"phone\":\"12\"}", "phone"},
		{"{\"agency_id\":2,\"full_name\":5}", "full_name"},
		{"{\"agency_id\":2,\"full_name\":\"Bùi Văn Mười\",\"bogus\":1}", "bogus"},
		{"{\"full_name\":\"Bùi Văn Mười\"}", "agency_id"},
	};
	long long before = db_count(&srv, "SELECT count(*) FROM person");
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct harness_resp r;
		char ct[128];
		assert_int_equal(call(&srv, "POST", "/api/v1/people", &officer, cases[i].body, &r), 0);
		if (r.status != 400 || !strstr(r.body, cases[i].field))
			print_error("%s: %ld %s\n", cases[i].body, r.status, r.body);
		assert_int_equal(r.status, 400);
		assert_non_null(strstr(r.body, cases[i].field));
		assert_true(harness_header(&r, "Content-Type", ct, sizeof(ct)));
		assert_non_null(strstr(ct, "application/problem+json"));
		harness_resp_free(&r);
	}
	assert_int_equal(db_count(&srv, "SELECT count(*) FROM person"), before);
}

/* R6.1.c: a state-changing request of a session without its CSRF token is refused. */
static void test_org__csrf_required(void **state)
{
	struct harness_resp r;
	struct who nocsrf = officer;
	(void)state;

	snprintf(nocsrf.csrf, sizeof(nocsrf.csrf), "X-Nothing: 1");
	assert_int_equal(call(&srv, "POST", "/api/v1/people", &nocsrf, "{\"agency_id\":2,\"full_name\":\"Ai Đó\"}", &r), 0);
	assert_int_equal(r.status, 403);
	harness_resp_free(&r);
}

/* R1.2: the tree is reorganised by the admin only; agency lists are scoped to the subtree. */
static void test_org__agencies(void **state)
{
	struct harness_resp r;
	long long child;
	json_t *j;
	(void)state;

	j = get_json_as(&srv, "/api/v1/agencies", &officer, 200);
	assert_int_equal(json_integer_value(json_object_get(j, "total")), 1); /* Sở Một only */
	json_decref(j);
	json_decref(get_json_as(&srv, "/api/v1/agencies/3", &officer, 403));

	assert_int_equal(call(&srv, "POST", "/api/v1/agencies", &officer,
			      "{\"name\":\"Phòng Một\",\"type\":\"other\",\"parent_id\":2}", &r), 0);
	assert_int_equal(r.status, 403);
	harness_resp_free(&r);
	assert_int_equal(call(&srv, "POST", "/api/v1/agencies", &admin,
			      "{\"name\":\"Phòng Một\",\"type\":\"other\",\"parent_id\":2}", &r), 0);
	assert_int_equal(r.status, 201);
	j = harness_json(&r);
	harness_resp_free(&r);
	child = json_integer_value(json_object_get(j, "id"));
	json_decref(j);
	assert_true(child > 3);
	assert_int_equal(call(&srv, "POST", "/api/v1/agencies", &admin, "{\"name\":\"Phòng Hai\",\"type\":\"nope\"}", &r), 0);
	assert_int_equal(r.status, 400);
	assert_non_null(strstr(r.body, "type"));
	harness_resp_free(&r);

	/* A cycle is refused; a rename and a merge are recorded. */
	assert_int_equal(call(&srv, "POST", "/api/v1/agencies/2/move", &admin, "{\"parent_id\":4}", &r), 0);
	assert_int_equal(r.status, 409);
	assert_non_null(strstr(r.body, "parent_id"));
	harness_resp_free(&r);
	assert_int_equal(call(&srv, "POST", "/api/v1/agencies/4/rename", &admin, "{\"name\":\"Phòng Một Mới\"}", &r), 0);
	assert_int_equal(r.status, 200);
	harness_resp_free(&r);
	assert_int_equal(call(&srv, "POST", "/api/v1/agencies/4/merge", &admin, "{\"into\":2}", &r), 0);
	assert_int_equal(r.status, 200);
	harness_resp_free(&r);
	j = get_json_as(&srv, "/api/v1/agencies/4/history", &officer, 200);
	assert_true(json_array_size(json_object_get(j, "items")) >= 3); /* create, rename, merge */
	json_decref(j);
	assert_int_equal(db_count(&srv, "SELECT count(*) FROM audit_event WHERE action='agency.merge' AND actor_name='q.tri'"), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_org__officer_sees_own_agency_people_only),
		cmocka_unit_test(test_org__search_folds_diacritics),
		cmocka_unit_test(test_org__create_update_audited_as_caller),
		cmocka_unit_test(test_org__errors_name_the_field),
		cmocka_unit_test(test_org__csrf_required),
		cmocka_unit_test(test_org__agencies),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
