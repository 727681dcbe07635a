/*
 * cpu_cost.c: the CPU time of one whole login (attt_auth_login: Argon2id, lockout bookkeeping, a
 * new session, an audit event, committed) against one bare crypto_pwhash_str_verify of the same
 * parameters, in process, alternating, N times (default 100). CPU time is the steady figure on a
 * shared machine, where wall-clock rates move with the neighbours' load. Uses the unit tests'
 * fixture (a migrated database in /tmp). Built and run by bench/login/run.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <cmocka.h>

#include "attt/str.h"
#include "unit/account/fixture.h"

static double cpu(void)
{
	struct timespec t;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	char pw[17], hash[ATTT_PASSWORD_HASH_SIZE];
	double c_login = 0, c_verify = 0;
	int64_t n = 100;
	void *st = NULL;
	struct fx *f;

	if (argc > 1 && attt_parse_int64(argv[1], 1, 100000, &n) < 0)
		return 2;
	if (fx_setup(&st) != 0)
		return 1;
	f = st;
	f->policy.lockout.threshold = 5;
	if (fx_add(f, "bench.user", 1, ATTT_ROLE_STAFF, pw) == 0 ||
	    attt_password_hash(&f->policy.password, pw, strlen(pw), hash) != ATTT_OK)
		return 1;
	for (int64_t i = 0; i < n; i++) {
		struct attt_login_result res;
		double c0 = cpu();
		if (fx_login(f, "bench.user", pw, &res) != ATTT_OK)
			return 1;
		c_login += cpu() - c0;
		c0 = cpu();
		if (attt_password_verify(hash, pw, strlen(pw)) != ATTT_OK)
			return 1;
		c_verify += cpu() - c0;
	}
	printf("cpu per login %.2f ms, per bare verify %.2f ms, ratio verify/login %.3f (%lld each)\n",
	       c_login * 1000 / (double)n, c_verify * 1000 / (double)n, c_verify / c_login, (long long)n);
	fx_teardown(&st);
	return 0;
}
