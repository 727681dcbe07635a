/*
 * helpers.h: shared by the audit tests: a temporary data directory with a migrated database and a
 * deterministic clock and key, and a quick way to append n events.
 */
#ifndef ATTT_TEST_AUDIT_HELPERS_H
#define ATTT_TEST_AUDIT_HELPERS_H

#include <stdint.h>

#include "attt/audit.h"
#include "attt/clock.h"
#include "attt/db.h"

struct tdb {
	char dir[256];
	char path[320];
	struct attt_db *db;
	int64_t now;
	struct attt_clock clock;
};

/* Creates a fresh temporary directory with audit.db migrated; aborts the test on failure. */
void tdb_open(struct tdb *t);
/* Closes and removes everything. */
void tdb_close(struct tdb *t);
/* Appends n events, each in its own transaction, with fields derived from i (deterministic). */
void tdb_append(struct tdb *t, unsigned n);
/* Reads the 16 event columns (seq .. summary, in table order) of st's current row into rec
 * (borrowed from st), as an attacker or an independent checker would. */
void trec_read(struct attt_stmt *st, struct attt_audit_record *rec);
/* Runs a shell command line built with a format; returns its exit status. */
int tsh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
