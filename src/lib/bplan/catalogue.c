/*
 * catalogue.c: the backup catalogue (R10.2.b): per agency, the data and software backed up, with
 * owner system, retention, schedule, method and restore-test schedule; listed and exported as CSV
 * and XLSX. Entries are edited and retired (with a reason), never deleted: a retired entry leaves
 * the exports and stays in the database and the trail as evidence.
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

bool attt__bplan_text_ok(const char *s, size_t max)
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
	    (r = exists(db, "SELECT 1 FROM backup_plan WHERE id = ?1 AND agency_id = ?2 AND retired_at = 0", in->plan_id, in->agency_id)) < 0) {
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

/* The first field of in that is malformed, as its option name; NULL when all are fine. With
 * partial, a NULL text field or a zero number is "unchanged" and passes. */
static const char *cat_bad_field(const struct attt_bplan_cat_item *in, bool partial)
{
	if (!(partial && !in->item) && !attt__bplan_text_ok(in->item, ATTT_MAX_NAME))
		return "--item";
	if (!(partial && !in->kind) && (!in->kind || (strcmp(in->kind, "data") != 0 && strcmp(in->kind, "software") != 0)))
		return "--kind (data|software)";
	if (!(partial && !in->owner_system) && !attt__bplan_text_ok(in->owner_system, ATTT_MAX_SHORT_TEXT))
		return "--owner-system";
	if (!(partial && !in->retention_days) && (in->retention_days < 1 || in->retention_days > 36500))
		return "--retention-days (1..36500)";
	if (!(partial && !in->schedule) && !attt__bplan_text_ok(in->schedule, ATTT_MAX_SHORT_TEXT))
		return "--schedule";
	if (!(partial && !in->method) && !attt__bplan_text_ok(in->method, ATTT_MAX_SHORT_TEXT))
		return "--method";
	if (!(partial && !in->restore_test) && !attt__bplan_text_ok(in->restore_test, ATTT_MAX_SHORT_TEXT))
		return "--restore-test";
	return NULL;
}

int attt_bplan_cat_add(struct attt_db *db, const struct attt_clock *clock, const struct attt_actor *actor,
		       const struct attt_bplan_cat_item *in, char *why, size_t why_size, int64_t *ret_id)
{
	char dummy[8];
	struct cat_tx t = { .clock = clock, .actor = actor, .in = in, .why = why ? why : dummy,
			    .why_size = why ? why_size : sizeof(dummy) };
	const char *bad = cat_bad_field(in, false);
	int r;

	if (bad) {
		attt_str_printf(t.why, t.why_size, "%s: thiếu hoặc không hợp lệ / missing or invalid (R10.2.b)", bad);
		return ATTT_E_INVAL;
	}
	if ((r = attt_db_tx(db, cat_tx, &t)) < 0)
		return r;
	*ret_id = t.id;
	return ATTT_OK;
}

struct cat_cur {
	bool found;
	int64_t agency_id, retention_days, plan_id, retired_at;
	char *item, *kind, *owner_system, *schedule, *method, *restore_test;
};

static int cat_get(void *ctx, const struct attt_bplan_cat_item *it)
{
	struct cat_cur *c = ctx;
	c->found = true;
	c->agency_id = it->agency_id;
	c->retention_days = it->retention_days;
	c->plan_id = it->plan_id;
	c->retired_at = it->retired_at;
	c->item = strdup(it->item);
	c->kind = strdup(it->kind);
	c->owner_system = strdup(it->owner_system);
	c->schedule = strdup(it->schedule);
	c->method = strdup(it->method);
	c->restore_test = strdup(it->restore_test);
	return c->item && c->kind && c->owner_system && c->schedule && c->method && c->restore_test ? ATTT_OK
												  : ATTT_E_NOMEM;
}

struct cat_edit_tx {
	const struct attt_clock *clock;
	const struct attt_actor *actor;
	int64_t id;
	const struct attt_bplan_cat_item *v; /* the entry as edited */
	json_t *changed;
	char *why; size_t why_size;
};

static int cat_edit_tx(struct attt_db *db, void *ctx)
{
	struct cat_edit_tx *t = ctx;
	const struct attt_bplan_cat_item *v = t->v;
	struct attt_stmt *st = NULL;
	char id[32], *text;
	int r;

	if (v->plan_id &&
	    (r = exists(db, "SELECT 1 FROM backup_plan WHERE id = ?1 AND agency_id = ?2 AND retired_at = 0", v->plan_id,
			v->agency_id)) < 0) {
		attt_str_copy(t->why, t->why_size, "--plan: không có kế hoạch này của cơ quan / no such plan of the agency");
		return r;
	}
	r = attt_db_prepare(db, "UPDATE backup_catalogue SET item = ?, kind = ?, owner_system = ?, retention_days = ?, "
				"schedule = ?, method = ?, restore_test = ?, plan_id = ?, updated_at = ? "
				"WHERE id = ? AND retired_at = 0", &st);
	if (r < 0)
		return r;
	attt_stmt_bind_text(st, 1, v->item);
	attt_stmt_bind_text(st, 2, v->kind);
	attt_stmt_bind_text(st, 3, v->owner_system);
	attt_stmt_bind_int64(st, 4, v->retention_days);
	attt_stmt_bind_text(st, 5, v->schedule);
	attt_stmt_bind_text(st, 6, v->method);
	attt_stmt_bind_text(st, 7, v->restore_test);
	if (v->plan_id)
		attt_stmt_bind_int64(st, 8, v->plan_id);
	else
		attt_stmt_bind_null(st, 8);
	attt_stmt_bind_int64(st, 9, attt_now_us(t->clock));
	attt_stmt_bind_int64(st, 10, t->id);
	r = attt_stmt_step(st);
	attt_stmt_finalize(st);
	if (r == ATTT_E_EXISTS)
		attt_str_copy(t->why, t->why_size, "--item: cơ quan đã có mục này / the agency already lists this item");
	if (r < 0)
		return r;
	if (attt_db_changes(db) != 1)
		return ATTT_E_STATE;
	json_t *sum = json_pack("{s:O}", "changed", t->changed);
	text = sum ? json_dumps(sum, JSON_COMPACT) : NULL;
	json_decref(sum);
	if (!text)
		return ATTT_E_NOMEM;
	attt_str_printf(id, sizeof(id), "%lld", (long long)t->id);
	/* R10.2.b: a catalogue change is an audit event, with what it was and what it became. */
	struct attt_audit_event ev = { .category = ATTT_AUDIT_DATA, .action = "backup.catalogue.update",
				       .object_type = "backup_catalogue", .object_id = id, .agency_id = v->agency_id,
				       .outcome = ATTT_AUDIT_SUCCESS, .rule = "R10.2.b", .summary = text };
	r = attt_audit_append(db, t->clock, t->actor, &ev, NULL);
	free(text);
	return r;
}

static void chg_s(json_t *c, const char *field, const char *old, const char *new)
{
	if (strcmp(old, new) != 0)
		json_object_set_new(c, field, json_pack("[s,s]", old, new));
}

static void chg_i(json_t *c, const char *field, int64_t old, int64_t new)
{
	if (old != new)
		json_object_set_new(c, field, json_pack("[I,I]", (json_int_t)old, (json_int_t)new));
}

int attt_bplan_cat_edit(struct attt_db *db, const struct attt_clock *clock, const struct attt_actor *actor,
			int64_t id, const struct attt_bplan_cat_item *in, char *why, size_t why_size)
{
	char dummy[8];
	struct cat_cur c = { 0 };
	struct cat_edit_tx t = { .clock = clock, .actor = actor, .id = id, .why = why ? why : dummy,
				 .why_size = why ? why_size : sizeof(dummy) };
	struct attt_bplan_cat_item v;
	const char *bad = cat_bad_field(in, true);
	int r;

	if (bad) {
		attt_str_printf(t.why, t.why_size, "%s: không hợp lệ / invalid (R10.2.b)", bad);
		return ATTT_E_INVAL;
	}
	if (in->plan_id < -1) {
		attt_str_copy(t.why, t.why_size, "--plan");
		return ATTT_E_INVAL;
	}
	if ((r = attt__bplan_cat_one(db, id, cat_get, &c)) < 0)
		goto out;
	if (!c.found) {
		attt_str_copy(t.why, t.why_size, "không có mục này / no such entry");
		r = ATTT_E_NOTFOUND;
		goto out;
	}
	if (c.retired_at) {
		attt_str_copy(t.why, t.why_size, "mục đã gỡ bỏ / the entry was removed");
		r = ATTT_E_STATE;
		goto out;
	}
	v = (struct attt_bplan_cat_item){
		.agency_id = c.agency_id,
		.item = in->item ? in->item : c.item,
		.kind = in->kind ? in->kind : c.kind,
		.owner_system = in->owner_system ? in->owner_system : c.owner_system,
		.retention_days = in->retention_days ? in->retention_days : c.retention_days,
		.schedule = in->schedule ? in->schedule : c.schedule,
		.method = in->method ? in->method : c.method,
		.restore_test = in->restore_test ? in->restore_test : c.restore_test,
		.plan_id = in->plan_id == -1 ? 0 : in->plan_id ? in->plan_id : c.plan_id,
	};
	if (!(t.changed = json_object())) {
		r = ATTT_E_NOMEM;
		goto out;
	}
	chg_s(t.changed, "item", c.item, v.item);
	chg_s(t.changed, "kind", c.kind, v.kind);
	chg_s(t.changed, "owner_system", c.owner_system, v.owner_system);
	chg_i(t.changed, "retention_days", c.retention_days, v.retention_days);
	chg_s(t.changed, "schedule", c.schedule, v.schedule);
	chg_s(t.changed, "method", c.method, v.method);
	chg_s(t.changed, "restore_test", c.restore_test, v.restore_test);
	chg_i(t.changed, "plan_id", c.plan_id, v.plan_id);
	if (json_object_size(t.changed) == 0) {
		attt_str_copy(t.why, t.why_size, "không có gì thay đổi / nothing to change");
		r = ATTT_E_INVAL;
		goto out;
	}
	t.v = &v;
	r = attt_db_tx(db, cat_edit_tx, &t);
out:
	json_decref(t.changed);
	free(c.item);
	free(c.kind);
	free(c.owner_system);
	free(c.schedule);
	free(c.method);
	free(c.restore_test);
	return r;
}

int attt_bplan_cat_retire(struct attt_db *db, const struct attt_clock *clock, const struct attt_actor *actor,
			  int64_t id, const char *reason, char *why, size_t why_size)
{
	return attt__bplan_retire(db, clock, actor, id, reason, false, why, why_size);
}

/* Entries of agency_id (0: all), or the one entry id (id > 0, retired or not). */
static int cat_query(struct attt_db *db, int64_t agency_id, int64_t id, unsigned flags, attt_bplan_cat_fn fn,
		     void *ctx)
{
	struct attt_stmt *st = NULL;
	int r;

	r = attt_db_prepare(db, "SELECT id, agency_id, item, kind, owner_system, retention_days, schedule, method, "
				"restore_test, COALESCE(plan_id, 0), retired_at, retired_reason FROM backup_catalogue "
				"WHERE (?1 = 0 OR agency_id = ?1) AND (?2 = 0 OR id = ?2) AND (?3 = 1 OR ?2 <> 0 OR "
				"retired_at = 0) ORDER BY agency_id, item, id", &st);
	if (r < 0)
		return r;
	attt_stmt_bind_int64(st, 1, agency_id);
	attt_stmt_bind_int64(st, 2, id);
	attt_stmt_bind_int64(st, 3, (flags & ATTT_BPLAN_LIST_RETIRED) ? 1 : 0);
	while ((r = attt_stmt_step(st)) > 0) {
		struct attt_bplan_cat_item it = {
			.id = attt_stmt_int64(st, 0), .agency_id = attt_stmt_int64(st, 1),
			.item = attt_stmt_text(st, 2), .kind = attt_stmt_text(st, 3),
			.owner_system = attt_stmt_text(st, 4), .retention_days = attt_stmt_int64(st, 5),
			.schedule = attt_stmt_text(st, 6), .method = attt_stmt_text(st, 7),
			.restore_test = attt_stmt_text(st, 8), .plan_id = attt_stmt_int64(st, 9),
			.retired_at = attt_stmt_int64(st, 10), .retired_reason = attt_stmt_text(st, 11),
		};
		if ((r = fn(ctx, &it)) < 0)
			break;
	}
	attt_stmt_finalize(st);
	return r < 0 ? r : ATTT_OK;
}

int attt__bplan_cat_one(struct attt_db *db, int64_t id, attt_bplan_cat_fn fn, void *ctx)
{
	return cat_query(db, 0, id, 0, fn, ctx);
}

int attt_bplan_cat_list(struct attt_db *db, int64_t agency_id, unsigned flags, attt_bplan_cat_fn fn, void *ctx)
{
	return cat_query(db, agency_id, 0, flags, fn, ctx);
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
	return attt_bplan_cat_list(db, agency_id, 0, csv_row, out);
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
	r = attt_bplan_cat_list(db, agency_id, 0, xlsx_row, &x);
	if (r == ATTT_OK && x.err)
		r = x.err;
	if (workbook_close(wb) != LXW_NO_ERROR && r == ATTT_OK)
		r = ATTT_E_IO;
out:
	if (r < 0)
		unlink(path);
	return r;
}
