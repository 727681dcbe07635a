/*
 * bulk.c: bulk events (R7.2). One change of a record is one event; a bulk operation (an import of
 * 50 000 people, a merge that moves every person of an agency) is one operation, and is recorded
 * the way database audit facilities record a statement rather than its rows: one event per agency
 * naming the set of objects it changed, in the same transaction as the changes. With one event per
 * record, the trail would cost more than the records themselves (docs/performance.md, "Audit"):
 * an event row is larger than a person row.
 *
 * The object set is written into the event's object_id as ascending, disjoint decimal ranges
 * ("1001-1100,1203,1210-1212"), so it is part of the leaf like any object ID and a query for one
 * object finds the bulk events whose set holds it (attt_audit_idset_has). A set whose text would
 * exceed ATTT_AUDIT_MAX_FIELD is split over several events; memory is bounded by flushing early.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attt/audit.h"
#include "attt/buf.h"
#include "attt/err.h"
#include "attt/limits.h"
#include "attt/str.h"
#include "audit-int.h"

enum {
	SET_MAX = 8192,    /* IDs of one agency held before its events are written */
	TOTAL_MAX = 65536, /* IDs of all agencies held (512 KiB) before all are written */
	SETS_MAX = 1024,   /* agencies held at once */
};

struct set {
	int64_t agency;
	int64_t *ids;
	size_t n, cap;
};

struct attt_audit_bulk {
	struct attt_db *db;
	const struct attt_clock *clock;
	const struct attt_actor *actor;
	enum attt_audit_category category;
	enum attt_audit_outcome outcome;
	char *action, *object_type, *rule;
	char *summary;   /* the caller's summary ("{}" for none); each event's count goes first */
	struct set *sets;
	size_t nsets, capsets, total;
	uint64_t events;
};

static void set_free(struct set *s)
{
	free(s->ids);
	memset(s, 0, sizeof(*s));
}

void attt_audit_bulk_free(struct attt_audit_bulk *b)
{
	if (!b)
		return;
	for (size_t i = 0; i < b->nsets; i++)
		set_free(&b->sets[i]);
	free(b->sets);
	free(b->action);
	free(b->object_type);
	free(b->rule);
	free(b->summary);
	free(b);
}

static int dup(const char *s, size_t max, char **ret)
{
	*ret = NULL;
	if (!s)
		return ATTT_OK;
	if (strlen(s) > max)
		return ATTT_E_TOOBIG;
	*ret = strdup(s);
	return *ret ? ATTT_OK : ATTT_E_NOMEM;
}

/* The summary of an event naming n objects: {"count":n, then the caller's keys}. */
static int with_count(const struct attt_audit_bulk *b, size_t n, struct attt_buf *out)
{
	return attt_buf_addf(out, "{\"count\":%zu%s%s", n, b->summary[1] == '}' ? "" : ",", b->summary + 1);
}

int attt_audit_bulk_begin(struct attt_db *db, const struct attt_clock *clock, const struct attt_actor *actor,
			  const struct attt_audit_event *ev, struct attt_audit_bulk **ret)
{
	struct attt_audit_bulk *b;
	struct attt_buf sum;
	int r;

	*ret = NULL;
	attt_buf_init(&sum, ATTT_AUDIT_MAX_SUMMARY);
	if (!db || !clock || !ev || !ev->action || !*ev->action || !ev->object_type || !*ev->object_type)
		return ATTT_E_INVAL;
	if (!(b = calloc(1, sizeof(*b))))
		return ATTT_E_NOMEM;
	b->db = db;
	b->clock = clock;
	b->actor = actor;
	b->category = ev->category;
	b->outcome = ev->outcome;
	if ((r = dup(ev->action, ATTT_AUDIT_MAX_FIELD, &b->action)) < 0 ||
	    (r = dup(ev->object_type, ATTT_AUDIT_MAX_FIELD, &b->object_type)) < 0 ||
	    (r = dup(ev->rule, ATTT_AUDIT_MAX_FIELD, &b->rule)) < 0)
		goto out;
	/* The caller's summary, as each event will carry it after its count: "count" is the bulk event's
	 * own key, so a summary holding it is a duplicate key and refused here. */
	if (ev->summary && (ev->summary[0] != '{' || strlen(ev->summary) > ATTT_AUDIT_MAX_SUMMARY / 2)) {
		r = ev->summary[0] != '{' ? ATTT_E_INVAL : ATTT_E_TOOBIG;
		goto out;
	}
	if ((r = dup(ev->summary ? ev->summary : "{}", ATTT_AUDIT_MAX_SUMMARY, &b->summary)) < 0 ||
	    (r = with_count(b, 0, &sum)) < 0 || (r = attt__audit_check_summary(attt_buf_str(&sum))) < 0)
		goto out;
	*ret = b;
	b = NULL;
	r = ATTT_OK;
out:
	attt_buf_done(&sum);
	attt_audit_bulk_free(b);
	return r;
}

static int cmp_id(const void *x, const void *y)
{
	int64_t a = *(const int64_t *)x, c = *(const int64_t *)y;
	return (a > c) - (a < c);
}

/* Appends one event for ids[0..n) (ascending, distinct) of agency, its object_id the text set. */
static int append_one(struct attt_audit_bulk *b, int64_t agency, const char *set, size_t n)
{
	struct attt_buf summary;
	int r;

	attt_buf_init(&summary, ATTT_AUDIT_MAX_SUMMARY);
	if ((r = with_count(b, n, &summary)) < 0)
		goto out;
	struct attt_audit_event ev = {
		.category = b->category,
		.action = b->action,
		.object_type = b->object_type,
		.object_id = set,
		.agency_id = agency,
		.outcome = b->outcome,
		.rule = b->rule,
		.summary = attt_buf_str(&summary),
	};
	r = attt_audit_append(b->db, b->clock, b->actor, &ev, NULL);
	if (r >= 0)
		b->events++;
out:
	attt_buf_done(&summary);
	return r;
}

/* Writes the events of s (as many as its text needs) and empties it. */
static int flush_set(struct attt_audit_bulk *b, struct set *s)
{
	char set[ATTT_AUDIT_MAX_FIELD + 1];
	size_t len = 0, count = 0, i = 0, m = 0;
	int r = ATTT_OK;

	/* Imports add ascending IDs: sort only when needed. */
	for (size_t k = 1; k < s->n; k++)
		if (s->ids[k] < s->ids[k - 1]) {
			qsort(s->ids, s->n, sizeof(*s->ids), cmp_id);
			break;
		}
	for (size_t k = 0; k < s->n; k++) /* the same object twice is one object */
		if (m == 0 || s->ids[k] != s->ids[m - 1])
			s->ids[m++] = s->ids[k];
	while (i < m) {
		size_t j = i;
		char item[48];
		int n;
		while (j + 1 < m && s->ids[j + 1] == s->ids[j] + 1)
			j++;
		n = j > i ? snprintf(item, sizeof(item), "%s%lld-%lld", len ? "," : "", (long long)s->ids[i],
				     (long long)s->ids[j])
			  : snprintf(item, sizeof(item), "%s%lld", len ? "," : "", (long long)s->ids[i]);
		if (n < 0 || (size_t)n >= sizeof(item))
			return ATTT_E_INTERNAL;
		if (len + (size_t)n > ATTT_AUDIT_MAX_FIELD) {
			/* The text is full: this event ends here, the run starts the next one. */
			if ((r = append_one(b, s->agency, set, count)) < 0)
				return r;
			len = count = 0;
			continue;
		}
		memcpy(set + len, item, (size_t)n);
		len += (size_t)n;
		set[len] = '\0';
		count += j - i + 1;
		i = j + 1;
	}
	if (count && (r = append_one(b, s->agency, set, count)) < 0)
		return r;
	b->total -= s->n;
	s->n = 0;
	return ATTT_OK;
}

static int flush_all(struct attt_audit_bulk *b)
{
	int r;

	for (size_t i = 0; i < b->nsets; i++) {
		if ((r = flush_set(b, &b->sets[i])) < 0)
			return r;
		set_free(&b->sets[i]);
	}
	b->nsets = 0;
	b->total = 0;
	return ATTT_OK;
}

int attt_audit_bulk_add(struct attt_audit_bulk *b, int64_t agency_id, int64_t object_id)
{
	struct set *s = NULL;
	int r;

	if (!b || object_id < 0 || agency_id < 0)
		return ATTT_E_INVAL;
	if (b->total >= TOTAL_MAX && (r = flush_all(b)) < 0)
		return r;
	/* Imports come agency after agency or interleaved over a few hundred: search from the newest. */
	for (size_t i = b->nsets; i-- > 0;)
		if (b->sets[i].agency == agency_id) {
			s = &b->sets[i];
			break;
		}
	if (!s) {
		if (b->nsets == SETS_MAX && (r = flush_all(b)) < 0)
			return r;
		if (b->nsets == b->capsets) {
			size_t cap = b->capsets ? b->capsets * 2 : 8;
			struct set *sets = realloc(b->sets, cap * sizeof(*sets));
			if (!sets)
				return ATTT_E_NOMEM;
			b->sets = sets;
			b->capsets = cap;
		}
		s = &b->sets[b->nsets++];
		memset(s, 0, sizeof(*s));
		s->agency = agency_id;
	}
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		int64_t *ids = realloc(s->ids, cap * sizeof(*ids));
		if (!ids)
			return ATTT_E_NOMEM;
		s->ids = ids;
		s->cap = cap;
	}
	s->ids[s->n++] = object_id;
	b->total++;
	if (s->n >= SET_MAX)
		return flush_set(b, s);
	return ATTT_OK;
}

int attt_audit_bulk_end(struct attt_audit_bulk *b, uint64_t *ret_events)
{
	int r;

	if (!b)
		return ATTT_E_INVAL;
	r = flush_all(b);
	if (r >= 0 && ret_events)
		*ret_events = b->events;
	attt_audit_bulk_free(b);
	return r < 0 ? r : ATTT_OK;
}

/* Reads a decimal without sign or leading zero at *p; false if there is none or it overflows. */
static bool read_id(const char **p, int64_t *ret)
{
	const char *s = *p;
	int64_t v = 0;

	if (*s < '0' || *s > '9' || (*s == '0' && s[1] >= '0' && s[1] <= '9'))
		return false;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (v > (INT64_MAX - (*s - '0')) / 10)
			return false;
		v = v * 10 + (*s - '0');
	}
	*p = s;
	*ret = v;
	return true;
}

bool attt_audit_idset_has(const char *set, int64_t id)
{
	const char *p = set;
	int64_t prev = -1;
	bool found = false;

	if (!p || !*p)
		return false;
	/* The whole text must be a set, so that no other object ID is ever read as one. */
	for (;;) {
		int64_t lo, hi;
		if (!read_id(&p, &lo) || lo <= prev)
			return false;
		hi = lo;
		if (*p == '-') {
			p++;
			if (!read_id(&p, &hi) || hi <= lo)
				return false;
		}
		if (id >= lo && id <= hi)
			found = true;
		prev = hi;
		if (*p == '\0')
			return found;
		if (*p++ != ',')
			return false;
	}
}
