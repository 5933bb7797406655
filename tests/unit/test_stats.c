/*
 * tests/unit/test_stats.c - the summary and --summary-json of lib/src/stats.c
 * from counters set by hand: every SPEC.md key, retries by SQLSTATE as a JSON
 * object, null for an unknown dialect, the latency percentiles. No server.
 */
#include "crdbload/crdbload.h"
#include "stats.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

/* What f() prints into s, as a string (free it). */
static char *
capture_json(cl_stats *s, int *rc)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);

    if (!f)
        return NULL;
    *rc = cl_stats_write_json(s, f);
    fclose(f);
    return buf;
}

static char *
capture_summary(cl_stats *s)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);

    if (!f)
        return NULL;
    cl_stats_print_summary(s, f);
    fclose(f);
    return buf;
}

static void
test_json_keys(void)
{
    static const char *const keys[] = {
        "\"status\":",
        "\"files\":",
        "\"rows_read\":",
        "\"rows_written\":",
        "\"rows_unchanged\":",
        "\"rows_rejected\":",
        "\"duplicates_merged\":",
        "\"rows_skipped\":",
        "\"batches\":",
        "\"retries\":",
        "\"retries_by_sqlstate\":{",
        "\"reconnects\":",
        "\"bytes_read\":",
        "\"elapsed_s\":",
        "\"rows_per_s\":",
        "\"mb_per_s\":",
        "\"batch_latency_ms\":{\"p50\":",
        "\"p99\":",
        "\"max\":",
        "\"dialect\":",
        "\"statement_form\":",
        "\"workers\":",
        "\"batch_size\":",
    };
    cl_stats s;
    char *json;
    int rc = -1;

    cl_stats_init(&s);
    s.end_time = s.start_time + 2.0;
    atomic_store(&s.rows_read, 1000);
    atomic_store(&s.rows_written, 990);
    atomic_store(&s.rows_rejected, 10);
    atomic_store(&s.bytes_read, 4000000);
    s.files = 1;
    s.workers = 4;
    s.batch_size = 500;
    s.status = CL_STATUS_REJECTS;
    json = capture_json(&s, &rc);
    CHECK_EQ_INT(rc, 0);
    CHECK(json && json[0] == '{' && strcmp(json + strlen(json) - 2, "}\n") == 0);
    CHECK(json && strchr(json, '\n') == json + strlen(json) - 1); /* one line */
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        CHECK_CONTAINS(json, keys[i]);
    CHECK_CONTAINS(json, "\"status\":\"rejects\"");
    CHECK_CONTAINS(json, "\"retries_by_sqlstate\":{}");
    CHECK_CONTAINS(json, "\"rows_per_s\":500.0");
    CHECK_CONTAINS(json, "\"mb_per_s\":2.000");
    /* not connected yet: the dialect is unknown, which JSON says with null */
    CHECK_CONTAINS(json, "\"dialect\":null");
    CHECK_CONTAINS(json, "\"statement_form\":null"); /* resolved with the plan */
    free(json);

    s.dialect = CL_DIALECT_COCKROACH;
    s.form = CL_FORM_UNNEST;
    json = capture_json(&s, &rc);
    CHECK_CONTAINS(json, "\"dialect\":\"cockroach\",\"statement_form\":\"unnest\"");
    free(json);
}

static void
test_retries_by_sqlstate(void)
{
    cl_stats s;
    char *json, *text;
    int rc = -1;

    cl_stats_init(&s);
    s.end_time = s.start_time + 1.0;
    cl_stats_add_retry(&s, "40001");
    cl_stats_add_retry(&s, "08006");
    cl_stats_add_retry(&s, "40001");
    cl_stats_add_retry(&s, NULL); /* no SQLSTATE at all */
    CHECK_EQ_INT(atomic_load(&s.retries), 4);
    json = capture_json(&s, &rc);
    CHECK_CONTAINS(json, "\"retries\":4,");
    CHECK_CONTAINS(json,
                   "\"retries_by_sqlstate\":{\"40001\":2,\"08006\":1,\"none\":1}");
    free(json);
    text = capture_summary(&s);
    CHECK_CONTAINS(text, "  retries:           4 (40001 2, 08006 1, none 1)\n");
    free(text);
}

/* cl_stats_retry_sqlstate(): the list --metrics-file walks, in the order
 * first seen, ending at the first free slot. */
static void
test_retry_sqlstate_list(void)
{
    static const char *const want[] = {"57P01", "40001", "none"};
    static const uint64_t counts[] = {1, 2, 1};
    cl_stats s;
    char name[6];
    uint64_t count = 0;
    int i;

    cl_stats_init(&s);
    CHECK(!cl_stats_retry_sqlstate(&s, 0, name, &count)); /* no retries: empty */
    cl_stats_add_retry(&s, "57P01");
    cl_stats_add_retry(&s, "40001");
    cl_stats_add_retry(&s, NULL);
    cl_stats_add_retry(&s, "40001");
    for (i = 0; cl_stats_retry_sqlstate(&s, i, name, &count); i++) {
        if (i >= 3)
            break;
        CHECK_EQ_STR(name, want[i]);
        CHECK_EQ_INT(count, counts[i]);
    }
    CHECK_EQ_INT(i, 3);
    CHECK(!cl_stats_retry_sqlstate(&s, -1, name, &count));
    CHECK(!cl_stats_retry_sqlstate(&s, CL_STATS_MAX_SQLSTATES, name, &count));
}

/* cl_stats_derive(): the figures the summary, the JSON and the metrics share. */
static void
test_derive(void)
{
    cl_stats s;
    cl_stats_derived d;

    cl_stats_init(&s);
    s.end_time = s.start_time + 2.0;
    atomic_store(&s.rows_read, 1000);
    atomic_store(&s.bytes_read, 4000000);
    cl_stats_add_latency(&s, 0.250);
    cl_stats_derive(&s, &d);
    CHECK(d.secs > 1.999 && d.secs < 2.001);
    CHECK(d.rows_per_s > 499.9 && d.rows_per_s < 500.1);
    CHECK(d.mb_per_s > 1.999 && d.mb_per_s < 2.001);
    CHECK(d.max > 249.9 && d.max < 250.1);
    CHECK(d.p50 > 0 && d.p50 <= d.max && d.p99 <= d.max);

    cl_stats_init(&s); /* nothing read: rates 0, not NaN */
    s.end_time = s.start_time;
    cl_stats_derive(&s, &d);
    CHECK(d.secs == 0 && d.rows_per_s == 0 && d.mb_per_s == 0 && d.max == 0);
}

static void
test_summary_text(void)
{
    static const char *const lines[] = {
        "crdbload: summary: ok (",
        "  files:             2\n",
        "  rows read:         7\n",
        "  rows written:      3\n",
        "  rows unchanged:    2\n",
        "  rows rejected:     0\n",
        "  duplicates merged: 2\n",
        "  batches:           1\n",
        "  retries:           0\n",
        "  reconnects:        0\n",
        "  bytes read:        2500000 (2.50 MB)\n",
        "  elapsed:           0.50 s\n",
        "  throughput:        14 rows/s, 5.00 MB/s\n",
        "  batch latency:     p50 ",
        "  dialect postgres, statement form values, workers 2, batch size 10\n",
    };
    cl_stats s;
    char *text;

    cl_stats_init(&s);
    s.end_time = s.start_time + 0.5;
    atomic_store(&s.rows_read, 7);
    atomic_store(&s.rows_written, 3);
    atomic_store(&s.rows_unchanged, 2);
    atomic_store(&s.duplicates_merged, 2);
    atomic_store(&s.batches, 1);
    atomic_store(&s.bytes_read, 2500000);
    s.files = 2;
    s.workers = 2;
    s.batch_size = 10;
    s.dialect = CL_DIALECT_POSTGRES;
    s.form = CL_FORM_VALUES;
    text = capture_summary(&s);
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++)
        CHECK_CONTAINS(text, lines[i]);
    /* shown only when a checkpoint made the run skip rows */
    CHECK(text && !strstr(text, "rows skipped"));
    free(text);

    atomic_store(&s.rows_skipped, 5);
    s.status = CL_STATUS_ABORTED;
    text = capture_summary(&s);
    CHECK_CONTAINS(text, "crdbload: summary: aborted (");
    CHECK_CONTAINS(text, "  rows skipped:      5 (committed earlier)\n");
    free(text);
}

static void
test_latency(void)
{
    cl_stats s;
    double p50, p99;

    cl_stats_init(&s);
    CHECK(cl_stats_latency_ms(&s, 50) == 0.0); /* no batch: 0, not NaN */
    for (int i = 0; i < 98; i++)
        cl_stats_add_latency(&s, 0.010);
    cl_stats_add_latency(&s, 0.200);
    cl_stats_add_latency(&s, 1.000);
    p50 = cl_stats_latency_ms(&s, 50);
    p99 = cl_stats_latency_ms(&s, 99);
    /* the histogram is log-spaced, 4 buckets an octave: within 10% */
    CHECK(p50 > 9.0 && p50 < 11.0);
    CHECK(p99 > 180.0 && p99 < 220.0);
    CHECK_EQ_INT(atomic_load(&s.latency_max_us), 1000000);
    CHECK(cl_stats_latency_ms(&s, 100) <= 1000.0);
}

int
main(void)
{
    test_json_keys();
    test_retries_by_sqlstate();
    test_retry_sqlstate_list();
    test_derive();
    test_summary_text();
    test_latency();
    return TEST_REPORT();
}
