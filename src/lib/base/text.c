/*
 * text.c: NFC normalisation and search folding with utf8proc. Vietnamese needs one rule utf8proc
 * does not give: đ/Đ is a letter of its own, not d with a mark, so folding maps it to d by hand.
 */
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "attt/err.h"
#include "attt/str.h"
#include "attt/text.h"

static int map(const char *p, size_t n, size_t max, utf8proc_option_t opt, char **ret)
{
	utf8proc_uint8_t *dst = NULL;
	utf8proc_ssize_t len;

	if (n > max)
		return ATTT_E_TOOBIG;
	if (!attt_utf8_valid(p, n))
		return ATTT_E_INVAL;
	len = utf8proc_map((const utf8proc_uint8_t *)p, (utf8proc_ssize_t)n, &dst, opt);
	if (len < 0)
		return len == UTF8PROC_ERROR_NOMEM ? ATTT_E_NOMEM : ATTT_E_INVAL;
	if ((size_t)len > max) {
		free(dst);
		return ATTT_E_TOOBIG;
	}
	*ret = (char *)dst;
	return ATTT_OK;
}

int attt_text_nfc(const char *p, size_t n, size_t max, char **ret)
{
	return map(p, n, max, UTF8PROC_STABLE | UTF8PROC_COMPOSE, ret);
}

int attt_text_fold(const char *p, size_t n, size_t max, char **ret)
{
	char *s = NULL, *out;
	size_t i = 0, k = 0;
	int r;

	r = map(p, n, max, UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD | UTF8PROC_STRIPMARK, &s);
	if (r < 0)
		return r;
	/* In place: the result is never longer than the input. */
	out = s;
	while (s[i]) {
		unsigned char c = (unsigned char)s[i];
		if ((unsigned char)s[i] == 0xc4 && (unsigned char)s[i + 1] == 0x91) { /* đ (Đ was folded) */
			out[k++] = 'd';
			i += 2;
		} else if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
			if (k > 0 && out[k - 1] != ' ')
				out[k++] = ' ';
			i++;
		} else {
			out[k++] = s[i++];
		}
	}
	while (k > 0 && out[k - 1] == ' ')
		k--;
	out[k] = '\0';
	*ret = out;
	return ATTT_OK;
}
