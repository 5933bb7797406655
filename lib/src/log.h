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

/* The same, then "Hint: ..." (what to do) on its own line. */
void cl_log_hint(cl_log_level level, const char *hint, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * For the progress bar: the columns it leaves drawn on stderr's current line
 * (0: none). A message blanks them first, so that it starts on a clean line
 * and the bar redraws below it. Call with stderr locked (flockfile), so that
 * drawing and recording are one step for the messages of other threads.
 */
void cl_log_set_bar_width(int columns);
int cl_log_bar_width(void);

#endif
