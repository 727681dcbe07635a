/*
 * bench_notify.c: enqueue and delivery rates of the notify module (not part of make test).
 * Build and run from the source tree:
 *   ninja -C build/release bench_notify && ATTT_SOURCE_DIR=$PWD build/release/tests/unit/notify/bench_notify
 * Enqueues 1 000 notifications (mail + inbox) in one transaction and 1 000 in their own
 * transactions, then delivers 500 mails to the local aiosmtpd sink (smtp_sink.py).
 */
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "attt/clock.h"
#include "attt/db.h"
#include "attt/err.h"
#include "attt/notify.h"
#include "attt/str.h"

extern char **environ;

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const struct attt_notify_msg msg = {
	.kind = "incident.escalated", .to_address = "an@skhcn.example", .person_id = 1,
	.subject = "[ATTT][Khẩn cấp] Báo cáo sự cố cần xử lý ngay: Tấn công thay đổi giao diện",
	.body = "Kính gửi đồng chí Nguyễn Văn An,\n\nCăn cứ quy chế bảo đảm an toàn thông tin mạng, Sở Khoa học "
		"và Công nghệ thông báo sự cố dưới đây (mức độ: Khẩn cấp).\n",
	.ref_type = "incident", .ref_id = 1,
};

struct many {
	int n;
	const struct attt_clock *clock;
};

static int enqueue_many(struct attt_db *db, void *ctx)
{
	struct many *m = ctx;
	for (int i = 0; i < m->n; i++) {
		int e = attt_notify_enqueue(db, m->clock, &msg, NULL);
		if (e < 0)
			return e;
	}
	return ATTT_OK;
}

int main(void)
{
	char dir[] = "/var/tmp/attt-bench-notify-XXXXXX", path[256], sinkdir[256], script[512], port[16] = "";
	struct attt_db *db = NULL;
	int64_t now = 1795000000000000;
	struct attt_clock clock = { attt_clock_fake_now, &now };
	const char *src = getenv("ATTT_SOURCE_DIR");
	double t0;

	if (!src || !mkdtemp(dir))
		return 1;
	snprintf(path, sizeof(path), "%s/t.db", dir);
	if (attt_db_open(path, ATTT_DB_CREATE, &db) < 0 || attt_db_migrate(db) < 0 ||
	    attt_db_exec(db, "INSERT INTO agency (id, name, name_fold, type, path, depth, created_at, updated_at) "
			     "VALUES (1, 'A', 'a', 'department', '/1/', 1, 0, 0);"
			     "INSERT INTO person (id, agency_id, full_name, name_fold, created_at, updated_at) "
			     "VALUES (1, 1, 'An', 'an', 0, 0);") < 0)
		return 1;

	struct many one = { 1000, &clock };
	t0 = now_s();
	if (attt_db_tx(db, enqueue_many, &one) < 0)
		return 1;
	printf("enqueue, 1000 in one transaction: %.0f notifications/s\n", 1000 / (now_s() - t0));
	struct many single = { 1, &clock };
	t0 = now_s();
	for (int i = 0; i < 1000; i++)
		if (attt_db_tx(db, enqueue_many, &single) < 0)
			return 1;
	printf("enqueue, one durable transaction each: %.0f notifications/s\n", 1000 / (now_s() - t0));

	/* The sink. */
	int in[2], out[2];
	pid_t pid;
	posix_spawn_file_actions_t fa;
	snprintf(sinkdir, sizeof(sinkdir), "%s/sink", dir);
	mkdir(sinkdir, 0700);
	snprintf(script, sizeof(script), "%s/tests/unit/notify/smtp_sink.py", src);
	if (pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0)
		return 1;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in[0], 0);
	posix_spawn_file_actions_adddup2(&fa, out[1], 1);
	char *argv[] = { "/usr/bin/python3", script, sinkdir, "0", NULL };
	if (posix_spawn(&pid, argv[0], &fa, NULL, argv, environ) != 0)
		return 1;
	close(in[0]);
	close(out[1]);
	ssize_t got = read(out[0], port, sizeof(port) - 1);
	if (got <= 0)
		return 1;
	port[got] = '\0';
	port[strcspn(port, "\n")] = '\0';
	char url[64];
	snprintf(url, sizeof(url), "smtp://127.0.0.1:%s", port);
	struct attt_notify_smtp smtp = { .url = url, .from = "attt@skhcn.example", .from_name = "Hệ thống ATTT" };
	struct attt_notify_stats st;
	t0 = now_s();
	if (attt_notify_deliver(db, &clock, &smtp, 500, &st) < 0)
		return 1;
	printf("deliver to the local aiosmtpd sink: %u mails in %.2f s = %.0f mails/s\n", st.sent, now_s() - t0,
	       st.sent / (now_s() - t0));
	close(in[1]);
	waitpid(pid, NULL, 0);
	attt_db_close(db);
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : 1;
}
