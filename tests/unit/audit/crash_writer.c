/*
 * crash_writer.c: the writer of the crash test (test_crash.c). Appends audited transactions to
 * the database given as argv[1] forever: each transaction inserts one row into crash_item and its
 * audit event, commits (synchronous=FULL), then prints "ack <seq> <item id>" and flushes. Every 7th
 * transaction also makes a signed checkpoint. It is killed with SIGKILL at arbitrary points.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "attt/audit.h"
#include "attt/db.h"
#include "attt/err.h"

int main(int argc, char **argv)
{
	struct attt_db *db = NULL;
	struct attt_audit_signer *s = NULL;
	uint8_t seed[32] = { 42 };

	if (argc != 2 || sodium_init() < 0)
		return 2;
	if (attt_db_open(argv[1], ATTT_DB_CREATE, &db) != ATTT_OK || attt_db_migrate(db) != ATTT_OK ||
	    attt_db_exec(db, "CREATE TABLE IF NOT EXISTS crash_item (id INTEGER PRIMARY KEY, v TEXT NOT NULL)") != ATTT_OK ||
	    attt_audit_signer_new("attt.test/crash", seed, &s) != ATTT_OK)
		return 1;
	for (unsigned long n = 0;; n++) {
		struct attt_stmt *st = NULL;
		int64_t seq = -1, id = -1;
		char obj[32];
		int r = attt_db_begin(db);
		if (r == ATTT_OK)
			r = attt_db_prepare(db, "INSERT INTO crash_item (v) VALUES ('x') RETURNING id", &st);
		if (r == ATTT_OK && (r = attt_stmt_step(st)) == 1) {
			id = attt_stmt_int64(st, 0);
			r = attt_stmt_step(st) < 0 ? ATTT_E_DB : ATTT_OK;
		}
		attt_stmt_finalize(st);
		if (r == ATTT_OK) {
			struct attt_actor a = { .username = "crash", .source = "test" };
			snprintf(obj, sizeof(obj), "%lld", (long long)id);
			struct attt_audit_event ev = { .category = ATTT_AUDIT_DATA, .action = "item.create",
						       .object_type = "crash_item", .object_id = obj };
			r = attt_audit_append(db, &attt_clock_system, &a, &ev, &seq);
		}
		if (r == ATTT_OK)
			r = attt_db_commit(db);
		else
			attt_db_rollback(db);
		if (r != ATTT_OK)
			return 1;
		/* Acknowledged only after the commit returned. */
		printf("ack %lld %lld\n", (long long)seq, (long long)id);
		fflush(stdout);
		if (n % 7 == 6 && attt_audit_checkpoint(db, &attt_clock_system, s, NULL, NULL) != ATTT_OK)
			return 1;
	}
}
