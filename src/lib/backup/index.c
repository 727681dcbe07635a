/*
 * index.c: the in-memory index of a repository: blob id -> pack number, offset and lengths, in an
 * open-addressing hash table keyed by the first 8 bytes of the (already uniformly random, keyed)
 * id. Pack ids are kept once in a side array. Not thread-safe: a save's reader thread owns it.
 */
#include <stdlib.h>
#include <string.h>

#include "attt/err.h"
#include "backup-int.h"

static size_t slot_of(const uint8_t id[BK_ID], size_t cap)
{
	return (size_t)attt__bk_get_u64(id) & (cap - 1);
}

static int is_empty(const struct bk_loc *l)
{
	static const uint8_t zero[BK_ID];
	return memcmp(l->id, zero, BK_ID) == 0;
}

static int grow(struct bk_index *x)
{
	size_t cap = x->cap ? x->cap * 2 : 1024;
	struct bk_loc *s = calloc(cap, sizeof(*s));
	if (!s)
		return ATTT_E_NOMEM;
	for (size_t i = 0; i < x->cap; i++) {
		if (is_empty(&x->slots[i]))
			continue;
		size_t j = slot_of(x->slots[i].id, cap);
		while (!is_empty(&s[j]))
			j = (j + 1) & (cap - 1);
		s[j] = x->slots[i];
	}
	free(x->slots);
	x->slots = s;
	x->cap = cap;
	return ATTT_OK;
}

struct bk_loc *attt__bk_idx_get(const struct bk_index *x, const uint8_t id[BK_ID])
{
	if (!x->cap)
		return NULL;
	for (size_t j = slot_of(id, x->cap);; j = (j + 1) & (x->cap - 1)) {
		if (is_empty(&x->slots[j]))
			return NULL;
		if (memcmp(x->slots[j].id, id, BK_ID) == 0)
			return &x->slots[j];
	}
}

/* Inserts l, or replaces a pending entry with it; an existing stored entry is kept. */
int attt__bk_idx_put(struct bk_index *x, const struct bk_loc *l)
{
	struct bk_loc *e;
	int r;

	if (is_empty(l))
		return ATTT_E_CORRUPT;
	e = attt__bk_idx_get(x, l->id);
	if (e) {
		if (e->pack == BK_PENDING)
			*e = *l;
		return ATTT_OK;
	}
	if ((x->n + 1) * 4 > x->cap * 3 && (r = grow(x)) < 0)
		return r;
	size_t j = slot_of(l->id, x->cap);
	while (!is_empty(&x->slots[j]))
		j = (j + 1) & (x->cap - 1);
	x->slots[j] = *l;
	x->n++;
	return ATTT_OK;
}

int attt__bk_idx_add_pack(struct bk_index *x, const uint8_t id[BK_ID], uint32_t *ret_no)
{
	for (size_t i = x->n_packs; i-- > 0;)
		if (memcmp(x->packs[i], id, BK_ID) == 0) {
			*ret_no = (uint32_t)i;
			return ATTT_OK;
		}
	if (x->n_packs == x->cap_packs) {
		size_t cap = x->cap_packs ? x->cap_packs * 2 : 64;
		void *p = realloc(x->packs, cap * BK_ID);
		if (!p)
			return ATTT_E_NOMEM;
		x->packs = p;
		x->cap_packs = cap;
	}
	memcpy(x->packs[x->n_packs], id, BK_ID);
	*ret_no = (uint32_t)x->n_packs++;
	return ATTT_OK;
}

void attt__bk_idx_done(struct bk_index *x)
{
	free(x->slots);
	free(x->packs);
	memset(x, 0, sizeof(*x));
}
