/*
 * app.c: making and opening a data directory (see app.h for the layout).
 *
 * attt_app_init writes every file under a temporary name, fsyncs it and links it into place with
 * link(2), which, unlike rename(2), never replaces a file another process made meanwhile; attt.db
 * comes last, so its presence means the directory is complete. Everything made is recorded in an
 * undo list and removed again if a later step fails. Secret keys pass through memory only in
 * buffers wiped with sodium_memzero.
 *
 * attt_app_open checks the directory, opens and migrates the database and loads the configuration
 * and the policy profile; each failure leaves a "file:line: vi (en)" line in err.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>

#include "attt/app.h"
#include "attt/audit.h"
#include "attt/buf.h"
#include "attt/config.h"
#include "attt/db.h"
#include "attt/err.h"
#include "attt/limits.h"
#include "attt/log.h"
#include "attt/policy.h"
#include "attt/str.h"
#include "app-int.h"

#ifndef ATTT_VERSION
#define ATTT_VERSION "0"
#endif

struct attt_app {
	char *dir;     /* absolute */
	char *db_path; /* DIR/attt.db */
	char data_id[2 * 16 + 1];
	struct attt_db *db;
	struct attt_config *cfg;
	struct attt_policy *pol;
	struct attt_clock clock;
	struct attt_rng rng;
	bool readonly;
#ifdef ATTT_TEST_HOOKS
	struct test_clock *test_clock;
#endif
};

int (*attt__app_init_fault)(const char *step);

static int fault(const char *step)
{
	return attt__app_init_fault ? attt__app_init_fault(step) : ATTT_OK;
}

/* err[errsz] = "<prefix>: <vi> (<en>)" where vi/en describe r, unless a loader already wrote one. */
static void set_err(char *err, size_t errsz, int r, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void set_err(char *err, size_t errsz, int r, const char *fmt, ...)
{
	char what[ATTT_MAX_PATH + 256];
	va_list ap;

	if (!err || errsz == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	snprintf(err, errsz, "%s: %s (%s)", what, attt_strerror_vi(r), attt_strerror(r));
}

static int errno_err(int e)
{
	switch (e) {
	case ENOENT:
	case ENOTDIR:
		return ATTT_E_NOTFOUND;
	case EEXIST:
	case ENOTEMPTY:
		return ATTT_E_EXISTS;
	case EACCES:
	case EPERM:
		return ATTT_E_PERM;
	case ENOMEM:
		return ATTT_E_NOMEM;
	case ENAMETOOLONG:
		return ATTT_E_TOOBIG;
	default:
		return ATTT_E_IO;
	}
}

static int join(char *buf, size_t size, const char *a, const char *b)
{
	return attt_str_printf(buf, size, "%s/%s", a, b);
}

static int fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int r = ATTT_OK;
	if (fd < 0)
		return errno_err(errno);
	if (fsync(fd) < 0)
		r = ATTT_E_IO;
	close(fd);
	return r;
}

static int fsync_parent(const char *path)
{
	char parent[ATTT_MAX_PATH];
	char *slash;
	int r = attt_str_copy(parent, sizeof(parent), path);

	if (r < 0)
		return r;
	/* Trailing slashes do not name another directory. */
	for (size_t n = strlen(parent); n > 1 && parent[n - 1] == '/'; n--)
		parent[n - 1] = '\0';
	slash = strrchr(parent, '/');
	if (!slash)
		return fsync_dir(".");
	if (slash == parent)
		slash[1] = '\0';
	else
		*slash = '\0';
	return fsync_dir(parent);
}

/* What init made, removed in reverse order if init fails. */
#define UNDO_MAX 16
struct undo {
	char path[UNDO_MAX][ATTT_MAX_PATH];
	bool is_dir[UNDO_MAX];
	int n;
};

static void undo_add(struct undo *u, const char *path, bool is_dir)
{
	/* The list is sized for everything init makes; a miss is a programming error. */
	if (u->n < UNDO_MAX && attt_str_copy(u->path[u->n], sizeof(u->path[u->n]), path) == ATTT_OK) {
		u->is_dir[u->n] = is_dir;
		u->n++;
	}
}

static void undo_run(struct undo *u)
{
	while (u->n > 0) {
		u->n--;
		if (u->is_dir[u->n])
			rmdir(u->path[u->n]);
		else
			unlink(u->path[u->n]);
	}
}

/* Writes data[0..len) to dir/name with exactly mode: name.tmp, fsync, link, unlink name.tmp.
 * ATTT_E_EXISTS if dir/name exists. */
static int write_file(struct undo *u, const char *dir, const char *name, const void *data, size_t len, mode_t mode)
{
	char path[ATTT_MAX_PATH], tmp[ATTT_MAX_PATH];
	const char *p = data;
	int fd = -1, r;

	r = join(path, sizeof(path), dir, name);
	if (r < 0)
		return r;
	r = attt_str_printf(tmp, sizeof(tmp), "%s.tmp", path);
	if (r < 0)
		return r;
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return errno_err(errno);
	if (fchmod(fd, mode) < 0) {
		r = ATTT_E_IO;
		goto out;
	}
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			r = ATTT_E_IO;
			goto out;
		}
		p += n;
		len -= (size_t)n;
	}
	if (fsync(fd) < 0) {
		r = ATTT_E_IO;
		goto out;
	}
	if (link(tmp, path) < 0) {
		r = errno_err(errno);
		goto out;
	}
	undo_add(u, path, false);
	r = ATTT_OK;
out:
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	return r;
}

/* A directory that init may use: missing (created), or empty ("lost+found" aside). */
static int prepare_dir(struct undo *u, const char *dir, char *err, size_t errsz)
{
	struct stat st;
	DIR *d = NULL;
	struct dirent *e;
	char db[ATTT_MAX_PATH];
	int r;

	if (mkdir(dir, 0700) == 0) {
		undo_add(u, dir, true);
		if (chmod(dir, 0700) < 0) { /* mkdir honours the umask: make the mode exact */
			r = ATTT_E_IO;
			set_err(err, errsz, r, "%s", dir);
			return r;
		}
		return ATTT_OK;
	}
	if (errno != EEXIST) {
		r = errno_err(errno);
		set_err(err, errsz, r, "%s: không tạo được thư mục (cannot create the directory)", dir);
		return r;
	}
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		r = ATTT_E_EXISTS;
		set_err(err, errsz, r, "%s: không phải thư mục (not a directory)", dir);
		return r;
	}
	r = join(db, sizeof(db), dir, ATTT_APP_DB_FILE);
	if (r < 0)
		return r;
	if (access(db, F_OK) == 0) {
		r = ATTT_E_EXISTS;
		set_err(err, errsz, r, "%s: thư mục dữ liệu đã được khởi tạo (the data directory is already initialised)", dir);
		return r;
	}
	d = opendir(dir);
	if (!d) {
		r = errno_err(errno);
		set_err(err, errsz, r, "%s", dir);
		return r;
	}
	r = ATTT_OK;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 || strcmp(e->d_name, "lost+found") == 0)
			continue;
		r = ATTT_E_EXISTS;
		set_err(err, errsz, r, "%s: thư mục không trống (the directory is not empty)", dir);
		break;
	}
	closedir(d);
	if (r < 0)
		return r;
	if (chmod(dir, 0700) < 0) {
		r = errno_err(errno);
		set_err(err, errsz, r, "%s: chmod 0700", dir);
	}
	return r;
}

/* Writes the three key files into keysdir. */
static int write_keys(struct undo *u, const char *keysdir, char *err, size_t errsz)
{
	unsigned char seed[crypto_sign_SEEDBYTES], pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
	unsigned char hmac[ATTT_APP_KEY_BYTES];
	char hex[2 * ATTT_APP_KEY_BYTES + 2];
	int r;

	/* R7.1: the audit checkpoint signer; the key stays outside the database. */
	randombytes_buf(seed, sizeof(seed));
	if (crypto_sign_seed_keypair(pk, sk, seed) != 0) {
		r = ATTT_E_CRYPTO;
		goto out;
	}
	sodium_bin2hex(hex, sizeof(hex), seed, sizeof(seed));
	hex[2 * sizeof(seed)] = '\n';
	r = write_file(u, keysdir, ATTT_APP_AUDIT_KEY, hex, 2 * sizeof(seed) + 1, 0600);
	if (r < 0)
		goto out;
	sodium_bin2hex(hex, sizeof(hex), pk, sizeof(pk));
	hex[2 * sizeof(pk)] = '\n';
	r = write_file(u, keysdir, ATTT_APP_AUDIT_PUB, hex, 2 * sizeof(pk) + 1, 0644);
	if (r < 0)
		goto out;
	randombytes_buf(hmac, sizeof(hmac));
	sodium_bin2hex(hex, sizeof(hex), hmac, sizeof(hmac));
	hex[2 * sizeof(hmac)] = '\n';
	r = write_file(u, keysdir, ATTT_APP_SECRET_KEY, hex, 2 * sizeof(hmac) + 1, 0600);
out:
	if (r < 0)
		set_err(err, errsz, r, "%s: không ghi được khóa (cannot write the keys)", keysdir);
	sodium_memzero(seed, sizeof(seed));
	sodium_memzero(sk, sizeof(sk));
	sodium_memzero(hmac, sizeof(hmac));
	sodium_memzero(hex, sizeof(hex));
	return r;
}

/* The default attt.ini: every option of the config table, commented out at its default, under its
 * section, except [policy] profile, which init sets. */
static int ini_text(const char *profile, char **ret, size_t *ret_len)
{
	struct attt_buf b;
	char section[64] = "";
	int r;

	attt_buf_init(&b, ATTT_MAX_CONFIG_FILE);
	r = attt_buf_adds(&b, "; attt.ini: cấu hình của thư mục dữ liệu này (configuration of this data directory).\n"
			      "; Mỗi tùy chọn được ghi ở giá trị mặc định, trong chú thích; bỏ dấu ';' để đổi.\n"
			      "; Every option is listed at its default, commented out; remove the ';' to change it.\n"
			      "; Kiểm tra / check: attt config check --data DIR. Tài liệu / docs: docs/configuration.md\n");
	for (size_t i = 0; r >= 0 && i < attt_config_option_count(); i++) {
		const struct attt_config_option *o = attt_config_option_at(i);
		const char *dot = strchr(o->name, '.');
		size_t slen;

		if (!dot || (slen = (size_t)(dot - o->name)) >= sizeof(section))
			continue;
		if (strncmp(section, o->name, slen) != 0 || section[slen] != '\0') {
			memcpy(section, o->name, slen);
			section[slen] = '\0';
			r = attt_buf_addf(&b, "\n[%s]\n", section);
			if (r < 0)
				break;
		}
		r = attt_buf_addf(&b, "; %s\n; %s\n", o->vi, o->en);
		if (r < 0)
			break;
		if (strcmp(o->name, "policy.profile") == 0)
			r = attt_buf_addf(&b, "%s = %s\n", dot + 1, profile);
		else if (o->def && *o->def)
			r = attt_buf_addf(&b, "; %s = %s\n", dot + 1, o->def);
		else
			r = attt_buf_addf(&b, "; %s =\n", dot + 1);
	}
	if (r < 0) {
		attt_buf_done(&b);
		return r;
	}
	*ret = attt_buf_steal(&b, ret_len);
	return *ret ? ATTT_OK : ATTT_E_NOMEM;
}

/* The profile as attt.ini will name it: an embedded name as is, a file by its absolute path (the
 * configuration resolves relative paths against the data directory, not the caller's cwd). */
static int profile_value(const char *profile, char *buf, size_t size)
{
	bool is_file = strchr(profile, '/') || (strlen(profile) > 4 && strcmp(profile + strlen(profile) - 4, ".ini") == 0);
	char *abs;
	int r;

	for (const char *p = profile; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == ';' || *p == '#')
			return ATTT_E_INVAL;
	if (!is_file)
		return attt_str_copy(buf, size, profile);
	abs = realpath(profile, NULL);
	if (!abs)
		return errno_err(errno);
	r = attt_str_copy(buf, size, abs);
	free(abs);
	return r;
}

/* Creates the database at DIR/attt.db.init, migrates it, writes the meta rows. */
struct meta_ctx {
	const char *data_id;
	const char *created_at;
	const char *summary; /* of the system.init event */
};

static int put_meta(struct attt_db *db, const char *key, const char *value)
{
	struct attt_stmt *st = NULL;
	int r = attt_db_prepare(db, "INSERT INTO meta (key, value) VALUES (?, ?)", &st);
	if (r < 0)
		return r;
	if ((r = attt_stmt_bind_text(st, 1, key)) >= 0 && (r = attt_stmt_bind_text(st, 2, value)) >= 0)
		r = attt_stmt_step(st);
	attt_stmt_finalize(st);
	return r < 0 ? r : ATTT_OK;
}

static int meta_tx(struct attt_db *db, void *vctx)
{
	struct meta_ctx *c = vctx;
	int r;
	static const struct attt_actor init_actor = { .username = "cli", .source = "cli" };
	/* R7.2: the configuration's creation is the trail's first event, in the same transaction. */
	struct attt_audit_event ev = { .category = ATTT_AUDIT_CONFIG, .action = "system.init", .object_type = "config",
				       .object_id = ATTT_CONFIG_FILE_NAME, .outcome = ATTT_AUDIT_SUCCESS, .rule = "R7.2",
				       .summary = c->summary };
	if ((r = put_meta(db, "data_id", c->data_id)) < 0 || (r = put_meta(db, "created_at", c->created_at)) < 0 ||
	    (r = put_meta(db, "created_by", ATTT_VERSION)) < 0 ||
	    (r = attt_audit_append(db, &attt_clock_system, &init_actor, &ev, NULL)) < 0)
		return r;
	return ATTT_OK;
}

static int make_db(struct undo *u, const char *dir, const char *profile, char *err, size_t errsz)
{
	char tmp[ATTT_MAX_PATH], path[ATTT_MAX_PATH], side[ATTT_MAX_PATH], when[32];
	unsigned char id[16];
	char idhex[2 * sizeof(id) + 1];
	struct attt_db *db = NULL;
	struct meta_ctx mc;
	json_t *summary;
	int fd, r;

	if ((r = join(path, sizeof(path), dir, ATTT_APP_DB_FILE)) < 0 ||
	    (r = attt_str_printf(tmp, sizeof(tmp), "%s.init", path)) < 0)
		return r;
	/* Made here, not by SQLite, so that it is 0600 whatever the umask (the -wal and -shm files
	 * SQLite makes later copy this mode). */
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		r = errno_err(errno);
		goto fail;
	}
	undo_add(u, tmp, false);
	/* Should SQLite leave its side files behind after a failure, they go too. */
	if (attt_str_printf(side, sizeof(side), "%s-wal", tmp) == ATTT_OK)
		undo_add(u, side, false);
	if (attt_str_printf(side, sizeof(side), "%s-shm", tmp) == ATTT_OK)
		undo_add(u, side, false);
	r = fchmod(fd, 0600) < 0 ? ATTT_E_IO : ATTT_OK;
	close(fd);
	if (r < 0)
		goto fail;
	r = attt_db_open(tmp, 0, &db);
	if (r < 0)
		goto fail;
	r = attt_db_migrate(db);
	if (r < 0)
		goto fail;
	randombytes_buf(id, sizeof(id));
	sodium_bin2hex(idhex, sizeof(idhex), id, sizeof(id));
	if ((r = attt_str_printf(when, sizeof(when), "%lld", (long long)attt_now_us(&attt_clock_system))) < 0)
		goto fail;
	mc.data_id = idhex;
	mc.created_at = when;
	summary = json_pack("{s:s, s:s, s:s}", "profile", profile, "data_id", idhex, "version", ATTT_VERSION);
	mc.summary = summary ? json_dumps(summary, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(summary);
	if (!mc.summary) {
		r = ATTT_E_NOMEM;
		goto fail;
	}
	r = attt_db_tx(db, meta_tx, &mc);
	free((char *)mc.summary);
	mc.summary = NULL;
	if (r < 0)
		goto fail;
	/* Closing the last connection checkpoints the WAL into the file and removes -wal and -shm. */
	attt_db_close(db);
	db = NULL;
	fd = open(tmp, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fsync(fd) < 0)
		r = ATTT_E_IO;
	if (fd >= 0)
		close(fd);
	if (r >= 0)
		r = fault("db");
	if (r < 0)
		goto fail;
	if (link(tmp, path) < 0) {
		r = errno_err(errno);
		goto fail;
	}
	undo_add(u, path, false);
	unlink(tmp);
	return ATTT_OK;
fail:
	attt_db_close(db);
	set_err(err, errsz, r, "%s: không tạo được cơ sở dữ liệu (cannot create the database)", path);
	return r;
}

int attt_app_init_ex(const char *dir, const struct attt_app_init_opts *opts, char *err, size_t errsz)
{
	struct undo *u = NULL;
	struct attt_policy *pol = NULL;
	const char *profile = opts && opts->profile && *opts->profile ? opts->profile : ATTT_POLICY_DEFAULT;
	char keys[ATTT_MAX_PATH], pval[ATTT_MAX_PATH], perr[1024];
	char *ini = NULL;
	size_t inilen = 0;
	int r;

	if (err && errsz)
		err[0] = '\0';
	if (!dir || !*dir) {
		set_err(err, errsz, ATTT_E_INVAL, "thiếu thư mục dữ liệu (no data directory given)");
		return ATTT_E_INVAL;
	}
	if (strlen(dir) > ATTT_MAX_PATH - 64) {
		set_err(err, errsz, ATTT_E_TOOBIG, "%.64s...", dir);
		return ATTT_E_TOOBIG;
	}
	/* The profile first: nothing is written for a profile that would not load. */
	perr[0] = '\0';
	r = attt_policy_load_named(profile, &pol, perr, sizeof(perr));
	if (r < 0) {
		if (perr[0])
			attt_str_printf(err, errsz, "%s", perr);
		else
			set_err(err, errsz, r, "hồ sơ chính sách %s (policy profile)", profile);
		goto out;
	}
	r = profile_value(profile, pval, sizeof(pval));
	if (r < 0) {
		set_err(err, errsz, r, "hồ sơ chính sách %s (policy profile)", profile);
		goto out;
	}
	r = ini_text(pval, &ini, &inilen);
	if (r < 0) {
		set_err(err, errsz, r, "attt.ini");
		goto out;
	}
	u = calloc(1, sizeof(*u));
	if (!u) {
		r = ATTT_E_NOMEM;
		set_err(err, errsz, r, "%s", dir);
		goto out;
	}
	r = prepare_dir(u, dir, err, errsz);
	if (r >= 0 && (r = fault("dir")) < 0)
		set_err(err, errsz, r, "%s", dir);
	if (r < 0)
		goto out;
	if ((r = join(keys, sizeof(keys), dir, ATTT_APP_KEYS_DIR)) < 0)
		goto out;
	if (mkdir(keys, 0700) < 0) {
		r = errno_err(errno);
		set_err(err, errsz, r, "%s", keys);
		goto out;
	}
	undo_add(u, keys, true);
	if (chmod(keys, 0700) < 0) {
		r = ATTT_E_IO;
		set_err(err, errsz, r, "%s", keys);
		goto out;
	}
	r = write_keys(u, keys, err, errsz);
	if (r >= 0 && (r = fault("keys")) < 0)
		set_err(err, errsz, r, "%s", keys);
	if (r < 0)
		goto out;
	if ((r = fsync_dir(keys)) < 0) {
		set_err(err, errsz, r, "%s", keys);
		goto out;
	}
	r = write_file(u, dir, ATTT_CONFIG_FILE_NAME, ini, inilen, 0600);
	if (r >= 0)
		r = fault("ini");
	if (r < 0) {
		set_err(err, errsz, r, "%s/%s", dir, ATTT_CONFIG_FILE_NAME);
		goto out;
	}
	/* Last: attt.db marks the directory as initialised. */
	r = make_db(u, dir, pval, err, errsz);
	if (r < 0)
		goto out;
	r = fsync_dir(dir);
	if (r >= 0 && u->n > 0 && u->is_dir[0] && strcmp(u->path[0], dir) == 0)
		r = fsync_parent(dir); /* init made dir: its entry in the parent must last too */
	if (r < 0) {
		set_err(err, errsz, r, "%s", dir);
		goto out;
	}
	u->n = 0; /* keep everything */
	log_debug("initialised data directory %s with profile %s", dir, profile);
out:
	if (u) {
		undo_run(u);
		free(u);
	}
	free(ini);
	attt_policy_free(pol);
	return r;
}

int attt_app_init(const char *dir, const struct attt_app_init_opts *opts)
{
	return attt_app_init_ex(dir, opts, NULL, 0);
}

#ifdef ATTT_TEST_HOOKS
/*
 * Test builds only (ATTT_TEST_HOOKS; cmake/attt.cmake refuses it in a Release build, so what
 * operators run has no such code): the system clock plus the whole seconds written in
 * DIR/ATTT_TEST_CLOCK_FILE, so that the integration tests move a running `attt serve` (and the CLI
 * beside it) through a lock period or a session lifetime without sleeping. The file is stat'ed at
 * every reading and re-read when it changed (inode, size or mtime: tests replace it by rename);
 * without it the offset is 0. See docs/testing.md.
 */
#define TEST_CLOCK_MAX_S (INT64_C(3650) * 86400) /* ten years either way */

struct test_clock {
	pthread_mutex_t lock;
	char path[ATTT_MAX_PATH];
	bool present;
	struct stat seen;
	int64_t offset_us;
};

static int64_t test_clock_read(const char *path)
{
	char buf[32];
	int64_t v = 0;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		n = 0;
	buf[n] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	if (attt_parse_int64(buf, -TEST_CLOCK_MAX_S, TEST_CLOCK_MAX_S, &v) < 0) {
		log_error("%s: not a number of seconds within ten years: offset 0", path);
		return 0;
	}
	log_warn("%s: test build: the clock runs %+lld s from the system clock", path, (long long)v);
	return v * ATTT_USEC_PER_SEC;
}

static int64_t test_clock_now(void *ctx)
{
	struct test_clock *t = ctx;
	struct stat st;
	bool present = stat(t->path, &st) == 0;
	int64_t off;

	pthread_mutex_lock(&t->lock);
	if (!present) {
		t->present = false;
		t->offset_us = 0;
	} else if (!t->present || st.st_ino != t->seen.st_ino || st.st_size != t->seen.st_size ||
		   st.st_mtim.tv_sec != t->seen.st_mtim.tv_sec || st.st_mtim.tv_nsec != t->seen.st_mtim.tv_nsec) {
		t->offset_us = test_clock_read(t->path);
		t->seen = st;
		t->present = true;
	}
	off = t->offset_us;
	pthread_mutex_unlock(&t->lock);
	return attt_now_us(&attt_clock_system) + off;
}

static int test_clock_start(struct attt_app *app)
{
	struct test_clock *t = calloc(1, sizeof(*t));
	int r;

	if (!t)
		return ATTT_E_NOMEM;
	r = join(t->path, sizeof(t->path), app->dir, ATTT_TEST_CLOCK_FILE);
	if (r < 0) {
		free(t);
		return r;
	}
	pthread_mutex_init(&t->lock, NULL);
	app->test_clock = t;
	app->clock.now_us = test_clock_now;
	app->clock.ctx = t;
	return ATTT_OK;
}

static void test_clock_free(struct test_clock *t)
{
	if (!t)
		return;
	pthread_mutex_destroy(&t->lock);
	free(t);
}
#endif

static int read_data_id(struct attt_app *app)
{
	struct attt_stmt *st = NULL;
	const char *v;
	int r;

	r = attt_db_prepare(app->db, "SELECT value FROM meta WHERE key = 'data_id'", &st);
	if (r < 0)
		return r;
	r = attt_stmt_step(st);
	if (r == 1) {
		v = attt_stmt_text(st, 0);
		r = v ? attt_str_copy(app->data_id, sizeof(app->data_id), v) : ATTT_E_CORRUPT;
	} else if (r == 0) {
		r = ATTT_E_STATE;
	}
	attt_stmt_finalize(st);
	return r;
}

int attt_app_open(const char *dir, unsigned flags, struct attt_app **ret, char *err, size_t errsz)
{
	struct attt_app *app = NULL;
	struct stat st;
	char ini[ATTT_MAX_PATH], msg[1024];
	const char *profile;
	int64_t ver = 0;
	int r;

	if (err && errsz)
		err[0] = '\0';
	if (!dir || !*dir || !ret) {
		r = ATTT_E_INVAL;
		set_err(err, errsz, r, "thiếu thư mục dữ liệu (no data directory given)");
		return r;
	}
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		r = ATTT_E_STATE;
		set_err(err, errsz, r, "%s: không có thư mục dữ liệu, hãy chạy attt init --data %s "
			"(no data directory: run attt init)", dir, dir);
		return r;
	}
	app = calloc(1, sizeof(*app));
	if (!app) {
		r = ATTT_E_NOMEM;
		set_err(err, errsz, r, "%s", dir);
		return r;
	}
	app->clock = attt_clock_system;
	app->rng = attt_rng_system;
	app->readonly = (flags & ATTT_APP_READONLY) != 0;
	app->dir = realpath(dir, NULL);
	if (!app->dir) {
		r = errno_err(errno);
		set_err(err, errsz, r, "%s", dir);
		goto out;
	}
	if ((st.st_mode & 077) != 0)
		/* The one warning the library gives itself: the operator must see it whatever the caller. */
		log_warn("%s: mode %04o is looser than 0700; run chmod 700 %s", app->dir, (unsigned)(st.st_mode & 07777),
			 app->dir);
	if (asprintf(&app->db_path, "%s/%s", app->dir, ATTT_APP_DB_FILE) < 0) {
		app->db_path = NULL;
		r = ATTT_E_NOMEM;
		set_err(err, errsz, r, "%s", dir);
		goto out;
	}
	if (access(app->db_path, F_OK) < 0) {
		r = ATTT_E_STATE;
		set_err(err, errsz, r, "%s: thư mục chưa được khởi tạo, hãy chạy attt init --data %s "
			"(not initialised: run attt init)", app->dir, dir);
		goto out;
	}
	r = attt_db_open(app->db_path, (flags & ATTT_APP_READONLY) ? ATTT_DB_READONLY : 0, &app->db);
	if (r < 0) {
		set_err(err, errsz, r, "%s", app->db_path);
		goto out;
	}
	if (flags & ATTT_APP_READONLY) {
		r = attt_db_schema_version(app->db, &ver);
		if (r >= 0 && ver != attt_db_schema_latest())
			r = ATTT_E_STATE;
	} else {
		r = attt_db_migrate(app->db);
	}
	if (r < 0) {
		if (r == ATTT_E_STATE)
			set_err(err, errsz, r, "%s: phiên bản lược đồ không khớp với chương trình này (%d), cần bản attt "
				"phù hợp (schema version does not match this binary's)", app->db_path,
				attt_db_schema_latest());
		else
			set_err(err, errsz, r, "%s: không cập nhật được lược đồ (migration failed)", app->db_path);
		goto out;
	}
	r = read_data_id(app);
	if (r < 0) {
		set_err(err, errsz, r, "%s: thiếu meta data_id (no data_id: not made by attt init)", app->db_path);
		goto out;
	}
#ifdef ATTT_TEST_HOOKS
	if ((r = test_clock_start(app)) < 0) {
		set_err(err, errsz, r, "%s", app->dir);
		goto out;
	}
#endif

	if ((r = join(ini, sizeof(ini), app->dir, ATTT_CONFIG_FILE_NAME)) < 0) {
		set_err(err, errsz, r, "%s", app->dir);
		goto out;
	}
	msg[0] = '\0';
	r = attt_config_load(access(ini, F_OK) == 0 ? ini : NULL, &app->cfg, msg, sizeof(msg));
	if (r < 0) {
		if (msg[0])
			attt_str_printf(err, errsz, "%s", msg);
		else
			set_err(err, errsz, r, "%s", ini);
		goto out;
	}
	profile = attt_config_string(app->cfg, "policy.profile");
	msg[0] = '\0';
	r = attt_policy_load_named(profile, &app->pol, msg, sizeof(msg));
	if (r < 0) {
		if (msg[0])
			attt_str_printf(err, errsz, "%s", msg);
		else
			set_err(err, errsz, r, "%s: [policy] profile = %s", ini, profile);
		goto out;
	}
	*ret = app;
	app = NULL;
	r = ATTT_OK;
out:
	attt_app_close(app);
	return r;
}

void attt_app_close(struct attt_app *app)
{
	if (!app)
		return;
	attt_db_close(app->db);
	attt_config_free(app->cfg);
	attt_policy_free(app->pol);
#ifdef ATTT_TEST_HOOKS
	test_clock_free(app->test_clock);
#endif
	free(app->db_path);
	free(app->dir);
	free(app);
}

struct attt_db *attt_app_db(struct attt_app *app)
{
	return app->db;
}

const char *attt_app_dir(const struct attt_app *app)
{
	return app->dir;
}

const char *attt_app_db_path(const struct attt_app *app)
{
	return app->db_path;
}

int attt_app_db_open(const struct attt_app *app, struct attt_db **ret)
{
	return attt_db_open(app->db_path, app->readonly ? ATTT_DB_READONLY : 0, ret);
}

const struct attt_config *attt_app_config(const struct attt_app *app)
{
	return app->cfg;
}

const struct attt_policy *attt_app_policy(const struct attt_app *app)
{
	return app->pol;
}

const char *attt_app_data_id(const struct attt_app *app)
{
	return app->data_id;
}

const struct attt_clock *attt_app_clock(const struct attt_app *app)
{
	return &app->clock;
}

const struct attt_rng *attt_app_rng(const struct attt_app *app)
{
	return &app->rng;
}

void attt_app_set_clock(struct attt_app *app, const struct attt_clock *clock)
{
	app->clock = clock ? *clock : attt_clock_system;
}

void attt_app_set_rng(struct attt_app *app, const struct attt_rng *rng)
{
	app->rng = rng ? *rng : attt_rng_system;
}

int attt_app_key_path(const struct attt_app *app, const char *name, char *buf, size_t size)
{
	if (!name || !*name || name[0] == '.')
		return ATTT_E_INVAL;
	for (const char *p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '.' ||
		      *p == '_' || *p == '-'))
			return ATTT_E_INVAL;
	return attt_str_printf(buf, size, "%s/%s/%s", app->dir, ATTT_APP_KEYS_DIR, name);
}

int attt_app_read_key(const struct attt_app *app, const char *name, unsigned char *out, size_t n)
{
	char path[ATTT_MAX_PATH];
	char text[2 * 256 + 2];
	unsigned char bin[256];
	struct stat st;
	size_t want, got = 0, binlen = 0;
	size_t nlen;
	int fd = -1, r;

	if (!out || n == 0 || n > sizeof(bin))
		return ATTT_E_INVAL;
	r = attt_app_key_path(app, name, path, sizeof(path));
	if (r < 0)
		return r;
	want = 2 * n + 1;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return errno_err(errno);
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		r = ATTT_E_IO;
		goto out;
	}
	nlen = strlen(name);
	/* R7.1: a secret key that others can read is no longer secret: refuse it, as ssh does. */
	if (nlen > 4 && strcmp(name + nlen - 4, ".key") == 0 && (st.st_mode & 077) != 0) {
		log_debug("%s: mode %04o, must not be readable by group or others", path, (unsigned)(st.st_mode & 07777));
		r = ATTT_E_PERM;
		goto out;
	}
	if ((size_t)st.st_size != want) {
		r = ATTT_E_CORRUPT;
		goto out;
	}
	while (got < want) {
		ssize_t k = read(fd, text + got, want - got);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			r = ATTT_E_IO;
			goto out;
		}
		got += (size_t)k;
	}
	r = ATTT_E_CORRUPT;
	if (text[want - 1] != '\n')
		goto out;
	for (size_t i = 0; i < want - 1; i++)
		if (!((text[i] >= '0' && text[i] <= '9') || (text[i] >= 'a' && text[i] <= 'f')))
			goto out;
	if (sodium_hex2bin(bin, sizeof(bin), text, want - 1, NULL, &binlen, NULL) != 0 || binlen != n)
		goto out;
	memcpy(out, bin, n);
	r = ATTT_OK;
out:
	sodium_memzero(text, sizeof(text));
	sodium_memzero(bin, sizeof(bin));
	if (fd >= 0)
		close(fd);
	return r;
}
