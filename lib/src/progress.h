/*
 * crdbload/progress.h - the reporter: one thread that reads the atomic
 * counters of a cl_stats and prints progress on stderr (a live bar on a
 * terminal, a log line every interval otherwise, or JSON lines), so that
 * reporting never slows the load.
 */
#ifndef CRDBLOAD_PROGRESS_H
#define CRDBLOAD_PROGRESS_H

#include "crdbload/crdbload.h"

typedef struct cl_progress cl_progress;

/* Start reporting (mode AUTO picks bar or log from isatty(stderr)). Returns 0
 * and *out (NULL for CL_PROGRESS_NONE), or CL_ENOMEM. */
int cl_progress_start(cl_progress **out, cl_stats *s, cl_progress_mode mode,
                      double interval_s);

/* Stop the thread and clear the bar's line. NULL is a no-op. */
void cl_progress_stop(cl_progress *p);

#endif
