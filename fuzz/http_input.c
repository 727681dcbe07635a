/*
 * http_input.c (fuzz): the parsers the HTTP layer runs on client bytes, fed arbitrary input:
 * attt_json_parse with the anonymous limits (the depth pre-scan and jansson), and, on the input
 * as a C string, Accept-Language negotiation, the static-path check and ETag matching. Nothing
 * may crash, leak or read out of bounds; the language is always "vi" or "en"; a path that passes
 * the check never holds a segment starting with '.', a '%' or a backslash; a problem+json body
 * quoting the input can always be made.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "attt/err.h"
#include "attt/http.h"
#include "attt/json.h"
#include "attt/limits.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *j = NULL;
	struct attt_json_error e;
	char *s;
	const char *lang;

	if (attt_json_parse((const char *)data, size, ATTT_HTTP_MAX_BODY_ANON, ATTT_HTTP_MAX_JSON_DEPTH_ANON, &j, &e) ==
	    ATTT_OK)
		json_decref(j);
	s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	lang = attt_http_lang_negotiate(s);
	if (strcmp(lang, "vi") != 0 && strcmp(lang, "en") != 0)
		abort();
	if (attt_http_path_check(s) == ATTT_OK && (strstr(s, "/.") || strchr(s, '%') || strchr(s, '\\')))
		abort();
	(void)attt_http_etag_match(s, "\"0123456789abcdef0123\"");
	/* A problem body can always be made, whatever client text it quotes. */
	j = attt_http_problem_new(ATTT_E_NOTFOUND, s, s, s, s);
	if (!j)
		abort();
	json_decref(j);
	(void)attt_http_content_type(s);
	free(s);
	return 0;
}
