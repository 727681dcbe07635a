/*
 * err.h: the one error space of attt.
 *
 * Every fallible function in libattt returns int: ATTT_OK (0) or a negative enum attt_err. The table
 * below is the single definition: each entry yields the enum value, a stable machine name (used as
 * the last segment of the problem+json "type" URI and in --json output), the HTTP status that the API
 * answers with, and the message in Vietnamese and English. API, CLI and logs all read this table.
 */
#ifndef ATTT_ERR_H
#define ATTT_ERR_H

/* X(NAME, value, http_status, "name", "vi message", "en message") */
#define ATTT_ERRORS(X)                                                                           \
	X(OK, 0, 200, "ok", "Thành công", "Success")                                                   \
	X(E_NOMEM, -1, 503, "nomem", "Hết bộ nhớ", "Out of memory")                                      \
	X(E_INVAL, -2, 400, "inval", "Dữ liệu không hợp lệ", "Invalid input")                            \
	X(E_RANGE, -3, 400, "range", "Giá trị nằm ngoài giới hạn cho phép", "Value out of range")         \
	X(E_TOOBIG, -4, 413, "toobig", "Dữ liệu vượt quá kích thước cho phép", "Input too large")          \
	X(E_NOTFOUND, -5, 404, "notfound", "Không tìm thấy", "Not found")                                   \
	X(E_EXISTS, -6, 409, "exists", "Đã tồn tại", "Already exists")                                    \
	X(E_IO, -7, 500, "io", "Lỗi đọc ghi dữ liệu", "Input/output error")                           \
	X(E_DB, -8, 500, "db", "Lỗi cơ sở dữ liệu", "Database error")                                 \
	X(E_BUSY, -9, 503, "busy", "Hệ thống đang bận, vui lòng thử lại", "Busy, try again")            \
	X(E_CONFIG, -10, 500, "config", "Cấu hình không hợp lệ", "Invalid configuration")                 \
	X(E_POLICY, -11, 422, "policy", "Vi phạm quy định an toàn thông tin", "Violates the security policy") \
	X(E_PARSE, -12, 400, "parse", "Không đọc được dữ liệu", "Cannot parse input")                    \
	X(E_UNSUPPORTED, -13, 415, "unsupported", "Không được hỗ trợ", "Not supported")                        \
	X(E_INTERNAL, -14, 500, "internal", "Lỗi nội bộ", "Internal error")                                 \
	X(E_AUTH, -15, 401, "auth", "Chưa xác thực hoặc xác thực không thành công", "Authentication failed") \
	X(E_PERM, -16, 403, "perm", "Không có quyền thực hiện", "Permission denied")                    \
	X(E_CONFLICT, -17, 409, "conflict", "Xung đột với trạng thái hiện tại", "Conflicts with the current state") \
	X(E_CORRUPT, -18, 500, "corrupt", "Dữ liệu bị hỏng hoặc bị thay đổi", "Data is corrupt or was altered") \
	X(E_CRYPTO, -19, 500, "crypto", "Lỗi mật mã", "Cryptographic failure")                            \
	X(E_LOCKED, -20, 423, "locked", "Tài khoản đang bị khóa", "Account is locked")                    \
	X(E_EXPIRED, -21, 403, "expired", "Đã hết hạn", "Expired")                                         \
	X(E_TIMEOUT, -22, 504, "timeout", "Hết thời gian chờ", "Timed out")                                \
	X(E_STATE, -23, 409, "state", "Chưa khởi tạo hoặc sai trạng thái", "Not initialised or wrong state") \
	X(E_RATE, -24, 429, "rate", "Quá nhiều yêu cầu", "Too many requests")                           \
	X(E_METHOD, -25, 405, "method", "Phương thức không được phép", "Method not allowed")              \
	X(E_NOTACCEPT, -26, 406, "notaccept", "Không thể trả về định dạng yêu cầu", "Not acceptable")        \
	X(E_INFECTED, -27, 422, "infected", "Tệp chứa mã độc", "File contains malware")

enum attt_err {
#define ATTT_ERR_ENUM(name, val, http, id, vi, en) ATTT_##name = (val),
	ATTT_ERRORS(ATTT_ERR_ENUM)
#undef ATTT_ERR_ENUM
	ATTT_ERR_MIN = -27
};

/* Message for err in English; "Unknown error" for a value outside the table. Never NULL. */
const char *attt_strerror(int err);
/* Message for err in Vietnamese (NFC, UTF-8). Never NULL. */
const char *attt_strerror_vi(int err);
/* Message in the language lang ("vi" or "en"; anything else gives Vietnamese, the default). */
const char *attt_strerror_lang(int err, const char *lang);
/* Stable lower-case name such as "notfound"; "unknown" outside the table. */
const char *attt_err_name(int err);
/* HTTP status the API answers err with; 500 outside the table. */
int attt_err_http_status(int err);

#endif
