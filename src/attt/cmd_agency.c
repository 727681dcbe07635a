/*
 * cmd_agency.c: `attt agency add|list|show|move|merge|rename|import|types` (R1.2), the command line
 * over the org module. Every verb opens the data directory (--data DIR or $ATTT_DATA), acts as the
 * actor {username "cli", source "cli"} (every change is audited by the library) and prints either
 * a readable table (times dd/mm/yyyy HH:MM, Asia/Ho_Chi_Minh) or, with --json, one JSON value:
 *   add     {"id": N}
 *   list    {"items": [agency...], "count": n, "total": t, "limit": l, "offset": o}
 *   show    agency object with "history": [...]
 *   move    {"id": N, "parent_id": P|null}
 *   merge   {"id": SRC, "into": DST, "children_moved": n, "people_moved": m}
 *   rename  {"id": N, "name": "..."}
 *   dissolve {"id": N, "status": "dissolved"}
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

static void agency_help(FILE *f)
{
	fputs("Cách dùng / usage: attt agency <việc / verb> [tùy chọn / options]\n\n"
	      "Cơ quan, đơn vị và cây tổ chức (R1.2). Agencies and their tree (R1.2).\n\n"
	      "  add --name TÊN --type LOẠI [--parent ID] [--code MÃ]   thêm cơ quan / add an agency\n"
	      "  list [--search CHỮ] [--parent ID] [--within ID] [--type LOẠI] [--status TT]\n"
	      "       [--limit N] [--offset N]                       liệt kê / list (tree order)\n"
	      "  show ID                                             xem và lịch sử / show with history\n"
	      "  move ID --parent ID                                 chuyển (0: thành gốc) / move (0: make a root)\n"
	      "  merge NGUỒN --into ĐÍCH                             sáp nhập / merge SRC into DST\n"
	      "  rename ID --name TÊN                                đổi tên / rename\n"
	      "  dissolve ID                                         giải thể (không còn đơn vị con, người đang làm)\n"
	      "                                                      dissolve (no active children or people left)\n"
	      "  import TỆP.csv                                      nhập từ CSV, tất cả hoặc không / import CSV, all or nothing\n"
	      "  types                                               các loại cơ quan / agency types\n\n"
	      "Tùy chọn chung / common options:\n"
	      "  -d, --data DIR   thư mục dữ liệu (mặc định $ATTT_DATA) / data directory (default $ATTT_DATA)\n"
	      "      --json       in JSON / print JSON\n"
	      "  -h, --help       trợ giúp này / this help\n\n"
	      "Tìm kiếm không phân biệt hoa thường và dấu: \"dai tu\" tìm thấy \"Đại Từ\".\n"
	      "Search ignores case and diacritics: \"dai tu\" finds \"Đại Từ\".\n"
	      "Loại / types: province, department, commune, district, public_service_unit, party_body,\n"
	      "central_body, socio_political, other. Trạng thái / status: active, merged, dissolved.\n"
	      "Mã thoát / exit: 0 ok, 1 lỗi / failure, 2 sai cú pháp / usage.\n",
	      f);
}

struct opts {
	const char *data, *name, *type, *parent, *code, *search, *within, *status, *limit, *offset, *into;
	bool json;
	const char *args[1];
};

static const struct cli_opt agency_opts[] = {
	CLI_VALUE(struct opts, data, "data", 'd'),     CLI_FLAG(struct opts, json, "json", 'j'),
	CLI_VALUE(struct opts, name, "name", 'n'),     CLI_VALUE(struct opts, type, "type", 't'),
	CLI_VALUE(struct opts, parent, "parent", 'p'), CLI_VALUE(struct opts, code, "code", 'c'),
	CLI_VALUE(struct opts, search, "search", 's'), CLI_VALUE(struct opts, within, "within", 'w'),
	CLI_VALUE(struct opts, status, "status", 'S'), CLI_VALUE(struct opts, limit, "limit", 'l'),
	CLI_VALUE(struct opts, offset, "offset", 'o'), CLI_VALUE(struct opts, into, "into", 'i'),
	{ NULL, 0, CLI_OPT_VALUE, 0, 0, 0 },
};

static const struct cli_noun agency_noun = { "agency", agency_opts, agency_help };

/* Parses an agency id (min 0 allows "0" for "no parent"). */
static int parse_id(const char *verb, const char *what, const char *s, int64_t min, int64_t *ret)
{
	if (attt_parse_int64(s, min, INT64_MAX, ret) < 0)
		return cli_usage("agency %s: %s không hợp lệ: %s (invalid %s)", verb, what, s, what);
	return 0;
}

static const struct attt_actor cli_actor = { .username = "cli", .source = "cli" };

/* A more precise word for the errors an operator meets most. */
static int fail(int r, const char *verb, const char *arg)
{
	const char *hint = "";
	switch (r) {
	case ATTT_E_CONFLICT: hint = " (không thể chuyển vào chính nó hoặc cấp dưới của nó / cannot go into itself or its own subtree)"; break;
	case ATTT_E_STATE: hint = " (cơ quan đã sáp nhập hoặc giải thể / agency is merged or dissolved)"; break;
	case ATTT_E_RANGE: hint = " (vượt quá số cấp tối đa của cây / deeper than the tree allows)"; break;
	case ATTT_E_EXISTS: hint = " (mã đã được dùng / code already in use)"; break;
	case ATTT_E_NOTFOUND: hint = " (không có cơ quan này / no such agency)"; break;
	case ATTT_E_INVAL: hint = " (tên trống, quá dài, hoặc mã không hợp lệ / empty or too long name, or invalid code)"; break;
	default: break;
	}
	return cli_fail(r, "agency %s %s%s", verb, arg ? arg : "", hint);
}

/* ---- verbs -------------------------------------------------------------------------------- */

static int do_add(struct attt_app *app, const struct opts *o)
{
	struct attt_agency_new in = { .name = o->name, .code = o->code };
	int64_t id = 0;
	int r;

	if (!o->name || !o->type)
		return cli_usage("agency add: cần --name và --type (--name and --type are required)");
	if (attt_org_agency_type_parse(o->type, &in.type) < 0)
		return cli_usage("agency add: loại không có: %s (unknown type; see attt agency types)", o->type);
	if (o->parent && parse_id("add", "--parent", o->parent, 0, &in.parent_id))
		return ATTT_EXIT_USAGE;
	r = attt_org_agency_add(attt_app_db(app), attt_app_clock(app), &cli_actor, &in, &id);
	if (r < 0)
		return fail(r, "add", o->name);
	if (o->json)
		return cli_print_json(json_pack("{s:I}", "id", (json_int_t)id));
	printf("Đã thêm cơ quan %lld (agency added)\n", (long long)id);
	return ATTT_EXIT_OK;
}

static void print_agencies(const struct attt_agency_list *l)
{
	/* Literal, since printf pads by bytes and the headings are not ASCII. */
	puts("ID     Mã/Code          Loại/Type            TT/Status  Cập nhật/Updated Tên/Name");
	for (size_t i = 0; i < l->count; i++) {
		const struct attt_agency *a = &l->items[i];
		char t[32];
		org_cli_when(a->updated_at, t, sizeof(t));
		printf("%-6lld %-16s %-20s %-10s %-16s %*s%s", (long long)a->id, a->code ? a->code : "-",
		       attt_org_agency_type_name(a->type), attt_org_agency_status_name(a->status), t,
		       2 * (a->depth - 1), "", a->name);
		if (a->merged_into)
			printf(" -> %lld", (long long)a->merged_into);
		putchar('\n');
	}
}

static int do_list(struct attt_app *app, const struct opts *o)
{
	struct attt_agency_filter f = { .search = o->search };
	struct attt_agency_list l = { 0 };
	int r;

	if (o->parent) {
		if (parse_id("list", "--parent", o->parent, 0, &f.parent_id))
			return ATTT_EXIT_USAGE;
		f.by_parent = true;
	}
	if (o->within && parse_id("list", "--within", o->within, 1, &f.within))
		return ATTT_EXIT_USAGE;
	if (o->type && attt_org_agency_type_parse(o->type, &f.type) < 0)
		return cli_usage("agency list: loại không có: %s (unknown type)", o->type);
	if (o->status && attt_org_agency_status_parse(o->status, &f.status) < 0)
		return cli_usage("agency list: trạng thái không có: %s (unknown status)", o->status);
	if (org_cli_page("agency", o->limit, o->offset, &f.limit, &f.offset))
		return ATTT_EXIT_USAGE;
	r = attt_org_agency_list(attt_app_db(app), &f, &l);
	if (r < 0)
		return fail(r, "list", NULL);
	if (o->json) {
		r = cli_print_json(attt_org_agency_list_to_json(&l, f.limit ? f.limit : ATTT_HTTP_DEFAULT_PAGE, f.offset));
	} else {
		print_agencies(&l);
		printf("(%zu / %lld)\n", l.count, (long long)l.total);
		r = ATTT_EXIT_OK;
	}
	attt_org_agency_list_done(&l);
	return r;
}

static int do_show(struct attt_app *app, const struct opts *o)
{
	struct attt_agency a = { 0 };
	struct attt_agency_history_list h = { 0 };
	json_t *j = NULL, *hist = NULL;
	int64_t id;
	int r, rc;

	if (parse_id("show", "ID", o->args[0], 1, &id))
		return ATTT_EXIT_USAGE;
	if ((r = attt_org_agency_get(attt_app_db(app), id, &a)) < 0 ||
	    (r = attt_org_agency_history(attt_app_db(app), id, &h)) < 0) {
		rc = fail(r, "show", o->args[0]);
		goto out;
	}
	if (o->json) {
		j = attt_org_agency_to_json(&a);
		hist = json_array();
		for (size_t i = 0; j && hist && i < h.count; i++)
			json_array_append_new(hist, attt_org_history_to_json(&h.items[i]));
		if (j && hist)
			json_object_set_new(j, "history", hist);
		else
			json_decref(hist);
		rc = cli_print_json(j);
		goto out;
	}
	{
		char c[32], u[32];
		org_cli_when(a.created_at, c, sizeof(c));
		org_cli_when(a.updated_at, u, sizeof(u));
		printf("ID:                      %lld\n"
		       "Tên / name:              %s\n"
		       "Mã / code:               %s\n"
		       "Loại / type:             %s (%s)\n"
		       "Cấp trên / parent:       %lld\n"
		       "Trạng thái / status:     %s",
		       (long long)a.id, a.name, a.code ? a.code : "-", attt_org_agency_type_name(a.type),
		       attt_org_agency_type_vi(a.type), (long long)a.parent_id, attt_org_agency_status_name(a.status));
		if (a.merged_into)
			printf(" -> %lld", (long long)a.merged_into);
		printf("\nCấp / depth:             %d\n"
		       "Tạo / created:           %s\n"
		       "Cập nhật / updated:      %s\n"
		       "Lịch sử / history:\n",
		       a.depth, c, u);
		for (size_t i = 0; i < h.count; i++) {
			org_cli_when(h.items[i].at, c, sizeof(c));
			printf("  %s  %-12s %s -> %s  (%s)\n", c, h.items[i].kind,
			       h.items[i].old_value ? h.items[i].old_value : "-",
			       h.items[i].new_value ? h.items[i].new_value : "-", h.items[i].actor ? h.items[i].actor : "-");
		}
		rc = ATTT_EXIT_OK;
	}
out:
	attt_org_agency_done(&a);
	attt_org_agency_history_list_done(&h);
	return rc;
}

static int do_move(struct attt_app *app, const struct opts *o)
{
	int64_t id, parent;
	int r;

	if (!o->parent)
		return cli_usage("agency move: cần --parent ID (0: thành gốc) (--parent ID is required; 0 makes a root)");
	if (parse_id("move", "ID", o->args[0], 1, &id) || parse_id("move", "--parent", o->parent, 0, &parent))
		return ATTT_EXIT_USAGE;
	r = attt_org_agency_move(attt_app_db(app), attt_app_clock(app), &cli_actor, id, parent);
	if (r < 0)
		return fail(r, "move", o->args[0]);
	if (o->json)
		return cli_print_json(json_pack("{s:I, s:o}", "id", (json_int_t)id, "parent_id",
						parent ? json_integer(parent) : json_null()));
	printf("Đã chuyển cơ quan %lld (agency moved)\n", (long long)id);
	return ATTT_EXIT_OK;
}

static int do_merge(struct attt_app *app, const struct opts *o)
{
	struct attt_org_merge_result res = { 0 };
	int64_t src, dst;
	int r;

	if (!o->into)
		return cli_usage("agency merge: cần --into ID (--into ID is required)");
	if (parse_id("merge", "ID", o->args[0], 1, &src) || parse_id("merge", "--into", o->into, 1, &dst))
		return ATTT_EXIT_USAGE;
	r = attt_org_agency_merge(attt_app_db(app), attt_app_clock(app), &cli_actor, src, dst, &res);
	if (r < 0)
		return fail(r, "merge", o->args[0]);
	if (o->json)
		return cli_print_json(json_pack("{s:I, s:I, s:I, s:I}", "id", (json_int_t)src, "into", (json_int_t)dst,
						"children_moved", (json_int_t)res.children_moved, "people_moved",
						(json_int_t)res.people_moved));
	printf("Đã sáp nhập %lld vào %lld: %lld đơn vị trực thuộc và %lld người được chuyển\n"
	       "(merged %lld into %lld: %lld child agencies and %lld people moved)\n",
	       (long long)src, (long long)dst, (long long)res.children_moved, (long long)res.people_moved,
	       (long long)src, (long long)dst, (long long)res.children_moved, (long long)res.people_moved);
	return ATTT_EXIT_OK;
}

static int do_rename(struct attt_app *app, const struct opts *o)
{
	int64_t id;
	int r;

	if (!o->name)
		return cli_usage("agency rename: cần --name TÊN (--name NAME is required)");
	if (parse_id("rename", "ID", o->args[0], 1, &id))
		return ATTT_EXIT_USAGE;
	r = attt_org_agency_rename(attt_app_db(app), attt_app_clock(app), &cli_actor, id, o->name);
	if (r < 0)
		return fail(r, "rename", o->args[0]);
	if (o->json) {
		struct attt_agency a = { 0 };
		if ((r = attt_org_agency_get(attt_app_db(app), id, &a)) < 0)
			return fail(r, "rename", o->args[0]);
		r = cli_print_json(json_pack("{s:I, s:s}", "id", (json_int_t)id, "name", a.name));
		attt_org_agency_done(&a);
		return r;
	}
	printf("Đã đổi tên cơ quan %lld (agency renamed)\n", (long long)id);
	return ATTT_EXIT_OK;
}

static int do_dissolve(struct attt_app *app, const struct opts *o)
{
	int64_t id;
	int r;

	if (parse_id("dissolve", "ID", o->args[0], 1, &id))
		return ATTT_EXIT_USAGE;
	r = attt_org_agency_dissolve(attt_app_db(app), attt_app_clock(app), &cli_actor, id);
	if (r == ATTT_E_CONFLICT)
		return cli_fail(r, "agency dissolve %s (còn đơn vị trực thuộc hoặc người đang làm việc: chuyển hoặc sáp nhập "
			        "trước / active child agencies or people remain: move or merge them first)", o->args[0]);
	if (r < 0)
		return fail(r, "dissolve", o->args[0]);
	if (o->json)
		return cli_print_json(json_pack("{s:I, s:s}", "id", (json_int_t)id, "status", "dissolved"));
	printf("Đã giải thể cơ quan %lld (agency dissolved)\n", (long long)id);
	return ATTT_EXIT_OK;
}

static int do_import(struct attt_app *app, const struct opts *o)
{
	return org_cli_import(app, &cli_actor, "agency", attt_org_import_agencies, o->args[0], o->json, "cơ quan", "agencies");
}

static int do_types(const struct opts *o)
{
	json_t *a = json_array();
	if (!a)
		return cli_fail(ATTT_E_NOMEM, "agency types");
	for (int t = 1; attt_org_agency_type_name((enum attt_agency_type)t)[0]; t++) {
		if (o->json)
			json_array_append_new(a, json_pack("{s:s, s:s}", "type", attt_org_agency_type_name((enum attt_agency_type)t),
							   "vi", attt_org_agency_type_vi((enum attt_agency_type)t)));
		else
			printf("%-22s %s\n", attt_org_agency_type_name((enum attt_agency_type)t),
			       attt_org_agency_type_vi((enum attt_agency_type)t));
	}
	if (o->json)
		return cli_print_json(a);
	json_decref(a);
	return ATTT_EXIT_OK;
}

int cmd_agency(int argc, char **argv)
{
	static const struct {
		const char *verb;
		const char *allowed;
		int args;
		int (*fn)(struct attt_app *, const struct opts *);
	} verbs[] = {
		{ "add", "jntpc", 0, do_add },
		{ "list", "jspwtSlo", 0, do_list },
		{ "show", "j", 1, do_show },
		{ "move", "jp", 1, do_move },
		{ "merge", "ji", 1, do_merge },
		{ "rename", "jn", 1, do_rename },
		{ "dissolve", "j", 1, do_dissolve },
		{ "import", "j", 1, do_import },
	};
	struct attt_app *app = NULL;
	struct opts o = { 0 };
	int rc;

	if (cli_noun_help(&agency_noun, argc, argv, &rc))
		return rc;
	if (strcmp(argv[1], "types") == 0) {
		rc = cli_parse(&agency_noun, argc - 1, argv + 1, "j", 0, &o, o.args);
		return rc == CLI_HELP_SHOWN ? ATTT_EXIT_OK : rc ? rc : do_types(&o);
	}
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++) {
		if (strcmp(argv[1], verbs[i].verb) != 0)
			continue;
		rc = cli_parse(&agency_noun, argc - 1, argv + 1, verbs[i].allowed, verbs[i].args, &o, o.args);
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
	return cli_usage("agency: việc không có: %s (unknown verb)", argv[1]);
}
