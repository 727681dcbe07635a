/*
 * restore.c: attt backup restore, ls and diff. Restore is exact: contents, modes, owners (when
 * running as root), times in nanoseconds, symlinks, hard links (the first path of a link group is
 * written, the others are linked to it), empty directories, device nodes and fifos, names as
 * stored, and the holes of sparse files (zero blocks are skipped with lseek, then ftruncate sets
 * the size). Every chunk is decrypted and authenticated (the tag covers its id; a compressed
 * chunk's zstd checksum covers the plaintext) before a byte is written; check --read-data also
 * recomputes the ids (docs/backup.md, "Why restore does not re-hash").
 * Files are restored by worker threads in parallel, largest first; directory metadata is applied
 * last, deepest first, so that writing into a directory does not change its restored mtime.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "attt/err.h"
#include "attt/limits.h"
#include "attt/log.h"
#include "attt/str.h"
#include "backup-int.h"

struct ritem {
	char *path;
	struct bk_node nd;
	size_t link_file; /* links: index in files of the path they link to */
	bool damaged;     /* files: not restored, their data is damaged */
};
struct bysize { uint64_t size; size_t i; };

struct rst {
	struct attt_backup_repo *r;
	const struct attt_backup_restore_opts *o;
	struct ritem *files, *dirs, *links;
	size_t nfiles, ndirs, nlinks, cfiles, cdirs, clinks;
	struct { uint64_t group; size_t file; } *groups;
	size_t ngroups;
	pthread_mutex_t mu;
	struct bysize *order; /* files, largest first */
	size_t next;
	int err;
	uint64_t damaged; /* files not restored because their data is damaged */
	bool root;
	struct attt_backup_stats st;
	struct attt_backup_progress pg;
};

static int push(struct ritem **v, size_t *n, size_t *cap, const char *path, struct bk_node *nd)
{
	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 64;
		void *np = realloc(*v, c * sizeof(**v));
		if (!np)
			return ATTT_E_NOMEM;
		*v = np;
		*cap = c;
	}
	(*v)[*n].path = strdup(path);
	if (!(*v)[*n].path)
		return ATTT_E_NOMEM;
	(*v)[*n].nd = *nd;
	(*v)[*n].link_file = 0;
	(*v)[*n].damaged = false;
	memset(nd, 0, sizeof(*nd)); /* ownership moves to the list */
	(*n)++;
	return ATTT_OK;
}

static void set_owner_times(struct rst *s, int fd, const char *path, const struct bk_node *nd, bool nofollow)
{
	struct timespec ts[2] = { { nd->atime_sec, nd->atime_nsec }, { nd->mtime_sec, nd->mtime_nsec } };
	if (s->root) {
		if (fd >= 0 ? fchown(fd, nd->uid, nd->gid) : lchown(path, nd->uid, nd->gid))
			log_debug("backup: chown %s: %s", path, strerror(errno));
	}
	if (!nofollow) {
		if (fd >= 0 ? fchmod(fd, nd->mode) : chmod(path, nd->mode))
			log_debug("backup: chmod %s: %s", path, strerror(errno));
	}
	if (fd >= 0)
		futimens(fd, ts);
	else
		utimensat(AT_FDCWD, path, ts, nofollow ? AT_SYMLINK_NOFOLLOW : 0);
}

static bool all_zero(const uint8_t *p, size_t n)
{
	static const uint8_t zero[4096];
	while (n >= sizeof(zero)) {
		if (memcmp(p, zero, sizeof(zero)) != 0)
			return false;
		p += sizeof(zero);
		n -= sizeof(zero);
	}
	return memcmp(p, zero, n) == 0;
}

static int write_all_fd(int fd, const uint8_t *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return ATTT_E_IO;
		p += w;
		n -= (size_t)w;
	}
	return ATTT_OK;
}

/* The pack a blob is in, for messages that say what to look at. */
static void pack_of(const struct rst *s, const uint8_t id[BK_ID], char rel[128])
{
	const struct bk_loc *l = attt__bk_idx_get(&s->r->idx, id);
	attt_str_copy(rel, 128, "(not in the index / không có trong chỉ mục)");
	if (l && l->pack != BK_PENDING)
		attt__bk_pack_rel(s->r->idx.packs[l->pack], rel, 128);
}

/* Names the file a damaged chunk belongs to and the pack it is in, so that one can tell what is
 * lost and what to look at. */
static void warn_damaged(struct rst *s, const char *path, uint32_t chunk, const uint8_t id[BK_ID])
{
	char rel[128];
	pack_of(s, id, rel);
	log_warn("backup: %s: chunk %u in %s is damaged; the file is not restored / tệp không khôi phục được",
		 path, chunk, rel);
}

static int restore_file(struct rst *s, const struct ritem *it, int *pfd, uint32_t *ppack)
{
	const struct bk_node *nd = &it->nd;
	uint64_t total = 0;
	int fd, rc = ATTT_OK;

	unlink(it->path);
	fd = open(it->path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		log_warn("backup: cannot create %s: %s", it->path, strerror(errno));
		return ATTT_E_IO;
	}
	for (uint32_t i = 0; i < nd->n_chunks; i++) {
		uint8_t *p = NULL;
		size_t n;
		const uint8_t *id = nd->chunks + (size_t)i * BK_ID;
		if ((rc = attt__bk_load_blob(s->r, id, BK_DATA, pfd, ppack, &p, &n)) < 0) {
			if (rc == ATTT_E_NOTFOUND)
				rc = ATTT_E_CORRUPT;
			if (rc == ATTT_E_CORRUPT)
				warn_damaged(s, it->path, i, id);
			goto out;
		}
		if (nd->flags & BK_SPARSE) {
			/* Holes: skip zero blocks of 4 KiB, write the rest. */
			for (size_t off = 0; off < n && rc == 0; off += 4096) {
				size_t m = n - off < 4096 ? n - off : 4096;
				if (all_zero(p + off, m)) {
					if (lseek(fd, (off_t)m, SEEK_CUR) < 0)
						rc = ATTT_E_IO;
				} else {
					rc = write_all_fd(fd, p + off, m);
				}
			}
		} else {
			rc = write_all_fd(fd, p, n);
		}
		free(p);
		total += n;
		if (rc < 0)
			goto out;
	}
	rc = ATTT_E_CORRUPT;
	if (total != nd->size)
		goto out;
	rc = ATTT_E_IO;
	if (ftruncate(fd, (off_t)total) < 0)
		goto out;
	set_owner_times(s, fd, it->path, nd, false);
	rc = ATTT_OK;
out:
	close(fd);
	return rc;
}

static int cmp_size_desc(const void *a, const void *b)
{
	const struct bysize *x = a, *y = b;
	if (x->size != y->size)
		return x->size < y->size ? 1 : -1;
	return x->i < y->i ? -1 : x->i > y->i; /* stable: tree order among equals */
}

static void *rworker(void *arg)
{
	struct rst *s = arg;
	int pfd = -1;
	uint32_t ppack = 0;

	for (;;) {
		size_t i;
		pthread_mutex_lock(&s->mu);
		i = s->err || s->next >= s->nfiles ? s->nfiles : s->order[s->next++].i;
		pthread_mutex_unlock(&s->mu);
		if (i >= s->nfiles)
			break;
		int rc = restore_file(s, &s->files[i], &pfd, &ppack);
		if (rc == ATTT_E_CORRUPT) {
			/* Damaged data costs this file only: no partial file is left to be taken for
			 * the real one, and the other files are restored. */
			unlink(s->files[i].path);
			s->files[i].damaged = true;
		}
		pthread_mutex_lock(&s->mu);
		if (rc == ATTT_E_CORRUPT) {
			s->damaged++;
		} else if (rc < 0 && !s->err) {
			log_debug("backup: cannot restore %s: %s", s->files[i].path, attt_strerror(rc));
			s->err = rc;
		}
		if (rc == 0) {
			s->st.bytes += s->files[i].nd.size;
			s->pg.files++;
			s->pg.bytes += s->files[i].nd.size;
			if (s->o && s->o->progress)
				s->o->progress(s->o->progress_ctx, &s->pg);
		}
		pthread_mutex_unlock(&s->mu);
	}
	if (pfd >= 0)
		close(pfd);
	return NULL;
}

/* Makes sure path is a real directory (not a symlink planted in an existing target). */
static int ensure_dir(const char *path)
{
	struct stat st;
	if (mkdir(path, 0700) < 0 && errno != EEXIST) {
		log_warn("backup: cannot create the directory %s: %s", path, strerror(errno));
		return ATTT_E_IO;
	}
	if (lstat(path, &st) < 0 || !S_ISDIR(st.st_mode)) {
		log_warn("backup: %s is already there and is not a directory (a link or a file); not followed "
			 "or replaced / đã có và không phải thư mục", path);
		return ATTT_E_CONFLICT;
	}
	return ATTT_OK;
}

static int plan_node(struct rst *s, const char *path, struct bk_node *nd, unsigned depth);

static int plan_tree(struct rst *s, const char *dir, const uint8_t id[BK_ID], unsigned depth)
{
	struct bk_tree t = { 0 };
	char child[ATTT_MAX_PATH];
	int rc;

	if (depth > BK_MAX_DEPTH)
		return ATTT_E_CORRUPT;
	if ((rc = attt__bk_load_tree(s->r, id, &t)) < 0) {
		if (rc == ATTT_E_CORRUPT) {
			char rel[128];
			pack_of(s, id, rel);
			log_warn("backup: %s: the list of this directory (in %s) is damaged; the restore stops "
				 "/ danh sách thư mục bị hỏng", dir, rel);
		}
		return rc;
	}
	for (size_t i = 0; i < t.n && rc == 0; i++) {
		if ((rc = attt_str_printf(child, sizeof(child), "%s/%.*s", dir, (int)t.nodes[i].name_len,
					  (const char *)t.nodes[i].name)) < 0)
			break;
		rc = plan_node(s, child, &t.nodes[i], depth + 1);
	}
	attt__bk_tree_done(&t);
	return rc;
}

static int plan_node(struct rst *s, const char *path, struct bk_node *nd, unsigned depth)
{
	int rc;

	switch (nd->kind) {
	case ATTT_BACKUP_DIR: {
		uint8_t sub[BK_ID];
		memcpy(sub, nd->subtree, BK_ID);
		if ((rc = ensure_dir(path)) < 0)
			return rc;
		s->st.dirs++;
		if ((rc = push(&s->dirs, &s->ndirs, &s->cdirs, path, nd)) < 0)
			return rc;
		return plan_tree(s, path, sub, depth);
	}
	case ATTT_BACKUP_FILE:
		s->st.files++;
		if (nd->link_group) {
			for (size_t i = 0; i < s->ngroups; i++)
				if (s->groups[i].group == nd->link_group) {
					if ((rc = push(&s->links, &s->nlinks, &s->clinks, path, nd)) < 0)
						return rc;
					s->links[s->nlinks - 1].link_file = s->groups[i].file;
					return ATTT_OK;
				}
			void *np = realloc(s->groups, (s->ngroups + 1) * sizeof(*s->groups));
			if (!np)
				return ATTT_E_NOMEM;
			s->groups = np;
			s->groups[s->ngroups].group = nd->link_group;
			s->groups[s->ngroups].file = s->nfiles;
			s->ngroups++;
		}
		return push(&s->files, &s->nfiles, &s->cfiles, path, nd);
	case ATTT_BACKUP_SYMLINK: {
		char target[BK_MAX_NAME + 1];
		s->st.others++;
		memcpy(target, nd->target, nd->target_len);
		target[nd->target_len] = 0;
		unlink(path);
		if (symlink(target, path) < 0)
			return ATTT_E_IO;
		set_owner_times(s, -1, path, nd, true);
		return ATTT_OK;
	}
	default: {
		mode_t type = nd->kind == ATTT_BACKUP_CHR ? S_IFCHR : nd->kind == ATTT_BACKUP_BLK ? S_IFBLK
			      : nd->kind == ATTT_BACKUP_FIFO ? S_IFIFO : S_IFSOCK;
		s->st.others++;
		unlink(path);
		if (mknod(path, type | (nd->mode & 07777), (dev_t)nd->rdev) < 0) {
			log_debug("backup: cannot create %s: %s", path, strerror(errno));
			s->st.errors++;
			return ATTT_OK;
		}
		set_owner_times(s, -1, path, nd, false);
		return ATTT_OK;
	}
	}
}

/* Finds the node at rel ("a/b/c") from the root tree. */
static int find_node(struct attt_backup_repo *r, const uint8_t root[BK_ID], const char *rel, struct bk_node *ret)
{
	uint8_t cur[BK_ID];
	const char *p = rel;
	int rc;

	memcpy(cur, root, BK_ID);
	for (;;) {
		struct bk_tree t = { 0 };
		const char *slash;
		size_t len;
		bool found = false;
		while (*p == '/')
			p++;
		slash = strchr(p, '/');
		len = slash ? (size_t)(slash - p) : strlen(p);
		if ((rc = attt__bk_load_tree(r, cur, &t)) < 0)
			return rc;
		for (size_t i = 0; i < t.n; i++)
			if (t.nodes[i].name_len == len && memcmp(t.nodes[i].name, p, len) == 0) {
				found = true;
				p += len;
				while (*p == '/')
					p++;
				if (!*p) {
					*ret = t.nodes[i];
					memset(&t.nodes[i], 0, sizeof(t.nodes[i]));
				} else if (t.nodes[i].kind == ATTT_BACKUP_DIR) {
					memcpy(cur, t.nodes[i].subtree, BK_ID);
				} else {
					found = false;
				}
				break;
			}
		attt__bk_tree_done(&t);
		if (!found)
			return ATTT_E_NOTFOUND;
		if (!*p)
			return ATTT_OK;
	}
}

static int mkdirs(const char *path)
{
	char buf[ATTT_MAX_PATH];
	if (attt_str_copy(buf, sizeof(buf), path) < 0)
		return ATTT_E_TOOBIG;
	for (char *p = buf + 1; *p; p++)
		if (*p == '/') {
			*p = 0;
			if (mkdir(buf, 0700) < 0 && errno != EEXIST)
				return ATTT_E_IO;
			*p = '/';
		}
	return mkdir(buf, 0700) < 0 && errno != EEXIST ? ATTT_E_IO : ATTT_OK;
}

/* Creates, under base, the directories leading to the last component of rel, each with
 * ensure_dir: a symlink planted in the target where a parent of a partial restore goes must not
 * carry the restore outside the target. */
static int mkdirs_under(const char *base, const char *rel)
{
	char buf[ATTT_MAX_PATH];
	size_t n;
	int rc;

	if ((rc = attt_str_copy(buf, sizeof(buf), base)) < 0)
		return rc;
	n = strlen(buf);
	for (const char *p = rel;;) {
		const char *e;
		while (*p == '/')
			p++;
		e = strchr(p, '/');
		if (!e || !e[strspn(e, "/")])
			return ATTT_OK; /* p is the last component: the node itself */
		if (n + 1 + (size_t)(e - p) >= sizeof(buf))
			return ATTT_E_TOOBIG;
		buf[n++] = '/';
		memcpy(buf + n, p, (size_t)(e - p));
		n += (size_t)(e - p);
		buf[n] = 0;
		if ((rc = ensure_dir(buf)) < 0)
			return rc;
		p = e;
	}
}

static void free_items(struct ritem *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].path);
		attt__bk_node_done(&v[i].nd);
	}
	free(v);
}

int attt_backup_restore(struct attt_backup_repo *r, const char *snapshot, const char *target,
			const struct attt_backup_restore_opts *o, struct attt_backup_stats *ret_stats)
{
	struct rst s = { 0 };
	struct attt_backup_snapshot *snap = NULL;
	uint8_t root[BK_ID];
	pthread_t th[8];
	unsigned nw = o && o->workers ? o->workers : 2, started = 0;
	char abs[ATTT_MAX_PATH];
	int rc;

	if (nw > 8)
		nw = 8;
	s.r = r;
	s.o = o;
	s.root = geteuid() == 0;
	pthread_mutex_init(&s.mu, NULL);
	if ((rc = attt__bk_lock(r, false)) < 0)
		goto out;
	if ((rc = attt__bk_load_index(r)) < 0 || (rc = attt_backup_find_snapshot(r, snapshot, &snap)) < 0)
		goto out;
	if ((rc = attt__bk_unhex(snap->tree, root, BK_ID)) < 0 || (rc = mkdirs(target)) < 0)
		goto out;
	if (!realpath(target, abs)) {
		rc = ATTT_E_IO;
		goto out;
	}
	if (o && o->include && *o->include) {
		struct bk_node nd = { 0 };
		char path[ATTT_MAX_PATH];
		if ((rc = find_node(r, root, o->include, &nd)) < 0)
			goto out;
		if ((rc = attt_str_printf(path, sizeof(path), "%s/%s", abs, o->include)) < 0) {
			attt__bk_node_done(&nd);
			goto out;
		}
		rc = mkdirs_under(abs, o->include);
		if (rc == 0)
			rc = plan_node(&s, path, &nd, 0);
		attt__bk_node_done(&nd);
	} else {
		rc = plan_tree(&s, abs, root, 0);
	}
	if (rc < 0)
		goto out;
	/* Largest files first, so that the workers finish together rather than one of them ending
	 * alone on a large file. */
	if (!(s.order = malloc((s.nfiles ? s.nfiles : 1) * sizeof(*s.order)))) {
		rc = ATTT_E_NOMEM;
		goto out;
	}
	for (size_t i = 0; i < s.nfiles; i++)
		s.order[i] = (struct bysize){ s.files[i].nd.size, i };
	qsort(s.order, s.nfiles, sizeof(*s.order), cmp_size_desc);
	for (; started < nw; started++)
		if (pthread_create(&th[started], NULL, rworker, &s) != 0)
			break;
	if (!started)
		rworker(&s);
	for (unsigned i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	if ((rc = s.err) < 0)
		goto out;
	for (size_t i = 0; i < s.nlinks; i++) {
		const struct ritem *to = &s.files[s.links[i].link_file];
		unlink(s.links[i].path);
		if (to->damaged) {
			log_warn("backup: %s: hard link to %s, which is damaged; not restored", s.links[i].path, to->path);
			s.damaged++;
			continue;
		}
		if (link(to->path, s.links[i].path) < 0) {
			rc = ATTT_E_IO;
			goto out;
		}
	}
	for (size_t i = s.ndirs; i-- > 0;)
		set_owner_times(&s, -1, s.dirs[i].path, &s.dirs[i].nd, false);
	s.st.errors += s.damaged;
	if (ret_stats)
		*ret_stats = s.st;
	rc = s.damaged ? ATTT_E_CORRUPT : ATTT_OK; /* everything else restored, each damaged file named */
out:
	attt__bk_unlock(r);
	attt_backup_snapshots_free(snap, snap ? 1 : 0);
	free_items(s.files, s.nfiles);
	free_items(s.dirs, s.ndirs);
	free_items(s.links, s.nlinks);
	free(s.groups);
	free(s.order);
	pthread_mutex_destroy(&s.mu);
	return rc;
}

/* ---- ls and diff ---- */

static void to_entry(const struct bk_node *nd, const char *path, char *target, struct attt_backup_entry *e)
{
	memset(e, 0, sizeof(*e));
	e->path = path;
	e->kind = (enum attt_backup_kind)nd->kind;
	e->mode = nd->mode;
	e->uid = nd->uid;
	e->gid = nd->gid;
	e->size = nd->size;
	e->mtime_sec = nd->mtime_sec;
	e->mtime_nsec = nd->mtime_nsec;
	if (nd->kind == ATTT_BACKUP_SYMLINK) {
		memcpy(target, nd->target, nd->target_len);
		target[nd->target_len] = 0;
		e->link_target = target;
	}
}

typedef int (*walk_fn)(void *ctx, const char *path, const struct bk_node *nd);

static int walk(struct attt_backup_repo *r, const uint8_t id[BK_ID], const char *prefix, unsigned depth,
		walk_fn fn, void *ctx)
{
	struct bk_tree t = { 0 };
	char path[ATTT_MAX_PATH];
	int rc;

	if (depth > BK_MAX_DEPTH)
		return ATTT_E_CORRUPT;
	if ((rc = attt__bk_load_tree(r, id, &t)) < 0)
		return rc;
	for (size_t i = 0; i < t.n && rc == 0; i++) {
		const struct bk_node *nd = &t.nodes[i];
		if ((rc = attt_str_printf(path, sizeof(path), "%s%s%.*s", prefix, *prefix ? "/" : "",
					  (int)nd->name_len, (const char *)nd->name)) < 0)
			break;
		if ((rc = fn(ctx, path, nd)) < 0)
			break;
		if (nd->kind == ATTT_BACKUP_DIR)
			rc = walk(r, nd->subtree, path, depth + 1, fn, ctx);
	}
	attt__bk_tree_done(&t);
	return rc;
}

struct lsctx { attt_backup_entry_fn fn; void *ctx; };

static int ls_cb(void *ctx, const char *path, const struct bk_node *nd)
{
	struct lsctx *l = ctx;
	struct attt_backup_entry e;
	char target[BK_MAX_NAME + 1];
	to_entry(nd, path, target, &e);
	return l->fn(l->ctx, &e);
}

static int snap_root(struct attt_backup_repo *r, const char *name, uint8_t root[BK_ID])
{
	struct attt_backup_snapshot *snap = NULL;
	int rc;
	if ((rc = attt__bk_load_index(r)) < 0 || (rc = attt_backup_find_snapshot(r, name, &snap)) < 0)
		return rc;
	rc = attt__bk_unhex(snap->tree, root, BK_ID);
	attt_backup_snapshots_free(snap, 1);
	return rc;
}

int attt_backup_ls(struct attt_backup_repo *r, const char *snapshot, attt_backup_entry_fn fn, void *ctx)
{
	struct lsctx l = { fn, ctx };
	uint8_t root[BK_ID];
	int rc;
	if ((rc = attt__bk_lock(r, false)) < 0)
		return rc;
	if ((rc = snap_root(r, snapshot, root)) == 0)
		rc = walk(r, root, "", 0, ls_cb, &l);
	attt__bk_unlock(r);
	return rc;
}

struct diffctx { attt_backup_diff_fn fn; void *ctx; char change; };

static int diff_report(void *ctx, const char *path, const struct bk_node *nd)
{
	struct diffctx *d = ctx;
	struct attt_backup_entry e;
	char target[BK_MAX_NAME + 1];
	to_entry(nd, path, target, &e);
	return d->fn(d->ctx, d->change, &e);
}

static int diff_side(struct attt_backup_repo *r, struct diffctx *d, char change, const char *path,
		     const struct bk_node *nd, unsigned depth)
{
	d->change = change;
	int rc = diff_report(d, path, nd);
	if (rc == 0 && nd->kind == ATTT_BACKUP_DIR)
		rc = walk(r, nd->subtree, path, depth + 1, diff_report, d);
	return rc;
}

static bool node_differs(const struct bk_node *a, const struct bk_node *b)
{
	if (a->kind != b->kind || a->mode != b->mode || a->uid != b->uid || a->gid != b->gid || a->size != b->size ||
	    a->mtime_sec != b->mtime_sec || a->mtime_nsec != b->mtime_nsec)
		return true;
	if (a->kind == ATTT_BACKUP_FILE)
		return a->n_chunks != b->n_chunks ||
		       (a->n_chunks && memcmp(a->chunks, b->chunks, (size_t)a->n_chunks * BK_ID) != 0);
	if (a->kind == ATTT_BACKUP_SYMLINK)
		return a->target_len != b->target_len || memcmp(a->target, b->target, a->target_len) != 0;
	return a->kind != ATTT_BACKUP_DIR && a->rdev != b->rdev;
}

static int diff_trees(struct attt_backup_repo *r, struct diffctx *d, const uint8_t a[BK_ID], const uint8_t b[BK_ID],
		      const char *prefix, unsigned depth)
{
	struct bk_tree ta = { 0 }, tb = { 0 };
	char path[ATTT_MAX_PATH];
	size_t i = 0, j = 0;
	int rc;

	if (memcmp(a, b, BK_ID) == 0)
		return ATTT_OK;
	if (depth > BK_MAX_DEPTH)
		return ATTT_E_CORRUPT;
	if ((rc = attt__bk_load_tree(r, a, &ta)) < 0 || (rc = attt__bk_load_tree(r, b, &tb)) < 0)
		goto out;
	while (rc == 0 && (i < ta.n || j < tb.n)) {
		int c;
		const struct bk_node *x = i < ta.n ? &ta.nodes[i] : NULL, *y = j < tb.n ? &tb.nodes[j] : NULL;
		if (!x)
			c = 1;
		else if (!y)
			c = -1;
		else {
			size_t m = x->name_len < y->name_len ? x->name_len : y->name_len;
			c = memcmp(x->name, y->name, m);
			if (!c)
				c = (int)x->name_len - (int)y->name_len;
		}
		const struct bk_node *nd = c <= 0 ? x : y;
		if ((rc = attt_str_printf(path, sizeof(path), "%s%s%.*s", prefix, *prefix ? "/" : "",
					  (int)nd->name_len, (const char *)nd->name)) < 0)
			break;
		if (c < 0) {
			rc = diff_side(r, d, '-', path, x, depth);
			i++;
		} else if (c > 0) {
			rc = diff_side(r, d, '+', path, y, depth);
			j++;
		} else {
			if (x->kind != y->kind) {
				if ((rc = diff_side(r, d, '-', path, x, depth)) == 0)
					rc = diff_side(r, d, '+', path, y, depth);
			} else {
				if (node_differs(x, y)) {
					d->change = 'M';
					rc = diff_report(d, path, y);
				}
				if (rc == 0 && x->kind == ATTT_BACKUP_DIR)
					rc = diff_trees(r, d, x->subtree, y->subtree, path, depth + 1);
			}
			i++;
			j++;
		}
	}
out:
	attt__bk_tree_done(&ta);
	attt__bk_tree_done(&tb);
	return rc;
}

int attt_backup_diff(struct attt_backup_repo *r, const char *a, const char *b, attt_backup_diff_fn fn, void *ctx)
{
	struct diffctx d = { fn, ctx, 0 };
	uint8_t ra[BK_ID], rb[BK_ID];
	int rc;
	if ((rc = attt__bk_lock(r, false)) < 0)
		return rc;
	if ((rc = snap_root(r, a, ra)) == 0 && (rc = snap_root(r, b, rb)) == 0)
		rc = diff_trees(r, &d, ra, rb, "", 0);
	attt__bk_unlock(r);
	return rc;
}
