/*
 * lib/src/batch.h - stage 2 of the data flow: the batcher.
 *
 * A cl_plan is the statement builder: from the table, the file's column
 * names and the options it decides once which fields are sent, the conflict
 * key, what DO UPDATE sets, and the SQL text for a batch of n rows. It is
 * read-only after cl_plan_new() and shared by every worker.
 *
 * A cl_batch owns the rows bound for one worker's next statement: copies of
 * every input field of each record (the rejects file wants the original
 * fields), with a per-batch key index so that a key seen twice in one batch
 * is merged, the later row winning, because one statement may not touch a
 * row twice. A batch is handed along, never shared: the reader thread fills
 * it, cl_pool_submit() takes it, the worker that sends it gives it back.
 *
 * Values only ever travel as parameters; identifiers are quoted.
 */
#ifndef CRDBLOAD_BATCH_H
#define CRDBLOAD_BATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crdbload/crdbload.h"
#include "reader.h"
#include "schema.h"

typedef struct cl_plan_opts {
    const char *const *field_names; /* one per input field; NULL: skipped ("-") */
    size_t nfields;
    const char *key;            /* comma-separated conflict columns */
    const char *update_columns; /* comma-separated, or NULL: all non-key sent columns */
    bool insert_only;
    bool only_changed;
    const cl_assign *sets;
    size_t nsets;
    const cl_assign *defaults;
    size_t ndefaults;
    cl_dialect dialect; /* CL_DIALECT_POSTGRES or CL_DIALECT_COCKROACH, resolved */
    cl_stmt_form form;  /* CL_FORM_AUTO: cl_stmt_form_resolve() of the dialect */
    int batch_size;     /* requested rows per statement */
    size_t batch_bytes; /* cap on the bytes of the field values per statement, as read
                         * (cl_batch_bytes; the statement adds quoting, arrays) */
} cl_plan_opts;

typedef struct cl_plan {
    const cl_table *table;  /* borrowed */
    size_t nfields;         /* fields per input record */
    size_t ncols;           /* columns sent */
    size_t *field_of_col;   /* input field index of each sent column */
    const cl_column **cols; /* table column of each sent column */
    size_t nkeys;
    size_t *key_fields; /* input field indexes of the conflict key */
    int batch_size;     /* effective: rows x parameters <= CL_MAX_PARAMS */
    size_t batch_bytes;
    cl_stmt_form form; /* resolved: never CL_FORM_AUTO */
    cl_dialect dialect;
    bool upsert;           /* CockroachDB UPSERT INTO (only where equivalent) */
    bool counts_unchanged; /* the statement may leave rows alone (only-changed,
                              insert-only) */
    bool insert_first;     /* CockroachDB: try a batch as a plain INSERT first */
    char *head;            /* SQL before the rows, built once */
    char *tail;            /* SQL after the rows, built once */
    char *row_end;         /* ", expr, ...)" closing every VALUES row */
    size_t head_len, tail_len, row_end_len;
} cl_plan;

/*
 * The form a run uses: requested unless it is CL_FORM_AUTO, else the form
 * bench/crdb.sh and bench/sweep.sh measured faster on the dialect's server
 * (the README's "Performance"): unnest on CockroachDB, values on PostgreSQL.
 */
cl_stmt_form cl_stmt_form_resolve(cl_stmt_form requested, cl_dialect dialect);

/*
 * Check the mapping of the file onto the table and build the plan. Returns 0,
 * or CL_ECONFIG with a message naming the problem (an unknown column, with
 * the table's columns listed; a key absent from the file or without a unique
 * index; a NOT NULL column without a default left out), or CL_ENOMEM.
 */
int cl_plan_new(cl_plan **out, const cl_table *t, const cl_plan_opts *o, char *err,
                size_t errlen);
void cl_plan_free(cl_plan *p);

/* The statement for nrows rows; caller frees; NULL on OOM. */
char *cl_plan_sql(const cl_plan *p, size_t nrows);

/*
 * The same rows as a plain INSERT: the statement without its ON CONFLICT
 * clause, which fails (23505) where cl_plan_sql()'s would update. With
 * insert_first the pool sends a batch this way first and, on any error
 * about its rows, sends it again as cl_plan_sql() says (send.c).
 */
char *cl_plan_insert_sql(const cl_plan *p, size_t nrows);

/* Parameters for rows [first, first+nrows) of a batch; reused across calls. */
typedef struct cl_bind {
    int nparams;
    const char **values; /* NULL entries are SQL NULLs */
    int *lengths;
    char *buf; /* array literals (CL_FORM_UNNEST) */
    size_t bufcap;
    size_t cap; /* capacity of values/lengths */
} cl_bind;

typedef struct cl_batch cl_batch;

/* Fill bind for rows [first, first+nrows) of b. 0 or CL_ENOMEM. Borrowed
 * pointers into b stay valid until b changes. */
int cl_plan_bind(const cl_plan *p, const cl_batch *b, size_t first, size_t nrows,
                 cl_bind *bind);
void cl_bind_free(cl_bind *bind);

/* A batch for records of nfields fields keyed by key_fields (copied). */
cl_batch *cl_batch_new(size_t nfields, const size_t *key_fields, size_t nkeys,
                       size_t max_rows, size_t max_bytes);

/*
 * Copy a record in. Returns 0 when appended, 1 when it replaced an earlier
 * row of this batch with the same key (its values and line now win), or
 * CL_ENOMEM (the batch is unchanged).
 */
int cl_batch_add(cl_batch *b, const cl_field *fields, uint64_t line);

/* The same, with hash = cl_key_hash() of the record's key already computed
 * (the loader hashes every key once, to route it). */
int cl_batch_add_hashed(cl_batch *b, const cl_field *fields, uint64_t line,
                        uint64_t hash);

/* True when adding a record of record_bytes would pass max_rows or max_bytes
 * (an empty batch always takes one record). */
bool cl_batch_full(const cl_batch *b, size_t record_bytes);

/* The same for a record of these fields, counted as cl_batch_bytes() will
 * count it. */
bool cl_batch_full_for(const cl_batch *b, const cl_field *fields);

size_t cl_batch_rows(const cl_batch *b);  /* distinct keys held */
size_t cl_batch_bytes(const cl_batch *b); /* field bytes held */
size_t cl_batch_nfields(const cl_batch *b);

/* Field of a row: NUL-terminated, NULL for SQL NULL; *len may be NULL. */
const char *cl_batch_value(const cl_batch *b, size_t row, size_t field, size_t *len);
uint64_t cl_batch_line(const cl_batch *b, size_t row);

/* The seq of the batch's first record (ledger.h: its input file and
 * position, for messages and --checkpoint; it stays the first record's even
 * when a later row replaces that one); 0 for a new or reset batch. */
void cl_batch_set_seq(cl_batch *b, uint64_t seq);
uint64_t cl_batch_seq(const cl_batch *b);

/* Empty the batch for reuse, keeping its memory. */
void cl_batch_reset(cl_batch *b);
void cl_batch_free(cl_batch *b);

/* 64-bit hash of a record's key fields: routes a row to its worker. */
uint64_t cl_key_hash(const cl_field *fields, const size_t *key_fields, size_t nkeys);

#endif
