/*
 * buf.h: growable byte buffers with a ceiling (after curl's dynbuf and openssh's sshbuf).
 *
 * A buffer lives in the caller's storage (_init/_done). Every append checks the ceiling given at
 * init and fails with ATTT_E_TOOBIG rather than grow past it; on any failure the content is left as
 * it was. The data is always NUL-terminated (not counted in len) so text can be used as a C string.
 * Not thread-safe.
 */
#ifndef ATTT_BUF_H
#define ATTT_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct attt_buf {
	char *data;   /* NULL until the first append */
	size_t len;   /* bytes used, excluding the terminating NUL */
	size_t alloc; /* bytes allocated */
	size_t max;   /* ceiling on len */
};

/* Prepares b; max is the largest len it may reach (> 0). Allocates nothing. */
void attt_buf_init(struct attt_buf *b, size_t max);
/* Frees the content (wiped first when it may hold secrets: see attt_buf_done_secure). */
void attt_buf_done(struct attt_buf *b);
void attt_buf_done_secure(struct attt_buf *b);
/* Empties b, keeping its allocation. */
void attt_buf_reset(struct attt_buf *b);
int attt_buf_add(struct attt_buf *b, const void *p, size_t n);
int attt_buf_addc(struct attt_buf *b, char c);
int attt_buf_adds(struct attt_buf *b, const char *s);
int attt_buf_addf(struct attt_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int attt_buf_vaddf(struct attt_buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* The content as a C string: "" for an empty buffer, never NULL. Valid until the next append. */
const char *attt_buf_str(const struct attt_buf *b);
/* Hands the content to the caller (free() it; NULL when empty) and resets b. */
char *attt_buf_steal(struct attt_buf *b, size_t *ret_len);

#endif
