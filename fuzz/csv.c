/*
 * csv.c: fuzz harness for the strict RFC 4180 reader behind CSV import (src/lib/org/csv.c).
 * Reads every record of the input and checks the reader's promises: it terminates, never returns
 * more than ATTT_MAX_CSV_FIELDS fields, every field is NUL-terminated valid UTF-8 of the length
 * reported, record lines never go backwards, and after an error it reads nothing more.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "attt/limits.h"
#include "attt/str.h"
#include "org/csv-int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct attt__org_csv c;
	size_t last_line = 0;
	int r;

	if (attt__org_csv_init(&c, (const char *)data, size) < 0) {
		attt__org_csv_done(&c);
		return 0;
	}
	while ((r = attt__org_csv_next(&c)) > 0) {
		if (c.nfields == 0 || c.nfields > ATTT_MAX_CSV_FIELDS || c.rec_line < last_line || c.rec_line == 0)
			abort();
		last_line = c.rec_line;
		for (size_t i = 0; i < c.nfields; i++) {
			size_t n;
			const char *f = attt__org_csv_field(&c, i, &n);
			if (strlen(f) != n || !attt_utf8_valid(f, n))
				abort();
		}
	}
	if (r < 0 && (!c.err_vi || !c.err_en || attt__org_csv_next(&c) != 0))
		abort();
	attt__org_csv_done(&c);
	return 0;
}
