/*
 * chunker.c: FastCDC content-defined chunking with normalised chunk sizes (Xia et al., 2016).
 * The gear table is derived from the repository's secret chunker key, so that chunk boundaries
 * (and hence chunk sizes) do not leak content across repositories. Below the average size the cut
 * condition is harder (two more mask bits), above it easier (two fewer), which narrows the size
 * distribution around the average; sizes stay within [min, max]. Also here: the byte statistics
 * that tell a chunk of random-looking bytes, which zstd is not asked to compress.
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

/*
 * The gear hash after byte i is the sum of gear[p[i - k]] << k for k < 64: older bytes have been
 * shifted out. So from 63 bytes past the first hashed byte on, the hash at any position can be
 * computed from a warm-up over the 63 bytes before it, and the cut points below are found by
 * LANES hashes running side by side over adjacent stretches of LANE bytes: the serial loop waits
 * on its shift-and-add chain at every byte, the lanes overlap their chains (about twice the speed
 * here). The first lane to meet the condition ends the block, which is then scanned serially for
 * the earliest position, so cut points are exactly those of the serial definition
 * (test_backup_format compares the two).
 */
#define WARM 63
#define LANES 4
#define LANE 2048

/* First i in [lo, hi) where the hash (continued from *hp) has no bit of mask; hi if none. */
static size_t scan_serial(const uint64_t gear[256], const uint8_t *p, size_t lo, size_t hi, uint64_t mask,
			  uint64_t *hp)
{
	uint64_t h = *hp;
	size_t i;
	for (i = lo; i < hi; i++) {
		h = (h << 1) + gear[p[i]];
		if (!(h & mask))
			break;
	}
	*hp = h;
	return i;
}

/* The hash before byte at, as far as it matters for the hash after it (needs at >= WARM). */
static uint64_t warm(const uint64_t gear[256], const uint8_t *p, size_t at)
{
	uint64_t h = 0;
	for (size_t i = at - WARM; i < at; i++)
		h = (h << 1) + gear[p[i]];
	return h;
}

/* As scan_serial, for lo at least WARM bytes past the first hashed byte. */
static size_t scan_lanes(const uint64_t gear[256], const uint8_t *p, size_t lo, size_t hi, uint64_t mask)
{
	uint64_t h;
	for (; hi - lo >= LANES * LANE; lo += LANES * LANE) {
		const uint8_t *a = p + lo, *b = a + LANE, *c = b + LANE, *d = c + LANE;
		uint64_t h0 = warm(gear, p, lo), h1 = warm(gear, p, lo + LANE), h2 = warm(gear, p, lo + 2 * LANE),
			 h3 = warm(gear, p, lo + 3 * LANE);
		size_t j;
		for (j = 0; j < LANE; j++) {
			h0 = (h0 << 1) + gear[a[j]];
			h1 = (h1 << 1) + gear[b[j]];
			h2 = (h2 << 1) + gear[c[j]];
			h3 = (h3 << 1) + gear[d[j]];
			if (!(h0 & mask) | !(h1 & mask) | !(h2 & mask) | !(h3 & mask))
				break;
		}
		if (j < LANE) {
			h = warm(gear, p, lo);
			return scan_serial(gear, p, lo, lo + LANES * LANE, mask, &h);
		}
	}
	if (lo >= hi)
		return hi;
	h = warm(gear, p, lo);
	return scan_serial(gear, p, lo, hi, mask, &h);
}

/* Positions before full (the first with a whole 64-byte window) continue the serial hash *hp. */
static size_t find(const uint64_t gear[256], const uint8_t *p, size_t lo, size_t hi, uint64_t mask, size_t full,
		   uint64_t *hp)
{
	size_t e = hi < full ? hi : full;
	if (lo < e) {
		size_t i = scan_serial(gear, p, lo, e, mask, hp);
		if (i < e)
			return i;
		lo = e;
	}
	return lo < hi ? scan_lanes(gear, p, lo, hi, mask) : hi;
}

size_t attt__bk_cut(const uint64_t gear[256], const uint8_t *p, size_t n, uint32_t cmin, uint32_t cavg,
		    uint32_t cmax)
{
	unsigned bits = log2u(cavg);
	/* Masks on the top bits: the gear hash's high bits depend on the last 64 bytes. */
	uint64_t mask_s = ~UINT64_C(0) << (64 - (bits + 2));
	uint64_t mask_l = ~UINT64_C(0) << (64 - (bits - 2));
	size_t i, normal = cavg, full = (size_t)cmin + WARM;
	uint64_t h = 0;

	if (n <= cmin)
		return n;
	if (n > cmax)
		n = cmax;
	if (normal > n)
		normal = n;
	if ((i = find(gear, p, cmin, normal, mask_s, full, &h)) < normal)
		return i + 1;
	if ((i = find(gear, p, normal, n, mask_l, full, &h)) < n)
		return i + 1;
	return n;
}

/*
 * Compressed media, archives and encrypted files are runs of bytes that look uniformly random;
 * zstd spends about 0.3 ms per MiB on such a chunk to find nothing, which was 4 % of a backup's
 * CPU on the bench's dataset (docs/performance.md, "Random-looking chunks"). A chunk is taken for
 * random when 256 windows of 256 bytes, spread evenly over it, fill the 256 byte values evenly:
 * the collision estimate 256 (S - k) / (k^2 - k), S the sum of the squared counts of the k = 2^16
 * bytes, is 1 for uniform bytes (standard deviation 0.00035) and 1 + 255 f^2 for a random chunk
 * with a fraction f of zeros: a run of zeros over 0.4 % of the chunk lifts it past the limit of
 * 1 + 1/256, so mixed chunks (disk images, a file's end followed by padding) are still
 * compressed. Windows of consecutive bytes rather than every n/2^16-th byte, so that records of up
 * to 256 bytes (16- or 32-bit samples whose high bytes are zero) are seen whole and not sampled at
 * their one random byte. What this cannot see is random bytes that repeat at a longer distance
 * within one chunk (the same photo twice in 4 MiB), and zero runs under 0.4 % of a random chunk;
 * both are stored uncompressed, and deduplication still finds repeats of a chunk's size. Below
 * 64 KiB a chunk is always compressed: zstd's cost there is small.
 */
bool attt__bk_looks_random(const uint8_t *p, size_t n)
{
	enum { WINDOWS = 256, WIN = 256 };
	uint32_t c[4][256];
	const uint64_t k = (uint64_t)WINDOWS * WIN;
	uint64_t sq = 0;

	if (n < (64u << 10))
		return false;
	memset(c, 0, sizeof(c));
	for (size_t w = 0; w < WINDOWS; w++) {
		const uint8_t *q = p + w * (n / WINDOWS); /* n / WINDOWS >= WIN: windows do not overlap */
		/* Four tables, so that equal bytes in a row do not wait on each other's increment. */
		for (size_t i = 0; i < WIN; i += 4) {
			c[0][q[i]]++;
			c[1][q[i + 1]]++;
			c[2][q[i + 2]]++;
			c[3][q[i + 3]]++;
		}
	}
	for (size_t i = 0; i < 256; i++) {
		uint64_t t = (uint64_t)c[0][i] + c[1][i] + c[2][i] + c[3][i];
		sq += t * t;
	}
	/* 256 (sq - k) / (k^2 - k) < 1 + 1/256 in integers: k = 2^16, sq <= k^2, no product overflows. */
	return 256 * 256 * (sq - k) < 257 * (k * k - k);
}
