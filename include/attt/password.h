/*
 * password.h: the password rule (R6.1.đ) and password storage (Argon2id).
 *
 * The rule is checked on the NFC form of the password, counted in Unicode code points, never
 * truncated. On top of the profile's rule (never below it) a password is refused when libpwquality's
 * dictionary check finds it, when it contains the username or the person's name (with or without
 * diacritics), and when it is one of the last N passwords (attt_password_in_history). Every refusal
 * names the rule that failed, in Vietnamese and English, so a UI can show it live.
 *
 * Hashes are libsodium crypto_pwhash_str strings (Argon2id, at least 19 MiB and t=2). Hashing and
 * verification run on one worker thread per core (started on first use) and nowhere else, so at most
 * one per core runs at a time and a flood of logins queues instead of exhausting memory. All
 * functions are thread-safe.
 */
#ifndef ATTT_PASSWORD_H
#define ATTT_PASSWORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* R6.1.đ: the profile's values for passwords. attt_password_policy_default fills the regulation's
 * defaults; the policy module supplies the province's profile. */
struct attt_password_policy {
	int min_length;            /* code points; >= 8 (R6.1.đ) */
	bool require_lower;        /* at least one lower-case letter */
	bool require_upper;        /* at least one upper-case letter */
	bool require_digit_or_special; /* at least one digit or special character (! @ # $ % ...) */
	bool dictionary_check;     /* refuse what libpwquality's cracklib dictionary check finds */
	int history;               /* refuse the last N passwords (0: none) */
	int max_age_days;          /* R6.1.đ: expiry (90) */
	int warn_days;             /* warn this many days before expiry (14) */
	uint64_t hash_opslimit;    /* Argon2id t (>= 2) */
	size_t hash_memlimit;      /* Argon2id memory in bytes (>= 19 MiB) */
};

/* The least the platform accepts for Argon2id. */
#define ATTT_PASSWORD_MIN_OPSLIMIT 2
#define ATTT_PASSWORD_MIN_MEMLIMIT ((size_t)19 * 1024 * 1024)
/* Longest password accepted, in bytes of UTF-8 (after NFC): passphrases of at least 128 characters
 * of any script fit (4 bytes each at worst). */
#define ATTT_PASSWORD_MAX_BYTES 1024
/* Length of a hash string, including the NUL (crypto_pwhash_STRBYTES). */
#define ATTT_PASSWORD_HASH_SIZE 128

/* The rules a password can fail, as bits of the mask attt_password_check reports. */
#define ATTT_PASSWORD_RULES(X)                                                                     \
	X(TOO_SHORT, 0, "too_short", "R6.1.đ", "Mật khẩu quá ngắn", "Password is too short")             \
	X(TOO_LONG, 1, "too_long", NULL, "Mật khẩu quá dài", "Password is too long")                       \
	X(NO_LOWER, 2, "no_lower", "R6.1.đ", "Mật khẩu phải có chữ thường", "Password needs a lower-case letter") \
	X(NO_UPPER, 3, "no_upper", "R6.1.đ", "Mật khẩu phải có chữ hoa", "Password needs an upper-case letter") \
	X(NO_DIGIT_OR_SPECIAL, 4, "no_digit_or_special", "R6.1.đ",                                     \
	  "Mật khẩu phải có chữ số hoặc ký tự đặc biệt (!, @, #, $, %)",                              \
	  "Password needs a digit or a special character (!, @, #, $, %)")                            \
	X(DICTIONARY, 5, "dictionary", "R6.1.đ", "Mật khẩu quá dễ đoán (có trong từ điển)",           \
	  "Password is too easy to guess (found in a dictionary)")                                   \
	X(CONTAINS_USERNAME, 6, "contains_username", "R6.1.đ", "Mật khẩu không được chứa tên đăng nhập", \
	  "Password must not contain the username")                                                    \
	X(CONTAINS_NAME, 7, "contains_name", "R6.1.đ", "Mật khẩu không được chứa họ tên",               \
	  "Password must not contain the person's name")                                              \
	X(REUSED, 8, "reused", "R6.1.đ", "Không được dùng lại mật khẩu gần đây",                         \
	  "Password was used recently")                                                                \
	X(INVALID, 9, "invalid", NULL, "Mật khẩu chứa ký tự không hợp lệ",                             \
	  "Password contains invalid characters")

enum attt_password_rule {
#define ATTT_PW_RULE_ENUM(name, bit, id, rule, vi, en) ATTT_PASSWORD_##name = (1u << (bit)),
	ATTT_PASSWORD_RULES(ATTT_PW_RULE_ENUM)
#undef ATTT_PW_RULE_ENUM
};

/* Fills *p with the regulation's defaults: 8 characters, lower, upper, digit or special, dictionary
 * check on, history 5, 90 days, warning 14 days before, Argon2id 19 MiB t=2. */
void attt_password_policy_default(struct attt_password_policy *p);
/* ATTT_E_POLICY when p is below what the regulation and the platform accept (length < 8, a class
 * rule off, Argon2id below 19 MiB or t=2, max age above 90 days). */
int attt_password_policy_validate(const struct attt_password_policy *p);

/* Checks pw[0..n) against the rule of p. username and name (the person's full name, UTF-8) may be
 * NULL. Returns ATTT_OK, ATTT_E_POLICY with *ret_failed (may be NULL) set to the OR of the failed
 * enum attt_password_rule bits (all of them, not just the first), or ATTT_E_NOMEM. The history is
 * not checked here: see attt_password_in_history. */
int attt_password_check(const struct attt_password_policy *p, const char *pw, size_t n,
			const char *username, const char *name, unsigned *ret_failed);

/* Stable name ("too_short"), rule ID ("R6.1.đ" or NULL) and message of one rule bit; for a value that
 * is not a single rule bit: "unknown", NULL and a generic message. lang "en" gives English, anything
 * else Vietnamese. Never NULL except the rule ID. */
const char *attt_password_rule_name(unsigned rule);
const char *attt_password_rule_id(unsigned rule);
const char *attt_password_rule_message(unsigned rule, const char *lang);

/* Hashes pw[0..n) (NFC-normalised first, so that the same passphrase typed on another keyboard
 * verifies) with the Argon2id parameters of p into ret_hash[ATTT_PASSWORD_HASH_SIZE].
 * ATTT_E_TOOBIG above ATTT_PASSWORD_MAX_BYTES, ATTT_E_INVAL on invalid UTF-8, ATTT_E_NOMEM when
 * Argon2id cannot get its memory. Waits for a free core (see above). */
int attt_password_hash(const struct attt_password_policy *p, const char *pw, size_t n,
		       char ret_hash[ATTT_PASSWORD_HASH_SIZE]);
/* Verifies pw[0..n) against hash: ATTT_OK when it matches, ATTT_E_AUTH when it does not or the hash
 * is malformed. Waits for a free core. */
int attt_password_verify(const char *hash, const char *pw, size_t n);
/* One verification of a fixed dummy hash with the parameters of p, taking the same time as a real
 * one; always ATTT_E_AUTH. Used for unknown users so that they cost the same as known ones. */
int attt_password_verify_dummy(const struct attt_password_policy *p, const char *pw, size_t n);
/* True when hash was made with parameters other than those of p (or is not Argon2id): the caller
 * rehashes at the next successful login. */
bool attt_password_needs_rehash(const struct attt_password_policy *p, const char *hash);
/* R6.1.đ: sets *ret_found when pw[0..n) verifies against one of hashes[0..count). */
int attt_password_in_history(const char *const *hashes, size_t count, const char *pw, size_t n,
			     bool *ret_found);

/* R6.1.đ: password age. Given the time the password was set (µs), now, and p: ATTT_OK and
 * *ret_days_left (may be NULL) = whole days until expiry (negative when past); ATTT_E_EXPIRED when
 * expired. *ret_warn (may be NULL) is true within warn_days of expiry. max_age_days 0 never expires. */
int attt_password_age(const struct attt_password_policy *p, int64_t set_us, int64_t now_us,
		      int64_t *ret_days_left, bool *ret_warn);

/* Generates a temporary password (R6.1.a) of 16 characters that meets the default rule, from the
 * random source rng (NULL: the system's). ret[] gets at least 17 bytes with NUL. */
struct attt_rng;
int attt_password_generate(const struct attt_rng *rng, char *ret, size_t size);

/* The number of hashing slots (one per online core, at least 1). */
int attt_password_slots(void);
/* The hashing workers started so far (0 before the first hash, then attt_password_slots(), or fewer
 * if threads could not be made: with none, callers hash themselves, still one per core) and the
 * most hashes or verifications that ever ran at once in this process (never above the slots). */
void attt_password_pool_stats(int *ret_workers, int *ret_peak);

#endif
