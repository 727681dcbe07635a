/*
 * repo.c: the repository on disk (layout in docs/backup.md): init and open with passphrase-wrapped
 * keys (Argon2id), the config, atomic file writes (temporary name, fsync, rename, fsync of the
 * directory: a crash leaves either the old state or the new, plus at most a temporary file), the
 * index files, blob and tree loading with verification, snapshots and their Ed25519 signatures
 * (R10.1.a), locks with stale-lock detection, and key management.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>
#include <zstd.h>

#include "attt/err.h"
#include "attt/limits.h"
#include "attt/log.h"
#include "attt/str.h"
#include "backup-int.h"

#define KEY_MAGIC "ATTTKEY1"
#define KEY_AD_LEN 40
#define KEY_FILE_LEN (KEY_AD_LEN + 24 + BK_MAT_LEN + 16)
#define DEFAULT_OPS 4
#define DEFAULT_MEM (32u << 20)

int attt__bk_path(const struct attt_backup_repo *r, const char *rel, char *out, size_t size)
{
	return attt_str_printf(out, size, "%s/%s", r->dir, rel);
}

int attt__bk_pack_rel(const uint8_t id[BK_ID], char *out, size_t size)
{
	char hex[ATTT_BACKUP_ID_HEX];
	attt__bk_hex(id, BK_ID, hex);
	return attt_str_printf(out, size, "data/%.2s/%s", hex, hex);
}

int attt__bk_fsync_dir(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int r = ATTT_OK;
	if (fd < 0)
		return ATTT_E_IO;
	if (fsync(fd) < 0)
		r = ATTT_E_IO;
	close(fd);
	return r;
}

static int write_all(int fd, const uint8_t *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return ATTT_E_IO;
		}
		p += w;
		n -= (size_t)w;
	}
	return ATTT_OK;
}

/* Writes dir_rel/name atomically and durably. */
int attt__bk_write_file(struct attt_backup_repo *r, const char *dir_rel, const char *name, const uint8_t *p,
			size_t n)
{
	char dir[ATTT_MAX_PATH], tmp[ATTT_MAX_PATH], dst[ATTT_MAX_PATH], rnd[17];
	uint8_t rb[8];
	int fd = -1, rc;

	randombytes_buf(rb, sizeof(rb));
	attt__bk_hex(rb, sizeof(rb), rnd);
	if ((rc = attt__bk_path(r, dir_rel, dir, sizeof(dir))) < 0 ||
	    (rc = attt_str_printf(tmp, sizeof(tmp), "%s/.tmp-%s", dir, rnd)) < 0 ||
	    (rc = attt_str_printf(dst, sizeof(dst), "%s/%s", dir, name)) < 0)
		return rc;
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return ATTT_E_IO;
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return ATTT_E_IO;
	rc = write_all(fd, p, n);
	if (rc == 0 && fsync(fd) < 0)
		rc = ATTT_E_IO;
	if (close(fd) < 0 && rc == 0)
		rc = ATTT_E_IO;
	if (rc == 0 && rename(tmp, dst) < 0)
		rc = ATTT_E_IO;
	if (rc < 0) {
		unlink(tmp);
		return rc;
	}
	return attt__bk_fsync_dir(dir);
}

int attt__bk_read_file(const char *path, size_t max, uint8_t **ret, size_t *ret_n)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW), rc = ATTT_OK;
	struct stat st;
	uint8_t *buf = NULL;
	size_t got = 0;

	if (fd < 0)
		return errno == ENOENT ? ATTT_E_NOTFOUND : ATTT_E_IO;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		rc = ATTT_E_IO;
		goto out;
	}
	if ((uint64_t)st.st_size > max) {
		rc = ATTT_E_TOOBIG;
		goto out;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		rc = ATTT_E_NOMEM;
		goto out;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = ATTT_E_IO;
			goto out;
		}
		got += (size_t)n;
	}
	*ret = buf;
	*ret_n = got;
	buf = NULL;
out:
	free(buf);
	close(fd);
	return rc;
}

void attt__bk_strv_free(char **v, size_t n)
{
	if (!v)
		return;
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Names in dir_rel (no dot files), sorted. A missing directory is empty. */
int attt__bk_list(struct attt_backup_repo *r, const char *dir_rel, char ***ret, size_t *ret_n)
{
	char path[ATTT_MAX_PATH];
	DIR *d;
	struct dirent *de;
	char **v = NULL;
	size_t n = 0, cap = 0;
	int rc;

	if ((rc = attt__bk_path(r, dir_rel, path, sizeof(path))) < 0)
		return rc;
	d = opendir(path);
	if (!d) {
		if (errno != ENOENT)
			return ATTT_E_IO;
		*ret = calloc(1, sizeof(char *));
		*ret_n = 0;
		return *ret ? ATTT_OK : ATTT_E_NOMEM;
	}
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (n == cap) {
			size_t nc = cap ? cap * 2 : 16;
			char **nv = realloc(v, nc * sizeof(*v));
			if (!nv)
				goto nomem;
			v = nv;
			cap = nc;
		}
		v[n] = strdup(de->d_name);
		if (!v[n])
			goto nomem;
		n++;
	}
	closedir(d);
	if (!v && !(v = calloc(1, sizeof(*v))))
		return ATTT_E_NOMEM;
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_str);
	*ret = v;
	*ret_n = n;
	return ATTT_OK;
nomem:
	closedir(d);
	attt__bk_strv_free(v, n);
	return ATTT_E_NOMEM;
}

/* ---- config and keys ---- */

static const char *cipher_name(uint32_t c)
{
	return c == ATTT_BACKUP_CIPHER_AESGCM ? "aes256-gcm" : "xchacha20-poly1305";
}

static int config_encode(const struct bk_keys *k, uint32_t pack_size, char *out, size_t size)
{
	char id[ATTT_BACKUP_ID_HEX], pk[ATTT_BACKUP_ID_HEX];
	attt__bk_hex(k->repo_id, 32, id);
	attt__bk_hex(k->sign_pk, 32, pk);
	return attt_str_printf(out, size,
			       "attt-backup %d\nid %s\ncipher %s\nchunker fastcdc %u %u %u\npack-size %u\n"
			       "verify-key %s\n",
			       BK_FORMAT, id, cipher_name(k->cipher), k->cmin, k->cavg, k->cmax, pack_size, pk);
}

/* Parses the config: the pack size, and checks every other line against the key material. */
static int config_check(const char *text, const struct bk_keys *k, uint32_t *ret_pack)
{
	char expect[1024], *copy = NULL, *line, *save = NULL;
	int64_t ps = -1;
	int rc = ATTT_E_CORRUPT;
	size_t matched = 0;

	if (config_encode(k, 0, expect, sizeof(expect)) < 0)
		return ATTT_E_INTERNAL;
	copy = strdup(text);
	if (!copy)
		return ATTT_E_NOMEM;
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (attt_str_startswith(line, "pack-size ")) {
			if (attt_parse_int64(line + 10, 4096, 1 << 30, &ps) < 0)
				goto out;
			continue;
		}
		/* Every other line must appear verbatim in what the key material yields. */
		char *hit = strstr(expect, line);
		size_t ll = strlen(line);
		if (!hit || (hit != expect && hit[-1] != '\n') || hit[ll] != '\n')
			goto out;
		matched++;
	}
	if (matched != 5 || ps < 0)
		goto out;
	*ret_pack = (uint32_t)ps;
	rc = ATTT_OK;
out:
	free(copy);
	return rc;
}

static int key_file_make(const struct bk_keys *k, const char *pass, size_t pass_len,
			 const struct attt_backup_kdf *kdf, uint8_t out[KEY_FILE_LEN])
{
	uint64_t ops = kdf && kdf->opslimit ? kdf->opslimit : DEFAULT_OPS;
	size_t mem = kdf && kdf->memlimit ? kdf->memlimit : DEFAULT_MEM;
	uint8_t wrap[32], mat[BK_MAT_LEN];
	unsigned long long clen;
	int rc = ATTT_OK;

	memcpy(out, KEY_MAGIC, 8);
	attt__bk_put_u64(out + 8, ops);
	attt__bk_put_u64(out + 16, mem);
	randombytes_buf(out + 24, 16);
	randombytes_buf(out + KEY_AD_LEN, 24);
	if (crypto_pwhash(wrap, sizeof(wrap), pass, pass_len, out + 24, ops, mem, crypto_pwhash_ALG_ARGON2ID13) != 0) {
		rc = ATTT_E_NOMEM;
		goto out;
	}
	attt__bk_mat_encode(k, mat);
	crypto_aead_xchacha20poly1305_ietf_encrypt(out + KEY_AD_LEN + 24, &clen, mat, sizeof(mat), out, KEY_AD_LEN,
						   NULL, out + KEY_AD_LEN, wrap);
out:
	sodium_memzero(wrap, sizeof(wrap));
	sodium_memzero(mat, sizeof(mat));
	return rc;
}

int attt__bk_key_shape(const uint8_t *f, size_t n)
{
	uint64_t ops, mem;
	if (n != KEY_FILE_LEN || memcmp(f, KEY_MAGIC, 8) != 0)
		return ATTT_E_CORRUPT;
	ops = attt__bk_get_u64(f + 8);
	mem = attt__bk_get_u64(f + 16);
	/* Bounds keep a crafted key file from costing unbounded time or memory. */
	if (ops < crypto_pwhash_OPSLIMIT_MIN || ops > 16 || mem < crypto_pwhash_MEMLIMIT_MIN || mem > (1u << 30))
		return ATTT_E_CORRUPT;
	return ATTT_OK;
}

static int key_file_open(const uint8_t *f, size_t n, const char *pass, size_t pass_len, struct bk_keys *k)
{
	uint8_t wrap[32], mat[BK_MAT_LEN];
	uint64_t ops, mem;
	unsigned long long mlen;
	int rc;

	if ((rc = attt__bk_key_shape(f, n)) < 0)
		return rc;
	ops = attt__bk_get_u64(f + 8);
	mem = attt__bk_get_u64(f + 16);
	if (crypto_pwhash(wrap, sizeof(wrap), pass, pass_len, f + 24, ops, (size_t)mem, crypto_pwhash_ALG_ARGON2ID13) != 0)
		return ATTT_E_NOMEM;
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(mat, &mlen, NULL, f + KEY_AD_LEN + 24,
						       n - KEY_AD_LEN - 24, f, KEY_AD_LEN, f + KEY_AD_LEN, wrap) != 0)
		rc = ATTT_E_AUTH;
	else
		rc = attt__bk_mat_decode(mat, mlen, k);
	sodium_memzero(wrap, sizeof(wrap));
	sodium_memzero(mat, sizeof(mat));
	return rc;
}

static int write_key(struct attt_backup_repo *r, const char *pass, size_t pass_len, const struct attt_backup_kdf *kdf,
		     char ret_id[ATTT_BACKUP_ID_HEX])
{
	uint8_t f[KEY_FILE_LEN], rnd[16];
	char name[ATTT_BACKUP_ID_HEX];
	int rc;

	if ((rc = key_file_make(&r->k, pass, pass_len, kdf, f)) < 0)
		return rc;
	randombytes_buf(rnd, sizeof(rnd));
	attt__bk_hex(rnd, sizeof(rnd), name);
	if ((rc = attt__bk_write_file(r, "keys", name, f, sizeof(f))) < 0)
		return rc;
	if (ret_id)
		memcpy(ret_id, name, sizeof(name));
	return ATTT_OK;
}

int attt_backup_init(const char *dir, const char *pass, size_t pass_len, const struct attt_backup_init_opts *opts)
{
	struct attt_backup_init_opts o = { 0 };
	struct attt_backup_repo *r = NULL;
	char cfg[1024], path[ATTT_MAX_PATH];
	static const char *const subdirs[] = { "keys", "data", "index", "snapshots", "locks" };
	uint8_t seed[32];
	int rc;

	if (opts)
		o = *opts;
	if (!o.chunk_min)
		o.chunk_min = 512u << 10;
	if (!o.chunk_avg)
		o.chunk_avg = 1u << 20;
	if (!o.chunk_max)
		o.chunk_max = 4u << 20;
	if (!o.pack_size)
		o.pack_size = 16u << 20;
	if (o.chunk_min < 4096 || o.chunk_avg < o.chunk_min || o.chunk_max < o.chunk_avg ||
	    o.chunk_max > (16u << 20) || (o.chunk_avg & (o.chunk_avg - 1)) || o.pack_size < 4096)
		return ATTT_E_RANGE;
	if (o.cipher == ATTT_BACKUP_CIPHER_AUTO)
		o.cipher = crypto_aead_aes256gcm_is_available() ? ATTT_BACKUP_CIPHER_AESGCM : ATTT_BACKUP_CIPHER_XCHACHA;
	if (o.cipher == ATTT_BACKUP_CIPHER_AESGCM && !crypto_aead_aes256gcm_is_available())
		return ATTT_E_UNSUPPORTED;
	if ((rc = attt_str_printf(path, sizeof(path), "%s/config", dir)) < 0)
		return rc;
	if (access(path, F_OK) == 0)
		return ATTT_E_EXISTS;
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return ATTT_E_IO;
	r = calloc(1, sizeof(*r));
	if (!r || !(r->dir = strdup(dir))) {
		rc = ATTT_E_NOMEM;
		goto out;
	}
	r->k.version = BK_FORMAT;
	r->k.cipher = (uint32_t)o.cipher;
	r->k.cmin = o.chunk_min;
	r->k.cavg = o.chunk_avg;
	r->k.cmax = o.chunk_max;
	randombytes_buf(r->k.repo_id, 32);
	crypto_aead_xchacha20poly1305_ietf_keygen(r->k.enc);
	randombytes_buf(r->k.idkey, 32);
	randombytes_buf(r->k.gear, 32);
	randombytes_buf(seed, sizeof(seed));
	crypto_sign_ed25519_seed_keypair(r->k.sign_pk, r->k.sign_sk, seed);
	sodium_memzero(seed, sizeof(seed));
	for (size_t i = 0; i < sizeof(subdirs) / sizeof(subdirs[0]); i++) {
		if ((rc = attt__bk_path(r, subdirs[i], path, sizeof(path))) < 0)
			goto out;
		if (mkdir(path, 0700) < 0 && errno != EEXIST) {
			rc = ATTT_E_IO;
			goto out;
		}
	}
	if ((rc = write_key(r, pass, pass_len, &o.kdf, NULL)) < 0)
		goto out;
	/* The config is written last: a directory without it is not a repository yet. */
	if ((rc = config_encode(&r->k, o.pack_size, cfg, sizeof(cfg))) < 0 ||
	    (rc = attt__bk_write_file(r, ".", "config", (const uint8_t *)cfg, strlen(cfg))) < 0)
		goto out;
	rc = ATTT_OK;
out:
	if (r) {
		sodium_memzero(&r->k, sizeof(r->k));
		free(r->dir);
		free(r);
	}
	return rc;
}

int attt_backup_open(const char *dir, const char *pass, size_t pass_len, struct attt_backup_repo **ret)
{
	struct attt_backup_repo *r = NULL;
	char path[ATTT_MAX_PATH];
	uint8_t *cfg = NULL, *kf = NULL;
	size_t cfg_n, kf_n, nk = 0;
	char **keys = NULL;
	int rc;

	r = calloc(1, sizeof(*r));
	if (!r || !(r->dir = strdup(dir))) {
		rc = ATTT_E_NOMEM;
		goto out;
	}
	pthread_mutex_init(&r->lock_mu, NULL);
	pthread_cond_init(&r->lock_cv, NULL);
	if ((rc = attt__bk_path(r, "config", path, sizeof(path))) < 0)
		goto out;
	if ((rc = attt__bk_read_file(path, 4096, &cfg, &cfg_n)) < 0)
		goto out;
	cfg[cfg_n] = 0;
	/* Another format version is named as such, not reported as a wrong passphrase. */
	char first[32];
	if ((rc = attt_str_printf(first, sizeof(first), "attt-backup %d\n", BK_FORMAT)) < 0)
		goto out;
	if (attt_str_startswith((const char *)cfg, "attt-backup ") && !attt_str_startswith((const char *)cfg, first)) {
		const char *v = (const char *)cfg + 12;
		size_t vl = strcspn(v, "\n");
		log_warn("backup: %s: repository format %.*s, this attt reads format %d", dir, (int)(vl < 16 ? vl : 16),
			 v, BK_FORMAT);
		rc = ATTT_E_UNSUPPORTED;
		goto out;
	}
	if ((rc = attt__bk_list(r, "keys", &keys, &nk)) < 0)
		goto out;
	rc = ATTT_E_AUTH;
	for (size_t i = 0; i < nk && rc == ATTT_E_AUTH; i++) {
		free(kf);
		kf = NULL;
		if (attt_str_printf(path, sizeof(path), "%s/keys/%s", dir, keys[i]) < 0 ||
		    attt__bk_read_file(path, 4096, &kf, &kf_n) < 0)
			continue;
		rc = key_file_open(kf, kf_n, pass, pass_len, &r->k);
		if (rc == ATTT_E_CORRUPT) {
			log_debug("backup: key file %s is damaged", keys[i]);
			rc = ATTT_E_AUTH;
		}
		if (rc == 0)
			attt_str_copy(r->key_name, sizeof(r->key_name), keys[i]);
	}
	if (rc < 0)
		goto out;
	/* R10.1.a: the config (and its verification key) must be the one the key material yields. */
	if ((rc = config_check((const char *)cfg, &r->k, &r->pack_size)) < 0) {
		log_warn("backup: %s/config does not match the repository's keys (damaged or replaced) "
			 "/ tệp cấu hình hỏng hoặc bị thay", dir);
		goto out;
	}
	attt__bk_gear_init(r->k.gear, r->gear);
	*ret = r;
	r = NULL;
	rc = ATTT_OK;
out:
	free(cfg);
	free(kf);
	attt__bk_strv_free(keys, nk);
	if (r)
		attt_backup_close(r);
	return rc;
}

void attt_backup_close(struct attt_backup_repo *r)
{
	if (!r)
		return;
	attt__bk_unlock(r);
	attt__bk_idx_done(&r->idx);
	attt__bk_strv_free(r->idx_files, r->n_idx_files);
	sodium_memzero(&r->k, sizeof(r->k));
	sodium_memzero(r->gear, sizeof(r->gear));
	pthread_mutex_destroy(&r->lock_mu);
	pthread_cond_destroy(&r->lock_cv);
	free(r->dir);
	free(r);
}

void attt_backup_set_pack_size(struct attt_backup_repo *r, uint32_t bytes)
{
	r->pack_size = bytes < 4096 ? 4096 : bytes;
}

void attt_backup_set_progress(struct attt_backup_repo *r, attt_backup_progress_fn fn, void *ctx)
{
	r->progress = fn;
	r->progress_ctx = ctx;
}

/* ---- index ---- */

static const uint8_t IDX_AD[] = "attt-index";
static const uint8_t SNAP_AD[] = "attt-snapshot";

int attt__bk_add_packinfo(struct attt_backup_repo *r, const struct bk_packinfo *pi)
{
	uint32_t no;
	int rc = attt__bk_idx_add_pack(&r->idx, pi->id, &no);
	for (size_t j = 0; rc == 0 && j < pi->n; j++) {
		struct bk_loc l = { .pack = no, .offset = pi->blobs[j].offset, .raw_len = pi->blobs[j].raw_len,
				    .stored_len = pi->blobs[j].stored_len, .type = pi->blobs[j].type,
				    .flags = pi->blobs[j].flags };
		memcpy(l.id, pi->blobs[j].id, BK_ID);
		rc = attt__bk_idx_put(&r->idx, &l);
	}
	return rc;
}

/* Reads, authenticates and parses one index file. */
int attt__bk_read_index_file(struct attt_backup_repo *r, const char *name, struct bk_packinfo **ret, size_t *ret_n)
{
	char path[ATTT_MAX_PATH];
	uint8_t *f = NULL, *pt = NULL, id[BK_ID], want[BK_ID];
	size_t n, ov = attt__bk_overhead(&r->k);
	int rc;

	if ((rc = attt_str_printf(path, sizeof(path), "%s/index/%s", r->dir, name)) < 0 ||
	    (rc = attt__bk_read_file(path, BK_MAX_INDEX, &f, &n)) < 0)
		goto out;
	rc = ATTT_E_CORRUPT;
	attt__bk_id(&r->k, f, n, id);
	if (attt__bk_unhex(name, want, BK_ID) < 0 || memcmp(id, want, BK_ID) != 0 || n < ov)
		goto out;
	pt = malloc(n - ov + 1);
	if (!pt) {
		rc = ATTT_E_NOMEM;
		goto out;
	}
	if ((rc = attt__bk_unseal(&r->k, IDX_AD, sizeof(IDX_AD), f, n, pt)) < 0 ||
	    (rc = attt__bk_index_parse(pt, n - ov, ov, ret, ret_n)) < 0)
		goto out;
out:
	free(f);
	free(pt);
	return rc;
}

int attt__bk_load_index(struct attt_backup_repo *r)
{
	char **names = NULL;
	size_t n = 0;
	int rc;

	if (r->idx_loaded)
		return ATTT_OK;
	if ((rc = attt__bk_list(r, "index", &names, &n)) < 0)
		return rc;
	for (size_t i = 0; i < n; i++) {
		struct bk_packinfo *pi = NULL;
		size_t np = 0;
		if ((rc = attt__bk_read_index_file(r, names[i], &pi, &np)) < 0) {
			/* Named, so that the person can move that file aside (docs/backup.md, "When check
			 * fails"); saves and restores refuse to run on a partial index. */
			log_warn("backup: index/%s cannot be read (%s) / tệp chỉ mục hỏng", names[i], attt_strerror(rc));
			goto out;
		}
		for (size_t j = 0; rc == 0 && j < np; j++)
			rc = attt__bk_add_packinfo(r, &pi[j]);
		attt__bk_packinfos_free(pi, np);
		if (rc < 0)
			goto out;
	}
	r->idx_files = names;
	r->n_idx_files = n;
	names = NULL;
	r->idx_loaded = true;
out:
	attt__bk_strv_free(names, n);
	return rc;
}

int attt__bk_write_index(struct attt_backup_repo *r, const struct bk_packinfo *pi, size_t n, char *ret_name,
			 size_t ret_size)
{
	size_t len = 12, ov = attt__bk_overhead(&r->k);
	uint8_t *pt = NULL, *ct = NULL, *p, id[BK_ID];
	char name[ATTT_BACKUP_ID_HEX];
	int rc;

	for (size_t i = 0; i < n; i++)
		len += BK_ID + 4 + pi[i].n * BK_IDX_ENTRY_LEN;
	if (len > BK_MAX_INDEX)
		return ATTT_E_TOOBIG;
	pt = malloc(len);
	ct = malloc(len + ov);
	if (!pt || !ct) {
		rc = ATTT_E_NOMEM;
		goto out;
	}
	p = pt;
	memcpy(p, "ATTTIDX1", 8), p += 8;
	attt__bk_put_u32(p, (uint32_t)n), p += 4;
	for (size_t i = 0; i < n; i++) {
		memcpy(p, pi[i].id, BK_ID), p += BK_ID;
		attt__bk_put_u32(p, (uint32_t)pi[i].n), p += 4;
		for (size_t j = 0; j < pi[i].n; j++) {
			const struct bk_blobent *b = &pi[i].blobs[j];
			p[0] = b->type;
			p[1] = b->flags;
			attt__bk_put_u16(p + 2, 0);
			attt__bk_put_u32(p + 4, b->offset);
			attt__bk_put_u32(p + 8, b->raw_len);
			attt__bk_put_u32(p + 12, b->stored_len);
			memcpy(p + 16, b->id, BK_ID);
			p += BK_IDX_ENTRY_LEN;
		}
	}
	if ((rc = attt__bk_seal(&r->k, IDX_AD, sizeof(IDX_AD), pt, len, ct)) < 0)
		goto out;
	attt__bk_id(&r->k, ct, len + ov, id);
	attt__bk_hex(id, BK_ID, name);
	if ((rc = attt__bk_write_file(r, "index", name, ct, len + ov)) < 0)
		goto out;
	if (ret_name)
		rc = attt_str_copy(ret_name, ret_size, name);
out:
	free(pt);
	free(ct);
	return rc;
}

/* Reads the sealed header at the end of a pack file. */
int attt__bk_read_pack_header(struct attt_backup_repo *r, const char *path, struct bk_blobent **ret, size_t *ret_n,
			      uint8_t ret_name[BK_ID])
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW), rc;
	size_t ov = attt__bk_overhead(&r->k);
	uint8_t tail[12], *h = NULL, *pt = NULL;
	uint32_t hl;
	struct stat st;

	if (fd < 0)
		return errno == ENOENT ? ATTT_E_NOTFOUND : ATTT_E_IO;
	rc = ATTT_E_CORRUPT;
	if (fstat(fd, &st) < 0 || st.st_size < 12 || pread(fd, tail, 12, st.st_size - 12) != 12)
		goto out;
	if ((rc = attt__bk_pack_trailer(tail, 12, (uint64_t)st.st_size, ov, &hl)) < 0)
		goto out;
	h = malloc(hl);
	pt = malloc(hl);
	if (!h || !pt) {
		rc = ATTT_E_NOMEM;
		goto out;
	}
	rc = ATTT_E_CORRUPT;
	if (pread(fd, h, hl, st.st_size - 12 - hl) != (ssize_t)hl)
		goto out;
	if ((rc = attt__bk_unseal(&r->k, (const uint8_t *)BK_PACK_MAGIC, 8, h, hl, pt)) < 0)
		goto out;
	if (ret_name)
		attt__bk_id2(&r->k, h, hl, tail, sizeof(tail), ret_name);
	rc = attt__bk_pack_header_parse(pt, hl - ov, (uint64_t)st.st_size - 12 - hl, ov, ret, ret_n);
out:
	free(h);
	free(pt);
	close(fd);
	return rc;
}

/* ---- blobs, trees, snapshots ---- */

int attt__bk_unzstd(const uint8_t *p, size_t n, uint8_t *out, size_t raw_len)
{
	size_t d;

	/* One frame (RFC 8878: magic, then the frame header descriptor whose bit 2 is the content
	 * checksum flag) of the size the index records. */
	if (n < 5 || attt__bk_get_u32(p) != ZSTD_MAGICNUMBER || !(p[4] & 4) ||
	    ZSTD_getFrameContentSize(p, n) != (unsigned long long)raw_len || ZSTD_findFrameCompressedSize(p, n) != n)
		return ATTT_E_CORRUPT;
	d = ZSTD_decompress(out, raw_len, p, n);
	return ZSTD_isError(d) || d != raw_len ? ATTT_E_CORRUPT : ATTT_OK;
}

int attt__bk_load_blob(struct attt_backup_repo *r, const uint8_t id[BK_ID], uint8_t type, int *fdcache,
		       uint32_t *fdpack, uint8_t **ret, size_t *ret_n)
{
	const struct bk_loc *l = attt__bk_idx_get(&r->idx, id);
	size_t ov = attt__bk_overhead(&r->k);
	uint8_t *ct = NULL, *pt = NULL, *raw = NULL, ad[BK_ID + 1], check[BK_ID];
	int fd = -1, rc = ATTT_E_CORRUPT;

	if (!l || l->pack == BK_PENDING || l->type != type)
		return ATTT_E_NOTFOUND;
	if (fdcache && *fdcache >= 0 && *fdpack == l->pack) {
		fd = *fdcache;
	} else {
		char rel[128], path[ATTT_MAX_PATH];
		if ((rc = attt__bk_pack_rel(r->idx.packs[l->pack], rel, sizeof(rel))) < 0 ||
		    (rc = attt__bk_path(r, rel, path, sizeof(path))) < 0)
			return rc;
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		if (fd < 0)
			return ATTT_E_CORRUPT;
		if (fdcache) {
			if (*fdcache >= 0)
				close(*fdcache);
			*fdcache = fd;
			*fdpack = l->pack;
		}
	}
	ct = malloc(l->stored_len);
	pt = malloc(l->stored_len - ov + 1);
	if (!ct || !pt) {
		rc = ATTT_E_NOMEM;
		goto out;
	}
	rc = ATTT_E_CORRUPT;
	if (pread(fd, ct, l->stored_len, l->offset) != (ssize_t)l->stored_len)
		goto out;
	memcpy(ad, id, BK_ID);
	ad[BK_ID] = type;
	if ((rc = attt__bk_unseal(&r->k, ad, sizeof(ad), ct, l->stored_len, pt)) < 0)
		goto out;
	rc = ATTT_E_CORRUPT;
	if (l->flags & BK_ZSTD) {
		raw = malloc(l->raw_len ? l->raw_len : 1);
		if (!raw) {
			rc = ATTT_E_NOMEM;
			goto out;
		}
		if ((rc = attt__bk_unzstd(pt, l->stored_len - ov, raw, l->raw_len)) < 0)
			goto out;
		rc = ATTT_E_CORRUPT;
	} else {
		if (l->stored_len - ov != l->raw_len)
			goto out;
		raw = pt;
		pt = NULL;
	}
	if (type == BK_TREE) {
		attt__bk_id(&r->k, raw, l->raw_len, check);
		if (memcmp(check, id, BK_ID) != 0)
			goto out;
	}
	*ret = raw;
	*ret_n = l->raw_len;
	raw = NULL;
	rc = ATTT_OK;
out:
	if (!fdcache && fd >= 0)
		close(fd);
	free(ct);
	free(pt);
	free(raw);
	return rc;
}

int attt__bk_load_tree(struct attt_backup_repo *r, const uint8_t id[BK_ID], struct bk_tree *ret)
{
	uint8_t *p = NULL;
	size_t n;
	int rc = attt__bk_load_blob(r, id, BK_TREE, NULL, NULL, &p, &n);
	if (rc == ATTT_E_NOTFOUND)
		rc = ATTT_E_CORRUPT;
	if (rc < 0)
		return rc;
	rc = attt__bk_tree_parse(p, n, ret);
	free(p);
	return rc;
}

int attt__bk_read_snapshot(struct attt_backup_repo *r, const char *name, struct bk_snap *ret)
{
	char path[ATTT_MAX_PATH];
	uint8_t *f = NULL, *pt = NULL, *msg = NULL, id[BK_ID], want[BK_ID];
	size_t n, ov = attt__bk_overhead(&r->k), pn;
	int rc;

	if ((rc = attt_str_printf(path, sizeof(path), "%s/snapshots/%s", r->dir, name)) < 0 ||
	    (rc = attt__bk_read_file(path, BK_MAX_SNAPSHOT, &f, &n)) < 0)
		goto out;
	rc = ATTT_E_CORRUPT;
	attt__bk_id(&r->k, f, n, id);
	if (attt__bk_unhex(name, want, BK_ID) < 0 || memcmp(id, want, BK_ID) != 0 || n < ov + 64)
		goto out;
	pn = n - ov - 64;
	pt = malloc(n - ov);
	msg = malloc(32 + pn);
	if (!pt || !msg) {
		rc = ATTT_E_NOMEM;
		goto out;
	}
	if ((rc = attt__bk_unseal(&r->k, SNAP_AD, sizeof(SNAP_AD), f, n, pt)) < 0)
		goto out;
	/* R10.1.a: the signature covers the repository id and the snapshot. */
	memcpy(msg, r->k.repo_id, 32);
	memcpy(msg + 32, pt, pn);
	rc = ATTT_E_CORRUPT;
	if (crypto_sign_ed25519_verify_detached(pt + pn, msg, 32 + pn, r->k.sign_pk) != 0)
		goto out;
	rc = attt__bk_snap_parse(pt, pn, ret);
out:
	free(f);
	free(pt);
	free(msg);
	return rc;
}

/* Signs, seals and writes a snapshot; returns its file name. */
int attt__bk_write_snapshot(struct attt_backup_repo *r, const struct bk_snap *s, char ret_name[ATTT_BACKUP_ID_HEX])
{
	uint8_t *p = NULL, *pt = NULL, *msg = NULL, *ct = NULL, id[BK_ID];
	size_t n, ov = attt__bk_overhead(&r->k);
	int rc;

	if ((rc = attt__bk_snap_encode(s, &p, &n)) < 0)
		return rc;
	pt = malloc(n + 64);
	msg = malloc(n + 32);
	ct = malloc(n + 64 + ov);
	if (!pt || !msg || !ct) {
		rc = ATTT_E_NOMEM;
		goto out;
	}
	memcpy(msg, r->k.repo_id, 32);
	memcpy(msg + 32, p, n);
	memcpy(pt, p, n);
	crypto_sign_ed25519_detached(pt + n, NULL, msg, n + 32, r->k.sign_sk);
	if ((rc = attt__bk_seal(&r->k, SNAP_AD, sizeof(SNAP_AD), pt, n + 64, ct)) < 0)
		goto out;
	attt__bk_id(&r->k, ct, n + 64 + ov, id);
	attt__bk_hex(id, BK_ID, ret_name);
	rc = attt__bk_write_file(r, "snapshots", ret_name, ct, n + 64 + ov);
out:
	free(p);
	free(pt);
	free(msg);
	free(ct);
	return rc;
}

static void snap_to_public(const char *name, struct bk_snap *s, struct attt_backup_snapshot *o)
{
	memset(o, 0, sizeof(*o));
	attt_str_copy(o->id, sizeof(o->id), name);
	attt__bk_hex(s->tree, BK_ID, o->tree);
	o->time_us = s->time_us;
	o->hostname = s->hostname;
	o->username = s->username;
	o->paths = s->paths;
	o->n_paths = s->n_paths;
	o->tags = s->tags;
	o->n_tags = s->n_tags;
	o->stats = s->stats;
	memset(s, 0, sizeof(*s));
}

static int cmp_snap(const void *a, const void *b)
{
	const struct attt_backup_snapshot *x = a, *y = b;
	if (x->time_us != y->time_us)
		return x->time_us < y->time_us ? -1 : 1;
	return strcmp(x->id, y->id);
}

/* Lists the snapshots. A file whose name is not a snapshot id (a stray "Thumbs.db") is skipped with
 * a warning. A snapshot that cannot be read is skipped with a warning too, so that one damaged
 * file does not stop restores of the others, unless strict (prune: the data such a snapshot
 * references must not be deleted before someone has looked at it). */
static int list_snapshots(struct attt_backup_repo *r, bool strict, struct attt_backup_snapshot **ret, size_t *ret_n)
{
	char **names = NULL;
	size_t n = 0, got = 0;
	struct attt_backup_snapshot *v = NULL;
	int rc;

	if ((rc = attt__bk_list(r, "snapshots", &names, &n)) < 0)
		return rc;
	v = calloc(n ? n : 1, sizeof(*v));
	if (!v) {
		rc = ATTT_E_NOMEM;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		struct bk_snap s;
		size_t len = strlen(names[i]);
		if (len != BK_ID * 2 || strspn(names[i], "0123456789abcdef") != len) {
			log_warn("backup: snapshots/%s is not a snapshot of attt; ignored", names[i]);
			continue;
		}
		if ((rc = attt__bk_read_snapshot(r, names[i], &s)) < 0) {
			if (strict || rc == ATTT_E_NOMEM) {
				log_warn("backup: snapshots/%s cannot be read (%s); nothing is removed while it is there "
					 "(check names the damage)", names[i], attt_strerror(rc));
				goto out;
			}
			log_warn("backup: snapshots/%s cannot be read (%s); skipped (check names the damage)", names[i],
				 attt_strerror(rc));
			continue;
		}
		snap_to_public(names[i], &s, &v[got++]);
	}
	if (got > 1)
		qsort(v, got, sizeof(*v), cmp_snap);
	*ret = v;
	*ret_n = got;
	v = NULL;
	rc = ATTT_OK;
out:
	attt_backup_snapshots_free(v, got);
	attt__bk_strv_free(names, n);
	return rc;
}

int attt_backup_snapshots(struct attt_backup_repo *r, struct attt_backup_snapshot **ret, size_t *ret_n)
{
	return list_snapshots(r, false, ret, ret_n);
}

int attt__bk_snapshots_strict(struct attt_backup_repo *r, struct attt_backup_snapshot **ret, size_t *ret_n)
{
	return list_snapshots(r, true, ret, ret_n);
}

void attt_backup_snapshots_free(struct attt_backup_snapshot *s, size_t n)
{
	if (!s)
		return;
	for (size_t i = 0; i < n; i++) {
		free(s[i].hostname);
		free(s[i].username);
		attt__bk_strv_free(s[i].paths, s[i].n_paths);
		attt__bk_strv_free(s[i].tags, s[i].n_tags);
	}
	free(s);
}

/* Resolves "latest", a full id or a unique prefix to a snapshot file name. */
int attt__bk_snap_resolve(struct attt_backup_repo *r, const char *name, char *ret_file, size_t size)
{
	struct attt_backup_snapshot *v = NULL;
	size_t n = 0, len = strlen(name);
	const char *hit = NULL;
	int rc;

	if (strcmp(name, "latest") != 0 && (len < 4 || len > 64 || strspn(name, "0123456789abcdef") != len))
		return ATTT_E_INVAL;
	if (len == BK_ID * 2) /* a full id: reading that file says whether it is there and intact */
		return attt_str_copy(ret_file, size, name);
	if ((rc = attt_backup_snapshots(r, &v, &n)) < 0)
		return rc;
	rc = ATTT_E_NOTFOUND;
	if (strcmp(name, "latest") == 0) {
		if (n)
			hit = v[n - 1].id;
	} else {
		for (size_t i = 0; i < n; i++)
			if (strncmp(v[i].id, name, len) == 0) {
				if (hit) {
					rc = ATTT_E_CONFLICT;
					goto out;
				}
				hit = v[i].id;
			}
	}
	if (hit)
		rc = attt_str_copy(ret_file, size, hit);
out:
	attt_backup_snapshots_free(v, n);
	return rc;
}

int attt_backup_find_snapshot(struct attt_backup_repo *r, const char *name, struct attt_backup_snapshot **ret)
{
	char file[ATTT_BACKUP_ID_HEX];
	struct bk_snap s;
	struct attt_backup_snapshot *o;
	int rc;

	if ((rc = attt__bk_snap_resolve(r, name, file, sizeof(file))) < 0 ||
	    (rc = attt__bk_read_snapshot(r, file, &s)) < 0)
		return rc;
	o = calloc(1, sizeof(*o));
	if (!o) {
		attt__bk_snap_done(&s);
		return ATTT_E_NOMEM;
	}
	snap_to_public(file, &s, o);
	*ret = o;
	return ATTT_OK;
}

/* ---- locks ---- */

static int lock_body(struct attt_backup_repo *r, char *out, size_t size)
{
	char host[256] = "";
	struct timespec ts;
	gethostname(host, sizeof(host) - 1);
	clock_gettime(CLOCK_REALTIME, &ts);
	return attt_str_printf(out, size, "attt-lock 1\nexclusive %d\npid %ld\nhost %s\ntime %lld\n",
			       r->lock_exclusive ? 1 : 0, (long)getpid(), host,
			       (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000);
}

struct lockinfo { int exclusive; int64_t pid, time_us; char host[256]; };

static int lock_parse(const char *text, struct lockinfo *li)
{
	char *copy = strdup(text), *line, *save = NULL;
	int seen = 0;
	if (!copy)
		return ATTT_E_NOMEM;
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		int64_t v;
		if (attt_str_startswith(line, "exclusive ") && attt_parse_int64(line + 10, 0, 1, &v) == 0)
			li->exclusive = (int)v, seen |= 1;
		else if (attt_str_startswith(line, "pid ") && attt_parse_int64(line + 4, 1, INT32_MAX, &v) == 0)
			li->pid = v, seen |= 2;
		else if (attt_str_startswith(line, "host ") && attt_str_copy(li->host, sizeof(li->host), line + 5) == 0)
			seen |= 4;
		else if (attt_str_startswith(line, "time ") && attt_parse_int64(line + 5, 0, INT64_MAX, &v) == 0)
			li->time_us = v, seen |= 8;
	}
	free(copy);
	return seen == 15 ? ATTT_OK : ATTT_E_CORRUPT;
}

static int64_t lock_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* A lock is stale when its process is gone (same host) or it was not refreshed for 30 minutes. */
static bool lock_stale(const struct lockinfo *li)
{
	char host[256] = "";
	gethostname(host, sizeof(host) - 1);
	if (strcmp(host, li->host) == 0 && kill((pid_t)li->pid, 0) < 0 && errno == ESRCH)
		return true;
	return lock_now() - li->time_us > BK_LOCK_STALE_US;
}

/* A lock file that cannot be parsed was damaged (locks are written whole, by rename): it is stale
 * once the file itself has not been written for 30 minutes, as a refreshed lock would have been. */
static bool lock_file_stale(const char *path)
{
	struct stat st;
	if (stat(path, &st) < 0)
		return true;
	return lock_now() - ((int64_t)st.st_mtim.tv_sec * 1000000 + st.st_mtim.tv_nsec / 1000) > BK_LOCK_STALE_US;
}

static void *lock_refresher(void *arg)
{
	struct attt_backup_repo *r = arg;
	pthread_mutex_lock(&r->lock_mu);
	while (!r->lock_stop) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += BK_LOCK_REFRESH_S;
		pthread_cond_timedwait(&r->lock_cv, &r->lock_mu, &ts);
		if (!r->lock_stop) {
			char body[512];
			if (lock_body(r, body, sizeof(body)) == 0)
				attt__bk_write_file(r, "locks", r->lock_name, (const uint8_t *)body, strlen(body));
		}
	}
	pthread_mutex_unlock(&r->lock_mu);
	return NULL;
}

int attt__bk_lock(struct attt_backup_repo *r, bool exclusive)
{
	char body[512], path[ATTT_MAX_PATH], **names = NULL;
	uint8_t rnd[16];
	size_t n = 0;
	int rc;

	if (r->lock_name[0])
		return ATTT_E_STATE;
	randombytes_buf(rnd, sizeof(rnd));
	attt__bk_hex(rnd, sizeof(rnd), r->lock_name);
	r->lock_exclusive = exclusive;
	if ((rc = lock_body(r, body, sizeof(body))) < 0 ||
	    (rc = attt__bk_write_file(r, "locks", r->lock_name, (const uint8_t *)body, strlen(body))) < 0)
		goto fail;
	if ((rc = attt__bk_list(r, "locks", &names, &n)) < 0)
		goto fail;
	for (size_t i = 0; i < n; i++) {
		uint8_t *t = NULL;
		size_t tn;
		struct lockinfo li = { 0 };
		if (strcmp(names[i], r->lock_name) == 0)
			continue;
		if (attt_str_printf(path, sizeof(path), "%s/locks/%s", r->dir, names[i]) < 0 ||
		    attt__bk_read_file(path, 4096, &t, &tn) < 0)
			continue; /* removed meanwhile */
		t[tn] = 0;
		rc = lock_parse((const char *)t, &li);
		free(t);
		if (rc == ATTT_E_NOMEM)
			goto fail;
		if (rc == 0 ? lock_stale(&li) : lock_file_stale(path)) {
			if (exclusive)
				unlink(path);
			continue;
		}
		if (rc < 0 || exclusive || li.exclusive) {
			/* Name the lock and its holder: the person must be able to tell a running attt from
			 * a leftover, and which file to remove once sure. */
			if (rc < 0)
				log_warn("backup: %s is not a readable lock and was written less than 30 minutes ago; "
					 "if no attt uses the repository, remove it / khóa không đọc được", path);
			else
				log_warn("backup: locked by %s, pid %lld, %s (%s); if that process is gone, remove it "
					 "/ kho đang bị khóa", li.host, (long long)li.pid,
					 li.time_us > lock_now() ? "its time is ahead of this machine's clock"
								  : "refreshed within 30 minutes", path);
			rc = ATTT_E_BUSY;
			goto fail;
		}
	}
	attt__bk_strv_free(names, n);
	r->lock_stop = false;
	if (pthread_create(&r->lock_thread, NULL, lock_refresher, r) == 0)
		r->lock_thread_on = true;
	return ATTT_OK;
fail:
	attt__bk_strv_free(names, n);
	if (attt_str_printf(path, sizeof(path), "%s/locks/%s", r->dir, r->lock_name) == 0)
		unlink(path);
	r->lock_name[0] = 0;
	return rc;
}

void attt__bk_unlock(struct attt_backup_repo *r)
{
	char path[ATTT_MAX_PATH];
	if (!r->lock_name[0])
		return;
	if (r->lock_thread_on) {
		pthread_mutex_lock(&r->lock_mu);
		r->lock_stop = true;
		pthread_cond_signal(&r->lock_cv);
		pthread_mutex_unlock(&r->lock_mu);
		pthread_join(r->lock_thread, NULL);
		r->lock_thread_on = false;
	}
	if (attt_str_printf(path, sizeof(path), "%s/locks/%s", r->dir, r->lock_name) == 0)
		unlink(path);
	r->lock_name[0] = 0;
}

/* ---- keys ---- */

int attt_backup_key_add(struct attt_backup_repo *r, const char *pass, size_t pass_len,
			const struct attt_backup_kdf *kdf, char ret_id[ATTT_BACKUP_ID_HEX])
{
	return write_key(r, pass, pass_len, kdf, ret_id);
}

int attt_backup_key_list(struct attt_backup_repo *r, attt_backup_key_fn fn, void *ctx)
{
	char **names = NULL;
	size_t n = 0;
	int rc = attt__bk_list(r, "keys", &names, &n);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < n; i++)
		fn(ctx, names[i], strcmp(names[i], r->key_name) == 0);
	attt__bk_strv_free(names, n);
	return ATTT_OK;
}

int attt_backup_key_remove(struct attt_backup_repo *r, const char *id)
{
	char **names = NULL, path[ATTT_MAX_PATH];
	const char *hit = NULL;
	size_t n = 0, len = strlen(id);
	int rc;

	if (len < 4 || strspn(id, "0123456789abcdef") != len)
		return ATTT_E_INVAL;
	if ((rc = attt__bk_list(r, "keys", &names, &n)) < 0)
		return rc;
	rc = ATTT_E_NOTFOUND;
	for (size_t i = 0; i < n; i++)
		if (strncmp(names[i], id, len) == 0) {
			if (hit) {
				rc = ATTT_E_CONFLICT;
				goto out;
			}
			hit = names[i];
		}
	if (!hit)
		goto out;
	if (strcmp(hit, r->key_name) == 0) {
		rc = ATTT_E_CONFLICT;
		goto out;
	}
	if ((rc = attt_str_printf(path, sizeof(path), "%s/keys/%s", r->dir, hit)) < 0)
		goto out;
	rc = unlink(path) == 0 ? ATTT_OK : ATTT_E_IO;
	if (rc == 0 && attt_str_printf(path, sizeof(path), "%s/keys", r->dir) == 0)
		rc = attt__bk_fsync_dir(path);
out:
	attt__bk_strv_free(names, n);
	return rc;
}

int attt_backup_key_passwd(struct attt_backup_repo *r, const char *pass, size_t pass_len,
			   const struct attt_backup_kdf *kdf)
{
	char id[ATTT_BACKUP_ID_HEX], old[ATTT_BACKUP_ID_HEX], path[ATTT_MAX_PATH];
	int rc;

	/* The new key is durable before the old one goes: a crash leaves both, never neither. */
	if ((rc = write_key(r, pass, pass_len, kdf, id)) < 0)
		return rc;
	memcpy(old, r->key_name, sizeof(old));
	memcpy(r->key_name, id, sizeof(id));
	if ((rc = attt_str_printf(path, sizeof(path), "%s/keys/%s", r->dir, old)) < 0)
		return rc;
	if (unlink(path) < 0)
		return ATTT_E_IO;
	if ((rc = attt_str_printf(path, sizeof(path), "%s/keys", r->dir)) < 0)
		return rc;
	return attt__bk_fsync_dir(path);
}

int attt__bk_each_pack(struct attt_backup_repo *r, int (*fn)(void *ctx, const char *rel, const uint8_t id[BK_ID]),
		       void *ctx)
{
	char **dirs = NULL, rel[128];
	size_t nd = 0;
	int rc = attt__bk_list(r, "data", &dirs, &nd);

	for (size_t i = 0; rc == 0 && i < nd; i++) {
		static const uint8_t zero[BK_ID];
		char **names = NULL;
		size_t n = 0;
		if ((rc = attt_str_printf(rel, sizeof(rel), "data/%s", dirs[i])) < 0)
			break;
		/* Something else than a pack directory (a stray file): fn reports it, and the packs
		 * beside it stay usable. */
		if (strlen(dirs[i]) != 2 || strspn(dirs[i], "0123456789abcdef") != 2 ||
		    attt__bk_list(r, rel, &names, &n) < 0) {
			rc = fn(ctx, rel, zero);
			continue;
		}
		for (size_t j = 0; rc == 0 && j < n; j++) {
			uint8_t id[BK_ID];
			if (attt_str_printf(rel, sizeof(rel), "data/%s/%s", dirs[i], names[j]) < 0)
				continue;
			if (attt__bk_unhex(names[j], id, BK_ID) < 0 || strncmp(names[j], dirs[i], 2) != 0)
				memset(id, 0, sizeof(id)); /* not a pack name: fn reports it */
			rc = fn(ctx, rel, id);
		}
		attt__bk_strv_free(names, n);
	}
	attt__bk_strv_free(dirs, nd);
	return rc;
}
