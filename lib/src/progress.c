/*
 * lib/src/progress.c - the reporter thread (progress.h).
 *
 * It only reads the relaxed atomic counters of cl_stats, so the load never
 * waits for it. BAR: a snapshot four times a second, its "now" rate over the
 * last 3 seconds; LOG and JSON: one every interval, its "now" rate since the
 * previous one.
 *
 * Percent is of input bytes read (compressed bytes for gzip, what the reader
 * has consumed) against the known input size; unknown (standard input, a
 * pipe) gives no percent and no ETA.
 */
#include "progress.h"
#include "stats.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BAR_TICK_S 0.25   /* redraws a second: four */
#define RATE_WINDOW_S 3.0 /* "rows/s now" on the bar: the last 3 seconds */
#define RING 32           /* samples kept for the window */

typedef struct sample {
    double t;
    uint64_t rows;
} sample;

struct cl_progress {
    cl_stats *stats;
    cl_progress_fn *fn;
    void *arg;
    bool bar;        /* CL_PROGRESS_BAR: four a second */
    double interval; /* seconds between snapshots otherwise */
    pthread_t thread;
    pthread_mutex_t lock; /* protects done */
    pthread_cond_t cond;
    bool done;
    sample ring[RING]; /* recent (time, rows), oldest first from head */
    int head, count;
};

static void
push_sample(cl_progress *p, double t, uint64_t rows)
{
    int i = (p->head + p->count) % RING;
    if (p->count == RING) {
        p->head = (p->head + 1) % RING;
        i = (p->head + RING - 1) % RING;
    } else {
        p->count++;
    }
    p->ring[i] = (sample){t, rows};
}

/* Rows a second over the last window: from the oldest sample inside it. */
static double
recent_rate(const cl_progress *p, double now, uint64_t rows, double window)
{
    for (int k = 0; k < p->count; k++) {
        const sample *o = &p->ring[(p->head + k) % RING];
        if (o->t >= now - window && now - o->t > 1e-3)
            return rows >= o->rows ? (double)(rows - o->rows) / (now - o->t) : 0;
    }
    return 0;
}

static void
measure(cl_progress *p, cl_progress_snapshot *f)
{
    cl_stats *s = p->stats;
    double now = cl_now();
    /* the previous snapshot, and a little slack for a late wake-up */
    double window = p->bar ? RATE_WINDOW_S : p->interval * 1.5;

    memset(f, 0, sizeof *f);
    f->elapsed_s = now - s->start_time;
    if (f->elapsed_s < 0)
        f->elapsed_s = 0;
    f->rows_read = CL_STAT(s, rows_read);
    f->rows_written = CL_STAT(s, rows_written);
    f->rows_rejected = CL_STAT(s, rows_rejected);
    f->retries = CL_STAT(s, retries);
    f->reconnects = CL_STAT(s, reconnects);
    f->bytes_read = CL_STAT(s, bytes_read);
    f->input_size = CL_STAT(s, input_size);
    f->rows_per_s = f->elapsed_s > 0 ? (double)f->rows_read / f->elapsed_s : 0;
    f->mb_per_s = f->elapsed_s > 0 ? (double)f->bytes_read / 1e6 / f->elapsed_s : 0;
    f->rows_per_s_now = recent_rate(p, now, f->rows_read, window);
    push_sample(p, now, f->rows_read);

    f->eta_s = -1;
    if (f->input_size > 0) {
        double done = f->bytes_read < f->input_size ? (double)f->bytes_read
                                                    : (double)f->input_size;
        f->percent = 100.0 * done / (double)f->input_size;
        /* at the average byte rate so far: steadier than the recent one */
        if (done > 0)
            f->eta_s = f->elapsed_s * ((double)f->input_size - done) / done;
    }
}

static void
report(cl_progress *p)
{
    cl_progress_snapshot snap;

    measure(p, &snap);
    p->fn(p->arg, &snap);
}

static void *
snapshot_thread(void *arg)
{
    cl_progress *p = arg;
    double tick = p->bar ? BAR_TICK_S : p->interval;
    struct timespec ts;
    double next;

    /* Absolute deadlines, so that lines stay on the interval whatever a
     * report costs; CLOCK_REALTIME is what pthread_cond_timedwait uses. */
    clock_gettime(CLOCK_REALTIME, &ts);
    next = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
    pthread_mutex_lock(&p->lock);
    while (!p->done) {
        next += tick;
        ts.tv_sec = (time_t)next;
        ts.tv_nsec = (long)((next - (double)ts.tv_sec) * 1e9);
        while (!p->done && pthread_cond_timedwait(&p->cond, &p->lock, &ts) == 0)
            ; /* woken early (or spuriously) and not done: keep waiting */
        if (p->done)
            break;
        pthread_mutex_unlock(&p->lock);
        report(p);
        pthread_mutex_lock(&p->lock);
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

int
cl_progress_start(cl_progress **out, cl_stats *s, const cl_config *cfg)
{
    cl_progress *p;

    *out = NULL;
    if (!cfg->on_progress || cfg->progress == CL_PROGRESS_NONE)
        return 0;
    p = calloc(1, sizeof *p);
    if (!p)
        return CL_ENOMEM;
    p->stats = s;
    p->fn = cfg->on_progress;
    p->arg = cfg->progress_arg;
    p->bar = cfg->progress == CL_PROGRESS_BAR;
    p->interval = cfg->progress_interval > 0 ? cfg->progress_interval : 10.0;
    push_sample(p, s->start_time, atomic_load(&s->rows_read));
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->cond, NULL);
    if (pthread_create(&p->thread, NULL, snapshot_thread, p) != 0) {
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
    pthread_mutex_destroy(&p->lock);
    pthread_cond_destroy(&p->cond);
    free(p);
}
