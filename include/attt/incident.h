/*
 * incident.h: the incident record and its workflow (Điều 8.8, Điều 11 of QĐ 10/2020 Thái Nguyên).
 *
 * R8.8: anyone reports an incident (title, what happened, when it was noticed, which system); every
 * report is answered with the regulation's guidance for suspected malware (ATTT_INCIDENT_MALWARE_*).
 * R11.1: four severities (low/thap, medium/trung-binh, high/cao, emergency/khan-cap), every change
 * recorded with its reason; attt_incident_suggest_severity answers the short questionnaire.
 * R11.2: the five steps as a state machine (attt_incident_advance), each action allowed only to the
 * roles of the table in docs/incidents.md and carrying its required text (minutes, report).
 * R11.3: reporting at or raising to a severity the profile marks "escalate", or marking an incident
 * beyond the agency's capacity, enqueues notifications (inbox and mail) to the security officers and
 * heads of the superior agency and to every authority account, and stores the profile's deadlines.
 *
 * Every change writes its timeline row and one audit event (category data, rule R8.8/R11.x) in the
 * same transaction. Functions take the caller's db (one per thread) and are otherwise reentrant.
 * Strings passed in are borrowed for the call; text is NFC UTF-8 of at most ATTT_MAX_TEXT bytes
 * (titles ATTT_INCIDENT_MAX_TITLE). Errors: ATTT_E_INVAL for a missing or malformed field,
 * ATTT_E_TOOBIG beyond the limits, ATTT_E_NOTFOUND for an unknown incident or agency, ATTT_E_STATE
 * for an action the current step does not allow, ATTT_E_PERM for a role that may not take it.
 */
#ifndef ATTT_INCIDENT_H
#define ATTT_INCIDENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "attt/acl.h"
#include "attt/audit.h"
#include "attt/clock.h"
#include "attt/policy.h"

struct attt_db;

#define ATTT_INCIDENT_MAX_TITLE 512
#define ATTT_INCIDENT_MAX_DOCUMENT (16u << 20) /* bytes of one stored PDF */

/* R8.8: the guidance returned with every report. */
#define ATTT_INCIDENT_MALWARE_VI                                                                    \
	"Nếu nghi ngờ máy tính bị nhiễm mã độc: tắt máy, ngắt kết nối khỏi mạng LAN, mạng WAN và "  \
	"Internet, rồi báo ngay cho cán bộ chuyên trách an toàn thông tin của cơ quan."
#define ATTT_INCIDENT_MALWARE_EN                                                                    \
	"If you suspect malware: turn the machine off, disconnect it from the LAN, the WAN and the "   \
	"Internet, and report to your agency's security officer at once."

/* The ten incident types of Mẫu 05 (TT 20/2017), national-law-notes.md §1.5: X(id, "vi"). */
#define ATTT_INCIDENT_TYPES(X)                                                                      \
	X("ddos", "Từ chối dịch vụ")                                                                  \
	X("phishing", "Tấn công giả mạo")                                                             \
	X("malware", "Tấn công sử dụng mã độc")                                                       \
	X("intrusion", "Truy cập trái phép, chiếm quyền điều khiển")                                  \
	X("defacement", "Thay đổi giao diện")                                                         \
	X("ransomware", "Mã hóa phần mềm, dữ liệu, thiết bị")                                         \
	X("sabotage", "Phá hoại thông tin, dữ liệu, phần mềm")                                        \
	X("espionage", "Nghe trộm, gián điệp, lấy cắp thông tin, dữ liệu")                            \
	X("combined", "Tấn công tổng hợp sử dụng kết hợp nhiều hình thức")                            \
	X("other", "Các hình thức tấn công khác")

/* The workflow steps; 0 is "closed". */
enum { ATTT_INCIDENT_CLOSED = 0 };

/* R11.2: the actions that move an incident between steps. */
enum attt_incident_action {
	ATTT_INCIDENT_OWN = 0,          /* step 1 -> 2: the agency's own system */
	ATTT_INCIDENT_HOSTED = 1,       /* step 1 -> 3: hosted at the provincial data centre */
	ATTT_INCIDENT_RESOLVED = 2,     /* step 2 -> closed: resolved internally, with minutes */
	ATTT_INCIDENT_BEYOND = 3,       /* step 2 -> 3: beyond capacity, with minutes (R11.3 escalation) */
	ATTT_INCIDENT_REPORTED = 4,     /* step 3 -> 4: reported to the authority with Mẫu 03 */
	ATTT_INCIDENT_COORDINATED = 5,  /* step 4 -> 5: response coordinated with the response team */
	ATTT_INCIDENT_CLOSE = 6,        /* step 5 -> closed: closing minutes (Mẫu 04) and written report */
	ATTT_INCIDENT_ACTION_COUNT = 7
};

/* "own", "hosted", "resolved", "beyond", "reported", "coordinated", "close"; NULL outside. */
const char *attt_incident_action_name(int action);
int attt_incident_action_parse(const char *s, enum attt_incident_action *ret);
/* The step the action starts from (1..5) and leads to (0 closed, 2..5). */
int attt_incident_action_from(enum attt_incident_action a);
int attt_incident_action_to(enum attt_incident_action a);
/* R11.2: true when role may take action a (the table of docs/incidents.md). */
bool attt_incident_role_may(enum attt_role role, enum attt_incident_action a);

/* Severity names of the command line: "thap", "trung-binh", "cao", "khan-cap" (also accepted by
 * the parser: the profile ids "low", "medium", "high", "emergency"). */
const char *attt_incident_severity_name(enum attt_severity s);
int attt_incident_severity_parse(const char *s, enum attt_severity *ret);
/* True when id is one of the ten types. */
bool attt_incident_type_valid(const char *id);

/* R11.1: the questionnaire of Điều 11.1. */
struct attt_incident_answers {
	bool group;              /* a group of users or more (not one user) */
	bool main_interrupted;   /* main activities of the agency interrupted */
	bool several_main;       /* several main activities interrupted */
	bool website_defaced;    /* the agency's website altered (defaced) */
};
/* Returns the level Điều 11.1 describes for the answers (pure). */
enum attt_severity attt_incident_suggest_severity(const struct attt_incident_answers *a);

/* A new report. reporter is who reported (a name or "cli"); affected_system free text (domains, IP
 * addresses); incident_type one of the ten (NULL: "other"); detected_at 0: now. */
struct attt_incident_new {
	int64_t agency_id;
	const char *title;
	const char *description;
	int64_t detected_at;
	const char *reporter;
	int64_t reporter_account_id; /* 0: none */
	int64_t reporter_person_id;  /* 0: none */
	const char *affected_system;
	const char *incident_type;
	enum attt_severity severity;
};

/* R8.8: records a report at step 1 (status open) with its timeline row and audit event; escalates
 * (R11.3) when the severity is one the profile marks escalate. pol may be NULL (no escalation,
 * no deadlines). detected_at in the future is ATTT_E_INVAL. *ret_id gets the new id. */
int attt_incident_report(struct attt_db *db, const struct attt_clock *clock, const struct attt_policy *pol,
			 const struct attt_actor *actor, const struct attt_incident_new *in, int64_t *ret_id);

/* R11.1: sets the severity with a reason (required, non-empty). Raising to an escalating severity
 * from a non-escalating one escalates (R11.3). Setting the same severity is ATTT_E_CONFLICT.
 * A closed incident is ATTT_E_STATE. */
int attt_incident_classify(struct attt_db *db, const struct attt_clock *clock, const struct attt_policy *pol,
			   const struct attt_actor *actor, int64_t id, enum attt_severity sev, const char *reason);

/* R11.2: takes action a acting in role, with text (the step's required minutes, report or note,
 * non-empty). ATTT_E_PERM when role may not take a (an audit event of outcome denied is written in
 * its own transaction), ATTT_E_STATE when the incident is not at the action's step. BEYOND
 * escalates (R11.3); COORDINATED starts the Mẫu 04 deadline. */
int attt_incident_advance(struct attt_db *db, const struct attt_clock *clock, const struct attt_policy *pol,
			  const struct attt_actor *actor, enum attt_role role, int64_t id,
			  enum attt_incident_action a, const char *text);

/* Sets the owner (an existing account; 0 clears it). */
int attt_incident_assign(struct attt_db *db, const struct attt_clock *clock, const struct attt_actor *actor,
			 int64_t id, int64_t account_id);

/* Adds an observable: kind "ip" (IPv4/IPv6 literal), "domain", "hash" (hex, 32..128 digits),
 * "account", "url" or "other". A duplicate is ATTT_E_EXISTS. */
int attt_incident_observe(struct attt_db *db, const struct attt_clock *clock, const struct attt_actor *actor,
			  int64_t id, const char *kind, const char *value);

/* The incident as JSON: {"id", "agency_id", "title", "description", "detected_at", "reported_at",
 * "reporter", "affected_system", "incident_type", "severity" (thap...), "severity_id" (low...),
 * "status", "step", "owner_account_id", "escalated_at", "notice_due_at", "report_due_at",
 * "closing_due_at", "closed_at", "guidance": {"vi","en"}, "timeline": [{"at","actor","kind","from",
 * "to","detail"}], "observables": [{"kind","value"}], "notifications": [{"id","kind","to",
 * "account_id","subject","state","created_at"}], "documents": [{"id","form","sha256","size",
 * "created_at","created_by"}]} (times RFC 3339 UTC, null when 0). *ret is the caller's. */
int attt_incident_get_json(struct attt_db *db, int64_t id, json_t **ret);

/* Incidents, newest first, optionally of one agency (0: all), open only, and (R11.3) overdue only:
 * open with a notice, report or Mẫu 04 deadline before now (µs UTC). At most limit
 * (1..ATTT_HTTP_MAX_PAGE, else ATTT_E_RANGE): {"items": [{"id","agency_id","title","severity","step",
 * "status","reported_at","notice_due_at","overdue"}], "count": n}. */
int attt_incident_list_json(struct attt_db *db, int64_t agency_id, bool open_only, bool overdue_only, int64_t now,
			    int limit, json_t **ret);

/* R11.2 steps 3 and 5: the data of form ("03", "04" or "05") built from the record, in the keys of
 * docs/documents.md (for attt_docs_render_form). 03 and 04 carry the agency, the reporter, the
 * system, the description, the detection time and (04) the closing minutes as the result; 05 counts
 * the agency's incidents of the half-year containing the incident's report, by the ten types.
 * ATTT_E_NOTFOUND for an unknown incident, ATTT_E_INVAL for another form. *ret is the caller's. */
int attt_incident_form_data(struct attt_db *db, int64_t id, const char *form, json_t **ret);

/* Stores a generated document (pdf[0..n), at most ATTT_INCIDENT_MAX_DOCUMENT bytes) with the
 * incident, with its SHA-256, a timeline row and an audit event (R11.2). *ret_id (may be NULL)
 * gets the document's id. */
int attt_incident_store_document(struct attt_db *db, const struct attt_clock *clock, const struct attt_actor *actor,
				 int64_t id, const char *form, const void *pdf, size_t n, int64_t *ret_id);

#endif
