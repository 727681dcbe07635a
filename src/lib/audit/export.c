/*
 * export.c: reading the trail out (R7.1, R7.2): filtered, paginated queries, JSON-lines and CSV
 * formatting, the full verifiable export and its verification without the database.
 *
 * A full export is JSON lines: {"type":"header",...}, then {"type":"node",...} for the stored
 * subtree hashes that stand for archived events (the peaks of the first kept sequence number),
 * then {"type":"event",...} per event in seq order, then {"type":"checkpoint","note":...}. The
 * verifier rebuilds the tree from the events' canonical bytes exactly as attt_audit_verify does;
 * it trusts nothing in the file but the verifier key it is given.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "attt/audit.h"
#include "attt/buf.h"
#include "attt/clock.h"
#include "attt/db.h"
#include "attt/err.h"
#include "attt/limits.h"
#include "attt/str.h"
#include "audit-int.h"

#define EVENT_COLUMNS                                                                                  \
	"seq, time_us, category, action, outcome, actor_account, actor_person, actor_agency, actor_name, " \
	"session, source, agency_id, object_type, object_id, rule, summary"

/* ---- queries ---- */

static int add_cond(struct attt_buf *q, bool *first, const char *cond)
{
	int r = attt_buf_adds(q, *first ? " WHERE " : " AND ");
	*first = false;
	return r < 0 ? r : attt_buf_adds(q, cond);
}

int attt_audit_query(struct attt_db *db, const struct attt_audit_filter *f,
		     int (*fn)(void *ctx, const struct attt_audit_record *rec), void *ctx, int64_t *ret_last)
{
	struct attt_buf q;
	struct attt_stmt *st = NULL;
	bool first = true;
	int64_t last = -1;
	int r = ATTT_OK, idx = 1;

	if (f->n_agencies > ATTT_AUDIT_MAX_AGENCIES || (f->n_agencies > 0 && !f->agencies) ||
	    (f->category != 0 && !attt_audit_category_name(f->category)) ||
	    (f->outcome != -1 && !attt_audit_outcome_name(f->outcome)) || f->limit > INT64_MAX)
		return ATTT_E_INVAL;
	attt_buf_init(&q, 64 * 1024);
	r = attt_buf_adds(&q, "SELECT " EVENT_COLUMNS " FROM audit_event");
	/* A period: audit_time bounds the seq range scanned (there is no time index; it cost a page
	 * per audited commit). */
	int64_t seq_lo = 0, seq_hi = 0;
	bool period = f->from_us || f->to_us;
	if (r >= 0 && period &&
	    (r = attt__audit_time_range(db, f->from_us ? f->from_us : INT64_MIN, f->to_us ? f->to_us : INT64_MAX, &seq_lo,
					&seq_hi)) >= 0)
		r = add_cond(&q, &first, "seq >= ? AND seq < ?");
	if (r >= 0 && f->from_us)
		r = add_cond(&q, &first, "time_us >= ?");
	if (r >= 0 && f->to_us)
		r = add_cond(&q, &first, "time_us < ?");
	if (r >= 0 && f->actor_account)
		r = add_cond(&q, &first, "actor_account = ?");
	if (r >= 0 && f->actor_name)
		r = add_cond(&q, &first, "actor_name = ?");
	if (r >= 0 && f->agency_id)
		r = add_cond(&q, &first, "(agency_id = ? OR actor_agency = ?)");
	if (r >= 0 && f->n_agencies > 0) {
		struct attt_buf in;
		attt_buf_init(&in, 16 * ATTT_AUDIT_MAX_AGENCIES + 64);
		r = attt_buf_adds(&in, "(agency_id IN (");
		for (size_t i = 0; r >= 0 && i < f->n_agencies; i++)
			r = attt_buf_adds(&in, i ? ",?" : "?");
		if (r >= 0)
			r = attt_buf_adds(&in, ") OR actor_agency IN (");
		for (size_t i = 0; r >= 0 && i < f->n_agencies; i++)
			r = attt_buf_adds(&in, i ? ",?" : "?");
		if (r >= 0)
			r = attt_buf_adds(&in, "))");
		if (r >= 0)
			r = add_cond(&q, &first, attt_buf_str(&in));
		attt_buf_done(&in);
	}
	if (r >= 0 && f->category)
		r = add_cond(&q, &first, "category = ?");
	if (r >= 0 && f->action) {
		size_t n = strlen(f->action);
		if (n > 0 && f->action[n - 1] == '.') {
			/* A prefix: compare the leading bytes exactly (no LIKE wildcards from the input). */
			r = add_cond(&q, &first, "substr(action, 1, ?) = ?");
		} else {
			r = add_cond(&q, &first, "action = ?");
		}
	}
	if (r >= 0 && f->object_type)
		r = add_cond(&q, &first, "object_type = ?");
	/* R7.2: an object ID (a decimal) is also found in the object sets of bulk events ("{...}"); the
	 * set is read in C, so the limit is counted there too. */
	int64_t obj = -1;
	if (f->object_id && attt_parse_int64(f->object_id, 0, INT64_MAX, &obj) == ATTT_OK) {
		char canon[24];
		if (attt_str_printf(canon, sizeof(canon), "%lld", (long long)obj) < 0 || strcmp(canon, f->object_id) != 0)
			obj = -1;
	}
	if (r >= 0 && f->object_id)
		r = add_cond(&q, &first,
			     obj >= 0 ? "(object_id = ? OR substr(object_id, 1, 1) = '{')" : "object_id = ?");
	if (r >= 0 && f->outcome != -1)
		r = add_cond(&q, &first, "outcome = ?");
	if (r >= 0 && f->after_seq >= 0)
		r = add_cond(&q, &first, "seq > ?");
	if (r >= 0)
		r = attt_buf_adds(&q, " ORDER BY seq");
	if (r >= 0 && f->limit && obj < 0)
		r = attt_buf_adds(&q, " LIMIT ?");
	if (r < 0)
		goto out;
	r = attt_db_prepare(db, attt_buf_str(&q), &st);
	if (r < 0)
		goto out;
#define BIND_I(v) ((r = attt_stmt_bind_int64(st, idx++, (v))) < 0)
#define BIND_T(v) ((r = attt_stmt_bind_text(st, idx++, (v))) < 0)
	if ((period && (BIND_I(seq_lo) || BIND_I(seq_hi))) || (f->from_us && BIND_I(f->from_us)) ||
	    (f->to_us && BIND_I(f->to_us)) ||
	    (f->actor_account && BIND_I(f->actor_account)) || (f->actor_name && BIND_T(f->actor_name)) ||
	    (f->agency_id && (BIND_I(f->agency_id) || BIND_I(f->agency_id))))
		goto out;
	for (int pass = 0; pass < 2 && f->n_agencies > 0; pass++)
		for (size_t i = 0; i < f->n_agencies; i++)
			if (BIND_I(f->agencies[i]))
				goto out;
	if (f->category && BIND_I(f->category))
		goto out;
	if (f->action) {
		size_t n = strlen(f->action);
		if (n > 0 && f->action[n - 1] == '.') {
			if (BIND_I((int64_t)n) || BIND_T(f->action))
				goto out;
		} else if (BIND_T(f->action)) {
			goto out;
		}
	}
	if ((f->object_type && BIND_T(f->object_type)) || (f->object_id && BIND_T(f->object_id)) ||
	    (f->outcome != -1 && BIND_I(f->outcome)) || (f->after_seq >= 0 && BIND_I(f->after_seq)) ||
	    (f->limit && obj < 0 && BIND_I((int64_t)f->limit)))
		goto out;
#undef BIND_I
#undef BIND_T
	size_t given = 0;
	while ((!f->limit || given < f->limit) && (r = attt_stmt_step(st)) == 1) {
		struct attt_audit_record rec;
		attt__audit_read_record(st, &rec);
		if (obj >= 0 && (!rec.object_id || strcmp(rec.object_id, f->object_id) != 0) &&
		    !attt_audit_idset_has(rec.object_id, obj))
			continue;
		given++;
		r = fn(ctx, &rec);
		if (r < 0)
			goto out;
		last = rec.seq;
	}
	if (r < 0)
		goto out;
	if (ret_last)
		*ret_last = last;
	r = ATTT_OK;
out:
	attt_stmt_finalize(st);
	attt_buf_done(&q);
	return r;
}

/* ---- formatting ---- */

static json_t *jstr(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *record_json(const struct attt_audit_record *rec)
{
	char t[64], b64[ATTT_HASH_B64];
	struct attt_hash leaf;
	const char *cat = attt_audit_category_name(rec->category), *out = attt_audit_outcome_name(rec->outcome);

	if (attt_time_iso(rec->time_us, t, sizeof(t)) < 0)
		t[0] = 0;
	if (attt_audit_leaf_hash(rec, &leaf) < 0)
		return NULL;
	attt_hash_b64(&leaf, b64, sizeof(b64));
	return json_pack("{s:I,s:s,s:I,s:o,s:o,s:o,s:I,s:I,s:I,s:o,s:o,s:o,s:I,s:o,s:o,s:o,s:o,s:s}", "seq",
			 (json_int_t)rec->seq, "time", t, "time_us", (json_int_t)rec->time_us, "category",
			 cat ? json_string(cat) : json_integer(rec->category), "action", jstr(rec->action), "outcome",
			 out ? json_string(out) : json_integer(rec->outcome), "actor_account",
			 (json_int_t)rec->actor_account, "actor_person", (json_int_t)rec->actor_person, "actor_agency",
			 (json_int_t)rec->actor_agency, "actor_name", jstr(rec->actor_name), "session", jstr(rec->session),
			 "source", jstr(rec->source), "agency_id", (json_int_t)rec->agency_id, "object_type",
			 jstr(rec->object_type), "object_id", jstr(rec->object_id), "rule", jstr(rec->rule), "summary",
			 jstr(rec->summary), "leaf", b64);
}

static int dump_line(json_t *j, struct attt_buf *out)
{
	char *s;
	int r;

	if (!j)
		return ATTT_E_NOMEM;
	s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(j);
	if (!s)
		return ATTT_E_NOMEM;
	r = attt_buf_adds(out, s);
	if (r >= 0)
		r = attt_buf_addc(out, '\n');
	free(s);
	return r;
}

int attt_audit_format_json(const struct attt_audit_record *rec, struct attt_buf *out)
{
	return dump_line(record_json(rec), out);
}

static int csv_cell(struct attt_buf *out, const char *s, bool last)
{
	int r = ATTT_OK;

	if (s) {
		bool quote = strpbrk(s, ",\"\r\n") != NULL;
		if (quote)
			r = attt_buf_addc(out, '"');
		/* Formula injection: a spreadsheet must show the text, not run it. */
		if (r >= 0 && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@'))
			r = attt_buf_addc(out, '\'');
		for (const char *p = s; r >= 0 && *p; p++)
			r = *p == '"' ? attt_buf_add(out, "\"\"", 2) : attt_buf_addc(out, *p);
		if (r >= 0 && quote)
			r = attt_buf_addc(out, '"');
	}
	if (r >= 0)
		r = attt_buf_adds(out, last ? "\r\n" : ",");
	return r;
}

static int csv_int(struct attt_buf *out, int64_t v)
{
	return attt_buf_addf(out, "%lld,", (long long)v);
}

int attt_audit_format_csv_header(struct attt_buf *out)
{
	return attt_buf_adds(out, "seq,time,time_local,category,action,outcome,actor_account,actor_person,actor_agency,"
				  "actor_name,session,source,agency_id,object_type,object_id,rule,summary,leaf\r\n");
}

int attt_audit_format_csv(const struct attt_audit_record *rec, struct attt_buf *out)
{
	char t[64], tl[64], b64[ATTT_HASH_B64];
	struct attt_hash leaf;
	size_t before = out->len;
	int r;

	if (attt_time_iso(rec->time_us, t, sizeof(t)) < 0)
		t[0] = 0;
	if (attt_time_local(rec->time_us, tl, sizeof(tl)) < 0)
		tl[0] = 0;
	r = attt_audit_leaf_hash(rec, &leaf);
	if (r < 0)
		return r;
	attt_hash_b64(&leaf, b64, sizeof(b64));
	if ((r = csv_int(out, rec->seq)) < 0 || (r = csv_cell(out, t, false)) < 0 || (r = csv_cell(out, tl, false)) < 0 ||
	    (r = csv_cell(out, attt_audit_category_name(rec->category), false)) < 0 ||
	    (r = csv_cell(out, rec->action, false)) < 0 ||
	    (r = csv_cell(out, attt_audit_outcome_name(rec->outcome), false)) < 0 ||
	    (r = csv_int(out, rec->actor_account)) < 0 || (r = csv_int(out, rec->actor_person)) < 0 ||
	    (r = csv_int(out, rec->actor_agency)) < 0 || (r = csv_cell(out, rec->actor_name, false)) < 0 ||
	    (r = csv_cell(out, rec->session, false)) < 0 || (r = csv_cell(out, rec->source, false)) < 0 ||
	    (r = csv_int(out, rec->agency_id)) < 0 || (r = csv_cell(out, rec->object_type, false)) < 0 ||
	    (r = csv_cell(out, rec->object_id, false)) < 0 || (r = csv_cell(out, rec->rule, false)) < 0 ||
	    (r = csv_cell(out, rec->summary, false)) < 0 || (r = csv_cell(out, b64, true)) < 0)
		out->len = before;
	return r;
}

/* ---- the full export ---- */

static int write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return ATTT_E_IO;
		p += w;
		n -= (size_t)w;
	}
	return ATTT_OK;
}

struct exp {
	int fd;
	struct attt_buf buf;
};

static int flush(struct exp *e, bool force)
{
	int r = ATTT_OK;

	if (e->buf.len > 0 && (force || e->buf.len >= 256 * 1024)) {
		r = write_all(e->fd, e->buf.data, e->buf.len);
		attt_buf_reset(&e->buf);
	}
	return r;
}

static int export_event(void *ctx, const struct attt_audit_record *rec)
{
	struct exp *e = ctx;
	json_t *j = record_json(rec);
	int r;

	if (!j)
		return ATTT_E_NOMEM;
	json_object_set_new(j, "type", json_string("event"));
	r = dump_line(j, &e->buf);
	return r < 0 ? r : flush(e, false);
}

static int export_run(struct attt_db *db, const struct attt_audit_verifier *v, struct exp *e)
{
	struct attt_audit_src src;
	struct attt_audit_filter f;
	struct attt_stmt *st = NULL;
	char vkey[ATTT_AUDIT_VKEY_MAX];
	uint64_t size, first;
	int r;

	attt_audit_src_init(&src, db);
	r = attt_audit_size(db, &size);
	if (r < 0)
		goto out;
	r = attt_db_prepare(db, "SELECT MIN(seq) FROM audit_event", &st);
	if (r < 0 || (r = attt_stmt_step(st)) < 0)
		goto out;
	first = r == 1 && !attt_stmt_is_null(st, 0) ? (uint64_t)attt_stmt_int64(st, 0) : size;
	attt_stmt_finalize(st);
	st = NULL;
	r = attt_audit_verifier_vkey(v, vkey, sizeof(vkey));
	if (r < 0)
		goto out;
	r = dump_line(json_pack("{s:s,s:i,s:s,s:s,s:I,s:I}", "type", "header", "version", 1, "origin",
				attt_audit_verifier_name(v), "vkey", vkey, "size", (json_int_t)size, "first",
				(json_int_t)first),
		      &e->buf);
	if (r < 0)
		goto out;
	/* The peaks of first: the archived events' part of every later root. */
	uint64_t lo = 0;
	for (int bit = 63; bit >= 0; bit--) {
		struct attt_hash h;
		char b64[ATTT_HASH_B64];
		uint64_t w = UINT64_C(1) << bit;
		if (!(first & w))
			continue;
		r = src.src.get(src.src.ctx, (unsigned)bit, lo >> bit, &h);
		if (r < 0)
			goto out;
		attt_hash_b64(&h, b64, sizeof(b64));
		r = dump_line(json_pack("{s:s,s:i,s:I,s:s}", "type", "node", "level", bit, "index",
					(json_int_t)(lo >> bit), "hash", b64),
			      &e->buf);
		if (r < 0)
			goto out;
		lo += w;
	}
	memset(&f, 0, sizeof(f));
	f.outcome = -1;
	f.after_seq = -1;
	r = attt_audit_query(db, &f, export_event, e, NULL);
	if (r < 0)
		goto out;
	r = attt_db_prepare(db, "SELECT note FROM audit_checkpoint ORDER BY size", &st);
	if (r < 0)
		goto out;
	while ((r = attt_stmt_step(st)) == 1) {
		const char *note = attt_stmt_text(st, 0);
		r = dump_line(json_pack("{s:s,s:s}", "type", "checkpoint", "note", note ? note : ""), &e->buf);
		if (r < 0 || (r = flush(e, false)) < 0)
			goto out;
	}
	if (r < 0)
		goto out;
	r = flush(e, true);
out:
	attt_stmt_finalize(st);
	attt_audit_src_done(&src);
	return r;
}

int attt_audit_export(struct attt_db *db, const struct attt_audit_verifier *v, int fd)
{
	struct exp e = { .fd = fd };
	bool own_tx = !attt_db_in_tx(db);
	int r;

	attt_buf_init(&e.buf, 512 * 1024 + ATTT_AUDIT_MAX_EXPORT_LINE);
	if (own_tx && (r = attt_db_exec(db, "BEGIN")) < 0)
		goto out;
	r = export_run(db, v, &e);
	if (own_tx)
		attt_db_exec(db, "COMMIT");
out:
	attt_buf_done(&e.buf);
	return r;
}

/* ---- verification of an export ---- */

/* The export's node lines: the peaks that stand for archived events. */
struct xsrc {
	struct attt__cp nodes[64]; /* .root holds the hash; .size is unused */
	unsigned level[64];
	uint64_t index[64];
	unsigned n;
};

static int xsrc_get(void *ctx, unsigned level, uint64_t index, struct attt_hash *ret)
{
	struct xsrc *x = ctx;
	for (unsigned i = 0; i < x->n; i++)
		if (x->level[i] == level && x->index[i] == index) {
			*ret = x->nodes[i].root;
			return ATTT_OK;
		}
	return ATTT_E_NOTFOUND;
}

static const char *jget_str(json_t *o, const char *k, bool *bad)
{
	json_t *v = json_object_get(o, k);
	if (!v || json_is_null(v))
		return NULL;
	if (!json_is_string(v)) {
		*bad = true;
		return NULL;
	}
	return json_string_value(v);
}

static int64_t jget_int(json_t *o, const char *k, bool *bad)
{
	json_t *v = json_object_get(o, k);
	if (!json_is_integer(v)) {
		*bad = true;
		return 0;
	}
	return json_integer_value(v);
}

static int parse_event(json_t *o, struct attt_audit_record *rec, struct attt_hash *leaf)
{
	bool bad = false;
	const char *cat, *out, *b64;

	memset(rec, 0, sizeof(*rec));
	rec->seq = jget_int(o, "seq", &bad);
	rec->time_us = jget_int(o, "time_us", &bad);
	cat = jget_str(o, "category", &bad);
	out = jget_str(o, "outcome", &bad);
	if (!cat || attt_audit_category_parse(cat, &rec->category) < 0)
		rec->category = -1; /* not in the taxonomy: cannot match a stored leaf */
	if (!out || attt_audit_outcome_parse(out, &rec->outcome) < 0)
		rec->outcome = -1;
	rec->action = jget_str(o, "action", &bad);
	rec->actor_account = jget_int(o, "actor_account", &bad);
	rec->actor_person = jget_int(o, "actor_person", &bad);
	rec->actor_agency = jget_int(o, "actor_agency", &bad);
	rec->actor_name = jget_str(o, "actor_name", &bad);
	rec->session = jget_str(o, "session", &bad);
	rec->source = jget_str(o, "source", &bad);
	rec->agency_id = jget_int(o, "agency_id", &bad);
	rec->object_type = jget_str(o, "object_type", &bad);
	rec->object_id = jget_str(o, "object_id", &bad);
	rec->rule = jget_str(o, "rule", &bad);
	rec->summary = jget_str(o, "summary", &bad);
	b64 = jget_str(o, "leaf", &bad);
	if (bad || !b64 || attt_hash_from_b64(b64, strlen(b64), leaf) < 0)
		return ATTT_E_PARSE;
	return ATTT_OK;
}

int attt_audit_verify_export(const char *path, const struct attt_audit_verifier *v, const char *const *notes,
			     size_t n_notes, struct attt_audit_report *ret)
{
	struct attt__checker c;
	struct xsrc x;
	struct attt_merkle_src src = { xsrc_get, &x };
	FILE *f = NULL;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	unsigned long lineno = 0;
	int64_t size = -1, first = -1;
	bool started = false, stopped = false;
	int r = ATTT_OK;

	attt__checker_init(&c, v);
	memset(&x, 0, sizeof(x));
	f = fopen(path, "re");
	if (!f) {
		r = errno == ENOENT ? ATTT_E_NOTFOUND : ATTT_E_IO;
		goto out;
	}
	/* Pass 1: header, nodes and checkpoints (checkpoints come last in the file but are needed
	 * before the events are streamed). Pass 2: the events. */
	for (int pass = 1; pass <= 2; pass++) {
		rewind(f);
		lineno = 0;
		while ((len = getline(&line, &cap, f)) >= 0) {
			json_error_t jerr;
			json_t *o;
			const char *type;

			lineno++;
			if ((size_t)len > ATTT_AUDIT_MAX_EXPORT_LINE) {
				r = ATTT_E_TOOBIG;
				goto bad_line;
			}
			o = json_loadb(line, (size_t)len, JSON_REJECT_DUPLICATES, &jerr);
			if (!o || !json_is_object(o) || !(type = json_string_value(json_object_get(o, "type")))) {
				json_decref(o);
				r = ATTT_E_PARSE;
				goto bad_line;
			}
			if (strcmp(type, "header") == 0) {
				if (pass == 1) {
					bool bad = false;
					if (lineno != 1 || jget_int(o, "version", &bad) != 1 ||
					    (size = jget_int(o, "size", &bad)) < 0 || (first = jget_int(o, "first", &bad)) < 0 ||
					    first > size || bad)
						r = ATTT_E_PARSE;
				}
			} else if (strcmp(type, "node") == 0) {
				if (pass == 1) {
					bool bad = false;
					int64_t level = jget_int(o, "level", &bad), index = jget_int(o, "index", &bad);
					const char *h = jget_str(o, "hash", &bad);
					if (bad || !h || level < 0 || level > 63 || index < 0 || x.n >= 64 ||
					    attt_hash_from_b64(h, strlen(h), &x.nodes[x.n].root) < 0)
						r = ATTT_E_PARSE;
					else {
						x.level[x.n] = (unsigned)level;
						x.index[x.n] = (uint64_t)index;
						x.n++;
					}
				}
			} else if (strcmp(type, "checkpoint") == 0) {
				if (pass == 1) {
					bool bad = false;
					const char *note = jget_str(o, "note", &bad);
					r = bad || !note ? ATTT_E_PARSE : attt__checker_add_note(&c, note, strlen(note));
				}
			} else if (strcmp(type, "event") == 0) {
				if (pass == 2 && !stopped) {
					struct attt_audit_record rec;
					struct attt_hash leaf;
					if (!started) {
						/* Start from the archived part's peaks. */
						int rs = attt_merkle_stream_start(&c.stream, &src, (uint64_t)first);
						if (rs < 0)
							attt__checker_bad(&c, 0, "the export lacks the hashes of archived events");
						started = true;
						for (; c.next_cp < c.n_cps && c.cps[c.next_cp].size <= (uint64_t)first; c.next_cp++) {
							struct attt_hash root;
							if (c.cps[c.next_cp].size == 0)
								continue;
							if (c.cps[c.next_cp].size < (uint64_t)first)
								continue; /* inside the archived part: needs the database */
							attt_merkle_stream_root(&c.stream, &root);
							if (memcmp(root.b, c.cps[c.next_cp].root.b, ATTT_HASH_LEN) != 0)
								attt__checker_bad(&c, 0, "archived part does not match the checkpoint of size %llu",
										  (unsigned long long)first);
							else
								c.good_size = c.cps[c.next_cp].size;
						}
					}
					r = parse_event(o, &rec, &leaf);
					if (r == ATTT_OK) {
						r = attt__checker_leaf(&c, &rec, &leaf, NULL, NULL);
						if (r == ATTT_E_CORRUPT || c.report.first_bad >= 0) {
							stopped = true;
							r = ATTT_OK;
						}
					}
				}
			} else {
				r = ATTT_E_PARSE;
			}
			json_decref(o);
			if (r < 0)
				goto bad_line;
		}
		if (ferror(f)) {
			r = ATTT_E_IO;
			goto out;
		}
		if (pass == 1) {
			if (size < 0) {
				r = ATTT_E_PARSE;
				lineno = 1;
				goto bad_line;
			}
			for (size_t i = 0; i < n_notes; i++) {
				r = attt__checker_add_note(&c, notes[i], strlen(notes[i]));
				if (r < 0)
					goto out;
			}
			attt__checker_sort(&c);
		}
	}
	if (!started && first >= 0 && attt_merkle_stream_start(&c.stream, &src, (uint64_t)first) < 0)
		attt__checker_bad(&c, 0, "the export lacks the hashes of archived events");
	c.report.first = first >= 0 ? (uint64_t)first : 0;
	attt__checker_finish(&c, (uint64_t)size);
	*ret = c.report;
	r = c.report.first_bad < 0 ? ATTT_OK : ATTT_E_CORRUPT;
	goto out;
bad_line:
	memset(ret, 0, sizeof(*ret));
	ret->first_bad = -1;
	snprintf(ret->reason, sizeof(ret->reason), "%s:%lu: %s", path, lineno, attt_strerror(r));
out:
	free(line);
	if (f)
		fclose(f);
	attt__checker_done(&c);
	return r;
}
