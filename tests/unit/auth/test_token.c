/*
 * test_token.c: R6.1.c session tokens (256-bit random, stored hashed, CSRF bound to the session,
 * idle and absolute expiry), API and reset tokens (R6.2.b), recovery-code hashes, and the data
 * directory's secret key file.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "attt/auth.h"
#include "attt/err.h"

#define SEC ATTT_USEC_PER_SEC

static void counter_fill(void *ctx, void *buf, size_t n)
{
	unsigned char *b = buf, *c = ctx;
	for (size_t i = 0; i < n; i++)
		b[i] = (*c)++;
}

static struct attt_auth_key *key_of(unsigned char fillbyte)
{
	unsigned char raw[ATTT_AUTH_KEY_BYTES];
	struct attt_auth_key *k = NULL;
	memset(raw, fillbyte, sizeof(raw));
	assert_int_equal(attt_auth_key_from_bytes(raw, &k), ATTT_OK);
	return k;
}

/* R6.1.c: session IDs are 256-bit random, 43 base64url characters; API tokens carry a prefix. */
static void test_token_new__shape(void **state)
{
	char a[ATTT_TOKEN_SIZE], b[ATTT_TOKEN_SIZE], api[ATTT_TOKEN_SIZE];
	(void)state;

	assert_int_equal(attt_token_new(ATTT_TOKEN_SESSION, NULL, a), ATTT_OK);
	assert_int_equal(attt_token_new(ATTT_TOKEN_SESSION, NULL, b), ATTT_OK);
	assert_int_equal(strlen(a), 43);
	assert_string_not_equal(a, b);
	assert_int_equal(attt_token_check_shape(ATTT_TOKEN_SESSION, a, strlen(a)), ATTT_OK);
	assert_int_equal(attt_token_new(ATTT_TOKEN_API, NULL, api), ATTT_OK);
	assert_int_equal(strlen(api), 48);
	assert_true(strncmp(api, "attt_", 5) == 0);
	assert_int_equal(attt_token_check_shape(ATTT_TOKEN_API, api, strlen(api)), ATTT_OK);
	assert_int_equal(attt_token_check_shape(ATTT_TOKEN_SESSION, api, strlen(api)), ATTT_E_AUTH);
	assert_int_equal(attt_token_check_shape(ATTT_TOKEN_API, a, strlen(a)), ATTT_E_AUTH);
	a[10] = '=';
	assert_int_equal(attt_token_check_shape(ATTT_TOKEN_SESSION, a, strlen(a)), ATTT_E_AUTH);
	assert_int_equal(attt_token_check_shape(ATTT_TOKEN_SESSION, b, 42), ATTT_E_AUTH);
	assert_int_equal(attt_token_new((enum attt_token_kind)9, NULL, a), ATTT_E_INVAL);
}

/* Deterministic with an injected random source. */
static void test_token_new__injected_rng(void **state)
{
	unsigned char c1 = 0, c2 = 0;
	struct attt_rng r1 = {counter_fill, &c1}, r2 = {counter_fill, &c2};
	char a[ATTT_TOKEN_SIZE], b[ATTT_TOKEN_SIZE];
	(void)state;

	assert_int_equal(attt_token_new(ATTT_TOKEN_SESSION, &r1, a), ATTT_OK);
	assert_int_equal(attt_token_new(ATTT_TOKEN_SESSION, &r2, b), ATTT_OK);
	assert_string_equal(a, b);
	assert_string_equal(a, "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8");
}

/* R6.1.c: stored hashed: keyed, separated by kind, never the token itself. */
static void test_token_hash__keyed_and_separated(void **state)
{
	struct attt_auth_key *k1 = key_of(1), *k2 = key_of(2);
	char tok[ATTT_TOKEN_SIZE], h1[ATTT_TOKEN_HASH_SIZE], h2[ATTT_TOKEN_HASH_SIZE], h3[ATTT_TOKEN_HASH_SIZE];
	(void)state;

	assert_int_equal(attt_token_new(ATTT_TOKEN_SESSION, NULL, tok), ATTT_OK);
	assert_int_equal(attt_token_hash(k1, ATTT_TOKEN_SESSION, tok, strlen(tok), h1), ATTT_OK);
	assert_int_equal(strlen(h1), 64);
	assert_null(strstr(h1, tok));
	assert_int_equal(attt_token_hash(k1, ATTT_TOKEN_SESSION, tok, strlen(tok), h2), ATTT_OK);
	assert_string_equal(h1, h2);
	assert_int_equal(attt_token_hash(k2, ATTT_TOKEN_SESSION, tok, strlen(tok), h2), ATTT_OK);
	assert_string_not_equal(h1, h2);
	assert_int_equal(attt_token_hash(k1, ATTT_TOKEN_RESET, tok, strlen(tok), h3), ATTT_OK);
	assert_string_not_equal(h1, h3);
	attt_auth_key_free(k1);
	attt_auth_key_free(k2);
	attt_auth_key_free(NULL);
}

/* R6.1.c: the CSRF token belongs to its session and nothing else. */
static void test_csrf__bound_to_session(void **state)
{
	struct attt_auth_key *k = key_of(7);
	char s1[ATTT_TOKEN_SIZE], s2[ATTT_TOKEN_SIZE], c1[ATTT_CSRF_SIZE], c2[ATTT_CSRF_SIZE];
	(void)state;

	assert_int_equal(attt_token_new(ATTT_TOKEN_SESSION, NULL, s1), ATTT_OK);
	assert_int_equal(attt_token_new(ATTT_TOKEN_SESSION, NULL, s2), ATTT_OK);
	assert_int_equal(attt_csrf_token(k, s1, strlen(s1), c1), ATTT_OK);
	assert_int_equal(attt_csrf_token(k, s2, strlen(s2), c2), ATTT_OK);
	assert_int_equal(strlen(c1), 43);
	assert_int_equal(attt_csrf_verify(k, s1, strlen(s1), c1, strlen(c1)), ATTT_OK);
	assert_int_equal(attt_csrf_verify(k, s1, strlen(s1), c2, strlen(c2)), ATTT_E_PERM);
	assert_int_equal(attt_csrf_verify(k, s1, strlen(s1), NULL, 0), ATTT_E_PERM);
	assert_int_equal(attt_csrf_verify(k, s1, strlen(s1), c1, 20), ATTT_E_PERM);
	c1[0] = c1[0] == 'A' ? 'B' : 'A';
	assert_int_equal(attt_csrf_verify(k, s1, strlen(s1), c1, strlen(c1)), ATTT_E_PERM);
	attt_auth_key_free(k);
}

/* R6.1.c: idle expiry after 600 s of no use, absolute expiry after the lifetime. */
static void test_session_expired__idle_and_absolute(void **state)
{
	struct attt_session_policy p = {600 * SEC, 12 * 3600 * SEC};
	int64_t t0 = 1000000 * SEC;
	(void)state;

	assert_false(attt_session_expired(&p, t0, t0, t0));
	assert_false(attt_session_expired(&p, t0, t0, t0 + 600 * SEC - 1));
	assert_true(attt_session_expired(&p, t0, t0, t0 + 600 * SEC));
	/* Kept alive by use every 5 minutes, until the absolute lifetime. */
	int64_t t = t0;
	while (t + 300 * SEC < t0 + 12 * 3600 * SEC) {
		t += 300 * SEC;
		assert_false(attt_session_expired(&p, t0, t - 300 * SEC, t));
	}
	assert_true(attt_session_expired(&p, t0, t0 + 12 * 3600 * SEC - 1, t0 + 12 * 3600 * SEC));
	/* A clock that went backwards past the creation is treated as expired. */
	assert_true(attt_session_expired(&p, t0, t0, t0 - SEC));
}

/* Recovery codes: 10 characters in two groups, hashed whatever the case and dashes typed. */
static void test_recovery_code__format_and_hash(void **state)
{
	struct attt_auth_key *k = key_of(3);
	char code[ATTT_RECOVERY_CODE_SIZE], typed[32], h1[ATTT_TOKEN_HASH_SIZE], h2[ATTT_TOKEN_HASH_SIZE];
	(void)state;

	assert_int_equal(attt_recovery_code_new(NULL, code), ATTT_OK);
	assert_int_equal(strlen(code), 11);
	assert_int_equal(code[5], '-');
	assert_int_equal(attt_recovery_code_hash(k, code, strlen(code), h1), ATTT_OK);
	/* Upper case and no dash. */
	size_t n = 0;
	for (size_t i = 0; code[i]; i++)
		if (code[i] != '-')
			typed[n++] = (char)(code[i] >= 'a' && code[i] <= 'z' ? code[i] - 32 : code[i]);
	assert_int_equal(attt_recovery_code_hash(k, typed, n, h2), ATTT_OK);
	assert_string_equal(h1, h2);
	assert_int_equal(attt_recovery_code_hash(k, "abc", 3, h2), ATTT_E_AUTH);
	assert_int_equal(attt_recovery_code_hash(k, "aaaaa-aaaai", 11, h2), ATTT_E_AUTH); /* i is not used */
	attt_auth_key_free(k);
}

/* The key file: created once (0600, never overwritten), loaded back, malformed files refused. */
static void test_auth_key__create_load(void **state)
{
	char dir[] = "/tmp/attt-test-key-XXXXXX", path[256], bad[256];
	struct attt_auth_key *k = NULL;
	struct stat sb;
	int fd;
	(void)state;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/secret.key", dir);
	snprintf(bad, sizeof(bad), "%s/bad.key", dir);
	assert_int_equal(attt_auth_key_load(path, &k), ATTT_E_NOTFOUND);
	assert_int_equal(attt_auth_key_create(path, NULL), ATTT_OK);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_int_equal(sb.st_size, 65);
	assert_int_equal(attt_auth_key_create(path, NULL), ATTT_E_EXISTS);
	assert_int_equal(attt_auth_key_load(path, &k), ATTT_OK);
	attt_auth_key_free(k);
	fd = open(bad, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "abcd\n", 5), 5);
	close(fd);
	k = NULL;
	assert_int_equal(attt_auth_key_load(bad, &k), ATTT_E_CORRUPT);
	assert_null(k);
	unlink(path);
	unlink(bad);
	rmdir(dir);
}

/* Sealed secrets (the TOTP seed at rest): round trip, tamper and wrong key detected. */
static void test_auth_key_seal__roundtrip_and_tamper(void **state)
{
	struct attt_auth_key *k1 = key_of(5), *k2 = key_of(6);
	char *sealed = NULL, *plain = NULL;
	(void)state;

	assert_int_equal(attt_auth_key_seal(k1, "JBSWY3DPEHPK3PXP", &sealed), ATTT_OK);
	assert_null(strstr(sealed, "JBSWY3DPEHPK3PXP"));
	assert_int_equal(attt_auth_key_open(k1, sealed, &plain), ATTT_OK);
	assert_string_equal(plain, "JBSWY3DPEHPK3PXP");
	free(plain);
	plain = NULL;
	assert_int_equal(attt_auth_key_open(k2, sealed, &plain), ATTT_E_CORRUPT);
	sealed[strlen(sealed) - 1] = sealed[strlen(sealed) - 1] == '0' ? '1' : '0';
	assert_int_equal(attt_auth_key_open(k1, sealed, &plain), ATTT_E_CORRUPT);
	assert_int_equal(attt_auth_key_open(k1, "abc", &plain), ATTT_E_CORRUPT);
	assert_null(plain);
	free(sealed);
	attt_auth_key_free(k1);
	attt_auth_key_free(k2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_token_new__shape),
		cmocka_unit_test(test_token_new__injected_rng),
		cmocka_unit_test(test_token_hash__keyed_and_separated),
		cmocka_unit_test(test_csrf__bound_to_session),
		cmocka_unit_test(test_session_expired__idle_and_absolute),
		cmocka_unit_test(test_recovery_code__format_and_hash),
		cmocka_unit_test(test_auth_key__create_load),
		cmocka_unit_test(test_auth_key_seal__roundtrip_and_tamper),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
