/*
 * scan.c: the libclamav engine behind include/attt/scan.h (R8.6).
 *
 * libclamav is initialised once per process (pthread_once: cl_init is not safe to run twice at
 * once) with its messages sent to our debug log instead of stderr. An engine is loaded and compiled
 * once; libclamav documents scans on a compiled engine as thread-safe, and the engine is never
 * changed afterwards, so scans need no lock. Every outcome other than CL_CLEAN and CL_VIRUS is an
 * error, so that nothing unscanned is ever called clean (fail closed).
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <clamav.h>

#include "attt/err.h"
#include "attt/log.h"
#include "attt/scan.h"
#include "attt/str.h"

struct attt_scan {
	struct cl_engine *engine;
	unsigned signatures;
};

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static cl_error_t init_result = CL_ERROR;

/* libclamav's own messages (warnings about the database, parse notes) go to the debug log, with
 * the severity it gives them: the program decides what to tell the operator. */
static void clamav_msg(enum cl_msg severity, const char *fullmsg, const char *msg, void *ctx)
{
	(void)fullmsg;
	(void)ctx;
	(void)severity;
	log_debug("libclamav: %s", msg ? msg : "");
}

static void init_lib(void)
{
	cl_set_clcb_msg(clamav_msg);
	init_result = cl_init(CL_INIT_DEFAULT);
}

static int map_err(cl_error_t e)
{
	switch (e) {
	case CL_EMEM:
		return ATTT_E_NOMEM;
	case CL_EOPEN:
	case CL_ESTAT:
	case CL_EREAD:
	case CL_ESEEK:
	case CL_EMAP:
	case CL_EDUP:
	case CL_EACCES:
	case CL_ETMPFILE:
	case CL_ETMPDIR:
		return ATTT_E_IO;
	case CL_EMALFDB:
	case CL_ECVD:
	case CL_EVERIFY:
		return ATTT_E_CONFIG;
	case CL_ETIMEOUT:
		return ATTT_E_TIMEOUT;
	default:
		return ATTT_E_INTERNAL;
	}
}

static void set_err(char *err, size_t errsz, const char *path, const char *vi, const char *en)
{
	if (errsz > 0)
		attt_str_printf(err, errsz, "%s: %s (%s)", path, vi, en);
}

int attt_scan_open(const char *path, struct attt_scan **ret, char *err, size_t errsz)
{
	struct attt_scan *s = NULL;
	struct stat st;
	unsigned sigs = 0;
	cl_error_t ce;
	int r;

	if (errsz > 0)
		err[0] = '\0';
	if (!path || !*path) {
		set_err(err, errsz, "scan.database", "chưa đặt đường dẫn cơ sở dữ liệu mẫu mã độc",
			"no signature database path is set");
		return ATTT_E_CONFIG;
	}
	if (stat(path, &st) != 0) {
		r = errno == ENOENT ? ATTT_E_NOTFOUND : ATTT_E_IO;
		set_err(err, errsz, path,
			"không có cơ sở dữ liệu mẫu mã độc; cài clamav-freshclam hoặc đặt scan.database",
			"no malware signature database; install clamav-freshclam or set scan.database");
		return r;
	}
	pthread_once(&init_once, init_lib);
	if (init_result != CL_SUCCESS) {
		set_err(err, errsz, path, "không khởi tạo được libclamav", cl_strerror(init_result));
		return ATTT_E_INTERNAL;
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return ATTT_E_NOMEM;
	s->engine = cl_engine_new();
	if (!s->engine) {
		r = ATTT_E_NOMEM;
		goto out;
	}
	/* Limits at least as large as the largest upload, so that a whole file is always scanned; what
	 * is still beyond them (archive bombs) alerts as Heuristics.Limits.Exceeded (scan options). */
	if ((ce = cl_engine_set_num(s->engine, CL_ENGINE_MAX_FILESIZE, (long long)ATTT_SCAN_MAX_BYTES + 1)) != CL_SUCCESS ||
	    (ce = cl_engine_set_num(s->engine, CL_ENGINE_MAX_SCANSIZE, (long long)ATTT_SCAN_MAX_BYTES * 4)) != CL_SUCCESS) {
		r = map_err(ce);
		set_err(err, errsz, path, "không đặt được giới hạn quét", cl_strerror(ce));
		goto out;
	}
	ce = cl_load(path, s->engine, &sigs, CL_DB_STDOPT);
	if (ce != CL_SUCCESS) {
		/* An existing directory without database files is CL_EOPEN: a configuration fault. */
		r = ce == CL_EOPEN || ce == CL_EMALFDB || ce == CL_ECVD || ce == CL_EVERIFY ? ATTT_E_CONFIG : map_err(ce);
		set_err(err, errsz, path, "không nạp được cơ sở dữ liệu mẫu mã độc", cl_strerror(ce));
		goto out;
	}
	if (sigs == 0) {
		r = ATTT_E_CONFIG;
		set_err(err, errsz, path, "cơ sở dữ liệu không có mẫu mã độc nào", "the database holds no signature");
		goto out;
	}
	ce = cl_engine_compile(s->engine);
	if (ce != CL_SUCCESS) {
		r = map_err(ce);
		set_err(err, errsz, path, "không biên dịch được bộ máy quét", cl_strerror(ce));
		goto out;
	}
	s->signatures = sigs;
	log_debug("scan: %u signatures from %s (libclamav %s)", sigs, path, cl_retver());
	*ret = s;
	s = NULL;
	r = ATTT_OK;
out:
	attt_scan_close(s);
	return r;
}

void attt_scan_close(struct attt_scan *s)
{
	if (!s)
		return;
	if (s->engine)
		cl_engine_free(s->engine);
	free(s);
}

unsigned attt_scan_signatures(const struct attt_scan *s)
{
	return s ? s->signatures : 0;
}

const char *attt_scan_version(void)
{
	return cl_retver();
}

/* Every parser on (archives, documents, mail ...), heuristic alerts on, and an alert instead of a
 * silent skip when a limit is exceeded (fail closed). Encrypted archives are not alerted on: evidence
 * is routinely exchanged as password-protected archives, and their content cannot be scanned by
 * anyone; docs/incidents.md says so. */
static void scan_options(struct cl_scan_options *o)
{
	memset(o, 0, sizeof(*o));
	o->parse = ~0u;
	o->general = CL_SCAN_GENERAL_HEURISTICS;
	o->heuristic = CL_SCAN_HEURISTIC_EXCEEDS_MAX;
}

static int verdict(cl_error_t ce, const char *virname, struct attt_scan_result *ret)
{
	struct attt_scan_result res;

	memset(&res, 0, sizeof(res));
	if (ce == CL_CLEAN) {
		res.verdict = ATTT_SCAN_CLEAN;
	}
	else if (ce == CL_VIRUS) {
		res.verdict = ATTT_SCAN_INFECTED;
		/* Cut, not refused: a name is a label, and an infected file must stay infected. Only
		 * printable ASCII is kept, so the name is safe in JSON, logs and headers. */
		const char *v = virname && *virname ? virname : "unknown";
		size_t i;
		for (i = 0; v[i] && i < sizeof(res.signature) - 1; i++)
			res.signature[i] = (v[i] > 0x20 && v[i] < 0x7f) ? v[i] : '_';
		res.signature[i] = '\0';
	}
	else {
		log_debug("scan: %s", cl_strerror(ce));
		return map_err(ce);
	}
	*ret = res;
	return ATTT_OK;
}

int attt_scan_buffer(const struct attt_scan *s, const void *p, size_t n, const char *name,
		     struct attt_scan_result *ret)
{
	static const char empty[1] = {0};
	struct cl_scan_options o;
	const char *virname = NULL;
	unsigned long scanned = 0;
	cl_fmap_t *map;
	cl_error_t ce;

	if (!s || !s->engine || (!p && n > 0) || !ret)
		return ATTT_E_INVAL;
	if (n > ATTT_SCAN_MAX_BYTES)
		return ATTT_E_TOOBIG;
	/* R8.6: an empty file is scanned like any other (hash signatures of size 0 exist). */
	map = cl_fmap_open_memory(n ? p : empty, n);
	if (!map)
		return ATTT_E_NOMEM;
	scan_options(&o);
	ce = cl_scanmap_callback(map, name, &virname, &scanned, s->engine, &o, NULL);
	/* virname points into the engine, which outlives this call: copy it before anything else. */
	{
		int r = verdict(ce, virname, ret);
		cl_fmap_close(map);
		return r;
	}
}

int attt_scan_fd(const struct attt_scan *s, int fd, const char *name, struct attt_scan_result *ret)
{
	struct cl_scan_options o;
	const char *virname = NULL;
	unsigned long scanned = 0;
	struct stat st;
	cl_error_t ce;

	if (!s || !s->engine || fd < 0 || !ret)
		return ATTT_E_INVAL;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
		return ATTT_E_IO;
	if ((uint64_t)st.st_size > ATTT_SCAN_MAX_BYTES)
		return ATTT_E_TOOBIG;
	scan_options(&o);
	ce = cl_scandesc(fd, name, &virname, &scanned, s->engine, &o);
	return verdict(ce, virname, ret);
}
