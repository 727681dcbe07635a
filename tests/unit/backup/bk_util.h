/*
 * bk_util.h: helpers shared by the backup tests: a seeded generator of file trees with every kind
 * of entry the engine must restore exactly, a comparison of two trees (bytes and metadata), and
 * small file-system utilities. Deterministic: everything derives from the seed.
 */
#ifndef BK_UTIL_H
#define BK_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct bk_rng { uint64_t s; };
uint64_t bk_rand(struct bk_rng *r);
void bk_fill(struct bk_rng *r, uint8_t *p, size_t n, bool compressible);

/* Makes a fresh temporary directory and returns its path (static storage per call site: copy). */
void bk_tmpdir(char *out, size_t size);
void bk_rm_rf(const char *path);
void bk_write(const char *path, const void *p, size_t n);

/* Generates a tree under dir: nested directories, empty directories, files of random sizes
 * (empty, small, multi-chunk, compressible and not), symlinks, hard links, a fifo, Vietnamese
 * names in NFC and NFD side by side, odd bytes in names, and (with big) a large sparse file. */
void bk_gen_tree(const char *dir, uint64_t seed, unsigned files, bool big);
/* Compares trees a and b: kinds, modes, owners, sizes, mtimes (ns), contents, link targets, hard
 * link structure. Returns 0 if equal, else prints the first difference and returns -1. */
int bk_compare(const char *a, const char *b);
/* Sum of apparent file sizes under dir. */
uint64_t bk_du(const char *dir);

#endif
