/*
 * json.h: JSON from untrusted input, over jansson.
 *
 * jansson bounds neither the size nor the nesting depth of what it parses, and deep nesting costs
 * stack; attt_json_parse checks both before jansson sees the bytes (a linear pre-scan that is aware
 * of strings and escapes), then parses with duplicate keys refused and NUL in strings refused.
 * Errors carry the line and column so that a client gets a precise message.
 * Thread-safe (jansson is, with its default allocator).
 */
#ifndef ATTT_JSON_H
#define ATTT_JSON_H

#include <stddef.h>

#include <jansson.h>

struct attt_json_error {
	int line;        /* 1-based; 0 when the error is not tied to a position */
	int column;      /* 1-based, in bytes */
	char text[160];  /* English explanation, NUL-terminated */
};

/* Parses p[0..n) as one JSON object or array.
 * Returns ATTT_OK and *ret (a new reference, the caller json_decref()s it), or:
 *   ATTT_E_TOOBIG  n > max_bytes, or nesting deeper than max_depth (err->text says which);
 *   ATTT_E_PARSE   not JSON, a duplicate key, trailing bytes, a NUL in a string.
 * err may be NULL; when given it is filled on failure. *ret is written only on success. */
int attt_json_parse(const char *p, size_t n, size_t max_bytes, int max_depth, json_t **ret,
		    struct attt_json_error *err);

/* The nesting depth of p[0..n) counted by the pre-scan: 0 for a scalar, 1 for [] or {}, and so on.
 * Stops counting (and returns) as soon as the depth exceeds limit. Does not validate the JSON. */
int attt_json_depth(const char *p, size_t n, int limit);

/* Serialises j compactly into a malloc'ed NUL-terminated string (*ret, length *ret_len).
 * ATTT_E_NOMEM on failure. Does not take the reference. */
int attt_json_dump(const json_t *j, char **ret, size_t *ret_len);

#endif
