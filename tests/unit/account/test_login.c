/*
 * test_login.c: login (R7.2 audit of every attempt), lockout in the database (R6.2.b) for N = 3, 4
 * and 5 with an injected clock, no user enumeration, sessions (R6.1.c idle and absolute expiry,
 * CSRF, logout, my sessions), password change and expiry (R6.1.đ), temporary passwords (R6.1.a),
 * resets (R6.2.b), TOTP with recovery codes, API tokens, rehash on raised parameters.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "fixture.h"

#define GOOD "Xk7#pqWzRt"

static int64_t ready(struct fx *f, const char *user, int64_t person)
{
	char pw[17];
	int64_t id = fx_add(f, user, person, ATTT_ROLE_STAFF, pw);
	assert_true(id > 0);
	assert_int_equal(fx_activate(f, id, pw, GOOD), ATTT_OK);
	return id;
}

/* R6.1.a: the first login with an issued password must change it; R5.1 pending until acknowledged. */
static void test_login__temporary_password_and_pending(void **state)
{
	struct fx *f = *state;
	struct attt_login_result res;
	struct attt_principal p;
	char pw[17];
	bool ok = true;
	int64_t id = fx_add(f, "an.nv", 1, ATTT_ROLE_STAFF, pw);

	assert_int_equal(fx_login(f, "an.nv", pw, &res), ATTT_OK);
	assert_true(res.must_change_password);
	assert_true(res.must_acknowledge);
	assert_int_equal(strlen(res.session), 43);
	assert_int_equal(strlen(res.csrf), 43);
	assert_int_equal(attt_auth_session_check(&f->c, res.session, strlen(res.session), &p), ATTT_OK);
	assert_int_equal(attt_principal_can(&f->c, &p, ATTT_PERM_INCIDENT_REPORT, 2, &ok), ATTT_OK);
	assert_false(ok); /* nothing but itself before the change */
	assert_int_equal(fx_activate(f, id, pw, GOOD), ATTT_OK);
	assert_int_equal(fx_login(f, "an.nv", GOOD, &res), ATTT_OK);
	assert_false(res.must_change_password);
	assert_false(res.must_acknowledge);
	assert_int_equal(attt_auth_session_check(&f->c, res.session, strlen(res.session), &p), ATTT_OK);
	assert_int_equal(attt_principal_can(&f->c, &p, ATTT_PERM_INCIDENT_REPORT, 2, &ok), ATTT_OK);
	assert_true(ok);
	/* R5.1: the acknowledgment is recorded with its time. */
	assert_int_equal(fx_count(f, "SELECT acknowledged_at FROM rules_ack WHERE person_id = 1"), T0);
	/* R7.2: every login attempt is audited. */
	assert_int_equal(fx_count(f, "SELECT COUNT(*) FROM audit_event WHERE action = 'auth.login' AND outcome = 0"), 2);
}

/* R6.2.b: lock after N failures, no counting while locked, automatic unlock, reset on success;
 * every lock audited and the officers told. N = 3, 4, 5. */
static void test_login__lockout_table(void **state)
{
	struct fx *f = *state;
	static const int ns[] = {3, 4, 5};
	char officer_pw[17];
	int64_t officer = fx_add(f, "minh.lh", 3, ATTT_ROLE_SECURITY_OFFICER, officer_pw);
	int64_t id = ready(f, "an.nv", 1);

	assert_true(officer > 0);
	for (size_t k = 0; k < 3; k++) {
		struct attt_account a;
		int n = ns[k];
		f->policy.lockout.threshold = n;
		f->now += DAY;
		for (int i = 0; i < n - 1; i++)
			assert_int_equal(fx_login(f, "an.nv", "wrong", NULL), ATTT_E_AUTH);
		/* A success in between resets the count. */
		assert_int_equal(fx_login(f, "an.nv", GOOD, NULL), ATTT_OK);
		for (int i = 0; i < n; i++)
			assert_int_equal(fx_login(f, "an.nv", "wrong", NULL), ATTT_E_AUTH);
		assert_int_equal(attt_account_get(&f->c, id, &a), ATTT_OK);
		assert_true(attt_lockout_is_locked(&a.lockout, f->now));
		/* Locked: the right password is refused and nothing is counted. */
		assert_int_equal(fx_login(f, "an.nv", GOOD, NULL), ATTT_E_AUTH);
		assert_int_equal(fx_login(f, "an.nv", "wrong", NULL), ATTT_E_AUTH);
		assert_int_equal(attt_account_get(&f->c, id, &a), ATTT_OK);
		assert_int_equal(a.lockout.failures, n);
		assert_int_equal(a.lockout.locked_until, f->now + f->policy.lockout.duration_us);
		/* It lifts by itself after the period. */
		f->now += f->policy.lockout.duration_us;
		assert_int_equal(fx_login(f, "an.nv", GOOD, NULL), ATTT_OK);
	}
	assert_int_equal(fx_count(f, "SELECT COUNT(*) FROM audit_event WHERE action = 'auth.lockout' AND rule = 'R6.2.b'"), 3);
	assert_int_equal(fx_count(f, "SELECT COUNT(*) FROM audit_event WHERE action = 'auth.unlock'"), 3);
	/* R6.2.b: the user and the agency's security officer are told. */
	assert_int_equal(fx_count(f, "SELECT COUNT(*) FROM notification WHERE kind = 'account.locked' AND account_id = "
				     "(SELECT id FROM account WHERE username = 'an.nv')"), 3);
	assert_int_equal(fx_count(f, "SELECT COUNT(*) FROM notification WHERE kind = 'account.locked' AND account_id = "
				     "(SELECT id FROM account WHERE username = 'minh.lh')"), 3);
	assert_int_equal(fx_count(f, "SELECT COUNT(*) FROM inbox_item WHERE account_id = "
				     "(SELECT id FROM account WHERE username = 'minh.lh')"), 3);
}

/* R6.2.b: an officer unlocks; a reset also clears the lock. */
static void test_login__officer_unlock_and_reset(void **state)
{
	struct fx *f = *state;
	char temp[17], tok[ATTT_TOKEN_SIZE];
	unsigned failed = 0;
	int64_t id = ready(f, "an.nv", 1);

	for (int i = 0; i < 3; i++)
		fx_login(f, "an.nv", "wrong", NULL);
	assert_int_equal(fx_login(f, "an.nv", GOOD, NULL), ATTT_E_AUTH);
	assert_int_equal(attt_account_unlock(&f->c, &fx_cli, id), ATTT_OK);
	assert_int_equal(fx_login(f, "an.nv", GOOD, NULL), ATTT_OK);
	for (int i = 0; i < 3; i++)
		fx_login(f, "an.nv", "wrong", NULL);
	assert_int_equal(attt_account_reset(&f->c, &fx_cli, id, temp), ATTT_OK);
	struct attt_login_result res;
	assert_int_equal(fx_login(f, "an.nv", temp, &res), ATTT_OK);
	assert_true(res.must_change_password);
	/* The one-time reset: single use, short-lived, clears the lock. */
	for (int i = 0; i < 3; i++)
		fx_login(f, "an.nv", "wrong", NULL);
	assert_int_equal(attt_account_reset_issue(&f->c, &fx_cli, id, tok), ATTT_OK);
	assert_int_equal(attt_auth_reset_redeem(&f->c, tok, strlen(tok), "weak", 4, &failed), ATTT_E_POLICY);
	assert_true(failed & ATTT_PASSWORD_TOO_SHORT);
	assert_int_equal(attt_auth_reset_redeem(&f->c, tok, strlen(tok), "Qm9$zzTopLa", 11, &failed), ATTT_OK);
	assert_int_equal(attt_auth_reset_redeem(&f->c, tok, strlen(tok), "Qm9$zzTopLb", 11, &failed), ATTT_E_AUTH);
	assert_int_equal(fx_login(f, "an.nv", "Qm9$zzTopLa", NULL), ATTT_OK);
	assert_int_equal(attt_account_reset_issue(&f->c, &fx_cli, id, tok), ATTT_OK);
	f->now += f->policy.reset_ttl_us;
	assert_int_equal(attt_auth_reset_redeem(&f->c, tok, strlen(tok), "Rr5$zzTopLc", 11, &failed), ATTT_E_AUTH);
	assert_int_equal(fx_count(f, "SELECT COUNT(*) FROM audit_event WHERE action IN ('auth.unlock', 'auth.reset', 'auth.reset_issue', 'auth.reset_redeem')"),
			 5);
}

/* No enumeration: unknown, wrong password, locked and disabled all give the same error. */
static void test_login__no_enumeration(void **state)
{
	struct fx *f = *state;
	int64_t locked = ready(f, "an.nv", 1), disabled = ready(f, "binh.tt", 2);
	bool mfa = true;

	(void)locked;
	for (int i = 0; i < 3; i++)
		fx_login(f, "an.nv", "wrong", NULL);
	assert_int_equal(attt_account_disable(&f->c, &fx_cli, disabled, "test"), ATTT_OK);
	const char *users[] = {"nobody.here", "an.nv", "binh.tt", "minh.lh", "!!bad!!"};
	for (size_t i = 0; i < 5; i++) {
		struct attt_login in = {.username = users[i], .password = GOOD, .password_len = strlen(GOOD)};
		struct attt_login_result res;
		assert_int_equal(attt_auth_login(&f->c, &in, &res, &mfa), ATTT_E_AUTH);
		assert_false(mfa);
	}
	/* Each failure is audited with its reason (for the trail, not for the caller). */
	assert_int_equal(fx_count(f, "SELECT COUNT(*) FROM audit_event WHERE action = 'auth.login' AND outcome = 1"), 8);
}

/* R6.1.c: idle expiry after 600 s, absolute lifetime, logout, my sessions, CSRF bound to the session. */
static void test_session__expiry_logout_list(void **state)
{
	struct fx *f = *state;
	struct attt_login_result r1, r2;
	struct attt_principal p;
	json_t *list = NULL;
	int64_t id = ready(f, "an.nv", 1);

	assert_int_equal(fx_login(f, "an.nv", GOOD, &r1), ATTT_OK);
	assert_int_equal(attt_csrf_verify(f->key, r1.session, strlen(r1.session), r1.csrf, strlen(r1.csrf)), ATTT_OK);
	f->now += 599 * SEC;
	assert_int_equal(attt_auth_session_check(&f->c, r1.session, strlen(r1.session), &p), ATTT_OK);
	f->now += 599 * SEC;
	assert_int_equal(attt_auth_session_check(&f->c, r1.session, strlen(r1.session), &p), ATTT_OK);
	f->now += 600 * SEC;
	assert_int_equal(attt_auth_session_check(&f->c, r1.session, strlen(r1.session), &p), ATTT_E_AUTH);
	assert_int_equal(fx_count(f, "SELECT COUNT(*) FROM session WHERE end_reason = 'idle'"), 1);
	/* Absolute: kept busy, still ends after 12 h. */
	assert_int_equal(fx_login(f, "an.nv", GOOD, &r1), ATTT_OK);
	int64_t start = f->now;
	while (f->now + 599 * SEC < start + 12 * 3600 * SEC) {
		f->now += 599 * SEC;
		assert_int_equal(attt_auth_session_check(&f->c, r1.session, strlen(r1.session), &p), ATTT_OK);
	}
	f->now = start + 12 * 3600 * SEC;
	assert_int_equal(attt_auth_session_check(&f->c, r1.session, strlen(r1.session), &p), ATTT_E_AUTH);
	assert_int_equal(fx_count(f, "SELECT COUNT(*) FROM session WHERE end_reason = 'absolute'"), 1);
	/* My sessions: two open, one ended by the user. */
	assert_int_equal(fx_login(f, "an.nv", GOOD, &r1), ATTT_OK);
	assert_int_equal(fx_login(f, "an.nv", GOOD, &r2), ATTT_OK);
	assert_int_equal(attt_auth_sessions_json(&f->c, id, r1.ref, &list), ATTT_OK);
	assert_int_equal(json_array_size(list), 2);
	json_decref(list);
	assert_int_equal(attt_auth_session_end(&f->c, &fx_cli, id, r2.ref), ATTT_OK);
	assert_int_equal(attt_auth_session_end(&f->c, &fx_cli, id, r2.ref), ATTT_E_NOTFOUND);
	assert_int_equal(attt_auth_session_check(&f->c, r2.session, strlen(r2.session), &p), ATTT_E_AUTH);
	assert_int_equal(attt_auth_session_check(&f->c, r1.session, strlen(r1.session), &p), ATTT_OK);
	assert_int_equal(attt_auth_logout(&f->c, &p, "127.0.0.1"), ATTT_OK);
	assert_int_equal(attt_auth_session_check(&f->c, r1.session, strlen(r1.session), &p), ATTT_E_AUTH);
	/* Stored hashed: the token itself is nowhere in the database. */
	char sql[200];
	snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM session WHERE token_hash = '%s' OR ref = '%s'", r1.session, r1.session);
	assert_int_equal(fx_count(f, sql), 0);
	assert_int_equal(attt_auth_session_check(&f->c, "garbage", 7, &p), ATTT_E_AUTH);
}

/* R6.1.đ: change checks the rule, the names, the history; expiry after 90 days forces a change. */
static void test_password_change__rules_history_expiry(void **state)
{
	struct fx *f = *state;
	struct attt_login_result res;
	unsigned failed = 0;
	int64_t id = ready(f, "an.nv", 1);

	assert_int_equal(attt_auth_password_change(&f->c, &fx_cli, id, "nope", 4, "Zz9#qwertyX", 11, &failed), ATTT_E_AUTH);
	assert_int_equal(attt_auth_password_change(&f->c, &fx_cli, id, GOOD, strlen(GOOD), "short", 5, &failed), ATTT_E_POLICY);
	assert_true(failed & ATTT_PASSWORD_TOO_SHORT);
	assert_int_equal(attt_auth_password_change(&f->c, &fx_cli, id, GOOD, strlen(GOOD), "Nguyen#2026", 11, &failed),
			 ATTT_E_POLICY);
	assert_int_equal(failed, ATTT_PASSWORD_CONTAINS_NAME);
	assert_int_equal(attt_auth_password_change(&f->c, &fx_cli, id, GOOD, strlen(GOOD), "Xx1#An.Nv99", 11, &failed),
			 ATTT_E_POLICY);
	assert_int_equal(failed, ATTT_PASSWORD_CONTAINS_USERNAME);
	/* History: the current one and the temporary one are refused. */
	assert_int_equal(attt_auth_password_change(&f->c, &fx_cli, id, GOOD, strlen(GOOD), GOOD, strlen(GOOD), &failed),
			 ATTT_E_POLICY);
	assert_int_equal(failed, ATTT_PASSWORD_REUSED);
	assert_int_equal(attt_auth_password_change(&f->c, &fx_cli, id, GOOD, strlen(GOOD), "Zz9#qwertyX", 11, &failed), ATTT_OK);
	/* Expiry: warned in the last 14 days, forced after 90. */
	f->now += 80 * DAY;
	assert_int_equal(fx_login(f, "an.nv", "Zz9#qwertyX", &res), ATTT_OK);
	assert_true(res.password_warn);
	assert_false(res.must_change_password);
	f->now += 10 * DAY;
	assert_int_equal(fx_login(f, "an.nv", "Zz9#qwertyX", &res), ATTT_OK);
	assert_true(res.password_expired);
	assert_true(res.must_change_password);
	assert_int_equal(fx_count(f, "SELECT COUNT(*) FROM audit_event WHERE action = 'auth.password_change' AND outcome = 0"), 2);
}

/* Multi-factor: enrolment, login needs the code, replay refused, recovery codes once each. */
static void test_mfa__totp_and_recovery(void **state)
{
	struct fx *f = *state;
	char secret[ATTT_TOTP_SECRET_B32_SIZE], code[7], codes[ATTT_RECOVERY_CODES][ATTT_RECOVERY_CODE_SIZE], *uri = NULL;
	struct attt_login in = {.username = "an.nv", .password = GOOD, .password_len = strlen(GOOD)};
	struct attt_login_result res;
	bool need = false;
	int64_t id = ready(f, "an.nv", 1);

	assert_int_equal(attt_auth_mfa_begin(&f->c, &fx_cli, id, secret, &uri), ATTT_OK);
	assert_non_null(strstr(uri, secret));
	free(uri);
	/* R7.2: beginning an enrolment changes the account: one auth event, without the secret. */
	assert_int_equal(fx_count(f, "SELECT COUNT(*) FROM audit_event WHERE action = 'mfa.begin' AND category = 1"), 1);
	char nosecret[200];
	snprintf(nosecret, sizeof(nosecret), "SELECT COUNT(*) FROM audit_event WHERE summary LIKE '%%%s%%'", secret);
	assert_int_equal(fx_count(f, nosecret), 0);
	assert_int_equal(attt_totp_code(secret, f->now, code), ATTT_OK);
	assert_int_equal(attt_auth_mfa_confirm(&f->c, &fx_cli, id, strcmp(code, "000000") ? "000000" : "111111", codes),
			 ATTT_E_AUTH);
	assert_int_equal(attt_auth_mfa_confirm(&f->c, &fx_cli, id, code, codes), ATTT_OK);
	/* The secret is not stored in clear. */
	char sql[200];
	snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM account WHERE totp_secret LIKE '%%%s%%'", secret);
	assert_int_equal(fx_count(f, sql), 0);
	/* Password alone: refused, and told a code is needed. */
	assert_int_equal(attt_auth_login(&f->c, &in, &res, &need), ATTT_E_AUTH);
	assert_true(need);
	f->now += 60 * SEC;
	assert_int_equal(attt_totp_code(secret, f->now, code), ATTT_OK);
	in.totp = code;
	assert_int_equal(attt_auth_login(&f->c, &in, &res, &need), ATTT_OK);
	/* The same code again: replay. */
	assert_int_equal(attt_auth_login(&f->c, &in, &res, &need), ATTT_E_AUTH);
	assert_false(need);
	in.totp = codes[0];
	assert_int_equal(attt_auth_login(&f->c, &in, &res, &need), ATTT_OK);
	assert_int_equal(attt_auth_login(&f->c, &in, &res, &need), ATTT_E_AUTH);
}

/* Scoped, expiring API tokens, stored hashed. */
static void test_api_token__scope_expiry(void **state)
{
	struct fx *f = *state;
	struct attt_principal p;
	char tok[ATTT_TOKEN_SIZE];
	bool ok = false;
	int64_t id = ready(f, "an.nv", 1);

	assert_int_equal(attt_account_grant(&f->c, &fx_cli, id, ATTT_ROLE_SECURITY_OFFICER, 2), ATTT_OK);
	assert_int_equal(attt_auth_token_create(&f->c, &fx_cli, id, "agent", 1u << ATTT_PERM_ASSET_WRITE, f->now + DAY, tok),
			 ATTT_OK);
	assert_int_equal(attt_auth_token_check(&f->c, tok, strlen(tok), &p), ATTT_OK);
	f->policy.mfa_roles = 0;
	assert_int_equal(attt_auth_token_check(&f->c, tok, strlen(tok), &p), ATTT_OK);
	assert_int_equal(attt_principal_can(&f->c, &p, ATTT_PERM_ASSET_WRITE, 2, &ok), ATTT_OK);
	assert_true(ok);
	assert_int_equal(attt_principal_can(&f->c, &p, ATTT_PERM_ACCOUNT_WRITE, 2, &ok), ATTT_OK);
	assert_false(ok); /* the role has it, the token's scope does not */
	f->now += DAY;
	assert_int_equal(attt_auth_token_check(&f->c, tok, strlen(tok), &p), ATTT_E_AUTH);
	assert_int_equal(attt_auth_token_check(&f->c, "attt_x", 6, &p), ATTT_E_AUTH);
}

/* Raised Argon2id parameters: the hash is redone at the next successful login. */
static void test_login__rehash_on_raised_params(void **state)
{
	struct fx *f = *state;
	char sql[] = "SELECT COUNT(*) FROM account WHERE username = 'an.nv' AND password_hash LIKE '%t=3%'";
	ready(f, "an.nv", 1);

	assert_int_equal(fx_count(f, sql), 0);
	f->policy.password.hash_opslimit = 3;
	assert_int_equal(fx_login(f, "an.nv", GOOD, NULL), ATTT_OK);
	assert_int_equal(fx_count(f, sql), 1);
	assert_int_equal(fx_login(f, "an.nv", GOOD, NULL), ATTT_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_login__temporary_password_and_pending, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_login__lockout_table, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_login__officer_unlock_and_reset, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_login__no_enumeration, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_session__expiry_logout_list, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_password_change__rules_history_expiry, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_mfa__totp_and_recovery, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_api_token__scope_expiry, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_login__rehash_on_raised_params, fx_setup, fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
