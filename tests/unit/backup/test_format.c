/*
 * test_format.c: the backup formats and the chunker in isolation: encode/parse round trips of
 * trees and snapshots, refusal of names that could escape a restore target and of malformed
 * headers, and FastCDC properties (sizes within bounds, boundaries that resynchronise after an
 * insertion, determinism for one key and difference across keys).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tree__roundtrip_and_names),
		cmocka_unit_test(test_snapshot__roundtrip),
		cmocka_unit_test(test_pack_header__bounds),
		cmocka_unit_test(test_chunker__fastcdc),
	};
	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
