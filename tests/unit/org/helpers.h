/*
 * helpers.h: fixtures of the org tests: a migrated temporary database, a fake clock, the CLI actor,
 * and small shortcuts that assert success.
 */
#ifndef ATTT_TEST_ORG_HELPERS_H
#define ATTT_TEST_ORG_HELPERS_H

#include <stdbool.h>
#include <stdint.h>

#include "attt/audit.h"
#include "attt/clock.h"
#include "attt/db.h"
#include "attt/org.h"

struct odb {
	char dir[64];
	char path[128];
	struct attt_db *db;
	int64_t now;
	struct attt_clock clock;
	struct attt_actor actor;
};

int odb_setup(void **state);
int odb_teardown(void **state);

/* Adds an agency and returns its id (asserting success). */
int64_t o_agency(struct odb *t, const char *name, enum attt_agency_type type, const char *code, int64_t parent);
int64_t o_person(struct odb *t, int64_t agency, const char *name, const char *email);
/* Number of audit events so far. */
int64_t o_audit_count(struct odb *t);
/* Number of rows of a table. */
int64_t o_count(struct odb *t, const char *table);

#endif
