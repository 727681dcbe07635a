/*
 * cmd_user.c: `attt user add|list|show|lock|unlock|reset|disable|offboard|grant|revoke|sweep`, the
 * command line over accounts (R6.2.a, R6.1.a, R6.2.b, R5.3, R19). The operator at the command line
 * acts as {username "cli", source "cli"}; every change is audited by the account module. With
 * --json each verb prints one JSON value:
 *   add       {"username": U, "password": P}            (the temporary password, shown once)
 *   list      [account...]
 *   show      account
 *   lock, unlock, disable   account after the change
 *   reset     {"username": U, "password": P}  or, with --token, {"username": U, "reset_token": T}
 *   offboard  the offboarding case with its checklist
 *   grant, revoke           account after the change
 *   sweep     {"dormant": [U...], "ended": [U...]}
 *   token     {"username": U, "name": N, "token": T, "days": D}   (the API token, shown once)
 *   rules     the current rules {"id", "version", "body", "published_at"}
 * See docs/access-control.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "attt/account.h"
#include "attt/app.h"
#include "attt/db.h"
#include "attt/err.h"
#include "attt/limits.h"
#include "attt/org.h"
#include "attt/policy.h"
#include "attt/str.h"
#include "auth_cli.h"
#include "cli.h"
#include "commands.h"

int auth_env_open(struct attt_app *app, struct attt_db *db, struct auth_env *env)
{
	unsigned char raw[ATTT_APP_KEY_BYTES];
	int r;

	memset(env, 0, sizeof(*env));
	r = attt_auth_policy_from_profile(attt_policy_values(attt_app_policy(app)), &env->policy);
	if (r < 0)
		return r;
	r = attt_app_read_key(app, ATTT_APP_SECRET_KEY, raw, sizeof(raw));
	if (r == ATTT_OK)
		r = attt_auth_key_from_bytes(raw, &env->key);
	sodium_memzero(raw, sizeof(raw));
	if (r < 0)
		return r;
	env->c.db = db ? db : attt_app_db(app);
	env->c.clock = attt_app_clock(app);
	env->c.rng = attt_app_rng(app);
	env->c.key = env->key;
	env->c.policy = &env->policy;
	return ATTT_OK;
}

void auth_env_close(struct auth_env *env)
{
	attt_auth_key_free(env->key);
	env->key = NULL;
}

int auth_cli_open(const char *noun, const char *data_opt, struct attt_app **ret_app, struct auth_env *env)
{
	struct attt_app *app = NULL;
	int rc, r;

	if ((rc = cli_open_app(data_opt, 0, &app)) != 0)
		return rc;
	r = auth_env_open(app, NULL, env);
	if (r < 0) {
		attt_app_close(app);
		return cli_fail(r, "%s: %s/keys/%s", noun, cli_data_dir(data_opt), ATTT_APP_SECRET_KEY);
	}
	*ret_app = app;
	return 0;
}

int user_bootstrap_admin(struct attt_app *app, const char *username, char ret_password[17])
{
	struct auth_env env;
	int r;

	r = auth_env_open(app, NULL, &env);
	if (r < 0)
		return r;
	r = attt_account_bootstrap_admin(&env.c, username, ret_password);
	auth_env_close(&env);
	return r;
}

static void user_help(FILE *f)
{
	fputs("Cách dùng / usage: attt user <việc / verb> [tùy chọn / options]\n\n"
	      "Tài khoản đăng nhập (R6.2.a, R6.1.a, R6.2.b, R5.3, R19).\n"
	      "Login accounts (R6.2.a, R6.1.a, R6.2.b, R5.3, R19).\n\n"
	      "  add --username U (--person ID | --new-person HỌ_TÊN --agency ID) [--role VAI_TRÒ]\n"
	      "      [--sponsor U2 --end NGÀY]              thêm tài khoản cá nhân, in mật khẩu tạm / add a person's\n"
	      "                                             account, print its temporary password\n"
	      "  add --username U --service TÊN --agency ID [--role VAI_TRÒ]   tài khoản dịch vụ / service account\n"
	      "  list [--agency ID]                         liệt kê (cả cây con) / list (whole subtree)\n"
	      "  show U                                     xem / show\n"
	      "  lock U | unlock U                          khóa, mở khóa / lock, unlock (R6.2.b)\n"
	      "  reset U [--token]                          cấp lại mật khẩu tạm (hoặc mã đặt lại dùng một lần)\n"
	      "                                             re-issue a temporary password (or a one-time reset token)\n"
	      "  disable U [--reason LÝ_DO]                 vô hiệu hóa / disable\n"
	      "  offboard --person ID --reason LÝ_DO        thôi việc: khóa mọi tài khoản, thu hồi quyền, mở danh mục\n"
	      "                                             thu hồi tài sản (R5.3) / offboard a person (R5.3)\n"
	      "  checklist [--case HỒ_SƠ | --done MỤC [--note GHI_CHÚ]]\n"
	      "                                             hồ sơ thôi việc đang mở, một hồ sơ, hoặc đánh dấu một mục\n"
	      "                                             đã thu hồi (R5.3) / open cases, one case, or tick an item\n"
	      "  grant U --role VAI_TRÒ --agency ID         cấp vai trò trên cây cơ quan / grant a role on a subtree\n"
	      "  revoke U --role VAI_TRÒ --agency ID        thu hồi vai trò / revoke a role\n"
	      "  sweep                                      khóa tài khoản lâu không dùng và tài khoản bên ngoài hết hạn\n"
	      "                                             disable dormant and ended external accounts\n"
	      "  token U --name TÊN --scope QUYỀN[,QUYỀN] --days N\n"
	      "                                             mã API có phạm vi và hạn dùng (in một lần) / a scoped,\n"
	      "                                             expiring API token (printed once)\n"
	      "  rules [--publish TỆP --version PHIÊN_BẢN]  xem hoặc ban hành quy chế phải xác nhận (R5.1)\n"
	      "                                             show or publish the rules to acknowledge (R5.1)\n\n"
	      "Vai trò / roles: staff, security_officer, agency_head, authority, response_team, steering,\n"
	      "                 auditor, admin\n"
	      "Tùy chọn chung / common options:\n"
	      "  -d, --data DIR   thư mục dữ liệu (mặc định $ATTT_DATA) / data directory (default $ATTT_DATA)\n"
	      "      --json       in JSON / print JSON\n"
	      "  -h, --help       trợ giúp này / this help\n"
	      "Mã thoát / exit: 0 ok, 1 lỗi / failure, 2 sai cú pháp / usage.\n",
	      f);
}

struct opts {
	const char *data, *username, *person, *new_person, *agency, *role, *service, *sponsor, *end, *reason;
	const char *name, *scope, *days, *publish, *version, *done, *note, *case_id;
	bool json, token;
	const char *args[1];
};

static const struct cli_opt user_opts[] = {
	CLI_VALUE(struct opts, data, "data", 'd'),           CLI_FLAG(struct opts, json, "json", 'j'),
	CLI_VALUE(struct opts, username, "username", 'u'),   CLI_VALUE(struct opts, person, "person", 'p'),
	CLI_VALUE(struct opts, new_person, "new-person", 'N'), CLI_VALUE(struct opts, agency, "agency", 'a'),
	CLI_VALUE(struct opts, role, "role", 'r'),           CLI_VALUE(struct opts, service, "service", 's'),
	CLI_VALUE(struct opts, sponsor, "sponsor", 'S'),     CLI_VALUE(struct opts, end, "end", 'e'),
	CLI_FLAG(struct opts, token, "token", 't'),          CLI_VALUE(struct opts, reason, "reason", 'R'),
	CLI_VALUE(struct opts, name, "name", 'n'),           CLI_VALUE(struct opts, scope, "scope", 'c'),
	CLI_VALUE(struct opts, days, "days", 'D'),           CLI_VALUE(struct opts, publish, "publish", 'P'),
	CLI_VALUE(struct opts, version, "version", 'V'),     CLI_VALUE(struct opts, done, "done", 'o'),
	CLI_VALUE(struct opts, note, "note", 'm'),           CLI_VALUE(struct opts, case_id, "case", 'k'),
	{ NULL, 0, CLI_OPT_VALUE, 0, 0, 0 },
};

static const struct cli_noun user_noun = { "user", user_opts, user_help };

static const struct attt_actor cli_actor = {.username = "cli", .source = "cli"};

static int fail(int r, const char *verb, const char *arg)
{
	const char *hint = "";
	switch (r) {
	case ATTT_E_EXISTS: hint = " (đã có / already exists)"; break;
	case ATTT_E_POLICY: hint = " (tên dùng chung không được phép cho cá nhân, R6.2.a / generic names are refused for people, R6.2.a)"; break;
	case ATTT_E_NOTFOUND: hint = " (không có tài khoản, người hoặc cơ quan này / no such account, person or agency)"; break;
	case ATTT_E_INVAL: hint = " (tên đăng nhập 3-64 ký tự a-z 0-9 . _ -, bắt đầu bằng chữ / username 3-64 of a-z 0-9 . _ -, starting with a letter)"; break;
	default: break;
	}
	return cli_fail(r, "user %s %s%s", verb, arg ? arg : "", hint);
}

static int parse_id(const char *verb, const char *what, const char *s, int64_t *ret)
{
	if (!s)
		return cli_usage("user %s: thiếu --%s (missing --%s)", verb, what, what);
	if (attt_parse_int64(s, 1, INT64_MAX, ret) < 0)
		return cli_usage("user %s: %s không hợp lệ: %s (invalid %s)", verb, what, s, what);
	return 0;
}

static int parse_role(const char *verb, const char *s, enum attt_role *ret)
{
	if (attt_role_parse(s, ret) < 0)
		return cli_usage("user %s: vai trò không có: %s (unknown role: staff, security_officer, agency_head, "
				 "authority, response_team, steering, auditor, admin)", verb, s ? s : "");
	return 0;
}

static int find(const struct auth_env *env, const char *verb, const char *u, struct attt_account *ret)
{
	int r = attt_account_find(&env->c, u, ret);
	if (r < 0)
		return fail(r, verb, u);
	return 0;
}

static int print_account(const struct auth_env *env, int64_t id, bool as_json)
{
	json_t *j = NULL;
	int r = attt_account_json(&env->c, id, &j);
	if (r < 0)
		return cli_fail(r, "user");
	if (as_json)
		return cli_print_json(j);
	char *text = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(j);
	if (!text)
		return cli_fail(ATTT_E_NOMEM, "user");
	puts(text);
	free(text);
	return ATTT_EXIT_OK;
}

static int print_secret(const char *username, const char *key, const char *value, bool as_json)
{
	if (as_json)
		return cli_print_json(json_pack("{s:s, s:s}", "username", username, key, value));
	printf("Tài khoản / account: %s\n%s: %s\n"
	       "Chỉ hiện một lần; phải đổi ở lần đăng nhập đầu (R6.1.a). Shown once; must be changed at first login.\n",
	       username, strcmp(key, "password") == 0 ? "Mật khẩu tạm / temporary password" : "Mã đặt lại / reset token",
	       value);
	return ATTT_EXIT_OK;
}

struct add_person_tx {
	struct auth_env *env;
	const struct opts *o;
	struct attt_account_new *in;
	int64_t id;
	char *pw;
};

static int add_person_fn(struct attt_db *db, void *arg)
{
	struct add_person_tx *t = arg;
	struct attt_person_new pn = {0};
	int r;

	pn.agency_id = t->in->agency_id;
	pn.full_name = t->o->new_person;
	r = attt_org_person_add_tx(db, t->env->c.clock, &cli_actor, &pn, &t->in->person_id);
	if (r < 0)
		return r;
	/* Joins this transaction: the person and the account commit together. */
	return attt_account_add(&t->env->c, &cli_actor, t->in, &t->id, t->pw);
}

static int do_add(struct auth_env *env, const struct opts *o)
{
	struct attt_account_new in = {0};
	struct attt_account sponsor;
	char pw[17], user[ATTT_USERNAME_MAX + 1];
	int64_t id = 0;
	int r, rc;

	if (!o->username)
		return cli_usage("user add: thiếu --username (missing --username)");
	in.username = o->username;
	if (o->role && (rc = parse_role("add", o->role, &in.role)) != 0)
		return rc;
	if (!!o->person + !!o->new_person + !!o->service != 1)
		return cli_usage("user add: cần đúng một trong --person, --new-person, --service "
				 "(exactly one of --person, --new-person, --service)");
	if (o->person) {
		in.kind = ATTT_ACCOUNT_PERSON;
		if ((rc = parse_id("add", "person", o->person, &in.person_id)) != 0)
			return rc;
	} else {
		in.kind = o->service ? ATTT_ACCOUNT_SERVICE : ATTT_ACCOUNT_PERSON;
		in.service_name = o->service;
		if ((rc = parse_id("add", "agency", o->agency, &in.agency_id)) != 0)
			return rc;
	}
	if (!!o->sponsor != !!o->end)
		return cli_usage("user add: --sponsor và --end đi cùng nhau (R19: --sponsor and --end go together)");
	if (o->sponsor) {
		if ((rc = find(env, "add", o->sponsor, &sponsor)) != 0)
			return rc;
		in.sponsor_id = sponsor.id;
		if (attt_time_parse(o->end, &in.end_at) < 0)
			return cli_usage("user add: ngày kết thúc không hợp lệ: %s (invalid --end: dd/mm/yyyy or yyyy-mm-dd)", o->end);
	}
	if (o->new_person) {
		struct add_person_tx t = {env, o, &in, 0, pw};
		r = attt_db_tx(env->c.db, add_person_fn, &t);
		id = t.id;
	} else {
		r = attt_account_add(&env->c, &cli_actor, &in, &id, pw);
	}
	if (r < 0)
		return fail(r, "add", o->username);
	r = attt_account_username_norm(o->username, false, user);
	rc = print_secret(r == ATTT_OK ? user : o->username, "password", pw, o->json);
	sodium_memzero(pw, sizeof(pw));
	return rc;
}

static int do_list(struct auth_env *env, const struct opts *o)
{
	json_t *arr = NULL;
	int64_t agency = 0;
	size_t i;
	json_t *it;
	int r, rc;

	if (o->agency && (rc = parse_id("list", "agency", o->agency, &agency)) != 0)
		return rc;
	r = attt_account_list_json(&env->c, agency, &arr);
	if (r < 0)
		return fail(r, "list", o->agency);
	if (o->json)
		return cli_print_json(arr);
	printf("%-24s %-10s %-9s %-7s %s\n", "TÊN / USERNAME", "LOẠI/KIND", "TT/STATUS", "KHÓA", "VAI TRÒ / ROLES");
	json_array_foreach(arr, i, it) {
		char roles[512] = "";
		size_t off = 0, k;
		json_t *g;
		json_array_foreach(json_object_get(it, "roles"), k, g) {
			if (attt_str_printf(roles + off, sizeof(roles) - off, "%s%s@%lld", off ? "," : "",
					    json_string_value(json_object_get(g, "role")),
					    (long long)json_integer_value(json_object_get(g, "agency"))) == ATTT_OK)
				off += strlen(roles + off);
		}
		printf("%-24s %-10s %-9s %-7s %s\n", json_string_value(json_object_get(it, "username")),
		       json_string_value(json_object_get(it, "kind")), json_string_value(json_object_get(it, "status")),
		       json_is_true(json_object_get(it, "locked")) ? "có/yes" : "-", roles);
	}
	json_decref(arr);
	return ATTT_EXIT_OK;
}

static int do_show(struct auth_env *env, const struct opts *o)
{
	struct attt_account a;
	int rc = find(env, "show", o->args[0], &a);
	return rc ? rc : print_account(env, a.id, o->json);
}

static int do_simple(struct auth_env *env, const struct opts *o, const char *verb)
{
	struct attt_account a;
	int r, rc = find(env, verb, o->args[0], &a);

	if (rc)
		return rc;
	if (strcmp(verb, "lock") == 0)
		r = attt_account_lock(&env->c, &cli_actor, a.id);
	else if (strcmp(verb, "unlock") == 0)
		r = attt_account_unlock(&env->c, &cli_actor, a.id);
	else
		r = attt_account_disable(&env->c, &cli_actor, a.id, o->reason ? o->reason : "cli");
	if (r < 0)
		return fail(r, verb, o->args[0]);
	return print_account(env, a.id, o->json);
}

static int do_lock(struct auth_env *env, const struct opts *o) { return do_simple(env, o, "lock"); }
static int do_unlock(struct auth_env *env, const struct opts *o) { return do_simple(env, o, "unlock"); }
static int do_disable(struct auth_env *env, const struct opts *o) { return do_simple(env, o, "disable"); }

static int do_reset(struct auth_env *env, const struct opts *o)
{
	struct attt_account a;
	char pw[17], tok[ATTT_TOKEN_SIZE];
	int r, rc = find(env, "reset", o->args[0], &a);

	if (rc)
		return rc;
	if (o->token) {
		r = attt_account_reset_issue(&env->c, &cli_actor, a.id, tok);
		if (r < 0)
			return fail(r, "reset", o->args[0]);
		rc = print_secret(a.username, "reset_token", tok, o->json);
		sodium_memzero(tok, sizeof(tok));
		return rc;
	}
	r = attt_account_reset(&env->c, &cli_actor, a.id, pw);
	if (r < 0)
		return fail(r, "reset", o->args[0]);
	rc = print_secret(a.username, "password", pw, o->json);
	sodium_memzero(pw, sizeof(pw));
	return rc;
}

static void print_case(json_t *j)
{
	size_t i;
	json_t *it;
	printf("Hồ sơ thôi việc / offboarding case %lld (%s)%s:\n", (long long)json_integer_value(json_object_get(j, "id")),
	       json_string_value(json_object_get(j, "reason")),
	       json_is_null(json_object_get(j, "closed_at")) ? "" : " — đã đóng / closed");
	json_array_foreach(json_object_get(j, "items"), i, it) {
		const char *note = json_string_value(json_object_get(it, "note"));
		printf("  %lld [%s] %s%s%s\n", (long long)json_integer_value(json_object_get(it, "id")),
		       json_is_null(json_object_get(it, "done_at")) ? " " : "x", json_string_value(json_object_get(it, "description")),
		       note && *note ? " — " : "", note ? note : "");
	}
}

static int do_offboard(struct auth_env *env, const struct opts *o)
{
	json_t *j = NULL;
	int64_t person = 0, case_id = 0;
	int r, rc;

	if ((rc = parse_id("offboard", "person", o->person, &person)) != 0)
		return rc;
	if (!o->reason || !*o->reason)
		return cli_usage("user offboard: thiếu --reason (missing --reason)");
	r = attt_offboard_person(&env->c, &cli_actor, person, o->reason, &case_id);
	if (r == ATTT_E_EXISTS)
		return cli_fail(r, "user offboard --person %s: đã có hồ sơ thôi việc đang mở %lld (an open case exists: "
				   "attt user checklist --case %lld)", o->person, (long long)case_id, (long long)case_id);
	if (r == ATTT_OK)
		r = attt_offboard_json(&env->c, case_id, &j);
	if (r < 0)
		return fail(r, "offboard", o->person);
	if (o->json)
		return cli_print_json(j);
	printf("Mọi tài khoản đã khóa, quyền đã thu hồi (R5.3). All accounts disabled, roles removed (R5.3).\n"
	       "Đánh dấu từng mục khi đã thu hồi / tick each item when recovered: attt user checklist --done MỤC\n");
	print_case(j);
	json_decref(j);
	return ATTT_EXIT_OK;
}

/* R5.3: `checklist` lists the open cases, `--case ID` shows one, `--done ITEM` ticks
 * an item as recovered (the case closes with its last item). */
static int do_checklist(struct auth_env *env, const struct opts *o)
{
	json_t *j = NULL;
	int64_t case_id = 0, item = 0, agency = 0;
	int r, rc;

	if (o->note && !o->done)
		return cli_usage("user checklist: --note đi cùng --done (--note goes with --done)");
	if (o->case_id && o->done)
		return cli_usage("user checklist: --case hoặc --done, không cả hai (--case or --done, not both)");
	if (o->done) {
		if ((rc = parse_id("checklist", "done", o->done, &item)) != 0)
			return rc;
		r = attt_offboard_item_done(&env->c, &cli_actor, item, o->note, &case_id, NULL);
		if (r == ATTT_E_CONFLICT)
			return cli_fail(r, "user checklist --done %s (đã đánh dấu / ticked already)", o->done);
		if (r == ATTT_OK)
			r = attt_offboard_json(&env->c, case_id, &j);
		if (r < 0)
			return cli_fail(r, "user checklist --done %s", o->done);
	} else if (o->case_id) {
		if ((rc = parse_id("checklist", "case", o->case_id, &case_id)) != 0)
			return rc;
		if ((r = attt_offboard_locate(&env->c, case_id, 0, NULL, &agency)) < 0 ||
		    (r = attt_offboard_json(&env->c, case_id, &j)) < 0)
			return cli_fail(r, "user checklist --case %s", o->case_id);
	} else {
		size_t i;
		json_t *it;
		if ((r = attt_offboard_list(&env->c, true, 0, ATTT_HTTP_MAX_PAGE, &j)) < 0)
			return cli_fail(r, "user checklist");
		if (o->json)
			return cli_print_json(json_pack("{s:o}", "items", j));
		json_array_foreach(j, i, it)
			printf("%lld  %s  %s  (%lld mục chưa thu hồi / items pending)\n",
			       (long long)json_integer_value(json_object_get(it, "id")),
			       json_string_value(json_object_get(it, "person_name")), json_string_value(json_object_get(it, "reason")),
			       (long long)json_integer_value(json_object_get(it, "pending")));
		if (!json_array_size(j))
			printf("Không có hồ sơ thôi việc đang mở / no open offboarding case\n");
		json_decref(j);
		return ATTT_EXIT_OK;
	}
	if (o->json)
		return cli_print_json(j);
	print_case(j);
	json_decref(j);
	return ATTT_EXIT_OK;
}

static int do_grant_revoke(struct auth_env *env, const struct opts *o, bool grant)
{
	const char *verb = grant ? "grant" : "revoke";
	struct attt_account a;
	enum attt_role role;
	int64_t agency = 0;
	int r, rc;

	if ((rc = find(env, verb, o->args[0], &a)) != 0 || (rc = parse_role(verb, o->role, &role)) != 0 ||
	    (rc = parse_id(verb, "agency", o->agency, &agency)) != 0)
		return rc;
	r = grant ? attt_account_grant(&env->c, &cli_actor, a.id, role, agency)
		  : attt_account_revoke(&env->c, &cli_actor, a.id, role, agency);
	if (r < 0)
		return fail(r, verb, o->args[0]);
	return print_account(env, a.id, o->json);
}

static int do_grant(struct auth_env *env, const struct opts *o) { return do_grant_revoke(env, o, true); }
static int do_revoke(struct auth_env *env, const struct opts *o) { return do_grant_revoke(env, o, false); }

static int do_sweep(struct auth_env *env, const struct opts *o)
{
	json_t *j = NULL;
	int r = attt_auth_sweep(&env->c, &j);
	if (r < 0)
		return fail(r, "sweep", NULL);
	if (o->json)
		return cli_print_json(j);
	printf("Khóa do lâu không dùng / dormant: %zu; hết hạn (R19) / ended: %zu\n",
	       json_array_size(json_object_get(j, "dormant")), json_array_size(json_object_get(j, "ended")));
	json_decref(j);
	return ATTT_EXIT_OK;
}

static int do_token(struct auth_env *env, const struct opts *o)
{
	char tok[ATTT_TOKEN_SIZE], scopes[512];
	struct attt_account a;
	unsigned mask = 0;
	int64_t days = 0;
	int r, rc = find(env, "token", o->args[0], &a);

	if (rc)
		return rc;
	if (!o->name || !o->scope || !o->days)
		return cli_usage("user token: cần --name, --scope, --days (--name, --scope and --days are required)");
	if (attt_parse_int64(o->days, 1, 366, &days) < 0)
		return cli_usage("user token: --days từ 1 đến 366 (--days must be 1 to 366)");
	if (attt_str_copy(scopes, sizeof(scopes), o->scope) < 0)
		return cli_usage("user token: --scope quá dài (too long)");
	for (char *w = scopes, *comma; w && *w; w = comma ? comma + 1 : NULL) {
		enum attt_perm perm;
		comma = strchr(w, ',');
		if (comma)
			*comma = '\0';
		if (attt_perm_parse(w, &perm) < 0)
			return cli_usage("user token: quyền không có: %s (unknown permission, e.g. asset.write, incident.report)", w);
		mask |= 1u << perm;
	}
	r = attt_auth_token_create(&env->c, &cli_actor, a.id, o->name, mask,
				   attt_now_us(env->c.clock) + days * 86400 * ATTT_USEC_PER_SEC, tok);
	if (r < 0)
		return fail(r, "token", o->args[0]);
	if (o->json)
		rc = cli_print_json(json_pack("{s:s, s:s, s:s, s:I}", "username", a.username, "name", o->name, "token", tok,
					      "days", (json_int_t)days));
	else
		printf("Mã API / API token (chỉ hiện một lần / shown once): %s\n", tok);
	sodium_memzero(tok, sizeof(tok));
	return rc;
}

static int do_rules(struct auth_env *env, const struct opts *o)
{
	json_t *j = NULL;
	int r;

	if (!!o->publish != !!o->version)
		return cli_usage("user rules: --publish và --version đi cùng nhau (--publish and --version go together)");
	if (o->publish) {
		char *text = NULL;
		size_t len = 0;
		r = cli_read_file(o->publish, ATTT_MAX_TEXT, &text, &len);
		if (r < 0)
			return cli_fail(r, "user rules --publish %s", o->publish);
		r = attt_rules_publish(&env->c, &cli_actor, o->version, text, NULL);
		free(text);
		if (r < 0)
			return cli_fail(r, "user rules --publish %s%s", o->publish,
					r == ATTT_E_EXISTS ? " (phiên bản đã có / version exists)"
					: r == ATTT_E_INVAL ? " (văn bản trống hoặc không phải UTF-8 / empty or not UTF-8)" : "");
	}
	r = attt_rules_current_json(&env->c, &j);
	if (r < 0)
		return cli_fail(r, "user rules");
	if (o->json)
		return cli_print_json(j);
	printf("Quy chế phiên bản / rules version %s:\n%s\n", json_string_value(json_object_get(j, "version")),
	       json_string_value(json_object_get(j, "body")));
	json_decref(j);
	return ATTT_EXIT_OK;
}

int cmd_user(int argc, char **argv)
{
	static const struct {
		const char *verb, *allowed;
		int args;
		int (*fn)(struct auth_env *, const struct opts *);
	} verbs[] = {
		{"add", "jupNarsSe", 0, do_add},   {"list", "ja", 0, do_list},      {"show", "j", 1, do_show},
		{"lock", "j", 1, do_lock},        {"unlock", "j", 1, do_unlock},   {"reset", "jt", 1, do_reset},
		{"disable", "jR", 1, do_disable}, {"offboard", "jpR", 0, do_offboard}, {"grant", "jra", 1, do_grant},
		{"revoke", "jra", 1, do_revoke},  {"sweep", "j", 0, do_sweep},     {"token", "jncD", 1, do_token},
		{"rules", "jPV", 0, do_rules},    {"checklist", "jkom", 0, do_checklist},
	};
	struct attt_app *app = NULL;
	struct auth_env env;
	struct opts o = {0};
	int rc;

	if (cli_noun_help(&user_noun, argc, argv, &rc))
		return rc;
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++) {
		if (strcmp(argv[1], verbs[i].verb) != 0)
			continue;
		rc = cli_parse(&user_noun, argc - 1, argv + 1, verbs[i].allowed, verbs[i].args, &o, o.args);
		if (rc == CLI_HELP_SHOWN)
			return ATTT_EXIT_OK;
		if (rc || (rc = auth_cli_open("user", o.data, &app, &env)) != 0)
			return rc;
		rc = verbs[i].fn(&env, &o);
		auth_env_close(&env);
		attt_app_close(app);
		return rc;
	}
	return cli_usage("user: việc không có: %s (unknown verb)", argv[1]);
}
