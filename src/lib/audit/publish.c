/*
 * publish.c: periodic checkpoints and their copies off the database (R7.1).
 *
 * Deleting the newest events and the checkpoints that cover them leaves a trail that is
 * internally consistent; only a copy of a checkpoint kept elsewhere shows what is missing. So the
 * server's tick makes a checkpoint at least every interval (60 s) or every 1000 events and hands it
 * to: a file outside the data directory (replaced atomically: write, fsync, rename), syslog(3),
 * and witnesses speaking C2SP tlog-witness (POST /add-checkpoint: "old N", the consistency proof
 * from N, a blank line, the note). Each destination keeps its own state; a failure is logged and
 * retried later with a doubling pause, never blocking anything but the tick itself.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <curl/curl.h>
#include <sodium.h>

#include "attt/audit.h"
#include "attt/buf.h"
#include "attt/config.h"
#include "attt/db.h"
#include "attt/err.h"
#include "attt/limits.h"
#include "attt/log.h"
#include "attt/str.h"
#include "audit-int.h"

struct dest {
	char *url;            /* witness URL; NULL for the file and syslog */
	uint64_t sent;        /* size of the latest note this destination has */
	uint64_t known;       /* witness: the size it last acknowledged (its "old") */
	int64_t next_try_us;  /* do not try before */
	int64_t backoff_us;
};

struct attt_audit_ticker {
	char *file;
	bool syslog;
	int64_t interval_us;
	uint64_t events;
	long timeout_ms;
	struct dest file_d, syslog_d;
	struct dest *w;
	size_t n_w;
	char *note;           /* latest checkpoint note */
	uint64_t note_size;
	bool have_note;
	int64_t last_made_us; /* when the latest checkpoint was made (0: not by this ticker) */
};

int attt_audit_publish_opts_from_config(const struct attt_config *cfg, struct attt_audit_publish_opts *ret)
{
	struct attt_audit_publish_opts o = { 0 };
	const char *const *urls = NULL;
	size_t n = 0;
	int64_t interval = 60, events = 1000;
	int r;

	if ((r = attt_config_get_string(cfg, "audit.origin", &o.origin)) < 0 ||
	    (r = attt_config_get_string(cfg, "audit.checkpoint_file", &o.checkpoint_file)) < 0 ||
	    (r = attt_config_get_bool(cfg, "audit.syslog", &o.syslog)) < 0 ||
	    (r = attt_config_get_int(cfg, "audit.checkpoint_interval_s", &interval)) < 0 ||
	    (r = attt_config_get_int(cfg, "audit.checkpoint_events", &events)) < 0 ||
	    (r = attt_config_get_list(cfg, "audit.witness_urls", &urls, &n)) < 0)
		return r;
	if (interval <= 0 || events <= 0 || n > ATTT_AUDIT_MAX_WITNESSES)
		return ATTT_E_CONFIG;
	o.interval_us = interval * ATTT_USEC_PER_SEC;
	o.events = (uint64_t)events;
	o.witness_urls = urls;
	o.n_witness = n;
	*ret = o;
	return ATTT_OK;
}

int attt_audit_ticker_new(const struct attt_audit_publish_opts *o, struct attt_audit_ticker **ret)
{
	struct attt_audit_ticker *t;

	if (o->n_witness > ATTT_AUDIT_MAX_WITNESSES || o->interval_us <= 0 || o->events == 0)
		return ATTT_E_INVAL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return ATTT_E_NOMEM;
	t->syslog = o->syslog;
	t->interval_us = o->interval_us;
	t->events = o->events;
	t->timeout_ms = o->timeout_ms > 0 ? o->timeout_ms : ATTT_AUDIT_WITNESS_TIMEOUT_MS;
	if (o->checkpoint_file && *o->checkpoint_file && !(t->file = strdup(o->checkpoint_file)))
		goto nomem;
	if (o->n_witness && !(t->w = calloc(o->n_witness, sizeof(*t->w))))
		goto nomem;
	for (size_t i = 0; i < o->n_witness; i++) {
		if (!(t->w[i].url = strdup(o->witness_urls[i])))
			goto nomem;
		t->n_w++;
	}
	*ret = t;
	return ATTT_OK;
nomem:
	attt_audit_ticker_free(t);
	return ATTT_E_NOMEM;
}

void attt_audit_ticker_free(struct attt_audit_ticker *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n_w; i++)
		free(t->w[i].url);
	free(t->w);
	free(t->file);
	free(t->note);
	free(t);
}

static bool waiting(const struct attt_audit_ticker *t, const struct dest *d)
{
	return t->have_note && d->sent != t->note_size + 1;
}

size_t attt_audit_ticker_pending(const struct attt_audit_ticker *t)
{
	size_t n = 0;

	if (t->file && waiting(t, &t->file_d))
		n++;
	if (t->syslog && waiting(t, &t->syslog_d))
		n++;
	for (size_t i = 0; i < t->n_w; i++)
		if (waiting(t, &t->w[i]))
			n++;
	return n;
}

static void done(const struct attt_audit_ticker *t, struct dest *d)
{
	/* sent holds size + 1 so that a checkpoint of size 0 counts as sent too. */
	d->sent = t->note_size + 1;
	d->backoff_us = 0;
	d->next_try_us = 0;
}

static void failed(const struct attt_audit_ticker *t, struct dest *d, int64_t now)
{
	d->backoff_us = d->backoff_us ? d->backoff_us * 2 : ATTT_USEC_PER_SEC;
	if (d->backoff_us > t->interval_us)
		d->backoff_us = t->interval_us;
	d->next_try_us = now + d->backoff_us;
}

static int write_file(const char *path, const char *note)
{
	char tmp[ATTT_MAX_PATH];
	size_t n = strlen(note);
	int fd = -1, r;

	r = attt_str_printf(tmp, sizeof(tmp), "%s.tmp", path);
	if (r < 0)
		return r;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return ATTT_E_IO;
	for (size_t off = 0; off < n;) {
		ssize_t w = write(fd, note + off, n - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			close(fd);
			unlink(tmp);
			return ATTT_E_IO;
		}
		off += (size_t)w;
	}
	if (fsync(fd) != 0 || close(fd) != 0 || rename(tmp, path) != 0) {
		unlink(tmp);
		return ATTT_E_IO;
	}
	return ATTT_OK;
}

static size_t sink(char *p, size_t size, size_t n, void *ctx)
{
	struct attt_buf *b = ctx;
	/* A witness's answer is small (cosignatures or a size); more is cut off, not an error. */
	attt_buf_add(b, p, size * n);
	return size * n;
}

/* One tlog-witness request. ATTT_OK on 200; ATTT_E_CONFLICT with *ret_known on 409 (the witness
 * has another size); ATTT_E_IO otherwise. */
static int post_witness(struct attt_audit_ticker *t, struct attt_db *db, struct dest *d, uint64_t *ret_known)
{
	struct attt_hash proof[ATTT_AUDIT_MAX_PROOF];
	struct attt_buf body, resp, url;
	struct curl_slist *hdr = NULL;
	CURL *c = NULL;
	size_t n = 0;
	long status = 0;
	int r;

	attt_buf_init(&body, ATTT_AUDIT_MAX_NOTE * 2);
	attt_buf_init(&resp, 4096);
	attt_buf_init(&url, ATTT_MAX_PATH);
	r = attt_buf_addf(&body, "old %llu\n", (unsigned long long)d->known);
	if (r >= 0 && d->known > 0 && d->known < t->note_size)
		r = attt_audit_prove_consistency(db, d->known, t->note_size, proof, &n);
	for (size_t i = 0; r >= 0 && i < n; i++) {
		char b64[ATTT_HASH_B64];
		attt_hash_b64(&proof[i], b64, sizeof(b64));
		r = attt_buf_addf(&body, "%s\n", b64);
	}
	if (r >= 0)
		r = attt_buf_addf(&body, "\n%s", t->note);
	if (r >= 0) {
		size_t ul = strlen(d->url);
		r = attt_buf_addf(&url, "%s%sadd-checkpoint", d->url, ul && d->url[ul - 1] == '/' ? "" : "/");
	}
	if (r < 0)
		goto out;
	c = curl_easy_init();
	hdr = curl_slist_append(NULL, "Content-Type: text/plain; charset=utf-8");
	if (!c || !hdr) {
		r = ATTT_E_NOMEM;
		goto out;
	}
	curl_easy_setopt(c, CURLOPT_URL, attt_buf_str(&url));
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_POST, 1L);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.data);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)body.len);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, t->timeout_ms);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, t->timeout_ms);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &resp);
	if (curl_easy_perform(c) != CURLE_OK) {
		r = ATTT_E_IO;
		goto out;
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	if (status == 200) {
		r = ATTT_OK;
	} else if (status == 409) {
		/* The witness knows another size: its body is that size (text/x.tlog.size). */
		int64_t known;
		while (resp.len > 0 && (resp.data[resp.len - 1] == '\n' || resp.data[resp.len - 1] == '\r'))
			resp.data[--resp.len] = 0;
		r = resp.len > 0 && attt_parse_int64(resp.data, 0, INT64_MAX, &known) == ATTT_OK ? ATTT_E_CONFLICT
												   : ATTT_E_IO;
		if (r == ATTT_E_CONFLICT)
			*ret_known = (uint64_t)known;
	} else {
		r = ATTT_E_IO;
	}
out:
	if (r < 0 && r != ATTT_E_CONFLICT)
		log_debug("audit: witness %s: HTTP %ld", d->url, status);
	curl_slist_free_all(hdr);
	if (c)
		curl_easy_cleanup(c);
	attt_buf_done(&body);
	attt_buf_done(&resp);
	attt_buf_done(&url);
	return r;
}

static void publish(struct attt_audit_ticker *t, struct attt_db *db, int64_t now)
{
	if (t->file && waiting(t, &t->file_d) && now >= t->file_d.next_try_us) {
		if (write_file(t->file, t->note) == ATTT_OK) {
			done(t, &t->file_d);
		} else {
			log_warn("audit: cannot write the checkpoint copy %s; will retry", t->file);
			failed(t, &t->file_d, now);
		}
	}
	if (t->syslog && waiting(t, &t->syslog_d)) {
		/* One line: the whole note in base64, so that it can be rebuilt byte for byte. */
		size_t n = strlen(t->note);
		char *b64 = malloc(sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL));
		if (b64) {
			sodium_bin2base64(b64, sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL),
					  (const unsigned char *)t->note, n, sodium_base64_VARIANT_ORIGINAL);
			syslog(LOG_AUTHPRIV | LOG_NOTICE, "attt audit checkpoint size=%llu note=%s",
			       (unsigned long long)t->note_size, b64);
			free(b64);
			done(t, &t->syslog_d);
		}
	}
	for (size_t i = 0; i < t->n_w; i++) {
		struct dest *d = &t->w[i];
		uint64_t known = 0;
		int r;

		if (!waiting(t, d) || now < d->next_try_us)
			continue;
		r = post_witness(t, db, d, &known);
		if (r == ATTT_E_CONFLICT && known != d->known && known <= t->note_size) {
			/* Retry once from the size the witness has. */
			d->known = known;
			r = post_witness(t, db, d, &known);
		}
		if (r == ATTT_OK) {
			d->known = t->note_size;
			done(t, d);
		} else {
			log_warn("audit: witness %s did not take the checkpoint of size %llu (%s); will retry", d->url,
				 (unsigned long long)t->note_size, attt_strerror(r));
			failed(t, d, now);
		}
	}
}

/* Size and time of the latest stored checkpoint; size 0 and time 0 when there is none. */
static int latest_row(struct attt_db *db, uint64_t *ret_size, int64_t *ret_time)
{
	struct attt_stmt *st = NULL;
	int r;

	r = attt_db_prepare(db, "SELECT size, time_us FROM audit_checkpoint ORDER BY size DESC LIMIT 1", &st);
	if (r < 0)
		return r;
	r = attt_stmt_step(st);
	if (r >= 0) {
		*ret_size = r == 1 ? (uint64_t)attt_stmt_int64(st, 0) : 0;
		*ret_time = r == 1 ? attt_stmt_int64(st, 1) : 0;
		r = ATTT_OK;
	}
	attt_stmt_finalize(st);
	return r;
}

int attt_audit_tick(struct attt_audit_ticker *t, struct attt_db *db, const struct attt_clock *clock,
		    const struct attt_audit_signer *s, bool *ret_made)
{
	int64_t now = attt_now_us(clock), last_time;
	uint64_t size, last_size;
	bool made = false;
	char *note = NULL;
	int r;

	r = attt_audit_size(db, &size);
	if (r < 0)
		return r;
	r = latest_row(db, &last_size, &last_time);
	if (r < 0)
		return r;
	if (size > last_size && (now - last_time >= t->interval_us || size - last_size >= t->events)) {
		uint64_t got = 0;
		r = attt_audit_checkpoint(db, clock, s, &note, &got);
		if (r < 0)
			return r;
		made = got > last_size;
		free(t->note);
		t->note = note;
		t->note_size = got;
		t->have_note = true;
		note = NULL;
	} else if (!t->have_note && last_time > 0) {
		/* After a restart: publish the latest stored checkpoint too. */
		r = attt_audit_checkpoint_latest(db, &note, &last_size);
		if (r < 0)
			return r;
		t->note = note;
		t->note_size = last_size;
		t->have_note = true;
	}
	if (t->have_note)
		publish(t, db, now);
	if (ret_made)
		*ret_made = made;
	return ATTT_OK;
}
