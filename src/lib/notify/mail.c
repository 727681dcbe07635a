/*
 * mail.c: building a mail (RFC 5322 headers, RFC 2047 encoded-words, base64 UTF-8 body) and
 * sending it through an SMTP relay with libcurl.
 *
 * Every header value comes from validated data: addresses are plain ASCII addr-specs without
 * spaces or CR/LF, subjects are one line, so that no text of a notification can add a header.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <sodium.h>

#include "attt/buf.h"
#include "attt/clock.h"
#include "attt/err.h"
#include "attt/limits.h"
#include "attt/log.h"
#include "attt/str.h"
#include "notify-int.h"

bool attt__notify_address_valid(const char *s)
{
	size_t n, at = 0, ats = 0;

	if (!s)
		return false;
	n = strlen(s);
	if (n < 3 || n > ATTT_NOTIFY_MAX_ADDRESS)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c <= 0x20 || c >= 0x7f || strchr("<>()[],;:\"\\", c))
			return false;
		if (c == '@') {
			at = i;
			ats++;
		}
	}
	/* local@domain, both non-empty, the domain without a leading or trailing dot. */
	return ats == 1 && at > 0 && at < n - 1 && s[at + 1] != '.' && s[n - 1] != '.';
}

/* Appends v as RFC 2047 encoded-words (UTF-8, base64) folded so that no line exceeds 78
 * characters; col is the column where the first word starts. Words hold whole UTF-8 characters. */
static int add_words(struct attt_buf *b, size_t col, const char *v)
{
	size_t n = strlen(v), i = 0;
	int e;

	while (i < n) {
		/* "=?UTF-8?B?" + "?=" take 12 columns; base64 comes in groups of 4 for 3 bytes. */
		size_t room = 78 - col - 12, len = room / 4 * 3;
		char b64[sodium_base64_ENCODED_LEN(60, sodium_base64_VARIANT_ORIGINAL)];
		if (len > 45)
			len = 45;
		if (len > n - i)
			len = n - i;
		while (i + len < n && len > 0 && ((unsigned char)v[i + len] & 0xC0) == 0x80)
			len--;
		sodium_bin2base64(b64, sizeof(b64), (const unsigned char *)v + i, len, sodium_base64_VARIANT_ORIGINAL);
		if ((e = attt_buf_addf(b, "%s=?UTF-8?B?%s?=", i ? "\r\n " : "", b64)) < 0)
			return e;
		i += len;
		col = 1;
	}
	return ATTT_OK;
}

/* Appends the header "name: v", as it is when v is short printable ASCII, else as encoded-words. */
static int add_encoded(struct attt_buf *b, const char *name, const char *v)
{
	size_t n = strlen(v);
	bool plain = strlen(name) + 2 + n <= 78 && !strstr(v, "=?");
	int e;

	for (size_t k = 0; k < n && plain; k++)
		if ((unsigned char)v[k] < 0x20 || (unsigned char)v[k] >= 0x7f)
			plain = false;
	if ((e = attt_buf_addf(b, "%s: ", name)) < 0)
		return e;
	if (plain)
		return attt_buf_addf(b, "%s\r\n", v);
	if ((e = add_words(b, strlen(name) + 2, v)) < 0)
		return e;
	return attt_buf_adds(b, "\r\n");
}

static int add_date(struct attt_buf *b, int64_t t)
{
	static const char *const days[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
					      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	time_t s = (time_t)(t / ATTT_USEC_PER_SEC + ATTT_VN_OFFSET_SEC);
	struct tm tm;

	if (!gmtime_r(&s, &tm))
		return ATTT_E_RANGE;
	return attt_buf_addf(b, "Date: %s, %02d %s %04d %02d:%02d:%02d +0700\r\n", days[tm.tm_wday], tm.tm_mday,
			     months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* The body with every line ending as CRLF, in base64 lines of 76 characters. */
static int add_body(struct attt_buf *b, const char *body)
{
	struct attt_buf crlf;
	char *b64 = NULL;
	size_t b64len;
	int e;

	attt_buf_init(&crlf, 2 * (size_t)ATTT_MAX_TEXT + 2);
	for (const char *p = body; *p; p++) {
		if (*p == '\r' && p[1] == '\n')
			continue; /* the \n that follows writes the CRLF */
		e = (*p == '\n' || *p == '\r') ? attt_buf_add(&crlf, "\r\n", 2) : attt_buf_addc(&crlf, *p);
		if (e < 0)
			goto out;
	}
	if (crlf.len == 0 || crlf.data[crlf.len - 1] != '\n')
		if ((e = attt_buf_add(&crlf, "\r\n", 2)) < 0)
			goto out;
	b64len = sodium_base64_ENCODED_LEN(crlf.len, sodium_base64_VARIANT_ORIGINAL);
	b64 = malloc(b64len);
	if (!b64) {
		e = ATTT_E_NOMEM;
		goto out;
	}
	sodium_bin2base64(b64, b64len, (const unsigned char *)crlf.data, crlf.len, sodium_base64_VARIANT_ORIGINAL);
	e = ATTT_OK;
	for (size_t i = 0, n = strlen(b64); i < n && e >= 0; i += 76) {
		size_t k = n - i > 76 ? 76 : n - i;
		if ((e = attt_buf_add(b, b64 + i, k)) >= 0)
			e = attt_buf_add(b, "\r\n", 2);
	}
out:
	free(b64);
	attt_buf_done(&crlf);
	return e;
}

int attt__notify_build(const struct attt__notify_mail *m, const struct attt_notify_smtp *smtp, struct attt_buf *out)
{
	const char *domain;
	struct attt_buf b;
	int e;

	if (!smtp || !attt__notify_address_valid(smtp->from))
		return ATTT_E_CONFIG;
	domain = strchr(smtp->from, '@') + 1;
	attt_buf_init(&b, ATTT_NOTIFY_MAX_MAIL);
	if ((e = add_date(&b, m->created_at)) < 0)
		goto out;
	if (smtp->from_name && *smtp->from_name) {
		if (!attt_utf8_valid(smtp->from_name, strlen(smtp->from_name)) || strpbrk(smtp->from_name, "\r\n")) {
			e = ATTT_E_CONFIG;
			goto out;
		}
		/* The display name always as encoded-words (no quoting rules to get wrong), the address
		 * on a folded line of its own. */
		if (strlen(smtp->from_name) > ATTT_MAX_SHORT_TEXT) {
			e = ATTT_E_CONFIG;
			goto out;
		}
		if ((e = attt_buf_adds(&b, "From: ")) < 0 || (e = add_words(&b, 6, smtp->from_name)) < 0)
			goto out;
		e = attt_buf_addf(&b, "\r\n <%s>\r\n", smtp->from);
	} else {
		e = attt_buf_addf(&b, "From: <%s>\r\n", smtp->from);
	}
	if (e < 0)
		goto out;
	if ((e = attt_buf_addf(&b, "To: <%s>\r\n", m->to)) < 0 || (e = add_encoded(&b, "Subject", m->subject)) < 0 ||
	    (e = attt_buf_addf(&b, "Message-ID: <notify.%lld.%lld@%s>\r\n", (long long)m->id,
			       (long long)m->created_at, domain)) < 0 ||
	    (e = attt_buf_adds(&b, "MIME-Version: 1.0\r\n"
				   "Content-Type: text/plain; charset=UTF-8\r\n"
				   "Content-Transfer-Encoding: base64\r\n"
				   "Auto-Submitted: auto-generated\r\n\r\n")) < 0 ||
	    (e = add_body(&b, m->body)) < 0)
		goto out;
	e = attt_buf_add(out, b.data, b.len);
out:
	attt_buf_done(&b);
	return e;
}

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc;

static void curl_init(void)
{
	curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

struct reader {
	const char *p;
	size_t left;
};

static size_t read_cb(char *dst, size_t size, size_t nmemb, void *ctx)
{
	struct reader *r = ctx;
	size_t n = size * nmemb;
	if (n > r->left)
		n = r->left;
	memcpy(dst, r->p, n);
	r->p += n;
	r->left -= n;
	return n;
}

int attt__notify_send(void **handle, const struct attt_notify_smtp *smtp, const char *to, const char *mail,
		      size_t len, char *err, size_t errsize)
{
	CURL *c = *handle;
	struct curl_slist *rcpt = NULL;
	struct reader rd = { mail, len };
	char from[ATTT_NOTIFY_MAX_ADDRESS + 3], rcpt_s[ATTT_NOTIFY_MAX_ADDRESS + 3];
	char errbuf[CURL_ERROR_SIZE];
	CURLcode rc;
	int e;

	err[0] = '\0';
	pthread_once(&curl_once, curl_init);
	if (curl_init_rc != CURLE_OK)
		return ATTT_E_INTERNAL;
	if (!c) {
		c = curl_easy_init();
		if (!c)
			return ATTT_E_NOMEM;
		*handle = c;
	}
	curl_easy_reset(c);
	if ((e = attt_str_printf(from, sizeof(from), "<%s>", smtp->from)) < 0 ||
	    (e = attt_str_printf(rcpt_s, sizeof(rcpt_s), "<%s>", to)) < 0)
		return e;
	rcpt = curl_slist_append(NULL, rcpt_s);
	if (!rcpt)
		return ATTT_E_NOMEM;
	errbuf[0] = '\0';
	curl_easy_setopt(c, CURLOPT_URL, smtp->url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_MAIL_FROM, from);
	curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(c, CURLOPT_READFUNCTION, read_cb);
	curl_easy_setopt(c, CURLOPT_READDATA, &rd);
	curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, smtp->timeout_s > 0 ? smtp->timeout_s : (long)ATTT_NOTIFY_TIMEOUT_S);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 15L);
	if (smtp->starttls)
		curl_easy_setopt(c, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
	if (smtp->insecure) {
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	if (smtp->user && *smtp->user) {
		curl_easy_setopt(c, CURLOPT_USERNAME, smtp->user);
		if (smtp->password)
			curl_easy_setopt(c, CURLOPT_PASSWORD, smtp->password);
	}
	rc = curl_easy_perform(c);
	/* The password was copied into the handle: reset it away now rather than at the next mail. */
	curl_easy_setopt(c, CURLOPT_PASSWORD, NULL);
	curl_easy_setopt(c, CURLOPT_MAIL_RCPT, NULL);
	curl_slist_free_all(rcpt);
	if (rc == CURLE_OK)
		return ATTT_OK;
	{
		long code = 0;
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
		snprintf(err, errsize, "%s%s%s (SMTP %ld)", curl_easy_strerror(rc), errbuf[0] ? ": " : "", errbuf, code);
	}
	switch (rc) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
		return ATTT_E_TIMEOUT; /* the relay cannot be reached at all */
	default:
		return ATTT_E_IO;
	}
}

void attt__notify_send_done(void *handle)
{
	if (handle)
		curl_easy_cleanup(handle);
}
