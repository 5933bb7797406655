/*
 * lib/src/conn.h - where a connection is made: the one builder of the libpq
 * parameters every connection of a run opens with (the control connection
 * that reads the catalog and serves --missing, and each worker's), and the
 * check of the TLS the control connection got. Private to the library.
 */
#ifndef CRDBLOAD_CONN_H
#define CRDBLOAD_CONN_H

#include <libpq-fe.h>
#include <stddef.h>

/*
 * The start of every connection's libpq keywords: crdbload's settings, then
 * the user's --url (a URI or key=value string, which libpq expands when it
 * is given as dbname), which overrides any of them.
 * The settings are a connect_timeout (unless PGCONNECT_TIMEOUT is set) and
 * TCP keepalives, so that a dead server or a silently hung network ends in a
 * reconnect or an abort instead of a wait without end. url NULL or "":
 * the settings only. Writes at most CL_CONN_DEFAULTS + 1 pairs into
 * keywords/values, not terminated; returns how many.
 */
#define CL_CONN_DEFAULTS 5
/* The connect_timeout above; libpq's minimum is 2. */
#define CL_CONN_DEFAULT_TIMEOUT_S 30
size_t cl_conn_params_start(const char **keywords, const char **values,
                            const char *url);

#define CL_CONN_MAX_PARAMS (6 + CL_CONN_DEFAULTS)

/* Keyword/value arrays for PQconnectdbParams()/PQconnectStartParams(),
 * expand_dbname = 1, NULL-terminated. */
typedef struct cl_conn_params {
    const char *keywords[CL_CONN_MAX_PARAMS + 1];
    const char *values[CL_CONN_MAX_PARAMS + 1];
    char *host, *port, *hostaddr; /* rotated lists (owned), or NULL */
} cl_conn_params;

/*
 * Build the parameters of a connection to url (a libpq URI or key=value
 * string, borrowed for the life of cp; NULL or "": libpq's defaults): the
 * defaults above, then url as an expanded dbname, then, when url or the
 * environment lists several hosts, the host list (and hostaddr and port
 * lists) rotated to start at host first_host (mod their number): worker i
 * passes i, so that the workers spread round-robin. Last a
 * fallback_application_name that the user's application_name overrides.
 * Returns 0 or CL_ENOMEM; free with cl_conn_params_free() either way.
 */
int cl_conn_params_init(cl_conn_params *cp, const char *url, int first_host);

/* Start the host lists one host further (after a failed connect). Kept as
 * they were when memory is short. */
void cl_conn_params_next_host(cl_conn_params *cp);

void cl_conn_params_free(cl_conn_params *cp);

/*
 * The control connection: blocking, with the parameters above (first host).
 * Warns when TLS is up but the server is not authenticated. NULL when it
 * failed, said (the message names the host, never the password).
 */
PGconn *cl_conn_open_control(const char *url);

#endif
