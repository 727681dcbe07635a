/*
 * forms.c: the data of the official forms built from an incident record (R11.2 step 3: Mẫu 03,
 * step 5: Mẫu 04; the half-year summary Mẫu 05), and the store of the generated documents, each
 * kept with its incident, hashed and audited. Rendering (Cairo/Pango) is the docs module's: this
 * module only hands it JSON, so that the library does not pull in the graphics stack.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <sodium.h>

#include "attt/db.h"
#include "attt/err.h"
#include "attt/incident.h"
#include "attt/str.h"
#include "incident-int.h"

#define ICT_OFFSET_US (INT64_C(7) * 3600 * 1000000) /* Asia/Ho_Chi_Minh, no daylight saving */

/* "yyyy-mm-dd" of t in Asia/Ho_Chi_Minh; with month_only, *ret_year and *ret_month too. */
static int local_date(int64_t t, char *buf, size_t size, int *ret_year, int *ret_month)
{
	time_t s = (time_t)((t + ICT_OFFSET_US) / 1000000);
	struct tm tm;

	if (!gmtime_r(&s, &tm))
		return ATTT_E_RANGE;
	if (ret_year)
		*ret_year = tm.tm_year + 1900;
	if (ret_month)
		*ret_month = tm.tm_mon + 1;
	return attt_str_printf(buf, size, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

static int64_t local_to_utc(int year, int month)
{
	struct tm tm = { .tm_year = year - 1900, .tm_mon = month - 1, .tm_mday = 1 };
	return (int64_t)timegm(&tm) * 1000000 - ICT_OFFSET_US;
}

/* The detail of the newest timeline row of incident id with kind k, and its time; NULL if none. */
static int last_event(struct attt_db *db, int64_t id, const char *k, char **ret, int64_t *ret_at)
{
	struct attt_stmt *st = NULL;
	char *p = NULL;
	int r = attt_db_prepare_cached(db,
				       "SELECT detail, at FROM incident_event WHERE incident_id = ? AND kind = ? "
				       "ORDER BY id DESC LIMIT 1",
				       &st);
	if (r < 0)
		return r;
	if ((r = attt_stmt_bind_int64(st, 1, id)) < 0 || (r = attt_stmt_bind_text(st, 2, k)) < 0)
		goto out;
	r = attt_stmt_step(st);
	if (r < 0)
		goto out;
	if (r > 0 && attt_stmt_text(st, 0)) {
		p = strdup(attt_stmt_text(st, 0));
		if (!p) {
			r = ATTT_E_NOMEM;
			goto out;
		}
		*ret_at = attt_stmt_int64(st, 1);
	}
	*ret = p;
	r = ATTT_OK;
out:
	attt_stmt_finalize(st);
	return r;
}

static const char *const row_of_type[][2] = {
	{ "ddos", "tu_choi_dich_vu" }, { "phishing", "gia_mao" }, { "malware", "ma_doc" },
	{ "intrusion", "truy_cap_trai_phep" }, { "defacement", "thay_doi_giao_dien" }, { "ransomware", "ma_hoa" },
	{ "sabotage", "pha_hoai" }, { "espionage", "nghe_trom" }, { "combined", "tong_hop" }, { "other", "khac" },
};

/* Mẫu 05: the agency's incidents reported in the half-year [from, to), by type: how many, how many
 * handled by the agency itself (closed at step 2), how many with outside help (reached step 3). */
static int summary(struct attt_db *db, int64_t agency, int year, int half, json_t *o)
{
	struct attt_stmt *st = NULL;
	json_t *rows = json_object();
	int64_t from = local_to_utc(year, half == 1 ? 1 : 7);
	int64_t to = half == 1 ? local_to_utc(year, 7) : local_to_utc(year + 1, 1);
	char pf[16], pt[16];
	int r;

	if (!rows)
		return ATTT_E_NOMEM;
	r = attt_db_prepare(db,
			    "SELECT i.incident_type, COUNT(*), "
			    "SUM(EXISTS (SELECT 1 FROM incident_event e WHERE e.incident_id = i.id AND e.kind = 'resolved')), "
			    "SUM(EXISTS (SELECT 1 FROM incident_event e WHERE e.incident_id = i.id AND e.to_value = '3')) "
			    "FROM incident i WHERE i.agency_id = ? AND i.reported_at >= ? AND i.reported_at < ? "
			    "GROUP BY i.incident_type",
			    &st);
	if (r < 0)
		goto out;
	if ((r = attt_stmt_bind_int64(st, 1, agency)) < 0 || (r = attt_stmt_bind_int64(st, 2, from)) < 0 ||
	    (r = attt_stmt_bind_int64(st, 3, to)) < 0)
		goto out;
	while ((r = attt_stmt_step(st)) > 0) {
		const char *type = attt_stmt_text(st, 0);
		for (size_t i = 0; i < sizeof(row_of_type) / sizeof(row_of_type[0]); i++) {
			if (!type || strcmp(type, row_of_type[i][0]) != 0)
				continue;
			if (json_object_set_new(rows, row_of_type[i][1],
						json_pack("{s:I,s:I,s:I}", "so_luong", (json_int_t)attt_stmt_int64(st, 1),
							  "tu_xu_ly", (json_int_t)attt_stmt_int64(st, 2),
							  "ho_tro_trong_nuoc", (json_int_t)attt_stmt_int64(st, 3))) < 0) {
				r = ATTT_E_NOMEM;
				goto out;
			}
		}
	}
	if (r < 0)
		goto out;
	attt_str_printf(pf, sizeof(pf), "%02d/%04d", half == 1 ? 1 : 7, year);
	attt_str_printf(pt, sizeof(pt), "%02d/%04d", half == 1 ? 6 : 12, year);
	if (json_object_set_new(o, "period", json_pack("{s:s,s:s,s:s}", "kind", "6m", "from", pf, "to", pt)) < 0 ||
	    json_object_set(o, "incidents", rows) < 0) {
		r = ATTT_E_NOMEM;
		goto out;
	}
	r = ATTT_OK;
out:
	attt_stmt_finalize(st);
	json_decref(rows);
	return r;
}

int attt_incident_form_data(struct attt_db *db, int64_t id, const char *form, json_t **ret)
{
	struct attt_stmt *st = NULL;
	json_t *o = NULL;
	char *result = NULL, *initial = NULL;
	char date[16], detected[16];
	int64_t agency, reported, at = 0, init_at = 0;
	int year = 0, month = 0, r;

	if (!form || (strcmp(form, "03") != 0 && strcmp(form, "04") != 0 && strcmp(form, "05") != 0))
		return ATTT_E_INVAL;
	r = attt__incident_row(db,
			       "SELECT i.agency_id, a.name, COALESCE(p.name, ''), i.title, i.description, i.detected_at, "
			       "i.reported_at, i.reporter, COALESCE(i.affected_system, '') FROM incident i "
			       "JOIN agency a ON a.id = i.agency_id LEFT JOIN agency p ON p.id = a.parent_id WHERE i.id = ?",
			       id, &st);
	if (r < 0)
		return r;
	agency = attt_stmt_int64(st, 0);
	reported = attt_stmt_int64(st, 6);
	if ((r = local_date(reported, date, sizeof(date), &year, &month)) < 0 ||
	    (r = local_date(attt_stmt_int64(st, 5), detected, sizeof(detected), NULL, NULL)) < 0)
		goto out;
	o = json_pack("{s:s,s:s,s:s,s:s}", "agency", attt_stmt_text(st, 1), "agency_parent", attt_stmt_text(st, 2),
		      "place", "Thái Nguyên", "date", date);
	if (!o) {
		r = ATTT_E_NOMEM;
		goto out;
	}
	if (strcmp(form, "05") == 0) {
		if (json_object_set_new(o, "organization", json_pack("{s:s}", "name", attt_stmt_text(st, 1))) < 0) {
			r = ATTT_E_NOMEM;
			goto out;
		}
		attt_stmt_finalize(st);
		st = NULL;
		r = summary(db, agency, year, month <= 6 ? 1 : 2, o);
		if (r < 0)
			goto out;
	} else {
		const char *sys = attt_stmt_text(st, 8);
		/* the description: the title, then what happened */
		if (json_object_set_new(o, "description",
					json_pack("[ss]", attt_stmt_text(st, 3), attt_stmt_text(st, 4))) < 0 ||
		    json_object_set_new(o, "detected_at", json_string(detected)) < 0 ||
		    json_object_set_new(o, "reporter", json_pack("{s:s}", "name", attt_stmt_text(st, 7))) < 0 ||
		    json_object_set_new(o, "system",
					json_pack("{s:s,s:s}", "operator", attt_stmt_text(st, 1), "name", sys)) < 0) {
			r = ATTT_E_NOMEM;
			goto out;
		}
		attt_stmt_finalize(st);
		st = NULL;
		if (strcmp(form, "04") == 0) {
			r = last_event(db, id, "close", &result, &at);
			if (r >= 0 && !result)
				r = last_event(db, id, "resolved", &result, &at);
			if (r >= 0)
				r = last_event(db, id, "reported", &initial, &init_at);
			if (r < 0)
				goto out;
			if (result)
				json_object_set_new(o, "result", json_string(result));
			if (initial) {
				char d[16];
				if ((r = local_date(init_at, d, sizeof(d), NULL, NULL)) < 0)
					goto out;
				json_object_set_new(o, "initial_report", json_pack("{s:s,s:s}", "number", initial, "date", d));
			}
		} else {
			json_object_set_new(o, "reported_at", json_string(date));
		}
	}
	*ret = o;
	o = NULL;
	r = ATTT_OK;
out:
	attt_stmt_finalize(st);
	json_decref(o);
	free(result);
	free(initial);
	return r;
}

struct doc_ctx {
	const struct attt_clock *clock;
	const struct attt_actor *actor;
	int64_t id, doc;
	const char *form;
	const void *pdf;
	size_t n;
	char hex[crypto_hash_sha256_BYTES * 2 + 1];
};

static int doc_tx(struct attt_db *db, void *vctx)
{
	struct doc_ctx *c = vctx;
	struct attt_stmt *st = NULL;
	int64_t now = attt_now_us(c->clock), agency;
	char *summary = NULL, sid[24];
	const char *who = c->actor && c->actor->username ? c->actor->username : "system";
	int r;

	r = attt__incident_row(db, "SELECT agency_id FROM incident WHERE id = ?", c->id, &st);
	if (r < 0)
		return r;
	agency = attt_stmt_int64(st, 0);
	attt_stmt_finalize(st);
	st = NULL;
	r = attt_db_prepare_cached(db,
				   "INSERT INTO incident_document (incident_id, form, sha256, size, content, created_at, "
				   "created_by) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
				   &st);
	if (r < 0)
		goto out;
	if ((r = attt_stmt_bind_int64(st, 1, c->id)) < 0 || (r = attt_stmt_bind_text(st, 2, c->form)) < 0 ||
	    (r = attt_stmt_bind_text(st, 3, c->hex)) < 0 || (r = attt_stmt_bind_int64(st, 4, (int64_t)c->n)) < 0 ||
	    (r = attt_stmt_bind_blob(st, 5, c->pdf, c->n)) < 0 || (r = attt_stmt_bind_int64(st, 6, now)) < 0 ||
	    (r = attt_stmt_bind_text(st, 7, who)) < 0)
		goto out;
	r = attt_stmt_step(st);
	if (r == 0)
		r = ATTT_E_DB;
	if (r < 0)
		goto out;
	c->doc = attt_stmt_int64(st, 0);
	(void)attt_stmt_step(st);
	attt_stmt_finalize(st);
	st = NULL;
	r = attt_db_prepare_cached(db,
				   "INSERT INTO incident_event (incident_id, at, actor, kind, from_value, to_value, detail) "
				   "VALUES (?, ?, ?, 'document', NULL, ?, ?)",
				   &st);
	if (r < 0)
		goto out;
	if ((r = attt_stmt_bind_int64(st, 1, c->id)) < 0 || (r = attt_stmt_bind_int64(st, 2, now)) < 0 ||
	    (r = attt_stmt_bind_text(st, 3, who)) < 0 || (r = attt_stmt_bind_text(st, 4, c->form)) < 0 ||
	    (r = attt_stmt_bind_text(st, 5, c->hex)) < 0 || (r = attt_stmt_step(st)) < 0)
		goto out;
	{
		json_t *j = json_pack("{s:s,s:s,s:I,s:I}", "form", c->form, "sha256", c->hex, "size", (json_int_t)c->n,
				      "document_id", (json_int_t)c->doc);
		summary = j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
		json_decref(j);
	}
	if (!summary) {
		r = ATTT_E_NOMEM;
		goto out;
	}
	attt_str_printf(sid, sizeof(sid), "%lld", (long long)c->id);
	{
		struct attt_audit_event ev = {
			.category = ATTT_AUDIT_DATA, .action = "incident.document", .object_type = "incident",
			.object_id = sid, .agency_id = agency, .outcome = ATTT_AUDIT_SUCCESS, .rule = "R11.2",
			.summary = summary,
		};
		r = attt_audit_append(db, c->clock, c->actor, &ev, NULL);
	}
out:
	attt_stmt_finalize(st);
	free(summary);
	return r;
}

int attt_incident_store_document(struct attt_db *db, const struct attt_clock *clock, const struct attt_actor *actor,
				 int64_t id, const char *form, const void *pdf, size_t n, int64_t *ret_id)
{
	struct doc_ctx c = { .clock = clock, .actor = actor, .id = id, .form = form, .pdf = pdf, .n = n };
	unsigned char h[crypto_hash_sha256_BYTES];
	int r;

	if (!form || (strcmp(form, "03") != 0 && strcmp(form, "04") != 0 && strcmp(form, "05") != 0) || !pdf ||
	    n == 0)
		return ATTT_E_INVAL;
	if (n > ATTT_INCIDENT_MAX_DOCUMENT)
		return ATTT_E_TOOBIG;
	crypto_hash_sha256(h, pdf, n);
	sodium_bin2hex(c.hex, sizeof(c.hex), h, sizeof(h));
	r = attt_db_tx(db, doc_tx, &c);
	if (r < 0)
		return r;
	if (ret_id)
		*ret_id = c.doc;
	return ATTT_OK;
}
