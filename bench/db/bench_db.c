/*
 * bench_db.c: figures for docs/performance.md "## Database": what the db layer costs over raw
 * SQLite with the same settings (WAL, synchronous=FULL), durable single-row transactions per second,
 * batched inserts, opening an up-to-date database (must write nothing), applying all migrations,
 * attt_app_init, and the online backup's throughput. Run bench/db/run; prints one line per figure.
 * Not part of make test (it fsyncs thousands of times).
 */
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>
#include <sqlite3.h>

#include "attt/app.h"
#include "attt/db.h"
#include "attt/err.h"
#include "attt/str.h"

static char tmp[256];

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int rm_one(const char *p, const struct stat *sb, int type, struct FTW *ftw)
{
	(void)sb;
	(void)type;
	(void)ftw;
	return remove(p);
}

static void die(const char *what, int r)
{
	fprintf(stderr, "bench_db: %s: %s\n", what, attt_strerror(r));
	nftw(tmp, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	exit(1);
}

struct ins {
	struct attt_stmt *st;
	int64_t i;
	int rows;
};

static int insert_rows(struct attt_db *db, void *vctx)
{
	struct ins *c = vctx;
	int r;
	(void)db;
	for (int k = 0; k < c->rows; k++) {
		if ((r = attt_stmt_bind_int64(c->st, 1, c->i)) < 0 ||
		    (r = attt_stmt_bind_text(c->st, 2, "Sở Thông tin và Truyền thông tỉnh Thái Nguyên")) < 0)
			return r;
		r = attt_stmt_step(c->st);
		if (r < 0)
			return r;
		c->i++;
	}
	return ATTT_OK;
}

/* Single-row durable transactions through the layer. */
static double layer_tx(const char *path, int n, int rows)
{
	struct attt_db *db = NULL;
	struct ins c = { NULL, 0, rows };
	double t0, t;
	int r;

	if ((r = attt_db_open(path, ATTT_DB_CREATE, &db)) < 0)
		die("open", r);
	if ((r = attt_db_exec(db, "CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, name TEXT NOT NULL)")) < 0)
		die("create", r);
	if ((r = attt_db_prepare(db, "INSERT INTO t (id, name) VALUES (?, ?)", &c.st)) < 0)
		die("prepare", r);
	t0 = now_s();
	for (int k = 0; k < n; k++)
		if ((r = attt_db_tx(db, insert_rows, &c)) < 0)
			die("tx", r);
	t = now_s() - t0;
	attt_stmt_finalize(c.st);
	attt_db_close(db);
	return t;
}

/* The same through raw SQLite, same pragmas. */
static double raw_tx(const char *path, int n, int rows)
{
	sqlite3 *h = NULL;
	sqlite3_stmt *st = NULL;
	int64_t i = 0;
	double t0, t;

	if (sqlite3_open_v2(path, &h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
		die("raw open", ATTT_E_DB);
	sqlite3_exec(h, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
			"CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, name TEXT NOT NULL)", NULL, NULL, NULL);
	sqlite3_busy_timeout(h, 5000);
	sqlite3_prepare_v2(h, "INSERT INTO t (id, name) VALUES (?, ?)", -1, &st, NULL);
	t0 = now_s();
	for (int k = 0; k < n; k++) {
		sqlite3_exec(h, "BEGIN IMMEDIATE", NULL, NULL, NULL);
		for (int j = 0; j < rows; j++) {
			sqlite3_bind_int64(st, 1, i++);
			sqlite3_bind_text(st, 2, "Sở Thông tin và Truyền thông tỉnh Thái Nguyên", -1, SQLITE_TRANSIENT);
			if (sqlite3_step(st) != SQLITE_DONE)
				die("raw step", ATTT_E_DB);
			sqlite3_reset(st);
		}
		if (sqlite3_exec(h, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
			die("raw commit", ATTT_E_DB);
	}
	t = now_s() - t0;
	sqlite3_finalize(st);
	sqlite3_close(h);
	return t;
}

static void path_in(char *buf, size_t size, const char *name)
{
	if (attt_str_printf(buf, size, "%s/%s", tmp, name) < 0)
		die("path", ATTT_E_TOOBIG);
}

int main(void)
{
	int n = 2000;
	char a[400], b[400], c[400], d[400];
	struct attt_db *db = NULL;
	struct stat st;
	double t, tr;
	int r;

	if (sodium_init() < 0)
		return 1;
	if (attt_str_printf(tmp, sizeof(tmp), "%s/attt-bench-db-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/var/tmp") < 0 ||
	    !mkdtemp(tmp))
		return 1;

	path_in(a, sizeof(a), "layer.db");
	path_in(b, sizeof(b), "raw.db");
	/* Durable single-row transactions: fsync-bound, the figure a user's click waits on. */
	t = layer_tx(a, n, 1);
	tr = raw_tx(b, n, 1);
	printf("single-row tx (synchronous=FULL): layer %.0f tx/s, raw sqlite %.0f tx/s, ratio %.2f\n", n / t, n / tr,
	       tr / t);
	/* Batched: 100 transactions of 1000 rows, where the layer's own cost shows. */
	path_in(a, sizeof(a), "layer-batch.db");
	path_in(b, sizeof(b), "raw-batch.db");
	t = layer_tx(a, 100, 1000);
	tr = raw_tx(b, 100, 1000);
	printf("batched insert (1000 rows/tx): layer %.0f rows/s, raw sqlite %.0f rows/s, ratio %.2f\n", 1e5 / t, 1e5 / tr,
	       tr / t);

	/* Applying every embedded migration to an empty database, then opening it up to date. */
	path_in(c, sizeof(c), "mig.db");
	t = now_s();
	if ((r = attt_db_open(c, ATTT_DB_CREATE, &db)) < 0 || (r = attt_db_migrate(db)) < 0)
		die("migrate", r);
	attt_db_close(db);
	t = now_s() - t;
	printf("open + all %d migrations on an empty database: %.1f ms\n", attt_db_schema_latest(), t * 1e3);
	t = now_s();
	for (int k = 0; k < 100; k++) {
		if ((r = attt_db_open(c, 0, &db)) < 0 || (r = attt_db_migrate(db)) < 0)
			die("reopen", r);
		attt_db_close(db);
	}
	t = now_s() - t;
	printf("open + migrate of an up-to-date database: %.2f ms\n", t * 10);

	/* Online backup of the batched database. */
	path_in(d, sizeof(d), "copy.db");
	if ((r = attt_db_open(a, 0, &db)) < 0)
		die("open", r);
	t = now_s();
	if ((r = attt_db_backup_to(db, d)) < 0)
		die("backup", r);
	t = now_s() - t;
	attt_db_close(db);
	if (stat(d, &st) < 0)
		die("stat", ATTT_E_IO);
	printf("attt_db_backup_to: %.1f MiB in %.1f ms = %.0f MiB/s\n", st.st_size / 1048576.0, t * 1e3,
	       st.st_size / 1048576.0 / t);

	/* attt init: keys, config, database, every fsync. */
	path_in(d, sizeof(d), "data");
	t = now_s();
	if ((r = attt_app_init(d, NULL)) < 0)
		die("init", r);
	t = now_s() - t;
	printf("attt_app_init (keys, attt.ini, migrated attt.db, fsyncs): %.1f ms\n", t * 1e3);

	nftw(tmp, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}
