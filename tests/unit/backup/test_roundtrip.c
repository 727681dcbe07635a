/*
 * test_roundtrip.c: the backup engine end to end through its public API (R10.1.a): generated trees
 * with every kind of entry restore byte for byte and metadata for metadata; an incremental save
 * after a 1 % change stores about 1 % new data; a wrong passphrase and another format version are
 * refused; keys can be added, changed and removed; partial restore, ls and diff; forget and prune
 * keep what the policy keeps; locks held by live processes are respected and stale ones are not.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <dirent.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <sodium.h>

#include "attt/backup.h"
#include "attt/err.h"
#include "bk_util.h"

#define PASS "mật khẩu đúng / right passphrase"

static const struct attt_backup_init_opts small = {
	.kdf = { 1, 8192 }, .cipher = ATTT_BACKUP_CIPHER_XCHACHA,
	.chunk_min = 16384, .chunk_avg = 65536, .chunk_max = 262144, .pack_size = 1u << 20,
};

struct env { char tmp[256], repo[300], src[300], out[300]; };

static struct env *env_new(const struct attt_backup_init_opts *o)
{
	struct env *e = calloc(1, sizeof(*e));
	bk_tmpdir(e->tmp, sizeof(e->tmp));
	snprintf(e->repo, sizeof(e->repo), "%s/repo", e->tmp);
	snprintf(e->src, sizeof(e->src), "%s/src", e->tmp);
	snprintf(e->out, sizeof(e->out), "%s/out", e->tmp);
	assert_int_equal(attt_backup_init(e->repo, PASS, strlen(PASS), o), ATTT_OK);
	return e;
}

static void env_free(struct env *e)
{
	bk_rm_rf(e->tmp);
	free(e);
}

static struct attt_backup_repo *open_repo(const struct env *e)
{
	struct attt_backup_repo *r = NULL;
	assert_int_equal(attt_backup_open(e->repo, PASS, strlen(PASS), &r), ATTT_OK);
	return r;
}

static void save(struct attt_backup_repo *r, const char *path, struct attt_backup_stats *st, char *id)
{
	const char *paths[] = { path };
	struct attt_backup_save_opts o = { .paths = paths, .n_paths = 1 };
	assert_int_equal(attt_backup_save(r, &o, st, id), ATTT_OK);
}

/* R10.1.a: round trip of a generated tree, both ciphers, exact contents and metadata. */
static void roundtrip(enum attt_backup_cipher c)
{
	struct attt_backup_init_opts o = small;
	struct env *e;
	struct attt_backup_repo *r;
	struct attt_backup_stats st;
	struct attt_backup_check_stats cs;
	char id[ATTT_BACKUP_ID_HEX], a[400], b[400];

	o.cipher = c;
	e = env_new(&o);
	bk_gen_tree(e->src, 42, 60, true);
	r = open_repo(e);
	save(r, e->src, &st, id);
	assert_int_equal(st.errors, 0);
	assert_true(st.files >= 60);
	assert_int_equal(attt_backup_restore(r, "latest", e->out, NULL, &st), ATTT_OK);
	snprintf(b, sizeof(b), "%s/src", e->out);
	assert_int_equal(bk_compare(e->src, b), 0);
	assert_int_equal(attt_backup_check(r, true, NULL, NULL, &cs), ATTT_OK);
	assert_int_equal(cs.problems, 0);
	assert_true(cs.packs > 1);
	/* A second save of the same tree stores no data, only trees whose atimes the comparison changed. */
	save(r, e->src, &st, NULL);
	assert_true(st.bytes_new < 100000);
	/* Partial restore of one directory. */
	snprintf(a, sizeof(a), "%s/part", e->tmp);
	struct attt_backup_restore_opts ro = { .include = "src/a/b" };
	assert_int_equal(attt_backup_restore(r, id, a, &ro, NULL), ATTT_OK);
	snprintf(a, sizeof(a), "%s/part/src/a/b", e->tmp);
	snprintf(b, sizeof(b), "%s/a/b", e->src);
	struct stat sb;
	assert_int_equal(lstat(a, &sb), 0);
	snprintf(a, sizeof(a), "%s/part/src/e", e->tmp);
	assert_int_not_equal(lstat(a, &sb), 0);
	attt_backup_close(r);
	env_free(e);
}

static void test_roundtrip__xchacha(void **state)
{
	(void)state;
	roundtrip(ATTT_BACKUP_CIPHER_XCHACHA);
}

static void test_roundtrip__aesgcm(void **state)
{
	(void)state;
	if (!crypto_aead_aes256gcm_is_available())
		skip();
	roundtrip(ATTT_BACKUP_CIPHER_AESGCM);
}

/* R10.1.a: a partial restore creates the parents of what it restores without following a symlink
 * planted in the target: a link where a parent goes is refused, and nothing lands where it points. */
static void test_restore__include_keeps_inside_target(void **state)
{
	struct env *e = env_new(&small);
	struct attt_backup_repo *r;
	struct attt_backup_restore_opts ro = { 0 };
	struct attt_backup_stats st;
	char p[400], q[400], out1[400], out2[400];
	struct stat sb;
	DIR *d;
	(void)state;

	assert_int_equal(mkdir(e->src, 0700), 0);
	snprintf(p, sizeof(p), "%s/d", e->src);
	assert_int_equal(mkdir(p, 0700), 0);
	snprintf(p, sizeof(p), "%s/d/sub", e->src);
	assert_int_equal(mkdir(p, 0700), 0);
	snprintf(p, sizeof(p), "%s/d/sub/f", e->src);
	bk_write(p, "inside", 6);
	r = open_repo(e);
	save(r, e->src, &st, NULL);

	/* esc1/src -> out1: the first parent of "src/d" is a link. */
	snprintf(out1, sizeof(out1), "%s/out1", e->tmp);
	snprintf(p, sizeof(p), "%s/esc1", e->tmp);
	assert_int_equal(mkdir(out1, 0700), 0);
	assert_int_equal(mkdir(p, 0700), 0);
	snprintf(q, sizeof(q), "%s/esc1/src", e->tmp);
	assert_int_equal(symlink(out1, q), 0);
	ro.include = "src/d";
	assert_int_equal(attt_backup_restore(r, "latest", p, &ro, NULL), ATTT_E_CONFLICT);

	/* esc2/src/d -> out2: a deeper parent of "src/d/sub/f" is a link. */
	snprintf(out2, sizeof(out2), "%s/out2", e->tmp);
	snprintf(p, sizeof(p), "%s/esc2", e->tmp);
	assert_int_equal(mkdir(out2, 0700), 0);
	assert_int_equal(mkdir(p, 0700), 0);
	snprintf(p, sizeof(p), "%s/esc2/src", e->tmp);
	assert_int_equal(mkdir(p, 0700), 0);
	snprintf(q, sizeof(q), "%s/esc2/src/d", e->tmp);
	assert_int_equal(symlink(out2, q), 0);
	snprintf(p, sizeof(p), "%s/esc2", e->tmp);
	ro.include = "src//d/sub/f";
	assert_int_equal(attt_backup_restore(r, "latest", p, &ro, NULL), ATTT_E_CONFLICT);

	/* Nothing was written where the links point. */
	for (int i = 0; i < 2; i++) {
		struct dirent *de;
		int n = 0;
		assert_non_null(d = opendir(i ? out2 : out1));
		while ((de = readdir(d)))
			n += strcmp(de->d_name, ".") && strcmp(de->d_name, "..");
		closedir(d);
		assert_int_equal(n, 0);
	}

	/* The same partial restores into clean targets work, trailing slash and all. */
	snprintf(p, sizeof(p), "%s/clean", e->tmp);
	ro.include = "src/d/sub/f";
	assert_int_equal(attt_backup_restore(r, "latest", p, &ro, NULL), ATTT_OK);
	snprintf(q, sizeof(q), "%s/clean/src/d/sub/f", e->tmp);
	assert_int_equal(lstat(q, &sb), 0);
	assert_true(S_ISREG(sb.st_mode) && sb.st_size == 6);
	ro.include = "src/d/";
	snprintf(p, sizeof(p), "%s/clean2", e->tmp);
	assert_int_equal(attt_backup_restore(r, "latest", p, &ro, NULL), ATTT_OK);
	snprintf(q, sizeof(q), "%s/clean2/src/d/sub/f", e->tmp);
	assert_int_equal(lstat(q, &sb), 0);
	attt_backup_close(r);
	env_free(e);
}

/* R10.1.a: the pipeline gives the same snapshot whatever the number of workers: the reader working off the
 * queue when it is full, chunks queued as pointers into reused read blocks, and copies of one
 * chunk hashed at the same time by two threads (stored once). */
static void test_save__workers_agree(void **state)
{
	struct env *e = env_new(&small);
	struct attt_backup_repo *r;
	struct attt_backup_stats st[4];
	struct attt_backup_snapshot *sn = NULL;
	size_t n = 0;
	char path[400];
	static uint8_t pat[65536 * 3], big[65536 * 3 * 40];
	struct bk_rng rng = { 7 };
	(void)state;

	bk_gen_tree(e->src, 9, 40, true);
	/* The same three chunks forty times over: cut points repeat with the content. */
	bk_fill(&rng, pat, sizeof(pat), false);
	for (size_t i = 0; i < 40; i++)
		memcpy(big + i * sizeof(pat), pat, sizeof(pat));
	snprintf(path, sizeof(path), "%s/repeated.bin", e->src);
	bk_write(path, big, sizeof(big));
	r = open_repo(e);
	/* The first save settles what reading changes (atimes the trees record); then three saves
	 * with 1, 4 and the default number of workers must agree. */
	const unsigned workers[4] = { 1, 1, 4, 0 };
	const char *hosts[4] = { "w", "w1", "w4", "w0" }; /* no parent: every file is read again */
	for (size_t i = 0; i < 4; i++) {
		const char *paths[] = { e->src };
		struct attt_backup_save_opts o = { .paths = paths, .n_paths = 1, .workers = workers[i],
						   .hostname = hosts[i] };
		assert_int_equal(attt_backup_save(r, &o, &st[i], NULL), ATTT_OK);
		assert_int_equal(st[i].errors, 0);
	}
	assert_true(st[0].bytes_new > sizeof(pat));
	/* The repeated file's chunks were stored once: far less new data than it holds. */
	assert_true(st[0].bytes_new < st[0].bytes - sizeof(big) + 4 * sizeof(pat));
	for (size_t i = 2; i < 4; i++) {
		assert_int_equal(st[i].bytes_new, 0);
		assert_int_equal(st[i].bytes, st[1].bytes);
	}
	assert_int_equal(attt_backup_snapshots(r, &sn, &n), ATTT_OK);
	assert_int_equal(n, 4);
	assert_string_equal(sn[1].tree, sn[2].tree);
	assert_string_equal(sn[1].tree, sn[3].tree);
	attt_backup_snapshots_free(sn, n);
	assert_int_equal(attt_backup_restore(r, "latest", e->out, NULL, NULL), ATTT_OK);
	snprintf(path, sizeof(path), "%s/src", e->out);
	assert_int_equal(bk_compare(e->src, path), 0);
	struct attt_backup_check_stats cs;
	assert_int_equal(attt_backup_check(r, true, NULL, NULL, &cs), ATTT_OK);
	assert_int_equal(cs.problems, 0);
	attt_backup_close(r);
	env_free(e);
}

/* R10.1.a: an incremental save loads the parent snapshot's tree of every directory (index lookups) while
 * the workers store the new chunks of the files before it (index inserts, which grow the index):
 * the two must not race (the ThreadSanitizer run of make test watches this one). */
static void test_save__parent_trees_while_workers_store(void **state)
{
	struct env *e = env_new(&small);
	struct attt_backup_repo *r;
	struct attt_backup_stats st;
	struct bk_rng rng = { 11 };
	static uint8_t buf[200000];
	char p[400];
	(void)state;

	mkdir(e->src, 0755);
	for (int i = 0; i < 300; i++) {
		snprintf(p, sizeof(p), "%s/d%03d", e->src, i);
		assert_int_equal(mkdir(p, 0755), 0);
		snprintf(p, sizeof(p), "%s/d%03d/f", e->src, i);
		bk_write(p, "x", 1);
		snprintf(p, sizeof(p), "%s/d%03d/g", e->src, i);
		assert_int_equal(mkdir(p, 0755), 0);
		snprintf(p, sizeof(p), "%s/d%03d/g/x", e->src, i);
		bk_write(p, "y", 1);
	}
	r = open_repo(e);
	save(r, e->src, &st, NULL);
	for (int i = 0; i < 300; i++) {
		snprintf(p, sizeof(p), "%s/d%03d/f", e->src, i);
		bk_fill(&rng, buf, sizeof(buf), false);
		bk_write(p, buf, sizeof(buf));
	}
	const char *paths[] = { e->src };
	struct attt_backup_save_opts o = { .paths = paths, .n_paths = 1, .workers = 4 };
	assert_int_equal(attt_backup_save(r, &o, &st, NULL), ATTT_OK);
	assert_int_equal(st.errors, 0);
	assert_true(st.bytes_new >= 300 * sizeof(buf));
	assert_int_equal(attt_backup_restore(r, "latest", e->out, NULL, NULL), ATTT_OK);
	snprintf(p, sizeof(p), "%s/src", e->out);
	assert_int_equal(bk_compare(e->src, p), 0);
	attt_backup_close(r);
	env_free(e);
}

/* Makes openat with O_DIRECT fail with EINVAL in this process, as on a file system that refuses
 * it (tmpfs before Linux 6.6, some network file systems). */
static int refuse_o_direct(void)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_openat, 0, 3),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[2])),
		BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, O_DIRECT, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (EINVAL & SECCOMP_RET_DATA)),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = sizeof(f) / sizeof(f[0]), .filter = f };
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -1;
	return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog);
}

/* R10.1.a: packs go to disk with O_DIRECT; where the file system refuses it, through the page cache:
 * the save completes, checks clean, restores exactly, and leaves no temporary pack. Runs in a
 * child, whose seccomp filter refuses O_DIRECT; exit status 0 means all of that held. */
static void test_save__without_direct_io(void **state)
{
	struct env *e = env_new(&small);
	char out[400], data[400];
	int status = -1;
	(void)state;

	bk_gen_tree(e->src, 5, 30, true);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct attt_backup_repo *r = NULL;
		struct attt_backup_stats st;
		struct attt_backup_check_stats cs;
		const char *paths[] = { e->src };
		struct attt_backup_save_opts o = { .paths = paths, .n_paths = 1 };
		int fd;
		if (refuse_o_direct() < 0)
			_exit(10);
		fd = open(e->src, O_RDONLY | O_DIRECT);
		if (fd >= 0 || errno != EINVAL)
			_exit(11); /* the filter does not work: the test would prove nothing */
		if (attt_backup_open(e->repo, PASS, strlen(PASS), &r) != ATTT_OK ||
		    attt_backup_save(r, &o, &st, NULL) != ATTT_OK || st.bytes_stored == 0)
			_exit(12);
		if (attt_backup_check(r, true, NULL, NULL, &cs) != ATTT_OK || cs.problems || cs.packs < 2)
			_exit(13);
		if (attt_backup_restore(r, "latest", e->out, NULL, NULL) != ATTT_OK)
			_exit(14);
		snprintf(out, sizeof(out), "%s/src", e->out);
		if (bk_compare(e->src, out) != 0)
			_exit(15);
		snprintf(data, sizeof(data), "%s/data", e->repo);
		DIR *d = opendir(data);
		struct dirent *de;
		if (!d)
			_exit(16);
		while ((de = readdir(d)))
			if (strncmp(de->d_name, ".tmp-", 5) == 0)
				_exit(17);
		closedir(d);
		attt_backup_close(r);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	env_free(e);
}

/* What test_save__commit_waits_for_piece saw of the flushers, in order. */
struct flush_order {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int pieces;      /* pieces the flushers started writing */
	bool released;   /* the held piece may be written */
	int waits;       /* commits that waited for a piece in flight */
	int early;       /* packs made durable while the held piece was not written */
};

static void flush_order_cb(void *ctx, const char *point)
{
	struct flush_order *f = ctx;
	pthread_mutex_lock(&f->mu);
	if (strcmp(point, "piece-write") == 0 && f->pieces++ == 0) {
		/* The first piece of the first pack: its flusher stops here until the other flusher
		 * has taken that pack's commit (or, wrongly, made the pack durable). */
		while (!f->released)
			pthread_cond_wait(&f->cv, &f->mu);
	} else if (strcmp(point, "commit-waits") == 0) {
		f->waits++;
		f->released = true;
		pthread_cond_broadcast(&f->cv);
	} else if (strcmp(point, "pack-written") == 0 && !f->released) {
		f->early++;
		f->released = true;
		pthread_cond_broadcast(&f->cv);
	}
	pthread_mutex_unlock(&f->mu);
}

/* R10.1.a: a pack is made durable (fsync, rename) only once every piece of it is written, even when
 * the flusher that takes its commit is not the one still writing a piece of it. One flusher is
 * held as it starts the first piece; the other takes the pack's commit and must wait for it
 * ("commit-waits") rather than make the pack durable ("pack-written") first. The test suite's
 * timeout catches a save that never ends. */
static void test_save__commit_waits_for_piece(void **state)
{
	struct env *e = env_new(&small);
	struct flush_order f = { .mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER };
	struct attt_backup_repo *r;
	struct attt_backup_check_stats cs;
	const char *paths[1];
	char out[400];
	(void)state;

	bk_gen_tree(e->src, 9, 30, true);
	paths[0] = e->src;
	struct attt_backup_save_opts o = { .paths = paths, .n_paths = 1, .crash = flush_order_cb, .crash_ctx = &f };
	r = open_repo(e);
	assert_int_equal(attt_backup_save(r, &o, NULL, NULL), ATTT_OK);
	assert_true(f.pieces >= 2); /* packs went out in O_DIRECT pieces, the case under test */
	assert_int_equal(f.early, 0);
	assert_true(f.waits >= 1);
	assert_int_equal(attt_backup_check(r, true, NULL, NULL, &cs), ATTT_OK);
	assert_int_equal(cs.problems, 0);
	assert_int_equal(attt_backup_restore(r, "latest", e->out, NULL, NULL), ATTT_OK);
	snprintf(out, sizeof(out), "%s/src", e->out);
	assert_int_equal(bk_compare(e->src, out), 0);
	attt_backup_close(r);
	env_free(e);
}

/* Incremental after a 1 % change stores about 1 % new data. */
static void test_incremental__one_percent(void **state)
{
	struct env *e = env_new(&small);
	struct attt_backup_repo *r = open_repo(e);
	struct attt_backup_stats st1, st2;
	struct bk_rng rng = { 7 };
	uint8_t *buf = malloc(160000);
	char path[400];

	(void)state;
	mkdir(e->src, 0755);
	for (int i = 0; i < 100; i++) {
		snprintf(path, sizeof(path), "%s/f%03d", e->src, i);
		bk_fill(&rng, buf, 160000, false);
		bk_write(path, buf, 160000);
	}
	save(r, e->src, &st1, NULL);
	/* 1 % of the data changes: one of the hundred files is rewritten. */
	snprintf(path, sizeof(path), "%s/f050", e->src);
	bk_fill(&rng, buf, 160000, false);
	bk_write(path, buf, 160000);
	save(r, e->src, &st2, NULL);
	double frac = (double)st2.bytes_new / (double)st1.bytes_new;
	print_message("incremental: %.2f %% new (%llu of %llu bytes)\n", frac * 100,
		      (unsigned long long)st2.bytes_new, (unsigned long long)st1.bytes_new);
	assert_true(frac >= 0.009 && frac < 0.02);
	/* And a change inside one big file stores about the changed region only (content-defined). */
	snprintf(path, sizeof(path), "%s/f000", e->src);
	int fd = open(path, O_WRONLY | O_APPEND);
	bk_fill(&rng, buf, 1600, false);
	assert_int_equal(pwrite(fd, buf, 1600, 0), 1600); /* O_APPEND: written at the end */
	close(fd);
	save(r, e->src, &st2, NULL);
	assert_true(st2.bytes_new < 400000);
	free(buf);
	attt_backup_close(r);
	env_free(e);
}

/* A wrong passphrase is refused; keys can be added, changed and removed. */
static void count_key_problem(void *ctx, const char *what, const char *why)
{
	(void)why;
	if (strncmp(what, "keys/", 5) == 0)
		(*(int *)ctx)++;
}

static void test_keys__passphrases(void **state)
{
	struct env *e = env_new(&small);
	struct attt_backup_repo *r = NULL, *r2 = NULL;
	struct attt_backup_kdf kdf = { 1, 8192 };
	char id[ATTT_BACKUP_ID_HEX];

	(void)state;
	assert_int_equal(attt_backup_open(e->repo, "wrong", 5, &r), ATTT_E_AUTH);
	assert_null(r);
	assert_int_equal(attt_backup_init(e->repo, PASS, strlen(PASS), &small), ATTT_E_EXISTS);
	r = open_repo(e);
	assert_int_equal(attt_backup_key_add(r, "second", 6, &kdf, id), ATTT_OK);
	assert_int_equal(attt_backup_open(e->repo, "second", 6, &r2), ATTT_OK);
	/* The key in use cannot be removed; another can. */
	assert_int_equal(attt_backup_key_remove(r2, id), ATTT_E_CONFLICT);
	assert_int_equal(attt_backup_key_remove(r, id), ATTT_OK);
	attt_backup_close(r2);
	r2 = NULL;
	assert_int_equal(attt_backup_open(e->repo, "second", 6, &r2), ATTT_E_AUTH);
	assert_int_equal(attt_backup_key_passwd(r, "third", 5, &kdf), ATTT_OK);
	assert_int_equal(attt_backup_open(e->repo, PASS, strlen(PASS), &r2), ATTT_E_AUTH);
	assert_int_equal(attt_backup_open(e->repo, "third", 5, &r2), ATTT_OK);
	attt_backup_close(r2);
	/* R10.1.a: another key file emptied: check names it, though it cannot open it. */
	assert_int_equal(attt_backup_key_add(r, "fourth", 6, &kdf, id), ATTT_OK);
	assert_int_equal(attt_backup_check(r, false, NULL, NULL, NULL), ATTT_OK);
	char kp[400];
	int named = 0;
	snprintf(kp, sizeof(kp), "%s/keys/%s", e->repo, id);
	assert_int_equal(truncate(kp, 0), 0);
	assert_int_equal(attt_backup_check(r, false, count_key_problem, &named, NULL), ATTT_E_CORRUPT);
	assert_int_equal(named, 1);
	attt_backup_close(r);
	env_free(e);
}

/* A config whose verification key does not match the key material is refused (R10.1.a). */
static void test_config__tampered(void **state)
{
	struct env *e = env_new(&small);
	struct attt_backup_repo *r = NULL;
	char path[400], buf[2048];
	FILE *f;
	size_t n;

	(void)state;
	snprintf(path, sizeof(path), "%s/config", e->repo);
	f = fopen(path, "r+e");
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = 0;
	char *vk = strstr(buf, "verify-key ");
	assert_non_null(vk);
	vk[11] = vk[11] == 'a' ? 'b' : 'a';
	rewind(f);
	fwrite(buf, 1, n, f);
	fclose(f);
	assert_int_equal(attt_backup_open(e->repo, PASS, strlen(PASS), &r), ATTT_E_CORRUPT);
	env_free(e);
}

/* A repository of another format version (1 named chunks with BLAKE2b) is refused as unsupported,
 * whatever the passphrase, rather than reported as a wrong passphrase or as damage. */
static void test_config__other_version(void **state)
{
	struct env *e = env_new(&small);
	struct attt_backup_repo *r = NULL;
	char path[400], buf[2048];
	FILE *f;
	size_t n;

	(void)state;
	snprintf(path, sizeof(path), "%s/config", e->repo);
	f = fopen(path, "r+e");
	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = 0;
	assert_true(strncmp(buf, "attt-backup 2\n", 14) == 0);
	buf[12] = '1';
	rewind(f);
	fwrite(buf, 1, n, f);
	fclose(f);
	assert_int_equal(attt_backup_open(e->repo, PASS, strlen(PASS), &r), ATTT_E_UNSUPPORTED);
	assert_int_equal(attt_backup_open(e->repo, "wrong", 5, &r), ATTT_E_UNSUPPORTED);
	assert_null(r);
	env_free(e);
}

struct diffs { int plus, minus, mod; };

static int diff_cb(void *ctx, char c, const struct attt_backup_entry *en)
{
	struct diffs *d = ctx;
	(void)en;
	if (c == '+')
		d->plus++;
	else if (c == '-')
		d->minus++;
	else
		d->mod++;
	return 0;
}

static int ls_cb(void *ctx, const struct attt_backup_entry *en)
{
	int *n = ctx;
	(*n)++;
	if (strcmp(en->path, "src/a/sym") == 0) {
		assert_int_equal(en->kind, ATTT_BACKUP_SYMLINK);
		assert_string_equal(en->link_target, "../e/linked-too");
	}
	return 0;
}

static void test_ls_diff(void **state)
{
	struct env *e = env_new(&small);
	struct attt_backup_repo *r = open_repo(e);
	char a[ATTT_BACKUP_ID_HEX], b[ATTT_BACKUP_ID_HEX], path[400];
	struct diffs d = { 0 };
	int n = 0;

	(void)state;
	bk_gen_tree(e->src, 5, 20, false);
	save(r, e->src, NULL, a);
	snprintf(path, sizeof(path), "%s/new-file", e->src);
	bk_write(path, "x", 1);
	snprintf(path, sizeof(path), "%s/a/linked", e->src);
	bk_write(path, "changed", 7);
	snprintf(path, sizeof(path), "%s/dangling", e->src);
	unlink(path);
	save(r, e->src, NULL, b);
	assert_int_equal(attt_backup_ls(r, a, ls_cb, &n), ATTT_OK);
	assert_true(n > 20);
	assert_int_equal(attt_backup_diff(r, a, b, diff_cb, &d), ATTT_OK);
	assert_int_equal(d.plus, 1);
	assert_int_equal(d.minus, 1);
	assert_true(d.mod >= 3); /* the file, its two other links, and changed directories */
	/* Unknown and ambiguous names. */
	struct attt_backup_snapshot *s = NULL;
	assert_int_equal(attt_backup_find_snapshot(r, "ffffffff", &s), ATTT_E_NOTFOUND);
	assert_int_equal(attt_backup_find_snapshot(r, "../x", &s), ATTT_E_INVAL);
	attt_backup_close(r);
	env_free(e);
}

static int64_t fake_now;

static void test_forget_prune(void **state)
{
	struct env *e = env_new(&small);
	struct attt_backup_repo *r = open_repo(e);
	struct attt_clock clk = { attt_clock_fake_now, &fake_now };
	struct attt_backup_policy p = { .keep_daily = 3, .keep_monthly = 2 };
	struct attt_backup_prune_stats ps;
	struct attt_backup_snapshot *v = NULL;
	struct bk_rng rng = { 9 };
	uint8_t buf[50000];
	char path[400];
	size_t n;

	(void)state;
	mkdir(e->src, 0755);
	snprintf(path, sizeof(path), "%s/f", e->src);
	/* Ten daily snapshots spanning a month boundary, each with different content. */
	for (int day = 0; day < 10; day++) {
		const char *paths[] = { e->src };
		struct attt_backup_save_opts o = { .paths = paths, .n_paths = 1, .clock = &clk };
		fake_now = (INT64_C(1790391600) + day * 86400) * 1000000; /* 26/09/2026 10:00 (UTC+7) onwards */
		bk_fill(&rng, buf, sizeof(buf), false);
		bk_write(path, buf, sizeof(buf));
		assert_int_equal(attt_backup_save(r, &o, NULL, NULL), ATTT_OK);
	}
	struct attt_backup_policy none = { 0 };
	assert_int_equal(attt_backup_forget(r, &none, false, NULL, NULL), ATTT_E_INVAL);
	assert_int_equal(attt_backup_forget(r, &p, true, NULL, NULL), ATTT_OK);
	assert_int_equal(attt_backup_snapshots(r, &v, &n), ATTT_OK);
	attt_backup_snapshots_free(v, n);
	assert_int_equal(n, 10); /* dry run */
	assert_int_equal(attt_backup_forget(r, &p, false, NULL, NULL), ATTT_OK);
	assert_int_equal(attt_backup_snapshots(r, &v, &n), ATTT_OK);
	/* Oct 5, 4, 3 (daily), Oct 5 again and Sep 30 (monthly): four kept. */
	assert_int_equal(n, 4);
	attt_backup_snapshots_free(v, n);
	assert_int_equal(attt_backup_prune(r, &ps), ATTT_OK);
	assert_true(ps.packs_deleted + ps.packs_rewritten > 0);
	assert_true(ps.bytes_freed >= 5 * sizeof(buf));
	assert_int_equal(attt_backup_check(r, true, NULL, NULL, NULL), ATTT_OK);
	assert_int_equal(attt_backup_restore(r, "latest", e->out, NULL, NULL), ATTT_OK);
	snprintf(path, sizeof(path), "%s/src", e->out);
	assert_int_equal(bk_compare(e->src, path), 0);
	attt_backup_close(r);
	env_free(e);
}

struct pg_rec { unsigned calls; bool steady; struct attt_backup_progress last; };

static void pg_record(void *ctx, const struct attt_backup_progress *p)
{
	struct pg_rec *g = ctx;
	if (p->packs != g->last.packs + 1 || p->bytes < g->last.bytes || p->packs > p->packs_total)
		g->steady = false;
	g->last = *p;
	g->calls++;
}

/* A check --read-data or a prune of a large repository runs for minutes: both report each pack
 * they look at, counting up to the total, with the bytes read (R10.1.a, the engine's progress). */
static void test_check_prune__report_progress(void **state)
{
	struct env *e = env_new(&small);
	struct attt_backup_repo *r = open_repo(e);
	struct attt_backup_check_stats cs;
	struct attt_backup_prune_stats ps;
	struct attt_backup_policy keep1 = { .keep_last = 1 };
	struct pg_rec g = { .steady = true };
	struct bk_rng rng = { 21 };
	uint8_t buf[300000];
	char path[400];

	(void)state;
	mkdir(e->src, 0755);
	snprintf(path, sizeof(path), "%s/f", e->src);
	for (int i = 0; i < 4; i++) {
		const char *paths[] = { e->src };
		struct attt_backup_save_opts o = { .paths = paths, .n_paths = 1 };
		bk_fill(&rng, buf, sizeof(buf), false);
		bk_write(path, buf, sizeof(buf));
		assert_int_equal(attt_backup_save(r, &o, NULL, NULL), ATTT_OK);
	}
	attt_backup_set_progress(r, pg_record, &g);
	assert_int_equal(attt_backup_check(r, true, NULL, NULL, &cs), ATTT_OK);
	assert_true(cs.packs >= 4);
	assert_true(g.steady);
	assert_int_equal(g.calls, cs.packs);
	assert_int_equal(g.last.packs_total, cs.packs);
	assert_int_equal(g.last.bytes, cs.bytes_read);

	assert_int_equal(attt_backup_forget(r, &keep1, false, NULL, NULL), ATTT_OK);
	g = (struct pg_rec){ .steady = true };
	assert_int_equal(attt_backup_prune(r, &ps), ATTT_OK);
	assert_true(ps.packs_deleted + ps.packs_rewritten > 0);
	assert_true(g.steady);
	assert_int_equal(g.calls, cs.packs);
	assert_int_equal(g.last.packs_total, cs.packs);
	assert_true(ps.packs_rewritten == 0 || g.last.bytes > 0);

	/* Off again: nothing more is reported. */
	attt_backup_set_progress(r, NULL, NULL);
	g.calls = 0;
	assert_int_equal(attt_backup_check(r, false, NULL, NULL, NULL), ATTT_OK);
	assert_int_equal(g.calls, 0);
	attt_backup_close(r);
	env_free(e);
}

/* R10.1.b: retention applies to each group of snapshots (one host, one set of paths) on its own:
 * daily saves of one folder do not push out the older snapshots of another, or another host's. */
static void test_forget__per_group(void **state)
{
	struct env *e = env_new(&small);
	struct attt_backup_repo *r = open_repo(e);
	struct attt_clock clk = { attt_clock_fake_now, &fake_now };
	struct attt_backup_snapshot *v = NULL;
	char a[400], b[400], f[420];
	size_t n, na = 0, nb = 0, nh = 0;

	(void)state;
	snprintf(a, sizeof(a), "%s/a", e->tmp);
	snprintf(b, sizeof(b), "%s/b", e->tmp);
	assert_int_equal(mkdir(a, 0755), 0);
	assert_int_equal(mkdir(b, 0755), 0);
	snprintf(f, sizeof(f), "%s/f", a);
	bk_write(f, "a", 1);
	snprintf(f, sizeof(f), "%s/f", b);
	bk_write(f, "b", 1);
	/* Days 0-2: folder b, then b from host "khac"; days 3-6: folder a. */
	for (int day = 0; day < 7; day++) {
		const char *paths[] = { day < 3 ? b : a };
		struct attt_backup_save_opts o = { .paths = paths, .n_paths = 1, .clock = &clk, .hostname = "may-chu" };
		fake_now = (INT64_C(1790391600) + day * 86400) * 1000000;
		assert_int_equal(attt_backup_save(r, &o, NULL, NULL), ATTT_OK);
		if (day == 2) {
			o.hostname = "khac";
			fake_now += 3600 * INT64_C(1000000);
			assert_int_equal(attt_backup_save(r, &o, NULL, NULL), ATTT_OK);
		}
	}
	struct attt_backup_policy p = { .keep_daily = 2 };
	assert_int_equal(attt_backup_forget(r, &p, false, NULL, NULL), ATTT_OK);
	assert_int_equal(attt_backup_snapshots(r, &v, &n), ATTT_OK);
	for (size_t i = 0; i < n; i++) {
		if (strcmp(v[i].hostname, "khac") == 0)
			nh++;
		else if (strcmp(v[i].paths[0], a) == 0)
			na++;
		else
			nb++;
	}
	attt_backup_snapshots_free(v, n);
	/* Two days of a, two of b from this host, and the other host's only snapshot. */
	assert_int_equal(na, 2);
	assert_int_equal(nb, 2);
	assert_int_equal(nh, 1);
	/* keep_last 1: the newest of each group. */
	struct attt_backup_policy last = { .keep_last = 1 };
	assert_int_equal(attt_backup_forget(r, &last, false, NULL, NULL), ATTT_OK);
	assert_int_equal(attt_backup_snapshots(r, &v, &n), ATTT_OK);
	attt_backup_snapshots_free(v, n);
	assert_int_equal(n, 3);
	attt_backup_close(r);
	env_free(e);
}

static void count_problem(void *ctx, const char *what, const char *why)
{
	(void)why;
	if (strncmp(what, "snapshots/", 10) == 0 || strncmp(what, "data/", 5) == 0)
		(*(int *)ctx)++;
}

/* R10.1.a: one damaged snapshot file, or a stray file among the snapshots, leaves the other
 * snapshots listable and restorable; restoring the damaged one by its id says it is damaged; check
 * names it; prune refuses to run (so as not to delete what it references) until it is removed. */
static void test_snapshots__one_damaged_leaves_the_others(void **state)
{
	struct env *e = env_new(&small);
	struct attt_backup_repo *r = open_repo(e);
	struct attt_backup_snapshot *v = NULL;
	struct attt_backup_prune_stats ps;
	struct attt_backup_policy last = { .keep_last = 1 };
	char old[ATTT_BACKUP_ID_HEX], cur[ATTT_BACKUP_ID_HEX], p[700], q[400];
	uint8_t c;
	int fd, named = 0;
	size_t n;

	(void)state;
	bk_gen_tree(e->src, 7, 20, false);
	save(r, e->src, NULL, old);
	snprintf(p, sizeof(p), "%s/extra", e->src);
	bk_write(p, "new", 3);
	save(r, e->src, NULL, cur);
	/* Flip one byte of the newer snapshot, and drop a stray file beside it. */
	snprintf(p, sizeof(p), "%s/snapshots/%s", e->repo, cur);
	assert_true((fd = open(p, O_RDWR)) >= 0);
	assert_int_equal(pread(fd, &c, 1, 40), 1);
	c ^= 0x10;
	assert_int_equal(pwrite(fd, &c, 1, 40), 1);
	close(fd);
	snprintf(p, sizeof(p), "%s/snapshots/Thumbs.db", e->repo);
	bk_write(p, "x", 1);
	snprintf(p, sizeof(p), "%s/data/Thumbs.db", e->repo); /* and one among the pack directories */
	bk_write(p, "x", 1);

	assert_int_equal(attt_backup_snapshots(r, &v, &n), ATTT_OK);
	assert_int_equal(n, 1);
	assert_string_equal(v[0].id, old);
	attt_backup_snapshots_free(v, n);
	/* "latest" is now the newest intact snapshot; the damaged one, asked for by id, is refused. */
	assert_int_equal(attt_backup_restore(r, "latest", e->out, NULL, NULL), ATTT_OK);
	snprintf(q, sizeof(q), "%s/src/extra", e->out);
	assert_int_not_equal(access(q, F_OK), 0);
	snprintf(q, sizeof(q), "%s/other", e->tmp);
	assert_int_equal(attt_backup_restore(r, cur, q, NULL, NULL), ATTT_E_CORRUPT);
	assert_int_equal(attt_backup_check(r, false, count_problem, &named, NULL), ATTT_E_CORRUPT);
	assert_true(named >= 1);
	/* forget works on the intact ones and leaves the damaged file for a person to judge. */
	assert_int_equal(attt_backup_forget(r, &last, false, NULL, NULL), ATTT_OK);
	snprintf(p, sizeof(p), "%s/snapshots/%s", e->repo, cur);
	assert_int_equal(access(p, F_OK), 0);
	assert_int_equal(attt_backup_prune(r, &ps), ATTT_E_CORRUPT);
	/* Once it is removed, prune runs; the stray file is the last problem check names. */
	assert_int_equal(unlink(p), 0);
	assert_int_equal(attt_backup_prune(r, &ps), ATTT_OK);
	named = 0;
	assert_int_equal(attt_backup_check(r, false, count_problem, &named, NULL), ATTT_E_CORRUPT);
	assert_int_equal(named, 2); /* snapshots/Thumbs.db and data/Thumbs.db */
	snprintf(p, sizeof(p), "%s/snapshots/Thumbs.db", e->repo);
	assert_int_equal(unlink(p), 0);
	snprintf(p, sizeof(p), "%s/data/Thumbs.db", e->repo);
	assert_int_equal(unlink(p), 0);
	assert_int_equal(attt_backup_check(r, true, NULL, NULL, NULL), ATTT_OK);
	snprintf(q, sizeof(q), "%s/again", e->tmp);
	assert_int_equal(attt_backup_restore(r, old, q, NULL, NULL), ATTT_OK);
	attt_backup_close(r);
	env_free(e);
}

/* Lists data/xx/ pack paths into v (up to max); returns how many. */
static size_t list_packs(const char *repo, char (*v)[1024], size_t max)
{
	char d[400];
	size_t n = 0;
	snprintf(d, sizeof(d), "%s/data", repo);
	DIR *top = opendir(d);
	struct dirent *a;
	assert_non_null(top);
	while ((a = readdir(top))) {
		char sub[700];
		DIR *in;
		struct dirent *b;
		if (a->d_name[0] == '.')
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", d, a->d_name);
		assert_non_null(in = opendir(sub));
		while ((b = readdir(in)) && n < max)
			if (b->d_name[0] != '.')
				snprintf(v[n++], 1024, "%s/%s", sub, b->d_name);
		closedir(in);
	}
	closedir(top);
	return n;
}

static void note_big(void *ctx, const char *what, const char *why)
{
	int *found = ctx;
	size_t n = strlen(what);
	if (n >= 8 && strcmp(what + n - 8, "/src/big") == 0 && strstr(why, "data/"))
		found[0]++;
	else if (strncmp(what, "data/", 5) == 0)
		found[1]++;
	else
		fail_msg("unexpected problem: %s: %s", what, why);
}

/* R10.1.a: damaged data costs only the files that need it: the restore names each such file (and
 * its pack), leaves no partial file in its place, restores every other file and the directories'
 * metadata, and still fails. */
static void test_restore__damaged_chunk_costs_one_file(void **state)
{
	static char before[64][1024], after[64][1024];
	struct env *e = env_new(&small);
	struct attt_backup_repo *r = open_repo(e);
	struct attt_backup_stats st;
	struct bk_rng rng = { 3 };
	static uint8_t big[3u << 20];
	char p[700], q[700];
	struct stat sb;
	size_t nb, na, pick = SIZE_MAX;
	off_t best = 0;
	uint8_t c;
	int fd;

	(void)state;
	assert_int_equal(mkdir(e->src, 0755), 0);
	snprintf(p, sizeof(p), "%s/small", e->src);
	bk_gen_tree(p, 11, 30, false);
	save(r, e->src, &st, NULL);
	nb = list_packs(e->repo, before, 64);
	/* The big file's chunks go to packs of their own, written by the second save. */
	bk_fill(&rng, big, sizeof(big), false);
	snprintf(p, sizeof(p), "%s/big", e->src);
	bk_write(p, big, sizeof(big));
	save(r, e->src, &st, NULL);
	na = list_packs(e->repo, after, 64);
	for (size_t i = 0; i < na; i++) {
		bool old = false;
		for (size_t j = 0; j < nb; j++)
			old |= strcmp(after[i], before[j]) == 0;
		if (!old && stat(after[i], &sb) == 0 && sb.st_size > best) {
			best = sb.st_size;
			pick = i;
		}
	}
	assert_true(pick != SIZE_MAX && best > 512 * 1024);
	/* One byte in the middle of the largest new pack: inside a chunk of big. */
	assert_true((fd = open(after[pick], O_RDWR)) >= 0);
	assert_int_equal(pread(fd, &c, 1, best / 2), 1);
	c ^= 1;
	assert_int_equal(pwrite(fd, &c, 1, best / 2), 1);
	close(fd);

	/* check --read-data names the pack and, with it, the file that needs its damaged chunk. */
	int found[2] = { 0, 0 };
	assert_int_equal(attt_backup_check(r, true, note_big, found, NULL), ATTT_E_CORRUPT);
	assert_int_equal(found[0], 1); /* src/big, once */
	assert_true(found[1] >= 1);    /* the pack */
	memset(&st, 0, sizeof(st));
	assert_int_equal(attt_backup_restore(r, "latest", e->out, NULL, &st), ATTT_E_CORRUPT);
	assert_int_equal(st.errors, 1);
	snprintf(q, sizeof(q), "%s/src/big", e->out);
	assert_int_not_equal(lstat(q, &sb), 0); /* no partial file */
	snprintf(p, sizeof(p), "%s/small", e->src);
	snprintf(q, sizeof(q), "%s/src/small", e->out);
	assert_int_equal(bk_compare(p, q), 0);
	snprintf(q, sizeof(q), "%s/src", e->out);
	assert_int_equal(lstat(q, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0755);
	attt_backup_close(r);
	env_free(e);
}

static int count_entries(void *ctx, const struct attt_backup_entry *en)
{
	int *c = ctx;
	c[0]++;
	if (strstr(en->path, "/repo"))
		c[1]++;
	return 0;
}

/* R10.1.a: a repository inside the directory it backs up is left out of the snapshot (compared by
 * device and inode): it would otherwise store itself, growing with every run. */
static void test_save__leaves_out_its_own_repository(void **state)
{
	struct env *e = env_new(&small);
	struct attt_backup_repo *r = open_repo(e);
	struct attt_backup_stats st;
	int c[2] = { 0, 0 };
	char p[400];

	(void)state;
	assert_int_equal(mkdir(e->src, 0755), 0);
	snprintf(p, sizeof(p), "%s/f", e->src);
	bk_write(p, "data", 4);
	save(r, e->tmp, &st, NULL); /* tmp holds both src and repo */
	assert_int_equal(st.errors, 0);
	assert_int_equal(attt_backup_ls(r, "latest", count_entries, c), ATTT_OK);
	assert_true(c[0] >= 3); /* tmp, tmp/src, tmp/src/f */
	assert_int_equal(c[1], 0);
	attt_backup_close(r);
	env_free(e);
}

/* Locks: a live exclusive lock blocks a save; a lock of a dead process does not. */
static void test_locks(void **state)
{
	struct env *e = env_new(&small);
	struct attt_backup_repo *r = open_repo(e);
	struct attt_backup_policy p = { .keep_last = 1 };
	char path[400], body[512], host[256] = "";
	const char *paths[] = { e->repo };
	struct attt_backup_save_opts o = { .paths = paths, .n_paths = 1 };

	(void)state;
	gethostname(host, sizeof(host) - 1);
	snprintf(path, sizeof(path), "%s/locks/0123", e->repo);
	snprintf(body, sizeof(body), "attt-lock 1\nexclusive 1\npid %d\nhost %s\ntime 9000000000000000\n",
		 (int)getppid(), host);
	bk_write(path, body, strlen(body));
	assert_int_equal(attt_backup_save(r, &o, NULL, NULL), ATTT_E_BUSY);
	/* A shared lock of a live process blocks forget (exclusive) but not a save. */
	snprintf(body, sizeof(body), "attt-lock 1\nexclusive 0\npid %d\nhost %s\ntime 9000000000000000\n",
		 (int)getppid(), host);
	bk_write(path, body, strlen(body));
	assert_int_equal(attt_backup_forget(r, &p, false, NULL, NULL), ATTT_E_BUSY);
	/* The same lock of a process that is gone is stale. */
	snprintf(body, sizeof(body), "attt-lock 1\nexclusive 1\npid %d\nhost %s\ntime 9000000000000000\n",
		 2147483000, host);
	bk_write(path, body, strlen(body));
	paths[0] = e->repo;
	snprintf(path, sizeof(path), "%s/src", e->tmp);
	mkdir(path, 0755);
	paths[0] = path;
	assert_int_equal(attt_backup_save(r, &o, NULL, NULL), ATTT_OK);
	assert_int_equal(attt_backup_forget(r, &p, false, NULL, NULL), ATTT_OK);
	/* A lock file that cannot be read (emptied): busy while it is recent, since nobody can tell
	 * whose it is; stale once it has not been written for 30 minutes, like an unrefreshed lock. */
	snprintf(path, sizeof(path), "%s/locks/4567", e->repo);
	bk_write(path, "", 0);
	assert_int_equal(attt_backup_forget(r, &p, false, NULL, NULL), ATTT_E_BUSY);
	struct timespec old[2] = { { time(NULL) - 31 * 60, 0 }, { time(NULL) - 31 * 60, 0 } };
	assert_int_equal(utimensat(AT_FDCWD, path, old, 0), 0);
	assert_int_equal(attt_backup_forget(r, &p, false, NULL, NULL), ATTT_OK);
	assert_int_not_equal(access(path, F_OK), 0); /* removed by the exclusive lock */
	attt_backup_close(r);
	env_free(e);
}

/* The parent snapshot lets a save skip unchanged files; a file rewritten with the same size and
 * its old mtime put back (ctime still moves) must be read again. Excludes leave entries out. */
static void test_incremental__parent_and_excludes(void **state)
{
	struct env *e = env_new(&small);
	struct attt_backup_repo *r = open_repo(e);
	struct attt_backup_stats st;
	struct stat sb;
	char path[400], skip[400], out[450];
	const char *paths[] = { e->src }, *ex[] = { "*.tmp", "cache" };
	struct attt_backup_save_opts o = { .paths = paths, .n_paths = 1, .excludes = ex, .n_excludes = 2 };

	(void)state;
	bk_gen_tree(e->src, 11, 30, false);
	snprintf(skip, sizeof(skip), "%s/junk.tmp", e->src);
	bk_write(skip, "x", 1);
	snprintf(skip, sizeof(skip), "%s/cache", e->src);
	mkdir(skip, 0755);
	snprintf(skip, sizeof(skip), "%s/cache/big", e->src);
	bk_write(skip, "cached", 6);
	assert_int_equal(attt_backup_save(r, &o, &st, NULL), ATTT_OK);
	uint64_t first_bytes = st.bytes;
	/* Unchanged: nothing new but trees, and everything counted as backed up. */
	assert_int_equal(attt_backup_save(r, &o, &st, NULL), ATTT_OK);
	assert_int_equal(st.bytes, first_bytes);
	assert_true(st.bytes_new < 20000);
	/* Same size, same mtime, different bytes. */
	snprintf(path, sizeof(path), "%s/a/linked", e->src);
	assert_int_equal(lstat(path, &sb), 0);
	uint8_t buf[5000];
	memset(buf, 'Z', sizeof(buf));
	bk_write(path, buf, sizeof(buf));
	struct timespec ts[2] = { sb.st_atim, sb.st_mtim };
	utimensat(AT_FDCWD, path, ts, 0);
	assert_int_equal(attt_backup_save(r, &o, &st, NULL), ATTT_OK);
	assert_true(st.bytes_new >= sizeof(buf));
	assert_int_equal(attt_backup_restore(r, "latest", e->out, NULL, NULL), ATTT_OK);
	snprintf(out, sizeof(out), "%s/src/a/linked", e->out);
	FILE *f = fopen(out, "rbe");
	assert_non_null(f);
	uint8_t back[5000];
	assert_int_equal(fread(back, 1, sizeof(back), f), sizeof(back));
	fclose(f);
	assert_memory_equal(back, buf, sizeof(buf));
	snprintf(out, sizeof(out), "%s/src/junk.tmp", e->out);
	assert_int_not_equal(lstat(out, &sb), 0);
	snprintf(out, sizeof(out), "%s/src/cache", e->out);
	assert_int_not_equal(lstat(out, &sb), 0);
	attt_backup_close(r);
	env_free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip__xchacha),
		cmocka_unit_test(test_roundtrip__aesgcm),
		cmocka_unit_test(test_save__workers_agree),
		cmocka_unit_test(test_save__without_direct_io),
		cmocka_unit_test(test_save__commit_waits_for_piece),
		cmocka_unit_test(test_save__parent_trees_while_workers_store),
		cmocka_unit_test(test_incremental__one_percent),
		cmocka_unit_test(test_incremental__parent_and_excludes),
		cmocka_unit_test(test_keys__passphrases),
		cmocka_unit_test(test_config__tampered),
		cmocka_unit_test(test_config__other_version),
		cmocka_unit_test(test_ls_diff),
		cmocka_unit_test(test_restore__include_keeps_inside_target),
		cmocka_unit_test(test_forget_prune),
		cmocka_unit_test(test_forget__per_group),
		cmocka_unit_test(test_check_prune__report_progress),
		cmocka_unit_test(test_snapshots__one_damaged_leaves_the_others),
		cmocka_unit_test(test_restore__damaged_chunk_costs_one_file),
		cmocka_unit_test(test_save__leaves_out_its_own_repository),
		cmocka_unit_test(test_locks),
	};
	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
