/*
 * sql.c: small statement helpers for the account module, so that each query is one call with its
 * parameters next to it, and the audit helper that builds each event's summary from JSON.
 *
 * Every SQL text of this module is fixed (literals, macros), so the helpers take their statements
 * from the connection's cache (attt_db_prepare_cached): compiling a statement costs SQLite more than
 * running it, and a login runs about ten of them around its Argon2id verification
 * (docs/performance.md "Login").
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account-int.h"
#include "attt/err.h"

static int bind_all(struct attt_stmt *st, const char *types, va_list ap)
{
	int r = ATTT_OK;
	for (int i = 0; types && types[i] && r == ATTT_OK; i++) {
		if (types[i] == 'i')
			r = attt_stmt_bind_int64(st, i + 1, va_arg(ap, int64_t));
		else if (types[i] == 'n') {
			int64_t v = va_arg(ap, int64_t);
			r = v ? attt_stmt_bind_int64(st, i + 1, v) : attt_stmt_bind_null(st, i + 1);
		} else if (types[i] == 't')
			r = attt_stmt_bind_text(st, i + 1, va_arg(ap, const char *));
		else
			r = ATTT_E_INTERNAL;
	}
	return r;
}

int attt__acct_prep(struct attt_db *db, struct attt_stmt **ret, const char *sql, const char *types, ...)
{
	struct attt_stmt *st = NULL;
	va_list ap;
	int r;

	r = attt_db_prepare_cached(db, sql, &st);
	if (r < 0)
		return r;
	va_start(ap, types);
	r = bind_all(st, types, ap);
	va_end(ap);
	if (r < 0) {
		attt_stmt_finalize(st);
		return r;
	}
	*ret = st;
	return ATTT_OK;
}

int attt__acct_exec(struct attt_db *db, const char *sql, const char *types, ...)
{
	struct attt_stmt *st = NULL;
	va_list ap;
	int r;

	r = attt_db_prepare_cached(db, sql, &st);
	if (r < 0)
		return r;
	va_start(ap, types);
	r = bind_all(st, types, ap);
	va_end(ap);
	while (r >= 0 && (r = attt_stmt_step(st)) > 0)
		;
	attt_stmt_finalize(st);
	return r < 0 ? r : ATTT_OK;
}

int attt__acct_int(struct attt_db *db, int64_t *ret, const char *sql, const char *types, ...)
{
	struct attt_stmt *st = NULL;
	va_list ap;
	int r;

	r = attt_db_prepare_cached(db, sql, &st);
	if (r < 0)
		return r;
	va_start(ap, types);
	r = bind_all(st, types, ap);
	va_end(ap);
	if (r >= 0)
		r = attt_stmt_step(st);
	if (r == 0)
		r = ATTT_E_NOTFOUND;
	if (r > 0) {
		*ret = attt_stmt_int64(st, 0);
		r = ATTT_OK;
	}
	attt_stmt_finalize(st);
	return r;
}

static pthread_mutex_t tx_lock = PTHREAD_MUTEX_INITIALIZER;

int attt__acct_tx(struct attt_db *db, int (*fn)(struct attt_db *db, void *ctx), void *ctx)
{
	int r;
	pthread_mutex_lock(&tx_lock);
	r = attt_db_tx(db, fn, ctx);
	pthread_mutex_unlock(&tx_lock);
	return r;
}

int attt__acct_audit(const struct attt_auth_ctx *c, const struct attt_actor *actor, enum attt_audit_category cat,
		     const char *action, const char *object_type, int64_t object_id, int64_t agency_id,
		     enum attt_audit_outcome outcome, const char *rule, json_t *summary)
{
	static const struct attt_actor system_actor = {0, 0, 0, "system", NULL, "system"};
	char idbuf[24], *text = NULL;
	int r;

	if (summary) {
		text = json_dumps(summary, JSON_COMPACT | JSON_SORT_KEYS);
		json_decref(summary);
		if (!text)
			return ATTT_E_NOMEM;
	}
	snprintf(idbuf, sizeof(idbuf), "%lld", (long long)object_id);
	struct attt_audit_event ev = {
		.category = cat,
		.action = action,
		.object_type = object_type,
		.object_id = object_id ? idbuf : NULL,
		.agency_id = agency_id,
		.outcome = outcome,
		.rule = rule,
		.summary = text,
	};
	r = attt_audit_append(c->db, c->clock, actor ? actor : &system_actor, &ev, NULL);
	free(text);
	return r;
}
