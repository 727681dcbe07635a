/*
 * account.c: accounts (R6.2.a), temporary passwords (R6.1.a), officer actions (R6.2.b), roles on
 * agency subtrees, and the profile values accounts need.
 *
 * A username is stored lower-case, so uniqueness is case-insensitive by the UNIQUE constraint
 * itself. Accounts of people must be personal: generic names that a team would share are refused.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "account-int.h"
#include "attt/err.h"
#include "attt/policy.h"
#include "attt/str.h"

#define SEC ATTT_USEC_PER_SEC
#define DAY (INT64_C(86400) * SEC)

void attt_auth_policy_default(struct attt_auth_policy *p)
{
	memset(p, 0, sizeof(*p));
	attt_password_policy_default(&p->password);
	p->lockout.threshold = 5;
	p->lockout.duration_us = 15 * 60 * SEC;
	/* R6.1.c: 10 minutes idle. */
	p->session.idle_us = 600 * SEC;
	p->session.absolute_us = 12 * 3600 * SEC;
	p->reset_ttl_us = 3600 * SEC;
	p->review_interval_days = 90;
	p->review_due_days = 30;
	p->dormant_days = 90;
	p->mfa_roles = (1u << ATTT_ROLE_AUTHORITY) | (1u << ATTT_ROLE_ADMIN) | (1u << ATTT_ROLE_SECURITY_OFFICER);
}

int attt_auth_policy_from_profile(const struct attt_policy_values *v, struct attt_auth_policy *ret)
{
	struct attt_auth_policy p;

	attt_auth_policy_default(&p);
	if (v->password_min_length > 0)
		p.password.min_length = (int)v->password_min_length;
	p.password.require_lower = v->password_require_lower;
	p.password.require_upper = v->password_require_upper;
	p.password.require_digit_or_special = v->password_require_digit_or_special;
	if (v->password_max_age_days > 0)
		p.password.max_age_days = (int)v->password_max_age_days;
	if (v->password_warn_days > 0)
		p.password.warn_days = (int)v->password_warn_days;
	if (v->password_history >= 0 && v->password_history <= 24)
		p.password.history = (int)v->password_history;
	if (v->lockout_threshold > 0)
		p.lockout.threshold = (int)v->lockout_threshold;
	if (v->lockout_duration_s > 0)
		p.lockout.duration_us = v->lockout_duration_s * SEC;
	if (v->session_idle_s > 0)
		p.session.idle_us = v->session_idle_s * SEC;
	if (v->session_absolute_s > 0)
		p.session.absolute_us = v->session_absolute_s * SEC;
	if (v->account_review_interval_days > 0)
		p.review_interval_days = (int)v->account_review_interval_days;
	if (v->account_dormant_days > 0)
		p.dormant_days = (int)v->account_dormant_days;
	if (v->mfa_roles.n > 0) {
		p.mfa_roles = 0;
		for (size_t i = 0; i < v->mfa_roles.n; i++) {
			enum attt_role role;
			if (attt_role_parse(v->mfa_roles.items[i], &role) < 0)
				return ATTT_E_POLICY;
			p.mfa_roles |= 1u << role;
		}
	}
	if (attt_password_policy_validate(&p.password) < 0 || attt_lockout_policy_validate(&p.lockout) < 0)
		return ATTT_E_POLICY;
	/* R6.1.c: idle time at most 10 minutes. */
	if (p.session.idle_us > 600 * SEC)
		return ATTT_E_POLICY;
	*ret = p;
	return ATTT_OK;
}

/* R6.2.a: names a team would share. Compared after removing '.', '_', '-' and digits. */
static const char *const generic_names[] = {
	"admin", "administrator", "root", "user", "users", "guest", "test", "demo", "support", "info",
	"office", "staff", "it", "helpdesk", "ketoan", "vanthu", "hanhchinh", "tonghop", "chung", "shared",
	"common", "temp", "tmp", "system", "operator", "manager", "webmaster", "contact", "phongban", "donvi",
	"coquan", "lanhdao", "thuky", "tiepdan", "motcua", "bophan", "nhanvien", "canbo", NULL,
};

int attt_account_username_norm(const char *s, bool for_person, char ret[ATTT_USERNAME_MAX + 1])
{
	char out[ATTT_USERNAME_MAX + 1], bare[ATTT_USERNAME_MAX + 1];
	size_t n, k = 0;

	if (!s)
		return ATTT_E_INVAL;
	n = strlen(s);
	if (n < ATTT_USERNAME_MIN || n > ATTT_USERNAME_MAX)
		return ATTT_E_INVAL;
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];
		if (ch >= 'A' && ch <= 'Z')
			ch = (char)(ch - 'A' + 'a');
		if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' || ch == '-'))
			return ATTT_E_INVAL;
		if (i == 0 && !(ch >= 'a' && ch <= 'z'))
			return ATTT_E_INVAL;
		out[i] = ch;
		if (ch >= 'a' && ch <= 'z')
			bare[k++] = ch;
	}
	out[n] = '\0';
	bare[k] = '\0';
	if (for_person) {
		/* R6.2.a: no shared or generic accounts for people. */
		for (size_t i = 0; generic_names[i]; i++)
			if (strcmp(bare, generic_names[i]) == 0)
				return ATTT_E_POLICY;
	}
	memcpy(ret, out, n + 1);
	return ATTT_OK;
}

static const char *kind_name(enum attt_account_kind k)
{
	return k == ATTT_ACCOUNT_PERSON ? "person" : k == ATTT_ACCOUNT_SERVICE ? "service" : "bootstrap";
}

int attt__acct_read(struct attt_db *db, int64_t id, const char *username, struct attt_account *a)
{
	struct attt_stmt *st = NULL;
	const char *cols = "SELECT id, username, kind, COALESCE(person_id, 0), COALESCE(agency_id, 0), status, "
			   "must_change_password, totp_secret IS NOT NULL, failures, locked_until, password_set_at, "
			   "last_login_at, created_at, COALESCE(sponsor_id, 0), end_at FROM account WHERE ";
	char sql[512];
	int r;

	r = attt_str_printf(sql, sizeof(sql), "%s%s", cols, username ? "username = ?" : "id = ?");
	if (r < 0)
		return r;
	r = username ? attt__acct_prep(db, &st, sql, "t", username) : attt__acct_prep(db, &st, sql, "i", id);
	if (r < 0)
		return r;
	r = attt_stmt_step(st);
	if (r == 0)
		r = ATTT_E_NOTFOUND;
	if (r > 0) {
		const char *kind = attt_stmt_text(st, 2);
		memset(a, 0, sizeof(*a));
		a->id = attt_stmt_int64(st, 0);
		r = attt_str_copy(a->username, sizeof(a->username), attt_stmt_text(st, 1));
		a->kind = strcmp(kind, "person") == 0 ? ATTT_ACCOUNT_PERSON
			  : strcmp(kind, "service") == 0 ? ATTT_ACCOUNT_SERVICE
							 : ATTT_ACCOUNT_BOOTSTRAP;
		a->person_id = attt_stmt_int64(st, 3);
		a->agency_id = attt_stmt_int64(st, 4);
		if (r == ATTT_OK)
			r = attt_str_copy(a->status, sizeof(a->status), attt_stmt_text(st, 5));
		a->must_change_password = attt_stmt_int64(st, 6) != 0;
		a->mfa_enabled = attt_stmt_int64(st, 7) != 0;
		a->lockout.failures = (int)attt_stmt_int64(st, 8);
		a->lockout.locked_until = attt_stmt_int64(st, 9);
		a->password_set_at = attt_stmt_int64(st, 10);
		a->last_login_at = attt_stmt_int64(st, 11);
		a->created_at = attt_stmt_int64(st, 12);
		a->sponsor_id = attt_stmt_int64(st, 13);
		a->end_at = attt_stmt_int64(st, 14);
	}
	attt_stmt_finalize(st);
	return r;
}

int attt_account_get(const struct attt_auth_ctx *c, int64_t id, struct attt_account *ret)
{
	struct attt_account a;
	int r = attt__acct_read(c->db, id, NULL, &a);
	if (r == ATTT_OK)
		*ret = a;
	return r;
}

int attt_account_find(const struct attt_auth_ctx *c, const char *username, struct attt_account *ret)
{
	char norm[ATTT_USERNAME_MAX + 1];
	struct attt_account a;
	int r;

	if (attt_account_username_norm(username, false, norm) < 0)
		return ATTT_E_NOTFOUND;
	r = attt__acct_read(c->db, 0, norm, &a);
	if (r == ATTT_OK)
		*ret = a;
	return r;
}

int attt__acct_person_name(struct attt_db *db, int64_t person_id, char **ret)
{
	struct attt_stmt *st = NULL;
	int r;

	*ret = NULL;
	if (person_id == 0)
		return ATTT_OK;
	r = attt__acct_prep(db, &st, "SELECT full_name FROM person WHERE id = ?", "i", person_id);
	if (r < 0)
		return r;
	r = attt_stmt_step(st);
	if (r > 0) {
		*ret = strdup(attt_stmt_text(st, 0));
		r = *ret ? ATTT_OK : ATTT_E_NOMEM;
	} else if (r == 0) {
		r = ATTT_E_NOTFOUND;
	}
	attt_stmt_finalize(st);
	return r;
}

int attt__acct_store_password(const struct attt_auth_ctx *c, int64_t account_id, const char *hash, bool must_change)
{
	int64_t now = attt__acct_now(c);
	int r;

	r = attt__acct_exec(c->db,
			    "UPDATE account SET password_hash = ?, password_set_at = ?, must_change_password = ?, "
			    "updated_at = ? WHERE id = ?",
			    "tiiii", hash, now, (int64_t)must_change, now, account_id);
	if (r < 0)
		return r;
	/* R6.1.đ: keep the last N hashes to refuse reuse. */
	r = attt__acct_exec(c->db, "INSERT INTO password_history (account_id, hash, set_at) VALUES (?, ?, ?)", "iti",
			    account_id, hash, now);
	if (r < 0)
		return r;
	return attt__acct_exec(c->db,
			       "DELETE FROM password_history WHERE account_id = ? AND id NOT IN (SELECT id FROM "
			       "password_history WHERE account_id = ? ORDER BY id DESC LIMIT ?)",
			       "iii", account_id, account_id, (int64_t)(c->policy->password.history > 0 ? c->policy->password.history : 1));
}

int attt__acct_set_temp_password(const struct attt_auth_ctx *c, int64_t account_id, char ret_password[17])
{
	char pw[17], hash[ATTT_PASSWORD_HASH_SIZE];
	int r;

	/* R6.1.a: an issued password is temporary: the first login must change it. */
	r = attt_password_generate(c->rng, pw, sizeof(pw));
	if (r < 0)
		return r;
	r = attt_password_hash(&c->policy->password, pw, strlen(pw), hash);
	if (r < 0)
		goto out;
	r = attt__acct_exec(c->db,
			    "UPDATE account SET password_hash = ?, password_set_at = ?, must_change_password = 1, "
			    "failures = 0, locked_until = 0, updated_at = ? WHERE id = ?",
			    "tiii", hash, attt__acct_now(c), attt__acct_now(c), account_id);
	if (r < 0)
		goto out;
	memcpy(ret_password, pw, sizeof(pw));
out:
	sodium_memzero(pw, sizeof(pw));
	return r;
}

int attt__acct_end_all(const struct attt_auth_ctx *c, int64_t account_id, const char *reason)
{
	int64_t now = attt__acct_now(c);
	int r;

	r = attt__acct_exec(c->db, "UPDATE session SET ended_at = ?, end_reason = ? WHERE account_id = ? AND ended_at = 0",
			    "iti", now, reason, account_id);
	if (r < 0)
		return r;
	return attt__acct_exec(c->db, "UPDATE api_token SET revoked_at = ? WHERE account_id = ? AND revoked_at = 0", "ii",
			       now, account_id);
}

/* --- creation --------------------------------------------------------------------------------- */

struct add_tx {
	const struct attt_auth_ctx *c;
	const struct attt_actor *actor;
	const struct attt_account_new *in;
	const char *username;
	const char *hash;
	int64_t agency_id;
	int64_t id;
};

static int add_fn(struct attt_db *db, void *arg)
{
	struct add_tx *t = arg;
	const struct attt_account_new *in = t->in;
	int64_t now = attt__acct_now(t->c), x;
	const char *status = in->kind == ATTT_ACCOUNT_PERSON ? "pending" : "active";
	json_t *sum;
	int r;

	if (in->kind == ATTT_ACCOUNT_PERSON) {
		/* R6.2.a: a person's account belongs to exactly one existing, active person. */
		r = attt__acct_int(db, &t->agency_id, "SELECT agency_id FROM person WHERE id = ? AND status = 'active'", "i",
				   in->person_id);
		if (r < 0)
			return r;
	} else {
		r = attt__acct_int(db, &x, "SELECT id FROM agency WHERE id = ? AND status = 'active'", "i", in->agency_id);
		if (r < 0)
			return r;
		t->agency_id = in->agency_id;
	}
	if (in->sponsor_id) {
		/* R19: an external account has an active sponsor. */
		r = attt__acct_int(db, &x, "SELECT id FROM account WHERE id = ? AND status = 'active'", "i", in->sponsor_id);
		if (r < 0)
			return r;
	}
	r = attt__acct_int(db, &t->id,
			   "INSERT INTO account (username, kind, person_id, service_name, agency_id, status, password_hash, "
			   "password_set_at, must_change_password, sponsor_id, end_at, created_at, updated_at) VALUES "
			   "(?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?) RETURNING id",
			   "ttntittiniii", t->username, kind_name(in->kind),
			   in->kind == ATTT_ACCOUNT_PERSON ? in->person_id : (int64_t)0,
			   in->kind == ATTT_ACCOUNT_SERVICE ? in->service_name : NULL, t->agency_id, status, t->hash, now,
			   in->sponsor_id, in->end_at, now, now);
	if (r < 0)
		return r;
	r = attt__acct_exec(db, "INSERT INTO password_history (account_id, hash, set_at) VALUES (?, ?, ?)", "iti", t->id,
			    t->hash, now);
	if (r < 0)
		return r;
	sum = json_pack("{s:s, s:s, s:s}", "username", t->username, "kind", kind_name(in->kind), "status", status);
	if (in->sponsor_id)
		json_object_set_new(sum, "sponsor", json_integer(in->sponsor_id));
	r = attt__acct_audit(t->c, t->actor, ATTT_AUDIT_DATA, "account.create", "account", t->id, t->agency_id,
			     ATTT_AUDIT_SUCCESS, "R6.2.a", sum);
	if (r < 0)
		return r;
	if (in->role) {
		r = attt__acct_exec(db, "INSERT INTO role_grant (account_id, role, agency_id, granted_by, granted_at) VALUES "
					"(?, ?, ?, ?, ?)",
				    "itiii", t->id, attt_role_name(in->role), t->agency_id,
				    t->actor ? t->actor->account_id : (int64_t)0, now);
		if (r < 0)
			return r;
		r = attt__acct_audit(t->c, t->actor, ATTT_AUDIT_ACCESS, "role.grant", "account", t->id, t->agency_id,
				     ATTT_AUDIT_SUCCESS, "R7.2",
				     json_pack("{s:s, s:I}", "role", attt_role_name(in->role), "agency", (json_int_t)t->agency_id));
	}
	return r;
}

int attt_account_add(const struct attt_auth_ctx *c, const struct attt_actor *actor,
		     const struct attt_account_new *in, int64_t *ret_id, char ret_password[17])
{
	char username[ATTT_USERNAME_MAX + 1], pw[17], hash[ATTT_PASSWORD_HASH_SIZE];
	struct add_tx t = {c, actor, in, username, hash, 0, 0};
	int r;

	if (in->kind != ATTT_ACCOUNT_PERSON && in->kind != ATTT_ACCOUNT_SERVICE)
		return ATTT_E_INVAL;
	if (in->kind == ATTT_ACCOUNT_PERSON && in->person_id <= 0)
		return ATTT_E_INVAL;
	if (in->kind == ATTT_ACCOUNT_SERVICE && (!in->service_name || !*in->service_name || in->agency_id <= 0 ||
						 !attt_utf8_valid(in->service_name, strlen(in->service_name)) ||
						 strlen(in->service_name) > ATTT_MAX_SHORT_TEXT))
		return ATTT_E_INVAL;
	if ((in->sponsor_id != 0) != (in->end_at != 0))
		return ATTT_E_INVAL; /* R19: a sponsor and an end date go together */
	if (in->end_at != 0 && in->end_at <= attt__acct_now(c))
		return ATTT_E_INVAL;
	if (in->role && !attt_role_name(in->role)[0])
		return ATTT_E_INVAL;
	r = attt_account_username_norm(in->username, in->kind == ATTT_ACCOUNT_PERSON, username);
	if (r < 0)
		return r;
	r = attt_password_generate(c->rng, pw, sizeof(pw));
	if (r < 0)
		return r;
	r = attt_password_hash(&c->policy->password, pw, strlen(pw), hash);
	if (r < 0)
		goto out;
	r = attt__acct_tx(c->db, add_fn, &t);
	if (r < 0)
		goto out;
	*ret_id = t.id;
	memcpy(ret_password, pw, sizeof(pw));
out:
	sodium_memzero(pw, sizeof(pw));
	return r;
}

struct boot_tx {
	const struct attt_auth_ctx *c;
	const char *username, *hash;
	int64_t id;
};

static int boot_fn(struct attt_db *db, void *arg)
{
	static const struct attt_actor init_actor = {0, 0, 0, "cli", NULL, "cli"};
	struct boot_tx *t = arg;
	int64_t now = attt__acct_now(t->c), x;
	int r;

	r = attt__acct_int(db, &x, "SELECT id FROM account WHERE kind = 'bootstrap'", "");
	if (r == ATTT_OK)
		return ATTT_E_EXISTS;
	if (r != ATTT_E_NOTFOUND)
		return r;
	r = attt__acct_int(db, &t->id,
			   "INSERT INTO account (username, kind, status, password_hash, password_set_at, "
			   "must_change_password, created_at, updated_at) VALUES (?, 'bootstrap', 'active', ?, ?, 1, ?, ?) "
			   "RETURNING id",
			   "ttiii", t->username, t->hash, now, now, now);
	if (r < 0)
		return r;
	r = attt__acct_exec(db, "INSERT INTO role_grant (account_id, role, agency_id, granted_by, granted_at) VALUES "
				"(?, 'admin', NULL, 0, ?)",
			    "ii", t->id, now);
	if (r < 0)
		return r;
	r = attt__acct_audit(t->c, &init_actor, ATTT_AUDIT_DATA, "account.create", "account", t->id, 0,
			     ATTT_AUDIT_SUCCESS, "R6.2.a",
			     json_pack("{s:s, s:s, s:s}", "username", t->username, "kind", "bootstrap", "role", "admin"));
	return r;
}

int attt_account_bootstrap_admin(const struct attt_auth_ctx *c, const char *username, char ret_password[17])
{
	char name[ATTT_USERNAME_MAX + 1], pw[17], hash[ATTT_PASSWORD_HASH_SIZE];
	struct boot_tx t = {c, name, hash, 0};
	int r;

	r = attt_account_username_norm(username ? username : "admin", false, name);
	if (r < 0)
		return r;
	r = attt_password_generate(c->rng, pw, sizeof(pw));
	if (r < 0)
		return r;
	r = attt_password_hash(&c->policy->password, pw, strlen(pw), hash);
	if (r == ATTT_OK)
		r = attt__acct_tx(c->db, boot_fn, &t);
	if (r == ATTT_OK)
		memcpy(ret_password, pw, sizeof(pw));
	sodium_memzero(pw, sizeof(pw));
	return r;
}

/* --- reading ----------------------------------------------------------------------------------- */

static json_t *time_json(int64_t t)
{
	char buf[32];
	if (t <= 0 || attt_time_iso(t, buf, sizeof(buf)) < 0)
		return json_null();
	return json_string(buf);
}

static int grants_json(const struct attt_auth_ctx *c, int64_t id, json_t **ret)
{
	struct attt_stmt *st = NULL;
	json_t *arr = json_array();
	int r;

	if (!arr)
		return ATTT_E_NOMEM;
	r = attt__acct_prep(c->db, &st, "SELECT role, agency_id FROM role_grant WHERE account_id = ? ORDER BY id", "i", id);
	while (r >= 0 && (r = attt_stmt_step(st)) > 0)
		json_array_append_new(arr, json_pack("{s:s, s:o}", "role", attt_stmt_text(st, 0), "agency",
						     attt_stmt_is_null(st, 1) ? json_null()
									       : json_integer(attt_stmt_int64(st, 1))));
	attt_stmt_finalize(st);
	if (r < 0) {
		json_decref(arr);
		return r;
	}
	*ret = arr;
	return ATTT_OK;
}

static int account_to_json(const struct attt_auth_ctx *c, const struct attt_account *a, json_t **ret)
{
	json_t *o, *roles = NULL;
	char *name = NULL;
	int64_t now = attt__acct_now(c);
	int r;

	r = grants_json(c, a->id, &roles);
	if (r < 0)
		return r;
	r = attt__acct_person_name(c->db, a->person_id, &name);
	if (r < 0 && r != ATTT_E_NOTFOUND) {
		json_decref(roles);
		return r;
	}
	o = json_pack("{s:I, s:s, s:s, s:o, s:o, s:s, s:b, s:o, s:b, s:b, s:o, s:o, s:o, s:o, s:o}", "id",
		      (json_int_t)a->id, "username", a->username, "kind", kind_name(a->kind), "person",
		      a->person_id ? json_integer(a->person_id) : json_null(), "agency",
		      a->agency_id ? json_integer(a->agency_id) : json_null(), "status", a->status, "locked",
		      attt_lockout_is_locked(&a->lockout, now), "locked_until",
		      attt_lockout_is_locked(&a->lockout, now) ? time_json(a->lockout.locked_until) : json_null(),
		      "must_change_password", a->must_change_password, "mfa", a->mfa_enabled, "password_expires_at",
		      time_json(a->password_set_at + (int64_t)c->policy->password.max_age_days * DAY), "last_login_at",
		      time_json(a->last_login_at), "created_at", time_json(a->created_at), "end_at",
		      time_json(a->end_at), "roles", roles);
	if (o && name)
		json_object_set_new(o, "full_name", json_string(name));
	if (o && a->sponsor_id)
		json_object_set_new(o, "sponsor", json_integer(a->sponsor_id));
	free(name);
	if (!o)
		return ATTT_E_NOMEM;
	*ret = o;
	return ATTT_OK;
}

int attt_account_json(const struct attt_auth_ctx *c, int64_t id, json_t **ret)
{
	struct attt_account a;
	int r = attt__acct_read(c->db, id, NULL, &a);
	if (r < 0)
		return r;
	return account_to_json(c, &a, ret);
}

int attt_account_list_json(const struct attt_auth_ctx *c, int64_t within_agency, json_t **ret)
{
	struct attt_stmt *st = NULL;
	json_t *arr = json_array();
	int64_t ids[ATTT_HTTP_MAX_PAGE];
	size_t n = 0;
	int r;

	if (!arr)
		return ATTT_E_NOMEM;
	if (within_agency)
		r = attt__acct_prep(c->db, &st,
				    "SELECT a.id FROM account a JOIN agency g ON g.id = a.agency_id, agency top "
				    "WHERE top.id = ? AND substr(g.path, 1, length(top.path)) = top.path "
				    "ORDER BY a.username LIMIT ?",
				    "ii", within_agency, (int64_t)ATTT_HTTP_MAX_PAGE);
	else
		r = attt__acct_prep(c->db, &st, "SELECT id FROM account ORDER BY username LIMIT ?", "i",
				    (int64_t)ATTT_HTTP_MAX_PAGE);
	while (r >= 0 && (r = attt_stmt_step(st)) > 0)
		ids[n++] = attt_stmt_int64(st, 0);
	attt_stmt_finalize(st);
	for (size_t i = 0; r >= 0 && i < n; i++) {
		json_t *o = NULL;
		r = attt_account_json(c, ids[i], &o);
		if (r >= 0)
			json_array_append_new(arr, o);
	}
	if (r < 0) {
		json_decref(arr);
		return r;
	}
	*ret = arr;
	return ATTT_OK;
}

/* --- officer actions ----------------------------------------------------------------------------- */

struct act_tx {
	const struct attt_auth_ctx *c;
	const struct attt_actor *actor;
	int64_t id;
	int what;
	const char *reason;
	char *password; /* reset: out, 17 bytes */
	char *token;    /* reset_issue: out */
};

enum { ACT_LOCK, ACT_UNLOCK, ACT_DISABLE, ACT_RESET, ACT_RESET_ISSUE };

static int act_fn(struct attt_db *db, void *arg)
{
	struct act_tx *t = arg;
	const struct attt_auth_ctx *c = t->c;
	struct attt_account a;
	int64_t now = attt__acct_now(c);
	int r;

	r = attt__acct_read(db, t->id, NULL, &a);
	if (r < 0)
		return r;
	switch (t->what) {
	case ACT_LOCK:
		/* R6.2.b: an officer may lock at once. */
		r = attt__acct_exec(db, "UPDATE account SET locked_until = ?, updated_at = ? WHERE id = ?", "iii",
				    now + c->policy->lockout.duration_us, now, t->id);
		if (r == ATTT_OK)
			r = attt__acct_end_all(c, t->id, "locked");
		if (r == ATTT_OK)
			r = attt__acct_audit(c, t->actor, ATTT_AUDIT_AUTH, "auth.lock", "account", t->id, a.agency_id,
					     ATTT_AUDIT_SUCCESS, "R6.2.b", json_pack("{s:s}", "username", a.username));
		return r;
	case ACT_UNLOCK:
		/* R6.2.b: a security officer can unlock. */
		r = attt__acct_exec(db, "UPDATE account SET locked_until = 0, failures = 0, updated_at = ? WHERE id = ?",
				    "ii", now, t->id);
		if (r == ATTT_OK)
			r = attt__acct_audit(c, t->actor, ATTT_AUDIT_AUTH, "auth.unlock", "account", t->id, a.agency_id,
					     ATTT_AUDIT_SUCCESS, "R6.2.b", json_pack("{s:s}", "username", a.username));
		return r;
	case ACT_DISABLE:
		if (strcmp(a.status, "disabled") == 0)
			return ATTT_E_CONFLICT;
		r = attt__acct_exec(db, "UPDATE account SET status = 'disabled', disabled_reason = ?, updated_at = ? "
					"WHERE id = ?",
				    "tii", t->reason, now, t->id);
		if (r == ATTT_OK)
			r = attt__acct_end_all(c, t->id, "disabled");
		if (r == ATTT_OK)
			r = attt__acct_audit(c, t->actor, ATTT_AUDIT_DATA, "account.disable", "account", t->id, a.agency_id,
					     ATTT_AUDIT_SUCCESS, "R6.2.a",
					     json_pack("{s:s, s:s}", "username", a.username, "reason", t->reason ? t->reason : ""));
		return r;
	case ACT_RESET:
		if (strcmp(a.status, "disabled") == 0)
			return ATTT_E_STATE;
		/* R6.2.b: re-issue: a temporary password (R6.1.a), the lock cleared, sessions ended. */
		r = attt__acct_set_temp_password(c, t->id, t->password);
		if (r == ATTT_OK)
			r = attt__acct_end_all(c, t->id, "reset");
		if (r == ATTT_OK)
			r = attt__acct_audit(c, t->actor, ATTT_AUDIT_AUTH, "auth.reset", "account", t->id, a.agency_id,
					     ATTT_AUDIT_SUCCESS, "R6.2.b", json_pack("{s:s}", "username", a.username));
		return r;
	case ACT_RESET_ISSUE: {
		char hash[ATTT_TOKEN_HASH_SIZE];
		if (strcmp(a.status, "disabled") == 0)
			return ATTT_E_STATE;
		r = attt_token_new(ATTT_TOKEN_RESET, c->rng, t->token);
		if (r == ATTT_OK)
			r = attt_token_hash(c->key, ATTT_TOKEN_RESET, t->token, strlen(t->token), hash);
		/* R6.2.b: single use, short-lived, stored hashed; an older unused one is void. */
		if (r == ATTT_OK)
			r = attt__acct_exec(db, "UPDATE password_reset SET used_at = ? WHERE account_id = ? AND used_at = 0",
					    "ii", now, t->id);
		if (r == ATTT_OK)
			r = attt__acct_exec(db, "INSERT INTO password_reset (token_hash, account_id, created_by, created_at, "
						"expires_at) VALUES (?, ?, ?, ?, ?)",
					    "tiiii", hash, t->id, t->actor ? t->actor->account_id : (int64_t)0, now,
					    now + c->policy->reset_ttl_us);
		if (r == ATTT_OK)
			r = attt__acct_audit(c, t->actor, ATTT_AUDIT_AUTH, "auth.reset_issue", "account", t->id, a.agency_id,
					     ATTT_AUDIT_SUCCESS, "R6.2.b", json_pack("{s:s}", "username", a.username));
		return r;
	}
	}
	return ATTT_E_INTERNAL;
}

static int act(const struct attt_auth_ctx *c, const struct attt_actor *actor, int64_t id, int what,
	       const char *reason, char *password, char *token)
{
	char pw[17], tok[ATTT_TOKEN_SIZE];
	struct act_tx t = {c, actor, id, what, reason, pw, tok};
	int r = attt__acct_tx(c->db, act_fn, &t);
	if (r == ATTT_OK && password)
		memcpy(password, pw, sizeof(pw));
	if (r == ATTT_OK && token)
		memcpy(token, tok, sizeof(tok));
	sodium_memzero(pw, sizeof(pw));
	sodium_memzero(tok, sizeof(tok));
	return r;
}

int attt_account_lock(const struct attt_auth_ctx *c, const struct attt_actor *actor, int64_t id)
{
	return act(c, actor, id, ACT_LOCK, NULL, NULL, NULL);
}

int attt_account_unlock(const struct attt_auth_ctx *c, const struct attt_actor *actor, int64_t id)
{
	return act(c, actor, id, ACT_UNLOCK, NULL, NULL, NULL);
}

int attt_account_disable(const struct attt_auth_ctx *c, const struct attt_actor *actor, int64_t id,
			 const char *reason)
{
	if (reason && (strlen(reason) > ATTT_MAX_SHORT_TEXT || !attt_utf8_valid(reason, strlen(reason))))
		return ATTT_E_INVAL;
	return act(c, actor, id, ACT_DISABLE, reason, NULL, NULL);
}

int attt_account_reset(const struct attt_auth_ctx *c, const struct attt_actor *actor, int64_t id,
		       char ret_password[17])
{
	return act(c, actor, id, ACT_RESET, NULL, ret_password, NULL);
}

int attt_account_reset_issue(const struct attt_auth_ctx *c, const struct attt_actor *actor, int64_t id,
			     char ret_token[ATTT_TOKEN_SIZE])
{
	return act(c, actor, id, ACT_RESET_ISSUE, NULL, NULL, ret_token);
}

/* --- roles ------------------------------------------------------------------------------------------ */

struct grant_tx {
	const struct attt_auth_ctx *c;
	const struct attt_actor *actor;
	int64_t account_id, agency_id;
	enum attt_role role;
	bool grant;
};

static int grant_fn(struct attt_db *db, void *arg)
{
	struct grant_tx *t = arg;
	struct attt_account a;
	int64_t now = attt__acct_now(t->c), x;
	int r;

	r = attt__acct_read(db, t->account_id, NULL, &a);
	if (r < 0)
		return r;
	if (t->grant) {
		if (strcmp(a.status, "disabled") == 0)
			return ATTT_E_STATE;
		if (t->agency_id) {
			r = attt__acct_int(db, &x, "SELECT id FROM agency WHERE id = ?", "i", t->agency_id);
			if (r < 0)
				return r;
		}
		r = attt__acct_exec(db, "INSERT INTO role_grant (account_id, role, agency_id, granted_by, granted_at) "
					"VALUES (?, ?, ?, ?, ?)",
				    "itiii", t->account_id, attt_role_name(t->role), t->agency_id,
				    t->actor ? t->actor->account_id : (int64_t)0, now);
	} else {
		r = attt__acct_int(db, &x, "SELECT id FROM role_grant WHERE account_id = ? AND role = ? AND "
					   "COALESCE(agency_id, 0) = ?",
				   "iti", t->account_id, attt_role_name(t->role), t->agency_id);
		if (r == ATTT_OK)
			r = attt__acct_exec(db, "DELETE FROM role_grant WHERE id = ?", "i", x);
	}
	if (r < 0)
		return r;
	return attt__acct_audit(t->c, t->actor, ATTT_AUDIT_ACCESS, t->grant ? "role.grant" : "role.revoke", "account",
				t->account_id, t->agency_id ? t->agency_id : a.agency_id, ATTT_AUDIT_SUCCESS, "R7.2",
				json_pack("{s:s, s:s, s:I}", "username", a.username, "role", attt_role_name(t->role),
					  "agency", (json_int_t)t->agency_id));
}

int attt_account_grant(const struct attt_auth_ctx *c, const struct attt_actor *actor, int64_t account_id,
		       enum attt_role role, int64_t agency_id)
{
	struct grant_tx t = {c, actor, account_id, agency_id, role, true};
	if (strcmp(attt_role_name(role), "unknown") == 0 || agency_id <= 0)
		return ATTT_E_INVAL;
	return attt__acct_tx(c->db, grant_fn, &t);
}

int attt_account_revoke(const struct attt_auth_ctx *c, const struct attt_actor *actor, int64_t account_id,
			enum attt_role role, int64_t agency_id)
{
	struct grant_tx t = {c, actor, account_id, agency_id, role, false};
	if (strcmp(attt_role_name(role), "unknown") == 0 || agency_id < 0)
		return ATTT_E_INVAL;
	return attt__acct_tx(c->db, grant_fn, &t);
}

int attt_account_grants(const struct attt_auth_ctx *c, int64_t account_id, struct attt_grant *grants, size_t max,
			size_t *ret_n)
{
	struct attt_stmt *st = NULL;
	int r;

	r = attt__acct_prep(c->db, &st, "SELECT role, COALESCE(agency_id, 0) FROM role_grant WHERE account_id = ? ORDER BY id",
			    "i", account_id);
	if (r < 0)
		return r;
	return attt__acct_read_grants(st, grants, max, false, ret_n);
}

int attt__acct_read_grants(struct attt_stmt *st, struct attt_grant *grants, size_t max, bool strict, size_t *ret_n)
{
	size_t n = 0;
	int r;

	while ((r = attt_stmt_step(st)) > 0) {
		enum attt_role role;
		bool known = attt_role_parse(attt_stmt_text(st, 0), &role) == ATTT_OK;
		if (strict && (n >= max || !known)) {
			r = n >= max ? ATTT_E_TOOBIG : ATTT_E_CORRUPT;
			break;
		}
		if (n < max && known) {
			grants[n].role = role;
			grants[n].agency_id = attt_stmt_int64(st, 1);
			n++;
		}
	}
	attt_stmt_finalize(st);
	if (r < 0)
		return r;
	*ret_n = n;
	return ATTT_OK;
}

int attt_account_agency_within(void *dbp, int64_t agency, int64_t ancestor, bool *ret)
{
	struct attt_db *db = dbp;
	struct attt_stmt *st = NULL;
	int r;

	/* The platform is "within" a root agency only: a grant there governs platform objects. */
	if (agency == 0) {
		int64_t roots = 0;
		r = attt__acct_int(db, &roots, "SELECT COUNT(*) FROM agency WHERE id = ? AND parent_id IS NULL", "i", ancestor);
		if (r == ATTT_OK)
			*ret = roots > 0;
		return r;
	}
	/* R1.2: the materialised path of 0002_org: X is within Y when X.path starts with Y.path. */
	r = attt__acct_prep(db, &st,
			    "SELECT substr(x.path, 1, length(y.path)) = y.path FROM agency x, agency y WHERE x.id = ? AND y.id = ?",
			    "ii", agency, ancestor);
	if (r < 0)
		return r;
	r = attt_stmt_step(st);
	if (r == 0)
		r = ATTT_E_NOTFOUND;
	if (r > 0) {
		*ret = attt_stmt_int64(st, 0) != 0;
		r = ATTT_OK;
	}
	attt_stmt_finalize(st);
	return r;
}
