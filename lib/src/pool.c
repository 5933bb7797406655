/*
 * lib/src/pool.c - stage 3 of the data flow: the workers that send batches,
 * their queues and the pool's public API (pool.h). The rest of the pool is
 * one file a concern (pool_impl.h holds what they share). A batch submitted
 * to a worker goes:
 *
 *   pool.c          into the worker's queue, then its window (worker_main)
 *   pipeline.c      sent with others, back to back, on its connection; or
 *   send.c          sent alone, and retried, split, rejected or given up
 *   insert_first.c  as the plain INSERT or as the upsert
 *   session.c       through the worker's connection: connect, await a
 *                   result, cancel, drop; the statements prepared on it
 *   pool.c          back to the free list, settled in the ledger or not
 *
 * DESIGN
 * ------
 *
 * Workers. One thread a worker, each owning one libpq connection for the
 * whole run (a new one after a reconnect). Every worker connects in
 * cl_pool_open() before any thread starts, so a bad URL, password or
 * certificate fails the run before a row is sent. With several hosts in the
 * connection string, worker i starts its host list at host i (mod n): the
 * workers spread round-robin (conn.c builds the parameters), and libpq
 * moves on to the next host when one fails, at connect and at every
 * reconnect.
 *
 * Queues. Each worker has its own bounded FIFO ring of batches (depth
 * opts->queue_depth, default 2) before its window of batches in flight, guarded by its
 * own mutex with two condition variables (not_empty for the worker, not_full for the
 * submitter). The loader routes rows by a hash of their key, so a key lives in exactly
 * one queue, and a worker sends its batches one at a time in the order they were
 * queued: the last occurrence of a key in the input is the one the table
 * keeps, whatever the number of workers. A full queue blocks
 * cl_pool_submit(): memory stays bounded and a slow server holds the reader
 * back.
 *
 * Sending, retrying and splitting a batch (send.c), pipelining (pipeline.c),
 * the network, prepared statements and poolers (session.c): in those files'
 * head comments.
 *
 * Shutdown. cl_pool_finish() marks every queue closing and joins the
 * workers once their queues are empty. An abort (fatal error, retries
 * exhausted, too many rejects, *opts->stop) is recorded once, first cause
 * wins; from then on workers drop what they dequeue instead of sending it,
 * a retry in progress gives up at its next backoff, and cl_pool_submit()
 * returns the abort code. A statement already on the wire is let finish:
 * its outcome is then known and counted; one still running CANCEL_GRACE_MS
 * into the abort (a lock wait) is cancelled by the worker itself, and given
 * up, in doubt, another CANCEL_WAIT_MS later (session.c): a stop ends the
 * run within their sum whatever the network does. A batch is settled in
 * opts->ledger (--checkpoint, ledger.h) once its rows are committed or
 * rejected; one dropped or given up is not, and holds the position.
 *
 * Batches come back. A worker resets each batch it is done with and keeps it
 * on a small shared free list (cl_pool_spare), so a steady run allocates no
 * batches after warming up.
 *
 * Locks: worker.mu (its queue) and pool.mu (free list, abort message) are
 * leaf locks: no code path holds two mutexes at once. Counters go only to the
 * atomics of cl_stats.
 */
#include "pool_impl.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "conn.h"
#include "crdbload/crdbload.h"
#include "ledger.h"

#define DEFAULT_QUEUE_DEPTH 2
#define DEFAULT_PIPELINE_DEPTH CL_DEFAULT_PIPELINE_DEPTH
#define SUBMIT_POLL_MS 100 /* how often a blocked submit looks at stop */

/* ---- the abort, the free list ------------------------------------------- */

/* Record the first abort and its message; later ones are ignored. Then wake
 * every submitter blocked on a full queue so that it sees the abort. */
void
cl_pool_set_abort(cl_pool *p, int code, const char *fmt, ...)
{
    bool first = false;
    va_list ap;

    pthread_mutex_lock(&p->mu);
    if (atomic_load(&p->abort_code) == 0) {
        va_start(ap, fmt);
        vsnprintf(p->err, sizeof p->err, fmt, ap);
        va_end(ap);
        atomic_store(&p->abort_code, code);
        first = true;
    }
    pthread_mutex_unlock(&p->mu);
    if (!first)
        return;
    for (int i = 0; i < p->n; i++) {
        pthread_mutex_lock(&p->w[i].mu);
        pthread_cond_broadcast(&p->w[i].not_full);
        pthread_mutex_unlock(&p->w[i].mu);
    }
}

/* Give a sent or dropped batch back to the free list, or free it. */
static void
recycle(cl_pool *p, cl_batch *b)
{
    cl_batch_reset(b);
    pthread_mutex_lock(&p->mu);
    if (p->nspare < p->spare_cap) {
        p->spare[p->nspare++] = b;
        b = NULL;
    }
    pthread_mutex_unlock(&p->mu);
    cl_batch_free(b);
}

/* ---- a worker: its window and its loop ---------------------------------- */

/* Move the next queued batch to the back of the window; when block, wait for
 * one. false: none (when blocking: closing, and the queue is empty). */
bool
cl_pool_take(worker *w, bool block)
{
    cl_batch *b;

    pthread_mutex_lock(&w->mu);
    while (block && w->count == 0 && !w->closing)
        pthread_cond_wait(&w->not_empty, &w->mu);
    if (w->count == 0) {
        pthread_mutex_unlock(&w->mu);
        return false;
    }
    b = w->ring[w->head];
    w->head = (w->head + 1) % w->cap;
    w->count--;
    *flight_at(w, w->nwin) = (flight){.b = b, .prepared_at = -1};
    w->nwin++;
    pthread_cond_signal(&w->not_full);
    pthread_mutex_unlock(&w->mu);
    return true;
}

/* The window's oldest batch is done with: settled (committed or rejected),
 * or not (some of its rows may be uncommitted: --checkpoint holds it). */
void
cl_pool_pop_head(worker *w, bool settled)
{
    flight *f = flight_at(w, 0);
    cl_batch *b = f->b;
    cl_ledger *ledger = w->pool->o.ledger;

    PQclear(f->res);
    *f = (flight){.prepared_at = -1};
    w->whead = (w->whead + 1) % w->pipe;
    w->nwin--;
    if (ledger && settled)
        cl_ledger_settle(ledger, cl_batch_seq(b));
    else if (ledger)
        cl_ledger_give_up(ledger, cl_batch_seq(b));
    recycle(w->pool, b);
}

/* Whether the window's oldest batch goes pipelined: pipelining on, no pooler
 * seen, not aborting, connected, and the batch neither sent nor empty. */
static bool
pipeline_now(worker *w)
{
    cl_pool *p = w->pool;

    return w->pipe > 1 && !atomic_load(&p->pooled) && !aborted(p) &&
           !stop_requested(p) && PQstatus(w->conn) == CONNECTION_OK &&
           flight_at(w, 0)->state == FL_QUEUED && cl_batch_rows(flight_at(w, 0)->b) > 0;
}

/* A worker's thread: take a batch into the window, then send what the window
 * holds, pipelined or one at a time, until closing and nothing is left. */
static void *
worker_main(void *arg)
{
    worker *w = arg;

    for (;;) {
        if (w->nwin == 0 && !cl_pool_take(w, true))
            break; /* closing, and nothing left */
        if (pipeline_now(w)) {
            cl_pipeline_run(w);
        } else {
            /* one at a time: pipelining off, a pooler seen, aborting, or reconnecting;
             * a connection left in pipeline mode (all read) leaves it first */
            if (w->conn && PQpipelineStatus(w->conn) != PQ_PIPELINE_OFF &&
                !PQexitPipelineMode(w->conn))
                cl_session_drop(w);
            cl_send_settle_head(w);
        }
    }
    atomic_store(&w->done, true);
    return NULL;
}

/* ---- public ------------------------------------------------------------- */

static int
init_worker(cl_pool *p, worker *w, int id)
{
    pthread_condattr_t ca;

    w->pool = p;
    w->id = id;
    /* Seeds apart per worker and per run, so that jitter does not line up. */
    w->rng = (uint64_t)time(NULL) ^ ((uint64_t)(id + 1) * 0x9E3779B97F4A7C15ull) ^
             (uint64_t)(uintptr_t)w;
    if (pthread_condattr_init(&ca) != 0)
        return CL_ENOMEM;
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC); /* submit's timed wait */
    if (pthread_mutex_init(&w->mu, NULL) != 0) {
        pthread_condattr_destroy(&ca);
        return CL_ENOMEM;
    }
    if (pthread_cond_init(&w->not_empty, &ca) != 0) {
        pthread_mutex_destroy(&w->mu);
        pthread_condattr_destroy(&ca);
        return CL_ENOMEM;
    }
    if (pthread_cond_init(&w->not_full, &ca) != 0) {
        pthread_cond_destroy(&w->not_empty);
        pthread_mutex_destroy(&w->mu);
        pthread_condattr_destroy(&ca);
        return CL_ENOMEM;
    }
    pthread_condattr_destroy(&ca);
    w->inited = true;
    w->ins_period = -1; /* the first INSERT is a probe */
    w->cap = p->depth;
    w->ring = calloc(w->cap, sizeof *w->ring);
    w->pipe = p->o.pipeline_depth > 0 ? p->o.pipeline_depth : DEFAULT_PIPELINE_DEPTH;
    w->win = calloc((size_t)w->pipe, sizeof *w->win);
    w->wake = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    return w->ring && w->win && w->wake >= 0 ? 0 : CL_ENOMEM;
}

int
cl_pool_open(cl_pool **out, const cl_pool_opts *o, char *err, size_t errlen)
{
    cl_pool *p;
    int rc = 0;

    *out = NULL;
    if (o->workers < 1 || !o->plan || !o->stats) {
        snprintf(err, errlen, "invalid pool options");
        return CL_ECONFIG;
    }
    p = calloc(1, sizeof *p);
    if (!p)
        goto nomem;
    p->o = *o;
    if (p->o.max_retries < 0)
        p->o.max_retries = 0;
    p->n = o->workers;
    atomic_store(&p->unnamed, o->no_prepared);
    /* Names of this run only: through a pooler, a server session may hold
     * another run's "crdbload_1000" for another table. */
    p->run_tag = (uint32_t)(((uint64_t)time(NULL) * 2654435761u) ^ (uint64_t)getpid() ^
                            (uint64_t)(uintptr_t)p);
    p->depth = o->queue_depth > 0 ? (size_t)o->queue_depth : DEFAULT_QUEUE_DEPTH;
    pthread_mutex_init(&p->mu, NULL);
    p->spare_cap = 2 * (size_t)p->n;
    p->spare = calloc(p->spare_cap, sizeof *p->spare);
    p->w = calloc((size_t)p->n, sizeof *p->w);
    if (!p->spare || !p->w) {
        free(p->spare);
        free(p->w);
        pthread_mutex_destroy(&p->mu);
        free(p);
        goto nomem;
    }
    *out = p; /* from here on cl_pool_close cleans up */

    for (int i = 0; i < p->n; i++)
        if (init_worker(p, &p->w[i], i) != 0 ||
            cl_conn_params_init(&p->w[i].params, o->url, i) != 0)
            goto nomem;

    /* Every connection before any thread: fail before a row is sent. */
    for (int i = 0; i < p->n; i++) {
        conn_rc c = cl_session_connect(&p->w[i]);
        if (c == CONN_STOPPED) {
            snprintf(err, errlen, "interrupted");
            rc = CL_EINTERRUPTED;
            goto fail;
        }
        if (c != CONN_OK) {
            cl_session_connect_error(&p->w[i], err, errlen);
            rc = CL_ECONNECT;
            goto fail;
        }
    }
    for (int i = 0; i < p->n; i++) {
        if (pthread_create(&p->w[i].thread, NULL, worker_main, &p->w[i]) != 0) {
            snprintf(err, errlen, "could not start worker thread");
            rc = CL_ENOMEM;
            goto fail;
        }
        p->w[i].started = true;
    }
    return 0;

nomem:
    snprintf(err, errlen, "out of memory");
    rc = CL_ENOMEM;
fail:
    if (*out) {
        cl_pool_close(*out);
        *out = NULL;
    }
    return rc;
}

int
cl_pool_submit(cl_pool *p, int w_id, cl_batch *b)
{
    worker *w;
    int rc = 0;

    if (w_id < 0 || w_id >= p->n) {
        cl_batch_free(b);
        return CL_ECONFIG;
    }
    w = &p->w[w_id];
    pthread_mutex_lock(&w->mu);
    for (;;) {
        if ((rc = aborted(p)) != 0 || stop_requested(p))
            break;
        if (w->count < w->cap) {
            w->ring[(w->head + w->count) % w->cap] = b;
            w->count++;
            pthread_cond_signal(&w->not_empty);
            pthread_mutex_unlock(&w->mu);
            /* a pipelining worker waits on its socket, and on this */
            if (w->pipe > 1) {
                uint64_t one = 1;
                if (write(w->wake, &one, sizeof one) < 0)
                    one = 0; /* the counter is full: the worker has a wake-up anyway */
            }
            return 0;
        }
        /* Timed, so that a stop set by a signal handler is seen while the
         * worker is busy with a long statement. */
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_nsec += SUBMIT_POLL_MS * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&w->not_full, &w->mu, &until);
    }
    pthread_mutex_unlock(&w->mu);
    if (rc == 0) { /* stopped: abort outside the queue lock (leaf locks) */
        cl_pool_set_abort(p, CL_EINTERRUPTED, "interrupted");
        rc = aborted(p);
    }
    cl_batch_free(b);
    return rc;
}

cl_batch *
cl_pool_spare(cl_pool *p)
{
    cl_batch *b = NULL;

    pthread_mutex_lock(&p->mu);
    if (p->nspare > 0)
        b = p->spare[--p->nspare];
    pthread_mutex_unlock(&p->mu);
    return b;
}

/* Wait for the workers to be done. Each bounds its own waits (await_result,
 * connect_worker): once the run is aborting, within CANCEL_GRACE_MS +
 * CANCEL_WAIT_MS, whatever the network does. */
static void
wait_settled(cl_pool *p)
{
    for (;;) {
        bool all = true;
        for (int i = 0; i < p->n && all; i++)
            all = !p->w[i].started || atomic_load(&p->w[i].done);
        if (all)
            return;
        sleep_ms(SLEEP_SLICE_MS);
    }
}

int
cl_pool_finish(cl_pool *p)
{
    if (p->finished)
        return p->result;
    for (int i = 0; i < p->n; i++) {
        worker *w = &p->w[i];

        if (!w->inited)
            continue;
        pthread_mutex_lock(&w->mu);
        w->closing = true;
        pthread_cond_signal(&w->not_empty);
        pthread_mutex_unlock(&w->mu);
    }
    wait_settled(p);
    for (int i = 0; i < p->n; i++) {
        if (p->w[i].started)
            pthread_join(p->w[i].thread, NULL);
        p->w[i].started = false;
        /* Give the server its connection back now: politely (Terminate; the socket
         * is non-blocking) when the session is idle, else without waiting. */
        if (p->w[i].conn && PQstatus(p->w[i].conn) == CONNECTION_OK &&
            PQtransactionStatus(p->w[i].conn) == PQTRANS_IDLE) {
            PQfinish(p->w[i].conn);
            p->w[i].conn = NULL;
        }
        cl_session_drop(&p->w[i]);
    }
    p->finished = true;
    p->result = aborted(p);
    return p->result;
}

const char *
cl_pool_error(const cl_pool *p)
{
    return p->err;
}

void
cl_pool_close(cl_pool *p)
{
    if (!p)
        return;
    cl_pool_finish(p);
    for (int i = 0; i < p->n; i++) {
        worker *w = &p->w[i];

        for (size_t j = 0; j < w->count; j++) /* left by an abort before start */
            cl_batch_free(w->ring[(w->head + j) % w->cap]);
        if (w->inited) {
            pthread_mutex_destroy(&w->mu);
            pthread_cond_destroy(&w->not_empty);
            pthread_cond_destroy(&w->not_full);
        }
        free(w->ring);
        for (int j = 0; j < w->nwin; j++) { /* left by an abort before start */
            PQclear(flight_at(w, j)->res);
            cl_batch_free(flight_at(w, j)->b);
        }
        free(w->win);
        if (w->inited && w->wake >= 0)
            close(w->wake);
        cl_conn_params_free(&w->params);
        cl_bind_free(&w->bind);
    }
    for (size_t i = 0; i < p->nspare; i++)
        cl_batch_free(p->spare[i]);
    pthread_mutex_destroy(&p->mu);
    free(p->spare);
    free(p->w);
    free(p);
}
