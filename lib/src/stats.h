/*
 * lib/src/stats.h - what the library's threads do with a cl_stats
 * (stats.c; the counters, the summary and --summary-json are public:
 * crdbload.h).
 */
#ifndef CRDBLOAD_STATS_H
#define CRDBLOAD_STATS_H

#include "crdbload/crdbload.h"

/* Monotonic clock in seconds. */
double cl_now(void);

void cl_stats_add_retry(cl_stats *s, const char *sqlstate);
void cl_stats_add_latency(cl_stats *s, double seconds);

/* Latency percentile (0..100) in milliseconds, from the histogram. */
double cl_stats_latency_ms(const cl_stats *s, double pct);

#endif
