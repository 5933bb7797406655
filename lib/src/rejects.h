/*
 * lib/src/rejects.h - a run's rejected rows: each one counted
 * (cl_stats.rows_rejected), the first ones shown as warnings, every one
 * written to the --rejects file when there is one, and the run stopped once
 * --max-rejects is passed or that file fails.
 *
 * Rows are rejected by the reader thread (rows the client refuses) and by
 * workers (rows the server refuses), so everything here is thread-safe:
 * each write takes the file's mutex and is flushed, so the file is complete
 * even when the run aborts. The file is CSV with a header (the original
 * fields, then "line" and "error").
 */
#ifndef CRDBLOAD_REJECTS_H
#define CRDBLOAD_REJECTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "batch.h"
#include "crdbload/crdbload.h"
#include "reader.h"

typedef struct cl_rejects cl_rejects;

/*
 * The rejects of a run of cfg over the inputs paths (for messages), counted
 * in st. With cfg->rejects_path, create that file with the header row
 * (names, nnames); with append (a resumed run), add to it instead, the
 * header only if it is empty. 0, or CL_EIO or CL_ENOMEM, logged.
 */
int cl_rejects_open(cl_rejects **out, const cl_config *cfg, cl_stats *st,
                    const char *const *paths, const char *const *names, size_t nnames,
                    bool append);

/* Reject the row at line of input file, for reason. 0, or when the run
 * must stop CL_EIO (the rejects file failed) or CL_EREJECTS (--max-rejects
 * passed), logged here. */
int cl_rejects_add(cl_rejects *r, size_t file, const cl_field *fields, size_t nfields,
                   uint64_t line, const char *reason);

/* A cl_reject_fn (pool.h), ctx a cl_rejects: row of b, which the server
 * refused with sqlstate and message. cl_rejects_add()'s codes, or
 * CL_ENOMEM (not logged: the pool's abort message says so). */
int cl_rejects_server_row(void *ctx, const cl_batch *b, size_t row,
                          const char *sqlstate, const char *message);

/* True once the run must stop: --max-rejects passed or the file failed. */
bool cl_rejects_stopped(const cl_rejects *r);

/* Make what was written durable (fsync): before a checkpoint that counts
 * those rows as settled is saved. 0 (also with no file) or CL_EIO. */
int cl_rejects_sync(cl_rejects *r);

void cl_rejects_close(cl_rejects *r);

#endif
