/*
 * crdbload/config.h - one run's settings, as the CLI parsed them.
 *
 * cmd/ fills a cl_config from argv (the library never sees argv); the
 * library reads it and never changes it. Strings are borrowed from argv or
 * the environment and must outlive the run. Defaults: cl_config_init().
 */
#ifndef CRDBLOAD_CONFIG_H
#define CRDBLOAD_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

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
    CL_MISSING_UPDATE,   /* --missing-set: updated instead */
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
#define CL_DEFAULT_PIPELINE_DEPTH 4   /* batches in flight per connection; README "Distance" */
#define CL_MAX_PARAMS 65535 /* the wire protocol's limit on parameters */

typedef struct cl_config {
    const char **files; /* NULL-terminated; empty means standard input */
    size_t nfiles;

    const char *url; /* -d/--url, else $DATABASE_URL, else NULL (libpq defaults) */
    const char *table;          /* "products"; "schema.table" allowed */
    const char *key;            /* "sku"; comma-separated */
    const char *columns;        /* --columns; NULL: the header names the columns */
    bool no_header;             /* first line is data */
    char delimiter;             /* ',' */
    char quote;                 /* '"' */
    const char *null_string;    /* NULL: an empty unquoted field is NULL */
    const char *encoding;       /* --encoding: the input's character set; NULL: UTF-8 */
    const char *update_columns; /* NULL: every non-key file column */
    bool insert_only;           /* ON CONFLICT DO NOTHING */
    bool only_changed;          /* update only rows whose values differ */
    cl_assign sets[CL_MAX_ASSIGN];
    size_t nsets;
    cl_assign defaults[CL_MAX_ASSIGN];
    size_t ndefaults;

    int batch_size;    /* rows per statement; 0: CL_DEFAULT_BATCH_SIZE */
    size_t batch_bytes; /* parameter bytes per statement */
    int workers;       /* parallel connections */
    int max_retries;   /* retries of one batch on transient errors */
    double batch_timeout; /* seconds a batch may wait for its reply */

    const char *rejects_path; /* --rejects FILE, or NULL */
    long long max_rejects;    /* -1: unlimited */
    bool dry_run;
    const char *checkpoint_path; /* --checkpoint FILE, or NULL */
    cl_dialect dialect;
    cl_stmt_form statement_form; /* --statement-form; auto: per dialect, see the README */
    bool no_prepared;            /* --prepared-statements=off: unnamed statements only */
    int pipeline_depth;          /* batches in flight per connection; 1: one at a time */

    /* catalog sync (SPEC.md): rows of the table absent from the feed */
    cl_missing_mode missing;
    cl_assign missing_sets[CL_MAX_ASSIGN]; /* --missing-set */
    size_t nmissing_sets;
    const char *missing_where;  /* --missing-where SQL; NULL: the whole table */
    long long max_missing_rows; /* --max-missing N; -1: a percent instead */
    double max_missing_pct;     /* --max-missing P%, of the covered rows */

    cl_progress_mode progress;
    double progress_interval;  /* seconds between log/json lines */
    const char *summary_json;  /* FILE, "-" for stdout, or NULL */
    const char *metrics_file;  /* --metrics-file FILE (written by cmd/), or NULL */
    bool quiet;
} cl_config;

/* Fill *cfg with the defaults of SPEC.md. */
void cl_config_init(cl_config *cfg);

#endif
