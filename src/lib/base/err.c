/* err.c: lookups in the one error table of err.h. */
#include <string.h>

#include "attt/err.h"

struct err_entry {
	int code;
	int http;
	const char *name;
	const char *vi;
	const char *en;
};

static const struct err_entry table[] = {
#define ATTT_ERR_ROW(nm, val, http, id, vi, en) { (val), (http), (id), (vi), (en) },
	ATTT_ERRORS(ATTT_ERR_ROW)
#undef ATTT_ERR_ROW
};

static const struct err_entry *find(int err)
{
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (table[i].code == err)
			return &table[i];
	return NULL;
}

const char *attt_strerror(int err)
{
	const struct err_entry *e = find(err);
	return e ? e->en : "Unknown error";
}

const char *attt_strerror_vi(int err)
{
	const struct err_entry *e = find(err);
	return e ? e->vi : "Lỗi không xác định";
}

const char *attt_strerror_lang(int err, const char *lang)
{
	if (lang && strcmp(lang, "en") == 0)
		return attt_strerror(err);
	return attt_strerror_vi(err);
}

const char *attt_err_name(int err)
{
	const struct err_entry *e = find(err);
	return e ? e->name : "unknown";
}

int attt_err_http_status(int err)
{
	const struct err_entry *e = find(err);
	return e ? e->http : 500;
}
