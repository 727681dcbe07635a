/*
 * chunker.c: FastCDC content-defined chunking with normalised chunk sizes (Xia et al., 2016).
 * The gear table is derived from the repository's secret chunker key, so that chunk boundaries
 * (and hence chunk sizes) do not leak content across repositories. Below the average size the cut
 * condition is harder (two more mask bits), above it easier (two fewer), which narrows the size
 * distribution around the average; sizes stay within [min, max].
 */
#include <string.h>

#include <sodium.h>

#include "backup-int.h"

void attt__bk_gear_init(const uint8_t seed[32], uint64_t gear[256])
{
	uint8_t raw[256 * 8];
	randombytes_buf_deterministic(raw, sizeof(raw), seed);
	for (size_t i = 0; i < 256; i++)
		gear[i] = attt__bk_get_u64(raw + i * 8);
	sodium_memzero(raw, sizeof(raw));
}

static unsigned log2u(uint32_t v)
{
	unsigned b = 0;
	while (v > 1) {
		v >>= 1;
		b++;
	}
	return b;
}

size_t attt__bk_cut(const uint64_t gear[256], const uint8_t *p, size_t n, uint32_t cmin, uint32_t cavg,
		    uint32_t cmax)
{
	unsigned bits = log2u(cavg);
	/* Masks on the top bits: the gear hash's high bits depend on the last 64 bytes. */
	uint64_t mask_s = ~UINT64_C(0) << (64 - (bits + 2));
	uint64_t mask_l = ~UINT64_C(0) << (64 - (bits - 2));
	size_t i, normal = cavg;
	uint64_t h = 0;

	if (n <= cmin)
		return n;
	if (n > cmax)
		n = cmax;
	if (normal > n)
		normal = n;
	for (i = cmin; i < normal; i++) {
		h = (h << 1) + gear[p[i]];
		if (!(h & mask_s))
			return i + 1;
	}
	for (; i < n; i++) {
		h = (h << 1) + gear[p[i]];
		if (!(h & mask_l))
			return i + 1;
	}
	return n;
}
