/*
 * crdbload/log.h - messages on stderr, in the PostgreSQL style:
 * "crdbload: error: could not open file "x.csv": No such file or directory".
 * Thread-safe (one fprintf a message). Progress output is not a message.
 */
#ifndef CRDBLOAD_LOG_H
#define CRDBLOAD_LOG_H

typedef enum cl_log_level {
    CL_LOG_ERROR = 0,
    CL_LOG_WARNING,
    CL_LOG_INFO,   /* silenced by --quiet */
} cl_log_level;

/* Messages at a level above this are dropped (CL_LOG_ERROR for --quiet). */
void cl_log_set_level(cl_log_level max);

void cl_log(cl_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The same, then "Detail: ..." on its own line. */
void cl_log_detail(cl_log_level level, const char *detail, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
