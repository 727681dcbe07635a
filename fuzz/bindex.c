/*
 * Fuzz target: the backup index parser (src/lib/backup/format.c) on decrypted index bytes.
 */
#include <stdint.h>
#include <stdlib.h>

#include "backup/backup-int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bk_packinfo *pi = NULL;
	size_t n = 0;

	if (attt__bk_index_parse(data, size, 40, &pi, &n) == 0) {
		for (size_t i = 0; i < n; i++)
			for (size_t j = 0; j < pi[i].n; j++)
				if (pi[i].blobs[j].stored_len < 40 || pi[i].blobs[j].raw_len > BK_MAX_BLOB)
					abort();
		attt__bk_packinfos_free(pi, n);
	}
	return 0;
}
