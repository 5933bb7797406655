/*
 * lib/src/route.c - where a row goes (route.h): each record checked, then
 * hashed by its key to its worker's batch.
 */
#include "route.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "crdbload/crdbload.h"
#include "error.h"
#include "transcode.h"
#include "validate.h"

struct cl_router {
    cl_router_opts o;
    cl_batch **cur; /* each worker's batch being filled, or NULL */
};

int
cl_router_new(cl_router **out, const cl_router_opts *o)
{
    cl_router *rt = calloc(1, sizeof *rt);

    *out = NULL;
    if (!rt)
        return CL_ENOMEM;
    rt->o = *o;
    rt->cur = calloc((size_t)(o->workers > 0 ? o->workers : 1), sizeof *rt->cur);
    if (!rt->cur) {
        free(rt);
        return CL_ENOMEM;
    }
    *out = rt;
    return 0;
}

void
cl_router_free(cl_router *rt)
{
    if (!rt)
        return;
    for (int w = 0; w < rt->o.workers; w++)
        cl_batch_free(rt->cur[w]);
    free(rt->cur);
    free(rt);
}

int
cl_router_check(const cl_router *rt, const cl_reader *r, const cl_record *rec,
                char *why, size_t whylen)
{
    const cl_plan *p = rt->o.plan;
    const char *const *names = rt->o.field_names;
    const char *enc = rt->o.encoding;

    if (rec->status == CL_REC_BAD_UTF8 && !cl_transcode_is_utf8(enc)) {
        /* converted from --encoding: only a sequence invalid there is left */
        snprintf(why, whylen,
                 "line %" PRIu64 ", column %zu: invalid byte sequence for "
                 "encoding \"%s\"",
                 rec->bad_line, rec->bad_column, enc);
        return -1;
    }
    if (rec->status != CL_REC_OK) {
        cl_reader_problem(r, rec, why, whylen);
        return -1;
    }
    if (rec->nfields < p->nfields) {
        /* COPY's words, and what a blank line is to COPY. */
        const char *name = names[rec->nfields];
        bool blank = rec->nfields == 1 && !rec->fields[0].data;
        snprintf(why, whylen,
                 "missing data for %s %zu%s%s%s: expected %zu fields, found %zu%s",
                 name ? "column" : "field", rec->nfields + 1, name ? " (" : "",
                 name ? CL_IDENT(name) : "", name ? ")" : "", p->nfields, rec->nfields,
                 blank ? " (a blank line)" : "");
        return -1;
    }
    if (rec->nfields > p->nfields) {
        snprintf(why, whylen,
                 "extra data after last expected column: expected %zu fields, "
                 "found %zu",
                 p->nfields, rec->nfields);
        return -1;
    }
    return cl_validate_record(p, rec->fields, names, why, whylen);
}

static int
worker_of(const cl_router *rt, uint64_t key_hash)
{
    return (int)(key_hash % (uint64_t)rt->o.workers);
}

int
cl_router_worker(const cl_router *rt, const cl_field *fields)
{
    const cl_plan *p = rt->o.plan;

    return worker_of(rt, cl_key_hash(fields, p->key_fields, p->nkeys));
}

/* Hand worker w's batch on (if it holds rows). */
static int
submit(cl_router *rt, int w)
{
    cl_batch *b = rt->cur[w];

    if (!b || cl_batch_rows(b) == 0)
        return 0;
    rt->cur[w] = NULL;
    return rt->o.submit(rt->o.ctx, w, b);
}

/* A batch for worker w whose first record is seq, opened in the ledger. */
static int
start_batch(cl_router *rt, int w, uint64_t seq)
{
    const cl_plan *p = rt->o.plan;
    cl_batch *b = rt->o.spare ? rt->o.spare(rt->o.ctx) : NULL;

    if (!b)
        b = cl_batch_new(p->nfields, p->key_fields, p->nkeys, (size_t)p->batch_size,
                         p->batch_bytes);
    if (!b)
        return CL_ENOMEM;
    if (cl_ledger_open(rt->o.ledger, seq) != 0) {
        cl_batch_free(b);
        return CL_ENOMEM;
    }
    cl_batch_set_seq(b, seq); /* its first record, even if merged away later */
    rt->cur[w] = b;
    return 0;
}

int
cl_router_add(cl_router *rt, const cl_record *rec, uint64_t seq)
{
    const cl_plan *p = rt->o.plan;
    uint64_t h = cl_key_hash(rec->fields, p->key_fields, p->nkeys);
    int w = worker_of(rt, h), rc;

    if (rt->cur[w] && cl_batch_full_for(rt->cur[w], rec->fields) &&
        (rc = submit(rt, w)) != 0)
        return rc;
    if (!rt->cur[w] && (rc = start_batch(rt, w, seq)) != 0)
        return rc;
    return cl_batch_add_hashed(rt->cur[w], rec->fields, rec->line, h);
}

int
cl_router_flush(cl_router *rt)
{
    int rc;

    for (int w = 0; w < rt->o.workers; w++)
        if ((rc = submit(rt, w)) != 0)
            return rc;
    return 0;
}
