/*
 * save.c: attt backup save. A pipeline across the cores: the calling thread (the reader) walks the
 * file system, reads files into a few reused blocks and cuts them into chunks (FastCDC); the chunks
 * go, as pointers into their block, through a bounded queue to worker threads that hash them into
 * keyed ids, drop those the repository already has, compress (zstd 3), encrypt and append the rest
 * to the current pack. When the queue is full the reader takes a chunk itself rather than sleep, so
 * one worker per core but one keeps every core busy. A directory's tree is written once the ids
 * of its files are in. Two flusher threads write the packs (O_DIRECT on local disks) and make them
 * durable. Memory is bounded by the blocks (cmax * 2 each, workers + 2 of them), one sealing
 * buffer per thread and the flushers' pieces.
 *
 * Crash safety: packs are written under temporary names, fsynced and renamed; the index follows
 * the packs and the snapshot follows the index, so a kill at any point leaves a consistent
 * repository, and packs without an index are adopted by the next save.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <linux/magic.h>

#include <sodium.h>
#include <zstd.h>

#include "attt/err.h"
#include "attt/limits.h"
#include "attt/log.h"
#include "attt/str.h"
#include "backup-int.h"

/* Chunks queued before the directory that holds them can be written: its tree needs their ids. */
struct pend { size_t n; };

/* A block files are read into. Chunks are queued as pointers into it, not copies; it goes back to
 * the free list when the reader has moved on and the last of its chunks is stored. */
struct rblock {
	struct rblock *next;
	size_t refs; /* under qmu */
	uint8_t *p;
};

struct job {
	struct job *next;
	struct rblock *blk; /* data lies in blk; NULL: data is the job's own */
	uint8_t id[BK_ID];
	uint8_t *slot;     /* where the worker writes the id it computes; NULL: id given */
	struct pend *pd;   /* counted down when done, or NULL */
	uint8_t type;
	uint8_t *data;
	size_t len;
};

/* What one thread needs to compress and seal: the workers' own, and the reader's when it helps. */
struct wctx {
	ZSTD_CCtx *cctx;
	uint8_t *sbuf; /* the sealed blob: nonce, ciphertext, tag */
	size_t scap;
};

/* For the flusher threads: a finished pack waiting for fsync and rename, or (buf) a piece of a pack
 * written with O_DIRECT, which the queue's order puts before the pack's own job. */
struct flushjob {
	struct flushjob *next;
	int fd;
	char tmp[ATTT_MAX_PATH];
	uint8_t id[BK_ID];
	struct bk_blobent *ents;
	size_t n;
	bool direct;   /* written with O_DIRECT: padded to a block, cut back to size */
	uint64_t size;
	uint8_t *buf;  /* a piece: len bytes for offset off of wfd */
	size_t len;
	uint64_t off;
	int wfd;
};
#define FLUSH_QUEUE 4
/* Flusher threads: two O_DIRECT writes in flight get more from a disk than one at a time (here
 * 1.55 against 1.14 GB/s), and the workers wait for a free piece when the disk falls behind. */
#define FLUSHERS 2
#define SYNC_RANGE (4u << 20) /* start writeback every 4 MiB so that the final fsync is short */
/* Packs go to disk with O_DIRECT where the file system allows it: past the page cache, which
 * costs a copy into new pages and their writeback, in pieces of STAGE bytes written by the flushers
 * while the workers fill the next. */
#define STAGE (1u << 20)
#define STAGES 4
#define DIO_ALIGN 4096

struct hardlink { dev_t dev; ino_t ino; uint64_t group; uint8_t *chunks; uint32_t n_chunks; uint64_t size; };

struct save {
	struct attt_backup_repo *r;
	const struct attt_backup_save_opts *o;
	size_t ov;
	/* queue */
	pthread_mutex_t qmu;
	pthread_cond_t qnonempty, qdone;
	struct job *head, *tail;
	size_t qn, qcap;
	bool closed;
	/* pack writer */
	pthread_mutex_t pmu;
	int fd;
	char tmp[ATTT_MAX_PATH];
	uint64_t psize;
	struct bk_blobent *ents;
	size_t nents, capents;
	uint64_t synced;
	struct bk_packinfo *done;
	size_t ndone, capdone;
	int err;
	bool direct, direct_off; /* this pack with O_DIRECT; O_DIRECT refused once, so never again */
	uint8_t *stage;          /* the piece being filled, from soff on */
	size_t sfill;
	uint64_t soff;
	/* flusher */
	pthread_mutex_t fmu;
	pthread_mutex_t cmu; /* held by the flusher that makes a pack durable (pack_commit) */
	pthread_cond_t fcv;
	struct flushjob *fhead, *ftail;
	size_t fn;
	bool fclosed;
	uint8_t *sfree[STAGES]; /* pieces free again, under fmu */
	size_t nsfree, nstages;
	int busy[FLUSHERS];     /* the pack each flusher is writing a piece of, or -1 (under fmu) */
	unsigned nflushers;
	int ferr; /* under fmu, like done */
	/* the repository's index, which workers consult and extend as they hash */
	pthread_mutex_t imu;
	/* read blocks (under qmu) */
	struct rblock *bfree;
	size_t nblocks, maxblocks;
	/* reader side */
	struct wctx rw;
	struct rblock *cur; /* the block being read into, from fill on */
	size_t fill, rcap;
	struct hardlink *links;
	size_t nlinks;
	dev_t root_dev;
	dev_t repo_dev; ino_t repo_ino; /* the repository's own directory, never saved into itself */
	struct attt_backup_stats st;
	struct attt_backup_progress pg;
};

static void set_err(struct save *s, int rc)
{
	pthread_mutex_lock(&s->pmu);
	if (!s->err)
		s->err = rc;
	pthread_mutex_unlock(&s->pmu);
}

static void crash_point(struct save *s, const char *point)
{
	if (s->o->crash)
		s->o->crash(s->o->crash_ctx, point);
}

/* ---- pack writer (callers hold pmu) ---- */

static int pack_open(struct save *s)
{
	char rnd[17];
	uint8_t rb[8];
	int rc;
	randombytes_buf(rb, sizeof(rb));
	attt__bk_hex(rb, sizeof(rb), rnd);
	if ((rc = attt_str_printf(s->tmp, sizeof(s->tmp), "%s/data/.tmp-%s", s->r->dir, rnd)) < 0)
		return rc;
	s->direct = false;
	if (!s->direct_off) {
		s->fd = open(s->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_DIRECT, 0600);
		if (s->fd >= 0) {
			s->direct = true;
		} else if (errno == EINVAL) {
			s->direct_off = true; /* tmpfs and others: through the page cache */
			unlink(s->tmp);       /* the file may have been made before the flag was refused */
		} else {
			return ATTT_E_IO;
		}
	}
	if (!s->direct && (s->fd = open(s->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0)
		return ATTT_E_IO;
	s->soff = 0;
	s->psize = 0;
	s->synced = 0;
	s->nents = 0;
	return ATTT_OK;
}

/* Queues f for the flushers (caller holds fmu). */
static void flush_push(struct save *s, struct flushjob *f)
{
	if (s->ftail)
		s->ftail->next = f;
	else
		s->fhead = f;
	s->ftail = f;
	pthread_cond_broadcast(&s->fcv);
}

/* A piece to fill: a free one, a new one, or the next a flusher frees (caller holds pmu; the
 * flushers never take it). */
static int stage_get(struct save *s)
{
	uint8_t *b = NULL;
	int rc = ATTT_OK;

	pthread_mutex_lock(&s->fmu);
	while (!s->nsfree && s->nstages >= STAGES)
		pthread_cond_wait(&s->fcv, &s->fmu);
	if (s->nsfree)
		b = s->sfree[--s->nsfree];
	else if (posix_memalign((void **)&b, DIO_ALIGN, STAGE) == 0)
		s->nstages++;
	else
		rc = ATTT_E_NOMEM;
	pthread_mutex_unlock(&s->fmu);
	s->stage = rc == 0 ? b : NULL;
	s->sfill = 0;
	return rc;
}

/* Hands the piece (len bytes, a whole number of blocks) to the flushers (caller holds pmu). */
static int stage_put(struct save *s, size_t len)
{
	struct flushjob *f = calloc(1, sizeof(*f));
	if (!f)
		return ATTT_E_NOMEM;
	f->fd = -1;
	f->buf = s->stage;
	f->len = len;
	f->off = s->soff;
	f->wfd = s->fd;
	s->soff += len;
	s->stage = NULL;
	s->sfill = 0;
	pthread_mutex_lock(&s->fmu);
	flush_push(s, f);
	pthread_mutex_unlock(&s->fmu);
	return ATTT_OK;
}

static int pack_write(struct save *s, const uint8_t *p, size_t n)
{
	int rc;
	while (s->direct && n > 0) {
		if (!s->stage && (rc = stage_get(s)) < 0)
			return rc;
		size_t m = STAGE - s->sfill < n ? STAGE - s->sfill : n;
		memcpy(s->stage + s->sfill, p, m);
		s->sfill += m;
		s->psize += m;
		p += m;
		n -= m;
		if (s->sfill == STAGE && (rc = stage_put(s, STAGE)) < 0)
			return rc;
	}
	while (n > 0) {
		ssize_t w = write(s->fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return ATTT_E_IO;
		p += w;
		n -= (size_t)w;
		s->psize += (size_t)w;
	}
	return ATTT_OK;
}

/* Appends a finished pack to the list the index will be written from (caller holds fmu, or no
 * thread runs yet). */
static int add_done(struct save *s, const uint8_t id[BK_ID], struct bk_blobent *ents, size_t n)
{
	if (s->ndone == s->capdone) {
		size_t cap = s->capdone ? s->capdone * 2 : 16;
		void *np = realloc(s->done, cap * sizeof(*s->done));
		if (!np)
			return ATTT_E_NOMEM;
		s->done = np;
		s->capdone = cap;
	}
	memcpy(s->done[s->ndone].id, id, BK_ID);
	s->done[s->ndone].blobs = ents;
	s->done[s->ndone].n = n;
	s->ndone++;
	return ATTT_OK;
}

/* Makes a finished pack durable under its name: fsync, rename, fsync of the directory. Runs on the
 * flusher threads, so that waiting for the disk overlaps with compressing and encrypting. One at a
 * time (cmu): a pack whose directory another flusher has just made must not be called durable
 * before that directory's own fsync. */
static int pack_commit(struct save *s, struct flushjob *f)
{
	char rel[128], dst[ATTT_MAX_PATH], dir[ATTT_MAX_PATH];
	int rc = ATTT_E_IO;

	if ((f->direct && ftruncate(f->fd, (off_t)f->size) < 0) || fsync(f->fd) < 0)
		goto out;
	close(f->fd);
	f->fd = -1;
	if (attt__bk_pack_rel(f->id, rel, sizeof(rel)) < 0 || attt__bk_path(s->r, rel, dst, sizeof(dst)) < 0)
		goto out;
	memcpy(dir, dst, sizeof(dir));
	*strrchr(dir, '/') = 0;
	if (mkdir(dir, 0700) == 0) {
		char parent[ATTT_MAX_PATH];
		if (attt__bk_path(s->r, "data", parent, sizeof(parent)) < 0 || attt__bk_fsync_dir(parent) < 0)
			goto out;
	} else if (errno != EEXIST) {
		goto out;
	}
	if (rename(f->tmp, dst) < 0 || attt__bk_fsync_dir(dir) < 0)
		goto out;
	f->tmp[0] = 0;
	rc = ATTT_OK;
out:
	return rc;
}

/* Writes a piece of a pack. A file system that takes O_DIRECT at open but refuses the write gets
 * it through the page cache instead. */
static int write_piece(const struct flushjob *f)
{
	bool retried = false;
	for (size_t done = 0; done < f->len;) {
		ssize_t w = pwrite(f->wfd, f->buf + done, f->len - done, (off_t)(f->off + done));
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EINVAL && !retried) {
			int fl = fcntl(f->wfd, F_GETFL);
			if (fl < 0 || fcntl(f->wfd, F_SETFL, fl & ~O_DIRECT) < 0)
				return ATTT_E_IO;
			retried = true;
			continue;
		}
		if (w <= 0)
			return ATTT_E_IO;
		done += (size_t)w;
	}
	return ATTT_OK;
}

/* True while a flusher other than me writes a piece of the pack open as fd (caller holds fmu). */
static bool piece_in_flight(const struct save *s, unsigned me, int fd)
{
	for (unsigned i = 0; i < FLUSHERS; i++)
		if (i != me && s->busy[i] == fd)
			return true;
	return false;
}

static void *flusher(void *arg)
{
	struct save *s = arg;
	unsigned me;

	pthread_mutex_lock(&s->fmu);
	me = s->nflushers++;
	pthread_mutex_unlock(&s->fmu);
	for (;;) {
		struct flushjob *f;
		int rc, err;
		pthread_mutex_lock(&s->fmu);
		while (!s->fhead && !s->fclosed)
			pthread_cond_wait(&s->fcv, &s->fmu);
		f = s->fhead;
		if (f) {
			s->fhead = f->next;
			if (!s->fhead)
				s->ftail = NULL;
			if (!f->buf)
				s->fn--;
			pthread_cond_broadcast(&s->fcv);
		}
		if (f && f->buf)
			s->busy[me] = f->wfd;
		/* A pack is made durable only after another flusher has written the pieces of it
		 * that it took: they were queued before this job, so none is still to be taken. */
		for (bool told = false; f && !f->buf && piece_in_flight(s, me, f->fd); told = true) {
			if (!told)
				crash_point(s, "commit-waits"); /* under fmu: the callback must not call back */
			pthread_cond_wait(&s->fcv, &s->fmu);
		}
		pthread_mutex_unlock(&s->fmu);
		if (!f)
			break;
		if (f->buf) {
			crash_point(s, "piece-write");
			pthread_mutex_lock(&s->fmu);
			err = s->ferr;
			pthread_mutex_unlock(&s->fmu);
			rc = err ? err : write_piece(f);
			pthread_mutex_lock(&s->fmu);
			s->busy[me] = -1;
			s->sfree[s->nsfree++] = f->buf;
			if (rc < 0 && !s->ferr)
				s->ferr = rc;
			pthread_cond_broadcast(&s->fcv);
			pthread_mutex_unlock(&s->fmu);
			free(f);
			continue;
		}
		/* Never takes pmu: writers hold it while they wait for room in this queue. */
		pthread_mutex_lock(&s->fmu);
		err = s->ferr;
		pthread_mutex_unlock(&s->fmu);
		pthread_mutex_lock(&s->cmu);
		rc = err ? err : pack_commit(s, f);
		pthread_mutex_unlock(&s->cmu);
		pthread_mutex_lock(&s->fmu);
		if (rc == 0)
			rc = add_done(s, f->id, f->ents, f->n);
		if (rc == 0) {
			f->ents = NULL;
			crash_point(s, "pack-written");
		} else if (!s->ferr) {
			s->ferr = rc;
		}
		pthread_mutex_unlock(&s->fmu);
		if (f->fd >= 0)
			close(f->fd);
		if (f->tmp[0])
			unlink(f->tmp);
		free(f->ents);
		free(f);
	}
	return NULL;
}

/* Seals the header of the current pack and hands the pack to the flushers (caller holds pmu). */
static int pack_finish(struct save *s)
{
	size_t hl = 4 + s->nents * BK_ENTRY_LEN;
	uint8_t *h = NULL, *sh = NULL, tail[12];
	struct flushjob *f = NULL;
	int rc;

	if (s->fd < 0)
		return ATTT_OK;
	h = malloc(hl);
	sh = malloc(hl + s->ov);
	f = calloc(1, sizeof(*f));
	if (!h || !sh || !f) {
		rc = ATTT_E_NOMEM;
		goto out;
	}
	attt__bk_put_u32(h, (uint32_t)s->nents);
	for (size_t i = 0; i < s->nents; i++) {
		uint8_t *e = h + 4 + i * BK_ENTRY_LEN;
		e[0] = s->ents[i].type;
		e[1] = s->ents[i].flags;
		attt__bk_put_u16(e + 2, 0);
		attt__bk_put_u32(e + 4, s->ents[i].raw_len);
		attt__bk_put_u32(e + 8, s->ents[i].stored_len);
		memcpy(e + 12, s->ents[i].id, BK_ID);
	}
	if ((rc = attt__bk_seal(&s->r->k, (const uint8_t *)BK_PACK_MAGIC, 8, h, hl, sh)) < 0 ||
	    (rc = pack_write(s, sh, hl + s->ov)) < 0)
		goto out;
	attt__bk_put_u32(tail, (uint32_t)(hl + s->ov));
	memcpy(tail + 4, BK_PACK_MAGIC, 8);
	if ((rc = pack_write(s, tail, sizeof(tail))) < 0)
		goto out;
	if (s->direct && s->stage) {
		size_t len = (s->sfill + DIO_ALIGN - 1) / DIO_ALIGN * DIO_ALIGN;
		memset(s->stage + s->sfill, 0, len - s->sfill); /* cut off again before the fsync */
		if ((rc = stage_put(s, len)) < 0)
			goto out;
	}
	f->direct = s->direct;
	f->size = s->psize;
	/* The pack's name covers its sealed header and trailer; every blob is authenticated on its own
	 * and the blobs fill the data region exactly, so every byte is covered. */
	attt__bk_id2(&s->r->k, sh, hl + s->ov, tail, sizeof(tail), f->id);
	f->fd = s->fd;
	memcpy(f->tmp, s->tmp, sizeof(f->tmp));
	f->ents = s->ents;
	f->n = s->nents;
	s->fd = -1;
	s->tmp[0] = 0;
	s->ents = NULL;
	s->nents = s->capents = 0;
	/* At most FLUSH_QUEUE packs wait for the disk: beyond that, writers wait too. */
	pthread_mutex_lock(&s->fmu);
	while (s->fn >= FLUSH_QUEUE)
		pthread_cond_wait(&s->fcv, &s->fmu);
	s->fn++;
	flush_push(s, f);
	pthread_mutex_unlock(&s->fmu);
	f = NULL;
	rc = ATTT_OK;
out:
	free(h);
	free(sh);
	free(f);
	return rc;
}

static int pack_add(struct save *s, const uint8_t id[BK_ID], uint8_t type, uint8_t flags, uint32_t raw_len,
		    const uint8_t *sealed, size_t n)
{
	int rc;
	if (s->fd < 0 && (rc = pack_open(s)) < 0)
		return rc;
	if (s->nents == s->capents) {
		size_t cap = s->capents ? s->capents * 2 : 64;
		void *np = realloc(s->ents, cap * sizeof(*s->ents));
		if (!np)
			return ATTT_E_NOMEM;
		s->ents = np;
		s->capents = cap;
	}
	struct bk_blobent *e = &s->ents[s->nents];
	e->type = type;
	e->flags = flags;
	e->raw_len = raw_len;
	e->stored_len = (uint32_t)n;
	e->offset = (uint32_t)s->psize;
	memcpy(e->id, id, BK_ID);
	if ((rc = pack_write(s, sealed, n)) < 0)
		return rc;
	s->nents++;
	if (!s->direct && s->psize - s->synced >= SYNC_RANGE) {
		sync_file_range(s->fd, (off_t)s->synced, (off_t)(s->psize - s->synced), SYNC_FILE_RANGE_WRITE);
		s->synced = s->psize;
	}
	s->st.bytes_stored += n;
	s->st.blobs_new++;
	if (s->psize >= s->r->pack_size || s->nents >= BK_MAX_PACK_BLOBS / 2)
		return pack_finish(s);
	return ATTT_OK;
}

/* ---- workers ---- */

static int wctx_init(struct wctx *w)
{
	memset(w, 0, sizeof(*w));
	/* zstd level 3; the frame carries an XXH64 of the plaintext, which restore checks after
	 * decompressing (docs/backup.md, "Why restore does not re-hash"). Level 3's match tables
	 * halved (hash 2^16, chain 2^15 entries, 384 KiB instead of 768): 3-14 % faster on every kind
	 * of file measured, 0.3-1 % larger on C headers, Perl and binaries, 0.4 % smaller on
	 * Vietnamese text, and still 1.4 % smaller than restic's repository of the same files
	 * (docs/performance.md, "zstd match tables"). zstd still shrinks them for small chunks. */
	w->cctx = ZSTD_createCCtx();
	if (!w->cctx || ZSTD_isError(ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_compressionLevel, 3)) ||
	    ZSTD_isError(ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_hashLog, 16)) ||
	    ZSTD_isError(ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_chainLog, 15)) ||
	    ZSTD_isError(ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_checksumFlag, 1)))
		return ATTT_E_NOMEM;
	return ATTT_OK;
}

static void wctx_done(struct wctx *w)
{
	free(w->sbuf);
	ZSTD_freeCCtx(w->cctx);
	memset(w, 0, sizeof(*w));
}

/* True if the repository or this save already has the blob; otherwise records it as pending, so
 * that a second copy hashed meanwhile by another thread is dropped. */
static int claim(struct save *s, const uint8_t id[BK_ID], uint8_t type, size_t len, bool *ret_have)
{
	struct bk_loc l = { .pack = BK_PENDING, .type = type, .raw_len = (uint32_t)len };
	int rc = ATTT_OK;

	memcpy(l.id, id, BK_ID);
	pthread_mutex_lock(&s->imu);
	*ret_have = attt__bk_idx_get(&s->r->idx, id) != NULL;
	if (!*ret_have)
		rc = attt__bk_idx_put(&s->r->idx, &l);
	pthread_mutex_unlock(&s->imu);
	return rc;
}

static int compress_seal(struct save *s, struct wctx *w, const struct job *j)
{
	size_t need = j->len + s->ov, nl = attt__bk_nonce_len(&s->r->k), plen = j->len, c;
	uint8_t flags = 0, ad[BK_ID + 1];
	int rc;

	if (!w->cctx)
		return ATTT_E_NOMEM;
	if (need > w->scap) {
		free(w->sbuf);
		w->sbuf = malloc(need);
		w->scap = w->sbuf ? need : 0;
		if (!w->sbuf)
			return ATTT_E_NOMEM;
	}
	memcpy(ad, j->id, BK_ID);
	ad[BK_ID] = j->type;
	/* Compressed straight to where the ciphertext goes and sealed in place: one buffer per thread.
	 * Output that would not be smaller than the chunk does not fit, and the chunk is sealed as
	 * it is, as is a chunk of random-looking bytes without trying. */
	c = j->len;
	if (!attt__bk_looks_random(j->data, j->len))
		c = ZSTD_compress2(w->cctx, w->sbuf + nl, j->len, j->data, j->len);
	if (!ZSTD_isError(c) && c < j->len) {
		plen = c;
		flags = BK_ZSTD;
		rc = attt__bk_seal(&s->r->k, ad, sizeof(ad), w->sbuf + nl, c, w->sbuf);
	} else {
		rc = attt__bk_seal(&s->r->k, ad, sizeof(ad), j->data, j->len, w->sbuf);
	}
	if (rc < 0)
		return rc;
	pthread_mutex_lock(&s->pmu);
	rc = s->err;
	if (rc == 0) {
		s->st.bytes_new += j->len;
		s->pg.bytes_new += j->len;
		rc = pack_add(s, j->id, j->type, flags, (uint32_t)j->len, w->sbuf, plen + s->ov);
	}
	pthread_mutex_unlock(&s->pmu);
	return rc;
}

/* Drops a reference to b (caller holds qmu). */
static void blk_put(struct save *s, struct rblock *b)
{
	if (--b->refs == 0) {
		b->next = s->bfree;
		s->bfree = b;
		pthread_cond_broadcast(&s->qdone);
	}
}

/* Hashes the chunk if its id is not known yet (the id goes to the file's list), drops it if the
 * repository has it, else compresses, encrypts and appends it to the pack. Frees the job. */
static void run_job(struct save *s, struct wctx *w, struct job *j)
{
	bool have = false;
	int rc = ATTT_OK;

	if (j->slot) {
		attt__bk_id(&s->r->k, j->data, j->len, j->id);
		memcpy(j->slot, j->id, BK_ID);
		rc = claim(s, j->id, j->type, j->len, &have);
	}
	if (rc == 0 && !have)
		rc = compress_seal(s, w, j);
	if (rc < 0)
		set_err(s, rc);
	pthread_mutex_lock(&s->qmu);
	if (j->pd && --j->pd->n == 0)
		pthread_cond_broadcast(&s->qdone);
	if (j->blk)
		blk_put(s, j->blk);
	pthread_mutex_unlock(&s->qmu);
	if (!j->blk)
		free(j->data);
	free(j);
}

/* Takes the next job off the queue (caller holds qmu), or NULL. */
static struct job *take(struct save *s)
{
	struct job *j = s->head;
	if (j) {
		s->head = j->next;
		if (!s->head)
			s->tail = NULL;
		s->qn--;
	}
	return j;
}

static void *worker(void *arg)
{
	struct save *s = arg;
	struct wctx w;

	if (wctx_init(&w) < 0)
		set_err(s, ATTT_E_NOMEM);
	for (;;) {
		struct job *j;
		pthread_mutex_lock(&s->qmu);
		while (!s->head && !s->closed)
			pthread_cond_wait(&s->qnonempty, &s->qmu);
		j = take(s);
		pthread_mutex_unlock(&s->qmu);
		if (!j)
			break;
		run_job(s, &w, j);
	}
	wctx_done(&w);
	return NULL;
}

/* The reader, instead of sleeping, runs the oldest queued job itself (caller holds qmu, which is
 * let go meanwhile); with nothing queued it waits for a job to finish. Returns after either. */
static void help_or_wait(struct save *s)
{
	struct job *j = take(s);
	if (!j) {
		pthread_cond_wait(&s->qdone, &s->qmu);
		return;
	}
	pthread_mutex_unlock(&s->qmu);
	if (!s->rw.cctx && wctx_init(&s->rw) < 0)
		set_err(s, ATTT_E_NOMEM);
	run_job(s, &s->rw, j);
	pthread_mutex_lock(&s->qmu);
}

/* Waits until every chunk counted in pd has its id, working off the queue meanwhile. */
static void pend_wait(struct save *s, struct pend *pd)
{
	pthread_mutex_lock(&s->qmu);
	while (pd->n > 0)
		help_or_wait(s);
	pthread_mutex_unlock(&s->qmu);
}

/* A free read block for the reader, holding the reader's reference. At most maxblocks exist:
 * beyond that the reader works off the queue until one is free. */
static int blk_get(struct save *s, struct rblock **ret)
{
	struct rblock *b = NULL;
	pthread_mutex_lock(&s->qmu);
	while (!s->bfree && s->nblocks >= s->maxblocks)
		help_or_wait(s);
	if (s->bfree) {
		b = s->bfree;
		s->bfree = b->next;
	} else if ((b = calloc(1, sizeof(*b))) && !(b->p = malloc(s->rcap))) {
		free(b);
		b = NULL;
	} else if (b) {
		s->nblocks++;
	}
	if (b)
		b->refs = 1;
	pthread_mutex_unlock(&s->qmu);
	*ret = b;
	return b ? ATTT_OK : ATTT_E_NOMEM;
}

static int save_error(struct save *s)
{
	int rc;
	pthread_mutex_lock(&s->pmu);
	rc = s->err;
	pthread_mutex_unlock(&s->pmu);
	if (rc == 0) {
		pthread_mutex_lock(&s->fmu);
		rc = s->ferr;
		pthread_mutex_unlock(&s->fmu);
	}
	return rc;
}

/* Queues a blob: data in blk (referenced, not copied), or a copy of data without blk. With slot, a
 * worker computes its id into slot and drops the blob if the repository has it; without, id is
 * given and the blob is dropped here if known. */
static int submit(struct save *s, const uint8_t id[BK_ID], uint8_t *slot, struct pend *pd, uint8_t type,
		  struct rblock *blk, const uint8_t *data, size_t len)
{
	struct job *j;
	int rc;

	if ((rc = save_error(s)) < 0)
		return rc;
	if (!slot) {
		bool have;
		if ((rc = claim(s, id, type, len, &have)) < 0 || have)
			return rc;
	}
	j = calloc(1, sizeof(*j));
	if (!j || (!blk && !(j->data = malloc(len ? len : 1)))) {
		free(j);
		return ATTT_E_NOMEM;
	}
	if (!slot)
		memcpy(j->id, id, BK_ID);
	j->slot = slot;
	j->pd = pd;
	j->type = type;
	j->blk = blk;
	if (blk)
		j->data = (uint8_t *)data;
	else
		memcpy(j->data, data, len);
	j->len = len;
	pthread_mutex_lock(&s->qmu);
	/* A full queue means the workers are behind: the reader takes the oldest job itself rather
	 * than sleep, so that no core idles while it waits to be woken. */
	while (s->qn >= s->qcap)
		help_or_wait(s);
	if (s->tail)
		s->tail->next = j;
	else
		s->head = j;
	s->tail = j;
	s->qn++;
	if (pd)
		pd->n++;
	if (blk)
		blk->refs++;
	pthread_cond_signal(&s->qnonempty);
	pthread_mutex_unlock(&s->qmu);
	return ATTT_OK;
}

/* ---- the walk ---- */

/* A tree of the parent snapshot. Loading it looks blobs up in the index, which workers extend (and
 * reallocate) meanwhile. */
static int load_tree(struct save *s, const uint8_t id[BK_ID], struct bk_tree *ret)
{
	pthread_mutex_lock(&s->imu);
	int rc = attt__bk_load_tree(s->r, id, ret);
	pthread_mutex_unlock(&s->imu);
	return rc;
}

/* Room for the ids of a file's chunks. Workers write into it while the file is read, so it only
 * grows (a file that grew since stat) once they are done with it. */
static int reserve_ids(struct save *s, struct bk_node *nd, struct pend *pd, size_t *cap, size_t need)
{
	if (need <= *cap)
		return ATTT_OK;
	if (nd->n_chunks)
		pend_wait(s, pd);
	size_t ncap = *cap * 2 > need ? *cap * 2 : need;
	void *np = realloc(nd->chunks, ncap * BK_ID);
	if (!np)
		return ATTT_E_NOMEM;
	nd->chunks = np;
	*cap = ncap;
	return ATTT_OK;
}

static int save_file(struct save *s, int dirfd, const char *name, const char *path, uint64_t size_hint,
		     struct bk_node *nd, struct pend *pd)
{
	const struct bk_keys *k = &s->r->k;
	size_t start = s->fill, end = s->fill, cap = 0, c = 0;
	bool eof = false;
	uint64_t total = 0;
	int fd, rc = ATTT_OK;

	fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOATIME);
	if (fd < 0 && errno == EPERM)
		fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return ATTT_E_IO;
	/* Room for the chunks the size allows, up to 65 536 (2 MiB of ids): a huge or sparse file's
	 * list grows as it is read instead of being reserved whole. */
	if ((rc = reserve_ids(s, nd, pd, &cap, size_hint / k->cmin < 65534 ? (size_t)(size_hint / k->cmin) + 2 : 65536)) < 0)
		goto out;
	for (;;) {
		bool found = false;
		while (!eof && end - start < k->cmax) {
			if (end == s->rcap) {
				/* The block is full. A cut point in what it holds is final (it depends
				 * only on the bytes before it); else the unfinished chunk moves to a
				 * fresh block, the only bytes ever copied. */
				c = attt__bk_cut(s->r->gear, s->cur->p + start, end - start, k->cmin, k->cavg, k->cmax);
				if (start < end && c < end - start) {
					found = true;
					break;
				}
				struct rblock *nb;
				if ((rc = blk_get(s, &nb)) < 0)
					goto out;
				memcpy(nb->p, s->cur->p + start, end - start);
				pthread_mutex_lock(&s->qmu);
				blk_put(s, s->cur);
				pthread_mutex_unlock(&s->qmu);
				s->cur = nb;
				end -= start;
				start = 0;
			}
			ssize_t n = read(fd, s->cur->p + end, s->rcap - end);
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0) {
				rc = ATTT_E_IO;
				goto out;
			}
			if (n == 0)
				eof = true;
			end += (size_t)n;
		}
		if (start == end)
			break;
		if (!found)
			c = attt__bk_cut(s->r->gear, s->cur->p + start, end - start, k->cmin, k->cavg, k->cmax);
		if ((rc = reserve_ids(s, nd, pd, &cap, (size_t)nd->n_chunks + 1)) < 0 ||
		    (rc = submit(s, NULL, nd->chunks + (size_t)nd->n_chunks * BK_ID, pd, BK_DATA, s->cur,
				 s->cur->p + start, c)) < 0)
			goto out;
		nd->n_chunks++;
		start += c;
		total += c;
		s->pg.bytes += c;
	}
	nd->size = total;
	s->st.bytes += total;
out:
	s->fill = end; /* the next file goes on in the same block */
	if (rc < 0) {
		log_debug("backup: cannot read %s: %s", path, strerror(errno));
		pend_wait(s, pd); /* the caller frees nd */
	}
	close(fd);
	return rc;
}

static int save_tree_blob(struct save *s, const struct bk_tree *t, uint8_t ret_id[BK_ID])
{
	uint8_t *p = NULL;
	size_t n;
	int rc = attt__bk_tree_encode(t, &p, &n);
	if (rc < 0)
		return rc;
	attt__bk_id(&s->r->k, p, n, ret_id);
	rc = submit(s, ret_id, NULL, NULL, BK_TREE, NULL, p, n);
	free(p);
	return rc;
}

static bool excluded(const struct save *s, const char *path, const char *name)
{
	for (size_t i = 0; i < s->o->n_excludes; i++)
		if (fnmatch(s->o->excludes[i], path, 0) == 0 || fnmatch(s->o->excludes[i], name, 0) == 0)
			return true;
	return false;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int save_dir(struct save *s, int fd, const char *path, unsigned depth, const uint8_t *parent,
		    uint8_t ret_id[BK_ID]);

/* The node of the parent snapshot's tree with the same name, if any (names are sorted). */
static const struct bk_node *parent_node(const struct bk_tree *pt, const char *name)
{
	size_t lo = 0, hi = pt ? pt->n : 0, n = strlen(name);
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		const struct bk_node *nd = &pt->nodes[mid];
		size_t m = nd->name_len < n ? nd->name_len : n;
		int c = memcmp(nd->name, name, m);
		if (!c)
			c = nd->name_len < n ? -1 : nd->name_len > n ? 1 : 0;
		if (!c)
			return nd;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* True if the file is unchanged since the parent snapshot and all its chunks are stored. */
static bool unchanged(struct save *s, const struct bk_node *p, const struct stat *st)
{
	if (!p || p->kind != ATTT_BACKUP_FILE || p->size != (uint64_t)st->st_size || p->ino != st->st_ino ||
	    p->mtime_sec != st->st_mtim.tv_sec || p->mtime_nsec != (uint32_t)st->st_mtim.tv_nsec ||
	    p->ctime_sec != st->st_ctim.tv_sec || p->ctime_nsec != (uint32_t)st->st_ctim.tv_nsec)
		return false;
	bool all = true;
	pthread_mutex_lock(&s->imu);
	for (uint32_t i = 0; i < p->n_chunks && all; i++)
		all = attt__bk_idx_get(&s->r->idx, p->chunks + (size_t)i * BK_ID) != NULL;
	pthread_mutex_unlock(&s->imu);
	return all;
}

/* Fills nd for the object name in dirfd (path for messages). Returns 1 to skip it. */
static int save_node(struct save *s, int dirfd, const char *name, const char *path, unsigned depth,
		     const struct bk_tree *pt, struct bk_node *nd, struct pend *pd)
{
	struct stat st;
	int rc;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		log_warn("backup: cannot stat %s: %s; left out of the snapshot / bỏ qua", path, strerror(errno));
		s->st.errors++;
		return 1;
	}
	nd->name_len = (uint16_t)strlen(name);
	nd->name = malloc(nd->name_len ? nd->name_len : 1);
	if (!nd->name)
		return ATTT_E_NOMEM;
	memcpy(nd->name, name, nd->name_len);
	nd->mode = st.st_mode & 07777;
	nd->uid = st.st_uid;
	nd->gid = st.st_gid;
	nd->nlink = (uint32_t)st.st_nlink;
	nd->mtime_sec = st.st_mtim.tv_sec;
	nd->mtime_nsec = (uint32_t)st.st_mtim.tv_nsec;
	nd->atime_sec = st.st_atim.tv_sec;
	nd->atime_nsec = (uint32_t)st.st_atim.tv_nsec;
	nd->ino = st.st_ino;
	nd->ctime_sec = st.st_ctim.tv_sec;
	nd->ctime_nsec = (uint32_t)st.st_ctim.tv_nsec;
	const struct bk_node *pn = parent_node(pt, name);
	if (S_ISDIR(st.st_mode)) {
		int cfd;
		nd->kind = ATTT_BACKUP_DIR;
		if (st.st_dev == s->repo_dev && st.st_ino == s->repo_ino) {
			/* A repository inside what it backs up would store itself, growing each run. */
			log_warn("backup: %s is this backup's repository; left out of the snapshot / kho sao lưu, bỏ qua",
				 path);
			return 1;
		}
		s->st.dirs++;
		if (s->o->one_file_system && st.st_dev != s->root_dev) {
			struct bk_tree empty = { 0 };
			return save_tree_blob(s, &empty, nd->subtree);
		}
		cfd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW | O_NOATIME);
		if (cfd < 0 && errno == EPERM)
			cfd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
		if (cfd < 0) {
			log_warn("backup: cannot open the directory %s: %s; left out of the snapshot / bỏ qua", path,
				 strerror(errno));
			s->st.errors++;
			return 1;
		}
		if (depth >= BK_MAX_DEPTH) {
			close(cfd);
			return ATTT_E_TOOBIG;
		}
		return save_dir(s, cfd, path, depth + 1, pn && pn->kind == ATTT_BACKUP_DIR ? pn->subtree : NULL,
				nd->subtree);
	}
	if (S_ISREG(st.st_mode)) {
		nd->kind = ATTT_BACKUP_FILE;
		if (st.st_blocks * 512 < st.st_size)
			nd->flags |= BK_SPARSE; /* holes are recreated on restore */
		s->st.files++;
		if (st.st_nlink > 1) {
			for (size_t i = 0; i < s->nlinks; i++)
				if (s->links[i].dev == st.st_dev && s->links[i].ino == st.st_ino) {
					struct hardlink *h = &s->links[i];
					nd->link_group = h->group;
					nd->size = h->size;
					nd->n_chunks = h->n_chunks;
					if (h->n_chunks) {
						nd->chunks = malloc((size_t)h->n_chunks * BK_ID);
						if (!nd->chunks)
							return ATTT_E_NOMEM;
						memcpy(nd->chunks, h->chunks, (size_t)h->n_chunks * BK_ID);
					}
					return ATTT_OK;
				}
		}
		if (unchanged(s, pn, &st)) {
			nd->size = pn->size;
			nd->n_chunks = pn->n_chunks;
			if (pn->n_chunks) {
				nd->chunks = malloc((size_t)pn->n_chunks * BK_ID);
				if (!nd->chunks)
					return ATTT_E_NOMEM;
				memcpy(nd->chunks, pn->chunks, (size_t)pn->n_chunks * BK_ID);
			}
			s->st.bytes += nd->size;
			s->pg.bytes += nd->size;
			rc = ATTT_OK;
		} else {
			rc = save_file(s, dirfd, name, path, (uint64_t)st.st_size, nd, pd);
		}
		/* A file that cannot be read is skipped; a failing pipeline (a pack that cannot be
		 * written) fails the save. */
		if (rc == ATTT_E_IO && save_error(s) == 0) {
			log_warn("backup: cannot read %s; left out of the snapshot / bỏ qua", path);
			s->st.errors++;
			s->st.files--;
			return 1;
		}
		if (rc < 0)
			return rc;
		s->pg.files++;
		if (s->o->progress) {
			struct attt_backup_progress pg;
			pthread_mutex_lock(&s->pmu);
			pg = s->pg;
			pthread_mutex_unlock(&s->pmu);
			s->o->progress(s->o->progress_ctx, &pg);
		}
		if (st.st_nlink > 1) {
			pend_wait(s, pd); /* the other links copy the ids */
			void *np = realloc(s->links, (s->nlinks + 1) * sizeof(*s->links));
			if (!np)
				return ATTT_E_NOMEM;
			s->links = np;
			struct hardlink *h = &s->links[s->nlinks++];
			h->dev = st.st_dev;
			h->ino = st.st_ino;
			h->group = s->nlinks;
			h->size = nd->size;
			h->n_chunks = nd->n_chunks;
			h->chunks = NULL;
			if (nd->n_chunks) {
				h->chunks = malloc((size_t)nd->n_chunks * BK_ID);
				if (!h->chunks)
					return ATTT_E_NOMEM;
				memcpy(h->chunks, nd->chunks, (size_t)nd->n_chunks * BK_ID);
			}
			nd->link_group = h->group;
		}
		return ATTT_OK;
	}
	s->st.others++;
	if (S_ISLNK(st.st_mode)) {
		char buf[BK_MAX_NAME + 1];
		ssize_t n = readlinkat(dirfd, name, buf, sizeof(buf));
		if (n <= 0 || n > BK_MAX_NAME) {
			log_warn("backup: cannot read the link %s; left out of the snapshot / bỏ qua", path);
			s->st.errors++;
			return 1;
		}
		nd->kind = ATTT_BACKUP_SYMLINK;
		nd->target = malloc((size_t)n);
		if (!nd->target)
			return ATTT_E_NOMEM;
		memcpy(nd->target, buf, (size_t)n);
		nd->target_len = (uint16_t)n;
		nd->size = (uint64_t)n;
		return ATTT_OK;
	}
	nd->rdev = st.st_rdev;
	nd->kind = S_ISCHR(st.st_mode) ? ATTT_BACKUP_CHR : S_ISBLK(st.st_mode) ? ATTT_BACKUP_BLK
		   : S_ISFIFO(st.st_mode) ? ATTT_BACKUP_FIFO : ATTT_BACKUP_SOCK;
	return ATTT_OK;
}

/* Saves the directory open as fd (closed here) and returns its tree id. */
static int save_dir(struct save *s, int fd, const char *path, unsigned depth, const uint8_t *parent,
		    uint8_t ret_id[BK_ID])
{
	struct bk_tree pt = { 0 };
	DIR *d = fdopendir(fd);
	struct dirent *de;
	char **names = NULL, child[ATTT_MAX_PATH];
	size_t n = 0, cap = 0;
	struct bk_tree t = { 0 };
	struct pend pd = { 0 };
	int rc = ATTT_OK;

	if (!d) {
		close(fd);
		return ATTT_E_IO;
	}
	while ((de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (strlen(de->d_name) > UINT16_MAX)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 32;
			void *np = realloc(names, cap * sizeof(*names));
			if (!np) {
				rc = ATTT_E_NOMEM;
				goto out;
			}
			names = np;
		}
		if (!(names[n] = strdup(de->d_name))) {
			rc = ATTT_E_NOMEM;
			goto out;
		}
		n++;
	}
	/* A damaged or missing parent tree only means reading everything. */
	if (parent && load_tree(s, parent, &pt) < 0)
		memset(&pt, 0, sizeof(pt));
	/* Byte order of names, as the tree format requires. */
	if (n > 1)
		qsort(names, n, sizeof(*names), cmp_name);
	t.nodes = calloc(n ? n : 1, sizeof(*t.nodes));
	if (!t.nodes) {
		rc = ATTT_E_NOMEM;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		if (attt_str_printf(child, sizeof(child), "%s/%s", path, names[i]) < 0) {
			log_warn("backup: a path under %s is too long; left out of the snapshot / bỏ qua", path);
			s->st.errors++;
			continue;
		}
		if (excluded(s, child, names[i]))
			continue;
		rc = save_node(s, dirfd(d), names[i], child, depth, &pt, &t.nodes[t.n], &pd);
		if (rc < 0) {
			pend_wait(s, &pd);
			attt__bk_node_done(&t.nodes[t.n]); /* not counted in t.n */
			goto out;
		}
		if (rc == 1) {
			attt__bk_node_done(&t.nodes[t.n]);
			rc = ATTT_OK;
			continue;
		}
		t.n++;
	}
	pend_wait(s, &pd);
	rc = save_tree_blob(s, &t, ret_id);
out:
	pend_wait(s, &pd); /* workers write into t until then */
	attt__bk_tree_done(&t);
	attt__bk_tree_done(&pt);
	attt__bk_strv_free(names, n);
	closedir(d);
	return rc;
}

static int cmp_node(const void *a, const void *b)
{
	const struct bk_node *x = a, *y = b;
	size_t m = x->name_len < y->name_len ? x->name_len : y->name_len;
	int c = memcmp(x->name, y->name, m);
	return c ? c : (int)x->name_len - (int)y->name_len;
}

/* The root tree holds one entry per path argument, named by its last component. */
static int save_roots(struct save *s, const uint8_t *parent, uint8_t ret_id[BK_ID])
{
	struct bk_tree t = { 0 }, pt = { 0 };
	struct pend pd = { 0 };
	int rc = ATTT_OK;

	if (parent && load_tree(s, parent, &pt) < 0)
		memset(&pt, 0, sizeof(pt));

	t.nodes = calloc(s->o->n_paths ? s->o->n_paths : 1, sizeof(*t.nodes));
	if (!t.nodes)
		return ATTT_E_NOMEM;
	for (size_t i = 0; i < s->o->n_paths; i++) {
		char abs[ATTT_MAX_PATH], *slash, *base;
		struct stat st;
		int dfd;
		if (!realpath(s->o->paths[i], abs)) {
			log_debug("backup: %s: %s", s->o->paths[i], strerror(errno));
			rc = ATTT_E_NOTFOUND;
			goto out;
		}
		slash = strrchr(abs, '/');
		if (!slash || !slash[1]) {
			/* "/" has no name to store it under in the root tree. */
			log_warn("backup: / cannot be saved as one path; name its directories (/etc /home /srv ...) "
				 "/ hãy nêu các thư mục của nó");
			rc = ATTT_E_INVAL;
			goto out;
		}
		base = slash + 1;
		*slash = 0;
		dfd = open(abs[0] ? abs : "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		*slash = '/';
		if (dfd < 0) {
			rc = ATTT_E_IO;
			goto out;
		}
		if (fstatat(dfd, base, &st, AT_SYMLINK_NOFOLLOW) == 0)
			s->root_dev = st.st_dev;
		rc = save_node(s, dfd, base, abs, 0, &pt, &t.nodes[t.n], &pd);
		close(dfd);
		if (rc < 0) {
			pend_wait(s, &pd);
			attt__bk_node_done(&t.nodes[t.n]); /* not counted in t.n */
			goto out;
		}
		if (rc == 1) {
			attt__bk_node_done(&t.nodes[t.n]);
			rc = ATTT_E_IO;
			goto out;
		}
		t.n++;
	}
	if (t.n > 1)
		qsort(t.nodes, t.n, sizeof(*t.nodes), cmp_node);
	for (size_t i = 1; i < t.n; i++)
		if (cmp_node(&t.nodes[i - 1], &t.nodes[i]) == 0) {
			rc = ATTT_E_CONFLICT; /* two paths with the same last component */
			goto out;
		}
	pend_wait(s, &pd);
	rc = save_tree_blob(s, &t, ret_id);
out:
	pend_wait(s, &pd);
	attt__bk_tree_done(&t);
	attt__bk_tree_done(&pt);
	return rc;
}

/* Packs left by an interrupted save (written, but in no index) are adopted into this save's index. */
struct adopt { struct save *s; };

static int adopt_pack(void *ctx, const char *rel, const uint8_t id[BK_ID])
{
	struct save *s = ctx;
	static const uint8_t zero[BK_ID];
	char path[ATTT_MAX_PATH];
	struct bk_blobent *b = NULL;
	size_t n = 0;
	uint8_t name[BK_ID];
	uint32_t no;
	int rc;

	if (memcmp(id, zero, BK_ID) == 0)
		return ATTT_OK;
	for (size_t i = 0; i < s->r->idx.n_packs; i++)
		if (memcmp(s->r->idx.packs[i], id, BK_ID) == 0)
			return ATTT_OK;
	if (attt__bk_path(s->r, rel, path, sizeof(path)) < 0 || attt__bk_read_pack_header(s->r, path, &b, &n, name) < 0 ||
	    memcmp(name, id, BK_ID) != 0) {
		log_debug("backup: %s is damaged, not reused", rel);
		free(b);
		return ATTT_OK;
	}
	if ((rc = add_done(s, id, b, n)) < 0) {
		free(b);
		return rc;
	}
	if ((rc = attt__bk_idx_add_pack(&s->r->idx, id, &no)) < 0)
		return rc;
	for (size_t i = 0; i < n; i++) {
		struct bk_loc l = { .pack = no, .offset = b[i].offset, .raw_len = b[i].raw_len,
				    .stored_len = b[i].stored_len, .type = b[i].type, .flags = b[i].flags };
		memcpy(l.id, b[i].id, BK_ID);
		if ((rc = attt__bk_idx_put(&s->r->idx, &l)) < 0)
			return rc;
	}
	return ATTT_OK;
}

int attt_backup_save(struct attt_backup_repo *r, const struct attt_backup_save_opts *o,
		     struct attt_backup_stats *ret_stats, char ret_id[ATTT_BACKUP_ID_HEX])
{
	struct save s = { 0 };
	pthread_t th[8], fth[FLUSHERS];
	unsigned flushers = 0;
	unsigned nw = o->workers, started = 0;
	size_t first_new;
	uint8_t root[BK_ID];
	struct bk_snap snap = { 0 };
	char host[256] = "", name[ATTT_BACKUP_ID_HEX];
	const struct attt_clock *clk = o->clock ? o->clock : &attt_clock_system;
	struct passwd *pw;
	char **abs_paths = NULL;
	struct attt_backup_snapshot *snaps = NULL;
	size_t n_snaps = 0;
	uint8_t parent_tree[BK_ID];
	bool have_parent = false;
	int rc;

	if (!o->n_paths)
		return ATTT_E_INVAL;
	/* The reader compresses too when the workers are behind, so one worker per core but one keeps
	 * every core busy without a thread waiting to be scheduled (docs/performance.md, Backup). */
	if (!nw) {
		long cpus = sysconf(_SC_NPROCESSORS_ONLN);
		nw = cpus > 2 ? (unsigned)(cpus - 1) : 1;
	}
	if (nw > 8)
		nw = 8;
	s.r = r;
	{
		struct stat rst;
		if (stat(r->dir, &rst) == 0) {
			s.repo_dev = rst.st_dev;
			s.repo_ino = rst.st_ino;
		}
	}
	s.o = o;
	s.ov = attt__bk_overhead(&r->k);
	s.fd = -1;
	s.qcap = (size_t)nw * 4;
	s.maxblocks = (size_t)nw + 2;
	s.rcap = (size_t)r->k.cmax * 2;
	pthread_mutex_init(&s.qmu, NULL);
	pthread_mutex_init(&s.pmu, NULL);
	pthread_cond_init(&s.qnonempty, NULL);
	pthread_cond_init(&s.qdone, NULL);
	pthread_mutex_init(&s.imu, NULL);
	pthread_mutex_init(&s.fmu, NULL);
	pthread_mutex_init(&s.cmu, NULL);
	pthread_cond_init(&s.fcv, NULL);
	if ((rc = attt__bk_lock(r, false)) < 0)
		goto out;
	/* O_DIRECT only on local disk file systems: over NFS or SMB a NAS would see one synchronous
	 * 1 MiB write at a time instead of the page cache's pipelined writeback. */
	{
		char data[ATTT_MAX_PATH];
		struct statfs sf;
		s.direct_off = attt__bk_path(r, "data", data, sizeof(data)) < 0 || statfs(data, &sf) < 0 ||
			       (sf.f_type != EXT4_SUPER_MAGIC && sf.f_type != XFS_SUPER_MAGIC &&
				sf.f_type != BTRFS_SUPER_MAGIC);
	}
	if ((rc = attt__bk_load_index(r)) < 0 || (rc = attt__bk_each_pack(r, adopt_pack, &s)) < 0)
		goto out;
	first_new = s.ndone;
	/* Absolute paths name the snapshot; the newest snapshot of the same paths from this host is the
	 * parent whose unchanged files (size, mtime, ctime, inode) are not read again. */
	abs_paths = calloc(o->n_paths, sizeof(*abs_paths));
	if (!abs_paths) {
		rc = ATTT_E_NOMEM;
		goto out;
	}
	for (size_t i = 0; i < o->n_paths; i++)
		if (!(abs_paths[i] = realpath(o->paths[i], NULL))) {
			rc = ATTT_E_NOTFOUND;
			goto out;
		}
	gethostname(host, sizeof(host) - 1);
	if (attt_backup_snapshots(r, &snaps, &n_snaps) == 0) {
		const char *hn = o->hostname ? o->hostname : host;
		for (size_t i = n_snaps; i-- > 0 && !have_parent;) {
			bool same = snaps[i].n_paths == o->n_paths && strcmp(snaps[i].hostname, hn) == 0;
			for (size_t k = 0; same && k < o->n_paths; k++)
				same = strcmp(snaps[i].paths[k], abs_paths[k]) == 0;
			if (same && attt__bk_unhex(snaps[i].tree, parent_tree, BK_ID) == 0 &&
			    attt__bk_unhex(snaps[i].id, snap.parent, BK_ID) == 0)
				have_parent = true;
		}
	}
	if ((rc = blk_get(&s, &s.cur)) < 0)
		goto out;
	for (unsigned i = 0; i < FLUSHERS; i++)
		s.busy[i] = -1;
	for (; flushers < FLUSHERS; flushers++)
		if (pthread_create(&fth[flushers], NULL, flusher, &s) != 0)
			break;
	if (!flushers) {
		rc = ATTT_E_NOMEM;
		goto out;
	}
	for (; started < nw; started++)
		if (pthread_create(&th[started], NULL, worker, &s) != 0) {
			rc = ATTT_E_NOMEM;
			break;
		}
	if (started)
		rc = save_roots(&s, have_parent ? parent_tree : NULL, root);
	pthread_mutex_lock(&s.qmu);
	s.closed = true;
	pthread_cond_broadcast(&s.qnonempty);
	pthread_mutex_unlock(&s.qmu);
	for (unsigned i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	pthread_mutex_lock(&s.pmu);
	if (rc == 0)
		rc = s.err;
	if (rc == 0)
		rc = pack_finish(&s);
	if (rc < 0 && !s.err)
		s.err = rc;
	pthread_mutex_unlock(&s.pmu);
	pthread_mutex_lock(&s.fmu);
	s.fclosed = true;
	pthread_cond_broadcast(&s.fcv);
	pthread_mutex_unlock(&s.fmu);
	for (; flushers > 0; flushers--)
		pthread_join(fth[flushers - 1], NULL);
	if (rc == 0)
		rc = s.err ? s.err : s.ferr;
	if (rc < 0)
		goto out;
	/* Locations of the new blobs replace the pending entries. */
	for (size_t i = first_new; i < s.ndone && rc == 0; i++) {
		uint32_t no;
		if ((rc = attt__bk_idx_add_pack(&r->idx, s.done[i].id, &no)) < 0)
			break;
		for (size_t j = 0; j < s.done[i].n && rc == 0; j++) {
			const struct bk_blobent *b = &s.done[i].blobs[j];
			struct bk_loc l = { .pack = no, .offset = b->offset, .raw_len = b->raw_len,
					    .stored_len = b->stored_len, .type = b->type, .flags = b->flags };
			memcpy(l.id, b->id, BK_ID);
			rc = attt__bk_idx_put(&r->idx, &l);
		}
	}
	if (rc < 0)
		goto out;
	if (s.ndone) {
		char iname[ATTT_BACKUP_ID_HEX];
		if ((rc = attt__bk_write_index(r, s.done, s.ndone, iname, sizeof(iname))) < 0)
			goto out;
		crash_point(&s, "index-written");
	}
	pw = getpwuid(geteuid());
	snap.time_us = attt_now_us(clk);
	memcpy(snap.tree, root, BK_ID);
	snap.hostname = (char *)(o->hostname ? o->hostname : host);
	snap.username = pw ? pw->pw_name : (char *)"";
	snap.paths = abs_paths;
	snap.n_paths = o->n_paths;
	snap.tags = (char **)o->tags;
	snap.n_tags = o->n_tags;
	snap.stats = s.st;
	/* R10.1.a: the snapshot is signed with the repository's Ed25519 key. */
	if ((rc = attt__bk_write_snapshot(r, &snap, name)) < 0)
		goto out;
	crash_point(&s, "snapshot-written");
	if (ret_id)
		memcpy(ret_id, name, sizeof(name));
	if (ret_stats)
		*ret_stats = s.st;
out:
	if (flushers) {
		pthread_mutex_lock(&s.fmu);
		s.fclosed = true;
		pthread_cond_broadcast(&s.fcv);
		pthread_mutex_unlock(&s.fmu);
		for (; flushers > 0; flushers--)
			pthread_join(fth[flushers - 1], NULL);
	}
	if (s.fd >= 0)
		close(s.fd);
	if (s.tmp[0])
		unlink(s.tmp);
	free(s.stage);
	for (size_t i = 0; i < s.nsfree; i++)
		free(s.sfree[i]);
	if (rc < 0) {
		/* Pending entries must not make a later save believe unwritten blobs exist. */
		attt__bk_idx_done(&r->idx);
		attt__bk_strv_free(r->idx_files, r->n_idx_files);
		r->idx_files = NULL;
		r->n_idx_files = 0;
		r->idx_loaded = false;
	}
	attt__bk_unlock(r);
	attt__bk_packinfos_free(s.done, s.ndone);
	free(s.ents);
	while (s.head) {
		struct job *j = s.head;
		s.head = j->next;
		if (!j->blk)
			free(j->data);
		free(j);
	}
	for (size_t i = 0; i < s.nlinks; i++)
		free(s.links[i].chunks);
	free(s.links);
	while (s.bfree) {
		struct rblock *b = s.bfree;
		s.bfree = b->next;
		free(b->p);
		free(b);
	}
	if (s.cur) {
		free(s.cur->p);
		free(s.cur);
	}
	wctx_done(&s.rw);
	attt__bk_strv_free(abs_paths, abs_paths ? o->n_paths : 0);
	attt_backup_snapshots_free(snaps, n_snaps);
	pthread_mutex_destroy(&s.qmu);
	pthread_mutex_destroy(&s.pmu);
	pthread_cond_destroy(&s.qnonempty);
	pthread_cond_destroy(&s.qdone);
	pthread_mutex_destroy(&s.imu);
	pthread_mutex_destroy(&s.fmu);
	pthread_mutex_destroy(&s.cmu);
	pthread_cond_destroy(&s.fcv);
	return rc;
}
