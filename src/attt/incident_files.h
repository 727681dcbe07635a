/*
 * incident_files.h: what the attt program shares about incident attachments and stored documents
 * (R8.6): the command-line verbs `attt incident attach|attachments|download` (cmd_incident_attach.c,
 * dispatched from cmd_incident.c) and the opening of the libclamav engine from attt.ini, which the
 * command line and the API (routes_incident_files.c) both use.
 */
#ifndef ATTT_INCIDENT_FILES_H
#define ATTT_INCIDENT_FILES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <stdint.h>

struct attt_app;
struct attt_config;
struct attt_scan;

/* True for the verbs cmd_incident_files handles. */
bool incident_files_verb(const char *verb);
/* `attt incident attach|attachments|download ...` (argv[0] = "incident", argv[1] = the verb);
 * returns the exit code. */
int cmd_incident_files(int argc, char **argv);

/* R8.6: the engine of cfg's scan.database (attt_scan_open); on failure err[errsz] says why. */
int incident_scan_open(const struct attt_config *cfg, struct attt_scan **ret, char *err, size_t errsz);

/* What identifies one state of a signature database: the path's and (for a directory) its entries'
 * modification times, sizes and count. Two equal stamps mean nothing to reload. */
struct incident_scan_stamp {
	long long mtime_ns, size;
	unsigned entries;
	int exists;
};
/* The stamp of path (never fails: a missing path has exists = 0). */
void incident_scan_stamp(const char *path, struct incident_scan_stamp *ret);

/* How often (app clock) the server compares the database's stamp with the loaded engine's. */
#define INCIDENT_SCAN_CHECK_US (INT64_C(60) * 1000000)
/* The server's engine (routes_incident_files.c), called by tick_scan with the app clock's now_us:
 * when INCIDENT_SCAN_CHECK_US have passed since the last check (the tick's or an upload's) reloads
 * it if the database changed; with now_us == 0 (shutdown) frees it. */
int incident_files_tick(struct attt_app *app, int64_t now_us);

#endif
