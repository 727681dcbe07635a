/*
 * test_scan.c: the libclamav engine of include/attt/scan.h (R8.6). Every test builds its own
 * signature database at run time, never reading /var/lib/clamav: an .hsb hash signature
 * (sha256:size:name) of a generated file and an .ndb body signature of the EICAR test string.
 * Checks: infected files are named by their signature, clean ones pass, scans of buffers and files
 * agree, concurrent scans on one engine give the same answers, and every way of having no usable
 * database is an error, never "clean" (fail closed).
 */
#include <fcntl.h>
#include <sys/stat.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "attt/err.h"
#include "attt/scan.h"

/* The EICAR anti-virus test file, assembled so that this source is not itself "infected". */
#define EICAR_A "X5O!P%@AP[4\\PZX54(P^)7CC)7}$"
#define EICAR_B "EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"

struct t {
	char dir[64], db[96];
	char sample[128]; /* the file the hash signature names */
	size_t sample_len;
	char eicar[80];
	struct attt_scan *scan;
};

static void write_file(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wbe");
	assert_non_null(f);
	assert_int_equal(fwrite(p, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
}

/* An .hsb line for p[0..n): sha256:size:name. */
static void hsb_line(const void *p, size_t n, const char *name, char *out, size_t size)
{
	unsigned char h[32];
	char hex[65];
	crypto_hash_sha256(h, p, n);
	sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
	snprintf(out, size, "%s:%zu:%s\n", hex, n, name);
}

static void hexs(const char *s, char *out, size_t size)
{
	size_t i;
	for (i = 0; s[i] && 2 * i + 2 < size; i++)
		snprintf(out + 2 * i, 3, "%02x", (unsigned char)s[i]);
	out[2 * i] = '\0';
}

static int setup(void **state)
{
	struct t *t = calloc(1, sizeof(*t));
	char line[256], hex[200], ndb[300], path[160], err[512];

	assert_non_null(t);
	snprintf(t->dir, sizeof(t->dir), "/tmp/attt-scan-test-XXXXXX");
	assert_non_null(mkdtemp(t->dir));
	snprintf(t->db, sizeof(t->db), "%s/sigs", t->dir);
	assert_int_equal(mkdir(t->db, 0700), 0);
	/* A sample unique to this run, so the hash signature matches it and nothing else. */
	t->sample_len = (size_t)snprintf(t->sample, sizeof(t->sample), "attt R8.6 test sample %s\n", t->dir);
	hsb_line(t->sample, t->sample_len, "Attt.Test.Sample", line, sizeof(line));
	snprintf(path, sizeof(path), "%s/attt-test.hsb", t->db);
	write_file(path, line, strlen(line));
	snprintf(t->eicar, sizeof(t->eicar), "%s%s", EICAR_A, EICAR_B);
	hexs(t->eicar, hex, sizeof(hex));
	snprintf(ndb, sizeof(ndb), "Attt.Test.Eicar:0:*:%s\n", hex);
	snprintf(path, sizeof(path), "%s/attt-test.ndb", t->db);
	write_file(path, ndb, strlen(ndb));
	assert_int_equal(attt_scan_open(t->db, &t->scan, err, sizeof(err)), ATTT_OK);
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct t *t = *state;
	char cmd[128];
	attt_scan_close(t->scan);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t->dir);
	assert_int_equal(system(cmd), 0);
	free(t);
	return 0;
}

/* R8.6: both signatures load; the version is known. */
static void test_scan_open__counts_signatures(void **state)
{
	struct t *t = *state;
	assert_true(attt_scan_signatures(t->scan) >= 2);
	assert_non_null(attt_scan_version());
	assert_true(strlen(attt_scan_version()) > 0);
}

/* R8.6: the hash-signed sample and the EICAR string are infected, named by their signature. */
static void test_scan_buffer__infected_named(void **state)
{
	struct t *t = *state;
	struct attt_scan_result r;

	assert_int_equal(attt_scan_buffer(t->scan, t->sample, t->sample_len, "sample.txt", &r), ATTT_OK);
	assert_int_equal(r.verdict, ATTT_SCAN_INFECTED);
	assert_non_null(strstr(r.signature, "Attt.Test.Sample"));
	/* the EICAR string inside other text: a body signature matches anywhere */
	char buf[256];
	int n = snprintf(buf, sizeof(buf), "header line\n%s\ntrailer\n", t->eicar);
	assert_int_equal(attt_scan_buffer(t->scan, buf, (size_t)n, NULL, &r), ATTT_OK);
	assert_int_equal(r.verdict, ATTT_SCAN_INFECTED);
	assert_non_null(strstr(r.signature, "Attt.Test.Eicar"));
}

/* R8.6: other content is clean; a one-byte change of the sample defeats its hash signature. */
static void test_scan_buffer__clean(void **state)
{
	struct t *t = *state;
	struct attt_scan_result r;
	char other[128];

	memcpy(other, t->sample, t->sample_len);
	other[0] ^= 1;
	memset(&r, 0x5a, sizeof(r));
	assert_int_equal(attt_scan_buffer(t->scan, other, t->sample_len, "other.txt", &r), ATTT_OK);
	assert_int_equal(r.verdict, ATTT_SCAN_CLEAN);
	assert_string_equal(r.signature, "");
	assert_int_equal(attt_scan_buffer(t->scan, "%PDF-1.4\n%%EOF\n", 15, "a.pdf", &r), ATTT_OK);
	assert_int_equal(r.verdict, ATTT_SCAN_CLEAN);
}

/* Scanning an open file gives the same answers as scanning its bytes. */
static void test_scan_fd__agrees_with_buffer(void **state)
{
	struct t *t = *state;
	struct attt_scan_result r;
	char path[160];
	int fd;

	snprintf(path, sizeof(path), "%s/sample.bin", t->dir);
	write_file(path, t->sample, t->sample_len);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(attt_scan_fd(t->scan, fd, "sample.bin", &r), ATTT_OK);
	assert_int_equal(r.verdict, ATTT_SCAN_INFECTED);
	assert_non_null(strstr(r.signature, "Attt.Test.Sample"));
	close(fd);
	snprintf(path, sizeof(path), "%s/clean.txt", t->dir);
	write_file(path, "nothing to see\n", 15);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(attt_scan_fd(t->scan, fd, NULL, &r), ATTT_OK);
	assert_int_equal(r.verdict, ATTT_SCAN_CLEAN);
	close(fd);
	/* not a regular file */
	fd = open(t->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(attt_scan_fd(t->scan, fd, NULL, &r), ATTT_E_IO);
	close(fd);
}

/* Limits and arguments: an oversized buffer is refused before it is read; NULL engine is EINVAL. */
static void test_scan_buffer__limits(void **state)
{
	struct t *t = *state;
	struct attt_scan_result r;

	assert_int_equal(attt_scan_buffer(t->scan, t->sample, (size_t)ATTT_SCAN_MAX_BYTES + 1, NULL, &r), ATTT_E_TOOBIG);
	assert_int_equal(attt_scan_buffer(NULL, "x", 1, NULL, &r), ATTT_E_INVAL);
	assert_int_equal(attt_scan_buffer(t->scan, NULL, 1, NULL, &r), ATTT_E_INVAL);
}

/* R8.6, fail closed: no path, a missing path, an empty directory, a malformed database and a
 * database with no signature are errors with a message naming the path. */
static void test_scan_open__fails_closed(void **state)
{
	struct t *t = *state;
	struct attt_scan *s = NULL;
	char err[512], path[160];

	assert_int_equal(attt_scan_open("", &s, err, sizeof(err)), ATTT_E_CONFIG);
	assert_null(s);
	snprintf(path, sizeof(path), "%s/missing", t->dir);
	assert_int_equal(attt_scan_open(path, &s, err, sizeof(err)), ATTT_E_NOTFOUND);
	assert_non_null(strstr(err, path));
	assert_non_null(strstr(err, "scan.database"));
	snprintf(path, sizeof(path), "%s/empty", t->dir);
	assert_int_equal(mkdir(path, 0700), 0);
	assert_int_equal(attt_scan_open(path, &s, err, sizeof(err)), ATTT_E_CONFIG);
	assert_non_null(strstr(err, path));
	snprintf(path, sizeof(path), "%s/bad.ndb", t->dir);
	write_file(path, "this is not a signature\n", 24);
	assert_int_equal(attt_scan_open(path, &s, err, sizeof(err)), ATTT_E_CONFIG);
	assert_null(s);
}

/* A single signature file (not a directory) loads too. */
static void test_scan_open__one_file(void **state)
{
	struct t *t = *state;
	struct attt_scan *s = NULL;
	struct attt_scan_result r;
	char path[160], err[512];

	snprintf(path, sizeof(path), "%s/attt-test.hsb", t->db);
	assert_int_equal(attt_scan_open(path, &s, err, sizeof(err)), ATTT_OK);
	assert_int_equal(attt_scan_signatures(s), 1);
	assert_int_equal(attt_scan_buffer(s, t->sample, t->sample_len, NULL, &r), ATTT_OK);
	assert_int_equal(r.verdict, ATTT_SCAN_INFECTED);
	/* this engine lacks the body signature */
	assert_int_equal(attt_scan_buffer(s, t->eicar, strlen(t->eicar), NULL, &r), ATTT_OK);
	assert_int_equal(r.verdict, ATTT_SCAN_CLEAN);
	attt_scan_close(s);
	attt_scan_close(NULL);
}

struct worker {
	struct t *t;
	int infected, clean, errors;
};

static void *scan_worker(void *arg)
{
	struct worker *w = arg;
	char other[128];
	memcpy(other, w->t->sample, w->t->sample_len);
	other[1] ^= 1;
	for (int i = 0; i < 50; i++) {
		struct attt_scan_result r;
		const char *p = (i % 2) ? w->t->sample : other;
		if (attt_scan_buffer(w->t->scan, p, w->t->sample_len, NULL, &r) < 0)
			w->errors++;
		else if (r.verdict == ATTT_SCAN_INFECTED)
			w->infected++;
		else
			w->clean++;
	}
	return NULL;
}

/* Thread-safety: four threads scanning at once on one engine give exactly the expected answers. */
static void test_scan_buffer__concurrent(void **state)
{
	struct t *t = *state;
	pthread_t th[4];
	struct worker w[4];

	for (int i = 0; i < 4; i++) {
		w[i] = (struct worker){ .t = t };
		assert_int_equal(pthread_create(&th[i], NULL, scan_worker, &w[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		assert_int_equal(pthread_join(th[i], NULL), 0);
		assert_int_equal(w[i].errors, 0);
		assert_int_equal(w[i].infected, 25);
		assert_int_equal(w[i].clean, 25);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scan_open__counts_signatures),
		cmocka_unit_test(test_scan_buffer__infected_named),
		cmocka_unit_test(test_scan_buffer__clean),
		cmocka_unit_test(test_scan_fd__agrees_with_buffer),
		cmocka_unit_test(test_scan_buffer__limits),
		cmocka_unit_test(test_scan_open__fails_closed),
		cmocka_unit_test(test_scan_open__one_file),
		cmocka_unit_test(test_scan_buffer__concurrent),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
