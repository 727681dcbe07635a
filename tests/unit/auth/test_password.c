/*
 * test_password.c: R6.1.đ, the password rule (table-driven), the checks on top of it (dictionary,
 * username, name with and without diacritics), long Unicode passphrases, Argon2id storage with
 * rehash on raised parameters, history, expiry and warning; R6.1.a temporary passwords.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "attt/clock.h"
#include "attt/err.h"
#include "attt/password.h"

#define DAY (INT64_C(86400) * ATTT_USEC_PER_SEC)

struct rule_case {
	const char *pw, *username, *name;
	unsigned want;
};

/* R6.1.đ: the default rule and the checks on top of it. */
static const struct rule_case cases[] = {
	{"Xk7#pqWz", NULL, NULL, 0},
	{"Xk7pqWzR", NULL, NULL, 0},                       /* a digit is enough */
	{"Xk!pqWzR", NULL, NULL, 0},                       /* a special character is enough */
	{"Xk7#pqW", NULL, NULL, ATTT_PASSWORD_TOO_SHORT},  /* 7 characters */
	{"xk7#pqwz", NULL, NULL, ATTT_PASSWORD_NO_UPPER},
	{"XK7#PQWZ", NULL, NULL, ATTT_PASSWORD_NO_LOWER},
	{"XkqpqWzR", NULL, NULL, ATTT_PASSWORD_NO_DIGIT_OR_SPECIAL},
	{"", NULL, NULL,
	 ATTT_PASSWORD_TOO_SHORT | ATTT_PASSWORD_NO_LOWER | ATTT_PASSWORD_NO_UPPER | ATTT_PASSWORD_NO_DIGIT_OR_SPECIAL},
	{"abc", NULL, NULL, ATTT_PASSWORD_TOO_SHORT | ATTT_PASSWORD_NO_UPPER | ATTT_PASSWORD_NO_DIGIT_OR_SPECIAL},
	/* Vietnamese letters have case: ệ is lower case, Ệ upper case; 8 code points, 11+ bytes. */
	{"Ệệ7#ươờơ", NULL, NULL, 0},
	{"ệệ7#ươờơ", NULL, NULL, ATTT_PASSWORD_NO_UPPER},
	/* The dictionary on top of the rule. */
	{"Password1", NULL, NULL, ATTT_PASSWORD_DICTIONARY},
	/* The username, in any case. */
	{"Xk7#Hoa.Lt2", "hoa.lt", NULL, ATTT_PASSWORD_CONTAINS_USERNAME},
	{"Xk7#HOALT9q", "hoa.lt", NULL, ATTT_PASSWORD_CONTAINS_USERNAME},
	/* The person's name, with and without diacritics. */
	{"Nguyễn#2024x", "abc.x", "Nguyễn Văn An", ATTT_PASSWORD_CONTAINS_NAME},
	{"Nguyen#2024x", "abc.x", "Nguyễn Văn An", ATTT_PASSWORD_CONTAINS_NAME},
	{"Xk7#NGUYENVANAN", "abc.x", "Nguyễn Văn An", ATTT_PASSWORD_CONTAINS_NAME},
	{"Xk7#Hoàng9q", "abc.x", "Lê Văn Hoàng", ATTT_PASSWORD_CONTAINS_NAME},
	{"Xk7#pqWzAn", "abc.x", "Nguyễn Văn An", 0},        /* short words of the name are not refused */
	/* Control characters are refused. */
	{"Xk7#pq\x01Wz", NULL, NULL, ATTT_PASSWORD_INVALID},
};

static void test_password_check__rule_table(void **state)
{
	struct attt_password_policy p;
	(void)state;

	attt_password_policy_default(&p);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		unsigned failed = 0xffff;
		int r = attt_password_check(&p, cases[i].pw, strlen(cases[i].pw), cases[i].username, cases[i].name,
					    &failed);
		if (failed != cases[i].want)
			print_error("case %zu \"%s\": failed 0x%x, want 0x%x\n", i, cases[i].pw, failed, cases[i].want);
		assert_int_equal(failed, cases[i].want);
		assert_int_equal(r, cases[i].want ? ATTT_E_POLICY : ATTT_OK);
	}
}

/* R6.1.đ: invalid UTF-8 is refused with a rule, not an internal error. */
static void test_password_check__invalid_utf8(void **state)
{
	struct attt_password_policy p;
	unsigned failed = 0;
	(void)state;

	attt_password_policy_default(&p);
	assert_int_equal(attt_password_check(&p, "Xk7#\xff\xfeqWz", 8, NULL, NULL, &failed), ATTT_E_POLICY);
	assert_int_equal(failed, ATTT_PASSWORD_INVALID);
	assert_int_equal(attt_password_check(&p, "Xk7#\0qWzR", 9, NULL, NULL, &failed), ATTT_E_POLICY);
	assert_int_equal(failed, ATTT_PASSWORD_INVALID);
}

/* R6.1.đ: a policy may be stricter (12 characters), never looser. */
static void test_password_policy__stricter_not_looser(void **state)
{
	struct attt_password_policy p;
	unsigned failed = 0;
	(void)state;

	attt_password_policy_default(&p);
	assert_int_equal(attt_password_policy_validate(&p), ATTT_OK);
	p.min_length = 12;
	assert_int_equal(attt_password_policy_validate(&p), ATTT_OK);
	assert_int_equal(attt_password_check(&p, "Xk7#pqWzRt", 10, NULL, NULL, &failed), ATTT_E_POLICY);
	assert_int_equal(failed, ATTT_PASSWORD_TOO_SHORT);
	p.min_length = 7;
	assert_int_equal(attt_password_policy_validate(&p), ATTT_E_POLICY);
	attt_password_policy_default(&p);
	p.require_upper = false;
	assert_int_equal(attt_password_policy_validate(&p), ATTT_E_POLICY);
	attt_password_policy_default(&p);
	p.max_age_days = 91;
	assert_int_equal(attt_password_policy_validate(&p), ATTT_E_POLICY);
	attt_password_policy_default(&p);
	p.hash_memlimit = ATTT_PASSWORD_MIN_MEMLIMIT - 1;
	assert_int_equal(attt_password_policy_validate(&p), ATTT_E_POLICY);
	attt_password_policy_default(&p);
	p.hash_opslimit = 1;
	assert_int_equal(attt_password_policy_validate(&p), ATTT_E_POLICY);
}

/* Every refusal names its rule in Vietnamese and English. */
static void test_password_rule_message__vi_en(void **state)
{
	(void)state;
	for (unsigned bit = 1; bit <= ATTT_PASSWORD_INVALID; bit <<= 1) {
		const char *vi = attt_password_rule_message(bit, "vi"), *en = attt_password_rule_message(bit, "en");
		assert_non_null(vi);
		assert_non_null(en);
		assert_string_not_equal(vi, en);
		assert_string_not_equal(attt_password_rule_name(bit), "unknown");
	}
	assert_string_equal(attt_password_rule_name(ATTT_PASSWORD_NO_UPPER), "no_upper");
	assert_string_equal(attt_password_rule_id(ATTT_PASSWORD_TOO_SHORT), "R6.1.đ");
	assert_string_equal(attt_password_rule_message(ATTT_PASSWORD_NO_UPPER, "en"),
			    "Password needs an upper-case letter");
	assert_string_equal(attt_password_rule_name(3), "unknown");
}

/* A passphrase of 200 code points of Vietnamese is accepted, hashed whole (not truncated: changing
 * its last character makes it a different password) and normalised to NFC. */
static void test_password_hash__long_unicode_passphrase(void **state)
{
	struct attt_password_policy p;
	char phrase[1024], other[1024], hash[ATTT_PASSWORD_HASH_SIZE];
	size_t len = 0;
	(void)state;

	attt_password_policy_default(&p);
	while (len + 40 < 900) {
		memcpy(phrase + len, "Trời hôm nay đẹp quá 7! ", strlen("Trời hôm nay đẹp quá 7! "));
		len += strlen("Trời hôm nay đẹp quá 7! ");
	}
	phrase[len] = '\0';
	assert_true(len > 700);
	assert_int_equal(attt_password_check(&p, phrase, len, "hoa.lt", "Lê Thị Hoa", NULL), ATTT_OK);
	assert_int_equal(attt_password_hash(&p, phrase, len, hash), ATTT_OK);
	assert_int_equal(attt_password_verify(hash, phrase, len), ATTT_OK);
	memcpy(other, phrase, len + 1);
	other[len - 2] = '8';
	assert_int_equal(attt_password_verify(hash, other, len), ATTT_E_AUTH);
	/* The same phrase in NFD (e with combining marks) verifies. */
	assert_int_equal(attt_password_hash(&p, "Tr\xc6\xa1\xcc\x80i 7!", strlen("Tr\xc6\xa1\xcc\x80i 7!"), hash),
			 ATTT_OK);
	assert_int_equal(attt_password_verify(hash, "Trời 7!", strlen("Trời 7!")), ATTT_OK);
}

/* Argon2id with at least 19 MiB and t=2; a raised parameter asks for a rehash. */
static void test_password_hash__argon2id_and_rehash(void **state)
{
	struct attt_password_policy p;
	char hash[ATTT_PASSWORD_HASH_SIZE];
	(void)state;

	attt_password_policy_default(&p);
	assert_int_equal(attt_password_hash(&p, "Xk7#pqWz", 8, hash), ATTT_OK);
	assert_true(strncmp(hash, "$argon2id$", 10) == 0);
	assert_non_null(strstr(hash, "m=19456,t=2"));
	assert_int_equal(attt_password_verify(hash, "Xk7#pqWz", 8), ATTT_OK);
	assert_int_equal(attt_password_verify(hash, "Xk7#pqWZ", 8), ATTT_E_AUTH);
	assert_int_equal(attt_password_verify("garbage", "Xk7#pqWz", 8), ATTT_E_AUTH);
	assert_false(attt_password_needs_rehash(&p, hash));
	p.hash_opslimit = 3;
	assert_true(attt_password_needs_rehash(&p, hash));
	attt_password_policy_default(&p);
	p.hash_memlimit = (size_t)32 << 20;
	assert_true(attt_password_needs_rehash(&p, hash));
	assert_true(attt_password_needs_rehash(&p, "$2y$10$notargon"));
	/* The dummy verification for unknown users always fails. */
	attt_password_policy_default(&p);
	assert_int_equal(attt_password_verify_dummy(&p, "Xk7#pqWz", 8), ATTT_E_AUTH);
	assert_true(attt_password_slots() >= 1);
}

/* Hashing runs on one worker per core and nowhere else: many threads verifying at once each get
 * their own answer (right and wrong passwords interleaved), and never more than one per core ran. */
struct verify_arg {
	const char *hash;
	int rounds;
	int ok, refused;
};

static void *verify_many(void *p)
{
	struct verify_arg *a = p;
	for (int i = 0; i < a->rounds; i++) {
		if (attt_password_verify(a->hash, "Right#Pass1", 11) == ATTT_OK)
			a->ok++;
		if (attt_password_verify(a->hash, "Wrong#Pass1", 11) == ATTT_E_AUTH)
			a->refused++;
	}
	return NULL;
}

static void test_password_verify__workers_one_per_core(void **state)
{
	struct attt_password_policy p;
	char hash[ATTT_PASSWORD_HASH_SIZE];
	struct verify_arg args[8];
	pthread_t t[8];
	int workers = -1, peak = -1;
	(void)state;

	attt_password_policy_default(&p);
	p.hash_opslimit = 1; /* the pool, not Argon2id, is under test */
	p.hash_memlimit = (size_t)1 << 20;
	assert_int_equal(attt_password_hash(&p, "Right#Pass1", 11, hash), ATTT_OK);
	for (int i = 0; i < 8; i++) {
		args[i] = (struct verify_arg){ .hash = hash, .rounds = 6 };
		assert_int_equal(pthread_create(&t[i], NULL, verify_many, &args[i]), 0);
	}
	for (int i = 0; i < 8; i++) {
		assert_int_equal(pthread_join(t[i], NULL), 0);
		assert_int_equal(args[i].ok, 6);
		assert_int_equal(args[i].refused, 6);
	}
	attt_password_pool_stats(&workers, &peak);
	assert_int_equal(workers, attt_password_slots());
	assert_true(peak >= 1);
	assert_true(peak <= attt_password_slots());
}

/* R6.1.đ: the last N passwords are refused. */
static void test_password_in_history__found(void **state)
{
	struct attt_password_policy p;
	char h1[ATTT_PASSWORD_HASH_SIZE], h2[ATTT_PASSWORD_HASH_SIZE];
	const char *hist[3];
	bool found = true;
	(void)state;

	attt_password_policy_default(&p);
	assert_int_equal(attt_password_hash(&p, "Old#Pass1", 9, h1), ATTT_OK);
	assert_int_equal(attt_password_hash(&p, "Old#Pass2", 9, h2), ATTT_OK);
	hist[0] = h1;
	hist[1] = NULL;
	hist[2] = h2;
	assert_int_equal(attt_password_in_history(hist, 3, "New#Pass3", 9, &found), ATTT_OK);
	assert_false(found);
	assert_int_equal(attt_password_in_history(hist, 3, "Old#Pass2", 9, &found), ATTT_OK);
	assert_true(found);
}

/* R6.1.đ: expiry after 90 days, a warning 14 days before. */
static void test_password_age__expiry_and_warning(void **state)
{
	struct attt_password_policy p;
	int64_t set = 1000 * DAY, days = 0;
	bool warn = true;
	(void)state;

	attt_password_policy_default(&p);
	assert_int_equal(attt_password_age(&p, set, set, &days, &warn), ATTT_OK);
	assert_int_equal(days, 90);
	assert_false(warn);
	assert_int_equal(attt_password_age(&p, set, set + 76 * DAY - 1, &days, &warn), ATTT_OK);
	assert_false(warn);
	assert_int_equal(attt_password_age(&p, set, set + 76 * DAY, &days, &warn), ATTT_OK);
	assert_int_equal(days, 14);
	assert_true(warn);
	assert_int_equal(attt_password_age(&p, set, set + 90 * DAY - 1, &days, &warn), ATTT_OK);
	assert_int_equal(days, 0);
	assert_true(warn);
	assert_int_equal(attt_password_age(&p, set, set + 90 * DAY, &days, &warn), ATTT_E_EXPIRED);
	assert_false(warn);
	assert_int_equal(attt_password_age(&p, set, set + 91 * DAY + 1, &days, NULL), ATTT_E_EXPIRED);
	assert_int_equal(days, -2);
}

static void counter_fill(void *ctx, void *buf, size_t n)
{
	unsigned char *b = buf, *c = ctx;
	for (size_t i = 0; i < n; i++)
		b[i] = (*c)++;
}

/* R6.1.a: issued passwords meet the rule whatever the random source gives. */
static void test_password_generate__meets_rule(void **state)
{
	struct attt_password_policy p;
	unsigned char seed = 0;
	struct attt_rng rng = {counter_fill, &seed};
	char pw[17], small[8];
	(void)state;

	attt_password_policy_default(&p);
	for (int i = 0; i < 64; i++) {
		unsigned failed = 0;
		assert_int_equal(attt_password_generate(&rng, pw, sizeof(pw)), ATTT_OK);
		assert_int_equal(strlen(pw), 16);
		attt_password_check(&p, pw, strlen(pw), NULL, NULL, &failed);
		assert_int_equal(failed & ~(unsigned)ATTT_PASSWORD_DICTIONARY, 0);
	}
	assert_int_equal(attt_password_generate(NULL, small, sizeof(small)), ATTT_E_TOOBIG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_password_check__rule_table),
		cmocka_unit_test(test_password_check__invalid_utf8),
		cmocka_unit_test(test_password_policy__stricter_not_looser),
		cmocka_unit_test(test_password_rule_message__vi_en),
		cmocka_unit_test(test_password_hash__long_unicode_passphrase),
		cmocka_unit_test(test_password_hash__argon2id_and_rehash),
		cmocka_unit_test(test_password_verify__workers_one_per_core),
		cmocka_unit_test(test_password_in_history__found),
		cmocka_unit_test(test_password_age__expiry_and_warning),
		cmocka_unit_test(test_password_generate__meets_rule),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
