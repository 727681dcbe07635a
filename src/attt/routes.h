/*
 * routes.h: what `attt serve` wires together, as two lists that other files extend without
 * touching cmd_serve.c.
 *
 * ATTT_ROUTES(X): X(area) declares
 *     int routes_<area>_register(struct attt_http_server *srv, struct attt_app *app);
 * implemented in src/attt/routes_<area>.c. It registers its routes with attt_http_server_route
 * (ctx = app, or its own state) and returns ATTT_OK or the first error, which stops the server
 * before it listens. Handlers run on the server's pool threads; they get their database
 * connection from serve_thread_db().
 *
 * ATTT_TICKS(X): X(name) declares
 *     int tick_<name>(struct attt_app *app, int64_t now_us, void **state);
 * called about once a second, one after the other, on the single tick thread (so a tick may own
 * objects that are not thread-safe, such as the audit checkpoint ticker). *state is NULL at first
 * and belongs to the tick. At shutdown, after the HTTP server has stopped, each tick is called once
 * more with now_us == 0: the last chance to flush (a final checkpoint) and free *state. An error is
 * logged and the tick is called again at the next second.
 *
 * The server itself answers /healthz, /metrics and the static files. routes_auth installs the
 * authentication hook; a route that exposes data is registered without ATTT_HTTP_PUBLIC, so the
 * server answers 401 to it before its handler runs when there is no session.
 */
#ifndef ATTT_ROUTES_H
#define ATTT_ROUTES_H

#include <stdint.h>

struct attt_app;
struct attt_db;
struct attt_http_server;

#define ATTT_ROUTES(X) X(auth) X(org) X(audit) X(incident) X(incident_files) X(inbox)
#define ATTT_TICKS(X) X(auth) X(audit) X(notify) X(backup) X(incident) X(scan)

#define ATTT_ROUTE_DECL(area) int routes_##area##_register(struct attt_http_server *srv, struct attt_app *app);
ATTT_ROUTES(ATTT_ROUTE_DECL)
#undef ATTT_ROUTE_DECL
#define ATTT_TICK_DECL(name) int tick_##name(struct attt_app *app, int64_t now_us, void **state);
ATTT_TICKS(ATTT_TICK_DECL)
#undef ATTT_TICK_DECL

/* The calling thread's own connection to app's database: opened on first use (attt_db_open on
 * attt_app_db_path, no migration) and closed when the thread ends. For the server's pool threads
 * and the tick thread; the main thread uses attt_app_db(app). *ret is written only on success. */
int serve_thread_db(struct attt_app *app, struct attt_db **ret);

#endif
