/*
 * db-int.h: private to the db module (and its tests): the embedded migrations table and the
 * migration runner over an arbitrary table, so that tests can run the mechanism on made-up
 * migrations without touching the real ones.
 */
#ifndef ATTT_DB_INT_H
#define ATTT_DB_INT_H

#include <stddef.h>

#include "attt/db.h"

struct attt__migration {
	int version;      /* NNNN of the file name, > 0 */
	const char *name; /* the name part, without number and ".sql" */
	const char *sql;  /* the whole file, NUL-terminated */
};

/* Generated from the files db/migrations/NNNN_name.sql at build time, sorted by version, with a { 0, NULL, NULL }
 * row after the last. */
extern const struct attt__migration attt__migrations[];
extern const size_t attt__migrations_count;

/* Applies the migrations list[0..n) (sorted by version) that db has not recorded yet, each in its
 * own transaction. ATTT_E_STATE if db records a version that is not in the list (a database
 * written by a newer or different binary). */
int attt__db_migrate_list(struct attt_db *db, const struct attt__migration *list, size_t n);

/* Maps a SQLite result code of db's connection to enum attt_err and logs the message at debug. */
int attt__db_err(struct attt_db *db, int rc, const char *what);

#endif
