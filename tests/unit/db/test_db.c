/*
 * test_db.c: the database layer: pragmas read back after open, binding and reading every type,
 * SQLite errors mapped onto enum attt_err, transactions committed, rolled back and retried when
 * another connection holds the lock (deterministically, through the backoff hook instead of
 * sleeping), migrations applied once, a newer database refused, a failed migration leaving the
 * previous version, and the online backup producing a readable copy.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <ftw.h>

#include <cmocka.h>

#include "attt/db.h"
#include "attt/err.h"
#include "attt/limits.h"
#include "attt/str.h"
#include "db-int.h"

struct fix {
	char dir[256];
	char path[300];
	struct attt_db *db;
};

static int rm_one(const char *p, const struct stat *sb, int type, struct FTW *ftw)
{
	(void)sb;
	(void)type;
	(void)ftw;
	return remove(p);
}

static int setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));
	const char *tmp = getenv("TMPDIR");
	assert_non_null(f);
	assert_int_equal(attt_str_printf(f->dir, sizeof(f->dir), "%s/attt-db-XXXXXX", tmp && *tmp ? tmp : "/tmp"), 0);
	assert_non_null(mkdtemp(f->dir));
	assert_int_equal(attt_str_printf(f->path, sizeof(f->path), "%s/t.db", f->dir), 0);
	assert_int_equal(attt_db_open(f->path, ATTT_DB_CREATE, &f->db), ATTT_OK);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fix *f = *state;
	attt_db_close(f->db);
	nftw(f->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(f);
	return 0;
}

static int64_t query_int(struct attt_db *db, const char *sql)
{
	struct attt_stmt *st = NULL;
	int64_t v;
	assert_int_equal(attt_db_prepare(db, sql, &st), ATTT_OK);
	assert_int_equal(attt_stmt_step(st), 1);
	v = attt_stmt_int64(st, 0);
	attt_stmt_finalize(st);
	return v;
}

static void query_text(struct attt_db *db, const char *sql, char *buf, size_t size)
{
	struct attt_stmt *st = NULL;
	assert_int_equal(attt_db_prepare(db, sql, &st), ATTT_OK);
	assert_int_equal(attt_stmt_step(st), 1);
	assert_int_equal(attt_str_copy(buf, size, attt_stmt_text(st, 0)), 0);
	attt_stmt_finalize(st);
}

/* R10.1.a: durable commits (synchronous=FULL) and integrity (foreign keys) are on. */
static void test_open__pragmas(void **state)
{
	struct fix *f = *state;
	char mode[32];

	query_text(f->db, "PRAGMA journal_mode", mode, sizeof(mode));
	assert_string_equal(mode, "wal");
	assert_int_equal(query_int(f->db, "PRAGMA synchronous"), 2); /* FULL */
	assert_int_equal(query_int(f->db, "PRAGMA foreign_keys"), 1);
	assert_int_equal(query_int(f->db, "PRAGMA busy_timeout"), ATTT_DB_BUSY_TIMEOUT_MS);
	assert_string_equal(attt_db_filename(f->db), f->path);
}

static void test_open__missing_and_readonly(void **state)
{
	struct fix *f = *state;
	struct attt_db *db = (struct attt_db *)0x1;
	char p[320];

	assert_int_equal(attt_str_printf(p, sizeof(p), "%s/none.db", f->dir), 0);
	assert_int_equal(attt_db_open(p, 0, &db), ATTT_E_NOTFOUND);
	assert_ptr_equal(db, (struct attt_db *)0x1); /* untouched on failure */
	assert_int_equal(access(p, F_OK), -1);

	assert_int_equal(attt_db_exec(f->db, "CREATE TABLE t (x INTEGER)"), ATTT_OK);
	assert_int_equal(attt_db_open(f->path, ATTT_DB_READONLY, &db), ATTT_OK);
	assert_int_equal(query_int(db, "SELECT count(*) FROM t"), 0);
	assert_int_not_equal(attt_db_exec(db, "INSERT INTO t VALUES (1)"), ATTT_OK);
	attt_db_close(db);
	attt_db_close(NULL);
	/* An in-memory database (no WAL possible) opens too. */
	assert_int_equal(attt_db_open(":memory:", ATTT_DB_CREATE, &db), ATTT_OK);
	assert_int_equal(attt_db_migrate(db), ATTT_OK);
	attt_db_close(db);
}

static void test_stmt__bind_and_read_types(void **state)
{
	struct fix *f = *state;
	struct attt_stmt *st = NULL;
	static const unsigned char bin[] = { 0, 1, 2, 0, 0xff };
	const char *s;
	const unsigned char *b;
	size_t n;

	assert_int_equal(attt_db_exec(f->db, "CREATE TABLE t (i INTEGER, s TEXT, b BLOB, n TEXT, e BLOB)"), ATTT_OK);
	assert_int_equal(attt_db_prepare(f->db, "INSERT INTO t (i, s, b, n, e) VALUES (?, ?, ?, ?, ?)", &st), ATTT_OK);
	assert_int_equal(attt_stmt_bind_int64(st, 1, INT64_MIN), ATTT_OK);
	assert_int_equal(attt_stmt_bind_textn(st, 2, "Thái Nguyên-xxx", strlen("Thái Nguyên")), ATTT_OK);
	assert_int_equal(attt_stmt_bind_blob(st, 3, bin, sizeof(bin)), ATTT_OK);
	assert_int_equal(attt_stmt_bind_text(st, 4, NULL), ATTT_OK);
	assert_int_equal(attt_stmt_bind_blob(st, 5, NULL, 0), ATTT_OK);
	assert_int_equal(attt_stmt_step(st), 0);
	assert_int_equal(attt_db_changes(f->db), 1);
	/* Reused after reset: bindings cleared to NULL. */
	assert_int_equal(attt_stmt_reset(st), ATTT_OK);
	assert_int_equal(attt_stmt_bind_int64(st, 1, INT64_MAX), ATTT_OK);
	assert_int_equal(attt_stmt_bind_text(st, 2, "b"), ATTT_OK);
	assert_int_equal(attt_stmt_step(st), 0);
	/* Parameter indexes are checked. */
	assert_int_equal(attt_stmt_bind_int64(st, 0, 1), ATTT_E_RANGE);
	assert_int_equal(attt_stmt_bind_int64(st, 6, 1), ATTT_E_RANGE);
	attt_stmt_finalize(st);
	st = NULL;

	assert_int_equal(attt_db_prepare(f->db, "SELECT i, s, b, n, e FROM t ORDER BY s", &st), ATTT_OK);
	assert_int_equal(attt_stmt_step(st), 1);
	assert_true(attt_stmt_int64(st, 0) == INT64_MIN);
	s = attt_stmt_text(st, 1);
	assert_string_equal(s, "Thái Nguyên");
	b = attt_stmt_blob(st, 2, &n);
	assert_int_equal(n, sizeof(bin));
	assert_memory_equal(b, bin, sizeof(bin));
	assert_true(attt_stmt_is_null(st, 3));
	assert_null(attt_stmt_text(st, 3));
	assert_false(attt_stmt_is_null(st, 4));
	assert_non_null(attt_stmt_blob(st, 4, &n));
	assert_int_equal(n, 0);
	assert_int_equal(attt_stmt_step(st), 1);
	assert_true(attt_stmt_int64(st, 0) == INT64_MAX);
	assert_string_equal(attt_stmt_text(st, 1), "b");
	assert_true(attt_stmt_is_null(st, 2));
	assert_null(attt_stmt_blob(st, 2, &n));
	assert_int_equal(n, 0);
	assert_int_equal(attt_stmt_int64(st, 3), 0);
	assert_int_equal(attt_stmt_step(st), 0);
	attt_stmt_finalize(st);
	attt_stmt_finalize(NULL);
}

static void test_prepare__one_statement_only(void **state)
{
	struct fix *f = *state;
	struct attt_stmt *st = NULL;

	assert_int_equal(attt_db_prepare(f->db, "SELECT 1; SELECT 2", &st), ATTT_E_INVAL);
	assert_null(st);
	assert_int_equal(attt_db_prepare(f->db, "  -- nothing\n", &st), ATTT_E_INVAL);
	assert_int_equal(attt_db_prepare(f->db, "SELEC 1", &st), ATTT_E_DB);
	assert_int_equal(attt_db_prepare(f->db, "SELECT \"no such column\"", &st), ATTT_E_DB);
	assert_int_equal(attt_db_prepare(f->db, "SELECT 1;  \n", &st), ATTT_OK);
	attt_stmt_finalize(st);
}

/* The statement cache: the same SQL text is compiled once and handed out again, reset and without
 * bindings; a nested use of the same SQL gets a private statement; the cache is bounded (least
 * recently used evicted); cached statements survive a schema change and are finalised by close
 * (ASan/valgrind would report a leak otherwise). */
static void test_prepare_cached__reuse_nested_bounded(void **state)
{
	struct fix *f = *state;
	struct attt_stmt *a = NULL, *b = NULL, *c = NULL;
	struct attt_db_cache_stats cs;
	char sql[64], key[32];

	assert_int_equal(attt_db_exec(f->db, "CREATE TABLE c (id INTEGER PRIMARY KEY, v TEXT)"), ATTT_OK);
	assert_int_equal(attt_db_prepare_cached(f->db, "SELECT 1; SELECT 2", &a), ATTT_E_INVAL);
	assert_int_equal(attt_db_prepare_cached(f->db, "INSERT INTO c (v) VALUES (?)", &a), ATTT_OK);
	assert_int_equal(attt_stmt_bind_text(a, 1, "x"), ATTT_OK);
	assert_int_equal(attt_stmt_step(a), 0);
	attt_stmt_finalize(a);
	/* Same text (another buffer): the same statement, bindings cleared (NULL violates nothing here,
	 * so the row shows it). */
	assert_int_equal(attt_str_copy(sql, sizeof(sql), "INSERT INTO c (v) VALUES (?)"), ATTT_OK);
	assert_int_equal(attt_db_prepare_cached(f->db, sql, &b), ATTT_OK);
	assert_ptr_equal(a, b);
	assert_int_equal(attt_stmt_step(b), 0);
	assert_int_equal(query_int(f->db, "SELECT COUNT(*) FROM c WHERE v IS NULL"), 1);
	/* Nested: while b is handed out, the same SQL gives a private statement. */
	assert_int_equal(attt_db_prepare_cached(f->db, sql, &c), ATTT_OK);
	assert_ptr_not_equal(b, c);
	attt_stmt_finalize(c);
	attt_stmt_finalize(b);
	attt_db_cache_stats(f->db, &cs);
	assert_int_equal(cs.hits, 1);
	assert_int_equal(cs.misses, 1);
	assert_int_equal(cs.uncached, 1);
	assert_int_equal(cs.entries, 1);
	/* Handed back mid-result, then the schema changes: the cached statement still works. */
	assert_int_equal(attt_db_prepare_cached(f->db, "SELECT v FROM c ORDER BY id", &a), ATTT_OK);
	assert_int_equal(attt_stmt_step(a), 1);
	attt_stmt_finalize(a);
	assert_int_equal(attt_db_exec(f->db, "ALTER TABLE c ADD COLUMN w INTEGER"), ATTT_OK);
	assert_int_equal(attt_db_prepare_cached(f->db, "SELECT v FROM c ORDER BY id", &a), ATTT_OK);
	assert_int_equal(attt_stmt_step(a), 1);
	assert_string_equal(attt_stmt_text(a, 0), "x");
	attt_stmt_finalize(a);
	/* Bounded: 200 distinct statements keep at most 64. */
	for (int i = 0; i < 200; i++) {
		assert_int_equal(attt_str_printf(key, sizeof(key), "SELECT %d", i), ATTT_OK);
		assert_int_equal(attt_db_prepare_cached(f->db, key, &a), ATTT_OK);
		assert_int_equal(attt_stmt_step(a), 1);
		assert_int_equal(attt_stmt_int64(a, 0), i);
		attt_stmt_finalize(a);
	}
	attt_db_cache_stats(f->db, &cs);
	assert_int_equal(cs.entries, 64);
	assert_true(cs.evictions >= 200 + 2 - 64);
}

static int insert_sql(struct attt_db *db, const char *sql)
{
	struct attt_stmt *st = NULL;
	int r = attt_db_prepare(db, sql, &st);
	if (r < 0)
		return r;
	r = attt_stmt_step(st);
	attt_stmt_finalize(st);
	return r;
}

static void test_step__constraint_errors(void **state)
{
	struct fix *f = *state;
	struct attt_stmt *st = NULL;

	assert_int_equal(attt_db_exec(f->db,
		"CREATE TABLE p (id INTEGER PRIMARY KEY, code TEXT UNIQUE, name TEXT NOT NULL CHECK (name <> ''));"
		"CREATE TABLE c (id INTEGER PRIMARY KEY, p INTEGER NOT NULL REFERENCES p(id));"
		"INSERT INTO p VALUES (1, 'a', 'x');"), ATTT_OK);
	assert_int_equal(insert_sql(f->db, "INSERT INTO p VALUES (2, 'a', 'y')"), ATTT_E_EXISTS); /* UNIQUE */
	assert_int_equal(insert_sql(f->db, "INSERT INTO p VALUES (1, 'b', 'y')"), ATTT_E_EXISTS); /* PK */
	assert_int_equal(insert_sql(f->db, "INSERT INTO p VALUES (3, 'c', NULL)"), ATTT_E_CONFLICT);
	assert_int_equal(insert_sql(f->db, "INSERT INTO p VALUES (3, 'c', '')"), ATTT_E_CONFLICT); /* CHECK */
	assert_int_equal(insert_sql(f->db, "INSERT INTO c VALUES (1, 99)"), ATTT_E_CONFLICT);     /* FK */
	assert_int_equal(insert_sql(f->db, "INSERT INTO c VALUES (1, 1)"), 0);
	assert_int_equal(query_int(f->db, "SELECT count(*) FROM p"), 1);

	/* A statement that failed can be stepped again with other values. */
	assert_int_equal(attt_db_prepare(f->db, "INSERT INTO p (id, code, name) VALUES (?, ?, 'n')", &st), ATTT_OK);
	assert_int_equal(attt_stmt_bind_int64(st, 1, 5), ATTT_OK);
	assert_int_equal(attt_stmt_bind_text(st, 2, "a"), ATTT_OK);
	assert_int_equal(attt_stmt_step(st), ATTT_E_EXISTS);
	assert_int_equal(attt_stmt_bind_text(st, 2, "z"), ATTT_OK);
	assert_int_equal(attt_stmt_step(st), 0);
	attt_stmt_finalize(st);
	/* RETURNING, shared by SQLite and PostgreSQL. */
	assert_int_equal(query_int(f->db, "INSERT INTO p (code, name) VALUES ('r', 'r') RETURNING id"), 6);
}

struct txc {
	int calls;
	int fail_first_with;
	int result;
};

static int tx_insert(struct attt_db *db, void *vctx)
{
	struct txc *c = vctx;
	int r;
	c->calls++;
	r = insert_sql(db, "INSERT INTO t VALUES (1)");
	if (r < 0)
		return r;
	if (c->calls == 1 && c->fail_first_with)
		return c->fail_first_with;
	return c->result;
}

static void test_tx__commit_and_rollback(void **state)
{
	struct fix *f = *state;
	struct txc ok = { 0, 0, 7 }, bad = { 0, ATTT_E_INVAL, 0 };

	assert_int_equal(attt_db_exec(f->db, "CREATE TABLE t (x INTEGER)"), ATTT_OK);
	assert_int_equal(attt_db_tx(f->db, tx_insert, &ok), 7);
	assert_int_equal(ok.calls, 1);
	assert_int_equal(query_int(f->db, "SELECT count(*) FROM t"), 1);
	assert_false(attt_db_in_tx(f->db));

	assert_int_equal(attt_db_tx(f->db, tx_insert, &bad), ATTT_E_INVAL);
	assert_int_equal(bad.calls, 1); /* not a busy error: no retry */
	assert_int_equal(query_int(f->db, "SELECT count(*) FROM t"), 1);
	assert_false(attt_db_in_tx(f->db));

	/* Explicit begin/commit/rollback, and the state errors. */
	assert_int_equal(attt_db_commit(f->db), ATTT_E_STATE);
	assert_int_equal(attt_db_rollback(f->db), ATTT_OK);
	assert_int_equal(attt_db_begin(f->db), ATTT_OK);
	assert_int_equal(attt_db_begin(f->db), ATTT_E_STATE);
	assert_int_equal(insert_sql(f->db, "INSERT INTO t VALUES (2)"), 0);
	/* Nested attt_db_tx joins the outer transaction. */
	ok.calls = 0;
	assert_int_equal(attt_db_tx(f->db, tx_insert, &ok), 7);
	assert_true(attt_db_in_tx(f->db));
	assert_int_equal(attt_db_rollback(f->db), ATTT_OK);
	assert_int_equal(query_int(f->db, "SELECT count(*) FROM t"), 1);
	assert_int_equal(attt_db_begin(f->db), ATTT_OK);
	assert_int_equal(insert_sql(f->db, "INSERT INTO t VALUES (3)"), 0);
	assert_int_equal(attt_db_commit(f->db), ATTT_OK);
	assert_int_equal(query_int(f->db, "SELECT count(*) FROM t"), 2);
}

struct release {
	struct attt_db *holder;
	int calls;
	int release_at; /* commit the holder's transaction at this call; -1: never */
};

static void backoff_release(void *vctx, int attempt)
{
	struct release *c = vctx;
	assert_int_equal(attempt, c->calls);
	c->calls++;
	if (c->calls == c->release_at)
		assert_int_equal(attt_db_commit(c->holder), ATTT_OK);
}

static void test_tx__retried_while_other_connection_writes(void **state)
{
	struct fix *f = *state;
	struct attt_db *b = NULL;
	struct release rel = { f->db, 0, 2 };
	struct txc c = { 0, 0, 0 };

	assert_int_equal(attt_db_exec(f->db, "CREATE TABLE t (x INTEGER)"), ATTT_OK);
	assert_int_equal(attt_db_open(f->path, 0, &b), ATTT_OK);
	assert_int_equal(attt_db_set_busy_timeout(b, 0), ATTT_OK);
	attt_db_set_backoff(b, backoff_release, &rel);

	/* Connection A holds the write lock; B's transaction meets it twice, then A commits. */
	assert_int_equal(attt_db_begin(f->db), ATTT_OK);
	assert_int_equal(insert_sql(f->db, "INSERT INTO t VALUES (10)"), 0);
	assert_int_equal(attt_db_tx(b, tx_insert, &c), ATTT_OK);
	assert_int_equal(rel.calls, 2);
	assert_int_equal(c.calls, 1); /* fn only ran once it held the lock */
	assert_int_equal(query_int(b, "SELECT count(*) FROM t"), 2);

	/* A lock that is never released: B gives up after ATTT_DB_BUSY_RETRIES retries. */
	rel.calls = 0;
	rel.release_at = -1;
	c.calls = 0;
	assert_int_equal(attt_db_begin(f->db), ATTT_OK);
	assert_int_equal(attt_db_tx(b, tx_insert, &c), ATTT_E_BUSY);
	assert_int_equal(rel.calls, ATTT_DB_BUSY_RETRIES);
	assert_int_equal(c.calls, 0);
	assert_int_equal(attt_db_rollback(f->db), ATTT_OK);
	attt_db_close(b);
}

static void count_backoff(void *vctx, int attempt)
{
	(void)attempt;
	(*(int *)vctx)++;
}

static void test_tx__busy_inside_fn_retries_whole_transaction(void **state)
{
	struct fix *f = *state;
	struct txc c = { 0, ATTT_E_BUSY, 3 };
	int pauses = 0;

	assert_int_equal(attt_db_exec(f->db, "CREATE TABLE t (x INTEGER)"), ATTT_OK);
	attt_db_set_backoff(f->db, count_backoff, &pauses);
	assert_int_equal(attt_db_tx(f->db, tx_insert, &c), 3);
	assert_int_equal(c.calls, 2);
	assert_int_equal(pauses, 1);
	/* The first attempt's insert was rolled back: one row, not two. */
	assert_int_equal(query_int(f->db, "SELECT count(*) FROM t"), 1);
}

static void test_migrate__applies_once(void **state)
{
	struct fix *f = *state;
	int64_t v = -1, at1, at2;

	assert_true(attt_db_schema_latest() >= 1);
	assert_int_equal(attt_db_schema_version(f->db, &v), ATTT_OK);
	assert_int_equal(v, 0);
	assert_int_equal(attt_db_migrate(f->db), ATTT_OK);
	assert_int_equal(attt_db_schema_version(f->db, &v), ATTT_OK);
	assert_int_equal(v, attt_db_schema_latest());
	assert_int_equal(query_int(f->db, "SELECT count(*) FROM schema_migrations"), (int64_t)attt__migrations_count);
	assert_int_equal(query_int(f->db, "SELECT count(*) FROM schema_migrations WHERE version = 1 AND name = 'core'"), 1);
	assert_int_equal(query_int(f->db, "SELECT count(*) FROM meta"), 0); /* 0001_core */
	at1 = query_int(f->db, "SELECT sum(applied_at) FROM schema_migrations");
	assert_true(at1 > 0);

	assert_int_equal(attt_db_migrate(f->db), ATTT_OK);
	at2 = query_int(f->db, "SELECT sum(applied_at) FROM schema_migrations");
	assert_true(at1 == at2);
	assert_int_equal(query_int(f->db, "SELECT count(*) FROM schema_migrations"), (int64_t)attt__migrations_count);
	assert_int_equal(attt__migrations[attt__migrations_count].version, 0); /* the sentinel row */
}

static void test_migrate__up_to_date_takes_no_write_lock(void **state)
{
	struct fix *f = *state;
	struct attt_db *b = NULL;

	assert_int_equal(attt_db_migrate(f->db), ATTT_OK);
	/* Another connection holds the write lock; a server opening more connections must not wait. */
	assert_int_equal(attt_db_begin(f->db), ATTT_OK);
	assert_int_equal(attt_db_open(f->path, 0, &b), ATTT_OK);
	assert_int_equal(attt_db_set_busy_timeout(b, 0), ATTT_OK);
	assert_int_equal(attt_db_migrate(b), ATTT_OK);
	attt_db_close(b);
	assert_int_equal(attt_db_rollback(f->db), ATTT_OK);
}

static void test_migrate__concurrent_processes(void **state)
{
	struct fix *f = *state;
	enum { N = 4 };
	pid_t pids[N];
	int status;

	/* Several processes (a server and CLI commands) start on a fresh database at once: all succeed
	 * and every migration is applied exactly once. */
	for (int i = 0; i < N; i++) {
		pids[i] = fork();
		assert_true(pids[i] >= 0);
		if (pids[i] == 0) {
			struct attt_db *db = NULL;
			int r = attt_db_open(f->path, 0, &db);
			if (r >= 0)
				r = attt_db_migrate(db);
			attt_db_close(db);
			_exit(r == ATTT_OK ? 0 : 1);
		}
	}
	for (int i = 0; i < N; i++) {
		assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
	}
	assert_int_equal(query_int(f->db, "SELECT count(*) FROM schema_migrations"), (int64_t)attt__migrations_count);
	assert_int_equal(query_int(f->db, "SELECT count(DISTINCT version) FROM schema_migrations"),
			 (int64_t)attt__migrations_count);
}

static void test_migrate__newer_database_refused(void **state)
{
	struct fix *f = *state;
	char sql[200];

	assert_int_equal(attt_db_migrate(f->db), ATTT_OK);
	assert_int_equal(attt_str_printf(sql, sizeof(sql),
		"INSERT INTO schema_migrations VALUES (%d, 'future', 1)", attt_db_schema_latest() + 1), 0);
	assert_int_equal(attt_db_exec(f->db, sql), ATTT_OK);
	assert_int_equal(attt_db_migrate(f->db), ATTT_E_STATE);
}

static void test_migrate__failure_keeps_previous_version(void **state)
{
	struct fix *f = *state;
	const struct attt__migration bad[] = {
		{ 1, "one", "CREATE TABLE a (x INTEGER);" },
		{ 2, "two", "CREATE TABLE b (x INTEGER); INSERT INTO nowhere VALUES (1);" },
		{ 3, "three", "CREATE TABLE c (x INTEGER);" },
	};
	const struct attt__migration good[] = {
		{ 1, "one", "CREATE TABLE a (x INTEGER);" },
		{ 2, "two", "CREATE TABLE b (x INTEGER);" },
		{ 3, "three", "CREATE TABLE c (x INTEGER);" },
	};
	const struct attt__migration gap[] = {
		{ 1, "one", "CREATE TABLE a (x INTEGER);" },
		{ 3, "three", "CREATE TABLE c (x INTEGER);" },
	};
	const struct attt__migration unsorted[] = {
		{ 2, "two", "SELECT 1;" },
		{ 1, "one", "SELECT 1;" },
	};
	int64_t v;

	assert_int_equal(attt__db_migrate_list(f->db, bad, 3), ATTT_E_DB);
	assert_int_equal(attt_db_schema_version(f->db, &v), ATTT_OK);
	assert_int_equal(v, 1);
	assert_int_equal(query_int(f->db, "SELECT count(*) FROM sqlite_master WHERE name = 'b'"), 0);
	assert_int_equal(attt__db_migrate_list(f->db, good, 3), ATTT_OK);
	assert_int_equal(attt_db_schema_version(f->db, &v), ATTT_OK);
	assert_int_equal(v, 3);
	/* A database that recorded 2 is not run by a binary without 2. */
	assert_int_equal(attt__db_migrate_list(f->db, gap, 2), ATTT_E_STATE);
	assert_int_equal(attt__db_migrate_list(f->db, unsorted, 2), ATTT_E_INTERNAL);
}

/* R10.1.b: the online copy that backups of a running server rely on. */
static void test_backup__readable_consistent_copy(void **state)
{
	struct fix *f = *state;
	struct attt_db *w = NULL, *copy = NULL;
	char out[320], mode[32];
	struct stat st;

	assert_int_equal(attt_db_migrate(f->db), ATTT_OK);
	assert_int_equal(attt_db_exec(f->db, "CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1), (2), (3);"), ATTT_OK);
	/* Another connection is half-way through a write: the copy must not see it. */
	assert_int_equal(attt_db_open(f->path, 0, &w), ATTT_OK);
	assert_int_equal(attt_db_begin(w), ATTT_OK);
	assert_int_equal(insert_sql(w, "INSERT INTO t VALUES (4)"), 0);

	assert_int_equal(attt_str_printf(out, sizeof(out), "%s/copy.db", f->dir), 0);
	assert_int_equal(attt_db_backup_to(f->db, out), ATTT_OK);
	assert_int_equal(attt_db_commit(w), ATTT_OK);
	attt_db_close(w);

	assert_int_equal(stat(out, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(attt_db_open(out, ATTT_DB_READONLY, &copy), ATTT_OK);
	assert_int_equal(query_int(copy, "SELECT count(*) FROM t"), 3);
	assert_int_equal(query_int(copy, "SELECT sum(x) FROM t"), 6);
	query_text(copy, "PRAGMA journal_mode", mode, sizeof(mode));
	assert_string_equal(mode, "delete");
	assert_int_equal(query_int(copy, "SELECT count(*) FROM schema_migrations"), (int64_t)attt__migrations_count);
	attt_db_close(copy);

	/* Never overwrites. */
	assert_int_equal(attt_db_backup_to(f->db, out), ATTT_E_EXISTS);
	assert_int_equal(attt_str_printf(out, sizeof(out), "%s/no/such/dir/copy.db", f->dir), 0);
	assert_int_equal(attt_db_backup_to(f->db, out), ATTT_E_IO);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_open__pragmas, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open__missing_and_readonly, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stmt__bind_and_read_types, setup, teardown),
		cmocka_unit_test_setup_teardown(test_prepare__one_statement_only, setup, teardown),
		cmocka_unit_test_setup_teardown(test_prepare_cached__reuse_nested_bounded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_step__constraint_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tx__commit_and_rollback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tx__retried_while_other_connection_writes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tx__busy_inside_fn_retries_whole_transaction, setup, teardown),
		cmocka_unit_test_setup_teardown(test_migrate__applies_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_migrate__up_to_date_takes_no_write_lock, setup, teardown),
		cmocka_unit_test_setup_teardown(test_migrate__concurrent_processes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_migrate__newer_database_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_migrate__failure_keeps_previous_version, setup, teardown),
		cmocka_unit_test_setup_teardown(test_backup__readable_consistent_copy, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
