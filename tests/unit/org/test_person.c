/*
 * test_person.c: people (R1.2): validation and normalisation of fields, search that ignores case
 * and Vietnamese diacritics (NFD input found by NFC and by plain ASCII queries), update with its
 * audit event, lists by agency and subtree.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "attt/err.h"
#include "attt/limits.h"
#include "helpers.h"

static size_t search(struct odb *t, const char *q)
{
	struct attt_person_list l = { 0 };
	struct attt_person_filter f = { .search = q };
	size_t n;
	assert_int_equal(attt_org_person_list(t->db, &f, &l), ATTT_OK);
	n = l.count;
	attt_org_person_list_done(&l);
	return n;
}

/* R1.2: "nguyen van a" finds "Nguyễn Văn A", "dang" finds "Đặng", NFD is stored as NFC. */
static void test_person_search__folding(void **state)
{
	struct odb *t = *state;
	struct attt_person p = { 0 };
	int64_t ag = o_agency(t, "Sở Nội vụ", ATTT_AGENCY_DEPARTMENT, NULL, 0);
	/* "Nguyễn" written decomposed: e + U+0302 (circumflex) + U+0303 (tilde). */
	int64_t nfd = o_person(t, ag, "Nguye\xcc\x82\xcc\x83n Va\xcc\x86n A", NULL);
	o_person(t, ag, "Đặng Thị Hồng", "hong.dt@sonoivu.gov.vn");
	o_person(t, ag, "Nguyễn Văn Anh", NULL);
	o_person(t, ag, "Trần Đức Dũng", NULL);

	assert_int_equal(attt_org_person_get(t->db, nfd, &p), ATTT_OK);
	assert_string_equal(p.full_name, "Nguyễn Văn A"); /* NFC */
	attt_org_person_done(&p);
	assert_int_equal(search(t, "nguyen van a"), 2);
	assert_int_equal(search(t, "Nguyễn Văn A"), 2);
	assert_int_equal(search(t, "NGUYỄN"), 2);
	assert_int_equal(search(t, "Nguye\xcc\x82\xcc\x83n"), 2); /* NFD query */
	assert_int_equal(search(t, "nguyen van anh"), 1);
	assert_int_equal(search(t, "dang"), 1);
	assert_int_equal(search(t, "ĐẶNG"), 1);
	assert_int_equal(search(t, "đặng thị"), 1);
	assert_int_equal(search(t, "duc dung"), 1);
	assert_int_equal(search(t, "  duc   dung "), 1);
	assert_int_equal(search(t, "hong.dt@"), 1); /* part of the e-mail */
	assert_int_equal(search(t, "le van"), 0);
	assert_int_equal(search(t, "_"), 0);
}

static void test_person_add__validation(void **state)
{
	struct odb *t = *state;
	struct attt_person p = { 0 };
	int64_t ag = o_agency(t, "UBND xã", ATTT_AGENCY_COMMUNE, NULL, 0), id = 0;
	struct attt_person_new in = { .agency_id = ag, .full_name = "  Lê Thị Mai  ", .position = "Chủ tịch",
				      .email = "Mai.LT@ThaiNguyen.gov.VN", .phone = "+84 (208) 385-5123" };
	int64_t events = o_audit_count(t);

	assert_int_equal(attt_org_person_add(t->db, &t->clock, &t->actor, &in, &id), ATTT_OK);
	assert_int_equal(o_audit_count(t), events + 1);
	assert_int_equal(attt_org_person_get(t->db, id, &p), ATTT_OK);
	assert_string_equal(p.full_name, "Lê Thị Mai");
	assert_string_equal(p.email, "mai.lt@thainguyen.gov.vn");
	assert_string_equal(p.phone, "+842083855123");
	assert_string_equal(p.position, "Chủ tịch");
	assert_int_equal(p.status, ATTT_PERSON_ACTIVE);
	attt_org_person_done(&p);

	static const char *const bad_emails[] = { "mai", "mai@", "@x.vn", "mai@@x.vn", "mai@x", "mai@x..vn",
						  "m ai@x.vn", "mai@-x.vn", ".mai@x.vn", "mai@x.vn." };
	for (size_t i = 0; i < sizeof(bad_emails) / sizeof(bad_emails[0]); i++) {
		in.email = bad_emails[i];
		assert_int_equal(attt_org_person_add(t->db, &t->clock, &t->actor, &in, &id), ATTT_E_INVAL);
	}
	in.email = NULL;
	static const char *const bad_phones[] = { "12345", "0912 345 67a", "09+12345678", "1234567890123456" };
	for (size_t i = 0; i < sizeof(bad_phones) / sizeof(bad_phones[0]); i++) {
		in.phone = bad_phones[i];
		assert_int_equal(attt_org_person_add(t->db, &t->clock, &t->actor, &in, &id), ATTT_E_INVAL);
	}
	in.phone = NULL;
	in.full_name = "";
	assert_int_equal(attt_org_person_add(t->db, &t->clock, &t->actor, &in, &id), ATTT_E_INVAL);
	in.full_name = "Ai";
	in.agency_id = 999;
	assert_int_equal(attt_org_person_add(t->db, &t->clock, &t->actor, &in, &id), ATTT_E_NOTFOUND);
	assert_int_equal(o_count(t, "person"), 1);
	assert_int_equal(o_audit_count(t), events + 1);
}

static void test_person_update(void **state)
{
	struct odb *t = *state;
	struct attt_person p = { 0 };
	int64_t a1 = o_agency(t, "Sở A", ATTT_AGENCY_DEPARTMENT, NULL, 0);
	int64_t a2 = o_agency(t, "Sở B", ATTT_AGENCY_DEPARTMENT, NULL, 0);
	int64_t id = o_person(t, a1, "Phạm Văn Hùng", "hung@a.vn");
	int64_t events = o_audit_count(t);
	struct attt_person_update u = { .status = ATTT_PERSON_TRANSFERRED, .agency_id = a2, .email = "",
					.position = "Chuyên viên" };

	t->now += 5000000;
	assert_int_equal(attt_org_person_update(t->db, &t->clock, &t->actor, id, &u), ATTT_OK);
	assert_int_equal(o_audit_count(t), events + 1);
	assert_int_equal(attt_org_person_get(t->db, id, &p), ATTT_OK);
	assert_int_equal(p.status, ATTT_PERSON_TRANSFERRED);
	assert_int_equal(p.agency_id, a2);
	assert_null(p.email);
	assert_string_equal(p.position, "Chuyên viên");
	assert_string_equal(p.full_name, "Phạm Văn Hùng");
	assert_int_equal(p.updated_at, t->now);
	attt_org_person_done(&p);
	/* The same again changes nothing: no event. */
	assert_int_equal(attt_org_person_update(t->db, &t->clock, &t->actor, id, &u), ATTT_OK);
	assert_int_equal(o_audit_count(t), events + 1);
	/* A new name is searchable at once. */
	memset(&u, 0, sizeof(u));
	u.full_name = "Phạm Hùng Dũng";
	assert_int_equal(attt_org_person_update(t->db, &t->clock, &t->actor, id, &u), ATTT_OK);
	{
		struct attt_person_list l = { 0 };
		struct attt_person_filter f = { .search = "hung dung" };
		assert_int_equal(attt_org_person_list(t->db, &f, &l), ATTT_OK);
		assert_int_equal(l.count, 1);
		attt_org_person_list_done(&l);
	}
	memset(&u, 0, sizeof(u));
	u.email = "not-an-email";
	assert_int_equal(attt_org_person_update(t->db, &t->clock, &t->actor, id, &u), ATTT_E_INVAL);
	u.email = NULL;
	u.agency_id = 4242;
	assert_int_equal(attt_org_person_update(t->db, &t->clock, &t->actor, id, &u), ATTT_E_NOTFOUND);
	assert_int_equal(attt_org_person_update(t->db, &t->clock, &t->actor, 999, &u), ATTT_E_NOTFOUND);
}

static void test_person_list__agency_subtree_status(void **state)
{
	struct odb *t = *state;
	struct attt_person_list l = { 0 };
	struct attt_person_filter f = { 0 };
	int64_t p = o_agency(t, "Tỉnh", ATTT_AGENCY_PROVINCE, NULL, 0);
	int64_t d = o_agency(t, "Sở", ATTT_AGENCY_DEPARTMENT, NULL, p);
	int64_t u = o_agency(t, "Trung tâm", ATTT_AGENCY_PUBLIC_SERVICE_UNIT, NULL, d);
	int64_t other = o_agency(t, "Tỉnh khác", ATTT_AGENCY_PROVINCE, NULL, 0);
	int64_t gone = o_person(t, d, "Bùi Văn Bảy", NULL);
	o_person(t, p, "Ân", NULL);
	o_person(t, u, "Cao Văn Chín", NULL);
	o_person(t, u, "Đỗ Thị Dung", NULL);
	o_person(t, other, "Hà Văn Em", NULL);
	struct attt_person_update up = { .status = ATTT_PERSON_RETIRED };
	assert_int_equal(attt_org_person_update(t->db, &t->clock, &t->actor, gone, &up), ATTT_OK);

	f.agency_id = d;
	assert_int_equal(attt_org_person_list(t->db, &f, &l), ATTT_OK);
	assert_int_equal(l.count, 1);
	attt_org_person_list_done(&l);
	f.subtree = true;
	assert_int_equal(attt_org_person_list(t->db, &f, &l), ATTT_OK);
	assert_int_equal(l.count, 3);
	/* ordered by folded name: bui, cao, do */
	assert_string_equal(l.items[0].full_name, "Bùi Văn Bảy");
	assert_string_equal(l.items[2].full_name, "Đỗ Thị Dung");
	attt_org_person_list_done(&l);
	f.status = ATTT_PERSON_ACTIVE;
	assert_int_equal(attt_org_person_list(t->db, &f, &l), ATTT_OK);
	assert_int_equal(l.count, 2);
	attt_org_person_list_done(&l);
	memset(&f, 0, sizeof(f));
	f.limit = 2;
	assert_int_equal(attt_org_person_list(t->db, &f, &l), ATTT_OK);
	assert_int_equal(l.count, 2);
	assert_int_equal(l.total, 5);
	{
		json_t *j = attt_org_person_list_to_json(&l, 2, 0);
		assert_non_null(j);
		assert_int_equal(json_array_size(json_object_get(j, "items")), 2);
		assert_int_equal(json_integer_value(json_object_get(j, "total")), 5);
		json_decref(j);
	}
	attt_org_person_list_done(&l);
	f.agency_id = 31337;
	f.subtree = true;
	assert_int_equal(attt_org_person_list(t->db, &f, &l), ATTT_E_NOTFOUND);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_person_search__folding, odb_setup, odb_teardown),
		cmocka_unit_test_setup_teardown(test_person_add__validation, odb_setup, odb_teardown),
		cmocka_unit_test_setup_teardown(test_person_update, odb_setup, odb_teardown),
		cmocka_unit_test_setup_teardown(test_person_list__agency_subtree_status, odb_setup, odb_teardown),
	};
	return cmocka_run_group_tests_name("org_person", tests, NULL, NULL);
}
