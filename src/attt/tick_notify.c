/*
 * tick_notify.c: mail delivery of attt serve. Notifications are queued durably in the database by
 * the change that causes them (an account lock, an escalated incident); this tick sends what is
 * due through the SMTP relay of config [mail], a batch at a time, and leaves failures queued with
 * backoff, so that a relay outage loses nothing. With no relay configured, notifications stay in
 * the recipients' in-app inboxes only.
 */
#include "attt/app.h"
#include "attt/config.h"
#include "attt/err.h"
#include "attt/log.h"
#include "attt/notify.h"
#include "routes.h"

#define NOTIFY_BATCH 20

static const char *nonempty(const char *s)
{
	return s && *s ? s : NULL;
}

int tick_notify(struct attt_app *app, int64_t now_us, void **state)
{
	const struct attt_config *cfg = attt_app_config(app);
	struct attt_notify_smtp smtp = { 0 };
	struct attt_notify_stats st = { 0 };
	struct attt_db *db = NULL;
	int r;

	(void)state;
	if (now_us == 0)
		return ATTT_OK;
	smtp.url = nonempty(attt_config_string(cfg, "mail.smtp_url"));
	smtp.from = nonempty(attt_config_string(cfg, "mail.from"));
	if (!smtp.url || !smtp.from)
		return ATTT_OK;
	smtp.user = nonempty(attt_config_string(cfg, "mail.username"));
	smtp.password = nonempty(attt_config_string(cfg, "mail.password"));
	r = serve_thread_db(app, &db);
	if (r < 0)
		return r;
	r = attt_notify_deliver(db, attt_app_clock(app), &smtp, NOTIFY_BATCH, &st);
	if (r < 0)
		return r;
	if (st.retried || st.failed)
		log_warn("notify: %u sent, %u to retry, %u failed", st.sent, st.retried, st.failed);
	return ATTT_OK;
}
