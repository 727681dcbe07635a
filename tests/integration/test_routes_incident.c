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
static long long iid; /* the incident of ipath */

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
	iid = (long long)json_integer_value(json_object_get(j, "id"));
	snprintf(ipath, sizeof(ipath), "/api/v1/incidents/%lld", iid);
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
	json_t *l = get_json_as(&srv, "/api/v1/incidents", &other, 200);
	assert_int_equal(json_integer_value(json_object_get(l, "count")), 0);
	json_decref(l);
	l = get_json_as(&srv, "/api/v1/incidents", &officer, 200);
	assert_int_equal(json_integer_value(json_object_get(l, "count")), 1);
	json_decref(l);
	l = get_json_as(&srv, ipath, &officer, 200);
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
	json_t *j = get_json_as(&srv, ipath, &officer, 200);
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

	json_t *before = get_json_as(&srv, ipath, &officer, 200);
	snprintf(path, sizeof(path), "%s/advance", ipath);
	assert_int_equal(call(&srv, "POST", path, &officer, "{\"action\":\"close\",\"text\":\"biên bản\"}", &r), 0);
	assert_true(r.status == 409 || r.status == 403);
	harness_resp_free(&r);
	json_t *after = get_json_as(&srv, ipath, &officer, 200);
	assert_int_equal(json_integer_value(json_object_get(after, "step")), json_integer_value(json_object_get(before, "step")));
	assert_int_equal(json_array_size(json_object_get(after, "timeline")), json_array_size(json_object_get(before, "timeline")));
	json_decref(before);
	json_decref(after);
	/* A permitted step moves it. */
	assert_int_equal(call(&srv, "POST", path, &officer, "{\"action\":\"own\",\"text\":\"hệ thống của cơ quan\"}", &r), 0);
	assert_int_equal(r.status, 200);
	harness_resp_free(&r);
	after = get_json_as(&srv, ipath, &officer, 200);
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
	json_t *j = get_json_as(&srv, ipath, &officer, 200);
	assert_int_equal(json_array_size(json_object_get(j, "documents")), 1);
	json_decref(j);
	snprintf(path, sizeof(path), "%s/forms/07", ipath);
	assert_int_equal(call(&srv, "GET", path, &officer, NULL, &r), 0);
	assert_int_equal(r.status, 400);
	harness_resp_free(&r);
	/* Issue 5: the same data as JSON, with diacritics; reading it stores no document. */
	snprintf(path, sizeof(path), "%s/forms/03?format=json", ipath);
	j = get_json_as(&srv, path, &officer, 200);
	assert_string_equal(json_string_value(json_object_get(j, "form")), "03");
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "data"), "agency")), "Sở Một");
	assert_non_null(json_object_get(json_object_get(j, "data"), "detected_at"));
	json_decref(j);
	j = get_json_as(&srv, ipath, &officer, 200);
	assert_int_equal(json_array_size(json_object_get(j, "documents")), 1);
	json_decref(j);
	snprintf(path, sizeof(path), "%s/forms/03?format=docx", ipath);
	assert_int_equal(call(&srv, "GET", path, &officer, NULL, &r), 0);
	assert_int_equal(r.status, 400);
	harness_resp_free(&r);
	snprintf(path, sizeof(path), "%s/forms/03?format=json", ipath);
	assert_int_equal(call(&srv, "GET", path, &other, NULL, &r), 0);
	assert_int_equal(r.status, 403);
	harness_resp_free(&r);
}

/* R11.1: the questionnaire. */
static void test_incident__suggest(void **state)
{
	(void)state;
	json_t *j = get_json_as(&srv, "/api/v1/incidents/suggest?group=true&main=true&several=true", &staff, 200);
	assert_non_null(json_string_value(json_object_get(j, "severity")));
	json_decref(j);
	j = get_json_as(&srv, "/api/v1/incidents/suggest?group=maybe", &staff, 400);
	json_decref(j);
}

/* ---- issue 5: per-agency acting role, own reports, tasks, links, paging ----------------------- */

static long long post_status(const char *path, const struct who *w, const char *body, json_t **ret)
{
	struct harness_resp r;
	json_error_t e;
	long st;
	assert_int_equal(call(&srv, "POST", path, w, body, &r), 0);
	st = r.status;
	if (ret)
		*ret = r.body ? json_loads(r.body, 0, &e) : NULL;
	harness_resp_free(&r);
	return st;
}

static long long cli_id(const char *const *args)
{
	json_t *j = cli_ok(&srv, args);
	long long id = json_integer_value(json_object_get(j, "id"));
	json_decref(j);
	return id;
}

/* R11.2 (security): the role an advance is taken in is one held on the incident's agency. A head
 * of agency 2 who is response team of agency 3 only may not close the coordination of step 4 of an
 * agency-2 incident (a response-team step) by borrowing the role held over agency 3. Before the
 * fix this answered 200 and moved the incident to step 5. */
static void test_incident__acting_role_is_per_agency(void **state)
{
	static struct who mix, team;
	const char *grant[] = {"user", "grant", "mix.two", "--role", "agency_head", "--agency", "2", NULL};
	const char *rep[] = {"incident", "report", "--agency", "2", "--title", "Tấn công từ chối dịch vụ",
			     "--description", "Cổng thông tin không truy cập được", "--json", NULL};
	char path[96], body[64], id[24];
	json_t *j = NULL;
	(void)state;

	assert_int_equal(make_user(&srv, &mix, "mix.two", "Đỗ Văn Hai Vai", "3", "response_team", false), 0);
	json_decref(cli_ok(&srv, grant));
	assert_int_equal(make_user(&srv, &team, "team.tinh", "Ngô Thị Ứng Cứu", "1", "response_team", false), 0);
	snprintf(id, sizeof(id), "%lld", cli_id(rep));
	const char *hosted[] = {"incident", "advance", id, "--action", "hosted", "--as", "security_officer", "--text",
				"TTDL tỉnh", "--json", NULL};
	const char *reported[] = {"incident", "advance", id, "--action", "reported", "--as", "security_officer",
				  "--text", "Mẫu 03 số 7", "--json", NULL};
	json_decref(cli_ok(&srv, hosted));
	json_decref(cli_ok(&srv, reported));
	snprintf(path, sizeof(path), "/api/v1/incidents/%s/advance", id);
	snprintf(body, sizeof(body), "{\"action\":\"coordinated\",\"text\":\"đã khắc phục\"}");
	assert_int_equal(post_status(path, &mix, body, NULL), 403);
	snprintf(path, sizeof(path), "/api/v1/incidents/%s", id);
	j = get_json_as(&srv, path, &mix, 200); /* the head reads it */
	assert_int_equal(json_integer_value(json_object_get(j, "step")), 4);
	json_decref(j);
	/* The province's response team takes the step. */
	snprintf(path, sizeof(path), "/api/v1/incidents/%s/advance", id);
	assert_int_equal(post_status(path, &team, body, NULL), 200);
	snprintf(path, sizeof(path), "/api/v1/incidents/%s", id);
	j = get_json_as(&srv, path, &team, 200);
	assert_int_equal(json_integer_value(json_object_get(j, "step")), 5);
	json_decref(j);
}

/* R11.2 steps 4 and 5 through the API: the provincial authority coordinates and closes an
 * incident of agency 2 (incident.approve, then the role table of the incident library), and may not
 * take an agency's own step. */
static void test_incident__authority_takes_its_steps(void **state)
{
	const char *rep[] = {"incident", "report", "--agency", "2", "--title", "Trang thông tin bị thay đổi giao diện",
			     "--description", "Trang chủ hiện nội dung lạ", "--json", NULL};
	char path[96], id[24];
	json_t *j;
	(void)state;

	snprintf(id, sizeof(id), "%lld", cli_id(rep));
	snprintf(path, sizeof(path), "/api/v1/incidents/%s/advance", id);
	/* Step 1 is the agency's decision, not the authority's: refused, nothing moves. */
	assert_int_equal(post_status(path, &authority, "{\"action\":\"hosted\",\"text\":\"TTDL tỉnh\"}", NULL), 403);
	assert_int_equal(post_status(path, &officer, "{\"action\":\"hosted\",\"text\":\"TTDL tỉnh\"}", NULL), 200);
	assert_int_equal(post_status(path, &officer, "{\"action\":\"reported\",\"text\":\"Mẫu 03 số 8\"}", NULL), 200);
	assert_int_equal(post_status(path, &authority, "{\"action\":\"coordinated\",\"text\":\"đã phối hợp khắc phục\"}", NULL),
			 200);
	assert_int_equal(post_status(path, &authority, "{\"action\":\"close\",\"text\":\"Biên bản Mẫu 04 số 3\"}", NULL), 200);
	snprintf(path, sizeof(path), "/api/v1/incidents/%s", id);
	j = get_json_as(&srv, path, &authority, 200);
	assert_string_equal(json_string_value(json_object_get(j, "status")), "closed");
	json_decref(j);
}

/* R11.2 (security): an API token acts only through its scopes. An officer of agency 2 who is also
 * the province's authority holds a token for incident.manage only: it may not take the authority's
 * step (coordinated, incident.approve) on an agency-2 incident; a token with incident.approve may.
 * Before the fix the manage-only token answered 200, acting as authority. */
static void test_incident__token_acts_within_its_scope(void **state)
{
	static struct who two;
	const char *grant[] = {"user", "grant", "tok.two", "--role", "authority", "--agency", "1", NULL};
	const char *tok_manage[] = {"user", "token", "tok.two", "--name", "m", "--scope", "incident.manage,incident.read",
				    "--days", "1", NULL};
	const char *tok_approve[] = {"user", "token", "tok.two", "--name", "a", "--scope", "incident.approve,incident.read",
				     "--days", "1", NULL};
	const char *rep[] = {"incident", "report", "--agency", "2", "--title", "Mã độc mã hóa dữ liệu", "--description",
			     "Máy chủ tệp bị mã hóa", "--json", NULL};
	const char *h[3] = {NULL, "Content-Type: application/json", NULL};
	const char *body = "{\"action\":\"coordinated\",\"text\":\"đã phối hợp\"}";
	struct harness_resp r;
	char auth[128], url[256], id[24];
	json_t *j;
	(void)state;

	assert_int_equal(make_user(&srv, &two, "tok.two", "Tô Văn Hai", "2", "security_officer", true), 0);
	json_decref(cli_ok(&srv, grant));
	snprintf(id, sizeof(id), "%lld", cli_id(rep));
	const char *hosted[] = {"incident", "advance", id, "--action", "hosted", "--as", "security_officer", "--text",
				"TTDL tỉnh", "--json", NULL};
	const char *reported[] = {"incident", "advance", id, "--action", "reported", "--as", "security_officer",
				  "--text", "Mẫu 03 số 9", "--json", NULL};
	json_decref(cli_ok(&srv, hosted));
	json_decref(cli_ok(&srv, reported));
	snprintf(url, sizeof(url), "%s/api/v1/incidents/%s/advance", srv.url, id);

	j = cli_ok(&srv, tok_manage);
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", json_string_value(json_object_get(j, "token")));
	json_decref(j);
	h[0] = auth;
	assert_int_equal(harness_request("POST", url, h, body, strlen(body), &r), 0);
	assert_int_equal(r.status, 403);
	harness_resp_free(&r);
	assert_int_equal(db_count(&srv, "SELECT step FROM incident ORDER BY id DESC LIMIT 1"), 4);

	j = cli_ok(&srv, tok_approve);
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", json_string_value(json_object_get(j, "token")));
	json_decref(j);
	assert_int_equal(harness_request("POST", url, h, body, strlen(body), &r), 0);
	assert_int_equal(r.status, 200);
	harness_resp_free(&r);
	assert_int_equal(db_count(&srv, "SELECT step FROM incident ORDER BY id DESC LIMIT 1"), 5);
}

/* Issue 5: staff follow their own reports (list and show) without incident.read on the agency,
 * and see neither others' reports nor who was notified. */
static void test_incident__reporter_reads_own(void **state)
{
	json_t *j, *items, *it;
	size_t i;
	(void)state;

	j = get_json_as(&srv, "/api/v1/incidents", &staff, 200);
	items = json_object_get(j, "items");
	assert_true(json_array_size(items) >= 1);
	json_array_foreach(items, i, it)
		assert_string_equal(json_string_value(json_object_get(it, "title")), "Máy trạm nhiễm mã độc");
	json_decref(j);
	j = get_json_as(&srv, "/api/v1/incidents?mine=true", &staff, 200);
	assert_int_equal(json_integer_value(json_object_get(j, "count")), 1);
	json_decref(j);
	j = get_json_as(&srv, ipath, &staff, 200);
	assert_null(json_object_get(j, "notifications"));
	assert_non_null(json_object_get(j, "timeline"));
	json_decref(j);
	/* Not the agency's list, not another's report. */
	j = get_json_as(&srv, "/api/v1/incidents?agency=2", &staff, 403);
	json_decref(j);
	{
		const char *rep[] = {"incident", "report", "--agency", "2", "--title", "Báo cáo của người khác",
				     "--description", "không phải của cán bộ", "--json", NULL};
		char path[64];
		snprintf(path, sizeof(path), "/api/v1/incidents/%lld", cli_id(rep));
		j = get_json_as(&srv, path, &staff, 403);
		json_decref(j);
	}
}

/* R11.2 step 4: tasks with an assignee and a due date over the API; the assignee marks it done;
 * another agency's officer cannot touch them. */
static void test_incident__tasks(void **state)
{
	const char *show[] = {"user", "show", "c.bo", NULL};
	char path[128], body[256];
	json_t *j = NULL;
	long long staff_id = cli_id(show), task;
	(void)state;

	snprintf(path, sizeof(path), "%s/tasks", ipath);
	snprintf(body, sizeof(body), "{\"title\":\"Ngắt mạng máy trạm\",\"assignee_account_id\":%lld,\"due\":\"01/12/2026\"}",
		 staff_id);
	assert_int_equal(post_status(path, &officer, body, &j), 201);
	json_decref(j);
	assert_int_equal(post_status(path, &other, body, NULL), 403);
	assert_int_equal(post_status(path, &officer, "{\"title\":\"x\",\"due\":\"31/02/2026x\"}", NULL), 400);
	assert_int_equal(post_status(path, &officer, "{\"title\":\"x\",\"assignee_account_id\":99999}", NULL), 404);
	j = get_json_as(&srv, path, &officer, 200);
	assert_int_equal(json_integer_value(json_object_get(j, "count")), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(j, "items"), 0), "due")),
			    "01/12/2026");
	task = json_integer_value(json_object_get(json_array_get(json_object_get(j, "items"), 0), "id"));
	json_decref(j);
	snprintf(path, sizeof(path), "%s/tasks/%lld", ipath, task);
	assert_int_equal(post_status(path, &other, "{\"status\":\"done\"}", NULL), 403);
	assert_int_equal(post_status(path, &staff, "{\"status\":\"finished\"}", NULL), 400);
	assert_int_equal(post_status(path, &staff, "{\"status\":\"done\",\"note\":\"đã ngắt\"}", NULL), 200);
	assert_int_equal(post_status(path, &staff, "{\"status\":\"done\"}", NULL), 409);
	snprintf(path, sizeof(path), "%s/tasks/999999", ipath);
	assert_int_equal(post_status(path, &officer, "{\"status\":\"done\"}", NULL), 404);
}

/* Issue 5: links, both directions in show; no link to an incident the caller cannot read. */
static void test_incident__links(void **state)
{
	const char *rep2[] = {"incident", "report", "--agency", "2", "--title", "Lặp lại", "--description", "trùng",
			      "--json", NULL};
	const char *rep3[] = {"incident", "report", "--agency", "3", "--title", "Của sở khác", "--description", "khác",
			      "--json", NULL};
	long long dup = cli_id(rep2), far = cli_id(rep3);
	char path[128], body[96];
	json_t *j;
	(void)state;

	long long mine = iid;
	snprintf(path, sizeof(path), "/api/v1/incidents/%lld/links", dup);
	snprintf(body, sizeof(body), "{\"kind\":\"duplicate\",\"to\":%lld}", mine);
	assert_int_equal(post_status(path, &officer, body, NULL), 201);
	assert_int_equal(post_status(path, &officer, body, NULL), 409);
	assert_int_equal(post_status(path, &staff, body, NULL), 403);
	snprintf(body, sizeof(body), "{\"kind\":\"related\",\"to\":%lld}", far);
	assert_int_equal(post_status(path, &officer, body, NULL), 404); /* agency 3's: not readable */
	snprintf(body, sizeof(body), "{\"kind\":\"same\",\"to\":%lld}", mine);
	assert_int_equal(post_status(path, &officer, body, NULL), 400);
	snprintf(body, sizeof(body), "{\"kind\":\"caused-by\",\"to\":%lld}", dup);
	assert_int_equal(post_status(path, &officer, body, NULL), 400); /* itself */
	/* The other end shows it, as coming in. */
	j = get_json_as(&srv, ipath, &officer, 200);
	{
		json_t *l = json_object_get(j, "links"), *it;
		size_t i;
		bool seen = false;
		json_array_foreach(l, i, it)
			if (json_integer_value(json_object_get(it, "incident_id")) == dup &&
			    strcmp(json_string_value(json_object_get(it, "direction")), "in") == 0 &&
			    strcmp(json_string_value(json_object_get(it, "kind")), "duplicate") == 0)
				seen = true;
		assert_true(seen);
	}
	json_decref(j);
}

/* Issue 5: paging beyond one page with ?limit= and the ?after= cursor. */
static void test_incident__paging(void **state)
{
	json_t *a, *b;
	char path[96];
	long long first, next;
	(void)state;

	a = get_json_as(&srv, "/api/v1/incidents?agency=2&limit=1", &officer, 200);
	assert_int_equal(json_integer_value(json_object_get(a, "count")), 1);
	first = json_integer_value(json_object_get(json_array_get(json_object_get(a, "items"), 0), "id"));
	next = json_integer_value(json_object_get(a, "next"));
	assert_true(next > 0);
	json_decref(a);
	snprintf(path, sizeof(path), "/api/v1/incidents?agency=2&limit=1&after=%lld", next);
	b = get_json_as(&srv, path, &officer, 200);
	assert_true(json_integer_value(json_object_get(json_array_get(json_object_get(b, "items"), 0), "id")) < first);
	json_decref(b);
	snprintf(path, sizeof(path), "/api/v1/incidents?limit=1&after=%lld", next);
	b = get_json_as(&srv, path, &officer, 200); /* without ?agency=: the same cursor */
	assert_true(json_integer_value(json_object_get(json_array_get(json_object_get(b, "items"), 0), "id")) < first);
	json_decref(b);
	b = get_json_as(&srv, "/api/v1/incidents?after=x", &officer, 400);
	json_decref(b);
	b = get_json_as(&srv, "/api/v1/incidents?limit=501", &officer, 400);
	json_decref(b);
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
		cmocka_unit_test(test_incident__acting_role_is_per_agency),
		cmocka_unit_test(test_incident__authority_takes_its_steps),
		cmocka_unit_test(test_incident__token_acts_within_its_scope),
		cmocka_unit_test(test_incident__reporter_reads_own),
		cmocka_unit_test(test_incident__tasks),
		cmocka_unit_test(test_incident__links),
		cmocka_unit_test(test_incident__paging),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
