/* lib/src/log.c - stderr messages in the PostgreSQL message style. */
#include "crdbload/log.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>

static atomic_int max_level = CL_LOG_INFO;

static const char *const prefix[] = {"error: ", "warning: ", ""};

void
cl_log_set_level(cl_log_level max)
{
    atomic_store(&max_level, (int)max);
}

static void
vlog(cl_log_level level, const char *detail, const char *fmt, va_list ap)
{
    char msg[4096];

    if ((int)level > atomic_load(&max_level))
        return;
    vsnprintf(msg, sizeof msg, fmt, ap);
    /* One call, so that lines of concurrent threads do not interleave. */
    if (detail)
        fprintf(stderr, "crdbload: %s%s\nDetail: %s\n", prefix[level], msg, detail);
    else
        fprintf(stderr, "crdbload: %s%s\n", prefix[level], msg);
}

void
cl_log(cl_log_level level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vlog(level, NULL, fmt, ap);
    va_end(ap);
}

void
cl_log_detail(cl_log_level level, const char *detail, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vlog(level, detail, fmt, ap);
    va_end(ap);
}
