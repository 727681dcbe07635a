/*
 * fixture.h: a migrated database in a temporary directory with a small agency tree and people, a
 * fake clock and a fixed key, shared by the account tests (header-only: static functions).
 *   agency 1 "/1/" province; 2 "/1/2/" department; 3 "/1/3/" another department
 *   person 1 Nguyễn Văn An (agency 2); 2 Trần Thị Bình (agency 3); 3 Lê Hoàng Minh (agency 2)
 */
#ifndef ATTT_TEST_ACCOUNT_FIXTURE_H
#define ATTT_TEST_ACCOUNT_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "attt/account.h"
#include "attt/db.h"
#include "attt/err.h"
#include "attt/log.h"

#define SEC ATTT_USEC_PER_SEC
#define DAY (INT64_C(86400) * SEC)
#define T0 (INT64_C(1767225600) * SEC) /* 2026-01-01T00:00:00Z */

struct fx {
	char dir[64], path[128];
	struct attt_db *db;
	int64_t now;
	struct attt_clock clock;
	struct attt_auth_key *key;
	struct attt_auth_policy policy;
	struct attt_auth_ctx c;
};

static const struct attt_actor fx_cli = {0, 0, 0, "cli", NULL, "cli"};

static int fx_setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	unsigned char raw[ATTT_AUTH_KEY_BYTES];
	static const char *seed =
		"INSERT INTO agency (id, name, name_fold, type, parent_id, path, depth, created_at, updated_at) VALUES "
		"(1, 'Tỉnh', 'tinh', 'province', NULL, '/1/', 1, 0, 0),"
		"(2, 'Sở A', 'so a', 'department', 1, '/1/2/', 2, 0, 0),"
		"(3, 'Sở B', 'so b', 'department', 1, '/1/3/', 2, 0, 0);"
		"INSERT INTO person (id, agency_id, full_name, name_fold, created_at, updated_at) VALUES "
		"(1, 2, 'Nguyễn Văn An', 'nguyen van an', 0, 0),"
		"(2, 3, 'Trần Thị Bình', 'tran thi binh', 0, 0),"
		"(3, 2, 'Lê Hoàng Minh', 'le hoang minh', 0, 0);";

	if (!f)
		return -1;
	if (getenv("ATTT_TEST_DEBUG"))
		attt_log_set_level(ATTT_LOG_DEBUG);
	snprintf(f->dir, sizeof(f->dir), "/tmp/attt-acct-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/attt.db", f->dir);
	if (attt_db_open(f->path, ATTT_DB_CREATE, &f->db) < 0 || attt_db_migrate(f->db) < 0 || attt_db_exec(f->db, seed) < 0)
		return -1;
	memset(raw, 0x42, sizeof(raw));
	if (attt_auth_key_from_bytes(raw, &f->key) < 0)
		return -1;
	f->now = T0;
	f->clock.now_us = attt_clock_fake_now;
	f->clock.ctx = &f->now;
	attt_auth_policy_default(&f->policy);
	f->policy.lockout.threshold = 3;
	f->c.db = f->db;
	f->c.clock = &f->clock;
	f->c.rng = NULL;
	f->c.key = f->key;
	f->c.policy = &f->policy;
	*state = f;
	return 0;
}

static int fx_teardown(void **state)
{
	struct fx *f = *state;
	char cmd[160];
	attt_db_close(f->db);
	attt_auth_key_free(f->key);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

static int64_t fx_count(struct fx *f, const char *sql)
{
	struct attt_stmt *st = NULL;
	int64_t n = -1;
	if (attt_db_prepare(f->db, sql, &st) == ATTT_OK && attt_stmt_step(st) > 0)
		n = attt_stmt_int64(st, 0);
	attt_stmt_finalize(st);
	return n;
}

/* Adds a person account with role on the person's agency; the temporary password into pw. */
static int64_t fx_add(struct fx *f, const char *username, int64_t person, enum attt_role role, char pw[17])
{
	struct attt_account_new in = {.username = username, .kind = ATTT_ACCOUNT_PERSON, .person_id = person, .role = role};
	int64_t id = 0;
	char tmp[17];
	if (attt_account_add(&f->c, &fx_cli, &in, &id, pw ? pw : tmp) != ATTT_OK)
		return 0;
	return id;
}

/* Logs in with (user, pw); ATTT_OK or the error. */
static int fx_login(struct fx *f, const char *user, const char *pw, struct attt_login_result *res)
{
	struct attt_login in = {.username = user, .password = pw, .password_len = strlen(pw), .source = "127.0.0.1"};
	struct attt_login_result tmp;
	return attt_auth_login(&f->c, &in, res ? res : &tmp, NULL);
}

/* Makes an account usable: acknowledges the rules and sets password to pw. */
static int fx_activate(struct fx *f, int64_t id, const char *temp, const char *pw)
{
	unsigned failed = 0;
	int r = attt_rules_acknowledge(&f->c, &fx_cli, id);
	if (r < 0)
		return r;
	return attt_auth_password_change(&f->c, &fx_cli, id, temp, strlen(temp), pw, strlen(pw), &failed);
}

#endif
