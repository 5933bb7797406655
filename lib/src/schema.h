/*
 * crdbload/schema.h - what the target table looks like: its columns, their
 * types and constraints, read from the catalog with queries that PostgreSQL
 * and CockroachDB both answer (pg_catalog, current_schemas).
 *
 * A cl_table is built once by the control connection and then only read,
 * from any thread.
 */
#ifndef CRDBLOAD_SCHEMA_H
#define CRDBLOAD_SCHEMA_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

#include "crdbload/crdbload.h"

typedef enum cl_type_kind {
    CL_TYPE_TEXT = 0, /* text, and any type checked only by the server */
    CL_TYPE_VARCHAR,  /* varchar(n), char(n): length in characters */
    CL_TYPE_INT2,
    CL_TYPE_INT4,
    CL_TYPE_INT8,
    CL_TYPE_NUMERIC, /* numeric(p,s), or unconstrained (precision -1) */
    CL_TYPE_FLOAT,   /* real, double precision */
    CL_TYPE_BOOL,
    CL_TYPE_UUID,
    CL_TYPE_DATE,
    CL_TYPE_TIMESTAMP, /* timestamp and timestamptz, any precision */
    CL_TYPE_JSON,      /* json, jsonb */
    CL_TYPE_OTHER,     /* anything else: left to the server */
} cl_type_kind;

typedef struct cl_column {
    char *name;      /* as in the catalog, unquoted */
    char *type_name; /* format_type(): "numeric(10,2)", "timestamp(3) without time zone"
                      */
    cl_type_kind kind;
    int precision; /* numeric precision, -1 when unconstrained */
    int scale;     /* numeric scale, -1 when unconstrained */
    int max_chars; /* varchar(n)/char(n) length, -1 when none */
    bool not_null;
    bool has_default;   /* a DEFAULT, identity or generated value: may be omitted */
    bool generated;     /* GENERATED ALWAYS AS (...) STORED: cannot be written */
    char *default_expr; /* its DEFAULT as the server prints it, or NULL */
} cl_column;

/* A unique index or constraint usable by ON CONFLICT (valid, not partial). */
typedef struct cl_unique {
    size_t ncols;
    size_t *cols; /* indexes into cl_table.cols */
    bool primary;
} cl_unique;

typedef struct cl_table {
    char *schema;    /* resolved schema name, unquoted */
    char *name;      /* table name, unquoted */
    char *qualified; /* "schema"."name", quoted with PQescapeIdentifier */
    cl_column *cols; /* in attnum order */
    size_t ncols;
    cl_unique *uniques;
    size_t nuniques;
} cl_table;

/*
 * Read the table named by spec ("table" or "schema.table", each part taken
 * literally) over conn. Returns 0 and *out (free with cl_table_free), or
 * CL_ECONFIG when the table does not exist, CL_EDB when a query failed,
 * CL_ENOMEM; the message goes to err.
 */
int cl_schema_load(PGconn *conn, const char *spec, cl_table **out, char *err,
                   size_t errlen);

void cl_table_free(cl_table *t);

/* Index of the column named exactly name, or -1. */
int cl_table_column(const cl_table *t, const char *name);

/* The unique index whose columns are exactly cols (in any order), or NULL. */
const cl_unique *cl_table_unique_on(const cl_table *t, const size_t *cols, size_t n);

/*
 * The dialect a run uses: requested unless it is CL_DIALECT_AUTO, else
 * CockroachDB exactly when the server reported crdb_version (NULL when it
 * did not: PQparameterStatus's answer for an unknown parameter;
 * server_version cannot tell CockroachDB from PostgreSQL 13).
 */
cl_dialect cl_dialect_resolve(cl_dialect requested, const char *crdb_version);

#endif
