/*
 * test_note.c: signed notes and checkpoints (R7.1) against the C2SP signed-note and tlog-checkpoint
 * specifications: the reference vector of Go's golang.org/x/mod/sumdb/note (PeterNeumann key, text
 * and signature, as published in its documentation and tests) is reproduced byte for byte and
 * verified; malformed notes and checkpoints are refused; tampering is caught.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "attt/audit.h"
#include "attt/buf.h"
#include "attt/err.h"
#include "attt/limits.h"

#define GO_VKEY "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
#define GO_SKEY_B64 "AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz" /* 0x01 || seed */
#define GO_TEXT "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
#define GO_SIG "— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
#define GO_NOTE GO_TEXT "\n" GO_SIG

static struct attt_audit_signer *go_signer(void)
{
	uint8_t k[33];
	size_t n = 0;
	struct attt_audit_signer *s = NULL;
	assert_int_equal(sodium_base642bin(k, sizeof(k), GO_SKEY_B64, strlen(GO_SKEY_B64), NULL, &n, NULL,
					   sodium_base64_VARIANT_ORIGINAL),
			 0);
	assert_int_equal(n, 33);
	assert_int_equal(k[0], 1);
	assert_int_equal(attt_audit_signer_new("PeterNeumann", k + 1, &s), ATTT_OK);
	return s;
}

/* R7.1: our signer reproduces the reference note exactly, and its verifier key is the reference's. */
static void test_note_sign__go_reference(void **state)
{
	struct attt_audit_signer *s = go_signer();
	struct attt_buf b;
	char vkey[ATTT_AUDIT_VKEY_MAX];

	(void)state;
	assert_int_equal(attt_audit_signer_vkey(s, vkey, sizeof(vkey)), ATTT_OK);
	assert_string_equal(vkey, GO_VKEY);
	attt_buf_init(&b, ATTT_AUDIT_MAX_NOTE);
	assert_int_equal(attt_note_sign(s, GO_TEXT, strlen(GO_TEXT), &b), ATTT_OK);
	assert_string_equal(attt_buf_str(&b), GO_NOTE);
	/* Text that the format cannot carry is refused. */
	assert_int_equal(attt_note_sign(s, "no newline", 10, &b), ATTT_E_INVAL);
	assert_int_equal(attt_note_sign(s, "a\n\nb\n", 5, &b), ATTT_E_INVAL);
	assert_int_equal(attt_note_sign(s, "a\rb\n", 4, &b), ATTT_E_INVAL);
	attt_buf_done(&b);
	attt_audit_signer_free(s);
}

/* R7.1: the reference note opens under the reference key; any change is caught. */
static void test_note_open__go_reference(void **state)
{
	struct attt_audit_verifier *v = NULL, *other = NULL;
	char note[1024];
	size_t len = 0;
	uint8_t pk[32];

	(void)state;
	assert_int_equal(attt_audit_verifier_parse(GO_VKEY, &v), ATTT_OK);
	assert_string_equal(attt_audit_verifier_name(v), "PeterNeumann");
	assert_int_equal(attt_note_open(GO_NOTE, strlen(GO_NOTE), v, &len), ATTT_OK);
	assert_int_equal(len, strlen(GO_TEXT));
	/* Every single-bit change of the text or the signature is refused. */
	for (size_t i = 0; i < strlen(GO_NOTE); i++) {
		for (int bit = 0; bit < 8; bit++) {
			snprintf(note, sizeof(note), "%s", GO_NOTE);
			note[i] = (char)(note[i] ^ (1 << bit));
			assert_int_not_equal(attt_note_open(note, strlen(GO_NOTE), v, &len), ATTT_OK);
		}
	}
	/* Another key with the same name: the note has no signature by it. */
	memset(pk, 7, sizeof(pk));
	assert_int_equal(attt_audit_verifier_new("PeterNeumann", pk, &other), ATTT_OK);
	assert_int_equal(attt_note_open(GO_NOTE, strlen(GO_NOTE), other, &len), ATTT_E_NOTFOUND);
	/* Malformed notes. */
	static const char *const bad[] = {
		GO_TEXT,                                  /* no signatures */
		GO_TEXT "\n",                             /* empty signature block */
		GO_TEXT "\n— PeterNeumann x08go\n",       /* short signature */
		GO_TEXT "\n-- PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n",
		GO_TEXT "\n— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=", /* no final newline */
		GO_TEXT "\n— Peter+Neumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n",
		("\n" GO_SIG),                            /* empty text */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(attt_note_open(bad[i], strlen(bad[i]), v, &len), ATTT_E_PARSE);
	/* A second signature by an unknown key is ignored. */
	snprintf(note, sizeof(note), "%s— other.example AAAAAAAAAAAA\n", GO_NOTE);
	assert_int_equal(attt_note_open(note, strlen(note), v, &len), ATTT_OK);
	attt_audit_verifier_free(v);
	attt_audit_verifier_free(other);
}

/* The verifier key string is strict: mangled keys are refused (as Go's NewVerifier does). */
static void test_note_verifier__parse(void **state)
{
	struct attt_audit_verifier *v = NULL;
	char k[128];

	(void)state;
	for (size_t i = 0; i < strlen(GO_VKEY); i++) {
		snprintf(k, sizeof(k), "%.*s%s", (int)i, GO_VKEY, &GO_VKEY[i + 1]); /* delete one byte */
		assert_int_not_equal(attt_audit_verifier_parse(k, &v), ATTT_OK);
	}
	assert_int_equal(attt_audit_verifier_parse("PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", &v),
			 ATTT_E_CORRUPT);
	assert_int_equal(attt_audit_verifier_parse("PeterNeumann+c74f20a3+AhpjZA==", &v), ATTT_E_UNSUPPORTED);
	assert_int_equal(attt_audit_verifier_parse("", &v), ATTT_E_PARSE);
}

static struct attt_audit_signer *test_signer(void)
{
	uint8_t seed[32];
	struct attt_audit_signer *s = NULL;
	for (int i = 0; i < 32; i++)
		seed[i] = (uint8_t)i;
	assert_int_equal(attt_audit_signer_new("attt.example/audit", seed, &s), ATTT_OK);
	return s;
}

/* R7.1: a checkpoint is "<origin>\n<size>\n<base64 root>\n" signed as a note, and opens again. */
static void test_checkpoint__roundtrip(void **state)
{
	struct attt_audit_signer *s = test_signer();
	struct attt_audit_verifier *v = NULL;
	struct attt_checkpoint c = { .origin = "attt.example/audit", .size = 1234 }, got;
	struct attt_buf b;
	char vkey[ATTT_AUDIT_VKEY_MAX], want[256], b64[ATTT_HASH_B64];

	(void)state;
	memset(c.root.b, 0x5a, 32);
	attt_buf_init(&b, ATTT_AUDIT_MAX_NOTE);
	assert_int_equal(attt_checkpoint_sign(s, &c, &b), ATTT_OK);
	attt_hash_b64(&c.root, b64, sizeof(b64));
	snprintf(want, sizeof(want), "attt.example/audit\n1234\n%s\n\n— attt.example/audit ", b64);
	assert_true(strncmp(attt_buf_str(&b), want, strlen(want)) == 0);
	assert_int_equal(attt_audit_signer_vkey(s, vkey, sizeof(vkey)), ATTT_OK);
	assert_int_equal(attt_audit_verifier_parse(vkey, &v), ATTT_OK);
	assert_int_equal(attt_checkpoint_open(b.data, b.len, v, "attt.example/audit", &got), ATTT_OK);
	assert_int_equal(got.size, 1234);
	assert_string_equal(got.origin, "attt.example/audit");
	assert_memory_equal(got.root.b, c.root.b, 32);
	assert_int_equal(attt_checkpoint_open(b.data, b.len, v, "other", &got), ATTT_E_CORRUPT);
	/* Changing the size in the text breaks the signature. */
	char *p = strstr(b.data, "1234");
	p[3] = '5';
	assert_int_equal(attt_checkpoint_open(b.data, b.len, v, NULL, &got), ATTT_E_CORRUPT);
	attt_buf_done(&b);
	attt_audit_verifier_free(v);
	attt_audit_signer_free(s);
}

static void test_checkpoint_parse__strict(void **state)
{
	struct attt_checkpoint c;
	const char *root = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";
	char t[512];

	(void)state;
	snprintf(t, sizeof(t), "o\n0\n%s\n", root);
	assert_int_equal(attt_checkpoint_parse(t, strlen(t), &c), ATTT_OK);
	assert_int_equal(c.size, 0);
	snprintf(t, sizeof(t), "o\n18446744073709551615\n%s\next one\next two\n", root);
	assert_int_equal(attt_checkpoint_parse(t, strlen(t), &c), ATTT_OK);
	assert_true(c.size == UINT64_MAX);
	static const char *const fmts[] = {
		"o\n01\n%s\n", "o\n-1\n%s\n", "o\n18446744073709551616\n%s\n", "\n1\n%s\n", "o\n1\n%s", "o\n1\n%s\n\n",
		"o\n1 \n%s\n", "o\n\n%s\n",   "o\n1\n%sA\n",                    "o o\n1\n%s\n", "o\n1\n%s\nx\ry\n",
	};
	for (size_t i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++) {
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
		snprintf(t, sizeof(t), fmts[i], root);
#pragma GCC diagnostic pop
		if (attt_checkpoint_parse(t, strlen(t), &c) != ATTT_E_PARSE)
			fail_msg("accepted checkpoint %zu: %s", i, t);
	}
	snprintf(t, sizeof(t), "o\n1\nAAAA\n");
	assert_int_equal(attt_checkpoint_parse(t, strlen(t), &c), ATTT_E_PARSE);
}

/* The origin is the configured one, else attt/<data id>; never an invalid key name. */
static void test_audit_origin__default(void **state)
{
	char buf[ATTT_AUDIT_MAX_NAME + 1];

	(void)state;
	assert_int_equal(attt_audit_origin(NULL, "0123abcd", buf, sizeof(buf)), ATTT_OK);
	assert_string_equal(buf, "attt/0123abcd");
	assert_int_equal(attt_audit_origin("", "0123abcd", buf, sizeof(buf)), ATTT_OK);
	assert_string_equal(buf, "attt/0123abcd");
	assert_int_equal(attt_audit_origin("thainguyen.gov.vn/attt", "x", buf, sizeof(buf)), ATTT_OK);
	assert_string_equal(buf, "thainguyen.gov.vn/attt");
	assert_int_equal(attt_audit_origin("a b", "x", buf, sizeof(buf)), ATTT_E_INVAL);
	assert_int_equal(attt_audit_origin("a+b", "x", buf, sizeof(buf)), ATTT_E_INVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_note_sign__go_reference),
		cmocka_unit_test(test_note_open__go_reference),
		cmocka_unit_test(test_note_verifier__parse),
		cmocka_unit_test(test_checkpoint__roundtrip),
		cmocka_unit_test(test_checkpoint_parse__strict),
		cmocka_unit_test(test_audit_origin__default),
	};
	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
