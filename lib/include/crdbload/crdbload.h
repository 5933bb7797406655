/*
 * crdbload/crdbload.h - the library's public API, its one installed header.
 *
 * One call runs a load: fill a cl_config (cl_config_init() sets SPEC.md's
 * defaults; then the inputs, the URL, the table...), point on_message at a
 * function that shows messages, and call cl_load_run() with a cl_stats for
 * it to fill. The library never prints and never exits: messages go to
 * on_message, progress to on_progress, and functions return 0 or a negative
 * CL_E* code. README.md ("Using the library") has a whole program.
 *
 * In order: the version, the error codes, messages, progress, the settings
 * (cl_config), the counters and the summary (cl_stats), the run.
 */
#ifndef CRDBLOAD_H
#define CRDBLOAD_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* The library's version: "0.1.0". */
const char *cl_version(void);

/*
 * Error codes. Library functions return 0 on success and a negative CL_E*
 * code on failure; the message, with its context (file, line, column, host,
 * SQLSTATE), has gone to on_message. Released numbers never change.
 */

/* Numbers 4 (malformed CSV) and 11 (value too large) are retired: nothing
 * returned them (a bad row is rejected, not an error). They are not reused,
 * and the others keep their numbers: released numbers never change. */
#define CL_ERRNO_MAP(XX)                                                               \
    XX(NOMEM, 1, "out of memory")                                                      \
    XX(IO, 2, "input/output error")                                                    \
    XX(GZIP, 3, "corrupt or truncated gzip data")                                      \
    XX(CONFIG, 5, "invalid configuration")                                             \
    XX(CONNECT, 6, "could not connect to the server")                                  \
    XX(DB, 7, "database error")                                                        \
    XX(RETRIES, 8, "retries exhausted")                                                \
    XX(INTERRUPTED, 9, "interrupted")                                                  \
    XX(REJECTS, 10, "too many rejected rows")

typedef enum cl_error {
    CL_OK = 0,
#define XX(name, num, msg) CL_E##name = -(num),
    CL_ERRNO_MAP(XX)
#undef XX
} cl_error;

/* "CL_EIO" for CL_EIO; "CL_UNKNOWN" for a code not in the table. */
const char *cl_err_name(int code);
/* A short lower-case description, never NULL. */
const char *cl_strerror(int code);

/*
 * Messages. The library prints nothing: each error, warning or note goes,
 * whole and in one call, to the function the caller sets in
 * cl_config.on_message. Calls come from whichever thread met the condition
 * (the caller's, a worker's, the checkpoint saver's), sometimes at the same
 * time: the function must be thread-safe. The strings live until it
 * returns. cmd/ prints each as PostgreSQL does: "crdbload: error: PRIMARY",
 * then "Detail: DETAIL" and "Hint: HINT" on lines of their own.
 */
typedef enum cl_log_level {
    CL_LOG_ERROR = 0,
    CL_LOG_WARNING,
    CL_LOG_INFO,   /* what the run did: "resuming from checkpoint ..." */
    CL_LOG_REPORT, /* what the caller asked to see: --dry-run's statement */
} cl_log_level;

typedef struct cl_message {
    cl_log_level level;
    const char *primary; /* lower case, no final period */
    const char *detail;  /* the facts, in sentences; NULL: none */
    const char *hint;    /* what to do, in sentences; NULL: none */
} cl_message;

typedef void cl_message_fn(void *arg, const cl_message *msg);

/*
 * Progress. While rows are loaded, a reporter thread hands the function the
 * caller sets in cl_config.on_progress a snapshot of the counters: four
 * times a second for CL_PROGRESS_BAR, every progress_interval seconds
 * otherwise (cmd/ draws the bar, or prints log or JSON lines). Calls come
 * one at a time, from that thread.
 */
typedef struct cl_progress_snapshot {
    double elapsed_s;
    uint64_t rows_read, rows_written, rows_rejected, retries, reconnects;
    uint64_t bytes_read;   /* input bytes consumed (compressed bytes for gzip) */
    uint64_t input_size;   /* total of the inputs' sizes; 0: unknown (a pipe) */
    double rows_per_s;     /* since the start */
    double rows_per_s_now; /* over the last 3 s (BAR), else the last interval */
    double mb_per_s;       /* bytes_read / 10^6 / elapsed_s */
    double percent;        /* of input_size, 0..100; 0 when it is unknown */
    double eta_s;          /* seconds left at the average rate; -1: unknown */
} cl_progress_snapshot;

typedef void cl_progress_fn(void *arg, const cl_progress_snapshot *snap);

/*
 * One run's settings, as the CLI parsed them.
 *
 * cmd/ fills a cl_config from argv (the library never sees argv); the
 * library reads it and never changes it. Strings are borrowed (from argv or
 * the environment in the CLI) and must outlive the run. Defaults:
 * cl_config_init().
 */

typedef enum cl_dialect {
    CL_DIALECT_AUTO = 0, /* decided from the server's crdb_version parameter */
    CL_DIALECT_POSTGRES,
    CL_DIALECT_COCKROACH,
} cl_dialect;

typedef enum cl_progress_mode {
    CL_PROGRESS_AUTO = 0, /* bar on a terminal, log lines otherwise */
    CL_PROGRESS_BAR,
    CL_PROGRESS_LOG,
    CL_PROGRESS_JSON,
    CL_PROGRESS_NONE,
} cl_progress_mode;

/* How rows travel in one statement. */
typedef enum cl_stmt_form {
    CL_FORM_AUTO = 0, /* the faster form on the server: cl_stmt_form_resolve() */
    CL_FORM_VALUES,   /* VALUES ($1,$2),($3,$4): one parameter a value */
    CL_FORM_UNNEST,   /* SELECT * FROM unnest($1::t1[], $2::t2[]): one array a column */
} cl_stmt_form;

/* --missing: what happens to the table's rows whose key the feed lacks. */
typedef enum cl_missing_mode {
    CL_MISSING_KEEP = 0, /* they stay */
    CL_MISSING_DELETE,
    CL_MISSING_UPDATE, /* --missing-set: updated instead */
} cl_missing_mode;

#define CL_DEFAULT_MAX_MISSING_PCT 5.0

/* --set COL=EXPR (insert and update) and --default COL=EXPR (insert only). */
typedef struct cl_assign {
    const char *column; /* taken literally, quoted when used */
    const char *expr;   /* SQL text, written as given */
} cl_assign;

#define CL_MAX_ASSIGN 64

/* Defaults chosen by the benches in the README ("Choosing the defaults" on
 * PostgreSQL, "On CockroachDB"). */
#define CL_DEFAULT_WORKERS 4
#define CL_DEFAULT_BATCH_SIZE 1000
#define CL_DEFAULT_BATCH_BYTES (8u * 1024 * 1024)
#define CL_DEFAULT_MAX_RETRIES 10
#define CL_DEFAULT_BATCH_TIMEOUT 60.0 /* seconds; README "Hung networks" says why */
#define CL_DEFAULT_PIPELINE_DEPTH                                                      \
    4                       /* batches in flight per connection; README "Distance" */
#define CL_MAX_PARAMS 65535 /* the wire protocol's limit on parameters */

typedef struct cl_config {
    const char **files; /* NULL-terminated; empty means standard input */
    size_t nfiles;

    const char *url;     /* -d/--url, else $DATABASE_URL, else NULL (libpq defaults) */
    const char *table;   /* "products"; "schema.table" allowed */
    const char *key;     /* "sku"; comma-separated */
    const char *columns; /* --columns; NULL: the header names the columns */
    bool no_header;      /* first line is data */
    char delimiter;      /* ',' */
    char quote;          /* '"' */
    const char *null_string;    /* NULL: an empty unquoted field is NULL */
    const char *encoding;       /* --encoding: the input's character set; NULL: UTF-8 */
    const char *update_columns; /* NULL: every non-key file column */
    bool insert_only;           /* ON CONFLICT DO NOTHING */
    bool only_changed;          /* update only rows whose values differ */
    cl_assign sets[CL_MAX_ASSIGN];
    size_t nsets;
    cl_assign defaults[CL_MAX_ASSIGN];
    size_t ndefaults;

    int batch_size;       /* rows per statement; 0: CL_DEFAULT_BATCH_SIZE */
    size_t batch_bytes;   /* bytes of field values per statement, as read */
    int workers;          /* parallel connections */
    int max_retries;      /* retries of one batch on transient errors */
    double batch_timeout; /* seconds a batch may wait for its reply */

    const char *rejects_path; /* --rejects FILE, or NULL */
    long long max_rejects;    /* -1: unlimited */
    bool dry_run;
    const char *checkpoint_path; /* --checkpoint FILE, or NULL */
    cl_dialect dialect;
    cl_stmt_form
        statement_form; /* --statement-form; auto: per dialect, see the README */
    bool no_prepared;   /* --prepared-statements=off: unnamed statements only */
    int pipeline_depth; /* batches in flight per connection; 1: one at a time */

    /* catalog sync (SPEC.md): rows of the table absent from the feed */
    cl_missing_mode missing;
    cl_assign missing_sets[CL_MAX_ASSIGN]; /* --missing-set */
    size_t nmissing_sets;
    const char *missing_where;  /* --missing-where SQL; NULL: the whole table */
    long long max_missing_rows; /* --max-missing N; -1: a percent instead */
    double max_missing_pct;     /* --max-missing P%, of the covered rows */

    cl_progress_mode progress; /* BAR: snapshots 4 times a second; AUTO is LOG */
    double progress_interval;  /* seconds between log/json lines */
    const char *summary_json;  /* FILE, "-" for stdout, or NULL */
    const char *metrics_file;  /* --metrics-file FILE (written by cmd/), or NULL */
    bool quiet;                /* cmd/: print errors only */

    /* Where messages and progress snapshots go (see above). NULL
     * on_message drops the messages; NULL on_progress (or CL_PROGRESS_NONE)
     * starts no reporter thread. */
    cl_message_fn *on_message;
    void *message_arg;
    cl_progress_fn *on_progress;
    void *progress_arg;
} cl_config;

/* Fill *cfg with the defaults of SPEC.md. */
void cl_config_init(cl_config *cfg);

/*
 * The rules between options that need neither the inputs nor the server:
 * --delimiter and --quote differ and are no line end, standard input ("-")
 * is given once, a column is given once in --set/--default. 0, or
 * CL_ECONFIG with the message in err. cl_load_run() checks them first; the
 * CLI calls it too, to answer before anything else is done.
 */
int cl_config_check(const cl_config *cfg, char *err, size_t errlen);

/*
 * The run's counters, the final summary and --summary-json.
 *
 * Counters are C11 atomics updated with relaxed ordering by the reader thread
 * and the workers, and read by the reporter; nothing here takes a lock on the
 * hot path. The identity that must hold at the end:
 *   rows_read = rows_written + rows_unchanged + rows_rejected + duplicates_merged
 * (rows_skipped, passed over because a checkpoint says an earlier run
 * committed them, are not counted as read; rows_missing are rows of the
 * table, not of the input, and are not part of it either).
 */

/* One counter of s read for a report: relaxed, as the counters are kept. */
#define CL_STAT(s, field) atomic_load_explicit(&(s)->field, memory_order_relaxed)

#define CL_STATS_MAX_SQLSTATES 16
#define CL_LATENCY_BUCKETS 128 /* log-spaced, 1 us .. ~1 hour */

typedef enum cl_run_status {
    CL_STATUS_OK = 0,  /* every row written, unchanged or merged */
    CL_STATUS_REJECTS, /* finished with rejected rows */
    CL_STATUS_ABORTED, /* stopped before the end of the input */
} cl_run_status;

typedef struct cl_stats {
    atomic_uint_fast64_t rows_read;
    atomic_uint_fast64_t rows_written;
    atomic_uint_fast64_t rows_unchanged;
    atomic_uint_fast64_t rows_rejected;
    atomic_uint_fast64_t duplicates_merged;
    atomic_uint_fast64_t rows_skipped;
    atomic_uint_fast64_t batches;
    atomic_uint_fast64_t retries;
    atomic_uint_fast64_t batches_retried_40003; /* outcome unknown, re-sent */
    atomic_uint_fast64_t reconnects;
    atomic_uint_fast64_t rows_in_doubt; /* sent, outcome never learnt (see SPEC.md) */
    /* table rows absent from the feed, deleted or updated (--missing; in a dry
     * run: would be) */
    atomic_uint_fast64_t rows_missing;
    atomic_uint_fast64_t bytes_read; /* input bytes (compressed for gzip) */
    atomic_uint_fast64_t input_size; /* total of known input sizes, for percent */
    atomic_uint_fast64_t latency[CL_LATENCY_BUCKETS];
    atomic_uint_fast64_t latency_max_us;

    /* retries by SQLSTATE: slots claimed once with a CAS, then counted */
    struct {
        _Atomic uint64_t code; /* 5 chars packed, 0 = free slot */
        atomic_uint_fast64_t count;
    } by_sqlstate[CL_STATS_MAX_SQLSTATES];

    /* set once, before or after the run (not concurrently) */
    double start_time; /* monotonic seconds */
    double end_time;
    int files;
    int workers;
    int batch_size;
    cl_dialect dialect;
    cl_stmt_form form; /* as resolved for the dialect; AUTO until then */
    cl_run_status status;
    bool dry_run;            /* nothing was sent: written/unchanged stay 0 */
    cl_missing_mode missing; /* --missing: the summary names rows_missing's action */
} cl_stats;

void cl_stats_init(cl_stats *s);

/* The figures derived from the counters, as the summary, --summary-json and
 * cmd/'s --metrics-file show them (until end_time is set: up to now). */
typedef struct cl_stats_derived {
    double secs;          /* elapsed seconds */
    double rows_per_s;    /* rows_read / secs */
    double mb_per_s;      /* bytes_read / 10^6 / secs */
    double p50, p99, max; /* batch latency, milliseconds */
} cl_stats_derived;

void cl_stats_derive(cl_stats *s, cl_stats_derived *d);

/* The i-th SQLSTATE that had retries (0, 1, ... in the order first seen;
 * "none" for a lost connection) and its count; false past the last one. */
bool cl_stats_retry_sqlstate(cl_stats *s, int i, char sqlstate[6], uint64_t *count);

/* The human summary (stderr in the CLI). */
void cl_stats_print_summary(cl_stats *s, FILE *f);

/* The --summary-json object, one line: the keys SPEC.md lists, then
 * batches_retried_40003, statement_form, dry_run and rows_missing; dialect
 * and statement_form are null when the run ended before they were known.
 * 0 or CL_EIO. */
int cl_stats_write_json(cl_stats *s, FILE *f);

const char *cl_dialect_name(cl_dialect d);
const char *cl_stmt_form_name(cl_stmt_form f); /* "values", "unnest" or "auto" */

/*
 * One run from end to end: open the inputs, read the table, plan the
 * statement, start the pool, route every record, settle. One run at a time
 * in a process.
 *
 * Fills *stats (the caller prints the summary). stop is polled: set it
 * (from a signal handler) to stop reading and settle what is in flight;
 * NULL: the run is never stopped.
 * Messages go to cfg->on_message. Returns 0 when every input was read to
 * its end (stats->status: CL_STATUS_OK, or CL_STATUS_REJECTS when rows were
 * rejected), CL_ECONFIG when the configuration was refused before anything
 * was written, or another CL_E* code when the run stopped early
 * (stats->status CL_STATUS_ABORTED; CL_EINTERRUPTED when stop was set).
 */
int cl_load_run(const cl_config *cfg, cl_stats *stats, atomic_bool *stop);

#endif
