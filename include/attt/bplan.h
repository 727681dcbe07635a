/*
 * bplan.h: backup plans, the compliance layer over the backup engine (include/attt/backup.h).
 *
 * R10.1.b: a plan backs up an agency's sources into a repository at most every
 * ATTT_BPLAN_MAX_INTERVAL_DAYS days (the policy profile's backup.max_interval_days); each run is
 * recorded (start, end, bytes, snapshot, result) and audited (category data, rule R10.1.b); a plan
 * whose last successful run is older than its interval is overdue and its agency's security
 * officers are notified once per overdue period.
 * R10.2.c: a repository on the same device as one of its sources or as attt's data directory is
 * refused (devices are compared, not paths); restore drills restore the latest snapshot to a
 * scratch directory, verify every file and record the evidence; overdue drills are flagged.
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

/* What plan functions need to know about the installation. dev NULL: attt_bplan_path_dev. */
struct attt_bplan_env {
	const char *data_dir;           /* attt's own data directory (R10.2.c) */
	int64_t max_interval_days;      /* the profile's backup.max_interval_days (R10.1.b) */
	int64_t drill_days;             /* the profile's backup.restore_drill_days: default drill period */
	const char *scratch_dir;        /* where drills restore (a mkdtemp inside); NULL: /var/tmp */
	attt_bplan_dev_fn dev; void *dev_ctx;
	bool skip_passfile_check;       /* tests only: do not stat the passphrase file */
};

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
};
typedef int (*attt_bplan_fn)(void *ctx, const struct attt_bplan_info *p);

/* Calls fn for every plan (agency_id 0: all agencies; id 0: all plans), by id. A negative return
 * of fn stops the walk and is returned. ATTT_E_NOTFOUND when id is given and does not exist. */
int attt_bplan_list(struct attt_db *db, int64_t now_us, int64_t agency_id, int64_t id, attt_bplan_fn fn,
		    void *ctx);

struct attt_bplan_run_result {
	int64_t run_id;
	int64_t started_at, ended_at;
	uint64_t files, bytes;
	char snapshot[65];
	int err;                         /* ATTT_OK or the engine's error */
};

/* Runs plan id: reads its passphrase file, initialises the repository when it does not exist yet,
 * checks the devices again (R10.2.c), copies attt's database when the plan includes it (SQLite
 * online backup of db into <scratch>/attt-XXXXXX/attt-database/attt.db, removed afterwards, saved
 * as the snapshot path "attt-database"), saves the sources, and records the run and its audit event
 * "backup.plan.run" (outcome failure when the save failed) in one transaction. Returns ATTT_OK when
 * the run was recorded, whatever its result (see ret->err); an error when it could not be. */
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

/* R10.2.c: restores the plan's latest snapshot into a new directory under env->scratch_dir, checks
 * the engine's chunk verification, the file count and byte total against the snapshot and every
 * file's kind and size against its entry, removes the scratch directory, and records the drill and
 * its audit event "backup.plan.drill" in one transaction. Returns ATTT_OK when recorded, whatever
 * its result (ret->err). */
int attt_bplan_drill(struct attt_db *db, const struct attt_clock *clock, const struct attt_actor *actor,
		     const struct attt_bplan_env *env, int64_t id, struct attt_bplan_drill_result *ret);

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
};

/* Adds an entry with its audit event "backup.catalogue.create" (data, R10.2.b). ATTT_E_INVAL with
 * the field named in why for a missing or malformed field (text fields: <= ATTT_MAX_SHORT_TEXT
 * bytes, no control characters), ATTT_E_NOTFOUND for an unknown agency or plan (or a plan of
 * another agency), ATTT_E_EXISTS when the agency already lists the item. */
int attt_bplan_cat_add(struct attt_db *db, const struct attt_clock *clock, const struct attt_actor *actor,
		       const struct attt_bplan_cat_item *in, char *why, size_t why_size, int64_t *ret_id);

typedef int (*attt_bplan_cat_fn)(void *ctx, const struct attt_bplan_cat_item *it);
/* Calls fn per entry (agency_id 0: all), by agency then item. A negative return of fn stops. */
int attt_bplan_cat_list(struct attt_db *db, int64_t agency_id, attt_bplan_cat_fn fn, void *ctx);

/* Appends the catalogue as CSV (RFC 4180, UTF-8, header row; a cell starting with = + - @ is
 * prefixed with ' so that a spreadsheet does not run it as a formula) to out. */
struct attt_buf;
int attt_bplan_cat_csv(struct attt_db *db, int64_t agency_id, struct attt_buf *out);

/* Writes the catalogue as an XLSX workbook (libxlsxwriter: one sheet "Danh muc sao luu", the same
 * columns as the CSV, every text cell a string, never a formula) to path, which must not exist
 * (ATTT_E_EXISTS). ATTT_E_IO when the file cannot be written (nothing is left behind). */
int attt_bplan_cat_xlsx(struct attt_db *db, int64_t agency_id, const char *path);

#endif
