/*
 * lib/src/inputs.h - a run's inputs (cl_config.files, else standard input)
 * and the names of their fields. Private to the library.
 *
 * Every input is opened and its header read before anything is written
 * (cl_inputs_check): a missing file, a bad header or one that differs from
 * the first input's is a configuration error. The first input stays open
 * (standard input cannot be reopened) and is the first one read. The names
 * map the input's fields to the table's columns: --columns, else the first
 * header; "-" names a field that is skipped.
 */
#ifndef CRDBLOAD_INPUTS_H
#define CRDBLOAD_INPUTS_H

#include <stddef.h>

#include "crdbload/crdbload.h"
#include "reader.h"

typedef struct cl_inputs {
    const char *const *paths; /* "-" is standard input */
    size_t npaths;
    char **header; /* the first input's header names (owned), or NULL */
    size_t nheader;
    char **columns_copy; /* --columns, split (cl_list_split) */
    const char **names;  /* one per input field; NULL for a skipped field */
    size_t nnames;
    cl_reader *first; /* the first input, opened to read its header */
} cl_inputs;

/* The inputs cfg names (none: standard input); nothing is opened. */
void cl_inputs_init(cl_inputs *in, const cl_config *cfg);

/*
 * Open every input and read its header (unless cfg->no_header); each
 * input's known size is added to st->input_size. 0, or CL_ECONFIG or
 * CL_ENOMEM, the message logged.
 */
int cl_inputs_check(cl_inputs *in, const cl_config *cfg, cl_stats *st);

/* in->names from --columns or the header. 0 or CL_ENOMEM (logged). */
int cl_inputs_map_names(cl_inputs *in, const cl_config *cfg);

/* The reader of input i, to read it from its start: the first input's is
 * the one cl_inputs_check() kept open (the caller takes it). 0, or the
 * CL_E* code of cl_reader_open(), its message logged. */
int cl_inputs_reader(cl_inputs *in, const cl_config *cfg, size_t i, cl_reader **out);

/* The names of the input's fields in a rejects file's header: the first
 * header as it is, else the names; *n of them. */
const char *const *cl_inputs_field_names(const cl_inputs *in, size_t *n);

void cl_inputs_free(cl_inputs *in);

#endif
