/* lib/src/inputs.c - a run's inputs and the names of their fields (inputs.h). */
#include "inputs.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "util.h"

static const char *const stdin_only[] = {"-"};

void
cl_inputs_init(cl_inputs *in, const cl_config *cfg)
{
    *in = (cl_inputs){.paths = cfg->nfiles ? cfg->files : stdin_only,
                      .npaths = cfg->nfiles ? cfg->nfiles : 1};
}

static void
free_header(char **h, size_t n)
{
    for (size_t i = 0; h && i < n; i++)
        free(h[i]);
    free(h);
}

static char **
copy_header(const cl_record *rec)
{
    char **h = calloc(rec->nfields ? rec->nfields : 1, sizeof *h);
    for (size_t i = 0; h && i < rec->nfields; i++) {
        h[i] = strdup(rec->fields[i].data ? rec->fields[i].data : "");
        if (!h[i]) {
            free_header(h, i);
            return NULL;
        }
    }
    return h;
}

static int
open_input(const cl_inputs *in, const cl_config *cfg, size_t i, cl_reader **out)
{
    cl_reader_opts ro = {.delimiter = cfg->delimiter,
                         .quote = cfg->quote,
                         .null_string = cfg->null_string,
                         .encoding = cfg->encoding};
    char err[512] = "";
    int rc = cl_reader_open(out, in->paths[i], &ro, err, sizeof err);
    if (rc != 0)
        cl_log(CL_LOG_ERROR, "%s", err[0] ? err : cl_strerror(rc));
    return rc;
}

/* Percent of input needs the size of every input: one unknown (a pipe,
 * standard input) makes the total unknown (0) for the whole run. */
static void
add_input_size(cl_stats *st, size_t i, uint64_t size)
{
    uint64_t total = atomic_load(&st->input_size);
    atomic_store(&st->input_size, (i == 0 || total > 0) && size > 0 ? total + size : 0);
}

/* The header of input i, rec, against the first one's (or as the first
 * one). 0, or CL_ECONFIG or CL_ENOMEM, logged. */
static int
check_header(cl_inputs *in, const cl_config *cfg, size_t i, const cl_record *rec)
{
    if (!in->header) {
        /* The names map the fields to columns: every field needs one. */
        for (size_t f = 0; !cfg->columns && f < rec->nfields; f++) {
            if (rec->fields[f].len > 0)
                continue;
            cl_log_hint(CL_LOG_ERROR,
                        "Name every field in the header, or give the names with "
                        "--columns (the header line is then skipped).",
                        "%s:%" PRIu64 ": the header names no column for field %zu%s",
                        cl_input_name(in->paths[i]), rec->line, f + 1,
                        rec->nfields == 1 && !rec->fields[0].data
                            ? " (the line is blank)"
                            : "");
            return CL_ECONFIG;
        }
        in->header = copy_header(rec);
        in->nheader = rec->nfields;
        return in->header ? 0 : cl_log_out_of_memory("the header");
    }
    bool same = rec->nfields == in->nheader;
    for (size_t f = 0; same && f < rec->nfields; f++)
        same = rec->fields[f].data && strcmp(rec->fields[f].data, in->header[f]) == 0;
    if (!same && !cfg->columns) {
        cl_log_detail(CL_LOG_ERROR, "All inputs of one run must have the same columns.",
                      "header of %s differs from the header of %s",
                      cl_input_name(in->paths[i]), cl_input_name(in->paths[0]));
        return CL_ECONFIG;
    }
    return 0;
}

/* Open input i and read its header. 0, or CL_ECONFIG or CL_ENOMEM, logged;
 * *r is the reader, open, in every case where it was opened. */
static int
check_input(cl_inputs *in, const cl_config *cfg, cl_stats *st, size_t i, cl_reader **r)
{
    cl_record rec;
    int rc;

    if (open_input(in, cfg, i, r) != 0)
        return CL_ECONFIG;
    add_input_size(st, i, cl_reader_input_size(*r));
    if (cfg->no_header)
        return 0;
    rc = cl_reader_next(*r, &rec);
    if (rc < 0) {
        cl_log(CL_LOG_ERROR, "%s", cl_reader_error(*r));
        return CL_ECONFIG;
    }
    if (rc == 0)
        return 0; /* empty input: nothing to map, nothing to load */
    if (rec.status != CL_REC_OK) {
        char why[512];
        cl_log(CL_LOG_ERROR, "%s:%" PRIu64 ": bad header: %s",
               cl_input_name(in->paths[i]), rec.line,
               cl_reader_problem(*r, &rec, why, sizeof why));
        return CL_ECONFIG;
    }
    return check_header(in, cfg, i, &rec);
}

int
cl_inputs_check(cl_inputs *in, const cl_config *cfg, cl_stats *st)
{
    for (size_t i = 0; i < in->npaths; i++) {
        cl_reader *r = NULL;
        int rc = check_input(in, cfg, st, i, &r);

        if (i == 0)
            in->first = r; /* kept open: read first */
        else
            cl_reader_close(r);
        if (rc != 0)
            return rc;
    }
    return 0;
}

int
cl_inputs_map_names(cl_inputs *in, const cl_config *cfg)
{
    size_t n;

    if (cfg->columns) {
        in->columns_copy = cl_list_split(cfg->columns, &n);
        if (!in->columns_copy)
            return cl_log_out_of_memory("--columns");
    }
    char *const *given = cfg->columns ? in->columns_copy : in->header;
    n = cfg->columns ? n : in->nheader;
    in->names = calloc(n ? n : 1, sizeof *in->names);
    if (!in->names)
        return cl_log_out_of_memory(cfg->columns ? "--columns" : "the header");
    for (size_t i = 0; i < n; i++) /* "-": a field that is skipped */
        in->names[i] = strcmp(given[i], "-") == 0 ? NULL : given[i];
    in->nnames = n;
    return 0;
}

int
cl_inputs_reader(cl_inputs *in, const cl_config *cfg, size_t i, cl_reader **out)
{
    if (i == 0) {
        *out = in->first;
        in->first = NULL;
        return 0;
    }
    return open_input(in, cfg, i, out);
}

const char *const *
cl_inputs_field_names(const cl_inputs *in, size_t *n)
{
    *n = in->header ? in->nheader : in->nnames;
    return in->header ? (const char *const *)in->header
                      : (const char *const *)in->names;
}

void
cl_inputs_free(cl_inputs *in)
{
    cl_reader_close(in->first);
    free_header(in->header, in->nheader);
    free(in->names);
    free(in->columns_copy);
}
