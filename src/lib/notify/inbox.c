/*
 * inbox.c: the in-app inbox (table inbox_item): every notification for a person or an account
 * also appears there, read or unread. An item is only ever visible to, and marked by, its owner.
 */
#include <jansson.h>

#include "attt/clock.h"
#include "attt/db.h"
#include "attt/err.h"
#include "attt/limits.h"
#include "attt/notify.h"

/* The owner is a person, an account, or both (a signed-in user reads what was addressed to the
 * person and to the account alike). ids are > 0; 0 stands for "not this one" and matches no row,
 * since a row's missing owner is NULL. */
static int owner_ok(int64_t person_id, int64_t account_id)
{
	if (person_id < 0 || account_id < 0 || (person_id == 0 && account_id == 0))
		return ATTT_E_INVAL;
	return ATTT_OK;
}

int attt_notify_inbox_list(struct attt_db *db, int64_t person_id, int64_t account_id, bool unread_only,
			   int64_t before_id, int limit, json_t **ret)
{
	static const char sql[] =
		"SELECT i.id, n.id, n.kind, n.subject, n.body, n.ref_type, n.ref_id, i.created_at, i.read_at "
		"FROM inbox_item i JOIN notification n ON n.id = i.notification_id "
		"WHERE (i.person_id = ? OR i.account_id = ?) AND (? = 0 OR i.id < ?) AND (? = 0 OR i.read_at = 0) "
		"ORDER BY i.id DESC LIMIT ?";
	struct attt_stmt *st = NULL;
	json_t *arr = NULL;
	int e;

	if ((e = owner_ok(person_id, account_id)) < 0)
		return e;
	if (limit < 1 || limit > ATTT_HTTP_MAX_PAGE || before_id < 0)
		return ATTT_E_RANGE;
	if ((e = attt_db_prepare(db, sql, &st)) < 0)
		return e;
	if ((e = attt_stmt_bind_int64(st, 1, person_id)) < 0 || (e = attt_stmt_bind_int64(st, 2, account_id)) < 0 ||
	    (e = attt_stmt_bind_int64(st, 3, before_id)) < 0 || (e = attt_stmt_bind_int64(st, 4, before_id)) < 0 ||
	    (e = attt_stmt_bind_int64(st, 5, unread_only ? 1 : 0)) < 0 || (e = attt_stmt_bind_int64(st, 6, limit)) < 0)
		goto out;
	if (!(arr = json_array())) {
		e = ATTT_E_NOMEM;
		goto out;
	}
	while ((e = attt_stmt_step(st)) == 1) {
		char created[40];
		const char *rt = attt_stmt_text(st, 5);
		int64_t rid = attt_stmt_int64(st, 6);
		if (attt_time_iso(attt_stmt_int64(st, 7), created, sizeof(created)) < 0)
			created[0] = '\0';
		json_t *o = json_pack("{s:I, s:I, s:s, s:s, s:s, s:s?, s:o, s:s, s:b}", "id",
				      (json_int_t)attt_stmt_int64(st, 0), "notification_id",
				      (json_int_t)attt_stmt_int64(st, 1), "kind", attt_stmt_text(st, 2), "subject",
				      attt_stmt_text(st, 3), "body", attt_stmt_text(st, 4), "ref_type", rt, "ref_id",
				      rid > 0 ? json_integer(rid) : json_null(), "created_at", created, "read",
				      attt_stmt_int64(st, 8) != 0);
		if (!o || json_array_append_new(arr, o) < 0) {
			e = ATTT_E_NOMEM;
			break;
		}
	}
	if (e < 0)
		goto out;
	*ret = arr;
	arr = NULL;
	e = ATTT_OK;
out:
	json_decref(arr);
	attt_stmt_finalize(st);
	return e;
}

int attt_notify_inbox_unread(struct attt_db *db, int64_t person_id, int64_t account_id, int64_t *ret)
{
	struct attt_stmt *st = NULL;
	int e;

	if ((e = owner_ok(person_id, account_id)) < 0)
		return e;
	e = attt_db_prepare(db, "SELECT COUNT(*) FROM inbox_item WHERE (person_id = ? OR account_id = ?) AND read_at = 0",
			    &st);
	if (e < 0)
		return e;
	if ((e = attt_stmt_bind_int64(st, 1, person_id)) < 0 || (e = attt_stmt_bind_int64(st, 2, account_id)) < 0 ||
	    (e = attt_stmt_step(st)) < 0)
		goto out;
	*ret = attt_stmt_int64(st, 0);
	e = ATTT_OK;
out:
	attt_stmt_finalize(st);
	return e;
}

int attt_notify_inbox_mark_read(struct attt_db *db, const struct attt_clock *clock, int64_t person_id,
				int64_t account_id, int64_t item_id)
{
	struct attt_stmt *st = NULL;
	int e;

	if ((e = owner_ok(person_id, account_id)) < 0)
		return e;
	/* The owner's condition is part of the WHERE: another user's item is simply not found. */
	e = attt_db_prepare(db,
			    "UPDATE inbox_item SET read_at = CASE WHEN read_at = 0 THEN ? ELSE read_at END "
			    "WHERE id = ? AND (person_id = ? OR account_id = ?) RETURNING id",
			    &st);
	if (e < 0)
		return e;
	if ((e = attt_stmt_bind_int64(st, 1, attt_now_us(clock))) < 0 || (e = attt_stmt_bind_int64(st, 2, item_id)) < 0 ||
	    (e = attt_stmt_bind_int64(st, 3, person_id)) < 0 || (e = attt_stmt_bind_int64(st, 4, account_id)) < 0)
		goto out;
	if ((e = attt_stmt_step(st)) < 0)
		goto out;
	e = e == 1 ? ATTT_OK : ATTT_E_NOTFOUND;
out:
	attt_stmt_finalize(st);
	return e;
}
