/*
 * lib/src/plan.h - the statement a batch is sent with. Private to the
 * library.
 *
 * A cl_plan is the statement builder: from the table, the file's column
 * names and the options it decides once which fields are sent, the conflict
 * key, what DO UPDATE sets, the batch's limits, and the SQL text for a batch
 * of n rows. Values only ever travel as parameters (bind.h); identifiers are
 * quoted.
 *
 * Read-only after cl_plan_new(), and shared by every worker without a lock.
 * Its fields are read directly, through a const cl_plan *, by those that
 * borrow it (route.c, validate.c, bind.c, the pool's session.c and
 * insert_first.c, load.c): they are the plan's decisions, set once, with no
 * state that changes and no invariant a reader could break through const,
 * so accessors would add a name a field and hide nothing. Only the owner
 * that created it holds a cl_plan *, to free it.
 */
#ifndef CRDBLOAD_PLAN_H
#define CRDBLOAD_PLAN_H

#include <stdbool.h>
#include <stddef.h>

#include "crdbload/crdbload.h"
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
    /* The statement's fixed text, built once: plan.c's, read through
     * cl_plan_sql() and cl_plan_insert_sql(). */
    char *head;    /* SQL before the rows */
    char *tail;    /* SQL after the rows */
    char *row_end; /* ", expr, ...)" closing every VALUES row */
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

#endif
