/*
 * db.h: the thin database layer. SQLite is the embedded engine (WAL, synchronous=FULL, foreign
 * keys on); the API is shaped so that PostgreSQL can sit behind it later: SQL is written in the
 * subset both engines share (RETURNING, ON CONFLICT, no engine-only functions), placeholders are
 * written "?" and numbered by the layer, integers are 64-bit, text is UTF-8, times are INTEGER
 * microseconds UTC.
 *
 * Threads: one struct attt_db per thread (the server keeps a small pool). Statements belong to the
 * db that prepared them.
 *
 * Placeholders: SQL handed to attt_db_prepare uses "?" as SQLite does; a PostgreSQL backend would
 * rewrite them to $1, $2, ... in order, so "?" must never be written as "?NNN" or ":name".
 *
 * Errors: every function returning int gives ATTT_OK (0) or a negative enum attt_err: a UNIQUE or
 * PRIMARY KEY violation is ATTT_E_EXISTS, another constraint (foreign key, NOT NULL, CHECK)
 * ATTT_E_CONFLICT, a lock held too long ATTT_E_BUSY, a bad parameter index ATTT_E_RANGE, anything
 * else ATTT_E_DB; the engine's message is logged at debug level (never the bound values).
 */
#ifndef ATTT_DB_H
#define ATTT_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct attt_db;
struct attt_stmt;

enum attt_db_flags {
	ATTT_DB_CREATE = 1 << 0,   /* create the file if missing */
	ATTT_DB_READONLY = 1 << 1, /* open read-only (verification tools) */
};

/* Opens the database at path and applies the pragmas: journal_mode=WAL, synchronous=FULL,
 * foreign_keys=ON, busy_timeout=ATTT_DB_BUSY_TIMEOUT_MS (READONLY: query_only instead of the first
 * two). Does not migrate. ATTT_E_NOTFOUND if path is missing and ATTT_DB_CREATE is not given.
 * The file is created with the process umask; callers that need 0600 create it first. */
int attt_db_open(const char *path, unsigned flags, struct attt_db **ret);
/* Closes db, finalising nothing for the caller: every statement must be finalised first (the
 * statements of the attt_db_prepare_cached cache are db's own and are finalised here).
 * attt_db_close(NULL) is a no-op. */
void attt_db_close(struct attt_db *db);

/* Applies every embedded migration (db/migrations/NNNN_name.sql) that the database has not
 * recorded, in ascending order, each in its own transaction together with its row in
 * schema_migrations (version, name, applied_at µs UTC). Safe to run from several processes at once
 * and idempotent; an up-to-date database is only read. ATTT_E_STATE if the database records a
 * migration this binary does not have (it is newer, or from a different build). */
int attt_db_migrate(struct attt_db *db);
/* The recorded schema version (0 for an empty database). */
int attt_db_schema_version(struct attt_db *db, int64_t *ret);
/* The highest migration number embedded in this binary. */
int attt_db_schema_latest(void);

/* Runs one or more statements without parameters or results (trusted SQL only). */
int attt_db_exec(struct attt_db *db, const char *sql);

/* Compiles exactly one statement (ATTT_E_INVAL if sql holds none or more than one; ATTT_E_TOOBIG
 * beyond ATTT_MAX_TEXT bytes). *ret is finalised by the caller, before attt_db_close. */
int attt_db_prepare(struct attt_db *db, const char *sql, struct attt_stmt **ret);
/* Like attt_db_prepare, but the compiled statement is kept by db and reused by the next call with
 * the same SQL text (the key is the text, compared whole), saving SQLite's compilation, which costs
 * more than running a small INSERT. For the fixed SQL of hot paths; SQL built at run time (search
 * filters) belongs to attt_db_prepare, where it does not push the fixed statements out.
 * Contract: *ret is released with attt_stmt_finalize as usual, which for a cached statement only
 * resets it and clears its bindings (it holds no lock and no value afterwards) and hands it back;
 * it must not be used after that. It is handed out fresh: reset, no bindings. If the same SQL is
 * still handed out (a nested use), or every cached statement is, a private statement is returned
 * instead (finalised normally). The cache holds at most 64 statements per db, the least recently
 * used one evicted; they are finalised by attt_db_close. A schema change is harmless (SQLite
 * recompiles the statement at its next step). Same threading as db: one thread at a time. */
int attt_db_prepare_cached(struct attt_db *db, const char *sql, struct attt_stmt **ret);
/* attt_stmt_finalize(NULL) is a no-op. For a statement from attt_db_prepare_cached, see there. */
void attt_stmt_finalize(struct attt_stmt *st);
/* Makes st ready to run again and clears its bindings. */
int attt_stmt_reset(struct attt_stmt *st);
/* Parameters are numbered from 1, in the order of the "?" in the SQL. Text and blobs are copied by
 * the call. A NULL blob pointer with n == 0 binds an empty blob, not NULL. */
int attt_stmt_bind_int64(struct attt_stmt *st, int idx, int64_t v);
int attt_stmt_bind_text(struct attt_stmt *st, int idx, const char *s); /* NULL binds NULL */
int attt_stmt_bind_textn(struct attt_stmt *st, int idx, const char *s, size_t n);
int attt_stmt_bind_blob(struct attt_stmt *st, int idx, const void *p, size_t n);
int attt_stmt_bind_null(struct attt_stmt *st, int idx);
/* 1 when a row is ready, 0 when done, < 0 on error (ATTT_E_EXISTS on a UNIQUE violation,
 * ATTT_E_CONFLICT on another constraint, ATTT_E_BUSY when locked). After 0 or an error the
 * statement is reset (bindings kept), ready to be bound and stepped again. */
int attt_stmt_step(struct attt_stmt *st);
/* Columns are numbered from 0. Text and blobs stay valid until the next step/reset/finalize.
 * attt_stmt_int64 gives 0 for NULL; attt_stmt_blob gives NULL (and 0) for NULL, and a non-NULL
 * pointer for an empty blob. */
int64_t attt_stmt_int64(struct attt_stmt *st, int col);
const char *attt_stmt_text(struct attt_stmt *st, int col); /* NULL for SQL NULL */
const void *attt_stmt_blob(struct attt_stmt *st, int col, size_t *ret_len);
bool attt_stmt_is_null(struct attt_stmt *st, int col);

/* Transactions. begin takes the write lock at once (BEGIN IMMEDIATE on SQLite) so that a
 * transaction never fails half-way on a lock upgrade. begin inside a transaction and commit outside
 * one are ATTT_E_STATE; rollback outside one is a no-op (SQLite rolls some failures back itself). */
int attt_db_begin(struct attt_db *db);
int attt_db_commit(struct attt_db *db);
int attt_db_rollback(struct attt_db *db);
/* Runs fn(db, ctx) inside a transaction, committing if it returns >= 0 and rolling back otherwise;
 * on ATTT_E_BUSY (from begin, fn or commit) the whole transaction is retried, up to
 * ATTT_DB_BUSY_RETRIES times, with a short growing pause between tries (1-20 ms plus jitter).
 * fn must therefore have no effects outside the database. Returns fn's result after a successful
 * commit, or the error. When db is already inside a transaction, fn simply runs in it (no nested
 * transaction, no retry): its error reaches the caller, whose transaction then rolls back. */
int attt_db_tx(struct attt_db *db, int (*fn)(struct attt_db *db, void *ctx), void *ctx);
/* Number of rows changed by the last statement. */
int64_t attt_db_changes(struct attt_db *db);
/* Online copy of the whole database to path (SQLite backup API), consistent under writers: a single
 * self-contained file (journal_mode=DELETE) of mode 0600, written as path.tmp, fsync'ed and renamed.
 * ATTT_E_EXISTS if path exists (never overwritten). */
int attt_db_backup_to(struct attt_db *db, const char *path);

/* Additions for tools and tests. */
/* True while db is inside a transaction. */
bool attt_db_in_tx(struct attt_db *db);
/* Sets how long a statement waits for another connection's lock before ATTT_E_BUSY (0: never). */
int attt_db_set_busy_timeout(struct attt_db *db, int ms);
/* Replaces the pause between retries of attt_db_tx (fn(ctx, attempt), attempt from 0); NULL
 * restores the default. For tests, which make the pause do something deterministic instead. */
void attt_db_set_backoff(struct attt_db *db, void (*fn)(void *ctx, int attempt), void *ctx);
/* Counters of the statement cache since open (tests and benchmarks): hits, misses (compiled and
 * kept), uncached (compiled and not kept: nested use, cache full of busy statements, no memory),
 * evictions, and the entries held now. */
struct attt_db_cache_stats {
	uint64_t hits, misses, uncached, evictions, entries;
};
void attt_db_cache_stats(struct attt_db *db, struct attt_db_cache_stats *ret);
/* The database file's absolute path ("" for a temporary database). Valid until attt_db_close. */
const char *attt_db_filename(struct attt_db *db);

#endif
