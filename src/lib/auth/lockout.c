/*
 * lockout.c: the lockout state machine of R6.2.b as pure functions over a small state struct and
 * the time "now" given by the caller (who takes it from an injected clock).
 *
 * States: open (failures < threshold, locked_until = 0) and locked (locked_until > now). A lock whose
 * time has passed lifts by itself at the next refresh, and counting starts again from zero. While
 * locked, failures are not counted, so a flood of wrong passwords cannot stretch a lock forever.
 */
#include "attt/auth.h"
#include "attt/err.h"

int attt_lockout_policy_validate(const struct attt_lockout_policy *p)
{
	/* R6.2.b: limit consecutive failed logins to 3..5; lock for a period. */
	if (p->threshold < 3 || p->threshold > 5 || p->duration_us <= 0)
		return ATTT_E_POLICY;
	return ATTT_OK;
}

bool attt_lockout_is_locked(const struct attt_lockout_state *st, int64_t now)
{
	return st->locked_until != 0 && now < st->locked_until;
}

bool attt_lockout_refresh(struct attt_lockout_state *st, int64_t now)
{
	/* R6.2.b: the lock lifts by itself after the profile's duration. */
	if (st->locked_until != 0 && now >= st->locked_until) {
		st->locked_until = 0;
		st->failures = 0;
		return true;
	}
	return false;
}

void attt_lockout_fail(const struct attt_lockout_policy *p, struct attt_lockout_state *st, int64_t now,
		       bool *ret_locked_now)
{
	bool locked_now = false;

	attt_lockout_refresh(st, now);
	if (!attt_lockout_is_locked(st, now)) {
		if (st->failures < p->threshold)
			st->failures++;
		/* R6.2.b: lock after N consecutive failures. */
		if (st->failures >= p->threshold) {
			st->locked_until = now + p->duration_us;
			if (st->locked_until == 0)
				st->locked_until = 1;
			locked_now = true;
		}
	}
	if (ret_locked_now)
		*ret_locked_now = locked_now;
}

void attt_lockout_success(struct attt_lockout_state *st)
{
	st->failures = 0;
	st->locked_until = 0;
}

void attt_lockout_clear(struct attt_lockout_state *st)
{
	/* R6.2.b: an officer's unlock or a completed reset lifts the lock at once. */
	st->failures = 0;
	st->locked_until = 0;
}
