/*
 * test_app.c: the data directory. init makes exactly the documented layout with exact modes
 * whatever the umask, keys in the documented format (the public key derives from the seed),
 * refuses an initialised or non-empty directory and a bad profile without writing anything, and
 * leaves nothing behind when a step fails; open refuses a missing, uninitialised or newer
 * directory with a message naming "attt init" or the file:line at fault, and hands out the
 * database, configuration, policy, clock and keys.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "app-int.h"
#include "attt/app.h"
#include "attt/config.h"
#include "attt/db.h"
#include "attt/err.h"
#include "attt/log.h"
#include "attt/policy.h"
#include "attt/str.h"

struct fix {
	char tmp[256];  /* a fresh temporary directory */
	char dir[300];  /* tmp/data: not created yet */
	char err[2048];
};

static int rm_one(const char *p, const struct stat *sb, int type, struct FTW *ftw)
{
	(void)sb;
	(void)type;
	(void)ftw;
	return remove(p);
}

static int setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));
	const char *t = getenv("TMPDIR");
	assert_non_null(f);
	assert_int_equal(attt_str_printf(f->tmp, sizeof(f->tmp), "%s/attt-app-XXXXXX", t && *t ? t : "/tmp"), 0);
	assert_non_null(mkdtemp(f->tmp));
	assert_int_equal(attt_str_printf(f->dir, sizeof(f->dir), "%s/data", f->tmp), 0);
	attt__app_init_fault = NULL;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fix *f = *state;
	attt__app_init_fault = NULL;
	nftw(f->tmp, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(f);
	return 0;
}

static mode_t mode_of(const char *dir, const char *rel)
{
	char p[600];
	struct stat st;
	assert_int_equal(attt_str_printf(p, sizeof(p), "%s/%s", dir, rel), 0);
	assert_int_equal(lstat(p, &st), 0);
	return st.st_mode & 07777;
}

static size_t read_small(const char *dir, const char *rel, char *buf, size_t size)
{
	char p[600];
	FILE *fp;
	size_t n;
	assert_int_equal(attt_str_printf(p, sizeof(p), "%s/%s", dir, rel), 0);
	fp = fopen(p, "re");
	assert_non_null(fp);
	n = fread(buf, 1, size - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	return n;
}

static int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;
	if (!d)
		return -1;
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

static bool is_lower_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

static void test_init__layout_and_exact_modes(void **state)
{
	struct fix *f = *state;
	mode_t old;

	/* A permissive and a strict umask give the same modes. */
	for (int pass = 0; pass < 2; pass++) {
		old = umask(pass == 0 ? 0 : 077);
		assert_int_equal(attt_app_init_ex(f->dir, NULL, f->err, sizeof(f->err)), ATTT_OK);
		umask(old);
		assert_int_equal(mode_of(f->dir, "."), 0700);
		assert_int_equal(mode_of(f->dir, "keys"), 0700);
		assert_int_equal(mode_of(f->dir, "keys/audit.key"), 0600);
		assert_int_equal(mode_of(f->dir, "keys/secret.key"), 0600);
		assert_int_equal(mode_of(f->dir, "keys/audit.pub"), 0644);
		assert_int_equal(mode_of(f->dir, "attt.ini"), 0600);
		assert_int_equal(mode_of(f->dir, "attt.db"), 0600);
		/* Nothing else: no temporary files, no -wal left by init. */
		assert_int_equal(count_entries(f->dir), 3);
		{
			char k[400];
			assert_int_equal(attt_str_printf(k, sizeof(k), "%s/keys", f->dir), 0);
			assert_int_equal(count_entries(k), 3);
		}
		nftw(f->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	}
}

/* R7.1: the audit checkpoint signer is made with the data directory, outside the database. */
static void test_init__key_formats_and_public_key_matches_seed(void **state)
{
	struct fix *f = *state;
	char key[128], pub[128], sec[128], key2[128], d2[400];
	unsigned char seed[32], pk[32], sk[64], pk_file[32];
	size_t n;

	assert_int_equal(attt_app_init(f->dir, NULL), ATTT_OK);
	n = read_small(f->dir, "keys/audit.key", key, sizeof(key));
	assert_int_equal(n, 65);
	assert_true(is_lower_hex(key, 64));
	assert_int_equal(key[64], '\n');
	n = read_small(f->dir, "keys/audit.pub", pub, sizeof(pub));
	assert_int_equal(n, 65);
	assert_true(is_lower_hex(pub, 64));
	assert_int_equal(pub[64], '\n');
	n = read_small(f->dir, "keys/secret.key", sec, sizeof(sec));
	assert_int_equal(n, 65);
	assert_true(is_lower_hex(sec, 64));
	assert_int_equal(sec[64], '\n');

	assert_int_equal(sodium_hex2bin(seed, sizeof(seed), key, 64, NULL, &n, NULL), 0);
	assert_int_equal(n, 32);
	assert_int_equal(crypto_sign_seed_keypair(pk, sk, seed), 0);
	assert_int_equal(sodium_hex2bin(pk_file, sizeof(pk_file), pub, 64, NULL, &n, NULL), 0);
	assert_memory_equal(pk, pk_file, 32);
	assert_memory_not_equal(key, sec, 64);

	/* A second directory gets other keys. */
	assert_int_equal(attt_str_printf(d2, sizeof(d2), "%s/other", f->tmp), 0);
	assert_int_equal(attt_app_init(d2, NULL), ATTT_OK);
	read_small(d2, "keys/audit.key", key2, sizeof(key2));
	assert_memory_not_equal(key, key2, 64);
}

static void test_init__refuses_initialised_and_nonempty(void **state)
{
	struct fix *f = *state;
	char before[128], after[128], p[400];
	FILE *fp;

	assert_int_equal(attt_app_init(f->dir, NULL), ATTT_OK);
	read_small(f->dir, "keys/audit.key", before, sizeof(before));
	assert_int_equal(attt_app_init_ex(f->dir, NULL, f->err, sizeof(f->err)), ATTT_E_EXISTS);
	assert_non_null(strstr(f->err, "already initialised"));
	read_small(f->dir, "keys/audit.key", after, sizeof(after));
	assert_string_equal(before, after);

	/* A directory holding something else is not taken over. */
	assert_int_equal(attt_str_printf(p, sizeof(p), "%s/busy", f->tmp), 0);
	assert_int_equal(mkdir(p, 0755), 0);
	assert_int_equal(attt_str_printf(p, sizeof(p), "%s/busy/notes.txt", f->tmp), 0);
	fp = fopen(p, "we");
	assert_non_null(fp);
	fclose(fp);
	assert_int_equal(attt_str_printf(p, sizeof(p), "%s/busy", f->tmp), 0);
	assert_int_equal(attt_app_init_ex(p, NULL, f->err, sizeof(f->err)), ATTT_E_EXISTS);
	assert_non_null(strstr(f->err, "not empty"));
	assert_int_equal(count_entries(p), 1);
	assert_int_equal(mode_of(p, "."), 0755);
}

static void test_init__empty_existing_dir_is_taken(void **state)
{
	struct fix *f = *state;

	assert_int_equal(mkdir(f->dir, 0755), 0);
	assert_int_equal(attt_app_init(f->dir, NULL), ATTT_OK);
	assert_int_equal(mode_of(f->dir, "."), 0700);
}

static void test_init__bad_profile_or_parent_writes_nothing(void **state)
{
	struct fix *f = *state;
	struct attt_app_init_opts o = { "no-such-profile" };
	char p[400];

	assert_int_equal(attt_app_init_ex(f->dir, &o, f->err, sizeof(f->err)), ATTT_E_NOTFOUND);
	assert_true(f->err[0] != '\0');
	assert_int_equal(access(f->dir, F_OK), -1);
	o.profile = "bad;name";
	assert_true(attt_app_init(f->dir, &o) < 0);
	assert_int_equal(access(f->dir, F_OK), -1);

	assert_int_equal(attt_str_printf(p, sizeof(p), "%s/no/such/parent", f->tmp), 0);
	assert_int_equal(attt_app_init_ex(p, NULL, f->err, sizeof(f->err)), ATTT_E_NOTFOUND);
	assert_int_equal(attt_app_init(NULL, NULL), ATTT_E_INVAL);
	assert_int_equal(attt_app_init("", NULL), ATTT_E_INVAL);
}

static const char *fail_step;
static int fail_at(const char *step)
{
	return strcmp(step, fail_step) == 0 ? ATTT_E_IO : ATTT_OK;
}

static void test_init__failed_step_leaves_nothing(void **state)
{
	struct fix *f = *state;
	static const char *steps[] = { "dir", "keys", "ini", "db" };

	attt__app_init_fault = fail_at;
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		fail_step = steps[i];
		/* A directory init made itself is removed again ... */
		assert_int_equal(attt_app_init_ex(f->dir, NULL, f->err, sizeof(f->err)), ATTT_E_IO);
		assert_int_equal(access(f->dir, F_OK), -1);
		/* ... one that was there is left, empty. */
		assert_int_equal(mkdir(f->dir, 0700), 0);
		assert_int_equal(attt_app_init(f->dir, NULL), ATTT_E_IO);
		assert_int_equal(count_entries(f->dir), 0);
		assert_int_equal(rmdir(f->dir), 0);
	}
	attt__app_init_fault = NULL;
	assert_int_equal(attt_app_init(f->dir, NULL), ATTT_OK);
}

static void test_init__concurrent_inits_one_wins(void **state)
{
	struct fix *f = *state;
	enum { N = 4 };
	pid_t pids[N];
	int won = 0, lost = 0, status;
	struct attt_app *app = NULL;

	for (int i = 0; i < N; i++) {
		pids[i] = fork();
		assert_true(pids[i] >= 0);
		if (pids[i] == 0) {
			int r = attt_app_init(f->dir, NULL);
			_exit(r == ATTT_OK ? 0 : r == ATTT_E_EXISTS ? 1 : 2);
		}
	}
	for (int i = 0; i < N; i++) {
		assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
		assert_true(WIFEXITED(status));
		won += WEXITSTATUS(status) == 0;
		lost += WEXITSTATUS(status) == 1;
	}
	assert_int_equal(won, 1);
	assert_int_equal(lost, N - 1);
	assert_int_equal(attt_app_open(f->dir, 0, &app, f->err, sizeof(f->err)), ATTT_OK);
	attt_app_close(app);
	assert_int_equal(count_entries(f->dir), 3);
}

static void test_open__warns_on_loose_mode(void **state)
{
	struct fix *f = *state;
	struct attt_app *app = NULL;
	char logp[400], text[4096];
	int fd;

	assert_int_equal(attt_app_init(f->dir, NULL), ATTT_OK);
	assert_int_equal(attt_str_printf(logp, sizeof(logp), "%s/log", f->tmp), 0);
	fd = open(logp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	attt_log_open(fd, ATTT_LOG_TEXT, ATTT_LOG_WARN);
	assert_int_equal(attt_app_open(f->dir, 0, &app, f->err, sizeof(f->err)), ATTT_OK);
	attt_app_close(app);
	assert_int_equal(chmod(f->dir, 0750), 0);
	assert_int_equal(attt_app_open(f->dir, 0, &app, f->err, sizeof(f->err)), ATTT_OK);
	attt_app_close(app);
	attt_log_open(-1, ATTT_LOG_TEXT, ATTT_LOG_WARN);
	close(fd);
	read_small(f->tmp, "log", text, sizeof(text));
	/* One warning, from the second open only. */
	assert_non_null(strstr(text, "0750 is looser than 0700"));
	assert_null(strstr(strstr(text, "looser") + 1, "looser"));
}

static void test_open__missing_or_uninitialised(void **state)
{
	struct fix *f = *state;
	struct attt_app *app = (struct attt_app *)0x1;

	assert_int_equal(attt_app_open(f->dir, 0, &app, f->err, sizeof(f->err)), ATTT_E_STATE);
	assert_non_null(strstr(f->err, "attt init"));
	assert_ptr_equal(app, (struct attt_app *)0x1);
	assert_int_equal(mkdir(f->dir, 0700), 0);
	assert_int_equal(attt_app_open(f->dir, 0, &app, f->err, sizeof(f->err)), ATTT_E_STATE);
	assert_non_null(strstr(f->err, "attt init"));
	assert_int_equal(count_entries(f->dir), 0); /* open creates nothing */
	attt_app_close(NULL);
}

static int64_t fake_now = INT64_C(1764000000000000);

static void test_open__accessors(void **state)
{
	struct fix *f = *state;
	struct attt_app *app = NULL;
	struct attt_clock fake = { attt_clock_fake_now, &fake_now };
	char p[600], real[600], *rp;
	unsigned char seed[32], pk[32], sk[64], pub[32], sec[32];
	struct attt_stmt *st = NULL;

	assert_int_equal(attt_app_init(f->dir, NULL), ATTT_OK);
	assert_int_equal(attt_app_open(f->dir, 0, &app, f->err, sizeof(f->err)), ATTT_OK);
	rp = realpath(f->dir, NULL);
	assert_non_null(rp);
	assert_int_equal(attt_str_copy(real, sizeof(real), rp), 0);
	free(rp);
	assert_string_equal(attt_app_dir(app), real);
	assert_int_equal(attt_str_printf(p, sizeof(p), "%s/attt.db", real), 0);
	assert_string_equal(attt_app_db_path(app), p);
	assert_int_equal(strlen(attt_app_data_id(app)), 32);
	assert_true(is_lower_hex(attt_app_data_id(app), 32));
	assert_string_equal(attt_policy_name(attt_app_policy(app)), ATTT_POLICY_DEFAULT);
	assert_string_equal(attt_config_string(attt_app_config(app), "policy.profile"), ATTT_POLICY_DEFAULT);
	assert_int_equal(attt_str_printf(p, sizeof(p), "%s/attt.ini", real), 0);
	assert_string_equal(attt_config_path(attt_app_config(app)), p);

	/* The database is migrated and holds the meta rows. */
	assert_int_equal(attt_db_prepare(attt_app_db(app), "SELECT count(*) FROM meta WHERE key IN "
					 "('data_id', 'created_at', 'created_by')", &st), ATTT_OK);
	assert_int_equal(attt_stmt_step(st), 1);
	assert_int_equal(attt_stmt_int64(st, 0), 3);
	attt_stmt_finalize(st);

	/* A second connection, as a server thread opens. */
	{
		struct attt_db *db2 = NULL;
		assert_int_equal(attt_app_db_open(app, &db2), ATTT_OK);
		assert_int_equal(attt_db_prepare(db2, "SELECT count(*) FROM meta", &st), ATTT_OK);
		assert_int_equal(attt_stmt_step(st), 1);
		assert_int_equal(attt_stmt_int64(st, 0), 3);
		attt_stmt_finalize(st);
		attt_db_close(db2);
	}

	/* Clock and random source: system by default, replaceable. */
	assert_true(attt_now_us(attt_app_clock(app)) > INT64_C(1700000000000000));
	attt_app_set_clock(app, &fake);
	assert_true(attt_now_us(attt_app_clock(app)) == fake_now);
	attt_app_set_clock(app, NULL);
	assert_true(attt_now_us(attt_app_clock(app)) != fake_now);
	assert_non_null(attt_app_rng(app)->fill);

	/* Keys by name. */
	assert_int_equal(attt_app_key_path(app, "audit.key", p, sizeof(p)), ATTT_OK);
	assert_non_null(strstr(p, "/keys/audit.key"));
	assert_int_equal(attt_app_key_path(app, "../attt.db", p, sizeof(p)), ATTT_E_INVAL);
	assert_int_equal(attt_app_key_path(app, ".hidden", p, sizeof(p)), ATTT_E_INVAL);
	assert_int_equal(attt_app_key_path(app, "audit.key", p, 8), ATTT_E_TOOBIG);
	assert_int_equal(attt_app_read_key(app, ATTT_APP_AUDIT_KEY, seed, sizeof(seed)), ATTT_OK);
	assert_int_equal(attt_app_read_key(app, ATTT_APP_AUDIT_PUB, pub, sizeof(pub)), ATTT_OK);
	assert_int_equal(attt_app_read_key(app, ATTT_APP_SECRET_KEY, sec, sizeof(sec)), ATTT_OK);
	assert_int_equal(crypto_sign_seed_keypair(pk, sk, seed), 0);
	assert_memory_equal(pk, pub, 32);
	assert_int_equal(attt_app_read_key(app, "none.key", sec, sizeof(sec)), ATTT_E_NOTFOUND);
	assert_int_equal(attt_app_read_key(app, ATTT_APP_AUDIT_KEY, sec, 16), ATTT_E_CORRUPT); /* wrong size */
	attt_app_close(app);
}

static void write_text(const char *dir, const char *rel, const char *text, mode_t mode)
{
	char p[600];
	int fd;
	assert_int_equal(attt_str_printf(p, sizeof(p), "%s/%s", dir, rel), 0);
	fd = open(p, O_WRONLY | O_TRUNC | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
}

/* R7.1: a signing key others can read does not protect the logs; it is refused. */
static void test_read_key__refuses_loose_mode_and_bad_text(void **state)
{
	struct fix *f = *state;
	struct attt_app *app = NULL;
	unsigned char k[32];

	assert_int_equal(attt_app_init(f->dir, NULL), ATTT_OK);
	assert_int_equal(attt_app_open(f->dir, 0, &app, f->err, sizeof(f->err)), ATTT_OK);
	assert_int_equal(chmod(attt_app_dir(app), 0700), 0);
	{
		char p[600];
		assert_int_equal(attt_str_printf(p, sizeof(p), "%s/keys/secret.key", attt_app_dir(app)), 0);
		assert_int_equal(chmod(p, 0640), 0);
		assert_int_equal(attt_app_read_key(app, ATTT_APP_SECRET_KEY, k, sizeof(k)), ATTT_E_PERM);
		assert_int_equal(chmod(p, 0600), 0);
	}
	write_text(f->dir, "keys/secret.key",
		   "00112233445566778899AABBCCDDEEFF00112233445566778899aabbccddeeff\n", 0600);
	assert_int_equal(attt_app_read_key(app, ATTT_APP_SECRET_KEY, k, sizeof(k)), ATTT_E_CORRUPT);
	write_text(f->dir, "keys/secret.key",
		   "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff ", 0600);
	assert_int_equal(attt_app_read_key(app, ATTT_APP_SECRET_KEY, k, sizeof(k)), ATTT_E_CORRUPT);
	write_text(f->dir, "keys/secret.key",
		   "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n", 0600);
	assert_int_equal(attt_app_read_key(app, ATTT_APP_SECRET_KEY, k, sizeof(k)), ATTT_OK);
	assert_int_equal(k[0], 0x00);
	assert_int_equal(k[31], 0xff);
	attt_app_close(app);
}

static void append_text(const char *dir, const char *rel, const char *text)
{
	char p[600];
	FILE *fp;
	assert_int_equal(attt_str_printf(p, sizeof(p), "%s/%s", dir, rel), 0);
	fp = fopen(p, "ae");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

static void test_open__bad_config_names_file_and_line(void **state)
{
	struct fix *f = *state;
	struct attt_app *app = NULL;
	char ini[16384], want[64];
	int lines = 0;

	assert_int_equal(attt_app_init(f->dir, NULL), ATTT_OK);
	read_small(f->dir, "attt.ini", ini, sizeof(ini));
	for (const char *c = ini; *c; c++)
		lines += *c == '\n';
	append_text(f->dir, "attt.ini", "no_such_option = 1\n");
	assert_int_equal(attt_app_open(f->dir, 0, &app, f->err, sizeof(f->err)), ATTT_E_CONFIG);
	assert_null(app);
	assert_int_equal(attt_str_printf(want, sizeof(want), "attt.ini:%d:", lines + 1), 0);
	assert_non_null(strstr(f->err, want));
}

static void test_open__default_ini_loads_and_names_profile(void **state)
{
	struct fix *f = *state;
	char ini[16384];

	assert_int_equal(attt_app_init(f->dir, NULL), ATTT_OK);
	read_small(f->dir, "attt.ini", ini, sizeof(ini));
	assert_non_null(strstr(ini, "\n[policy]\n"));
	assert_non_null(strstr(ini, "\nprofile = " ATTT_POLICY_DEFAULT "\n"));
	assert_non_null(strstr(ini, "\n; listen = 127.0.0.1:8080\n"));
}

static void test_open__newer_database_refused(void **state)
{
	struct fix *f = *state;
	struct attt_app *app = NULL;
	struct attt_db *db = NULL;
	char p[400], sql[160];

	assert_int_equal(attt_app_init(f->dir, NULL), ATTT_OK);
	assert_int_equal(attt_str_printf(p, sizeof(p), "%s/attt.db", f->dir), 0);
	assert_int_equal(attt_db_open(p, 0, &db), ATTT_OK);
	assert_int_equal(attt_str_printf(sql, sizeof(sql), "INSERT INTO schema_migrations VALUES (%d, 'future', 1)",
					 attt_db_schema_latest() + 1), 0);
	assert_int_equal(attt_db_exec(db, sql), ATTT_OK);
	attt_db_close(db);
	assert_int_equal(attt_app_open(f->dir, 0, &app, f->err, sizeof(f->err)), ATTT_E_STATE);
	assert_null(app);
	assert_non_null(strstr(f->err, "schema version"));
	assert_int_equal(attt_app_open(f->dir, ATTT_APP_READONLY, &app, f->err, sizeof(f->err)), ATTT_E_STATE);
}

static void test_open__readonly(void **state)
{
	struct fix *f = *state;
	struct attt_app *app = NULL;

	assert_int_equal(attt_app_init(f->dir, NULL), ATTT_OK);
	assert_int_equal(attt_app_open(f->dir, ATTT_APP_READONLY, &app, f->err, sizeof(f->err)), ATTT_OK);
	assert_true(attt_db_exec(attt_app_db(app), "INSERT INTO meta VALUES ('x', 'y')") < 0);
	attt_app_close(app);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_init__layout_and_exact_modes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_init__key_formats_and_public_key_matches_seed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_init__refuses_initialised_and_nonempty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_init__empty_existing_dir_is_taken, setup, teardown),
		cmocka_unit_test_setup_teardown(test_init__bad_profile_or_parent_writes_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_init__failed_step_leaves_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_init__concurrent_inits_one_wins, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open__warns_on_loose_mode, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open__missing_or_uninitialised, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open__accessors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_key__refuses_loose_mode_and_bad_text, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open__bad_config_names_file_and_line, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open__default_ini_loads_and_names_profile, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open__newer_database_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open__readonly, setup, teardown),
	};
	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
