/* org_cli.c: helpers shared by cmd_agency.c and cmd_person.c (see org_cli.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "attt/app.h"
#include "attt/clock.h"
#include "attt/err.h"
#include "attt/limits.h"
#include "attt/str.h"
#include "cli.h"
#include "org_cli.h"

void org_cli_when(int64_t t, char *buf, size_t size)
{
	if (attt_time_local(t, buf, size) < 0)
		attt_str_copy(buf, size, "-");
}

int org_cli_page(const char *noun, const char *limit, const char *offset, size_t *limit_io, size_t *offset_io)
{
	int64_t v;

	if (limit) {
		if (attt_parse_int64(limit, 1, ATTT_HTTP_MAX_PAGE, &v) < 0)
			return cli_usage("%s list: --limit từ 1 đến %d (--limit 1..%d)", noun, ATTT_HTTP_MAX_PAGE,
					 ATTT_HTTP_MAX_PAGE);
		*limit_io = (size_t)v;
	}
	if (offset) {
		if (attt_parse_int64(offset, 0, INT64_MAX, &v) < 0)
			return cli_usage("%s list: --offset không hợp lệ (invalid --offset)", noun);
		*offset_io = (size_t)v;
	}
	return 0;
}

/* The report's messages, one line each, as a JSON array (never NULL unless out of memory). */
static json_t *messages_json(const char *messages)
{
	json_t *msgs = json_array();
	for (const char *m = messages; msgs && m && *m;) {
		const char *e = strchr(m, '\n');
		size_t n = e ? (size_t)(e - m) : strlen(m);
		json_array_append_new(msgs, json_stringn(m, n));
		m += n + (e ? 1 : 0);
	}
	return msgs;
}

int org_cli_import(struct attt_app *app, const struct attt_actor *actor, const char *noun, org_cli_import_fn fn,
		   const char *file, bool json, const char *what_vi, const char *what_en)
{
	struct attt_org_import_report rep = { 0 };
	char *data = NULL;
	size_t len = 0;
	int r, rc;

	r = cli_read_file(file, ATTT_MAX_CSV_FILE, &data, &len);
	if (r < 0)
		return cli_fail(r, "%s import %s", noun, file);
	r = fn(attt_app_db(app), attt_app_clock(app), actor, file, data, len, &rep);
	free(data);
	if (rep.messages)
		fputs(rep.messages, stderr);
	if (rep.errors > ATTT_MAX_CSV_ERRORS)
		fprintf(stderr, "attt: ... và %zu lỗi khác (and %zu more errors)\n", rep.errors - ATTT_MAX_CSV_ERRORS,
			rep.errors - ATTT_MAX_CSV_ERRORS);
	if (json) {
		json_t *msgs = messages_json(rep.messages);
		rc = cli_print_json(json_pack("{s:s, s:I, s:I, s:I, s:o}", "file", file, "rows", (json_int_t)rep.rows,
					      "created", (json_int_t)rep.created, "errors", (json_int_t)rep.errors,
					      "messages", msgs ? msgs : json_array()));
		if (r < 0)
			rc = ATTT_EXIT_FAIL;
	} else if (r < 0) {
		rc = ATTT_EXIT_FAIL;
	} else {
		printf("Đã nhập %zu %s từ %s (imported %zu %s)\n", rep.created, what_vi, file, rep.created, what_en);
		rc = ATTT_EXIT_OK;
	}
	if (r < 0)
		cli_fail(r, "%s import %s: %zu lỗi, không lưu gì (%zu errors, nothing stored)", noun, file, rep.errors,
			 rep.errors);
	attt_org_import_report_done(&rep);
	return rc;
}
