/*
 * main.c: the attt program. Wiring only: find the noun, hand over to its cmd_ function. The work
 * lives in libattt so that the CLI, the server and the tests share it.
 */
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "attt/log.h"
#include "cli.h"
#include "commands.h"

struct command {
	const char *noun;
	int (*fn)(int argc, char **argv);
	const char *vi;
	const char *en;
};

static const struct command commands[] = {
#define ATTT_CMD_ROW(noun, vi, en) { #noun, cmd_##noun, vi, en },
	ATTT_COMMANDS(ATTT_CMD_ROW)
#undef ATTT_CMD_ROW
};

static void usage(FILE *f)
{
	fputs("attt: nền tảng bảo đảm an toàn thông tin mạng (network information security platform)\n\n"
	      "Cách dùng / usage: attt <lệnh / command> [tùy chọn / options]\n\n", f);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-10s %s / %s\n", commands[i].noun, commands[i].vi, commands[i].en);
	fputs("\nMỗi lệnh có --help / every command has --help. Exit: 0 ok, 1 lỗi/failure, 2 sai cú pháp/usage.\n", f);
}

int cmd_version(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("attt %s\n", ATTT_VERSION);
	return ATTT_EXIT_OK;
}

int main(int argc, char **argv)
{
	setlocale(LC_ALL, "C.UTF-8");
	if (sodium_init() < 0) {
		fputs("attt: libsodium không khởi tạo được (libsodium failed to initialise)\n", stderr);
		return ATTT_EXIT_FAIL;
	}
	attt_log_open(2, ATTT_LOG_AUTO, ATTT_LOG_WARN);
	if (argc < 2) {
		usage(stderr);
		return ATTT_EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return ATTT_EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0)
		return cmd_version(argc - 1, argv + 1);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[1], commands[i].noun) == 0)
			return commands[i].fn(argc - 1, argv + 1);
	return cli_usage("lệnh không có: %s (unknown command)", argv[1]);
}
