/*
 * test_account.c: R6.2.a accounts (unique case-insensitive usernames, one person or one service,
 * no generic accounts for people), R6.1.a temporary passwords, the bootstrap admin of attt init,
 * roles on agency subtrees and the scope check, R7.2 audit events for each change.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "fixture.h"
#include "attt/policy.h"

/* R6.2.a: usernames: shape, lower case, generic names refused for people. */
static void test_account_username_norm__rules(void **state)
{
	char out[ATTT_USERNAME_MAX + 1];
	(void)state;

	assert_int_equal(attt_account_username_norm("An.NV", true, out), ATTT_OK);
	assert_string_equal(out, "an.nv");
	assert_int_equal(attt_account_username_norm("ab", true, out), ATTT_E_INVAL);
	assert_int_equal(attt_account_username_norm("1abc", true, out), ATTT_E_INVAL);
	assert_int_equal(attt_account_username_norm("an nv", true, out), ATTT_E_INVAL);
	assert_int_equal(attt_account_username_norm("nguyễn", true, out), ATTT_E_INVAL);
	assert_int_equal(attt_account_username_norm("admin", true, out), ATTT_E_POLICY);
	assert_int_equal(attt_account_username_norm("KeToan2", true, out), ATTT_E_POLICY);
	assert_int_equal(attt_account_username_norm("van-thu", true, out), ATTT_E_POLICY);
	/* A service may be named for what it is. */
	assert_int_equal(attt_account_username_norm("backup", false, out), ATTT_OK);
}

/* R6.2.a: unique whatever the case; tied to one existing person; pending (R5.1). */
static void test_account_add__unique_and_pending(void **state)
{
	struct fx *f = *state;
	struct attt_account_new in = {.username = "AN.NV", .kind = ATTT_ACCOUNT_PERSON, .person_id = 1};
	struct attt_account a;
	char pw[17];
	int64_t id = 0, id2 = 0;

	assert_int_equal(attt_account_add(&f->c, &fx_cli, &in, &id, pw), ATTT_OK);
	assert_true(id > 0);
	assert_int_equal(strlen(pw), 16);
	assert_int_equal(attt_account_get(&f->c, id, &a), ATTT_OK);
	assert_string_equal(a.username, "an.nv");
	assert_string_equal(a.status, "pending");
	assert_true(a.must_change_password); /* R6.1.a */
	assert_int_equal(a.agency_id, 2);
	in.username = "an.nv";
	assert_int_equal(attt_account_add(&f->c, &fx_cli, &in, &id2, pw), ATTT_E_EXISTS);
	in.username = "An.Nv";
	assert_int_equal(attt_account_add(&f->c, &fx_cli, &in, &id2, pw), ATTT_E_EXISTS);
	in.username = "ketoan";
	assert_int_equal(attt_account_add(&f->c, &fx_cli, &in, &id2, pw), ATTT_E_POLICY);
	in.username = "ghost.x";
	in.person_id = 99;
	assert_int_equal(attt_account_add(&f->c, &fx_cli, &in, &id2, pw), ATTT_E_NOTFOUND);
	assert_int_equal(attt_account_find(&f->c, "AN.nv", &a), ATTT_OK);
	assert_int_equal(a.id, id);
	/* R7.2: one audit event for the creation. */
	assert_int_equal(fx_count(f, "SELECT COUNT(*) FROM audit_event WHERE action = 'account.create' AND rule = 'R6.2.a'"), 1);
}

/* R6.2.a: a service account belongs to one registered service and agency. */
static void test_account_add__service(void **state)
{
	struct fx *f = *state;
	struct attt_account_new in = {.username = "backup-bot", .kind = ATTT_ACCOUNT_SERVICE, .service_name = "backup",
				      .agency_id = 2};
	struct attt_account a;
	char pw[17];
	int64_t id = 0;

	assert_int_equal(attt_account_add(&f->c, &fx_cli, &in, &id, pw), ATTT_OK);
	assert_int_equal(attt_account_get(&f->c, id, &a), ATTT_OK);
	assert_int_equal(a.kind, ATTT_ACCOUNT_SERVICE);
	assert_string_equal(a.status, "active");
	in.service_name = NULL;
	in.username = "other-bot";
	assert_int_equal(attt_account_add(&f->c, &fx_cli, &in, &id, pw), ATTT_E_INVAL);
}

/* attt init: one bootstrap admin, platform-wide, its password shown once and to be changed. */
static void test_account_bootstrap_admin__once(void **state)
{
	struct fx *f = *state;
	struct attt_login_result res;
	struct attt_principal p;
	char pw[17];
	bool ok = false;

	assert_int_equal(attt_account_bootstrap_admin(&f->c, NULL, pw), ATTT_OK);
	assert_int_equal(attt_account_bootstrap_admin(&f->c, NULL, pw + 0), ATTT_E_EXISTS);
	assert_int_equal(fx_login(f, "admin", pw, &res), ATTT_OK);
	assert_true(res.must_change_password);
	assert_true(res.mfa_enrol_required);
	assert_int_equal(attt_auth_session_check(&f->c, res.session, strlen(res.session), &p), ATTT_OK);
	assert_int_equal(p.n_grants, 1);
	assert_int_equal(p.grants[0].role, ATTT_ROLE_ADMIN);
	assert_int_equal(p.grants[0].agency_id, 0);
	/* Until the password is changed it acts on itself only. */
	assert_int_equal(attt_principal_can(&f->c, &p, ATTT_PERM_ACCOUNT_WRITE, 3, &ok), ATTT_OK);
	assert_false(ok);
	assert_int_equal(attt_principal_can(&f->c, &p, ATTT_PERM_SELF, 0, &ok), ATTT_OK);
	assert_true(ok);
}

/* Roles on a subtree: an officer of agency 2 manages agency 2, not agency 3. */
static void test_account_grant__scope(void **state)
{
	struct fx *f = *state;
	struct attt_login_result res;
	struct attt_principal p;
	char pw[17];
	bool ok = true;
	int64_t id = fx_add(f, "an.nv", 1, ATTT_ROLE_SECURITY_OFFICER, pw);

	assert_true(id > 0);
	assert_int_equal(attt_account_grant(&f->c, &fx_cli, id, ATTT_ROLE_SECURITY_OFFICER, 2), ATTT_E_EXISTS);
	assert_int_equal(attt_account_grant(&f->c, &fx_cli, id, ATTT_ROLE_AUDITOR, 99), ATTT_E_NOTFOUND);
	assert_int_equal(fx_activate(f, id, pw, "Xk7#pqWzRt"), ATTT_OK);
	f->policy.mfa_roles = 0; /* this test is not about MFA */
	assert_int_equal(fx_login(f, "an.nv", "Xk7#pqWzRt", &res), ATTT_OK);
	assert_false(res.must_change_password);
	assert_false(res.must_acknowledge);
	assert_int_equal(attt_auth_session_check(&f->c, res.session, strlen(res.session), &p), ATTT_OK);
	assert_int_equal(attt_principal_can(&f->c, &p, ATTT_PERM_ACCOUNT_WRITE, 2, &ok), ATTT_OK);
	assert_true(ok);
	assert_int_equal(attt_principal_can(&f->c, &p, ATTT_PERM_ACCOUNT_WRITE, 3, &ok), ATTT_OK);
	assert_false(ok);
	assert_int_equal(attt_principal_can(&f->c, &p, ATTT_PERM_CONFIG_WRITE, 0, &ok), ATTT_OK);
	assert_false(ok);
	/* Revoked: gone at the next request. */
	assert_int_equal(attt_account_revoke(&f->c, &fx_cli, id, ATTT_ROLE_SECURITY_OFFICER, 2), ATTT_OK);
	assert_int_equal(attt_account_revoke(&f->c, &fx_cli, id, ATTT_ROLE_SECURITY_OFFICER, 2), ATTT_E_NOTFOUND);
	assert_int_equal(attt_auth_session_check(&f->c, res.session, strlen(res.session), &p), ATTT_OK);
	assert_int_equal(p.n_grants, 0);
	assert_int_equal(fx_count(f, "SELECT COUNT(*) FROM audit_event WHERE action IN ('role.grant', 'role.revoke') AND category = 5"),
			 2);
}

/* The JSON of an account and the list by subtree carry no secret. */
static void test_account_json__no_secret(void **state)
{
	struct fx *f = *state;
	json_t *arr = NULL;
	char pw[17], *text;
	int64_t a = fx_add(f, "an.nv", 1, ATTT_ROLE_STAFF, pw), b = fx_add(f, "binh.tt", 2, ATTT_ROLE_STAFF, NULL);

	assert_true(a > 0 && b > 0);
	assert_int_equal(attt_account_list_json(&f->c, 2, &arr), ATTT_OK);
	assert_int_equal(json_array_size(arr), 1);
	text = json_dumps(arr, 0);
	assert_non_null(strstr(text, "\"an.nv\""));
	assert_non_null(strstr(text, "Nguyễn Văn An"));
	assert_null(strstr(text, "argon2"));
	assert_null(strstr(text, pw));
	free(text);
	json_decref(arr);
	assert_int_equal(attt_account_list_json(&f->c, 0, &arr), ATTT_OK);
	assert_int_equal(json_array_size(arr), 2);
	json_decref(arr);
}

/* The profile's values become the account policy; values the regulation forbids are refused. */
static void test_auth_policy_from_profile__values_and_bounds(void **state)
{
	static const char *const roles[] = {"admin", "auditor", NULL};
	struct attt_policy_values v;
	struct attt_auth_policy p;
	(void)state;

	memset(&v, 0, sizeof(v));
	v.password_min_length = 10;
	v.password_require_lower = v.password_require_upper = v.password_require_digit_or_special = true;
	v.password_max_age_days = 60;
	v.password_warn_days = 7;
	v.password_history = 3;
	v.lockout_threshold = 4;
	v.lockout_duration_s = 600;
	v.session_idle_s = 300;
	v.session_absolute_s = 3600;
	v.account_review_interval_days = 60;
	v.account_dormant_days = 45;
	v.mfa_roles.n = 2;
	v.mfa_roles.items = roles;
	assert_int_equal(attt_auth_policy_from_profile(&v, &p), ATTT_OK);
	assert_int_equal(p.password.min_length, 10);
	assert_int_equal(p.password.max_age_days, 60);
	assert_int_equal(p.lockout.threshold, 4);
	assert_int_equal(p.lockout.duration_us, 600 * SEC);
	assert_int_equal(p.session.idle_us, 300 * SEC);
	assert_int_equal(p.dormant_days, 45);
	assert_int_equal(p.mfa_roles, (1u << ATTT_ROLE_ADMIN) | (1u << ATTT_ROLE_AUDITOR));
	/* R6.2.b: a threshold of 7 is refused; R6.1.đ: no upper case required is refused; R6.1.c. */
	v.lockout_threshold = 7;
	assert_int_equal(attt_auth_policy_from_profile(&v, &p), ATTT_E_POLICY);
	v.lockout_threshold = 5;
	v.password_require_upper = false;
	assert_int_equal(attt_auth_policy_from_profile(&v, &p), ATTT_E_POLICY);
	v.password_require_upper = true;
	v.session_idle_s = 601;
	assert_int_equal(attt_auth_policy_from_profile(&v, &p), ATTT_E_POLICY);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_account_username_norm__rules),
		cmocka_unit_test(test_auth_policy_from_profile__values_and_bounds),
		cmocka_unit_test_setup_teardown(test_account_add__unique_and_pending, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_account_add__service, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_account_bootstrap_admin__once, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_account_grant__scope, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_account_json__no_secret, fx_setup, fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
