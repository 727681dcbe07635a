/*
 * attach.c: files attached to incidents as evidence, scanned with libclamav before they are stored
 * or served (R8.6), and the stored generated documents handed out again (R11.2). See the R8.6 block
 * of include/attt/incident.h for the contract and docs/incidents.md for the operator's view.
 *
 * Invariants: a file is scanned before the transaction that stores it begins, and stored only when
 * the scan answered (clean or infected; an error stores nothing). The row holds its bytes (a BLOB),
 * so a crash never leaves a row without bytes. A quarantined file's bytes are XOR-masked and every
 * read asks for state 'clean', so no route can serve one. Each attach and each download writes its
 * timeline row (attach only) and exactly one audit event in its own transaction; a detection also
 * notifies the agency's security officers in that transaction.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "attt/buf.h"
#include "attt/clock.h"
#include "attt/config.h"
#include "attt/db.h"
#include "attt/err.h"
#include "attt/incident.h"
#include "attt/limits.h"
#include "attt/scan.h"
#include "attt/str.h"
#include "attt/text.h"
#include "incident-int.h"

#define QUARANTINE_MASK 0xA5u /* see db/migrations/0008_incident_attachment.sql */
#define DEFAULT_NAME "tep-dinh-kem"

/* ---- types sniffed from content ------------------------------------------------------------- */

struct ftype {
	const char *id, *media;
};

static const struct ftype ftypes[] = {
	{ "pdf", "application/pdf" },
	{ "png", "image/png" },
	{ "jpeg", "image/jpeg" },
	{ "gif", "image/gif" },
	{ "webp", "image/webp" },
	{ "zip", "application/zip" },
	{ "ole", "application/x-ole-storage" },
	{ "pcap", "application/vnd.tcpdump.pcap" },
	{ "pcapng", "application/x-pcapng" },
	{ "gzip", "application/gzip" },
	{ "7z", "application/x-7z-compressed" },
	{ "eml", "message/rfc822" },
	{ "text", "text/plain; charset=utf-8" },
};

static bool starts(const unsigned char *p, size_t n, const void *magic, size_t m)
{
	return n >= m && memcmp(p, magic, m) == 0;
}

/* A mail message: text whose first line is one of the header fields a stored message starts with. */
static bool looks_like_mail(const char *p, size_t n)
{
	static const char *const first[] = { "Received:", "Return-Path:", "From:", "Date:", "MIME-Version:",
					     "Message-ID:", "Delivered-To:", "Subject:", "To:", "X-", NULL };
	for (size_t i = 0; first[i]; i++)
		if (n > strlen(first[i]) && strncmp(p, first[i], strlen(first[i])) == 0)
			return memchr(p, '\n', n) != NULL;
	return false;
}

static const struct ftype *sniff(const void *vp, size_t n)
{
	const unsigned char *p = vp;
	const char *t = vp;

	if (n == 0)
		return NULL;
	if (starts(p, n, "%PDF-", 5))
		return &ftypes[0];
	if (starts(p, n, "\x89PNG\r\n\x1a\n", 8))
		return &ftypes[1];
	if (starts(p, n, "\xff\xd8\xff", 3))
		return &ftypes[2];
	if (starts(p, n, "GIF87a", 6) || starts(p, n, "GIF89a", 6))
		return &ftypes[3];
	if (n >= 12 && starts(p, n, "RIFF", 4) && memcmp(p + 8, "WEBP", 4) == 0)
		return &ftypes[4];
	if (starts(p, n, "PK\x03\x04", 4) || starts(p, n, "PK\x05\x06", 4))
		return &ftypes[5];
	if (starts(p, n, "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 8))
		return &ftypes[6];
	if (starts(p, n, "\xa1\xb2\xc3\xd4", 4) || starts(p, n, "\xd4\xc3\xb2\xa1", 4) ||
	    starts(p, n, "\xa1\xb2\x3c\x4d", 4) || starts(p, n, "\x4d\x3c\xb2\xa1", 4))
		return &ftypes[7];
	if (starts(p, n, "\x0a\x0d\x0d\x0a", 4))
		return &ftypes[8];
	if (starts(p, n, "\x1f\x8b", 2))
		return &ftypes[9];
	if (starts(p, n, "7z\xbc\xaf\x27\x1c", 6))
		return &ftypes[10];
	/* Text last: UTF-8 without NUL or C0 controls but tab and line ends (a BOM is allowed). */
	if (starts(p, n, "\xef\xbb\xbf", 3)) {
		t += 3;
		n -= 3;
	}
	if (!attt_utf8_valid(t, n))
		return NULL;
	return looks_like_mail(t, n) ? &ftypes[11] : &ftypes[12];
}

bool attt_incident_sniff_type(const void *p, size_t n, const char **ret_id, const char **ret_media_type)
{
	const struct ftype *f = p ? sniff(p, n) : NULL;

	if (!f)
		return false;
	if (ret_id)
		*ret_id = f->id;
	if (ret_media_type)
		*ret_media_type = f->media;
	return true;
}

bool attt_incident_type_known(const char *id)
{
	for (size_t i = 0; id && i < sizeof(ftypes) / sizeof(ftypes[0]); i++)
		if (strcmp(id, ftypes[i].id) == 0)
			return true;
	return false;
}

static bool type_allowed(const struct attt_incident_attach_limits *lim, const char *id)
{
	if (!lim || !lim->types)
		return true;
	for (size_t i = 0; lim->types[i]; i++)
		if (strcmp(lim->types[i], id) == 0)
			return true;
	return false;
}

void attt_incident_attach_limits_from_config(const struct attt_config *cfg, struct attt_incident_attach_limits *lim)
{
	const char *const *items = NULL;
	size_t count = 0;
	int64_t max = attt_config_int(cfg, "incident.attachment_max_bytes");
	int64_t cnt = attt_config_int(cfg, "incident.attachment_max_count");

	lim->max_bytes = max > 0 && max <= ATTT_HTTP_MAX_UPLOAD ? (size_t)max : ATTT_HTTP_MAX_UPLOAD;
	lim->max_count = cnt > 0 && cnt <= 10000 ? (unsigned)cnt : 100;
	lim->types = NULL;
	/* An empty list allows nothing rather than everything: the operator asked for no types. */
	if (attt_config_get_list(cfg, "incident.attachment_types", &items, &count) == ATTT_OK)
		lim->types = items;
}

/* ---- names ---------------------------------------------------------------------------------- */

static bool bad_name_char(unsigned char c)
{
	return c < 0x20 || c == 0x7f || strchr("/\\:*?\"<>|", c) != NULL;
}

int attt_incident_file_name(const char *p, size_t n, char *out, size_t size)
{
	const char *base = p;
	char *nfc = NULL;
	size_t len, start = 0, end, cut;
	int r;

	if (!p || !out)
		return ATTT_E_INVAL;
	if (n > 4 * ATTT_INCIDENT_MAX_FILE_NAME)
		return ATTT_E_TOOBIG;
	/* The last segment of a path written on any system ("C:\\Users\\x\\a.pdf", "../../etc/passwd"). */
	for (size_t i = 0; i < n; i++)
		if (p[i] == '/' || p[i] == '\\')
			base = p + i + 1;
	/* Control characters (ASCII, so never inside a UTF-8 sequence) become '_' before the NFC step,
	 * which refuses them; a NUL stays and is refused there. */
	{
		char tmp[4 * ATTT_INCIDENT_MAX_FILE_NAME + 1];
		size_t bn = n - (size_t)(base - p);
		memcpy(tmp, base, bn);
		for (size_t i = 0; i < bn; i++)
			if (tmp[i] != '\0' && bad_name_char((unsigned char)tmp[i]))
				tmp[i] = '_';
		r = attt_text_nfc(tmp, bn, 4 * ATTT_INCIDENT_MAX_FILE_NAME * 2, &nfc);
	}
	if (r < 0)
		return r == ATTT_E_TOOBIG ? ATTT_E_TOOBIG : ATTT_E_INVAL;
	len = strlen(nfc);
	for (size_t i = 0; i < len; i++)
		if (bad_name_char((unsigned char)nfc[i]))
			nfc[i] = '_';
	/* No hidden files, no names that are only dots, no trailing dots or spaces (Windows drops them). */
	while (start < len && (nfc[start] == '.' || nfc[start] == ' '))
		start++;
	end = len;
	while (end > start && (nfc[end - 1] == '.' || nfc[end - 1] == ' '))
		end--;
	cut = end - start;
	if (cut > ATTT_INCIDENT_MAX_FILE_NAME) {
		cut = ATTT_INCIDENT_MAX_FILE_NAME;
		/* back to the start of a character: never half of a UTF-8 sequence */
		while (cut > 0 && ((unsigned char)nfc[start + cut] & 0xC0) == 0x80)
			cut--;
	}
	if (cut == 0) {
		r = attt_str_copy(out, size, DEFAULT_NAME);
		goto out;
	}
	if (cut >= size) {
		r = ATTT_E_TOOBIG;
		goto out;
	}
	memcpy(out, nfc + start, cut);
	out[cut] = '\0';
	r = ATTT_OK;
out:
	free(nfc);
	return r;
}

int attt_incident_content_disposition(const char *name, char *out, size_t size)
{
	static const char hex[] = "0123456789ABCDEF";
	struct attt_buf b;
	char *s = NULL;
	size_t len;
	int r;

	if (!name || !out)
		return ATTT_E_INVAL;
	attt_buf_init(&b, size);
	r = attt_buf_adds(&b, "attachment; filename=\"");
	/* The fallback for old clients: printable ASCII without quote, backslash or percent. */
	for (const unsigned char *p = (const unsigned char *)name; r >= 0 && *p; p++)
		r = attt_buf_addc(&b, (*p >= 0x20 && *p < 0x7f && *p != '"' && *p != '\\' && *p != '%') ? (char)*p : '_');
	if (r >= 0)
		r = attt_buf_adds(&b, "\"; filename*=UTF-8''");
	/* RFC 5987 attr-char stays; every other byte is percent-encoded. */
	for (const unsigned char *p = (const unsigned char *)name; r >= 0 && *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    strchr("!#$&+-.^_`|~", *p))
			r = attt_buf_addc(&b, (char)*p);
		else if ((r = attt_buf_addc(&b, '%')) >= 0 && (r = attt_buf_addc(&b, hex[*p >> 4])) >= 0)
			r = attt_buf_addc(&b, hex[*p & 15]);
	}
	if (r >= 0 && !(s = attt_buf_steal(&b, &len)))
		r = ATTT_E_NOMEM;
	if (r >= 0)
		r = len < size ? attt_str_copy(out, size, s) : ATTT_E_TOOBIG;
	free(s);
	attt_buf_done(&b);
	return r < 0 ? (r == ATTT_E_NOMEM ? r : ATTT_E_TOOBIG) : ATTT_OK;
}

/* ---- shared helpers ------------------------------------------------------------------------- */

int attt_incident_scope(struct attt_db *db, int64_t id, int64_t *ret_agency, int64_t *ret_reporter_account)
{
	struct attt_stmt *st = NULL;
	int r = attt__incident_row(db, "SELECT agency_id, COALESCE(reporter_account_id, 0) FROM incident WHERE id = ?",
				   id, &st);

	if (r < 0)
		return r;
	if (ret_agency)
		*ret_agency = attt_stmt_int64(st, 0);
	if (ret_reporter_account)
		*ret_reporter_account = attt_stmt_int64(st, 1);
	attt_stmt_finalize(st);
	return ATTT_OK;
}

/* ---- attach --------------------------------------------------------------------------------- */

struct attach_ctx {
	const struct attt_clock *clock;
	const struct attt_incident_attach_limits *lim;
	const struct attt_actor *actor;
	int64_t id;
	const void *content; /* the bytes as stored (masked when quarantined) */
	struct attt_incident_attachment a;
};

/* R8.6: the security officers of the incident's agency hear of a detection at once (inbox, and mail
 * when their person has an address; template incident.quarantine), in the transaction that records
 * it. */
static int notify_detection(struct attt_db *db, const struct attach_ctx *c, int64_t agency)
{
	json_t *vars = NULL;
	int r = attt__incident_template_vars(db, c->id, &vars);

	if (r < 0)
		return r;
	if (json_object_set_new(vars, "name", json_string(c->a.name)) < 0 ||
	    json_object_set_new(vars, "size", json_integer((json_int_t)c->a.size)) < 0 ||
	    json_object_set_new(vars, "sha256", json_string(c->a.sha256)) < 0 ||
	    json_object_set_new(vars, "signature", json_string(c->a.signature)) < 0 ||
	    json_object_set_new(vars, "uploader", json_string(attt__incident_actor_name(c->actor))) < 0)
		r = ATTT_E_NOMEM;
	else
		r = attt__incident_notify_officers(db, c->clock, agency, 0, "incident.malware_detected",
						   "incident.quarantine", vars, c->id);
	json_decref(vars);
	return r < 0 ? r : ATTT_OK;
}

static int attach_tx(struct attt_db *db, void *vctx)
{
	struct attach_ctx *c = vctx;
	struct attt_stmt *st = NULL;
	int64_t now = attt_now_us(c->clock), agency = 0, count = 0;
	bool q = c->a.quarantined;
	int r;

	r = attt__incident_row(db,
			       "SELECT agency_id, (SELECT count(*) FROM incident_attachment WHERE incident_id = "
			       "incident.id) FROM incident WHERE id = ?",
			       c->id, &st);
	if (r < 0)
		return r;
	agency = attt_stmt_int64(st, 0);
	count = attt_stmt_int64(st, 1);
	attt_stmt_finalize(st);
	st = NULL;
	/* R8.6: the count limit holds evidence of one incident to a size an operator can review. */
	if (c->lim && count >= (int64_t)c->lim->max_count) {
		r = ATTT_E_CONFLICT;
		goto out;
	}
	r = attt_db_prepare_cached(db,
				   "INSERT INTO incident_attachment (incident_id, name, media_type, size, sha256, state, "
				   "signature, uploader, uploader_account_id, created_at, content) "
				   "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
				   &st);
	if (r < 0)
		goto out;
	if ((r = attt_stmt_bind_int64(st, 1, c->id)) < 0 || (r = attt_stmt_bind_text(st, 2, c->a.name)) < 0 ||
	    (r = attt_stmt_bind_text(st, 3, c->a.media_type)) < 0 ||
	    (r = attt_stmt_bind_int64(st, 4, (int64_t)c->a.size)) < 0 ||
	    (r = attt_stmt_bind_text(st, 5, c->a.sha256)) < 0 ||
	    (r = attt_stmt_bind_text(st, 6, q ? "quarantined" : "clean")) < 0 ||
	    (r = attt_stmt_bind_text(st, 7, q ? c->a.signature : NULL)) < 0 ||
	    (r = attt_stmt_bind_text(st, 8, attt__incident_actor_name(c->actor))) < 0)
		goto out;
	r = c->actor && c->actor->account_id > 0 ? attt_stmt_bind_int64(st, 9, c->actor->account_id)
						 : attt_stmt_bind_null(st, 9);
	if (r < 0 || (r = attt_stmt_bind_int64(st, 10, now)) < 0 ||
	    (r = attt_stmt_bind_blob(st, 11, c->content, c->a.size)) < 0)
		goto out;
	r = attt_stmt_step(st);
	if (r == 0)
		r = ATTT_E_DB;
	if (r < 0)
		goto out;
	c->a.id = attt_stmt_int64(st, 0);
	(void)attt_stmt_step(st);
	attt_stmt_finalize(st);
	st = NULL;

	/* The timeline: "attachment" for evidence stored, "malware" for a detection (R8.6). */
	r = attt__incident_timeline(db, c->id, now, c->actor, q ? "malware" : "attachment", NULL, c->a.name,
				    q ? c->a.signature : c->a.sha256);
	if (r < 0)
		goto out;
	r = attt__incident_audit(db, c->clock, c->actor, q ? "incident.quarantine" : "incident.attach", c->id, agency,
				 ATTT_AUDIT_SUCCESS, "R8.6",
				 json_pack("{s:I,s:s,s:s,s:I,s:s,s:s,s:s?}", "attachment_id", (json_int_t)c->a.id, "name",
					   c->a.name, "media_type", c->a.media_type, "size", (json_int_t)c->a.size, "sha256",
					   c->a.sha256, "state", q ? "quarantined" : "clean", "signature",
					   q ? c->a.signature : NULL));
	if (r < 0)
		goto out;
	if (q)
		r = notify_detection(db, c, agency);
out:
	attt_stmt_finalize(st);
	return r;
}

int attt_incident_attach(struct attt_db *db, const struct attt_clock *clock, const struct attt_scan *scan,
			 const struct attt_incident_attach_limits *lim, const struct attt_actor *actor, int64_t id,
			 const char *name, const void *p, size_t n, struct attt_incident_attachment *ret)
{
	struct attach_ctx c = { .clock = clock, .lim = lim, .actor = actor, .id = id };
	struct attt_scan_result sr;
	unsigned char h[crypto_hash_sha256_BYTES];
	unsigned char *masked = NULL;
	const char *tid = NULL, *media = NULL;
	int r;

	if (!db || !clock || id <= 0 || (!p && n > 0))
		return ATTT_E_INVAL;
	/* R8.6, fail closed: without an engine nothing is stored, not even "unscanned". */
	if (!scan)
		return ATTT_E_CONFIG;
	if (n == 0)
		return ATTT_E_INVAL;
	if (n > (lim ? lim->max_bytes : ATTT_HTTP_MAX_UPLOAD) || n > ATTT_SCAN_MAX_BYTES)
		return ATTT_E_TOOBIG;
	r = name ? attt_incident_file_name(name, strlen(name), c.a.name, sizeof(c.a.name))
		 : attt_str_copy(c.a.name, sizeof(c.a.name), DEFAULT_NAME);
	if (r < 0)
		return r;
	crypto_hash_sha256(h, p, n);
	sodium_bin2hex(c.a.sha256, sizeof(c.a.sha256), h, sizeof(h));
	c.a.size = n;
	/* R8.6: scanned before anything is stored; a failed scan stores nothing. */
	r = attt_scan_buffer(scan, p, n, c.a.name, &sr);
	if (r < 0)
		return r;
	c.a.quarantined = sr.verdict == ATTT_SCAN_INFECTED;
	if (!attt_incident_sniff_type(p, n, &tid, &media)) {
		tid = NULL;
		media = "application/octet-stream";
	}
	attt_str_copy(c.a.media_type, sizeof(c.a.media_type), media);
	if (c.a.quarantined) {
		/* Detected whatever its type: a refused type must not hide a detection. */
		attt_str_copy(c.a.signature, sizeof(c.a.signature), sr.signature);
		masked = malloc(n);
		if (!masked)
			return ATTT_E_NOMEM;
		for (size_t i = 0; i < n; i++)
			masked[i] = ((const unsigned char *)p)[i] ^ QUARANTINE_MASK;
		c.content = masked;
	}
	else {
		if (!tid || !type_allowed(lim, tid))
			return ATTT_E_UNSUPPORTED;
		c.content = p;
	}
	r = attt_db_tx(db, attach_tx, &c);
	free(masked);
	if (r < 0)
		return r;
	if (ret)
		*ret = c.a;
	return ATTT_OK;
}

/* ---- list ----------------------------------------------------------------------------------- */

int attt_incident_attachments_json(struct attt_db *db, int64_t id, json_t **ret)
{
	struct attt_stmt *st = NULL;
	json_t *items = NULL, *o;
	int r = attt_incident_scope(db, id, NULL, NULL);

	if (r < 0)
		return r;
	r = attt_db_prepare_cached(db,
				   "SELECT id, name, media_type, size, sha256, state, signature, uploader, created_at "
				   "FROM incident_attachment WHERE incident_id = ? ORDER BY id",
				   &st);
	if (r < 0)
		return r;
	if ((r = attt_stmt_bind_int64(st, 1, id)) < 0)
		goto out;
	items = json_array();
	if (!items) {
		r = ATTT_E_NOMEM;
		goto out;
	}
	while ((r = attt_stmt_step(st)) > 0) {
		const char *sig = attt_stmt_text(st, 6);
		o = json_pack("{s:I,s:s,s:s,s:I,s:s,s:s,s:o,s:s,s:o}", "id", (json_int_t)attt_stmt_int64(st, 0), "name",
			      attt_stmt_text(st, 1), "media_type", attt_stmt_text(st, 2), "size",
			      (json_int_t)attt_stmt_int64(st, 3), "sha256", attt_stmt_text(st, 4), "state",
			      attt_stmt_text(st, 5), "signature", sig ? json_string(sig) : json_null(), "uploader",
			      attt_stmt_text(st, 7), "created_at", attt__incident_jtime(attt_stmt_int64(st, 8)));
		if (!o || json_array_append_new(items, o) < 0) {
			r = ATTT_E_NOMEM;
			goto out;
		}
	}
	if (r < 0)
		goto out;
	o = json_pack("{s:O,s:I}", "items", items, "count", (json_int_t)json_array_size(items));
	if (!o) {
		r = ATTT_E_NOMEM;
		goto out;
	}
	*ret = o;
	r = ATTT_OK;
out:
	attt_stmt_finalize(st);
	json_decref(items);
	return r;
}

/* ---- read ----------------------------------------------------------------------------------- */

void attt_incident_file_done(struct attt_incident_file *f)
{
	if (!f)
		return;
	free(f->data);
	memset(f, 0, sizeof(*f));
}

struct read_ctx {
	const struct attt_clock *clock;
	const struct attt_actor *actor;
	int64_t id, oid;
	bool document;
	bool refused; /* quarantined: the denied event commits, the caller answers ATTT_E_INFECTED */
	struct attt_incident_file f;
};

static int read_tx(struct attt_db *db, void *vctx)
{
	struct read_ctx *c = vctx;
	struct attt_stmt *st = NULL;
	const void *blob;
	const char *sig = NULL;
	char form[8] = "";
	size_t n = 0;
	int64_t agency = 0;
	int r;

	free(c->f.data);
	memset(&c->f, 0, sizeof(c->f));
	c->refused = false;
	if ((r = attt_incident_scope(db, c->id, &agency, NULL)) < 0)
		return r;
	r = attt_db_prepare_cached(db,
				   c->document ? "SELECT form, 'application/pdf', sha256, 'clean', NULL, content FROM "
						 "incident_document WHERE id = ? AND incident_id = ?"
					       : "SELECT name, media_type, sha256, state, signature, content FROM "
						 "incident_attachment WHERE id = ? AND incident_id = ?",
				   &st);
	if (r < 0)
		return r;
	if ((r = attt_stmt_bind_int64(st, 1, c->oid)) < 0 || (r = attt_stmt_bind_int64(st, 2, c->id)) < 0)
		goto out;
	r = attt_stmt_step(st);
	if (r == 0)
		r = ATTT_E_NOTFOUND;
	if (r < 0)
		goto out;
	if (c->document) {
		attt_str_copy(form, sizeof(form), attt_stmt_text(st, 0) ? attt_stmt_text(st, 0) : "");
		r = attt_str_printf(c->f.name, sizeof(c->f.name), "mau-%s-%lld.pdf", form, (long long)c->id);
	}
	else
		r = attt_str_copy(c->f.name, sizeof(c->f.name), attt_stmt_text(st, 0));
	if (r < 0 || (r = attt_str_copy(c->f.media_type, sizeof(c->f.media_type), attt_stmt_text(st, 1))) < 0 ||
	    (r = attt_str_copy(c->f.sha256, sizeof(c->f.sha256), attt_stmt_text(st, 2))) < 0)
		goto out;
	/* R8.6: a quarantined file is never handed out; the attempt is recorded. */
	if (strcmp(attt_stmt_text(st, 3), "clean") != 0) {
		sig = attt_stmt_text(st, 4);
		c->refused = true;
		r = attt__incident_audit_cat(db, c->clock, c->actor, ATTT_AUDIT_ACCESS, "incident.attachment.download", c->id,
					     agency, ATTT_AUDIT_DENIED, "R8.6",
					     json_pack("{s:I,s:s,s:s,s:s}", "attachment_id", (json_int_t)c->oid, "name",
						       c->f.name, "state", "quarantined", "signature", sig ? sig : ""));
		goto out;
	}
	blob = attt_stmt_blob(st, 5, &n);
	c->f.data = malloc(n ? n : 1);
	if (!c->f.data) {
		r = ATTT_E_NOMEM;
		goto out;
	}
	if (n)
		memcpy(c->f.data, blob, n);
	c->f.size = n;
	attt_stmt_finalize(st);
	st = NULL;
	r = attt__incident_audit_cat(db, c->clock, c->actor, ATTT_AUDIT_ACCESS,
				     c->document ? "incident.document.download" : "incident.attachment.download", c->id,
				     agency, ATTT_AUDIT_SUCCESS, c->document ? "R11.2" : "R8.6",
				     c->document ? json_pack("{s:I,s:s,s:s,s:I}", "document_id", (json_int_t)c->oid, "form",
							     form, "sha256", c->f.sha256, "size", (json_int_t)n)
						 : json_pack("{s:I,s:s,s:s,s:I}", "attachment_id", (json_int_t)c->oid, "name",
							     c->f.name, "sha256", c->f.sha256, "size", (json_int_t)n));
out:
	attt_stmt_finalize(st);
	return r;
}

static int read_file(struct attt_db *db, const struct attt_clock *clock, const struct attt_actor *actor, int64_t id,
		     int64_t oid, bool document, struct attt_incident_file *ret)
{
	struct read_ctx c = { .clock = clock, .actor = actor, .id = id, .oid = oid, .document = document };
	int r;

	if (!db || !clock || !ret || id <= 0 || oid <= 0)
		return id <= 0 || oid <= 0 ? ATTT_E_NOTFOUND : ATTT_E_INVAL;
	r = attt_db_tx(db, read_tx, &c);
	if (r >= 0 && c.refused)
		r = ATTT_E_INFECTED;
	if (r < 0) {
		attt_incident_file_done(&c.f);
		return r;
	}
	*ret = c.f;
	return ATTT_OK;
}

int attt_incident_attachment_read(struct attt_db *db, const struct attt_clock *clock, const struct attt_actor *actor,
				  int64_t id, int64_t aid, struct attt_incident_file *ret)
{
	return read_file(db, clock, actor, id, aid, false, ret);
}

int attt_incident_document_read(struct attt_db *db, const struct attt_clock *clock, const struct attt_actor *actor,
				int64_t id, int64_t did, struct attt_incident_file *ret)
{
	return read_file(db, clock, actor, id, did, true, ret);
}
