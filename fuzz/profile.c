/*
 * profile.c (fuzz): the policy profile loader on arbitrary bytes, from memory. A base may only
 * name an embedded profile here, so no file is read. Loading must fail with a message or give a
 * policy whose hash and JSON export work.
 */
#include <stddef.h>
#include <stdint.h>

#include "attt/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct attt_policy *pol = NULL;
	json_t *j = NULL;
	char err[512];

	if (attt_policy_load_string((const char *)data, size, "fuzz.ini", &pol, err, sizeof(err)) == 0) {
		if (attt_policy_to_json(pol, &j) == 0)
			json_decref(j);
		(void)attt_policy_hash(pol);
		attt_policy_free(pol);
	}
	return 0;
}
