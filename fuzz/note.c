/*
 * note.c: fuzz target for the signed-note and checkpoint parsers of the audit module (R7.1):
 * attt_note_open, attt_checkpoint_parse, attt_checkpoint_open and attt_audit_verifier_parse on
 * untrusted text. Any crash, leak or sanitizer report is a bug; a note must never verify unless it
 * carries a valid signature by the key (the key's secret is not in this program, so any input
 * that verifies must contain the reference signature's text unchanged).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "attt/audit.h"
#include "attt/err.h"

#define GO_VKEY "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
#define GO_TEXT "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct attt_audit_verifier *v;
	struct attt_checkpoint cp;
	size_t text_len;
	char *s;

	if (!v) {
		if (sodium_init() < 0 || attt_audit_verifier_parse(GO_VKEY, &v) != ATTT_OK)
			abort();
	}
	if (attt_note_open((const char *)data, size, v, &text_len) == ATTT_OK) {
		/* Only the reference text is signed by this key. */
		if (text_len != strlen(GO_TEXT) || memcmp(data, GO_TEXT, text_len) != 0)
			abort();
	}
	(void)attt_checkpoint_parse((const char *)data, size, &cp);
	(void)attt_checkpoint_open((const char *)data, size, v, NULL, &cp);
	s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = 0;
	struct attt_audit_verifier *w = NULL;
	if (attt_audit_verifier_parse(s, &w) == ATTT_OK) {
		char buf[ATTT_AUDIT_VKEY_MAX];
		/* What parses prints back the same (canonical form). */
		if (attt_audit_verifier_vkey(w, buf, sizeof(buf)) != ATTT_OK || strcmp(buf, s) != 0)
			abort();
		attt_audit_verifier_free(w);
	}
	free(s);
	return 0;
}
