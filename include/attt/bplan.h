/*
 * bplan.h: backup plans, the compliance layer over the backup engine (include/attt/backup.h).
 *
 * R10.1.b: a plan backs up an agency's sources into a repository at most every
 * ATTT_BPLAN_MAX_INTERVAL_DAYS days (the policy profile's backup.max_interval_days); each run is
 * recorded (start, end, bytes, snapshot, result) and audited (category data, rule R10.1.b); a plan
 * whose last successful run is older than its interval is overdue and its agency's security
 * officers are notified once per overdue period.
 * R10.2.c: a repository on the same device as one of its sources or as attt's data directory is
 * refused (devices are compared, not paths); restore drills, scheduled per plan and run by attt
 * serve's scheduler or by hand, restore the latest snapshot to a scratch directory outside the data
 * directory, verify every file and record the evidence; a failed drill alerts the officers once per
 * streak; overdue drills are flagged.
 * R10.2.b: the catalogue of what each agency backs up, exported as CSV or XLSX.
 * Operator documentation: docs/backup-plans.md.
 *
 * The repository passphrase is never stored in the database: a plan keeps the path of a passphrase
 * file that must be a regular file readable by its owner only (mode 0600 or 0400).
 *
 * Thread-safety: every function is reentrant; a db connection is used by one thread at a time.
 * Strings passed in are borrowed for the call; strings handed to callbacks live during the call.
 */
#ifndef ATTT_BPLAN_H
#define ATTT_BPLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "attt/clock.h"

struct attt_db;
struct attt_actor;

#define ATTT_BPLAN_MAX_SOURCES 64

/* Device of path, or of its nearest existing parent when path does not exist yet (a repository
 * about to be created). Returns ATTT_OK, ATTT_E_IO when no part of the path can be stat'ed. */
typedef int (*attt_bplan_dev_fn)(void *ctx, const char *path, uint64_t *ret_dev);
int attt_bplan_path_dev(void *ctx, const char *path, uint64_t *ret_dev);

/* Bytes free for an unprivileged writer on the file system of path (statvfs f_bavail * f_frsize).
 * ATTT_E_IO when path cannot be examined. */
typedef int (*attt_bplan_space_fn)(void *ctx, const char *path, uint64_t *ret_bytes);
int attt_bplan_path_space(void *ctx, const char *path, uint64_t *ret_bytes);

#define ATTT_BPLAN_DEFAULT_SCRATCH "/var/tmp"
/* R10.2.c: a drill needs room for the whole snapshot in its scratch directory, plus this reserve
 * and a twentieth of the snapshot, so that it never fills the device it shares with other data
 * (the database, when the scratch directory is on the data directory's device). */
#define ATTT_BPLAN_DRILL_RESERVE_BYTES (UINT64_C(256) << 20)

/* What plan functions need to know about the installation. dev NULL: attt_bplan_path_dev; space
 * NULL: attt_bplan_path_space. */
struct attt_bplan_env {
	const char *data_dir;           /* attt's own data directory (R10.2.c) */
	int64_t max_interval_days;      /* the profile's backup.max_interval_days (R10.1.b) */
	int64_t drill_days;             /* the profile's backup.restore_drill_days: default drill period */
	const char *scratch_dir;        /* where drills restore and runs copy the database (a mkdtemp
					 * inside; config backup.scratch_dir); NULL: ATTT_BPLAN_DEFAULT_SCRATCH */
	attt_bplan_dev_fn dev; void *dev_ctx;
	attt_bplan_space_fn space; void *space_ctx;
	bool skip_passfile_check;       /* tests only: do not stat the passphrase file */
};

/* R10.2.c: ATTT_OK when env's scratch directory (or the default) is an existing directory given by
 * an absolute path and lies outside attt's data directory (compared by real path), where a restore
 * or a database copy could land among the database files or fill their device. Else
 * ATTT_E_INVAL (relative), ATTT_E_NOTFOUND (missing, or not a directory), ATTT_E_POLICY (inside the
 * data directory), with the reason in why (may be NULL). */
int attt_bplan_check_scratch(const struct attt_bplan_env *env, char *why, size_t why_size);

/* R10.2.c: ATTT_OK when repo lies on another device than every source and than data_dir;
 * ATTT_E_POLICY otherwise, with the offending path written to why (may be NULL). */
int attt_bplan_check_devices(const struct attt_bplan_env *env, const char *repo, const char *const *sources,
			     size_t n_sources, char *why, size_t why_size);

struct attt_bplan_spec {
	int64_t agency_id;
	const char *name;               /* UTF-8, 1..ATTT_MAX_NAME bytes, unique per agency */
	const char *const *sources; size_t n_sources; /* absolute paths, 0..ATTT_BPLAN_MAX_SOURCES */
	bool with_database;             /* also attt's own database (at least one of the two) */
	const char *repo;               /* absolute path */
	const char *passphrase_file;    /* absolute path of a 0600/0400 regular file */
	int64_t interval_days;          /* 1..env->max_interval_days */
	int64_t drill_days;             /* restore drill period, 1..366; 0: env->drill_days */
	const char *run_by;             /* who starts its runs: "serve" (attt serve's scheduler) or "cron";
					 * NULL: "serve" */
};

/* Adds a plan in one transaction with its audit event "backup.plan.create". Errors: ATTT_E_INVAL
 * (a field missing or malformed, a relative path), ATTT_E_POLICY (interval beyond the maximum:
 * R10.1.b; repository on a protected device: R10.2.c; why names which), ATTT_E_PERM (passphrase
 * file readable by group or others), ATTT_E_NOTFOUND (no such agency or passphrase file),
 * ATTT_E_EXISTS (name taken in the agency). why (may be NULL) gets a precise reason. */
int attt_bplan_add(struct attt_db *db, const struct attt_clock *clock, const struct attt_actor *actor,
		   const struct attt_bplan_env *env, const struct attt_bplan_spec *spec, char *why,
		   size_t why_size, int64_t *ret_id);

struct attt_bplan_info {
	int64_t id, agency_id;
	const char *name, *repo, *passphrase_file;
	const char *const *sources; size_t n_sources;
	int64_t interval_days;
	int64_t created_at, last_ok_at;  /* µs UTC; last_ok_at 0: never */
	int64_t last_run_at;             /* 0: never run */
	const char *last_result;         /* "ok", "failed" or NULL */
	int64_t due_at;                  /* last_ok_at (or created_at) + interval */
	bool overdue;                    /* now > due_at */
	int64_t drill_days, last_drill_ok_at, drill_due_at; /* R10.2.c, as above */
	bool with_database;
	bool drill_overdue;
	const char *run_by;              /* "serve" or "cron" */
	int64_t retired_at;              /* 0: active; else removed (kept as evidence) */
	const char *retired_reason;      /* NULL while active */
	int64_t run_claimed_at;          /* 0, or when the run or drill in progress started */
	const char *run_claimed_by;      /* "host:pid" of that run or drill, or NULL */
	const char *run_claim_kind;      /* "run" or "drill" while claimed, else NULL */
};
typedef int (*attt_bplan_fn)(void *ctx, const struct attt_bplan_info *p);

#define ATTT_BPLAN_LIST_RETIRED 1u      /* attt_bplan_list: include retired plans */

/* Calls fn for every plan (agency_id 0: all agencies; id 0: all plans), by id; retired plans only
 * with ATTT_BPLAN_LIST_RETIRED or when id names one. A negative return of fn stops the walk and is
 * returned. ATTT_E_NOTFOUND when id is given and does not exist. */
int attt_bplan_list(struct attt_db *db, int64_t now_us, int64_t agency_id, int64_t id, unsigned flags,
		    attt_bplan_fn fn, void *ctx);

/* What attt_bplan_edit changes: NULL, 0 or -1 (with_database) keeps the current value. */
struct attt_bplan_edit {
	const char *name, *repo, *passphrase_file, *run_by;
	bool set_sources;                /* replace the sources by sources[0..n_sources) */
	const char *const *sources; size_t n_sources;
	int with_database;               /* -1 keep, 0 no, 1 yes */
	int64_t interval_days, drill_days;
};

/* Changes plan id in one transaction with its audit event "backup.plan.update" (data, R10.1.b;
 * the summary names each changed field with its old and new value). The plan as edited is held to
 * the same rules as attt_bplan_add: R10.1.b (interval <= env->max_interval_days), R10.2.c (the
 * repository on another device than every source and the data directory), the passphrase file's
 * mode; errors as for attt_bplan_add, and ATTT_E_NOTFOUND (no such plan), ATTT_E_STATE (retired),
 * ATTT_E_INVAL (nothing to change). why (may be NULL) gets a precise reason. */
int attt_bplan_edit(struct attt_db *db, const struct attt_clock *clock, const struct attt_actor *actor,
		    const struct attt_bplan_env *env, int64_t id, const struct attt_bplan_edit *e, char *why,
		    size_t why_size);

/* Retires plan id (reason: 1..ATTT_MAX_SHORT_TEXT bytes of text, required) with its audit event
 * "backup.plan.retire". Nothing is deleted: its runs, drills and events stay as evidence; it is no
 * longer listed by default, run, drilled, edited or alerted. ATTT_E_NOTFOUND, ATTT_E_STATE (already
 * retired), ATTT_E_BUSY (a run is in progress), ATTT_E_INVAL (no reason). */
int attt_bplan_retire(struct attt_db *db, const struct attt_clock *clock, const struct attt_actor *actor,
		      int64_t id, const char *reason, char *why, size_t why_size);

/* The first active plan with a repository that is the directory repo (same device and inode, so
 * that two spellings of one path agree), retired plans after active ones. ATTT_E_NOTFOUND when no
 * plan uses it. */
int attt_bplan_find_repo(struct attt_db *db, const char *repo, int64_t *ret_id, int64_t *ret_agency_id);

/* attt's own database: the id of the first active plan that saves it, or 0 when none does. */
int attt_bplan_db_plan(struct attt_db *db, int64_t *ret_id);

/* The agency for the built-in database plan: the first active top-level agency.
 * ATTT_E_NOTFOUND while the agency tree is empty. */
int attt_bplan_root_agency(struct attt_db *db, int64_t *ret_id);

/* While no active plan saves attt's own database, enqueues one "backup.db_unprotected"
 * notification to every administrator and every security officer of a top-level agency, at most
 * once per every_us (the time of the last alert is meta backup_db_alerted_at). *ret_alerted (may be
 * NULL): whether it alerted now. */
int attt_bplan_alert_db_unprotected(struct attt_db *db, const struct attt_clock *clock, int64_t every_us,
				    bool *ret_alerted);

struct attt_bplan_run_result {
	int64_t run_id;
	int64_t started_at, ended_at;
	uint64_t files, bytes;
	char snapshot[65];
	int err;                         /* ATTT_OK or the engine's error */
};

/* Runs plan id: claims the plan (ATTT_E_BUSY when another live run holds it; a claim left by a dead
 * process on this host, or older than ATTT_BPLAN_CLAIM_STALE_DAYS, is recorded as a failed run
 * "interrupted" and taken over), reads its passphrase file, initialises the repository when it does not exist yet,
 * checks the devices again (R10.2.c), copies attt's database when the plan includes it (SQLite
 * online backup of db into <scratch>/attt-XXXXXX/attt-database/attt.db, removed afterwards, saved
 * as the snapshot path "attt-database"), saves the sources, and records the run, its audit event
 * "backup.plan.run" (outcome failure when the save failed) and the release of the claim in one
 * transaction. R10.1.b: a failed run that follows a success (or is the plan's first) also enqueues
 * one "backup.failed" notification to the officers of the plan's agency and the agencies above.
 * Returns ATTT_OK when the run was recorded, whatever its result (see ret->err); an error when it
 * could not be (ATTT_E_STATE for a retired plan). */
#define ATTT_BPLAN_CLAIM_STALE_DAYS 1
int attt_bplan_run(struct attt_db *db, const struct attt_clock *clock, const struct attt_actor *actor,
		   const struct attt_bplan_env *env, int64_t id, struct attt_bplan_run_result *ret);

struct attt_bplan_drill_result {
	int64_t drill_id;
	int64_t started_at, ended_at;
	uint64_t files, bytes;           /* restored */
	char snapshot[65];
	int err;                         /* ATTT_OK, or why the drill failed (ATTT_E_CORRUPT: mismatch) */
	char why[512];                   /* what did not match, when err is set */
};

/* R10.2.c: claims the plan as attt_bplan_run does (a drill and a run of one plan never at once:
 * ATTT_E_BUSY while another live run or drill holds it; a stale claim is recorded as an interrupted
 * run or drill and its scratch directory removed), checks the scratch directory
 * (attt_bplan_check_scratch) and that its device has room for the latest snapshot (its bytes, a
 * twentieth more and ATTT_BPLAN_DRILL_RESERVE_BYTES: else the drill fails with ATTT_E_TOOBIG),
 * restores that snapshot into a new directory under it, checks the engine's chunk verification,
 * the file count and byte total against the snapshot and every file's kind and size against its
 * entry, removes the scratch directory, and records the drill, its audit event "backup.plan.drill"
 * and the release of the claim in one transaction. A failed drill that follows a successful one (or
 * is the plan's first) also enqueues one "backup.drill_failed" notification to the officers of the
 * plan's agency and the agencies above. Returns ATTT_OK when recorded, whatever its result
 * (ret->err); an error when it could not be (ATTT_E_STATE: retired, ATTT_E_BUSY: claimed). */
int attt_bplan_drill(struct attt_db *db, const struct attt_clock *clock, const struct attt_actor *actor,
		     const struct attt_bplan_env *env, int64_t id, struct attt_bplan_drill_result *ret);

/* --- the scheduler of attt serve (R10.1.b) ----------------------------------------------------- */

#define ATTT_BPLAN_RETRY_US (INT64_C(3600) * 1000000) /* a failed run is tried again an hour later */

/* The next plan due to run by attt serve at now_us: active, run_by "serve", not claimed by a live
 * run, and whose next run time has come: its creation when it never succeeded, else the start of
 * its last successful run plus its interval; never sooner than ATTT_BPLAN_RETRY_US after its last
 * attempt. Earliest first. ATTT_E_NOTFOUND when none is due. */
int attt_bplan_next_due(struct attt_db *db, int64_t now_us, int64_t *ret_id);

#define ATTT_BPLAN_DRILL_RETRY_US (INT64_C(86400) * 1000000) /* a failed drill is tried again a day later */

/* R10.2.c: the next plan due for a restore drill by attt serve at now_us: active, run_by "serve",
 * with at least one successful run (a snapshot to restore), not claimed by a live run or drill,
 * and whose drill time has come: at once when it was never drilled successfully, else the start of
 * its last successful drill plus its drill period (so that the drill ends before the plan is
 * flagged drill-overdue, which counts from the end of that drill); never sooner than
 * ATTT_BPLAN_DRILL_RETRY_US after its last drill. Earliest first. ATTT_E_NOTFOUND when none. */
int attt_bplan_next_drill_due(struct attt_db *db, int64_t now_us, int64_t *ret_id);

/* One worker thread that runs due plans and drills one at a time, so that the tick thread never
 * waits for a backup or a restore. The worker opens its own connection to db_path; env is copied
 * (with its strings); clock and the contexts of env's callbacks are borrowed and must outlive the
 * scheduler. */
struct attt_bplan_sched;
int attt_bplan_sched_new(const char *db_path, const struct attt_clock *clock, const struct attt_bplan_env *env,
			 struct attt_bplan_sched **ret);

/* A job of the worker: a run, or a restore drill, of one plan. */
struct attt_bplan_sched_job {
	int64_t plan_id;                 /* 0: none */
	bool drill;                      /* a restore drill (R10.2.c), else a run (R10.1.b) */
};

struct attt_bplan_sched_done {
	int64_t plan_id;                 /* 0: nothing has finished since the last report */
	bool drill;                      /* what finished: a drill (drill_res) or a run (res) */
	int err;                         /* attt_bplan_run's or attt_bplan_drill's error (ATTT_E_BUSY:
					  * someone else runs or drills the plan) */
	struct attt_bplan_run_result res;/* a run, when err is ATTT_OK */
	struct attt_bplan_drill_result drill_res; /* a drill, when err is ATTT_OK */
};

/* From the tick thread, once per tick: when the worker is idle, reports in *ret_done (may be NULL)
 * the job it finished since the last call, then looks for the next due run (attt_bplan_next_due on
 * db, the tick thread's connection) or, when no run is due, the next due drill
 * (attt_bplan_next_drill_due), and hands it over. Runs come first: a drill then restores the
 * freshest snapshot. Never waits for a job. *ret_started (may be NULL) gets the job handed over,
 * plan_id 0 for none. */
int attt_bplan_sched_tick(struct attt_bplan_sched *s, struct attt_db *db, int64_t now_us,
			  struct attt_bplan_sched_job *ret_started, struct attt_bplan_sched_done *ret_done);

/* Blocks until the worker is idle (a job in progress finishes). For tests and shutdown. */
void attt_bplan_sched_wait(struct attt_bplan_sched *s);

/* Waits for a job in progress, stops the worker and frees s. NULL is a no-op. */
void attt_bplan_sched_free(struct attt_bplan_sched *s);

/* R10.1.b: for every overdue plan not yet alerted for its current due time, enqueues a
 * "backup.overdue" notification to each security officer of its agency (and the agencies above)
 * and records the alert, in one transaction per plan. *ret_alerted (may be NULL): plans alerted. */
int attt_bplan_alert_overdue(struct attt_db *db, const struct attt_clock *clock, unsigned *ret_alerted);

/* --- R10.2.b: the backup catalogue ------------------------------------------------------------ */

struct attt_bplan_cat_item {
	int64_t id;                      /* output of list; ignored by add */
	int64_t agency_id;
	const char *item;                /* the data or software backed up (UTF-8, <= ATTT_MAX_NAME) */
	const char *kind;                /* "data" or "software" */
	const char *owner_system;        /* the information system that owns it */
	int64_t retention_days;          /* 1..36500 */
	const char *schedule;            /* backup schedule, e.g. "hằng ngày 01:00" */
	const char *method;              /* e.g. "attt backup, mã hóa, ổ ngoài" */
	const char *restore_test;        /* restore-test schedule, e.g. "6 tháng một lần" */
	int64_t plan_id;                 /* the plan carrying it out, 0 for none */
	int64_t retired_at;              /* output of list: 0 while active */
	const char *retired_reason;      /* output of list */
};

/* Adds an entry with its audit event "backup.catalogue.create" (data, R10.2.b). ATTT_E_INVAL with
 * the field named in why for a missing or malformed field (text fields: <= ATTT_MAX_SHORT_TEXT
 * bytes, no control characters), ATTT_E_NOTFOUND for an unknown agency or plan (or a plan of
 * another agency), ATTT_E_EXISTS when the agency already lists the item. */
int attt_bplan_cat_add(struct attt_db *db, const struct attt_clock *clock, const struct attt_actor *actor,
		       const struct attt_bplan_cat_item *in, char *why, size_t why_size, int64_t *ret_id);

typedef int (*attt_bplan_cat_fn)(void *ctx, const struct attt_bplan_cat_item *it);
/* Calls fn per entry (agency_id 0: all), by agency then item; retired entries only with
 * ATTT_BPLAN_LIST_RETIRED. A negative return of fn stops. */
int attt_bplan_cat_list(struct attt_db *db, int64_t agency_id, unsigned flags, attt_bplan_cat_fn fn, void *ctx);

/* Changes entry id: each non-NULL text field, retention_days and plan_id when non-zero (plan_id -1
 * unlinks the plan), checked as by attt_bplan_cat_add; agency_id is ignored (an entry stays in its
 * agency). One transaction with the audit event "backup.catalogue.update" (R10.2.b) naming each
 * changed field with its old and new value. ATTT_E_NOTFOUND, ATTT_E_STATE (retired), ATTT_E_INVAL
 * (nothing to change, or a bad field, named in why), ATTT_E_EXISTS (item taken). */
int attt_bplan_cat_edit(struct attt_db *db, const struct attt_clock *clock, const struct attt_actor *actor,
			int64_t id, const struct attt_bplan_cat_item *in, char *why, size_t why_size);

/* Retires entry id with a reason (required) and its audit event "backup.catalogue.retire"; it
 * leaves the exports but stays in the database (list with ATTT_BPLAN_LIST_RETIRED).
 * ATTT_E_NOTFOUND, ATTT_E_STATE (already retired), ATTT_E_INVAL (no reason). */
int attt_bplan_cat_retire(struct attt_db *db, const struct attt_clock *clock, const struct attt_actor *actor,
			  int64_t id, const char *reason, char *why, size_t why_size);

/* Appends the active catalogue as CSV (RFC 4180, UTF-8, header row; a cell starting with = + - @ is
 * prefixed with ' so that a spreadsheet does not run it as a formula) to out. */
struct attt_buf;
int attt_bplan_cat_csv(struct attt_db *db, int64_t agency_id, struct attt_buf *out);

/* Writes the catalogue as an XLSX workbook (libxlsxwriter: one sheet "Danh muc sao luu", the same
 * columns as the CSV, every text cell a string, never a formula) to path, which must not exist
 * (ATTT_E_EXISTS). ATTT_E_IO when the file cannot be written (nothing is left behind). */
int attt_bplan_cat_xlsx(struct attt_db *db, int64_t agency_id, const char *path);

#endif
