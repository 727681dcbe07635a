/*
 * template.c: the Vietnamese mail templates of the platform's notifications. A template is a
 * subject and a body with {{name}} placeholders filled from a JSON object; a placeholder without a
 * value is an error rather than a blank in an official notice. The list is in docs/mail.md.
 *
 * A subject is one line of at most ATTT_NOTIFY_MAX_SUBJECT bytes, while a value (an incident's
 * title) may be as long: where a value goes into a subject it is cut to SUBJECT_VALUE_MAX bytes at a
 * character boundary and marked with "…"; the body always gets it whole.
 */
#include <string.h>

#include <jansson.h>

#include "attt/buf.h"
#include "attt/err.h"
#include "attt/limits.h"
#include "attt/log.h"
#include "attt/notify.h"
#include "attt/str.h"

#define SUBJECT_VALUE_MAX 200 /* bytes of one value in a subject; the longest prefix is under 100 */

struct tmpl {
	const char *name;
	const char *subject;
	const char *body;
};

#define SIGNATURE                                                                                        \
	"\n-- \n"                                                                                        \
	"Thư gửi tự động từ hệ thống quản lý an toàn thông tin (attt); vui lòng không trả lời thư này.\n" \
	"Automatic message from the information security platform (attt); please do not reply.\n"

static const struct tmpl templates[] = {
	/* R8.8, R18.2: an incident was reported; to the agency's security officers. */
	{ "incident.reported", "[ATTT] Sự cố mới được báo cáo: {{title}}",
	  "Kính gửi {{recipient}},\n\n"
	  "Một sự cố an toàn thông tin vừa được báo cáo trên hệ thống.\n\n"
	  "Cơ quan, đơn vị: {{agency}}\n"
	  "Sự cố: {{title}}\n"
	  "Thời điểm phát hiện: {{detected_at}}\n"
	  "Người báo cáo: {{reporter}}\n\n"
	  "Đề nghị đồng chí xem xét, phân loại mức độ và xử lý theo quy chế: {{url}}\n" SIGNATURE },
	/* R11.3: Cao / Khẩn cấp or beyond the agency's capacity: at once to the superior body and the
	 * authority, with the deadlines of the active profile. */
	{ "incident.escalated", "[ATTT][{{severity}}] Báo cáo sự cố cần xử lý ngay: {{title}}",
	  "Kính gửi {{recipient}},\n\n"
	  "Căn cứ quy chế bảo đảm an toàn thông tin mạng, {{agency}} thông báo sự cố dưới đây "
	  "(mức độ: {{severity}}; lý do: {{reason}}).\n\n"
	  "Sự cố: {{title}}\n"
	  "Thời điểm phát hiện: {{detected_at}}\n"
	  "Hệ thống bị ảnh hưởng: {{system}}\n"
	  "Hạn thông báo, báo cáo: {{deadline}}\n\n"
	  "Xem chi tiết và phối hợp xử lý: {{url}}\n" SIGNATURE },
	{ "incident.deadline_near", "[ATTT] Sắp đến hạn {{what}}: {{title}}",
	  "Kính gửi {{recipient}},\n\n"
	  "Sự cố \"{{title}}\" của {{agency}} sắp đến hạn {{what}} ({{deadline}}).\n\n"
	  "Xem chi tiết: {{url}}\n" SIGNATURE },
	{ "incident.deadline_missed", "[ATTT] Quá hạn {{what}}: {{title}}",
	  "Kính gửi {{recipient}},\n\n"
	  "Sự cố \"{{title}}\" của {{agency}} đã quá hạn {{what}} ({{deadline}}). "
	  "Đề nghị khẩn trương thực hiện và báo cáo theo quy chế.\n\n"
	  "Xem chi tiết: {{url}}\n" SIGNATURE },
	/* R11.2 step 4: a task of the response assigned to the recipient. */
	{ "incident.task_assigned", "[ATTT] Nhiệm vụ xử lý sự cố: {{task}}",
	  "Kính gửi {{recipient}},\n\n"
	  "Đồng chí được giao nhiệm vụ trong xử lý sự cố \"{{title}}\" của {{agency}}.\n\n"
	  "Nhiệm vụ: {{task}}\n"
	  "Hạn hoàn thành: {{due}}\n\n"
	  "Khi hoàn thành, đề nghị cập nhật trạng thái nhiệm vụ: {{url}}\n" SIGNATURE },
	/* R8.6: an attachment matched a signature and was quarantined; to the agency's security
	 * officers. */
	{ "incident.quarantine", "[ATTT] Phát hiện mã độc trong tệp đính kèm sự cố: {{title}}",
	  "Kính gửi {{recipient}},\n\n"
	  "Tệp đính kèm sự cố \"{{title}}\" của {{agency}} chứa mã độc và đã bị cách ly; "
	  "tệp không bao giờ được tải xuống.\n\n"
	  "Tệp: {{name}} ({{size}} byte)\n"
	  "SHA-256: {{sha256}}\n"
	  "Mẫu nhận diện: {{signature}}\n"
	  "Người tải lên: {{uploader}}\n\n"
	  "Đề nghị đồng chí kiểm tra máy của người tải lên và xử lý theo quy chế: {{url}}\n" SIGNATURE },
	/* R6.2.b: an account locked after repeated wrong passwords. */
	{ "account.locked", "[ATTT] Tài khoản {{username}} đã bị tạm khóa",
	  "Kính gửi {{recipient}},\n\n"
	  "Tài khoản {{username}} đã bị tạm khóa đến {{until}} do nhập sai mật khẩu {{failures}} lần liên tiếp.\n"
	  "Nếu không phải đồng chí thực hiện, đề nghị báo ngay cho cán bộ chuyên trách an toàn thông tin.\n" SIGNATURE },
};

/* Adds v (n bytes) to out, cut to at most cut bytes (0: whole) at a character boundary and then
 * marked with "…". */
static int add_value(struct attt_buf *out, const char *v, size_t n, size_t cut)
{
	int e;

	if (cut == 0 || n <= cut)
		return attt_buf_add(out, v, n);
	n = cut;
	while (n > 0 && ((unsigned char)v[n] & 0xC0) == 0x80)
		n--; /* never inside a UTF-8 sequence */
	if ((e = attt_buf_add(out, v, n)) < 0)
		return e;
	return attt_buf_adds(out, "…");
}

/* Expands tpl into out; string values longer than cut bytes (0: no cut) are cut. */
static int expand(const char *tpl, const json_t *vars, size_t cut, struct attt_buf *out)
{
	const char *p = tpl;
	int e;

	while (*p) {
		const char *open = strstr(p, "{{"), *close;
		char name[64];
		const json_t *v;

		if (!open)
			return attt_buf_adds(out, p);
		if ((e = attt_buf_add(out, p, (size_t)(open - p))) < 0)
			return e;
		close = strstr(open, "}}");
		if (!close || (size_t)(close - open - 2) >= sizeof(name))
			return ATTT_E_INTERNAL; /* the templates above are well formed */
		memcpy(name, open + 2, (size_t)(close - open - 2));
		name[close - open - 2] = '\0';
		v = json_object_get(vars, name);
		if (json_is_string(v) && json_string_length(v) > 0) {
			if (!attt_utf8_valid(json_string_value(v), json_string_length(v)))
				return ATTT_E_INVAL;
			e = add_value(out, json_string_value(v), json_string_length(v), cut);
		} else if (json_is_integer(v)) {
			e = attt_buf_addf(out, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		} else {
			log_debug("notify: template placeholder {{%s}} has no value", name);
			return ATTT_E_INVAL;
		}
		if (e < 0)
			return e;
		p = close + 2;
	}
	return ATTT_OK;
}

int attt_notify_template(const char *name, const json_t *vars, struct attt_buf *subject, struct attt_buf *body)
{
	const struct tmpl *t = NULL;
	struct attt_buf s, b;
	int e;

	for (size_t i = 0; name && i < sizeof(templates) / sizeof(templates[0]); i++)
		if (strcmp(templates[i].name, name) == 0)
			t = &templates[i];
	if (!t)
		return ATTT_E_NOTFOUND;
	if (!json_is_object(vars))
		return ATTT_E_INVAL;
	attt_buf_init(&s, ATTT_NOTIFY_MAX_SUBJECT);
	attt_buf_init(&b, ATTT_MAX_TEXT);
	if ((e = expand(t->subject, vars, SUBJECT_VALUE_MAX, &s)) < 0 || (e = expand(t->body, vars, 0, &b)) < 0)
		goto out;
	/* A value with a line break would split the subject: refused here, as enqueue would. */
	if (strpbrk(attt_buf_str(&s), "\r\n")) {
		e = ATTT_E_INVAL;
		goto out;
	}
	if ((e = attt_buf_add(subject, s.data, s.len)) < 0)
		goto out;
	if ((e = attt_buf_add(body, b.data, b.len)) < 0) {
		subject->len -= s.len;
		if (subject->data)
			subject->data[subject->len] = '\0';
		goto out;
	}
out:
	attt_buf_done(&s);
	attt_buf_done(&b);
	return e;
}
