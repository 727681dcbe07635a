/*
 * cmd_person.c: `attt person add|list|show|update|import` (R1.2), the command line over the
 * people of the org module. Same conventions as cmd_agency.c: --data DIR or $ATTT_DATA, actor
 * {username "cli", source "cli"}, a readable table or, with --json, one JSON value:
 *   add     {"id": N}
 *   list    {"items": [person...], "count": n, "total": t, "limit": l, "offset": o}
 *   show    person object
 *   update  person object after the change
 *   import  {"file": F, "rows": n, "created": n, "errors": n, "messages": [...]}
 * See docs/agencies.md and docs/csv-import.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "attt/app.h"
#include "attt/audit.h"
#include "attt/clock.h"
#include "attt/err.h"
#include "attt/limits.h"
#include "attt/org.h"
#include "attt/str.h"
#include "cli.h"
#include "commands.h"
#include "org_cli.h"

static void person_help(FILE *f)
{
	fputs("Cách dùng / usage: attt person <việc / verb> [tùy chọn / options]\n\n"
	      "Cán bộ, công chức, viên chức, người lao động của các cơ quan (R1.2).\n"
	      "People of the agencies (R1.2).\n\n"
	      "  add --agency ID --name HỌ_TÊN [--position CV] [--email E] [--phone SĐT] [--status TT]\n"
	      "                                                     thêm người / add a person\n"
	      "  list [--search CHỮ] [--agency ID [--subtree]] [--status TT] [--limit N] [--offset N]\n"
	      "                                                     liệt kê / list\n"
	      "  show ID                                            xem / show\n"
	      "  update ID [--agency ID] [--name ..] [--position ..] [--email ..] [--phone ..] [--status TT]\n"
	      "                                                     sửa (\"\" xóa cv/email/sđt) / update (\"\" clears)\n"
	      "  import TỆP.csv                                     nhập từ CSV, tất cả hoặc không / import CSV, all or nothing\n\n"
	      "Tùy chọn chung / common options:\n"
	      "  -d, --data DIR   thư mục dữ liệu (mặc định $ATTT_DATA) / data directory (default $ATTT_DATA)\n"
	      "      --json       in JSON / print JSON\n"
	      "  -h, --help       trợ giúp này / this help\n\n"
	      "Tìm kiếm không phân biệt hoa thường và dấu: \"nguyen van a\" tìm thấy \"Nguyễn Văn A\".\n"
	      "Search ignores case and diacritics: \"nguyen van a\" finds \"Nguyễn Văn A\".\n"
	      "Trạng thái / status: active, on_leave, transferred, retired, left.\n"
	      "Mã thoát / exit: 0 ok, 1 lỗi / failure, 2 sai cú pháp / usage.\n",
	      f);
}

struct opts {
	const char *data, *name, *agency, *position, *email, *phone, *status, *search, *limit, *offset;
	bool json, subtree;
	const char *args[1];
};

static const struct cli_opt person_opts[] = {
	CLI_VALUE(struct opts, data, "data", 'd'),         CLI_FLAG(struct opts, json, "json", 'j'),
	CLI_VALUE(struct opts, name, "name", 'n'),         CLI_VALUE(struct opts, agency, "agency", 'a'),
	CLI_VALUE(struct opts, position, "position", 'P'), CLI_VALUE(struct opts, email, "email", 'e'),
	CLI_VALUE(struct opts, phone, "phone", 'f'),       CLI_VALUE(struct opts, status, "status", 'S'),
	CLI_VALUE(struct opts, search, "search", 's'),     CLI_FLAG(struct opts, subtree, "subtree", 'T'),
	CLI_VALUE(struct opts, limit, "limit", 'l'),       CLI_VALUE(struct opts, offset, "offset", 'o'),
	{ NULL, 0, CLI_OPT_VALUE, 0, 0, 0 },
};

static const struct cli_noun person_noun = { "person", person_opts, person_help };

static int parse_id(const char *verb, const char *what, const char *s, int64_t *ret)
{
	if (attt_parse_int64(s, 1, INT64_MAX, ret) < 0)
		return cli_usage("person %s: %s không hợp lệ: %s (invalid %s)", verb, what, s, what);
	return 0;
}

static int parse_status(const char *verb, const char *s, enum attt_person_status *ret)
{
	if (attt_org_person_status_parse(s, ret) < 0)
		return cli_usage("person %s: trạng thái không có: %s (unknown status: active, on_leave, transferred, "
				 "retired, left)", verb, s);
	return 0;
}

static const struct attt_actor cli_actor = { .username = "cli", .source = "cli" };

static int fail(int r, const char *verb, const char *arg)
{
	const char *hint = "";
	switch (r) {
	case ATTT_E_INVAL: hint = " (họ tên trống, email hoặc số điện thoại sai / empty name, bad e-mail or phone)"; break;
	case ATTT_E_STATE: hint = " (cơ quan đã sáp nhập hoặc giải thể / agency is merged or dissolved)"; break;
	case ATTT_E_NOTFOUND: hint = " (không có người hoặc cơ quan này / no such person or agency)"; break;
	default: break;
	}
	return cli_fail(r, "person %s %s%s", verb, arg ? arg : "", hint);
}

static void print_person(const struct attt_person *p)
{
	char c[32], u[32];
	org_cli_when(p->created_at, c, sizeof(c));
	org_cli_when(p->updated_at, u, sizeof(u));
	printf("ID:                   %lld\n"
	       "Họ tên / name:        %s\n"
	       "Cơ quan / agency:     %lld\n"
	       "Chức vụ / position:   %s\n"
	       "Email:                %s\n"
	       "Điện thoại / phone:   %s\n"
	       "Trạng thái / status:  %s\n"
	       "Tạo / created:        %s\n"
	       "Cập nhật / updated:   %s\n",
	       (long long)p->id, p->full_name, (long long)p->agency_id, p->position ? p->position : "-",
	       p->email ? p->email : "-", p->phone ? p->phone : "-", attt_org_person_status_name(p->status), c, u);
}

/* ---- verbs -------------------------------------------------------------------------------- */

static int do_add(struct attt_app *app, const struct opts *o)
{
	struct attt_person_new in = { .full_name = o->name, .position = o->position, .email = o->email, .phone = o->phone };
	int64_t id = 0;
	int r;

	if (!o->name || !o->agency)
		return cli_usage("person add: cần --agency và --name (--agency and --name are required)");
	if (parse_id("add", "--agency", o->agency, &in.agency_id) || (o->status && parse_status("add", o->status, &in.status)))
		return ATTT_EXIT_USAGE;
	r = attt_org_person_add(attt_app_db(app), attt_app_clock(app), &cli_actor, &in, &id);
	if (r < 0)
		return fail(r, "add", o->name);
	if (o->json)
		return cli_print_json(json_pack("{s:I}", "id", (json_int_t)id));
	printf("Đã thêm người %lld (person added)\n", (long long)id);
	return ATTT_EXIT_OK;
}

static int do_list(struct attt_app *app, const struct opts *o)
{
	struct attt_person_filter f = { .search = o->search, .subtree = o->subtree };
	struct attt_person_list l = { 0 };
	int r;

	if (o->agency && parse_id("list", "--agency", o->agency, &f.agency_id))
		return ATTT_EXIT_USAGE;
	if (o->subtree && !o->agency)
		return cli_usage("person list: --subtree cần --agency (--subtree needs --agency)");
	if (o->status && parse_status("list", o->status, &f.status))
		return ATTT_EXIT_USAGE;
	if (org_cli_page("person", o->limit, o->offset, &f.limit, &f.offset))
		return ATTT_EXIT_USAGE;
	r = attt_org_person_list(attt_app_db(app), &f, &l);
	if (r < 0)
		return fail(r, "list", NULL);
	if (o->json) {
		r = cli_print_json(attt_org_person_list_to_json(&l, f.limit ? f.limit : ATTT_HTTP_DEFAULT_PAGE, f.offset));
	} else {
		puts("ID      CQ/Ag.  TT/Status    Cập nhật/Updated Email                          Họ tên/Name");
		for (size_t i = 0; i < l.count; i++) {
			const struct attt_person *p = &l.items[i];
			char t[32];
			org_cli_when(p->updated_at, t, sizeof(t));
			printf("%-7lld %-7lld %-12s %-16s %-30s %s\n", (long long)p->id, (long long)p->agency_id,
			       attt_org_person_status_name(p->status), t, p->email ? p->email : "-", p->full_name);
		}
		printf("(%zu / %lld)\n", l.count, (long long)l.total);
		r = ATTT_EXIT_OK;
	}
	attt_org_person_list_done(&l);
	return r;
}

static int show_id(struct attt_app *app, const struct opts *o, const char *verb, int64_t id)
{
	struct attt_person p = { 0 };
	int r = attt_org_person_get(attt_app_db(app), id, &p);
	if (r < 0)
		return fail(r, verb, o->args[0]);
	if (o->json) {
		r = cli_print_json(attt_org_person_to_json(&p));
	} else {
		print_person(&p);
		r = ATTT_EXIT_OK;
	}
	attt_org_person_done(&p);
	return r;
}

static int do_show(struct attt_app *app, const struct opts *o)
{
	int64_t id;
	if (parse_id("show", "ID", o->args[0], &id))
		return ATTT_EXIT_USAGE;
	return show_id(app, o, "show", id);
}

static int do_update(struct attt_app *app, const struct opts *o)
{
	struct attt_person_update u = { .full_name = o->name, .position = o->position, .email = o->email, .phone = o->phone };
	int64_t id;
	int r;

	if (parse_id("update", "ID", o->args[0], &id) || (o->agency && parse_id("update", "--agency", o->agency, &u.agency_id)) ||
	    (o->status && parse_status("update", o->status, &u.status)))
		return ATTT_EXIT_USAGE;
	if (!o->name && !o->position && !o->email && !o->phone && !o->agency && !o->status)
		return cli_usage("person update: không có gì để sửa (nothing to change)");
	r = attt_org_person_update(attt_app_db(app), attt_app_clock(app), &cli_actor, id, &u);
	if (r < 0)
		return fail(r, "update", o->args[0]);
	if (!o->json)
		printf("Đã cập nhật người %lld (person updated)\n", (long long)id);
	return o->json ? show_id(app, o, "update", id) : ATTT_EXIT_OK;
}

static int do_import(struct attt_app *app, const struct opts *o)
{
	return org_cli_import(app, &cli_actor, "person", attt_org_import_people, o->args[0], o->json, "người", "people");
}

int cmd_person(int argc, char **argv)
{
	static const struct {
		const char *verb;
		const char *allowed;
		int args;
		int (*fn)(struct attt_app *, const struct opts *);
	} verbs[] = {
		{ "add", "jnaPefS", 0, do_add },
		{ "list", "jsaTSlo", 0, do_list },
		{ "show", "j", 1, do_show },
		{ "update", "jnaPefS", 1, do_update },
		{ "import", "j", 1, do_import },
	};
	struct attt_app *app = NULL;
	struct opts o = { 0 };
	int rc;

	if (cli_noun_help(&person_noun, argc, argv, &rc))
		return rc;
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++) {
		if (strcmp(argv[1], verbs[i].verb) != 0)
			continue;
		rc = cli_parse(&person_noun, argc - 1, argv + 1, verbs[i].allowed, verbs[i].args, &o, o.args);
		if (rc == CLI_HELP_SHOWN)
			return ATTT_EXIT_OK;
		if (rc)
			return rc;
		if ((rc = cli_open_app(o.data, 0, &app)) != 0)
			return rc;
		rc = verbs[i].fn(app, &o);
		attt_app_close(app);
		return rc;
	}
	return cli_usage("person: việc không có: %s (unknown verb)", argv[1]);
}
