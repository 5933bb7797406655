/*
 * cmd/metrics.c - --metrics-file: the summary's figures as Prometheus
 * metrics (text exposition format 0.0.4), for node_exporter's textfile
 * collector.
 *
 * Each figure of the summary is a gauge holding the last run's value, with
 * a table label. Not a counter: every run rewrites the file, so a run that
 * writes as many rows as the one before would look like no increase. What
 * must outlive a failed run is carried over from the previous file at the
 * same path: the end of the last successful run (so that an alert can say
 * "no successful sync for 26 hours" whatever the runs since did) and the
 * counter of runs by outcome.
 *
 * The file is written beside its final name as ".NAME.XXXXXX", fsynced and
 * renamed over NAME: node_exporter, which reads only *.prom, sees the old
 * file or the new one, never a part, and a run killed before its end leaves
 * the old one.
 */
#include "metrics.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "message.h"

/* A previous file larger than this is read only this far. */
#define PREVIOUS_MAX (1024 * 1024)

/* A count of cl_stats: one gauge. A new count is one line here. */
struct count_metric {
    const char *name;
    size_t offset; /* of an atomic_uint_fast64_t in cl_stats */
    const char *help;
};

#define COUNT(field, help)                                                             \
    {                                                                                  \
        "crdbload_" #field, offsetof(cl_stats, field), help                            \
    }

static const struct count_metric counts[] = {
    COUNT(rows_read, "Data records the last run read (header and checkpoint-skipped "
                     "rows not counted)."),
    COUNT(rows_written, "Rows the last run inserted or updated."),
    COUNT(rows_unchanged, "Rows the last run found up to date."),
    COUNT(rows_rejected, "Rows the last run rejected (client checks or the server)."),
    COUNT(duplicates_merged, "Rows the last run replaced by a later row with the same "
                             "key in the same batch."),
    COUNT(rows_skipped, "Rows the last run passed over because its checkpoint says an "
                        "earlier run committed them."),
    COUNT(rows_in_doubt,
          "Rows of batches the last run sent but never learnt the outcome of "
          "(a rerun settles them)."),
    COUNT(batches, "Statements the last run committed."),
    COUNT(retries, "Batch retries of the last run on transient errors."),
    COUNT(batches_retried_40003, "Batches the last run re-sent after 40003 (statement "
                                 "completion unknown)."),
    COUNT(reconnects, "Connections the last run re-established."),
    COUNT(bytes_read, "Input bytes the last run read (compressed bytes for gzip)."),
    COUNT(rows_missing, "Rows of the table the last run deleted or updated because its "
                        "feed lacked their key (--missing)."),
};

/* A figure derived from the counts: one gauge, in base units. */
struct derived_metric {
    const char *name;
    size_t offset; /* of a double in cl_stats_derived */
    double scale;  /* to seconds or bytes */
    const char *help;
};

#define DERIVED(name, field, scale, help)                                              \
    {                                                                                  \
        "crdbload_" name, offsetof(cl_stats_derived, field), scale, help               \
    }

static const struct derived_metric derived[] = {
    DERIVED("elapsed_seconds", secs, 1,
            "Seconds from the first row the last run read to its end."),
    DERIVED("rows_per_second", rows_per_s, 1, "Rows read per second by the last run."),
    DERIVED("bytes_read_per_second", mb_per_s, 1e6,
            "Input bytes read per second by the last run."),
    DERIVED("batch_latency_p50_seconds", p50, 1e-3,
            "Median round trip of a batch in the last run (within about 10%)."),
    DERIVED(
        "batch_latency_p99_seconds", p99, 1e-3,
        "99th percentile round trip of a batch in the last run (within about 10%)."),
    DERIVED("batch_latency_max_seconds", max, 1e-3,
            "Longest round trip of a batch in the last run."),
};

/* The status label of crdbload_runs_total, by exit status. */
static const char *const outcome_names[] = {"ok", "rejects", "config_error", "aborted"};
#define N_OUTCOMES (sizeof outcome_names / sizeof outcome_names[0])

typedef struct writer {
    FILE *f;
    const char *table;    /* the table label's value, escaped */
    const char *previous; /* the previous file's text, or NULL */
    char *key;            /* the series being written: name{labels} */
    size_t keycap;
} writer;

/* Length of the valid UTF-8 sequence at p (1 to 4), or 0. */
static size_t
utf8_len(const unsigned char *p)
{
    uint32_t cp;
    size_t len, i;

    if (p[0] < 0x80)
        return 1;
    if (p[0] >= 0xC2 && p[0] <= 0xDF) {
        len = 2;
        cp = p[0] & 0x1Fu;
    } else if ((p[0] & 0xF0) == 0xE0) {
        len = 3;
        cp = p[0] & 0x0Fu;
    } else if (p[0] >= 0xF0 && p[0] <= 0xF4) {
        len = 4;
        cp = p[0] & 0x07u;
    } else {
        return 0;
    }
    for (i = 1; i < len; i++) {
        if ((p[i] & 0xC0) != 0x80) /* a NUL stops here too */
            return 0;
        cp = (cp << 6) | (p[i] & 0x3Fu);
    }
    if (len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF)))
        return 0; /* overlong, or a surrogate */
    if (len == 4 && (cp < 0x10000 || cp > 0x10FFFF))
        return 0;
    return len;
}

/*
 * A label value as the format wants it: backslash, double quote and line
 * feed escaped, and UTF-8 (a byte that is not becomes U+FFFD, since the
 * name comes from the command line as it is). Caller frees; NULL: no memory.
 */
static char *
escape_label(const char *value)
{
    const unsigned char *p = (const unsigned char *)value;
    char *out = malloc(3 * strlen(value) + 1); /* one byte becomes at most 3 */
    char *o = out;

    if (!out)
        return NULL;
    while (*p) {
        size_t len = utf8_len(p);

        if (*p == '\\' || *p == '"') {
            *o++ = '\\';
            *o++ = (char)*p++;
        } else if (*p == '\n') {
            *o++ = '\\';
            *o++ = 'n';
            p++;
        } else if (len == 0) {
            memcpy(o, "\xEF\xBF\xBD", 3);
            o += 3;
            p++;
        } else {
            memcpy(o, p, len);
            o += len;
            p += len;
        }
    }
    *o = '\0';
    return out;
}

static void
family(writer *w, const char *name, const char *type, const char *help)
{
    fprintf(w->f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* name{table="...",extra} into w->key; extra is "" or label="value",... */
static const char *
series(writer *w, const char *name, const char *extra)
{
    snprintf(w->key, w->keycap, "%s{table=\"%s\"%s%s}", name, w->table,
             *extra ? "," : "", extra);
    return w->key;
}

static void
sample(writer *w, const char *name, const char *extra, double value)
{
    fprintf(w->f, "%s %.15g\n", series(w, name, extra), value);
}

static void
sample_count(writer *w, const char *name, const char *extra, uint64_t value)
{
    fprintf(w->f, "%s %llu\n", series(w, name, extra), (unsigned long long)value);
}

/* The value of the series key (name{labels}) in the previous file; NAN
 * when it has none, or not a finite number >= 0. */
static double
previous_value(const writer *w, const char *key)
{
    size_t len = strlen(key);
    const char *line = w->previous;

    while (line && *line) {
        const char *eol = strchr(line, '\n');

        if (strncmp(line, key, len) == 0 && line[len] == ' ') {
            char *end;
            double v = strtod(line + len + 1, &end);
            return end != line + len + 1 && isfinite(v) && v >= 0 ? v : NAN;
        }
        line = eol ? eol + 1 : NULL;
    }
    return NAN;
}

static void
write_metrics(writer *w, cl_stats *s, int exit_status, double end)
{
    const char *name;
    cl_stats_derived d;
    char extra[128], sqlstate[6];
    uint64_t count;
    double prev;
    size_t i;
    int n;

    /* The run: what alerts look at. */
    name = "crdbload_last_run_timestamp_seconds";
    family(w, name, "gauge", "Unix time the last run ended.");
    sample(w, name, "", end);

    name = "crdbload_exit_status";
    family(w, name, "gauge",
           "Exit status of the last run: 0 ok, 1 rows rejected, 2 usage or "
           "configuration error, 3 aborted.");
    sample(w, name, "", exit_status);

    /* Exit 1 counts: the feed was loaded but for its rejected rows, which
     * crdbload_rows_rejected tells apart. A dry run loads nothing. */
    name = "crdbload_last_success_timestamp_seconds";
    family(w, name, "gauge",
           "Unix time the last successful run ended (exit status 0 or 1, not "
           "--dry-run), kept across failed runs; 0: none yet.");
    prev = previous_value(w, series(w, name, ""));
    if ((exit_status == 0 || exit_status == 1) && !s->dry_run)
        sample(w, name, "", end);
    else
        sample(w, name, "", isnan(prev) ? 0 : prev);

    name = "crdbload_runs_total";
    family(w, name, "counter",
           "Runs by outcome: ok, rejects, config_error, aborted (exit status 0 to 3), "
           "counted across the runs that wrote this file.");
    for (i = 0; i < N_OUTCOMES; i++) {
        snprintf(extra, sizeof extra, "status=\"%s\"", outcome_names[i]);
        prev = previous_value(w, series(w, name, extra));
        sample(w, name, extra, (isnan(prev) ? 0 : prev) + ((int)i == exit_status));
    }

    /* The summary's figures, as in --summary-json. */
    for (i = 0; i < sizeof counts / sizeof counts[0]; i++) {
        atomic_uint_fast64_t *c =
            (atomic_uint_fast64_t *)((char *)s + counts[i].offset);

        family(w, counts[i].name, "gauge", counts[i].help);
        sample_count(w, counts[i].name, "",
                     atomic_load_explicit(c, memory_order_relaxed));
    }
    cl_stats_derive(s, &d);
    for (i = 0; i < sizeof derived / sizeof derived[0]; i++) {
        const double *v = (const double *)((const char *)&d + derived[i].offset);

        family(w, derived[i].name, "gauge", derived[i].help);
        sample(w, derived[i].name, "", *v * derived[i].scale);
    }
    name = "crdbload_retries_by_sqlstate";
    for (n = 0; cl_stats_retry_sqlstate(s, n, sqlstate, &count); n++) {
        if (n == 0)
            family(
                w, name, "gauge",
                "Batch retries of the last run by SQLSTATE (none: connection lost).");
        snprintf(extra, sizeof extra, "sqlstate=\"%s\"", sqlstate);
        sample_count(w, name, extra, count);
    }

    family(w, "crdbload_files", "gauge", "Inputs of the last run.");
    sample(w, "crdbload_files", "", s->files);
    family(w, "crdbload_workers", "gauge", "Parallel connections of the last run.");
    sample(w, "crdbload_workers", "", s->workers);
    family(w, "crdbload_batch_size", "gauge", "Rows per statement in the last run.");
    sample(w, "crdbload_batch_size", "", s->batch_size);
    family(w, "crdbload_dry_run", "gauge", "1 when the last run was a --dry-run.");
    sample(w, "crdbload_dry_run", "", s->dry_run);

    name = "crdbload_run_info";
    family(w, name, "gauge",
           "The last run's dialect (unknown before it connected) and crdbload's "
           "version, as labels; always 1.");
    snprintf(extra, sizeof extra, "dialect=\"%s\",version=\"%s\"",
             cl_dialect_name(s->dialect), cl_version());
    sample(w, name, extra, 1);
}

/* "DIR/.NAME.XXXXXX" for path "DIR/NAME": in the same file system, so that
 * rename() is atomic, and not *.prom. Caller frees; NULL: no memory. */
static char *
temp_template(const char *path)
{
    const char *slash = strrchr(path, '/');
    int dirlen = slash ? (int)(slash - path) + 1 : 0;
    size_t len = strlen(path) + sizeof "..XXXXXX";
    char *t = malloc(len);

    if (t)
        snprintf(t, len, "%.*s.%s.XXXXXX", dirlen, path, path + dirlen);
    return t;
}

/* The previous file's text, NUL-terminated; NULL when there is none, or
 * (with a warning) when it cannot be read: what it carried starts over. */
static char *
read_previous(const char *path)
{
    FILE *f = fopen(path, "r");
    char *buf;
    size_t n;

    if (!f) {
        if (errno != ENOENT)
            cli_log(CL_LOG_WARNING,
                    "could not read the previous metrics file \"%s\": %s; its last "
                    "success time and run counts start over",
                    path, strerror(errno));
        return NULL;
    }
    buf = malloc(PREVIOUS_MAX + 1);
    n = buf ? fread(buf, 1, PREVIOUS_MAX, f) : 0;
    if (buf && ferror(f)) {
        cli_log(
            CL_LOG_WARNING,
            "could not read the previous metrics file \"%s\"; its last success time "
            "and run counts start over",
            path);
        free(buf);
        buf = NULL;
    }
    fclose(f);
    if (buf)
        buf[n] = '\0';
    return buf;
}

/* The new name in the directory survives a crash only once the directory
 * is synced too. */
static void
sync_dir(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir =
        slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path)) : strdup(".");
    int fd = dir ? open(dir, O_RDONLY | O_DIRECTORY) : -1;

    if (fd < 0 || fsync(fd) != 0)
        cli_log(CL_LOG_WARNING,
                "could not sync the directory of metrics file \"%s\": %s", path,
                strerror(errno));
    if (fd >= 0)
        close(fd);
    free(dir);
}

/* The mode open(2) would give a new file: 0666 less the umask. Reading the
 * umask sets it: fine once the run's threads are gone. */
static mode_t
new_file_mode(void)
{
    mode_t mask = umask(022);

    umask(mask);
    return 0666 & ~mask;
}

bool
metrics_check_path(const char *path)
{
    struct stat st;
    char *tmp;
    int fd;

    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        cli_log(CL_LOG_ERROR, "could not write metrics file \"%s\": %s", path,
                S_ISDIR(st.st_mode) ? strerror(EISDIR) : "not a regular file");
        return false;
    }
    tmp = temp_template(path);
    if (!tmp) {
        cli_log(CL_LOG_ERROR, "out of memory");
        return false;
    }
    fd = mkstemp(tmp);
    if (fd < 0) {
        cli_log(CL_LOG_ERROR, "could not write metrics file \"%s\": %s", path,
                strerror(errno));
        free(tmp);
        return false;
    }
    close(fd);
    unlink(tmp);
    free(tmp);
    return true;
}

bool
metrics_write(const char *path, const cl_config *cfg, cl_stats *s, int exit_status)
{
    writer w = {0};
    char *table = escape_label(cfg->table);
    char *tmp = temp_template(path);
    char *previous = NULL;
    struct timespec now;
    bool created = false, written = false;
    int fd = -1, err;

    if (!table || !tmp) {
        cli_log(CL_LOG_ERROR, "out of memory");
        goto out;
    }
    w.table = table;
    w.keycap = strlen(table) + 256; /* names and the other labels are short */
    w.key = malloc(w.keycap);
    if (!w.key) {
        cli_log(CL_LOG_ERROR, "out of memory");
        goto out;
    }
    previous = read_previous(path);
    w.previous = previous;
    clock_gettime(CLOCK_REALTIME, &now);

    fd = mkstemp(tmp);
    created = fd >= 0;
    if (fd < 0 || fchmod(fd, new_file_mode()) != 0 || !(w.f = fdopen(fd, "w")))
        goto failed;
    fd = -1; /* w.f owns it */
    write_metrics(&w, s, exit_status, (double)now.tv_sec + (double)now.tv_nsec / 1e9);
    errno = EIO; /* should ferror() say what fflush() did not */
    if (fflush(w.f) != 0 || ferror(w.f) || fsync(fileno(w.f)) != 0)
        goto failed;
    err = fclose(w.f);
    w.f = NULL;
    if (err != 0 || rename(tmp, path) != 0)
        goto failed;
    sync_dir(path);
    written = true;
    goto out;

failed:
    err = errno;
    if (w.f)
        fclose(w.f);
    if (fd >= 0)
        close(fd);
    if (created)
        unlink(tmp);
    cli_log(CL_LOG_ERROR, "could not write metrics file \"%s\": %s", path,
            strerror(err));
out:
    free(previous);
    free(w.key);
    free(tmp);
    free(table);
    return written;
}
