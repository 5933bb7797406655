/* lib/src/feed.c - the reading loop (feed.h). */
#include "feed.h"

#include <stdbool.h>

#include "log.h"

/*
 * Read one input to its end (or until the run must stop), routing its rows.
 * Returns 0, or a negative CL_E* code that aborts the run.
 */
static int
read_input(const cl_feed *f, int file, cl_reader *r, uint64_t bytes_before)
{
    const cl_config *cfg = f->cfg;
    cl_stats *st = f->st;
    bool skip_header = !cfg->no_header && file != 0; /* file 0's was read already */
    cl_record rec;
    char why[1024];
    uint64_t n = 0, seq;
    int rc;

    while ((rc = cl_reader_next(r, &rec)) == 1) {
        if (skip_header) {
            skip_header = false;
            continue;
        }
        seq = cl_ledger_seq((size_t)file, n); /* before the stop: n counts records */
        if (atomic_load_explicit(f->stop, memory_order_relaxed))
            return CL_EINTERRUPTED;
        if (cl_rejects_stopped(f->rejects))
            return CL_EREJECTS;
        if (f->missing) /* every record's key occurred, whatever becomes of its row */
            cl_missing_add(f->missing, &rec);
        if ((++n & 1023) == 0)
            atomic_store_explicit(&st->bytes_read,
                                  bytes_before + cl_reader_input_pos(r),
                                  memory_order_relaxed);
        if (cl_ledger_resumed(f->ledger, seq)) {
            /* settled by an earlier run: parsed to be counted, never sent */
            atomic_fetch_add_explicit(&st->rows_skipped, 1, memory_order_relaxed);
            continue;
        }
        cl_ledger_reading(f->ledger, seq);
        atomic_fetch_add_explicit(&st->rows_read, 1, memory_order_relaxed);

        if (cl_router_check(f->router, r, &rec, why, sizeof why) != 0) {
            if ((rc = cl_rejects_add(f->rejects, (size_t)file, rec.fields, rec.nfields,
                                     rec.line, why)) != 0)
                return rc;
            continue;
        }
        if (cfg->dry_run)
            continue;

        rc = cl_router_add(f->router, &rec, seq);
        if (rc == CL_ENOMEM)
            return cl_log_out_of_memory("a batch");
        if (rc < 0)
            return rc; /* the pool aborted */
        if (rc == 1)
            atomic_fetch_add_explicit(&st->duplicates_merged, 1, memory_order_relaxed);
    }
    atomic_store_explicit(&st->bytes_read, bytes_before + cl_reader_input_pos(r),
                          memory_order_relaxed);
    if (rc < 0) {
        cl_log(CL_LOG_ERROR, "%s", cl_reader_error(r));
        return rc;
    }
    /* Batches never span two inputs: a worker's reject must name its file. */
    if (!cfg->dry_run && (rc = cl_router_flush(f->router)) != 0)
        return rc;
    cl_ledger_reading(f->ledger, cl_ledger_seq((size_t)file, n));
    return 0;
}

int
cl_feed_read(const cl_feed *f)
{
    uint64_t bytes_before = 0;
    int rc = 0;

    for (size_t i = 0; i < f->in->npaths && rc == 0; i++) {
        cl_reader *r = NULL;
        if (cl_inputs_reader(f->in, f->cfg, i, &r) != 0)
            return CL_EIO;
        rc = read_input(f, (int)i, r, bytes_before);
        bytes_before += cl_reader_input_pos(r);
        cl_reader_close(r);
    }
    if (rc == CL_EINTERRUPTED)
        cl_log(CL_LOG_ERROR, "interrupted; settling the batches in flight");
    return rc;
}
