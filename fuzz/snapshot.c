/*
 * Fuzz target: the backup snapshot and tree parsers (src/lib/backup/format.c) on decrypted bytes.
 * A tree that parses must encode back to the same bytes and carry only safe names.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "backup/backup-int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bk_snap s;
	struct bk_tree t;
	uint8_t *p = NULL;
	size_t n;

	if (attt__bk_snap_parse(data, size, &s) == 0) {
		if (attt__bk_snap_encode(&s, &p, &n) == 0 && (n != size || memcmp(p, data, n) != 0))
			abort();
		free(p);
		p = NULL;
		attt__bk_snap_done(&s);
	}
	if (attt__bk_tree_parse(data, size, &t) == 0) {
		for (size_t i = 0; i < t.n; i++)
			if (memchr(t.nodes[i].name, '/', t.nodes[i].name_len) ||
			    (t.nodes[i].name_len <= 2 && t.nodes[i].name[0] == '.' &&
			     (t.nodes[i].name_len == 1 || t.nodes[i].name[1] == '.')))
				abort();
		if (attt__bk_tree_encode(&t, &p, &n) == 0 && (n != size || memcmp(p, data, n) != 0))
			abort();
		free(p);
		attt__bk_tree_done(&t);
	}
	return 0;
}
