/*
 * config-int.h: what the option table (options.c) and the loader (config.c) share. Private to
 * the config module.
 */
#ifndef ATTT_CONFIG_INT_H
#define ATTT_CONFIG_INT_H

#include <stddef.h>

#include "attt/config.h"

/* Extra checks of one value, after its type and bounds: ATTT_OK, or ATTT_E_CONFIG after writing a
 * message (without location) into msg. */
typedef int (*attt__config_check_fn)(const char *value, char *msg, size_t msgsz);

struct attt__config_row {
	struct attt_config_option opt;
	attt__config_check_fn check; /* NULL: none */
	bool name_or_path;           /* a path only when it has a '/' or ends in ".ini" */
};

extern const struct attt__config_row attt__config_rows[];
extern const size_t attt__config_nrows;

#endif
