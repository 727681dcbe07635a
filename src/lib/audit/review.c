/*
 * review.c: log review records (R7.3). The regulation asks that logs are watched regularly; this
 * records who reviewed which period of which agency's trail, what they found, and the trail's size
 * at that moment (so the reviewed events are provable later). Periods that no review covers and
 * that are older than the profile's interval are overdue. Each review is itself an audit event.
 */
#include <string.h>

#include "attt/audit.h"
#include "attt/db.h"
#include "attt/err.h"
#include "attt/limits.h"
#include "attt/str.h"
#include "audit-int.h"

struct add_ctx {
	const struct attt_clock *clock;
	const struct attt_actor *actor;
	int64_t agency_id, from_us, to_us, id;
	const char *findings;
};

static int add_tx(struct attt_db *db, void *arg)
{
	struct add_ctx *c = arg;
	struct attt_stmt *st = NULL;
	uint64_t size;
	char obj[32], summary[160];
	int r;

	r = attt_audit_size(db, &size);
	if (r < 0)
		return r;
	r = attt_db_prepare(db,
			    "INSERT INTO audit_review (agency_id, from_us, to_us, reviewer_account, reviewer_name, "
			    "reviewed_us, tree_size, findings) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
			    &st);
	if (r < 0)
		return r;
	if ((r = attt_stmt_bind_int64(st, 1, c->agency_id)) < 0 || (r = attt_stmt_bind_int64(st, 2, c->from_us)) < 0 ||
	    (r = attt_stmt_bind_int64(st, 3, c->to_us)) < 0 ||
	    (r = attt_stmt_bind_int64(st, 4, c->actor ? c->actor->account_id : 0)) < 0 ||
	    (r = attt_stmt_bind_text(st, 5, c->actor ? c->actor->username : NULL)) < 0 ||
	    (r = attt_stmt_bind_int64(st, 6, attt_now_us(c->clock))) < 0 ||
	    (r = attt_stmt_bind_int64(st, 7, (int64_t)size)) < 0 || (r = attt_stmt_bind_text(st, 8, c->findings)) < 0)
		goto out;
	r = attt_stmt_step(st);
	if (r < 0)
		goto out;
	c->id = attt_stmt_int64(st, 0);
	attt_stmt_step(st);
	attt_stmt_finalize(st);
	st = NULL;
	/* R7.3: the review is part of the trail; the findings stay in audit_review (not a summary). */
	attt_str_printf(obj, sizeof(obj), "%lld", (long long)c->id);
	attt_str_printf(summary, sizeof(summary), "{\"from_us\":%lld,\"to_us\":%lld,\"tree_size\":%llu}",
			(long long)c->from_us, (long long)c->to_us, (unsigned long long)size);
	struct attt_audit_event ev = { .category = ATTT_AUDIT_DATA, .action = "audit.review",
				       .object_type = "audit_review", .object_id = obj, .agency_id = c->agency_id,
				       .rule = "R7.3", .summary = summary };
	r = attt_audit_append(db, c->clock, c->actor, &ev, NULL);
out:
	attt_stmt_finalize(st);
	return r;
}

int attt_audit_review_add(struct attt_db *db, const struct attt_clock *clock, const struct attt_actor *actor,
			  int64_t agency_id, int64_t from_us, int64_t to_us, const char *findings, int64_t *ret_id)
{
	struct add_ctx c = { .clock = clock, .actor = actor, .agency_id = agency_id, .from_us = from_us,
			     .to_us = to_us, .findings = findings };
	size_t n;
	int r;

	if (agency_id < 0 || from_us >= to_us || to_us > attt_now_us(clock) || !findings)
		return ATTT_E_INVAL;
	n = strlen(findings);
	if (n == 0 || n > ATTT_MAX_TEXT || !attt_utf8_valid(findings, n))
		return ATTT_E_INVAL;
	r = attt_db_tx(db, add_tx, &c);
	if (r < 0)
		return r;
	if (ret_id)
		*ret_id = c.id;
	return ATTT_OK;
}

int attt_audit_review_list(struct attt_db *db, int64_t agency_id,
			   int (*fn)(void *ctx, const struct attt_audit_review *rev), void *ctx)
{
	struct attt_stmt *st = NULL;
	int r;

	r = attt_db_prepare(db,
			    agency_id ? "SELECT id, agency_id, from_us, to_us, reviewer_account, reviewer_name, reviewed_us, "
					"tree_size, findings FROM audit_review WHERE agency_id = ? ORDER BY to_us DESC, id DESC"
				      : "SELECT id, agency_id, from_us, to_us, reviewer_account, reviewer_name, reviewed_us, "
					"tree_size, findings FROM audit_review ORDER BY to_us DESC, id DESC",
			    &st);
	if (r < 0)
		return r;
	if (agency_id && (r = attt_stmt_bind_int64(st, 1, agency_id)) < 0)
		goto out;
	while ((r = attt_stmt_step(st)) == 1) {
		struct attt_audit_review rev = {
			.id = attt_stmt_int64(st, 0),
			.agency_id = attt_stmt_int64(st, 1),
			.from_us = attt_stmt_int64(st, 2),
			.to_us = attt_stmt_int64(st, 3),
			.reviewer_account = attt_stmt_int64(st, 4),
			.reviewer_name = attt_stmt_text(st, 5),
			.reviewed_us = attt_stmt_int64(st, 6),
			.tree_size = attt_stmt_int64(st, 7),
			.findings = attt_stmt_text(st, 8),
		};
		r = fn(ctx, &rev);
		if (r < 0)
			goto out;
	}
out:
	attt_stmt_finalize(st);
	return r < 0 ? r : ATTT_OK;
}

int attt_audit_review_overdue(struct attt_db *db, const struct attt_clock *clock, int64_t agency_id,
			      int64_t interval_us, int64_t *ret_since, bool *ret_overdue)
{
	struct attt_stmt *st = NULL;
	int64_t now = attt_now_us(clock), covered;
	int r;

	if (interval_us <= 0)
		return ATTT_E_INVAL;
	/* Where the agency's trail starts. */
	r = attt_db_prepare(db,
			    agency_id ? "SELECT MIN(time_us) FROM audit_event WHERE agency_id = ? OR actor_agency = ?"
				      /* No time index: the blocks of audit_time, then the events after them. */
				      : "SELECT MIN(t) FROM (SELECT MIN(min_us) AS t FROM audit_time UNION ALL "
					"SELECT MIN(time_us) FROM audit_event WHERE seq >= "
					"(SELECT COALESCE(MAX(block) + 1, 0) << 8 FROM audit_time))",
			    &st);
	if (r < 0)
		return r;
	if (agency_id && ((r = attt_stmt_bind_int64(st, 1, agency_id)) < 0 || (r = attt_stmt_bind_int64(st, 2, agency_id)) < 0))
		goto out;
	r = attt_stmt_step(st);
	if (r < 0)
		goto out;
	if (r == 0 || attt_stmt_is_null(st, 0)) {
		*ret_since = 0;
		*ret_overdue = false;
		r = ATTT_OK;
		goto out;
	}
	covered = attt_stmt_int64(st, 0);
	attt_stmt_finalize(st);
	st = NULL;
	/* Walk the reviews by start; a review of the whole trail (agency 0) covers every agency. The
	 * first gap in their union is the oldest unreviewed moment. */
	r = attt_db_prepare(db,
			    "SELECT from_us, to_us FROM audit_review WHERE agency_id = ? OR agency_id = 0 "
			    "ORDER BY from_us",
			    &st);
	if (r < 0)
		return r;
	if ((r = attt_stmt_bind_int64(st, 1, agency_id)) < 0)
		goto out;
	while ((r = attt_stmt_step(st)) == 1) {
		int64_t from = attt_stmt_int64(st, 0), to = attt_stmt_int64(st, 1);
		if (from > covered)
			break; /* a gap before this review */
		if (to > covered)
			covered = to;
	}
	if (r < 0)
		goto out;
	*ret_since = covered >= now ? 0 : covered;
	*ret_overdue = covered < now && now - covered > interval_us;
	r = ATTT_OK;
out:
	attt_stmt_finalize(st);
	return r;
}
