/*
 * lib/src/pool.c - stage 3 of the data flow: the workers that send batches.
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
 * Sending, retrying, splitting a batch: send.c.
 *
 * Pipelining. With pipeline_depth N > 1 (--pipeline-depth, default 4) a
 * worker keeps up to N batches of its queue in flight on its connection
 * (libpq pipeline mode), each followed by a Sync so that each is its own
 * implicit transaction, and reads their outcomes in order: the server never
 * waits a round trip between two batches of a worker, and no connection is
 * added. The server runs a worker's batches in the order sent, so while
 * they succeed the last occurrence of a key wins as before. When batch k
 * fails (an error, no reply, a lost connection), batches k+1.. were sent
 * behind it and may have committed: retrying k alone would write its older
 * values over theirs for a key they share. So the worker reads the outcomes
 * of k+1.. (where the connection still answers), leaves pipeline mode and
 * settles its window oldest first, one statement at a time (settle_head):
 * k with its retries, split and rejects as without pipelining, then every
 * later batch again, in order. One that had committed is replayed and
 * counted nowhere (its counts were taken at its commit); one that failed or
 * whose outcome is unknown is sent as usual. An upsert is idempotent: a
 * replay changes nothing but the order of the writes, which it restores. A
 * replay that meets a data error is left (its rows are in already). A
 * batch is settled in the ledger (--checkpoint) only when it leaves the
 * window, oldest first. Aborting, the batches in flight get the cancel
 * grace below; those whose outcome never came count as rows_in_doubt.
 *
 * The network, prepared statements and poolers: session.c.
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

#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "conn.h"
#include "crdbload/crdbload.h"
#include "ledger.h"
#include "stats.h"
#include "retry.h"
#include "util.h"

#define DEFAULT_QUEUE_DEPTH 2
#define DEFAULT_PIPELINE_DEPTH CL_DEFAULT_PIPELINE_DEPTH
#define SUBMIT_POLL_MS 100 /* how often a blocked submit looks at stop */

/* ---- small helpers ------------------------------------------------------ */

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

/* ---- pipelining: several batches in flight on one connection ----------- */

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

/* Pipeline the window's flight f on w->conn: its statement (after a Parse,
 * for a shape new on this connection) and a Sync, so that it is its own
 * implicit transaction. Waits for nothing. 0, CL_ENOMEM, or 1 when libpq
 * could not queue it (the connection broke). */
static int
pipe_send_as(worker *w, flight *f)
{
    cl_pool *p = w->pool;
    size_t n = cl_batch_rows(f->b), shape;
    char name[48];
    int at = -1, sent;

    if (PQpipelineStatus(w->conn) == PQ_PIPELINE_OFF && !PQenterPipelineMode(w->conn))
        return 1;
    if (cl_plan_bind(p->o.plan, f->b, 0, n, &w->bind) != 0)
        return CL_ENOMEM;
    if (!atomic_load(&p->unnamed)) {
        at = cl_session_find_prepared(w, n, f->insert, &shape, name, sizeof name);
        if (at < 0 && w->nprepared < MAX_PREPARED) {
            if ((sent = cl_session_send_prepare(w, n, f->insert, name)) <= 0)
                return sent < 0 ? CL_ENOMEM : 1;
            /* counted as prepared now; forgotten if its Parse fails (pipe_read) */
            at = f->prepared_at = w->nprepared;
            w->prepared[w->nprepared++] = shape;
        }
    }
    f->named = at >= 0;
    sent = cl_session_send_statement(w, n, f->insert, f->named ? name : NULL);
    if (sent <= 0)
        return sent < 0 ? CL_ENOMEM : 1;
    if (!PQpipelineSync(w->conn))
        return 1;
    f->state = FL_SENT;
    f->t0 = cl_now();
    return 0;
}

/* pipe_send_as() the INSERT or the upsert, as insert first says. */
static int
pipe_send(worker *w, flight *f)
{
    int rc;

    f->insert = cl_insert_first_next(w);
    rc = pipe_send_as(w, f);
    if (rc != 0 && f->insert) {
        cl_insert_first_failed(w, false); /* not sent: no probe is out */
        f->insert = false;
    }
    return rc;
}

/* Read, without waiting, what came back for the sent flights, in order; a
 * flight is complete at its Sync. false: the connection broke. */
static bool
pipe_read(worker *w)
{
    PGconn *c = w->conn;
    int nulls = 0;

    if (!PQconsumeInput(c))
        return false;
    while (w->nread < w->nsent && !PQisBusy(c)) {
        flight *f = flight_at(w, w->nread);
        PGresult *r = PQgetResult(c);

        if (!r) { /* the end of one statement's results; two: nothing more */
            if (++nulls > 1)
                break;
            continue;
        }
        nulls = 0;
        if (PQresultStatus(r) == PGRES_PIPELINE_SYNC) {
            PQclear(r);
            f->state = result_ok(f->res) ? FL_OK : FL_FAILED;
            f->rc = AWAIT_DONE;
            w->nread++;
            continue;
        }
        if (f->prepared_at >= 0 && f->nres == 0 &&
            PQresultStatus(r) != PGRES_COMMAND_OK)
            w->prepared[f->prepared_at] = SIZE_MAX; /* its Parse failed: not prepared */
        f->nres++;
        cl_session_keep_result(&f->res, r);
    }
    return true;
}

typedef enum pipe_end {
    PIPE_EMPTY = 0, /* every flight read */
    PIPE_FAILED,    /* the oldest flight failed; the connection still answers */
    PIPE_LOST,      /* the connection broke */
    PIPE_TIMEOUT,   /* nothing came back within --batch-timeout */
    PIPE_STOPPED,   /* aborting, and the flights did not end within the bounds */
} pipe_end;

/*
 * Drive the window: send what it and the queue hold (unless aborting),
 * read what comes back, count and pop the oldest flights as they succeed;
 * returns when nothing is in flight, or when the oldest failed. drain:
 * send nothing, pop nothing, return once every flight sent is read (after
 * a failure). --batch-timeout runs from the last progress; aborting, the
 * flights get CANCEL_GRACE_MS, a cancel, and CANCEL_WAIT_MS.
 */
static pipe_end
pipe_run(worker *w, bool drain)
{
    cl_pool *p = w->pool;
    double since = cl_now(), abort_at = 0;
    bool cancelled = false;

    for (;;) {
        int fl, rc;
        double now;

        /* a probe INSERT goes alone: were it to fail, the upserts sent
         * behind it would be sent again (replayed), each a full upsert */
        while (!aborted(p) && !drain && !atomic_load(&p->pooled) &&
               !(w->ins_probe && w->nsent > 0) &&
               (w->nsent < w->nwin || (w->nwin < w->pipe && cl_pool_take(w, false)))) {
            if ((rc = pipe_send(w, flight_at(w, w->nsent))) < 0) {
                cl_pool_set_abort(p, rc, "out of memory");
                break;
            }
            if (rc > 0)
                return PIPE_LOST;
            w->nsent++;
        }
        fl = PQflush(w->conn);
        if (fl < 0 || !pipe_read(w))
            return PIPE_LOST;
        if (drain && w->nread == w->nsent)
            return PIPE_EMPTY;
        while (!drain && w->nread > 0 && flight_at(w, 0)->state == FL_OK) {
            flight *f = flight_at(w, 0);
            cl_send_count_committed(p->o.stats, cl_batch_rows(f->b), f->res, f->t0);
            if (f->insert)
                cl_insert_first_ok(w);
            cl_pool_pop_head(w, true);
            w->nread--;
            w->nsent--;
            since = cl_now();
        }
        if (!drain && w->nread > 0)
            return PIPE_FAILED; /* the oldest failed */
        if (!drain && w->nsent == 0)
            return PIPE_EMPTY;

        now = cl_now();
        if (aborted(p) || stop_requested(p)) {
            if (!aborted(p))
                cl_pool_set_abort(p, CL_EINTERRUPTED, "interrupted");
            if (abort_at == 0)
                abort_at = now;
            if (!cancelled && now - abort_at >= CANCEL_GRACE_MS / 1000.0) {
                cl_session_cancel(w->conn);
                cancelled = true;
            }
            if (now - abort_at >= (CANCEL_GRACE_MS + CANCEL_WAIT_MS) / 1000.0)
                return PIPE_STOPPED;
        }
        if (p->o.batch_timeout_ms > 0 && now - since >= p->o.batch_timeout_ms / 1000.0)
            return PIPE_TIMEOUT;

        /* the socket, and a wake-up from submit while there is room */
        struct pollfd pf[2] = {
            {.fd = PQsocket(w->conn),
             .events = (short)(POLLIN | (fl == 1 ? POLLOUT : 0))},
            {.fd = w->wake, .events = POLLIN},
        };
        bool room = !drain && !aborted(p) && w->nwin < w->pipe;
        if (poll(pf, room ? 2 : 1, SLEEP_SLICE_MS) > 0 && (pf[1].revents & POLLIN)) {
            uint64_t v;
            if (read(w->wake, &v, sizeof v) < 0)
                v = 0; /* EAGAIN: another read took it */
        }
    }
}

/*
 * Pipeline the window until it is empty. On a failure of the oldest batch
 * in flight, learn what became of the later ones where the connection
 * still answers (their own Syncs), then leave pipeline mode and settle the
 * whole window oldest first, one statement at a time: the failed batch with
 * its retries, split or rejects, then every later one again, in order,
 * counted only if it had not committed. So a key's last occurrence is
 * written last even when a later batch of this worker committed before the
 * failed one was retried (see DESIGN).
 */
static void
pipeline(worker *w)
{
    pipe_end e = pipe_run(w, false);

    if (e == PIPE_EMPTY)
        return; /* only unsent flights may be left (aborting): worker_main drops them */
    if (e == PIPE_FAILED)
        e = pipe_run(w, true); /* the later flights' outcomes */
    if (e != PIPE_EMPTY || !PQexitPipelineMode(w->conn)) {
        /* what was not read is unknown; the oldest, when it got no reply, says so */
        for (int i = w->nread; i < w->nsent; i++)
            flight_at(w, i)->state = FL_UNKNOWN;
        if (e == PIPE_TIMEOUT && w->nread == 0) {
            flight_at(w, 0)->state = FL_FAILED; /* send_rows drops the connection */
            flight_at(w, 0)->rc = AWAIT_TIMEOUT;
        } else {
            copy_message(w->connerr, sizeof w->connerr,
                         e == PIPE_TIMEOUT ? "no reply within --batch-timeout"
                                           : PQerrorMessage(w->conn));
            cl_session_drop(w);
        }
    }
    for (int i = 0; i < w->nsent; i++) {
        flight *f = flight_at(w, i);
        if (f->state == FL_OK) { /* committed after the failed one: counted now */
            cl_send_count_committed(w->pool->o.stats, cl_batch_rows(f->b), f->res,
                                    f->t0);
            if (f->insert)
                cl_insert_first_ok(w);
            f->state = FL_COMMITTED;
        }
    }
    w->nsent = w->nread = 0;
    while (w->nwin > 0)
        cl_send_settle_head(w);
}

static void *
worker_main(void *arg)
{
    worker *w = arg;
    cl_pool *p = w->pool;

    for (;;) {
        if (w->nwin == 0 && !cl_pool_take(w, true))
            break; /* closing, and nothing left */
        if (w->pipe > 1 && !atomic_load(&p->pooled) && !aborted(p) &&
            !stop_requested(p) && PQstatus(w->conn) == CONNECTION_OK &&
            flight_at(w, 0)->state == FL_QUEUED &&
            cl_batch_rows(flight_at(w, 0)->b) > 0) {
            pipeline(w);
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
