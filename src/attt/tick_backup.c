/*
 * tick_backup.c: overdue backup plans in attt serve (R10.1.b). Once a minute, a plan whose last
 * successful run is older than its interval raises one "backup.overdue" notification to the
 * security officers of its agency (and the agencies above), once per overdue period. The runs
 * themselves come from cron (`attt backup plan run ID`, docs/backup-plans.md), not from this
 * thread: a long backup must not hold up the other ticks (the audit checkpoint).
 */
#include <stdlib.h>

#include "attt/app.h"
#include "attt/bplan.h"
#include "attt/err.h"
#include "attt/log.h"
#include "routes.h"

#define BACKUP_TICK_US (INT64_C(60) * ATTT_USEC_PER_SEC)

struct backup_tick { int64_t next_us; };

int tick_backup(struct attt_app *app, int64_t now_us, void **state)
{
	struct backup_tick *t = *state;
	struct attt_db *db = NULL;
	unsigned alerted = 0;
	int r;

	if (now_us == 0) {
		free(t);
		*state = NULL;
		return ATTT_OK;
	}
	if (!t) {
		if (!(t = calloc(1, sizeof(*t))))
			return ATTT_E_NOMEM;
		*state = t;
	}
	if (now_us < t->next_us)
		return ATTT_OK;
	t->next_us = now_us + BACKUP_TICK_US;
	if ((r = serve_thread_db(app, &db)) < 0)
		return r;
	/* R10.1.b: a missed or failed run raises an alert to the agency's officers. */
	if ((r = attt_bplan_alert_overdue(db, attt_app_clock(app), &alerted)) < 0)
		return r;
	if (alerted)
		log_warn("backup: %u kế hoạch quá hạn / overdue plan(s), officers notified", alerted);
	return ATTT_OK;
}
