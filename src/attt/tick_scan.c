/*
 * tick_scan.c: the server's libclamav engine over time (R8.6): about once a minute it is reloaded
 * when clamav-freshclam (or the operator) changed the signature database, so a running server scans
 * with current signatures; at shutdown it is freed. The engine itself lives in
 * routes_incident_files.c, which loads it at the first upload.
 */
#include <stdint.h>
#include <stdlib.h>

#include "attt/err.h"
#include "incident_files.h"
#include "routes.h"

int tick_scan(struct attt_app *app, int64_t now_us, void **state)
{
	int64_t *next = *state;
	int r;

	if (!next && now_us != 0) {
		next = calloc(1, sizeof(*next));
		if (!next)
			return ATTT_E_NOMEM;
		*next = now_us + INCIDENT_SCAN_CHECK_US;
		*state = next;
	}
	r = incident_files_tick(app, now_us, next ? next : &(int64_t){0});
	if (now_us == 0) {
		free(next);
		*state = NULL;
	}
	return r;
}
