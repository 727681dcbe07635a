/*
 * test_merkle.c: the RFC 9162 Merkle code of the audit module (R7.1): every shared test vector
 * (testdata/merkle from transparency-dev/merkle) is accepted or rejected as it says, proofs made
 * from a node store verify, and any change to a proof, a size or a root is rejected.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>
#include <sodium.h>

#include "attt/audit.h"
#include "attt/err.h"
#include "attt/limits.h"

/* An in-memory tree: leaf hashes, subtree hashes computed on demand. */
struct mem {
	struct attt_hash *leaf;
	uint64_t n;
	unsigned reads;
};

static void mth(const struct mem *m, uint64_t lo, uint64_t hi, struct attt_hash *ret)
{
	if (hi - lo == 1) {
		*ret = m->leaf[lo];
		return;
	}
	uint64_t k = 1;
	while (k < hi - lo - k)
		k <<= 1;
	struct attt_hash a, b;
	mth(m, lo, lo + k, &a);
	mth(m, lo + k, hi, &b);
	attt_merkle_node(&a, &b, ret);
}

static int mem_get(void *ctx, unsigned level, uint64_t index, struct attt_hash *ret)
{
	struct mem *m = ctx;
	uint64_t lo = index << level, hi = (index + 1) << level;
	if (hi > m->n)
		return ATTT_E_NOTFOUND;
	m->reads++;
	mth(m, lo, hi, ret);
	return ATTT_OK;
}

static void mem_init(struct mem *m, uint64_t n)
{
	m->leaf = calloc(n ? n : 1, sizeof(*m->leaf));
	assert_non_null(m->leaf);
	m->n = n;
	m->reads = 0;
	for (uint64_t i = 0; i < n; i++) {
		uint8_t d[8];
		for (int j = 0; j < 8; j++)
			d[j] = (uint8_t)(i >> (8 * j));
		attt_merkle_leaf(d, sizeof(d), &m->leaf[i]);
	}
}

/* ---- vectors ---- */

/* Reads an unsigned JSON number straight from the text (jansson's integers stop at INT64_MAX, and
 * one vector uses 2^64 - 1). */
static uint64_t raw_u64(const char *text, const char *key)
{
	char pat[64];
	snprintf(pat, sizeof(pat), "\"%s\":", key);
	const char *p = strstr(text, pat);
	assert_non_null(p);
	p += strlen(pat);
	while (*p == ' ')
		p++;
	uint64_t v = 0;
	assert_true(*p >= '0' && *p <= '9');
	for (; *p >= '0' && *p <= '9'; p++) {
		assert_true(v <= (UINT64_MAX - (uint64_t)(*p - '0')) / 10);
		v = v * 10 + (uint64_t)(*p - '0');
	}
	return v;
}

static size_t b64_any(json_t *s, uint8_t *out, size_t max)
{
	size_t n = 0;
	const char *t = json_string_value(s);
	assert_non_null(t);
	assert_int_equal(sodium_base642bin(out, max, t, strlen(t), NULL, &n, NULL, sodium_base64_VARIANT_ORIGINAL), 0);
	return n;
}

/* Decodes the proof list; elements that are not 32-byte hashes make the proof undecodable, which a
 * verifier must treat as a rejection. Returns -1 then. */
static int decode_proof(json_t *arr, struct attt_hash *proof, size_t *ret_n)
{
	size_t i;
	json_t *v;
	*ret_n = 0;
	if (json_is_null(arr))
		return 0;
	json_array_foreach(arr, i, v) {
		uint8_t b[128];
		if (i >= ATTT_AUDIT_MAX_PROOF || b64_any(v, b, sizeof(b)) != ATTT_HASH_LEN)
			return -1;
		memcpy(proof[i].b, b, ATTT_HASH_LEN);
	}
	*ret_n = json_array_size(arr);
	return 0;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rbe");
	assert_non_null(f);
	char *buf = calloc(1, 1 << 16);
	assert_non_null(buf);
	size_t n = fread(buf, 1, (1 << 16) - 1, f);
	fclose(f);
	buf[n] = 0;
	return buf;
}

static int run_vector(const char *path, bool inclusion, bool *ret_want_err)
{
	char *text = slurp(path);
	json_error_t jerr;
	json_t *j = json_loads(text, JSON_DECODE_INT_AS_REAL, &jerr);
	struct attt_hash proof[ATTT_AUDIT_MAX_PROOF];
	size_t n;
	int r;

	if (!j)
		fail_msg("%s: %s", path, jerr.text);
	*ret_want_err = json_is_true(json_object_get(j, "wantErr"));
	if (decode_proof(json_object_get(j, "proof"), proof, &n) < 0) {
		r = ATTT_E_CORRUPT;
	} else if (inclusion) {
		uint8_t leaf[128], root[128];
		size_t ll = b64_any(json_object_get(j, "leafHash"), leaf, sizeof(leaf));
		size_t rl = b64_any(json_object_get(j, "root"), root, sizeof(root));
		r = attt_merkle_verify_inclusion(raw_u64(text, "leafIdx"), raw_u64(text, "treeSize"), leaf, ll, proof, n,
						 root, rl);
	} else {
		uint8_t r1[128], r2[128];
		size_t l1 = b64_any(json_object_get(j, "root1"), r1, sizeof(r1));
		size_t l2 = b64_any(json_object_get(j, "root2"), r2, sizeof(r2));
		r = attt_merkle_verify_consistency(raw_u64(text, "size1"), raw_u64(text, "size2"), proof, n, r1, l1, r2, l2);
	}
	json_decref(j);
	free(text);
	return r;
}

static unsigned walk(const char *dir, bool inclusion, unsigned *accepted, unsigned *rejected)
{
	unsigned count = 0;
	DIR *d = opendir(dir);
	struct dirent *e;
	assert_non_null(d);
	while ((e = readdir(d))) {
		char path[4096];
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		size_t len = strlen(e->d_name);
		if (len > 5 && strcmp(e->d_name + len - 5, ".json") == 0) {
			bool want_err;
			int r = run_vector(path, inclusion, &want_err);
			if (want_err && r == ATTT_OK)
				fail_msg("accepted a bad proof: %s", path);
			if (!want_err && r != ATTT_OK)
				fail_msg("rejected a good proof: %s (%d)", path, r);
			if (want_err)
				(*rejected)++;
			else
				(*accepted)++;
			count++;
		} else if (e->d_type == DT_DIR) {
			count += walk(path, inclusion, accepted, rejected);
		}
	}
	closedir(d);
	return count;
}

/* R7.1: the verifier passes every shared vector. */
static void test_merkle_verify__shared_vectors(void **state)
{
	const char *shared = getenv("ATTT_SHARED_DIR");
	char dir[4096];
	unsigned acc = 0, rej = 0, n;

	(void)state;
	assert_non_null(shared);
	snprintf(dir, sizeof(dir), "%s/testdata/merkle/inclusion", shared);
	n = walk(dir, true, &acc, &rej);
	snprintf(dir, sizeof(dir), "%s/testdata/merkle/consistency", shared);
	n += walk(dir, false, &acc, &rej);
	assert_true(n >= 190);
	assert_true(acc >= 10);
	assert_true(rej >= 150);
}

/* R7.1: proofs made from a node store verify for every index and every pair of sizes; a flipped
 * bit, a wrong index or a wrong size is rejected. */
static void test_merkle_prove__roundtrip(void **state)
{
	(void)state;
	for (uint64_t size = 1; size <= 40; size++) {
		struct mem m;
		struct attt_merkle_src src = { mem_get, &m };
		struct attt_hash root, proof[ATTT_AUDIT_MAX_PROOF];
		size_t n;

		mem_init(&m, size);
		assert_int_equal(attt_merkle_root(&src, size, &root), ATTT_OK);
		for (uint64_t i = 0; i < size; i++) {
			assert_int_equal(attt_merkle_prove_inclusion(&src, i, size, proof, ATTT_AUDIT_MAX_PROOF, &n), ATTT_OK);
			assert_int_equal(attt_merkle_verify_inclusion(i, size, m.leaf[i].b, 32, proof, n, root.b, 32), ATTT_OK);
			if (size > 1)
				assert_int_equal(attt_merkle_verify_inclusion((i + 1) % size, size, m.leaf[i].b, 32, proof, n,
									     root.b, 32),
						 ATTT_E_CORRUPT);
			assert_int_equal(attt_merkle_verify_inclusion(i, size, m.leaf[i].b, 32, proof, n, root.b, 31),
					 ATTT_E_CORRUPT);
			assert_int_equal(attt_merkle_verify_inclusion(size, size, m.leaf[i].b, 32, proof, n, root.b, 32),
					 ATTT_E_CORRUPT);
			if (n > 0) {
				proof[n - 1].b[7] ^= 0x10;
				assert_int_equal(attt_merkle_verify_inclusion(i, size, m.leaf[i].b, 32, proof, n, root.b, 32),
						 ATTT_E_CORRUPT);
			}
		}
		for (uint64_t s1 = 1; s1 <= size; s1++) {
			struct attt_hash r1;
			assert_int_equal(attt_merkle_root(&src, s1, &r1), ATTT_OK);
			assert_int_equal(attt_merkle_prove_consistency(&src, s1, size, proof, ATTT_AUDIT_MAX_PROOF, &n), ATTT_OK);
			assert_int_equal(attt_merkle_verify_consistency(s1, size, proof, n, r1.b, 32, root.b, 32), ATTT_OK);
			if (n > 0) {
				proof[0].b[0] ^= 1;
				assert_int_equal(attt_merkle_verify_consistency(s1, size, proof, n, r1.b, 32, root.b, 32),
						 ATTT_E_CORRUPT);
				proof[0].b[0] ^= 1;
			}
			if (s1 < size) {
				r1.b[31] ^= 0x80;
				assert_int_equal(attt_merkle_verify_consistency(s1, size, proof, n, r1.b, 32, root.b, 32),
						 ATTT_E_CORRUPT);
			}
		}
		free(m.leaf);
	}
}

/* Proofs read O(log n) nodes (the cache keeps the right-edge subtrees they share). */
static void test_merkle_prove__log_reads(void **state)
{
	struct mem m;
	struct attt_merkle_src src = { mem_get, &m };
	struct attt_hash proof[ATTT_AUDIT_MAX_PROOF];
	size_t n;
	uint64_t size = (1u << 12) - 1; /* 12 peaks: the worst case for the right edge */

	(void)state;
	mem_init(&m, size);
	m.reads = 0;
	assert_int_equal(attt_merkle_prove_inclusion(&src, 0, size, proof, ATTT_AUDIT_MAX_PROOF, &n), ATTT_OK);
	assert_true(m.reads <= 2 * 12);
	m.reads = 0;
	assert_int_equal(attt_merkle_prove_consistency(&src, 1000, size, proof, ATTT_AUDIT_MAX_PROOF, &n), ATTT_OK);
	assert_true(m.reads <= 3 * 12);
	free(m.leaf);
}

/* The streaming builder gives the same roots and reports every perfect subtree once. */
static int count_done(void *ctx, unsigned level, uint64_t index, const struct attt_hash *h)
{
	struct mem *m = ctx;
	struct attt_hash want;
	assert_int_equal(mem_get(m, level, index, &want), ATTT_OK);
	assert_memory_equal(want.b, h->b, 32);
	return 0;
}

static void test_merkle_stream__matches_root(void **state)
{
	struct mem m;
	struct attt_merkle_src src = { mem_get, &m };
	struct attt_merkle_stream s, s2;
	struct attt_hash a, b;

	(void)state;
	mem_init(&m, 300);
	attt_merkle_stream_init(&s);
	attt_merkle_stream_root(&s, &a);
	attt_merkle_empty_root(&b);
	assert_memory_equal(a.b, b.b, 32);
	for (uint64_t i = 0; i < 300; i++) {
		assert_int_equal(attt_merkle_stream_add(&s, &m.leaf[i], count_done, &m), ATTT_OK);
		attt_merkle_stream_root(&s, &a);
		assert_int_equal(attt_merkle_root(&src, i + 1, &b), ATTT_OK);
		assert_memory_equal(a.b, b.b, 32);
		/* Starting from the peaks of a prefix gives the same result. */
		assert_int_equal(attt_merkle_stream_start(&s2, &src, i + 1), ATTT_OK);
		attt_merkle_stream_root(&s2, &a);
		assert_memory_equal(a.b, b.b, 32);
	}
	free(m.leaf);
}

static void test_merkle_proof_parse__strict(void **state)
{
	struct attt_hash p[4], h;
	size_t n;
	char b64[ATTT_HASH_B64], text[256];

	(void)state;
	memset(h.b, 0xab, 32);
	assert_int_equal(attt_hash_b64(&h, b64, sizeof(b64)), ATTT_OK);
	snprintf(text, sizeof(text), "%s\n%s\n", b64, b64);
	assert_int_equal(attt_merkle_proof_parse(text, strlen(text), p, 4, &n), ATTT_OK);
	assert_int_equal(n, 2);
	assert_memory_equal(p[1].b, h.b, 32);
	assert_int_equal(attt_merkle_proof_parse(text, strlen(text) - 1, p, 4, &n), ATTT_OK);
	assert_int_equal(attt_merkle_proof_parse(text, strlen(text), p, 1, &n), ATTT_E_TOOBIG);
	snprintf(text, sizeof(text), "%s\n\n", b64);
	assert_int_equal(attt_merkle_proof_parse(text, strlen(text), p, 4, &n), ATTT_E_PARSE);
	snprintf(text, sizeof(text), "%s \n", b64);
	assert_int_equal(attt_merkle_proof_parse(text, strlen(text), p, 4, &n), ATTT_E_PARSE);
	assert_int_equal(attt_merkle_proof_parse("AAAA\n", 5, p, 4, &n), ATTT_E_PARSE);
	assert_int_equal(attt_merkle_proof_parse("", 0, p, 4, &n), ATTT_OK);
	assert_int_equal(n, 0);
	assert_int_equal(attt_hash_from_b64(b64, strlen(b64) - 1, &h), ATTT_E_PARSE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_merkle_verify__shared_vectors),
		cmocka_unit_test(test_merkle_prove__roundtrip),
		cmocka_unit_test(test_merkle_prove__log_reads),
		cmocka_unit_test(test_merkle_stream__matches_root),
		cmocka_unit_test(test_merkle_proof_parse__strict),
	};
	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
