/*
 * migrate.c: schema migrations. The numbered files db/migrations/NNNN_name.sql are embedded in the
 * binary (see embed-migrations.cmake). attt_db_migrate applies, in ascending order, each one the
 * database has not recorded, every one in its own transaction together with its row in
 * schema_migrations, so a failure leaves the database at the previous version. A database that
 * records a migration this binary does not have was written by a newer (or different) binary and
 * is refused rather than half-understood. Released migrations are never edited: a change is a new
 * file.
 */
#include <stdlib.h>
#include <string.h>

#include "attt/clock.h"
#include "attt/err.h"
#include "attt/log.h"
#include "db-int.h"

/* The one table the runner needs before any migration: kept here, not in 0001, because it is what
 * tells the runner that 0001 ran. Portable SQL (SQLite and PostgreSQL). */
static const char schema_migrations_sql[] =
	"CREATE TABLE IF NOT EXISTS schema_migrations ("
	" version INTEGER PRIMARY KEY,"
	" name TEXT NOT NULL,"
	" applied_at INTEGER NOT NULL)"; /* µs UTC */

int attt_db_schema_latest(void)
{
	return attt__migrations_count > 0 ? attt__migrations[attt__migrations_count - 1].version : 0;
}

static int table_exists(struct attt_db *db, bool *ret)
{
	struct attt_stmt *st = NULL;
	int r;

	r = attt_db_prepare(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'", &st);
	if (r < 0)
		return r;
	r = attt_stmt_step(st);
	attt_stmt_finalize(st);
	if (r < 0)
		return r;
	*ret = r == 1;
	return ATTT_OK;
}

int attt_db_schema_version(struct attt_db *db, int64_t *ret)
{
	struct attt_stmt *st = NULL;
	bool exists = false;
	int r;

	if (!db || !ret)
		return ATTT_E_INVAL;
	r = table_exists(db, &exists);
	if (r < 0)
		return r;
	if (!exists) {
		*ret = 0;
		return ATTT_OK;
	}
	r = attt_db_prepare(db, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", &st);
	if (r < 0)
		return r;
	r = attt_stmt_step(st);
	if (r == 1) {
		*ret = attt_stmt_int64(st, 0);
		r = ATTT_OK;
	} else if (r == 0) {
		r = ATTT_E_DB;
	}
	attt_stmt_finalize(st);
	return r;
}

static bool in_list(const struct attt__migration *list, size_t n, int64_t v)
{
	for (size_t i = 0; i < n; i++)
		if (list[i].version == v)
			return true;
	return false;
}

/* ATTT_E_STATE if db records a migration that list does not have. */
static int check_known(struct attt_db *db, const struct attt__migration *list, size_t n)
{
	struct attt_stmt *st = NULL;
	int r;

	r = attt_db_prepare(db, "SELECT version, name FROM schema_migrations ORDER BY version", &st);
	if (r < 0)
		return r;
	while ((r = attt_stmt_step(st)) == 1) {
		int64_t v = attt_stmt_int64(st, 0);
		if (!in_list(list, n, v)) {
			log_debug("database has migration %04lld_%s, this binary knows up to %04d",
				  (long long)v, attt_stmt_text(st, 1) ? attt_stmt_text(st, 1) : "?",
				  n ? list[n - 1].version : 0);
			r = ATTT_E_STATE;
			break;
		}
	}
	attt_stmt_finalize(st);
	return r < 0 ? r : ATTT_OK;
}

struct apply_ctx {
	const struct attt__migration *m;
	bool applied;
};

/* Whether version v is recorded, read without taking the write lock. */
static int recorded(struct attt_db *db, int v, bool *ret)
{
	struct attt_stmt *st = NULL;
	int r;

	r = attt_db_prepare(db, "SELECT 1 FROM schema_migrations WHERE version = ?", &st);
	if (r < 0)
		return r;
	r = attt_stmt_bind_int64(st, 1, v);
	if (r >= 0)
		r = attt_stmt_step(st);
	attt_stmt_finalize(st);
	if (r < 0)
		return r;
	*ret = r == 1;
	return ATTT_OK;
}

static int apply_one(struct attt_db *db, void *vctx)
{
	struct apply_ctx *c = vctx;
	struct attt_stmt *st = NULL;
	int r;

	c->applied = false;
	/* Another process may have applied it since we looked: look again under the write lock. */
	r = attt_db_prepare(db, "SELECT 1 FROM schema_migrations WHERE version = ?", &st);
	if (r < 0)
		goto out;
	r = attt_stmt_bind_int64(st, 1, c->m->version);
	if (r < 0)
		goto out;
	r = attt_stmt_step(st);
	if (r != 0)
		goto out; /* 1: already there; < 0: error */
	attt_stmt_finalize(st);
	st = NULL;

	r = attt_db_exec(db, c->m->sql);
	if (r < 0) {
		log_debug("migration %04d_%s failed", c->m->version, c->m->name);
		goto out;
	}
	r = attt_db_prepare(db, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)", &st);
	if (r < 0)
		goto out;
	if ((r = attt_stmt_bind_int64(st, 1, c->m->version)) < 0 || (r = attt_stmt_bind_text(st, 2, c->m->name)) < 0 ||
	    (r = attt_stmt_bind_int64(st, 3, attt_now_us(&attt_clock_system))) < 0)
		goto out;
	r = attt_stmt_step(st);
	if (r < 0)
		goto out;
	c->applied = true;
	r = ATTT_OK;
out:
	attt_stmt_finalize(st);
	return r;
}

int attt__db_migrate_list(struct attt_db *db, const struct attt__migration *list, size_t n)
{
	int r;
	bool exists = false;

	if (!db || (!list && n))
		return ATTT_E_INVAL;
	for (size_t i = 1; i < n; i++)
		if (list[i].version <= list[i - 1].version)
			return ATTT_E_INTERNAL;

	/* Only what is missing takes the write lock: opening an up-to-date database writes nothing. */
	r = table_exists(db, &exists);
	if (r < 0)
		return r;
	if (!exists) {
		r = attt_db_exec(db, schema_migrations_sql);
		if (r < 0)
			return r;
	}
	r = check_known(db, list, n);
	if (r < 0)
		return r;
	for (size_t i = 0; i < n; i++) {
		struct apply_ctx c = { &list[i], false };
		bool done = false;
		r = recorded(db, list[i].version, &done);
		if (r < 0)
			return r;
		if (done)
			continue;
		r = attt_db_tx(db, apply_one, &c);
		if (r < 0)
			return r;
		if (c.applied)
			log_debug("applied migration %04d_%s", list[i].version, list[i].name);
	}
	return ATTT_OK;
}

int attt_db_migrate(struct attt_db *db)
{
	return attt__db_migrate_list(db, attt__migrations, attt__migrations_count);
}
