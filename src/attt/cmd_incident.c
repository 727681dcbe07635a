/*
 * cmd_incident.c: `attt incident report|list|show|classify|suggest|advance|assign|observe|form`, the
 * command line over the incident module (R8.8, R11.1, R11.2, R11.3). Every verb opens the data
 * directory (--data DIR or $ATTT_DATA) and acts as {username "cli", source "cli"}; the library
 * audits every change and enqueues the escalation notifications with the active profile's deadlines.
 * With --json each verb prints one JSON value:
 *   report    {"id": N, "guidance": {"vi", "en"}}
 *   list      {"items": [...], "count": n}
 *   show      the incident (severity, step, timeline, observables, notifications, documents)
 *   classify  {"id": N, "severity": "cao"}
 *   suggest   {"severity": "cao", "name": "Cao", "definition": ..., "examples": ...}
 *   advance   {"id": N, "action": A, "step": S, "status": ...}
 *   assign    {"id": N, "owner_account_id": A|null}
 *   observe   {"id": N, "kind": K, "value": V}
 *   form      {"id": N, "form": "03", "document_id": D, "out": FILE, "pages": p, "unknown_glyphs": 0}
 *   task      add {"id": N, "task": T}; done|cancel|reopen {"task": T, "status": S}; list {"items", "count"}
 *   link      {"id": N, "to": M, "kind": K}
 *   sweep     {"near": n, "missed": m, "notifications": k} (R11.3)
 * The console operator is trusted as the other nouns' operator is, but R11.2 transitions still name
 * the role under which they are taken (--as), which must be one the step allows.
 * See docs/incidents.md.
 */
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "attt/acl.h"
#include "attt/app.h"
#include "attt/audit.h"
#include "attt/buf.h"
#include "attt/clock.h"
#include "attt/docs.h"
#include "attt/err.h"
#include "attt/incident.h"
#include "attt/limits.h"
#include "attt/policy.h"
#include "attt/str.h"
#include "cli.h"
#include "commands.h"
#include "incident_files.h"

static void incident_help(FILE *f)
{
	fputs("Cách dùng / usage: attt incident <việc / verb> [tùy chọn / options]\n\n"
	      "Sự cố an toàn thông tin (R8.8, R11.1, R11.2, R11.3). Security incidents.\n\n"
	      "  report --agency ID --title T --description X [--detected-at TIME] [--system HT]\n"
	      "         [--type LOẠI] [--severity MỨC] [--reporter TÊN]   báo cáo sự cố / report an incident\n"
	      "  list [--agency ID] [--open] [--overdue] [--limit N] [--after ID]   liệt kê / list (R11.3)\n"
	      "  show ID                                                  xem, diễn biến / show with timeline\n"
	      "  classify ID --severity MỨC --reason LÝ-DO                phân loại mức độ / set the severity\n"
	      "  suggest [--group] [--main] [--several] [--defaced]       gợi ý mức độ (Điều 11.1) / suggest a level\n"
	      "  advance ID --action VIỆC --as VAI-TRÒ --text NỘI-DUNG    chuyển bước / take a step (R11.2)\n"
	      "  assign ID --account ID                                   giao người phụ trách (0: bỏ) / set the owner\n"
	      "  observe ID --kind ip|domain|hash|account|url|other --value V   thêm dấu hiệu / add an observable\n"
	      "  form ID --form 03|04|05 --out TỆP.pdf                    lập Mẫu 03/04/05 / generate a form\n"
	      "  attach ID TỆP [--name TÊN]                               đính kèm tệp (quét mã độc) / attach a file (R8.6)\n"
	      "  attachments ID                                           liệt kê tệp đính kèm / list attachments\n"
	      "  download ID (--attachment A | --document D) --out TỆP    tải tệp, Mẫu đã lập / download a file or form\n"
	      "  task add ID --title T [--side agency|response] [--assignee TK] [--due dd/mm/yyyy]\n"
	      "       task done|cancel|reopen MÃ-NV [--note X], task list ID    nhiệm vụ / tasks (R11.2 bước 4)\n"
	      "  link ID --to ID --kind related|duplicate|caused-by      liên kết sự cố / link incidents\n"
	      "  sweep                                                    báo hạn sắp đến, quá hạn / notify deadlines (R11.3)\n\n"
	      "Tùy chọn chung / common options:\n"
	      "  -d, --data DIR   thư mục dữ liệu (mặc định $ATTT_DATA) / data directory (default $ATTT_DATA)\n"
	      "      --json       in JSON / print JSON\n"
	      "  -h, --help       trợ giúp này / this help\n\n"
	      "Mức độ / severities: thap, trung-binh, cao, khan-cap (Thấp, Trung bình, Cao, Khẩn cấp).\n"
	      "Loại / types (Mẫu 05): ddos, phishing, malware, intrusion, defacement, ransomware, sabotage,\n"
	      "espionage, combined, other.\n"
	      "Các bước / steps (R11.2), VIỆC / action [vai trò được phép / roles allowed]:\n"
	      "   1 -> 2 own, 1 -> 3 hosted, 2 -> đóng resolved, 2 -> 3 beyond, 3 -> 4 reported\n"
	      "   [security_officer, agency_head]; 4 -> 5 coordinated [response_team, authority];\n"
	      "   5 -> đóng close [security_officer, agency_head, authority].\n"
	      "Nghi nhiễm mã độc: tắt máy, ngắt kết nối LAN, WAN, Internet và báo ngay (R8.8).\n"
	      "Suspected malware: turn the machine off, disconnect it from LAN, WAN and Internet, report.\n"
	      "Mã thoát / exit: 0 ok, 1 lỗi / failure, 2 sai cú pháp / usage.\n",
	      f);
}

enum {
	O_DATA = 'd', O_JSON = 'j', O_HELP = 'h', O_AGENCY = 'a', O_TITLE = 't', O_DESC = 'D', O_DETECTED = 'T',
	O_SYSTEM = 's', O_TYPE = 'y', O_SEV = 'S', O_REPORTER = 'r', O_OPEN = 'o', O_LIMIT = 'l', O_REASON = 'R',
	O_GROUP = 'g', O_MAIN = 'm', O_SEVERAL = 'v', O_DEFACED = 'f', O_ACTION = 'A', O_AS = 'w', O_TEXT = 'x',
	O_ACCOUNT = 'c', O_KIND = 'k', O_VALUE = 'V', O_FORM = 'F', O_OUT = 'O', O_OVERDUE = 'e',
	O_AFTER = 'n', O_SIDE = 'i', O_ASSIGNEE = 'u', O_DUE = 'z', O_NOTE = 'N', O_TO = 'P',
};

#define HELP_SHOWN (-1)

struct opts {
	const char *data, *agency, *title, *desc, *detected, *system, *type, *sev, *reporter, *limit, *reason;
	const char *action, *as, *text, *account, *kind, *value, *form, *out;
	const char *after, *side, *assignee, *due, *note, *to;
	const char *args[2]; /* the positional arguments (task: its verb and the id) */
	bool json, open, overdue, group, main, several, defaced;
	const char *arg;
	int nargs;
};

static int parse(int argc, char **argv, const char *allowed, int max_args, struct opts *o)
{
	static const struct option lopts[] = {
		{ "data", required_argument, NULL, O_DATA },       { "json", no_argument, NULL, O_JSON },
		{ "help", no_argument, NULL, O_HELP },             { "agency", required_argument, NULL, O_AGENCY },
		{ "title", required_argument, NULL, O_TITLE },     { "description", required_argument, NULL, O_DESC },
		{ "detected-at", required_argument, NULL, O_DETECTED }, { "system", required_argument, NULL, O_SYSTEM },
		{ "type", required_argument, NULL, O_TYPE },       { "severity", required_argument, NULL, O_SEV },
		{ "reporter", required_argument, NULL, O_REPORTER }, { "open", no_argument, NULL, O_OPEN },
		{ "limit", required_argument, NULL, O_LIMIT },     { "reason", required_argument, NULL, O_REASON },
		{ "group", no_argument, NULL, O_GROUP },           { "main", no_argument, NULL, O_MAIN },
		{ "several", no_argument, NULL, O_SEVERAL },       { "defaced", no_argument, NULL, O_DEFACED },
		{ "action", required_argument, NULL, O_ACTION },   { "as", required_argument, NULL, O_AS },
		{ "text", required_argument, NULL, O_TEXT },       { "account", required_argument, NULL, O_ACCOUNT },
		{ "kind", required_argument, NULL, O_KIND },       { "value", required_argument, NULL, O_VALUE },
		{ "form", required_argument, NULL, O_FORM },       { "out", required_argument, NULL, O_OUT },
		{ "overdue", no_argument, NULL, O_OVERDUE },       { "after", required_argument, NULL, O_AFTER },
		{ "side", required_argument, NULL, O_SIDE },       { "assignee", required_argument, NULL, O_ASSIGNEE },
		{ "due", required_argument, NULL, O_DUE },         { "note", required_argument, NULL, O_NOTE },
		{ "to", required_argument, NULL, O_TO },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":d:h", lopts, NULL)) != -1) {
		if (c == ':')
			return cli_usage("incident %s: thiếu giá trị cho %s (missing value)", argv[0], argv[optind - 1]);
		if (c == '?' || (c != O_DATA && c != O_HELP && !strchr(allowed, c)))
			return cli_usage("incident %s: tùy chọn không dùng được ở đây: %s (option not valid here)", argv[0],
					 argv[optind - 1]);
		switch (c) {
		case O_DATA: o->data = optarg; break;
		case O_JSON: o->json = true; break;
		case O_HELP: incident_help(stdout); return HELP_SHOWN;
		case O_AGENCY: o->agency = optarg; break;
		case O_TITLE: o->title = optarg; break;
		case O_DESC: o->desc = optarg; break;
		case O_DETECTED: o->detected = optarg; break;
		case O_SYSTEM: o->system = optarg; break;
		case O_TYPE: o->type = optarg; break;
		case O_SEV: o->sev = optarg; break;
		case O_REPORTER: o->reporter = optarg; break;
		case O_OPEN: o->open = true; break;
		case O_OVERDUE: o->overdue = true; break;
		case O_LIMIT: o->limit = optarg; break;
		case O_REASON: o->reason = optarg; break;
		case O_GROUP: o->group = true; break;
		case O_MAIN: o->main = true; break;
		case O_SEVERAL: o->several = true; break;
		case O_DEFACED: o->defaced = true; break;
		case O_ACTION: o->action = optarg; break;
		case O_AS: o->as = optarg; break;
		case O_TEXT: o->text = optarg; break;
		case O_ACCOUNT: o->account = optarg; break;
		case O_KIND: o->kind = optarg; break;
		case O_VALUE: o->value = optarg; break;
		case O_FORM: o->form = optarg; break;
		case O_OUT: o->out = optarg; break;
		case O_AFTER: o->after = optarg; break;
		case O_SIDE: o->side = optarg; break;
		case O_ASSIGNEE: o->assignee = optarg; break;
		case O_DUE: o->due = optarg; break;
		case O_NOTE: o->note = optarg; break;
		case O_TO: o->to = optarg; break;
		default: break;
		}
	}
	for (; optind < argc; optind++) {
		if (o->nargs >= max_args)
			return cli_usage("incident %s: đối số thừa: %s (unexpected argument)", argv[0], argv[optind]);
		o->arg = argv[optind];
		o->args[o->nargs] = argv[optind];
		o->nargs++;
	}
	if (o->nargs < max_args)
		return cli_usage("incident %s: thiếu mã sự cố (missing incident ID)", argv[0]);
	return 0;
}

static int parse_id(const char *verb, const char *what, const char *s, int64_t min, int64_t *ret)
{
	if (attt_parse_int64(s, min, INT64_MAX, ret) < 0)
		return cli_usage("incident %s: %s không hợp lệ: %s (invalid %s)", verb, what, s, what);
	return 0;
}

static const struct attt_actor cli_actor = { .username = "cli", .source = "cli" };

static int fail(int r, const char *verb, const char *arg)
{
	const char *hint = "";
	switch (r) {
	case ATTT_E_NOTFOUND: hint = " (không có sự cố, cơ quan hoặc tài khoản này / no such incident, agency or account)"; break;
	case ATTT_E_STATE: hint = " (sự cố không ở bước cho phép việc này, hoặc đã đóng / not at the step this action starts from, or closed)"; break;
	case ATTT_E_PERM: hint = " (vai trò này không được thực hiện bước này / this role may not take this step)"; break;
	case ATTT_E_CONFLICT: hint = " (mức độ không đổi / the severity is unchanged)"; break;
	case ATTT_E_EXISTS: hint = " (đã có / already recorded)"; break;
	default: break;
	}
	return cli_fail(r, "incident %s %s%s", verb, arg ? arg : "", hint);
}

/* ---- verbs ----------------------------------------------------------------------------------- */

static int do_report(struct attt_app *app, const struct opts *o)
{
	struct attt_incident_new in = {
		.title = o->title, .description = o->desc, .affected_system = o->system, .incident_type = o->type,
		.reporter = o->reporter,
	};
	int64_t id = 0;
	int r;

	if (!o->agency || !o->title || !o->desc)
		return cli_usage("incident report: cần --agency, --title và --description (--agency, --title and "
				 "--description are required)");
	if (parse_id("report", "--agency", o->agency, 1, &in.agency_id))
		return ATTT_EXIT_USAGE;
	if (o->detected && attt_time_parse(o->detected, &in.detected_at) < 0)
		return cli_usage("incident report: --detected-at không hợp lệ: %s (invalid time: RFC 3339, yyyy-mm-dd or "
				 "dd/mm/yyyy HH:MM)", o->detected);
	if (o->sev && attt_incident_severity_parse(o->sev, &in.severity) < 0)
		return cli_usage("incident report: --severity không có: %s (thap, trung-binh, cao, khan-cap)", o->sev);
	if (o->type && !attt_incident_type_valid(o->type))
		return cli_usage("incident report: --type không có: %s (unknown type; see attt incident --help)", o->type);
	r = attt_incident_report(attt_app_db(app), attt_app_clock(app), attt_app_policy(app), &cli_actor, &in, &id);
	if (r == ATTT_E_INVAL && in.detected_at > attt_now_us(attt_app_clock(app)))
		return cli_fail(r, "incident report: --detected-at ở tương lai (detection time is in the future)");
	if (r < 0)
		return fail(r, "report", o->title);
	if (o->json)
		return cli_print_json(json_pack("{s:I,s:{s:s,s:s}}", "id", (json_int_t)id, "guidance", "vi",
						ATTT_INCIDENT_MALWARE_VI, "en", ATTT_INCIDENT_MALWARE_EN));
	printf("Đã ghi nhận sự cố %lld (incident recorded)\n\n%s\n%s\n", (long long)id, ATTT_INCIDENT_MALWARE_VI,
	       ATTT_INCIDENT_MALWARE_EN);
	return ATTT_EXIT_OK;
}

static int do_list(struct attt_app *app, const struct opts *o)
{
	struct attt_incident_filter f = { .open_only = o->open, .overdue_only = o->overdue };
	int64_t limit = 100;
	json_t *j = NULL, *it;
	size_t i;
	int r;

	if (o->agency && parse_id("list", "--agency", o->agency, 1, &f.agency_id))
		return ATTT_EXIT_USAGE;
	if (o->limit && parse_id("list", "--limit", o->limit, 1, &limit))
		return ATTT_EXIT_USAGE;
	if (o->after && parse_id("list", "--after", o->after, 1, &f.after))
		return ATTT_EXIT_USAGE;
	if (limit > ATTT_HTTP_MAX_PAGE)
		return cli_usage("incident list: --limit tối đa %d (at most %d)", ATTT_HTTP_MAX_PAGE, ATTT_HTTP_MAX_PAGE);
	f.limit = (int)limit;
	f.now = attt_now_us(attt_app_clock(app));
	r = attt_incident_query_json(attt_app_db(app), &f, &j);
	if (r < 0)
		return fail(r, "list", NULL);
	if (o->json)
		return cli_print_json(j);
	puts("ID     Cơ quan  Bước  TT/Status  Mức/Severity  Quá hạn/Overdue  Tiêu đề/Title");
	json_array_foreach(json_object_get(j, "items"), i, it)
		printf("%-6lld %-8lld %-5lld %-10s %-13s %-16s %s\n", (long long)json_integer_value(json_object_get(it, "id")),
		       (long long)json_integer_value(json_object_get(it, "agency_id")),
		       (long long)json_integer_value(json_object_get(it, "step")),
		       json_string_value(json_object_get(it, "status")), json_string_value(json_object_get(it, "severity")),
		       json_is_true(json_object_get(it, "overdue")) ? "QUÁ HẠN/OVERDUE" : "-",
		       json_string_value(json_object_get(it, "title")));
	if (json_is_integer(json_object_get(j, "next")))
		printf("Trang sau / next page: --after %lld\n", (long long)json_integer_value(json_object_get(j, "next")));
	json_decref(j);
	return ATTT_EXIT_OK;
}

static int do_show(struct attt_app *app, const struct opts *o)
{
	int64_t id;
	json_t *j = NULL, *it;
	size_t i;
	int r;

	if (parse_id("show", "ID", o->arg, 1, &id))
		return ATTT_EXIT_USAGE;
	r = attt_incident_show_json(attt_app_db(app), id, attt_now_us(attt_app_clock(app)), &j);
	if (r < 0)
		return fail(r, "show", o->arg);
	if (o->json)
		return cli_print_json(j);
	printf("Sự cố / incident %lld: %s\n", (long long)id, json_string_value(json_object_get(j, "title")));
	printf("Cơ quan / agency: %lld  Mức / severity: %s  Bước / step: %lld  TT / status: %s\n",
	       (long long)json_integer_value(json_object_get(j, "agency_id")),
	       json_string_value(json_object_get(j, "severity")), (long long)json_integer_value(json_object_get(j, "step")),
	       json_string_value(json_object_get(j, "status")));
	printf("Hạn thông báo / notice due: %s  Hạn báo cáo / report due: %s\n",
	       json_is_string(json_object_get(j, "notice_due_at")) ? json_string_value(json_object_get(j, "notice_due_at")) : "-",
	       json_is_string(json_object_get(j, "report_due_at")) ? json_string_value(json_object_get(j, "report_due_at")) : "-");
	printf("%s\n\nDiễn biến / timeline:\n", json_string_value(json_object_get(j, "description")));
	json_array_foreach(json_object_get(j, "timeline"), i, it)
		printf("  %s %-10s %s %s -> %s %s\n", json_string_value(json_object_get(it, "at")),
		       json_string_value(json_object_get(it, "kind")), json_string_value(json_object_get(it, "actor")),
		       json_is_string(json_object_get(it, "from")) ? json_string_value(json_object_get(it, "from")) : "",
		       json_is_string(json_object_get(it, "to")) ? json_string_value(json_object_get(it, "to")) : "",
		       json_is_string(json_object_get(it, "detail")) ? json_string_value(json_object_get(it, "detail")) : "");
	printf("Thông báo / notifications: %zu\n", json_array_size(json_object_get(j, "notifications")));
	json_array_foreach(json_object_get(j, "tasks"), i, it)
		printf("  Nhiệm vụ / task %lld [%s] %s, hạn / due %s%s\n", (long long)json_integer_value(json_object_get(it, "id")),
		       json_string_value(json_object_get(it, "status")), json_string_value(json_object_get(it, "title")),
		       json_is_string(json_object_get(it, "due")) ? json_string_value(json_object_get(it, "due")) : "-",
		       json_is_true(json_object_get(it, "overdue")) ? " QUÁ HẠN/OVERDUE" : "");
	json_array_foreach(json_object_get(j, "links"), i, it)
		printf("  Liên kết / link: %s %s #%lld %s\n", json_string_value(json_object_get(it, "kind")),
		       strcmp(json_string_value(json_object_get(it, "direction")), "out") == 0 ? "->" : "<-",
		       (long long)json_integer_value(json_object_get(it, "incident_id")),
		       json_string_value(json_object_get(it, "title")));
	json_decref(j);
	return ATTT_EXIT_OK;
}

static int do_classify(struct attt_app *app, const struct opts *o)
{
	enum attt_severity s;
	int64_t id;
	int r;

	if (parse_id("classify", "ID", o->arg, 1, &id))
		return ATTT_EXIT_USAGE;
	if (!o->sev || !o->reason)
		return cli_usage("incident classify: cần --severity và --reason (--severity and --reason are required)");
	if (attt_incident_severity_parse(o->sev, &s) < 0)
		return cli_usage("incident classify: --severity không có: %s (thap, trung-binh, cao, khan-cap)", o->sev);
	r = attt_incident_classify(attt_app_db(app), attt_app_clock(app), attt_app_policy(app), &cli_actor, id, s,
				   o->reason);
	if (r < 0)
		return fail(r, "classify", o->arg);
	if (o->json)
		return cli_print_json(json_pack("{s:I,s:s}", "id", (json_int_t)id, "severity", attt_incident_severity_name(s)));
	printf("Sự cố %lld: mức %s (severity set)\n", (long long)id, attt_incident_severity_name(s));
	return ATTT_EXIT_OK;
}

/* R11.1: the questionnaire, with the profile's definition and examples of the suggested level. */
static int do_suggest(struct attt_app *app, const struct opts *o)
{
	struct attt_incident_answers a = { .group = o->group, .main_interrupted = o->main || o->several,
					   .several_main = o->several, .website_defaced = o->defaced };
	enum attt_severity s = attt_incident_suggest_severity(&a);
	const struct attt_policy_severity *d = &attt_policy_values(attt_app_policy(app))->severities[s];

	if (o->json)
		return cli_print_json(json_pack("{s:s,s:s?,s:s?,s:s?}", "severity", attt_incident_severity_name(s), "name",
						d->name_vi, "definition", d->definition_vi, "examples", d->examples_vi));
	printf("Mức gợi ý / suggested: %s (%s)\n%s\n%s\n", d->name_vi ? d->name_vi : "", attt_incident_severity_name(s),
	       d->definition_vi ? d->definition_vi : "", d->examples_vi ? d->examples_vi : "");
	return ATTT_EXIT_OK;
}

static int do_advance(struct attt_app *app, const struct opts *o)
{
	enum attt_incident_action a;
	enum attt_role role;
	int64_t id;
	int r, to;

	if (parse_id("advance", "ID", o->arg, 1, &id))
		return ATTT_EXIT_USAGE;
	if (!o->action || !o->as || !o->text)
		return cli_usage("incident advance: cần --action, --as và --text (--action, --as and --text are required)");
	if (attt_incident_action_parse(o->action, &a) < 0)
		return cli_usage("incident advance: --action không có: %s (own, hosted, resolved, beyond, reported, "
				 "coordinated, close)", o->action);
	if (attt_role_parse(o->as, &role) < 0)
		return cli_usage("incident advance: --as không phải vai trò: %s (unknown role)", o->as);
	r = attt_incident_advance(attt_app_db(app), attt_app_clock(app), attt_app_policy(app), &cli_actor, role, id, a,
				  o->text);
	if (r < 0)
		return fail(r, "advance", o->arg);
	to = attt_incident_action_to(a);
	if (o->json)
		return cli_print_json(json_pack("{s:I,s:s,s:i,s:s}", "id", (json_int_t)id, "action", o->action, "step", to,
						"status", to == ATTT_INCIDENT_CLOSED ? "closed" : "open"));
	if (to == ATTT_INCIDENT_CLOSED)
		printf("Sự cố %lld đã kết thúc (incident closed)\n", (long long)id);
	else
		printf("Sự cố %lld chuyển sang bước %d (moved to step %d)\n", (long long)id, to, to);
	return ATTT_EXIT_OK;
}

static int do_assign(struct attt_app *app, const struct opts *o)
{
	int64_t id, account;
	int r;

	if (parse_id("assign", "ID", o->arg, 1, &id))
		return ATTT_EXIT_USAGE;
	if (!o->account)
		return cli_usage("incident assign: cần --account (--account is required; 0 clears)");
	if (parse_id("assign", "--account", o->account, 0, &account))
		return ATTT_EXIT_USAGE;
	r = attt_incident_assign(attt_app_db(app), attt_app_clock(app), &cli_actor, id, account);
	if (r < 0)
		return fail(r, "assign", o->arg);
	if (o->json)
		return cli_print_json(json_pack("{s:I,s:o}", "id", (json_int_t)id, "owner_account_id",
						account ? json_integer((json_int_t)account) : json_null()));
	printf("Sự cố %lld: người phụ trách %lld (owner set)\n", (long long)id, (long long)account);
	return ATTT_EXIT_OK;
}

static int do_observe(struct attt_app *app, const struct opts *o)
{
	int64_t id;
	int r;

	if (parse_id("observe", "ID", o->arg, 1, &id))
		return ATTT_EXIT_USAGE;
	if (!o->kind || !o->value)
		return cli_usage("incident observe: cần --kind và --value (--kind and --value are required)");
	r = attt_incident_observe(attt_app_db(app), attt_app_clock(app), &cli_actor, id, o->kind, o->value);
	if (r == ATTT_E_INVAL)
		return cli_fail(r, "incident observe %s: --kind %s --value %s (ip: IPv4/IPv6, domain: tên miền, hash: "
				"32-128 chữ số hex / hex digits; kinds ip, domain, hash, account, url, other)",
				o->arg, o->kind, o->value);
	if (r < 0)
		return fail(r, "observe", o->arg);
	if (o->json)
		return cli_print_json(json_pack("{s:I,s:s,s:s}", "id", (json_int_t)id, "kind", o->kind, "value", o->value));
	printf("Sự cố %lld: đã thêm %s %s (observable added)\n", (long long)id, o->kind, o->value);
	return ATTT_EXIT_OK;
}

static int write_file(const char *path, const void *p, size_t n)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	const char *c = p;
	int r = ATTT_OK;

	if (fd < 0)
		return ATTT_E_IO;
	while (n > 0) {
		ssize_t w = write(fd, c, n);
		if (w <= 0) {
			r = ATTT_E_IO;
			break;
		}
		c += w;
		n -= (size_t)w;
	}
	if (r == ATTT_OK && fsync(fd) != 0)
		r = ATTT_E_IO;
	if (close(fd) != 0 && r == ATTT_OK)
		r = ATTT_E_IO;
	return r;
}

/* R11.2 steps 3 and 5: Mẫu 03 / 04 (and the half-year Mẫu 05) from the record, written to --out and
 * stored with the incident (hashed and audited). */
static int do_form(struct attt_app *app, const struct opts *o)
{
	struct attt_buf pdf;
	struct attt_docs_info info = { 0 };
	json_t *data = NULL;
	int64_t id, doc = 0;
	int r, rc;

	if (parse_id("form", "ID", o->arg, 1, &id))
		return ATTT_EXIT_USAGE;
	if (!o->form || !o->out)
		return cli_usage("incident form: cần --form 03|04|05 và --out TỆP.pdf (--form and --out are required)");
	if (strcmp(o->form, "03") != 0 && strcmp(o->form, "04") != 0 && strcmp(o->form, "05") != 0)
		return cli_usage("incident form: --form phải là 03, 04 hoặc 05 (must be 03, 04 or 05): %s", o->form);
	attt_buf_init(&pdf, ATTT_INCIDENT_MAX_DOCUMENT);
	r = attt_incident_form_data(attt_app_db(app), id, o->form, &data);
	if (r < 0) {
		rc = fail(r, "form", o->arg);
		goto out;
	}
	r = attt_docs_render_form(o->form, data, &pdf, &info);
	if (r < 0) {
		rc = fail(r, "form", o->form);
		goto out;
	}
	r = write_file(o->out, pdf.data, pdf.len);
	if (r < 0) {
		rc = cli_fail(r, "incident form: không ghi được %s (cannot write)", o->out);
		goto out;
	}
	r = attt_incident_store_document(attt_app_db(app), attt_app_clock(app), &cli_actor, id, o->form, pdf.data,
					 pdf.len, &doc);
	if (r < 0) {
		unlink(o->out);
		rc = fail(r, "form", o->arg);
		goto out;
	}
	if (o->json)
		rc = cli_print_json(json_pack("{s:I,s:s,s:I,s:s,s:i,s:i}", "id", (json_int_t)id, "form", o->form,
					      "document_id", (json_int_t)doc, "out", o->out, "pages", (int)info.pages,
					      "unknown_glyphs", (int)info.unknown_glyphs));
	else {
		printf("Đã lập Mẫu %s cho sự cố %lld: %s, %u trang (form written and stored)\n", o->form, (long long)id,
		       o->out, info.pages);
		rc = ATTT_EXIT_OK;
	}
out:
	json_decref(data);
	attt_buf_done(&pdf);
	return rc;
}

/* R11.2 step 4: `task add ID`, `task done|cancel|reopen TASK`, `task list ID`. */
static int do_task(struct attt_app *app, const struct opts *o)
{
	const char *sub = o->args[0];
	int64_t id = 0, task = 0;
	json_t *j = NULL;
	int r;

	if (strcmp(sub, "add") == 0) {
		struct attt_incident_task_new in = { .title = o->title, .side = o->side };
		if (parse_id("task add", "ID", o->args[1], 1, &id))
			return ATTT_EXIT_USAGE;
		if (!o->title)
			return cli_usage("incident task add: cần --title (--title is required)");
		if (o->side && strcmp(o->side, "agency") != 0 && strcmp(o->side, "response") != 0)
			return cli_usage("incident task add: --side là agency hoặc response (agency or response): %s", o->side);
		if (o->assignee && parse_id("task add", "--assignee", o->assignee, 1, &in.assignee_account_id))
			return ATTT_EXIT_USAGE;
		if (o->due) {
			if (attt_time_parse(o->due, &in.due_at) < 0)
				return cli_usage("incident task add: --due không hợp lệ: %s (dd/mm/yyyy or RFC 3339)", o->due);
			if (strlen(o->due) == 10) /* a day: due by the end of it */
				in.due_at += INT64_C(86400) * ATTT_USEC_PER_SEC;
		}
		r = attt_incident_task_add(attt_app_db(app), attt_app_clock(app), &cli_actor, id, &in, &task);
		if (r < 0)
			return fail(r, "task add", o->args[1]);
		if (o->json)
			return cli_print_json(json_pack("{s:I,s:I}", "id", (json_int_t)id, "task", (json_int_t)task));
		printf("Sự cố %lld: đã giao nhiệm vụ %lld (task added)\n", (long long)id, (long long)task);
		return ATTT_EXIT_OK;
	}
	if (strcmp(sub, "done") == 0 || strcmp(sub, "cancel") == 0 || strcmp(sub, "reopen") == 0) {
		const char *status = sub[0] == 'd' ? "done" : sub[0] == 'c' ? "cancelled" : "open";
		if (parse_id("task", "MÃ-NV / TASK", o->args[1], 1, &task))
			return ATTT_EXIT_USAGE;
		r = attt_incident_task_set_status(attt_app_db(app), attt_app_clock(app), &cli_actor, task, status, o->note);
		if (r == ATTT_E_CONFLICT)
			return cli_fail(r, "incident task %s %s: đã ở trạng thái %s (already %s)", sub, o->args[1], status, status);
		if (r < 0)
			return fail(r, "task", o->args[1]);
		if (o->json)
			return cli_print_json(json_pack("{s:I,s:s}", "task", (json_int_t)task, "status", status));
		printf("Nhiệm vụ %lld: %s (task updated)\n", (long long)task, status);
		return ATTT_EXIT_OK;
	}
	if (strcmp(sub, "list") == 0) {
		json_t *it;
		size_t i;
		if (parse_id("task list", "ID", o->args[1], 1, &id))
			return ATTT_EXIT_USAGE;
		r = attt_incident_show_json(attt_app_db(app), id, attt_now_us(attt_app_clock(app)), &j);
		if (r < 0)
			return fail(r, "task list", o->args[1]);
		if (o->json) {
			json_t *t = json_incref(json_object_get(j, "tasks"));
			json_decref(j);
			return cli_print_json(json_pack("{s:o,s:I}", "items", t, "count", (json_int_t)json_array_size(t)));
		}
		puts("Mã/ID  TT/Status   Hạn/Due     Phía/Side  Người/Assignee  Nhiệm vụ/Task");
		json_array_foreach(json_object_get(j, "tasks"), i, it)
			printf("%-6lld %-11s %-11s %-10s %-15s %s%s\n", (long long)json_integer_value(json_object_get(it, "id")),
			       json_string_value(json_object_get(it, "status")),
			       json_is_string(json_object_get(it, "due")) ? json_string_value(json_object_get(it, "due")) : "-",
			       json_string_value(json_object_get(it, "side")),
			       json_is_string(json_object_get(it, "assignee")) ? json_string_value(json_object_get(it, "assignee")) : "-",
			       json_string_value(json_object_get(it, "title")),
			       json_is_true(json_object_get(it, "overdue")) ? "  QUÁ HẠN/OVERDUE" : "");
		json_decref(j);
		return ATTT_EXIT_OK;
	}
	return cli_usage("incident task: việc không có: %s (add, done, cancel, reopen, list)", sub);
}

static int do_link(struct attt_app *app, const struct opts *o)
{
	int64_t id, to;
	int r;

	if (parse_id("link", "ID", o->arg, 1, &id))
		return ATTT_EXIT_USAGE;
	if (!o->to || !o->kind)
		return cli_usage("incident link: cần --to và --kind (--to and --kind are required)");
	if (parse_id("link", "--to", o->to, 1, &to))
		return ATTT_EXIT_USAGE;
	if (strcmp(o->kind, "related") != 0 && strcmp(o->kind, "duplicate") != 0 && strcmp(o->kind, "caused-by") != 0)
		return cli_usage("incident link: --kind là related, duplicate hoặc caused-by: %s", o->kind);
	if (id == to)
		return cli_usage("incident link: không liên kết sự cố với chính nó (an incident cannot link to itself)");
	r = attt_incident_link(attt_app_db(app), attt_app_clock(app), &cli_actor, id, to, o->kind);
	if (r < 0)
		return fail(r, "link", o->arg);
	if (o->json)
		return cli_print_json(json_pack("{s:I,s:I,s:s}", "id", (json_int_t)id, "to", (json_int_t)to, "kind", o->kind));
	printf("Sự cố %lld %s %lld (linked)\n", (long long)id, o->kind, (long long)to);
	return ATTT_EXIT_OK;
}

/* R11.3: the deadline sweep of attt serve, for cron when no server runs. */
static int do_sweep(struct attt_app *app, const struct opts *o)
{
	struct attt_incident_sweep_stats st = { 0 };
	int r = attt_incident_sweep_deadlines(attt_app_db(app), attt_app_clock(app), attt_app_policy(app), 0, &st);

	if (r < 0)
		return fail(r, "sweep", NULL);
	if (o->json)
		return cli_print_json(json_pack("{s:i,s:i,s:i}", "near", (int)st.near, "missed", (int)st.missed,
						"notifications", (int)st.recipients));
	printf("Hạn sắp đến / near: %u, quá hạn / missed: %u, thông báo / notifications: %u\n", st.near, st.missed,
	       st.recipients);
	return ATTT_EXIT_OK;
}

int cmd_incident(int argc, char **argv)
{
	static const struct {
		const char *verb;
		const char *allowed;
		int args;
		int (*fn)(struct attt_app *, const struct opts *);
	} verbs[] = {
		{ "report", "jatDTsySr", 0, do_report },
		{ "list", "jaolen", 0, do_list },
		{ "show", "j", 1, do_show },
		{ "classify", "jSR", 1, do_classify },
		{ "suggest", "jgmvf", 0, do_suggest },
		{ "advance", "jAwx", 1, do_advance },
		{ "assign", "jc", 1, do_assign },
		{ "observe", "jkV", 1, do_observe },
		{ "form", "jFO", 1, do_form },
		{ "task", "jtiuzN", 2, do_task },
		{ "link", "jPk", 1, do_link },
		{ "sweep", "j", 0, do_sweep },
	};
	struct attt_app *app = NULL;
	struct opts o;
	char err[2048];
	const char *dir;
	int rc;

	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		incident_help(argc < 2 ? stderr : stdout);
		return argc < 2 ? ATTT_EXIT_USAGE : ATTT_EXIT_OK;
	}
	if (incident_files_verb(argv[1])) /* R8.6: cmd_incident_attach.c */
		return cmd_incident_files(argc, argv);
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++) {
		if (strcmp(argv[1], verbs[i].verb) != 0)
			continue;
		rc = parse(argc - 1, argv + 1, verbs[i].allowed, verbs[i].args, &o);
		if (rc == HELP_SHOWN)
			return ATTT_EXIT_OK;
		if (rc)
			return rc;
		dir = cli_data_dir(o.data);
		if (!dir)
			return ATTT_EXIT_USAGE;
		if (attt_app_open(dir, 0, &app, err, sizeof(err)) < 0) {
			fprintf(stderr, "attt: %s\n", err);
			return ATTT_EXIT_FAIL;
		}
		rc = verbs[i].fn(app, &o);
		attt_app_close(app);
		return rc;
	}
	return cli_usage("incident: việc không có: %s (unknown verb)", argv[1]);
}
