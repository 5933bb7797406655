/*
 * lib/src/rejects.c - a run's rejected rows and the --rejects file
 * (rejects.h).
 *
 * Fields are written quoted (libcsv's csv_fwrite doubles the quotes), an
 * SQL NULL as an empty unquoted field, so that the file reads back with the
 * same options as a default input. Each row is flushed: the file is complete
 * when the run aborts.
 */
#include "rejects.h"

#include <csv.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ledger.h"
#include "log.h"
#include "util.h"

#define MAX_SHOWN_REJECTS 100 /* warnings; the rejects file has all */

struct cl_rejects {
    const cl_config *cfg; /* rejects_path, max_rejects, dry_run */
    cl_stats *st;
    const char *const *paths; /* the inputs, for messages */
    FILE *f;                  /* --rejects, or NULL */
    pthread_mutex_t lock;     /* protects f; taken by the reader thread and workers */
    atomic_bool stopped;      /* --max-rejects passed or the rejects file failed */
};

static int
write_field(FILE *f, const char *data, size_t len, int last)
{
    if (data && csv_fwrite(f, data, len) != 0)
        return -1;
    return fputc(last ? '\n' : ',', f) == EOF ? -1 : 0;
}

/* The file's header: the fields' names, then "line" and "error". */
static int
write_header(FILE *f, const char *const *names, size_t nnames)
{
    int rc = 0;

    for (size_t i = 0; i < nnames && rc == 0; i++)
        rc = write_field(f, names[i] ? names[i] : "-",
                         strlen(names[i] ? names[i] : "-"), 0);
    if (rc == 0)
        rc = write_field(f, "line", 4, 0);
    if (rc == 0)
        rc = write_field(f, "error", 5, 1);
    return rc;
}

int
cl_rejects_open(cl_rejects **out, const cl_config *cfg, cl_stats *st,
                const char *const *paths, const char *const *names, size_t nnames,
                bool append)
{
    const char *path = cfg->rejects_path;
    cl_rejects *r = calloc(1, sizeof *r);

    *out = NULL;
    if (!r) {
        if (path)
            cl_log(CL_LOG_ERROR, "could not open rejects file \"%s\": out of memory",
                   path);
        return path ? CL_ENOMEM : cl_log_out_of_memory("the rejects");
    }
    *r = (cl_rejects){.cfg = cfg, .st = st, .paths = paths};
    pthread_mutex_init(&r->lock, NULL);
    if (!path) {
        *out = r;
        return 0;
    }
    r->f = fopen(path, append ? "a" : "w");
    if (!r->f) {
        cl_log(CL_LOG_ERROR, "could not open rejects file \"%s\": %s", path,
               strerror(errno));
        cl_rejects_close(r);
        return CL_EIO;
    }
    /* An earlier run's file has its header: no second one. */
    bool header = !(append && fseeko(r->f, 0, SEEK_END) == 0 && ftello(r->f) > 0);
    if ((header && write_header(r->f, names, nnames) != 0) || fflush(r->f) != 0) {
        cl_log(CL_LOG_ERROR, "could not write rejects file \"%s\": %s", path,
               strerror(errno));
        cl_rejects_close(r);
        return CL_EIO;
    }
    *out = r;
    return 0;
}

/* One row into the file. 0 or CL_EIO. */
static int
write_row(cl_rejects *r, const cl_field *fields, size_t nfields, uint64_t line,
          const char *error)
{
    char num[32];
    int rc = 0;

    snprintf(num, sizeof num, "%" PRIu64, line);
    pthread_mutex_lock(&r->lock);
    for (size_t i = 0; i < nfields && rc == 0; i++)
        rc = write_field(r->f, fields[i].data, fields[i].len, 0);
    if (rc == 0)
        rc = write_field(r->f, num, strlen(num), 0);
    if (rc == 0)
        rc = write_field(r->f, error, strlen(error), 1);
    if (rc == 0 && fflush(r->f) != 0)
        rc = -1;
    pthread_mutex_unlock(&r->lock);
    return rc == 0 ? 0 : CL_EIO;
}

int
cl_rejects_add(cl_rejects *r, size_t file, const cl_field *fields, size_t nfields,
               uint64_t line, const char *reason)
{
    uint64_t n = atomic_fetch_add(&r->st->rows_rejected, 1) + 1;
    const cl_config *cfg = r->cfg;

    if (n <= MAX_SHOWN_REJECTS || cfg->dry_run)
        cl_log(CL_LOG_WARNING, "%s:%" PRIu64 ": row rejected: %s",
               cl_input_name(r->paths[file]), line, reason);
    else if (n == MAX_SHOWN_REJECTS + 1)
        cl_log(CL_LOG_WARNING,
               "more than %d rows rejected; further ones are not shown%s",
               MAX_SHOWN_REJECTS,
               cfg->rejects_path ? " (see the rejects file)"
                                 : " (--rejects FILE keeps them all)");
    if (r->f && write_row(r, fields, nfields, line, reason) != 0) {
        cl_log(CL_LOG_ERROR, "could not write rejects file \"%s\": %s",
               cfg->rejects_path, strerror(errno));
        atomic_store(&r->stopped, true);
        return CL_EIO;
    }
    if (cfg->max_rejects >= 0 && n > (uint64_t)cfg->max_rejects) {
        if (!atomic_exchange(&r->stopped, true))
            cl_log_hint(
                CL_LOG_ERROR, "Fix the rows reported above, or raise --max-rejects.",
                "more than %lld rows rejected (--max-rejects)", cfg->max_rejects);
        return CL_EREJECTS;
    }
    return 0;
}

int
cl_rejects_server_row(void *ctx, const cl_batch *b, size_t row, const char *sqlstate,
                      const char *message)
{
    size_t nf = cl_batch_nfields(b);
    cl_field *fields = calloc(nf ? nf : 1, sizeof *fields);
    char reason[1024];
    int rc;

    if (!fields)
        return CL_ENOMEM; /* the pool's abort message says so */
    for (size_t i = 0; i < nf; i++)
        fields[i].data = cl_batch_value(b, row, i, &fields[i].len);
    snprintf(reason, sizeof reason, "%s: %s", sqlstate ? sqlstate : "?????", message);
    rc = cl_rejects_add(ctx, cl_ledger_pos(cl_batch_seq(b)).file, fields, nf,
                        cl_batch_line(b, row), reason);
    free(fields);
    return rc;
}

bool
cl_rejects_stopped(const cl_rejects *r)
{
    return atomic_load_explicit(&r->stopped, memory_order_relaxed);
}

int
cl_rejects_sync(cl_rejects *r)
{
    int rc;

    if (!r->f)
        return 0;
    pthread_mutex_lock(&r->lock);
    rc = fflush(r->f) == 0 && fsync(fileno(r->f)) == 0 ? 0 : CL_EIO;
    pthread_mutex_unlock(&r->lock);
    return rc;
}

void
cl_rejects_close(cl_rejects *r)
{
    if (!r)
        return;
    if (r->f)
        fclose(r->f);
    pthread_mutex_destroy(&r->lock);
    free(r);
}
