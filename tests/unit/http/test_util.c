/*
 * test_util.c: the pure helpers of the http and json modules: Accept-Language negotiation, the
 * static-path check, problem+json bodies, ETag matching, content types, bounded JSON parsing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "attt/err.h"
#include "attt/http.h"
#include "attt/json.h"
#include "attt/limits.h"

static void test_lang_negotiate__default_vi(void **state)
{
	assert_string_equal(attt_http_lang_negotiate(NULL), "vi");
	assert_string_equal(attt_http_lang_negotiate(""), "vi");
	assert_string_equal(attt_http_lang_negotiate("fr-FR, de"), "vi");
	assert_string_equal(attt_http_lang_negotiate("vi-VN,vi;q=0.9,en;q=0.8"), "vi");
}

static void test_lang_negotiate__english(void **state)
{
	assert_string_equal(attt_http_lang_negotiate("en"), "en");
	assert_string_equal(attt_http_lang_negotiate("en-US,en;q=0.9"), "en");
	assert_string_equal(attt_http_lang_negotiate("fr, en;q=0.5"), "en");
	assert_string_equal(attt_http_lang_negotiate("vi;q=0.2, en;q=0.8"), "en");
	assert_string_equal(attt_http_lang_negotiate("EN-gb"), "en");
}

static void test_lang_negotiate__ties_and_zero(void **state)
{
	assert_string_equal(attt_http_lang_negotiate("en, vi"), "en");      /* tie: the earlier */
	assert_string_equal(attt_http_lang_negotiate("vi, en"), "vi");
	assert_string_equal(attt_http_lang_negotiate("en;q=0"), "vi");      /* q=0 excludes */
	assert_string_equal(attt_http_lang_negotiate("en;q=abc"), "vi");    /* malformed q ignored */
	assert_string_equal(attt_http_lang_negotiate("eng, vie"), "vi");    /* not en/vi tags */
}

/* R4.5: the static-path check refuses every way out of the web root. */
static void test_path_check__traversal_refused(void **state)
{
	assert_int_equal(attt_http_path_check("/index.html"), ATTT_OK);
	assert_int_equal(attt_http_path_check("/js/app.mjs"), ATTT_OK);
	assert_int_equal(attt_http_path_check("/../etc/passwd"), ATTT_E_INVAL);
	assert_int_equal(attt_http_path_check("/a/../../b"), ATTT_E_INVAL);
	assert_int_equal(attt_http_path_check("/a/./b"), ATTT_E_INVAL);
	assert_int_equal(attt_http_path_check("/a/.."), ATTT_E_INVAL);
	assert_int_equal(attt_http_path_check("/%2e%2e/x"), ATTT_E_INVAL);  /* double-encoded remains */
	assert_int_equal(attt_http_path_check("/a%2fb"), ATTT_E_INVAL);
	assert_int_equal(attt_http_path_check("/a\\..\\b"), ATTT_E_INVAL);
	assert_int_equal(attt_http_path_check("/a//b"), ATTT_E_INVAL);
	assert_int_equal(attt_http_path_check("/.git/config"), ATTT_E_INVAL);
	assert_int_equal(attt_http_path_check("/a\nb"), ATTT_E_INVAL);
	assert_int_equal(attt_http_path_check("relative"), ATTT_E_INVAL);
	assert_int_equal(attt_http_path_check("/dir/"), ATTT_E_INVAL);      /* empty last segment */
	assert_int_equal(attt_http_path_check(NULL), ATTT_E_INVAL);
}

static void test_problem_new__vi_and_en(void **state)
{
	json_t *j = attt_http_problem_new(ATTT_E_NOTFOUND, "vi", "Không có", "Nothing", "/x");
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "type")), "https://attt.gov.vn/problems/notfound");
	assert_string_equal(json_string_value(json_object_get(j, "title")), "Không tìm thấy");
	assert_string_equal(json_string_value(json_object_get(j, "title_en")), "Not found");
	assert_string_equal(json_string_value(json_object_get(j, "detail")), "Không có");
	assert_string_equal(json_string_value(json_object_get(j, "detail_en")), "Nothing");
	assert_string_equal(json_string_value(json_object_get(j, "instance")), "/x");
	assert_int_equal(json_integer_value(json_object_get(j, "status")), 404);
	assert_null(json_object_get(j, "title_vi"));
	json_decref(j);

	j = attt_http_problem_new(ATTT_E_METHOD, "en", NULL, "only GET", NULL);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "title")), "Method not allowed");
	assert_string_equal(json_string_value(json_object_get(j, "title_vi")), "Phương thức không được phép");
	assert_string_equal(json_string_value(json_object_get(j, "detail")), "only GET");
	assert_string_equal(json_string_value(json_object_get(j, "detail_vi")), "only GET"); /* fallback */
	assert_int_equal(json_integer_value(json_object_get(j, "status")), 405);
	assert_null(json_object_get(j, "instance"));
	json_decref(j);

	j = attt_http_problem_new(ATTT_E_AUTH, "vi", NULL, NULL, NULL);
	assert_null(json_object_get(j, "detail"));
	assert_int_equal(json_integer_value(json_object_get(j, "status")), 401);
	json_decref(j);
}

static void test_etag_match(void **state)
{
	assert_true(attt_http_etag_match("\"abc\"", "\"abc\""));
	assert_true(attt_http_etag_match("\"x\", \"abc\"", "\"abc\""));
	assert_true(attt_http_etag_match("W/\"abc\"", "\"abc\""));
	assert_true(attt_http_etag_match("*", "\"abc\""));
	assert_false(attt_http_etag_match("\"abd\"", "\"abc\""));
	assert_false(attt_http_etag_match("abc", "\"abc\""));
	assert_false(attt_http_etag_match("", "\"abc\""));
	assert_false(attt_http_etag_match(NULL, "\"abc\""));
}

static void test_content_type(void **state)
{
	assert_string_equal(attt_http_content_type("/index.html"), "text/html; charset=utf-8");
	assert_string_equal(attt_http_content_type("/js/app.mjs"), "text/javascript; charset=utf-8");
	assert_string_equal(attt_http_content_type("/a.JSON"), "application/json");
	assert_string_equal(attt_http_content_type("/x.svg"), "image/svg+xml");
	assert_string_equal(attt_http_content_type("/noext"), "application/octet-stream");
	assert_string_equal(attt_http_content_type("/dir.d/noext"), "application/octet-stream");
}

static void test_json_parse__depth_limit(void **state)
{
	char deep[64];
	json_t *j = NULL;
	struct attt_json_error e;
	int n = 0;

	for (int i = 0; i < 9; i++)
		deep[n++] = '[';
	for (int i = 0; i < 9; i++)
		deep[n++] = ']';
	assert_int_equal(attt_json_depth(deep, (size_t)n, 100), 9);
	assert_int_equal(attt_json_parse(deep, (size_t)n, 1024, ATTT_HTTP_MAX_JSON_DEPTH_ANON, &j, &e), ATTT_E_TOOBIG);
	assert_null(j);
	assert_non_null(strstr(e.text, "nesting"));
	assert_int_equal(attt_json_parse(deep, (size_t)n, 1024, 9, &j, NULL), ATTT_OK);
	json_decref(j);
	/* Brackets inside strings (with escaped quotes) do not count. */
	j = NULL;
	assert_int_equal(attt_json_depth("{\"a\":\"[[[[\\\"[[[[\"}", 18, 100), 1);
}

static void test_json_parse__size_and_errors(void **state)
{
	json_t *j = NULL;
	struct attt_json_error e;
	const char *dup = "{\"a\":1,\"a\":2}";
	const char *bad = "{\n  \"a\": tru }";

	assert_int_equal(attt_json_parse("{}", 2, 1, 8, &j, &e), ATTT_E_TOOBIG);
	assert_int_equal(attt_json_parse(dup, strlen(dup), 100, 8, &j, &e), ATTT_E_PARSE);
	assert_int_equal(attt_json_parse(bad, strlen(bad), 100, 8, &j, &e), ATTT_E_PARSE);
	assert_int_equal(e.line, 2);
	assert_true(e.column > 0);
	assert_int_equal(attt_json_parse("{\"a\":\"\\u0000\"}", 14, 100, 8, &j, &e), ATTT_E_PARSE);
	assert_int_equal(attt_json_parse("{} x", 4, 100, 8, &j, &e), ATTT_E_PARSE);
	assert_null(j);
	assert_int_equal(attt_json_parse("{\"tên\":\"Nguyễn\"}", strlen("{\"tên\":\"Nguyễn\"}"), 100, 8, &j, &e), ATTT_OK);
	assert_string_equal(json_string_value(json_object_get(j, "tên")), "Nguyễn");
	json_decref(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lang_negotiate__default_vi),
		cmocka_unit_test(test_lang_negotiate__english),
		cmocka_unit_test(test_lang_negotiate__ties_and_zero),
		cmocka_unit_test(test_path_check__traversal_refused),
		cmocka_unit_test(test_problem_new__vi_and_en),
		cmocka_unit_test(test_etag_match),
		cmocka_unit_test(test_content_type),
		cmocka_unit_test(test_json_parse__depth_limit),
		cmocka_unit_test(test_json_parse__size_and_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
