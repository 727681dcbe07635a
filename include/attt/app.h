/*
 * app.h: an opened data directory, the one handle that the CLI, the server and the tests share.
 *
 * `attt init --data DIR` makes the directory (attt_app_init); every other command opens it
 * (attt_app_open), which opens and migrates the database, loads DIR/attt.ini through the config
 * module and the active policy profile through the policy module. Layout (modes exact):
 *
 *   DIR/               0700  the data directory
 *   DIR/attt.db        0600  SQLite database (WAL: attt.db-wal, attt.db-shm beside it); created
 *                            last by init, so its presence means "initialised"
 *   DIR/attt.ini       0600  configuration (commented defaults, [policy] profile set)
 *   DIR/keys/          0700
 *   DIR/keys/audit.key 0600  Ed25519 seed of the audit checkpoint signer: 64 lower-case hex + "\n"
 *   DIR/keys/audit.pub 0644  its public key: 64 lower-case hex + "\n"
 *   DIR/keys/secret.key 0600 32 random bytes, 64 lower-case hex + "\n": HMAC key for session and
 *                            token ids
 *
 * Thread-safety: an open struct attt_app may be read from many threads (dir, paths, config,
 * policy, clock, rng); its struct attt_db is the opening thread's: servers open one connection per
 * thread with attt_db_open(attt_app_db_path(app), 0, ...). attt_app_set_clock / attt_app_set_rng are
 * for set-up, before other threads see the app.
 */
#ifndef ATTT_APP_H
#define ATTT_APP_H

#include <stdbool.h>
#include <stddef.h>

#include "attt/clock.h"

struct attt_app;
struct attt_db;
struct attt_config;
struct attt_policy;

#define ATTT_APP_DB_FILE "attt.db"
#define ATTT_APP_KEYS_DIR "keys"
#define ATTT_APP_AUDIT_KEY "audit.key"   /* Ed25519 seed, secret */
#define ATTT_APP_AUDIT_PUB "audit.pub"   /* Ed25519 public key */
#define ATTT_APP_SECRET_KEY "secret.key" /* HMAC key for session and token ids, secret */
#define ATTT_APP_KEY_BYTES 32            /* every key file holds 32 bytes as 64 hex chars */

struct attt_app_init_opts {
	const char *profile; /* embedded profile name or path to an .ini; NULL = ATTT_POLICY_DEFAULT */
};

/*
 * Makes a new data directory at dir: creates dir (mode 0700; its parent must exist) or takes an
 * existing empty one (and sets it to 0700), writes keys/, attt.ini naming the profile and, last,
 * attt.db fully migrated, with meta rows data_id (random 128-bit hex), created_at (µs UTC) and
 * created_by (attt version). Every file is written to a temporary name, fsync'ed and linked into
 * place; on any failure everything made so far is removed, so a directory is never left looking
 * initialised. The profile is loaded first and a bad one refused before anything is written.
 * opts may be NULL. Returns ATTT_OK; ATTT_E_EXISTS if dir already holds attt.db or is not empty;
 * ATTT_E_NOTFOUND if the parent is missing or the profile does not exist; ATTT_E_POLICY /
 * ATTT_E_PARSE for a bad profile; ATTT_E_INVAL for an unusable profile name; ATTT_E_IO, ATTT_E_DB,
 * ATTT_E_NOMEM otherwise.
 */
int attt_app_init(const char *dir, const struct attt_app_init_opts *opts);
/* attt_app_init with a one-line message (Vietnamese, then English in parentheses, naming the file
 * or the profile's file:line) in err[errsz] on failure. err may be NULL when errsz is 0. */
int attt_app_init_ex(const char *dir, const struct attt_app_init_opts *opts, char *err, size_t errsz);

enum attt_app_flags {
	/* Open the database read-only and do not migrate (verification tools, an auditor's copy);
	 * a database older or newer than this binary is ATTT_E_STATE. */
	ATTT_APP_READONLY = 1 << 0,
};

/*
 * Opens the data directory dir: it must exist and hold attt.db (else ATTT_E_STATE, "run attt
 * init"); a mode looser than 0700 is logged as a warning. Opens the database and applies pending
 * migrations (ATTT_E_STATE if the database is newer than this binary), loads DIR/attt.ini (all
 * defaults when the file is missing) and the profile it names ([policy] profile). On failure err
 * (errsz > 0) gets one line in Vietnamese and English, "file:line: ..." when a file is at fault,
 * and the error of the failing step is returned (ATTT_E_STATE, ATTT_E_CONFIG, ATTT_E_POLICY,
 * ATTT_E_PARSE, ATTT_E_NOTFOUND, ATTT_E_DB, ATTT_E_NOMEM, ...). *ret (close with attt_app_close)
 * is written only on success.
 */
int attt_app_open(const char *dir, unsigned flags, struct attt_app **ret, char *err, size_t errsz);
/* Closes the database, frees config and policy. NULL is a no-op. */
void attt_app_close(struct attt_app *app);

/* Accessors: the results are owned by app and live as long as it. */
/* The opening thread's database connection. */
struct attt_db *attt_app_db(struct attt_app *app);
/* The data directory as an absolute path. */
const char *attt_app_dir(const struct attt_app *app);
/* DIR/attt.db, for servers that open one connection per thread. */
const char *attt_app_db_path(const struct attt_app *app);
/* Opens another connection to the database (read-only if the app was opened so), for another
 * thread: the caller closes it with attt_db_close. Thread-safe. */
int attt_app_db_open(const struct attt_app *app, struct attt_db **ret);
const struct attt_config *attt_app_config(const struct attt_app *app);
const struct attt_policy *attt_app_policy(const struct attt_app *app);
/* The data directory's id (meta data_id, 32 lower-case hex chars). */
const char *attt_app_data_id(const struct attt_app *app);
/* The clock and random source: the system ones unless set. */
const struct attt_clock *attt_app_clock(const struct attt_app *app);
const struct attt_rng *attt_app_rng(const struct attt_app *app);
/* Replace them (tests). The structs are copied; whatever their ctx points at must outlive app. */
void attt_app_set_clock(struct attt_app *app, const struct attt_clock *clock);
void attt_app_set_rng(struct attt_app *app, const struct attt_rng *rng);

/* Writes DIR/keys/<name> into buf[size]. name is a plain file name ([A-Za-z0-9._-], not starting
 * with '.'): ATTT_E_INVAL otherwise, ATTT_E_TOOBIG if buf is too small. */
int attt_app_key_path(const struct attt_app *app, const char *name, char *buf, size_t size);
/* Reads the key file DIR/keys/<name> (exactly 2*n lower-case hex chars and "\n") into out[n].
 * A ".key" file readable by group or others is refused with ATTT_E_PERM. ATTT_E_NOTFOUND,
 * ATTT_E_CORRUPT for a malformed file, ATTT_E_IO. out is written only on success; the caller
 * wipes it (sodium_memzero) when done. */
int attt_app_read_key(const struct attt_app *app, const char *name, unsigned char *out, size_t n);

#endif
