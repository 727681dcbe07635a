/*
 * password.c: the password rule (R6.1.đ) and Argon2id storage.
 *
 * The rule runs on the NFC form, counting code points, so that a Vietnamese passphrase typed with
 * combining marks and one typed precomposed are the same password and neither is truncated. Letter
 * case comes from the Unicode category (ệ is lower case, Ệ upper case); a "special" character is any
 * punctuation or symbol. libpwquality's dictionary check is run on its own: every other check of
 * libpwquality is switched off, because the platform's rule is the profile's and only the dictionary
 * comes on top of it.
 *
 * Argon2id costs memory and a core: hashes and verifications run on one worker thread per core and
 * nowhere else, so at most one per core runs at a time and a flood of logins queues instead of
 * swapping. The callers (HTTP threads, more of them than cores so that a commit's fsync overlaps
 * another login's Argon2id) hand the work over and wait. Measured (docs/performance.md, Login):
 * letting eight threads take turns behind a counting semaphore instead cost 12 % of the
 * verifications per second and 0.8 ms more CPU each, the threads and their 19 MiB mappings moving
 * between cores; the fixed workers reach the raw two-thread rate.
 */
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pwquality.h>
#include <sodium.h>
#include <utf8proc.h>

#include "attt/clock.h"
#include "attt/err.h"
#include "attt/password.h"
#include "attt/str.h"
#include "attt/text.h"

#define DAY_US (INT64_C(86400) * ATTT_USEC_PER_SEC)

void attt_password_policy_default(struct attt_password_policy *p)
{
	memset(p, 0, sizeof(*p));
	/* R6.1.đ: at least 8 characters with lower case, upper case, and digits or special characters. */
	p->min_length = 8;
	p->require_lower = true;
	p->require_upper = true;
	p->require_digit_or_special = true;
	p->dictionary_check = true;
	p->history = 5;
	/* R6.1.đ: changed at least every 3 months. */
	p->max_age_days = 90;
	p->warn_days = 14;
	p->hash_opslimit = ATTT_PASSWORD_MIN_OPSLIMIT;
	p->hash_memlimit = ATTT_PASSWORD_MIN_MEMLIMIT;
}

int attt_password_policy_validate(const struct attt_password_policy *p)
{
	/* R6.1.đ: a profile may be stricter than the regulation, never looser. */
	if (p->min_length < 8 || p->min_length > 128)
		return ATTT_E_POLICY;
	if (!p->require_lower || !p->require_upper || !p->require_digit_or_special)
		return ATTT_E_POLICY;
	if (p->max_age_days < 1 || p->max_age_days > 90)
		return ATTT_E_POLICY;
	if (p->warn_days < 0 || p->warn_days >= p->max_age_days)
		return ATTT_E_POLICY;
	if (p->history < 0 || p->history > 24)
		return ATTT_E_POLICY;
	if (p->hash_opslimit < ATTT_PASSWORD_MIN_OPSLIMIT || p->hash_memlimit < ATTT_PASSWORD_MIN_MEMLIMIT ||
	    p->hash_opslimit > crypto_pwhash_OPSLIMIT_MAX || p->hash_memlimit > ((size_t)4 << 30))
		return ATTT_E_POLICY;
	return ATTT_OK;
}

/* --- rule messages -------------------------------------------------------------------------- */

struct rule_info {
	unsigned bit;
	const char *name, *rule, *vi, *en;
};

static const struct rule_info rules[] = {
#define ATTT_PW_RULE_INFO(nm, bit, id, rule, vi, en) {1u << (bit), id, rule, vi, en},
	ATTT_PASSWORD_RULES(ATTT_PW_RULE_INFO)
#undef ATTT_PW_RULE_INFO
};

static const struct rule_info *rule_find(unsigned bit)
{
	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
		if (rules[i].bit == bit)
			return &rules[i];
	return NULL;
}

const char *attt_password_rule_name(unsigned rule)
{
	const struct rule_info *r = rule_find(rule);
	return r ? r->name : "unknown";
}

const char *attt_password_rule_id(unsigned rule)
{
	const struct rule_info *r = rule_find(rule);
	return r ? r->rule : NULL;
}

const char *attt_password_rule_message(unsigned rule, const char *lang)
{
	const struct rule_info *r = rule_find(rule);
	bool en = lang && strcmp(lang, "en") == 0;
	if (!r)
		return en ? "Password does not meet the rule" : "Mật khẩu không đạt quy định";
	return en ? r->en : r->vi;
}

/* --- the rule ------------------------------------------------------------------------------- */

/* Keeps only letters and digits of a folded string, so "Nguyen.Van-An" matches "nguyenvanan". */
static void squeeze(char *s)
{
	size_t k = 0;
	for (size_t i = 0; s[i]; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x80 || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
			s[k++] = s[i];
		else if (c >= 'A' && c <= 'Z')
			s[k++] = (char)(c - 'A' + 'a');
	}
	s[k] = '\0';
}

/* R6.1.đ: true when the folded password contains the username (3 characters or more). */
static int contains_username(const char *folded_pw, const char *username, bool *ret)
{
	char *u = NULL;
	int r;

	*ret = false;
	if (!username || strlen(username) < 3)
		return ATTT_OK;
	r = attt_text_fold(username, strlen(username), ATTT_PASSWORD_MAX_BYTES, &u);
	if (r < 0)
		return r;
	squeeze(u);
	*ret = strlen(u) >= 3 && strstr(folded_pw, u) != NULL;
	free(u);
	return ATTT_OK;
}

/* R6.1.đ: true when the folded password contains the whole name (squeezed) or one of its words of
 * four letters or more (family names such as "nguyen", given names such as "hoang"). Shorter words
 * ("an", "van") are too common inside ordinary words to refuse. Folding removes the diacritics on
 * both sides, so "Nguyễn" and "nguyen" are caught alike. */
static int contains_name(const char *folded_pw, const char *name, bool *ret)
{
	char *f = NULL, *whole = NULL;
	int r;

	*ret = false;
	if (!name || !*name)
		return ATTT_OK;
	r = attt_text_fold(name, strlen(name), ATTT_PASSWORD_MAX_BYTES, &f);
	if (r < 0)
		goto out;
	whole = strdup(f);
	if (!whole) {
		r = ATTT_E_NOMEM;
		goto out;
	}
	squeeze(whole);
	if (strlen(whole) >= 4 && strstr(folded_pw, whole)) {
		*ret = true;
		goto out;
	}
	for (char *w = f; *w;) {
		char *end = strchr(w, ' ');
		size_t wl = end ? (size_t)(end - w) : strlen(w);
		if (end)
			*end = '\0';
		squeeze(w);
		if (strlen(w) >= 4 && strstr(folded_pw, w)) {
			*ret = true;
			break;
		}
		w += wl + (end ? 1 : 0);
	}
	r = ATTT_OK;
out:
	free(f);
	free(whole);
	return r;
}

static pthread_mutex_t dict_lock = PTHREAD_MUTEX_INITIALIZER;

/* R6.1.đ: libpwquality's dictionary check alone (cracklib is not thread-safe: one at a time). */
static int dictionary_hit(const char *pw, bool *ret)
{
	pwquality_settings_t *s;
	void *aux = NULL;
	int q, r = ATTT_OK;

	s = pwquality_default_settings();
	if (!s)
		return ATTT_E_NOMEM;
	/* Only the dictionary: the class and length rules are the profile's, checked above. */
	static const struct {
		int setting, value;
	} off[] = {
		{PWQ_SETTING_MIN_LENGTH, 6},  {PWQ_SETTING_DIG_CREDIT, 0},  {PWQ_SETTING_UP_CREDIT, 0},
		{PWQ_SETTING_LOW_CREDIT, 0},  {PWQ_SETTING_OTH_CREDIT, 0},  {PWQ_SETTING_MIN_CLASS, 0},
		{PWQ_SETTING_MAX_REPEAT, 0},  {PWQ_SETTING_MAX_CLASS_REPEAT, 0},
		{PWQ_SETTING_MAX_SEQUENCE, 0}, {PWQ_SETTING_GECOS_CHECK, 0}, {PWQ_SETTING_DICT_CHECK, 1},
		{PWQ_SETTING_USER_CHECK, 0},  {PWQ_SETTING_ENFORCING, 1},  {PWQ_SETTING_DIFF_OK, 0},
	};
	for (size_t i = 0; i < sizeof(off) / sizeof(off[0]); i++)
		pwquality_set_int_value(s, off[i].setting, off[i].value);
	pthread_mutex_lock(&dict_lock);
	q = pwquality_check(s, pw, NULL, NULL, &aux);
	pthread_mutex_unlock(&dict_lock);
	/* Other findings (palindrome, too short for cracklib) are not the dictionary's. */
	*ret = q == PWQ_ERROR_CRACKLIB_CHECK;
	if (q == PWQ_ERROR_MEM_ALLOC)
		r = ATTT_E_NOMEM;
	/* aux belongs to libpwquality / cracklib (a message for pwquality_strerror): not ours to free. */
	pwquality_free_settings(s);
	return r;
}

int attt_password_check(const struct attt_password_policy *p, const char *pw, size_t n,
			const char *username, const char *name, unsigned *ret_failed)
{
	char *nfc = NULL, *folded = NULL;
	unsigned failed = 0;
	bool lower = false, upper = false, digit_special = false, hit;
	size_t count = 0;
	int r;

	if (n > ATTT_PASSWORD_MAX_BYTES * 4) {
		failed = ATTT_PASSWORD_TOO_LONG;
		r = ATTT_E_POLICY;
		goto done;
	}
	r = attt_text_nfc(pw, n, ATTT_PASSWORD_MAX_BYTES * 4, &nfc);
	if (r == ATTT_E_NOMEM)
		goto out;
	if (r < 0) {
		failed = ATTT_PASSWORD_INVALID;
		r = ATTT_E_POLICY;
		goto done;
	}
	if (strlen(nfc) > ATTT_PASSWORD_MAX_BYTES)
		failed |= ATTT_PASSWORD_TOO_LONG;

	for (const utf8proc_uint8_t *s = (const utf8proc_uint8_t *)nfc; *s;) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t len = utf8proc_iterate(s, -1, &cp);
		if (len <= 0) {
			failed |= ATTT_PASSWORD_INVALID;
			break;
		}
		s += len;
		count++;
		switch (utf8proc_category(cp)) {
		case UTF8PROC_CATEGORY_LL:
			lower = true;
			break;
		case UTF8PROC_CATEGORY_LU:
		case UTF8PROC_CATEGORY_LT:
			upper = true;
			break;
		case UTF8PROC_CATEGORY_ND:
		case UTF8PROC_CATEGORY_PC:
		case UTF8PROC_CATEGORY_PD:
		case UTF8PROC_CATEGORY_PS:
		case UTF8PROC_CATEGORY_PE:
		case UTF8PROC_CATEGORY_PI:
		case UTF8PROC_CATEGORY_PF:
		case UTF8PROC_CATEGORY_PO:
		case UTF8PROC_CATEGORY_SM:
		case UTF8PROC_CATEGORY_SC:
		case UTF8PROC_CATEGORY_SK:
		case UTF8PROC_CATEGORY_SO:
			digit_special = true;
			break;
		case UTF8PROC_CATEGORY_CC:
			/* Control characters cannot be typed reliably and smuggle log injection. */
			failed |= ATTT_PASSWORD_INVALID;
			break;
		default:
			break;
		}
	}
	/* R6.1.đ: the profile's rule. */
	if (count < (size_t)p->min_length)
		failed |= ATTT_PASSWORD_TOO_SHORT;
	if (p->require_lower && !lower)
		failed |= ATTT_PASSWORD_NO_LOWER;
	if (p->require_upper && !upper)
		failed |= ATTT_PASSWORD_NO_UPPER;
	if (p->require_digit_or_special && !digit_special)
		failed |= ATTT_PASSWORD_NO_DIGIT_OR_SPECIAL;

	/* R6.1.đ: on top of the rule: username, name, dictionary. */
	r = attt_text_fold(nfc, strlen(nfc), ATTT_PASSWORD_MAX_BYTES * 4, &folded);
	if (r < 0)
		goto out;
	squeeze(folded);
	r = contains_username(folded, username, &hit);
	if (r == ATTT_E_NOMEM)
		goto out;
	if (r == ATTT_OK && hit)
		failed |= ATTT_PASSWORD_CONTAINS_USERNAME;
	r = contains_name(folded, name, &hit);
	if (r == ATTT_E_NOMEM)
		goto out;
	if (r == ATTT_OK && hit)
		failed |= ATTT_PASSWORD_CONTAINS_NAME;
	if (p->dictionary_check && !(failed & (ATTT_PASSWORD_INVALID | ATTT_PASSWORD_TOO_LONG))) {
		r = dictionary_hit(nfc, &hit);
		if (r < 0)
			goto out;
		if (hit)
			failed |= ATTT_PASSWORD_DICTIONARY;
	}
	r = failed ? ATTT_E_POLICY : ATTT_OK;
done:
	if (ret_failed)
		*ret_failed = failed;
out:
	if (nfc) {
		sodium_memzero(nfc, strlen(nfc));
		free(nfc);
	}
	if (folded) {
		sodium_memzero(folded, strlen(folded));
		free(folded);
	}
	return r;
}

/* --- the hashing workers -------------------------------------------------------------------- */

enum job_kind { JOB_HASH, JOB_VERIFY };

struct job {
	enum job_kind kind;
	const char *pw;
	const char *hash; /* JOB_VERIFY */
	char *out;	  /* JOB_HASH: crypto_pwhash_STRBYTES */
	unsigned long long ops;
	size_t mem;
	int r;
	bool done;
	pthread_cond_t cond;
	struct job *next;
};

static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t pool_cond = PTHREAD_COND_INITIALIZER;
static struct job *queue_head, *queue_tail;
static int slots_total = -1, workers, running, running_peak;

static void slots_init_locked(void)
{
	if (slots_total < 0) {
		long c = sysconf(_SC_NPROCESSORS_ONLN);
		slots_total = c < 1 ? 1 : c > 256 ? 256 : (int)c;
	}
}

int attt_password_slots(void)
{
	int n;
	pthread_mutex_lock(&pool_lock);
	slots_init_locked();
	n = slots_total;
	pthread_mutex_unlock(&pool_lock);
	return n;
}

static void job_run(struct job *j)
{
	if (j->kind == JOB_HASH)
		j->r = crypto_pwhash_str_alg(j->out, j->pw, strlen(j->pw), j->ops, j->mem,
					     crypto_pwhash_ALG_ARGON2ID13);
	else
		j->r = crypto_pwhash_str_verify(j->hash, j->pw, strlen(j->pw));
}

/* Runs j outside the lock, counted among the running ones. Called and returns with pool_lock held. */
static void job_run_unlocked(struct job *j)
{
	running++;
	if (running > running_peak)
		running_peak = running;
	pthread_mutex_unlock(&pool_lock);
	job_run(j);
	pthread_mutex_lock(&pool_lock);
	running--;
}

static void *worker_main(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&pool_lock);
	for (;;) {
		struct job *j;
		while (!queue_head)
			pthread_cond_wait(&pool_cond, &pool_lock);
		j = queue_head;
		queue_head = j->next;
		if (!queue_head)
			queue_tail = NULL;
		job_run_unlocked(j);
		j->done = true;
		pthread_cond_signal(&j->cond);
	}
	return NULL;
}

/* Starts the workers on first use (the CLI hashes once or twice and never pays for idle threads),
 * once per process: attt never forks, and the pool is either the workers that could be made or, if
 * none, the callers themselves (job_submit), never a mix. The workers block the asynchronous
 * signals, since `attt serve` takes its signals with sigwait() in the main thread; the synchronous
 * ones (a fault in a worker) stay deliverable so that a crash is reported. Called with pool_lock
 * held. */
static bool pool_tried;

static void pool_start_locked(void)
{
	static const int sync_sigs[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGSYS, SIGABRT };
	sigset_t block, old;

	if (pool_tried)
		return;
	pool_tried = true;
	slots_init_locked();
	sigfillset(&block);
	for (size_t i = 0; i < sizeof(sync_sigs) / sizeof(sync_sigs[0]); i++)
		sigdelset(&block, sync_sigs[i]);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	for (int i = 0; i < slots_total; i++) {
		pthread_t t;
		pthread_attr_t a;
		if (pthread_attr_init(&a) != 0)
			break;
		pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
		if (pthread_create(&t, &a, worker_main, NULL) == 0) {
			pthread_setname_np(t, "attt-argon2id");
			workers++;
		}
		pthread_attr_destroy(&a);
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

/* Runs j on a worker and waits for it. Without any worker (no thread could be made) the caller runs
 * it itself, still one per core at most: it waits until fewer than slots_total run (pool_cond then
 * has no worker waiting on it). */
static void job_submit(struct job *j)
{
	pthread_mutex_lock(&pool_lock);
	pool_start_locked();
	if (workers == 0) {
		while (running >= slots_total)
			pthread_cond_wait(&pool_cond, &pool_lock);
		job_run_unlocked(j);
		pthread_cond_broadcast(&pool_cond);
		pthread_mutex_unlock(&pool_lock);
		return;
	}
	pthread_cond_init(&j->cond, NULL);
	j->done = false;
	j->next = NULL;
	if (queue_tail)
		queue_tail->next = j;
	else
		queue_head = j;
	queue_tail = j;
	pthread_cond_signal(&pool_cond);
	while (!j->done)
		pthread_cond_wait(&j->cond, &pool_lock);
	pthread_mutex_unlock(&pool_lock);
	pthread_cond_destroy(&j->cond);
}

void attt_password_pool_stats(int *ret_workers, int *ret_peak)
{
	pthread_mutex_lock(&pool_lock);
	if (ret_workers)
		*ret_workers = workers;
	if (ret_peak)
		*ret_peak = running_peak;
	pthread_mutex_unlock(&pool_lock);
}

/* --- hashing -------------------------------------------------------------------------------- */

static int normalise(const char *pw, size_t n, char **ret)
{
	if (n > ATTT_PASSWORD_MAX_BYTES)
		return ATTT_E_TOOBIG;
	return attt_text_nfc(pw, n, ATTT_PASSWORD_MAX_BYTES, ret);
}

static void wipe_free(char *s)
{
	if (s) {
		sodium_memzero(s, strlen(s));
		free(s);
	}
}

int attt_password_hash(const struct attt_password_policy *p, const char *pw, size_t n,
		       char ret_hash[ATTT_PASSWORD_HASH_SIZE])
{
	char out[crypto_pwhash_STRBYTES];
	struct job j;
	char *nfc = NULL;
	int r;

	if (sodium_init() < 0)
		return ATTT_E_CRYPTO;
	r = normalise(pw, n, &nfc);
	if (r < 0)
		return r;
	memset(&j, 0, sizeof(j));
	j.kind = JOB_HASH;
	j.pw = nfc;
	j.out = out;
	j.ops = p->hash_opslimit;
	j.mem = p->hash_memlimit;
	job_submit(&j);
	r = j.r;
	wipe_free(nfc);
	if (r != 0)
		return ATTT_E_NOMEM;
	memcpy(ret_hash, out, ATTT_PASSWORD_HASH_SIZE);
	return ATTT_OK;
}

int attt_password_verify(const char *hash, const char *pw, size_t n)
{
	struct job j;
	char *nfc = NULL;
	int r;

	if (sodium_init() < 0)
		return ATTT_E_CRYPTO;
	if (!hash || strnlen(hash, ATTT_PASSWORD_HASH_SIZE) >= ATTT_PASSWORD_HASH_SIZE)
		return ATTT_E_AUTH;
	r = normalise(pw, n, &nfc);
	if (r < 0)
		return ATTT_E_AUTH;
	memset(&j, 0, sizeof(j));
	j.kind = JOB_VERIFY;
	j.pw = nfc;
	j.hash = hash;
	job_submit(&j);
	r = j.r;
	wipe_free(nfc);
	return r == 0 ? ATTT_OK : ATTT_E_AUTH;
}

/* The dummy hash of a random password, made once per parameter set. */
static pthread_mutex_t dummy_lock = PTHREAD_MUTEX_INITIALIZER;
static char dummy_hash[ATTT_PASSWORD_HASH_SIZE];
static uint64_t dummy_ops;
static size_t dummy_mem;

int attt_password_verify_dummy(const struct attt_password_policy *p, const char *pw, size_t n)
{
	char hash[ATTT_PASSWORD_HASH_SIZE];
	int r = ATTT_OK;

	pthread_mutex_lock(&dummy_lock);
	if (dummy_ops != p->hash_opslimit || dummy_mem != p->hash_memlimit) {
		unsigned char rnd[32];
		char hex[65];
		randombytes_buf(rnd, sizeof(rnd));
		sodium_bin2hex(hex, sizeof(hex), rnd, sizeof(rnd));
		r = attt_password_hash(p, hex, 64, dummy_hash);
		sodium_memzero(hex, sizeof(hex));
		if (r == ATTT_OK) {
			dummy_ops = p->hash_opslimit;
			dummy_mem = p->hash_memlimit;
		}
	}
	memcpy(hash, dummy_hash, sizeof(hash));
	pthread_mutex_unlock(&dummy_lock);
	if (r < 0)
		return r;
	(void)attt_password_verify(hash, pw, n);
	return ATTT_E_AUTH;
}

bool attt_password_needs_rehash(const struct attt_password_policy *p, const char *hash)
{
	if (sodium_init() < 0 || !hash || strnlen(hash, ATTT_PASSWORD_HASH_SIZE) >= ATTT_PASSWORD_HASH_SIZE)
		return true;
	if (!attt_str_startswith(hash, "$argon2id$"))
		return true;
	return crypto_pwhash_str_needs_rehash(hash, p->hash_opslimit, p->hash_memlimit) != 0;
}

int attt_password_in_history(const char *const *hashes, size_t count, const char *pw, size_t n,
			     bool *ret_found)
{
	bool found = false;
	/* Every entry is verified, found or not, so the time does not say which one matched. */
	for (size_t i = 0; i < count; i++)
		if (hashes[i] && attt_password_verify(hashes[i], pw, n) == ATTT_OK)
			found = true;
	*ret_found = found;
	return ATTT_OK;
}

int attt_password_age(const struct attt_password_policy *p, int64_t set_us, int64_t now_us,
		      int64_t *ret_days_left, bool *ret_warn)
{
	int64_t expires, left_us, days;

	if (p->max_age_days <= 0) {
		if (ret_days_left)
			*ret_days_left = INT64_MAX;
		if (ret_warn)
			*ret_warn = false;
		return ATTT_OK;
	}
	/* R6.1.đ: expires max_age_days after it was set. */
	expires = set_us + (int64_t)p->max_age_days * DAY_US;
	left_us = expires - now_us;
	/* Whole days, rounded down (towards minus infinity). */
	days = left_us >= 0 ? left_us / DAY_US : -((-left_us + DAY_US - 1) / DAY_US);
	if (ret_days_left)
		*ret_days_left = days;
	if (ret_warn)
		*ret_warn = left_us > 0 && left_us <= (int64_t)p->warn_days * DAY_US;
	return left_us <= 0 ? ATTT_E_EXPIRED : ATTT_OK;
}

int attt_password_generate(const struct attt_rng *rng, char *ret, size_t size)
{
	/* No look-alikes (0/O, 1/l/I) so it can be read out over the phone. */
	static const char lower[] = "abcdefghijkmnopqrstuvwxyz";
	static const char upper[] = "ABCDEFGHJKLMNPQRSTUVWXYZ";
	static const char digit[] = "23456789";
	static const char special[] = "!@#$%";
	static const char all[] = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789!@#$%";
	unsigned char rnd[32];
	char out[17];
	const size_t len = 16;

	if (size < len + 1)
		return ATTT_E_TOOBIG;
	if (rng)
		attt_random(rng, rnd, sizeof(rnd));
	else
		randombytes_buf(rnd, sizeof(rnd));
	for (size_t i = 0; i < len; i++)
		out[i] = all[rnd[i] % (sizeof(all) - 1)];
	/* R6.1.đ: one of each class at positions chosen by the random source. */
	out[rnd[16] % 4] = lower[rnd[20] % (sizeof(lower) - 1)];
	out[4 + rnd[17] % 4] = upper[rnd[21] % (sizeof(upper) - 1)];
	out[8 + rnd[18] % 4] = digit[rnd[22] % (sizeof(digit) - 1)];
	out[12 + rnd[19] % 4] = special[rnd[23] % (sizeof(special) - 1)];
	out[len] = '\0';
	memcpy(ret, out, len + 1);
	sodium_memzero(rnd, sizeof(rnd));
	sodium_memzero(out, sizeof(out));
	return ATTT_OK;
}
