/*
 * enum_timing.c: no user enumeration by timing (bench/login). THREADS client threads (default 4)
 * each send N logins (default 1000 in all, half per kind) to URL/api/v1/auth/login, alternating an
 * unknown username with an existing one (from USERS_FILE, "user password" lines) given a wrong
 * password; the existing accounts lock after a few tries, so wrong-password and locked accounts are
 * both in the sample. Interleaving makes both kinds see the same load. Every answer must be 401
 * with the same body. Prints the mean and standard deviation of each kind and Welch's t; |t| < 2
 * means no significant difference.
 * Build: cc -O2 -o enum_timing enum_timing.c -lcurl -lpthread -lm
 * Usage: enum_timing URL USERS_FILE [N] [THREADS]
 */
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

static const char *url;
static char users[256][64];
static int nusers;
static long per_thread;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static double sum[2], sumsq[2];
static long count[2], bad;
static char first_body[2048];

struct body {
	char buf[2048];
	size_t len;
};

static size_t on_data(char *p, size_t size, size_t n, void *ctx)
{
	struct body *b = ctx;
	size_t k = size * n;
	if (b->len + k < sizeof(b->buf)) {
		memcpy(b->buf + b->len, p, k);
		b->len += k;
		b->buf[b->len] = '\0';
	}
	return k;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *run(void *arg)
{
	long id = (long)(intptr_t)arg;
	CURL *c = curl_easy_init();
	struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
	char target[512], json[256];

	snprintf(target, sizeof(target), "%s/api/v1/auth/login", url);
	curl_easy_setopt(c, CURLOPT_URL, target);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	for (long i = 0; i < per_thread; i++) {
		int kind = (int)((i + id) % 2); /* 0 unknown, 1 existing */
		struct body b = {.len = 0};
		long status = 0;
		double t0, dt;
		if (kind)
			snprintf(json, sizeof(json), "{\"username\":\"%s\",\"password\":\"Wrong#%ld\"}", users[(i / 2) % nusers], i);
		else
			snprintf(json, sizeof(json), "{\"username\":\"nobody%04ld\",\"password\":\"Wrong#%ld\"}", (i / 2) % 256, i);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, json);
		curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
		t0 = now();
		if (curl_easy_perform(c) != CURLE_OK)
			continue;
		dt = (now() - t0) * 1000;
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
		pthread_mutex_lock(&lock);
		if (!first_body[0])
			snprintf(first_body, sizeof(first_body), "%s", b.buf);
		if (status != 401 || strcmp(first_body, b.buf) != 0)
			bad++;
		sum[kind] += dt;
		sumsq[kind] += dt * dt;
		count[kind]++;
		pthread_mutex_unlock(&lock);
	}
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	return NULL;
}

int main(int argc, char **argv)
{
	char line[256];
	long n = 1000, threads = 4;
	pthread_t th[64];
	double mean[2], var[2], t;
	FILE *f;

	if (argc < 3)
		return 2;
	url = argv[1];
	if (argc > 3)
		n = (long)strtod(argv[3], NULL);
	if (argc > 4)
		threads = (long)strtod(argv[4], NULL);
	if (threads < 1 || threads > 64 || n < 2)
		return 2;
	if (!(f = fopen(argv[2], "r")))
		return 1;
	while (nusers < 256 && fgets(line, sizeof(line), f)) {
		char *sp = strchr(line, ' ');
		if (sp && sp - line < 63) {
			memcpy(users[nusers], line, (size_t)(sp - line));
			users[nusers][sp - line] = '\0';
			nusers++;
		}
	}
	fclose(f);
	if (!nusers)
		return 1;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	per_thread = n / threads;
	for (long i = 0; i < threads; i++)
		pthread_create(&th[i], NULL, run, (void *)(intptr_t)i);
	for (long i = 0; i < threads; i++)
		pthread_join(th[i], NULL);
	for (int k = 0; k < 2; k++) {
		mean[k] = sum[k] / (double)count[k];
		var[k] = sumsq[k] / (double)count[k] - mean[k] * mean[k];
	}
	t = (mean[1] - mean[0]) / sqrt(var[1] / (double)count[1] + var[0] / (double)count[0]);
	printf("enumeration: unknown %ld requests, mean %.2f ms (sd %.2f); existing %ld requests, mean %.2f ms (sd %.2f); "
	       "Welch t = %.2f (%s); answers differing from the first 401: %ld\n",
	       count[0], mean[0], sqrt(var[0]), count[1], mean[1], sqrt(var[1]), t,
	       fabs(t) < 2 ? "not significant" : "significant", bad);
	curl_global_cleanup();
	return bad ? 1 : 0;
}
