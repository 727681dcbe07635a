/*
 * json.c: bounded JSON parsing over jansson (see json.h). The depth pre-scan walks the bytes once,
 * skipping string contents (with their escapes) and counting brackets; it never recurses, so an
 * attacker's "[[[[..." costs one pass and no stack.
 */
#include <stdlib.h>
#include <string.h>

#include "attt/err.h"
#include "attt/json.h"
#include "attt/str.h"

int attt_json_depth(const char *p, size_t n, int limit)
{
	int depth = 0, max = 0;
	bool in_str = false;

	for (size_t i = 0; i < n; i++) {
		char c = p[i];
		if (in_str) {
			if (c == '\\')
				i++; /* the escaped byte cannot end the string */
			else if (c == '"')
				in_str = false;
			continue;
		}
		if (c == '"') {
			in_str = true;
		} else if (c == '[' || c == '{') {
			if (++depth > max) {
				max = depth;
				if (max > limit)
					return max;
			}
		} else if ((c == ']' || c == '}') && depth > 0) {
			depth--;
		}
	}
	return max;
}

static void set_err(struct attt_json_error *err, int line, int column, const char *text)
{
	if (!err)
		return;
	err->line = line;
	err->column = column;
	if (attt_str_copy(err->text, sizeof(err->text), text) < 0) {
		memcpy(err->text, text, sizeof(err->text) - 1);
		err->text[sizeof(err->text) - 1] = '\0';
	}
}

int attt_json_parse(const char *p, size_t n, size_t max_bytes, int max_depth, json_t **ret,
		    struct attt_json_error *err)
{
	json_error_t je;
	json_t *j;
	char msg[160];

	if (n > max_bytes) {
		attt_str_printf(msg, sizeof(msg), "body of %zu bytes exceeds the limit of %zu", n, max_bytes);
		set_err(err, 0, 0, msg);
		return ATTT_E_TOOBIG;
	}
	if (attt_json_depth(p, n, max_depth) > max_depth) {
		attt_str_printf(msg, sizeof(msg), "nesting deeper than the limit of %d", max_depth);
		set_err(err, 0, 0, msg);
		return ATTT_E_TOOBIG;
	}
	j = json_loadb(p, n, JSON_REJECT_DUPLICATES, &je);
	if (!j) {
		set_err(err, je.line > 0 ? je.line : 0, je.column > 0 ? je.column : 0, je.text);
		return ATTT_E_PARSE;
	}
	*ret = j;
	return ATTT_OK;
}

int attt_json_dump(const json_t *j, char **ret, size_t *ret_len)
{
	char *s = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
	if (!s)
		return ATTT_E_NOMEM;
	*ret_len = strlen(s);
	*ret = s;
	return ATTT_OK;
}
