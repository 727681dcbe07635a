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
#define ATTT_MAX_CSV_FILE (256u << 20)   /* 256 MiB import file: tens of thousands of people fit */
#define ATTT_MAX_CSV_ROWS 1000000        /* rows of one import */
#define ATTT_MAX_CSV_FIELDS 64           /* columns of one CSV row */
#define ATTT_MAX_CSV_ERRORS 1000         /* errors reported by one import before it stops listing */

/* Agency tree */
#define ATTT_MAX_AGENCY_DEPTH 32    /* province > department > unit > ...; deeper is a mistake */

/* HTTP, before authentication */
#define ATTT_HTTP_MAX_HEADER_BYTES 16384   /* all request headers together */
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

/* Database */
#define ATTT_DB_BUSY_RETRIES 50            /* retries of a transaction that meets SQLITE_BUSY */
#define ATTT_DB_BUSY_TIMEOUT_MS 5000

#endif
