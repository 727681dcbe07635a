/*
 * raw_verify.c: the machine's raw Argon2id verification rate, the peer figure of bench/login:
 * THREADS threads (default: online cores) each run crypto_pwhash_str_verify on a hash made with
 * the platform's parameters (19 MiB, t=2 unless MEM_MIB / OPS say otherwise) for SECONDS seconds;
 * prints "raw_verify_per_s N".
 * Build: cc -O2 -o raw_verify raw_verify.c -lsodium -lpthread
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
	double t0;

	seconds = (double)env_long("SECONDS", 10);
	if (sodium_init() < 0 || threads < 1 || threads > 64)
		return 1;
	if (crypto_pwhash_str_alg(hash, "Bench#Password1", 15, ops, mem, crypto_pwhash_ALG_ARGON2ID13) != 0)
		return 1;
	t0 = now();
	for (long i = 0; i < threads; i++)
		pthread_create(&th[i], NULL, run, &counts[i]);
	for (long i = 0; i < threads; i++) {
		pthread_join(th[i], NULL);
		total += counts[i];
	}
	printf("raw_verify_per_s %.1f\n", (double)total / (now() - t0));
	return 0;
}
