/*
 * commands.h: the nouns of the attt command line, one line each. Each noun N is implemented by
 * int cmd_N(int argc, char **argv) in src/attt/cmd_N.c, where argv[0] is the noun; it returns the
 * process exit code (0 success, 1 failure, 2 usage).
 * X(noun, "Vietnamese summary", "English summary")
 */
#ifndef ATTT_COMMANDS_H
#define ATTT_COMMANDS_H

#define ATTT_COMMANDS(X) \
	X(init, "Khởi tạo thư mục dữ liệu", "Initialise a data directory") \
	X(serve, "Chạy máy chủ HTTP", "Run the HTTP server") \
	X(config, "Kiểm tra và xem cấu hình máy chủ", "Check and show the server configuration") \
	X(policy, "Xem và kiểm tra hồ sơ chính sách", "Show and check policy profiles") \
	X(db, "Cơ sở dữ liệu: trạng thái, cập nhật, sao chép", "Database status, migrations, copy") \
	X(agency, "Cơ quan, đơn vị và cây tổ chức", "Agencies and their tree") \
	X(person, "Cán bộ, công chức, người lao động", "People of the agencies") \
	X(user, "Tài khoản đăng nhập, khóa, cấp lại mật khẩu, thôi việc", "Accounts, locks, resets, offboarding") \
	X(review, "Rà soát tài khoản và quyền định kỳ", "Periodic account reviews") \
	X(audit, "Nhật ký kiểm toán: kiểm tra, bằng chứng, xuất", "Audit trail: verify, proofs, export") \
	X(backup, "Sao lưu mã hóa, có chữ ký số", "Encrypted, signed backups") \
	X(incident, "Sự cố an toàn thông tin: báo cáo, phân loại, 5 bước, Mẫu 03/04/05", "Incidents: report, classify, five steps, forms") \
	X(version, "In phiên bản", "Print the version")

#define ATTT_CMD_DECL(noun, vi, en) int cmd_##noun(int argc, char **argv);
ATTT_COMMANDS(ATTT_CMD_DECL)
#undef ATTT_CMD_DECL

#endif
