/*
 * lib/src/send.c - one batch's outcome: send it (or take its pipelined
 * outcome), sort out what came back, then count it, retry it, split it or
 * give it up. cl_send_settle_head() is where a worker's batch comes in,
 * one statement at a time; pipeline.c sends several at once and comes here
 * for the ones that failed.
 *
 * Sending. A batch is one statement, one implicit transaction, through a
 * statement prepared once per shape (session.c). Errors are sorted
 * by cl_retry_classify(): transient ones re-send the same rows after a
 * backoff with full jitter (an upsert is idempotent, so re-sending after
 * 40003 "outcome unknown" is safe), a lost connection is re-opened first
 * (prepared statements are gone with it), a data error splits the rows in
 * two halves sent in order (unnamed statements) until the culprit is alone
 * and handed to on_reject, anything else aborts the run. Retries, reconnects
 * included, are bounded by max_retries per statement. send_rows() is that
 * loop: try_once() sends and sorts out what came back, then split() or
 * retry() takes it from there.
 *
 * A batch whose outcome is unknown when it is given up (no reply, the
 * connection lost after sending, 40003) counts its rows in rows_in_doubt.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "crdbload/crdbload.h"
#include "pool_impl.h"
#include "retry.h"
#include "stats.h"
#include "util.h"

#define BACKOFF_BASE_MS 50
#define BACKOFF_CAP_MS 5000

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

/* Count a committed statement of n rows: written as the server says. */
void
cl_send_count_committed(cl_stats *st, size_t n, const PGresult *res, double t0)
{
    uint64_t written = strtoull(PQcmdTuples((PGresult *)res), NULL, 10);

    if (written > n)
        written = n;
    cl_stats_add_latency(st, cl_now() - t0);
    atomic_fetch_add_explicit(&st->rows_written, written, memory_order_relaxed);
    atomic_fetch_add_explicit(&st->rows_unchanged, n - written, memory_order_relaxed);
    atomic_fetch_add_explicit(&st->batches, 1, memory_order_relaxed);
}

/* How send_rows starts. pre: the outcome of a first try already made (a
 * pipelined batch), taken over (res is cleared by send_rows); insert: that
 * try was the plain INSERT. replay: the rows committed already and are
 * counted: they are sent again only to keep the order of writes (see
 * pipeline.c), and counted nowhere. doubt: an earlier try may have committed
 * them unheard. fresh: never sent, so the first try may be the INSERT. */
typedef struct send_how {
    int rc; /* an await_rc */
    PGresult *res;
    bool named;
    double t0;
    bool pre;
    bool insert;
    bool replay;
    bool doubt;
    bool fresh;
} send_how;

static int send_rows(worker *w, const cl_batch *b, size_t first, size_t n, bool top,
                     send_how how);

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
        rc = p->o.on_reject
                 ? p->o.on_reject(p->o.reject_ctx, b, first, sqlstate, message)
                 : 0;
        if (rc == CL_EREJECTS)
            cl_pool_set_abort(p, rc, "too many rejected rows");
        else if (rc != 0)
            cl_pool_set_abort(
                p, rc, "could not record the row of line %" PRIu64 " as rejected: %s",
                cl_batch_line(b, first), cl_strerror(rc));
        return rc;
    }
    rc = send_rows(w, b, first, mid, false, (send_how){0});
    if (rc != 0)
        return rc;
    if (stop_requested(p) && !aborted(p))
        cl_pool_set_abort(p, CL_EINTERRUPTED, "interrupted");
    if (aborted(p)) /* the rest of this batch is dropped */
        return aborted(p);
    return send_rows(w, b, first + mid, n - mid, false, (send_how){0});
}

/* Rows given up: when an attempt to send them may have committed unheard
 * (lost connection, no reply, 40003), they are in doubt. Returns rc. */
static int
give_up(worker *w, size_t n, bool doubt, int rc)
{
    if (doubt)
        atomic_fetch_add_explicit(&w->pool->o.stats->rows_in_doubt, n,
                                  memory_order_relaxed);
    return rc;
}

/* What one try of a statement came to. */
typedef enum try_end {
    TRY_COMMITTED, /* written (counted, unless a replay) */
    TRY_FAILED,    /* the failure says what it was */
    TRY_AGAIN,     /* it never ran (a pooler lost our prepared statement), or
                    * the INSERT met a data error: the same rows again, at once */
    TRY_STOPPED,   /* the rows are given up with the failure's rc (aborting) */
} try_end;

typedef struct failure {
    cl_err_class klass;
    char sqlstate[6];   /* "" when the server said none (a lost connection) */
    char message[1024]; /* the server's primary message, or ours */
    int rc;             /* TRY_STOPPED: the CL_E* code */
} failure;

/* The server's error in res (NULL: the connection broke) as f's sqlstate,
 * message and class. */
static void
describe_error(worker *w, const PGresult *res, failure *f)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    bool conn_bad = PQstatus(w->conn) == CONNECTION_BAD;

    if (!primary || !*primary)
        primary = res && *PQresultErrorMessage(res) ? PQresultErrorMessage(res)
                                                    : PQerrorMessage(w->conn);
    snprintf(f->sqlstate, sizeof f->sqlstate, "%s", state ? state : "");
    copy_message(f->message, sizeof f->message, primary);
    f->klass = cl_retry_classify(f->sqlstate, f->message, conn_bad);
}

/* A fatal error of rows [first, first+n): abort the run saying where (the
 * rows and the server), then the server's own words. */
static void
abort_fatal(worker *w, const cl_batch *b, size_t first, size_t n, const failure *f,
            const PGresult *res)
{
    const char *detail = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL) : NULL;
    const char *hint = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_HINT) : NULL;
    uint64_t lo, hi;

    line_range(b, first, n, &lo, &hi);
    cl_pool_set_abort(w->pool, CL_EDB,
                      "a batch of %zu rows (lines %" PRIu64 "..%" PRIu64 ") failed on "
                      "server %s:%s: %s%s%s%s%s%s%s",
                      n, lo, hi, w->host_s, w->port_s, f->sqlstate,
                      *f->sqlstate ? ": " : "", f->message, detail ? CL_ERR_DETAIL : "",
                      detail ? detail : "", hint ? CL_ERR_HINT : "", hint ? hint : "");
}

/* No reply within --batch-timeout: like a lost connection, the outcome is
 * unknown; the connection is dropped, to be re-opened by retry(). */
static try_end
timed_out(worker *w, bool *doubt, failure *f)
{
    cl_session_drop(w);
    *doubt = true;
    f->klass = CL_ERRCLASS_RECONNECT;
    snprintf(f->message, sizeof f->message, "no reply within --batch-timeout (%g s)",
             w->pool->o.batch_timeout_ms / 1000.0);
    snprintf(w->connerr, sizeof w->connerr, "%s", f->message);
    return TRY_FAILED;
}

/*
 * What the server's error in res (NULL: the connection broke) comes to for
 * rows [first, first+n) of b, sent named or not, as the INSERT or not: a
 * pooler lost our statement or the INSERT met a data error (the same rows
 * again, at once), a fatal error (the run aborts), or a failure f for
 * send_rows to retry or split. Clears res.
 */
static try_end
sort_error(worker *w, const cl_batch *b, size_t first, size_t n, PGresult *res,
           bool named, bool was_insert, bool *doubt, failure *f)
{
    describe_error(w, res, f);
    if ((named &&
         (strcmp(f->sqlstate, "42P05") == 0 || strcmp(f->sqlstate, "26000") == 0)) ||
        strcmp(f->sqlstate, "34000") == 0) {
        PQclear(res);
        cl_session_use_unnamed(w->pool, f->sqlstate);
        return TRY_AGAIN;
    }
    if (!res || PQstatus(w->conn) == CONNECTION_BAD ||
        strcmp(f->sqlstate, "40003") == 0)
        *doubt = true; /* it may have committed without our hearing */
    if (was_insert && f->klass == CL_ERRCLASS_DATA) {
        PQclear(res);
        return TRY_AGAIN; /* the same rows as the upsert, at once, counted nowhere */
    }
    if (f->klass == CL_ERRCLASS_FATAL) {
        abort_fatal(w, b, first, n, f, res);
        PQclear(res);
        f->rc = CL_EDB;
        return TRY_STOPPED;
    }
    const char *detail = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL) : NULL;
    if (f->klass == CL_ERRCLASS_DATA && detail && *detail) {
        char full[1536];
        snprintf(full, sizeof full, "%s (%s)", f->message, detail);
        copy_message(f->message, sizeof f->message, full);
    }
    PQclear(res);
    if (f->klass == CL_ERRCLASS_RECONNECT)
        snprintf(w->connerr, sizeof w->connerr, "%s", f->message);
    return TRY_FAILED;
}

/*
 * Try rows [first, first+n) of b once: send them (or take the pipelined
 * try's outcome, how->pre) and sort out what came back. A failure is
 * described in f and classified; a data error's message keeps the server's
 * detail, which names the value or key at fault.
 */
static try_end
try_once(worker *w, const cl_batch *b, size_t first, size_t n, bool top, send_how *how,
         bool *doubt, failure *f)
{
    cl_pool *p = w->pool;
    PGresult *res = NULL;
    double t0 = how->t0;
    bool named, was_insert = how->insert;
    int rc;

    f->sqlstate[0] = '\0';
    how->insert = false;
    if (!how->pre && PQstatus(w->conn) != CONNECTION_OK) {
        /* The reconnect before this try failed: try again. */
        copy_message(f->message, sizeof f->message, w->connerr);
        f->klass = CL_ERRCLASS_RECONNECT;
        if (was_insert)
            cl_insert_first_failed(w, false);
        return TRY_FAILED;
    }
    if (how->pre) { /* the first try's outcome, already in */
        rc = how->rc;
        res = how->res;
        named = how->named;
        how->pre = false;
    } else {
        t0 = cl_now();
        rc = cl_session_execute(w, b, first, n, top, was_insert, &named, &res);
    }
    if (rc < 0) {
        PQclear(res);
        cl_pool_set_abort(p, rc, "out of memory");
        f->rc = rc;
        return TRY_STOPPED;
    }
    if (rc == AWAIT_STOPPED) { /* aborting, and no reply within the bound */
        cl_session_drop(w);
        *doubt = true;
        f->rc = aborted(p) ? aborted(p) : CL_EINTERRUPTED;
        return TRY_STOPPED;
    }
    if (rc == AWAIT_DONE && result_ok(res)) {
        if (was_insert)
            cl_insert_first_ok(w);
        if (!how->replay)
            cl_send_count_committed(p->o.stats, n, res, t0);
        PQclear(res);
        return TRY_COMMITTED;
    }
    if (was_insert) {
        const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;

        cl_insert_first_failed(w, rc == AWAIT_DONE && state &&
                                      strcmp(state, "23505") == 0);
    }
    if (rc == AWAIT_TIMEOUT)
        return timed_out(w, doubt, f);
    return sort_error(w, b, first, n, res, named, was_insert, doubt, f);
}

/*
 * A transient failure f of rows [first, first+n), the attempt-th: count the
 * retry, back off, reconnect when the connection is the trouble. false when
 * the rows are to be given up: retries exhausted (the run aborts, saying
 * so, with the first error of the series, first_err, kept from attempt 1),
 * or the run is stopping.
 */
static bool
retry(worker *w, const cl_batch *b, size_t first, size_t n, int attempt,
      const failure *f, char *first_err, size_t first_errlen)
{
    cl_pool *p = w->pool;
    cl_stats *st = p->o.stats;

    if (attempt > p->o.max_retries) {
        uint64_t lo, hi;

        line_range(b, first, n, &lo, &hi);
        cl_pool_set_abort(
            p, CL_ERETRIES,
            "retries exhausted for a batch of %zu rows (lines %" PRIu64 "..%" PRIu64
            "): %s%s%s" CL_ERR_DETAIL "Server %s:%s, %d retries%s%s." CL_ERR_HINT
            "The error is transient but persisted: check the server, or raise "
            "--max-retries.",
            n, lo, hi, f->sqlstate, *f->sqlstate ? ": " : "", f->message, w->host_s,
            w->port_s, p->o.max_retries, *first_err ? "; the first error: " : "",
            first_err);
        return false;
    }
    if (attempt == 1)
        snprintf(first_err, first_errlen, "%s%s%s", f->sqlstate,
                 *f->sqlstate ? ": " : "", f->message);
    cl_stats_add_retry(st, *f->sqlstate ? f->sqlstate : "08006");
    if (strcmp(f->sqlstate, "40003") == 0 && !w->retried_40003) {
        w->retried_40003 = true;
        atomic_fetch_add_explicit(&st->batches_retried_40003, 1, memory_order_relaxed);
    }
    if (!backoff(w, attempt)) {
        if (!aborted(p))
            cl_pool_set_abort(p, CL_EINTERRUPTED, "interrupted");
        return false;
    }
    if (f->klass == CL_ERRCLASS_RECONNECT) {
        conn_rc c = cl_session_connect(w);
        if (c == CONN_OK)
            atomic_fetch_add_explicit(&st->reconnects, 1, memory_order_relaxed);
        else if (c == CONN_STOPPED) {
            if (!aborted(p))
                cl_pool_set_abort(p, CL_EINTERRUPTED, "interrupted");
            return false;
        }
    }
    return true;
}

/*
 * Send rows [first, first+n) of b until they are written or rejected: a
 * data error splits them, a transient one retries them. Returns 0, or the
 * CL_E* code the pool aborted with (the rows are then neither written nor
 * rejected, and counted in rows_in_doubt when an attempt may have committed
 * them unheard).
 */
static int
send_rows(worker *w, const cl_batch *b, size_t first, size_t n, bool top, send_how how)
{
    char first_err[1040] = "";
    bool doubt = how.doubt; /* an attempt may have committed without our hearing */
    int attempt = 0;
    failure f;

    /* the first try is the plain INSERT when how.insert; every later one is
     * the upsert (try_once clears it) */
    if (!how.pre)
        how.insert = how.fresh && cl_insert_first_next(w);
    for (;;) {
        switch (try_once(w, b, first, n, top, &how, &doubt, &f)) {
        case TRY_COMMITTED:
            return 0;
        case TRY_AGAIN:
            continue; /* the same rows at once: the statement never ran, or the INSERT
                         failed */
        case TRY_STOPPED:
            return give_up(w, n, doubt && !how.replay, f.rc);
        case TRY_FAILED:
            break;
        }
        if (f.klass == CL_ERRCLASS_DATA) /* a replay's rows are in already */
            return how.replay ? 0 : split(w, b, first, n, f.sqlstate, f.message);
        if (!retry(w, b, first, n, ++attempt, &f, first_err, sizeof first_err))
            return give_up(w, n, doubt && !how.replay, aborted(w->pool));
    }
}

/* Whether flight f may have committed without our hearing: its outcome
 * never came, no reply in time, or 40003. */
static bool
flight_in_doubt(const flight *f)
{
    const char *state = f->res ? PQresultErrorField(f->res, PG_DIAG_SQLSTATE) : NULL;

    return f->state == FL_UNKNOWN ||
           (f->state == FL_FAILED &&
            (f->rc != AWAIT_DONE || !f->res || (state && strcmp(state, "40003") == 0)));
}

/* How send_rows takes flight f over, by where it stands; a failed one's
 * result goes with it (send_rows clears it). */
static send_how
flight_how(flight *f)
{
    send_how how = {.replay = f->state == FL_COMMITTED,
                    .doubt = f->state == FL_UNKNOWN,
                    .pre = f->state == FL_FAILED,
                    .insert = f->insert,
                    .fresh = f->state == FL_QUEUED,
                    .rc = f->rc,
                    .res = f->res,
                    .named = f->named,
                    .t0 = f->t0};

    if (how.pre)
        f->res = NULL;
    return how;
}

/* Settle the window's oldest batch one statement at a time (send_rows):
 * a batch never sent, a failed one with its first outcome, an unknown one,
 * or a committed one replayed. Aborting, it is dropped (in doubt if it may
 * have committed unheard); a committed one not replayed then counts as not
 * settled too, since an earlier batch retried after it may hold its keys
 * with older values: --checkpoint resumes before it. */
void
cl_send_settle_head(worker *w)
{
    cl_pool *p = w->pool;
    flight *f = flight_at(w, 0);
    size_t n = cl_batch_rows(f->b);
    bool settled = n == 0;
    bool doubt = flight_in_doubt(f);

    if (!aborted(p) && stop_requested(p))
        cl_pool_set_abort(p, CL_EINTERRUPTED, "interrupted");
    if (f->insert && f->state == FL_UNKNOWN)
        cl_insert_first_failed(w, false); /* its outcome never came: no probe is out */
    if (!aborted(p) && n > 0) {
        w->retried_40003 = false;
        settled = send_rows(w, f->b, 0, n, true, flight_how(f)) == 0;
    } else if (doubt && !settled) {
        give_up(w, n, true, 0);
    }
    cl_pool_pop_head(w, settled);
}
