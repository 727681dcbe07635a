/*
 * proof.c: fuzz target for the proof decoder and the RFC 9162 verifiers of the audit module
 * (R7.1). The first 16 bytes choose the index/sizes; the rest is a proof as `attt audit prove`
 * prints it (one base64 hash per line). Decoding must be strict and bounded, verification must
 * never read beyond the proof, and a proof made for a tree must verify against that tree only.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "attt/audit.h"
#include "attt/err.h"
#include "attt/limits.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint64_t u64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct attt_hash proof[ATTT_AUDIT_MAX_PROOF], leaf, root;
	size_t n = 0;

	if (sodium_init() < 0)
		abort();
	if (size < 16)
		return 0;
	uint64_t a = u64(data), b = u64(data + 8);
	if (attt_merkle_proof_parse((const char *)data + 16, size - 16, proof, ATTT_AUDIT_MAX_PROOF, &n) != ATTT_OK)
		return 0;
	if (n > ATTT_AUDIT_MAX_PROOF)
		abort();
	memset(&leaf, 0x11, sizeof(leaf));
	memset(&root, 0x22, sizeof(root));
	(void)attt_merkle_verify_inclusion(a, b, leaf.b, sizeof(leaf.b), proof, n, root.b, sizeof(root.b));
	(void)attt_merkle_verify_consistency(a, b, proof, n, leaf.b, sizeof(leaf.b), root.b, sizeof(root.b));
	/* The root a proof computes for a leaf is the only root it verifies against: taking that
	 * root from the first hash of the proof must not make a one-hash proof verify for two leaves. */
	if (n == 1 && b == 2 && a < 2) {
		struct attt_hash r2;
		if (a == 0)
			attt_merkle_node(&leaf, &proof[0], &r2);
		else
			attt_merkle_node(&proof[0], &leaf, &r2);
		if (attt_merkle_verify_inclusion(a, 2, leaf.b, 32, proof, 1, r2.b, 32) != ATTT_OK)
			abort();
		if (attt_merkle_verify_inclusion(a ^ 1, 2, leaf.b, 32, proof, 1, r2.b, 32) == ATTT_OK &&
		    memcmp(leaf.b, proof[0].b, 32) != 0)
			abort();
	}
	return 0;
}
