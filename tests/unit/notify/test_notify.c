/*
 * test_notify.c: the durable notification outbox and the inbox (R11.3: escalations notified at
 * once by mail and in the app; a mail server outage loses nothing).
 *
 * Mail goes to a real SMTP server on 127.0.0.1: smtp_sink.py (aiosmtpd), which writes each mail it
 * receives as JSON with the subject and body decoded as a mail client decodes them. Time is a fake
 * clock: the backoff is checked by moving the clock, never by sleeping.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <dirent.h>

#include <cmocka.h>
#include <jansson.h>

#include "attt/buf.h"
#include "attt/clock.h"
#include "attt/db.h"
#include "attt/err.h"
#include "attt/limits.h"
#include "attt/notify.h"
#include "attt/str.h"

extern char **environ;

#define T0 INT64_C(1795000000000000) /* 2026-11-18 11:06:40 UTC, µs */
#define SEC ATTT_USEC_PER_SEC

struct sink {
	pid_t pid;
	int in_fd; /* closing it stops the sink */
	int port;
	char dir[300];
};

struct fix {
	char dir[256];
	char path[300];
	struct attt_db *db;
	int64_t now;
	struct attt_clock clock;
	struct sink sink;
	char url[64];
	struct attt_notify_smtp smtp;
};

static int rm_one(const char *p, const struct stat *sb, int type, struct FTW *ftw)
{
	(void)sb;
	(void)type;
	(void)ftw;
	return remove(p);
}

/* A TCP port on 127.0.0.1 that nothing listens on (bound and released). */
static int free_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(s >= 0);
	assert_int_equal(bind(s, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(s, (struct sockaddr *)&a, &len), 0);
	close(s);
	return ntohs(a.sin_port);
}

/* Starts smtp_sink.py on port (0: any) writing into dir; returns once it accepts connections. */
static void sink_start(struct sink *s, const char *dir, int port)
{
	const char *src = getenv("ATTT_SOURCE_DIR");
	char script[512], portarg[16], line[32];
	int in[2], out[2];
	posix_spawn_file_actions_t fa;
	ssize_t n;
	size_t got = 0;

	assert_non_null(src);
	snprintf(script, sizeof(script), "%s/tests/unit/notify/smtp_sink.py", src);
	snprintf(portarg, sizeof(portarg), "%d", port);
	assert_int_equal(attt_str_copy(s->dir, sizeof(s->dir), dir), 0);
	mkdir(dir, 0700);
	assert_int_equal(pipe2(in, O_CLOEXEC), 0);
	assert_int_equal(pipe2(out, O_CLOEXEC), 0);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in[0], 0);
	posix_spawn_file_actions_adddup2(&fa, out[1], 1);
	char *argv[] = { "/usr/bin/python3", script, (char *)dir, portarg, NULL };
	assert_int_equal(posix_spawn(&s->pid, argv[0], &fa, NULL, argv, environ), 0);
	posix_spawn_file_actions_destroy(&fa);
	close(in[0]);
	close(out[1]);
	s->in_fd = in[1];
	/* The sink prints its port once it listens: reading it is the readiness check (no sleep). */
	while (got < sizeof(line) - 1 && (n = read(out[0], line + got, sizeof(line) - 1 - got)) > 0) {
		got += (size_t)n;
		if (memchr(line, '\n', got))
			break;
	}
	close(out[0]);
	line[got] = '\0';
	if (!strchr(line, '\n'))
		fail_msg("the SMTP sink did not start (is python3-aiosmtpd installed?)");
	*strchr(line, '\n') = '\0';
	int64_t p;
	assert_int_equal(attt_parse_int64(line, 1, 65535, &p), 0);
	s->port = (int)p;
}

static void sink_stop(struct sink *s)
{
	int st;
	if (s->pid <= 0)
		return;
	close(s->in_fd);
	waitpid(s->pid, &st, 0);
	s->pid = 0;
}

static int sink_count(const struct sink *s)
{
	DIR *d = opendir(s->dir);
	struct dirent *e;
	int n = 0;
	if (!d)
		return 0;
	while ((e = readdir(d)))
		if (strstr(e->d_name, ".json") && !strstr(e->d_name, ".tmp"))
			n++;
	closedir(d);
	return n;
}

static json_t *sink_mail(const struct sink *s, int i)
{
	char p[400];
	json_error_t err;
	snprintf(p, sizeof(p), "%s/%04d.json", s->dir, i);
	json_t *j = json_load_file(p, 0, &err);
	if (!j)
		fail_msg("%s: %s", p, err.text);
	return j;
}

static void use_port(struct fix *f, int port)
{
	snprintf(f->url, sizeof(f->url), "smtp://127.0.0.1:%d", port);
	f->smtp.url = f->url;
}

static int setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));
	const char *tmp = getenv("TMPDIR");
	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "%s/attt-notify-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/t.db", f->dir);
	assert_int_equal(attt_db_open(f->path, ATTT_DB_CREATE, &f->db), ATTT_OK);
	assert_int_equal(attt_db_migrate(f->db), ATTT_OK);
	assert_int_equal(attt_db_exec(f->db,
				      "INSERT INTO agency (id, name, name_fold, type, path, depth, created_at, updated_at) "
				      "VALUES (1, 'Sở Khoa học và Công nghệ', 'so khoa hoc va cong nghe', 'department', '/1/', 1, 0, 0);"
				      "INSERT INTO person (id, agency_id, full_name, name_fold, email, created_at, updated_at) "
				      "VALUES (1, 1, 'Nguyễn Văn An', 'nguyen van an', 'an@skhcn.example', 0, 0),"
				      "       (2, 1, 'Trần Thị Bình', 'tran thi binh', 'binh@skhcn.example', 0, 0);"
				      "INSERT INTO account (id, username, kind, person_id, agency_id, created_at, updated_at) "
				      "VALUES (1, 'an.nv', 'person', 1, 1, 0, 0), (2, 'binh.tt', 'person', 2, 1, 0, 0);"),
			 ATTT_OK);
	f->now = T0;
	f->clock.now_us = attt_clock_fake_now;
	f->clock.ctx = &f->now;
	f->smtp.from = "attt@skhcn.example";
	f->smtp.from_name = "Hệ thống ATTT Thái Nguyên";
	f->smtp.timeout_s = 20;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fix *f = *state;
	sink_stop(&f->sink);
	attt_db_close(f->db);
	nftw(f->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(f);
	return 0;
}

struct enq {
	const struct attt_clock *clock;
	struct attt_notify_msg m;
	int64_t id;
	int fail_after; /* the caller's change fails after the enqueue: everything rolls back */
};

static int enq_fn(struct attt_db *db, void *ctx)
{
	struct enq *q = ctx;
	int e = attt_notify_enqueue(db, q->clock, &q->m, &q->id);
	if (e < 0)
		return e;
	return q->fail_after ? ATTT_E_CONFLICT : ATTT_OK;
}

static int64_t enqueue(struct fix *f, const struct attt_notify_msg *m)
{
	struct enq q = { &f->clock, *m, 0, 0 };
	assert_int_equal(attt_db_tx(f->db, enq_fn, &q), ATTT_OK);
	assert_true(q.id > 0);
	return q.id;
}

static int64_t count_rows(struct fix *f, const char *table)
{
	struct attt_stmt *st;
	char sql[128];
	snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM %s", table);
	assert_int_equal(attt_db_prepare(f->db, sql, &st), ATTT_OK);
	assert_int_equal(attt_stmt_step(st), 1);
	int64_t n = attt_stmt_int64(st, 0);
	attt_stmt_finalize(st);
	return n;
}

static json_t *get(struct fix *f, int64_t id)
{
	json_t *j = NULL;
	assert_int_equal(attt_notify_get(f->db, id, &j), ATTT_OK);
	return j;
}

static const char *jstr(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static int64_t jint(const json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

static const struct attt_notify_msg simple = {
	.kind = "incident.escalated",
	.to_address = "an@skhcn.example",
	.person_id = 1,
	.account_id = 1,
	.subject = "[ATTT][Khẩn cấp] Sự cố: Cổng thông tin bị thay đổi giao diện",
	.body = "Kính gửi đồng chí Nguyễn Văn An,\nSự cố đã được báo cáo lên Sở.\n",
	.ref_type = "incident",
	.ref_id = 7,
};

/* R11.3: the notification exists if and only if the caller's change committed. */
static void test_enqueue__only_with_the_change(void **state)
{
	struct fix *f = *state;
	struct enq q = { &f->clock, simple, 0, 1 };
	int64_t id;

	/* Outside a transaction: refused (it could outlive a change that then fails). */
	assert_int_equal(attt_notify_enqueue(f->db, &f->clock, &simple, &id), ATTT_E_STATE);
	/* The change fails after the enqueue: no outbox row, no inbox row. */
	assert_int_equal(attt_db_tx(f->db, enq_fn, &q), ATTT_E_CONFLICT);
	assert_int_equal(count_rows(f, "notification"), 0);
	assert_int_equal(count_rows(f, "inbox_item"), 0);
	/* The change commits: both are there. */
	id = enqueue(f, &simple);
	assert_int_equal(count_rows(f, "notification"), 1);
	assert_int_equal(count_rows(f, "inbox_item"), 1);
	json_t *n = get(f, id);
	assert_string_equal(jstr(n, "state"), "queued");
	assert_int_equal(jint(n, "attempts"), 0);
	assert_string_equal(jstr(n, "subject"), simple.subject);
	assert_string_equal(jstr(n, "to"), "an@skhcn.example");
	assert_int_equal(jint(n, "ref_id"), 7);
	json_decref(n);
}

static void test_enqueue__bad_input(void **state)
{
	struct fix *f = *state;
	struct {
		struct attt_notify_msg m;
		int err;
	} cases[8];
	char big[ATTT_NOTIFY_MAX_SUBJECT + 2];
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	for (size_t i = 0; i < 8; i++) {
		cases[i].m = simple;
		cases[i].err = ATTT_E_INVAL;
	}
	/* Header injection through the subject or the address. */
	cases[0].m.subject = "Sự cố\r\nBcc: all@example.com";
	cases[1].m.to_address = "an@skhcn.example\r\nBcc: all@example.com";
	cases[2].m.to_address = "an nguyen@skhcn.example";
	cases[3].m.to_address = "không-phải-địa-chỉ";
	cases[4].m.to_address = NULL, cases[4].m.person_id = 0, cases[4].m.account_id = 0;
	cases[5].m.body = "\xff\xfe";
	cases[6].m.subject = big, cases[6].err = ATTT_E_TOOBIG;
	cases[7].m.person_id = 99, cases[7].err = ATTT_E_CONFLICT; /* no such person */
	for (size_t i = 0; i < 8; i++) {
		struct enq q = { &f->clock, cases[i].m, 0, 0 };
		int e = attt_db_tx(f->db, enq_fn, &q);
		if (e != cases[i].err)
			fail_msg("case %zu: %d, expected %d", i, e, cases[i].err);
	}
	assert_int_equal(count_rows(f, "notification"), 0);
	assert_int_equal(count_rows(f, "inbox_item"), 0);
}

/* R11.3: the escalation mail reaches the relay with its UTF-8 subject and body intact. */
static void test_deliver__utf8_mail(void **state)
{
	struct fix *f = *state;
	struct attt_buf subj, body;
	struct attt_notify_stats st;
	json_t *vars = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "recipient", "đồng chí Nguyễn Văn An",
				 "agency", "Sở Khoa học và Công nghệ", "severity", "Khẩn cấp", "reason",
				 "Cổng thông tin điện tử bị thay đổi giao diện, vượt quá khả năng xử lý của đơn vị",
				 "title", "Tấn công thay đổi giao diện Cổng thông tin điện tử của Sở (ộ ậ ự ạ Đ ễ)",
				 "detected_at", "23/11/2026 07:45", "system", "sokhcn.thainguyen.gov.vn", "deadline",
				 "24/11/2026 07:45", "url", "https://attt.thainguyen.gov.vn/su-co/7");
	attt_buf_init(&subj, ATTT_NOTIFY_MAX_SUBJECT);
	attt_buf_init(&body, ATTT_MAX_TEXT);
	assert_int_equal(attt_notify_template("incident.escalated", vars, &subj, &body), ATTT_OK);
	struct attt_notify_msg m = simple;
	m.subject = attt_buf_str(&subj);
	m.body = attt_buf_str(&body);
	int64_t id = enqueue(f, &m);

	char sd[400];
	snprintf(sd, sizeof(sd), "%s/sink", f->dir);
	sink_start(&f->sink, sd, 0);
	use_port(f, f->sink.port);
	f->now += 5 * SEC;
	assert_int_equal(attt_notify_deliver(f->db, &f->clock, &f->smtp, 10, &st), ATTT_OK);
	assert_int_equal(st.sent, 1);
	assert_int_equal(st.retried + st.failed, 0);
	assert_int_equal(sink_count(&f->sink), 1);

	json_t *mail = sink_mail(&f->sink, 1);
	assert_string_equal(jstr(mail, "subject"), attt_buf_str(&subj));
	assert_string_equal(jstr(mail, "subject"),
			    "[ATTT][Khẩn cấp] Báo cáo sự cố cần xử lý ngay: Tấn công thay đổi giao diện Cổng thông tin "
			    "điện tử của Sở (ộ ậ ự ạ Đ ễ)");
	/* The body as the client decodes it (CRLF on the wire, LF here). */
	char *b = strdup(jstr(mail, "body")), *w = b;
	for (char *p = b; *p; p++)
		if (*p != '\r')
			*w++ = *p;
	*w = '\0';
	assert_string_equal(b, attt_buf_str(&body));
	assert_non_null(strstr(b, "Kính gửi đồng chí Nguyễn Văn An,"));
	assert_non_null(strstr(b, "vượt quá khả năng xử lý của đơn vị"));
	free(b);
	assert_string_equal(jstr(mail, "mail_from"), "attt@skhcn.example");
	assert_string_equal(json_string_value(json_array_get(json_object_get(mail, "rcpt_tos"), 0)), "an@skhcn.example");
	assert_string_equal(jstr(mail, "from"), "Hệ thống ATTT Thái Nguyên <attt@skhcn.example>");
	assert_string_equal(jstr(mail, "to"), "an@skhcn.example");
	assert_string_equal(jstr(mail, "content_type"), "text/plain");
	assert_string_equal(jstr(mail, "charset"), "utf-8");
	assert_string_equal(jstr(mail, "transfer_encoding"), "base64");
	/* Date is the creation time in Asia/Ho_Chi_Minh. */
	assert_string_equal(jstr(mail, "date"), "Wed, 18 Nov 2026 18:06:40 +0700");
	char mid[128];
	snprintf(mid, sizeof(mid), "<notify.%lld.%lld@skhcn.example>", (long long)id, (long long)T0);
	assert_string_equal(jstr(mail, "message_id"), mid);
	/* No header line longer than 78 characters (RFC 5322), the subject folded in encoded-words. */
	const char *raw = jstr(mail, "raw");
	const char *end = strstr(raw, "\r\n\r\n");
	assert_non_null(end);
	for (const char *p = raw; p < end;) {
		const char *nl = strstr(p, "\r\n");
		assert_true(nl - p <= 78);
		p = nl + 2;
	}
	assert_non_null(strstr(raw, "Subject: =?UTF-8?B?"));
	json_decref(mail);

	json_t *n = get(f, id);
	assert_string_equal(jstr(n, "state"), "sent");
	assert_int_equal(jint(n, "attempts"), 1);
	assert_non_null(jstr(n, "sent_at"));
	json_decref(n);
	/* Sent once: another run sends nothing. */
	f->now += 3600 * SEC;
	assert_int_equal(attt_notify_deliver(f->db, &f->clock, &f->smtp, 10, &st), ATTT_OK);
	assert_int_equal(st.sent, 0);
	assert_int_equal(sink_count(&f->sink), 1);
	json_decref(vars);
	attt_buf_done(&subj);
	attt_buf_done(&body);
}

/* A relay outage loses nothing: the mail stays queued, each attempt counted and the next pushed
 * back (60 s, then 120 s ...), and it is delivered exactly once when the relay is back. */
static void test_deliver__outage_then_exactly_once(void **state)
{
	struct fix *f = *state;
	struct attt_notify_stats st;
	int port = free_port();
	char sd[400];
	json_t *n;

	use_port(f, port);
	int64_t id = enqueue(f, &simple);

	assert_int_equal(attt_notify_deliver(f->db, &f->clock, &f->smtp, 10, &st), ATTT_OK);
	assert_int_equal(st.sent, 0);
	assert_int_equal(st.retried, 1);
	n = get(f, id);
	assert_string_equal(jstr(n, "state"), "queued");
	assert_int_equal(jint(n, "attempts"), 1);
	assert_non_null(strstr(jstr(n, "last_error"), "connect"));
	json_decref(n);
	/* 30 s later: not due yet, not tried. */
	f->now = T0 + 30 * SEC;
	assert_int_equal(attt_notify_deliver(f->db, &f->clock, &f->smtp, 10, &st), ATTT_OK);
	assert_int_equal(st.sent + st.retried + st.failed, 0);
	n = get(f, id);
	assert_int_equal(jint(n, "attempts"), 1);
	json_decref(n);
	/* 60 s: the second attempt, still down; next one 120 s later. */
	f->now = T0 + 60 * SEC;
	assert_int_equal(attt_notify_deliver(f->db, &f->clock, &f->smtp, 10, &st), ATTT_OK);
	assert_int_equal(st.retried, 1);
	n = get(f, id);
	assert_int_equal(jint(n, "attempts"), 2);
	char iso[40];
	assert_int_equal(attt_time_iso(T0 + 180 * SEC, iso, sizeof(iso)), ATTT_OK);
	assert_string_equal(jstr(n, "next_attempt_at"), iso);
	json_decref(n);

	/* The relay comes back; before the next attempt is due, nothing is sent. */
	snprintf(sd, sizeof(sd), "%s/sink", f->dir);
	sink_start(&f->sink, sd, port);
	f->now = T0 + 100 * SEC;
	assert_int_equal(attt_notify_deliver(f->db, &f->clock, &f->smtp, 10, &st), ATTT_OK);
	assert_int_equal(st.sent, 0);
	assert_int_equal(sink_count(&f->sink), 0);
	f->now = T0 + 180 * SEC;
	assert_int_equal(attt_notify_deliver(f->db, &f->clock, &f->smtp, 10, &st), ATTT_OK);
	assert_int_equal(st.sent, 1);
	assert_int_equal(sink_count(&f->sink), 1);
	n = get(f, id);
	assert_string_equal(jstr(n, "state"), "sent");
	assert_int_equal(jint(n, "attempts"), 3);
	json_decref(n);
	f->now = T0 + 86400 * SEC;
	assert_int_equal(attt_notify_deliver(f->db, &f->clock, &f->smtp, 10, &st), ATTT_OK);
	assert_int_equal(st.sent, 0);
	assert_int_equal(sink_count(&f->sink), 1);
	json_t *mail = sink_mail(&f->sink, 1);
	assert_string_equal(jstr(mail, "subject"), simple.subject);
	json_decref(mail);
}

/* Attempts are bounded: after the last one the mail is "failed" (kept, listed), and an operator can
 * queue it again. A relay that cannot be reached stops the batch instead of spending an attempt of
 * every queued mail. */
static void test_deliver__bounded_attempts_and_requeue(void **state)
{
	struct fix *f = *state;
	struct attt_notify_stats st;
	int port = free_port();
	int64_t ids[3];
	json_t *n;

	use_port(f, port);
	f->smtp.max_attempts = 3;
	f->smtp.backoff_s = 10;
	f->smtp.backoff_max_s = 15;
	for (int i = 0; i < 3; i++)
		ids[i] = enqueue(f, &simple);
	int64_t expect_next[] = { 10, 15 }; /* 10 s, then 20 s capped at 15 s */
	for (int a = 1; a <= 3; a++) {
		assert_int_equal(attt_notify_deliver(f->db, &f->clock, &f->smtp, 10, &st), ATTT_OK);
		/* Only the oldest mail was tried: the relay is down, the batch stopped. */
		assert_int_equal(st.retried + st.failed, 1);
		n = get(f, ids[0]);
		assert_int_equal(jint(n, "attempts"), a);
		if (a < 3) {
			char iso[40];
			assert_string_equal(jstr(n, "state"), "queued");
			assert_int_equal(attt_time_iso(f->now + expect_next[a - 1] * SEC, iso, sizeof(iso)), 0);
			assert_string_equal(jstr(n, "next_attempt_at"), iso);
		} else {
			assert_string_equal(jstr(n, "state"), "failed");
			assert_int_equal(st.failed, 1);
		}
		json_decref(n);
		/* Keep the other two from being due, to follow the first alone. */
		assert_int_equal(attt_db_exec(f->db, "UPDATE notification SET next_attempt_at = 9000000000000000 "
						     "WHERE id <> (SELECT MIN(id) FROM notification)"),
				 ATTT_OK);
		f->now += 20 * SEC;
	}
	json_t *c = NULL;
	assert_int_equal(attt_notify_counts(f->db, &c), ATTT_OK);
	assert_int_equal(jint(c, "failed"), 1);
	assert_int_equal(jint(c, "queued"), 2);
	json_decref(c);
	/* Failed stays failed. */
	assert_int_equal(attt_notify_deliver(f->db, &f->clock, &f->smtp, 10, &st), ATTT_OK);
	assert_int_equal(st.sent + st.retried + st.failed, 0);
	/* Requeued, then sent once the relay is up. */
	assert_int_equal(attt_notify_requeue(f->db, &f->clock, ids[0]), ATTT_OK);
	char sd[400];
	snprintf(sd, sizeof(sd), "%s/sink", f->dir);
	sink_start(&f->sink, sd, port);
	assert_int_equal(attt_notify_deliver(f->db, &f->clock, &f->smtp, 10, &st), ATTT_OK);
	assert_int_equal(st.sent, 1);
	n = get(f, ids[0]);
	assert_string_equal(jstr(n, "state"), "sent");
	assert_int_equal(jint(n, "attempts"), 1);
	json_decref(n);
	assert_int_equal(attt_notify_requeue(f->db, &f->clock, ids[0]), ATTT_E_STATE);
	assert_int_equal(attt_notify_requeue(f->db, &f->clock, 999), ATTT_E_NOTFOUND);
	assert_int_equal(sink_count(&f->sink), 1);
}

static void test_deliver__config_and_state(void **state)
{
	struct fix *f = *state;
	struct attt_notify_smtp bad = f->smtp;
	struct attt_notify_stats st;
	bad.url = NULL;
	assert_int_equal(attt_notify_deliver(f->db, &f->clock, &bad, 10, &st), ATTT_E_CONFIG);
	bad.url = "http://127.0.0.1:1/";
	assert_int_equal(attt_notify_deliver(f->db, &f->clock, &bad, 10, &st), ATTT_E_CONFIG);
	bad.url = "smtp://127.0.0.1:1";
	bad.from = "not an address";
	assert_int_equal(attt_notify_deliver(f->db, &f->clock, &bad, 10, &st), ATTT_E_CONFIG);
	use_port(f, 1);
	assert_int_equal(attt_notify_deliver(f->db, &f->clock, &f->smtp, 0, &st), ATTT_E_RANGE);
	assert_int_equal(attt_db_begin(f->db), ATTT_OK);
	assert_int_equal(attt_notify_deliver(f->db, &f->clock, &f->smtp, 10, &st), ATTT_E_STATE);
	assert_int_equal(attt_db_rollback(f->db), ATTT_OK);
}

/* Every notification for a person or account is in the app's inbox; only its owner sees and marks it. */
static void test_inbox__owner_only(void **state)
{
	struct fix *f = *state;
	struct attt_notify_msg inapp = simple;
	json_t *list = NULL;
	int64_t unread;

	inapp.to_address = NULL; /* no mail: inbox only */
	inapp.account_id = 0;
	int64_t a = enqueue(f, &simple);
	int64_t b = enqueue(f, &inapp);
	json_t *n = get(f, b);
	assert_string_equal(jstr(n, "state"), "inapp");
	json_decref(n);

	assert_int_equal(attt_notify_inbox_list(f->db, 1, 0, false, 0, 50, &list), ATTT_OK);
	assert_int_equal(json_array_size(list), 2);
	json_t *first = json_array_get(list, 0); /* newest first */
	assert_int_equal(jint(first, "notification_id"), b);
	assert_string_equal(jstr(first, "subject"), simple.subject);
	assert_false(json_is_true(json_object_get(first, "read")));
	int64_t item_b = jint(first, "id");
	json_decref(list);
	assert_int_equal(attt_notify_inbox_list(f->db, 0, 1, false, 0, 50, &list), ATTT_OK);
	assert_int_equal(json_array_size(list), 1); /* the account only got the mail one */
	assert_int_equal(jint(json_array_get(list, 0), "notification_id"), a);
	json_decref(list);
	assert_int_equal(attt_notify_inbox_unread(f->db, 1, 0, &unread), ATTT_OK);
	assert_int_equal(unread, 2);

	/* Another person cannot mark it (nor learn that it exists). */
	assert_int_equal(attt_notify_inbox_mark_read(f->db, &f->clock, 2, 0, item_b), ATTT_E_NOTFOUND);
	assert_int_equal(attt_notify_inbox_mark_read(f->db, &f->clock, 1, 0, item_b), ATTT_OK);
	assert_int_equal(attt_notify_inbox_mark_read(f->db, &f->clock, 1, 0, item_b), ATTT_OK);
	assert_int_equal(attt_notify_inbox_unread(f->db, 1, 0, &unread), ATTT_OK);
	assert_int_equal(unread, 1);
	assert_int_equal(attt_notify_inbox_list(f->db, 1, 0, true, 0, 50, &list), ATTT_OK);
	assert_int_equal(json_array_size(list), 1);
	json_decref(list);
	/* A signed-in user reads what was addressed to the person and to the account: each item once. */
	assert_int_equal(attt_notify_inbox_list(f->db, 1, 1, false, 0, 50, &list), ATTT_OK);
	assert_int_equal(json_array_size(list), 2);
	assert_int_equal(jint(json_array_get(list, 0), "notification_id"), b);
	assert_int_equal(jint(json_array_get(list, 1), "notification_id"), a);
	json_decref(list);
	assert_int_equal(attt_notify_inbox_unread(f->db, 1, 1, &unread), ATTT_OK);
	assert_int_equal(unread, 1);
	/* An account that is not the owner cannot mark the person's item, even with another person. */
	assert_int_equal(attt_notify_inbox_mark_read(f->db, &f->clock, 2, 2, item_b), ATTT_E_NOTFOUND);
	assert_int_equal(attt_notify_inbox_list(f->db, 0, 0, false, 0, 50, &list), ATTT_E_INVAL);
	assert_int_equal(attt_notify_inbox_unread(f->db, 0, 0, &unread), ATTT_E_INVAL);
	assert_int_equal(attt_notify_inbox_list(f->db, -1, 1, false, 0, 50, &list), ATTT_E_INVAL);
	assert_int_equal(attt_notify_inbox_list(f->db, 1, 0, false, 0, 0, &list), ATTT_E_RANGE);

	/* The incident's notifications, for `attt incident show`. */
	assert_int_equal(attt_notify_list_ref(f->db, "incident", 7, 50, &list), ATTT_OK);
	assert_int_equal(json_array_size(list), 2);
	json_decref(list);
	assert_int_equal(attt_notify_list_ref(f->db, "incident", 8, 50, &list), ATTT_OK);
	assert_int_equal(json_array_size(list), 0);
	json_decref(list);
	/* An inbox-only notification has no mail to format or send. */
	struct attt_buf raw;
	attt_buf_init(&raw, ATTT_NOTIFY_MAX_MAIL);
	assert_int_equal(attt_notify_format(f->db, &f->smtp, b, &raw), ATTT_E_STATE);
	assert_int_equal(attt_notify_format(f->db, &f->smtp, a, &raw), ATTT_OK);
	assert_non_null(strstr(attt_buf_str(&raw), "Content-Type: text/plain; charset=UTF-8\r\n"));
	assert_non_null(strstr(attt_buf_str(&raw), "From: =?UTF-8?B?"));
	attt_buf_done(&raw);
}

static void test_template__placeholders(void **state)
{
	(void)state;
	struct attt_buf s, b;
	attt_buf_init(&s, ATTT_NOTIFY_MAX_SUBJECT);
	attt_buf_init(&b, ATTT_MAX_TEXT);
	json_t *v = json_pack("{s:s, s:s, s:i, s:s}", "recipient", "Quản trị viên", "username", "an.nv", "failures", 5,
			      "until", "24/11/2026 10:00");
	assert_int_equal(attt_notify_template("account.locked", v, &s, &b), ATTT_OK);
	assert_string_equal(attt_buf_str(&s), "[ATTT] Tài khoản an.nv đã bị tạm khóa");
	assert_non_null(strstr(attt_buf_str(&b), "nhập sai mật khẩu 5 lần liên tiếp"));
	assert_null(strstr(attt_buf_str(&b), "{{"));
	attt_buf_reset(&s);
	attt_buf_reset(&b);
	json_object_del(v, "until");
	assert_int_equal(attt_notify_template("account.locked", v, &s, &b), ATTT_E_INVAL);
	assert_int_equal(s.len + b.len, 0);
	assert_int_equal(attt_notify_template("no.such", v, &s, &b), ATTT_E_NOTFOUND);
	/* A value with a line break cannot reach the subject. */
	json_object_set_new(v, "until", json_string("x"));
	json_object_set_new(v, "username", json_string("an\r\nBcc: x@y.z"));
	assert_int_equal(attt_notify_template("account.locked", v, &s, &b), ATTT_E_INVAL);
	static const char *const names[] = { "incident.reported", "incident.escalated", "incident.deadline_near",
					     "incident.deadline_missed" };
	json_t *all = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "recipient", "a", "title", "b",
				"agency", "c", "detected_at", "d", "reporter", "e", "url", "f", "severity", "Cao",
				"reason", "g", "system", "h", "deadline", "i", "what", "báo cáo");
	for (size_t i = 0; i < 4; i++) {
		attt_buf_reset(&s);
		attt_buf_reset(&b);
		assert_int_equal(attt_notify_template(names[i], all, &s, &b), ATTT_OK);
		assert_non_null(strstr(attt_buf_str(&b), "Kính gửi a,"));
	}
	json_decref(all);
	json_decref(v);
	attt_buf_done(&s);
	attt_buf_done(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_enqueue__only_with_the_change, setup, teardown),
		cmocka_unit_test_setup_teardown(test_enqueue__bad_input, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deliver__utf8_mail, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deliver__outage_then_exactly_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deliver__bounded_attempts_and_requeue, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deliver__config_and_state, setup, teardown),
		cmocka_unit_test_setup_teardown(test_inbox__owner_only, setup, teardown),
		cmocka_unit_test(test_template__placeholders),
	};
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
