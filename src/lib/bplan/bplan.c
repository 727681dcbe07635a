/*
 * bplan.c: backup plans (R10.1.b), the device rule for repositories (R10.2.c), recorded and audited
 * runs over the backup engine, and the overdue alert to the agency's security officers.
 */
#include <errno.h>
#include <ftw.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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
			  "created_at, drill_days, with_database) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id", &st)) < 0)
		return r;
	attt_stmt_bind_int64(st, 1, s->agency_id);
	attt_stmt_bind_text(st, 2, s->name);
	attt_stmt_bind_text(st, 3, s->repo);
	attt_stmt_bind_text(st, 4, s->passphrase_file);
	attt_stmt_bind_int64(st, 5, s->interval_days);
	attt_stmt_bind_int64(st, 6, now);
	attt_stmt_bind_int64(st, 7, t->drill_days);
	attt_stmt_bind_int64(st, 8, s->with_database);
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
		     json_pack("{s:s,s:s,s:o,s:b,s:I,s:I}", "name", s->name, "repo", s->repo, "sources", src, "database",
			       s->with_database, "interval_days", (json_int_t)s->interval_days, "drill_days",
			       (json_int_t)t->drill_days));
}

int attt_bplan_add(struct attt_db *db, const struct attt_clock *clock, const struct attt_actor *actor,
		   const struct attt_bplan_env *env, const struct attt_bplan_spec *s, char *why, size_t why_size,
		   int64_t *ret_id)
{
	struct add_tx t = { .clock = clock, .actor = actor, .s = s, .drill_days = s->drill_days ? s->drill_days
											   : env->drill_days };
	char msg[ATTT_MAX_PATH + 256];
	struct stat sb;
	int r;

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
	if (t.drill_days < 1 || t.drill_days > 366) {
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
	if ((r = attt_bplan_check_devices(env, s->repo, s->sources, s->n_sources, why, why_size)) < 0)
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

int attt_bplan_list(struct attt_db *db, int64_t now_us, int64_t agency_id, int64_t id, attt_bplan_fn fn, void *ctx)
{
	struct attt_stmt *st = NULL;
	size_t seen = 0;
	int r;

	r = prep(db,
		 "SELECT p.id, p.agency_id, p.name, p.repo, p.passphrase_file, p.interval_days, p.created_at, "
		 "p.last_ok_at, (SELECT started_at FROM backup_run WHERE plan_id = p.id ORDER BY id DESC LIMIT 1), "
		 "(SELECT result FROM backup_run WHERE plan_id = p.id ORDER BY id DESC LIMIT 1), p.drill_days, "
		 "p.last_drill_ok_at, p.with_database FROM backup_plan p "
		 "WHERE (?1 = 0 OR p.agency_id = ?1) AND (?2 = 0 OR p.id = ?2) ORDER BY p.id",
		 &st);
	if (r < 0)
		return r;
	attt_stmt_bind_int64(st, 1, agency_id);
	attt_stmt_bind_int64(st, 2, id);
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
		};
		char **src = NULL;
		size_t n = 0;
		p.due_at = (p.last_ok_at ? p.last_ok_at : p.created_at) + p.interval_days * DAY_US;
		p.overdue = now_us > p.due_at;
		p.drill_due_at = (p.last_drill_ok_at ? p.last_drill_ok_at : p.created_at) + p.drill_days * DAY_US;
		p.drill_overdue = now_us > p.drill_due_at;
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
	char repo[ATTT_MAX_PATH], passfile[ATTT_MAX_PATH];
	char **sources; size_t n_sources;
	bool with_database;
};

static int get_plan(void *ctx, const struct attt_bplan_info *p)
{
	struct plan_row *row = ctx;
	row->agency_id = p->agency_id;
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

/* attt's own database as a source: an online copy (SQLite backup API, consistent under writers)
 * in <scratch>/attt-db-XXXXXX/attt-database/attt.db; tmp gets the directory to remove. */
static int copy_database(struct attt_db *db, const struct attt_bplan_env *env, struct plan_row *row, char *tmp,
			 size_t tmp_size)
{
	char dir[ATTT_MAX_PATH], file[ATTT_MAX_PATH];
	int r;

	if (attt_str_printf(tmp, tmp_size, "%s/attt-db-XXXXXX", env->scratch_dir ? env->scratch_dir : "/var/tmp") < 0)
		return ATTT_E_TOOBIG;
	if (!mkdtemp(tmp)) {
		tmp[0] = 0;
		return ATTT_E_IO;
	}
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

struct run_tx {
	const struct attt_clock *clock;
	const struct attt_actor *actor;
	int64_t id, agency_id;
	struct attt_bplan_run_result *res;
};

static int run_tx(struct attt_db *db, void *ctx)
{
	struct run_tx *t = ctx;
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

	if ((r = attt_bplan_list(db, 0, 0, id, get_plan, &row)) < 0)
		goto out;
	res.started_at = attt_now_us(clock);
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
		res.err = copy_database(db, env, &row, dbtmp, sizeof(dbtmp));
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
		struct run_tx t = { .clock = clock, .actor = actor, .id = id, .agency_id = row.agency_id, .res = &res };
		if ((r = attt_db_tx(db, run_tx, &t)) < 0)
			goto out;
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
	r = prep(db,
		 "SELECT DISTINCT g.account_id, COALESCE(o.person_id, 0), p.email FROM role_grant g "
		 "JOIN agency top ON top.id = g.agency_id JOIN account o ON o.id = g.account_id "
		 "LEFT JOIN person p ON p.id = o.person_id, agency x WHERE x.id = ? AND g.role = 'security_officer' "
		 "AND substr(x.path, 1, length(top.path)) = top.path AND o.status <> 'disabled' ORDER BY g.account_id",
		 &st);
	if (r < 0)
		goto out;
	attt_stmt_bind_int64(st, 1, t->agency_id);
	while ((r = attt_stmt_step(st)) > 0) {
		struct attt_notify_msg m = {
			.kind = "backup.overdue",
			.to_address = attt_stmt_text(st, 2),
			.person_id = attt_stmt_int64(st, 1),
			.account_id = attt_stmt_int64(st, 0),
			.subject = attt_buf_str(&subject),
			.body = attt_buf_str(&body),
			.ref_type = "backup_plan",
			.ref_id = t->id,
		};
		if ((r = attt_notify_enqueue(db, t->clock, &m, NULL)) < 0)
			break;
	}
	attt_stmt_finalize(st);
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

	r = prep(db,
		 "SELECT id, agency_id, name, (CASE WHEN last_ok_at > 0 THEN last_ok_at ELSE created_at END) + "
		 "interval_days * ? AS due FROM backup_plan WHERE due < ? AND overdue_due_at <> due ORDER BY id",
		 &st);
	if (r < 0)
		return r;
	attt_stmt_bind_int64(st, 1, DAY_US);
	attt_stmt_bind_int64(st, 2, now);
	while ((r = attt_stmt_step(st)) > 0) {
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

static int drill_restore(struct attt_backup_repo *repo, const char *scratch, struct attt_bplan_drill_result *res)
{
	struct attt_backup_snapshot *snap = NULL;
	struct attt_backup_stats st = { 0 };
	struct verify v = { .root = scratch, .why = res->why, .why_size = sizeof(res->why) };
	int r;

	if ((r = attt_backup_find_snapshot(repo, "latest", &snap)) < 0) {
		attt_str_copy(res->why, sizeof(res->why), "chưa có bản sao lưu / no snapshot yet");
		return r;
	}
	attt_str_copy(res->snapshot, sizeof(res->snapshot), snap->id);
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

struct drill_tx {
	const struct attt_clock *clock;
	const struct attt_actor *actor;
	int64_t id, agency_id;
	struct attt_bplan_drill_result *res;
};

static int drill_tx(struct attt_db *db, void *ctx)
{
	struct drill_tx *t = ctx;
	struct attt_bplan_drill_result *res = t->res;
	struct attt_stmt *st = NULL;
	bool ok = res->err == ATTT_OK;
	int r;

	if ((r = prep(db, "INSERT INTO backup_drill (plan_id, started_at, ended_at, result, snapshot, files, bytes, "
			  "error) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id", &st)) < 0)
		return r;
	attt_stmt_bind_int64(st, 1, t->id);
	attt_stmt_bind_int64(st, 2, res->started_at);
	attt_stmt_bind_int64(st, 3, res->ended_at);
	attt_stmt_bind_text(st, 4, ok ? "ok" : "failed");
	attt_stmt_bind_text(st, 5, res->snapshot[0] ? res->snapshot : NULL);
	attt_stmt_bind_int64(st, 6, (int64_t)res->files);
	attt_stmt_bind_int64(st, 7, (int64_t)res->bytes);
	attt_stmt_bind_text(st, 8, ok ? NULL : attt_err_name(res->err));
	if ((r = attt__bplan_insert_id(st, &res->drill_id)) < 0)
		return r;
	if (ok && (r = mark_ok(db, "UPDATE backup_plan SET last_drill_ok_at = ? WHERE id = ?", res->ended_at, t->id)) < 0)
		return r;
	/* R10.2.c: the drill's duration and result are evidence, in the trail. */
	return audit(db, t->clock, t->actor, "backup.plan.drill", t->id, t->agency_id,
		     ok ? ATTT_AUDIT_SUCCESS : ATTT_AUDIT_FAILURE, "R10.2.c",
		     json_pack("{s:I,s:s,s:I,s:I,s:I,s:s?,s:s?}", "drill", (json_int_t)res->drill_id, "result",
			       ok ? "ok" : "failed", "duration_ms", (json_int_t)((res->ended_at - res->started_at) / 1000),
			       "files", (json_int_t)res->files, "bytes", (json_int_t)res->bytes, "snapshot",
			       res->snapshot[0] ? res->snapshot : NULL, "error", ok ? NULL : res->why));
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

	if ((r = attt_bplan_list(db, 0, 0, id, get_plan, &row)) < 0)
		goto out;
	res.started_at = attt_now_us(clock);
	if ((res.err = read_pass(row.passfile, &pass, &pn)) == ATTT_OK) {
		res.err = attt_backup_open(row.repo, pass, pn, &repo);
		sodium_free(pass);
	}
	if (res.err == ATTT_OK &&
	    attt_str_printf(scratch, sizeof(scratch), "%s/attt-drill-XXXXXX", env->scratch_dir ? env->scratch_dir
												  : "/var/tmp") < 0)
		res.err = ATTT_E_TOOBIG;
	if (res.err == ATTT_OK) {
		if (mkdtemp(scratch)) {
			made = true;
			res.err = drill_restore(repo, scratch, &res);
		} else {
			attt_str_printf(res.why, sizeof(res.why), "mkdtemp %s", scratch);
			res.err = ATTT_E_IO;
		}
	} else if (!res.why[0]) {
		attt_str_copy(res.why, sizeof(res.why), "mở kho / opening the repository");
	}
	attt_backup_close(repo);
	if (made && rm_tree(scratch) < 0 && res.err == ATTT_OK) {
		attt_str_printf(res.why, sizeof(res.why), "không xóa được / cannot remove %s", scratch);
		res.err = ATTT_E_IO;
	}
	res.ended_at = attt_now_us(clock);
	{
		struct drill_tx t = { .clock = clock, .actor = actor, .id = id, .agency_id = row.agency_id, .res = &res };
		if ((r = attt_db_tx(db, drill_tx, &t)) < 0)
			goto out;
	}
	*ret = res;
out:
	free_sources(row.sources, row.n_sources);
	return r;
}
