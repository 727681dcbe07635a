/*
 * backup-int.h: what the files of the backup module share: key material, the sealing of objects,
 * the in-memory index, the parsers of pack headers, index files, snapshots and trees (the fuzzed
 * surfaces), the chunker and repository file helpers. Included by src/lib/backup/ (and its fuzz
 * harnesses and tests) only.
 */
#ifndef ATTT_BACKUP_INT_H
#define ATTT_BACKUP_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "attt/backup.h"

#define BK_FORMAT 2                  /* repository format (docs/backup.md); 1 had BLAKE2b ids */
#define BK_ID 32
#define BK_MAT_LEN 212               /* serialised master key material */
#define BK_PACK_MAGIC "ATTTPAK1"     /* last 8 bytes of a pack file */
#define BK_ENTRY_LEN 44              /* pack header entry */
#define BK_IDX_ENTRY_LEN 48          /* index entry */
#define BK_MAX_BLOB (64u << 20)      /* largest blob (a tree of ~500k entries) */
#define BK_MAX_PACK_BLOBS 1000000u
#define BK_MAX_INDEX (256u << 20)    /* largest index file */
#define BK_MAX_SNAPSHOT (1u << 20)
#define BK_MAX_NAME 4096             /* bytes of one file name or symlink target */
#define BK_MAX_DEPTH 256             /* tree nesting */
#define BK_LOCK_STALE_US (INT64_C(1800) * 1000000) /* a lock not refreshed for 30 min is stale */
#define BK_LOCK_REFRESH_S 300

enum bk_type { BK_DATA = 0, BK_TREE = 1 };
enum bk_flag { BK_ZSTD = 1 };

struct bk_keys {
	uint32_t version, cipher;
	uint32_t cmin, cavg, cmax;
	uint8_t repo_id[32];
	uint8_t enc[32];    /* AEAD key */
	uint8_t idkey[32];  /* HMAC-SHA-256 key for chunk, pack, index and snapshot ids */
	uint8_t gear[32];   /* seed of the chunker's gear table */
	uint8_t sign_sk[64];
	uint8_t sign_pk[32];
};

/* An index entry: where a blob lives. */
struct bk_loc {
	uint8_t id[BK_ID];
	uint32_t pack;       /* number in repo->packs; BK_PENDING while a save is writing it */
	uint32_t offset, raw_len, stored_len;
	uint8_t type, flags;
	uint8_t used;        /* scratch for prune/check */
};
#define BK_PENDING UINT32_MAX

struct bk_index {
	struct bk_loc *slots; /* open addressing on the first 8 id bytes; id all-zero is never used */
	size_t cap, n;
	uint8_t (*packs)[BK_ID];
	size_t n_packs, cap_packs;
};

struct bk_blobent { uint8_t type, flags; uint32_t offset, raw_len, stored_len; uint8_t id[BK_ID]; };
struct bk_packinfo { uint8_t id[BK_ID]; struct bk_blobent *blobs; size_t n; };

struct attt_backup_repo {
	char *dir;
	struct bk_keys k;
	char key_name[ATTT_BACKUP_ID_HEX];
	uint64_t gear[256];
	uint32_t pack_size;
	struct bk_index idx;
	bool idx_loaded;
	char **idx_files; size_t n_idx_files; /* index file names loaded */
	attt_backup_progress_fn progress; void *progress_ctx; /* check and prune */
	/* lock */
	char lock_name[80];
	bool lock_exclusive;
	pthread_t lock_thread; bool lock_thread_on;
	pthread_mutex_t lock_mu; pthread_cond_t lock_cv; bool lock_stop;
};

/* crypto.c */
size_t attt__bk_overhead(const struct bk_keys *k);
size_t attt__bk_nonce_len(const struct bk_keys *k);
/* out: nonce, ciphertext, tag (attt__bk_overhead more bytes than pt). pt may be out + the nonce
 * length: both ciphers encrypt in place. */
int attt__bk_seal(const struct bk_keys *k, const uint8_t *ad, size_t ad_len, const uint8_t *pt, size_t pt_len,
		  uint8_t *out);
int attt__bk_unseal(const struct bk_keys *k, const uint8_t *ad, size_t ad_len, const uint8_t *in, size_t in_len,
		    uint8_t *out);
void attt__bk_id(const struct bk_keys *k, const void *p, size_t n, uint8_t out[BK_ID]);
/* The id of p ‖ q (q may be NULL when m is 0). */
void attt__bk_id2(const struct bk_keys *k, const void *p, size_t n, const void *q, size_t m, uint8_t out[BK_ID]);
void attt__bk_hex(const uint8_t *p, size_t n, char *out);
int attt__bk_unhex(const char *s, uint8_t *out, size_t n);
void attt__bk_mat_encode(const struct bk_keys *k, uint8_t out[BK_MAT_LEN]);
int attt__bk_mat_decode(const uint8_t *p, size_t n, struct bk_keys *k);

/* chunker.c */
void attt__bk_gear_init(const uint8_t seed[32], uint64_t gear[256]);
size_t attt__bk_cut(const uint64_t gear[256], const uint8_t *p, size_t n, uint32_t cmin, uint32_t cavg,
		    uint32_t cmax);
/* Whether the n bytes at p look uniformly random (not worth compressing); false below 64 KiB. */
bool attt__bk_looks_random(const uint8_t *p, size_t n);

/* format.c: little-endian readers advancing only on success */
struct bk_rd { const uint8_t *p; size_t n; };
int attt__bk_rd_u8(struct bk_rd *r, uint8_t *v);
int attt__bk_rd_u16(struct bk_rd *r, uint16_t *v);
int attt__bk_rd_u32(struct bk_rd *r, uint32_t *v);
int attt__bk_rd_u64(struct bk_rd *r, uint64_t *v);
int attt__bk_rd_bytes(struct bk_rd *r, size_t n, const uint8_t **v);
void attt__bk_put_u16(uint8_t *p, uint16_t v);
void attt__bk_put_u32(uint8_t *p, uint32_t v);
void attt__bk_put_u64(uint8_t *p, uint64_t v);
uint32_t attt__bk_get_u32(const uint8_t *p);
uint64_t attt__bk_get_u64(const uint8_t *p);

/* Parses a decrypted pack header; checks that blobs fit in data_len bytes before the header. */
int attt__bk_pack_header_parse(const uint8_t *p, size_t n, uint64_t data_len, size_t overhead,
			       struct bk_blobent **ret, size_t *ret_n);
/* Splits a whole pack file into its sealed header (checks magic and length). */
int attt__bk_pack_trailer(const uint8_t *tail, size_t tail_len, uint64_t file_len, size_t overhead,
			  uint32_t *ret_hdr_len);
/* Parses a decrypted index file into pack infos. */
int attt__bk_index_parse(const uint8_t *p, size_t n, size_t overhead, struct bk_packinfo **ret, size_t *ret_n);
void attt__bk_packinfos_free(struct bk_packinfo *pi, size_t n);

struct bk_snap {
	int64_t time_us;
	uint8_t tree[BK_ID], parent[BK_ID];
	char *hostname, *username;
	char **paths; size_t n_paths;
	char **tags; size_t n_tags;
	struct attt_backup_stats stats;
};
int attt__bk_snap_encode(const struct bk_snap *s, uint8_t **ret, size_t *ret_n);
int attt__bk_snap_parse(const uint8_t *p, size_t n, struct bk_snap *ret);
void attt__bk_snap_done(struct bk_snap *s);

struct bk_node {
	uint8_t *name; uint16_t name_len;
	uint8_t kind;
	uint8_t flags;          /* BK_SPARSE */
	uint32_t mode, uid, gid, nlink;
	int64_t mtime_sec, atime_sec;
	uint32_t mtime_nsec, atime_nsec;
	uint64_t size, rdev, link_group;
	uint64_t ino;           /* with ctime: lets the next save skip unchanged files */
	int64_t ctime_sec;
	uint32_t ctime_nsec;
	uint8_t subtree[BK_ID];
	uint8_t *chunks; uint32_t n_chunks; /* n_chunks * BK_ID bytes */
	uint8_t *target; uint16_t target_len;
};
#define BK_SPARSE 1
struct bk_tree { struct bk_node *nodes; size_t n, cap; };
int attt__bk_tree_encode(const struct bk_tree *t, uint8_t **ret, size_t *ret_n);
/* Names are checked: not empty, no '/', not "." or "..", no NUL; strictly increasing order. */
int attt__bk_tree_parse(const uint8_t *p, size_t n, struct bk_tree *ret);
void attt__bk_tree_done(struct bk_tree *t);
void attt__bk_node_done(struct bk_node *nd);

/* index.c */
int attt__bk_idx_put(struct bk_index *x, const struct bk_loc *l);
struct bk_loc *attt__bk_idx_get(const struct bk_index *x, const uint8_t id[BK_ID]);
int attt__bk_idx_add_pack(struct bk_index *x, const uint8_t id[BK_ID], uint32_t *ret_no);
void attt__bk_idx_done(struct bk_index *x);

/* repo.c */
int attt__bk_path(const struct attt_backup_repo *r, const char *rel, char *out, size_t size);
int attt__bk_pack_rel(const uint8_t id[BK_ID], char *out, size_t size);
int attt__bk_write_file(struct attt_backup_repo *r, const char *dir_rel, const char *name, const uint8_t *p,
			size_t n);
int attt__bk_read_file(const char *path, size_t max, uint8_t **ret, size_t *ret_n);
int attt__bk_list(struct attt_backup_repo *r, const char *dir_rel, char ***ret, size_t *ret_n);
void attt__bk_strv_free(char **v, size_t n);
int attt__bk_fsync_dir(const char *path);
int attt__bk_load_index(struct attt_backup_repo *r);
int attt__bk_read_index_file(struct attt_backup_repo *r, const char *name, struct bk_packinfo **ret, size_t *ret_n);
int attt__bk_add_packinfo(struct attt_backup_repo *r, const struct bk_packinfo *pi);
/* Decompresses a blob's zstd frame of exactly raw_len bytes into out; the frame must carry its
 * content checksum (XXH64 of the plaintext, checked by zstd), which every save writes. */
int attt__bk_unzstd(const uint8_t *p, size_t n, uint8_t *out, size_t raw_len);
/* Decrypts a sealed blob, decompresses it and checks its keyed hash against e->id. */
int attt__bk_open_blob(struct attt_backup_repo *r, const uint8_t *ct, size_t n, const struct bk_blobent *e);
/* Reads a pack's sealed header; ret_name (may be NULL) gets the pack's name, H(sealed header ‖ trailer). */
int attt__bk_read_pack_header(struct attt_backup_repo *r, const char *path, struct bk_blobent **ret,
			      size_t *ret_n, uint8_t ret_name[BK_ID]);
int attt__bk_lock(struct attt_backup_repo *r, bool exclusive);
/* Loads a blob: its tag (which covers id and type) and, compressed, its zstd checksum are checked;
 * a tree's keyed hash is also recomputed. A data chunk's is not (restore's hot path): see "Why
 * restore does not re-hash" in docs/backup.md; check --read-data recomputes every id. */
void attt__bk_unlock(struct attt_backup_repo *r);
int attt__bk_load_blob(struct attt_backup_repo *r, const uint8_t id[BK_ID], uint8_t type, int *fdcache,
		       uint32_t *fdpack, uint8_t **ret, size_t *ret_n);
int attt__bk_load_tree(struct attt_backup_repo *r, const uint8_t id[BK_ID], struct bk_tree *ret);
int attt__bk_read_snapshot(struct attt_backup_repo *r, const char *name, struct bk_snap *ret);
/* Whether a key file has the shape of one (length, magic, KDF bounds): what can be checked of a key
 * file without its passphrase. ATTT_OK or ATTT_E_CORRUPT. */
int attt__bk_key_shape(const uint8_t *f, size_t n);
/* attt_backup_snapshots, but failing (ATTT_E_CORRUPT) on a snapshot that cannot be read. */
int attt__bk_snapshots_strict(struct attt_backup_repo *r, struct attt_backup_snapshot **ret, size_t *ret_n);
int attt__bk_write_index(struct attt_backup_repo *r, const struct bk_packinfo *pi, size_t n, char *ret_name,
			 size_t ret_size);
int attt__bk_snap_resolve(struct attt_backup_repo *r, const char *name, char *ret_file, size_t size);
int attt__bk_write_snapshot(struct attt_backup_repo *r, const struct bk_snap *s, char ret_name[ATTT_BACKUP_ID_HEX]);
/* Hands every pack file in data/ to fn (relative name and id). */
int attt__bk_each_pack(struct attt_backup_repo *r, int (*fn)(void *ctx, const char *rel, const uint8_t id[BK_ID]),
		       void *ctx);

#endif
