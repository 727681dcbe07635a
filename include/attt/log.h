/*
 * log.h: the diagnostic log (not the audit trail: audit events go through audit.h only).
 *
 * Macros carry file, function and line, are checked as printf formats and cost one comparison when
 * the level is off. Output is text on a terminal and JSON lines otherwise (attt_log_open decides);
 * every message is escaped so that user-supplied strings cannot forge log lines. The library logs at
 * debug level only; programs log an error once, where they decide about it. Never log a secret.
 * Thread-safe: one write(2) per line.
 */
#ifndef ATTT_LOG_H
#define ATTT_LOG_H

#include <stdbool.h>

enum attt_log_level { ATTT_LOG_DEBUG = 0, ATTT_LOG_INFO, ATTT_LOG_WARN, ATTT_LOG_ERROR, ATTT_LOG_OFF };
enum attt_log_format { ATTT_LOG_AUTO = 0, ATTT_LOG_TEXT, ATTT_LOG_JSON };

extern enum attt_log_level attt__log_level;

/* Sends the log to fd (stderr when fd < 0) in format fmt (AUTO: text if fd is a terminal). */
void attt_log_open(int fd, enum attt_log_format fmt, enum attt_log_level level);
void attt_log_set_level(enum attt_log_level level);
/* Parses "debug", "info", "warn", "error", "off"; ATTT_E_INVAL otherwise. */
int attt_log_level_parse(const char *s, enum attt_log_level *ret_level);

void attt_log_write(enum attt_log_level level, const char *file, int line, const char *func,
		    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

#define attt_log(level, ...)                                                                     \
	do {                                                                                     \
		if ((level) >= attt__log_level)                                                  \
			attt_log_write((level), __FILE__, __LINE__, __func__, __VA_ARGS__);       \
	} while (0)
#define log_debug(...) attt_log(ATTT_LOG_DEBUG, __VA_ARGS__)
#define log_info(...) attt_log(ATTT_LOG_INFO, __VA_ARGS__)
#define log_warn(...) attt_log(ATTT_LOG_WARN, __VA_ARGS__)
#define log_error(...) attt_log(ATTT_LOG_ERROR, __VA_ARGS__)
/* Logs at level and evaluates to err, for "return log_error_err(r, ...)" in one line. */
#define log_err_ret(level, err, ...) ({ attt_log((level), __VA_ARGS__); (err); })
#define log_debug_err(err, ...) log_err_ret(ATTT_LOG_DEBUG, (err), __VA_ARGS__)
#define log_error_err(err, ...) log_err_ret(ATTT_LOG_ERROR, (err), __VA_ARGS__)

#endif
