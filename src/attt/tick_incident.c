/*
 * tick_incident.c: R11.3 deadline notices in attt serve. Once a minute, every deadline of an open
 * incident still to meet (the notice and report deadlines before the authority has the Mẫu 03, the
 * Mẫu 04 closing report after the response) is told once as approaching and once as missed, to the
 * incident's owner, the agency's security officers and the authority (attt_incident_sweep_deadlines,
 * idempotent). Cron can run the same sweep with `attt incident sweep` when no server runs.
 */
#include <stdlib.h>

#include "attt/app.h"
#include "attt/err.h"
#include "attt/incident.h"
#include "attt/log.h"
#include "routes.h"

#define INCIDENT_TICK_US (INT64_C(60) * ATTT_USEC_PER_SEC)

struct incident_tick { int64_t next_us; };

int tick_incident(struct attt_app *app, int64_t now_us, void **state)
{
	struct incident_tick *t = *state;
	struct attt_incident_sweep_stats st = { 0 };
	struct attt_db *db = NULL;
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
	t->next_us = now_us + INCIDENT_TICK_US;
	if ((r = serve_thread_db(app, &db)) < 0)
		return r;
	/* R11.3: deadlines approaching and missed are notified, once each. */
	if ((r = attt_incident_sweep_deadlines(db, attt_app_clock(app), attt_app_policy(app), 0, &st)) < 0)
		return r;
	if (st.near || st.missed)
		log_info("incident: %u hạn sắp đến, %u quá hạn / %u deadline(s) near, %u missed; %u notification(s)",
			 st.near, st.missed, st.near, st.missed, st.recipients);
	return ATTT_OK;
}
