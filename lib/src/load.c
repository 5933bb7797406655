/*
 * lib/src/load.c - one run from end to end (cl_load_run(), crdbload.h):
 * its steps, setup and teardown.
 *
 * DESIGN. Everything that can make the run a configuration error is checked
 * before a single row is sent: every input is opened and its header read
 * (inputs.c), a --checkpoint matched against them (resume.c), the table read
 * from the catalog (schema.c), the statement planned, --missing set up
 * (missing.c), the rejects file opened (rejects.c) and every worker
 * connected (pool.c). Then this thread reads the inputs (feed.c): the router
 * (route.c) checks each record, one that cannot be loaded (malformed, wrong
 * field count, a value the column cannot take) is rejected, the rest routed
 * by the hash of their key to a worker's current batch; a full batch goes to
 * cl_pool_submit(), which blocks while that worker's queue is full. The
 * ledger (ledger.c) knows which records are settled: the --checkpoint
 * position. At the end the run is settled: --missing applied, the
 * checkpoint removed or saved, the status set.
 *
 * Counting: every record read ends in exactly one of rows_written,
 * rows_unchanged, rows_rejected or duplicates_merged (a row replaced by a
 * later one with the same key inside its batch). On abort, the rows of the
 * batches that were dropped are in none of them: the summary then reports
 * what was committed.
 */
#include "crdbload/crdbload.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"
#include "conn.h"
#include "feed.h"
#include "inputs.h"
#include "ledger.h"
#include "log.h"
#include "missing.h"
#include "plan.h"
#include "pool.h"
#include "progress.h"
#include "rejects.h"
#include "resume.h"
#include "route.h"
#include "schema.h"
#include "session_time.h"
#include "stats.h"

typedef struct loader {
    const cl_config *cfg;
    cl_stats *st;
    atomic_bool *stop;

    cl_inputs in; /* the files, their header, the names of their fields */

    PGconn *ctl;         /* the control connection, until the pool or --missing */
    cl_table *table;     /* the target, as the catalog says */
    cl_plan *plan;       /* the statement and the fields it sends */
    cl_pool *pool;       /* the workers; NULL in a dry run */
    cl_rejects *rejects; /* counted, shown, written to --rejects */
    cl_missing *missing; /* --missing: the keys read, streamed to the server */
    cl_router *router;   /* checks each record, fills each worker's batch */
    int nworkers;

    cl_ledger *ledger; /* what is settled: the --checkpoint position */
    cl_resume *resume; /* --checkpoint, or NULL */
} loader;

/* The rules between options (config.c), before anything is opened. */
static int
check_config(const cl_config *cfg)
{
    char err[512];

    if (cl_config_check(cfg, err, sizeof err) != 0) {
        cl_log(CL_LOG_ERROR, "%s", err);
        return CL_ECONFIG;
    }
    return 0;
}

static int
plan(loader *L, cl_dialect dialect)
{
    const cl_config *cfg = L->cfg;
    cl_plan_opts po = {
        .field_names = L->in.names,
        .nfields = L->in.nnames,
        .key = cfg->key,
        .update_columns = cfg->update_columns,
        .insert_only = cfg->insert_only,
        .only_changed = cfg->only_changed,
        .sets = cfg->sets,
        .nsets = cfg->nsets,
        .defaults = cfg->defaults,
        .ndefaults = cfg->ndefaults,
        .dialect = dialect,
        .form = cfg->statement_form,
        .batch_size = cfg->batch_size,
        .batch_bytes = cfg->batch_bytes,
    };
    char err[2048] = "";
    int rc = cl_plan_new(&L->plan, L->table, &po, err, sizeof err);

    if (rc == CL_ECONFIG) {
        cl_log(CL_LOG_ERROR, "%s", err);
        return CL_ECONFIG;
    }
    if (rc != 0) {
        cl_log(CL_LOG_ERROR, "%s", err[0] ? err : cl_strerror(rc));
        return rc;
    }
    return 0;
}

/* cl_route_submit_fn: a full batch goes to its worker's queue. */
static int
submit_batch(void *ctx, int w, cl_batch *b)
{
    loader *L = ctx;
    return cl_pool_submit(L->pool, w, b);
}

/* cl_route_spare_fn */
static cl_batch *
spare_batch(void *ctx)
{
    loader *L = ctx;
    return cl_pool_spare(L->pool);
}

static void
print_dry_run_statement(const loader *L)
{
    size_t rows = L->plan->batch_size < 2 ? (size_t)L->plan->batch_size : 2;
    char *sql = cl_plan_sql(L->plan, rows);

    cl_log(
        CL_LOG_REPORT,
        "dry run: table %s, dialect %s, statement form %s, %d workers, batches of up "
        "to %d rows",
        L->table->qualified, cl_dialect_name(L->st->dialect),
        cl_stmt_form_name(L->plan->form), L->nworkers, L->plan->batch_size);
    cl_log(CL_LOG_REPORT, "dry run: the statement for %zu rows:\n%s", rows,
           sql ? sql : "(out of memory)");
    free(sql);
}

/* Inputs with no header, no row: a successful run of zero rows, or with
 * --missing a broken feed. True when the run ends here, with *rc. */
static bool
nothing_to_load(loader *L, int *rc)
{
    const cl_config *cfg = L->cfg;

    if (cfg->columns || L->in.header)
        return false;
    if (cfg->missing != CL_MISSING_KEEP) {
        /* Not a feed of zero rows (that one has a header): a broken one. */
        cl_log_hint(
            CL_LOG_ERROR,
            "A feed with no rows has a header line; give --columns to treat "
            "empty inputs as one.",
            "every input is empty (not even a header): with --missing that would "
            "make every row of the table missing; nothing was changed");
        *rc = CL_EREJECTS; /* refused, as by cl_missing_settle()'s guard */
        return true;
    }
    L->st->status = CL_STATUS_OK;
    cl_resume_settle(L->resume, true);
    *rc = 0;
    return true;
}

/* Connect the control connection, learn the dialect, read the table. */
static int
read_table(loader *L, cl_dialect *dialect)
{
    const cl_config *cfg = L->cfg;
    char err[2048] = "";
    int rc;

    L->st->dialect =
        cfg->dialect; /* a forced dialect is reported even if connecting fails */
    L->ctl = cl_conn_open_control(cfg->url);
    if (!L->ctl)
        return CL_ECONNECT;
    *dialect =
        cl_dialect_resolve(cfg->dialect, PQparameterStatus(L->ctl, "crdb_version"));
    L->st->dialect = *dialect;
    rc = cl_schema_load(L->ctl, cfg->table, &L->table, err, sizeof err);
    if (rc != 0)
        cl_log(CL_LOG_ERROR, "%s", err[0] ? err : cl_strerror(rc));
    return rc;
}

/* The file onto the table: names, the plan, --missing, the router. */
static int
plan_the_load(loader *L, cl_dialect dialect)
{
    const cl_config *cfg = L->cfg;
    cl_stats *st = L->st;
    int rc;

    if ((rc = cl_inputs_map_names(&L->in, cfg)) != 0 || (rc = plan(L, dialect)) != 0)
        return rc;
    st->batch_size = L->plan->batch_size;
    st->form = L->plan->form;
    cl_warn_session_time(L->ctl, cfg, L->table, L->plan);
    if (cfg->missing != CL_MISSING_KEEP) {
        cl_missing_opts mo = {
            .table = L->table,
            .plan = L->plan,
            .field_names = L->in.names,
            .cfg = cfg,
            .dialect = dialect,
            .stop = L->stop,
        };
        rc = cl_missing_start(&L->missing, L->ctl, &mo, st);
        L->ctl = NULL; /* the missing module's now */
        if (rc != 0)
            return rc;
    }
    L->nworkers = cfg->workers > 0 ? cfg->workers : CL_DEFAULT_WORKERS;
    st->workers = L->nworkers;
    cl_router_opts ro = {
        .plan = L->plan,
        .field_names = L->in.names,
        .encoding = cfg->encoding,
        .workers = L->nworkers,
        .ledger = L->ledger,
        .submit = submit_batch,
        .spare = spare_batch,
        .ctx = L,
    };
    return cl_router_new(&L->router, &ro) == 0 ? 0 : cl_log_out_of_memory("the router");
}

/* The rejects (--rejects), and the first --checkpoint save: both files can
 * be written. */
static int
open_outputs(loader *L)
{
    size_t nnames;
    const char *const *names = cl_inputs_field_names(&L->in, &nnames);

    /* A resumed run appends: the rows the earlier run rejected before the
     * checkpoint are not read again (checkpoint.h, "Resuming"). */
    if (cl_rejects_open(&L->rejects, L->cfg, L->st, L->in.paths, names, nnames,
                        cl_resume_resuming(L->resume)) != 0)
        return CL_ECONFIG;
    return cl_resume_save_first(L->resume);
}

/* Connect every worker (the control connection goes) and start the
 * checkpoint's saver. */
static int
start_pool(loader *L)
{
    const cl_config *cfg = L->cfg;
    char err[2048] = "";
    cl_pool_opts po = {
        .url = cfg->url,
        .workers = L->nworkers,
        .max_retries = cfg->max_retries,
        .batch_timeout_ms = (int)(cfg->batch_timeout * 1000 + 0.5),
        .no_prepared = cfg->no_prepared,
        .pipeline_depth = cfg->pipeline_depth,
        .plan = L->plan,
        .stats = L->st,
        .ledger = L->ledger,
        .on_reject = cl_rejects_server_row,
        .reject_ctx = L->rejects,
        .stop = L->stop,
    };
    int rc;

    /* The control connection's work is done; don't hold a server slot. */
    PQfinish(L->ctl);
    L->ctl = NULL;
    rc = cl_pool_open(&L->pool, &po, err, sizeof err);
    if (rc == CL_ECONNECT && strstr(err, "too many")) {
        char hint[160];
        snprintf(hint, sizeof hint,
                 "The server has too few connection slots for -j/--workers %d: "
                 "lower it, or raise the server's limit.",
                 L->nworkers);
        cl_log_hint(CL_LOG_ERROR, hint, "%s", err);
    } else if (rc != 0) {
        cl_log(CL_LOG_ERROR, "%s", err[0] ? err : cl_strerror(rc));
    }
    if (rc != 0)
        return rc;
    return cl_resume_start(L->resume, L->ledger, L->rejects);
}

/* Read every input in turn (feed.c). 0 or the CL_E* code that stopped
 * the run. */
static int
read_inputs(loader *L)
{
    cl_feed f = {
        .cfg = L->cfg,
        .st = L->st,
        .stop = L->stop,
        .in = &L->in,
        .router = L->router,
        .ledger = L->ledger,
        .rejects = L->rejects,
        .missing = L->missing,
    };
    return cl_feed_read(&f);
}

/* Wait for the batches in flight; what is still being filled is dropped on
 * an abort. rc: the reading's outcome; returns the run's. */
static int
finish_pool(loader *L, int rc)
{
    int prc;

    if (!L->pool)
        return rc;
    cl_router_free(L->router);
    L->router = NULL;
    prc = cl_pool_finish(L->pool);
    if (prc != 0) {
        /* a rejects file that failed was logged where it failed */
        if (prc != CL_EREJECTS && prc != CL_EINTERRUPTED && prc != CL_EIO)
            cl_log(CL_LOG_ERROR, "%s", cl_pool_error(L->pool));
        if (rc == 0)
            rc = prc;
    }
    return rc;
}

/* After the load: --missing, the checkpoint, and the run's status. */
static int
settle(loader *L, int rc)
{
    cl_stats *st = L->st;

    if (rc == 0 && atomic_load(L->stop))
        rc = CL_EINTERRUPTED;
    if (rc == 0 && L->missing) {
        rc = cl_missing_settle(L->missing, st);
        st->end_time = cl_now(); /* the run's time includes the sync */
    }
    cl_resume_settle(L->resume, rc == 0);
    if (rc != 0)
        st->status = CL_STATUS_ABORTED;
    else if (atomic_load(&st->rows_rejected) > 0)
        st->status = CL_STATUS_REJECTS;
    else
        st->status = CL_STATUS_OK;
    return rc;
}

/* Everything that can make the run a configuration error first (DESIGN),
 * then the load, then its settling. */
static int
run(loader *L)
{
    const cl_config *cfg = L->cfg;
    cl_stats *st = L->st;
    cl_dialect dialect;
    cl_progress *progress = NULL;
    int rc;

    if ((rc = check_config(cfg)) != 0 || (rc = cl_inputs_check(&L->in, cfg, st)) != 0)
        return rc;
    if ((rc = cl_resume_open(&L->resume, cfg, L->in.paths, L->in.npaths)) != 0)
        return rc;
    if (cl_ledger_new(&L->ledger, cl_resume_from(L->resume)) != 0)
        return cl_log_out_of_memory("the ledger");
    if (nothing_to_load(L, &rc))
        return rc;
    if ((rc = read_table(L, &dialect)) != 0 || (rc = plan_the_load(L, dialect)) != 0 ||
        (rc = open_outputs(L)) != 0)
        return rc;
    if (cfg->dry_run) {
        st->dry_run = true;
        print_dry_run_statement(L);
    } else if ((rc = start_pool(L)) != 0) {
        return rc;
    }

    st->start_time = cl_now(); /* throughput counts the load, not the setup */
    if (cl_progress_start(&progress, st, cfg) != 0)
        progress = NULL;
    rc = finish_pool(L, read_inputs(L));
    st->end_time = cl_now();
    cl_progress_stop(progress);
    return settle(L, rc);
}

int
cl_load_run(const cl_config *cfg, cl_stats *stats, atomic_bool *stop)
{
    static atomic_flag running = ATOMIC_FLAG_INIT;
    atomic_bool never = false; /* stop for a caller that never stops a run */
    loader L = {.cfg = cfg, .st = stats, .stop = stop ? stop : &never};
    int rc;

    /* Messages have one route a process (log.c): one run at a time. */
    if (atomic_flag_test_and_set(&running)) {
        if (cfg->on_message)
            cfg->on_message(cfg->message_arg,
                            &(cl_message){.level = CL_LOG_ERROR,
                                          .primary = "another load is running in this "
                                                     "process"});
        return CL_ECONFIG;
    }
    cl_log_route(cfg->on_message, cfg->message_arg);

    cl_inputs_init(&L.in, cfg);
    stats->files = (int)L.in.npaths;
    stats->workers = cfg->workers;
    stats->batch_size = cfg->batch_size;

    rc = run(&L);
    if (stats->end_time == 0)
        stats->end_time = cl_now();
    if (rc != 0 && rc != CL_ECONFIG)
        stats->status = CL_STATUS_ABORTED;

    cl_resume_free(L.resume); /* first: its thread asks the ledger */
    cl_pool_close(L.pool);
    cl_router_free(L.router);
    cl_rejects_close(L.rejects);
    cl_missing_free(L.missing);
    cl_ledger_free(L.ledger);
    cl_plan_free(L.plan);
    cl_table_free(L.table);
    if (L.ctl)
        PQfinish(L.ctl);
    cl_inputs_free(&L.in);
    cl_log_route(NULL, NULL); /* every thread of the run has been joined */
    atomic_flag_clear(&running);
    return rc;
}
