/*
 * tests/unit/test_ledger.c - lib/src/ledger.c, the --checkpoint position,
 * with no server and no pool: batches settled out of order, given up,
 * dropped unsent; a resumed run; and several threads settling while a saver
 * asks, the position never passing a record whose batch is not settled.
 */
#include "ledger.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "testutil.h"

#define CHECK_POS(got, f, r)                                                           \
    do {                                                                               \
        cl_ckpt_pos tp_ = (got);                                                       \
        CHECK_EQ_INT(tp_.file, (f));                                                   \
        CHECK_EQ_INT(tp_.record, (r));                                                 \
    } while (0)

static uint64_t
seq(size_t file, uint64_t ordinal)
{
    return cl_ledger_seq(file, ordinal);
}

static void
test_seq(void)
{
    CHECK_POS(cl_ledger_pos(seq(0, 0)), 0, 0);
    CHECK_POS(cl_ledger_pos(seq(3, 12345)), 3, 12345);
    CHECK(seq(0, 999999) < seq(1, 0)); /* ordered like the inputs */
    CHECK(seq(2, 7) < seq(2, 8));
    /* an ordinal past 2^40 - 1 is clamped: the position lags, never leaps */
    CHECK_EQ_INT(cl_ledger_seq(1, UINT64_C(1) << 41), seq(1, (UINT64_C(1) << 40) - 1));
    CHECK(cl_ledger_seq(1, UINT64_C(1) << 41) < seq(2, 0));
}

/* Three workers' batches, settled in an order the input does not have. */
static void
test_out_of_order(void)
{
    cl_ledger *l;

    CHECK_EQ_INT(cl_ledger_new(&l, (cl_ckpt_pos){0, 0}), 0);
    CHECK_POS(cl_ledger_position(l), 0, 0);
    cl_ledger_reading(l, seq(0, 0));
    CHECK_EQ_INT(cl_ledger_open(l, seq(0, 0)), 0); /* worker 0 */
    cl_ledger_reading(l, seq(0, 1));
    CHECK_EQ_INT(cl_ledger_open(l, seq(0, 1)), 0); /* worker 1 */
    cl_ledger_reading(l, seq(0, 4));
    CHECK_EQ_INT(cl_ledger_open(l, seq(0, 4)), 0); /* worker 2 */
    cl_ledger_reading(l, seq(0, 10));
    CHECK_POS(cl_ledger_position(l), 0, 0);

    cl_ledger_settle(l, seq(0, 4)); /* the last first */
    CHECK_POS(cl_ledger_position(l), 0, 0);
    cl_ledger_settle(l, seq(0, 1));
    CHECK_POS(cl_ledger_position(l), 0, 0); /* batch 0 still holds it */
    cl_ledger_settle(l, seq(0, 0));
    CHECK_POS(cl_ledger_position(l), 0, 10); /* the record in hand */

    /* a batch of the next input, open while the reader is further on */
    cl_ledger_reading(l, seq(1, 0));
    CHECK_EQ_INT(cl_ledger_open(l, seq(1, 0)), 0);
    cl_ledger_reading(l, seq(1, 500));
    CHECK_POS(cl_ledger_position(l), 1, 0);
    cl_ledger_settle(l, seq(1, 0));
    CHECK_POS(cl_ledger_position(l), 1, 500);
    cl_ledger_free(l);
}

/* Many batches at once: the array grows, and the lowest pending holds. */
static void
test_many_pending(void)
{
    cl_ledger *l;

    CHECK_EQ_INT(cl_ledger_new(&l, (cl_ckpt_pos){0, 0}), 0);
    for (uint64_t i = 0; i < 100; i++)
        CHECK_EQ_INT(cl_ledger_open(l, seq(0, 10 * i)), 0);
    cl_ledger_reading(l, seq(0, 1000));
    for (uint64_t i = 99; i > 0; i--)
        cl_ledger_settle(l, seq(0, 10 * i));
    CHECK_POS(cl_ledger_position(l), 0, 0);
    cl_ledger_settle(l, seq(0, 0));
    CHECK_POS(cl_ledger_position(l), 0, 1000);
    /* settling what is not pending (twice, or never opened) changes nothing */
    CHECK_EQ_INT(cl_ledger_open(l, seq(0, 1000)), 0);
    cl_ledger_settle(l, seq(0, 0));
    cl_ledger_settle(l, seq(0, 999));
    CHECK_POS(cl_ledger_position(l), 0, 1000);
    cl_ledger_free(l);
}

/* A batch given up holds the position for the rest of the run, whatever
 * settles after it; one dropped unsent (never settled) holds it too. */
static void
test_given_up_and_dropped(void)
{
    cl_ledger *l;

    CHECK_EQ_INT(cl_ledger_new(&l, (cl_ckpt_pos){0, 0}), 0);
    CHECK_EQ_INT(cl_ledger_open(l, seq(0, 0)), 0);
    CHECK_EQ_INT(cl_ledger_open(l, seq(0, 5)), 0);
    CHECK_EQ_INT(cl_ledger_open(l, seq(0, 9)), 0);
    cl_ledger_reading(l, seq(0, 20));
    cl_ledger_settle(l, seq(0, 0));
    cl_ledger_give_up(l, seq(0, 5));
    cl_ledger_settle(l, seq(0, 9));
    CHECK_POS(cl_ledger_position(l), 0, 5);
    cl_ledger_reading(l, seq(3, 0));
    CHECK_EQ_INT(cl_ledger_open(l, seq(3, 0)), 0);
    cl_ledger_settle(l, seq(3, 0));
    CHECK_POS(cl_ledger_position(l), 0, 5);
    /* a later, higher give-up does not move it either */
    CHECK_EQ_INT(cl_ledger_open(l, seq(3, 4)), 0);
    cl_ledger_give_up(l, seq(3, 4));
    CHECK_POS(cl_ledger_position(l), 0, 5);
    cl_ledger_free(l);

    CHECK_EQ_INT(cl_ledger_new(&l, (cl_ckpt_pos){0, 0}), 0);
    CHECK_EQ_INT(cl_ledger_open(l, seq(0, 2)), 0); /* dropped: never settled */
    CHECK_EQ_INT(cl_ledger_open(l, seq(0, 3)), 0);
    cl_ledger_reading(l, seq(0, 50));
    cl_ledger_settle(l, seq(0, 3));
    CHECK_POS(cl_ledger_position(l), 0, 2);
    cl_ledger_free(l);
}

/* A resumed run: the records before the position are not read again, and
 * the position never goes back before it. */
static void
test_resume(void)
{
    cl_ledger *l;

    CHECK_EQ_INT(cl_ledger_new(&l, (cl_ckpt_pos){1, 100}), 0);
    CHECK_POS(cl_ledger_position(l), 1, 100);
    CHECK(cl_ledger_resumed(l, seq(0, 5000))); /* an earlier input */
    CHECK(cl_ledger_resumed(l, seq(1, 99)));
    CHECK(!cl_ledger_resumed(l, seq(1, 100)));
    CHECK(!cl_ledger_resumed(l, seq(2, 0)));
    cl_ledger_reading(l, seq(1, 40)); /* the end of a skipped stretch */
    CHECK_POS(cl_ledger_position(l), 1, 100);
    cl_ledger_reading(l, seq(1, 100));
    CHECK_EQ_INT(cl_ledger_open(l, seq(1, 100)), 0);
    cl_ledger_reading(l, seq(1, 150));
    CHECK_POS(cl_ledger_position(l), 1, 100);
    cl_ledger_settle(l, seq(1, 100));
    CHECK_POS(cl_ledger_position(l), 1, 150);
    cl_ledger_free(l);
}

/*
 * The threads of a run: one reader routes records 0..NREC-1 to NW workers
 * (record i to worker i % NW) in batches of BATCH rows; each worker settles
 * its batches in order, at its own pace; a saver asks the position all the
 * while. Whatever it gets, every record before it is in a settled batch.
 */
#define NREC 200000
#define NW 4
#define BATCH 37
#define RING 8

static _Atomic uint32_t batch_of[NREC]; /* record -> batch id + 1 */
static _Atomic uint64_t first_of[NREC]; /* batch id -> its first seq */
static atomic_bool settled[NREC];       /* batch id -> settled */
static atomic_bool reading_done;
static cl_ledger *shared;

typedef struct queue {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    uint32_t ids[RING];
    size_t head, count;
    bool closed;
} queue;

static queue queues[NW];

static void
push(queue *q, uint32_t id)
{
    pthread_mutex_lock(&q->mu);
    while (q->count == RING)
        pthread_cond_wait(&q->cv, &q->mu);
    q->ids[(q->head + q->count++) % RING] = id;
    pthread_cond_broadcast(&q->cv);
    pthread_mutex_unlock(&q->mu);
}

static void *
worker_main(void *arg)
{
    queue *q = arg;
    uint32_t rng = (uint32_t)(q - queues) + 1;

    for (;;) {
        uint32_t id;

        pthread_mutex_lock(&q->mu);
        while (q->count == 0 && !q->closed)
            pthread_cond_wait(&q->cv, &q->mu);
        if (q->count == 0) {
            pthread_mutex_unlock(&q->mu);
            return NULL;
        }
        id = q->ids[q->head];
        q->head = (q->head + 1) % RING;
        q->count--;
        pthread_cond_broadcast(&q->cv);
        pthread_mutex_unlock(&q->mu);

        rng ^= rng << 13; /* xorshift32: each worker its own pace */
        rng ^= rng >> 17;
        rng ^= rng << 5;
        for (uint32_t spin = rng % 2000; spin > 0; spin--)
            atomic_signal_fence(memory_order_seq_cst); /* a statement's time */
        atomic_store(&settled[id], true);              /* committed, then settled */
        cl_ledger_settle(shared, atomic_load(&first_of[id]));
    }
}

static _Atomic uint64_t saver_checks, saver_violations, saver_backwards;

static void *
saver_main(void *arg)
{
    uint64_t last = 0;

    (void)arg;
    while (!atomic_load(&reading_done)) {
        cl_ckpt_pos p = cl_ledger_position(shared);
        uint64_t s = cl_ledger_seq(p.file, p.record);

        for (uint64_t i = last; i < s && i < NREC; i++) {
            uint32_t b = atomic_load(&batch_of[i]);
            if (b == 0 || !atomic_load(&settled[b - 1]))
                atomic_fetch_add(&saver_violations, 1);
        }
        if (s < last)
            atomic_fetch_add(&saver_backwards, 1); /* nothing is given up here */
        else
            last = s;
        atomic_fetch_add(&saver_checks, 1);
    }
    return NULL;
}

static void
test_threads(void)
{
    pthread_t workers[NW], saver;
    uint32_t cur[NW], nbatches = 0;
    size_t fill[NW] = {0};

    CHECK_EQ_INT(cl_ledger_new(&shared, (cl_ckpt_pos){0, 0}), 0);
    for (int w = 0; w < NW; w++) {
        pthread_mutex_init(&queues[w].mu, NULL);
        pthread_cond_init(&queues[w].cv, NULL);
        CHECK_EQ_INT(pthread_create(&workers[w], NULL, worker_main, &queues[w]), 0);
    }
    CHECK_EQ_INT(pthread_create(&saver, NULL, saver_main, NULL), 0);
    /* The saver must race the reading, not start after it on a busy machine. */
    while (atomic_load(&saver_checks) == 0)
        sched_yield();

    for (uint64_t i = 0; i < NREC; i++) {
        int w = (int)(i % NW);

        cl_ledger_reading(shared, seq(0, i));
        if (fill[w] == 0) {
            cur[w] = nbatches++;
            atomic_store(&first_of[cur[w]], seq(0, i));
            if (cl_ledger_open(shared, seq(0, i)) != 0)
                CHECK(!"cl_ledger_open failed");
        }
        atomic_store(&batch_of[i], cur[w] + 1);
        if (++fill[w] == BATCH) {
            push(&queues[w], cur[w]);
            fill[w] = 0;
        }
    }
    for (int w = 0; w < NW; w++)
        if (fill[w] > 0)
            push(&queues[w], cur[w]);
    cl_ledger_reading(shared, seq(0, NREC));
    for (int w = 0; w < NW; w++) {
        pthread_mutex_lock(&queues[w].mu);
        queues[w].closed = true;
        pthread_cond_broadcast(&queues[w].cv);
        pthread_mutex_unlock(&queues[w].mu);
        pthread_join(workers[w], NULL);
    }
    atomic_store(&reading_done, true);
    pthread_join(saver, NULL);

    CHECK(atomic_load(&saver_checks) > 0);
    CHECK_EQ_INT(atomic_load(&saver_violations), 0);
    CHECK_EQ_INT(atomic_load(&saver_backwards), 0);
    CHECK_POS(cl_ledger_position(shared), 0, NREC); /* all settled: the end */
    for (int w = 0; w < NW; w++) {
        pthread_mutex_destroy(&queues[w].mu);
        pthread_cond_destroy(&queues[w].cv);
    }
    cl_ledger_free(shared);
}

int
main(void)
{
    test_seq();
    test_out_of_order();
    test_many_pending();
    test_given_up_and_dropped();
    test_resume();
    test_threads();
    return TEST_REPORT();
}
