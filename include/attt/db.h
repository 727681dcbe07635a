/*
 * db.h: the thin database layer. SQLite is the embedded engine (WAL, synchronous=FULL, foreign
 * keys on); the API is shaped so that PostgreSQL can sit behind it later: SQL is written in the
 * subset both engines share (RETURNING, ON CONFLICT, no engine-only functions), placeholders are
 * written "?" and numbered by the layer, integers are 64-bit, text is UTF-8, times are INTEGER
 * microseconds UTC.
 *
 * Threads: one struct attt_db per thread (the server keeps a small pool). Statements belong to the
 * db that prepared them.
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

/* Opens the database at path and applies the pragmas. Does not migrate. */
int attt_db_open(const char *path, unsigned flags, struct attt_db **ret);
/* Closes db, finalising nothing for the caller: every statement must be finalised first.
 * attt_db_close(NULL) is a no-op. */
void attt_db_close(struct attt_db *db);

/* Applies every embedded migration newer than the recorded schema version, each in its own
 * transaction, and records the version. ATTT_E_STATE if the database is newer than this binary. */
int attt_db_migrate(struct attt_db *db);
/* The recorded schema version (0 for an empty database). */
int attt_db_schema_version(struct attt_db *db, int64_t *ret);
/* The highest migration number embedded in this binary. */
int attt_db_schema_latest(void);

/* Runs one or more statements without parameters or results. */
int attt_db_exec(struct attt_db *db, const char *sql);

int attt_db_prepare(struct attt_db *db, const char *sql, struct attt_stmt **ret);
void attt_stmt_finalize(struct attt_stmt *st);
int attt_stmt_reset(struct attt_stmt *st);
/* Parameters are numbered from 1, in the order of the "?" in the SQL. */
int attt_stmt_bind_int64(struct attt_stmt *st, int idx, int64_t v);
int attt_stmt_bind_text(struct attt_stmt *st, int idx, const char *s); /* NULL binds NULL */
int attt_stmt_bind_textn(struct attt_stmt *st, int idx, const char *s, size_t n);
int attt_stmt_bind_blob(struct attt_stmt *st, int idx, const void *p, size_t n);
int attt_stmt_bind_null(struct attt_stmt *st, int idx);
/* 1 when a row is ready, 0 when done, < 0 on error (ATTT_E_EXISTS on a UNIQUE violation,
 * ATTT_E_CONFLICT on another constraint, ATTT_E_BUSY when locked). */
int attt_stmt_step(struct attt_stmt *st);
/* Columns are numbered from 0. Text and blobs stay valid until the next step/reset/finalize. */
int64_t attt_stmt_int64(struct attt_stmt *st, int col);
const char *attt_stmt_text(struct attt_stmt *st, int col); /* NULL for SQL NULL */
const void *attt_stmt_blob(struct attt_stmt *st, int col, size_t *ret_len);
bool attt_stmt_is_null(struct attt_stmt *st, int col);

/* Transactions. begin takes the write lock at once (BEGIN IMMEDIATE on SQLite) so that a
 * transaction never fails half-way on a lock upgrade. */
int attt_db_begin(struct attt_db *db);
int attt_db_commit(struct attt_db *db);
int attt_db_rollback(struct attt_db *db);
/* Runs fn(db, ctx) inside a transaction, committing if it returns >= 0 and rolling back otherwise;
 * on ATTT_E_BUSY (from begin, fn or commit) the whole transaction is retried, up to
 * ATTT_DB_BUSY_RETRIES times. fn must therefore have no effects outside the database. */
int attt_db_tx(struct attt_db *db, int (*fn)(struct attt_db *db, void *ctx), void *ctx);
/* Number of rows changed by the last statement. */
int64_t attt_db_changes(struct attt_db *db);
/* Online copy of the whole database to path (SQLite backup API), consistent under writers. */
int attt_db_backup_to(struct attt_db *db, const char *path);

#endif
