/*
 * test_attach.c: incident attachments (R8.6) and stored documents handed out again (R11.2), with a
 * libclamav engine over a signature database this test makes (an .hsb hash signature of a generated
 * sample), never /var/lib/clamav. Checks: a clean file is stored and read back byte for byte with
 * its audit events and timeline row; an infected one is quarantined (masked at rest, never read,
 * detection on the timeline, in the audit trail and in the officers' notifications); no engine,
 * size, count and type limits store nothing; names are sanitised and Content-Disposition encoded.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>
#include <jansson.h>
#include <sodium.h>

#include "attt/audit.h"
#include "attt/clock.h"
#include "attt/config.h"
#include "attt/db.h"
#include "attt/err.h"
#include "attt/incident.h"
#include "attt/limits.h"
#include "attt/org.h"
#include "attt/scan.h"

struct t {
	char dir[64], path[128];
	struct attt_db *db;
	int64_t now;
	struct attt_clock clock;
	struct attt_actor actor;
	struct attt_scan *scan;
	struct attt_incident_attach_limits lim;
	int64_t agency, incident;
	char sample[128]; /* infected by the test's signature */
	size_t sample_len;
};

static const char *const all_types[] = { "pdf", "png", "jpeg", "gif", "webp", "text", "zip", "ole", "pcap",
					 "pcapng", "gzip", "7z", "eml", NULL };

static int64_t count(struct t *t, const char *sql)
{
	struct attt_stmt *st = NULL;
	int64_t n;
	assert_int_equal(attt_db_prepare(t->db, sql, &st), ATTT_OK);
	assert_int_equal(attt_stmt_step(st), 1);
	n = attt_stmt_int64(st, 0);
	attt_stmt_finalize(st);
	return n;
}

static int setup(void **state)
{
	struct t *t = calloc(1, sizeof(*t));
	struct attt_agency_new ag = { .name = "Sở Y tế", .type = ATTT_AGENCY_DEPARTMENT };
	struct attt_incident_new in = { .title = "Máy trạm nhiễm mã độc", .description = "Tệp lạ trong thư" };
	unsigned char h[32];
	char hex[65], line[256], sigdir[128], sigfile[160], err[512], sql[1024];
	FILE *f;

	assert_non_null(t);
	snprintf(t->dir, sizeof(t->dir), "/tmp/attt-attach-test-XXXXXX");
	assert_non_null(mkdtemp(t->dir));
	snprintf(t->path, sizeof(t->path), "%s/attt.db", t->dir);
	assert_int_equal(attt_db_open(t->path, ATTT_DB_CREATE, &t->db), ATTT_OK);
	assert_int_equal(attt_db_exec(t->db, "PRAGMA synchronous=OFF"), ATTT_OK);
	assert_int_equal(attt_db_migrate(t->db), ATTT_OK);
	t->now = INT64_C(1795000000000000);
	t->clock.now_us = attt_clock_fake_now;
	t->clock.ctx = &t->now;
	t->actor.username = "cli";
	t->actor.source = "cli";
	/* The signature database: the sha256 of a sample unique to this run. */
	t->sample_len = (size_t)snprintf(t->sample, sizeof(t->sample), "R8.6 mẫu nhiễm thử %s\n", t->dir);
	crypto_hash_sha256(h, (const unsigned char *)t->sample, t->sample_len);
	sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
	snprintf(line, sizeof(line), "%s:%zu:Attt.Test.Attachment\n", hex, t->sample_len);
	snprintf(sigdir, sizeof(sigdir), "%s/sigs", t->dir);
	assert_int_equal(mkdir(sigdir, 0700), 0);
	snprintf(sigfile, sizeof(sigfile), "%s/test.hsb", sigdir);
	f = fopen(sigfile, "we");
	assert_non_null(f);
	fputs(line, f);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(attt_scan_open(sigdir, &t->scan, err, sizeof(err)), ATTT_OK);
	t->lim.max_bytes = 1024;
	t->lim.max_count = 4;
	t->lim.types = all_types;
	assert_int_equal(attt_org_agency_add(t->db, &t->clock, &t->actor, &ag, &t->agency), ATTT_OK);
	in.agency_id = t->agency;
	assert_int_equal(attt_incident_report(t->db, &t->clock, NULL, &t->actor, &in, &t->incident), ATTT_OK);
	/* The agency's security officer, who hears of a detection. */
	snprintf(sql, sizeof(sql),
		 "INSERT INTO account (id, username, kind, service_name, agency_id, status, created_at, updated_at) "
		 "VALUES (20, 'so.yte', 'service', 'so', %lld, 'active', 0, 0);"
		 "INSERT INTO role_grant (account_id, role, agency_id, granted_at) VALUES (20, 'security_officer', %lld, 0);",
		 (long long)t->agency, (long long)t->agency);
	assert_int_equal(attt_db_exec(t->db, sql), ATTT_OK);
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct t *t = *state;
	char cmd[128];
	attt_scan_close(t->scan);
	attt_db_close(t->db);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t->dir);
	if (system(cmd) != 0)
		return -1;
	free(t);
	return 0;
}

/* R8.6: a clean file is stored with its hash and type, listed, and read back identical, audited. */
static void test_attt_incident_attach__clean_stored_and_read(void **state)
{
	struct t *t = *state;
	struct attt_incident_attachment a;
	struct attt_incident_file f;
	const char body[] = "Nhật ký tường lửa 10.0.0.5 -> 203.0.113.7\n";
	json_t *j = NULL, *it;

	assert_int_equal(attt_incident_attach(t->db, &t->clock, t->scan, &t->lim, &t->actor, t->incident, "log/fw.txt",
					      body, sizeof(body) - 1, &a),
			 ATTT_OK);
	assert_false(a.quarantined);
	assert_true(a.id > 0);
	assert_string_equal(a.name, "fw.txt");
	assert_string_equal(a.media_type, "text/plain; charset=utf-8");
	assert_int_equal(a.size, sizeof(body) - 1);
	assert_int_equal(strlen(a.sha256), 64);
	assert_int_equal(count(t, "SELECT count(*) FROM audit_event WHERE action = 'incident.attach' AND rule = 'R8.6'"), 1);
	assert_int_equal(count(t, "SELECT count(*) FROM incident_event WHERE kind = 'attachment' AND to_value = 'fw.txt'"), 1);
	assert_int_equal(attt_incident_attachments_json(t->db, t->incident, &j), ATTT_OK);
	assert_int_equal(json_integer_value(json_object_get(j, "count")), 1);
	it = json_array_get(json_object_get(j, "items"), 0);
	assert_string_equal(json_string_value(json_object_get(it, "state")), "clean");
	assert_true(json_is_null(json_object_get(it, "signature")));
	assert_string_equal(json_string_value(json_object_get(it, "sha256")), a.sha256);
	json_decref(j);
	assert_int_equal(attt_incident_attachment_read(t->db, &t->clock, &t->actor, t->incident, a.id, &f), ATTT_OK);
	assert_int_equal(f.size, sizeof(body) - 1);
	assert_memory_equal(f.data, body, f.size);
	assert_string_equal(f.name, "fw.txt");
	assert_string_equal(f.sha256, a.sha256);
	attt_incident_file_done(&f);
	assert_int_equal(count(t, "SELECT count(*) FROM audit_event WHERE action = 'incident.attachment.download' "
				  "AND outcome = 0 AND category = 5"),
			 1);
	/* another incident's id, or an unknown attachment: not found */
	assert_int_equal(attt_incident_attachment_read(t->db, &t->clock, &t->actor, t->incident + 1, a.id, &f),
			 ATTT_E_NOTFOUND);
	assert_int_equal(attt_incident_attachment_read(t->db, &t->clock, &t->actor, t->incident, a.id + 100, &f),
			 ATTT_E_NOTFOUND);
}

/* R8.6: an infected file is quarantined: masked at rest, never read, the detection recorded on the
 * timeline and in the audit trail, the agency's security officer notified. */
static void test_attt_incident_attach__infected_quarantined(void **state)
{
	struct t *t = *state;
	struct attt_incident_attachment a;
	struct attt_incident_file f;
	struct attt_stmt *st = NULL;
	const void *blob;
	size_t n = 0;

	assert_int_equal(attt_incident_attach(t->db, &t->clock, t->scan, &t->lim, &t->actor, t->incident, "hoa-don.txt",
					      t->sample, t->sample_len, &a),
			 ATTT_OK);
	assert_true(a.quarantined);
	assert_non_null(strstr(a.signature, "Attt.Test.Attachment"));
	assert_int_equal(count(t, "SELECT count(*) FROM incident_attachment WHERE state = 'quarantined' AND "
				  "signature LIKE 'Attt.Test.Attachment%'"),
			 1);
	/* the bytes at rest are not the malware's */
	assert_int_equal(attt_db_prepare(t->db, "SELECT content FROM incident_attachment WHERE state = 'quarantined'", &st),
			 ATTT_OK);
	assert_int_equal(attt_stmt_step(st), 1);
	blob = attt_stmt_blob(st, 0, &n);
	assert_int_equal(n, t->sample_len);
	assert_true(memcmp(blob, t->sample, n) != 0);
	assert_true(((const unsigned char *)blob)[0] == ((unsigned char)t->sample[0] ^ 0xA5u));
	attt_stmt_finalize(st);
	assert_int_equal(count(t, "SELECT count(*) FROM incident_event WHERE kind = 'malware'"), 1);
	assert_int_equal(count(t, "SELECT count(*) FROM audit_event WHERE action = 'incident.quarantine' AND rule = 'R8.6'"),
			 1);
	assert_int_equal(count(t, "SELECT count(*) FROM notification WHERE kind = 'incident.malware_detected' AND "
				  "account_id = 20"),
			 1);
	/* ... with the incident.quarantine template: the file, its hash, the signature, who uploaded it. */
	{
		char want[512];
		const char *body;
		assert_int_equal(attt_db_prepare(t->db, "SELECT subject, body FROM notification WHERE kind = "
						 "'incident.malware_detected' AND account_id = 20", &st),
				 ATTT_OK);
		assert_int_equal(attt_stmt_step(st), 1);
		assert_string_equal(attt_stmt_text(st, 0),
				    "[ATTT] Phát hiện mã độc trong tệp đính kèm sự cố: Máy trạm nhiễm mã độc");
		body = attt_stmt_text(st, 1);
		assert_non_null(strstr(body, "Kính gửi so.yte,"));
		assert_non_null(strstr(body, "Tệp đính kèm sự cố \"Máy trạm nhiễm mã độc\" của Sở Y tế chứa mã độc"));
		snprintf(want, sizeof(want), "Tệp: hoa-don.txt (%zu byte)\nSHA-256: %s\nMẫu nhận diện: %s\nNgười tải lên: cli\n",
			 t->sample_len, a.sha256, a.signature);
		assert_non_null(strstr(body, want));
		assert_null(strstr(body, "{{"));
		attt_stmt_finalize(st);
		st = NULL;
	}
	/* never handed out; the attempt is audited as denied */
	memset(&f, 0, sizeof(f));
	assert_int_equal(attt_incident_attachment_read(t->db, &t->clock, &t->actor, t->incident, a.id, &f),
			 ATTT_E_INFECTED);
	assert_null(f.data);
	assert_int_equal(count(t, "SELECT count(*) FROM audit_event WHERE action = 'incident.attachment.download' AND "
				  "outcome = 2"),
			 1);
	/* an infected file is quarantined even when its type is not allowed */
	{
		static const char *const pdf_only[] = { "pdf", NULL };
		struct attt_incident_attach_limits lim = t->lim;
		lim.types = pdf_only;
		assert_int_equal(attt_incident_attach(t->db, &t->clock, t->scan, &lim, &t->actor, t->incident, "x.txt",
						      t->sample, t->sample_len, &a),
				 ATTT_OK);
		assert_true(a.quarantined);
	}
}

/* R8.6, fail closed, and the limits: nothing is stored for any of these. */
static void test_attt_incident_attach__refusals_store_nothing(void **state)
{
	struct t *t = *state;
	static const char *const pdf_only[] = { "pdf", NULL };
	struct attt_incident_attach_limits lim = t->lim;
	char big[2048];
	const unsigned char binary[] = { 0x00, 0x01, 0x02, 0xfe, 0xff, 0x00, 0x10 };

	memset(big, 'a', sizeof(big));
	assert_int_equal(attt_incident_attach(t->db, &t->clock, NULL, &t->lim, &t->actor, t->incident, "a.txt", "abc", 3,
					      NULL),
			 ATTT_E_CONFIG);
	assert_int_equal(attt_incident_attach(t->db, &t->clock, t->scan, &t->lim, &t->actor, t->incident, "a.txt", big,
					      sizeof(big), NULL),
			 ATTT_E_TOOBIG);
	assert_int_equal(attt_incident_attach(t->db, &t->clock, t->scan, &t->lim, &t->actor, t->incident, "a.txt", "", 0,
					      NULL),
			 ATTT_E_INVAL);
	assert_int_equal(attt_incident_attach(t->db, &t->clock, t->scan, &t->lim, &t->actor, t->incident, "a.bin", binary,
					      sizeof(binary), NULL),
			 ATTT_E_UNSUPPORTED);
	lim.types = pdf_only;
	assert_int_equal(attt_incident_attach(t->db, &t->clock, t->scan, &lim, &t->actor, t->incident, "a.txt", "abc", 3,
					      NULL),
			 ATTT_E_UNSUPPORTED);
	assert_int_equal(attt_incident_attach(t->db, &t->clock, t->scan, &t->lim, &t->actor, 999, "a.txt", "abc", 3, NULL),
			 ATTT_E_NOTFOUND);
	assert_int_equal(count(t, "SELECT count(*) FROM incident_attachment"), 0);
	assert_int_equal(count(t, "SELECT count(*) FROM audit_event WHERE rule = 'R8.6'"), 0);
	/* the count limit: quarantined files count too */
	for (unsigned i = 0; i < t->lim.max_count; i++) {
		char body[32];
		int n = snprintf(body, sizeof(body), "tệp số %u\n", i);
		assert_int_equal(attt_incident_attach(t->db, &t->clock, t->scan, &t->lim, &t->actor, t->incident, "n.txt",
						      body, (size_t)n, NULL),
				 ATTT_OK);
	}
	assert_int_equal(attt_incident_attach(t->db, &t->clock, t->scan, &t->lim, &t->actor, t->incident, "n.txt", "x\n",
					      2, NULL),
			 ATTT_E_CONFLICT);
	assert_int_equal(count(t, "SELECT count(*) FROM incident_attachment"), t->lim.max_count);
}

/* R8.6: untrusted names become safe, bounded, NFC names. */
static void test_attt_incident_file_name__sanitises(void **state)
{
	char out[ATTT_INCIDENT_MAX_FILE_NAME + 1], longname[600];
	static const struct {
		const char *in, *want;
	} cases[] = {
		{ "bao-cao.pdf", "bao-cao.pdf" },
		{ "../../etc/passwd", "passwd" },
		{ "C:\\Users\\an\\Desktop\\nhat ky.txt", "nhat ky.txt" },
		{ "..hidden", "hidden" },
		{ "...", "tep-dinh-kem" },
		{ "", "tep-dinh-kem" },
		{ "a\tb\x01" "c.txt", "a_b_c.txt" },
		{ "x:y*z?\"<>|.txt", "x_y_z_____.txt" },
		{ "trailing. . ", "trailing" },
		{ "Nguye\xcc\x82\xcc\x83n.txt", "Nguy\xe1\xbb\x85n.txt" }, /* NFD to NFC */
	};
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(attt_incident_file_name(cases[i].in, strlen(cases[i].in), out, sizeof(out)), ATTT_OK);
		assert_string_equal(out, cases[i].want);
	}
	assert_int_equal(attt_incident_file_name("a\xff.txt", 6, out, sizeof(out)), ATTT_E_INVAL);
	assert_int_equal(attt_incident_file_name("a\0b", 3, out, sizeof(out)), ATTT_E_INVAL);
	/* 300 two-byte letters: cut at a character boundary within the limit */
	for (int i = 0; i < 300; i++)
		memcpy(longname + 2 * i, "\xc3\xa9", 2);
	assert_int_equal(attt_incident_file_name(longname, 600, out, sizeof(out)), ATTT_OK);
	assert_int_equal(strlen(out), 254);
	assert_int_equal(attt_incident_file_name(longname, 600, out, 10), ATTT_E_TOOBIG);
	assert_int_equal(attt_incident_file_name(longname, 4 * ATTT_INCIDENT_MAX_FILE_NAME + 1, out, sizeof(out)),
			 ATTT_E_TOOBIG);
}

/* RFC 6266 / 5987: an ASCII fallback and the exact UTF-8 name, percent-encoded. */
static void test_attt_incident_content_disposition__encodes(void **state)
{
	char out[256];
	(void)state;

	assert_int_equal(attt_incident_content_disposition("báo cáo \"1\".pdf", out, sizeof(out)), ATTT_OK);
	assert_string_equal(out, "attachment; filename=\"b__o c__o _1_.pdf\"; "
				 "filename*=UTF-8''b%C3%A1o%20c%C3%A1o%20%221%22.pdf");
	assert_int_equal(attt_incident_content_disposition("a;b%c.txt", out, sizeof(out)), ATTT_OK);
	assert_string_equal(out, "attachment; filename=\"a;b_c.txt\"; filename*=UTF-8''a%3Bb%25c.txt");
	assert_int_equal(attt_incident_content_disposition("abc.txt", out, 20), ATTT_E_TOOBIG);
}

/* The sniffer knows every type the configuration accepts, and its default list. */
static void test_attt_incident_sniff_type__types(void **state)
{
	const struct attt_config_option *o = attt_config_option_find("incident.attachment_types");
	struct attt_config *cfg = NULL;
	const char *id = NULL, *media = NULL;
	char err[512], text[256], *list, *tok, *save = NULL;
	static const struct {
		const char *p;
		size_t n;
		const char *id;
	} cases[] = {
		{ "%PDF-1.7\n", 9, "pdf" },
		{ "\x89PNG\r\n\x1a\n\0\0", 10, "png" },
		{ "\xff\xd8\xff\xe0", 4, "jpeg" },
		{ "GIF89a..", 8, "gif" },
		{ "RIFF\0\0\0\0WEBPVP8 ", 16, "webp" },
		{ "PK\x03\x04\x14\0", 6, "zip" },
		{ "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 8, "ole" },
		{ "\xd4\xc3\xb2\xa1\x02\0", 6, "pcap" },
		{ "\x0a\x0d\x0d\x0a\0\0", 6, "pcapng" },
		{ "\x1f\x8b\x08\0", 4, "gzip" },
		{ "7z\xbc\xaf\x27\x1c\0", 7, "7z" },
		{ "Received: from x\r\nSubject: y\r\n\r\nbody\r\n", 38, "eml" },
		{ "\xef\xbb\xbfxin chào\n", 13, "text" },
	};
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_true(attt_incident_sniff_type(cases[i].p, cases[i].n, &id, &media));
		assert_string_equal(id, cases[i].id);
		assert_true(attt_incident_type_known(id));
	}
	assert_false(attt_incident_sniff_type("\x00\x01\x02", 3, &id, &media));
	assert_false(attt_incident_sniff_type("MZ\x90\x00", 4, &id, &media));
	/* every word of the default list is a type the sniffer knows, and attt.ini accepts them all */
	assert_non_null(o);
	list = strdup(o->def);
	assert_non_null(list);
	for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		assert_true(attt_incident_type_known(tok));
	free(list);
	for (size_t i = 0; all_types[i]; i++) {
		snprintf(text, sizeof(text), "[incident]\nattachment_types = %s\n", all_types[i]);
		assert_int_equal(attt_config_load_string(text, strlen(text), NULL, &cfg, err, sizeof(err)), ATTT_OK);
		attt_config_free(cfg);
		cfg = NULL;
	}
	snprintf(text, sizeof(text), "[incident]\nattachment_types = pdf,exe\n");
	assert_int_equal(attt_config_load_string(text, strlen(text), NULL, &cfg, err, sizeof(err)), ATTT_E_CONFIG);
	assert_false(attt_incident_type_known("exe"));
}

/* The limits come from attt.ini; an empty type list accepts nothing. */
static void test_attt_incident_attach_limits_from_config__reads(void **state)
{
	struct attt_incident_attach_limits lim;
	struct attt_config *cfg = NULL;
	const char text[] = "[incident]\nattachment_max_bytes = 4096\nattachment_max_count = 7\nattachment_types = pdf, png\n";
	char err[512];
	(void)state;

	assert_int_equal(attt_config_load_string(text, strlen(text), NULL, &cfg, err, sizeof(err)), ATTT_OK);
	attt_incident_attach_limits_from_config(cfg, &lim);
	assert_int_equal(lim.max_bytes, 4096);
	assert_int_equal(lim.max_count, 7);
	assert_string_equal(lim.types[0], "pdf");
	assert_string_equal(lim.types[1], "png");
	assert_null(lim.types[2]);
	attt_config_free(cfg);
	assert_int_equal(attt_config_load_string("", 0, NULL, &cfg, err, sizeof(err)), ATTT_OK);
	attt_incident_attach_limits_from_config(cfg, &lim);
	assert_int_equal(lim.max_bytes, 20u << 20);
	assert_int_equal(lim.max_count, 100);
	attt_config_free(cfg);
	/* above the upload limit of the server: refused at load */
	assert_int_equal(attt_config_load_string("[incident]\nattachment_max_bytes = 67108865\n", 43, NULL, &cfg, err,
						 sizeof(err)),
			 ATTT_E_CONFIG);
}

/* R11.2: a stored Mẫu comes back as stored, audited; scope names the agency. */
static void test_attt_incident_document_read__stored_pdf(void **state)
{
	struct t *t = *state;
	struct attt_incident_file f;
	int64_t doc = 0, agency = 0, reporter = -1;

	assert_int_equal(attt_incident_store_document(t->db, &t->clock, &t->actor, t->incident, "03", "%PDF-1.5 mau", 12,
						      &doc),
			 ATTT_OK);
	assert_int_equal(attt_incident_document_read(t->db, &t->clock, &t->actor, t->incident, doc, &f), ATTT_OK);
	assert_int_equal(f.size, 12);
	assert_memory_equal(f.data, "%PDF-1.5 mau", 12);
	assert_string_equal(f.media_type, "application/pdf");
	char want[64];
	snprintf(want, sizeof(want), "mau-03-%lld.pdf", (long long)t->incident);
	assert_string_equal(f.name, want);
	attt_incident_file_done(&f);
	assert_int_equal(count(t, "SELECT count(*) FROM audit_event WHERE action = 'incident.document.download'"), 1);
	assert_int_equal(attt_incident_document_read(t->db, &t->clock, &t->actor, t->incident, doc + 1, &f),
			 ATTT_E_NOTFOUND);
	assert_int_equal(attt_incident_scope(t->db, t->incident, &agency, &reporter), ATTT_OK);
	assert_int_equal(agency, t->agency);
	assert_int_equal(reporter, 0);
	assert_int_equal(attt_incident_scope(t->db, 999, &agency, &reporter), ATTT_E_NOTFOUND);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_attt_incident_attach__clean_stored_and_read, setup, teardown),
		cmocka_unit_test_setup_teardown(test_attt_incident_attach__infected_quarantined, setup, teardown),
		cmocka_unit_test_setup_teardown(test_attt_incident_attach__refusals_store_nothing, setup, teardown),
		cmocka_unit_test(test_attt_incident_file_name__sanitises),
		cmocka_unit_test(test_attt_incident_content_disposition__encodes),
		cmocka_unit_test(test_attt_incident_sniff_type__types),
		cmocka_unit_test(test_attt_incident_attach_limits_from_config__reads),
		cmocka_unit_test_setup_teardown(test_attt_incident_document_read__stored_pdf, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
