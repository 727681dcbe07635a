/*
 * clock.h: time and randomness behind small ops tables, so that tests inject a fake clock and a
 * seeded random source instead of sleeping or hoping. Times are microseconds since the Unix epoch,
 * UTC. Asia/Ho_Chi_Minh is UTC+07:00 all year (no daylight saving since 1975), so local display
 * is a fixed offset and needs no time-zone database.
 */
#ifndef ATTT_CLOCK_H
#define ATTT_CLOCK_H

#include <stddef.h>
#include <stdint.h>

#define ATTT_USEC_PER_SEC INT64_C(1000000)
#define ATTT_VN_OFFSET_SEC (7 * 3600)

struct attt_clock {
	int64_t (*now_us)(void *ctx);
	void *ctx;
};

struct attt_rng {
	void (*fill)(void *ctx, void *buf, size_t n);
	void *ctx;
};

/* The real clock (CLOCK_REALTIME) and the real random source (libsodium randombytes_buf). */
extern const struct attt_clock attt_clock_system;
extern const struct attt_rng attt_rng_system;

static inline int64_t attt_now_us(const struct attt_clock *c) { return c->now_us(c->ctx); }
static inline void attt_random(const struct attt_rng *r, void *buf, size_t n) { r->fill(r->ctx, buf, n); }

/* A fake clock for tests: now_us returns *(int64_t *)ctx. */
int64_t attt_clock_fake_now(void *ctx);

/* Test builds only (ATTT_TEST_HOOKS, never in Release): the clock of attt_app_open adds the whole
 * seconds written in DATA_DIR/ATTT_TEST_CLOCK_FILE (re-read when the file changes) to the system
 * clock, so that integration tests move a running `attt serve` through time without sleeping.
 * docs/testing.md "Moving the server's clock". */
#define ATTT_TEST_CLOCK_FILE "test-clock-offset"

/* Formats t (µs UTC) as RFC 3339 UTC "2026-11-24T02:33:00Z" (buf >= 32). */
int attt_time_iso(int64_t t, char *buf, size_t size);
/* Formats t as shown to users: "24/11/2026 09:33" in Asia/Ho_Chi_Minh (buf >= 32). */
int attt_time_local(int64_t t, char *buf, size_t size);
/* Formats t as the local date "24/11/2026" (buf >= 16). */
int attt_date_local(int64_t t, char *buf, size_t size);
/* Parses RFC 3339 ("...Z" or "+07:00"), "yyyy-mm-dd" (local midnight), or "dd/mm/yyyy[ HH:MM]"
 * (local time) into µs UTC. ATTT_E_INVAL otherwise. */
int attt_time_parse(const char *s, int64_t *ret);

#endif
