/*
 * verify.c: signed checkpoints of the trail and the verification that re-derives it (R7.1).
 *
 * A checkpoint is the C2SP tlog-checkpoint of the current tree, signed with the audit key and kept
 * in audit_checkpoint (and, by attt_audit_tick, off the database). Verification trusts nothing
 * stored: it recomputes every leaf from the event's canonical bytes, rebuilds the tree with a
 * streaming compact range, compares every stored subtree hash, and compares the root at each
 * checkpoint size with the signed root. What it cannot prove intact starts at report.first_bad.
 * The streaming checker (struct checker) is shared with the verification of exports (export.c).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attt/audit.h"
#include "attt/buf.h"
#include "attt/db.h"
#include "attt/err.h"
#include "attt/limits.h"
#include "attt/str.h"
#include "audit-int.h"

struct cp_ctx {
	const struct attt_audit_signer *s;
	const struct attt_clock *clock;
	char *note;
	uint64_t size;
};

static int latest(struct attt_db *db, char **ret_note, uint64_t *ret_size, int64_t *ret_time_us)
{
	struct attt_stmt *st = NULL;
	char *note = NULL;
	int r;

	r = attt_db_prepare(db, "SELECT size, note, time_us FROM audit_checkpoint ORDER BY size DESC LIMIT 1", &st);
	if (r < 0)
		goto out;
	r = attt_stmt_step(st);
	if (r < 0)
		goto out;
	if (r == 0) {
		r = ATTT_E_NOTFOUND;
		goto out;
	}
	const char *t = attt_stmt_text(st, 1);
	note = strdup(t ? t : "");
	if (!note) {
		r = ATTT_E_NOMEM;
		goto out;
	}
	*ret_size = (uint64_t)attt_stmt_int64(st, 0);
	*ret_time_us = attt_stmt_int64(st, 2);
	*ret_note = note;
	note = NULL;
	r = ATTT_OK;
out:
	free(note);
	attt_stmt_finalize(st);
	return r;
}

int attt_audit_checkpoint_latest(struct attt_db *db, char **ret_note, uint64_t *ret_size)
{
	return attt_audit_checkpoint_latest_at(db, ret_note, ret_size, NULL);
}

int attt_audit_checkpoint_latest_at(struct attt_db *db, char **ret_note, uint64_t *ret_size, int64_t *ret_time_us)
{
	char *note = NULL;
	uint64_t size = 0;
	int64_t at = 0;
	int r = latest(db, &note, &size, &at);

	if (r < 0)
		return r;
	if (ret_note)
		*ret_note = note;
	else
		free(note);
	if (ret_size)
		*ret_size = size;
	if (ret_time_us)
		*ret_time_us = at;
	return ATTT_OK;
}

int attt_audit_checkpoint_time(struct attt_db *db, uint64_t size, int64_t *ret_time_us)
{
	struct attt_stmt *st = NULL;
	int r = attt_db_prepare(db, "SELECT time_us FROM audit_checkpoint WHERE size = ?", &st);

	if (r < 0)
		return r;
	if ((r = attt_stmt_bind_int64(st, 1, (int64_t)size)) < 0 || (r = attt_stmt_step(st)) < 0)
		goto out;
	if (r == 0) {
		r = ATTT_E_NOTFOUND;
		goto out;
	}
	*ret_time_us = attt_stmt_int64(st, 0);
	r = ATTT_OK;
out:
	attt_stmt_finalize(st);
	return r;
}

static int checkpoint_tx(struct attt_db *db, void *arg)
{
	struct cp_ctx *c = arg;
	struct attt_checkpoint cp;
	struct attt_buf b;
	struct attt_stmt *st = NULL;
	char *prev = NULL;
	uint64_t size, prev_size = 0;
	int64_t prev_at = 0;
	int r;

	free(c->note);
	c->note = NULL;
	attt_buf_init(&b, ATTT_AUDIT_MAX_NOTE);
	r = attt_audit_size(db, &size);
	if (r < 0)
		goto out;
	r = latest(db, &prev, &prev_size, &prev_at);
	if (r < 0 && r != ATTT_E_NOTFOUND)
		goto out;
	if (r == ATTT_OK && prev_size == size) {
		c->note = prev;
		prev = NULL;
		c->size = size;
		r = ATTT_OK;
		goto out;
	}
	memset(&cp, 0, sizeof(cp));
	r = attt_str_copy(cp.origin, sizeof(cp.origin), attt_audit_signer_name(c->s));
	if (r < 0)
		goto out;
	cp.size = size;
	r = attt_audit_root(db, size, &cp.root);
	if (r < 0)
		goto out;
	r = attt_checkpoint_sign(c->s, &cp, &b);
	if (r < 0)
		goto out;
	r = attt_db_prepare(db, "INSERT INTO audit_checkpoint (size, time_us, root, note) VALUES (?, ?, ?, ?)", &st);
	if (r < 0)
		goto out;
	if ((r = attt_stmt_bind_int64(st, 1, (int64_t)size)) < 0 ||
	    (r = attt_stmt_bind_int64(st, 2, attt_now_us(c->clock))) < 0 ||
	    (r = attt_stmt_bind_blob(st, 3, cp.root.b, ATTT_HASH_LEN)) < 0 ||
	    (r = attt_stmt_bind_textn(st, 4, b.data, b.len)) < 0)
		goto out;
	r = attt_stmt_step(st);
	if (r < 0)
		goto out;
	c->note = attt_buf_steal(&b, NULL);
	c->size = size;
	r = ATTT_OK;
out:
	free(prev);
	attt_stmt_finalize(st);
	attt_buf_done(&b);
	return r;
}

int attt_audit_checkpoint(struct attt_db *db, const struct attt_clock *clock, const struct attt_audit_signer *s,
			  char **ret_note, uint64_t *ret_size)
{
	struct cp_ctx c = { .s = s, .clock = clock };
	int r;

	if (attt_db_in_tx(db))
		return ATTT_E_STATE;
	r = attt_db_tx(db, checkpoint_tx, &c);
	if (r < 0) {
		free(c.note);
		return r;
	}
	if (ret_note)
		*ret_note = c.note;
	else
		free(c.note);
	if (ret_size)
		*ret_size = c.size;
	return ATTT_OK;
}

/* ---- the streaming checker ---- */

static int cp_cmp(const void *a, const void *b)
{
	const struct attt__cp *x = a, *y = b;
	return x->size < y->size ? -1 : x->size > y->size;
}

void attt__checker_init(struct attt__checker *c, const struct attt_audit_verifier *v)
{
	memset(c, 0, sizeof(*c));
	c->v = v;
	c->report.first_bad = -1;
	attt_merkle_stream_init(&c->stream);
}

void attt__checker_done(struct attt__checker *c)
{
	free(c->cps);
	c->cps = NULL;
}

void attt__checker_bad(struct attt__checker *c, uint64_t seq, const char *fmt, ...)
{
	va_list ap;

	if (c->report.first_bad >= 0 && (uint64_t)c->report.first_bad <= seq)
		return;
	c->report.first_bad = (int64_t)(seq > INT64_MAX ? INT64_MAX : seq);
	va_start(ap, fmt);
	vsnprintf(c->report.reason, sizeof(c->report.reason), fmt, ap);
	va_end(ap);
}

int attt__checker_add_note(struct attt__checker *c, const char *note, size_t n)
{
	struct attt_checkpoint cp;
	int r;

	r = attt_checkpoint_open(note, n, c->v, attt_audit_verifier_name(c->v), &cp);
	if (r == ATTT_E_NOMEM)
		return r;
	if (r < 0) {
		/* A checkpoint that does not verify proves nothing; one that claims to be ours and fails is
		 * an alteration of the trail's evidence. */
		attt__checker_bad(c, 0, "checkpoint does not verify (%s)", attt_strerror(r));
		return ATTT_OK;
	}
	for (size_t i = 0; i < c->n_cps; i++)
		if (c->cps[i].size == cp.size) {
			if (memcmp(c->cps[i].root.b, cp.root.b, ATTT_HASH_LEN) != 0)
				attt__checker_bad(c, 0, "two signed checkpoints of size %llu with different roots (fork)",
						  (unsigned long long)cp.size);
			return ATTT_OK;
		}
	if (c->n_cps == c->alloc_cps) {
		size_t na = c->alloc_cps ? 2 * c->alloc_cps : 16;
		struct attt__cp *p = realloc(c->cps, na * sizeof(*p));
		if (!p)
			return ATTT_E_NOMEM;
		c->cps = p;
		c->alloc_cps = na;
	}
	c->cps[c->n_cps].size = cp.size;
	c->cps[c->n_cps].root = cp.root;
	c->n_cps++;
	return ATTT_OK;
}

void attt__checker_sort(struct attt__checker *c)
{
	if (c->n_cps > 1)
		qsort(c->cps, c->n_cps, sizeof(*c->cps), cp_cmp);
	c->report.checkpoints = c->n_cps;
	c->next_cp = 0;
}

/* Compares the checkpoints of size <= the stream's size that are due. */
static void check_due(struct attt__checker *c)
{
	while (c->next_cp < c->n_cps && c->cps[c->next_cp].size <= c->stream.size) {
		const struct attt__cp *cp = &c->cps[c->next_cp];
		if (cp->size == c->stream.size) {
			struct attt_hash root;
			attt_merkle_stream_root(&c->stream, &root);
			bool explained = c->report.first_bad >= 0 && (uint64_t)c->report.first_bad >= c->good_size &&
					 (uint64_t)c->report.first_bad < cp->size;
			/* A finding already made inside [good_size, size) is the precise cause; otherwise the
			 * signed root proves only that something in that range changed. */
			if (memcmp(root.b, cp->root.b, ATTT_HASH_LEN) != 0 && !explained)
				attt__checker_bad(c, c->good_size,
						  "events %llu..%llu do not match the signed checkpoint of size %llu",
						  (unsigned long long)c->good_size, (unsigned long long)cp->size - 1,
						  (unsigned long long)cp->size);
			else if (c->report.first_bad < 0 || (uint64_t)c->report.first_bad >= cp->size)
				c->good_size = cp->size;
		}
		/* Sizes before the stream's start are checked by the caller from stored nodes. */
		c->next_cp++;
	}
}

int attt__checker_leaf(struct attt__checker *c, const struct attt_audit_record *rec, const struct attt_hash *stored,
		       int (*done)(void *ctx, unsigned level, uint64_t index, const struct attt_hash *h), void *ctx)
{
	struct attt_hash leaf;
	int r;

	if (rec->seq < 0 || (uint64_t)rec->seq != c->stream.size) {
		if (rec->seq >= 0 && (uint64_t)rec->seq > c->stream.size)
			attt__checker_bad(c, c->stream.size, "event %llu is missing", (unsigned long long)c->stream.size);
		else
			attt__checker_bad(c, c->stream.size, "event out of order or duplicated at %llu (seq %lld)",
					  (unsigned long long)c->stream.size, (long long)rec->seq);
		return ATTT_E_CORRUPT; /* the stream cannot continue meaningfully */
	}
	r = attt_audit_leaf_hash(rec, &leaf);
	if (r < 0) {
		attt__checker_bad(c, (uint64_t)rec->seq, "event %lld cannot be encoded", (long long)rec->seq);
		return ATTT_E_CORRUPT;
	}
	if (stored && memcmp(stored->b, leaf.b, ATTT_HASH_LEN) != 0) {
		attt__checker_bad(c, (uint64_t)rec->seq, "event %lld was altered (its leaf hash differs)",
				  (long long)rec->seq);
		/* The stored ancestors of an altered leaf differ from the recomputed ones by consequence:
		 * do not report them as findings of their own. */
		done = NULL;
	}
	r = attt_merkle_stream_add(&c->stream, &leaf, done, ctx);
	if (r < 0)
		return r;
	c->report.events++;
	check_due(c);
	return ATTT_OK;
}

void attt__checker_finish(struct attt__checker *c, uint64_t size)
{
	check_due(c);
	if (c->stream.size < size)
		attt__checker_bad(c, c->stream.size, "events %llu..%llu are missing", (unsigned long long)c->stream.size,
				  (unsigned long long)size - 1);
	if (c->n_cps > 0 && c->cps[c->n_cps - 1].size > c->stream.size)
		attt__checker_bad(c, c->stream.size, "trail truncated: a signed checkpoint has %llu events, the trail %llu",
				  (unsigned long long)c->cps[c->n_cps - 1].size, (unsigned long long)c->stream.size);
	c->report.size = c->stream.size > size ? c->stream.size : size;
	for (size_t i = 0; i < c->n_cps; i++)
		if (c->cps[i].size <= c->good_size && c->cps[i].size > c->report.signed_size)
			c->report.signed_size = c->cps[i].size;
}

/* ---- verification of the database ---- */

/* Every stored node is compared with the node recomputed from the events as the stream completes
 * it. Verification stops at the first finding, so an altered event is reported as that event and
 * not as all its ancestors. */
struct dbv {
	struct attt__checker *c;
	struct attt_db *db;
	struct attt_audit_src src;
	/* The tree column of the event being fed: the stream completes exactly the nodes this row
	 * carries (its leaf and the subtrees it completes), in order of level. */
	uint8_t tree[62 * ATTT_HASH_LEN];
	size_t tree_nodes; /* 0 when the row's tree is missing or has the wrong length */
	/* audit_time: the span of the block being fed, compared when its last event is fed. */
	int64_t block_min, block_max;
	uint64_t block_first; /* the first event fed of the current block */
	struct attt_stmt *time_st;
};

static int node_done(void *ctx, unsigned level, uint64_t index, const struct attt_hash *h)
{
	struct dbv *d = ctx;

	if (level == 0)
		return ATTT_OK; /* compared by attt__checker_leaf with the stored leaf */
	if (level >= d->tree_nodes || memcmp(d->tree + (size_t)ATTT_HASH_LEN * level, h->b, ATTT_HASH_LEN) != 0) {
		uint64_t at = index << level;
		attt__checker_bad(d->c, at > d->c->good_size ? at : d->c->good_size,
				  "tree node (%u, %llu) was altered or removed", level, (unsigned long long)index);
	}
	return ATTT_OK;
}

/* The time span audit_time records for a complete block must be that of its events: period queries
 * rely on it to find them. A block whose start was archived is not checked (its span is that of the
 * events that remain, set when archiving). */
static int time_check(struct dbv *d, const struct attt_audit_record *rec)
{
	uint64_t seq = (uint64_t)rec->seq, mask = (1u << ATTT__AUDIT_TIME_SHIFT) - 1;
	int r;

	if ((seq & mask) == 0 || seq == d->c->report.first) {
		d->block_min = d->block_max = rec->time_us;
		d->block_first = seq;
	} else {
		d->block_min = rec->time_us < d->block_min ? rec->time_us : d->block_min;
		d->block_max = rec->time_us > d->block_max ? rec->time_us : d->block_max;
	}
	if ((seq & mask) != mask)
		return ATTT_OK;
	if (!d->time_st) {
		r = attt_db_prepare(d->db, "SELECT min_us, max_us FROM audit_time WHERE block = ?", &d->time_st);
		if (r < 0)
			return r;
	} else {
		attt_stmt_reset(d->time_st);
	}
	if ((r = attt_stmt_bind_int64(d->time_st, 1, (int64_t)(seq >> ATTT__AUDIT_TIME_SHIFT))) < 0 ||
	    (r = attt_stmt_step(d->time_st)) < 0)
		return r;
	if (r == 0 || attt_stmt_int64(d->time_st, 0) != d->block_min || attt_stmt_int64(d->time_st, 1) != d->block_max)
		attt__checker_bad(d->c, d->block_first, "the time span of events %llu..%llu (audit_time) was altered or removed",
				  (unsigned long long)d->block_first, (unsigned long long)seq);
	return ATTT_OK;
}

static int read_notes(struct attt_db *db, struct attt__checker *c)
{
	struct attt_stmt *st = NULL;
	int r;

	r = attt_db_prepare(db, "SELECT size, root, note FROM audit_checkpoint ORDER BY size", &st);
	if (r < 0)
		return r;
	while ((r = attt_stmt_step(st)) == 1) {
		const char *note = attt_stmt_text(st, 2);
		size_t rl = 0;
		const void *root = attt_stmt_blob(st, 1, &rl);
		struct attt_checkpoint cp;
		size_t tl;

		r = attt__checker_add_note(c, note ? note : "", note ? strlen(note) : 0);
		if (r < 0)
			break;
		/* The row's own size and root columns must say what the signed note says. */
		if (note && attt_note_open(note, strlen(note), c->v, &tl) == ATTT_OK &&
		    attt_checkpoint_parse(note, tl, &cp) == ATTT_OK &&
		    (cp.size != (uint64_t)attt_stmt_int64(st, 0) || rl != ATTT_HASH_LEN ||
		     memcmp(root, cp.root.b, ATTT_HASH_LEN) != 0))
			attt__checker_bad(c, cp.size, "checkpoint row %lld does not match its note",
					  (long long)attt_stmt_int64(st, 0));
	}
	attt_stmt_finalize(st);
	return r < 0 ? r : ATTT_OK;
}

int attt__audit_read_record(struct attt_stmt *st, struct attt_audit_record *rec)
{
	rec->seq = attt_stmt_int64(st, 0);
	rec->time_us = attt_stmt_int64(st, 1);
	int64_t category = attt_stmt_int64(st, 2), outcome = attt_stmt_int64(st, 4);
	/* A value outside the taxonomy cannot have been appended: it becomes -1, which no canonical
	 * encoding of a real event has, so the leaf no longer matches (no silent truncation to int). */
	rec->category = category >= ATTT_AUDIT_AUTH && category <= ATTT_AUDIT_ACCESS ? (int)category : -1;
	rec->action = attt_stmt_text(st, 3);
	rec->outcome = outcome >= ATTT_AUDIT_SUCCESS && outcome <= ATTT_AUDIT_DENIED ? (int)outcome : -1;
	rec->actor_account = attt_stmt_int64(st, 5);
	rec->actor_person = attt_stmt_int64(st, 6);
	rec->actor_agency = attt_stmt_int64(st, 7);
	rec->actor_name = attt_stmt_text(st, 8);
	rec->session = attt_stmt_text(st, 9);
	rec->source = attt_stmt_text(st, 10);
	rec->agency_id = attt_stmt_int64(st, 11);
	rec->object_type = attt_stmt_text(st, 12);
	rec->object_id = attt_stmt_text(st, 13);
	rec->rule = attt_stmt_text(st, 14);
	rec->summary = attt_stmt_text(st, 15);
	return ATTT_OK;
}

static int verify_db(struct attt_db *db, struct attt__checker *c, const char *const *notes, size_t n_notes)
{
	struct dbv d = { .c = c, .db = db };
	struct attt_stmt *st = NULL;
	uint64_t size, first = 0;
	int r;

	attt_audit_src_init(&d.src, db);
	r = attt_audit_size(db, &size);
	if (r < 0)
		goto out;
	r = read_notes(db, c);
	if (r < 0)
		goto out;
	for (size_t i = 0; i < n_notes; i++) {
		r = attt__checker_add_note(c, notes[i], strlen(notes[i]));
		if (r < 0)
			goto out;
	}
	attt__checker_sort(c);
	/* Where the events start: archived events before it are represented by their stored nodes. */
	r = attt_db_prepare(db, "SELECT MIN(seq) FROM audit_event", &st);
	if (r < 0)
		goto out;
	r = attt_stmt_step(st);
	if (r < 0)
		goto out;
	first = r == 1 && !attt_stmt_is_null(st, 0) ? (uint64_t)attt_stmt_int64(st, 0) : size;
	attt_stmt_finalize(st);
	st = NULL;
	if (first > 0) {
		/* Archived events are only as good as the archive record that says they were archived. */
		r = attt_db_prepare(db, "SELECT COALESCE(MAX(end_seq), 0) FROM audit_archive", &st);
		if (r < 0)
			goto out;
		r = attt_stmt_step(st);
		if (r < 0)
			goto out;
		uint64_t archived = (uint64_t)attt_stmt_int64(st, 0);
		attt_stmt_finalize(st);
		st = NULL;
		if (archived < first) {
			attt__checker_bad(c, archived, "events %llu..%llu are missing (not archived)",
					  (unsigned long long)archived, (unsigned long long)first - 1);
			first = archived;
		}
		if (first > size)
			first = size;
		r = attt_merkle_stream_start(&c->stream, &d.src.src, first);
		if (r == ATTT_E_NOTFOUND || r == ATTT_E_CORRUPT) {
			attt__checker_bad(c, 0, "tree nodes of the archived events were altered or removed");
			r = ATTT_OK;
			goto out;
		}
		if (r < 0)
			goto out;
		/* Checkpoints inside the archived range: their roots from the stored nodes. */
		for (; c->next_cp < c->n_cps && c->cps[c->next_cp].size < first; c->next_cp++) {
			struct attt_hash root;
			if (c->cps[c->next_cp].size == 0)
				continue;
			r = attt_merkle_root(&d.src.src, c->cps[c->next_cp].size, &root);
			if (r < 0 && r != ATTT_E_NOTFOUND && r != ATTT_E_CORRUPT)
				goto out;
			if (r < 0 || memcmp(root.b, c->cps[c->next_cp].root.b, ATTT_HASH_LEN) != 0)
				attt__checker_bad(c, 0, "archived part does not match the checkpoint of size %llu",
						  (unsigned long long)c->cps[c->next_cp].size);
			else
				c->good_size = c->cps[c->next_cp].size;
		}
		r = ATTT_OK;
	}
	c->report.first = first;
	r = attt_db_prepare(db,
			    "SELECT e.seq, e.time_us, e.category, e.action, e.outcome, e.actor_account, e.actor_person, "
			    "e.actor_agency, e.actor_name, e.session, e.source, e.agency_id, e.object_type, e.object_id, "
			    "e.rule, e.summary, e.tree FROM audit_event e ORDER BY e.seq",
			    &st);
	if (r < 0)
		goto out;
	while ((r = attt_stmt_step(st)) == 1) {
		struct attt_audit_record rec;
		struct attt_hash stored;
		bool have;
		const void *tree;
		size_t n = 0;

		attt__audit_read_record(st, &rec);
		tree = attt_stmt_blob(st, 16, &n);
		d.tree_nodes = 0;
		if (rec.seq >= 0 && rec.seq < ((int64_t)1 << 60) && tree &&
		    n == (size_t)ATTT_HASH_LEN * attt__audit_tree_nodes((uint64_t)rec.seq)) {
			memcpy(d.tree, tree, n);
			d.tree_nodes = n / ATTT_HASH_LEN;
			memcpy(stored.b, d.tree, ATTT_HASH_LEN);
		}
		have = d.tree_nodes > 0;
		if (!have)
			attt__checker_bad(c, rec.seq >= 0 ? (uint64_t)rec.seq : 0, "event %lld has no stored leaf (inserted?)",
					  (long long)rec.seq);
		r = attt__checker_leaf(c, &rec, have ? &stored : NULL, node_done, &d);
		if (r == ATTT_E_CORRUPT)
			break;
		if (r < 0 || (c->report.first_bad < 0 && (r = time_check(&d, &rec)) < 0))
			goto out;
		/* The first finding in stream order is final (later ones lie after it): stop. */
		if (c->report.first_bad >= 0)
			break;
	}
	if (r < 0 && r != ATTT_E_CORRUPT)
		goto out;
	attt__checker_finish(c, size);
	/* The consistency of every checkpoint with the next, by RFC 9162 proofs from the stored tree. */
	for (size_t i = 0; i + 1 < c->n_cps; i++) {
		struct attt_hash proof[ATTT_AUDIT_MAX_PROOF];
		size_t n;
		const struct attt__cp *a = &c->cps[i], *b = &c->cps[i + 1];
		if (a->size == 0 || b->size > size)
			continue;
		r = attt_merkle_prove_consistency(&d.src.src, a->size, b->size, proof, ATTT_AUDIT_MAX_PROOF, &n);
		if (r < 0 || attt_merkle_verify_consistency(a->size, b->size, proof, n, a->root.b, ATTT_HASH_LEN, b->root.b,
							    ATTT_HASH_LEN) < 0)
			attt__checker_bad(c, a->size, "checkpoints of size %llu and %llu are not consistent",
					  (unsigned long long)a->size, (unsigned long long)b->size);
	}
	r = ATTT_OK;
out:
	attt_stmt_finalize(st);
	attt_stmt_finalize(d.time_st);
	attt_audit_src_done(&d.src);
	return r;
}

int attt_audit_verify(struct attt_db *db, const struct attt_audit_verifier *v, const char *const *notes,
		      size_t n_notes, struct attt_audit_report *ret)
{
	struct attt__checker c;
	int r;

	attt__checker_init(&c, v);
	if (!attt_db_in_tx(db)) {
		r = attt_db_exec(db, "BEGIN");
		if (r < 0)
			goto out;
		r = verify_db(db, &c, notes, n_notes);
		attt_db_exec(db, "COMMIT");
	} else {
		r = verify_db(db, &c, notes, n_notes);
	}
	if (r < 0)
		goto out;
	*ret = c.report;
	r = c.report.first_bad < 0 ? ATTT_OK : ATTT_E_CORRUPT;
out:
	attt__checker_done(&c);
	return r;
}
