/*
 * test_import.c: CSV import of agencies and people (R1.2), all or nothing: a whole tree in one file
 * with rows in any order, every bad row reported as FILE:LINE: field: message, and nothing stored
 * (nor audited) when any row is bad.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>
#include <sodium.h>

#include "attt/audit.h"
#include "attt/buf.h"
#include "attt/db.h"
#include "attt/err.h"
#include "attt/limits.h"
#include "helpers.h"

static int import_agencies(struct odb *t, const char *csv, struct attt_org_import_report *rep)
{
	memset(rep, 0, sizeof(*rep));
	return attt_org_import_agencies(t->db, &t->clock, &t->actor, "agencies.csv", csv, strlen(csv), rep);
}

static int import_people(struct odb *t, const char *csv, size_t len, struct attt_org_import_report *rep)
{
	memset(rep, 0, sizeof(*rep));
	return attt_org_import_people(t->db, &t->clock, &t->actor, "people.csv", csv, len, rep);
}

/* R1.2: a tree in one file, children before their parents, Vietnamese column names. */
static void test_import_agencies__tree_any_order(void **state)
{
	struct odb *t = *state;
	struct attt_org_import_report rep;
	struct attt_agency a = { 0 };
	int64_t existing = o_agency(t, "Bộ Công an", ATTT_AGENCY_CENTRAL_BODY, "BCA", 0);
	const char *csv = "\xef\xbb\xbfma,ten,loai,ma_cap_tren\r\n"
			  "TN-STTTT-TT,Trung tâm CNTT và Truyền thông,public_service_unit,TN-STTTT\r\n"
			  "TN-STTTT,Sở Thông tin và Truyền thông,department,TN\r\n"
			  "TN,\"Tỉnh Thái Nguyên\",province,\r\n"
			  "CA-TN,Công an tỉnh,central_body,BCA\r\n"
			  ",Tổ không mã,other,TN-STTTT-TT\r\n";
	int64_t events = o_audit_count(t);
	bool in;

	assert_int_equal(import_agencies(t, csv, &rep), ATTT_OK);
	assert_int_equal(rep.rows, 5);
	assert_int_equal(rep.created, 5);
	assert_int_equal(rep.errors, 0);
	assert_null(rep.messages);
	attt_org_import_report_done(&rep);
	assert_int_equal(o_audit_count(t), events + 5); /* one event per record */

	assert_int_equal(attt_org_agency_get_by_code(t->db, "TN-STTTT-TT", &a), ATTT_OK);
	assert_int_equal(a.depth, 3);
	attt_org_agency_done(&a);
	assert_int_equal(attt_org_agency_get_by_code(t->db, "CA-TN", &a), ATTT_OK);
	assert_int_equal(a.parent_id, existing);
	assert_int_equal(attt_org_agency_within(t->db, a.id, existing, &in), ATTT_OK);
	assert_true(in);
	attt_org_agency_done(&a);
}

/* R1.2: every bad row is reported with its line and field; nothing is stored. */
static void test_import_agencies__errors_all_or_nothing(void **state)
{
	struct odb *t = *state;
	struct attt_org_import_report rep;
	o_agency(t, "Tỉnh Thái Nguyên", ATTT_AGENCY_PROVINCE, "TN", 0);
	const char *csv = "code,name,type,parent_code\n"
			  "S1,Sở Một,department,TN\n"            /* 2 ok */
			  "TN,Trùng mã,department,\n"            /* 3 code exists */
			  "S2,Sở Hai,ministry,TN\n"              /* 4 bad type */
			  "S3,,department,TN\n"                  /* 5 empty name */
			  "S4,Sở Bốn,department,NOPE\n"          /* 6 unknown parent */
			  "C1,Vòng 1,other,C2\n"                 /* 7 cycle */
			  "C2,Vòng 2,other,C1\n"                 /* 8 cycle */
			  "S1,Sở Một lặp,department,TN\n"        /* 9 duplicate in file */
			  "S5,Sở Năm,department\n"               /* 10 field count */
			  "S6,Sở Sáu,department,TN\n";           /* 11 ok */
	int64_t events = o_audit_count(t);

	assert_int_equal(import_agencies(t, csv, &rep), ATTT_E_INVAL);
	assert_int_equal(rep.rows, 10);
	assert_int_equal(rep.created, 0);
	assert_int_equal(rep.errors, 8);
	assert_non_null(rep.messages);
	assert_non_null(strstr(rep.messages, "agencies.csv:3: code: "));
	assert_non_null(strstr(rep.messages, "already exists"));
	assert_non_null(strstr(rep.messages, "agencies.csv:4: type: "));
	assert_non_null(strstr(rep.messages, "agencies.csv:5: name: "));
	assert_non_null(strstr(rep.messages, "agencies.csv:6: parent_code: "));
	assert_non_null(strstr(rep.messages, "agencies.csv:7: parent_code: "));
	assert_non_null(strstr(rep.messages, "agencies.csv:8: parent_code: "));
	assert_non_null(strstr(rep.messages, "agencies.csv:9: code: "));
	assert_non_null(strstr(rep.messages, "agencies.csv:10: csv: "));
	assert_null(strstr(rep.messages, "agencies.csv:2:"));
	assert_null(strstr(rep.messages, "agencies.csv:11:"));
	/* Vietnamese first, English in brackets. */
	assert_non_null(strstr(rep.messages, "loại cơ quan không hợp lệ (unknown agency type \"ministry\""));
	attt_org_import_report_done(&rep);
	assert_int_equal(o_count(t, "agency"), 1);
	assert_int_equal(o_audit_count(t), events);

	/* A header without a required column, or with an unknown one. */
	assert_int_equal(import_agencies(t, "code,name\nX,Y\n", &rep), ATTT_E_INVAL);
	assert_non_null(strstr(rep.messages, "agencies.csv:1: header: "));
	assert_non_null(strstr(rep.messages, "\"type\""));
	attt_org_import_report_done(&rep);
	assert_int_equal(import_agencies(t, "name,type,colour\nX,other,red\n", &rep), ATTT_E_INVAL);
	assert_non_null(strstr(rep.messages, "unknown column \"colour\""));
	attt_org_import_report_done(&rep);
	/* A value with a line break cannot forge a message line. */
	assert_int_equal(import_agencies(t, "name,type\nX,\"oth\ner\"\n", &rep), ATTT_E_INVAL);
	assert_string_equal(rep.messages, "agencies.csv:2: type: loại cơ quan không hợp lệ "
					  "(unknown agency type \"oth er\" (see docs/agencies.md))\n");
	attt_org_import_report_done(&rep);
	assert_int_equal(import_agencies(t, "", &rep), ATTT_E_INVAL);
	attt_org_import_report_done(&rep);
	assert_int_equal(o_count(t, "agency"), 1);
}

/* R1.2: a chain deeper than ATTT_MAX_AGENCY_DEPTH inside one file is refused. */
static void test_import_agencies__depth(void **state)
{
	struct odb *t = *state;
	struct attt_org_import_report rep;
	struct attt_buf b;
	attt_buf_init(&b, 1 << 20);
	assert_int_equal(attt_buf_adds(&b, "code,name,type,parent_code\n"), ATTT_OK);
	/* Deepest first, so the depth comes from walking up the file. */
	for (int i = ATTT_MAX_AGENCY_DEPTH + 1; i >= 1; i--)
		assert_int_equal(attt_buf_addf(&b, "L%d,Cấp %d,other,%s%d\n", i, i, i > 1 ? "L" : "", i > 1 ? i - 1 : 0),
				 ATTT_OK);
	/* the root row has parent_code "0": make it empty */
	{
		char *s = b.data + b.len - 3;
		assert_memory_equal(s, ",0\n", 3);
		s[1] = '\n';
		b.len--;
		b.data[b.len] = '\0';
	}
	assert_int_equal(import_agencies(t, attt_buf_str(&b), &rep), ATTT_E_INVAL);
	assert_int_equal(rep.errors, 1);
	assert_non_null(strstr(rep.messages, "agencies.csv:2: parent_code: "));
	attt_org_import_report_done(&rep);
	assert_int_equal(o_count(t, "agency"), 0);
	attt_buf_done(&b);
}

static char *people_csv(size_t rows, size_t *ret_len)
{
	struct attt_buf b;
	attt_buf_init(&b, 64u << 20);
	assert_int_equal(attt_buf_adds(&b, "full_name,agency_code,position,email,phone,status\n"), ATTT_OK);
	for (size_t i = 0; i < rows; i++)
		assert_int_equal(attt_buf_addf(&b, "Nguyễn Văn Số %zu,%s,Chuyên viên,nv%zu@thainguyen.gov.vn,0912%06zu,active\n",
					       i, i % 2 ? "TN-A" : "TN-B", i, i),
				 ATTT_OK);
	return attt_buf_steal(&b, ret_len);
}

/* Replaces line `line` (1-based) of csv by repl (same length or shorter, padded by spaces is not
 * allowed in CSV, so the test builds the row text itself). */
static char *replace_line(const char *csv, size_t line, const char *repl)
{
	struct attt_buf b;
	const char *p = csv;
	attt_buf_init(&b, 64u << 20);
	for (size_t l = 1; *p; l++) {
		const char *e = strchr(p, '\n');
		size_t n = e ? (size_t)(e - p) + 1 : strlen(p);
		if (l == line) {
			assert_int_equal(attt_buf_adds(&b, repl), ATTT_OK);
			assert_int_equal(attt_buf_addc(&b, '\n'), ATTT_OK);
		} else {
			assert_int_equal(attt_buf_add(&b, p, n), ATTT_OK);
		}
		p += n;
	}
	return attt_buf_steal(&b, NULL);
}

struct seen {
	int64_t n, count;
	char sha[65];
};

static int seen_event(void *ctx, const struct attt_audit_record *rec)
{
	struct seen *s = ctx;
	json_t *j = json_loads(rec->summary, 0, NULL);
	assert_non_null(j);
	assert_string_equal(rec->action, "person.import");
	assert_string_equal(rec->object_type, "person");
	assert_string_equal(json_string_value(json_object_get(j, "file")), "people.csv");
	snprintf(s->sha, sizeof(s->sha), "%s", json_string_value(json_object_get(j, "sha256")));
	s->count += json_integer_value(json_object_get(j, "count"));
	s->n++;
	json_decref(j);
	return 0;
}

/* R7.2: the bulk events of an import name every person it created, under the person's agency,
 * with the file's SHA-256; a query for one person finds the event that names it. */
static void check_import_events(struct odb *t, const char *csv, size_t len, int64_t want_events)
{
	struct attt_audit_filter f;
	struct attt_stmt *st = NULL;
	struct seen s = { 0 };
	uint8_t h[crypto_hash_sha256_BYTES];
	char hex[65];
	int64_t people = 0;

	memset(&f, 0, sizeof(f));
	f.outcome = -1;
	f.after_seq = -1;
	f.action = "person.import";
	assert_int_equal(attt_audit_query(t->db, &f, seen_event, &s, NULL), ATTT_OK);
	assert_int_equal(s.n, want_events);
	assert_int_equal(s.count, 1000);
	crypto_hash_sha256(h, (const unsigned char *)csv, len);
	sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
	assert_string_equal(s.sha, hex);

	assert_int_equal(attt_db_prepare(t->db, "SELECT p.id, p.agency_id FROM person p ORDER BY p.id", &st), ATTT_OK);
	while (attt_stmt_step(st) == 1) {
		int64_t id = attt_stmt_int64(st, 0), agency = attt_stmt_int64(st, 1);
		char obj[24];
		struct seen one = { 0 };
		snprintf(obj, sizeof(obj), "%lld", (long long)id);
		memset(&f, 0, sizeof(f));
		f.outcome = -1;
		f.after_seq = -1;
		f.object_type = "person";
		f.object_id = obj;
		f.agency_id = agency;
		f.limit = 1;
		assert_int_equal(attt_audit_query(t->db, &f, seen_event, &one, NULL), ATTT_OK);
		assert_int_equal(one.n, 1);
		/* ... and only that one: not the other agency's. */
		f.agency_id = 0;
		f.limit = 0;
		memset(&one, 0, sizeof(one));
		assert_int_equal(attt_audit_query(t->db, &f, seen_event, &one, NULL), ATTT_OK);
		assert_int_equal(one.n, 1);
		people++;
	}
	attt_stmt_finalize(st);
	assert_int_equal(people, 1000);
}

/* R1.2: 1000 people with one bad row: nothing stored, the row reported. */
static void test_import_people__one_bad_row_in_1000(void **state)
{
	struct odb *t = *state;
	struct attt_org_import_report rep;
	size_t len;
	int64_t p = o_agency(t, "Tỉnh", ATTT_AGENCY_PROVINCE, "TN", 0);
	o_agency(t, "Sở A", ATTT_AGENCY_DEPARTMENT, "TN-A", p);
	o_agency(t, "Sở B", ATTT_AGENCY_DEPARTMENT, "TN-B", p);
	char *good = people_csv(1000, &len), *bad;
	int64_t events = o_audit_count(t);

	bad = replace_line(good, 501, "Trần Thị Lỗi,TN-A,Chuyên viên,khong-phai-email,0912000000,active");
	assert_int_equal(import_people(t, bad, strlen(bad), &rep), ATTT_E_INVAL);
	assert_int_equal(rep.rows, 1000);
	assert_int_equal(rep.errors, 1);
	assert_int_equal(rep.created, 0);
	assert_string_equal(rep.messages, "people.csv:501: email: địa chỉ email không hợp lệ (invalid e-mail address)\n");
	attt_org_import_report_done(&rep);
	assert_int_equal(o_count(t, "person"), 0);
	assert_int_equal(o_audit_count(t), events);
	free(bad);

	/* The good file goes in whole. */
	assert_int_equal(import_people(t, good, len, &rep), ATTT_OK);
	assert_int_equal(rep.created, 1000);
	attt_org_import_report_done(&rep);
	assert_int_equal(o_count(t, "person"), 1000);
	/* R7.2: the import is one bulk event per agency (the two agencies alternate in the file). */
	assert_int_equal(o_audit_count(t), events + 2);
	check_import_events(t, good, len, 2);
	free(good);
}

/* R1.2: every bad line is reported, each with its field. */
static void test_import_people__every_bad_line_reported(void **state)
{
	struct odb *t = *state;
	struct attt_org_import_report rep;
	int64_t p = o_agency(t, "Tỉnh", ATTT_AGENCY_PROVINCE, "TN", 0);
	int64_t gone = o_agency(t, "Xã cũ", ATTT_AGENCY_COMMUNE, "OLD", p);
	char csv[2048];
	assert_int_equal(attt_org_agency_merge(t->db, &t->clock, &t->actor, gone, p, NULL), ATTT_OK);
	snprintf(csv, sizeof(csv),
		 "ho_ten,ma_co_quan,agency_id,dien_thoai,trang_thai,thu_dien_tu\n"
		 "Người Một,TN,,0912345678,active,\n"           /* 2 ok */
		 "Người Hai,,%lld,0912345678,,\n"                /* 3 ok, by id */
		 "Người Ba,XX,,,,\n"                              /* 4 no such agency */
		 "Người Bốn,,99999,,,\n"                          /* 5 no such agency id */
		 "Người Năm,,,,,\n"                               /* 6 no agency */
		 "Người Sáu,TN,%lld,,,\n"                         /* 7 both */
		 "Người Bảy,TN,,12ab,,\n"                         /* 8 phone */
		 "Người Tám,TN,,,sacked,\n"                       /* 9 status */
		 ",TN,,,,\n"                                      /* 10 name */
		 "Người Mười,OLD,,,,\n"                           /* 11 merged agency */
		 "\"Người \"\"Mười một\"\"\",TN,,,,a@b.vn\n",     /* 12 ok */
		 (long long)p, (long long)p);
	assert_int_equal(import_people(t, csv, strlen(csv), &rep), ATTT_E_INVAL);
	assert_int_equal(rep.rows, 11);
	assert_int_equal(rep.errors, 8);
	assert_non_null(strstr(rep.messages, "people.csv:4: agency_code: "));
	assert_non_null(strstr(rep.messages, "people.csv:5: agency_id: "));
	assert_non_null(strstr(rep.messages, "people.csv:6: agency_code: "));
	assert_non_null(strstr(rep.messages, "people.csv:7: agency_code: "));
	assert_non_null(strstr(rep.messages, "people.csv:8: phone: "));
	assert_non_null(strstr(rep.messages, "people.csv:9: status: "));
	assert_non_null(strstr(rep.messages, "people.csv:10: full_name: "));
	assert_non_null(strstr(rep.messages, "people.csv:11: agency_code: "));
	attt_org_import_report_done(&rep);
	assert_int_equal(o_count(t, "person"), 0);
}

/* Malformed CSV stops the import at the line where it breaks; nothing stored. */
static void test_import_people__bad_csv(void **state)
{
	struct odb *t = *state;
	struct attt_org_import_report rep;
	static const char nul[] = "full_name,agency_code\nA,TN\nB\0,TN\n";
	static const char utf[] = "full_name,agency_code\nA,TN\nB\xff,TN\n";
	o_agency(t, "Tỉnh", ATTT_AGENCY_PROVINCE, "TN", 0);

	assert_int_equal(import_people(t, nul, sizeof(nul) - 1, &rep), ATTT_E_PARSE);
	assert_non_null(strstr(rep.messages, "people.csv:3: csv: "));
	attt_org_import_report_done(&rep);
	assert_int_equal(import_people(t, utf, sizeof(utf) - 1, &rep), ATTT_E_PARSE);
	assert_non_null(strstr(rep.messages, "people.csv:3: csv: "));
	attt_org_import_report_done(&rep);
	assert_int_equal(import_people(t, "full_name,agency_code\nA,\"TN\n", 27, &rep), ATTT_E_PARSE);
	attt_org_import_report_done(&rep);
	assert_int_equal(o_count(t, "person"), 0);
}

/* More than ATTT_MAX_CSV_ERRORS bad rows: all counted, the first ATTT_MAX_CSV_ERRORS listed. */
static void test_import_people__error_cap(void **state)
{
	struct odb *t = *state;
	struct attt_org_import_report rep;
	size_t len, lines = 0;
	char *csv;
	o_agency(t, "Tỉnh", ATTT_AGENCY_PROVINCE, "TN-A", 0);
	o_agency(t, "Tỉnh", ATTT_AGENCY_PROVINCE, "TN-B", 0);
	csv = people_csv(ATTT_MAX_CSV_ERRORS + 200, &len);
	/* Break every row's status. */
	for (char *s = csv; (s = strstr(s, ",active\n")); s++)
		memcpy(s, ",ACTIVX", 7);
	assert_int_equal(import_people(t, csv, len, &rep), ATTT_E_INVAL);
	assert_int_equal(rep.errors, ATTT_MAX_CSV_ERRORS + 200);
	for (const char *m = rep.messages; (m = strchr(m, '\n')); m++)
		lines++;
	assert_int_equal(lines, ATTT_MAX_CSV_ERRORS);
	attt_org_import_report_done(&rep);
	free(csv);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_import_agencies__tree_any_order, odb_setup, odb_teardown),
		cmocka_unit_test_setup_teardown(test_import_agencies__errors_all_or_nothing, odb_setup, odb_teardown),
		cmocka_unit_test_setup_teardown(test_import_agencies__depth, odb_setup, odb_teardown),
		cmocka_unit_test_setup_teardown(test_import_people__one_bad_row_in_1000, odb_setup, odb_teardown),
		cmocka_unit_test_setup_teardown(test_import_people__every_bad_line_reported, odb_setup, odb_teardown),
		cmocka_unit_test_setup_teardown(test_import_people__bad_csv, odb_setup, odb_teardown),
		cmocka_unit_test_setup_teardown(test_import_people__error_cap, odb_setup, odb_teardown),
	};
	return cmocka_run_group_tests_name("org_import", tests, NULL, NULL);
}
