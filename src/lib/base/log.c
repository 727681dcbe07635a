/*
 * log.c: diagnostic log lines, text or JSON, one write(2) each so that threads do not interleave.
 * Messages are escaped: control characters and quotes from user input cannot forge a line.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "attt/err.h"
#include "attt/log.h"

enum attt_log_level attt__log_level = ATTT_LOG_WARN;
static int log_fd = 2;
static enum attt_log_format log_format = ATTT_LOG_TEXT;

void attt_log_open(int fd, enum attt_log_format fmt, enum attt_log_level level)
{
	log_fd = fd < 0 ? 2 : fd;
	if (fmt == ATTT_LOG_AUTO)
		fmt = isatty(log_fd) ? ATTT_LOG_TEXT : ATTT_LOG_JSON;
	log_format = fmt;
	attt__log_level = level;
}

void attt_log_set_level(enum attt_log_level level)
{
	attt__log_level = level;
}

static const char *const level_names[] = { "debug", "info", "warn", "error", "off" };

int attt_log_level_parse(const char *s, enum attt_log_level *ret_level)
{
	for (int i = 0; i <= ATTT_LOG_OFF; i++) {
		if (strcasecmp(s, level_names[i]) == 0) {
			*ret_level = (enum attt_log_level)i;
			return ATTT_OK;
		}
	}
	return ATTT_E_INVAL;
}

/* Appends s to out[*pos..size) escaped for JSON (which also makes it safe as one text line). */
static void put_escaped(char *out, size_t size, size_t *pos, const char *s)
{
	for (; *s && *pos + 7 < size; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\') {
			out[(*pos)++] = '\\';
			out[(*pos)++] = (char)c;
		} else if (c < 0x20 || c == 0x7f) {
			*pos += (size_t)snprintf(out + *pos, size - *pos, "\\u%04x", c);
		} else {
			out[(*pos)++] = (char)c;
		}
	}
}

static void put_raw(char *out, size_t size, size_t *pos, const char *s)
{
	size_t n = strlen(s);
	if (n > size - *pos - 2)
		n = size - *pos - 2;
	memcpy(out + *pos, s, n);
	*pos += n;
}

void attt_log_write(enum attt_log_level level, const char *file, int line, const char *func,
		    const char *fmt, ...)
{
	char msg[2048], out[4096], ts[96], where[256];
	size_t pos = 0;
	struct timespec now;
	struct tm tm;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	snprintf(ts, sizeof(ts), "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, now.tv_nsec / 1000000);
	const char *base = strrchr(file, '/');
	snprintf(where, sizeof(where), "%s:%d", base ? base + 1 : file, line);

	if (log_format == ATTT_LOG_JSON) {
		put_raw(out, sizeof(out), &pos, "{\"time\":\"");
		put_raw(out, sizeof(out), &pos, ts);
		put_raw(out, sizeof(out), &pos, "\",\"level\":\"");
		put_raw(out, sizeof(out), &pos, level_names[level]);
		put_raw(out, sizeof(out), &pos, "\",\"src\":\"");
		put_escaped(out, sizeof(out), &pos, where);
		put_raw(out, sizeof(out), &pos, "\",\"func\":\"");
		put_escaped(out, sizeof(out), &pos, func);
		put_raw(out, sizeof(out), &pos, "\",\"msg\":\"");
		put_escaped(out, sizeof(out), &pos, msg);
		put_raw(out, sizeof(out), &pos, "\"}");
	} else {
		put_raw(out, sizeof(out), &pos, ts);
		put_raw(out, sizeof(out), &pos, " ");
		put_raw(out, sizeof(out), &pos, level_names[level]);
		put_raw(out, sizeof(out), &pos, " ");
		put_escaped(out, sizeof(out), &pos, where);
		put_raw(out, sizeof(out), &pos, ": ");
		put_escaped(out, sizeof(out), &pos, msg);
	}
	out[pos++] = '\n';
	ssize_t w = write(log_fd, out, pos);
	(void)w;
}
