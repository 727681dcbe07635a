/*
 * test_totp.c: TOTP (RFC 6238) for the multi-factor login: the RFC's test vectors, the ±1 step
 * window, replay refusal, and the enrolment URI.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "attt/auth.h"
#include "attt/err.h"

#define SEC ATTT_USEC_PER_SEC
/* base32 of the RFC 6238 SHA-1 seed "12345678901234567890" */
#define RFC_SECRET "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"

/* RFC 6238 appendix B, SHA-1, last 6 of the 8 digits. */
static void test_totp_code__rfc6238_vectors(void **state)
{
	static const struct {
		int64_t t;
		const char *code;
	} v[] = {
		{59, "287082"}, {1111111109, "081804"}, {1111111111, "050471"},
		{1234567890, "005924"}, {2000000000, "279037"},
	};
	char code[7];
	(void)state;

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		assert_int_equal(attt_totp_code(RFC_SECRET, v[i].t * SEC, code), ATTT_OK);
		assert_string_equal(code, v[i].code);
	}
}

static void test_totp_verify__window_and_replay(void **state)
{
	char code[7];
	int64_t now = 1111111111 * SEC, step = 0, step2 = 0;
	(void)state;

	assert_int_equal(attt_totp_code(RFC_SECRET, now, code), ATTT_OK);
	assert_int_equal(attt_totp_verify(RFC_SECRET, code, 6, now, 0, &step), ATTT_OK);
	assert_int_equal(step, 1111111111 / 30);
	/* The same code again is a replay. */
	assert_int_equal(attt_totp_verify(RFC_SECRET, code, 6, now, step, &step2), ATTT_E_AUTH);
	/* One step of drift either way is accepted, two are not. */
	assert_int_equal(attt_totp_verify(RFC_SECRET, code, 6, now + 30 * SEC, 0, &step2), ATTT_OK);
	assert_int_equal(attt_totp_verify(RFC_SECRET, code, 6, now - 30 * SEC, 0, &step2), ATTT_OK);
	assert_int_equal(attt_totp_verify(RFC_SECRET, code, 6, now + 61 * SEC, 0, &step2), ATTT_E_AUTH);
	/* Malformed codes. */
	assert_int_equal(attt_totp_verify(RFC_SECRET, "12345", 5, now, 0, &step2), ATTT_E_AUTH);
	assert_int_equal(attt_totp_verify(RFC_SECRET, "12a456", 6, now, 0, &step2), ATTT_E_AUTH);
	assert_int_equal(attt_totp_verify("!!", code, 6, now, 0, &step2), ATTT_E_AUTH);
}

static void test_totp_secret_new__and_uri(void **state)
{
	char s1[ATTT_TOTP_SECRET_B32_SIZE], s2[ATTT_TOTP_SECRET_B32_SIZE], code[7];
	char *uri = NULL;
	int64_t step = 0;
	(void)state;

	assert_int_equal(attt_totp_secret_new(NULL, s1), ATTT_OK);
	assert_int_equal(attt_totp_secret_new(NULL, s2), ATTT_OK);
	assert_int_equal(strlen(s1), 32);
	assert_string_not_equal(s1, s2);
	assert_int_equal(attt_totp_code(s1, 1700000000 * SEC, code), ATTT_OK);
	assert_int_equal(attt_totp_verify(s1, code, 6, 1700000000 * SEC, 0, &step), ATTT_OK);
	assert_int_equal(attt_totp_uri(s1, "hoa.lt", &uri), ATTT_OK);
	assert_true(strncmp(uri, "otpauth://totp/attt:hoa.lt?secret=", 34) == 0);
	assert_non_null(strstr(uri, s1));
	free(uri);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_totp_code__rfc6238_vectors),
		cmocka_unit_test(test_totp_verify__window_and_replay),
		cmocka_unit_test(test_totp_secret_new__and_uri),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
