/*
 * policy.c: loads, layers, validates, hashes and exports policy profiles (see policy.h).
 *
 * The keys a profile may hold are declared in tables below (one row per key: its section, type,
 * place in struct attt_policy_values, bounds, the rule it implements and its labels). A profile
 * file is read in two passes over the strict INI reader of the config module: the first only
 * finds `base`, so the base chain is loaded first into the same values; the second applies the
 * file's keys on top. Bounds that the regulation sets are checked as each key is read, so the
 * message names file:line and the rule; rules between keys are checked once the chain is loaded.
 * The hash is SHA-256 over the canonical JSON of the effective values (keys sorted, no comments),
 * so it changes exactly when a value does.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "attt/config.h"
#include "attt/err.h"
#include "attt/limits.h"
#include "attt/policy.h"
#include "attt/str.h"
#include "policy-int.h"

#define MSG_MAX 768
#define ID_MAX 40 /* bytes of a body or form id */

enum ptype { P_INT, P_BOOL, P_STR, P_LIST };

struct pctx;

/* Extra check of a value as read; idx is the severity/body/form index (0 for fixed keys). */
typedef int (*pcheck_fn)(struct pctx *c, size_t idx, const char *value, char *msg, size_t msgsz);

struct prow {
	const char *section; /* fixed keys: "password"; dynamic keys: "" */
	const char *key;
	enum ptype type;
	size_t off;          /* into struct attt_policy_values, or the severity/body/form struct */
	int64_t min, max;    /* INT bounds */
	bool must_true;      /* BOOL the regulation requires on */
	const char *rule;    /* rule ID the key implements */
	const char *bound_vi, *bound_en; /* why min/max or must_true: shown after the rule */
	pcheck_fn check;
	const char *vi, *en; /* label */
};

struct attt_policy {
	char *source;
	char hash[crypto_hash_sha256_BYTES * 2 + 1];
	struct attt_policy_values v;
	struct attt_policy_body bodies[ATTT_POLICY_MAX_BODIES];
	struct attt_policy_form forms[ATTT_POLICY_MAX_FORMS];
};

static int check_special(struct pctx *c, size_t idx, const char *value, char *msg, size_t msgsz);
static int check_role(struct pctx *c, size_t idx, const char *value, char *msg, size_t msgsz);
static int check_id(struct pctx *c, size_t idx, const char *value, char *msg, size_t msgsz);
static int check_escalate(struct pctx *c, size_t idx, const char *value, char *msg, size_t msgsz);

#define V(field) offsetof(struct attt_policy_values, field)
#define I(sec, key, field, min, max, rule, bvi, ben, vi, en) \
	{ sec, key, P_INT, V(field), min, max, false, rule, bvi, ben, NULL, vi, en }
#define B(sec, key, field, must, rule, bvi, ben, vi, en) \
	{ sec, key, P_BOOL, V(field), 0, 0, must, rule, bvi, ben, NULL, vi, en }
#define S(sec, key, field, rule, check, vi, en) { sec, key, P_STR, V(field), 0, 0, false, rule, NULL, NULL, check, vi, en }
#define L(sec, key, field, rule, check, vi, en) { sec, key, P_LIST, V(field), 0, 0, false, rule, NULL, NULL, check, vi, en }

/* The fixed keys, in the order `attt policy show` lists them. */
static const struct prow fixed_rows[] = {
	S("profile", "name", name, "", check_id, "Tên hồ sơ", "Profile name"),
	S("profile", "title_vi", title_vi, "", NULL, "Tiêu đề (tiếng Việt)", "Title (Vietnamese)"),
	S("profile", "title_en", title_en, "", NULL, "Tiêu đề (tiếng Anh)", "Title (English)"),
	L("profile", "legal_bases", legal_bases, "", NULL, "Căn cứ pháp lý", "Legal bases"),

	I("password", "min_length", password_min_length, 8, 128, "R6.1.đ",
	  "mật khẩu phải dài tối thiểu 8 ký tự (tối đa 128)", "passwords must be at least 8 characters (at most 128)",
	  "Độ dài mật khẩu tối thiểu", "Minimum password length"),
	B("password", "require_lower", password_require_lower, true, "R6.1.đ", "mật khẩu phải có ký tự thường",
	  "passwords must contain a lower-case letter", "Bắt buộc ký tự thường", "Require a lower-case letter"),
	B("password", "require_upper", password_require_upper, true, "R6.1.đ", "mật khẩu phải có ký tự hoa",
	  "passwords must contain an upper-case letter", "Bắt buộc ký tự hoa", "Require an upper-case letter"),
	B("password", "require_digit_or_special", password_require_digit_or_special, true, "R6.1.đ",
	  "mật khẩu phải có ký tự số hoặc ký tự đặc biệt", "passwords must contain a digit or a special character",
	  "Bắt buộc ký tự số hoặc ký tự đặc biệt", "Require a digit or a special character"),
	S("password", "special_chars", password_special_chars, "R6.1.đ", check_special, "Các ký tự đặc biệt",
	  "Special characters"),
	I("password", "max_age_days", password_max_age_days, 1, 90, "R6.1.đ",
	  "mật khẩu phải đổi ít nhất 03 tháng/lần: tối đa 90 ngày", "passwords must change at least every 3 months: at most 90 days",
	  "Tuổi tối đa của mật khẩu (ngày)", "Maximum password age (days)"),
	I("password", "warn_days", password_warn_days, 0, 89, "R6.1.đ", "số ngày báo trước phải từ 0 đến 89",
	  "warning days must be 0 to 89", "Báo trước khi mật khẩu hết hạn (ngày)", "Warn before the password expires (days)"),
	I("password", "history", password_history, 0, 24, "R6.1.đ", "số mật khẩu cũ không được dùng lại phải từ 0 đến 24",
	  "password history must be 0 to 24", "Số mật khẩu cũ không được dùng lại", "Previous passwords that may not be reused"),
	B("password", "change_on_first_login", password_change_on_first_login, true, "R6.1.a",
	  "phải đổi ngay mật khẩu khi mới được cấp", "an issued password must be changed at once",
	  "Đổi mật khẩu ở lần đăng nhập đầu", "Change the password at first login"),

	I("lockout", "threshold", lockout_threshold, 3, 5, "R6.2.b", "ngưỡng khóa phải từ 3 đến 5",
	  "lockout threshold must be 3 to 5", "Số lần đăng nhập sai liên tiếp trước khi khóa",
	  "Consecutive failed logins before lockout"),
	I("lockout", "duration_s", lockout_duration_s, 60, 86400, "R6.2.b", "thời gian khóa phải từ 60 đến 86400 giây",
	  "lockout duration must be 60 to 86400 seconds", "Thời gian khóa (giây)", "Lockout duration (seconds)"),

	I("session", "idle_s", session_idle_s, 60, 600, "R6.1.c",
	  "phiên phải khóa sau tối đa 10 phút không sử dụng: 60 đến 600 giây",
	  "sessions must lock after at most 10 idle minutes: 60 to 600 seconds", "Thời gian chờ của phiên (giây)",
	  "Session idle timeout (seconds)"),
	I("session", "absolute_s", session_absolute_s, 600, 604800, "R6.1.c",
	  "thời hạn tuyệt đối của phiên phải từ 600 đến 604800 giây", "absolute session lifetime must be 600 to 604800 seconds",
	  "Thời hạn tuyệt đối của phiên (giây)", "Absolute session lifetime (seconds)"),

	I("accounts", "review_interval_days", account_review_interval_days, 1, 90, "R6.1.e",
	  "phải rà soát tài khoản tối thiểu 03 tháng/lần: tối đa 90 ngày",
	  "accounts must be reviewed at least every 3 months: at most 90 days", "Chu kỳ rà soát tài khoản (ngày)",
	  "Account review interval (days)"),
	I("accounts", "dormant_days", account_dormant_days, 1, 366, "R6.1.e", "số ngày không dùng phải từ 1 đến 366",
	  "dormant days must be 1 to 366", "Tài khoản không dùng quá số ngày này bị đánh dấu",
	  "Accounts unused this many days are flagged"),
	L("accounts", "mfa_roles", mfa_roles, "R6.1.a", check_role, "Vai trò bắt buộc xác thực hai yếu tố",
	  "Roles that require multi-factor authentication"),

	I("backup", "max_interval_days", backup_max_interval_days, 1, 31, "R10.1.b",
	  "phải sao lưu ít nhất một lần trong tháng: tối đa 31 ngày", "backups must run at least once a month: at most 31 days",
	  "Khoảng cách tối đa giữa hai lần sao lưu (ngày)", "Maximum interval between backups (days)"),
	I("backup", "restore_drill_days", backup_restore_drill_days, 1, 366, "R10.2.b",
	  "chu kỳ kiểm tra phục hồi phải từ 1 đến 366 ngày", "restore drill interval must be 1 to 366 days",
	  "Chu kỳ kiểm tra phục hồi từ bản sao lưu (ngày)", "Restore drill interval (days)"),
	I("backup", "check_interval_days", backup_check_interval_days, 1, 92, "R10.2.c",
	  "bản sao lưu phải được kiểm tra thường xuyên: 1 đến 92 ngày", "backups must be checked regularly: 1 to 92 days",
	  "Chu kỳ kiểm tra toàn vẹn bản sao lưu (ngày)", "Backup integrity check interval (days)"),

	I("audit", "checkpoint_interval_s", audit_checkpoint_interval_s, 1, 60, "R7.1",
	  "điểm kiểm tra nhật ký phải lập ít nhất mỗi phút: 1 đến 60 giây",
	  "audit checkpoints must be made at least every minute: 1 to 60 seconds",
	  "Khoảng cách tối đa giữa hai điểm kiểm tra nhật ký (giây)", "Maximum interval between audit checkpoints (seconds)"),
	I("audit", "checkpoint_events", audit_checkpoint_events, 1, 1000, "R7.1",
	  "điểm kiểm tra nhật ký phải lập ít nhất mỗi 1000 sự kiện", "audit checkpoints must be made at least every 1000 events",
	  "Số sự kiện tối đa giữa hai điểm kiểm tra", "Maximum events between audit checkpoints"),
	I("audit", "log_review_interval_days", audit_log_review_interval_days, 1, 31, "R7.3",
	  "nhật ký phải được theo dõi thường xuyên: 1 đến 31 ngày", "logs must be watched regularly: 1 to 31 days",
	  "Chu kỳ xem xét nhật ký (ngày)", "Log review interval (days)"),
	I("audit", "retention_days", audit_retention_days, 30, 3650, "R7.1",
	  "nhật ký phải được lưu giữ từ 30 đến 3650 ngày", "logs must be kept 30 to 3650 days",
	  "Thời gian lưu giữ nhật ký (ngày)", "Log retention (days)"),

	I("incident", "notice_deadline_h", incident_notice_deadline_h, 1, 120, "R11.2",
	  "thông báo sự cố phải gửi trong vòng 05 ngày: 1 đến 120 giờ",
	  "the incident notice is due within 5 days: 1 to 120 hours", "Hạn gửi thông báo sự cố (giờ)",
	  "Incident notice deadline (hours)"),
	B("incident", "initial_report_immediate", incident_initial_report_immediate, true, "R11.3",
	  "báo cáo ban đầu phải gửi ngay khi sự cố vượt quá khả năng xử lý",
	  "the initial report is due at once when the incident is beyond the agency", "Báo cáo ban đầu gửi ngay",
	  "Initial report sent at once"),
	I("incident", "closing_report_deadline_h", incident_closing_report_deadline_h, 1, 120, "R11.2",
	  "báo cáo kết thúc phải gửi trong vòng 05 ngày: 1 đến 120 giờ",
	  "the closing report is due within 5 days: 1 to 120 hours", "Hạn báo cáo kết thúc ứng phó (giờ)",
	  "Closing report deadline (hours)"),
	I("incident", "serious_first_notice_h", incident_serious_first_notice_h, 0, 24, "R11.3",
	  "thông báo ban đầu sự cố nghiêm trọng: 0 (không đặt) đến 24 giờ",
	  "first notice of a serious incident: 0 (not set) to 24 hours", "Hạn thông báo ban đầu sự cố nghiêm trọng (giờ)",
	  "First notice of a serious incident (hours)"),
	I("incident", "report_deadline_h", incident_report_deadline_h, 0, 72, "R11.3",
	  "báo cáo nguyên nhân, ảnh hưởng, khắc phục: 0 (không đặt) đến 72 giờ",
	  "report on cause, impact and remedy: 0 (not set) to 72 hours", "Hạn báo cáo sự cố (giờ)",
	  "Incident report deadline (hours)"),
	B("incident", "immediate_national_security", incident_immediate_national_security, false, "R11.3", NULL, NULL,
	  "Báo cáo ngay khi ảnh hưởng an ninh quốc gia", "Report at once when national security is touched"),
	S("incident", "initial_report_form", incident_initial_report_form, "R11.2", check_id, "Mẫu báo cáo ban đầu",
	  "Initial report form"),
	S("incident", "closing_report_form", incident_closing_report_form, "R11.2", check_id, "Mẫu báo cáo kết thúc",
	  "Closing report form"),
	S("incident", "periodic_report_form", incident_periodic_report_form, "R14.9", check_id, "Mẫu báo cáo tổng hợp",
	  "Periodic report form"),

	L("recipients", "incident_notice", recipients_incident_notice, "R11.2", check_id, "Nơi nhận thông báo sự cố",
	  "Recipients of the incident notice"),
	L("recipients", "initial_report", recipients_initial_report, "R11.2", check_id, "Nơi nhận báo cáo ban đầu",
	  "Recipients of the initial report"),
	L("recipients", "closing_report", recipients_closing_report, "R11.2", check_id, "Nơi nhận báo cáo kết thúc",
	  "Recipients of the closing report"),
	L("recipients", "escalation", recipients_escalation, "R11.3", check_id, "Nơi nhận báo cáo ngay (sự cố Cao, Khẩn cấp)",
	  "Recipients of immediate reports (high, emergency)"),
	L("recipients", "periodic_report", recipients_periodic_report, "R14.9", check_id, "Nơi nhận báo cáo định kỳ",
	  "Recipients of periodic reports"),
	S("recipients", "emergency_steering", emergency_steering, "R12", check_id, "Ban chỉ đạo ứng cứu khẩn cấp",
	  "Emergency response steering body"),
	S("recipients", "response_coordinator", response_coordinator, "R11.2", check_id, "Đơn vị phối hợp khắc phục sự cố",
	  "Body that coordinates the response"),
};
#define NFIXED (sizeof(fixed_rows) / sizeof(fixed_rows[0]))

#define SV(field) offsetof(struct attt_policy_severity, field)
static const struct prow sev_rows[] = {
	{ "", "name_vi", P_STR, SV(name_vi), 0, 0, false, "R11.1", NULL, NULL, NULL, "Tên mức độ", "Name (Vietnamese)" },
	{ "", "name_en", P_STR, SV(name_en), 0, 0, false, "R11.1", NULL, NULL, NULL, "Tên tiếng Anh", "Name (English)" },
	{ "", "definition_vi", P_STR, SV(definition_vi), 0, 0, false, "R11.1", NULL, NULL, NULL, "Định nghĩa", "Definition (Vietnamese)" },
	{ "", "definition_en", P_STR, SV(definition_en), 0, 0, false, "R11.1", NULL, NULL, NULL, "Định nghĩa (tiếng Anh)", "Definition (English)" },
	{ "", "examples_vi", P_STR, SV(examples_vi), 0, 0, false, "R11.1", NULL, NULL, NULL, "Ví dụ", "Examples (Vietnamese)" },
	{ "", "examples_en", P_STR, SV(examples_en), 0, 0, false, "R11.1", NULL, NULL, NULL, "Ví dụ (tiếng Anh)", "Examples (English)" },
	{ "", "escalate", P_BOOL, SV(escalate), 0, 0, false, "R11.3", NULL, NULL, check_escalate, "Báo cáo ngay cấp trên và cơ quan quản lý",
	  "Report at once to the superior body and the authority" },
};
#define NSEV (sizeof(sev_rows) / sizeof(sev_rows[0]))

#define BV(field) offsetof(struct attt_policy_body, field)
static const struct prow body_rows[] = {
	{ "", "name_vi", P_STR, BV(name_vi), 0, 0, false, "R11.2", NULL, NULL, NULL, "Tên cơ quan", "Name (Vietnamese)" },
	{ "", "name_en", P_STR, BV(name_en), 0, 0, false, "R11.2", NULL, NULL, NULL, "Tên tiếng Anh", "Name (English)" },
	{ "", "short_vi", P_STR, BV(short_vi), 0, 0, false, "R11.2", NULL, NULL, NULL, "Tên viết tắt", "Short name" },
	{ "", "legal_basis", P_STR, BV(legal_basis), 0, 0, false, "R11.2", NULL, NULL, NULL, "Căn cứ", "Legal basis" },
};
#define NBODY (sizeof(body_rows) / sizeof(body_rows[0]))

#define FV(field) offsetof(struct attt_policy_form, field)
static const struct prow form_rows[] = {
	{ "", "code", P_STR, FV(code), 0, 0, false, "R11.2", NULL, NULL, NULL, "Số hiệu mẫu", "Form number" },
	{ "", "title_vi", P_STR, FV(title_vi), 0, 0, false, "R11.2", NULL, NULL, NULL, "Tên mẫu", "Title (Vietnamese)" },
	{ "", "title_en", P_STR, FV(title_en), 0, 0, false, "R11.2", NULL, NULL, NULL, "Tên tiếng Anh", "Title (English)" },
	{ "", "legal_basis", P_STR, FV(legal_basis), 0, 0, false, "R11.2", NULL, NULL, NULL, "Căn cứ", "Legal basis" },
};
#define NFORM (sizeof(form_rows) / sizeof(form_rows[0]))

static const char *const severity_ids[ATTT_SEVERITY_COUNT] = { "low", "medium", "high", "emergency" };
static const char *const known_roles[] = { "staff", "security_officer", "agency_head", "authority",
					   "response_team", "steering", "auditor", "admin", NULL };

/* Lines where the file being applied set each key, for "key set twice". */
struct file_lines {
	int fixed[NFIXED];
	int sev[ATTT_SEVERITY_COUNT][NSEV];
	int body[ATTT_POLICY_MAX_BODIES][NBODY];
	int form[ATTT_POLICY_MAX_FORMS][NFORM];
	int base;
};

struct pctx {
	struct attt_policy *pol;
	bool fixed_set[NFIXED];
	struct file_lines *lines; /* of the file being read */
	bool first_pass;
	char *base;               /* first pass: the value of profile.base */
	const char *chain[ATTT_POLICY_MAX_DEPTH + 1]; /* identities of the files being loaded */
	size_t depth;
};

/* ------------------------------------------------------------------------------------------ */
/* Values                                                                                      */

static const char **str_slot(void *base, const struct prow *row)
{
	return (const char **)(void *)((char *)base + row->off);
}

static void list_free(struct attt_policy_list *l)
{
	char **items = (char **)(void *)l->items;
	if (items)
		for (size_t i = 0; i < l->n; i++)
			free(items[i]);
	free(items);
	l->items = NULL;
	l->n = 0;
}

static void rows_free(void *base, const struct prow *rows, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (rows[i].type == P_STR) {
			const char **s = str_slot(base, &rows[i]);
			free((void *)*s);
			*s = NULL;
		} else if (rows[i].type == P_LIST) {
			list_free((struct attt_policy_list *)(void *)((char *)base + rows[i].off));
		}
	}
}

void attt_policy_free(struct attt_policy *pol)
{
	if (!pol)
		return;
	rows_free(&pol->v, fixed_rows, NFIXED);
	for (size_t i = 0; i < ATTT_SEVERITY_COUNT; i++) {
		rows_free(&pol->v.severities[i], sev_rows, NSEV);
	}
	for (size_t i = 0; i < ATTT_POLICY_MAX_BODIES; i++) {
		rows_free(&pol->bodies[i], body_rows, NBODY);
		free((void *)pol->bodies[i].id);
	}
	for (size_t i = 0; i < ATTT_POLICY_MAX_FORMS; i++) {
		rows_free(&pol->forms[i], form_rows, NFORM);
		free((void *)pol->forms[i].id);
	}
	free(pol->source);
	free(pol);
}

static int rule_msg(const struct prow *row, const char *name, char *msg, size_t msgsz)
{
	if (row->rule && row->rule[0] && row->bound_vi)
		attt_str_printf(msg, msgsz, "%s: %s (%s)", row->rule, row->bound_vi, row->bound_en);
	else if (row->type == P_INT)
		attt_str_printf(msg, msgsz, "%s: giá trị phải từ %lld đến %lld (value must be %lld to %lld)", name,
				(long long)row->min, (long long)row->max, (long long)row->min, (long long)row->max);
	return row->rule && row->rule[0] ? ATTT_E_POLICY : ATTT_E_PARSE;
}

static int split_list(struct pctx *c, const struct prow *row, size_t idx, const char *name, const char *value,
		      struct attt_policy_list *out, char *msg, size_t msgsz)
{
	char **items = NULL, *copy = NULL, *p, *next;
	size_t n = 0;
	int r;

	items = calloc(ATTT_POLICY_MAX_LIST + 1, sizeof(*items));
	copy = strdup(value);
	if (!items || !copy) {
		r = ATTT_E_NOMEM;
		goto out;
	}
	for (p = copy; p; p = next) {
		char *item;
		next = strchr(p, ',');
		if (next)
			*next++ = '\0';
		item = attt_str_trim(p);
		if (!*item)
			continue;
		if (n == ATTT_POLICY_MAX_LIST) {
			attt_str_printf(msg, msgsz, "%s: nhiều hơn %d mục (more than %d items)", name, ATTT_POLICY_MAX_LIST,
					ATTT_POLICY_MAX_LIST);
			r = ATTT_E_PARSE;
			goto out;
		}
		if (row->check) {
			r = row->check(c, idx, item, msg, msgsz);
			if (r < 0)
				goto out;
		}
		items[n] = strdup(item);
		if (!items[n]) {
			r = ATTT_E_NOMEM;
			goto out;
		}
		n++;
	}
	list_free(out);
	out->items = (const char *const *)items;
	out->n = n;
	items = NULL;
	r = ATTT_OK;
out:
	if (items)
		for (size_t i = 0; i < n; i++)
			free(items[i]);
	free(items);
	free(copy);
	return r;
}

/* Parses value for row into base (the values, a severity, a body or a form). */
static int set_row(struct pctx *c, const struct prow *row, void *base, size_t idx, const char *name,
		   const char *value, char *msg, size_t msgsz)
{
	int64_t i;
	bool b;
	int r;

	switch (row->type) {
	case P_INT:
		r = attt_parse_int64(value, INT64_MIN, INT64_MAX, &i);
		if (r < 0) {
			attt_str_printf(msg, msgsz, "%s: cần một số nguyên (integer expected)", name);
			return ATTT_E_PARSE;
		}
		if (i < row->min || i > row->max)
			return rule_msg(row, name, msg, msgsz);
		*(int64_t *)(void *)((char *)base + row->off) = i;
		return ATTT_OK;
	case P_BOOL:
		if (attt_parse_bool(value, &b) < 0) {
			attt_str_printf(msg, msgsz, "%s: cần true hoặc false (true or false expected)", name);
			return ATTT_E_PARSE;
		}
		if (row->must_true && !b)
			return rule_msg(row, name, msg, msgsz);
		if (row->check) {
			r = row->check(c, idx, value, msg, msgsz);
			if (r < 0)
				return r;
		}
		*(bool *)(void *)((char *)base + row->off) = b;
		return ATTT_OK;
	case P_STR: {
		const char **slot = str_slot(base, row);
		char *s;
		if (strlen(value) > ATTT_MAX_TEXT) {
			attt_str_printf(msg, msgsz, "%s: dài quá %d byte (longer than %d bytes)", name, ATTT_MAX_TEXT,
					ATTT_MAX_TEXT);
			return ATTT_E_PARSE;
		}
		if (row->check) {
			r = row->check(c, idx, value, msg, msgsz);
			if (r < 0)
				return r;
		}
		s = strdup(value);
		if (!s)
			return ATTT_E_NOMEM;
		free((void *)*slot);
		*slot = s;
		return ATTT_OK;
	}
	case P_LIST:
		return split_list(c, row, idx, name, value, (struct attt_policy_list *)(void *)((char *)base + row->off),
				  msg, msgsz);
	}
	return ATTT_E_INTERNAL;
}

/* ------------------------------------------------------------------------------------------ */
/* Checks of single values                                                                     */

/* R6.1.đ names "!, @, #, $, %" as the special characters: the set must hold them all. */
static int check_special(struct pctx *c, size_t idx, const char *value, char *msg, size_t msgsz)
{
	(void)c;
	(void)idx;
	for (const char *p = "!@#$%"; *p; p++)
		if (!strchr(value, *p)) {
			attt_str_printf(msg, msgsz, "R6.1.đ: tập ký tự đặc biệt phải gồm !, @, #, $, %% "
					"(the special characters must include !, @, #, $, %%)");
			return ATTT_E_POLICY;
		}
	if (strchr(value, ' ') || strchr(value, ',') || strchr(value, ';')) {
		attt_str_printf(msg, msgsz, "password.special_chars: không được chứa khoảng trắng, ',' hoặc ';' "
				"(must not contain spaces, ',' or ';')");
		return ATTT_E_PARSE;
	}
	return ATTT_OK;
}

static int check_role(struct pctx *c, size_t idx, const char *value, char *msg, size_t msgsz)
{
	(void)c;
	(void)idx;
	for (const char *const *r = known_roles; *r; r++)
		if (strcmp(*r, value) == 0)
			return ATTT_OK;
	attt_str_printf(msg, msgsz, "vai trò không có: %s (unknown role; known: staff, security_officer, agency_head, "
			"authority, response_team, steering, auditor, admin)", value);
	return ATTT_E_PARSE;
}

/* Ids of profiles, bodies and forms: [a-z0-9_-], 1..ID_MAX bytes. */
static bool valid_id(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > ID_MAX)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_' || *s == '-'))
			return false;
	return true;
}

static int check_id(struct pctx *c, size_t idx, const char *value, char *msg, size_t msgsz)
{
	(void)c;
	(void)idx;
	if (valid_id(value))
		return ATTT_OK;
	attt_str_printf(msg, msgsz, "mã không hợp lệ: \"%s\", cần 1 đến %d ký tự a-z, 0-9, _ hoặc - "
			"(invalid id: 1 to %d characters a-z, 0-9, _ or - expected)", value, ID_MAX, ID_MAX);
	return ATTT_E_PARSE;
}

/* R11.3: high and emergency incidents are reported at once. */
static int check_escalate(struct pctx *c, size_t idx, const char *value, char *msg, size_t msgsz)
{
	bool b = false;
	(void)c;
	attt_parse_bool(value, &b);
	if (!b && idx >= ATTT_SEVERITY_HIGH) {
		attt_str_printf(msg, msgsz, "R11.3: sự cố mức Cao và Khẩn cấp phải báo cáo ngay cấp trên và cơ quan quản lý "
				"(high and emergency incidents must be reported at once)");
		return ATTT_E_POLICY;
	}
	return ATTT_OK;
}

/* ------------------------------------------------------------------------------------------ */
/* Reading a file                                                                              */

static int find_row(const struct prow *rows, size_t n, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(rows[i].key, key) == 0)
			return (int)i;
	return -1;
}

static int body_index(struct attt_policy *pol, const char *id, bool create)
{
	for (size_t i = 0; i < pol->v.n_bodies; i++)
		if (strcmp(pol->bodies[i].id, id) == 0)
			return (int)i;
	if (!create || pol->v.n_bodies == ATTT_POLICY_MAX_BODIES)
		return create ? ATTT_E_TOOBIG : ATTT_E_NOTFOUND;
	pol->bodies[pol->v.n_bodies].id = strdup(id);
	if (!pol->bodies[pol->v.n_bodies].id)
		return ATTT_E_NOMEM;
	return (int)pol->v.n_bodies++;
}

static int form_index(struct attt_policy *pol, const char *id, bool create)
{
	for (size_t i = 0; i < pol->v.n_forms; i++)
		if (strcmp(pol->forms[i].id, id) == 0)
			return (int)i;
	if (!create || pol->v.n_forms == ATTT_POLICY_MAX_FORMS)
		return create ? ATTT_E_TOOBIG : ATTT_E_NOTFOUND;
	pol->forms[pol->v.n_forms].id = strdup(id);
	if (!pol->forms[pol->v.n_forms].id)
		return ATTT_E_NOMEM;
	return (int)pol->v.n_forms++;
}

static int severity_index(const char *id)
{
	for (int i = 0; i < ATTT_SEVERITY_COUNT; i++)
		if (strcmp(severity_ids[i], id) == 0)
			return i;
	return -1;
}

static bool fixed_section(const char *section)
{
	for (size_t i = 0; i < NFIXED; i++)
		if (strcmp(fixed_rows[i].section, section) == 0)
			return true;
	return false;
}

static int on_section(void *user, const char *section, int line, char *msg, size_t msgsz)
{
	(void)user;
	(void)line;
	if (fixed_section(section))
		return ATTT_OK;
	if (attt_str_startswith(section, "severity.")) {
		if (severity_index(section + 9) >= 0)
			return ATTT_OK;
		attt_str_printf(msg, msgsz, "R11.1: mức độ sự cố không có: [%s], chỉ có low, medium, high, emergency "
				"(unknown severity; only low, medium, high, emergency)", section);
		return ATTT_E_PARSE;
	}
	if ((attt_str_startswith(section, "body.") && valid_id(section + 5)) ||
	    (attt_str_startswith(section, "form.") && valid_id(section + 5)))
		return ATTT_OK;
	attt_str_printf(msg, msgsz, "mục không có: [%s] (unknown section)", section);
	return ATTT_E_PARSE;
}

static int twice(int *slot, int line, const char *name, char *msg, size_t msgsz)
{
	if (*slot) {
		attt_str_printf(msg, msgsz, "khóa %s đã đặt ở dòng %d (key already set at line %d)", name, *slot, *slot);
		return ATTT_E_PARSE;
	}
	*slot = line;
	return ATTT_OK;
}

static int unknown_key(const char *name, char *msg, size_t msgsz)
{
	attt_str_printf(msg, msgsz, "khóa không có: %s (unknown key)", name);
	return ATTT_E_PARSE;
}

static int on_key(void *user, const char *section, const char *key, const char *value, int line, char *msg,
		  size_t msgsz)
{
	struct pctx *c = user;
	struct attt_policy *pol = c->pol;
	char name[128];
	int i, k, r;

	if (!section[0]) {
		attt_str_printf(msg, msgsz, "khóa %s nằm ngoài mọi mục, cần [mục] trước (key outside any section)", key);
		return ATTT_E_PARSE;
	}
	if (attt_str_printf(name, sizeof(name), "%s.%s", section, key) < 0)
		return unknown_key(section, msg, msgsz);
	if (strcmp(name, "profile.base") == 0) {
		if (!c->first_pass)
			return ATTT_OK;
		r = twice(&c->lines->base, line, name, msg, msgsz);
		if (r < 0)
			return r;
		c->base = strdup(value);
		return c->base ? ATTT_OK : ATTT_E_NOMEM;
	}
	if (c->first_pass)
		return ATTT_OK;

	if (fixed_section(section)) {
		for (i = 0; i < (int)NFIXED; i++)
			if (strcmp(fixed_rows[i].section, section) == 0 && strcmp(fixed_rows[i].key, key) == 0)
				break;
		if (i == (int)NFIXED)
			return unknown_key(name, msg, msgsz);
		r = twice(&c->lines->fixed[i], line, name, msg, msgsz);
		if (r < 0)
			return r;
		r = set_row(c, &fixed_rows[i], &pol->v, 0, name, value, msg, msgsz);
		if (r == ATTT_OK)
			c->fixed_set[i] = true;
		return r;
	}
	if (attt_str_startswith(section, "severity.")) {
		int s = severity_index(section + 9);
		if (s < 0 || (k = find_row(sev_rows, NSEV, key)) < 0)
			return unknown_key(name, msg, msgsz);
		r = twice(&c->lines->sev[s][k], line, name, msg, msgsz);
		if (r < 0)
			return r;
		return set_row(c, &sev_rows[k], &pol->v.severities[s], (size_t)s, name, value, msg, msgsz);
	}
	if (attt_str_startswith(section, "body.")) {
		if ((k = find_row(body_rows, NBODY, key)) < 0)
			return unknown_key(name, msg, msgsz);
		i = body_index(pol, section + 5, true);
		if (i == ATTT_E_TOOBIG) {
			attt_str_printf(msg, msgsz, "nhiều hơn %d cơ quan (more than %d bodies)", ATTT_POLICY_MAX_BODIES,
					ATTT_POLICY_MAX_BODIES);
			return ATTT_E_PARSE;
		}
		if (i < 0)
			return i;
		r = twice(&c->lines->body[i][k], line, name, msg, msgsz);
		if (r < 0)
			return r;
		return set_row(c, &body_rows[k], &pol->bodies[i], (size_t)i, name, value, msg, msgsz);
	}
	if (attt_str_startswith(section, "form.")) {
		if ((k = find_row(form_rows, NFORM, key)) < 0)
			return unknown_key(name, msg, msgsz);
		i = form_index(pol, section + 5, true);
		if (i == ATTT_E_TOOBIG) {
			attt_str_printf(msg, msgsz, "nhiều hơn %d mẫu (more than %d forms)", ATTT_POLICY_MAX_FORMS,
					ATTT_POLICY_MAX_FORMS);
			return ATTT_E_PARSE;
		}
		if (i < 0)
			return i;
		r = twice(&c->lines->form[i][k], line, name, msg, msgsz);
		if (r < 0)
			return r;
		return set_row(c, &form_rows[k], &pol->forms[i], (size_t)i, name, value, msg, msgsz);
	}
	return unknown_key(name, msg, msgsz);
}

/* ------------------------------------------------------------------------------------------ */
/* Finding profiles and layering                                                               */

static bool is_path(const char *s)
{
	size_t n = strlen(s);
	return strchr(s, '/') || (n >= 4 && strcmp(s + n - 4, ".ini") == 0);
}

static const struct attt__policy_embedded *embedded_find(const char *name)
{
	for (size_t i = 0; i < attt__policy_embedded_count; i++)
		if (strcmp(attt__policy_embedded[i].name, name) == 0)
			return &attt__policy_embedded[i];
	return NULL;
}

size_t attt_policy_embedded_count(void)
{
	return attt__policy_embedded_count;
}

const char *attt_policy_embedded_name(size_t i)
{
	return i < attt__policy_embedded_count ? attt__policy_embedded[i].name : NULL;
}

static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		return strdup(".");
	if (slash == path)
		return strdup("/");
	return strndup(path, (size_t)(slash - path));
}

static int apply_text(struct pctx *c, const char *text, size_t len, const char *name, const char *ident,
		      const char *dir, bool memory_only, const char *from, int from_line, char *err, size_t errsz);

/* Loads ref (a name, or a path relative to dir) into c as the base of the file at name:line. */
static int load_ref(struct pctx *c, const char *ref, const char *dir, bool memory_only, const char *from,
		    int line, char *err, size_t errsz)
{
	const struct attt__policy_embedded *e;
	char *path = NULL, *real = NULL, *text = NULL, *fdir = NULL, ident[ATTT_MAX_PATH + 16];
	size_t len = 0;
	int r;

	if (!is_path(ref)) {
		e = embedded_find(ref);
		if (!e) {
			if (from)
				attt_str_printf(err, errsz, "%s:%d: không có hồ sơ có sẵn tên %s (no embedded profile named %s)",
						from, line, ref, ref);
			else
				attt_str_printf(err, errsz, "không có hồ sơ có sẵn tên %s (no embedded profile named %s)", ref,
						ref);
			return ATTT_E_NOTFOUND;
		}
		attt_str_printf(ident, sizeof(ident), "embedded:%s", e->name);
		return apply_text(c, e->text, e->len, e->name, ident, NULL, true, from, line, err, errsz);
	}
	if (memory_only) {
		attt_str_printf(err, errsz, "%s:%d: base phải là tên một hồ sơ có sẵn khi nạp từ bộ nhớ hoặc hồ sơ có sẵn "
				"(base must name an embedded profile here, not a file)", from ? from : "<memory>", line);
		return ATTT_E_PARSE;
	}
	if (ref[0] != '/' && dir) {
		size_t n = strlen(dir) + strlen(ref) + 2;
		path = malloc(n);
		if (!path)
			return ATTT_E_NOMEM;
		attt_str_printf(path, n, "%s/%s", dir, ref);
	} else {
		path = strdup(ref);
		if (!path)
			return ATTT_E_NOMEM;
	}
	r = attt_config_read_file(path, &text, &len);
	if (r < 0) {
		if (from)
			attt_str_printf(err, errsz, "%s:%d: %s: %s (%s)", from, line, path, attt_strerror_vi(r),
					attt_strerror(r));
		else
			attt_str_printf(err, errsz, "%s: %s (%s)", path, attt_strerror_vi(r), attt_strerror(r));
		goto out;
	}
	real = realpath(path, NULL);
	fdir = dir_of(path);
	if (!fdir) {
		r = ATTT_E_NOMEM;
		goto out;
	}
	attt_str_printf(ident, sizeof(ident), "%s", real ? real : path);
	r = apply_text(c, text, len, path, ident, fdir, false, from, line, err, errsz);
out:
	free(fdir);
	free(real);
	free(text);
	free(path);
	return r;
}

/* Applies one profile file (its base chain first) to c->pol; from:from_line named it as a base. */
static int apply_text(struct pctx *c, const char *text, size_t len, const char *name, const char *ident,
		      const char *dir, bool memory_only, const char *from, int from_line, char *err, size_t errsz)
{
	struct attt_ini_handler h = { on_section, on_key, c };
	struct file_lines *lines = NULL, *saved = c->lines;
	char *base = NULL;
	int r, base_line;

	for (size_t i = 0; i < c->depth; i++)
		if (strcmp(c->chain[i], ident) == 0) {
			attt_str_printf(err, errsz, "%s:%d: base tạo vòng lặp qua %s (base profiles form a cycle through %s)",
					from ? from : name, from_line, ident, ident);
			return ATTT_E_PARSE;
		}
	if (c->depth == ATTT_POLICY_MAX_DEPTH) {
		attt_str_printf(err, errsz, "%s:%d: chuỗi base sâu quá %d tầng (base chain deeper than %d profiles)",
				from ? from : name, from_line, ATTT_POLICY_MAX_DEPTH, ATTT_POLICY_MAX_DEPTH);
		return ATTT_E_PARSE;
	}
	c->chain[c->depth++] = ident;
	lines = calloc(1, sizeof(*lines));
	if (!lines) {
		r = ATTT_E_NOMEM;
		goto out;
	}
	/* Pass 1: syntax, and the base. */
	c->lines = lines;
	c->first_pass = true;
	c->base = NULL;
	r = attt_config_ini_parse(text, len, name, &h, err, errsz);
	base = c->base;
	c->base = NULL;
	base_line = lines->base;
	if (r < 0)
		goto out;
	if (base) {
		r = load_ref(c, base, dir, memory_only, name, base_line, err, errsz);
		if (r < 0)
			goto out;
	}
	/* Pass 2: the values, over the base's. */
	memset(lines, 0, sizeof(*lines));
	c->lines = lines;
	c->first_pass = false;
	r = attt_config_ini_parse(text, len, name, &h, err, errsz);
	/* Every file names itself, so a layered profile never passes for its base. fixed_rows[0] is
	 * profile.name. */
	if (r == ATTT_OK && !lines->fixed[0]) {
		attt_str_printf(err, errsz, "%s: thiếu [profile] name (missing [profile] name)", name);
		r = ATTT_E_PARSE;
	}
out:
	c->depth--;
	c->lines = saved;
	free(base);
	free(lines);
	return r;
}

/* ------------------------------------------------------------------------------------------ */
/* Rules between keys, once the chain is loaded                                                */

static int list_ids_known(struct attt_policy *pol, const struct attt_policy_list *l, const char *name,
			  const char *rule, const char *src, char *err, size_t errsz)
{
	for (size_t i = 0; i < l->n; i++)
		if (body_index(pol, l->items[i], false) < 0) {
			attt_str_printf(err, errsz, "%s: %s: %s nhắc tới cơ quan %s chưa khai báo [body.%s] "
					"(names body %s, which no [body.%s] defines)", src, rule, name, l->items[i],
					l->items[i], l->items[i], l->items[i]);
			return ATTT_E_PARSE;
		}
	return ATTT_OK;
}

static int fill_empty(void *base, const struct prow *rows, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (rows[i].type == P_STR) {
			const char **s = str_slot(base, &rows[i]);
			if (!*s && !(*s = strdup("")))
				return ATTT_E_NOMEM;
		} else if (rows[i].type == P_LIST) {
			struct attt_policy_list *l = (struct attt_policy_list *)(void *)((char *)base + rows[i].off);
			if (!l->items && !(l->items = calloc(1, sizeof(char *))))
				return ATTT_E_NOMEM;
		}
	return ATTT_OK;
}

static int check_all(struct pctx *c, const char *src, char *err, size_t errsz)
{
	struct attt_policy *pol = c->pol;
	struct attt_policy_values *v = &pol->v;
	const char *form_refs[3];
	int r;

	for (size_t i = 0; i < NFIXED; i++)
		if (!c->fixed_set[i]) {
			const struct prow *row = &fixed_rows[i];
			attt_str_printf(err, errsz, "%s: %s%sthiếu khóa %s.%s (missing key %s.%s)", src, row->rule,
					row->rule[0] ? ": " : "", row->section, row->key, row->section, row->key);
			return row->rule[0] ? ATTT_E_POLICY : ATTT_E_PARSE;
		}
	for (int s = 0; s < ATTT_SEVERITY_COUNT; s++) {
		const struct attt_policy_severity *sv = &v->severities[s];
		if (!sv->name_vi || !sv->name_vi[0] || !sv->name_en || !sv->name_en[0] || !sv->definition_vi ||
		    !sv->definition_vi[0]) {
			attt_str_printf(err, errsz, "%s: R11.1: thiếu mức độ sự cố [severity.%s] với name_vi, name_en, "
					"definition_vi (missing severity %s)", src, severity_ids[s], severity_ids[s]);
			return ATTT_E_POLICY;
		}
		if (s >= ATTT_SEVERITY_HIGH && !sv->escalate) {
			attt_str_printf(err, errsz, "%s: R11.3: [severity.%s] escalate phải là true: sự cố mức Cao và Khẩn cấp "
					"phải báo cáo ngay (high and emergency incidents must be reported at once)", src,
					severity_ids[s]);
			return ATTT_E_POLICY;
		}
	}
	if (v->password_warn_days >= v->password_max_age_days) {
		attt_str_printf(err, errsz, "%s: R6.1.đ: password.warn_days phải nhỏ hơn password.max_age_days "
				"(warn_days must be less than max_age_days)", src);
		return ATTT_E_POLICY;
	}
	if (v->session_absolute_s < v->session_idle_s) {
		attt_str_printf(err, errsz, "%s: R6.1.c: session.absolute_s không được nhỏ hơn session.idle_s "
				"(absolute_s must not be less than idle_s)", src);
		return ATTT_E_POLICY;
	}
	for (size_t i = 0; i < v->n_bodies; i++)
		if (!pol->bodies[i].name_vi || !pol->bodies[i].name_vi[0]) {
			attt_str_printf(err, errsz, "%s: [body.%s] thiếu name_vi (missing name_vi)", src, pol->bodies[i].id);
			return ATTT_E_PARSE;
		}
	for (size_t i = 0; i < v->n_forms; i++)
		if (!pol->forms[i].code || !pol->forms[i].code[0] || !pol->forms[i].title_vi ||
		    !pol->forms[i].title_vi[0]) {
			attt_str_printf(err, errsz, "%s: [form.%s] thiếu code hoặc title_vi (missing code or title_vi)", src,
					pol->forms[i].id);
			return ATTT_E_PARSE;
		}
	if ((r = list_ids_known(pol, &v->recipients_incident_notice, "recipients.incident_notice", "R11.2", src, err,
				errsz)) < 0 ||
	    (r = list_ids_known(pol, &v->recipients_initial_report, "recipients.initial_report", "R11.2", src, err,
				errsz)) < 0 ||
	    (r = list_ids_known(pol, &v->recipients_closing_report, "recipients.closing_report", "R11.2", src, err,
				errsz)) < 0 ||
	    (r = list_ids_known(pol, &v->recipients_escalation, "recipients.escalation", "R11.3", src, err, errsz)) < 0 ||
	    (r = list_ids_known(pol, &v->recipients_periodic_report, "recipients.periodic_report", "R14.9", src, err,
				errsz)) < 0)
		return r;
	if (v->recipients_escalation.n == 0) {
		attt_str_printf(err, errsz, "%s: R11.3: recipients.escalation không được rỗng (must not be empty)", src);
		return ATTT_E_POLICY;
	}
	{
		const char *one[2] = { v->emergency_steering, v->response_coordinator };
		const char *names[2] = { "recipients.emergency_steering", "recipients.response_coordinator" };
		const char *rules[2] = { "R12", "R11.2" };
		for (int i = 0; i < 2; i++)
			if (body_index(pol, one[i], false) < 0) {
				attt_str_printf(err, errsz, "%s: %s: %s nhắc tới cơ quan %s chưa khai báo [body.%s] "
						"(names body %s, which no [body.%s] defines)", src, rules[i], names[i], one[i],
						one[i], one[i], one[i]);
				return ATTT_E_PARSE;
			}
	}
	form_refs[0] = v->incident_initial_report_form;
	form_refs[1] = v->incident_closing_report_form;
	form_refs[2] = v->incident_periodic_report_form;
	for (int i = 0; i < 3; i++)
		if (form_index(pol, form_refs[i], false) < 0) {
			attt_str_printf(err, errsz, "%s: R11.2: mẫu %s chưa khai báo [form.%s] (form %s is not defined)", src,
					form_refs[i], form_refs[i], form_refs[i]);
			return ATTT_E_PARSE;
		}
	return ATTT_OK;
}

/* ------------------------------------------------------------------------------------------ */
/* JSON and hash                                                                               */

static json_t *row_value(const void *base, const struct prow *row)
{
	const char *p = (const char *)base + row->off;
	switch (row->type) {
	case P_INT:
		return json_integer((json_int_t) * (const int64_t *)(const void *)p);
	case P_BOOL:
		return json_boolean(*(const bool *)(const void *)p);
	case P_STR:
		return json_string(*(const char *const *)(const void *)p);
	case P_LIST: {
		const struct attt_policy_list *l = (const void *)p;
		json_t *a = json_array();
		for (size_t i = 0; a && i < l->n; i++)
			if (json_array_append_new(a, json_string(l->items[i])) < 0) {
				json_decref(a);
				return NULL;
			}
		return a;
	}
	}
	return NULL;
}

/* {"key": value, ...} of rows over base. */
static json_t *rows_object(const void *base, const struct prow *rows, size_t n, const char *id)
{
	json_t *o = json_object();
	if (!o)
		return NULL;
	if (id && json_object_set_new(o, "id", json_string(id)) < 0)
		goto fail;
	for (size_t i = 0; i < n; i++) {
		json_t *val = row_value(base, &rows[i]);
		if (!val || json_object_set_new(o, rows[i].key, val) < 0)
			goto fail;
	}
	return o;
fail:
	json_decref(o);
	return NULL;
}

/* The canonical values: the input of the hash and the body of the JSON export. with_meta adds the
 * rule and labels of each fixed key. */
static json_t *values_json(const struct attt_policy *pol, bool with_meta)
{
	json_t *root = json_object(), *vals = json_array(), *sevs = json_array(), *bodies = json_array(),
	       *forms = json_array();

	if (!root || !vals || !sevs || !bodies || !forms)
		goto fail;
	for (size_t i = 0; i < NFIXED; i++) {
		char key[128];
		json_t *row;
		attt_str_printf(key, sizeof(key), "%s.%s", fixed_rows[i].section, fixed_rows[i].key);
		if (with_meta)
			row = json_pack("{s:s, s:o?, s:s, s:s, s:s}", "key", key, "value", row_value(&pol->v, &fixed_rows[i]),
					"rule", fixed_rows[i].rule, "vi", fixed_rows[i].vi, "en", fixed_rows[i].en);
		else
			row = json_pack("{s:s, s:o?}", "key", key, "value", row_value(&pol->v, &fixed_rows[i]));
		if (!row || json_array_append_new(vals, row) < 0)
			goto fail;
	}
	for (int s = 0; s < ATTT_SEVERITY_COUNT; s++) {
		json_t *o = rows_object(&pol->v.severities[s], sev_rows, NSEV, severity_ids[s]);
		if (!o || json_object_set_new(o, "rank", json_integer(s)) < 0 || json_array_append_new(sevs, o) < 0) {
			json_decref(o);
			goto fail;
		}
	}
	for (size_t i = 0; i < pol->v.n_bodies; i++)
		if (json_array_append_new(bodies, rows_object(&pol->bodies[i], body_rows, NBODY, pol->bodies[i].id)) < 0)
			goto fail;
	for (size_t i = 0; i < pol->v.n_forms; i++)
		if (json_array_append_new(forms, rows_object(&pol->forms[i], form_rows, NFORM, pol->forms[i].id)) < 0)
			goto fail;
	if (json_object_set_new(root, "values", vals) < 0) {
		vals = NULL;
		goto fail;
	}
	vals = NULL;
	if (json_object_set_new(root, "severities", sevs) < 0) {
		sevs = NULL;
		goto fail;
	}
	sevs = NULL;
	if (json_object_set_new(root, "bodies", bodies) < 0) {
		bodies = NULL;
		goto fail;
	}
	bodies = NULL;
	if (json_object_set_new(root, "forms", forms) < 0) {
		forms = NULL;
		goto fail;
	}
	return root;
fail:
	json_decref(vals);
	json_decref(sevs);
	json_decref(bodies);
	json_decref(forms);
	json_decref(root);
	return NULL;
}

static int sort_by_id(const void *a, const void *b, size_t off)
{
	return strcmp(*(const char *const *)(const void *)((const char *)a + off),
		      *(const char *const *)(const void *)((const char *)b + off));
}

static int cmp_body(const void *a, const void *b)
{
	return sort_by_id(a, b, offsetof(struct attt_policy_body, id));
}

static int cmp_form(const void *a, const void *b)
{
	return sort_by_id(a, b, offsetof(struct attt_policy_form, id));
}

static int compute_hash(struct attt_policy *pol)
{
	unsigned char h[crypto_hash_sha256_BYTES];
	json_t *j = values_json(pol, false);
	char *s;

	if (!j)
		return ATTT_E_NOMEM;
	s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
	json_decref(j);
	if (!s)
		return ATTT_E_NOMEM;
	crypto_hash_sha256(h, (const unsigned char *)s, strlen(s));
	free(s);
	sodium_bin2hex(pol->hash, sizeof(pol->hash), h, sizeof(h));
	return ATTT_OK;
}

/* ------------------------------------------------------------------------------------------ */
/* Public API                                                                                  */

static int finish(struct pctx *c, const char *src, const char *source, struct attt_policy **ret, char *err,
		  size_t errsz)
{
	struct attt_policy *pol = c->pol;
	int r;

	r = check_all(c, src, err, errsz);
	if (r < 0)
		return r;
	/* Bodies and forms in id order, so the hash and the export do not depend on file order. */
	qsort(pol->bodies, pol->v.n_bodies, sizeof(pol->bodies[0]), cmp_body);
	qsort(pol->forms, pol->v.n_forms, sizeof(pol->forms[0]), cmp_form);
	r = fill_empty(&pol->v, fixed_rows, NFIXED);
	for (int s = 0; r == ATTT_OK && s < ATTT_SEVERITY_COUNT; s++) {
		pol->v.severities[s].id = severity_ids[s];
		r = fill_empty(&pol->v.severities[s], sev_rows, NSEV);
	}
	for (size_t i = 0; r == ATTT_OK && i < pol->v.n_bodies; i++)
		r = fill_empty(&pol->bodies[i], body_rows, NBODY);
	for (size_t i = 0; r == ATTT_OK && i < pol->v.n_forms; i++)
		r = fill_empty(&pol->forms[i], form_rows, NFORM);
	if (r == ATTT_OK)
		r = compute_hash(pol);
	if (r == ATTT_OK && !(pol->source = strdup(source)))
		r = ATTT_E_NOMEM;
	if (r < 0) {
		attt_str_printf(err, errsz, "%s: %s (%s)", src, attt_strerror_vi(r), attt_strerror(r));
		return r;
	}
	*ret = pol;
	c->pol = NULL;
	return ATTT_OK;
}

static int policy_new(struct pctx *c)
{
	memset(c, 0, sizeof(*c));
	c->pol = calloc(1, sizeof(*c->pol));
	if (!c->pol)
		return ATTT_E_NOMEM;
	c->pol->v.bodies = c->pol->bodies;
	c->pol->v.forms = c->pol->forms;
	return ATTT_OK;
}

int attt_policy_load_named(const char *name_or_path, struct attt_policy **ret, char *err, size_t errsz)
{
	struct pctx c;
	char dummy[1], source[ATTT_MAX_PATH + 16];
	const char *ref = name_or_path && name_or_path[0] ? name_or_path : ATTT_POLICY_DEFAULT;
	int r;

	if (!err || !errsz) {
		err = dummy;
		errsz = sizeof(dummy);
	}
	err[0] = '\0';
	r = policy_new(&c);
	if (r < 0) {
		attt_str_printf(err, errsz, "%s: hết bộ nhớ (out of memory)", ref);
		return r;
	}
	r = load_ref(&c, ref, NULL, false, NULL, 0, err, errsz);
	if (r == ATTT_OK) {
		if (is_path(ref))
			attt_str_printf(source, sizeof(source), "%s", ref);
		else
			attt_str_printf(source, sizeof(source), "embedded:%s", ref);
		r = finish(&c, ref, source, ret, err, errsz);
	}
	attt_policy_free(c.pol);
	return r;
}

int attt_policy_load_string(const char *text, size_t len, const char *name, struct attt_policy **ret, char *err,
			    size_t errsz)
{
	struct pctx c;
	char dummy[1];
	int r;

	if (!name)
		name = "<memory>";
	if (!err || !errsz) {
		err = dummy;
		errsz = sizeof(dummy);
	}
	err[0] = '\0';
	r = policy_new(&c);
	if (r < 0) {
		attt_str_printf(err, errsz, "%s: hết bộ nhớ (out of memory)", name);
		return r;
	}
	r = apply_text(&c, text, len, name, name, NULL, true, NULL, 0, err, errsz);
	if (r == ATTT_OK)
		r = finish(&c, name, name, ret, err, errsz);
	attt_policy_free(c.pol);
	return r;
}

const char *attt_policy_name(const struct attt_policy *pol)
{
	return pol->v.name;
}

const char *attt_policy_source(const struct attt_policy *pol)
{
	return pol->source;
}

const struct attt_policy_values *attt_policy_values(const struct attt_policy *pol)
{
	return &pol->v;
}

const char *attt_policy_hash(const struct attt_policy *pol)
{
	return pol->hash;
}

const struct attt_policy_body *attt_policy_body(const struct attt_policy *pol, const char *id)
{
	for (size_t i = 0; id && i < pol->v.n_bodies; i++)
		if (strcmp(pol->bodies[i].id, id) == 0)
			return &pol->bodies[i];
	return NULL;
}

const struct attt_policy_form *attt_policy_form(const struct attt_policy *pol, const char *id)
{
	for (size_t i = 0; id && i < pol->v.n_forms; i++)
		if (strcmp(pol->forms[i].id, id) == 0)
			return &pol->forms[i];
	return NULL;
}

int attt_policy_severity_parse(const char *id, enum attt_severity *ret)
{
	int s = id ? severity_index(id) : -1;
	if (s < 0)
		return ATTT_E_INVAL;
	*ret = (enum attt_severity)s;
	return ATTT_OK;
}

int attt_policy_to_json(const struct attt_policy *pol, json_t **ret)
{
	json_t *j = values_json(pol, true);
	if (!j)
		return ATTT_E_NOMEM;
	if (json_object_set_new(j, "name", json_string(pol->v.name)) < 0 ||
	    json_object_set_new(j, "source", json_string(pol->source)) < 0 ||
	    json_object_set_new(j, "hash", json_string(pol->hash)) < 0) {
		json_decref(j);
		return ATTT_E_NOMEM;
	}
	*ret = j;
	return ATTT_OK;
}
