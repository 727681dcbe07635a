/*
 * crypto.c: the backup module's cryptography. Objects are sealed with XChaCha20-Poly1305 or
 * AES-256-GCM (chosen at init, recorded in the key material) under a random nonce stored in front
 * of the ciphertext; ids are HMAC-SHA-256 under the repository's id key so that they reveal nothing
 * about content (R10.1.a). Keys, signatures, the KDF and XChaCha20-Poly1305 are libsodium's. Every
 * byte saved or restored is hashed and sealed or opened once, so those two come from OpenSSL where
 * it is faster on this CPU class: its SHA-256 uses the SHA extensions (about twice libsodium's
 * BLAKE2b) and its AES-256-GCM uses VAES/AVX-512 (6.7 GB/s against libsodium's 2.7 here). The
 * bytes are the same as libsodium's (test_backup_format opens each with the other), and libsodium's
 * code is the fallback when OpenSSL cannot run (out of memory).
 */
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <sodium.h>

#include "attt/err.h"
#include "backup-int.h"

static EVP_MAC *hmac;
static EVP_CIPHER *gcm;
static pthread_once_t ossl_once = PTHREAD_ONCE_INIT;

static void ossl_fetch(void)
{
	/* Fetched once and held for the life of the process, like OpenSSL's default provider. */
	hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	gcm = EVP_CIPHER_fetch(NULL, "AES-256-GCM", NULL);
}

/* AES-256-GCM (12-byte nonce, 16-byte tag) with OpenSSL: 1 done (decryption: the tag matched),
 * 0 the tag did not match, -2 OpenSSL could not start (nothing written), -1 it failed on the way
 * (out may be partly written). */
static int gcm_run(bool enc, const uint8_t key[32], const uint8_t nonce[12], const uint8_t *ad, size_t ad_len,
		   const uint8_t *in, size_t len, uint8_t *out, uint8_t tag[16])
{
	EVP_CIPHER_CTX *c;
	int l, rc = -1;

	pthread_once(&ossl_once, ossl_fetch);
	if (!gcm || ad_len > INT_MAX || !(c = EVP_CIPHER_CTX_new()))
		return -2;
	if (EVP_CipherInit_ex2(c, gcm, key, nonce, enc, NULL) != 1 ||
	    (ad_len && EVP_CipherUpdate(c, NULL, &l, ad, (int)ad_len) != 1))
		goto out;
	for (size_t off = 0; off < len;) {
		size_t m = len - off > (1u << 30) ? 1u << 30 : len - off;
		if (EVP_CipherUpdate(c, out + off, &l, in + off, (int)m) != 1 || l != (int)m)
			goto out;
		off += m;
	}
	if (!enc && EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_TAG, 16, tag) != 1)
		goto out;
	if (EVP_CipherFinal_ex(c, out + len, &l) != 1) {
		rc = enc ? -1 : 0;
		goto out;
	}
	if (enc && EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_GET_TAG, 16, tag) != 1)
		goto out;
	rc = 1;
out:
	EVP_CIPHER_CTX_free(c);
	return rc;
}

static size_t nonce_len(const struct bk_keys *k)
{
	return k->cipher == ATTT_BACKUP_CIPHER_AESGCM ? crypto_aead_aes256gcm_NPUBBYTES
						      : crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
}

size_t attt__bk_nonce_len(const struct bk_keys *k)
{
	return nonce_len(k);
}

size_t attt__bk_overhead(const struct bk_keys *k)
{
	return nonce_len(k) + 16;
}

int attt__bk_seal(const struct bk_keys *k, const uint8_t *ad, size_t ad_len, const uint8_t *pt, size_t pt_len,
		  uint8_t *out)
{
	size_t nl = nonce_len(k);
	unsigned long long clen;
	int r;

	randombytes_buf(out, nl);
	if (k->cipher == ATTT_BACKUP_CIPHER_AESGCM) {
		int g = gcm_run(true, k->enc, out, ad, ad_len, pt, pt_len, out + nl, out + nl + pt_len);
		if (g == 1)
			return ATTT_OK;
		/* Sealing in place, OpenSSL may have encrypted part of pt before failing: libsodium would
		 * then encrypt ciphertext. Only an untouched input may fall back. */
		if (pt == out + nl && g != -2)
			return ATTT_E_CRYPTO;
	}
	if (k->cipher == ATTT_BACKUP_CIPHER_AESGCM)
		r = crypto_aead_aes256gcm_encrypt(out + nl, &clen, pt, pt_len, ad, ad_len, NULL, out, k->enc);
	else
		r = crypto_aead_xchacha20poly1305_ietf_encrypt(out + nl, &clen, pt, pt_len, ad, ad_len, NULL, out,
							       k->enc);
	return r == 0 ? ATTT_OK : ATTT_E_CRYPTO;
}

int attt__bk_unseal(const struct bk_keys *k, const uint8_t *ad, size_t ad_len, const uint8_t *in, size_t in_len,
		    uint8_t *out)
{
	size_t nl = nonce_len(k);
	unsigned long long plen;
	int r;

	if (in_len < nl + 16)
		return ATTT_E_CORRUPT;
	if (k->cipher == ATTT_BACKUP_CIPHER_AESGCM) {
		size_t len = in_len - nl - 16;
		uint8_t tag[16];
		memcpy(tag, in + nl + len, sizeof(tag));
		r = gcm_run(false, k->enc, in, ad, ad_len, in + nl, len, out, tag);
		if (r == 0)
			sodium_memzero(out, len); /* nothing unauthenticated leaves here */
		if (r >= 0)
			return r == 1 ? ATTT_OK : ATTT_E_CORRUPT;
	}
	if (k->cipher == ATTT_BACKUP_CIPHER_AESGCM)
		r = crypto_aead_aes256gcm_decrypt(out, &plen, NULL, in + nl, in_len - nl, ad, ad_len, in, k->enc);
	else
		r = crypto_aead_xchacha20poly1305_ietf_decrypt(out, &plen, NULL, in + nl, in_len - nl, ad, ad_len,
							       in, k->enc);
	return r == 0 ? ATTT_OK : ATTT_E_CORRUPT;
}

void attt__bk_id2(const struct bk_keys *k, const void *p, size_t n, const void *q, size_t m, uint8_t out[BK_ID])
{
	OSSL_PARAM params[] = { OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)"SHA256", 0),
				OSSL_PARAM_construct_end() };
	crypto_auth_hmacsha256_state st;
	EVP_MAC_CTX *c = NULL;
	size_t outl = 0;
	int ok;

	pthread_once(&ossl_once, ossl_fetch);
	if (hmac && (c = EVP_MAC_CTX_new(hmac))) {
		ok = EVP_MAC_init(c, k->idkey, sizeof(k->idkey), params) == 1 && (!n || EVP_MAC_update(c, p, n) == 1) &&
		     (!m || EVP_MAC_update(c, q, m) == 1) && EVP_MAC_final(c, out, &outl, BK_ID) == 1 && outl == BK_ID;
		EVP_MAC_CTX_free(c);
		if (ok)
			return;
	}
	/* Without OpenSSL's HMAC (out of memory): the same function, libsodium's portable code. */
	crypto_auth_hmacsha256_init(&st, k->idkey, sizeof(k->idkey));
	crypto_auth_hmacsha256_update(&st, p, n);
	crypto_auth_hmacsha256_update(&st, q, m);
	crypto_auth_hmacsha256_final(&st, out);
	sodium_memzero(&st, sizeof(st));
}

void attt__bk_id(const struct bk_keys *k, const void *p, size_t n, uint8_t out[BK_ID])
{
	attt__bk_id2(k, p, n, NULL, 0, out);
}

void attt__bk_hex(const uint8_t *p, size_t n, char *out)
{
	sodium_bin2hex(out, n * 2 + 1, p, n);
}

int attt__bk_unhex(const char *s, uint8_t *out, size_t n)
{
	size_t got;
	if (strlen(s) != n * 2 || sodium_hex2bin(out, n, s, n * 2, NULL, &got, NULL) != 0 || got != n)
		return ATTT_E_INVAL;
	return ATTT_OK;
}

void attt__bk_mat_encode(const struct bk_keys *k, uint8_t out[BK_MAT_LEN])
{
	uint8_t *p = out;
	attt__bk_put_u32(p, k->version), p += 4;
	attt__bk_put_u32(p, k->cipher), p += 4;
	attt__bk_put_u32(p, k->cmin), p += 4;
	attt__bk_put_u32(p, k->cavg), p += 4;
	attt__bk_put_u32(p, k->cmax), p += 4;
	memcpy(p, k->repo_id, 32), p += 32;
	memcpy(p, k->enc, 32), p += 32;
	memcpy(p, k->idkey, 32), p += 32;
	memcpy(p, k->gear, 32), p += 32;
	memcpy(p, k->sign_sk, 64);
}

int attt__bk_mat_decode(const uint8_t *p, size_t n, struct bk_keys *k)
{
	if (n != BK_MAT_LEN)
		return ATTT_E_CORRUPT;
	k->version = attt__bk_get_u32(p);
	k->cipher = attt__bk_get_u32(p + 4);
	k->cmin = attt__bk_get_u32(p + 8);
	k->cavg = attt__bk_get_u32(p + 12);
	k->cmax = attt__bk_get_u32(p + 16);
	p += 20;
	memcpy(k->repo_id, p, 32), p += 32;
	memcpy(k->enc, p, 32), p += 32;
	memcpy(k->idkey, p, 32), p += 32;
	memcpy(k->gear, p, 32), p += 32;
	memcpy(k->sign_sk, p, 64);
	crypto_sign_ed25519_sk_to_pk(k->sign_pk, k->sign_sk);
	if (k->version != BK_FORMAT)
		return ATTT_E_UNSUPPORTED; /* format 1 named chunks with BLAKE2b: not readable by this version */
	if ((k->cipher != ATTT_BACKUP_CIPHER_XCHACHA && k->cipher != ATTT_BACKUP_CIPHER_AESGCM) ||
	    k->cmin < 4096 || k->cavg < k->cmin || k->cmax < k->cavg || k->cmax > (16u << 20))
		return ATTT_E_CORRUPT;
	if (k->cipher == ATTT_BACKUP_CIPHER_AESGCM && !crypto_aead_aes256gcm_is_available())
		return ATTT_E_UNSUPPORTED;
	return ATTT_OK;
}
