/*
 * lib/src/conn.c - where a connection is made (conn.h): the libpq
 * parameters of every connection of a run, built in one place, and the
 * control connection with its TLS check. The workers' non-blocking connect
 * and reconnect loop is the pool's (session.c), on these parameters.
 */
#include "conn.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "crdbload/crdbload.h"
#include "log.h"
#include "util.h"

size_t
cl_conn_params_start(const char **keywords, const char **values, const char *url)
{
    static const char *const defaults[][2] = {
        {"connect_timeout", "30"}, /* a CockroachDB Cloud cold start fits */
        {"keepalives", "1"},
        {"keepalives_idle", "30"}, /* a dead peer is noticed in about a minute */
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
    if (url && *url) {
        /* last, so that the user's settings win; libpq expands a URI or a
         * key=value string given as dbname */
        keywords[n] = "dbname";
        values[n++] = url;
    }
    return n;
}

/* "a,b,c" started at item k mod n: "b,c,a" for k = 1. NULL when list has
 * fewer than two items (nothing to rotate) or on OOM (*oom set). */
static char *
rotate_list(const char *list, int k, size_t want_items, bool *oom)
{
    size_t items, len;
    const char *start;
    char *out;

    if (!list)
        return NULL;
    items = cl_list_count(list);
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

int
cl_conn_params_init(cl_conn_params *cp, const char *url, int first_host)
{
    PQconninfoOption *opts = NULL;
    char *hosts = NULL, *ports = NULL, *addrs = NULL;
    bool oom = false;
    int k = 0;

    *cp = (cl_conn_params){0};
    if (url && *url) {
        char *perr = NULL;
        opts = PQconninfoParse(url, &perr);
        /* A malformed string: libpq reports it when connecting. */
        PQfreemem(perr);
    }
    hosts = conn_param(opts, "host", "PGHOST");
    ports = conn_param(opts, "port", "PGPORT");
    addrs = conn_param(opts, "hostaddr", "PGHOSTADDR");
    PQconninfoFree(opts);

    if (hosts || addrs) {
        size_t n = cl_list_count(hosts ? hosts : addrs);
        cp->host = rotate_list(hosts, first_host, n, &oom);
        cp->hostaddr = rotate_list(addrs, first_host, n, &oom);
        cp->port = rotate_list(ports, first_host, n, &oom); /* one port for all: kept */
    }
    free(hosts);
    free(ports);
    free(addrs);
    if (oom)
        return CL_ENOMEM;

    k = (int)cl_conn_params_start(cp->keywords, cp->values, url);
    /* Later keywords override what the expanded dbname set. */
    if (cp->host) {
        cp->keywords[k] = "host";
        cp->values[k++] = cp->host;
    }
    if (cp->hostaddr) {
        cp->keywords[k] = "hostaddr";
        cp->values[k++] = cp->hostaddr;
    }
    if (cp->port) {
        cp->keywords[k] = "port";
        cp->values[k++] = cp->port;
    }
    cp->keywords[k] = "fallback_application_name";
    cp->values[k++] = "crdbload";
    cp->keywords[k] = NULL;
    cp->values[k] = NULL;
    return 0;
}

/* libpq moves on to the next host only when one cannot be reached: a node
 * that answers with an error, such as a draining CockroachDB node ("server
 * is not accepting clients"), ends the attempt there; the next connect
 * starts one host further. */
void
cl_conn_params_next_host(cl_conn_params *cp)
{
    char **lists[] = {&cp->host, &cp->hostaddr, &cp->port};
    const char *ref = cp->host ? cp->host : cp->hostaddr;
    size_t n;
    bool oom = false;

    if (!ref)
        return;
    n = cl_list_count(ref);
    for (size_t l = 0; l < sizeof lists / sizeof lists[0]; l++) {
        char *next = rotate_list(*lists[l], 1, n, &oom);

        if (!next)
            continue; /* absent, a single item (one port for all), or OOM */
        for (int k = 0; cp->keywords[k]; k++)
            if (cp->values[k] == *lists[l])
                cp->values[k] = next;
        free(*lists[l]);
        *lists[l] = next;
    }
}

void
cl_conn_params_free(cl_conn_params *cp)
{
    free(cp->host);
    free(cp->port);
    free(cp->hostaddr);
    *cp = (cl_conn_params){0};
}

/*
 * Warn once when TLS is up but the server is not authenticated: libpq checks
 * the chain only when a root certificate is given, and the host name only
 * under verify-full. verify-ca is the user's explicit choice: no warning.
 * (An sslrootcert found at libpq's default path is not seen here; the
 * warning then says more than is true, never less.)
 */
static void
warn_unverified_tls(PGconn *c)
{
    PQconninfoOption *opts;
    const char *mode = NULL, *root = NULL;

    if (!PQsslInUse(c) || !(opts = PQconninfo(c)))
        return;
    for (PQconninfoOption *o = opts; o->keyword; o++) {
        if (strcmp(o->keyword, "sslmode") == 0)
            mode = o->val;
        else if (strcmp(o->keyword, "sslrootcert") == 0)
            root = o->val;
    }
    if (mode && (strcmp(mode, "require") == 0 || strcmp(mode, "prefer") == 0 ||
                 strcmp(mode, "allow") == 0)) {
        if (root && *root)
            cl_log(CL_LOG_WARNING,
                   "the server's host name is not verified (sslmode=%s); use "
                   "sslmode=verify-full",
                   mode);
        else
            cl_log(CL_LOG_WARNING,
                   "the server's certificate is not verified (sslmode=%s); use "
                   "sslmode=verify-full with sslrootcert=FILE (the cluster's CA "
                   "certificate)",
                   mode);
    }
    PQconninfoFree(opts);
}

PGconn *
cl_conn_open_control(const char *url)
{
    cl_conn_params cp;
    PGconn *c = NULL;

    if (cl_conn_params_init(&cp, url, 0) == 0)
        c = PQconnectdbParams(cp.keywords, cp.values, 1);
    cl_conn_params_free(&cp);

    if (c && PQstatus(c) == CONNECTION_OK) {
        PQsetNoticeReceiver(c, cl_log_server_notice, NULL);
        warn_unverified_tls(c);
        return c;
    }
    if (c) {
        /* libpq's message names host and port and never the password */
        const char *msg = PQerrorMessage(c);
        cl_log_hint(
            CL_LOG_ERROR,
            "Check -d/--url (else $DATABASE_URL, else libpq's PGHOST, PGPORT, "
            "PGUSER...) and that the server accepts connections from this host.",
            "could not connect to the database: %.*s", cl_pq_msg_len(msg), msg);
        PQfinish(c);
    } else {
        cl_log(CL_LOG_ERROR, "could not connect to the database: out of memory");
    }
    return NULL;
}
