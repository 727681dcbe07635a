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
#include <getopt.h>
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

enum {
	O_DATA = 'd', O_JSON = 'j', O_HELP = 'h', O_NAME = 'n', O_AGENCY = 'a', O_POSITION = 'P', O_EMAIL = 'e',
	O_PHONE = 'f', O_STATUS = 'S', O_SEARCH = 's', O_SUBTREE = 'T', O_LIMIT = 'l', O_OFFSET = 'o',
};

#define HELP_SHOWN (-1) /* parse() printed --help: exit 0 */

struct opts {
	const char *data, *name, *agency, *position, *email, *phone, *status, *search, *limit, *offset;
	bool json, subtree;
	const char *args[1];
	int nargs;
};

static int parse(int argc, char **argv, const char *allowed, int max_args, struct opts *o)
{
	static const struct option lopts[] = {
		{ "data", required_argument, NULL, O_DATA },         { "json", no_argument, NULL, O_JSON },
		{ "help", no_argument, NULL, O_HELP },               { "name", required_argument, NULL, O_NAME },
		{ "agency", required_argument, NULL, O_AGENCY },     { "position", required_argument, NULL, O_POSITION },
		{ "email", required_argument, NULL, O_EMAIL },       { "phone", required_argument, NULL, O_PHONE },
		{ "status", required_argument, NULL, O_STATUS },     { "search", required_argument, NULL, O_SEARCH },
		{ "subtree", no_argument, NULL, O_SUBTREE },         { "limit", required_argument, NULL, O_LIMIT },
		{ "offset", required_argument, NULL, O_OFFSET },     { NULL, 0, NULL, 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":d:h", lopts, NULL)) != -1) {
		if (c == ':')
			return cli_usage("person %s: thiếu giá trị cho %s (missing value)", argv[0], argv[optind - 1]);
		if (c == '?' || (c != O_DATA && c != O_HELP && !strchr(allowed, c)))
			return cli_usage("person %s: tùy chọn không dùng được ở đây: %s (option not valid here)", argv[0],
					 argv[optind - 1]);
		switch (c) {
		case O_DATA: o->data = optarg; break;
		case O_JSON: o->json = true; break;
		case O_HELP: person_help(stdout); return HELP_SHOWN;
		case O_NAME: o->name = optarg; break;
		case O_AGENCY: o->agency = optarg; break;
		case O_POSITION: o->position = optarg; break;
		case O_EMAIL: o->email = optarg; break;
		case O_PHONE: o->phone = optarg; break;
		case O_STATUS: o->status = optarg; break;
		case O_SEARCH: o->search = optarg; break;
		case O_SUBTREE: o->subtree = true; break;
		case O_LIMIT: o->limit = optarg; break;
		case O_OFFSET: o->offset = optarg; break;
		default: break;
		}
	}
	for (; optind < argc; optind++) {
		if (o->nargs >= max_args)
			return cli_usage("person %s: đối số thừa: %s (unexpected argument)", argv[0], argv[optind]);
		o->args[o->nargs++] = argv[optind];
	}
	if (o->nargs < max_args)
		return cli_usage("person %s: thiếu đối số (missing argument)", argv[0]);
	return 0;
}

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

static int open_app(const struct opts *o, struct attt_app **ret)
{
	char err[2048];
	const char *dir = cli_data_dir(o->data);
	int r;

	if (!dir)
		return ATTT_EXIT_USAGE;
	r = attt_app_open(dir, 0, ret, err, sizeof(err));
	if (r < 0) {
		fprintf(stderr, "attt: %s\n", err);
		return ATTT_EXIT_FAIL;
	}
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

static void when(int64_t t, char *buf, size_t size)
{
	if (attt_time_local(t, buf, size) < 0)
		attt_str_copy(buf, size, "-");
}

static void print_person(const struct attt_person *p)
{
	char c[32], u[32];
	when(p->created_at, c, sizeof(c));
	when(p->updated_at, u, sizeof(u));
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
	int64_t v;
	int r;

	if (o->agency && parse_id("list", "--agency", o->agency, &f.agency_id))
		return ATTT_EXIT_USAGE;
	if (o->subtree && !o->agency)
		return cli_usage("person list: --subtree cần --agency (--subtree needs --agency)");
	if (o->status && parse_status("list", o->status, &f.status))
		return ATTT_EXIT_USAGE;
	if (o->limit) {
		if (attt_parse_int64(o->limit, 1, ATTT_HTTP_MAX_PAGE, &v) < 0)
			return cli_usage("person list: --limit từ 1 đến %d (--limit 1..%d)", ATTT_HTTP_MAX_PAGE, ATTT_HTTP_MAX_PAGE);
		f.limit = (size_t)v;
	}
	if (o->offset) {
		if (attt_parse_int64(o->offset, 0, INT64_MAX, &v) < 0)
			return cli_usage("person list: --offset không hợp lệ (invalid --offset)");
		f.offset = (size_t)v;
	}
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
			when(p->updated_at, t, sizeof(t));
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
	struct attt_org_import_report rep = { 0 };
	char *data = NULL;
	size_t len = 0;
	int r, rc;

	r = cli_read_file(o->args[0], ATTT_MAX_CSV_FILE, &data, &len);
	if (r < 0)
		return cli_fail(r, "person import %s", o->args[0]);
	r = attt_org_import_people(attt_app_db(app), attt_app_clock(app), &cli_actor, o->args[0], data, len, &rep);
	free(data);
	if (rep.messages)
		fputs(rep.messages, stderr);
	if (rep.errors > ATTT_MAX_CSV_ERRORS)
		fprintf(stderr, "attt: ... và %zu lỗi khác (and %zu more errors)\n", rep.errors - ATTT_MAX_CSV_ERRORS,
			rep.errors - ATTT_MAX_CSV_ERRORS);
	if (o->json) {
		json_t *msgs = json_array();
		for (const char *m = rep.messages; msgs && m && *m;) {
			const char *e = strchr(m, '\n');
			size_t n = e ? (size_t)(e - m) : strlen(m);
			json_array_append_new(msgs, json_stringn(m, n));
			m += n + (e ? 1 : 0);
		}
		rc = cli_print_json(json_pack("{s:s, s:I, s:I, s:I, s:o}", "file", o->args[0], "rows", (json_int_t)rep.rows,
					      "created", (json_int_t)rep.created, "errors", (json_int_t)rep.errors,
					      "messages", msgs ? msgs : json_array()));
		if (r < 0)
			rc = ATTT_EXIT_FAIL;
	} else if (r < 0) {
		rc = ATTT_EXIT_FAIL;
	} else {
		printf("Đã nhập %zu người từ %s (imported %zu people)\n", rep.created, o->args[0], rep.created);
		rc = ATTT_EXIT_OK;
	}
	if (r < 0)
		cli_fail(r, "person import %s: %zu lỗi, không lưu gì (%zu errors, nothing stored)", o->args[0], rep.errors,
			 rep.errors);
	attt_org_import_report_done(&rep);
	return rc;
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
	struct opts o;
	int rc;

	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
		person_help(argc < 2 ? stderr : stdout);
		return argc < 2 ? ATTT_EXIT_USAGE : ATTT_EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++) {
		if (strcmp(argv[1], verbs[i].verb) != 0)
			continue;
		rc = parse(argc - 1, argv + 1, verbs[i].allowed, verbs[i].args, &o);
		if (rc == HELP_SHOWN)
			return ATTT_EXIT_OK;
		if (rc)
			return rc;
		if ((rc = open_app(&o, &app)) != 0)
			return rc;
		rc = verbs[i].fn(app, &o);
		attt_app_close(app);
		return rc;
	}
	return cli_usage("person: việc không có: %s (unknown verb)", argv[1]);
}
