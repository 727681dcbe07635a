/*
 * config.c (fuzz): the configuration loader on arbitrary bytes, from memory (no file is read).
 * Whatever the input, loading must either fail with a message or give a config whose JSON
 * export works; nothing may crash, leak or read out of bounds.
 */
#include <stddef.h>
#include <stdint.h>

#include "attt/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct attt_config *cfg = NULL;
	json_t *j = NULL;
	char err[512];

	if (attt_config_load_string((const char *)data, size, "fuzz.ini", &cfg, err, sizeof(err)) == 0) {
		if (attt_config_to_json(cfg, &j) == 0)
			json_decref(j);
		attt_config_free(cfg);
	}
	return 0;
}
