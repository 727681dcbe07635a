/*
 * test_agency.c: the agency tree (R1.2): add, within/subtree, depth limit, move and its cycle
 * check, merge (children, people, history, resolvable id), rename history, list filters, audit
 * events written with every change.
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

static bool within(struct odb *t, int64_t a, int64_t b)
{
	bool in = false;
	assert_int_equal(attt_org_agency_within(t->db, a, b, &in), ATTT_OK);
	return in;
}

/* R1.2: a tree of any type, paths and depths kept, subtree test both ways. */
static void test_agency_add__tree_and_within(void **state)
{
	struct odb *t = *state;
	struct attt_agency a = { 0 };
	int64_t *ids = NULL;
	size_t n = 0;
	int64_t before = o_audit_count(t);
	int64_t p = o_agency(t, "Tỉnh Thái Nguyên", ATTT_AGENCY_PROVINCE, "TN", 0);
	int64_t d = o_agency(t, "Sở Khoa học và Công nghệ", ATTT_AGENCY_DEPARTMENT, "TN-KHCN", p);
	int64_t u = o_agency(t, "Trung tâm Thông tin", ATTT_AGENCY_PUBLIC_SERVICE_UNIT, NULL, d);
	int64_t other = o_agency(t, "Tỉnh Bắc Kạn", ATTT_AGENCY_PROVINCE, "BK", 0);

	assert_int_equal(o_audit_count(t), before + 4); /* R1.2: one audit event per change */
	assert_int_equal(attt_org_agency_get(t->db, u, &a), ATTT_OK);
	assert_int_equal(a.depth, 3);
	assert_int_equal(a.parent_id, d);
	assert_null(a.code);
	assert_int_equal(a.type, ATTT_AGENCY_PUBLIC_SERVICE_UNIT);
	assert_int_equal(a.status, ATTT_AGENCY_ACTIVE);
	assert_int_equal(a.created_at, t->now - 1000000); /* "other" came one second later */
	{
		char want[64];
		snprintf(want, sizeof(want), "/%lld/%lld/%lld/", (long long)p, (long long)d, (long long)u);
		assert_string_equal(a.path, want);
	}
	attt_org_agency_done(&a);

	assert_true(within(t, u, p));
	assert_true(within(t, u, d));
	assert_true(within(t, p, p));
	assert_false(within(t, p, u));
	assert_false(within(t, u, other));
	bool in;
	assert_int_equal(attt_org_agency_within(t->db, 999, p, &in), ATTT_E_NOTFOUND);

	assert_int_equal(attt_org_agency_subtree(t->db, p, 100, &ids, &n), ATTT_OK);
	assert_int_equal(n, 3);
	assert_int_equal(ids[0], p);
	assert_int_equal(ids[1], d);
	assert_int_equal(ids[2], u);
	free(ids);
	assert_int_equal(attt_org_agency_subtree(t->db, p, 2, &ids, &n), ATTT_E_TOOBIG);

	assert_int_equal(attt_org_agency_get_by_code(t->db, "TN-KHCN", &a), ATTT_OK);
	assert_int_equal(a.id, d);
	assert_string_equal(a.name, "Sở Khoa học và Công nghệ");
	attt_org_agency_done(&a);
}

static void test_agency_add__bad_input(void **state)
{
	struct odb *t = *state;
	int64_t id = 0, p = o_agency(t, "Tỉnh A", ATTT_AGENCY_PROVINCE, "A", 0);
	struct attt_agency_new in = { .name = "Sở B", .type = ATTT_AGENCY_DEPARTMENT, .code = "A", .parent_id = p };
	int64_t events = o_audit_count(t);

	assert_int_equal(attt_org_agency_add(t->db, &t->clock, &t->actor, &in, &id), ATTT_E_EXISTS);
	in.code = "bad code!";
	assert_int_equal(attt_org_agency_add(t->db, &t->clock, &t->actor, &in, &id), ATTT_E_INVAL);
	in.code = NULL;
	in.name = "   ";
	assert_int_equal(attt_org_agency_add(t->db, &t->clock, &t->actor, &in, &id), ATTT_E_INVAL);
	in.name = "Sở\x01B";
	assert_int_equal(attt_org_agency_add(t->db, &t->clock, &t->actor, &in, &id), ATTT_E_INVAL);
	in.name = "S\xc3";
	assert_int_equal(attt_org_agency_add(t->db, &t->clock, &t->actor, &in, &id), ATTT_E_INVAL);
	in.name = "Sở B";
	in.type = 0;
	assert_int_equal(attt_org_agency_add(t->db, &t->clock, &t->actor, &in, &id), ATTT_E_INVAL);
	in.type = ATTT_AGENCY_DEPARTMENT;
	in.parent_id = 4242;
	assert_int_equal(attt_org_agency_add(t->db, &t->clock, &t->actor, &in, &id), ATTT_E_NOTFOUND);
	assert_int_equal(id, 0); /* output untouched on failure */
	assert_int_equal(o_count(t, "agency"), 1);
	assert_int_equal(o_audit_count(t), events); /* nothing stored, nothing audited */
}

/* R1.2: depth limit ATTT_MAX_AGENCY_DEPTH on add and on move. */
static void test_agency_depth_limit(void **state)
{
	struct odb *t = *state;
	struct attt_agency_new in = { .name = "Quá sâu", .type = ATTT_AGENCY_OTHER };
	int64_t chain[ATTT_MAX_AGENCY_DEPTH], id = 0, other, other_child;

	chain[0] = o_agency(t, "Cấp 1", ATTT_AGENCY_PROVINCE, NULL, 0);
	for (int i = 1; i < ATTT_MAX_AGENCY_DEPTH; i++)
		chain[i] = o_agency(t, "Cấp", ATTT_AGENCY_OTHER, NULL, chain[i - 1]);
	in.parent_id = chain[ATTT_MAX_AGENCY_DEPTH - 1];
	assert_int_equal(attt_org_agency_add(t->db, &t->clock, &t->actor, &in, &id), ATTT_E_RANGE);

	/* A two-level subtree fits under level 30 but not under level 31. */
	other = o_agency(t, "Khác", ATTT_AGENCY_OTHER, NULL, 0);
	other_child = o_agency(t, "Khác con", ATTT_AGENCY_OTHER, NULL, other);
	assert_int_equal(attt_org_agency_move(t->db, &t->clock, &t->actor, other, chain[ATTT_MAX_AGENCY_DEPTH - 2]),
			 ATTT_E_RANGE);
	assert_int_equal(attt_org_agency_move(t->db, &t->clock, &t->actor, other, chain[ATTT_MAX_AGENCY_DEPTH - 3]),
			 ATTT_OK);
	struct attt_agency c = { 0 };
	assert_int_equal(attt_org_agency_get(t->db, other_child, &c), ATTT_OK);
	assert_int_equal(c.depth, ATTT_MAX_AGENCY_DEPTH);
	attt_org_agency_done(&c);
}

/* R1.2: moves carry the subtree, are kept in the history, and never make a cycle. */
static void test_agency_move__subtree_history_and_cycle(void **state)
{
	struct odb *t = *state;
	struct attt_agency_history_list h = { 0 };
	struct attt_agency a = { 0 };
	int64_t p = o_agency(t, "Tỉnh", ATTT_AGENCY_PROVINCE, NULL, 0);
	int64_t dist = o_agency(t, "Huyện Đồng Hỷ", ATTT_AGENCY_DISTRICT, NULL, p);
	int64_t com = o_agency(t, "Xã Hóa Thượng", ATTT_AGENCY_COMMUNE, NULL, dist);
	int64_t school = o_agency(t, "Trường THCS", ATTT_AGENCY_PUBLIC_SERVICE_UNIT, NULL, com);
	int64_t events;

	/* Cycles: under itself, under its child, under its grandchild. */
	assert_int_equal(attt_org_agency_move(t->db, &t->clock, &t->actor, dist, dist), ATTT_E_CONFLICT);
	assert_int_equal(attt_org_agency_move(t->db, &t->clock, &t->actor, dist, com), ATTT_E_CONFLICT);
	assert_int_equal(attt_org_agency_move(t->db, &t->clock, &t->actor, p, school), ATTT_E_CONFLICT);
	assert_int_equal(attt_org_agency_move(t->db, &t->clock, &t->actor, com, 777), ATTT_E_NOTFOUND);

	/* 2025: districts abolished, communes report to the province directly. */
	events = o_audit_count(t);
	t->now += 1000000;
	assert_int_equal(attt_org_agency_move(t->db, &t->clock, &t->actor, com, p), ATTT_OK);
	assert_int_equal(o_audit_count(t), events + 1);
	assert_int_equal(attt_org_agency_get(t->db, school, &a), ATTT_OK);
	assert_int_equal(a.depth, 3);
	attt_org_agency_done(&a);
	assert_false(within(t, school, dist));
	assert_true(within(t, school, com));
	assert_true(within(t, school, p));
	/* Moving to where it already is changes nothing and audits nothing. */
	assert_int_equal(attt_org_agency_move(t->db, &t->clock, &t->actor, com, p), ATTT_OK);
	assert_int_equal(o_audit_count(t), events + 1);
	/* To a root and back. */
	assert_int_equal(attt_org_agency_move(t->db, &t->clock, &t->actor, com, 0), ATTT_OK);
	assert_int_equal(attt_org_agency_get(t->db, com, &a), ATTT_OK);
	assert_int_equal(a.depth, 1);
	assert_int_equal(a.parent_id, 0);
	attt_org_agency_done(&a);
	assert_false(within(t, school, p));

	assert_int_equal(attt_org_agency_history(t->db, com, &h), ATTT_OK);
	assert_int_equal(h.count, 3);
	assert_string_equal(h.items[0].kind, "create");
	assert_string_equal(h.items[1].kind, "move");
	{
		char pd[24], pp[24];
		snprintf(pd, sizeof(pd), "%lld", (long long)dist);
		snprintf(pp, sizeof(pp), "%lld", (long long)p);
		assert_string_equal(h.items[1].old_value, pd);
		assert_string_equal(h.items[1].new_value, pp);
		assert_string_equal(h.items[2].old_value, pp);
		assert_null(h.items[2].new_value);
	}
	assert_string_equal(h.items[1].actor, "cli");
	attt_org_agency_history_list_done(&h);
}

/* R1.2: the 2025 mergers: children and people go to the target, the source stays, marked. */
static void test_agency_merge__children_people_history(void **state)
{
	struct odb *t = *state;
	struct attt_org_merge_result res = { 0 };
	struct attt_agency_history_list h = { 0 };
	struct attt_agency a = { 0 };
	struct attt_person pe = { 0 };
	int64_t p = o_agency(t, "Tỉnh Thái Nguyên", ATTT_AGENCY_PROVINCE, "TN", 0);
	int64_t x = o_agency(t, "Phường Hoàng Văn Thụ", ATTT_AGENCY_COMMUNE, "HVT", p);
	int64_t y = o_agency(t, "Phường Phan Đình Phùng", ATTT_AGENCY_COMMUNE, "PDP", p);
	int64_t x1 = o_agency(t, "Trường Mầm non", ATTT_AGENCY_PUBLIC_SERVICE_UNIT, NULL, x);
	int64_t x2 = o_agency(t, "Trạm Y tế", ATTT_AGENCY_PUBLIC_SERVICE_UNIT, NULL, x);
	int64_t x1a = o_agency(t, "Tổ", ATTT_AGENCY_OTHER, NULL, x1);
	int64_t p1 = o_person(t, x, "Nguyễn Văn An", NULL);
	int64_t p2 = o_person(t, x, "Trần Thị Bình", NULL);
	int64_t p3 = o_person(t, x1, "Lê Văn Cường", NULL);
	int64_t events = o_audit_count(t), id;

	assert_int_equal(attt_org_agency_merge(t->db, &t->clock, &t->actor, x, x, NULL), ATTT_E_CONFLICT);
	assert_int_equal(attt_org_agency_merge(t->db, &t->clock, &t->actor, x, x1a, NULL), ATTT_E_CONFLICT);
	t->now += 1000000;
	assert_int_equal(attt_org_agency_merge(t->db, &t->clock, &t->actor, x, y, &res), ATTT_OK);
	assert_int_equal(res.children_moved, 2);
	assert_int_equal(res.people_moved, 2);
	/* merge + 2 child moves + one bulk event naming the 2 people (R7.2) */
	assert_int_equal(o_audit_count(t), events + 4);
	{
		struct attt_stmt *st = NULL;
		char want[48];
		snprintf(want, sizeof(want), "{%lld,%lld}", (long long)(p1 < p2 ? p1 : p2), (long long)(p1 < p2 ? p2 : p1));
		if (p2 == p1 + 1)
			snprintf(want, sizeof(want), "{%lld-%lld}", (long long)p1, (long long)p2);
		assert_int_equal(attt_db_prepare(t->db, "SELECT object_id, agency_id, summary FROM audit_event "
							"WHERE action = 'person.move'", &st),
				 ATTT_OK);
		assert_int_equal(attt_stmt_step(st), 1);
		assert_string_equal(attt_stmt_text(st, 0), want);
		assert_int_equal(attt_stmt_int64(st, 1), y);
		assert_non_null(strstr(attt_stmt_text(st, 2), "\"count\":2"));
		assert_int_equal(attt_stmt_step(st), 0);
		attt_stmt_finalize(st);
	}

	assert_int_equal(attt_org_agency_get(t->db, x, &a), ATTT_OK);
	assert_int_equal(a.status, ATTT_AGENCY_MERGED);
	assert_int_equal(a.merged_into, y);
	assert_string_equal(a.name, "Phường Hoàng Văn Thụ"); /* still readable */
	attt_org_agency_done(&a);
	assert_int_equal(attt_org_agency_resolve(t->db, x, &id), ATTT_OK);
	assert_int_equal(id, y);
	assert_true(within(t, x, y)); /* records still pointing at x stay in y's subtree */
	assert_true(within(t, x1a, y));
	assert_true(within(t, x2, y));
	assert_false(within(t, x1, x));
	assert_int_equal(attt_org_agency_get(t->db, x1, &a), ATTT_OK);
	assert_int_equal(a.parent_id, y);
	assert_int_equal(a.depth, 3);
	attt_org_agency_done(&a);
	assert_int_equal(attt_org_person_get(t->db, p1, &pe), ATTT_OK);
	assert_int_equal(pe.agency_id, y);
	attt_org_person_done(&pe);
	assert_int_equal(attt_org_person_get(t->db, p2, &pe), ATTT_OK);
	assert_int_equal(pe.agency_id, y);
	attt_org_person_done(&pe);
	assert_int_equal(attt_org_person_get(t->db, p3, &pe), ATTT_OK);
	assert_int_equal(pe.agency_id, x1); /* people of the children stay with their unit */
	attt_org_person_done(&pe);

	assert_int_equal(attt_org_agency_history(t->db, x, &h), ATTT_OK);
	assert_int_equal(h.count, 2);
	assert_string_equal(h.items[1].kind, "merge");
	attt_org_agency_history_list_done(&h);
	assert_int_equal(attt_org_agency_history(t->db, y, &h), ATTT_OK);
	assert_int_equal(h.count, 2);
	assert_string_equal(h.items[1].kind, "merged_from");
	attt_org_agency_history_list_done(&h);
	assert_int_equal(attt_org_agency_history(t->db, x1, &h), ATTT_OK);
	assert_string_equal(h.items[h.count - 1].kind, "move");
	attt_org_agency_history_list_done(&h);

	/* A merged agency takes no part any more: no merge, move, new child or person. */
	assert_int_equal(attt_org_agency_merge(t->db, &t->clock, &t->actor, x, p, NULL), ATTT_E_STATE);
	assert_int_equal(attt_org_agency_merge(t->db, &t->clock, &t->actor, p, x, NULL), ATTT_E_STATE);
	assert_int_equal(attt_org_agency_move(t->db, &t->clock, &t->actor, x, p), ATTT_E_STATE);
	struct attt_agency_new in = { .name = "Mới", .type = ATTT_AGENCY_OTHER, .parent_id = x };
	assert_int_equal(attt_org_agency_add(t->db, &t->clock, &t->actor, &in, &id), ATTT_E_STATE);
	struct attt_person_new pn = { .agency_id = x, .full_name = "Ai đó" };
	assert_int_equal(attt_org_person_add(t->db, &t->clock, &t->actor, &pn, &id), ATTT_E_STATE);
	/* Nothing deleted. */
	assert_int_equal(o_count(t, "agency"), 6);
	assert_int_equal(o_count(t, "person"), 3);

	/* A chain of mergers resolves to the last one. */
	assert_int_equal(attt_org_agency_merge(t->db, &t->clock, &t->actor, y, p, NULL), ATTT_OK);
	assert_int_equal(attt_org_agency_resolve(t->db, x, &id), ATTT_OK);
	assert_int_equal(id, p);
}

/* R1.2: renames keep the old name in the history; the folded name follows. */
static void test_agency_rename__history(void **state)
{
	struct odb *t = *state;
	struct attt_agency_history_list h = { 0 };
	struct attt_agency_list l = { 0 };
	struct attt_agency_filter f = { .search = "khoa hoc" };
	int64_t d = o_agency(t, "Sở Thông tin và Truyền thông", ATTT_AGENCY_DEPARTMENT, NULL, 0);
	int64_t events = o_audit_count(t);

	t->now += 1000000;
	assert_int_equal(attt_org_agency_rename(t->db, &t->clock, &t->actor, d, "  Sở Khoa học và Công nghệ "), ATTT_OK);
	assert_int_equal(attt_org_agency_rename(t->db, &t->clock, &t->actor, d, "Sở Khoa học và Công nghệ"), ATTT_OK);
	assert_int_equal(o_audit_count(t), events + 1);
	assert_int_equal(attt_org_agency_rename(t->db, &t->clock, &t->actor, d, ""), ATTT_E_INVAL);
	assert_int_equal(attt_org_agency_rename(t->db, &t->clock, &t->actor, 999, "X"), ATTT_E_NOTFOUND);
	assert_int_equal(attt_org_agency_history(t->db, d, &h), ATTT_OK);
	assert_int_equal(h.count, 2);
	assert_string_equal(h.items[1].kind, "rename");
	assert_string_equal(h.items[1].old_value, "Sở Thông tin và Truyền thông");
	assert_string_equal(h.items[1].new_value, "Sở Khoa học và Công nghệ");
	assert_int_equal(h.items[1].at, t->now);
	attt_org_agency_history_list_done(&h);
	assert_int_equal(attt_org_agency_list(t->db, &f, &l), ATTT_OK);
	assert_int_equal(l.count, 1);
	attt_org_agency_list_done(&l);
	f.search = "thong tin";
	assert_int_equal(attt_org_agency_list(t->db, &f, &l), ATTT_OK);
	assert_int_equal(l.count, 0);
	attt_org_agency_list_done(&l);
}

static void test_agency_list__filters_and_pages(void **state)
{
	struct odb *t = *state;
	struct attt_agency_list l = { 0 };
	struct attt_agency_filter f = { 0 };
	int64_t p = o_agency(t, "Tỉnh Thái Nguyên", ATTT_AGENCY_PROVINCE, "TN", 0);
	int64_t d = o_agency(t, "Sở Y tế", ATTT_AGENCY_DEPARTMENT, "SYT", p);
	o_agency(t, "Bệnh viện Đa khoa", ATTT_AGENCY_PUBLIC_SERVICE_UNIT, "BVDK", d);
	o_agency(t, "Xã Đại Từ", ATTT_AGENCY_COMMUNE, "DT", p);
	o_agency(t, "Tỉnh khác", ATTT_AGENCY_PROVINCE, NULL, 0);

	assert_int_equal(attt_org_agency_list(t->db, NULL, &l), ATTT_OK);
	assert_int_equal(l.count, 5);
	assert_int_equal(l.total, 5);
	assert_int_equal(l.items[0].id, p); /* tree order */
	attt_org_agency_list_done(&l);

	f.by_parent = true;
	f.parent_id = p;
	assert_int_equal(attt_org_agency_list(t->db, &f, &l), ATTT_OK);
	assert_int_equal(l.count, 2);
	attt_org_agency_list_done(&l);
	f.parent_id = 0; /* roots */
	assert_int_equal(attt_org_agency_list(t->db, &f, &l), ATTT_OK);
	assert_int_equal(l.count, 2);
	attt_org_agency_list_done(&l);

	memset(&f, 0, sizeof(f));
	f.within = d;
	assert_int_equal(attt_org_agency_list(t->db, &f, &l), ATTT_OK);
	assert_int_equal(l.count, 2);
	attt_org_agency_list_done(&l);

	memset(&f, 0, sizeof(f));
	f.search = "DAI TU"; /* Đại Từ: case, marks and đ */
	assert_int_equal(attt_org_agency_list(t->db, &f, &l), ATTT_OK);
	assert_int_equal(l.count, 1);
	assert_string_equal(l.items[0].name, "Xã Đại Từ");
	attt_org_agency_list_done(&l);
	f.search = "đa khoa";
	assert_int_equal(attt_org_agency_list(t->db, &f, &l), ATTT_OK);
	assert_int_equal(l.count, 1);
	attt_org_agency_list_done(&l);
	f.search = "SYT"; /* exact code */
	assert_int_equal(attt_org_agency_list(t->db, &f, &l), ATTT_OK);
	assert_int_equal(l.count, 1);
	assert_int_equal(l.items[0].id, d);
	attt_org_agency_list_done(&l);
	f.search = "%"; /* wildcards are text */
	assert_int_equal(attt_org_agency_list(t->db, &f, &l), ATTT_OK);
	assert_int_equal(l.count, 0);
	attt_org_agency_list_done(&l);

	memset(&f, 0, sizeof(f));
	f.type = ATTT_AGENCY_PROVINCE;
	assert_int_equal(attt_org_agency_list(t->db, &f, &l), ATTT_OK);
	assert_int_equal(l.count, 2);
	attt_org_agency_list_done(&l);

	memset(&f, 0, sizeof(f));
	f.limit = 2;
	f.offset = 4;
	assert_int_equal(attt_org_agency_list(t->db, &f, &l), ATTT_OK);
	assert_int_equal(l.count, 1);
	assert_int_equal(l.total, 5);
	attt_org_agency_list_done(&l);
	f.limit = ATTT_HTTP_MAX_PAGE + 1;
	assert_int_equal(attt_org_agency_list(t->db, &f, &l), ATTT_E_RANGE);
}

static void test_agency_json(void **state)
{
	struct odb *t = *state;
	struct attt_agency a = { 0 };
	int64_t p = o_agency(t, "Tỉnh Thái Nguyên", ATTT_AGENCY_PROVINCE, "TN", 0);
	json_t *j;

	assert_int_equal(attt_org_agency_get(t->db, p, &a), ATTT_OK);
	j = attt_org_agency_to_json(&a);
	assert_non_null(j);
	assert_int_equal(json_integer_value(json_object_get(j, "id")), p);
	assert_string_equal(json_string_value(json_object_get(j, "name")), "Tỉnh Thái Nguyên");
	assert_string_equal(json_string_value(json_object_get(j, "type")), "province");
	assert_string_equal(json_string_value(json_object_get(j, "status")), "active");
	assert_true(json_is_null(json_object_get(j, "parent_id")));
	assert_string_equal(json_string_value(json_object_get(j, "created_at")), "2026-11-18T11:06:41Z");
	json_decref(j);
	attt_org_agency_done(&a);
}

static void test_agency_names(void **state)
{
	enum attt_agency_type ty;
	enum attt_person_status ps;
	(void)state;
	assert_int_equal(attt_org_agency_type_parse("Department", &ty), ATTT_OK);
	assert_int_equal(ty, ATTT_AGENCY_DEPARTMENT);
	assert_int_equal(attt_org_agency_type_parse("ministry", &ty), ATTT_E_INVAL);
	assert_string_equal(attt_org_agency_type_name(ATTT_AGENCY_SOCIO_POLITICAL), "socio_political");
	assert_string_equal(attt_org_agency_type_name((enum attt_agency_type)99), "");
	assert_int_equal(attt_org_person_status_parse("on_leave", &ps), ATTT_OK);
	assert_int_equal(ps, ATTT_PERSON_ON_LEAVE);
	assert_int_equal(attt_org_person_status_parse("fired", &ps), ATTT_E_INVAL);
}

/* R1.2: dissolving keeps the agency and its history, and leaves nothing active under it. */
static void test_agency_dissolve(void **state)
{
	struct odb *t = *state;
	struct attt_agency_history_list h = { 0 };
	struct attt_agency a = { 0 };
	int64_t p = o_agency(t, "Tỉnh", ATTT_AGENCY_PROVINCE, NULL, 0);
	int64_t d = o_agency(t, "Ban Quản lý", ATTT_AGENCY_OTHER, NULL, p);
	int64_t u = o_agency(t, "Tổ", ATTT_AGENCY_OTHER, NULL, d);
	int64_t pe = o_person(t, d, "Vi Văn Tư", NULL), id, events;
	struct attt_person_update up = { .status = ATTT_PERSON_RETIRED };

	assert_int_equal(attt_org_agency_dissolve(t->db, &t->clock, &t->actor, d), ATTT_E_CONFLICT); /* child */
	assert_int_equal(attt_org_agency_merge(t->db, &t->clock, &t->actor, u, p, NULL), ATTT_OK);
	assert_int_equal(attt_org_agency_dissolve(t->db, &t->clock, &t->actor, d), ATTT_E_CONFLICT); /* person */
	assert_int_equal(attt_org_person_update(t->db, &t->clock, &t->actor, pe, &up), ATTT_OK);
	events = o_audit_count(t);
	assert_int_equal(attt_org_agency_dissolve(t->db, &t->clock, &t->actor, d), ATTT_OK);
	assert_int_equal(o_audit_count(t), events + 1);
	assert_int_equal(attt_org_agency_get(t->db, d, &a), ATTT_OK);
	assert_int_equal(a.status, ATTT_AGENCY_DISSOLVED);
	attt_org_agency_done(&a);
	assert_int_equal(attt_org_agency_dissolve(t->db, &t->clock, &t->actor, d), ATTT_E_STATE);
	assert_int_equal(attt_org_agency_history(t->db, d, &h), ATTT_OK);
	assert_string_equal(h.items[h.count - 1].kind, "dissolve");
	attt_org_agency_history_list_done(&h);
	struct attt_agency_new in = { .name = "Mới", .type = ATTT_AGENCY_OTHER, .parent_id = d };
	assert_int_equal(attt_org_agency_add(t->db, &t->clock, &t->actor, &in, &id), ATTT_E_STATE);
	assert_int_equal(attt_org_agency_dissolve(t->db, &t->clock, &t->actor, 999), ATTT_E_NOTFOUND);
}

/* JSON request bodies to structs: members checked by name and type. */
static void test_org_from_json(void **state)
{
	struct attt_agency_new an = { 0 };
	struct attt_person_new pn = { 0 };
	struct attt_person_update pu = { 0 };
	const char *field = NULL;
	json_t *j;
	(void)state;

	j = json_loads("{\"name\": \"Sở Y tế\", \"type\": \"department\", \"parent_id\": 3, \"code\": null}", 0, NULL);
	assert_int_equal(attt_org_agency_new_from_json(j, &an, &field), ATTT_OK);
	assert_string_equal(an.name, "Sở Y tế");
	assert_int_equal(an.type, ATTT_AGENCY_DEPARTMENT);
	assert_int_equal(an.parent_id, 3);
	json_decref(j);
	j = json_loads("{\"name\": \"X\", \"type\": \"ministry\"}", 0, NULL);
	assert_int_equal(attt_org_agency_new_from_json(j, &an, &field), ATTT_E_INVAL);
	assert_string_equal(field, "type");
	json_decref(j);
	j = json_loads("{\"name\": \"X\", \"type\": \"other\", \"colour\": 1}", 0, NULL);
	assert_int_equal(attt_org_agency_new_from_json(j, &an, &field), ATTT_E_INVAL);
	assert_string_equal(field, "colour");
	json_decref(j);
	j = json_loads("{\"name\": \"X\\u0000Y\", \"type\": \"other\"}", JSON_ALLOW_NUL, NULL);
	assert_int_equal(attt_org_agency_new_from_json(j, &an, &field), ATTT_E_INVAL);
	assert_string_equal(field, "name");
	json_decref(j);

	j = json_loads("{\"agency_id\": 2, \"full_name\": \"Lê A\", \"status\": \"on_leave\"}", 0, NULL);
	assert_int_equal(attt_org_person_new_from_json(j, &pn, &field), ATTT_OK);
	assert_int_equal(pn.agency_id, 2);
	assert_int_equal(pn.status, ATTT_PERSON_ON_LEAVE);
	json_decref(j);
	j = json_loads("{\"agency_id\": \"2\", \"full_name\": \"Lê A\"}", 0, NULL);
	assert_int_equal(attt_org_person_new_from_json(j, &pn, &field), ATTT_E_INVAL);
	assert_string_equal(field, "agency_id");
	json_decref(j);
	j = json_loads("{\"email\": null, \"status\": \"left\"}", 0, NULL);
	assert_int_equal(attt_org_person_update_from_json(j, &pu, &field), ATTT_OK);
	assert_string_equal(pu.email, "");
	assert_null(pu.phone);
	assert_int_equal(pu.status, ATTT_PERSON_LEFT);
	json_decref(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_agency_add__tree_and_within, odb_setup, odb_teardown),
		cmocka_unit_test_setup_teardown(test_agency_add__bad_input, odb_setup, odb_teardown),
		cmocka_unit_test_setup_teardown(test_agency_depth_limit, odb_setup, odb_teardown),
		cmocka_unit_test_setup_teardown(test_agency_move__subtree_history_and_cycle, odb_setup, odb_teardown),
		cmocka_unit_test_setup_teardown(test_agency_merge__children_people_history, odb_setup, odb_teardown),
		cmocka_unit_test_setup_teardown(test_agency_rename__history, odb_setup, odb_teardown),
		cmocka_unit_test_setup_teardown(test_agency_list__filters_and_pages, odb_setup, odb_teardown),
		cmocka_unit_test_setup_teardown(test_agency_dissolve, odb_setup, odb_teardown),
		cmocka_unit_test_setup_teardown(test_agency_json, odb_setup, odb_teardown),
		cmocka_unit_test(test_agency_names),
		cmocka_unit_test(test_org_from_json),
	};
	return cmocka_run_group_tests_name("org_agency", tests, NULL, NULL);
}
