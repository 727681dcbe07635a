/*
 * ini.c: the strict INI reader under the configuration and the policy profiles (libinih).
 *
 * libinih does the tokenising; this file feeds it line by line through its stream interface so
 * that every callback knows its line number (Debian's libinih is built without
 * INI_HANDLER_LINENO), checks each line before inih sees it (UTF-8 without NUL, length, the
 * section name) and strips leading whitespace so that inih never takes an indented line as the
 * continuation of the previous value. The first error stops the parse; its message gets the
 * "name:line: " prefix here, in one place.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ini.h>

#include "attt/config.h"
#include "attt/err.h"
#include "attt/limits.h"
#include "attt/str.h"

/* inih keeps section and key names in 50-byte buffers and truncates longer ones. */
#define INI_NAME_MAX 48

struct ini_stream {
	const char *p, *end;
	int line;           /* number of the line being read, 1-based */
	bool at_line_start;
	const struct attt_ini_handler *h;
	int err;            /* first error, ATTT_OK while none */
	int err_line;
	char msg[768];
};

static pthread_once_t ini_once = PTHREAD_ONCE_INIT;

/* The process-wide inih settings every parse here relies on (see config.h). */
static void ini_setup(void)
{
	ini_use_stack = false;
	ini_allow_realloc = true;
	ini_max_line = ATTT_MAX_LINE;
	ini_allow_multiline = false;
	ini_stop_on_first_error = true;
	ini_allow_no_value = false;
	ini_allow_bom = false; /* the BOM is skipped below, before inih sees the first line */
	ini_allow_inline_comments = true;
}

static void stream_fail(struct ini_stream *st, int err, const char *msg)
{
	if (st->err)
		return;
	st->err = err;
	st->err_line = st->line;
	if (msg != st->msg)
		attt_str_copy(st->msg, sizeof(st->msg), msg);
}

/* Checks a new line at st->p (leading whitespace already skipped) before inih reads it. */
static int check_line(struct ini_stream *st, const char *start, size_t len)
{
	if (len > ATTT_MAX_LINE - 3) {
		attt_str_printf(st->msg, sizeof(st->msg), "dòng dài quá %d byte (line longer than %d bytes)",
				ATTT_MAX_LINE - 3, ATTT_MAX_LINE - 3);
		stream_fail(st, ATTT_E_PARSE, st->msg);
		return -1;
	}
	if (!attt_utf8_valid(start, len)) {
		stream_fail(st, ATTT_E_PARSE,
			    "dòng chứa byte không hợp lệ: UTF-8 sai, NUL hoặc ký tự điều khiển "
			    "(invalid UTF-8, NUL or control character)");
		return -1;
	}
	if (len > 0 && *start == '[') {
		const char *close = memchr(start, ']', len);
		char section[INI_NAME_MAX + 1];
		size_t n;
		int r;

		if (!close)
			return 0; /* inih reports the syntax error */
		n = (size_t)(close - start - 1);
		if (n > INI_NAME_MAX) {
			attt_str_printf(st->msg, sizeof(st->msg), "tên mục dài quá %d byte (section name longer than %d bytes)",
					INI_NAME_MAX, INI_NAME_MAX);
			stream_fail(st, ATTT_E_PARSE, st->msg);
			return -1;
		}
		memcpy(section, start + 1, n);
		section[n] = '\0';
		for (const char *p = close + 1; p < start + len; p++) {
			if (*p == ';' || *p == '#')
				break;
			if (*p != ' ' && *p != '\t' && *p != '\r') {
				stream_fail(st, ATTT_E_PARSE, "thừa ký tự sau ] (unexpected text after ])");
				return -1;
			}
		}
		if (st->h->on_section) {
			st->msg[0] = '\0';
			r = st->h->on_section(st->h->user, section, st->line, st->msg, sizeof(st->msg));
			if (r < 0) {
				stream_fail(st, r, st->msg);
				return -1;
			}
		}
	}
	return 0;
}

/* fgets over the memory buffer, one line (or the part of it that fits) per call. */
static char *stream_reader(char *str, int num, void *stream)
{
	struct ini_stream *st = stream;
	const char *nl;
	size_t avail, n;

	if (st->err || st->p >= st->end || num < 2)
		return NULL;
	if (st->at_line_start) {
		const char *eol;
		st->line++;
		while (st->p < st->end && (*st->p == ' ' || *st->p == '\t'))
			st->p++;
		eol = memchr(st->p, '\n', (size_t)(st->end - st->p));
		if (check_line(st, st->p, eol ? (size_t)(eol - st->p) : (size_t)(st->end - st->p)) < 0)
			return NULL;
		st->at_line_start = false;
		if (st->p >= st->end) { /* a last line of only whitespace */
			str[0] = '\0';
			return str;
		}
	}
	avail = (size_t)(st->end - st->p);
	nl = memchr(st->p, '\n', avail);
	n = nl ? (size_t)(nl - st->p) + 1 : avail;
	if (n > (size_t)num - 1)
		n = (size_t)num - 1;
	memcpy(str, st->p, n);
	str[n] = '\0';
	st->p += n;
	if (n > 0 && str[n - 1] == '\n')
		st->at_line_start = true;
	return str;
}

static int stream_handler(void *user, const char *section, const char *key, const char *value)
{
	struct ini_stream *st = user;
	int r;

	if (st->err)
		return 0;
	st->msg[0] = '\0';
	r = st->h->on_key(st->h->user, section, key, value, st->line, st->msg, sizeof(st->msg));
	if (r < 0) {
		stream_fail(st, r, st->msg);
		return 0;
	}
	return 1;
}

int attt_config_ini_parse(const char *text, size_t len, const char *name, const struct attt_ini_handler *h,
			  char *err, size_t errsz)
{
	struct ini_stream st;
	int r;

	if (!name)
		name = "<memory>";
	if (len > ATTT_MAX_CONFIG_FILE) {
		if (errsz)
			attt_str_printf(err, errsz, "%s: tệp lớn quá %u byte (file larger than %u bytes)", name,
					ATTT_MAX_CONFIG_FILE, ATTT_MAX_CONFIG_FILE);
		return ATTT_E_TOOBIG;
	}
	pthread_once(&ini_once, ini_setup);
	memset(&st, 0, sizeof(st));
	st.p = text;
	st.end = text + len;
	st.at_line_start = true;
	st.h = h;
	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
		st.p += 3;
	r = ini_parse_stream(stream_reader, &st, stream_handler, &st);
	if (st.err) {
		if (errsz && attt_str_printf(err, errsz, "%s:%d: %s", name, st.err_line, st.msg) < 0)
			attt_str_printf(err, errsz, "%s:%d", name, st.err_line);
		return st.err;
	}
	if (r == -2) {
		if (errsz)
			attt_str_printf(err, errsz, "%s: hết bộ nhớ (out of memory)", name);
		return ATTT_E_NOMEM;
	}
	if (r != 0) {
		if (errsz)
			attt_str_printf(err, errsz,
					"%s:%d: dòng không hợp lệ, cần [mục] hoặc khóa = giá trị "
					"(invalid line, expected [section] or key = value)",
					name, r);
		return ATTT_E_PARSE;
	}
	return ATTT_OK;
}

int attt_config_read_file(const char *path, char **ret, size_t *ret_len)
{
	int fd = -1, r;
	struct stat st;
	char *buf = NULL;
	size_t got = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		r = errno == ENOENT || errno == ENOTDIR ? ATTT_E_NOTFOUND : ATTT_E_IO;
		goto out;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		r = ATTT_E_IO;
		goto out;
	}
	if ((uint64_t)st.st_size > ATTT_MAX_CONFIG_FILE) {
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
		if (n < 0) {
			r = ATTT_E_IO;
			goto out;
		}
		if (n == 0)
			break; /* the file shrank while being read: take what is there */
		got += (size_t)n;
	}
	buf[got] = '\0';
	*ret = buf;
	buf = NULL;
	*ret_len = got;
	r = ATTT_OK;
out:
	free(buf);
	if (fd >= 0)
		close(fd);
	return r;
}
