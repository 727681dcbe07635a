/*
 * bench_audit.c: figures for docs/performance.md "## Audit". The same durable write transaction
 * (one INSERT into a table shaped like a real record, synchronous=FULL, WAL) with and without its
 * audit event, one per transaction and batched (100 changes per transaction, one event each),
 * rounds alternating so that the machine's load hits both alike; plus the raw rates behind them
 * (leaf hashes, Ed25519 checkpoint signatures, verification, proofs). Run bench/audit/run. Not part
 * of make test (it fsyncs thousands of times).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

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

/* One change (and its event when audited); count changes per transaction. */
static void run(struct attt_db *db, unsigned txs, unsigned per_tx, bool audited, unsigned long *next_id)
{
	struct attt_stmt *st = NULL;
	int r;

	for (unsigned t = 0; t < txs; t++) {
		if ((r = attt_db_begin(db)) < 0)
			die("begin", r);
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
			if (audited) {
				snprintf(id, sizeof(id), "%lu", n);
				snprintf(summary, sizeof(summary), "{\"name\":\"Nguyễn Văn An\",\"agency_id\":5,\"phone\":\"0912345678\"}");
				struct attt_audit_event ev = { .category = ATTT_AUDIT_DATA, .action = "person.create",
							       .object_type = "person", .object_id = id, .agency_id = 5,
							       .rule = "R7.2", .summary = summary };
				if ((r = attt_audit_append(db, &attt_clock_system, &actor, &ev, NULL)) < 0)
					die("append", r);
			}
		}
		if ((r = attt_db_commit(db)) < 0)
			die("commit", r);
	}
}

static double rate(struct attt_db *db, unsigned txs, unsigned per_tx, bool audited, unsigned long *next_id)
{
	double t0 = now_s();
	run(db, txs, per_tx, audited, next_id);
	return txs / (now_s() - t0);
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_d);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int main(void)
{
	const char *tmpdir = getenv("TMPDIR") ? getenv("TMPDIR") : "/var/tmp";
	const char *rounds_env = getenv("ROUNDS");
	char dir[512], path[600];
	struct attt_db *db = NULL;
	unsigned long next_id = 1;
	int64_t rounds = 7;
	enum { TXS = 400, BATCH_TXS = 40, BATCH = 100 };
	double plain[64], audited[64], bplain[64], baudited[64];
	int r;

	if (sodium_init() < 0)
		return 1;
	if (rounds_env && (attt_parse_int64(rounds_env, 1, 64, &rounds) < 0))
		die("ROUNDS", ATTT_E_INVAL);
	snprintf(dir, sizeof(dir), "%s/attt-bench-audit-XXXXXX", tmpdir);
	if (!mkdtemp(dir))
		die("mkdtemp", ATTT_E_IO);
	snprintf(path, sizeof(path), "%s/bench.db", dir);
	if ((r = attt_db_open(path, ATTT_DB_CREATE, &db)) < 0 || (r = attt_db_migrate(db)) < 0 ||
	    (r = attt_db_exec(db, "CREATE TABLE bench_person (id INTEGER PRIMARY KEY, name TEXT NOT NULL, "
				  "agency_id INTEGER NOT NULL, phone TEXT); CREATE TABLE bench_history (id INTEGER PRIMARY KEY, "
				  "person_id INTEGER NOT NULL, time_us INTEGER NOT NULL, change TEXT NOT NULL)")) < 0)
		die("open", r);
	/* WAL_AUTOCHECKPOINT=N sets SQLite's wal_autocheckpoint (pages; 0 = never, default 1000), to
	 * measure what the checkpoints run inside commits cost. */
	const char *ckpt = getenv("WAL_AUTOCHECKPOINT");
	if (ckpt) {
		int64_t pages;
		char pragma[64];
		if (attt_parse_int64(ckpt, 0, 1000000, &pages) < 0)
			die("WAL_AUTOCHECKPOINT", ATTT_E_INVAL);
		snprintf(pragma, sizeof(pragma), "PRAGMA wal_autocheckpoint=%lld", (long long)pages);
		if ((r = attt_db_exec(db, pragma)) < 0)
			die("wal_autocheckpoint", r);
	}
	/* Warm up both paths (page cache, WAL). */
	run(db, 50, 1, false, &next_id);
	run(db, 50, 1, true, &next_id);
	/* Alternate the order within each round too, so neither always runs second. */
	for (int i = 0; i < rounds; i++) {
		if (i % 2) {
			plain[i] = rate(db, TXS, 1, false, &next_id);
			audited[i] = rate(db, TXS, 1, true, &next_id);
		} else {
			audited[i] = rate(db, TXS, 1, true, &next_id);
			plain[i] = rate(db, TXS, 1, false, &next_id);
		}
		bplain[i] = rate(db, BATCH_TXS, BATCH, false, &next_id) * BATCH;
		baudited[i] = rate(db, BATCH_TXS, BATCH, true, &next_id) * BATCH;
	}
	double ratios[64], bratios[64];
	for (int i = 0; i < rounds; i++) {
		ratios[i] = plain[i] / audited[i];
		bratios[i] = bplain[i] / baudited[i];
	}
	double mp = median(plain, (int)rounds), ma = median(audited, (int)rounds);
	double mbp = median(bplain, (int)rounds), mba = median(baudited, (int)rounds);
	double mr = median(ratios, (int)rounds), mbr = median(bratios, (int)rounds);
	printf("single-row transactions/s, synchronous=FULL: without audit %.0f, with audit %.0f; audit costs %+.1f %% "
	       "(median of %lld rounds of %d)\n",
	       mp, ma, (mr - 1) * 100, (long long)rounds, TXS);
	printf("batched (%d changes per transaction) changes/s: without audit %.0f, with one event each %.0f; audit costs "
	       "%+.1f %%\n",
	       BATCH, mbp, mba, (mbr - 1) * 100);

	/* A change shaped like the org module's: the record with two indexes, and a history row. */
	if ((r = attt_db_exec(db, "CREATE INDEX bench_person_agency ON bench_person (agency_id, name); "
				  "CREATE INDEX bench_person_phone ON bench_person (phone); "
				  "CREATE INDEX bench_history_person ON bench_history (person_id, time_us)")) < 0)
		die("index", r);
	with_history = true;
	for (int i = 0; i < rounds; i++) {
		if (i % 2) {
			plain[i] = rate(db, TXS, 1, false, &next_id);
			audited[i] = rate(db, TXS, 1, true, &next_id);
		} else {
			audited[i] = rate(db, TXS, 1, true, &next_id);
			plain[i] = rate(db, TXS, 1, false, &next_id);
		}
		ratios[i] = plain[i] / audited[i];
	}
	mp = median(plain, (int)rounds);
	ma = median(audited, (int)rounds);
	mr = median(ratios, (int)rounds);
	printf("record + 2 indexes + history row, transactions/s: without audit %.0f, with audit %.0f; audit costs "
	       "%+.1f %%\n",
	       mp, ma, (mr - 1) * 100);
	with_history = false;

	/* Raw rates. */
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
	char cmd[700];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : 1;
}
