/*
 * tick_audit.c: the audit checkpoint maker of attt serve (R7.1). About once a second, on the tick
 * thread and its own database connection, attt_audit_tick makes a signed checkpoint when 60 s or
 * 1000 events have passed (config [audit]) and publishes it off the database: the checkpoint file,
 * syslog and the witnesses, so that deleting the newest events is detectable. The signing key is
 * read once from keys/audit.key and the seed wiped; nothing here runs on a request's path.
 */
#include <stdlib.h>

#include <sodium.h>

#include "attt/app.h"
#include "attt/audit.h"
#include "attt/err.h"
#include "attt/log.h"
#include "routes.h"

struct audit_tick {
	struct attt_audit_signer *signer;
	struct attt_audit_ticker *ticker;
};

static void audit_tick_free(struct audit_tick *t)
{
	if (!t)
		return;
	attt_audit_ticker_free(t->ticker);
	attt_audit_signer_free(t->signer);
	free(t);
}

static int audit_tick_new(struct attt_app *app, struct audit_tick **ret)
{
	struct audit_tick *t = NULL;
	struct attt_audit_publish_opts po;
	unsigned char seed[32];
	char origin[ATTT_AUDIT_MAX_NAME + 1];
	int r;

	t = calloc(1, sizeof(*t));
	if (!t)
		return ATTT_E_NOMEM;
	r = attt_audit_publish_opts_from_config(attt_app_config(app), &po);
	if (r < 0)
		goto out;
	r = attt_audit_origin(po.origin, attt_app_data_id(app), origin, sizeof(origin));
	if (r < 0)
		goto out;
	po.origin = origin;
	r = attt_app_read_key(app, ATTT_APP_AUDIT_KEY, seed, sizeof(seed));
	if (r < 0)
		goto out;
	r = attt_audit_signer_new(origin, seed, &t->signer);
	sodium_memzero(seed, sizeof(seed));
	if (r < 0)
		goto out;
	r = attt_audit_ticker_new(&po, &t->ticker);
	if (r < 0)
		goto out;
	*ret = t;
	t = NULL;
out:
	audit_tick_free(t);
	return r;
}

int tick_audit(struct attt_app *app, int64_t now_us, void **state)
{
	struct audit_tick *t = *state;
	struct attt_db *db = NULL;
	int r;

	if (now_us == 0) {
		/* Shutdown: one last checkpoint so that the newest events are covered, then free. */
		if (t && serve_thread_db(app, &db) >= 0)
			(void)attt_audit_tick(t->ticker, db, attt_app_clock(app), t->signer, NULL);
		audit_tick_free(t);
		*state = NULL;
		return ATTT_OK;
	}
	if (!t) {
		r = audit_tick_new(app, &t);
		if (r < 0)
			return r;
		*state = t;
	}
	r = serve_thread_db(app, &db);
	if (r < 0)
		return r;
	return attt_audit_tick(t->ticker, db, attt_app_clock(app), t->signer, NULL);
}
