/*
 * cmd_config.c: `attt config check|show`: validate the server configuration DIR/attt.ini and show
 * every effective value with where it comes from. Both work without a server. A data directory
 * without attt.ini runs on the defaults, which is what `attt serve` does too.
 *
 * R7.2: viewing the system configuration is audited. `show --data DIR` on an initialised data
 * directory opens it and appends a `config.view` event before it prints anything; a directory
 * without a database has no trail to write to and is shown as files (a note says so).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attt/app.h"
#include "attt/audit.h"
#include "attt/config.h"
#include "attt/err.h"
#include "attt/limits.h"
#include "attt/policy.h"
#include "attt/str.h"
#include "cli.h"
#include "commands.h"

static void usage(FILE *f)
{
	fputs("Cách dùng / usage:\n"
	      "  attt config check [--data DIR | FILE]\n"
	      "      Kiểm tra tệp cấu hình DIR/attt.ini (hoặc FILE) và hồ sơ chính sách nó chọn;\n"
	      "      lỗi ghi rõ tệp:dòng.\n"
	      "      Validate DIR/attt.ini (or FILE) and the policy profile it selects; errors name file:line.\n"
	      "  attt config show [--data DIR | FILE] [--json]\n"
	      "      In mọi giá trị hiệu lực và nguồn của nó (mặc định/tệp); bí mật hiện \"********\".\n"
	      "      Print every effective value and its source (default/file); secrets show as \"********\".\n"
	      "Tùy chọn / options:\n"
	      "  --data DIR   thư mục dữ liệu (mặc định $ATTT_DATA) / data directory (default $ATTT_DATA)\n"
	      "  --json       in JSON / print JSON\n"
	      "Exit: 0 hợp lệ/ok, 1 lỗi/failure, 2 sai cú pháp/usage.\n",
	      f);
}

/* The file to read: FILE, else DIR/attt.ini; *ret_path NULL when DIR has no attt.ini (defaults). */
static int config_path(const char *data_opt, const char *file, char *buf, size_t bufsz, const char **ret_path)
{
	const char *dir;
	char *text = NULL;
	size_t len;
	int r;

	if (file) {
		*ret_path = file;
		return ATTT_EXIT_OK;
	}
	dir = cli_data_dir(data_opt);
	if (!dir)
		return ATTT_EXIT_USAGE;
	if (attt_str_printf(buf, bufsz, "%s/%s", dir, ATTT_CONFIG_FILE_NAME) < 0)
		return cli_fail(ATTT_E_TOOBIG, "%s", dir);
	r = attt_config_read_file(buf, &text, &len);
	free(text);
	*ret_path = r == ATTT_E_NOTFOUND ? NULL : buf;
	return ATTT_EXIT_OK;
}

static int load(const char *data_opt, const char *file, struct attt_config **ret)
{
	char path[ATTT_MAX_PATH], err[1024];
	const char *p = NULL;
	int r = config_path(data_opt, file, path, sizeof(path), &p);

	if (r != ATTT_EXIT_OK)
		return r;
	r = attt_config_load(p, ret, err, sizeof(err));
	if (r < 0) {
		fprintf(stderr, "attt: %s\n", err);
		return ATTT_EXIT_FAIL;
	}
	return ATTT_EXIT_OK;
}

static int do_check(const char *data_opt, const char *file, bool json)
{
	struct attt_config *cfg = NULL;
	struct attt_policy *pol = NULL;
	char err[1024];
	int r = load(data_opt, file, &cfg);

	if (r != ATTT_EXIT_OK)
		return r;
	r = attt_policy_load_named(attt_config_string(cfg, "policy.profile"), &pol, err, sizeof(err));
	if (r < 0) {
		const char *path = attt_config_path(cfg);
		fprintf(stderr, "attt: %s:%d: policy.profile: %s\n", path ? path : "(mặc định / defaults)",
			attt_config_line_of(cfg, "policy.profile"), err);
		attt_config_free(cfg);
		return ATTT_EXIT_FAIL;
	}
	if (json)
		r = cli_print_json(json_pack("{s:b, s:s?, s:s, s:s}", "ok", 1, "path", attt_config_path(cfg), "profile",
					     attt_policy_name(pol), "profile_hash", attt_policy_hash(pol)));
	else
		printf("%s: hợp lệ (valid); hồ sơ / profile %s %s\n",
		       attt_config_path(cfg) ? attt_config_path(cfg) : "(mặc định / defaults)", attt_policy_name(pol),
		       attt_policy_hash(pol));
	attt_policy_free(pol);
	attt_config_free(cfg);
	return r;
}

/* R7.2: one config.view event for this showing, committed before anything is printed. */
static int audit_view(struct attt_app *app, bool json)
{
	char summary[ATTT_MAX_PATH + 64];
	json_t *j = json_pack("{s:s, s:s}", "file", ATTT_CONFIG_FILE_NAME, "format", json ? "json" : "text");
	char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;
	struct attt_audit_event ev = {
		.category = ATTT_AUDIT_CONFIG,
		.action = "config.view",
		.object_type = "config",
		.object_id = ATTT_CONFIG_FILE_NAME,
		.outcome = ATTT_AUDIT_SUCCESS,
		.rule = "R7.2",
	};

	json_decref(j);
	if (!s || attt_str_copy(summary, sizeof(summary), s) < 0) {
		free(s);
		return ATTT_E_NOMEM;
	}
	free(s);
	ev.summary = summary;
	return cli_audit_append(app, &ev);
}

static int print_config(const struct attt_config *cfg, bool json)
{
	json_t *j = NULL, *opts, *o;
	size_t i;
	int r = attt_config_to_json(cfg, &j);

	if (r < 0)
		return cli_fail(r, "config show");
	if (json)
		return cli_print_json(j);
	printf("# %s\n", attt_config_path(cfg) ? attt_config_path(cfg) : "(mặc định / defaults: không có tệp / no file)");
	opts = json_object_get(j, "options");
	json_array_foreach(opts, i, o) {
		int line = (int)json_integer_value(json_object_get(o, "line"));
		printf("%-28s = ", json_string_value(json_object_get(o, "name")));
		cli_print_value(json_object_get(o, "value"));
		if (line)
			printf("    ; tệp / file:%d\n", line);
		else
			fputs("    ; mặc định / default\n", stdout);
	}
	json_decref(j);
	return fflush(stdout) == 0 ? ATTT_EXIT_OK : ATTT_EXIT_FAIL;
}

static int do_show(const char *data_opt, const char *file, bool json)
{
	struct attt_config *cfg = NULL;
	struct attt_app *app = NULL;
	const char *dir;
	int r;

	if (file)
		goto files;
	dir = cli_data_dir(data_opt);
	if (!dir)
		return ATTT_EXIT_USAGE;
	if ((r = cli_open_if_initialised(dir, &app)) != 0)
		return r;
	if (!app)
		goto files;
	r = audit_view(app, json);
	if (r < 0) {
		attt_app_close(app);
		return cli_fail(r, "config show: audit config.view");
	}
	r = print_config(attt_app_config(app), json);
	attt_app_close(app);
	return r;
files:
	r = load(data_opt, file, &cfg);
	if (r != ATTT_EXIT_OK)
		return r;
	r = print_config(cfg, json);
	attt_config_free(cfg);
	return r;
}

int cmd_config(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "data", required_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *data = NULL, *verb;
	bool json = false;
	int c;

	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? ATTT_EXIT_USAGE : ATTT_EXIT_OK;
	}
	verb = argv[1];
	optind = 1;
	while ((c = getopt_long(argc - 1, argv + 1, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			data = optarg;
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			usage(stdout);
			return ATTT_EXIT_OK;
		default:
			return cli_usage("config %s: tùy chọn không hợp lệ (invalid option)", verb);
		}
	}
	if (argc - 1 - optind > 1)
		return cli_usage("config %s: thừa đối số (too many arguments)", verb);
	if (data && argc - 1 - optind == 1)
		return cli_usage("config %s: dùng --data hoặc FILE, không cả hai (--data or FILE, not both)", verb);
	{
		const char *file = argc - 1 - optind == 1 ? argv[1 + optind] : NULL;
		if (strcmp(verb, "check") == 0)
			return do_check(data, file, json);
		if (strcmp(verb, "show") == 0)
			return do_show(data, file, json);
	}
	return cli_usage("config: lệnh con không có: %s (unknown subcommand; check, show)", verb);
}
