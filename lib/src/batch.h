/*
 * lib/src/batch.h - stage 2 of the data flow: the batcher.
 *
 * A cl_batch owns the rows bound for one worker's next statement: copies of
 * every input field of each record (the rejects file wants the original
 * fields), with a per-batch key index so that a key seen twice in one batch
 * is merged, the later row winning, because one statement may not touch a
 * row twice. A batch is handed along, never shared: the reader thread fills
 * it, cl_pool_submit() takes it, the worker that sends it gives it back.
 */
#ifndef CRDBLOAD_BATCH_H
#define CRDBLOAD_BATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crdbload/crdbload.h"
#include "reader.h"

typedef struct cl_batch cl_batch;

/* A batch for records of nfields fields keyed by key_fields (copied). */
cl_batch *cl_batch_new(size_t nfields, const size_t *key_fields, size_t nkeys,
                       size_t max_rows, size_t max_bytes);

/*
 * Copy a record in; hash is cl_key_hash() of its key over the batch's
 * key_fields (the router hashes every key once, to route it, and passes it
 * on). Returns 0 when appended, 1 when it replaced an earlier row of this
 * batch with the same key (its values and line now win), or CL_ENOMEM (the
 * batch is unchanged).
 */
int cl_batch_add_hashed(cl_batch *b, const cl_field *fields, uint64_t line,
                        uint64_t hash);

/* True when adding a record of record_bytes would pass max_rows or max_bytes
 * (an empty batch always takes one record). */
bool cl_batch_full(const cl_batch *b, size_t record_bytes);

/* The same for a record of these fields, counted as cl_batch_bytes() will
 * count it. */
bool cl_batch_full_for(const cl_batch *b, const cl_field *fields);

size_t cl_batch_rows(const cl_batch *b);  /* distinct keys held */
size_t cl_batch_bytes(const cl_batch *b); /* field bytes held */
size_t cl_batch_nfields(const cl_batch *b);

/* Field of a row: NUL-terminated, NULL for SQL NULL; *len may be NULL. */
const char *cl_batch_value(const cl_batch *b, size_t row, size_t field, size_t *len);
uint64_t cl_batch_line(const cl_batch *b, size_t row);

/* The seq of the batch's first record (ledger.h: its input file and
 * position, for messages and --checkpoint; it stays the first record's even
 * when a later row replaces that one); 0 for a new or reset batch. */
void cl_batch_set_seq(cl_batch *b, uint64_t seq);
uint64_t cl_batch_seq(const cl_batch *b);

/* Empty the batch for reuse, keeping its memory. */
void cl_batch_reset(cl_batch *b);
void cl_batch_free(cl_batch *b);

/* 64-bit hash of a record's key fields: routes a row to its worker. */
uint64_t cl_key_hash(const cl_field *fields, const size_t *key_fields, size_t nkeys);

#endif
