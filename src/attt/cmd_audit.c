/*
 * cmd_audit.c: `attt audit verify|key|checkpoint|prove|list|export|publish` (R7.1, R7.2), the
 * command line over the audit module. The contract for scripts (issue 6):
 *   verify --data DIR [--checkpoint FILE]...   exit 0 only if the trail is intact
 *   verify --export FILE --key VKEY [--checkpoint FILE]...   the same on an export, no database
 *   key --data DIR          the verifier key, C2SP signed-note form "name+hash+base64"
 *   checkpoint --data DIR   the latest signed checkpoint (made now if the trail has grown)
 *   prove --data DIR --index I [--size N]   the leaf hash, then the inclusion proof, one base64
 *                                           hash per line
 *   prove --data DIR --from N1 --to N2      the consistency proof, one base64 hash per line
 * Every verb takes --json for one JSON value instead. See docs/audit.md.
 *
 * The checkpoint's origin and key name is [audit] origin of attt.ini when the configuration has
 * it, else "attt/<data id>", stable for the data directory.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>

#include "attt/app.h"
#include "attt/audit.h"
#include "attt/buf.h"
#include "attt/clock.h"
#include "attt/config.h"
#include "attt/err.h"
#include "attt/limits.h"
#include "attt/policy.h"
#include "attt/str.h"
#include "cli.h"
#include "commands.h"

static void audit_help(FILE *f)
{
	fputs("Cách dùng / usage: attt audit <việc / verb> [tùy chọn / options]\n\n"
	      "Nhật ký kiểm toán chống sửa đổi (R7.1, R7.2). Tamper-evident audit trail (R7.1, R7.2).\n\n"
	      "  verify [--checkpoint TỆP]...        kiểm tra toàn bộ nhật ký; mã 0 chỉ khi nguyên vẹn\n"
	      "                                      re-derive the whole trail; exit 0 only if intact\n"
	      "  verify --export TỆP --key VKEY [--checkpoint TỆP]...\n"
	      "                                      kiểm tra bản xuất, không cần CSDL / verify an export, no database\n"
	      "  key                                 khóa kiểm tra chữ ký (name+hash+base64) / verifier key\n"
	      "  checkpoint [--no-new]               điểm kiểm tra có chữ ký mới nhất / latest signed checkpoint\n"
	      "  prove --index I [--size N]          băm lá rồi bằng chứng bao hàm / leaf hash, then inclusion proof\n"
	      "  prove --from N1 --to N2             bằng chứng nhất quán / consistency proof\n"
	      "  list [bộ lọc / filters] [--after SEQ] [--limit N]\n"
	      "                                      liệt kê sự kiện / list events\n"
	      "  export [--output TỆP] [--format jsonl|csv] [bộ lọc / filters]\n"
	      "                                      xuất; không lọc + jsonl = bản xuất kiểm tra được\n"
	      "                                      export; unfiltered jsonl = a verifiable export\n"
	      "  publish                             tạo điểm kiểm tra và gửi ra ngoài (tệp, syslog, nhân chứng)\n"
	      "                                      make a checkpoint and copy it off the database\n"
	      "  archive --output THƯ_MỤC [--to THỜI_GIAN]\n"
	      "                                      chuyển sự kiện quá thời hạn lưu giữ ra tệp (mặc định: hồ sơ)\n"
	      "                                      move events past retention to a file (default: the profile)\n"
	      "  review add --from T --to T --findings VĂN_BẢN [--agency ID]\n"
	      "                                      ghi nhận đã rà soát nhật ký (R7.3) / record a log review\n"
	      "  review list [--agency ID]           các lần rà soát / reviews\n"
	      "  review overdue [--agency ID]        phần nhật ký chưa rà soát, quá hạn? / unreviewed, overdue?\n"
	      "                                      (mã 1 khi quá hạn / exit 1 when overdue)\n\n"
	      "Bộ lọc / filters: --from THỜI_GIAN --to THỜI_GIAN --account ID --user TÊN --agency ID\n"
	      "  --category auth|data|config|connection|access --action HÀNH_ĐỘNG|tiền_tố. --object-type T\n"
	      "  --object-id ID --outcome success|failure|denied\n"
	      "  (--object-id: cả sự kiện hàng loạt có nêu đối tượng, vd. person.import /\n"
	      "   also the bulk events naming the object, e.g. person.import)\n"
	      "Thời gian / times: 2026-11-24, 24/11/2026 09:30 (giờ Việt Nam / Vietnam time) hoặc RFC 3339.\n\n"
	      "Tùy chọn chung / common options:\n"
	      "  -d, --data DIR   thư mục dữ liệu (mặc định $ATTT_DATA) / data directory (default $ATTT_DATA)\n"
	      "      --json       in JSON / print JSON\n"
	      "  -h, --help       trợ giúp này / this help\n"
	      "Mã thoát / exit: 0 ok (verify: nguyên vẹn / intact), 1 lỗi / failure, 2 sai cú pháp / usage.\n",
	      f);
}

#define MAX_CHECKPOINTS 64

struct opts {
	const char *data, *export_file, *key, *index, *size, *from, *to, *after, *limit, *output, *format, *account,
		*user, *agency, *category, *action, *otype, *oid, *outcome, *findings;
	const char *checkpoints[MAX_CHECKPOINTS];
	int n_checkpoints;
	bool json, no_new;
};

static const struct cli_opt audit_opts[] = {
	CLI_VALUE(struct opts, data, "data", 'd'),
	CLI_FLAG(struct opts, json, "json", 'j'),
	CLI_LIST(struct opts, checkpoints, n_checkpoints, "checkpoint", 'c'),
	CLI_VALUE(struct opts, export_file, "export", 'e'),
	CLI_VALUE(struct opts, key, "key", 'k'),
	CLI_FLAG(struct opts, no_new, "no-new", 'N'),
	CLI_VALUE(struct opts, index, "index", 'i'),
	CLI_VALUE(struct opts, size, "size", 's'),
	CLI_VALUE(struct opts, from, "from", 'f'),
	CLI_VALUE(struct opts, to, "to", 't'),
	CLI_VALUE(struct opts, after, "after", 'a'),
	CLI_VALUE(struct opts, limit, "limit", 'l'),
	CLI_VALUE(struct opts, output, "output", 'o'),
	CLI_VALUE(struct opts, format, "format", 'F'),
	CLI_VALUE(struct opts, account, "account", 'A'),
	CLI_VALUE(struct opts, user, "user", 'u'),
	CLI_VALUE(struct opts, agency, "agency", 'g'),
	CLI_VALUE(struct opts, category, "category", 'C'),
	CLI_VALUE(struct opts, action, "action", 'x'),
	CLI_VALUE(struct opts, otype, "object-type", 'T'),
	CLI_VALUE(struct opts, oid, "object-id", 'I'),
	CLI_VALUE(struct opts, outcome, "outcome", 'O'),
	CLI_VALUE(struct opts, findings, "findings", 'n'),
	{ NULL, 0, CLI_OPT_VALUE, 0, 0, 0 },
};

static const struct cli_noun audit_noun = { "audit", audit_opts, audit_help };

/* The verb's options (argv[0] = the verb, no positional arguments): 0, CLI_HELP_SHOWN or 2. */
static int parse(int argc, char **argv, const char *allowed, struct opts *o)
{
	memset(o, 0, sizeof(*o));
	return cli_parse(&audit_noun, argc, argv, allowed, 0, o, NULL);
}

static int open_app(const struct opts *o, unsigned flags, struct attt_app **ret)
{
	return cli_open_app(o->data, flags, ret);
}

/* The checkpoint origin and key name of this data directory. */
static int origin_of(struct attt_app *app, char *buf, size_t size)
{
	const char *v = NULL;

	if (attt_config_get_string(attt_app_config(app), "audit.origin", &v) != ATTT_OK)
		v = NULL; /* the option is not in this build's configuration table */
	return attt_audit_origin(v, attt_app_data_id(app), buf, size);
}

static int load_verifier(struct attt_app *app, struct attt_audit_verifier **ret)
{
	uint8_t pub[32];
	char origin[ATTT_AUDIT_MAX_NAME + 1];
	int r;

	r = origin_of(app, origin, sizeof(origin));
	if (r < 0)
		return cli_fail(r, "audit: [audit] origin");
	r = attt_app_read_key(app, ATTT_APP_AUDIT_PUB, pub, sizeof(pub));
	if (r < 0)
		return cli_fail(r, "audit: keys/%s", ATTT_APP_AUDIT_PUB);
	r = attt_audit_verifier_new(origin, pub, ret);
	if (r < 0)
		return cli_fail(r, "audit: %s", origin);
	return 0;
}

static int load_signer(struct attt_app *app, struct attt_audit_signer **ret)
{
	uint8_t seed[32];
	char origin[ATTT_AUDIT_MAX_NAME + 1];
	int r;

	r = origin_of(app, origin, sizeof(origin));
	if (r < 0)
		return cli_fail(r, "audit: [audit] origin");
	r = attt_app_read_key(app, ATTT_APP_AUDIT_KEY, seed, sizeof(seed));
	if (r < 0)
		return cli_fail(r, "audit: keys/%s", ATTT_APP_AUDIT_KEY);
	r = attt_audit_signer_new(origin, seed, ret);
	sodium_memzero(seed, sizeof(seed));
	if (r < 0)
		return cli_fail(r, "audit: %s", origin);
	return 0;
}

static int parse_u64(const char *verb, const char *what, const char *s, int64_t min, uint64_t *ret)
{
	int64_t v;
	if (attt_parse_int64(s, min, INT64_MAX, &v) < 0)
		return cli_usage("audit %s: %s không hợp lệ: %s (invalid %s)", verb, what, s, what);
	*ret = (uint64_t)v;
	return 0;
}

/* ---- verify ---- */

static int print_report(const struct opts *o, int r, const struct attt_audit_report *rep, const char *what)
{
	if (o->json) {
		json_t *j = json_pack("{s:b,s:I,s:I,s:I,s:I,s:I}", "intact", r == ATTT_OK, "size", (json_int_t)rep->size,
				      "first", (json_int_t)rep->first, "events", (json_int_t)rep->events, "checkpoints",
				      (json_int_t)rep->checkpoints, "signed_size", (json_int_t)rep->signed_size);
		if (j && r != ATTT_OK) {
			json_object_set_new(j, "first_bad", rep->first_bad >= 0 ? json_integer(rep->first_bad) : json_null());
			json_object_set_new(j, "reason", json_string(rep->reason));
		}
		if (cli_print_json(j) != ATTT_EXIT_OK)
			return ATTT_EXIT_FAIL;
		return r == ATTT_OK ? ATTT_EXIT_OK : ATTT_EXIT_FAIL;
	}
	if (r == ATTT_OK) {
		printf("Nhật ký nguyên vẹn (trail intact): %s\n"
		       "  %llu sự kiện / events (%llu đã lưu trữ / archived), %llu điểm kiểm tra / checkpoints,\n"
		       "  có chữ ký đến / signed up to %llu\n",
		       what, (unsigned long long)rep->size, (unsigned long long)rep->first,
		       (unsigned long long)rep->checkpoints, (unsigned long long)rep->signed_size);
		if (rep->signed_size < rep->size)
			printf("  %llu sự kiện cuối chưa có điểm kiểm tra (last events not yet checkpointed)\n",
			       (unsigned long long)(rep->size - rep->signed_size));
		return ATTT_EXIT_OK;
	}
	if (r == ATTT_E_CORRUPT) {
		printf("NHẬT KÝ BỊ THAY ĐỔI (TRAIL ALTERED): %s\n  sự kiện hỏng đầu tiên / first bad sequence number: %lld\n"
		       "  %s\n",
		       what, (long long)rep->first_bad, rep->reason);
		return ATTT_EXIT_FAIL;
	}
	return cli_fail(r, "audit verify: %s%s%s", what, rep->reason[0] ? ": " : "", rep->reason);
}

static int read_notes(const struct opts *o, char **notes)
{
	for (int i = 0; i < o->n_checkpoints; i++) {
		size_t n;
		int r = cli_read_file(o->checkpoints[i], ATTT_AUDIT_MAX_NOTE, &notes[i], &n);
		if (r < 0)
			return cli_fail(r, "audit verify: --checkpoint %s", o->checkpoints[i]);
	}
	return 0;
}

static int do_verify(const struct opts *o)
{
	struct attt_app *app = NULL;
	struct attt_audit_verifier *v = NULL;
	struct attt_audit_report rep;
	char *notes[MAX_CHECKPOINTS] = { 0 };
	int rc, r;

	memset(&rep, 0, sizeof(rep));
	if ((rc = read_notes(o, notes)) != 0)
		goto out;
	if (o->export_file) {
		if (!o->key) {
			rc = cli_usage("audit verify --export: cần --key VKEY, khóa công khai đã công bố "
				       "(--key with the published verifier key is required)");
			goto out;
		}
		r = attt_audit_verifier_parse(o->key, &v);
		if (r < 0) {
			rc = cli_fail(r, "audit verify: --key %s", o->key);
			goto out;
		}
		r = attt_audit_verify_export(o->export_file, v, (const char *const *)notes, (size_t)o->n_checkpoints, &rep);
		rc = print_report(o, r, &rep, o->export_file);
		goto out;
	}
	if ((rc = open_app(o, ATTT_APP_READONLY, &app)) != 0)
		goto out;
	if ((rc = load_verifier(app, &v)) != 0)
		goto out;
	r = attt_audit_verify(attt_app_db(app), v, (const char *const *)notes, (size_t)o->n_checkpoints, &rep);
	rc = print_report(o, r, &rep, attt_app_dir(app));
out:
	for (int i = 0; i < MAX_CHECKPOINTS; i++)
		free(notes[i]);
	attt_audit_verifier_free(v);
	attt_app_close(app);
	return rc;
}

/* ---- key, checkpoint ---- */

static int do_key(const struct opts *o)
{
	struct attt_app *app = NULL;
	struct attt_audit_verifier *v = NULL;
	char vkey[ATTT_AUDIT_VKEY_MAX];
	int rc, r;

	if ((rc = open_app(o, ATTT_APP_READONLY, &app)) != 0 || (rc = load_verifier(app, &v)) != 0)
		goto out;
	r = attt_audit_verifier_vkey(v, vkey, sizeof(vkey));
	if (r < 0) {
		rc = cli_fail(r, "audit key");
		goto out;
	}
	if (o->json)
		rc = cli_print_json(json_pack("{s:s,s:s}", "name", attt_audit_verifier_name(v), "vkey", vkey));
	else
		printf("%s\n", vkey);
out:
	attt_audit_verifier_free(v);
	attt_app_close(app);
	return rc;
}

static int do_checkpoint(const struct opts *o)
{
	struct attt_app *app = NULL;
	struct attt_audit_signer *s = NULL;
	char *note = NULL;
	uint64_t size = 0;
	int64_t at = 0;
	int rc, r;

	if ((rc = open_app(o, 0, &app)) != 0)
		goto out;
	if (o->no_new) {
		r = attt_audit_checkpoint_latest_at(attt_app_db(app), &note, &size, &at);
	} else {
		if ((rc = load_signer(app, &s)) != 0)
			goto out;
		r = attt_audit_checkpoint(attt_app_db(app), attt_app_clock(app), s, &note, &size);
		/* The note carries no time; the time it was signed is stored beside it, by its size (a
		 * newer checkpoint may have been signed meanwhile by `attt serve`). */
		if (r == ATTT_OK)
			r = attt_audit_checkpoint_time(attt_app_db(app), size, &at);
	}
	if (r < 0) {
		rc = cli_fail(r, "audit checkpoint");
		goto out;
	}
	if (o->json) {
		char when[40] = "";
		attt_time_iso(at, when, sizeof(when));
		rc = cli_print_json(json_pack("{s:I,s:s,s:s?}", "size", (json_int_t)size, "note", note, "signed_at",
					      when[0] ? when : NULL));
	} else {
		fputs(note, stdout);
	}
out:
	free(note);
	attt_audit_signer_free(s);
	attt_app_close(app);
	return rc;
}

/* ---- prove ---- */

static int print_hashes(const struct opts *o, const struct attt_hash *leaf, const struct attt_hash *proof, size_t n,
			json_t *j)
{
	char b64[ATTT_HASH_B64];

	if (o->json) {
		json_t *arr = json_array();
		if (!j || !arr) {
			json_decref(j);
			json_decref(arr);
			return cli_fail(ATTT_E_NOMEM, "audit prove");
		}
		if (leaf) {
			attt_hash_b64(leaf, b64, sizeof(b64));
			json_object_set_new(j, "leaf", json_string(b64));
		}
		for (size_t i = 0; i < n; i++) {
			attt_hash_b64(&proof[i], b64, sizeof(b64));
			json_array_append_new(arr, json_string(b64));
		}
		json_object_set_new(j, "proof", arr);
		return cli_print_json(j);
	}
	json_decref(j);
	if (leaf) {
		attt_hash_b64(leaf, b64, sizeof(b64));
		puts(b64);
	}
	for (size_t i = 0; i < n; i++) {
		attt_hash_b64(&proof[i], b64, sizeof(b64));
		puts(b64);
	}
	return fflush(stdout) == 0 ? ATTT_EXIT_OK : ATTT_EXIT_FAIL;
}

static int do_prove(const struct opts *o)
{
	struct attt_app *app = NULL;
	struct attt_hash proof[ATTT_AUDIT_MAX_PROOF], leaf, root;
	uint64_t index = 0, size = 0, from = 0, to = 0;
	size_t n = 0;
	int rc, r;

	if (o->index && !o->from && !o->to) {
		if (parse_u64("prove", "--index", o->index, 0, &index) || (o->size && parse_u64("prove", "--size", o->size, 1, &size)))
			return ATTT_EXIT_USAGE;
	} else if (o->from && o->to && !o->index && !o->size) {
		if (parse_u64("prove", "--from", o->from, 1, &from) || parse_u64("prove", "--to", o->to, 1, &to))
			return ATTT_EXIT_USAGE;
	} else {
		return cli_usage("audit prove: cần --index I [--size N] hoặc --from N1 --to N2 "
				 "(--index I [--size N] or --from N1 --to N2 is required)");
	}
	if ((rc = open_app(o, ATTT_APP_READONLY, &app)) != 0)
		return rc;
	struct attt_db *db = attt_app_db(app);
	if (o->index) {
		if (size == 0 && (r = attt_audit_size(db, &size)) < 0)
			goto fail;
		r = attt_audit_prove_inclusion(db, index, size, &leaf, proof, &n);
		if (r >= 0)
			r = attt_audit_root(db, size, &root);
		if (r < 0)
			goto fail;
		char b64[ATTT_HASH_B64];
		attt_hash_b64(&root, b64, sizeof(b64));
		rc = print_hashes(o, &leaf, proof, n,
				  o->json ? json_pack("{s:I,s:I,s:s}", "index", (json_int_t)index, "size", (json_int_t)size,
						      "root", b64)
					  : NULL);
	} else {
		struct attt_hash r1, r2;
		char b1[ATTT_HASH_B64], b2[ATTT_HASH_B64];
		r = attt_audit_prove_consistency(db, from, to, proof, &n);
		if (r >= 0)
			r = attt_audit_root(db, from, &r1);
		if (r >= 0)
			r = attt_audit_root(db, to, &r2);
		if (r < 0)
			goto fail;
		attt_hash_b64(&r1, b1, sizeof(b1));
		attt_hash_b64(&r2, b2, sizeof(b2));
		rc = print_hashes(o, NULL, proof, n,
				  o->json ? json_pack("{s:I,s:I,s:s,s:s}", "from", (json_int_t)from, "to", (json_int_t)to,
						      "root1", b1, "root2", b2)
					  : NULL);
	}
	attt_app_close(app);
	return rc;
fail:
	attt_app_close(app);
	return cli_fail(r, "audit prove%s", r == ATTT_E_RANGE ? " (ngoài kích thước nhật ký / beyond the trail)" : "");
}

/* ---- list, export ---- */

static int build_filter(const char *verb, const struct opts *o, struct attt_audit_filter *f)
{
	int64_t v;

	memset(f, 0, sizeof(*f));
	f->outcome = -1;
	f->after_seq = -1;
	if (o->from && attt_time_parse(o->from, &f->from_us) < 0)
		return cli_usage("audit %s: --from không hợp lệ: %s (invalid time)", verb, o->from);
	if (o->to && attt_time_parse(o->to, &f->to_us) < 0)
		return cli_usage("audit %s: --to không hợp lệ: %s (invalid time)", verb, o->to);
	if (o->account && attt_parse_int64(o->account, 1, INT64_MAX, &f->actor_account) < 0)
		return cli_usage("audit %s: --account không hợp lệ: %s (invalid id)", verb, o->account);
	if (o->agency && attt_parse_int64(o->agency, 1, INT64_MAX, &f->agency_id) < 0)
		return cli_usage("audit %s: --agency không hợp lệ: %s (invalid id)", verb, o->agency);
	if (o->category && attt_audit_category_parse(o->category, &f->category) < 0)
		return cli_usage("audit %s: --category phải là auth, data, config, connection, access (invalid category)",
				 verb);
	if (o->outcome && attt_audit_outcome_parse(o->outcome, &f->outcome) < 0)
		return cli_usage("audit %s: --outcome phải là success, failure, denied (invalid outcome)", verb);
	if (o->after) {
		if (attt_parse_int64(o->after, -1, INT64_MAX, &v) < 0)
			return cli_usage("audit %s: --after không hợp lệ: %s (invalid sequence number)", verb, o->after);
		f->after_seq = v;
	}
	if (o->limit) {
		if (attt_parse_int64(o->limit, 1, 1000000000, &v) < 0)
			return cli_usage("audit %s: --limit không hợp lệ: %s (invalid limit)", verb, o->limit);
		f->limit = (size_t)v;
	}
	f->actor_name = o->user;
	f->action = o->action;
	f->object_type = o->otype;
	f->object_id = o->oid;
	return 0;
}

struct out {
	FILE *f;
	bool csv;
	struct attt_buf buf;
	size_t count;
	json_t *items; /* list --json */
};

static int emit(void *ctx, const struct attt_audit_record *rec)
{
	struct out *w = ctx;
	int r;

	attt_buf_reset(&w->buf);
	r = w->csv ? attt_audit_format_csv(rec, &w->buf) : attt_audit_format_json(rec, &w->buf);
	if (r < 0)
		return r;
	if (fwrite(w->buf.data, 1, w->buf.len, w->f) != w->buf.len)
		return ATTT_E_IO;
	w->count++;
	return ATTT_OK;
}

static int print_row(void *ctx, const struct attt_audit_record *rec)
{
	struct out *w = ctx;
	char t[32];

	if (attt_time_local(rec->time_us, t, sizeof(t)) < 0)
		attt_str_copy(t, sizeof(t), "-");
	/* A bulk event's object set (R7.2) can be 4 KB: the table shows its start, --json all of it.
	 * An item of a set is at most 39 bytes, so there is a comma before byte 48. */
	int obj_len = rec->object_id ? (int)strlen(rec->object_id) : 0;
	const char *more = "";
	if (obj_len > 48 && rec->object_id[0] == '{') {
		int cut = 48;
		while (cut > 1 && rec->object_id[cut] != ',')
			cut--;
		if (cut > 1) {
			obj_len = cut;
			more = ",…}";
		}
	}
	printf("%-8lld %-16s %-10s %-24s %-8s %-12s %s%s%.*s%s\n", (long long)rec->seq, t,
	       attt_audit_category_name(rec->category) ? attt_audit_category_name(rec->category) : "?",
	       rec->action ? rec->action : "-",
	       attt_audit_outcome_name(rec->outcome) ? attt_audit_outcome_name(rec->outcome) : "?",
	       rec->actor_name ? rec->actor_name : "-", rec->object_type ? rec->object_type : "",
	       rec->object_id ? ":" : "", obj_len, rec->object_id ? rec->object_id : "", more);
	w->count++;
	return ATTT_OK;
}

/* --json: the events as one value {"items": [...], "count": n, "next_after": seq|null}. */
static int collect_json(void *ctx, const struct attt_audit_record *rec)
{
	struct out *w = ctx;
	json_t *j;
	int r;

	attt_buf_reset(&w->buf);
	r = attt_audit_format_json(rec, &w->buf);
	if (r < 0)
		return r;
	j = json_loadb(w->buf.data, w->buf.len, 0, NULL);
	if (!j || json_array_append_new(w->items, j) < 0)
		return ATTT_E_NOMEM;
	w->count++;
	return ATTT_OK;
}

static int do_list(const struct opts *o)
{
	struct attt_app *app = NULL;
	struct attt_audit_filter f;
	struct out w = { .f = stdout };
	int64_t last = -1;
	int rc, r;

	if ((rc = build_filter("list", o, &f)) != 0)
		return rc;
	if (!o->limit)
		f.limit = ATTT_HTTP_DEFAULT_PAGE;
	if ((rc = open_app(o, ATTT_APP_READONLY, &app)) != 0)
		return rc;
	attt_buf_init(&w.buf, ATTT_AUDIT_MAX_EXPORT_LINE);
	if (!o->json)
		puts("Số/Seq  Thời gian/Time   Loại/Cat.  Hành động/Action         Kết quả  Người/Actor  Đối tượng/Object");
	else if (!(w.items = json_array()))
		return cli_fail(ATTT_E_NOMEM, "audit list");
	r = attt_audit_query(attt_app_db(app), &f, o->json ? collect_json : print_row, &w, &last);
	if (r < 0)
		rc = cli_fail(r, "audit list");
	else if (o->json)
		rc = cli_print_json(json_pack("{s:O,s:I,s:o}", "items", w.items, "count", (json_int_t)w.count, "next_after",
					      w.count == (size_t)f.limit ? json_integer(last) : json_null()));
	else if (w.count == (size_t)f.limit)
		printf("Trang sau / next page: --after %lld\n", (long long)last);
	json_decref(w.items);
	attt_buf_done(&w.buf);
	attt_app_close(app);
	return rc;
}

static bool has_filter(const struct opts *o)
{
	return o->from || o->to || o->account || o->user || o->agency || o->category || o->action || o->otype ||
	       o->oid || o->outcome || o->after || o->limit;
}

static int do_export(const struct opts *o)
{
	struct attt_app *app = NULL;
	struct attt_audit_verifier *v = NULL;
	struct attt_audit_filter f;
	struct out w = { .f = stdout };
	int fd = 1, rc, r;

	if (o->format && strcmp(o->format, "jsonl") != 0 && strcmp(o->format, "csv") != 0)
		return cli_usage("audit export: --format phải là jsonl hoặc csv (format must be jsonl or csv)");
	w.csv = o->format && strcmp(o->format, "csv") == 0;
	if ((rc = build_filter("export", o, &f)) != 0)
		return rc;
	if ((rc = open_app(o, ATTT_APP_READONLY, &app)) != 0)
		return rc;
	if (o->output) {
		/* Never overwrite: an export is evidence. */
		fd = open(o->output, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd < 0) {
			rc = cli_fail(ATTT_E_IO, "audit export: %s", o->output);
			goto out;
		}
		w.f = fdopen(fd, "w");
		if (!w.f) {
			close(fd);
			rc = cli_fail(ATTT_E_IO, "audit export: %s", o->output);
			goto out;
		}
		fd = fileno(w.f);
	}
	attt_buf_init(&w.buf, ATTT_AUDIT_MAX_EXPORT_LINE);
	if (!w.csv && !has_filter(o)) {
		if ((rc = load_verifier(app, &v)) != 0)
			goto done;
		fflush(w.f);
		r = attt_audit_export(attt_app_db(app), v, fd);
	} else {
		r = ATTT_OK;
		if (w.csv) {
			r = attt_audit_format_csv_header(&w.buf);
			if (r >= 0 && fwrite(w.buf.data, 1, w.buf.len, w.f) != w.buf.len)
				r = ATTT_E_IO;
		}
		if (r >= 0)
			r = attt_audit_query(attt_app_db(app), &f, emit, &w, NULL);
	}
	if (r >= 0 && (fflush(w.f) != 0 || (o->output && fsync(fileno(w.f)) != 0)))
		r = ATTT_E_IO;
	rc = r < 0 ? cli_fail(r, "audit export%s%s", o->output ? ": " : "", o->output ? o->output : "") : ATTT_EXIT_OK;
done:
	attt_buf_done(&w.buf);
	if (o->output && w.f)
		fclose(w.f);
out:
	attt_audit_verifier_free(v);
	attt_app_close(app);
	return rc;
}

/* ---- publish ---- */

static int do_publish(const struct opts *o)
{
	struct attt_app *app = NULL;
	struct attt_audit_signer *s = NULL;
	struct attt_audit_ticker *t = NULL;
	const struct attt_config *cfg;
	struct attt_audit_publish_opts po;
	bool made = false;
	int rc, r;

	if ((rc = open_app(o, 0, &app)) != 0 || (rc = load_signer(app, &s)) != 0)
		goto out;
	cfg = attt_app_config(app);
	r = attt_audit_publish_opts_from_config(cfg, &po);
	if (r < 0) {
		rc = cli_fail(r, "audit publish: [audit]");
		goto out;
	}
	po.interval_us = 1; /* by hand: a checkpoint whenever the trail has grown */
	po.events = 1;
	r = attt_audit_ticker_new(&po, &t);
	if (r >= 0)
		r = attt_audit_tick(t, attt_app_db(app), attt_app_clock(app), s, &made);
	if (r < 0) {
		rc = cli_fail(r, "audit publish");
		goto out;
	}
	size_t pending = attt_audit_ticker_pending(t);
	if (o->json)
		rc = cli_print_json(json_pack("{s:b,s:I}", "made", made, "pending", (json_int_t)pending));
	else
		printf("%s; %zu nơi nhận chưa nhận được (destinations still waiting)\n",
		       made ? "Đã tạo điểm kiểm tra mới (new checkpoint made)"
			    : "Không có sự kiện mới (no new events)",
		       pending);
	if (rc == ATTT_EXIT_OK && pending > 0)
		rc = ATTT_EXIT_FAIL;
out:
	attt_audit_ticker_free(t);
	attt_audit_signer_free(s);
	attt_app_close(app);
	return rc;
}

/* ---- review (R7.3) ---- */

static int print_review(void *ctx, const struct attt_audit_review *rev)
{
	json_t *arr = ctx;
	char from[32], to[32], at[32];

	if (arr)
		return json_array_append_new(
			       arr, json_pack("{s:I,s:I,s:I,s:I,s:I,s:s?,s:I,s:I,s:s}", "id", (json_int_t)rev->id, "agency_id",
					      (json_int_t)rev->agency_id, "from_us", (json_int_t)rev->from_us, "to_us",
					      (json_int_t)rev->to_us, "reviewer_account", (json_int_t)rev->reviewer_account,
					      "reviewer_name", rev->reviewer_name, "reviewed_us", (json_int_t)rev->reviewed_us,
					      "tree_size", (json_int_t)rev->tree_size, "findings", rev->findings)) == 0
			       ? ATTT_OK
			       : ATTT_E_NOMEM;
	if (attt_time_local(rev->from_us, from, sizeof(from)) < 0 || attt_time_local(rev->to_us, to, sizeof(to)) < 0 ||
	    attt_time_local(rev->reviewed_us, at, sizeof(at)) < 0)
		return ATTT_E_RANGE;
	printf("#%lld  cơ quan/agency %lld  %s – %s  bởi/by %s lúc/at %s (%lld sự kiện/events)\n    %s\n",
	       (long long)rev->id, (long long)rev->agency_id, from, to, rev->reviewer_name ? rev->reviewer_name : "-", at,
	       (long long)rev->tree_size, rev->findings);
	return ATTT_OK;
}

static int do_review(int argc, char **argv)
{
	static const struct attt_actor cli_actor = { .username = "cli", .source = "cli" };
	struct attt_app *app = NULL;
	struct opts o;
	const char *verb = argc > 1 ? argv[1] : "";
	int64_t agency = 0, from = 0, to = 0, id = 0, since = 0;
	bool overdue = false;
	int rc, r;

	if (strcmp(verb, "--help") == 0 || strcmp(verb, "-h") == 0) {
		audit_help(stdout);
		return ATTT_EXIT_OK;
	}
	if (strcmp(verb, "add") == 0)
		rc = parse(argc - 1, argv + 1, "jftgn", &o);
	else if (strcmp(verb, "list") == 0 || strcmp(verb, "overdue") == 0)
		rc = parse(argc - 1, argv + 1, "jg", &o);
	else
		return cli_usage("audit review: cần add, list hoặc overdue (add, list or overdue)");
	if (rc == CLI_HELP_SHOWN)
		return ATTT_EXIT_OK;
	if (rc != 0)
		return rc;
	if (o.agency && attt_parse_int64(o.agency, 0, INT64_MAX, &agency) < 0)
		return cli_usage("audit review: --agency không hợp lệ: %s (invalid id)", o.agency);
	if (strcmp(verb, "add") == 0) {
		if (!o.from || !o.to || !o.findings)
			return cli_usage("audit review add: cần --from, --to và --findings (--from, --to and --findings are "
					 "required)");
		if (attt_time_parse(o.from, &from) < 0 || attt_time_parse(o.to, &to) < 0)
			return cli_usage("audit review add: thời gian không hợp lệ (invalid time)");
	}
	if ((rc = open_app(&o, 0, &app)) != 0)
		return rc;
	struct attt_db *db = attt_app_db(app);
	if (strcmp(verb, "add") == 0) {
		r = attt_audit_review_add(db, attt_app_clock(app), &cli_actor, agency, from, to, o.findings, &id);
		if (r < 0)
			rc = cli_fail(r, "audit review add (--from < --to, --to không ở tương lai / not in the future)");
		else if (o.json)
			rc = cli_print_json(json_pack("{s:I}", "id", (json_int_t)id));
		else
			printf("Đã ghi nhận rà soát %lld (review recorded)\n", (long long)id);
	} else if (strcmp(verb, "list") == 0) {
		json_t *arr = o.json ? json_array() : NULL;
		r = attt_audit_review_list(db, agency, print_review, arr);
		if (r < 0) {
			json_decref(arr);
			rc = cli_fail(r, "audit review list");
		} else if (arr) {
			rc = cli_print_json(json_pack("{s:o}", "items", arr));
		}
	} else {
		const struct attt_policy_values *pv = attt_policy_values(attt_app_policy(app));
		int64_t days = pv->audit_log_review_interval_days;
		r = attt_audit_review_overdue(db, attt_app_clock(app), agency, days * 86400 * ATTT_USEC_PER_SEC, &since,
					      &overdue);
		if (r < 0) {
			rc = cli_fail(r, "audit review overdue");
		} else if (o.json) {
			rc = cli_print_json(json_pack("{s:b,s:o,s:I}", "overdue", overdue, "unreviewed_since",
						      since ? json_integer(since) : json_null(), "interval_days", (json_int_t)days));
		} else {
			char t[32];
			if (!since)
				printf("Đã rà soát đến nay (reviewed up to now)\n");
			else if (attt_time_local(since, t, sizeof(t)) == 0)
				printf("Chưa rà soát từ / unreviewed since %s%s (R7.3: %lld ngày / days)\n", t,
				       overdue ? " — QUÁ HẠN / OVERDUE" : "", (long long)days);
		}
		if (rc == ATTT_EXIT_OK && overdue)
			rc = ATTT_EXIT_FAIL;
	}
	attt_app_close(app);
	return rc;
}

/* ---- archive ---- */

static int do_archive(const struct opts *o)
{
	static const struct attt_actor cli_actor = { .username = "cli", .source = "cli" };
	struct attt_app *app = NULL;
	struct attt_audit_verifier *v = NULL;
	uint64_t count = 0;
	int64_t before = 0;
	int rc, r;

	if (!o->output)
		return cli_usage("audit archive: cần --output THƯ_MỤC (--output DIR is required)");
	if (o->to && attt_time_parse(o->to, &before) < 0)
		return cli_usage("audit archive: --to không hợp lệ: %s (invalid time)", o->to);
	if ((rc = open_app(o, 0, &app)) != 0 || (rc = load_verifier(app, &v)) != 0)
		goto out;
	if (!o->to) {
		/* The profile's retention. */
		int64_t days = attt_policy_values(attt_app_policy(app))->audit_retention_days;
		before = attt_now_us(attt_app_clock(app)) - days * 86400 * ATTT_USEC_PER_SEC;
	}
	r = attt_audit_archive(attt_app_db(app), attt_app_clock(app), &cli_actor, v, before, o->output, &count);
	if (r < 0) {
		rc = cli_fail(r, "audit archive: %s", o->output);
		goto out;
	}
	if (o->json)
		rc = cli_print_json(json_pack("{s:I}", "archived", (json_int_t)count));
	else
		printf("Đã chuyển %llu sự kiện ra %s (events archived)\n", (unsigned long long)count, o->output);
out:
	attt_audit_verifier_free(v);
	attt_app_close(app);
	return rc;
}

int cmd_audit(int argc, char **argv)
{
	struct opts o;
	const char *verb;
	int rc;

	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		audit_help(argc < 2 ? stderr : stdout);
		return argc < 2 ? ATTT_EXIT_USAGE : ATTT_EXIT_OK;
	}
	verb = argv[1];
	if (strcmp(verb, "review") == 0)
		return do_review(argc - 1, argv + 1);
	argc--;
	argv++;
	if (strcmp(verb, "verify") == 0)
		rc = parse(argc, argv, "jcek", &o);
	else if (strcmp(verb, "key") == 0)
		rc = parse(argc, argv, "j", &o);
	else if (strcmp(verb, "checkpoint") == 0)
		rc = parse(argc, argv, "jN", &o);
	else if (strcmp(verb, "prove") == 0)
		rc = parse(argc, argv, "jisft", &o);
	else if (strcmp(verb, "list") == 0)
		rc = parse(argc, argv, "jftalAugCxTIO", &o);
	else if (strcmp(verb, "export") == 0)
		rc = parse(argc, argv, "oFftalAugCxTIO", &o);
	else if (strcmp(verb, "publish") == 0)
		rc = parse(argc, argv, "j", &o);
	else if (strcmp(verb, "archive") == 0)
		rc = parse(argc, argv, "jot", &o);
	else
		return cli_usage("audit: việc không có: %s (unknown verb)", verb);
	if (rc == CLI_HELP_SHOWN)
		return ATTT_EXIT_OK;
	if (rc != 0)
		return rc;
	if (strcmp(verb, "verify") == 0)
		return do_verify(&o);
	if (strcmp(verb, "key") == 0)
		return do_key(&o);
	if (strcmp(verb, "checkpoint") == 0)
		return do_checkpoint(&o);
	if (strcmp(verb, "prove") == 0)
		return do_prove(&o);
	if (strcmp(verb, "list") == 0)
		return do_list(&o);
	if (strcmp(verb, "export") == 0)
		return do_export(&o);
	if (strcmp(verb, "archive") == 0)
		return do_archive(&o);
	return do_publish(&o);
}
