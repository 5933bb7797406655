/*
 * lib/src/reader.c - stage 1 of the data flow: CSV records from a plain or gzip
 * stream (reader.h).
 *
 * DESIGN
 * Input is read with read(2) in 256 KiB blocks. Gzip is recognised by its magic
 * bytes and inflated with zlib directly; members are read one after another and
 * zero padding after a member is allowed. A UTF-8 byte order mark at the start
 * of the (decompressed) text is dropped.
 *
 * The text goes to the CSV parser (csvparse.h) as it comes, in whatever pieces
 * the reads and inflate give: bytes in, records out. The parser keeps its
 * state between pieces, so records do not depend on where the input was cut,
 * and it owns the current record, which stays valid until the next call.
 */
#include "reader.h"
#include "crdbload/crdbload.h"
#include "transcode.h"

#include "csvparse.h"
#include "test_hooks.h"
#include "util.h"

#include <zlib.h>

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define READ_BLOCK (256u << 10) /* read(2) size and decompressed buffer size */

struct cl_reader {
    char *name;          /* as given ("-" for standard input) */
    const char *display; /* name used in messages */
    int fd;
    bool close_fd;
    size_t max_field;
    size_t max_record;

    /* Input. For plain input obuf is ibuf. */
    unsigned char *ibuf;
    unsigned char *obuf;
    size_t opos, olen; /* unparsed decompressed bytes: obuf[opos, olen) */
    bool in_eof;       /* read(2) returned 0 */
    bool data_eof;     /* no more decompressed data */
    bool gzip;
    bool zs_live;
    cl_transcode *tc; /* --encoding: raw bytes to UTF-8 before the parser, or NULL */
    bool member_done; /* the current gzip member reached its end */
    z_stream zs;
    uint64_t in_read; /* bytes read from the file */
    uint64_t input_size;
    uint64_t input_pos;
    uint64_t data_pos;

    cl_csv *csv;
    bool bom_done;
    bool finished; /* the parser was told the input ended */

    int fatal; /* sticky CL_E* code */
    char err[512];
};

static void
set_error(cl_reader *r, int code, const char *fmt, ...)
{
    va_list ap;
    int n = snprintf(r->err, sizeof r->err, "%s: ", r->display);

    va_start(ap, fmt);
    if (n > 0 && (size_t)n < sizeof r->err)
        vsnprintf(r->err + n, sizeof r->err - (size_t)n, fmt, ap);
    va_end(ap);
    if (!r->fatal)
        r->fatal = code;
}

/* ---- input ---- */

static int
read_some(cl_reader *r, unsigned char *buf, size_t cap, size_t *got)
{
    for (;;) {
        ssize_t n = read(r->fd, buf, cap);
        if (n >= 0) {
            *got = (size_t)n;
            r->in_read += (uint64_t)n;
            if (n == 0)
                r->in_eof = true;
            return 0;
        }
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            /* standard input may have been left non-blocking by whoever gave it */
            struct pollfd pfd = {.fd = r->fd, .events = POLLIN};
            if (poll(&pfd, 1, -1) >= 0 || errno == EINTR)
                continue;
        }
        if (errno != EINTR) {
            set_error(r, CL_EIO, "could not read: %s", strerror(errno));
            return CL_EIO;
        }
    }
}

/* Inflate into obuf[olen, READ_BLOCK). 1: bytes added, 0: end of input, < 0: fatal. */
static int
inflate_some(cl_reader *r)
{
    z_stream *zs = &r->zs;

    for (;;) {
        if (zs->avail_in == 0 && !r->in_eof) {
            size_t n;
            int rc = read_some(r, r->ibuf, READ_BLOCK, &n);
            if (rc < 0)
                return rc;
            zs->next_in = r->ibuf;
            zs->avail_in = (uInt)n;
        }
        if (r->member_done) {
            while (zs->avail_in > 0 && *zs->next_in == 0) { /* padding after a member */
                zs->next_in++;
                zs->avail_in--;
            }
            r->input_pos = r->in_read - zs->avail_in;
            if (zs->avail_in == 0) {
                if (r->in_eof)
                    return 0;
                continue;
            }
            inflateReset(zs); /* another member follows */
            r->member_done = false;
        }

        size_t room = READ_BLOCK - r->olen;
        zs->next_out = r->obuf + r->olen;
        zs->avail_out = (uInt)room;
        int zr = inflate(zs, Z_NO_FLUSH);
        size_t produced = room - zs->avail_out;
        r->olen += produced;
        r->data_pos += produced;
        r->input_pos = r->in_read - zs->avail_in;

        switch (zr) {
        case Z_STREAM_END:
            r->member_done = true;
            break;
        case Z_OK:
        case Z_BUF_ERROR: /* no progress possible: needs more input */
            break;
        case Z_MEM_ERROR:
            set_error(r, CL_ENOMEM, "out of memory");
            return CL_ENOMEM;
        default: /* Z_DATA_ERROR, Z_NEED_DICT, Z_STREAM_ERROR */
            set_error(r, CL_EGZIP,
                      "corrupt gzip data at compressed offset %" PRIu64 ": %s",
                      r->input_pos, zs->msg ? zs->msg : "invalid data");
            return CL_EGZIP;
        }
        if (produced > 0)
            return 1;
        if (!r->member_done && zs->avail_in == 0 && r->in_eof) {
            set_error(r, CL_EGZIP, "truncated gzip data at compressed offset %" PRIu64,
                      r->in_read);
            return CL_EGZIP;
        }
    }
}

/*
 * Append decompressed bytes to obuf (emptied first when all was parsed).
 * 1: bytes added, 0: end of input (data_eof set), < 0: fatal.
 */
static int
fill_raw(cl_reader *r)
{
    int rc;

    if (r->data_eof)
        return 0;
    if (r->opos == r->olen)
        r->opos = r->olen = 0;
    if (r->gzip)
        rc = inflate_some(r);
    else {
        size_t n = 0;
        rc = r->in_eof ? 0 : read_some(r, r->obuf + r->olen, READ_BLOCK - r->olen, &n);
        if (rc == 0 && n > 0) {
            r->olen += n;
            r->input_pos += n;
            r->data_pos += n;
            rc = 1;
        }
    }
    if (rc == 0)
        r->data_eof = true;
    return rc;
}

/* The same, in UTF-8: with --encoding the raw bytes go through transcode.c. */
static int
fill(cl_reader *r)
{
    if (!r->tc)
        return fill_raw(r);
    if (r->opos == r->olen)
        r->opos = r->olen = 0;
    for (;;) {
        size_t at = r->olen, n;
        int rc;

        n = cl_transcode_get(r->tc, r->obuf + at, READ_BLOCK - at, r->data_eof);
        if (n > 0) {
            r->olen += n;
            return 1;
        }
        if (r->data_eof)
            return 0;
        if ((rc = fill_raw(r)) < 0)
            return rc;
        if (rc > 0 && cl_transcode_put(r->tc, r->obuf + at, r->olen - at) != 0) {
            set_error(r, CL_ENOMEM, "out of memory");
            return CL_ENOMEM;
        }
        r->olen = at;
    }
}

/* Remove a UTF-8 byte order mark at the very start of the input. */
static int
skip_bom(cl_reader *r)
{
    while (r->olen - r->opos < 3) {
        int rc = fill(r);
        if (rc < 0)
            return rc;
        if (rc == 0)
            break;
    }
    if (r->olen - r->opos >= 3 && memcmp(r->obuf + r->opos, "\xEF\xBB\xBF", 3) == 0) {
        r->opos += 3;
        cl_csv_skip(r->csv, 3);
    }
    r->bom_done = true;
    return 0;
}

/* ---- public ---- */

/* The parser and the transcoder, by the options; r->name and r->display. */
static int
make_parts(cl_reader *r, const char *path, const cl_reader_opts *opts,
           unsigned char delim, unsigned char quote, char *errbuf, size_t errlen)
{
    char tcerr[256] = "";
    bool is_stdin = !path || strcmp(path, "-") == 0;
    int rc = cl_transcode_open(&r->tc, opts->encoding, tcerr, sizeof tcerr);

    if (rc != 0)
        return cl_errf(rc, errbuf, errlen, "%s", tcerr);
    r->max_field = opts->max_field_bytes ? opts->max_field_bytes : CL_READER_MAX_FIELD;
    r->max_record =
        opts->max_record_bytes ? opts->max_record_bytes : CL_READER_MAX_RECORD;
    r->name = strdup(is_stdin ? "-" : path);
    if (!r->name || cl_csv_new(&r->csv, delim, quote, opts->null_string, r->max_field,
                               r->max_record) != 0)
        return cl_errf(CL_ENOMEM, errbuf, errlen, "out of memory");
    r->display = cl_input_name(r->name);
    return 0;
}

/* r->fd: the file, or standard input (left open at close); a directory is
 * refused here, where the message can name it. */
static int
open_input(cl_reader *r, char *errbuf, size_t errlen)
{
    struct stat st;

    if (strcmp(r->name, "-") == 0) {
        r->fd = STDIN_FILENO;
    } else {
        r->fd = open(r->name, O_RDONLY | O_CLOEXEC);
        if (r->fd < 0)
            return cl_errf(CL_EIO, errbuf, errlen, "could not open file \"%s\": %s",
                           r->name, strerror(errno));
        r->close_fd = true;
    }
    if (fstat(r->fd, &st) == 0) {
        if (S_ISDIR(st.st_mode))
            return cl_errf(CL_EIO, errbuf, errlen, "could not read \"%s\": %s",
                           r->display, strerror(EISDIR));
        if (S_ISREG(st.st_mode))
            r->input_size = (uint64_t)st.st_size;
    }
    return 0;
}

/* Read the first bytes, which tell gzip from plain (a pipe may deliver
 * them one by one), and set up the inflater or the plain path. */
static int
sniff_gzip(cl_reader *r, char *errbuf, size_t errlen)
{
    size_t have = 0;

    r->ibuf = malloc(READ_BLOCK);
    if (!r->ibuf)
        return cl_errf(CL_ENOMEM, errbuf, errlen, "out of memory");
    while (have < 2 && !r->in_eof) {
        size_t n;
        if (read_some(r, r->ibuf + have, READ_BLOCK - have, &n) < 0)
            return cl_errf(CL_EIO, errbuf, errlen, "%s", r->err);
        have += n;
    }
    if (have >= 2 && r->ibuf[0] == 0x1f && r->ibuf[1] == 0x8b) {
        r->gzip = true;
        r->obuf = malloc(READ_BLOCK);
        if (!r->obuf || inflateInit2(&r->zs, 16 + MAX_WBITS) != Z_OK)
            return cl_errf(CL_ENOMEM, errbuf, errlen, "out of memory");
        r->zs_live = true;
        r->zs.next_in = r->ibuf;
        r->zs.avail_in = (uInt)have;
        return 0;
    }
    r->obuf = r->ibuf;
    r->olen = have;
    r->input_pos = r->data_pos = have;
    if (r->tc && cl_transcode_put(r->tc, r->obuf, have) != 0)
        return cl_errf(CL_ENOMEM, errbuf, errlen, "out of memory");
    if (r->tc)
        r->olen = 0;
    return 0;
}

int
cl_reader_open(cl_reader **out, const char *path, const cl_reader_opts *opts,
               char *errbuf, size_t errlen)
{
    static const cl_reader_opts defaults;
    cl_reader *r;
    int rc;

    *out = NULL;
    if (!opts)
        opts = &defaults;
    unsigned char delim = opts->delimiter ? (unsigned char)opts->delimiter : ',';
    unsigned char quote = opts->quote ? (unsigned char)opts->quote : '"';
    /* cl_config_check()'s rule, checked there once (reader.h) */
    assert(delim != quote && delim != '\n' && delim != '\r' && quote != '\n' &&
           quote != '\r');
    r = calloc(1, sizeof *r);
    if (!r)
        return cl_errf(CL_ENOMEM, errbuf, errlen, "out of memory");
    r->fd = -1;
    if ((rc = make_parts(r, path, opts, delim, quote, errbuf, errlen)) != 0 ||
        (rc = open_input(r, errbuf, errlen)) != 0 ||
        (rc = sniff_gzip(r, errbuf, errlen)) != 0) {
        cl_reader_close(r);
        return rc;
    }
    *out = r;
    return 0;
}

int
cl_reader_next(cl_reader *r, cl_record *rec)
{
    if (r->fatal)
        return r->fatal;
    if (!r->bom_done && skip_bom(r) < 0)
        return r->fatal;
    for (;;) {
        const cl_record *got = NULL;
        if (r->finished)
            return 0;
        if (r->opos < r->olen) {
            r->opos += cl_csv_parse(r->csv, r->obuf + r->opos, r->olen - r->opos, &got);
        } else {
            int rc = fill(r);
            if (rc < 0)
                return rc;
            if (rc == 0) {
                r->finished = true;
                got = cl_csv_finish(r->csv);
            }
        }
        if (cl_csv_failed(r->csv)) {
            set_error(r, CL_ENOMEM, "out of memory");
            return r->fatal;
        }
        if (got) {
            *rec = *got;
            return 1;
        }
    }
}

void
cl__reader_set_fast_path(cl_reader *r, bool on)
{
    cl_csv_set_fast_path(r->csv, on);
}

const char *
cl_reader_error(const cl_reader *r)
{
    return r->err;
}

uint64_t
cl_reader_input_size(const cl_reader *r)
{
    return r->input_size;
}

uint64_t
cl_reader_input_pos(const cl_reader *r)
{
    return r->input_pos;
}

uint64_t
cl_reader_data_pos(const cl_reader *r)
{
    return r->data_pos;
}

bool
cl_reader_is_gzip(const cl_reader *r)
{
    return r->gzip;
}

void
cl_reader_close(cl_reader *r)
{
    if (!r)
        return;
    if (r->close_fd)
        close(r->fd);
    if (r->zs_live)
        inflateEnd(&r->zs);
    cl_transcode_free(r->tc);
    cl_csv_free(r->csv);
    if (r->obuf != r->ibuf)
        free(r->obuf);
    free(r->ibuf);
    free(r->name);
    free(r);
}

const char *
cl_record_status_str(cl_record_status s)
{
    switch (s) {
    case CL_REC_OK:
        return "ok";
    case CL_REC_FIELD_TOO_LONG:
        return "field too long";
    case CL_REC_TOO_LONG:
        return "record too long";
    case CL_REC_BAD_UTF8:
        return "invalid UTF-8";
    case CL_REC_NUL_BYTE:
        return "NUL byte in field";
    case CL_REC_UNTERMINATED_QUOTE:
        return "unterminated CSV quoted field";
    case CL_REC_UNQUOTED_CR:
        return "unquoted carriage return found in data";
    case CL_REC_UNQUOTED_LF:
        return "unquoted newline found in data";
    case CL_REC_AFTER_END_MARKER:
        return "after the end-of-data marker";
    }
    return "unknown record status";
}

char *
cl_reader_problem(const cl_reader *r, const cl_record *rec, char *buf, size_t len)
{
    char what[256], where[64] = "";
    const char *name = cl_record_status_str(rec->status);

    switch (rec->status) {
    case CL_REC_FIELD_TOO_LONG:
        snprintf(what, sizeof what, "field too long: over %zu bytes", r->max_field);
        break;
    case CL_REC_TOO_LONG:
        if (rec->bad_column > 65536)
            snprintf(what, sizeof what, "record too long: over 65536 fields");
        else
            snprintf(what, sizeof what, "record too long: over %zu bytes",
                     r->max_record);
        break;
    case CL_REC_BAD_UTF8:
    case CL_REC_NUL_BYTE: {
        /* PostgreSQL's words; a NUL byte is one of its invalid sequences too. */
        size_t n =
            snprintf(what, sizeof what, "invalid byte sequence for encoding \"UTF8\":");
        for (size_t i = 0; i < rec->nbad_bytes && i < 4; i++)
            n += snprintf(what + n, sizeof what - n, " 0x%02x", rec->bad_bytes[i]);
        if (rec->status == CL_REC_NUL_BYTE)
            snprintf(what + n, sizeof what - n, " (a NUL byte)");
        break;
    }
    case CL_REC_UNTERMINATED_QUOTE:
        snprintf(
            what, sizeof what,
            "%s: the quote opened here is never closed, so the field takes the rest "
            "of the input",
            name);
        break;
    case CL_REC_UNQUOTED_CR:
        snprintf(what, sizeof what,
                 "%s (the lines of this input end with LF or CRLF); quote the field to "
                 "keep a carriage return in a value",
                 name);
        break;
    case CL_REC_UNQUOTED_LF:
        snprintf(what, sizeof what,
                 "%s (the lines of this input end with a bare CR); quote the field to "
                 "keep a newline in a value",
                 name);
        break;
    case CL_REC_AFTER_END_MARKER:
        snprintf(
            buf, len,
            "after the end-of-data marker \\. on line %" PRIu64
            ", where COPY stops reading; remove that line to load the rows after it",
            rec->bad_line);
        return buf;
    default:
        snprintf(what, sizeof what, "%s", name);
        break;
    }
    if (rec->bad_column > 0)
        snprintf(where, sizeof where, "line %" PRIu64 ", column %zu: ", rec->bad_line,
                 rec->bad_column);
    else if (rec->bad_line > 0)
        snprintf(where, sizeof where, "line %" PRIu64 ": ", rec->bad_line);
    snprintf(buf, len, "%s%s", where, what);
    return buf;
}
