/*
 * lib/src/ledger.h - where progress is recorded: which input position is
 * safe for --checkpoint to save. checkpoint.c keeps the file (format,
 * durable save, lock); the ledger decides what it may say. Private to the
 * library.
 *
 * A record's seq is (input index << 40) | its ordinal in that input
 * (records read, header excluded): ordered like the input, and mapped back
 * to a position without any shared table. An ordinal past 2^40 - 1 is
 * clamped, which only makes the position lag (1e12 records per file first).
 *
 * A batch is known by the seq of its first record (its cl_batch_seq()),
 * which no other batch shares. It is pending from the moment the router
 * starts it (cl_ledger_open) until a worker settled it: its rows committed
 * or rejected (cl_ledger_settle). One given up (not all its rows are in the
 * table: an abort) holds the position for good (cl_ledger_give_up); one
 * never settled (dropped unsent on an abort) stays pending, which holds it
 * too. Rows merged away in a batch are covered by that batch's first seq.
 *
 * The reading thread also holds records that are in no batch yet (the one
 * being validated, rejected or routed): it says which with
 * cl_ledger_reading(), and opens a batch before it reads on past the
 * batch's first record. The safe position is then the lowest seq of any
 * record not yet settled: min(reading, pending batches, given up), never
 * below the position resumed from.
 *
 * Thread-safe: one leaf mutex, taken once a batch (open, settle) and by the
 * position; cl_ledger_reading() is a lock-free store, once a record.
 */
#ifndef CRDBLOAD_LEDGER_H
#define CRDBLOAD_LEDGER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "checkpoint.h"

/* The seq of record ordinal (0-based) of input file, and back. */
uint64_t cl_ledger_seq(size_t file, uint64_t ordinal);
cl_ckpt_pos cl_ledger_pos(uint64_t seq);

typedef struct cl_ledger cl_ledger;

/* A ledger for a run resuming at resume ({0, 0}: from the start): the
 * records before it were settled by an earlier run. 0 or CL_ENOMEM. */
int cl_ledger_new(cl_ledger **out, cl_ckpt_pos resume);
void cl_ledger_free(cl_ledger *l);

/* True when record seq was settled by an earlier run (it is read to be
 * counted, never sent). */
bool cl_ledger_resumed(const cl_ledger *l, uint64_t seq);

/* The reading thread holds no record below seq but those of the batches
 * it opened. Only that thread calls it, with seqs that never go down. */
void cl_ledger_reading(cl_ledger *l, uint64_t seq);

/* A batch whose first record is seq is pending. 0 or CL_ENOMEM. */
int cl_ledger_open(cl_ledger *l, uint64_t seq);

/* The batch opened at seq is settled: every row committed or rejected. */
void cl_ledger_settle(cl_ledger *l, uint64_t seq);

/* The batch opened at seq is done with, but not all its rows may be in the
 * table: the position never passes it (this run). */
void cl_ledger_give_up(cl_ledger *l, uint64_t seq);

/* The position before which every record is settled: what --checkpoint may
 * save. Thread-safe. */
cl_ckpt_pos cl_ledger_position(cl_ledger *l);

#endif
