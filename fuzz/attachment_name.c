/*
 * attachment_name.c: fuzz target for what R8.6 does with untrusted file names and content
 * (src/lib/incident/attach.c): attt_incident_file_name on the raw bytes, then
 * attt_incident_content_disposition on its result, and attt_incident_sniff_type on the input as
 * content. Any crash or sanitizer report is a bug, and so is a stored name that breaks its promises:
 * valid UTF-8, 1..ATTT_INCIDENT_MAX_FILE_NAME bytes, no '/', '\\', control character or quote, no
 * leading '.' or space; and a Content-Disposition with a CR, LF, NUL or a non-ASCII byte.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "attt/err.h"
#include "attt/incident.h"
#include "attt/str.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char name[ATTT_INCIDENT_MAX_FILE_NAME + 1], cd[4 * ATTT_INCIDENT_MAX_FILE_NAME + 64];
	const char *id = NULL, *media = NULL;
	size_t n;

	(void)attt_incident_sniff_type(data, size, &id, &media);
	if (id && !attt_incident_type_known(id))
		abort();
	if (attt_incident_file_name((const char *)data, size, name, sizeof(name)) != ATTT_OK)
		return 0;
	n = strlen(name);
	if (n == 0 || n > ATTT_INCIDENT_MAX_FILE_NAME || !attt_utf8_valid(name, n) || name[0] == '.' || name[0] == ' ')
		abort();
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i];
		if (c < 0x20 || c == 0x7f || c == '/' || c == '\\' || c == '"')
			abort();
	}
	if (attt_incident_content_disposition(name, cd, sizeof(cd)) != ATTT_OK)
		abort(); /* the documented size always fits */
	for (const unsigned char *p = (const unsigned char *)cd; *p; p++)
		if (*p < 0x20 || *p >= 0x7f)
			abort();
	return 0;
}
