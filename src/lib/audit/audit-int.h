/*
 * audit-int.h: private to the audit module: the canonical leaf encoding and the node store over
 * the audit_node table, shared by append, proofs, verification and export.
 */
#ifndef ATTT_AUDIT_INT_H
#define ATTT_AUDIT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "attt/audit.h"

struct attt_stmt;

/* The row key (pos) of tree node (level, idx) in audit_node: its position in post-order, the
 * order in which appends complete nodes (the leaf, then each subtree it completes, level by level).
 * Leaves 0..m-1 complete 2m - popcount(m) nodes; the node's last leaf is m = (idx + 1) * 2^level - 1,
 * which writes its leaf at that position and the node `level` rows later. -1 when out of range.
 * So every append writes at the end of one b-tree (one page, not one per level). */
static inline int64_t attt__audit_node_pos(unsigned level, uint64_t idx)
{
	uint64_t m;

	if (level > 61 || idx >= ((uint64_t)1 << (61 - level)))
		return -1;
	m = ((idx + 1) << level) - 1;
	return (int64_t)(2 * m - (uint64_t)__builtin_popcountll(m) + level);
}

/* How many tree nodes event seq completes and carries in its row (the tree column of audit_event):
 * its leaf, then one perfect subtree per trailing one bit of seq (levels 1, 2, ...), each 32 bytes.
 * Node (level, idx) is carried by its last leaf, seq (idx + 1) * 2^level - 1, at offset 32 * level. */
static inline unsigned attt__audit_tree_nodes(uint64_t seq)
{
	return 1 + (unsigned)__builtin_ctzll(~seq);
}

/* Events per block of audit_time (earliest and latest time_us of each complete block), which
 * bounds the seq range a period query scans: 2^ATTT__AUDIT_TIME_SHIFT. */
#define ATTT__AUDIT_TIME_SHIFT 8

/* The seq range [*ret_lo, *ret_hi) outside which no event has from_us <= time_us < to_us (no
 * bound: INT64_MIN / INT64_MAX), from audit_time and a scan of the events after its last block. */
int attt__audit_time_range(struct attt_db *db, int64_t from_us, int64_t to_us, int64_t *ret_lo, int64_t *ret_hi);

/* The first column of the first row of sql with args bound to ?1..?nargs; *ret_null when there is
 * no row or the value is NULL. */
int attt__audit_scalar(struct attt_db *db, const char *sql, const int64_t *args, int nargs, int64_t *ret,
		       bool *ret_null);

/* Moves the tree nodes of events [first, end) into audit_node, before archiving deletes them. */
int attt__audit_keep_nodes(struct attt_db *db, int64_t first, int64_t end);

/* ATTT_OK if s (NULL allowed) is a summary attt_audit_append accepts: a JSON object of valid UTF-8
 * without duplicate or secret keys, at most ATTT_AUDIT_MAX_SUMMARY bytes. */
int attt__audit_check_summary(const char *s);

/* True if p[0..n) holds only standard base64 characters (A-Z a-z 0-9 + / =). */
bool attt__b64_ok(const char *p, size_t n);

/* SHA-256 of p[0..n) (OpenSSL, hardware-accelerated where the CPU allows). */
void attt__sha256(const void *p, size_t n, uint8_t out[ATTT_HASH_LEN]);

/* Reads the 16 event columns (in INSERT order) of the current row of st into rec (borrowed). */
int attt__audit_read_record(struct attt_stmt *st, struct attt_audit_record *rec);

/* The streaming checker shared by database and export verification (verify.c). */
struct attt__cp {
	uint64_t size;
	struct attt_hash root;
};

struct attt__checker {
	const struct attt_audit_verifier *v;
	struct attt_merkle_stream stream;
	struct attt__cp *cps; /* verified checkpoints, sorted by size after attt__checker_sort */
	size_t n_cps, alloc_cps, next_cp;
	uint64_t good_size;   /* largest checkpoint size matched so far with nothing bad before it */
	struct attt_audit_report report;
};

void attt__checker_init(struct attt__checker *c, const struct attt_audit_verifier *v);
void attt__checker_done(struct attt__checker *c);
/* Records a finding at seq (the smallest finding wins). */
void attt__checker_bad(struct attt__checker *c, uint64_t seq, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Adds a signed checkpoint note; one that does not verify is recorded as a finding. */
int attt__checker_add_note(struct attt__checker *c, const char *note, size_t n);
void attt__checker_sort(struct attt__checker *c);
/* Feeds the next event; stored (may be NULL) is the leaf hash kept beside it. ATTT_E_CORRUPT when
 * the sequence breaks and the stream cannot go on. */
int attt__checker_leaf(struct attt__checker *c, const struct attt_audit_record *rec, const struct attt_hash *stored,
		       int (*done)(void *ctx, unsigned level, uint64_t index, const struct attt_hash *h), void *ctx);
/* Ends the stream: size is the number of leaves the trail claims. */
void attt__checker_finish(struct attt__checker *c, uint64_t size);

#endif
