/*
 * test_policy.c: policy profiles (src/lib/policy): both shipped profiles load with the values the
 * regulation sets; every bound the regulation draws is refused outside and accepted inside with a
 * message naming the rule; layering, cycles and depth; the hash is stable across comments, order
 * and layering and changes with a value; the JSON export.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "attt/config.h"
#include "attt/err.h"
#include "attt/policy.h"

#define HEAD "[profile]\nbase = thai-nguyen-10-2020\nname = t\n" /* lines 1-3; the body starts at line 4 */

static int load_overlay(const char *body, struct attt_policy **ret, char *err, size_t errsz)
{
	char text[4096];
	snprintf(text, sizeof(text), HEAD "%s", body);
	return attt_policy_load_string(text, strlen(text), "t.ini", ret, err, errsz);
}

/* The shipped default profile's text, from the source tree. */
static char *read_profile(const char *name, size_t *ret_len)
{
	const char *src = getenv("ATTT_SOURCE_DIR");
	char path[1024], *text = NULL;
	size_t len = 0;
	snprintf(path, sizeof(path), "%s/profiles/%s.ini", src ? src : "../../..", name);
	if (attt_config_read_file(path, &text, &len) < 0)
		fail_msg("cannot read %s (set ATTT_SOURCE_DIR)", path);
	*ret_len = len;
	return text;
}

/* R6.1.đ, R6.1.c, R6.1.e, R6.2.b, R10.1.b, R11.1, R11.2: the default profile holds the regulation's numbers. */
static void test_policy_load__thai_nguyen(void **state)
{
	struct attt_policy *pol = NULL;
	const struct attt_policy_values *v;
	char err[512];
	(void)state;
	assert_int_equal(attt_policy_load_named(NULL, &pol, err, sizeof(err)), ATTT_OK);
	assert_string_equal(attt_policy_name(pol), "thai-nguyen-10-2020");
	assert_string_equal(attt_policy_source(pol), "embedded:thai-nguyen-10-2020");
	v = attt_policy_values(pol);
	assert_int_equal(v->password_min_length, 8);
	assert_true(v->password_require_lower && v->password_require_upper && v->password_require_digit_or_special);
	assert_string_equal(v->password_special_chars, "!@#$%");
	assert_int_equal(v->password_max_age_days, 90);
	assert_int_equal(v->password_warn_days, 14);
	assert_true(v->password_change_on_first_login);
	assert_int_equal(v->lockout_threshold, 5);
	assert_true(v->lockout_duration_s > 0);
	assert_int_equal(v->session_idle_s, 600);
	assert_int_equal(v->account_review_interval_days, 90);
	assert_int_equal(v->backup_max_interval_days, 31);
	assert_int_equal(v->audit_checkpoint_interval_s, 60);
	assert_int_equal(v->audit_checkpoint_events, 1000);
	assert_int_equal(v->incident_notice_deadline_h, 120);
	assert_int_equal(v->incident_closing_report_deadline_h, 120);
	assert_int_equal(v->incident_serious_first_notice_h, 0);
	assert_true(v->incident_initial_report_immediate);
	assert_string_equal(v->severities[ATTT_SEVERITY_LOW].name_vi, "Thấp");
	assert_string_equal(v->severities[ATTT_SEVERITY_MEDIUM].name_vi, "Trung bình");
	assert_string_equal(v->severities[ATTT_SEVERITY_HIGH].name_vi, "Cao");
	assert_string_equal(v->severities[ATTT_SEVERITY_EMERGENCY].name_vi, "Khẩn cấp");
	assert_string_equal(v->severities[ATTT_SEVERITY_EMERGENCY].id, "emergency");
	assert_false(v->severities[ATTT_SEVERITY_MEDIUM].escalate);
	assert_true(v->severities[ATTT_SEVERITY_HIGH].escalate);
	assert_string_equal(attt_policy_body(pol, "authority")->name_vi, "Sở Thông tin và Truyền thông tỉnh Thái Nguyên");
	assert_non_null(strstr(attt_policy_body(pol, "response_team")->name_vi, "Trung tâm Công nghệ thông tin"));
	assert_non_null(strstr(attt_policy_body(pol, "steering")->name_vi, "Ban chỉ đạo"));
	assert_string_equal(attt_policy_form(pol, v->incident_initial_report_form)->code, "Mẫu số 03");
	assert_string_equal(attt_policy_form(pol, "mau03")->title_vi, "BÁO CÁO BAN ĐẦU SỰ CỐ MẠNG");
	assert_string_equal(attt_policy_form(pol, "mau04")->title_vi, "BÁO CÁO KẾT THÚC ỨNG PHÓ SỰ CỐ");
	assert_non_null(attt_policy_form(pol, "mau05"));
	assert_null(attt_policy_form(pol, "mau99"));
	assert_null(attt_policy_body(pol, "nobody"));
	assert_int_equal(v->recipients_escalation.n, 2);
	assert_string_equal(v->recipients_escalation.items[0], "superior");
	assert_string_equal(v->recipients_escalation.items[1], "authority");
	assert_null(v->recipients_escalation.items[2]);
	assert_int_equal(strlen(attt_policy_hash(pol)), 64);
	attt_policy_free(pol);
	attt_policy_free(NULL);
}

/* R11.2, R11.3: the 2026 profile layers the national recipients and deadlines on the default. */
static void test_policy_load__national_2026(void **state)
{
	struct attt_policy *pol = NULL, *base = NULL;
	const struct attt_policy_values *v;
	char err[512];
	(void)state;
	assert_int_equal(attt_policy_load_named("national-2026", &pol, err, sizeof(err)), ATTT_OK);
	assert_int_equal(attt_policy_load_named("thai-nguyen-10-2020", &base, err, sizeof(err)), ATTT_OK);
	v = attt_policy_values(pol);
	assert_string_equal(attt_policy_name(pol), "national-2026");
	assert_int_equal(v->incident_serious_first_notice_h, 24);
	assert_int_equal(v->incident_report_deadline_h, 72);
	assert_true(v->incident_immediate_national_security);
	assert_string_equal(attt_policy_body(pol, "authority")->name_vi, "Công an tỉnh Thái Nguyên");
	assert_non_null(strstr(attt_policy_body(pol, "national_coordinator")->name_vi, "A05"));
	assert_string_equal(attt_policy_body(pol, "ministry")->name_vi, "Bộ Công an");
	assert_int_equal(v->recipients_escalation.n, 3);
	/* Inherited from the base. */
	assert_int_equal(v->lockout_threshold, 5);
	assert_int_equal(v->password_min_length, 8);
	assert_string_equal(v->severities[ATTT_SEVERITY_HIGH].name_vi, "Cao");
	assert_string_equal(attt_policy_body(pol, "steering")->name_vi, attt_policy_body(base, "steering")->name_vi);
	assert_string_not_equal(attt_policy_hash(pol), attt_policy_hash(base));
	attt_policy_free(pol);
	attt_policy_free(base);
}

struct bound_case {
	const char *body; /* after HEAD */
	int err;          /* ATTT_OK or the error */
	const char *msg;  /* exact message on error */
};

#define R62B "t.ini:5: R6.2.b: ngưỡng khóa phải từ 3 đến 5 (lockout threshold must be 3 to 5)"
#define R61D_LEN "t.ini:5: R6.1.đ: mật khẩu phải dài tối thiểu 8 ký tự (tối đa 128) (passwords must be at least 8 " \
		 "characters (at most 128))"
#define R61D_AGE "t.ini:5: R6.1.đ: mật khẩu phải đổi ít nhất 03 tháng/lần: tối đa 90 ngày (passwords must change " \
		 "at least every 3 months: at most 90 days)"
#define R61C "t.ini:5: R6.1.c: phiên phải khóa sau tối đa 10 phút không sử dụng: 60 đến 600 giây (sessions must " \
	     "lock after at most 10 idle minutes: 60 to 600 seconds)"
#define R61E "t.ini:5: R6.1.e: phải rà soát tài khoản tối thiểu 03 tháng/lần: tối đa 90 ngày (accounts must be " \
	     "reviewed at least every 3 months: at most 90 days)"
#define R101B "t.ini:5: R10.1.b: phải sao lưu ít nhất một lần trong tháng: tối đa 31 ngày (backups must run at " \
	      "least once a month: at most 31 days)"

/* Every bound the regulation draws, on both sides, each naming its rule. */
static const struct bound_case bound_cases[] = {
	/* R6.2.b: lock after 3 to 5 consecutive failures */
	{ "[lockout]\nthreshold = 2\n", ATTT_E_POLICY, R62B },
	{ "[lockout]\nthreshold = 3\n", ATTT_OK, NULL },
	{ "[lockout]\nthreshold = 4\n", ATTT_OK, NULL },
	{ "[lockout]\nthreshold = 5\n", ATTT_OK, NULL },
	{ "[lockout]\nthreshold = 6\n", ATTT_E_POLICY, R62B },
	{ "[lockout]\nthreshold = 7\n", ATTT_E_POLICY, R62B },
	{ "[lockout]\nthreshold = 0\n", ATTT_E_POLICY, R62B },
	{ "[lockout]\nduration_s = 0\n", ATTT_E_POLICY,
	  "t.ini:5: R6.2.b: thời gian khóa phải từ 60 đến 86400 giây (lockout duration must be 60 to 86400 seconds)" },
	/* R6.1.đ: at least 8 characters, changed at least every 3 months, three classes */
	{ "[password]\nmin_length = 7\n", ATTT_E_POLICY, R61D_LEN },
	{ "[password]\nmin_length = 8\n", ATTT_OK, NULL },
	{ "[password]\nmin_length = 12\n", ATTT_OK, NULL },
	{ "[password]\nmax_age_days = 91\n", ATTT_E_POLICY, R61D_AGE },
	{ "[password]\nmax_age_days = 90\n", ATTT_OK, NULL },
	{ "[password]\nmax_age_days = 60\n", ATTT_OK, NULL },
	{ "[password]\nmax_age_days = 0\n", ATTT_E_POLICY, R61D_AGE },
	{ "[password]\nrequire_upper = false\n", ATTT_E_POLICY,
	  "t.ini:5: R6.1.đ: mật khẩu phải có ký tự hoa (passwords must contain an upper-case letter)" },
	{ "[password]\nrequire_lower = no\n", ATTT_E_POLICY,
	  "t.ini:5: R6.1.đ: mật khẩu phải có ký tự thường (passwords must contain a lower-case letter)" },
	{ "[password]\nrequire_digit_or_special = 0\n", ATTT_E_POLICY,
	  "t.ini:5: R6.1.đ: mật khẩu phải có ký tự số hoặc ký tự đặc biệt (passwords must contain a digit or a special "
	  "character)" },
	{ "[password]\nspecial_chars = !@#$\n", ATTT_E_POLICY,
	  "t.ini:5: R6.1.đ: tập ký tự đặc biệt phải gồm !, @, #, $, % (the special characters must include !, @, #, $, %)" },
	{ "[password]\nspecial_chars = !@#$%^&*\n", ATTT_OK, NULL },
	{ "[password]\nwarn_days = 90\n", ATTT_E_POLICY,
	  "t.ini:5: R6.1.đ: số ngày báo trước phải từ 0 đến 89 (warning days must be 0 to 89)" },
	{ "[password]\nmax_age_days = 30\nwarn_days = 30\n", ATTT_E_POLICY,
	  "t.ini: R6.1.đ: password.warn_days phải nhỏ hơn password.max_age_days (warn_days must be less than "
	  "max_age_days)" },
	/* R6.1.a: an issued password is changed at once */
	{ "[password]\nchange_on_first_login = false\n", ATTT_E_POLICY,
	  "t.ini:5: R6.1.a: phải đổi ngay mật khẩu khi mới được cấp (an issued password must be changed at once)" },
	/* R6.1.c: 10 idle minutes */
	{ "[session]\nidle_s = 601\n", ATTT_E_POLICY, R61C },
	{ "[session]\nidle_s = 600\n", ATTT_OK, NULL },
	{ "[session]\nidle_s = 300\n", ATTT_OK, NULL },
	{ "[session]\nidle_s = 3600\n", ATTT_E_POLICY, R61C },
	/* R6.1.e: review every 3 months */
	{ "[accounts]\nreview_interval_days = 91\n", ATTT_E_POLICY, R61E },
	{ "[accounts]\nreview_interval_days = 90\n", ATTT_OK, NULL },
	{ "[accounts]\nreview_interval_days = 30\n", ATTT_OK, NULL },
	{ "[accounts]\nmfa_roles = admin, wizard\n", ATTT_E_PARSE,
	  "t.ini:5: vai trò không có: wizard (unknown role; known: staff, security_officer, agency_head, authority, "
	  "response_team, steering, auditor, admin)" },
	/* R10.1.b: back up at least once a month */
	{ "[backup]\nmax_interval_days = 32\n", ATTT_E_POLICY, R101B },
	{ "[backup]\nmax_interval_days = 31\n", ATTT_OK, NULL },
	{ "[backup]\nmax_interval_days = 7\n", ATTT_OK, NULL },
	/* R7.1: checkpoints at least every minute and thousand events */
	{ "[audit]\ncheckpoint_interval_s = 61\n", ATTT_E_POLICY,
	  "t.ini:5: R7.1: điểm kiểm tra nhật ký phải lập ít nhất mỗi phút: 1 đến 60 giây (audit checkpoints must be "
	  "made at least every minute: 1 to 60 seconds)" },
	{ "[audit]\ncheckpoint_events = 1001\n", ATTT_E_POLICY,
	  "t.ini:5: R7.1: điểm kiểm tra nhật ký phải lập ít nhất mỗi 1000 sự kiện (audit checkpoints must be made at "
	  "least every 1000 events)" },
	/* R7.3: logs watched regularly */
	{ "[audit]\nlog_review_interval_days = 32\n", ATTT_E_POLICY,
	  "t.ini:5: R7.3: nhật ký phải được theo dõi thường xuyên: 1 đến 31 ngày (logs must be watched regularly: 1 to "
	  "31 days)" },
	/* R11.2: notice and closing report within 5 days (TT 20/2017 Đ9.2) */
	{ "[incident]\nnotice_deadline_h = 121\n", ATTT_E_POLICY,
	  "t.ini:5: R11.2: thông báo sự cố phải gửi trong vòng 05 ngày: 1 đến 120 giờ (the incident notice is due "
	  "within 5 days: 1 to 120 hours)" },
	{ "[incident]\nclosing_report_deadline_h = 200\n", ATTT_E_POLICY,
	  "t.ini:5: R11.2: báo cáo kết thúc phải gửi trong vòng 05 ngày: 1 đến 120 giờ (the closing report is due within "
	  "5 days: 1 to 120 hours)" },
	{ "[incident]\ninitial_report_form = mau99\n", ATTT_E_PARSE,
	  "t.ini: R11.2: mẫu mau99 chưa khai báo [form.mau99] (form mau99 is not defined)" },
	/* R11.3: high and emergency are reported at once */
	{ "[severity.high]\nescalate = false\n", ATTT_E_POLICY,
	  "t.ini:5: R11.3: sự cố mức Cao và Khẩn cấp phải báo cáo ngay cấp trên và cơ quan quản lý (high and emergency "
	  "incidents must be reported at once)" },
	{ "[severity.low]\nescalate = true\n", ATTT_OK, NULL },
	{ "[recipients]\nescalation = superior, nobody\n", ATTT_E_PARSE,
	  "t.ini: R11.3: recipients.escalation nhắc tới cơ quan nobody chưa khai báo [body.nobody] (names body nobody, "
	  "which no [body.nobody] defines)" },
	{ "[recipients]\nescalation = \n", ATTT_E_POLICY,
	  "t.ini: R11.3: recipients.escalation không được rỗng (must not be empty)" },
	/* R11.1: exactly the four severities */
	{ "[severity.critical]\nname_vi = Nghiêm trọng\n", ATTT_E_PARSE,
	  "t.ini:4: R11.1: mức độ sự cố không có: [severity.critical], chỉ có low, medium, high, emergency (unknown "
	  "severity; only low, medium, high, emergency)" },
	{ "[severity.low]\nname_vi = \n", ATTT_E_POLICY,
	  "t.ini: R11.1: thiếu mức độ sự cố [severity.low] với name_vi, name_en, definition_vi (missing severity low)" },
	/* A new body and its use. */
	{ "[body.inspector]\nname_vi = Thanh tra tỉnh\n[recipients]\nperiodic_report = inspector, province\n", ATTT_OK, NULL },
	{ "[body.inspector]\nname_en = Provincial inspectorate\n", ATTT_E_PARSE,
	  "t.ini: [body.inspector] thiếu name_vi (missing name_vi)" },
	/* Syntax, unknown names, duplicates. */
	{ "[lockout]\nthresold = 5\n", ATTT_E_PARSE, "t.ini:5: khóa không có: lockout.thresold (unknown key)" },
	{ "[lockouts]\nthreshold = 5\n", ATTT_E_PARSE, "t.ini:4: mục không có: [lockouts] (unknown section)" },
	{ "[Body.x]\nname_vi = x\n", ATTT_E_PARSE, "t.ini:4: mục không có: [Body.x] (unknown section)" },
	{ "[lockout]\nthreshold = 4\nthreshold = 5\n", ATTT_E_PARSE,
	  "t.ini:6: khóa lockout.threshold đã đặt ở dòng 5 (key already set at line 5)" },
	{ "[lockout]\nthreshold = five\n", ATTT_E_PARSE, "t.ini:5: lockout.threshold: cần một số nguyên (integer expected)" },
	{ "[password]\nrequire_upper = sometimes\n", ATTT_E_PARSE,
	  "t.ini:5: password.require_upper: cần true hoặc false (true or false expected)" },
	{ "[lockout]\nthreshold\n", ATTT_E_PARSE,
	  "t.ini:5: dòng không hợp lệ, cần [mục] hoặc khóa = giá trị (invalid line, expected [section] or key = value)" },
	{ "[profile]\nbase = national-2026\n", ATTT_E_PARSE, "t.ini:5: khóa profile.base đã đặt ở dòng 2 (key already set at line 2)" },
};

static void test_policy_load__regulation_bounds(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bound_cases) / sizeof(bound_cases[0]); i++) {
		struct attt_policy *pol = NULL;
		char err[1024] = "";
		int r = load_overlay(bound_cases[i].body, &pol, err, sizeof(err));
		if (r != bound_cases[i].err || (bound_cases[i].msg && strcmp(err, bound_cases[i].msg) != 0))
			fail_msg("case %zu (%s): got %d \"%s\", want %d \"%s\"", i, bound_cases[i].body, r, err,
				 bound_cases[i].err, bound_cases[i].msg ? bound_cases[i].msg : "");
		if (r == ATTT_OK) {
			assert_non_null(pol);
			attt_policy_free(pol);
		} else {
			assert_null(pol);
		}
	}
}

/* R6.2.b: the accepted thresholds reach the values. */
static void test_policy_load__threshold_value(void **state)
{
	struct attt_policy *pol = NULL;
	char err[512];
	(void)state;
	assert_int_equal(load_overlay("[lockout]\nthreshold = 3\n", &pol, err, sizeof(err)), ATTT_OK);
	assert_int_equal(attt_policy_values(pol)->lockout_threshold, 3);
	attt_policy_free(pol);
}

/* R11.1: a profile without one of the four severities is refused. */
static void test_policy_load__missing_severity(void **state)
{
	size_t len;
	char *text = read_profile("thai-nguyen-10-2020", &len), err[512];
	char *start = strstr(text, "[severity.high]"), *end = strstr(text, "[severity.emergency]");
	struct attt_policy *pol = NULL;
	(void)state;
	assert_non_null(start);
	assert_non_null(end);
	memmove(start, end, strlen(end) + 1);
	assert_int_equal(attt_policy_load_string(text, strlen(text), "x.ini", &pol, err, sizeof(err)), ATTT_E_POLICY);
	assert_string_equal(err, "x.ini: R11.1: thiếu mức độ sự cố [severity.high] với name_vi, name_en, definition_vi "
				 "(missing severity high)");
	assert_null(pol);
	free(text);
}

/* A profile without a base must set every key; the message names the key and its rule. */
static void test_policy_load__missing_key(void **state)
{
	size_t len;
	char *text = read_profile("thai-nguyen-10-2020", &len), err[512], *line;
	struct attt_policy *pol = NULL;
	(void)state;
	line = strstr(text, "\nthreshold = 5\n");
	assert_non_null(line);
	memcpy(line + 1, ";", 1);
	assert_int_equal(attt_policy_load_string(text, strlen(text), "x.ini", &pol, err, sizeof(err)), ATTT_E_POLICY);
	assert_string_equal(err, "x.ini: R6.2.b: thiếu khóa lockout.threshold (missing key lockout.threshold)");
	assert_null(pol);
	free(text);
}

/* The hash depends on the values only: comments, spacing, key order and layering do not change it. */
static void test_policy_hash__stable(void **state)
{
	size_t len;
	char *text = read_profile("thai-nguyen-10-2020", &len), err[512], *noisy, hash[65];
	size_t n;
	struct attt_policy *pol = NULL, *pol2 = NULL;
	(void)state;

	assert_int_equal(attt_policy_load_named("thai-nguyen-10-2020", &pol, err, sizeof(err)), ATTT_OK);
	memcpy(hash, attt_policy_hash(pol), sizeof(hash));
	attt_policy_free(pol);

	/* The same text with extra comments, blank lines, indentation and CRLF. */
	noisy = calloc(1, len * 6 + 64);
	assert_non_null(noisy);
	n = (size_t)snprintf(noisy, 64, "; a comment first\r\n\r\n");
	for (const char *p = text; *p; p++) {
		if (*p == '\n') {
			memcpy(noisy + n, "   \r\n", 5);
			n += 5;
			continue;
		}
		noisy[n++] = *p;
	}
	noisy[n] = '\0';
	assert_int_equal(attt_policy_load_string(noisy, strlen(noisy), "noisy.ini", &pol, err, sizeof(err)), ATTT_OK);
	assert_string_equal(attt_policy_hash(pol), hash);
	attt_policy_free(pol);
	free(noisy);

	/* A profile that layers nothing over the default but its own name has the default's hash. */
	static const char same[] = "[profile]\nbase = thai-nguyen-10-2020\nname = thai-nguyen-10-2020\n";
	assert_int_equal(attt_policy_load_string(same, sizeof(same) - 1, "same.ini", &pol, err, sizeof(err)), ATTT_OK);
	assert_string_equal(attt_policy_hash(pol), hash);

	/* Bodies declared in another order: same hash. */
	static const char reorder[] = "[profile]\nbase = thai-nguyen-10-2020\nname = thai-nguyen-10-2020\n"
				      "[body.province]\nshort_vi = UBND tỉnh\n[body.authority]\nshort_vi = Sở TT&TT\n";
	assert_int_equal(attt_policy_load_string(reorder, sizeof(reorder) - 1, "r.ini", &pol2, err, sizeof(err)), ATTT_OK);
	assert_string_equal(attt_policy_hash(pol2), hash);
	attt_policy_free(pol2);

	/* One value changed: another hash. */
	assert_int_equal(load_overlay("[lockout]\nthreshold = 4\n", &pol2, err, sizeof(err)), ATTT_OK);
	assert_string_not_equal(attt_policy_hash(pol2), attt_policy_hash(pol));
	attt_policy_free(pol2);
	attt_policy_free(pol);
	free(text);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "we");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* Layering from files: relative bases, cycles, depth. */
static void test_policy_load__layering_files(void **state)
{
	char dir[] = "/tmp/attt-test-policy-XXXXXX", p[6][256], text[512], err[1024];
	struct attt_policy *pol = NULL;
	(void)state;
	assert_non_null(mkdtemp(dir));
	for (int i = 0; i < 6; i++)
		snprintf(p[i], sizeof(p[i]), "%s/p%d.ini", dir, i);

	/* p0 -> p1 -> p2 -> embedded: 4 profiles, the limit. */
	write_file(p[2], "[profile]\nbase = thai-nguyen-10-2020\nname = p2\n[lockout]\nthreshold = 3\n");
	write_file(p[1], "[profile]\nbase = p2.ini\nname = p1\n[session]\nidle_s = 300\n");
	write_file(p[0], "[profile]\nname = p0\nbase = ./p1.ini\n[lockout]\nthreshold = 4\n");
	assert_int_equal(attt_policy_load_named(p[0], &pol, err, sizeof(err)), ATTT_OK);
	assert_string_equal(attt_policy_name(pol), "p0");
	assert_string_equal(attt_policy_source(pol), p[0]);
	assert_int_equal(attt_policy_values(pol)->lockout_threshold, 4); /* the top wins */
	assert_int_equal(attt_policy_values(pol)->session_idle_s, 300);  /* from p1 */
	assert_int_equal(attt_policy_values(pol)->password_min_length, 8); /* from the embedded base */
	attt_policy_free(pol);
	pol = NULL;

	/* One more level is refused, naming the line that asked for it. */
	write_file(p[3], "[profile]\nname = p3\nbase = p0.ini\n");
	assert_int_equal(attt_policy_load_named(p[3], &pol, err, sizeof(err)), ATTT_E_PARSE);
	/* p0 names its base "./p1.ini", so the chain's paths go through "dir/./". */
	snprintf(text, sizeof(text), "%s/./p2.ini:2: chuỗi base sâu quá 4 tầng (base chain deeper than 4 profiles)", dir);
	assert_string_equal(err, text);

	/* A cycle. */
	write_file(p[4], "[profile]\nbase = p5.ini\nname = p4\n");
	write_file(p[5], "[profile]\nbase = p4.ini\nname = p5\n");
	assert_int_equal(attt_policy_load_named(p[4], &pol, err, sizeof(err)), ATTT_E_PARSE);
	assert_non_null(strstr(err, "p5.ini:2: base tạo vòng lặp qua "));
	assert_non_null(strstr(err, "(base profiles form a cycle through "));

	/* A missing base file. */
	write_file(p[4], "[profile]\nname = p4\nbase = nothere.ini\n");
	assert_int_equal(attt_policy_load_named(p[4], &pol, err, sizeof(err)), ATTT_E_NOTFOUND);
	snprintf(text, sizeof(text), "%s:3: %s/nothere.ini: Không tìm thấy (Not found)", p[4], dir);
	assert_string_equal(err, text);

	/* A violation in a base is reported at the base's line. */
	write_file(p[2], "[profile]\nbase = thai-nguyen-10-2020\nname = p2\n[lockout]\nthreshold = 7\n");
	assert_int_equal(attt_policy_load_named(p[0], &pol, err, sizeof(err)), ATTT_E_POLICY);
	snprintf(text, sizeof(text), "%s/./p2.ini:5: R6.2.b: ngưỡng khóa phải từ 3 đến 5 (lockout threshold must be 3 to 5)",
		 dir);
	assert_string_equal(err, text);
	assert_null(pol);

	for (int i = 0; i < 6; i++)
		unlink(p[i]);
	rmdir(dir);
}

static void test_policy_load__names(void **state)
{
	struct attt_policy *pol = NULL;
	char err[512];
	static const char by_path[] = "[profile]\nbase = ../x.ini\nname = t\n";
	static const char self[] = "[profile]\nbase = national-2026\nname = self\n";
	(void)state;
	assert_int_equal(attt_policy_load_named("no-such-profile", &pol, err, sizeof(err)), ATTT_E_NOTFOUND);
	assert_string_equal(err, "không có hồ sơ có sẵn tên no-such-profile (no embedded profile named no-such-profile)");
	assert_int_equal(attt_policy_load_named("/nonexistent/p.ini", &pol, err, sizeof(err)), ATTT_E_NOTFOUND);
	/* From memory, a base must be embedded. */
	assert_int_equal(attt_policy_load_string(by_path, sizeof(by_path) - 1, "m.ini", &pol, err, sizeof(err)),
			 ATTT_E_PARSE);
	assert_non_null(strstr(err, "m.ini:2: base phải là tên một hồ sơ có sẵn"));
	/* Two levels of embedded layering. */
	assert_int_equal(attt_policy_load_string(self, sizeof(self) - 1, "m.ini", &pol, err, sizeof(err)), ATTT_OK);
	assert_int_equal(attt_policy_values(pol)->incident_report_deadline_h, 72);
	attt_policy_free(pol);
	/* Every file names itself. */
	static const char unnamed[] = "[profile]\nbase = national-2026\n[lockout]\nthreshold = 4\n";
	assert_int_equal(attt_policy_load_string(unnamed, sizeof(unnamed) - 1, "u.ini", &pol, err, sizeof(err)),
			 ATTT_E_PARSE);
	assert_string_equal(err, "u.ini: thiếu [profile] name (missing [profile] name)");
	/* An embedded profile's name is its file's name. */
	for (size_t i = 0; i < attt_policy_embedded_count(); i++) {
		assert_int_equal(attt_policy_load_named(attt_policy_embedded_name(i), &pol, err, sizeof(err)), ATTT_OK);
		assert_string_equal(attt_policy_name(pol), attt_policy_embedded_name(i));
		attt_policy_free(pol);
	}
	assert_int_equal(attt_policy_embedded_count(), 2);
	assert_string_equal(attt_policy_embedded_name(0), "national-2026");
	assert_string_equal(attt_policy_embedded_name(1), "thai-nguyen-10-2020");
	assert_null(attt_policy_embedded_name(2));
}

static void test_policy_severity_parse(void **state)
{
	enum attt_severity s = ATTT_SEVERITY_LOW;
	(void)state;
	assert_int_equal(attt_policy_severity_parse("emergency", &s), ATTT_OK);
	assert_int_equal(s, ATTT_SEVERITY_EMERGENCY);
	assert_int_equal(attt_policy_severity_parse("critical", &s), ATTT_E_INVAL);
	assert_int_equal(attt_policy_severity_parse(NULL, &s), ATTT_E_INVAL);
	assert_int_equal(s, ATTT_SEVERITY_EMERGENCY);
}

/* The export carries every value with its rule, and the hash. */
static void test_policy_to_json(void **state)
{
	struct attt_policy *pol = NULL;
	json_t *j = NULL, *o;
	char err[512];
	size_t i;
	int found = 0;
	(void)state;
	assert_int_equal(attt_policy_load_named("national-2026", &pol, err, sizeof(err)), ATTT_OK);
	assert_int_equal(attt_policy_to_json(pol, &j), ATTT_OK);
	assert_string_equal(json_string_value(json_object_get(j, "name")), "national-2026");
	assert_string_equal(json_string_value(json_object_get(j, "hash")), attt_policy_hash(pol));
	assert_string_equal(json_string_value(json_object_get(j, "source")), "embedded:national-2026");
	json_array_foreach(json_object_get(j, "values"), i, o) {
		const char *key = json_string_value(json_object_get(o, "key"));
		if (strcmp(key, "lockout.threshold") == 0) {
			assert_string_equal(json_string_value(json_object_get(o, "rule")), "R6.2.b");
			assert_int_equal(json_integer_value(json_object_get(o, "value")), 5);
			found++;
		}
		if (strcmp(key, "incident.report_deadline_h") == 0) {
			assert_int_equal(json_integer_value(json_object_get(o, "value")), 72);
			found++;
		}
		assert_non_null(json_object_get(o, "vi"));
	}
	assert_int_equal(found, 2);
	assert_int_equal(json_array_size(json_object_get(j, "severities")), 4);
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(j, "severities"), 3), "name_vi")),
			    "Khẩn cấp");
	assert_true(json_array_size(json_object_get(j, "bodies")) >= 8);
	assert_int_equal(json_array_size(json_object_get(j, "forms")), 3);
	json_decref(j);
	attt_policy_free(pol);
}

static bool has_rule_id(const char *p, const char *end)
{
	for (; p + 1 < end; p++)
		if (*p == 'R' && p[1] >= '1' && p[1] <= '9')
			return true;
	return false;
}

/* Each value of a shipped profile sits under a comment naming its rule ID (a comment above the
 * key, or one above or just below its section header); [profile] is the profile's own metadata. */
static void test_policy_profiles__rule_ids(void **state)
{
	static const char *const names[] = { "thai-nguyen-10-2020", "national-2026" };
	(void)state;
	for (size_t f = 0; f < 2; f++) {
		size_t len;
		char *text = read_profile(names[f], &len);
		bool pending = false, section_rule = false, before_first_key = false, meta = false;
		int line = 0;
		for (const char *p = text; *p;) {
			const char *eol = strchr(p, '\n');
			const char *end = eol ? eol : p + strlen(p);
			line++;
			while (p < end && (*p == ' ' || *p == '\t'))
				p++;
			if (p == end || *p == '\r') {
				/* blank */
			} else if (*p == ';' || *p == '#') {
				if (has_rule_id(p, end)) {
					if (before_first_key)
						section_rule = true;
					pending = true;
				}
			} else if (*p == '[') {
				meta = strncmp(p, "[profile]", 9) == 0;
				section_rule = pending;
				pending = false;
				before_first_key = true;
			} else {
				const char *semi = memchr(p, ';', (size_t)(end - p));
				before_first_key = false;
				if (!meta && !pending && !section_rule && !(semi && has_rule_id(semi, end)))
					fail_msg("profiles/%s.ini:%d: value without a rule ID comment", names[f], line);
				pending = false;
			}
			p = eol ? eol + 1 : end;
		}
		free(text);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_policy_load__thai_nguyen),
		cmocka_unit_test(test_policy_load__national_2026),
		cmocka_unit_test(test_policy_load__regulation_bounds),
		cmocka_unit_test(test_policy_load__threshold_value),
		cmocka_unit_test(test_policy_load__missing_severity),
		cmocka_unit_test(test_policy_load__missing_key),
		cmocka_unit_test(test_policy_hash__stable),
		cmocka_unit_test(test_policy_load__layering_files),
		cmocka_unit_test(test_policy_load__names),
		cmocka_unit_test(test_policy_severity_parse),
		cmocka_unit_test(test_policy_to_json),
		cmocka_unit_test(test_policy_profiles__rule_ids),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
