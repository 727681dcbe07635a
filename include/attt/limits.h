/*
 * limits.h: every size, count and depth limit of attt in one place (after SQLite's sqliteLimit.h).
 * Limits before authentication are tighter than after. A module that needs a new limit adds it here,
 * with a comment saying why the number is what it is.
 */
#ifndef ATTT_LIMITS_H
#define ATTT_LIMITS_H

/* Text */
#define ATTT_MAX_NAME 512           /* bytes of a person's or agency's name (UTF-8) */
#define ATTT_MAX_SHORT_TEXT 256     /* bytes of a code, type, email, phone, position */
#define ATTT_MAX_TEXT 65536         /* bytes of a free-text field (descriptions) */
#define ATTT_MAX_PATH 4096          /* bytes of a file system path */
#define ATTT_MAX_LINE 65536         /* bytes of one line of a config file or CSV row */

/* Files read by the CLI and server */
#define ATTT_MAX_CONFIG_FILE (1u << 20)  /* 1 MiB config or profile file */
#define ATTT_CONFIG_MAX_LIST 32          /* items of one list option of attt.ini (witness URLs) */
#define ATTT_MAX_CSV_FILE (256u << 20)   /* 256 MiB import file: tens of thousands of people fit */
#define ATTT_MAX_CSV_ROWS 1000000        /* rows of one import */
#define ATTT_MAX_CSV_FIELDS 64           /* columns of one CSV row */
#define ATTT_MAX_CSV_ERRORS 1000         /* errors reported by one import before it stops listing */

/* Agency tree */
#define ATTT_MAX_AGENCY_DEPTH 32    /* province > department > unit > ...; deeper is a mistake */

/* HTTP, before authentication */
#define ATTT_HTTP_MAX_HEADER_BYTES 8192    /* all request headers together (Apache's per-line limit; a
					    * session cookie and a token need < 1 KiB). With the request
					    * line it sizes each connection's buffer, which MHD zeroes on
					    * every request: 16 KiB cost 20 % of static-file throughput */
#define ATTT_HTTP_MAX_URL 4096             /* request target */
#define ATTT_HTTP_MAX_BODY_ANON 16384      /* body of a request without a session (login) */
#define ATTT_HTTP_MAX_JSON_DEPTH_ANON 8
/* HTTP, after authentication */
#define ATTT_HTTP_MAX_BODY (1u << 20)      /* JSON body of an authenticated request */
#define ATTT_HTTP_MAX_UPLOAD (64u << 20)   /* attachment upload */
#define ATTT_HTTP_MAX_JSON_DEPTH 32
#define ATTT_HTTP_MAX_CONNECTIONS 1024
#define ATTT_HTTP_CONNECTION_TIMEOUT 30    /* seconds of idle before a connection is closed */
#define ATTT_HTTP_MAX_PAGE 500             /* items of one page of a list */
#define ATTT_HTTP_DEFAULT_PAGE 50
#define ATTT_HTTP_MAX_QUERY_PARAMS 64      /* query parameters of one request; lists need ~10 */
#define ATTT_HTTP_MAX_PATH_PARAMS 8        /* {params} of one route pattern */
#define ATTT_HTTP_MAX_ROUTES 1024          /* routes of one server */
#define ATTT_HTTP_STATIC_MAX_FILES 4096    /* files of the web UI held in memory */
#define ATTT_HTTP_STATIC_MAX_BYTES (64u << 20) /* bytes of the web UI held in memory */
#define ATTT_HTTP_SHUTDOWN_GRACE_MS 10000  /* wait for requests in flight on SIGTERM */

/* Audit trail */
#define ATTT_AUDIT_MAX_FIELD 4096          /* bytes of one text field of an event (action, ids, names) */
#define ATTT_AUDIT_MAX_SUMMARY 65536       /* bytes of an event's JSON summary of what changed */
#define ATTT_AUDIT_MAX_PROOF 130           /* hashes of a proof: 2 per level of a 2^64 tree, plus 2 */
#define ATTT_AUDIT_MAX_NOTE 8192           /* bytes of a signed note (checkpoint + signatures) */
#define ATTT_AUDIT_MAX_NAME 256            /* bytes of a signed-note key name / checkpoint origin */
#define ATTT_AUDIT_MAX_SIGS 100            /* signature lines of one note (the Go reference's cap) */
#define ATTT_AUDIT_MAX_EXPORT_LINE (1u << 20) /* one JSON line of an export: escaped fields fit */
#define ATTT_AUDIT_WITNESS_TIMEOUT_MS 5000 /* one POST of a checkpoint to a witness */
#define ATTT_AUDIT_MAX_WITNESSES 16
#define ATTT_AUDIT_MAX_AGENCIES 1000      /* agencies of one query filter: a province has a few hundred */
#define ATTT_AUDIT_BULK_SET_RUNS 4096     /* ID ranges of one agency a bulk operation holds before writing */
#define ATTT_AUDIT_BULK_RUNS 65536        /* ID ranges of all agencies held (1 MiB) before writing all */
#define ATTT_AUDIT_BULK_AGENCIES 1024     /* agencies a bulk operation holds at once */

/* Documents (docs module) */
#define ATTT_DOCS_MAX_PAGES 200            /* pages of one form: 64 KiB of text per field is ~25 pages */
#define ATTT_DOCS_MAX_PDF (32u << 20)      /* bytes of one rendered PDF (a 200-page form is ~2 MiB) */

/* Notifications (notify module) */
#define ATTT_NOTIFY_MAX_SUBJECT 512        /* bytes of a subject: a long incident title still fits */
#define ATTT_NOTIFY_MAX_ADDRESS 254        /* bytes of a mail address (RFC 5321 path limit) */
#define ATTT_NOTIFY_MAX_MAIL (256u << 10)  /* bytes of one formatted mail: ATTT_MAX_TEXT body in base64 */
#define ATTT_NOTIFY_MAX_BATCH 500          /* mails sent by one attt_notify_deliver call */
#define ATTT_NOTIFY_MAX_ATTEMPTS 10        /* default attempts before a mail is marked failed (~8.5 h) */
#define ATTT_NOTIFY_BACKOFF_S 60           /* default first retry delay, doubled each time */
#define ATTT_NOTIFY_BACKOFF_MAX_S 21600    /* default ceiling of the retry delay: 6 hours */
#define ATTT_NOTIFY_TIMEOUT_S 60           /* default time one SMTP transaction may take */

/* Database */
#define ATTT_DB_BUSY_RETRIES 50            /* retries of a transaction that meets SQLITE_BUSY */
#define ATTT_DB_BUSY_TIMEOUT_MS 5000

#endif
