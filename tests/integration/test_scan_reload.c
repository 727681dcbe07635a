/*
 * test_scan_reload.c: R8.6 with a signature database that changes under a running `attt serve`
 * (clamav-freshclam replacing files in /var/lib/clamav). The server's engine compares the database
 * with the one it loaded once a minute of the app clock (tick_scan.c; an upload makes a check that
 * is due itself, routes_incident_files.c), so this test moves the server's clock with the test hook
 * (ATTT_TEST_HOOKS, docs/testing.md) instead of waiting a minute:
 *   a file that only a NEW signature matches is accepted as clean; the signature is added to the
 *   database; once the clock has passed the check interval the same file is quarantined, and the
 *   old signature still holds. A database that no longer loads keeps the loaded engine.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include <cmocka.h>
#include <sodium.h>

#include "attt/clock.h"
#include "integration/auth_helpers.h"

#define CHECK_INTERVAL_S 60 /* INCIDENT_SCAN_CHECK_US of src/attt/incident_files.h */

static struct harness_server srv;
static struct who officer;
static char ipath[64];
static char sigs[400];
static char old_sample[160], new_sample[160];
static size_t old_len, new_len;

/* "HASH:SIZE:NAME\n" of p[0..n): a hash signature (.hsb) that matches exactly those bytes. */
static void hsb_line(const char *p, size_t n, const char *name, char *out, size_t size)
{
	unsigned char h[32];
	char hex[65];

	crypto_hash_sha256(h, (const unsigned char *)p, n);
	sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
	snprintf(out, size, "%s:%zu:%s\n", hex, n, name);
}

/* Writes text as sigs/name by rename, as clamav-freshclam replaces its files. */
static int put_sigs(const char *name, const char *text)
{
	char tmp[512], path[512];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s/sigs.tmp", srv.tmp);
	snprintf(path, sizeof(path), "%s/%s", sigs, name);
	f = fopen(tmp, "we");
	if (!f)
		return -1;
	if (fputs(text, f) < 0) {
		fclose(f);
		return -1;
	}
	if (fclose(f) != 0)
		return -1;
	return rename(tmp, path);
}

static int setup(void **state)
{
	const char *a1[] = {"agency", "add", "--name", "Tỉnh", "--type", "province", NULL};
	const char *a2[] = {"agency", "add", "--name", "Sở Một", "--type", "department", "--parent", "1", NULL};
	const char *rep[] = {"incident", "report", "--agency", "2", "--title", "Thư lừa đảo", "--description", "x", NULL};
	const char *serve[] = {"serve", "--data", srv.data, "--listen", "127.0.0.1:0", NULL};
	char line[256], path[512];
	json_t *j;
	FILE *f;
	(void)state;

	harness_init();
	if (harness_server_start(&srv, NULL) != 0 || harness_server_stop(&srv) != 0)
		return -1;
	/* Unique to this run, so that no real signature and no other test's matches them. */
	old_len = (size_t)snprintf(old_sample, sizeof(old_sample), "R8.6 mẫu cũ %s\n", srv.tmp);
	new_len = (size_t)snprintf(new_sample, sizeof(new_sample), "R8.6 mẫu mới %s\n", srv.tmp);
	snprintf(sigs, sizeof(sigs), "%s/sigs", srv.tmp);
	if (mkdir(sigs, 0700) != 0)
		return -1;
	hsb_line(old_sample, old_len, "Attt.Test.Old", line, sizeof(line));
	if (put_sigs("old.hsb", line) != 0)
		return -1;
	snprintf(path, sizeof(path), "%s/attt.ini", srv.data);
	f = fopen(path, "ae");
	if (!f)
		return -1;
	fprintf(f, "\n[scan]\ndatabase = %s\n", sigs);
	fclose(f);
	if (harness_spawn(&srv, serve) != 0)
		return -1;
	if (!(j = cli_json(&srv, a1)))
		return -1;
	json_decref(j);
	if (!(j = cli_json(&srv, a2)))
		return -1;
	json_decref(j);
	if (make_user(&srv, &officer, "o.mot", "Lê Văn Cán", "2", "security_officer", true) != 0)
		return -1;
	if (!(j = cli_json(&srv, rep)))
		return -1;
	snprintf(ipath, sizeof(ipath), "/api/v1/incidents/%lld", (long long)json_integer_value(json_object_get(j, "id")));
	json_decref(j);
	return 0;
}

static int teardown(void **state)
{
	int st;
	(void)state;
	st = harness_server_stop(&srv); /* 0: a clean stop, the engine freed by the last tick */
	harness_server_cleanup(&srv);
	return st == 0 ? 0 : -1;
}

/* Uploads p[0..n) as the officer; returns the status, *ret_sig the signature of a 422 (or ""). */
static long upload(const char *name, const char *p, size_t n, char *ret_sig, size_t sigsize)
{
	const char *h[4] = {"Content-Type: application/octet-stream", officer.cookie, officer.csrf, NULL};
	struct harness_resp r;
	char url[512];
	long st;

	snprintf(url, sizeof(url), "%s%s/attachments?name=%s", srv.url, ipath, name);
	assert_int_equal(harness_request("POST", url, h, p, n, &r), 0);
	st = r.status;
	harness_resp_free(&r);
	ret_sig[0] = '\0';
	if (st == 422) {
		struct harness_resp q;
		json_t *j, *it;
		size_t i;
		/* The newest quarantined row of the incident names the signature. */
		snprintf(url, sizeof(url), "%s/attachments", ipath);
		assert_int_equal(call(&srv, "GET", url, &officer, NULL, &q), 0);
		assert_int_equal(q.status, 200);
		j = harness_json(&q);
		harness_resp_free(&q);
		assert_non_null(j);
		json_array_foreach(json_object_get(j, "items"), i, it)
			if (json_is_string(json_object_get(it, "signature")))
				snprintf(ret_sig, sigsize, "%s", json_string_value(json_object_get(it, "signature")));
		json_decref(j);
	}
	return st;
}

#ifdef ATTT_TEST_HOOKS
/* Moves the server's clock forward by at least s seconds past real time plus what was moved
 * before: the test hook's offset file, replaced by rename (docs/testing.md). */
static void server_clock_forward(long long s)
{
	static long long offset_s;
	char tmp[512], path[512];
	FILE *f;

	offset_s += s;
	snprintf(tmp, sizeof(tmp), "%s/%s.tmp", srv.data, ATTT_TEST_CLOCK_FILE);
	snprintf(path, sizeof(path), "%s/%s", srv.data, ATTT_TEST_CLOCK_FILE);
	f = fopen(tmp, "w");
	assert_non_null(f);
	assert_true(fprintf(f, "%lld\n", offset_s) > 0);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(rename(tmp, path), 0);
}
#endif

/* R8.6: new signatures reach a running server within one check interval of its clock. */
static void test_scan__new_signature_after_interval(void **state)
{
#ifdef ATTT_TEST_HOOKS
	char sig[256], line[256];
	(void)state;

	/* The engine is loaded with the one signature: the old sample is caught, the new one passes. */
	assert_int_equal(upload("cu.txt", old_sample, old_len, sig, sizeof(sig)), 422);
	assert_non_null(strstr(sig, "Attt.Test.Old"));
	assert_int_equal(upload("moi.txt", new_sample, new_len, sig, sizeof(sig)), 201);
	/* clamav-freshclam brings a signature for it ... */
	hsb_line(new_sample, new_len, "Attt.Test.New", line, sizeof(line));
	assert_int_equal(put_sigs("new.hsb", line), 0);
	/* ... and once the check interval has passed on the server's clock, the same file is
	 * quarantined; the old signature still holds. */
	server_clock_forward(CHECK_INTERVAL_S + 1);
	assert_int_equal(upload("moi-2.txt", new_sample, new_len, sig, sizeof(sig)), 422);
	assert_non_null(strstr(sig, "Attt.Test.New"));
	assert_int_equal(upload("cu-2.txt", old_sample, old_len, sig, sizeof(sig)), 422);
	assert_int_equal(db_count(&srv, "SELECT count(*) FROM incident_attachment WHERE name = 'moi.txt' AND "
					"state = 'clean'"),
			 1);
	assert_int_equal(db_count(&srv, "SELECT count(*) FROM incident_attachment WHERE name = 'moi-2.txt' AND "
					"state = 'quarantined' AND signature LIKE 'Attt.Test.New%'"),
			 1);
	assert_int_equal(db_count(&srv, "SELECT count(*) FROM audit_event WHERE action = 'incident.quarantine'"), 3);
#else
	(void)state;
	skip(); /* built without ATTT_TEST_HOOKS: the server's clock cannot be moved */
#endif
}

/* R8.6: a database that no longer loads (a malformed file) keeps the engine that is loaded:
 * uploads are still scanned with the last good signatures, never refused or passed unscanned. */
static void test_scan__broken_database_keeps_engine(void **state)
{
#ifdef ATTT_TEST_HOOKS
	char sig[256];
	(void)state;

	assert_int_equal(put_sigs("broken.hsb", "not a signature\n"), 0);
	server_clock_forward(CHECK_INTERVAL_S + 1);
	assert_int_equal(upload("moi-3.txt", new_sample, new_len, sig, sizeof(sig)), 422);
	assert_non_null(strstr(sig, "Attt.Test.New"));
	assert_int_equal(upload("sach.txt", "Nhật ký sạch\n", strlen("Nhật ký sạch\n"), sig, sizeof(sig)), 201);
#else
	(void)state;
	skip();
#endif
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scan__new_signature_after_interval),
		cmocka_unit_test(test_scan__broken_database_keeps_engine),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
