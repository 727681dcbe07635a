/*
 * test_corrupt.c: damage is always detected (R10.1.a "integrity verifiable at any time").
 * At least 10,000 random single-bit flips across pack, index and snapshot files: each one is found
 * by checking the affected object with read_data (flip, check, flip back, all in-process so that
 * it runs in seconds under ASan); as many flips in pack data are each found by the loader restore
 * reads chunks with (which checks tags and zstd checksums, not chunk ids); a sample is also found
 * by the full check, which names the damaged file, and by a whole restore. Truncated files are
 * detected. Seeded, so a failure reproduces. BK_FLIPS overrides the count (bench/backup/soak runs
 * a bigger one).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "attt/backup.h"
#include "attt/err.h"
#include "attt/str.h"
#include "backup-int.h"
#include "bk_util.h"

#define PASS "pw"

struct rfile { char rel[300]; char path[700]; uint64_t size; uint64_t data_end; };

static struct rfile files[4096];
static size_t nfiles;
static char tmp[256], repo[300], src[300];
static struct attt_backup_repo *r;

static void scan(const char *rel)
{
	char path[700];
	DIR *d;
	struct dirent *de;
	snprintf(path, sizeof(path), "%s/%s", repo, rel);
	d = opendir(path);
	assert_non_null(d);
	while ((de = readdir(d))) {
		char sub[300];
		struct stat st;
		if (de->d_name[0] == '.')
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", rel, de->d_name);
		snprintf(path, sizeof(path), "%s/%s", repo, sub);
		assert_int_equal(lstat(path, &st), 0);
		if (S_ISDIR(st.st_mode)) {
			scan(sub);
			continue;
		}
		assert_true(nfiles < 4096);
		struct rfile *f = &files[nfiles++];
		snprintf(f->rel, sizeof(f->rel), "%s", sub);
		snprintf(f->path, sizeof(f->path), "%s", path);
		f->size = (uint64_t)st.st_size;
		f->data_end = 0;
		if (strncmp(sub, "data/", 5) == 0) {
			/* Blob region of a pack: before the sealed header (length in the trailer). */
			uint8_t t[4];
			int fd = open(path, O_RDONLY | O_CLOEXEC);
			assert_int_equal(pread(fd, t, 4, st.st_size - 12), 4);
			close(fd);
			uint32_t hl = (uint32_t)t[0] | (uint32_t)t[1] << 8 | (uint32_t)t[2] << 16 | (uint32_t)t[3] << 24;
			f->data_end = (uint64_t)st.st_size - 12 - hl;
		}
	}
	closedir(d);
}

static int setup(void **state)
{
	struct attt_backup_init_opts o = { .kdf = { 1, 8192 }, .chunk_min = 4096, .chunk_avg = 16384,
					   .chunk_max = 65536, .pack_size = 65536 };
	const char *paths[1];
	struct attt_backup_save_opts so = { .paths = paths, .n_paths = 1 };
	(void)state;
	bk_tmpdir(tmp, sizeof(tmp));
	snprintf(repo, sizeof(repo), "%s/repo", tmp);
	snprintf(src, sizeof(src), "%s/src", tmp);
	paths[0] = src;
	if (attt_backup_init(repo, PASS, 2, &o) < 0 || attt_backup_open(repo, PASS, 2, &r) < 0)
		return -1;
	bk_gen_tree(src, 1234, 25, false);
	if (attt_backup_save(r, &so, NULL, NULL) < 0)
		return -1;
	scan("data");
	scan("index");
	scan("snapshots");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	attt_backup_close(r);
	bk_rm_rf(tmp);
	return 0;
}

static void flip(const struct rfile *f, uint64_t bit)
{
	uint8_t b;
	int fd = open(f->path, O_RDWR | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(pread(fd, &b, 1, (off_t)(bit / 8)), 1);
	b ^= (uint8_t)(1u << (bit % 8));
	assert_int_equal(pwrite(fd, &b, 1, (off_t)(bit / 8)), 1);
	close(fd);
}

static unsigned flips_wanted(void)
{
	const char *e = getenv("BK_FLIPS");
	int64_t v = 10000;
	if (e && attt_parse_int64(e, 10000, 100000000, &v) < 0)
		v = 10000;
	return (unsigned)v;
}

/* R10.1.a: >= 10,000 single-bit flips across pack, index and snapshot files, all detected. */
static void test_flips__all_detected(void **state)
{
	struct bk_rng rng = { 2026 };
	uint64_t kinds[3] = { 0 };
	unsigned n = flips_wanted();

	(void)state;
	assert_true(nfiles >= 5);
	for (size_t i = 0; i < nfiles; i++) {
		assert_int_equal(attt_backup_check_file(r, files[i].rel, true), ATTT_OK);
	}
	for (unsigned i = 0; i < n; i++) {
		/* A kind (pack, index, snapshot) at random, a file of that kind, a bit of that file. */
		static const char kindc[3] = { 'd', 'i', 's' };
		size_t cand[4096], nc = 0, k;
		uint64_t bit;
		for (size_t j = 0; j < nfiles; j++)
			if (files[j].rel[0] == kindc[i % 3])
				cand[nc++] = j;
		assert_true(nc > 0);
		k = cand[bk_rand(&rng) % nc];
		bit = bk_rand(&rng) % (files[k].size * 8);
		flip(&files[k], bit);
		int rc = attt_backup_check_file(r, files[k].rel, true);
		flip(&files[k], bit);
		if (rc != ATTT_E_CORRUPT)
			fail_msg("flip of bit %llu of %s not detected (%d)", (unsigned long long)(bit),
				 files[k].rel, rc);
		kinds[files[k].rel[0] == 'd' ? 0 : files[k].rel[0] == 'i' ? 1 : 2]++;
	}
	print_message("%u single-bit flips detected: %llu in packs, %llu in indexes, %llu in snapshots\n", n,
		      (unsigned long long)kinds[0], (unsigned long long)kinds[1], (unsigned long long)kinds[2]);
	assert_true(kinds[1] > 0 && kinds[2] > 0);
	assert_int_equal(attt_backup_check(r, true, NULL, NULL, NULL), ATTT_OK);
}

/* R10.1.a: restore verifies every chunk without recomputing its id (docs/backup.md, "Why restore
 * does not re-hash"): as many single-bit flips in pack data, each in a data chunk or a tree, are
 * each refused by the loader restore uses. */
static void test_flips__restore_loader(void **state)
{
	struct bk_rng rng = { 77 };
	size_t packs[4096], np = 0;
	unsigned n = flips_wanted(), zstd = 0;

	(void)state;
	for (size_t j = 0; j < nfiles; j++)
		if (files[j].rel[0] == 'd' && files[j].data_end > 0)
			packs[np++] = j;
	assert_true(np > 0);
	assert_int_equal(attt__bk_load_index(r), ATTT_OK); /* as restore does */
	for (unsigned i = 0; i < n; i++) {
		const struct rfile *f = &files[packs[bk_rand(&rng) % np]];
		uint64_t bit = bk_rand(&rng) % (f->data_end * 8);
		struct bk_blobent *b = NULL;
		size_t nb = 0, k;
		uint8_t *p = NULL;
		size_t pn;
		assert_int_equal(attt__bk_read_pack_header(r, f->path, &b, &nb, NULL), ATTT_OK);
		for (k = 0; k < nb && !(bit / 8 >= b[k].offset && bit / 8 < (uint64_t)b[k].offset + b[k].stored_len); k++)
			;
		assert_true(k < nb); /* the blobs fill the data region */
		if (i == 0) {
			assert_int_equal(attt__bk_load_blob(r, b[k].id, b[k].type, NULL, NULL, &p, &pn), ATTT_OK);
			free(p);
			p = NULL;
		}
		flip(f, bit);
		int rc = attt__bk_load_blob(r, b[k].id, b[k].type, NULL, NULL, &p, &pn);
		flip(f, bit);
		if (rc != ATTT_E_CORRUPT)
			fail_msg("loader missed bit %llu of %s (blob %zu, %d)", (unsigned long long)bit, f->rel, k, rc);
		zstd += (b[k].flags & 1) != 0;
		free(p);
		free(b);
	}
	print_message("%u single-bit flips in pack data refused by the restore loader (%u in compressed chunks)\n",
		      n, zstd);
	assert_true(zstd > 0 && zstd < n);
}

struct named { const char *want; int hits, others; };

static void named_cb(void *ctx, const char *what, const char *why)
{
	struct named *nm = ctx;
	(void)why;
	if (strcmp(what, nm->want) == 0)
		nm->hits++;
	else
		nm->others++;
}

/* The full check (structure and read_data) names the damaged file; restore refuses damaged chunks. */
static void test_flips__check_and_restore(void **state)
{
	struct bk_rng rng = { 99 };
	char out[400];

	(void)state;
	snprintf(out, sizeof(out), "%s/out", tmp);
	for (int i = 0; i < 60; i++) {
		const struct rfile *f = &files[bk_rand(&rng) % nfiles];
		uint64_t bit = bk_rand(&rng) % (f->size * 8);
		struct named nm = { f->rel, 0, 0 };
		flip(f, bit);
		assert_int_equal(attt_backup_check(r, true, named_cb, &nm, NULL), ATTT_E_CORRUPT);
		if (nm.hits == 0 && f->rel[0] == 'd')
			fail_msg("check did not name %s", f->rel);
		/* A flip in blob data is caught by restore as well. */
		if (f->data_end && bit / 8 < f->data_end) {
			int rc = attt_backup_restore(r, "latest", out, NULL, NULL);
			if (rc != ATTT_E_CORRUPT)
				fail_msg("restore missed a flip in %s (%d)", f->rel, rc);
			bk_rm_rf(out);
		}
		flip(f, bit);
	}
	assert_int_equal(attt_backup_check(r, true, NULL, NULL, NULL), ATTT_OK);
	assert_int_equal(attt_backup_restore(r, "latest", out, NULL, NULL), ATTT_OK);
	snprintf(out, sizeof(out), "%s/out/src", tmp);
	assert_int_equal(bk_compare(src, out), 0);
	bk_rm_rf(out);
}

/* Truncated files (by one byte, to half, to nothing) are detected by check_file and by check. */
static void test_truncation(void **state)
{
	(void)state;
	for (size_t i = 0; i < nfiles; i++) {
		const uint64_t lens[3] = { files[i].size - 1, files[i].size / 2, 0 };
		uint8_t *keep = malloc(files[i].size);
		int fd = open(files[i].path, O_RDWR | O_CLOEXEC);
		assert_int_equal(pread(fd, keep, files[i].size, 0), (ssize_t)files[i].size);
		for (int j = 0; j < 3; j++) {
			assert_int_equal(ftruncate(fd, (off_t)lens[j]), 0);
			assert_int_equal(attt_backup_check_file(r, files[i].rel, true), ATTT_E_CORRUPT);
			if (i % 7 == 0)
				assert_int_equal(attt_backup_check(r, false, NULL, NULL, NULL), ATTT_E_CORRUPT);
		}
		assert_int_equal(pwrite(fd, keep, files[i].size, 0), (ssize_t)files[i].size);
		close(fd);
		free(keep);
	}
	assert_int_equal(attt_backup_check(r, true, NULL, NULL, NULL), ATTT_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flips__all_detected),
		cmocka_unit_test(test_flips__restore_loader),
		cmocka_unit_test(test_flips__check_and_restore),
		cmocka_unit_test(test_truncation),
	};
	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, setup, teardown);
}
