/*
 * bench_audit.c: figures for docs/performance.md "## Audit". The same durable write transaction
 * (one INSERT into a table shaped like a real record, synchronous=FULL, WAL) plain, with its audit
 * event, and with the floor (an event-sized row in a second table), one per transaction, batched
 * (100 changes per transaction, one event each, or one bulk event for all as an import writes) and
 * shaped like the org module's; rounds
 * interleaved so that the machine's load hits all alike; WAL pages per transaction (what the
 * commit's fsync makes durable); plus the raw rates behind them (leaf hashes, Ed25519 checkpoint
 * signatures, verification, proofs). Run bench/audit/run. Not part of make test (it fsyncs
 * thousands of times).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sys/stat.h>

#include <sodium.h>

#include "attt/audit.h"
#include "attt/db.h"
#include "attt/err.h"
#include "attt/limits.h"
#include "attt/str.h"

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what, int r)
{
	fprintf(stderr, "bench_audit: %s: %s\n", what, attt_strerror(r));
	exit(1);
}

static const struct attt_actor actor = { .account_id = 12, .person_id = 34, .agency_id = 5, .username = "nguyenvana",
					 .session = "s-4f2a", .source = "10.20.30.40" };

static bool with_history; /* the change also writes a history row, as the org module's do */

/* The floor: instead of its audit event, the change writes one event-sized row (the same columns
 * and a 64-byte blob for tree hashes) into a second table without index. An audit trail kept in
 * the same database, in the same transaction, cannot write less than that. */
static bool floor_mode;

/* A bulk operation (an import): the transaction's changes are named by one bulk event
 * (attt_audit_bulk_*), and the floor is one event-sized row per transaction. */
static bool bulk_mode;

static void floor_row(struct attt_db *db, unsigned long n)
{
	static const uint8_t tree[64] = { 1 };
	struct attt_stmt *st = NULL;
	int r;

	if ((r = attt_db_prepare_cached(db,
				 "INSERT INTO bench_floor (seq, time_us, category, action, outcome, actor_account, "
				 "actor_person, actor_agency, actor_name, session, source, agency_id, object_type, object_id, "
				 "rule, summary, tree) VALUES (?, ?, 2, 'person.create', 0, 12, 34, 5, 'nguyenvana', 's-4f2a', "
				 "'10.20.30.40', 5, 'person', ?, 'R7.2', ?, ?)",
				 &st)) < 0 ||
	    (r = attt_stmt_bind_int64(st, 1, (int64_t)n)) < 0 ||
	    (r = attt_stmt_bind_int64(st, 2, attt_now_us(&attt_clock_system))) < 0 ||
	    (r = attt_stmt_bind_int64(st, 3, (int64_t)n)) < 0 ||
	    (r = attt_stmt_bind_text(st, 4, "{\"name\":\"Nguyễn Văn An\",\"agency_id\":5,\"phone\":\"0912345678\"}")) < 0 ||
	    (r = attt_stmt_bind_blob(st, 5, tree, sizeof(tree))) < 0 || (r = attt_stmt_step(st)) < 0)
		die("floor", r);
	attt_stmt_finalize(st);
}

/* One change (and its event when audited); count changes per transaction. */
static void run(struct attt_db *db, unsigned txs, unsigned per_tx, bool audited, unsigned long *next_id)
{
	struct attt_stmt *st = NULL;
	int r;

	for (unsigned t = 0; t < txs; t++) {
		struct attt_audit_bulk *bulk = NULL;
		if ((r = attt_db_begin(db)) < 0)
			die("begin", r);
		if (audited && bulk_mode && !floor_mode) {
			struct attt_audit_event ev = { .category = ATTT_AUDIT_DATA, .action = "person.import",
						       .object_type = "person", .rule = "R7.2",
						       .summary = "{\"file\":\"people.csv\",\"sha256\":"
								  "\"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\"}" };
			if ((r = attt_audit_bulk_begin(db, &attt_clock_system, &actor, &ev, &bulk)) < 0)
				die("bulk", r);
		}
		if (audited && bulk_mode && floor_mode)
			floor_row(db, *next_id);
		for (unsigned i = 0; i < per_tx; i++) {
			char id[32], summary[128];
			unsigned long n = (*next_id)++;
			if ((r = attt_db_prepare_cached(db, "INSERT INTO bench_person (id, name, agency_id, phone) VALUES (?, ?, ?, ?)",
						 &st)) < 0 ||
			    (r = attt_stmt_bind_int64(st, 1, (int64_t)n)) < 0 ||
			    (r = attt_stmt_bind_text(st, 2, "Nguyễn Văn An")) < 0 || (r = attt_stmt_bind_int64(st, 3, 5)) < 0 ||
			    (r = attt_stmt_bind_text(st, 4, "0912345678")) < 0 || (r = attt_stmt_step(st)) < 0)
				die("insert", r);
			attt_stmt_finalize(st);
			st = NULL;
			if (with_history &&
			    ((r = attt_db_prepare_cached(db, "INSERT INTO bench_history (person_id, time_us, change) VALUES (?, ?, ?)",
						  &st)) < 0 ||
			     (r = attt_stmt_bind_int64(st, 1, (int64_t)n)) < 0 || (r = attt_stmt_bind_int64(st, 2, (int64_t)n)) < 0 ||
			     (r = attt_stmt_bind_text(st, 3, "{\"name\":\"Nguyễn Văn An\"}")) < 0 || (r = attt_stmt_step(st)) < 0))
				die("history", r);
			attt_stmt_finalize(st);
			st = NULL;
			if (audited && bulk_mode) {
				if (bulk && (r = attt_audit_bulk_add(bulk, 5, (int64_t)n)) < 0)
					die("bulk add", r);
			} else if (audited && floor_mode) {
				floor_row(db, n);
			} else if (audited) {
				snprintf(id, sizeof(id), "%lu", n);
				snprintf(summary, sizeof(summary), "{\"name\":\"Nguyễn Văn An\",\"agency_id\":5,\"phone\":\"0912345678\"}");
				struct attt_audit_event ev = { .category = ATTT_AUDIT_DATA, .action = "person.create",
							       .object_type = "person", .object_id = id, .agency_id = 5,
							       .rule = "R7.2", .summary = summary };
				if ((r = attt_audit_append(db, &attt_clock_system, &actor, &ev, NULL)) < 0)
					die("append", r);
			}
		}
		if (bulk && (r = attt_audit_bulk_end(bulk, NULL)) < 0)
			die("bulk end", r);
		if ((r = attt_db_commit(db)) < 0)
			die("commit", r);
	}
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* Sorts v. */
static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_d);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

enum { TXS = 400, WAL_TXS = 200, MAX_ROUNDS = 64 }; /* ROUNDS * TXS transactions of each kind */

static const char *wal_path;
static int64_t autockpt = 1000;

static void exec_or_die(struct attt_db *db, const char *sql)
{
	int r = attt_db_exec(db, sql);
	if (r < 0)
		die(sql, r);
}

static long long file_size(const char *p)
{
	struct stat sb;
	return stat(p, &sb) == 0 ? (long long)sb.st_size : 0;
}

/* WAL frames (pages) written per transaction: the bytes the commit's fsync makes durable, which
 * the machine's load does not change. Checkpoints off while counting. */
static double wal_pages(struct attt_db *db, unsigned per_tx, bool audited, bool floor, unsigned long *next_id)
{
	char pragma[64];
	long long before, after;

	exec_or_die(db, "PRAGMA wal_autocheckpoint=0");
	exec_or_die(db, "PRAGMA wal_checkpoint(TRUNCATE)");
	before = file_size(wal_path);
	floor_mode = floor;
	run(db, WAL_TXS, per_tx, audited, next_id);
	floor_mode = false;
	after = file_size(wal_path);
	snprintf(pragma, sizeof(pragma), "PRAGMA wal_autocheckpoint=%lld", (long long)autockpt);
	exec_or_die(db, pragma);
	exec_or_die(db, "PRAGMA wal_checkpoint(TRUNCATE)");
	/* A fresh WAL starts with its 32-byte header; every frame is 24 bytes and a 4096-byte page. */
	return (double)(after - (before ? before : 32)) / (24 + 4096) / WAL_TXS;
}

/* The same transaction plain, with its audit event and with the floor row, interleaved one
 * transaction at a time (the order rotating), txs of each, per_tx changes per transaction. On a
 * machine whose disk other jobs share, fsync latency swings by 10x within seconds: interleaving
 * transaction by transaction exposes the three kinds to the same swings, and the median latency
 * ignores the bursts. Prints the median latency of each, the audit's and the floor's cost from the
 * medians (overall, and the range over five consecutive parts of the run), the cost from the mean
 * latencies (which include the WAL checkpoints SQLite runs inside some commits), and the WAL pages
 * per transaction. */
static void series(struct attt_db *db, const char *what, unsigned txs, unsigned per_tx, unsigned long *next_id)
{
	enum { PARTS = 5 };
	double *lat[3], med[3], mean[3], lo[3] = { 0, 1e300, 1e300 }, hi[3] = { 0, -1e300, -1e300 };

	for (int m = 0; m < 3; m++)
		if (!(lat[m] = calloc(txs, sizeof(double))))
			die("calloc", ATTT_E_NOMEM);
	for (unsigned i = 0; i < txs; i++) {
		for (unsigned k = 0; k < 3; k++) {
			int m = (int)((i + k) % 3); /* 0 plain, 1 audited, 2 floor */
			double t0 = now_s();
			floor_mode = m == 2;
			run(db, 1, per_tx, m != 0, next_id);
			floor_mode = false;
			lat[m][i] = now_s() - t0;
		}
	}
	for (int m = 0; m < 3; m++) {
		mean[m] = 0;
		for (unsigned i = 0; i < txs; i++)
			mean[m] += lat[m][i] / txs;
	}
	/* Per part, then overall (median() sorts: parts first). */
	for (unsigned p = 0; p < PARTS; p++) {
		unsigned a = txs * p / PARTS, n = txs * (p + 1) / PARTS - a;
		double pm[3];
		for (int m = 0; m < 3; m++)
			pm[m] = median(lat[m] + a, (int)n);
		for (int m = 1; m < 3; m++) {
			double c = (pm[m] / pm[0] - 1) * 100;
			lo[m] = c < lo[m] ? c : lo[m];
			hi[m] = c > hi[m] ? c : hi[m];
		}
	}
	for (int m = 0; m < 3; m++)
		med[m] = median(lat[m], (int)txs);
	double wp = wal_pages(db, per_tx, false, false, next_id), wa = wal_pages(db, per_tx, true, false, next_id),
	       wf = wal_pages(db, per_tx, true, true, next_id);
	printf("%s (%u of each, interleaved): median latency plain %.1f us, with audit %.1f us, floor %.1f us; "
	       "audit costs %+.1f %% [parts %+.1f .. %+.1f], floor %+.1f %% [%+.1f .. %+.1f]; from mean latencies "
	       "audit %+.1f %%, floor %+.1f %%; WAL pages per tx: plain %.2f, with audit %.2f, floor %.2f\n",
	       what, txs, med[0] * 1e6, med[1] * 1e6, med[2] * 1e6, (med[1] / med[0] - 1) * 100, lo[1], hi[1],
	       (med[2] / med[0] - 1) * 100, lo[2], hi[2], (mean[1] / mean[0] - 1) * 100, (mean[2] / mean[0] - 1) * 100,
	       wp, wa, wf);
	for (int m = 0; m < 3; m++)
		free(lat[m]);
}

int main(void)
{
	const char *tmpdir = getenv("TMPDIR") ? getenv("TMPDIR") : "/var/tmp";
	const char *rounds_env = getenv("ROUNDS");
	char dir[512], path[600], wal[620];
	struct attt_db *db = NULL;
	unsigned long next_id = 1;
	int64_t rounds = 7;
	int r;

	if (sodium_init() < 0)
		return 1;
	if (rounds_env && (attt_parse_int64(rounds_env, 1, MAX_ROUNDS, &rounds) < 0))
		die("ROUNDS", ATTT_E_INVAL);
	snprintf(dir, sizeof(dir), "%s/attt-bench-audit-XXXXXX", tmpdir);
	if (!mkdtemp(dir))
		die("mkdtemp", ATTT_E_IO);
	snprintf(path, sizeof(path), "%s/bench.db", dir);
	snprintf(wal, sizeof(wal), "%s-wal", path);
	wal_path = wal;
	if ((r = attt_db_open(path, ATTT_DB_CREATE, &db)) < 0 || (r = attt_db_migrate(db)) < 0 ||
	    (r = attt_db_exec(db, "CREATE TABLE bench_person (id INTEGER PRIMARY KEY, name TEXT NOT NULL, "
				  "agency_id INTEGER NOT NULL, phone TEXT); CREATE TABLE bench_history (id INTEGER PRIMARY KEY, "
				  "person_id INTEGER NOT NULL, time_us INTEGER NOT NULL, change TEXT NOT NULL); "
				  "CREATE TABLE bench_floor (seq INTEGER PRIMARY KEY, time_us INTEGER NOT NULL, "
				  "category INTEGER NOT NULL, action TEXT NOT NULL, outcome INTEGER NOT NULL, "
				  "actor_account INTEGER NOT NULL, actor_person INTEGER NOT NULL, actor_agency INTEGER NOT NULL, "
				  "actor_name TEXT, session TEXT, source TEXT, agency_id INTEGER NOT NULL, object_type TEXT, "
				  "object_id TEXT, rule TEXT, summary TEXT, tree BLOB)")) < 0)
		die("open", r);
	/* WAL_AUTOCHECKPOINT=N sets SQLite's wal_autocheckpoint (pages; 0 = never, default 1000), to
	 * measure what the checkpoints run inside commits cost. */
	const char *ckpt = getenv("WAL_AUTOCHECKPOINT");
	if (ckpt) {
		char pragma[64];
		if (attt_parse_int64(ckpt, 0, 1000000, &autockpt) < 0)
			die("WAL_AUTOCHECKPOINT", ATTT_E_INVAL);
		snprintf(pragma, sizeof(pragma), "PRAGMA wal_autocheckpoint=%lld", (long long)autockpt);
		exec_or_die(db, pragma);
	}
	/* Warm up every path (page cache, WAL). */
	run(db, 50, 1, false, &next_id);
	run(db, 50, 1, true, &next_id);
	floor_mode = true;
	run(db, 50, 1, true, &next_id);
	floor_mode = false;
	/* ONLY=plain|audit|floor runs 2000 single-row transactions of that kind and nothing else (bulk:
	 * 2000 transactions of 100 changes and their bulk event): under
	 * valgrind --tool=callgrind, the difference of two runs' instruction counts / 2000 is the CPU an
	 * event adds, whatever the machine's load. */
	const char *only = getenv("ONLY");
	if (only) {
		floor_mode = strcmp(only, "floor") == 0;
		bulk_mode = strcmp(only, "bulk") == 0; /* 2000 imports of 100 people */
		run(db, 2000, bulk_mode ? 100 : 1, strcmp(only, "plain") != 0, &next_id);
		attt_db_close(db);
		goto done;
	}
	printf("synchronous=FULL, WAL; floor = the change plus one event-sized row in an unindexed second table\n");
	series(db, "single-row transactions", (unsigned)rounds * TXS, 1, &next_id);
	series(db, "batched, 100 changes per transaction, one event each", (unsigned)rounds * 40, 100, &next_id);
	bulk_mode = true;
	series(db, "batched, 100 changes per transaction, one bulk event (an import)", (unsigned)rounds * 40, 100,
	       &next_id);
	bulk_mode = false;
	/* A change shaped like the org module's: the record with two indexes, and a history row. */
	exec_or_die(db, "CREATE INDEX bench_person_agency ON bench_person (agency_id, name); "
			"CREATE INDEX bench_person_phone ON bench_person (phone); "
			"CREATE INDEX bench_history_person ON bench_history (person_id, time_us)");
	with_history = true;
	series(db, "record + 2 indexes + history row", (unsigned)rounds * TXS, 1, &next_id);
	with_history = false;

	/* Raw rates (RAW=0 skips them, e.g. under valgrind --tool=callgrind). */
	if (getenv("RAW") && strcmp(getenv("RAW"), "0") == 0) {
		attt_db_close(db);
		goto done;
	}
	struct attt_audit_record rec = { .seq = 123456, .time_us = 1795000000000000, .category = ATTT_AUDIT_DATA,
					 .action = "person.update", .actor_account = 12, .actor_person = 34,
					 .actor_agency = 5, .actor_name = "nguyenvana", .session = "s-4f2a",
					 .source = "10.20.30.40", .agency_id = 5, .object_type = "person",
					 .object_id = "98765", .rule = "R7.2",
					 .summary = "{\"phone\":[\"0912345678\",\"0987654321\"]}" };
	struct attt_hash h;
	double t0 = now_s();
	for (int i = 0; i < 1000000; i++) {
		rec.seq = i;
		attt_audit_leaf_hash(&rec, &h);
	}
	printf("leaf hashes (canonical encoding + SHA-256) per second: %.0f\n", 1000000 / (now_s() - t0));
	struct attt_hash a = h, b = h;
	t0 = now_s();
	for (int i = 0; i < 1000000; i++)
		attt_merkle_node(&a, &b, &a);
	printf("node hashes per second: %.0f\n", 1000000 / (now_s() - t0));
	uint8_t seed[32] = { 1 };
	struct attt_audit_signer *s = NULL;
	struct attt_audit_verifier *v = NULL;
	char vkey[ATTT_AUDIT_VKEY_MAX];
	if (attt_audit_signer_new("attt.bench/audit", seed, &s) < 0 || attt_audit_signer_vkey(s, vkey, sizeof(vkey)) < 0 ||
	    attt_audit_verifier_parse(vkey, &v) < 0)
		die("signer", ATTT_E_CRYPTO);
	t0 = now_s();
	for (int i = 0; i < 2000; i++)
		if ((r = attt_audit_checkpoint(db, &attt_clock_system, s, NULL, NULL)) < 0)
			die("checkpoint", r);
	printf("checkpoints per second when nothing changed (read latest, no signature): %.0f\n", 2000 / (now_s() - t0));
	int n_cp = 200;
	t0 = now_s();
	for (int i = 0; i < n_cp; i++) {
		run(db, 1, 1, true, &next_id);
		if ((r = attt_audit_checkpoint(db, &attt_clock_system, s, NULL, NULL)) < 0)
			die("checkpoint", r);
	}
	double with_cp = n_cp / (now_s() - t0);
	printf("audited transaction + signed checkpoint (two durable commits) per second: %.0f\n", with_cp);
	uint64_t size;
	attt_audit_size(db, &size);
	struct attt_audit_report rep;
	t0 = now_s();
	if ((r = attt_audit_verify(db, v, NULL, 0, &rep)) < 0)
		die("verify", r);
	double tv = now_s() - t0;
	printf("verify: %llu events, %llu checkpoints in %.2f s = %.0f events/s\n", (unsigned long long)rep.events,
	       (unsigned long long)rep.checkpoints, tv, rep.events / tv);
	struct attt_hash leaf, proof[ATTT_AUDIT_MAX_PROOF];
	size_t np;
	t0 = now_s();
	for (int i = 0; i < 10000; i++)
		if ((r = attt_audit_prove_inclusion(db, (uint64_t)i * 7 % size, size, &leaf, proof, &np)) < 0)
			die("prove", r);
	printf("inclusion proofs per second (tree of %llu): %.0f\n", (unsigned long long)size, 10000 / (now_s() - t0));
	attt_audit_verifier_free(v);
	attt_audit_signer_free(s);
	attt_db_close(db);
done:;
	char cmd[700];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : 1;
}
