/*
 * bplan-int.h: what bplan.c and catalogue.c share inside the bplan module.
 */
#ifndef ATTT_BPLAN_INT_H
#define ATTT_BPLAN_INT_H

#include <stdint.h>

struct attt_stmt;

/* Steps st, an "INSERT ... RETURNING id" prepared and bound by the caller, finalises it and gives
 * the new row's id. RETURNING rather than last_insert_rowid(): the SQL both engines share. */
int attt__bplan_insert_id(struct attt_stmt *st, int64_t *ret_id);

#endif
