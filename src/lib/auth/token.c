/*
 * token.c: the data directory's secret key, session / API / reset tokens, CSRF tokens and
 * recovery-code hashes (R6.1.c, R6.2.b).
 *
 * Tokens are 256 random bits. What the database stores is HMAC-SHA-256(key, kind || token), so a
 * copy of the database neither yields a usable token nor lets one test guesses offline without the
 * key file. The CSRF token of a session is HMAC(key, "csrf" || session): nothing more to store, and
 * it is only known to whoever holds the session cookie and read the login answer.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "attt/auth.h"
#include "attt/err.h"
#include "attt/str.h"

struct attt_auth_key {
	unsigned char k[ATTT_AUTH_KEY_BYTES];
};

#define RAW_BYTES 32
#define B64_LEN 43 /* unpadded base64url of 32 bytes */

int attt_auth_key_from_bytes(const unsigned char bytes[ATTT_AUTH_KEY_BYTES], struct attt_auth_key **ret)
{
	struct attt_auth_key *k = malloc(sizeof(*k));
	if (!k)
		return ATTT_E_NOMEM;
	memcpy(k->k, bytes, ATTT_AUTH_KEY_BYTES);
	*ret = k;
	return ATTT_OK;
}

void attt_auth_key_free(struct attt_auth_key *k)
{
	if (!k)
		return;
	sodium_memzero(k, sizeof(*k));
	free(k);
}

int attt_auth_key_load(const char *path, struct attt_auth_key **ret)
{
	char text[130];
	unsigned char raw[ATTT_AUTH_KEY_BYTES];
	size_t len = 0, bin_len = 0;
	ssize_t got;
	int fd, r;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return errno == ENOENT ? ATTT_E_NOTFOUND : ATTT_E_IO;
	while (len < sizeof(text) && (got = read(fd, text + len, sizeof(text) - len)) != 0) {
		if (got < 0) {
			if (errno == EINTR)
				continue;
			close(fd);
			r = ATTT_E_IO;
			goto out;
		}
		len += (size_t)got;
	}
	close(fd);
	while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r'))
		len--;
	if (len != 2 * ATTT_AUTH_KEY_BYTES ||
	    sodium_hex2bin(raw, sizeof(raw), text, len, NULL, &bin_len, NULL) != 0 || bin_len != sizeof(raw)) {
		r = ATTT_E_CORRUPT;
		goto out;
	}
	r = attt_auth_key_from_bytes(raw, ret);
out:
	sodium_memzero(text, sizeof(text));
	sodium_memzero(raw, sizeof(raw));
	return r;
}

int attt_auth_key_create(const char *path, const struct attt_rng *rng)
{
	unsigned char raw[ATTT_AUTH_KEY_BYTES];
	char hex[2 * ATTT_AUTH_KEY_BYTES + 2];
	size_t off = 0, len;
	int fd, r = ATTT_OK;

	if (rng)
		attt_random(rng, raw, sizeof(raw));
	else
		randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(hex, sizeof(hex), raw, sizeof(raw));
	len = strlen(hex);
	hex[len++] = '\n';
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		r = errno == EEXIST ? ATTT_E_EXISTS : ATTT_E_IO;
		goto out;
	}
	while (off < len) {
		ssize_t w = write(fd, hex + off, len - off);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			r = ATTT_E_IO;
			break;
		}
		off += (size_t)w;
	}
	if (r == ATTT_OK && fsync(fd) != 0)
		r = ATTT_E_IO;
	close(fd);
	if (r < 0)
		unlink(path);
out:
	sodium_memzero(raw, sizeof(raw));
	sodium_memzero(hex, sizeof(hex));
	return r;
}

static void fill(const struct attt_rng *rng, void *buf, size_t n)
{
	if (rng)
		attt_random(rng, buf, n);
	else
		randombytes_buf(buf, n);
}

static const char *prefix_of(enum attt_token_kind kind)
{
	return kind == ATTT_TOKEN_API ? ATTT_API_TOKEN_PREFIX : "";
}

int attt_token_new(enum attt_token_kind kind, const struct attt_rng *rng, char ret[ATTT_TOKEN_SIZE])
{
	unsigned char raw[RAW_BYTES];
	char b64[B64_LEN + 1];
	int r;

	if (kind != ATTT_TOKEN_SESSION && kind != ATTT_TOKEN_API && kind != ATTT_TOKEN_RESET)
		return ATTT_E_INVAL;
	if (sodium_init() < 0)
		return ATTT_E_CRYPTO;
	/* R6.1.c: session IDs are 256-bit random. */
	fill(rng, raw, sizeof(raw));
	sodium_bin2base64(b64, sizeof(b64), raw, sizeof(raw), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	r = attt_str_printf(ret, ATTT_TOKEN_SIZE, "%s%s", prefix_of(kind), b64);
	sodium_memzero(raw, sizeof(raw));
	sodium_memzero(b64, sizeof(b64));
	return r;
}

int attt_token_check_shape(enum attt_token_kind kind, const char *tok, size_t n)
{
	const char *pre = prefix_of(kind);
	size_t pl = strlen(pre);

	if (!tok || n != pl + B64_LEN || memcmp(tok, pre, pl) != 0)
		return ATTT_E_AUTH;
	for (size_t i = pl; i < n; i++) {
		char c = tok[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
		      c == '_'))
			return ATTT_E_AUTH;
	}
	return ATTT_OK;
}

static int keyed_hash(const struct attt_auth_key *k, const char *domain, const char *p, size_t n,
		      unsigned char out[crypto_auth_hmacsha256_BYTES])
{
	crypto_auth_hmacsha256_state st;
	unsigned char sep = 0;

	if (sodium_init() < 0)
		return ATTT_E_CRYPTO;
	crypto_auth_hmacsha256_init(&st, k->k, sizeof(k->k));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)domain, strlen(domain));
	crypto_auth_hmacsha256_update(&st, &sep, 1);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)p, n);
	crypto_auth_hmacsha256_final(&st, out);
	sodium_memzero(&st, sizeof(st));
	return ATTT_OK;
}

static const char *domain_of(enum attt_token_kind kind)
{
	switch (kind) {
	case ATTT_TOKEN_SESSION:
		return "attt session";
	case ATTT_TOKEN_API:
		return "attt api token";
	case ATTT_TOKEN_RESET:
		return "attt reset";
	}
	return NULL;
}

int attt_token_hash(const struct attt_auth_key *k, enum attt_token_kind kind, const char *tok, size_t n,
		    char ret[ATTT_TOKEN_HASH_SIZE])
{
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	const char *dom = domain_of(kind);
	int r;

	if (!dom)
		return ATTT_E_INVAL;
	if (n > ATTT_TOKEN_SIZE)
		return ATTT_E_TOOBIG;
	/* R6.1.c: tokens are stored hashed. */
	r = keyed_hash(k, dom, tok, n, mac);
	if (r < 0)
		return r;
	sodium_bin2hex(ret, ATTT_TOKEN_HASH_SIZE, mac, sizeof(mac));
	return ATTT_OK;
}

int attt_csrf_token(const struct attt_auth_key *k, const char *session, size_t n, char ret[ATTT_CSRF_SIZE])
{
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	int r;

	if (n > ATTT_TOKEN_SIZE)
		return ATTT_E_TOOBIG;
	r = keyed_hash(k, "attt csrf", session, n, mac);
	if (r < 0)
		return r;
	sodium_bin2base64(ret, ATTT_CSRF_SIZE, mac, sizeof(mac), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	return ATTT_OK;
}

int attt_csrf_verify(const struct attt_auth_key *k, const char *session, size_t n, const char *csrf,
		     size_t csrf_n)
{
	char want[ATTT_CSRF_SIZE];
	int r;

	/* R6.1.c: CSRF tokens on every state-changing request. */
	if (!csrf || csrf_n != ATTT_CSRF_SIZE - 1)
		return ATTT_E_PERM;
	r = attt_csrf_token(k, session, n, want);
	if (r < 0)
		return r;
	r = attt_secret_eq(want, csrf, csrf_n) ? ATTT_OK : ATTT_E_PERM;
	sodium_memzero(want, sizeof(want));
	return r;
}

bool attt_session_expired(const struct attt_session_policy *p, int64_t created, int64_t last_used, int64_t now)
{
	/* R6.1.c: idle expiry (600 s) and an absolute lifetime. */
	if (p->idle_us > 0 && now - last_used >= p->idle_us)
		return true;
	if (p->absolute_us > 0 && now - created >= p->absolute_us)
		return true;
	return now < created;
}

/* Recovery codes: 10 characters of a 32-letter alphabet without look-alikes, "xxxxx-xxxxx". */
static const char recovery_alphabet[] = "abcdefghjkmnpqrstuvwxyz23456789"
					"0"; /* 32 symbols: 0 is kept, o and l and i are not */

int attt_recovery_code_new(const struct attt_rng *rng, char ret[ATTT_RECOVERY_CODE_SIZE])
{
	unsigned char raw[10];
	char out[ATTT_RECOVERY_CODE_SIZE];
	size_t k = 0;

	fill(rng, raw, sizeof(raw));
	for (size_t i = 0; i < sizeof(raw); i++) {
		if (i == 5)
			out[k++] = '-';
		out[k++] = recovery_alphabet[raw[i] & 31];
	}
	out[k] = '\0';
	memcpy(ret, out, sizeof(out));
	sodium_memzero(raw, sizeof(raw));
	sodium_memzero(out, sizeof(out));
	return ATTT_OK;
}

int attt_recovery_code_hash(const struct attt_auth_key *k, const char *code, size_t n,
			    char ret[ATTT_TOKEN_HASH_SIZE])
{
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	char norm[16];
	size_t len = 0;
	int r;

	if (n > 64)
		return ATTT_E_AUTH;
	for (size_t i = 0; i < n; i++) {
		char c = code[i];
		if (c == '-' || c == ' ')
			continue;
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (!memchr(recovery_alphabet, c, sizeof(recovery_alphabet) - 1) || len >= 10) {
			r = ATTT_E_AUTH;
			goto out;
		}
		norm[len++] = c;
	}
	if (len != 10) {
		r = ATTT_E_AUTH;
		goto out;
	}
	r = keyed_hash(k, "attt recovery", norm, len, mac);
	if (r < 0)
		goto out;
	sodium_bin2hex(ret, ATTT_TOKEN_HASH_SIZE, mac, sizeof(mac));
out:
	sodium_memzero(norm, sizeof(norm));
	return r;
}

/* The sealing key: HMAC(key, "attt seal"), so the HMAC key itself never encrypts anything. */
static int seal_key(const struct attt_auth_key *k, unsigned char out[crypto_secretbox_KEYBYTES])
{
	return keyed_hash(k, "attt seal", "", 0, out);
}

int attt_auth_key_seal(const struct attt_auth_key *k, const char *plain, char **ret)
{
	unsigned char key[crypto_secretbox_KEYBYTES], *box = NULL;
	size_t n = strlen(plain), blen;
	char *hex = NULL;
	int r;

	if (n > 4096)
		return ATTT_E_TOOBIG;
	blen = crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + n;
	box = malloc(blen);
	hex = malloc(2 * blen + 1);
	if (!box || !hex) {
		r = ATTT_E_NOMEM;
		goto out;
	}
	r = seal_key(k, key);
	if (r < 0)
		goto out;
	randombytes_buf(box, crypto_secretbox_NONCEBYTES);
	crypto_secretbox_easy(box + crypto_secretbox_NONCEBYTES, (const unsigned char *)plain, n, box, key);
	sodium_bin2hex(hex, 2 * blen + 1, box, blen);
	*ret = hex;
	hex = NULL;
out:
	sodium_memzero(key, sizeof(key));
	free(box);
	free(hex);
	return r;
}

int attt_auth_key_open(const struct attt_auth_key *k, const char *sealed, char **ret)
{
	unsigned char key[crypto_secretbox_KEYBYTES], *box = NULL;
	size_t hl = strlen(sealed), blen = 0;
	char *plain = NULL;
	int r;

	if (hl > 2 * 8192 || hl % 2 || hl / 2 < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES)
		return ATTT_E_CORRUPT;
	box = malloc(hl / 2);
	plain = malloc(hl / 2 + 1);
	if (!box || !plain) {
		r = ATTT_E_NOMEM;
		goto out;
	}
	if (sodium_hex2bin(box, hl / 2, sealed, hl, NULL, &blen, NULL) != 0 || blen != hl / 2) {
		r = ATTT_E_CORRUPT;
		goto out;
	}
	r = seal_key(k, key);
	if (r < 0)
		goto out;
	if (crypto_secretbox_open_easy((unsigned char *)plain, box + crypto_secretbox_NONCEBYTES,
				       blen - crypto_secretbox_NONCEBYTES, box, key) != 0) {
		r = ATTT_E_CORRUPT;
		goto out;
	}
	plain[blen - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES] = '\0';
	*ret = plain;
	plain = NULL;
out:
	sodium_memzero(key, sizeof(key));
	free(box);
	if (plain) {
		sodium_memzero(plain, hl / 2 + 1);
		free(plain);
	}
	return r;
}
