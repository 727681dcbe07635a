/*
 * person.c: people of the agencies (R1.2): add, read, update, list with folded search.
 * Each person belongs to exactly one active agency; names are NFC with a folded copy for search,
 * e-mail addresses lower-case, phone numbers digits with an optional leading '+'.
 */
#include <stdlib.h>
#include <string.h>

#include "attt/buf.h"
#include "attt/db.h"
#include "attt/err.h"
#include "attt/limits.h"
#include "attt/str.h"
#include "attt/text.h"
#include "org-int.h"

#define PATH_MAX_LEN (ATTT_MAX_AGENCY_DEPTH * 21 + 2)

static int agency_active(struct attt_db *db, int64_t id)
{
	struct attt_agency a = { 0 };
	int r = attt_org_agency_get(db, id, &a);
	if (r < 0)
		return r;
	r = a.status == ATTT_AGENCY_ACTIVE ? ATTT_OK : ATTT_E_STATE;
	attt_org_agency_done(&a);
	return r;
}

int attt__org_person_insert(struct attt_db *db, struct attt_stmt **stp, const struct attt_clock *clock,
			    const struct attt_actor *actor, struct attt_audit_bulk *bulk, int64_t agency_id,
			    const struct attt__person_norm *n, int64_t now, int64_t *ret_id)
{
	struct attt_stmt *st = *stp;
	int64_t id;
	int r;

	if (!st) {
		r = attt_db_prepare_cached(db, "INSERT INTO person (agency_id, full_name, name_fold, position, email, phone, status, "
					"created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id", &st);
		if (r < 0)
			return r;
		*stp = st;
	} else if ((r = attt_stmt_reset(st)) < 0) {
		return r;
	}
	if ((r = attt_stmt_bind_int64(st, 1, agency_id)) < 0 || (r = attt_stmt_bind_text(st, 2, n->full_name)) < 0 ||
	    (r = attt_stmt_bind_text(st, 3, n->name_fold)) < 0 || (r = attt_stmt_bind_text(st, 4, n->position)) < 0 ||
	    (r = attt_stmt_bind_text(st, 5, n->email)) < 0 || (r = attt_stmt_bind_text(st, 6, n->phone)) < 0 ||
	    (r = attt_stmt_bind_text(st, 7, attt_org_person_status_name(n->status))) < 0 ||
	    (r = attt_stmt_bind_int64(st, 8, now)) < 0 || (r = attt_stmt_bind_int64(st, 9, now)) < 0)
		return r;
	r = attt_stmt_step(st);
	if (r == 0)
		r = ATTT_E_INTERNAL;
	if (r < 0)
		return r;
	id = attt_stmt_int64(st, 0);
	if ((r = attt_stmt_reset(st)) < 0)
		return r;
	/* R7.2: an import's people are named by its bulk events (one per agency). */
	if (bulk)
		r = attt_audit_bulk_add(bulk, agency_id, id);
	else
		r = attt__org_audit(db, clock, actor, "person.create", "person", id, agency_id,
			    json_pack("{s:s, s:I, s:s}", "full_name", n->full_name, "agency_id", (json_int_t)agency_id,
				      "status", attt_org_person_status_name(n->status)));
	if (r < 0)
		return r;
	*ret_id = id;
	return ATTT_OK;
}

int attt_org_person_add_tx(struct attt_db *db, const struct attt_clock *clock, const struct attt_actor *actor,
			   const struct attt_person_new *in, int64_t *ret_id)
{
	struct attt__person_norm n = { 0 };
	struct attt_stmt *st = NULL;
	int r;

	if (!in || in->agency_id <= 0)
		return ATTT_E_INVAL;
	if (in->status && !attt_org_person_status_name(in->status)[0])
		return ATTT_E_INVAL;
	if ((r = attt__org_person_norm(in->full_name, in->position, in->email, in->phone, &n, NULL)) < 0)
		return r;
	if (in->status)
		n.status = in->status;
	if ((r = agency_active(db, in->agency_id)) < 0)
		goto out;
	r = attt__org_person_insert(db, &st, clock, actor, NULL, in->agency_id, &n, attt_now_us(clock), ret_id);
out:
	attt_stmt_finalize(st);
	attt__org_person_norm_done(&n);
	return r;
}

struct add_ctx {
	const struct attt_clock *clock;
	const struct attt_actor *actor;
	const struct attt_person_new *in;
	int64_t id;
};

static int add_fn(struct attt_db *db, void *ctx)
{
	struct add_ctx *c = ctx;
	return attt_org_person_add_tx(db, c->clock, c->actor, c->in, &c->id);
}

int attt_org_person_add(struct attt_db *db, const struct attt_clock *clock, const struct attt_actor *actor,
			const struct attt_person_new *in, int64_t *ret_id)
{
	struct add_ctx c = { clock, actor, in, 0 };
	int r = attt_db_tx(db, add_fn, &c);
	if (r < 0)
		return r;
	*ret_id = c.id;
	return ATTT_OK;
}

int attt_org_person_get(struct attt_db *db, int64_t id, struct attt_person *ret)
{
	struct attt_stmt *st = NULL;
	int r;

	r = attt_db_prepare_cached(db, "SELECT " ATTT__PERSON_COLS " FROM person WHERE id = ?", &st);
	if (r < 0)
		return r;
	if ((r = attt_stmt_bind_int64(st, 1, id)) < 0)
		goto out;
	r = attt_stmt_step(st);
	if (r == 0)
		r = ATTT_E_NOTFOUND;
	if (r < 0)
		goto out;
	r = attt__org_person_row(st, ret);
out:
	attt_stmt_finalize(st);
	return r;
}

/* ---- update ------------------------------------------------------------------------------- */

static bool same(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static int note(json_t *changes, const char *field, const char *oldv, const char *newv)
{
	return json_object_set_new(changes, field, json_pack("[o,o]", oldv ? json_string(oldv) : json_null(),
							     newv ? json_string(newv) : json_null()));
}

/* Normalises an optional field of an update: NULL keeps, "" clears, else norm(). */
static int opt_field(const char *in, const char *cur, int (*norm)(const char *, char **), char **ret, bool *changed)
{
	char *v = NULL;
	int r;

	*changed = false;
	if (!in)
		return ATTT_OK;
	if (*in && (r = norm(in, &v)) < 0)
		return r;
	if (!same(v, cur))
		*changed = true;
	*ret = v;
	return ATTT_OK;
}

static int norm_position(const char *s, char **ret)
{
	char *v = NULL;
	int r = attt_org_norm_name(s, &v);
	if (r < 0)
		return r;
	if (strlen(v) > ATTT_MAX_SHORT_TEXT) {
		free(v);
		return ATTT_E_TOOBIG;
	}
	*ret = v;
	return ATTT_OK;
}

int attt_org_person_update_tx(struct attt_db *db, const struct attt_clock *clock, const struct attt_actor *actor,
			      int64_t id, const struct attt_person_update *u)
{
	struct attt_person p = { 0 };
	struct attt_stmt *st = NULL;
	char *name = NULL, *fold = NULL, *pos = NULL, *email = NULL, *phone = NULL;
	bool c_pos, c_email, c_phone;
	json_t *changes = NULL;
	char av[24], bv[24];
	int64_t agency;
	enum attt_person_status status;
	int r;

	if (!u || (u->status && !attt_org_person_status_name(u->status)[0]) || u->agency_id < 0)
		return ATTT_E_INVAL;
	if ((r = attt_org_person_get(db, id, &p)) < 0)
		return r;
	changes = json_object();
	if (!changes) {
		r = ATTT_E_NOMEM;
		goto out;
	}
	if (u->full_name) {
		if ((r = attt_org_norm_name(u->full_name, &name)) < 0)
			goto out;
		if (strcmp(name, p.full_name) != 0 && (r = note(changes, "full_name", p.full_name, name)) < 0)
			goto out;
	}
	if ((r = opt_field(u->position, p.position, norm_position, &pos, &c_pos)) < 0 ||
	    (r = opt_field(u->email, p.email, attt_org_norm_email, &email, &c_email)) < 0 ||
	    (r = opt_field(u->phone, p.phone, attt_org_norm_phone, &phone, &c_phone)) < 0)
		goto out;
	if ((c_pos && (r = note(changes, "position", p.position, pos)) < 0) ||
	    (c_email && (r = note(changes, "email", p.email, email)) < 0) ||
	    (c_phone && (r = note(changes, "phone", p.phone, phone)) < 0))
		goto out;
	agency = u->agency_id ? u->agency_id : p.agency_id;
	if (agency != p.agency_id) {
		if ((r = agency_active(db, agency)) < 0)
			goto out;
		if ((r = attt_str_printf(av, sizeof(av), "%lld", (long long)p.agency_id)) < 0 ||
		    (r = attt_str_printf(bv, sizeof(bv), "%lld", (long long)agency)) < 0 ||
		    (r = note(changes, "agency_id", av, bv)) < 0)
			goto out;
	}
	status = u->status ? u->status : p.status;
	if (status != p.status &&
	    (r = note(changes, "status", attt_org_person_status_name(p.status), attt_org_person_status_name(status))) < 0)
		goto out;
	if (json_object_size(changes) == 0) {
		r = ATTT_OK;
		goto out;
	}
	if (name && (r = attt_text_fold(name, strlen(name), ATTT_MAX_NAME * 2, &fold)) < 0)
		goto out;
	r = attt_db_prepare_cached(db, "UPDATE person SET agency_id = ?, full_name = ?, name_fold = coalesce(?, name_fold), "
				"position = ?, email = ?, phone = ?, status = ?, updated_at = ? WHERE id = ?", &st);
	if (r < 0)
		goto out;
	if ((r = attt_stmt_bind_int64(st, 1, agency)) < 0 ||
	    (r = attt_stmt_bind_text(st, 2, name ? name : p.full_name)) < 0 || (r = attt_stmt_bind_text(st, 3, fold)) < 0 ||
	    (r = attt_stmt_bind_text(st, 4, u->position ? pos : p.position)) < 0 ||
	    (r = attt_stmt_bind_text(st, 5, u->email ? email : p.email)) < 0 ||
	    (r = attt_stmt_bind_text(st, 6, u->phone ? phone : p.phone)) < 0 ||
	    (r = attt_stmt_bind_text(st, 7, attt_org_person_status_name(status))) < 0 ||
	    (r = attt_stmt_bind_int64(st, 8, attt_now_us(clock))) < 0 || (r = attt_stmt_bind_int64(st, 9, id)) < 0 ||
	    (r = attt_stmt_step(st)) < 0)
		goto out;
	r = attt__org_audit(db, clock, actor, "person.update", "person", id, agency, changes);
	changes = NULL;
out:
	json_decref(changes);
	attt_stmt_finalize(st);
	attt_org_person_done(&p);
	free(name);
	free(fold);
	free(pos);
	free(email);
	free(phone);
	return r < 0 ? r : ATTT_OK;
}

struct update_ctx {
	const struct attt_clock *clock;
	const struct attt_actor *actor;
	int64_t id;
	const struct attt_person_update *u;
};

static int update_fn(struct attt_db *db, void *ctx)
{
	struct update_ctx *c = ctx;
	return attt_org_person_update_tx(db, c->clock, c->actor, c->id, c->u);
}

int attt_org_person_update(struct attt_db *db, const struct attt_clock *clock, const struct attt_actor *actor,
			   int64_t id, const struct attt_person_update *u)
{
	struct update_ctx c = { clock, actor, id, u };
	int r = attt_db_tx(db, update_fn, &c);
	return r < 0 ? r : ATTT_OK;
}

/* ---- list --------------------------------------------------------------------------------- */

void attt_org_person_list_done(struct attt_person_list *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->count; i++)
		attt_org_person_done(&l->items[i]);
	free(l->items);
	memset(l, 0, sizeof(*l));
}

int attt_org_person_list(struct attt_db *db, const struct attt_person_filter *f, struct attt_person_list *ret)
{
	static const struct attt_person_filter none = { 0 };
	struct attt_person_list l = { 0 };
	struct attt_agency a = { 0 };
	struct attt_stmt *st = NULL;
	struct attt_buf where;
	struct attt__org_param p[8];
	char upper[PATH_MAX_LEN];
	char *like = NULL;
	size_t limit;
	int n = 0, r;

	if (!f)
		f = &none;
	limit = f->limit ? f->limit : ATTT_HTTP_DEFAULT_PAGE;
	if (limit > ATTT_HTTP_MAX_PAGE || f->offset > INT64_MAX)
		return ATTT_E_RANGE;
	if (f->status && !attt_org_person_status_name(f->status)[0])
		return ATTT_E_INVAL;
	attt_buf_init(&where, 1024);
	r = attt_buf_adds(&where, " WHERE 1 = 1");
	if (r == ATTT_OK && f->agency_id) {
		if (f->subtree) {
			/* R1.2: the subtree by materialised path, one indexed range. */
			if ((r = attt_org_agency_get(db, f->agency_id, &a)) < 0 ||
			    (r = attt__org_path_upper(a.path, upper, sizeof(upper))) < 0)
				goto out;
			r = attt_buf_adds(&where, " AND agency_id IN (SELECT id FROM agency WHERE path >= ? AND path < ?)");
			p[n++] = (struct attt__org_param){ true, 0, a.path };
			p[n++] = (struct attt__org_param){ true, 0, upper };
		} else {
			r = attt_buf_adds(&where, " AND agency_id = ?");
			p[n++] = (struct attt__org_param){ false, f->agency_id, NULL };
		}
	}
	if (r == ATTT_OK && f->status) {
		r = attt_buf_adds(&where, " AND status = ?");
		p[n++] = (struct attt__org_param){ true, 0, attt_org_person_status_name(f->status) };
	}
	if (r == ATTT_OK && f->search && *f->search) {
		if ((r = attt__org_like_pattern(f->search, &like)) < 0)
			goto out;
		/* E-mail addresses are ASCII lower-case: the folded pattern fits them too. */
		r = attt_buf_adds(&where, " AND (name_fold LIKE ? ESCAPE '\\' OR email LIKE ? ESCAPE '\\')");
		p[n++] = (struct attt__org_param){ true, 0, like };
		p[n++] = (struct attt__org_param){ true, 0, like };
	}
	if (r < 0)
		goto out;
	if ((r = attt__org_page(db, ATTT__PERSON_COLS, "person", attt_buf_str(&where), "name_fold, id", p, n, limit, f->offset,
				&l.total, &st)) < 0)
		goto out;
	l.items = calloc(limit, sizeof(*l.items));
	if (!l.items) {
		r = ATTT_E_NOMEM;
		goto out;
	}
	while ((r = attt_stmt_step(st)) > 0 && l.count < limit) {
		if ((r = attt__org_person_row(st, &l.items[l.count])) < 0)
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
	attt_org_person_list_done(&l);
	attt_org_agency_done(&a);
	attt_buf_done(&where);
	free(like);
	return r;
}
