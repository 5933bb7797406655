/*
 * lib/src/stats.c - the run's counters, latency histogram, the final
 * summary and the --summary-json object.
 *
 * Latencies go into a log-spaced histogram (4 buckets an octave of
 * microseconds), so recording is one relaxed atomic add and percentiles are
 * within about 10% of the exact value; the maximum is kept exactly.
 */
#include "crdbload/crdbload.h"
#include "stats.h"

#include <math.h>
#include <string.h>
#include <time.h>

#define BUCKETS_PER_OCTAVE 4

void
cl_stats_init(cl_stats *s)
{
    /* All-zero bytes are a valid state of these lock-free atomics. */
    memset(s, 0, sizeof *s);
    s->start_time = cl_now();
}

double
cl_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t
pack_sqlstate(const char *sqlstate)
{
    uint64_t code = 0;
    for (int i = 0; i < 5 && sqlstate && sqlstate[i]; i++)
        code = (code << 8) | (unsigned char)sqlstate[i];
    return code ? code : 1; /* 1: "no SQLSTATE" (connection lost) */
}

static void
unpack_sqlstate(uint64_t code, char out[6])
{
    int n = 0;
    char tmp[5];
    if (code == 1) {
        strcpy(out, "none");
        return;
    }
    while (code && n < 5) {
        tmp[n++] = (char)(code & 0xff);
        code >>= 8;
    }
    for (int i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    out[n] = '\0';
}

void
cl_stats_add_retry(cl_stats *s, const char *sqlstate)
{
    uint64_t code = pack_sqlstate(sqlstate);

    atomic_fetch_add_explicit(&s->retries, 1, memory_order_relaxed);
    for (int i = 0; i < CL_STATS_MAX_SQLSTATES; i++) {
        uint64_t cur = atomic_load(&s->by_sqlstate[i].code);
        if (cur == 0) {
            uint64_t expected = 0;
            if (atomic_compare_exchange_strong(&s->by_sqlstate[i].code, &expected,
                                               code))
                cur = code;
            else
                cur = expected; /* another thread claimed the entry first */
        }
        if (cur == code) {
            atomic_fetch_add_explicit(&s->by_sqlstate[i].count, 1,
                                      memory_order_relaxed);
            return;
        }
    }
    /* XXX: more than CL_STATS_MAX_SQLSTATES distinct codes: counted in the
     * total only. */
}

void
cl_stats_add_latency(cl_stats *s, double seconds)
{
    double us = seconds * 1e6;
    int b = us < 1.0 ? 0 : (int)(log2(us) * BUCKETS_PER_OCTAVE);
    uint64_t us_int = us < 0 ? 0 : (uint64_t)us;
    uint64_t cur;

    if (b >= CL_LATENCY_BUCKETS)
        b = CL_LATENCY_BUCKETS - 1;
    atomic_fetch_add_explicit(&s->latency[b], 1, memory_order_relaxed);
    cur = atomic_load_explicit(&s->latency_max_us, memory_order_relaxed);
    while (us_int > cur &&
           !atomic_compare_exchange_weak(&s->latency_max_us, &cur, us_int))
        ;
}

double
cl_stats_latency_ms(const cl_stats *s, double pct)
{
    uint64_t total = 0, seen = 0, target;
    cl_stats *m = (cl_stats *)s; /* atomic loads need a non-const object */

    for (int i = 0; i < CL_LATENCY_BUCKETS; i++)
        total += atomic_load_explicit(&m->latency[i], memory_order_relaxed);
    if (total == 0)
        return 0.0;
    target = (uint64_t)ceil(pct / 100.0 * (double)total);
    if (target == 0)
        target = 1;
    for (int i = 0; i < CL_LATENCY_BUCKETS; i++) {
        seen += atomic_load_explicit(&m->latency[i], memory_order_relaxed);
        if (seen >= target) {
            /* the bucket's geometric middle, capped by the exact maximum */
            double us = pow(2.0, (i + 0.5) / BUCKETS_PER_OCTAVE);
            double max_us = (double)atomic_load(&m->latency_max_us);
            return (us < max_us ? us : max_us) / 1000.0;
        }
    }
    return (double)atomic_load(&m->latency_max_us) / 1000.0;
}

const char *
cl_dialect_name(cl_dialect d)
{
    switch (d) {
    case CL_DIALECT_POSTGRES:
        return "postgres";
    case CL_DIALECT_COCKROACH:
        return "cockroach";
    case CL_DIALECT_AUTO:
        break;
    }
    return "unknown";
}

const char *
cl_stmt_form_name(cl_stmt_form f)
{
    switch (f) {
    case CL_FORM_VALUES:
        return "values";
    case CL_FORM_UNNEST:
        return "unnest";
    case CL_FORM_AUTO:
        break;
    }
    return "auto";
}

static const char *
status_name(cl_run_status st)
{
    switch (st) {
    case CL_STATUS_OK:
        return "ok";
    case CL_STATUS_REJECTS:
        return "rejects";
    case CL_STATUS_ABORTED:
        break;
    }
    return "aborted";
}

/* What the status means, for the human summary. */
static const char *
status_words(cl_run_status st)
{
    switch (st) {
    case CL_STATUS_OK:
        return "every row read was written, unchanged or merged";
    case CL_STATUS_REJECTS:
        return "finished, some rows were rejected";
    case CL_STATUS_ABORTED:
        break;
    }
    return "stopped early; the counts are of what was committed";
}

#define ULL(field) ((unsigned long long)CL_STAT(s, field))

static double
elapsed(const cl_stats *s)
{
    double end = s->end_time > 0 ? s->end_time : cl_now();
    double e = end - s->start_time;
    return e > 0 ? e : 0;
}

typedef cl_stats_derived derived;

void
cl_stats_derive(cl_stats *s, cl_stats_derived *d)
{
    d->secs = elapsed(s);
    d->rows_per_s = d->secs > 0 ? (double)CL_STAT(s, rows_read) / d->secs : 0;
    d->mb_per_s = d->secs > 0 ? (double)CL_STAT(s, bytes_read) / 1e6 / d->secs : 0;
    d->p50 = cl_stats_latency_ms(s, 50);
    d->p99 = cl_stats_latency_ms(s, 99);
    d->max = (double)CL_STAT(s, latency_max_us) / 1000.0;
}

bool
cl_stats_retry_sqlstate(cl_stats *s, int i, char sqlstate[6], uint64_t *count)
{
    uint64_t code;

    if (i < 0 || i >= CL_STATS_MAX_SQLSTATES)
        return false;
    code = atomic_load(&s->by_sqlstate[i].code);
    if (code == 0) /* entries are claimed in order: the first free one ends the list */
        return false;
    unpack_sqlstate(code, sqlstate);
    *count = CL_STAT(s, by_sqlstate[i].count);
    return true;
}

/* "40001 3, 08006 1": the retries by SQLSTATE, in the order first seen. */
static void
format_by_sqlstate(cl_stats *s, char *buf, size_t len, const char *fmt, const char *sep)
{
    size_t off = 0;
    uint64_t count;
    char name[6];

    buf[0] = '\0';
    for (int i = 0; cl_stats_retry_sqlstate(s, i, name, &count); i++) {
        int n = snprintf(buf + off, len - off, "%s", off ? sep : "");
        if (n < 0 || (size_t)n >= len - off)
            break;
        off += (size_t)n;
        n = snprintf(buf + off, len - off, fmt, name, (unsigned long long)count);
        if (n < 0 || (size_t)n >= len - off) {
            buf[off] = '\0';
            break;
        }
        off += (size_t)n;
    }
}

void
cl_stats_print_summary(cl_stats *s, FILE *f)
{
    derived d;
    char by[512], retries[600], skipped[256] = "";

    cl_stats_derive(s, &d);
    format_by_sqlstate(s, by, sizeof by, "%s %llu", ", ");
    if (by[0])
        snprintf(retries, sizeof retries, "%llu (%s)", ULL(retries), by);
    else
        snprintf(retries, sizeof retries, "%llu", ULL(retries));
    if (CL_STAT(s, batches_retried_40003) > 0) {
        size_t n = strlen(retries);
        snprintf(retries + n, sizeof retries - n, "; %llu batches re-sent after 40003",
                 ULL(batches_retried_40003));
    }
    if (CL_STAT(s, rows_skipped) > 0)
        snprintf(skipped, sizeof skipped,
                 "  rows skipped:      %llu (committed earlier)\n", ULL(rows_skipped));
    if (CL_STAT(s, rows_in_doubt) > 0) {
        size_t n = strlen(skipped);
        snprintf(
            skipped + n, sizeof skipped - n,
            "  rows in doubt:     %llu (sent, outcome unknown; a rerun settles them)\n",
            ULL(rows_in_doubt));
    }
    if (s->missing != CL_MISSING_KEEP) {
        size_t n = strlen(skipped);
        snprintf(skipped + n, sizeof skipped - n,
                 "  rows missing:      %llu (absent from the feed, %s%s)\n",
                 ULL(rows_missing), s->dry_run ? "would be " : "",
                 s->missing == CL_MISSING_DELETE ? "deleted" : "updated");
    }

    /* one fprintf: the lines stay together among other threads' messages */
    fprintf(f,
            "crdbload: summary%s: %s (%s)\n"
            "  files:             %d\n"
            "  rows read:         %llu\n"
            "  rows written:      %llu\n"
            "  rows unchanged:    %llu\n"
            "  rows rejected:     %llu\n"
            "  duplicates merged: %llu\n"
            "%s"
            "  batches:           %llu\n"
            "  retries:           %s\n"
            "  reconnects:        %llu\n"
            "  bytes read:        %llu (%.2f MB)\n"
            "  elapsed:           %.2f s\n"
            "  throughput:        %.0f rows/s, %.2f MB/s\n"
            "  batch latency:     p50 %.1f ms, p99 %.1f ms, max %.1f ms\n"
            "  dialect %s, statement form %s, workers %d, batch size %d\n",
            s->dry_run ? " (dry run, nothing written)" : "", status_name(s->status),
            status_words(s->status), s->files, ULL(rows_read), ULL(rows_written),
            ULL(rows_unchanged), ULL(rows_rejected), ULL(duplicates_merged), skipped,
            ULL(batches), retries, ULL(reconnects), ULL(bytes_read),
            (double)CL_STAT(s, bytes_read) / 1e6, d.secs, d.rows_per_s, d.mb_per_s,
            d.p50, d.p99, d.max, cl_dialect_name(s->dialect),
            cl_stmt_form_name(s->form), s->workers, s->batch_size);
}

int
cl_stats_write_json(cl_stats *s, FILE *f)
{
    derived d;
    char by[1024], dialect[32] = "null", form[32] = "null";

    cl_stats_derive(s, &d);
    /* SQLSTATEs are [0-9A-Z] (or "none"): nothing to escape */
    format_by_sqlstate(s, by, sizeof by, "\"%s\":%llu", ",");
    if (s->dialect != CL_DIALECT_AUTO) /* unknown until connected: null */
        snprintf(dialect, sizeof dialect, "\"%s\"", cl_dialect_name(s->dialect));
    if (s->form != CL_FORM_AUTO) /* resolved with the plan */
        snprintf(form, sizeof form, "\"%s\"", cl_stmt_form_name(s->form));
    fprintf(f,
            "{\"status\":\"%s\",\"files\":%d,\"rows_read\":%llu,\"rows_written\":%llu,"
            "\"rows_unchanged\":%llu,\"rows_rejected\":%llu,\"duplicates_merged\":%llu,"
            "\"rows_skipped\":%llu,\"rows_in_doubt\":%llu,\"batches\":%llu,\"retries\":"
            "%llu,"
            "\"retries_by_sqlstate\":{%s},\"batches_retried_40003\":%llu,"
            "\"reconnects\":%llu,\"bytes_read\":%llu,\"elapsed_s\":%.3f,"
            "\"rows_per_s\":%.1f,\"mb_per_s\":%.3f,"
            "\"batch_latency_ms\":{\"p50\":%.3f,\"p99\":%.3f,\"max\":%.3f},"
            "\"dialect\":%s,\"statement_form\":%s,\"workers\":%d,\"batch_size\":%d,"
            "\"dry_run\":%s,\"rows_missing\":%llu}\n",
            status_name(s->status), s->files, ULL(rows_read), ULL(rows_written),
            ULL(rows_unchanged), ULL(rows_rejected), ULL(duplicates_merged),
            ULL(rows_skipped), ULL(rows_in_doubt), ULL(batches), ULL(retries), by,
            ULL(batches_retried_40003), ULL(reconnects), ULL(bytes_read), d.secs,
            d.rows_per_s, d.mb_per_s, d.p50, d.p99, d.max, dialect, form, s->workers,
            s->batch_size, s->dry_run ? "true" : "false", ULL(rows_missing));
    return (fflush(f) == 0 && !ferror(f)) ? 0 : CL_EIO;
}
