/*
 * acl.h: roles and permissions. The eight roles of design.md are granted on an agency subtree; a
 * permission on an object is allowed when one of the principal's grants carries it and the
 * object's agency lies within the grant's agency. The role x permission table here is the one that
 * docs/access-control.md shows and the authorisation test checks route by route.
 *
 * Pure functions; the agency tree is asked through a callback so that this header needs no
 * database. Thread-safe.
 */
#ifndef ATTT_ACL_H
#define ATTT_ACL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* X(NAME, value, "name", mfa_required, "Vietnamese", "English") */
#define ATTT_ROLES(X)                                                                              \
	X(STAFF, 1, "staff", false, "Cán bộ, công chức, viên chức", "Staff")                             \
	X(SECURITY_OFFICER, 2, "security_officer", true, "Cán bộ chuyên trách an toàn thông tin", "Security officer") \
	X(AGENCY_HEAD, 3, "agency_head", false, "Thủ trưởng cơ quan", "Head of agency")                  \
	X(AUTHORITY, 4, "authority", true, "Cơ quan chuyên trách (Sở / Công an tỉnh)", "Provincial authority") \
	X(RESPONSE_TEAM, 5, "response_team", false, "Đội ứng cứu sự cố", "Incident response team")       \
	X(STEERING, 6, "steering", false, "Ban chỉ đạo", "Steering committee")                           \
	X(AUDITOR, 7, "auditor", false, "Thanh tra, kiểm tra", "Auditor")                                \
	X(ADMIN, 8, "admin", true, "Quản trị nền tảng", "Platform administrator")

enum attt_role {
#define ATTT_ROLE_ENUM(name, val, id, mfa, vi, en) ATTT_ROLE_##name = (val),
	ATTT_ROLES(ATTT_ROLE_ENUM)
#undef ATTT_ROLE_ENUM
};
#define ATTT_ROLE_COUNT 8

/* Permissions, each checked against the agency of the object it is about. */
#define ATTT_PERMS(X)                                                                              \
	X(SELF, 0, "self")                   /* own profile, password, MFA, sessions */               \
	X(PEOPLE_READ, 1, "people.read")                                                               \
	X(PEOPLE_WRITE, 2, "people.write")                                                             \
	X(ACCOUNT_READ, 3, "account.read")                                                             \
	X(ACCOUNT_WRITE, 4, "account.write") /* create, lock, unlock, reset, disable, offboard */      \
	X(ROLE_GRANT, 5, "role.grant")                                                                 \
	X(REVIEW_READ, 6, "review.read")                                                               \
	X(REVIEW_DECIDE, 7, "review.decide") /* R6.1.e */                                             \
	X(AUDIT_READ, 8, "audit.read")                                                                 \
	X(CONFIG_READ, 9, "config.read")                                                               \
	X(CONFIG_WRITE, 10, "config.write")                                                            \
	X(INCIDENT_REPORT, 11, "incident.report")                                                      \
	X(INCIDENT_READ, 12, "incident.read")                                                          \
	X(INCIDENT_MANAGE, 13, "incident.manage")                                                      \
	X(INCIDENT_APPROVE, 14, "incident.approve")                                                    \
	X(ASSET_READ, 15, "asset.read")                                                                \
	X(ASSET_WRITE, 16, "asset.write")                                                              \
	X(REPORT_READ, 17, "report.read")

enum attt_perm {
#define ATTT_PERM_ENUM(name, val, id) ATTT_PERM_##name = (val),
	ATTT_PERMS(ATTT_PERM_ENUM)
#undef ATTT_PERM_ENUM
};
#define ATTT_PERM_COUNT 18

/* One role granted on an agency subtree. agency_id 0 is platform-wide: every agency (only the
 * break-glass admin that attt init makes holds such a grant). */
struct attt_grant {
	enum attt_role role;
	int64_t agency_id;
};

/* "staff" ... "admin"; "unknown" outside the table. */
const char *attt_role_name(int role);
/* The role's label in lang ("en" English, else Vietnamese). */
const char *attt_role_label(int role, const char *lang);
/* Parses a role name; ATTT_E_INVAL when unknown. */
int attt_role_parse(const char *s, enum attt_role *ret);
/* "people.read" ...; "unknown" outside the table. */
const char *attt_perm_name(int perm);
int attt_perm_parse(const char *s, enum attt_perm *ret);
/* True when role carries perm (the matrix of docs/access-control.md). */
bool attt_role_has(int role, int perm);
/* True when an account holding role must use a second factor (authority, admin, security officer). */
bool attt_role_mfa_required(int role);
/* True when a holder of granter may grant (or revoke) role, within the granter's subtree: an admin any
 * role, a security officer staff, security_officer and agency_head. */
bool attt_role_can_grant(int granter, int role);

/* Answers whether agency lies within the subtree of ancestor (itself included). agency 0 (the
 * platform) asks whether ancestor is a root agency, whose grants govern platform objects. */
typedef int (*attt_acl_within_fn)(void *ctx, int64_t agency, int64_t ancestor, bool *ret);

/* Sets *ret_allowed when one of grants[0..n) carries perm on object_agency: its role has perm and
 * object_agency is within the grant's agency. object_agency 0 means a platform object (settings,
 * the agency tree): then only a grant that is platform-wide (agency 0) or on a root agency counts.
 * Errors of within are returned (and *ret_allowed is not written). */
int attt_acl_check(const struct attt_grant *grants, size_t n, enum attt_perm perm, int64_t object_agency,
		   attt_acl_within_fn within, void *ctx, bool *ret_allowed);
/* Sets *ret_roles to the roles (bit 1 << role) of those grants[0..n) whose subtree holds
 * object_agency (grant on object_agency itself, on an ancestor by within, or platform-wide), so that
 * a caller choosing the role to act in on an object never picks one held over another subtree only.
 * object_agency must be > 0 (ATTT_E_INVAL otherwise). Errors of within are returned and *ret_roles
 * is not written then. */
int attt_acl_roles_on(const struct attt_grant *grants, size_t n, int64_t object_agency, attt_acl_within_fn within,
		      void *ctx, unsigned *ret_roles);
/* True when some grant carries perm on some agency (for showing a menu, never for deciding). */
bool attt_acl_any(const struct attt_grant *grants, size_t n, enum attt_perm perm);

#endif
