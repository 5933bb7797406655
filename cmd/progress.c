/*
 * cmd/progress.c - progress on stderr (progress.h), drawn from the
 * library's snapshots (crdbload.h, "Progress").
 *
 * BAR: one line redrawn four times a second, ending without a newline and
 * padded over what the previous draw left; its width is kept so that a
 * message blanks it first (message.c) and the bar redraws below the
 * message. The parts that do not fit the terminal are dropped, least
 * useful first, and the line never reaches the last column (a terminal may
 * wrap there, and '\r' would then not get back to the start). LOG and JSON:
 * one line a snapshot. An unknown input size (standard input, a pipe) shows
 * no percent and no ETA - null in JSON.
 */
#include "progress.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

/* The input size is known: percent and ETA mean something. */
#define KNOWN(f) ((f)->input_size > 0)

static cl_progress_mode mode; /* BAR, LOG or JSON, resolved */
/* Columns the bar leaves drawn on stderr's current line (0: none); read and
 * written with stderr locked, atomic only so that a racy read is still
 * defined. */
static atomic_int bar_width;
static int bar_cells, bar_for_width; /* the bar's size, kept while it fits */

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
report_json(const cl_progress_snapshot *f)
{
    char pct[32] = "null", eta[32] = "null", size[32] = "null";

    /* unknown figures are null, never a sentinel number */
    if (KNOWN(f)) {
        snprintf(pct, sizeof pct, "%.1f", f->percent);
        snprintf(size, sizeof size, "%llu", (unsigned long long)f->input_size);
        if (f->eta_s >= 0)
            snprintf(eta, sizeof eta, "%.0f", f->eta_s);
    }
    fprintf(
        stderr,
        "{\"elapsed_s\":%.1f,\"percent\":%s,\"rows_read\":%llu,\"rows_written\":%llu,"
        "\"rows_rejected\":%llu,\"bytes_read\":%llu,\"input_size\":%s,"
        "\"rows_per_s\":%.0f,\"rows_per_s_now\":%.0f,\"mb_per_s\":%.2f,"
        "\"retries\":%llu,\"reconnects\":%llu,\"eta_s\":%s}\n",
        f->elapsed_s, pct, (unsigned long long)f->rows_read,
        (unsigned long long)f->rows_written, (unsigned long long)f->rows_rejected,
        (unsigned long long)f->bytes_read, size, f->rows_per_s, f->rows_per_s_now,
        f->mb_per_s, (unsigned long long)f->retries, (unsigned long long)f->reconnects,
        eta);
}

static void
report_log(const cl_progress_snapshot *f)
{
    char where[64] = "", eta[32];

    if (KNOWN(f)) {
        format_duration(f->eta_s, eta, sizeof eta);
        snprintf(where, sizeof where, "%.1f%% of input, ", f->percent);
    }
    fprintf(
        stderr,
        "crdbload: progress: %.1f s, %s%llu rows, %.0f rows/s (now %.0f), %.2f MB/s, "
        "%llu retries, %llu rejected%s%s\n",
        f->elapsed_s, where, (unsigned long long)f->rows_read, f->rows_per_s,
        f->rows_per_s_now, f->mb_per_s, (unsigned long long)f->retries,
        (unsigned long long)f->rows_rejected, KNOWN(f) ? ", ETA " : "",
        KNOWN(f) ? eta : "");
}

/* One part of the bar's line; parts are dropped by ascending keep. */
#define PART 64

typedef struct part {
    char text[PART];
    int keep;
    bool on;
} part;

enum {
    P_PCT,
    P_BAR,
    P_ROWS,
    P_RATE,
    P_AVG,
    P_MBS,
    P_RETRIES,
    P_REJECTED,
    P_TIME,
    NPARTS
};

static void
report_bar(const cl_progress_snapshot *f)
{
    part parts[NPARTS];
    char line[512], t[32];
    int width = term_width() - 1; /* never the last column */
    int len = 0, room, prev;

    memset(parts, 0, sizeof parts);
    /* keep: higher survives a narrow terminal longer */
    snprintf(parts[P_PCT].text, PART, "%5.1f%%", f->percent);
    parts[P_PCT].keep = 9;
    parts[P_BAR].keep = 1; /* sized below from the room left */
    snprintf(parts[P_ROWS].text, PART, "%llu rows", (unsigned long long)f->rows_read);
    parts[P_ROWS].keep = 8;
    snprintf(parts[P_RATE].text, PART, "%.0f rows/s", f->rows_per_s_now);
    parts[P_RATE].keep = 7;
    snprintf(parts[P_AVG].text, PART, "(avg %.0f)", f->rows_per_s);
    parts[P_AVG].keep = 2;
    snprintf(parts[P_MBS].text, PART, "%.2f MB/s", f->mb_per_s);
    parts[P_MBS].keep = 3;
    snprintf(parts[P_RETRIES].text, PART, "%llu retries",
             (unsigned long long)f->retries);
    parts[P_RETRIES].keep = 4;
    snprintf(parts[P_REJECTED].text, PART, "%llu rejected",
             (unsigned long long)f->rows_rejected);
    parts[P_REJECTED].keep = 5;
    if (KNOWN(f)) {
        format_duration(f->eta_s, t, sizeof t);
        snprintf(parts[P_TIME].text, PART, "ETA %s", t);
    } else {
        format_duration(f->elapsed_s, t, sizeof t);
        snprintf(parts[P_TIME].text, PART, "%s elapsed", t);
    }
    parts[P_TIME].keep = 6;

    for (int i = 0; i < NPARTS; i++) {
        parts[i].on = i != P_BAR && (KNOWN(f) || i != P_PCT);
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
    if (KNOWN(f) && room >= 10) {
        /* the same size from draw to draw, unless the text outgrows it */
        if (bar_for_width != width || room < bar_cells)
            bar_cells = room < 30 ? room : 30;
        bar_for_width = width;
        int cells = bar_cells;
        int filled = (int)(f->percent / 100.0 * cells);
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
    prev = atomic_load_explicit(&bar_width, memory_order_relaxed);
    fprintf(stderr, "\r%.*s%*s", len, line, prev > len ? prev - len : 0, "");
    /* the padding is blank: only the text needs clearing later */
    atomic_store_explicit(&bar_width, len > 0 ? len : 0, memory_order_relaxed);
    fflush(stderr);
    funlockfile(stderr);
}

static void
print_progress(void *arg, const cl_progress_snapshot *snap)
{
    (void)arg;
    switch (mode) {
    case CL_PROGRESS_JSON:
        report_json(snap);
        break;
    case CL_PROGRESS_LOG:
        report_log(snap);
        break;
    default:
        report_bar(snap);
        return; /* flushed under the lock */
    }
    fflush(stderr);
}

void
progress_setup(cl_config *cfg)
{
    if (cfg->quiet || cfg->progress == CL_PROGRESS_NONE)
        return;
    if (cfg->progress == CL_PROGRESS_AUTO)
        cfg->progress = isatty(STDERR_FILENO) ? CL_PROGRESS_BAR : CL_PROGRESS_LOG;
    mode = cfg->progress;
    cfg->on_progress = print_progress;
}

void
progress_blank_locked(void)
{
    int w = atomic_load_explicit(&bar_width, memory_order_relaxed);

    if (w > 0)
        fprintf(stderr, "\r%*s\r", w, "");
    atomic_store_explicit(&bar_width, 0, memory_order_relaxed);
}

void
progress_clear(void)
{
    flockfile(stderr);
    progress_blank_locked();
    fflush(stderr);
    funlockfile(stderr);
}
