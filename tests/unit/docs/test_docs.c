/*
 * test_docs.c: the official forms Mẫu 03, 04 and 05 (R11.2 steps 3 and 5) as PDF.
 *
 * Each form is rendered from a record full of Vietnamese diacritics and long text; pdftotext
 * (poppler-utils) must find every label of the form and every value; Pango must report no unknown
 * glyph for any layout drawn (text extraction does not see a glyph drawn as an empty box); pdffonts
 * must list only embedded Liberation Serif subsets. Also: pagination of a field longer than a page,
 * missing values, deterministic output, precise refusal of bad input, the JSON view.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "attt/buf.h"
#include "attt/docs.h"
#include "attt/err.h"
#include "attt/limits.h"

static char tmpdir[256];

static int setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/attt-test-docs-XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[512];
	(void)state;
	/* Release the process-wide font caches, so that LeakSanitizer sees only what the module
	 * itself might leak. */
	attt_docs_shutdown();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return getenv("KEEP") ? 0 : (system(cmd) == 0 ? 0 : -1);
}

/* Runs cmd and returns its standard output (malloc'ed). */
static char *run(const char *cmd)
{
	struct attt_buf b;
	char chunk[4096];
	size_t n;
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	attt_buf_init(&b, 64u << 20);
	while ((n = fread(chunk, 1, sizeof(chunk), p)) > 0)
		assert_int_equal(attt_buf_add(&b, chunk, n), ATTT_OK);
	assert_int_equal(pclose(p), 0);
	return attt_buf_steal(&b, &n) ?: strdup("");
}

/* Collapses every run of white space (spaces, newlines, form feeds) to one space, in place. */
static void squash(char *s)
{
	char *w = s;
	int sp = 0;
	for (char *p = s; *p; p++) {
		if (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\f' || *p == '\r') {
			sp = 1;
			continue;
		}
		if (sp && w != s)
			*w++ = ' ';
		sp = 0;
		*w++ = *p;
	}
	*w = '\0';
}

static char *pdf_text(const char *path)
{
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "pdftotext -enc UTF-8 '%s' -", path);
	char *t = run(cmd);
	squash(t);
	return t;
}

static void assert_has(const char *text, const char *needle)
{
	char *n = strdup(needle);
	squash(n);
	if (!strstr(text, n))
		fail_msg("not in the PDF's text: \"%s\"", n);
	free(n);
}

/* Number of fonts of the PDF that are not embedded Liberation Serif subsets (0 for a good form). */
static int fonts_not_liberation(const char *path)
{
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "pdffonts '%s'", path);
	char *out = run(cmd);
	int fonts = 0, bad = 0;
	char *save = NULL;
	for (char *line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "name", 4) == 0 || strncmp(line, "----", 4) == 0)
			continue;
		fonts++;
		/* Columns: name type encoding emb sub uni object ID; emb is the first yes/no. */
		char *yn = strstr(line, " yes ");
		char *no = strstr(line, " no ");
		if (!strstr(line, "+LiberationSerif") || !yn || (no && no < yn)) {
			print_message("pdffonts: %s\n", line);
			bad++;
		}
	}
	assert_true(fonts >= 2); /* at least regular and bold */
	free(out);
	return bad;
}

static void assert_fonts_liberation(const char *path)
{
	assert_int_equal(fonts_not_liberation(path), 0);
}

struct word {
	int page;
	double x, y;
	char *text;
};

static int word_cmp(const void *a, const void *b)
{
	const struct word *p = a, *q = b;
	if (p->page != q->page)
		return p->page - q->page;
	if (p->y < q->y - 1.0 || p->y > q->y + 1.0)
		return p->y < q->y ? -1 : 1;
	return p->x < q->x ? -1 : p->x > q->x;
}

/* The words of the PDF whose left edge lies in [x0, x1), in reading order, joined by spaces. */
static char *column_text(const char *path, double x0, double x1)
{
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "pdftotext -enc UTF-8 -bbox '%s' -", path);
	char *out = run(cmd), *save = NULL;
	struct word *w = calloc(100000, sizeof(*w));
	size_t n = 0;
	int page = 0;
	for (char *line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (strstr(line, "<page "))
			page++;
		char *p = strstr(line, "<word xMin=\"");
		if (!p || n >= 100000)
			continue;
		double x = strtod(p + 12, NULL);
		char *py = strstr(p, "yMin=\"");
		char *t = strchr(p, '>'), *te = t ? strstr(t, "</word>") : NULL;
		if (!py || !t || !te)
			continue;
		if (x < x0 || x >= x1)
			continue;
		w[n].page = page;
		w[n].x = x;
		w[n].y = strtod(py + 6, NULL);
		w[n].text = strndup(t + 1, (size_t)(te - t - 1));
		n++;
	}
	qsort(w, n, sizeof(*w), word_cmp);
	struct attt_buf b;
	attt_buf_init(&b, 64u << 20);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(attt_buf_addf(&b, "%s%s", i ? " " : "", w[i].text), ATTT_OK);
		free(w[i].text);
	}
	free(w);
	free(out);
	size_t len;
	return attt_buf_steal(&b, &len) ?: strdup("");
}

static json_t *load(const char *js)
{
	json_error_t err;
	json_t *j = json_loads(js, 0, &err);
	if (!j)
		fail_msg("bad test JSON at line %d: %s", err.line, err.text);
	return j;
}

static const char *common_json =
	"\"agency_parent\": \"Ủy ban nhân dân tỉnh Thái Nguyên\","
	"\"agency\": \"Sở Khoa học và Công nghệ\","
	"\"number\": \"125/BC-SKHCN\","
	"\"place\": \"Thái Nguyên\","
	"\"date\": \"2026-11-24\","
	"\"signer_title\": \"GIÁM ĐỐC\","
	"\"signer_name\": \"Nguyễn Thị Ngọc Ánh\","
	"\"recipients\": [\"Công an tỉnh (Phòng An ninh mạng)\", \"Lưu: VT, CNTT\"],";

static const char *form03_json =
	"\"reporter\": {\"name\": \"Trung tâm Thông tin và Ứng dụng tiến bộ Khoa học\","
	"  \"address\": \"Số 15 đường Đội Cấn, phường Phan Đình Phùng\", \"phone\": \"0208 3855 123\","
	"  \"email\": \"ttud@thainguyen.gov.vn\"},"
	"\"contact\": {\"name\": \"Đặng Quốc Việt\", \"position\": \"Phó Trưởng phòng Kỹ thuật\","
	"  \"phone\": \"0912 345 678\", \"email\": \"viet.dq@thainguyen.gov.vn\"},"
	"\"system\": {\"operator\": \"Phòng Công nghệ thông tin, Sở Khoa học và Công nghệ\","
	"  \"owner\": \"Ủy ban nhân dân tỉnh Thái Nguyên\","
	"  \"name\": \"Cổng thông tin điện tử sokhcn.thainguyen.gov.vn (203.162.10.25)\","
	"  \"level\": 2, \"security_provider\": \"Công ty Cổ phần An ninh mạng Việt Nam\","
	"  \"connectivity_provider\": \"VNPT Thái Nguyên\", \"other_provider\": \"Viettel IDC\","
	"  \"os\": \"Ubuntu Server\", \"os_version\": \"22.04 LTS\","
	"  \"services\": [\"Máy chủ Web\", \"Thư điện tử\", {\"label\": \"Truyền tệp (FTP)\", \"checked\": false}],"
	"  \"measures\": [\"Tường lửa\", \"Phần mềm phòng chống mã độc\"],"
	"  \"ips\": [\"203.162.10.25\", \"203.162.10.26\"], \"domains\": \"sokhcn.thainguyen.gov.vn\","
	"  \"purpose\": \"Đăng tải thông tin chỉ đạo, điều hành và dịch vụ công trực tuyến\"},"
	"\"description\": \"Lúc 07 giờ 45 phút, cán bộ trực phát hiện trang chủ bị thay đổi giao diện, hiển thị "
	"nội dung lạ. Nhật ký máy chủ ghi nhận nhiều yêu cầu bất thường từ địa chỉ 45.142.212.61 khai thác lỗ hổng "
	"tải tệp lên của thành phần quản trị nội dung. Đánh giá ban đầu: có tấn công, nguy cơ gián đoạn dịch vụ "
	"công trực tuyến; dữ liệu cá nhân của người dân có thể bị lộ. Đã ngắt kết nối Internet của máy chủ.\","
	"\"detected_at\": \"2026-11-23T00:45:00Z\","
	"\"status\": [\"Đã ngăn chặn, đang khắc phục\"],"
	"\"detection\": [\"Phát hiện qua giám sát\", {\"label\": \"Người dùng phản ánh\", \"checked\": false}],"
	"\"notified\": [\"Công an tỉnh\", \"Sở Khoa học và Công nghệ\", \"Trung tâm VNCERT/CC\"],"
	"\"enclosures\": [\"Nhật ký truy cập (log file)\", \"Ảnh chụp màn hình\"],"
	"\"confidential\": true,"
	"\"requests\": \"Đề nghị Đội ứng cứu sự cố tỉnh hỗ trợ phân tích mã độc và rà soát toàn bộ hệ thống.\","
	"\"reported_at\": \"2026-11-23T03:20:00Z\"";

static char *path_in_tmp(const char *name)
{
	char *p = malloc(512);
	snprintf(p, 512, "%s/%s", tmpdir, name);
	return p;
}

static json_t *record(const char *body)
{
	size_t n = strlen(common_json) + strlen(body) + 8;
	char *s = malloc(n);
	snprintf(s, n, "{%s%s}", common_json, body);
	json_t *j = load(s);
	free(s);
	return j;
}

/* Every label of the form (from its JSON view) is in the text. */
static void assert_all_labels(const char *form, const json_t *data, const char *text)
{
	json_t *view = NULL;
	size_t i;
	json_t *f;
	assert_int_equal(attt_docs_form_json(form, data, &view), ATTT_OK);
	assert_has(text, json_string_value(json_object_get(view, "title")) ? "" : "");
	json_array_foreach(json_object_get(view, "fields"), i, f)
	{
		const char *kind = json_string_value(json_object_get(f, "kind"));
		if (strcmp(kind, "period") == 0 || strcmp(kind, "table") == 0)
			continue; /* drawn as "Từ tháng ... đến tháng ..." and as the table's cells */
		assert_has(text, json_string_value(json_object_get(f, "label")));
		const char *sec = json_string_value(json_object_get(f, "section"));
		if (sec)
			assert_has(text, sec);
	}
	json_decref(view);
}

static void assert_common(const char *t)
{
	assert_has(t, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM");
	assert_has(t, "Độc lập - Tự do - Hạnh phúc");
	assert_has(t, "ỦY BAN NHÂN DÂN TỈNH THÁI NGUYÊN");
	assert_has(t, "SỞ KHOA HỌC VÀ CÔNG NGHỆ");
	assert_has(t, "Số: 125/BC-SKHCN");
	assert_has(t, "Thái Nguyên, ngày 24 tháng 11 năm 2026");
	assert_has(t, "GIÁM ĐỐC");
	assert_has(t, "(Ký tên, đóng dấu)");
	assert_has(t, "Nguyễn Thị Ngọc Ánh");
	assert_has(t, "Nơi nhận:");
	assert_has(t, "- Công an tỉnh (Phòng An ninh mạng);");
}

/* R11.2: step 3 reports with Mẫu 03. */
static void test_render__form03_every_label_and_value(void **state)
{
	(void)state;
	json_t *d = record(form03_json);
	char *path = path_in_tmp("mau03.pdf");
	struct attt_docs_info info = { 99, 99 };
	uint64_t before = attt_docs_unknown_glyphs_total();

	assert_int_equal(attt_docs_render_form_file("03", d, path, &info), ATTT_OK);
	assert_int_equal(info.unknown_glyphs, 0);
	assert_true(info.pages >= 2);
	assert_int_equal(attt_docs_unknown_glyphs_total(), before);
	char *t = pdf_text(path);
	assert_common(t);
	assert_all_labels("03", d, t);
	assert_has(t, "Mẫu số 03");
	assert_has(t, "BÁO CÁO BAN ĐẦU SỰ CỐ MẠNG");
	assert_has(t, "CÁ NHÂN/NGƯỜI ĐẠI DIỆN THEO PHÁP LUẬT");
	/* Values, with their diacritics. */
	assert_has(t, "Trung tâm Thông tin và Ứng dụng tiến bộ Khoa học");
	assert_has(t, "Số 15 đường Đội Cấn, phường Phan Đình Phùng");
	assert_has(t, "ttud@thainguyen.gov.vn");
	assert_has(t, "Đặng Quốc Việt");
	assert_has(t, "Phó Trưởng phòng Kỹ thuật");
	assert_has(t, "Phòng Công nghệ thông tin, Sở Khoa học và Công nghệ");
	assert_has(t, "Cổng thông tin điện tử sokhcn.thainguyen.gov.vn (203.162.10.25)");
	assert_has(t, "Cấp độ 1");
	assert_has(t, "Cấp độ 5");
	assert_has(t, "Công ty Cổ phần An ninh mạng Việt Nam");
	assert_has(t, "VNPT Thái Nguyên");
	assert_has(t, "Viettel IDC");
	assert_has(t, "Ubuntu Server");
	assert_has(t, "22.04 LTS");
	assert_has(t, "Máy chủ Web");
	assert_has(t, "Truyền tệp (FTP)");
	assert_has(t, "Phần mềm phòng chống mã độc");
	assert_has(t, "203.162.10.25, 203.162.10.26");
	assert_has(t, "Đăng tải thông tin chỉ đạo, điều hành và dịch vụ công trực tuyến");
	assert_has(t, "dữ liệu cá nhân của người dân có thể bị lộ. Đã ngắt kết nối Internet của máy chủ.");
	/* 00:45 UTC is 07:45 in Asia/Ho_Chi_Minh. */
	assert_has(t, "Ngày phát hiện sự cố (*): 23/11/2026");
	assert_has(t, "Thời gian phát hiện (*): 07 giờ 45 phút");
	assert_has(t, "Đã ngăn chặn, đang khắc phục");
	assert_has(t, "Phát hiện qua giám sát");
	assert_has(t, "Người dùng phản ánh");
	assert_has(t, "Trung tâm VNCERT/CC");
	assert_has(t, "Nhật ký truy cập (log file)");
	assert_has(t, "Đề nghị Đội ứng cứu sự cố tỉnh hỗ trợ phân tích mã độc");
	assert_has(t, "10 giờ 20 phút, ngày 23/11/2026");
	assert_has(t, "[TBSC]");
	assert_fonts_liberation(path);
	free(t);
	free(path);
	json_decref(d);
}

/* R11.2: step 5 closes with Mẫu 04. */
static void test_render__form04_every_label_and_value(void **state)
{
	(void)state;
	json_t *d = record("\"reporter\": {\"name\": \"Sở Khoa học và Công nghệ tỉnh Thái Nguyên\","
			   "  \"address\": \"Số 15 đường Đội Cấn\", \"phone\": \"0208 3855 123\", \"email\": \"skhcn@thainguyen.gov.vn\"},"
			   "\"initial_report\": {\"number\": \"118/BC-SKHCN\", \"date\": \"2026-11-23\"},"
			   "\"system\": {\"operator\": \"Phòng Công nghệ thông tin\", \"owner\": \"Ủy ban nhân dân tỉnh\","
			   "  \"name\": \"Hệ thống một cửa điện tử\", \"level\": \"Cấp độ 3\"},"
			   "\"description\": \"Tấn công thay đổi giao diện Cổng thông tin điện tử của Sở.\","
			   "\"detected_at\": \"23/11/2026 07:45\","
			   "\"result\": \"Đã gỡ bỏ tệp độc hại, vá lỗ hổng, khôi phục dữ liệu từ bản sao lưu ngày 22/11; "
			   "kiến nghị rà soát định kỳ các thành phần quản trị nội dung.\","
			   "\"attachments\": [\"Báo cáo diễn biến sự cố\", \"Phương án xử lý\", \"Tệp nhật ký (log file)\"]");
	char *path = path_in_tmp("mau04.pdf");
	struct attt_docs_info info;
	uint64_t before = attt_docs_unknown_glyphs_total();

	assert_int_equal(attt_docs_render_form_file("04", d, path, &info), ATTT_OK);
	assert_int_equal(info.unknown_glyphs, 0);
	assert_int_equal(attt_docs_unknown_glyphs_total(), before);
	char *t = pdf_text(path);
	assert_common(t);
	assert_all_labels("04", d, t);
	assert_has(t, "Mẫu số 04");
	assert_has(t, "BÁO CÁO KẾT THÚC ỨNG PHÓ SỰ CỐ");
	assert_has(t, "Sở Khoa học và Công nghệ tỉnh Thái Nguyên");
	assert_has(t, "Số ký hiệu: 118/BC-SKHCN");
	assert_has(t, "Ngày báo cáo: 23/11/2026");
	assert_has(t, "Hệ thống một cửa điện tử");
	assert_has(t, "Tấn công thay đổi giao diện Cổng thông tin điện tử của Sở.");
	assert_has(t, "07 giờ 45 phút");
	assert_has(t, "kiến nghị rà soát định kỳ các thành phần quản trị nội dung.");
	assert_has(t, "Báo cáo diễn biến sự cố");
	assert_has(t, "Tệp nhật ký (log file)");
	assert_fonts_liberation(path);
	free(t);
	free(path);
	json_decref(d);
}

static void test_render__form05_table(void **state)
{
	(void)state;
	json_t *d = record("\"period\": {\"kind\": \"6m\", \"from\": \"01/2026\", \"to\": \"06/2026\"},"
			   "\"organization\": {\"name\": \"Sở Khoa học và Công nghệ\", \"address\": \"Số 15 đường Đội Cấn\","
			   "  \"member_code\": \"TN-0125\"},"
			   "\"incidents\": {\"tu_choi_dich_vu\": {\"so_luong\": 3, \"tu_xu_ly\": 2, \"ho_tro_trong_nuoc\": 1,"
			   "  \"ho_tro_nuoc_ngoai\": 0, \"de_nghi_vncert\": 0, \"thiet_hai\": \"Gián đoạn 2 giờ\"},"
			   "  \"thay_doi_giao_dien\": {\"so_luong\": 1, \"tu_xu_ly\": 1, \"thiet_hai\": \"Không đáng kể\"},"
			   "  \"ma_doc\": {\"so_luong\": 17, \"de_nghi_vncert\": 4, \"thiet_hai\": \"Mất dữ liệu 1 máy trạm\"}}");
	char *path = path_in_tmp("mau05.pdf");
	struct attt_docs_info info;

	assert_int_equal(attt_docs_render_form_file("05", d, path, &info), ATTT_OK);
	assert_int_equal(info.unknown_glyphs, 0);
	char *t = pdf_text(path);
	assert_common(t);
	assert_all_labels("05", d, t);
	assert_has(t, "BÁO CÁO TỔNG HỢP 06 THÁNG VỀ HOẠT ĐỘNG TIẾP NHẬN VÀ XỬ LÝ SỰ CỐ");
	assert_has(t, "Từ tháng 01/2026 đến tháng 06/2026");
	assert_has(t, "TN-0125");
	/* Table cells wrap inside their column: read the words of each column from their positions. */
	static const char *const col_labels[] = {
		"Loại sự cố/tấn công mạng", "Số lượng", "Số sự cố tự xử lý",
		"Số sự cố có sự hỗ trợ xử lý từ các tổ chức khác", "Số sự cố có hỗ trợ xử lý từ tổ chức nước ngoài",
		"Số sự cố đề nghị VNCERT hỗ trợ xử lý", "Thiệt hại ước tính",
	};
	static const char *const rows[] = {
		"Từ chối dịch vụ", "Tấn công giả mạo", "Tấn công sử dụng mã độc",
		"Truy cập trái phép, chiếm quyền điều khiển", "Thay đổi giao diện", "Mã hóa phần mềm, dữ liệu, thiết bị",
		"Phá hoại thông tin, dữ liệu, phần mềm", "Nghe trộm, gián điệp, lấy cắp thông tin, dữ liệu",
		"Tấn công tổng hợp sử dụng kết hợp nhiều hình thức", "Các hình thức tấn công khác",
	};
	static const double frac[] = { 0.25, 0.10, 0.12, 0.135, 0.135, 0.12, 0.14 };
	const double left = 30.0 * 72 / 25.4, width = (210.0 - 30.0 - 15.0) * 72 / 25.4;
	double x = left;
	char *colt[7];
	for (int c = 0; c < 7; c++) {
		colt[c] = column_text(path, x, x + frac[c] * width);
		x += frac[c] * width;
		assert_has(colt[c], col_labels[c]);
	}
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		assert_has(colt[0], rows[i]);
	/* Rows in order: Từ chối dịch vụ (3, 2, 1, 0, 0, Gián đoạn 2 giờ), ..., mã độc (17, ..., 4). */
	assert_has(colt[1], "Số lượng 3 17 1");
	assert_has(colt[2], "Số sự cố tự xử lý 2 1");
	assert_has(colt[3], "1");
	assert_has(colt[5], "0 4");
	assert_has(colt[6], "Thiệt hại ước tính Gián đoạn 2 giờ Mất dữ liệu 1 máy trạm Không đáng kể");
	for (int c = 0; c < 7; c++)
		free(colt[c]);
	assert_fonts_liberation(path);
	free(t);
	free(path);
	json_decref(d);
}

/* A field longer than a page continues on the next pages; every word of it is in the PDF. */
static void test_render__multipage(void **state)
{
	(void)state;
	struct attt_buf desc;
	attt_buf_init(&desc, ATTT_MAX_TEXT);
	for (int i = 1; i <= 180; i++)
		assert_int_equal(attt_buf_addf(&desc, "Đoạn %d: máy chủ bị nhiễm mã độc mã hóa dữ liệu, "
						      "đã cách ly khỏi mạng nội bộ và Internet. ", i), ATTT_OK);
	assert_int_equal(attt_buf_adds(&desc, "KẾT THÚC MÔ TẢ Ộ ậ ự ạ Đ ễ"), ATTT_OK);
	json_t *d = record(form03_json);
	json_object_set_new(d, "description", json_string(attt_buf_str(&desc)));
	char *path = path_in_tmp("long.pdf");
	struct attt_docs_info info;
	uint64_t before = attt_docs_unknown_glyphs_total();

	assert_int_equal(attt_docs_render_form_file("03", d, path, &info), ATTT_OK);
	assert_true(info.pages >= 4);
	assert_int_equal(attt_docs_unknown_glyphs_total(), before);
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "pdfinfo '%s' | grep '^Pages:'", path);
	char *pi = run(cmd);
	char expect[64];
	snprintf(expect, sizeof(expect), "%u", info.pages);
	assert_non_null(strstr(pi, expect));
	char *t = pdf_text(path);
	assert_has(t, "Đoạn 1: máy chủ bị nhiễm mã độc");
	assert_has(t, "Đoạn 97: máy chủ bị nhiễm mã độc mã hóa dữ liệu, đã cách ly khỏi mạng nội bộ và Internet.");
	assert_has(t, "Đoạn 180:");
	assert_has(t, "KẾT THÚC MÔ TẢ Ộ ậ ự ạ Đ ễ");
	assert_has(t, "(Ký tên, đóng dấu)");
	assert_fonts_liberation(path);
	free(pi);
	free(t);
	free(path);
	attt_buf_done(&desc);
	json_decref(d);
}

/* The unknown-glyph check can fail: a character Liberation Serif lacks is counted, and no other
 * font is pulled in for it. */
static void test_render__unknown_glyph_counted(void **state)
{
	(void)state;
	json_t *d = record("\"description\": \"Thông điệp lạ: 漢字\"");
	char *path = path_in_tmp("cjk.pdf");
	struct attt_docs_info info;
	uint64_t before = attt_docs_unknown_glyphs_total();

	assert_int_equal(attt_docs_render_form_file("04", d, path, &info), ATTT_OK);
	assert_int_equal(info.unknown_glyphs, 2);
	assert_int_equal(attt_docs_unknown_glyphs_total(), before + 2);
	/* Pango draws the missing glyphs as hex boxes in another font: pdffonts shows it too. */
	assert_true(fonts_not_liberation(path) > 0);
	free(path);
	json_decref(d);
}

/* Missing values: dotted lines, and the labels, header and signature block are all still there. */
static void test_render__missing_values(void **state)
{
	(void)state;
	json_t *d = load("{}");
	char *path = path_in_tmp("empty.pdf");
	uint64_t before = attt_docs_unknown_glyphs_total();

	assert_int_equal(attt_docs_render_form_file("03", d, path, NULL), ATTT_OK);
	assert_int_equal(attt_docs_unknown_glyphs_total(), before);
	char *t = pdf_text(path);
	assert_all_labels("03", d, t);
	assert_has(t, "Số: ……/BC-……");
	assert_has(t, "……, ngày …… tháng …… năm ……");
	assert_has(t, "……/……/……");
	free(t);
	free(path);
	json_decref(d);
	d = load("{}");
	path = path_in_tmp("empty05.pdf");
	assert_int_equal(attt_docs_render_form_file("05", d, path, NULL), ATTT_OK);
	t = pdf_text(path);
	assert_has(t, "[06 THÁNG/ 01 NĂM]");
	assert_has(t, "Từ tháng ……/…… đến tháng ……/……");
	free(t);
	free(path);
	json_decref(d);
}

/* Same data, same bytes; the creation date is the document's date, not the clock's. */
static void test_render__deterministic(void **state)
{
	(void)state;
	json_t *d = record(form03_json);
	struct attt_buf a, b;
	attt_buf_init(&a, ATTT_DOCS_MAX_PDF);
	attt_buf_init(&b, ATTT_DOCS_MAX_PDF);
	assert_int_equal(attt_docs_render_form("03", d, &a, NULL), ATTT_OK);
	assert_int_equal(attt_docs_render_form("03", d, &b, NULL), ATTT_OK);
	assert_true(a.len > 1000);
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.data, b.data, a.len);
	assert_memory_equal(a.data, "%PDF-", 5);
	assert_non_null(memmem(a.data, a.len, "/CreationDate (20261124000000+07'00)", 35));
	attt_buf_done(&a);
	attt_buf_done(&b);
	json_decref(d);
}

/* Bad input is refused with a precise code and changes nothing. */
static void test_render__bad_input(void **state)
{
	(void)state;
	struct attt_buf out;
	attt_buf_init(&out, ATTT_DOCS_MAX_PDF);
	assert_int_equal(attt_buf_adds(&out, "keep"), ATTT_OK);
	json_t *d = load("{}");
	json_t *arr = load("[]");
	assert_int_equal(attt_docs_render_form("06", d, &out, NULL), ATTT_E_NOTFOUND);
	assert_int_equal(attt_docs_render_form(NULL, d, &out, NULL), ATTT_E_NOTFOUND);
	assert_int_equal(attt_docs_render_form("03", arr, &out, NULL), ATTT_E_INVAL);
	static const char *const bad[] = {
		"{\"date\": \"31/02/2026\"}",
		"{\"date\": 20261124}",
		"{\"detected_at\": \"hôm qua\"}",
		"{\"reporter\": {\"name\": {\"x\": 1}}}",
		"{\"system\": {\"level\": 6}}",
		"{\"system\": {\"level\": 0}}",
		"{\"status\": [1, 2]}",
		"{\"status\": [{\"label\": \"x\", \"checked\": \"yes\"}]}",
		"{\"recipients\": \"Công an tỉnh\"}",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		json_t *b = load(bad[i]);
		int e = attt_docs_render_form("03", b, &out, NULL);
		if (e != ATTT_E_INVAL && e != ATTT_E_RANGE)
			fail_msg("%s: %d", bad[i], e);
		json_decref(b);
	}
	static const char *const bad05[] = {
		"{\"incidents\": {\"khong_co\": {}}}",
		"{\"incidents\": {\"ma_doc\": {\"so_luong\": 1, \"cot_la\": 2}}}",
		"{\"incidents\": {\"ma_doc\": 5}}",
		"{\"period\": {\"kind\": \"3m\"}}",
	};
	for (size_t i = 0; i < sizeof(bad05) / sizeof(bad05[0]); i++) {
		json_t *b = load(bad05[i]);
		assert_int_equal(attt_docs_render_form("05", b, &out, NULL), ATTT_E_INVAL);
		json_decref(b);
	}
	/* Invalid UTF-8 in a value. */
	json_t *b = json_object();
	json_object_set_new(b, "description", json_stringn_nocheck("\xff\xfe", 2));
	assert_int_equal(attt_docs_render_form("04", b, &out, NULL), ATTT_E_INVAL);
	json_decref(b);
	/* A ceiling too small for the PDF. */
	struct attt_buf small;
	attt_buf_init(&small, 1000);
	assert_int_equal(attt_docs_render_form("04", d, &small, NULL), ATTT_E_TOOBIG);
	assert_int_equal(small.len, 0);
	attt_buf_done(&small);
	assert_string_equal(attt_buf_str(&out), "keep");
	/* A file in a directory that does not exist: nothing is created. */
	char *path = path_in_tmp("no/such/dir/x.pdf");
	assert_int_equal(attt_docs_render_form_file("04", d, path, NULL), ATTT_E_IO);
	free(path);
	attt_buf_done(&out);
	json_decref(d);
	json_decref(arr);
}

static void test_form_json__labels_and_values(void **state)
{
	(void)state;
	json_t *d = record(form03_json), *v = NULL;
	assert_true(attt_docs_form_known("03") && attt_docs_form_known("04") && attt_docs_form_known("05"));
	assert_false(attt_docs_form_known("01"));
	assert_int_equal(attt_docs_form_json("03", d, &v), ATTT_OK);
	assert_string_equal(json_string_value(json_object_get(v, "title")), "BÁO CÁO BAN ĐẦU SỰ CỐ MẠNG");
	json_t *fields = json_object_get(v, "fields");
	int found = 0;
	size_t i;
	json_t *f;
	json_array_foreach(fields, i, f)
	{
		if (strcmp(json_string_value(json_object_get(f, "key")), "contact.name") == 0) {
			assert_string_equal(json_string_value(json_object_get(f, "label")), "Họ và tên (*)");
			assert_string_equal(json_string_value(json_object_get(f, "section")), "2. NGƯỜI LIÊN HỆ");
			assert_string_equal(json_string_value(json_object_get(f, "value")), "Đặng Quốc Việt");
			found = 1;
		}
	}
	assert_true(found);
	json_decref(v);
	assert_int_equal(attt_docs_form_json("09", d, &v), ATTT_E_NOTFOUND);
	json_decref(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_render__form03_every_label_and_value),
		cmocka_unit_test(test_render__form04_every_label_and_value),
		cmocka_unit_test(test_render__form05_table),
		cmocka_unit_test(test_render__multipage),
		cmocka_unit_test(test_render__unknown_glyph_counted),
		cmocka_unit_test(test_render__missing_values),
		cmocka_unit_test(test_render__deterministic),
		cmocka_unit_test(test_render__bad_input),
		cmocka_unit_test(test_form_json__labels_and_values),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
