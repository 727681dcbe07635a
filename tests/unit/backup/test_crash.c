/*
 * test_crash.c: a save killed with SIGKILL at any point leaves the repository consistent; the
 * check is clean and the next save completes and reuses what was written (R10.1.a). Two kinds of
 * kill, both deterministic in where they land in the save's progress: at each durable step the
 * engine reports (pack written, index written, snapshot written), and asynchronously from the
 * parent once the child has reported a given amount of progress through a pipe (the kill then
 * lands somewhere in the pipeline of the worker threads). BK_CRASH_CYCLES raises the number of
 * asynchronous cycles (bench/backup runs more).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sodium.h>

#include "attt/backup.h"
#include "attt/err.h"
#include "attt/str.h"
#include "bk_util.h"

#define PASS "pw"

static char tmp[256], repo[300], src[300];

struct crash { int at, seen; int pipe_fd; };

static void crash_cb(void *ctx, const char *point)
{
	struct crash *c = ctx;
	size_t n = strlen(point);
	if (n < 8 || strcmp(point + n - 8, "-written") != 0)
		return; /* durable steps only, the ones this test counts */
	if (++c->seen == c->at)
		raise(SIGKILL);
}

static void progress_cb(void *ctx, const struct attt_backup_progress *p)
{
	struct crash *c = ctx;
	(void)p;
	if (c->pipe_fd >= 0 && write(c->pipe_fd, "p", 1) < 0)
		c->pipe_fd = -1;
}

/* Runs a save in a child; kill_at > 0 kills at that durable step, progress > 0 lets the parent kill
 * after that many progress reports. Returns the child's wait status. */
static int child_save(int kill_at, int progress)
{
	int fds[2];
	pid_t pid;
	int status;

	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct attt_backup_repo *r = NULL;
		struct crash c = { kill_at, 0, fds[1] };
		const char *paths[] = { src };
		struct attt_backup_save_opts o = { .paths = paths, .n_paths = 1, .crash = crash_cb, .crash_ctx = &c,
						   .progress = progress_cb, .progress_ctx = &c };
		close(fds[0]);
		if (attt_backup_open(repo, PASS, 2, &r) < 0)
			_exit(3);
		int rc = attt_backup_save(r, &o, NULL, NULL);
		attt_backup_close(r);
		_exit(rc < 0 ? 4 : 0);
	}
	close(fds[1]);
	if (progress > 0) {
		char b;
		int got = 0;
		while (got < progress && read(fds[0], &b, 1) == 1)
			got++;
		kill(pid, SIGKILL);
	}
	close(fds[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return status;
}

static void check_clean_and_complete(int cycle)
{
	struct attt_backup_repo *r = NULL;
	struct attt_backup_check_stats cs;
	const char *paths[] = { src };
	struct attt_backup_save_opts o = { .paths = paths, .n_paths = 1 };
	char out[400], cmp[450];

	assert_int_equal(attt_backup_open(repo, PASS, 2, &r), ATTT_OK);
	int rc = attt_backup_check(r, true, NULL, NULL, &cs);
	if (rc != ATTT_OK)
		fail_msg("cycle %d: check after kill: %d (%llu problems)", cycle, rc, (unsigned long long)cs.problems);
	if (cycle % 3 == 0) {
		assert_int_equal(attt_backup_save(r, &o, NULL, NULL), ATTT_OK);
		assert_int_equal(attt_backup_check(r, false, NULL, NULL, NULL), ATTT_OK);
		snprintf(out, sizeof(out), "%s/out", tmp);
		assert_int_equal(attt_backup_restore(r, "latest", out, NULL, NULL), ATTT_OK);
		snprintf(cmp, sizeof(cmp), "%s/src", out);
		assert_int_equal(bk_compare(src, cmp), 0);
		bk_rm_rf(out);
	}
	attt_backup_close(r);
}

/* SIGKILL at every durable step of a save, then at points in between. */
static void test_sigkill__repeatedly(void **state)
{
	struct attt_backup_init_opts io = { .kdf = { 1, 8192 }, .chunk_min = 4096, .chunk_avg = 16384,
					    .chunk_max = 65536, .pack_size = 131072 };
	const char *cyc = getenv("BK_CRASH_CYCLES");
	int cycles = 6, killed = 0;
	struct attt_backup_repo *r = NULL;
	struct attt_backup_stats st;
	const char *paths[] = { src };
	struct attt_backup_save_opts o = { .paths = paths, .n_paths = 1 };

	(void)state;
	int64_t v;
	if (cyc && attt_parse_int64(cyc, 1, 100000, &v) == 0)
		cycles = (int)v;
	bk_tmpdir(tmp, sizeof(tmp));
	snprintf(repo, sizeof(repo), "%s/repo", tmp);
	snprintf(src, sizeof(src), "%s/src", tmp);
	assert_int_equal(attt_backup_init(repo, PASS, 2, &io), ATTT_OK);
	bk_gen_tree(src, 77, 40, false);
	/* Durable steps: first pack, fifth pack, then past all packs (index, snapshot). */
	const int at[] = { 1, 5, 1000 };
	for (size_t i = 0; i < 3; i++) {
		char path[400];
		int status = child_save(at[i], 0);
		if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
			killed++;
		check_clean_and_complete((int)i);
		/* New content for the next cycle, so that there is something to write. */
		snprintf(path, sizeof(path), "%s/e/cycle-%zu", src, i);
		bk_gen_tree(path, 100 + i, 10, false);
	}
	/* Asynchronous kills after 1, 4, 9, ... progress reports. */
	for (int i = 0; i < cycles; i++) {
		char path[400];
		int status = child_save(0, 1 + (i * i) % 40);
		if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
			killed++;
		check_clean_and_complete(i);
		snprintf(path, sizeof(path), "%s/a/async-%d", src, i);
		bk_gen_tree(path, 500 + (uint64_t)i, 8, false);
	}
	print_message("%d of %d saves killed\n", killed, cycles + 3);
	assert_true(killed >= 3);
	/* The repository ends clean, and a final save adopts what killed saves left behind. */
	assert_int_equal(attt_backup_open(repo, PASS, 2, &r), ATTT_OK);
	assert_int_equal(attt_backup_save(r, &o, &st, NULL), ATTT_OK);
	assert_int_equal(attt_backup_check(r, true, NULL, NULL, NULL), ATTT_OK);
	struct attt_backup_prune_stats ps;
	assert_int_equal(attt_backup_prune(r, &ps), ATTT_OK);
	struct attt_backup_check_stats cs;
	assert_int_equal(attt_backup_check(r, true, NULL, NULL, &cs), ATTT_OK);
	assert_int_equal(cs.unreferenced_packs, 0);
	assert_int_equal(cs.temp_files, 0);
	attt_backup_close(r);
	bk_rm_rf(tmp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sigkill__repeatedly),
	};
	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
