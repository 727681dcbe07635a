/*
 * test_cli.c: the command-line contract of issue 6 (R7.1), run against the attt binary (ATTT_BIN):
 * `attt audit key | checkpoint | prove | export | verify` on a real data directory, with what they
 * print checked by an independent implementation (independent_check.py: Python hashlib and the
 * cryptography package's Ed25519, written from RFC 9162 and C2SP signed-note). Then the data is
 * altered with the sqlite3 shell: verify must exit 1 and name the first bad sequence number; a
 * truncated tail is caught with the off-database checkpoint file.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "helpers.h"

static const char *bin(void)
{
	const char *b = getenv("ATTT_BIN");
	assert_non_null(b);
	return b;
}

static void test_audit_cli__contract(void **state)
{
	char dir[] = "/tmp/attt-audit-cli-XXXXXX";
	const char *src = getenv("ATTT_SOURCE_DIR");

	(void)state;
	assert_non_null(src);
	assert_non_null(mkdtemp(dir));
	assert_int_equal(tsh("%s init --data %s/d >/dev/null", bin(), dir), 0);
	/* Event 0 is init's system.init, then the first admin's account; 13 agencies follow. The tree
	 * size is read from the checkpoint rather than assumed, so init may log more in future. */
	for (int i = 0; i < 13; i++)
		assert_int_equal(tsh("%s agency add --data %s/d --name 'Sở số %d' --type department >/dev/null", bin(), dir, i), 0);
	/* The contract's outputs. */
	assert_int_equal(tsh("%s audit key --data %s/d > %s/vkey", bin(), dir, dir), 0);
	assert_int_equal(tsh("%s audit checkpoint --data %s/d > %s/cp.txt", bin(), dir, dir), 0);
	assert_int_equal(tsh("%s audit prove --data %s/d --index 5 --size $(sed -n 2p %s/cp.txt) > %s/incl.txt", bin(), dir, dir, dir), 0);
	assert_int_equal(tsh("%s audit prove --data %s/d --from 3 --to $(sed -n 2p %s/cp.txt) > %s/cons.txt", bin(), dir, dir, dir), 0);
	assert_int_equal(tsh("%s audit export --data %s/d --output %s/export.jsonl", bin(), dir, dir), 0);
	assert_int_equal(tsh("test $(sed -n 2p %s/cp.txt) -ge 14", dir), 0);
	assert_int_equal(tsh("test $(wc -l < %s/incl.txt) -ge 5", dir), 0); /* leaf + at least 4 hashes */
	/* An independent implementation accepts all of it. */
	assert_int_equal(tsh("/usr/bin/python3 %s/tests/unit/audit/independent_check.py \"$(cat %s/vkey)\" %s/cp.txt %s/export.jsonl "
			     "%s/incl.txt 5 %s/cons.txt 3",
			     src, dir, dir, dir, dir, dir),
			 0);
	/* verify: intact, on the database and on the export. */
	assert_int_equal(tsh("%s audit verify --data %s/d --checkpoint %s/cp.txt >/dev/null", bin(), dir, dir), 0);
	assert_int_equal(tsh("%s audit verify --export %s/export.jsonl --key \"$(cat %s/vkey)\" --checkpoint %s/cp.txt "
			     ">/dev/null",
			     bin(), dir, dir, dir),
			 0);
	assert_int_equal(tsh("%s audit verify --data %s/d --json | grep -q '\"intact\":true'", bin(), dir), 0);
	/* Usage errors exit 2. */
	assert_int_equal(tsh("%s audit prove --data %s/d 2>/dev/null", bin(), dir), 2);
	assert_int_equal(tsh("%s audit verify --export %s/export.jsonl 2>/dev/null", bin(), dir), 2);
	assert_int_equal(tsh("%s audit frobnicate 2>/dev/null", bin()), 2);
	assert_int_equal(tsh("%s audit prove --data %s/d --index $(sed -n 2p %s/cp.txt) 2>/dev/null", bin(), dir, dir), 1);
	/* An event altered in the database: exit 1, first bad sequence number 7. */
	assert_int_equal(tsh("cp -r %s/d %s/t1 && sqlite3 %s/t1/attt.db \"UPDATE audit_event SET actor_name='x' WHERE seq=7\"",
			     dir, dir, dir),
			 0);
	assert_int_equal(tsh("%s audit verify --data %s/t1 > %s/out.txt", bin(), dir, dir), 1);
	assert_int_equal(tsh("grep -q ': 7$' %s/out.txt", dir), 0);
	/* The tail cut off with its nodes and checkpoints: only the checkpoint file shows it. */
	assert_int_equal(tsh("cp -r %s/d %s/t2 && sqlite3 %s/t2/attt.db \"DELETE FROM audit_event WHERE seq >= 10; "
			     "DELETE FROM audit_node WHERE ((idx + 1) << level) > 10; DELETE FROM audit_checkpoint;\"",
			     dir, dir, dir),
			 0);
	assert_int_equal(tsh("%s audit verify --data %s/t2 >/dev/null", bin(), dir), 0);
	assert_int_equal(tsh("%s audit verify --data %s/t2 --checkpoint %s/cp.txt --json > %s/out.json", bin(), dir, dir,
			     dir),
			 1);
	assert_int_equal(tsh("grep -q '\"first_bad\":10' %s/out.json", dir), 0);
	/* R7.3 from the command line: a review, the list, overdue (exit 1 when overdue). */
	assert_int_equal(tsh("%s audit review add --data %s/d --from 2026-01-01 --to 2026-02-01 --findings 'Không có bất "
			     "thường' >/dev/null",
			     bin(), dir),
			 0);
	assert_int_equal(tsh("%s audit review list --data %s/d --json | grep -q '\"findings\"'", bin(), dir), 0);
	assert_int_equal(tsh("%s audit review overdue --data %s/d --json >/dev/null", bin(), dir), 0);
	assert_int_equal(tsh("%s audit review add --data %s/d --from 2026-02-01 --to 2026-01-01 --findings x 2>/dev/null",
			     bin(), dir),
			 1);
	/* Queries: JSON pages, CSV. */
	assert_int_equal(tsh("%s audit list --data %s/d --json --limit 5 | grep -q '\"next_after\":4'", bin(), dir), 0);
	assert_int_equal(tsh("%s audit export --data %s/d --format csv --category data | head -1 | grep -q '^seq,time,'", bin(),
			     dir),
			 0);
	/* publish writes the checkpoint file of the configuration. */
	assert_int_equal(tsh("printf '[audit]\ncheckpoint_file = %s/offsite.txt\nsyslog = false\n' >> %s/d/attt.ini", dir, dir),
			 0);
	assert_int_equal(tsh("%s audit publish --data %s/d >/dev/null", bin(), dir), 0);
	assert_int_equal(tsh("%s audit verify --data %s/d --checkpoint %s/offsite.txt >/dev/null", bin(), dir, dir), 0);
	/* A checkpoint that is not ours is not evidence. */
	assert_int_equal(tsh("sed '2s/.*/12/' %s/cp.txt > %s/bad.txt", dir, dir), 0);
	assert_int_equal(tsh("%s audit verify --data %s/d --checkpoint %s/bad.txt >/dev/null", bin(), dir, dir), 1);
	/* R7.1: [audit] origin names the checkpoints and the key (default attt/<data id>). */
	assert_int_equal(tsh("%s audit key --data %s/d | grep -q '^attt/[0-9a-f]\\{32\\}+'", bin(), dir), 0);
	assert_int_equal(tsh("%s init --data %s/o >/dev/null && printf '[audit]\norigin = stttt.thainguyen.gov.vn/attt\n' "
			     ">> %s/o/attt.ini",
			     bin(), dir, dir),
			 0);
	assert_int_equal(tsh("%s audit key --data %s/o | grep -q '^stttt.thainguyen.gov.vn/attt+'", bin(), dir), 0);
	assert_int_equal(tsh("%s audit checkpoint --data %s/o | head -1 | grep -qx 'stttt.thainguyen.gov.vn/attt'", bin(),
			     dir),
			 0);
	assert_int_equal(tsh("%s audit verify --data %s/o >/dev/null", bin(), dir), 0);
	tsh("rm -rf %s", dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_audit_cli__contract),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
