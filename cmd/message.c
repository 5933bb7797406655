/* cmd/message.c - messages on stderr in PostgreSQL's style (message.h). */
#include "message.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>

#include "progress.h"

static atomic_bool quiet;

static const char *const prefix[] = {
    [CL_LOG_ERROR] = "error: ",
    [CL_LOG_WARNING] = "warning: ",
    [CL_LOG_INFO] = "",
    [CL_LOG_REPORT] = "",
};

void
message_set_quiet(bool on)
{
    atomic_store(&quiet, on);
}

void
message_print(void *arg, const cl_message *m)
{
    (void)arg;
    if (atomic_load(&quiet) && (m->level == CL_LOG_WARNING || m->level == CL_LOG_INFO))
        return;
    /* Under the stream's lock, so that the lines of concurrent threads (and
     * the progress bar) do not interleave. */
    flockfile(stderr);
    progress_blank_locked();
    /* one write: stderr is unbuffered */
    fprintf(stderr, "crdbload: %s%s\n%s%s%s%s%s%s", prefix[m->level], m->primary,
            m->detail ? "Detail: " : "", m->detail ? m->detail : "",
            m->detail ? "\n" : "", m->hint ? "Hint: " : "", m->hint ? m->hint : "",
            m->hint ? "\n" : "");
    funlockfile(stderr);
}

static void
vlog(cl_log_level level, const char *detail, const char *fmt, va_list ap)
{
    char primary[4096];

    vsnprintf(primary, sizeof primary, fmt, ap);
    message_print(NULL,
                  &(cl_message){.level = level, .primary = primary, .detail = detail});
}

void
cli_log(cl_log_level level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vlog(level, NULL, fmt, ap);
    va_end(ap);
}

void
cli_log_detail(cl_log_level level, const char *detail, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vlog(level, detail, fmt, ap);
    va_end(ap);
}
