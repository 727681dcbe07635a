/*
 * crypto.c: the backup module's cryptography, all from libsodium. Objects are sealed with
 * XChaCha20-Poly1305 or AES-256-GCM (chosen at init, recorded in the key material) under a random
 * nonce stored in front of the ciphertext; ids are keyed BLAKE2b-256 so that they reveal nothing
 * about content (R10.1.a).
 */
#include <string.h>

#include <sodium.h>

#include "attt/err.h"
#include "backup-int.h"

static size_t nonce_len(const struct bk_keys *k)
{
	return k->cipher == ATTT_BACKUP_CIPHER_AESGCM ? crypto_aead_aes256gcm_NPUBBYTES
						      : crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
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
	if (k->cipher == ATTT_BACKUP_CIPHER_AESGCM)
		r = crypto_aead_aes256gcm_decrypt(out, &plen, NULL, in + nl, in_len - nl, ad, ad_len, in, k->enc);
	else
		r = crypto_aead_xchacha20poly1305_ietf_decrypt(out, &plen, NULL, in + nl, in_len - nl, ad, ad_len,
							       in, k->enc);
	return r == 0 ? ATTT_OK : ATTT_E_CORRUPT;
}

void attt__bk_id(const struct bk_keys *k, const void *p, size_t n, uint8_t out[BK_ID])
{
	crypto_generichash(out, BK_ID, p, n, k->idkey, sizeof(k->idkey));
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
	if (k->version != 1 || (k->cipher != ATTT_BACKUP_CIPHER_XCHACHA && k->cipher != ATTT_BACKUP_CIPHER_AESGCM) ||
	    k->cmin < 4096 || k->cavg < k->cmin || k->cmax < k->cavg || k->cmax > (16u << 20))
		return ATTT_E_CORRUPT;
	if (k->cipher == ATTT_BACKUP_CIPHER_AESGCM && !crypto_aead_aes256gcm_is_available())
		return ATTT_E_UNSUPPORTED;
	return ATTT_OK;
}
