/*
 * test_routes_incident.c: the HTTP API of incidents (issue 5) against a running `attt serve`.
 * R8.8 / R18.2: a staff member reports for the own agency and gets the malware guidance back;
 * an officer of another agency can neither see it nor find it in the list; R11.1 / R11.3: raising
 * it to cao notifies the authority (the incident lists its notifications); R11.2: a refused
 * transition changes nothing, and Mẫu 03 comes back as a PDF.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "integration/auth_helpers.h"

static struct harness_server srv;
static struct who staff, officer, other, authority;
static char ipath[64];

static json_t *cli(const char *const *args)
{
	json_t *j = cli_json(&srv, args);
	assert_non_null(j);
	return j;
}

static int setup(void **state)
{
	const char *a1[] = {"agency", "add", "--name", "Tỉnh", "--type", "province", NULL};
	const char *a2[] = {"agency", "add", "--name", "Sở Một", "--type", "department", "--parent", "1", NULL};
	const char *a3[] = {"agency", "add", "--name", "Sở Hai", "--type", "department", "--parent", "1", NULL};
	(void)state;

	harness_init();
	if (harness_server_start(&srv, NULL) != 0)
		return -1;
	json_decref(cli(a1));
	json_decref(cli(a2));
	json_decref(cli(a3));
	if (make_user(&srv, &staff, "c.bo", "Hoàng Văn Bộ", "2", "staff", false) != 0 ||
	    make_user(&srv, &officer, "o.mot", "Lê Văn Cán", "2", "security_officer", true) != 0 ||
	    make_user(&srv, &other, "o.hai", "Trần Thị Khác", "3", "security_officer", true) != 0 ||
	    make_user(&srv, &authority, "s.tt", "Phạm Văn Sở", "1", "authority", true) != 0)
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

static json_t *get_json(const char *path, const struct who *w, long want)
{
	struct harness_resp r;
	json_error_t e;
	assert_int_equal(call(&srv, "GET", path, w, NULL, &r), 0);
	assert_int_equal(r.status, want);
	json_t *j = json_loads(r.body, 0, &e);
	harness_resp_free(&r);
	assert_non_null(j);
	return j;
}

/* R8.8, R18.2: staff reports for its own agency; the answer carries the guidance. */
static void test_incident__staff_reports(void **state)
{
	struct harness_resp r;
	json_error_t e;
	(void)state;

	assert_int_equal(call(&srv, "POST", "/api/v1/incidents", &staff,
			      "{\"title\":\"Máy trạm nhiễm mã độc\",\"description\":\"Cảnh báo diệt virus\","
			      "\"incident_type\":\"malware\",\"affected_system\":\"10.0.0.7\"}",
			      &r),
			 0);
	assert_int_equal(r.status, 201);
	json_t *j = json_loads(r.body, 0, &e);
	harness_resp_free(&r);
	assert_non_null(j);
	assert_int_equal(json_integer_value(json_object_get(j, "agency_id")), 2);
	assert_non_null(strstr(json_string_value(json_object_get(json_object_get(j, "guidance"), "vi")), "mã độc"));
	snprintf(ipath, sizeof(ipath), "/api/v1/incidents/%lld", (long long)json_integer_value(json_object_get(j, "id")));
	json_decref(j);

	/* Another agency is not the staff member's to report for. */
	assert_int_equal(call(&srv, "POST", "/api/v1/incidents", &staff,
			      "{\"agency_id\":3,\"title\":\"x\",\"description\":\"y\"}", &r),
			 0);
	assert_int_equal(r.status, 403);
	harness_resp_free(&r);
	/* A missing field is named. */
	assert_int_equal(call(&srv, "POST", "/api/v1/incidents", &staff, "{\"title\":\"x\"}", &r), 0);
	assert_int_equal(r.status, 400);
	assert_non_null(strstr(r.body, "description"));
	harness_resp_free(&r);
}

/* Issue 5: an officer of agency 3 neither sees agency 2's incident nor finds it in the list. */
static void test_incident__other_agency_cannot_see(void **state)
{
	struct harness_resp r;
	(void)state;

	assert_int_equal(call(&srv, "GET", ipath, &other, NULL, &r), 0);
	assert_int_equal(r.status, 403);
	harness_resp_free(&r);
	json_t *l = get_json("/api/v1/incidents", &other, 200);
	assert_int_equal(json_integer_value(json_object_get(l, "count")), 0);
	json_decref(l);
	l = get_json("/api/v1/incidents", &officer, 200);
	assert_int_equal(json_integer_value(json_object_get(l, "count")), 1);
	json_decref(l);
	l = get_json(ipath, &officer, 200);
	json_decref(l);
}

/* R11.1, R11.3: raising to cao notifies; the incident lists the notifications. */
static void test_incident__classify_cao_notifies(void **state)
{
	char path[96];
	struct harness_resp r;
	(void)state;

	snprintf(path, sizeof(path), "%s/classify", ipath);
	assert_int_equal(call(&srv, "POST", path, &officer, "{\"severity\":\"cao\",\"reason\":\"một cửa ngừng\"}", &r), 0);
	assert_int_equal(r.status, 200);
	harness_resp_free(&r);
	json_t *j = get_json(ipath, &officer, 200);
	assert_string_equal(json_string_value(json_object_get(j, "severity")), "cao");
	assert_true(json_array_size(json_object_get(j, "notifications")) > 0);
	json_decref(j);
	/* The staff member may not classify. */
	assert_int_equal(call(&srv, "POST", path, &staff, "{\"severity\":\"thap\",\"reason\":\"x\"}", &r), 0);
	assert_int_equal(r.status, 403);
	harness_resp_free(&r);
}

/* R11.2: an action the current step does not allow is refused and changes nothing. */
static void test_incident__refused_transition_changes_nothing(void **state)
{
	char path[96];
	struct harness_resp r;
	(void)state;

	json_t *before = get_json(ipath, &officer, 200);
	snprintf(path, sizeof(path), "%s/advance", ipath);
	assert_int_equal(call(&srv, "POST", path, &officer, "{\"action\":\"close\",\"text\":\"biên bản\"}", &r), 0);
	assert_true(r.status == 409 || r.status == 403);
	harness_resp_free(&r);
	json_t *after = get_json(ipath, &officer, 200);
	assert_int_equal(json_integer_value(json_object_get(after, "step")), json_integer_value(json_object_get(before, "step")));
	assert_int_equal(json_array_size(json_object_get(after, "timeline")), json_array_size(json_object_get(before, "timeline")));
	json_decref(before);
	json_decref(after);
	/* A permitted step moves it. */
	assert_int_equal(call(&srv, "POST", path, &officer, "{\"action\":\"own\",\"text\":\"hệ thống của cơ quan\"}", &r), 0);
	assert_int_equal(r.status, 200);
	harness_resp_free(&r);
	after = get_json(ipath, &officer, 200);
	assert_int_equal(json_integer_value(json_object_get(after, "step")), 2);
	json_decref(after);
}

/* R11.2: Mẫu 03 as a PDF, stored with the incident. */
static void test_incident__form_is_pdf(void **state)
{
	char path[96];
	struct harness_resp r;
	(void)state;

	snprintf(path, sizeof(path), "%s/forms/03", ipath);
	assert_int_equal(call(&srv, "GET", path, &officer, NULL, &r), 0);
	assert_int_equal(r.status, 200);
	assert_true(r.body_len > 4 && memcmp(r.body, "%PDF", 4) == 0);
	harness_resp_free(&r);
	json_t *j = get_json(ipath, &officer, 200);
	assert_int_equal(json_array_size(json_object_get(j, "documents")), 1);
	json_decref(j);
	snprintf(path, sizeof(path), "%s/forms/07", ipath);
	assert_int_equal(call(&srv, "GET", path, &officer, NULL, &r), 0);
	assert_int_equal(r.status, 400);
	harness_resp_free(&r);
}

/* R11.1: the questionnaire. */
static void test_incident__suggest(void **state)
{
	(void)state;
	json_t *j = get_json("/api/v1/incidents/suggest?group=true&main=true&several=true", &staff, 200);
	assert_non_null(json_string_value(json_object_get(j, "severity")));
	json_decref(j);
	j = get_json("/api/v1/incidents/suggest?group=maybe", &staff, 400);
	json_decref(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_incident__staff_reports),
		cmocka_unit_test(test_incident__other_agency_cannot_see),
		cmocka_unit_test(test_incident__classify_cao_notifies),
		cmocka_unit_test(test_incident__refused_transition_changes_nothing),
		cmocka_unit_test(test_incident__form_is_pdf),
		cmocka_unit_test(test_incident__suggest),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
