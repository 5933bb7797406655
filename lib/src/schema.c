/*
 * lib/src/schema.c - the target table's columns, types and unique indexes,
 * read from pg_catalog.
 *
 * The queries stick to what PostgreSQL (12 and later: attgenerated) and
 * CockroachDB (run on v21.1; the functions are in the reference of current
 * releases) both answer: pg_class, pg_namespace, pg_attribute (attidentity
 * and attgenerated included), pg_type and pg_index (indnkeyatts included),
 * format_type(), current_schemas() and array_position(). to_regclass() is not
 * used: CockroachDB v21.1 does not have it. The name is looked up by its
 * literal parts, passed as parameters (no text is ever spliced into SQL), in
 * the effective search path as the server reports it: the first schema of
 * current_schemas(true) that holds the name, which is how PostgreSQL resolves
 * an unqualified name (pg_catalog and pg_temp included).
 */
#include "schema.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crdbload/crdbload.h"
#include "util.h"

#define VARHDRSZ 4 /* typmods of numeric and varchar carry the varlena header */

/* $1 the schema (NULL: the search path), $2 the name. On CockroachDB an
 * index may share its table's schema and name (its names are per table):
 * relations that are not indexes come first. */
static const char resolve_sql[] =
    "SELECT c.oid, n.nspname, c.relname, c.relkind"
    " FROM pg_catalog.pg_class c"
    " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
    " WHERE c.relname = $2::text"
    " AND COALESCE(n.nspname = $1::text,"
    " n.nspname = ANY (pg_catalog.current_schemas(true)))"
    " ORDER BY pg_catalog.array_position(pg_catalog.current_schemas(true), n.nspname),"
    " c.relkind IN ('i', 'I')"
    " LIMIT 1";

/* attidentity and attgenerated are "char" ('' when unset); the cast to text
 * and COALESCE keep the test the same on both servers. */
static const char columns_sql[] =
    "SELECT a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), t.typname,"
    " a.atttypmod, a.attnotnull,"
    " (a.atthasdef OR COALESCE(a.attidentity::text, '') <> ''),"
    " COALESCE(a.attgenerated::text, '') <> '', a.attnum,"
    " (SELECT pg_catalog.pg_get_expr(d.adbin, d.adrelid) FROM pg_catalog.pg_attrdef d"
    " WHERE d.adrelid = a.attrelid AND d.adnum = a.attnum)"
    " FROM pg_catalog.pg_attribute a"
    " JOIN pg_catalog.pg_type t ON t.oid = a.atttypid"
    " WHERE a.attrelid = $1::oid AND a.attnum > 0 AND NOT a.attisdropped"
    " ORDER BY a.attnum";

/* ON CONFLICT can only infer a valid, non-partial, column-only unique index;
 * INCLUDE columns (past indnkeyatts) are not part of the key. */
static const char uniques_sql[] =
    "SELECT i.indisprimary, i.indkey::text, i.indnkeyatts"
    " FROM pg_catalog.pg_index i"
    " WHERE i.indrelid = $1::oid AND i.indisunique AND i.indisvalid"
    " AND i.indpred IS NULL AND i.indexprs IS NULL"
    " ORDER BY i.indisprimary DESC, i.indexrelid";

static char *
dup_n(const char *s, size_t n)
{
    char *d = malloc(n + 1);

    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

static char *
dup(const char *s)
{
    return dup_n(s, strlen(s));
}

/* pg_class.relkind of what an upsert can write: a table, partitioned or
 * foreign. */
static bool
is_table_kind(char relkind)
{
    return relkind == 'r' || relkind == 'p' || relkind == 'f';
}

/* "SQLSTATE: message" of a failed query, trailing newline dropped. */
static void
query_error(char *err, size_t errlen, const char *what, const PGresult *res,
            PGconn *conn)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    const char *msg = cl_pq_primary(res, conn);

    snprintf(err, errlen, "could not read %s: %s%s%.*s", what, state ? state : "",
             state ? ": " : "", cl_pq_msg_len(msg), msg);
}

static cl_type_kind
kind_of(const char *typname, int typmod, cl_column *c)
{
    static const struct {
        const char *name;
        cl_type_kind kind;
    } map[] = {
        {"int2", CL_TYPE_INT2},
        {"int4", CL_TYPE_INT4},
        {"int8", CL_TYPE_INT8},
        {"numeric", CL_TYPE_NUMERIC},
        {"float4", CL_TYPE_FLOAT},
        {"float8", CL_TYPE_FLOAT},
        {"bool", CL_TYPE_BOOL},
        {"uuid", CL_TYPE_UUID},
        {"date", CL_TYPE_DATE},
        {"timestamp", CL_TYPE_TIMESTAMP},
        {"timestamptz", CL_TYPE_TIMESTAMP},
        {"varchar", CL_TYPE_VARCHAR},
        {"bpchar", CL_TYPE_VARCHAR},
        {"text", CL_TYPE_TEXT},
        {"json", CL_TYPE_JSON},
        {"jsonb", CL_TYPE_JSON},
    };
    cl_type_kind kind = CL_TYPE_OTHER;

    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcmp(typname, map[i].name) == 0) {
            kind = map[i].kind;
            break;
        }

    c->precision = c->scale = c->max_chars = -1;
    if (kind == CL_TYPE_NUMERIC && typmod >= VARHDRSZ) {
        c->precision = ((typmod - VARHDRSZ) >> 16) & 0xffff;
        c->scale = (typmod - VARHDRSZ) & 0xffff;
        /* PostgreSQL 15 allows a negative scale, stored in 11 bits */
        if (c->scale > 0x3ff)
            c->scale -= 0x800;
    } else if (kind == CL_TYPE_VARCHAR) {
        if (typmod >= VARHDRSZ)
            c->max_chars = typmod - VARHDRSZ;
        else
            kind = CL_TYPE_TEXT; /* varchar without a length is text */
    } else if (kind == CL_TYPE_TEXT && typmod >= VARHDRSZ) {
        /* CockroachDB's STRING(n): typname text with a length */
        kind = CL_TYPE_VARCHAR;
        c->max_chars = typmod - VARHDRSZ;
    }
    return kind;
}

/* format_type()'s answer, except for CockroachDB's STRING(n), which it
 * renders "text(n + 4)": neither the type's name nor valid in a cast. */
static char *
type_name(const char *formatted, const char *typname, int typmod)
{
    char buf[32];

    if (strcmp(typname, "text") != 0 || typmod < VARHDRSZ)
        return dup(formatted);
    snprintf(buf, sizeof buf, "STRING(%d)", typmod - VARHDRSZ);
    return dup(buf);
}

static bool
bool_value(const PGresult *res, int row, int col)
{
    const char *v = PQgetvalue(res, row, col);
    return v[0] == 't';
}

/* Parse an int2vector's text ("2 3") and map attnums to column indexes.
 * Returns 0, 1 to skip the index (a column we do not know), or CL_ENOMEM. */
static int
parse_unique(const cl_table *t, const char *indkey, long nkeyatts, const int *attnums,
             cl_unique *u)
{
    size_t n = 0;
    const char *p = indkey;
    char *end;

    u->ncols = 0;
    u->cols = malloc((strlen(indkey) / 2 + 1) * sizeof *u->cols);
    if (!u->cols)
        return CL_ENOMEM;
    for (;;) {
        long attnum = strtol(p, &end, 10);
        size_t i;

        if (end == p)
            break;
        p = end;
        if (nkeyatts >= 0 && (long)n >= nkeyatts)
            break;
        for (i = 0; i < t->ncols; i++)
            if (attnums[i] == attnum)
                break;
        if (i == t->ncols) {
            free(u->cols);
            u->cols = NULL;
            return 1;
        }
        u->cols[n++] = i;
    }
    if (n == 0) {
        free(u->cols);
        u->cols = NULL;
        return 1;
    }
    u->ncols = n;
    return 0;
}

/* "schema"."name" with PQescapeIdentifier, for statements. */
static char *
qualify(PGconn *conn, const char *schema, const char *name)
{
    char *qs = PQescapeIdentifier(conn, schema, strlen(schema));
    char *qn = PQescapeIdentifier(conn, name, strlen(name));
    char *out = NULL;

    if (qs && qn) {
        size_t len = strlen(qs) + 1 + strlen(qn) + 1;
        out = malloc(len);
        if (out)
            snprintf(out, len, "%s.%s", qs, qn);
    }
    PQfreemem(qs);
    PQfreemem(qn);
    return out;
}

static void
not_found(PGconn *conn, const char *spec, const char *dot, char *err, size_t errlen)
{
    if (dot) {
        cl_errf_detail(
            0, err, errlen, NULL,
            "Both parts of --table are taken literally and are case-sensitive.",
            "table \"%.*s\".\"%s\" does not exist", (int)(dot - spec), spec, dot + 1);
        return;
    }

    /* Worth one more query: the search_path is what the name was looked up in. */
    PGresult *res = PQexec(conn, "SHOW search_path");
    const char *path = (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1)
                           ? PQgetvalue(res, 0, 0)
                           : NULL;
    char hint[1024];

    snprintf(hint, sizeof hint,
             "The name is taken literally and is case-sensitive; it was looked up in "
             "search_path%s%s%s. Use --table schema.table for a table elsewhere.",
             path ? " (" : "", path ? path : "", path ? ")" : "");
    cl_errf_detail(0, err, errlen, NULL, hint, "table \"%s\" does not exist", spec);
    PQclear(res);
}

/* Run one catalog query; NULL with the error in err when it failed. */
static PGresult *
query(PGconn *conn, const char *sql, int nparams, const char *const *param,
      const char *what, char *err, size_t errlen)
{
    PGresult *res = PQexecParams(conn, sql, nparams, NULL, param, NULL, NULL, 0);

    if (PQresultStatus(res) == PGRES_TUPLES_OK)
        return res;
    query_error(err, errlen, what, res, conn);
    PQclear(res);
    return NULL;
}

/* Find spec ("table" in the search path, or "schema.table", each part
 * literal) and fill t's names and oid. */
static int
resolve_table(PGconn *conn, const char *spec, cl_table *t, char oid[16], char *err,
              size_t errlen)
{
    const char *dot = strchr(spec, '.');
    char *schema = dot ? dup_n(spec, (size_t)(dot - spec)) : NULL;
    const char *param[2] = {schema, dot ? dot + 1 : spec}; /* NULL: the search path */
    PGresult *res = NULL;
    int rc = 0;

    if (dot && !schema)
        return cl_errf(CL_ENOMEM, err, errlen, "out of memory");
    if (!(res = query(conn, resolve_sql, 2, param, "the table", err, errlen))) {
        rc = CL_EDB;
    } else if (PQntuples(res) == 0) {
        not_found(conn, spec, dot, err, errlen);
        rc = CL_ECONFIG;
    } else if (!is_table_kind(PQgetvalue(res, 0, 3)[0])) {
        rc = cl_errf(CL_ECONFIG, err, errlen, "\"%s\" is not a table", spec);
    } else {
        snprintf(oid, 16, "%s", PQgetvalue(res, 0, 0));
        t->schema = dup(PQgetvalue(res, 0, 1));
        t->name = dup(PQgetvalue(res, 0, 2));
        t->qualified = t->schema && t->name ? qualify(conn, t->schema, t->name) : NULL;
        if (!t->qualified)
            rc = cl_errf(CL_ENOMEM, err, errlen, "out of memory");
    }
    PQclear(res);
    free(schema);
    return rc;
}

/* The table's columns; attnums[i] is column i's attnum (they have holes
 * where columns were dropped), for the indexes. */
static int
read_columns(PGconn *conn, const char *const *oid, cl_table *t, int **attnums,
             char *err, size_t errlen)
{
    PGresult *res =
        query(conn, columns_sql, 1, oid, "the columns of the table", err, errlen);
    int n = res ? PQntuples(res) : 0, rc = 0;

    if (!res)
        return CL_EDB;
    t->cols = calloc(n ? (size_t)n : 1, sizeof *t->cols);
    *attnums = calloc(n ? (size_t)n : 1, sizeof **attnums);
    if (!t->cols || !*attnums)
        rc = CL_ENOMEM;
    for (int i = 0; rc == 0 && i < n; i++) {
        cl_column *c = &t->cols[i];

        c->name = dup(PQgetvalue(res, i, 0));
        c->type_name = type_name(PQgetvalue(res, i, 1), PQgetvalue(res, i, 2),
                                 atoi(PQgetvalue(res, i, 3)));
        t->ncols++; /* counted now, so that cl_table_free frees both */
        if (!c->name || !c->type_name) {
            rc = CL_ENOMEM;
            break;
        }
        c->kind = kind_of(PQgetvalue(res, i, 2), atoi(PQgetvalue(res, i, 3)), c);
        c->not_null = bool_value(res, i, 4);
        c->has_default = bool_value(res, i, 5) || bool_value(res, i, 6);
        c->generated = bool_value(res, i, 6);
        (*attnums)[i] = atoi(PQgetvalue(res, i, 7));
        if (!PQgetisnull(res, i, 8) && !(c->default_expr = dup(PQgetvalue(res, i, 8))))
            rc = CL_ENOMEM;
    }
    PQclear(res);
    return rc ? cl_errf(rc, err, errlen, "out of memory") : 0;
}

/* The table's unique indexes that ON CONFLICT can name. */
static int
read_uniques(PGconn *conn, const char *const *oid, cl_table *t, const int *attnums,
             char *err, size_t errlen)
{
    PGresult *res = query(conn, uniques_sql, 1, oid, "the unique indexes of the table",
                          err, errlen);
    int n = res ? PQntuples(res) : 0, rc = 0;

    if (!res)
        return CL_EDB;
    t->uniques = calloc(n ? (size_t)n : 1, sizeof *t->uniques);
    if (!t->uniques)
        rc = CL_ENOMEM;
    for (int i = 0; rc == 0 && i < n; i++) {
        cl_unique *u = &t->uniques[t->nuniques];
        long nkey = PQgetisnull(res, i, 2) ? -1 : atol(PQgetvalue(res, i, 2));
        int r = parse_unique(t, PQgetvalue(res, i, 1), nkey, attnums, u);

        if (r < 0)
            rc = CL_ENOMEM;
        if (r != 0)
            continue;
        u->primary = bool_value(res, i, 0);
        t->nuniques++;
    }
    PQclear(res);
    return rc ? cl_errf(rc, err, errlen, "out of memory") : 0;
}

int
cl_schema_load(PGconn *conn, const char *spec, cl_table **out, char *err, size_t errlen)
{
    const char *dot = strchr(spec, '.');
    cl_table *t;
    int *attnums = NULL;
    char oid[16];
    const char *param[1] = {oid};
    int rc;

    *out = NULL;
    if (*spec == '\0' || (dot && (dot == spec || dot[1] == '\0')))
        return cl_errf(CL_ECONFIG, err, errlen, "invalid table name \"%s\"", spec);
    if (!(t = calloc(1, sizeof *t)))
        return cl_errf(CL_ENOMEM, err, errlen, "out of memory");
    if ((rc = resolve_table(conn, spec, t, oid, err, errlen)) == 0 &&
        (rc = read_columns(conn, param, t, &attnums, err, errlen)) == 0)
        rc = read_uniques(conn, param, t, attnums, err, errlen);
    free(attnums);
    if (rc != 0) {
        cl_table_free(t);
        return rc;
    }
    *out = t;
    return 0;
}

void
cl_table_free(cl_table *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->ncols; i++) {
        free(t->cols[i].name);
        free(t->cols[i].type_name);
        free(t->cols[i].default_expr);
    }
    for (size_t i = 0; i < t->nuniques; i++)
        free(t->uniques[i].cols);
    free(t->cols);
    free(t->uniques);
    free(t->schema);
    free(t->name);
    free(t->qualified);
    free(t);
}

int
cl_table_column(const cl_table *t, const char *name)
{
    for (size_t i = 0; i < t->ncols; i++)
        if (strcmp(t->cols[i].name, name) == 0)
            return (int)i;
    return -1;
}

/* Every element of a is in b. */
static bool
subset(const size_t *a, size_t na, const size_t *b, size_t nb)
{
    for (size_t i = 0; i < na; i++) {
        size_t j = 0;

        while (j < nb && b[j] != a[i])
            j++;
        if (j == nb)
            return false;
    }
    return true;
}

const cl_unique *
cl_table_unique_on(const cl_table *t, const size_t *cols, size_t n)
{
    for (size_t i = 0; i < t->nuniques; i++) {
        const cl_unique *u = &t->uniques[i];

        if (u->ncols == n && subset(cols, n, u->cols, u->ncols) &&
            subset(u->cols, u->ncols, cols, n))
            return u;
    }
    return NULL;
}

cl_dialect
cl_dialect_resolve(cl_dialect requested, const char *crdb_version)
{
    if (requested != CL_DIALECT_AUTO)
        return requested;
    return crdb_version ? CL_DIALECT_COCKROACH : CL_DIALECT_POSTGRES;
}
