/*
 * cmd_init.c: `attt init --data DIR [--profile NAME] [--json]`, which makes a new data directory
 * (database, configuration, keys; see include/attt/app.h) and then opens it once, so that what it
 * reports is what every later command will find. An initialised directory is never touched again:
 * init refuses it with exit 1.
 *
 * The --json output is one object, {"data", "profile", "audit_key", ...}; init_report() builds it,
 * so that later steps of init (the first administrator account) add their members there.
 *
 * attt's own database is a built-in backup plan (R10.1.b), but init does not create it: a plan
 * belongs to an agency (whose officers are alerted) and there is none yet, and its repository must
 * be on another device than the data directory (R10.2.c), which only the operator can name. So
 * init reports it as not configured, with the one command that enables it; until then `attt backup
 * plan list` shows it NOT CONFIGURED and attt serve alerts the administrators weekly
 * (docs/backup-plans.md, "attt's own database").
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "attt/app.h"
#include "attt/db.h"
#include "attt/err.h"
#include "attt/limits.h"
#include "attt/policy.h"
#include "auth_cli.h"
#include "cli.h"
#include "commands.h"

/* The one command that gives attt's own database its plan (cmd_backup_plan.c). */
#define DBPLAN_HINT "attt backup plan add --data DIR --builtin --repo KHO/REPO --passphrase-file TỆP/FILE"

static void init_help(FILE *f)
{
	fputs("Cách dùng / usage: attt init --data DIR [--profile TÊN] [--json]\n\n"
	      "Khởi tạo thư mục dữ liệu mới: cơ sở dữ liệu, tệp cấu hình attt.ini, khóa ký nhật ký kiểm\n"
	      "toán và khóa bí mật (thư mục 0700, khóa 0600). Không bao giờ ghi đè thư mục đã khởi tạo.\n"
	      "Initialise a new data directory: database, attt.ini configuration, audit signing key and\n"
	      "secret key (directory 0700, keys 0600). An initialised directory is never overwritten.\n\n"
	      "  -d, --data DIR       thư mục dữ liệu (mặc định $ATTT_DATA) / data directory (default $ATTT_DATA)\n"
	      "  -p, --profile TÊN    hồ sơ chính sách: tên có sẵn hoặc tệp .ini (mặc định " ATTT_POLICY_DEFAULT ")\n"
	      "                       policy profile: embedded name or .ini file (default " ATTT_POLICY_DEFAULT ")\n"
	      "      --json           in kết quả dạng JSON / print the result as JSON\n"
	      "  -h, --help           trợ giúp này / this help\n\n"
	      "Mã thoát / exit: 0 đã khởi tạo / initialised, 1 lỗi (đã khởi tạo trước đó, ...) / failure\n"
	      "(already initialised, ...), 2 sai cú pháp / usage.\n",
	      f);
}

/* What init made, as a JSON object (a new reference). */
static int init_report(struct attt_app *app, json_t **ret)
{
	json_t *o = NULL;
	unsigned char pub[ATTT_APP_KEY_BYTES];
	char hex[2 * ATTT_APP_KEY_BYTES + 1];
	int64_t ver = 0;
	int r;

	r = attt_app_read_key(app, ATTT_APP_AUDIT_PUB, pub, sizeof(pub));
	if (r < 0)
		return r;
	r = attt_db_schema_version(attt_app_db(app), &ver);
	if (r < 0)
		return r;
	for (size_t i = 0; i < sizeof(pub); i++) {
		static const char digits[] = "0123456789abcdef";
		hex[2 * i] = digits[pub[i] >> 4];
		hex[2 * i + 1] = digits[pub[i] & 15];
	}
	hex[sizeof(hex) - 1] = '\0';
	o = json_pack("{s:s, s:s, s:s, s:s, s:I}", "data", attt_app_dir(app), "profile",
		      attt_policy_name(attt_app_policy(app)), "audit_key", hex, "data_id", attt_app_data_id(app),
		      "schema", (json_int_t)ver);
	if (!o)
		return ATTT_E_NOMEM;
	*ret = o;
	return ATTT_OK;
}

int cmd_init(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "data", required_argument, NULL, 'd' },
		{ "profile", required_argument, NULL, 'p' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct attt_app_init_opts io = { NULL };
	struct attt_app *app = NULL;
	const char *data_opt = NULL, *dir;
	json_t *rep = NULL;
	char err[2048], pw[17] = "";
	bool json = false;
	int c, r, rc;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":d:p:h", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			data_opt = optarg;
			break;
		case 'p':
			io.profile = optarg;
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			init_help(stdout);
			return ATTT_EXIT_OK;
		case ':':
			return cli_usage("init: thiếu giá trị cho %s (missing value)", argv[optind - 1]);
		default:
			return cli_usage("init: tùy chọn không có: %s (unknown option)", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_usage("init: đối số thừa: %s (unexpected argument)", argv[optind]);
	dir = cli_data_dir(data_opt);
	if (!dir)
		return ATTT_EXIT_USAGE;

	r = attt_app_init_ex(dir, &io, err, sizeof(err));
	if (r < 0) {
		fprintf(stderr, "attt: init: %s\n", err);
		return ATTT_EXIT_FAIL;
	}
	r = attt_app_open(dir, 0, &app, err, sizeof(err));
	if (r < 0) {
		fprintf(stderr, "attt: init: %s\n", err);
		return ATTT_EXIT_FAIL;
	}
	r = init_report(app, &rep);
	if (r < 0) {
		rc = cli_fail(r, "init: %s", attt_app_dir(app));
		goto out;
	}
	/* R6.1.a: the first admin gets a one-time password, shown here once and changed at first
	 * login; it is never stored in clear nor logged. */
	r = user_bootstrap_admin(app, NULL, pw);
	if (r < 0) {
		rc = cli_fail(r, "init: tài khoản quản trị đầu tiên (first admin account)");
		goto out;
	}
	r = json_object_set_new(rep, "admin", json_pack("{s:s, s:s}", "username", "admin", "password", pw));
	if (r == 0)
		r = json_object_set_new(rep, "database_plan", json_pack("{s:b, s:s}", "configured", 0, "enable", DBPLAN_HINT));
	if (r < 0) {
		rc = cli_fail(ATTT_E_NOMEM, "init");
		goto out;
	}
	if (json) {
		rc = cli_print_json(rep);
		rep = NULL;
		goto out;
	}
	printf("Đã khởi tạo thư mục dữ liệu (data directory initialised): %s\n"
	       "  Hồ sơ chính sách (policy profile): %s\n"
	       "  Cơ sở dữ liệu (database): %s (lược đồ / schema %lld)\n"
	       "  Cấu hình (configuration): %s/attt.ini\n"
	       "  Khóa (keys): %s/keys/ (audit.key, audit.pub, secret.key)\n"
	       "  Khóa công khai kiểm toán (audit public key): %s\n"
	       "Sao lưu thư mục keys/ ra nơi an toàn: mất audit.key thì không ký được điểm kiểm tra mới.\n"
	       "Back keys/ up somewhere safe: without audit.key no new checkpoint can be signed.\n",
	       attt_app_dir(app), json_string_value(json_object_get(rep, "profile")), attt_app_db_path(app),
	       (long long)json_integer_value(json_object_get(rep, "schema")), attt_app_dir(app), attt_app_dir(app),
	       json_string_value(json_object_get(rep, "audit_key")));
	printf("Sao lưu CSDL attt (R10.1.b): CHƯA CẤU HÌNH / NOT CONFIGURED. Sau khi tạo cơ quan cấp cao nhất,\n"
	       "bật bằng một lệnh (kho trên thiết bị khác, R10.2.c) / once the top-level agency exists, enable it\n"
	       "with one command (a repository on another device, R10.2.c):\n  %s\n", DBPLAN_HINT);
	printf("Tài khoản quản trị đầu tiên (first admin): admin\n"
	       "  Mật khẩu dùng một lần, chỉ hiện lần này, phải đổi khi đăng nhập lần đầu:\n"
	       "  one-time password, shown only now, to be changed at first login: %s\n", pw);
	rc = fflush(stdout) == 0 ? ATTT_EXIT_OK : ATTT_EXIT_FAIL;
out:
	sodium_memzero(pw, sizeof(pw));
	if (rep && json_object_get(rep, "admin") && !json_is_null(json_object_get(rep, "admin"))) {
		/* jansson does not wipe what it frees: wipe the copy of the password first. */
		json_t *p = json_object_get(json_object_get(rep, "admin"), "password");
		if (json_is_string(p))
			sodium_memzero((char *)json_string_value(p), json_string_length(p));
	}
	json_decref(rep);
	attt_app_close(app);
	return rc;
}
