/*
 * bench_policy.c: how long loading the configuration and the policy profiles takes, against the
 * peer of raw libinih parsing the same text with a handler that does nothing. Not a test (not
 * registered with ctest); docs/performance.md "## Configuration and policy profiles" quotes it.
 * Run: ninja -C build/rel bench_policy && build/rel/tests/unit/policy/bench_policy SOURCE_DIR
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ini.h>

#include "attt/config.h"
#include "attt/policy.h"

static const char config_text[] = "[http]\nlisten = [::1]:8443\nthreads = 4\ntls_cert = cert.pem\n"
				  "tls_key = key.pem\nmax_connections = 512\nconnection_timeout_s = 60\n"
				  "access_log = -\nstatic_dir = web\n[log]\nlevel = debug\nformat = json\n"
				  "[policy]\nprofile = national-2026\n[audit]\n"
				  "checkpoint_file = /var/backups/attt/checkpoints\ncheckpoint_interval_s = 30\n"
				  "checkpoint_events = 500\nwitness_urls = https://w1.example/cp, http://w2.example/x\n"
				  "syslog = false\n[mail]\nsmtp_url = smtps://mail.example:465\n"
				  "from = attt@thainguyen.gov.vn\nusername = attt\npassword = s3cret!\n";

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int noop(void *user, const char *section, const char *name, const char *value)
{
	(void)section;
	(void)name;
	(void)value;
	++*(int *)user;
	return 1;
}

static char *read_all(const char *path)
{
	char *text = NULL;
	size_t len = 0;
	if (attt_config_read_file(path, &text, &len) < 0) {
		fprintf(stderr, "bench_policy: cannot read %s\n", path);
		exit(1);
	}
	return text;
}

int main(int argc, char **argv)
{
	const char *src = argc > 1 ? argv[1] : getenv("ATTT_SOURCE_DIR");
	char path[1024], *tn, *nat, err[512];
	int n = 20000, count = 0;
	double t0, t_cfg, t_ini, t_pol, t_nat, t_peer;

	snprintf(path, sizeof(path), "%s/profiles/thai-nguyen-10-2020.ini", src ? src : ".");
	tn = read_all(path);
	snprintf(path, sizeof(path), "%s/profiles/national-2026.ini", src ? src : ".");
	nat = read_all(path);

	/* Warm libinih's one-time settings up, so the peer runs with the same ones. */
	struct attt_config *cfg = NULL;
	attt_config_load_string(config_text, sizeof(config_text) - 1, "b.ini", &cfg, err, sizeof(err));
	attt_config_free(cfg);

	t0 = now();
	for (int i = 0; i < n; i++) {
		if (attt_config_load_string(config_text, sizeof(config_text) - 1, "/srv/attt/attt.ini", &cfg, err,
					    sizeof(err)) < 0) {
			fprintf(stderr, "%s\n", err);
			return 1;
		}
		attt_config_free(cfg);
	}
	t_cfg = (now() - t0) / n;
	t0 = now();
	for (int i = 0; i < n; i++)
		ini_parse_string(config_text, noop, &count);
	t_ini = (now() - t0) / n;

	n = 2000;
	t0 = now();
	for (int i = 0; i < n; i++) {
		struct attt_policy *pol = NULL;
		if (attt_policy_load_named("thai-nguyen-10-2020", &pol, err, sizeof(err)) < 0) {
			fprintf(stderr, "%s\n", err);
			return 1;
		}
		attt_policy_free(pol);
	}
	t_pol = (now() - t0) / n;
	t0 = now();
	for (int i = 0; i < n; i++) {
		struct attt_policy *pol = NULL;
		if (attt_policy_load_named("national-2026", &pol, err, sizeof(err)) < 0) {
			fprintf(stderr, "%s\n", err);
			return 1;
		}
		attt_policy_free(pol);
	}
	t_nat = (now() - t0) / n;
	/* Peer: the two files national-2026 reads, each parsed twice (base pass, values pass). */
	t0 = now();
	for (int i = 0; i < n; i++) {
		ini_parse_string(tn, noop, &count);
		ini_parse_string(tn, noop, &count);
		ini_parse_string(nat, noop, &count);
		ini_parse_string(nat, noop, &count);
	}
	t_peer = (now() - t0) / n;

	printf("config load (24 keys, all checks):        %8.1f us   raw inih parse: %6.1f us   ratio %.2f\n",
	       t_cfg * 1e6, t_ini * 1e6, t_cfg / t_ini);
	printf("policy load thai-nguyen-10-2020 (+hash):  %8.1f us\n", t_pol * 1e6);
	printf("policy load national-2026 (2 levels):     %8.1f us   raw inih 4 parses: %6.1f us   ratio %.2f\n",
	       t_nat * 1e6, t_peer * 1e6, t_nat / t_peer);
	free(tn);
	free(nat);
	return count > 0 ? 0 : 1;
}
