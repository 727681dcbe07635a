/*
 * str.h: strings and numbers from untrusted input.
 *
 * Untrusted bytes travel as (pointer, length); they become C strings only through attt_str_ndup,
 * which rejects embedded NULs and invalid UTF-8. Numbers are parsed by one strict, range-checked
 * function. Secrets are compared in constant time. All functions are thread-safe.
 */
#ifndef ATTT_STR_H
#define ATTT_STR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Copies src into dst[size] with NUL; ATTT_E_TOOBIG (dst untouched) if it does not fit. */
int attt_str_copy(char *dst, size_t size, const char *src);
/* snprintf that fails with ATTT_E_TOOBIG on truncation instead of truncating silently. */
int attt_str_printf(char *dst, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Duplicates p[0..n) as a C string: ATTT_E_INVAL on an embedded NUL or invalid UTF-8,
 * ATTT_E_TOOBIG if n > max. *ret is malloc'ed, written only on success. */
int attt_str_ndup(const char *p, size_t n, size_t max, char **ret);
/* True if p[0..n) is valid UTF-8 without NUL and without C0 controls other than \t \n \r. */
bool attt_utf8_valid(const char *p, size_t n);
/* Parses a whole decimal integer (optional '-', no spaces, no trailing bytes) within [min, max].
 * ATTT_E_INVAL when not a number, ATTT_E_RANGE when outside. */
int attt_parse_int64(const char *s, int64_t min, int64_t max, int64_t *ret);
/* Parses "true/false/yes/no/on/off/1/0" (any case). */
int attt_parse_bool(const char *s, bool *ret);
/* Constant-time comparison of two secrets of the same length n. */
bool attt_secret_eq(const void *a, const void *b, size_t n);
/* Trims ASCII spaces and tabs at both ends in place; returns s. */
char *attt_str_trim(char *s);
/* True if s starts with prefix. */
bool attt_str_startswith(const char *s, const char *prefix);

#endif
