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
 * workers spread round-robin, and libpq moves on to the next host when one
 * fails, at connect and at every reconnect.
 *
 * Queues. Each worker has its own bounded FIFO ring of batches (depth
 * opts->queue_depth, default 2), guarded by its own mutex with two condition
 * variables (not_empty for the worker, not_full for the submitter). The
 * loader routes rows by a hash of their key, so a key lives in exactly one
 * queue, and a worker sends its batches one at a time in the order they were
 * queued: the last occurrence of a key in the input is the one the table
 * keeps, whatever the number of workers. A full queue blocks
 * cl_pool_submit(): memory stays bounded and a slow server holds the reader
 * back.
 *
 * Sending. A batch is one statement, one implicit transaction. The full-size
 * batch and the short last one are the common shapes, so each worker
 * prepares the statement once per row count it meets (at most
 * MAX_PREPARED shapes; beyond that, unnamed statements). Errors are sorted
 * by cl_retry_classify(): transient ones re-send the same rows after a
 * backoff with full jitter (an upsert is idempotent, so re-sending after
 * 40003 "outcome unknown" is safe), a lost connection is re-opened first
 * (prepared statements are gone with it), a data error splits the rows in
 * two halves sent in order (unnamed statements) until the culprit is alone
 * and handed to on_reject, anything else aborts the run. Retries, reconnects
 * included, are bounded by max_retries per statement.
 *
 * Shutdown. cl_pool_finish() marks every queue closing and joins the
 * workers once their queues are empty. An abort (fatal error, retries
 * exhausted, too many rejects, *opts->stop) is recorded once, first cause
 * wins; from then on workers drop what they dequeue instead of sending it,
 * a retry in progress gives up at its next backoff, and cl_pool_submit()
 * returns the abort code. A statement already on the wire is let finish:
 * its outcome is then known and counted; one still running CANCEL_GRACE_MS
 * into the abort (a lock wait) is cancelled through PQcancel, which keeps
 * its outcome known too. Every batch a worker holds counts for
 * cl_pool_pending_min() until it is committed; one given up counts for
 * good (--checkpoint).
 *
 * Batches come back. A worker resets each batch it is done with and keeps it
 * on a small shared free list (cl_pool_spare), so a steady run allocates no
 * batches after warming up.
 *
 * Locks: worker.mu (its queue) and pool.mu (free list, abort message) are
 * leaf locks: no code path holds two mutexes at once. Counters go only to the
 * atomics of cl_stats.
 */
#include "crdbload/pool.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crdbload/error.h"
#include "crdbload/retry.h"

#define DEFAULT_QUEUE_DEPTH 2
#define MAX_PREPARED 8       /* statement shapes prepared per connection */
#define BACKOFF_BASE_MS 50
#define BACKOFF_CAP_MS 5000
#define SLEEP_SLICE_MS 20    /* how often a backoff looks at stop/abort */
#define SUBMIT_POLL_MS 100   /* how often a blocked submit looks at stop */
#define CANCEL_GRACE_MS 5000 /* aborting: a statement running longer is cancelled */
#define MAX_CONN_PARAMS (6 + CL_CONN_DEFAULTS)

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
    uint64_t busy_seq;  /* seq of the batch being sent, UINT64_MAX: none */
    uint64_t given_up;  /* lowest seq of a batch dropped or failed, or UINT64_MAX */
    PGcancel *cancel;   /* for conn's backend; cancel_stuck() borrows it */
    atomic_bool done;   /* the thread is past its loop: join will not wait */

    /* Owned by the worker thread once started. */
    PGconn *conn;
    const char *keywords[MAX_CONN_PARAMS + 1];
    const char *values[MAX_CONN_PARAMS + 1];
    char *host, *port, *hostaddr; /* rotated lists, or NULL */
    cl_bind bind;
    size_t prepared[MAX_PREPARED]; /* row counts prepared on this connection */
    int nprepared;
    uint64_t rng;
    bool retried_40003; /* the current batch was already counted as such */
    int cancel_pid;     /* backend that w->cancel was made for */
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
    bool finished;         /* cl_pool_finish ran; only the caller's thread */
    int result;
};

/* ---- small helpers ------------------------------------------------------ */

static bool
stop_requested(const cl_pool *p)
{
    return p->o.stop && atomic_load(p->o.stop);
}

static int
aborted(cl_pool *p)
{
    return atomic_load(&p->abort_code);
}

/* Record the first abort and its message; later ones are ignored. Then wake
 * every submitter blocked on a full queue so that it sees the abort. */
static void
set_abort(cl_pool *p, int code, const char *fmt, ...)
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

/* The primary message without libpq's trailing newline. */
static void
copy_message(char *dst, size_t len, const char *msg)
{
    size_t n;

    if (!msg)
        msg = "";
    n = strlen(msg);
    while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
        n--;
    snprintf(dst, len, "%.*s", (int)n, msg);
}

static void
sleep_ms(unsigned ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0)
        ;
}

/* Back off, in slices so that a stop or an abort is not kept waiting.
 * Returns false when the run is over and the caller should give up. */
static bool
backoff(worker *w, int attempt)
{
    cl_pool *p = w->pool;
    uint32_t ms = cl_retry_delay_ms(attempt, BACKOFF_BASE_MS, BACKOFF_CAP_MS, &w->rng);

    for (;;) {
        if (stop_requested(p) || aborted(p))
            return false;
        if (ms == 0)
            return true;
        unsigned slice = ms < SLEEP_SLICE_MS ? ms : SLEEP_SLICE_MS;
        sleep_ms(slice);
        ms -= slice;
    }
}

/* The first and last input lines of rows [first, first+n). */
static void
line_range(const cl_batch *b, size_t first, size_t n, uint64_t *lo, uint64_t *hi)
{
    *lo = UINT64_MAX;
    *hi = 0;
    for (size_t i = first; i < first + n; i++) {
        uint64_t l = cl_batch_line(b, i);
        if (l < *lo)
            *lo = l;
        if (l > *hi)
            *hi = l;
    }
    if (n == 0)
        *lo = 0;
}

/* ---- connections -------------------------------------------------------- */

/* "a,b,c" started at item k mod n: "b,c,a" for k = 1. NULL when list has
 * fewer than two items (nothing to rotate) or on OOM (*oom set). */
static char *
rotate_list(const char *list, int k, size_t want_items, bool *oom)
{
    size_t items = 1, len;
    const char *start;
    char *out;

    if (!list)
        return NULL;
    for (const char *s = list; *s; s++)
        items += *s == ',';
    if (items < 2 || (want_items && items != want_items))
        return NULL;
    start = list;
    for (size_t skip = (size_t)k % items; skip > 0; skip--)
        start = strchr(start, ',') + 1;
    len = strlen(list);
    out = malloc(len + 2);
    if (!out) {
        *oom = true;
        return NULL;
    }
    /* tail from start, then the head before it */
    size_t tail = strlen(start);
    memcpy(out, start, tail);
    if (start != list) {
        out[tail] = ',';
        memcpy(out + tail + 1, list, (size_t)(start - list - 1));
        out[len] = '\0';
    } else {
        out[tail] = '\0';
    }
    return out;
}

/* The parameter value of conninfo, or the environment's. Caller frees. */
static char *
conn_param(PQconninfoOption *opts, const char *name, const char *env)
{
    const char *v = NULL;

    for (PQconninfoOption *o = opts; o && o->keyword; o++)
        if (strcmp(o->keyword, name) == 0 && o->val && *o->val)
            v = o->val;
    if (!v)
        v = getenv(env);
    if (!v)
        return NULL;
    char *d = strdup(v);
    return d;
}

/* Worker w's connection parameters: the user's string as dbname (expanded),
 * a host list rotated to start at host w, and a fallback application name
 * that the user's application_name overrides. Returns 0 or CL_ENOMEM. */
static int
setup_params(worker *w, const char *conninfo)
{
    PQconninfoOption *opts = NULL;
    char *hosts = NULL, *ports = NULL, *addrs = NULL;
    bool oom = false;
    int k = 0;

    if (conninfo && *conninfo) {
        char *perr = NULL;
        opts = PQconninfoParse(conninfo, &perr);
        /* A malformed string: libpq reports it when connecting. */
        PQfreemem(perr);
    }
    hosts = conn_param(opts, "host", "PGHOST");
    ports = conn_param(opts, "port", "PGPORT");
    addrs = conn_param(opts, "hostaddr", "PGHOSTADDR");
    PQconninfoFree(opts);

    if (hosts || addrs) {
        const char *ref = hosts ? hosts : addrs;
        size_t n = 1;
        for (const char *s = ref; *s; s++)
            n += *s == ',';
        w->host = rotate_list(hosts, w->id, n, &oom);
        w->hostaddr = rotate_list(addrs, w->id, n, &oom);
        w->port = rotate_list(ports, w->id, n, &oom); /* one port for all: kept */
    }
    free(hosts);
    free(ports);
    free(addrs);
    if (oom)
        return CL_ENOMEM;

    k = (int)cl_conn_defaults(w->keywords, w->values); /* first: the user's win */
    if (conninfo && *conninfo) {
        w->keywords[k] = "dbname";
        w->values[k++] = conninfo;
    }
    /* Later keywords override what the expanded dbname set. */
    if (w->host) {
        w->keywords[k] = "host";
        w->values[k++] = w->host;
    }
    if (w->hostaddr) {
        w->keywords[k] = "hostaddr";
        w->values[k++] = w->hostaddr;
    }
    if (w->port) {
        w->keywords[k] = "port";
        w->values[k++] = w->port;
    }
    w->keywords[k] = "fallback_application_name";
    w->values[k++] = "crdbload";
    w->keywords[k] = NULL;
    w->values[k] = NULL;
    return 0;
}

/* Start w's host lists one host further (the lists values[] points at are
 * replaced). libpq moves on to the next host only when one cannot be
 * reached: a node that answers with an error, such as a draining CockroachDB
 * node ("server is not accepting clients"), ends the attempt there. Kept as
 * they were when memory is short. */
static void
advance_hosts(worker *w)
{
    char **lists[] = {&w->host, &w->hostaddr, &w->port};
    const char *ref = w->host ? w->host : w->hostaddr;
    size_t n = 1;
    bool oom = false;

    if (!ref)
        return;
    for (const char *s = ref; *s; s++)
        n += *s == ',';
    for (size_t l = 0; l < sizeof lists / sizeof lists[0]; l++) {
        char *next = rotate_list(*lists[l], 1, n, &oom);

        if (!next)
            continue; /* absent, a single item (one port for all), or OOM */
        for (int k = 0; w->keywords[k]; k++)
            if (w->values[k] == *lists[l])
                w->values[k] = next;
        free(*lists[l]);
        *lists[l] = next;
    }
}

/* Connect w. Returns true when the connection is up; otherwise w->conn is
 * kept (for its error message) and is not usable, and the next attempt
 * starts at the next host. */
static bool
connect_worker(worker *w)
{
    if (w->conn)
        PQfinish(w->conn);
    w->nprepared = 0; /* prepared statements die with their session */
    w->conn = PQconnectdbParams(w->keywords, w->values, 1);
    if (w->conn && PQstatus(w->conn) == CONNECTION_OK)
        return true;
    advance_hosts(w);
    return false;
}

/* "could not connect to host:port: message" - libpq's messages name the host
 * and never carry the password; conninfo itself is never printed. */
static void
connect_error(const worker *w, char *err, size_t errlen)
{
    char msg[1024];
    const char *host = w->conn ? PQhost(w->conn) : NULL;
    const char *port = w->conn ? PQport(w->conn) : NULL;

    copy_message(msg, sizeof msg, w->conn ? PQerrorMessage(w->conn) : "out of memory");
    snprintf(err, errlen, "could not connect to %s%s%s: %s",
             host && *host ? host : "the server", port && *port ? ":" : "",
             port && *port ? port : "", msg);
}

/* ---- sending ------------------------------------------------------------ */

/* Send rows [first, first+n) of b once. top: the whole batch, through a
 * prepared statement; otherwise an unnamed one. *res is the result (NULL
 * when libpq could not even send). Returns 0, or CL_ENOMEM. */
static int
execute(worker *w, const cl_batch *b, size_t first, size_t n, bool top, PGresult **res)
{
    const cl_plan *plan = w->pool->o.plan;
    char name[32];
    int slot = -1;

    *res = NULL;
    if (cl_plan_bind(plan, b, first, n, &w->bind) != 0)
        return CL_ENOMEM;
    if (PQbackendPID(w->conn) != w->cancel_pid) {
        /* A new session: cancel_stuck() must reach this backend. */
        PGcancel *c = PQgetCancel(w->conn), *old;
        if (!c)
            return CL_ENOMEM;
        pthread_mutex_lock(&w->mu);
        old = w->cancel; /* NULL while borrowed: the borrower frees it */
        w->cancel = c;
        pthread_mutex_unlock(&w->mu);
        PQfreeCancel(old);
        w->cancel_pid = PQbackendPID(w->conn);
    }

    if (top) {
        /* UNNEST's text does not depend on the row count: one shape. */
        size_t shape = plan->form == CL_FORM_UNNEST ? 0 : n;

        for (int i = 0; i < w->nprepared; i++)
            if (w->prepared[i] == shape)
                slot = i;
        snprintf(name, sizeof name, "crdbload_%zu", shape);
        if (slot < 0 && w->nprepared < MAX_PREPARED) {
            char *sql = cl_plan_sql(plan, n);
            if (!sql)
                return CL_ENOMEM;
            *res = PQprepare(w->conn, name, sql, 0, NULL); /* types: inferred */
            free(sql);
            if (PQresultStatus(*res) != PGRES_COMMAND_OK)
                return 0; /* the caller sorts the prepare's error out */
            PQclear(*res);
            *res = NULL;
            slot = w->nprepared;
            w->prepared[w->nprepared++] = shape;
        }
    }
    if (slot >= 0) {
        *res = PQexecPrepared(w->conn, name, w->bind.nparams, w->bind.values,
                              w->bind.lengths, NULL, 0);
    } else {
        char *sql = cl_plan_sql(plan, n);
        if (!sql)
            return CL_ENOMEM;
        *res = PQexecParams(w->conn, sql, w->bind.nparams, NULL, w->bind.values,
                            w->bind.lengths, NULL, 0);
        free(sql);
    }
    return 0;
}

static int send_rows(worker *w, const cl_batch *b, size_t first, size_t n, bool top);

/* A data error on rows [first, first+n): reject a single row, or send the
 * halves in order, each with its own retries. */
static int
split(worker *w, const cl_batch *b, size_t first, size_t n, const char *sqlstate,
      const char *message)
{
    cl_pool *p = w->pool;
    size_t mid = n / 2;
    int rc;

    if (n == 1) {
        if (p->o.on_reject &&
            p->o.on_reject(p->o.reject_ctx, b, first, sqlstate, message) != 0) {
            set_abort(p, CL_EREJECTS, "too many rejected rows");
            return CL_EREJECTS;
        }
        return 0;
    }
    rc = send_rows(w, b, first, mid, false);
    if (rc != 0)
        return rc;
    if (stop_requested(p) && !aborted(p))
        set_abort(p, CL_EINTERRUPTED, "interrupted");
    if (aborted(p)) /* the rest of this batch is dropped */
        return aborted(p);
    return send_rows(w, b, first + mid, n - mid, false);
}

/*
 * Send rows [first, first+n) of b until they are written or rejected.
 * Returns 0, or the CL_E* code the pool aborted with (the rows are then
 * neither written nor rejected).
 */
static int
send_rows(worker *w, const cl_batch *b, size_t first, size_t n, bool top)
{
    cl_pool *p = w->pool;
    cl_stats *st = p->o.stats;
    char sqlstate[6], message[1024], full[1536];
    int attempt = 0;

    for (;;) {
        PGresult *res = NULL;
        cl_err_class klass;
        int rc;

        sqlstate[0] = '\0';
        if (PQstatus(w->conn) != CONNECTION_OK) {
            /* The reconnect before this try failed: try again. */
            copy_message(message, sizeof message, PQerrorMessage(w->conn));
            klass = CL_ERRCLASS_RECONNECT;
        } else {
            double t0 = cl_now();

            rc = execute(w, b, first, n, top, &res);
            if (rc != 0) {
                PQclear(res);
                set_abort(p, rc, "out of memory");
                return rc;
            }
            ExecStatusType s = PQresultStatus(res);
            if (res && (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK)) {
                uint64_t written = strtoull(PQcmdTuples(res), NULL, 10);

                if (written > n)
                    written = n;
                cl_stats_add_latency(st, cl_now() - t0);
                atomic_fetch_add_explicit(&st->rows_written, written, memory_order_relaxed);
                atomic_fetch_add_explicit(&st->rows_unchanged, n - written,
                                          memory_order_relaxed);
                atomic_fetch_add_explicit(&st->batches, 1, memory_order_relaxed);
                PQclear(res);
                return 0;
            }

            const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
            const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
            const char *detail = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL) : NULL;
            const char *hint = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_HINT) : NULL;

            if (!primary || !*primary)
                primary = res && *PQresultErrorMessage(res) ? PQresultErrorMessage(res)
                                                            : PQerrorMessage(w->conn);
            snprintf(sqlstate, sizeof sqlstate, "%s", state ? state : "");
            copy_message(message, sizeof message, primary);
            klass = cl_retry_classify(sqlstate, message,
                                      PQstatus(w->conn) == CONNECTION_BAD);
            if (klass == CL_ERRCLASS_FATAL) {
                uint64_t lo, hi;

                /* where: the rows and the server; the server's own words follow */
                line_range(b, first, n, &lo, &hi);
                set_abort(p, CL_EDB,
                          "a batch of %zu rows (lines %" PRIu64 "..%" PRIu64 ") failed on "
                          "server %s:%s: %s%s%s%s%s%s%s",
                          n, lo, hi, PQhost(w->conn), PQport(w->conn), sqlstate,
                          *sqlstate ? ": " : "", message, detail ? "\nDetail: " : "",
                          detail ? detail : "", hint ? "\nHint: " : "", hint ? hint : "");
                PQclear(res);
                return CL_EDB;
            }
            if (klass == CL_ERRCLASS_DATA && detail && *detail) {
                /* the detail names the value or key at fault: worth keeping */
                snprintf(full, sizeof full, "%s (%s)", message, detail);
                copy_message(message, sizeof message, full);
            }
            PQclear(res);
        }

        if (klass == CL_ERRCLASS_DATA)
            return split(w, b, first, n, sqlstate, message);

        /* RETRY or RECONNECT: the same rows again, after a pause. */
        if (++attempt > p->o.max_retries) {
            uint64_t lo, hi;

            line_range(b, first, n, &lo, &hi);
            set_abort(p, CL_ERETRIES,
                      "retries exhausted for a batch of %zu rows (lines %" PRIu64 "..%" PRIu64
                      "): %s%s%s\nDetail: Server %s:%s, %d retries.\nHint: The error is "
                      "transient but persisted: check the server, or raise --max-retries.",
                      n, lo, hi, sqlstate, *sqlstate ? ": " : "", message, PQhost(w->conn),
                      PQport(w->conn), p->o.max_retries);
            return aborted(p);
        }
        cl_stats_add_retry(st, *sqlstate ? sqlstate : "08006");
        if (strcmp(sqlstate, "40003") == 0 && !w->retried_40003) {
            w->retried_40003 = true;
            atomic_fetch_add_explicit(&st->batches_retried_40003, 1, memory_order_relaxed);
        }
        if (!backoff(w, attempt)) {
            if (!aborted(p))
                set_abort(p, CL_EINTERRUPTED, "interrupted");
            return aborted(p);
        }
        if (klass == CL_ERRCLASS_RECONNECT && connect_worker(w))
            atomic_fetch_add_explicit(&st->reconnects, 1, memory_order_relaxed);
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

static void *
worker_main(void *arg)
{
    worker *w = arg;
    cl_pool *p = w->pool;

    for (;;) {
        cl_batch *b;

        pthread_mutex_lock(&w->mu);
        while (w->count == 0 && !w->closing)
            pthread_cond_wait(&w->not_empty, &w->mu);
        if (w->count == 0) { /* closing, and nothing left */
            pthread_mutex_unlock(&w->mu);
            break;
        }
        b = w->ring[w->head];
        w->head = (w->head + 1) % w->cap;
        w->count--;
        /* Pending without a gap: from the ring straight to busy, in one
         * critical section (cl_pool_pending_min). */
        w->busy_seq = cl_batch_seq(b);
        pthread_cond_signal(&w->not_full);
        pthread_mutex_unlock(&w->mu);

        bool settled = cl_batch_rows(b) == 0;
        if (!aborted(p) && stop_requested(p))
            set_abort(p, CL_EINTERRUPTED, "interrupted");
        if (!aborted(p) && !settled) {
            w->retried_40003 = false;
            settled = send_rows(w, b, 0, cl_batch_rows(b), true) == 0;
        }
        pthread_mutex_lock(&w->mu);
        if (!settled && w->busy_seq < w->given_up)
            w->given_up = w->busy_seq; /* some of its rows may be uncommitted */
        w->busy_seq = UINT64_MAX;
        pthread_mutex_unlock(&w->mu);
        recycle(p, b);
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
    w->busy_seq = UINT64_MAX;
    w->given_up = UINT64_MAX;
    w->cap = p->depth;
    w->ring = calloc(w->cap, sizeof *w->ring);
    return w->ring ? 0 : CL_ENOMEM;
}

size_t
cl_conn_defaults(const char **keywords, const char **values)
{
    static const char *const defaults[][2] = {
        {"connect_timeout", "30"},  /* a CockroachDB Cloud cold start fits */
        {"keepalives", "1"},
        {"keepalives_idle", "30"},  /* a dead peer is noticed in about a minute */
        {"keepalives_interval", "10"},
        {"keepalives_count", "3"},
    };
    size_t n = 0;

    for (size_t i = 0; i < sizeof defaults / sizeof defaults[0]; i++) {
        /* a keyword outranks its environment variable: leave that to libpq */
        if (i == 0 && getenv("PGCONNECT_TIMEOUT"))
            continue;
        keywords[n] = defaults[i][0];
        values[n++] = defaults[i][1];
    }
    return n;
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
        if (init_worker(p, &p->w[i], i) != 0 || setup_params(&p->w[i], o->conninfo) != 0)
            goto nomem;

    /* Every connection before any thread: fail before a row is sent. */
    for (int i = 0; i < p->n; i++) {
        if (!connect_worker(&p->w[i])) {
            connect_error(&p->w[i], err, errlen);
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
        set_abort(p, CL_EINTERRUPTED, "interrupted");
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

/* Ask the server to cancel the statement of every worker holding a batch.
 * The handle is borrowed out of the worker's hands, so that PQcancel (a
 * network round trip) runs without a lock and the worker may replace it
 * meanwhile. A cancelled statement fails (57014) or had committed: either
 * way its outcome is known and counted. */
static void
cancel_stuck(cl_pool *p)
{
    char errbuf[256];

    for (int i = 0; i < p->n; i++) {
        worker *w = &p->w[i];
        PGcancel *c = NULL;

        if (!w->inited)
            continue;
        pthread_mutex_lock(&w->mu);
        if (w->busy_seq != UINT64_MAX) {
            c = w->cancel;
            w->cancel = NULL;
        }
        pthread_mutex_unlock(&w->mu);
        if (!c)
            continue;
        PQcancel(c, errbuf, sizeof errbuf);
        pthread_mutex_lock(&w->mu);
        if (!w->cancel) {
            w->cancel = c;
            c = NULL;
        }
        pthread_mutex_unlock(&w->mu);
        PQfreeCancel(c); /* the worker made a newer one meanwhile */
    }
}

/* Wait for the workers to be done. Once the run is aborting, a statement
 * still running after CANCEL_GRACE_MS (a lock wait, a stalled server) is
 * cancelled, again every grace period: settling takes bounded time. */
static void
wait_settled(cl_pool *p)
{
    double since = 0;

    for (;;) {
        bool all = true;
        for (int i = 0; i < p->n && all; i++)
            all = !p->w[i].started || atomic_load(&p->w[i].done);
        if (all)
            return;
        if (since == 0 && (aborted(p) || stop_requested(p)))
            since = cl_now();
        if (since > 0 && cl_now() - since >= CANCEL_GRACE_MS / 1000.0) {
            cancel_stuck(p);
            since = cl_now();
        }
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
        if (p->w[i].conn) /* give the server its slot back now */
            PQfinish(p->w[i].conn);
        p->w[i].conn = NULL;
    }
    p->finished = true;
    p->result = aborted(p);
    return p->result;
}

uint64_t
cl_pool_pending_min(cl_pool *p)
{
    uint64_t min = UINT64_MAX;

    /* One worker at a time: a worker's minimum only grows, and batches
     * enter only through submit, which the caller accounts for. */
    for (int i = 0; i < p->n; i++) {
        worker *w = &p->w[i];

        if (!w->inited)
            continue;
        pthread_mutex_lock(&w->mu);
        if (w->busy_seq < min)
            min = w->busy_seq;
        if (w->given_up < min)
            min = w->given_up;
        for (size_t j = 0; j < w->count; j++) {
            uint64_t s = cl_batch_seq(w->ring[(w->head + j) % w->cap]);
            if (s < min)
                min = s;
        }
        pthread_mutex_unlock(&w->mu);
    }
    return min;
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
        free(w->host);
        free(w->port);
        free(w->hostaddr);
        cl_bind_free(&w->bind);
        PQfreeCancel(w->cancel);
    }
    for (size_t i = 0; i < p->nspare; i++)
        cl_batch_free(p->spare[i]);
    pthread_mutex_destroy(&p->mu);
    free(p->spare);
    free(p->w);
    free(p);
}
