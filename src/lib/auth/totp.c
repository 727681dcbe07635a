/*
 * totp.c: TOTP (RFC 6238, HMAC-SHA-1, 6 digits, 30 s) through liboath, for the multi-factor login
 * required of the authority, admin and security-officer roles.
 *
 * Verification walks the steps now-1, now, now+1 itself (rather than liboath's window search) so it
 * can refuse a code of a step already used: a code seen over a shoulder or in a log is worth
 * nothing once it has been accepted. Comparisons are constant-time.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <liboath/oath.h>
#include <sodium.h>

#include "attt/auth.h"
#include "attt/buf.h"
#include "attt/err.h"
#include "attt/str.h"

static pthread_once_t oath_once = PTHREAD_ONCE_INIT;
static int oath_ready;

static void oath_setup(void)
{
	oath_ready = oath_init() == OATH_OK;
}

static int ready(void)
{
	pthread_once(&oath_once, oath_setup);
	return oath_ready ? ATTT_OK : ATTT_E_CRYPTO;
}

int attt_totp_secret_new(const struct attt_rng *rng, char ret[ATTT_TOTP_SECRET_B32_SIZE])
{
	unsigned char raw[ATTT_TOTP_SECRET_BYTES];
	char *b32 = NULL;
	size_t len = 0;
	int r;

	r = ready();
	if (r < 0)
		return r;
	if (rng)
		attt_random(rng, raw, sizeof(raw));
	else
		randombytes_buf(raw, sizeof(raw));
	if (oath_base32_encode((const char *)raw, sizeof(raw), &b32, &len) != OATH_OK) {
		r = ATTT_E_NOMEM;
		goto out;
	}
	r = attt_str_copy(ret, ATTT_TOTP_SECRET_B32_SIZE, b32);
out:
	if (b32) {
		sodium_memzero(b32, len);
		free(b32);
	}
	sodium_memzero(raw, sizeof(raw));
	return r;
}

static int decode(const char *secret_b32, char **ret, size_t *ret_len)
{
	size_t n;
	int r = ready();

	if (r < 0)
		return r;
	if (!secret_b32 || (n = strlen(secret_b32)) == 0 || n > 128)
		return ATTT_E_INVAL;
	if (oath_base32_decode(secret_b32, n, ret, ret_len) != OATH_OK)
		return ATTT_E_INVAL;
	return ATTT_OK;
}

static int code_at(const char *secret, size_t len, int64_t step, char out[ATTT_TOTP_DIGITS + 1])
{
	/* liboath takes a time: the start of the step. */
	time_t t = (time_t)(step * ATTT_TOTP_STEP);
	if (oath_totp_generate(secret, len, t, ATTT_TOTP_STEP, 0, ATTT_TOTP_DIGITS, out) != OATH_OK)
		return ATTT_E_CRYPTO;
	return ATTT_OK;
}

int attt_totp_code(const char *secret_b32, int64_t now_us, char ret[ATTT_TOTP_DIGITS + 1])
{
	char *secret = NULL;
	size_t len = 0;
	int r;

	r = decode(secret_b32, &secret, &len);
	if (r < 0)
		return r;
	r = code_at(secret, len, now_us / ATTT_USEC_PER_SEC / ATTT_TOTP_STEP, ret);
	sodium_memzero(secret, len);
	free(secret);
	return r;
}

int attt_totp_verify(const char *secret_b32, const char *code, size_t n, int64_t now_us, int64_t last_step,
		     int64_t *ret_step)
{
	char *secret = NULL, want[ATTT_TOTP_DIGITS + 1];
	size_t len = 0;
	int64_t now_step = now_us / ATTT_USEC_PER_SEC / ATTT_TOTP_STEP, found = -1;
	int r;

	if (!code || n != ATTT_TOTP_DIGITS)
		return ATTT_E_AUTH;
	for (size_t i = 0; i < n; i++)
		if (code[i] < '0' || code[i] > '9')
			return ATTT_E_AUTH;
	r = decode(secret_b32, &secret, &len);
	if (r < 0)
		return ATTT_E_AUTH;
	/* Every step of the window is computed, so the time does not say which one matched. */
	for (int64_t step = now_step - 1; step <= now_step + 1; step++) {
		r = code_at(secret, len, step, want);
		if (r < 0)
			goto out;
		if (attt_secret_eq(want, code, ATTT_TOTP_DIGITS) && step > last_step && found < 0)
			found = step;
	}
	r = found >= 0 ? ATTT_OK : ATTT_E_AUTH;
	if (r == ATTT_OK)
		*ret_step = found;
out:
	sodium_memzero(want, sizeof(want));
	sodium_memzero(secret, len);
	free(secret);
	return r;
}

int attt_totp_uri(const char *secret_b32, const char *username, char **ret)
{
	struct attt_buf b;
	int r;

	attt_buf_init(&b, 1024);
	r = attt_buf_adds(&b, "otpauth://totp/attt:");
	/* Usernames are ASCII letters, digits, '.', '-', '_': nothing to escape. */
	for (const char *p = username; r == ATTT_OK && *p; p++) {
		char c = *p;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
		    c == '-' || c == '_')
			r = attt_buf_addc(&b, c);
		else
			r = attt_buf_addf(&b, "%%%02X", (unsigned char)c);
	}
	if (r == ATTT_OK)
		r = attt_buf_addf(&b, "?secret=%s&issuer=attt&algorithm=SHA1&digits=%d&period=%d", secret_b32,
				  ATTT_TOTP_DIGITS, ATTT_TOTP_STEP);
	if (r < 0) {
		attt_buf_done_secure(&b);
		return r;
	}
	*ret = attt_buf_steal(&b, NULL);
	return *ret ? ATTT_OK : ATTT_E_NOMEM;
}
