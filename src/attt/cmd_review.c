/*
 * cmd_review.c: `attt review start|list|show|decide`, account review campaigns (R6.1.e): per agency
 * every 90 days (profile) a reviewer confirms, changes or revokes each account and role; a change
 * (another role on the same agency) and a revocation apply at once, each in one audited step; campaigns past their due date and agencies without a recent campaign are flagged
 * overdue. With --json:
 *   start   the campaign with its items
 *   list    {"campaigns": [...], "overdue_agencies": [...]}
 *   show    the campaign with its items
 *   decide  the campaign with its items after the decision
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "attt/account.h"
#include "attt/app.h"
#include "attt/db.h"
#include "attt/err.h"
#include "attt/str.h"
#include "auth_cli.h"
#include "cli.h"
#include "commands.h"

static void review_help(FILE *f)
{
	fputs("Cách dùng / usage: attt review <việc / verb> [tùy chọn / options]\n\n"
	      "Rà soát tài khoản và quyền định kỳ (R6.1.e).\n"
	      "Periodic review of accounts and rights (R6.1.e).\n\n"
	      "  start --agency ID                       mở đợt rà soát cho cây cơ quan / start a campaign on a subtree\n"
	      "  list [--agency ID]                      các đợt và đơn vị quá hạn / campaigns and overdue agencies\n"
	      "  show ID                                 xem đợt và từng mục / show a campaign and its items\n"
	      "  decide MỤC --decision confirm|revoke [--note GHI_CHÚ]\n"
	      "  decide MỤC --decision change --role VAI_TRÒ [--note GHI_CHÚ]\n"
	      "                                          quyết định một mục; đổi vai trò (cùng cơ quan) hoặc\n"
	      "                                          thu hồi có hiệu lực ngay, ghi nhật ký một lần\n"
	      "                                          decide an item; a role change (same agency) or a\n"
	      "                                          revocation applies at once, audited as one step\n\n"
	      "Tùy chọn chung / common options:\n"
	      "  -d, --data DIR   thư mục dữ liệu (mặc định $ATTT_DATA) / data directory (default $ATTT_DATA)\n"
	      "      --json       in JSON / print JSON\n"
	      "  -h, --help       trợ giúp này / this help\n"
	      "Mã thoát / exit: 0 ok, 1 lỗi / failure, 2 sai cú pháp / usage.\n",
	      f);
}

struct opts {
	const char *data, *agency, *decision, *note, *role;
	bool json;
	const char *args[1];
};

static const struct cli_opt review_opts[] = {
	CLI_VALUE(struct opts, data, "data", 'd'),         CLI_FLAG(struct opts, json, "json", 'j'),
	CLI_VALUE(struct opts, agency, "agency", 'a'),     CLI_VALUE(struct opts, decision, "decision", 'D'),
	CLI_VALUE(struct opts, note, "note", 'n'),         CLI_VALUE(struct opts, role, "role", 'r'),
	{NULL, 0, CLI_OPT_VALUE, 0, 0, 0},
};

static const struct cli_noun review_noun = {"review", review_opts, review_help};

static const struct attt_actor cli_actor = {.username = "cli", .source = "cli"};

static int parse_id(const char *verb, const char *what, const char *s, int64_t *ret)
{
	if (!s)
		return cli_usage("review %s: thiếu %s (missing %s)", verb, what, what);
	if (attt_parse_int64(s, 1, INT64_MAX, ret) < 0)
		return cli_usage("review %s: %s không hợp lệ: %s (invalid %s)", verb, what, s, what);
	return 0;
}

static int print_campaign(struct auth_env *env, int64_t id, bool as_json)
{
	json_t *j = NULL;
	size_t i;
	json_t *it;
	int r = attt_review_json(&env->c, id, &j);

	if (r < 0)
		return cli_fail(r, "review %lld", (long long)id);
	if (as_json)
		return cli_print_json(j);
	printf("Đợt rà soát / campaign %lld, cơ quan / agency %lld, hạn / due %s%s\n", (long long)id,
	       (long long)json_integer_value(json_object_get(j, "agency")), json_string_value(json_object_get(j, "due_at")),
	       json_is_true(json_object_get(j, "overdue")) ? " QUÁ HẠN / OVERDUE" : "");
	printf("%-6s %-24s %-18s %s\n", "MỤC", "TÀI KHOẢN / ACCOUNT", "VAI TRÒ / ROLE", "QUYẾT ĐỊNH / DECISION");
	json_array_foreach(json_object_get(j, "items"), i, it) {
		const char *role = json_string_value(json_object_get(it, "role"));
		const char *to = json_string_value(json_object_get(it, "new_role"));
		printf("%-6lld %-24s %-18s %s%s%s\n", (long long)json_integer_value(json_object_get(it, "id")),
		       json_string_value(json_object_get(it, "username")), role ? role : "(tài khoản / account)",
		       json_string_value(json_object_get(it, "decision")), to ? " -> " : "", to ? to : "");
	}
	json_decref(j);
	return ATTT_EXIT_OK;
}

static int do_start(struct auth_env *env, const struct opts *o)
{
	int64_t agency = 0, id = 0;
	int r, rc;

	if ((rc = parse_id("start", "--agency", o->agency, &agency)) != 0)
		return rc;
	r = attt_review_start(&env->c, &cli_actor, agency, &id);
	if (r < 0)
		return cli_fail(r, "review start --agency %s%s", o->agency,
				r == ATTT_E_CONFLICT ? " (đang có đợt mở / a campaign is open)" : "");
	return print_campaign(env, id, o->json);
}

static int do_list(struct auth_env *env, const struct opts *o)
{
	json_t *j = NULL, *it;
	int64_t agency = 0;
	size_t i;
	int r, rc;

	if (o->agency && (rc = parse_id("list", "--agency", o->agency, &agency)) != 0)
		return rc;
	r = attt_review_list_json(&env->c, agency, &j);
	if (r < 0)
		return cli_fail(r, "review list");
	if (o->json)
		return cli_print_json(j);
	printf("%-6s %-8s %-22s %-8s %s\n", "ĐỢT", "CƠ QUAN", "HẠN / DUE", "CÒN/LEFT", "");
	json_array_foreach(json_object_get(j, "campaigns"), i, it)
		printf("%-6lld %-8lld %-22s %-8lld %s\n", (long long)json_integer_value(json_object_get(it, "id")),
		       (long long)json_integer_value(json_object_get(it, "agency")),
		       json_string_value(json_object_get(it, "due_at")),
		       (long long)json_integer_value(json_object_get(it, "pending")),
		       json_is_true(json_object_get(it, "overdue")) ? "QUÁ HẠN / OVERDUE" : "");
	json_array_foreach(json_object_get(j, "overdue_agencies"), i, it)
		printf("Cơ quan %lld (%s) chưa rà soát trong kỳ / no review within the interval (R6.1.e)\n",
		       (long long)json_integer_value(json_object_get(it, "agency")),
		       json_string_value(json_object_get(it, "name")));
	json_decref(j);
	return ATTT_EXIT_OK;
}

static int do_show(struct auth_env *env, const struct opts *o)
{
	int64_t id = 0;
	int rc = parse_id("show", "ID", o->args[0], &id);
	return rc ? rc : print_campaign(env, id, o->json);
}

static int do_decide(struct auth_env *env, const struct opts *o)
{
	int64_t item = 0, campaign = 0, agency = 0;
	int r, rc;

	if ((rc = parse_id("decide", "MỤC / ITEM", o->args[0], &item)) != 0)
		return rc;
	if (!o->decision ||
	    (strcmp(o->decision, "confirm") != 0 && strcmp(o->decision, "revoke") != 0 && strcmp(o->decision, "change") != 0))
		return cli_usage("review decide: --decision confirm, change hoặc revoke (--decision confirm, change or revoke)");
	if (strcmp(o->decision, "change") == 0) {
		enum attt_role role;
		if (attt_role_parse(o->role, &role) < 0)
			return cli_usage("review decide: --decision change cần --role: staff, security_officer, agency_head, "
					 "authority, response_team, steering, auditor, admin (needs a known --role)");
		/* R6.1.e: the grant becomes the new role in one audited step. */
		r = attt_review_change(&env->c, &cli_actor, item, role, o->note, &agency);
	} else {
		if (o->role)
			return cli_usage("review decide: --role chỉ đi với --decision change (--role goes with change only)");
		r = attt_review_decide(&env->c, &cli_actor, item, o->decision, o->note, &agency);
	}
	if (r < 0)
		return cli_fail(r, "review decide %s%s", o->args[0],
				r == ATTT_E_CONFLICT  ? " (đã quyết định / already decided)"
				: r == ATTT_E_EXISTS ? " (tài khoản đã có vai trò này / the account holds that role already)"
				: r == ATTT_E_INVAL  ? " (chỉ đổi được mục vai trò, sang vai trò khác / only a role item, to another role)"
				: r == ATTT_E_STATE  ? " (quyền đã bị thu hồi hoặc tài khoản bị khóa / the grant is gone or the account disabled)"
						     : "");
	struct attt_stmt *st = NULL;
	if (attt_db_prepare(env->c.db, "SELECT campaign_id FROM review_item WHERE id = ?", &st) == ATTT_OK &&
	    attt_stmt_bind_int64(st, 1, item) == ATTT_OK && attt_stmt_step(st) > 0)
		campaign = attt_stmt_int64(st, 0);
	attt_stmt_finalize(st);
	return print_campaign(env, campaign, o->json);
}

int cmd_review(int argc, char **argv)
{
	static const struct {
		const char *verb, *allowed;
		int args;
		int (*fn)(struct auth_env *, const struct opts *);
	} verbs[] = {
		{"start", "ja", 0, do_start}, {"list", "ja", 0, do_list}, {"show", "j", 1, do_show}, {"decide", "jDnr", 1, do_decide},
	};
	struct attt_app *app = NULL;
	struct auth_env env;
	struct opts o = {0};
	int rc;

	if (cli_noun_help(&review_noun, argc, argv, &rc))
		return rc;
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++) {
		if (strcmp(argv[1], verbs[i].verb) != 0)
			continue;
		rc = cli_parse(&review_noun, argc - 1, argv + 1, verbs[i].allowed, verbs[i].args, &o, o.args);
		if (rc == CLI_HELP_SHOWN)
			return ATTT_EXIT_OK;
		if (rc || (rc = auth_cli_open("review", o.data, &app, &env)) != 0)
			return rc;
		rc = verbs[i].fn(&env, &o);
		auth_env_close(&env);
		attt_app_close(app);
		return rc;
	}
	return cli_usage("review: việc không có: %s (unknown verb)", argv[1]);
}
