/*
 * cmd_backup_plan.c: `attt backup plan add|edit|remove|list|run|drill` (R10.1.b, R10.2.c) and `attt
 * backup catalogue add|edit|remove|list|export` (R10.2.b), the command line over the bplan module (include/attt/bplan.h),
 * reached from cmd_backup.c. Works on the data directory (--data DIR or ATTT_DATA) as the actor
 * {username "cli", source "cli"}; every change, run and drill is audited by the library. Output: a readable table or, with --json:
 *   add   {"id": N}
 *   list  {"items": [{"id", "agency_id", "name", "repo", "passphrase_file", "sources", "database",
 *          "interval_days",
 *          "last_ok_at", "last_run_at", "last_result", "due_at", "overdue", "drill_days",
 *          "last_drill_ok_at", "drill_due_at", "drill_overdue", "run_by", "retired", "retired_reason",
 *          "running", "claim": "run"|"drill"|null}], "count": n, "database_plan": {...}}
 *   run   {"id": N, "run": R, "result": "ok"|"failed", "error": name|null, "files", "bytes",
 *          "snapshot", "started_at", "ended_at"}
 *   drill {"id": N, "drill": D, "result": "ok"|"failed", "error": name|null, "why": text|null, "files",
 *          "bytes", "snapshot", "duration_ms"}
 *   catalogue add {"id": N}; catalogue list {"items": [...], "count": n}; catalogue export: CSV or XLSX.
 * Exit 0 ok, 1 failure (a refused plan, a failed run or drill), 2 usage.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "attt/app.h"
#include "attt/audit.h"
#include "attt/bplan.h"
#include "attt/buf.h"
#include "attt/config.h"
#include "attt/err.h"
#include "attt/limits.h"
#include "attt/policy.h"
#include "attt/str.h"
#include "cli.h"

int backup_plan_cmd(int argc, char **argv);

struct popts {
	const char *data, *name, *repo, *passfile, *run_by, *reason;
	const char *sources[ATTT_BPLAN_MAX_SOURCES];
	size_t n_sources;
	const char *scratch;
	int64_t agency, interval, drill;
	bool json, database, no_database, builtin, all;
};

enum { P_DATA = 256, P_AGENCY, P_NAME, P_SOURCE, P_REPO, P_INTERVAL, P_PASSFILE, P_DRILL, P_SCRATCH, P_DATABASE,
       P_NODATABASE, P_RUNBY, P_BUILTIN, P_REASON, P_ALL, P_JSON, P_HELP };

static const struct option plan_longopts[] = {
	{ "data", required_argument, NULL, P_DATA },
	{ "agency", required_argument, NULL, P_AGENCY },
	{ "name", required_argument, NULL, P_NAME },
	{ "source", required_argument, NULL, P_SOURCE },
	{ "repo", required_argument, NULL, P_REPO },
	{ "interval-days", required_argument, NULL, P_INTERVAL },
	{ "passphrase-file", required_argument, NULL, P_PASSFILE },
	{ "drill-days", required_argument, NULL, P_DRILL },
	{ "scratch", required_argument, NULL, P_SCRATCH },
	{ "database", no_argument, NULL, P_DATABASE },
	{ "no-database", no_argument, NULL, P_NODATABASE },
	{ "run-by", required_argument, NULL, P_RUNBY },
	{ "builtin", no_argument, NULL, P_BUILTIN },
	{ "reason", required_argument, NULL, P_REASON },
	{ "all", no_argument, NULL, P_ALL },
	{ "json", no_argument, NULL, P_JSON },
	{ "help", no_argument, NULL, P_HELP },
	{ NULL, 0, NULL, 0 },
};

static const struct attt_actor cli_actor = { .username = "cli", .source = "cli" };

/* The one command that gives attt's own database its plan (docs/backup-plans.md). */
#define DBPLAN_HINT "attt backup plan add --builtin --repo KHO/REPO --passphrase-file TỆP/FILE"


static void plan_help(FILE *f)
{
	fputs("Cách dùng / usage: attt backup plan <lệnh / verb> --data DIR [tùy chọn / options]\n\n"
	      "Kế hoạch sao lưu định kỳ (R10.1.b); kho sao lưu phải ở thiết bị khác (R10.2.c).\n"
	      "Scheduled backup plans (R10.1.b); the repository must be on another device (R10.2.c).\n\n"
	      "  add --agency ID --name N --source PATH... --repo KHO --interval-days D --passphrase-file F\n"
	      "        [--drill-days N] [--database] [--run-by serve|cron]  thêm kế hoạch / add a plan\n"
	      "                      (D <= backup.max_interval_days, 31; N: chu kỳ diễn tập khôi phục / restore drill\n"
	      "                      period, default backup.restore_drill_days; --database: kèm CSDL của attt / with\n"
	      "                      attt's own database; --run-by: attt serve chạy (mặc định) hoặc cron / who runs it)\n"
	      "  add --builtin --repo KHO --passphrase-file F  kế hoạch CSDL attt dựng sẵn / the built-in plan for\n"
	      "                      attt's own database (daily, top-level agency, run by attt serve)\n"
	      "  edit ID [--name N] [--source PATH...] [--repo KHO] [--interval-days D] [--passphrase-file F]\n"
	      "        [--drill-days N] [--database|--no-database] [--run-by serve|cron]  sửa / edit (R10.1.b, R10.2.c)\n"
	      "  remove ID --reason LÝ_DO  gỡ bỏ, giữ lịch sử / retire, history kept\n"
	      "  list [--agency ID] [--all]  liệt kê, đánh dấu quá hạn / list, overdue marked (--all: also removed)\n"
	      "  run ID              chạy ngay, ghi kết quả / run now and record the result\n"
	      "  drill ID [--scratch DIR]  diễn tập khôi phục bản mới nhất vào DIR (mặc định backup.scratch_dir hoặc\n"
	      "                      /var/tmp, ngoài thư mục dữ liệu), kiểm tra từng tệp, ghi bằng chứng / restore\n"
	      "                      drill of the latest snapshot into DIR (default backup.scratch_dir or /var/tmp,\n"
	      "                      outside the data directory), every file verified, evidence recorded (R10.2.c)\n\n"
	      "Mật khẩu kho không lưu trong cơ sở dữ liệu: tệp --passphrase-file (chmod 600) được đọc mỗi lần chạy.\n"
	      "The repository passphrase is not stored in the database: the --passphrase-file (chmod 600) is\n"
	      "read at every run. attt serve runs and drills the plans --run-by serve; cron runs and drills\n"
	      "the others (attt backup plan run|drill ID). attt serve alerts the officers of overdue and failed\n"
	      "plans; a failed drill alerts them too.\n",
	      f);
}

/* Relative paths are taken from the current directory: a plan runs later from elsewhere. */
static int abs_path(const char *p, char *out, size_t size)
{
	char cwd[ATTT_MAX_PATH];
	if (p[0] == '/')
		return attt_str_copy(out, size, p);
	if (!getcwd(cwd, sizeof(cwd)))
		return ATTT_E_IO;
	return attt_str_printf(out, size, "%s/%s", cwd, p);
}

static void when(int64_t t, char *buf, size_t size)
{
	if (!t || attt_time_local(t, buf, size) < 0)
		attt_str_copy(buf, size, "-");
}

static int list_cb(void *ctx, const struct attt_bplan_info *p)
{
	json_t *items = ctx;
	char ok[32], due[32];
	if (items) {
		char t1[40], t2[40], t3[40], t4[40], t5[40];
		json_t *src = json_array();
		for (size_t i = 0; i < p->n_sources; i++)
			json_array_append_new(src, json_string(p->sources[i]));
		attt_time_iso(p->last_ok_at, t1, sizeof(t1));
		attt_time_iso(p->last_run_at, t2, sizeof(t2));
		attt_time_iso(p->due_at, t3, sizeof(t3));
		attt_time_iso(p->last_drill_ok_at, t4, sizeof(t4));
		attt_time_iso(p->drill_due_at, t5, sizeof(t5));
		json_t *o = json_pack("{s:s,s:b,s:s?,s:b,s:s?}", "run_by", p->run_by, "retired", p->retired_at != 0,
				      "retired_reason", p->retired_reason, "running", p->run_claimed_at != 0, "claim",
				      p->run_claim_kind);
		json_t *j = json_pack("{s:I,s:I,s:s,s:s,s:s,s:o,s:b,s:I,s:s?,s:s?,s:s?,s:s,s:b,s:I,s:s?,s:s,s:b}", "id",
						       (json_int_t)p->id, "agency_id", (json_int_t)p->agency_id, "name",
						       p->name, "repo", p->repo, "passphrase_file", p->passphrase_file,
						       "sources", src, "database", p->with_database, "interval_days", (json_int_t)p->interval_days,
						       "last_ok_at", p->last_ok_at ? t1 : NULL, "last_run_at",
						       p->last_run_at ? t2 : NULL, "last_result", p->last_result, "due_at",
						       t3, "overdue", p->overdue, "drill_days", (json_int_t)p->drill_days,
						       "last_drill_ok_at", p->last_drill_ok_at ? t4 : NULL, "drill_due_at", t5,
						       "drill_overdue", p->drill_overdue);
		if (!j || !o || json_object_update(j, o) < 0) {
			json_decref(j);
			json_decref(o);
			return ATTT_E_NOMEM;
		}
		json_decref(o);
		json_array_append_new(items, j);
		return ATTT_OK;
	}
	when(p->last_ok_at, ok, sizeof(ok));
	when(p->due_at, due, sizeof(due));
	printf("%-5lld %-7lld %-24s %-4lld %-5s %-17s %-7s %-17s %s%s%s%s\n", (long long)p->id, (long long)p->agency_id,
	       p->name, (long long)p->interval_days, p->run_by, ok, p->last_result ? p->last_result : "-", due,
	       p->retired_at ? "ĐÃ GỠ/REMOVED " : "",
	       !p->run_claimed_at ? "" : p->run_claim_kind && strcmp(p->run_claim_kind, "drill") == 0
						 ? "ĐANG DIỄN TẬP/DRILLING " : "ĐANG CHẠY/RUNNING ",
	       p->overdue ? "QUÁ HẠN/OVERDUE " : "", p->drill_overdue ? "DIỄN TẬP QUÁ HẠN/DRILL OVERDUE" : "");
	return ATTT_OK;
}

/* The plan environment of a data directory; shared with tick_backup.c. */
void backup_plan_env(struct attt_app *app, struct attt_bplan_env *env);
void backup_plan_env(struct attt_app *app, struct attt_bplan_env *env)
{
	const char *scratch = attt_config_string(attt_app_config(app), "backup.scratch_dir");

	*env = (struct attt_bplan_env){
		.data_dir = attt_app_dir(app),
		.max_interval_days = attt_policy_values(attt_app_policy(app))->backup_max_interval_days,
		.drill_days = attt_policy_values(attt_app_policy(app))->backup_restore_drill_days,
		/* R10.2.c: drills (also attt serve's) restore there; "" is the library's default */
		.scratch_dir = scratch && *scratch ? scratch : NULL,
	};
}

static int do_add(struct attt_app *app, const struct popts *o)
{
	char repo[ATTT_MAX_PATH], pass[ATTT_MAX_PATH], why[2 * ATTT_MAX_PATH] = "";
	char srcbuf[ATTT_BPLAN_MAX_SOURCES][ATTT_MAX_PATH];
	const char *src[ATTT_BPLAN_MAX_SOURCES];
	struct attt_bplan_env env;
	int64_t id;
	int r;

	struct popts b = *o;
	if (o->builtin) {
		/* attt's own database, one command: the top-level agency's plan, daily, run by attt serve. */
		if (o->n_sources || o->name)
			return cli_usage("backup plan add --builtin: không dùng với / not with --source, --name");
		b.name = "CSDL attt";
		b.database = true;
		if (!b.interval)
			b.interval = 1;
		if (!b.run_by)
			b.run_by = "serve";
		if (!b.agency && (r = attt_bplan_root_agency(attt_app_db(app), &b.agency)) < 0)
			return cli_fail(r, "backup plan add --builtin: chưa có cơ quan cấp cao nhất, tạo bằng attt agency add "
					   "(no top-level agency yet: attt agency add)");
		o = &b;
	}
	if (!o->agency || !o->name || !o->repo || !o->passfile || !o->interval || (!o->n_sources && !o->database))
		return cli_usage("backup plan add: cần / needs --agency --name --source|--database --repo "
				 "--interval-days --passphrase-file");
	if (abs_path(o->repo, repo, sizeof(repo)) < 0 || abs_path(o->passfile, pass, sizeof(pass)) < 0)
		return cli_usage("backup plan add: đường dẫn quá dài / path too long");
	for (size_t i = 0; i < o->n_sources; i++) {
		if (abs_path(o->sources[i], srcbuf[i], sizeof(srcbuf[i])) < 0)
			return cli_usage("--source %s: đường dẫn quá dài / path too long", o->sources[i]);
		src[i] = srcbuf[i];
	}
	backup_plan_env(app, &env);
	struct attt_bplan_spec s = { .agency_id = o->agency, .name = o->name, .sources = src,
				     .n_sources = o->n_sources, .repo = repo, .passphrase_file = pass,
				     .interval_days = o->interval, .drill_days = o->drill,
				     .with_database = o->database, .run_by = o->run_by };
	r = attt_bplan_add(attt_app_db(app), attt_app_clock(app), &cli_actor, &env, &s, why, sizeof(why), &id);
	if (r < 0)
		return cli_fail(r, "backup plan add: %s", why);
	if (o->json)
		return cli_print_json(json_pack("{s:I}", "id", (json_int_t)id));
	printf("%lld\n", (long long)id);
	return ATTT_EXIT_OK;
}

static int do_edit(struct attt_app *app, const struct popts *o, int64_t id)
{
	char repo[ATTT_MAX_PATH], pass[ATTT_MAX_PATH], why[2 * ATTT_MAX_PATH] = "";
	char srcbuf[ATTT_BPLAN_MAX_SOURCES][ATTT_MAX_PATH];
	const char *src[ATTT_BPLAN_MAX_SOURCES];
	struct attt_bplan_edit e = { .name = o->name, .run_by = o->run_by, .interval_days = o->interval,
				     .drill_days = o->drill, .with_database = o->database ? 1 : o->no_database ? 0 : -1 };
	struct attt_bplan_env env;
	int r;

	if (o->database && o->no_database)
		return cli_usage("backup plan edit: --database hoặc / or --no-database");
	if (o->agency || o->builtin)
		return cli_usage("backup plan edit: kế hoạch ở lại cơ quan của nó / a plan stays in its agency");
	if (o->repo) {
		if (abs_path(o->repo, repo, sizeof(repo)) < 0)
			return cli_usage("--repo: đường dẫn quá dài / path too long");
		e.repo = repo;
	}
	if (o->passfile) {
		if (abs_path(o->passfile, pass, sizeof(pass)) < 0)
			return cli_usage("--passphrase-file: đường dẫn quá dài / path too long");
		e.passphrase_file = pass;
	}
	for (size_t i = 0; i < o->n_sources; i++) {
		if (abs_path(o->sources[i], srcbuf[i], sizeof(srcbuf[i])) < 0)
			return cli_usage("--source %s: đường dẫn quá dài / path too long", o->sources[i]);
		src[i] = srcbuf[i];
	}
	if (o->n_sources) {
		e.set_sources = true;
		e.sources = src;
		e.n_sources = o->n_sources;
	}
	backup_plan_env(app, &env);
	/* R10.1.b, R10.2.c: the library holds the edited plan to the rules of a new one. */
	r = attt_bplan_edit(attt_app_db(app), attt_app_clock(app), &cli_actor, &env, id, &e, why, sizeof(why));
	if (r < 0)
		return cli_fail(r, "backup plan edit %lld: %s", (long long)id, why);
	if (o->json)
		return cli_print_json(json_pack("{s:I,s:b}", "id", (json_int_t)id, "ok", 1));
	printf("%lld\n", (long long)id);
	return ATTT_EXIT_OK;
}

static int do_remove(struct attt_app *app, const struct popts *o, int64_t id, bool plan)
{
	char why[512] = "";
	int r;

	if (!o->reason)
		return cli_usage("backup %s remove: cần --reason LÝ_DO (--reason is required)", plan ? "plan" : "catalogue");
	r = plan ? attt_bplan_retire(attt_app_db(app), attt_app_clock(app), &cli_actor, id, o->reason, why, sizeof(why))
		 : attt_bplan_cat_retire(attt_app_db(app), attt_app_clock(app), &cli_actor, id, o->reason, why,
					 sizeof(why));
	if (r < 0)
		return cli_fail(r, "backup %s remove %lld: %s", plan ? "plan" : "catalogue", (long long)id, why);
	if (o->json)
		return cli_print_json(json_pack("{s:I,s:b}", "id", (json_int_t)id, "retired", 1));
	printf("Đã gỡ bỏ, lịch sử được giữ / removed, history kept: %lld\n", (long long)id);
	return ATTT_EXIT_OK;
}

static int do_run(struct attt_app *app, const struct popts *o, int64_t id)
{
	struct attt_bplan_env env;
	struct attt_bplan_run_result res;
	int r;

	backup_plan_env(app, &env);
	r = attt_bplan_run(attt_app_db(app), attt_app_clock(app), &cli_actor, &env, id, &res);
	if (r < 0)
		return cli_fail(r, "backup plan run %lld", (long long)id);
	if (o->json) {
		char t1[40], t2[40];
		attt_time_iso(res.started_at, t1, sizeof(t1));
		attt_time_iso(res.ended_at, t2, sizeof(t2));
		cli_print_json(json_pack("{s:I,s:I,s:s,s:s?,s:I,s:I,s:s?,s:s,s:s}", "id", (json_int_t)id, "run",
					 (json_int_t)res.run_id, "result", res.err ? "failed" : "ok", "error",
					 res.err ? attt_err_name(res.err) : NULL, "files", (json_int_t)res.files, "bytes",
					 (json_int_t)res.bytes, "snapshot", res.err ? NULL : res.snapshot, "started_at", t1,
					 "ended_at", t2));
	} else if (!res.err) {
		printf("Đã sao lưu / backed up: %llu tệp/files, %.1f MiB, bản / snapshot %.8s\n",
		       (unsigned long long)res.files, (double)res.bytes / 1048576.0, res.snapshot);
	}
	if (res.err)
		return cli_fail(res.err, "backup plan run %lld: lần chạy thất bại, đã ghi nhận / the run failed and "
				"was recorded (R10.1.b)", (long long)id);
	return ATTT_EXIT_OK;
}

static int do_drill(struct attt_app *app, const struct popts *o, int64_t id)
{
	struct attt_bplan_env env;
	struct attt_bplan_drill_result res;
	char scratch[ATTT_MAX_PATH], why[2 * ATTT_MAX_PATH + 256] = "";
	int r;

	backup_plan_env(app, &env);
	if (o->scratch) {
		if (abs_path(o->scratch, scratch, sizeof(scratch)) < 0)
			return cli_usage("--scratch: đường dẫn quá dài / path too long");
		env.scratch_dir = scratch;
	}
	/* R10.2.c: a scratch directory typed wrong is refused before anything is claimed or recorded */
	if ((r = attt_bplan_check_scratch(&env, why, sizeof(why))) < 0)
		return cli_fail(r, "backup plan drill %lld: %s", (long long)id, why);
	r = attt_bplan_drill(attt_app_db(app), attt_app_clock(app), &cli_actor, &env, id, &res);
	if (r == ATTT_E_BUSY)
		return cli_fail(r, "backup plan drill %lld: kế hoạch đang được sao lưu hoặc diễn tập / the plan is "
				"being backed up or drilled", (long long)id);
	if (r < 0)
		return cli_fail(r, "backup plan drill %lld", (long long)id);
	if (o->json)
		cli_print_json(json_pack("{s:I,s:I,s:s,s:s?,s:s?,s:I,s:I,s:s?,s:I}", "id", (json_int_t)id, "drill",
					 (json_int_t)res.drill_id, "result", res.err ? "failed" : "ok", "error",
					 res.err ? attt_err_name(res.err) : NULL, "why", res.err ? res.why : NULL, "files",
					 (json_int_t)res.files, "bytes", (json_int_t)res.bytes, "snapshot",
					 res.snapshot[0] ? res.snapshot : NULL, "duration_ms",
					 (json_int_t)((res.ended_at - res.started_at) / 1000)));
	else if (!res.err)
		printf("Diễn tập khôi phục đạt / restore drill passed: %llu tệp/files, %.1f MiB, %.1f s, bản / snapshot %.8s\n",
		       (unsigned long long)res.files, (double)res.bytes / 1048576.0,
		       (double)(res.ended_at - res.started_at) / 1e6, res.snapshot);
	if (res.err)
		return cli_fail(res.err, "backup plan drill %lld: %s (đã ghi nhận / recorded, R10.2.c)", (long long)id,
				res.why);
	return ATTT_EXIT_OK;
}

int backup_plan_cmd(int argc, char **argv)
{
	struct popts o = { 0 };
	struct attt_app *app = NULL;
	const char *verb;
	int c, rc;

	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		plan_help(argc < 2 ? stderr : stdout);
		return argc < 2 ? ATTT_EXIT_USAGE : ATTT_EXIT_OK;
	}
	verb = argv[1];
	argc--;
	argv++;
	optind = 0;
	opterr = 1;
	while ((c = getopt_long(argc, argv, "h", plan_longopts, NULL)) != -1) {
		switch (c) {
		case P_DATA: o.data = optarg; break;
		case P_AGENCY:
			if (attt_parse_int64(optarg, 1, INT64_MAX, &o.agency) < 0)
				return cli_usage("--agency: số / a number");
			break;
		case P_NAME: o.name = optarg; break;
		case P_SOURCE:
			if (o.n_sources == ATTT_BPLAN_MAX_SOURCES)
				return cli_usage("--source: tối đa / at most %d", ATTT_BPLAN_MAX_SOURCES);
			o.sources[o.n_sources++] = optarg;
			break;
		case P_REPO: o.repo = optarg; break;
		case P_INTERVAL:
			/* the ceiling (R10.1.b) is the library's, with its message; here only a number */
			if (attt_parse_int64(optarg, 0, 100000, &o.interval) < 0)
				return cli_usage("--interval-days: số ngày / a number of days");
			break;
		case P_PASSFILE: o.passfile = optarg; break;
		case P_DRILL:
			if (attt_parse_int64(optarg, 1, 100000, &o.drill) < 0)
				return cli_usage("--drill-days: số ngày / a number of days");
			break;
		case P_SCRATCH: o.scratch = optarg; break;
		case P_DATABASE: o.database = true; break;
		case P_NODATABASE: o.no_database = true; break;
		case P_RUNBY:
			if (strcmp(optarg, "serve") != 0 && strcmp(optarg, "cron") != 0)
				return cli_usage("--run-by: serve|cron");
			o.run_by = optarg;
			break;
		case P_BUILTIN: o.builtin = true; break;
		case P_REASON: o.reason = optarg; break;
		case P_ALL: o.all = true; break;
		case P_JSON: o.json = true; break;
		case 'h':
		case P_HELP:
			plan_help(stdout);
			return ATTT_EXIT_OK;
		default:
			return cli_usage("backup plan %s: tùy chọn không hợp lệ (invalid option)", verb);
		}
	}
	argc -= optind;
	argv += optind;
	bool with_id = strcmp(verb, "run") == 0 || strcmp(verb, "drill") == 0 || strcmp(verb, "edit") == 0 ||
		       strcmp(verb, "remove") == 0;
	if (strcmp(verb, "add") != 0 && strcmp(verb, "list") != 0 && !with_id)
		return cli_usage("backup plan: lệnh không có / unknown verb: %s", verb);
	if (with_id ? argc != 1 : argc != 0)
		return cli_usage("backup plan %s: đối số thừa hoặc thiếu / wrong arguments", verb);
	if ((rc = cli_open_app(o.data, 0, &app)) != 0)
		return rc;
	if (strcmp(verb, "add") == 0) {
		rc = do_add(app, &o);
	} else if (strcmp(verb, "list") == 0) {
		json_t *items = o.json ? json_array() : NULL;
		int r;
		int64_t dbplan = 0;
		if (!o.json)
			printf("%-5s %-7s %-24s %-4s %-5s %-17s %-7s %-17s\n", "ID", "CQ/AG", "TÊN/NAME", "NGÀY", "CHẠY",
			       "THÀNH CÔNG/OK", "KQ/LAST", "HẠN/DUE");
		r = attt_bplan_list(attt_app_db(app), attt_now_us(attt_app_clock(app)), o.agency, 0,
				    o.all ? ATTT_BPLAN_LIST_RETIRED : 0, list_cb, items);
		if (r >= 0)
			r = attt_bplan_db_plan(attt_app_db(app), &dbplan);
		if (r < 0) {
			json_decref(items);
			rc = cli_fail(r, "backup plan list");
		} else if (o.json) {
			/* attt's own database is a built-in plan: shown as not configured until it has one. */
			rc = cli_print_json(json_pack("{s:I,s:o,s:{s:b,s:o,s:s?}}", "count",
						      (json_int_t)json_array_size(items), "items", items, "database_plan",
						      "configured", dbplan != 0, "id",
						      dbplan ? json_integer(dbplan) : json_null(), "enable",
						      dbplan ? NULL : DBPLAN_HINT));
		} else {
			if (!dbplan)
				printf("-     -       CSDL attt (dựng sẵn/built-in): CHƯA CẤU HÌNH / NOT CONFIGURED: %s\n",
				       DBPLAN_HINT);
			rc = ATTT_EXIT_OK;
		}
	} else {
		int64_t id;
		if (attt_parse_int64(argv[0], 1, INT64_MAX, &id) < 0)
			rc = cli_usage("backup plan %s ID: ID là số / ID is a number", verb);
		else if (strcmp(verb, "run") == 0)
			rc = do_run(app, &o, id);
		else if (strcmp(verb, "edit") == 0)
			rc = do_edit(app, &o, id);
		else if (strcmp(verb, "remove") == 0)
			rc = do_remove(app, &o, id, true);
		else
			rc = do_drill(app, &o, id);
	}
	attt_app_close(app);
	return rc;
}

/* --- attt backup catalogue add|list|export (R10.2.b) -------------------------------------------- */

int backup_catalogue_cmd(int argc, char **argv);

enum { C_DATA = 256, C_AGENCY, C_ITEM, C_KIND, C_OWNER, C_RETENTION, C_SCHEDULE, C_METHOD, C_RESTORE, C_PLAN,
       C_NOPLAN, C_REASON, C_ALL, C_FORMAT, C_OUTPUT, C_JSON, C_HELP };

static const struct option cat_longopts[] = {
	{ "data", required_argument, NULL, C_DATA },
	{ "agency", required_argument, NULL, C_AGENCY },
	{ "item", required_argument, NULL, C_ITEM },
	{ "kind", required_argument, NULL, C_KIND },
	{ "owner-system", required_argument, NULL, C_OWNER },
	{ "retention-days", required_argument, NULL, C_RETENTION },
	{ "schedule", required_argument, NULL, C_SCHEDULE },
	{ "method", required_argument, NULL, C_METHOD },
	{ "restore-test", required_argument, NULL, C_RESTORE },
	{ "plan", required_argument, NULL, C_PLAN },
	{ "no-plan", no_argument, NULL, C_NOPLAN },
	{ "reason", required_argument, NULL, C_REASON },
	{ "all", no_argument, NULL, C_ALL },
	{ "format", required_argument, NULL, C_FORMAT },
	{ "output", required_argument, NULL, C_OUTPUT },
	{ "json", no_argument, NULL, C_JSON },
	{ "help", no_argument, NULL, C_HELP },
	{ NULL, 0, NULL, 0 },
};

static void cat_help(FILE *f)
{
	fputs("Cách dùng / usage: attt backup catalogue <lệnh / verb> --data DIR [tùy chọn / options]\n\n"
	      "Danh mục dữ liệu, phần mềm cần sao lưu của từng cơ quan (R10.2.b).\n"
	      "Catalogue of the data and software each agency backs up (R10.2.b).\n\n"
	      "  add --agency ID --item TÊN --kind data|software --owner-system HỆ_THỐNG --retention-days N\n"
	      "      --schedule LỊCH --method CÁCH --restore-test LỊCH [--plan ID]   thêm / add\n"
	      "  edit ID [--item ...] [--kind ...] [--owner-system ...] [--retention-days N] [--schedule ...]\n"
	      "      [--method ...] [--restore-test ...] [--plan ID|--no-plan]   sửa / edit\n"
	      "  remove ID --reason LÝ_DO      gỡ bỏ, giữ lịch sử / retire, history kept\n"
	      "  list [--agency ID] [--all]    liệt kê / list (--all: also removed entries)\n"
	      "  export --format csv|xlsx [--agency ID] [--output FILE]   xuất CSV, XLSX / export (xlsx: --output)\n",
	      f);
}

static int cat_print(void *ctx, const struct attt_bplan_cat_item *it)
{
	json_t *items = ctx;
	if (items) {
		json_array_append_new(items, json_pack("{s:I,s:I,s:s,s:s,s:s,s:I,s:s,s:s,s:s,s:o,s:b,s:s?}", "id", (json_int_t)it->id,
						       "agency_id", (json_int_t)it->agency_id, "item", it->item, "kind",
						       it->kind, "owner_system", it->owner_system, "retention_days",
						       (json_int_t)it->retention_days, "schedule", it->schedule, "method",
						       it->method, "restore_test", it->restore_test, "plan_id",
						       it->plan_id ? json_integer(it->plan_id) : json_null(), "retired",
						       it->retired_at != 0, "retired_reason", it->retired_reason));
		return ATTT_OK;
	}
	printf("%-5lld %-6lld %-30s %-8s %-24s %-6lld %s | %s | %s%s\n", (long long)it->id, (long long)it->agency_id,
	       it->item, it->kind, it->owner_system, (long long)it->retention_days, it->schedule, it->method,
	       it->restore_test, it->retired_at ? " [ĐÃ GỠ/REMOVED]" : "");
	return ATTT_OK;
}

int backup_catalogue_cmd(int argc, char **argv)
{
	struct attt_bplan_cat_item in = { 0 };
	const char *data = NULL, *format = NULL, *output = NULL, *reason = NULL, *verb;
	struct attt_app *app = NULL;
	char why[1024] = "";
	bool json = false, all = false, no_plan = false;
	int64_t id = 0;
	int c, r, rc;

	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		cat_help(argc < 2 ? stderr : stdout);
		return argc < 2 ? ATTT_EXIT_USAGE : ATTT_EXIT_OK;
	}
	verb = argv[1];
	argc--;
	argv++;
	optind = 0;
	opterr = 1;
	while ((c = getopt_long(argc, argv, "h", cat_longopts, NULL)) != -1) {
		switch (c) {
		case C_DATA: data = optarg; break;
		case C_AGENCY:
			if (attt_parse_int64(optarg, 1, INT64_MAX, &in.agency_id) < 0)
				return cli_usage("--agency: số / a number");
			break;
		case C_ITEM: in.item = optarg; break;
		case C_KIND: in.kind = optarg; break;
		case C_OWNER: in.owner_system = optarg; break;
		case C_RETENTION:
			if (attt_parse_int64(optarg, 0, INT64_MAX, &in.retention_days) < 0)
				return cli_usage("--retention-days: số ngày / a number of days");
			break;
		case C_SCHEDULE: in.schedule = optarg; break;
		case C_METHOD: in.method = optarg; break;
		case C_RESTORE: in.restore_test = optarg; break;
		case C_PLAN:
			if (attt_parse_int64(optarg, 1, INT64_MAX, &in.plan_id) < 0)
				return cli_usage("--plan: số / a number");
			break;
		case C_NOPLAN: no_plan = true; break;
		case C_REASON: reason = optarg; break;
		case C_ALL: all = true; break;
		case C_FORMAT: format = optarg; break;
		case C_OUTPUT: output = optarg; break;
		case C_JSON: json = true; break;
		case 'h':
		case C_HELP:
			cat_help(stdout);
			return ATTT_EXIT_OK;
		default:
			return cli_usage("backup catalogue %s: tùy chọn không hợp lệ (invalid option)", verb);
		}
	}
	bool with_id = strcmp(verb, "edit") == 0 || strcmp(verb, "remove") == 0;
	if (strcmp(verb, "add") != 0 && strcmp(verb, "list") != 0 && strcmp(verb, "export") != 0 && !with_id)
		return cli_usage("backup catalogue: lệnh không có / unknown verb: %s", verb);
	if (optind != argc - (with_id ? 1 : 0))
		return cli_usage("backup catalogue %s: đối số thừa hoặc thiếu / wrong arguments", verb);
	if (with_id && attt_parse_int64(argv[optind], 1, INT64_MAX, &id) < 0)
		return cli_usage("backup catalogue %s ID: ID là số / ID is a number", verb);
	if (no_plan && in.plan_id)
		return cli_usage("backup catalogue: --plan hoặc / or --no-plan");
	if (strcmp(verb, "export") == 0 && (!format || (strcmp(format, "csv") != 0 && strcmp(format, "xlsx") != 0)))
		return cli_usage("backup catalogue export: --format csv|xlsx");
	if (strcmp(verb, "export") == 0 && strcmp(format, "xlsx") == 0 && !output)
		return cli_usage("backup catalogue export --format xlsx: cần --output FILE (--output FILE is required)");
	if ((rc = cli_open_app(data, 0, &app)) != 0)
		return rc;
	if (strcmp(verb, "edit") == 0) {
		if (no_plan)
			in.plan_id = -1;
		if (in.agency_id)
			rc = cli_usage("backup catalogue edit: mục ở lại cơ quan của nó / an entry stays in its agency");
		else if ((r = attt_bplan_cat_edit(attt_app_db(app), attt_app_clock(app), &cli_actor, id, &in, why,
						  sizeof(why))) < 0)
			rc = cli_fail(r, "backup catalogue edit %lld: %s", (long long)id, why);
		else
			rc = json ? cli_print_json(json_pack("{s:I,s:b}", "id", (json_int_t)id, "ok", 1))
				  : (printf("%lld\n", (long long)id), ATTT_EXIT_OK);
	} else if (strcmp(verb, "remove") == 0) {
		struct popts po = { .reason = reason, .json = json };
		rc = do_remove(app, &po, id, false);
	} else if (strcmp(verb, "add") == 0) {
		if (!in.agency_id) {
			rc = cli_usage("backup catalogue add: cần --agency (--agency is required)");
		} else if ((r = attt_bplan_cat_add(attt_app_db(app), attt_app_clock(app), &cli_actor, &in, why, sizeof(why),
						   &id)) < 0) {
			rc = cli_fail(r, "backup catalogue add: %s", why);
		} else if (json) {
			rc = cli_print_json(json_pack("{s:I}", "id", (json_int_t)id));
		} else {
			printf("%lld\n", (long long)id);
			rc = ATTT_EXIT_OK;
		}
	} else if (strcmp(verb, "list") == 0) {
		json_t *items = json ? json_array() : NULL;
		r = attt_bplan_cat_list(attt_app_db(app), in.agency_id, all ? ATTT_BPLAN_LIST_RETIRED : 0, cat_print, items);
		if (r < 0) {
			json_decref(items);
			rc = cli_fail(r, "backup catalogue list");
		} else {
			rc = json ? cli_print_json(json_pack("{s:I,s:o}", "count", (json_int_t)json_array_size(items), "items",
							     items))
				  : ATTT_EXIT_OK;
		}
	} else if (strcmp(format, "xlsx") == 0) {
		r = attt_bplan_cat_xlsx(attt_app_db(app), in.agency_id, output);
		rc = r < 0 ? cli_fail(r, "backup catalogue export: %s", output) : ATTT_EXIT_OK;
	} else {
		struct attt_buf b;
		attt_buf_init(&b, (size_t)64 << 20);
		r = attt_bplan_cat_csv(attt_app_db(app), in.agency_id, &b);
		if (r < 0) {
			rc = cli_fail(r, "backup catalogue export");
		} else if (output) {
			FILE *f = fopen(output, "wxe");
			if (!f || fwrite(attt_buf_str(&b), 1, b.len, f) != b.len) {
				rc = cli_fail(ATTT_E_IO, "backup catalogue export: %s (tệp đã có? / file exists?)", output);
			} else {
				rc = ATTT_EXIT_OK;
			}
			if (f && fclose(f) != 0 && rc == ATTT_EXIT_OK)
				rc = cli_fail(ATTT_E_IO, "backup catalogue export: %s", output);
		} else {
			rc = fwrite(attt_buf_str(&b), 1, b.len, stdout) == b.len ? ATTT_EXIT_OK
										  : cli_fail(ATTT_E_IO, "stdout");
		}
		attt_buf_done(&b);
	}
	attt_app_close(app);
	return rc;
}
