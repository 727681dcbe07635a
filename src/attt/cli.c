/* cli.c: helpers shared by the subcommands (see cli.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "attt/err.h"
#include "cli.h"

const char *cli_data_dir(const char *opt)
{
	const char *d = opt ? opt : getenv("ATTT_DATA");
	if (!d || !*d) {
		cli_usage("cần --data DIR hoặc biến ATTT_DATA (--data DIR or ATTT_DATA is required)");
		return NULL;
	}
	return d;
}

int cli_fail(int err, const char *fmt, ...)
{
	va_list ap;
	fputs("attt: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, ": %s (%s)\n", attt_strerror_vi(err), attt_strerror(err));
	return ATTT_EXIT_FAIL;
}

int cli_usage(const char *fmt, ...)
{
	va_list ap;
	fputs("attt: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nXem / see: attt --help\n", stderr);
	return ATTT_EXIT_USAGE;
}

int cli_print_json(json_t *j)
{
	char *s;
	if (!j)
		return cli_fail(ATTT_E_NOMEM, "json");
	s = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	if (!s)
		return cli_fail(ATTT_E_NOMEM, "json");
	puts(s);
	free(s);
	return fflush(stdout) == 0 ? ATTT_EXIT_OK : ATTT_EXIT_FAIL;
}

int cli_read_file(const char *path, size_t max, char **ret, size_t *ret_len)
{
	int fd = -1, r;
	struct stat st;
	char *buf = NULL;
	size_t got = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		r = errno == ENOENT ? ATTT_E_NOTFOUND : ATTT_E_IO;
		goto out;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		r = ATTT_E_IO;
		goto out;
	}
	if ((uint64_t)st.st_size > max) {
		r = ATTT_E_TOOBIG;
		goto out;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		r = ATTT_E_NOMEM;
		goto out;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			r = ATTT_E_IO;
			goto out;
		}
		got += (size_t)n;
	}
	buf[got] = '\0';
	*ret = buf;
	buf = NULL;
	if (ret_len)
		*ret_len = got;
	r = ATTT_OK;
out:
	free(buf);
	if (fd >= 0)
		close(fd);
	return r;
}

bool cli_wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return true;
	return false;
}
