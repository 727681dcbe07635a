/*
 * org_cli.h: what `attt agency` and `attt person` share (R1.2): local times for tables, the
 * --limit/--offset of list verbs, and CSV import with its report. Implemented in org_cli.c.
 */
#ifndef ATTT_ORG_CLI_H
#define ATTT_ORG_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "attt/org.h"

struct attt_app;

/* t (UTC microseconds) as dd/mm/yyyy HH:MM in Asia/Ho_Chi_Minh, or "-" when it cannot be shown. */
void org_cli_when(int64_t t, char *buf, size_t size);

/* --limit (1..ATTT_HTTP_MAX_PAGE) and --offset (0 or more) of `<noun> list`; NULL leaves the
 * value alone. Returns 0, or 2 after a usage message naming noun. */
int org_cli_page(const char *noun, const char *limit, const char *offset, size_t *limit_io, size_t *offset_io);

/* The signature of attt_org_import_agencies and attt_org_import_people. */
typedef int (*org_cli_import_fn)(struct attt_db *db, const struct attt_clock *clock, const struct attt_actor *actor,
				 const char *label, const char *data, size_t len, struct attt_org_import_report *rep);

/* `<noun> import FILE`: reads FILE (at most ATTT_MAX_CSV_FILE bytes), imports it all or nothing
 * with fn as actor, prints the row errors to stderr and the report (with json: {"file", "rows",
 * "created", "errors", "messages"}; else "Đã nhập N <what_vi> ... (imported N <what_en>)").
 * Returns the exit code: 0, or 1 when nothing was stored. */
int org_cli_import(struct attt_app *app, const struct attt_actor *actor, const char *noun, org_cli_import_fn fn,
		   const char *file, bool json, const char *what_vi, const char *what_en);

#endif
