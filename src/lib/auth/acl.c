/*
 * acl.c: the role x permission matrix and the scoped permission check.
 *
 * The matrix is one table, read by code, by docs/access-control.md and by the authorisation test;
 * changing who may do what means changing this table and that document together. Province-wide
 * roles (authority, steering, response team, auditor, admin) are province-wide because they are
 * granted on the province's root agency, not because the check treats them differently.
 */
#include <string.h>

#include "attt/acl.h"
#include "attt/err.h"

#define P(x) (1u << ATTT_PERM_##x)

struct role_info {
	int role;
	const char *name;
	bool mfa;
	const char *vi, *en;
};

static const struct role_info roles[] = {
#define ATTT_ROLE_INFO(nm, val, id, mfa, vi, en) {val, id, mfa, vi, en},
	ATTT_ROLES(ATTT_ROLE_INFO)
#undef ATTT_ROLE_INFO
};

static const char *const perm_names[ATTT_PERM_COUNT] = {
#define ATTT_PERM_NAME(nm, val, id) [val] = id,
	ATTT_PERMS(ATTT_PERM_NAME)
#undef ATTT_PERM_NAME
};

/* The matrix (design.md, "Who uses it"). Index: role value. */
static const unsigned matrix[ATTT_ROLE_COUNT + 1] = {
	[ATTT_ROLE_STAFF] = P(SELF) | P(INCIDENT_REPORT),
	[ATTT_ROLE_SECURITY_OFFICER] = P(SELF) | P(PEOPLE_READ) | P(PEOPLE_WRITE) | P(ACCOUNT_READ) |
				       P(ACCOUNT_WRITE) | P(ROLE_GRANT) | P(REVIEW_READ) | P(REVIEW_DECIDE) |
				       P(INCIDENT_REPORT) | P(INCIDENT_READ) | P(INCIDENT_MANAGE) |
				       P(ASSET_READ) | P(ASSET_WRITE) | P(REPORT_READ),
	[ATTT_ROLE_AGENCY_HEAD] = P(SELF) | P(PEOPLE_READ) | P(ACCOUNT_READ) | P(REVIEW_READ) |
				  P(REVIEW_DECIDE) | P(INCIDENT_REPORT) | P(INCIDENT_READ) |
				  P(INCIDENT_APPROVE) | P(ASSET_READ) | P(REPORT_READ),
	/* R11.2 steps 4 and 5: the authority coordinates the response and closes the incident, so it
	 * approves steps (the incident library's role table says which ones) and draws the forms. */
	[ATTT_ROLE_AUTHORITY] = P(SELF) | P(PEOPLE_READ) | P(ACCOUNT_READ) | P(REVIEW_READ) |
				P(INCIDENT_READ) | P(INCIDENT_APPROVE) | P(ASSET_READ) | P(REPORT_READ),
	[ATTT_ROLE_RESPONSE_TEAM] = P(SELF) | P(INCIDENT_READ) | P(INCIDENT_MANAGE) | P(ASSET_READ),
	[ATTT_ROLE_STEERING] = P(SELF) | P(INCIDENT_READ) | P(REPORT_READ),
	[ATTT_ROLE_AUDITOR] = P(SELF) | P(PEOPLE_READ) | P(ACCOUNT_READ) | P(REVIEW_READ) | P(AUDIT_READ) |
			      P(CONFIG_READ) | P(INCIDENT_READ) | P(ASSET_READ) | P(REPORT_READ),
	[ATTT_ROLE_ADMIN] = P(SELF) | P(PEOPLE_READ) | P(PEOPLE_WRITE) | P(ACCOUNT_READ) | P(ACCOUNT_WRITE) |
			    P(ROLE_GRANT) | P(AUDIT_READ) | P(CONFIG_READ) | P(CONFIG_WRITE),
};

static const struct role_info *role_find(int role)
{
	for (size_t i = 0; i < sizeof(roles) / sizeof(roles[0]); i++)
		if (roles[i].role == role)
			return &roles[i];
	return NULL;
}

const char *attt_role_name(int role)
{
	const struct role_info *r = role_find(role);
	return r ? r->name : "unknown";
}

const char *attt_role_label(int role, const char *lang)
{
	const struct role_info *r = role_find(role);
	if (!r)
		return "unknown";
	return lang && strcmp(lang, "en") == 0 ? r->en : r->vi;
}

int attt_role_parse(const char *s, enum attt_role *ret)
{
	for (size_t i = 0; s && i < sizeof(roles) / sizeof(roles[0]); i++)
		if (strcmp(roles[i].name, s) == 0) {
			*ret = (enum attt_role)roles[i].role;
			return ATTT_OK;
		}
	return ATTT_E_INVAL;
}

const char *attt_perm_name(int perm)
{
	if (perm < 0 || perm >= ATTT_PERM_COUNT || !perm_names[perm])
		return "unknown";
	return perm_names[perm];
}

int attt_perm_parse(const char *s, enum attt_perm *ret)
{
	for (int i = 0; s && i < ATTT_PERM_COUNT; i++)
		if (perm_names[i] && strcmp(perm_names[i], s) == 0) {
			*ret = (enum attt_perm)i;
			return ATTT_OK;
		}
	return ATTT_E_INVAL;
}

bool attt_role_has(int role, int perm)
{
	if (role < 1 || role > ATTT_ROLE_COUNT || perm < 0 || perm >= ATTT_PERM_COUNT)
		return false;
	return (matrix[role] & (1u << perm)) != 0;
}

bool attt_role_mfa_required(int role)
{
	const struct role_info *r = role_find(role);
	return r && r->mfa;
}

bool attt_role_can_grant(int granter, int role)
{
	if (!role_find(role))
		return false;
	if (granter == ATTT_ROLE_ADMIN)
		return true;
	if (granter == ATTT_ROLE_SECURITY_OFFICER)
		return role == ATTT_ROLE_STAFF || role == ATTT_ROLE_SECURITY_OFFICER || role == ATTT_ROLE_AGENCY_HEAD;
	return false;
}

/* Whether grant g's subtree holds object_agency (> 0). */
static int grant_covers(const struct attt_grant *g, int64_t object_agency, attt_acl_within_fn within, void *ctx,
			bool *ret)
{
	/* A role reaches only its subtree (design.md: "a person sees nothing of another subtree"). */
	/* A grant on agency 0 is platform-wide (the break-glass admin made by attt init). */
	if (g->agency_id == 0 || g->agency_id == object_agency) {
		*ret = true;
		return ATTT_OK;
	}
	if (!within) {
		*ret = false;
		return ATTT_OK;
	}
	return within(ctx, object_agency, g->agency_id, ret);
}

int attt_acl_check(const struct attt_grant *grants, size_t n, enum attt_perm perm, int64_t object_agency,
		   attt_acl_within_fn within, void *ctx, bool *ret_allowed)
{
	for (size_t i = 0; i < n; i++) {
		bool in = false;
		int r;

		if (!attt_role_has(grants[i].role, perm))
			continue;
		/* A platform object (settings, the agency tree itself) is reached only from a grant that
		 * governs a whole tree: platform-wide, or on a root agency (within(ctx, 0, A) asks whether A
		 * is a root). An administrator of one department changes nothing of the platform. */
		if (object_agency == 0) {
			if (grants[i].agency_id == 0) {
				*ret_allowed = true;
				return ATTT_OK;
			}
			if (!within)
				continue;
			if ((r = within(ctx, 0, grants[i].agency_id, &in)) < 0)
				return r;
			if (in) {
				*ret_allowed = true;
				return ATTT_OK;
			}
			continue;
		}
		r = grant_covers(&grants[i], object_agency, within, ctx, &in);
		if (r < 0)
			return r;
		if (in) {
			*ret_allowed = true;
			return ATTT_OK;
		}
	}
	*ret_allowed = false;
	return ATTT_OK;
}

int attt_acl_roles_on(const struct attt_grant *grants, size_t n, int64_t object_agency, attt_acl_within_fn within,
		      void *ctx, unsigned *ret_roles)
{
	unsigned held = 0;

	if (object_agency <= 0)
		return ATTT_E_INVAL;
	for (size_t i = 0; i < n; i++) {
		bool in = false;
		int r;

		if (grants[i].role < 1 || grants[i].role > ATTT_ROLE_COUNT || (held & (1u << grants[i].role)))
			continue;
		r = grant_covers(&grants[i], object_agency, within, ctx, &in);
		if (r < 0)
			return r;
		if (in)
			held |= 1u << grants[i].role;
	}
	*ret_roles = held;
	return ATTT_OK;
}

bool attt_acl_any(const struct attt_grant *grants, size_t n, enum attt_perm perm)
{
	for (size_t i = 0; i < n; i++)
		if (attt_role_has(grants[i].role, perm))
			return true;
	return false;
}
