/*
 * bplan.c: backup plans (R10.1.b), the device rule for repositories (R10.2.c), recorded and audited
 * runs over the backup engine, and the alerts to the agency's security officers (an overdue plan, a
 * failed run or restore drill, attt's own database without a plan). Plans are edited and retired,
 * never deleted.
 * A run or a restore drill claims its plan first (run_claimed_at/by, db/migrations/0011; its kind
 * and scratch directory, 0013) so that two runners never run one plan at once, a drill never
 * restores while a run writes, and a run or drill cut short by a crash is found and recorded.
 */
#include <errno.h>
#include <ftw.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>

#include "attt/audit.h"
#include "attt/backup.h"
#include "attt/bplan.h"
#include "attt/buf.h"
#include "attt/db.h"
#include "attt/err.h"
#include "attt/limits.h"
#include "attt/notify.h"
#include "attt/str.h"
#include "bplan-int.h"

#define DAY_US (INT64_C(86400) * ATTT_USEC_PER_SEC)
#define PASS_MAX 4096

static void set_why(char *why, size_t size, const char *text)
{
	if (why && size)
		attt_str_copy(why, size, text);
}

int attt_bplan_path_dev(void *ctx, const char *path, uint64_t *ret_dev)
{
	char p[ATTT_MAX_PATH];
	struct stat sb;

	(void)ctx;
	if (attt_str_copy(p, sizeof(p), path) < 0)
		return ATTT_E_TOOBIG;
	for (;;) {
		if (stat(p, &sb) == 0) {
			*ret_dev = (uint64_t)sb.st_dev;
			return ATTT_OK;
		}
		if (errno != ENOENT && errno != ENOTDIR)
			return ATTT_E_IO;
		/* the nearest existing parent: drop the last component */
		char *slash = strrchr(p, '/');
		if (!slash)
			return ATTT_E_IO;
		if (slash == p) {
			if (p[1] == 0)
				return ATTT_E_IO;
			p[1] = 0;
		} else {
			*slash = 0;
		}
	}
}

static int dev_of(const struct attt_bplan_env *env, const char *path, uint64_t *ret)
{
	return env->dev ? env->dev(env->dev_ctx, path, ret) : attt_bplan_path_dev(NULL, path, ret);
}

int attt_bplan_path_space(void *ctx, const char *path, uint64_t *ret_bytes)
{
	struct statvfs vfs;

	(void)ctx;
	if (statvfs(path, &vfs) != 0)
		return ATTT_E_IO;
	*ret_bytes = (uint64_t)vfs.f_bavail * (uint64_t)vfs.f_frsize;
	return ATTT_OK;
}

static const char *scratch_of(const struct attt_bplan_env *env)
{
	return env->scratch_dir && *env->scratch_dir ? env->scratch_dir : ATTT_BPLAN_DEFAULT_SCRATCH;
}

/* R10.2.c: restores and database copies stay out of the data directory, where they would lie among
 * the database files (and a full device stops the database). Real paths, so that a symlink or
 * "/var/lib/attt/../attt/tmp" is seen for what it is. */
int attt_bplan_check_scratch(const struct attt_bplan_env *env, char *why, size_t why_size)
{
	const char *dir = scratch_of(env);
	char msg[2 * ATTT_MAX_PATH + 256], *real = NULL, *data = NULL;
	struct stat sb;
	size_t n;
	int r = ATTT_OK;

	if (dir[0] != '/' || strlen(dir) >= ATTT_MAX_PATH) {
		attt_str_printf(msg, sizeof(msg), "thư mục tạm %s: cần đường dẫn tuyệt đối / scratch directory %s: an "
				"absolute path is needed", dir, dir);
		set_why(why, why_size, msg);
		return ATTT_E_INVAL;
	}
	if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode) || !(real = realpath(dir, NULL))) {
		attt_str_printf(msg, sizeof(msg), "thư mục tạm %s không có / scratch directory %s does not exist", dir, dir);
		set_why(why, why_size, msg);
		return ATTT_E_NOTFOUND;
	}
	if (env->data_dir && (data = realpath(env->data_dir, NULL))) {
		n = strlen(data);
		if (strncmp(real, data, n) == 0 && (real[n] == 0 || real[n] == '/' || (n == 1 && data[0] == '/'))) {
			attt_str_printf(msg, sizeof(msg),
					"R10.2.c: thư mục tạm %s nằm trong thư mục dữ liệu attt %s / the scratch directory "
					"is inside attt's data directory (backup.scratch_dir, --scratch)", dir, data);
			set_why(why, why_size, msg);
			r = ATTT_E_POLICY;
		}
	}
	free(real);
	free(data);
	return r;
}

/* R10.2.c: the repository must not share a device with what it protects nor with attt's data. */
int attt_bplan_check_devices(const struct attt_bplan_env *env, const char *repo, const char *const *sources,
			     size_t n_sources, char *why, size_t why_size)
{
	uint64_t rdev, d;
	char msg[ATTT_MAX_PATH + 256];
	int r;

	if ((r = dev_of(env, repo, &rdev)) < 0) {
		attt_str_printf(msg, sizeof(msg), "repo %s", repo);
		set_why(why, why_size, msg);
		return r;
	}
	for (size_t i = 0; i <= n_sources; i++) {
		const char *p = i < n_sources ? sources[i] : env->data_dir;
		if (!p)
			continue;
		if ((r = dev_of(env, p, &d)) < 0) {
			set_why(why, why_size, p);
			return r;
		}
		if (d == rdev) {
			attt_str_printf(msg, sizeof(msg),
					"R10.2.c: kho sao lưu %s nằm trên cùng thiết bị với %s%s / the repository is on the "
					"same device as %s%s",
					repo, i < n_sources ? "nguồn " : "thư mục dữ liệu attt ", p,
					i < n_sources ? "source " : "attt's data directory ", p);
			set_why(why, why_size, msg);
			return ATTT_E_POLICY;
		}
	}
	return ATTT_OK;
}

static int prep(struct attt_db *db, const char *sql, struct attt_stmt **st)
{
	return attt_db_prepare(db, sql, st);
}

int attt__bplan_insert_id(struct attt_stmt *st, int64_t *ret_id)
{
	int r = attt_stmt_step(st);

	if (r == 1) {
		*ret_id = attt_stmt_int64(st, 0);
		r = ATTT_OK;
	} else if (r == 0) {
		r = ATTT_E_DB; /* RETURNING always yields the row it inserted */
	}
	attt_stmt_finalize(st);
	return r;
}

/* Records that plan id last succeeded at `at`, in the column the UPDATE sql names. */
static int mark_ok(struct attt_db *db, const char *sql, int64_t at, int64_t id)
{
	struct attt_stmt *st = NULL;
	int r = prep(db, sql, &st);

	if (r < 0)
		return r;
	attt_stmt_bind_int64(st, 1, at);
	attt_stmt_bind_int64(st, 2, id);
	r = attt_stmt_step(st);
	attt_stmt_finalize(st);
	return r < 0 ? r : ATTT_OK;
}

static int audit(struct attt_db *db, const struct attt_clock *clock, const struct attt_actor *actor,
		 const char *action, int64_t plan, int64_t agency, enum attt_audit_outcome outcome, const char *rule,
		 json_t *summary)
{
	char id[32], *text = NULL;
	int r;

	attt_str_printf(id, sizeof(id), "%lld", (long long)plan);
	if (summary && !(text = json_dumps(summary, JSON_COMPACT))) {
		json_decref(summary);
		return ATTT_E_NOMEM;
	}
	json_decref(summary);
	struct attt_audit_event ev = {
		.category = ATTT_AUDIT_DATA,
		.action = action,
		.object_type = "backup_plan",
		.object_id = id,
		.agency_id = agency,
		.outcome = outcome,
		.rule = rule,
		.summary = text,
	};
	r = attt_audit_append(db, clock, actor, &ev, NULL);
	free(text);
	return r;
}

static bool abs_path(const char *p)
{
	return p && p[0] == '/' && strlen(p) < ATTT_MAX_PATH;
}

struct add_tx {
	const struct attt_clock *clock;
	const struct attt_actor *actor;
	const struct attt_bplan_spec *s;
	int64_t id, drill_days;
};

static int add_tx(struct attt_db *db, void *ctx)
{
	struct add_tx *t = ctx;
	const struct attt_bplan_spec *s = t->s;
	struct attt_stmt *st = NULL;
	int64_t now = attt_now_us(t->clock);
	json_t *src;
	int r;

	if ((r = prep(db, "SELECT 1 FROM agency WHERE id = ?", &st)) < 0)
		return r;
	attt_stmt_bind_int64(st, 1, s->agency_id);
	r = attt_stmt_step(st);
	attt_stmt_finalize(st);
	if (r <= 0)
		return r < 0 ? r : ATTT_E_NOTFOUND;
	if ((r = prep(db, "INSERT INTO backup_plan (agency_id, name, repo, passphrase_file, interval_days, "
			  "created_at, drill_days, with_database, run_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
		      &st)) < 0)
		return r;
	attt_stmt_bind_int64(st, 1, s->agency_id);
	attt_stmt_bind_text(st, 2, s->name);
	attt_stmt_bind_text(st, 3, s->repo);
	attt_stmt_bind_text(st, 4, s->passphrase_file);
	attt_stmt_bind_int64(st, 5, s->interval_days);
	attt_stmt_bind_int64(st, 6, now);
	attt_stmt_bind_int64(st, 7, t->drill_days);
	attt_stmt_bind_int64(st, 8, s->with_database);
	attt_stmt_bind_text(st, 9, s->run_by ? s->run_by : "serve");
	if ((r = attt__bplan_insert_id(st, &t->id)) < 0)
		return r;
	if ((r = prep(db, "INSERT INTO backup_plan_source (plan_id, pos, path) VALUES (?, ?, ?)", &st)) < 0)
		return r;
	src = json_array();
	for (size_t i = 0; r >= 0 && i < s->n_sources; i++) {
		attt_stmt_bind_int64(st, 1, t->id);
		attt_stmt_bind_int64(st, 2, (int64_t)i);
		attt_stmt_bind_text(st, 3, s->sources[i]);
		r = attt_stmt_step(st);
		json_array_append_new(src, json_string(s->sources[i]));
	}
	attt_stmt_finalize(st);
	if (r < 0) {
		json_decref(src);
		return r;
	}
	/* R10.1.b: every plan change is an audit event. */
	return audit(db, t->clock, t->actor, "backup.plan.create", t->id, s->agency_id, ATTT_AUDIT_SUCCESS, "R10.1.b",
		     json_pack("{s:s,s:s,s:o,s:b,s:I,s:I,s:s}", "name", s->name, "repo", s->repo, "sources", src,
			       "database", s->with_database, "interval_days", (json_int_t)s->interval_days, "drill_days",
			       (json_int_t)t->drill_days, "run_by", s->run_by ? s->run_by : "serve"));
}

static bool run_by_ok(const char *v)
{
	return v && (strcmp(v, "serve") == 0 || strcmp(v, "cron") == 0);
}

/* The rules every plan is held to, when added and after an edit. */
static int check_spec(const struct attt_bplan_env *env, const struct attt_bplan_spec *s, int64_t drill_days,
		      char *why, size_t why_size)
{
	char msg[ATTT_MAX_PATH + 256];
	struct stat sb;

	if (!s->name || !*s->name || strlen(s->name) > ATTT_MAX_NAME || !attt_utf8_valid(s->name, strlen(s->name))) {
		set_why(why, why_size, "name / tên");
		return ATTT_E_INVAL;
	}
	if (!abs_path(s->repo) || !abs_path(s->passphrase_file)) {
		set_why(why, why_size, "--repo, --passphrase-file: cần đường dẫn tuyệt đối / absolute paths needed");
		return ATTT_E_INVAL;
	}
	if ((s->n_sources == 0 && !s->with_database) || s->n_sources > ATTT_BPLAN_MAX_SOURCES) {
		set_why(why, why_size, "--source: 1..64 (hoặc / or --database)");
		return ATTT_E_INVAL;
	}
	if (s->run_by && !run_by_ok(s->run_by)) {
		set_why(why, why_size, "--run-by: serve|cron");
		return ATTT_E_INVAL;
	}
	for (size_t i = 0; i < s->n_sources; i++) {
		if (!abs_path(s->sources[i])) {
			attt_str_printf(msg, sizeof(msg), "--source %s: cần đường dẫn tuyệt đối / absolute path needed",
					s->sources[i] ? s->sources[i] : "");
			set_why(why, why_size, msg);
			return ATTT_E_INVAL;
		}
	}
	/* R10.1.b: at least once a month: the profile's maximum interval. */
	if (s->interval_days < 1 || s->interval_days > env->max_interval_days) {
		attt_str_printf(msg, sizeof(msg),
				"R10.1.b: chu kỳ %lld ngày vượt quá tối đa %lld ngày của hồ sơ chính sách / interval of "
				"%lld days exceeds the profile's maximum of %lld days",
				(long long)s->interval_days, (long long)env->max_interval_days,
				(long long)s->interval_days, (long long)env->max_interval_days);
		set_why(why, why_size, msg);
		return ATTT_E_POLICY;
	}
	/* R10.2.c: restore drills on a schedule. */
	if (drill_days < 1 || drill_days > 366) {
		set_why(why, why_size, "--drill-days: 1..366 (R10.2.c)");
		return ATTT_E_RANGE;
	}
	if (!env->skip_passfile_check) {
		if (stat(s->passphrase_file, &sb) != 0 || !S_ISREG(sb.st_mode)) {
			attt_str_printf(msg, sizeof(msg), "--passphrase-file %s", s->passphrase_file);
			set_why(why, why_size, msg);
			return ATTT_E_NOTFOUND;
		}
		if (sb.st_mode & 077) {
			attt_str_printf(msg, sizeof(msg),
					"--passphrase-file %s: chỉ chủ sở hữu được đọc (chmod 600) / must be readable "
					"by its owner only (chmod 600)", s->passphrase_file);
			set_why(why, why_size, msg);
			return ATTT_E_PERM;
		}
	}
	/* R10.2.c: compare devices, not paths. */
	return attt_bplan_check_devices(env, s->repo, s->sources, s->n_sources, why, why_size);
}

int attt_bplan_add(struct attt_db *db, const struct attt_clock *clock, const struct attt_actor *actor,
		   const struct attt_bplan_env *env, const struct attt_bplan_spec *s, char *why, size_t why_size,
		   int64_t *ret_id)
{
	struct add_tx t = { .clock = clock, .actor = actor, .s = s, .drill_days = s->drill_days ? s->drill_days
											   : env->drill_days };
	int r;

	if ((r = check_spec(env, s, t.drill_days, why, why_size)) < 0)
		return r;
	r = attt_db_tx(db, add_tx, &t);
	if (r == ATTT_E_EXISTS)
		set_why(why, why_size, "tên kế hoạch đã có trong cơ quan / plan name already used in the agency");
	else if (r == ATTT_E_NOTFOUND)
		set_why(why, why_size, "--agency: không có cơ quan này / no such agency");
	if (r < 0)
		return r;
	*ret_id = t.id;
	return ATTT_OK;
}

/* --- listing ----------------------------------------------------------------------------------- */

static int load_sources(struct attt_db *db, int64_t id, char ***ret, size_t *ret_n)
{
	struct attt_stmt *st = NULL;
	char **v = NULL;
	size_t n = 0;
	int r;

	if ((r = prep(db, "SELECT path FROM backup_plan_source WHERE plan_id = ? ORDER BY pos", &st)) < 0)
		return r;
	attt_stmt_bind_int64(st, 1, id);
	while ((r = attt_stmt_step(st)) > 0) {
		char **nv = realloc(v, (n + 1) * sizeof(*v));
		if (!nv) {
			r = ATTT_E_NOMEM;
			break;
		}
		v = nv;
		if (!(v[n] = strdup(attt_stmt_text(st, 0)))) {
			r = ATTT_E_NOMEM;
			break;
		}
		n++;
	}
	attt_stmt_finalize(st);
	if (r < 0) {
		for (size_t i = 0; i < n; i++)
			free(v[i]);
		free(v);
		return r;
	}
	*ret = v;
	*ret_n = n;
	return ATTT_OK;
}

static void free_sources(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

int attt_bplan_list(struct attt_db *db, int64_t now_us, int64_t agency_id, int64_t id, unsigned flags,
		    attt_bplan_fn fn, void *ctx)
{
	struct attt_stmt *st = NULL;
	size_t seen = 0;
	int r;

	r = prep(db,
		 "SELECT p.id, p.agency_id, p.name, p.repo, p.passphrase_file, p.interval_days, p.created_at, "
		 "p.last_ok_at, (SELECT started_at FROM backup_run WHERE plan_id = p.id ORDER BY id DESC LIMIT 1), "
		 "(SELECT result FROM backup_run WHERE plan_id = p.id ORDER BY id DESC LIMIT 1), p.drill_days, "
		 "p.last_drill_ok_at, p.with_database, p.run_by, p.retired_at, p.retired_reason, p.run_claimed_at, "
		 "p.run_claimed_by, p.run_claim_kind FROM backup_plan p "
		 "WHERE (?1 = 0 OR p.agency_id = ?1) AND (?2 = 0 OR p.id = ?2) AND (?3 = 1 OR ?2 <> 0 OR p.retired_at = 0) "
		 "ORDER BY p.id",
		 &st);
	if (r < 0)
		return r;
	attt_stmt_bind_int64(st, 1, agency_id);
	attt_stmt_bind_int64(st, 2, id);
	attt_stmt_bind_int64(st, 3, (flags & ATTT_BPLAN_LIST_RETIRED) ? 1 : 0);
	while ((r = attt_stmt_step(st)) > 0) {
		struct attt_bplan_info p = {
			.id = attt_stmt_int64(st, 0),
			.agency_id = attt_stmt_int64(st, 1),
			.name = attt_stmt_text(st, 2),
			.repo = attt_stmt_text(st, 3),
			.passphrase_file = attt_stmt_text(st, 4),
			.interval_days = attt_stmt_int64(st, 5),
			.created_at = attt_stmt_int64(st, 6),
			.last_ok_at = attt_stmt_int64(st, 7),
			.last_run_at = attt_stmt_int64(st, 8),
			.last_result = attt_stmt_text(st, 9),
			.drill_days = attt_stmt_int64(st, 10),
			.last_drill_ok_at = attt_stmt_int64(st, 11),
			.with_database = attt_stmt_int64(st, 12) != 0,
			.run_by = attt_stmt_text(st, 13),
			.retired_at = attt_stmt_int64(st, 14),
			.retired_reason = attt_stmt_text(st, 15),
			.run_claimed_at = attt_stmt_int64(st, 16),
			.run_claimed_by = attt_stmt_text(st, 17),
		};
		p.run_claim_kind = p.run_claimed_at ? attt_stmt_text(st, 18) : NULL;
		char **src = NULL;
		size_t n = 0;
		p.due_at = (p.last_ok_at ? p.last_ok_at : p.created_at) + p.interval_days * DAY_US;
		p.overdue = !p.retired_at && now_us > p.due_at;
		p.drill_due_at = (p.last_drill_ok_at ? p.last_drill_ok_at : p.created_at) + p.drill_days * DAY_US;
		p.drill_overdue = !p.retired_at && now_us > p.drill_due_at;
		if ((r = load_sources(db, p.id, &src, &n)) < 0)
			break;
		p.sources = (const char *const *)src;
		p.n_sources = n;
		seen++;
		r = fn(ctx, &p);
		free_sources(src, n);
		if (r < 0)
			break;
	}
	attt_stmt_finalize(st);
	if (r < 0)
		return r;
	return id && !seen ? ATTT_E_NOTFOUND : ATTT_OK;
}

/* --- running ----------------------------------------------------------------------------------- */

/* The passphrase file: at most PASS_MAX bytes, trailing newlines dropped. */
static int read_pass(const char *path, char **ret, size_t *ret_n)
{
	char *buf = sodium_malloc(PASS_MAX + 1);
	size_t n = 0;
	ssize_t k;
	int fd, r = ATTT_OK;

	if (!buf)
		return ATTT_E_NOMEM;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0) {
		sodium_free(buf);
		return errno == ENOENT ? ATTT_E_NOTFOUND : ATTT_E_PERM;
	}
	while (n <= PASS_MAX && (k = read(fd, buf + n, PASS_MAX + 1 - n)) != 0) {
		if (k < 0) {
			if (errno == EINTR)
				continue;
			r = ATTT_E_IO;
			break;
		}
		n += (size_t)k;
	}
	close(fd);
	if (r == ATTT_OK && n > PASS_MAX)
		r = ATTT_E_TOOBIG;
	while (r == ATTT_OK && n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		n--;
	if (r == ATTT_OK && n == 0)
		r = ATTT_E_AUTH;
	if (r < 0) {
		sodium_free(buf);
		return r;
	}
	buf[n] = 0;
	*ret = buf;
	*ret_n = n;
	return ATTT_OK;
}

struct plan_row {
	int64_t agency_id;
	char name[ATTT_MAX_NAME + 1], run_by[8];
	char repo[ATTT_MAX_PATH], passfile[ATTT_MAX_PATH];
	char **sources; size_t n_sources;
	bool with_database;
	int64_t interval_days, drill_days, retired_at;
};

static int get_plan(void *ctx, const struct attt_bplan_info *p)
{
	struct plan_row *row = ctx;
	row->agency_id = p->agency_id;
	attt_str_copy(row->name, sizeof(row->name), p->name);
	attt_str_copy(row->run_by, sizeof(row->run_by), p->run_by);
	row->interval_days = p->interval_days;
	row->drill_days = p->drill_days;
	row->retired_at = p->retired_at;
	attt_str_copy(row->repo, sizeof(row->repo), p->repo);
	attt_str_copy(row->passfile, sizeof(row->passfile), p->passphrase_file);
	row->with_database = p->with_database;
	row->sources = calloc(p->n_sources + 1, sizeof(char *)); /* + the database copy */
	if (!row->sources)
		return ATTT_E_NOMEM;
	for (size_t i = 0; i < p->n_sources; i++) {
		if (!(row->sources[i] = strdup(p->sources[i])))
			return ATTT_E_NOMEM;
		row->n_sources++;
	}
	return ATTT_OK;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)ftw;
	return (flag == FTW_DP ? rmdir(path) : unlink(path)) < 0 ? -1 : 0;
}

static int rm_tree(const char *dir)
{
	return nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS) == 0 ? ATTT_OK : ATTT_E_IO;
}

static int note_scratch(struct attt_db *db, int64_t id, const char *dir);

/* attt's own database as a source: an online copy (SQLite backup API, consistent under writers)
 * in <scratch>/attt-db-XXXXXX/attt-database/attt.db; tmp gets the directory to remove, which is
 * also noted in plan id's claim for a takeover after a crash. */
static int copy_database(struct attt_db *db, const struct attt_bplan_env *env, int64_t id, struct plan_row *row,
			 char *tmp, size_t tmp_size)
{
	char dir[ATTT_MAX_PATH], file[ATTT_MAX_PATH];
	int r;

	/* R10.2.c: never a copy of the database beside the database */
	if ((r = attt_bplan_check_scratch(env, NULL, 0)) < 0)
		return r;
	if (attt_str_printf(tmp, tmp_size, "%s/attt-db-XXXXXX", scratch_of(env)) < 0)
		return ATTT_E_TOOBIG;
	if (!mkdtemp(tmp)) {
		tmp[0] = 0;
		return ATTT_E_IO;
	}
	if ((r = note_scratch(db, id, tmp)) < 0)
		return r;
	if (attt_str_printf(dir, sizeof(dir), "%s/attt-database", tmp) < 0 ||
	    attt_str_printf(file, sizeof(file), "%s/attt.db", dir) < 0)
		return ATTT_E_TOOBIG;
	if (mkdir(dir, 0700) != 0)
		return ATTT_E_IO;
	if ((r = attt_db_backup_to(db, file)) < 0)
		return r;
	if (!(row->sources[row->n_sources] = strdup(dir)))
		return ATTT_E_NOMEM;
	row->n_sources++;
	return ATTT_OK;
}

/* Opens the plan's repository, creating it on the first run. */
static int open_repo(const char *dir, const char *pass, size_t pn, struct attt_backup_repo **ret)
{
	int r = attt_backup_open(dir, pass, pn, ret);
	if (r != ATTT_E_NOTFOUND)
		return r;
	if ((r = attt_backup_init(dir, pass, pn, NULL)) < 0)
		return r;
	return attt_backup_open(dir, pass, pn, ret);
}

/* --- alerts to the officers ------------------------------------------------------------------- */

/* R10.1.b: the security officers of agency (grants on it or on an agency above) are notified: one
 * notification each (in-app, and mail when they have an address), in the caller's transaction. */
static int notify_officers(struct attt_db *db, const struct attt_clock *clock, int64_t agency_id, const char *kind,
			   const char *ref_type, int64_t ref_id, const char *subject, const char *body)
{
	struct attt_stmt *st = NULL;
	int r;

	r = prep(db,
		 "SELECT DISTINCT g.account_id, COALESCE(o.person_id, 0), p.email FROM role_grant g "
		 "JOIN agency top ON top.id = g.agency_id JOIN account o ON o.id = g.account_id "
		 "LEFT JOIN person p ON p.id = o.person_id, agency x WHERE x.id = ? AND g.role = 'security_officer' "
		 "AND substr(x.path, 1, length(top.path)) = top.path AND o.status <> 'disabled' ORDER BY g.account_id",
		 &st);
	if (r < 0)
		return r;
	attt_stmt_bind_int64(st, 1, agency_id);
	while ((r = attt_stmt_step(st)) > 0) {
		struct attt_notify_msg m = {
			.kind = kind,
			.to_address = attt_stmt_text(st, 2),
			.person_id = attt_stmt_int64(st, 1),
			.account_id = attt_stmt_int64(st, 0),
			.subject = subject,
			.body = body,
			.ref_type = ref_type,
			.ref_id = ref_id,
		};
		if ((r = attt_notify_enqueue(db, clock, &m, NULL)) < 0)
			break;
	}
	attt_stmt_finalize(st);
	return r < 0 ? r : ATTT_OK;
}

/* R10.1.b, R10.2.c: a failed run (or drill) alerts the officers, once per streak of failures: when
 * the run (drill) before it, if any, succeeded. Repeated failures of a broken plan are then reported
 * by the overdue alert (runs) and the drill-overdue flag (drills). */
static int alert_failed(struct attt_db *db, const struct attt_clock *clock, int64_t plan, int64_t agency,
			const char *name, int64_t row_id, const char *error, bool drill)
{
	struct attt_stmt *st = NULL;
	struct attt_buf subject, body;
	int r;

	if ((r = prep(db, drill ? "SELECT result FROM backup_drill WHERE plan_id = ? AND id < ? ORDER BY id DESC LIMIT 1"
				: "SELECT result FROM backup_run WHERE plan_id = ? AND id < ? ORDER BY id DESC LIMIT 1",
		      &st)) < 0)
		return r;
	attt_stmt_bind_int64(st, 1, plan);
	attt_stmt_bind_int64(st, 2, row_id);
	r = attt_stmt_step(st);
	if (r > 0 && strcmp(attt_stmt_text(st, 0), "failed") == 0)
		r = 0; /* the streak was reported already */
	else if (r >= 0)
		r = 1;
	attt_stmt_finalize(st);
	if (r <= 0)
		return r;
	attt_buf_init(&subject, 1024);
	attt_buf_init(&body, ATTT_MAX_TEXT);
	if (drill) {
		attt_buf_addf(&subject, "Diễn tập khôi phục thất bại / Restore drill failed: %s", name);
		attt_buf_addf(&body,
			      "Lần diễn tập khôi phục số %lld của kế hoạch sao lưu \"%s\" (số %lld) thất bại: %s (R10.2.c).\n"
			      "Restore drill %lld of backup plan \"%s\" (no. %lld) failed: %s (R10.2.c).\n"
			      "Kiểm tra / check: attt backup plan list; attt backup plan drill %lld\n",
			      (long long)row_id, name, (long long)plan, error, (long long)row_id, name, (long long)plan,
			      error, (long long)plan);
	} else {
		attt_buf_addf(&subject, "Sao lưu thất bại / Backup failed: %s", name);
		attt_buf_addf(&body,
			      "Lần chạy số %lld của kế hoạch sao lưu \"%s\" (số %lld) thất bại: %s (R10.1.b).\n"
			      "Run %lld of backup plan \"%s\" (no. %lld) failed: %s (R10.1.b).\n"
			      "Kiểm tra / check: attt backup plan list; attt backup plan run %lld\n",
			      (long long)row_id, name, (long long)plan, error, (long long)row_id, name, (long long)plan,
			      error, (long long)plan);
	}
	r = notify_officers(db, clock, agency, drill ? "backup.drill_failed" : "backup.failed", "backup_plan", plan,
			    attt_buf_str(&subject), attt_buf_str(&body));
	attt_buf_done(&subject);
	attt_buf_done(&body);
	return r;
}

/* --- claims: one run or drill of a plan at a time ------------------------------------------------ */

#define CLAIM_STALE_US ((int64_t)ATTT_BPLAN_CLAIM_STALE_DAYS * DAY_US)

static void claim_owner(char *buf, size_t size)
{
	char host[256] = "";
	if (gethostname(host, sizeof(host) - 1) != 0)
		attt_str_copy(host, sizeof(host), "localhost");
	attt_str_printf(buf, size, "%s:%ld", host, (long)getpid());
}

/* Whether the claim holder "host:pid" by is on this host; *ret_pid gets its pid (0 if unreadable). */
static bool claim_here(const char *by, int64_t *ret_pid)
{
	char me[300], host[300];
	const char *colon;

	*ret_pid = 0;
	if (!by || !(colon = strrchr(by, ':')) || (size_t)(colon - by) >= sizeof(host))
		return false;
	memcpy(host, by, (size_t)(colon - by));
	host[colon - by] = 0;
	claim_owner(me, sizeof(me));
	if (strncmp(me, host, strlen(host)) != 0 || me[strlen(host)] != ':')
		return false;
	if (attt_parse_int64(colon + 1, 1, INT32_MAX, ret_pid) < 0)
		*ret_pid = 0;
	return true;
}

/* A claim holds while its process lives: on this host, a pid that no longer exists has let go; on
 * another host (a shared data directory), only age ends it. */
static bool claim_live(const char *by, int64_t at, int64_t now)
{
	int64_t pid;

	if (!at)
		return false;
	if (now - at > CLAIM_STALE_US)
		return false;
	if (!claim_here(by, &pid) || !pid)
		return true;
	if ((pid_t)pid == getpid())
		return true;
	return kill((pid_t)pid, 0) == 0 || errno == EPERM;
}

/* Records the directory the claim holder made in its scratch space, so that whoever takes over the
 * claim after a crash removes it. */
static int note_scratch(struct attt_db *db, int64_t id, const char *dir)
{
	struct attt_stmt *st = NULL;
	int r = prep(db, "UPDATE backup_plan SET run_claim_scratch = ? WHERE id = ?", &st);
	if (r < 0)
		return r;
	attt_stmt_bind_text(st, 1, dir);
	attt_stmt_bind_int64(st, 2, id);
	r = attt_stmt_step(st);
	attt_stmt_finalize(st);
	return r < 0 ? r : ATTT_OK;
}

/* The scratch directory of an interrupted claim: removed only when it is one that attt made
 * (attt-drill-* or attt-db-*, a real directory, on this host), never a path the row merely names. */
static void remove_stale_scratch(const char *dir, const char *by)
{
	const char *base = dir ? strrchr(dir, '/') : NULL;
	struct stat sb;
	int64_t pid;

	/* only a holder that is gone: a live one past the stale age may still be writing there */
	if (!base || !claim_here(by, &pid) || !pid || (pid_t)pid == getpid() || kill((pid_t)pid, 0) == 0 ||
	    errno != ESRCH)
		return;
	base++;
	if (strncmp(base, "attt-drill-", 11) != 0 && strncmp(base, "attt-db-", 8) != 0)
		return;
	if (lstat(dir, &sb) == 0 && S_ISDIR(sb.st_mode))
		(void)rm_tree(dir); /* best effort: a leftover is only wasted space */
}

static int record_drill(struct attt_db *db, const struct attt_clock *clock, const struct attt_actor *actor,
			int64_t plan, int64_t agency, const char *name, struct attt_bplan_drill_result *res,
			const char *error);

struct claim_tx {
	const struct attt_clock *clock;
	const struct attt_actor *actor;
	int64_t id, agency_id, now;
	const char *name, *owner, *kind;
	char held_by[320], held_kind[8], held_scratch[ATTT_MAX_PATH];
	int64_t held_at;
};

/* Claims plan id for a run or a drill (t->kind). A stale claim is a run or drill that a crash
 * interrupted: it is recorded as a failed one (error "interrupted") with its audit event and alert,
 * then taken over; the caller removes its scratch directory (held_scratch). */
static int claim_tx(struct attt_db *db, void *ctx)
{
	struct claim_tx *t = ctx;
	struct attt_stmt *st = NULL;
	int64_t retired, at, run_id = 0;
	int r;

	if ((r = prep(db, "SELECT retired_at, run_claimed_at, COALESCE(run_claimed_by, ''), run_claim_kind, "
			  "COALESCE(run_claim_scratch, '') FROM backup_plan WHERE id = ?", &st)) < 0)
		return r;
	attt_stmt_bind_int64(st, 1, t->id);
	if ((r = attt_stmt_step(st)) <= 0) {
		attt_stmt_finalize(st);
		return r < 0 ? r : ATTT_E_NOTFOUND;
	}
	retired = attt_stmt_int64(st, 0);
	at = attt_stmt_int64(st, 1);
	attt_str_copy(t->held_by, sizeof(t->held_by), attt_stmt_text(st, 2));
	attt_str_copy(t->held_kind, sizeof(t->held_kind), attt_stmt_text(st, 3));
	attt_str_copy(t->held_scratch, sizeof(t->held_scratch), attt_stmt_text(st, 4));
	attt_stmt_finalize(st);
	t->held_at = at;
	if (retired)
		return ATTT_E_STATE;
	if (at && claim_live(t->held_by, at, t->now))
		return ATTT_E_BUSY;
	if (at && strcmp(t->held_kind, "drill") == 0) {
		/* R10.2.c: the interrupted drill is a failed drill, in the evidence, the trail and alerted. */
		struct attt_bplan_drill_result d = { .started_at = at, .ended_at = t->now, .err = ATTT_E_IO };
		attt_str_printf(d.why, sizeof(d.why), "bị gián đoạn / interrupted (%s)", t->held_by);
		if ((r = record_drill(db, t->clock, t->actor, t->id, t->agency_id, t->name, &d, "interrupted")) < 0)
			return r;
	} else if (at) {
		if ((r = prep(db, "INSERT INTO backup_run (plan_id, started_at, ended_at, result, error) VALUES "
				  "(?, ?, ?, 'failed', 'interrupted') RETURNING id", &st)) < 0)
			return r;
		attt_stmt_bind_int64(st, 1, t->id);
		attt_stmt_bind_int64(st, 2, at);
		attt_stmt_bind_int64(st, 3, t->now);
		if ((r = attt__bplan_insert_id(st, &run_id)) < 0)
			return r;
		/* R10.1.b: the interrupted run is a failed run, in the trail and alerted. */
		if ((r = audit(db, t->clock, t->actor, "backup.plan.run", t->id, t->agency_id, ATTT_AUDIT_FAILURE,
			       "R10.1.b", json_pack("{s:I,s:s,s:s,s:s}", "run", (json_int_t)run_id, "result", "failed",
						    "error", "interrupted", "claimed_by", t->held_by))) < 0)
			return r;
		if ((r = alert_failed(db, t->clock, t->id, t->agency_id, t->name, run_id, "interrupted", false)) < 0)
			return r;
	}
	if ((r = prep(db, "UPDATE backup_plan SET run_claimed_at = ?, run_claimed_by = ?, run_claim_kind = ?, "
			  "run_claim_scratch = NULL WHERE id = ?", &st)) < 0)
		return r;
	attt_stmt_bind_int64(st, 1, t->now);
	attt_stmt_bind_text(st, 2, t->owner);
	attt_stmt_bind_text(st, 3, t->kind);
	attt_stmt_bind_int64(st, 4, t->id);
	r = attt_stmt_step(st);
	attt_stmt_finalize(st);
	return r < 0 ? r : ATTT_OK;
}

/* Claims plan id for kind ("run" or "drill") at now, and removes what an interrupted claim left. */
static int claim(struct attt_db *db, const struct attt_clock *clock, const struct attt_actor *actor, int64_t id,
		 int64_t agency_id, const char *name, const char *kind, int64_t now)
{
	char owner[300];
	struct claim_tx c = { .clock = clock, .actor = actor, .id = id, .agency_id = agency_id, .now = now,
			      .name = name, .owner = owner, .kind = kind };
	int r;

	claim_owner(owner, sizeof(owner));
	if ((r = attt_db_tx(db, claim_tx, &c)) < 0)
		return r;
	if (c.held_at && c.held_scratch[0])
		remove_stale_scratch(c.held_scratch, c.held_by);
	return ATTT_OK;
}

static int release_claim(struct attt_db *db, int64_t id)
{
	struct attt_stmt *st = NULL;
	int r = prep(db, "UPDATE backup_plan SET run_claimed_at = 0, run_claimed_by = NULL, run_claim_kind = 'run', "
			 "run_claim_scratch = NULL WHERE id = ?", &st);
	if (r < 0)
		return r;
	attt_stmt_bind_int64(st, 1, id);
	r = attt_stmt_step(st);
	attt_stmt_finalize(st);
	return r < 0 ? r : ATTT_OK;
}

/* What the transaction that records a run (run_tx) or a drill (drill_tx) needs. */
struct job_tx {
	const struct attt_clock *clock;
	const struct attt_actor *actor;
	int64_t id, agency_id;
	const char *name;
	void *res;                       /* struct attt_bplan_run_result or attt_bplan_drill_result */
};

static int run_tx(struct attt_db *db, void *ctx)
{
	struct job_tx *t = ctx;
	struct attt_bplan_run_result *res = t->res;
	struct attt_stmt *st = NULL;
	bool ok = res->err == ATTT_OK;
	int r;

	if ((r = prep(db, "INSERT INTO backup_run (plan_id, started_at, ended_at, result, bytes, files, snapshot, "
			  "error) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id", &st)) < 0)
		return r;
	attt_stmt_bind_int64(st, 1, t->id);
	attt_stmt_bind_int64(st, 2, res->started_at);
	attt_stmt_bind_int64(st, 3, res->ended_at);
	attt_stmt_bind_text(st, 4, ok ? "ok" : "failed");
	attt_stmt_bind_int64(st, 5, (int64_t)res->bytes);
	attt_stmt_bind_int64(st, 6, (int64_t)res->files);
	attt_stmt_bind_text(st, 7, ok ? res->snapshot : NULL);
	attt_stmt_bind_text(st, 8, ok ? NULL : attt_err_name(res->err));
	if ((r = attt__bplan_insert_id(st, &res->run_id)) < 0)
		return r;
	if (ok && (r = mark_ok(db, "UPDATE backup_plan SET last_ok_at = ? WHERE id = ?", res->ended_at, t->id)) < 0)
		return r;
	if ((r = release_claim(db, t->id)) < 0)
		return r;
	/* R10.1.b: a failed run raises an alert to the agency's officers. */
	if (!ok && (r = alert_failed(db, t->clock, t->id, t->agency_id, t->name, res->run_id, attt_err_name(res->err),
				     false)) < 0)
		return r;
	/* R10.1.b: every run, and every failure, is an audit event. */
	return audit(db, t->clock, t->actor, "backup.plan.run", t->id, t->agency_id,
		     ok ? ATTT_AUDIT_SUCCESS : ATTT_AUDIT_FAILURE, "R10.1.b",
		     json_pack("{s:I,s:s,s:I,s:I,s:s?,s:s?}", "run", (json_int_t)res->run_id, "result",
			       ok ? "ok" : "failed", "files", (json_int_t)res->files, "bytes", (json_int_t)res->bytes,
			       "snapshot", ok ? res->snapshot : NULL, "error", ok ? NULL : attt_err_name(res->err)));
}

int attt_bplan_run(struct attt_db *db, const struct attt_clock *clock, const struct attt_actor *actor,
		   const struct attt_bplan_env *env, int64_t id, struct attt_bplan_run_result *ret)
{
	struct plan_row row = { 0 };
	struct attt_bplan_run_result res = { 0 };
	struct attt_backup_repo *repo = NULL;
	struct attt_backup_stats stats = { 0 };
	char dbtmp[ATTT_MAX_PATH] = "";
	char *pass = NULL;
	size_t pn = 0;
	int r;

	if ((r = attt_bplan_list(db, 0, 0, id, 0, get_plan, &row)) < 0)
		goto out;
	res.started_at = attt_now_us(clock);
	if ((r = claim(db, clock, actor, id, row.agency_id, row.name, "run", res.started_at)) < 0)
		goto out;
	/* R10.2.c: the device may have changed since the plan was added (a disk mounted elsewhere). */
	res.err = attt_bplan_check_devices(env, row.repo, (const char *const *)row.sources, row.n_sources, NULL, 0);
	if (res.err == ATTT_OK)
		res.err = read_pass(row.passfile, &pass, &pn);
	if (res.err == ATTT_OK)
		res.err = open_repo(row.repo, pass, pn, &repo);
	if (pass) {
		sodium_free(pass);
		pass = NULL;
	}
	if (res.err == ATTT_OK && row.with_database)
		res.err = copy_database(db, env, id, &row, dbtmp, sizeof(dbtmp));
	if (res.err == ATTT_OK) {
		struct attt_backup_save_opts so = {
			.paths = (const char *const *)row.sources,
			.n_paths = row.n_sources,
			.clock = clock,
		};
		char tag[64];
		const char *tags[1] = { tag };
		attt_str_printf(tag, sizeof(tag), "plan-%lld", (long long)id);
		so.tags = tags;
		so.n_tags = 1;
		res.err = attt_backup_save(repo, &so, &stats, res.snapshot);
		if (res.err == ATTT_OK && stats.errors)
			res.err = ATTT_E_IO;
		res.files = stats.files;
		res.bytes = stats.bytes;
	}
	attt_backup_close(repo);
	if (dbtmp[0] && rm_tree(dbtmp) < 0 && res.err == ATTT_OK)
		res.err = ATTT_E_IO;
	res.ended_at = attt_now_us(clock);
	{
		struct job_tx t = { .clock = clock, .actor = actor, .id = id, .agency_id = row.agency_id,
				    .name = row.name, .res = &res };
		if ((r = attt_db_tx(db, run_tx, &t)) < 0) {
			/* not recorded: let go of the plan so that the next run is not refused */
			release_claim(db, id);
			goto out;
		}
	}
	*ret = res;
out:
	free_sources(row.sources, row.n_sources);
	return r;
}

/* --- overdue alerts ---------------------------------------------------------------------------- */

struct alert_tx {
	const struct attt_clock *clock;
	int64_t id, agency_id, due_at;
	const char *name;
};

/* R10.1.b: the agency's security officers (grants on it or an agency above) hear of an overdue plan. */
static int alert_tx(struct attt_db *db, void *ctx)
{
	struct alert_tx *t = ctx;
	struct attt_stmt *st = NULL;
	struct attt_buf subject, body;
	int r;

	attt_buf_init(&subject, 1024);
	attt_buf_init(&body, ATTT_MAX_TEXT);
	attt_buf_addf(&subject, "Sao lưu quá hạn / Backup overdue: %s", t->name);
	attt_buf_addf(&body,
		      "Kế hoạch sao lưu \"%s\" (số %lld) chưa chạy thành công trong chu kỳ quy định (R10.1.b).\n"
		      "Backup plan \"%s\" (no. %lld) has not run successfully within its interval (R10.1.b).\n"
		      "Kiểm tra / check: attt backup plan list\n",
		      t->name, (long long)t->id, t->name, (long long)t->id);
	r = notify_officers(db, t->clock, t->agency_id, "backup.overdue", "backup_plan", t->id, attt_buf_str(&subject),
			    attt_buf_str(&body));
	if (r < 0)
		goto out;
	if ((r = prep(db, "UPDATE backup_plan SET overdue_due_at = ? WHERE id = ?", &st)) < 0)
		goto out;
	attt_stmt_bind_int64(st, 1, t->due_at);
	attt_stmt_bind_int64(st, 2, t->id);
	r = attt_stmt_step(st);
	attt_stmt_finalize(st);
out:
	attt_buf_done(&subject);
	attt_buf_done(&body);
	return r < 0 ? r : ATTT_OK;
}

struct due { int64_t id, agency_id, due_at; char *name; };
struct due_list { struct due *v; size_t n; };

int attt_bplan_alert_overdue(struct attt_db *db, const struct attt_clock *clock, unsigned *ret_alerted)
{
	struct attt_stmt *st = NULL;
	struct due_list l = { 0 };
	int64_t now = attt_now_us(clock);
	unsigned alerted = 0;
	int r;

	/* A plan whose run is in progress (a live claim) is not missed yet: its run may end in time. A
	 * drill in progress does not make a backup: its plan is alerted as any other. */
	r = prep(db,
		 "SELECT id, agency_id, name, (CASE WHEN last_ok_at > 0 THEN last_ok_at ELSE created_at END) + "
		 "interval_days * ? AS due, CASE WHEN run_claim_kind = 'run' THEN run_claimed_at ELSE 0 END, "
		 "run_claimed_by FROM backup_plan WHERE retired_at = 0 "
		 "AND (CASE WHEN last_ok_at > 0 THEN last_ok_at ELSE created_at END) + interval_days * ? < ? "
		 "AND overdue_due_at <> (CASE WHEN last_ok_at > 0 THEN last_ok_at ELSE created_at END) + "
		 "interval_days * ? ORDER BY id",
		 &st);
	if (r < 0)
		return r;
	attt_stmt_bind_int64(st, 1, DAY_US);
	attt_stmt_bind_int64(st, 2, DAY_US);
	attt_stmt_bind_int64(st, 3, now);
	attt_stmt_bind_int64(st, 4, DAY_US);
	while ((r = attt_stmt_step(st)) > 0) {
		if (claim_live(attt_stmt_text(st, 5), attt_stmt_int64(st, 4), now))
			continue;
		struct due *nv = realloc(l.v, (l.n + 1) * sizeof(*nv));
		if (!nv) {
			r = ATTT_E_NOMEM;
			break;
		}
		l.v = nv;
		l.v[l.n] = (struct due){ attt_stmt_int64(st, 0), attt_stmt_int64(st, 1), attt_stmt_int64(st, 3),
					 strdup(attt_stmt_text(st, 2)) };
		if (!l.v[l.n++].name) {
			r = ATTT_E_NOMEM;
			break;
		}
	}
	attt_stmt_finalize(st);
	for (size_t i = 0; r >= 0 && i < l.n; i++) {
		struct alert_tx t = { .clock = clock, .id = l.v[i].id, .agency_id = l.v[i].agency_id,
				      .due_at = l.v[i].due_at, .name = l.v[i].name };
		if ((r = attt_db_tx(db, alert_tx, &t)) >= 0)
			alerted++;
	}
	for (size_t i = 0; i < l.n; i++)
		free(l.v[i].name);
	free(l.v);
	if (r < 0)
		return r;
	if (ret_alerted)
		*ret_alerted = alerted;
	return ATTT_OK;
}

/* --- editing and retiring ------------------------------------------------------------------------ */

struct edit_tx {
	const struct attt_clock *clock;
	const struct attt_actor *actor;
	int64_t id, agency_id, drill_days;
	const struct attt_bplan_spec *s;
	bool set_sources;
	json_t *changed;                 /* {"field": [old, new]}, stolen by the audit event */
};

static int edit_tx(struct attt_db *db, void *ctx)
{
	struct edit_tx *t = ctx;
	const struct attt_bplan_spec *s = t->s;
	struct attt_stmt *st = NULL;
	int r;

	if ((r = prep(db, "UPDATE backup_plan SET name = ?, repo = ?, passphrase_file = ?, interval_days = ?, "
			  "drill_days = ?, with_database = ?, run_by = ?, updated_at = ? WHERE id = ? AND retired_at = 0",
		      &st)) < 0)
		return r;
	attt_stmt_bind_text(st, 1, s->name);
	attt_stmt_bind_text(st, 2, s->repo);
	attt_stmt_bind_text(st, 3, s->passphrase_file);
	attt_stmt_bind_int64(st, 4, s->interval_days);
	attt_stmt_bind_int64(st, 5, t->drill_days);
	attt_stmt_bind_int64(st, 6, s->with_database);
	attt_stmt_bind_text(st, 7, s->run_by);
	attt_stmt_bind_int64(st, 8, attt_now_us(t->clock));
	attt_stmt_bind_int64(st, 9, t->id);
	r = attt_stmt_step(st);
	attt_stmt_finalize(st);
	if (r < 0)
		return r;
	if (attt_db_changes(db) != 1)
		return ATTT_E_STATE; /* retired meanwhile */
	if (t->set_sources) {
		if ((r = prep(db, "DELETE FROM backup_plan_source WHERE plan_id = ?", &st)) < 0)
			return r;
		attt_stmt_bind_int64(st, 1, t->id);
		r = attt_stmt_step(st);
		attt_stmt_finalize(st);
		if (r < 0)
			return r;
		if ((r = prep(db, "INSERT INTO backup_plan_source (plan_id, pos, path) VALUES (?, ?, ?)", &st)) < 0)
			return r;
		for (size_t i = 0; r >= 0 && i < s->n_sources; i++) {
			attt_stmt_bind_int64(st, 1, t->id);
			attt_stmt_bind_int64(st, 2, (int64_t)i);
			attt_stmt_bind_text(st, 3, s->sources[i]);
			r = attt_stmt_step(st);
		}
		attt_stmt_finalize(st);
		if (r < 0)
			return r;
	}
	/* R10.1.b: every plan change is an audit event, with what it was and what it became. */
	json_incref(t->changed);
	return audit(db, t->clock, t->actor, "backup.plan.update", t->id, t->agency_id, ATTT_AUDIT_SUCCESS, "R10.1.b",
		     json_pack("{s:o}", "changed", t->changed));
}

static void changed_s(json_t *c, const char *field, const char *old, const char *new)
{
	if (strcmp(old, new) != 0)
		json_object_set_new(c, field, json_pack("[s,s]", old, new));
}

static void changed_i(json_t *c, const char *field, int64_t old, int64_t new)
{
	if (old != new)
		json_object_set_new(c, field, json_pack("[I,I]", (json_int_t)old, (json_int_t)new));
}

static json_t *strv(const char *const *v, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < n; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

int attt_bplan_edit(struct attt_db *db, const struct attt_clock *clock, const struct attt_actor *actor,
		    const struct attt_bplan_env *env, int64_t id, const struct attt_bplan_edit *e, char *why,
		    size_t why_size)
{
	struct plan_row row = { 0 };
	struct attt_bplan_spec s;
	struct edit_tx t = { .clock = clock, .actor = actor, .id = id, .s = &s, .set_sources = e->set_sources };
	int r;

	if ((r = attt_bplan_list(db, 0, 0, id, 0, get_plan, &row)) < 0) {
		if (r == ATTT_E_NOTFOUND)
			set_why(why, why_size, "không có kế hoạch này / no such plan");
		goto out;
	}
	if (row.retired_at) {
		set_why(why, why_size, "kế hoạch đã gỡ bỏ / the plan was removed");
		r = ATTT_E_STATE;
		goto out;
	}
	s = (struct attt_bplan_spec){
		.agency_id = row.agency_id,
		.name = e->name ? e->name : row.name,
		.sources = e->set_sources ? e->sources : (const char *const *)row.sources,
		.n_sources = e->set_sources ? e->n_sources : row.n_sources,
		.with_database = e->with_database < 0 ? row.with_database : e->with_database != 0,
		.repo = e->repo ? e->repo : row.repo,
		.passphrase_file = e->passphrase_file ? e->passphrase_file : row.passfile,
		.interval_days = e->interval_days ? e->interval_days : row.interval_days,
		.run_by = e->run_by ? e->run_by : row.run_by,
	};
	t.agency_id = row.agency_id;
	t.drill_days = e->drill_days ? e->drill_days : row.drill_days;
	/* R10.1.b, R10.2.c: the plan as edited is held to the rules of a new plan. */
	if ((r = check_spec(env, &s, t.drill_days, why, why_size)) < 0)
		goto out;
	if (!(t.changed = json_object())) {
		r = ATTT_E_NOMEM;
		goto out;
	}
	changed_s(t.changed, "name", row.name, s.name);
	changed_s(t.changed, "repo", row.repo, s.repo);
	changed_s(t.changed, "passphrase_file", row.passfile, s.passphrase_file);
	changed_s(t.changed, "run_by", row.run_by, s.run_by);
	changed_i(t.changed, "interval_days", row.interval_days, s.interval_days);
	changed_i(t.changed, "drill_days", row.drill_days, t.drill_days);
	changed_i(t.changed, "database", row.with_database, s.with_database);
	if (e->set_sources) {
		bool same = e->n_sources == row.n_sources;
		for (size_t i = 0; same && i < e->n_sources; i++)
			same = strcmp(e->sources[i], row.sources[i]) == 0;
		if (!same)
			json_object_set_new(t.changed, "sources",
					    json_pack("[o,o]", strv((const char *const *)row.sources, row.n_sources),
						      strv(e->sources, e->n_sources)));
		t.set_sources = !same;
	}
	if (json_object_size(t.changed) == 0) {
		set_why(why, why_size, "không có gì thay đổi / nothing to change");
		r = ATTT_E_INVAL;
		goto out;
	}
	r = attt_db_tx(db, edit_tx, &t);
	if (r == ATTT_E_EXISTS)
		set_why(why, why_size, "tên kế hoạch đã có trong cơ quan / plan name already used in the agency");
out:
	json_decref(t.changed);
	free_sources(row.sources, row.n_sources);
	return r;
}

struct retire_tx {
	const struct attt_clock *clock;
	const struct attt_actor *actor;
	int64_t id;
	const char *reason;
	const char *table, *object, *action, *rule;
};

/* Retires a plan or a catalogue entry: the row stays, marked, with its reason; audited. */
static int retire_tx(struct attt_db *db, void *ctx)
{
	struct retire_tx *t = ctx;
	struct attt_stmt *st = NULL;
	char sql[256];
	int64_t agency, retired, claimed;
	json_t *sum;
	int r;

	attt_str_printf(sql, sizeof(sql), "SELECT agency_id, retired_at, %s, %s FROM %s WHERE id = ?",
			strcmp(t->table, "backup_plan") == 0 ? "name" : "item",
			strcmp(t->table, "backup_plan") == 0 ? "run_claimed_at" : "0", t->table);
	if ((r = prep(db, sql, &st)) < 0)
		return r;
	attt_stmt_bind_int64(st, 1, t->id);
	if ((r = attt_stmt_step(st)) <= 0) {
		attt_stmt_finalize(st);
		return r < 0 ? r : ATTT_E_NOTFOUND;
	}
	agency = attt_stmt_int64(st, 0);
	retired = attt_stmt_int64(st, 1);
	claimed = attt_stmt_int64(st, 3);
	sum = json_pack("{s:s,s:s}", strcmp(t->table, "backup_plan") == 0 ? "name" : "item", attt_stmt_text(st, 2),
			"reason", t->reason);
	attt_stmt_finalize(st);
	if (!sum)
		return ATTT_E_NOMEM;
	if (retired || claimed) {
		json_decref(sum);
		return retired ? ATTT_E_STATE : ATTT_E_BUSY;
	}
	attt_str_printf(sql, sizeof(sql), "UPDATE %s SET retired_at = ?, retired_reason = ? WHERE id = ?", t->table);
	if ((r = prep(db, sql, &st)) < 0) {
		json_decref(sum);
		return r;
	}
	attt_stmt_bind_int64(st, 1, attt_now_us(t->clock));
	attt_stmt_bind_text(st, 2, t->reason);
	attt_stmt_bind_int64(st, 3, t->id);
	r = attt_stmt_step(st);
	attt_stmt_finalize(st);
	if (r < 0) {
		json_decref(sum);
		return r;
	}
	{
		char oid[32];
		char *text = json_dumps(sum, JSON_COMPACT);
		json_decref(sum);
		if (!text)
			return ATTT_E_NOMEM;
		attt_str_printf(oid, sizeof(oid), "%lld", (long long)t->id);
		struct attt_audit_event ev = { .category = ATTT_AUDIT_DATA, .action = t->action, .object_type = t->object,
					       .object_id = oid, .agency_id = agency, .outcome = ATTT_AUDIT_SUCCESS,
					       .rule = t->rule, .summary = text };
		r = attt_audit_append(db, t->clock, t->actor, &ev, NULL);
		free(text);
	}
	return r;
}

int attt__bplan_retire(struct attt_db *db, const struct attt_clock *clock, const struct attt_actor *actor, int64_t id,
		       const char *reason, bool plan, char *why, size_t why_size)
{
	struct retire_tx t = { .clock = clock, .actor = actor, .id = id, .reason = reason,
			       .table = plan ? "backup_plan" : "backup_catalogue",
			       .object = plan ? "backup_plan" : "backup_catalogue",
			       .action = plan ? "backup.plan.retire" : "backup.catalogue.retire",
			       .rule = plan ? "R10.1.b" : "R10.2.b" };
	int r;

	if (!attt__bplan_text_ok(reason, ATTT_MAX_SHORT_TEXT)) {
		set_why(why, why_size, "--reason: cần lý do / a reason is required");
		return ATTT_E_INVAL;
	}
	r = attt_db_tx(db, retire_tx, &t);
	if (r == ATTT_E_NOTFOUND)
		set_why(why, why_size, plan ? "không có kế hoạch này / no such plan" : "không có mục này / no such entry");
	else if (r == ATTT_E_STATE)
		set_why(why, why_size, "đã gỡ bỏ trước đó / already removed");
	else if (r == ATTT_E_BUSY)
		set_why(why, why_size, "đang chạy sao lưu / a run is in progress");
	return r;
}

int attt_bplan_retire(struct attt_db *db, const struct attt_clock *clock, const struct attt_actor *actor,
		      int64_t id, const char *reason, char *why, size_t why_size)
{
	return attt__bplan_retire(db, clock, actor, id, reason, true, why, why_size);
}

/* --- attt's own database, repositories ------------------------------------------------------------ */

static int one_id(struct attt_db *db, const char *sql, int64_t *ret)
{
	struct attt_stmt *st = NULL;
	int r = prep(db, sql, &st);
	if (r < 0)
		return r;
	r = attt_stmt_step(st);
	if (r > 0)
		*ret = attt_stmt_int64(st, 0);
	attt_stmt_finalize(st);
	return r < 0 ? r : r > 0 ? ATTT_OK : ATTT_E_NOTFOUND;
}

int attt_bplan_db_plan(struct attt_db *db, int64_t *ret_id)
{
	int64_t id = 0;
	int r = one_id(db, "SELECT id FROM backup_plan WHERE with_database = 1 AND retired_at = 0 ORDER BY id LIMIT 1",
		       &id);
	if (r < 0 && r != ATTT_E_NOTFOUND)
		return r;
	*ret_id = r == ATTT_OK ? id : 0;
	return ATTT_OK;
}

int attt_bplan_root_agency(struct attt_db *db, int64_t *ret_id)
{
	return one_id(db, "SELECT id FROM agency WHERE depth = 1 AND status = 'active' ORDER BY id LIMIT 1", ret_id);
}

int attt_bplan_find_repo(struct attt_db *db, const char *repo, int64_t *ret_id, int64_t *ret_agency_id)
{
	struct attt_stmt *st = NULL;
	struct stat want, sb;
	int r;

	if (stat(repo, &want) != 0)
		return ATTT_E_NOTFOUND;
	if ((r = prep(db, "SELECT id, agency_id, repo FROM backup_plan ORDER BY retired_at <> 0, id", &st)) < 0)
		return r;
	r = ATTT_E_NOTFOUND;
	while (attt_stmt_step(st) > 0) {
		if (stat(attt_stmt_text(st, 2), &sb) == 0 && sb.st_dev == want.st_dev && sb.st_ino == want.st_ino) {
			*ret_id = attt_stmt_int64(st, 0);
			*ret_agency_id = attt_stmt_int64(st, 1);
			r = ATTT_OK;
			break;
		}
	}
	attt_stmt_finalize(st);
	return r;
}

struct dbalert_tx {
	const struct attt_clock *clock;
	int64_t every_us;
	bool alerted;
};

/* attt's own database without a plan: the administrators and the top-level officers hear of it. */
static int dbalert_tx(struct attt_db *db, void *ctx)
{
	struct dbalert_tx *t = ctx;
	struct attt_stmt *st = NULL;
	int64_t now = attt_now_us(t->clock), last = 0, plan = 0;
	char stamp[32];
	int r;

	if ((r = attt_bplan_db_plan(db, &plan)) < 0 || plan)
		return r;
	r = one_id(db, "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'backup_db_alerted_at'", &last);
	if (r < 0 && r != ATTT_E_NOTFOUND)
		return r;
	if (r == ATTT_OK && now - last < t->every_us)
		return ATTT_OK;
	r = prep(db,
		 "SELECT DISTINCT g.account_id, COALESCE(o.person_id, 0), p.email FROM role_grant g "
		 "JOIN account o ON o.id = g.account_id LEFT JOIN person p ON p.id = o.person_id "
		 "LEFT JOIN agency a ON a.id = g.agency_id WHERE o.status <> 'disabled' AND (g.role = 'admin' OR "
		 "(g.role = 'security_officer' AND a.depth = 1)) ORDER BY g.account_id",
		 &st);
	if (r < 0)
		return r;
	while ((r = attt_stmt_step(st)) > 0) {
		struct attt_notify_msg m = {
			.kind = "backup.db_unprotected",
			.to_address = attt_stmt_text(st, 2),
			.person_id = attt_stmt_int64(st, 1),
			.account_id = attt_stmt_int64(st, 0),
			.subject = "CSDL attt chưa được sao lưu / attt's database has no backup plan",
			.body = "Chưa có kế hoạch sao lưu cơ sở dữ liệu của attt (R10.1.b). Bật bằng một lệnh:\n"
				"attt's own database has no backup plan (R10.1.b). Enable it with one command:\n"
				"attt backup plan add --builtin --repo KHO/REPO --passphrase-file TỆP/FILE\n"
				"(docs/backup-plans.md)\n",
		};
		if ((r = attt_notify_enqueue(db, t->clock, &m, NULL)) < 0)
			break;
	}
	attt_stmt_finalize(st);
	if (r < 0)
		return r;
	attt_str_printf(stamp, sizeof(stamp), "%lld", (long long)now);
	if ((r = prep(db, "INSERT INTO meta (key, value) VALUES ('backup_db_alerted_at', ?) "
			  "ON CONFLICT (key) DO UPDATE SET value = excluded.value", &st)) < 0)
		return r;
	attt_stmt_bind_text(st, 1, stamp);
	r = attt_stmt_step(st);
	attt_stmt_finalize(st);
	if (r < 0)
		return r;
	t->alerted = true;
	return ATTT_OK;
}

int attt_bplan_alert_db_unprotected(struct attt_db *db, const struct attt_clock *clock, int64_t every_us,
				    bool *ret_alerted)
{
	struct dbalert_tx t = { .clock = clock, .every_us = every_us };
	int r = attt_db_tx(db, dbalert_tx, &t);
	if (r < 0)
		return r;
	if (ret_alerted)
		*ret_alerted = t.alerted;
	return ATTT_OK;
}

/* --- the scheduler's choice (R10.1.b, R10.2.c) ------------------------------------------------------ */

/* The first plan of sql's rows (id, claimed_at, claimed_by, base, try; earliest base first) whose
 * time has come at now: base, but never sooner than retry_us after its last attempt (try), and not
 * claimed by a live run or drill. */
static int pick_due(struct attt_db *db, const char *sql, int64_t retry_us, int64_t now_us, int64_t *ret_id)
{
	struct attt_stmt *st = NULL;
	int r;

	if ((r = prep(db, sql, &st)) < 0)
		return r;
	attt_stmt_bind_int64(st, 1, DAY_US);
	r = ATTT_E_NOTFOUND;
	while (attt_stmt_step(st) > 0) {
		int64_t at = attt_stmt_int64(st, 3);
		if (!attt_stmt_is_null(st, 4) && attt_stmt_int64(st, 4) + retry_us > at)
			at = attt_stmt_int64(st, 4) + retry_us;
		if (at > now_us || claim_live(attt_stmt_text(st, 2), attt_stmt_int64(st, 1), now_us))
			continue;
		*ret_id = attt_stmt_int64(st, 0);
		r = ATTT_OK;
		break;
	}
	attt_stmt_finalize(st);
	return r;
}

int attt_bplan_next_due(struct attt_db *db, int64_t now_us, int64_t *ret_id)
{
	/* run_at: creation when never successful, else the start of the last success plus the
	 * interval (so that the next run begins before the plan falls overdue, which counts from the
	 * end of that run); never sooner than an hour after the last attempt. */
	return pick_due(db,
			"SELECT id, run_claimed_at, run_claimed_by, CASE WHEN ok IS NULL THEN created_at ELSE ok + "
			"interval_days * ?1 END AS base, try FROM (SELECT p.*, (SELECT max(started_at) FROM backup_run r "
			"WHERE r.plan_id = p.id AND r.result = 'ok') AS ok, (SELECT max(started_at) FROM backup_run r WHERE "
			"r.plan_id = p.id) AS try FROM backup_plan p WHERE p.retired_at = 0 AND p.run_by = 'serve') q "
			"ORDER BY base, id",
			ATTT_BPLAN_RETRY_US, now_us, ret_id);
}

/* R10.2.c: drills by the scheduler, for the plans it runs, once they have a snapshot to restore. */
int attt_bplan_next_drill_due(struct attt_db *db, int64_t now_us, int64_t *ret_id)
{
	/* drill_at: at once when never drilled successfully, else the start of the last successful
	 * drill plus the drill period (the drill-overdue flag counts from its end); never sooner than
	 * a day after the last attempt, so that a drill that fails (no room, a damaged repository) is
	 * not repeated all day: its officers were alerted by the first failure. */
	return pick_due(db,
			"SELECT id, run_claimed_at, run_claimed_by, CASE WHEN ok IS NULL THEN 0 ELSE ok + drill_days * ?1 "
			"END AS base, try FROM (SELECT p.*, (SELECT max(started_at) FROM backup_drill d WHERE d.plan_id = "
			"p.id AND d.result = 'ok') AS ok, (SELECT max(started_at) FROM backup_drill d WHERE d.plan_id = "
			"p.id) AS try FROM backup_plan p WHERE p.retired_at = 0 AND p.run_by = 'serve' AND "
			"p.last_ok_at > 0) q ORDER BY base, id",
			ATTT_BPLAN_DRILL_RETRY_US, now_us, ret_id);
}

/* --- restore drills (R10.2.c) ------------------------------------------------------------------ */

struct verify {
	const char *root;
	uint64_t files, bytes;
	char *why; size_t why_size;
	int err;
};

/* Every file of the snapshot exists in the restored tree with its kind and size. */
static int verify_entry(void *ctx, const struct attt_backup_entry *e)
{
	struct verify *v = ctx;
	char path[ATTT_MAX_PATH * 2];
	struct stat sb;
	bool ok;

	if (attt_str_printf(path, sizeof(path), "%s/%s", v->root, e->path) < 0)
		return ATTT_E_TOOBIG;
	if (lstat(path, &sb) != 0) {
		ok = false;
	} else {
		switch (e->kind) {
		case ATTT_BACKUP_FILE: ok = S_ISREG(sb.st_mode) && (uint64_t)sb.st_size == e->size; break;
		case ATTT_BACKUP_DIR: ok = S_ISDIR(sb.st_mode); break;
		case ATTT_BACKUP_SYMLINK: ok = S_ISLNK(sb.st_mode); break;
		default: ok = true; break; /* devices and fifos are not restored without privileges */
		}
	}
	if (!ok) {
		attt_str_printf(v->why, v->why_size, "%s: khác bản sao lưu / differs from the snapshot", e->path);
		v->err = ATTT_E_CORRUPT;
		return ATTT_E_CORRUPT;
	}
	if (e->kind == ATTT_BACKUP_FILE) {
		v->files++;
		v->bytes += e->size;
	}
	return ATTT_OK;
}

static int drill_restore(const struct attt_bplan_env *env, struct attt_backup_repo *repo, const char *scratch,
			 struct attt_bplan_drill_result *res)
{
	struct attt_backup_snapshot *snap = NULL;
	struct attt_backup_stats st = { 0 };
	struct verify v = { .root = scratch, .why = res->why, .why_size = sizeof(res->why) };
	uint64_t avail = 0, need;
	int r;

	if ((r = attt_backup_find_snapshot(repo, "latest", &snap)) < 0) {
		attt_str_copy(res->why, sizeof(res->why), "chưa có bản sao lưu / no snapshot yet");
		return r;
	}
	attt_str_copy(res->snapshot, sizeof(res->snapshot), snap->id);
	/* R10.2.c: room for the whole snapshot, and some to spare for the device's other users */
	need = snap->stats.bytes + snap->stats.bytes / 20 + ATTT_BPLAN_DRILL_RESERVE_BYTES;
	if ((r = env->space ? env->space(env->space_ctx, scratch, &avail)
			    : attt_bplan_path_space(NULL, scratch, &avail)) < 0) {
		attt_str_printf(res->why, sizeof(res->why), "statvfs %s", scratch);
		goto out;
	}
	if (avail < need) {
		attt_str_printf(res->why, sizeof(res->why),
				"thư mục tạm %s còn %llu MiB, cần %llu MiB / the scratch directory has %llu MiB free, "
				"the drill needs %llu MiB (backup.scratch_dir, --scratch)",
				scratch_of(env), (unsigned long long)(avail >> 20), (unsigned long long)(need >> 20),
				(unsigned long long)(avail >> 20), (unsigned long long)(need >> 20));
		r = ATTT_E_TOOBIG;
		goto out;
	}
	if ((r = attt_backup_restore(repo, snap->id, scratch, NULL, &st)) < 0) {
		attt_str_copy(res->why, sizeof(res->why), "khôi phục thất bại / restore failed");
		goto out;
	}
	res->files = st.files;
	res->bytes = st.bytes;
	if (st.errors) {
		attt_str_printf(res->why, sizeof(res->why), "%llu mục không khôi phục được / entries not restored",
				(unsigned long long)st.errors);
		r = ATTT_E_CORRUPT;
		goto out;
	}
	if ((r = attt_backup_ls(repo, snap->id, verify_entry, &v)) < 0)
		goto out;
	if (v.files != snap->stats.files || v.bytes != snap->stats.bytes) {
		attt_str_printf(res->why, sizeof(res->why),
				"%llu tệp, %llu byte; bản sao lưu ghi / the snapshot records %llu files, %llu bytes",
				(unsigned long long)v.files, (unsigned long long)v.bytes,
				(unsigned long long)snap->stats.files, (unsigned long long)snap->stats.bytes);
		r = ATTT_E_CORRUPT;
	}
out:
	attt_backup_snapshots_free(snap, 1);
	return r;
}

/* R10.2.c: one drill in the evidence (backup_drill), its audit event and, for a failure that starts
 * a streak, the officers' alert; in the caller's transaction. error: the name recorded for a
 * failure. */
static int record_drill(struct attt_db *db, const struct attt_clock *clock, const struct attt_actor *actor,
			int64_t plan, int64_t agency, const char *name, struct attt_bplan_drill_result *res,
			const char *error)
{
	struct attt_stmt *st = NULL;
	bool ok = res->err == ATTT_OK;
	int r;

	if ((r = prep(db, "INSERT INTO backup_drill (plan_id, started_at, ended_at, result, snapshot, files, bytes, "
			  "error) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id", &st)) < 0)
		return r;
	attt_stmt_bind_int64(st, 1, plan);
	attt_stmt_bind_int64(st, 2, res->started_at);
	attt_stmt_bind_int64(st, 3, res->ended_at);
	attt_stmt_bind_text(st, 4, ok ? "ok" : "failed");
	attt_stmt_bind_text(st, 5, res->snapshot[0] ? res->snapshot : NULL);
	attt_stmt_bind_int64(st, 6, (int64_t)res->files);
	attt_stmt_bind_int64(st, 7, (int64_t)res->bytes);
	attt_stmt_bind_text(st, 8, ok ? NULL : error);
	if ((r = attt__bplan_insert_id(st, &res->drill_id)) < 0)
		return r;
	if (ok && (r = mark_ok(db, "UPDATE backup_plan SET last_drill_ok_at = ? WHERE id = ?", res->ended_at, plan)) < 0)
		return r;
	/* R10.2.c: a failed drill alerts the agency's officers, once per streak. */
	if (!ok && (r = alert_failed(db, clock, plan, agency, name, res->drill_id, res->why[0] ? res->why : error,
				     true)) < 0)
		return r;
	/* R10.2.c: the drill's duration and result are evidence, in the trail. */
	return audit(db, clock, actor, "backup.plan.drill", plan, agency, ok ? ATTT_AUDIT_SUCCESS : ATTT_AUDIT_FAILURE,
		     "R10.2.c",
		     json_pack("{s:I,s:s,s:I,s:I,s:I,s:s?,s:s?}", "drill", (json_int_t)res->drill_id, "result",
			       ok ? "ok" : "failed", "duration_ms", (json_int_t)((res->ended_at - res->started_at) / 1000),
			       "files", (json_int_t)res->files, "bytes", (json_int_t)res->bytes, "snapshot",
			       res->snapshot[0] ? res->snapshot : NULL, "error", ok ? NULL : res->why));
}

static int drill_tx(struct attt_db *db, void *ctx)
{
	struct job_tx *t = ctx;
	struct attt_bplan_drill_result *res = t->res;
	int r;

	if ((r = release_claim(db, t->id)) < 0)
		return r;
	return record_drill(db, t->clock, t->actor, t->id, t->agency_id, t->name, res, attt_err_name(res->err));
}

int attt_bplan_drill(struct attt_db *db, const struct attt_clock *clock, const struct attt_actor *actor,
		     const struct attt_bplan_env *env, int64_t id, struct attt_bplan_drill_result *ret)
{
	struct plan_row row = { 0 };
	struct attt_bplan_drill_result res = { 0 };
	struct attt_backup_repo *repo = NULL;
	char scratch[ATTT_MAX_PATH];
	bool made = false;
	char *pass = NULL;
	size_t pn = 0;
	int r;

	if ((r = attt_bplan_list(db, 0, 0, id, 0, get_plan, &row)) < 0)
		goto out;
	if (row.retired_at) {
		r = ATTT_E_STATE;
		goto out;
	}
	res.started_at = attt_now_us(clock);
	/* R10.2.c: a drill and a run of one plan never at once; a crash is found and recorded. */
	if ((r = claim(db, clock, actor, id, row.agency_id, row.name, "drill", res.started_at)) < 0)
		goto out;
	res.err = attt_bplan_check_scratch(env, res.why, sizeof(res.why));
	if (res.err == ATTT_OK && (res.err = read_pass(row.passfile, &pass, &pn)) == ATTT_OK) {
		res.err = attt_backup_open(row.repo, pass, pn, &repo);
		sodium_free(pass);
		if (res.err < 0)
			attt_str_copy(res.why, sizeof(res.why), "mở kho / opening the repository");
	} else if (res.err < 0 && !res.why[0]) {
		attt_str_copy(res.why, sizeof(res.why), "tệp mật khẩu / the passphrase file");
	}
	if (res.err == ATTT_OK &&
	    attt_str_printf(scratch, sizeof(scratch), "%s/attt-drill-XXXXXX", scratch_of(env)) < 0)
		res.err = ATTT_E_TOOBIG;
	if (res.err == ATTT_OK) {
		if (mkdtemp(scratch)) {
			made = true;
			if ((res.err = note_scratch(db, id, scratch)) == ATTT_OK)
				res.err = drill_restore(env, repo, scratch, &res);
		} else {
			attt_str_printf(res.why, sizeof(res.why), "mkdtemp %s", scratch);
			res.err = ATTT_E_IO;
		}
	}
	attt_backup_close(repo);
	if (made && rm_tree(scratch) < 0 && res.err == ATTT_OK) {
		attt_str_printf(res.why, sizeof(res.why), "không xóa được / cannot remove %s", scratch);
		res.err = ATTT_E_IO;
	}
	res.ended_at = attt_now_us(clock);
	{
		struct job_tx t = { .clock = clock, .actor = actor, .id = id, .agency_id = row.agency_id,
				      .name = row.name, .res = &res };
		if ((r = attt_db_tx(db, drill_tx, &t)) < 0) {
			/* not recorded: let go of the plan so that the next run or drill is not refused */
			release_claim(db, id);
			goto out;
		}
	}
	*ret = res;
out:
	free_sources(row.sources, row.n_sources);
	return r;
}
