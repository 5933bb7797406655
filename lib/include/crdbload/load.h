/*
 * crdbload/load.h - one run from end to end: open the inputs, read the
 * table, plan the statement, start the pool, route every record, settle.
 */
#ifndef CRDBLOAD_LOAD_H
#define CRDBLOAD_LOAD_H

#include <stdatomic.h>

#include "crdbload/config.h"
#include "crdbload/stats.h"

/* Exit statuses of SPEC.md. */
typedef enum cl_exit {
    CL_EXIT_OK = 0,       /* every row read was written, unchanged or merged */
    CL_EXIT_REJECTS = 1,  /* finished, some rows rejected */
    CL_EXIT_CONFIG = 2,   /* usage or configuration error; nothing written */
    CL_EXIT_ABORTED = 3,  /* could not connect, fatal error, retries exhausted, interrupted */
} cl_exit;

/*
 * Run the load cfg describes, filling *stats (the caller prints the
 * summary). stop is polled: set it (from a signal handler) to stop reading
 * and settle what is in flight. Messages go to stderr through cl_log().
 * Returns the exit status.
 */
cl_exit cl_load_run(const cl_config *cfg, cl_stats *stats, atomic_bool *stop);

#endif
