/*
 * notify-int.h: what the files of the notify module share (mail building and sending). Private to
 * the module.
 */
#ifndef ATTT_NOTIFY_INT_H
#define ATTT_NOTIFY_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "attt/buf.h"
#include "attt/notify.h"

/* One mail as stored in the outbox. */
struct attt__notify_mail {
	int64_t id;
	int64_t created_at;
	const char *to;
	const char *subject;
	const char *body;
};

/* True if s is a plain ASCII addr-spec (local@domain) without spaces, controls or specials. */
bool attt__notify_address_valid(const char *s);

/* Appends the complete mail m (headers, blank line, base64 body; CRLF) to out. ATTT_E_CONFIG for
 * an invalid smtp->from or from_name. */
int attt__notify_build(const struct attt__notify_mail *m, const struct attt_notify_smtp *smtp, struct attt_buf *out);

/* Sends mail[0..len) to address to through smtp. *handle caches a curl handle between calls
 * (start with NULL, free with attt__notify_send_done). With a message in err: ATTT_E_TIMEOUT when
 * the relay cannot be reached (resolve, connect, time-out), ATTT_E_IO for any other failure. */
int attt__notify_send(void **handle, const struct attt_notify_smtp *smtp, const char *to, const char *mail,
		      size_t len, char *err, size_t errsize);
void attt__notify_send_done(void *handle);

#endif
