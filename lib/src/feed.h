/*
 * lib/src/feed.h - the reading loop: every input read in turn by the
 * loader's thread, each record counted once and passed on. Private to the
 * library.
 *
 * A record's key goes to --missing whatever becomes of its row; then the
 * record is skipped (settled by the earlier run a checkpoint resumes),
 * rejected (the router's check, route.h) or routed to its worker's batch.
 * The ledger hears of each record read (ledger.h), and at the end of each
 * input the router hands on its batches: batches never span two inputs, so
 * that a worker can name the file of a row the server refuses.
 */
#ifndef CRDBLOAD_FEED_H
#define CRDBLOAD_FEED_H

#include <stdatomic.h>

#include "crdbload/crdbload.h"
#include "inputs.h"
#include "ledger.h"
#include "missing.h"
#include "rejects.h"
#include "route.h"

typedef struct cl_feed {
    const cl_config *cfg; /* no_header; dry_run: records checked, none routed */
    cl_stats *st;         /* rows_read, rows_skipped, duplicates_merged, bytes_read */
    atomic_bool *stop;    /* set by a signal handler */
    cl_inputs *in;        /* the first input is open already (cl_inputs_check) */
    cl_router *router;
    cl_ledger *ledger;
    cl_rejects *rejects;
    cl_missing *missing; /* --missing, or NULL */
} cl_feed;

/*
 * Read every input to its end, or until the run must stop. 0, or the CL_E*
 * code that stopped it: logged, but for the pool's abort (the code of
 * cl_router_add or cl_router_flush), which cl_pool_finish() reports.
 */
int cl_feed_read(const cl_feed *f);

#endif
