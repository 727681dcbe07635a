/*
 * merkle.c: RFC 9162 Merkle tree hashing, proof generation and verification (R7.1).
 *
 * Hashes are SHA-256 (OpenSSL's, for the CPU's SHA extensions) with the RFC's domain separation: leaf = H(0x00 || data),
 * node = H(0x01 || left || right), the empty tree hashes to H(""). Proof generation reads only
 * perfect, aligned subtree hashes through struct attt_merkle_src, so a store that keeps every
 * complete subtree (the audit_node table) answers a proof with O(log n) reads; a small cache keeps
 * the right-edge subtrees that several levels of a proof share. The verifiers follow RFC 9162
 * sections 2.1.3.2 and 2.1.4.2 step by step and accept only what the shared test vectors accept.
 */
#include <stdlib.h>
#include <string.h>

#include <pthread.h>

#include <openssl/evp.h>
#include <sodium.h>

#include "attt/audit.h"
#include "attt/err.h"
#include "attt/limits.h"
#include "audit-int.h"

static EVP_MD *sha256_md;
static pthread_once_t sha256_once = PTHREAD_ONCE_INIT;

static void sha256_fetch(void)
{
	/* Fetched once: the one-shot SHA256() fetches (under a lock) on every call. Held for the life
	 * of the process, like OpenSSL's own default provider. */
	sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
}

void attt__sha256(const void *p, size_t n, uint8_t out[ATTT_HASH_LEN])
{
	/* OpenSSL's SHA-256 uses the CPU's SHA extensions where present. */
	pthread_once(&sha256_once, sha256_fetch);
	if (!sha256_md || EVP_Digest(p, n, out, NULL, sha256_md, NULL) != 1)
		crypto_hash_sha256(out, p, n); /* same function, portable code */
}

void attt_merkle_leaf(const void *p, size_t n, struct attt_hash *ret)
{
	uint8_t small[1024];
	uint8_t *buf = n < sizeof(small) ? small : malloc(n + 1);

	if (buf) {
		buf[0] = 0x00;
		memcpy(buf + 1, p, n);
		attt__sha256(buf, n + 1, ret->b);
		if (buf != small)
			free(buf);
		return;
	}
	/* Out of memory for a huge leaf: hash in pieces instead (same result, no allocation). */
	crypto_hash_sha256_state st;
	const uint8_t prefix = 0x00;
	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, &prefix, 1);
	crypto_hash_sha256_update(&st, p, n);
	crypto_hash_sha256_final(&st, ret->b);
}

void attt_merkle_node(const struct attt_hash *l, const struct attt_hash *r, struct attt_hash *ret)
{
	uint8_t in[1 + 2 * ATTT_HASH_LEN];

	in[0] = 0x01;
	memcpy(in + 1, l->b, ATTT_HASH_LEN);
	memcpy(in + 1 + ATTT_HASH_LEN, r->b, ATTT_HASH_LEN);
	attt__sha256(in, sizeof(in), ret->b);
}

void attt_merkle_empty_root(struct attt_hash *ret)
{
	attt__sha256("", 0, ret->b);
}

/* Largest power of two strictly smaller than n (n >= 2). */
static uint64_t split_point(uint64_t n)
{
	uint64_t k = 1;
	while (k < n - k)
		k <<= 1;
	return k;
}

static unsigned ctz64(uint64_t v)
{
	return (unsigned)__builtin_ctzll(v);
}

/* Proof generation state: the source and a tiny cache of subtree hashes already read. */
#define SRC_CACHE 64
struct gen {
	const struct attt_merkle_src *src;
	unsigned n;
	unsigned next;
	struct {
		uint8_t level;
		uint64_t index;
		struct attt_hash h;
	} cache[SRC_CACHE];
};

static int gen_get(struct gen *g, unsigned level, uint64_t index, struct attt_hash *ret)
{
	int r;

	for (unsigned i = 0; i < g->n; i++)
		if (g->cache[i].level == level && g->cache[i].index == index) {
			*ret = g->cache[i].h;
			return ATTT_OK;
		}
	r = g->src->get(g->src->ctx, level, index, ret);
	if (r < 0)
		return r;
	g->cache[g->next].level = (uint8_t)level;
	g->cache[g->next].index = index;
	g->cache[g->next].h = *ret;
	g->next = (g->next + 1) % SRC_CACHE;
	if (g->n < SRC_CACHE)
		g->n++;
	return ATTT_OK;
}

/* MTH(D[lo:hi]) for 0 <= lo < hi, where lo is aligned to the largest power of two that fits. */
static int mth(struct gen *g, uint64_t lo, uint64_t hi, struct attt_hash *ret)
{
	uint64_t n = hi - lo;
	struct attt_hash a, b;
	int r;

	if ((n & (n - 1)) == 0 && (lo & (n - 1)) == 0)
		return gen_get(g, ctz64(n), lo >> ctz64(n), ret);
	uint64_t k = split_point(n);
	r = mth(g, lo, lo + k, &a);
	if (r < 0)
		return r;
	r = mth(g, lo + k, hi, &b);
	if (r < 0)
		return r;
	attt_merkle_node(&a, &b, ret);
	return ATTT_OK;
}

int attt_merkle_root(const struct attt_merkle_src *src, uint64_t size, struct attt_hash *ret)
{
	struct gen g = { .src = src };

	if (size == 0) {
		attt_merkle_empty_root(ret);
		return ATTT_OK;
	}
	return mth(&g, 0, size, ret);
}

static int push(struct attt_hash *proof, size_t max, size_t *n, const struct attt_hash *h)
{
	if (*n >= max)
		return ATTT_E_TOOBIG;
	proof[(*n)++] = *h;
	return ATTT_OK;
}

/* RFC 9162 2.1.3.1 PATH(m, D[lo:hi]), appending deepest sibling first. */
static int path(struct gen *g, uint64_t m, uint64_t lo, uint64_t hi, struct attt_hash *proof, size_t max,
		size_t *n)
{
	struct attt_hash h;
	int r;

	if (hi - lo <= 1)
		return ATTT_OK;
	uint64_t k = split_point(hi - lo);
	if (m < k) {
		r = path(g, m, lo, lo + k, proof, max, n);
		if (r >= 0)
			r = mth(g, lo + k, hi, &h);
	} else {
		r = path(g, m - k, lo + k, hi, proof, max, n);
		if (r >= 0)
			r = mth(g, lo, lo + k, &h);
	}
	if (r < 0)
		return r;
	return push(proof, max, n, &h);
}

int attt_merkle_prove_inclusion(const struct attt_merkle_src *src, uint64_t index, uint64_t size,
				struct attt_hash *proof, size_t max, size_t *ret_n)
{
	struct gen g = { .src = src };
	size_t n = 0;
	int r;

	if (index >= size)
		return ATTT_E_RANGE;
	r = path(&g, index, 0, size, proof, max, &n);
	if (r < 0)
		return r;
	*ret_n = n;
	return ATTT_OK;
}

/* RFC 9162 2.1.4.1 SUBPROOF(m, D[lo:hi], b). */
static int subproof(struct gen *g, uint64_t m, uint64_t lo, uint64_t hi, bool b, struct attt_hash *proof,
		    size_t max, size_t *n)
{
	struct attt_hash h;
	int r;

	if (m == hi - lo) {
		if (b)
			return ATTT_OK;
		r = mth(g, lo, hi, &h);
		return r < 0 ? r : push(proof, max, n, &h);
	}
	uint64_t k = split_point(hi - lo);
	if (m <= k) {
		r = subproof(g, m, lo, lo + k, b, proof, max, n);
		if (r >= 0)
			r = mth(g, lo + k, hi, &h);
	} else {
		r = subproof(g, m - k, lo + k, hi, false, proof, max, n);
		if (r >= 0)
			r = mth(g, lo, lo + k, &h);
	}
	if (r < 0)
		return r;
	return push(proof, max, n, &h);
}

int attt_merkle_prove_consistency(const struct attt_merkle_src *src, uint64_t size1, uint64_t size2,
				  struct attt_hash *proof, size_t max, size_t *ret_n)
{
	struct gen g = { .src = src };
	size_t n = 0;
	int r;

	if (size1 == 0 || size1 > size2)
		return ATTT_E_RANGE;
	if (size1 < size2) {
		r = subproof(&g, size1, 0, size2, true, proof, max, &n);
		if (r < 0)
			return r;
	}
	*ret_n = n;
	return ATTT_OK;
}

static bool hash_eq(const struct attt_hash *h, const void *p, size_t n)
{
	return n == ATTT_HASH_LEN && memcmp(h->b, p, ATTT_HASH_LEN) == 0;
}

int attt_merkle_verify_inclusion(uint64_t index, uint64_t size, const void *leaf, size_t leaf_len,
				 const struct attt_hash *proof, size_t n, const void *root, size_t root_len)
{
	struct attt_hash r;
	uint64_t fn, sn;

	/* Step 1: the index must lie inside the tree; the hashes must be SHA-256 sized. */
	if (index >= size || leaf_len != ATTT_HASH_LEN || root_len != ATTT_HASH_LEN)
		return ATTT_E_CORRUPT;
	fn = index;
	sn = size - 1;
	memcpy(r.b, leaf, ATTT_HASH_LEN);
	for (size_t i = 0; i < n; i++) {
		if (sn == 0)
			return ATTT_E_CORRUPT;
		if ((fn & 1) || fn == sn) {
			attt_merkle_node(&proof[i], &r, &r);
			if (!(fn & 1))
				while (fn != 0 && !(fn & 1)) {
					fn >>= 1;
					sn >>= 1;
				}
		} else {
			attt_merkle_node(&r, &proof[i], &r);
		}
		fn >>= 1;
		sn >>= 1;
	}
	if (sn != 0 || !hash_eq(&r, root, root_len))
		return ATTT_E_CORRUPT;
	return ATTT_OK;
}

static bool bytes_eq(const void *a, size_t na, const void *b, size_t nb)
{
	return na == nb && (na == 0 || memcmp(a, b, na) == 0);
}

int attt_merkle_verify_consistency(uint64_t size1, uint64_t size2, const struct attt_hash *proof, size_t n,
				   const void *root1, size_t len1, const void *root2, size_t len2)
{
	struct attt_hash fr, sr;
	uint64_t fn, sn;
	size_t i = 0;

	/* A consistency proof exists only for 0 < size1 <= size2; equal sizes need an empty proof and
	 * equal roots (RFC 9162 2.1.4: the proof between a tree and itself is empty). */
	if (size1 == 0 || size1 > size2)
		return ATTT_E_CORRUPT;
	if (size1 == size2)
		return n == 0 && bytes_eq(root1, len1, root2, len2) ? ATTT_OK : ATTT_E_CORRUPT;
	/* Step 1. */
	if (n == 0 || len1 != ATTT_HASH_LEN || len2 != ATTT_HASH_LEN)
		return ATTT_E_CORRUPT;
	/* Step 2: when size1 is a power of two, first_hash is the implicit first element. */
	bool pow2 = (size1 & (size1 - 1)) == 0;
	/* Steps 3 and 4. */
	fn = size1 - 1;
	sn = size2 - 1;
	while (fn & 1) {
		fn >>= 1;
		sn >>= 1;
	}
	/* Step 5. */
	if (pow2) {
		memcpy(fr.b, root1, ATTT_HASH_LEN);
	} else {
		fr = proof[0];
		i = 1;
	}
	sr = fr;
	/* Step 6. */
	for (; i < n; i++) {
		if (sn == 0)
			return ATTT_E_CORRUPT;
		if ((fn & 1) || fn == sn) {
			attt_merkle_node(&proof[i], &fr, &fr);
			attt_merkle_node(&proof[i], &sr, &sr);
			if (!(fn & 1))
				while (fn != 0 && !(fn & 1)) {
					fn >>= 1;
					sn >>= 1;
				}
		} else {
			attt_merkle_node(&sr, &proof[i], &sr);
		}
		fn >>= 1;
		sn >>= 1;
	}
	/* Step 7. */
	if (sn != 0 || !hash_eq(&fr, root1, len1) || !hash_eq(&sr, root2, len2))
		return ATTT_E_CORRUPT;
	return ATTT_OK;
}

void attt_merkle_stream_init(struct attt_merkle_stream *s)
{
	memset(s, 0, sizeof(*s));
}

int attt_merkle_stream_add(struct attt_merkle_stream *s, const struct attt_hash *leaf,
			   int (*done)(void *ctx, unsigned level, uint64_t index, const struct attt_hash *h),
			   void *ctx)
{
	struct attt_hash h = *leaf;
	uint64_t idx = s->size;
	unsigned level = 0;
	int r;

	if (s->size == UINT64_MAX)
		return ATTT_E_RANGE;
	if (done && (r = done(ctx, 0, idx, &h)) < 0)
		return r;
	/* Each set low bit of size is a peak that the new leaf's subtree now completes. */
	while (s->n > 0 && s->level[s->n - 1] == level) {
		attt_merkle_node(&s->h[s->n - 1], &h, &h);
		s->n--;
		level++;
		idx >>= 1;
		if (done && (r = done(ctx, level, idx, &h)) < 0)
			return r;
	}
	s->h[s->n] = h;
	s->level[s->n] = (uint8_t)level;
	s->n++;
	s->size++;
	return ATTT_OK;
}

void attt_merkle_stream_root(const struct attt_merkle_stream *s, struct attt_hash *ret)
{
	struct attt_hash h;

	if (s->n == 0) {
		attt_merkle_empty_root(ret);
		return;
	}
	h = s->h[s->n - 1];
	for (unsigned i = s->n - 1; i-- > 0;)
		attt_merkle_node(&s->h[i], &h, &h);
	*ret = h;
}

int attt_merkle_stream_start(struct attt_merkle_stream *s, const struct attt_merkle_src *src, uint64_t size)
{
	struct attt_merkle_stream t;
	uint64_t lo = 0;
	int r;

	attt_merkle_stream_init(&t);
	/* The peaks of size, largest first: one perfect subtree per set bit. */
	for (int bit = 63; bit >= 0; bit--) {
		uint64_t w = UINT64_C(1) << bit;
		if (!(size & w))
			continue;
		r = src->get(src->ctx, (unsigned)bit, lo >> bit, &t.h[t.n]);
		if (r < 0)
			return r;
		t.level[t.n++] = (uint8_t)bit;
		lo += w;
	}
	t.size = size;
	*s = t;
	return ATTT_OK;
}

bool attt__b64_ok(const char *p, size_t n)
{
	/* libsodium's decoder is not strict about bytes outside the alphabet: check first. */
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
		      c == '/' || c == '='))
			return false;
	}
	return true;
}

int attt_merkle_proof_parse(const char *p, size_t len, struct attt_hash *proof, size_t max, size_t *ret_n)
{
	size_t n = 0, pos = 0;

	while (pos < len) {
		const char *nl = memchr(p + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - p) : len;
		size_t bin_len = 0;
		const char *b64_end = NULL;

		if (end == pos)
			return ATTT_E_PARSE; /* empty line */
		if (n >= max)
			return ATTT_E_TOOBIG;
		if (!attt__b64_ok(p + pos, end - pos) ||
		    sodium_base642bin(proof[n].b, ATTT_HASH_LEN, p + pos, end - pos, NULL, &bin_len, &b64_end,
				      sodium_base64_VARIANT_ORIGINAL) != 0 ||
		    bin_len != ATTT_HASH_LEN || b64_end != p + end)
			return ATTT_E_PARSE;
		n++;
		pos = nl ? end + 1 : len;
	}
	*ret_n = n;
	return ATTT_OK;
}

int attt_hash_b64(const struct attt_hash *h, char *buf, size_t size)
{
	if (size < ATTT_HASH_B64)
		return ATTT_E_TOOBIG;
	sodium_bin2base64(buf, size, h->b, ATTT_HASH_LEN, sodium_base64_VARIANT_ORIGINAL);
	return ATTT_OK;
}

int attt_hash_from_b64(const char *s, size_t n, struct attt_hash *ret)
{
	struct attt_hash h;
	size_t bin_len = 0;
	const char *end = NULL;

	if (!attt__b64_ok(s, n) ||
	    sodium_base642bin(h.b, sizeof(h.b), s, n, NULL, &bin_len, &end, sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    bin_len != ATTT_HASH_LEN || end != s + n)
		return ATTT_E_PARSE;
	*ret = h;
	return ATTT_OK;
}
