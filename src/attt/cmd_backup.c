/*
 * cmd_backup.c: attt backup <verb>: the command line over the backup engine (include/attt/backup.h).
 * The script contract (docs/backup.md): init, save, snapshots --json, restore, check [--read-data];
 * the passphrase comes from --passphrase-file FILE or ATTT_BACKUP_PASSPHRASE, never from argv.
 * Exit 0 only on success, 1 on failure (check: on any damage, each damaged object named on stderr),
 * 2 on usage errors. `plan` and `catalogue` (on a data directory, not a repository) are handed to
 * cmd_backup_plan.c.
 *
 * The verbs that change a repository or take data out of it (init, save, restore, forget, prune,
 * key add|remove|passwd) are audit events "backup.<verb>" when a data directory is given (--data
 * DIR or ATTT_DATA): it is opened before the repository is touched (a data directory that does not
 * open stops the command), and the event (outcome failure when the verb failed; the plan and its
 * agency when the repository is a registered plan's) is appended in a transaction of its own after
 * the verb. Without a data directory the engine runs as a standalone tool (a backup host, a bare
 * machine being restored) and says on stderr that nothing was audited (docs/backup.md).
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>
#include <utf8proc.h>

#include "attt/app.h"
#include "attt/audit.h"
#include "attt/backup.h"
#include "attt/bplan.h"
#include "attt/buf.h"
#include "attt/clock.h"
#include "attt/err.h"
#include "attt/str.h"
#include "cli.h"
#include "commands.h"

#define MAX_LIST 256

struct opts {
	const char *repo, *pass_file, *new_pass_file, *target, *include, *host, *cipher, *kdf, *data;
	json_t *ev;                      /* the audit event's summary, filled in by the verb; NULL: none */
	unsigned *n_removed;             /* forget: snapshots removed */
	const char *excludes[MAX_LIST], *tags[MAX_LIST];
	size_t n_excludes, n_tags;
	bool json, read_data, one_fs, dry_run, prune;
	struct attt_backup_policy policy;
};

enum { O_REPO = 256, O_DATA, O_PASSFILE, O_NEWPASSFILE, O_TARGET, O_INCLUDE, O_HOST, O_CIPHER, O_KDF, O_EXCLUDE, O_TAG,
       O_JSON, O_READDATA, O_ONEFS, O_DRYRUN, O_PRUNE, O_LAST, O_DAILY, O_WEEKLY, O_MONTHLY, O_YEARLY, O_WITHIN,
       O_HELP };

static const struct option longopts[] = {
	{ "repo", required_argument, NULL, O_REPO },
	{ "data", required_argument, NULL, O_DATA },
	{ "passphrase-file", required_argument, NULL, O_PASSFILE },
	{ "new-passphrase-file", required_argument, NULL, O_NEWPASSFILE },
	{ "target", required_argument, NULL, O_TARGET },
	{ "include", required_argument, NULL, O_INCLUDE },
	{ "host", required_argument, NULL, O_HOST },
	{ "cipher", required_argument, NULL, O_CIPHER },
	{ "kdf", required_argument, NULL, O_KDF },
	{ "exclude", required_argument, NULL, O_EXCLUDE },
	{ "tag", required_argument, NULL, O_TAG },
	{ "json", no_argument, NULL, O_JSON },
	{ "read-data", no_argument, NULL, O_READDATA },
	{ "one-file-system", no_argument, NULL, O_ONEFS },
	{ "dry-run", no_argument, NULL, O_DRYRUN },
	{ "prune", no_argument, NULL, O_PRUNE },
	{ "keep-last", required_argument, NULL, O_LAST },
	{ "keep-daily", required_argument, NULL, O_DAILY },
	{ "keep-weekly", required_argument, NULL, O_WEEKLY },
	{ "keep-monthly", required_argument, NULL, O_MONTHLY },
	{ "keep-yearly", required_argument, NULL, O_YEARLY },
	{ "keep-within", required_argument, NULL, O_WITHIN },
	{ "help", no_argument, NULL, O_HELP },
	{ NULL, 0, NULL, 0 },
};

static void help(FILE *f)
{
	fputs("Cách dùng / usage: attt backup <lệnh / verb> --repo KHO [tùy chọn / options]\n\n"
	      "Sao lưu mã hóa, chống trùng lặp, có chữ ký số (R10.1.a).\n"
	      "Encrypted, deduplicating, signed backups (R10.1.a).\n\n"
	      "  init                          tạo kho / create a repository [--cipher auto|xchacha|aes] [--kdf default|min]\n"
	      "  save PATH...                  sao lưu / back up [--exclude PAT] [--tag T] [--one-file-system] [--host H]\n"
	      "  snapshots                     liệt kê bản sao lưu / list snapshots\n"
	      "  ls SNAPSHOT                   liệt kê tệp / list files\n"
	      "  restore SNAPSHOT|latest --target DIR [--include PATH]   khôi phục / restore\n"
	      "  diff SNAPSHOT SNAPSHOT        so sánh / compare\n"
	      "  check [--read-data]           kiểm tra toàn vẹn / verify integrity\n"
	      "  forget --keep-last|--keep-daily|--keep-weekly|--keep-monthly|--keep-yearly N --keep-within 30d\n"
	      "        [--dry-run] [--prune]   xóa theo chính sách lưu giữ / apply retention\n"
	      "  prune                         dọn dữ liệu không dùng / remove unreferenced data\n"
	      "  plan add|edit|remove|list|run|drill  kế hoạch định kỳ trên --data DIR / scheduled plans (R10.1.b):\n"
	      "                                attt backup plan --help\n"
	      "  catalogue add|edit|remove|list|export  danh mục sao lưu trên --data DIR / backup catalogue (R10.2.b):\n"
	      "                                attt backup catalogue --help\n"
	      "  key list|add|remove ID|passwd quản lý khóa / manage keys (--new-passphrase-file F or ATTT_BACKUP_NEW_PASSPHRASE)\n\n"
	      "--data DIR (hoặc / or ATTT_DATA): ghi nhật ký kiểm toán cho init, save, restore, forget, prune, key\n"
	      "        add|remove|passwd / audit events for the verbs that change a repository or restore from it.\n"
	      "Mật khẩu / passphrase: --passphrase-file FILE hoặc / or ATTT_BACKUP_PASSPHRASE (không bao giờ trên dòng lệnh / never on the command line).\n"
	      "--json: đầu ra JSON / JSON output. Mã thoát / exit: 0 ok, 1 lỗi / failure or damage, 2 sai cú pháp / usage.\n",
	      f);
}

/* Reads a passphrase from file (trailing newlines dropped) or the environment variable env. */
static int get_pass(const char *file, const char *env, char **ret, size_t *ret_n)
{
	char *buf = NULL;
	size_t n = 0;
	int r;
	if (file) {
		if ((r = cli_read_file(file, 4096, &buf, &n)) < 0) {
			/* Say which file and why: a missing, unreadable or odd file each needs its own fix. */
			struct stat st;
			const char *why = attt_strerror(r);
			if (access(file, R_OK) < 0)
				why = strerror(errno);
			else if (stat(file, &st) == 0 && !S_ISREG(st.st_mode))
				why = "không phải tệp thường / not a regular file";
			fprintf(stderr, "attt: --passphrase-file %s: %s\n", file, why);
			return r;
		}
	} else {
		const char *e = getenv(env);
		if (!e)
			return ATTT_E_AUTH;
		n = strlen(e);
		buf = malloc(n + 1);
		if (!buf)
			return ATTT_E_NOMEM;
		memcpy(buf, e, n + 1);
	}
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = 0;
	if (n == 0) {
		free(buf);
		return ATTT_E_AUTH;
	}
	*ret = buf;
	*ret_n = n;
	return ATTT_OK;
}

static void free_pass(char *p, size_t n)
{
	if (p) {
		sodium_memzero(p, n);
		free(p);
	}
}

static int parse_count(const char *s, unsigned *ret)
{
	int64_t v;
	int r = attt_parse_int64(s, 0, 100000, &v);
	if (r == 0)
		*ret = (unsigned)v;
	return r;
}

/* "30d", "12h", "2w", "6m" (30 days), "1y" (365 days). */
static int parse_duration(const char *s, int64_t *ret_us)
{
	char num[32];
	size_t n = strlen(s);
	int64_t v, unit;
	if (n < 2 || n >= sizeof(num))
		return ATTT_E_INVAL;
	switch (s[n - 1]) {
	case 'h': unit = 3600; break;
	case 'd': unit = 86400; break;
	case 'w': unit = 7 * 86400; break;
	case 'm': unit = 30 * 86400; break;
	case 'y': unit = 365 * 86400; break;
	default: return ATTT_E_INVAL;
	}
	memcpy(num, s, n - 1);
	num[n - 1] = 0;
	if (attt_parse_int64(num, 1, 100000, &v) < 0)
		return ATTT_E_INVAL;
	*ret_us = v * unit * ATTT_USEC_PER_SEC;
	return ATTT_OK;
}

struct progress { bool on; struct timespec last; bool shown; };

static void progress_cb(void *ctx, const struct attt_backup_progress *p)
{
	struct progress *pr = ctx;
	struct timespec now;
	if (!pr->on)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if ((now.tv_sec - pr->last.tv_sec) * 1000 + (now.tv_nsec - pr->last.tv_nsec) / 1000000 < 500)
		return;
	pr->last = now;
	pr->shown = true;
	if (p->packs_total) /* check and prune go pack by pack */
		fprintf(stderr, "\r%llu/%llu gói/packs, %.1f MiB đã đọc/read   ", (unsigned long long)p->packs,
			(unsigned long long)p->packs_total, (double)p->bytes / 1048576.0);
	else
		fprintf(stderr, "\r%llu tệp/files, %.1f MiB, mới/new %.1f MiB   ", (unsigned long long)p->files,
			(double)p->bytes / 1048576.0, (double)p->bytes_new / 1048576.0);
}

/* Clears the progress line, so that a message or the result starts on a clean line. */
static void progress_end(struct progress *pr)
{
	if (pr->shown)
		fputs("\r\033[K", stderr);
	pr->shown = false;
}

/* File names are bytes: text output escapes control bytes (no terminal escape injection). */
static void put_escaped(const char *p)
{
	for (; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (c < 0x20 || c == 0x7f || c == '\\')
			printf("\\x%02x", c);
		else
			putchar(c);
	}
}

/* JSON strings must be UTF-8: a byte of a name that is not part of valid UTF-8 is written as the
 * four characters \xNN, and so that such a name can be told from one that holds those characters,
 * a backslash is always written as two (docs/backup.md, "Contract for scripts"). */
static json_t *jstr(const char *p)
{
	struct attt_buf b;
	json_t *j;
	if (!strchr(p, '\\') && (j = json_string(p)))
		return j;
	attt_buf_init(&b, 4 * strlen(p) + 1);
	for (const utf8proc_uint8_t *q = (const utf8proc_uint8_t *)p; *q;) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t len = utf8proc_iterate(q, -1, &cp);
		if (*q == '\\') {
			attt_buf_add(&b, "\\\\", 2);
			q++;
		} else if (len > 0) {
			attt_buf_add(&b, (const char *)q, (size_t)len);
			q += len;
		} else {
			attt_buf_addf(&b, "\\x%02x", *q);
			q++;
		}
	}
	j = json_string(attt_buf_str(&b));
	attt_buf_done(&b);
	return j;
}

static json_t *stats_json(const struct attt_backup_stats *s)
{
	return json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}", "files", (json_int_t)s->files, "dirs",
			 (json_int_t)s->dirs, "others", (json_int_t)s->others, "bytes", (json_int_t)s->bytes,
			 "bytes_new", (json_int_t)s->bytes_new, "bytes_stored", (json_int_t)s->bytes_stored,
			 "blobs_new", (json_int_t)s->blobs_new, "errors", (json_int_t)s->errors);
}

static json_t *strv_json(char **v, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, jstr(v[i]));
	return a;
}

static json_t *snap_json(const struct attt_backup_snapshot *s)
{
	char t[40];
	attt_time_iso(s->time_us, t, sizeof(t));
	return json_pack("{s:s,s:s,s:s,s:o,s:o,s:o,s:o,s:o}", "id", s->id, "short_id", "", "time", t, "hostname",
			 jstr(s->hostname), "username", jstr(s->username), "paths", strv_json(s->paths, s->n_paths),
			 "tags", strv_json(s->tags, s->n_tags), "stats", stats_json(&s->stats));
}

static int do_init(const struct opts *o, const char *pass, size_t pn)
{
	struct attt_backup_init_opts io = { 0 };
	int r;
	if (o->cipher) {
		if (strcmp(o->cipher, "xchacha") == 0)
			io.cipher = ATTT_BACKUP_CIPHER_XCHACHA;
		else if (strcmp(o->cipher, "aes") == 0)
			io.cipher = ATTT_BACKUP_CIPHER_AESGCM;
		else if (strcmp(o->cipher, "auto") != 0)
			return cli_usage("--cipher: auto, xchacha, aes");
	}
	if (o->kdf) {
		if (strcmp(o->kdf, "min") == 0) {
			io.kdf.opslimit = 1;
			io.kdf.memlimit = 8192;
		} else if (strcmp(o->kdf, "default") != 0) {
			return cli_usage("--kdf: default, min");
		}
	}
	if ((r = attt_backup_init(o->repo, pass, pn, &io)) < 0)
		return cli_fail(r, "backup init %s", o->repo);
	if (o->json)
		return cli_print_json(json_pack("{s:b,s:s}", "ok", 1, "repo", o->repo));
	printf("Đã tạo kho sao lưu / repository created: %s\n", o->repo);
	return ATTT_EXIT_OK;
}

static int do_save(struct attt_backup_repo *repo, const struct opts *o, int argc, char **argv)
{
	struct attt_backup_save_opts so = { 0 };
	struct attt_backup_stats st;
	struct progress pr = { .on = !o->json && isatty(2) };
	char id[ATTT_BACKUP_ID_HEX];
	int r;

	if (argc < 1)
		return cli_usage("backup save: cần ít nhất một đường dẫn (at least one PATH is required)");
	so.paths = (const char *const *)argv;
	so.n_paths = (size_t)argc;
	so.excludes = o->excludes;
	so.n_excludes = o->n_excludes;
	so.tags = o->tags;
	so.n_tags = o->n_tags;
	so.one_file_system = o->one_fs;
	so.hostname = o->host;
	so.progress = progress_cb;
	so.progress_ctx = &pr;
	/* R10.2.c: a repository on the device it protects (or attt's data directory's) dies with it.
	 * Plans refuse that; a save by hand only warns, since the script contract lets an operator copy
	 * to a local repository and move it off the machine afterwards. */
	{
		const char *data = o->data ? o->data : getenv("ATTT_DATA");
		struct attt_bplan_env env = { .data_dir = data && *data ? data : NULL };
		char why[ATTT_MAX_PATH * 2 + 256];
		if (attt_bplan_check_devices(&env, o->repo, (const char *const *)argv, (size_t)argc, why,
					     sizeof(why)) == ATTT_E_POLICY)
			fprintf(stderr, "attt: cảnh báo / warning: %s; một sự cố ổ đĩa mất cả hai, kế hoạch sao lưu từ "
				"chối điều này (one disk failure loses both; backup plans refuse this)\n", why);
	}
	r = attt_backup_save(repo, &so, &st, id);
	progress_end(&pr);
	if (r < 0)
		return cli_fail(r, "backup save");
	if (o->ev)
		json_object_update_new(o->ev, json_pack("{s:s,s:I,s:I,s:I}", "snapshot", id, "files", (json_int_t)st.files,
							"bytes", (json_int_t)st.bytes, "errors", (json_int_t)st.errors));
	if (o->json) {
		json_t *j = json_pack("{s:s,s:o}", "id", id, "stats", stats_json(&st));
		json_object_set_new(j, "ok", json_boolean(st.errors == 0));
		if (cli_print_json(j) != 0)
			return ATTT_EXIT_FAIL;
	} else {
		printf("Bản sao lưu / snapshot %.8s: %llu tệp/files, %llu thư mục/dirs, %.1f MiB đọc/read, "
		       "%.1f MiB mới/new, %.1f MiB lưu/stored\n",
		       id, (unsigned long long)st.files, (unsigned long long)st.dirs, (double)st.bytes / 1048576.0,
		       (double)st.bytes_new / 1048576.0, (double)st.bytes_stored / 1048576.0);
	}
	if (st.errors) {
		fprintf(stderr, "attt: %llu mục không đọc được, bản sao lưu thiếu chúng (%llu entries could not be read "
				"and are missing from the snapshot)\n",
			(unsigned long long)st.errors, (unsigned long long)st.errors);
		return ATTT_EXIT_FAIL;
	}
	return ATTT_EXIT_OK;
}

static int do_snapshots(struct attt_backup_repo *repo, const struct opts *o)
{
	struct attt_backup_snapshot *v = NULL;
	size_t n = 0;
	int r = attt_backup_snapshots(repo, &v, &n);
	if (r < 0)
		return cli_fail(r, "backup snapshots");
	if (o->json) {
		json_t *a = json_array();
		for (size_t i = 0; i < n; i++) {
			json_t *j = snap_json(&v[i]);
			char s8[9];
			memcpy(s8, v[i].id, 8);
			s8[8] = 0;
			json_object_set_new(j, "short_id", json_string(s8));
			json_array_append_new(a, j);
		}
		attt_backup_snapshots_free(v, n);
		return cli_print_json(a);
	}
	printf("%-8s  %-16s  %-16s  %s\n", "ID", "Thời gian/time", "Máy/host", "Đường dẫn/paths");
	for (size_t i = 0; i < n; i++) {
		char t[40];
		attt_time_local(v[i].time_us, t, sizeof(t));
		printf("%.8s  %-16s  ", v[i].id, t);
		put_escaped(v[i].hostname);
		for (size_t k = 0; k < v[i].n_paths; k++) {
			putchar(' ');
			put_escaped(v[i].paths[k]);
		}
		for (size_t k = 0; k < v[i].n_tags; k++) {
			fputs(" [", stdout);
			put_escaped(v[i].tags[k]);
			putchar(']');
		}
		putchar('\n');
	}
	attt_backup_snapshots_free(v, n);
	return ATTT_EXIT_OK;
}

static const char *kind_name(enum attt_backup_kind k)
{
	static const char *const names[] = { "?", "file", "dir", "symlink", "chr", "blk", "fifo", "socket" };
	return (unsigned)k < sizeof(names) / sizeof(names[0]) ? names[k] : "?";
}

static json_t *entry_json(const struct attt_backup_entry *e)
{
	json_t *j = json_pack("{s:o,s:s,s:i,s:i,s:i,s:I,s:I,s:i}", "path", jstr(e->path), "type",
			      kind_name(e->kind), "mode", (int)e->mode, "uid", (int)e->uid, "gid", (int)e->gid, "size",
			      (json_int_t)e->size, "mtime", (json_int_t)e->mtime_sec, "mtime_nsec", (int)e->mtime_nsec);
	if (j && e->link_target)
		json_object_set_new(j, "target", jstr(e->link_target));
	return j;
}

static int ls_cb(void *ctx, const struct attt_backup_entry *e)
{
	const struct opts *o = ctx;
	if (o->json) {
		json_t *j = entry_json(e);
		char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;
		json_decref(j);
		if (s)
			puts(s);
		free(s);
	} else {
		printf("%s %04o %u:%u %12llu ", kind_name(e->kind), e->mode, e->uid, e->gid, (unsigned long long)e->size);
		put_escaped(e->path);
		if (e->link_target) {
			fputs(" -> ", stdout);
			put_escaped(e->link_target);
		}
		putchar('\n');
	}
	return 0;
}

static int diff_cb(void *ctx, char change, const struct attt_backup_entry *e)
{
	const struct opts *o = ctx;
	if (o->json) {
		json_t *j = entry_json(e);
		char c[2] = { change, 0 }, *s;
		json_object_set_new(j, "change", json_string(c));
		s = json_dumps(j, JSON_COMPACT);
		json_decref(j);
		if (s)
			puts(s);
		free(s);
	} else {
		printf("%c ", change);
		put_escaped(e->path);
		putchar('\n');
	}
	return 0;
}

struct problems { const struct opts *o; json_t *list; struct progress *pr; };

static void problem_cb(void *ctx, const char *what, const char *why)
{
	struct problems *p = ctx;
	progress_end(p->pr);
	if (p->list)
		json_array_append_new(p->list, json_pack("{s:s,s:s}", "what", what, "why", why));
	fprintf(stderr, "attt: hỏng / damaged: %s: %s\n", what, why);
}

static int do_check(struct attt_backup_repo *repo, const struct opts *o)
{
	struct attt_backup_check_stats st = { 0 };
	struct progress pr = { .on = !o->json && isatty(2) };
	struct problems p = { o, o->json ? json_array() : NULL, &pr };
	attt_backup_set_progress(repo, progress_cb, &pr);
	int r = attt_backup_check(repo, o->read_data, problem_cb, &p, &st);
	attt_backup_set_progress(repo, NULL, NULL);
	progress_end(&pr);
	if (r < 0 && r != ATTT_E_CORRUPT) {
		json_decref(p.list);
		return cli_fail(r, "backup check");
	}
	if (o->json) {
		json_t *j = json_pack("{s:b,s:b,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:o}", "ok", r == 0, "read_data",
				      o->read_data, "packs", (json_int_t)st.packs, "indexes", (json_int_t)st.indexes,
				      "snapshots", (json_int_t)st.snapshots, "trees", (json_int_t)st.trees, "blobs",
				      (json_int_t)st.blobs, "bytes_read", (json_int_t)st.bytes_read,
				      "unreferenced_packs", (json_int_t)st.unreferenced_packs, "temp_files",
				      (json_int_t)st.temp_files, "problems", p.list);
		if (cli_print_json(j) != 0)
			return ATTT_EXIT_FAIL;
	} else if (r == 0) {
		printf("Kho toàn vẹn / repository intact: %llu gói/packs, %llu chỉ mục/indexes, %llu bản/snapshots, "
		       "%llu cây/trees%s\n",
		       (unsigned long long)st.packs, (unsigned long long)st.indexes, (unsigned long long)st.snapshots,
		       (unsigned long long)st.trees, o->read_data ? ", mọi byte đã đọc / every byte read" : "");
		if (st.unreferenced_packs || st.temp_files)
			printf("Còn dữ liệu của lần sao lưu bị ngắt / left by interrupted saves: %llu gói/packs, "
			       "%llu tệp tạm/temp files (prune xóa / prune removes them)\n",
			       (unsigned long long)st.unreferenced_packs, (unsigned long long)st.temp_files);
	}
	if (r == ATTT_E_CORRUPT)
		return cli_fail(r, "backup check: %llu lỗi / problems", (unsigned long long)st.problems);
	return ATTT_EXIT_OK;
}

static void forget_cb(void *ctx, const struct attt_backup_snapshot *s, bool keep, const char *reason)
{
	const struct opts *o = ctx;
	char t[40];
	if (!keep && o->n_removed)
		(*o->n_removed)++;
	if (o->json) {
		json_t *j = json_pack("{s:s,s:b,s:s,s:o,s:o}", "id", s->id, "keep", keep, "reason", reason,
				      "hostname", jstr(s->hostname), "paths", strv_json(s->paths, s->n_paths));
		char *str = j ? json_dumps(j, JSON_COMPACT) : NULL;
		json_decref(j);
		if (str)
			puts(str);
		free(str);
		return;
	}
	attt_time_local(s->time_us, t, sizeof(t));
	/* Host and paths: the policy applies to each such group on its own. */
	printf("%s %.8s %s (%s) ", keep ? "giữ/keep  " : "xóa/remove", s->id, t, reason);
	put_escaped(s->hostname);
	for (size_t k = 0; k < s->n_paths; k++) {
		putchar(' ');
		put_escaped(s->paths[k]);
	}
	putchar('\n');
}

static int do_prune(struct attt_backup_repo *repo, const struct opts *o)
{
	struct attt_backup_prune_stats st;
	struct progress pr = { .on = !o->json && isatty(2) };
	attt_backup_set_progress(repo, progress_cb, &pr);
	int r = attt_backup_prune(repo, &st);
	attt_backup_set_progress(repo, NULL, NULL);
	progress_end(&pr);
	if (r < 0)
		return cli_fail(r, "backup prune");
	if (o->ev)
		json_object_update_new(o->ev, json_pack("{s:I,s:I,s:I}", "packs_deleted", (json_int_t)st.packs_deleted,
							"packs_rewritten", (json_int_t)st.packs_rewritten, "bytes_freed",
							(json_int_t)st.bytes_freed));
	if (o->json)
		return cli_print_json(json_pack("{s:b,s:I,s:I,s:I,s:I,s:I}", "ok", 1, "packs_deleted",
						(json_int_t)st.packs_deleted, "packs_rewritten",
						(json_int_t)st.packs_rewritten, "blobs_deleted", (json_int_t)st.blobs_deleted,
						"bytes_freed", (json_int_t)st.bytes_freed, "temp_deleted",
						(json_int_t)st.temp_deleted));
	printf("Đã dọn / pruned: %llu gói xóa/packs deleted, %llu gói viết lại/rewritten, %.1f MiB giải phóng/freed\n",
	       (unsigned long long)st.packs_deleted, (unsigned long long)st.packs_rewritten,
	       (double)st.bytes_freed / 1048576.0);
	return ATTT_EXIT_OK;
}

static void key_cb(void *ctx, const char *id, bool current)
{
	const struct opts *o = ctx;
	if (o->json)
		printf("{\"id\":\"%s\",\"current\":%s}\n", id, current ? "true" : "false");
	else
		printf("%s%s\n", id, current ? " *" : "");
}

static int do_key(struct attt_backup_repo *repo, const struct opts *o, int argc, char **argv)
{
	struct attt_backup_kdf kdf = { 0 };
	char *np = NULL, id[ATTT_BACKUP_ID_HEX];
	size_t npn = 0;
	int r;

	if (argc < 1)
		return cli_usage("backup key: list, add, remove ID, passwd");
	if (o->kdf && strcmp(o->kdf, "min") == 0) {
		kdf.opslimit = 1;
		kdf.memlimit = 8192;
	}
	if (strcmp(argv[0], "list") == 0) {
		r = attt_backup_key_list(repo, key_cb, (void *)o);
		return r < 0 ? cli_fail(r, "backup key list") : ATTT_EXIT_OK;
	}
	if (strcmp(argv[0], "remove") == 0) {
		if (argc != 2)
			return cli_usage("backup key remove ID");
		r = attt_backup_key_remove(repo, argv[1]);
		if (r < 0)
			return cli_fail(r, "backup key remove %s", argv[1]);
		if (o->ev)
			json_object_set_new(o->ev, "key", json_string(argv[1]));
		return o->json ? cli_print_json(json_pack("{s:b,s:s}", "ok", 1, "removed", argv[1])) : ATTT_EXIT_OK;
	}
	if (strcmp(argv[0], "add") != 0 && strcmp(argv[0], "passwd") != 0)
		return cli_usage("backup key: list, add, remove ID, passwd");
	if ((r = get_pass(o->new_pass_file, "ATTT_BACKUP_NEW_PASSPHRASE", &np, &npn)) < 0)
		return cli_fail(r, "cần mật khẩu mới: --new-passphrase-file hoặc ATTT_BACKUP_NEW_PASSPHRASE "
				   "(new passphrase needed)");
	if (strcmp(argv[0], "add") == 0)
		r = attt_backup_key_add(repo, np, npn, &kdf, id);
	else
		r = attt_backup_key_passwd(repo, np, npn, &kdf);
	free_pass(np, npn);
	if (r < 0)
		return cli_fail(r, "backup key %s", argv[0]);
	bool add = strcmp(argv[0], "add") == 0;
	if (o->ev && add)
		json_object_set_new(o->ev, "key", json_string(id));
	if (o->json)
		return cli_print_json(add ? json_pack("{s:b,s:s}", "ok", 1, "id", id) : json_pack("{s:b}", "ok", 1));
	if (add)
		printf("%s\n", id);
	return ATTT_EXIT_OK;
}

/* --- audit events of the engine verbs ---------------------------------------------------------- */

/* The audit action of verb (argv: its positional arguments), or NULL for a verb that changes
 * nothing (snapshots, ls, diff, check, key list, forget --dry-run). */
static const char *audited(const char *verb, int argc, char **argv, const struct opts *o,
			   enum attt_audit_category *cat, const char **rule)
{
	*cat = ATTT_AUDIT_DATA;
	*rule = "R10.2.a"; /* every run and restore is recorded */
	if (strcmp(verb, "init") == 0 || strcmp(verb, "save") == 0) {
		*rule = "R10.1.a";
		return strcmp(verb, "init") == 0 ? "backup.init" : "backup.save";
	}
	if (strcmp(verb, "restore") == 0)
		return "backup.restore";
	if (strcmp(verb, "forget") == 0)
		return o->dry_run ? NULL : "backup.forget";
	if (strcmp(verb, "prune") == 0)
		return "backup.prune";
	if (strcmp(verb, "key") == 0 && argc >= 1) {
		/* a key is a credential to the repository: access, like tokens and roles */
		*cat = ATTT_AUDIT_ACCESS;
		*rule = "R10.1.a";
		if (strcmp(argv[0], "add") == 0)
			return "backup.key.add";
		if (strcmp(argv[0], "remove") == 0)
			return "backup.key.remove";
		if (strcmp(argv[0], "passwd") == 0)
			return "backup.key.passwd";
	}
	return NULL;
}

/* The data directory for the audit events: --data, else ATTT_DATA; *ret NULL without one. Opened
 * before the repository is touched, so that a wrong directory stops the command. */
static int audit_open(const struct opts *o, struct attt_app **ret)
{
	const char *dir = o->data ? o->data : getenv("ATTT_DATA");
	*ret = NULL;
	if (!dir || !*dir) {
		if (isatty(2))
			fputs("attt: không có thư mục dữ liệu (--data, ATTT_DATA): không ghi nhật ký kiểm toán "
			      "(no data directory: this is not audited)\n", stderr);
		return 0;
	}
	return cli_open_app(dir, 0, ret);
}

/* Appends the event of an audited verb that ran (rc 0 or 1) to app's trail. Returns rc, or 1 when
 * the event could not be written (said on stderr: the change happened but is not in the trail). */
static int audit_write(struct attt_app *app, const char *action, enum attt_audit_category cat, const char *rule,
		       const struct opts *o, int rc)
{
	int64_t plan = 0, agency = 0;
	char oid[32] = "", *text = NULL;
	json_t *sum = o->ev;
	int r;

	/* A repository of a registered plan: the event is the plan's, seen by its agency. */
	if (attt_bplan_find_repo(attt_app_db(app), o->repo, &plan, &agency) == ATTT_OK)
		attt_str_printf(oid, sizeof(oid), "%lld", (long long)plan);
	json_object_set_new(sum, "repo", jstr(o->repo));
	json_object_set_new(sum, "result", json_string(rc == 0 ? "ok" : "failed"));
	if (plan)
		json_object_set_new(sum, "plan", json_integer(plan));
	if (!(text = json_dumps(sum, JSON_COMPACT)))
		return cli_fail(ATTT_E_NOMEM, "backup: nhật ký kiểm toán / audit");
	struct attt_audit_event ev = {
		.category = cat,
		.action = action,
		.object_type = plan ? "backup_plan" : "backup_repo",
		.object_id = plan ? oid : NULL,
		.agency_id = agency,
		.outcome = rc == 0 ? ATTT_AUDIT_SUCCESS : ATTT_AUDIT_FAILURE,
		.rule = rule,
		.summary = text,
	};
	r = cli_audit_append(app, &ev);
	free(text);
	if (r < 0)
		return cli_fail(r, "backup: đã thực hiện nhưng không ghi được nhật ký kiểm toán / done, but the audit "
				   "event could not be written");
	return rc;
}

/* attt backup plan ... and catalogue ...: cmd_backup_plan.c (R10.1.b, R10.2.b, R10.2.c). */
int backup_plan_cmd(int argc, char **argv);
int backup_catalogue_cmd(int argc, char **argv);

int cmd_backup(int argc, char **argv)
{
	struct opts o = { 0 };
	struct attt_backup_repo *repo = NULL;
	struct attt_app *app = NULL;
	enum attt_audit_category cat;
	char *pass = NULL;
	size_t pn = 0;
	const char *verb, *action = NULL, *rule = NULL;
	unsigned removed = 0;
	int c, r, rc = ATTT_EXIT_FAIL;

	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		help(argc < 2 ? stderr : stdout);
		return argc < 2 ? ATTT_EXIT_USAGE : ATTT_EXIT_OK;
	}
	verb = argv[1];
	if (strcmp(verb, "plan") == 0)
		return backup_plan_cmd(argc - 1, argv + 1);
	if (strcmp(verb, "catalogue") == 0)
		return backup_catalogue_cmd(argc - 1, argv + 1);
	argc--;
	argv++;
	/* getopt_long accepts abbreviations: "--passphrase x" would be taken as --passphrase-file x.
	 * A passphrase never travels on the command line, so abbreviations of these are refused. */
	for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		size_t n = strcspn(argv[i], "=");
		if (n > 2 && strncmp(argv[i], "--", 2) == 0 &&
		    ((n - 2 < strlen("passphrase-file") && strncmp(argv[i] + 2, "passphrase-file", n - 2) == 0) ||
		     (n - 2 < strlen("new-passphrase-file") && strncmp(argv[i] + 2, "new-passphrase-file", n - 2) == 0)))
			return cli_usage("%.*s: mật khẩu chỉ từ --passphrase-file FILE hoặc ATTT_BACKUP_PASSPHRASE "
					 "(the passphrase comes only from --passphrase-file FILE or ATTT_BACKUP_PASSPHRASE)",
					 (int)n, argv[i]);
	}
	optind = 0;
	opterr = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case O_REPO: o.repo = optarg; break;
		case O_DATA: o.data = optarg; break;
		case O_PASSFILE: o.pass_file = optarg; break;
		case O_NEWPASSFILE: o.new_pass_file = optarg; break;
		case O_TARGET: o.target = optarg; break;
		case O_INCLUDE: o.include = optarg; break;
		case O_HOST: o.host = optarg; break;
		case O_CIPHER: o.cipher = optarg; break;
		case O_KDF: o.kdf = optarg; break;
		case O_EXCLUDE:
			if (o.n_excludes == MAX_LIST)
				return cli_usage("--exclude: tối đa / at most %d", MAX_LIST);
			o.excludes[o.n_excludes++] = optarg;
			break;
		case O_TAG:
			if (o.n_tags == MAX_LIST)
				return cli_usage("--tag: tối đa / at most %d", MAX_LIST);
			o.tags[o.n_tags++] = optarg;
			break;
		case O_JSON: o.json = true; break;
		case O_READDATA: o.read_data = true; break;
		case O_ONEFS: o.one_fs = true; break;
		case O_DRYRUN: o.dry_run = true; break;
		case O_PRUNE: o.prune = true; break;
		case O_LAST: case O_DAILY: case O_WEEKLY: case O_MONTHLY: case O_YEARLY: {
			unsigned *dst = c == O_LAST ? &o.policy.keep_last : c == O_DAILY ? &o.policy.keep_daily
				      : c == O_WEEKLY ? &o.policy.keep_weekly : c == O_MONTHLY ? &o.policy.keep_monthly
				      : &o.policy.keep_yearly;
			if (parse_count(optarg, dst) < 0)
				return cli_usage("số không hợp lệ (invalid count): %s", optarg);
			break;
		}
		case O_WITHIN:
			if (parse_duration(optarg, &o.policy.keep_within_us) < 0)
				return cli_usage("--keep-within: ví dụ / e.g. 30d, 12h, 2w, 6m, 1y");
			break;
		case 'h':
		case O_HELP:
			help(stdout);
			return ATTT_EXIT_OK;
		default:
			return cli_usage("backup %s: tùy chọn không hợp lệ (invalid option)", verb);
		}
	}
	argc -= optind;
	argv += optind;
	/* Usage errors (exit 2) before the passphrase is asked for or the repository opened. */
	{
		static const struct { const char *verb; int min, max; } arity[] = {
			{ "init", 0, 0 }, { "save", 1, INT_MAX }, { "snapshots", 0, 0 }, { "ls", 1, 1 },
			{ "restore", 1, 1 }, { "diff", 2, 2 }, { "check", 0, 0 }, { "forget", 0, 0 },
			{ "prune", 0, 0 }, { "key", 1, INT_MAX },
		};
		size_t k = 0;
		while (k < sizeof(arity) / sizeof(arity[0]) && strcmp(arity[k].verb, verb) != 0)
			k++;
		if (k == sizeof(arity) / sizeof(arity[0]))
			return cli_usage("backup: lệnh không có / unknown verb: %s", verb);
		if (argc < arity[k].min || argc > arity[k].max)
			return cli_usage("backup %s: số đối số sai (wrong number of arguments: %d); xem / see attt backup "
					 "--help", verb, argc);
		if (strcmp(verb, "restore") == 0 && (!o.target || !*o.target))
			return cli_usage("backup restore SNAPSHOT|latest --target DIR");
	}
	if (!o.repo)
		o.repo = getenv("ATTT_BACKUP_REPO");
	if (!o.repo || !*o.repo)
		return cli_usage("backup %s: cần --repo KHO (--repo REPO is required)", verb);
	if ((r = get_pass(o.pass_file, "ATTT_BACKUP_PASSPHRASE", &pass, &pn)) < 0)
		return cli_fail(r, "cần mật khẩu: --passphrase-file FILE hoặc ATTT_BACKUP_PASSPHRASE "
				   "(passphrase needed)");
	/* R10.2.a: runs, restores, prunes and key changes are audit events when there is a trail. */
	if ((action = audited(verb, argc, argv, &o, &cat, &rule))) {
		if ((rc = audit_open(&o, &app)) != 0)
			goto out;
		rc = ATTT_EXIT_FAIL;
		if (app && !(o.ev = json_object())) {
			rc = cli_fail(ATTT_E_NOMEM, "backup");
			goto out;
		}
		o.n_removed = &removed;
	}
	if (strcmp(verb, "init") == 0) {
		rc = do_init(&o, pass, pn);
		goto out;
	}
	if ((r = attt_backup_open(o.repo, pass, pn, &repo)) < 0) {
		rc = cli_fail(r, "backup %s: mở kho / opening %s", verb, o.repo);
		goto out;
	}
	free_pass(pass, pn);
	pass = NULL;
	if (strcmp(verb, "save") == 0) {
		rc = do_save(repo, &o, argc, argv);
	} else if (strcmp(verb, "snapshots") == 0) {
		rc = do_snapshots(repo, &o);
	} else if (strcmp(verb, "ls") == 0) {
		if (argc != 1) {
			rc = cli_usage("backup ls SNAPSHOT");
			goto out;
		}
		r = attt_backup_ls(repo, argv[0], ls_cb, &o);
		rc = r < 0 ? cli_fail(r, "backup ls %s", argv[0]) : ATTT_EXIT_OK;
	} else if (strcmp(verb, "restore") == 0) {
		struct attt_backup_restore_opts ro = { .include = o.include };
		struct attt_backup_stats st = { 0 };
		struct progress pr = { .on = !o.json && isatty(2) };
		if (argc != 1 || !o.target) {
			rc = cli_usage("backup restore SNAPSHOT|latest --target DIR");
			goto out;
		}
		ro.progress = progress_cb;
		ro.progress_ctx = &pr;
		r = attt_backup_restore(repo, argv[0], o.target, &ro, &st);
		progress_end(&pr);
		if (o.ev)
			json_object_update_new(o.ev, json_pack("{s:o,s:o,s:I,s:I,s:I}", "snapshot", jstr(argv[0]), "target",
							       jstr(o.target), "files", (json_int_t)st.files, "bytes",
							       (json_int_t)st.bytes, "errors", (json_int_t)st.errors));
		if (r == ATTT_E_CORRUPT && st.errors)
			rc = cli_fail(r, "backup restore %s: %llu tệp không khôi phục được vì dữ liệu hỏng, mỗi tệp có tên ở "
				      "trên; phần còn lại đã khôi phục (%llu files not restored: damaged data, each named "
				      "above; the rest is restored)", argv[0], (unsigned long long)st.errors,
				      (unsigned long long)st.errors);
		else if (r < 0)
			rc = cli_fail(r, "backup restore %s", argv[0]);
		else if (o.json)
			rc = cli_print_json(json_pack("{s:b,s:o}", "ok", st.errors == 0, "stats", stats_json(&st)));
		else
			rc = (printf("Đã khôi phục / restored: %llu tệp/files, %.1f MiB vào/into %s\n",
				     (unsigned long long)st.files, (double)st.bytes / 1048576.0, o.target),
			      ATTT_EXIT_OK);
		if (rc == 0 && st.errors)
			rc = cli_fail(ATTT_E_PERM, "%llu mục không tạo được (entries could not be created)",
				      (unsigned long long)st.errors);
	} else if (strcmp(verb, "diff") == 0) {
		if (argc != 2) {
			rc = cli_usage("backup diff SNAPSHOT SNAPSHOT");
			goto out;
		}
		r = attt_backup_diff(repo, argv[0], argv[1], diff_cb, &o);
		rc = r < 0 ? cli_fail(r, "backup diff") : ATTT_EXIT_OK;
	} else if (strcmp(verb, "check") == 0) {
		rc = do_check(repo, &o);
	} else if (strcmp(verb, "forget") == 0) {
		r = attt_backup_forget(repo, &o.policy, o.dry_run, forget_cb, &o);
		if (r == ATTT_E_INVAL)
			rc = cli_usage("backup forget: cần ít nhất một --keep-* (at least one --keep-* option)");
		else if (r < 0)
			rc = cli_fail(r, "backup forget");
		else
			rc = o.prune && !o.dry_run ? do_prune(repo, &o) : ATTT_EXIT_OK;
		if (o.ev)
			json_object_set_new(o.ev, "removed", json_integer(removed));
	} else if (strcmp(verb, "prune") == 0) {
		rc = do_prune(repo, &o);
	} else if (strcmp(verb, "key") == 0) {
		rc = do_key(repo, &o, argc, argv);
	} else {
		rc = cli_usage("backup: lệnh không có / unknown verb: %s", verb);
	}
out:
	free_pass(pass, pn);
	attt_backup_close(repo);
	if (app && o.ev && (rc == ATTT_EXIT_OK || rc == ATTT_EXIT_FAIL))
		rc = audit_write(app, action, cat, rule, &o, rc);
	json_decref(o.ev);
	attt_app_close(app);
	return rc;
}
