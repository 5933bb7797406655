/*
 * tests/unit/test_conn_defaults.c - crdbload's libpq defaults (connect
 * timeout, keepalives) are in force, and the user's conninfo and
 * PGCONNECT_TIMEOUT still win. No server: libpq parses the options when the
 * connection starts, and PQconninfo() shows what it will use.
 */
#include <libpq-fe.h>
#include <stdlib.h>
#include <string.h>

#include "conn.h"
#include "testutil.h"

/* The value libpq settled on for keyword, for the keywords the loader starts
 * every connection with (cl_conn_params_start(): its order is under test). */
static char *
effective(const char *conninfo, const char *keyword)
{
    const char *keys[CL_CONN_DEFAULTS + 2], *vals[CL_CONN_DEFAULTS + 2];
    size_t k = cl_conn_params_start(keys, vals, conninfo);
    PGconn *c;
    PQconninfoOption *opts;
    char *out = NULL;

    keys[k] = NULL;
    vals[k] = NULL;
    c = PQconnectStartParams(keys, vals, 1);
    opts = c ? PQconninfo(c) : NULL;
    for (PQconninfoOption *o = opts; o && o->keyword; o++)
        if (strcmp(o->keyword, keyword) == 0 && o->val)
            out = strdup(o->val);
    PQconninfoFree(opts);
    PQfinish(c);
    return out;
}

static void
check_value(const char *conninfo, const char *keyword, const char *expected)
{
    char *v = effective(conninfo, keyword);
    CHECK_EQ_STR(v, expected);
    free(v);
}

int
main(void)
{
    /* port 1 on loopback: nothing listens, and nothing is waited for */
    const char *plain = "postgresql://nobody@127.0.0.1:1/none";
    const char *own =
        "postgresql://nobody@127.0.0.1:1/none?connect_timeout=2&keepalives_idle=77";

    unsetenv("PGCONNECT_TIMEOUT");
    check_value(plain, "connect_timeout", "30");
    check_value(plain, "keepalives", "1");
    check_value(plain, "keepalives_idle", "30");
    check_value(plain, "keepalives_interval", "10");
    check_value(plain, "keepalives_count", "3");

    /* the user's URL overrides a default */
    check_value(own, "connect_timeout", "2");
    check_value(own, "keepalives_idle", "77");
    check_value(own, "keepalives_count", "3");
    check_value("host=127.0.0.1 port=1 dbname=none keepalives=0", "keepalives", "0");

    /* and so does the environment, where libpq reads it */
    setenv("PGCONNECT_TIMEOUT", "5", 1);
    check_value(plain, "connect_timeout", "5");
    unsetenv("PGCONNECT_TIMEOUT");
    return TEST_REPORT();
}
