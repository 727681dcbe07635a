/*
 * import.c: CSV import of agencies and people (R1.2), all or nothing.
 *
 * The whole file is read, every row checked (fields, references, codes, cycles, depth) and every
 * problem reported as "FILE:LINE: field: vi message (en message)"; the rows are stored in the same
 * transaction as the checks, and the transaction is rolled back if anything at all was wrong, so a
 * file is either imported whole or not at all. People are checked and inserted in one pass (the
 * inserts of a bad file are rolled back); agencies need two, because a row may name as its parent a
 * code that a later row defines.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>
#include <sodium.h>

#include "attt/audit.h"
#include "attt/buf.h"
#include "attt/db.h"
#include "attt/err.h"
#include "attt/limits.h"
#include "attt/str.h"
#include "csv-int.h"
#include "org-int.h"

#define ONE_MSG_MAX ((size_t)ATTT_MAX_PATH + 1024) /* label + field + texts */
#define MSG_MAX ((size_t)ATTT_MAX_CSV_ERRORS * ONE_MSG_MAX)

void attt_org_import_report_done(struct attt_org_import_report *r)
{
	if (!r)
		return;
	free(r->messages);
	memset(r, 0, sizeof(*r));
}

struct imp {
	const char *label;
	struct attt_buf msgs;
	size_t errors;
};

__attribute__((format(printf, 5, 6)))
static void report(struct imp *im, size_t line, const char *field, const char *vi, const char *en_fmt, ...)
{
	struct attt_buf one;
	va_list ap;

	im->errors++;
	if (im->errors > ATTT_MAX_CSV_ERRORS)
		return;
	/* One line per problem: values quoted from the file may hold tabs or line breaks (inside quotes),
	 * which become spaces so that a message cannot forge another. Messages that do not fit are
	 * counted, not listed: the count tells the operator. */
	attt_buf_init(&one, ONE_MSG_MAX);
	(void)attt_buf_addf(&one, "%s:%zu: %s: %s (", im->label, line, field, vi);
	va_start(ap, en_fmt);
	(void)attt_buf_vaddf(&one, en_fmt, ap);
	va_end(ap);
	(void)attt_buf_addc(&one, ')');
	for (size_t i = 0; i < one.len; i++)
		if ((unsigned char)one.data[i] < 0x20)
			one.data[i] = ' ';
	if (one.len > 0)
		(void)attt_buf_add(&im->msgs, one.data, one.len);
	(void)attt_buf_addc(&im->msgs, '\n');
	attt_buf_done(&one);
}

/* ---- header ------------------------------------------------------------------------------- */

struct column {
	const char *name;  /* canonical */
	const char *alias; /* Vietnamese, without diacritics */
	bool required;
};

/* Maps header fields onto columns: col_of[j] = index of column in cols for field j. */
static int read_header(struct imp *im, struct attt__org_csv *c, const struct column *cols, size_t ncols, int *col_of,
		       size_t *ret_nfields)
{
	bool seen[16] = { false };
	int r;

	r = attt__org_csv_next(c);
	if (r < 0) {
		report(im, c->err_line, "csv", c->err_vi, "%s", c->err_en);
		return r;
	}
	if (r == 0) {
		report(im, 1, "csv", "tệp trống, thiếu dòng tiêu đề", "empty file, no header row");
		return ATTT_E_INVAL;
	}
	for (size_t j = 0; j < c->nfields; j++) {
		char name[64];
		const char *f = attt__org_csv_field(c, j, NULL);
		size_t k;
		col_of[j] = -1;
		if (attt_str_copy(name, sizeof(name), f) < 0) {
			report(im, c->rec_line, "header", "tên cột quá dài", "column name too long");
			continue;
		}
		attt_str_trim(name);
		for (k = 0; k < ncols; k++)
			if (strcasecmp(name, cols[k].name) == 0 || strcasecmp(name, cols[k].alias) == 0)
				break;
		if (k == ncols) {
			report(im, c->rec_line, "header", "cột không có trong danh sách", "unknown column \"%s\"", name);
			continue;
		}
		if (seen[k]) {
			report(im, c->rec_line, "header", "cột bị lặp", "duplicate column \"%s\"", name);
			continue;
		}
		seen[k] = true;
		col_of[j] = (int)k;
	}
	for (size_t k = 0; k < ncols; k++)
		if (cols[k].required && !seen[k])
			report(im, c->rec_line, "header", "thiếu cột bắt buộc", "missing required column \"%s\"", cols[k].name);
	*ret_nfields = c->nfields;
	return im->errors ? ATTT_E_INVAL : ATTT_OK;
}

/* Reads the next data row into vals[ncols] (trimmed, "" for absent columns). 1 row, 0 end, < 0
 * for a CSV error (reported). A row whose field count differs from the header is reported and
 * returned with *ret_bad set. */
static int read_row(struct imp *im, struct attt__org_csv *c, const int *col_of, size_t nhead, const char **vals,
		    size_t ncols, bool *ret_bad)
{
	char *f;
	int r = attt__org_csv_next(c);

	*ret_bad = false;
	if (r < 0) {
		report(im, c->err_line, "csv", c->err_vi, "%s", c->err_en);
		return r;
	}
	if (r == 0)
		return 0;
	for (size_t k = 0; k < ncols; k++)
		vals[k] = "";
	if (c->nfields != nhead) {
		report(im, c->rec_line, "csv", "số cột khác dòng tiêu đề", "%zu fields where the header has %zu",
		       c->nfields, nhead);
		*ret_bad = true;
		return 1;
	}
	for (size_t j = 0; j < c->nfields; j++) {
		if (col_of[j] < 0)
			continue;
		/* The reader's buffer is ours until the next record: trimming in place is safe. */
		f = (char *)attt__org_csv_field(c, j, NULL);
		vals[col_of[j]] = attt_str_trim(f);
	}
	return 1;
}

static int finish(struct imp *im, struct attt_org_import_report *rep, size_t rows, size_t created, int r)
{
	rep->rows = rows;
	rep->errors = im->errors;
	rep->created = r == ATTT_OK ? created : 0;
	free(rep->messages);
	rep->messages = attt_buf_steal(&im->msgs, NULL);
	return r;
}

/* ---- agencies ----------------------------------------------------------------------------- */

enum { A_NAME, A_TYPE, A_CODE, A_PARENT_CODE, A_PARENT_ID, A_NCOLS };
static const struct column agency_cols[A_NCOLS] = {
	[A_NAME] = { "name", "ten", true },
	[A_TYPE] = { "type", "loai", true },
	[A_CODE] = { "code", "ma", false },
	[A_PARENT_CODE] = { "parent_code", "ma_cap_tren", false },
	[A_PARENT_ID] = { "parent_id", "id_cap_tren", false },
};

struct arow {
	size_t line;
	char *name;
	char *code;
	char *parent_code;
	enum attt_agency_type type;
	int64_t parent_id;   /* an agency already stored */
	long parent_row;     /* a row of this file, or -1 */
	int depth;           /* 0 until known */
	int base_depth;      /* depth of the stored parent (0 for a root) */
	int state;           /* 0 new, 1 visiting, 2 done */
	bool bad;
	int64_t id;
};

struct agency_ctx {
	const struct attt_clock *clock;
	const struct attt_actor *actor;
	const char *data;
	size_t len;
	struct imp im;
	size_t rows, created;
	struct arow *a;
	size_t n;
};

static int cmp_code(const void *x, const void *y)
{
	const struct arow *const *a = x, *const *b = y;
	return strcmp((*a)->code, (*b)->code);
}

static void free_rows(struct agency_ctx *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->a[i].name);
		free(c->a[i].code);
		free(c->a[i].parent_code);
	}
	free(c->a);
	c->a = NULL;
	c->n = 0;
}

/* Sets the depth of row i and of the rows above it in the file, following in-file parents, and
 * reports cycles. Iterative (files may be deep or hostile): chain has room for every row. Rows
 * that are bad, or below a bad row or a cycle, get depth 0. */
static void row_depth(struct agency_ctx *c, size_t i, size_t *chain)
{
	size_t m = 0, cur = i, last;
	int pd;

	while (c->a[cur].state == 0) {
		c->a[cur].state = 1;
		chain[m++] = cur;
		if (c->a[cur].parent_row < 0)
			break;
		cur = (size_t)c->a[cur].parent_row;
	}
	if (m == 0)
		return;
	last = chain[m - 1];
	if (c->a[last].parent_row < 0) {
		pd = c->a[last].bad ? -1 : c->a[last].base_depth;
	} else if (c->a[cur].state == 2) {
		pd = c->a[cur].depth > 0 ? c->a[cur].depth : -1;
	} else {
		/* R1.2: cur is on the chain: the rows from cur up to last form a cycle. */
		size_t j = 0;
		while (chain[j] != cur)
			j++;
		for (size_t k = j; k < m; k++) {
			report(&c->im, c->a[chain[k]].line, "parent_code", "cấp trên tạo thành vòng lặp",
			       "parent references form a cycle");
			c->a[chain[k]].bad = true;
			c->a[chain[k]].depth = 0;
			c->a[chain[k]].state = 2;
		}
		m = j;
		pd = -1;
	}
	for (size_t k = m; k-- > 0;) {
		struct arow *a = &c->a[chain[k]];
		if (pd < 0 || a->bad) {
			a->depth = 0;
			pd = -1;
		} else {
			a->depth = pd + 1;
			pd = a->depth;
		}
		a->state = 2;
	}
}

static int agency_fn(struct attt_db *db, void *vctx)
{
	struct agency_ctx *c = vctx;
	struct attt__org_csv csv;
	const char *v[A_NCOLS];
	int col_of[ATTT_MAX_CSV_FIELDS];
	struct arow **by_code = NULL;
	size_t nhead = 0, ncoded = 0, cap = 0, *order = NULL;
	bool bad;
	int r;

	/* A retried transaction starts over. */
	attt_buf_reset(&c->im.msgs);
	c->im.errors = 0;
	c->rows = c->created = 0;
	free_rows(c);
	if ((r = attt__org_csv_init(&csv, c->data, c->len)) < 0) {
		report(&c->im, 0, "csv", csv.err_vi, "%s", csv.err_en);
		goto out;
	}
	if ((r = read_header(&c->im, &csv, agency_cols, A_NCOLS, col_of, &nhead)) < 0)
		goto out;
	/* Pass 1: fields of every row. */
	while ((r = read_row(&c->im, &csv, col_of, nhead, v, A_NCOLS, &bad)) > 0) {
		struct arow *a;
		c->rows++;
		if (c->n == cap) {
			size_t ncap = cap ? cap * 2 : 256;
			struct arow *na = realloc(c->a, ncap * sizeof(*na));
			if (!na) {
				r = ATTT_E_NOMEM;
				goto out;
			}
			c->a = na;
			cap = ncap;
		}
		a = &c->a[c->n++];
		memset(a, 0, sizeof(*a));
		a->line = csv.rec_line;
		a->parent_row = -1;
		a->bad = bad;
		if (bad)
			continue;
		if (attt_org_norm_name(v[A_NAME], &a->name) < 0) {
			report(&c->im, a->line, "name", "tên trống, quá dài hoặc có ký tự không hợp lệ",
			       "name is empty, too long or has invalid characters");
			a->bad = true;
		}
		if (attt_org_agency_type_parse(v[A_TYPE], &a->type) < 0) {
			report(&c->im, a->line, "type", "loại cơ quan không hợp lệ",
			       "unknown agency type \"%.64s\" (see docs/agencies.md)", v[A_TYPE]);
			a->bad = true;
		}
		if (*v[A_CODE] && attt_org_norm_code(v[A_CODE], &a->code) < 0) {
			report(&c->im, a->line, "code", "mã không hợp lệ (1-64 ký tự A-Z a-z 0-9 . _ -)",
			       "invalid code (1-64 characters A-Z a-z 0-9 . _ -)");
			a->bad = true;
		}
		if (*v[A_PARENT_CODE] && *v[A_PARENT_ID]) {
			report(&c->im, a->line, "parent_code", "chỉ ghi một trong parent_code và parent_id",
			       "give parent_code or parent_id, not both");
			a->bad = true;
		} else if (*v[A_PARENT_CODE]) {
			if (attt_org_norm_code(v[A_PARENT_CODE], &a->parent_code) < 0) {
				report(&c->im, a->line, "parent_code", "mã cấp trên không hợp lệ", "invalid parent code");
				a->bad = true;
			}
		} else if (*v[A_PARENT_ID]) {
			if (attt_parse_int64(v[A_PARENT_ID], 1, INT64_MAX, &a->parent_id) < 0) {
				report(&c->im, a->line, "parent_id", "id cấp trên không hợp lệ", "invalid parent id");
				a->bad = true;
			}
		}
		if (a->code)
			ncoded++;
	}
	if (r < 0)
		goto out;
	if (c->rows == 0)
		report(&c->im, csv.line, "csv", "tệp không có dòng dữ liệu", "no data rows");
	/* Codes: unique in the file and not yet stored. */
	by_code = calloc(ncoded ? ncoded : 1, sizeof(*by_code));
	if (!by_code) {
		r = ATTT_E_NOMEM;
		goto out;
	}
	ncoded = 0;
	for (size_t i = 0; i < c->n; i++)
		if (c->a[i].code)
			by_code[ncoded++] = &c->a[i];
	qsort(by_code, ncoded, sizeof(*by_code), cmp_code);
	for (size_t i = 0; i < ncoded; i++) {
		struct attt_agency existing = { 0 };
		if (i > 0 && strcmp(by_code[i]->code, by_code[i - 1]->code) == 0) {
			report(&c->im, by_code[i]->line, "code", "mã bị lặp trong tệp", "code \"%s\" also on line %zu",
			       by_code[i]->code, by_code[i - 1]->line);
			by_code[i]->bad = true;
			continue;
		}
		r = attt_org_agency_get_by_code(db, by_code[i]->code, &existing);
		attt_org_agency_done(&existing);
		if (r == ATTT_OK) {
			report(&c->im, by_code[i]->line, "code", "mã đã có trong hệ thống",
			       "code \"%s\" already exists", by_code[i]->code);
			by_code[i]->bad = true;
		} else if (r != ATTT_E_NOTFOUND) {
			goto out;
		}
	}
	/* Parents: a row of the file (by code), or a stored active agency. */
	for (size_t i = 0; i < c->n; i++) {
		struct arow *a = &c->a[i];
		struct attt_agency p = { 0 };
		if (a->parent_code) {
			struct arow key = { .code = a->parent_code }, *kp = &key, **hit;
			hit = bsearch(&kp, by_code, ncoded, sizeof(*by_code), cmp_code);
			if (hit) {
				/* the first row with that code (duplicates were reported) */
				while (hit > by_code && strcmp((*(hit - 1))->code, a->parent_code) == 0)
					hit--;
				a->parent_row = (long)(*hit - c->a);
				continue;
			}
			r = attt_org_agency_get_by_code(db, a->parent_code, &p);
		} else if (a->parent_id) {
			r = attt_org_agency_get(db, a->parent_id, &p);
		} else {
			continue;
		}
		if (r == ATTT_E_NOTFOUND) {
			report(&c->im, a->line, a->parent_code ? "parent_code" : "parent_id",
			       "không có cơ quan cấp trên này", "no such parent agency");
			a->bad = true;
		} else if (r < 0) {
			goto out;
		} else if (p.status != ATTT_AGENCY_ACTIVE) {
			report(&c->im, a->line, a->parent_code ? "parent_code" : "parent_id",
			       "cơ quan cấp trên đã sáp nhập hoặc giải thể", "parent agency is merged or dissolved");
			a->bad = true;
		} else {
			a->parent_id = p.id;
			a->base_depth = p.depth;
		}
		attt_org_agency_done(&p);
	}
	/* Depths and cycles. */
	order = calloc(c->n ? c->n : 1, sizeof(*order));
	if (!order) {
		r = ATTT_E_NOMEM;
		goto out;
	}
	for (size_t i = 0; i < c->n; i++)
		row_depth(c, i, order);
	for (size_t i = 0; i < c->n; i++) {
		if (c->a[i].depth > ATTT_MAX_AGENCY_DEPTH && !c->a[i].bad) {
			report(&c->im, c->a[i].line, "parent_code", "vượt quá số cấp tối đa của cây cơ quan",
			       "deeper than %d levels", ATTT_MAX_AGENCY_DEPTH);
			c->a[i].bad = true;
		}
	}
	if (c->im.errors) {
		r = ATTT_E_INVAL;
		goto out;
	}
	/* Pass 2: store, parents first (by depth). */
	{
		size_t k = 0;
		for (int d = 1; d <= ATTT_MAX_AGENCY_DEPTH; d++)
			for (size_t i = 0; i < c->n; i++)
				if (c->a[i].depth == d)
					order[k++] = i;
		if (k != c->n) {
			r = ATTT_E_INTERNAL;
			goto out;
		}
	}
	for (size_t k = 0; k < c->n; k++) {
		struct arow *a = &c->a[order[k]];
		struct attt_agency_new in = {
			.name = a->name,
			.type = a->type,
			.code = a->code,
			.parent_id = a->parent_row >= 0 ? c->a[a->parent_row].id : a->parent_id,
		};
		r = attt_org_agency_add_tx(db, c->clock, c->actor, &in, &a->id);
		if (r < 0) {
			report(&c->im, a->line, "row", "không lưu được", "cannot store the row: %s", attt_strerror(r));
			goto out;
		}
		c->created++;
	}
	r = ATTT_OK;
out:
	attt__org_csv_done(&csv);
	free(by_code);
	free(order);
	return r;
}

int attt_org_import_agencies(struct attt_db *db, const struct attt_clock *clock, const struct attt_actor *actor,
			     const char *label, const char *data, size_t len, struct attt_org_import_report *rep)
{
	struct agency_ctx c = { .clock = clock, .actor = actor, .data = data, .len = len };
	int r;

	c.im.label = label ? label : "-";
	attt_buf_init(&c.im.msgs, MSG_MAX);
	r = attt_db_tx(db, agency_fn, &c);
	r = finish(&c.im, rep, c.rows, c.created, r < 0 ? r : ATTT_OK);
	free_rows(&c);
	attt_buf_done(&c.im.msgs);
	return r;
}

/* ---- people ------------------------------------------------------------------------------- */

enum { P_FULL_NAME, P_AGENCY_CODE, P_AGENCY_ID, P_POSITION, P_EMAIL, P_PHONE, P_STATUS, P_NCOLS };
static const struct column person_cols[P_NCOLS] = {
	[P_FULL_NAME] = { "full_name", "ho_ten", true },
	[P_AGENCY_CODE] = { "agency_code", "ma_co_quan", false },
	[P_AGENCY_ID] = { "agency_id", "id_co_quan", false },
	[P_POSITION] = { "position", "chuc_vu", false },
	[P_EMAIL] = { "email", "thu_dien_tu", false },
	[P_PHONE] = { "phone", "dien_thoai", false },
	[P_STATUS] = { "status", "trang_thai", false },
};

/* Every stored agency, to resolve references without a query per row. */
struct aref {
	int64_t id;
	char *code;
	bool active;
};

static int cmp_aref_code(const void *x, const void *y)
{
	const struct aref *const *a = x, *const *b = y;
	return strcmp((*a)->code, (*b)->code);
}

struct person_ctx {
	const struct attt_clock *clock;
	const struct attt_actor *actor;
	const char *data;
	size_t len;
	struct imp im;
	size_t rows, created;
};

static int load_agencies(struct attt_db *db, struct aref **ret, size_t *ret_n, struct aref ***ret_by_code, size_t *ret_nc)
{
	struct attt_stmt *st = NULL;
	struct aref *a = NULL, **bc = NULL;
	size_t n = 0, cap = 0, nc = 0;
	int r;

	if ((r = attt_db_prepare_cached(db, "SELECT id, code, status FROM agency ORDER BY id", &st)) < 0)
		return r;
	while ((r = attt_stmt_step(st)) > 0) {
		const char *code = attt_stmt_text(st, 1), *status = attt_stmt_text(st, 2);
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 256;
			struct aref *na = realloc(a, ncap * sizeof(*na));
			if (!na) {
				r = ATTT_E_NOMEM;
				goto out;
			}
			a = na;
			cap = ncap;
		}
		a[n].id = attt_stmt_int64(st, 0);
		a[n].active = status && strcmp(status, "active") == 0;
		a[n].code = code ? strdup(code) : NULL;
		if (code && !a[n].code) {
			r = ATTT_E_NOMEM;
			goto out;
		}
		if (code)
			nc++;
		n++;
	}
	if (r < 0)
		goto out;
	bc = calloc(nc ? nc : 1, sizeof(*bc));
	if (!bc) {
		r = ATTT_E_NOMEM;
		goto out;
	}
	nc = 0;
	for (size_t i = 0; i < n; i++)
		if (a[i].code)
			bc[nc++] = &a[i];
	qsort(bc, nc, sizeof(*bc), cmp_aref_code);
	*ret = a;
	*ret_n = n;
	*ret_by_code = bc;
	*ret_nc = nc;
	a = NULL;
	bc = NULL;
	r = ATTT_OK;
out:
	attt_stmt_finalize(st);
	for (size_t i = 0; a && i < n; i++)
		free(a[i].code);
	free(a);
	free(bc);
	return r;
}

static const struct aref *find_id(const struct aref *a, size_t n, int64_t id)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (a[mid].id == id)
			return &a[mid];
		if (a[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* R7.2: the import is one operation: its events (one per agency) name the people created, the
 * file (the label's base name: a path may hold a home directory) and its SHA-256, so that an
 * inspector can tie the records to the file. */
static int begin_bulk(struct attt_db *db, const struct person_ctx *c, struct attt_audit_bulk **ret)
{
	uint8_t h[crypto_hash_sha256_BYTES];
	char hex[2 * crypto_hash_sha256_BYTES + 1], *summary;
	const char *file = strrchr(c->im.label, '/') ? strrchr(c->im.label, '/') + 1 : c->im.label;
	json_t *o;
	int r;

	crypto_hash_sha256(h, (const unsigned char *)c->data, c->len);
	sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
	/* A file name that is not UTF-8 (a path from the command line) cannot be a JSON string. */
	if (!attt_utf8_valid(file, strlen(file)))
		file = "?";
	if (!(o = json_pack("{s:s, s:s}", "file", file, "sha256", hex)))
		return ATTT_E_NOMEM;
	summary = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(o);
	if (!summary)
		return ATTT_E_NOMEM;
	struct attt_audit_event ev = { .category = ATTT_AUDIT_DATA, .action = "person.import", .object_type = "person",
				       .outcome = ATTT_AUDIT_SUCCESS, .rule = "R1.2", .summary = summary };
	r = attt_audit_bulk_begin(db, c->clock, c->actor, &ev, ret);
	free(summary);
	return r;
}

static int person_fn(struct attt_db *db, void *vctx)
{
	struct person_ctx *c = vctx;
	struct attt__org_csv csv;
	struct attt_stmt *ins = NULL;
	struct aref *ag = NULL, **by_code = NULL;
	size_t nag = 0, ncode = 0, nhead = 0;
	const char *v[P_NCOLS];
	int col_of[ATTT_MAX_CSV_FIELDS];
	int64_t now = attt_now_us(c->clock);
	struct attt_audit_bulk *bulk = NULL;
	bool bad;
	int r;

	attt_buf_reset(&c->im.msgs);
	c->im.errors = 0;
	c->rows = c->created = 0;
	if ((r = attt__org_csv_init(&csv, c->data, c->len)) < 0) {
		report(&c->im, 0, "csv", csv.err_vi, "%s", csv.err_en);
		goto out;
	}
	if ((r = read_header(&c->im, &csv, person_cols, P_NCOLS, col_of, &nhead)) < 0)
		goto out;
	if ((r = load_agencies(db, &ag, &nag, &by_code, &ncode)) < 0)
		goto out;
	if ((r = begin_bulk(db, c, &bulk)) < 0) {
		report(&c->im, 0, "audit", "không ghi được nhật ký kiểm toán", "cannot write the audit events: %s",
		       attt_strerror(r));
		goto out;
	}
	while ((r = read_row(&c->im, &csv, col_of, nhead, v, P_NCOLS, &bad)) > 0) {
		struct attt__person_norm n = { 0 };
		struct attt__org_why why = { 0 };
		const struct aref *agency = NULL;
		const char *afield = "agency_code";
		enum attt_person_status status = ATTT_PERSON_ACTIVE;
		int64_t id;

		c->rows++;
		if (bad)
			continue;
		bad = false;
		if (attt__org_person_norm(v[P_FULL_NAME], v[P_POSITION], v[P_EMAIL], v[P_PHONE], &n, &why) < 0) {
			report(&c->im, csv.rec_line, why.field ? why.field : "row", why.vi ? why.vi : "dòng không hợp lệ",
			       "%s", why.en ? why.en : "invalid row");
			bad = true;
		}
		if (*v[P_STATUS] && attt_org_person_status_parse(v[P_STATUS], &status) < 0) {
			report(&c->im, csv.rec_line, "status", "trạng thái không hợp lệ",
			       "unknown status \"%.32s\" (active, on_leave, transferred, retired, left)", v[P_STATUS]);
			bad = true;
		}
		if (*v[P_AGENCY_CODE] && *v[P_AGENCY_ID]) {
			report(&c->im, csv.rec_line, "agency_code", "chỉ ghi một trong agency_code và agency_id",
			       "give agency_code or agency_id, not both");
			bad = true;
		} else if (*v[P_AGENCY_CODE]) {
			struct aref key = { .code = (char *)v[P_AGENCY_CODE] }, *kp = &key, **hit;
			hit = bsearch(&kp, by_code, ncode, sizeof(*by_code), cmp_aref_code);
			agency = hit ? *hit : NULL;
		} else if (*v[P_AGENCY_ID]) {
			int64_t aid;
			afield = "agency_id";
			if (attt_parse_int64(v[P_AGENCY_ID], 1, INT64_MAX, &aid) == ATTT_OK)
				agency = find_id(ag, nag, aid);
		} else {
			report(&c->im, csv.rec_line, "agency_code", "thiếu cơ quan (agency_code hoặc agency_id)",
			       "no agency (agency_code or agency_id)");
			bad = true;
		}
		if (!bad && !agency) {
			report(&c->im, csv.rec_line, afield, "không có cơ quan này", "no such agency");
			bad = true;
		} else if (!bad && !agency->active) {
			report(&c->im, csv.rec_line, afield, "cơ quan đã sáp nhập hoặc giải thể",
			       "the agency is merged or dissolved");
			bad = true;
		}
		/* Once anything is wrong nothing will be kept: only check the remaining rows. */
		if (!bad && c->im.errors == 0) {
			n.status = status;
			r = attt__org_person_insert(db, &ins, c->clock, c->actor, bulk, agency->id, &n, now, &id);
			if (r < 0) {
				attt__org_person_norm_done(&n);
				report(&c->im, csv.rec_line, "row", "không lưu được", "cannot store the row: %s",
				       attt_strerror(r));
				goto out;
			}
			c->created++;
		}
		attt__org_person_norm_done(&n);
	}
	if (r < 0)
		goto out;
	if (c->rows == 0)
		report(&c->im, csv.line, "csv", "tệp không có dòng dữ liệu", "no data rows");
	r = c->im.errors ? ATTT_E_INVAL : ATTT_OK;
	if (r == ATTT_OK) {
		r = attt_audit_bulk_end(bulk, NULL);
		bulk = NULL;
		if (r < 0)
			report(&c->im, 0, "audit", "không ghi được nhật ký kiểm toán", "cannot write the audit events: %s",
			       attt_strerror(r));
	}
out:
	attt_audit_bulk_free(bulk);
	attt_stmt_finalize(ins);
	attt__org_csv_done(&csv);
	for (size_t i = 0; i < nag; i++)
		free(ag[i].code);
	free(ag);
	free(by_code);
	return r;
}

int attt_org_import_people(struct attt_db *db, const struct attt_clock *clock, const struct attt_actor *actor,
			   const char *label, const char *data, size_t len, struct attt_org_import_report *rep)
{
	struct person_ctx c = { .clock = clock, .actor = actor, .data = data, .len = len };
	int r;

	c.im.label = label ? label : "-";
	attt_buf_init(&c.im.msgs, MSG_MAX);
	r = attt_db_tx(db, person_fn, &c);
	r = finish(&c.im, rep, c.rows, c.created, r < 0 ? r : ATTT_OK);
	attt_buf_done(&c.im.msgs);
	return r;
}
