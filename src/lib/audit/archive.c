/*
 * archive.c: retention (the profile's audit_retention_days): old events leave the database for an
 * archive file, the tree stays. Only a prefix of the trail that a signed checkpoint covers is
 * archived, so the archive file itself can be verified against that checkpoint, and the events
 * that remain keep their proofs (every tree node of the archived events moves to audit_node; the
 * peaks of the archived prefix are what verification starts from). The prefix ends at a signed
 * checkpoint, whose note is in the file.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "attt/audit.h"
#include "attt/buf.h"
#include "attt/db.h"
#include "attt/err.h"
#include "attt/limits.h"
#include "attt/str.h"
#include "audit-int.h"

struct del_ctx {
	const struct attt_clock *clock;
	const struct attt_actor *actor;
	int64_t first, end;
	const char *file;
	uint8_t sha[32];
};

static int delete_tx(struct attt_db *db, void *arg)
{
	struct del_ctx *c = arg;
	struct attt_stmt *st = NULL;
	char summary[ATTT_MAX_PATH + 128];
	struct attt_buf js;
	int r;

	/* The events' tree nodes move to audit_node: proofs and verification of what remains read
	 * them there. Blocks of audit_time wholly archived go. */
	r = attt__audit_keep_nodes(db, c->first, c->end);
	if (r < 0)
		return r;
	r = attt_db_prepare(db, "DELETE FROM audit_time WHERE block < ? >> 8", &st);
	if (r < 0)
		return r;
	if ((r = attt_stmt_bind_int64(st, 1, c->end)) < 0 || (r = attt_stmt_step(st)) < 0)
		goto out;
	attt_stmt_finalize(st);
	st = NULL;
	/* Nothing may have changed the prefix since it was written out. */
	r = attt_db_prepare(db, "DELETE FROM audit_event WHERE seq >= ? AND seq < ?", &st);
	if (r < 0)
		return r;
	if ((r = attt_stmt_bind_int64(st, 1, c->first)) < 0 || (r = attt_stmt_bind_int64(st, 2, c->end)) < 0 ||
	    (r = attt_stmt_step(st)) < 0)
		goto out;
	if (attt_db_changes(db) != c->end - c->first) {
		r = ATTT_E_CONFLICT;
		goto out;
	}
	attt_stmt_finalize(st);
	st = NULL;
	/* The block the prefix ends in keeps only its remaining events' span. */
	r = attt_db_prepare(db,
			    "UPDATE audit_time SET min_us = (SELECT MIN(time_us) FROM audit_event WHERE seq >= ?1 AND seq < "
			    "(block + 1) << 8), max_us = (SELECT MAX(time_us) FROM audit_event WHERE seq >= ?1 AND seq < "
			    "(block + 1) << 8) WHERE block = ?1 >> 8 AND (?1 & 255) != 0",
			    &st);
	if (r < 0)
		goto out;
	if ((r = attt_stmt_bind_int64(st, 1, c->end)) < 0 || (r = attt_stmt_step(st)) < 0)
		goto out;
	attt_stmt_finalize(st);
	st = NULL;
	r = attt_db_prepare(db, "INSERT INTO audit_archive (first_seq, end_seq, time_us, file, sha256) VALUES (?, ?, ?, ?, ?)",
			    &st);
	if (r < 0)
		goto out;
	if ((r = attt_stmt_bind_int64(st, 1, c->first)) < 0 || (r = attt_stmt_bind_int64(st, 2, c->end)) < 0 ||
	    (r = attt_stmt_bind_int64(st, 3, attt_now_us(c->clock))) < 0 || (r = attt_stmt_bind_text(st, 4, c->file)) < 0 ||
	    (r = attt_stmt_bind_blob(st, 5, c->sha, sizeof(c->sha))) < 0 || (r = attt_stmt_step(st)) < 0)
		goto out;
	/* The summary is JSON: the file name goes through a JSON string encoder. */
	attt_buf_init(&js, sizeof(summary));
	char hex[65];
	sodium_bin2hex(hex, sizeof(hex), c->sha, sizeof(c->sha));
	r = attt_buf_addf(&js, "{\"first_seq\":%lld,\"end_seq\":%lld,\"sha256\":\"%s\"}", (long long)c->first,
			  (long long)c->end, hex);
	if (r >= 0) {
		char obj[64];
		attt_str_printf(obj, sizeof(obj), "%lld-%lld", (long long)c->first, (long long)c->end);
		struct attt_audit_event ev = { .category = ATTT_AUDIT_DATA, .action = "audit.archive",
					       .object_type = "audit_archive", .object_id = obj, .rule = "R7.1",
					       .summary = attt_buf_str(&js) };
		r = attt_audit_append(db, c->clock, c->actor, &ev, NULL);
	}
	attt_buf_done(&js);
out:
	attt_stmt_finalize(st);
	return r;
}

static int write_events(void *ctx, const struct attt_audit_record *rec)
{
	struct attt_buf *b = ctx;
	size_t before = b->len;
	int r = attt_audit_format_json(rec, b);

	/* attt_audit_format_json ends in "}\n": turn it into an export event line. */
	if (r >= 0 && b->len >= before + 2 && b->data[b->len - 2] == '}') {
		b->len -= 2;
		r = attt_buf_adds(b, ",\"type\":\"event\"}\n");
	}
	return r;
}

int attt_audit_archive(struct attt_db *db, const struct attt_clock *clock, const struct attt_actor *actor,
		       const struct attt_audit_verifier *v, int64_t before_us, const char *dir, uint64_t *ret_count)
{
	struct del_ctx c = { .clock = clock, .actor = actor };
	struct attt_buf out;
	struct attt_audit_filter f;
	char path[ATTT_MAX_PATH], vkey[ATTT_AUDIT_VKEY_MAX];
	int64_t first, end, cp_size, v64;
	bool null;
	int fd = -1, r;

	attt_buf_init(&out, (size_t)1 << 34);
	if (attt_db_in_tx(db)) {
		r = ATTT_E_STATE;
		goto out;
	}
	if ((r = attt__audit_scalar(db, "SELECT MIN(seq) FROM audit_event", NULL, 0, &first, &null)) < 0)
		goto out;
	if (null) {
		r = ATTT_OK;
		if (ret_count)
			*ret_count = 0;
		goto out;
	}
	/* The first event at or after before_us, within the seq range audit_time allows. */
	int64_t seq_lo, seq_hi;
	if ((r = attt__audit_time_range(db, before_us, INT64_MAX, &seq_lo, &seq_hi)) < 0)
		goto out;
	end = 0;
	null = seq_lo >= seq_hi;
	int64_t args[2] = { seq_lo, before_us };
	if (!null && (r = attt__audit_scalar(db, "SELECT MIN(seq) FROM audit_event WHERE seq >= ? AND time_us >= ?", args, 2,
					     &end, &null)) < 0)
		goto out;
	if (null && (r = attt__audit_scalar(db, "SELECT MAX(seq) + 1 FROM audit_event", NULL, 0, &end, &null)) < 0)
		goto out;
	/* End exactly at a signed checkpoint: what leaves is provable by that signature, which goes
	 * into the archive file with it. */
	r = attt__audit_scalar(db, "SELECT MAX(size) FROM audit_checkpoint WHERE size <= ?", &end, 1, &cp_size, &null);
	if (r < 0)
		goto out;
	end = null ? 0 : cp_size;
	if (end <= first) {
		if (ret_count)
			*ret_count = 0;
		r = ATTT_OK;
		goto out;
	}
	c.first = first;
	c.end = end;
	r = attt_str_printf(path, sizeof(path), "%s/audit-archive-%lld-%lld.jsonl", dir, (long long)first, (long long)end);
	if (r < 0)
		goto out;
	/* The file: a header, the events, the checkpoints up to cp_size (all in export format). */
	r = attt_audit_verifier_vkey(v, vkey, sizeof(vkey));
	if (r >= 0)
		r = attt_buf_addf(&out, "{\"type\":\"header\",\"version\":1,\"origin\":\"%s\",\"vkey\":\"%s\",\"size\":%lld,"
					"\"first\":%lld}\n",
				  attt_audit_verifier_name(v), vkey, (long long)end, (long long)first);
	if (r < 0)
		goto out;
	if (first > 0) {
		/* The peaks of first, as in an export, so the archive verifies on its own. */
		struct attt_audit_src src;
		uint64_t lo = 0;
		attt_audit_src_init(&src, db);
		for (int bit = 63; r >= 0 && bit >= 0; bit--) {
			struct attt_hash h;
			char b64[ATTT_HASH_B64];
			uint64_t w = UINT64_C(1) << bit;
			if (!((uint64_t)first & w))
				continue;
			r = src.src.get(src.src.ctx, (unsigned)bit, lo >> bit, &h);
			if (r >= 0) {
				attt_hash_b64(&h, b64, sizeof(b64));
				r = attt_buf_addf(&out, "{\"type\":\"node\",\"level\":%d,\"index\":%llu,\"hash\":\"%s\"}\n", bit,
						  (unsigned long long)(lo >> bit), b64);
			}
			lo += w;
		}
		attt_audit_src_done(&src);
		if (r < 0)
			goto out;
	}
	memset(&f, 0, sizeof(f));
	f.outcome = -1;
	f.after_seq = first - 1;
	f.limit = (size_t)(end - first);
	r = attt_audit_query(db, &f, write_events, &out, NULL);
	if (r < 0)
		goto out;
	{
		struct attt_stmt *st = NULL;
		r = attt_db_prepare(db, "SELECT note FROM audit_checkpoint WHERE size <= ? ORDER BY size", &st);
		if (r >= 0)
			r = attt_stmt_bind_int64(st, 1, end);
		while (r >= 0 && (r = attt_stmt_step(st)) == 1) {
			const char *note = attt_stmt_text(st, 0);
			struct attt_buf esc;
			attt_buf_init(&esc, ATTT_AUDIT_MAX_NOTE * 2);
			/* Notes hold only base64, names, digits, "\n" and the em dash: escape the newlines. */
			for (const char *p = note ? note : ""; r >= 0 && *p; p++)
				r = *p == '\n' ? attt_buf_adds(&esc, "\\n") : *p == '"' || *p == '\\' ? ATTT_E_INVAL : attt_buf_addc(&esc, *p);
			if (r >= 0)
				r = attt_buf_addf(&out, "{\"type\":\"checkpoint\",\"note\":\"%s\"}\n", attt_buf_str(&esc));
			attt_buf_done(&esc);
		}
		attt_stmt_finalize(st);
		if (r < 0)
			goto out;
	}
	crypto_hash_sha256(c.sha, (const unsigned char *)out.data, out.len);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		r = errno == EEXIST ? ATTT_E_EXISTS : ATTT_E_IO;
		goto out;
	}
	for (size_t off = 0; off < out.len;) {
		ssize_t w = write(fd, out.data + off, out.len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			r = ATTT_E_IO;
			goto out_unlink;
		}
		off += (size_t)w;
	}
	if (fsync(fd) != 0) {
		r = ATTT_E_IO;
		goto out_unlink;
	}
	close(fd);
	fd = -1;
	c.file = path;
	r = attt_db_tx(db, delete_tx, &c);
	if (r < 0)
		goto out_unlink;
	v64 = end - first;
	if (ret_count)
		*ret_count = (uint64_t)v64;
	r = ATTT_OK;
	goto out;
out_unlink:
	if (fd >= 0)
		close(fd);
	fd = -1;
	unlink(path);
out:
	if (fd >= 0)
		close(fd);
	attt_buf_done(&out);
	return r;
}
