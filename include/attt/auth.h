/*
 * auth.h: the building blocks of authentication that need no database: the lockout state machine
 * (R6.2.b), session, CSRF and API tokens (R6.1.c), TOTP with recovery codes, and the data
 * directory's secret key that makes stored token hashes useless to someone who copies the database.
 *
 * Everything here is a pure function of its arguments, an injected clock and an injected random
 * source, so that tests are deterministic. All functions are thread-safe; a struct attt_auth_key is
 * read-only after loading and may be shared by threads.
 */
#ifndef ATTT_AUTH_H
#define ATTT_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "attt/clock.h"

/* --- lockout (R6.2.b) ------------------------------------------------------------------------ */

struct attt_lockout_policy {
	int threshold;        /* consecutive failures that lock the account: 3..5 (R6.2.b) */
	int64_t duration_us;  /* how long the lock lasts; then it lifts by itself */
};

/* The stored state of one account. Zeroed: no failures, not locked. */
struct attt_lockout_state {
	int failures;          /* consecutive failures since the last success or unlock */
	int64_t locked_until;  /* µs UTC; 0 when not locked */
};

/* ATTT_E_POLICY unless threshold is within 3..5 and the duration positive (R6.2.b). */
int attt_lockout_policy_validate(const struct attt_lockout_policy *p);
/* True while st is locked at now. A lock whose time has passed is not locked. */
bool attt_lockout_is_locked(const struct attt_lockout_state *st, int64_t now);
/* Brings st up to now: a lock whose time has passed lifts, and the count starts again from zero.
 * Returns true when it lifted a lock (the caller may audit the automatic unlock). */
bool attt_lockout_refresh(struct attt_lockout_state *st, int64_t now);
/* A failed login at now. While locked nothing is counted and *ret_locked_now is false. Otherwise the
 * failure is counted and, when it reaches the threshold, st locks until now + duration and
 * *ret_locked_now (may be NULL) is true: the caller tells the user and the security officers. */
void attt_lockout_fail(const struct attt_lockout_policy *p, struct attt_lockout_state *st, int64_t now,
		       bool *ret_locked_now);
/* A successful login: the count starts again. Must not be called while locked (a locked account
 * cannot log in, whatever the password). */
void attt_lockout_success(struct attt_lockout_state *st);
/* An officer's unlock, or a completed password reset: no lock, no failures. */
void attt_lockout_clear(struct attt_lockout_state *st);

/* --- the data directory's secret key ------------------------------------------------------- */

struct attt_auth_key;

#define ATTT_AUTH_KEY_BYTES 32

/* Reads path (64 hex characters, optional trailing newline; the file keys/secret.key of the data
 * directory). ATTT_E_NOTFOUND when missing, ATTT_E_CORRUPT when malformed, ATTT_E_IO otherwise.
 * *ret is owned by the caller (attt_auth_key_free wipes it). */
int attt_auth_key_load(const char *path, struct attt_auth_key **ret);
/* Creates path with 32 random bytes from rng (NULL: the system's) as hex, mode 0600, refusing to
 * overwrite (ATTT_E_EXISTS). The directory must exist. */
int attt_auth_key_create(const char *path, const struct attt_rng *rng);
/* A key from raw bytes (tests, derived keys). */
int attt_auth_key_from_bytes(const unsigned char bytes[ATTT_AUTH_KEY_BYTES], struct attt_auth_key **ret);
void attt_auth_key_free(struct attt_auth_key *k);

/* Encrypts a small secret (a TOTP seed) under a key derived from k for storage: *ret is a malloc'ed
 * hex string (nonce, then XSalsa20-Poly1305 box). attt_auth_key_open reverses it: ATTT_E_CORRUPT
 * when the text was altered or made under another key; *ret malloc'ed, NUL-terminated. */
int attt_auth_key_seal(const struct attt_auth_key *k, const char *plain, char **ret);
int attt_auth_key_open(const struct attt_auth_key *k, const char *sealed, char **ret);

/* --- tokens (R6.1.c) ------------------------------------------------------------------------ */

/* A session ID is 256 random bits as 43 characters of unpadded base64url. An API token is
 * "attt_" followed by the same. A stored token hash is 64 hex characters of HMAC-SHA-256 keyed by
 * the data directory's key, so the database alone gives neither the token nor a way to test one. */
#define ATTT_TOKEN_SIZE 49      /* the longest token ("attt_" + 43) with NUL */
#define ATTT_TOKEN_HASH_SIZE 65 /* hex HMAC with NUL */
#define ATTT_CSRF_SIZE 44       /* 43 base64url characters with NUL */
#define ATTT_API_TOKEN_PREFIX "attt_"

enum attt_token_kind {
	ATTT_TOKEN_SESSION = 1,
	ATTT_TOKEN_API = 2,
	ATTT_TOKEN_RESET = 3, /* R6.2.b: one-time password reset */
};

/* Generates a new token of kind from rng (NULL: the system's) into ret[ATTT_TOKEN_SIZE]. */
int attt_token_new(enum attt_token_kind kind, const struct attt_rng *rng, char ret[ATTT_TOKEN_SIZE]);
/* Checks the shape of an untrusted token tok[0..n) of kind (length and alphabet) without looking it
 * up: ATTT_E_AUTH when it cannot be one. */
int attt_token_check_shape(enum attt_token_kind kind, const char *tok, size_t n);
/* The stored hash of tok[0..n) for kind (domain-separated by kind). */
int attt_token_hash(const struct attt_auth_key *k, enum attt_token_kind kind, const char *tok, size_t n,
		    char ret[ATTT_TOKEN_HASH_SIZE]);
/* The CSRF token that goes with a session token: derived, so nothing more is stored. */
int attt_csrf_token(const struct attt_auth_key *k, const char *session, size_t n, char ret[ATTT_CSRF_SIZE]);
/* ATTT_OK when csrf[0..csrf_n) is the CSRF token of session (constant time), ATTT_E_PERM otherwise. */
int attt_csrf_verify(const struct attt_auth_key *k, const char *session, size_t n, const char *csrf,
		     size_t csrf_n);

/* R6.1.c: session expiry. idle_us since the last use, absolute_us since creation. */
struct attt_session_policy {
	int64_t idle_us;     /* 600 s by default (R6.1.c) */
	int64_t absolute_us; /* 12 h by default */
};
/* True when a session created at created and last used at last_used has expired at now. */
bool attt_session_expired(const struct attt_session_policy *p, int64_t created, int64_t last_used, int64_t now);

/* --- TOTP (RFC 6238) and recovery codes ------------------------------------------------------ */

#define ATTT_TOTP_SECRET_BYTES 20
#define ATTT_TOTP_SECRET_B32_SIZE 33 /* 32 base32 characters with NUL */
#define ATTT_TOTP_STEP 30            /* seconds */
#define ATTT_TOTP_DIGITS 6
#define ATTT_RECOVERY_CODES 10
#define ATTT_RECOVERY_CODE_SIZE 12   /* "xxxxx-xxxxx" with NUL */

/* A new TOTP secret from rng (NULL: the system's), as base32 (what authenticator apps take). */
int attt_totp_secret_new(const struct attt_rng *rng, char ret[ATTT_TOTP_SECRET_B32_SIZE]);
/* The code for the base32 secret at now_us (tests, enrolment display). ret[7]. */
int attt_totp_code(const char *secret_b32, int64_t now_us, char ret[ATTT_TOTP_DIGITS + 1]);
/* Verifies code against secret at now_us, accepting one step either side for clock drift. A code is
 * accepted once: last_step is the step of the last accepted code (0: none) and a code of that step
 * or earlier is refused (replay). On success *ret_step is the step to store as the new last_step.
 * ATTT_E_AUTH otherwise. */
int attt_totp_verify(const char *secret_b32, const char *code, size_t n, int64_t now_us, int64_t last_step,
		     int64_t *ret_step);
/* The otpauth:// URI for enrolment (issuer "attt"). ret is malloc'ed. */
int attt_totp_uri(const char *secret_b32, const char *username, char **ret);

/* A recovery code "xxxxx-xxxxx" (lower-case base32 without look-alikes, 50 bits) from rng. */
int attt_recovery_code_new(const struct attt_rng *rng, char ret[ATTT_RECOVERY_CODE_SIZE]);
/* The stored hash of a recovery code typed by a user (spaces, dashes and case do not matter). */
int attt_recovery_code_hash(const struct attt_auth_key *k, const char *code, size_t n,
			    char ret[ATTT_TOKEN_HASH_SIZE]);

#endif
