/*
 * cmd_db.c: `attt db status|migrate|copy`, the database of a data directory seen by its operator:
 * which migrations are applied and which this binary would apply (status, read-only: it changes
 * nothing), applying them explicitly after an upgrade (migrate; every start does the same), and a
 * consistent online copy of attt.db for backups while the server runs (copy, SQLite backup API).
 * migrate and copy each leave an audit event (R7.2: configuration changes and data copies):
 * db.migrate (config, versions before and after) and db.copy (data, the target file; outcome
 * failure when the copy failed).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "attt/app.h"
#include "attt/audit.h"
#include "attt/clock.h"
#include "attt/db.h"
#include "attt/err.h"
#include "attt/limits.h"
#include "attt/str.h"
#include "cli.h"
#include "commands.h"

static void db_help(FILE *f)
{
	fputs("Cách dùng / usage:\n"
	      "  attt db status  [--data DIR] [--json]   phiên bản lược đồ, các bản cập nhật đã áp dụng (chỉ đọc)\n"
	      "                                          schema version and applied migrations (read-only)\n"
	      "  attt db migrate [--data DIR] [--json]   áp dụng các bản cập nhật lược đồ còn thiếu\n"
	      "                                          apply the pending schema migrations\n"
	      "  attt db copy    [--data DIR] --to FILE  bản sao nhất quán của attt.db khi máy chủ đang chạy\n"
	      "                                          consistent copy of attt.db while the server runs\n\n"
	      "  -d, --data DIR   thư mục dữ liệu (mặc định $ATTT_DATA) / data directory (default $ATTT_DATA)\n"
	      "  -o, --to FILE    tệp đích, không được tồn tại (mode 0600) / target file, must not exist\n"
	      "      --json       in kết quả dạng JSON / print the result as JSON\n"
	      "  -h, --help       trợ giúp này / this help\n\n"
	      "Mã thoát / exit: 0 ok, 1 lỗi / failure, 2 sai cú pháp / usage.\n",
	      f);
}

/* {"path", "version", "latest", "pending", "migrations": [{"version", "name", "applied_at"}]} */
static int status_json(struct attt_db *db, const char *path, json_t **ret)
{
	struct attt_stmt *st = NULL;
	json_t *o = NULL, *list = NULL;
	int64_t ver = 0;
	int r;

	r = attt_db_schema_version(db, &ver);
	if (r < 0)
		return r;
	list = json_array();
	if (!list)
		return ATTT_E_NOMEM;
	if (ver > 0) {
		r = attt_db_prepare(db, "SELECT version, name, applied_at FROM schema_migrations ORDER BY version", &st);
		if (r < 0)
			goto out;
		while ((r = attt_stmt_step(st)) == 1) {
			char when[32];
			const char *name = attt_stmt_text(st, 1);
			if (attt_time_iso(attt_stmt_int64(st, 2), when, sizeof(when)) < 0)
				when[0] = '\0';
			if (json_array_append_new(list, json_pack("{s:I, s:s, s:s, s:I}", "version",
								  (json_int_t)attt_stmt_int64(st, 0), "name",
								  name ? name : "", "applied_at", when, "applied_at_us",
								  (json_int_t)attt_stmt_int64(st, 2))) < 0) {
				r = ATTT_E_NOMEM;
				goto out;
			}
		}
		if (r < 0)
			goto out;
	}
	o = json_pack("{s:s, s:I, s:i, s:b, s:o}", "path", path, "version", (json_int_t)ver, "latest",
		      attt_db_schema_latest(), "pending", ver < attt_db_schema_latest(), "migrations", list);
	list = NULL;
	if (!o) {
		r = ATTT_E_NOMEM;
		goto out;
	}
	*ret = o;
	r = ATTT_OK;
out:
	attt_stmt_finalize(st);
	json_decref(list);
	return r;
}

static int print_status(json_t *o, bool json)
{
	size_t i;
	json_t *m;

	if (json)
		return cli_print_json(o);
	printf("Cơ sở dữ liệu (database): %s\n"
	       "Phiên bản lược đồ (schema version): %lld, chương trình này (this binary): %lld%s\n",
	       json_string_value(json_object_get(o, "path")),
	       (long long)json_integer_value(json_object_get(o, "version")),
	       (long long)json_integer_value(json_object_get(o, "latest")),
	       json_is_true(json_object_get(o, "pending")) ? " — còn bản cập nhật chưa áp dụng (migrations pending)" : "");
	json_array_foreach(json_object_get(o, "migrations"), i, m) {
		char when[32];
		if (attt_time_local(json_integer_value(json_object_get(m, "applied_at_us")), when, sizeof(when)) < 0)
			when[0] = '\0';
		printf("  %04lld_%-20s áp dụng lúc (applied) %s\n", (long long)json_integer_value(json_object_get(m, "version")),
		       json_string_value(json_object_get(m, "name")), when);
	}
	json_decref(o);
	return fflush(stdout) == 0 ? ATTT_EXIT_OK : ATTT_EXIT_FAIL;
}

/* R7.2: one event for this command; summary is a JSON object (taken, freed here). */
static int log_event(struct attt_app *app, int category, const char *action, int outcome, json_t *summary)
{
	char *s = summary ? json_dumps(summary, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	struct attt_audit_event ev = { .category = (enum attt_audit_category)category, .action = action,
				       .object_type = "database", .object_id = ATTT_APP_DB_FILE,
				       .outcome = (enum attt_audit_outcome)outcome, .rule = "R7.2", .summary = s };
	int r;

	json_decref(summary);
	if (!s)
		return ATTT_E_NOMEM;
	r = cli_audit_append(app, &ev);
	free(s);
	return r;
}

int cmd_db(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "data", required_argument, NULL, 'd' },
		{ "to", required_argument, NULL, 'o' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *data_opt = NULL, *to = NULL, *dir, *verb;
	char path[ATTT_MAX_PATH], err[2048];
	struct attt_db *db = NULL;
	struct attt_app *app = NULL;
	json_t *o = NULL;
	bool json = false;
	int64_t before = 0, after = 0;
	int c, r, rc;

	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		db_help(argc < 2 ? stderr : stdout);
		return argc < 2 ? ATTT_EXIT_USAGE : ATTT_EXIT_OK;
	}
	verb = argv[1];
	opterr = 0;
	optind = 2;
	while ((c = getopt_long(argc, argv, ":d:o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			data_opt = optarg;
			break;
		case 'o':
			to = optarg;
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			db_help(stdout);
			return ATTT_EXIT_OK;
		case ':':
			return cli_usage("db: thiếu giá trị cho %s (missing value)", argv[optind - 1]);
		default:
			return cli_usage("db: tùy chọn không có: %s (unknown option)", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_usage("db: đối số thừa: %s (unexpected argument)", argv[optind]);
	if (strcmp(verb, "status") != 0 && strcmp(verb, "migrate") != 0 && strcmp(verb, "copy") != 0)
		return cli_usage("db: lệnh không có: %s (unknown verb: status, migrate, copy)", verb);
	if (strcmp(verb, "copy") == 0 && !to)
		return cli_usage("db copy: cần --to FILE (--to FILE is required)");
	dir = cli_data_dir(data_opt);
	if (!dir)
		return ATTT_EXIT_USAGE;

	if (strcmp(verb, "status") == 0) {
		/* Read-only and without the app: status must work on a database that needs migrating. */
		r = attt_str_printf(path, sizeof(path), "%s/%s", dir, ATTT_APP_DB_FILE);
		if (r >= 0 && access(path, F_OK) < 0)
			return cli_fail(ATTT_E_STATE, "%s: chưa khởi tạo, hãy chạy attt init (not initialised: run attt init)", dir);
		if (r >= 0)
			r = attt_db_open(path, ATTT_DB_READONLY, &db);
		if (r >= 0)
			r = status_json(db, path, &o);
		attt_db_close(db);
		if (r < 0)
			return cli_fail(r, "db status: %s", path);
		return print_status(o, json);
	}

	/* migrate and copy: through the app, which migrates on open. */
	if (strcmp(verb, "migrate") == 0) {
		r = attt_str_printf(path, sizeof(path), "%s/%s", dir, ATTT_APP_DB_FILE);
		if (r >= 0 && access(path, F_OK) == 0 && attt_db_open(path, ATTT_DB_READONLY, &db) >= 0) {
			if (attt_db_schema_version(db, &before) >= 0 && !json)
				printf("Phiên bản trước khi cập nhật (version before): %lld\n", (long long)before);
			attt_db_close(db);
			db = NULL;
		}
	}
	r = attt_app_open(dir, 0, &app, err, sizeof(err));
	if (r < 0) {
		fprintf(stderr, "attt: db %s: %s\n", verb, err);
		return ATTT_EXIT_FAIL;
	}
	if (strcmp(verb, "migrate") == 0) {
		r = attt_db_schema_version(attt_app_db(app), &after);
		if (r >= 0)
			r = log_event(app, ATTT_AUDIT_CONFIG, "db.migrate", ATTT_AUDIT_SUCCESS,
				      json_pack("{s:I, s:I}", "from", (json_int_t)before, "to", (json_int_t)after));
		if (r >= 0)
			r = status_json(attt_app_db(app), attt_app_db_path(app), &o);
		attt_app_close(app);
		if (r < 0)
			return cli_fail(r, "db migrate: %s", dir);
		return print_status(o, json);
	}
	/* R10.1.b: a consistent copy to back up while the server keeps serving. */
	r = attt_db_backup_to(attt_app_db(app), to);
	c = log_event(app, ATTT_AUDIT_DATA, "db.copy", r < 0 ? ATTT_AUDIT_FAILURE : ATTT_AUDIT_SUCCESS,
		      r < 0 ? json_pack("{s:s, s:s}", "to", to, "error", attt_strerror(r)) : json_pack("{s:s}", "to", to));
	if (r >= 0 && c < 0) {
		/* The copy exists but its event could not be written: report it, keep the copy. */
		rc = cli_fail(c, "db copy: nhật ký kiểm toán (audit event): %s", to);
	} else if (r < 0) {
		rc = cli_fail(r, "db copy: %s", to);
	} else if (json) {
		rc = cli_print_json(json_pack("{s:s, s:s}", "data", attt_app_dir(app), "copy", to));
	} else {
		printf("Đã sao chép (copied) %s -> %s\n", attt_app_db_path(app), to);
		rc = fflush(stdout) == 0 ? ATTT_EXIT_OK : ATTT_EXIT_FAIL;
	}
	attt_app_close(app);
	return rc;
}
