/* lib/src/log.c - messages to the caller's function (log.h). */
#include "log.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

typedef struct route {
    cl_message_fn *fn;
    void *arg;
} route;

/* One route a process: the run's (cl_load_run() allows one run at a time). */
static route the_route;
static _Atomic(const route *) current;

void
cl_log_route(cl_message_fn *fn, void *arg)
{
    atomic_store(&current, NULL);
    if (!fn)
        return;
    the_route = (route){fn, arg};
    atomic_store(&current, &the_route);
}

/* An error that travelled as text (a module's err buffer) carries its detail
 * and hint after the primary text, behind CL_ERR_DETAIL and CL_ERR_HINT
 * (util.h): they become the message's fields, so that only the caller lays
 * out lines. */
static void
split_text(char *primary, const char **detail, const char **hint)
{
    char *h = strstr(primary, CL_ERR_HINT);
    char *d;

    if (h) {
        *h = '\0';
        *hint = h + strlen(CL_ERR_HINT);
    }
    d = strstr(primary, CL_ERR_DETAIL);
    if (d) {
        *d = '\0';
        *detail = d + strlen(CL_ERR_DETAIL);
    }
}

static void
vlog(cl_log_level level, const char *detail, const char *hint, const char *fmt,
     va_list ap)
{
    const route *r = atomic_load(&current);
    char buf[4096], *primary = buf;
    va_list again;
    int n;

    if (!r)
        return;
    va_copy(again, ap);
    n = vsnprintf(buf, sizeof buf, fmt, ap);
    /* longer (the dry run's statement): whole if memory allows, else cut */
    if (n >= (int)sizeof buf && (primary = malloc((size_t)n + 1)) != NULL)
        vsnprintf(primary, (size_t)n + 1, fmt, again);
    else
        primary = buf;
    va_end(again);
    if (!detail && !hint && level != CL_LOG_REPORT) /* a report is shown as it is */
        split_text(primary, &detail, &hint);
    r->fn(r->arg,
          &(cl_message){
              .level = level, .primary = primary, .detail = detail, .hint = hint});
    if (primary != buf)
        free(primary);
}

void
cl_log_server_notice(void *arg, const PGresult *res)
{
    const char *severity = PQresultErrorField(res, PG_DIAG_SEVERITY_NONLOCALIZED);
    const char *primary = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
    const char *detail = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL);
    const char *hint = PQresultErrorField(res, PG_DIAG_MESSAGE_HINT);
    const route *r = atomic_load(&current);
    char text[4096];

    (void)arg;
    if (!r)
        return;
    snprintf(text, sizeof text, "the server says: %s",
             primary ? primary : PQresultErrorMessage(res));
    r->fn(r->arg,
          &(cl_message){
              .level = severity && strcmp(severity, "WARNING") == 0 ? CL_LOG_WARNING
                                                                    : CL_LOG_INFO,
              .primary = text,
              .detail = detail,
              .hint = hint,
          });
}

void
cl_log(cl_log_level level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vlog(level, NULL, NULL, fmt, ap);
    va_end(ap);
}

void
cl_log_detail(cl_log_level level, const char *detail, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vlog(level, detail, NULL, fmt, ap);
    va_end(ap);
}

void
cl_log_hint(cl_log_level level, const char *hint, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vlog(level, NULL, hint, fmt, ap);
    va_end(ap);
}

int
cl_log_out_of_memory(const char *what)
{
    cl_log(CL_LOG_ERROR, "out of memory (%s)", what);
    return CL_ENOMEM;
}
