/*
 * tick_scan.c: the server's libclamav engine over time (R8.6): once a minute of the app clock
 * (attt_app_clock, which the test hook moves) it is reloaded when clamav-freshclam (or the
 * operator) changed the signature database, so a running server scans with current signatures; at
 * shutdown it is freed. The engine itself lives in routes_incident_files.c, which loads it at the
 * first upload and makes a due check itself when an upload comes before the tick.
 */
#include <stdint.h>

#include "incident_files.h"
#include "routes.h"

int tick_scan(struct attt_app *app, int64_t now_us, void **state)
{
	(void)state; /* the time of the next check is the engine's (uploads check too) */
	return incident_files_tick(app, now_us);
}
