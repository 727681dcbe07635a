/*
 * test_csv.c: the strict RFC 4180 reader behind CSV import (R1.2): quoting, line breaks, BOM,
 * physical line numbers, and every refusal (NUL, invalid UTF-8, stray quotes, lone CR, limits).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "attt/err.h"
#include "attt/limits.h"
#include "org/csv-int.h"

static void test_csv_next__quoting_and_lines(void **state)
{
	static const char in[] = "\xef\xbb\xbf" "a,b,c\r\n"
				 "\"x, y\",\"say \"\"hi\"\"\",\n"
				 "\n"
				 "\"two\nlines\",Đà Nẵng,\"\"\r\n"
				 "last,row,here";
	struct attt__org_csv c;
	(void)state;

	assert_int_equal(attt__org_csv_init(&c, in, sizeof(in) - 1), ATTT_OK);
	assert_int_equal(attt__org_csv_next(&c), 1);
	assert_int_equal(c.nfields, 3);
	assert_int_equal(c.rec_line, 1);
	assert_string_equal(attt__org_csv_field(&c, 0, NULL), "a"); /* BOM skipped */
	assert_int_equal(attt__org_csv_next(&c), 1);
	assert_int_equal(c.rec_line, 2);
	assert_int_equal(c.nfields, 3);
	assert_string_equal(attt__org_csv_field(&c, 0, NULL), "x, y");
	assert_string_equal(attt__org_csv_field(&c, 1, NULL), "say \"hi\"");
	assert_string_equal(attt__org_csv_field(&c, 2, NULL), "");
	assert_int_equal(attt__org_csv_next(&c), 1); /* the blank line 3 is skipped */
	assert_int_equal(c.rec_line, 4);
	assert_string_equal(attt__org_csv_field(&c, 0, NULL), "two\nlines");
	assert_string_equal(attt__org_csv_field(&c, 1, NULL), "Đà Nẵng");
	assert_string_equal(attt__org_csv_field(&c, 2, NULL), "");
	assert_int_equal(attt__org_csv_next(&c), 1);
	assert_int_equal(c.rec_line, 6); /* the quoted line break counted */
	assert_string_equal(attt__org_csv_field(&c, 2, NULL), "here");
	assert_int_equal(attt__org_csv_next(&c), 0);
	assert_int_equal(attt__org_csv_next(&c), 0);
	attt__org_csv_done(&c);
}

static int first_error(const char *in, size_t len, size_t *ret_line)
{
	struct attt__org_csv c;
	int r = attt__org_csv_init(&c, in, len);
	while (r >= 0 && (r = attt__org_csv_next(&c)) > 0)
		;
	*ret_line = c.err_line;
	if (r < 0) {
		assert_non_null(c.err_vi);
		assert_non_null(c.err_en);
	}
	attt__org_csv_done(&c);
	return r;
}

static void test_csv_next__refusals(void **state)
{
	static const struct {
		const char *in;
		size_t len;
		int err;
		size_t line;
	} cases[] = {
		{ "a,b\nc,\"d\n", 9, ATTT_E_PARSE, 2 },          /* unterminated quote */
		{ "a,b\nc,d\"e\n", 10, ATTT_E_PARSE, 2 },        /* quote inside a bare field */
		{ "a\n\"b\"c\n", 7, ATTT_E_PARSE, 2 },           /* text after closing quote */
		{ "a,b\rc\n", 6, ATTT_E_PARSE, 1 },              /* lone CR */
		{ "a\nb\0c\n", 6, ATTT_E_PARSE, 2 },             /* NUL */
		{ "a\n\"b\0\"\n", 7, ATTT_E_PARSE, 2 },          /* NUL inside quotes */
		{ "a\nb\xc3\x28\n", 6, ATTT_E_PARSE, 2 },        /* invalid UTF-8 */
		{ "a\nb\xed\xa0\x80\n", 7, ATTT_E_PARSE, 2 },    /* UTF-16 surrogate */
		{ "a\nb\x1b[31m\n", 9, ATTT_E_PARSE, 2 },        /* control character */
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t line = 0;
		assert_int_equal(first_error(cases[i].in, cases[i].len, &line), cases[i].err);
		assert_int_equal(line, cases[i].line);
	}
}

static void test_csv_next__limits(void **state)
{
	char *big;
	size_t n, line;
	(void)state;

	/* One field more than ATTT_MAX_CSV_FIELDS. */
	n = (ATTT_MAX_CSV_FIELDS + 1) * 2;
	big = malloc(n);
	assert_non_null(big);
	for (size_t i = 0; i < n; i += 2) {
		big[i] = 'x';
		big[i + 1] = ',';
	}
	big[n - 1] = '\n';
	assert_int_equal(first_error(big, n, &line), ATTT_E_TOOBIG);
	assert_int_equal(line, 1);
	/* Exactly ATTT_MAX_CSV_FIELDS is fine. */
	big[ATTT_MAX_CSV_FIELDS * 2 - 1] = '\n';
	assert_int_equal(first_error(big, ATTT_MAX_CSV_FIELDS * 2, &line), 0);
	free(big);

	/* A row longer than ATTT_MAX_LINE. */
	n = ATTT_MAX_LINE + ATTT_MAX_CSV_FIELDS + 10;
	big = malloc(n);
	assert_non_null(big);
	memset(big, 'a', n);
	memcpy(big, "h\n", 2);
	assert_int_equal(first_error(big, n, &line), ATTT_E_TOOBIG);
	assert_int_equal(line, 2);
	free(big);

	/* A file over ATTT_MAX_CSV_FILE is refused before it is read (the bytes are never touched). */
	{
		struct attt__org_csv c;
		assert_int_equal(attt__org_csv_init(&c, "", (size_t)ATTT_MAX_CSV_FILE + 1), ATTT_E_TOOBIG);
		attt__org_csv_done(&c);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_csv_next__quoting_and_lines),
		cmocka_unit_test(test_csv_next__refusals),
		cmocka_unit_test(test_csv_next__limits),
	};
	return cmocka_run_group_tests_name("org_csv", tests, NULL, NULL);
}
