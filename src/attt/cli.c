/* cli.c: helpers shared by the subcommands (see cli.h). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "attt/app.h"
#include "attt/audit.h"
#include "attt/db.h"
#include "attt/err.h"
#include "attt/limits.h"
#include "attt/str.h"
#include "cli.h"

const char *cli_data_dir(const char *opt)
{
	const char *d = opt ? opt : getenv("ATTT_DATA");
	if (!d || !*d) {
		cli_usage("cần --data DIR hoặc biến ATTT_DATA (--data DIR or ATTT_DATA is required)");
		return NULL;
	}
	return d;
}

int cli_fail(int err, const char *fmt, ...)
{
	va_list ap;
	fputs("attt: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, ": %s (%s)\n", attt_strerror_vi(err), attt_strerror(err));
	return ATTT_EXIT_FAIL;
}

int cli_usage(const char *fmt, ...)
{
	va_list ap;
	fputs("attt: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nXem / see: attt --help\n", stderr);
	return ATTT_EXIT_USAGE;
}

int cli_print_json(json_t *j)
{
	char *s;
	if (!j)
		return cli_fail(ATTT_E_NOMEM, "json");
	s = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	if (!s)
		return cli_fail(ATTT_E_NOMEM, "json");
	puts(s);
	free(s);
	return fflush(stdout) == 0 ? ATTT_EXIT_OK : ATTT_EXIT_FAIL;
}

int cli_read_file(const char *path, size_t max, char **ret, size_t *ret_len)
{
	int fd = -1, r;
	struct stat st;
	char *buf = NULL;
	size_t got = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		r = errno == ENOENT ? ATTT_E_NOTFOUND : ATTT_E_IO;
		goto out;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		r = ATTT_E_IO;
		goto out;
	}
	if ((uint64_t)st.st_size > max) {
		r = ATTT_E_TOOBIG;
		goto out;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		r = ATTT_E_NOMEM;
		goto out;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			r = ATTT_E_IO;
			goto out;
		}
		got += (size_t)n;
	}
	buf[got] = '\0';
	*ret = buf;
	buf = NULL;
	if (ret_len)
		*ret_len = got;
	r = ATTT_OK;
out:
	free(buf);
	if (fd >= 0)
		close(fd);
	return r;
}

bool cli_wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return true;
	return false;
}

int cli_open_app(const char *data_opt, unsigned flags, struct attt_app **ret)
{
	char err[2048];
	const char *dir = cli_data_dir(data_opt);
	int r;

	if (!dir)
		return ATTT_EXIT_USAGE;
	r = attt_app_open(dir, flags, ret, err, sizeof(err));
	if (r < 0) {
		fprintf(stderr, "attt: %s\n", err);
		return ATTT_EXIT_FAIL;
	}
	return 0;
}

static const struct attt_actor cli_actor = { .username = "cli", .source = "cli" };

struct append_ctx {
	const struct attt_clock *clock;
	const struct attt_audit_event *ev;
};

static int append_tx(struct attt_db *db, void *arg)
{
	const struct append_ctx *c = arg;
	return attt_audit_append(db, c->clock, &cli_actor, c->ev, NULL);
}

int cli_audit_append(struct attt_app *app, const struct attt_audit_event *ev)
{
	struct append_ctx c = { attt_app_clock(app), ev };
	int r = attt_db_tx(attt_app_db(app), append_tx, &c);
	return r < 0 ? r : ATTT_OK;
}

int cli_open_if_initialised(const char *dir, struct attt_app **ret)
{
	char db[ATTT_MAX_PATH], err[2048];
	struct stat st;
	int r;

	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
		return cli_fail(ATTT_E_NOTFOUND, "%s", dir);
	if (attt_str_printf(db, sizeof(db), "%s/%s", dir, ATTT_APP_DB_FILE) < 0)
		return cli_fail(ATTT_E_TOOBIG, "%s", dir);
	if (access(db, F_OK) < 0) {
		fprintf(stderr, "attt: %s chưa khởi tạo, không ghi nhật ký kiểm toán (not initialised: no audit event)\n",
			dir);
		*ret = NULL;
		return 0;
	}
	r = attt_app_open(dir, 0, ret, err, sizeof(err));
	if (r < 0) {
		fprintf(stderr, "attt: %s\n", err);
		return ATTT_EXIT_FAIL;
	}
	return 0;
}

void cli_print_value(json_t *v)
{
	if (json_is_string(v)) {
		fputs(json_string_value(v), stdout);
	} else if (json_is_array(v)) {
		size_t i;
		json_t *it;
		json_array_foreach(v, i, it) printf("%s%s", i ? ", " : "", json_string_value(it));
	} else if (json_is_integer(v)) {
		printf("%lld", (long long)json_integer_value(v));
	} else {
		fputs(json_is_true(v) ? "true" : "false", stdout);
	}
}

static const struct cli_opt *opt_of(const struct cli_noun *noun, int code)
{
	for (const struct cli_opt *o = noun->opts; o->name; o++)
		if (o->code == code)
			return o;
	return NULL;
}

/* Stores optarg for o into the caller's struct; 0 or an exit code. */
static int store(const struct cli_noun *noun, const char *verb, const struct cli_opt *o, char *base)
{
	const char **list;
	int *count;

	switch (o->kind) {
	case CLI_OPT_VALUE:
		memcpy(base + o->offset, &optarg, sizeof(optarg));
		break;
	case CLI_OPT_FLAG:
		*(bool *)(void *)(base + o->offset) = true;
		break;
	case CLI_OPT_LIST:
		list = (const char **)(void *)(base + o->offset);
		count = (int *)(void *)(base + o->count_offset);
		if (*count >= o->max)
			return cli_usage("%s %s: quá nhiều --%s (at most %d)", noun->name, verb, o->name, o->max);
		list[(*count)++] = optarg;
		break;
	}
	return 0;
}

int cli_parse(const struct cli_noun *noun, int argc, char **argv, const char *allowed, int nargs, void *ret_opts,
	      const char **ret_args)
{
	struct option lopts[CLI_MAX_OPTS + 2];
	const struct cli_opt *o;
	size_t n = 0;
	int c, got = 0, rc;

	for (o = noun->opts; o->name; o++) {
		if (n >= CLI_MAX_OPTS)
			return cli_fail(ATTT_E_TOOBIG, "%s: cli_parse", noun->name);
		lopts[n++] = (struct option){ o->name, o->kind == CLI_OPT_FLAG ? no_argument : required_argument, NULL,
					      o->code };
	}
	lopts[n++] = (struct option){ "help", no_argument, NULL, 'h' };
	lopts[n] = (struct option){ NULL, 0, NULL, 0 };

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":d:h", lopts, NULL)) != -1) {
		if (c == ':')
			return cli_usage("%s %s: thiếu giá trị cho %s (missing value)", noun->name, argv[0], argv[optind - 1]);
		if (c == '?' || (c != 'd' && c != 'h' && !strchr(allowed, c)))
			return cli_usage("%s %s: tùy chọn không dùng được ở đây: %s (option not valid here)", noun->name,
					 argv[0], argv[optind - 1]);
		if (c == 'h') {
			noun->help(stdout);
			return CLI_HELP_SHOWN;
		}
		if ((o = opt_of(noun, c)) && (rc = store(noun, argv[0], o, ret_opts)) != 0)
			return rc;
	}
	for (; optind < argc; optind++) {
		if (got >= nargs)
			return cli_usage("%s %s: đối số thừa: %s (unexpected argument)", noun->name, argv[0], argv[optind]);
		ret_args[got++] = argv[optind];
	}
	if (got < nargs)
		return cli_usage("%s %s: thiếu đối số (missing argument)", noun->name, argv[0]);
	return 0;
}

bool cli_noun_help(const struct cli_noun *noun, int argc, char **argv, int *ret_rc)
{
	if (argc >= 2 && strcmp(argv[1], "--help") != 0 && strcmp(argv[1], "-h") != 0 && strcmp(argv[1], "help") != 0)
		return false;
	noun->help(argc < 2 ? stderr : stdout);
	*ret_rc = argc < 2 ? ATTT_EXIT_USAGE : ATTT_EXIT_OK;
	return true;
}
