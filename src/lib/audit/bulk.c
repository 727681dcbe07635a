/*
 * bulk.c: bulk events (R7.2). One change of a record is one event; a bulk operation (an import of
 * 50 000 people, a merge that moves every person of an agency) is one operation, and is recorded
 * the way database audit facilities record a statement rather than its rows: one event per agency
 * naming the set of objects it changed, in the same transaction as the changes. With one event per
 * record, the trail would cost more than the records themselves (docs/performance.md, "Audit"):
 * an event row is larger than a person row.
 *
 * The object set is written into the event's object_id in braces, as ascending, disjoint decimal
 * ranges ("{1001-1100,1203,1210-1212}"), so it is part of the leaf like any object ID, no other
 * object ID (an archive's "0-1000", an incident code) is ever read as one, and a query for one
 * object finds the bulk events whose set holds it (attt_audit_idset_has). IDs are held as ranges:
 * an import's consecutive IDs cost one range. A set whose text would exceed ATTT_AUDIT_MAX_FIELD
 * is split over several events; memory is bounded by writing early (limits.h).
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

struct run {
	int64_t lo, hi; /* lo <= hi */
};

struct set {
	int64_t agency;
	struct run *runs;
	size_t n, cap;
};

struct attt_audit_bulk {
	struct attt_db *db;
	const struct attt_clock *clock;
	const struct attt_actor *actor;
	enum attt_audit_category category;
	enum attt_audit_outcome outcome;
	char *action, *object_type, *rule;
	const char *summary_rest; /* the caller's keys after '{' (into summary), or NULL for none */
	char *summary;
	struct set *sets;
	size_t nsets, capsets, runs, last;
	uint64_t events;
};

static void set_free(struct set *s)
{
	free(s->runs);
	s->runs = NULL;
	s->n = s->cap = 0;
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
	char *d = NULL;

	if (s) {
		if (strlen(s) > max)
			return ATTT_E_TOOBIG;
		if (!(d = strdup(s)))
			return ATTT_E_NOMEM;
	}
	*ret = d;
	return ATTT_OK;
}

/* The summary of an event naming n objects: {"count":n, then the caller's keys}. */
static int with_count(const struct attt_audit_bulk *b, uint64_t n, struct attt_buf *out)
{
	return attt_buf_addf(out, "{\"count\":%llu%s%s", (unsigned long long)n, b->summary_rest ? "," : "}",
			     b->summary_rest ? b->summary_rest : "");
}

int attt_audit_bulk_begin(struct attt_db *db, const struct attt_clock *clock, const struct attt_actor *actor,
			  const struct attt_audit_event *ev, struct attt_audit_bulk **ret)
{
	struct attt_audit_bulk *b;
	struct attt_buf sum;
	int r;

	if (!db || !clock || !ev || !ev->action || !*ev->action || !ev->object_type || !*ev->object_type)
		return ATTT_E_INVAL;
	if (!(b = calloc(1, sizeof(*b))))
		return ATTT_E_NOMEM;
	attt_buf_init(&sum, ATTT_AUDIT_MAX_SUMMARY);
	b->db = db;
	b->clock = clock;
	b->actor = actor;
	b->category = ev->category;
	b->outcome = ev->outcome;
	if ((r = dup(ev->action, ATTT_AUDIT_MAX_FIELD, &b->action)) < 0 ||
	    (r = dup(ev->object_type, ATTT_AUDIT_MAX_FIELD, &b->object_type)) < 0 ||
	    (r = dup(ev->rule, ATTT_AUDIT_MAX_FIELD, &b->rule)) < 0 ||
	    (r = dup(ev->summary, ATTT_AUDIT_MAX_SUMMARY / 2, &b->summary)) < 0)
		goto out;
	/* The caller's summary, as each event will carry it after its count. It is checked here, once,
	 * as the append checks every summary: "count" is the bulk event's own key, so a summary holding
	 * it has a duplicate key and is refused. */
	if (b->summary) {
		const char *p = b->summary + strspn(b->summary, " \t\r\n");
		if (*p != '{') {
			r = ATTT_E_INVAL;
			goto out;
		}
		p++;
		p += strspn(p, " \t\r\n");
		b->summary_rest = *p == '}' ? NULL : p;
	}
	if ((r = with_count(b, 0, &sum)) < 0 || (r = attt__audit_check_summary(attt_buf_str(&sum))) < 0)
		goto out;
	*ret = b;
	b = NULL;
	r = ATTT_OK;
out:
	attt_buf_done(&sum);
	attt_audit_bulk_free(b);
	return r;
}

static int cmp_run(const void *x, const void *y)
{
	const struct run *a = x, *c = y;
	return (a->lo > c->lo) - (a->lo < c->lo);
}

/* Appends one event: set is the text of n objects of agency. */
static int append_one(struct attt_audit_bulk *b, int64_t agency, const char *set, uint64_t n)
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

/* Writes the events of s (as many as its text needs) and frees its ranges. */
static int flush_set(struct attt_audit_bulk *b, struct set *s)
{
	char set[ATTT_AUDIT_MAX_FIELD + 1];
	size_t len = 0, m = 0, i = 0;
	uint64_t count = 0;
	int r;

	/* Sorted and merged: overlapping or adjacent ranges become one (an ID added twice is one). */
	if (s->n > 1)
		qsort(s->runs, s->n, sizeof(*s->runs), cmp_run);
	for (size_t k = 0; k < s->n; k++) {
		if (m > 0 && s->runs[k].lo - 1 <= s->runs[m - 1].hi) {
			if (s->runs[k].hi > s->runs[m - 1].hi)
				s->runs[m - 1].hi = s->runs[k].hi;
		} else {
			s->runs[m++] = s->runs[k];
		}
	}
	while (i < m) {
		const struct run *u = &s->runs[i];
		char item[48];
		int n = u->hi > u->lo ? snprintf(item, sizeof(item), "%s%lld-%lld", len ? "," : "{", (long long)u->lo,
						 (long long)u->hi)
				      : snprintf(item, sizeof(item), "%s%lld", len ? "," : "{", (long long)u->lo);
		if (n < 0 || (size_t)n >= sizeof(item))
			return ATTT_E_INTERNAL;
		/* Room for the item and the closing brace; else this event ends and the range starts the
		 * next one. */
		if (len + (size_t)n + 1 > ATTT_AUDIT_MAX_FIELD) {
			set[len++] = '}';
			set[len] = '\0';
			if ((r = append_one(b, s->agency, set, count)) < 0)
				return r;
			len = 0;
			count = 0;
			continue;
		}
		memcpy(set + len, item, (size_t)n);
		len += (size_t)n;
		count += (uint64_t)(u->hi - u->lo) + 1;
		i++;
	}
	if (len) {
		set[len++] = '}';
		set[len] = '\0';
		if ((r = append_one(b, s->agency, set, count)) < 0)
			return r;
	}
	b->runs -= s->n;
	set_free(s);
	return ATTT_OK;
}

static int flush_all(struct attt_audit_bulk *b)
{
	int r;

	for (size_t i = 0; i < b->nsets; i++)
		if ((r = flush_set(b, &b->sets[i])) < 0)
			return r;
	b->nsets = 0;
	b->runs = 0;
	b->last = 0;
	return ATTT_OK;
}

/* Doubles the array *p of *cap elements of size bytes (first elements when empty). Both arrays it
 * grows are bounded by limits.h ATTT_AUDIT_BULK_*, so the product cannot overflow. */
static int grow(void **p, size_t *cap, size_t first, size_t size)
{
	size_t n = *cap ? *cap * 2 : first;
	void *q = realloc(*p, n * size);

	if (!q)
		return ATTT_E_NOMEM;
	*p = q;
	*cap = n;
	return ATTT_OK;
}

/* The set of agency: the last one used (imports come agency by agency, or interleaved over a few
 * hundred), else a search, else a new one; at ATTT_AUDIT_BULK_AGENCIES the largest set is written
 * and its place reused. */
static int set_of(struct attt_audit_bulk *b, int64_t agency, struct set **ret)
{
	struct set *s = NULL;
	int r;

	if (b->last < b->nsets && b->sets[b->last].agency == agency) {
		*ret = &b->sets[b->last];
		return ATTT_OK;
	}
	for (size_t i = b->nsets; i-- > 0;)
		if (b->sets[i].agency == agency) {
			b->last = i;
			*ret = &b->sets[i];
			return ATTT_OK;
		}
	if (b->nsets == ATTT_AUDIT_BULK_AGENCIES) {
		size_t big = 0;
		for (size_t i = 1; i < b->nsets; i++)
			if (b->sets[i].n > b->sets[big].n)
				big = i;
		s = &b->sets[big];
		if ((r = flush_set(b, s)) < 0)
			return r;
		b->last = big;
	} else {
		if (b->nsets == b->capsets && (r = grow((void **)&b->sets, &b->capsets, 8, sizeof(*b->sets))) < 0)
			return r;
		b->last = b->nsets++;
		s = &b->sets[b->last];
		memset(s, 0, sizeof(*s));
	}
	s->agency = agency;
	*ret = s;
	return ATTT_OK;
}

int attt_audit_bulk_add(struct attt_audit_bulk *b, int64_t agency_id, int64_t object_id)
{
	struct set *s;
	int r;

	if (!b || object_id < 0 || agency_id < 0)
		return ATTT_E_INVAL;
	if ((r = set_of(b, agency_id, &s)) < 0)
		return r;
	/* The next ID of the newest range (an import's autoincrement) or already in it: no new range. */
	if (s->n && object_id >= s->runs[s->n - 1].lo && object_id - 1 <= s->runs[s->n - 1].hi) {
		if (object_id > s->runs[s->n - 1].hi)
			s->runs[s->n - 1].hi = object_id;
		return ATTT_OK;
	}
	if (s->n == s->cap && (r = grow((void **)&s->runs, &s->cap, 16, sizeof(*s->runs))) < 0)
		return r;
	s->runs[s->n++] = (struct run){ object_id, object_id };
	b->runs++;
	if (s->n >= ATTT_AUDIT_BULK_SET_RUNS)
		return flush_set(b, s);
	if (b->runs >= ATTT_AUDIT_BULK_RUNS)
		return flush_all(b);
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

	/* The whole text must be a set, so that no other object ID is ever read as one. */
	if (!p || *p++ != '{')
		return false;
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
		if (*p == '}')
			return p[1] == '\0' && found;
		if (*p++ != ',')
			return false;
	}
}
