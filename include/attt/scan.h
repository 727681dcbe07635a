/*
 * scan.h: malware scanning of untrusted files with libclamav (R8.6: attachments are scanned before
 * they are stored or served).
 *
 * An engine is loaded once from a signature database (a directory such as Debian's /var/lib/clamav
 * that clamav-freshclam keeps current, or one signature file: .cvd/.cld/.cud, .ndb body signatures,
 * .hdb/.hsb hash signatures ...), compiled, and then scans memory buffers or open files from many
 * threads at once. Loading is slow with the official databases (seconds, hundreds of MiB); do it at
 * start, not per file. The engine is opaque and immutable once loaded.
 *
 * Fail closed: a missing database, a database without signatures and any scanning error are errors
 * (never "clean"), so a caller that stores only on ATTT_SCAN_CLEAN never stores an unscanned file.
 * Files or archive members beyond libclamav's limits are reported infected
 * ("Heuristics.Limits.Exceeded..."), never passed unscanned.
 *
 * Errors (include/attt/err.h): ATTT_E_NOTFOUND the database path does not exist; ATTT_E_CONFIG it
 * holds no usable signature (empty directory, malformed file); ATTT_E_TOOBIG a buffer over
 * ATTT_SCAN_MAX_BYTES; ATTT_E_IO a scan that could not read its input; ATTT_E_NOMEM;
 * ATTT_E_INTERNAL any other libclamav failure. The libclamav message goes to the debug log.
 */
#ifndef ATTT_SCAN_H
#define ATTT_SCAN_H

#include <stddef.h>

#include "attt/limits.h"

struct attt_scan;

/* Bytes of one scanned buffer or file: an upload is never larger. */
#define ATTT_SCAN_MAX_BYTES ATTT_HTTP_MAX_UPLOAD
/* Bytes of a signature name kept in a result, NUL included (longer names are cut). */
#define ATTT_SCAN_MAX_NAME 256

enum attt_scan_verdict {
	ATTT_SCAN_CLEAN = 0,
	ATTT_SCAN_INFECTED = 1,
};

struct attt_scan_result {
	enum attt_scan_verdict verdict;
	char signature[ATTT_SCAN_MAX_NAME]; /* the matching signature when infected, else "" */
};

/* Initialises libclamav (once per process, thread-safe), loads the database at path (a directory
 * or one signature file) and compiles the engine. On failure err (if errsz > 0) gets one line in
 * Vietnamese then English naming the path and libclamav's reason. *ret (close with
 * attt_scan_close) is written only on success. path is not kept. */
int attt_scan_open(const char *path, struct attt_scan **ret, char *err, size_t errsz);
/* Frees the engine. NULL is a no-op. No scan may be running. */
void attt_scan_close(struct attt_scan *s);

/* Signatures loaded (> 0 for an open engine). */
unsigned attt_scan_signatures(const struct attt_scan *s);
/* The version of libclamav ("1.0.7"); static storage. */
const char *attt_scan_version(void);

/* Scans p[0..n) (n <= ATTT_SCAN_MAX_BYTES; n may be 0). name (may be NULL) is only a hint for
 * libclamav's messages. *ret is written only on success (ATTT_OK: clean or infected). Thread-safe:
 * any number of scans may run at once on one engine. p is borrowed for the call. */
int attt_scan_buffer(const struct attt_scan *s, const void *p, size_t n, const char *name,
		     struct attt_scan_result *ret);
/* Same for the open file fd, read from its start (at most ATTT_SCAN_MAX_BYTES, else ATTT_E_TOOBIG).
 * fd stays open and the caller's. */
int attt_scan_fd(const struct attt_scan *s, int fd, const char *name, struct attt_scan_result *ret);

#endif
