/*
 * lib/src/ledger.c - the checkpoint position: what is settled, what is
 * pending (ledger.h).
 *
 * The pending batches are a small unordered array of first seqs: at most
 * one being filled, the queued and the in-flight ones of each worker, so a
 * linear scan at settle and at position (once a second) costs nothing next
 * to the statement a batch is.
 *
 * Why the position never passes a record not settled: the reading thread
 * opens a batch (under the mutex) before it moves `reading` past the
 * batch's first record, and a worker settles it only once its rows are in.
 * position() reads `reading` before it lets go of the mutex: a batch it
 * does not see in the array was settled already, or is opened after that
 * unlock, hence after the read, when `reading` was still at or below the
 * batch's first record.
 */
#include "ledger.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "crdbload/crdbload.h"
#include "util.h"

#define SEQ_ORD_BITS 40
#define SEQ_ORD_MAX ((UINT64_C(1) << SEQ_ORD_BITS) - 1)

struct cl_ledger {
    uint64_t resume;          /* records below it: settled by an earlier run */
    _Atomic uint64_t reading; /* the reading thread holds nothing below it */

    /* Lock order: a leaf lock, never held with another mutex. */
    pthread_mutex_t mu;
    uint64_t *pending; /* first seqs of the batches opened, not yet settled */
    size_t npending, cap;
    uint64_t given_up; /* lowest first seq of a batch given up, or UINT64_MAX */
};

uint64_t
cl_ledger_seq(size_t file, uint64_t ordinal)
{
    if (ordinal > SEQ_ORD_MAX)
        ordinal = SEQ_ORD_MAX;
    return ((uint64_t)file << SEQ_ORD_BITS) | ordinal;
}

cl_ckpt_pos
cl_ledger_pos(uint64_t seq)
{
    return (cl_ckpt_pos){.file = (size_t)(seq >> SEQ_ORD_BITS),
                         .record = seq & SEQ_ORD_MAX};
}

int
cl_ledger_new(cl_ledger **out, cl_ckpt_pos resume)
{
    cl_ledger *l = calloc(1, sizeof *l);

    *out = NULL;
    if (!l)
        return CL_ENOMEM;
    if (pthread_mutex_init(&l->mu, NULL) != 0) {
        free(l);
        return CL_ENOMEM;
    }
    l->resume = cl_ledger_seq(resume.file, resume.record);
    atomic_init(&l->reading, l->resume);
    l->given_up = UINT64_MAX;
    *out = l;
    return 0;
}

void
cl_ledger_free(cl_ledger *l)
{
    if (!l)
        return;
    pthread_mutex_destroy(&l->mu);
    free(l->pending);
    free(l);
}

bool
cl_ledger_resumed(const cl_ledger *l, uint64_t seq)
{
    return seq < l->resume;
}

void
cl_ledger_reading(cl_ledger *l, uint64_t seq)
{
    if (seq < l->resume)
        seq = l->resume; /* nothing below it is read again */
    atomic_store_explicit(&l->reading, seq, memory_order_release);
}

int
cl_ledger_open(cl_ledger *l, uint64_t seq)
{
    uint64_t *p;

    pthread_mutex_lock(&l->mu);
    p = cl_grow(l->pending, &l->cap, l->npending + 1, sizeof *p, 16);
    if (p) {
        l->pending = p;
        l->pending[l->npending++] = seq;
    }
    pthread_mutex_unlock(&l->mu);
    return p ? 0 : CL_ENOMEM;
}

/* Take seq out of the pending batches; the caller holds mu. */
static void
drop_pending(cl_ledger *l, uint64_t seq)
{
    for (size_t i = 0; i < l->npending; i++) {
        if (l->pending[i] == seq) {
            l->pending[i] = l->pending[--l->npending];
            return;
        }
    }
}

void
cl_ledger_settle(cl_ledger *l, uint64_t seq)
{
    pthread_mutex_lock(&l->mu);
    drop_pending(l, seq);
    pthread_mutex_unlock(&l->mu);
}

void
cl_ledger_give_up(cl_ledger *l, uint64_t seq)
{
    pthread_mutex_lock(&l->mu);
    drop_pending(l, seq);
    if (seq < l->given_up)
        l->given_up = seq;
    pthread_mutex_unlock(&l->mu);
}

cl_ckpt_pos
cl_ledger_position(cl_ledger *l)
{
    uint64_t m, r;

    pthread_mutex_lock(&l->mu);
    m = l->given_up;
    for (size_t i = 0; i < l->npending; i++)
        if (l->pending[i] < m)
            m = l->pending[i];
    /* under mu: see above */
    r = atomic_load_explicit(&l->reading, memory_order_acquire);
    pthread_mutex_unlock(&l->mu);
    return cl_ledger_pos(r < m ? r : m);
}
