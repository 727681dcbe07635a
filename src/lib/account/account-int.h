/*
 * account-int.h: private helpers of the account module: statements bound from a type string, the
 * audit call every change makes, and the pieces shared between accounts, login and processes.
 */
#ifndef ATTT_ACCOUNT_INT_H
#define ATTT_ACCOUNT_INT_H

#include <stdarg.h>
#include <stdint.h>

#include <jansson.h>

#include "attt/account.h"
#include "attt/audit.h"
#include "attt/db.h"

/* Prepares sql and binds the variadic arguments by types: 'i' int64_t, 'n' int64_t with 0 bound as
 * NULL, 't' const char * (NULL binds NULL). */
int attt__acct_prep(struct attt_db *db, struct attt_stmt **ret, const char *sql, const char *types, ...);
/* Runs sql to completion. */
int attt__acct_exec(struct attt_db *db, const char *sql, const char *types, ...);
/* The first column of the first row as an integer; ATTT_E_NOTFOUND when there is no row. */
int attt__acct_int(struct attt_db *db, int64_t *ret, const char *sql, const char *types, ...);

/* attt_db_tx behind a process-wide mutex: this module's write transactions queue on the mutex,
 * which wakes the next one the moment the last commits, instead of meeting SQLITE_BUSY and sleeping
 * in SQLite's busy handler (which left cores idle under a flood of logins). */
int attt__acct_tx(struct attt_db *db, int (*fn)(struct attt_db *db, void *ctx), void *ctx);

/* Steps st (role name, agency id) to its end into grants[max] and finalizes it; *ret_n the count.
 * strict: ATTT_E_TOOBIG past max and ATTT_E_CORRUPT for a role name not known, else both are left
 * out. */
int attt__acct_read_grants(struct attt_stmt *st, struct attt_grant *grants, size_t max, bool strict, size_t *ret_n);

/* One audit event; summary (may be NULL) is taken over (decref'ed). object_id 0: none. */
int attt__acct_audit(const struct attt_auth_ctx *c, const struct attt_actor *actor, enum attt_audit_category cat,
		     const char *action, const char *object_type, int64_t object_id, int64_t agency_id,
		     enum attt_audit_outcome outcome, const char *rule, json_t *summary);

static inline int64_t attt__acct_now(const struct attt_auth_ctx *c)
{
	return attt_now_us(c->clock);
}

/* Ends every open session and revokes every API token of account (inside a transaction). */
int attt__acct_end_all(const struct attt_auth_ctx *c, int64_t account_id, const char *reason);
/* Sets a new temporary password (R6.1.a) on account: hash, must change, lock cleared. */
int attt__acct_set_temp_password(const struct attt_auth_ctx *c, int64_t account_id, char ret_password[17]);
/* Stores a new password hash with its history, trimmed to the profile's length. */
int attt__acct_store_password(const struct attt_auth_ctx *c, int64_t account_id, const char *hash, bool must_change);
/* Reads the account row into a (by id, or by username when username is non-NULL). */
int attt__acct_read(struct attt_db *db, int64_t id, const char *username, struct attt_account *a);
/* The person's full name of an account (malloc'ed, NULL when none). */
int attt__acct_person_name(struct attt_db *db, int64_t person_id, char **ret);

#endif
