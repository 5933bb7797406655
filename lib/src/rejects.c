/*
 * lib/src/rejects.c - the --rejects file (rejects.h).
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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crdbload/crdbload.h"

struct cl_rejects {
    FILE *f;
    pthread_mutex_t lock; /* protects f; taken by the reader thread and workers */
};

static int
write_field(FILE *f, const char *data, size_t len, int last)
{
    if (data && csv_fwrite(f, data, len) != 0)
        return -1;
    return fputc(last ? '\n' : ',', f) == EOF ? -1 : 0;
}

int
cl_rejects_open(cl_rejects **out, const char *path, const char *const *names,
                size_t nnames, bool append, char *err, size_t errlen)
{
    cl_rejects *r = calloc(1, sizeof *r);
    int rc = 0;

    *out = NULL;
    if (!r) {
        snprintf(err, errlen, "could not open rejects file \"%s\": out of memory",
                 path);
        return CL_ENOMEM;
    }
    r->f = fopen(path, append ? "a" : "w");
    if (!r->f) {
        snprintf(err, errlen, "could not open rejects file \"%s\": %s", path,
                 strerror(errno));
        free(r);
        return CL_EIO;
    }
    pthread_mutex_init(&r->lock, NULL);
    /* An earlier run's file has its header: no second one. */
    bool header = !(append && fseeko(r->f, 0, SEEK_END) == 0 && ftello(r->f) > 0);
    for (size_t i = 0; header && i < nnames && rc == 0; i++)
        rc = write_field(r->f, names[i] ? names[i] : "-",
                         strlen(names[i] ? names[i] : "-"), 0);
    if (rc == 0 && header)
        rc = write_field(r->f, "line", 4, 0);
    if (rc == 0 && header)
        rc = write_field(r->f, "error", 5, 1);
    if (rc != 0 || fflush(r->f) != 0) {
        snprintf(err, errlen, "could not write rejects file \"%s\": %s", path,
                 strerror(errno));
        cl_rejects_close(r);
        return CL_EIO;
    }
    *out = r;
    return 0;
}

int
cl_rejects_write(cl_rejects *r, const cl_field *fields, size_t nfields, uint64_t line,
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
cl_rejects_sync(cl_rejects *r)
{
    int rc;

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
    fclose(r->f);
    pthread_mutex_destroy(&r->lock);
    free(r);
}
