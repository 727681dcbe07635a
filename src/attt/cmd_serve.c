/*
 * cmd_serve.c: `attt serve`: opens the data directory, starts the HTTP server with the routes of
 * routes.h, prints "listening on http://ADDR:PORT" once ready, runs the tick thread, and on
 * SIGTERM or SIGINT stops gracefully: no new connections, requests in flight finish (up to
 * ATTT_HTTP_SHUTDOWN_GRACE_MS), a last tick, then exit 0.
 *
 * Signals are blocked before any thread starts and taken with sigwait() in the main thread, so no
 * code runs in a signal handler and every thread inherits the mask.
 *
 * `attt serve --print-routes` registers every route exactly as serving does, prints them as JSON
 * and exits without listening: the list that tests/integration/test_openapi.py holds
 * docs/api/openapi.yaml to, and that test_audit_coverage.py walks (R7.2).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "attt/app.h"
#include "attt/config.h"
#include "attt/db.h"
#include "attt/err.h"
#include "attt/http.h"
#include "attt/limits.h"
#include "attt/log.h"
#include "attt/str.h"
#include "cli.h"
#include "commands.h"
#include "routes.h"

#ifndef ATTT_WEB_DIR
#define ATTT_WEB_DIR ""
#endif

static void serve_help(FILE *f)
{
	fputs("Cách dùng / usage: attt serve [--data DIR] [--listen ĐỊA_CHỈ:CỔNG] [--config TỆP]\n"
	      "                   attt serve [--data DIR] --print-routes\n\n"
	      "Chạy máy chủ HTTP (API, giao diện web, /healthz, /metrics) trên thư mục dữ liệu.\n"
	      "In đúng một dòng \"listening on http://ĐỊA_CHỈ:CỔNG\" khi sẵn sàng. SIGTERM/SIGINT: dừng nhận\n"
	      "kết nối, chờ các yêu cầu đang xử lý xong rồi thoát 0.\n"
	      "Run the HTTP server (API, web UI, /healthz, /metrics) on the data directory. Prints exactly\n"
	      "one line \"listening on http://ADDR:PORT\" once ready. SIGTERM/SIGINT: stop accepting, let\n"
	      "requests in flight finish, exit 0.\n\n"
	      "  -d, --data DIR        thư mục dữ liệu (mặc định $ATTT_DATA) / data directory (default $ATTT_DATA)\n"
	      "  -l, --listen A:P      địa chỉ lắng nghe, thay http.listen; cổng 0 = cổng tự chọn\n"
	      "                        listen address, overrides http.listen; port 0 = ephemeral\n"
	      "  -c, --config TỆP      đọc [http] và [log] từ TỆP thay cho DIR/attt.ini\n"
	      "                        read [http] and [log] from FILE instead of DIR/attt.ini\n"
	      "      --print-routes    in mọi tuyến API (JSON: method, pattern, public, upload) rồi thoát,\n"
	      "                        không lắng nghe / print every route as JSON and exit, no listening\n"
	      "  -h, --help            trợ giúp này / this help\n\n"
	      "Mã thoát / exit: 0 dừng bình thường / clean stop, 1 lỗi / failure, 2 sai cú pháp / usage.\n",
	      f);
}

/* ---- per-thread database connections ---- */

struct thread_db {
	struct attt_db *db;
	struct attt_stmt *ping;
};

static pthread_key_t db_key;
static pthread_once_t db_once = PTHREAD_ONCE_INIT;

static void thread_db_free(void *p)
{
	struct thread_db *t = p;
	attt_stmt_finalize(t->ping);
	attt_db_close(t->db);
	free(t);
}

static void db_key_make(void)
{
	if (pthread_key_create(&db_key, thread_db_free) != 0)
		abort(); /* only fails when the process is out of keys: a programming error */
}

static int thread_db(struct attt_app *app, struct thread_db **ret)
{
	struct thread_db *t;
	int r;

	pthread_once(&db_once, db_key_make);
	t = pthread_getspecific(db_key);
	if (!t) {
		t = calloc(1, sizeof(*t));
		if (!t)
			return ATTT_E_NOMEM;
		r = attt_db_open(attt_app_db_path(app), 0, &t->db);
		if (r < 0) {
			free(t);
			return r;
		}
		if (pthread_setspecific(db_key, t) != 0) {
			thread_db_free(t);
			return ATTT_E_NOMEM;
		}
	}
	*ret = t;
	return ATTT_OK;
}

int serve_thread_db(struct attt_app *app, struct attt_db **ret)
{
	struct thread_db *t;
	int r = thread_db(app, &t);
	if (r < 0)
		return r;
	*ret = t->db;
	return ATTT_OK;
}

/* GET /healthz: the database answers a query on this thread's connection. */
static int health(void *ctx)
{
	struct thread_db *t;
	int r = thread_db(ctx, &t);
	if (r < 0)
		return r;
	if (!t->ping && (r = attt_db_prepare(t->db, "SELECT 1", &t->ping)) < 0)
		return r;
	r = attt_stmt_step(t->ping);
	attt_stmt_reset(t->ping);
	return r == 1 ? ATTT_OK : (r < 0 ? r : ATTT_E_DB);
}

/* ---- ticks ---- */

struct ticker {
	struct attt_app *app;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool stop;
};

#define ATTT_TICK_STATE(name) void *st_##name = NULL;
#define ATTT_TICK_CALL(name)                                                                     \
	r = tick_##name(tk->app, now, &st_##name);                                              \
	if (r < 0)                                                                              \
		log_error("serve: tick %s: %s", #name, attt_strerror(r));

/* The last call of a tick, whose error is logged and otherwise ignored (it frees). */
#define ATTT_TICK_LAST(name)                                                                     \
	if (tick_##name(app, now, &st_##name) < 0)                                               \
		log_error("serve: tick %s: final call failed", #name);

static void *tick_main(void *arg)
{
	struct ticker *tk = arg;
	ATTT_TICKS(ATTT_TICK_STATE)
	int64_t now;
	int r = ATTT_OK;
	struct timespec next;

	clock_gettime(CLOCK_MONOTONIC, &next);
	pthread_mutex_lock(&tk->lock);
	while (!tk->stop) {
		next.tv_sec += 1;
		while (!tk->stop && pthread_cond_timedwait(&tk->cond, &tk->lock, &next) != ETIMEDOUT)
			;
		if (tk->stop)
			break;
		pthread_mutex_unlock(&tk->lock);
		now = attt_now_us(attt_app_clock(tk->app));
		ATTT_TICKS(ATTT_TICK_CALL)
		pthread_mutex_lock(&tk->lock);
	}
	pthread_mutex_unlock(&tk->lock);
	now = 0; /* the last call: flush and free */
	ATTT_TICKS(ATTT_TICK_CALL)
	(void)now;
	(void)r;
	return NULL;
}

/* ---- --print-routes ---- */

static int route_to_json(const struct attt_http_route_info *ri, void *ctx)
{
	json_t *o = json_pack("{s:s,s:s,s:b,s:b}", "method", ri->method, "pattern", ri->pattern, "public",
			      (ri->flags & ATTT_HTTP_PUBLIC) != 0, "upload", (ri->flags & ATTT_HTTP_UPLOAD) != 0);
	if (!o || json_array_append_new(ctx, o) < 0)
		return ATTT_E_NOMEM;
	return ATTT_OK;
}

/* Prints {"routes":[...]} of srv on stdout (ordered by pattern, then method). */
static int print_routes(const struct attt_http_server *srv)
{
	json_t *arr = json_array(), *doc;
	int r;

	if (!arr)
		return ATTT_E_NOMEM;
	r = attt_http_server_routes(srv, route_to_json, arr);
	if (r < 0) {
		json_decref(arr);
		return r;
	}
	doc = json_pack("{s:o}", "routes", arr);
	if (!doc)
		return ATTT_E_NOMEM;
	r = json_dumpf(doc, stdout, JSON_INDENT(1)) < 0 ? ATTT_E_IO : ATTT_OK;
	json_decref(doc);
	if (r == ATTT_OK && (fputc('\n', stdout) == EOF || fflush(stdout) != 0))
		r = ATTT_E_IO;
	return r;
}

/* ---- options ---- */

static int open_access_log(const char *dest, int *ret_fd)
{
	int fd;
	if (!dest || !*dest) {
		*ret_fd = -1;
		return ATTT_OK;
	}
	if (strcmp(dest, "-") == 0) {
		*ret_fd = 2;
		return ATTT_OK;
	}
	fd = open(dest, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return ATTT_E_IO;
	*ret_fd = fd;
	return ATTT_OK;
}

static void apply_log_config(const struct attt_config *cfg)
{
	enum attt_log_level level = ATTT_LOG_INFO;
	const char *f = attt_config_string(cfg, "log.format");
	enum attt_log_format fmt = ATTT_LOG_AUTO;

	attt_log_level_parse(attt_config_string(cfg, "log.level"), &level);
	if (strcmp(f, "text") == 0)
		fmt = ATTT_LOG_TEXT;
	else if (strcmp(f, "json") == 0)
		fmt = ATTT_LOG_JSON;
	attt_log_open(2, fmt, level);
}

static const char *default_web_dir(void)
{
	struct stat st;
	if (ATTT_WEB_DIR[0] && stat(ATTT_WEB_DIR, &st) == 0 && S_ISDIR(st.st_mode))
		return ATTT_WEB_DIR;
	return NULL;
}

/* Registers the routes of every area of ATTT_ROUTES; the first error stops (and is printed). */
static int register_routes(struct attt_http_server *srv, struct attt_app *app)
{
	int r = ATTT_OK;
#define ATTT_ROUTE_CALL(area)                                                                    \
	if (r >= 0 && (r = routes_##area##_register(srv, app)) < 0)                             \
		cli_fail(r, "serve: routes %s", #area);
	ATTT_ROUTES(ATTT_ROUTE_CALL)
#undef ATTT_ROUTE_CALL
	return r;
}

/* --print-routes: the routes of ATTT_ROUTES registered on a server that never starts (no address
 * is bound, no static directory loaded), then each tick called once with now_us == 0 so that what
 * registration set up (keys) is released as at a normal stop. */
static int serve_print_routes(struct attt_app *app)
{
	struct attt_http_options o;
	struct attt_http_server *srv = NULL;
	int r, rc = ATTT_EXIT_FAIL;
	int64_t now = 0;

	attt_http_options_init(&o);
	o.version = ATTT_VERSION;
	r = attt_http_server_new(&o, &srv);
	if (r < 0) {
		cli_fail(r, "serve: --print-routes");
		return ATTT_EXIT_FAIL;
	}
	r = register_routes(srv, app);
	if (r >= 0) {
		r = print_routes(srv);
		if (r < 0)
			cli_fail(r, "serve: --print-routes");
		else
			rc = ATTT_EXIT_OK;
	}
	attt_http_server_free(srv);
	{
		ATTT_TICKS(ATTT_TICK_STATE)
		ATTT_TICKS(ATTT_TICK_LAST)
	}
	(void)now;
	return rc;
}

int cmd_serve(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "data", required_argument, NULL, 'd' },
		{ "listen", required_argument, NULL, 'l' },
		{ "config", required_argument, NULL, 'c' },
		{ "print-routes", no_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *data_opt = NULL, *listen_opt = NULL, *config_opt = NULL, *dir, *s;
	struct attt_app *app = NULL;
	struct attt_config *own_cfg = NULL;
	const struct attt_config *cfg;
	struct attt_http_options o;
	struct attt_http_server *srv = NULL;
	struct ticker tk = { .lock = PTHREAD_MUTEX_INITIALIZER };
	pthread_t tick_thread;
	pthread_condattr_t ca;
	bool tick_started = false, curl_ready = false, only_print = false;
	char err[2048], url[160];
	sigset_t sigs;
	int c, r, rc = ATTT_EXIT_FAIL, sig = 0, log_fd = -1;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":d:l:c:h", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			data_opt = optarg;
			break;
		case 'l':
			listen_opt = optarg;
			break;
		case 'c':
			config_opt = optarg;
			break;
		case 'P':
			only_print = true;
			break;
		case 'h':
			serve_help(stdout);
			return ATTT_EXIT_OK;
		case ':':
			return cli_usage("serve: thiếu giá trị cho %s (missing value)", argv[optind - 1]);
		default:
			return cli_usage("serve: tùy chọn không có: %s (unknown option)", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_usage("serve: đối số thừa: %s (unexpected argument)", argv[optind]);
	dir = cli_data_dir(data_opt);
	if (!dir)
		return ATTT_EXIT_USAGE;

	/* Before any thread exists, so that all of them inherit the mask. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);

	r = attt_app_open(dir, 0, &app, err, sizeof(err));
	if (r < 0) {
		fprintf(stderr, "attt: serve: %s\n", err);
		goto out;
	}
	if (only_print) {
		rc = serve_print_routes(app);
		goto out;
	}
	cfg = attt_app_config(app);
	if (config_opt) {
		r = attt_config_load(config_opt, &own_cfg, err, sizeof(err));
		if (r < 0) {
			fprintf(stderr, "attt: serve: %s\n", err);
			goto out;
		}
		cfg = own_cfg;
	}
	apply_log_config(cfg);

	attt_http_options_init(&o);
	o.listen = listen_opt ? listen_opt : attt_config_string(cfg, "http.listen");
	o.threads = (unsigned)attt_config_int(cfg, "http.threads");
	o.max_connections = (unsigned)attt_config_int(cfg, "http.max_connections");
	o.timeout_sec = (unsigned)attt_config_int(cfg, "http.connection_timeout_s");
	s = attt_config_string(cfg, "http.tls_cert");
	o.tls_cert_file = *s ? s : NULL;
	s = attt_config_string(cfg, "http.tls_key");
	o.tls_key_file = *s ? s : NULL;
	s = attt_config_string(cfg, "http.static_dir");
	o.static_dir = *s ? s : default_web_dir();
	o.version = ATTT_VERSION;
	o.clock = attt_app_clock(app);
	s = attt_config_string(cfg, "http.access_log");
	r = open_access_log(s, &log_fd);
	if (r < 0) {
		cli_fail(r, "serve: http.access_log %s", s);
		goto out;
	}
	o.access_log_fd = log_fd;

	r = attt_http_server_new(&o, &srv);
	if (r < 0) {
		cli_fail(r, "serve: %s", o.listen);
		goto out;
	}
	attt_http_server_set_health(srv, health, app);
	r = register_routes(srv, app);
	if (r < 0)
		goto out;
	r = attt_http_server_start(srv);
	if (r < 0) {
		cli_fail(r, "serve: %s", o.listen);
		goto out;
	}
	r = attt_http_server_url(srv, url, sizeof(url));
	if (r < 0)
		goto out;

	/* libcurl (audit witnesses, mail) must be initialised before any thread can use it. */
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		cli_fail(ATTT_E_NOMEM, "serve: libcurl");
		goto out;
	}
	curl_ready = true;
	tk.app = app;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&tk.cond, &ca);
	pthread_condattr_destroy(&ca);
	if (pthread_create(&tick_thread, NULL, tick_main, &tk) != 0) {
		pthread_cond_destroy(&tk.cond);
		cli_fail(ATTT_E_NOMEM, "serve: tick thread");
		goto out;
	}
	tick_started = true;

	/* The one line the operator and the test harness wait for. */
	printf("listening on %s\n", url);
	fflush(stdout);
	log_info("serve: listening on %s (data %s)", url, attt_app_dir(app));

	while (sigwait(&sigs, &sig) != 0)
		;
	log_info("serve: signal %d: stopping", sig);
	attt_http_server_quiesce(srv);
	r = attt_http_server_shutdown(srv, ATTT_HTTP_SHUTDOWN_GRACE_MS);
	rc = r < 0 ? ATTT_EXIT_FAIL : ATTT_EXIT_OK;
out:
	if (tick_started) {
		pthread_mutex_lock(&tk.lock);
		tk.stop = true;
		pthread_cond_broadcast(&tk.cond);
		pthread_mutex_unlock(&tk.lock);
		pthread_join(tick_thread, NULL);
		pthread_cond_destroy(&tk.cond);
	}
	attt_http_server_free(srv);
	if (log_fd > 2)
		close(log_fd);
	attt_config_free(own_cfg);
	attt_app_close(app);
	if (curl_ready)
		curl_global_cleanup();
	return rc;
}
