/* lib/src/log.c - stderr messages in the PostgreSQL message style. */
#include "log.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>

static atomic_int max_level = CL_LOG_INFO;

/* Columns of a progress bar on stderr's current line; written and read with
 * stderr locked, atomic only so that a racy read is still defined. */
static atomic_int bar_width;

static const char *const prefix[] = {"error: ", "warning: ", ""};

void
cl_log_set_level(cl_log_level max)
{
    atomic_store(&max_level, (int)max);
}

void
cl_log_set_bar_width(int columns)
{
    atomic_store_explicit(&bar_width, columns, memory_order_relaxed);
}

int
cl_log_bar_width(void)
{
    return atomic_load_explicit(&bar_width, memory_order_relaxed);
}

static void
vlog(cl_log_level level, const char *label, const char *extra, const char *fmt,
     va_list ap)
{
    char msg[4096];
    int bar;

    if ((int)level > atomic_load(&max_level))
        return;
    vsnprintf(msg, sizeof msg, fmt, ap);
    /* One fprintf under the stream's lock, so that lines of concurrent
     * threads (and the bar) do not interleave. */
    flockfile(stderr);
    bar = cl_log_bar_width();
    if (bar > 0) {
        fprintf(stderr, "\r%*s\r", bar, "");
        cl_log_set_bar_width(0);
    }
    if (extra)
        fprintf(stderr, "crdbload: %s%s\n%s: %s\n", prefix[level], msg, label, extra);
    else
        fprintf(stderr, "crdbload: %s%s\n", prefix[level], msg);
    funlockfile(stderr);
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
    vlog(level, "Detail", detail, fmt, ap);
    va_end(ap);
}

void
cl_log_hint(cl_log_level level, const char *hint, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vlog(level, "Hint", hint, fmt, ap);
    va_end(ap);
}
