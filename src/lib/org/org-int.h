/*
 * org-int.h: what the files of the org module share (private to src/lib/org): row readers, the
 * audit and history helpers, search patterns, subtree bounds and person validation.
 */
#ifndef ATTT_ORG_INT_H
#define ATTT_ORG_INT_H

#include <stdint.h>

#include <jansson.h>

#include "attt/org.h"

struct attt_db;
struct attt_stmt;

/* The columns read by attt__org_agency_row, in order, for "SELECT " AGENCY_COLS " FROM agency". */
#define ATTT__AGENCY_COLS "id, name, code, type, parent_id, status, merged_into, depth, path, created_at, updated_at"
#define ATTT__PERSON_COLS "id, agency_id, full_name, position, email, phone, status, created_at, updated_at"

int attt__org_agency_row(struct attt_stmt *st, struct attt_agency *ret);
int attt__org_person_row(struct attt_stmt *st, struct attt_person *ret);

/* Writes the audit event for a change (category DATA, rule R1.2); summary is consumed (may be
 * NULL). */
int attt__org_audit(struct attt_db *db, const struct attt_clock *clock, const struct attt_actor *actor,
		    const char *action, const char *object_type, int64_t object_id, int64_t agency_id,
		    json_t *summary);
/* Appends one row of agency_history. */
int attt__org_history(struct attt_db *db, int64_t agency_id, int64_t at, const char *kind, const char *old_value,
		      const char *new_value, const struct attt_actor *actor);
/* Folds s for search (attt_text_fold) and escapes LIKE wildcards with '\', wrapped in %...%. */
int attt__org_like_pattern(const char *s, char **ret);
/* One bound parameter of a list query: text (s) or an integer (i). */
struct attt__org_param {
	bool is_text;
	int64_t i;
	const char *s;
};
/* R1.2 lists: counts the rows of table matching where (" WHERE ..." with the n parameters p) into
 * *ret_total, then prepares "SELECT cols FROM table<where> ORDER BY order LIMIT limit OFFSET
 * offset" with its parameters bound into *ret_st (the caller steps and finalises it). */
int attt__org_page(struct attt_db *db, const char *cols, const char *table, const char *where, const char *order,
		   const struct attt__org_param *p, int n, size_t limit, size_t offset, int64_t *ret_total,
		   struct attt_stmt **ret_st);
/* The exclusive upper bound of the paths inside path ("/1/5/" -> "/1/50"), in buf[size]. */
int attt__org_path_upper(const char *path, char *buf, size_t size);
/* Which field failed validation and why (Vietnamese and English), for import reports. */
struct attt__org_why {
	const char *field;
	const char *vi;
	const char *en;
};

/* Normalised copies of a new person's fields; owned. */
struct attt__person_norm {
	char *full_name, *name_fold, *position, *email, *phone;
	enum attt_person_status status;
};
/* Validates and normalises a new person's fields (NULL or "" for the optional ones); status is set
 * to active. On failure *why (may be NULL) names the field. */
int attt__org_person_norm(const char *full_name, const char *position, const char *email, const char *phone,
			  struct attt__person_norm *ret, struct attt__org_why *why);
void attt__org_person_norm_done(struct attt__person_norm *n);
/* Inserts a person whose fields are normalised and whose agency was checked, and audits it: its
 * own event, or its ID added to bulk (an import) when bulk is not NULL. *stp caches the prepared
 * INSERT across calls (NULL at first; the caller finalises it). */
struct attt_audit_bulk;
int attt__org_person_insert(struct attt_db *db, struct attt_stmt **stp, const struct attt_clock *clock,
			    const struct attt_actor *actor, struct attt_audit_bulk *bulk, int64_t agency_id,
			    const struct attt__person_norm *n, int64_t now, int64_t *ret_id);

#endif
