/*
 * lib/src/insert_first.c - insert first (plan->insert_first): whether a
 * worker sends a batch as the plain INSERT or as the upsert, from what its
 * earlier INSERTs came to.
 *
 * A batch's first send is the plain INSERT while its keys are new, which
 * CockroachDB checks with conditional writes instead of reading the key's
 * index first (README, "Why insert first"). An error about its rows (23505:
 * a key is there already) sends the same rows as the upsert at once,
 * counted nowhere, so what is written and counted is the upsert's, rejects
 * included. A worker's first INSERT is a probe: it goes alone on its
 * connection until its outcome is in (pipeline.c; upserts pipelined behind a
 * failed one would be replayed, INSERTs would fail too). Once one commits
 * the worker pipelines INSERTs; after a conflict it sends INSERT_WAIT_FIRST
 * upserts, then a probe again; a failed probe makes the wait 4 times
 * longer, up to INSERT_WAIT_MAX. An initial load fails no INSERT, a reload
 * one a worker and one more every few hundred batches.
 */
#include "pool_impl.h"

#define INSERT_WAIT_FIRST 16 /* upserts a worker sends after its first conflict */
#define INSERT_WAIT_MAX 1024 /* ... growing 4 times a failed probe, up to this */

/* Whether the next batch sent for the first time goes as the INSERT. */
bool
cl_insert_first_next(worker *w)
{
    if (!w->pool->o.plan->insert_first || w->ins_probe)
        return false;
    if (w->ins_wait > 0) {
        w->ins_wait--;
        return false;
    }
    w->ins_probe = w->ins_period != 0;
    return true;
}

/* An INSERT committed: its keys were new, so are the next ones, likely. */
void
cl_insert_first_ok(worker *w)
{
    w->ins_probe = false;
    w->ins_period = w->ins_wait = 0;
}

/* An INSERT failed; conflict: with 23505. A failed probe, and the first
 * conflict since an INSERT committed, start a wait; the other INSERTs that
 * were in flight with that one add nothing. */
void
cl_insert_first_failed(worker *w, bool conflict)
{
    if (conflict && (w->ins_probe || w->ins_period == 0)) {
        w->ins_period = w->ins_period <= 0                     ? INSERT_WAIT_FIRST
                        : w->ins_period >= INSERT_WAIT_MAX / 4 ? INSERT_WAIT_MAX
                                                               : w->ins_period * 4;
        w->ins_wait = w->ins_period;
    }
    w->ins_probe = false;
}
