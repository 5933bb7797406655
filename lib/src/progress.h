/*
 * lib/src/progress.h - the reporter: one thread that reads the atomic
 * counters of a cl_stats and hands a snapshot of them to the caller's
 * cl_config.on_progress (crdbload.h, "Progress"), so that reporting never
 * slows the load. The library draws nothing: cmd/progress.c does.
 */
#ifndef CRDBLOAD_PROGRESS_H
#define CRDBLOAD_PROGRESS_H

#include "crdbload/crdbload.h"

typedef struct cl_progress cl_progress;

/* Start reporting to cfg->on_progress at the pace of cfg->progress. Returns
 * 0 and *out (NULL when there is no function or the mode is
 * CL_PROGRESS_NONE), or CL_ENOMEM. */
int cl_progress_start(cl_progress **out, cl_stats *s, const cl_config *cfg);

/* Stop the thread. NULL is a no-op. */
void cl_progress_stop(cl_progress *p);

#endif
