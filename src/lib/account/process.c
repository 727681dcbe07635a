/*
 * process.c: the regulation's account processes: onboarding against a versioned rules text (R5.1),
 * offboarding in one action (R5.3), account review campaigns (R6.1.e), and the periodic sweep of
 * dormant (R6.1.e) and ended external (R19) accounts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account-int.h"
#include "attt/err.h"
#include "attt/str.h"

#define DAY (INT64_C(86400) * ATTT_USEC_PER_SEC)

static json_t *time_json(int64_t t)
{
	char buf[32];
	if (t <= 0 || attt_time_iso(t, buf, sizeof(buf)) < 0)
		return json_null();
	return json_string(buf);
}

/* --- R5.1 onboarding ---------------------------------------------------------------------------- */

struct pub_tx {
	const struct attt_auth_ctx *c;
	const struct attt_actor *actor;
	const char *version, *body;
	int64_t id;
};

static int pub_fn(struct attt_db *db, void *arg)
{
	struct pub_tx *t = arg;
	int r = attt__acct_int(db, &t->id, "INSERT INTO rules_version (version, body, published_at) VALUES (?, ?, ?) RETURNING id",
			       "tti", t->version, t->body, attt__acct_now(t->c));
	if (r < 0)
		return r;
	return attt__acct_audit(t->c, t->actor, ATTT_AUDIT_CONFIG, "rules.publish", "rules", t->id, 0, ATTT_AUDIT_SUCCESS,
				"R5.1", json_pack("{s:s}", "version", t->version));
}

int attt_rules_publish(const struct attt_auth_ctx *c, const struct attt_actor *actor, const char *version,
		       const char *body, int64_t *ret_id)
{
	struct pub_tx t = {c, actor, version, body, 0};
	int r;

	if (!version || !*version || strlen(version) > 64 || !attt_utf8_valid(version, strlen(version)) || !body || !*body ||
	    strlen(body) > ATTT_MAX_TEXT || !attt_utf8_valid(body, strlen(body)))
		return ATTT_E_INVAL;
	r = attt__acct_tx(c->db, pub_fn, &t);
	if (r == ATTT_OK && ret_id)
		*ret_id = t.id;
	return r;
}

int attt_rules_current_json(const struct attt_auth_ctx *c, json_t **ret)
{
	struct attt_stmt *st = NULL;
	json_t *o = NULL;
	int r;

	r = attt__acct_prep(c->db, &st, "SELECT id, version, body, published_at FROM rules_version ORDER BY id DESC LIMIT 1", "");
	if (r < 0)
		return r;
	r = attt_stmt_step(st);
	if (r > 0) {
		o = json_pack("{s:I, s:s, s:s, s:o}", "id", (json_int_t)attt_stmt_int64(st, 0), "version", attt_stmt_text(st, 1),
			      "body", attt_stmt_text(st, 2), "published_at", time_json(attt_stmt_int64(st, 3)));
		r = o ? ATTT_OK : ATTT_E_NOMEM;
	} else if (r == 0) {
		r = ATTT_E_NOTFOUND;
	}
	attt_stmt_finalize(st);
	if (r == ATTT_OK)
		*ret = o;
	return r;
}

struct ack_tx {
	const struct attt_auth_ctx *c;
	const struct attt_actor *actor;
	int64_t account_id;
};

static int ack_fn(struct attt_db *db, void *arg)
{
	struct ack_tx *t = arg;
	struct attt_account a;
	int64_t vid, now = attt__acct_now(t->c);
	int r;

	r = attt__acct_read(db, t->account_id, NULL, &a);
	if (r < 0)
		return r;
	if (!a.person_id)
		return ATTT_E_STATE; /* service and bootstrap accounts have no person to brief */
	r = attt__acct_int(db, &vid, "SELECT id FROM rules_version ORDER BY id DESC LIMIT 1", "");
	if (r < 0)
		return r;
	/* R5.1: the acknowledgment and its time are recorded once per version. */
	r = attt__acct_exec(db, "INSERT INTO rules_ack (person_id, version_id, acknowledged_at) VALUES (?, ?, ?) "
				"ON CONFLICT (person_id, version_id) DO NOTHING",
			    "iii", a.person_id, vid, now);
	if (r < 0)
		return r;
	r = attt__acct_exec(db, "UPDATE account SET status = 'active', updated_at = ? WHERE person_id = ? AND status = 'pending'",
			    "ii", now, a.person_id);
	if (r < 0)
		return r;
	return attt__acct_audit(t->c, t->actor, ATTT_AUDIT_DATA, "rules.acknowledge", "person", a.person_id, a.agency_id,
				ATTT_AUDIT_SUCCESS, "R5.1", json_pack("{s:s, s:I}", "username", a.username, "version", (json_int_t)vid));
}

int attt_rules_acknowledge(const struct attt_auth_ctx *c, const struct attt_actor *actor, int64_t account_id)
{
	struct ack_tx t = {c, actor, account_id};
	return attt__acct_tx(c->db, ack_fn, &t);
}

/* --- R5.3 offboarding ------------------------------------------------------------------------------ */

struct off_tx {
	const struct attt_auth_ctx *c;
	const struct attt_actor *actor;
	int64_t person_id, case_id;
	const char *reason;
	int64_t expect_agency; /* > 0: the agency the caller was checked on */
};

static int add_item(struct attt_db *db, int64_t case_id, const char *kind, const char *desc)
{
	return attt__acct_exec(db, "INSERT INTO offboarding_item (case_id, kind, description) VALUES (?, ?, ?)", "itt", case_id,
			       kind, desc);
}

static int off_fn(struct attt_db *db, void *arg)
{
	struct off_tx *t = arg;
	const struct attt_auth_ctx *c = t->c;
	struct attt_stmt *st = NULL;
	int64_t agency, now = attt__acct_now(c), ids[256];
	json_t *accounts = json_array(), *roles = json_array();
	size_t n = 0;
	int r;

	if (!accounts || !roles) {
		r = ATTT_E_NOMEM;
		goto out;
	}
	r = attt__acct_int(db, &agency, "SELECT agency_id FROM person WHERE id = ?", "i", t->person_id);
	if (r < 0)
		goto out;
	/* The person moved since the caller's rights were checked on their agency: nothing is done. */
	if (t->expect_agency > 0 && agency != t->expect_agency) {
		r = ATTT_E_CONFLICT;
		goto out;
	}
	/* R5.3: one open case per person; a second action would only repeat the first. */
	{
		int64_t open_case = 0;
		r = attt__acct_int(db, &open_case, "SELECT id FROM offboarding WHERE person_id = ? AND closed_at = 0 LIMIT 1", "i",
				   t->person_id);
		if (r == ATTT_OK) {
			t->case_id = open_case;
			r = ATTT_E_EXISTS;
			goto out;
		}
		if (r != ATTT_E_NOTFOUND)
			goto out;
	}
	r = attt__acct_int(db, &t->case_id,
			   "INSERT INTO offboarding (person_id, agency_id, reason, opened_by, opened_at) VALUES (?, ?, ?, ?, ?) "
			   "RETURNING id",
			   "iitii", t->person_id, agency, t->reason, t->actor ? t->actor->account_id : (int64_t)0, now);
	if (r < 0)
		goto out;
	r = attt__acct_prep(db, &st, "SELECT id, username FROM account WHERE person_id = ? ORDER BY id", "i", t->person_id);
	while (r >= 0 && (r = attt_stmt_step(st)) > 0 && n < 256) {
		char desc[ATTT_USERNAME_MAX + 64];
		ids[n++] = attt_stmt_int64(st, 0);
		json_array_append_new(accounts, json_string(attt_stmt_text(st, 1)));
		if (attt_str_printf(desc, sizeof(desc), "Tài khoản attt %s đã khóa (attt account disabled)",
				    attt_stmt_text(st, 1)) == ATTT_OK)
			r = add_item(db, t->case_id, "account", desc);
	}
	attt_stmt_finalize(st);
	st = NULL;
	if (r < 0)
		goto out;
	for (size_t i = 0; i < n; i++) {
		/* R5.3: every account disabled, sessions and tokens ended, roles removed. */
		r = attt__acct_exec(db, "UPDATE account SET status = 'disabled', disabled_reason = 'offboarded', updated_at = ? "
					"WHERE id = ?",
				    "ii", now, ids[i]);
		if (r == ATTT_OK)
			r = attt__acct_end_all(c, ids[i], "offboarded");
		if (r < 0)
			goto out;
		r = attt__acct_prep(db, &st, "SELECT role, agency_id FROM role_grant WHERE account_id = ?", "i", ids[i]);
		while (r >= 0 && (r = attt_stmt_step(st)) > 0)
			json_array_append_new(roles, json_pack("{s:s, s:I}", "role", attt_stmt_text(st, 0), "agency",
							       (json_int_t)attt_stmt_int64(st, 1)));
		attt_stmt_finalize(st);
		st = NULL;
		if (r == ATTT_OK)
			r = attt__acct_exec(db, "DELETE FROM role_grant WHERE account_id = ?", "i", ids[i]);
		if (r < 0)
			goto out;
	}
	/* R5.3: the assets and the accounts outside attt are recovered by hand, ticked off here. */
	if ((r = add_item(db, t->case_id, "assets", "Thu hồi máy tính, thiết bị CNTT được giao (recover assigned computers and IT devices)")) < 0 ||
	    (r = add_item(db, t->case_id, "external_accounts",
			  "Thu hồi tài khoản thư điện tử, hệ thống nghiệp vụ, dịch vụ công (revoke e-mail, business systems, public-service accounts)")) < 0 ||
	    (r = add_item(db, t->case_id, "keys", "Thu hồi chìa khóa, thẻ ra vào, chữ ký số (recover keys, badges, digital signature tokens)")) < 0)
		goto out;
	r = attt__acct_audit(c, t->actor, ATTT_AUDIT_ACCESS, "person.offboard", "person", t->person_id, agency,
			     ATTT_AUDIT_SUCCESS, "R5.3",
			     json_pack("{s:I, s:s, s:O, s:O}", "case", (json_int_t)t->case_id, "reason", t->reason, "accounts",
				       accounts, "roles", roles));
out:
	json_decref(accounts);
	json_decref(roles);
	return r;
}

int attt_offboard_person(const struct attt_auth_ctx *c, const struct attt_actor *actor, int64_t person_id,
			 const char *reason, int64_t *ret_case)
{
	return attt_offboard_person_in(c, actor, person_id, 0, reason, ret_case);
}

int attt_offboard_person_in(const struct attt_auth_ctx *c, const struct attt_actor *actor, int64_t person_id,
			    int64_t agency_id, const char *reason, int64_t *ret_case)
{
	struct off_tx t = {c, actor, person_id, 0, reason, agency_id};
	int r;

	if (!reason || !*reason || strlen(reason) > ATTT_MAX_SHORT_TEXT || !attt_utf8_valid(reason, strlen(reason)))
		return ATTT_E_INVAL;
	r = attt__acct_tx(c->db, off_fn, &t);
	if (r == ATTT_OK || r == ATTT_E_EXISTS)
		*ret_case = t.case_id;
	return r;
}

int attt_person_grants(const struct attt_auth_ctx *c, int64_t person_id, struct attt_grant *grants, size_t max,
		       size_t *ret_n)
{
	struct attt_stmt *st = NULL;
	int r = attt__acct_prep(c->db, &st,
				"SELECT g.role, COALESCE(g.agency_id, 0) FROM role_grant g JOIN account a ON a.id = g.account_id "
				"WHERE a.person_id = ? ORDER BY g.id",
				"i", person_id);

	if (r < 0)
		return r;
	/* Strict: a role left out would be removed by the offboarding without having been checked. */
	return attt__acct_read_grants(st, grants, max, true, ret_n);
}

int attt_offboard_json(const struct attt_auth_ctx *c, int64_t case_id, json_t **ret)
{
	struct attt_stmt *st = NULL;
	json_t *o = NULL, *items = json_array();
	int r;

	if (!items)
		return ATTT_E_NOMEM;
	r = attt__acct_prep(c->db, &st,
			    "SELECT o.person_id, o.agency_id, o.reason, o.opened_at, o.closed_at, p.full_name FROM offboarding o "
			    "LEFT JOIN person p ON p.id = o.person_id WHERE o.id = ?",
			    "i", case_id);
	if (r < 0)
		goto out;
	r = attt_stmt_step(st);
	if (r > 0) {
		o = json_pack("{s:I, s:I, s:s?, s:I, s:s, s:o, s:o}", "id", (json_int_t)case_id, "person",
			      (json_int_t)attt_stmt_int64(st, 0), "person_name", attt_stmt_text(st, 5), "agency",
			      (json_int_t)attt_stmt_int64(st, 1), "reason", attt_stmt_text(st, 2), "opened_at",
			      time_json(attt_stmt_int64(st, 3)), "closed_at", time_json(attt_stmt_int64(st, 4)));
		r = o ? ATTT_OK : ATTT_E_NOMEM;
	} else if (r == 0) {
		r = ATTT_E_NOTFOUND;
	}
	attt_stmt_finalize(st);
	st = NULL;
	if (r < 0)
		goto out;
	r = attt__acct_prep(c->db, &st,
			    "SELECT i.id, i.kind, i.description, i.done_at, i.done_by, i.note, a.username FROM offboarding_item i "
			    "LEFT JOIN account a ON a.id = i.done_by WHERE i.case_id = ? ORDER BY i.id",
			    "i", case_id);
	while (r >= 0 && (r = attt_stmt_step(st)) > 0)
		if (json_array_append_new(items, json_pack("{s:I, s:s, s:s, s:o, s:I, s:s?, s:s}", "id", (json_int_t)attt_stmt_int64(st, 0),
						       "kind", attt_stmt_text(st, 1), "description", attt_stmt_text(st, 2),
						       "done_at", time_json(attt_stmt_int64(st, 3)), "done_by",
						       (json_int_t)attt_stmt_int64(st, 4), "done_by_username", attt_stmt_text(st, 6),
						       "note", attt_stmt_text(st, 5) ? attt_stmt_text(st, 5) : "")) < 0) {
			r = ATTT_E_NOMEM;
			break;
		}
	attt_stmt_finalize(st);
	if (r < 0)
		goto out;
	json_object_set(o, "items", items);
	*ret = o;
	o = NULL;
out:
	json_decref(o);
	json_decref(items);
	return r;
}

int attt_offboard_locate(const struct attt_auth_ctx *c, int64_t case_id, int64_t item_id, int64_t *ret_case,
			 int64_t *ret_agency)
{
	int64_t cid = case_id;
	int r;

	if (item_id > 0 && (r = attt__acct_int(c->db, &cid, "SELECT case_id FROM offboarding_item WHERE id = ?", "i", item_id)) < 0)
		return r;
	if ((r = attt__acct_int(c->db, ret_agency, "SELECT agency_id FROM offboarding WHERE id = ?", "i", cid)) < 0)
		return r;
	if (ret_case)
		*ret_case = cid;
	return ATTT_OK;
}

struct tick_tx {
	const struct attt_auth_ctx *c;
	const struct attt_actor *actor;
	int64_t item_id, case_id;
	const char *note;
	bool closed;
};

static int tick_fn(struct attt_db *db, void *arg)
{
	struct tick_tx *t = arg;
	struct attt_stmt *st = NULL;
	int64_t now = attt__acct_now(t->c), agency = 0, person = 0, done_at = 0, left = 0;
	char kind[64] = "";
	int r;

	/* A fresh read inside the transaction: two officers ticking the same item, one wins. */
	r = attt__acct_prep(db, &st,
			    "SELECT i.case_id, i.done_at, i.kind, o.agency_id, o.person_id FROM offboarding_item i "
			    "JOIN offboarding o ON o.id = i.case_id WHERE i.id = ?",
			    "i", t->item_id);
	if (r >= 0 && (r = attt_stmt_step(st)) == 0)
		r = ATTT_E_NOTFOUND;
	if (r > 0) {
		t->case_id = attt_stmt_int64(st, 0);
		done_at = attt_stmt_int64(st, 1);
		attt_str_copy(kind, sizeof(kind), attt_stmt_text(st, 2) ? attt_stmt_text(st, 2) : "");
		agency = attt_stmt_int64(st, 3);
		person = attt_stmt_int64(st, 4);
		r = ATTT_OK;
	}
	attt_stmt_finalize(st);
	if (r < 0)
		return r;
	if (done_at != 0)
		return ATTT_E_CONFLICT;
	r = attt__acct_exec(db, "UPDATE offboarding_item SET done_at = ?, done_by = ?, note = ? WHERE id = ? AND done_at = 0", "iiti", now,
			    t->actor ? t->actor->account_id : (int64_t)0, t->note ? t->note : "", t->item_id);
	if (r == ATTT_OK)
		r = attt__acct_int(db, &left, "SELECT count(*) FROM offboarding_item WHERE case_id = ? AND done_at = 0", "i",
				   t->case_id);
	/* R5.3: the case closes with its last item. */
	if (r == ATTT_OK && left == 0) {
		r = attt__acct_exec(db, "UPDATE offboarding SET closed_at = ? WHERE id = ?", "ii", now, t->case_id);
		t->closed = true;
	}
	if (r < 0)
		return r;
	return attt__acct_audit(t->c, t->actor, ATTT_AUDIT_ACCESS, "person.offboard.item", "offboarding_item", t->item_id,
				agency, ATTT_AUDIT_SUCCESS, "R5.3",
				json_pack("{s:I, s:I, s:s, s:s, s:b}", "case", (json_int_t)t->case_id, "person",
					  (json_int_t)person, "kind", kind, "note", t->note ? t->note : "", "case_closed",
					  t->closed));
}

int attt_offboard_item_done(const struct attt_auth_ctx *c, const struct attt_actor *actor, int64_t item_id,
			    const char *note, int64_t *ret_case, bool *ret_closed)
{
	struct tick_tx t = {c, actor, item_id, 0, note, false};
	int r;

	if (note && (strlen(note) > ATTT_MAX_SHORT_TEXT * 4 || !attt_utf8_valid(note, strlen(note))))
		return ATTT_E_INVAL;
	r = attt__acct_tx(c->db, tick_fn, &t);
	if (r == ATTT_OK) {
		if (ret_case)
			*ret_case = t.case_id;
		if (ret_closed)
			*ret_closed = t.closed;
	}
	return r;
}

int attt_offboard_list(const struct attt_auth_ctx *c, bool open_only, int64_t before_id, size_t limit, json_t **ret)
{
	struct attt_stmt *st = NULL;
	json_t *items = json_array();
	int r;

	if (!items)
		return ATTT_E_NOMEM;
	r = attt__acct_prep(c->db, &st,
			    "SELECT o.id, o.person_id, p.full_name, o.agency_id, o.reason, o.opened_at, o.closed_at, "
			    "(SELECT count(*) FROM offboarding_item i WHERE i.case_id = o.id AND i.done_at = 0) "
			    "FROM offboarding o JOIN person p ON p.id = o.person_id "
			    "WHERE (? = 0 OR o.closed_at = 0) AND (? = 0 OR o.id < ?) ORDER BY o.id DESC LIMIT ?",
			    "iiii", (int64_t)open_only, before_id, before_id, (int64_t)limit);
	while (r >= 0 && (r = attt_stmt_step(st)) > 0) {
		json_t *o = json_pack("{s:I, s:I, s:s?, s:I, s:s?, s:o, s:o, s:I}", "id", (json_int_t)attt_stmt_int64(st, 0),
				      "person", (json_int_t)attt_stmt_int64(st, 1), "person_name", attt_stmt_text(st, 2),
				      "agency", (json_int_t)attt_stmt_int64(st, 3), "reason", attt_stmt_text(st, 4),
				      "opened_at", time_json(attt_stmt_int64(st, 5)), "closed_at",
				      time_json(attt_stmt_int64(st, 6)), "pending", (json_int_t)attt_stmt_int64(st, 7));
		if (!o || json_array_append_new(items, o) < 0) {
			r = ATTT_E_NOMEM;
			break;
		}
	}
	attt_stmt_finalize(st);
	if (r < 0) {
		json_decref(items);
		return r;
	}
	*ret = items;
	return ATTT_OK;
}

/* --- R6.1.e reviews -------------------------------------------------------------------------------- */

#define WITHIN_SQL "substr(g.path, 1, length(top.path)) = top.path"
/* The last campaign started on g or on one of its ancestors (a campaign covers its subtree). */
#define LAST_SQL                                                                                       \
	"(SELECT MAX(c.started_at) FROM review_campaign c JOIN agency ca ON ca.id = c.agency_id WHERE "      \
	"substr(g.path, 1, length(ca.path)) = ca.path)"

struct rev_tx {
	const struct attt_auth_ctx *c;
	const struct attt_actor *actor;
	int64_t agency_id, id;
};

static int rev_start_fn(struct attt_db *db, void *arg)
{
	struct rev_tx *t = arg;
	int64_t now = attt__acct_now(t->c), x, items = 0;
	int r;

	r = attt__acct_int(db, &x, "SELECT id FROM agency WHERE id = ?", "i", t->agency_id);
	if (r < 0)
		return r;
	r = attt__acct_int(db, &x, "SELECT id FROM review_campaign WHERE agency_id = ? AND closed_at = 0", "i", t->agency_id);
	if (r == ATTT_OK)
		return ATTT_E_CONFLICT;
	if (r != ATTT_E_NOTFOUND)
		return r;
	r = attt__acct_int(db, &t->id,
			   "INSERT INTO review_campaign (agency_id, started_by, started_at, due_at) VALUES (?, ?, ?, ?) RETURNING id",
			   "iiii", t->agency_id, t->actor ? t->actor->account_id : (int64_t)0, now,
			   now + (int64_t)t->c->policy->review_due_days * DAY);
	if (r < 0)
		return r;
	/* R6.1.e: each account and each of its roles, in the agency's subtree. */
	r = attt__acct_exec(db,
			    "INSERT INTO review_item (campaign_id, account_id) SELECT ?, a.id FROM account a JOIN agency g ON "
			    "g.id = a.agency_id, agency top WHERE top.id = ? AND " WITHIN_SQL " AND a.status <> 'disabled' "
			    "ORDER BY a.id",
			    "ii", t->id, t->agency_id);
	if (r < 0)
		return r;
	r = attt__acct_exec(db,
			    "INSERT INTO review_item (campaign_id, account_id, grant_id, role, role_agency_id) SELECT ?, a.id, "
			    "rg.id, rg.role, rg.agency_id FROM role_grant rg JOIN account a ON a.id = rg.account_id JOIN agency g "
			    "ON g.id = a.agency_id, agency top WHERE top.id = ? AND " WITHIN_SQL " AND a.status <> 'disabled' "
			    "ORDER BY rg.id",
			    "ii", t->id, t->agency_id);
	if (r < 0)
		return r;
	r = attt__acct_int(db, &items, "SELECT COUNT(*) FROM review_item WHERE campaign_id = ?", "i", t->id);
	if (r < 0)
		return r;
	return attt__acct_audit(t->c, t->actor, ATTT_AUDIT_ACCESS, "review.start", "review", t->id, t->agency_id,
				ATTT_AUDIT_SUCCESS, "R6.1.e", json_pack("{s:I}", "items", (json_int_t)items));
}

int attt_review_start(const struct attt_auth_ctx *c, const struct attt_actor *actor, int64_t agency_id,
		      int64_t *ret_id)
{
	struct rev_tx t = {c, actor, agency_id, 0};
	int r = attt__acct_tx(c->db, rev_start_fn, &t);
	if (r == ATTT_OK)
		*ret_id = t.id;
	return r;
}

static json_t *campaign_json(struct attt_stmt *st, int64_t now)
{
	int64_t due = attt_stmt_int64(st, 4), closed = attt_stmt_int64(st, 5);
	return json_pack("{s:I, s:I, s:o, s:o, s:o, s:I, s:I, s:b}", "id", (json_int_t)attt_stmt_int64(st, 0), "agency",
			 (json_int_t)attt_stmt_int64(st, 1), "started_at", time_json(attt_stmt_int64(st, 2)), "due_at",
			 time_json(due), "closed_at", time_json(closed), "item_count", (json_int_t)attt_stmt_int64(st, 6),
			 "pending", (json_int_t)attt_stmt_int64(st, 7), "overdue", closed == 0 && now > due);
}

#define CAMPAIGN_COLS                                                                                          \
	"SELECT c.id, c.agency_id, c.started_at, c.started_by, c.due_at, c.closed_at, "                        \
	"(SELECT COUNT(*) FROM review_item i WHERE i.campaign_id = c.id), "                                    \
	"(SELECT COUNT(*) FROM review_item i WHERE i.campaign_id = c.id AND i.decision = 'pending') "

int attt_review_list_json(const struct attt_auth_ctx *c, int64_t within_agency, json_t **ret)
{
	struct attt_stmt *st = NULL;
	json_t *o = NULL, *campaigns = json_array(), *overdue = json_array();
	int64_t now = attt__acct_now(c);
	int r;

	if (!campaigns || !overdue) {
		r = ATTT_E_NOMEM;
		goto out;
	}
	r = attt__acct_prep(c->db, &st,
			    CAMPAIGN_COLS "FROM review_campaign c JOIN agency g ON g.id = c.agency_id, agency top WHERE "
					  "(? = 0 AND top.id = g.id OR top.id = ?) AND " WITHIN_SQL " ORDER BY c.id DESC LIMIT ?",
			    "iii", within_agency, within_agency, (int64_t)ATTT_HTTP_MAX_PAGE);
	while (r >= 0 && (r = attt_stmt_step(st)) > 0)
		json_array_append_new(campaigns, campaign_json(st, now));
	attt_stmt_finalize(st);
	st = NULL;
	if (r < 0)
		goto out;
	/* R6.1.e: agencies with accounts and no campaign started within the interval are overdue. */
	r = attt__acct_prep(c->db, &st,
			    "SELECT g.id, g.name, " LAST_SQL " FROM agency g, agency top WHERE (? = 0 AND top.id = g.id OR "
			    "top.id = ?) AND " WITHIN_SQL " AND g.status = 'active' AND EXISTS (SELECT 1 FROM account a WHERE "
			    "a.agency_id = g.id AND a.status <> 'disabled') AND COALESCE(" LAST_SQL ", 0) < ? ORDER BY g.id LIMIT ?",
			    "iiii", within_agency, within_agency, now - (int64_t)c->policy->review_interval_days * DAY,
			    (int64_t)ATTT_HTTP_MAX_PAGE);
	while (r >= 0 && (r = attt_stmt_step(st)) > 0)
		json_array_append_new(overdue, json_pack("{s:I, s:s, s:o, s:b}", "agency", (json_int_t)attt_stmt_int64(st, 0),
							 "name", attt_stmt_text(st, 1), "last_started_at",
							 time_json(attt_stmt_int64(st, 2)), "overdue", 1));
	attt_stmt_finalize(st);
	if (r < 0)
		goto out;
	o = json_pack("{s:O, s:O}", "campaigns", campaigns, "overdue_agencies", overdue);
	r = o ? ATTT_OK : ATTT_E_NOMEM;
	if (r == ATTT_OK)
		*ret = o;
out:
	json_decref(campaigns);
	json_decref(overdue);
	return r;
}

int attt_review_json(const struct attt_auth_ctx *c, int64_t campaign_id, json_t **ret)
{
	struct attt_stmt *st = NULL;
	json_t *o = NULL, *items = json_array();
	int r;

	if (!items)
		return ATTT_E_NOMEM;
	r = attt__acct_prep(c->db, &st, CAMPAIGN_COLS "FROM review_campaign c WHERE c.id = ?", "i", campaign_id);
	if (r < 0)
		goto out;
	r = attt_stmt_step(st);
	if (r > 0)
		r = (o = campaign_json(st, attt__acct_now(c))) ? ATTT_OK : ATTT_E_NOMEM;
	else if (r == 0)
		r = ATTT_E_NOTFOUND;
	attt_stmt_finalize(st);
	st = NULL;
	if (r < 0)
		goto out;
	r = attt__acct_prep(c->db, &st,
			    "SELECT i.id, i.account_id, a.username, i.role, i.role_agency_id, i.decision, i.decided_at, i.note, "
			    "i.new_role FROM review_item i JOIN account a ON a.id = i.account_id WHERE i.campaign_id = ? ORDER BY i.id",
			    "i", campaign_id);
	while (r >= 0 && (r = attt_stmt_step(st)) > 0) {
		const char *role = attt_stmt_text(st, 3), *note = attt_stmt_text(st, 7), *new_role = attt_stmt_text(st, 8);
		json_array_append_new(items, json_pack("{s:I, s:I, s:s, s:o, s:o, s:s, s:o, s:o, s:o}", "id",
						       (json_int_t)attt_stmt_int64(st, 0), "account", (json_int_t)attt_stmt_int64(st, 1),
						       "username", attt_stmt_text(st, 2), "role", role ? json_string(role) : json_null(),
						       "role_agency", attt_stmt_is_null(st, 4) ? json_null() : json_integer(attt_stmt_int64(st, 4)),
						       "decision", attt_stmt_text(st, 5), "decided_at", time_json(attt_stmt_int64(st, 6)),
						       "note", note ? json_string(note) : json_null(), "new_role",
						       new_role ? json_string(new_role) : json_null()));
	}
	attt_stmt_finalize(st);
	if (r < 0)
		goto out;
	json_object_set(o, "items", items);
	*ret = o;
	o = NULL;
out:
	json_decref(o);
	json_decref(items);
	return r;
}

struct dec_tx {
	const struct attt_auth_ctx *c;
	const struct attt_actor *actor;
	int64_t item_id, agency;
	const char *decision, *note;
	enum attt_role new_role; /* "change" */
};

/* R6.1.e "change": the item's grant becomes t->new_role on the same agency, in place (one row, one
 * step: the account never holds both roles, nor neither). Its event is the decision's. */
static int change_grant(struct attt_db *db, struct dec_tx *t, int64_t account, int64_t grant, char *from,
			size_t fromsz, int64_t *ret_role_agency)
{
	struct attt_stmt *st = NULL;
	struct attt_account a;
	int64_t role_agency = 0, x;
	int r;

	if (!grant)
		return ATTT_E_INVAL; /* an account item: confirm or revoke */
	r = attt__acct_prep(db, &st, "SELECT role, COALESCE(agency_id, 0) FROM role_grant WHERE id = ?", "i", grant);
	if (r < 0)
		return r;
	r = attt_stmt_step(st);
	if (r > 0) {
		r = attt_str_copy(from, fromsz, attt_stmt_text(st, 0));
		role_agency = attt_stmt_int64(st, 1);
	} else if (r == 0) {
		r = ATTT_E_STATE; /* revoked since the campaign started */
	}
	attt_stmt_finalize(st);
	if (r < 0)
		return r;
	if (strcmp(from, attt_role_name(t->new_role)) == 0)
		return ATTT_E_INVAL;
	r = attt__acct_read(db, account, NULL, &a);
	if (r < 0)
		return r;
	if (strcmp(a.status, "disabled") == 0)
		return ATTT_E_STATE;
	r = attt__acct_int(db, &x, "SELECT id FROM role_grant WHERE account_id = ? AND role = ? AND COALESCE(agency_id, 0) = ?",
			   "iti", account, attt_role_name(t->new_role), role_agency);
	if (r == ATTT_OK)
		return ATTT_E_EXISTS;
	if (r != ATTT_E_NOTFOUND)
		return r;
	r = attt__acct_exec(db, "UPDATE role_grant SET role = ?, granted_by = ?, granted_at = ? WHERE id = ?", "tiii",
			    attt_role_name(t->new_role), t->actor ? t->actor->account_id : (int64_t)0, attt__acct_now(t->c),
			    grant);
	if (r < 0)
		return r;
	*ret_role_agency = role_agency;
	return ATTT_OK;
}

static int dec_fn(struct attt_db *db, void *arg)
{
	struct dec_tx *t = arg;
	struct attt_stmt *st = NULL;
	int64_t campaign = 0, account = 0, grant = 0, now = attt__acct_now(t->c), pending = 0, role_agency = 0;
	char decision[16] = "", from[32] = "";
	bool change = strcmp(t->decision, "change") == 0;
	json_t *summary;
	int r;

	r = attt__acct_prep(db, &st,
			    "SELECT i.campaign_id, i.account_id, COALESCE(i.grant_id, 0), i.decision, c.agency_id FROM review_item i "
			    "JOIN review_campaign c ON c.id = i.campaign_id WHERE i.id = ?",
			    "i", t->item_id);
	if (r < 0)
		return r;
	r = attt_stmt_step(st);
	if (r > 0) {
		campaign = attt_stmt_int64(st, 0);
		account = attt_stmt_int64(st, 1);
		grant = attt_stmt_int64(st, 2);
		r = attt_str_copy(decision, sizeof(decision), attt_stmt_text(st, 3));
		t->agency = attt_stmt_int64(st, 4);
	} else if (r == 0) {
		r = ATTT_E_NOTFOUND;
	}
	attt_stmt_finalize(st);
	if (r < 0)
		return r;
	if (strcmp(decision, "pending") != 0)
		return ATTT_E_CONFLICT;
	if (change && (r = change_grant(db, t, account, grant, from, sizeof(from), &role_agency)) < 0)
		return r;
	r = attt__acct_exec(db,
			    "UPDATE review_item SET decision = ?, decided_by = ?, decided_at = ?, note = ?, new_role = ? WHERE id = ?",
			    "tiitti", t->decision, t->actor ? t->actor->account_id : (int64_t)0, now, t->note,
			    change ? attt_role_name(t->new_role) : NULL, t->item_id);
	if (r < 0)
		return r;
	if (strcmp(t->decision, "revoke") == 0) {
		/* R6.1.e: revocations apply at once. */
		if (grant) {
			r = attt__acct_exec(db, "DELETE FROM role_grant WHERE id = ?", "i", grant);
		} else {
			r = attt__acct_exec(db, "UPDATE account SET status = 'disabled', disabled_reason = 'review', updated_at = ? "
						"WHERE id = ?",
					    "ii", now, account);
			if (r == ATTT_OK)
				r = attt__acct_end_all(t->c, account, "review");
		}
		if (r < 0)
			return r;
	}
	r = attt__acct_int(db, &pending, "SELECT COUNT(*) FROM review_item WHERE campaign_id = ? AND decision = 'pending'", "i",
			   campaign);
	if (r == ATTT_OK && pending == 0)
		r = attt__acct_exec(db, "UPDATE review_campaign SET closed_at = ? WHERE id = ?", "ii", now, campaign);
	if (r < 0)
		return r;
	summary = json_pack("{s:I, s:I, s:s, s:o}", "campaign", (json_int_t)campaign, "item", (json_int_t)t->item_id,
			    "decision", t->decision, "grant", grant ? json_integer(grant) : json_null());
	/* R6.1.e, R7.2: a changed role is a right change: the event says from what to what, and where. */
	if (summary && change &&
	    json_object_update_new(summary, json_pack("{s:s, s:s, s:I}", "from", from, "to", attt_role_name(t->new_role),
						       "agency", (json_int_t)role_agency)) < 0) {
		json_decref(summary);
		return ATTT_E_NOMEM;
	}
	return attt__acct_audit(t->c, t->actor, ATTT_AUDIT_ACCESS, "review.decide", "account", account, t->agency,
				ATTT_AUDIT_SUCCESS, "R6.1.e", summary);
}

int attt_review_decide(const struct attt_auth_ctx *c, const struct attt_actor *actor, int64_t item_id,
		       const char *decision, const char *note, int64_t *ret_campaign_agency)
{
	struct dec_tx t = {c, actor, item_id, 0, decision, note, 0};
	int r;

	if (!decision || (strcmp(decision, "confirm") != 0 && strcmp(decision, "revoke") != 0))
		return ATTT_E_INVAL;
	if (note && (strlen(note) > ATTT_MAX_SHORT_TEXT || !attt_utf8_valid(note, strlen(note))))
		return ATTT_E_INVAL;
	r = attt__acct_tx(c->db, dec_fn, &t);
	if (r == ATTT_OK && ret_campaign_agency)
		*ret_campaign_agency = t.agency;
	return r;
}

int attt_review_change(const struct attt_auth_ctx *c, const struct attt_actor *actor, int64_t item_id,
		       enum attt_role role, const char *note, int64_t *ret_campaign_agency)
{
	struct dec_tx t = {c, actor, item_id, 0, "change", note, role};
	int r;

	if (strcmp(attt_role_name(role), "unknown") == 0)
		return ATTT_E_INVAL;
	if (note && (strlen(note) > ATTT_MAX_SHORT_TEXT || !attt_utf8_valid(note, strlen(note))))
		return ATTT_E_INVAL;
	r = attt__acct_tx(c->db, dec_fn, &t);
	if (r == ATTT_OK && ret_campaign_agency)
		*ret_campaign_agency = t.agency;
	return r;
}

int attt_review_item_grant(const struct attt_auth_ctx *c, int64_t item_id, int64_t *ret_role_agency)
{
	return attt__acct_int(c->db, ret_role_agency,
			      "SELECT COALESCE(g.agency_id, 0) FROM review_item i JOIN role_grant g ON g.id = i.grant_id WHERE i.id = ?",
			      "i", item_id);
}

int attt_review_item_account(const struct attt_auth_ctx *c, int64_t item_id, int64_t *ret_account)
{
	return attt__acct_int(c->db, ret_account, "SELECT account_id FROM review_item WHERE id = ?", "i", item_id);
}

int attt_review_agency(const struct attt_auth_ctx *c, int64_t campaign_id, int64_t *ret)
{
	return attt__acct_int(c->db, ret, "SELECT agency_id FROM review_campaign WHERE id = ?", "i", campaign_id);
}

int attt_review_item_agency(const struct attt_auth_ctx *c, int64_t item_id, int64_t *ret)
{
	return attt__acct_int(c->db, ret,
			      "SELECT c.agency_id FROM review_item i JOIN review_campaign c ON c.id = i.campaign_id WHERE i.id = ?",
			      "i", item_id);
}

/* --- sweep --------------------------------------------------------------------------------------- */

struct sweep_tx {
	const struct attt_auth_ctx *c;
	json_t *dormant, *ended;
};

static int sweep_one(struct sweep_tx *t, const char *sql, int64_t arg, const char *reason, const char *rule, json_t *list)
{
	struct attt_db *db = t->c->db;
	struct attt_stmt *st = NULL;
	int64_t ids[ATTT_HTTP_MAX_PAGE], agencies[ATTT_HTTP_MAX_PAGE], now = attt__acct_now(t->c);
	char names[ATTT_HTTP_MAX_PAGE][ATTT_USERNAME_MAX + 1];
	size_t n = 0;
	int r;

	r = attt__acct_prep(db, &st, sql, "ii", arg, (int64_t)ATTT_HTTP_MAX_PAGE);
	while (r >= 0 && (r = attt_stmt_step(st)) > 0) {
		ids[n] = attt_stmt_int64(st, 0);
		agencies[n] = attt_stmt_int64(st, 2);
		if (attt_str_copy(names[n], sizeof(names[n]), attt_stmt_text(st, 1)) == ATTT_OK)
			n++;
	}
	attt_stmt_finalize(st);
	for (size_t i = 0; r >= 0 && i < n; i++) {
		r = attt__acct_exec(db, "UPDATE account SET status = 'disabled', disabled_reason = ?, updated_at = ? WHERE id = ?",
				    "tii", reason, now, ids[i]);
		if (r == ATTT_OK)
			r = attt__acct_end_all(t->c, ids[i], reason);
		if (r == ATTT_OK)
			r = attt__acct_audit(t->c, NULL, ATTT_AUDIT_DATA, "account.disable", "account", ids[i], agencies[i],
					     ATTT_AUDIT_SUCCESS, rule, json_pack("{s:s, s:s}", "username", names[i], "reason", reason));
		if (r == ATTT_OK)
			json_array_append_new(list, json_string(names[i]));
	}
	return r < 0 ? r : ATTT_OK;
}

static int sweep_fn(struct attt_db *db, void *arg)
{
	struct sweep_tx *t = arg;
	int64_t now = attt__acct_now(t->c);
	int r;
	(void)db;

	json_array_clear(t->dormant);
	json_array_clear(t->ended);
	/* R6.1.e: dormant accounts (no login, or never used, for dormant_days) are disabled. */
	r = sweep_one(t,
		      "SELECT id, username, COALESCE(agency_id, 0) FROM account WHERE status <> 'disabled' AND kind = 'person' AND "
		      "CASE WHEN last_login_at > created_at THEN last_login_at ELSE created_at END < ? ORDER BY id LIMIT ?",
		      now - (int64_t)t->c->policy->dormant_days * DAY, "dormant", "R6.1.e", t->dormant);
	if (r < 0)
		return r;
	/* R19: external accounts end on their end date. */
	return sweep_one(t,
			 "SELECT id, username, COALESCE(agency_id, 0) FROM account WHERE status <> 'disabled' AND end_at > 0 AND "
			 "end_at <= ? ORDER BY id LIMIT ?",
			 now, "ended", "R19", t->ended);
}

int attt_auth_sweep(const struct attt_auth_ctx *c, json_t **ret)
{
	struct sweep_tx t = {c, json_array(), json_array()};
	json_t *o = NULL;
	int r;

	if (!t.dormant || !t.ended) {
		r = ATTT_E_NOMEM;
		goto out;
	}
	r = attt__acct_tx(c->db, sweep_fn, &t);
	if (r < 0)
		goto out;
	o = json_pack("{s:O, s:O}", "dormant", t.dormant, "ended", t.ended);
	r = o ? ATTT_OK : ATTT_E_NOMEM;
	if (r == ATTT_OK)
		*ret = o;
out:
	json_decref(t.dormant);
	json_decref(t.ended);
	return r;
}
