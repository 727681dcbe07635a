/*
 * options.c: THE table of configuration options (after redis config.c's standardConfig table).
 *
 * One row per option: "section.key", type, default (as written in the file), bounds of an int,
 * allowed words of an enum, secret flag, path flag, Vietnamese and English descriptions, and an
 * optional extra check. Adding an option is adding a row here; the loader, the getters,
 * `attt config show` and docs/configuration.md's table all follow from it. Sections appear in the
 * order rows are listed. Defaults must pass their own row's checks (a test makes sure).
 */
#include <stdbool.h>
#include <string.h>

#include "attt/err.h"
#include "attt/limits.h"
#include "attt/str.h"
#include "config-int.h"

/* "host:port", "[v6addr]:port" or ":port" with port 1..65535 and a plain host name or address. */
static int check_listen(const char *v, char *msg, size_t msgsz)
{
	const char *colon, *host_end, *host = v;
	int64_t port;

	if (v[0] == '[') {
		host_end = strchr(v, ']');
		if (!host_end || host_end[1] != ':')
			goto bad;
		colon = host_end + 1;
		host++;
		for (const char *p = host; p < host_end; p++)
			if (!strchr("0123456789abcdefABCDEF:.", *p))
				goto bad;
		if (host_end == host)
			goto bad;
	} else {
		colon = strrchr(v, ':');
		if (!colon)
			goto bad;
		host_end = colon;
		for (const char *p = host; p < host_end; p++)
			if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
			      *p == '-' || *p == '.'))
				goto bad;
	}
	if (attt_parse_int64(colon + 1, 1, 65535, &port) < 0)
		goto bad;
	return ATTT_OK;
bad:
	attt_str_printf(msg, msgsz,
			"http.listen: cần host:port với cổng 1..65535, ví dụ 127.0.0.1:8080 hoặc [::1]:8080 "
			"(host:port with port 1..65535 expected, e.g. 127.0.0.1:8080 or [::1]:8080)");
	return ATTT_E_CONFIG;
}

static bool has_space(const char *s)
{
	for (; *s; s++)
		if (*s == ' ' || *s == '\t')
			return true;
	return false;
}

/* One witness URL (list items arrive one at a time). */
static int check_http_url(const char *v, char *msg, size_t msgsz)
{
	if ((attt_str_startswith(v, "https://") || attt_str_startswith(v, "http://")) && !has_space(v) &&
	    strlen(v) > strlen("https://"))
		return ATTT_OK;
	attt_str_printf(msg, msgsz, "cần URL http:// hoặc https:// không có khoảng trắng: %s "
			"(http:// or https:// URL without spaces expected)", v);
	return ATTT_E_CONFIG;
}

static int check_smtp_url(const char *v, char *msg, size_t msgsz)
{
	if (!*v || ((attt_str_startswith(v, "smtp://") || attt_str_startswith(v, "smtps://")) && !has_space(v) &&
		    strlen(v) > strlen("smtps://")))
		return ATTT_OK;
	attt_str_printf(msg, msgsz, "mail.smtp_url: cần URL smtp:// hoặc smtps:// "
			"(smtp:// or smtps:// URL expected)");
	return ATTT_E_CONFIG;
}

static int check_mail_from(const char *v, char *msg, size_t msgsz)
{
	const char *at = strchr(v, '@');
	if (!*v || (at && at != v && at[1] && !has_space(v) && !strchr(at + 1, '@')))
		return ATTT_OK;
	attt_str_printf(msg, msgsz, "mail.from: cần một địa chỉ thư như attt@thainguyen.gov.vn "
			"(an e-mail address such as attt@thainguyen.gov.vn expected)");
	return ATTT_E_CONFIG;
}

/* audit.origin: "" (= attt/<data id>) or a signed-note key name: printable, no space, no '+',
 * valid UTF-8 (the audit module also refuses Unicode spaces when it builds the origin). */
static int check_audit_origin(const char *v, char *msg, size_t msgsz)
{
	size_t n = strlen(v);
	bool ok = n <= ATTT_AUDIT_MAX_NAME && attt_utf8_valid(v, n);

	for (size_t i = 0; ok && i < n; i++) {
		unsigned char c = (unsigned char)v[i];
		ok = c > 0x20 && c != 0x7f && c != '+';
	}
	if (ok)
		return ATTT_OK;
	attt_str_printf(msg, msgsz, "audit.origin: cần tên khoá không có khoảng trắng, không có '+', tối đa %d byte "
			"(a key name without spaces or '+', at most %d bytes, expected)", ATTT_AUDIT_MAX_NAME, ATTT_AUDIT_MAX_NAME);
	return ATTT_E_CONFIG;
}

/* R8.6: one allowed attachment type; the words are the type ids the incident module sniffs from a
 * file's first bytes (src/lib/incident/attach.c, whose unit test holds the two lists together). */
static int check_attachment_type(const char *v, char *msg, size_t msgsz)
{
	static const char *const known[] = { "pdf", "png", "jpeg", "gif", "webp", "text", "zip", "ole", "pcap",
					     "pcapng", "gzip", "7z", "eml", NULL };
	for (size_t i = 0; known[i]; i++)
		if (strcmp(v, known[i]) == 0)
			return ATTT_OK;
	attt_str_printf(msg, msgsz, "incident.attachment_types: loại không có: %s (unknown type; known: pdf, png, "
			"jpeg, gif, webp, text, zip, ole, pcap, pcapng, gzip, 7z, eml)", v);
	return ATTT_E_CONFIG;
}

static const char *const log_levels[] = { "debug", "info", "warn", "error", "off", NULL };
static const char *const log_formats[] = { "auto", "text", "json", NULL };

#define STR(name, def, secret, path, check, vi, en) \
	{ { name, ATTT_CONFIG_STRING, def, 0, 0, NULL, secret, path, vi, en }, check, false }
#define INT(name, def, min, max, vi, en) { { name, ATTT_CONFIG_INT, def, min, max, NULL, false, false, vi, en }, NULL, false }
#define BOOL(name, def, vi, en) { { name, ATTT_CONFIG_BOOL, def, 0, 0, NULL, false, false, vi, en }, NULL, false }
#define ENUM(name, def, words, vi, en) { { name, ATTT_CONFIG_ENUM, def, 0, 0, words, false, false, vi, en }, NULL, false }
#define LIST(name, def, check, vi, en) { { name, ATTT_CONFIG_LIST, def, 0, 0, NULL, false, false, vi, en }, check, false }

const struct attt__config_row attt__config_rows[] = {
	/* [http] */
	STR("http.listen", "127.0.0.1:8080", false, false, check_listen,
	    "Địa chỉ và cổng máy chủ lắng nghe (host:port)", "Address and port the server listens on (host:port)"),
	INT("http.threads", "0", 0, 64, "Số luồng xử lý yêu cầu; 0 = bằng số lõi CPU",
	    "Request worker threads; 0 = the number of CPU cores"),
	STR("http.tls_cert", "", false, true, NULL, "Tệp chứng thư TLS (PEM); đặt cùng http.tls_key",
	    "TLS certificate file (PEM); set together with http.tls_key"),
	STR("http.tls_key", "", false, true, NULL, "Tệp khóa riêng TLS (PEM); đặt cùng http.tls_cert",
	    "TLS private key file (PEM); set together with http.tls_cert"),
	INT("http.max_connections", "1024", 1, ATTT_HTTP_MAX_CONNECTIONS * 16, "Số kết nối đồng thời tối đa",
	    "Maximum concurrent connections"),
	INT("http.connection_timeout_s", "30", 1, 3600, "Giây chờ trên kết nối không hoạt động trước khi đóng",
	    "Seconds an idle connection is kept open"),
	STR("http.access_log", "", false, true, NULL,
	    "Nhật ký truy cập: \"\" tắt, \"-\" ra stderr, hoặc đường dẫn tệp",
	    "Access log: \"\" off, \"-\" to stderr, or a file path"),
	STR("http.static_dir", "", false, true, NULL, "Thư mục giao diện web; \"\" = giao diện có sẵn",
	    "Web UI directory; \"\" = the built-in UI"),
	/* [log] */
	ENUM("log.level", "info", log_levels, "Mức nhật ký chẩn đoán: debug, info, warn, error, off",
	     "Diagnostic log level: debug, info, warn, error, off"),
	ENUM("log.format", "auto", log_formats, "Định dạng nhật ký: auto (văn bản trên terminal, JSON nếu không), text, json",
	     "Log format: auto (text on a terminal, else JSON), text, json"),
	/* [policy] */
	{ { "policy.profile", ATTT_CONFIG_STRING, "thai-nguyen-10-2020", 0, 0, NULL, false, true,
	    "Hồ sơ chính sách: tên hồ sơ có sẵn hoặc đường dẫn tệp .ini",
	    "Policy profile: an embedded profile name or the path of an .ini file" },
	  NULL, true },
	/* [audit] */
	STR("audit.origin", "", false, false, check_audit_origin,
	    "Tên nguồn gốc của điểm kiểm tra và tên khoá ký; \"\" = attt/<mã dữ liệu>; KHÔNG BAO GIỜ đổi sau khi đặt",
	    "Checkpoint origin and signing key name; \"\" = attt/<data id>; must NEVER change once set"),
	STR("audit.checkpoint_file", "", false, true, NULL,
	    "Tệp nhận bản sao điểm kiểm tra nhật ký (ngoài thư mục dữ liệu); \"\" = không dùng",
	    "File that receives copies of audit checkpoints (outside the data directory); \"\" = none"),
	INT("audit.checkpoint_interval_s", "60", 1, 60, "Giây tối đa giữa hai điểm kiểm tra nhật ký",
	    "Maximum seconds between two audit checkpoints"),
	INT("audit.checkpoint_events", "1000", 1, 1000, "Số sự kiện tối đa giữa hai điểm kiểm tra nhật ký",
	    "Maximum events between two audit checkpoints"),
	LIST("audit.witness_urls", "", check_http_url, "URL các máy chứng kiến nhận điểm kiểm tra (phân cách bằng dấu phẩy)",
	     "URLs of witnesses that receive checkpoints (comma-separated)"),
	BOOL("audit.syslog", "true", "Gửi điểm kiểm tra nhật ký ra syslog", "Send audit checkpoints to syslog"),
	/* [scan] R8.6 */
	STR("scan.database", "/var/lib/clamav", false, true, NULL,
	    "Cơ sở dữ liệu mẫu mã độc của libclamav (thư mục của clamav-freshclam hoặc một tệp mẫu); thiếu thì "
	    "từ chối mọi tệp đính kèm",
	    "libclamav signature database (clamav-freshclam's directory or one signature file); when missing, "
	    "every attachment is refused"),
	/* [incident] R8.6 */
	INT("incident.attachment_max_bytes", "20971520", 1, ATTT_HTTP_MAX_UPLOAD,
	    "Kích thước tối đa của một tệp đính kèm sự cố (byte)", "Largest incident attachment (bytes)"),
	INT("incident.attachment_max_count", "100", 1, 10000, "Số tệp đính kèm tối đa của một sự cố",
	    "Most attachments of one incident"),
	LIST("incident.attachment_types", "pdf,png,jpeg,gif,webp,text,zip,ole,pcap,pcapng,gzip,7z,eml",
	     check_attachment_type, "Loại tệp đính kèm được nhận (nhận biết từ nội dung)",
	     "Attachment types accepted (recognised from the content)"),
	/* [backup] R10.2.c */
	STR("backup.scratch_dir", "", false, true, NULL,
	    "Thư mục tạm cho diễn tập khôi phục và bản sao CSDL khi sao lưu (ngoài thư mục dữ liệu, đủ chỗ cho "
	    "cả bản sao lưu); \"\" = /var/tmp",
	    "Scratch directory for restore drills and a run's database copy (outside the data directory, with "
	    "room for a whole snapshot); \"\" = /var/tmp"),
	/* [mail] */
	STR("mail.smtp_url", "", false, false, check_smtp_url, "Máy chủ thư: smtp://host:port hoặc smtps://host:port; \"\" = không gửi thư",
	    "Mail server: smtp://host:port or smtps://host:port; \"\" = no mail"),
	STR("mail.from", "", false, false, check_mail_from, "Địa chỉ người gửi thư thông báo", "Sender address of notifications"),
	STR("mail.username", "", false, false, NULL, "Tên đăng nhập máy chủ thư", "Mail server user name"),
	STR("mail.password", "", true, false, NULL, "Mật khẩu máy chủ thư (bí mật)", "Mail server password (secret)"),
};

const size_t attt__config_nrows = sizeof(attt__config_rows) / sizeof(attt__config_rows[0]);
