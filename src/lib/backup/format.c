/*
 * format.c: encoding and parsing of the backup formats (docs/backup.md): pack headers and
 * trailers, index files, snapshots and trees. These parsers face bytes that an attacker with write
 * access to the repository may have crafted (after decryption they are authenticated, but the
 * parsers do not rely on that): every length is checked before use, readers advance only on
 * success, counts are bounded before allocating, and names that could escape a restore target
 * ("", ".", "..", anything with '/' or NUL) are refused. All integers are little-endian.
 */
#include <stdlib.h>
#include <string.h>

#include "attt/err.h"
#include "backup-int.h"

void attt__bk_put_u16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

void attt__bk_put_u32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

void attt__bk_put_u64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

uint32_t attt__bk_get_u32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

uint64_t attt__bk_get_u64(const uint8_t *p)
{
	return (uint64_t)attt__bk_get_u32(p) | (uint64_t)attt__bk_get_u32(p + 4) << 32;
}

int attt__bk_rd_bytes(struct bk_rd *r, size_t n, const uint8_t **v)
{
	if (r->n < n)
		return ATTT_E_CORRUPT;
	*v = r->p;
	r->p += n;
	r->n -= n;
	return ATTT_OK;
}

int attt__bk_rd_u8(struct bk_rd *r, uint8_t *v)
{
	const uint8_t *p;
	if (attt__bk_rd_bytes(r, 1, &p) < 0)
		return ATTT_E_CORRUPT;
	*v = p[0];
	return ATTT_OK;
}

int attt__bk_rd_u16(struct bk_rd *r, uint16_t *v)
{
	const uint8_t *p;
	if (attt__bk_rd_bytes(r, 2, &p) < 0)
		return ATTT_E_CORRUPT;
	*v = (uint16_t)(p[0] | p[1] << 8);
	return ATTT_OK;
}

int attt__bk_rd_u32(struct bk_rd *r, uint32_t *v)
{
	const uint8_t *p;
	if (attt__bk_rd_bytes(r, 4, &p) < 0)
		return ATTT_E_CORRUPT;
	*v = attt__bk_get_u32(p);
	return ATTT_OK;
}

int attt__bk_rd_u64(struct bk_rd *r, uint64_t *v)
{
	const uint8_t *p;
	if (attt__bk_rd_bytes(r, 8, &p) < 0)
		return ATTT_E_CORRUPT;
	*v = attt__bk_get_u64(p);
	return ATTT_OK;
}

/* Pack header: u32 count, then count entries of u8 type, u8 flags, u16 zero, u32 raw_len,
 * u32 stored_len, id[32]; blobs lie back to back from offset 0. */
int attt__bk_pack_header_parse(const uint8_t *p, size_t n, uint64_t data_len, size_t overhead,
			       struct bk_blobent **ret, size_t *ret_n)
{
	struct bk_rd rd = { p, n };
	struct bk_blobent *v = NULL;
	uint32_t count;
	uint64_t off = 0;
	int r = ATTT_E_CORRUPT;

	if (attt__bk_rd_u32(&rd, &count) < 0 || count == 0 || count > BK_MAX_PACK_BLOBS ||
	    rd.n != (size_t)count * BK_ENTRY_LEN)
		goto out;
	v = calloc(count, sizeof(*v));
	if (!v) {
		r = ATTT_E_NOMEM;
		goto out;
	}
	for (uint32_t i = 0; i < count; i++) {
		uint16_t zero;
		const uint8_t *id;
		if (attt__bk_rd_u8(&rd, &v[i].type) < 0 || attt__bk_rd_u8(&rd, &v[i].flags) < 0 ||
		    attt__bk_rd_u16(&rd, &zero) < 0 || attt__bk_rd_u32(&rd, &v[i].raw_len) < 0 ||
		    attt__bk_rd_u32(&rd, &v[i].stored_len) < 0 || attt__bk_rd_bytes(&rd, BK_ID, &id) < 0)
			goto out;
		if (v[i].type > BK_TREE || v[i].flags & ~BK_ZSTD || zero != 0 || v[i].raw_len > BK_MAX_BLOB ||
		    v[i].stored_len < overhead || v[i].stored_len > BK_MAX_BLOB + overhead + 1024)
			goto out;
		memcpy(v[i].id, id, BK_ID);
		v[i].offset = (uint32_t)off;
		off += v[i].stored_len;
		if (off > data_len || off > UINT32_MAX)
			goto out;
	}
	if (off != data_len)
		goto out;
	*ret = v;
	*ret_n = count;
	v = NULL;
	r = ATTT_OK;
out:
	free(v);
	return r;
}

int attt__bk_pack_trailer(const uint8_t *tail, size_t tail_len, uint64_t file_len, size_t overhead,
			  uint32_t *ret_hdr_len)
{
	uint32_t hl;
	if (tail_len < 12 || file_len < 12 || memcmp(tail + tail_len - 8, BK_PACK_MAGIC, 8) != 0)
		return ATTT_E_CORRUPT;
	hl = attt__bk_get_u32(tail + tail_len - 12);
	if (hl < overhead + 4 + BK_ENTRY_LEN || (uint64_t)hl + 12 > file_len ||
	    hl > overhead + 4 + (uint64_t)BK_MAX_PACK_BLOBS * BK_ENTRY_LEN)
		return ATTT_E_CORRUPT;
	*ret_hdr_len = hl;
	return ATTT_OK;
}

void attt__bk_packinfos_free(struct bk_packinfo *pi, size_t n)
{
	if (!pi)
		return;
	for (size_t i = 0; i < n; i++)
		free(pi[i].blobs);
	free(pi);
}

/* Index: "ATTTIDX1", u32 packs, per pack id[32], u32 blobs, per blob u8 type, u8 flags, u16 zero,
 * u32 offset, u32 raw_len, u32 stored_len, id[32]. */
int attt__bk_index_parse(const uint8_t *p, size_t n, size_t overhead, struct bk_packinfo **ret, size_t *ret_n)
{
	struct bk_rd rd = { p, n };
	struct bk_packinfo *v = NULL;
	const uint8_t *magic, *id;
	uint32_t np = 0, i = 0;
	int r = ATTT_E_CORRUPT;

	if (attt__bk_rd_bytes(&rd, 8, &magic) < 0 || memcmp(magic, "ATTTIDX1", 8) != 0 ||
	    attt__bk_rd_u32(&rd, &np) < 0 || np > rd.n / (BK_ID + 4))
		goto out;
	v = calloc(np ? np : 1, sizeof(*v));
	if (!v) {
		r = ATTT_E_NOMEM;
		goto out;
	}
	for (i = 0; i < np; i++) {
		uint32_t nb;
		if (attt__bk_rd_bytes(&rd, BK_ID, &id) < 0 || attt__bk_rd_u32(&rd, &nb) < 0 || nb == 0 ||
		    nb > BK_MAX_PACK_BLOBS || nb > rd.n / BK_IDX_ENTRY_LEN)
			goto out;
		memcpy(v[i].id, id, BK_ID);
		v[i].blobs = calloc(nb, sizeof(*v[i].blobs));
		if (!v[i].blobs) {
			r = ATTT_E_NOMEM;
			goto out;
		}
		v[i].n = nb;
		for (uint32_t j = 0; j < nb; j++) {
			struct bk_blobent *b = &v[i].blobs[j];
			uint16_t zero;
			if (attt__bk_rd_u8(&rd, &b->type) < 0 || attt__bk_rd_u8(&rd, &b->flags) < 0 ||
			    attt__bk_rd_u16(&rd, &zero) < 0 || attt__bk_rd_u32(&rd, &b->offset) < 0 ||
			    attt__bk_rd_u32(&rd, &b->raw_len) < 0 || attt__bk_rd_u32(&rd, &b->stored_len) < 0 ||
			    attt__bk_rd_bytes(&rd, BK_ID, &id) < 0)
				goto out;
			if (b->type > BK_TREE || b->flags & ~BK_ZSTD || zero != 0 || b->raw_len > BK_MAX_BLOB ||
			    b->stored_len < overhead || (uint64_t)b->offset + b->stored_len > UINT32_MAX)
				goto out;
			memcpy(b->id, id, BK_ID);
		}
	}
	if (rd.n != 0)
		goto out;
	*ret = v;
	*ret_n = np;
	v = NULL;
	r = ATTT_OK;
out:
	attt__bk_packinfos_free(v, i < np ? i + 1 : np);
	return r;
}

/* Growable output for the encoders. */
struct wr { uint8_t *p; size_t n, cap; int err; };

static void wr_add(struct wr *w, const void *p, size_t n)
{
	if (w->err || n == 0)
		return;
	if (w->n + n > w->cap) {
		size_t cap = w->cap ? w->cap : 256;
		uint8_t *np;
		while (cap < w->n + n)
			cap *= 2;
		if (cap > BK_MAX_BLOB) {
			w->err = ATTT_E_TOOBIG;
			return;
		}
		np = realloc(w->p, cap);
		if (!np) {
			w->err = ATTT_E_NOMEM;
			return;
		}
		w->p = np;
		w->cap = cap;
	}
	memcpy(w->p + w->n, p, n);
	w->n += n;
}

static void wr_u8(struct wr *w, uint8_t v) { wr_add(w, &v, 1); }
static void wr_u16(struct wr *w, uint16_t v) { uint8_t b[2]; attt__bk_put_u16(b, v); wr_add(w, b, 2); }
static void wr_u32(struct wr *w, uint32_t v) { uint8_t b[4]; attt__bk_put_u32(b, v); wr_add(w, b, 4); }
static void wr_u64(struct wr *w, uint64_t v) { uint8_t b[8]; attt__bk_put_u64(b, v); wr_add(w, b, 8); }

static void wr_str(struct wr *w, const char *s)
{
	size_t n = s ? strlen(s) : 0;
	wr_u32(w, (uint32_t)n);
	wr_add(w, s, n);
}

static int wr_done(struct wr *w, uint8_t **ret, size_t *ret_n)
{
	if (w->err) {
		free(w->p);
		return w->err;
	}
	*ret = w->p;
	*ret_n = w->n;
	return ATTT_OK;
}

/* Snapshot: "ATTTSNP1", i64 time_us, tree[32], parent[32], str hostname, str username,
 * u32 n + str paths, u32 n + str tags, 7 x u64 stats. str = u32 length + bytes (no NUL). */
int attt__bk_snap_encode(const struct bk_snap *s, uint8_t **ret, size_t *ret_n)
{
	struct wr w = { 0 };
	wr_add(&w, "ATTTSNP1", 8);
	wr_u64(&w, (uint64_t)s->time_us);
	wr_add(&w, s->tree, BK_ID);
	wr_add(&w, s->parent, BK_ID);
	wr_str(&w, s->hostname);
	wr_str(&w, s->username);
	wr_u32(&w, (uint32_t)s->n_paths);
	for (size_t i = 0; i < s->n_paths; i++)
		wr_str(&w, s->paths[i]);
	wr_u32(&w, (uint32_t)s->n_tags);
	for (size_t i = 0; i < s->n_tags; i++)
		wr_str(&w, s->tags[i]);
	wr_u64(&w, s->stats.files);
	wr_u64(&w, s->stats.dirs);
	wr_u64(&w, s->stats.others);
	wr_u64(&w, s->stats.bytes);
	wr_u64(&w, s->stats.bytes_new);
	wr_u64(&w, s->stats.bytes_stored);
	wr_u64(&w, s->stats.blobs_new);
	return wr_done(&w, ret, ret_n);
}

static int rd_str(struct bk_rd *rd, char **ret)
{
	uint32_t n;
	const uint8_t *p;
	char *s;
	if (attt__bk_rd_u32(rd, &n) < 0 || n > BK_MAX_NAME || attt__bk_rd_bytes(rd, n, &p) < 0 ||
	    memchr(p, 0, n))
		return ATTT_E_CORRUPT;
	s = malloc(n + 1);
	if (!s)
		return ATTT_E_NOMEM;
	memcpy(s, p, n);
	s[n] = 0;
	*ret = s;
	return ATTT_OK;
}

static int rd_strv(struct bk_rd *rd, char ***ret, size_t *ret_n)
{
	uint32_t n;
	char **v;
	int r;
	if (attt__bk_rd_u32(rd, &n) < 0 || n > 4096 || n > rd->n / 4)
		return ATTT_E_CORRUPT;
	v = calloc(n ? n : 1, sizeof(*v));
	if (!v)
		return ATTT_E_NOMEM;
	for (uint32_t i = 0; i < n; i++) {
		r = rd_str(rd, &v[i]);
		if (r < 0) {
			attt__bk_strv_free(v, i);
			return r;
		}
	}
	*ret = v;
	*ret_n = n;
	return ATTT_OK;
}

void attt__bk_snap_done(struct bk_snap *s)
{
	free(s->hostname);
	free(s->username);
	attt__bk_strv_free(s->paths, s->n_paths);
	attt__bk_strv_free(s->tags, s->n_tags);
	memset(s, 0, sizeof(*s));
}

int attt__bk_snap_parse(const uint8_t *p, size_t n, struct bk_snap *ret)
{
	struct bk_rd rd = { p, n };
	struct bk_snap s = { 0 };
	const uint8_t *m, *t, *pa;
	uint64_t tm;
	int r = ATTT_E_CORRUPT;

	if (attt__bk_rd_bytes(&rd, 8, &m) < 0 || memcmp(m, "ATTTSNP1", 8) != 0 || attt__bk_rd_u64(&rd, &tm) < 0 ||
	    attt__bk_rd_bytes(&rd, BK_ID, &t) < 0 || attt__bk_rd_bytes(&rd, BK_ID, &pa) < 0)
		goto out;
	s.time_us = (int64_t)tm;
	memcpy(s.tree, t, BK_ID);
	memcpy(s.parent, pa, BK_ID);
	if ((r = rd_str(&rd, &s.hostname)) < 0 || (r = rd_str(&rd, &s.username)) < 0 ||
	    (r = rd_strv(&rd, &s.paths, &s.n_paths)) < 0 || (r = rd_strv(&rd, &s.tags, &s.n_tags)) < 0)
		goto out;
	r = ATTT_E_CORRUPT;
	if (attt__bk_rd_u64(&rd, &s.stats.files) < 0 || attt__bk_rd_u64(&rd, &s.stats.dirs) < 0 ||
	    attt__bk_rd_u64(&rd, &s.stats.others) < 0 || attt__bk_rd_u64(&rd, &s.stats.bytes) < 0 ||
	    attt__bk_rd_u64(&rd, &s.stats.bytes_new) < 0 || attt__bk_rd_u64(&rd, &s.stats.bytes_stored) < 0 ||
	    attt__bk_rd_u64(&rd, &s.stats.blobs_new) < 0 || rd.n != 0)
		goto out;
	*ret = s;
	memset(&s, 0, sizeof(s));
	r = ATTT_OK;
out:
	attt__bk_snap_done(&s);
	return r;
}

/* Tree: "ATTTTRE1", u32 count, per node: u16 name_len, name, u8 kind, u8 flags, u32 mode, uid, gid,
 * nlink, i64 mtime_sec, u32 mtime_nsec, i64 atime_sec, u32 atime_nsec, u64 size, rdev, link_group,
 * ino, i64 ctime_sec, u32 ctime_nsec, then for a file u32 n_chunks + ids, for a directory the subtree id, for a symlink u16 + target. */
int attt__bk_tree_encode(const struct bk_tree *t, uint8_t **ret, size_t *ret_n)
{
	struct wr w = { 0 };
	wr_add(&w, "ATTTTRE1", 8);
	wr_u32(&w, (uint32_t)t->n);
	for (size_t i = 0; i < t->n; i++) {
		const struct bk_node *nd = &t->nodes[i];
		wr_u16(&w, nd->name_len);
		wr_add(&w, nd->name, nd->name_len);
		wr_u8(&w, nd->kind);
		wr_u8(&w, nd->flags);
		wr_u32(&w, nd->mode);
		wr_u32(&w, nd->uid);
		wr_u32(&w, nd->gid);
		wr_u32(&w, nd->nlink);
		wr_u64(&w, (uint64_t)nd->mtime_sec);
		wr_u32(&w, nd->mtime_nsec);
		wr_u64(&w, (uint64_t)nd->atime_sec);
		wr_u32(&w, nd->atime_nsec);
		wr_u64(&w, nd->size);
		wr_u64(&w, nd->rdev);
		wr_u64(&w, nd->link_group);
		wr_u64(&w, nd->ino);
		wr_u64(&w, (uint64_t)nd->ctime_sec);
		wr_u32(&w, nd->ctime_nsec);
		if (nd->kind == ATTT_BACKUP_FILE) {
			wr_u32(&w, nd->n_chunks);
			wr_add(&w, nd->chunks, (size_t)nd->n_chunks * BK_ID);
		} else if (nd->kind == ATTT_BACKUP_DIR) {
			wr_add(&w, nd->subtree, BK_ID);
		} else if (nd->kind == ATTT_BACKUP_SYMLINK) {
			wr_u16(&w, nd->target_len);
			wr_add(&w, nd->target, nd->target_len);
		}
	}
	return wr_done(&w, ret, ret_n);
}

void attt__bk_node_done(struct bk_node *nd)
{
	free(nd->name);
	free(nd->chunks);
	free(nd->target);
	memset(nd, 0, sizeof(*nd));
}

void attt__bk_tree_done(struct bk_tree *t)
{
	for (size_t i = 0; i < t->n; i++)
		attt__bk_node_done(&t->nodes[i]);
	free(t->nodes);
	memset(t, 0, sizeof(*t));
}

static int name_ok(const uint8_t *p, size_t n)
{
	if (n == 0 || memchr(p, '/', n) || memchr(p, 0, n))
		return 0;
	if ((n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
		return 0;
	return 1;
}

static int name_cmp(const struct bk_node *a, const uint8_t *p, size_t n)
{
	size_t m = a->name_len < n ? a->name_len : n;
	int c = memcmp(a->name, p, m);
	if (c)
		return c;
	return a->name_len < n ? -1 : a->name_len > n ? 1 : 0;
}

int attt__bk_tree_parse(const uint8_t *p, size_t n, struct bk_tree *ret)
{
	struct bk_rd rd = { p, n };
	struct bk_tree t = { 0 };
	const uint8_t *m, *b;
	uint32_t count;
	int r = ATTT_E_CORRUPT;

	if (attt__bk_rd_bytes(&rd, 8, &m) < 0 || memcmp(m, "ATTTTRE1", 8) != 0 || attt__bk_rd_u32(&rd, &count) < 0 ||
	    count > rd.n / 89)
		goto out;
	t.nodes = calloc(count ? count : 1, sizeof(*t.nodes));
	if (!t.nodes) {
		r = ATTT_E_NOMEM;
		goto out;
	}
	t.cap = count;
	for (uint32_t i = 0; i < count; i++) {
		struct bk_node *nd = &t.nodes[i];
		uint64_t v;
		uint16_t nl;
		if (attt__bk_rd_u16(&rd, &nl) < 0 || attt__bk_rd_bytes(&rd, nl, &b) < 0 || !name_ok(b, nl))
			goto out;
		if (i > 0 && name_cmp(&t.nodes[i - 1], b, nl) >= 0)
			goto out;
		nd->name = malloc(nl);
		if (!nd->name) {
			r = ATTT_E_NOMEM;
			goto out;
		}
		memcpy(nd->name, b, nl);
		nd->name_len = nl;
		t.n = i + 1;
		if (attt__bk_rd_u8(&rd, &nd->kind) < 0 || attt__bk_rd_u8(&rd, &nd->flags) < 0 ||
		    attt__bk_rd_u32(&rd, &nd->mode) < 0 || attt__bk_rd_u32(&rd, &nd->uid) < 0 ||
		    attt__bk_rd_u32(&rd, &nd->gid) < 0 || attt__bk_rd_u32(&rd, &nd->nlink) < 0 ||
		    attt__bk_rd_u64(&rd, &v) < 0)
			goto out;
		nd->mtime_sec = (int64_t)v;
		if (attt__bk_rd_u32(&rd, &nd->mtime_nsec) < 0 || attt__bk_rd_u64(&rd, &v) < 0)
			goto out;
		nd->atime_sec = (int64_t)v;
		if (attt__bk_rd_u32(&rd, &nd->atime_nsec) < 0 || attt__bk_rd_u64(&rd, &nd->size) < 0 ||
		    attt__bk_rd_u64(&rd, &nd->rdev) < 0 || attt__bk_rd_u64(&rd, &nd->link_group) < 0 ||
		    attt__bk_rd_u64(&rd, &nd->ino) < 0 || attt__bk_rd_u64(&rd, &v) < 0 ||
		    attt__bk_rd_u32(&rd, &nd->ctime_nsec) < 0)
			goto out;
		nd->ctime_sec = (int64_t)v;
		if (nd->kind < ATTT_BACKUP_FILE || nd->kind > ATTT_BACKUP_SOCK || nd->flags & ~BK_SPARSE ||
		    nd->mtime_nsec >= 1000000000u || nd->atime_nsec >= 1000000000u || nd->ctime_nsec >= 1000000000u || nd->mode > 07777)
			goto out;
		if (nd->kind == ATTT_BACKUP_FILE) {
			uint32_t nc;
			if (attt__bk_rd_u32(&rd, &nc) < 0 || nc > rd.n / BK_ID ||
			    attt__bk_rd_bytes(&rd, (size_t)nc * BK_ID, &b) < 0)
				goto out;
			if (nc) {
				nd->chunks = malloc((size_t)nc * BK_ID);
				if (!nd->chunks) {
					r = ATTT_E_NOMEM;
					goto out;
				}
				memcpy(nd->chunks, b, (size_t)nc * BK_ID);
			}
			nd->n_chunks = nc;
		} else if (nd->kind == ATTT_BACKUP_DIR) {
			if (attt__bk_rd_bytes(&rd, BK_ID, &b) < 0)
				goto out;
			memcpy(nd->subtree, b, BK_ID);
		} else if (nd->kind == ATTT_BACKUP_SYMLINK) {
			uint16_t tl;
			if (attt__bk_rd_u16(&rd, &tl) < 0 || tl == 0 || attt__bk_rd_bytes(&rd, tl, &b) < 0 ||
			    memchr(b, 0, tl))
				goto out;
			nd->target = malloc(tl);
			if (!nd->target) {
				r = ATTT_E_NOMEM;
				goto out;
			}
			memcpy(nd->target, b, tl);
			nd->target_len = tl;
		}
	}
	if (rd.n != 0)
		goto out;
	*ret = t;
	memset(&t, 0, sizeof(t));
	r = ATTT_OK;
out:
	attt__bk_tree_done(&t);
	return r;
}
