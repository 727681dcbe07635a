/*
 * test_process.c: R5.1 onboarding (pending until the current rules are acknowledged, versioned),
 * R5.3 offboarding in one action, R6.1.e review campaigns (revocations at once, overdue flagged),
 * dormant accounts (R6.1.e) and R19 external accounts ending on their date.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "fixture.h"

#define GOOD "Xk7#pqWzRt"

/* R5.1: pending until acknowledged; a new version is recorded separately. */
static void test_rules__acknowledge_activates(void **state)
{
	struct fx *f = *state;
	struct attt_account a;
	json_t *cur = NULL;
	char pw[17];
	int64_t id = fx_add(f, "an.nv", 1, ATTT_ROLE_STAFF, pw), vid = 0;

	assert_int_equal(attt_rules_current_json(&f->c, &cur), ATTT_OK);
	assert_string_equal(json_string_value(json_object_get(cur, "version")), "1");
	json_decref(cur);
	assert_int_equal(attt_rules_publish(&f->c, &fx_cli, "2026.1", "Quy chế mới (new rules)", &vid), ATTT_OK);
	assert_int_equal(attt_account_get(&f->c, id, &a), ATTT_OK);
	assert_string_equal(a.status, "pending");
	f->now += 3600 * SEC;
	assert_int_equal(attt_rules_acknowledge(&f->c, &fx_cli, id), ATTT_OK);
	assert_int_equal(attt_account_get(&f->c, id, &a), ATTT_OK);
	assert_string_equal(a.status, "active");
	assert_int_equal(fx_count(f, "SELECT version_id FROM rules_ack WHERE person_id = 1"), vid);
	assert_int_equal(fx_count(f, "SELECT acknowledged_at FROM rules_ack WHERE person_id = 1"), T0 + 3600 * SEC);
	assert_int_equal(fx_count(f, "SELECT COUNT(*) FROM audit_event WHERE action = 'rules.acknowledge' AND rule = 'R5.1'"), 1);
	assert_int_equal(attt_rules_publish(&f->c, &fx_cli, "", "x", NULL), ATTT_E_INVAL);
}

/* R5.3: one action disables every account, ends sessions and tokens, removes roles, opens a case. */
static void test_offboard__one_action(void **state)
{
	struct fx *f = *state;
	struct attt_login_result res;
	struct attt_principal p;
	struct attt_account a;
	json_t *cs = NULL;
	char pw[17], pw2[17], tok[ATTT_TOKEN_SIZE];
	int64_t id = fx_add(f, "an.nv", 1, ATTT_ROLE_SECURITY_OFFICER, pw), id2 = fx_add(f, "an.nv2", 1, ATTT_ROLE_STAFF, pw2);
	int64_t other = fx_add(f, "binh.tt", 2, ATTT_ROLE_STAFF, NULL), case_id = 0;

	assert_int_equal(fx_activate(f, id, pw, GOOD), ATTT_OK);
	assert_int_equal(fx_login(f, "an.nv", GOOD, &res), ATTT_OK);
	assert_int_equal(attt_auth_token_create(&f->c, &fx_cli, id, "script", 1u << ATTT_PERM_ACCOUNT_READ, f->now + DAY, tok),
			 ATTT_OK);
	assert_int_equal(attt_offboard_person(&f->c, &fx_cli, 1, "Nghỉ hưu (retired)", &case_id), ATTT_OK);
	assert_int_equal(attt_account_get(&f->c, id, &a), ATTT_OK);
	assert_string_equal(a.status, "disabled");
	assert_int_equal(attt_account_get(&f->c, id2, &a), ATTT_OK);
	assert_string_equal(a.status, "disabled");
	assert_int_equal(attt_account_get(&f->c, other, &a), ATTT_OK);
	assert_string_equal(a.status, "pending");
	assert_int_equal(attt_auth_session_check(&f->c, res.session, strlen(res.session), &p), ATTT_E_AUTH);
	assert_int_equal(attt_auth_token_check(&f->c, tok, strlen(tok), &p), ATTT_E_AUTH);
	assert_int_equal(fx_count(f, "SELECT COUNT(*) FROM role_grant WHERE account_id IN (SELECT id FROM account WHERE person_id = 1)"), 0);
	assert_int_equal(fx_login(f, "an.nv", GOOD, NULL), ATTT_E_AUTH);
	assert_int_equal(attt_offboard_json(&f->c, case_id, &cs), ATTT_OK);
	/* Two accounts, assets, external accounts, keys. */
	assert_int_equal(json_array_size(json_object_get(cs, "items")), 5);
	json_decref(cs);
	assert_int_equal(fx_count(f, "SELECT COUNT(*) FROM audit_event WHERE action = 'person.offboard' AND rule = 'R5.3'"), 1);
	assert_int_equal(attt_offboard_person(&f->c, &fx_cli, 1, "", &case_id), ATTT_E_INVAL);
}

/* R5.3: the checklist is ticked item by item, each tick audited with its note; a tick is final;
 * the case closes with its last item and the list of open cases loses it. */
static void test_offboard__checklist(void **state)
{
	struct fx *f = *state;
	const struct attt_actor officer = {7, 0, 0, "so.one", NULL, "test"};
	json_t *cs = NULL, *list = NULL, *it;
	char pw[17];
	int64_t case_id = 0, got_case = 0, agency = 0, first = 0;
	bool closed = true;
	size_t i, n;

	struct attt_grant held[4];
	size_t nh = 0;
	int64_t again = 0;

	(void)fx_add(f, "an.nv", 1, ATTT_ROLE_STAFF, pw);
	assert_int_equal(attt_person_grants(&f->c, 1, held, 4, &nh), ATTT_OK);
	assert_int_equal(nh, 1);
	assert_int_equal(held[0].role, ATTT_ROLE_STAFF);
	/* Done only while the person is still in the agency the caller was checked on. */
	assert_int_equal(attt_offboard_person_in(&f->c, &fx_cli, 1, 999, "Chuyển công tác", &case_id), ATTT_E_CONFLICT);
	assert_int_equal(fx_count(f, "SELECT COUNT(*) FROM offboarding"), 0);
	assert_int_equal(attt_offboard_person(&f->c, &fx_cli, 1, "Chuyển công tác (transferred)", &case_id), ATTT_OK);
	/* One open case per person: a second action names it and changes nothing. */
	assert_int_equal(attt_offboard_person(&f->c, &fx_cli, 1, "Lần nữa", &again), ATTT_E_EXISTS);
	assert_int_equal(again, case_id);
	assert_int_equal(fx_count(f, "SELECT COUNT(*) FROM offboarding"), 1);
	assert_int_equal(attt_person_grants(&f->c, 1, held, 4, &nh), ATTT_OK);
	assert_int_equal(nh, 0); /* roles removed */
	assert_int_equal(attt_offboard_list(&f->c, true, 0, 50, &list), ATTT_OK);
	assert_int_equal(json_array_size(list), 1);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(list, 0), "pending")), 4);
	json_decref(list);
	assert_int_equal(attt_offboard_json(&f->c, case_id, &cs), ATTT_OK);
	n = json_array_size(json_object_get(cs, "items"));
	assert_int_equal(n, 4); /* one account, assets, external accounts, keys */
	first = json_integer_value(json_object_get(json_array_get(json_object_get(cs, "items"), 0), "id"));
	json_decref(cs);
	assert_int_equal(attt_offboard_locate(&f->c, 0, first, &got_case, &agency), ATTT_OK);
	assert_int_equal(got_case, case_id);
	assert_true(agency > 0);
	assert_int_equal(attt_offboard_locate(&f->c, 0, 9999, &got_case, &agency), ATTT_E_NOTFOUND);
	assert_int_equal(attt_offboard_item_done(&f->c, &officer, first, "Đã thu hồi máy tính xách tay số 12", &got_case, &closed),
			 ATTT_OK);
	assert_false(closed);
	assert_int_equal(got_case, case_id);
	/* A tick is final, and an unknown item or a note that is not UTF-8 is refused. */
	assert_int_equal(attt_offboard_item_done(&f->c, &officer, first, NULL, NULL, NULL), ATTT_E_CONFLICT);
	assert_int_equal(attt_offboard_item_done(&f->c, &officer, 9999, NULL, NULL, NULL), ATTT_E_NOTFOUND);
	assert_int_equal(attt_offboard_item_done(&f->c, &officer, first + 1, "\xff", NULL, NULL), ATTT_E_INVAL);
	for (int64_t id = first + 1; id < first + (int64_t)n; id++) {
		assert_int_equal(attt_offboard_item_done(&f->c, &officer, id, NULL, NULL, &closed), ATTT_OK);
		assert_true(closed == (id == first + (int64_t)n - 1));
	}
	assert_int_equal(attt_offboard_json(&f->c, case_id, &cs), ATTT_OK);
	assert_false(json_is_null(json_object_get(cs, "closed_at")));
	json_array_foreach(json_object_get(cs, "items"), i, it) {
		assert_false(json_is_null(json_object_get(it, "done_at")));
		assert_int_equal(json_integer_value(json_object_get(it, "done_by")), 7);
	}
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(cs, "items"), 0), "note")),
			    "Đã thu hồi máy tính xách tay số 12");
	json_decref(cs);
	assert_int_equal(attt_offboard_list(&f->c, true, 0, 50, &list), ATTT_OK);
	assert_int_equal(json_array_size(list), 0);
	json_decref(list);
	assert_int_equal(attt_offboard_list(&f->c, false, 0, 50, &list), ATTT_OK);
	assert_int_equal(json_array_size(list), 1);
	json_decref(list);
	assert_int_equal(fx_count(f, "SELECT COUNT(*) FROM audit_event WHERE action = 'person.offboard.item' AND rule = 'R5.3'"),
			 (int64_t)n);
}

/* R6.1.e: a campaign lists every account and role; a revocation applies at once; the campaign
 * closes when all is decided; agencies without a recent campaign and late campaigns are flagged. */
static void test_review__campaign(void **state)
{
	struct fx *f = *state;
	json_t *cmp = NULL, *list = NULL;
	struct attt_account a;
	int64_t a1 = fx_add(f, "an.nv", 1, ATTT_ROLE_STAFF, NULL), a2 = fx_add(f, "minh.lh", 3, ATTT_ROLE_AGENCY_HEAD, NULL);
	int64_t a3 = fx_add(f, "binh.tt", 2, ATTT_ROLE_STAFF, NULL), cid = 0, agency = 0, x;

	(void)a3;
	f->now += 100 * DAY;
	assert_int_equal(attt_review_list_json(&f->c, 0, &list), ATTT_OK);
	assert_int_equal(json_array_size(json_object_get(list, "overdue_agencies")), 2); /* agencies 2 and 3 */
	json_decref(list);
	assert_int_equal(attt_review_start(&f->c, &fx_cli, 2, &cid), ATTT_OK);
	assert_int_equal(attt_review_start(&f->c, &fx_cli, 2, &x), ATTT_E_CONFLICT);
	assert_int_equal(attt_review_json(&f->c, cid, &cmp), ATTT_OK);
	json_t *items = json_object_get(cmp, "items");
	assert_int_equal(json_array_size(items), 4); /* 2 accounts + 2 roles of agency 2 */
	int64_t ids[4];
	const char *roles[4];
	for (size_t i = 0; i < 4; i++) {
		json_t *it = json_array_get(items, i);
		ids[i] = json_integer_value(json_object_get(it, "id"));
		roles[i] = json_string_value(json_object_get(it, "role"));
	}
	/* Items: account a1, account a2, role of a1, role of a2. Revoke a2's role and a1's account. */
	assert_null(roles[0]);
	assert_string_equal(roles[3], "agency_head");
	assert_int_equal(attt_review_decide(&f->c, &fx_cli, ids[3], "revoke", "không còn giữ chức vụ", &agency), ATTT_OK);
	assert_int_equal(agency, 2);
	assert_int_equal(fx_count(f, "SELECT COUNT(*) FROM role_grant WHERE role = 'agency_head'"), 0);
	assert_int_equal(attt_review_decide(&f->c, &fx_cli, ids[3], "confirm", NULL, NULL), ATTT_E_CONFLICT);
	assert_int_equal(attt_review_decide(&f->c, &fx_cli, ids[0], "maybe", NULL, NULL), ATTT_E_INVAL);
	assert_int_equal(attt_review_decide(&f->c, &fx_cli, ids[0], "revoke", NULL, NULL), ATTT_OK);
	assert_int_equal(attt_account_get(&f->c, a1, &a), ATTT_OK);
	assert_string_equal(a.status, "disabled");
	assert_int_equal(attt_review_decide(&f->c, &fx_cli, ids[1], "confirm", NULL, NULL), ATTT_OK);
	/* Late: past the due date while open. */
	f->now += 31 * DAY;
	assert_int_equal(attt_review_list_json(&f->c, 2, &list), ATTT_OK);
	assert_true(json_is_true(json_object_get(json_array_get(json_object_get(list, "campaigns"), 0), "overdue")));
	json_decref(list);
	assert_int_equal(attt_review_decide(&f->c, &fx_cli, ids[2], "confirm", NULL, NULL), ATTT_OK);
	assert_int_equal(fx_count(f, "SELECT closed_at FROM review_campaign"), f->now);
	assert_int_equal(attt_review_list_json(&f->c, 2, &list), ATTT_OK);
	assert_false(json_is_true(json_object_get(json_array_get(json_object_get(list, "campaigns"), 0), "overdue")));
	assert_int_equal(json_array_size(json_object_get(list, "overdue_agencies")), 0);
	json_decref(list);
	json_decref(cmp);
	(void)a2;
	assert_int_equal(fx_count(f, "SELECT COUNT(*) FROM audit_event WHERE action = 'review.decide' AND rule = 'R6.1.e'"), 4);
}

/* Dormant accounts are disabled and reported; R19 external accounts end on their date. */
static void test_sweep__dormant_and_external(void **state)
{
	struct fx *f = *state;
	struct attt_account a;
	json_t *rep = NULL;
	char pw[17];
	int64_t sponsor = fx_add(f, "an.nv", 1, ATTT_ROLE_SECURITY_OFFICER, pw), ext = 0;
	struct attt_account_new in = {.username = "nhathau.x", .kind = ATTT_ACCOUNT_PERSON, .person_id = 3,
				      .sponsor_id = sponsor, .end_at = f->now + 10 * DAY};

	/* R19: a sponsor needs an end date, and an active sponsor. */
	assert_int_equal(attt_account_add(&f->c, &fx_cli, &in, &ext, pw), ATTT_E_NOTFOUND);
	assert_int_equal(fx_activate(f, sponsor, pw, GOOD), ATTT_OK);
	in.end_at = 0;
	assert_int_equal(attt_account_add(&f->c, &fx_cli, &in, &ext, pw), ATTT_E_INVAL);
	in.end_at = f->now + 10 * DAY;
	assert_int_equal(attt_account_add(&f->c, &fx_cli, &in, &ext, pw), ATTT_OK);
	f->now += 9 * DAY;
	assert_int_equal(attt_auth_sweep(&f->c, &rep), ATTT_OK);
	assert_int_equal(json_array_size(json_object_get(rep, "ended")), 0);
	json_decref(rep);
	assert_int_equal(fx_login(f, "an.nv", GOOD, NULL), ATTT_OK);
	f->now += DAY;
	assert_int_equal(attt_auth_sweep(&f->c, &rep), ATTT_OK);
	assert_int_equal(json_array_size(json_object_get(rep, "ended")), 1);
	json_decref(rep);
	assert_int_equal(attt_account_get(&f->c, ext, &a), ATTT_OK);
	assert_string_equal(a.status, "disabled");
	/* Dormant: 90 days without a login. */
	f->now += 89 * DAY;
	assert_int_equal(attt_auth_sweep(&f->c, &rep), ATTT_OK);
	assert_int_equal(json_array_size(json_object_get(rep, "dormant")), 0);
	json_decref(rep);
	f->now += 2 * DAY;
	assert_int_equal(attt_auth_sweep(&f->c, &rep), ATTT_OK);
	assert_int_equal(json_array_size(json_object_get(rep, "dormant")), 1);
	assert_string_equal(json_string_value(json_array_get(json_object_get(rep, "dormant"), 0)), "an.nv");
	json_decref(rep);
	assert_int_equal(fx_count(f, "SELECT COUNT(*) FROM audit_event WHERE action = 'account.disable' AND rule IN ('R19', 'R6.1.e')"), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_rules__acknowledge_activates, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_offboard__one_action, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_offboard__checklist, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_review__campaign, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_sweep__dormant_and_external, fx_setup, fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
