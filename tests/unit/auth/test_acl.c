/*
 * test_acl.c: the eight roles of design.md granted on an agency subtree, the role x permission
 * matrix, and the scope check (another agency's objects are out of reach).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "attt/acl.h"
#include "attt/err.h"

/* A small tree: 1 province > 2 department > 4 unit; 1 > 3 other department. */
static const int64_t parent[] = {0, 0, 1, 1, 2};

static int within(void *ctx, int64_t agency, int64_t ancestor, bool *ret)
{
	int *calls = ctx;
	(*calls)++;
	if (agency == 0 && ancestor >= 1 && ancestor <= 4) { /* the platform: within a root only */
		*ret = parent[ancestor] == 0;
		return ATTT_OK;
	}
	if (agency < 1 || agency > 4)
		return ATTT_E_NOTFOUND;
	for (int64_t a = agency; a != 0; a = parent[a])
		if (a == ancestor) {
			*ret = true;
			return ATTT_OK;
		}
	*ret = false;
	return ATTT_OK;
}

static void test_role_names__roundtrip(void **state)
{
	static const char *names[] = {"staff", "security_officer", "agency_head", "authority",
				      "response_team", "steering", "auditor", "admin"};
	(void)state;
	for (int i = 0; i < 8; i++) {
		enum attt_role r;
		assert_int_equal(attt_role_parse(names[i], &r), ATTT_OK);
		assert_int_equal(r, i + 1);
		assert_string_equal(attt_role_name(r), names[i]);
		assert_string_not_equal(attt_role_label(r, "vi"), attt_role_label(r, "en"));
	}
	enum attt_role r;
	assert_int_equal(attt_role_parse("root", &r), ATTT_E_INVAL);
	assert_string_equal(attt_role_name(0), "unknown");
	for (int p = 0; p < ATTT_PERM_COUNT; p++) {
		enum attt_perm q;
		assert_int_equal(attt_perm_parse(attt_perm_name(p), &q), ATTT_OK);
		assert_int_equal(q, p);
	}
}

/* The matrix in its main lines (docs/access-control.md). */
static void test_role_has__matrix(void **state)
{
	(void)state;
	for (int role = 1; role <= ATTT_ROLE_COUNT; role++)
		assert_true(attt_role_has(role, ATTT_PERM_SELF));
	assert_false(attt_role_has(ATTT_ROLE_STAFF, ATTT_PERM_ACCOUNT_READ));
	assert_false(attt_role_has(ATTT_ROLE_STAFF, ATTT_PERM_PEOPLE_READ));
	assert_true(attt_role_has(ATTT_ROLE_SECURITY_OFFICER, ATTT_PERM_ACCOUNT_WRITE));
	assert_true(attt_role_has(ATTT_ROLE_SECURITY_OFFICER, ATTT_PERM_REVIEW_DECIDE));
	assert_false(attt_role_has(ATTT_ROLE_SECURITY_OFFICER, ATTT_PERM_CONFIG_WRITE));
	/* The auditor reads, never writes. */
	for (int p = 0; p < ATTT_PERM_COUNT; p++) {
		const char *n = attt_perm_name(p);
		bool write = strstr(n, "write") || strstr(n, "decide") || strstr(n, "grant") || strstr(n, "manage") ||
			     strstr(n, "approve") || strstr(n, "report") == n + strlen(n) - 6;
		if (write && p != ATTT_PERM_SELF)
			assert_false(attt_role_has(ATTT_ROLE_AUDITOR, p));
	}
	assert_true(attt_role_has(ATTT_ROLE_AUDITOR, ATTT_PERM_AUDIT_READ));
	assert_true(attt_role_has(ATTT_ROLE_ADMIN, ATTT_PERM_CONFIG_WRITE));
	assert_false(attt_role_has(99, ATTT_PERM_SELF));
	assert_false(attt_role_has(ATTT_ROLE_ADMIN, 99));
	/* MFA required for the authority, admin and security-officer roles. */
	for (int role = 1; role <= ATTT_ROLE_COUNT; role++)
		assert_int_equal(attt_role_mfa_required(role), role == ATTT_ROLE_AUTHORITY || role == ATTT_ROLE_ADMIN ||
								       role == ATTT_ROLE_SECURITY_OFFICER);
	assert_true(attt_role_can_grant(ATTT_ROLE_ADMIN, ATTT_ROLE_AUTHORITY));
	assert_true(attt_role_can_grant(ATTT_ROLE_SECURITY_OFFICER, ATTT_ROLE_STAFF));
	assert_false(attt_role_can_grant(ATTT_ROLE_SECURITY_OFFICER, ATTT_ROLE_ADMIN));
	assert_false(attt_role_can_grant(ATTT_ROLE_AGENCY_HEAD, ATTT_ROLE_STAFF));
}

/* A role reaches its subtree and nothing else. */
static void test_acl_check__subtree_scope(void **state)
{
	struct attt_grant officer2[] = {{ATTT_ROLE_SECURITY_OFFICER, 2}};
	struct attt_grant authority[] = {{ATTT_ROLE_AUTHORITY, 1}};
	struct attt_grant two[] = {{ATTT_ROLE_STAFF, 3}, {ATTT_ROLE_SECURITY_OFFICER, 4}};
	int calls = 0;
	bool ok = false;
	(void)state;

	assert_int_equal(attt_acl_check(officer2, 1, ATTT_PERM_ACCOUNT_WRITE, 2, within, &calls, &ok), ATTT_OK);
	assert_true(ok);
	assert_int_equal(attt_acl_check(officer2, 1, ATTT_PERM_ACCOUNT_WRITE, 4, within, &calls, &ok), ATTT_OK);
	assert_true(ok);
	/* Another department, and the parent: out of reach. */
	assert_int_equal(attt_acl_check(officer2, 1, ATTT_PERM_ACCOUNT_WRITE, 3, within, &calls, &ok), ATTT_OK);
	assert_false(ok);
	assert_int_equal(attt_acl_check(officer2, 1, ATTT_PERM_ACCOUNT_READ, 1, within, &calls, &ok), ATTT_OK);
	assert_false(ok);
	/* Province-wide because granted on the root. */
	assert_int_equal(attt_acl_check(authority, 1, ATTT_PERM_ACCOUNT_READ, 3, within, &calls, &ok), ATTT_OK);
	assert_true(ok);
	assert_int_equal(attt_acl_check(authority, 1, ATTT_PERM_ACCOUNT_WRITE, 3, within, &calls, &ok), ATTT_OK);
	assert_false(ok);
	/* Several grants: staff on 3 does not make the officer of 4 an officer of 3. */
	assert_int_equal(attt_acl_check(two, 2, ATTT_PERM_ACCOUNT_READ, 3, within, &calls, &ok), ATTT_OK);
	assert_false(ok);
	assert_int_equal(attt_acl_check(two, 2, ATTT_PERM_ACCOUNT_READ, 4, within, &calls, &ok), ATTT_OK);
	assert_true(ok);
	/* No grants: nothing. Platform objects: the permission alone. */
	assert_int_equal(attt_acl_check(NULL, 0, ATTT_PERM_SELF, 1, within, &calls, &ok), ATTT_OK);
	assert_false(ok);
	assert_int_equal(attt_acl_check(authority, 1, ATTT_PERM_CONFIG_READ, 0, within, &calls, &ok), ATTT_OK);
	assert_false(ok);
	/* Platform objects (settings, the agency tree): an administrator of the root or of the platform
	 * reaches them, an administrator of one department does not, whatever else is held. */
	{
		struct attt_grant root_admin[] = {{ATTT_ROLE_ADMIN, 1}}, platform[] = {{ATTT_ROLE_ADMIN, 0}},
				  dept_admin[] = {{ATTT_ROLE_SECURITY_OFFICER, 2}, {ATTT_ROLE_ADMIN, 3}};
		assert_int_equal(attt_acl_check(root_admin, 1, ATTT_PERM_CONFIG_WRITE, 0, within, &calls, &ok), ATTT_OK);
		assert_true(ok);
		assert_int_equal(attt_acl_check(platform, 1, ATTT_PERM_CONFIG_WRITE, 0, within, &calls, &ok), ATTT_OK);
		assert_true(ok);
		assert_int_equal(attt_acl_check(dept_admin, 2, ATTT_PERM_CONFIG_WRITE, 0, within, &calls, &ok), ATTT_OK);
		assert_false(ok);
		assert_int_equal(attt_acl_check(platform, 1, ATTT_PERM_CONFIG_WRITE, 0, NULL, NULL, &ok), ATTT_OK);
		assert_true(ok);
		assert_int_equal(attt_acl_check(root_admin, 1, ATTT_PERM_CONFIG_WRITE, 0, NULL, NULL, &ok), ATTT_OK);
		assert_false(ok);
	}
	/* Errors of the tree are passed on, *ret untouched. */
	ok = true;
	assert_int_equal(attt_acl_check(officer2, 1, ATTT_PERM_ACCOUNT_READ, 9, within, &calls, &ok), ATTT_E_NOTFOUND);
	assert_true(ok);
	assert_true(attt_acl_any(two, 2, ATTT_PERM_ACCOUNT_WRITE));
	assert_false(attt_acl_any(two, 1, ATTT_PERM_ACCOUNT_WRITE));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_role_names__roundtrip),
		cmocka_unit_test(test_role_has__matrix),
		cmocka_unit_test(test_acl_check__subtree_scope),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
