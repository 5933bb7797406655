/*
 * tests/unit/test_batch.c - the statement builder, the batch and its
 * parameters: the exact SQL of every statement form, every configuration
 * error, batch-size lowering, duplicate merging, array literals.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"
#include "bind.h"
#include "crdbload/crdbload.h"
#include "plan.h"
#include "testutil.h"

/* ------------------------------------------------------------------------ */
/* Fixtures: the tables as schema.c would read them.                         */

#define COL(n, t, k, nn, def)                                                          \
    {                                                                                  \
        (char *)(n), (char *)(t), (k), -1, -1, -1, (nn), (def), false, NULL            \
    }

static cl_column products_cols[] = {
    COL("id", "uuid", CL_TYPE_UUID, true, true),
    COL("sku", "text", CL_TYPE_TEXT, true, false),
    COL("name", "text", CL_TYPE_TEXT, true, false),
    COL("description", "text", CL_TYPE_TEXT, false, false),
    {(char *)"price", (char *)"numeric(10,2)", CL_TYPE_NUMERIC, 10, 2, -1, true, false,
     false, NULL},
    COL("stock", "integer", CL_TYPE_INT4, true, true),
    COL("currency", "text", CL_TYPE_TEXT, true, true),
    COL("updated_at", "timestamp with time zone", CL_TYPE_TIMESTAMP, true, true),
};
static size_t products_pk[] = {0}, products_sku[] = {1};
static cl_unique products_uniques[] = {{1, products_pk, true},
                                       {1, products_sku, false}};
static const cl_table products = {
    (char *)"public",
    (char *)"products",
    (char *)"\"public\".\"products\"",
    products_cols,
    8,
    products_uniques,
    2,
};

/* Prisma's migration for the Product model: no default for "id". */
static cl_column prisma_cols[] = {
    COL("id", "text", CL_TYPE_TEXT, true, false),
    COL("sku", "text", CL_TYPE_TEXT, true, false),
    COL("name", "text", CL_TYPE_TEXT, true, false),
    COL("description", "text", CL_TYPE_TEXT, false, false),
    {(char *)"price", (char *)"numeric(10,2)", CL_TYPE_NUMERIC, 10, 2, -1, true, false,
     false, NULL},
    COL("stock", "integer", CL_TYPE_INT4, true, true),
    COL("createdAt", "timestamp(3) without time zone", CL_TYPE_TIMESTAMP, true, true),
};
static size_t prisma_pk[] = {0}, prisma_sku[] = {1};
static cl_unique prisma_uniques[] = {{1, prisma_pk, true}, {1, prisma_sku, false}};
static const cl_table prisma = {
    (char *)"public",
    (char *)"Product",
    (char *)"\"public\".\"Product\"",
    prisma_cols,
    7,
    prisma_uniques,
    2,
};

/* Names that need quoting, a composite key, a generated column, an array. */
static cl_column odd_cols[] = {
    COL("we\"ird", "text", CL_TYPE_TEXT, true, false),
    COL("Region", "text", CL_TYPE_TEXT, true, false),
    COL("v", "integer", CL_TYPE_INT4, false, false),
    {(char *)"g", (char *)"integer", CL_TYPE_INT4, -1, -1, -1, false, true, true, NULL},
    COL("tags", "text[]", CL_TYPE_OTHER, false, false),
};
static size_t odd_key[] = {0, 1};
static cl_unique odd_uniques[] = {{2, odd_key, true}};
static const cl_table odd = {
    (char *)"public",
    (char *)"o\"dd",
    (char *)"\"public\".\"o\"\"dd\"",
    odd_cols,
    5,
    odd_uniques,
    1,
};

/* Options with the defaults of SPEC.md. */
static cl_plan_opts
opts(const char *const *names, size_t n)
{
    cl_plan_opts o;

    memset(&o, 0, sizeof o);
    o.field_names = names;
    o.nfields = n;
    o.key = "sku";
    o.dialect = CL_DIALECT_POSTGRES;
    o.form = CL_FORM_VALUES;
    o.batch_size = 1000;
    o.batch_bytes = 8u << 20;
    return o;
}

static char errbuf[1024];

/* The SQL for nrows rows, or the error text when the plan is refused. */
static char *
sql_of(const cl_table *t, const cl_plan_opts *o, size_t nrows)
{
    cl_plan *p = NULL;
    char *sql;
    int rc = cl_plan_new(&p, t, o, errbuf, sizeof errbuf);

    if (rc != 0) {
        fprintf(stderr, "unexpected plan error %d: %s\n", rc, errbuf);
        return NULL;
    }
    sql = cl_plan_sql(p, nrows);
    cl_plan_free(p);
    return sql;
}

#define CHECK_SQL(t, o, nrows, expected)                                               \
    do {                                                                               \
        char *tu_sql = sql_of((t), (o), (nrows));                                      \
        CHECK_EQ_STR(tu_sql, (expected));                                              \
        free(tu_sql);                                                                  \
    } while (0)

/* The message of a plan that must be refused with CL_ECONFIG. */
static const char *
err_of(const cl_table *t, const cl_plan_opts *o)
{
    cl_plan *p = (cl_plan *)1;
    int rc = cl_plan_new(&p, t, o, errbuf, sizeof errbuf);

    CHECK_EQ_INT(rc, CL_ECONFIG);
    CHECK(p == NULL);
    if (rc == 0)
        cl_plan_free(p);
    return errbuf;
}

/* ------------------------------------------------------------------------ */
/* Statements, PostgreSQL.                                                   */

static const char *const spn[] = {"sku", "name", "price"};
static const cl_assign set_now[] = {{"updated_at", "now()"}};

static void
test_values_postgres(void)
{
    cl_plan_opts o = opts(spn, 3);
    cl_plan *p;

    o.sets = set_now;
    o.nsets = 1;
    CHECK_SQL(
        &products, &o, 2,
        "INSERT INTO \"public\".\"products\" AS t (\"sku\", \"name\", \"price\", "
        "\"updated_at\") VALUES ($1, $2, $3, now()), ($4, $5, $6, now()) ON CONFLICT "
        "(\"sku\") DO UPDATE SET \"name\" = excluded.\"name\", \"price\" = "
        "excluded.\"price\", \"updated_at\" = now()");

    CHECK_EQ_INT(cl_plan_new(&p, &products, &o, errbuf, sizeof errbuf), 0);
    CHECK_EQ_INT(p->ncols, 3);
    CHECK_EQ_INT(p->nfields, 3);
    CHECK_EQ_INT(p->nkeys, 1);
    CHECK_EQ_INT(p->key_fields[0], 0);
    CHECK(p->cols[2] == &products_cols[4]);
    CHECK(!p->upsert);
    CHECK(!p->counts_unchanged);
    CHECK_EQ_INT(p->batch_size, 1000);
    CHECK(cl_plan_sql(p, 0) == NULL);
    {
        /* 1000 rows: parameters numbered through $3000, nothing cut. */
        char *sql = cl_plan_sql(p, 1000);

        CHECK_CONTAINS(sql, "($2998, $2999, $3000, now()) ON CONFLICT");
        CHECK_CONTAINS(sql, "($10, $11, $12, now()), ($13, ");
        CHECK(sql && strlen(sql) > 20000);
        free(sql);
    }
    cl_plan_free(p);
    cl_plan_free(NULL);

    /* No --set: the plain upsert of every non-key column. */
    o = opts(spn, 3);
    CHECK_SQL(&products, &o, 1,
              "INSERT INTO \"public\".\"products\" AS t (\"sku\", \"name\", \"price\") "
              "VALUES "
              "($1, $2, $3) ON CONFLICT (\"sku\") DO UPDATE SET \"name\" = "
              "excluded.\"name\", "
              "\"price\" = excluded.\"price\"");
}

static void
test_only_changed(void)
{
    static const char *const sp[] = {"sku", "price"};
    cl_plan_opts o = opts(spn, 3);
    cl_plan *p;

    o.only_changed = true;
    o.sets = set_now;
    o.nsets = 1;
    /* The comparison covers the update columns, not the --set ones. */
    CHECK_SQL(
        &products, &o, 1,
        "INSERT INTO \"public\".\"products\" AS t (\"sku\", \"name\", \"price\", "
        "\"updated_at\") VALUES ($1, $2, $3, now()) ON CONFLICT (\"sku\") DO UPDATE "
        "SET "
        "\"name\" = excluded.\"name\", \"price\" = excluded.\"price\", \"updated_at\" "
        "= "
        "now() WHERE (t.\"name\", t.\"price\") IS DISTINCT FROM (excluded.\"name\", "
        "excluded.\"price\")");
    CHECK_EQ_INT(cl_plan_new(&p, &products, &o, errbuf, sizeof errbuf), 0);
    CHECK(p->counts_unchanged);
    cl_plan_free(p);

    /* One column: no row constructor. --update-columns picks it. */
    o = opts(spn, 3);
    o.only_changed = true;
    o.update_columns = "price";
    CHECK_SQL(&products, &o, 1,
              "INSERT INTO \"public\".\"products\" AS t (\"sku\", \"name\", \"price\") "
              "VALUES "
              "($1, $2, $3) ON CONFLICT (\"sku\") DO UPDATE SET \"price\" = "
              "excluded.\"price\" "
              "WHERE t.\"price\" IS DISTINCT FROM excluded.\"price\"");

    /* --update-columns in its own order. */
    o = opts(spn, 3);
    o.update_columns = "price,name";
    CHECK_SQL(&products, &o, 1,
              "INSERT INTO \"public\".\"products\" AS t (\"sku\", \"name\", \"price\") "
              "VALUES "
              "($1, $2, $3) ON CONFLICT (\"sku\") DO UPDATE SET \"price\" = "
              "excluded.\"price\", "
              "\"name\" = excluded.\"name\"");

    /* name is supplied by --default, so price is the only update column. */
    {
        static const cl_assign defname[] = {{"name", "'unnamed'"}};

        o = opts(sp, 2);
        o.only_changed = true;
        o.defaults = defname;
        o.ndefaults = 1;
        CHECK_SQL(
            &products, &o, 1,
            "INSERT INTO \"public\".\"products\" AS t (\"sku\", \"price\", \"name\") "
            "VALUES ($1, $2, 'unnamed') ON CONFLICT (\"sku\") DO UPDATE SET \"price\" "
            "= "
            "excluded.\"price\" WHERE t.\"price\" IS DISTINCT FROM excluded.\"price\"");
    }
}

static void
test_do_nothing(void)
{
    static const char *const s[] = {"sku"};
    static const cl_assign defs[] = {{"name", "'unnamed'"}, {"price", "0"}};
    cl_plan_opts o = opts(spn, 3);
    cl_plan *p;

    o.insert_only = true;
    o.sets = set_now;
    o.nsets = 1;
    CHECK_SQL(
        &products, &o, 2,
        "INSERT INTO \"public\".\"products\" AS t (\"sku\", \"name\", \"price\", "
        "\"updated_at\") VALUES ($1, $2, $3, now()), ($4, $5, $6, now()) ON CONFLICT "
        "(\"sku\") DO NOTHING");
    CHECK_EQ_INT(cl_plan_new(&p, &products, &o, errbuf, sizeof errbuf), 0);
    CHECK(p->counts_unchanged);
    cl_plan_free(p);

    /* Only the key in the input: nothing to update. */
    o = opts(s, 1);
    o.defaults = defs;
    o.ndefaults = 2;
    CHECK_SQL(
        &products, &o, 2,
        "INSERT INTO \"public\".\"products\" AS t (\"sku\", \"name\", \"price\") "
        "VALUES "
        "($1, 'unnamed', 0), ($2, 'unnamed', 0) ON CONFLICT (\"sku\") DO NOTHING");
    CHECK_EQ_INT(cl_plan_new(&p, &products, &o, errbuf, sizeof errbuf), 0);
    CHECK(p->counts_unchanged);
    cl_plan_free(p);

    /* ... but a --set still updates. */
    o.sets = set_now;
    o.nsets = 1;
    CHECK_SQL(
        &products, &o, 1,
        "INSERT INTO \"public\".\"products\" AS t (\"sku\", \"updated_at\", \"name\", "
        "\"price\") VALUES ($1, now(), 'unnamed', 0) ON CONFLICT (\"sku\") DO UPDATE "
        "SET "
        "\"updated_at\" = now()");
    /* ... unless --only-changed has nothing to compare. */
    o.only_changed = true;
    CHECK_SQL(
        &products, &o, 1,
        "INSERT INTO \"public\".\"products\" AS t (\"sku\", \"updated_at\", \"name\", "
        "\"price\") VALUES ($1, now(), 'unnamed', 0) ON CONFLICT (\"sku\") DO NOTHING");
}

static void
test_unnest_postgres(void)
{
    cl_plan_opts o = opts(spn, 3);
    cl_plan *p;
    char *a, *b;

    o.form = CL_FORM_UNNEST;
    o.sets = set_now;
    o.nsets = 1;
    o.only_changed = true;
    CHECK_SQL(
        &products, &o, 7,
        "INSERT INTO \"public\".\"products\" AS t (\"sku\", \"name\", \"price\", "
        "\"updated_at\") SELECT u.\"sku\", u.\"name\", u.\"price\", now() FROM "
        "unnest($1::text[], $2::text[], $3::numeric(10,2)[]) AS u(\"sku\", \"name\", "
        "\"price\") ON CONFLICT (\"sku\") DO UPDATE SET \"name\" = excluded.\"name\", "
        "\"price\" = excluded.\"price\", \"updated_at\" = now() WHERE (t.\"name\", "
        "t.\"price\") IS DISTINCT FROM (excluded.\"name\", excluded.\"price\")");

    /* One statement whatever the row count, and no parameter limit. */
    o.batch_size = 50000;
    CHECK_EQ_INT(cl_plan_new(&p, &products, &o, errbuf, sizeof errbuf), 0);
    CHECK_EQ_INT(p->batch_size, 50000);
    a = cl_plan_sql(p, 1);
    b = cl_plan_sql(p, 50000);
    CHECK_EQ_STR(a, b);
    free(a);
    free(b);
    cl_plan_free(p);
}

/* Prisma's "Product": mixed case, and "id" has no database default. */
static void
test_prisma(void)
{
    static const char *const f[] = {"sku",   "name",  "description",
                                    "price", "stock", "createdAt"};
    static const cl_assign defid[] = {{"id", "gen_random_uuid()::text"}};
    cl_plan_opts o = opts(f, 6);

    CHECK_CONTAINS(
        err_of(&prisma, &o),
        "column \"id\" of table \"public\".\"Product\" is NOT NULL without a "
        "default and is not in the input (use --default 'id=EXPR' to supply it)");

    o.defaults = defid;
    o.ndefaults = 1;
    CHECK_SQL(
        &prisma, &o, 1,
        "INSERT INTO \"public\".\"Product\" AS t (\"sku\", \"name\", \"description\", "
        "\"price\", \"stock\", \"createdAt\", \"id\") VALUES ($1, $2, $3, $4, $5, $6, "
        "gen_random_uuid()::text) ON CONFLICT (\"sku\") DO UPDATE SET \"name\" = "
        "excluded.\"name\", \"description\" = excluded.\"description\", \"price\" = "
        "excluded.\"price\", \"stock\" = excluded.\"stock\", \"createdAt\" = "
        "excluded.\"createdAt\"");

    o.form = CL_FORM_UNNEST;
    o.dialect = CL_DIALECT_COCKROACH;
    CHECK_SQL(
        &prisma, &o, 1,
        "INSERT INTO \"public\".\"Product\" AS t (\"sku\", \"name\", \"description\", "
        "\"price\", \"stock\", \"createdAt\", \"id\") SELECT u.\"sku\", u.\"name\", "
        "u.\"description\", u.\"price\", u.\"stock\", u.\"createdAt\", "
        "gen_random_uuid()::text FROM unnest($1::text[], $2::text[], $3::text[], "
        "$4::numeric(10,2)[], $5::integer[], $6::timestamp(3) without time zone[]) AS "
        "u(\"sku\", \"name\", \"description\", \"price\", \"stock\", \"createdAt\") ON "
        "CONFLICT (\"sku\") DO UPDATE SET \"name\" = excluded.\"name\", "
        "\"description\" = "
        "excluded.\"description\", \"price\" = excluded.\"price\", \"stock\" = "
        "excluded.\"stock\", \"createdAt\" = excluded.\"createdAt\"");
}

/* A '"' inside a name is doubled; a composite key; an array column travels
 * as text[] and is cast element by element. */
static void
test_quoting(void)
{
    static const char *const f[] = {"Region", "we\"ird", "v", "tags"};
    cl_plan_opts o = opts(f, 4);
    cl_plan *p;

    o.key = "we\"ird,Region";
    o.only_changed = true;
    CHECK_SQL(
        &odd, &o, 1,
        "INSERT INTO \"public\".\"o\"\"dd\" AS t (\"Region\", \"we\"\"ird\", \"v\", "
        "\"tags\") VALUES ($1, $2, $3, $4) ON CONFLICT (\"we\"\"ird\", \"Region\") DO "
        "UPDATE SET \"v\" = excluded.\"v\", \"tags\" = excluded.\"tags\" WHERE "
        "(t.\"v\", "
        "t.\"tags\") IS DISTINCT FROM (excluded.\"v\", excluded.\"tags\")");
    CHECK_EQ_INT(cl_plan_new(&p, &odd, &o, errbuf, sizeof errbuf), 0);
    CHECK_EQ_INT(p->nkeys, 2);
    CHECK_EQ_INT(p->key_fields[0], 1);
    CHECK_EQ_INT(p->key_fields[1], 0);
    cl_plan_free(p);

    o.form = CL_FORM_UNNEST;
    o.only_changed = false;
    o.dialect = CL_DIALECT_COCKROACH; /* the key is the primary key: UPSERT */
    CHECK_SQL(
        &odd, &o, 1,
        "UPSERT INTO \"public\".\"o\"\"dd\" (\"Region\", \"we\"\"ird\", \"v\", "
        "\"tags\") "
        "SELECT u.\"Region\", u.\"we\"\"ird\", u.\"v\", u.\"tags\"::text[] FROM "
        "unnest($1::text[], $2::text[], $3::integer[], $4::text[]) AS u(\"Region\", "
        "\"we\"\"ird\", \"v\", \"tags\")");
}

/* ------------------------------------------------------------------------ */
/* Statements, CockroachDB.                                                  */

static void
test_cockroach(void)
{
    static const char *const f[] = {"id", "sku", "name", "price"};
    static const cl_assign defcur[] = {{"currency", "'EUR'"}};
    cl_plan_opts o = opts(spn, 3);
    cl_plan *p;

    /* sku is not the primary key of products: ON CONFLICT. */
    o.dialect = CL_DIALECT_COCKROACH;
    CHECK_SQL(&products, &o, 1,
              "INSERT INTO \"public\".\"products\" AS t (\"sku\", \"name\", \"price\") "
              "VALUES "
              "($1, $2, $3) ON CONFLICT (\"sku\") DO UPDATE SET \"name\" = "
              "excluded.\"name\", "
              "\"price\" = excluded.\"price\"");

    /* Keyed on the primary key, every column updated: UPSERT, --set included. */
    o = opts(f, 4);
    o.dialect = CL_DIALECT_COCKROACH;
    o.key = "id";
    o.sets = set_now;
    o.nsets = 1;
    CHECK_SQL(
        &products, &o, 2,
        "UPSERT INTO \"public\".\"products\" (\"id\", \"sku\", \"name\", \"price\", "
        "\"updated_at\") VALUES ($1, $2, $3, $4, now()), ($5, $6, $7, $8, now())");
    CHECK_EQ_INT(cl_plan_new(&p, &products, &o, errbuf, sizeof errbuf), 0);
    CHECK(p->upsert);
    CHECK(!p->counts_unchanged);
    CHECK_EQ_STR(p->tail, "");
    cl_plan_free(p);

    o.form = CL_FORM_UNNEST;
    o.nsets = 0;
    CHECK_SQL(
        &products, &o, 2,
        "UPSERT INTO \"public\".\"products\" (\"id\", \"sku\", \"name\", \"price\") "
        "SELECT "
        "u.\"id\", u.\"sku\", u.\"name\", u.\"price\" FROM unnest($1::uuid[], "
        "$2::text[], "
        "$3::text[], $4::numeric(10,2)[]) AS u(\"id\", \"sku\", \"name\", \"price\")");

    /* The same on PostgreSQL. */
    o.dialect = CL_DIALECT_POSTGRES;
    o.form = CL_FORM_VALUES;
    CHECK_SQL(&products, &o, 1,
              "INSERT INTO \"public\".\"products\" AS t (\"id\", \"sku\", \"name\", "
              "\"price\") "
              "VALUES ($1, $2, $3, $4) ON CONFLICT (\"id\") DO UPDATE SET \"sku\" = "
              "excluded.\"sku\", \"name\" = excluded.\"name\", \"price\" = "
              "excluded.\"price\"");

    /* Not equivalent to UPSERT: each falls back to ON CONFLICT. */
    o.dialect = CL_DIALECT_COCKROACH;
    o.update_columns = "name"; /* sku and price would be overwritten */
    CHECK_SQL(&products, &o, 1,
              "INSERT INTO \"public\".\"products\" AS t (\"id\", \"sku\", \"name\", "
              "\"price\") "
              "VALUES ($1, $2, $3, $4) ON CONFLICT (\"id\") DO UPDATE SET \"name\" = "
              "excluded.\"name\"");
    o.update_columns = "price,name,sku"; /* all of them, in any order: UPSERT again */
    CHECK_SQL(&products, &o, 1,
              "UPSERT INTO \"public\".\"products\" (\"id\", \"sku\", \"name\", "
              "\"price\") VALUES "
              "($1, $2, $3, $4)");
    o.update_columns = NULL;
    o.only_changed = true;
    CHECK_SQL(&products, &o, 1,
              "INSERT INTO \"public\".\"products\" AS t (\"id\", \"sku\", \"name\", "
              "\"price\") "
              "VALUES ($1, $2, $3, $4) ON CONFLICT (\"id\") DO UPDATE SET \"sku\" = "
              "excluded.\"sku\", \"name\" = excluded.\"name\", \"price\" = "
              "excluded.\"price\" "
              "WHERE (t.\"sku\", t.\"name\", t.\"price\") IS DISTINCT FROM "
              "(excluded.\"sku\", "
              "excluded.\"name\", excluded.\"price\")");
    o.only_changed = false;
    o.insert_only = true;
    CHECK_SQL(&products, &o, 1,
              "INSERT INTO \"public\".\"products\" AS t (\"id\", \"sku\", \"name\", "
              "\"price\") "
              "VALUES ($1, $2, $3, $4) ON CONFLICT (\"id\") DO NOTHING");
    o.insert_only = false;
    o.defaults = defcur; /* would be written on update too */
    o.ndefaults = 1;
    CHECK_SQL(&products, &o, 1,
              "INSERT INTO \"public\".\"products\" AS t (\"id\", \"sku\", \"name\", "
              "\"price\", "
              "\"currency\") VALUES ($1, $2, $3, $4, 'EUR') ON CONFLICT (\"id\") DO "
              "UPDATE SET "
              "\"sku\" = excluded.\"sku\", \"name\" = excluded.\"name\", \"price\" = "
              "excluded.\"price\"");
    CHECK_EQ_INT(cl_plan_new(&p, &products, &o, errbuf, sizeof errbuf), 0);
    CHECK(!p->upsert);
    cl_plan_free(p);
}

/* Insert first: on CockroachDB an ON CONFLICT plan also has the plain
 * INSERT, the same text without its ON CONFLICT clause (--set and --default
 * kept, as an insert writes them); UPSERT INTO and PostgreSQL do not. */
static void
test_insert_first(void)
{
    static const char *const f[] = {"id", "sku", "name", "price"};
    static const cl_assign defcur[] = {{"currency", "'EUR'"}};
    cl_plan_opts o = opts(spn, 3);
    cl_plan *p = NULL;
    char *sql;

    o.dialect = CL_DIALECT_COCKROACH;
    o.sets = set_now;
    o.nsets = 1;
    o.defaults = defcur;
    o.ndefaults = 1;
    CHECK_EQ_INT(cl_plan_new(&p, &products, &o, errbuf, sizeof errbuf), 0);
    CHECK(p->insert_first);
    sql = cl_plan_insert_sql(p, 2);
    CHECK_EQ_STR(
        sql, "INSERT INTO \"public\".\"products\" AS t (\"sku\", \"name\", \"price\", "
             "\"updated_at\", \"currency\") VALUES ($1, $2, $3, now(), 'EUR'), "
             "($4, $5, $6, now(), 'EUR')");
    free(sql);
    cl_plan_free(p);

    o.form = CL_FORM_UNNEST;
    o.insert_only = true;
    CHECK_EQ_INT(cl_plan_new(&p, &products, &o, errbuf, sizeof errbuf), 0);
    CHECK(p->insert_first);
    sql = cl_plan_insert_sql(p, 1000);
    CHECK_EQ_STR(
        sql, "INSERT INTO \"public\".\"products\" AS t (\"sku\", \"name\", \"price\", "
             "\"updated_at\", \"currency\") SELECT u.\"sku\", u.\"name\", u.\"price\", "
             "now(), 'EUR' FROM unnest($1::text[], $2::text[], $3::numeric(10,2)[]) "
             "AS u(\"sku\", \"name\", \"price\")");
    free(sql);
    cl_plan_free(p);

    o.dialect = CL_DIALECT_POSTGRES;
    CHECK_EQ_INT(cl_plan_new(&p, &products, &o, errbuf, sizeof errbuf), 0);
    CHECK(!p->insert_first);
    cl_plan_free(p);

    o = opts(f, 4);
    o.dialect = CL_DIALECT_COCKROACH;
    o.key = "id"; /* UPSERT INTO: no insert first */
    CHECK_EQ_INT(cl_plan_new(&p, &products, &o, errbuf, sizeof errbuf), 0);
    CHECK(p->upsert);
    CHECK(!p->insert_first);
    cl_plan_free(p);
}

/* --statement-form auto: the form measured faster on each server (README,
 * "Performance"); an explicit form is kept on both. */
static cl_stmt_form
form_of(const cl_plan_opts *o)
{
    cl_plan *p = NULL;
    cl_stmt_form f = CL_FORM_AUTO;

    CHECK_EQ_INT(cl_plan_new(&p, &products, o, errbuf, sizeof errbuf), 0);
    if (p)
        f = p->form;
    cl_plan_free(p);
    return f;
}

static void
test_form_auto(void)
{
    cl_plan_opts o = opts(spn, 3);

    CHECK_EQ_INT(cl_stmt_form_resolve(CL_FORM_AUTO, CL_DIALECT_COCKROACH),
                 CL_FORM_UNNEST);
    CHECK_EQ_INT(cl_stmt_form_resolve(CL_FORM_AUTO, CL_DIALECT_POSTGRES),
                 CL_FORM_VALUES);
    CHECK_EQ_INT(cl_stmt_form_resolve(CL_FORM_VALUES, CL_DIALECT_COCKROACH),
                 CL_FORM_VALUES);
    CHECK_EQ_INT(cl_stmt_form_resolve(CL_FORM_UNNEST, CL_DIALECT_POSTGRES),
                 CL_FORM_UNNEST);

    o.form = CL_FORM_AUTO;
    o.dialect = CL_DIALECT_COCKROACH;
    CHECK_EQ_INT(form_of(&o), CL_FORM_UNNEST);
    CHECK_SQL(
        &products, &o, 2,
        "INSERT INTO \"public\".\"products\" AS t (\"sku\", \"name\", \"price\") "
        "SELECT "
        "u.\"sku\", u.\"name\", u.\"price\" FROM unnest($1::text[], $2::text[], "
        "$3::numeric(10,2)[]) AS u(\"sku\", \"name\", \"price\") ON CONFLICT (\"sku\") "
        "DO "
        "UPDATE SET \"name\" = excluded.\"name\", \"price\" = excluded.\"price\"");

    o.dialect = CL_DIALECT_POSTGRES;
    CHECK_EQ_INT(form_of(&o), CL_FORM_VALUES);
    CHECK_SQL(&products, &o, 1,
              "INSERT INTO \"public\".\"products\" AS t (\"sku\", \"name\", \"price\") "
              "VALUES "
              "($1, $2, $3) ON CONFLICT (\"sku\") DO UPDATE SET \"name\" = "
              "excluded.\"name\", "
              "\"price\" = excluded.\"price\"");
}

/* ------------------------------------------------------------------------ */
/* Configuration errors.                                                     */

static void
test_errors(void)
{
    static const char *const unknown[] = {"sku", "foo", "name", "price"};
    static const char *const twice[] = {"sku", "name", "price", "name"};
    static const char *const nokey[] = {"name", "price"};
    static const char *const noname[] = {"sku", "price"};
    static const char *const gen[] = {"we\"ird", "Region", "g"};
    static const cl_assign bad_set[] = {{"bogus", "1"}};
    static const cl_assign name_set[] = {{"name", "'x'"}};
    static const cl_assign gen_set[] = {{"g", "1"}};
    static const cl_assign empty_set[] = {{"updated_at", ""}};
    cl_plan_opts o = opts(unknown, 4);

    CHECK_EQ_STR(
        err_of(&products, &o),
        "column \"foo\" of the input does not exist in table \"public\".\"products\" "
        "(its columns: \"id\", \"sku\", \"name\", \"description\", \"price\", "
        "\"stock\", \"currency\", \"updated_at\")");

    o = opts(twice, 4);
    CHECK_EQ_STR(err_of(&products, &o),
                 "column \"name\" is named twice in the input (fields 2 and 4)");

    o = opts(nokey, 2);
    CHECK_EQ_STR(err_of(&products, &o), "key column \"sku\" is not in the input");

    o = opts(spn, 3);
    o.key = "skux";
    CHECK_EQ_STR(
        err_of(&products, &o),
        "column \"skux\" of --key does not exist in table \"public\".\"products\" "
        "(its columns: \"id\", \"sku\", \"name\", \"description\", \"price\", "
        "\"stock\", \"currency\", \"updated_at\")");
    o.key = " sku"; /* names are exact: nothing is trimmed */
    CHECK_CONTAINS(err_of(&products, &o), "column \" sku\" of --key does not exist");
    o.key = "sku,";
    CHECK_EQ_STR(err_of(&products, &o), "empty column name in --key \"sku,\"");
    o.key = "sku,sku";
    CHECK_EQ_STR(err_of(&products, &o), "column \"sku\" is named twice in --key");
    o.key = "";
    CHECK_CONTAINS(err_of(&products, &o), "no key column given");
    o.key = "name";
    CHECK_EQ_STR(
        err_of(&products, &o),
        "table \"public\".\"products\" has no unique index or primary key on exactly "
        "(name), which ON CONFLICT needs");
    o.key = "sku,name";
    CHECK_CONTAINS(
        err_of(&products, &o),
        "no unique index or primary key on exactly (sku,name), which ON CONFLICT "
        "needs");

    o = opts(noname, 2);
    CHECK_EQ_STR(err_of(&products, &o),
                 "column \"name\" of table \"public\".\"products\" is NOT NULL without "
                 "a default "
                 "and is not in the input (use --default 'name=EXPR' to supply it)");
    o.sets = name_set; /* --set supplies it too */
    o.nsets = 1;
    {
        char *sql = sql_of(&products, &o, 1);

        CHECK_CONTAINS(sql, "VALUES ($1, $2, 'x') ON CONFLICT (\"sku\") DO UPDATE SET "
                            "\"price\" = excluded.\"price\", \"name\" = 'x'");
        free(sql);
    }

    o = opts(spn, 3);
    o.update_columns = "description";
    CHECK_EQ_STR(err_of(&products, &o),
                 "column \"description\" of --update-columns is not in the input");
    o.update_columns = "name,sku";
    CHECK_EQ_STR(err_of(&products, &o),
                 "column \"sku\" of --update-columns is a key column");
    o.update_columns = "bogus";
    CHECK_CONTAINS(err_of(&products, &o),
                   "column \"bogus\" of --update-columns does not exist in table "
                   "\"public\".\"products\" (its columns: \"id\", \"sku\",");
    o.update_columns = "name,name";
    CHECK_EQ_STR(err_of(&products, &o),
                 "column \"name\" is named twice in --update-columns");

    o = opts(spn, 3);
    o.sets = bad_set;
    o.nsets = 1;
    CHECK_CONTAINS(
        err_of(&products, &o),
        "column \"bogus\" of --set does not exist in table \"public\".\"products\" "
        "(its columns: \"id\", \"sku\", \"name\",");
    o.sets = name_set;
    CHECK_EQ_STR(err_of(&products, &o),
                 "column \"name\" of --set is also in the input");
    o.sets = empty_set;
    CHECK_EQ_STR(err_of(&products, &o),
                 "empty expression for column \"updated_at\" in --set");
    /* a column given twice in --set/--default: test_config.c */
    o.sets = NULL;
    o.nsets = 0;
    o.ndefaults = 1;
    o.defaults = bad_set;
    CHECK_CONTAINS(err_of(&products, &o),
                   "column \"bogus\" of --default does not exist");
    o.defaults = name_set;
    CHECK_EQ_STR(err_of(&products, &o),
                 "column \"name\" of --default is also in the input");

    o = opts(gen, 3);
    o.key = "we\"ird,Region";
    CHECK_EQ_STR(
        err_of(&odd, &o),
        "column \"g\" of the input is a generated column and cannot be written");
    o.nfields = 2;
    o.sets = gen_set;
    o.nsets = 1;
    CHECK_EQ_STR(err_of(&odd, &o),
                 "column \"g\" of --set is a generated column and cannot be written");

    /* The message is cut to the buffer, never past it. */
    {
        char small[16];
        cl_plan *p = NULL;

        o = opts(unknown, 4);
        CHECK_EQ_INT(cl_plan_new(&p, &products, &o, small, sizeof small), CL_ECONFIG);
        CHECK_EQ_STR(small, "column \"foo\" of");
    }
}

/* ------------------------------------------------------------------------ */
/* Batch size.                                                               */

static void
test_batch_size(void)
{
    enum { WIDE = 100 };
    static cl_column wide_cols[WIDE];
    static char names[WIDE][16];
    static const char *fields[WIDE];
    static size_t key0[] = {0};
    static cl_unique wide_unique = {1, key0, true};
    cl_table wide = {(char *)"public",
                     (char *)"wide",
                     (char *)"\"public\".\"wide\"",
                     wide_cols,
                     WIDE,
                     &wide_unique,
                     1};
    cl_plan_opts o;
    cl_plan *p;

    for (int i = 0; i < WIDE; i++) {
        snprintf(names[i], sizeof names[i], "c%d", i);
        wide_cols[i] = (cl_column)COL(names[i], "text", CL_TYPE_TEXT, false, false);
        fields[i] = names[i];
    }
    o = opts(fields, WIDE);
    o.key = "c0";
    CHECK_EQ_INT(cl_plan_new(&p, &wide, &o, errbuf, sizeof errbuf), 0);
    CHECK_EQ_INT(p->batch_size, 655); /* 65535 / 100 */
    {
        char *sql = cl_plan_sql(p, 655);

        CHECK_CONTAINS(sql, ", $65500) ON CONFLICT (\"c0\")");
        free(sql);
    }
    cl_plan_free(p);

    o.form = CL_FORM_UNNEST; /* 100 parameters whatever the rows */
    CHECK_EQ_INT(cl_plan_new(&p, &wide, &o, errbuf, sizeof errbuf), 0);
    CHECK_EQ_INT(p->batch_size, 1000);
    cl_plan_free(p);

    o = opts(spn, 3);
    o.batch_size = 30000;
    CHECK_EQ_INT(cl_plan_new(&p, &products, &o, errbuf, sizeof errbuf), 0);
    CHECK_EQ_INT(p->batch_size, 21845);
    CHECK_EQ_INT(p->batch_bytes, 8u << 20);
    cl_plan_free(p);

    o.batch_size = 0; /* the default */
    o.batch_bytes = 0;
    CHECK_EQ_INT(cl_plan_new(&p, &products, &o, errbuf, sizeof errbuf), 0);
    CHECK_EQ_INT(p->batch_size, CL_DEFAULT_BATCH_SIZE);
    CHECK_EQ_INT(p->batch_bytes, CL_DEFAULT_BATCH_BYTES);
    cl_plan_free(p);
}

/* ------------------------------------------------------------------------ */
/* The batch.                                                                */

/* A record from strings; NULL pointers are SQL NULLs. */
static void
rec(cl_field *f, size_t n, const char *const *v)
{
    for (size_t i = 0; i < n; i++) {
        f[i].data = v[i];
        f[i].len = v[i] ? strlen(v[i]) : 0;
    }
}

/* A record in as the router adds it: its key hashed once, over the batch's
 * key fields, then added with that hash. */
static int
add(cl_batch *b, const size_t *key, size_t nkeys, const cl_field *f, uint64_t line)
{
    return cl_batch_add_hashed(b, f, line, cl_key_hash(f, key, nkeys));
}

static void
test_batch_merge(void)
{
    static const size_t key[] = {0};
    cl_batch *b = cl_batch_new(3, key, 1, 100, 1 << 20);
    cl_field f[3];
    size_t len;

    CHECK(b != NULL);
    CHECK_EQ_INT(cl_batch_nfields(b), 3);
    rec(f, 3, (const char *const[]){"a", "one", NULL});
    CHECK_EQ_INT(add(b, key, 1, f, 2), 0);
    rec(f, 3, (const char *const[]){"b", "two", "x"});
    CHECK_EQ_INT(add(b, key, 1, f, 3), 0);
    CHECK_EQ_INT(cl_batch_bytes(b), 1 + 3 + 1 + 3 + 1);
    /* The same key again: the later row wins, in place. */
    rec(f, 3, (const char *const[]){"a", "three", ""});
    CHECK_EQ_INT(add(b, key, 1, f, 7), 1);
    CHECK_EQ_INT(cl_batch_rows(b), 2);
    CHECK_EQ_STR(cl_batch_value(b, 0, 1, &len), "three");
    CHECK_EQ_INT(len, 5);
    CHECK_EQ_STR(cl_batch_value(b, 0, 2, &len), ""); /* "" is not NULL */
    CHECK_EQ_INT(len, 0);
    CHECK_EQ_INT(cl_batch_line(b, 0), 7);
    CHECK_EQ_INT(cl_batch_line(b, 1), 3);
    CHECK_EQ_STR(cl_batch_value(b, 1, 1, NULL), "two");
    CHECK_EQ_INT(cl_batch_bytes(b), 1 + 5 + 0 + 1 + 3 + 1);
    /* Shorter values reuse the row's room; NULL comes back NULL. */
    rec(f, 3, (const char *const[]){"a", "4", NULL});
    CHECK_EQ_INT(add(b, key, 1, f, 9), 1);
    CHECK_EQ_STR(cl_batch_value(b, 0, 1, NULL), "4");
    CHECK(cl_batch_value(b, 0, 2, &len) == NULL);
    CHECK_EQ_INT(len, 0);
    CHECK_EQ_INT(cl_batch_bytes(b), 1 + 1 + 1 + 3 + 1);
    /* Out of range: NULL, line 0. */
    CHECK(cl_batch_value(b, 2, 0, NULL) == NULL);
    CHECK(cl_batch_value(b, 0, 3, NULL) == NULL);
    CHECK_EQ_INT(cl_batch_line(b, 5), 0);

    /* A NULL key never merges: NULLs are distinct to a unique index. */
    rec(f, 3, (const char *const[]){NULL, "n1", NULL});
    CHECK_EQ_INT(add(b, key, 1, f, 10), 0);
    rec(f, 3, (const char *const[]){NULL, "n2", NULL});
    CHECK_EQ_INT(add(b, key, 1, f, 11), 0);
    CHECK_EQ_INT(cl_batch_rows(b), 4);

    /* Reset keeps nothing but memory: "a" is new again. */
    cl_batch_reset(b);
    CHECK_EQ_INT(cl_batch_rows(b), 0);
    CHECK_EQ_INT(cl_batch_bytes(b), 0);
    rec(f, 3, (const char *const[]){"a", "five", NULL});
    CHECK_EQ_INT(add(b, key, 1, f, 12), 0);
    CHECK_EQ_STR(cl_batch_value(b, 0, 1, NULL), "five");
    CHECK_EQ_INT(cl_batch_line(b, 0), 12);
    cl_batch_free(b);
    cl_batch_free(NULL);

    /* A key field past the record: refused. */
    CHECK(cl_batch_new(2, (const size_t[]){2}, 1, 10, 10) == NULL);
}

/* Composite keys: ("ab","c") and ("a","bc") are different rows. */
static void
test_batch_composite(void)
{
    static const size_t key[] = {1, 0};
    cl_batch *b = cl_batch_new(3, key, 2, 0, 0);
    cl_field f[3];

    rec(f, 3, (const char *const[]){"ab", "c", "1"});
    CHECK_EQ_INT(add(b, key, 2, f, 1), 0);
    rec(f, 3, (const char *const[]){"a", "bc", "2"});
    CHECK_EQ_INT(add(b, key, 2, f, 2), 0);
    rec(f, 3, (const char *const[]){"ab", "c", "3"});
    CHECK_EQ_INT(add(b, key, 2, f, 3), 1);
    CHECK_EQ_INT(cl_batch_rows(b), 2);
    CHECK_EQ_STR(cl_batch_value(b, 0, 2, NULL), "3");
    CHECK_EQ_STR(cl_batch_value(b, 1, 2, NULL), "2");
    CHECK(!cl_batch_full(b, 1u << 30)); /* 0: no caps */
    cl_batch_free(b);
}

/* Many rows and many duplicates: the index and the arena grow, garbage from
 * replaced rows is reclaimed, and every row keeps its own latest values. */
static void
test_batch_growth(void)
{
    enum { N = 20000, ROUNDS = 6 };
    static const size_t key[] = {0};
    cl_batch *b = cl_batch_new(2, key, 1, 0, 0);
    char k[32], v[256];
    cl_field f[2];
    int bad = 0;

    for (int round = 0; round < ROUNDS; round++) {
        for (int i = 0; i < N; i++) {
            /* values grow and shrink from round to round */
            int vlen = snprintf(v, sizeof v, "%d-%0*d", i, (round * 37) % 200, round);

            snprintf(k, sizeof k, "key%d", i);
            f[0].data = k;
            f[0].len = strlen(k);
            f[1].data = v;
            f[1].len = (size_t)vlen;
            if (add(b, key, 1, f, (uint64_t)(round * N + i)) != (round ? 1 : 0))
                bad++;
        }
    }
    CHECK_EQ_INT(bad, 0);
    CHECK_EQ_INT(cl_batch_rows(b), N);
    for (int i = 0; i < N; i++) {
        int round = ROUNDS - 1;

        snprintf(k, sizeof k, "key%d", i);
        snprintf(v, sizeof v, "%d-%0*d", i, (round * 37) % 200, round);
        if (strcmp(cl_batch_value(b, (size_t)i, 0, NULL), k) != 0 ||
            strcmp(cl_batch_value(b, (size_t)i, 1, NULL), v) != 0 ||
            cl_batch_line(b, (size_t)i) != (uint64_t)(round * N + i))
            bad++;
    }
    CHECK_EQ_INT(bad, 0);
    cl_batch_free(b);
}

static void
test_batch_full(void)
{
    static const size_t key[] = {0};
    cl_batch *b = cl_batch_new(1, key, 1, 2, 10);
    cl_field f[1];

    CHECK(!cl_batch_full(b, 1000)); /* an empty batch takes any record */
    rec(f, 1, (const char *const[]){"abcd"});
    add(b, key, 1, f, 1);
    CHECK(!cl_batch_full(b, 6));
    CHECK(cl_batch_full(b, 7)); /* 4 + 7 > 10 */
    rec(f, 1, (const char *const[]){"ef"});
    add(b, key, 1, f, 2);
    CHECK(cl_batch_full(b, 0)); /* 2 rows */
    cl_batch_reset(b);
    rec(f, 1, (const char *const[]){"a very long value, past the cap"});
    CHECK_EQ_INT(add(b, key, 1, f, 3), 0);
    CHECK(cl_batch_full(b, 0)); /* over the cap already */
    cl_batch_free(b);
}

/* ------------------------------------------------------------------------ */
/* Parameters.                                                               */

static void
test_bind_values(void)
{
    static const char *const f[] = {"sku", NULL, "name", "price"};
    cl_plan_opts o = opts(f, 4);
    cl_plan *p;
    cl_batch *b;
    cl_bind bind = {0};
    cl_field r[4];

    CHECK_EQ_INT(cl_plan_new(&p, &products, &o, errbuf, sizeof errbuf), 0);
    CHECK_EQ_INT(p->ncols, 3);
    CHECK_EQ_INT(p->field_of_col[1], 2);
    b = cl_batch_new(4, p->key_fields, p->nkeys, 100, 1 << 20);
    rec(r, 4, (const char *const[]){"s1", "skipped", "n1", "1.00"});
    add(b, p->key_fields, p->nkeys, r, 2);
    rec(r, 4, (const char *const[]){"s2", "skipped", NULL, "2.50"});
    add(b, p->key_fields, p->nkeys, r, 3);
    rec(r, 4, (const char *const[]){"s3", "skipped", "n3", ""});
    add(b, p->key_fields, p->nkeys, r, 4);

    CHECK_EQ_INT(cl_plan_bind(p, b, 0, 3, &bind), 0);
    CHECK_EQ_INT(bind.nparams, 9);
    /* Borrowed from the batch, not copied. */
    CHECK(bind.values[0] == cl_batch_value(b, 0, 0, NULL));
    CHECK(bind.values[1] == cl_batch_value(b, 0, 2, NULL));
    CHECK_EQ_STR(bind.values[2], "1.00");
    CHECK_EQ_INT(bind.lengths[2], 4);
    CHECK(bind.values[4] == NULL);
    CHECK_EQ_STR(bind.values[8], "");
    CHECK_EQ_INT(bind.lengths[8], 0);

    /* A sub-range: rows 1..2 only, numbered from $1. */
    CHECK_EQ_INT(cl_plan_bind(p, b, 1, 2, &bind), 0);
    CHECK_EQ_INT(bind.nparams, 6);
    CHECK_EQ_STR(bind.values[0], "s2");
    CHECK_EQ_STR(bind.values[3], "s3");
    CHECK_EQ_INT(cl_plan_bind(p, b, 2, 2, &bind), CL_ECONFIG); /* past the end */
    CHECK_EQ_INT(cl_plan_bind(p, b, 3, 0, &bind), 0);
    CHECK_EQ_INT(bind.nparams, 0);

    cl_bind_free(&bind);
    CHECK(bind.values == NULL && bind.cap == 0);
    cl_bind_free(&bind);
    cl_batch_free(b);
    cl_plan_free(p);
}

static void
test_bind_unnest(void)
{
    static const char *const f[] = {"sku", "name", "description", "price"};
    cl_plan_opts o = opts(f, 4);
    cl_plan *p;
    cl_batch *b;
    cl_bind bind = {0};
    cl_field r[4];
    char *buf;
    size_t cap;

    o.form = CL_FORM_UNNEST;
    CHECK_EQ_INT(cl_plan_new(&p, &products, &o, errbuf, sizeof errbuf), 0);
    b = cl_batch_new(4, p->key_fields, p->nkeys, 100, 1 << 20);
    rec(r, 4, (const char *const[]){"a\"b", "back\\slash", NULL, "1"});
    add(b, p->key_fields, p->nkeys, r, 2);
    rec(r, 4, (const char *const[]){"NULL", "", "NULL", "2"});
    add(b, p->key_fields, p->nkeys, r, 3);
    rec(r, 4, (const char *const[]){" {x,y} ", "caf\xc3\xa9", "", "3"});
    add(b, p->key_fields, p->nkeys, r, 4);

    CHECK_EQ_INT(cl_plan_bind(p, b, 0, 3, &bind), 0);
    CHECK_EQ_INT(bind.nparams, 4);
    /* Every element quoted, " and \ escaped; NULL bare, so the text NULL
     * stays text and blanks and braces stay as they are. */
    CHECK_EQ_STR(bind.values[0], "{\"a\\\"b\",\"NULL\",\" {x,y} \"}");
    CHECK_EQ_STR(bind.values[1], "{\"back\\\\slash\",\"\",\"caf\xc3\xa9\"}");
    CHECK_EQ_STR(bind.values[2], "{NULL,\"NULL\",\"\"}");
    CHECK_EQ_STR(bind.values[3], "{\"1\",\"2\",\"3\"}");
    CHECK_EQ_INT(bind.lengths[0], (int)strlen(bind.values[0]));
    CHECK_EQ_INT(bind.lengths[2], 16);

    /* A sub-range, in the same buffer. */
    buf = bind.buf;
    cap = bind.bufcap;
    CHECK_EQ_INT(cl_plan_bind(p, b, 1, 1, &bind), 0);
    CHECK_EQ_STR(bind.values[0], "{\"NULL\"}");
    CHECK_EQ_STR(bind.values[2], "{\"NULL\"}");
    CHECK_EQ_STR(bind.values[3], "{\"2\"}");
    CHECK(bind.buf == buf && bind.bufcap == cap);
    CHECK_EQ_INT(cl_plan_bind(p, b, 0, 0, &bind), 0);
    CHECK_EQ_STR(bind.values[1], "{}");

    cl_bind_free(&bind);
    cl_batch_free(b);
    cl_plan_free(p);
}

/* ------------------------------------------------------------------------ */
/* The key hash.                                                             */

static uint64_t
hash_of(const char *const *v, size_t n)
{
    static const size_t keys[] = {0, 1, 2, 3};
    cl_field f[4];

    rec(f, n, v);
    return cl_key_hash(f, keys, n);
}

static void
test_hash(void)
{
    char copy[] = "sku-1";
    cl_field f[2] = {{copy, 5}, {"x", 1}};
    static const size_t k0[] = {0}, k10[] = {1, 0}, k01[] = {0, 1};

    CHECK(hash_of((const char *const[]){"ab", "c"}, 2) !=
          hash_of((const char *const[]){"a", "bc"}, 2));
    CHECK(hash_of((const char *const[]){"abc", ""}, 2) !=
          hash_of((const char *const[]){"ab", "c"}, 2));
    CHECK(hash_of((const char *const[]){"", NULL}, 2) !=
          hash_of((const char *const[]){"", ""}, 2));
    CHECK(hash_of((const char *const[]){NULL}, 1) !=
          hash_of((const char *const[]){""}, 1));
    CHECK(hash_of((const char *const[]){"a"}, 1) !=
          hash_of((const char *const[]){"b"}, 1));
    /* Deterministic: the bytes count, not where they are. */
    CHECK(cl_key_hash(f, k0, 1) == hash_of((const char *const[]){"sku-1"}, 1));
    CHECK(cl_key_hash(f, k01, 2) != cl_key_hash(f, k10, 2));
    /* Lengths past 8 bytes and every tail length hash apart. */
    {
        const char *s = "0123456789abcdefghijklmnopqrstuv";
        uint64_t h[33];
        int same = 0;

        for (int n = 0; n <= 32; n++) {
            cl_field g = {s, (size_t)n};

            h[n] = cl_key_hash(&g, k0, 1);
            for (int m = 0; m < n; m++)
                same += h[m] == h[n];
        }
        CHECK_EQ_INT(same, 0);
    }
    /* The low bits spread: 4096 keys over 8 workers, none far off 512. */
    {
        int count[8] = {0}, worst = 0;
        char buf[32];

        for (int i = 0; i < 4096; i++) {
            cl_field g;

            g.len = (size_t)snprintf(buf, sizeof buf, "SKU-%06d", i);
            g.data = buf;
            count[cl_key_hash(&g, k0, 1) % 8]++;
        }
        for (int w = 0; w < 8; w++)
            worst = abs(count[w] - 512) > worst ? abs(count[w] - 512) : worst;
        CHECK(worst < 100);
    }
}

int
main(void)
{
    test_values_postgres();
    test_only_changed();
    test_do_nothing();
    test_unnest_postgres();
    test_prisma();
    test_quoting();
    test_cockroach();
    test_insert_first();
    test_form_auto();
    test_errors();
    test_batch_size();
    test_batch_merge();
    test_batch_composite();
    test_batch_growth();
    test_batch_full();
    test_bind_values();
    test_bind_unnest();
    test_hash();
    return TEST_REPORT();
}
