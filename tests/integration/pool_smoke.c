/*
 * tests/integration/pool_smoke.c - schema.c and pool.c against a live
 * PostgreSQL: the catalog reading of the reference tables, and the pool's
 * loading, splitting, rejecting, retrying (40001, 40003), reconnecting (a
 * backend that kills itself), aborting (fatal error, retries exhausted, too
 * many rejects, stop) and connect failures.
 *
 *   PGURL=postgresql://postgres@127.0.0.1:PORT/db ./pool_smoke [FIXTURES_DIR]
 *
 * Needs a superuser (the reconnect test terminates its own backend). It
 * drops and recreates its tables. Never skips: no PGURL is a failure.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>

#include "batch.h"
#include "crdbload/crdbload.h"
#include "plan.h"
#include "stats.h"
#include "pool.h"
#include "schema.h"

#include "../unit/testutil.h"

static const char *url;
static const char *fixtures = "fixtures";
static PGconn *ctl;

static void
exec_ok(const char *sql)
{
    PGresult *res = PQexec(ctl, sql);
    ExecStatusType s = PQresultStatus(res);

    if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK)
        fprintf(stderr, "SQL failed: %s\n%s", sql, PQerrorMessage(ctl));
    CHECK(s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK);
    PQclear(res);
}

static long long
query_int(const char *sql)
{
    PGresult *res = PQexec(ctl, sql);
    long long v = -1;

    if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1 &&
        !PQgetisnull(res, 0, 0))
        v = atoll(PQgetvalue(res, 0, 0));
    else
        fprintf(stderr, "query failed: %s\n%s", sql, PQerrorMessage(ctl));
    PQclear(res);
    return v;
}

static void
exec_file(const char *name)
{
    char path[1024];
    FILE *f;
    char *buf;
    long n;

    snprintf(path, sizeof path, "%s/%s", fixtures, name);
    f = fopen(path, "rb");
    CHECK(f != NULL);
    if (!f) {
        fprintf(stderr, "cannot open %s\n", path);
        return;
    }
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    rewind(f);
    buf = calloc(1, (size_t)n + 1);
    if (buf && fread(buf, 1, (size_t)n, f) == (size_t)n)
        exec_ok(buf);
    free(buf);
    fclose(f);
}

static uint64_t
retries_for(cl_stats *s, const char *state)
{
    uint64_t code = 0;

    for (int i = 0; i < 5; i++)
        code = (code << 8) | (unsigned char)state[i];
    for (int i = 0; i < CL_STATS_MAX_SQLSTATES; i++)
        if (atomic_load(&s->by_sqlstate[i].code) == code)
            return atomic_load(&s->by_sqlstate[i].count);
    return 0;
}

/* ---- schema -------------------------------------------------------------- */

static const cl_column *
col(const cl_table *t, const char *name)
{
    int i = cl_table_column(t, name);
    CHECK(i >= 0);
    return i >= 0 ? &t->cols[i] : NULL;
}

static void
test_schema_products(void)
{
    cl_table *t = NULL;
    char err[512];
    const cl_column *c;
    size_t id_col[1], sku_col[1], both[2];

    CHECK_EQ_INT(cl_schema_load(ctl, "products", &t, err, sizeof err), 0);
    if (!t)
        return;
    CHECK_EQ_STR(t->schema, "public");
    CHECK_EQ_STR(t->name, "products");
    CHECK_EQ_STR(t->qualified, "\"public\".\"products\"");
    CHECK_EQ_INT(t->ncols, 8);

    c = col(t, "id");
    CHECK(c && c->kind == CL_TYPE_UUID && c->not_null && c->has_default &&
          !c->generated);
    c = col(t, "sku");
    CHECK(c && c->kind == CL_TYPE_TEXT && c->not_null && !c->has_default);
    c = col(t, "description");
    CHECK(c && c->kind == CL_TYPE_TEXT && !c->not_null);
    c = col(t, "price");
    CHECK(c && c->kind == CL_TYPE_NUMERIC && c->precision == 10 && c->scale == 2 &&
          c->not_null);
    CHECK_EQ_STR(c ? c->type_name : NULL, "numeric(10,2)");
    c = col(t, "stock");
    CHECK(c && c->kind == CL_TYPE_INT4 && c->has_default && c->precision == -1);
    c = col(t, "updated_at");
    CHECK(c && c->kind == CL_TYPE_TIMESTAMP && c->has_default);
    CHECK_EQ_STR(c ? c->type_name : NULL, "timestamp with time zone");
    CHECK_EQ_INT(cl_table_column(t, "SKU"), -1);

    CHECK_EQ_INT(t->nuniques, 2);
    id_col[0] = (size_t)cl_table_column(t, "id");
    sku_col[0] = (size_t)cl_table_column(t, "sku");
    both[0] = sku_col[0];
    both[1] = id_col[0];
    CHECK(cl_table_unique_on(t, id_col, 1) &&
          cl_table_unique_on(t, id_col, 1)->primary);
    CHECK(cl_table_unique_on(t, sku_col, 1) &&
          !cl_table_unique_on(t, sku_col, 1)->primary);
    CHECK(cl_table_unique_on(t, both, 2) == NULL);

    static const char *const want[][2] = {{"id", "uuid"},
                                          {"sku", "text"},
                                          {"name", "text"},
                                          {"description", "text"},
                                          {"price", "numeric(10,2)"}};
    CHECK(t->ncols >= 5);
    for (size_t i = 0; i < 5 && i < t->ncols; i++) {
        CHECK_EQ_STR(t->cols[i].name, want[i][0]);
        CHECK_EQ_STR(t->cols[i].type_name, want[i][1]);
    }
    cl_table_free(t);

    /* schema.table, each part literal */
    CHECK_EQ_INT(cl_schema_load(ctl, "public.products", &t, err, sizeof err), 0);
    cl_table_free(t);
}

static void
test_schema_prisma(void)
{
    cl_table *t = NULL;
    char err[512];
    const cl_column *c;
    size_t k[1];

    CHECK_EQ_INT(cl_schema_load(ctl, "Product", &t, err, sizeof err), 0);
    if (!t)
        return;
    CHECK_EQ_STR(t->name, "Product");
    CHECK_EQ_STR(t->qualified, "\"public\".\"Product\"");
    CHECK_EQ_INT(t->ncols, 7);
    c = col(t, "id");
    CHECK(c && c->kind == CL_TYPE_TEXT && c->not_null && !c->has_default);
    c = col(t, "price");
    CHECK(c && c->kind == CL_TYPE_NUMERIC && c->precision == 10 && c->scale == 2);
    c = col(t, "createdAt");
    CHECK(c && c->kind == CL_TYPE_TIMESTAMP && c->has_default && c->not_null);
    CHECK_EQ_STR(c ? c->type_name : NULL, "timestamp(3) without time zone");
    /* the plain index on sku is not a unique one */
    CHECK_EQ_INT(t->nuniques, 2);
    k[0] = (size_t)cl_table_column(t, "sku");
    CHECK(cl_table_unique_on(t, k, 1) != NULL);
    k[0] = (size_t)cl_table_column(t, "id");
    CHECK(cl_table_unique_on(t, k, 1) && cl_table_unique_on(t, k, 1)->primary);
    cl_table_free(t);

    CHECK_EQ_INT(cl_schema_load(ctl, "public.Product", &t, err, sizeof err), 0);
    cl_table_free(t);

    /* literal: "product" is not "Product" */
    t = NULL;
    CHECK_EQ_INT(cl_schema_load(ctl, "product", &t, err, sizeof err), CL_ECONFIG);
    CHECK(t == NULL);
    CHECK_CONTAINS(err, "table \"product\" does not exist");
    CHECK_CONTAINS(err, "Hint:");
    CHECK_CONTAINS(err, "search_path");
    CHECK_EQ_INT(cl_schema_load(ctl, "nosuch.products", &t, err, sizeof err),
                 CL_ECONFIG);
    CHECK_CONTAINS(err, "\"nosuch\".\"products\" does not exist");
    CHECK_EQ_INT(cl_schema_load(ctl, "public.", &t, err, sizeof err), CL_ECONFIG);
    CHECK_EQ_INT(cl_schema_load(ctl, "", &t, err, sizeof err), CL_ECONFIG);
    /* quotes and dots inside a part cannot break out of the identifier */
    CHECK_EQ_INT(cl_schema_load(ctl, "pro\"ducts", &t, err, sizeof err), CL_ECONFIG);
    CHECK_EQ_INT(cl_schema_load(ctl, "pg_class_oid_index", &t, err, sizeof err),
                 CL_ECONFIG);
    CHECK_CONTAINS(err, "is not a table");
}

static void
test_schema_kinds(void)
{
    cl_table *t = NULL;
    char err[512];
    const cl_column *c;

    exec_ok("DROP SCHEMA IF EXISTS \"Odd Schema\" CASCADE;"
            "CREATE SCHEMA \"Odd Schema\";"
            "CREATE TABLE \"Odd Schema\".\"we.ird\" ("
            " gone int, a int8 NOT NULL, b varchar(20), c char(3), d bool, e date,"
            " f jsonb, g float8, h smallint, i numeric, j varchar, k int GENERATED "
            "ALWAYS AS (h * 2) STORED,"
            " l bigint GENERATED BY DEFAULT AS IDENTITY, m inet, n timestamp(0));"
            "ALTER TABLE \"Odd Schema\".\"we.ird\" DROP COLUMN gone;"
            "CREATE UNIQUE INDEX ON \"Odd Schema\".\"we.ird\" (b, a) INCLUDE (d);"
            "CREATE UNIQUE INDEX ON \"Odd Schema\".\"we.ird\" (e) WHERE d;"
            "CREATE UNIQUE INDEX ON \"Odd Schema\".\"we.ird\" (lower(b));"
            "CREATE UNIQUE INDEX ON \"Odd Schema\".\"we.ird\" (l);");
    /* only the first dot splits: the table part keeps its own */
    CHECK_EQ_INT(cl_schema_load(ctl, "Odd Schema.we.ird", &t, err, sizeof err), 0);
    if (!t) {
        fprintf(stderr, "%s\n", err);
        return;
    }
    CHECK_EQ_STR(t->qualified, "\"Odd Schema\".\"we.ird\"");
    CHECK_EQ_INT(t->ncols, 14);
    CHECK_EQ_INT(cl_table_column(t, "gone"), -1);
    c = col(t, "a");
    CHECK(c && c->kind == CL_TYPE_INT8 && c->not_null);
    c = col(t, "b");
    CHECK(c && c->kind == CL_TYPE_VARCHAR && c->max_chars == 20);
    c = col(t, "c");
    CHECK(c && c->kind == CL_TYPE_VARCHAR && c->max_chars == 3);
    c = col(t, "d");
    CHECK(c && c->kind == CL_TYPE_BOOL);
    c = col(t, "e");
    CHECK(c && c->kind == CL_TYPE_DATE);
    c = col(t, "f");
    CHECK(c && c->kind == CL_TYPE_JSON);
    c = col(t, "g");
    CHECK(c && c->kind == CL_TYPE_FLOAT);
    c = col(t, "h");
    CHECK(c && c->kind == CL_TYPE_INT2);
    c = col(t, "i");
    CHECK(c && c->kind == CL_TYPE_NUMERIC && c->precision == -1 && c->scale == -1);
    c = col(t, "j");
    CHECK(c && c->kind == CL_TYPE_TEXT && c->max_chars == -1);
    c = col(t, "k");
    CHECK(c && c->generated && c->has_default);
    c = col(t, "l");
    CHECK(c && c->has_default && !c->generated && c->kind == CL_TYPE_INT8);
    c = col(t, "m");
    CHECK(c && c->kind == CL_TYPE_OTHER);
    c = col(t, "n");
    CHECK(c && c->kind == CL_TYPE_TIMESTAMP);

    /* (b, a) INCLUDE (d) and (l); not the partial nor the expression one */
    CHECK_EQ_INT(t->nuniques, 2);
    size_t ab[2] = {(size_t)cl_table_column(t, "a"), (size_t)cl_table_column(t, "b")};
    size_t abd[3] = {ab[0], ab[1], (size_t)cl_table_column(t, "d")};
    size_t e[1] = {(size_t)cl_table_column(t, "e")};
    size_t aa[2] = {ab[0], ab[0]};
    CHECK(cl_table_unique_on(t, ab, 2) != NULL);
    CHECK(cl_table_unique_on(t, abd, 3) == NULL);
    CHECK(cl_table_unique_on(t, e, 1) == NULL);
    CHECK(cl_table_unique_on(t, aa, 2) == NULL);
    cl_table_free(t);

    CHECK_EQ_INT(
        cl_dialect_resolve(CL_DIALECT_AUTO, PQparameterStatus(ctl, "crdb_version")),
        CL_DIALECT_POSTGRES);
}

/* ---- pool ---------------------------------------------------------------- */

typedef struct rejects {
    atomic_int n;
    atomic_int limit; /* abort once more than this; -1: never */
    _Atomic uint64_t lines_sum;
    pthread_mutex_t lock; /* protects last_*: workers reject concurrently */
    char last_state[6];
    char last_message[512];
} rejects;

static int
on_reject(void *ctx, const cl_batch *b, size_t row, const char *sqlstate,
          const char *message)
{
    rejects *r = ctx;
    int n = atomic_fetch_add(&r->n, 1) + 1;

    atomic_fetch_add(&r->lines_sum, cl_batch_line(b, row));
    pthread_mutex_lock(&r->lock);
    snprintf(r->last_state, sizeof r->last_state, "%s", sqlstate ? sqlstate : "");
    snprintf(r->last_message, sizeof r->last_message, "%s", message);
    pthread_mutex_unlock(&r->lock);
    int limit = atomic_load(&r->limit);
    return limit >= 0 && n > limit ? CL_EREJECTS : 0;
}

static const char *const fields[] = {"sku",   "name",  "description",
                                     "price", "stock", "currency"};

typedef struct run {
    cl_table *table;
    cl_plan *plan;
    cl_stats stats;
    rejects rej;
    atomic_bool stop;
    cl_pool *pool;
    char err[1024];
} run;

static int
run_open(run *r, const char *conninfo, int workers, int max_retries, int batch_size,
         cl_stmt_form form)
{
    cl_plan_opts po = {
        .field_names = fields,
        .nfields = 6,
        .key = "sku",
        .dialect = CL_DIALECT_POSTGRES,
        .form = form,
        .batch_size = batch_size,
    };
    int rc;

    memset(r, 0, sizeof *r);
    cl_stats_init(&r->stats);
    atomic_store(&r->rej.limit, -1);
    pthread_mutex_init(&r->rej.lock, NULL);
    rc = cl_schema_load(ctl, "products", &r->table, r->err, sizeof r->err);
    CHECK_EQ_INT(rc, 0);
    if (rc)
        return rc;
    rc = cl_plan_new(&r->plan, r->table, &po, r->err, sizeof r->err);
    CHECK_EQ_INT(rc, 0);
    if (rc) {
        fprintf(stderr, "plan: %s\n", r->err);
        return rc;
    }
    cl_pool_opts o = {
        .url = conninfo,
        .workers = workers,
        .max_retries = max_retries,
        .plan = r->plan,
        .stats = &r->stats,
        .on_reject = on_reject,
        .reject_ctx = &r->rej,
        .stop = &r->stop,
    };
    return cl_pool_open(&r->pool, &o, r->err, sizeof r->err);
}

static void
run_close(run *r)
{
    cl_pool_close(r->pool);
    cl_plan_free(r->plan);
    cl_table_free(r->table);
    pthread_mutex_destroy(&r->rej.lock);
}

/*
 * Send rows prefix-0 .. prefix-(n-1), routed by key hash; row i gets input
 * line i + 2. bad(i) returns the kind of broken row: 0 none, 1 bad price,
 * 2 NULL name. Returns the first non-zero cl_pool_submit code.
 */
static int
send_rows(run *r, const char *prefix, int n, int (*bad)(int), int workers)
{
    cl_batch **cur = calloc((size_t)workers, sizeof *cur);
    const cl_plan *p = r->plan;
    int rc = 0;

    for (int i = 0; i < n && rc == 0; i++) {
        char sku[64], name[64], price[32];
        int kind = bad ? bad(i) : 0;
        cl_field f[6];

        snprintf(sku, sizeof sku, "%s-%d", prefix, i);
        snprintf(name, sizeof name, "item %d", i);
        snprintf(price, sizeof price, kind == 1 ? "%d.x" : "%d.25", i % 1000);
        f[0] = (cl_field){sku, strlen(sku)};
        f[1] = kind == 2 ? (cl_field){NULL, 0} : (cl_field){name, strlen(name)};
        f[2] = (cl_field){"", 0};
        f[3] = (cl_field){price, strlen(price)};
        f[4] = (cl_field){"7", 1};
        f[5] = (cl_field){"EUR", 3};

        uint64_t h = cl_key_hash(f, p->key_fields, p->nkeys);
        int w = (int)(h % (uint64_t)workers);
        if (cur[w] && cl_batch_full(cur[w], 64)) {
            rc = cl_pool_submit(r->pool, w, cur[w]);
            cur[w] = NULL;
            if (rc)
                break;
        }
        if (!cur[w]) {
            cur[w] = cl_pool_spare(r->pool);
            if (!cur[w])
                cur[w] = cl_batch_new(p->nfields, p->key_fields, p->nkeys,
                                      (size_t)p->batch_size, p->batch_bytes);
        }
        cl_batch_add_hashed(cur[w], f, (uint64_t)i + 2, h);
    }
    for (int w = 0; w < workers; w++) {
        if (cur[w] && rc == 0)
            rc = cl_pool_submit(r->pool, w, cur[w]);
        else
            cl_batch_free(cur[w]);
    }
    free(cur);
    return rc;
}

static int
bad_some(int i)
{
    if (i == 17 || i == 500 || i == 999)
        return 1;
    if (i == 321)
        return 2;
    return 0;
}

static void
test_pool_load(void)
{
    run r;

    exec_ok("TRUNCATE products");
    CHECK_EQ_INT(run_open(&r, url, 4, 3, 100, CL_FORM_VALUES), 0);
    if (!r.pool) {
        fprintf(stderr, "%s\n", r.err);
        run_close(&r);
        return;
    }
    /* fallback_application_name, while the pool's connections are up */
    CHECK_EQ_INT(query_int("SELECT count(*) FROM pg_stat_activity"
                           " WHERE application_name = 'crdbload'"),
                 4);

    CHECK_EQ_INT(send_rows(&r, "load", 2500, NULL, 4), 0);
    /* the same keys again: updated in place */
    CHECK_EQ_INT(send_rows(&r, "load", 2500, NULL, 4), 0);
    CHECK_EQ_INT(cl_pool_finish(r.pool), 0);
    CHECK_EQ_STR(cl_pool_error(r.pool), "");
    CHECK_EQ_INT(query_int("SELECT count(*) FROM products WHERE sku LIKE 'load-%'"),
                 2500);
    CHECK_EQ_INT(query_int("SELECT count(*) FROM products WHERE price = 999.25"), 2);
    CHECK_EQ_INT(atomic_load(&r.stats.rows_written), 5000);
    CHECK_EQ_INT(atomic_load(&r.stats.rows_unchanged), 0);
    CHECK(atomic_load(&r.stats.batches) >= 50);
    CHECK_EQ_INT(atomic_load(&r.stats.retries), 0);
    CHECK_EQ_INT(atomic_load(&r.rej.n), 0);
    CHECK(cl_stats_latency_ms(&r.stats, 50) > 0);
    /* workers gave their batches back */
    cl_batch *spare = cl_pool_spare(r.pool);
    CHECK(spare != NULL && cl_batch_rows(spare) == 0);
    cl_batch_free(spare);
    run_close(&r);

    /* UNNEST form, 1 worker, and an application_name of the user's own */
    char u2[1024];
    snprintf(u2, sizeof u2, "%s%sapplication_name=mine", url,
             strchr(url, '?') ? "&" : "?");
    CHECK_EQ_INT(run_open(&r, u2, 1, 3, 250, CL_FORM_UNNEST), 0);
    if (r.pool) {
        CHECK_EQ_INT(query_int("SELECT count(*) FROM pg_stat_activity"
                               " WHERE application_name = 'mine'"),
                     1);
        CHECK_EQ_INT(send_rows(&r, "unnest", 1000, NULL, 1), 0);
        CHECK_EQ_INT(cl_pool_finish(r.pool), 0);
        CHECK_EQ_INT(atomic_load(&r.stats.rows_written), 1000);
        CHECK_EQ_INT(
            query_int("SELECT count(*) FROM products WHERE sku LIKE 'unnest-%'"), 1000);
    }
    run_close(&r);
}

static void
test_pool_split(void)
{
    run r;

    CHECK_EQ_INT(run_open(&r, url, 2, 3, 200, CL_FORM_VALUES), 0);
    if (!r.pool) {
        run_close(&r);
        return;
    }
    CHECK_EQ_INT(send_rows(&r, "split", 1000, bad_some, 2), 0);
    CHECK_EQ_INT(cl_pool_finish(r.pool), 0);
    CHECK_EQ_INT(atomic_load(&r.rej.n), 4);
    /* lines are i + 2 */
    CHECK_EQ_INT(atomic_load(&r.rej.lines_sum), 19 + 502 + 1001 + 323);
    CHECK_EQ_INT(atomic_load(&r.stats.rows_written), 996);
    CHECK_EQ_INT(query_int("SELECT count(*) FROM products WHERE sku LIKE 'split-%'"),
                 996);
    CHECK_EQ_INT(query_int("SELECT count(*) FROM products WHERE sku IN"
                           " ('split-17', 'split-321', 'split-500', 'split-999')"),
                 0);
    run_close(&r);
}

static int
bad_null(int i)
{
    return i == 5 ? 2 : 0;
}

static void
test_pool_reject_text_and_limit(void)
{
    run r;

    CHECK_EQ_INT(run_open(&r, url, 1, 3, 50, CL_FORM_VALUES), 0);
    if (!r.pool) {
        run_close(&r);
        return;
    }
    CHECK_EQ_INT(send_rows(&r, "rej", 20, bad_null, 1), 0);
    CHECK_EQ_INT(cl_pool_finish(r.pool), 0);
    CHECK_EQ_INT(atomic_load(&r.rej.n), 1);
    CHECK_EQ_STR(r.rej.last_state, "23502");
    CHECK_CONTAINS(r.rej.last_message, "null value in column \"name\"");
    run_close(&r);

    /* more rejects than allowed: the pool aborts with CL_EREJECTS */
    CHECK_EQ_INT(run_open(&r, url, 1, 3, 50, CL_FORM_VALUES), 0);
    if (!r.pool) {
        run_close(&r);
        return;
    }
    atomic_store(&r.rej.limit, 1);
    int rc = send_rows(&r, "rejlim", 1000, bad_some, 1);
    CHECK(rc == 0 || rc == CL_EREJECTS);
    CHECK_EQ_INT(cl_pool_finish(r.pool), CL_EREJECTS);
    CHECK_EQ_INT(atomic_load(&r.rej.n), 2);
    /* after an abort nothing more is accepted */
    cl_batch *b = cl_batch_new(6, r.plan->key_fields, r.plan->nkeys, 10, 1000);
    CHECK_EQ_INT(cl_pool_submit(r.pool, 0, b), CL_EREJECTS);
    run_close(&r);
}

/* Triggers that raise transient errors a given number of times. Sequences are
 * the side table: nextval() survives the rollback that the error causes. */
static void
setup_triggers(void)
{
    exec_ok(
        "DROP SEQUENCE IF EXISTS fire_40001, fire_40003, fire_kill, fire_term;"
        "CREATE SEQUENCE fire_40001; CREATE SEQUENCE fire_40003; CREATE SEQUENCE "
        "fire_kill;"
        "CREATE SEQUENCE fire_term;"
        "CREATE OR REPLACE FUNCTION products_chaos() RETURNS trigger LANGUAGE plpgsql "
        "AS $$"
        "BEGIN"
        "  IF NEW.sku LIKE 'retry-%' AND nextval('fire_40001') <= 3 THEN"
        "    RAISE EXCEPTION USING ERRCODE = '40001', MESSAGE = 'restart transaction:"
        " TransactionRetryWithProtoRefreshError: WriteTooOldError: write at timestamp';"
        "  END IF;"
        "  IF NEW.sku LIKE 'ambig-%' AND nextval('fire_40003') <= 2 THEN"
        "    RAISE EXCEPTION USING ERRCODE = '40003', MESSAGE = 'result is ambiguous';"
        "  END IF;"
        "  IF NEW.sku LIKE 'kill-%' AND nextval('fire_kill') <= 1 THEN"
        "    PERFORM pg_terminate_backend(pg_backend_pid());"
        "    PERFORM pg_sleep(5);"
        "  END IF;"
        "  IF NEW.sku LIKE 'term-%' AND nextval('fire_term') <= 1 THEN"
        "    PERFORM pg_sleep(30);"
        "  END IF;"
        "  IF NEW.sku LIKE 'never-%' THEN"
        "    RAISE EXCEPTION USING ERRCODE = '40001', MESSAGE = 'restart transaction: "
        "forever';"
        "  END IF;"
        "  IF NEW.sku LIKE 'fatal-%' THEN"
        "    RAISE EXCEPTION USING ERRCODE = '42501', MESSAGE = 'permission denied for "
        "table"
        " products', DETAIL = 'a detail';"
        "  END IF;"
        "  RETURN NEW;"
        "END $$;"
        "DROP TRIGGER IF EXISTS chaos ON products;"
        "CREATE TRIGGER chaos BEFORE INSERT ON products FOR EACH ROW"
        " EXECUTE FUNCTION products_chaos();");
}

static void
test_pool_retry(void)
{
    run r;

    CHECK_EQ_INT(run_open(&r, url, 2, 5, 100, CL_FORM_VALUES), 0);
    if (!r.pool) {
        run_close(&r);
        return;
    }
    CHECK_EQ_INT(send_rows(&r, "retry", 300, NULL, 2), 0);
    CHECK_EQ_INT(send_rows(&r, "ambig", 50, NULL, 2), 0);
    CHECK_EQ_INT(cl_pool_finish(r.pool), 0);
    CHECK_EQ_INT(query_int("SELECT count(*) FROM products WHERE sku LIKE 'retry-%'"),
                 300);
    CHECK_EQ_INT(query_int("SELECT count(*) FROM products WHERE sku LIKE 'ambig-%'"),
                 50);
    CHECK_EQ_INT(atomic_load(&r.stats.rows_written), 350);
    CHECK_EQ_INT(retries_for(&r.stats, "40001"), 3);
    CHECK_EQ_INT(retries_for(&r.stats, "40003"), 2);
    CHECK_EQ_INT(atomic_load(&r.stats.retries), 5);
    /* both 40003s hit one batch, or one each in two batches */
    CHECK(atomic_load(&r.stats.batches_retried_40003) >= 1 &&
          atomic_load(&r.stats.batches_retried_40003) <= 2);
    CHECK_EQ_INT(atomic_load(&r.stats.reconnects), 0);
    run_close(&r);
}

static void
test_pool_reconnect(void)
{
    run r;

    CHECK_EQ_INT(run_open(&r, url, 1, 5, 100, CL_FORM_VALUES), 0);
    if (!r.pool) {
        run_close(&r);
        return;
    }
    CHECK_EQ_INT(send_rows(&r, "kill", 250, NULL, 1), 0);
    CHECK_EQ_INT(cl_pool_finish(r.pool), 0);
    CHECK_EQ_INT(query_int("SELECT count(*) FROM products WHERE sku LIKE 'kill-%'"),
                 250);
    CHECK_EQ_INT(atomic_load(&r.stats.rows_written), 250);
    CHECK_EQ_INT(atomic_load(&r.stats.reconnects), 1);
    CHECK_EQ_INT(atomic_load(&r.stats.retries), 1);
    /* a backend that terminates itself mid-statement says 57P01 before it
     * hangs up (the first error is kept); without it libpq has no SQLSTATE
     * ("server closed the connection unexpectedly"), counted as 08006 */
    CHECK_EQ_INT(retries_for(&r.stats, "57P01") + retries_for(&r.stats, "08006"), 1);
    run_close(&r);
}

/* Another session terminates a worker's backend mid-statement (an
 * administrator, or a node draining): the server says 57P01 and hangs up. */
static void
test_pool_terminated(void)
{
    run r;
    long long killed = 0;

    CHECK_EQ_INT(run_open(&r, url, 1, 5, 100, CL_FORM_VALUES), 0);
    if (!r.pool) {
        run_close(&r);
        return;
    }
    CHECK_EQ_INT(send_rows(&r, "term", 150, NULL, 1), 0);
    for (int i = 0; i < 200 && killed < 1; i++) {
        killed = query_int(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE application_name = 'crdbload' AND wait_event = 'PgSleep'");
        if (killed < 1) {
            struct timespec ts = {0, 50 * 1000000L};
            nanosleep(&ts, NULL);
        }
    }
    CHECK_EQ_INT(killed, 1);
    CHECK_EQ_INT(cl_pool_finish(r.pool), 0);
    CHECK_EQ_INT(query_int("SELECT count(*) FROM products WHERE sku LIKE 'term-%'"),
                 150);
    CHECK_EQ_INT(atomic_load(&r.stats.reconnects), 1);
    /* libpq 15 reports the hang-up, not the 57P01 before it: either code */
    CHECK_EQ_INT(retries_for(&r.stats, "57P01") + retries_for(&r.stats, "08006"), 1);
    CHECK_EQ_INT(atomic_load(&r.stats.retries), 1);
    run_close(&r);
}

static void
test_pool_aborts(void)
{
    run r;

    /* retries exhausted */
    CHECK_EQ_INT(run_open(&r, url, 1, 2, 100, CL_FORM_VALUES), 0);
    if (r.pool) {
        CHECK_EQ_INT(send_rows(&r, "never", 10, NULL, 1), 0);
        CHECK_EQ_INT(cl_pool_finish(r.pool), CL_ERETRIES);
        CHECK_CONTAINS(cl_pool_error(r.pool),
                       "retries exhausted for a batch of 10 rows (lines 2..11): 40001: "
                       "restart transaction: forever");
        CHECK_EQ_INT(retries_for(&r.stats, "40001"), 2);
        CHECK_EQ_INT(atomic_load(&r.stats.rows_written), 0);
    }
    run_close(&r);

    /* a fatal error: the first cause wins, later batches are dropped */
    CHECK_EQ_INT(run_open(&r, url, 1, 5, 10, CL_FORM_VALUES), 0);
    if (r.pool) {
        int rc = send_rows(&r, "fatal", 200, NULL, 1);
        CHECK(rc == 0 || rc == CL_EDB);
        CHECK_EQ_INT(cl_pool_finish(r.pool), CL_EDB);
        /* where (the rows, the server), then the server's own words */
        CHECK_CONTAINS(cl_pool_error(r.pool), "a batch of 10 rows (lines ");
        CHECK_CONTAINS(cl_pool_error(r.pool), ") failed on server 127.0.0.1:");
        CHECK_CONTAINS(
            cl_pool_error(r.pool),
            ": 42501: permission denied for table products\nDetail: a detail");
        CHECK_EQ_INT(atomic_load(&r.stats.retries), 0);
        CHECK_EQ_INT(atomic_load(&r.stats.rows_written), 0);
    }
    run_close(&r);

    /* stop: submit refuses, finish reports an interruption */
    CHECK_EQ_INT(run_open(&r, url, 2, 5, 10, CL_FORM_VALUES), 0);
    if (r.pool) {
        atomic_store(&r.stop, true);
        CHECK_EQ_INT(send_rows(&r, "stopped", 50, NULL, 2), CL_EINTERRUPTED);
        CHECK_EQ_INT(cl_pool_finish(r.pool), CL_EINTERRUPTED);
        CHECK_EQ_INT(
            query_int("SELECT count(*) FROM products WHERE sku LIKE 'stopped-%'"), 0);
    }
    run_close(&r);
}

static void
test_pool_connect(void)
{
    run r;
    char u[1024], port[16] = "5432";
    const char *colon;

    /* nothing listens on port 1; the password never shows */
    CHECK_EQ_INT(
        run_open(&r,
                 "postgresql://postgres:s3cretpw@127.0.0.1:1/nodb?connect_timeout=5", 2,
                 1, 10, CL_FORM_VALUES),
        CL_ECONNECT);
    CHECK(r.pool == NULL);
    CHECK_CONTAINS(r.err, "could not connect to 127.0.0.1:1: ");
    CHECK(strstr(r.err, "s3cretpw") == NULL);
    run_close(&r);

    CHECK_EQ_INT(run_open(&r,
                          "host=127.0.0.1 port=1 password=s3cretpw connect_timeout=5",
                          1, 1, 10, CL_FORM_VALUES),
                 CL_ECONNECT);
    CHECK(strstr(r.err, "s3cretpw") == NULL);
    run_close(&r);

    /* several hosts: a dead one is passed over, whatever worker starts there */
    colon = strrchr(url, ':');
    if (colon)
        snprintf(port, sizeof port, "%.*s", (int)strspn(colon + 1, "0123456789"),
                 colon + 1);
    snprintf(u, sizeof u, "postgresql://postgres@127.0.0.1:1,127.0.0.1:%s/%s", port,
             PQdb(ctl));
    CHECK_EQ_INT(run_open(&r, u, 3, 3, 50, CL_FORM_VALUES), 0);
    if (r.pool) {
        CHECK_EQ_INT(send_rows(&r, "multi", 300, NULL, 3), 0);
        CHECK_EQ_INT(cl_pool_finish(r.pool), 0);
        CHECK_EQ_INT(
            query_int("SELECT count(*) FROM products WHERE sku LIKE 'multi-%'"), 300);
    } else {
        fprintf(stderr, "%s\n", r.err);
    }
    run_close(&r);
}

int
main(int argc, char **argv)
{
    url = getenv("PGURL");
    if (argc > 1)
        fixtures = argv[1];
    else if (getenv("FIXTURES"))
        fixtures = getenv("FIXTURES");
    if (!url || !*url) {
        fprintf(stderr, "pool_smoke: PGURL is not set\n");
        return 1;
    }
    ctl = PQconnectdb(url);
    if (PQstatus(ctl) != CONNECTION_OK) {
        fprintf(stderr, "pool_smoke: %s", PQerrorMessage(ctl));
        PQfinish(ctl);
        return 1;
    }
    exec_ok("SET client_min_messages = warning;"
            "DROP TABLE IF EXISTS products, \"Product\" CASCADE;");
    exec_file("schema.sql");
    exec_file("prisma_product.sql");

    test_schema_products();
    test_schema_prisma();
    test_schema_kinds();
    test_pool_load();
    test_pool_split();
    test_pool_reject_text_and_limit();
    setup_triggers();
    test_pool_retry();
    test_pool_reconnect();
    test_pool_terminated();
    test_pool_aborts();
    test_pool_connect();

    PQfinish(ctl);
    return TEST_REPORT();
}
