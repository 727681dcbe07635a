/*
 * raw_verify.c: the machine's raw Argon2id verification rate, the peer figure of bench/login:
 * THREADS threads (default: online cores) each run crypto_pwhash_str_verify on a hash made with
 * the platform's parameters (19 MiB, t=2 unless MEM_MIB / OPS say otherwise) for SECONDS seconds;
 * prints "raw_verify_per_s N cpu_ms_per_verify C", C the process's CPU time (user + system, the
 * kernel's page faults of the 19 MiB included) per verification: the peer of the server's CPU per
 * login when the two are compared at the same core budget.
 * Build: cc -O2 -o raw_verify raw_verify.c -lsodium -lpthread
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

static char hash[crypto_pwhash_STRBYTES];
static double seconds = 10;

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *run(void *arg)
{
	long *count = arg;
	double end = now() + seconds;
	while (now() < end) {
		if (crypto_pwhash_str_verify(hash, "Bench#Password1", 15) != 0)
			abort();
		(*count)++;
	}
	return NULL;
}

/* The process's CPU time so far, user and system. */
static double cpu_s(void)
{
	struct rusage ru;
	if (getrusage(RUSAGE_SELF, &ru) != 0)
		return 0;
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
	       (double)ru.ru_stime.tv_usec / 1e6;
}

static long env_long(const char *name, long def)
{
	const char *s = getenv(name);
	char *end;
	long v;
	if (!s || !*s)
		return def;
	v = (long)strtod(s, &end);
	return *end ? def : v;
}

int main(void)
{
	long threads = env_long("THREADS", sysconf(_SC_NPROCESSORS_ONLN)), total = 0;
	unsigned long long ops = (unsigned long long)env_long("OPS", 2);
	size_t mem = (size_t)env_long("MEM_MIB", 19) << 20;
	pthread_t th[64];
	long counts[64] = {0};
	double t0, cpu0, cpu1;

	seconds = (double)env_long("SECONDS", 10);
	if (sodium_init() < 0 || threads < 1 || threads > 64)
		return 1;
	if (crypto_pwhash_str_alg(hash, "Bench#Password1", 15, ops, mem, crypto_pwhash_ALG_ARGON2ID13) != 0)
		return 1;
	cpu0 = cpu_s(); /* after the hash is made: verifications only */
	t0 = now();
	for (long i = 0; i < threads; i++)
		pthread_create(&th[i], NULL, run, &counts[i]);
	for (long i = 0; i < threads; i++) {
		pthread_join(th[i], NULL);
		total += counts[i];
	}
	cpu1 = cpu_s();
	printf("raw_verify_per_s %.1f cpu_ms_per_verify %.3f\n", (double)total / (now() - t0),
	       total ? (cpu1 - cpu0) * 1000 / (double)total : 0);
	return 0;
}
