/*
 * catalogue.c: the backup catalogue (R10.2.b): per agency, the data and software backed up, with
 * owner system, retention, schedule, method and restore-test schedule; listed and exported as CSV.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <xlsxwriter.h>

#include "attt/audit.h"
#include "attt/bplan.h"
#include "attt/buf.h"
#include "attt/db.h"
#include "attt/err.h"
#include "attt/limits.h"
#include "attt/str.h"
#include "bplan-int.h"

static bool text_ok(const char *s, size_t max)
{
	size_t n;
	if (!s || !*s || (n = strlen(s)) > max || !attt_utf8_valid(s, n))
		return false;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return false;
	return true;
}

struct cat_tx {
	const struct attt_clock *clock;
	const struct attt_actor *actor;
	const struct attt_bplan_cat_item *in;
	char *why; size_t why_size;
	int64_t id;
};

static int exists(struct attt_db *db, const char *sql, int64_t a, int64_t b)
{
	struct attt_stmt *st = NULL;
	int r = attt_db_prepare(db, sql, &st);
	if (r < 0)
		return r;
	attt_stmt_bind_int64(st, 1, a);
	attt_stmt_bind_int64(st, 2, b);
	r = attt_stmt_step(st);
	attt_stmt_finalize(st);
	return r < 0 ? r : r > 0 ? ATTT_OK : ATTT_E_NOTFOUND;
}

static int cat_tx(struct attt_db *db, void *ctx)
{
	struct cat_tx *t = ctx;
	const struct attt_bplan_cat_item *in = t->in;
	struct attt_stmt *st = NULL;
	char id[32], *text;
	json_t *sum;
	int r;

	if ((r = exists(db, "SELECT 1 FROM agency WHERE id = ?1 AND ?2 = ?2", in->agency_id, 0)) < 0) {
		attt_str_copy(t->why, t->why_size, "--agency: không có cơ quan này / no such agency");
		return r;
	}
	if (in->plan_id &&
	    (r = exists(db, "SELECT 1 FROM backup_plan WHERE id = ?1 AND agency_id = ?2", in->plan_id, in->agency_id)) < 0) {
		attt_str_copy(t->why, t->why_size, "--plan: không có kế hoạch này của cơ quan / no such plan of the agency");
		return r;
	}
	r = attt_db_prepare(db, "INSERT INTO backup_catalogue (agency_id, item, kind, owner_system, retention_days, "
				"schedule, method, restore_test, plan_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
				"RETURNING id",
			    &st);
	if (r < 0)
		return r;
	attt_stmt_bind_int64(st, 1, in->agency_id);
	attt_stmt_bind_text(st, 2, in->item);
	attt_stmt_bind_text(st, 3, in->kind);
	attt_stmt_bind_text(st, 4, in->owner_system);
	attt_stmt_bind_int64(st, 5, in->retention_days);
	attt_stmt_bind_text(st, 6, in->schedule);
	attt_stmt_bind_text(st, 7, in->method);
	attt_stmt_bind_text(st, 8, in->restore_test);
	if (in->plan_id)
		attt_stmt_bind_int64(st, 9, in->plan_id);
	else
		attt_stmt_bind_null(st, 9);
	attt_stmt_bind_int64(st, 10, attt_now_us(t->clock));
	r = attt__bplan_insert_id(st, &t->id);
	if (r == ATTT_E_EXISTS)
		attt_str_copy(t->why, t->why_size, "--item: cơ quan đã có mục này / the agency already lists this item");
	if (r < 0)
		return r;
	sum = json_pack("{s:s,s:s,s:s,s:I,s:s,s:s,s:s}", "item", in->item, "kind", in->kind, "owner_system",
			in->owner_system, "retention_days", (json_int_t)in->retention_days, "schedule", in->schedule,
			"method", in->method, "restore_test", in->restore_test);
	text = sum ? json_dumps(sum, JSON_COMPACT) : NULL;
	json_decref(sum);
	if (!text)
		return ATTT_E_NOMEM;
	attt_str_printf(id, sizeof(id), "%lld", (long long)t->id);
	/* R10.2.b: a catalogue change is an audit event. */
	struct attt_audit_event ev = { .category = ATTT_AUDIT_DATA, .action = "backup.catalogue.create",
				       .object_type = "backup_catalogue", .object_id = id, .agency_id = in->agency_id,
				       .outcome = ATTT_AUDIT_SUCCESS, .rule = "R10.2.b", .summary = text };
	r = attt_audit_append(db, t->clock, t->actor, &ev, NULL);
	free(text);
	return r;
}

int attt_bplan_cat_add(struct attt_db *db, const struct attt_clock *clock, const struct attt_actor *actor,
		       const struct attt_bplan_cat_item *in, char *why, size_t why_size, int64_t *ret_id)
{
	char dummy[8];
	struct cat_tx t = { .clock = clock, .actor = actor, .in = in, .why = why ? why : dummy,
			    .why_size = why ? why_size : sizeof(dummy) };
	const char *bad = NULL;
	int r;

	if (!text_ok(in->item, ATTT_MAX_NAME))
		bad = "--item";
	else if (!in->kind || (strcmp(in->kind, "data") != 0 && strcmp(in->kind, "software") != 0))
		bad = "--kind (data|software)";
	else if (!text_ok(in->owner_system, ATTT_MAX_SHORT_TEXT))
		bad = "--owner-system";
	else if (in->retention_days < 1 || in->retention_days > 36500)
		bad = "--retention-days (1..36500)";
	else if (!text_ok(in->schedule, ATTT_MAX_SHORT_TEXT))
		bad = "--schedule";
	else if (!text_ok(in->method, ATTT_MAX_SHORT_TEXT))
		bad = "--method";
	else if (!text_ok(in->restore_test, ATTT_MAX_SHORT_TEXT))
		bad = "--restore-test";
	if (bad) {
		attt_str_printf(t.why, t.why_size, "%s: thiếu hoặc không hợp lệ / missing or invalid (R10.2.b)", bad);
		return ATTT_E_INVAL;
	}
	if ((r = attt_db_tx(db, cat_tx, &t)) < 0)
		return r;
	*ret_id = t.id;
	return ATTT_OK;
}

int attt_bplan_cat_list(struct attt_db *db, int64_t agency_id, attt_bplan_cat_fn fn, void *ctx)
{
	struct attt_stmt *st = NULL;
	int r;

	r = attt_db_prepare(db, "SELECT id, agency_id, item, kind, owner_system, retention_days, schedule, method, "
				"restore_test, COALESCE(plan_id, 0) FROM backup_catalogue WHERE ?1 = 0 OR agency_id = ?1 "
				"ORDER BY agency_id, item, id", &st);
	if (r < 0)
		return r;
	attt_stmt_bind_int64(st, 1, agency_id);
	while ((r = attt_stmt_step(st)) > 0) {
		struct attt_bplan_cat_item it = {
			.id = attt_stmt_int64(st, 0), .agency_id = attt_stmt_int64(st, 1),
			.item = attt_stmt_text(st, 2), .kind = attt_stmt_text(st, 3),
			.owner_system = attt_stmt_text(st, 4), .retention_days = attt_stmt_int64(st, 5),
			.schedule = attt_stmt_text(st, 6), .method = attt_stmt_text(st, 7),
			.restore_test = attt_stmt_text(st, 8), .plan_id = attt_stmt_int64(st, 9),
		};
		if ((r = fn(ctx, &it)) < 0)
			break;
	}
	attt_stmt_finalize(st);
	return r < 0 ? r : ATTT_OK;
}

/* One CSV cell: quoted when needed; a leading formula character is neutralised. */
static int cell(struct attt_buf *b, const char *s, bool last)
{
	bool formula = s[0] && strchr("=+-@", s[0]);
	int r = ATTT_OK;
	if (formula || strpbrk(s, ",\"\r\n")) {
		r = attt_buf_addc(b, '"');
		if (r == ATTT_OK && formula)
			r = attt_buf_addc(b, '\'');
		for (const char *p = s; r == ATTT_OK && *p; p++)
			r = *p == '"' ? attt_buf_adds(b, "\"\"") : attt_buf_addc(b, *p);
		if (r == ATTT_OK)
			r = attt_buf_addc(b, '"');
	} else {
		r = attt_buf_adds(b, s);
	}
	if (r == ATTT_OK)
		r = last ? attt_buf_adds(b, "\r\n") : attt_buf_addc(b, ',');
	return r;
}

static int csv_row(void *ctx, const struct attt_bplan_cat_item *it)
{
	struct attt_buf *b = ctx;
	char id[24], ag[24], ret[24], plan[24];
	int r;
	attt_str_printf(id, sizeof(id), "%lld", (long long)it->id);
	attt_str_printf(ag, sizeof(ag), "%lld", (long long)it->agency_id);
	attt_str_printf(ret, sizeof(ret), "%lld", (long long)it->retention_days);
	attt_str_printf(plan, sizeof(plan), "%lld", (long long)it->plan_id);
	const char *v[] = { id, ag, it->item, it->kind, it->owner_system, ret, it->schedule, it->method,
			    it->restore_test, it->plan_id ? plan : "" };
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		if ((r = cell(b, v[i], i + 1 == sizeof(v) / sizeof(v[0]))) < 0)
			return r;
	return ATTT_OK;
}

int attt_bplan_cat_csv(struct attt_db *db, int64_t agency_id, struct attt_buf *out)
{
	int r = attt_buf_adds(out, "id,agency_id,item,kind,owner_system,retention_days,schedule,method,"
				   "restore_test,plan_id\r\n");
	if (r < 0)
		return r;
	return attt_bplan_cat_list(db, agency_id, csv_row, out);
}

/* --- XLSX -------------------------------------------------------------------------------------- */

static const char *const cat_cols[] = { "id", "agency_id", "item", "kind", "owner_system", "retention_days",
					"schedule", "method", "restore_test", "plan_id" };

struct xlsx_ctx {
	lxw_worksheet *ws;
	lxw_row_t row;
	int err;
};

static int xlsx_row(void *ctx, const struct attt_bplan_cat_item *it)
{
	struct xlsx_ctx *x = ctx;
	const char *text[] = { it->item, it->kind, it->owner_system };
	const char *text2[] = { it->schedule, it->method, it->restore_test };
	lxw_error e = LXW_NO_ERROR;

	if (x->row >= LXW_ROW_MAX - 1)
		return x->err = ATTT_E_TOOBIG;
	x->row++;
	e |= worksheet_write_number(x->ws, x->row, 0, (double)it->id, NULL);
	e |= worksheet_write_number(x->ws, x->row, 1, (double)it->agency_id, NULL);
	for (int i = 0; i < 3; i++)
		e |= worksheet_write_string(x->ws, x->row, (lxw_col_t)(2 + i), text[i], NULL);
	e |= worksheet_write_number(x->ws, x->row, 5, (double)it->retention_days, NULL);
	for (int i = 0; i < 3; i++)
		e |= worksheet_write_string(x->ws, x->row, (lxw_col_t)(6 + i), text2[i], NULL);
	if (it->plan_id)
		e |= worksheet_write_number(x->ws, x->row, 9, (double)it->plan_id, NULL);
	if (e != LXW_NO_ERROR)
		return x->err = ATTT_E_IO;
	return ATTT_OK;
}

int attt_bplan_cat_xlsx(struct attt_db *db, int64_t agency_id, const char *path)
{
	struct xlsx_ctx x = { 0 };
	lxw_workbook *wb;
	lxw_format *bold;
	int fd, r;

	/* Claim the name first: an existing file is never overwritten. */
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0)
		return errno == EEXIST ? ATTT_E_EXISTS : ATTT_E_IO;
	close(fd);
	if (!(wb = workbook_new(path))) {
		unlink(path);
		return ATTT_E_IO;
	}
	bold = workbook_add_format(wb);
	format_set_bold(bold);
	x.ws = workbook_add_worksheet(wb, "Danh muc sao luu");
	if (!x.ws) {
		r = ATTT_E_IO;
		workbook_close(wb);
		goto out;
	}
	for (size_t i = 0; i < sizeof(cat_cols) / sizeof(cat_cols[0]); i++)
		worksheet_write_string(x.ws, 0, (lxw_col_t)i, cat_cols[i], bold);
	r = attt_bplan_cat_list(db, agency_id, xlsx_row, &x);
	if (r == ATTT_OK && x.err)
		r = x.err;
	if (workbook_close(wb) != LXW_NO_ERROR && r == ATTT_OK)
		r = ATTT_E_IO;
out:
	if (r < 0)
		unlink(path);
	return r;
}
