/*
 * util.c: the pure parts of the HTTP layer: language negotiation, the static-path safety check,
 * problem+json bodies (RFC 9457), ETag matching and content types. No I/O, no state.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "attt/err.h"
#include "attt/http.h"
#include "attt/str.h"

#define PROBLEM_BASE "https://attt.gov.vn/problems/"

/* Parses an RFC 9110 qvalue ("0", "0.5", "1.000") into 0..1000; -1 when malformed. */
static int parse_q(const char *p, size_t n)
{
	int v = 0, digits = 0;
	if (n == 0 || (p[0] != '0' && p[0] != '1'))
		return -1;
	v = (p[0] - '0') * 1000;
	if (n == 1)
		return v;
	if (p[1] != '.' || n > 5)
		return -1;
	for (size_t i = 2; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		static const int scale[] = { 100, 10, 1 };
		v += (p[i] - '0') * scale[digits++];
	}
	return v > 1000 ? -1 : v;
}

const char *attt_http_lang_negotiate(const char *al)
{
	int best_q = 0, best = 0; /* 0 = vi, 1 = en */
	const char *p = al;

	if (!al)
		return "vi";
	while (*p) {
		const char *item, *end, *semi;
		size_t tag_len;
		int q = 1000, lang = -1;

		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (!*p)
			break;
		item = p;
		end = strchr(p, ',');
		if (!end)
			end = p + strlen(p);
		p = end;
		semi = memchr(item, ';', (size_t)(end - item));
		tag_len = (size_t)((semi ? semi : end) - item);
		while (tag_len && (item[tag_len - 1] == ' ' || item[tag_len - 1] == '\t'))
			tag_len--;
		if ((tag_len == 2 || (tag_len > 2 && item[2] == '-')) && strncasecmp(item, "vi", 2) == 0)
			lang = 0;
		else if ((tag_len == 2 || (tag_len > 2 && item[2] == '-')) && strncasecmp(item, "en", 2) == 0)
			lang = 1;
		if (lang < 0)
			continue;
		if (semi) {
			const char *s = semi + 1;
			while (s < end && (*s == ' ' || *s == '\t'))
				s++;
			if (end - s >= 2 && (s[0] == 'q' || s[0] == 'Q') && s[1] == '=') {
				size_t qn = (size_t)(end - s - 2);
				while (qn && (s[2 + qn - 1] == ' ' || s[2 + qn - 1] == '\t'))
					qn--;
				q = parse_q(s + 2, qn);
				if (q < 0)
					continue;
			}
		}
		/* Strictly greater: on a tie the earlier entry stays. */
		if (q > best_q) {
			best_q = q;
			best = lang;
		}
	}
	return best == 1 ? "en" : "vi";
}

int attt_http_path_check(const char *path)
{
	const char *seg;

	if (!path || path[0] != '/')
		return ATTT_E_INVAL;
	for (const char *p = path; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (c < 0x20 || c == 0x7f || c == '\\' || c == '%')
			return ATTT_E_INVAL;
	}
	seg = path + 1;
	for (;;) {
		const char *slash = strchr(seg, '/');
		size_t n = slash ? (size_t)(slash - seg) : strlen(seg);
		/* Empty segments ("//") and hidden names (".", "..", ".git") are refused. */
		if (n == 0 || seg[0] == '.')
			return ATTT_E_INVAL;
		if (!slash)
			break;
		seg = slash + 1;
	}
	return ATTT_OK;
}

json_t *attt_http_problem_new(int err, const char *lang, const char *detail_vi, const char *detail_en,
			      const char *instance)
{
	bool en = lang && strcmp(lang, "en") == 0;
	char type[128];
	json_t *j;
	int status = attt_err_http_status(err);

	/* Details may quote client data: a text that is not UTF-8 is left out, never the answer. */
	if (detail_vi && !attt_utf8_valid(detail_vi, strlen(detail_vi)))
		detail_vi = NULL;
	if (detail_en && !attt_utf8_valid(detail_en, strlen(detail_en)))
		detail_en = NULL;
	if (!detail_vi)
		detail_vi = detail_en;
	if (!detail_en)
		detail_en = detail_vi;
	if (attt_str_printf(type, sizeof(type), PROBLEM_BASE "%s", attt_err_name(err)) < 0)
		return NULL;
	j = json_object();
	if (!j)
		return NULL;
	if (json_object_set_new(j, "type", json_string(type)) < 0 ||
	    json_object_set_new(j, "title", json_string(en ? attt_strerror(err) : attt_strerror_vi(err))) < 0 ||
	    json_object_set_new(j, "status", json_integer(status)) < 0)
		goto fail;
	if (detail_vi && json_object_set_new(j, "detail", json_string(en ? detail_en : detail_vi)) < 0)
		goto fail;
	/* The path is client data: left out when it is not valid UTF-8 (jansson would refuse it). */
	if (instance && attt_utf8_valid(instance, strlen(instance)) &&
	    json_object_set_new(j, "instance", json_string(instance)) < 0)
		goto fail;
	if (json_object_set_new(j, en ? "title_vi" : "title_en",
				json_string(en ? attt_strerror_vi(err) : attt_strerror(err))) < 0)
		goto fail;
	if (detail_vi && json_object_set_new(j, en ? "detail_vi" : "detail_en",
					     json_string(en ? detail_vi : detail_en)) < 0)
		goto fail;
	return j;
fail:
	json_decref(j);
	return NULL;
}

bool attt_http_etag_match(const char *inm, const char *etag)
{
	size_t elen;
	const char *e = etag;

	if (!inm || !etag)
		return false;
	if (strncmp(e, "W/", 2) == 0)
		e += 2;
	elen = strlen(e);
	while (*inm) {
		const char *end;
		size_t n;
		while (*inm == ' ' || *inm == '\t' || *inm == ',')
			inm++;
		if (!*inm)
			break;
		end = strchr(inm, ',');
		if (!end)
			end = inm + strlen(inm);
		n = (size_t)(end - inm);
		while (n && (inm[n - 1] == ' ' || inm[n - 1] == '\t'))
			n--;
		if (n == 1 && inm[0] == '*')
			return true;
		/* Weak comparison (RFC 9110 13.1.2): the W/ prefix does not matter for If-None-Match. */
		if (n > 2 && strncmp(inm, "W/", 2) == 0) {
			inm += 2;
			n -= 2;
		}
		if (n == elen && memcmp(inm, e, n) == 0)
			return true;
		inm = end;
	}
	return false;
}

static const struct {
	const char *ext;
	const char *type;
} types[] = {
	{ "html", "text/html; charset=utf-8" },
	{ "htm", "text/html; charset=utf-8" },
	{ "css", "text/css; charset=utf-8" },
	{ "js", "text/javascript; charset=utf-8" },
	{ "mjs", "text/javascript; charset=utf-8" },
	{ "json", "application/json" },
	{ "map", "application/json" },
	{ "webmanifest", "application/manifest+json" },
	{ "txt", "text/plain; charset=utf-8" },
	{ "csv", "text/csv; charset=utf-8" },
	{ "xml", "application/xml" },
	{ "svg", "image/svg+xml" },
	{ "png", "image/png" },
	{ "jpg", "image/jpeg" },
	{ "jpeg", "image/jpeg" },
	{ "gif", "image/gif" },
	{ "webp", "image/webp" },
	{ "ico", "image/vnd.microsoft.icon" },
	{ "woff", "font/woff" },
	{ "woff2", "font/woff2" },
	{ "ttf", "font/ttf" },
	{ "otf", "font/otf" },
	{ "pdf", "application/pdf" },
	{ "wasm", "application/wasm" },
};

const char *attt_http_content_type(const char *filename)
{
	const char *slash = strrchr(filename, '/');
	const char *dot = strrchr(slash ? slash : filename, '.');
	if (dot && dot[1]) {
		for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
			if (strcasecmp(dot + 1, types[i].ext) == 0)
				return types[i].type;
	}
	return "application/octet-stream";
}
