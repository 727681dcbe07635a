/*
 * Fuzz target: the backup pack trailer and decrypted pack header parsers (src/lib/backup/format.c).
 * Input: u64 data region length, then header bytes; the last 12 bytes are also tried as a trailer.
 */
#include <stdint.h>
#include <stdlib.h>

#include "backup/backup-int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bk_blobent *b = NULL;
	size_t n = 0;
	uint32_t hl;

	if (size >= 12)
		(void)attt__bk_pack_trailer(data + size - 12, 12, size, 40, &hl);
	if (size < 8)
		return 0;
	if (attt__bk_pack_header_parse(data + 8, size - 8, attt__bk_get_u64(data), 40, &b, &n) == 0) {
		/* Every blob lies inside the data region, in order. */
		uint64_t end = 0;
		for (size_t i = 0; i < n; i++) {
			if (b[i].offset != end)
				abort();
			end += b[i].stored_len;
		}
		if (end != attt__bk_get_u64(data))
			abort();
	}
	free(b);
	return 0;
}
