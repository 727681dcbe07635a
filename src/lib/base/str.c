/* str.c: strict conversions of untrusted bytes into strings and numbers (see str.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "attt/err.h"
#include "attt/str.h"

int attt_str_copy(char *dst, size_t size, const char *src)
{
	size_t n = strlen(src);
	if (size == 0 || n >= size)
		return ATTT_E_TOOBIG;
	memcpy(dst, src, n + 1);
	return ATTT_OK;
}

int attt_str_printf(char *dst, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(dst, size, fmt, ap);
	va_end(ap);
	if (n < 0)
		return ATTT_E_INVAL;
	if ((size_t)n >= size)
		return ATTT_E_TOOBIG;
	return ATTT_OK;
}

bool attt_utf8_valid(const char *p, size_t n)
{
	const unsigned char *s = (const unsigned char *)p;
	size_t i = 0;

	while (i < n) {
		unsigned char c = s[i];
		uint32_t cp;
		size_t len;
		if (c < 0x80) {
			if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f)
				return false;
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			len = 2;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			len = 3;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			len = 4;
			cp = c & 0x07;
		} else {
			return false;
		}
		if (n - i < len)
			return false;
		for (size_t k = 1; k < len; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		/* Overlong forms, surrogates and values past U+10FFFF are not UTF-8. */
		if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += len;
	}
	return true;
}

int attt_str_ndup(const char *p, size_t n, size_t max, char **ret)
{
	char *s;

	if (n > max)
		return ATTT_E_TOOBIG;
	if (!attt_utf8_valid(p, n))
		return ATTT_E_INVAL;
	s = malloc(n + 1);
	if (!s)
		return ATTT_E_NOMEM;
	memcpy(s, p, n);
	s[n] = '\0';
	*ret = s;
	return ATTT_OK;
}

int attt_parse_int64(const char *s, int64_t min, int64_t max, int64_t *ret)
{
	char *end = NULL;
	long long v;

	if (!s || !*s || !((*s >= '0' && *s <= '9') || (*s == '-' && s[1] >= '0' && s[1] <= '9')))
		return ATTT_E_INVAL;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (*end != '\0')
		return ATTT_E_INVAL;
	if (errno == ERANGE || v < min || v > max)
		return ATTT_E_RANGE;
	*ret = (int64_t)v;
	return ATTT_OK;
}

int attt_parse_bool(const char *s, bool *ret)
{
	static const char *const yes[] = { "true", "yes", "on", "1" };
	static const char *const no[] = { "false", "no", "off", "0" };
	for (size_t i = 0; i < 4; i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*ret = true;
			return ATTT_OK;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*ret = false;
			return ATTT_OK;
		}
	}
	return ATTT_E_INVAL;
}

bool attt_secret_eq(const void *a, const void *b, size_t n)
{
	return sodium_memcmp(a, b, n) == 0;
}

char *attt_str_trim(char *s)
{
	size_t n = strlen(s), i = 0;
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = '\0';
	while (s[i] == ' ' || s[i] == '\t')
		i++;
	if (i)
		memmove(s, s + i, n - i + 1);
	return s;
}

bool attt_str_startswith(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}
