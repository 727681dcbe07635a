/*
 * routes_auth.c: the HTTP API of identity and access: the authentication hook of the server, and
 * the routes to log in and out, change the password, enrol and verify a second factor, see and end
 * one's sessions, acknowledge the rules (R5.1), and for officers the accounts of their agencies.
 * docs/api/openapi.yaml describes them; docs/access-control.md lists who may call what, and the
 * authorisation test holds every route to that list.
 *
 * The hook: a browser session is the cookie attt_session (HttpOnly, SameSite=Strict, Secure under
 * TLS); every state-changing request of a session carries X-CSRF-Token (R6.1.c), else 403.
 * Automation sends "Authorization: Bearer attt_..." (scoped, expiring API tokens), no CSRF. A stale
 * cookie makes the request anonymous, so that the login page still works with it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "attt/account.h"
#include "attt/app.h"
#include "attt/db.h"
#include "attt/err.h"
#include "attt/http.h"
#include "attt/limits.h"
#include "attt/org.h"
#include "attt/policy.h"
#include "attt/str.h"
#include "auth_cli.h"
#include "routes.h"

#define COOKIE "attt_session"

/* Read-only after registration, shared by the pool threads. */
static struct {
	struct attt_app *app;
	struct attt_auth_policy policy;
	struct attt_auth_key *key;
} g;

struct principal {
	struct attt_principal p;
	bool bearer;
};

static int ctx_of(struct attt_auth_ctx *c)
{
	struct attt_db *db = NULL;
	int r = serve_thread_db(g.app, &db);
	if (r < 0)
		return r;
	c->db = db;
	c->clock = attt_app_clock(g.app);
	c->rng = attt_app_rng(g.app);
	c->key = g.key;
	c->policy = &g.policy;
	return ATTT_OK;
}

static bool state_changing(const char *m)
{
	return strcmp(m, "GET") != 0 && strcmp(m, "HEAD") != 0 && strcmp(m, "OPTIONS") != 0;
}

static int auth_hook(struct attt_http_req *req, void *unused, void **ret)
{
	const char *authz = attt_http_req_header(req, "Authorization");
	const char *cookie = attt_http_req_cookie(req, COOKIE);
	struct attt_auth_ctx c;
	struct principal *pr;
	int r;

	(void)unused;
	if (!authz && !cookie)
		return ATTT_OK;
	r = ctx_of(&c);
	if (r < 0)
		return r;
	pr = calloc(1, sizeof(*pr));
	if (!pr)
		return ATTT_E_NOMEM;
	if (authz) {
		if (!attt_str_startswith(authz, "Bearer ")) {
			r = ATTT_E_AUTH;
			goto fail;
		}
		r = attt_auth_token_check(&c, authz + 7, strlen(authz + 7), &pr->p);
		if (r < 0)
			goto fail;
		pr->bearer = true;
	} else {
		r = attt_auth_session_check(&c, cookie, strlen(cookie), &pr->p);
		if (r == ATTT_E_AUTH) {
			free(pr);
			return ATTT_OK; /* a stale cookie: anonymous */
		}
		if (r < 0)
			goto fail;
		if (state_changing(attt_http_req_method(req))) {
			/* R6.1.c: CSRF token on every state-changing request of a browser session. */
			const char *csrf = attt_http_req_header(req, "X-CSRF-Token");
			r = attt_csrf_verify(g.key, cookie, strlen(cookie), csrf, csrf ? strlen(csrf) : 0);
			if (r < 0)
				goto fail;
		}
	}
	attt_http_req_set_user(req, pr->p.username);
	*ret = pr;
	return ATTT_OK;
fail:
	sodium_memzero(pr, sizeof(*pr));
	free(pr);
	return r;
}

static void principal_free(void *p, void *unused)
{
	(void)unused;
	if (p) {
		sodium_memzero(p, sizeof(struct principal));
		free(p);
	}
}

static struct attt_principal *me(struct attt_http_req *req)
{
	struct principal *pr = attt_http_req_principal(req);
	return pr ? &pr->p : NULL;
}

static const char *source(struct attt_http_req *req)
{
	return attt_http_req_remote(req);
}

/* Reads a JSON object body; strings by name (NULL when absent; ATTT_E_INVAL when not a string). */
static int body_obj(struct attt_http_req *req, json_t **ret)
{
	json_t *j = NULL;
	int r = attt_http_req_json(req, &j);
	if (r < 0)
		return r;
	if (!json_is_object(j)) {
		json_decref(j);
		return ATTT_E_INVAL;
	}
	*ret = j;
	return ATTT_OK;
}

static int str_field(json_t *o, const char *name, bool required, const char **ret)
{
	json_t *v = json_object_get(o, name);
	if (!v || json_is_null(v)) {
		*ret = NULL;
		return required ? ATTT_E_INVAL : ATTT_OK;
	}
	if (!json_is_string(v))
		return ATTT_E_INVAL;
	*ret = json_string_value(v);
	return ATTT_OK;
}

static int problem_field(struct attt_http_req *req, int err, const char *vi, const char *en, const char *field)
{
	char dvi[256], den[256];
	attt_str_printf(dvi, sizeof(dvi), "%s: %s", field, vi);
	attt_str_printf(den, sizeof(den), "%s: %s", field, en);
	return attt_http_reply_problem(req, err, dvi, den);
}

/* --- login, logout --------------------------------------------------------------------------- */

static const char *login_fail_vi = "Tên đăng nhập hoặc mật khẩu không đúng";
static const char *login_fail_en = "Wrong username or password";

static int set_cookie(struct attt_http_req *req, const char *value, bool clear)
{
	char buf[256];
	int r = attt_str_printf(buf, sizeof(buf), COOKIE "=%s; Path=/; HttpOnly; SameSite=Strict%s%s", value,
				attt_http_req_tls(req) ? "; Secure" : "", clear ? "; Max-Age=0" : "");
	if (r < 0)
		return r;
	return attt_http_reply_header(req, "Set-Cookie", buf);
}

static int h_login(struct attt_http_req *req, void *unused)
{
	struct attt_login in = {0};
	struct attt_login_result res;
	struct attt_auth_ctx c;
	const char *user = NULL, *pw = NULL, *totp = NULL;
	json_t *b = NULL, *out;
	bool mfa = false;
	int r;

	(void)unused;
	r = body_obj(req, &b);
	if (r < 0)
		return r;
	if (str_field(b, "username", true, &user) < 0 || str_field(b, "password", true, &pw) < 0 ||
	    str_field(b, "totp", false, &totp) < 0) {
		json_decref(b);
		return problem_field(req, ATTT_E_INVAL, "cần chuỗi username, password (và totp)",
				     "username, password (and totp) must be strings", "body");
	}
	r = ctx_of(&c);
	if (r < 0)
		goto out;
	in.username = user;
	in.password = pw;
	in.password_len = strlen(pw);
	in.totp = totp;
	in.source = source(req);
	in.user_agent = attt_http_req_header(req, "User-Agent");
	r = attt_auth_login(&c, &in, &res, &mfa);
	if (r == ATTT_E_AUTH) {
		if (mfa) {
			json_t *p = attt_http_problem_new(ATTT_E_AUTH, attt_http_req_lang(req), "Cần mã xác thực hai lớp (totp)",
							  "A second-factor code (totp) is required", NULL);
			if (!p) {
				r = ATTT_E_NOMEM;
				goto out;
			}
			json_object_set_new(p, "mfa_required", json_true());
			r = attt_http_reply_json(req, 401, p);
			goto out;
		}
		/* No enumeration: one answer for every failure. */
		r = attt_http_reply_problem(req, ATTT_E_AUTH, login_fail_vi, login_fail_en);
		goto out;
	}
	if (r < 0)
		goto out;
	r = set_cookie(req, res.session, false);
	if (r < 0)
		goto out;
	out = json_pack("{s:s, s:s, s:b, s:b, s:b, s:b, s:b, s:I}", "csrf_token", res.csrf, "session", res.ref,
			"must_change_password", res.must_change_password, "must_acknowledge", res.must_acknowledge,
			"mfa_enrol_required", res.mfa_enrol_required, "password_expired", res.password_expired,
			"password_warn", res.password_warn, "password_days_left", (json_int_t)res.password_days_left);
	sodium_memzero(&res, sizeof(res));
	if (!out) {
		r = ATTT_E_NOMEM;
		goto out;
	}
	r = attt_http_reply_json(req, 200, out);
out:
	json_decref(b);
	return r;
}

static int h_logout(struct attt_http_req *req, void *unused)
{
	struct attt_principal *p = me(req);
	struct attt_auth_ctx c;
	int r;

	(void)unused;
	if ((r = ctx_of(&c)) < 0)
		return r;
	if (p->session_id && (r = attt_auth_logout(&c, p, source(req))) < 0 && r != ATTT_E_NOTFOUND)
		return r;
	if ((r = set_cookie(req, "", true)) < 0)
		return r;
	return attt_http_reply_empty(req, 204);
}

/* R6.1.đ: every failed rule, in both languages, for the UI to show live. */
static json_t *failed_json(unsigned failed)
{
	json_t *arr = json_array();
	for (unsigned bit = 1; arr && bit && bit <= ATTT_PASSWORD_INVALID; bit <<= 1)
		if (failed & bit) {
			const char *rule = attt_password_rule_id(bit);
			json_array_append_new(arr, json_pack("{s:s, s:o, s:s, s:s}", "rule", attt_password_rule_name(bit),
							     "legal_basis", rule ? json_string(rule) : json_null(), "vi",
							     attt_password_rule_message(bit, "vi"), "en",
							     attt_password_rule_message(bit, "en")));
		}
	return arr;
}

static int reply_policy(struct attt_http_req *req, unsigned failed)
{
	json_t *p = attt_http_problem_new(ATTT_E_POLICY, attt_http_req_lang(req), "Mật khẩu không đạt quy định (R6.1.đ)",
					  "The password does not meet the rule (R6.1.đ)", NULL);
	if (!p)
		return ATTT_E_NOMEM;
	json_object_set_new(p, "failed", failed_json(failed));
	return attt_http_reply_json(req, 422, p);
}

static int h_password(struct attt_http_req *req, void *unused)
{
	struct attt_principal *p = me(req);
	struct attt_auth_ctx c;
	struct attt_actor actor;
	const char *cur = NULL, *next = NULL;
	unsigned failed = 0;
	json_t *b = NULL;
	int r;

	(void)unused;
	if ((r = body_obj(req, &b)) < 0)
		return r;
	if (str_field(b, "current", true, &cur) < 0 || str_field(b, "new", true, &next) < 0) {
		json_decref(b);
		return problem_field(req, ATTT_E_INVAL, "cần chuỗi current và new", "current and new must be strings", "body");
	}
	if ((r = ctx_of(&c)) < 0)
		goto out;
	attt_principal_actor(p, source(req), &actor);
	r = attt_auth_password_change(&c, &actor, p->account_id, cur, strlen(cur), next, strlen(next), &failed);
	if (r == ATTT_E_POLICY)
		r = reply_policy(req, failed);
	else if (r == ATTT_E_AUTH)
		r = attt_http_reply_problem(req, ATTT_E_AUTH, "Mật khẩu hiện tại không đúng", "The current password is wrong");
	else if (r == ATTT_OK)
		r = attt_http_reply_empty(req, 204);
out:
	json_decref(b);
	return r;
}

/* R6.1.đ: checks a candidate password against the rule and the names, without changing anything,
 * so the UI can show the failed rules while the user types (the history is checked on change). */
static int h_password_check(struct attt_http_req *req, void *unused)
{
	struct attt_principal *p = me(req);
	struct attt_auth_ctx c;
	struct attt_stmt *st = NULL;
	const char *pw = NULL;
	char *name = NULL;
	unsigned failed = 0;
	json_t *b = NULL;
	int r;

	(void)unused;
	if ((r = body_obj(req, &b)) < 0)
		return r;
	if (str_field(b, "password", true, &pw) < 0) {
		json_decref(b);
		return problem_field(req, ATTT_E_INVAL, "cần chuỗi password", "password must be a string", "body");
	}
	if ((r = ctx_of(&c)) < 0)
		goto out;
	if (p->person_id) {
		r = attt_db_prepare(c.db, "SELECT full_name FROM person WHERE id = ?", &st);
		if (r == ATTT_OK && (r = attt_stmt_bind_int64(st, 1, p->person_id)) == ATTT_OK && attt_stmt_step(st) > 0)
			name = strdup(attt_stmt_text(st, 0));
		attt_stmt_finalize(st);
		if (r < 0)
			goto out;
	}
	r = attt_password_check(&g.policy.password, pw, strlen(pw), p->username, name, &failed);
	if (r == ATTT_OK || r == ATTT_E_POLICY)
		r = attt_http_reply_json(req, 200, json_pack("{s:b, s:o}", "ok", failed == 0, "failed", failed_json(failed)));
out:
	free(name);
	json_decref(b);
	return r;
}

/* R6.2.b: redeem a one-time reset token. */
static int h_reset(struct attt_http_req *req, void *unused)
{
	struct attt_auth_ctx c;
	const char *tok = NULL, *next = NULL;
	unsigned failed = 0;
	json_t *b = NULL;
	int r;

	(void)unused;
	if ((r = body_obj(req, &b)) < 0)
		return r;
	if (str_field(b, "token", true, &tok) < 0 || str_field(b, "new", true, &next) < 0) {
		json_decref(b);
		return problem_field(req, ATTT_E_INVAL, "cần chuỗi token và new", "token and new must be strings", "body");
	}
	if ((r = ctx_of(&c)) < 0)
		goto out;
	r = attt_auth_reset_redeem(&c, tok, strlen(tok), next, strlen(next), &failed);
	if (r == ATTT_E_POLICY)
		r = reply_policy(req, failed);
	else if (r == ATTT_E_AUTH)
		r = attt_http_reply_problem(req, ATTT_E_AUTH, "Mã đặt lại không hợp lệ hoặc đã hết hạn",
					    "The reset token is invalid, used or expired");
	else if (r == ATTT_OK)
		r = attt_http_reply_empty(req, 204);
out:
	json_decref(b);
	return r;
}

/* --- me ----------------------------------------------------------------------------------------- */

static int h_me(struct attt_http_req *req, void *unused)
{
	struct attt_principal *p = me(req);
	struct attt_auth_ctx c;
	json_t *j = NULL, *perms;
	int r;

	(void)unused;
	if ((r = ctx_of(&c)) < 0)
		return r;
	if ((r = attt_account_json(&c, p->account_id, &j)) < 0)
		return r;
	json_object_set_new(j, "must_acknowledge", json_boolean(p->must_acknowledge));
	json_object_set_new(j, "mfa_enrol_required", json_boolean(p->mfa_enrol_required));
	json_object_set_new(j, "must_change_password", json_boolean(p->must_change_password));
	json_object_set_new(j, "session", p->ref[0] ? json_string(p->ref) : json_null());
	/* What the UI may offer (never what the server decides by). */
	perms = json_array();
	for (int i = 0; perms && i < ATTT_PERM_COUNT; i++)
		if (attt_acl_any(p->grants, p->n_grants, (enum attt_perm)i))
			json_array_append_new(perms, json_string(attt_perm_name(i)));
	json_object_set_new(j, "permissions", perms);
	return attt_http_reply_json(req, 200, j);
}

static int h_rules(struct attt_http_req *req, void *unused)
{
	struct attt_auth_ctx c;
	json_t *j = NULL;
	int r;

	(void)unused;
	if ((r = ctx_of(&c)) < 0 || (r = attt_rules_current_json(&c, &j)) < 0)
		return r;
	return attt_http_reply_json(req, 200, j);
}

static int h_acknowledge(struct attt_http_req *req, void *unused)
{
	struct attt_principal *p = me(req);
	struct attt_auth_ctx c;
	struct attt_actor actor;
	int r;

	(void)unused;
	if ((r = ctx_of(&c)) < 0)
		return r;
	attt_principal_actor(p, source(req), &actor);
	/* R5.1: the acknowledgment of the current rules, timestamped. */
	r = attt_rules_acknowledge(&c, &actor, p->account_id);
	if (r == ATTT_E_STATE)
		return problem_field(req, ATTT_E_STATE, "tài khoản không gắn với người", "the account has no person", "account");
	if (r < 0)
		return r;
	return attt_http_reply_empty(req, 204);
}

static int h_mfa_enrol(struct attt_http_req *req, void *unused)
{
	struct attt_principal *p = me(req);
	char secret[ATTT_TOTP_SECRET_B32_SIZE], *uri = NULL;
	struct attt_auth_ctx c;
	struct attt_actor actor;
	json_t *j;
	int r;

	(void)unused;
	attt_principal_actor(p, source(req), &actor);
	if ((r = ctx_of(&c)) < 0 || (r = attt_auth_mfa_begin(&c, &actor, p->account_id, secret, &uri)) < 0)
		return r;
	j = json_pack("{s:s, s:s}", "secret", secret, "uri", uri);
	sodium_memzero(secret, sizeof(secret));
	free(uri);
	if (!j)
		return ATTT_E_NOMEM;
	return attt_http_reply_json(req, 200, j);
}

static int h_mfa_verify(struct attt_http_req *req, void *unused)
{
	struct attt_principal *p = me(req);
	char codes[ATTT_RECOVERY_CODES][ATTT_RECOVERY_CODE_SIZE];
	struct attt_auth_ctx c;
	struct attt_actor actor;
	const char *code = NULL;
	json_t *b = NULL, *arr;
	int r;

	(void)unused;
	if ((r = body_obj(req, &b)) < 0)
		return r;
	if (str_field(b, "code", true, &code) < 0) {
		json_decref(b);
		return problem_field(req, ATTT_E_INVAL, "cần chuỗi code", "code must be a string", "body");
	}
	if ((r = ctx_of(&c)) < 0)
		goto out;
	attt_principal_actor(p, source(req), &actor);
	r = attt_auth_mfa_confirm(&c, &actor, p->account_id, code, codes);
	if (r == ATTT_E_AUTH) {
		r = attt_http_reply_problem(req, ATTT_E_AUTH, "Mã không đúng", "Wrong code");
		goto out;
	}
	if (r == ATTT_E_STATE) {
		r = problem_field(req, ATTT_E_STATE, "chưa bắt đầu đăng ký", "enrolment not begun", "mfa");
		goto out;
	}
	if (r < 0)
		goto out;
	arr = json_array();
	for (int i = 0; arr && i < ATTT_RECOVERY_CODES; i++)
		json_array_append_new(arr, json_string(codes[i]));
	sodium_memzero(codes, sizeof(codes));
	r = attt_http_reply_json(req, 200, json_pack("{s:o}", "recovery_codes", arr));
out:
	json_decref(b);
	return r;
}

static int h_sessions(struct attt_http_req *req, void *unused)
{
	struct attt_principal *p = me(req);
	struct attt_auth_ctx c;
	json_t *j = NULL;
	int r;

	(void)unused;
	if ((r = ctx_of(&c)) < 0 || (r = attt_auth_sessions_json(&c, p->account_id, p->ref, &j)) < 0)
		return r;
	return attt_http_reply_json(req, 200, json_pack("{s:o}", "items", j));
}

static int h_session_end(struct attt_http_req *req, void *unused)
{
	struct attt_principal *p = me(req);
	struct attt_auth_ctx c;
	struct attt_actor actor;
	int r;

	(void)unused;
	if ((r = ctx_of(&c)) < 0)
		return r;
	attt_principal_actor(p, source(req), &actor);
	r = attt_auth_session_end(&c, &actor, p->account_id, attt_http_req_param(req, "ref"));
	if (r < 0)
		return r;
	return attt_http_reply_empty(req, 204);
}

/* --- accounts of the officer's agencies ------------------------------------------------------------ */

/* perm on account a: a platform account (the bootstrap admin) only for platform-wide grants. */
static int can_on_account(struct attt_auth_ctx *c, const struct attt_principal *p, enum attt_perm perm,
			  const struct attt_account *a, bool *ret)
{
	if (a->agency_id == 0) {
		bool ok = false;
		int r = attt_principal_can(c, p, perm, 0, &ok);
		if (r < 0)
			return r;
		*ret = false;
		for (size_t i = 0; ok && i < p->n_grants; i++)
			if (p->grants[i].agency_id == 0 && attt_role_has(p->grants[i].role, perm))
				*ret = true;
		return ATTT_OK;
	}
	return attt_principal_can(c, p, perm, a->agency_id, ret);
}

static int load_account(struct attt_http_req *req, struct attt_auth_ctx *c, enum attt_perm perm,
			struct attt_account *ret)
{
	struct attt_principal *p = me(req);
	const char *s = attt_http_req_param(req, "id");
	int64_t id = 0;
	bool ok = false;
	int r;

	if (!s || attt_parse_int64(s, 1, INT64_MAX, &id) < 0)
		return ATTT_E_NOTFOUND;
	r = attt_account_get(c, id, ret);
	if (r < 0)
		return r;
	r = can_on_account(c, p, perm, ret, &ok);
	if (r < 0)
		return r;
	/* Another agency's account: 403, the same as any other permission refusal. */
	return ok ? ATTT_OK : ATTT_E_PERM;
}

static int h_accounts(struct attt_http_req *req, void *unused)
{
	struct attt_principal *p = me(req);
	struct attt_auth_ctx c;
	const char *s = attt_http_req_query(req, "agency");
	int64_t agency = p->agency_id;
	json_t *j = NULL;
	bool ok = false;
	int r;

	(void)unused;
	if (s && attt_parse_int64(s, 1, INT64_MAX, &agency) < 0)
		return problem_field(req, ATTT_E_INVAL, "không phải số", "not a number", "agency");
	if ((r = ctx_of(&c)) < 0)
		return r;
	if (agency == 0) {
		/* No agency of one's own (the bootstrap admin): the first grant's. */
		for (size_t i = 0; i < p->n_grants && !agency; i++)
			if (attt_role_has(p->grants[i].role, ATTT_PERM_ACCOUNT_READ))
				agency = p->grants[i].agency_id;
	}
	r = attt_principal_can(&c, p, ATTT_PERM_ACCOUNT_READ, agency, &ok);
	if (r == ATTT_E_NOTFOUND)
		return problem_field(req, ATTT_E_NOTFOUND, "không có cơ quan này", "no such agency", "agency");
	if (r < 0)
		return r;
	if (!ok)
		return ATTT_E_PERM;
	if ((r = attt_account_list_json(&c, agency, &j)) < 0)
		return r;
	return attt_http_reply_json(req, 200, json_pack("{s:o, s:I}", "items", j, "agency", (json_int_t)agency));
}

static int h_account(struct attt_http_req *req, void *unused)
{
	struct attt_auth_ctx c;
	struct attt_account a;
	json_t *j = NULL;
	int r;

	(void)unused;
	if ((r = ctx_of(&c)) < 0 || (r = load_account(req, &c, ATTT_PERM_ACCOUNT_READ, &a)) < 0 ||
	    (r = attt_account_json(&c, a.id, &j)) < 0)
		return r;
	return attt_http_reply_json(req, 200, j);
}

/* Whether p may give (or take back) role on agency: p's token or session carries role.grant there,
 * and one of the roles p holds over agency's own subtree (never one held over another subtree only)
 * both carries role.grant and may give that role: an officer staff, security_officer and
 * agency_head, an administrator any (docs/access-control.md). Platform-wide grants (agency 0) are
 * not given over the API. */
static int may_give(struct attt_auth_ctx *c, const struct attt_principal *p, enum attt_role role, int64_t agency,
		    bool *ret)
{
	unsigned held = 0;
	bool ok = false;
	int r;

	*ret = false;
	if (agency <= 0)
		return ATTT_OK;
	if ((r = attt_principal_can(c, p, ATTT_PERM_ROLE_GRANT, agency, &ok)) < 0 || !ok)
		return r;
	if ((r = attt_acl_roles_on(p->grants, p->n_grants, agency, attt_account_agency_within, c->db, &held)) < 0)
		return r;
	for (int k = 1; k <= ATTT_ROLE_COUNT; k++) /* roles are numbered from 1 */
		if ((held & (1u << k)) && attt_role_has(k, ATTT_PERM_ROLE_GRANT) && attt_role_can_grant(k, (int)role))
			*ret = true;
	return ATTT_OK;
}

static int h_account_create(struct attt_http_req *req, void *unused)
{
	struct attt_principal *p = me(req);
	struct attt_account_new in = {0};
	struct attt_auth_ctx c;
	struct attt_actor actor;
	const char *user = NULL, *role = NULL;
	json_t *b = NULL, *person;
	char pw[17];
	int64_t id = 0, agency = 0;
	bool ok = false;
	int r;

	(void)unused;
	if ((r = body_obj(req, &b)) < 0)
		return r;
	person = json_object_get(b, "person");
	if (str_field(b, "username", true, &user) < 0 || str_field(b, "role", false, &role) < 0 || !json_is_integer(person)) {
		r = problem_field(req, ATTT_E_INVAL, "cần username (chuỗi), person (số), role (chuỗi)",
				  "username (string), person (integer), role (string) expected", "body");
		goto out;
	}
	in.username = user;
	in.kind = ATTT_ACCOUNT_PERSON;
	in.person_id = json_integer_value(person);
	if (role && attt_role_parse(role, &in.role) < 0) {
		r = problem_field(req, ATTT_E_INVAL, "vai trò không có", "unknown role", "role");
		goto out;
	}
	if ((r = ctx_of(&c)) < 0)
		goto out;
	{
		struct attt_stmt *st = NULL;
		r = attt_db_prepare(c.db, "SELECT agency_id FROM person WHERE id = ?", &st);
		if (r == ATTT_OK && (r = attt_stmt_bind_int64(st, 1, in.person_id)) == ATTT_OK)
			r = attt_stmt_step(st);
		if (r > 0)
			agency = attt_stmt_int64(st, 0);
		attt_stmt_finalize(st);
		if (r == 0) {
			r = problem_field(req, ATTT_E_NOTFOUND, "không có người này", "no such person", "person");
			goto out;
		}
		if (r < 0)
			goto out;
	}
	r = attt_principal_can(&c, p, ATTT_PERM_ACCOUNT_WRITE, agency, &ok);
	/* Granting needs role.grant there too, from a role held over that agency that may give it. */
	if (r == ATTT_OK && ok && in.role)
		r = may_give(&c, p, in.role, agency, &ok);
	if (r < 0)
		goto out;
	if (!ok) {
		r = ATTT_E_PERM;
		goto out;
	}
	attt_principal_actor(p, source(req), &actor);
	r = attt_account_add(&c, &actor, &in, &id, pw);
	if (r == ATTT_E_POLICY)
		r = problem_field(req, ATTT_E_POLICY, "tài khoản dùng chung không được phép (R6.2.a)",
				  "shared or generic accounts are refused (R6.2.a)", "username");
	else if (r == ATTT_OK) {
		char norm[ATTT_USERNAME_MAX + 1];
		attt_account_username_norm(user, false, norm);
		r = attt_http_reply_json(req, 201, json_pack("{s:I, s:s, s:s}", "id", (json_int_t)id, "username", norm,
							     "password", pw));
	}
	sodium_memzero(pw, sizeof(pw));
out:
	json_decref(b);
	return r;
}

static int account_action(struct attt_http_req *req, int what)
{
	struct attt_principal *p = me(req);
	struct attt_auth_ctx c;
	struct attt_actor actor;
	struct attt_account a;
	char pw[17];
	json_t *j = NULL;
	int r;

	if ((r = ctx_of(&c)) < 0 || (r = load_account(req, &c, ATTT_PERM_ACCOUNT_WRITE, &a)) < 0)
		return r;
	attt_principal_actor(p, source(req), &actor);
	switch (what) {
	case 0: r = attt_account_lock(&c, &actor, a.id); break;
	case 1: r = attt_account_unlock(&c, &actor, a.id); break;
	case 2: r = attt_account_disable(&c, &actor, a.id, "api"); break;
	default:
		r = attt_account_reset(&c, &actor, a.id, pw);
		if (r == ATTT_OK)
			r = attt_http_reply_json(req, 200, json_pack("{s:s, s:s}", "username", a.username, "password", pw));
		sodium_memzero(pw, sizeof(pw));
		return r;
	}
	if (r < 0 || (r = attt_account_json(&c, a.id, &j)) < 0)
		return r;
	return attt_http_reply_json(req, 200, j);
}

static int h_lock(struct attt_http_req *req, void *u) { (void)u; return account_action(req, 0); }
static int h_unlock(struct attt_http_req *req, void *u) { (void)u; return account_action(req, 1); }
static int h_disable(struct attt_http_req *req, void *u) { (void)u; return account_action(req, 2); }
static int h_reset_issue(struct attt_http_req *req, void *u) { (void)u; return account_action(req, 3); }

/* --- account reviews (R6.1.e) -------------------------------------------------------------------- */

static int need(struct attt_auth_ctx *c, struct attt_http_req *req, enum attt_perm perm, int64_t agency)
{
	bool ok = false;
	int r = attt_principal_can(c, me(req), perm, agency, &ok);
	if (r < 0)
		return r;
	return ok ? ATTT_OK : ATTT_E_PERM;
}

static int path_id(struct attt_http_req *req, int64_t *ret)
{
	const char *s = attt_http_req_param(req, "id");
	if (!s || attt_parse_int64(s, 1, INT64_MAX, ret) < 0)
		return ATTT_E_NOTFOUND;
	return ATTT_OK;
}

static int h_reviews(struct attt_http_req *req, void *unused)
{
	struct attt_principal *p = me(req);
	struct attt_auth_ctx c;
	const char *s = attt_http_req_query(req, "agency");
	int64_t agency = p->agency_id;
	json_t *j = NULL;
	int r;

	(void)unused;
	if (s && attt_parse_int64(s, 1, INT64_MAX, &agency) < 0)
		return problem_field(req, ATTT_E_INVAL, "không phải số", "not a number", "agency");
	if ((r = ctx_of(&c)) < 0)
		return r;
	for (size_t i = 0; i < p->n_grants && !agency; i++)
		if (attt_role_has(p->grants[i].role, ATTT_PERM_REVIEW_READ))
			agency = p->grants[i].agency_id;
	if ((r = need(&c, req, ATTT_PERM_REVIEW_READ, agency)) < 0)
		return r == ATTT_E_NOTFOUND ? problem_field(req, r, "không có cơ quan này", "no such agency", "agency") : r;
	if ((r = attt_review_list_json(&c, agency, &j)) < 0)
		return r;
	return attt_http_reply_json(req, 200, j);
}

static int h_review_start(struct attt_http_req *req, void *unused)
{
	struct attt_auth_ctx c;
	struct attt_actor actor;
	json_t *b = NULL, *a, *j = NULL;
	int64_t id = 0, agency;
	int r;

	(void)unused;
	if ((r = body_obj(req, &b)) < 0)
		return r;
	a = json_object_get(b, "agency");
	if (!json_is_integer(a) || json_integer_value(a) <= 0) {
		json_decref(b);
		return problem_field(req, ATTT_E_INVAL, "cần số cơ quan", "an agency id is required", "agency");
	}
	agency = json_integer_value(a);
	json_decref(b);
	if ((r = ctx_of(&c)) < 0)
		return r;
	if ((r = need(&c, req, ATTT_PERM_REVIEW_DECIDE, agency)) < 0)
		return r == ATTT_E_NOTFOUND ? problem_field(req, r, "không có cơ quan này", "no such agency", "agency") : r;
	attt_principal_actor(me(req), source(req), &actor);
	r = attt_review_start(&c, &actor, agency, &id);
	if (r == ATTT_E_CONFLICT)
		return problem_field(req, r, "đang có đợt rà soát mở", "a campaign is open", "agency");
	if (r < 0 || (r = attt_review_json(&c, id, &j)) < 0)
		return r;
	return attt_http_reply_json(req, 201, j);
}

static int h_review(struct attt_http_req *req, void *unused)
{
	struct attt_auth_ctx c;
	int64_t id = 0, agency = 0;
	json_t *j = NULL;
	int r;

	(void)unused;
	if ((r = path_id(req, &id)) < 0 || (r = ctx_of(&c)) < 0 || (r = attt_review_agency(&c, id, &agency)) < 0 ||
	    (r = need(&c, req, ATTT_PERM_REVIEW_READ, agency)) < 0 || (r = attt_review_json(&c, id, &j)) < 0)
		return r;
	return attt_http_reply_json(req, 200, j);
}

/* R6.1.e "change" gives a role: beyond review.decide on the campaign, the caller needs role.grant
 * where the grant lies and one of its roles must be allowed to give the new one (as for
 * POST /api/v1/accounts); a platform-wide grant only by a platform-wide granter. */
static int may_change(struct attt_auth_ctx *c, struct attt_http_req *req, int64_t item, enum attt_role to)
{
	const struct attt_principal *p = me(req);
	int64_t role_agency = 0;
	bool may = false;
	int r = attt_review_item_grant(c, item, &role_agency);

	if (r < 0)
		return r;
	/* The new role is given on the grant's agency: by a role held over that agency's subtree that
	 * may give it (a platform-wide grant: by a platform-wide role). */
	if (role_agency) {
		if ((r = may_give(c, p, to, role_agency, &may)) < 0)
			return r;
		return may ? ATTT_OK : ATTT_E_PERM;
	}
	/* The token's scope (or the account's restriction) must carry role.grant too. */
	if ((r = attt_principal_can(c, p, ATTT_PERM_ROLE_GRANT, 0, &may)) < 0 || !may)
		return r < 0 ? r : ATTT_E_PERM;
	may = false;
	for (size_t i = 0; i < p->n_grants; i++)
		if (attt_role_can_grant(p->grants[i].role, to) && p->grants[i].agency_id == 0 &&
		    attt_role_has(p->grants[i].role, ATTT_PERM_ROLE_GRANT))
			may = true;
	return may ? ATTT_OK : ATTT_E_PERM;
}

static int h_review_decide(struct attt_http_req *req, void *unused)
{
	struct attt_auth_ctx c;
	struct attt_actor actor;
	const char *decision = NULL, *note = NULL, *role = NULL;
	int64_t item = 0, agency = 0, subject = 0;
	json_t *b = NULL;
	int r;

	(void)unused;
	if ((r = path_id(req, &item)) < 0 || (r = ctx_of(&c)) < 0 || (r = attt_review_item_agency(&c, item, &agency)) < 0 ||
	    (r = need(&c, req, ATTT_PERM_REVIEW_DECIDE, agency)) < 0 || (r = attt_review_item_account(&c, item, &subject)) < 0)
		return r;
	/* R6.1.e: a reviewer does not decide on their own account or roles; another reviewer does. */
	if (subject == me(req)->account_id)
		return problem_field(req, ATTT_E_PERM, "không tự rà soát tài khoản của mình", "no one reviews their own account",
				     "item");
	if ((r = body_obj(req, &b)) < 0)
		return r;
	if (str_field(b, "decision", true, &decision) < 0 || str_field(b, "note", false, &note) < 0 ||
	    str_field(b, "role", false, &role) < 0) {
		json_decref(b);
		return problem_field(req, ATTT_E_INVAL, "cần decision: confirm, change hoặc revoke",
				     "decision must be confirm, change or revoke", "decision");
	}
	attt_principal_actor(me(req), source(req), &actor);
	if (strcmp(decision, "change") == 0) {
		enum attt_role to;
		if (!role || attt_role_parse(role, &to) < 0) {
			r = problem_field(req, ATTT_E_INVAL, "change cần role là một vai trò có", "change needs a known role", "role");
			goto out;
		}
		r = may_change(&c, req, item, to);
		if (r == ATTT_E_NOTFOUND) {
			r = problem_field(req, ATTT_E_INVAL, "chỉ đổi được mục vai trò còn hiệu lực",
					  "only an item of a role still held can change", "item");
			goto out;
		}
		/* R6.1.e: the grant becomes the new role at once, in one audited step. */
		if (r == ATTT_OK)
			r = attt_review_change(&c, &actor, item, to, note, NULL);
	} else if (role) {
		r = problem_field(req, ATTT_E_INVAL, "role chỉ đi với change", "role goes with change only", "role");
		goto out;
	} else {
		/* R6.1.e: a revocation applies at once. */
		r = attt_review_decide(&c, &actor, item, decision, note, NULL);
	}
	if (r == ATTT_E_CONFLICT)
		r = problem_field(req, r, "mục đã được quyết định", "the item is decided already", "item");
	else if (r == ATTT_E_EXISTS)
		r = problem_field(req, r, "tài khoản đã có vai trò này", "the account holds that role already", "role");
	else if (r == ATTT_E_STATE)
		r = problem_field(req, r, "quyền đã bị thu hồi hoặc tài khoản bị khóa", "the grant is gone or the account disabled",
				  "item");
	else if (r == ATTT_E_INVAL)
		r = problem_field(req, r, "cần confirm, revoke, hoặc change sang vai trò khác",
				  "confirm, revoke, or change to another role", "decision");
	else if (r == ATTT_OK)
		r = attt_http_reply_empty(req, 204);
out:
	json_decref(b);
	return r;
}

/* --- roles on agency subtrees ----------------------------------------------------------------- */

/* Grants or revokes {"role", "agency"} on an account (account.write on the account's agency), when
 * the caller holds role.grant on that agency and a role that may give this one: a security officer
 * gives staff, security_officer and agency_head within their subtree, an administrator any role
 * (docs/access-control.md). Answered with the account. */
static int role_change(struct attt_http_req *req, bool grant)
{
	const struct attt_principal *p = me(req);
	struct attt_auth_ctx c;
	struct attt_actor actor;
	struct attt_account a;
	const char *role = NULL;
	enum attt_role rl;
	json_t *b = NULL, *ag, *j = NULL;
	bool may = false;
	int64_t agency;
	int r;

	if ((r = ctx_of(&c)) < 0 || (r = load_account(req, &c, ATTT_PERM_ACCOUNT_WRITE, &a)) < 0)
		return r;
	if ((r = body_obj(req, &b)) < 0)
		return r;
	ag = json_object_get(b, "agency");
	if (str_field(b, "role", true, &role) < 0 || attt_role_parse(role, &rl) < 0) {
		r = problem_field(req, ATTT_E_INVAL, "cần một vai trò có", "a known role is required", "role");
		goto out;
	}
	if (!json_is_integer(ag) || json_integer_value(ag) < 1) {
		r = problem_field(req, ATTT_E_INVAL, "cần số cơ quan", "an agency id is required", "agency");
		goto out;
	}
	agency = json_integer_value(ag);
	/* Never to or from one's own account: no one widens or keeps their own rights. */
	if (a.id == p->account_id) {
		r = problem_field(req, ATTT_E_PERM, "không tự cấp hoặc thu hồi vai trò của mình",
				  "no one grants or revokes their own roles", "id");
		goto out;
	}
	if ((r = may_give(&c, p, rl, agency, &may)) < 0)
		goto out;
	if (!may) {
		r = ATTT_E_PERM;
		goto out;
	}
	attt_principal_actor(p, source(req), &actor);
	r = grant ? attt_account_grant(&c, &actor, a.id, rl, agency) : attt_account_revoke(&c, &actor, a.id, rl, agency);
	if (r == ATTT_E_EXISTS)
		r = problem_field(req, r, "tài khoản đã có vai trò này ở đó", "the account holds that role there already", "role");
	else if (r == ATTT_E_NOTFOUND && !grant)
		r = problem_field(req, r, "tài khoản không có vai trò này ở đó", "the account does not hold that role there", "role");
	else if (r == ATTT_OK && (r = attt_account_json(&c, a.id, &j)) == ATTT_OK)
		r = attt_http_reply_json(req, 200, j);
out:
	json_decref(b);
	return r;
}

static int h_role_grant(struct attt_http_req *req, void *u) { (void)u; return role_change(req, true); }
static int h_role_revoke(struct attt_http_req *req, void *u) { (void)u; return role_change(req, false); }

/* --- offboarding (R5.3) ---------------------------------------------------------------------- */

/* One action on a person (account.write on their agency): every account disabled, sessions and
 * tokens ended, roles removed, a case opened with its checklist; answered with the case. */
static int h_offboard(struct attt_http_req *req, void *unused)
{
	struct attt_auth_ctx c;
	struct attt_actor actor;
	struct attt_person person = {0};
	const char *reason = NULL;
	int64_t id = 0, case_id = 0, agency = 0;
	json_t *b = NULL, *j = NULL;
	int r;

	(void)unused;
	if ((r = path_id(req, &id)) < 0 || (r = ctx_of(&c)) < 0 || (r = attt_org_person_get(c.db, id, &person)) < 0)
		return r;
	agency = person.agency_id;
	attt_org_person_done(&person);
	if ((r = need(&c, req, ATTT_PERM_ACCOUNT_WRITE, agency)) < 0)
		return r;
	/* Offboarding removes every role the person holds, wherever: the caller must be one who could
	 * take back each of them (docs/access-control.md), and never offboards themselves. */
	if (id == me(req)->person_id)
		return problem_field(req, ATTT_E_PERM, "không tự cho mình thôi việc", "no one offboards themselves", "id");
	{
		struct attt_grant held[64];
		size_t n = 0;
		if ((r = attt_person_grants(&c, id, held, sizeof(held) / sizeof(held[0]), &n)) < 0)
			return r;
		for (size_t i = 0; i < n; i++) {
			bool may = false;
			if ((r = may_give(&c, me(req), held[i].role, held[i].agency_id, &may)) < 0)
				return r;
			if (!may)
				return problem_field(req, ATTT_E_PERM,
						     "người này giữ vai trò ngoài quyền thu hồi của bạn (quản trị viên thực hiện)",
						     "the person holds a role you may not take back (an administrator does this)", "id");
		}
	}
	if ((r = body_obj(req, &b)) < 0)
		return r;
	if (str_field(b, "reason", true, &reason) < 0 || !*reason) {
		r = problem_field(req, ATTT_E_INVAL, "cần lý do thôi việc", "a reason is required", "reason");
		goto out;
	}
	attt_principal_actor(me(req), source(req), &actor);
	r = attt_offboard_person_in(&c, &actor, id, agency, reason, &case_id);
	if (r == ATTT_E_EXISTS) {
		char vi[96], en[96];
		attt_str_printf(vi, sizeof(vi), "người này đã có hồ sơ thôi việc đang mở: %lld", (long long)case_id);
		attt_str_printf(en, sizeof(en), "the person has an open offboarding case already: %lld", (long long)case_id);
		r = problem_field(req, ATTT_E_CONFLICT, vi, en, "id");
	} else if (r == ATTT_E_CONFLICT) {
		r = problem_field(req, r, "người này vừa chuyển cơ quan; hãy thử lại", "the person has just moved agency; try again", "id");
	} else if (r == ATTT_E_INVAL)
		r = problem_field(req, r, "lý do quá dài hoặc không hợp lệ", "the reason is too long or invalid", "reason");
	else if (r == ATTT_OK && (r = attt_offboard_json(&c, case_id, &j)) == ATTT_OK)
		r = attt_http_reply_json(req, 201, j);
out:
	json_decref(b);
	return r;
}

/* The cases of the agencies the caller reads accounts of; ?open=true: those not closed. */
static int h_offboarding_list(struct attt_http_req *req, void *unused)
{
	struct attt_auth_ctx c;
	const char *open = attt_http_req_query(req, "open");
	json_t *all = NULL, *out = NULL, *it;
	int64_t before = 0;
	size_t i;
	int r = ATTT_OK;

	(void)unused;
	if (open && strcmp(open, "true") != 0 && strcmp(open, "false") != 0)
		return problem_field(req, ATTT_E_INVAL, "true hoặc false", "true or false", "open");
	if ((r = ctx_of(&c)) < 0)
		return r;
	if (!(out = json_array()))
		return ATTT_E_NOMEM;
	/* The caller's cases among everyone's, read page by page until a page's worth is visible (at
	 * most 20 pages looked at per request, like the incident list). */
	for (int page = 0; page < 20 && json_array_size(out) < ATTT_HTTP_MAX_PAGE; page++) {
		size_t n;
		if ((r = attt_offboard_list(&c, open && strcmp(open, "true") == 0, before, ATTT_HTTP_MAX_PAGE, &all)) < 0)
			break;
		n = json_array_size(all);
		json_array_foreach(all, i, it) {
			bool ok = false;
			before = (int64_t)json_integer_value(json_object_get(it, "id"));
			if ((r = attt_principal_can(&c, me(req), ATTT_PERM_ACCOUNT_READ,
						    (int64_t)json_integer_value(json_object_get(it, "agency")), &ok)) < 0)
				break;
			if (ok && (json_array_size(out) >= ATTT_HTTP_MAX_PAGE || json_array_append(out, it) < 0)) {
				r = json_array_size(out) >= ATTT_HTTP_MAX_PAGE ? ATTT_OK : ATTT_E_NOMEM;
				break;
			}
		}
		json_decref(all);
		all = NULL;
		if (r < 0 || n < ATTT_HTTP_MAX_PAGE)
			break;
	}
	if (r < 0) {
		json_decref(out);
		return r;
	}
	return attt_http_reply_json(req, 200, json_pack("{s:o}", "items", out));
}

static int h_offboarding(struct attt_http_req *req, void *unused)
{
	struct attt_auth_ctx c;
	int64_t id = 0, agency = 0;
	json_t *j = NULL;
	int r;

	(void)unused;
	if ((r = path_id(req, &id)) < 0 || (r = ctx_of(&c)) < 0 || (r = attt_offboard_locate(&c, id, 0, NULL, &agency)) < 0 ||
	    (r = need(&c, req, ATTT_PERM_ACCOUNT_READ, agency)) < 0 || (r = attt_offboard_json(&c, id, &j)) < 0)
		return r;
	return attt_http_reply_json(req, 200, j);
}

/* R5.3: an item of the checklist recovered, with a note; answered with the case (closed with its
 * last item). */
static int h_offboarding_item(struct attt_http_req *req, void *unused)
{
	struct attt_auth_ctx c;
	struct attt_actor actor;
	const char *note = NULL;
	int64_t item = 0, case_id = 0, agency = 0;
	json_t *b = NULL, *j = NULL;
	int r;

	(void)unused;
	if ((r = path_id(req, &item)) < 0 || (r = ctx_of(&c)) < 0 ||
	    (r = attt_offboard_locate(&c, 0, item, &case_id, &agency)) < 0 ||
	    (r = need(&c, req, ATTT_PERM_ACCOUNT_WRITE, agency)) < 0)
		return r;
	if ((r = body_obj(req, &b)) < 0)
		return r;
	if (str_field(b, "note", false, &note) < 0) {
		r = problem_field(req, ATTT_E_INVAL, "ghi chú phải là chuỗi", "the note must be a string", "note");
		goto out;
	}
	attt_principal_actor(me(req), source(req), &actor);
	r = attt_offboard_item_done(&c, &actor, item, note, NULL, NULL);
	if (r == ATTT_E_CONFLICT)
		r = problem_field(req, r, "mục đã được đánh dấu thu hồi", "the item is ticked already", "item");
	else if (r == ATTT_E_INVAL)
		r = problem_field(req, r, "ghi chú quá dài hoặc không hợp lệ", "the note is too long or invalid", "note");
	else if (r == ATTT_OK && (r = attt_offboard_json(&c, case_id, &j)) == ATTT_OK)
		r = attt_http_reply_json(req, 200, j);
out:
	json_decref(b);
	return r;
}

/* The route table: docs/access-control.md has one row per line here. */
static const struct {
	const char *method, *pattern;
	unsigned flags;
	attt_http_handler_fn fn;
} routes[] = {
	{"POST", "/api/v1/auth/login", ATTT_HTTP_PUBLIC, h_login},
	{"POST", "/api/v1/auth/reset", ATTT_HTTP_PUBLIC, h_reset},
	{"POST", "/api/v1/auth/logout", 0, h_logout},
	{"POST", "/api/v1/auth/password", 0, h_password},
	{"POST", "/api/v1/auth/password/check", 0, h_password_check},
	{"POST", "/api/v1/auth/mfa/enrol", 0, h_mfa_enrol},
	{"POST", "/api/v1/auth/mfa/verify", 0, h_mfa_verify},
	{"GET", "/api/v1/me", 0, h_me},
	{"GET", "/api/v1/me/sessions", 0, h_sessions},
	{"DELETE", "/api/v1/me/sessions/{ref}", 0, h_session_end},
	{"GET", "/api/v1/rules", 0, h_rules},
	{"POST", "/api/v1/me/acknowledge", 0, h_acknowledge},
	{"GET", "/api/v1/accounts", 0, h_accounts},
	{"POST", "/api/v1/accounts", 0, h_account_create},
	{"GET", "/api/v1/accounts/{id}", 0, h_account},
	{"POST", "/api/v1/accounts/{id}/lock", 0, h_lock},
	{"POST", "/api/v1/accounts/{id}/unlock", 0, h_unlock},
	{"POST", "/api/v1/accounts/{id}/disable", 0, h_disable},
	{"POST", "/api/v1/accounts/{id}/reset", 0, h_reset_issue},
	{"POST", "/api/v1/accounts/{id}/roles", 0, h_role_grant},
	{"POST", "/api/v1/accounts/{id}/roles/revoke", 0, h_role_revoke},
	{"GET", "/api/v1/reviews", 0, h_reviews},
	{"POST", "/api/v1/reviews", 0, h_review_start},
	{"GET", "/api/v1/reviews/{id}", 0, h_review},
	{"POST", "/api/v1/reviews/items/{id}", 0, h_review_decide},
	{"POST", "/api/v1/people/{id}/offboard", 0, h_offboard},
	{"GET", "/api/v1/offboarding", 0, h_offboarding_list},
	{"GET", "/api/v1/offboarding/{id}", 0, h_offboarding},
	{"POST", "/api/v1/offboarding/items/{id}", 0, h_offboarding_item},
};

int routes_auth_register(struct attt_http_server *srv, struct attt_app *app)
{
	unsigned char raw[ATTT_APP_KEY_BYTES];
	int r;

	g.app = app;
	r = attt_auth_policy_from_profile(attt_policy_values(attt_app_policy(app)), &g.policy);
	if (r < 0)
		return r;
	r = attt_app_read_key(app, ATTT_APP_SECRET_KEY, raw, sizeof(raw));
	if (r == ATTT_OK && !g.key)
		r = attt_auth_key_from_bytes(raw, &g.key);
	sodium_memzero(raw, sizeof(raw));
	if (r < 0)
		return r;
	attt_http_server_set_auth(srv, auth_hook, principal_free, NULL);
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		r = attt_http_server_route(srv, routes[i].method, routes[i].pattern, routes[i].flags, routes[i].fn, NULL);
		if (r < 0)
			return r;
	}
	return ATTT_OK;
}

/* The scheduler's part (R6.1.e, R19): once an hour, and at start, disable dormant accounts and
 * external accounts past their end date. *state holds the time of the next run. */
int tick_auth(struct attt_app *app, int64_t now_us, void **state)
{
	static int64_t next_run;
	struct attt_auth_ctx c;
	json_t *rep = NULL;
	int r;

	(void)state;
	if (now_us == 0) {
		/* Shutdown: the HTTP server has stopped, nothing uses the key any more. */
		attt_auth_key_free(g.key);
		g.key = NULL;
		return ATTT_OK;
	}
	if (now_us < next_run || !g.key)
		return ATTT_OK;
	next_run = now_us + INT64_C(3600) * ATTT_USEC_PER_SEC;
	g.app = app;
	if ((r = ctx_of(&c)) < 0)
		return r;
	r = attt_auth_sweep(&c, &rep);
	json_decref(rep);
	return r;
}

/* For other route files (auth_cli.h). */
const struct attt_principal *auth_principal(struct attt_http_req *req)
{
	return me(req);
}

int auth_can(struct attt_http_req *req, enum attt_perm perm, int64_t object_agency, bool *ret)
{
	struct attt_principal *p = me(req);
	struct attt_auth_ctx c;
	int r;

	if (!p) {
		*ret = false;
		return ATTT_OK;
	}
	if ((r = ctx_of(&c)) < 0)
		return r;
	return attt_principal_can(&c, p, perm, object_agency, ret);
}

int auth_actor(struct attt_http_req *req, struct attt_actor *ret)
{
	struct attt_principal *p = me(req);
	if (!p)
		return ATTT_E_AUTH;
	attt_principal_actor(p, source(req), ret);
	return ATTT_OK;
}
