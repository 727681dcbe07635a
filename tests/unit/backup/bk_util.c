/* bk_util.c: tree generation and comparison for the backup tests (see bk_util.h). */
#include "bk_util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

uint64_t bk_rand(struct bk_rng *r)
{
	/* splitmix64 */
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void bk_fill(struct bk_rng *r, uint8_t *p, size_t n, bool compressible)
{
	static const char *const words[] = { "công văn ", "an toàn ", "thông tin ", "sao lưu ", "report ", "\n" };
	size_t i = 0;
	if (compressible) {
		while (i < n) {
			const char *w = words[bk_rand(r) % 6];
			size_t l = strlen(w);
			if (l > n - i)
				l = n - i;
			memcpy(p + i, w, l);
			i += l;
		}
		return;
	}
	for (; i + 8 <= n; i += 8) {
		uint64_t v = bk_rand(r);
		memcpy(p + i, &v, 8);
	}
	for (; i < n; i++)
		p[i] = (uint8_t)bk_rand(r);
}

void bk_tmpdir(char *out, size_t size)
{
	char tmpl[] = "/tmp/attt-bk-XXXXXX";
	if (!mkdtemp(tmpl))
		abort();
	snprintf(out, size, "%s", tmpl);
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)flag;
	(void)f;
	return remove(p);
}

void bk_rm_rf(const char *path)
{
	nftw(path, rm_one, 32, FTW_DEPTH | FTW_PHYS);
}

void bk_write(const char *path, const void *p, size_t n)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, p, n) != (ssize_t)n)
		abort();
	close(fd);
}

static void set_time(const char *path, struct bk_rng *r, bool nofollow)
{
	struct timespec ts[2];
	ts[0].tv_sec = 1600000000 + (time_t)(bk_rand(r) % 100000000);
	ts[0].tv_nsec = (long)(bk_rand(r) % 1000000000);
	ts[1].tv_sec = 1500000000 + (time_t)(bk_rand(r) % 100000000);
	ts[1].tv_nsec = (long)(bk_rand(r) % 1000000000);
	utimensat(AT_FDCWD, path, ts, nofollow ? AT_SYMLINK_NOFOLLOW : 0);
}

void bk_gen_tree(const char *dir, uint64_t seed, unsigned files, bool big)
{
	struct bk_rng r = { seed };
	char path[4096], d2[4096];
	uint8_t *buf = malloc(3u << 20);
	/* Vietnamese "Việt Nam" in NFC (U+1EC7) and NFD (e + U+0323 + U+0302): different bytes. */
	static const char *const names[] = { "Vi\xe1\xbb\x87t Nam.txt", "Vie\xcc\xa3\xcc\x82t Nam.txt",
					     "b\xc3\xa1o c\xc3\xa1o", "space name", "tab\tname", "q'\"uote",
					     "\xff\xfe-not-utf8", "-dash", "UPPER", "upper" };
	static const char *const dirs[] = { "a", "a/b", "a/b/c", "d\xe1\xbb\xa9", "e", "e/empty", "empty" };

	if (!buf)
		abort();
	mkdir(dir, 0755);
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, dirs[i]);
		mkdir(path, 0700 | (mode_t)(bk_rand(&r) % 2 ? 055 : 0));
	}
	for (unsigned i = 0; i < files; i++) {
		const char *sub = dirs[bk_rand(&r) % 5];
		size_t n;
		switch (bk_rand(&r) % 6) {
		case 0: n = 0; break;
		case 1: n = bk_rand(&r) % 100; break;
		case 2: n = bk_rand(&r) % 20000; break;
		case 3: n = bk_rand(&r) % (3u << 20); break;
		default: n = bk_rand(&r) % 300000; break;
		}
		if (i < sizeof(names) / sizeof(names[0]))
			snprintf(path, sizeof(path), "%s/%s/%s", dir, sub, names[i]);
		else
			snprintf(path, sizeof(path), "%s/%s/f%u", dir, sub, i);
		bk_fill(&r, buf, n, bk_rand(&r) % 2);
		bk_write(path, buf, n);
		chmod(path, (mode_t)(0400 | (bk_rand(&r) % 0777)));
		set_time(path, &r, false);
	}
	/* A file in two places (hard link), symlinks (dangling too), a fifo. */
	snprintf(path, sizeof(path), "%s/a/linked", dir);
	bk_fill(&r, buf, 5000, false);
	bk_write(path, buf, 5000);
	snprintf(d2, sizeof(d2), "%s/e/linked-too", dir);
	link(path, d2);
	snprintf(d2, sizeof(d2), "%s/a/b/linked-3", dir);
	link(path, d2);
	snprintf(path, sizeof(path), "%s/a/sym", dir);
	symlink("../e/linked-too", path);
	set_time(path, &r, true);
	snprintf(path, sizeof(path), "%s/dangling", dir);
	symlink("/nonexistent/Vi\xe1\xbb\x87t", path);
	snprintf(path, sizeof(path), "%s/fifo", dir);
	mkfifo(path, 0640);
	if (big) {
		/* 96 MiB apparent, a few MiB of data: holes at the start, middle and end. */
		int fd;
		snprintf(path, sizeof(path), "%s/e/sparse.img", dir);
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		bk_fill(&r, buf, 1u << 20, false);
		pwrite(fd, buf, 1u << 20, 8u << 20);
		pwrite(fd, buf, 1u << 20, 50u << 20);
		ftruncate(fd, 96u << 20);
		close(fd);
		set_time(path, &r, false);
	}
	for (size_t i = sizeof(dirs) / sizeof(dirs[0]); i-- > 0;) {
		snprintf(path, sizeof(path), "%s/%s", dir, dirs[i]);
		set_time(path, &r, false);
	}
	free(buf);
}

static int cmp_files(const char *a, const char *b)
{
	FILE *fa = fopen(a, "rbe"), *fb = fopen(b, "rbe");
	int r = 0;
	static char ba[65536], bb[65536];
	if (!fa || !fb) {
		r = -1;
		goto out;
	}
	for (;;) {
		size_t na = fread(ba, 1, sizeof(ba), fa), nb = fread(bb, 1, sizeof(bb), fb);
		if (na != nb || memcmp(ba, bb, na) != 0) {
			r = -1;
			break;
		}
		if (na == 0)
			break;
	}
out:
	if (fa)
		fclose(fa);
	if (fb)
		fclose(fb);
	return r;
}

struct ino_map { ino_t a, b; };

static int cmp_rec(const char *a, const char *b, struct ino_map *m, size_t *nm)
{
	struct stat sa, sb;
	if (lstat(a, &sa) < 0 || lstat(b, &sb) < 0) {
		fprintf(stderr, "compare: missing %s or %s\n", a, b);
		return -1;
	}
	if ((sa.st_mode & S_IFMT) != (sb.st_mode & S_IFMT) || (sa.st_mode & 07777) != (sb.st_mode & 07777) ||
	    sa.st_uid != sb.st_uid || sa.st_gid != sb.st_gid) {
		fprintf(stderr, "compare: type/mode/owner differ: %s (%o %o)\n", b, sa.st_mode, sb.st_mode);
		return -1;
	}
	if (!S_ISDIR(sa.st_mode) && sa.st_size != sb.st_size) {
		fprintf(stderr, "compare: size differs: %s\n", b);
		return -1;
	}
	if (sa.st_mtim.tv_sec != sb.st_mtim.tv_sec || sa.st_mtim.tv_nsec != sb.st_mtim.tv_nsec) {
		fprintf(stderr, "compare: mtime differs: %s\n", b);
		return -1;
	}
	if (S_ISLNK(sa.st_mode)) {
		char la[4096], lb[4096];
		ssize_t x = readlink(a, la, sizeof(la)), y = readlink(b, lb, sizeof(lb));
		if (x != y || x < 0 || memcmp(la, lb, (size_t)x) != 0) {
			fprintf(stderr, "compare: link target differs: %s\n", b);
			return -1;
		}
		return 0;
	}
	if (S_ISREG(sa.st_mode)) {
		if (sa.st_nlink != sb.st_nlink) {
			fprintf(stderr, "compare: link count differs: %s\n", b);
			return -1;
		}
		if (sa.st_nlink > 1) {
			for (size_t i = 0; i < *nm; i++)
				if (m[i].a == sa.st_ino) {
					if (m[i].b != sb.st_ino) {
						fprintf(stderr, "compare: hard link broken: %s\n", b);
						return -1;
					}
					return 0;
				}
			m[*nm].a = sa.st_ino;
			m[*nm].b = sb.st_ino;
			(*nm)++;
		}
		/* Holes stay holes: the copy takes no more blocks than the original (plus a little). */
		if (sb.st_blocks > sa.st_blocks + 64) {
			fprintf(stderr, "compare: sparse file filled: %s (%ld > %ld blocks)\n", b, (long)sb.st_blocks,
				(long)sa.st_blocks);
			return -1;
		}
		if (cmp_files(a, b) != 0) {
			fprintf(stderr, "compare: content differs: %s\n", b);
			return -1;
		}
		return 0;
	}
	if (S_ISDIR(sa.st_mode)) {
		struct dirent **la = NULL, **lb = NULL;
		int na = scandir(a, &la, NULL, alphasort), nb = scandir(b, &lb, NULL, alphasort), r = 0;
		if (na != nb) {
			fprintf(stderr, "compare: entry count differs: %s (%d %d)\n", b, na, nb);
			r = -1;
		}
		for (int i = 0; r == 0 && i < na; i++) {
			char pa[4096], pb[4096];
			if (strcmp(la[i]->d_name, lb[i]->d_name) != 0) {
				fprintf(stderr, "compare: names differ in %s\n", b);
				r = -1;
				break;
			}
			if (!strcmp(la[i]->d_name, ".") || !strcmp(la[i]->d_name, ".."))
				continue;
			snprintf(pa, sizeof(pa), "%s/%s", a, la[i]->d_name);
			snprintf(pb, sizeof(pb), "%s/%s", b, lb[i]->d_name);
			r = cmp_rec(pa, pb, m, nm);
		}
		for (int i = 0; i < na; i++)
			free(la[i]);
		for (int i = 0; i < nb; i++)
			free(lb[i]);
		free(la);
		free(lb);
		return r;
	}
	return 0;
}

int bk_compare(const char *a, const char *b)
{
	static struct ino_map m[4096];
	size_t nm = 0;
	return cmp_rec(a, b, m, &nm);
}

static uint64_t du_total;
static int du_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	(void)p;
	(void)f;
	if (flag == FTW_F && S_ISREG(st->st_mode))
		du_total += (uint64_t)st->st_size;
	return 0;
}

uint64_t bk_du(const char *dir)
{
	du_total = 0;
	nftw(dir, du_one, 32, FTW_PHYS);
	return du_total;
}
