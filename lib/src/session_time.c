/* lib/src/session_time.c - the session's TimeZone in values (session_time.h). */
#include "session_time.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "log.h"

bool
cl_column_is_local_timestamp(const cl_column *c)
{
    return c->kind == CL_TYPE_TIMESTAMP &&
           strstr(c->type_name, "without time zone") != NULL;
}

/* strcasestr is not C11. */
static bool
contains_nocase(const char *s, const char *needle)
{
    size_t n = strlen(needle);

    for (; *s; s++) {
        size_t i = 0;

        while (i < n && s[i] && tolower((unsigned char)s[i]) == needle[i])
            i++;
        if (i == n)
            return true;
    }
    return false;
}

bool
cl_expr_uses_session_time(const char *expr)
{
    static const char *const clock[] = {"now(",
                                        "current_timestamp",
                                        "localtimestamp",
                                        "transaction_timestamp",
                                        "statement_timestamp",
                                        "clock_timestamp"};
    bool reads_clock = false;

    for (size_t i = 0; i < sizeof clock / sizeof clock[0]; i++)
        reads_clock = reads_clock || contains_nocase(expr, clock[i]);
    /* AT TIME ZONE or timezone() pins the zone: the session's no longer matters. */
    return reads_clock && !contains_nocase(expr, "at time zone") &&
           !contains_nocase(expr, "timezone(");
}

static bool
sent_from_file(const cl_plan *p, const cl_column *c)
{
    for (size_t i = 0; i < p->ncols; i++)
        if (p->cols[i] == c)
            return true;
    return false;
}

static const char *
assigned(const cl_assign *a, size_t n, const char *column)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(a[i].column, column) == 0)
            return a[i].expr;
    return NULL;
}

static bool
utc_zone(const char *tz)
{
    static const char *const utc[] = {"UTC", "Etc/UTC", "GMT", "Etc/GMT",
                                      "UCT", "Zulu",    "Z"};

    for (size_t i = 0; i < sizeof utc / sizeof utc[0]; i++)
        if (strcmp(tz, utc[i]) == 0)
            return true;
    return false;
}

void
cl_warn_session_time(PGconn *conn, const cl_config *cfg, const cl_table *t,
                     const cl_plan *p)
{
    PGresult *res = NULL;
    const char *tz = NULL;

    for (size_t i = 0; i < t->ncols; i++) {
        const cl_column *c = &t->cols[i];
        const char *expr = assigned(cfg->sets, cfg->nsets, c->name);
        char hint[512];

        if (!cl_column_is_local_timestamp(c) || (sent_from_file(p, c) && !expr))
            continue;
        if (!expr)
            expr = assigned(cfg->defaults, cfg->ndefaults, c->name);
        if (!expr)
            expr = c->default_expr;
        if (!expr || !cl_expr_uses_session_time(expr))
            continue;
        if (!res) {
            res = PQexec(conn, "SHOW TimeZone");
            tz = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1
                     ? PQgetvalue(res, 0, 0)
                     : "unknown";
        }
        if (!cfg->dry_run && utc_zone(tz))
            break;
        snprintf(
            hint, sizeof hint,
            "Prisma and most ORMs read a timestamp without time zone as UTC. To write "
            "UTC whatever the TimeZone: --default \"%s=(now() AT TIME ZONE 'UTC')\".",
            c->name);
        cl_log_hint(CL_LOG_WARNING, hint,
                    "column \"%s\" (%s) is filled with %s, the time in the session's "
                    "TimeZone (%s), not UTC",
                    c->name, c->type_name, expr, tz);
    }
    PQclear(res);
}
