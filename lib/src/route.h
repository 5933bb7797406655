/*
 * lib/src/route.h - where a row goes: the check of each record read, and
 * the routing of the loadable ones by the hash of their key to a worker's
 * batch. Private to the library.
 *
 * A key always hashes to the same worker, so a key lives in one worker's
 * batches only, and each worker sends its batches in the order they were
 * filled: the last occurrence of a key wins, whatever the number of
 * workers. A key repeated inside a batch is merged there, the later row
 * winning (cl_batch_add_hashed). A batch is handed on (submit) when the next
 * row would pass its rows or bytes cap, and at the end of each input:
 * batches never span two inputs. Each batch is opened in the ledger at its
 * first record before that record is passed (ledger.h).
 */
#ifndef CRDBLOAD_ROUTE_H
#define CRDBLOAD_ROUTE_H

#include <stddef.h>
#include <stdint.h>

#include "batch.h"
#include "plan.h"
#include "reader.h"
#include "ledger.h"

/* Take a full batch for worker w: ownership passes, even on failure.
 * 0, or a negative CL_E* code that stops the routing (the pool aborted). */
typedef int (*cl_route_submit_fn)(void *ctx, int w, cl_batch *b);
/* An emptied batch to fill again, or NULL for a new one. */
typedef cl_batch *(*cl_route_spare_fn)(void *ctx);

typedef struct cl_router_opts {
    const cl_plan *plan;            /* borrowed */
    const char *const *field_names; /* borrowed: one per input field, NULL: skipped */
    const char *encoding;           /* --encoding, for messages; NULL: UTF-8 */
    int workers;
    cl_ledger *ledger; /* borrowed */
    cl_route_submit_fn submit;
    cl_route_spare_fn spare; /* NULL: always a new batch */
    void *ctx;               /* of submit and spare */
} cl_router_opts;

typedef struct cl_router cl_router;

/* 0 or CL_ENOMEM. */
int cl_router_new(cl_router **out, const cl_router_opts *o);

/* Why record rec of reader r cannot be loaded, into why; 0 when it can: a
 * record the reader flagged, a wrong number of fields, a value its column
 * cannot take, a null key. r words what it flagged in rec. */
int cl_router_check(const cl_router *rt, const cl_reader *r, const cl_record *rec,
                    char *why, size_t whylen);

/* The worker a record's key routes it to. */
int cl_router_worker(const cl_router *rt, const cl_field *fields);

/*
 * Add checked record rec, the record seq of the input (ledger.h), to its
 * worker's batch, submitting that batch first when rec would overflow it.
 * Returns 0 (added), 1 (it replaced the row with the same key in that
 * batch: a duplicate merged), or a negative CL_E* code (the submit's, or
 * CL_ENOMEM).
 */
int cl_router_add(cl_router *rt, const cl_record *rec, uint64_t seq);

/* Submit every batch being filled (the end of an input). 0 or the submit's
 * code. */
int cl_router_flush(cl_router *rt);

/* Free the router; batches still being filled are dropped unsent (an
 * abort: never settled, the ledger keeps holding them). */
void cl_router_free(cl_router *rt);

#endif
