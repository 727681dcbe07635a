/*
 * policy.h: policy profiles, the numbers and names the regulation sets (profiles/<name>.ini).
 *
 * A profile holds every value the regulation fixes: password rule, lockout, session times, review
 * and backup intervals, audit checkpoints, incident severities and deadlines, the bodies that
 * receive reports and the forms they receive. Code never hard-codes these; it reads them from the
 * active profile through attt_policy_values(). Profiles are INI files, each value next to the rule
 * ID it implements; the shipped ones are embedded in the binary. A profile may start from another
 * (`base = NAME` in [profile]); cycles and more than ATTT_POLICY_MAX_DEPTH levels are refused.
 *
 * Loading validates: a value the regulation forbids is refused with a message naming the rule,
 * e.g. "file:12: R6.2.b: ngưỡng khóa phải từ 3 đến 5 (lockout threshold must be 3 to 5)".
 *
 * Thread-safety: a loaded policy is immutable and may be read from many threads at once.
 */
#ifndef ATTT_POLICY_H
#define ATTT_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct attt_policy;

/* The profile used when nothing else is configured. */
#define ATTT_POLICY_DEFAULT "thai-nguyen-10-2020"
/* Deepest chain of base profiles (a profile, its base, ... : at most 4 files). */
#define ATTT_POLICY_MAX_DEPTH 4
#define ATTT_POLICY_MAX_BODIES 32
#define ATTT_POLICY_MAX_FORMS 32
#define ATTT_POLICY_MAX_LIST 32 /* items of one list value */

/* R11.1: the four severities, lowest first. */
enum attt_severity {
	ATTT_SEVERITY_LOW = 0,       /* Thấp */
	ATTT_SEVERITY_MEDIUM = 1,    /* Trung bình */
	ATTT_SEVERITY_HIGH = 2,      /* Cao */
	ATTT_SEVERITY_EMERGENCY = 3, /* Khẩn cấp */
	ATTT_SEVERITY_COUNT = 4
};

/* A list of strings: items[0..n), items[n] == NULL. */
struct attt_policy_list {
	size_t n;
	const char *const *items;
};

struct attt_policy_severity {
	const char *id;            /* "low", "medium", "high", "emergency" */
	const char *name_vi;       /* "Thấp" */
	const char *name_en;       /* "Low" */
	const char *definition_vi; /* R11.1 text */
	const char *definition_en;
	const char *examples_vi;
	const char *examples_en;
	bool escalate;             /* R11.3: report at once to the superior body and the authority */
};

/* A body that receives reports or takes part in the response ([body.<id>]). */
struct attt_policy_body {
	const char *id;         /* "authority", "response_team", ... */
	const char *name_vi;
	const char *name_en;
	const char *short_vi;   /* "Sở TT&TT" */
	const char *legal_basis;
};

/* An official form ([form.<id>]). */
struct attt_policy_form {
	const char *id;       /* "mau03" */
	const char *code;     /* "Mẫu số 03" */
	const char *title_vi; /* "BÁO CÁO BAN ĐẦU SỰ CỐ MẠNG" */
	const char *title_en;
	const char *legal_basis;
};

/* The effective values of a profile. Strings are UTF-8 as written in the file, never NULL (may be
 * ""); bodies and forms are in id order. Everything is owned by the struct attt_policy and lives
 * as long as it. */
struct attt_policy_values {
	/* [profile] */
	const char *name;
	const char *title_vi;
	const char *title_en;
	struct attt_policy_list legal_bases;

	/* [password]: R6.1.đ, R6.1.a */
	int64_t password_min_length;
	bool password_require_lower;
	bool password_require_upper;
	bool password_require_digit_or_special;
	const char *password_special_chars;
	int64_t password_max_age_days;
	int64_t password_warn_days;
	int64_t password_history;
	bool password_change_on_first_login;

	/* [lockout]: R6.2.b */
	int64_t lockout_threshold;
	int64_t lockout_duration_s;

	/* [session]: R6.1.c */
	int64_t session_idle_s;
	int64_t session_absolute_s;

	/* [accounts]: R6.1.e, R5.3 */
	int64_t account_review_interval_days;
	int64_t account_dormant_days;
	struct attt_policy_list mfa_roles;

	/* [backup]: R10.1.b, R10.2 */
	int64_t backup_max_interval_days;
	int64_t backup_restore_drill_days;
	int64_t backup_check_interval_days;

	/* [audit]: R7.1, R7.3 */
	int64_t audit_checkpoint_interval_s;
	int64_t audit_checkpoint_events;
	int64_t audit_log_review_interval_days;
	int64_t audit_retention_days;

	/* [incident]: R11.2, R11.3; TT 20/2017 Đ9.2; NĐ 331/2026 Đ31.2.d. Hours, 0 = not set. */
	int64_t incident_notice_deadline_h;          /* thông báo sự cố */
	bool incident_initial_report_immediate;      /* Mẫu 03 at once when beyond capacity */
	int64_t incident_closing_report_deadline_h;  /* Mẫu 04 after the response ends */
	int64_t incident_serious_first_notice_h;     /* first notice of a serious incident */
	int64_t incident_report_deadline_h;          /* report on cause, impact and remedy */
	bool incident_immediate_national_security;   /* at once when national security is touched */
	const char *incident_initial_report_form;    /* a form id, e.g. "mau03" */
	const char *incident_closing_report_form;    /* "mau04" */
	const char *incident_periodic_report_form;   /* "mau05" */

	/* [severity.<id>]: R11.1, indexed by enum attt_severity */
	struct attt_policy_severity severities[ATTT_SEVERITY_COUNT];

	/* [recipients]: body ids, each defined in bodies */
	struct attt_policy_list recipients_incident_notice;   /* TT 20/2017 Đ9.2; NĐ 331 Đ31.2.d */
	struct attt_policy_list recipients_initial_report;    /* R11.2 bước 3 */
	struct attt_policy_list recipients_closing_report;    /* R11.2 bước 5 */
	struct attt_policy_list recipients_escalation;        /* R11.3 */
	struct attt_policy_list recipients_periodic_report;   /* R14.9 */
	const char *emergency_steering;                       /* R12: body id */
	const char *response_coordinator;                     /* R11.2 bước 4: body id */

	size_t n_bodies;
	const struct attt_policy_body *bodies;
	size_t n_forms;
	const struct attt_policy_form *forms;
};

/*
 * Loads a profile: name_or_path containing '/' or ending in ".ini" is a file; anything else is the
 * name of an embedded profile ("thai-nguyen-10-2020", "national-2026"). NULL or "" loads
 * ATTT_POLICY_DEFAULT. A base named in a file is looked up the same way, relative paths against
 * that file's directory. On failure err (errsz > 0) gets one line naming file:line and the rule.
 * Returns ATTT_OK, ATTT_E_NOTFOUND (no such profile or file), ATTT_E_IO, ATTT_E_TOOBIG,
 * ATTT_E_NOMEM, ATTT_E_PARSE (syntax, unknown section or key, key set twice, bad type, base chain
 * too deep or cyclic) or ATTT_E_POLICY (a value the regulation forbids).
 * *ret (free with attt_policy_free) is written only on success.
 */
int attt_policy_load_named(const char *name_or_path, struct attt_policy **ret, char *err, size_t errsz);
/* Loads a profile from text[0..len) in memory; name is used in messages. Its base, if any, must be
 * an embedded profile name (no file is read). Same returns as attt_policy_load_named. */
int attt_policy_load_string(const char *text, size_t len, const char *name, struct attt_policy **ret,
			    char *err, size_t errsz);
/* Frees pol; NULL is a no-op. */
void attt_policy_free(struct attt_policy *pol);

/* The profile's name ([profile] name), owned by pol. */
const char *attt_policy_name(const struct attt_policy *pol);
/* Where it was loaded from: "embedded:NAME" or the file path. Owned by pol. */
const char *attt_policy_source(const struct attt_policy *pol);
/* The effective values, owned by pol. Never NULL. */
const struct attt_policy_values *attt_policy_values(const struct attt_policy *pol);
/* Lower-case hex SHA-256 (64 chars) over the canonical effective values: the same values give the
 * same hash whatever the comments, spacing, order of keys or layering. Owned by pol. */
const char *attt_policy_hash(const struct attt_policy *pol);
/* The body with id, NULL if none. */
const struct attt_policy_body *attt_policy_body(const struct attt_policy *pol, const char *id);
/* The form with id, NULL if none. */
const struct attt_policy_form *attt_policy_form(const struct attt_policy *pol, const char *id);
/* Parses a severity id ("low", "medium", "high", "emergency"); ATTT_E_INVAL otherwise. */
int attt_policy_severity_parse(const char *id, enum attt_severity *ret);

/*
 * Every effective value as JSON: {"name", "source", "hash", "values": [{"key": "lockout.threshold",
 * "value": 5, "rule": "R6.2.b", "vi": ..., "en": ...}, ...], "severities": [...], "bodies": [...],
 * "forms": [...]}. *ret is a new reference, written only on success.
 */
int attt_policy_to_json(const struct attt_policy *pol, json_t **ret);

/* The embedded profiles: count and the name of the i-th (NULL past the end). */
size_t attt_policy_embedded_count(void);
const char *attt_policy_embedded_name(size_t i);

#endif
