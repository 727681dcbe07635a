/*
 * cmd_incident_attach.c: `attt incident attach|attachments|download` (R8.6), the command line over
 * the attachments of include/attt/incident.h. attach loads the libclamav engine from attt.ini's
 * scan.database, scans the file and stores it, or quarantines it and exits 1 saying so; without a
 * usable database nothing is stored (fail closed). download writes a clean attachment or a stored
 * Mẫu 03/04/05 PDF to a new file (never over an existing one) and is audited; a quarantined file is
 * refused. The operator acts as {username "cli", source "cli"} like the other incident verbs.
 * With --json:
 *   attach       {"id": N, "attachment_id": A, "name", "state": "clean"|"quarantined", "sha256",
 *                 "size", "media_type", "signature": null|"..."}
 *   attachments  {"items": [...], "count": n}
 *   download     {"id": N, "attachment_id"|"document_id": X, "out": FILE, "size", "sha256"}
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "attt/app.h"
#include "attt/audit.h"
#include "attt/config.h"
#include "attt/err.h"
#include "attt/incident.h"
#include "attt/limits.h"
#include "attt/scan.h"
#include "attt/str.h"
#include "cli.h"
#include "incident_files.h"

struct fopts {
	const char *data, *name, *attachment, *document, *out;
	bool json;
};

static const struct cli_opt fopts_table[] = {
	CLI_VALUE(struct fopts, data, "data", 'd'),
	CLI_FLAG(struct fopts, json, "json", 'j'),
	CLI_VALUE(struct fopts, name, "name", 'n'),
	CLI_VALUE(struct fopts, attachment, "attachment", 'a'),
	CLI_VALUE(struct fopts, document, "document", 'D'),
	CLI_VALUE(struct fopts, out, "out", 'O'),
	{ NULL, 0, 0, 0, 0, 0 },
};

static void incident_files_help(FILE *f)
{
	fputs("  attach ID TỆP [--name TÊN]                               đính kèm tệp (quét mã độc) / attach a file (R8.6)\n"
	      "  attachments ID                                           liệt kê tệp đính kèm / list attachments\n"
	      "  download ID (--attachment A | --document D) --out TỆP    tải tệp, Mẫu đã lập / download a file or form\n",
	      f);
}

static void files_help(FILE *f)
{
	fputs("Cách dùng / usage: attt incident <việc / verb> [tùy chọn / options]\n\n"
	      "Tệp đính kèm sự cố, quét bằng libclamav (R8.6). Incident attachments, scanned with libclamav.\n\n",
	      f);
	incident_files_help(f);
	fputs("\nTệp nhiễm mã độc bị cách ly, không bao giờ tải xuống được; attach thoát 1.\n"
	      "An infected file is quarantined and can never be downloaded; attach exits 1.\n"
	      "Cơ sở dữ liệu mẫu / signatures: attt.ini [scan] database (mặc định /var/lib/clamav).\n"
	      "  -d, --data DIR   thư mục dữ liệu / data directory      --json   in JSON / print JSON\n"
	      "Mã thoát / exit: 0 ok, 1 lỗi hoặc đã cách ly / failure or quarantined, 2 sai cú pháp / usage.\n",
	      f);
}

static const struct cli_noun files_noun = { "incident", fopts_table, files_help };

static const struct attt_actor cli_actor = { .username = "cli", .source = "cli" };

bool incident_files_verb(const char *verb)
{
	return verb && (strcmp(verb, "attach") == 0 || strcmp(verb, "attachments") == 0 || strcmp(verb, "download") == 0);
}

int incident_scan_open(const struct attt_config *cfg, struct attt_scan **ret, char *err, size_t errsz)
{
	/* R8.6: one database path, configurable; the default is Debian's clamav-freshclam directory. */
	return attt_scan_open(attt_config_string(cfg, "scan.database"), ret, err, errsz);
}

void incident_scan_stamp(const char *path, struct incident_scan_stamp *ret)
{
	struct stat st;
	DIR *d;
	struct dirent *e;

	memset(ret, 0, sizeof(*ret));
	if (!path || stat(path, &st) != 0)
		return;
	ret->exists = 1;
	ret->mtime_ns = (long long)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
	ret->size = (long long)st.st_size;
	if (!S_ISDIR(st.st_mode) || !(d = opendir(path)))
		return;
	/* freshclam replaces files by rename, which changes the directory's mtime; an edited local
	 * signature file changes only its own, so every entry counts. */
	while ((e = readdir(d)) && ret->entries < 100000) {
		struct stat es;
		if (e->d_name[0] == '.' || fstatat(dirfd(d), e->d_name, &es, 0) != 0)
			continue;
		ret->entries++;
		ret->mtime_ns ^= (long long)es.st_mtim.tv_sec * 1000000000LL + es.st_mtim.tv_nsec + ret->entries;
		ret->size += (long long)es.st_size;
	}
	closedir(d);
}

static int parse_id(const char *verb, const char *what, const char *s, int64_t *ret)
{
	if (attt_parse_int64(s, 1, INT64_MAX, ret) < 0)
		return cli_usage("incident %s: %s không hợp lệ: %s (invalid %s)", verb, what, s, what);
	return 0;
}

/* Reads the regular file path, at most max bytes (a larger one is ATTT_E_TOOBIG before reading). */
static int read_upload(const char *path, size_t max, char **ret, size_t *ret_len)
{
	struct stat st;

	if (stat(path, &st) != 0)
		return errno == ENOENT ? ATTT_E_NOTFOUND : ATTT_E_IO;
	if (!S_ISREG(st.st_mode))
		return ATTT_E_INVAL;
	if ((unsigned long long)st.st_size > max)
		return ATTT_E_TOOBIG;
	return cli_read_file(path, max, ret, ret_len);
}

/* R8.6: scan, then store or quarantine. */
static int do_attach(struct attt_app *app, const struct fopts *o, const char *ids, const char *file)
{
	struct attt_incident_attach_limits lim;
	struct attt_incident_attachment a;
	struct attt_scan *scan = NULL;
	const char *base;
	char *data = NULL, err[1024];
	size_t n = 0;
	int64_t id;
	int r, rc = ATTT_EXIT_FAIL;

	if (parse_id("attach", "ID", ids, &id))
		return ATTT_EXIT_USAGE;
	attt_incident_attach_limits_from_config(attt_app_config(app), &lim);
	r = read_upload(file, lim.max_bytes, &data, &n);
	if (r == ATTT_E_TOOBIG)
		return cli_fail(r, "incident attach: %s lớn hơn %zu byte (incident.attachment_max_bytes)", file, lim.max_bytes);
	if (r < 0)
		return cli_fail(r, "incident attach: không đọc được %s (cannot read)", file);
	r = incident_scan_open(attt_app_config(app), &scan, err, sizeof(err));
	if (r < 0) {
		rc = cli_fail(r, "incident attach: không quét được mã độc nên không lưu tệp (cannot scan, nothing stored): %s",
			      err);
		goto out;
	}
	base = strrchr(file, '/');
	base = o->name ? o->name : base ? base + 1 : file;
	r = attt_incident_attach(attt_app_db(app), attt_app_clock(app), scan, &lim, &cli_actor, id, base, data, n, &a);
	switch (r) {
	case ATTT_OK:
		break;
	case ATTT_E_UNSUPPORTED:
		rc = cli_fail(r, "incident attach: loại tệp không được nhận (type not accepted; incident.attachment_types)");
		goto out;
	case ATTT_E_CONFLICT:
		rc = cli_fail(r, "incident attach %s: đã đủ %u tệp đính kèm (incident.attachment_max_count reached)", ids,
			      lim.max_count);
		goto out;
	case ATTT_E_INVAL:
		rc = cli_fail(r, "incident attach: tệp rỗng hoặc tên tệp không hợp lệ (empty file or invalid name)");
		goto out;
	case ATTT_E_NOTFOUND:
		rc = cli_fail(r, "incident attach %s: không có sự cố này (no such incident)", ids);
		goto out;
	default:
		rc = cli_fail(r, "incident attach %s", ids);
		goto out;
	}
	if (o->json)
		rc = cli_print_json(json_pack("{s:I,s:I,s:s,s:s,s:s,s:I,s:s,s:s?}", "id", (json_int_t)id, "attachment_id",
					      (json_int_t)a.id, "name", a.name, "state", a.quarantined ? "quarantined" : "clean",
					      "sha256", a.sha256, "size", (json_int_t)a.size, "media_type", a.media_type,
					      "signature", a.quarantined ? a.signature : NULL));
	else if (a.quarantined)
		printf("Tệp đính kèm %lld: %s\n", (long long)a.id, a.sha256);
	else {
		printf("Đã đính kèm tệp %lld vào sự cố %lld (attached): %s, %zu byte, %s\nSHA-256 %s\n", (long long)a.id,
		       (long long)id, a.name, a.size, a.media_type, a.sha256);
		rc = ATTT_EXIT_OK;
	}
	if (a.quarantined) {
		/* R8.6: said clearly, on stderr too, and the exit status says it to scripts. */
		fprintf(stderr,
			"attt: incident attach: CẢNH BÁO: tệp %s chứa mã độc %s; đã CÁCH LY (tệp %lld), không thể tải xuống; "
			"cán bộ chuyên trách đã được thông báo.\n"
			"attt: incident attach: WARNING: %s matched %s; QUARANTINED (attachment %lld), never served; the "
			"security officers were notified.\n",
			a.name, a.signature, (long long)a.id, a.name, a.signature, (long long)a.id);
		rc = ATTT_EXIT_FAIL;
	}
out:
	attt_scan_close(scan);
	free(data);
	return rc;
}

static int do_list(struct attt_app *app, const struct fopts *o, const char *ids)
{
	json_t *j = NULL, *it;
	int64_t id;
	size_t i;
	int r;

	if (parse_id("attachments", "ID", ids, &id))
		return ATTT_EXIT_USAGE;
	r = attt_incident_attachments_json(attt_app_db(app), id, &j);
	if (r < 0)
		return cli_fail(r, "incident attachments %s", ids);
	if (o->json)
		return cli_print_json(j);
	puts("ID     Trạng thái/State  Kích thước/Size  Loại/Type                    Tên/Name");
	json_array_foreach(json_object_get(j, "items"), i, it)
		printf("%-6lld %-17s %-16lld %-28s %s%s%s\n", (long long)json_integer_value(json_object_get(it, "id")),
		       json_string_value(json_object_get(it, "state")),
		       (long long)json_integer_value(json_object_get(it, "size")),
		       json_string_value(json_object_get(it, "media_type")), json_string_value(json_object_get(it, "name")),
		       json_is_string(json_object_get(it, "signature")) ? "  MÃ ĐỘC/MALWARE: " : "",
		       json_is_string(json_object_get(it, "signature")) ? json_string_value(json_object_get(it, "signature"))
									: "");
	json_decref(j);
	return ATTT_EXIT_OK;
}

/* Writes p[0..n) to a new file path (0600; an existing file is never replaced), synced. */
static int write_new(const char *path, const void *p, size_t n)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	const char *c = p;
	int r = ATTT_OK;

	if (fd < 0)
		return errno == EEXIST ? ATTT_E_EXISTS : ATTT_E_IO;
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
	if (r < 0)
		unlink(path);
	return r;
}

static int do_download(struct attt_app *app, const struct fopts *o, const char *ids)
{
	struct attt_incident_file f = { 0 };
	int64_t id, oid;
	bool doc = o->document != NULL;
	int r, rc;

	if (parse_id("download", "ID", ids, &id))
		return ATTT_EXIT_USAGE;
	if ((!o->attachment) == (!o->document) || !o->out)
		return cli_usage("incident download: cần --attachment A hoặc --document D, và --out TỆP "
				 "(one of --attachment or --document, and --out, are required)");
	if (parse_id("download", doc ? "--document" : "--attachment", doc ? o->document : o->attachment, &oid))
		return ATTT_EXIT_USAGE;
	r = doc ? attt_incident_document_read(attt_app_db(app), attt_app_clock(app), &cli_actor, id, oid, &f)
		: attt_incident_attachment_read(attt_app_db(app), attt_app_clock(app), &cli_actor, id, oid, &f);
	if (r == ATTT_E_INFECTED)
		return cli_fail(r, "incident download: tệp %lld đã bị CÁCH LY vì chứa mã độc, không bao giờ được tải xuống "
				"(QUARANTINED: never downloaded)", (long long)oid);
	if (r == ATTT_E_NOTFOUND)
		return cli_fail(r, "incident download: sự cố %s không có %s %lld (no such %s)", ids,
				doc ? "tài liệu" : "tệp đính kèm", (long long)oid, doc ? "document" : "attachment");
	if (r < 0)
		return cli_fail(r, "incident download %s", ids);
	r = write_new(o->out, f.data, f.size);
	if (r < 0) {
		rc = cli_fail(r, "incident download: không ghi được %s (cannot write%s)", o->out,
			      r == ATTT_E_EXISTS ? ": it exists, never replaced" : "");
		goto out;
	}
	if (o->json)
		rc = cli_print_json(json_pack("{s:I,s:I,s:s,s:s,s:I,s:s}", "id", (json_int_t)id,
					      doc ? "document_id" : "attachment_id", (json_int_t)oid, "name", f.name, "out",
					      o->out, "size", (json_int_t)f.size, "sha256", f.sha256));
	else {
		printf("Đã ghi %s (%zu byte, SHA-256 %s) vào %s (written)\n", f.name, f.size, f.sha256, o->out);
		rc = ATTT_EXIT_OK;
	}
out:
	attt_incident_file_done(&f);
	return rc;
}

int cmd_incident_files(int argc, char **argv)
{
	struct attt_app *app = NULL;
	struct fopts o;
	const char *args[2] = { NULL, NULL };
	const char *verb = argv[1];
	bool attach = strcmp(verb, "attach") == 0, dl = strcmp(verb, "download") == 0;
	int rc;

	memset(&o, 0, sizeof(o));
	rc = cli_parse(&files_noun, argc - 1, argv + 1, attach ? "jn" : dl ? "jaDO" : "j", attach ? 2 : 1, &o, args);
	if (rc == CLI_HELP_SHOWN)
		return ATTT_EXIT_OK;
	if (rc)
		return rc;
	rc = cli_open_app(o.data, 0, &app);
	if (rc)
		return rc;
	rc = attach ? do_attach(app, &o, args[0], args[1]) : dl ? do_download(app, &o, args[0]) : do_list(app, &o, args[0]);
	attt_app_close(app);
	return rc;
}
