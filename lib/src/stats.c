/*
 * lib/src/stats.c - the run's counters, latency histogram, the final
 * summary and the --summary-json object.
 *
 * Latencies go into a log-spaced histogram (4 buckets an octave of
 * microseconds), so recording is one relaxed atomic add and percentiles are
 * within about 10% of the exact value; the maximum is kept exactly.
 */
#include "crdbload/stats.h"

#include <math.h>
#include <string.h>
#include <time.h>

#include "crdbload/error.h"

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
            if (atomic_compare_exchange_strong(&s->by_sqlstate[i].code, &expected, code))
                cur = code;
            else
                cur = expected; /* another thread claimed the slot first */
        }
        if (cur == code) {
            atomic_fetch_add_explicit(&s->by_sqlstate[i].count, 1, memory_order_relaxed);
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

#define LOAD(field) atomic_load_explicit(&s->field, memory_order_relaxed)

static double
elapsed(const cl_stats *s)
{
    double end = s->end_time > 0 ? s->end_time : cl_now();
    double e = end - s->start_time;
    return e > 0 ? e : 0;
}

void
cl_stats_print_summary(cl_stats *s, FILE *f)
{
    double secs = elapsed(s);
    double rate = secs > 0 ? (double)LOAD(rows_read) / secs : 0;
    double mbs = secs > 0 ? (double)LOAD(bytes_read) / 1e6 / secs : 0;
    char retries[512] = "";
    size_t off = 0;

    for (int i = 0; i < CL_STATS_MAX_SQLSTATES; i++) {
        uint64_t code = atomic_load(&s->by_sqlstate[i].code);
        char name[6];
        int n;
        if (code == 0)
            break;
        unpack_sqlstate(code, name);
        n = snprintf(retries + off, sizeof retries - off, "%s%s %llu", off ? ", " : " (",
                     name, (unsigned long long)LOAD(by_sqlstate[i].count));
        if (n < 0 || (size_t)n >= sizeof retries - off)
            break;
        off += (size_t)n;
    }
    if (off && off + 2 < sizeof retries)
        strcat(retries, ")");

    fprintf(f,
            "crdbload: summary%s: %s\n"
            "  files:             %d\n"
            "  rows read:         %llu\n"
            "  rows written:      %llu\n"
            "  rows unchanged:    %llu\n"
            "  rows rejected:     %llu\n"
            "  duplicates merged: %llu\n"
            "  rows skipped:      %llu (committed by an earlier run)\n"
            "  batches:           %llu, retries %llu%s, 40003 re-sent %llu, reconnects %llu\n"
            "  bytes read:        %llu\n"
            "  elapsed:           %.2f s\n"
            "  throughput:        %.0f rows/s, %.2f MB/s\n"
            "  batch latency:     p50 %.1f ms, p99 %.1f ms, max %.1f ms\n"
            "  dialect %s, workers %d, batch size %d\n",
            s->dry_run ? " (dry run, nothing written)" : "", status_name(s->status),
            s->files, (unsigned long long)LOAD(rows_read),
            (unsigned long long)LOAD(rows_written), (unsigned long long)LOAD(rows_unchanged),
            (unsigned long long)LOAD(rows_rejected),
            (unsigned long long)LOAD(duplicates_merged),
            (unsigned long long)LOAD(rows_skipped), (unsigned long long)LOAD(batches),
            (unsigned long long)LOAD(retries), retries,
            (unsigned long long)LOAD(batches_retried_40003),
            (unsigned long long)LOAD(reconnects), (unsigned long long)LOAD(bytes_read),
            secs, rate, mbs, cl_stats_latency_ms(s, 50), cl_stats_latency_ms(s, 99),
            (double)LOAD(latency_max_us) / 1000.0, cl_dialect_name(s->dialect), s->workers,
            s->batch_size);
}

int
cl_stats_write_json(cl_stats *s, FILE *f)
{
    double secs = elapsed(s);
    int first = 1;

    fprintf(f,
            "{\"status\":\"%s\",\"files\":%d,\"rows_read\":%llu,\"rows_written\":%llu,"
            "\"rows_unchanged\":%llu,\"rows_rejected\":%llu,\"duplicates_merged\":%llu,"
            "\"rows_skipped\":%llu,\"batches\":%llu,\"retries\":%llu,"
            "\"retries_by_sqlstate\":{",
            status_name(s->status), s->files, (unsigned long long)LOAD(rows_read),
            (unsigned long long)LOAD(rows_written), (unsigned long long)LOAD(rows_unchanged),
            (unsigned long long)LOAD(rows_rejected),
            (unsigned long long)LOAD(duplicates_merged),
            (unsigned long long)LOAD(rows_skipped), (unsigned long long)LOAD(batches),
            (unsigned long long)LOAD(retries));
    for (int i = 0; i < CL_STATS_MAX_SQLSTATES; i++) {
        uint64_t code = atomic_load(&s->by_sqlstate[i].code);
        char name[6];
        if (code == 0)
            break;
        unpack_sqlstate(code, name);
        fprintf(f, "%s\"%s\":%llu", first ? "" : ",", name,
                (unsigned long long)LOAD(by_sqlstate[i].count));
        first = 0;
    }
    fprintf(f,
            "},\"batches_retried_40003\":%llu,\"reconnects\":%llu,\"bytes_read\":%llu,"
            "\"elapsed_s\":%.3f,\"rows_per_s\":%.1f,\"mb_per_s\":%.3f,"
            "\"batch_latency_ms\":{\"p50\":%.3f,\"p99\":%.3f,\"max\":%.3f},"
            "\"dialect\":\"%s\",\"workers\":%d,\"batch_size\":%d,\"dry_run\":%s}\n",
            (unsigned long long)LOAD(batches_retried_40003),
            (unsigned long long)LOAD(reconnects), (unsigned long long)LOAD(bytes_read), secs,
            secs > 0 ? (double)LOAD(rows_read) / secs : 0,
            secs > 0 ? (double)LOAD(bytes_read) / 1e6 / secs : 0,
            cl_stats_latency_ms(s, 50), cl_stats_latency_ms(s, 99),
            (double)LOAD(latency_max_us) / 1000.0, cl_dialect_name(s->dialect), s->workers,
            s->batch_size, s->dry_run ? "true" : "false");
    return (fflush(f) == 0 && !ferror(f)) ? 0 : CL_EIO;
}
