/*
 * tests/fuzz/fuzz_common.h - what the reader's fuzz targets share: the input
 * given to cl_reader_open() through a memfd (/proc/self/fd/N: a regular file,
 * read with read(2) as any input is) or as standard input arriving in pieces
 * (fz_read_pieces), a rendering of every record read, and the invariants every
 * record must hold.
 *
 * Every check that fails prints what it saw and calls abort(), which libFuzzer
 * reports as a crash and saves the input for (see tests/fuzz/README.md).
 */
#ifndef CRDBLOAD_FUZZ_COMMON_H
#define CRDBLOAD_FUZZ_COMMON_H

#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "crdbload/crdbload.h"
#include "reader.h"
#include "test_hooks.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* What is being read, for the messages of failed checks. */
static char fz_ctx[160] = "-";

#define FZ_CHECK(cond, ...)                                                            \
    do {                                                                               \
        if (!(cond)) {                                                                 \
            fprintf(stderr, "fuzz: %s:%d: check failed: %s\n  (reading %s)\n  ",       \
                    __FILE__, __LINE__, #cond, fz_ctx);                                \
            fprintf(stderr, __VA_ARGS__);                                              \
            fputc('\n', stderr);                                                       \
            abort();                                                                   \
        }                                                                              \
    } while (0)

/* ---- the input file ---- */

static int fz_fd = -1;
static char fz_path[64];

/* Make data[0, n) the content of the input file; returns its path. */
static const char *
fz_put(const void *data, size_t n)
{
    if (fz_fd < 0) {
        fz_fd = memfd_create("fuzz_reader", MFD_CLOEXEC);
        FZ_CHECK(fz_fd >= 0, "memfd_create failed");
        snprintf(fz_path, sizeof fz_path, "/proc/self/fd/%d", fz_fd);
    }
    FZ_CHECK(ftruncate(fz_fd, 0) == 0, "ftruncate failed");
    size_t done = 0;
    while (done < n) {
        ssize_t w = pwrite(fz_fd, (const char *)data + done, n - done, (off_t)done);
        FZ_CHECK(w > 0, "pwrite failed");
        done += (size_t)w;
    }
    return fz_path;
}

/* ---- a growing buffer ---- */

typedef struct fz_buf {
    char *s;
    size_t len, cap;
} fz_buf;

static void
fz_add(fz_buf *b, const void *p, size_t n)
{
    if (b->cap - b->len < n + 1) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap - b->len < n + 1)
            cap *= 2;
        b->s = realloc(b->s, cap);
        FZ_CHECK(b->s != NULL, "out of memory");
        b->cap = cap;
    }
    if (n)
        memcpy(b->s + b->len, p, n);
    b->len += n;
    b->s[b->len] = '\0';
}

static void fz_printf(fz_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
fz_printf(fz_buf *b, const char *fmt, ...)
{
    char tmp[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    fz_add(b, tmp, n < 0 ? 0 : (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

/* One record as text, to compare readings: line@offset, status, column and
 * line of the problem, the bytes it names, then every field (N for NULL). */
static void
fz_render_record(fz_buf *out, uint64_t line, uint64_t offset, cl_record_status st,
                 size_t col, uint64_t bad_line, const unsigned char *bad, size_t nbad,
                 const cl_field *fields, size_t nfields)
{
    fz_printf(out, "%" PRIu64 "@%" PRIu64 " %d c%zu l%" PRIu64 " b", line, offset,
              (int)st, col, bad_line);
    for (size_t i = 0; i < nbad; i++)
        fz_printf(out, "%02x", bad[i]);
    fz_add(out, " [", 2);
    for (size_t i = 0; i < nfields; i++) {
        const cl_field *f = &fields[i];
        if (!f->data)
            fz_add(out, "N|", 2);
        else {
            fz_printf(out, "%zu:", f->len);
            fz_add(out, f->data, f->len);
            fz_add(out, "|", 1);
        }
    }
    fz_add(out, "]\n", 2);
}

/* ---- an independent UTF-8 check (RFC 3629), to hold reader.c's to ---- */

/* CL_REC_OK, CL_REC_NUL_BYTE or CL_REC_BAD_UTF8: the first problem of s[0, n). */
static cl_record_status
fz_text_status(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i];
        if (c == 0)
            return CL_REC_NUL_BYTE;
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t len;
        uint32_t cp, min;
        if ((c & 0xE0) == 0xC0)
            len = 2, cp = c & 0x1F, min = 0x80;
        else if ((c & 0xF0) == 0xE0)
            len = 3, cp = c & 0x0F, min = 0x800;
        else if ((c & 0xF8) == 0xF0)
            len = 4, cp = c & 0x07, min = 0x10000;
        else
            return CL_REC_BAD_UTF8;
        if (n - i < len)
            return CL_REC_BAD_UTF8;
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return CL_REC_BAD_UTF8;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return CL_REC_BAD_UTF8;
        i += len;
    }
    return CL_REC_OK;
}

#include "copy_model.h"

/* ---- reading one input ---- */

typedef struct fz_expect {
    /* The decompressed input, when known (NULL for a corrupted gzip): the
     * record offsets and lines are checked against it. */
    const unsigned char *data;
    size_t len;
    bool errors_allowed; /* a negative return is fine (gzip input) */
} fz_expect;

/*
 * Read every record of the input file with opts (the fast path on or off) and
 * check each; append to out a rendering of each record and of the end ("END"
 * or "ERR <code>"), so that two readings can be compared. Returns the final
 * code: 0 or a negative CL_E*.
 */
static int
fz_read_all(const char *path, const cl_reader_opts *opts, bool fast,
            const fz_expect *ex, fz_buf *out)
{
    cl_reader *r;
    cl_record rec;
    char err[256] = "";
    int rc = cl_reader_open(&r, path, opts, err, sizeof err);
    size_t max_field =
        opts->max_field_bytes ? opts->max_field_bytes : CL_READER_MAX_FIELD;
    size_t max_record =
        opts->max_record_bytes ? opts->max_record_bytes : CL_READER_MAX_RECORD;

    if (rc < 0) {
        /* Only a truncated gzip header, or no memory, may fail the open. */
        FZ_CHECK(ex->errors_allowed, "open failed: %s: %s", cl_err_name(rc), err);
        fz_printf(out, "OPEN %s\n", cl_err_name(rc));
        return rc;
    }
    if (!fast)
        cl__reader_set_fast_path(r, false);
    snprintf(fz_ctx, sizeof fz_ctx, "%s, delimiter %d, quote %d, null %s, caps %zu/%zu",
             fast ? "fast path" : "byte by byte", opts->delimiter, opts->quote,
             opts->null_string ? opts->null_string : "(none)", opts->max_field_bytes,
             opts->max_record_bytes);

    /* The model of COPY's rules (copy_model.h) says which records the input
     * holds: each one read must be the model's, whole, or by line and offset
     * where a cap was reached. */
    fm_result model = {0};
    if (ex->data)
        model = fm_read(ex->data, ex->len, opts);
    uint64_t prev_line = 0, prev_offset = 0;
    size_t nrec = 0;
    uint64_t total_lines = 1;
    if (ex->data)
        for (size_t i = 0; i < ex->len; i++)
            total_lines += ex->data[i] == '\n' || ex->data[i] == '\r';

    while ((rc = cl_reader_next(r, &rec)) == 1) {
        size_t bytes = 0;

        /* No field only when the first one passed the record cap. */
        FZ_CHECK(rec.nfields <= 65536 &&
                     (rec.nfields >= 1 || rec.status == CL_REC_TOO_LONG ||
                      rec.status == CL_REC_UNTERMINATED_QUOTE ||
                      rec.status == CL_REC_AFTER_END_MARKER),
                 "nfields %zu, status %s", rec.nfields,
                 cl_record_status_str(rec.status));
        FZ_CHECK(rec.fields != NULL || rec.nfields == 0, "no fields");
        FZ_CHECK(rec.line >= 1 && rec.line >= prev_line,
                 "line %" PRIu64 " after line %" PRIu64, rec.line, prev_line);
        FZ_CHECK(nrec == 0 || rec.offset > prev_offset,
                 "offset %" PRIu64 " after offset %" PRIu64, rec.offset, prev_offset);
        if (ex->data)
            FZ_CHECK(rec.offset < ex->len,
                     "offset %" PRIu64 " past the input (%zu bytes)", rec.offset,
                     ex->len);
        for (size_t i = 0; i < rec.nfields; i++) {
            const cl_field *f = &rec.fields[i];
            if (!f->data) {
                FZ_CHECK(f->len == 0, "NULL field %zu with length %zu", i + 1, f->len);
            } else {
                FZ_CHECK(f->data[f->len] == '\0', "field %zu not NUL-terminated",
                         i + 1);
                FZ_CHECK(f->len <= max_field, "field %zu: %zu bytes, cap %zu", i + 1,
                         f->len, max_field);
                if (rec.status == CL_REC_OK) {
                    FZ_CHECK(strlen(f->data) == f->len,
                             "field %zu: strlen %zu != len %zu", i + 1, strlen(f->data),
                             f->len);
                    cl_record_status ts =
                        fz_text_status((const unsigned char *)f->data, f->len);
                    FZ_CHECK(ts == CL_REC_OK,
                             "line %" PRIu64 " field %zu: %s, status ok", rec.line,
                             i + 1, cl_record_status_str(ts));
                }
            }
            bytes += f->len + 1;
        }
        FZ_CHECK(bytes <= max_record, "record of %zu bytes, cap %zu", bytes,
                 max_record);
        if (ex->data)
            FZ_CHECK(bytes - rec.nfields <= ex->len - rec.offset,
                     "record at %" PRIu64
                     " holds %zu bytes, more than the input has left",
                     rec.offset, bytes - rec.nfields);

        switch (rec.status) {
        case CL_REC_OK:
            FZ_CHECK(rec.bad_column == 0 && rec.bad_line == 0 && rec.nbad_bytes == 0,
                     "ok record with a problem");
            break;
        case CL_REC_BAD_UTF8:
        case CL_REC_NUL_BYTE:
            FZ_CHECK(rec.bad_column >= 1 && rec.nbad_bytes >= 1 && rec.nbad_bytes <= 4,
                     "%s in column %zu, %zu bytes", cl_record_status_str(rec.status),
                     rec.bad_column, rec.nbad_bytes);
            break;
        case CL_REC_FIELD_TOO_LONG:
            /* returned empty, unless even that passed the record cap */
            FZ_CHECK(rec.bad_column >= 1 && rec.bad_column <= rec.nfields + 1,
                     "field too long in column %zu of %zu", rec.bad_column,
                     rec.nfields);
            if (rec.bad_column <= rec.nfields) {
                const cl_field *f = &rec.fields[rec.bad_column - 1];
                FZ_CHECK(f->data && f->len == 0, "a field too long is returned empty");
            }
            break;
        case CL_REC_TOO_LONG:
            FZ_CHECK(rec.bad_column >= 1 && rec.bad_column <= rec.nfields + 1,
                     "record too long in column %zu of %zu", rec.bad_column,
                     rec.nfields);
            break;
        case CL_REC_UNTERMINATED_QUOTE:
            FZ_CHECK(rec.bad_column <= rec.nfields + 1,
                     "unterminated quote in column %zu of %zu", rec.bad_column,
                     rec.nfields);
            break;
        case CL_REC_UNQUOTED_CR:
        case CL_REC_UNQUOTED_LF:
            FZ_CHECK(rec.bad_column >= 1, "%s in column 0",
                     cl_record_status_str(rec.status));
            break;
        case CL_REC_AFTER_END_MARKER:
            FZ_CHECK(rec.bad_column == 0 && rec.bad_line >= 1 &&
                         rec.bad_line < rec.line,
                     "after the marker of line %" PRIu64 ", column %zu", rec.bad_line,
                     rec.bad_column);
            break;
        default:
            FZ_CHECK(0, "unknown status %d", (int)rec.status);
        }
        if (rec.status != CL_REC_OK && rec.status != CL_REC_AFTER_END_MARKER) {
            FZ_CHECK(rec.bad_line >= rec.line,
                     "problem on line %" PRIu64
                     " of a record starting on line %" PRIu64,
                     rec.bad_line, rec.line);
            if (ex->data)
                FZ_CHECK(rec.bad_line <= total_lines,
                         "problem on line %" PRIu64 " of %" PRIu64, rec.bad_line,
                         total_lines);
        }

        fz_buf one = {0};
        fz_render_record(&one, rec.line, rec.offset, rec.status, rec.bad_column,
                         rec.bad_line, rec.bad_bytes, rec.nbad_bytes, rec.fields,
                         rec.nfields);
        fz_add(out, one.s, one.len);
        if (ex->data) {
            FZ_CHECK(nrec < model.n, "record %zu read, the model has %zu:\n  %s",
                     nrec + 1, model.n, one.s);
            const fm_record *m = &model.recs[nrec];
            if (m->capped)
                FZ_CHECK(
                    m->line == rec.line && m->offset == rec.offset,
                    "record %zu (a cap reached) differs from the model:\n  read:  %s"
                    "  model: %s",
                    nrec + 1, one.s, m->text);
            else
                FZ_CHECK(
                    strcmp(m->text, one.s) == 0,
                    "record %zu differs from the model of COPY's rules:\n  read:  %s"
                    "  model: %s",
                    nrec + 1, one.s, m->text);
        }
        free(one.s);
        prev_line = rec.line;
        prev_offset = rec.offset;
        nrec++;
    }
    if (ex->data && rc == 0)
        FZ_CHECK(nrec == model.n, "%zu records read, the model has %zu", nrec, model.n);
    fm_free(&model);
    FZ_CHECK(rc <= 0, "cl_reader_next returned %d", rc);
    if (rc < 0) {
        FZ_CHECK(ex->errors_allowed, "unexpected error %s: %s", cl_err_name(rc),
                 cl_reader_error(r));
        FZ_CHECK(rc == CL_EGZIP || rc == CL_ENOMEM, "error %s: %s", cl_err_name(rc),
                 cl_reader_error(r));
        FZ_CHECK(cl_reader_error(r)[0] != '\0', "error %s without a message",
                 cl_err_name(rc));
        fz_printf(out, "ERR %s\n", cl_err_name(rc));
    } else {
        fz_add(out, "END\n", 4);
    }
    /* The end stays the end; an error is sticky. */
    FZ_CHECK(cl_reader_next(r, &rec) == rc, "second end differs");
    FZ_CHECK(cl_reader_data_pos(r) <= (ex->data ? ex->len : SIZE_MAX),
             "data_pos past the end");
    cl_reader_close(r);
    return rc;
}

/* ---- the input as standard input, in pieces ---- */

/*
 * The reader must give the same records whatever the sizes of its read()s: a
 * pipe delivers what has been written so far, a gzip member ends anywhere. An
 * AF_UNIX SOCK_SEQPACKET socket keeps message boundaries, so each read() the
 * reader makes returns exactly one piece written here, whatever the timing:
 * pieces of 1 to maxp bytes, from a hash, even inside the gzip magic or a CRLF.
 */
typedef struct fz_writer {
    int fd;
    const uint8_t *data;
    size_t len;
    uint64_t seed;
} fz_writer;

static uint64_t
fz_mix(uint64_t x)
{
    x += UINT64_C(0x9E3779B97F4A7C15);
    x = (x ^ (x >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    x = (x ^ (x >> 27)) * UINT64_C(0x94D049BB133111EB);
    return x ^ (x >> 31);
}

static void *
fz_write_pieces(void *arg)
{
    static const size_t maxp[] = {1, 2, 3, 7, 64, 1000};
    fz_writer *w = arg;
    size_t max = maxp[w->seed % (sizeof maxp / sizeof maxp[0])], off = 0;
    uint64_t s = w->seed;

    while (off < w->len) {
        s = fz_mix(s);
        size_t k = 1 + (size_t)(s % max);
        if (k > w->len - off)
            k = w->len - off;
        /* The reader stops early at an error: then this fails with EPIPE. */
        if (send(w->fd, w->data + off, k, MSG_NOSIGNAL) < 0)
            break;
        off += k;
    }
    shutdown(w->fd, SHUT_WR); /* the reader's read() returns 0: the end */
    return NULL;
}

/* fz_read_all() on data[0, len) given as standard input, in pieces. */
static int
fz_read_pieces(const void *data, size_t len, uint64_t seed, const cl_reader_opts *opts,
               bool fast, const fz_expect *ex, fz_buf *out)
{
    int sv[2];
    FZ_CHECK(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == 0,
             "socketpair failed");
    fz_writer w = {.fd = sv[1], .data = data, .len = len, .seed = seed};
    pthread_t t;
    FZ_CHECK(pthread_create(&t, NULL, fz_write_pieces, &w) == 0,
             "pthread_create failed");
    int saved = dup(STDIN_FILENO);
    FZ_CHECK(saved >= 0 && dup2(sv[0], STDIN_FILENO) == STDIN_FILENO, "dup2 failed");
    int rc = fz_read_all("-", opts, fast, ex, out);
    dup2(saved, STDIN_FILENO);
    close(saved);
    close(sv[0]);
    pthread_join(t, NULL);
    close(sv[1]);
    return rc;
}

/* The option sets every input is read with. */
static const cl_reader_opts fz_variants[] = {
    {0},
    {.null_string = "N"},
    {.delimiter = '\t', .null_string = "\\N"},
    {.delimiter = ';', .quote = '\''},
    {.max_field_bytes = 3, .max_record_bytes = 9},
    {.max_field_bytes = 16, .max_record_bytes = 40, .null_string = ""},
};
#define FZ_NVARIANTS (sizeof fz_variants / sizeof fz_variants[0])

/* Read path both ways (fast path and byte by byte): the two must agree. The
 * rendering (fast path) goes to out, when out is not NULL. */
static int
fz_read_both(const char *path, const cl_reader_opts *opts, const fz_expect *ex,
             fz_buf *out)
{
    fz_buf fast = {0}, slow = {0};
    int rc = fz_read_all(path, opts, true, ex, &fast);
    int rc2 = fz_read_all(path, opts, false, ex, &slow);

    if (rc != rc2 || fast.len != slow.len || memcmp(fast.s, slow.s, fast.len) != 0) {
        fprintf(
            stderr,
            "fuzz: the fast path and the byte machine differ (delimiter %d, quote %d, "
            "null %s, caps %zu/%zu)\n--- fast path:\n%s--- byte by byte:\n%s",
            opts->delimiter, opts->quote,
            opts->null_string ? opts->null_string : "(none)", opts->max_field_bytes,
            opts->max_record_bytes, fast.s, slow.s);
        abort();
    }
    if (out)
        fz_add(out, fast.s, fast.len);
    free(fast.s);
    free(slow.s);
    return rc;
}

#endif
