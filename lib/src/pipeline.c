/*
 * lib/src/pipeline.c - a worker's batches in flight on its one connection
 * (libpq pipeline mode): send them back to back, read their outcomes in
 * order, count the ones that commit; when one fails, hand the window to
 * send.c to settle, oldest first.
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
 * settles its window oldest first, one statement at a time
 * (cl_send_settle_head): k with its retries, split and rejects as without
 * pipelining, then every later batch again, in order. One that had committed is
 * replayed and counted nowhere (its counts were taken at its commit); one that failed
 * or whose outcome is unknown is sent as usual. An upsert is idempotent: a replay
 * changes nothing but the order of the writes, which it restores. A replay that meets a
 * data error is left (its rows are in already). A batch is settled in the ledger
 * (--checkpoint) only when it leaves the window, oldest first. Aborting, the batches in
 * flight get the cancel grace (session.c); those whose outcome never came count as
 * rows_in_doubt.
 */
#include <poll.h>
#include <stdint.h>
#include <unistd.h>

#include "crdbload/crdbload.h"
#include "pool_impl.h"
#include "stats.h"

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

/* Flight f committed: count it, and tell insert first when it was the INSERT. */
static void
count_flight(worker *w, const flight *f)
{
    cl_send_count_committed(w->pool->o.stats, cl_batch_rows(f->b), f->res, f->t0);
    if (f->insert)
        cl_insert_first_ok(w);
}

/* Send what the window holds and what the queue has, while the window has
 * room; a probe INSERT goes alone: were it to fail, the upserts sent behind
 * it would be sent again (replayed), each a full upsert. Out of memory
 * aborts the run. false: the connection broke. */
static bool
send_more(worker *w)
{
    cl_pool *p = w->pool;
    int rc;

    while (!aborted(p) && !atomic_load(&p->pooled) && !(w->ins_probe && w->nsent > 0) &&
           (w->nsent < w->nwin || (w->nwin < w->pipe && cl_pool_take(w, false)))) {
        if ((rc = pipe_send(w, flight_at(w, w->nsent))) < 0) {
            cl_pool_set_abort(p, rc, "out of memory");
            break;
        }
        if (rc > 0)
            return false;
        w->nsent++;
    }
    return true;
}

/* Count and pop the oldest flights as long as they committed. Whether any
 * did. */
static bool
pop_committed(worker *w)
{
    bool any = false;

    while (w->nread > 0 && flight_at(w, 0)->state == FL_OK) {
        count_flight(w, flight_at(w, 0));
        cl_pool_pop_head(w, true);
        w->nread--;
        w->nsent--;
        any = true;
    }
    return any;
}

/* Wait a slice for the socket (and for it to take more, when out), and,
 * when the window has room, for a wake-up from submit. */
static void
wait_io(worker *w, bool out, bool room)
{
    struct pollfd pf[2] = {
        {.fd = PQsocket(w->conn), .events = (short)(POLLIN | (out ? POLLOUT : 0))},
        {.fd = w->wake, .events = POLLIN},
    };

    if (poll(pf, room ? 2 : 1, SLEEP_SLICE_MS) > 0 && (pf[1].revents & POLLIN)) {
        uint64_t v;
        if (read(w->wake, &v, sizeof v) < 0)
            v = 0; /* EAGAIN: another read took it */
    }
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
    double since = cl_now();
    abort_wait aw = {0};

    for (;;) {
        int fl;
        double now;

        if (!drain && !send_more(w))
            return PIPE_LOST;
        fl = PQflush(w->conn);
        if (fl < 0 || !pipe_read(w))
            return PIPE_LOST;
        if (drain && w->nread == w->nsent)
            return PIPE_EMPTY;
        if (!drain && pop_committed(w))
            since = cl_now();
        if (!drain && w->nread > 0)
            return PIPE_FAILED; /* the oldest failed */
        if (!drain && w->nsent == 0)
            return PIPE_EMPTY;

        now = cl_now();
        if (aborted(p) || stop_requested(p)) {
            if (!aborted(p))
                cl_pool_set_abort(p, CL_EINTERRUPTED, "interrupted");
            if (cl_session_abort_wait(&aw, w->conn, now))
                return PIPE_STOPPED;
        }
        if (p->o.batch_timeout_ms > 0 && now - since >= p->o.batch_timeout_ms / 1000.0)
            return PIPE_TIMEOUT;
        wait_io(w, fl == 1, !drain && !aborted(p) && w->nwin < w->pipe);
    }
}

/* The pipeline ended (e) without every outcome read, or could not be left:
 * what was not read is unknown, and the connection is dropped; but when
 * the oldest got no reply in time it says so, and send_rows drops the
 * connection. */
static void
mark_unread(worker *w, pipe_end e)
{
    for (int i = w->nread; i < w->nsent; i++)
        flight_at(w, i)->state = FL_UNKNOWN;
    if (e == PIPE_TIMEOUT && w->nread == 0) {
        flight_at(w, 0)->state = FL_FAILED;
        flight_at(w, 0)->rc = AWAIT_TIMEOUT;
    } else {
        copy_message(w->connerr, sizeof w->connerr,
                     e == PIPE_TIMEOUT ? "no reply within --batch-timeout"
                                       : PQerrorMessage(w->conn));
        cl_session_drop(w);
    }
}

/* The batches that committed behind the failed one are counted now; settled
 * again, they are only replayed (FL_COMMITTED). */
static void
count_late_commits(worker *w)
{
    for (int i = 0; i < w->nsent; i++) {
        flight *f = flight_at(w, i);
        if (f->state == FL_OK) {
            count_flight(w, f);
            f->state = FL_COMMITTED;
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
 * failed one was retried (see the head of this file).
 */
void
cl_pipeline_run(worker *w)
{
    pipe_end e = pipe_run(w, false);

    if (e == PIPE_EMPTY)
        return; /* only unsent flights may be left (aborting): worker_main drops them */
    if (e == PIPE_FAILED)
        e = pipe_run(w, true); /* the later flights' outcomes */
    if (e != PIPE_EMPTY || !PQexitPipelineMode(w->conn))
        mark_unread(w, e);
    count_late_commits(w);
    w->nsent = w->nread = 0;
    while (w->nwin > 0)
        cl_send_settle_head(w);
}
