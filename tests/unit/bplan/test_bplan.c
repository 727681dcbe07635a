/*
 * test_bplan.c: backup plans (R10.1.b): the interval ceiling, recorded and audited runs, overdue
 * alerts once per period, failed-run alerts, edits re-checked and retirement kept as evidence, the
 * scheduler of attt serve driven by a fake clock, claims that stop a plan running twice; the
 * repository device rule (R10.2.c) with injected devices and with two real paths on one device;
 * restore drills (R10.2.c) by hand and by the scheduler, holding the plan's claim, their scratch
 * directory checked (outside the data directory, room injected) and removed, failed drills alerted
 * once per streak; the catalogue (R10.2.b) added, edited and retired.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "attt/audit.h"
#include "attt/bplan.h"
#include "attt/buf.h"
#include "attt/clock.h"
#include "attt/db.h"
#include "attt/err.h"

struct t {
	char dir[64], db_path[128], src[128], repo[128], pass[128], data[128];
	struct attt_db *db;
	int64_t now;
	struct attt_clock clock;
	struct attt_actor actor;
	struct attt_bplan_env env;
	uint64_t free_bytes;             /* what fake_space reports for the scratch directory */
	int64_t busy_plan;               /* fake_space: try to run this plan in the middle of a drill */
	int busy_run_err;                /* ... and what attt_bplan_run said */
	int64_t busy_claim_kind_drill;   /* ... and whether the claim said "drill", with its scratch */
};

/* Injected devices: a path starting with "/dev2" or containing "/repo" is device 2, others 1. */
static int fake_dev(void *ctx, const char *path, uint64_t *ret)
{
	(void)ctx;
	*ret = strncmp(path, "/dev2", 5) == 0 || strstr(path, "/repo") ? 2 : 1;
	return ATTT_OK;
}

static int64_t count(struct t *t, const char *sql);

/* Injected free space; called by a drill after its claim and its scratch directory are made, so it
 * also looks, in the middle of the drill, at whether a run of the same plan is refused. */
static int fake_space(void *ctx, const char *path, uint64_t *ret)
{
	struct t *t = ctx;
	struct attt_bplan_run_result res;
	struct stat sb;

	assert_int_equal(stat(path, &sb), 0);
	assert_true(S_ISDIR(sb.st_mode));
	if (t->busy_plan) {
		t->busy_run_err = attt_bplan_run(t->db, &t->clock, &t->actor, &t->env, t->busy_plan, &res);
		t->busy_claim_kind_drill = count(t, "SELECT count(*) FROM backup_plan WHERE run_claimed_at > 0 AND "
						    "run_claim_kind = 'drill' AND run_claim_scratch LIKE '%/attt-drill-%'");
	}
	*ret = t->free_bytes;
	return ATTT_OK;
}

static void exec(struct t *t, const char *sql)
{
	assert_int_equal(attt_db_exec(t->db, sql), ATTT_OK);
}

static int64_t count(struct t *t, const char *sql)
{
	struct attt_stmt *st;
	int64_t n;
	assert_int_equal(attt_db_prepare(t->db, sql, &st), ATTT_OK);
	assert_int_equal(attt_stmt_step(st), 1);
	n = attt_stmt_int64(st, 0);
	attt_stmt_finalize(st);
	return n;
}

static void write_file(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	assert_int_equal(chmod(path, mode), 0);
}

static int setup(void **state)
{
	struct t *t = calloc(1, sizeof(*t));
	char p[256];
	assert_non_null(t);
	snprintf(t->dir, sizeof(t->dir), "/tmp/attt-bplan-test-XXXXXX");
	assert_non_null(mkdtemp(t->dir));
	snprintf(t->db_path, sizeof(t->db_path), "%s/attt.db", t->dir);
	snprintf(t->src, sizeof(t->src), "%s/src", t->dir);
	snprintf(t->repo, sizeof(t->repo), "%s/repo", t->dir);
	snprintf(t->pass, sizeof(t->pass), "%s/pass", t->dir);
	snprintf(t->data, sizeof(t->data), "%s/data", t->dir);
	assert_int_equal(mkdir(t->src, 0700), 0);
	assert_int_equal(mkdir(t->data, 0700), 0);
	snprintf(p, sizeof(p), "%s/a.txt", t->src);
	write_file(p, "dữ liệu cần sao lưu\n", 0600);
	write_file(t->pass, "mật khẩu kho thử\n", 0600);
	assert_int_equal(attt_db_open(t->db_path, ATTT_DB_CREATE, &t->db), ATTT_OK);
	assert_int_equal(attt_db_migrate(t->db), ATTT_OK);
	t->now = INT64_C(1795000000000000);
	t->clock.now_us = attt_clock_fake_now;
	t->clock.ctx = &t->now;
	t->actor.username = "cli";
	t->actor.source = "cli";
	t->env.data_dir = t->data;
	t->env.max_interval_days = 31;
	t->env.drill_days = 30;
	t->env.scratch_dir = t->dir;
	t->env.dev = fake_dev;
	t->env.space = fake_space;
	t->env.space_ctx = t;
	t->free_bytes = UINT64_C(1) << 40;
	exec(t, "INSERT INTO agency (id, name, name_fold, type, path, depth, created_at, updated_at) VALUES "
		"(1, 'Tỉnh', 'tinh', 'province', '/1/', 1, 0, 0), (2, 'Sở', 'so', 'department', '/1/2/', 2, 0, 0);"
		"INSERT INTO person (id, agency_id, full_name, name_fold, email, created_at, updated_at) VALUES "
		"(1, 1, 'Cán Bộ', 'can bo', 'officer@example.vn', 0, 0);"
		"INSERT INTO account (id, username, kind, person_id, agency_id, status, created_at, updated_at) VALUES "
		"(1, 'officer', 'person', 1, 1, 'active', 0, 0);"
		"INSERT INTO role_grant (account_id, role, agency_id, granted_at) VALUES (1, 'security_officer', 1, 0);");
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct t *t = *state;
	char cmd[256];
	attt_db_close(t->db);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t->dir);
	if (system(cmd) != 0)
		return -1;
	free(t);
	return 0;
}

static int add(struct t *t, int64_t days, const char *repo, int64_t *id, char *why, size_t n)
{
	const char *src[1] = { t->src };
	struct attt_bplan_spec s = { .agency_id = 2, .name = "Máy chủ thư", .sources = src, .n_sources = 1,
				     .repo = repo, .passphrase_file = t->pass, .interval_days = days };
	return attt_bplan_add(t->db, &t->clock, &t->actor, &t->env, &s, why, n, id);
}

/* R10.1.b: an interval beyond the profile's 31 days is refused, naming the rule; nothing stored. */
static void test_interval_ceiling(void **state)
{
	struct t *t = *state;
	char why[512] = "";
	int64_t id = -1;
	assert_int_equal(add(t, 32, t->repo, &id, why, sizeof(why)), ATTT_E_POLICY);
	assert_non_null(strstr(why, "R10.1.b"));
	assert_int_equal(id, -1);
	assert_int_equal(count(t, "SELECT count(*) FROM backup_plan"), 0);
	assert_int_equal(count(t, "SELECT count(*) FROM audit_event"), 0);
	assert_int_equal(add(t, 0, t->repo, &id, why, sizeof(why)), ATTT_E_POLICY);
	assert_int_equal(add(t, 31, t->repo, &id, why, sizeof(why)), ATTT_OK);
	assert_true(id > 0);
	/* R10.1.b: a plan change is an audit event of category data. */
	assert_int_equal(count(t, "SELECT count(*) FROM audit_event WHERE action = 'backup.plan.create' AND "
				  "category = 2 AND rule = 'R10.1.b'"), 1);
	assert_int_equal(add(t, 7, t->repo, &id, why, sizeof(why)), ATTT_E_EXISTS);
}

/* R10.2.c: a repository on the device of a source or of the data directory is refused. */
static void test_device_rule(void **state)
{
	struct t *t = *state;
	const char *src[2] = { "/srv/mail", "/dev2/other" };
	char why[512] = "";
	t->env.data_dir = "/var/lib/attt";
	assert_int_equal(attt_bplan_check_devices(&t->env, "/dev2/backup", src, 1, why, sizeof(why)), ATTT_OK);
	assert_int_equal(attt_bplan_check_devices(&t->env, "/dev2/backup", src, 2, why, sizeof(why)), ATTT_E_POLICY);
	assert_non_null(strstr(why, "R10.2.c"));
	assert_non_null(strstr(why, "/dev2/other"));
	/* the data directory counts as well */
	t->env.data_dir = "/dev2/attt";
	assert_int_equal(attt_bplan_check_devices(&t->env, "/dev2/backup", src, 1, why, sizeof(why)), ATTT_E_POLICY);
	assert_non_null(strstr(why, "/dev2/attt"));
}

/* R10.2.c: with the real stat, two paths on one device (the repository, not yet created, and the
 * source, both in one temporary directory) are refused: devices, not path prefixes. */
static void test_device_rule_real(void **state)
{
	struct t *t = *state;
	char why[512] = "", repo[256];
	int64_t id = -1;
	uint64_t d1, d2;
	t->env.dev = NULL;
	snprintf(repo, sizeof(repo), "%s/not/yet/made/repo", t->dir);
	assert_int_equal(attt_bplan_path_dev(NULL, repo, &d1), ATTT_OK);
	assert_int_equal(attt_bplan_path_dev(NULL, t->src, &d2), ATTT_OK);
	assert_true(d1 == d2);
	assert_int_equal(add(t, 7, repo, &id, why, sizeof(why)), ATTT_E_POLICY);
	assert_non_null(strstr(why, "R10.2.c"));
	assert_int_equal(count(t, "SELECT count(*) FROM backup_plan"), 0);
}

/* The passphrase stays out of the database: a file readable by others is refused. */
static void test_passfile_mode(void **state)
{
	struct t *t = *state;
	char why[512] = "";
	int64_t id;
	assert_int_equal(chmod(t->pass, 0644), 0);
	assert_int_equal(add(t, 7, t->repo, &id, why, sizeof(why)), ATTT_E_PERM);
	assert_int_equal(chmod(t->pass, 0600), 0);
	assert_int_equal(add(t, 7, t->repo, &id, why, sizeof(why)), ATTT_OK);
	assert_int_equal(count(t, "SELECT count(*) FROM backup_plan WHERE passphrase_file LIKE '%/pass'"), 1);
}

struct seen { int n; bool overdue, drill_overdue; int64_t last_ok, drill_days; char result[16]; };

static int list_cb(void *ctx, const struct attt_bplan_info *p)
{
	struct seen *s = ctx;
	s->n++;
	s->overdue = p->overdue;
	s->last_ok = p->last_ok_at;
	s->drill_overdue = p->drill_overdue;
	s->drill_days = p->drill_days;
	snprintf(s->result, sizeof(s->result), "%s", p->last_result ? p->last_result : "-");
	assert_int_equal(p->n_sources, 1);
	return 0;
}

/* R10.1.b: a run saves a snapshot and is recorded and audited; a failed run as well; a plan whose
 * last success is older than its interval is overdue and alerts the officers once per period. */
static void test_run_and_overdue(void **state)
{
	struct t *t = *state;
	struct attt_bplan_run_result res;
	struct seen s = { 0 };
	char why[512] = "";
	unsigned alerted = 9;
	int64_t id;

	assert_int_equal(add(t, 1, t->repo, &id, why, sizeof(why)), ATTT_OK);
	assert_int_equal(attt_bplan_run(t->db, &t->clock, &t->actor, &t->env, id, &res), ATTT_OK);
	assert_int_equal(res.err, ATTT_OK);
	assert_int_equal(res.files, 1);
	assert_int_equal(strlen(res.snapshot), 64);
	assert_int_equal(count(t, "SELECT count(*) FROM backup_run WHERE result = 'ok' AND length(snapshot) = 64"), 1);
	assert_int_equal(count(t, "SELECT count(*) FROM audit_event WHERE action = 'backup.plan.run' AND "
				  "outcome = 0 AND category = 2"), 1);
	assert_int_equal(attt_bplan_list(t->db, t->now, 0, 0, 0, list_cb, &s), ATTT_OK);
	assert_int_equal(s.n, 1);
	assert_false(s.overdue);
	assert_string_equal(s.result, "ok");
	assert_int_equal(attt_bplan_alert_overdue(t->db, &t->clock, &alerted), ATTT_OK);
	assert_int_equal(alerted, 0);

	/* a day and a second later: overdue, one alert to the province's officer, not repeated */
	t->now += INT64_C(86401) * 1000000;
	s.n = 0;
	assert_int_equal(attt_bplan_list(t->db, t->now, 2, id, 0, list_cb, &s), ATTT_OK);
	assert_true(s.overdue);
	assert_int_equal(attt_bplan_alert_overdue(t->db, &t->clock, &alerted), ATTT_OK);
	assert_int_equal(alerted, 1);
	assert_int_equal(count(t, "SELECT count(*) FROM notification WHERE kind = 'backup.overdue' AND account_id = 1 "
				  "AND to_address = 'officer@example.vn'"), 1);
	assert_int_equal(attt_bplan_alert_overdue(t->db, &t->clock, &alerted), ATTT_OK);
	assert_int_equal(alerted, 0);

	/* a failed run (wrong passphrase) is recorded and audited as a failure; still overdue */
	write_file(t->pass, "một mật khẩu khác\n", 0600);
	assert_int_equal(attt_bplan_run(t->db, &t->clock, &t->actor, &t->env, id, &res), ATTT_OK);
	assert_int_equal(res.err, ATTT_E_AUTH);
	assert_int_equal(count(t, "SELECT count(*) FROM backup_run WHERE result = 'failed' AND error = 'auth'"), 1);
	assert_int_equal(count(t, "SELECT count(*) FROM audit_event WHERE action = 'backup.plan.run' AND outcome = 1"), 1);
	s.n = 0;
	assert_int_equal(attt_bplan_list(t->db, t->now, 0, 0, 0, list_cb, &s), ATTT_OK);
	assert_true(s.overdue);
	assert_string_equal(s.result, "failed");

	/* a later success ends the period; the next overdue period alerts again */
	write_file(t->pass, "mật khẩu kho thử\n", 0600);
	assert_int_equal(attt_bplan_run(t->db, &t->clock, &t->actor, &t->env, id, &res), ATTT_OK);
	assert_int_equal(res.err, ATTT_OK);
	t->now += INT64_C(2) * 86400 * 1000000;
	assert_int_equal(attt_bplan_alert_overdue(t->db, &t->clock, &alerted), ATTT_OK);
	assert_int_equal(alerted, 1);
	assert_int_equal(count(t, "SELECT count(*) FROM notification WHERE kind = 'backup.overdue'"), 2);
	assert_int_equal(attt_bplan_list(t->db, t->now, 0, 99, 0, list_cb, &s), ATTT_E_NOTFOUND);
}

/* R10.2.c: a drill restores the latest snapshot to scratch, verifies it, records duration and result
 * as evidence (audited) and removes the scratch; an overdue drill is flagged; damage fails it. */
static void test_drill(void **state)
{
	struct t *t = *state;
	struct attt_bplan_run_result res;
	struct attt_bplan_drill_result dr;
	struct seen s = { 0 };
	char why[512] = "", cmd[512];
	int64_t id;

	assert_int_equal(add(t, 7, t->repo, &id, why, sizeof(why)), ATTT_OK);
	/* no snapshot yet: the drill fails and says so */
	assert_int_equal(attt_bplan_drill(t->db, &t->clock, &t->actor, &t->env, id, &dr), ATTT_OK);
	assert_int_not_equal(dr.err, ATTT_OK);
	assert_int_equal(attt_bplan_run(t->db, &t->clock, &t->actor, &t->env, id, &res), ATTT_OK);
	assert_int_equal(res.err, ATTT_OK);
	t->now += 5 * 1000000;
	assert_int_equal(attt_bplan_drill(t->db, &t->clock, &t->actor, &t->env, id, &dr), ATTT_OK);
	assert_int_equal(dr.err, ATTT_OK);
	assert_int_equal(dr.files, 1);
	assert_int_equal(dr.bytes, strlen("dữ liệu cần sao lưu\n"));
	assert_string_equal(dr.snapshot, res.snapshot);
	assert_int_equal(count(t, "SELECT count(*) FROM backup_drill WHERE result = 'ok' AND files = 1"), 1);
	assert_int_equal(count(t, "SELECT count(*) FROM backup_drill WHERE result = 'failed'"), 1);
	assert_int_equal(count(t, "SELECT count(*) FROM audit_event WHERE action = 'backup.plan.drill' AND "
				  "rule = 'R10.2.c' AND outcome = 0"), 1);
	/* the scratch directory is gone */
	snprintf(cmd, sizeof(cmd), "ls -d %s/attt-drill-* >/dev/null 2>&1", t->dir);
	assert_int_not_equal(system(cmd), 0);
	assert_int_equal(attt_bplan_list(t->db, t->now, 0, id, 0, list_cb, &s), ATTT_OK);
	assert_int_equal(s.drill_days, 30);
	assert_false(s.drill_overdue);
	t->now += INT64_C(31) * 86400 * 1000000;
	assert_int_equal(attt_bplan_list(t->db, t->now, 0, id, 0, list_cb, &s), ATTT_OK);
	assert_true(s.drill_overdue);

	/* damage: every pack file removed: the drill fails, is recorded, and the plan stays flagged */
	snprintf(cmd, sizeof(cmd), "find '%s/data' -type f -delete", t->repo);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(attt_bplan_drill(t->db, &t->clock, &t->actor, &t->env, id, &dr), ATTT_OK);
	assert_int_not_equal(dr.err, ATTT_OK);
	assert_int_equal(count(t, "SELECT count(*) FROM backup_drill WHERE result = 'failed'"), 2);
	assert_int_equal(count(t, "SELECT count(*) FROM audit_event WHERE action = 'backup.plan.drill' AND outcome = 1"), 2);
	assert_int_equal(attt_bplan_list(t->db, t->now, 0, id, 0, list_cb, &s), ATTT_OK);
	assert_true(s.drill_overdue);
}

/* attt's own database as a plan: copied with the online backup API, saved, drilled, copy removed. */
static void test_database_plan(void **state)
{
	struct t *t = *state;
	struct attt_bplan_spec sp = { .agency_id = 2, .name = "CSDL attt", .with_database = true, .repo = t->repo,
				      .passphrase_file = t->pass, .interval_days = 1 };
	struct attt_bplan_run_result res;
	struct attt_bplan_drill_result dr;
	char why[512] = "", cmd[512];
	int64_t id;

	assert_int_equal(attt_bplan_add(t->db, &t->clock, &t->actor, &t->env, &sp, why, sizeof(why), &id), ATTT_OK);
	assert_int_equal(attt_bplan_run(t->db, &t->clock, &t->actor, &t->env, id, &res), ATTT_OK);
	assert_int_equal(res.err, ATTT_OK);
	assert_int_equal(res.files, 1);
	assert_true(res.bytes > 4096);
	snprintf(cmd, sizeof(cmd), "ls -d %s/attt-db-* >/dev/null 2>&1", t->dir);
	assert_int_not_equal(system(cmd), 0);
	assert_int_equal(attt_bplan_drill(t->db, &t->clock, &t->actor, &t->env, id, &dr), ATTT_OK);
	assert_int_equal(dr.err, ATTT_OK);
	assert_int_equal(dr.files, 1);
	/* neither sources nor the database: refused */
	sp.with_database = false;
	sp.name = "rỗng";
	assert_int_equal(attt_bplan_add(t->db, &t->clock, &t->actor, &t->env, &sp, why, sizeof(why), &id), ATTT_E_INVAL);
}

/* R10.2.c: the drill period is bounded. */
static void test_drill_days(void **state)
{
	struct t *t = *state;
	const char *src[1] = { t->src };
	struct attt_bplan_spec sp = { .agency_id = 2, .name = "x", .sources = src, .n_sources = 1, .repo = t->repo,
				      .passphrase_file = t->pass, .interval_days = 7, .drill_days = 367 };
	char why[512] = "";
	int64_t id;
	assert_int_equal(attt_bplan_add(t->db, &t->clock, &t->actor, &t->env, &sp, why, sizeof(why), &id), ATTT_E_RANGE);
	assert_non_null(strstr(why, "R10.2.c"));
	sp.drill_days = 90;
	assert_int_equal(attt_bplan_add(t->db, &t->clock, &t->actor, &t->env, &sp, why, sizeof(why), &id), ATTT_OK);
	assert_int_equal(count(t, "SELECT drill_days FROM backup_plan"), 90);
}

/* R10.2.b: catalogue entries carry every field the rule names, are audited, refuse bad input with
 * the field named, and export as CSV that a spreadsheet will not run as formulas. */
static void test_catalogue(void **state)
{
	struct t *t = *state;
	struct attt_bplan_cat_item it = { .agency_id = 2, .item = "CSDL hồ sơ một cửa, \"bản chính\"", .kind = "data",
					  .owner_system = "=Một cửa điện tử", .retention_days = 365,
					  .schedule = "hằng ngày 01:00", .method = "attt backup, mã hóa, ổ ngoài",
					  .restore_test = "6 tháng một lần" };
	struct attt_buf b;
	char why[512] = "";
	int64_t id = -1;

	it.kind = "video";
	assert_int_equal(attt_bplan_cat_add(t->db, &t->clock, &t->actor, &it, why, sizeof(why), &id), ATTT_E_INVAL);
	assert_non_null(strstr(why, "--kind"));
	it.kind = "data";
	it.retention_days = 0;
	assert_int_equal(attt_bplan_cat_add(t->db, &t->clock, &t->actor, &it, why, sizeof(why), &id), ATTT_E_INVAL);
	assert_non_null(strstr(why, "--retention-days"));
	it.retention_days = 365;
	it.plan_id = 42;
	assert_int_equal(attt_bplan_cat_add(t->db, &t->clock, &t->actor, &it, why, sizeof(why), &id), ATTT_E_NOTFOUND);
	it.plan_id = 0;
	assert_int_equal(id, -1);
	assert_int_equal(count(t, "SELECT count(*) FROM backup_catalogue"), 0);
	assert_int_equal(attt_bplan_cat_add(t->db, &t->clock, &t->actor, &it, why, sizeof(why), &id), ATTT_OK);
	assert_int_equal(attt_bplan_cat_add(t->db, &t->clock, &t->actor, &it, why, sizeof(why), &id), ATTT_E_EXISTS);
	assert_int_equal(count(t, "SELECT count(*) FROM audit_event WHERE action = 'backup.catalogue.create' AND "
				  "rule = 'R10.2.b' AND category = 2"), 1);
	attt_buf_init(&b, 1 << 20);
	assert_int_equal(attt_bplan_cat_csv(t->db, 0, &b), ATTT_OK);
	assert_string_equal(attt_buf_str(&b),
			    "id,agency_id,item,kind,owner_system,retention_days,schedule,method,restore_test,plan_id\r\n"
			    "1,2,\"CSDL hồ sơ một cửa, \"\"bản chính\"\"\",data,\"'=Một cửa điện tử\",365,hằng ngày 01:00,"
			    "\"attt backup, mã hóa, ổ ngoài\",6 tháng một lần,\r\n");
	attt_buf_done(&b);

	/* XLSX: a zip whose shared strings hold the texts as strings (the "=" cell is not a formula);
	 * an existing file is never overwritten */
	char xlsx[256], cmd[1024];
	snprintf(xlsx, sizeof(xlsx), "%s/catalogue.xlsx", t->dir);
	assert_int_equal(attt_bplan_cat_xlsx(t->db, 0, xlsx), ATTT_OK);
	snprintf(cmd, sizeof(cmd),
		 "python3 -c \"import sys,zipfile; z=zipfile.ZipFile('%s'); s=z.read('xl/sharedStrings.xml').decode(); "
		 "w=z.read('xl/worksheets/sheet1.xml').decode(); "
		 "sys.exit(0 if 'CSDL hồ sơ một cửa' in s and '=Một cửa điện tử' in s and '<f>' not in w else 1)\"",
		 xlsx);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(attt_bplan_cat_xlsx(t->db, 0, xlsx), ATTT_E_EXISTS);
}

/* R10.1.b: a failed run alerts the officers at once (not only when the plan falls overdue), once
 * per streak of failures; a missed run alerts through the overdue check (test_run_and_overdue). */
static void test_failed_run_alert(void **state)
{
	struct t *t = *state;
	struct attt_bplan_run_result res;
	char why[512] = "";
	int64_t id;

	assert_int_equal(add(t, 7, t->repo, &id, why, sizeof(why)), ATTT_OK);
	write_file(t->pass, "sai mật khẩu? chưa: kho chưa có\n", 0600);
	assert_int_equal(attt_bplan_run(t->db, &t->clock, &t->actor, &t->env, id, &res), ATTT_OK);
	assert_int_equal(res.err, ATTT_OK); /* the first run creates the repository with this passphrase */
	write_file(t->pass, "một mật khẩu khác\n", 0600);
	assert_int_equal(attt_bplan_run(t->db, &t->clock, &t->actor, &t->env, id, &res), ATTT_OK);
	assert_int_equal(res.err, ATTT_E_AUTH);
	assert_int_equal(count(t, "SELECT count(*) FROM notification WHERE kind = 'backup.failed' AND account_id = 1 "
				  "AND to_address = 'officer@example.vn'"), 1);
	/* the streak goes on: no second alert; the plan is not overdue yet, so no overdue alert either */
	assert_int_equal(attt_bplan_run(t->db, &t->clock, &t->actor, &t->env, id, &res), ATTT_OK);
	assert_int_equal(res.err, ATTT_E_AUTH);
	assert_int_equal(count(t, "SELECT count(*) FROM notification WHERE kind = 'backup.failed'"), 1);
	assert_int_equal(count(t, "SELECT count(*) FROM notification WHERE kind = 'backup.overdue'"), 0);
	/* the claim was released by each recorded run */
	assert_int_equal(count(t, "SELECT run_claimed_at FROM backup_plan"), 0);
}

/* R10.1.b, R10.2.c: an edit is held to the rules of a new plan, audited with old and new values;
 * a removed plan stays as evidence and is no longer listed, run, edited or alerted. */
static void test_edit_and_retire(void **state)
{
	struct t *t = *state;
	struct attt_bplan_run_result res;
	struct attt_bplan_edit e = { .with_database = -1 };
	struct seen s = { 0 };
	char why[512] = "";
	unsigned alerted = 9;
	int64_t id;

	assert_int_equal(add(t, 7, t->repo, &id, why, sizeof(why)), ATTT_OK);
	e.interval_days = 32;
	assert_int_equal(attt_bplan_edit(t->db, &t->clock, &t->actor, &t->env, id, &e, why, sizeof(why)), ATTT_E_POLICY);
	assert_non_null(strstr(why, "R10.1.b"));
	e.interval_days = 0;
	e.repo = "/srv/on-the-source-device"; /* fake_dev: device 1, like the source */
	assert_int_equal(attt_bplan_edit(t->db, &t->clock, &t->actor, &t->env, id, &e, why, sizeof(why)), ATTT_E_POLICY);
	assert_non_null(strstr(why, "R10.2.c"));
	e.repo = NULL;
	assert_int_equal(attt_bplan_edit(t->db, &t->clock, &t->actor, &t->env, id, &e, why, sizeof(why)), ATTT_E_INVAL);
	assert_int_equal(count(t, "SELECT count(*) FROM audit_event WHERE action = 'backup.plan.update'"), 0);
	e.interval_days = 14;
	e.run_by = "cron";
	assert_int_equal(attt_bplan_edit(t->db, &t->clock, &t->actor, &t->env, id, &e, why, sizeof(why)), ATTT_OK);
	assert_int_equal(count(t, "SELECT interval_days FROM backup_plan"), 14);
	assert_int_equal(count(t, "SELECT count(*) FROM audit_event WHERE action = 'backup.plan.update' AND "
				  "summary LIKE '%\"interval_days\":[7,14]%' AND summary LIKE '%\"run_by\":[\"serve\",\"cron\"]%'"), 1);

	assert_int_equal(attt_bplan_retire(t->db, &t->clock, &t->actor, id, "", why, sizeof(why)), ATTT_E_INVAL);
	assert_int_equal(attt_bplan_retire(t->db, &t->clock, &t->actor, id, "máy chủ ngừng", why, sizeof(why)), ATTT_OK);
	assert_int_equal(attt_bplan_retire(t->db, &t->clock, &t->actor, id, "lần nữa", why, sizeof(why)), ATTT_E_STATE);
	assert_int_equal(count(t, "SELECT count(*) FROM backup_plan WHERE retired_at > 0 AND retired_reason = 'máy chủ ngừng'"), 1);
	assert_int_equal(count(t, "SELECT count(*) FROM audit_event WHERE action = 'backup.plan.retire'"), 1);
	assert_int_equal(attt_bplan_list(t->db, t->now, 0, 0, 0, list_cb, &s), ATTT_OK);
	assert_int_equal(s.n, 0);
	assert_int_equal(attt_bplan_list(t->db, t->now, 0, 0, ATTT_BPLAN_LIST_RETIRED, list_cb, &s), ATTT_OK);
	assert_int_equal(s.n, 1);
	assert_false(s.overdue);
	assert_int_equal(attt_bplan_run(t->db, &t->clock, &t->actor, &t->env, id, &res), ATTT_E_STATE);
	assert_int_equal(attt_bplan_edit(t->db, &t->clock, &t->actor, &t->env, id, &e, why, sizeof(why)), ATTT_E_STATE);
	t->now += INT64_C(60) * 86400 * 1000000;
	assert_int_equal(attt_bplan_alert_overdue(t->db, &t->clock, &alerted), ATTT_OK);
	assert_int_equal(alerted, 0);
	/* the name stays taken, so that the trail's references stay unambiguous */
	assert_int_equal(add(t, 7, t->repo, &id, why, sizeof(why)), ATTT_E_EXISTS);
}

/* R10.1.b: the scheduler of attt serve, called as its tick is, with a fake clock: a new plan runs at
 * once on the worker thread, is not run again before its interval, is run again after it; a plan
 * for cron is left alone. */
static void test_scheduler(void **state)
{
	struct t *t = *state;
	struct attt_bplan_sched *sc = NULL;
	struct attt_bplan_sched_done done;
	struct attt_bplan_sched_job started = { .plan_id = -1 };
	char why[512] = "";
	int64_t id, cron_id;
	const char *src[1] = { t->src };
	struct attt_bplan_spec cron = { .agency_id = 2, .name = "cron", .sources = src, .n_sources = 1,
					.repo = t->repo, .passphrase_file = t->pass, .interval_days = 1,
					.run_by = "cron" };

	assert_int_equal(attt_bplan_add(t->db, &t->clock, &t->actor, &t->env, &cron, why, sizeof(why), &cron_id), ATTT_OK);
	assert_int_equal(add(t, 2, t->repo, &id, why, sizeof(why)), ATTT_OK);
	assert_int_equal(attt_bplan_sched_new(t->db_path, &t->clock, &t->env, &sc), ATTT_OK);
	assert_int_equal(attt_bplan_sched_tick(sc, t->db, t->now, &started, &done), ATTT_OK);
	assert_int_equal(started.plan_id, id);
	assert_false(started.drill);
	assert_int_equal(done.plan_id, 0);
	attt_bplan_sched_wait(sc);
	/* the next tick reports the run; no run is due, but the plan's first restore drill is */
	assert_int_equal(attt_bplan_sched_tick(sc, t->db, t->now, &started, &done), ATTT_OK);
	assert_int_equal(done.plan_id, id);
	assert_false(done.drill);
	assert_int_equal(done.err, ATTT_OK);
	assert_int_equal(done.res.err, ATTT_OK);
	assert_int_equal(started.plan_id, id);
	assert_true(started.drill);
	attt_bplan_sched_wait(sc);
	assert_int_equal(attt_bplan_sched_tick(sc, t->db, t->now, &started, &done), ATTT_OK);
	assert_true(done.drill);
	assert_int_equal(done.drill_res.err, ATTT_OK);
	assert_int_equal(started.plan_id, 0);
	assert_int_equal(count(t, "SELECT count(*) FROM backup_run WHERE result = 'ok'"), 1);
	assert_int_equal(count(t, "SELECT count(*) FROM audit_event WHERE action = 'backup.plan.run' AND actor_name = 'system'"), 1);
	/* a day later: not due (interval 2 days); two days after the run's start: due */
	t->now += INT64_C(86400) * 1000000;
	assert_int_equal(attt_bplan_sched_tick(sc, t->db, t->now, &started, &done), ATTT_OK);
	assert_int_equal(started.plan_id, 0);
	t->now += INT64_C(86400) * 1000000;
	assert_int_equal(attt_bplan_sched_tick(sc, t->db, t->now, &started, &done), ATTT_OK);
	assert_int_equal(started.plan_id, id);
	assert_false(started.drill);
	attt_bplan_sched_free(sc); /* waits for the run */
	assert_int_equal(count(t, "SELECT count(*) FROM backup_run WHERE result = 'ok'"), 2);
	assert_int_equal(count(t, "SELECT count(*) FROM backup_run WHERE plan_id = 1"), 0);
	(void)cron_id;
}

/* The pid of a process of this host that has ended: the holder of a claim a crash interrupted. */
static pid_t dead_pid(void)
{
	pid_t child = fork();
	int st;

	assert_true(child >= 0);
	if (child == 0)
		_exit(0);
	assert_int_equal(waitpid(child, &st, 0), child);
	return child;
}

/* R10.1.b: a plan is never run twice at once, and a restart does not run it twice: a live claim
 * (this process, or another host's recent one) refuses a run and hides the plan from the scheduler;
 * a claim left by a dead process is recorded as an interrupted run and taken over. */
static void test_claims(void **state)
{
	struct t *t = *state;
	struct attt_bplan_run_result res;
	char why[512] = "", sql[512], host[200] = "";
	int64_t id, due = 0;
	pid_t child;

	assert_int_equal(add(t, 7, t->repo, &id, why, sizeof(why)), ATTT_OK);
	snprintf(sql, sizeof(sql), "UPDATE backup_plan SET run_claimed_at = %lld, run_claimed_by = 'other-host:1'",
		 (long long)t->now);
	exec(t, sql);
	assert_int_equal(attt_bplan_run(t->db, &t->clock, &t->actor, &t->env, id, &res), ATTT_E_BUSY);
	assert_int_equal(attt_bplan_next_due(t->db, t->now, &due), ATTT_E_NOTFOUND);
	/* a day and more later the other host's claim is stale */
	t->now += INT64_C(86401) * 1000000;
	assert_int_equal(attt_bplan_next_due(t->db, t->now, &due), ATTT_OK);
	assert_int_equal(due, id);
	/* a process of this host that has ended: its run was interrupted */
	child = dead_pid();
	gethostname(host, sizeof(host) - 1);
	snprintf(sql, sizeof(sql), "UPDATE backup_plan SET run_claimed_at = %lld, run_claimed_by = '%s:%ld'",
		 (long long)t->now, host, (long)child);
	exec(t, sql);
	assert_int_equal(attt_bplan_run(t->db, &t->clock, &t->actor, &t->env, id, &res), ATTT_OK);
	assert_int_equal(res.err, ATTT_OK);
	assert_int_equal(count(t, "SELECT count(*) FROM backup_run WHERE result = 'failed' AND error = 'interrupted'"), 1);
	assert_int_equal(count(t, "SELECT count(*) FROM audit_event WHERE action = 'backup.plan.run' AND outcome = 1 AND "
				  "summary LIKE '%interrupted%'"), 1);
	assert_int_equal(count(t, "SELECT count(*) FROM notification WHERE kind = 'backup.failed'"), 1);
	assert_int_equal(count(t, "SELECT run_claimed_at FROM backup_plan"), 0);
}

/* R10.2.c: the scheduler of attt serve drills the plans it runs, driven by a fake clock: the first
 * drill once the first run has made a snapshot, then every drill period, a due run before a due
 * drill; each drill recorded and audited as one by hand (actor "system"), its scratch directory
 * removed; a failed drill alerts once, and is tried again a day later, not at every tick; plans run
 * by cron are left to cron. */
static void test_scheduler__drills(void **state)
{
	struct t *t = *state;
	struct attt_bplan_sched *sc = NULL;
	struct attt_bplan_sched_done done;
	struct attt_bplan_sched_job started;
	struct attt_bplan_run_result res;
	struct seen s = { 0 };
	char why[512] = "", cmd[512];
	int64_t id, cron_id, due = 0;
	const char *src[1] = { t->src };
	struct attt_bplan_spec cron = { .agency_id = 2, .name = "cron", .sources = src, .n_sources = 1,
					.repo = t->repo, .passphrase_file = t->pass, .interval_days = 1,
					.run_by = "cron" };
	const int64_t day = INT64_C(86400) * 1000000;

	assert_int_equal(attt_bplan_add(t->db, &t->clock, &t->actor, &t->env, &cron, why, sizeof(why), &cron_id), ATTT_OK);
	assert_int_equal(attt_bplan_run(t->db, &t->clock, &t->actor, &t->env, cron_id, &res), ATTT_OK);
	assert_int_equal(res.err, ATTT_OK);
	assert_int_equal(add(t, 7, t->repo, &id, why, sizeof(why)), ATTT_OK); /* drill period: env's 30 days */
	/* no snapshot of its own yet: no drill due (it would only fail) */
	assert_int_equal(attt_bplan_next_drill_due(t->db, t->now, &due), ATTT_E_NOTFOUND);
	assert_int_equal(attt_bplan_sched_new(t->db_path, &t->clock, &t->env, &sc), ATTT_OK);
	assert_int_equal(attt_bplan_sched_tick(sc, t->db, t->now, &started, &done), ATTT_OK);
	assert_int_equal(started.plan_id, id);
	assert_false(started.drill);
	attt_bplan_sched_wait(sc);
	assert_int_equal(attt_bplan_sched_tick(sc, t->db, t->now, &started, &done), ATTT_OK);
	assert_int_equal(started.plan_id, id);
	assert_true(started.drill);
	attt_bplan_sched_wait(sc);
	assert_int_equal(attt_bplan_sched_tick(sc, t->db, t->now, &started, &done), ATTT_OK);
	assert_int_equal(done.plan_id, id);
	assert_true(done.drill);
	assert_int_equal(done.err, ATTT_OK);
	assert_int_equal(done.drill_res.err, ATTT_OK);
	assert_int_equal(done.drill_res.files, 1);
	assert_int_equal(started.plan_id, 0);
	assert_int_equal(count(t, "SELECT count(*) FROM backup_drill WHERE result = 'ok' AND files = 1"), 1);
	assert_int_equal(count(t, "SELECT count(*) FROM audit_event WHERE action = 'backup.plan.drill' AND "
				  "actor_name = 'system' AND rule = 'R10.2.c' AND outcome = 0 AND category = 2 AND "
				  "summary LIKE '%\"duration_ms\":%'"), 1);
	assert_int_equal(count(t, "SELECT run_claimed_at FROM backup_plan WHERE id = 2"), 0);
	snprintf(cmd, sizeof(cmd), "ls -d %s/attt-drill-* >/dev/null 2>&1", t->dir);
	assert_int_not_equal(system(cmd), 0);

	/* 7 days on: the run (every 7 days) is due, the drill (every 30) not yet */
	t->now += 7 * day;
	assert_int_equal(attt_bplan_sched_tick(sc, t->db, t->now, &started, &done), ATTT_OK);
	assert_int_equal(started.plan_id, id);
	assert_false(started.drill);
	attt_bplan_sched_wait(sc);
	assert_int_equal(attt_bplan_sched_tick(sc, t->db, t->now, &started, &done), ATTT_OK);
	assert_int_equal(started.plan_id, 0);
	/* 30 days after the first drill: the run and the drill are both due: the run first */
	t->now += 23 * day;
	s.n = 0;
	assert_int_equal(attt_bplan_list(t->db, t->now, 0, id, 0, list_cb, &s), ATTT_OK);
	assert_false(s.drill_overdue); /* due now, overdue only once the period has passed */
	assert_int_equal(attt_bplan_sched_tick(sc, t->db, t->now, &started, &done), ATTT_OK);
	assert_int_equal(started.plan_id, id);
	assert_false(started.drill);
	attt_bplan_sched_wait(sc);
	/* the drill fails (no room): recorded, alerted once */
	t->free_bytes = 1 << 20;
	assert_int_equal(attt_bplan_sched_tick(sc, t->db, t->now, &started, &done), ATTT_OK);
	assert_true(started.drill);
	attt_bplan_sched_wait(sc);
	assert_int_equal(attt_bplan_sched_tick(sc, t->db, t->now, &started, &done), ATTT_OK);
	assert_true(done.drill);
	assert_int_equal(done.drill_res.err, ATTT_E_TOOBIG);
	assert_int_equal(started.plan_id, 0); /* not again at once */
	assert_int_equal(count(t, "SELECT count(*) FROM notification WHERE kind = 'backup.drill_failed' AND "
				  "account_id = 1"), 1);
	t->now += day - 1;
	assert_int_equal(attt_bplan_sched_tick(sc, t->db, t->now, &started, &done), ATTT_OK);
	assert_int_equal(started.plan_id, 0);
	/* a day after the failed drill: tried again; fails again: the streak is not alerted twice */
	t->now += 1;
	assert_int_equal(attt_bplan_sched_tick(sc, t->db, t->now, &started, &done), ATTT_OK);
	assert_int_equal(started.plan_id, id);
	assert_true(started.drill);
	attt_bplan_sched_free(sc);
	assert_int_equal(count(t, "SELECT count(*) FROM backup_drill WHERE plan_id = 2 AND result = 'failed'"), 2);
	assert_int_equal(count(t, "SELECT count(*) FROM notification WHERE kind = 'backup.drill_failed'"), 1);
	/* the drill period passed without a successful drill: flagged, as a drill by hand leaves it */
	t->now += 2 * day;
	s.n = 0;
	assert_int_equal(attt_bplan_list(t->db, t->now, 0, id, 0, list_cb, &s), ATTT_OK);
	assert_true(s.drill_overdue);
	/* cron's plan has snapshots but was never drilled by the scheduler */
	assert_int_equal(count(t, "SELECT count(*) FROM backup_drill WHERE plan_id = 1"), 0);
}

/* R10.2.c: a drill holds its plan's claim, so that a run and a drill of one plan never happen at
 * once; a live claim of a run refuses a drill and hides the plan from the drill scheduler; a drill
 * cut short by a crash is recorded as a failed drill (audited, alerted) by the next claimant, which
 * removes the scratch directory it left, and only one that attt made. */
static void test_drill_claims(void **state)
{
	struct t *t = *state;
	struct attt_bplan_run_result res;
	struct attt_bplan_drill_result dr;
	char why[512] = "", sql[1024], host[200] = "", left[256], file[300];
	int64_t id, due = 0;
	struct stat sb;
	pid_t child;

	assert_int_equal(add(t, 7, t->repo, &id, why, sizeof(why)), ATTT_OK);
	assert_int_equal(attt_bplan_run(t->db, &t->clock, &t->actor, &t->env, id, &res), ATTT_OK);
	assert_int_equal(res.err, ATTT_OK);
	/* in the middle of the drill (fake_space), a run of the plan is refused: busy */
	t->busy_plan = id;
	assert_int_equal(attt_bplan_drill(t->db, &t->clock, &t->actor, &t->env, id, &dr), ATTT_OK);
	assert_int_equal(dr.err, ATTT_OK);
	assert_int_equal(t->busy_run_err, ATTT_E_BUSY);
	assert_int_equal(t->busy_claim_kind_drill, 1);
	t->busy_plan = 0;
	assert_int_equal(count(t, "SELECT count(*) FROM backup_run"), 1);
	assert_int_equal(count(t, "SELECT run_claimed_at + COALESCE(length(run_claim_scratch), 0) FROM backup_plan"), 0);

	/* a run in progress elsewhere: the drill is refused, nothing recorded, not scheduled */
	t->now += INT64_C(31) * 86400 * 1000000;
	snprintf(sql, sizeof(sql), "UPDATE backup_plan SET run_claimed_at = %lld, run_claimed_by = 'other-host:1', "
		 "run_claim_kind = 'run'", (long long)t->now);
	exec(t, sql);
	assert_int_equal(attt_bplan_drill(t->db, &t->clock, &t->actor, &t->env, id, &dr), ATTT_E_BUSY);
	assert_int_equal(count(t, "SELECT count(*) FROM backup_drill"), 1);
	assert_int_equal(attt_bplan_next_drill_due(t->db, t->now, &due), ATTT_E_NOTFOUND);
	exec(t, "UPDATE backup_plan SET run_claimed_at = 0, run_claimed_by = NULL");
	assert_int_equal(attt_bplan_next_drill_due(t->db, t->now, &due), ATTT_OK);
	assert_int_equal(due, id);

	/* a drill by a process of this host that has ended, leaving its scratch directory */
	snprintf(left, sizeof(left), "%s/attt-drill-XXXXXX", t->dir);
	assert_non_null(mkdtemp(left));
	snprintf(file, sizeof(file), "%s/a.txt", left);
	write_file(file, "nửa chừng\n", 0600);
	child = dead_pid();
	gethostname(host, sizeof(host) - 1);
	snprintf(sql, sizeof(sql), "UPDATE backup_plan SET run_claimed_at = %lld, run_claimed_by = '%s:%ld', "
		 "run_claim_kind = 'drill', run_claim_scratch = '%s'", (long long)t->now, host, (long)child, left);
	exec(t, sql);
	/* the run takes over: the drill is recorded as interrupted, alerted, its leftovers removed */
	assert_int_equal(attt_bplan_run(t->db, &t->clock, &t->actor, &t->env, id, &res), ATTT_OK);
	assert_int_equal(res.err, ATTT_OK);
	assert_int_equal(count(t, "SELECT count(*) FROM backup_drill WHERE result = 'failed' AND error = 'interrupted'"), 1);
	assert_int_equal(count(t, "SELECT count(*) FROM backup_run WHERE result = 'failed'"), 0);
	assert_int_equal(count(t, "SELECT count(*) FROM audit_event WHERE action = 'backup.plan.drill' AND outcome = 1 AND "
				  "rule = 'R10.2.c' AND summary LIKE '%interrupted%'"), 1);
	assert_int_equal(count(t, "SELECT count(*) FROM notification WHERE kind = 'backup.drill_failed' AND account_id = 1"), 1);
	assert_int_not_equal(stat(left, &sb), 0);

	/* a scratch path that attt did not make is left alone, even when the row names it */
	child = dead_pid();
	snprintf(sql, sizeof(sql), "UPDATE backup_plan SET run_claimed_at = %lld, run_claimed_by = '%s:%ld', "
		 "run_claim_kind = 'drill', run_claim_scratch = '%s'", (long long)t->now, host, (long)child, t->src);
	exec(t, sql);
	assert_int_equal(attt_bplan_drill(t->db, &t->clock, &t->actor, &t->env, id, &dr), ATTT_OK);
	assert_int_equal(dr.err, ATTT_OK);
	assert_int_equal(stat(t->src, &sb), 0);
	/* the streak of failed drills ended with this success */
	assert_int_equal(count(t, "SELECT count(*) FROM backup_drill WHERE result = 'failed'"), 2);
	assert_int_equal(count(t, "SELECT count(*) FROM notification WHERE kind = 'backup.drill_failed'"), 1);
}

/* R10.2.c: the scratch directory is outside attt's data directory (by real path), absolute and
 * existing, and its device has room for the snapshot; otherwise the drill fails and says why,
 * recorded and alerted, and leaves nothing behind. */
static void test_drill_scratch(void **state)
{
	struct t *t = *state;
	struct attt_bplan_run_result res;
	struct attt_bplan_drill_result dr;
	char why[512] = "", inside[256], link[256], cmd[512];
	int64_t id;

	assert_int_equal(add(t, 7, t->repo, &id, why, sizeof(why)), ATTT_OK);
	assert_int_equal(attt_bplan_run(t->db, &t->clock, &t->actor, &t->env, id, &res), ATTT_OK);
	assert_int_equal(attt_bplan_check_scratch(&t->env, why, sizeof(why)), ATTT_OK);
	/* inside the data directory, directly or through a symlink */
	snprintf(inside, sizeof(inside), "%s/tmp", t->data);
	assert_int_equal(mkdir(inside, 0700), 0);
	t->env.scratch_dir = inside;
	assert_int_equal(attt_bplan_check_scratch(&t->env, why, sizeof(why)), ATTT_E_POLICY);
	assert_non_null(strstr(why, "R10.2.c"));
	snprintf(link, sizeof(link), "%s/scratch-link", t->dir);
	assert_int_equal(symlink(t->data, link), 0);
	t->env.scratch_dir = link;
	assert_int_equal(attt_bplan_check_scratch(&t->env, why, sizeof(why)), ATTT_E_POLICY);
	t->env.scratch_dir = t->data;
	assert_int_equal(attt_bplan_check_scratch(&t->env, why, sizeof(why)), ATTT_E_POLICY);
	t->env.scratch_dir = "relative/dir";
	assert_int_equal(attt_bplan_check_scratch(&t->env, why, sizeof(why)), ATTT_E_INVAL);
	t->env.scratch_dir = "/nonexistent/attt-scratch";
	assert_int_equal(attt_bplan_check_scratch(&t->env, why, sizeof(why)), ATTT_E_NOTFOUND);
	/* a drill given such a directory fails, recorded with the reason, nothing made there */
	t->env.scratch_dir = inside;
	assert_int_equal(attt_bplan_drill(t->db, &t->clock, &t->actor, &t->env, id, &dr), ATTT_OK);
	assert_int_equal(dr.err, ATTT_E_POLICY);
	assert_non_null(strstr(dr.why, "R10.2.c"));
	assert_int_equal(count(t, "SELECT count(*) FROM backup_drill WHERE result = 'failed' AND error = 'policy'"), 1);
	assert_int_equal(count(t, "SELECT count(*) FROM audit_event WHERE action = 'backup.plan.drill' AND outcome = 1 AND "
				  "summary LIKE '%R10.2.c%'"), 1);
	assert_int_equal(count(t, "SELECT count(*) FROM notification WHERE kind = 'backup.drill_failed'"), 1);
	snprintf(cmd, sizeof(cmd), "test -z \"$(ls -A '%s')\"", inside);
	assert_int_equal(system(cmd), 0);
	/* a run's copy of the database is held to the same rule */
	struct attt_bplan_spec sp = { .agency_id = 2, .name = "CSDL attt", .with_database = true, .repo = t->repo,
				      .passphrase_file = t->pass, .interval_days = 1 };
	int64_t dbp;
	assert_int_equal(attt_bplan_add(t->db, &t->clock, &t->actor, &t->env, &sp, why, sizeof(why), &dbp), ATTT_OK);
	assert_int_equal(attt_bplan_run(t->db, &t->clock, &t->actor, &t->env, dbp, &res), ATTT_OK);
	assert_int_equal(res.err, ATTT_E_POLICY);
	assert_int_equal(system(cmd), 0);

	/* no room for the snapshot and the reserve: fails before restoring anything */
	t->env.scratch_dir = t->dir;
	t->free_bytes = ATTT_BPLAN_DRILL_RESERVE_BYTES; /* the reserve, but not the snapshot's bytes */
	assert_int_equal(attt_bplan_drill(t->db, &t->clock, &t->actor, &t->env, id, &dr), ATTT_OK);
	assert_int_equal(dr.err, ATTT_E_TOOBIG);
	assert_non_null(strstr(dr.why, "MiB"));
	assert_int_equal(dr.files, 0);
	assert_int_equal(count(t, "SELECT count(*) FROM backup_drill WHERE result = 'failed' AND error = 'toobig'"), 1);
	snprintf(cmd, sizeof(cmd), "ls -d %s/attt-drill-* >/dev/null 2>&1", t->dir);
	assert_int_not_equal(system(cmd), 0);
	/* with room it passes; the next failure starts a new streak and alerts again */
	t->free_bytes = ATTT_BPLAN_DRILL_RESERVE_BYTES + 4096;
	assert_int_equal(attt_bplan_drill(t->db, &t->clock, &t->actor, &t->env, id, &dr), ATTT_OK);
	assert_int_equal(dr.err, ATTT_OK);
	assert_int_equal(count(t, "SELECT count(*) FROM notification WHERE kind = 'backup.drill_failed'"), 1);
	t->free_bytes = 0;
	assert_int_equal(attt_bplan_drill(t->db, &t->clock, &t->actor, &t->env, id, &dr), ATTT_OK);
	assert_int_equal(dr.err, ATTT_E_TOOBIG);
	assert_int_equal(count(t, "SELECT count(*) FROM notification WHERE kind = 'backup.drill_failed' AND "
				  "subject LIKE '%Restore drill failed%'"), 2);
}

/* attt's own database is a built-in plan: until a plan saves it, the administrators and top-level
 * officers are alerted, at most once per period. */
static void test_db_unprotected(void **state)
{
	struct t *t = *state;
	struct attt_bplan_spec sp = { .agency_id = 1, .name = "CSDL attt", .with_database = true, .repo = t->repo,
				      .passphrase_file = t->pass, .interval_days = 1 };
	char why[512] = "";
	bool alerted = false;
	int64_t id = -1, root = 0;
	const int64_t week = INT64_C(7) * 86400 * 1000000;

	assert_int_equal(attt_bplan_db_plan(t->db, &id), ATTT_OK);
	assert_int_equal(id, 0);
	assert_int_equal(attt_bplan_root_agency(t->db, &root), ATTT_OK);
	assert_int_equal(root, 1);
	assert_int_equal(attt_bplan_alert_db_unprotected(t->db, &t->clock, week, &alerted), ATTT_OK);
	assert_true(alerted);
	assert_int_equal(count(t, "SELECT count(*) FROM notification WHERE kind = 'backup.db_unprotected' AND account_id = 1"), 1);
	assert_int_equal(attt_bplan_alert_db_unprotected(t->db, &t->clock, week, &alerted), ATTT_OK);
	assert_false(alerted);
	t->now += week;
	assert_int_equal(attt_bplan_alert_db_unprotected(t->db, &t->clock, week, &alerted), ATTT_OK);
	assert_true(alerted);
	assert_int_equal(attt_bplan_add(t->db, &t->clock, &t->actor, &t->env, &sp, why, sizeof(why), &id), ATTT_OK);
	assert_int_equal(attt_bplan_db_plan(t->db, &root), ATTT_OK);
	assert_int_equal(root, id);
	t->now += 2 * week;
	assert_int_equal(attt_bplan_alert_db_unprotected(t->db, &t->clock, week, &alerted), ATTT_OK);
	assert_false(alerted);
	assert_int_equal(count(t, "SELECT count(*) FROM notification WHERE kind = 'backup.db_unprotected'"), 2);
}

/* R10.2.b: catalogue entries are edited (checked, audited with old and new values) and retired with
 * a reason: out of the export, kept in the database. */
static void test_catalogue_edit_retire(void **state)
{
	struct t *t = *state;
	struct attt_bplan_cat_item it = { .agency_id = 2, .item = "Hồ sơ", .kind = "data", .owner_system = "Một cửa",
					  .retention_days = 365, .schedule = "hằng ngày", .method = "attt backup",
					  .restore_test = "6 tháng" };
	struct attt_bplan_cat_item ed = { 0 };
	struct attt_buf b;
	char why[512] = "";
	int64_t id;

	assert_int_equal(attt_bplan_cat_add(t->db, &t->clock, &t->actor, &it, why, sizeof(why), &id), ATTT_OK);
	ed.kind = "video";
	assert_int_equal(attt_bplan_cat_edit(t->db, &t->clock, &t->actor, id, &ed, why, sizeof(why)), ATTT_E_INVAL);
	assert_non_null(strstr(why, "--kind"));
	ed.kind = NULL;
	assert_int_equal(attt_bplan_cat_edit(t->db, &t->clock, &t->actor, id, &ed, why, sizeof(why)), ATTT_E_INVAL);
	ed.retention_days = 730;
	ed.schedule = "hằng tuần";
	assert_int_equal(attt_bplan_cat_edit(t->db, &t->clock, &t->actor, id, &ed, why, sizeof(why)), ATTT_OK);
	assert_int_equal(count(t, "SELECT retention_days FROM backup_catalogue"), 730);
	assert_int_equal(count(t, "SELECT count(*) FROM audit_event WHERE action = 'backup.catalogue.update' AND "
				  "rule = 'R10.2.b' AND summary LIKE '%\"retention_days\":[365,730]%'"), 1);
	assert_int_equal(attt_bplan_cat_edit(t->db, &t->clock, &t->actor, 99, &ed, why, sizeof(why)), ATTT_E_NOTFOUND);
	assert_int_equal(attt_bplan_cat_retire(t->db, &t->clock, &t->actor, id, "không còn dùng", why, sizeof(why)), ATTT_OK);
	assert_int_equal(count(t, "SELECT count(*) FROM audit_event WHERE action = 'backup.catalogue.retire'"), 1);
	assert_int_equal(attt_bplan_cat_edit(t->db, &t->clock, &t->actor, id, &ed, why, sizeof(why)), ATTT_E_STATE);
	attt_buf_init(&b, 1 << 20);
	assert_int_equal(attt_bplan_cat_csv(t->db, 0, &b), ATTT_OK);
	assert_null(strstr(attt_buf_str(&b), "Hồ sơ"));
	attt_buf_done(&b);
	assert_int_equal(count(t, "SELECT count(*) FROM backup_catalogue"), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_interval_ceiling, setup, teardown),
		cmocka_unit_test_setup_teardown(test_device_rule, setup, teardown),
		cmocka_unit_test_setup_teardown(test_device_rule_real, setup, teardown),
		cmocka_unit_test_setup_teardown(test_passfile_mode, setup, teardown),
		cmocka_unit_test_setup_teardown(test_run_and_overdue, setup, teardown),
		cmocka_unit_test_setup_teardown(test_drill, setup, teardown),
		cmocka_unit_test_setup_teardown(test_drill_days, setup, teardown),
		cmocka_unit_test_setup_teardown(test_catalogue, setup, teardown),
		cmocka_unit_test_setup_teardown(test_database_plan, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failed_run_alert, setup, teardown),
		cmocka_unit_test_setup_teardown(test_edit_and_retire, setup, teardown),
		cmocka_unit_test_setup_teardown(test_scheduler, setup, teardown),
		cmocka_unit_test_setup_teardown(test_claims, setup, teardown),
		cmocka_unit_test_setup_teardown(test_scheduler__drills, setup, teardown),
		cmocka_unit_test_setup_teardown(test_drill_claims, setup, teardown),
		cmocka_unit_test_setup_teardown(test_drill_scratch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_db_unprotected, setup, teardown),
		cmocka_unit_test_setup_teardown(test_catalogue_edit_retire, setup, teardown),
	};
	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
