/*
 * account.h: accounts and what happens to them, stored in the database (migration 0004_auth):
 * creation (R6.2.a), temporary passwords (R6.1.a), login with lockout (R6.2.b) and multi-factor,
 * sessions (R6.1.c), password change and expiry (R6.1.đ), officer actions (lock, unlock, reset,
 * disable), roles on agency subtrees, onboarding (R5.1), offboarding (R5.3), account reviews
 * (R6.1.e), external accounts (R19) and dormant accounts.
 *
 * Every change writes its audit event (R7.2) through attt_audit_append in the same transaction:
 * category auth for logins, lockouts, unlocks, resets and password changes, access for roles,
 * sessions and tokens, data for accounts created or disabled.
 *
 * Login never tells why it failed: an unknown user, a wrong password, a locked or a disabled
 * account all give ATTT_E_AUTH after one Argon2id verification (a dummy one for an unknown user).
 * The Argon2id work runs outside any database transaction, so logins proceed on every core.
 *
 * Thread-safety: a struct attt_auth_ctx names one database connection and is used by one thread
 * at a time; the key, clock, rng and policy it points to may be shared.
 */
#ifndef ATTT_ACCOUNT_H
#define ATTT_ACCOUNT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "attt/acl.h"
#include "attt/audit.h"
#include "attt/auth.h"
#include "attt/clock.h"
#include "attt/password.h"

struct attt_db;
struct attt_policy_values;

#define ATTT_USERNAME_MIN 3
#define ATTT_USERNAME_MAX 64
#define ATTT_SESSION_REF_SIZE 13 /* 12 characters of public session reference with NUL */
#define ATTT_PRINCIPAL_MAX_GRANTS 32

/* Every value of the profile that accounts need. */
struct attt_auth_policy {
	struct attt_password_policy password; /* R6.1.đ */
	struct attt_lockout_policy lockout;   /* R6.2.b */
	struct attt_session_policy session;   /* R6.1.c */
	int64_t reset_ttl_us;                 /* R6.2.b: lifetime of a one-time reset (1 h) */
	int review_interval_days;             /* R6.1.e: 90 */
	int review_due_days;                  /* days a campaign has to finish (30) */
	int dormant_days;                     /* no login for this long: disabled (90) */
	unsigned mfa_roles;                   /* bit (1 << role) for each role that must use MFA */
};

/* The regulation's defaults: attt_password_policy_default, lockout 5 failures / 15 min, session idle
 * 600 s / absolute 12 h, reset 1 h, review every 90 days (30 to finish), dormant after 90 days, MFA
 * for authority, admin and security officer. */
void attt_auth_policy_default(struct attt_auth_policy *p);
/* The same from a loaded profile (policy.h); values the profile does not set keep the defaults.
 * ATTT_E_POLICY when a value is outside what the regulation allows. */
int attt_auth_policy_from_profile(const struct attt_policy_values *v, struct attt_auth_policy *ret);

/* What every function below works with. All pointers are borrowed; rng NULL is the system's. */
struct attt_auth_ctx {
	struct attt_db *db;
	const struct attt_clock *clock;
	const struct attt_rng *rng;
	const struct attt_auth_key *key;
	const struct attt_auth_policy *policy;
};

/* ---- usernames and accounts ---------------------------------------------------------------- */

/* R6.2.a: checks and normalises a username (ASCII letters, digits, '.', '_', '-', starting with a
 * letter, ATTT_USERNAME_MIN..MAX long) to lower case into ret[ATTT_USERNAME_MAX + 1]. For a person's
 * account (for_person) generic names ("admin", "user", "ketoan", "vanthu" ...) are refused with
 * ATTT_E_POLICY: accounts for people are personal. ATTT_E_INVAL for a bad shape. */
int attt_account_username_norm(const char *s, bool for_person, char ret[ATTT_USERNAME_MAX + 1]);

enum attt_account_kind { ATTT_ACCOUNT_PERSON = 1, ATTT_ACCOUNT_SERVICE = 2, ATTT_ACCOUNT_BOOTSTRAP = 3 };

struct attt_account_new {
	const char *username;
	enum attt_account_kind kind;  /* PERSON or SERVICE */
	int64_t person_id;            /* PERSON: the one person it belongs to */
	const char *service_name;     /* SERVICE: the registered service */
	int64_t agency_id;            /* SERVICE: its agency (PERSON: the person's) */
	enum attt_role role;          /* 0: none; else granted on agency_id */
	int64_t sponsor_id;           /* R19: external account: sponsoring account, else 0 */
	int64_t end_at;               /* R19: µs UTC when it ends (required with a sponsor), else 0 */
};

/* Creates an account, pending until its person acknowledges the rules (R5.1; service accounts are
 * active at once), with a temporary password (R6.1.a) returned in ret_password[17]. The actor must
 * hold account.write on the agency (role grants also role.grant): the caller checks that, or passes
 * a CLI actor. ATTT_E_EXISTS for a username taken (any case), ATTT_E_POLICY for a generic name,
 * ATTT_E_NOTFOUND for a missing person or agency, ATTT_E_INVAL for a bad field. Audit
 * "account.create" (data, R6.2.a). */
int attt_account_add(const struct attt_auth_ctx *c, const struct attt_actor *actor,
		     const struct attt_account_new *in, int64_t *ret_id, char ret_password[17]);
/* `attt init`: creates the break-glass admin account (kind bootstrap, role admin platform-wide,
 * active, must change its password) named username (NULL: "admin") and returns its one-time
 * password. ATTT_E_EXISTS when a bootstrap account exists already. Audit "account.create". */
int attt_account_bootstrap_admin(const struct attt_auth_ctx *c, const char *username, char ret_password[17]);

/* A snapshot of one account. */
struct attt_account {
	int64_t id;
	char username[ATTT_USERNAME_MAX + 1];
	enum attt_account_kind kind;
	int64_t person_id, agency_id; /* 0 when none */
	char status[16];              /* "pending", "active", "disabled" */
	bool must_change_password;
	bool mfa_enabled;
	struct attt_lockout_state lockout;
	int64_t password_set_at, last_login_at, created_at, sponsor_id, end_at;
};
/* Reads an account by id or by username (any case). ATTT_E_NOTFOUND. */
int attt_account_get(const struct attt_auth_ctx *c, int64_t id, struct attt_account *ret);
int attt_account_find(const struct attt_auth_ctx *c, const char *username, struct attt_account *ret);
/* The account as JSON (no secret): id, username, kind, person, agency, status, locked,
 * must_change_password, mfa, password_expires_at, roles [...]. New reference. */
int attt_account_json(const struct attt_auth_ctx *c, int64_t id, json_t **ret);
/* Accounts whose agency lies within agency (0: all), ordered by username: a JSON array. */
int attt_account_list_json(const struct attt_auth_ctx *c, int64_t within_agency, json_t **ret);

/* Officer actions. Each writes one audit event and refuses the bootstrap account only where said.
 * lock: R6.2.b locks now for the profile's duration ("auth.lock").
 * unlock: R6.2.b lifts a lock and the failure count ("auth.unlock").
 * disable: status disabled, sessions and tokens ended ("account.disable"); reason is recorded.
 * reset: R6.1.a/R6.2.b a new temporary password in ret_password[17], to change at first login;
 *        clears the lock; ends the account's sessions ("auth.reset"). */
int attt_account_lock(const struct attt_auth_ctx *c, const struct attt_actor *actor, int64_t id);
int attt_account_unlock(const struct attt_auth_ctx *c, const struct attt_actor *actor, int64_t id);
int attt_account_disable(const struct attt_auth_ctx *c, const struct attt_actor *actor, int64_t id,
			 const char *reason);
int attt_account_reset(const struct attt_auth_ctx *c, const struct attt_actor *actor, int64_t id,
		       char ret_password[17]);
/* R6.2.b: a one-time reset link instead: a token (single use, reset_ttl_us, stored hashed) in
 * ret_token[ATTT_TOKEN_SIZE] that attt_auth_reset_redeem turns into a new password. */
int attt_account_reset_issue(const struct attt_auth_ctx *c, const struct attt_actor *actor, int64_t id,
			     char ret_token[ATTT_TOKEN_SIZE]);

/* ---- roles ---------------------------------------------------------------------------------- */

/* Grants role on agency (0: platform-wide, admin only). ATTT_E_EXISTS when held already. Audit
 * "role.grant" (access). Revoke: ATTT_E_NOTFOUND when not held; audit "role.revoke". */
int attt_account_grant(const struct attt_auth_ctx *c, const struct attt_actor *actor, int64_t account_id,
		       enum attt_role role, int64_t agency_id);
int attt_account_revoke(const struct attt_auth_ctx *c, const struct attt_actor *actor, int64_t account_id,
			enum attt_role role, int64_t agency_id);
/* The account's grants into grants[max]; *ret_n the count (at most max). */
int attt_account_grants(const struct attt_auth_ctx *c, int64_t account_id, struct attt_grant *grants, size_t max,
			size_t *ret_n);
/* R1.2 subtree test on the agency table (the attt_acl_within_fn for attt_acl_check; ctx is the
 * struct attt_db). ATTT_E_NOTFOUND for an unknown agency. */
int attt_account_agency_within(void *db, int64_t agency, int64_t ancestor, bool *ret);

/* ---- login and sessions --------------------------------------------------------------------- */

struct attt_login {
	const char *username;
	const char *password;
	size_t password_len;
	const char *totp;     /* NULL when not given; a recovery code is accepted here too */
	const char *source;   /* peer address, for the session list and the audit trail */
	const char *user_agent;
};

struct attt_login_result {
	int64_t account_id;
	char session[ATTT_TOKEN_SIZE];      /* the cookie value: secret, shown once */
	char csrf[ATTT_CSRF_SIZE];          /* for X-CSRF-Token */
	char ref[ATTT_SESSION_REF_SIZE];    /* public reference of the session */
	bool must_change_password;          /* R6.1.a temporary, or R6.1.đ expired: change first */
	bool password_expired;              /* R6.1.đ */
	bool password_warn;                 /* R6.1.đ: expires within warn_days */
	int64_t password_days_left;
	bool must_acknowledge;              /* R5.1: rules not acknowledged yet */
	bool mfa_enrol_required;            /* a role needs MFA and none is enrolled yet */
};

/* Logs in. ATTT_OK with *ret filled and a new session; ATTT_E_AUTH for every failure (unknown user,
 * wrong password, locked, disabled, ended external account, wrong second factor); when the password
 * was right and a second factor is needed but was not given, ATTT_E_AUTH too and *ret_mfa_needed
 * (may be NULL) is true (written in every case). R6.2.b failures count towards the lock; a lock
 * writes "auth.lockout" and an "account.locked" notification (notify.h: inbox, and mail when the
 * person has an address) for the user and each security officer of the agency's subtree. R7.2: every attempt writes "auth.login". A password hashed
 * with parameters below the profile's is rehashed. */
int attt_auth_login(const struct attt_auth_ctx *c, const struct attt_login *in, struct attt_login_result *ret,
		    bool *ret_mfa_needed);

/* Who a request acts for. */
struct attt_principal {
	int64_t account_id, person_id, agency_id, session_id, api_token_id;
	char username[ATTT_USERNAME_MAX + 1];
	char ref[ATTT_SESSION_REF_SIZE];
	bool must_change_password, must_acknowledge, mfa_enrol_required;
	size_t n_grants;
	struct attt_grant grants[ATTT_PRINCIPAL_MAX_GRANTS];
	unsigned scopes; /* API tokens: bit (1 << perm) of allowed permissions; sessions: all */
};

/* R6.1.c: the principal of a session token tok[0..n). ATTT_E_AUTH when unknown, ended or expired
 * (idle or absolute: the session is ended then, "session.expire"). Refreshes last use. */
int attt_auth_session_check(const struct attt_auth_ctx *c, const char *tok, size_t n,
			    struct attt_principal *ret);
/* Ends the session of p ("auth.logout"). */
int attt_auth_logout(const struct attt_auth_ctx *c, const struct attt_principal *p, const char *source);
/* The account's open sessions as a JSON array: ref, created_at, last_used_at, source, user_agent,
 * current. cur_ref may be NULL. */
int attt_auth_sessions_json(const struct attt_auth_ctx *c, int64_t account_id, const char *cur_ref, json_t **ret);
/* Ends one of the account's sessions by its ref ("session.end"). ATTT_E_NOTFOUND. */
int attt_auth_session_end(const struct attt_auth_ctx *c, const struct attt_actor *actor, int64_t account_id,
			  const char *ref);
/* An actor describing p for the audit trail (strings borrowed from p and source). */
void attt_principal_actor(const struct attt_principal *p, const char *source, struct attt_actor *ret);
/* attt_acl_check for p on an object of object_agency (API tokens are limited to their scopes). */
int attt_principal_can(const struct attt_auth_ctx *c, const struct attt_principal *p, enum attt_perm perm,
		       int64_t object_agency, bool *ret);

/* ---- API tokens ------------------------------------------------------------------------------ */

/* Creates a token for account limited to scopes (bits 1 << perm) until expires_at. The token is
 * returned once in ret_token and stored hashed ("token.create", access). */
int attt_auth_token_create(const struct attt_auth_ctx *c, const struct attt_actor *actor, int64_t account_id,
			   const char *name, unsigned scopes, int64_t expires_at, char ret_token[ATTT_TOKEN_SIZE]);
/* The principal of an API token; ATTT_E_AUTH when unknown, revoked, expired or its account disabled. */
int attt_auth_token_check(const struct attt_auth_ctx *c, const char *tok, size_t n, struct attt_principal *ret);

/* ---- passwords ------------------------------------------------------------------------------ */

/* R6.1.đ: changes the password of account_id after checking current (ATTT_E_AUTH when wrong, which
 * counts towards the lock), the rule, the name checks and the history (ATTT_E_POLICY with
 * *ret_failed). Clears must_change_password ("auth.password_change"). */
int attt_auth_password_change(const struct attt_auth_ctx *c, const struct attt_actor *actor, int64_t account_id,
			      const char *current, size_t current_len, const char *next, size_t next_len,
			      unsigned *ret_failed);
/* R6.2.b: redeems a one-time reset token with a new password (checked like a change). Clears the
 * lock. ATTT_E_AUTH for an unknown, used or expired token. */
int attt_auth_reset_redeem(const struct attt_auth_ctx *c, const char *tok, size_t n, const char *next,
			   size_t next_len, unsigned *ret_failed);

/* ---- multi-factor --------------------------------------------------------------------------- */

/* Starts TOTP enrolment: a new secret (pending until confirmed), its otpauth URI (malloc'ed).
 * Stores the sealed pending secret and appends "mfa.begin" (auth) in one transaction (R7.2). */
int attt_auth_mfa_begin(const struct attt_auth_ctx *c, const struct attt_actor *actor, int64_t account_id,
			char ret_secret[ATTT_TOTP_SECRET_B32_SIZE], char **ret_uri);
/* Confirms enrolment with a code of the pending secret; returns ATTT_RECOVERY_CODES recovery codes
 * (shown once, stored hashed) in ret_codes ("mfa.enrol", auth). ATTT_E_AUTH for a wrong code,
 * ATTT_E_STATE when no enrolment was begun. */
int attt_auth_mfa_confirm(const struct attt_auth_ctx *c, const struct attt_actor *actor, int64_t account_id,
			  const char *code, char ret_codes[ATTT_RECOVERY_CODES][ATTT_RECOVERY_CODE_SIZE]);

/* ---- onboarding (R5.1) and offboarding (R5.3) ------------------------------------------------ */

/* Publishes a new version of the rules text ("rules.publish", config). */
int attt_rules_publish(const struct attt_auth_ctx *c, const struct attt_actor *actor, const char *version,
		       const char *body, int64_t *ret_id);
/* The current rules {id, version, body, published_at}. ATTT_E_NOTFOUND when none. */
int attt_rules_current_json(const struct attt_auth_ctx *c, json_t **ret);
/* R5.1: the person of account_id acknowledges the current rules: recorded with its time; the
 * person's pending accounts become active ("rules.acknowledge", data). */
int attt_rules_acknowledge(const struct attt_auth_ctx *c, const struct attt_actor *actor, int64_t account_id);

/* R5.3: one action: disables every account of person, ends their sessions and tokens, removes their
 * roles, and opens a case with a checklist (each account, IT assets, external accounts, keys and
 * badges) kept as evidence ("person.offboard", access). *ret_case gets the case id. */
int attt_offboard_person(const struct attt_auth_ctx *c, const struct attt_actor *actor, int64_t person_id,
			 const char *reason, int64_t *ret_case);
/* The same, done only while the person still belongs to agency_id (> 0), the agency the caller's
 * rights were checked on (ATTT_E_CONFLICT otherwise). Both refuse a person who has an open case
 * already: ATTT_E_EXISTS, *ret_case that case. */
int attt_offboard_person_in(const struct attt_auth_ctx *c, const struct attt_actor *actor, int64_t person_id,
			    int64_t agency_id, const char *reason, int64_t *ret_case);
/* The roles held by the accounts of person_id into grants[max] (ATTT_E_TOOBIG beyond), so that a
 * caller about to offboard them can be checked on each: offboarding removes them all. */
int attt_person_grants(const struct attt_auth_ctx *c, int64_t person_id, struct attt_grant *grants, size_t max,
		       size_t *ret_n);
/* The case as JSON {id, person, person_name, agency, reason, opened_at, closed_at, items: [{id, kind, description,
 * done_at, done_by, done_by_username, note}]}. */
int attt_offboard_json(const struct attt_auth_ctx *c, int64_t case_id, json_t **ret);
/* The case of item_id (when > 0; else case_id itself) and that case's agency, for permission checks;
 * ATTT_E_NOTFOUND when there is no such item or case. */
int attt_offboard_locate(const struct attt_auth_ctx *c, int64_t case_id, int64_t item_id, int64_t *ret_case,
			 int64_t *ret_agency);
/* R5.3: ticks item_id as recovered, with a note (may be NULL; at most 1024 bytes of UTF-8), by actor
 * ("person.offboard.item", access); the case closes with its last item (*ret_closed). ATTT_E_NOTFOUND
 * for no such item, ATTT_E_CONFLICT when it is ticked already, ATTT_E_INVAL for a bad note.
 * *ret_case (may be NULL) gets the item's case. */
int attt_offboard_item_done(const struct attt_auth_ctx *c, const struct attt_actor *actor, int64_t item_id,
			    const char *note, int64_t *ret_case, bool *ret_closed);
/* The offboarding cases, newest first, with ids below before_id (0: from the newest), at most limit
 * (open_only: those not closed) as a JSON array of {id, person, person_name, agency, reason,
 * opened_at, closed_at, pending}. The caller filters by agency, reading on with before_id. */
int attt_offboard_list(const struct attt_auth_ctx *c, bool open_only, int64_t before_id, size_t limit, json_t **ret);

/* ---- account reviews (R6.1.e) --------------------------------------------------------------- */

/* Starts a campaign on agency's subtree: one item per account and one per role grant, due in
 * review_due_days ("review.start", access). ATTT_E_CONFLICT when one is open on that agency. */
int attt_review_start(const struct attt_auth_ctx *c, const struct attt_actor *actor, int64_t agency_id,
		      int64_t *ret_id);
/* Campaigns within agency (0: all) as JSON, each with counts and "overdue"; and per agency in the
 * subtree with no campaign for review_interval_days, an entry {"agency": id, "overdue": true}. */
int attt_review_list_json(const struct attt_auth_ctx *c, int64_t within_agency, json_t **ret);
/* One campaign with its items. */
int attt_review_json(const struct attt_auth_ctx *c, int64_t campaign_id, json_t **ret);
/* Decides an item: "confirm" or "revoke" (a role item: the grant is revoked at once; an account
 * item: the account is disabled at once). The campaign closes when no item is pending
 * ("review.decide", access). ATTT_E_INVAL for another decision, ATTT_E_CONFLICT when decided. */
int attt_review_decide(const struct attt_auth_ctx *c, const struct attt_actor *actor, int64_t item_id,
		       const char *decision, const char *note, int64_t *ret_campaign_agency);
/* R6.1.e "change": a role item's grant becomes role on the same agency, in one transaction and one
 * event ("review.decide", access, with "from", "to" and "agency"); the item is recorded as changed
 * (decision "change", new_role). The caller checks that the actor may grant role there (role.grant
 * and attt_role_can_grant). ATTT_E_INVAL for an account item, an unknown role or the role held;
 * ATTT_E_CONFLICT when decided; ATTT_E_EXISTS when the account holds role there already;
 * ATTT_E_STATE when the grant is gone or the account disabled. */
int attt_review_change(const struct attt_auth_ctx *c, const struct attt_actor *actor, int64_t item_id,
		       enum attt_role role, const char *note, int64_t *ret_campaign_agency);

/* The agency of a campaign, and of the campaign of a review item (for the permission check before
 * attt_review_json / attt_review_decide). ATTT_E_NOTFOUND. */
int attt_review_agency(const struct attt_auth_ctx *c, int64_t campaign_id, int64_t *ret);
int attt_review_item_agency(const struct attt_auth_ctx *c, int64_t item_id, int64_t *ret);
/* The agency (0: platform-wide) of the grant a role item reviews. ATTT_E_NOTFOUND for an account
 * item or a grant revoked since. */
int attt_review_item_grant(const struct attt_auth_ctx *c, int64_t item_id, int64_t *ret_role_agency);
/* The account an item reviews. ATTT_E_NOTFOUND. */
int attt_review_item_account(const struct attt_auth_ctx *c, int64_t item_id, int64_t *ret_account);

/* ---- periodic work -------------------------------------------------------------------------- */

/* Disables dormant accounts (no login for dormant_days, R6.1.e) and external accounts past their
 * end date (R19); *ret is a JSON object {"dormant": [usernames], "ended": [usernames]}. */
int attt_auth_sweep(const struct attt_auth_ctx *c, json_t **ret);

#endif
