/*
 * lib/src/session.c - a worker's connection to the server: connect to it
 * (the next host on failure), wait for what a statement brings back,
 * cancel, drop; and the statements prepared on it. The pool's other files
 * (pool_impl.h) never touch libpq's connection state but through these.
 *
 * The network. Nothing waits on it without a bound. Connections are
 * non-blocking (PQconnectStartParams/PQconnectPoll, PQsetnonblocking) and
 * every wait is a poll(2) in SLEEP_SLICE_MS slices that look at the stop
 * flag, the abort and a deadline: the connect timeout for a connect, which
 * only counts as made once a first "SELECT 1" came back within it (a
 * pooler with no server connection free holds it: PgBouncer in session mode
 * with a pool smaller than --workers fails the run at once, saying so), and
 * batch_timeout_ms for a batch, whose expiry is handled like a lost
 * connection. Aborting, a statement on the wire is let finish for
 * CANCEL_GRACE_MS, then cancelled through PQcancel in a detached thread
 * (PQcancel blocks on its own connection, which a hung network never
 * answers) and given up CANCEL_WAIT_MS later. A connection given up on is
 * shut down (shutdown(2)) before PQfinish, so that closing it cannot block
 * either.
 *
 * Prepared statements. The full-size batch and the short last one are the
 * common shapes, so each connection prepares the statement once per row
 * count it meets (at most MAX_PREPARED shapes; beyond that, unnamed
 * statements), under a name of this run only. They die with the session.
 *
 * Poolers. PgBouncer in transaction or statement mode hands a session's
 * named prepared statements to other clients: the server says 42P05
 * "already exists" or 26000 "does not exist" to a named statement, and it
 * may give the connection to another client at any Sync, also between a
 * pipelined batch's Bind and Execute (34000 portal "" does not exist). Any
 * of the three switches the whole pool to unnamed statements and one batch
 * in flight per worker for the rest of the run (one warning), and the batch
 * is sent again at once: it never ran.
 */
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "crdbload/crdbload.h"
#include "log.h"
#include "pool_impl.h"
#include "stats.h"

/* ---- waiting on the network: a deadline, a stop or an abort ends it ----- */

/* Until fd is ready for events or ms pass. A signal or an error is taken
 * like a timeout: the caller looks at its conditions and comes back. */
static void
wait_fd(int fd, short events, int ms)
{
    struct pollfd pf = {.fd = fd, .events = events};

    if (poll(&pf, 1, ms) < 0 && fd < 0)
        sleep_ms((unsigned)ms);
}

/* PQcancel opens a new connection and waits for the server to hang up,
 * which on a hung network never happens: it runs in a detached thread that
 * owns its PGcancel and that nobody waits for (the process may exit first). */
static void *
cancel_main(void *arg)
{
    char errbuf[256];

    PQcancel(arg, errbuf, sizeof errbuf);
    PQfreeCancel(arg);
    return NULL;
}

static void
cancel_async(PGconn *conn)
{
    PGcancel *c = PQgetCancel(conn);
    pthread_attr_t a;
    pthread_t t;
    bool started = false;

    if (!c)
        return;
    if (pthread_attr_init(&a) == 0) {
        pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
        started = pthread_create(&t, &a, cancel_main, c) == 0;
        pthread_attr_destroy(&a);
    }
    if (!started)
        PQfreeCancel(c);
}

bool
cl_session_abort_wait(abort_wait *aw, PGconn *conn, double now)
{
    if (aw->since == 0)
        aw->since = now;
    if (!aw->cancelled && now - aw->since >= CANCEL_GRACE_MS / 1000.0) {
        cancel_async(conn);
        aw->cancelled = true;
    }
    return now - aw->since >= (CANCEL_GRACE_MS + CANCEL_WAIT_MS) / 1000.0;
}

/* Close w's connection without waiting on the network: shutdown(2) first, so
 * that PQfinish's goodbye (TLS's included) fails at once instead of waiting
 * on a peer that reads nothing. Prepared statements die with the session. */
void
cl_session_drop(worker *w)
{
    if (!w->conn)
        return;
    if (PQsocket(w->conn) >= 0)
        shutdown(PQsocket(w->conn), SHUT_RDWR);
    PQfinish(w->conn);
    w->conn = NULL;
    w->nprepared = 0;
}

/* Keep the first error result, else the last one. */
void
cl_session_keep_result(PGresult **res, PGresult *r)
{
    ExecStatusType s = PQresultStatus(*res);

    if (*res && s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK) {
        PQclear(r);
        return;
    }
    PQclear(*res);
    *res = r;
}

/*
 * Drive what was sent on w->conn to its end: flush what libpq holds (the
 * connection is non-blocking), then read until every result is in; *res is
 * the first error result, else the last one, NULL when there was none (a
 * lost connection: PQerrorMessage says why). Once the run is aborting, a
 * statement is let finish when settle is set, its outcome then being known;
 * after CANCEL_GRACE_MS it is cancelled and CANCEL_WAIT_MS later given up.
 * Without settle (a probe), the wait ends at once. deadline: cl_now() time,
 * 0 for none. Only AWAIT_DONE leaves the connection usable.
 */
static await_rc
await_result(worker *w, double deadline, bool settle, PGresult **res)
{
    cl_pool *p = w->pool;
    PGconn *c = w->conn;
    abort_wait aw = {0};

    *res = NULL;
    for (;;) {
        int fl = PQflush(c);
        double now;

        if (fl < 0 || (fl == 0 && !PQconsumeInput(c)))
            break; /* the connection broke */
        while (fl == 0 && !PQisBusy(c)) {
            PGresult *r = PQgetResult(c);
            if (!r)
                return AWAIT_DONE;
            cl_session_keep_result(res, r);
        }
        now = cl_now();
        if (aborted(p) || stop_requested(p)) {
            if (!settle || cl_session_abort_wait(&aw, c, now))
                break;
        }
        if (deadline > 0 && now >= deadline)
            break;
        wait_fd(PQsocket(c), (short)(POLLIN | (fl == 1 ? POLLOUT : 0)), SLEEP_SLICE_MS);
    }
    if (PQstatus(c) == CONNECTION_BAD) {
        /* libpq turns what it knows into results without waiting */
        for (PGresult *r; (r = PQgetResult(c)) != NULL;)
            cl_session_keep_result(res, r);
        return AWAIT_DONE;
    }
    PQclear(*res);
    *res = NULL;
    return deadline > 0 && cl_now() >= deadline && !aborted(p) && !stop_requested(p)
               ? AWAIT_TIMEOUT
               : AWAIT_STOPPED;
}

/* ---- connecting --------------------------------------------------------- */

/* The connect timeout libpq took from the settings, in seconds; 0: none. */
static int
connect_timeout_s(PGconn *conn)
{
    PQconninfoOption *opts = PQconninfo(conn);
    int t = CL_CONN_DEFAULT_TIMEOUT_S;

    for (PQconninfoOption *o = opts; o && o->keyword; o++)
        if (strcmp(o->keyword, "connect_timeout") == 0)
            t = o->val && *o->val ? atoi(o->val) : 0;
    PQconninfoFree(opts);
    if (t < 0)
        t = 0;
    return t == 1 ? 2 : t; /* libpq's minimum */
}

static void
remember_server(worker *w)
{
    const char *h = w->conn ? PQhost(w->conn) : NULL,
               *port = w->conn ? PQport(w->conn) : NULL;

    if (h && *h)
        snprintf(w->host_s, sizeof w->host_s, "%s", h);
    if (port && *port)
        snprintf(w->port_s, sizeof w->port_s, "%s", port);
}

/*
 * (Re)connect w through libpq's non-blocking connect, so that a stop or an
 * abort ends it at once and the connect timeout bounds it whatever the
 * network does (libpq's own timeout only runs inside its blocking connect).
 * Then a first statement must come back within the same bound: a pooler
 * that has no server connection free for us holds it (PgBouncer in session
 * mode with a pool smaller than --workers), and that is better said at once
 * than discovered one --batch-timeout per batch.
 */
conn_rc
cl_session_connect(worker *w)
{
    cl_pool *p = w->pool;
    PostgresPollingStatusType st = PGRES_POLLING_WRITING;
    double deadline = 0;
    PGresult *res = NULL;
    int tmo;
    await_rc ar;

    cl_session_drop(w);
    w->connerr[0] = '\0';
    w->conn = PQconnectStartParams(w->params.keywords, w->params.values, 1);
    if (!w->conn) {
        snprintf(w->connerr, sizeof w->connerr, "out of memory");
        return CONN_FAILED;
    }
    PQsetNoticeReceiver(w->conn, cl_log_server_notice, NULL);
    tmo = connect_timeout_s(w->conn);
    if (tmo > 0)
        deadline = cl_now() + tmo;
    while (PQstatus(w->conn) != CONNECTION_BAD && st != PGRES_POLLING_OK &&
           st != PGRES_POLLING_FAILED) {
        if (stop_requested(p) || aborted(p)) {
            cl_session_drop(w);
            return CONN_STOPPED;
        }
        if (deadline > 0 && cl_now() >= deadline) {
            remember_server(w);
            cl_session_drop(w);
            snprintf(w->connerr, sizeof w->connerr,
                     "timeout expired (connect_timeout %d s)", tmo);
            cl_conn_params_next_host(&w->params);
            return CONN_FAILED;
        }
        struct pollfd pf = {.fd = PQsocket(w->conn),
                            .events = st == PGRES_POLLING_READING ? POLLIN : POLLOUT};
        if (poll(&pf, 1, SLEEP_SLICE_MS) == 1)
            st = PQconnectPoll(w->conn); /* only once the socket is ready */
    }
    remember_server(w);
    if (PQstatus(w->conn) != CONNECTION_OK) {
        copy_message(w->connerr, sizeof w->connerr, PQerrorMessage(w->conn));
        cl_session_drop(w);
        cl_conn_params_next_host(&w->params);
        return CONN_FAILED;
    }
    PQsetnonblocking(w->conn, 1);

    if (deadline == 0 && p->o.batch_timeout_ms > 0)
        deadline = cl_now() + p->o.batch_timeout_ms / 1000.0;
    ar = PQsendQuery(w->conn, "SELECT 1") ? await_result(w, deadline, false, &res)
                                          : AWAIT_DONE;
    if (ar == AWAIT_DONE && PQresultStatus(res) == PGRES_TUPLES_OK) {
        PQclear(res);
        return CONN_OK;
    }
    if (ar == AWAIT_STOPPED) {
        cl_session_drop(w);
        return CONN_STOPPED;
    }
    if (ar == AWAIT_TIMEOUT)
        snprintf(
            w->connerr, sizeof w->connerr,
            "connected, but a first statement got no reply within %.0f s: a connection "
            "pooler in front of the server (PgBouncer with pool_mode = session?) may "
            "have fewer server connections than --workers (%d); lower -j/--workers to "
            "the pool's size, or raise the pooler's pool size",
            tmo > 0 ? (double)tmo : p->o.batch_timeout_ms / 1000.0, p->n);
    else
        copy_message(w->connerr, sizeof w->connerr,
                     res && *PQresultErrorMessage(res) ? PQresultErrorMessage(res)
                                                       : PQerrorMessage(w->conn));
    PQclear(res);
    cl_session_drop(w);
    cl_conn_params_next_host(&w->params);
    return CONN_FAILED;
}

/* "could not connect to host:port: message" - libpq's messages name the host
 * and never carry the password; the URL itself is never printed. */
void
cl_session_connect_error(const worker *w, char *err, size_t errlen)
{
    snprintf(err, errlen, "could not connect to %s%s%s: %s",
             *w->host_s ? w->host_s : "the server", *w->port_s ? ":" : "", w->port_s,
             *w->connerr ? w->connerr : "unknown error");
}

/* ---- prepared statements ------------------------------------------------ */

/* A pooler handed our session's named statements to another client (42P05
 * "already exists") or none to us (26000 "does not exist"), or a pipelined
 * batch's Bind and Execute to two server sessions (34000 portal "" does not
 * exist): PgBouncer in transaction or statement mode, which may hand the
 * server connection to another client at every Sync, also between the
 * pipelined messages of our next batch. Unnamed statements and one batch in
 * flight from now on, every worker; said once. The batch never ran. */
void
cl_session_use_unnamed(cl_pool *p, const char *sqlstate)
{
    atomic_store(&p->pooled, true);
    if (!atomic_exchange(&p->unnamed, true))
        cl_log(CL_LOG_WARNING,
               "the server lost a prepared statement (%s): a connection pooler in "
               "transaction or statement mode? Unnamed statements from now on",
               sqlstate);
}

/* The prepared statement for a batch of n rows: its place in w->prepared, or
 * -1 when it is not prepared yet; *shape and name are set either way. */
int
cl_session_find_prepared(worker *w, size_t n, bool insert, size_t *shape, char *name,
                         size_t namelen)
{
    const cl_plan *plan = w->pool->o.plan;
    int at = -1;

    /* UNNEST's text does not depend on the row count: one shape (two with
     * the plain INSERT). */
    *shape = (plan->form == CL_FORM_UNNEST ? 0 : n) * 2 + insert;
    for (int i = 0; i < w->nprepared; i++)
        if (w->prepared[i] == *shape)
            at = i;
    snprintf(name, namelen, "crdbload_%08" PRIx32 "_%zu", w->pool->run_tag, *shape);
    return at;
}

/* The statement for n rows: the upsert, or the plain INSERT. */
static char *
statement_sql(const worker *w, size_t n, bool insert)
{
    return insert ? cl_plan_insert_sql(w->pool->o.plan, n)
                  : cl_plan_sql(w->pool->o.plan, n);
}

/* Send the bound rows (w->bind, n of them) through the prepared statement
 * name, or as an unnamed statement when name is NULL. libpq's return. */
int
cl_session_send_statement(worker *w, size_t n, bool insert, const char *name)
{
    char *sql;
    int sent;

    if (name)
        return PQsendQueryPrepared(w->conn, name, w->bind.nparams, w->bind.values,
                                   w->bind.lengths, NULL, 0);
    if (!(sql = statement_sql(w, n, insert)))
        return -1;
    sent = PQsendQueryParams(w->conn, sql, w->bind.nparams, NULL, w->bind.values,
                             w->bind.lengths, NULL, 0);
    free(sql);
    return sent;
}

/* Queue the Parse of the statement for n rows as name; libpq's return. */
int
cl_session_send_prepare(worker *w, size_t n, bool insert, const char *name)
{
    char *sql = statement_sql(w, n, insert);
    int sent;

    if (!sql)
        return -1;
    sent = PQsendPrepare(w->conn, name, sql, 0, NULL); /* types: inferred */
    free(sql);
    return sent;
}

/* Send rows [first, first+n) of b once and wait for the outcome, within
 * --batch-timeout. top: the whole batch, through a statement prepared once
 * per shape (*named set) unless a pooler ruled them out; otherwise an
 * unnamed one. *res is the result (NULL: the connection broke). Returns an
 * await_rc, or CL_ENOMEM. */
int
cl_session_execute(worker *w, const cl_batch *b, size_t first, size_t n, bool top,
                   bool insert, bool *named, PGresult **res)
{
    cl_pool *p = w->pool;
    double deadline =
        p->o.batch_timeout_ms > 0 ? cl_now() + p->o.batch_timeout_ms / 1000.0 : 0;
    char name[48];
    size_t shape;
    int at = -1, sent;
    await_rc ar;

    *res = NULL;
    *named = false;
    if (cl_plan_bind(p->o.plan, b, first, n, &w->bind) != 0)
        return CL_ENOMEM;

    if (top && !atomic_load(&p->unnamed)) {
        *named = true;
        at = cl_session_find_prepared(w, n, insert, &shape, name, sizeof name);
        if (at < 0 && w->nprepared < MAX_PREPARED) {
            if ((sent = cl_session_send_prepare(w, n, insert, name)) <= 0)
                return sent < 0 ? CL_ENOMEM : AWAIT_DONE;
            ar = await_result(w, deadline, true, res);
            if (ar != AWAIT_DONE || PQresultStatus(*res) != PGRES_COMMAND_OK)
                return ar; /* the caller sorts the prepare's error out */
            PQclear(*res);
            *res = NULL;
            at = w->nprepared;
            w->prepared[w->nprepared++] = shape;
        }
    }
    *named = at >= 0;
    sent = cl_session_send_statement(w, n, insert, at >= 0 ? name : NULL);
    if (sent < 0)
        return CL_ENOMEM;
    return sent ? await_result(w, deadline, true, res) : AWAIT_DONE;
}
