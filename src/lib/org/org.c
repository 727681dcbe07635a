/*
 * org.c: what agencies and people share: the names of types and statuses, field validation and
 * normalisation, reading rows, the audit and history helpers, JSON conversion.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "attt/buf.h"
#include "attt/db.h"
#include "attt/err.h"
#include "attt/limits.h"
#include "attt/str.h"
#include "attt/text.h"
#include "org-int.h"

/* ---- names ----------------------------------------------------------------------------- */

static const struct {
	enum attt_agency_type t;
	const char *name, *vi, *en;
} agency_types[] = {
#define ATTT_AGENCY_TYPE_ROW(e, v, name, vi, en) { ATTT_AGENCY_##e, name, vi, en },
	ATTT_AGENCY_TYPES(ATTT_AGENCY_TYPE_ROW)
#undef ATTT_AGENCY_TYPE_ROW
};

static const char *const agency_statuses[] = { "", "active", "merged", "dissolved" };
static const char *const person_statuses[] = { "", "active", "on_leave", "transferred", "retired", "left" };

int attt_org_agency_type_parse(const char *s, enum attt_agency_type *ret)
{
	for (size_t i = 0; s && i < sizeof(agency_types) / sizeof(agency_types[0]); i++)
		if (strcasecmp(s, agency_types[i].name) == 0) {
			*ret = agency_types[i].t;
			return ATTT_OK;
		}
	return ATTT_E_INVAL;
}

const char *attt_org_agency_type_name(enum attt_agency_type t)
{
	for (size_t i = 0; i < sizeof(agency_types) / sizeof(agency_types[0]); i++)
		if (agency_types[i].t == t)
			return agency_types[i].name;
	return "";
}

const char *attt_org_agency_type_vi(enum attt_agency_type t)
{
	for (size_t i = 0; i < sizeof(agency_types) / sizeof(agency_types[0]); i++)
		if (agency_types[i].t == t)
			return agency_types[i].vi;
	return "";
}

static int parse_name(const char *const *names, size_t n, const char *s, int *ret)
{
	for (size_t i = 1; s && i < n; i++)
		if (strcasecmp(s, names[i]) == 0) {
			*ret = (int)i;
			return ATTT_OK;
		}
	return ATTT_E_INVAL;
}

int attt_org_agency_status_parse(const char *s, enum attt_agency_status *ret)
{
	int v, r = parse_name(agency_statuses, sizeof(agency_statuses) / sizeof(agency_statuses[0]), s, &v);
	if (r == ATTT_OK)
		*ret = (enum attt_agency_status)v;
	return r;
}

const char *attt_org_agency_status_name(enum attt_agency_status s)
{
	return (unsigned)s < sizeof(agency_statuses) / sizeof(agency_statuses[0]) ? agency_statuses[s] : "";
}

int attt_org_person_status_parse(const char *s, enum attt_person_status *ret)
{
	int v, r = parse_name(person_statuses, sizeof(person_statuses) / sizeof(person_statuses[0]), s, &v);
	if (r == ATTT_OK)
		*ret = (enum attt_person_status)v;
	return r;
}

const char *attt_org_person_status_name(enum attt_person_status s)
{
	return (unsigned)s < sizeof(person_statuses) / sizeof(person_statuses[0]) ? person_statuses[s] : "";
}

/* ---- field validation ------------------------------------------------------------------- */

int attt_org_norm_name(const char *s, char **ret)
{
	char *n = NULL, *t;
	size_t len;
	int r;

	if (!s)
		return ATTT_E_INVAL;
	len = strlen(s);
	if (len > ATTT_MAX_NAME)
		return ATTT_E_TOOBIG;
	r = attt_text_nfc(s, len, ATTT_MAX_NAME, &n);
	if (r < 0)
		return r;
	for (t = n; *t; t++)
		if ((unsigned char)*t < 0x20 || *t == 0x7f) {
			free(n);
			return ATTT_E_INVAL;
		}
	t = attt_str_trim(n);
	if (!*t) {
		free(n);
		return ATTT_E_INVAL;
	}
	if (t != n)
		memmove(n, t, strlen(t) + 1);
	*ret = n;
	return ATTT_OK;
}

int attt_org_norm_code(const char *s, char **ret)
{
	size_t len;
	char *c;

	if (!s)
		return ATTT_E_INVAL;
	len = strlen(s);
	if (len == 0)
		return ATTT_E_INVAL;
	if (len > 64)
		return ATTT_E_TOOBIG;
	for (size_t i = 0; i < len; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '.' && s[i] != '_' && s[i] != '-')
			return ATTT_E_INVAL;
	c = strdup(s);
	if (!c)
		return ATTT_E_NOMEM;
	*ret = c;
	return ATTT_OK;
}

static bool domain_ok(const char *d)
{
	size_t label = 0, labels = 0;
	char prev = '.';

	for (; *d; d++) {
		unsigned char c = (unsigned char)*d;
		if (c == '.') {
			if (label == 0 || prev == '-')
				return false;
			label = 0;
			labels++;
		} else if (isalnum(c) || c == '-') {
			if (label == 0 && c == '-')
				return false;
			if (++label > 63)
				return false;
		} else {
			return false;
		}
		prev = (char)c;
	}
	return label > 0 && prev != '-' && labels >= 1;
}

int attt_org_norm_email(const char *s, char **ret)
{
	const char *at;
	size_t len, local;
	char *e;

	if (!s)
		return ATTT_E_INVAL;
	len = strlen(s);
	if (len > 254)
		return ATTT_E_TOOBIG;
	at = strchr(s, '@');
	if (!at || strchr(at + 1, '@'))
		return ATTT_E_INVAL;
	local = (size_t)(at - s);
	if (local == 0 || local > 64 || s[0] == '.' || s[local - 1] == '.')
		return ATTT_E_INVAL;
	for (size_t i = 0; i < local; i++) {
		unsigned char c = (unsigned char)s[i];
		if (!isalnum(c) && !strchr("!#$%&'*+/=?^_`{|}~.-", c))
			return ATTT_E_INVAL;
		if (c == '.' && s[i + 1] == '.')
			return ATTT_E_INVAL;
	}
	if (!domain_ok(at + 1))
		return ATTT_E_INVAL;
	e = strdup(s);
	if (!e)
		return ATTT_E_NOMEM;
	for (char *p = e; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	*ret = e;
	return ATTT_OK;
}

int attt_org_norm_phone(const char *s, char **ret)
{
	char out[32];
	size_t k = 0, digits = 0;

	if (!s)
		return ATTT_E_INVAL;
	if (strlen(s) > 64)
		return ATTT_E_TOOBIG;
	for (size_t i = 0; s[i]; i++) {
		char c = s[i];
		if (c >= '0' && c <= '9') {
			if (++digits > 15)
				return ATTT_E_INVAL;
			out[k++] = c;
		} else if (c == '+' && k == 0) {
			out[k++] = c;
		} else if (c != ' ' && c != '.' && c != '-' && c != '(' && c != ')') {
			return ATTT_E_INVAL;
		}
	}
	if (digits < 8)
		return ATTT_E_INVAL;
	out[k] = '\0';
	*ret = strdup(out);
	return *ret ? ATTT_OK : ATTT_E_NOMEM;
}

void attt__org_person_norm_done(struct attt__person_norm *n)
{
	free(n->full_name);
	free(n->name_fold);
	free(n->position);
	free(n->email);
	free(n->phone);
	memset(n, 0, sizeof(*n));
}

static int why(struct attt__org_why *w, int err, const char *field, const char *vi, const char *en)
{
	if (w) {
		w->field = field;
		w->vi = vi;
		w->en = en;
	}
	return err;
}

int attt__org_person_norm(const char *full_name, const char *position, const char *email, const char *phone,
			  struct attt__person_norm *ret, struct attt__org_why *w)
{
	struct attt__person_norm n = { 0 };
	int r;

	r = attt_org_norm_name(full_name, &n.full_name);
	if (r < 0) {
		r = why(w, r, "full_name", "họ tên trống, quá dài hoặc có ký tự không hợp lệ",
			"full name is empty, too long or has invalid characters");
		goto out;
	}
	r = attt_text_fold(n.full_name, strlen(n.full_name), ATTT_MAX_NAME * 2, &n.name_fold);
	if (r < 0)
		goto out;
	if (position && *position) {
		r = attt_org_norm_name(position, &n.position);
		if (r == ATTT_OK && strlen(n.position) > ATTT_MAX_SHORT_TEXT)
			r = ATTT_E_TOOBIG;
		if (r < 0) {
			r = why(w, r, "position", "chức vụ quá dài hoặc có ký tự không hợp lệ",
				"position is too long or has invalid characters");
			goto out;
		}
	}
	if (email && *email) {
		r = attt_org_norm_email(email, &n.email);
		if (r < 0) {
			r = why(w, r, "email", "địa chỉ email không hợp lệ", "invalid e-mail address");
			goto out;
		}
	}
	if (phone && *phone) {
		r = attt_org_norm_phone(phone, &n.phone);
		if (r < 0) {
			r = why(w, r, "phone", "số điện thoại không hợp lệ (8-15 chữ số, có thể bắt đầu bằng +)",
				"invalid phone number (8-15 digits, optional leading +)");
			goto out;
		}
	}
	n.status = ATTT_PERSON_ACTIVE;
	*ret = n;
	memset(&n, 0, sizeof(n));
	r = ATTT_OK;
out:
	attt__org_person_norm_done(&n);
	return r;
}

/* ---- rows -------------------------------------------------------------------------------- */

static int dup_col(struct attt_stmt *st, int col, char **ret)
{
	const char *s = attt_stmt_text(st, col);
	*ret = NULL;
	if (!s)
		return ATTT_OK;
	*ret = strdup(s);
	return *ret ? ATTT_OK : ATTT_E_NOMEM;
}

void attt_org_agency_done(struct attt_agency *a)
{
	if (!a)
		return;
	free(a->name);
	free(a->code);
	free(a->path);
	memset(a, 0, sizeof(*a));
}

int attt__org_agency_row(struct attt_stmt *st, struct attt_agency *ret)
{
	struct attt_agency a = { 0 };
	enum attt_agency_type t = ATTT_AGENCY_OTHER;
	enum attt_agency_status s = ATTT_AGENCY_ACTIVE;
	int r;

	a.id = attt_stmt_int64(st, 0);
	if ((r = dup_col(st, 1, &a.name)) < 0 || (r = dup_col(st, 2, &a.code)) < 0 || (r = dup_col(st, 8, &a.path)) < 0)
		goto out;
	if (!a.name || !a.path) {
		r = ATTT_E_CORRUPT;
		goto out;
	}
	(void)attt_org_agency_type_parse(attt_stmt_text(st, 3), &t);
	(void)attt_org_agency_status_parse(attt_stmt_text(st, 5), &s);
	a.type = t;
	a.status = s;
	a.parent_id = attt_stmt_int64(st, 4);
	a.merged_into = attt_stmt_int64(st, 6);
	a.depth = (int)attt_stmt_int64(st, 7);
	a.created_at = attt_stmt_int64(st, 9);
	a.updated_at = attt_stmt_int64(st, 10);
	*ret = a;
	memset(&a, 0, sizeof(a));
	r = ATTT_OK;
out:
	attt_org_agency_done(&a);
	return r;
}

void attt_org_person_done(struct attt_person *p)
{
	if (!p)
		return;
	free(p->full_name);
	free(p->position);
	free(p->email);
	free(p->phone);
	memset(p, 0, sizeof(*p));
}

int attt__org_person_row(struct attt_stmt *st, struct attt_person *ret)
{
	struct attt_person p = { 0 };
	enum attt_person_status s = ATTT_PERSON_ACTIVE;
	int r;

	p.id = attt_stmt_int64(st, 0);
	p.agency_id = attt_stmt_int64(st, 1);
	if ((r = dup_col(st, 2, &p.full_name)) < 0 || (r = dup_col(st, 3, &p.position)) < 0 ||
	    (r = dup_col(st, 4, &p.email)) < 0 || (r = dup_col(st, 5, &p.phone)) < 0)
		goto out;
	if (!p.full_name) {
		r = ATTT_E_CORRUPT;
		goto out;
	}
	(void)attt_org_person_status_parse(attt_stmt_text(st, 6), &s);
	p.status = s;
	p.created_at = attt_stmt_int64(st, 7);
	p.updated_at = attt_stmt_int64(st, 8);
	*ret = p;
	memset(&p, 0, sizeof(p));
	r = ATTT_OK;
out:
	attt_org_person_done(&p);
	return r;
}

/* ---- audit and history ------------------------------------------------------------------- */

int attt__org_audit(struct attt_db *db, const struct attt_clock *clock, const struct attt_actor *actor,
		    const char *action, const char *object_type, int64_t object_id, int64_t agency_id,
		    json_t *summary)
{
	char id[24];
	char *text = NULL;
	int r;

	/* R1.2 / R7.2: every change of agencies and people leaves its event in the same transaction. */
	if (summary) {
		text = json_dumps(summary, JSON_COMPACT | JSON_SORT_KEYS);
		json_decref(summary);
		if (!text)
			return ATTT_E_NOMEM;
	}
	r = attt_str_printf(id, sizeof(id), "%lld", (long long)object_id);
	if (r == ATTT_OK) {
		struct attt_audit_event ev = {
			.category = ATTT_AUDIT_DATA,
			.action = action,
			.object_type = object_type,
			.object_id = id,
			.agency_id = agency_id,
			.outcome = ATTT_AUDIT_SUCCESS,
			.rule = "R1.2",
			.summary = text,
		};
		r = attt_audit_append(db, clock, actor, &ev, NULL);
	}
	free(text);
	return r;
}

int attt__org_history(struct attt_db *db, int64_t agency_id, int64_t at, const char *kind, const char *old_value,
		      const char *new_value, const struct attt_actor *actor)
{
	struct attt_stmt *st = NULL;
	int r;

	r = attt_db_prepare_cached(db, "INSERT INTO agency_history (agency_id, at, kind, old_value, new_value, actor) "
				"VALUES (?, ?, ?, ?, ?, ?)", &st);
	if (r < 0)
		return r;
	if ((r = attt_stmt_bind_int64(st, 1, agency_id)) < 0 || (r = attt_stmt_bind_int64(st, 2, at)) < 0 ||
	    (r = attt_stmt_bind_text(st, 3, kind)) < 0 || (r = attt_stmt_bind_text(st, 4, old_value)) < 0 ||
	    (r = attt_stmt_bind_text(st, 5, new_value)) < 0 ||
	    (r = attt_stmt_bind_text(st, 6, actor ? actor->username : NULL)) < 0)
		goto out;
	r = attt_stmt_step(st);
	if (r > 0)
		r = ATTT_E_INTERNAL;
out:
	attt_stmt_finalize(st);
	return r;
}

static int bind_params(struct attt_stmt *st, const struct attt__org_param *p, int n)
{
	int r = ATTT_OK;
	for (int i = 0; r == ATTT_OK && i < n; i++)
		r = p[i].is_text ? attt_stmt_bind_text(st, i + 1, p[i].s) : attt_stmt_bind_int64(st, i + 1, p[i].i);
	return r;
}

int attt__org_page(struct attt_db *db, const char *cols, const char *table, const char *where, const char *order,
		   const struct attt__org_param *p, int n, size_t limit, size_t offset, int64_t *ret_total,
		   struct attt_stmt **ret_st)
{
	struct attt_stmt *st = NULL;
	struct attt_buf sql;
	int64_t total;
	int r;

	attt_buf_init(&sql, 2048);
	/* Total first, then the page. */
	if ((r = attt_buf_addf(&sql, "SELECT count(*) FROM %s%s", table, where)) < 0 ||
	    (r = attt_db_prepare(db, attt_buf_str(&sql), &st)) < 0 || (r = bind_params(st, p, n)) < 0)
		goto out;
	if ((r = attt_stmt_step(st)) <= 0) {
		r = r == 0 ? ATTT_E_INTERNAL : r;
		goto out;
	}
	total = attt_stmt_int64(st, 0);
	attt_stmt_finalize(st);
	st = NULL;
	attt_buf_reset(&sql);
	if ((r = attt_buf_addf(&sql, "SELECT %s FROM %s%s ORDER BY %s LIMIT ? OFFSET ?", cols, table, where, order)) < 0 ||
	    (r = attt_db_prepare(db, attt_buf_str(&sql), &st)) < 0 || (r = bind_params(st, p, n)) < 0 ||
	    (r = attt_stmt_bind_int64(st, n + 1, (int64_t)limit)) < 0 ||
	    (r = attt_stmt_bind_int64(st, n + 2, (int64_t)offset)) < 0)
		goto out;
	*ret_total = total;
	*ret_st = st;
	st = NULL;
	r = ATTT_OK;
out:
	attt_stmt_finalize(st);
	attt_buf_done(&sql);
	return r;
}

int attt__org_like_pattern(const char *s, char **ret)
{
	struct attt_buf b;
	char *f = NULL;
	int r;

	r = attt_text_fold(s, strlen(s), ATTT_MAX_NAME, &f);
	if (r < 0)
		return r;
	attt_buf_init(&b, ATTT_MAX_NAME * 2 + 4);
	r = attt_buf_addc(&b, '%');
	for (const char *p = f; r == ATTT_OK && *p; p++) {
		if (*p == '%' || *p == '_' || *p == '\\')
			r = attt_buf_addc(&b, '\\');
		if (r == ATTT_OK)
			r = attt_buf_addc(&b, *p);
	}
	if (r == ATTT_OK)
		r = attt_buf_addc(&b, '%');
	free(f);
	if (r < 0) {
		attt_buf_done(&b);
		return r;
	}
	*ret = attt_buf_steal(&b, NULL);
	return *ret ? ATTT_OK : ATTT_E_NOMEM;
}

int attt__org_path_upper(const char *path, char *buf, size_t size)
{
	int r = attt_str_copy(buf, size, path);
	size_t n;

	if (r < 0)
		return r;
	n = strlen(buf);
	if (n == 0 || buf[n - 1] != '/')
		return ATTT_E_CORRUPT;
	buf[n - 1] = '0'; /* '0' is the byte after '/' */
	return ATTT_OK;
}

/* ---- JSON -------------------------------------------------------------------------------- */

static json_t *jstr_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *jtime(int64_t t)
{
	char buf[40];
	if (attt_time_iso(t, buf, sizeof(buf)) < 0)
		return json_null();
	return json_string(buf);
}

json_t *attt_org_agency_to_json(const struct attt_agency *a)
{
	return json_pack("{s:I, s:s, s:o, s:s, s:o, s:s, s:o, s:i, s:s, s:o, s:o}",
			 "id", (json_int_t)a->id,
			 "name", a->name,
			 "code", jstr_or_null(a->code),
			 "type", attt_org_agency_type_name(a->type),
			 "parent_id", a->parent_id ? json_integer(a->parent_id) : json_null(),
			 "status", attt_org_agency_status_name(a->status),
			 "merged_into", a->merged_into ? json_integer(a->merged_into) : json_null(),
			 "depth", a->depth,
			 "path", a->path,
			 "created_at", jtime(a->created_at),
			 "updated_at", jtime(a->updated_at));
}

json_t *attt_org_person_to_json(const struct attt_person *p)
{
	return json_pack("{s:I, s:I, s:s, s:o, s:o, s:o, s:s, s:o, s:o}",
			 "id", (json_int_t)p->id,
			 "agency_id", (json_int_t)p->agency_id,
			 "full_name", p->full_name,
			 "position", jstr_or_null(p->position),
			 "email", jstr_or_null(p->email),
			 "phone", jstr_or_null(p->phone),
			 "status", attt_org_person_status_name(p->status),
			 "created_at", jtime(p->created_at),
			 "updated_at", jtime(p->updated_at));
}

json_t *attt_org_history_to_json(const struct attt_agency_history *h)
{
	return json_pack("{s:I, s:I, s:o, s:s, s:o, s:o, s:o}",
			 "id", (json_int_t)h->id,
			 "agency_id", (json_int_t)h->agency_id,
			 "at", jtime(h->at),
			 "kind", h->kind,
			 "old", jstr_or_null(h->old_value),
			 "new", jstr_or_null(h->new_value),
			 "actor", jstr_or_null(h->actor));
}

static json_t *list_json(json_t *items, size_t count, int64_t total, size_t limit, size_t offset)
{
	if (!items)
		return NULL;
	return json_pack("{s:o, s:I, s:I, s:I, s:I}", "items", items, "count", (json_int_t)count,
			 "total", (json_int_t)total, "limit", (json_int_t)limit, "offset", (json_int_t)offset);
}

json_t *attt_org_agency_list_to_json(const struct attt_agency_list *l, size_t limit, size_t offset)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < l->count; i++)
		if (json_array_append_new(a, attt_org_agency_to_json(&l->items[i])) < 0) {
			json_decref(a);
			return NULL;
		}
	return list_json(a, l->count, l->total, limit, offset);
}

json_t *attt_org_person_list_to_json(const struct attt_person_list *l, size_t limit, size_t offset)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < l->count; i++)
		if (json_array_append_new(a, attt_org_person_to_json(&l->items[i])) < 0) {
			json_decref(a);
			return NULL;
		}
	return list_json(a, l->count, l->total, limit, offset);
}

/* ---- JSON input -------------------------------------------------------------------------- */

static int bad_member(const char *field, const char **ret_field)
{
	if (ret_field)
		*ret_field = field;
	return ATTT_E_INVAL;
}

/* A string member: absent leaves *out; null gives "" when nullable (clears), else an error. */
static int j_str(const json_t *j, const char *key, bool nullable, const char **out, const char **ret_field)
{
	json_t *v = json_object_get(j, key);
	if (!v)
		return ATTT_OK;
	if (json_is_null(v) && nullable) {
		*out = "";
		return ATTT_OK;
	}
	if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v))
		return bad_member(key, ret_field);
	*out = json_string_value(v);
	return ATTT_OK;
}

static int j_id(const json_t *j, const char *key, int64_t min, int64_t *out, const char **ret_field)
{
	json_t *v = json_object_get(j, key);
	if (!v || json_is_null(v))
		return ATTT_OK;
	if (!json_is_integer(v) || json_integer_value(v) < min)
		return bad_member(key, ret_field);
	*out = json_integer_value(v);
	return ATTT_OK;
}

static int only_members(const json_t *j, const char *const *allowed, const char **ret_field)
{
	const char *key;
	json_t *v;

	if (!json_is_object(j))
		return bad_member("", ret_field);
	json_object_foreach((json_t *)j, key, v) {
		size_t i;
		for (i = 0; allowed[i] && strcmp(allowed[i], key) != 0; i++)
			;
		if (!allowed[i])
			return bad_member(key, ret_field);
	}
	return ATTT_OK;
}

int attt_org_agency_new_from_json(const json_t *j, struct attt_agency_new *ret, const char **ret_field)
{
	static const char *const allowed[] = { "name", "type", "code", "parent_id", NULL };
	struct attt_agency_new in = { 0 };
	const char *type = NULL;
	int r;

	if ((r = only_members(j, allowed, ret_field)) < 0 || (r = j_str(j, "name", false, &in.name, ret_field)) < 0 ||
	    (r = j_str(j, "type", false, &type, ret_field)) < 0 || (r = j_str(j, "code", true, &in.code, ret_field)) < 0 ||
	    (r = j_id(j, "parent_id", 0, &in.parent_id, ret_field)) < 0)
		return r;
	if (!in.name)
		return bad_member("name", ret_field);
	if (!type || attt_org_agency_type_parse(type, &in.type) < 0)
		return bad_member("type", ret_field);
	*ret = in;
	return ATTT_OK;
}

int attt_org_person_new_from_json(const json_t *j, struct attt_person_new *ret, const char **ret_field)
{
	static const char *const allowed[] = { "agency_id", "full_name", "position", "email", "phone", "status", NULL };
	struct attt_person_new in = { 0 };
	const char *status = NULL;
	int r;

	if ((r = only_members(j, allowed, ret_field)) < 0 || (r = j_id(j, "agency_id", 1, &in.agency_id, ret_field)) < 0 ||
	    (r = j_str(j, "full_name", false, &in.full_name, ret_field)) < 0 ||
	    (r = j_str(j, "position", true, &in.position, ret_field)) < 0 ||
	    (r = j_str(j, "email", true, &in.email, ret_field)) < 0 || (r = j_str(j, "phone", true, &in.phone, ret_field)) < 0 ||
	    (r = j_str(j, "status", false, &status, ret_field)) < 0)
		return r;
	if (!in.agency_id)
		return bad_member("agency_id", ret_field);
	if (!in.full_name)
		return bad_member("full_name", ret_field);
	if (status && attt_org_person_status_parse(status, &in.status) < 0)
		return bad_member("status", ret_field);
	*ret = in;
	return ATTT_OK;
}

int attt_org_person_update_from_json(const json_t *j, struct attt_person_update *ret, const char **ret_field)
{
	static const char *const allowed[] = { "agency_id", "full_name", "position", "email", "phone", "status", NULL };
	struct attt_person_update u = { 0 };
	const char *status = NULL;
	int r;

	if ((r = only_members(j, allowed, ret_field)) < 0 || (r = j_id(j, "agency_id", 1, &u.agency_id, ret_field)) < 0 ||
	    (r = j_str(j, "full_name", false, &u.full_name, ret_field)) < 0 ||
	    (r = j_str(j, "position", true, &u.position, ret_field)) < 0 ||
	    (r = j_str(j, "email", true, &u.email, ret_field)) < 0 || (r = j_str(j, "phone", true, &u.phone, ret_field)) < 0 ||
	    (r = j_str(j, "status", false, &status, ret_field)) < 0)
		return r;
	if (status && attt_org_person_status_parse(status, &u.status) < 0)
		return bad_member("status", ret_field);
	*ret = u;
	return ATTT_OK;
}
