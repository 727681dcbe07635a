/*
 * backup.h: attt's backup engine (R10.1.a): encrypted, deduplicating, signed backups in a
 * repository on a path (an external disk, a mounted NAS).
 *
 * Files are cut into content-defined chunks (FastCDC), named by a keyed BLAKE2b hash so the
 * repository reveals nothing about content, compressed with zstd and encrypted with
 * XChaCha20-Poly1305 or AES-256-GCM, packed into pack files with an encrypted header and indexed.
 * Snapshots are signed with Ed25519. The master key material is wrapped by one or more passphrases
 * through Argon2id. The on-disk format is described in docs/backup.md.
 *
 * Concurrency: a repository handle is used by one thread at a time (save and restore start their
 * own worker threads inside). Several processes may share one repository: save, restore and check
 * take a shared lock, forget and prune an exclusive one (ATTT_E_BUSY when it cannot be had).
 * Passphrases travel as (pointer, length) and are never kept by the library beyond the call.
 */
#ifndef ATTT_BACKUP_H
#define ATTT_BACKUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "attt/clock.h"

struct attt_backup_repo;

#define ATTT_BACKUP_ID_HEX 65 /* 64 hex digits and NUL */

enum attt_backup_cipher {
	ATTT_BACKUP_CIPHER_AUTO = 0, /* AES-256-GCM where the CPU has AES-NI, else XChaCha20-Poly1305 */
	ATTT_BACKUP_CIPHER_XCHACHA = 1,
	ATTT_BACKUP_CIPHER_AESGCM = 2,
};

/* Argon2id cost for a key file; zero fields take the defaults (4 passes over 32 MiB). */
struct attt_backup_kdf {
	uint64_t opslimit;
	size_t memlimit;
};

struct attt_backup_init_opts {
	struct attt_backup_kdf kdf;
	enum attt_backup_cipher cipher;
	uint32_t chunk_min, chunk_avg, chunk_max; /* 0: 256 KiB, 1 MiB, 4 MiB */
	uint32_t pack_size;                       /* target pack size; 0: 16 MiB */
};

/* Creates a repository in dir (created if missing, must be empty) protected by the passphrase.
 * opts may be NULL. ATTT_E_EXISTS if dir already holds a repository. */
int attt_backup_init(const char *dir, const char *pass, size_t pass_len,
		     const struct attt_backup_init_opts *opts);

/* Opens the repository in dir with a passphrase matching one of its key files. ATTT_E_AUTH for a
 * wrong passphrase, ATTT_E_NOTFOUND when dir holds no repository, ATTT_E_CORRUPT when the config
 * does not match the key material. *ret is freed with attt_backup_close. */
int attt_backup_open(const char *dir, const char *pass, size_t pass_len, struct attt_backup_repo **ret);
void attt_backup_close(struct attt_backup_repo *repo);

/* Overrides the target pack size (tests use small packs). */
void attt_backup_set_pack_size(struct attt_backup_repo *repo, uint32_t bytes);

/* Progress reported during long runs: save and restore after every finished file and at least once
 * per pack; check and prune after every pack they look at. */
struct attt_backup_progress {
	uint64_t files, bytes;       /* done so far (check and prune: bytes of packs read) */
	uint64_t bytes_new;          /* raw bytes of chunks that were not in the repository yet */
	uint64_t packs, packs_total; /* check and prune: packs looked at, and in all; 0 otherwise */
};
typedef void (*attt_backup_progress_fn)(void *ctx, const struct attt_backup_progress *p);

/* Where check and prune report their progress (fn NULL: nowhere, the default). */
void attt_backup_set_progress(struct attt_backup_repo *repo, attt_backup_progress_fn fn, void *ctx);

/* Fault injection for crash tests: called at each durable step of a save (point names ending in
 * "-written": "pack-written", "index-written", "snapshot-written"); a test may kill the process
 * there. For tests of the flushers' order it is also called, from a flusher thread, as a flusher
 * starts writing a piece of a pack ("piece-write"; the callback may block there) and as a pack's
 * commit starts waiting for such a piece ("commit-waits", called under a lock: the callback must
 * not call into the engine). */
typedef void (*attt_backup_crash_fn)(void *ctx, const char *point);

struct attt_backup_save_opts {
	const char *const *paths; size_t n_paths;       /* files or directories; basenames must differ */
	const char *const *excludes; size_t n_excludes; /* fnmatch(3) patterns on full path or name */
	const char *const *tags; size_t n_tags;
	bool one_file_system;                            /* do not cross into other mounts */
	const char *hostname;                            /* NULL: gethostname() */
	const struct attt_clock *clock;                  /* NULL: system clock */
	attt_backup_progress_fn progress; void *progress_ctx;
	attt_backup_crash_fn crash; void *crash_ctx;
	unsigned workers;                                /* hash+compress+encrypt threads besides the
							  * reader; 0: one per core but one (min 1) */
};

struct attt_backup_stats {
	uint64_t files, dirs, others;
	uint64_t bytes;        /* file bytes read or restored */
	uint64_t bytes_new;    /* raw bytes of new chunks and trees */
	uint64_t bytes_stored; /* bytes those took in the repository (compressed, encrypted) */
	uint64_t blobs_new;
	uint64_t errors;       /* files that could not be read (reported through the log) */
};

/* Backs up opts->paths into a new signed snapshot. ret_stats and ret_id (64 hex) may be NULL. */
int attt_backup_save(struct attt_backup_repo *repo, const struct attt_backup_save_opts *opts,
		     struct attt_backup_stats *ret_stats, char ret_id[ATTT_BACKUP_ID_HEX]);

struct attt_backup_snapshot {
	char id[ATTT_BACKUP_ID_HEX];
	char tree[ATTT_BACKUP_ID_HEX];
	int64_t time_us;
	char *hostname, *username;
	char **paths; size_t n_paths;
	char **tags; size_t n_tags;
	struct attt_backup_stats stats;
};

/* Lists the snapshots, oldest first; every one is decrypted and its signature verified. One that
 * fails (damaged, altered) is left out with a warning naming its file, as is a file that is not a
 * snapshot, so that the others stay usable; check reports the damage, and prune refuses to run
 * while a damaged snapshot is there. Free with attt_backup_snapshots_free. */
int attt_backup_snapshots(struct attt_backup_repo *repo, struct attt_backup_snapshot **ret, size_t *ret_n);
void attt_backup_snapshots_free(struct attt_backup_snapshot *s, size_t n);

/* Finds a snapshot by "latest", a full id or a unique id prefix (>= 4 hex digits). */
int attt_backup_find_snapshot(struct attt_backup_repo *repo, const char *name, struct attt_backup_snapshot **ret);

enum attt_backup_kind { ATTT_BACKUP_FILE = 1, ATTT_BACKUP_DIR, ATTT_BACKUP_SYMLINK, ATTT_BACKUP_CHR,
			ATTT_BACKUP_BLK, ATTT_BACKUP_FIFO, ATTT_BACKUP_SOCK };

/* One entry as ls and diff report it; pointers are valid during the callback only. */
struct attt_backup_entry {
	const char *path; /* relative to the snapshot root, '/'-separated, bytes as stored */
	enum attt_backup_kind kind;
	uint32_t mode, uid, gid;
	uint64_t size;
	int64_t mtime_sec; uint32_t mtime_nsec;
	const char *link_target; /* symlinks only */
};
typedef int (*attt_backup_entry_fn)(void *ctx, const struct attt_backup_entry *e);

/* Calls fn for every entry of the snapshot in path order; a negative return stops the walk. */
int attt_backup_ls(struct attt_backup_repo *repo, const char *snapshot, attt_backup_entry_fn fn, void *ctx);

/* Calls fn with change '+' (only in b), '-' (only in a) or 'M' (content or metadata differ). */
typedef int (*attt_backup_diff_fn)(void *ctx, char change, const struct attt_backup_entry *e);
int attt_backup_diff(struct attt_backup_repo *repo, const char *a, const char *b, attt_backup_diff_fn fn, void *ctx);

struct attt_backup_restore_opts {
	const char *include;   /* path inside the snapshot to restore; NULL: everything */
	unsigned workers;      /* 0: 2 */
	attt_backup_progress_fn progress; void *progress_ctx;
};

/* Restores a snapshot into target (created if missing) exactly: contents, modes, owners (when
 * root), times in ns, symlinks, hard links, empty directories, names as stored, sparse holes.
 * Every chunk is decrypted and authenticated (its tag covers its id; compressed, its zstd
 * checksum too). A file whose data is damaged is named in a warning (with the pack) and not
 * written, the rest is restored, and the call returns ATTT_E_CORRUPT with ret_stats->errors
 * counting such files; other failures (a target that cannot be written) stop it. attt_backup_check
 * with read_data also recomputes every chunk id. */
int attt_backup_restore(struct attt_backup_repo *repo, const char *snapshot, const char *target,
			const struct attt_backup_restore_opts *opts, struct attt_backup_stats *ret_stats);

/* A problem check found: what (a repository-relative file name or a snapshot path) and why. */
typedef void (*attt_backup_problem_fn)(void *ctx, const char *what, const char *why);

struct attt_backup_check_stats {
	uint64_t packs, indexes, snapshots, trees, blobs, bytes_read;
	uint64_t problems;
	uint64_t unreferenced_packs, temp_files; /* left by interrupted saves: not damage */
};

/* Checks the structure (config, keys, indexes, snapshots and signatures, every tree, pack headers
 * against the index); with read_data every byte of every pack. ATTT_E_CORRUPT when anything is
 * damaged (each problem reported through fn, which may be NULL). */
int attt_backup_check(struct attt_backup_repo *repo, bool read_data, attt_backup_problem_fn fn, void *ctx,
		      struct attt_backup_check_stats *ret_stats);

/* Checks one repository file given by its relative name ("data/ab/ab12...", "index/...",
 * "snapshots/...", "config", "keys/..."): ATTT_OK or ATTT_E_CORRUPT. Used for targeted checks. */
int attt_backup_check_file(struct attt_backup_repo *repo, const char *rel, bool read_data);

/* Retention policy for forget: a snapshot is kept if any rule keeps it. */
struct attt_backup_policy {
	unsigned keep_last, keep_daily, keep_weekly, keep_monthly, keep_yearly;
	int64_t keep_within_us; /* keep everything this close to the newest snapshot */
};
typedef void (*attt_backup_forget_fn)(void *ctx, const struct attt_backup_snapshot *s, bool keep, const char *reason);

/* Removes the snapshots the policy does not keep (none when dry_run). The policy applies to each
 * group of snapshots with the same hostname and the same set of paths on its own (keep_within
 * from the group's newest). A policy keeping nothing is refused with ATTT_E_INVAL. */
int attt_backup_forget(struct attt_backup_repo *repo, const struct attt_backup_policy *policy, bool dry_run,
		       attt_backup_forget_fn fn, void *ctx);

struct attt_backup_prune_stats {
	uint64_t packs_deleted, packs_rewritten, blobs_deleted, bytes_freed, temp_deleted, locks_deleted;
};
/* Removes data no snapshot references, temporary files of interrupted saves and stale locks. */
int attt_backup_prune(struct attt_backup_repo *repo, struct attt_backup_prune_stats *ret_stats);

/* Key files: each holds the master key material wrapped by one passphrase. */
int attt_backup_key_add(struct attt_backup_repo *repo, const char *pass, size_t pass_len,
			const struct attt_backup_kdf *kdf, char ret_id[ATTT_BACKUP_ID_HEX]);
/* Removes a key file by id or prefix; the key file in use cannot be removed (ATTT_E_CONFLICT). */
int attt_backup_key_remove(struct attt_backup_repo *repo, const char *id);
/* Replaces the key file in use by one for the new passphrase. */
int attt_backup_key_passwd(struct attt_backup_repo *repo, const char *pass, size_t pass_len,
			   const struct attt_backup_kdf *kdf);
typedef void (*attt_backup_key_fn)(void *ctx, const char *id, bool current);
int attt_backup_key_list(struct attt_backup_repo *repo, attt_backup_key_fn fn, void *ctx);

#endif
