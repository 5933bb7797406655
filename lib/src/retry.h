/*
 * crdbload/retry.h - which errors are worth another try, and how long to
 * wait. Classify first, decide second (pgbench's doRetry): the pool asks
 * cl_retry_classify() about an error, then backs off with full jitter.
 */
#ifndef CRDBLOAD_RETRY_H
#define CRDBLOAD_RETRY_H

#include <stdbool.h>
#include <stdint.h>

typedef enum cl_err_class {
    CL_ERRCLASS_RETRY =
        0, /* transient: send the same batch again (40001, 40P01, 40003, 53300) */
    CL_ERRCLASS_RECONNECT, /* the connection is gone: reconnect, then send again (08*,
                              57P01-57P03) */
    CL_ERRCLASS_DATA,  /* the rows are at fault: split the batch, reject the culprits
                          (22*, 23*,  21000, 44000, 54000, 54001, P0*, CockroachDB's
                          "command is too large") */
    CL_ERRCLASS_FATAL, /* nothing to gain by trying again: abort the run */
} cl_err_class;

/*
 * sqlstate may be NULL or "" (connection lost without one); message is the
 * server's primary message (CockroachDB's "restart transaction" texts are
 * recognised even without 40001); conn_bad is PQstatus(conn) == CONNECTION_BAD.
 */
cl_err_class cl_retry_classify(const char *sqlstate, const char *message,
                               bool conn_bad);

/*
 * Delay before retry number attempt (1-based): full jitter, uniform in
 * [0, min(cap_ms, base_ms * 2^(attempt-1))]. *rng is the caller's state
 * (one per thread; any non-zero seed).
 */
uint32_t cl_retry_delay_ms(int attempt, uint32_t base_ms, uint32_t cap_ms,
                           uint64_t *rng);

#endif
