/*
 * crdbload/pool.h - stage 3 of the data flow: N workers, each owning one
 * libpq connection for the whole run, each with its own bounded queue of
 * batches.
 *
 * Rows are routed to a worker by the hash of their key, so a key is only
 * ever in one worker: workers never wait on each other's rows, and since each
 * worker sends its batches in the order they were submitted, the last
 * occurrence of a key in the input is the one left in the table.
 *
 * A full queue blocks cl_pool_submit(): a slow server holds the reader back
 * and memory stays bounded (workers x (queue depth + pipeline depth + 2)
 * batches). With a pipeline depth above 1 several batches of a worker are
 * in flight at once, each its own transaction; a failed one is retried
 * before the later ones are sent again, so the order above holds.
 */
#ifndef CRDBLOAD_POOL_H
#define CRDBLOAD_POOL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "batch.h"
#include "crdbload/crdbload.h"
#include "plan.h"

typedef struct cl_pool cl_pool;

/* Called by a worker for a row the server refused (after splitting the batch
 * down to it). Must be thread-safe. Returns 0, or the CL_E* code that aborts
 * the run: CL_EREJECTS (--max-rejects passed), CL_EIO (the rejects file
 * failed, its message already logged) or CL_ENOMEM. */
typedef int (*cl_reject_fn)(void *ctx, const cl_batch *b, size_t row,
                            const char *sqlstate, const char *message);

typedef struct cl_pool_opts {
    const char *url; /* --url: libpq URI or key=value string; NULL: libpq defaults */
    int workers;
    int max_retries;
    int queue_depth;      /* batches waiting per worker; 0: 2 */
    int batch_timeout_ms; /* a batch without a reply this long: reconnect, resend; 0:
                             none */
    bool no_prepared;     /* unnamed statements from the start (else: after a pooler's
                             error) */
    int pipeline_depth; /* batches in flight per connection; 0: the default; 1: one at a
                           time */
    const cl_plan *plan; /* borrowed, shared read-only */
    cl_stats *stats;     /* borrowed; workers add to it */
    struct cl_ledger
        *ledger; /* borrowed, or NULL: where a batch is settled (ledger.h) */
    cl_reject_fn on_reject;
    void *reject_ctx;
    atomic_bool *stop; /* set by a signal handler: stop retrying, settle */
} cl_pool_opts;

/*
 * Connect every worker before any row is sent (a failure names the host,
 * never the password) and start the threads. Returns 0 and *out, or
 * CL_ECONNECT / CL_ENOMEM with the message in err.
 */
int cl_pool_open(cl_pool **out, const cl_pool_opts *o, char *err, size_t errlen);

/*
 * Queue batch b for worker w, blocking while that queue is full. Takes
 * ownership of b, even on failure. Returns 0, or the negative CL_E* code the
 * pool aborted with (then nothing more is accepted).
 */
int cl_pool_submit(cl_pool *p, int w, cl_batch *b);

/* A batch a worker has finished with, emptied, or NULL if none is spare. */
cl_batch *cl_pool_spare(cl_pool *p);

/*
 * Wait until every queued batch is settled (sent, or given up after an
 * abort) and stop the workers. Once aborting, a statement still running
 * after a grace period (3 s) is cancelled and 2 s later given up (its rows
 * in doubt), so this returns within 5 s of an abort whatever the network
 * does. Returns 0 or the first fatal CL_E* code.
 */
int cl_pool_finish(cl_pool *p);

/* The message of the fatal error, or "" ; borrowed. */
const char *cl_pool_error(const cl_pool *p);

/* Free everything (finishing first if cl_pool_finish was not called). */
void cl_pool_close(cl_pool *p);

#endif
