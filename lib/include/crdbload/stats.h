/*
 * crdbload/stats.h - stage 4 of the data flow: the run's counters, the final
 * summary and --summary-json.
 *
 * Counters are C11 atomics updated with relaxed ordering by the reader thread
 * and the workers, and read by the reporter; nothing here takes a lock on the
 * hot path. The identity that must hold at the end:
 *   rows_read = rows_written + rows_unchanged + rows_rejected + duplicates_merged
 * (rows_skipped, passed over because a checkpoint says an earlier run
 * committed them, are not counted as read; rows_missing are rows of the
 * table, not of the input, and are not part of it either).
 */
#ifndef CRDBLOAD_STATS_H
#define CRDBLOAD_STATS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "crdbload/config.h"

#define CL_STATS_MAX_SQLSTATES 16
#define CL_LATENCY_BUCKETS 128 /* log-spaced, 1 us .. ~1 hour */

typedef enum cl_run_status {
    CL_STATUS_OK = 0,  /* every row written, unchanged or merged */
    CL_STATUS_REJECTS, /* finished with rejected rows */
    CL_STATUS_ABORTED, /* stopped before the end of the input */
} cl_run_status;

typedef struct cl_stats {
    atomic_uint_fast64_t rows_read;
    atomic_uint_fast64_t rows_written;
    atomic_uint_fast64_t rows_unchanged;
    atomic_uint_fast64_t rows_rejected;
    atomic_uint_fast64_t duplicates_merged;
    atomic_uint_fast64_t rows_skipped;
    atomic_uint_fast64_t batches;
    atomic_uint_fast64_t retries;
    atomic_uint_fast64_t batches_retried_40003; /* outcome unknown, re-sent */
    atomic_uint_fast64_t reconnects;
    atomic_uint_fast64_t rows_in_doubt; /* sent, outcome never learnt (see SPEC.md) */
    atomic_uint_fast64_t rows_missing; /* table rows absent from the feed, deleted or
                                          updated (--missing; in a dry run: would be) */
    atomic_uint_fast64_t bytes_read;  /* input bytes (compressed for gzip) */
    atomic_uint_fast64_t input_size;  /* total of known input sizes, for percent */
    atomic_uint_fast64_t latency[CL_LATENCY_BUCKETS];
    atomic_uint_fast64_t latency_max_us;

    /* retries by SQLSTATE: slots claimed once with a CAS, then counted */
    struct {
        _Atomic uint64_t code; /* 5 chars packed, 0 = free slot */
        atomic_uint_fast64_t count;
    } by_sqlstate[CL_STATS_MAX_SQLSTATES];

    /* set once, before or after the run (not concurrently) */
    double start_time;  /* monotonic seconds */
    double end_time;
    int files;
    int workers;
    int batch_size;
    cl_dialect dialect;
    cl_stmt_form form;  /* as resolved for the dialect; AUTO until then */
    cl_run_status status;
    bool dry_run;       /* nothing was sent: written/unchanged stay 0 */
    cl_missing_mode missing; /* --missing: the summary names rows_missing's action */
} cl_stats;

void cl_stats_init(cl_stats *s);

/* Monotonic clock in seconds. */
double cl_now(void);

void cl_stats_add_retry(cl_stats *s, const char *sqlstate);
void cl_stats_add_latency(cl_stats *s, double seconds);

/* Latency percentile (0..100) in milliseconds, from the histogram. */
double cl_stats_latency_ms(const cl_stats *s, double pct);

/* The figures derived from the counters, as the summary, --summary-json and
 * cmd/'s --metrics-file show them (until end_time is set: up to now). */
typedef struct cl_stats_derived {
    double secs;       /* elapsed seconds */
    double rows_per_s; /* rows_read / secs */
    double mb_per_s;   /* bytes_read / 10^6 / secs */
    double p50, p99, max; /* batch latency, milliseconds */
} cl_stats_derived;

void cl_stats_derive(cl_stats *s, cl_stats_derived *d);

/* The i-th SQLSTATE that had retries (0, 1, ... in the order first seen;
 * "none" for a lost connection) and its count; false past the last one. */
bool cl_stats_retry_sqlstate(cl_stats *s, int i, char sqlstate[6], uint64_t *count);

/* The human summary (stderr in the CLI). */
void cl_stats_print_summary(cl_stats *s, FILE *f);

/* The --summary-json object, one line: the keys SPEC.md lists, then
 * batches_retried_40003, statement_form, dry_run and rows_missing; dialect
 * and statement_form are null when the run ended before they were known.
 * 0 or CL_EIO. */
int cl_stats_write_json(cl_stats *s, FILE *f);

const char *cl_dialect_name(cl_dialect d);
const char *cl_stmt_form_name(cl_stmt_form f); /* "values", "unnest" or "auto" */

#endif
