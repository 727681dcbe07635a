/* clock.c: the system clock and random source, and time formats shown to Vietnamese users. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "attt/clock.h"
#include "attt/err.h"
#include "attt/str.h"

static int64_t system_now(void *ctx)
{
	struct timespec ts;
	(void)ctx;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * ATTT_USEC_PER_SEC + ts.tv_nsec / 1000;
}

static void system_fill(void *ctx, void *buf, size_t n)
{
	(void)ctx;
	randombytes_buf(buf, n);
}

const struct attt_clock attt_clock_system = { system_now, NULL };
const struct attt_rng attt_rng_system = { system_fill, NULL };

int64_t attt_clock_fake_now(void *ctx)
{
	return *(const int64_t *)ctx;
}

/* Floor division so that times before 1970 still format correctly. */
static time_t to_sec(int64_t t)
{
	int64_t s = t / ATTT_USEC_PER_SEC;
	if (t % ATTT_USEC_PER_SEC < 0)
		s--;
	return (time_t)s;
}

int attt_time_iso(int64_t t, char *buf, size_t size)
{
	struct tm tm;
	time_t s = to_sec(t);
	if (!gmtime_r(&s, &tm))
		return ATTT_E_RANGE;
	return attt_str_printf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900,
			       tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

int attt_time_local(int64_t t, char *buf, size_t size)
{
	struct tm tm;
	time_t s = to_sec(t) + ATTT_VN_OFFSET_SEC;
	if (!gmtime_r(&s, &tm))
		return ATTT_E_RANGE;
	return attt_str_printf(buf, size, "%02d/%02d/%04d %02d:%02d", tm.tm_mday, tm.tm_mon + 1,
			       tm.tm_year + 1900, tm.tm_hour, tm.tm_min);
}

int attt_date_local(int64_t t, char *buf, size_t size)
{
	struct tm tm;
	time_t s = to_sec(t) + ATTT_VN_OFFSET_SEC;
	if (!gmtime_r(&s, &tm))
		return ATTT_E_RANGE;
	return attt_str_printf(buf, size, "%02d/%02d/%04d", tm.tm_mday, tm.tm_mon + 1, tm.tm_year + 1900);
}

/* Reads exactly n digits at *p into *v, advancing *p. */
static int digits(const char **p, int n, int *v)
{
	int x = 0;
	for (int i = 0; i < n; i++) {
		char c = (*p)[i];
		if (c < '0' || c > '9')
			return ATTT_E_INVAL;
		x = x * 10 + (c - '0');
	}
	*p += n;
	*v = x;
	return ATTT_OK;
}

static int days_in_month(int y, int m)
{
	static const int d[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return d[m - 1];
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian), after Howard Hinnant's algorithm. */
static int64_t days_from_civil(int y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int make_time(int y, int mo, int d, int h, int mi, int s, int offset_sec, int64_t *ret)
{
	if (y < 1900 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 ||
	    mi > 59 || s > 60)
		return ATTT_E_INVAL;
	if (s == 60)
		s = 59; /* a leap second is kept inside its minute */
	int64_t secs = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s - offset_sec;
	*ret = secs * ATTT_USEC_PER_SEC;
	return ATTT_OK;
}

int attt_time_parse(const char *str, int64_t *ret)
{
	const char *p = str;
	int y, mo, d, h = 0, mi = 0, s = 0, off = ATTT_VN_OFFSET_SEC;

	if (!str)
		return ATTT_E_INVAL;
	if (strlen(str) >= 10 && str[2] == '/' && str[5] == '/') {
		/* dd/mm/yyyy[ HH:MM], local time */
		if (digits(&p, 2, &d) < 0 || *p++ != '/' || digits(&p, 2, &mo) < 0 || *p++ != '/' ||
		    digits(&p, 4, &y) < 0)
			return ATTT_E_INVAL;
		if (*p == ' ') {
			p++;
			if (digits(&p, 2, &h) < 0 || *p++ != ':' || digits(&p, 2, &mi) < 0)
				return ATTT_E_INVAL;
		}
		if (*p)
			return ATTT_E_INVAL;
		return make_time(y, mo, d, h, mi, 0, off, ret);
	}
	if (digits(&p, 4, &y) < 0 || *p++ != '-' || digits(&p, 2, &mo) < 0 || *p++ != '-' ||
	    digits(&p, 2, &d) < 0)
		return ATTT_E_INVAL;
	if (*p == '\0')
		return make_time(y, mo, d, 0, 0, 0, off, ret);
	if (*p != 'T' && *p != 't' && *p != ' ')
		return ATTT_E_INVAL;
	p++;
	if (digits(&p, 2, &h) < 0 || *p++ != ':' || digits(&p, 2, &mi) < 0)
		return ATTT_E_INVAL;
	if (*p == ':') {
		p++;
		if (digits(&p, 2, &s) < 0)
			return ATTT_E_INVAL;
		if (*p == '.') { /* fractions are accepted and dropped: stored precision is the second */
			p++;
			if (*p < '0' || *p > '9')
				return ATTT_E_INVAL;
			while (*p >= '0' && *p <= '9')
				p++;
		}
	}
	if (*p == 'Z' || *p == 'z') {
		off = 0;
		p++;
	} else if (*p == '+' || *p == '-') {
		int oh, om, sign = *p == '-' ? -1 : 1;
		p++;
		if (digits(&p, 2, &oh) < 0 || *p++ != ':' || digits(&p, 2, &om) < 0 || oh > 23 || om > 59)
			return ATTT_E_INVAL;
		off = sign * (oh * 3600 + om * 60);
	} else {
		return ATTT_E_INVAL; /* a time without a zone is ambiguous */
	}
	if (*p)
		return ATTT_E_INVAL;
	return make_time(y, mo, d, h, mi, s, off, ret);
}
