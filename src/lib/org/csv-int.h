/*
 * csv-int.h: the strict RFC 4180 reader behind CSV import (private to the org module; the fuzz
 * harness fuzz/csv.c includes it too).
 *
 * Strict on purpose, since a silently misread row in an import of people is worse than a refusal:
 * UTF-8 only (a leading BOM is skipped), fields separated by ',', records by LF or CRLF, quotes only
 * around a whole field with "" inside, no NUL and no control characters other than tab and the
 * line breaks inside quoted fields. Blank lines are skipped. A structural error stops the reader,
 * with the physical line where it was found; there is no resynchronising after a broken quote.
 * The reader borrows data[0..len) and copies the unquoted fields of the current record into its own
 * buffer, NUL-terminated, so each field is a C string until the next call.
 */
#ifndef ATTT_ORG_CSV_INT_H
#define ATTT_ORG_CSV_INT_H

#include <stddef.h>

#include "attt/buf.h"
#include "attt/limits.h"

struct attt__org_csv {
	const char *data;
	size_t len;
	size_t pos;
	size_t line;       /* physical line (1-based) of the next byte */
	size_t rec_line;   /* line the current record starts on */
	size_t rows;       /* records returned so far */
	size_t nfields;
	size_t off[ATTT_MAX_CSV_FIELDS]; /* offsets of the fields in buf */
	size_t flen[ATTT_MAX_CSV_FIELDS];
	struct attt_buf buf;
	/* set when next() fails: the line and the reason (static strings) */
	size_t err_line;
	const char *err_vi;
	const char *err_en;
};

/* Prepares c over data[0..len). ATTT_E_TOOBIG for a file over ATTT_MAX_CSV_FILE. */
int attt__org_csv_init(struct attt__org_csv *c, const char *data, size_t len);
void attt__org_csv_done(struct attt__org_csv *c);
/* Reads the next record: 1 when one is ready (c->nfields fields, c->rec_line), 0 at the end,
 * ATTT_E_PARSE for malformed CSV or bad text, ATTT_E_TOOBIG past the row, field or size limits
 * (c->err_* say where and why). */
int attt__org_csv_next(struct attt__org_csv *c);
/* Field i (< c->nfields) of the current record as a C string; *ret_len (may be NULL) its length. */
const char *attt__org_csv_field(const struct attt__org_csv *c, size_t i, size_t *ret_len);

#endif
