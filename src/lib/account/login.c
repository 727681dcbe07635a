/*
 * login.c: login with lockout (R6.2.b) and a second factor, sessions (R6.1.c), API tokens,
 * password change and expiry (R6.1.đ), one-time resets (R6.2.b), TOTP enrolment.
 *
 * Login does its Argon2id verification first, outside any transaction, so that logins run on every
 * core at once; the decision (count, lock, session) is then taken in one short transaction on a
 * fresh read of the lockout state. Every failure path costs one verification and writes one audit
 * event, and all of them answer the same ATTT_E_AUTH, so neither the answer nor its time tells an
 * unknown user from a locked one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "account-int.h"
#include "attt/buf.h"
#include "attt/err.h"
#include "attt/limits.h"
#include "attt/notify.h"
#include "attt/str.h"

#define SEC ATTT_USEC_PER_SEC
/* last_used_at is written at most this often per session: idle expiry stays exact to this. */
#define TOUCH_US (5 * SEC)

/* What login reads before deciding, outside the transaction. */
struct acct_secret {
	struct attt_account a;
	char hash[ATTT_PASSWORD_HASH_SIZE];
	char *totp_sealed;
	int64_t totp_last_step;
};

/* The row an unknown name's login reads in place of an account, so that it costs the same reads:
 * the first account, the break-glass admin attt init makes (any row will do; a missing one only
 * makes the reads cheaper). Nothing read from it is kept. */
#define DECOY_ACCOUNT_ID 1

static int read_secret(struct attt_db *db, int64_t id, const char *username, struct acct_secret *s)
{
	struct attt_stmt *st = NULL;
	int r;

	memset(s, 0, sizeof(*s));
	r = attt__acct_read(db, id, username, &s->a);
	if (r < 0)
		return r;
	r = attt__acct_prep(db, &st, "SELECT password_hash, totp_secret, totp_last_step FROM account WHERE id = ?", "i",
			    s->a.id);
	if (r < 0)
		return r;
	r = attt_stmt_step(st);
	if (r == 0)
		r = ATTT_E_NOTFOUND;
	if (r > 0) {
		const char *h = attt_stmt_text(st, 0), *t = attt_stmt_text(st, 1);
		r = ATTT_OK;
		if (h && attt_str_copy(s->hash, sizeof(s->hash), h) < 0)
			s->hash[0] = '\0';
		if (t && !(s->totp_sealed = strdup(t)))
			r = ATTT_E_NOMEM;
		s->totp_last_step = attt_stmt_int64(st, 2);
	}
	attt_stmt_finalize(st);
	return r;
}

static void secret_done(struct acct_secret *s)
{
	free(s->totp_sealed);
	sodium_memzero(s, sizeof(*s));
}

/* True when one of the account's roles must use a second factor. */
static int mfa_required_by_role(const struct attt_auth_ctx *c, int64_t id, bool *ret)
{
	struct attt_grant g[ATTT_PRINCIPAL_MAX_GRANTS];
	size_t n = 0;
	int r = attt_account_grants(c, id, g, ATTT_PRINCIPAL_MAX_GRANTS, &n);
	if (r < 0)
		return r;
	*ret = false;
	for (size_t i = 0; i < n; i++)
		if (c->policy->mfa_roles & (1u << g[i].role))
			*ret = true;
	return ATTT_OK;
}

/* One "account.locked" notification (mail when the person has an address, inbox always) for
 * recipient_id, about the locked account a. */
static int notify_one(const struct attt_auth_ctx *c, int64_t recipient_id, const struct attt_account *a)
{
	struct attt_stmt *st = NULL;
	struct attt_buf subject, body;
	char until[32], *name = NULL, *email = NULL;
	json_t *vars = NULL;
	int64_t person = 0;
	int r;

	r = attt__acct_prep(c->db, &st,
			    "SELECT COALESCE(a.person_id, 0), p.full_name, p.email FROM account a LEFT JOIN person p ON "
			    "p.id = a.person_id WHERE a.id = ?",
			    "i", recipient_id);
	if (r < 0)
		return r;
	r = attt_stmt_step(st);
	if (r > 0) {
		const char *n = attt_stmt_text(st, 1), *e = attt_stmt_text(st, 2);
		person = attt_stmt_int64(st, 0);
		name = strdup(n ? n : a->username);
		email = e ? strdup(e) : NULL;
		r = !name || (e && !email) ? ATTT_E_NOMEM : ATTT_OK;
	} else if (r == 0) {
		r = ATTT_E_NOTFOUND;
	}
	attt_stmt_finalize(st);
	if (r < 0)
		goto out;
	if (attt_time_local(a->lockout.locked_until, until, sizeof(until)) < 0)
		attt_str_copy(until, sizeof(until), "-");
	vars = json_pack("{s:s, s:s, s:i, s:s}", "recipient", name, "username", a->username, "failures",
			 a->lockout.failures, "until", until);
	if (!vars) {
		r = ATTT_E_NOMEM;
		goto out;
	}
	attt_buf_init(&subject, 1024);
	attt_buf_init(&body, ATTT_MAX_TEXT);
	r = attt_notify_template("account.locked", vars, &subject, &body);
	if (r == ATTT_OK) {
		struct attt_notify_msg m = {
			.kind = "account.locked",
			.to_address = email,
			.person_id = person,
			.account_id = recipient_id,
			.subject = attt_buf_str(&subject),
			.body = attt_buf_str(&body),
			.ref_type = "account",
			.ref_id = a->id,
		};
		r = attt_notify_enqueue(c->db, c->clock, &m, NULL);
	}
	attt_buf_done(&subject);
	attt_buf_done(&body);
out:
	json_decref(vars);
	free(name);
	free(email);
	return r;
}

/* R6.2.b: the user and the agency's security officers are told of a lock, through the notify
 * module, in the transaction of the lock. */
static int notify_lock(const struct attt_auth_ctx *c, const struct attt_account *a, int64_t now)
{
	struct attt_stmt *st = NULL;
	int64_t officers[64];
	size_t n = 0;
	int r;

	(void)now;
	r = notify_one(c, a->id, a);
	if (r < 0 || !a->agency_id)
		return r;
	r = attt__acct_prep(c->db, &st,
			    "SELECT DISTINCT g.account_id FROM role_grant g JOIN agency top ON top.id = g.agency_id "
			    "JOIN account o ON o.id = g.account_id, agency x WHERE x.id = ? AND g.role = 'security_officer' "
			    "AND substr(x.path, 1, length(top.path)) = top.path AND g.account_id <> ? AND o.status <> 'disabled' "
			    "ORDER BY g.account_id LIMIT 64",
			    "ii", a->agency_id, a->id);
	while (r >= 0 && (r = attt_stmt_step(st)) > 0)
		officers[n++] = attt_stmt_int64(st, 0);
	attt_stmt_finalize(st);
	for (size_t i = 0; r >= 0 && i < n; i++)
		r = notify_one(c, officers[i], a);
	return r < 0 ? r : ATTT_OK;
}

struct login_tx {
	const struct attt_auth_ctx *c;
	const struct attt_login *in;
	struct acct_secret *s; /* NULL: unknown user */
	const char *given;     /* the username as given (normalised when valid) */
	bool pw_ok, mfa_ok, mfa_given, mfa_needed, role_mfa;
	int64_t new_step, recovery_id;
	struct attt_login_result res;
};

static int new_session(const struct attt_auth_ctx *c, int64_t account_id, const struct attt_login *in,
		       struct attt_login_result *res, int64_t now)
{
	unsigned char rnd[9];
	char hash[ATTT_TOKEN_HASH_SIZE];
	int r;

	/* R6.1.c: 256-bit random session IDs, stored hashed. */
	r = attt_token_new(ATTT_TOKEN_SESSION, c->rng, res->session);
	if (r < 0)
		return r;
	r = attt_token_hash(c->key, ATTT_TOKEN_SESSION, res->session, strlen(res->session), hash);
	if (r < 0)
		return r;
	r = attt_csrf_token(c->key, res->session, strlen(res->session), res->csrf);
	if (r < 0)
		return r;
	if (c->rng)
		attt_random(c->rng, rnd, sizeof(rnd));
	else
		randombytes_buf(rnd, sizeof(rnd));
	sodium_bin2base64(res->ref, sizeof(res->ref), rnd, sizeof(rnd), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	return attt__acct_exec(c->db,
			       "INSERT INTO session (token_hash, ref, account_id, created_at, last_used_at, source, user_agent) "
			       "VALUES (?, ?, ?, ?, ?, ?, ?)",
			       "ttiiitt", hash, res->ref, account_id, now, now, in->source,
			       in->user_agent && strlen(in->user_agent) <= 256 && attt_utf8_valid(in->user_agent, strlen(in->user_agent))
				       ? in->user_agent
				       : NULL);
}

static int login_fn(struct attt_db *db, void *arg)
{
	struct login_tx *t = arg;
	const struct attt_auth_ctx *c = t->c;
	int64_t now = attt__acct_now(c);
	struct attt_actor actor = {0, 0, 0, t->given, NULL, t->in->source};
	struct attt_account a;
	const char *reason = NULL;
	bool locked_now = false;
	int r;

	t->mfa_needed = false;
	if (!t->s) {
		/* The fresh read an existing account gets below, on the decoy row (no enumeration). */
		(void)attt__acct_read(db, DECOY_ACCOUNT_ID, NULL, &a);
		r = attt__acct_audit(c, &actor, ATTT_AUDIT_AUTH, "auth.login", NULL, 0, 0, ATTT_AUDIT_FAILURE, "R7.2",
				     json_pack("{s:s, s:s}", "username", t->given, "reason", "unknown"));
		return r < 0 ? r : 1; /* commit the event, answer failure */
	}
	/* A fresh read: another login may have counted a failure since. */
	r = attt__acct_read(db, t->s->a.id, NULL, &a);
	if (r < 0)
		return r;
	actor.account_id = a.id;
	actor.person_id = a.person_id;
	actor.agency_id = a.agency_id;
	actor.username = a.username;
	if (attt_lockout_refresh(&a.lockout, now)) {
		/* R6.2.b: the lock lifted by itself. */
		r = attt__acct_exec(db, "UPDATE account SET failures = 0, locked_until = 0 WHERE id = ?", "i", a.id);
		if (r == ATTT_OK)
			r = attt__acct_audit(c, NULL, ATTT_AUDIT_AUTH, "auth.unlock", "account", a.id, a.agency_id,
					     ATTT_AUDIT_SUCCESS, "R6.2.b", json_pack("{s:s, s:s}", "username", a.username, "by", "time"));
		if (r < 0)
			return r;
	}
	if (attt_lockout_is_locked(&a.lockout, now)) {
		reason = "locked"; /* R6.2.b: nothing is counted while locked */
	} else if (strcmp(a.status, "disabled") == 0) {
		reason = "disabled";
	} else if (a.end_at && now >= a.end_at) {
		reason = "ended"; /* R19 */
	} else if (!t->pw_ok) {
		reason = "password";
	} else if (t->s->totp_sealed && !t->mfa_given) {
		reason = "mfa_required";
		t->mfa_needed = true;
	} else if (t->s->totp_sealed && !t->mfa_ok) {
		reason = "mfa";
	}
	if (reason) {
		if (strcmp(reason, "password") == 0 || strcmp(reason, "mfa") == 0) {
			/* R6.2.b: count consecutive failures; lock at the threshold. */
			attt_lockout_fail(&c->policy->lockout, &a.lockout, now, &locked_now);
			r = attt__acct_exec(db, "UPDATE account SET failures = ?, locked_until = ? WHERE id = ?", "iii",
					    (int64_t)a.lockout.failures, a.lockout.locked_until, a.id);
			if (r < 0)
				return r;
		}
		r = attt__acct_audit(c, &actor, ATTT_AUDIT_AUTH, "auth.login", "account", a.id, a.agency_id,
				     ATTT_AUDIT_FAILURE, "R7.2", json_pack("{s:s, s:s}", "username", a.username, "reason", reason));
		if (r == ATTT_OK && locked_now) {
			r = attt__acct_audit(c, NULL, ATTT_AUDIT_AUTH, "auth.lockout", "account", a.id, a.agency_id,
					     ATTT_AUDIT_SUCCESS, "R6.2.b",
					     json_pack("{s:s, s:i, s:I}", "username", a.username, "failures", a.lockout.failures,
						       "until", (json_int_t)a.lockout.locked_until));
			if (r == ATTT_OK)
				r = notify_lock(c, &a, now);
			if (r == ATTT_OK)
				r = attt__acct_end_all(c, a.id, "locked");
		}
		/* Commit the count and the events, but answer failure. */
		return r < 0 ? r : 1;
	}
	/* Success. */
	attt_lockout_success(&a.lockout);
	r = attt__acct_exec(db, "UPDATE account SET failures = 0, locked_until = 0, last_login_at = ? WHERE id = ?", "ii",
			    now, a.id);
	if (r == ATTT_OK && t->new_step)
		r = attt__acct_exec(db, "UPDATE account SET totp_last_step = ? WHERE id = ?", "ii", t->new_step, a.id);
	if (r == ATTT_OK && t->recovery_id)
		r = attt__acct_exec(db, "UPDATE recovery_code SET used_at = ? WHERE id = ? AND used_at = 0", "ii", now,
				    t->recovery_id);
	if (r < 0)
		return r;
	memset(&t->res, 0, sizeof(t->res));
	t->res.account_id = a.id;
	r = new_session(c, a.id, t->in, &t->res, now);
	if (r < 0)
		return r;
	actor.session = t->res.ref;
	/* R6.1.đ: expiry and warning; R6.1.a: temporary passwords. */
	r = attt_password_age(&c->policy->password, a.password_set_at, now, &t->res.password_days_left, &t->res.password_warn);
	t->res.password_expired = r == ATTT_E_EXPIRED;
	t->res.must_change_password = a.must_change_password || t->res.password_expired;
	t->res.must_acknowledge = strcmp(a.status, "pending") == 0;
	t->res.mfa_enrol_required = t->role_mfa && !t->s->totp_sealed;
	return attt__acct_audit(c, &actor, ATTT_AUDIT_AUTH, "auth.login", "account", a.id, a.agency_id, ATTT_AUDIT_SUCCESS,
				"R7.2", json_pack("{s:s, s:s}", "username", a.username, "session", t->res.ref));
}

/* Checks the second factor: a TOTP code, or a recovery code. */
static int check_mfa(const struct attt_auth_ctx *c, struct login_tx *t)
{
	char *secret = NULL, hash[ATTT_TOKEN_HASH_SIZE];
	size_t n = strlen(t->in->totp);
	int r;

	t->mfa_given = n > 0;
	if (!t->mfa_given)
		return ATTT_OK;
	if (n == ATTT_TOTP_DIGITS) {
		r = attt_auth_key_open(c->key, t->s->totp_sealed, &secret);
		if (r < 0)
			return r == ATTT_E_NOMEM ? r : ATTT_OK;
		t->mfa_ok = attt_totp_verify(secret, t->in->totp, n, attt__acct_now(c), t->s->totp_last_step,
					     &t->new_step) == ATTT_OK;
		sodium_memzero(secret, strlen(secret));
		free(secret);
		return ATTT_OK;
	}
	if (attt_recovery_code_hash(c->key, t->in->totp, n, hash) == ATTT_OK) {
		r = attt__acct_int(c->db, &t->recovery_id,
				   "SELECT id FROM recovery_code WHERE account_id = ? AND code_hash = ? AND used_at = 0", "it",
				   t->s->a.id, hash);
		if (r == ATTT_OK)
			t->mfa_ok = true;
		else if (r != ATTT_E_NOTFOUND)
			return r;
	}
	return ATTT_OK;
}

int attt_auth_login(const struct attt_auth_ctx *c, const struct attt_login *in, struct attt_login_result *ret,
		    bool *ret_mfa_needed)
{
	char norm[ATTT_USERNAME_MAX + 1];
	struct acct_secret s;
	struct login_tx t;
	bool known = false;
	int r;

	memset(&t, 0, sizeof(t));
	t.c = c;
	t.in = in;
	if (ret_mfa_needed)
		*ret_mfa_needed = false;
	/* An over-long password fails verification like any wrong one (and is audited like one). */
	if (!in->password)
		return ATTT_E_AUTH;
	memset(&s, 0, sizeof(s));
	if (in->username && attt_account_username_norm(in->username, false, norm) == ATTT_OK) {
		r = read_secret(c->db, 0, norm, &s);
		if (r < 0 && r != ATTT_E_NOTFOUND)
			goto out;
		known = r == ATTT_OK && s.hash[0];
		t.given = norm;
	} else {
		t.given = "(invalid)";
	}
	if (known) {
		t.s = &s;
		t.pw_ok = attt_password_verify(s.hash, in->password, in->password_len) == ATTT_OK;
		if (t.pw_ok && s.totp_sealed && in->totp) {
			r = check_mfa(c, &t);
			if (r < 0)
				goto out;
		}
		r = mfa_required_by_role(c, s.a.id, &t.role_mfa);
		if (r < 0)
			goto out;
	} else {
		/* No enumeration: an unknown user costs one Argon2id verification too, and the same
		 * indexed reads as an existing account (its secret, its grants), made on the decoy row
		 * and thrown away, so that the answer's time does not tell the two apart. */
		struct acct_secret decoy;
		bool unused_mfa = false;
		(void)attt_password_verify_dummy(&c->policy->password, in->password, in->password_len);
		if (read_secret(c->db, DECOY_ACCOUNT_ID, NULL, &decoy) == ATTT_OK)
			(void)mfa_required_by_role(c, DECOY_ACCOUNT_ID, &unused_mfa);
		secret_done(&decoy);
	}
	r = attt__acct_tx(c->db, login_fn, &t);
	if (r == 1 || r == ATTT_E_AUTH) {
		if (ret_mfa_needed)
			*ret_mfa_needed = t.mfa_needed;
		r = ATTT_E_AUTH;
		goto out;
	}
	if (r < 0)
		goto out;
	/* Raised parameters: rehash now that the password is known good. */
	if (attt_password_needs_rehash(&c->policy->password, s.hash)) {
		char h[ATTT_PASSWORD_HASH_SIZE];
		if (attt_password_hash(&c->policy->password, in->password, in->password_len, h) == ATTT_OK)
			(void)attt__acct_exec(c->db, "UPDATE account SET password_hash = ? WHERE id = ? AND password_hash = ?",
					      "tit", h, s.a.id, s.hash);
	}
	*ret = t.res;
out:
	sodium_memzero(&t.res, sizeof(t.res));
	secret_done(&s);
	return r;
}

/* --- sessions --------------------------------------------------------------------------------- */

static int fill_principal(const struct attt_auth_ctx *c, const struct attt_account *a, struct attt_principal *p)
{
	bool role_mfa = false;
	int r;

	p->account_id = a->id;
	p->person_id = a->person_id;
	p->agency_id = a->agency_id;
	memcpy(p->username, a->username, sizeof(p->username));
	p->must_change_password = a->must_change_password ||
				  attt_password_age(&c->policy->password, a->password_set_at, attt__acct_now(c), NULL, NULL) ==
					  ATTT_E_EXPIRED;
	p->must_acknowledge = strcmp(a->status, "pending") == 0;
	r = attt_account_grants(c, a->id, p->grants, ATTT_PRINCIPAL_MAX_GRANTS, &p->n_grants);
	if (r < 0)
		return r;
	for (size_t i = 0; i < p->n_grants; i++)
		if (c->policy->mfa_roles & (1u << p->grants[i].role))
			role_mfa = true;
	p->mfa_enrol_required = role_mfa && !a->mfa_enabled;
	return ATTT_OK;
}

struct expire_tx {
	const struct attt_auth_ctx *c;
	int64_t session_id, account_id, agency_id;
	const char *reason, *ref, *username;
};

static int expire_fn(struct attt_db *db, void *arg)
{
	struct expire_tx *t = arg;
	int r = attt__acct_exec(db, "UPDATE session SET ended_at = ?, end_reason = ? WHERE id = ? AND ended_at = 0", "iti",
				attt__acct_now(t->c), t->reason, t->session_id);
	if (r < 0 || attt_db_changes(db) == 0)
		return r;
	return attt__acct_audit(t->c, NULL, ATTT_AUDIT_AUTH, "session.expire", "account", t->account_id, t->agency_id,
				ATTT_AUDIT_SUCCESS, "R6.1.c",
				json_pack("{s:s, s:s, s:s}", "username", t->username, "session", t->ref, "reason", t->reason));
}

int attt_auth_session_check(const struct attt_auth_ctx *c, const char *tok, size_t n, struct attt_principal *ret)
{
	char hash[ATTT_TOKEN_HASH_SIZE], ref[ATTT_SESSION_REF_SIZE];
	struct attt_stmt *st = NULL;
	struct attt_principal p;
	struct attt_account a;
	int64_t sid = 0, account_id = 0, created = 0, last = 0, ended = 0, now = attt__acct_now(c);
	int r;

	if (attt_token_check_shape(ATTT_TOKEN_SESSION, tok, n) < 0)
		return ATTT_E_AUTH;
	r = attt_token_hash(c->key, ATTT_TOKEN_SESSION, tok, n, hash);
	if (r < 0)
		return r;
	r = attt__acct_prep(c->db, &st,
			    "SELECT id, account_id, created_at, last_used_at, ended_at, ref FROM session WHERE token_hash = ?",
			    "t", hash);
	if (r < 0)
		return r;
	r = attt_stmt_step(st);
	if (r > 0) {
		sid = attt_stmt_int64(st, 0);
		account_id = attt_stmt_int64(st, 1);
		created = attt_stmt_int64(st, 2);
		last = attt_stmt_int64(st, 3);
		ended = attt_stmt_int64(st, 4);
		r = attt_str_copy(ref, sizeof(ref), attt_stmt_text(st, 5));
	} else if (r == 0) {
		r = ATTT_E_AUTH;
	}
	attt_stmt_finalize(st);
	if (r < 0)
		return r;
	if (ended)
		return ATTT_E_AUTH;
	r = attt__acct_read(c->db, account_id, NULL, &a);
	if (r < 0)
		return r == ATTT_E_NOTFOUND ? ATTT_E_AUTH : r;
	/* R6.1.c: idle and absolute expiry. */
	if (attt_session_expired(&c->policy->session, created, last, now) || strcmp(a.status, "disabled") == 0 ||
	    attt_lockout_is_locked(&a.lockout, now)) {
		struct expire_tx t = {c, sid, a.id, a.agency_id,
				      strcmp(a.status, "disabled") == 0		 ? "disabled"
				      : attt_lockout_is_locked(&a.lockout, now) ? "locked"
				      : now - last >= c->policy->session.idle_us ? "idle"
										  : "absolute",
				      ref, a.username};
		r = attt__acct_tx(c->db, expire_fn, &t);
		return r < 0 ? r : ATTT_E_AUTH;
	}
	if (now - last >= TOUCH_US) {
		r = attt__acct_exec(c->db, "UPDATE session SET last_used_at = ? WHERE id = ?", "ii", now, sid);
		if (r < 0)
			return r;
	}
	memset(&p, 0, sizeof(p));
	r = fill_principal(c, &a, &p);
	if (r < 0)
		return r;
	p.session_id = sid;
	p.scopes = ~0u;
	memcpy(p.ref, ref, sizeof(ref));
	*ret = p;
	return ATTT_OK;
}

void attt_principal_actor(const struct attt_principal *p, const char *source, struct attt_actor *ret)
{
	ret->account_id = p->account_id;
	ret->person_id = p->person_id;
	ret->agency_id = p->agency_id;
	ret->username = p->username;
	ret->session = p->ref[0] ? p->ref : NULL;
	ret->source = source;
}

int attt_principal_can(const struct attt_auth_ctx *c, const struct attt_principal *p, enum attt_perm perm,
		       int64_t object_agency, bool *ret)
{
	if (p->api_token_id && !(p->scopes & (1u << perm))) {
		*ret = false;
		return ATTT_OK;
	}
	/* Until the rules are acknowledged (R5.1), the password changed (R6.1.a, R6.1.đ) and a required
	 * second factor enrolled, an account acts on itself only. */
	if ((p->must_acknowledge || p->must_change_password || p->mfa_enrol_required) && perm != ATTT_PERM_SELF) {
		*ret = false;
		return ATTT_OK;
	}
	if (perm == ATTT_PERM_SELF) {
		*ret = true;
		return ATTT_OK;
	}
	return attt_acl_check(p->grants, p->n_grants, perm, object_agency, attt_account_agency_within, c->db, ret);
}

struct end_tx {
	const struct attt_auth_ctx *c;
	const struct attt_actor *actor;
	int64_t account_id, agency_id;
	const char *ref, *action, *reason;
};

static int end_fn(struct attt_db *db, void *arg)
{
	struct end_tx *t = arg;
	int r = attt__acct_exec(db,
				"UPDATE session SET ended_at = ?, end_reason = ? WHERE account_id = ? AND ref = ? AND ended_at = 0",
				"itit", attt__acct_now(t->c), t->reason, t->account_id, t->ref);
	if (r < 0)
		return r;
	if (attt_db_changes(db) == 0)
		return ATTT_E_NOTFOUND;
	return attt__acct_audit(t->c, t->actor, strcmp(t->action, "auth.logout") == 0 ? ATTT_AUDIT_AUTH : ATTT_AUDIT_ACCESS,
				t->action, "account", t->account_id, t->agency_id, ATTT_AUDIT_SUCCESS, "R6.1.c",
				json_pack("{s:s}", "session", t->ref));
}

int attt_auth_logout(const struct attt_auth_ctx *c, const struct attt_principal *p, const char *source)
{
	struct attt_actor actor;
	attt_principal_actor(p, source, &actor);
	struct end_tx t = {c, &actor, p->account_id, p->agency_id, p->ref, "auth.logout", "logout"};
	if (!p->session_id)
		return ATTT_E_STATE;
	return attt__acct_tx(c->db, end_fn, &t);
}

int attt_auth_session_end(const struct attt_auth_ctx *c, const struct attt_actor *actor, int64_t account_id,
			  const char *ref)
{
	struct attt_account a;
	int r = attt__acct_read(c->db, account_id, NULL, &a);
	if (r < 0)
		return r;
	struct end_tx t = {c, actor, account_id, a.agency_id, ref, "session.end", "ended"};
	if (!ref || strlen(ref) != ATTT_SESSION_REF_SIZE - 1)
		return ATTT_E_NOTFOUND;
	return attt__acct_tx(c->db, end_fn, &t);
}

static json_t *time_json(int64_t t)
{
	char buf[32];
	if (t <= 0 || attt_time_iso(t, buf, sizeof(buf)) < 0)
		return json_null();
	return json_string(buf);
}

int attt_auth_sessions_json(const struct attt_auth_ctx *c, int64_t account_id, const char *cur_ref, json_t **ret)
{
	struct attt_stmt *st = NULL;
	json_t *arr = json_array();
	int64_t now = attt__acct_now(c);
	int r;

	if (!arr)
		return ATTT_E_NOMEM;
	r = attt__acct_prep(c->db, &st,
			    "SELECT ref, created_at, last_used_at, source, user_agent FROM session WHERE account_id = ? AND "
			    "ended_at = 0 ORDER BY id DESC LIMIT ?",
			    "ii", account_id, (int64_t)ATTT_HTTP_MAX_PAGE);
	while (r >= 0 && (r = attt_stmt_step(st)) > 0) {
		const char *ref = attt_stmt_text(st, 0), *src = attt_stmt_text(st, 3), *ua = attt_stmt_text(st, 4);
		int64_t created = attt_stmt_int64(st, 1), last = attt_stmt_int64(st, 2);
		/* Expired but not yet noticed: not shown as open. */
		if (attt_session_expired(&c->policy->session, created, last, now))
			continue;
		json_array_append_new(arr, json_pack("{s:s, s:o, s:o, s:o, s:o, s:b}", "ref", ref, "created_at",
						     time_json(created), "last_used_at", time_json(last), "source",
						     src ? json_string(src) : json_null(), "user_agent",
						     ua ? json_string(ua) : json_null(), "current",
						     cur_ref && strcmp(cur_ref, ref) == 0));
	}
	attt_stmt_finalize(st);
	if (r < 0) {
		json_decref(arr);
		return r;
	}
	*ret = arr;
	return ATTT_OK;
}

/* --- API tokens ---------------------------------------------------------------------------------- */

struct token_tx {
	const struct attt_auth_ctx *c;
	const struct attt_actor *actor;
	int64_t account_id, expires_at;
	const char *name, *hash;
	unsigned scopes;
};

static int token_fn(struct attt_db *db, void *arg)
{
	struct token_tx *t = arg;
	struct attt_account a;
	char scopes[512] = "";
	size_t off = 0;
	int r = attt__acct_read(db, t->account_id, NULL, &a);
	if (r < 0)
		return r;
	if (strcmp(a.status, "active") != 0)
		return ATTT_E_STATE;
	for (int p = 0; p < ATTT_PERM_COUNT; p++)
		if (t->scopes & (1u << p)) {
			r = attt_str_printf(scopes + off, sizeof(scopes) - off, "%s%s", off ? " " : "", attt_perm_name(p));
			if (r < 0)
				return r;
			off += strlen(scopes + off);
		}
	r = attt__acct_exec(db, "INSERT INTO api_token (token_hash, account_id, name, scopes, created_at, expires_at) "
				"VALUES (?, ?, ?, ?, ?, ?)",
			    "tittii", t->hash, t->account_id, t->name, scopes, attt__acct_now(t->c), t->expires_at);
	if (r < 0)
		return r;
	return attt__acct_audit(t->c, t->actor, ATTT_AUDIT_ACCESS, "token.create", "account", a.id, a.agency_id,
				ATTT_AUDIT_SUCCESS, "R7.2",
				json_pack("{s:s, s:s, s:s, s:I}", "username", a.username, "name", t->name, "scopes", scopes,
					  "expires_at", (json_int_t)t->expires_at));
}

int attt_auth_token_create(const struct attt_auth_ctx *c, const struct attt_actor *actor, int64_t account_id,
			   const char *name, unsigned scopes, int64_t expires_at, char ret_token[ATTT_TOKEN_SIZE])
{
	char tok[ATTT_TOKEN_SIZE], hash[ATTT_TOKEN_HASH_SIZE];
	struct token_tx t = {c, actor, account_id, expires_at, name, hash, scopes};
	int r;

	if (!name || !*name || strlen(name) > ATTT_MAX_SHORT_TEXT || !attt_utf8_valid(name, strlen(name)) || !scopes ||
	    expires_at <= attt__acct_now(c))
		return ATTT_E_INVAL;
	r = attt_token_new(ATTT_TOKEN_API, c->rng, tok);
	if (r == ATTT_OK)
		r = attt_token_hash(c->key, ATTT_TOKEN_API, tok, strlen(tok), hash);
	if (r == ATTT_OK)
		r = attt__acct_tx(c->db, token_fn, &t);
	if (r == ATTT_OK)
		memcpy(ret_token, tok, sizeof(tok));
	sodium_memzero(tok, sizeof(tok));
	return r;
}

int attt_auth_token_check(const struct attt_auth_ctx *c, const char *tok, size_t n, struct attt_principal *ret)
{
	char hash[ATTT_TOKEN_HASH_SIZE], *scopes = NULL;
	struct attt_stmt *st = NULL;
	struct attt_principal p;
	struct attt_account a;
	int64_t tid = 0, account_id = 0, expires = 0, revoked = 0, now = attt__acct_now(c);
	int r;

	if (attt_token_check_shape(ATTT_TOKEN_API, tok, n) < 0)
		return ATTT_E_AUTH;
	r = attt_token_hash(c->key, ATTT_TOKEN_API, tok, n, hash);
	if (r < 0)
		return r;
	r = attt__acct_prep(c->db, &st, "SELECT id, account_id, expires_at, revoked_at, scopes FROM api_token WHERE token_hash = ?",
			    "t", hash);
	if (r < 0)
		return r;
	r = attt_stmt_step(st);
	if (r > 0) {
		tid = attt_stmt_int64(st, 0);
		account_id = attt_stmt_int64(st, 1);
		expires = attt_stmt_int64(st, 2);
		revoked = attt_stmt_int64(st, 3);
		scopes = strdup(attt_stmt_text(st, 4));
		r = scopes ? ATTT_OK : ATTT_E_NOMEM;
	} else if (r == 0) {
		r = ATTT_E_AUTH;
	}
	attt_stmt_finalize(st);
	if (r < 0)
		goto out;
	if (revoked || now >= expires) {
		r = ATTT_E_AUTH;
		goto out;
	}
	r = attt__acct_read(c->db, account_id, NULL, &a);
	if (r < 0 || strcmp(a.status, "active") != 0 || attt_lockout_is_locked(&a.lockout, now)) {
		r = r == ATTT_E_NOMEM ? r : ATTT_E_AUTH;
		goto out;
	}
	memset(&p, 0, sizeof(p));
	r = fill_principal(c, &a, &p);
	if (r < 0)
		goto out;
	p.api_token_id = tid;
	for (char *w = scopes, *sp; w && *w; w = sp ? sp + 1 : NULL) {
		enum attt_perm perm;
		sp = strchr(w, ' ');
		if (sp)
			*sp = '\0';
		if (attt_perm_parse(w, &perm) == ATTT_OK)
			p.scopes |= 1u << perm;
	}
	(void)attt__acct_exec(c->db, "UPDATE api_token SET last_used_at = ? WHERE id = ?", "ii", now, tid);
	*ret = p;
out:
	free(scopes);
	return r;
}

/* --- passwords --------------------------------------------------------------------------------- */

/* R6.1.đ: the rule, the names and the last N passwords. */
static int check_new_password(const struct attt_auth_ctx *c, const struct attt_account *a, const char *next,
			      size_t next_len, unsigned *ret_failed)
{
	const char *hist[24];
	struct attt_stmt *st = NULL;
	char *name = NULL;
	unsigned failed = 0;
	size_t nh = 0;
	bool reused = false;
	int r;

	r = attt__acct_person_name(c->db, a->person_id, &name);
	if (r < 0 && r != ATTT_E_NOTFOUND)
		return r;
	r = attt_password_check(&c->policy->password, next, next_len, a->username, name, &failed);
	free(name);
	if (r < 0 && r != ATTT_E_POLICY)
		return r;
	if (!failed && c->policy->password.history > 0) {
		r = attt__acct_prep(c->db, &st, "SELECT hash FROM password_history WHERE account_id = ? ORDER BY id DESC LIMIT ?",
				    "ii", a->id, (int64_t)c->policy->password.history);
		while (r >= 0 && (r = attt_stmt_step(st)) > 0 && nh < 24) {
			hist[nh] = strdup(attt_stmt_text(st, 0));
			if (!hist[nh]) {
				r = ATTT_E_NOMEM;
				break;
			}
			nh++;
		}
		attt_stmt_finalize(st);
		if (r >= 0)
			r = attt_password_in_history(hist, nh, next, next_len, &reused);
		for (size_t i = 0; i < nh; i++)
			free((char *)hist[i]);
		if (r < 0)
			return r;
		if (reused)
			failed |= ATTT_PASSWORD_REUSED;
	}
	if (ret_failed)
		*ret_failed = failed;
	return failed ? ATTT_E_POLICY : ATTT_OK;
}

struct pwc_tx {
	const struct attt_auth_ctx *c;
	const struct attt_actor *actor;
	struct attt_account *a;
	const char *hash;  /* NULL: a wrong current password */
	int64_t reset_id;  /* redeem: the reset row */
	int64_t keep_session;
};

static int pwc_fn(struct attt_db *db, void *arg)
{
	struct pwc_tx *t = arg;
	const struct attt_auth_ctx *c = t->c;
	int64_t now = attt__acct_now(c);
	bool locked_now = false;
	int r;

	if (!t->hash) {
		struct attt_account a;
		r = attt__acct_read(db, t->a->id, NULL, &a);
		if (r < 0)
			return r;
		/* R6.2.b: a wrong current password counts like a failed login. */
		attt_lockout_fail(&c->policy->lockout, &a.lockout, now, &locked_now);
		r = attt__acct_exec(db, "UPDATE account SET failures = ?, locked_until = ? WHERE id = ?", "iii",
				    (int64_t)a.lockout.failures, a.lockout.locked_until, a.id);
		if (r == ATTT_OK)
			r = attt__acct_audit(c, t->actor, ATTT_AUDIT_AUTH, "auth.password_change", "account", a.id, a.agency_id,
					     ATTT_AUDIT_FAILURE, "R6.1.đ", json_pack("{s:s, s:s}", "username", a.username, "reason", "current"));
		if (r == ATTT_OK && locked_now) {
			r = attt__acct_audit(c, NULL, ATTT_AUDIT_AUTH, "auth.lockout", "account", a.id, a.agency_id,
					     ATTT_AUDIT_SUCCESS, "R6.2.b", json_pack("{s:s}", "username", a.username));
			if (r == ATTT_OK)
				r = notify_lock(c, &a, now);
			if (r == ATTT_OK)
				r = attt__acct_end_all(c, a.id, "locked");
		}
		return r < 0 ? r : 1;
	}
	r = attt__acct_store_password(c, t->a->id, t->hash, false);
	if (r < 0)
		return r;
	if (t->reset_id) {
		r = attt__acct_exec(db, "UPDATE password_reset SET used_at = ? WHERE id = ? AND used_at = 0", "ii", now, t->reset_id);
		if (r < 0)
			return r;
		if (attt_db_changes(db) == 0)
			return ATTT_E_AUTH; /* used meanwhile */
		/* R6.2.b: a successful reset also clears the lock; other sessions end. */
		r = attt__acct_exec(db, "UPDATE account SET failures = 0, locked_until = 0 WHERE id = ?", "i", t->a->id);
		if (r == ATTT_OK)
			r = attt__acct_end_all(c, t->a->id, "reset");
	} else {
		r = attt__acct_exec(db, "UPDATE account SET failures = 0 WHERE id = ?", "i", t->a->id);
		/* Other sessions end: whoever knew the old password is out. */
		if (r == ATTT_OK)
			r = attt__acct_exec(db, "UPDATE session SET ended_at = ?, end_reason = 'password' WHERE account_id = ? "
						"AND ended_at = 0 AND id <> ?",
					    "iii", now, t->a->id, t->keep_session);
	}
	if (r < 0)
		return r;
	return attt__acct_audit(c, t->actor, ATTT_AUDIT_AUTH, t->reset_id ? "auth.reset_redeem" : "auth.password_change",
				"account", t->a->id, t->a->agency_id, ATTT_AUDIT_SUCCESS, "R6.1.đ",
				json_pack("{s:s}", "username", t->a->username));
}

int attt_auth_password_change(const struct attt_auth_ctx *c, const struct attt_actor *actor, int64_t account_id,
			      const char *current, size_t current_len, const char *next, size_t next_len,
			      unsigned *ret_failed)
{
	struct acct_secret s;
	char hash[ATTT_PASSWORD_HASH_SIZE];
	struct pwc_tx t = {c, actor, &s.a, NULL, 0, 0};
	unsigned failed = 0;
	int r;

	r = read_secret(c->db, account_id, NULL, &s);
	if (r < 0)
		goto out;
	if (strcmp(s.a.status, "disabled") == 0 || attt_lockout_is_locked(&s.a.lockout, attt__acct_now(c))) {
		r = ATTT_E_AUTH;
		goto out;
	}
	t.keep_session = 0;
	if (actor && actor->session) {
		int64_t sid;
		if (attt__acct_int(c->db, &sid, "SELECT id FROM session WHERE ref = ?", "t", actor->session) == ATTT_OK)
			t.keep_session = sid;
	}
	if (!current || attt_password_verify(s.hash, current, current_len) != ATTT_OK) {
		r = attt__acct_tx(c->db, pwc_fn, &t);
		r = r == 1 || r == ATTT_OK ? ATTT_E_AUTH : r;
		goto out;
	}
	r = check_new_password(c, &s.a, next, next_len, &failed);
	if (r == ATTT_E_POLICY && ret_failed)
		*ret_failed = failed;
	if (r < 0)
		goto out;
	r = attt_password_hash(&c->policy->password, next, next_len, hash);
	if (r < 0)
		goto out;
	t.hash = hash;
	r = attt__acct_tx(c->db, pwc_fn, &t);
out:
	secret_done(&s);
	return r;
}

int attt_auth_reset_redeem(const struct attt_auth_ctx *c, const char *tok, size_t n, const char *next,
			   size_t next_len, unsigned *ret_failed)
{
	static const struct attt_actor reset_actor = {0, 0, 0, "reset", NULL, NULL};
	char th[ATTT_TOKEN_HASH_SIZE], hash[ATTT_PASSWORD_HASH_SIZE];
	struct attt_account a;
	struct pwc_tx t = {c, &reset_actor, &a, NULL, 0, 0};
	int64_t rid = 0, account_id = 0;
	unsigned failed = 0;
	int r;

	if (attt_token_check_shape(ATTT_TOKEN_RESET, tok, n) < 0)
		return ATTT_E_AUTH;
	r = attt_token_hash(c->key, ATTT_TOKEN_RESET, tok, n, th);
	if (r < 0)
		return r;
	r = attt__acct_int(c->db, &rid, "SELECT id FROM password_reset WHERE token_hash = ? AND used_at = 0 AND expires_at > ?",
			   "ti", th, attt__acct_now(c));
	if (r == ATTT_E_NOTFOUND)
		return ATTT_E_AUTH;
	if (r < 0)
		return r;
	r = attt__acct_int(c->db, &account_id, "SELECT account_id FROM password_reset WHERE id = ?", "i", rid);
	if (r == ATTT_OK)
		r = attt__acct_read(c->db, account_id, NULL, &a);
	if (r < 0)
		return r;
	if (strcmp(a.status, "disabled") == 0)
		return ATTT_E_AUTH;
	r = check_new_password(c, &a, next, next_len, &failed);
	if (r == ATTT_E_POLICY && ret_failed)
		*ret_failed = failed;
	if (r < 0)
		return r;
	r = attt_password_hash(&c->policy->password, next, next_len, hash);
	if (r < 0)
		return r;
	t.hash = hash;
	t.reset_id = rid;
	return attt__acct_tx(c->db, pwc_fn, &t);
}

/* --- TOTP enrolment ------------------------------------------------------------------------------- */

struct mfa_begin_tx {
	const struct attt_auth_ctx *c;
	const struct attt_actor *actor;
	const struct attt_account *a;
	const char *sealed;
};

/* R7.2: the pending secret and its event in one transaction (the secret never in the summary). */
static int mfa_begin_fn(struct attt_db *db, void *arg)
{
	struct mfa_begin_tx *t = arg;
	int r = attt__acct_exec(db, "UPDATE account SET totp_pending = ? WHERE id = ?", "ti", t->sealed, t->a->id);
	if (r < 0)
		return r;
	return attt__acct_audit(t->c, t->actor, ATTT_AUDIT_AUTH, "mfa.begin", "account", t->a->id, t->a->agency_id,
				ATTT_AUDIT_SUCCESS, "R7.2", json_pack("{s:s}", "username", t->a->username));
}

int attt_auth_mfa_begin(const struct attt_auth_ctx *c, const struct attt_actor *actor, int64_t account_id,
			char ret_secret[ATTT_TOTP_SECRET_B32_SIZE], char **ret_uri)
{
	char secret[ATTT_TOTP_SECRET_B32_SIZE], *sealed = NULL, *uri = NULL;
	struct attt_account a;
	struct mfa_begin_tx t = {c, actor, &a, NULL};
	int r;

	r = attt__acct_read(c->db, account_id, NULL, &a);
	if (r < 0)
		return r;
	r = attt_totp_secret_new(c->rng, secret);
	if (r == ATTT_OK)
		r = attt_auth_key_seal(c->key, secret, &sealed);
	if (r == ATTT_OK)
		r = attt_totp_uri(secret, a.username, &uri);
	if (r == ATTT_OK) {
		t.sealed = sealed;
		r = attt__acct_tx(c->db, mfa_begin_fn, &t);
	}
	if (r == ATTT_OK) {
		memcpy(ret_secret, secret, sizeof(secret));
		*ret_uri = uri;
		uri = NULL;
	}
	free(uri);
	free(sealed);
	sodium_memzero(secret, sizeof(secret));
	return r;
}

struct mfa_tx {
	const struct attt_auth_ctx *c;
	const struct attt_actor *actor;
	struct attt_account *a;
	const char *sealed;
	int64_t step;
	char (*codes)[ATTT_RECOVERY_CODE_SIZE];
};

static int mfa_fn(struct attt_db *db, void *arg)
{
	struct mfa_tx *t = arg;
	int r = attt__acct_exec(db, "UPDATE account SET totp_secret = ?, totp_pending = NULL, totp_last_step = ? WHERE id = ?",
				"tii", t->sealed, t->step, t->a->id);
	if (r == ATTT_OK)
		r = attt__acct_exec(db, "DELETE FROM recovery_code WHERE account_id = ?", "i", t->a->id);
	for (int i = 0; r == ATTT_OK && i < ATTT_RECOVERY_CODES; i++) {
		char h[ATTT_TOKEN_HASH_SIZE];
		r = attt_recovery_code_new(t->c->rng, t->codes[i]);
		if (r == ATTT_OK)
			r = attt_recovery_code_hash(t->c->key, t->codes[i], strlen(t->codes[i]), h);
		if (r == ATTT_OK)
			r = attt__acct_exec(db, "INSERT INTO recovery_code (account_id, code_hash) VALUES (?, ?)", "it", t->a->id, h);
	}
	if (r < 0)
		return r;
	return attt__acct_audit(t->c, t->actor, ATTT_AUDIT_AUTH, "mfa.enrol", "account", t->a->id, t->a->agency_id,
				ATTT_AUDIT_SUCCESS, "R7.2", json_pack("{s:s}", "username", t->a->username));
}

int attt_auth_mfa_confirm(const struct attt_auth_ctx *c, const struct attt_actor *actor, int64_t account_id,
			  const char *code, char ret_codes[ATTT_RECOVERY_CODES][ATTT_RECOVERY_CODE_SIZE])
{
	char codes[ATTT_RECOVERY_CODES][ATTT_RECOVERY_CODE_SIZE], *pending = NULL, *secret = NULL;
	struct attt_stmt *st = NULL;
	struct attt_account a;
	struct mfa_tx t = {c, actor, &a, NULL, 0, codes};
	int r;

	r = attt__acct_read(c->db, account_id, NULL, &a);
	if (r < 0)
		return r;
	r = attt__acct_prep(c->db, &st, "SELECT totp_pending FROM account WHERE id = ? AND totp_pending IS NOT NULL", "i",
			    account_id);
	if (r < 0)
		return r;
	r = attt_stmt_step(st);
	if (r > 0)
		r = (pending = strdup(attt_stmt_text(st, 0))) ? ATTT_OK : ATTT_E_NOMEM;
	else if (r == 0)
		r = ATTT_E_STATE;
	attt_stmt_finalize(st);
	if (r < 0)
		return r;
	r = attt_auth_key_open(c->key, pending, &secret);
	if (r < 0)
		goto out;
	r = attt_totp_verify(secret, code, code ? strlen(code) : 0, attt__acct_now(c), 0, &t.step);
	if (r < 0)
		goto out;
	t.sealed = pending;
	r = attt__acct_tx(c->db, mfa_fn, &t);
	if (r == ATTT_OK)
		memcpy(ret_codes, codes, sizeof(codes));
out:
	sodium_memzero(codes, sizeof(codes));
	if (secret) {
		sodium_memzero(secret, strlen(secret));
		free(secret);
	}
	free(pending);
	return r;
}
