/*
 * test_format.c: the backup formats and the chunker in isolation: encode/parse round trips of
 * trees and snapshots, refusal of names that could escape a restore target and of malformed
 * headers, FastCDC properties (sizes within bounds, boundaries that resynchronise after an
 * insertion, determinism for one key and difference across keys), the lane-parallel chunker
 * against the serial definition, chunk ids = HMAC-SHA-256 under the id key, AES-256-GCM bytes equal
 * to libsodium's, zstd frames that must carry their checksum, and the test that spares random-looking
 * chunks zstd.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <sodium.h>
#include <zstd.h>

#include "attt/err.h"
#include "backup-int.h"

static void test_tree__roundtrip_and_names(void **state)
{
	struct bk_node nd[2];
	struct bk_tree t = { nd, 2, 2 }, back = { 0 };
	uint8_t chunks[64], *p = NULL;
	size_t n;

	(void)state;
	memset(nd, 0, sizeof(nd));
	memset(chunks, 7, sizeof(chunks));
	nd[0].name = (uint8_t *)"Vi\xe1\xbb\x87t";
	nd[0].name_len = 6;
	nd[0].kind = ATTT_BACKUP_FILE;
	nd[0].mode = 0640;
	nd[0].mtime_nsec = 999999999;
	nd[0].size = 12345;
	nd[0].chunks = chunks;
	nd[0].n_chunks = 2;
	nd[1].name = (uint8_t *)"z";
	nd[1].name_len = 1;
	nd[1].kind = ATTT_BACKUP_SYMLINK;
	nd[1].target = (uint8_t *)"../x";
	nd[1].target_len = 4;
	assert_int_equal(attt__bk_tree_encode(&t, &p, &n), ATTT_OK);
	assert_int_equal(attt__bk_tree_parse(p, n, &back), ATTT_OK);
	assert_int_equal(back.n, 2);
	assert_int_equal(back.nodes[0].size, 12345);
	assert_memory_equal(back.nodes[0].chunks, chunks, 64);
	assert_memory_equal(back.nodes[1].target, "../x", 4);
	attt__bk_tree_done(&back);
	/* Truncated anywhere: refused. */
	for (size_t i = 0; i < n; i++)
		assert_int_equal(attt__bk_tree_parse(p, i, &back), ATTT_E_CORRUPT);
	free(p);
	/* Names that would escape or collide are refused. */
	static const char *const bad[] = { "..", ".", "a/b", "" };
	for (size_t i = 0; i < 4; i++) {
		nd[0].name = (uint8_t *)bad[i];
		nd[0].name_len = (uint16_t)strlen(bad[i]);
		assert_int_equal(attt__bk_tree_encode(&t, &p, &n), ATTT_OK);
		assert_int_equal(attt__bk_tree_parse(p, n, &back), ATTT_E_CORRUPT);
		free(p);
	}
	nd[0].name = (uint8_t *)"z"; /* duplicate of nd[1] */
	nd[0].name_len = 1;
	assert_int_equal(attt__bk_tree_encode(&t, &p, &n), ATTT_OK);
	assert_int_equal(attt__bk_tree_parse(p, n, &back), ATTT_E_CORRUPT);
	free(p);
}

static void test_snapshot__roundtrip(void **state)
{
	char *paths[] = { "/srv/tài liệu" }, *tags[] = { "monthly", "R10.1.b" };
	struct bk_snap s = { .time_us = 1790391600000000, .hostname = "host", .username = "root", .paths = paths,
			     .n_paths = 1, .tags = tags, .n_tags = 2 }, back;
	uint8_t *p;
	size_t n;

	(void)state;
	s.stats.files = 3;
	assert_int_equal(attt__bk_snap_encode(&s, &p, &n), ATTT_OK);
	assert_int_equal(attt__bk_snap_parse(p, n, &back), ATTT_OK);
	assert_string_equal(back.paths[0], "/srv/tài liệu");
	assert_string_equal(back.tags[1], "R10.1.b");
	assert_int_equal(back.stats.files, 3);
	attt__bk_snap_done(&back);
	for (size_t i = 0; i < n; i++)
		assert_int_not_equal(attt__bk_snap_parse(p, i, &back), ATTT_OK);
	free(p);
}

static void test_pack_header__bounds(void **state)
{
	uint8_t h[4 + BK_ENTRY_LEN] = { 0 };
	struct bk_blobent *b = NULL;
	size_t n;
	uint32_t hl;

	(void)state;
	h[0] = 1;
	h[4 + 4] = 10;  /* raw_len 10 */
	h[4 + 8] = 50;  /* stored_len 50 */
	assert_int_equal(attt__bk_pack_header_parse(h, sizeof(h), 50, 40, &b, &n), ATTT_OK);
	assert_int_equal(n, 1);
	free(b);
	/* Blobs must exactly fill the data region. */
	assert_int_equal(attt__bk_pack_header_parse(h, sizeof(h), 49, 40, &b, &n), ATTT_E_CORRUPT);
	assert_int_equal(attt__bk_pack_header_parse(h, sizeof(h), 51, 40, &b, &n), ATTT_E_CORRUPT);
	h[0] = 2; /* count does not match the length */
	assert_int_equal(attt__bk_pack_header_parse(h, sizeof(h), 50, 40, &b, &n), ATTT_E_CORRUPT);
	uint8_t tail[12] = { 200, 0, 0, 0, 'A', 'T', 'T', 'T', 'P', 'A', 'K', '1' };
	assert_int_equal(attt__bk_pack_trailer(tail, 12, 1000, 40, &hl), ATTT_OK);
	assert_int_equal(hl, 200);
	assert_int_equal(attt__bk_pack_trailer(tail, 12, 100, 40, &hl), ATTT_E_CORRUPT);
	tail[11] = '2';
	assert_int_equal(attt__bk_pack_trailer(tail, 12, 1000, 40, &hl), ATTT_E_CORRUPT);
}

static void test_chunker__fastcdc(void **state)
{
	uint8_t seed[32] = { 1 }, seed2[32] = { 2 };
	uint64_t gear[256], gear2[256];
	size_t n = 8u << 20, cuts_a[64], cuts_b[64], na = 0, nb = 0, n2 = 0;
	uint8_t *buf = malloc(n + 100), *ins = malloc(n + 100);
	const uint32_t mn = 256u << 10, avg = 1u << 20, mx = 4u << 20;

	(void)state;
	randombytes_buf_deterministic(buf, n, seed);
	attt__bk_gear_init(seed, gear);
	attt__bk_gear_init(seed2, gear2);
	for (size_t off = 0; off < n;) {
		size_t c = attt__bk_cut(gear, buf + off, n - off, mn, avg, mx);
		assert_true(c >= 1 && c <= mx);
		if (off + c < n)
			assert_true(c >= mn);
		off += c;
		cuts_a[na++] = off;
	}
	assert_true(na >= 3 && na <= 20); /* ~8 chunks of ~1 MiB */
	/* Insert 100 bytes near the start: later boundaries shift by exactly 100. */
	memcpy(ins, buf, 1000);
	memset(ins + 1000, 0xab, 100);
	memcpy(ins + 1100, buf + 1000, n - 1000);
	for (size_t off = 0; off < n + 100;) {
		off += attt__bk_cut(gear, ins + off, n + 100 - off, mn, avg, mx);
		cuts_b[nb++] = off;
	}
	size_t same = 0;
	for (size_t i = 0; i < na; i++)
		for (size_t j = 0; j < nb; j++)
			if (cuts_b[j] == cuts_a[i] + 100)
				same++;
	assert_true(same + 2 >= na);
	/* Another key cuts elsewhere. */
	size_t diff = 0;
	for (size_t off = 0; off < n && n2 < na; n2++) {
		off += attt__bk_cut(gear2, buf + off, n - off, mn, avg, mx);
		if (off != cuts_a[n2])
			diff++;
	}
	assert_true(diff > 0);
	free(buf);
	free(ins);
}

/* The serial definition of the cut point (repository format 2, docs/backup.md). */
static size_t cut_serial(const uint64_t gear[256], const uint8_t *p, size_t n, uint32_t cmin, uint32_t cavg,
			 uint32_t cmax)
{
	unsigned bits = 0;
	for (uint32_t v = cavg; v > 1; v >>= 1)
		bits++;
	uint64_t mask_s = ~UINT64_C(0) << (64 - (bits + 2)), mask_l = ~UINT64_C(0) << (64 - (bits - 2)), h = 0;
	size_t i, normal = cavg;
	if (n <= cmin)
		return n;
	if (n > cmax)
		n = cmax;
	if (normal > n)
		normal = n;
	for (i = cmin; i < normal; i++) {
		h = (h << 1) + gear[p[i]];
		if (!(h & mask_s))
			return i + 1;
	}
	for (; i < n; i++) {
		h = (h << 1) + gear[p[i]];
		if (!(h & mask_l))
			return i + 1;
	}
	return n;
}

static void test_chunker__lanes_equal_serial(void **state)
{
	uint8_t seed[32] = { 3 };
	uint64_t gear[256];
	size_t n = 6u << 20, cuts = 0;
	uint8_t *buf = malloc(n);
	/* Small averages give many cuts, so that hits land in every lane, at block edges and in the
	 * serial stretches; the default sizes check the common case. */
	static const uint32_t sizes[][3] = { { 4096, 8192, 65536 }, { 4096, 16384, 20000 }, { 5000, 8192, 9000 },
					     { 4096, 4096, 4096 }, { 256u << 10, 1u << 20, 4u << 20 } };

	(void)state;
	assert_non_null(buf);
	randombytes_buf_deterministic(buf, n, seed);
	memset(buf + (1u << 20), 0, 300000); /* a zero run: the hash is constant there */
	attt__bk_gear_init(seed, gear);
	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++)
		for (size_t off = 0; off < n; cuts++) {
			size_t want = cut_serial(gear, buf + off, n - off, sizes[k][0], sizes[k][1], sizes[k][2]);
			assert_int_equal(attt__bk_cut(gear, buf + off, n - off, sizes[k][0], sizes[k][1], sizes[k][2]),
					 want);
			/* Every length, also those that end inside a block of lanes. */
			assert_int_equal(attt__bk_cut(gear, buf + off, want + 1 + off % 9000 < n - off
							      ? want + 1 + off % 9000 : n - off,
						      sizes[k][0], sizes[k][1], sizes[k][2]),
					 cut_serial(gear, buf + off, want + 1 + off % 9000 < n - off
							      ? want + 1 + off % 9000 : n - off,
						    sizes[k][0], sizes[k][1], sizes[k][2]));
			off += want;
		}
	assert_true(cuts > 1000);
	free(buf);
}

/* R10.1.a: ids are HMAC-SHA-256 under the id key (computed here with libsodium's own code). */
static void test_id__hmac_sha256(void **state)
{
	struct bk_keys k = { 0 };
	uint8_t data[3000], want[BK_ID], got[BK_ID];

	(void)state;
	randombytes_buf(k.idkey, sizeof(k.idkey));
	randombytes_buf(data, sizeof(data));
	crypto_auth_hmacsha256_state st;
	crypto_auth_hmacsha256_init(&st, k.idkey, sizeof(k.idkey));
	crypto_auth_hmacsha256_update(&st, data, sizeof(data));
	crypto_auth_hmacsha256_final(&st, want);
	attt__bk_id(&k, data, sizeof(data), got);
	assert_memory_equal(got, want, BK_ID);
	attt__bk_id2(&k, data, 1000, data + 1000, 2000, got);
	assert_memory_equal(got, want, BK_ID);
	/* Another key, another id: the id is keyed. */
	k.idkey[0] ^= 1;
	attt__bk_id(&k, data, sizeof(data), got);
	assert_memory_not_equal(got, want, BK_ID);
	attt__bk_id(&k, "", 0, got);
	assert_memory_not_equal(got, want, BK_ID);
}

/* AES-256-GCM objects sealed by OpenSSL open with libsodium and the other way round (same bytes),
 * and a changed byte of ciphertext, tag, nonce or associated data is refused. */
static void test_seal__aesgcm_matches_libsodium(void **state)
{
	struct bk_keys k = { .cipher = ATTT_BACKUP_CIPHER_AESGCM };
	static uint8_t pt[70000], ct[70000 + 28], back[70000 + 1];
	const uint8_t ad[] = "id and type";
	unsigned long long n;

	(void)state;
	if (!crypto_aead_aes256gcm_is_available())
		skip();
	randombytes_buf(k.enc, sizeof(k.enc));
	randombytes_buf(pt, sizeof(pt));
	assert_int_equal(attt__bk_overhead(&k), 28);
	assert_int_equal(attt__bk_seal(&k, ad, sizeof(ad), pt, sizeof(pt), ct), ATTT_OK);
	assert_int_equal(crypto_aead_aes256gcm_decrypt(back, &n, NULL, ct + 12, sizeof(ct) - 12, ad, sizeof(ad), ct,
						       k.enc),
			 0);
	assert_int_equal(n, sizeof(pt));
	assert_memory_equal(back, pt, sizeof(pt));
	randombytes_buf(ct, 12);
	assert_int_equal(crypto_aead_aes256gcm_encrypt(ct + 12, &n, pt, sizeof(pt), ad, sizeof(ad), NULL, ct, k.enc), 0);
	memset(back, 0, sizeof(back));
	assert_int_equal(attt__bk_unseal(&k, ad, sizeof(ad), ct, sizeof(ct), back), ATTT_OK);
	assert_memory_equal(back, pt, sizeof(pt));
	static const size_t at[] = { 0, 11, 12, 5000, sizeof(ct) - 17, sizeof(ct) - 1 };
	for (size_t i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
		ct[at[i]] ^= 0x20;
		assert_int_equal(attt__bk_unseal(&k, ad, sizeof(ad), ct, sizeof(ct), back), ATTT_E_CORRUPT);
		ct[at[i]] ^= 0x20;
	}
	assert_int_equal(attt__bk_unseal(&k, ad, sizeof(ad) - 1, ct, sizeof(ct), back), ATTT_E_CORRUPT);
	assert_int_equal(attt__bk_unseal(&k, ad, sizeof(ad), ct, sizeof(ct), back), ATTT_OK);
	/* Empty plaintext: tag only. */
	assert_int_equal(attt__bk_seal(&k, ad, sizeof(ad), pt, 0, ct), ATTT_OK);
	assert_int_equal(attt__bk_unseal(&k, ad, sizeof(ad), ct, 28, back), ATTT_OK);
	ct[20] ^= 1;
	assert_int_equal(attt__bk_unseal(&k, ad, sizeof(ad), ct, 28, back), ATTT_E_CORRUPT);
}

/* Compressed blobs must be one zstd frame with its content checksum, of the recorded size: restore
 * relies on that checksum (and the tag) instead of recomputing the chunk id. */
static void test_unzstd__checksum_required(void **state)
{
	static uint8_t raw[200000], z[210000], back[200001];
	size_t n;
	ZSTD_CCtx *c = ZSTD_createCCtx();

	(void)state;
	for (size_t i = 0; i < sizeof(raw); i++)
		raw[i] = (uint8_t)("công văn báo cáo "[i % 17] ^ (i / 5000));
	assert_non_null(c);
	assert_false(ZSTD_isError(ZSTD_CCtx_setParameter(c, ZSTD_c_compressionLevel, 3)));
	assert_false(ZSTD_isError(ZSTD_CCtx_setParameter(c, ZSTD_c_checksumFlag, 1)));
	n = ZSTD_compress2(c, z, sizeof(z), raw, sizeof(raw));
	assert_false(ZSTD_isError(n));
	assert_int_equal(attt__bk_unzstd(z, n, back, sizeof(raw)), ATTT_OK);
	assert_memory_equal(back, raw, sizeof(raw));
	assert_int_equal(attt__bk_unzstd(z, n, back, sizeof(raw) - 1), ATTT_E_CORRUPT); /* other size */
	assert_int_equal(attt__bk_unzstd(z, n - 1, back, sizeof(raw)), ATTT_E_CORRUPT);  /* truncated */
	z[n] = 0;
	assert_int_equal(attt__bk_unzstd(z, n + 1, back, sizeof(raw)), ATTT_E_CORRUPT); /* trailing byte */
	z[n - 2] ^= 1;
	assert_int_equal(attt__bk_unzstd(z, n, back, sizeof(raw)), ATTT_E_CORRUPT); /* checksum */
	z[n - 2] ^= 1;
	/* A frame without its checksum is refused, though it decodes. */
	assert_false(ZSTD_isError(ZSTD_CCtx_setParameter(c, ZSTD_c_checksumFlag, 0)));
	n = ZSTD_compress2(c, z, sizeof(z), raw, sizeof(raw));
	assert_false(ZSTD_isError(n));
	assert_int_equal(ZSTD_decompress(back, sizeof(raw), z, n), sizeof(raw));
	assert_int_equal(attt__bk_unzstd(z, n, back, sizeof(raw)), ATTT_E_CORRUPT);
	ZSTD_freeCCtx(c);
}

/* Chunks of random-looking bytes are sealed without trying zstd; skew in the byte values (a run of
 * zeros, short records with a zero or small byte, text) keeps a chunk compressed. Random bytes
 * repeated at a longer distance within a chunk are not seen (docs/backup.md, Compression). */
static void test_looks_random__uniform_only(void **state)
{
	static uint8_t b[4u << 20];
	static const uint8_t seed[randombytes_SEEDBYTES] = { 7 };
	size_t n = 1u << 20;

	(void)state;
	randombytes_buf_deterministic(b, sizeof(b), seed);
	assert_true(attt__bk_looks_random(b, n));
	assert_true(attt__bk_looks_random(b, sizeof(b)));
	assert_true(attt__bk_looks_random(b, (64u << 10) + 3));  /* every byte read */
	assert_true(attt__bk_looks_random(b, (3u << 20) + 1234)); /* windows off any alignment */
	assert_false(attt__bk_looks_random(b, (64u << 10) - 1)); /* too small to judge */
	/* 0.5 % of zeros in a random MiB (a disk image's padding): zstd still gains, so compress. */
	memset(b + 300000, 0, n / 200);
	assert_false(attt__bk_looks_random(b, n));
	randombytes_buf_deterministic(b, n, seed);
	/* 32-bit values below 256, and 16-bit values whose high byte is below 16: zstd shrinks them to
	 * a third and to three quarters, whatever the chunk's size (a sampler with a fixed stride saw
	 * only their random byte). */
	for (size_t i = 0; i < sizeof(b); i++)
		b[i] = i % 4 ? 0 : b[i];
	assert_false(attt__bk_looks_random(b, n));
	assert_false(attt__bk_looks_random(b, (5u << 20) / 4));
	assert_false(attt__bk_looks_random(b, 3u << 20));
	randombytes_buf_deterministic(b, sizeof(b), seed);
	for (size_t i = 0; i < sizeof(b); i++)
		b[i] = i % 2 ? (uint8_t)(b[i] & 0x0f) : b[i];
	assert_false(attt__bk_looks_random(b, n));
	assert_false(attt__bk_looks_random(b, 3u << 20));
	randombytes_buf_deterministic(b, n, seed);
	/* Random bytes that use only half the byte values. */
	for (size_t i = 0; i < n; i++)
		b[i] &= 0xf7;
	assert_false(attt__bk_looks_random(b, n));
	/* Text, and zeros. */
	static const char text[] = "công văn báo cáo an toàn thông tin ";
	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)text[i % (sizeof(text) - 1)];
	assert_false(attt__bk_looks_random(b, n));
	memset(b, 0, n);
	assert_false(attt__bk_looks_random(b, n));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tree__roundtrip_and_names),
		cmocka_unit_test(test_snapshot__roundtrip),
		cmocka_unit_test(test_pack_header__bounds),
		cmocka_unit_test(test_chunker__fastcdc),
		cmocka_unit_test(test_chunker__lanes_equal_serial),
		cmocka_unit_test(test_id__hmac_sha256),
		cmocka_unit_test(test_seal__aesgcm_matches_libsodium),
		cmocka_unit_test(test_unzstd__checksum_required),
		cmocka_unit_test(test_looks_random__uniform_only),
	};
	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
