/*
 * tests/unit/test_route.c - lib/src/route.c with a fake pool (a submit that
 * keeps what it is handed) and no server: a key always goes to the same
 * worker; a key repeated inside a batch is merged, the later row winning;
 * repeated far apart, its rows go to one worker in input order; batches are
 * cut by rows and by bytes, and at the end of an input; the ledger holds
 * each batch from its first record until it is settled; the record check.
 */
#include "route.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crdbload/crdbload.h"
#include "testutil.h"

#define COL(n, t, k, nn)                                                               \
    {                                                                                  \
        (char *)(n), (char *)(t), (k), -1, -1, -1, (nn), false, false, NULL            \
    }

static cl_column cols[] = {
    COL("sku", "text", CL_TYPE_TEXT, true),
    COL("name", "text", CL_TYPE_TEXT, false),
    COL("stock", "integer", CL_TYPE_INT4, false),
};
static size_t sku_col[] = {0};
static cl_unique uniques[] = {{1, sku_col, true}};
static const cl_table products = {
    (char *)"public",
    (char *)"products",
    (char *)"\"public\".\"products\"",
    cols,
    3,
    uniques,
    1,
};
static const char *const names[] = {"sku", "name", "stock"};

/* The fake pool: every batch submitted, in order, with its worker. */
#define MAX_SUBMITS 4096
typedef struct fake_pool {
    cl_batch *b[MAX_SUBMITS];
    int w[MAX_SUBMITS];
    int n;
    int fail_at; /* the submit number that fails (pool aborted), or -1 */
    int spares;  /* spare batches asked for */
} fake_pool;

static int
fake_submit(void *ctx, int w, cl_batch *b)
{
    fake_pool *fp = ctx;

    if (fp->n == fp->fail_at || fp->n == MAX_SUBMITS) {
        cl_batch_free(b); /* ownership passes, even on failure */
        return CL_EINTERRUPTED;
    }
    fp->b[fp->n] = b;
    fp->w[fp->n++] = w;
    return 0;
}

static cl_batch *
fake_spare(void *ctx)
{
    ((fake_pool *)ctx)->spares++;
    return NULL;
}

static void
fake_free(fake_pool *fp)
{
    for (int i = 0; i < fp->n; i++)
        cl_batch_free(fp->b[i]);
    fp->n = 0;
}

typedef struct rig {
    cl_plan *plan;
    cl_ledger *ledger;
    cl_router *router;
    fake_pool pool;
} rig;

static void
rig_open(rig *r, int workers, int batch_size, size_t batch_bytes)
{
    cl_plan_opts po = {
        .field_names = names,
        .nfields = 3,
        .key = "sku",
        .dialect = CL_DIALECT_POSTGRES,
        .form = CL_FORM_VALUES,
        .batch_size = batch_size,
        .batch_bytes = batch_bytes,
    };
    char err[512];

    memset(r, 0, sizeof *r);
    r->pool.fail_at = -1;
    CHECK_EQ_INT(cl_plan_new(&r->plan, &products, &po, err, sizeof err), 0);
    CHECK_EQ_INT(cl_ledger_new(&r->ledger, (cl_ckpt_pos){0, 0}), 0);
    cl_router_opts ro = {
        .plan = r->plan,
        .field_names = names,
        .workers = workers,
        .ledger = r->ledger,
        .submit = fake_submit,
        .spare = fake_spare,
        .ctx = &r->pool,
    };
    CHECK_EQ_INT(cl_router_new(&r->router, &ro), 0);
}

static void
rig_close(rig *r)
{
    cl_router_free(r->router);
    fake_free(&r->pool);
    cl_ledger_free(r->ledger);
    cl_plan_free(r->plan);
}

/* Route record i of input 0: sku, name, stock; line i + 2 (a header). */
static int
add(rig *r, uint64_t i, const char *sku, const char *name, const char *stock)
{
    cl_field f[3] = {{sku, strlen(sku)},
                     {name, name ? strlen(name) : 0},
                     {stock, stock ? strlen(stock) : 0}};
    cl_record rec = {.fields = f, .nfields = 3, .line = i + 2};

    cl_ledger_reading(r->ledger, cl_ledger_seq(0, i));
    return cl_router_add(r->router, &rec, cl_ledger_seq(0, i));
}

static int
worker_of(rig *r, const char *sku)
{
    cl_field f[3] = {{sku, strlen(sku)}, {NULL, 0}, {NULL, 0}};
    return cl_router_worker(r->router, f);
}

/* The row of batch b whose sku is sku, or -1. */
static long
row_of(const cl_batch *b, const char *sku)
{
    for (size_t i = 0; i < cl_batch_rows(b); i++)
        if (strcmp(cl_batch_value(b, i, 0, NULL), sku) == 0)
            return (long)i;
    return -1;
}

static void
test_same_key_same_worker(void)
{
    rig r;
    char sku[32], name[32];
    int seen[4] = {0};

    rig_open(&r, 4, 10, 1 << 20);
    for (int i = 0; i < 400; i++) {
        snprintf(sku, sizeof sku, "SKU-%d", i % 100); /* each key four times */
        snprintf(name, sizeof name, "name %d", i);
        CHECK(add(&r, (uint64_t)i, sku, name, "1") >= 0);
    }
    CHECK_EQ_INT(cl_router_flush(r.router), 0);
    /* every row is in a batch of the worker its key hashes to */
    for (int s = 0; s < r.pool.n; s++) {
        const cl_batch *b = r.pool.b[s];
        for (size_t i = 0; i < cl_batch_rows(b); i++)
            if (worker_of(&r, cl_batch_value(b, i, 0, NULL)) != r.pool.w[s])
                CHECK(!"a row in another worker's batch");
        seen[r.pool.w[s]]++;
    }
    CHECK(seen[0] > 0 && seen[1] > 0 && seen[2] > 0 && seen[3] > 0); /* spread */
    CHECK_EQ_INT(worker_of(&r, "SKU-7"), worker_of(&r, "SKU-7"));
    CHECK(r.pool.spares > 0); /* a spare is asked for before a batch is made */
    rig_close(&r);
}

static void
test_merge_last_wins(void)
{
    rig r;
    long row;

    rig_open(&r, 2, 1000, 1 << 20);
    CHECK_EQ_INT(add(&r, 0, "A", "first", "1"), 0);
    CHECK_EQ_INT(add(&r, 1, "B", "b", "2"), 0);
    for (uint64_t i = 2; i < 500; i++) {
        char sku[16];
        snprintf(sku, sizeof sku, "K%llu", (unsigned long long)i);
        CHECK(add(&r, i, sku, "x", "3") == 0 || !"a new key");
    }
    CHECK_EQ_INT(add(&r, 500, "A", "last", "9"), 1); /* far apart: merged */
    CHECK_EQ_INT(r.pool.n, 0);
    CHECK_EQ_INT(cl_router_flush(r.router), 0);
    CHECK_EQ_INT(r.pool.n, 2);
    for (int s = 0; s < r.pool.n; s++) {
        if ((row = row_of(r.pool.b[s], "A")) < 0)
            continue;
        CHECK_EQ_STR(cl_batch_value(r.pool.b[s], (size_t)row, 1, NULL), "last");
        CHECK_EQ_STR(cl_batch_value(r.pool.b[s], (size_t)row, 2, NULL), "9");
        CHECK_EQ_INT(cl_batch_line(r.pool.b[s], (size_t)row), 502);
    }
    CHECK_EQ_INT(cl_batch_rows(r.pool.b[0]) + cl_batch_rows(r.pool.b[1]), 500);
    rig_close(&r);
}

/* A key repeated after its batch was handed on: the later row is in a later
 * batch of the same worker, submitted after the first one. */
static void
test_far_apart_in_order(void)
{
    rig r;
    int first = -1, last = -1;

    rig_open(&r, 3, 2, 1 << 20);
    CHECK_EQ_INT(add(&r, 0, "A", "old", "1"), 0);
    for (uint64_t i = 1; i < 60; i++) {
        char sku[16];
        snprintf(sku, sizeof sku, "K%llu", (unsigned long long)i);
        CHECK(add(&r, i, sku, "x", "3") == 0 || !"a new key");
    }
    CHECK_EQ_INT(add(&r, 60, "A", "new", "2"), 0); /* its first batch went long ago */
    CHECK_EQ_INT(cl_router_flush(r.router), 0);
    for (int s = 0; s < r.pool.n; s++) {
        long row = row_of(r.pool.b[s], "A");
        if (row < 0)
            continue;
        CHECK_EQ_INT(r.pool.w[s], worker_of(&r, "A"));
        if (strcmp(cl_batch_value(r.pool.b[s], (size_t)row, 1, NULL), "old") == 0)
            first = s;
        else
            last = s;
    }
    CHECK(first >= 0 && last >= 0);
    CHECK(first < last); /* the worker sends them in this order: "new" wins */
    rig_close(&r);
}

static void
test_full_by_rows_and_bytes(void)
{
    rig r;

    /* rows: batches of 3, one worker */
    rig_open(&r, 1, 3, 1 << 20);
    for (uint64_t i = 0; i < 7; i++) {
        char sku[16];
        snprintf(sku, sizeof sku, "S%llu", (unsigned long long)i);
        CHECK_EQ_INT(add(&r, i, sku, "n", "1"), 0);
    }
    CHECK_EQ_INT(r.pool.n, 2);
    CHECK_EQ_INT(cl_batch_rows(r.pool.b[0]), 3);
    CHECK_EQ_INT(cl_batch_rows(r.pool.b[1]), 3);
    CHECK_EQ_INT(cl_router_flush(r.router), 0); /* the end of the input */
    CHECK_EQ_INT(r.pool.n, 3);
    CHECK_EQ_INT(cl_batch_rows(r.pool.b[2]), 1);
    CHECK_EQ_INT(cl_router_flush(r.router), 0); /* nothing left: nothing sent */
    CHECK_EQ_INT(r.pool.n, 3);
    rig_close(&r);

    /* bytes: each record 10 field bytes ("S0" 2 + "nnnnnnn" 7 + "1" 1), a
     * NULL none; a batch takes a record only while it stays within 25 */
    rig_open(&r, 1, 1000, 25);
    for (uint64_t i = 0; i < 5; i++) {
        char sku[16];
        snprintf(sku, sizeof sku, "S%llu", (unsigned long long)i);
        CHECK_EQ_INT(add(&r, i, sku, "nnnnnnn", "1"), 0);
    }
    CHECK_EQ_INT(r.pool.n, 2);
    CHECK_EQ_INT(cl_batch_rows(r.pool.b[0]), 2);
    CHECK_EQ_INT(cl_batch_bytes(r.pool.b[0]), 20);
    CHECK_EQ_INT(add(&r, 5, "S5", NULL, NULL), 0); /* 2 bytes: fits with S4 */
    CHECK_EQ_INT(r.pool.n, 2);
    CHECK_EQ_INT(cl_router_flush(r.router), 0);
    CHECK_EQ_INT(cl_batch_rows(r.pool.b[2]), 2);
    CHECK_EQ_INT(cl_batch_bytes(r.pool.b[2]), 12);
    rig_close(&r);

    /* a record larger than the cap still goes, alone */
    rig_open(&r, 1, 1000, 4);
    CHECK_EQ_INT(add(&r, 0, "S0", "a long name", "1"), 0);
    CHECK_EQ_INT(add(&r, 1, "S1", "another", "1"), 0);
    CHECK_EQ_INT(r.pool.n, 1);
    CHECK_EQ_INT(cl_batch_rows(r.pool.b[0]), 1);
    rig_close(&r);
}

/* The ledger holds a batch from its first record, even once that row was
 * merged away, until the fake pool settles it; one dropped holds for good. */
static void
test_ledger_holds_batches(void)
{
    rig r;
    cl_ckpt_pos p;

    rig_open(&r, 1, 3, 1 << 20);
    CHECK_EQ_INT(add(&r, 0, "A", "a", "1"), 0);
    CHECK_EQ_INT(add(&r, 1, "B", "b", "1"), 0);
    CHECK_EQ_INT(add(&r, 2, "A", "a2", "1"), 1); /* record 0's row is replaced */
    CHECK_EQ_INT(add(&r, 3, "C", "c", "1"), 0);  /* 3 rows: full */
    CHECK_EQ_INT(add(&r, 4, "D", "d", "1"), 0);  /* cut: the batch of 0 goes */
    CHECK_EQ_INT(r.pool.n, 1);
    CHECK_EQ_INT(cl_batch_seq(r.pool.b[0]), cl_ledger_seq(0, 0));
    p = cl_ledger_position(r.ledger);
    CHECK_EQ_INT(p.record, 0); /* submitted is not settled */
    cl_ledger_settle(r.ledger, cl_batch_seq(r.pool.b[0]));
    p = cl_ledger_position(r.ledger);
    CHECK_EQ_INT(p.record, 4); /* the batch of record 4, being filled */
    cl_ledger_reading(r.ledger, cl_ledger_seq(0, 5));
    CHECK_EQ_INT(cl_router_flush(r.router), 0);
    cl_ledger_settle(r.ledger, cl_batch_seq(r.pool.b[1]));
    p = cl_ledger_position(r.ledger);
    CHECK_EQ_INT(p.record, 5);
    rig_close(&r);

    /* the pool refuses a batch (it aborted): routing stops, the batch is
     * gone, and the position stays before it */
    rig_open(&r, 1, 2, 1 << 20);
    r.pool.fail_at = 0;
    CHECK_EQ_INT(add(&r, 0, "A", "a", "1"), 0);
    CHECK_EQ_INT(add(&r, 1, "B", "b", "1"), 0);
    CHECK_EQ_INT(add(&r, 2, "C", "c", "1"), CL_EINTERRUPTED);
    cl_ledger_reading(r.ledger, cl_ledger_seq(0, 3));
    p = cl_ledger_position(r.ledger);
    CHECK_EQ_INT(p.record, 0);
    rig_close(&r);
}

static void
test_check(void)
{
    rig r;
    char why[512];
    cl_field ok[3] = {{"A", 1}, {"n", 1}, {"12", 2}};
    cl_field bad_int[3] = {{"A", 1}, {"n", 1}, {"twelve", 6}};
    cl_field null_key[3] = {{NULL, 0}, {"n", 1}, {"1", 1}};
    cl_field blank[1] = {{NULL, 0}};
    cl_field four[4] = {{"A", 1}, {"n", 1}, {"1", 1}, {"x", 1}};
    cl_record rec = {.fields = ok, .nfields = 3, .line = 2};

    rig_open(&r, 2, 10, 1 << 20);
    CHECK_EQ_INT(cl_router_check(r.router, NULL, &rec, why, sizeof why), 0);
    rec.fields = bad_int;
    CHECK_EQ_INT(cl_router_check(r.router, NULL, &rec, why, sizeof why), -1);
    CHECK_EQ_STR(why, "column 3 (\"stock\"): invalid input syntax for type integer: "
                      "\"twelve\"");
    rec.fields = null_key;
    CHECK_EQ_INT(cl_router_check(r.router, NULL, &rec, why, sizeof why), -1);
    CHECK_EQ_STR(why,
                 "column 1 (\"sku\"): null value in column \"sku\" violates not-null "
                 "constraint");
    rec.fields = blank;
    rec.nfields = 1;
    CHECK_EQ_INT(cl_router_check(r.router, NULL, &rec, why, sizeof why), -1);
    CHECK_EQ_STR(why,
                 "missing data for column 2 (\"name\"): expected 3 fields, found 1 "
                 "(a blank line)");
    rec.fields = four;
    rec.nfields = 4;
    CHECK_EQ_INT(cl_router_check(r.router, NULL, &rec, why, sizeof why), -1);
    CHECK_EQ_STR(why,
                 "extra data after last expected column: expected 3 fields, found 4");
    rig_close(&r);
}

int
main(void)
{
    test_same_key_same_worker();
    test_merge_last_wins();
    test_far_apart_in_order();
    test_full_by_rows_and_bytes();
    test_ledger_holds_batches();
    test_check();
    return TEST_REPORT();
}
