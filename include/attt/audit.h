/*
 * audit.h: the tamper-evident audit trail (R7.1, R7.2).
 *
 * Every change of data, login, configuration view or change and permission change writes exactly
 * one event through attt_audit_append (a bulk operation: one per agency, attt_audit_bulk_*), inside
 * the same database transaction as the change: no change without its event, no event without its
 * change. Events are the leaves of an RFC 9162
 * Merkle tree; signed checkpoints make removal of the newest events detectable.
 *
 * This section is the append contract that every service uses. The audit module owns the rest of
 * this header (tree, checkpoints, proofs, verification, queries).
 */
#ifndef ATTT_AUDIT_H
#define ATTT_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "attt/clock.h"
#include "attt/limits.h"

struct attt_db;

/* R7.2: the regulation's five categories. */
enum attt_audit_category {
	ATTT_AUDIT_AUTH = 1,       /* logins, logouts, lockouts, MFA */
	ATTT_AUDIT_DATA = 2,       /* create, update, delete of any record */
	ATTT_AUDIT_CONFIG = 3,     /* view and change of system settings and profiles */
	ATTT_AUDIT_CONNECTION = 4, /* abnormal connections in and out (collector) */
	ATTT_AUDIT_ACCESS = 5,     /* roles, rights, tokens */
};

enum attt_audit_outcome {
	ATTT_AUDIT_SUCCESS = 0,
	ATTT_AUDIT_FAILURE = 1, /* the action was attempted and failed (wrong password, bad input) */
	ATTT_AUDIT_DENIED = 2,  /* the actor was not allowed */
};

/* Who acts. Strings are borrowed for the duration of the call; NULL means "not applicable". */
struct attt_actor {
	int64_t account_id;   /* 0: no account (the operator at the CLI, the system) */
	int64_t person_id;    /* 0: none */
	int64_t agency_id;    /* the actor's agency, 0: none */
	const char *username; /* account name, or "cli" / "system" */
	const char *session;  /* a short public session reference, never the secret */
	const char *source;   /* source address, or "cli" */
};

/* What happened. Strings are borrowed for the duration of the call. */
struct attt_audit_event {
	enum attt_audit_category category;
	const char *action;      /* dotted verb, e.g. "agency.create", "auth.login" */
	const char *object_type; /* e.g. "agency"; NULL for none */
	const char *object_id;   /* e.g. "42"; NULL for none */
	int64_t agency_id;       /* agency the object belongs to; 0 for none */
	enum attt_audit_outcome outcome;
	const char *rule;        /* rule ID the event serves, e.g. "R1.2"; NULL for none */
	const char *summary;     /* JSON object text of what changed, never a secret; NULL for none */
};

/* Appends ev as the next leaf of the trail, timestamped by clock (UTC µs). Must be called inside a
 * transaction of db opened with attt_db_begin/attt_db_tx; the event commits or rolls back with the
 * change. *ret_seq (may be NULL) gets the event's sequence number (0-based leaf index).
 * ATTT_E_INVAL for a missing action or an invalid category, outcome or summary. */
int attt_audit_append(struct attt_db *db, const struct attt_clock *clock, const struct attt_actor *actor,
		      const struct attt_audit_event *ev, int64_t *ret_seq);

/* Bulk events (R7.2): a bulk operation (an import, a merge moving every person of an agency) is
 * one operation and is recorded as one event per agency naming the set of objects it changed,
 * instead of one event per record, which would cost more than the records (docs/audit.md, "Bulk
 * events"). The set is the event's object_id: ascending disjoint decimal ranges in braces, such as
 * "{1001-1100,1203}" (split over several events when longer than ATTT_AUDIT_MAX_FIELD); the
 * summary is the caller's JSON object with "count", the number of objects, put first.
 *
 * _begin copies ev's action, object_type (both required), rule and summary (a JSON object without
 * the key "count" or a secret, or NULL; ATTT_E_INVAL otherwise); ev->object_id and ev->agency_id
 * are not used. db, clock and actor are borrowed until _end or _free. _add records object_id (>= 0)
 * of agency_id and may append events (memory is bounded, limits.h ATTT_AUDIT_BULK_*); _end appends
 * the rest and frees b, also on error; all inside the caller's transaction, which rolls back with
 * them. *ret_events (may be NULL) gets the events appended. _free discards b without appending (the
 * caller is rolling back). A handle belongs to one thread, like its db. */
struct attt_audit_bulk;
int attt_audit_bulk_begin(struct attt_db *db, const struct attt_clock *clock, const struct attt_actor *actor,
			  const struct attt_audit_event *ev, struct attt_audit_bulk **ret);
int attt_audit_bulk_add(struct attt_audit_bulk *b, int64_t agency_id, int64_t object_id);
int attt_audit_bulk_end(struct attt_audit_bulk *b, uint64_t *ret_events);
void attt_audit_bulk_free(struct attt_audit_bulk *b);
/* True if set is, as a whole, an object set as bulk events write it ("{...}") and holds id. */
bool attt_audit_idset_has(const char *set, int64_t id);


/* ---------------------------------------------------------------------------------------------
 * Everything below is owned by the audit module. Thread-safety: every function is reentrant; the
 * opaque objects (signer, verifier, ticker) may be shared read-only between threads except the
 * ticker, which belongs to the thread that calls attt_audit_tick. The program calls sodium_init()
 * first (and curl_global_init() before starting threads, for the witnesses).
 *
 * attt_audit_append in detail: outside a transaction it returns ATTT_E_STATE and writes nothing; a
 * NULL actor is the system ({username "system"}); text fields must be valid UTF-8 of at most
 * ATTT_AUDIT_MAX_FIELD bytes (ATTT_E_TOOBIG beyond), the summary a JSON object of at most
 * ATTT_AUDIT_MAX_SUMMARY bytes without duplicate keys and without a key named password, passwd,
 * secret, private_key, seed, totp_secret, token_secret or api_token at any depth (ATTT_E_INVAL).
 * It writes the event row, its leaf hash and the subtree hashes the leaf completes (2 rows on
 * average), all in the caller's transaction.
 * --------------------------------------------------------------------------------------------- */

struct attt_buf;
struct attt_stmt;

/* ---- Merkle tree (RFC 9162 section 2.1, SHA-256) ---- */

#define ATTT_HASH_LEN 32
#define ATTT_HASH_B64 45 /* base64 of a hash with padding and NUL */

struct attt_hash {
	uint8_t b[ATTT_HASH_LEN];
};

/* leaf = SHA-256(0x00 || p[0..n)); node = SHA-256(0x01 || l || r); empty root = SHA-256(""). */
void attt_merkle_leaf(const void *p, size_t n, struct attt_hash *ret);
void attt_merkle_node(const struct attt_hash *l, const struct attt_hash *r, struct attt_hash *ret);
void attt_merkle_empty_root(struct attt_hash *ret);

/* A store of perfect subtree hashes: get(ctx, level, index) writes the hash of the complete
 * subtree over leaves [index * 2^level, (index + 1) * 2^level), or returns a negative error. */
struct attt_merkle_src {
	int (*get)(void *ctx, unsigned level, uint64_t index, struct attt_hash *ret);
	void *ctx;
};

/* The root of the first size leaves (the empty root for 0). Reads at most 2 log2(size) nodes. */
int attt_merkle_root(const struct attt_merkle_src *src, uint64_t size, struct attt_hash *ret);
/* RFC 9162 2.1.3.1: the inclusion proof of leaf index in the tree of size leaves, deepest sibling
 * first, into proof[max] (max >= ATTT_AUDIT_MAX_PROOF always suffices); *ret_n gets the count.
 * ATTT_E_RANGE if index >= size. */
int attt_merkle_prove_inclusion(const struct attt_merkle_src *src, uint64_t index, uint64_t size,
				struct attt_hash *proof, size_t max, size_t *ret_n);
/* RFC 9162 2.1.4.1: the consistency proof from size1 to size2 (empty when equal). ATTT_E_RANGE
 * unless 0 < size1 <= size2. */
int attt_merkle_prove_consistency(const struct attt_merkle_src *src, uint64_t size1, uint64_t size2,
				  struct attt_hash *proof, size_t max, size_t *ret_n);
/* RFC 9162 2.1.3.2: ATTT_OK if proof shows that leaf (a leaf hash, leaf_len bytes) is at index of
 * the tree of size leaves with root (root_len bytes); ATTT_E_CORRUPT otherwise. */
int attt_merkle_verify_inclusion(uint64_t index, uint64_t size, const void *leaf, size_t leaf_len,
				 const struct attt_hash *proof, size_t n, const void *root, size_t root_len);
/* RFC 9162 2.1.4.2: ATTT_OK if proof shows the tree of size2 with root2 extends the tree of size1
 * with root1; ATTT_E_CORRUPT otherwise, also for size1 == 0 or size1 > size2. Equal sizes need an
 * empty proof and byte-equal roots. */
int attt_merkle_verify_consistency(uint64_t size1, uint64_t size2, const struct attt_hash *proof, size_t n,
				   const void *root1, size_t len1, const void *root2, size_t len2);

/* Builds a tree leaf by leaf in O(log n) memory (the compact range of RFC 9162's perfect subtrees). */
struct attt_merkle_stream {
	uint64_t size;
	unsigned n;                  /* peaks in use */
	uint8_t level[64];           /* peak i covers 2^level[i] leaves, largest first */
	struct attt_hash h[64];
};
void attt_merkle_stream_init(struct attt_merkle_stream *s);
/* Starts s at size leaves, reading the peaks of size from src (popcount(size) reads). */
int attt_merkle_stream_start(struct attt_merkle_stream *s, const struct attt_merkle_src *src, uint64_t size);
/* Adds the next leaf hash. done (may be NULL) is called for the leaf (level 0) and for every perfect
 * subtree the leaf completes, in order of level; a negative return from done stops and is returned. */
int attt_merkle_stream_add(struct attt_merkle_stream *s, const struct attt_hash *leaf,
			   int (*done)(void *ctx, unsigned level, uint64_t index, const struct attt_hash *h),
			   void *ctx);
void attt_merkle_stream_root(const struct attt_merkle_stream *s, struct attt_hash *ret);

/* Decodes a proof printed one standard-base64 hash per line (the last newline optional) from
 * untrusted text p[0..len). ATTT_E_PARSE on an empty line, bad base64 or a hash that is not 32
 * bytes, ATTT_E_TOOBIG beyond max hashes. proof is written up to the failure point only. */
int attt_merkle_proof_parse(const char *p, size_t len, struct attt_hash *proof, size_t max, size_t *ret_n);
/* Standard base64 of h into buf[size >= ATTT_HASH_B64]; and back (exactly 32 bytes, canonical). */
int attt_hash_b64(const struct attt_hash *h, char *buf, size_t size);
int attt_hash_from_b64(const char *s, size_t n, struct attt_hash *ret);

/* ---- Events as stored and exported ---- */

/* One stored event. Strings are borrowed (valid during the callback that hands the record over);
 * NULL is SQL NULL. */
struct attt_audit_record {
	int64_t seq;
	int64_t time_us;
	int category; /* enum attt_audit_category */
	const char *action;
	int outcome;  /* enum attt_audit_outcome */
	int64_t actor_account;
	int64_t actor_person;
	int64_t actor_agency;
	const char *actor_name;
	const char *session;
	const char *source;
	int64_t agency_id;
	const char *object_type;
	const char *object_id;
	const char *rule;
	const char *summary;
};

/* The canonical leaf bytes of rec (docs/audit.md, "Canonical leaf bytes"): 0x01, then the sixteen
 * fields in the order of struct attt_audit_record, integers as 8-byte big-endian two's complement,
 * strings as a 4-byte big-endian length and the bytes, NULL as length 0xFFFFFFFF. Appended to out. */
int attt_audit_canonical(const struct attt_audit_record *rec, struct attt_buf *out);
/* attt_merkle_leaf of the canonical bytes. */
int attt_audit_leaf_hash(const struct attt_audit_record *rec, struct attt_hash *ret);

/* Names of the categories ("auth", "data", "config", "connection", "access") and outcomes
 * ("success", "failure", "denied"); NULL for a value outside the taxonomy. Parsing gives
 * ATTT_E_INVAL for an unknown name. */
const char *attt_audit_category_name(int category);
int attt_audit_category_parse(const char *s, int *ret);
const char *attt_audit_outcome_name(int outcome);
int attt_audit_outcome_parse(const char *s, int *ret);

/* ---- The trail in the database (0003_audit.sql) ---- */

/* Number of events ever appended (the tree size; archived events count). */
int attt_audit_size(struct attt_db *db, uint64_t *ret);
/* Root hash of the first size events. ATTT_E_RANGE if size exceeds the trail. */
int attt_audit_root(struct attt_db *db, uint64_t size, struct attt_hash *ret);
/* Leaf hash of event index and its inclusion proof in the tree of size events (size 0: the current
 * size). proof must hold ATTT_AUDIT_MAX_PROOF hashes. ATTT_E_RANGE for index >= size. */
int attt_audit_prove_inclusion(struct attt_db *db, uint64_t index, uint64_t size, struct attt_hash *ret_leaf,
			       struct attt_hash *proof, size_t *ret_n);
/* Consistency proof between sizes 0 < size1 <= size2 <= current size. */
int attt_audit_prove_consistency(struct attt_db *db, uint64_t size1, uint64_t size2, struct attt_hash *proof,
				 size_t *ret_n);
/* A node source reading the stored tree of db (the tree column of audit_event, and audit_node for
 * archived events), for the attt_merkle_* functions. Release with attt_audit_src_done. */
struct attt_audit_src {
	struct attt_merkle_src src;
	struct attt_db *db;
	struct attt_stmt *stmt, *node_stmt;
};
void attt_audit_src_init(struct attt_audit_src *s, struct attt_db *db);
void attt_audit_src_done(struct attt_audit_src *s);

/* ---- Signed notes (C2SP signed-note) and checkpoints (C2SP tlog-checkpoint) ---- */

/* The checkpoint origin (= key name) of a data directory: origin when set and non-empty (the
 * audit.origin option, which must never change once set), else "attt/<data_id>". buf needs ATTT_AUDIT_MAX_NAME + 1 bytes.
 * ATTT_E_INVAL if the result is not a valid key name. The CLI and `attt serve` must agree on it. */
int attt_audit_origin(const char *origin, const char *data_id, char *buf, size_t size);

/* A verifier key "<name>+<8 hex key id>+<base64(0x01 || Ed25519 public key)>" and NUL fits in: */
#define ATTT_AUDIT_VKEY_MAX (ATTT_AUDIT_MAX_NAME + 64)

/* An Ed25519 signer under a key name (non-empty, printable, no space or '+', at most
 * ATTT_AUDIT_MAX_NAME bytes; conventionally the checkpoint origin). seed (32 bytes, the content of
 * keys/audit.key) is copied; the copy is wiped by _free. ATTT_E_INVAL for a bad name. */
struct attt_audit_signer;
int attt_audit_signer_new(const char *name, const uint8_t seed[32], struct attt_audit_signer **ret);
void attt_audit_signer_free(struct attt_audit_signer *s);
const char *attt_audit_signer_name(const struct attt_audit_signer *s);
/* The signer's verifier key string into buf[size] (ATTT_AUDIT_VKEY_MAX suffices). */
int attt_audit_signer_vkey(const struct attt_audit_signer *s, char *buf, size_t size);

/* The public half: from a name and a 32-byte public key (keys/audit.pub), or parsed from a verifier
 * key string (ATTT_E_PARSE if malformed, ATTT_E_UNSUPPORTED for a signature type other than
 * Ed25519 (0x01), ATTT_E_CORRUPT if the key id does not match name and key). */
struct attt_audit_verifier;
int attt_audit_verifier_new(const char *name, const uint8_t pub[32], struct attt_audit_verifier **ret);
int attt_audit_verifier_parse(const char *vkey, struct attt_audit_verifier **ret);
void attt_audit_verifier_free(struct attt_audit_verifier *v);
int attt_audit_verifier_vkey(const struct attt_audit_verifier *v, char *buf, size_t size);
const char *attt_audit_verifier_name(const struct attt_audit_verifier *v);

/* Signs text[0..n) (valid UTF-8, no control characters but "\n", ends in "\n", no blank line) and
 * appends the note "text\n— <name> <base64(key id || signature)>\n" to out. */
int attt_note_sign(const struct attt_audit_signer *s, const char *text, size_t n, struct attt_buf *out);
/* Checks the signed note msg[0..n) (untrusted, at most ATTT_AUDIT_MAX_NOTE bytes) as Go's
 * sumdb/note Open does: ATTT_OK when v's signature is present and valid, with *ret_text_len the
 * length of the signed text at the start of msg. A malformed note is ATTT_E_PARSE, a bad signature
 * by v's key ATTT_E_CORRUPT, a note without a signature by v ATTT_E_NOTFOUND. Signatures by other
 * keys are ignored. */
int attt_note_open(const char *msg, size_t n, const struct attt_audit_verifier *v, size_t *ret_text_len);

struct attt_checkpoint {
	char origin[ATTT_AUDIT_MAX_NAME + 1];
	uint64_t size;
	struct attt_hash root;
};
/* The checkpoint body "<origin>\n<size>\n<base64 root>\n", appended to out. */
int attt_checkpoint_body(const struct attt_checkpoint *c, struct attt_buf *out);
/* Parses a checkpoint body text[0..n) (extension lines after the third are allowed and ignored).
 * ATTT_E_PARSE with nothing written if it is malformed. */
int attt_checkpoint_parse(const char *text, size_t n, struct attt_checkpoint *ret);
/* Body + signature: the complete signed checkpoint note, appended to out. */
int attt_checkpoint_sign(const struct attt_audit_signer *s, const struct attt_checkpoint *c, struct attt_buf *out);
/* attt_note_open + attt_checkpoint_parse; origin (may be NULL) must match when given
 * (ATTT_E_CORRUPT otherwise). */
int attt_checkpoint_open(const char *note, size_t n, const struct attt_audit_verifier *v, const char *origin,
			 struct attt_checkpoint *ret);

/* ---- Checkpoints of the trail ---- */

/* Makes a signed checkpoint of the current trail (origin = the signer's name) and stores it in
 * audit_checkpoint, in its own transaction (db must not be inside one: ATTT_E_STATE). If the trail
 * has not grown since the latest checkpoint, that one is returned and nothing is stored. *ret_note
 * (malloc'ed, may be NULL) gets the note text, *ret_size (may be NULL) its tree size. */
int attt_audit_checkpoint(struct attt_db *db, const struct attt_clock *clock, const struct attt_audit_signer *s,
			  char **ret_note, uint64_t *ret_size);
/* The latest stored checkpoint note (malloc'ed) and its size; ATTT_E_NOTFOUND if there is none. */
int attt_audit_checkpoint_latest(struct attt_db *db, char **ret_note, uint64_t *ret_size);
/* The same, and *ret_time_us (may be NULL) the time it was signed: the note itself carries no time
 * (C2SP tlog-checkpoint), so this is the signer's clock as stored beside it. */
int attt_audit_checkpoint_latest_at(struct attt_db *db, char **ret_note, uint64_t *ret_size, int64_t *ret_time_us);
/* The time the checkpoint of tree size `size` was signed; ATTT_E_NOTFOUND if none has that size. */
int attt_audit_checkpoint_time(struct attt_db *db, uint64_t size, int64_t *ret_time_us);

/* ---- Verification ---- */

struct attt_audit_report {
	uint64_t size;            /* leaves of the trail as stored (archived events count) */
	uint64_t first;           /* first sequence number still held as an event (before: archived) */
	uint64_t events;          /* events re-hashed */
	uint64_t checkpoints;     /* distinct signed checkpoints checked */
	uint64_t signed_size;     /* largest tree size covered by a valid signed checkpoint */
	int64_t first_bad;        /* -1 when intact; else the first sequence number not proven intact */
	char reason[256];         /* what was found at first_bad, in English; "" when intact */
};

/* R7.1: re-derives the whole trail of db: every event's leaf hash from its canonical bytes, every
 * stored subtree hash, every checkpoint in audit_checkpoint and the extra signed checkpoint notes
 * (e.g. copies kept off the database) against verifier v; consecutive checkpoints are also checked
 * with RFC 9162 consistency proofs. ATTT_OK if intact; ATTT_E_CORRUPT if not, with first_bad and
 * reason in *ret (which is written in both cases); other errors when the check could not run. Read
 * only; runs in one read transaction (or the caller's) so concurrent appends do not disturb it. */
int attt_audit_verify(struct attt_db *db, const struct attt_audit_verifier *v, const char *const *notes,
		      size_t n_notes, struct attt_audit_report *ret);

/* ---- Queries and exports (the API's read side) ---- */

/* Filters of a query; zero/NULL fields match everything (memset to 0, then set outcome = -1 and
 * after_seq = -1 for "any"). */
struct attt_audit_filter {
	int64_t from_us, to_us;        /* time in [from_us, to_us); 0 = open end */
	int64_t actor_account;         /* 0 = any */
	const char *actor_name;        /* exact account name; NULL = any */
	int64_t agency_id;             /* events of this agency (as object owner or actor); 0 = any */
	const int64_t *agencies;       /* n_agencies > 0: only events of these agencies (an officer's */
	size_t n_agencies;             /*   subtree), as object owner or actor; at most ATTT_AUDIT_MAX_AGENCIES */
	int category;                  /* enum attt_audit_category; 0 = any */
	const char *action;            /* exact action, or a prefix ending in '.' ("auth."); NULL = any */
	const char *object_type;       /* NULL = any */
	const char *object_id;         /* NULL = any */
	int outcome;                   /* enum attt_audit_outcome; -1 = any */
	int64_t after_seq;             /* keyset pagination: only seq > after_seq; -1 = from the start */
	size_t limit;                  /* at most this many (0: no limit) */
};

/* Calls fn for each matching event in seq order (rec is valid during the call; a negative return
 * stops the query and is returned). *ret_last (may be NULL) gets the seq of the last event given,
 * -1 if none: pass it as after_seq for the next page. ATTT_E_INVAL for a bad filter. */
int attt_audit_query(struct attt_db *db, const struct attt_audit_filter *f,
		     int (*fn)(void *ctx, const struct attt_audit_record *rec), void *ctx, int64_t *ret_last);

/* One event as a JSON object on one line (with "\n"): the stored fields by column name, "time"
 * in RFC 3339 UTC, category and outcome by name, summary as text, "leaf" the base64 leaf hash. */
int attt_audit_format_json(const struct attt_audit_record *rec, struct attt_buf *out);
/* CSV (RFC 4180, "\r\n" line ends) header line and one event line; text cells that a spreadsheet
 * would take for a formula (=, +, -, @ first) get a leading apostrophe. */
int attt_audit_format_csv_header(struct attt_buf *out);
int attt_audit_format_csv(const struct attt_audit_record *rec, struct attt_buf *out);

/* Writes the whole trail to fd as a verifiable JSON-lines export (docs/audit.md, "Export"): a
 * header with origin, size and vkey, the stored subtree hashes that stand for archived events,
 * every event, every stored checkpoint. Runs in one read transaction. */
int attt_audit_export(struct attt_db *db, const struct attt_audit_verifier *v, int fd);
/* R7.1: verifies an export file (untrusted, lines of at most ATTT_AUDIT_MAX_EXPORT_LINE bytes)
 * without the database, as attt_audit_verify does: ATTT_OK intact, ATTT_E_CORRUPT with *ret's
 * first_bad and reason, ATTT_E_PARSE (with the line in reason) for a malformed file. */
int attt_audit_verify_export(const char *path, const struct attt_audit_verifier *v, const char *const *notes,
			     size_t n_notes, struct attt_audit_report *ret);

/* ---- Checkpoints off the database (the server's periodic tick) ---- */

struct attt_audit_publish_opts {
	const char *origin;              /* [audit] origin: "" = attt/<data id> (attt_audit_origin) */
	const char *checkpoint_file;     /* [audit] checkpoint_file: gets the latest note (atomically
					  * replaced); outside the data directory; NULL or "" = none */
	bool syslog;                     /* [audit] syslog: log each new note (base64) to syslog(3) */
	const char *const *witness_urls; /* [audit] witness_urls: C2SP tlog-witness endpoints */
	size_t n_witness;                /* at most ATTT_AUDIT_MAX_WITNESSES */
	int64_t interval_us;             /* [audit] checkpoint_interval_s: at most this long between */
	uint64_t events;                 /* [audit] checkpoint_events: or this many events */
	long timeout_ms;                 /* per witness request; 0 = ATTT_AUDIT_WITNESS_TIMEOUT_MS */
};

/* Fills *ret from the [audit] options of cfg (origin, checkpoint_file, syslog, witness_urls,
 * checkpoint_interval_s, checkpoint_events); the strings stay owned by cfg. The signer's name is
 * attt_audit_origin(ret->origin, data id). */
struct attt_config;
int attt_audit_publish_opts_from_config(const struct attt_config *cfg, struct attt_audit_publish_opts *ret);

/* The state of the periodic checkpointing: what was made and what each destination has. Copies
 * everything from opts. Not thread-safe: one ticker per server, called from one thread. */
struct attt_audit_ticker;
int attt_audit_ticker_new(const struct attt_audit_publish_opts *opts, struct attt_audit_ticker **ret);
void attt_audit_ticker_free(struct attt_audit_ticker *t);

/* Called by the server's scheduler about once a second, from its own thread and database
 * connection (never on a request's append path). Makes a checkpoint when the trail has grown and
 * interval_us has passed or events were appended since the latest one, then hands the latest note
 * to every destination that does not have it yet: the file, syslog, and each witness, which gets
 * "POST <url>/add-checkpoint" with the C2SP tlog-witness body (old size, consistency proof, note)
 * and a bounded timeout. A destination that fails is logged (warn) and retried on a later tick
 * with a doubling pause (1 s .. interval). *ret_made (may be NULL) is true when a checkpoint was
 * made. Returns the error of making the checkpoint; failures to publish are not errors. */
int attt_audit_tick(struct attt_audit_ticker *t, struct attt_db *db, const struct attt_clock *clock,
		    const struct attt_audit_signer *s, bool *ret_made);
/* Number of destinations still waiting for the latest note (0 when all have it). */
size_t attt_audit_ticker_pending(const struct attt_audit_ticker *t);

/* ---- R7.3: log review records ---- */

struct attt_audit_review {
	int64_t id;
	int64_t agency_id;        /* the agency whose events were reviewed; 0 = the whole trail */
	int64_t from_us, to_us;   /* the period reviewed, [from_us, to_us) */
	int64_t reviewer_account;
	const char *reviewer_name;
	int64_t reviewed_us;      /* when the review was recorded */
	int64_t tree_size;        /* the trail's size then: what the reviewer saw is provable */
	const char *findings;     /* the reviewer's findings (text, required: "none" is a finding) */
};

/* R7.3: records that reviewer (actor) reviewed the events of agency_id in [from_us, to_us), with
 * findings (UTF-8, 1..ATTT_MAX_TEXT bytes), and appends the audit event "audit.review" in the same
 * transaction (the caller's, or its own when db is not inside one). ATTT_E_INVAL for an empty or
 * inverted period, a period reaching into the future, or bad findings. *ret_id may be NULL. */
int attt_audit_review_add(struct attt_db *db, const struct attt_clock *clock, const struct attt_actor *actor,
			  int64_t agency_id, int64_t from_us, int64_t to_us, const char *findings, int64_t *ret_id);
/* Calls fn for each review of agency_id (0: all), newest period first; rec valid during the call. */
int attt_audit_review_list(struct attt_db *db, int64_t agency_id,
			   int (*fn)(void *ctx, const struct attt_audit_review *rev), void *ctx);
/* R7.3: the start of the oldest period of agency_id's trail (0: the whole trail) that no review
 * covers, from its first event on; *ret_since is 0 when everything up to now is reviewed or there
 * are no events. *ret_overdue is true when that period began more than interval_us ago (the
 * profile's audit_log_review_interval_days). */
int attt_audit_review_overdue(struct attt_db *db, const struct attt_clock *clock, int64_t agency_id,
			      int64_t interval_us, int64_t *ret_since, bool *ret_overdue);

/* ---- Retention: archiving old events out of the database ---- */

/* Moves the events older than before_us (a prefix of the trail ending at a signed checkpoint, the
 * largest one that fits) out of the database into dir/audit-archive-<first>-<end>.jsonl (mode 0600, fsync'ed,
 * never overwritten), in the export format of attt_audit_export (the events with their leaves and
 * the checkpoints), then deletes them in one transaction with an audit_archive row (file name and
 * SHA-256) and the audit event "audit.archive". Every tree node is kept, so proofs and verification
 * of the remaining events still work. *ret_count (may be NULL) gets the number archived (0: none
 * due). db must not be inside a transaction. */
int attt_audit_archive(struct attt_db *db, const struct attt_clock *clock, const struct attt_actor *actor,
		       const struct attt_audit_verifier *v, int64_t before_us, const char *dir, uint64_t *ret_count);

#endif
