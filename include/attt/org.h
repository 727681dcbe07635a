/*
 * org.h: agencies and people (R1.2).
 *
 * Agencies (cơ quan, đơn vị) form a tree of any depth up to ATTT_MAX_AGENCY_DEPTH; people belong to
 * one agency; every other record of attt is scoped to an agency. The tree can be reorganised (rename,
 * move, merge) without losing history: every such change is a row of agency_history, and a merged
 * agency keeps its id, marked `merged` with a pointer to the agency it went into.
 *
 * Subtrees are cheap to test: each agency row carries a materialised path "/<root id>/.../<own id>/"
 * (column agency.path), kept up to date by move and merge. X is inside the subtree of Y (or is Y)
 * exactly when X's path starts with Y's path; in SQL, with an index, that is
 *     x.path >= y.path AND x.path < <y.path with its last '/' replaced by '0'>
 * or, without the index, substr(x.path, 1, length(y.path)) = y.path.
 * A merged agency is re-hung under the agency it was merged into, so it stays inside every subtree
 * that holds its target and records still pointing at it stay visible to the same people.
 *
 * Text is stored NFC; search ignores case and Vietnamese diacritics (attt_text_fold): "nguyen van a"
 * finds "Nguyễn Văn A", "dang" finds "Đặng".
 *
 * Every mutating function takes (db, clock, actor, ...) and writes exactly one audit event per changed
 * record (category ATTT_AUDIT_DATA, rule "R1.2") in the same transaction as the change. Functions
 * without the _tx suffix open their own transaction (attt_db_tx); the _tx forms must be called inside
 * a transaction the caller holds (for services that create a person as part of a larger change).
 *
 * Thread-safety: functions are re-entrant; a struct attt_db is used by one thread at a time. Records
 * returned to the caller are owned by the caller and released with the matching _done function.
 */
#ifndef ATTT_ORG_H
#define ATTT_ORG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "attt/audit.h"
#include "attt/clock.h"

struct attt_db;

/* Agency types: X(ENUM, value, "name stored and used in CSV/JSON", "Vietnamese", "English").
 * The list is fixed in code; extending it means adding a row here (values are never reused). */
#define ATTT_AGENCY_TYPES(X)                                                                     \
	X(PROVINCE, 1, "province", "Tỉnh", "Province")                                           \
	X(DEPARTMENT, 2, "department", "Sở, ban, ngành", "Department")                           \
	X(COMMUNE, 3, "commune", "Xã, phường, đặc khu", "Commune")                               \
	X(DISTRICT, 4, "district", "Huyện (trước 2025)", "District (historic)")                  \
	X(PUBLIC_SERVICE_UNIT, 5, "public_service_unit", "Đơn vị sự nghiệp công lập", "Public service unit") \
	X(PARTY_BODY, 6, "party_body", "Cơ quan Đảng", "Party body")                              \
	X(CENTRAL_BODY, 7, "central_body", "Cơ quan Trung ương trên địa bàn", "Central body in the province") \
	X(SOCIO_POLITICAL, 8, "socio_political", "Tổ chức chính trị - xã hội", "Socio-political organisation") \
	X(OTHER, 9, "other", "Khác", "Other")

enum attt_agency_type {
#define ATTT_AGENCY_TYPE_ENUM(e, v, name, vi, en) ATTT_AGENCY_##e = (v),
	ATTT_AGENCY_TYPES(ATTT_AGENCY_TYPE_ENUM)
#undef ATTT_AGENCY_TYPE_ENUM
};

enum attt_agency_status {
	ATTT_AGENCY_ACTIVE = 1,
	ATTT_AGENCY_MERGED = 2,    /* merged into agency.merged_into; id stays resolvable */
	ATTT_AGENCY_DISSOLVED = 3,
};

enum attt_person_status {
	ATTT_PERSON_ACTIVE = 1,
	ATTT_PERSON_ON_LEAVE = 2,
	ATTT_PERSON_TRANSFERRED = 3,
	ATTT_PERSON_RETIRED = 4,
	ATTT_PERSON_LEFT = 5,
};

/* Names used in storage, CSV and JSON ("province", "active", "on_leave"...). parse returns
 * ATTT_E_INVAL for an unknown name (case-insensitive); name returns "" for an unknown value. */
int attt_org_agency_type_parse(const char *s, enum attt_agency_type *ret);
const char *attt_org_agency_type_name(enum attt_agency_type t);
const char *attt_org_agency_type_vi(enum attt_agency_type t);
int attt_org_agency_status_parse(const char *s, enum attt_agency_status *ret);
const char *attt_org_agency_status_name(enum attt_agency_status s);
int attt_org_person_status_parse(const char *s, enum attt_person_status *ret);
const char *attt_org_person_status_name(enum attt_person_status s);

/* Validation and normalisation of single fields, shared with CSV import and the API. Each writes a
 * malloc'ed normalised copy to *ret on success. ATTT_E_INVAL / ATTT_E_TOOBIG otherwise.
 * name: NFC, trimmed, non-empty, no control characters, at most ATTT_MAX_NAME bytes.
 * code: 1..64 bytes of [A-Za-z0-9._-] (kept as given).
 * email: lower-cased, local@domain with a dotted domain of letters, digits and hyphens, <= 254 bytes.
 * phone: spaces, dots, hyphens and parentheses removed; an optional leading '+', then 8..15 digits. */
int attt_org_norm_name(const char *s, char **ret);
int attt_org_norm_code(const char *s, char **ret);
int attt_org_norm_email(const char *s, char **ret);
int attt_org_norm_phone(const char *s, char **ret);

/* ---- agencies ---------------------------------------------------------------------------- */

struct attt_agency {
	int64_t id;
	char *name;          /* NFC */
	char *code;          /* NULL when none; unique among agencies */
	enum attt_agency_type type;
	int64_t parent_id;   /* 0 for a root */
	enum attt_agency_status status;
	int64_t merged_into; /* 0 unless status is MERGED */
	int depth;           /* 1 for a root */
	char *path;          /* "/1/5/12/" */
	int64_t created_at;  /* µs UTC */
	int64_t updated_at;
};
/* Frees the strings of a; the struct itself is the caller's. NULL is a no-op. */
void attt_org_agency_done(struct attt_agency *a);

struct attt_agency_new {
	const char *name;            /* required */
	enum attt_agency_type type;  /* required */
	const char *code;            /* NULL or "" for none */
	int64_t parent_id;           /* 0 for a root */
};

/* Creates an agency under parent_id. ATTT_E_INVAL for a bad field, ATTT_E_NOTFOUND for a missing
 * parent, ATTT_E_STATE for a parent that is merged or dissolved, ATTT_E_RANGE beyond
 * ATTT_MAX_AGENCY_DEPTH, ATTT_E_EXISTS for a code already used. Audit action "agency.create". */
int attt_org_agency_add(struct attt_db *db, const struct attt_clock *clock, const struct attt_actor *actor,
			const struct attt_agency_new *in, int64_t *ret_id);
int attt_org_agency_add_tx(struct attt_db *db, const struct attt_clock *clock, const struct attt_actor *actor,
			   const struct attt_agency_new *in, int64_t *ret_id);

/* Reads agency id (whatever its status). ATTT_E_NOTFOUND if there is none. */
int attt_org_agency_get(struct attt_db *db, int64_t id, struct attt_agency *ret);
/* Reads the agency that has code. ATTT_E_NOTFOUND if none. */
int attt_org_agency_get_by_code(struct attt_db *db, const char *code, struct attt_agency *ret);
/* Follows merged_into from id to the agency that now stands for it (id itself unless merged). */
int attt_org_agency_resolve(struct attt_db *db, int64_t id, int64_t *ret_id);

/* R1.2 / identity: *ret = true when agency is ancestor or lies in ancestor's subtree. Two indexed
 * point reads. ATTT_E_NOTFOUND when either id does not exist. */
int attt_org_agency_within(struct attt_db *db, int64_t agency, int64_t ancestor, bool *ret);

struct attt_agency_filter {
	bool by_parent;              /* true: only children of parent_id (0: roots) */
	int64_t parent_id;
	int64_t within;              /* > 0: only agencies in this subtree (itself included) */
	enum attt_agency_type type;  /* 0: any */
	enum attt_agency_status status; /* 0: any */
	const char *search;          /* NULL/"": none; folded, matched anywhere in the name, or the exact code */
	size_t limit;                /* 0: ATTT_HTTP_DEFAULT_PAGE; > ATTT_HTTP_MAX_PAGE: ATTT_E_RANGE */
	size_t offset;
};

struct attt_agency_list {
	struct attt_agency *items;
	size_t count;  /* items on this page */
	int64_t total; /* rows matching the filter, all pages */
};
void attt_org_agency_list_done(struct attt_agency_list *l);

/* Lists agencies matching f in tree order (by path). */
int attt_org_agency_list(struct attt_db *db, const struct attt_agency_filter *f, struct attt_agency_list *ret);
/* The ids of ancestor's whole subtree (ancestor first, tree order), up to max ids; ATTT_E_TOOBIG
 * beyond. *ret_ids is malloc'ed. */
int attt_org_agency_subtree(struct attt_db *db, int64_t ancestor, size_t max, int64_t **ret_ids, size_t *ret_n);

/* Renames id (history "rename", audit "agency.rename"). Renaming to the same name is a no-op. */
int attt_org_agency_rename(struct attt_db *db, const struct attt_clock *clock, const struct attt_actor *actor,
			   int64_t id, const char *name);
/* Moves id (with its subtree) under new_parent (0: make it a root). ATTT_E_CONFLICT when new_parent
 * is id or inside its subtree (a cycle), ATTT_E_RANGE when the subtree would pass the depth limit,
 * ATTT_E_STATE for a merged or dissolved agency on either side. History "move", audit "agency.move". */
int attt_org_agency_move(struct attt_db *db, const struct attt_clock *clock, const struct attt_actor *actor,
			 int64_t id, int64_t new_parent);

struct attt_org_merge_result {
	int64_t children_moved;
	int64_t people_moved;
};
/* Merges src into dst: src's children (with their subtrees) and people move to dst, src becomes
 * MERGED with merged_into = dst and is re-hung under dst. ATTT_E_CONFLICT when dst is src or inside
 * its subtree, ATTT_E_STATE when either is not active, ATTT_E_RANGE past the depth limit.
 * History "merge" on src (old parent -> dst), "merged_from" on dst, "move" on every moved child;
 * audit "agency.merge", "agency.move" per child and one bulk event "person.move" naming the
 * people moved (attt_audit_bulk_*), all in one transaction.
 * ret may be NULL. */
int attt_org_agency_merge(struct attt_db *db, const struct attt_clock *clock, const struct attt_actor *actor,
			  int64_t src, int64_t dst, struct attt_org_merge_result *ret);

/* Marks id DISSOLVED (history "dissolve", audit "agency.dissolve"). The agency keeps its place,
 * name and records; it takes no new children or people. ATTT_E_CONFLICT while it still has active
 * child agencies or people who are active or on leave (move or merge them first), ATTT_E_STATE when
 * it is not active. */
int attt_org_agency_dissolve(struct attt_db *db, const struct attt_clock *clock, const struct attt_actor *actor,
			     int64_t id);

struct attt_agency_history {
	int64_t id;
	int64_t agency_id;
	int64_t at;       /* µs UTC */
	char *kind;       /* "create", "rename", "move", "merge", "merged_from", "dissolve" */
	char *old_value;  /* NULL when none; names for rename, parent ids for move, agency ids for merge */
	char *new_value;
	char *actor;      /* username */
};
struct attt_agency_history_list {
	struct attt_agency_history *items;
	size_t count;
};
void attt_org_agency_history_list_done(struct attt_agency_history_list *l);
/* The history of agency id, oldest first (at most ATTT_HTTP_MAX_PAGE rows, newest kept). */
int attt_org_agency_history(struct attt_db *db, int64_t id, struct attt_agency_history_list *ret);

/* ---- people ------------------------------------------------------------------------------ */

struct attt_person {
	int64_t id;
	int64_t agency_id;
	char *full_name;  /* NFC */
	char *position;   /* NULL when none */
	char *email;      /* lower-case; NULL when none */
	char *phone;      /* "+84..." or "0..."; NULL when none */
	enum attt_person_status status;
	int64_t created_at;
	int64_t updated_at;
};
void attt_org_person_done(struct attt_person *p);

struct attt_person_new {
	int64_t agency_id;               /* required, an active agency */
	const char *full_name;           /* required */
	const char *position;            /* NULL/"": none */
	const char *email;
	const char *phone;
	enum attt_person_status status;  /* 0: active */
};
/* Adds a person. ATTT_E_INVAL for a bad field, ATTT_E_NOTFOUND for a missing agency, ATTT_E_STATE for
 * an agency that is not active. Audit "person.create". */
int attt_org_person_add(struct attt_db *db, const struct attt_clock *clock, const struct attt_actor *actor,
			const struct attt_person_new *in, int64_t *ret_id);
int attt_org_person_add_tx(struct attt_db *db, const struct attt_clock *clock, const struct attt_actor *actor,
			   const struct attt_person_new *in, int64_t *ret_id);

int attt_org_person_get(struct attt_db *db, int64_t id, struct attt_person *ret);

/* Fields to change: NULL / 0 leaves a field as it is; "" clears position, email or phone. */
struct attt_person_update {
	int64_t agency_id;
	const char *full_name;
	const char *position;
	const char *email;
	const char *phone;
	enum attt_person_status status;
};
/* Updates person id; a change that changes nothing is a no-op without audit event. Audit
 * "person.update" with a summary {"field": [old, new], ...}. */
int attt_org_person_update(struct attt_db *db, const struct attt_clock *clock, const struct attt_actor *actor,
			   int64_t id, const struct attt_person_update *u);
int attt_org_person_update_tx(struct attt_db *db, const struct attt_clock *clock, const struct attt_actor *actor,
			      int64_t id, const struct attt_person_update *u);

struct attt_person_filter {
	int64_t agency_id;               /* 0: any */
	bool subtree;                    /* with agency_id: the agency's whole subtree */
	enum attt_person_status status;  /* 0: any */
	const char *search;              /* folded name, anywhere; or part of the e-mail */
	size_t limit;                    /* 0: ATTT_HTTP_DEFAULT_PAGE; max ATTT_HTTP_MAX_PAGE */
	size_t offset;
};
struct attt_person_list {
	struct attt_person *items;
	size_t count;
	int64_t total;
};
void attt_org_person_list_done(struct attt_person_list *l);
/* Lists people matching f ordered by folded name, then id. */
int attt_org_person_list(struct attt_db *db, const struct attt_person_filter *f, struct attt_person_list *ret);

/* ---- JSON (jansson) ---------------------------------------------------------------------- */

/* New references (NULL on allocation failure). Times as RFC 3339 UTC strings. */
json_t *attt_org_agency_to_json(const struct attt_agency *a);
json_t *attt_org_person_to_json(const struct attt_person *p);
json_t *attt_org_history_to_json(const struct attt_agency_history *h);
/* {"items": [...], "count": n, "total": t, "limit": l, "offset": o} */
json_t *attt_org_agency_list_to_json(const struct attt_agency_list *l, size_t limit, size_t offset);
json_t *attt_org_person_list_to_json(const struct attt_person_list *l, size_t limit, size_t offset);

/* Request bodies of the API (and any JSON input) to the structs above. Strings are borrowed from
 * j, which must outlive the result. Members: agency {"name", "type", "code", "parent_id"}; person
 * {"agency_id", "full_name", "position", "email", "phone", "status"}; for an update every member
 * is optional and null or "" clears position, email and phone. ATTT_E_INVAL for a member of the
 * wrong type, an unknown member or an unknown type/status name, with *ret_field (may be NULL)
 * naming the member at fault. Values themselves are checked by the add/update functions. */
int attt_org_agency_new_from_json(const json_t *j, struct attt_agency_new *ret, const char **ret_field);
int attt_org_person_new_from_json(const json_t *j, struct attt_person_new *ret, const char **ret_field);
int attt_org_person_update_from_json(const json_t *j, struct attt_person_update *ret, const char **ret_field);

/* ---- CSV import (R1.2) ------------------------------------------------------------------- */

/* What an import found. Caller-owned; zero it before the call and release it with
 * attt_org_import_report_done. Filled on success AND on failure (that is its purpose). */
struct attt_org_import_report {
	size_t rows;        /* data rows read */
	size_t created;     /* records stored (0 unless the import succeeded) */
	size_t errors;      /* problems found (all are counted; at most ATTT_MAX_CSV_ERRORS are listed) */
	char *messages;     /* "FILE:LINE: field: vi message (en message)\n" lines; NULL when none */
};
void attt_org_import_report_done(struct attt_org_import_report *r);

/* Imports agencies from CSV text data[0..len) (UTF-8, RFC 4180, optional BOM, header row; columns
 * in docs/csv-import.md). label names the file in messages. All or nothing: every row is checked
 * and the whole file is stored in one transaction, or nothing is stored. ATTT_E_INVAL when any row
 * is bad (see rep->messages), ATTT_E_PARSE for malformed CSV, ATTT_E_TOOBIG beyond ATTT_MAX_CSV_*. */
int attt_org_import_agencies(struct attt_db *db, const struct attt_clock *clock, const struct attt_actor *actor,
			     const char *label, const char *data, size_t len, struct attt_org_import_report *rep);
/* Imports people the same way; each row names its agency by agency_code or agency_id. Audited
 * as one bulk event "person.import" per agency naming the people created, with the file's base
 * name (label) and SHA-256 (R7.2, docs/audit.md "Bulk events"). */
int attt_org_import_people(struct attt_db *db, const struct attt_clock *clock, const struct attt_actor *actor,
			   const char *label, const char *data, size_t len, struct attt_org_import_report *rep);

#endif
