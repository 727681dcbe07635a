/*
 * bench_docs.c: how long the docs module takes to render each official form (not part of make
 * test). Build and run: ninja -C build/release bench_docs && build/release/tests/unit/docs/bench_docs
 * Prints, for Mẫu 03, 04, 05 and a 5-page Mẫu 03, the median of 30 renderings and the PDF's size.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "attt/buf.h"
#include "attt/docs.h"
#include "attt/err.h"
#include "attt/limits.h"

#define RUNS 30

static const char *const common =
	"\"agency_parent\": \"Ủy ban nhân dân tỉnh Thái Nguyên\", \"agency\": \"Sở Khoa học và Công nghệ\","
	"\"number\": \"125/BC-SKHCN\", \"place\": \"Thái Nguyên\", \"date\": \"2026-11-24\","
	"\"signer_title\": \"GIÁM ĐỐC\", \"signer_name\": \"Nguyễn Thị Ngọc Ánh\", \"recipients\": [\"Công an tỉnh\"],";

static const char *const bodies[] = {
	"\"reporter\": {\"name\": \"Trung tâm Thông tin\", \"address\": \"Số 15 đường Đội Cấn\", \"phone\": \"0208 3855 123\","
	" \"email\": \"ttud@thainguyen.gov.vn\"}, \"contact\": {\"name\": \"Đặng Quốc Việt\", \"position\": \"Phó Trưởng phòng\","
	" \"phone\": \"0912 345 678\", \"email\": \"viet@thainguyen.gov.vn\"}, \"system\": {\"operator\": \"Phòng CNTT\","
	" \"owner\": \"UBND tỉnh\", \"name\": \"Cổng thông tin điện tử\", \"level\": 2, \"services\": [\"Máy chủ Web\"]},"
	" \"description\": \"Trang chủ bị thay đổi giao diện; đã ngắt kết nối Internet của máy chủ.\","
	" \"detected_at\": \"2026-11-23T00:45:00Z\", \"status\": [\"Đã ngăn chặn\"], \"confidential\": true,"
	" \"reported_at\": \"2026-11-23T03:20:00Z\"",
	"\"reporter\": {\"name\": \"Sở Khoa học và Công nghệ\"}, \"initial_report\": {\"number\": \"118/BC-SKHCN\","
	" \"date\": \"2026-11-23\"}, \"description\": \"Thay đổi giao diện\", \"detected_at\": \"23/11/2026 07:45\","
	" \"result\": \"Đã gỡ bỏ tệp độc hại, vá lỗ hổng, khôi phục dữ liệu.\", \"attachments\": [\"Nhật ký\"]",
	"\"period\": {\"kind\": \"6m\", \"from\": \"01/2026\", \"to\": \"06/2026\"}, \"organization\": {\"name\": \"Sở KH&CN\"},"
	" \"incidents\": {\"ma_doc\": {\"so_luong\": 17, \"tu_xu_ly\": 13, \"de_nghi_vncert\": 4, \"thiet_hai\": \"Nhỏ\"}}",
};

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static void bench(const char *name, const char *form, const json_t *data)
{
	double t[RUNS];
	struct attt_docs_info info = { 0, 0 };
	size_t size = 0;
	for (int i = 0; i < RUNS; i++) {
		struct attt_buf pdf;
		attt_buf_init(&pdf, ATTT_DOCS_MAX_PDF);
		double t0 = now_ms();
		if (attt_docs_render_form(form, data, &pdf, &info) < 0) {
			fprintf(stderr, "render %s failed\n", name);
			exit(1);
		}
		t[i] = now_ms() - t0;
		size = pdf.len;
		attt_buf_done(&pdf);
	}
	qsort(t, RUNS, sizeof(t[0]), cmp);
	printf("%-22s %2u page(s) %7zu bytes  median %6.1f ms  (min %.1f, max %.1f)\n", name, info.pages, size,
	       t[RUNS / 2], t[0], t[RUNS - 1]);
}

int main(void)
{
	static const char *const forms[] = { "03", "04", "05" };
	char buf[8192];
	json_t *d[3];
	for (int i = 0; i < 3; i++) {
		snprintf(buf, sizeof(buf), "{%s%s}", common, bodies[i]);
		d[i] = json_loads(buf, 0, NULL);
		if (!d[i])
			return 1;
	}
	/* The first rendering loads the fonts: shown apart. */
	{
		struct attt_buf pdf;
		attt_buf_init(&pdf, ATTT_DOCS_MAX_PDF);
		double t0 = now_ms();
		if (attt_docs_render_form("03", d[0], &pdf, NULL) < 0)
			return 1;
		printf("first rendering (font loading included): %.1f ms\n", now_ms() - t0);
		attt_buf_done(&pdf);
	}
	for (int i = 0; i < 3; i++) {
		char name[32];
		snprintf(name, sizeof(name), "Mẫu %s", forms[i]);
		bench(name, forms[i], d[i]);
	}
	struct attt_buf desc;
	attt_buf_init(&desc, ATTT_MAX_TEXT);
	for (int i = 1; i <= 180; i++)
		attt_buf_addf(&desc, "Đoạn %d: máy chủ bị nhiễm mã độc mã hóa dữ liệu, đã cách ly khỏi mạng nội bộ. ", i);
	json_object_set_new(d[0], "description", json_string(attt_buf_str(&desc)));
	bench("Mẫu 03, long text", "03", d[0]);
	attt_buf_done(&desc);
	for (int i = 0; i < 3; i++)
		json_decref(d[i]);
	attt_docs_shutdown();
	return 0;
}
