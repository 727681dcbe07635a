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
 * "created_at","created_by"}], "reporter_account_id", "links": (attt_incident_links_json)} (times RFC
 * 3339 UTC, null when 0). *ret is the caller's. */
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

/* ---- paging (issue 5) ---------------------------------------------------------------------- */

/* A page of incidents, newest first. after: a cursor, the "next" of the previous page (only ids
 * below it; 0 from the newest). reporter_account_id > 0 keeps the incidents that account reported. */
struct attt_incident_filter {
	int64_t agency_id; /* 0: all */
	bool open_only, overdue_only;
	int64_t now;       /* µs UTC, for overdue */
	int64_t after;     /* 0: from the newest */
	int64_t reporter_account_id;
	int limit;         /* 1..ATTT_HTTP_MAX_PAGE, else ATTT_E_RANGE */
};
/* As attt_incident_list_json, with the cursor: {"items": [... as list, plus "reporter_account_id"],
 * "count": n, "next": id | null} where next is the cursor of the following page (null at the end). */
int attt_incident_query_json(struct attt_db *db, const struct attt_incident_filter *f, json_t **ret);

/* ---- R11.2 step 4: tasks on both sides ---------------------------------------------------- */

#define ATTT_INCIDENT_MAX_TASKS 200 /* per incident */

/* A task. side "agency" (NULL) or "response" (the provincial response team); assignee an account
 * (0: none); due_at µs UTC (0: none). */
struct attt_incident_task_new {
	const char *title; /* <= ATTT_INCIDENT_MAX_TITLE bytes, required */
	const char *side;
	int64_t assignee_account_id;
	int64_t due_at;
};
/* R11.2: adds a task to open incident id (closed: ATTT_E_STATE) with a timeline row and an audit
 * event; the assignee gets the "incident.task_assigned" notification (inbox, and mail when their
 * person has an address). ATTT_E_NOTFOUND for an unknown incident or assignee, ATTT_E_TOOBIG beyond
 * ATTT_INCIDENT_MAX_TASKS. *ret_id (may be NULL) gets the task's id. */
int attt_incident_task_add(struct attt_db *db, const struct attt_clock *clock, const struct attt_actor *actor,
			   int64_t id, const struct attt_incident_task_new *in, int64_t *ret_id);
/* Sets task_id's status: "open", "done" or "cancelled", with an optional note (timeline row, audit
 * event). The same status is ATTT_E_CONFLICT; an unknown task ATTT_E_NOTFOUND. */
int attt_incident_task_set_status(struct attt_db *db, const struct attt_clock *clock, const struct attt_actor *actor,
				  int64_t task_id, const char *status, const char *note);
/* The incident and assignee (0: none) of task_id, for scope checks. ATTT_E_NOTFOUND. */
int attt_incident_task_owner(struct attt_db *db, int64_t task_id, int64_t *ret_incident, int64_t *ret_assignee);
/* The tasks of incident id, in order: [{"id", "title", "side", "assignee_account_id", "assignee",
 * "status", "due_at" (RFC 3339 | null), "due" ("dd/mm/yyyy" | null), "overdue" (open and due before
 * now), "created_at", "created_by", "updated_at"}]. *ret is a new array. */
int attt_incident_tasks_json(struct attt_db *db, int64_t id, int64_t now, json_t **ret);

/* attt_incident_get_json with "tasks" (attt_incident_tasks_json at now) added: what `show` prints. */
int attt_incident_show_json(struct attt_db *db, int64_t id, int64_t now, json_t **ret);

/* ---- links between incidents --------------------------------------------------------------- */

/* Links incident id to incident to with kind "related", "duplicate" (id repeats to) or "caused-by"
 * (id was caused by to), with a timeline row on both and an audit event. ATTT_E_INVAL for an unknown
 * kind or a link to itself, ATTT_E_NOTFOUND for an unknown incident, ATTT_E_EXISTS when the same
 * link exists. The caller checks that it may read both incidents. */
int attt_incident_link(struct attt_db *db, const struct attt_clock *clock, const struct attt_actor *actor, int64_t id,
		       int64_t to, const char *kind);
/* The links of incident id seen from it: [{"id", "kind", "direction": "out" | "in", "incident_id",
 * "agency_id", "title", "status"}] (out: id -> other; in: other -> id). *ret is a new array. */
int attt_incident_links_json(struct attt_db *db, int64_t id, json_t **ret);

/* ---- R11.3: deadlines approaching and missed ---------------------------------------------- */

struct attt_incident_sweep_stats {
	unsigned near;       /* deadlines told as approaching */
	unsigned missed;     /* deadlines told as missed */
	unsigned recipients; /* notifications enqueued */
};
/* R11.3: for every open incident, each deadline still to meet (notice and report while the incident
 * is at step 1..3, not yet reported to the authority; the Mẫu 04 closing report at step 5) is told
 * once as approaching, when now is within lead_us before it (0: a quarter of the profile's hours
 * for that deadline, ATTT_INCIDENT_DEFAULT_LEAD_H when the profile sets none), and once as missed
 * after it: to the incident's owner, the security officers of its agency and every authority
 * account (inbox, and mail when their person has an address), templates "incident.deadline_near"
 * and "incident.deadline_missed". Each notice commits in its own transaction with its timeline row,
 * one audit event (actor system) and its incident_deadline_notice row, so a second sweep sends
 * nothing. pol may be NULL (lead time default). stats may be NULL. Must not be called inside a
 * transaction (ATTT_E_STATE). */
#define ATTT_INCIDENT_DEFAULT_LEAD_H 24
int attt_incident_sweep_deadlines(struct attt_db *db, const struct attt_clock *clock, const struct attt_policy *pol,
				  int64_t lead_us, struct attt_incident_sweep_stats *stats);

/* ---- R8.6: attachments (src/lib/incident/attach.c; docs/incidents.md "Attachments") -------- */
/* A file attached to an incident is scanned with libclamav (include/attt/scan.h) before anything
 * is stored. Clean: stored and served to readers of the incident. Infected: quarantined (kept
 * masked, never served), recorded on the timeline ("malware"), audited as incident.quarantine and
 * notified to the security officers of the incident's agency. No engine (NULL scan): refused with
 * ATTT_E_CONFIG, never stored unscanned. The bytes are stored in the same transaction as the row,
 * the timeline event and the audit event. */
struct attt_config;
struct attt_scan;

#define ATTT_INCIDENT_MAX_FILE_NAME 255 /* bytes of a stored (sanitised) file name */
#define ATTT_INCIDENT_MAX_MEDIA_TYPE 64

struct attt_incident_attach_limits {
	size_t max_bytes;         /* largest file, 1..ATTT_HTTP_MAX_UPLOAD */
	unsigned max_count;       /* most attachments of one incident (quarantined ones count) */
	const char *const *types; /* NULL-terminated type ids allowed ("pdf", "text", ...); NULL: all known */
};
/* The limits of attt.ini (incident.attachment_*); lim->types points into cfg and lives as long. */
void attt_incident_attach_limits_from_config(const struct attt_config *cfg, struct attt_incident_attach_limits *lim);

/* The type of p[0..n) sniffed from its content: the type id ("pdf", "png", "jpeg", "gif", "webp",
 * "text", "zip", "ole", "pcap", "pcapng", "gzip", "7z", "eml") and its media type
 * ("application/pdf", "text/plain; charset=utf-8" ...); false (both untouched) when unknown. Pure. */
bool attt_incident_sniff_type(const void *p, size_t n, const char **ret_id, const char **ret_media_type);
/* True when id is one of the type ids above. */
bool attt_incident_type_known(const char *id);

/* R8.6: the stored form of an untrusted file name p[0..n): its last path segment, NFC, control
 * characters and / \ : * ? " < > | replaced by '_', no leading dots or spaces, no trailing dots or
 * spaces, at most ATTT_INCIDENT_MAX_FILE_NAME bytes cut at a character boundary; "tep-dinh-kem"
 * when nothing is left. Into out[size]. ATTT_E_INVAL for invalid UTF-8 or a NUL, ATTT_E_TOOBIG when
 * n > 4 * ATTT_INCIDENT_MAX_FILE_NAME or out is too small (size > ATTT_INCIDENT_MAX_FILE_NAME
 * always fits). Pure. */
int attt_incident_file_name(const char *p, size_t n, char *out, size_t size);
/* The Content-Disposition value for a stored name (RFC 6266 with an RFC 5987 filename*):
 * attachment; filename="ASCII fallback"; filename*=UTF-8''percent-encoded. ATTT_E_TOOBIG when
 * out[size] is too small (4 * ATTT_INCIDENT_MAX_FILE_NAME + 64 always fits). Pure. */
int attt_incident_content_disposition(const char *name, char *out, size_t size);

/* What attt_incident_attach stored. */
struct attt_incident_attachment {
	int64_t id;
	bool quarantined;
	size_t size;
	char sha256[65];
	char name[ATTT_INCIDENT_MAX_FILE_NAME + 1];
	char media_type[ATTT_INCIDENT_MAX_MEDIA_TYPE];
	char signature[256]; /* the matching signature when quarantined, else "" */
};

/* R8.6: scans p[0..n) with scan and attaches it to incident id as name (sanitised with
 * attt_incident_file_name; NULL: "tep-dinh-kem"), uploaded by actor (actor->account_id recorded
 * when non-zero). Returns ATTT_OK for a stored clean file and for a quarantined one alike (*ret,
 * which may be NULL, says which). Errors, with nothing stored: ATTT_E_CONFIG no engine, ATTT_E_INVAL
 * an empty file or a bad name, ATTT_E_TOOBIG over lim->max_bytes, ATTT_E_UNSUPPORTED a clean file
 * of a type not allowed (an infected file of any type is quarantined), ATTT_E_CONFLICT the incident
 * has lim->max_count attachments, ATTT_E_NOTFOUND no such incident, the engine's errors of a failed
 * scan. The scan runs before the transaction, so the write lock is not held while scanning. */
int attt_incident_attach(struct attt_db *db, const struct attt_clock *clock, const struct attt_scan *scan,
			 const struct attt_incident_attach_limits *lim, const struct attt_actor *actor, int64_t id,
			 const char *name, const void *p, size_t n, struct attt_incident_attachment *ret);

/* The attachments of incident id, oldest first, without their bytes: {"items": [{"id", "name",
 * "media_type", "size", "sha256", "state" ("clean"|"quarantined"), "signature" (null when clean),
 * "uploader", "created_at"}], "count": n}. ATTT_E_NOTFOUND no such incident. *ret is the caller's. */
int attt_incident_attachments_json(struct attt_db *db, int64_t id, json_t **ret);

/* The agency of incident id and the account that reported it (0: none), for access decisions.
 * ATTT_E_NOTFOUND. Outputs written only on success; either may be NULL. */
int attt_incident_scope(struct attt_db *db, int64_t id, int64_t *ret_agency, int64_t *ret_reporter_account);

/* A stored file handed out: data[0..size) (malloc'ed, the caller's: attt_incident_file_done). */
struct attt_incident_file {
	void *data;
	size_t size;
	char name[ATTT_INCIDENT_MAX_FILE_NAME + 1];
	char media_type[ATTT_INCIDENT_MAX_MEDIA_TYPE];
	char sha256[65];
};
/* Frees f->data and clears f. */
void attt_incident_file_done(struct attt_incident_file *f);

/* R8.6: the bytes of clean attachment aid of incident id, with an audit event (access,
 * incident.attachment.download) in the same transaction. A quarantined attachment is never handed
 * out: ATTT_E_INFECTED, after an audit event of outcome denied. ATTT_E_NOTFOUND when aid is not an
 * attachment of incident id. *ret is written only on success. */
int attt_incident_attachment_read(struct attt_db *db, const struct attt_clock *clock, const struct attt_actor *actor,
				  int64_t id, int64_t aid, struct attt_incident_file *ret);
/* R11.2: stored document did (Mẫu 03/04/05 PDF) of incident id, with an audit event (access,
 * incident.document.download); name "mau-03-<incident>.pdf". ATTT_E_NOTFOUND. */
int attt_incident_document_read(struct attt_db *db, const struct attt_clock *clock, const struct attt_actor *actor,
				int64_t id, int64_t did, struct attt_incident_file *ret);

#endif
