/*
 * lib/src/pool_impl.h - what the pool's files share, private to them: a
 * worker, its window of batches in flight, the pool's own state, small
 * helpers, and the functions one file calls in another, grouped by the
 * file that defines them. The pool is one file a concern (pool.c's head
 * comment follows a batch through them):
 *
 *   pool.c          the workers, their queues and the public API (pool.h)
 *   pipeline.c      up to --pipeline-depth batches in flight on one connection
 *   send.c          one batch's outcome: try, classify, retry, split, give
 *                   up, count
 *   insert_first.c  whether a batch goes as the plain INSERT or the upsert
 *   session.c       a worker's connection: connect, await a result, cancel,
 *                   drop; the statements prepared on it
 *
 * Every other function of those files is static in its file.
 */
#ifndef CRDBLOAD_POOL_IMPL_H
#define CRDBLOAD_POOL_IMPL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include <libpq-fe.h>

#include "batch.h"
#include "bind.h"
#include "conn.h"
#include "pool.h"
#include "util.h"

#define MAX_PREPARED 8       /* statement shapes prepared per connection */
#define SLEEP_SLICE_MS 20    /* how often a wait looks at stop/abort */
#define CANCEL_GRACE_MS 3000 /* aborting: a statement running longer is cancelled */
#define CANCEL_WAIT_MS 2000  /* ... and given up (in doubt) this long after */

/* How a wait on the network ended (session.c). */
typedef enum await_rc {
    AWAIT_DONE = 0, /* the results are in (or the connection broke) */
    AWAIT_TIMEOUT,  /* no reply before the deadline */
    AWAIT_STOPPED,  /* the run is aborting, and the worker gave up waiting */
} await_rc;

/* How a connect ended (session.c). */
typedef enum conn_rc {
    CONN_OK = 0,
    CONN_FAILED,  /* the reason is in w->connerr */
    CONN_STOPPED, /* the run is aborting */
} conn_rc;

/* A wait on a statement once the run is aborting: since when (cl_now(); 0:
 * not yet), and whether the statement was cancelled (session.c). */
typedef struct abort_wait {
    double since;
    bool cancelled;
} abort_wait;

/* Where a batch of the window stands. */
typedef enum flight_state {
    FL_QUEUED = 0, /* taken, not sent */
    FL_SENT,       /* pipelined, its Sync not back yet */
    FL_OK,         /* its Sync is back and its statement succeeded (res) */
    FL_FAILED,     /* its Sync is back with an error (res), or no reply in time (rc) */
    FL_UNKNOWN,    /* sent, the connection lost before its outcome came */
    FL_COMMITTED,  /* FL_OK, counted: a replay only keeps the order of writes */
} flight_state;

/* A batch of a worker's window: taken from its queue, not yet settled. */
typedef struct flight {
    cl_batch *b;
    flight_state state;
    int rc;          /* FL_FAILED: AWAIT_DONE (res says why) or AWAIT_TIMEOUT */
    PGresult *res;   /* its first error result, else its last */
    double t0;       /* sent */
    int prepared_at; /* the place in w->prepared its own Parse fills, or -1 */
    int nres;        /* results read */
    bool named;      /* through a prepared statement */
    bool insert;     /* sent as a plain INSERT (insert first) */
} flight;

typedef struct worker {
    cl_pool *pool;
    int id;
    pthread_t thread;
    bool inited;  /* mutex and condition variables initialised */
    bool started; /* thread running */

    /* Queue. Lock order: a leaf lock, never held with another mutex. */
    pthread_mutex_t mu;
    pthread_cond_t not_empty; /* signalled by submit and finish */
    pthread_cond_t not_full;  /* signalled by the worker, and on abort */
    cl_batch **ring;
    size_t head, count, cap;
    bool closing;
    atomic_bool done; /* the thread is past its loop: join will not wait */

    /* Owned by the worker thread once started. */
    flight *win; /* the window: pipe flights, oldest at whead */
    int pipe;    /* batches in flight at most (--pipeline-depth; 1: one at a time) */
    int nwin;    /* flights in the window (taken) */
    int whead;
    int nsent; /* of them, sent (the oldest ones) */
    int nread; /* of those, read to their Sync */
    int wake;  /* eventfd: submit queued a batch (pipelining waits on it) */
    PGconn *conn;
    cl_conn_params params; /* its host lists start at host id */
    cl_bind bind;
    size_t prepared[MAX_PREPARED]; /* row counts prepared on this connection */
    int nprepared;
    uint64_t rng;
    bool retried_40003; /* the current batch was already counted as such */
    int ins_wait;       /* insert first: upserts to send before the next INSERT */
    int ins_period;     /* the wait after the last conflict; 0: an INSERT committed
                         * since; -1: none sent yet */
    bool ins_probe;     /* an INSERT is out after a wait: upserts until its outcome */
    char connerr[1024]; /* why the last connect failed, when conn cannot say */
    char host_s[256], port_s[32]; /* the server of the last connection, for messages */
} worker;

struct cl_pool {
    cl_pool_opts o;
    worker *w;
    int n;
    size_t depth;

    /* Free list and abort message. Lock order: a leaf lock. */
    pthread_mutex_t mu;
    cl_batch **spare;
    size_t nspare, spare_cap;
    char err[2048];

    atomic_int abort_code; /* 0 while running, else the first CL_E* cause */
    atomic_bool unnamed;   /* a pooler broke named statements: unnamed ones only */
    atomic_bool pooled;    /* a transaction pooler seen: one batch in flight a worker */
    uint32_t run_tag;      /* in prepared statement names */
    bool finished;         /* cl_pool_finish ran; only the caller's thread */
    int result;
};

/* ---- small helpers ------------------------------------------------------ */

static inline bool
stop_requested(const cl_pool *p)
{
    return p->o.stop && atomic_load(p->o.stop);
}

static inline int
aborted(cl_pool *p)
{
    return atomic_load(&p->abort_code);
}

/* The window's i-th flight, the oldest being 0. */
static inline flight *
flight_at(worker *w, int i)
{
    return &w->win[(w->whead + i) % w->pipe];
}

/* The primary message without libpq's trailing newline. */
static inline void
copy_message(char *dst, size_t len, const char *msg)
{
    snprintf(dst, len, "%.*s", cl_pq_msg_len(msg), msg ? msg : "");
}

static inline void
sleep_ms(unsigned ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0)
        ;
}

static inline bool
result_ok(const PGresult *r)
{
    ExecStatusType s = PQresultStatus(r);
    return r && (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK);
}

/* ---- pool.c: the workers and their queues ------------------------------- */

/* Record the first abort and its message (later ones are ignored), and wake
 * the submitters blocked on a full queue. */
void cl_pool_set_abort(cl_pool *p, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Move the next queued batch of w to the back of its window; when block,
 * wait for one. false: none (when blocking: closing, and the queue empty). */
bool cl_pool_take(worker *w, bool block);

/* The window's oldest batch is done with: settled in the ledger (or held:
 * some of its rows may be uncommitted), and back to the free list. */
void cl_pool_pop_head(worker *w, bool settled);

/* ---- pipeline.c: batches in flight on one connection -------------------- */

/* Pipeline w's window until it is empty; a failed batch and the ones behind
 * it are settled one statement at a time (cl_send_settle_head). */
void cl_pipeline_run(worker *w);

/* ---- send.c: one batch's outcome ---------------------------------------- */

/* Settle w's oldest batch one statement at a time, with retries, split and
 * rejects, and pop it from the window. */
void cl_send_settle_head(worker *w);

/* Count a committed statement of n rows, sent at t0. */
void cl_send_count_committed(cl_stats *st, size_t n, const PGresult *res, double t0);

/* ---- session.c: a worker's connection ----------------------------------- */

/* (Re)connect w: the next host of its list when one fails; bounded by the
 * connect timeout, a stop or an abort. */
conn_rc cl_session_connect(worker *w);

/* "could not connect to host:port: why" for w's last failed connect. */
void cl_session_connect_error(const worker *w, char *err, size_t errlen);

/* Close w's connection without waiting on the network. */
void cl_session_drop(worker *w);

/* Aborting, one more look at a statement still running on conn: it is
 * cancelled (without waiting) CANCEL_GRACE_MS into the abort. true: the
 * wait is over, CANCEL_WAIT_MS after that; give the statement up. */
bool cl_session_abort_wait(abort_wait *aw, PGconn *conn, double now);

/* Keep the first error result in *res, else the last one. */
void cl_session_keep_result(PGresult **res, PGresult *r);

/* A pooler lost a prepared statement (sqlstate): unnamed statements and one
 * batch in flight, every worker, from now on. */
void cl_session_use_unnamed(cl_pool *p, const char *sqlstate);

/* The prepared statement for n rows (insert: the plain INSERT): its place in
 * w->prepared or -1; *shape and name are set either way. */
int cl_session_find_prepared(worker *w, size_t n, bool insert, size_t *shape,
                             char *name, size_t namelen);

/* Queue the Parse of the statement for n rows as name; libpq's return, -1 on
 * out of memory. */
int cl_session_send_prepare(worker *w, size_t n, bool insert, const char *name);

/* Queue the bound rows (w->bind) through name, or unnamed when name is NULL;
 * libpq's return, -1 on out of memory. */
int cl_session_send_statement(worker *w, size_t n, bool insert, const char *name);

/* Send rows [first, first+n) of b once and wait for the outcome: an
 * await_rc, or CL_ENOMEM. */
int cl_session_execute(worker *w, const cl_batch *b, size_t first, size_t n, bool top,
                       bool insert, bool *named, PGresult **res);

/* ---- insert_first.c: the INSERT or the upsert --------------------------- */

/* Whether w's next batch sent for the first time goes as the plain INSERT. */
bool cl_insert_first_next(worker *w);

/* An INSERT of w committed. */
void cl_insert_first_ok(worker *w);

/* An INSERT of w failed, or was not sent; conflict: with 23505. */
void cl_insert_first_failed(worker *w, bool conflict);

#endif
