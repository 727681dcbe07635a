/*
 * agency.c: the agency tree (R1.2): add, read, list, rename, move, merge, history.
 *
 * Invariants kept here: path = parent's path + id + "/" (or "/" + id + "/" for a root), depth =
 * parent's depth + 1 (1 for a root) and never above ATTT_MAX_AGENCY_DEPTH, no cycles, nothing
 * deleted. Move and merge rewrite the paths of a whole subtree with one range UPDATE (paths of a
 * subtree are the strings between path and its upper bound, see attt__org_path_upper).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "attt/audit.h"
#include "attt/buf.h"
#include "attt/db.h"
#include "attt/err.h"
#include "attt/limits.h"
#include "attt/str.h"
#include "attt/text.h"
#include "org-int.h"

#define PATH_MAX_LEN (ATTT_MAX_AGENCY_DEPTH * 21 + 2)

static int64_t now_us(const struct attt_clock *clock)
{
	return attt_now_us(clock);
}

int attt_org_agency_get(struct attt_db *db, int64_t id, struct attt_agency *ret)
{
	struct attt_stmt *st = NULL;
	int r;

	r = attt_db_prepare_cached(db, "SELECT " ATTT__AGENCY_COLS " FROM agency WHERE id = ?", &st);
	if (r < 0)
		return r;
	if ((r = attt_stmt_bind_int64(st, 1, id)) < 0)
		goto out;
	r = attt_stmt_step(st);
	if (r == 0)
		r = ATTT_E_NOTFOUND;
	if (r < 0)
		goto out;
	r = attt__org_agency_row(st, ret);
out:
	attt_stmt_finalize(st);
	return r;
}

int attt_org_agency_get_by_code(struct attt_db *db, const char *code, struct attt_agency *ret)
{
	struct attt_stmt *st = NULL;
	int r;

	if (!code)
		return ATTT_E_INVAL;
	r = attt_db_prepare_cached(db, "SELECT " ATTT__AGENCY_COLS " FROM agency WHERE code = ?", &st);
	if (r < 0)
		return r;
	if ((r = attt_stmt_bind_text(st, 1, code)) < 0)
		goto out;
	r = attt_stmt_step(st);
	if (r == 0)
		r = ATTT_E_NOTFOUND;
	if (r < 0)
		goto out;
	r = attt__org_agency_row(st, ret);
out:
	attt_stmt_finalize(st);
	return r;
}

int attt_org_agency_resolve(struct attt_db *db, int64_t id, int64_t *ret_id)
{
	struct attt_agency a = { 0 };
	int r;

	/* A chain of merges is at most as long as the number of agencies; bound it all the same. */
	for (int hops = 0; hops < 1000; hops++) {
		r = attt_org_agency_get(db, id, &a);
		if (r < 0)
			return r;
		if (a.status != ATTT_AGENCY_MERGED || a.merged_into == 0) {
			attt_org_agency_done(&a);
			*ret_id = id;
			return ATTT_OK;
		}
		id = a.merged_into;
		attt_org_agency_done(&a);
	}
	return ATTT_E_CORRUPT;
}

static int get_path(struct attt_db *db, int64_t id, char *buf, size_t size)
{
	struct attt_stmt *st = NULL;
	const char *p;
	int r;

	r = attt_db_prepare_cached(db, "SELECT path FROM agency WHERE id = ?", &st);
	if (r < 0)
		return r;
	if ((r = attt_stmt_bind_int64(st, 1, id)) < 0)
		goto out;
	r = attt_stmt_step(st);
	if (r == 0)
		r = ATTT_E_NOTFOUND;
	if (r < 0)
		goto out;
	p = attt_stmt_text(st, 0);
	r = p ? attt_str_copy(buf, size, p) : ATTT_E_CORRUPT;
out:
	attt_stmt_finalize(st);
	return r;
}

int attt_org_agency_within(struct attt_db *db, int64_t agency, int64_t ancestor, bool *ret)
{
	char a[PATH_MAX_LEN], b[PATH_MAX_LEN];
	int r;

	if ((r = get_path(db, agency, a, sizeof(a))) < 0 || (r = get_path(db, ancestor, b, sizeof(b))) < 0)
		return r;
	*ret = attt_str_startswith(a, b);
	return ATTT_OK;
}

/* ---- add ---------------------------------------------------------------------------------- */

int attt_org_agency_add_tx(struct attt_db *db, const struct attt_clock *clock, const struct attt_actor *actor,
			   const struct attt_agency_new *in, int64_t *ret_id)
{
	struct attt_agency parent = { 0 };
	struct attt_stmt *st = NULL;
	char *name = NULL, *fold = NULL, *code = NULL;
	char path[PATH_MAX_LEN];
	int64_t id = 0, t = now_us(clock);
	int depth = 1, r;

	if (!in || !attt_org_agency_type_name(in->type)[0]) {
		r = ATTT_E_INVAL;
		goto out;
	}
	if ((r = attt_org_norm_name(in->name, &name)) < 0)
		goto out;
	if ((r = attt_text_fold(name, strlen(name), ATTT_MAX_NAME * 2, &fold)) < 0)
		goto out;
	if (in->code && *in->code && (r = attt_org_norm_code(in->code, &code)) < 0)
		goto out;
	if (in->parent_id) {
		if ((r = attt_org_agency_get(db, in->parent_id, &parent)) < 0)
			goto out;
		if (parent.status != ATTT_AGENCY_ACTIVE) {
			r = ATTT_E_STATE;
			goto out;
		}
		depth = parent.depth + 1;
		if (depth > ATTT_MAX_AGENCY_DEPTH) {
			r = ATTT_E_RANGE;
			goto out;
		}
	}
	r = attt_db_prepare_cached(db, "INSERT INTO agency (name, name_fold, code, type, parent_id, path, depth, status, "
				"created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'active', ?, ?) RETURNING id", &st);
	if (r < 0)
		goto out;
	/* The path needs the id: insert with a placeholder no real path can equal, then set it. */
	if ((r = attt_stmt_bind_text(st, 1, name)) < 0 || (r = attt_stmt_bind_text(st, 2, fold)) < 0 ||
	    (r = attt_stmt_bind_text(st, 3, code)) < 0 ||
	    (r = attt_stmt_bind_text(st, 4, attt_org_agency_type_name(in->type))) < 0 ||
	    (r = in->parent_id ? attt_stmt_bind_int64(st, 5, in->parent_id) : attt_stmt_bind_null(st, 5)) < 0 ||
	    (r = attt_stmt_bind_text(st, 6, "#new")) < 0 || (r = attt_stmt_bind_int64(st, 7, depth)) < 0 ||
	    (r = attt_stmt_bind_int64(st, 8, t)) < 0 || (r = attt_stmt_bind_int64(st, 9, t)) < 0)
		goto out;
	r = attt_stmt_step(st);
	if (r == 0)
		r = ATTT_E_INTERNAL;
	if (r < 0)
		goto out;
	id = attt_stmt_int64(st, 0);
	attt_stmt_finalize(st);
	st = NULL;
	if ((r = attt_str_printf(path, sizeof(path), "%s%lld/", in->parent_id ? parent.path : "/", (long long)id)) < 0)
		goto out;
	if ((r = attt_db_prepare_cached(db, "UPDATE agency SET path = ? WHERE id = ?", &st)) < 0)
		goto out;
	if ((r = attt_stmt_bind_text(st, 1, path)) < 0 || (r = attt_stmt_bind_int64(st, 2, id)) < 0)
		goto out;
	if ((r = attt_stmt_step(st)) < 0)
		goto out;
	if ((r = attt__org_history(db, id, t, "create", NULL, name, actor)) < 0)
		goto out;
	r = attt__org_audit(db, clock, actor, "agency.create", "agency", id, id,
			    json_pack("{s:s, s:s, s:o, s:o}", "name", name, "type", attt_org_agency_type_name(in->type),
				      "code", code ? json_string(code) : json_null(),
				      "parent_id", in->parent_id ? json_integer(in->parent_id) : json_null()));
	if (r < 0)
		goto out;
	*ret_id = id;
	r = ATTT_OK;
out:
	attt_stmt_finalize(st);
	attt_org_agency_done(&parent);
	free(name);
	free(fold);
	free(code);
	return r;
}

struct add_ctx {
	const struct attt_clock *clock;
	const struct attt_actor *actor;
	const struct attt_agency_new *in;
	int64_t id;
};

static int add_fn(struct attt_db *db, void *ctx)
{
	struct add_ctx *c = ctx;
	return attt_org_agency_add_tx(db, c->clock, c->actor, c->in, &c->id);
}

int attt_org_agency_add(struct attt_db *db, const struct attt_clock *clock, const struct attt_actor *actor,
			const struct attt_agency_new *in, int64_t *ret_id)
{
	struct add_ctx c = { clock, actor, in, 0 };
	int r = attt_db_tx(db, add_fn, &c);
	if (r >= 0)
		*ret_id = c.id;
	return r < 0 ? r : ATTT_OK;
}

/* ---- list --------------------------------------------------------------------------------- */

void attt_org_agency_list_done(struct attt_agency_list *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->count; i++)
		attt_org_agency_done(&l->items[i]);
	free(l->items);
	memset(l, 0, sizeof(*l));
}

int attt_org_agency_list(struct attt_db *db, const struct attt_agency_filter *f, struct attt_agency_list *ret)
{
	static const struct attt_agency_filter none = { 0 };
	struct attt_agency_list l = { 0 };
	struct attt_stmt *st = NULL;
	struct attt_buf where;
	struct attt__org_param p[8];
	char path[PATH_MAX_LEN], upper[PATH_MAX_LEN];
	char *like = NULL;
	size_t limit;
	int n = 0, r;

	if (!f)
		f = &none;
	limit = f->limit ? f->limit : ATTT_HTTP_DEFAULT_PAGE;
	if (limit > ATTT_HTTP_MAX_PAGE || f->offset > INT64_MAX)
		return ATTT_E_RANGE;
	attt_buf_init(&where, 1024);
	r = attt_buf_adds(&where, " WHERE 1 = 1");
	if (r == ATTT_OK && f->by_parent) {
		r = attt_buf_adds(&where, f->parent_id ? " AND parent_id = ?" : " AND parent_id IS NULL");
		if (f->parent_id)
			p[n++] = (struct attt__org_param){ false, f->parent_id, NULL };
	}
	if (r == ATTT_OK && f->within > 0) {
		if ((r = get_path(db, f->within, path, sizeof(path))) < 0 ||
		    (r = attt__org_path_upper(path, upper, sizeof(upper))) < 0)
			goto out;
		r = attt_buf_adds(&where, " AND path >= ? AND path < ?");
		p[n++] = (struct attt__org_param){ true, 0, path };
		p[n++] = (struct attt__org_param){ true, 0, upper };
	}
	if (r == ATTT_OK && f->type) {
		if (!attt_org_agency_type_name(f->type)[0]) {
			r = ATTT_E_INVAL;
			goto out;
		}
		r = attt_buf_adds(&where, " AND type = ?");
		p[n++] = (struct attt__org_param){ true, 0, attt_org_agency_type_name(f->type) };
	}
	if (r == ATTT_OK && f->status) {
		if (!attt_org_agency_status_name(f->status)[0]) {
			r = ATTT_E_INVAL;
			goto out;
		}
		r = attt_buf_adds(&where, " AND status = ?");
		p[n++] = (struct attt__org_param){ true, 0, attt_org_agency_status_name(f->status) };
	}
	if (r == ATTT_OK && f->search && *f->search) {
		if ((r = attt__org_like_pattern(f->search, &like)) < 0)
			goto out;
		r = attt_buf_adds(&where, " AND (name_fold LIKE ? ESCAPE '\\' OR code = ?)");
		p[n++] = (struct attt__org_param){ true, 0, like };
		p[n++] = (struct attt__org_param){ true, 0, f->search };
	}
	if (r < 0)
		goto out;
	if ((r = attt__org_page(db, ATTT__AGENCY_COLS, "agency", attt_buf_str(&where), "path", p, n, limit, f->offset,
				&l.total, &st)) < 0)
		goto out;
	l.items = calloc(limit, sizeof(*l.items));
	if (!l.items) {
		r = ATTT_E_NOMEM;
		goto out;
	}
	while ((r = attt_stmt_step(st)) > 0 && l.count < limit) {
		if ((r = attt__org_agency_row(st, &l.items[l.count])) < 0)
			goto out;
		l.count++;
	}
	if (r < 0)
		goto out;
	*ret = l;
	memset(&l, 0, sizeof(l));
	r = ATTT_OK;
out:
	attt_stmt_finalize(st);
	attt_org_agency_list_done(&l);
	attt_buf_done(&where);
	free(like);
	return r;
}

/* Steps st to its end, collecting column 0 into a new array (*ret, *ret_n); ATTT_E_TOOBIG past max
 * rows. */
static int collect_ids(struct attt_stmt *st, size_t max, int64_t **ret, size_t *ret_n)
{
	int64_t *ids = NULL;
	size_t n = 0, cap = 0;
	int r;

	while ((r = attt_stmt_step(st)) > 0) {
		if (n >= max) {
			r = ATTT_E_TOOBIG;
			goto out;
		}
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			int64_t *nids = realloc(ids, ncap * sizeof(*ids));
			if (!nids) {
				r = ATTT_E_NOMEM;
				goto out;
			}
			ids = nids;
			cap = ncap;
		}
		ids[n++] = attt_stmt_int64(st, 0);
	}
	if (r < 0)
		goto out;
	*ret = ids;
	*ret_n = n;
	ids = NULL;
	r = ATTT_OK;
out:
	free(ids);
	return r;
}

int attt_org_agency_subtree(struct attt_db *db, int64_t ancestor, size_t max, int64_t **ret_ids, size_t *ret_n)
{
	struct attt_stmt *st = NULL;
	char path[PATH_MAX_LEN], upper[PATH_MAX_LEN];
	int r;

	if ((r = get_path(db, ancestor, path, sizeof(path))) < 0 || (r = attt__org_path_upper(path, upper, sizeof(upper))) < 0)
		return r;
	r = attt_db_prepare_cached(db, "SELECT id FROM agency WHERE path >= ? AND path < ? ORDER BY path", &st);
	if (r < 0)
		return r;
	if ((r = attt_stmt_bind_text(st, 1, path)) < 0 || (r = attt_stmt_bind_text(st, 2, upper)) < 0)
		goto out;
	r = collect_ids(st, max, ret_ids, ret_n);
out:
	attt_stmt_finalize(st);
	return r;
}

/* ---- rename ------------------------------------------------------------------------------- */

struct rename_ctx {
	const struct attt_clock *clock;
	const struct attt_actor *actor;
	int64_t id;
	const char *name;
};

static int rename_fn(struct attt_db *db, void *ctx)
{
	struct rename_ctx *c = ctx;
	struct attt_agency a = { 0 };
	struct attt_stmt *st = NULL;
	char *name = NULL, *fold = NULL;
	int64_t t = now_us(c->clock);
	int r;

	if ((r = attt_org_norm_name(c->name, &name)) < 0 || (r = attt_org_agency_get(db, c->id, &a)) < 0)
		goto out;
	if (strcmp(a.name, name) == 0) {
		r = ATTT_OK;
		goto out;
	}
	if ((r = attt_text_fold(name, strlen(name), ATTT_MAX_NAME * 2, &fold)) < 0)
		goto out;
	if ((r = attt_db_prepare_cached(db, "UPDATE agency SET name = ?, name_fold = ?, updated_at = ? WHERE id = ?", &st)) < 0)
		goto out;
	if ((r = attt_stmt_bind_text(st, 1, name)) < 0 || (r = attt_stmt_bind_text(st, 2, fold)) < 0 ||
	    (r = attt_stmt_bind_int64(st, 3, t)) < 0 || (r = attt_stmt_bind_int64(st, 4, c->id)) < 0 ||
	    (r = attt_stmt_step(st)) < 0)
		goto out;
	/* R1.2: a rename keeps the old name in the history. */
	if ((r = attt__org_history(db, c->id, t, "rename", a.name, name, c->actor)) < 0)
		goto out;
	r = attt__org_audit(db, c->clock, c->actor, "agency.rename", "agency", c->id, c->id,
			    json_pack("{s:[s,s]}", "name", a.name, name));
out:
	attt_stmt_finalize(st);
	attt_org_agency_done(&a);
	free(name);
	free(fold);
	return r;
}

int attt_org_agency_rename(struct attt_db *db, const struct attt_clock *clock, const struct attt_actor *actor,
			   int64_t id, const char *name)
{
	struct rename_ctx c = { clock, actor, id, name };
	int r = attt_db_tx(db, rename_fn, &c);
	return r < 0 ? r : ATTT_OK;
}

/* ---- move --------------------------------------------------------------------------------- */

static int max_depth(struct attt_db *db, const char *path, int *ret)
{
	struct attt_stmt *st = NULL;
	char upper[PATH_MAX_LEN];
	int r;

	if ((r = attt__org_path_upper(path, upper, sizeof(upper))) < 0)
		return r;
	if ((r = attt_db_prepare_cached(db, "SELECT max(depth) FROM agency WHERE path >= ? AND path < ?", &st)) < 0)
		return r;
	if ((r = attt_stmt_bind_text(st, 1, path)) < 0 || (r = attt_stmt_bind_text(st, 2, upper)) < 0)
		goto out;
	r = attt_stmt_step(st);
	if (r == 0)
		r = ATTT_E_INTERNAL;
	if (r < 0)
		goto out;
	*ret = (int)attt_stmt_int64(st, 0);
	r = ATTT_OK;
out:
	attt_stmt_finalize(st);
	return r;
}

/* Re-hangs a (with its subtree) under parent (NULL: a root), rewriting paths and depths. No
 * checks besides the depth limit: callers check cycles and statuses. */
static int rehang(struct attt_db *db, const struct attt_agency *a, const struct attt_agency *parent, int64_t t)
{
	struct attt_stmt *st = NULL;
	char npath[PATH_MAX_LEN], upper[PATH_MAX_LEN];
	int deepest, ndepth = parent ? parent->depth + 1 : 1, r;

	if ((r = max_depth(db, a->path, &deepest)) < 0)
		return r;
	if (deepest - a->depth + ndepth > ATTT_MAX_AGENCY_DEPTH)
		return ATTT_E_RANGE;
	if ((r = attt_str_printf(npath, sizeof(npath), "%s%lld/", parent ? parent->path : "/", (long long)a->id)) < 0 ||
	    (r = attt__org_path_upper(a->path, upper, sizeof(upper))) < 0)
		return r;
	r = attt_db_prepare_cached(db, "UPDATE agency SET path = ? || substr(path, ?), depth = depth + ? "
				"WHERE path >= ? AND path < ?", &st);
	if (r < 0)
		return r;
	if ((r = attt_stmt_bind_text(st, 1, npath)) < 0 ||
	    (r = attt_stmt_bind_int64(st, 2, (int64_t)strlen(a->path) + 1)) < 0 ||
	    (r = attt_stmt_bind_int64(st, 3, ndepth - a->depth)) < 0 || (r = attt_stmt_bind_text(st, 4, a->path)) < 0 ||
	    (r = attt_stmt_bind_text(st, 5, upper)) < 0 || (r = attt_stmt_step(st)) < 0)
		goto out;
	attt_stmt_finalize(st);
	st = NULL;
	if ((r = attt_db_prepare_cached(db, "UPDATE agency SET parent_id = ?, updated_at = ? WHERE id = ?", &st)) < 0)
		goto out;
	if ((r = parent ? attt_stmt_bind_int64(st, 1, parent->id) : attt_stmt_bind_null(st, 1)) < 0 ||
	    (r = attt_stmt_bind_int64(st, 2, t)) < 0 || (r = attt_stmt_bind_int64(st, 3, a->id)) < 0)
		goto out;
	r = attt_stmt_step(st);
out:
	attt_stmt_finalize(st);
	return r < 0 ? r : ATTT_OK;
}

static int id_text(int64_t id, char *buf, size_t size)
{
	if (id == 0) {
		buf[0] = '\0';
		return ATTT_OK;
	}
	return attt_str_printf(buf, size, "%lld", (long long)id);
}

/* Moves a under parent with history and audit; merge_src > 0 when the move is part of a merge. */
static int move_one(struct attt_db *db, const struct attt_clock *clock, const struct attt_actor *actor,
		    const struct attt_agency *a, const struct attt_agency *parent, int64_t merge_src)
{
	char oldv[24], newv[24];
	int64_t t = now_us(clock);
	int r;

	if (parent && attt_str_startswith(parent->path, a->path))
		return ATTT_E_CONFLICT; /* R1.2: a move into its own subtree would make a cycle */
	if ((r = rehang(db, a, parent, t)) < 0)
		return r;
	if ((r = id_text(a->parent_id, oldv, sizeof(oldv))) < 0 || (r = id_text(parent ? parent->id : 0, newv, sizeof(newv))) < 0)
		return r;
	if ((r = attt__org_history(db, a->id, t, "move", oldv[0] ? oldv : NULL, newv[0] ? newv : NULL, actor)) < 0)
		return r;
	return attt__org_audit(db, clock, actor, "agency.move", "agency", a->id, a->id,
			       json_pack("{s:[o,o], s:o}", "parent_id",
					 a->parent_id ? json_integer(a->parent_id) : json_null(),
					 parent ? json_integer(parent->id) : json_null(),
					 "merge", merge_src ? json_integer(merge_src) : json_null()));
}

struct move_ctx {
	const struct attt_clock *clock;
	const struct attt_actor *actor;
	int64_t id, parent;
};

static int move_fn(struct attt_db *db, void *ctx)
{
	struct move_ctx *c = ctx;
	struct attt_agency a = { 0 }, p = { 0 };
	int r;

	if ((r = attt_org_agency_get(db, c->id, &a)) < 0)
		goto out;
	if (c->parent && (r = attt_org_agency_get(db, c->parent, &p)) < 0)
		goto out;
	if (a.status != ATTT_AGENCY_ACTIVE || (c->parent && p.status != ATTT_AGENCY_ACTIVE)) {
		r = ATTT_E_STATE;
		goto out;
	}
	if (c->parent == c->id) {
		r = ATTT_E_CONFLICT;
		goto out;
	}
	if (a.parent_id == c->parent) {
		r = ATTT_OK;
		goto out;
	}
	r = move_one(db, c->clock, c->actor, &a, c->parent ? &p : NULL, 0);
out:
	attt_org_agency_done(&a);
	attt_org_agency_done(&p);
	return r;
}

int attt_org_agency_move(struct attt_db *db, const struct attt_clock *clock, const struct attt_actor *actor,
			 int64_t id, int64_t new_parent)
{
	struct move_ctx c = { clock, actor, id, new_parent };
	int r = attt_db_tx(db, move_fn, &c);
	return r < 0 ? r : ATTT_OK;
}

/* ---- merge -------------------------------------------------------------------------------- */

static int list_ids(struct attt_db *db, const char *sql, int64_t arg, int64_t **ret, size_t *ret_n)
{
	struct attt_stmt *st = NULL;
	int r;

	if ((r = attt_db_prepare(db, sql, &st)) < 0)
		return r;
	if ((r = attt_stmt_bind_int64(st, 1, arg)) < 0)
		goto out;
	r = collect_ids(st, SIZE_MAX, ret, ret_n);
out:
	attt_stmt_finalize(st);
	return r;
}

struct merge_ctx {
	const struct attt_clock *clock;
	const struct attt_actor *actor;
	int64_t src, dst;
	struct attt_org_merge_result res;
};

static int merge_fn(struct attt_db *db, void *ctx)
{
	struct merge_ctx *c = ctx;
	struct attt_agency s = { 0 }, d = { 0 }, child = { 0 };
	struct attt_stmt *st = NULL;
	int64_t *kids = NULL, *people = NULL, t = now_us(c->clock);
	size_t nkids = 0, npeople = 0;
	char sv[24], dv[24], pv[24];
	struct attt_audit_bulk *bulk = NULL;
	int deepest, r;

	memset(&c->res, 0, sizeof(c->res));
	if ((r = attt_org_agency_get(db, c->src, &s)) < 0 || (r = attt_org_agency_get(db, c->dst, &d)) < 0)
		goto out;
	if (s.status != ATTT_AGENCY_ACTIVE || d.status != ATTT_AGENCY_ACTIVE) {
		r = ATTT_E_STATE;
		goto out;
	}
	if (attt_str_startswith(d.path, s.path)) {
		r = ATTT_E_CONFLICT; /* R1.2: into itself or into its own subtree */
		goto out;
	}
	/* Everything below src ends up one level below dst; src itself too. */
	if ((r = max_depth(db, s.path, &deepest)) < 0)
		goto out;
	if (d.depth + 1 > ATTT_MAX_AGENCY_DEPTH || deepest - s.depth + d.depth > ATTT_MAX_AGENCY_DEPTH) {
		r = ATTT_E_RANGE;
		goto out;
	}
	/* R1.2: children move with their subtrees, each move in the history. */
	if ((r = list_ids(db, "SELECT id FROM agency WHERE parent_id = ? ORDER BY id", s.id, &kids, &nkids)) < 0)
		goto out;
	for (size_t i = 0; i < nkids; i++) {
		if ((r = attt_org_agency_get(db, kids[i], &child)) < 0 ||
		    (r = move_one(db, c->clock, c->actor, &child, &d, s.id)) < 0)
			goto out;
		attt_org_agency_done(&child);
	}
	c->res.children_moved = (int64_t)nkids;
	/* People of src now belong to dst. */
	if ((r = list_ids(db, "SELECT id FROM person WHERE agency_id = ? ORDER BY id", s.id, &people, &npeople)) < 0)
		goto out;
	if ((r = attt_db_prepare_cached(db, "UPDATE person SET agency_id = ?, updated_at = ? WHERE id = ?", &st)) < 0)
		goto out;
	/* R7.2: the people moved are named by one bulk event (a commune of thousands is one merge). */
	if (npeople) {
		char summary[96];
		if ((r = attt_str_printf(summary, sizeof(summary), "{\"agency_id\":[%lld,%lld],\"merge\":%lld}",
					 (long long)s.id, (long long)d.id, (long long)s.id)) < 0)
			goto out;
		struct attt_audit_event ev = { .category = ATTT_AUDIT_DATA, .action = "person.move",
					       .object_type = "person", .outcome = ATTT_AUDIT_SUCCESS, .rule = "R1.2",
					       .summary = summary };
		if ((r = attt_audit_bulk_begin(db, c->clock, c->actor, &ev, &bulk)) < 0)
			goto out;
	}
	for (size_t i = 0; i < npeople; i++) {
		if ((r = attt_stmt_reset(st)) < 0 || (r = attt_stmt_bind_int64(st, 1, d.id)) < 0 ||
		    (r = attt_stmt_bind_int64(st, 2, t)) < 0 || (r = attt_stmt_bind_int64(st, 3, people[i])) < 0 ||
		    (r = attt_stmt_step(st)) < 0 || (r = attt_audit_bulk_add(bulk, d.id, people[i])) < 0)
			goto out;
	}
	if (bulk) {
		r = attt_audit_bulk_end(bulk, NULL);
		bulk = NULL;
		if (r < 0)
			goto out;
	}
	c->res.people_moved = (int64_t)npeople;
	attt_stmt_finalize(st);
	st = NULL;
	/* src hangs under dst from now on, marked merged, its id still resolvable. */
	if ((r = rehang(db, &s, &d, t)) < 0)
		goto out;
	if ((r = attt_db_prepare_cached(db, "UPDATE agency SET status = 'merged', merged_into = ?, updated_at = ? WHERE id = ?", &st)) < 0 ||
	    (r = attt_stmt_bind_int64(st, 1, d.id)) < 0 || (r = attt_stmt_bind_int64(st, 2, t)) < 0 ||
	    (r = attt_stmt_bind_int64(st, 3, s.id)) < 0 || (r = attt_stmt_step(st)) < 0)
		goto out;
	if ((r = id_text(s.id, sv, sizeof(sv))) < 0 || (r = id_text(d.id, dv, sizeof(dv))) < 0 ||
	    (r = id_text(s.parent_id, pv, sizeof(pv))) < 0)
		goto out;
	/* History of src: old parent -> the agency it went into; of dst: where the merged one came from. */
	if ((r = attt__org_history(db, s.id, t, "merge", pv[0] ? pv : NULL, dv, c->actor)) < 0 ||
	    (r = attt__org_history(db, d.id, t, "merged_from", NULL, sv, c->actor)) < 0)
		goto out;
	r = attt__org_audit(db, c->clock, c->actor, "agency.merge", "agency", s.id, d.id,
			    json_pack("{s:I, s:o, s:I, s:I}", "into", (json_int_t)d.id, "parent_id",
				      s.parent_id ? json_integer(s.parent_id) : json_null(),
				      "children", (json_int_t)nkids, "people", (json_int_t)npeople));
out:
	attt_audit_bulk_free(bulk);
	attt_stmt_finalize(st);
	attt_org_agency_done(&s);
	attt_org_agency_done(&d);
	attt_org_agency_done(&child);
	free(kids);
	free(people);
	return r;
}

int attt_org_agency_merge(struct attt_db *db, const struct attt_clock *clock, const struct attt_actor *actor,
			  int64_t src, int64_t dst, struct attt_org_merge_result *ret)
{
	struct merge_ctx c = { clock, actor, src, dst, { 0, 0 } };
	int r = attt_db_tx(db, merge_fn, &c);
	if (r < 0)
		return r;
	if (ret)
		*ret = c.res;
	return ATTT_OK;
}

/* ---- dissolve ----------------------------------------------------------------------------- */

static int count_of(struct attt_db *db, const char *sql, int64_t arg, int64_t *ret)
{
	struct attt_stmt *st = NULL;
	int r;

	if ((r = attt_db_prepare(db, sql, &st)) < 0)
		return r;
	if ((r = attt_stmt_bind_int64(st, 1, arg)) < 0)
		goto out;
	r = attt_stmt_step(st);
	if (r == 0)
		r = ATTT_E_INTERNAL;
	if (r < 0)
		goto out;
	*ret = attt_stmt_int64(st, 0);
	r = ATTT_OK;
out:
	attt_stmt_finalize(st);
	return r;
}

struct dissolve_ctx {
	const struct attt_clock *clock;
	const struct attt_actor *actor;
	int64_t id;
};

static int dissolve_fn(struct attt_db *db, void *ctx)
{
	struct dissolve_ctx *c = ctx;
	struct attt_agency a = { 0 };
	struct attt_stmt *st = NULL;
	int64_t kids, people, t = now_us(c->clock);
	int r;

	if ((r = attt_org_agency_get(db, c->id, &a)) < 0)
		goto out;
	if (a.status != ATTT_AGENCY_ACTIVE) {
		r = ATTT_E_STATE;
		goto out;
	}
	/* R1.2: nobody and nothing active may be left hanging under a dissolved agency. */
	if ((r = count_of(db, "SELECT count(*) FROM agency WHERE parent_id = ? AND status = 'active'", c->id, &kids)) < 0 ||
	    (r = count_of(db, "SELECT count(*) FROM person WHERE agency_id = ? AND status IN ('active', 'on_leave')",
			  c->id, &people)) < 0)
		goto out;
	if (kids > 0 || people > 0) {
		r = ATTT_E_CONFLICT;
		goto out;
	}
	if ((r = attt_db_prepare_cached(db, "UPDATE agency SET status = 'dissolved', updated_at = ? WHERE id = ?", &st)) < 0 ||
	    (r = attt_stmt_bind_int64(st, 1, t)) < 0 || (r = attt_stmt_bind_int64(st, 2, c->id)) < 0 ||
	    (r = attt_stmt_step(st)) < 0)
		goto out;
	if ((r = attt__org_history(db, c->id, t, "dissolve", "active", "dissolved", c->actor)) < 0)
		goto out;
	r = attt__org_audit(db, c->clock, c->actor, "agency.dissolve", "agency", c->id, c->id,
			    json_pack("{s:[s,s]}", "status", "active", "dissolved"));
out:
	attt_stmt_finalize(st);
	attt_org_agency_done(&a);
	return r;
}

int attt_org_agency_dissolve(struct attt_db *db, const struct attt_clock *clock, const struct attt_actor *actor,
			     int64_t id)
{
	struct dissolve_ctx c = { clock, actor, id };
	int r = attt_db_tx(db, dissolve_fn, &c);
	return r < 0 ? r : ATTT_OK;
}

/* ---- history ------------------------------------------------------------------------------ */

void attt_org_agency_history_list_done(struct attt_agency_history_list *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->count; i++) {
		free(l->items[i].kind);
		free(l->items[i].old_value);
		free(l->items[i].new_value);
		free(l->items[i].actor);
	}
	free(l->items);
	memset(l, 0, sizeof(*l));
}

static int dup_or_null(const char *s, char **ret)
{
	*ret = NULL;
	if (!s)
		return ATTT_OK;
	*ret = strdup(s);
	return *ret ? ATTT_OK : ATTT_E_NOMEM;
}

int attt_org_agency_history(struct attt_db *db, int64_t id, struct attt_agency_history_list *ret)
{
	struct attt_agency_history_list l = { 0 };
	struct attt_stmt *st = NULL;
	bool exists;
	int r;

	if ((r = attt_org_agency_within(db, id, id, &exists)) < 0)
		return r;
	r = attt_db_prepare_cached(db, "SELECT id, agency_id, at, kind, old_value, new_value, actor FROM agency_history "
				"WHERE agency_id = ? ORDER BY id DESC LIMIT ?", &st);
	if (r < 0)
		return r;
	if ((r = attt_stmt_bind_int64(st, 1, id)) < 0 || (r = attt_stmt_bind_int64(st, 2, ATTT_HTTP_MAX_PAGE)) < 0)
		goto out;
	l.items = calloc(ATTT_HTTP_MAX_PAGE, sizeof(*l.items));
	if (!l.items) {
		r = ATTT_E_NOMEM;
		goto out;
	}
	while ((r = attt_stmt_step(st)) > 0 && l.count < ATTT_HTTP_MAX_PAGE) {
		struct attt_agency_history *h = &l.items[l.count];
		h->id = attt_stmt_int64(st, 0);
		h->agency_id = attt_stmt_int64(st, 1);
		h->at = attt_stmt_int64(st, 2);
		l.count++;
		if ((r = dup_or_null(attt_stmt_text(st, 3), &h->kind)) < 0 ||
		    (r = dup_or_null(attt_stmt_text(st, 4), &h->old_value)) < 0 ||
		    (r = dup_or_null(attt_stmt_text(st, 5), &h->new_value)) < 0 ||
		    (r = dup_or_null(attt_stmt_text(st, 6), &h->actor)) < 0)
			goto out;
		if (!h->kind) {
			r = ATTT_E_CORRUPT;
			goto out;
		}
	}
	if (r < 0)
		goto out;
	/* Oldest first. */
	for (size_t i = 0; i < l.count / 2; i++) {
		struct attt_agency_history tmp = l.items[i];
		l.items[i] = l.items[l.count - 1 - i];
		l.items[l.count - 1 - i] = tmp;
	}
	*ret = l;
	memset(&l, 0, sizeof(l));
	r = ATTT_OK;
out:
	attt_stmt_finalize(st);
	attt_org_agency_history_list_done(&l);
	return r;
}
