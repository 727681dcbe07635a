/*
 * test_incident.c: the incident module: reporting with the malware guidance (R8.8), severities with
 * reasons and the questionnaire (R11.1), every transition of the five steps allowed and refused by
 * role and state (R11.2), escalation notifications and deadlines under an injected clock (R11.3).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "attt/audit.h"
#include "attt/clock.h"
#include "attt/db.h"
#include "attt/err.h"
#include "attt/incident.h"
#include "attt/limits.h"
#include "attt/org.h"
#include "attt/policy.h"

#define HOUR INT64_C(3600000000)

struct t {
	char dir[64], path[128];
	struct attt_db *db;
	int64_t now;
	struct attt_clock clock;
	struct attt_actor actor;
	struct attt_policy *tn, *nat;
	int64_t parent, child; /* agencies: the superior and the reporting one */
};

static int64_t count(struct t *t, const char *sql)
{
	struct attt_stmt *st = NULL;
	int64_t n;
	assert_int_equal(attt_db_prepare(t->db, sql, &st), ATTT_OK);
	assert_int_equal(attt_stmt_step(st), 1);
	n = attt_stmt_int64(st, 0);
	attt_stmt_finalize(st);
	return n;
}

static int64_t agency(struct t *t, const char *name, int64_t parent)
{
	struct attt_agency_new in = { .name = name, .type = ATTT_AGENCY_DEPARTMENT, .parent_id = parent };
	int64_t id = 0;
	assert_int_equal(attt_org_agency_add(t->db, &t->clock, &t->actor, &in, &id), ATTT_OK);
	return id;
}

static int setup(void **state)
{
	struct t *t = calloc(1, sizeof(*t));
	char err[256];
	struct attt_person_new p = { .full_name = "Nguyễn Văn Cấp Trên", .email = "so@cap-tren.example" };
	int64_t pid = 0;
	char sql[2048];

	assert_non_null(t);
	snprintf(t->dir, sizeof(t->dir), "/tmp/attt-incident-test-XXXXXX");
	assert_non_null(mkdtemp(t->dir));
	snprintf(t->path, sizeof(t->path), "%s/attt.db", t->dir);
	assert_int_equal(attt_db_open(t->path, ATTT_DB_CREATE, &t->db), ATTT_OK);
	assert_int_equal(attt_db_exec(t->db, "PRAGMA synchronous=OFF"), ATTT_OK);
	assert_int_equal(attt_db_migrate(t->db), ATTT_OK);
	t->now = INT64_C(1795000000000000);
	t->clock.now_us = attt_clock_fake_now;
	t->clock.ctx = &t->now;
	t->actor.username = "cli";
	t->actor.source = "cli";
	assert_int_equal(attt_policy_load_named("thai-nguyen-10-2020", &t->tn, err, sizeof(err)), ATTT_OK);
	assert_int_equal(attt_policy_load_named("national-2026", &t->nat, err, sizeof(err)), ATTT_OK);
	t->parent = agency(t, "Sở Thông tin và Truyền thông", 0);
	t->child = agency(t, "Phòng Hành chính", t->parent);
	p.agency_id = t->parent;
	assert_int_equal(attt_org_person_add(t->db, &t->clock, &t->actor, &p, &pid), ATTT_OK);
	/* The superior agency's security officer (with a mail address), an authority account, and an
	 * officer of an unrelated agency who must not be told. */
	snprintf(sql, sizeof(sql),
		 "INSERT INTO account (id, username, kind, person_id, agency_id, status, created_at, updated_at) "
		 "VALUES (10, 'so.parent', 'person', %lld, %lld, 'active', 0, 0);"
		 "INSERT INTO account (id, username, kind, service_name, agency_id, status, created_at, updated_at) "
		 "VALUES (11, 'authority', 'service', 'so-tttt', %lld, 'active', 0, 0);"
		 "INSERT INTO account (id, username, kind, service_name, agency_id, status, created_at, updated_at) "
		 "VALUES (12, 'so.child', 'service', 'khac', %lld, 'active', 0, 0);"
		 "INSERT INTO role_grant (account_id, role, agency_id, granted_at) VALUES (10, 'security_officer', %lld, 0);"
		 "INSERT INTO role_grant (account_id, role, agency_id, granted_at) VALUES (11, 'authority', %lld, 0);"
		 "INSERT INTO role_grant (account_id, role, agency_id, granted_at) VALUES (12, 'security_officer', %lld, 0);",
		 (long long)pid, (long long)t->parent, (long long)t->parent, (long long)t->child, (long long)t->parent,
		 (long long)t->parent, (long long)t->child);
	assert_int_equal(attt_db_exec(t->db, sql), ATTT_OK);
	/* An authority granted on another tree only: told nothing of these incidents. */
	{
		int64_t other = agency(t, "Sở Y tế", 0);
		snprintf(sql, sizeof(sql),
			 "INSERT INTO account (id, username, kind, service_name, agency_id, status, created_at, updated_at) "
			 "VALUES (13, 'authority.khac', 'service', 'so-yte', %lld, 'active', 0, 0);"
			 "INSERT INTO role_grant (account_id, role, agency_id, granted_at) VALUES (13, 'authority', %lld, 0);",
			 (long long)other, (long long)other);
		assert_int_equal(attt_db_exec(t->db, sql), ATTT_OK);
	}
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct t *t = *state;
	char cmd[128];
	attt_db_close(t->db);
	attt_policy_free(t->tn);
	attt_policy_free(t->nat);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t->dir);
	if (system(cmd) != 0)
		return -1;
	free(t);
	return 0;
}

static int64_t report(struct t *t, const struct attt_policy *pol, enum attt_severity sev)
{
	struct attt_incident_new in = {
		.agency_id = t->child, .title = "Máy trạm nhiễm mã độc", .description = "Máy phòng kế toán chạy chậm",
		.affected_system = "ketoan-01, 10.0.0.5, ketoan.example.vn", .incident_type = "malware",
		.severity = sev,
	};
	int64_t id = 0;
	assert_int_equal(attt_incident_report(t->db, &t->clock, pol, &t->actor, &in, &id), ATTT_OK);
	assert_true(id > 0);
	return id;
}

static json_t *show(struct t *t, int64_t id)
{
	json_t *j = NULL;
	assert_int_equal(attt_incident_get_json(t->db, id, &j), ATTT_OK);
	return j;
}

/* R8.8: a report is recorded at step 1 with its timeline and audit event, and carries the malware
 * guidance (turn off, disconnect from LAN/WAN/Internet, report). */
static void test_report(void **state)
{
	struct t *t = *state;
	int64_t before = count(t, "SELECT COUNT(*) FROM audit_event");
	int64_t id = report(t, NULL, ATTT_SEVERITY_LOW);
	json_t *j = show(t, id);

	assert_int_equal(count(t, "SELECT COUNT(*) FROM audit_event"), before + 1);
	assert_int_equal(json_integer_value(json_object_get(j, "step")), 1);
	assert_string_equal(json_string_value(json_object_get(j, "status")), "open");
	assert_string_equal(json_string_value(json_object_get(j, "severity")), "thap");
	assert_string_equal(json_string_value(json_object_get(j, "incident_type")), "malware");
	assert_non_null(strstr(json_string_value(json_object_get(json_object_get(j, "guidance"), "vi")),
			       "ngắt kết nối khỏi mạng LAN, mạng WAN và Internet"));
	assert_non_null(strstr(json_string_value(json_object_get(json_object_get(j, "guidance"), "en")), "turn the machine off"));
	assert_int_equal(json_array_size(json_object_get(j, "timeline")), 1);
	/* R8.8, R18.2: the reporting agency's security officer (account 12) is told at once. */
	assert_int_equal(json_array_size(json_object_get(j, "notifications")), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(j, "notifications"), 0), "kind")),
			    "incident.reported");
	assert_int_equal(json_integer_value(json_object_get(json_array_get(json_object_get(j, "notifications"), 0), "account_id")),
			 12);
	json_decref(j);
}

/* Bad input gets a precise error and stores nothing. */
static void test_report_invalid(void **state)
{
	struct t *t = *state;
	struct attt_incident_new in = { .agency_id = t->child, .title = "T", .description = "D" };
	int64_t id = 0, n = count(t, "SELECT COUNT(*) FROM incident");

	in.title = "   ";
	assert_int_equal(attt_incident_report(t->db, &t->clock, NULL, &t->actor, &in, &id), ATTT_E_INVAL);
	in.title = "T";
	in.description = NULL;
	assert_int_equal(attt_incident_report(t->db, &t->clock, NULL, &t->actor, &in, &id), ATTT_E_INVAL);
	in.description = "D";
	in.detected_at = t->now + 1;
	assert_int_equal(attt_incident_report(t->db, &t->clock, NULL, &t->actor, &in, &id), ATTT_E_INVAL);
	in.detected_at = 0;
	in.incident_type = "virus";
	assert_int_equal(attt_incident_report(t->db, &t->clock, NULL, &t->actor, &in, &id), ATTT_E_INVAL);
	in.incident_type = NULL;
	in.agency_id = 999;
	assert_int_equal(attt_incident_report(t->db, &t->clock, NULL, &t->actor, &in, &id), ATTT_E_NOTFOUND);
	in.agency_id = t->child;
	in.title = "\xff";
	assert_int_equal(attt_incident_report(t->db, &t->clock, NULL, &t->actor, &in, &id), ATTT_E_INVAL);
	assert_int_equal(id, 0);
	assert_int_equal(count(t, "SELECT COUNT(*) FROM incident"), n);
}

/* R11.1: the questionnaire of Điều 11.1 a-d. */
static void test_suggest(void **state)
{
	static const struct {
		struct attt_incident_answers a;
		enum attt_severity want;
	} cases[] = {
		{ { false, false, false, false }, ATTT_SEVERITY_LOW },
		{ { true, false, false, false }, ATTT_SEVERITY_MEDIUM },
		{ { false, true, false, false }, ATTT_SEVERITY_HIGH },
		{ { true, true, false, false }, ATTT_SEVERITY_HIGH },
		{ { true, true, true, false }, ATTT_SEVERITY_EMERGENCY },
		{ { false, false, false, true }, ATTT_SEVERITY_EMERGENCY },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(attt_incident_suggest_severity(&cases[i].a), cases[i].want);
}

/* R11.1: a change of severity needs a reason and is on the timeline with it. */
static void test_classify(void **state)
{
	struct t *t = *state;
	int64_t id = report(t, NULL, ATTT_SEVERITY_LOW);
	enum attt_severity s;
	json_t *j, *ev;

	assert_int_equal(attt_incident_severity_parse("trung-binh", &s), ATTT_OK);
	assert_int_equal(s, ATTT_SEVERITY_MEDIUM);
	assert_int_equal(attt_incident_severity_parse("khan-cap", &s), ATTT_OK);
	assert_int_equal(attt_incident_severity_parse("nguy-hiem", &s), ATTT_E_INVAL);
	assert_int_equal(attt_incident_classify(t->db, &t->clock, NULL, &t->actor, id, ATTT_SEVERITY_MEDIUM, ""),
			 ATTT_E_INVAL);
	assert_int_equal(attt_incident_classify(t->db, &t->clock, NULL, &t->actor, id, ATTT_SEVERITY_LOW, "x"),
			 ATTT_E_CONFLICT);
	assert_int_equal(attt_incident_classify(t->db, &t->clock, NULL, &t->actor, 999, ATTT_SEVERITY_HIGH, "x"),
			 ATTT_E_NOTFOUND);
	assert_int_equal(attt_incident_classify(t->db, &t->clock, NULL, &t->actor, id, ATTT_SEVERITY_MEDIUM,
						"cả phòng bị nhiễm"), ATTT_OK);
	j = show(t, id);
	assert_string_equal(json_string_value(json_object_get(j, "severity")), "trung-binh");
	ev = json_array_get(json_object_get(j, "timeline"), 1);
	assert_string_equal(json_string_value(json_object_get(ev, "kind")), "classify");
	assert_string_equal(json_string_value(json_object_get(ev, "from")), "thap");
	assert_string_equal(json_string_value(json_object_get(ev, "to")), "trung-binh");
	assert_string_equal(json_string_value(json_object_get(ev, "detail")), "cả phòng bị nhiễm");
	json_decref(j);
}

/* Brings a fresh incident to step (1..5, or 0 for closed) by the shortest path. */
static int64_t at_step(struct t *t, int step)
{
	int64_t id = report(t, NULL, ATTT_SEVERITY_LOW);
	const enum attt_role so = ATTT_ROLE_SECURITY_OFFICER;
	if (step == 2 || step == 0)
		assert_int_equal(attt_incident_advance(t->db, &t->clock, NULL, &t->actor, so, id, ATTT_INCIDENT_OWN, "x"),
				 ATTT_OK);
	if (step == 0)
		assert_int_equal(attt_incident_advance(t->db, &t->clock, NULL, &t->actor, so, id,
						       ATTT_INCIDENT_RESOLVED, "biên bản"), ATTT_OK);
	if (step >= 3)
		assert_int_equal(attt_incident_advance(t->db, &t->clock, NULL, &t->actor, so, id,
						       ATTT_INCIDENT_HOSTED, "x"), ATTT_OK);
	if (step >= 4)
		assert_int_equal(attt_incident_advance(t->db, &t->clock, NULL, &t->actor, so, id,
						       ATTT_INCIDENT_REPORTED, "Mẫu 03"), ATTT_OK);
	if (step >= 5)
		assert_int_equal(attt_incident_advance(t->db, &t->clock, NULL, &t->actor, ATTT_ROLE_RESPONSE_TEAM, id,
						       ATTT_INCIDENT_COORDINATED, "x"), ATTT_OK);
	return id;
}

static int64_t step_of(struct t *t, int64_t id)
{
	json_t *j = show(t, id);
	int64_t s = json_integer_value(json_object_get(j, "step"));
	json_decref(j);
	return s;
}

/* R11.2: the expected table, written out independently of the module's own. */
static bool expected_may(enum attt_role r, enum attt_incident_action a)
{
	bool agency = r == ATTT_ROLE_SECURITY_OFFICER || r == ATTT_ROLE_AGENCY_HEAD;
	switch (a) {
	case ATTT_INCIDENT_COORDINATED: return r == ATTT_ROLE_RESPONSE_TEAM || r == ATTT_ROLE_AUTHORITY;
	case ATTT_INCIDENT_CLOSE: return agency || r == ATTT_ROLE_AUTHORITY;
	default: return agency;
	}
}

/* R11.2: every action x role x state: allowed only to the right role at the right step, refused
 * otherwise (ATTT_E_PERM by role, ATTT_E_STATE by step), refusals change nothing and are audited. */
static void test_transitions(void **state)
{
	static const int from[] = { 1, 1, 2, 2, 3, 4, 5 };
	static const int to[] = { 2, 3, 0, 3, 4, 5, 0 };
	static const int steps[] = { 1, 2, 3, 4, 5, 0 };
	struct t *t = *state;

	for (int a = 0; a < ATTT_INCIDENT_ACTION_COUNT; a++) {
		assert_int_equal(attt_incident_action_from((enum attt_incident_action)a), from[a]);
		assert_int_equal(attt_incident_action_to((enum attt_incident_action)a), to[a]);
		for (int role = 1; role <= ATTT_ROLE_COUNT; role++) {
			bool may = expected_may((enum attt_role)role, (enum attt_incident_action)a);
			assert_int_equal(attt_incident_role_may((enum attt_role)role, (enum attt_incident_action)a), may);
			if (!may) {
				int64_t id = at_step(t, from[a]);
				int64_t denied = count(t, "SELECT COUNT(*) FROM audit_event WHERE outcome = 2");
				assert_int_equal(attt_incident_advance(t->db, &t->clock, NULL, &t->actor, (enum attt_role)role,
								       id, (enum attt_incident_action)a, "x"),
						 ATTT_E_PERM);
				assert_int_equal(step_of(t, id), from[a]);
				assert_int_equal(count(t, "SELECT COUNT(*) FROM audit_event WHERE outcome = 2"), denied + 1);
				continue;
			}
			for (size_t s = 0; s < sizeof(steps) / sizeof(steps[0]); s++) {
				int64_t id = at_step(t, steps[s]);
				int r = attt_incident_advance(t->db, &t->clock, NULL, &t->actor, (enum attt_role)role, id,
							      (enum attt_incident_action)a, "biên bản ghi nhận");
				if (steps[s] == from[a]) {
					assert_int_equal(r, ATTT_OK);
					assert_int_equal(step_of(t, id), to[a]);
				} else {
					assert_int_equal(r, ATTT_E_STATE);
					assert_int_equal(step_of(t, id), steps[s]);
				}
			}
		}
	}
}

/* R11.2: required text per step; closing sets status closed. */
static void test_required_text(void **state)
{
	struct t *t = *state;
	int64_t id = at_step(t, 2);
	json_t *j;

	assert_int_equal(attt_incident_advance(t->db, &t->clock, NULL, &t->actor, ATTT_ROLE_AGENCY_HEAD, id,
					       ATTT_INCIDENT_RESOLVED, NULL), ATTT_E_INVAL);
	assert_int_equal(attt_incident_advance(t->db, &t->clock, NULL, &t->actor, ATTT_ROLE_AGENCY_HEAD, id,
					       ATTT_INCIDENT_RESOLVED, " "), ATTT_E_INVAL);
	assert_int_equal(step_of(t, id), 2);
	assert_int_equal(attt_incident_advance(t->db, &t->clock, NULL, &t->actor, ATTT_ROLE_AGENCY_HEAD, id,
					       ATTT_INCIDENT_RESOLVED, "Biên bản số 1"), ATTT_OK);
	j = show(t, id);
	assert_string_equal(json_string_value(json_object_get(j, "status")), "closed");
	assert_false(json_is_null(json_object_get(j, "closed_at")));
	json_decref(j);
	/* A closed incident takes no more changes of severity. */
	assert_int_equal(attt_incident_classify(t->db, &t->clock, NULL, &t->actor, id, ATTT_SEVERITY_HIGH, "x"),
			 ATTT_E_STATE);
}

static int64_t notif(struct t *t, int64_t id, const char *kind)
{
	char sql[256];
	snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM notification WHERE ref_type = 'incident' AND ref_id = %lld "
		 "AND kind = '%s'", (long long)id, kind);
	return count(t, sql);
}

/* The subject and body of the first notification of kind for account (the caller frees both). */
static void mail_of(struct t *t, int64_t id, const char *kind, int64_t account, char **subject, char **body)
{
	char sql[256];
	struct attt_stmt *st = NULL;
	snprintf(sql, sizeof(sql), "SELECT subject, body FROM notification WHERE ref_type = 'incident' AND ref_id = %lld "
		 "AND kind = '%s' AND account_id = %lld ORDER BY id LIMIT 1", (long long)id, kind, (long long)account);
	assert_int_equal(attt_db_prepare(t->db, sql, &st), ATTT_OK);
	assert_int_equal(attt_stmt_step(st), 1);
	*subject = strdup(attt_stmt_text(st, 0));
	*body = strdup(attt_stmt_text(st, 1));
	assert_non_null(*subject);
	assert_non_null(*body);
	attt_stmt_finalize(st);
}

/* R11.3: the escalation notice is the incident.escalated template filled from the record: the
 * recipient by name, the agency, severity, reason, detection time, affected system and the
 * deadlines of the profile; want_deadline is the exact text of {{deadline}}. */
static void check_escalation_mail(struct t *t, int64_t id, const char *kind, const char *severity, const char *reason,
				  const char *want_deadline)
{
	char *subject = NULL, *body = NULL, want[512];

	mail_of(t, id, kind, 10, &subject, &body);
	snprintf(want, sizeof(want), "[ATTT][%s] Báo cáo sự cố cần xử lý ngay: Máy trạm nhiễm mã độc", severity);
	assert_string_equal(subject, want);
	assert_non_null(strstr(body, "Kính gửi Nguyễn Văn Cấp Trên,"));
	snprintf(want, sizeof(want), "Phòng Hành chính thông báo sự cố dưới đây (mức độ: %s; lý do: %s).", severity,
		 reason);
	assert_non_null(strstr(body, want));
	assert_non_null(strstr(body, "Hệ thống bị ảnh hưởng: ketoan-01, 10.0.0.5, ketoan.example.vn\n"));
	snprintf(want, sizeof(want), "Hạn thông báo, báo cáo: %s\n", want_deadline);
	assert_non_null(strstr(body, want));
	snprintf(want, sizeof(want), "attt incident show %lld", (long long)id);
	assert_non_null(strstr(body, want));
	assert_null(strstr(body, "{{"));
	free(subject);
	free(body);
	/* The authority's account has no person: it is greeted by its username, in its inbox. */
	mail_of(t, id, kind, 11, &subject, &body);
	assert_non_null(strstr(body, "Kính gửi authority,"));
	free(subject);
	free(body);
}

static int64_t due(struct t *t, int64_t id, const char *col)
{
	char sql[128];
	snprintf(sql, sizeof(sql), "SELECT %s FROM incident WHERE id = %lld", col, (long long)id);
	return count(t, sql);
}

/* R11.3: reporting a Cao incident notifies the superior agency's officer (mail and inbox) and the
 * authority (inbox), not the reporting agency's own officer; thai-nguyen-10-2020: notice within
 * 5 days, Mẫu 04 within 5 days after the response. */
static void test_escalate_thai_nguyen(void **state)
{
	struct t *t = *state;
	int64_t t0 = t->now, id = report(t, t->tn, ATTT_SEVERITY_HIGH);
	json_t *j = show(t, id), *n = json_object_get(j, "notifications");

	/* First the report notice to the agency's own officer (12, R8.8), then the escalation. */
	assert_int_equal(json_array_size(n), 3);
	assert_string_equal(json_string_value(json_object_get(json_array_get(n, 0), "kind")), "incident.reported");
	assert_int_equal(json_integer_value(json_object_get(json_array_get(n, 0), "account_id")), 12);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(n, 1), "account_id")), 10);
	assert_string_equal(json_string_value(json_object_get(json_array_get(n, 1), "to")), "so@cap-tren.example");
	assert_string_equal(json_string_value(json_object_get(json_array_get(n, 1), "state")), "queued");
	assert_int_equal(json_integer_value(json_object_get(json_array_get(n, 2), "account_id")), 11);
	assert_string_equal(json_string_value(json_object_get(json_array_get(n, 2), "state")), "inapp");
	json_decref(j);
	assert_int_equal(due(t, id, "escalated_at"), t0);
	assert_int_equal(due(t, id, "notice_due_at"), t0 + 120 * HOUR);
	{
		/* Thông tư 20 sets the notice deadline only. */
		char nd[40], want[96];
		assert_int_equal(attt_time_local(t0 + 120 * HOUR, nd, sizeof(nd)), ATTT_OK);
		snprintf(want, sizeof(want), "thông báo sự cố %s", nd);
		check_escalation_mail(t, id, "incident.escalated", "Cao", "mức độ nghiêm trọng", want);
	}
	assert_int_equal(due(t, id, "report_due_at"), 0);
	/* Nor for an authority of another tree (it may not read the incident either). */
	assert_int_equal(count(t, "SELECT COUNT(*) FROM notification WHERE account_id = 13"), 0);
	/* The escalation is not for the agency's own officer: its only item is the report notice. */
	assert_int_equal(count(t, "SELECT COUNT(*) FROM inbox_item WHERE account_id = 12 AND notification_id IN "
				  "(SELECT id FROM notification WHERE kind = 'incident.escalated')"), 0);
	/* R11.3: overdue shows once the notice deadline has passed, not before. */
	{
		json_t *l = NULL;
		t->now = t0 + 120 * HOUR - 1;
		assert_int_equal(attt_incident_list_json(t->db, 0, true, true, t->now, 10, &l), ATTT_OK);
		assert_int_equal(json_integer_value(json_object_get(l, "count")), 0);
		json_decref(l);
		t->now = t0 + 120 * HOUR + 1;
		assert_int_equal(attt_incident_list_json(t->db, 0, true, true, t->now, 10, &l), ATTT_OK);
		assert_int_equal(json_integer_value(json_object_get(l, "count")), 1);
		assert_true(json_is_true(json_object_get(json_array_get(json_object_get(l, "items"), 0), "overdue")));
		json_decref(l);
		t->now = t0;
	}

	/* Step 4 -> 5 (the response ends) starts the Mẫu 04 deadline. */
	assert_int_equal(attt_incident_advance(t->db, &t->clock, t->tn, &t->actor, ATTT_ROLE_SECURITY_OFFICER, id,
					       ATTT_INCIDENT_HOSTED, "TTDL tỉnh"), ATTT_OK);
	assert_int_equal(attt_incident_advance(t->db, &t->clock, t->tn, &t->actor, ATTT_ROLE_SECURITY_OFFICER, id,
					       ATTT_INCIDENT_REPORTED, "Mẫu 03"), ATTT_OK);
	t->now += 48 * HOUR;
	assert_int_equal(attt_incident_advance(t->db, &t->clock, t->tn, &t->actor, ATTT_ROLE_RESPONSE_TEAM, id,
					       ATTT_INCIDENT_COORDINATED, "đã khắc phục"), ATTT_OK);
	assert_int_equal(due(t, id, "closing_due_at"), t->now + 120 * HOUR);
}

/* R11.3: national-2026: first notice within 24 h, report within 72 h; raising to khẩn cấp from
 * thấp escalates, raising further does not notify again; a low report notifies no one. */
static void test_escalate_national(void **state)
{
	struct t *t = *state;
	int64_t id = report(t, t->nat, ATTT_SEVERITY_LOW), t1;

	assert_int_equal(notif(t, id, "incident.escalated"), 0);
	assert_int_equal(due(t, id, "notice_due_at"), 0);
	t->now += 3 * HOUR;
	t1 = t->now;
	assert_int_equal(attt_incident_classify(t->db, &t->clock, t->nat, &t->actor, id, ATTT_SEVERITY_HIGH,
						"hệ thống một cửa ngừng"), ATTT_OK);
	assert_int_equal(notif(t, id, "incident.escalated"), 2);
	assert_int_equal(due(t, id, "notice_due_at"), t1 + 24 * HOUR);
	assert_int_equal(due(t, id, "report_due_at"), t1 + 72 * HOUR);
	{
		/* national-2026: the first notice within 24 h and the report within 72 h, both in the mail. */
		char nd[40], rd[40], want[128];
		assert_int_equal(attt_time_local(t1 + 24 * HOUR, nd, sizeof(nd)), ATTT_OK);
		assert_int_equal(attt_time_local(t1 + 72 * HOUR, rd, sizeof(rd)), ATTT_OK);
		snprintf(want, sizeof(want), "thông báo sự cố %s; báo cáo %s", nd, rd);
		check_escalation_mail(t, id, "incident.escalated", "Cao", "mức độ nghiêm trọng", want);
	}
	t->now += HOUR;
	assert_int_equal(attt_incident_classify(t->db, &t->clock, t->nat, &t->actor, id, ATTT_SEVERITY_EMERGENCY,
						"nhiều hoạt động"), ATTT_OK);
	assert_int_equal(notif(t, id, "incident.escalated"), 2);
	assert_int_equal(due(t, id, "notice_due_at"), t1 + 24 * HOUR); /* the first deadline stands */
}

/* R11.3: beyond the agency's capacity (step 2 -> 3) notifies at once, whatever the severity. */
static void test_escalate_beyond(void **state)
{
	struct t *t = *state;
	int64_t id = report(t, t->tn, ATTT_SEVERITY_LOW);

	assert_int_equal(attt_incident_advance(t->db, &t->clock, t->tn, &t->actor, ATTT_ROLE_SECURITY_OFFICER, id,
					       ATTT_INCIDENT_OWN, "hệ thống của cơ quan"), ATTT_OK);
	assert_int_equal(notif(t, id, "incident.beyond_capacity"), 0);
	assert_int_equal(attt_incident_advance(t->db, &t->clock, t->tn, &t->actor, ATTT_ROLE_SECURITY_OFFICER, id,
					       ATTT_INCIDENT_BEYOND, "Biên bản: vượt quá khả năng"), ATTT_OK);
	assert_int_equal(notif(t, id, "incident.beyond_capacity"), 2);
	assert_int_equal(due(t, id, "notice_due_at"), t->now + 120 * HOUR);
	{
		char nd[40], want[96];
		assert_int_equal(attt_time_local(t->now + 120 * HOUR, nd, sizeof(nd)), ATTT_OK);
		snprintf(want, sizeof(want), "thông báo sự cố %s", nd);
		check_escalation_mail(t, id, "incident.beyond_capacity", "Thấp", "vượt quá khả năng xử lý của cơ quan", want);
	}
}

static void test_observe_assign_list(void **state)
{
	struct t *t = *state;
	int64_t id = report(t, NULL, ATTT_SEVERITY_LOW);
	json_t *j;

	assert_int_equal(attt_incident_observe(t->db, &t->clock, &t->actor, id, "ip", "203.0.113.7"), ATTT_OK);
	assert_int_equal(attt_incident_observe(t->db, &t->clock, &t->actor, id, "domain", "evil.example"), ATTT_OK);
	assert_int_equal(attt_incident_observe(t->db, &t->clock, &t->actor, id, "hash",
					       "d41d8cd98f00b204e9800998ecf8427e"), ATTT_OK);
	assert_int_equal(attt_incident_observe(t->db, &t->clock, &t->actor, id, "ip", "203.0.113.7"), ATTT_E_EXISTS);
	assert_int_equal(attt_incident_observe(t->db, &t->clock, &t->actor, id, "ip", "not an ip"), ATTT_E_INVAL);
	assert_int_equal(attt_incident_observe(t->db, &t->clock, &t->actor, id, "hash", "abc"), ATTT_E_INVAL);
	assert_int_equal(attt_incident_observe(t->db, &t->clock, &t->actor, id, "colour", "x"), ATTT_E_INVAL);
	assert_int_equal(attt_incident_assign(t->db, &t->clock, &t->actor, id, 10), ATTT_OK);
	assert_int_equal(attt_incident_assign(t->db, &t->clock, &t->actor, id, 999), ATTT_E_NOTFOUND);
	j = show(t, id);
	assert_int_equal(json_array_size(json_object_get(j, "observables")), 3);
	assert_int_equal(json_integer_value(json_object_get(j, "owner_account_id")), 10);
	json_decref(j);
	assert_int_equal(attt_incident_list_json(t->db, t->child, true, false, t->now, 10, &j), ATTT_OK);
	assert_int_equal(json_integer_value(json_object_get(j, "count")), 1);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(json_object_get(j, "items"), 0), "id")), id);
	json_decref(j);
	assert_int_equal(attt_incident_list_json(t->db, 0, false, false, t->now, 0, &j), ATTT_E_RANGE);
}

/* R11.2 steps 3 and 5: the forms' data from the record, and the stored, hashed, audited document. */
static void test_forms(void **state)
{
	struct t *t = *state;
	int64_t id = at_step(t, 4), doc = 0, ev = count(t, "SELECT COUNT(*) FROM audit_event");
	json_t *j = NULL, *s;

	assert_int_equal(attt_incident_form_data(t->db, id, "03", &j), ATTT_OK);
	assert_string_equal(json_string_value(json_object_get(j, "agency")), "Phòng Hành chính");
	assert_string_equal(json_string_value(json_object_get(j, "agency_parent")), "Sở Thông tin và Truyền thông");
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "system"), "name")),
			    "ketoan-01, 10.0.0.5, ketoan.example.vn");
	json_decref(j);
	assert_int_equal(attt_incident_form_data(t->db, id, "04", &j), ATTT_OK);
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "initial_report"), "number")), "Mẫu 03");
	json_decref(j);
	assert_int_equal(attt_incident_form_data(t->db, id, "05", &j), ATTT_OK);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(json_object_get(j, "incidents"), "ma_doc"),
							   "so_luong")), 1);
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "period"), "from")), "07/2026");
	json_decref(j);
	assert_int_equal(attt_incident_form_data(t->db, id, "06", &j), ATTT_E_INVAL);
	assert_int_equal(attt_incident_form_data(t->db, 999, "03", &j), ATTT_E_NOTFOUND);

	assert_int_equal(attt_incident_store_document(t->db, &t->clock, &t->actor, id, "03", "%PDF-1.5 x", 10, &doc),
			 ATTT_OK);
	assert_true(doc > 0);
	assert_int_equal(attt_incident_store_document(t->db, &t->clock, &t->actor, id, "07", "%PDF", 4, &doc),
			 ATTT_E_INVAL);
	assert_int_equal(count(t, "SELECT COUNT(*) FROM audit_event"), ev + 1);
	j = show(t, id);
	s = json_array_get(json_object_get(j, "documents"), 0);
	assert_string_equal(json_string_value(json_object_get(s, "form")), "03");
	assert_int_equal(strlen(json_string_value(json_object_get(s, "sha256"))), 64);
	json_decref(j);
}

/* R11.3: the longest title, all multi-byte letters, still escalates with the whole title in the mail. */
static void test_escalate_long_title(void **state)
{
	struct t *t = *state;
	char title[ATTT_INCIDENT_MAX_TITLE + 2]; /* room for one byte too many */
	struct attt_incident_new in = { .agency_id = t->child, .title = title, .description = "d",
					.severity = ATTT_SEVERITY_EMERGENCY };
	int64_t id = 0;

	/* "a" then ệ (3 bytes each): no cut at a fixed byte count can fall between characters safely. */
	title[0] = 'a';
	for (size_t i = 1; i + 3 <= ATTT_INCIDENT_MAX_TITLE; i += 3)
		memcpy(title + i, "\xe1\xbb\x87", 3);
	title[1 + (ATTT_INCIDENT_MAX_TITLE - 1) / 3 * 3] = '\0';
	assert_int_equal(attt_incident_report(t->db, &t->clock, t->tn, &t->actor, &in, &id), ATTT_OK);
	assert_int_equal(notif(t, id, "incident.escalated"), 2);
	/* The report notice's subject holds the title cut at a character boundary, marked with "…". */
	assert_int_equal(notif(t, id, "incident.reported"), 1);
	assert_int_equal(count(t, "SELECT COUNT(*) FROM notification WHERE kind = 'incident.reported' AND "
				  "subject LIKE '%…' AND length(CAST(subject AS BLOB)) <= 512"), 1);
	{
		char sql[128];
		struct attt_stmt *st = NULL;
		snprintf(sql, sizeof(sql), "SELECT body FROM notification WHERE ref_id = %lld AND kind = 'incident.escalated' LIMIT 1",
			 (long long)id);
		assert_int_equal(attt_db_prepare(t->db, sql, &st), ATTT_OK);
		assert_int_equal(attt_stmt_step(st), 1);
		assert_non_null(strstr(attt_stmt_text(st, 0), title));
		attt_stmt_finalize(st);
	}
	/* A free-text affected system as long as a description still escalates: the notice shows its
	 * first 1000 bytes, cut at a character boundary and marked. */
	{
		static char sys[ATTT_MAX_TEXT];
		char *subject = NULL, *body = NULL;
		const char *at;
		int64_t id2 = 0;
		for (size_t i = 0; i + 3 < sizeof(sys); i += 3)
			memcpy(sys + i, "\xe1\xbb\x87", 3);
		sys[(sizeof(sys) - 1) / 3 * 3] = '\0';
		in.title = "Hệ thống lớn";
		in.affected_system = sys;
		assert_int_equal(attt_incident_report(t->db, &t->clock, t->tn, &t->actor, &in, &id2), ATTT_OK);
		mail_of(t, id2, "incident.escalated", 10, &subject, &body);
		at = strstr(body, "Hệ thống bị ảnh hưởng: ");
		assert_non_null(at);
		at += strlen("Hệ thống bị ảnh hưởng: ");
		assert_int_equal(strchr(at, '\n') - at, 999 + strlen("…")); /* 333 whole letters of 3 bytes */
		assert_int_equal(memcmp(at + 999, "…\n", strlen("…\n")), 0);
		free(subject);
		free(body);
		in.title = title;
		in.affected_system = NULL;
	}
	/* The escalation's subject holds the title cut at a character boundary, within the limit. */
	assert_int_equal(count(t, "SELECT COUNT(*) FROM notification WHERE kind = 'incident.escalated' AND "
				  "subject LIKE '[ATTT][Khẩn cấp] %…' AND length(CAST(subject AS BLOB)) <= 512"), 2);
	memset(title, 'a', sizeof(title) - 1);
	title[sizeof(title) - 1] = '\0';
	assert_int_equal(attt_incident_report(t->db, &t->clock, t->tn, &t->actor, &in, &id), ATTT_E_TOOBIG);
}

/* ---- issue 5: tasks, links, deadline sweep, paging, per-agency roles -------------------------- */

static int64_t audit_count(struct t *t)
{
	return count(t, "SELECT COUNT(*) FROM audit_event");
}

/* R11.2 step 4: tasks on both sides with assignees and due dates; every change is a timeline row
 * and an audit event; the assignee is notified; an open task past its day is overdue. */
static void test_tasks(void **state)
{
	struct t *t = *state;
	int64_t id = report(t, t->tn, ATTT_SEVERITY_LOW), task = 0, a0, tl0;
	struct attt_incident_task_new in = { .title = "Cô lập máy ketoan-01", .assignee_account_id = 10,
					     .due_at = t->now + 24 * HOUR };
	json_t *j, *tk;

	a0 = audit_count(t);
	tl0 = count(t, "SELECT COUNT(*) FROM incident_event");
	assert_int_equal(attt_incident_task_add(t->db, &t->clock, &t->actor, id, &in, &task), ATTT_OK);
	assert_true(task > 0);
	assert_int_equal(audit_count(t), a0 + 1);
	assert_int_equal(count(t, "SELECT COUNT(*) FROM incident_event"), tl0 + 1);
	/* The assignee (account 10, with a mail address) is told: inbox and mail. */
	assert_int_equal(notif(t, id, "incident.task_assigned"), 1);
	assert_int_equal(count(t, "SELECT COUNT(*) FROM notification WHERE kind = 'incident.task_assigned' AND "
				  "to_address = 'so@cap-tren.example' AND subject LIKE '%Cô lập máy%'"), 1);
	in.side = "response";
	in.title = "Rà soát nhật ký tường lửa";
	in.assignee_account_id = 0;
	assert_int_equal(attt_incident_task_add(t->db, &t->clock, &t->actor, id, &in, NULL), ATTT_OK);

	/* Bad input changes nothing. */
	a0 = audit_count(t);
	in.side = "both";
	assert_int_equal(attt_incident_task_add(t->db, &t->clock, &t->actor, id, &in, NULL), ATTT_E_INVAL);
	in.side = NULL;
	in.assignee_account_id = 999;
	assert_int_equal(attt_incident_task_add(t->db, &t->clock, &t->actor, id, &in, NULL), ATTT_E_NOTFOUND);
	in.assignee_account_id = 0;
	in.title = "   ";
	assert_int_equal(attt_incident_task_add(t->db, &t->clock, &t->actor, id, &in, NULL), ATTT_E_INVAL);
	assert_int_equal(attt_incident_task_add(t->db, &t->clock, &t->actor, 9999, &in, NULL), ATTT_E_INVAL);
	in.title = "x";
	assert_int_equal(attt_incident_task_add(t->db, &t->clock, &t->actor, 9999, &in, NULL), ATTT_E_NOTFOUND);
	assert_int_equal(attt_incident_task_set_status(t->db, &t->clock, &t->actor, task, "finished", NULL), ATTT_E_INVAL);
	assert_int_equal(attt_incident_task_set_status(t->db, &t->clock, &t->actor, 9999, "done", NULL), ATTT_E_NOTFOUND);
	assert_int_equal(audit_count(t), a0);

	/* Overdue once its time has passed, while open; dd/mm/yyyy shown. */
	assert_int_equal(attt_incident_show_json(t->db, id, t->now, &j), ATTT_OK);
	tk = json_array_get(json_object_get(j, "tasks"), 0);
	assert_int_equal(json_array_size(json_object_get(j, "tasks")), 2);
	assert_false(json_is_true(json_object_get(tk, "overdue")));
	assert_int_equal(strlen(json_string_value(json_object_get(tk, "due"))), 10);
	assert_int_equal(json_string_value(json_object_get(tk, "due"))[2], '/');
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(j, "tasks"), 1), "side")),
			    "response");
	json_decref(j);
	assert_int_equal(attt_incident_show_json(t->db, id, t->now + 25 * HOUR, &j), ATTT_OK);
	assert_true(json_is_true(json_object_get(json_array_get(json_object_get(j, "tasks"), 0), "overdue")));
	json_decref(j);

	a0 = audit_count(t);
	assert_int_equal(attt_incident_task_set_status(t->db, &t->clock, &t->actor, task, "done", "đã cô lập"), ATTT_OK);
	assert_int_equal(audit_count(t), a0 + 1);
	assert_int_equal(attt_incident_task_set_status(t->db, &t->clock, &t->actor, task, "done", NULL), ATTT_E_CONFLICT);
	assert_int_equal(attt_incident_show_json(t->db, id, t->now + 25 * HOUR, &j), ATTT_OK);
	tk = json_array_get(json_object_get(j, "tasks"), 0);
	assert_string_equal(json_string_value(json_object_get(tk, "status")), "done");
	assert_false(json_is_true(json_object_get(tk, "overdue"))); /* done is never overdue */
	json_decref(j);
	{
		int64_t inc = 0, who = 0;
		assert_int_equal(attt_incident_task_owner(t->db, task, &inc, &who), ATTT_OK);
		assert_int_equal(inc, id);
		assert_int_equal(who, 10);
	}
}

/* Issue 5: links, visible from both ends; no link to itself or twice. */
static void test_links(void **state)
{
	struct t *t = *state;
	int64_t a = report(t, NULL, ATTT_SEVERITY_LOW), b = report(t, NULL, ATTT_SEVERITY_LOW), a0 = audit_count(t);
	json_t *j, *l;

	assert_int_equal(attt_incident_link(t->db, &t->clock, &t->actor, b, a, "duplicate"), ATTT_OK);
	assert_int_equal(audit_count(t), a0 + 1);
	assert_int_equal(attt_incident_link(t->db, &t->clock, &t->actor, b, a, "duplicate"), ATTT_E_EXISTS);
	assert_int_equal(attt_incident_link(t->db, &t->clock, &t->actor, b, b, "related"), ATTT_E_INVAL);
	assert_int_equal(attt_incident_link(t->db, &t->clock, &t->actor, b, a, "same"), ATTT_E_INVAL);
	assert_int_equal(attt_incident_link(t->db, &t->clock, &t->actor, b, 9999, "related"), ATTT_E_NOTFOUND);
	assert_int_equal(audit_count(t), a0 + 1);
	j = show(t, a);
	l = json_object_get(j, "links");
	assert_int_equal(json_array_size(l), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(l, 0), "direction")), "in");
	assert_int_equal(json_integer_value(json_object_get(json_array_get(l, 0), "incident_id")), b);
	json_decref(j);
	j = show(t, b);
	l = json_object_get(j, "links");
	assert_string_equal(json_string_value(json_object_get(json_array_get(l, 0), "direction")), "out");
	assert_string_equal(json_string_value(json_object_get(json_array_get(l, 0), "kind")), "duplicate");
	json_decref(j);
}

static int64_t sweep(struct t *t, const struct attt_policy *pol, struct attt_incident_sweep_stats *st)
{
	memset(st, 0, sizeof(*st));
	assert_int_equal(attt_incident_sweep_deadlines(t->db, &t->clock, pol, 0, st), ATTT_OK);
	return (int64_t)st->near + st->missed;
}

/* R11.3: thai-nguyen-10-2020: the 5-day notice deadline is told once as approaching (a quarter of
 * its time before: 30 h) and once as missed, to the owner, the agency's officers and the authority;
 * a second sweep sends nothing; once reported to the authority (step 4) it is no longer due, and
 * the Mẫu 04 deadline of step 5 is swept in turn. */
static void test_sweep_thai_nguyen(void **state)
{
	struct t *t = *state;
	struct attt_incident_sweep_stats st;
	int64_t t0 = t->now, id = report(t, t->tn, ATTT_SEVERITY_HIGH), a0;

	assert_int_equal(attt_incident_assign(t->db, &t->clock, &t->actor, id, 10), ATTT_OK);
	assert_int_equal(sweep(t, t->tn, &st), 0);
	t->now = t0 + 120 * HOUR - 30 * HOUR - 1;
	assert_int_equal(sweep(t, t->tn, &st), 0);
	t->now = t0 + 120 * HOUR - 30 * HOUR;
	a0 = audit_count(t);
	assert_int_equal(sweep(t, t->tn, &st), 1);
	assert_int_equal(st.near, 1);
	/* The owner (10), the child agency's officer (12), the authority (11). */
	assert_int_equal(st.recipients, 3);
	assert_int_equal(notif(t, id, "incident.deadline_near"), 3);
	assert_int_equal(count(t, "SELECT COUNT(*) FROM notification WHERE kind = 'incident.deadline_near' AND "
				  "to_address = 'so@cap-tren.example' AND body LIKE '%thông báo sự cố%'"), 1);
	assert_int_equal(count(t, "SELECT COUNT(*) FROM inbox_item WHERE account_id = 12 AND notification_id IN "
				  "(SELECT id FROM notification WHERE kind = 'incident.deadline_near')"), 1);
	assert_int_equal(audit_count(t), a0 + 1);
	assert_int_equal(count(t, "SELECT COUNT(*) FROM incident_event WHERE kind = 'deadline_near'"), 1);
	/* Idempotent: nothing more until it is missed, then once. */
	assert_int_equal(sweep(t, t->tn, &st), 0);
	t->now = t0 + 120 * HOUR;
	assert_int_equal(sweep(t, t->tn, &st), 1);
	assert_int_equal(st.missed, 1);
	assert_int_equal(notif(t, id, "incident.deadline_missed"), 3);
	t->now += 10 * HOUR;
	assert_int_equal(sweep(t, t->tn, &st), 0);
	assert_int_equal(notif(t, id, "incident.deadline_missed"), 3);

	/* Reported to the authority: the notice is met; the response ends and Mẫu 04 is due in 5 days. */
	assert_int_equal(attt_incident_advance(t->db, &t->clock, t->tn, &t->actor, ATTT_ROLE_SECURITY_OFFICER, id,
					       ATTT_INCIDENT_HOSTED, "TTDL tỉnh"), ATTT_OK);
	assert_int_equal(attt_incident_advance(t->db, &t->clock, t->tn, &t->actor, ATTT_ROLE_SECURITY_OFFICER, id,
					       ATTT_INCIDENT_REPORTED, "Mẫu 03 số 12"), ATTT_OK);
	assert_int_equal(attt_incident_advance(t->db, &t->clock, t->tn, &t->actor, ATTT_ROLE_RESPONSE_TEAM, id,
					       ATTT_INCIDENT_COORDINATED, "đã khắc phục"), ATTT_OK);
	{
		int64_t t5 = t->now;
		json_t *l = NULL;
		assert_int_equal(attt_incident_list_json(t->db, 0, true, true, t->now, 10, &l), ATTT_OK);
		assert_int_equal(json_integer_value(json_object_get(l, "count")), 0); /* the notice is met */
		json_decref(l);
		assert_int_equal(sweep(t, t->tn, &st), 0);
		t->now = t5 + 120 * HOUR - 30 * HOUR;
		assert_int_equal(sweep(t, t->tn, &st), 1);
		assert_int_equal(count(t, "SELECT COUNT(*) FROM incident_deadline_notice WHERE deadline = 'closing' "
					  "AND kind = 'near'"), 1);
		t->now = t5 + 120 * HOUR + 1;
		assert_int_equal(sweep(t, t->tn, &st), 1);
		assert_int_equal(st.missed, 1);
		assert_int_equal(attt_incident_list_json(t->db, 0, true, true, t->now, 10, &l), ATTT_OK);
		assert_int_equal(json_integer_value(json_object_get(l, "count")), 1);
		json_decref(l);
	}
	/* Closed: nothing more to tell. */
	assert_int_equal(attt_incident_advance(t->db, &t->clock, t->tn, &t->actor, ATTT_ROLE_SECURITY_OFFICER, id,
					       ATTT_INCIDENT_CLOSE, "Biên bản kết thúc"), ATTT_OK);
	t->now += 1000 * HOUR;
	assert_int_equal(sweep(t, t->tn, &st), 0);
	/* The authority of another tree was told of none of the deadlines. */
	assert_int_equal(count(t, "SELECT COUNT(*) FROM notification WHERE account_id = 13"), 0);
	assert_true(count(t, "SELECT COUNT(*) FROM notification WHERE account_id = 11 AND kind LIKE 'incident.deadline%'") > 0);
}

/* R11.3: national-2026: the 24 h first notice (approaching 6 h before) and the 72 h report
 * (approaching 18 h before), each told once; a sweep long after both tells each as missed only. */
static void test_sweep_national(void **state)
{
	struct t *t = *state;
	struct attt_incident_sweep_stats st;
	int64_t t0 = t->now, id = report(t, t->nat, ATTT_SEVERITY_EMERGENCY), late;

	t->now = t0 + 18 * HOUR - 1;
	assert_int_equal(sweep(t, t->nat, &st), 0);
	t->now = t0 + 18 * HOUR;
	assert_int_equal(sweep(t, t->nat, &st), 1); /* notice near */
	assert_int_equal(st.recipients, 2);          /* no owner: officer 12 and the authority */
	t->now = t0 + 24 * HOUR;
	assert_int_equal(sweep(t, t->nat, &st), 1); /* notice missed */
	t->now = t0 + 54 * HOUR;
	assert_int_equal(sweep(t, t->nat, &st), 1); /* report near */
	assert_int_equal(st.near, 1);
	assert_int_equal(sweep(t, t->nat, &st), 0);
	t->now = t0 + 72 * HOUR;
	assert_int_equal(sweep(t, t->nat, &st), 1); /* report missed */
	assert_int_equal(count(t, "SELECT COUNT(*) FROM incident_deadline_notice"), 4);

	/* Another incident swept only after both deadlines: missed twice, never approaching. */
	late = report(t, t->nat, ATTT_SEVERITY_HIGH);
	t->now += 100 * HOUR;
	assert_int_equal(sweep(t, t->nat, &st), 2);
	assert_int_equal(st.missed, 2);
	assert_int_equal(st.near, 0);
	assert_int_equal(notif(t, late, "incident.deadline_near"), 0);
	assert_int_equal(sweep(t, t->nat, &st), 0);
	(void)id;
	/* Inside a transaction the sweep refuses to run. */
	assert_int_equal(attt_db_begin(t->db), ATTT_OK);
	assert_int_equal(attt_incident_sweep_deadlines(t->db, &t->clock, t->nat, 0, &st), ATTT_E_STATE);
	assert_int_equal(attt_db_rollback(t->db), ATTT_OK);
}

/* Issue 5: paging past a page with the "next" cursor, and the reporter filter. */
static void test_list_paging(void **state)
{
	struct t *t = *state;
	struct attt_incident_filter f = { .limit = 4, .now = t->now };
	int64_t seen = 0, last = INT64_MAX;
	json_t *j = NULL, *it;
	size_t i;

	for (int k = 0; k < 10; k++)
		(void)report(t, NULL, ATTT_SEVERITY_LOW);
	for (int page = 0; page < 10; page++) {
		assert_int_equal(attt_incident_query_json(t->db, &f, &j), ATTT_OK);
		json_array_foreach(json_object_get(j, "items"), i, it) {
			int64_t id = (int64_t)json_integer_value(json_object_get(it, "id"));
			assert_true(id < last); /* newest first, never twice */
			last = id;
			seen++;
		}
		f.after = (int64_t)json_integer_value(json_object_get(j, "next"));
		json_decref(j);
		if (!f.after)
			break;
	}
	assert_int_equal(seen, 10);
	f.after = 0;
	f.limit = 10;
	assert_int_equal(attt_incident_query_json(t->db, &f, &j), ATTT_OK);
	assert_true(json_is_null(json_object_get(j, "next")));
	json_decref(j);
	f.limit = ATTT_HTTP_MAX_PAGE + 1;
	assert_int_equal(attt_incident_query_json(t->db, &f, &j), ATTT_E_RANGE);
	f.limit = 10;
	f.reporter_account_id = 10;
	assert_int_equal(attt_incident_query_json(t->db, &f, &j), ATTT_OK);
	assert_int_equal(json_integer_value(json_object_get(j, "count")), 0);
	json_decref(j);
}

/* Issue 5 (security): the roles a principal holds on an agency are those of the grants whose
 * subtree holds it, never a role granted over another subtree only. */
static int within_child(void *ctx, int64_t agency, int64_t ancestor, bool *ret)
{
	struct t *t = ctx;
	*ret = agency == t->child && ancestor == t->parent;
	return ATTT_OK;
}

static void test_acl_roles_on(void **state)
{
	struct t *t = *state;
	int64_t other = agency(t, "Sở Khác", 0);
	const struct attt_grant g[] = {
		{ ATTT_ROLE_RESPONSE_TEAM, other },
		{ ATTT_ROLE_AGENCY_HEAD, t->child },
		{ ATTT_ROLE_SECURITY_OFFICER, t->parent },
	};
	unsigned roles = 0;

	assert_int_equal(attt_acl_roles_on(g, 3, t->child, within_child, t, &roles), ATTT_OK);
	assert_int_equal(roles, (1u << ATTT_ROLE_AGENCY_HEAD) | (1u << ATTT_ROLE_SECURITY_OFFICER));
	assert_int_equal(attt_acl_roles_on(g, 3, other, within_child, t, &roles), ATTT_OK);
	assert_int_equal(roles, 1u << ATTT_ROLE_RESPONSE_TEAM);
	assert_int_equal(attt_acl_roles_on(g, 3, t->parent, within_child, t, &roles), ATTT_OK);
	assert_int_equal(roles, 1u << ATTT_ROLE_SECURITY_OFFICER);
	assert_int_equal(attt_acl_roles_on(g, 3, 0, within_child, t, &roles), ATTT_E_INVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_report, setup, teardown),
		cmocka_unit_test_setup_teardown(test_report_invalid, setup, teardown),
		cmocka_unit_test(test_suggest),
		cmocka_unit_test_setup_teardown(test_classify, setup, teardown),
		cmocka_unit_test_setup_teardown(test_transitions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_required_text, setup, teardown),
		cmocka_unit_test_setup_teardown(test_escalate_thai_nguyen, setup, teardown),
		cmocka_unit_test_setup_teardown(test_escalate_national, setup, teardown),
		cmocka_unit_test_setup_teardown(test_escalate_beyond, setup, teardown),
		cmocka_unit_test_setup_teardown(test_observe_assign_list, setup, teardown),
		cmocka_unit_test_setup_teardown(test_forms, setup, teardown),
		cmocka_unit_test_setup_teardown(test_escalate_long_title, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tasks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_links, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sweep_thai_nguyen, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sweep_national, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_paging, setup, teardown),
		cmocka_unit_test_setup_teardown(test_acl_roles_on, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
