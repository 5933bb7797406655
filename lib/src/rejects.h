/*
 * crdbload/rejects.h - the --rejects file: every rejected row, as CSV with a
 * header (the original fields, then "line" and "error").
 *
 * Written by the reader thread (rows the client refuses) and by workers
 * (rows the server refuses), so each write takes the writer's mutex and is
 * flushed: the file is complete even when the run aborts.
 */
#ifndef CRDBLOAD_REJECTS_H
#define CRDBLOAD_REJECTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "reader.h"

typedef struct cl_rejects cl_rejects;

/* Create path with the header row; with append (a resumed run), add to it
 * instead, the header only if it is empty. 0, or CL_EIO or CL_ENOMEM with
 * the reason in err. */
int cl_rejects_open(cl_rejects **out, const char *path, const char *const *names,
                    size_t nnames, bool append, char *err, size_t errlen);

/* Append one rejected row. Thread-safe. 0 or CL_EIO. */
int cl_rejects_write(cl_rejects *r, const cl_field *fields, size_t nfields,
                     uint64_t line, const char *error);

/* Make what was written durable (fsync): before a checkpoint that counts
 * those rows as settled is saved. Thread-safe. 0 or CL_EIO. */
int cl_rejects_sync(cl_rejects *r);

void cl_rejects_close(cl_rejects *r);

#endif
