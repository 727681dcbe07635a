/*
 * text.h: Unicode text as attt stores and searches it (utf8proc).
 *
 * Stored text is NFC. Search keys are NFC, case-folded and stripped of diacritics, with đ/Đ folded
 * to d, so that "nguyen van a" finds "Nguyễn Văn A". Thread-safe.
 */
#ifndef ATTT_TEXT_H
#define ATTT_TEXT_H

#include <stddef.h>

/* Normalises p[0..n) to NFC. Fails with ATTT_E_INVAL on invalid UTF-8 or NUL, ATTT_E_TOOBIG if the
 * result exceeds max bytes. *ret is malloc'ed, written only on success. */
int attt_text_nfc(const char *p, size_t n, size_t max, char **ret);
/* Search key of p[0..n): case-folded, diacritics removed, đ -> d, spaces collapsed, trimmed. */
int attt_text_fold(const char *p, size_t n, size_t max, char **ret);

#endif
