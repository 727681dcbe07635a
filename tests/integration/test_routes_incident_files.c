/*
 * test_routes_incident_files.c: incident attachments, stored documents and observables over the API
 * (R8.6, R11.2, R8.8) against a running `attt serve` whose attt.ini points scan.database at a
 * signature database this test makes (an .hsb hash signature of a generated "infected" file).
 * R8.6: a clean upload comes back byte for byte as a download (Content-Disposition, nosniff); an
 * infected one is quarantined (422), listed as such, never downloadable (403), and the detection
 * is on the timeline, in the audit trail and in the officer's notifications; the size limit
 * answers 413 and an unknown type 415 with nothing stored; another agency's officer gets 403, an
 * anonymous caller 401; a staff member may add evidence to their own report only, the agency's head
 * (incident.approve) to any of its agency's incidents.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include <cmocka.h>
#include <sodium.h>

#include "integration/auth_helpers.h"

static struct harness_server srv;
static struct who staff, staff2, officer, other, head, head2;
static char ipath[64];     /* the staff member's incident */
static char cli_ipath[64]; /* an incident reported on the command line (no reporter account) */
static char infected[128];
static size_t infected_len;

/* The signature database and the limits, then the server again on the same data directory. */
static int configure(void)
{
	unsigned char h[32];
	char hex[65], path[512], sigs[400];
	const char *serve[] = {"serve", "--data", srv.data, "--listen", "127.0.0.1:0", NULL};
	FILE *f;

	if (harness_server_stop(&srv) != 0)
		return -1;
	infected_len = (size_t)snprintf(infected, sizeof(infected), "R8.6 tệp nhiễm thử %s\n", srv.tmp);
	crypto_hash_sha256(h, (const unsigned char *)infected, infected_len);
	sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
	snprintf(sigs, sizeof(sigs), "%s/sigs", srv.tmp);
	if (mkdir(sigs, 0700) != 0)
		return -1;
	snprintf(path, sizeof(path), "%s/test.hsb", sigs);
	f = fopen(path, "we");
	if (!f)
		return -1;
	fprintf(f, "%s:%zu:Attt.Test.Upload\n", hex, infected_len);
	fclose(f);
	snprintf(path, sizeof(path), "%s/attt.ini", srv.data);
	f = fopen(path, "ae");
	if (!f)
		return -1;
	fprintf(f, "\n[scan]\ndatabase = %s\n[incident]\nattachment_max_bytes = 4096\n", sigs);
	fclose(f);
	return harness_spawn(&srv, serve);
}

static int setup(void **state)
{
	const char *a1[] = {"agency", "add", "--name", "Tỉnh", "--type", "province", NULL};
	const char *a2[] = {"agency", "add", "--name", "Sở Một", "--type", "department", "--parent", "1", NULL};
	const char *a3[] = {"agency", "add", "--name", "Sở Hai", "--type", "department", "--parent", "1", NULL};
	const char *rep[] = {"incident", "report", "--agency", "2", "--title", "Sự cố dòng lệnh", "--description", "x", NULL};
	struct harness_resp r;
	json_t *j;
	(void)state;

	harness_init();
	if (harness_server_start(&srv, NULL) != 0 || configure() != 0)
		return -1;
	json_decref(cli_ok(&srv, a1));
	json_decref(cli_ok(&srv, a2));
	json_decref(cli_ok(&srv, a3));
	if (make_user(&srv, &staff, "c.bo", "Hoàng Văn Bộ", "2", "staff", false) != 0 ||
	    make_user(&srv, &staff2, "c.hai", "Đỗ Thị Hai", "2", "staff", false) != 0 ||
	    make_user(&srv, &officer, "o.mot", "Lê Văn Cán", "2", "security_officer", true) != 0 ||
	    make_user(&srv, &other, "o.hai", "Trần Thị Khác", "3", "security_officer", true) != 0 ||
	    make_user(&srv, &head, "h.mot", "Vũ Văn Thủ Trưởng", "2", "agency_head", true) != 0 ||
	    make_user(&srv, &head2, "h.hai", "Phạm Thị Thủ Trưởng", "3", "agency_head", true) != 0)
		return -1;
	if (call(&srv, "POST", "/api/v1/incidents", &staff,
		 "{\"title\":\"Thư lừa đảo\",\"description\":\"Tệp đính kèm lạ\",\"incident_type\":\"phishing\"}", &r) != 0 ||
	    r.status != 201)
		return -1;
	j = harness_json(&r);
	harness_resp_free(&r);
	snprintf(ipath, sizeof(ipath), "/api/v1/incidents/%lld", (long long)json_integer_value(json_object_get(j, "id")));
	json_decref(j);
	j = cli_ok(&srv, rep);
	snprintf(cli_ipath, sizeof(cli_ipath), "/api/v1/incidents/%lld",
		 (long long)json_integer_value(json_object_get(j, "id")));
	json_decref(j);
	return 0;
}

static int teardown(void **state)
{
	int st;
	(void)state;
	/* 0: a clean stop, which under the sanitizers also means the engine was freed (tick_scan). */
	st = harness_server_stop(&srv);
	harness_server_cleanup(&srv);
	return st == 0 ? 0 : -1;
}

/* A raw upload as w (NULL: anonymous) of p[0..n) named name. */
static long upload(const char *incident, const struct who *w, const char *name, const void *p, size_t n,
		   json_t **ret)
{
	const char *h[4] = {"Content-Type: application/octet-stream", NULL, NULL, NULL};
	struct harness_resp r;
	char url[512];
	long st;

	if (w) {
		h[1] = w->cookie;
		h[2] = w->csrf;
	}
	snprintf(url, sizeof(url), "%s%s/attachments?name=%s", srv.url, incident, name);
	assert_int_equal(harness_request("POST", url, h, p, n, &r), 0);
	st = r.status;
	if (ret)
		*ret = harness_json(&r);
	harness_resp_free(&r);
	return st;
}

/* R8.6: a staff member attaches evidence to their own report; an officer downloads it unchanged. */
static void test_files__clean_upload_downloads_identical(void **state)
{
	const char body[] = "Received: from mail.example\r\nSubject: hoa don\r\n\r\nxin chao\r\n";
	char path[160], cd[512], nosniff[64];
	struct harness_resp r;
	json_t *j = NULL;
	(void)state;

	assert_int_equal(upload(ipath, &staff, "th%C6%B0%20l%E1%BA%A1.eml", body, sizeof(body) - 1, &j), 201);
	assert_string_equal(json_string_value(json_object_get(j, "state")), "clean");
	assert_string_equal(json_string_value(json_object_get(j, "media_type")), "message/rfc822");
	assert_string_equal(json_string_value(json_object_get(j, "name")), "thư lạ.eml");
	long long aid = json_integer_value(json_object_get(j, "id"));
	json_decref(j);
	/* the reporter follows their own report's list (issue 5), the officer reads it (incident.read) */
	snprintf(path, sizeof(path), "%s/attachments", ipath);
	j = get_json_as(&srv, path, &staff, 200);
	assert_int_equal(json_integer_value(json_object_get(j, "count")), 1);
	json_decref(j);
	j = get_json_as(&srv, path, &officer, 200);
	assert_int_equal(json_integer_value(json_object_get(j, "count")), 1);
	json_decref(j);
	snprintf(path, sizeof(path), "%s/attachments/%lld", ipath, aid);
	assert_int_equal(call(&srv, "GET", path, &officer, NULL, &r), 0);
	assert_int_equal(r.status, 200);
	assert_int_equal(r.body_len, sizeof(body) - 1);
	assert_memory_equal(r.body, body, r.body_len);
	assert_true(harness_header(&r, "Content-Disposition", cd, sizeof(cd)));
	assert_non_null(strstr(cd, "attachment; filename=\""));
	assert_non_null(strstr(cd, "filename*=UTF-8''th%C6%B0%20l%E1%BA%A1.eml"));
	assert_true(harness_header(&r, "X-Content-Type-Options", nosniff, sizeof(nosniff)));
	assert_string_equal(nosniff, "nosniff");
	harness_resp_free(&r);
	assert_true(db_count(&srv, "SELECT count(*) FROM audit_event WHERE action = 'incident.attach'") >= 1);
	assert_true(db_count(&srv, "SELECT count(*) FROM audit_event WHERE action = 'incident.attachment.download' "
				   "AND outcome = 0") >= 1);
}

/* R8.6: an infected upload is quarantined: 422, listed, never downloadable, recorded and notified. */
static void test_files__infected_quarantined(void **state)
{
	char path[160];
	struct harness_resp r;
	json_t *j = NULL, *it, *ev;
	size_t i;
	bool malware = false;
	(void)state;

	assert_int_equal(upload(ipath, &officer, "hoa-don.txt", infected, infected_len, &j), 422);
	assert_non_null(strstr(json_string_value(json_object_get(j, "type")), "infected"));
	json_decref(j);
	snprintf(path, sizeof(path), "%s/attachments", ipath);
	j = get_json_as(&srv, path, &officer, 200);
	long long qid = 0;
	json_array_foreach(json_object_get(j, "items"), i, it)
		if (strcmp(json_string_value(json_object_get(it, "state")), "quarantined") == 0) {
			qid = json_integer_value(json_object_get(it, "id"));
			assert_non_null(strstr(json_string_value(json_object_get(it, "signature")), "Attt.Test.Upload"));
		}
	json_decref(j);
	assert_true(qid > 0);
	snprintf(path, sizeof(path), "%s/attachments/%lld", ipath, qid);
	assert_int_equal(call(&srv, "GET", path, &officer, NULL, &r), 0);
	assert_int_equal(r.status, 403);
	assert_null(strstr(r.body, "R8.6 tệp nhiễm"));
	harness_resp_free(&r);
	j = get_json_as(&srv, ipath, &officer, 200);
	json_array_foreach(json_object_get(j, "timeline"), i, ev)
		malware = malware || strcmp(json_string_value(json_object_get(ev, "kind")), "malware") == 0;
	json_decref(j);
	assert_true(malware);
	assert_int_equal(db_count(&srv, "SELECT count(*) FROM audit_event WHERE action = 'incident.quarantine'"), 1);
	assert_int_equal(db_count(&srv, "SELECT count(*) FROM audit_event WHERE action = 'incident.attachment.download' "
				     "AND outcome = 2"),
			 1);
	assert_true(db_count(&srv, "SELECT count(*) FROM notification WHERE kind = 'incident.malware_detected'") >= 1);
}

/* R8.6: the size limit (413) and an unknown type (415) store nothing. */
static void test_files__limits_store_nothing(void **state)
{
	static char big[5000];
	const unsigned char exe[] = {'M', 'Z', 0x90, 0x00, 0x03, 0x00, 0x00, 0x00};
	long long before = db_count(&srv, "SELECT count(*) FROM incident_attachment");
	(void)state;

	memset(big, 'a', sizeof(big));
	assert_int_equal(upload(ipath, &officer, "big.txt", big, sizeof(big), NULL), 413);
	assert_int_equal(upload(ipath, &officer, "a.exe", exe, sizeof(exe), NULL), 415);
	assert_int_equal(upload(ipath, &officer, "empty.txt", "", 0, NULL), 400);
	assert_int_equal(db_count(&srv, "SELECT count(*) FROM incident_attachment"), before);
}

/* Another agency's officer 403, anonymous 401, a staff member who did not report it 403. */
static void test_files__who_may(void **state)
{
	char path[160];
	struct harness_resp r;
	(void)state;

	snprintf(path, sizeof(path), "%s/attachments", ipath);
	assert_int_equal(call(&srv, "GET", path, &other, NULL, &r), 0);
	assert_int_equal(r.status, 403);
	harness_resp_free(&r);
	assert_int_equal(upload(ipath, &other, "x.txt", "x\n", 2, NULL), 403);
	assert_int_equal(upload(ipath, NULL, "x.txt", "x\n", 2, NULL), 401);
	assert_int_equal(call(&srv, "GET", path, NULL, NULL, &r), 0);
	assert_int_equal(r.status, 401);
	harness_resp_free(&r);
	snprintf(path, sizeof(path), "%s/attachments/1", ipath);
	assert_int_equal(call(&srv, "GET", path, &other, NULL, &r), 0);
	assert_int_equal(r.status, 403);
	harness_resp_free(&r);
	/* a staff member of the same agency, not the reporter; and the reporter on another's report */
	assert_int_equal(upload(ipath, &staff2, "x.txt", "x\n", 2, NULL), 403);
	assert_int_equal(upload(cli_ipath, &staff, "x.txt", "x\n", 2, NULL), 403);
	/* Issue 5: the reporter follows their own report's files and observables (not another's, and
	 * not the stored forms); a colleague who did not report it sees none of them. */
	{
		json_t *mine = NULL;
		snprintf(path, sizeof(path), "%s/attachments", ipath);
		mine = get_json_as(&srv, path, &staff, 200);
		assert_true(json_array_size(json_object_get(mine, "items")) >= 1);
		snprintf(path, sizeof(path), "%s/attachments/%lld", ipath,
			 (long long)json_integer_value(json_object_get(json_array_get(json_object_get(mine, "items"), 0), "id")));
		json_decref(mine);
		assert_int_equal(call(&srv, "GET", path, &staff2, NULL, &r), 0);
		assert_int_equal(r.status, 403);
		harness_resp_free(&r);
		snprintf(path, sizeof(path), "%s/observables", ipath);
		json_decref(get_json_as(&srv, path, &staff, 200));
		assert_int_equal(call(&srv, "GET", path, &staff2, NULL, &r), 0);
		assert_int_equal(r.status, 403);
		harness_resp_free(&r);
		snprintf(path, sizeof(path), "%s/attachments", cli_ipath);
		assert_int_equal(call(&srv, "GET", path, &staff, NULL, &r), 0);
		assert_int_equal(r.status, 403);
		harness_resp_free(&r);
	}
	/* R8.6: the agency's head (incident.approve) adds evidence to any incident of the agency, the
	 * head of another agency to none of it. */
	assert_int_equal(upload(cli_ipath, &head, "bien-ban.txt", "Biên bản làm việc\n", 24, NULL), 201);
	assert_int_equal(upload(cli_ipath, &head2, "x.txt", "x\n", 2, NULL), 403);
	assert_int_equal(db_count(&srv, "SELECT count(*) FROM incident_attachment WHERE uploader = 'h.mot' AND "
				     "name = 'bien-ban.txt' AND state = 'clean'"),
			 1);
	assert_int_equal(upload("/api/v1/incidents/999", &officer, "x.txt", "x\n", 2, NULL), 404);
}

/* R11.2: a generated Mẫu 03 is downloaded again as stored. */
static void test_files__document_download(void **state)
{
	char path[160];
	struct harness_resp r;
	json_t *j;
	(void)state;

	snprintf(path, sizeof(path), "%s/forms/03", ipath);
	assert_int_equal(call(&srv, "GET", path, &officer, NULL, &r), 0);
	assert_int_equal(r.status, 200);
	harness_resp_free(&r);
	j = get_json_as(&srv, ipath, &officer, 200);
	json_t *doc = json_array_get(json_object_get(j, "documents"), 0);
	assert_non_null(doc);
	long long did = json_integer_value(json_object_get(doc, "id"));
	long long size = json_integer_value(json_object_get(doc, "size"));
	json_decref(j);
	snprintf(path, sizeof(path), "%s/documents/%lld", ipath, did);
	assert_int_equal(call(&srv, "GET", path, &officer, NULL, &r), 0);
	assert_int_equal(r.status, 200);
	assert_int_equal((long long)r.body_len, size);
	assert_memory_equal(r.body, "%PDF", 4);
	harness_resp_free(&r);
	assert_int_equal(call(&srv, "GET", path, &other, NULL, &r), 0);
	assert_int_equal(r.status, 403);
	harness_resp_free(&r);
	snprintf(path, sizeof(path), "%s/documents/%lld", ipath, did + 1000);
	assert_int_equal(call(&srv, "GET", path, &officer, NULL, &r), 0);
	assert_int_equal(r.status, 404);
	harness_resp_free(&r);
}

/* R8.8: observables over the API; a duplicate is 409, a malformed value 400. */
static void test_files__observables(void **state)
{
	char path[160];
	struct harness_resp r;
	json_t *j;
	(void)state;

	snprintf(path, sizeof(path), "%s/observables", ipath);
	assert_int_equal(call(&srv, "POST", path, &officer, "{\"kind\":\"ip\",\"value\":\"203.0.113.9\"}", &r), 0);
	assert_int_equal(r.status, 201);
	harness_resp_free(&r);
	assert_int_equal(call(&srv, "POST", path, &officer, "{\"kind\":\"ip\",\"value\":\"203.0.113.9\"}", &r), 0);
	assert_int_equal(r.status, 409);
	harness_resp_free(&r);
	assert_int_equal(call(&srv, "POST", path, &officer, "{\"kind\":\"ip\",\"value\":\"not an ip\"}", &r), 0);
	assert_int_equal(r.status, 400);
	harness_resp_free(&r);
	assert_int_equal(call(&srv, "POST", path, &staff, "{\"kind\":\"domain\",\"value\":\"lua-dao.example\"}", &r), 0);
	assert_int_equal(r.status, 201); /* the reporter adds to their own report */
	harness_resp_free(&r);
	assert_int_equal(call(&srv, "POST", path, &other, "{\"kind\":\"domain\",\"value\":\"x.example\"}", &r), 0);
	assert_int_equal(r.status, 403);
	harness_resp_free(&r);
	/* the agency's head (incident.approve) adds one too; another agency's head may not */
	assert_int_equal(call(&srv, "POST", path, &head, "{\"kind\":\"hash\",\"value\":\"d41d8cd98f00b204e9800998ecf8427e\"}", &r), 0);
	assert_int_equal(r.status, 201);
	harness_resp_free(&r);
	assert_int_equal(call(&srv, "POST", path, &head2, "{\"kind\":\"domain\",\"value\":\"y.example\"}", &r), 0);
	assert_int_equal(r.status, 403);
	harness_resp_free(&r);
	j = get_json_as(&srv, path, &officer, 200);
	assert_int_equal(json_integer_value(json_object_get(j, "count")), 3);
	json_decref(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_files__clean_upload_downloads_identical),
		cmocka_unit_test(test_files__infected_quarantined),
		cmocka_unit_test(test_files__limits_store_nothing),
		cmocka_unit_test(test_files__who_may),
		cmocka_unit_test(test_files__document_download),
		cmocka_unit_test(test_files__observables),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
