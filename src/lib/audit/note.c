/*
 * note.c: C2SP signed notes and tlog-checkpoints (R7.1), byte-compatible with Go's
 * golang.org/x/mod/sumdb/note and every other implementation of https://c2sp.org/signed-note.
 *
 * A note is UTF-8 text ending in "\n", a blank line, then signature lines
 * "— <key name> <base64(4-byte key id || 64-byte Ed25519 signature)>\n" (U+2014 em dash). The
 * signature covers the text including its final newline. key id = SHA-256(name || "\n" || 0x01 ||
 * public key)[:4]; a verifier key is "<name>+<hex key id>+<base64(0x01 || public key)>". Parsing
 * is strict, bounded (ATTT_AUDIT_MAX_NOTE bytes, ATTT_AUDIT_MAX_SIGS lines) and follows Go's Open:
 * the text ends at the last "\n\n", a malformed signature line rejects the note, and a signature
 * by the verifier's key that fails rejects it too.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "attt/audit.h"
#include "attt/buf.h"
#include "attt/err.h"
#include "attt/limits.h"
#include "attt/str.h"
#include "audit-int.h"

#define ALG_ED25519 0x01
#define SIG_LEN (4 + crypto_sign_BYTES)
static const char dash[] = "\xe2\x80\x94 "; /* "— " */

struct attt_audit_signer {
	char name[ATTT_AUDIT_MAX_NAME + 1];
	uint8_t sk[crypto_sign_SECRETKEYBYTES];
	uint8_t pk[crypto_sign_PUBLICKEYBYTES];
	uint8_t id[4];
};

struct attt_audit_verifier {
	char name[ATTT_AUDIT_MAX_NAME + 1];
	uint8_t pk[crypto_sign_PUBLICKEYBYTES];
	uint8_t id[4];
};

/* A key name: non-empty, at most ATTT_AUDIT_MAX_NAME bytes of printable ASCII or valid UTF-8 above
 * it, without space or '+' (the spec forbids Unicode spaces and '+'; we also refuse the Unicode
 * space characters explicitly). */
static bool name_ok(const char *p, size_t n)
{
	if (n == 0 || n > ATTT_AUDIT_MAX_NAME || !attt_utf8_valid(p, n))
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];
		if (c <= 0x20 || c == 0x7f || c == '+')
			return false;
		/* U+0085, U+00A0 (C2 85, C2 A0), U+1680 (E1 9A 80), U+2000..U+200A, U+2028, U+2029, U+202F,
		 * U+205F (E2 80 xx / E2 81 9F), U+3000 (E3 80 80). */
		if (c == 0xc2 && i + 1 < n && ((unsigned char)p[i + 1] == 0x85 || (unsigned char)p[i + 1] == 0xa0))
			return false;
		if (c == 0xe1 && i + 2 < n && (unsigned char)p[i + 1] == 0x9a && (unsigned char)p[i + 2] == 0x80)
			return false;
		if (c == 0xe2 && i + 2 < n) {
			unsigned char a = (unsigned char)p[i + 1], b = (unsigned char)p[i + 2];
			if (a == 0x80 && (b <= 0x8a || b == 0xa8 || b == 0xa9 || b == 0xaf))
				return false;
			if (a == 0x81 && b == 0x9f)
				return false;
		}
		if (c == 0xe3 && i + 2 < n && (unsigned char)p[i + 1] == 0x80 && (unsigned char)p[i + 2] == 0x80)
			return false;
	}
	return true;
}

int attt_audit_origin(const char *origin, const char *data_id, char *buf, size_t size)
{
	char tmp[ATTT_AUDIT_MAX_NAME + 1];
	int r;

	if (origin && *origin)
		r = attt_str_copy(tmp, sizeof(tmp), origin);
	else
		r = attt_str_printf(tmp, sizeof(tmp), "attt/%s", data_id ? data_id : "");
	if (r < 0 || !name_ok(tmp, strlen(tmp)))
		return ATTT_E_INVAL;
	return attt_str_copy(buf, size, tmp);
}

static void key_id(const char *name, const uint8_t pk[32], uint8_t id[4])
{
	crypto_hash_sha256_state st;
	uint8_t h[crypto_hash_sha256_BYTES];
	const uint8_t sep[2] = { '\n', ALG_ED25519 };

	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, (const uint8_t *)name, strlen(name));
	crypto_hash_sha256_update(&st, sep, sizeof(sep));
	crypto_hash_sha256_update(&st, pk, 32);
	crypto_hash_sha256_final(&st, h);
	memcpy(id, h, 4);
}

int attt_audit_signer_new(const char *name, const uint8_t seed[32], struct attt_audit_signer **ret)
{
	struct attt_audit_signer *s;

	if (!name || !name_ok(name, strlen(name)))
		return ATTT_E_INVAL;
	s = sodium_malloc(sizeof(*s));
	if (!s)
		return ATTT_E_NOMEM;
	memset(s, 0, sizeof(*s));
	memcpy(s->name, name, strlen(name) + 1);
	if (crypto_sign_seed_keypair(s->pk, s->sk, seed) != 0) {
		sodium_free(s);
		return ATTT_E_CRYPTO;
	}
	key_id(s->name, s->pk, s->id);
	*ret = s;
	return ATTT_OK;
}

void attt_audit_signer_free(struct attt_audit_signer *s)
{
	/* sodium_free wipes the whole allocation (the secret key with it). */
	if (s)
		sodium_free(s);
}

const char *attt_audit_signer_name(const struct attt_audit_signer *s)
{
	return s->name;
}

static int vkey_format(const char *name, const uint8_t id[4], const uint8_t pk[32], char *buf, size_t size)
{
	uint8_t k[33];
	char b64[sodium_base64_ENCODED_LEN(33, sodium_base64_VARIANT_ORIGINAL)];

	k[0] = ALG_ED25519;
	memcpy(k + 1, pk, 32);
	sodium_bin2base64(b64, sizeof(b64), k, sizeof(k), sodium_base64_VARIANT_ORIGINAL);
	return attt_str_printf(buf, size, "%s+%02x%02x%02x%02x+%s", name, id[0], id[1], id[2], id[3], b64);
}

int attt_audit_signer_vkey(const struct attt_audit_signer *s, char *buf, size_t size)
{
	return vkey_format(s->name, s->id, s->pk, buf, size);
}

int attt_audit_verifier_new(const char *name, const uint8_t pub[32], struct attt_audit_verifier **ret)
{
	struct attt_audit_verifier *v;

	if (!name || !name_ok(name, strlen(name)))
		return ATTT_E_INVAL;
	v = calloc(1, sizeof(*v));
	if (!v)
		return ATTT_E_NOMEM;
	memcpy(v->name, name, strlen(name) + 1);
	memcpy(v->pk, pub, 32);
	key_id(v->name, v->pk, v->id);
	*ret = v;
	return ATTT_OK;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int attt_audit_verifier_parse(const char *vkey, struct attt_audit_verifier **ret)
{
	const char *p1, *p2;
	uint8_t id[4], k[40];
	size_t klen = 0, n;
	const char *end = NULL;
	char name[ATTT_AUDIT_MAX_NAME + 1];
	struct attt_audit_verifier *v = NULL;
	int r;

	if (!vkey)
		return ATTT_E_PARSE;
	n = strlen(vkey);
	p1 = memchr(vkey, '+', n);
	if (!p1)
		return ATTT_E_PARSE;
	p2 = memchr(p1 + 1, '+', n - (size_t)(p1 + 1 - vkey));
	if (!p2 || p2 - p1 != 9 || !name_ok(vkey, (size_t)(p1 - vkey)))
		return ATTT_E_PARSE;
	for (int i = 0; i < 4; i++) {
		int hi = hexval(p1[1 + 2 * i]), lo = hexval(p1[2 + 2 * i]);
		if (hi < 0 || lo < 0)
			return ATTT_E_PARSE;
		id[i] = (uint8_t)(hi << 4 | lo);
	}
	if (!attt__b64_ok(p2 + 1, n - (size_t)(p2 + 1 - vkey)) ||
	    sodium_base642bin(k, sizeof(k), p2 + 1, n - (size_t)(p2 + 1 - vkey), NULL, &klen, &end,
			      sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    end != vkey + n || klen < 1)
		return ATTT_E_PARSE;
	if (k[0] != ALG_ED25519)
		return ATTT_E_UNSUPPORTED;
	if (klen != 33)
		return ATTT_E_PARSE;
	memcpy(name, vkey, (size_t)(p1 - vkey));
	name[p1 - vkey] = 0;
	r = attt_audit_verifier_new(name, k + 1, &v);
	if (r < 0)
		return r;
	if (memcmp(v->id, id, 4) != 0) {
		free(v);
		return ATTT_E_CORRUPT;
	}
	*ret = v;
	return ATTT_OK;
}

void attt_audit_verifier_free(struct attt_audit_verifier *v)
{
	free(v);
}

int attt_audit_verifier_vkey(const struct attt_audit_verifier *v, char *buf, size_t size)
{
	return vkey_format(v->name, v->id, v->pk, buf, size);
}

const char *attt_audit_verifier_name(const struct attt_audit_verifier *v)
{
	return v->name;
}

/* Note text: valid UTF-8, no control characters but "\n", ends in "\n". */
static bool text_ok(const char *p, size_t n)
{
	if (n == 0 || p[n - 1] != '\n' || !attt_utf8_valid(p, n))
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)p[i] < 0x20 && p[i] != '\n')
			return false;
	return true;
}

int attt_note_sign(const struct attt_audit_signer *s, const char *text, size_t n, struct attt_buf *out)
{
	uint8_t sig[SIG_LEN];
	char b64[sodium_base64_ENCODED_LEN(SIG_LEN, sodium_base64_VARIANT_ORIGINAL)];
	size_t before = out->len;
	int r;

	if (!text_ok(text, n) || memmem(text, n, "\n\n", 2) || n > ATTT_AUDIT_MAX_NOTE / 2)
		return ATTT_E_INVAL;
	memcpy(sig, s->id, 4);
	if (crypto_sign_detached(sig + 4, NULL, (const uint8_t *)text, n, s->sk) != 0)
		return ATTT_E_CRYPTO;
	sodium_bin2base64(b64, sizeof(b64), sig, sizeof(sig), sodium_base64_VARIANT_ORIGINAL);
	r = attt_buf_add(out, text, n);
	if (r >= 0)
		r = attt_buf_addf(out, "\n%s%s %s\n", dash, s->name, b64);
	if (r < 0)
		out->len = before;
	return r;
}

int attt_note_open(const char *msg, size_t n, const struct attt_audit_verifier *v, size_t *ret_text_len)
{
	const char *split = NULL, *p, *end;
	size_t text_len;
	unsigned lines = 0;
	bool verified = false;

	if (n > ATTT_AUDIT_MAX_NOTE || !attt_utf8_valid(msg, n))
		return ATTT_E_PARSE;
	/* The text ends at the last blank line. */
	for (size_t i = n; i >= 2; i--)
		if (msg[i - 1] == '\n' && msg[i - 2] == '\n') {
			split = msg + i - 2;
			break;
		}
	if (!split)
		return ATTT_E_PARSE;
	text_len = (size_t)(split - msg) + 1;
	if (!text_ok(msg, text_len))
		return ATTT_E_PARSE;
	p = split + 2;
	end = msg + n;
	if (p == end || end[-1] != '\n')
		return ATTT_E_PARSE;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *name, *sp, *b64;
		uint8_t sig[SIG_LEN + 8];
		size_t siglen = 0;
		const char *b64_end = NULL;

		if (++lines > ATTT_AUDIT_MAX_SIGS)
			return ATTT_E_PARSE;
		if ((size_t)(nl - p) < sizeof(dash) - 1 || memcmp(p, dash, sizeof(dash) - 1) != 0)
			return ATTT_E_PARSE;
		name = p + sizeof(dash) - 1;
		sp = memchr(name, ' ', (size_t)(nl - name));
		if (!sp || !name_ok(name, (size_t)(sp - name)))
			return ATTT_E_PARSE;
		b64 = sp + 1;
		if (!attt__b64_ok(b64, (size_t)(nl - b64)) ||
		    sodium_base642bin(sig, sizeof(sig), b64, (size_t)(nl - b64), NULL, &siglen, &b64_end,
				      sodium_base64_VARIANT_ORIGINAL) != 0 ||
		    b64_end != nl || siglen < 5)
			return ATTT_E_PARSE;
		if (!verified && (size_t)(sp - name) == strlen(v->name) && memcmp(name, v->name, strlen(v->name)) == 0 &&
		    memcmp(sig, v->id, 4) == 0) {
			/* The first line by the verifier's key decides, as in Go's Open. */
			if (siglen != SIG_LEN ||
			    crypto_sign_verify_detached(sig + 4, (const uint8_t *)msg, text_len, v->pk) != 0)
				return ATTT_E_CORRUPT;
			verified = true;
		}
		p = nl + 1;
	}
	if (!verified)
		return ATTT_E_NOTFOUND;
	*ret_text_len = text_len;
	return ATTT_OK;
}

int attt_checkpoint_body(const struct attt_checkpoint *c, struct attt_buf *out)
{
	char b64[ATTT_HASH_B64];

	if (!name_ok(c->origin, strlen(c->origin)))
		return ATTT_E_INVAL;
	attt_hash_b64(&c->root, b64, sizeof(b64));
	return attt_buf_addf(out, "%s\n%llu\n%s\n", c->origin, (unsigned long long)c->size, b64);
}

int attt_checkpoint_parse(const char *text, size_t n, struct attt_checkpoint *ret)
{
	struct attt_checkpoint c;
	const char *line[3], *p = text, *end = text + n;
	size_t len[3];
	uint64_t size = 0;

	if (n == 0 || text[n - 1] != '\n' || !attt_utf8_valid(text, n))
		return ATTT_E_PARSE;
	for (int i = 0; i < 3; i++) {
		const char *nl;
		if (p >= end || !(nl = memchr(p, '\n', (size_t)(end - p))))
			return ATTT_E_PARSE;
		line[i] = p;
		len[i] = (size_t)(nl - p);
		p = nl + 1;
	}
	/* Extension lines: non-empty, no control characters. */
	for (const char *q = p; q < end; q++)
		if (((unsigned char)*q < 0x20 && *q != '\n') || (*q == '\n' && (q == p || q[-1] == '\n')))
			return ATTT_E_PARSE;
	/* Origin: the first line, a non-empty name. Size: decimal, no sign, no leading zero. */
	memset(&c, 0, sizeof(c));
	if (!name_ok(line[0], len[0]))
		return ATTT_E_PARSE;
	memcpy(c.origin, line[0], len[0]);
	if (len[1] == 0 || len[1] > 20 || (len[1] > 1 && line[1][0] == '0'))
		return ATTT_E_PARSE;
	for (size_t i = 0; i < len[1]; i++) {
		unsigned d = (unsigned)(line[1][i] - '0');
		if (d > 9 || size > (UINT64_MAX - d) / 10)
			return ATTT_E_PARSE;
		size = size * 10 + d;
	}
	c.size = size;
	if (attt_hash_from_b64(line[2], len[2], &c.root) < 0)
		return ATTT_E_PARSE;
	*ret = c;
	return ATTT_OK;
}

int attt_checkpoint_sign(const struct attt_audit_signer *s, const struct attt_checkpoint *c, struct attt_buf *out)
{
	struct attt_buf body;
	int r;

	attt_buf_init(&body, ATTT_AUDIT_MAX_NOTE);
	r = attt_checkpoint_body(c, &body);
	if (r >= 0)
		r = attt_note_sign(s, body.data, body.len, out);
	attt_buf_done(&body);
	return r;
}

int attt_checkpoint_open(const char *note, size_t n, const struct attt_audit_verifier *v, const char *origin,
			 struct attt_checkpoint *ret)
{
	struct attt_checkpoint c;
	size_t text_len;
	int r;

	r = attt_note_open(note, n, v, &text_len);
	if (r < 0)
		return r;
	r = attt_checkpoint_parse(note, text_len, &c);
	if (r < 0)
		return r;
	if (origin && strcmp(origin, c.origin) != 0)
		return ATTT_E_CORRUPT;
	*ret = c;
	return ATTT_OK;
}
