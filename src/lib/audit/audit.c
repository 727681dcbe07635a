/*
 * audit.c: appending events to the trail and reading the tree back (R7.1, R7.2).
 *
 * attt_audit_append runs inside the caller's transaction: it takes the next sequence number (the
 * tree size, read from the newest audit_node row under the transaction's write lock), stores the
 * event, its leaf hash (audit_node level 0) and every perfect subtree the new leaf completes, all
 * at the end of audit_node (rows keyed by post-order position, attt__audit_node_pos). So the tree is always
 * exactly as large as the set of committed events, and a crash leaves either the change with its
 * event and nodes, or none of them. Proofs read audit_node through struct attt_audit_src.
 */
#include <string.h>

#include <jansson.h>

#include "attt/audit.h"
#include "attt/buf.h"
#include "attt/db.h"
#include "attt/err.h"
#include "attt/limits.h"
#include "attt/str.h"
#include "audit-int.h"

static const char *const category_names[] = { NULL, "auth", "data", "config", "connection", "access" };
static const char *const outcome_names[] = { "success", "failure", "denied" };

const char *attt_audit_category_name(int category)
{
	if (category < ATTT_AUDIT_AUTH || category > ATTT_AUDIT_ACCESS)
		return NULL;
	return category_names[category];
}

int attt_audit_category_parse(const char *s, int *ret)
{
	for (int i = ATTT_AUDIT_AUTH; i <= ATTT_AUDIT_ACCESS; i++)
		if (s && strcmp(s, category_names[i]) == 0) {
			*ret = i;
			return ATTT_OK;
		}
	return ATTT_E_INVAL;
}

const char *attt_audit_outcome_name(int outcome)
{
	if (outcome < ATTT_AUDIT_SUCCESS || outcome > ATTT_AUDIT_DENIED)
		return NULL;
	return outcome_names[outcome];
}

int attt_audit_outcome_parse(const char *s, int *ret)
{
	for (int i = ATTT_AUDIT_SUCCESS; i <= ATTT_AUDIT_DENIED; i++)
		if (s && strcmp(s, outcome_names[i]) == 0) {
			*ret = i;
			return ATTT_OK;
		}
	return ATTT_E_INVAL;
}

/* The canonical encoding writes to a sink: the caller's buffer (attt_audit_canonical), or for the
 * leaf hash a stack buffer that starts with the 0x00 leaf prefix and spills into a heap buffer only
 * for events too large for it (no allocation on the verification path). */
struct sink {
	struct attt_buf *buf;
	size_t stack_len; /* bytes in stack; > sizeof(stack) once spilled into buf */
	uint8_t stack[1024];
	bool leaf;
};

static int put(struct sink *k, const void *p, size_t n)
{
	int r;

	if (!k->leaf)
		return attt_buf_add(k->buf, p, n);
	if (k->stack_len <= sizeof(k->stack) && k->stack_len + n <= sizeof(k->stack)) {
		memcpy(k->stack + k->stack_len, p, n);
		k->stack_len += n;
		return ATTT_OK;
	}
	if (k->stack_len <= sizeof(k->stack)) {
		/* Spill: the leaf continues in the heap buffer, without the 0x00 prefix
		 * (attt_merkle_leaf adds it). */
		r = attt_buf_add(k->buf, k->stack + 1, k->stack_len - 1);
		if (r < 0)
			return r;
		k->stack_len = sizeof(k->stack) + 1;
	}
	return attt_buf_add(k->buf, p, n);
}

static int put_i64(struct sink *k, int64_t v)
{
	uint8_t b[8];
	uint64_t u = (uint64_t)v;
	for (int i = 0; i < 8; i++)
		b[i] = (uint8_t)(u >> (56 - 8 * i));
	return put(k, b, sizeof(b));
}

static int put_str(struct sink *k, const char *s)
{
	uint8_t b[4];
	size_t n = s ? strlen(s) : 0;
	uint32_t len = s ? (uint32_t)n : UINT32_MAX;
	int r;

	if (s && n >= UINT32_MAX)
		return ATTT_E_TOOBIG;
	for (int i = 0; i < 4; i++)
		b[i] = (uint8_t)(len >> (24 - 8 * i));
	r = put(k, b, sizeof(b));
	if (r < 0 || !s)
		return r;
	return put(k, s, n);
}

static int encode(const struct attt_audit_record *rec, struct sink *k)
{
	int r;

	/* Fixed order; a new field means a new version byte, never a change to version 1. */
	r = put(k, "\x01", 1);
	if (r >= 0) r = put_i64(k, rec->seq);
	if (r >= 0) r = put_i64(k, rec->time_us);
	if (r >= 0) r = put_i64(k, rec->category);
	if (r >= 0) r = put_str(k, rec->action);
	if (r >= 0) r = put_i64(k, rec->outcome);
	if (r >= 0) r = put_i64(k, rec->actor_account);
	if (r >= 0) r = put_i64(k, rec->actor_person);
	if (r >= 0) r = put_i64(k, rec->actor_agency);
	if (r >= 0) r = put_str(k, rec->actor_name);
	if (r >= 0) r = put_str(k, rec->session);
	if (r >= 0) r = put_str(k, rec->source);
	if (r >= 0) r = put_i64(k, rec->agency_id);
	if (r >= 0) r = put_str(k, rec->object_type);
	if (r >= 0) r = put_str(k, rec->object_id);
	if (r >= 0) r = put_str(k, rec->rule);
	if (r >= 0) r = put_str(k, rec->summary);
	return r;
}

int attt_audit_canonical(const struct attt_audit_record *rec, struct attt_buf *out)
{
	struct sink k = { .buf = out };
	size_t before = out->len;
	int r = encode(rec, &k);

	if (r < 0)
		out->len = before;
	return r;
}

int attt_audit_leaf_hash(const struct attt_audit_record *rec, struct attt_hash *ret)
{
	struct attt_buf b;
	struct sink k = { .buf = &b };
	int r;

	/* RFC 9162 leaf hash: SHA-256(0x00 || canonical bytes). */
	attt_buf_init(&b, ATTT_AUDIT_MAX_SUMMARY + 16 * ATTT_AUDIT_MAX_FIELD + 64);
	k.leaf = true;
	k.stack[0] = 0x00;
	k.stack_len = 1;
	r = encode(rec, &k);
	if (r >= 0) {
		if (k.stack_len <= sizeof(k.stack))
			attt__sha256(k.stack, k.stack_len, ret->b);
		else
			attt_merkle_leaf(b.data, b.len, ret);
	}
	attt_buf_done(&b);
	return r;
}

/* ---- validation ---- */

static int check_text(const char *s, size_t max, bool required)
{
	size_t n;

	if (!s)
		return required ? ATTT_E_INVAL : ATTT_OK;
	n = strlen(s);
	if (n > max)
		return ATTT_E_TOOBIG;
	if ((required && n == 0) || !attt_utf8_valid(s, n))
		return ATTT_E_INVAL;
	return ATTT_OK;
}

/* Keys whose values are secrets by name: a summary holding one is refused outright. */
static bool secret_key(const char *k)
{
	static const char *const bad[] = { "password", "passwd", "secret", "private_key", "seed", "totp_secret",
					   "token_secret", "api_token" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (strcmp(k, bad[i]) == 0)
			return true;
	return false;
}

static bool has_secret(json_t *j, int depth)
{
	const char *k;
	json_t *v;
	size_t i;

	if (depth > ATTT_HTTP_MAX_JSON_DEPTH)
		return true;
	if (json_is_object(j)) {
		json_object_foreach(j, k, v)
			if (secret_key(k) || has_secret(v, depth + 1))
				return true;
	} else if (json_is_array(j)) {
		json_array_foreach(j, i, v)
			if (has_secret(v, depth + 1))
				return true;
	}
	return false;
}

/* The fast path of check_summary, for the summaries modules write: plain JSON (strings without
 * \u escapes, keys without any escape, integers of at most 17 digits, true, false, null), nesting
 * within ATTT_HTTP_MAX_JSON_DEPTH, no duplicate key among an object's first 32, no secret key. It
 * only ever answers "certainly valid": anything else (a real number, an escape in a key, a secret,
 * an error) goes to the full parse, so that what is accepted is exactly what json_loads and
 * has_secret accept, without building a tree for every audited change (docs/performance.md). */
struct scan {
	const char *p, *end;
};

static void scan_ws(struct scan *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
		s->p++;
}

/* At '"': the raw bytes between the quotes (a key: no escape at all). */
static bool scan_string(struct scan *s, bool key, const char **ret, size_t *ret_n)
{
	const char *start = ++s->p;

	while (s->p < s->end) {
		unsigned char c = (unsigned char)*s->p;
		if (c == '"') {
			*ret = start;
			*ret_n = (size_t)(s->p - start);
			s->p++;
			return true;
		}
		if (c < 0x20)
			return false;
		if (c == '\\') {
			if (key || s->end - s->p < 2 || !memchr("\"\\/bfnrt", s->p[1], 8))
				return false;
			s->p += 2;
			continue;
		}
		s->p++;
	}
	return false;
}

static bool scan_literal(struct scan *s, const char *lit, size_t n)
{
	if ((size_t)(s->end - s->p) < n || memcmp(s->p, lit, n) != 0)
		return false;
	s->p += n;
	return true;
}

static bool scan_value(struct scan *s, int depth);

static bool scan_object(struct scan *s, int depth)
{
	const char *keys[32];
	size_t lens[32], n_keys = 0;

	s->p++; /* '{' */
	scan_ws(s);
	if (s->p < s->end && *s->p == '}') {
		s->p++;
		return true;
	}
	for (;;) {
		const char *k;
		size_t kn;
		char name[16];

		scan_ws(s);
		if (s->p >= s->end || *s->p != '"' || !scan_string(s, true, &k, &kn) || n_keys == 32)
			return false;
		if (kn < sizeof(name)) {
			memcpy(name, k, kn);
			name[kn] = '\0';
			if (secret_key(name))
				return false;
		}
		for (size_t i = 0; i < n_keys; i++)
			if (lens[i] == kn && memcmp(keys[i], k, kn) == 0)
				return false;
		keys[n_keys] = k;
		lens[n_keys++] = kn;
		scan_ws(s);
		if (s->p >= s->end || *s->p != ':')
			return false;
		s->p++;
		if (!scan_value(s, depth + 1))
			return false;
		scan_ws(s);
		if (s->p < s->end && *s->p == ',') {
			s->p++;
			continue;
		}
		if (s->p < s->end && *s->p == '}') {
			s->p++;
			return true;
		}
		return false;
	}
}

static bool scan_value(struct scan *s, int depth)
{
	const char *str, *start;
	size_t n;

	if (depth > ATTT_HTTP_MAX_JSON_DEPTH)
		return false;
	scan_ws(s);
	if (s->p >= s->end)
		return false;
	switch (*s->p) {
	case '{':
		return scan_object(s, depth);
	case '[':
		s->p++;
		scan_ws(s);
		if (s->p < s->end && *s->p == ']') {
			s->p++;
			return true;
		}
		for (;;) {
			if (!scan_value(s, depth + 1))
				return false;
			scan_ws(s);
			if (s->p < s->end && *s->p == ',') {
				s->p++;
				continue;
			}
			if (s->p < s->end && *s->p == ']') {
				s->p++;
				return true;
			}
			return false;
		}
	case '"':
		return scan_string(s, false, &str, &n);
	case 't':
		return scan_literal(s, "true", 4);
	case 'f':
		return scan_literal(s, "false", 5);
	case 'n':
		return scan_literal(s, "null", 4);
	default:
		/* An integer: -?(0|[1-9][0-9]*), at most 17 digits (well inside int64); reals go to the
		 * full parse (its overflow rules). */
		start = s->p;
		if (*s->p == '-')
			s->p++;
		if (s->p < s->end && *s->p == '0')
			s->p++;
		else if (s->p < s->end && *s->p >= '1' && *s->p <= '9')
			while (s->p < s->end && *s->p >= '0' && *s->p <= '9')
				s->p++;
		else
			return false;
		return s->p - start <= 17 && !(s->p < s->end && (*s->p == '.' || *s->p == 'e' || *s->p == 'E'));
	}
}

static bool summary_plain(const char *text, size_t n)
{
	struct scan s = { text, text + n };

	scan_ws(&s);
	if (s.p >= s.end || *s.p != '{' || !scan_object(&s, 0))
		return false;
	scan_ws(&s);
	return s.p == s.end;
}

int attt__audit_check_summary(const char *s)
{
	json_error_t err;
	json_t *j;
	int r;

	if (!s)
		return ATTT_OK;
	r = check_text(s, ATTT_AUDIT_MAX_SUMMARY, false);
	if (r < 0)
		return r;
	if (summary_plain(s, strlen(s)))
		return ATTT_OK;
	j = json_loads(s, JSON_REJECT_DUPLICATES, &err);
	if (!j)
		return ATTT_E_INVAL;
	r = json_is_object(j) && !has_secret(j, 0) ? ATTT_OK : ATTT_E_INVAL;
	json_decref(j);
	return r;
}

static int validate(const struct attt_actor *a, const struct attt_audit_event *ev)
{
	int r;

	if (!ev || !attt_audit_category_name((int)ev->category) || !attt_audit_outcome_name((int)ev->outcome))
		return ATTT_E_INVAL;
	if ((r = check_text(ev->action, ATTT_AUDIT_MAX_FIELD, true)) < 0 ||
	    (r = check_text(ev->object_type, ATTT_AUDIT_MAX_FIELD, false)) < 0 ||
	    (r = check_text(ev->object_id, ATTT_AUDIT_MAX_FIELD, false)) < 0 ||
	    (r = check_text(ev->rule, ATTT_AUDIT_MAX_FIELD, false)) < 0 || (r = attt__audit_check_summary(ev->summary)) < 0)
		return r;
	if (a && ((r = check_text(a->username, ATTT_AUDIT_MAX_FIELD, false)) < 0 ||
		  (r = check_text(a->session, ATTT_AUDIT_MAX_FIELD, false)) < 0 ||
		  (r = check_text(a->source, ATTT_AUDIT_MAX_FIELD, false)) < 0))
		return r;
	return ATTT_OK;
}

/* ---- node store ---- */

/* Node (level, index) from the tree column of the event row that completed it (its last leaf), or
 * from audit_node when that event was archived. A row that carries a different number of nodes
 * than its seq completes is corrupt; a missing row, or an audit_node row that names another node
 * (an altered table), means the node is missing. */
static int src_get(void *ctx, unsigned level, uint64_t index, struct attt_hash *ret)
{
	struct attt_audit_src *s = ctx;
	int64_t pos = attt__audit_node_pos(level, index);
	uint64_t last;
	const void *p;
	size_t n = 0;
	int r;

	if (pos < 0)
		return ATTT_E_RANGE;
	last = ((index + 1) << level) - 1;
	if (!s->stmt) {
		r = attt_db_prepare_cached(s->db, "SELECT tree FROM audit_event WHERE seq = ?", &s->stmt);
		if (r < 0)
			return r;
	} else {
		attt_stmt_reset(s->stmt);
	}
	if ((r = attt_stmt_bind_int64(s->stmt, 1, (int64_t)last)) < 0)
		return r;
	r = attt_stmt_step(s->stmt);
	if (r < 0)
		return r;
	if (r == 1) {
		p = attt_stmt_blob(s->stmt, 0, &n);
		if (!p)
			return ATTT_E_NOTFOUND;
		if (n != (size_t)ATTT_HASH_LEN * attt__audit_tree_nodes(last))
			return ATTT_E_CORRUPT;
		memcpy(ret->b, (const uint8_t *)p + (size_t)ATTT_HASH_LEN * level, ATTT_HASH_LEN);
		return ATTT_OK;
	}
	if (!s->node_stmt) {
		r = attt_db_prepare_cached(s->db, "SELECT level, idx, hash FROM audit_node WHERE pos = ?", &s->node_stmt);
		if (r < 0)
			return r;
	} else {
		attt_stmt_reset(s->node_stmt);
	}
	if ((r = attt_stmt_bind_int64(s->node_stmt, 1, pos)) < 0)
		return r;
	r = attt_stmt_step(s->node_stmt);
	if (r < 0)
		return r;
	if (r == 0 || attt_stmt_int64(s->node_stmt, 0) != (int64_t)level ||
	    attt_stmt_int64(s->node_stmt, 1) != (int64_t)index)
		return ATTT_E_NOTFOUND;
	p = attt_stmt_blob(s->node_stmt, 2, &n);
	if (!p || n != ATTT_HASH_LEN)
		return ATTT_E_CORRUPT;
	memcpy(ret->b, p, ATTT_HASH_LEN);
	return ATTT_OK;
}

void attt_audit_src_init(struct attt_audit_src *s, struct attt_db *db)
{
	s->src.get = src_get;
	s->src.ctx = s;
	s->db = db;
	s->stmt = NULL;
	s->node_stmt = NULL;
}

void attt_audit_src_done(struct attt_audit_src *s)
{
	attt_stmt_finalize(s->stmt);
	attt_stmt_finalize(s->node_stmt);
	s->stmt = NULL;
	s->node_stmt = NULL;
}

/* The tree size: one past the newest event; when every event was archived (never after `attt audit
 * archive`, which appends its own event), the newest row of audit_node, the top of the subtree the
 * last append completed, (level, idx): that append's leaf was (idx + 1) * 2^level - 1. ret_leaf
 * gets the newest leaf's hash when the newest event carries its tree (*ret_have). */
static int last_node(struct attt_db *db, uint64_t *ret_size, struct attt_hash *ret_leaf, bool *ret_have)
{
	struct attt_stmt *st = NULL;
	int64_t pos, level, idx, seq;
	const void *p;
	size_t n = 0;
	int r;

	r = attt_db_prepare_cached(db, "SELECT seq, tree FROM audit_event ORDER BY seq DESC LIMIT 1", &st);
	if (r < 0)
		return r;
	r = attt_stmt_step(st);
	if (r < 0)
		goto out;
	if (r == 1) {
		seq = attt_stmt_int64(st, 0);
		p = attt_stmt_blob(st, 1, &n);
		if (seq < 0 || seq >= ((int64_t)1 << 60)) {
			r = ATTT_E_CORRUPT;
			goto out;
		}
		*ret_size = (uint64_t)seq + 1;
		*ret_have = p && n == (size_t)ATTT_HASH_LEN * attt__audit_tree_nodes((uint64_t)seq);
		if (*ret_have)
			memcpy(ret_leaf->b, p, ATTT_HASH_LEN);
		r = ATTT_OK;
		goto out;
	}
	attt_stmt_finalize(st);
	st = NULL;
	r = attt_db_prepare_cached(db, "SELECT pos, level, idx FROM audit_node ORDER BY pos DESC LIMIT 1", &st);
	if (r < 0)
		return r;
	r = attt_stmt_step(st);
	if (r < 0)
		goto out;
	*ret_have = false;
	if (r == 0) {
		*ret_size = 0;
		r = ATTT_OK;
		goto out;
	}
	pos = attt_stmt_int64(st, 0);
	level = attt_stmt_int64(st, 1);
	idx = attt_stmt_int64(st, 2);
	if (level < 0 || level > 61 || idx < 0 || attt__audit_node_pos((unsigned)level, (uint64_t)idx) != pos) {
		r = ATTT_E_CORRUPT;
		goto out;
	}
	*ret_size = ((uint64_t)idx + 1) << level;
	r = ATTT_OK;
out:
	attt_stmt_finalize(st);
	return r;
}

int attt_audit_size(struct attt_db *db, uint64_t *ret)
{
	struct attt_hash leaf;
	bool have;

	return last_node(db, ret, &leaf, &have);
}

/* The append that completes a block of events records the block's time span in audit_time. */
static int time_block(struct attt_db *db, uint64_t seq)
{
	struct attt_stmt *st = NULL;
	int64_t block = (int64_t)(seq >> ATTT__AUDIT_TIME_SHIFT);
	int r;

	r = attt_db_prepare_cached(db,
				   "INSERT INTO audit_time (block, min_us, max_us) SELECT ?1, MIN(time_us), MAX(time_us) "
				   "FROM audit_event WHERE seq >= ?1 << 8 AND seq < (?1 + 1) << 8 "
				   "ON CONFLICT (block) DO UPDATE SET min_us = excluded.min_us, max_us = excluded.max_us",
				   &st);
	if (r < 0)
		return r;
	if ((r = attt_stmt_bind_int64(st, 1, block)) >= 0)
		r = attt_stmt_step(st);
	attt_stmt_finalize(st);
	return r < 0 ? r : ATTT_OK;
}

int attt_audit_append(struct attt_db *db, const struct attt_clock *clock, const struct attt_actor *actor,
		      const struct attt_audit_event *ev, int64_t *ret_seq)
{
	static const struct attt_actor system_actor = { .username = "system" };
	struct attt_audit_src src;
	struct attt_stmt *st = NULL;
	struct attt_audit_record rec;
	struct attt_hash h, left, last;
	uint8_t tree[62 * ATTT_HASH_LEN];
	size_t tree_len;
	uint64_t size, idx;
	bool have_last = false;
	int r;

	attt_audit_src_init(&src, db);
	r = validate(actor, ev);
	if (r < 0)
		goto out;
	if (!attt_db_in_tx(db)) {
		/* No change without its event: the event must commit with the change. */
		r = ATTT_E_STATE;
		goto out;
	}
	if (!actor)
		actor = &system_actor;
	rec = (struct attt_audit_record){
		.time_us = attt_now_us(clock),
		.category = (int)ev->category,
		.action = ev->action,
		.outcome = (int)ev->outcome,
		.actor_account = actor->account_id,
		.actor_person = actor->person_id,
		.actor_agency = actor->agency_id,
		.actor_name = actor->username,
		.session = actor->session,
		.source = actor->source,
		.agency_id = ev->agency_id,
		.object_type = ev->object_type,
		.object_id = ev->object_id,
		.rule = ev->rule,
		.summary = ev->summary,
	};
	/* The next sequence number is the tree size, read under the transaction's write lock; the
	 * newest event's row also holds the newest leaf, the first left sibling when the new index is
	 * odd. */
	r = last_node(db, &size, &last, &have_last);
	if (r < 0)
		goto out;
	if (size >= ((uint64_t)1 << 60)) {
		r = ATTT_E_RANGE;
		goto out;
	}
	rec.seq = (int64_t)size;
	r = attt_audit_leaf_hash(&rec, &h);
	if (r < 0)
		goto out;
	/* The leaf, then every perfect subtree it completes: while the index is odd at a level, its
	 * left sibling exists and the parent is complete. All go into the event's own row, so the
	 * append writes one b-tree page (docs/audit.md "Storage"). */
	memcpy(tree, h.b, ATTT_HASH_LEN);
	tree_len = ATTT_HASH_LEN;
	idx = size;
	for (unsigned level = 0; idx & 1; level++, idx >>= 1) {
		if (level == 0 && have_last)
			left = last;
		else if ((r = src_get(&src, level, idx - 1, &left)) < 0)
			goto out;
		attt_merkle_node(&left, &h, &h);
		memcpy(tree + tree_len, h.b, ATTT_HASH_LEN);
		tree_len += ATTT_HASH_LEN;
	}
	r = attt_db_prepare_cached(db,
			    "INSERT INTO audit_event (seq, time_us, category, action, outcome, actor_account, actor_person, "
			    "actor_agency, actor_name, session, source, agency_id, object_type, object_id, rule, summary, tree) "
			    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			    &st);
	if (r < 0)
		goto out;
	if ((r = attt_stmt_bind_int64(st, 1, rec.seq)) < 0 || (r = attt_stmt_bind_int64(st, 2, rec.time_us)) < 0 ||
	    (r = attt_stmt_bind_int64(st, 3, rec.category)) < 0 || (r = attt_stmt_bind_text(st, 4, rec.action)) < 0 ||
	    (r = attt_stmt_bind_int64(st, 5, rec.outcome)) < 0 ||
	    (r = attt_stmt_bind_int64(st, 6, rec.actor_account)) < 0 ||
	    (r = attt_stmt_bind_int64(st, 7, rec.actor_person)) < 0 ||
	    (r = attt_stmt_bind_int64(st, 8, rec.actor_agency)) < 0 ||
	    (r = attt_stmt_bind_text(st, 9, rec.actor_name)) < 0 || (r = attt_stmt_bind_text(st, 10, rec.session)) < 0 ||
	    (r = attt_stmt_bind_text(st, 11, rec.source)) < 0 || (r = attt_stmt_bind_int64(st, 12, rec.agency_id)) < 0 ||
	    (r = attt_stmt_bind_text(st, 13, rec.object_type)) < 0 ||
	    (r = attt_stmt_bind_text(st, 14, rec.object_id)) < 0 || (r = attt_stmt_bind_text(st, 15, rec.rule)) < 0 ||
	    (r = attt_stmt_bind_text(st, 16, rec.summary)) < 0 || (r = attt_stmt_bind_blob(st, 17, tree, tree_len)) < 0)
		goto out;
	r = attt_stmt_step(st);
	if (r < 0)
		goto out;
	if (((size + 1) & ((1u << ATTT__AUDIT_TIME_SHIFT) - 1)) == 0 && (r = time_block(db, size)) < 0)
		goto out;
	if (ret_seq)
		*ret_seq = rec.seq;
	r = ATTT_OK;
out:
	attt_stmt_finalize(st);
	attt_audit_src_done(&src);
	return r;
}

int attt__audit_keep_nodes(struct attt_db *db, int64_t first, int64_t end)
{
	struct attt_stmt *st = NULL, *ins = NULL;
	int r;

	r = attt_db_prepare(db, "SELECT seq, tree FROM audit_event WHERE seq >= ? AND seq < ? ORDER BY seq", &st);
	if (r < 0)
		return r;
	r = attt_db_prepare(db,
			    "INSERT INTO audit_node (pos, level, idx, hash) VALUES (?, ?, ?, ?) ON CONFLICT (pos) DO UPDATE SET "
			    "level = excluded.level, idx = excluded.idx, hash = excluded.hash",
			    &ins);
	if (r < 0)
		goto out;
	if ((r = attt_stmt_bind_int64(st, 1, first)) < 0 || (r = attt_stmt_bind_int64(st, 2, end)) < 0)
		goto out;
	while ((r = attt_stmt_step(st)) == 1) {
		int64_t seq = attt_stmt_int64(st, 0);
		size_t n = 0;
		const uint8_t *p = attt_stmt_blob(st, 1, &n);
		unsigned nodes;

		if (seq < 0 || seq >= ((int64_t)1 << 60))
			continue; /* not an appended event: verification reports it */
		nodes = attt__audit_tree_nodes((uint64_t)seq);
		if (!p || n != (size_t)ATTT_HASH_LEN * nodes)
			continue; /* an altered tree stays missing, as verification reports it */
		for (unsigned level = 0; level < nodes; level++) {
			uint64_t idx = (uint64_t)seq >> level;
			attt_stmt_reset(ins);
			if ((r = attt_stmt_bind_int64(ins, 1, attt__audit_node_pos(level, idx))) < 0 ||
			    (r = attt_stmt_bind_int64(ins, 2, level)) < 0 || (r = attt_stmt_bind_int64(ins, 3, (int64_t)idx)) < 0 ||
			    (r = attt_stmt_bind_blob(ins, 4, p + (size_t)ATTT_HASH_LEN * level, ATTT_HASH_LEN)) < 0 ||
			    (r = attt_stmt_step(ins)) < 0)
				goto out;
		}
	}
	if (r >= 0)
		r = ATTT_OK;
out:
	attt_stmt_finalize(st);
	attt_stmt_finalize(ins);
	return r;
}

int attt__audit_scalar(struct attt_db *db, const char *sql, const int64_t *args, int nargs, int64_t *ret,
		       bool *ret_null)
{
	struct attt_stmt *st = NULL;
	int r;

	r = attt_db_prepare_cached(db, sql, &st);
	if (r < 0)
		return r;
	for (int i = 0; r >= 0 && i < nargs; i++)
		r = attt_stmt_bind_int64(st, i + 1, args[i]);
	if (r >= 0)
		r = attt_stmt_step(st);
	if (r >= 0) {
		*ret_null = r == 0 || attt_stmt_is_null(st, 0);
		*ret = *ret_null ? 0 : attt_stmt_int64(st, 0);
		r = ATTT_OK;
	}
	attt_stmt_finalize(st);
	return r;
}

int attt__audit_time_range(struct attt_db *db, int64_t from_us, int64_t to_us, int64_t *ret_lo, int64_t *ret_hi)
{
	int64_t tail, lo, hi, any;
	bool null, lo_null, hi_null;
	int r;

	/* The events after the last recorded block (fewer than a block, unless audit_time was
	 * damaged: then this is merely slower) are scanned for a match. */
	if ((r = attt__audit_scalar(db, "SELECT (MAX(block) + 1) << 8 FROM audit_time", NULL, 0, &tail, &null)) < 0)
		return r;
	if (null)
		tail = 0; /* no complete block yet: every event is in the tail */
	int64_t args[3] = { from_us, to_us, tail };
	if ((r = attt__audit_scalar(db, "SELECT MIN(block) << 8 FROM audit_time WHERE max_us >= ?1 AND min_us < ?2", args,
				    2, &lo, &lo_null)) < 0 ||
	    (r = attt__audit_scalar(db, "SELECT (MAX(block) + 1) << 8 FROM audit_time WHERE max_us >= ?1 AND min_us < ?2",
				    args, 2, &hi, &hi_null)) < 0 ||
	    (r = attt__audit_scalar(db, "SELECT 1 FROM audit_event WHERE seq >= ?3 AND time_us >= ?1 AND time_us < ?2 LIMIT 1",
				    args, 3, &any, &null)) < 0)
		return r;
	if (!null) { /* the tail matches */
		*ret_lo = lo_null ? tail : lo;
		*ret_hi = INT64_MAX;
	} else if (!lo_null) {
		*ret_lo = lo;
		*ret_hi = hi;
	} else {
		*ret_lo = *ret_hi = 0; /* nothing matches */
	}
	return ATTT_OK;
}

int attt_audit_root(struct attt_db *db, uint64_t size, struct attt_hash *ret)
{
	struct attt_audit_src src;
	uint64_t cur;
	int r;

	r = attt_audit_size(db, &cur);
	if (r < 0)
		return r;
	if (size > cur)
		return ATTT_E_RANGE;
	attt_audit_src_init(&src, db);
	r = attt_merkle_root(&src.src, size, ret);
	attt_audit_src_done(&src);
	return r;
}

int attt_audit_prove_inclusion(struct attt_db *db, uint64_t index, uint64_t size, struct attt_hash *ret_leaf,
			       struct attt_hash *proof, size_t *ret_n)
{
	struct attt_audit_src src;
	struct attt_hash leaf;
	uint64_t cur;
	size_t n;
	int r;

	r = attt_audit_size(db, &cur);
	if (r < 0)
		return r;
	if (size == 0)
		size = cur;
	if (size > cur || index >= size)
		return ATTT_E_RANGE;
	attt_audit_src_init(&src, db);
	r = src_get(&src, 0, index, &leaf);
	if (r >= 0)
		r = attt_merkle_prove_inclusion(&src.src, index, size, proof, ATTT_AUDIT_MAX_PROOF, &n);
	attt_audit_src_done(&src);
	if (r < 0)
		return r;
	*ret_leaf = leaf;
	*ret_n = n;
	return ATTT_OK;
}

int attt_audit_prove_consistency(struct attt_db *db, uint64_t size1, uint64_t size2, struct attt_hash *proof,
				 size_t *ret_n)
{
	struct attt_audit_src src;
	uint64_t cur;
	int r;

	r = attt_audit_size(db, &cur);
	if (r < 0)
		return r;
	if (size1 == 0 || size1 > size2 || size2 > cur)
		return ATTT_E_RANGE;
	attt_audit_src_init(&src, db);
	r = attt_merkle_prove_consistency(&src.src, size1, size2, proof, ATTT_AUDIT_MAX_PROOF, ret_n);
	attt_audit_src_done(&src);
	return r;
}
