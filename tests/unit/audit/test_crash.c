/*
 * test_crash.c: the crash test of issue 6 (R7.1). A writer acknowledging audited transactions
 * (crash_writer) is killed with SIGKILL at a random point, again and again (100 cycles; set
 * ATTT_CRASH_CYCLES for more in the opt-in run). The kill point is chosen by a seeded PRNG as the
 * number of acknowledgements to read first; nothing sleeps. After each kill: every acknowledged
 * event is present with its change, no event or change is duplicated or alone, and the trail
 * verifies (leaves, nodes and checkpoints).
 */
#include <signal.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "attt/audit.h"
#include "attt/db.h"
#include "attt/err.h"
#include "attt/str.h"
#include "helpers.h"

#ifndef CRASH_WRITER
#error "CRASH_WRITER must name the writer program"
#endif

static uint64_t rng = 0x2545f4914f6cdd1du;
static unsigned rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

static int64_t scalar(struct attt_db *db, const char *sql)
{
	struct attt_stmt *st = NULL;
	assert_int_equal(attt_db_prepare(db, sql, &st), ATTT_OK);
	assert_int_equal(attt_stmt_step(st), 1);
	int64_t v = attt_stmt_int64(st, 0);
	attt_stmt_finalize(st);
	return v;
}

struct ack {
	int64_t seq, id;
};

/* Parses "ack <seq> <id>\n". */
static void parse_ack(char *line, struct ack *a)
{
	char *p = line + 4, *sp;
	size_t n = strlen(line);
	assert_true(n > 5 && strncmp(line, "ack ", 4) == 0 && line[n - 1] == '\n');
	line[n - 1] = 0;
	sp = strchr(p, ' ');
	assert_non_null(sp);
	*sp = 0;
	assert_int_equal(attt_parse_int64(p, 0, INT64_MAX, &a->seq), ATTT_OK);
	assert_int_equal(attt_parse_int64(sp + 1, 1, INT64_MAX, &a->id), ATTT_OK);
}

static void check(const char *path, const struct ack *acks, size_t n_acks, const struct attt_audit_verifier *v)
{
	struct attt_db *db = NULL;
	struct attt_audit_report rep;
	struct attt_stmt *st = NULL;
	uint64_t size;

	assert_int_equal(attt_db_open(path, 0, &db), ATTT_OK);
	assert_int_equal(attt_audit_size(db, &size), ATTT_OK);
	/* Every acknowledged event is there with its change. */
	assert_int_equal(attt_db_prepare(db, "SELECT COUNT(*) FROM audit_event e JOIN crash_item c ON "
					     "e.object_id = CAST(c.id AS TEXT) WHERE e.seq = ? AND c.id = ?",
					 &st),
			 ATTT_OK);
	for (size_t i = 0; i < n_acks; i++) {
		attt_stmt_reset(st);
		attt_stmt_bind_int64(st, 1, acks[i].seq);
		attt_stmt_bind_int64(st, 2, acks[i].id);
		assert_int_equal(attt_stmt_step(st), 1);
		if (attt_stmt_int64(st, 0) != 1)
			fail_msg("acknowledged event %lld (item %lld) is missing", (long long)acks[i].seq, (long long)acks[i].id);
	}
	attt_stmt_finalize(st);
	/* No change without its event, no event without its change, nothing twice. */
	assert_int_equal(scalar(db, "SELECT COUNT(*) FROM audit_event"), (int64_t)size);
	assert_int_equal(scalar(db, "SELECT COUNT(*) FROM crash_item"), (int64_t)size);
	assert_int_equal(scalar(db, "SELECT COUNT(*) FROM crash_item c LEFT JOIN audit_event e ON "
				    "e.object_id = CAST(c.id AS TEXT) WHERE e.seq IS NULL"),
			 0);
	assert_int_equal(scalar(db, "SELECT COUNT(*) FROM (SELECT object_id FROM audit_event GROUP BY object_id "
				    "HAVING COUNT(*) > 1)"),
			 0);
	assert_int_equal(attt_audit_verify(db, v, NULL, 0, &rep), ATTT_OK);
	assert_int_equal(rep.events, size);
	attt_db_close(db);
}

static void test_audit_crash__sigkill(void **state)
{
	char dir[] = "/tmp/attt-audit-crash-XXXXXX", path[128];
	const char *env = getenv("ATTT_CRASH_CYCLES");
	int64_t cycles = 100;
	struct attt_audit_verifier *v = NULL;
	struct attt_audit_signer *s = NULL;
	uint8_t seed[32] = { 42 };
	char vkey[ATTT_AUDIT_VKEY_MAX];
	struct ack *acks = NULL;
	size_t n_acks = 0, cap = 0;

	(void)state;
	if (env)
		assert_int_equal(attt_parse_int64(env, 1, 1000000, &cycles), ATTT_OK);
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/crash.db", dir);
	assert_int_equal(attt_audit_signer_new("attt.test/crash", seed, &s), ATTT_OK);
	assert_int_equal(attt_audit_signer_vkey(s, vkey, sizeof(vkey)), ATTT_OK);
	assert_int_equal(attt_audit_verifier_parse(vkey, &v), ATTT_OK);
	for (int64_t cycle = 0; cycle < cycles; cycle++) {
		int fds[2], status;
		unsigned want = 1 + rnd(30), got = 0;
		char line[128];

		assert_int_equal(pipe2(fds, O_CLOEXEC), 0);
		pid_t pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			dup2(fds[1], 1);
			execl(CRASH_WRITER, CRASH_WRITER, path, (char *)NULL);
			_exit(127);
		}
		close(fds[1]);
		FILE *f = fdopen(fds[0], "r");
		assert_non_null(f);
		/* Read acknowledgements up to the chosen number, then kill at once: the writer is in
		 * the middle of its next transaction, or of a checkpoint, or between them. */
		while (got < want && fgets(line, sizeof(line), f)) {
			if (n_acks == cap) {
				cap = cap ? 2 * cap : 256;
				acks = realloc(acks, cap * sizeof(*acks));
				assert_non_null(acks);
			}
			parse_ack(line, &acks[n_acks++]);
			got++;
		}
		kill(pid, SIGKILL);
		assert_int_equal(waitpid(pid, &status, 0), pid);
		fclose(f);
		if (got != want)
			fail_msg("cycle %lld: the writer stopped after %u acknowledgements (status %d)", (long long)cycle, got,
				 status);
		check(path, acks, n_acks, v);
	}
	print_message("  %lld kills, %zu acknowledged transactions, all present and verified\n", (long long)cycles,
		      n_acks);
	free(acks);
	attt_audit_verifier_free(v);
	attt_audit_signer_free(s);
	tsh("rm -rf %s", dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_audit_crash__sigkill),
	};
	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
