/*
 * lib/src/progress.c - the reporter thread (progress.h).
 *
 * It only reads the relaxed atomic counters of cl_stats, so the load never
 * waits for it. A bar is redrawn four times a second on a terminal, ending
 * in '\r' and padded to the previous width so no stale characters remain
 * (redis-benchmark); log and JSON lines come every interval.
 */
#include "crdbload/progress.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "crdbload/error.h"

struct cl_progress {
    cl_stats *stats;
    cl_progress_mode mode; /* BAR, LOG or JSON, resolved */
    double interval;
    pthread_t thread;
    pthread_mutex_t lock; /* protects done; the only lock here */
    pthread_cond_t cond;
    bool done;
    int last_width;        /* characters of the bar last drawn */
    double last_time;
    uint64_t last_rows;
};

#define LOAD(field) atomic_load_explicit(&s->field, memory_order_relaxed)

static int
term_width(void)
{
    struct winsize ws;
    if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 20)
        return ws.ws_col;
    return 80;
}

static void
report(cl_progress *p, bool final)
{
    cl_stats *s = p->stats;
    double now = cl_now();
    double secs = now - s->start_time;
    uint64_t rows = LOAD(rows_read);
    uint64_t bytes = LOAD(bytes_read);
    uint64_t size = LOAD(input_size);
    double dt = now - p->last_time;
    double rate_now = dt > 0 ? (double)(rows - p->last_rows) / dt : 0;
    double rate = secs > 0 ? (double)rows / secs : 0;
    double mbs = secs > 0 ? (double)bytes / 1e6 / secs : 0;
    double pct = size ? 100.0 * (double)bytes / (double)size : -1;
    double eta = (pct > 0 && pct < 100) ? secs * (100.0 - pct) / pct : 0;
    char line[512];
    int n;

    p->last_time = now;
    p->last_rows = rows;
    switch (p->mode) {
    case CL_PROGRESS_JSON:
        fprintf(stderr,
                "{\"elapsed_s\":%.1f,\"percent\":%.1f,\"rows_read\":%llu,"
                "\"rows_written\":%llu,\"rows_per_s\":%.0f,\"rows_per_s_now\":%.0f,"
                "\"mb_per_s\":%.2f,\"retries\":%llu,\"rows_rejected\":%llu,\"eta_s\":%.0f}\n",
                secs, pct, (unsigned long long)rows,
                (unsigned long long)LOAD(rows_written), rate, rate_now, mbs,
                (unsigned long long)LOAD(retries), (unsigned long long)LOAD(rows_rejected),
                eta);
        break;
    case CL_PROGRESS_LOG:
        fprintf(stderr,
                "progress: %.1f s, %.1f%%, %llu rows, %.0f rows/s (now %.0f), %.2f MB/s, "
                "%llu retries, %llu rejected\n",
                secs, pct < 0 ? 0 : pct, (unsigned long long)rows, rate, rate_now, mbs,
                (unsigned long long)LOAD(retries), (unsigned long long)LOAD(rows_rejected));
        break;
    default: {
        int width = term_width() - 1;
        if (final) {
            /* clear the bar: the summary follows on a clean line */
            fprintf(stderr, "\r%*s\r", p->last_width, "");
            break;
        }
        n = snprintf(line, sizeof line,
                     "%5.1f%% %llu rows %.0f rows/s (avg %.0f) %.1f MB/s %llu retries "
                     "%llu rejected ETA %.0fs",
                     pct < 0 ? 0 : pct, (unsigned long long)rows, rate_now, rate, mbs,
                     (unsigned long long)LOAD(retries),
                     (unsigned long long)LOAD(rows_rejected), eta);
        if (n > width)
            n = width;
        if (n < 0)
            n = 0;
        fprintf(stderr, "\r%.*s%*s", n, line, p->last_width > n ? p->last_width - n : 0,
                "");
        p->last_width = n;
        break;
    }
    }
    fflush(stderr);
}

static void *
run(void *arg)
{
    cl_progress *p = arg;
    double tick = p->mode == CL_PROGRESS_BAR ? 0.25 : p->interval;

    pthread_mutex_lock(&p->lock);
    while (!p->done) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        double when = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9 + tick;
        ts.tv_sec = (time_t)when;
        ts.tv_nsec = (long)((when - (double)ts.tv_sec) * 1e9);
        pthread_cond_timedwait(&p->cond, &p->lock, &ts);
        if (!p->done)
            report(p, false);
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

int
cl_progress_start(cl_progress **out, cl_stats *s, cl_progress_mode mode, double interval_s)
{
    cl_progress *p;

    *out = NULL;
    if (mode == CL_PROGRESS_NONE)
        return 0;
    if (mode == CL_PROGRESS_AUTO)
        mode = isatty(STDERR_FILENO) ? CL_PROGRESS_BAR : CL_PROGRESS_LOG;
    p = calloc(1, sizeof *p);
    if (!p)
        return CL_ENOMEM;
    p->stats = s;
    p->mode = mode;
    p->interval = interval_s > 0 ? interval_s : 10.0;
    p->last_time = s->start_time;
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->cond, NULL);
    if (pthread_create(&p->thread, NULL, run, p) != 0) {
        pthread_mutex_destroy(&p->lock);
        pthread_cond_destroy(&p->cond);
        free(p);
        return CL_ENOMEM;
    }
    *out = p;
    return 0;
}

void
cl_progress_stop(cl_progress *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->lock);
    p->done = true;
    pthread_cond_signal(&p->cond);
    pthread_mutex_unlock(&p->lock);
    pthread_join(p->thread, NULL);
    if (p->mode == CL_PROGRESS_BAR)
        report(p, true);
    pthread_mutex_destroy(&p->lock);
    pthread_cond_destroy(&p->cond);
    free(p);
}
