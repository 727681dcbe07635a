/* buf.c: size-capped growable buffers (see buf.h for the contract). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "attt/buf.h"
#include "attt/err.h"

void attt_buf_init(struct attt_buf *b, size_t max)
{
	b->data = NULL;
	b->len = 0;
	b->alloc = 0;
	b->max = max;
}

void attt_buf_done(struct attt_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->alloc = 0;
}

void attt_buf_done_secure(struct attt_buf *b)
{
	if (b->data)
		sodium_memzero(b->data, b->alloc);
	attt_buf_done(b);
}

void attt_buf_reset(struct attt_buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

/* Makes room for n more bytes plus the NUL. */
static int reserve(struct attt_buf *b, size_t n)
{
	size_t need, cap;
	char *p;

	if (n > b->max || b->len > b->max - n)
		return ATTT_E_TOOBIG;
	need = b->len + n + 1;
	if (need <= b->alloc)
		return ATTT_OK;
	cap = b->alloc ? b->alloc : 64;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	if (cap > b->max + 1)
		cap = b->max + 1;
	p = realloc(b->data, cap);
	if (!p)
		return ATTT_E_NOMEM;
	b->data = p;
	b->alloc = cap;
	return ATTT_OK;
}

int attt_buf_add(struct attt_buf *b, const void *p, size_t n)
{
	int r = reserve(b, n);
	if (r < 0)
		return r;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return ATTT_OK;
}

int attt_buf_addc(struct attt_buf *b, char c)
{
	return attt_buf_add(b, &c, 1);
}

int attt_buf_adds(struct attt_buf *b, const char *s)
{
	return attt_buf_add(b, s, strlen(s));
}

int attt_buf_vaddf(struct attt_buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	int n, r;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return ATTT_E_INVAL;
	r = reserve(b, (size_t)n);
	if (r < 0)
		return r;
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return ATTT_OK;
}

int attt_buf_addf(struct attt_buf *b, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = attt_buf_vaddf(b, fmt, ap);
	va_end(ap);
	return r;
}

const char *attt_buf_str(const struct attt_buf *b)
{
	return b->data ? b->data : "";
}

char *attt_buf_steal(struct attt_buf *b, size_t *ret_len)
{
	char *p = b->data;
	if (ret_len)
		*ret_len = b->len;
	b->data = NULL;
	b->len = b->alloc = 0;
	return p;
}
