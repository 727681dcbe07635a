/*
 * cmd_policy.c: `attt policy show|check|list`: the active policy profile with its hash and every
 * value next to the rule it implements, validation of a profile file before it is used, and the
 * list of embedded profiles. All work without a server.
 *
 * R7.2: viewing the system configuration is audited. `show` on an initialised data directory
 * opens it and appends a `policy.view` event before it prints anything. A profile named with
 * --profile, or a directory without a database, is shown without an event (no trail to write to).
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
	      "  attt policy show [--data DIR | --profile NAME|FILE] [--json]\n"
	      "      In hồ sơ đang dùng, mã băm và mọi giá trị kèm mã điều khoản.\n"
	      "      Print the active profile, its hash and every value with its rule ID.\n"
	      "      Không có --data/--profile: hồ sơ trong DIR/attt.ini của $ATTT_DATA, nếu không thì mặc định.\n"
	      "      Without --data/--profile: the profile of $ATTT_DATA/attt.ini, else the default.\n"
	      "  attt policy check FILE [--json]\n"
	      "      Kiểm tra một tệp hồ sơ mà không dùng nó; lỗi ghi rõ tệp:dòng và điều khoản.\n"
	      "      Validate a profile file without using it; errors name file:line and the rule.\n"
	      "  attt policy list [--json]\n"
	      "      Liệt kê các hồ sơ có sẵn / list the embedded profiles.\n"
	      "Exit: 0 hợp lệ/ok, 1 lỗi/failure, 2 sai cú pháp/usage.\n",
	      f);
}

/* The profile named by DIR/attt.ini (policy.profile), or the default when DIR has no attt.ini. */
static int profile_of_data(const char *dir, char *buf, size_t bufsz)
{
	struct attt_config *cfg = NULL;
	char path[ATTT_MAX_PATH], err[1024], *text = NULL;
	size_t len;
	int r;

	if (attt_str_printf(path, sizeof(path), "%s/%s", dir, ATTT_CONFIG_FILE_NAME) < 0)
		return cli_fail(ATTT_E_TOOBIG, "%s", dir);
	r = attt_config_read_file(path, &text, &len);
	free(text);
	r = attt_config_load(r == ATTT_E_NOTFOUND ? NULL : path, &cfg, err, sizeof(err));
	if (r < 0) {
		fprintf(stderr, "attt: %s\n", err);
		return ATTT_EXIT_FAIL;
	}
	r = attt_str_copy(buf, bufsz, attt_config_string(cfg, "policy.profile"));
	attt_config_free(cfg);
	return r < 0 ? cli_fail(r, "policy.profile") : ATTT_EXIT_OK;
}

static const char *jstr(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

static void print_text(const struct attt_policy *pol, json_t *j)
{
	json_t *o;
	size_t i;

	printf("Hồ sơ / profile: %s (%s)\n", attt_policy_name(pol), attt_policy_source(pol));
	printf("Mã băm / hash:   %s\n\n", attt_policy_hash(pol));
	json_array_foreach(json_object_get(j, "values"), i, o) {
		const char *rule = jstr(o, "rule");
		printf("%-40s = ", jstr(o, "key"));
		cli_print_value(json_object_get(o, "value"));
		printf("    ; %s%s%s / %s\n", rule, *rule ? " " : "", jstr(o, "vi"), jstr(o, "en"));
	}
	fputs("\nMức độ sự cố / incident severities (R11.1):\n", stdout);
	json_array_foreach(json_object_get(j, "severities"), i, o)
		printf("  %-10s %s / %s%s\n             %s\n             Ví dụ / examples: %s\n", jstr(o, "id"),
		       jstr(o, "name_vi"), jstr(o, "name_en"),
		       json_is_true(json_object_get(o, "escalate")) ? "  [báo cáo ngay / report at once: R11.3]" : "",
		       jstr(o, "definition_vi"), jstr(o, "examples_vi"));
	fputs("\nCơ quan / bodies (R11.2):\n", stdout);
	json_array_foreach(json_object_get(j, "bodies"), i, o)
		printf("  %-22s %s (%s)\n  %-22s %s; %s\n", jstr(o, "id"), jstr(o, "name_vi"), jstr(o, "short_vi"), "",
		       jstr(o, "name_en"), jstr(o, "legal_basis"));
	fputs("\nBiểu mẫu / forms (R11.2):\n", stdout);
	json_array_foreach(json_object_get(j, "forms"), i, o)
		printf("  %-8s %s: %s / %s; %s\n", jstr(o, "id"), jstr(o, "code"), jstr(o, "title_vi"), jstr(o, "title_en"),
		       jstr(o, "legal_basis"));
}

/* R7.2: one policy.view event for this showing, committed before anything is printed. */
static int audit_view(struct attt_app *app, const struct attt_policy *pol, bool json)
{
	json_t *j = json_pack("{s:s, s:s, s:s}", "profile", attt_policy_name(pol), "hash", attt_policy_hash(pol),
			      "format", json ? "json" : "text");
	char *summary = j ? json_dumps(j, JSON_COMPACT) : NULL;
	struct attt_audit_event ev = {
		.category = ATTT_AUDIT_CONFIG,
		.action = "policy.view",
		.object_type = "policy",
		.object_id = attt_policy_name(pol),
		.outcome = ATTT_AUDIT_SUCCESS,
		.rule = "R7.2",
		.summary = summary,
	};
	int r;

	json_decref(j);
	if (!summary)
		return ATTT_E_NOMEM;
	r = cli_audit_append(app, &ev);
	free(summary);
	return r;
}

static int print_policy(const struct attt_policy *pol, bool json)
{
	json_t *j = NULL;
	int r = attt_policy_to_json(pol, &j);

	if (r < 0)
		return cli_fail(r, "policy show");
	if (json)
		return cli_print_json(j);
	print_text(pol, j);
	json_decref(j);
	return fflush(stdout) == 0 ? ATTT_EXIT_OK : ATTT_EXIT_FAIL;
}

static int show(const char *ref, bool json)
{
	struct attt_policy *pol = NULL;
	char err[1024];
	int r = attt_policy_load_named(ref, &pol, err, sizeof(err));

	if (r < 0) {
		fprintf(stderr, "attt: %s\n", err);
		return ATTT_EXIT_FAIL;
	}
	r = print_policy(pol, json);
	attt_policy_free(pol);
	return r;
}

/* The profile a data directory uses: through the opened app (audited) when it is initialised. */
static int show_data(const char *dir, bool json)
{
	struct attt_app *app = NULL;
	char ref[ATTT_MAX_PATH];
	int r;

	if ((r = cli_open_if_initialised(dir, &app)) != 0)
		return r;
	if (!app) {
		r = profile_of_data(dir, ref, sizeof(ref));
		return r != ATTT_EXIT_OK ? r : show(ref, json);
	}
	r = audit_view(app, attt_app_policy(app), json);
	if (r < 0) {
		attt_app_close(app);
		return cli_fail(r, "policy show: audit policy.view");
	}
	r = print_policy(attt_app_policy(app), json);
	attt_app_close(app);
	return r;
}

static int check(const char *file, bool json)
{
	struct attt_policy *pol = NULL;
	char err[1024];
	int r;

	/* A bare name would load an embedded profile: make FILE a path. */
	if (!strchr(file, '/')) {
		char path[ATTT_MAX_PATH];
		if (attt_str_printf(path, sizeof(path), "./%s", file) < 0)
			return cli_fail(ATTT_E_TOOBIG, "%s", file);
		r = attt_policy_load_named(path, &pol, err, sizeof(err));
	} else {
		r = attt_policy_load_named(file, &pol, err, sizeof(err));
	}
	if (r < 0) {
		if (json)
			cli_print_json(json_pack("{s:b, s:s, s:s}", "ok", 0, "error", attt_err_name(r), "message", err));
		fprintf(stderr, "attt: %s\n", err);
		return ATTT_EXIT_FAIL;
	}
	if (json)
		r = cli_print_json(json_pack("{s:b, s:s, s:s}", "ok", 1, "name", attt_policy_name(pol), "hash",
					     attt_policy_hash(pol)));
	else
		printf("%s: hợp lệ (valid): %s %s\n", file, attt_policy_name(pol), attt_policy_hash(pol));
	attt_policy_free(pol);
	return r;
}

static int list(bool json)
{
	json_t *a = json_array();
	for (size_t i = 0; i < attt_policy_embedded_count(); i++) {
		const char *name = attt_policy_embedded_name(i);
		if (json)
			json_array_append_new(a, json_string(name));
		else
			printf("%s%s\n", name, strcmp(name, ATTT_POLICY_DEFAULT) == 0 ? "  (mặc định / default)" : "");
	}
	if (json)
		return cli_print_json(a);
	json_decref(a);
	return ATTT_EXIT_OK;
}

int cmd_policy(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "data", required_argument, NULL, 'd' },
		{ "profile", required_argument, NULL, 'p' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *data = NULL, *profile = NULL, *verb;
	bool json = false;
	int c, nargs;

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
		case 'p':
			profile = optarg;
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			usage(stdout);
			return ATTT_EXIT_OK;
		default:
			return cli_usage("policy %s: tùy chọn không hợp lệ (invalid option)", verb);
		}
	}
	nargs = argc - 1 - optind;
	if (strcmp(verb, "check") == 0) {
		if (nargs != 1 || data || profile)
			return cli_usage("policy check: cần đúng một FILE (exactly one FILE expected)");
		return check(argv[1 + optind], json);
	}
	if (nargs != 0)
		return cli_usage("policy %s: thừa đối số (too many arguments)", verb);
	if (strcmp(verb, "list") == 0)
		return list(json);
	if (strcmp(verb, "show") != 0)
		return cli_usage("policy: lệnh con không có: %s (unknown subcommand; show, check, list)", verb);
	if (data && profile)
		return cli_usage("policy show: dùng --data hoặc --profile, không cả hai (--data or --profile, not both)");
	if (!profile && !data)
		data = getenv("ATTT_DATA") && *getenv("ATTT_DATA") ? getenv("ATTT_DATA") : NULL;
	if (profile)
		return show(profile, json);
	if (data)
		return show_data(data, json);
	return show(ATTT_POLICY_DEFAULT, json);
}
