/*
 * test_base.c: the base module: error table, buffers with ceilings, strict parsing, UTF-8, text
 * folding for Vietnamese search, time formats in Asia/Ho_Chi_Minh.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "attt/buf.h"
#include "attt/clock.h"
#include "attt/err.h"
#include "attt/log.h"
#include "attt/str.h"
#include "attt/text.h"

static void test_err__table(void **state)
{
	(void)state;
	assert_string_equal(attt_err_name(ATTT_E_NOTFOUND), "notfound");
	assert_int_equal(attt_err_http_status(ATTT_E_NOTFOUND), 404);
	assert_int_equal(attt_err_http_status(ATTT_E_LOCKED), 423);
	assert_string_equal(attt_strerror(ATTT_E_PERM), "Permission denied");
	assert_string_equal(attt_strerror_vi(ATTT_E_PERM), "Không có quyền thực hiện");
	assert_string_equal(attt_strerror_lang(ATTT_E_PERM, "en"), "Permission denied");
	assert_string_equal(attt_strerror_lang(ATTT_E_PERM, "fr"), "Không có quyền thực hiện");
	assert_string_equal(attt_err_name(-999), "unknown");
	assert_int_equal(attt_err_http_status(-999), 500);
	/* Every value in the table has distinct names and a status in the HTTP range. */
	for (int e = 0; e >= ATTT_ERR_MIN; e--) {
		int s = attt_err_http_status(e);
		assert_true(s >= 200 && s < 600);
		assert_string_not_equal(attt_err_name(e), "unknown");
		for (int f = e - 1; f >= ATTT_ERR_MIN; f--)
			assert_string_not_equal(attt_err_name(e), attt_err_name(f));
	}
}

static void test_buf__ceiling(void **state)
{
	struct attt_buf b;
	(void)state;
	attt_buf_init(&b, 10);
	assert_string_equal(attt_buf_str(&b), "");
	assert_int_equal(attt_buf_adds(&b, "12345"), ATTT_OK);
	assert_int_equal(attt_buf_addf(&b, "%d", 6789), ATTT_OK);
	assert_int_equal(b.len, 9);
	/* Past the ceiling: refused, content unchanged. */
	assert_int_equal(attt_buf_adds(&b, "ab"), ATTT_E_TOOBIG);
	assert_int_equal(attt_buf_addf(&b, "%s", "ab"), ATTT_E_TOOBIG);
	assert_string_equal(attt_buf_str(&b), "123456789");
	assert_int_equal(attt_buf_addc(&b, 'x'), ATTT_OK);
	assert_int_equal(attt_buf_addc(&b, 'y'), ATTT_E_TOOBIG);
	size_t n;
	char *s = attt_buf_steal(&b, &n);
	assert_int_equal(n, 10);
	assert_string_equal(s, "123456789x");
	free(s);
	assert_int_equal(b.len, 0);
	attt_buf_done(&b);
}

static void test_str__parse_int64(void **state)
{
	int64_t v = 42;
	(void)state;
	assert_int_equal(attt_parse_int64("17", 0, 100, &v), ATTT_OK);
	assert_int_equal(v, 17);
	assert_int_equal(attt_parse_int64("-5", -10, 10, &v), ATTT_OK);
	assert_int_equal(v, -5);
	v = 42;
	assert_int_equal(attt_parse_int64("", 0, 100, &v), ATTT_E_INVAL);
	assert_int_equal(attt_parse_int64(" 1", 0, 100, &v), ATTT_E_INVAL);
	assert_int_equal(attt_parse_int64("1 ", 0, 100, &v), ATTT_E_INVAL);
	assert_int_equal(attt_parse_int64("0x10", 0, 100, &v), ATTT_E_INVAL);
	assert_int_equal(attt_parse_int64("+1", 0, 100, &v), ATTT_E_INVAL);
	assert_int_equal(attt_parse_int64("101", 0, 100, &v), ATTT_E_RANGE);
	assert_int_equal(attt_parse_int64("99999999999999999999", 0, INT64_MAX, &v), ATTT_E_RANGE);
	assert_int_equal(v, 42); /* untouched on failure */
}

static void test_str__copy_and_printf(void **state)
{
	char small[4] = "zzz";
	(void)state;
	assert_int_equal(attt_str_copy(small, sizeof(small), "abcd"), ATTT_E_TOOBIG);
	assert_string_equal(small, "zzz");
	assert_int_equal(attt_str_copy(small, sizeof(small), "abc"), ATTT_OK);
	assert_string_equal(small, "abc");
	assert_int_equal(attt_str_printf(small, sizeof(small), "%d", 1234), ATTT_E_TOOBIG);
	assert_int_equal(attt_str_printf(small, sizeof(small), "%d", 123), ATTT_OK);
	bool b;
	assert_int_equal(attt_parse_bool("Yes", &b), ATTT_OK);
	assert_true(b);
	assert_int_equal(attt_parse_bool("off", &b), ATTT_OK);
	assert_false(b);
	assert_int_equal(attt_parse_bool("maybe", &b), ATTT_E_INVAL);
	char t[] = "  a b \t";
	assert_string_equal(attt_str_trim(t), "a b");
}

static void test_str__utf8(void **state)
{
	char *s = NULL;
	(void)state;
	assert_true(attt_utf8_valid("Nguyễn Văn A", strlen("Nguyễn Văn A")));
	assert_false(attt_utf8_valid("\xc0\xaf", 2));         /* overlong '/' */
	assert_false(attt_utf8_valid("\xed\xa0\x80", 3));     /* surrogate */
	assert_false(attt_utf8_valid("\xf4\x90\x80\x80", 4)); /* past U+10FFFF */
	assert_false(attt_utf8_valid("\xe1\xbb", 2));         /* truncated */
	assert_false(attt_utf8_valid("a\x01", 2));            /* control */
	assert_int_equal(attt_str_ndup("ab\0c", 4, 10, &s), ATTT_E_INVAL);
	assert_int_equal(attt_str_ndup("abcdef", 6, 5, &s), ATTT_E_TOOBIG);
	assert_null(s);
	assert_int_equal(attt_str_ndup("Đà Lạt", strlen("Đà Lạt"), 64, &s), ATTT_OK);
	assert_string_equal(s, "Đà Lạt");
	free(s);
	assert_true(attt_secret_eq("abc", "abc", 3));
	assert_false(attt_secret_eq("abc", "abd", 3));
}

/* R1.2: search ignores case and diacritics ("nguyen van a" finds "Nguyễn Văn A"). */
static void test_text__fold_vietnamese(void **state)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
		{ "Nguyễn Văn A", "nguyen van a" },
		{ "ĐẶNG THỊ Đào", "dang thi dao" },
		{ "  Sở   Khoa học\tvà Công nghệ ", "so khoa hoc va cong nghe" },
		{ "Nguye\xcc\x82\xcc\x83n", "nguyen" }, /* NFD input */
		{ "UBND xã Phú Đình", "ubnd xa phu dinh" },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *out = NULL;
		assert_int_equal(attt_text_fold(cases[i].in, strlen(cases[i].in), 1024, &out), ATTT_OK);
		assert_string_equal(out, cases[i].want);
		free(out);
	}
	char *out = NULL;
	assert_int_equal(attt_text_fold("\xff", 1, 1024, &out), ATTT_E_INVAL);
	assert_int_equal(attt_text_fold("abcdef", 6, 3, &out), ATTT_E_TOOBIG);
	assert_null(out);
}

static void test_text__nfc(void **state)
{
	char *out = NULL;
	(void)state;
	/* "ễ" decomposed (e + circumflex + tilde) composes to one code point (3 bytes). */
	assert_int_equal(attt_text_nfc("e\xcc\x82\xcc\x83", 5, 64, &out), ATTT_OK);
	assert_string_equal(out, "ễ");
	free(out);
}

static void test_time__formats(void **state)
{
	char buf[64];
	int64_t t, back;
	(void)state;
	/* 2026-11-24T02:33:00Z is 09:33 in Hà Nội. */
	assert_int_equal(attt_time_parse("2026-11-24T02:33:00Z", &t), ATTT_OK);
	assert_int_equal(attt_time_iso(t, buf, sizeof(buf)), ATTT_OK);
	assert_string_equal(buf, "2026-11-24T02:33:00Z");
	assert_int_equal(attt_time_local(t, buf, sizeof(buf)), ATTT_OK);
	assert_string_equal(buf, "24/11/2026 09:33");
	/* Local midnight crosses the UTC date. */
	assert_int_equal(attt_time_parse("2026-01-01T20:00:00Z", &t), ATTT_OK);
	assert_int_equal(attt_date_local(t, buf, sizeof(buf)), ATTT_OK);
	assert_string_equal(buf, "02/01/2026");
	assert_int_equal(attt_time_parse("02/01/2026 03:00", &back), ATTT_OK);
	assert_int_equal(back, t);
	assert_int_equal(attt_time_parse("2026-01-02T03:00:00+07:00", &back), ATTT_OK);
	assert_int_equal(back, t);
	assert_int_equal(attt_time_parse("2026-01-02", &back), ATTT_OK);
	assert_int_equal(back, t - 3 * 3600 * ATTT_USEC_PER_SEC);
	assert_int_equal(attt_time_parse("2024-02-29T00:00:00Z", &back), ATTT_OK);
	assert_int_equal(attt_time_parse("2026-02-29T00:00:00Z", &back), ATTT_E_INVAL);
	assert_int_equal(attt_time_parse("2026-11-24T02:33:00", &back), ATTT_E_INVAL);
	assert_int_equal(attt_time_parse("31/04/2026", &back), ATTT_E_INVAL);
	assert_int_equal(attt_time_parse("2026-13-01", &back), ATTT_E_INVAL);
	assert_int_equal(attt_time_iso(0, buf, 8), ATTT_E_TOOBIG);
	int64_t fake = 1234;
	struct attt_clock c = { attt_clock_fake_now, &fake };
	assert_int_equal(attt_now_us(&c), 1234);
}

/* A user-supplied string with a newline and quotes cannot forge a second log line. */
static void test_log__escapes_user_text(void **state)
{
	int fds[2];
	char out[1024];
	(void)state;
	assert_int_equal(pipe(fds), 0);
	attt_log_open(fds[1], ATTT_LOG_JSON, ATTT_LOG_INFO);
	log_debug("hidden %d", 1);
	log_warn("user said %s", "x\"}\n{\"level\":\"error\"");
	close(fds[1]);
	ssize_t n = read(fds[0], out, sizeof(out) - 1);
	close(fds[0]);
	assert_true(n > 0);
	out[n] = '\0';
	assert_null(strstr(out, "hidden"));
	assert_non_null(strstr(out, "\"level\":\"warn\""));
	assert_non_null(strstr(out, "x\\\"}\\u000a{\\\"level"));
	assert_non_null(strchr(out, '\n'));
	assert_ptr_equal(strchr(out, '\n'), out + n - 1); /* exactly one line */
	enum attt_log_level lv;
	assert_int_equal(attt_log_level_parse("ERROR", &lv), ATTT_OK);
	assert_int_equal(lv, ATTT_LOG_ERROR);
	assert_int_equal(attt_log_level_parse("loud", &lv), ATTT_E_INVAL);
	attt_log_open(2, ATTT_LOG_TEXT, ATTT_LOG_WARN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_err__table),
		cmocka_unit_test(test_buf__ceiling),
		cmocka_unit_test(test_str__parse_int64),
		cmocka_unit_test(test_str__copy_and_printf),
		cmocka_unit_test(test_str__utf8),
		cmocka_unit_test(test_text__fold_vietnamese),
		cmocka_unit_test(test_text__nfc),
		cmocka_unit_test(test_time__formats),
		cmocka_unit_test(test_log__escapes_user_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
