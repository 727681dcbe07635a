/*
 * audit.h: the tamper-evident audit trail (R7.1, R7.2).
 *
 * Every change of data, login, configuration view or change and permission change writes exactly
 * one event through attt_audit_append, inside the same database transaction as the change: no
 * change without its event, no event without its change. Events are the leaves of an RFC 9162
 * Merkle tree; signed checkpoints make removal of the newest events detectable.
 *
 * This section is the append contract that every service uses. The audit module owns the rest of
 * this header (tree, checkpoints, proofs, verification, queries).
 */
#ifndef ATTT_AUDIT_H
#define ATTT_AUDIT_H

#include <stdint.h>

#include "attt/clock.h"

struct attt_db;

/* R7.2: the regulation's five categories. */
enum attt_audit_category {
	ATTT_AUDIT_AUTH = 1,       /* logins, logouts, lockouts, MFA */
	ATTT_AUDIT_DATA = 2,       /* create, update, delete of any record */
	ATTT_AUDIT_CONFIG = 3,     /* view and change of system settings and profiles */
	ATTT_AUDIT_CONNECTION = 4, /* abnormal connections in and out (collector) */
	ATTT_AUDIT_ACCESS = 5,     /* roles, rights, tokens */
};

enum attt_audit_outcome {
	ATTT_AUDIT_SUCCESS = 0,
	ATTT_AUDIT_FAILURE = 1, /* the action was attempted and failed (wrong password, bad input) */
	ATTT_AUDIT_DENIED = 2,  /* the actor was not allowed */
};

/* Who acts. Strings are borrowed for the duration of the call; NULL means "not applicable". */
struct attt_actor {
	int64_t account_id;   /* 0: no account (the operator at the CLI, the system) */
	int64_t person_id;    /* 0: none */
	int64_t agency_id;    /* the actor's agency, 0: none */
	const char *username; /* account name, or "cli" / "system" */
	const char *session;  /* a short public session reference, never the secret */
	const char *source;   /* source address, or "cli" */
};

/* What happened. Strings are borrowed for the duration of the call. */
struct attt_audit_event {
	enum attt_audit_category category;
	const char *action;      /* dotted verb, e.g. "agency.create", "auth.login" */
	const char *object_type; /* e.g. "agency"; NULL for none */
	const char *object_id;   /* e.g. "42"; NULL for none */
	int64_t agency_id;       /* agency the object belongs to; 0 for none */
	enum attt_audit_outcome outcome;
	const char *rule;        /* rule ID the event serves, e.g. "R1.2"; NULL for none */
	const char *summary;     /* JSON object text of what changed, never a secret; NULL for none */
};

/* Appends ev as the next leaf of the trail, timestamped by clock (UTC µs). Must be called inside a
 * transaction of db opened with attt_db_begin/attt_db_tx; the event commits or rolls back with the
 * change. *ret_seq (may be NULL) gets the event's sequence number (0-based leaf index).
 * ATTT_E_INVAL for a missing action or an invalid category, outcome or summary. */
int attt_audit_append(struct attt_db *db, const struct attt_clock *clock, const struct attt_actor *actor,
		      const struct attt_audit_event *ev, int64_t *ret_seq);

#endif
