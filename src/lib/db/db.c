/*
 * db.c: the SQLite engine behind db.h.
 *
 * A struct attt_db is one SQLite connection opened NOMUTEX (one connection per thread), with WAL,
 * synchronous=FULL, foreign keys and a busy timeout. SQLite errors become enum attt_err here and
 * nowhere else: UNIQUE and PRIMARY KEY violations are ATTT_E_EXISTS, other constraints
 * ATTT_E_CONFLICT, BUSY and LOCKED ATTT_E_BUSY, everything else ATTT_E_DB (the SQLite message is
 * logged at debug level, never the bound values). SQLite already opens every file O_CLOEXEC.
 *
 * Transactions start with BEGIN IMMEDIATE, so a transaction holds the write lock from its first
 * statement and never fails half-way on a lock upgrade; attt_db_tx retries the whole transaction
 * when it still meets a lock.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "attt/err.h"
#include "attt/limits.h"
#include "attt/log.h"
#include "attt/str.h"
#include "db-int.h"

/* The statement cache (attt_db_prepare_cached): a small array searched linearly, keyed by the SQL
 * text (hash, then the whole text), least recently used entry evicted when full. */
enum { STMT_CACHE = 64 };

struct cache_entry {
	char *sql;           /* owned copy of the key; NULL for a free slot */
	const char *caller;  /* the caller's pointer last time (a string literal, usually): a hint only */
	uint64_t hash;       /* FNV-1a of sql */
	uint64_t used;       /* db->tick when last handed out (LRU) */
	struct attt_stmt *st;
};

struct attt_db {
	sqlite3 *h;
	unsigned flags;
	void (*backoff)(void *ctx, int attempt);
	void *backoff_ctx;
	uint64_t tick;
	struct cache_entry cache[STMT_CACHE];
	struct attt_db_cache_stats stats;
};

struct attt_stmt {
	struct attt_db *db;
	sqlite3_stmt *h;
	bool cached; /* owned by db->cache: finalize hands it back instead */
	bool in_use; /* a cached statement currently handed out */
};

int attt__db_err(struct attt_db *db, int rc, const char *what)
{
	int ext = rc > 0xff ? rc : db && db->h ? sqlite3_extended_errcode(db->h) : rc;
	const char *msg = db && db->h ? sqlite3_errmsg(db->h) : sqlite3_errstr(rc);
	int r;

	/* rc is the primary code of the failing call; the connection's extended code refines it. */
	switch (rc & 0xff) {
	case SQLITE_CONSTRAINT:
		if ((ext & 0xff) == SQLITE_CONSTRAINT &&
		    (ext == SQLITE_CONSTRAINT_UNIQUE || ext == SQLITE_CONSTRAINT_PRIMARYKEY))
			r = ATTT_E_EXISTS;
		else
			r = ATTT_E_CONFLICT;
		break;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		r = ATTT_E_BUSY;
		break;
	case SQLITE_NOMEM:
		r = ATTT_E_NOMEM;
		break;
	case SQLITE_TOOBIG:
		r = ATTT_E_TOOBIG;
		break;
	case SQLITE_RANGE: /* a parameter index that the statement does not have */
		r = ATTT_E_RANGE;
		break;
	default:
		r = ATTT_E_DB;
		break;
	}
	log_debug("sqlite %s: %s (%d/%d)", what, msg, rc, ext);
	return r;
}

static void default_backoff(void *ctx, int attempt)
{
	/* 1 ms, 2 ms, ... up to 20 ms, plus up to 1 ms of jitter so that two retrying writers part. */
	long ms = attempt < 20 ? attempt + 1 : 20;
	unsigned int jitter = 0;
	struct timespec ts;
	(void)ctx;
	sqlite3_randomness((int)sizeof(jitter), &jitter);
	ts.tv_sec = 0;
	ts.tv_nsec = ms * 1000000L + (long)(jitter % 1000000u);
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Switches to WAL and checks that it took: SQLite falls back silently (to "delete") where WAL
 * cannot work, e.g. without shared memory; an in-memory database reports "memory", which is fine. */
static int set_wal(struct attt_db *db)
{
	struct attt_stmt *st = NULL;
	const char *mode;
	int r;

	r = attt_db_prepare(db, "PRAGMA journal_mode=WAL", &st);
	if (r < 0)
		return r;
	r = attt_stmt_step(st);
	if (r == 1) {
		mode = attt_stmt_text(st, 0);
		if (mode && (strcmp(mode, "wal") == 0 || strcmp(mode, "memory") == 0)) {
			r = ATTT_OK;
		} else {
			log_debug("sqlite journal_mode is %s, not wal", mode ? mode : "NULL");
			r = ATTT_E_DB;
		}
	} else if (r == 0) {
		r = ATTT_E_DB;
	}
	attt_stmt_finalize(st);
	return r;
}

/* Before SQLite's first use: no bulk page-cache allocation per cache. Every statement with a
 * RETURNING clause (the inserts that return their new id) opens an ephemeral table whose cache
 * allocated 20 pages (87 KB) up front and freed them at reset; between inserts that allocate
 * nothing else, glibc trimmed the heap and grew it again every time (two brk calls per row: a
 * 50 000-person import spent 0.65 s in the kernel). Pages are now allocated as they are used. */
static pthread_once_t sqlite_once = PTHREAD_ONCE_INIT;

static void configure_sqlite(void)
{
	/* SQLITE_MISUSE if SQLite was initialised already (another library, a test): harmless. */
	(void)sqlite3_config(SQLITE_CONFIG_PAGECACHE, (void *)NULL, 0, 0);
}

int attt_db_open(const char *path, unsigned flags, struct attt_db **ret)
{
	struct attt_db *db = NULL;
	struct stat st;
	int oflags = SQLITE_OPEN_NOMUTEX;
	int rc, r;

	if (!path || !*path || !ret)
		return ATTT_E_INVAL;
	if (strlen(path) >= ATTT_MAX_PATH)
		return ATTT_E_TOOBIG;
	if (!(flags & ATTT_DB_CREATE) && stat(path, &st) < 0)
		return errno == ENOENT ? ATTT_E_NOTFOUND : ATTT_E_IO;
	if (flags & ATTT_DB_READONLY)
		oflags |= SQLITE_OPEN_READONLY;
	else
		oflags |= SQLITE_OPEN_READWRITE | ((flags & ATTT_DB_CREATE) ? SQLITE_OPEN_CREATE : 0);

	(void)pthread_once(&sqlite_once, configure_sqlite);
	db = calloc(1, sizeof(*db));
	if (!db)
		return ATTT_E_NOMEM;
	db->flags = flags;
	db->backoff = default_backoff;
	rc = sqlite3_open_v2(path, &db->h, oflags, NULL);
	if (rc != SQLITE_OK) {
		r = attt__db_err(db, rc, "open");
		goto out;
	}
	sqlite3_extended_result_codes(db->h, 1);
	rc = sqlite3_busy_timeout(db->h, ATTT_DB_BUSY_TIMEOUT_MS);
	if (rc != SQLITE_OK) {
		r = attt__db_err(db, rc, "busy_timeout");
		goto out;
	}
	/* "x" is an identifier only, never a string, as in PostgreSQL: SQL that works here works there. */
	sqlite3_db_config(db->h, SQLITE_DBCONFIG_DQS_DML, 0, (int *)NULL);
	sqlite3_db_config(db->h, SQLITE_DBCONFIG_DQS_DDL, 0, (int *)NULL);
	if (!(flags & ATTT_DB_READONLY)) {
		/* R10.1.a: WAL lets readers run beside the one writer; synchronous=FULL makes every
		 * commit that was acknowledged to a user durable across power loss. */
		r = set_wal(db);
		if (r < 0)
			goto out;
		r = attt_db_exec(db, "PRAGMA synchronous=FULL");
		if (r < 0)
			goto out;
	} else {
		r = attt_db_exec(db, "PRAGMA query_only=ON");
		if (r < 0)
			goto out;
	}
	r = attt_db_exec(db, "PRAGMA foreign_keys=ON");
	if (r < 0)
		goto out;
	*ret = db;
	db = NULL;
	r = ATTT_OK;
out:
	attt_db_close(db);
	return r;
}

static void cache_free(struct attt_db *db)
{
	for (size_t i = 0; i < STMT_CACHE; i++) {
		struct cache_entry *e = &db->cache[i];
		if (!e->sql)
			continue;
		sqlite3_finalize(e->st->h);
		free(e->st);
		free(e->sql);
		*e = (struct cache_entry){ 0 };
	}
}

void attt_db_close(struct attt_db *db)
{
	if (!db)
		return;
	cache_free(db);
	if (db->h) {
		int rc = sqlite3_close(db->h);
		if (rc != SQLITE_OK) {
			/* A statement was left unfinalised: a bug in the caller. Close when it goes. */
			log_debug("sqlite close: %s", sqlite3_errmsg(db->h));
			sqlite3_close_v2(db->h);
		}
	}
	free(db);
}

int attt_db_set_busy_timeout(struct attt_db *db, int ms)
{
	int rc;
	if (ms < 0)
		return ATTT_E_RANGE;
	rc = sqlite3_busy_timeout(db->h, ms);
	return rc == SQLITE_OK ? ATTT_OK : attt__db_err(db, rc, "busy_timeout");
}

void attt_db_set_backoff(struct attt_db *db, void (*fn)(void *ctx, int attempt), void *ctx)
{
	db->backoff = fn ? fn : default_backoff;
	db->backoff_ctx = fn ? ctx : NULL;
}

int attt_db_exec(struct attt_db *db, const char *sql)
{
	int rc;
	if (!db || !sql)
		return ATTT_E_INVAL;
	rc = sqlite3_exec(db->h, sql, NULL, NULL, NULL);
	return rc == SQLITE_OK ? ATTT_OK : attt__db_err(db, rc, "exec");
}

static int prepare(struct attt_db *db, const char *sql, size_t n, struct attt_stmt **ret)
{
	struct attt_stmt *st = NULL;
	const char *tail = NULL;
	int rc, r;

	st = calloc(1, sizeof(*st));
	if (!st)
		return ATTT_E_NOMEM;
	st->db = db;
	rc = sqlite3_prepare_v2(db->h, sql, (int)n + 1, &st->h, &tail);
	if (rc != SQLITE_OK) {
		r = attt__db_err(db, rc, "prepare");
		goto out;
	}
	if (!st->h) { /* only white space or comments */
		log_debug("sqlite prepare: empty statement");
		r = ATTT_E_INVAL;
		goto out;
	}
	/* One statement per prepare: trailing SQL would otherwise be ignored without a word. */
	while (tail && (*tail == ' ' || *tail == '\t' || *tail == '\n' || *tail == '\r' || *tail == ';'))
		tail++;
	if (tail && *tail) {
		log_debug("sqlite prepare: more than one statement");
		r = ATTT_E_INVAL;
		goto out;
	}
	*ret = st;
	st = NULL;
	r = ATTT_OK;
out:
	attt_stmt_finalize(st);
	return r;
}

int attt_db_prepare(struct attt_db *db, const char *sql, struct attt_stmt **ret)
{
	size_t n;

	if (!db || !sql || !ret)
		return ATTT_E_INVAL;
	n = strlen(sql);
	if (n > ATTT_MAX_TEXT)
		return ATTT_E_TOOBIG;
	return prepare(db, sql, n, ret);
}

static uint64_t sql_hash(const char *s, size_t *ret_len)
{
	uint64_t h = 0xcbf29ce484222325u;
	const char *p = s;

	for (; *p; p++)
		h = (h ^ (unsigned char)*p) * 0x100000001b3u;
	*ret_len = (size_t)(p - s);
	return h;
}

int attt_db_prepare_cached(struct attt_db *db, const char *sql, struct attt_stmt **ret)
{
	struct cache_entry *free_e = NULL, *old = NULL;
	struct attt_stmt *st = NULL;
	uint64_t h;
	size_t n;
	char *key;
	int r;

	if (!db || !sql || !ret)
		return ATTT_E_INVAL;
	/* Fast path: the same pointer as last time (hot paths pass literals), confirmed by the text. */
	for (size_t i = 0; i < STMT_CACHE; i++) {
		struct cache_entry *e = &db->cache[i];
		if (e->sql && e->caller == sql && !e->st->in_use && strcmp(e->sql, sql) == 0) {
			e->st->in_use = true;
			e->used = ++db->tick;
			db->stats.hits++;
			*ret = e->st;
			return ATTT_OK;
		}
	}
	h = sql_hash(sql, &n);
	if (n > ATTT_MAX_TEXT)
		return ATTT_E_TOOBIG;
	db->tick++;
	for (size_t i = 0; i < STMT_CACHE; i++) {
		struct cache_entry *e = &db->cache[i];
		if (!e->sql) {
			if (!free_e)
				free_e = e;
			continue;
		}
		if (e->hash == h && strcmp(e->sql, sql) == 0) {
			if (e->st->in_use) {
				/* The same SQL is already running (a nested use): a private copy. */
				db->stats.uncached++;
				return prepare(db, sql, n, ret);
			}
			e->st->in_use = true;
			e->used = db->tick;
			e->caller = sql;
			db->stats.hits++;
			*ret = e->st;
			return ATTT_OK;
		}
		if (!e->st->in_use && (!old || e->used < old->used))
			old = e;
	}
	r = prepare(db, sql, n, &st);
	if (r < 0)
		return r;
	db->stats.misses++;
	if (!free_e && !old) { /* every entry is handed out: this one stays private */
		db->stats.uncached++;
		*ret = st;
		return ATTT_OK;
	}
	key = malloc(n + 1);
	if (key)
		memcpy(key, sql, n + 1);
	if (!key) { /* no room for the key: still a working statement, just not kept */
		db->stats.uncached++;
		*ret = st;
		return ATTT_OK;
	}
	if (!free_e) {
		sqlite3_finalize(old->st->h);
		free(old->st);
		free(old->sql);
		db->stats.evictions++;
		free_e = old;
	}
	st->cached = true;
	st->in_use = true;
	*free_e = (struct cache_entry){ .sql = key, .caller = sql, .hash = h, .used = db->tick, .st = st };
	*ret = st;
	return ATTT_OK;
}

void attt_db_cache_stats(struct attt_db *db, struct attt_db_cache_stats *ret)
{
	*ret = db->stats;
	ret->entries = 0;
	for (size_t i = 0; i < STMT_CACHE; i++)
		ret->entries += db->cache[i].sql != NULL;
}

void attt_stmt_finalize(struct attt_stmt *st)
{
	if (!st)
		return;
	if (st->cached) {
		/* Back to the cache: no lock held, no value kept. */
		sqlite3_reset(st->h);
		sqlite3_clear_bindings(st->h);
		st->in_use = false;
		return;
	}
	sqlite3_finalize(st->h);
	free(st);
}

int attt_stmt_reset(struct attt_stmt *st)
{
	/* sqlite3_reset repeats the error of the last step; the reset itself cannot fail, and the
	 * step already reported that error. */
	sqlite3_reset(st->h);
	sqlite3_clear_bindings(st->h);
	return ATTT_OK;
}

static int bind_rc(struct attt_stmt *st, int rc)
{
	return rc == SQLITE_OK ? ATTT_OK : attt__db_err(st->db, rc, "bind");
}

int attt_stmt_bind_int64(struct attt_stmt *st, int idx, int64_t v)
{
	return bind_rc(st, sqlite3_bind_int64(st->h, idx, (sqlite3_int64)v));
}

int attt_stmt_bind_text(struct attt_stmt *st, int idx, const char *s)
{
	if (!s)
		return attt_stmt_bind_null(st, idx);
	return attt_stmt_bind_textn(st, idx, s, strlen(s));
}

int attt_stmt_bind_textn(struct attt_stmt *st, int idx, const char *s, size_t n)
{
	if (!s)
		return attt_stmt_bind_null(st, idx);
	return bind_rc(st, sqlite3_bind_text64(st->h, idx, s, (sqlite3_uint64)n, SQLITE_TRANSIENT, SQLITE_UTF8));
}

int attt_stmt_bind_blob(struct attt_stmt *st, int idx, const void *p, size_t n)
{
	if (!p && n > 0)
		return ATTT_E_INVAL;
	if (!p) /* an empty blob, not NULL */
		return bind_rc(st, sqlite3_bind_zeroblob(st->h, idx, 0));
	return bind_rc(st, sqlite3_bind_blob64(st->h, idx, p, (sqlite3_uint64)n, SQLITE_TRANSIENT));
}

int attt_stmt_bind_null(struct attt_stmt *st, int idx)
{
	return bind_rc(st, sqlite3_bind_null(st->h, idx));
}

int attt_stmt_step(struct attt_stmt *st)
{
	int rc = sqlite3_step(st->h);
	int r;

	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE) {
		/* Ready to be bound and run again without an explicit reset (it releases its locks). */
		sqlite3_reset(st->h);
		return 0;
	}
	r = attt__db_err(st->db, rc, "step");
	log_debug("in: %s", sqlite3_sql(st->h));
	/* Leave the statement ready for another try (a retried transaction reuses it). */
	sqlite3_reset(st->h);
	return r;
}

int64_t attt_stmt_int64(struct attt_stmt *st, int col)
{
	return (int64_t)sqlite3_column_int64(st->h, col);
}

const char *attt_stmt_text(struct attt_stmt *st, int col)
{
	if (sqlite3_column_type(st->h, col) == SQLITE_NULL)
		return NULL;
	return (const char *)sqlite3_column_text(st->h, col);
}

const void *attt_stmt_blob(struct attt_stmt *st, int col, size_t *ret_len)
{
	const void *p;
	int n;

	if (sqlite3_column_type(st->h, col) == SQLITE_NULL) {
		if (ret_len)
			*ret_len = 0;
		return NULL;
	}
	p = sqlite3_column_blob(st->h, col);
	n = sqlite3_column_bytes(st->h, col);
	if (ret_len)
		*ret_len = n > 0 ? (size_t)n : 0;
	return p ? p : ""; /* an empty blob is not NULL */
}

bool attt_stmt_is_null(struct attt_stmt *st, int col)
{
	return sqlite3_column_type(st->h, col) == SQLITE_NULL;
}

bool attt_db_in_tx(struct attt_db *db)
{
	return sqlite3_get_autocommit(db->h) == 0;
}

int attt_db_begin(struct attt_db *db)
{
	if (attt_db_in_tx(db))
		return ATTT_E_STATE;
	return attt_db_exec(db, (db->flags & ATTT_DB_READONLY) ? "BEGIN" : "BEGIN IMMEDIATE");
}

int attt_db_commit(struct attt_db *db)
{
	if (!attt_db_in_tx(db))
		return ATTT_E_STATE;
	return attt_db_exec(db, "COMMIT");
}

int attt_db_rollback(struct attt_db *db)
{
	/* SQLite rolls some failures back by itself (SQLITE_FULL, IOERR, ...): nothing left to do. */
	if (!attt_db_in_tx(db))
		return ATTT_OK;
	return attt_db_exec(db, "ROLLBACK");
}

int attt_db_tx(struct attt_db *db, int (*fn)(struct attt_db *db, void *ctx), void *ctx)
{
	int r;

	if (!db || !fn)
		return ATTT_E_INVAL;
	/* Inside a caller's transaction: join it. Retrying is the outer attt_db_tx's business. */
	if (attt_db_in_tx(db))
		return fn(db, ctx);
	for (int attempt = 0;; attempt++) {
		r = attt_db_begin(db);
		if (r >= 0) {
			r = fn(db, ctx);
			if (r >= 0) {
				int rc = attt_db_commit(db);
				if (rc >= 0)
					return r;
				r = rc;
			}
			attt_db_rollback(db);
		}
		if (r != ATTT_E_BUSY || attempt >= ATTT_DB_BUSY_RETRIES)
			return r;
		log_debug("transaction busy, retry %d of %d", attempt + 1, ATTT_DB_BUSY_RETRIES);
		db->backoff(db->backoff_ctx, attempt);
	}
}

int64_t attt_db_changes(struct attt_db *db)
{
	return (int64_t)sqlite3_changes64(db->h);
}

const char *attt_db_filename(struct attt_db *db)
{
	const char *f = sqlite3_db_filename(db->h, "main");
	return f ? f : "";
}

static int fsync_path(const char *path, bool dir)
{
	int fd = open(path, (dir ? O_DIRECTORY : 0) | O_RDONLY | O_CLOEXEC);
	int r = ATTT_OK;
	if (fd < 0)
		return ATTT_E_IO;
	if (fsync(fd) < 0)
		r = ATTT_E_IO;
	close(fd);
	return r;
}

/* R10.1.b: a consistent copy of the database, for backups taken while the server runs. */
int attt_db_backup_to(struct attt_db *db, const char *path)
{
	char tmp[ATTT_MAX_PATH], dir[ATTT_MAX_PATH];
	sqlite3 *dst = NULL;
	sqlite3_backup *bk = NULL;
	struct attt_db dstw = { 0 };
	struct stat st;
	char *slash;
	int rc, r, fd;
	bool made = false;

	if (!db || !path || !*path)
		return ATTT_E_INVAL;
	if (lstat(path, &st) == 0)
		return ATTT_E_EXISTS;
	r = attt_str_printf(tmp, sizeof(tmp), "%s.tmp", path);
	if (r < 0)
		return r;
	r = attt_str_copy(dir, sizeof(dir), path);
	if (r < 0)
		return r;
	slash = strrchr(dir, '/');
	if (!slash)
		r = attt_str_copy(dir, sizeof(dir), ".");
	else if (slash == dir)
		slash[1] = '\0';
	else
		*slash = '\0';
	if (r < 0)
		return r;

	/* The copy holds the whole database: only its owner may read it. */
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		r = errno == EEXIST ? ATTT_E_EXISTS : ATTT_E_IO;
		goto out;
	}
	made = true;
	close(fd);
	rc = sqlite3_open_v2(tmp, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
	dstw.h = dst;
	if (rc != SQLITE_OK) {
		r = attt__db_err(&dstw, rc, "backup open");
		goto out;
	}
	bk = sqlite3_backup_init(dst, "main", db->h, "main");
	if (!bk) {
		r = attt__db_err(&dstw, sqlite3_errcode(dst), "backup init");
		goto out;
	}
	/* All pages in one step: the source read transaction makes the copy one consistent snapshot
	 * (writers carry on in WAL mode); a lock held elsewhere is waited out a bounded number of times. */
	for (int tries = 0;; tries++) {
		rc = sqlite3_backup_step(bk, -1);
		if (rc == SQLITE_DONE)
			break;
		if ((rc == SQLITE_BUSY || rc == SQLITE_LOCKED) && tries < ATTT_DB_BUSY_RETRIES) {
			sqlite3_sleep(10);
			continue;
		}
		r = attt__db_err(db, rc, "backup step");
		goto out;
	}
	rc = sqlite3_backup_finish(bk);
	bk = NULL;
	if (rc != SQLITE_OK) {
		r = attt__db_err(&dstw, rc, "backup finish");
		goto out;
	}
	/* A self-contained single file: no -wal beside it. */
	rc = sqlite3_exec(dst, "PRAGMA journal_mode=DELETE", NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		r = attt__db_err(&dstw, rc, "backup journal_mode");
		goto out;
	}
	rc = sqlite3_close(dst);
	dst = NULL;
	if (rc != SQLITE_OK) {
		r = ATTT_E_DB;
		goto out;
	}
	r = fsync_path(tmp, false);
	if (r < 0)
		goto out;
	if (rename(tmp, path) < 0) {
		r = ATTT_E_IO;
		goto out;
	}
	made = false;
	r = fsync_path(dir, true);
out:
	if (bk)
		sqlite3_backup_finish(bk);
	if (dst)
		sqlite3_close_v2(dst);
	if (made)
		unlink(tmp);
	return r;
}
