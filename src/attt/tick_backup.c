/*
 * tick_backup.c: backup plans in attt serve (R10.1.b, R10.2.c). Once a minute: the plans run by
 * serve (`--run-by serve`) whose run or restore drill is due are handed, one job at a time (runs
 * first), to the scheduler's worker thread (src/lib/bplan/sched.c), so that a long backup or
 * restore never holds up this tick thread (the audit checkpoint, mail); a failed drill alerts the
 * officers from the drill itself; a plan whose last successful run is older than its interval raises one
 * "backup.overdue" notification to the security officers of its agency (and the agencies above),
 * once per overdue period (a failed run alerts from the run itself); and while attt's own database
 * has no plan, the administrators hear of it once a week. At shutdown the last call waits for a run
 * in progress to end (docs/backup-plans.md, "Scheduling", "Restore drills").
 */
#include <stdlib.h>

#include "attt/app.h"
#include "attt/bplan.h"
#include "attt/err.h"
#include "attt/log.h"
#include "routes.h"

#define BACKUP_TICK_US (INT64_C(60) * ATTT_USEC_PER_SEC)
#define DB_ALERT_EVERY_US (INT64_C(7) * 86400 * ATTT_USEC_PER_SEC)

void backup_plan_env(struct attt_app *app, struct attt_bplan_env *env); /* cmd_backup_plan.c */

struct backup_tick {
	int64_t next_us;
	struct attt_bplan_sched *sched;
};

int tick_backup(struct attt_app *app, int64_t now_us, void **state)
{
	struct backup_tick *t = *state;
	struct attt_db *db = NULL;
	struct attt_bplan_sched_done done;
	struct attt_bplan_sched_job started = { 0 };
	unsigned alerted = 0;
	bool db_alerted = false;
	int r;

	if (now_us == 0) {
		if (t)
			attt_bplan_sched_free(t->sched); /* waits for a run in progress */
		free(t);
		*state = NULL;
		return ATTT_OK;
	}
	if (!t) {
		if (!(t = calloc(1, sizeof(*t))))
			return ATTT_E_NOMEM;
		*state = t;
	}
	if (now_us < t->next_us)
		return ATTT_OK;
	t->next_us = now_us + BACKUP_TICK_US;
	if ((r = serve_thread_db(app, &db)) < 0)
		return r;
	if (!t->sched) {
		struct attt_bplan_env env;
		char why[1024];
		backup_plan_env(app, &env);
		/* R10.2.c: said once at start; each drill refused for it is recorded and alerted too */
		if (attt_bplan_check_scratch(&env, why, sizeof(why)) < 0)
			log_error("backup: backup.scratch_dir: %s", why);
		if ((r = attt_bplan_sched_new(attt_app_db_path(app), attt_app_clock(app), &env, &t->sched)) < 0)
			return r;
	}
	/* R10.1.b, R10.2.c: plans are run and drilled by the scheduler in attt serve, one job at a time,
	 * off this thread. */
	if ((r = attt_bplan_sched_tick(t->sched, db, now_us, &started, &done)) < 0)
		return r;
	if (done.plan_id && done.err == ATTT_OK && !done.drill && done.res.err)
		log_warn("backup: kế hoạch / plan %lld: lần chạy thất bại / run failed: %s", (long long)done.plan_id,
			 attt_err_name(done.res.err));
	else if (done.plan_id && done.err == ATTT_OK && done.drill && done.drill_res.err)
		log_warn("backup: kế hoạch / plan %lld: diễn tập khôi phục thất bại / restore drill failed: %s: %s",
			 (long long)done.plan_id, attt_err_name(done.drill_res.err), done.drill_res.why);
	else if (done.plan_id && done.err == ATTT_OK && done.drill)
		log_info("backup: kế hoạch / plan %lld: diễn tập khôi phục đạt / restore drill passed: %llu tệp/files",
			 (long long)done.plan_id, (unsigned long long)done.drill_res.files);
	else if (done.plan_id && done.err < 0 && done.err != ATTT_E_BUSY)
		log_error("backup: kế hoạch / plan %lld: %s", (long long)done.plan_id, attt_strerror(done.err));
	if (started.plan_id)
		log_info("backup: %s kế hoạch / %s plan %lld", started.drill ? "diễn tập" : "chạy",
			 started.drill ? "drilling" : "running", (long long)started.plan_id);
	/* R10.1.b: a missed run raises an alert to the agency's officers (a failed one, from the run). */
	if ((r = attt_bplan_alert_overdue(db, attt_app_clock(app), &alerted)) < 0)
		return r;
	if (alerted)
		log_warn("backup: %u kế hoạch quá hạn / overdue plan(s), officers notified", alerted);
	/* attt's own database is a built-in plan: not configured is an alert too. */
	if ((r = attt_bplan_alert_db_unprotected(db, attt_app_clock(app), DB_ALERT_EVERY_US, &db_alerted)) < 0)
		return r;
	if (db_alerted)
		log_warn("backup: CSDL attt chưa có kế hoạch sao lưu / attt's database has no backup plan: "
			 "attt backup plan add --builtin --repo REPO --passphrase-file FILE");
	return ATTT_OK;
}
