/*
 * policy-int.h: the profiles embedded in the binary. The table is generated at build time from
 * profiles/<name>.ini by embed.cmake (see CMakeLists.txt), so `attt` needs no files to run.
 */
#ifndef ATTT_POLICY_INT_H
#define ATTT_POLICY_INT_H

#include <stddef.h>

struct attt__policy_embedded {
	const char *name; /* file name without ".ini" */
	const char *text; /* the file's bytes, NUL-terminated */
	size_t len;       /* bytes, without the NUL */
};

extern const struct attt__policy_embedded attt__policy_embedded[];
extern const size_t attt__policy_embedded_count;

#endif
