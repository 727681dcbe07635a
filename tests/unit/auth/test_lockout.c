/*
 * test_lockout.c: R6.2.b, the lockout state machine, table-driven for N = 3, 4 and 5 with an
 * injected clock: counting, lock, automatic unlock, reset on success, officer unlock, reset clears
 * the lock, no counting while locked.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "attt/auth.h"
#include "attt/err.h"

#define SEC ATTT_USEC_PER_SEC
#define DURATION (900 * SEC)

static const int thresholds[] = {3, 4, 5};

/* R6.2.b: the threshold must lie within 3..5 and the duration be positive. */
static void test_lockout_policy_validate__bounds(void **state)
{
	(void)state;
	for (int n = 0; n <= 7; n++) {
		struct attt_lockout_policy p = {n, DURATION};
		assert_int_equal(attt_lockout_policy_validate(&p), n >= 3 && n <= 5 ? ATTT_OK : ATTT_E_POLICY);
	}
	struct attt_lockout_policy z = {3, 0};
	assert_int_equal(attt_lockout_policy_validate(&z), ATTT_E_POLICY);
}

/* R6.2.b: N - 1 failures leave the account open; the N-th locks it, and only that one says so. */
static void test_lockout_fail__locks_at_threshold(void **state)
{
	(void)state;
	for (size_t t = 0; t < sizeof(thresholds) / sizeof(thresholds[0]); t++) {
		struct attt_lockout_policy p = {thresholds[t], DURATION};
		struct attt_lockout_state st = {0, 0};
		int64_t clock = 1000 * SEC;
		bool locked_now;

		for (int i = 1; i < p.threshold; i++) {
			attt_lockout_fail(&p, &st, clock, &locked_now);
			assert_false(locked_now);
			assert_int_equal(st.failures, i);
			assert_false(attt_lockout_is_locked(&st, clock));
			clock += SEC;
		}
		attt_lockout_fail(&p, &st, clock, &locked_now);
		assert_true(locked_now);
		assert_true(attt_lockout_is_locked(&st, clock));
		assert_int_equal(st.locked_until, clock + DURATION);
	}
}

/* R6.2.b: while locked, failures are not counted and do not extend the lock. */
static void test_lockout_fail__no_counting_while_locked(void **state)
{
	(void)state;
	for (size_t t = 0; t < sizeof(thresholds) / sizeof(thresholds[0]); t++) {
		struct attt_lockout_policy p = {thresholds[t], DURATION};
		struct attt_lockout_state st = {0, 0};
		int64_t clock = 5000 * SEC, until;
		bool locked_now;

		for (int i = 0; i < p.threshold; i++)
			attt_lockout_fail(&p, &st, clock, NULL);
		until = st.locked_until;
		for (int i = 0; i < 100; i++) {
			clock += SEC;
			attt_lockout_fail(&p, &st, clock, &locked_now);
			assert_false(locked_now);
			assert_int_equal(st.locked_until, until);
			assert_int_equal(st.failures, p.threshold);
		}
	}
}

/* R6.2.b: the lock lifts by itself at the end of the period, and counting starts again. */
static void test_lockout_refresh__automatic_unlock(void **state)
{
	(void)state;
	for (size_t t = 0; t < sizeof(thresholds) / sizeof(thresholds[0]); t++) {
		struct attt_lockout_policy p = {thresholds[t], DURATION};
		struct attt_lockout_state st = {0, 0};
		int64_t clock = 7000 * SEC;
		bool locked_now;

		for (int i = 0; i < p.threshold; i++)
			attt_lockout_fail(&p, &st, clock, NULL);
		assert_true(attt_lockout_is_locked(&st, clock + DURATION - 1));
		assert_false(attt_lockout_refresh(&st, clock + DURATION - 1));
		assert_false(attt_lockout_is_locked(&st, clock + DURATION));
		assert_true(attt_lockout_refresh(&st, clock + DURATION));
		assert_int_equal(st.failures, 0);
		assert_int_equal(st.locked_until, 0);
		/* A full series is needed to lock again. */
		clock += DURATION;
		for (int i = 1; i < p.threshold; i++) {
			attt_lockout_fail(&p, &st, clock, &locked_now);
			assert_false(locked_now);
		}
		attt_lockout_fail(&p, &st, clock, &locked_now);
		assert_true(locked_now);
	}
}

/* R6.2.b: a failure after the lock expired (without a refresh in between) counts as the first of a
 * new series, not as one more of the old. */
static void test_lockout_fail__after_expiry_starts_again(void **state)
{
	(void)state;
	for (size_t t = 0; t < sizeof(thresholds) / sizeof(thresholds[0]); t++) {
		struct attt_lockout_policy p = {thresholds[t], DURATION};
		struct attt_lockout_state st = {0, 0};
		bool locked_now;

		for (int i = 0; i < p.threshold; i++)
			attt_lockout_fail(&p, &st, 0, NULL);
		attt_lockout_fail(&p, &st, DURATION + 1, &locked_now);
		assert_false(locked_now);
		assert_int_equal(st.failures, 1);
	}
}

/* R6.2.b: consecutive means consecutive: a success resets the count. */
static void test_lockout_success__resets_count(void **state)
{
	(void)state;
	for (size_t t = 0; t < sizeof(thresholds) / sizeof(thresholds[0]); t++) {
		struct attt_lockout_policy p = {thresholds[t], DURATION};
		struct attt_lockout_state st = {0, 0};
		bool locked_now;

		for (int round = 0; round < 10; round++) {
			for (int i = 1; i < p.threshold; i++)
				attt_lockout_fail(&p, &st, round * SEC, &locked_now);
			assert_false(locked_now);
			attt_lockout_success(&st);
			assert_int_equal(st.failures, 0);
		}
		assert_false(attt_lockout_is_locked(&st, 10 * SEC));
	}
}

/* R6.2.b: an officer's unlock and a completed reset both lift the lock at once. */
static void test_lockout_clear__officer_unlock_and_reset(void **state)
{
	(void)state;
	for (size_t t = 0; t < sizeof(thresholds) / sizeof(thresholds[0]); t++) {
		struct attt_lockout_policy p = {thresholds[t], DURATION};
		struct attt_lockout_state st = {0, 0};
		bool locked_now;

		for (int i = 0; i < p.threshold; i++)
			attt_lockout_fail(&p, &st, 100 * SEC, NULL);
		assert_true(attt_lockout_is_locked(&st, 101 * SEC));
		attt_lockout_clear(&st); /* officer unlock */
		assert_false(attt_lockout_is_locked(&st, 101 * SEC));
		assert_int_equal(st.failures, 0);
		for (int i = 0; i < p.threshold; i++)
			attt_lockout_fail(&p, &st, 200 * SEC, &locked_now);
		assert_true(locked_now);
		attt_lockout_clear(&st); /* reset */
		assert_false(attt_lockout_is_locked(&st, 200 * SEC));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lockout_policy_validate__bounds),
		cmocka_unit_test(test_lockout_fail__locks_at_threshold),
		cmocka_unit_test(test_lockout_fail__no_counting_while_locked),
		cmocka_unit_test(test_lockout_refresh__automatic_unlock),
		cmocka_unit_test(test_lockout_fail__after_expiry_starts_again),
		cmocka_unit_test(test_lockout_success__resets_count),
		cmocka_unit_test(test_lockout_clear__officer_unlock_and_reset),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
