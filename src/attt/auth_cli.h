/*
 * auth_cli.h: what the attt program shares about accounts: an authentication environment (the
 * profile's values, the data directory's secret key, the clock and random source of the app) for
 * one database connection, and the bootstrap admin that `attt init` creates.
 * Implemented in cmd_user.c and routes_auth.c. Not thread-safe: one environment per thread.
 */
#ifndef ATTT_AUTH_CLI_H
#define ATTT_AUTH_CLI_H

#include <stddef.h>

#include "attt/account.h"

struct attt_app;
struct attt_db;

struct auth_env {
	struct attt_auth_policy policy;
	struct attt_auth_key *key;
	struct attt_auth_ctx c; /* points into this struct: do not copy an auth_env */
};

/* Fills env for db (NULL: the app's own connection). ATTT_E_POLICY when the profile's values are
 * outside the regulation, errors of reading keys/secret.key otherwise. */
int auth_env_open(struct attt_app *app, struct attt_db *db, struct auth_env *env);
void auth_env_close(struct auth_env *env);
/* For the account nouns of the CLI: opens the data directory data_opt (else $ATTT_DATA) and env on
 * its connection. Returns 0 with *ret_app set (the caller closes env, then the app), or an exit
 * code after a message naming noun (2: no directory; 1: open failed or keys/secret.key unreadable). */
int auth_cli_open(const char *noun, const char *data_opt, struct attt_app **ret_app, struct auth_env *env);

/* For `attt init`: creates the break-glass admin (username NULL: "admin"; kind bootstrap, role admin
 * platform-wide, must change its password at first login) in the freshly initialised app and
 * returns its one-time password in ret_password[17]; the caller prints it once
 * ({"admin": {"username": "admin", "password": "..."}}) and wipes it (sodium_memzero).
 * ATTT_E_EXISTS when a bootstrap account exists already. */
int user_bootstrap_admin(struct attt_app *app, const char *username, char ret_password[17]);

/* For route files of other areas (implemented in routes_auth.c), valid during a handler:
 * auth_principal: who the request acts for (NULL when anonymous; the routes' default flags already
 * answer 401 to anonymous requests). auth_can: whether that principal holds perm on an object of
 * object_agency (0: a platform object), by the matrix of docs/access-control.md, scoped to the
 * grants' subtrees, refusing all but "self" while the account must change its password, acknowledge
 * the rules or enrol a second factor, and limited to an API token's scopes. auth_actor: the audit
 * actor of the request (strings live as long as the request). */
struct attt_http_req;
const struct attt_principal *auth_principal(struct attt_http_req *req);
int auth_can(struct attt_http_req *req, enum attt_perm perm, int64_t object_agency, bool *ret);
int auth_actor(struct attt_http_req *req, struct attt_actor *ret);

#endif
