/*
 * lib/src/progress.c - the reporter thread (progress.h).
 *
 * It only reads the relaxed atomic counters of cl_stats, so the load never
 * waits for it; the one lock it takes is stderr's, shared with messages.
 *
 * BAR: one line redrawn four times a second, ending without a newline and
 * padded over what the previous draw left; its width is recorded with
 * cl_log_set_bar_width() so that a message blanks it first and the bar
 * redraws below the message. The parts that do not fit the terminal are
 * dropped, least useful first, and the line never reaches the last column
 * (a terminal may wrap there, and '\r' would then not get back to the start).
 * LOG and JSON: one line every interval.
 *
 * Percent is of input bytes read (compressed bytes for gzip, what the reader
 * has consumed) against the known input size; unknown (standard input, a
 * pipe) shows no percent and no ETA - null in JSON.
 */
#include "progress.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "crdbload/crdbload.h"
#include "log.h"

#define BAR_TICK_S 0.25     /* redraws a second: four */
#define RATE_WINDOW_S 3.0   /* "rows/s now" on the bar: the last 3 seconds */
#define RING 32             /* samples kept for the window */

typedef struct sample {
    double t;
    uint64_t rows;
} sample;

struct cl_progress {
    cl_stats *stats;
    cl_progress_mode mode; /* BAR, LOG or JSON, resolved */
    double interval;       /* seconds between LOG and JSON lines */
    pthread_t thread;
    pthread_mutex_t lock; /* protects done */
    pthread_cond_t cond;
    bool done;
    sample ring[RING]; /* recent (time, rows), oldest first from head */
    int head, count;
    int bar_cells, bar_for_width; /* the bar's size, kept while it fits */
};

/* What one report shows; every figure read once. */
typedef struct figures {
    double secs;
    uint64_t rows, written, rejected, retries, reconnects, bytes, size;
    double rate, rate_now, mbs;
    bool known;       /* input size known: pct and eta are meaningful */
    double pct, eta;  /* percent 0..100, seconds left */
} figures;

#define LOAD(field) atomic_load_explicit(&s->field, memory_order_relaxed)

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
measure(cl_progress *p, figures *f)
{
    cl_stats *s = p->stats;
    double now = cl_now();
    /* the previous line's sample, and a little slack for a late wake-up */
    double window = p->mode == CL_PROGRESS_BAR ? RATE_WINDOW_S : p->interval * 1.5;

    memset(f, 0, sizeof *f);
    f->secs = now - s->start_time;
    if (f->secs < 0)
        f->secs = 0;
    f->rows = LOAD(rows_read);
    f->written = LOAD(rows_written);
    f->rejected = LOAD(rows_rejected);
    f->retries = LOAD(retries);
    f->reconnects = LOAD(reconnects);
    f->bytes = LOAD(bytes_read);
    f->size = LOAD(input_size);
    f->rate = f->secs > 0 ? (double)f->rows / f->secs : 0;
    f->mbs = f->secs > 0 ? (double)f->bytes / 1e6 / f->secs : 0;
    f->rate_now = recent_rate(p, now, f->rows, window);
    push_sample(p, now, f->rows);

    f->known = f->size > 0;
    if (f->known) {
        double done = f->bytes < f->size ? (double)f->bytes : (double)f->size;
        f->pct = 100.0 * done / (double)f->size;
        /* at the average byte rate so far: steadier than the recent one */
        f->eta = done > 0 ? f->secs * ((double)f->size - done) / done : -1;
    }
}

/* "1:05" or "2:03:04"; "--:--" for an unknown time. */
static void
format_duration(double secs, char *buf, size_t len)
{
    long s;

    if (secs < 0 || secs > 359999.0) {
        snprintf(buf, len, "--:--");
        return;
    }
    s = (long)(secs + 0.5);
    if (s >= 3600)
        snprintf(buf, len, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
    else
        snprintf(buf, len, "%ld:%02ld", s / 60, s % 60);
}

static int
term_width(void)
{
    struct winsize ws;
    const char *cols;

    if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
        return ws.ws_col;
    cols = getenv("COLUMNS");
    if (cols && atoi(cols) > 0)
        return atoi(cols);
    return 80;
}

static void
report_json(const figures *f)
{
    char pct[32] = "null", eta[32] = "null", size[32] = "null";

    /* unknown figures are null, never a sentinel number */
    if (f->known) {
        snprintf(pct, sizeof pct, "%.1f", f->pct);
        snprintf(size, sizeof size, "%llu", (unsigned long long)f->size);
        if (f->eta >= 0)
            snprintf(eta, sizeof eta, "%.0f", f->eta);
    }
    fprintf(stderr,
            "{\"elapsed_s\":%.1f,\"percent\":%s,\"rows_read\":%llu,\"rows_written\":%llu,"
            "\"rows_rejected\":%llu,\"bytes_read\":%llu,\"input_size\":%s,"
            "\"rows_per_s\":%.0f,\"rows_per_s_now\":%.0f,\"mb_per_s\":%.2f,"
            "\"retries\":%llu,\"reconnects\":%llu,\"eta_s\":%s}\n",
            f->secs, pct, (unsigned long long)f->rows, (unsigned long long)f->written,
            (unsigned long long)f->rejected, (unsigned long long)f->bytes,
            size, f->rate, f->rate_now, f->mbs, (unsigned long long)f->retries,
            (unsigned long long)f->reconnects, eta);
}

static void
report_log(const figures *f)
{
    char where[64] = "", eta[32];

    if (f->known) {
        format_duration(f->eta, eta, sizeof eta);
        snprintf(where, sizeof where, "%.1f%% of input, ", f->pct);
    }
    fprintf(stderr,
            "crdbload: progress: %.1f s, %s%llu rows, %.0f rows/s (now %.0f), %.2f MB/s, "
            "%llu retries, %llu rejected%s%s\n",
            f->secs, where, (unsigned long long)f->rows, f->rate, f->rate_now, f->mbs,
            (unsigned long long)f->retries, (unsigned long long)f->rejected,
            f->known ? ", ETA " : "", f->known ? eta : "");
}

/* One part of the bar's line; parts are dropped by ascending keep. */
#define PART 64

typedef struct part {
    char text[PART];
    int keep;
    bool on;
} part;

enum { P_PCT, P_BAR, P_ROWS, P_RATE, P_AVG, P_MBS, P_RETRIES, P_REJECTED, P_TIME, NPARTS };

static void
report_bar(cl_progress *p, const figures *f)
{
    part parts[NPARTS];
    char line[512], t[32];
    int width = term_width() - 1; /* never the last column */
    int len = 0, room, prev;

    memset(parts, 0, sizeof parts);
    /* keep: higher survives a narrow terminal longer */
    snprintf(parts[P_PCT].text, PART, "%5.1f%%", f->pct);
    parts[P_PCT].keep = 9;
    parts[P_BAR].keep = 1; /* sized below from the room left */
    snprintf(parts[P_ROWS].text, PART, "%llu rows", (unsigned long long)f->rows);
    parts[P_ROWS].keep = 8;
    snprintf(parts[P_RATE].text, PART, "%.0f rows/s", f->rate_now);
    parts[P_RATE].keep = 7;
    snprintf(parts[P_AVG].text, PART, "(avg %.0f)", f->rate);
    parts[P_AVG].keep = 2;
    snprintf(parts[P_MBS].text, PART, "%.2f MB/s", f->mbs);
    parts[P_MBS].keep = 3;
    snprintf(parts[P_RETRIES].text, PART, "%llu retries", (unsigned long long)f->retries);
    parts[P_RETRIES].keep = 4;
    snprintf(parts[P_REJECTED].text, PART, "%llu rejected", (unsigned long long)f->rejected);
    parts[P_REJECTED].keep = 5;
    if (f->known) {
        format_duration(f->eta, t, sizeof t);
        snprintf(parts[P_TIME].text, PART, "ETA %s", t);
    } else {
        format_duration(f->secs, t, sizeof t);
        snprintf(parts[P_TIME].text, PART, "%s elapsed", t);
    }
    parts[P_TIME].keep = 6;

    for (int i = 0; i < NPARTS; i++) {
        parts[i].on = i != P_BAR && (f->known || i != P_PCT);
        if (parts[i].on)
            len += (int)strlen(parts[i].text) + 1;
    }
    /* drop the least useful parts until the line fits */
    while (len - 1 > width) {
        int drop = -1;
        for (int i = 0; i < NPARTS; i++)
            if (parts[i].on && (drop < 0 || parts[i].keep < parts[drop].keep))
                drop = i;
        if (drop < 0 || parts[drop].keep >= 9)
            break; /* the percent (or rows) alone: cut below */
        parts[drop].on = false;
        len -= (int)strlen(parts[drop].text) + 1;
    }
    /* the bar itself takes what room is left, 10 to 30 columns inside [] */
    room = width - len - 3;
    if (f->known && room >= 10) {
        /* the same size from draw to draw, unless the text outgrows it */
        if (p->bar_for_width != width || room < p->bar_cells)
            p->bar_cells = room < 30 ? room : 30;
        p->bar_for_width = width;
        int cells = p->bar_cells;
        int filled = (int)(f->pct / 100.0 * cells);
        parts[P_BAR].text[0] = '[';
        for (int c = 0; c < cells; c++)
            parts[P_BAR].text[1 + c] = c < filled ? '=' : c == filled ? '>' : ' ';
        parts[P_BAR].text[1 + cells] = ']';
        parts[P_BAR].text[2 + cells] = '\0';
        parts[P_BAR].on = true;
    }

    len = 0;
    line[0] = '\0';
    for (int i = 0; i < NPARTS; i++) {
        if (!parts[i].on)
            continue;
        len += snprintf(line + len, sizeof line - (size_t)len, "%s%s", len ? " " : "",
                        parts[i].text);
        if (len >= (int)sizeof line)
            len = (int)sizeof line - 1;
    }
    if (len > width)
        len = width > 0 ? width : 0;

    flockfile(stderr);
    prev = cl_log_bar_width();
    fprintf(stderr, "\r%.*s%*s", len, line, prev > len ? prev - len : 0, "");
    /* the padding is blank: only the text needs clearing later */
    cl_log_set_bar_width(len > 0 ? len : 0);
    fflush(stderr);
    funlockfile(stderr);
}

static void
report(cl_progress *p)
{
    figures f;

    measure(p, &f);
    switch (p->mode) {
    case CL_PROGRESS_JSON:
        report_json(&f);
        break;
    case CL_PROGRESS_LOG:
        report_log(&f);
        break;
    default:
        report_bar(p, &f);
        return; /* flushed under the lock */
    }
    fflush(stderr);
}

/* Blank the bar's line and leave the cursor at its start. */
static void
clear_bar(void)
{
    int w;

    flockfile(stderr);
    w = cl_log_bar_width();
    if (w > 0)
        fprintf(stderr, "\r%*s\r", w, "");
    cl_log_set_bar_width(0);
    fflush(stderr);
    funlockfile(stderr);
}

static void *
run(void *arg)
{
    cl_progress *p = arg;
    double tick = p->mode == CL_PROGRESS_BAR ? BAR_TICK_S : p->interval;
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
    push_sample(p, s->start_time, atomic_load(&s->rows_read));
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
        clear_bar(); /* the summary follows on a clean line */
    pthread_mutex_destroy(&p->lock);
    pthread_cond_destroy(&p->cond);
    free(p);
}
