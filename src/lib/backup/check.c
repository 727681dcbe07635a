/*
 * check.c: attt backup check, forget and prune. check verifies the structure (every index and
 * snapshot authenticated, every signature, every tree reachable from a snapshot, every chunk a
 * file needs present in the index, every pack header matching the index) and with read_data every
 * byte: each pack's keyed hash must equal its name, and each blob must decrypt and hash to its id.
 * It names each damaged object (R10.1.a, R10.2.c). forget applies a retention policy to each
 * group of snapshots (one host, one set of paths); prune then removes what no snapshot
 * references, rewriting partly used packs, in an order that keeps the repository consistent if it
 * is interrupted (new packs, then the new index, then removal of the old index files, then of the
 * old packs).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>
#include <zstd.h>

#include "attt/err.h"
#include "attt/limits.h"
#include "attt/log.h"
#include "attt/str.h"
#include "backup-int.h"

#define MAX_PACK_FILE (1u << 30)

int attt__bk_open_blob(struct attt_backup_repo *r, const uint8_t *ct, size_t n, const struct bk_blobent *e)
{
	size_t ov = attt__bk_overhead(&r->k);
	uint8_t *pt = NULL, *raw = NULL, ad[BK_ID + 1], id[BK_ID];
	int rc = ATTT_E_CORRUPT;

	if (n != e->stored_len || n < ov)
		return ATTT_E_CORRUPT;
	pt = malloc(n - ov + 1);
	raw = malloc(e->raw_len + 1);
	if (!pt || !raw) {
		rc = ATTT_E_NOMEM;
		goto out;
	}
	memcpy(ad, e->id, BK_ID);
	ad[BK_ID] = e->type;
	if (attt__bk_unseal(&r->k, ad, sizeof(ad), ct, n, pt) < 0)
		goto out;
	if (e->flags & BK_ZSTD) {
		if (attt__bk_unzstd(pt, n - ov, raw, e->raw_len) < 0)
			goto out;
		attt__bk_id(&r->k, raw, e->raw_len, id);
	} else {
		if (n - ov != e->raw_len)
			goto out;
		attt__bk_id(&r->k, pt, e->raw_len, id);
	}
	if (memcmp(id, e->id, BK_ID) == 0)
		rc = ATTT_OK;
out:
	free(pt);
	free(raw);
	return rc;
}

static bool blobent_eq(const struct bk_blobent *a, const struct bk_blobent *b)
{
	return a->type == b->type && a->flags == b->flags && a->offset == b->offset && a->raw_len == b->raw_len &&
	       a->stored_len == b->stored_len && memcmp(a->id, b->id, BK_ID) == 0;
}

#define USED 1    /* bk_loc.used: reached from a snapshot */
#define DAMAGED 2 /* bk_loc.used: its pack or its bytes are damaged (check) */

/* Marks every blob the index places in pack id as damaged, so that check can name the files that
 * need them. */
static void mark_pack_damaged(struct attt_backup_repo *r, const struct bk_packinfo *pi)
{
	for (size_t i = 0; pi && i < pi->n; i++) {
		struct bk_loc *l = attt__bk_idx_get(&r->idx, pi->blobs[i].id);
		if (l && l->offset == pi->blobs[i].offset)
			l->used |= DAMAGED;
	}
}

/* Checks one pack file: header, against the index entry pi (may be NULL), and with read_data the
 * hash of the whole file and every blob. With mark (a whole check, which reloads the index
 * afterwards), each blob that fails is marked damaged in the index. */
static int check_pack(struct attt_backup_repo *r, const char *rel, const uint8_t id[BK_ID], bool read_data,
		      bool mark, const struct bk_packinfo *pi, uint64_t *bytes, const char **why)
{
	char path[ATTT_MAX_PATH];
	struct bk_blobent *b = NULL;
	uint8_t *f = NULL, got[BK_ID];
	size_t n = 0, fn;
	int rc;

	if ((rc = attt__bk_path(r, rel, path, sizeof(path))) < 0)
		return rc;
	if ((rc = attt__bk_read_pack_header(r, path, &b, &n, got)) < 0) {
		*why = rc == ATTT_E_NOTFOUND ? "missing / thiếu tệp" : "pack header damaged / phần đầu gói bị hỏng";
		return ATTT_E_CORRUPT;
	}
	rc = ATTT_E_CORRUPT;
	if (memcmp(got, id, BK_ID) != 0) {
		*why = "header does not match the pack's name / phần đầu không khớp tên gói";
		goto out;
	}
	if (pi) {
		if (pi->n != n) {
			*why = "pack header does not match the index / không khớp chỉ mục";
			goto out;
		}
		for (size_t i = 0; i < n; i++)
			if (!blobent_eq(&pi->blobs[i], &b[i])) {
				*why = "pack header does not match the index / không khớp chỉ mục";
				goto out;
			}
	}
	if (read_data) {
		if ((rc = attt__bk_read_file(path, MAX_PACK_FILE, &f, &fn)) < 0) {
			*why = "cannot read / không đọc được";
			rc = ATTT_E_CORRUPT;
			goto out;
		}
		rc = ATTT_OK;
		*bytes += fn;
		for (size_t i = 0; i < n; i++)
			if ((b[i].offset > fn || fn - b[i].offset < b[i].stored_len) ||
			    attt__bk_open_blob(r, f + b[i].offset, b[i].stored_len, &b[i]) < 0) {
				struct bk_loc *l = attt__bk_idx_get(&r->idx, b[i].id);
				*why = "blob fails decryption or hash / khối dữ liệu hỏng";
				rc = ATTT_E_CORRUPT;
				if (mark && l && l->offset == b[i].offset)
					l->used |= DAMAGED;
			}
		goto out;
	}
	rc = ATTT_OK;
out:
	if (mark && rc == ATTT_E_CORRUPT && (!read_data || !f))
		mark_pack_damaged(r, pi); /* the header or the whole file: every blob it holds */
	free(b);
	free(f);
	return rc;
}

static int cmp_pi(const void *a, const void *b)
{
	return memcmp(((const struct bk_packinfo *)a)->id, ((const struct bk_packinfo *)b)->id, BK_ID);
}

struct chk {
	struct attt_backup_repo *r;
	bool read_data;
	attt_backup_problem_fn fn;
	void *ctx;
	struct attt_backup_check_stats st;
	struct bk_packinfo *pi; /* every pack of every index, sorted by id */
	size_t npi;
	uint8_t *seen;          /* packs present in data/ */
	struct attt_backup_progress pg;
};

/* Packs the loaded indexes name (an index may repeat one another's pack). */
static uint64_t distinct_packs(const struct chk *c)
{
	uint64_t n = 0;
	for (size_t i = 0; i < c->npi; i++)
		if (i == 0 || memcmp(c->pi[i].id, c->pi[i - 1].id, BK_ID) != 0)
			n++;
	return n;
}

/* One more pack looked at: a check --read-data or a prune of a large repository runs for minutes. */
static void pack_done(struct chk *c, uint64_t bytes)
{
	c->pg.packs++;
	c->pg.bytes += bytes;
	if (c->pg.packs > c->pg.packs_total)
		c->pg.packs_total = c->pg.packs; /* data/ holds packs no index names */
	if (c->r->progress)
		c->r->progress(c->r->progress_ctx, &c->pg);
}

static void problem(struct chk *c, const char *what, const char *why)
{
	c->st.problems++;
	log_debug("backup: check: %s: %s", what, why);
	if (c->fn)
		c->fn(c->ctx, what, why);
}

static int chk_pack(void *ctx, const char *rel, const uint8_t id[BK_ID])
{
	struct chk *c = ctx;
	static const uint8_t zero[BK_ID];
	struct bk_packinfo key, *hit;
	const char *why = NULL;

	if (memcmp(id, zero, BK_ID) == 0) {
		problem(c, rel, "not a pack file name / tên tệp gói sai");
		return ATTT_OK;
	}
	memcpy(key.id, id, BK_ID);
	hit = !c->npi ? NULL : bsearch(&key, c->pi, c->npi, sizeof(*c->pi), cmp_pi);
	if (hit)
		c->seen[hit - c->pi] = 1;
	else
		c->st.unreferenced_packs++;
	c->st.packs++;
	uint64_t before = c->st.bytes_read;
	if (check_pack(c->r, rel, id, c->read_data, true, hit, &c->st.bytes_read, &why) < 0)
		problem(c, rel, why);
	pack_done(c, c->st.bytes_read - before);
	return ATTT_OK;
}

static int chk_tree(struct chk *c, const uint8_t id[BK_ID], const char *prefix, unsigned depth)
{
	struct bk_loc *l = attt__bk_idx_get(&c->r->idx, id);
	struct bk_tree t = { 0 };
	char path[ATTT_MAX_PATH];
	int rc;

	if (l && (l->used & USED))
		return ATTT_OK; /* shared subtree, checked already */
	if (depth > BK_MAX_DEPTH) {
		problem(c, prefix, "tree too deep / cây quá sâu");
		return ATTT_OK;
	}
	if (!l || l->type != BK_TREE) {
		problem(c, *prefix ? prefix : "/", "tree missing from the index / thiếu cây thư mục");
		return ATTT_OK;
	}
	l->used |= USED;
	c->st.trees++;
	if ((rc = attt__bk_load_tree(c->r, id, &t)) < 0) {
		if (rc == ATTT_E_NOMEM)
			return rc;
		problem(c, *prefix ? prefix : "/", "tree damaged / cây thư mục bị hỏng");
		return ATTT_OK;
	}
	for (size_t i = 0; i < t.n; i++) {
		const struct bk_node *nd = &t.nodes[i];
		if (attt_str_printf(path, sizeof(path), "%s/%.*s", prefix, (int)nd->name_len, (const char *)nd->name) < 0)
			continue;
		if (nd->kind == ATTT_BACKUP_DIR) {
			if ((rc = chk_tree(c, nd->subtree, path, depth + 1)) < 0)
				break;
		} else if (nd->kind == ATTT_BACKUP_FILE) {
			uint64_t sum = 0;
			bool named = false;
			for (uint32_t j = 0; j < nd->n_chunks; j++) {
				struct bk_loc *cl = attt__bk_idx_get(&c->r->idx, nd->chunks + (size_t)j * BK_ID);
				if (!cl || cl->type != BK_DATA) {
					problem(c, path, "chunk missing from the index / thiếu khối dữ liệu");
					break;
				}
				if ((cl->used & DAMAGED) && !named) {
					/* Each file that needs damaged data is named once: what the damage costs. */
					char rel[128], why[256];
					attt__bk_pack_rel(c->r->idx.packs[cl->pack], rel, sizeof(rel));
					attt_str_printf(why, sizeof(why), "needs a damaged chunk in %s / cần khối dữ liệu hỏng",
							rel);
					problem(c, path, why);
					named = true;
				}
				cl->used |= USED;
				c->st.blobs++;
				sum += cl->raw_len;
			}
			if (sum != nd->size)
				problem(c, path, "size does not match its chunks / kích thước không khớp");
		}
	}
	attt__bk_tree_done(&t);
	return rc < 0 ? rc : ATTT_OK;
}

/* Loads every readable index into r->idx and c->pi; damaged ones are reported. */
static int load_all_indexes(struct attt_backup_repo *r, struct chk *c)
{
	char **names = NULL, what[128];
	size_t n = 0;
	int rc;

	attt__bk_idx_done(&r->idx);
	attt__bk_strv_free(r->idx_files, r->n_idx_files);
	r->idx_files = NULL;
	r->n_idx_files = 0;
	r->idx_loaded = false;
	if ((rc = attt__bk_list(r, "index", &names, &n)) < 0)
		return rc;
	for (size_t i = 0; i < n; i++) {
		struct bk_packinfo *pi = NULL;
		size_t np = 0;
		c->st.indexes++;
		rc = attt__bk_read_index_file(r, names[i], &pi, &np);
		if (rc == ATTT_E_NOMEM)
			goto out;
		if (rc < 0) {
			attt_str_printf(what, sizeof(what), "index/%s", names[i]);
			problem(c, what, "index damaged / tệp chỉ mục bị hỏng");
			rc = ATTT_OK;
			continue;
		}
		void *nv = realloc(c->pi, (c->npi + np + 1) * sizeof(*c->pi));
		if (!nv) {
			attt__bk_packinfos_free(pi, np);
			rc = ATTT_E_NOMEM;
			goto out;
		}
		c->pi = nv;
		for (size_t j = 0; j < np && rc == 0; j++) {
			rc = attt__bk_add_packinfo(r, &pi[j]);
			c->pi[c->npi++] = pi[j];
		}
		free(pi);
		if (rc < 0)
			goto out;
	}
	if (c->npi)
		qsort(c->pi, c->npi, sizeof(*c->pi), cmp_pi);
	r->idx_files = names;
	r->n_idx_files = n;
	names = NULL;
	r->idx_loaded = true;
out:
	attt__bk_strv_free(names, n);
	return rc;
}

static int count_tmp(struct attt_backup_repo *r, const char *dir_rel, bool remove, uint64_t *count)
{
	char path[ATTT_MAX_PATH], f[ATTT_MAX_PATH];
	int rc = attt__bk_path(r, dir_rel, path, sizeof(path));
	if (rc < 0)
		return rc;
	DIR *d = opendir(path);
	struct dirent *de;
	if (!d)
		return ATTT_OK;
	while ((de = readdir(d)))
		if (strncmp(de->d_name, ".tmp-", 5) == 0) {
			(*count)++;
			if (remove && attt_str_printf(f, sizeof(f), "%s/%s", path, de->d_name) == 0)
				unlink(f);
		}
	closedir(d);
	return ATTT_OK;
}

static const char *const TMP_DIRS[] = { ".", "data", "index", "snapshots", "keys", "locks" };

int attt_backup_check(struct attt_backup_repo *r, bool read_data, attt_backup_problem_fn fn, void *ctx,
		      struct attt_backup_check_stats *ret_stats)
{
	struct chk c = { .r = r, .read_data = read_data, .fn = fn, .ctx = ctx };
	char **names = NULL, what[128];
	size_t n = 0;
	int rc;

	if ((rc = attt__bk_lock(r, false)) < 0)
		return rc;
	if ((rc = load_all_indexes(r, &c)) < 0)
		goto out;
	c.pg.packs_total = distinct_packs(&c);
	c.seen = calloc(c.npi + 1, 1);
	if (!c.seen) {
		rc = ATTT_E_NOMEM;
		goto out;
	}
	if ((rc = attt__bk_each_pack(r, chk_pack, &c)) < 0)
		goto out;
	for (size_t i = 0; i < c.npi; i++)
		if (!c.seen[i] && (i == 0 || memcmp(c.pi[i].id, c.pi[i - 1].id, BK_ID) != 0)) {
			attt__bk_pack_rel(c.pi[i].id, what, sizeof(what));
			problem(&c, what, "pack missing / thiếu tệp gói");
		}
	if ((rc = attt__bk_list(r, "snapshots", &names, &n)) < 0)
		goto out;
	for (size_t i = 0; i < n; i++) {
		struct bk_snap s;
		c.st.snapshots++;
		attt_str_printf(what, sizeof(what), "snapshots/%s", names[i]);
		if (strlen(names[i]) != BK_ID * 2 || strspn(names[i], "0123456789abcdef") != BK_ID * 2) {
			problem(&c, what, "not a snapshot of attt / không phải bản sao lưu của attt");
			continue;
		}
		rc = attt__bk_read_snapshot(r, names[i], &s);
		if (rc == ATTT_E_NOMEM)
			goto out;
		if (rc < 0) {
			problem(&c, what, "snapshot damaged or signature invalid / bản sao lưu hỏng hoặc sai chữ ký");
			rc = ATTT_OK;
			continue;
		}
		char prefix[32];
		attt_str_printf(prefix, sizeof(prefix), "snapshot %.8s:", names[i]);
		rc = chk_tree(&c, s.tree, prefix, 0);
		attt__bk_snap_done(&s);
		if (rc < 0)
			goto out;
	}
	attt__bk_strv_free(names, n);
	names = NULL;
	n = 0;
	/* Key files: the one this check opened with is sound; of the others only the shape can be
	 * checked without their passphrases, which catches an emptied or truncated file. */
	if ((rc = attt__bk_list(r, "keys", &names, &n)) < 0)
		goto out;
	for (size_t i = 0; i < n; i++) {
		char path[ATTT_MAX_PATH];
		uint8_t *f = NULL;
		size_t flen = 0;
		attt_str_printf(what, sizeof(what), "keys/%s", names[i]);
		if ((rc = attt_str_printf(path, sizeof(path), "%s/%s", r->dir, what)) < 0)
			goto out;
		rc = attt__bk_read_file(path, 4096, &f, &flen);
		if (rc == ATTT_E_NOMEM)
			goto out;
		if (rc < 0 || attt__bk_key_shape(f, flen) < 0)
			problem(&c, what, "key file damaged: its passphrase no longer opens the repository / tệp khóa hỏng");
		free(f);
		rc = ATTT_OK;
	}
	for (size_t i = 0; i < sizeof(TMP_DIRS) / sizeof(TMP_DIRS[0]); i++)
		count_tmp(r, TMP_DIRS[i], false, &c.st.temp_files);
	rc = c.st.problems ? ATTT_E_CORRUPT : ATTT_OK;
	if (ret_stats)
		*ret_stats = c.st;
out:
	attt__bk_unlock(r);
	attt__bk_strv_free(names, n);
	attt__bk_packinfos_free(c.pi, c.npi);
	free(c.seen);
	/* check used the index's scratch marks: reload before further use */
	attt__bk_idx_done(&r->idx);
	r->idx_loaded = false;
	attt__bk_strv_free(r->idx_files, r->n_idx_files);
	r->idx_files = NULL;
	r->n_idx_files = 0;
	return rc;
}

int attt_backup_check_file(struct attt_backup_repo *r, const char *rel, bool read_data)
{
	uint64_t bytes = 0;
	const char *why = NULL;
	int rc;

	if (attt_str_startswith(rel, "data/")) {
		const char *slash = strrchr(rel, '/');
		uint8_t id[BK_ID];
		if (attt__bk_unhex(slash + 1, id, BK_ID) < 0)
			return ATTT_E_CORRUPT;
		return check_pack(r, rel, id, read_data, false, NULL, &bytes, &why);
	}
	if (attt_str_startswith(rel, "index/")) {
		struct bk_packinfo *pi = NULL;
		size_t n = 0;
		rc = attt__bk_read_index_file(r, rel + 6, &pi, &n);
		attt__bk_packinfos_free(pi, n);
		return rc < 0 && rc != ATTT_E_NOMEM ? ATTT_E_CORRUPT : rc;
	}
	if (attt_str_startswith(rel, "snapshots/")) {
		struct bk_snap s;
		rc = attt__bk_read_snapshot(r, rel + 10, &s);
		if (rc == 0)
			attt__bk_snap_done(&s);
		return rc < 0 && rc != ATTT_E_NOMEM ? ATTT_E_CORRUPT : rc;
	}
	return ATTT_E_INVAL;
}

/* ---- forget ---- */

struct bucket { int64_t day, week, month, year; };

static struct bucket bucket_of(int64_t t_us)
{
	/* Calendar buckets in Asia/Ho_Chi_Minh (UTC+7, no daylight saving). */
	time_t t = (time_t)(t_us / ATTT_USEC_PER_SEC) + ATTT_VN_OFFSET_SEC;
	struct tm tm;
	struct bucket b;
	gmtime_r(&t, &tm);
	b.day = (int64_t)(t >= 0 ? t / 86400 : (t - 86399) / 86400);
	b.week = (b.day + 3) / 7; /* weeks starting on Monday (1970-01-01 was a Thursday) */
	b.month = (int64_t)(tm.tm_year + 1900) * 12 + tm.tm_mon;
	b.year = tm.tm_year + 1900;
	return b;
}

/* R10.1.b: snapshots of one host and one set of paths form a group (restic's default grouping):
 * the policy applies to each group alone, so that the daily saves of one folder never push out
 * the only snapshots of another. */
static bool same_group(const struct attt_backup_snapshot *a, const struct attt_backup_snapshot *b)
{
	if (strcmp(a->hostname ? a->hostname : "", b->hostname ? b->hostname : "") != 0 || a->n_paths != b->n_paths)
		return false;
	for (size_t i = 0; i < a->n_paths; i++) { /* save refuses duplicate paths: sets compare by inclusion */
		size_t j = 0;
		while (j < b->n_paths && strcmp(a->paths[i], b->paths[j]) != 0)
			j++;
		if (j == b->n_paths)
			return false;
	}
	return true;
}

/* Marks in why[] the snapshots of group g (grp[k] == g) that the policy keeps. */
static void keep_in_group(const struct attt_backup_snapshot *v, size_t n, const size_t *grp, size_t g,
			  const struct attt_backup_policy *p, const char **why)
{
	unsigned cnt[4] = { 0 };
	const unsigned want[4] = { p->keep_daily, p->keep_weekly, p->keep_monthly, p->keep_yearly };
	static const char *const names[4] = { "daily", "weekly", "monthly", "yearly" };
	int64_t last[4] = { INT64_MIN, INT64_MIN, INT64_MIN, INT64_MIN };
	int64_t newest = 0;
	size_t age = 0;

	for (size_t k = n; k-- > 0;) {
		if (grp[k] != g)
			continue;
		struct bucket b = bucket_of(v[k].time_us);
		int64_t bv[4] = { b.day, b.week, b.month, b.year };
		if (age == 0)
			newest = v[k].time_us;
		if (age < p->keep_last)
			why[k] = "last";
		if (!why[k] && p->keep_within_us > 0 && newest - v[k].time_us <= p->keep_within_us)
			why[k] = "within";
		for (int j = 0; j < 4; j++)
			if (bv[j] != last[j]) {
				last[j] = bv[j];
				if (cnt[j] < want[j]) {
					cnt[j]++;
					if (!why[k])
						why[k] = names[j];
				}
			}
		age++;
	}
}

int attt_backup_forget(struct attt_backup_repo *r, const struct attt_backup_policy *p, bool dry_run,
		       attt_backup_forget_fn fn, void *ctx)
{
	struct attt_backup_snapshot *v = NULL;
	size_t n = 0, ng = 0, *grp = NULL;
	const char **why = NULL;
	char path[ATTT_MAX_PATH];
	int rc;

	if (!p->keep_last && !p->keep_daily && !p->keep_weekly && !p->keep_monthly && !p->keep_yearly &&
	    p->keep_within_us <= 0)
		return ATTT_E_INVAL;
	if ((rc = attt__bk_lock(r, true)) < 0)
		return rc;
	if ((rc = attt_backup_snapshots(r, &v, &n)) < 0)
		goto out;
	why = calloc(n + 1, sizeof(*why));
	grp = calloc(n + 1, sizeof(*grp));
	if (!why || !grp) {
		rc = ATTT_E_NOMEM;
		goto out;
	}
	for (size_t k = 0; k < n; k++) {
		size_t j = 0;
		while (j < k && !same_group(&v[j], &v[k]))
			j++;
		grp[k] = j < k ? grp[j] : ng++;
	}
	for (size_t g = 0; g < ng; g++)
		keep_in_group(v, n, grp, g, p, why);
	for (size_t k = 0; k < n; k++) {
		if (fn)
			fn(ctx, &v[k], why[k] != NULL, why[k] ? why[k] : "policy");
		if (!why[k] && !dry_run) {
			if ((rc = attt_str_printf(path, sizeof(path), "%s/snapshots/%s", r->dir, v[k].id)) < 0)
				goto out;
			if (unlink(path) < 0) {
				rc = ATTT_E_IO;
				goto out;
			}
		}
	}
	if (!dry_run && attt_str_printf(path, sizeof(path), "%s/snapshots", r->dir) == 0)
		rc = attt__bk_fsync_dir(path);
out:
	free(why);
	free(grp);
	attt_backup_snapshots_free(v, n);
	attt__bk_unlock(r);
	return rc;
}

/* ---- prune ---- */

static int mark_tree(struct attt_backup_repo *r, const uint8_t id[BK_ID], unsigned depth)
{
	struct bk_loc *l = attt__bk_idx_get(&r->idx, id);
	struct bk_tree t = { 0 };
	int rc;

	if (!l || l->type != BK_TREE || depth > BK_MAX_DEPTH)
		return ATTT_E_CORRUPT;
	if (l->used)
		return ATTT_OK;
	l->used = 1;
	if ((rc = attt__bk_load_tree(r, id, &t)) < 0)
		return rc;
	for (size_t i = 0; i < t.n && rc == 0; i++) {
		const struct bk_node *nd = &t.nodes[i];
		if (nd->kind == ATTT_BACKUP_DIR)
			rc = mark_tree(r, nd->subtree, depth + 1);
		for (uint32_t j = 0; nd->kind == ATTT_BACKUP_FILE && j < nd->n_chunks && rc == 0; j++) {
			struct bk_loc *cl = attt__bk_idx_get(&r->idx, nd->chunks + (size_t)j * BK_ID);
			if (!cl || cl->type != BK_DATA)
				rc = ATTT_E_CORRUPT;
			else
				cl->used = 1;
		}
	}
	attt__bk_tree_done(&t);
	return rc;
}

/* Writes a new pack holding the used blobs of old (already sealed: copied as they are). */
static int rewrite_pack(struct attt_backup_repo *r, const struct bk_packinfo *old, const uint8_t *f,
			struct bk_packinfo *ret)
{
	size_t ov = attt__bk_overhead(&r->k), size = 0, n = 0, hl;
	struct bk_blobent *b = calloc(old->n, sizeof(*b));
	uint8_t *buf = NULL, *h = NULL, id[BK_ID];
	char rel[128], dir[128], name[ATTT_BACKUP_ID_HEX];
	uint32_t no = 0;
	int rc = ATTT_E_NOMEM;

	if (!b)
		return rc;
	for (size_t i = 0; i < old->n; i++) {
		struct bk_loc *l = attt__bk_idx_get(&r->idx, old->blobs[i].id);
		if (l && l->used && attt__bk_idx_add_pack(&r->idx, old->id, &no) == 0 && l->pack == no &&
		    l->offset == old->blobs[i].offset) {
			b[n] = old->blobs[i];
			b[n].offset = (uint32_t)size;
			size += b[n].stored_len;
			n++;
		}
	}
	hl = 4 + n * BK_ENTRY_LEN;
	buf = malloc(size + hl + ov + 12);
	h = malloc(hl);
	if (!buf || !h)
		goto out;
	size = 0;
	for (size_t i = 0, k = 0; i < old->n && k < n; i++)
		if (memcmp(old->blobs[i].id, b[k].id, BK_ID) == 0 && old->blobs[i].stored_len == b[k].stored_len) {
			memcpy(buf + size, f + old->blobs[i].offset, b[k].stored_len);
			size += b[k].stored_len;
			k++;
		}
	attt__bk_put_u32(h, (uint32_t)n);
	for (size_t i = 0; i < n; i++) {
		uint8_t *e = h + 4 + i * BK_ENTRY_LEN;
		e[0] = b[i].type;
		e[1] = b[i].flags;
		attt__bk_put_u16(e + 2, 0);
		attt__bk_put_u32(e + 4, b[i].raw_len);
		attt__bk_put_u32(e + 8, b[i].stored_len);
		memcpy(e + 12, b[i].id, BK_ID);
	}
	if ((rc = attt__bk_seal(&r->k, (const uint8_t *)BK_PACK_MAGIC, 8, h, hl, buf + size)) < 0)
		goto out;
	size_t hdr_off = size;
	size += hl + ov;
	attt__bk_put_u32(buf + size, (uint32_t)(hl + ov));
	memcpy(buf + size + 4, BK_PACK_MAGIC, 8);
	size += 12;
	attt__bk_id(&r->k, buf + hdr_off, size - hdr_off, id); /* the name covers header and trailer */
	attt__bk_hex(id, BK_ID, name);
	if ((rc = attt__bk_pack_rel(id, rel, sizeof(rel))) < 0 ||
	    (rc = attt_str_printf(dir, sizeof(dir), "data/%.2s", name)) < 0 ||
	    (rc = attt__bk_write_file(r, dir, name, buf, size)) < 0)
		goto out;
	memcpy(ret->id, id, BK_ID);
	ret->blobs = b;
	ret->n = n;
	b = NULL;
	rc = ATTT_OK;
out:
	free(b);
	free(buf);
	free(h);
	return rc;
}

struct unref { struct attt_backup_repo *r; struct bk_packinfo *pi; size_t npi; char **del; size_t ndel, cdel; };

static int add_del(struct unref *u, const char *rel)
{
	if (u->ndel == u->cdel) {
		size_t c = u->cdel ? u->cdel * 2 : 16;
		void *np = realloc(u->del, c * sizeof(char *));
		if (!np)
			return ATTT_E_NOMEM;
		u->del = np;
		u->cdel = c;
	}
	if (!(u->del[u->ndel] = strdup(rel)))
		return ATTT_E_NOMEM;
	u->ndel++;
	return ATTT_OK;
}

static int find_unref(void *ctx, const char *rel, const uint8_t id[BK_ID])
{
	struct unref *u = ctx;
	struct bk_packinfo key;
	static const uint8_t zero[BK_ID];
	if (memcmp(id, zero, BK_ID) == 0)
		return ATTT_OK;
	memcpy(key.id, id, BK_ID);
	if (u->npi && bsearch(&key, u->pi, u->npi, sizeof(*u->pi), cmp_pi))
		return ATTT_OK;
	return add_del(u, rel);
}

int attt_backup_prune(struct attt_backup_repo *r, struct attt_backup_prune_stats *ret_stats)
{
	struct chk c = { .r = r };
	struct attt_backup_prune_stats st = { 0 };
	struct unref u = { .r = r };
	struct bk_packinfo *keep = NULL;
	size_t nkeep = 0;
	struct attt_backup_snapshot *v = NULL;
	size_t nv = 0;
	char **old_idx = NULL, path[ATTT_MAX_PATH], rel[128];
	size_t n_old = 0;
	int rc;

	if ((rc = attt__bk_lock(r, true)) < 0)
		return rc;
	if ((rc = load_all_indexes(r, &c)) < 0)
		goto out;
	if (c.st.problems) {
		rc = ATTT_E_CORRUPT; /* never prune a damaged repository: run check first */
		goto out;
	}
	if ((rc = attt__bk_snapshots_strict(r, &v, &nv)) < 0)
		goto out;
	for (size_t i = 0; i < nv; i++) {
		uint8_t root[BK_ID];
		if ((rc = attt__bk_unhex(v[i].tree, root, BK_ID)) < 0 || (rc = mark_tree(r, root, 0)) < 0)
			goto out;
	}
	u.pi = c.pi;
	u.npi = c.npi;
	if ((rc = attt__bk_each_pack(r, find_unref, &u)) < 0)
		goto out;
	keep = calloc(c.npi + 1, sizeof(*keep));
	if (!keep) {
		rc = ATTT_E_NOMEM;
		goto out;
	}
	c.pg.packs_total = distinct_packs(&c);
	for (size_t i = 0; i < c.npi; i++) {
		const struct bk_packinfo *p = &c.pi[i];
		size_t used = 0, fn = 0;
		uint32_t no;
		if (i > 0 && memcmp(p->id, c.pi[i - 1].id, BK_ID) == 0)
			continue;
		if ((rc = attt__bk_idx_add_pack(&r->idx, p->id, &no)) < 0)
			goto out;
		for (size_t j = 0; j < p->n; j++) {
			struct bk_loc *l = attt__bk_idx_get(&r->idx, p->blobs[j].id);
			if (l && l->used && l->pack == no && l->offset == p->blobs[j].offset)
				used++;
		}
		attt__bk_pack_rel(p->id, rel, sizeof(rel));
		if (used == p->n) {
			keep[nkeep].blobs = malloc(p->n * sizeof(*p->blobs));
			if (!keep[nkeep].blobs) {
				rc = ATTT_E_NOMEM;
				goto out;
			}
			memcpy(keep[nkeep].blobs, p->blobs, p->n * sizeof(*p->blobs));
			memcpy(keep[nkeep].id, p->id, BK_ID);
			keep[nkeep++].n = p->n;
			pack_done(&c, 0);
			continue;
		}
		st.blobs_deleted += p->n - used;
		for (size_t j = 0; j < p->n; j++)
			st.bytes_freed += p->blobs[j].stored_len;
		if (used) {
			uint8_t *f = NULL;
			if ((rc = attt__bk_path(r, rel, path, sizeof(path))) < 0 ||
			    (rc = attt__bk_read_file(path, MAX_PACK_FILE, &f, &fn)) < 0)
				goto out;
			rc = rewrite_pack(r, p, f, &keep[nkeep]);
			free(f);
			if (rc < 0)
				goto out;
			for (size_t j = 0; j < keep[nkeep].n; j++)
				st.bytes_freed -= keep[nkeep].blobs[j].stored_len;
			nkeep++;
			st.packs_rewritten++;
		} else {
			st.packs_deleted++;
		}
		if ((rc = add_del(&u, rel)) < 0)
			goto out;
		pack_done(&c, fn);
	}
	/* New index first, then the old index files, then the packs nothing refers to any more. */
	old_idx = r->idx_files;
	n_old = r->n_idx_files;
	r->idx_files = NULL;
	r->n_idx_files = 0;
	if (st.packs_deleted || st.packs_rewritten || n_old > 1) {
		char name[ATTT_BACKUP_ID_HEX] = "";
		if (nkeep && (rc = attt__bk_write_index(r, keep, nkeep, name, sizeof(name))) < 0)
			goto out;
		for (size_t i = 0; i < n_old; i++) {
			if (strcmp(old_idx[i], name) == 0)
				continue;
			if (attt_str_printf(path, sizeof(path), "%s/index/%s", r->dir, old_idx[i]) == 0)
				unlink(path);
		}
		if (attt_str_printf(path, sizeof(path), "%s/index", r->dir) == 0)
			attt__bk_fsync_dir(path);
	}
	for (size_t i = 0; i < u.ndel; i++)
		if (attt__bk_path(r, u.del[i], path, sizeof(path)) == 0)
			unlink(path);
	for (size_t i = 0; i < sizeof(TMP_DIRS) / sizeof(TMP_DIRS[0]); i++)
		if (strcmp(TMP_DIRS[i], "locks") != 0)
			count_tmp(r, TMP_DIRS[i], true, &st.temp_deleted);
	if (ret_stats)
		*ret_stats = st;
	rc = ATTT_OK;
out:
	attt__bk_unlock(r);
	attt__bk_strv_free(old_idx, n_old);
	attt__bk_strv_free(u.del, u.ndel);
	attt__bk_packinfos_free(keep, nkeep);
	attt__bk_packinfos_free(c.pi, c.npi);
	attt_backup_snapshots_free(v, nv);
	attt__bk_idx_done(&r->idx);
	r->idx_loaded = false;
	attt__bk_strv_free(r->idx_files, r->n_idx_files);
	r->idx_files = NULL;
	r->n_idx_files = 0;
	return rc;
}
