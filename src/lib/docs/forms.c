/*
 * forms.c: the field tables of Mẫu số 03, 04 and 05 of Thông tư 20/2017/TT-BTTTT (Phụ lục I).
 *
 * Labels are quoted from the forms as reproduced by the national reporting portal (see
 * ../shared/regulation/national-law-notes.md, sections 1.2, 1.4 and 1.5). Where the portal loads an
 * option list from its database (current status, how it was detected, who was notified, services,
 * security measures, enclosures) the options were not recovered, so the data supplies them: a
 * checkbox field prints the options of this table first and then the data's own items.
 * R11.2: step 3 reports with Mẫu 03, step 5 closes with Mẫu 04.
 */
#include <stddef.h>
#include <string.h>

#include <jansson.h>

#include "docs-int.h"

static const char *const level_options[] = { "Cấp độ 1", "Cấp độ 2", "Cấp độ 3", "Cấp độ 4", "Cấp độ 5",
					      NULL };
static const char *const yes_no_options[] = { "Có", "Không", NULL };

#define HEAD(l) { DK_HEAD, (l), NULL, DF_BOLD, NULL, NULL, NULL }
#define TEXT(l, k) { DK_TEXT, (l), (k), 0, NULL, NULL, NULL }
#define MULTI(l, k) { DK_MULTI, (l), (k), 0, NULL, NULL, NULL }
#define MULTI_B(l, k) { DK_MULTI, (l), (k), DF_BOLD, NULL, NULL, NULL }
#define CHECKS(l, k, o) { DK_CHECKS, (l), (k), 0, (o), NULL, NULL }
#define CHECKS_B(l, k, o) { DK_CHECKS, (l), (k), DF_BOLD, (o), NULL, NULL }
#define DATE(l, k) { DK_DATE, (l), (k), 0, NULL, NULL, NULL }
#define TIME(l, k) { DK_TIME, (l), (k), 0, NULL, NULL, NULL }
#define END { DK_HEAD, NULL, NULL, 0, NULL, NULL, NULL }

/* Mẫu số 03: BÁO CÁO BAN ĐẦU SỰ CỐ MẠNG (TT 20/2017 Đ9.3.b). */
static const struct attt__docs_field form03_fields[] = {
	HEAD("1. THÔNG TIN VỀ TỔ CHỨC/CÁ NHÂN BÁO CÁO SỰ CỐ"),
	TEXT("Tên tổ chức/cá nhân báo cáo sự cố (*)", "reporter.name"),
	TEXT("Địa chỉ (*)", "reporter.address"),
	TEXT("Điện thoại (*)", "reporter.phone"),
	TEXT("Email (*)", "reporter.email"),
	HEAD("2. NGƯỜI LIÊN HỆ"),
	TEXT("Họ và tên (*)", "contact.name"),
	TEXT("Chức vụ", "contact.position"),
	TEXT("Điện thoại (*)", "contact.phone"),
	TEXT("Email (*)", "contact.email"),
	HEAD("3. THÔNG TIN CHI TIẾT VỀ HỆ THỐNG BỊ SỰ CỐ"),
	TEXT("Tên đơn vị vận hành hệ thống thông tin (*)", "system.operator"),
	TEXT("Cơ quan chủ quản", "system.owner"),
	TEXT("Tên hệ thống bị sự cố (tên hệ thống, tên miền, địa chỉ IP liên quan)", "system.name"),
	CHECKS("Phân loại cấp độ của hệ thống thông tin (nếu có)", "system.level", level_options),
	TEXT("Tổ chức cung cấp dịch vụ an toàn thông tin (nếu có)", "system.security_provider"),
	TEXT("Tên nhà cung cấp dịch vụ kết nối bên ngoài (nếu có)", "system.connectivity_provider"),
	TEXT("Nhà cung cấp khác (nếu có)", "system.other_provider"),
	MULTI_B("4. Mô tả sơ bộ về sự cố (*)", "description"),
	HEAD("5. THỜI GIAN PHÁT HIỆN SỰ CỐ"),
	DATE("Ngày phát hiện sự cố (*)", "detected_at"),
	TIME("Thời gian phát hiện (*)", "detected_at"),
	CHECKS_B("6. HIỆN TRẠNG SỰ CỐ (*)", "status", NULL),
	CHECKS_B("7. CÁCH THỨC PHÁT HIỆN (*)", "detection", NULL),
	CHECKS_B("8. ĐÃ GỬI THÔNG BÁO SỰ CỐ CHO (*)", "notified", NULL),
	HEAD("9. THÔNG TIN BỔ SUNG VỀ HỆ THỐNG XẢY RA SỰ CỐ"),
	TEXT("Hệ điều hành", "system.os"),
	TEXT("Version", "system.os_version"),
	CHECKS("Các dịch vụ có trên hệ thống", "system.services", NULL),
	CHECKS("Các biện pháp an toàn thông tin đã triển khai", "system.measures", NULL),
	TEXT("Các địa chỉ IP của hệ thống", "system.ips"),
	TEXT("Các tên miền của hệ thống", "system.domains"),
	TEXT("Mục đích chính sử dụng hệ thống", "system.purpose"),
	CHECKS("Thông tin gửi kèm", "enclosures", NULL),
	CHECKS("Các thông tin cung cấp trong thông báo sự cố này đều phải được giữ bí mật", "confidential",
	       yes_no_options),
	HEAD("10. KIẾN NGHỊ, ĐỀ XUẤT HỖ TRỢ"),
	MULTI("Mô tả về đề xuất, kiến nghị", "requests"),
	{ DK_DATETIME, "11. THỜI GIAN THỰC HIỆN BÁO CÁO SỰ CỐ (*)", "reported_at", DF_BOLD, NULL, NULL, NULL },
	END,
};

static const char *const form03_notes[] = {
	"Ghi chú: (*) là các mục bắt buộc; các mục khác có thể bỏ trống nếu không có thông tin.",
	"Khi gửi bằng thư điện tử, tiêu đề thư phải bắt đầu bằng \"[TBSC]\".",
	NULL,
};

/* Mẫu số 04: BÁO CÁO KẾT THÚC ỨNG PHÓ SỰ CỐ (TT 20/2017 Đ9.3.e). */
static const struct attt__docs_field form04_fields[] = {
	HEAD("1. THÔNG TIN VỀ TỔ CHỨC/CÁ NHÂN BÁO CÁO SỰ CỐ"),
	TEXT("Tên tổ chức/cá nhân báo cáo sự cố (*)", "reporter.name"),
	TEXT("Địa chỉ (*)", "reporter.address"),
	TEXT("Điện thoại (*)", "reporter.phone"),
	TEXT("Email (*)", "reporter.email"),
	HEAD("2. KÝ HIỆU BÁO CÁO BAN ĐẦU SỰ CỐ"),
	TEXT("Số ký hiệu", "initial_report.number"),
	DATE("Ngày báo cáo", "initial_report.date"),
	HEAD("3. THÔNG TIN CHI TIẾT VỀ HỆ THỐNG BỊ SỰ CỐ"),
	TEXT("Tên đơn vị vận hành hệ thống thông tin (*)", "system.operator"),
	TEXT("Cơ quan chủ quản", "system.owner"),
	TEXT("Tên hệ thống bị sự cố (tên hệ thống, tên miền, địa chỉ IP liên quan)", "system.name"),
	CHECKS("Phân loại cấp độ của hệ thống thông tin (nếu có)", "system.level", level_options),
	MULTI_B("4. Tên/Mô tả về sự cố", "description"),
	HEAD("5. THỜI GIAN PHÁT HIỆN SỰ CỐ"),
	DATE("Ngày phát hiện sự cố (*)", "detected_at"),
	TIME("Thời gian phát hiện (*)", "detected_at"),
	MULTI_B("6. Kết quả xử lý sự cố", "result"),
	MULTI_B("7. Các tài liệu đính kèm", "attachments"),
	END,
};

/* Mẫu số 05: the ten incident types are the rows, the handling the columns (TT 20/2017 Đ6.1.c). */
static const struct attt__docs_row form05_rows[] = {
	{ "tu_choi_dich_vu", "Từ chối dịch vụ" },
	{ "gia_mao", "Tấn công giả mạo" },
	{ "ma_doc", "Tấn công sử dụng mã độc" },
	{ "truy_cap_trai_phep", "Truy cập trái phép, chiếm quyền điều khiển" },
	{ "thay_doi_giao_dien", "Thay đổi giao diện" },
	{ "ma_hoa", "Mã hóa phần mềm, dữ liệu, thiết bị" },
	{ "pha_hoai", "Phá hoại thông tin, dữ liệu, phần mềm" },
	{ "nghe_trom", "Nghe trộm, gián điệp, lấy cắp thông tin, dữ liệu" },
	{ "tong_hop", "Tấn công tổng hợp sử dụng kết hợp nhiều hình thức" },
	{ "khac", "Các hình thức tấn công khác" },
	{ NULL, NULL },
};

static const struct attt__docs_col form05_cols[] = {
	{ NULL, "Loại sự cố/tấn công mạng", 0.25 },
	{ "so_luong", "Số lượng", 0.10 },
	{ "tu_xu_ly", "Số sự cố tự xử lý", 0.12 },
	{ "ho_tro_trong_nuoc", "Số sự cố có sự hỗ trợ xử lý từ các tổ chức khác", 0.135 },
	{ "ho_tro_nuoc_ngoai", "Số sự cố có hỗ trợ xử lý từ tổ chức nước ngoài", 0.135 },
	{ "de_nghi_vncert", "Số sự cố đề nghị VNCERT hỗ trợ xử lý", 0.12 },
	{ "thiet_hai", "Thiệt hại ước tính", 0.14 },
	{ NULL, NULL, 0 },
};

static const struct attt__docs_field form05_fields[] = {
	{ DK_PERIOD, "Từ tháng … đến tháng …", "period", 0, NULL, NULL, NULL },
	TEXT("Tên cơ quan/tổ chức", "organization.name"),
	TEXT("Địa chỉ", "organization.address"),
	TEXT("Mã thành viên mạng lưới", "organization.member_code"),
	HEAD("1. Số lượng sự cố và cách thức xử lý"),
	{ DK_TABLE, "Số lượng sự cố và cách thức xử lý", "incidents", 0, NULL, form05_rows, form05_cols },
	END,
};

static const struct attt__docs_form forms[] = {
	{ "03", "BÁO CÁO BAN ĐẦU SỰ CỐ MẠNG", "BC", "CÁ NHÂN/NGƯỜI ĐẠI DIỆN THEO PHÁP LUẬT",
	  "(Ký tên, đóng dấu)", form03_fields, form03_notes },
	{ "04", "BÁO CÁO KẾT THÚC ỨNG PHÓ SỰ CỐ", "BC", "CÁ NHÂN/NGƯỜI ĐẠI DIỆN THEO PHÁP LUẬT",
	  "(Ký tên, đóng dấu)", form04_fields, NULL },
	{ "05", "BÁO CÁO TỔNG HỢP %s VỀ HOẠT ĐỘNG TIẾP NHẬN VÀ XỬ LÝ SỰ CỐ", "BC",
	  "THỦ TRƯỞNG CƠ QUAN/TỔ CHỨC", "(Ký tên, đóng dấu)", form05_fields, NULL },
};

const struct attt__docs_form *attt__docs_form_find(const char *id)
{
	if (!id)
		return NULL;
	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++)
		if (strcmp(forms[i].id, id) == 0)
			return &forms[i];
	return NULL;
}

const void *attt__docs_lookup(const void *data, const char *key)
{
	const json_t *v = data;
	char part[64];

	while (v && *key) {
		const char *dot = strchr(key, '.');
		size_t n = dot ? (size_t)(dot - key) : strlen(key);
		if (n >= sizeof(part) || !json_is_object(v))
			return NULL;
		memcpy(part, key, n);
		part[n] = '\0';
		v = json_object_get(v, part);
		key += n + (dot ? 1 : 0);
	}
	if (!v || json_is_null(v))
		return NULL;
	return v;
}
