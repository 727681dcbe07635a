/*
 * bplan-int.h: what bplan.c and catalogue.c share inside the bplan module.
 */
#ifndef ATTT_BPLAN_INT_H
#define ATTT_BPLAN_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "attt/clock.h"

struct attt_actor;
struct attt_db;
struct attt_stmt;

/* Steps st, an "INSERT ... RETURNING id" prepared and bound by the caller, finalises it and gives
 * the new row's id. RETURNING rather than last_insert_rowid(): the SQL both engines share. */
int attt__bplan_insert_id(struct attt_stmt *st, int64_t *ret_id);

/* Text a person typed: 1..max bytes of UTF-8 without control characters. */
bool attt__bplan_text_ok(const char *s, size_t max);

/* Retires a plan (plan true) or a catalogue entry, with its reason and audit event. */
int attt__bplan_retire(struct attt_db *db, const struct attt_clock *clock, const struct attt_actor *actor, int64_t id,
		       const char *reason, bool plan, char *why, size_t why_size);

/* Calls fn for catalogue entry id, retired or not (not at all when there is none). */
struct attt_bplan_cat_item;
int attt__bplan_cat_one(struct attt_db *db, int64_t id, int (*fn)(void *ctx, const struct attt_bplan_cat_item *it),
			void *ctx);

#endif
