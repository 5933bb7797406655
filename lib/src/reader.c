/*
 * lib/src/reader.c - stage 1 of the data flow: CSV records from a plain or gzip
 * stream (reader.h).
 *
 * DESIGN
 * Input is read with read(2) in 256 KiB blocks. Gzip is recognised by its magic
 * bytes and inflated with zlib directly; members are read one after another and
 * zero padding after a member is allowed.
 *
 * The decompressed text is cut into physical lines at '\n' and parsed one line
 * at a time, so that between two lines we can look at the parser: a line that
 * starts with libcsv in ROW_NOT_BEGUN starts a record, which gives exact line
 * numbers across quoted newlines. A line is given to libcsv in pieces of at most
 * 64 KiB, each ending at the first CR if any; after each piece a field that grew
 * past its cap is cut back (entry_pos reset), so memory stays bounded whatever
 * the input, and one csv_parse() call completes at most one record (a row ends
 * only at a CR or LF), so the queue of records stays short.
 *
 * libcsv handles one byte at a time through a state machine and callbacks, at
 * about 100 MB/s. Most lines of a catalog are simple: every quoted field closes
 * on the same line. When libcsv is between records, such a line is split here
 * (parse_simple_line) with memchr, which gives exactly what libcsv would (a
 * differential test holds the two together) at a fraction of the cost; every
 * other line, and so every record spanning lines, goes to libcsv.
 *
 * libcsv calls back from inside csv_parse(), so completed records go to a ring
 * of slots. Each slot owns an arena (the record's fields, NUL-terminated, copied
 * once from libcsv's entry buffer or the input line) and a field array, both
 * reused; a record handed out by cl_reader_next() stays valid until the next
 * call because parsing only resumes then.
 *
 * libcsv does not tell its field callback whether the field was quoted
 * (p->quoted is a copy taken when csv_parse() was entered, so it is stale for
 * every field that starts inside the call). The space callback, which we install
 * anyway so that blanks around unquoted fields are kept, sees the first byte of
 * every field; it records whether that byte is the quote (see field_start_hook).
 */
#include "crdbload/reader.h"
#include "crdbload/error.h"
#include "transcode.h"

#include <csv.h>
#include <zlib.h>

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
#define FEED_CHUNK (64u << 10)  /* most bytes given to csv_parse() at once */
#define MAX_FIELDS 65536        /* fields a record may have; more is CL_REC_TOO_LONG */

/* libcsv's parser states (libcsv.c; not in csv.h). */
#define ROW_NOT_BEGUN 0
#define FIELD_BEGUN 2
#define FIELD_MIGHT_HAVE_ENDED 3

#define NULL_OFF SIZE_MAX /* slot.offs value of an SQL NULL field */

/* One record: complete (queued) or being built. */
typedef struct slot {
    cl_record rec;
    cl_field *fields;
    size_t *offs; /* arena offset of each field, NULL_OFF for NULL */
    size_t nfields;
    size_t fields_cap;
    char *arena; /* the fields, each NUL-terminated */
    size_t arena_len;
    size_t arena_cap;
    size_t bytes;  /* size counted against max_record: fields + separators */
    bool started;  /* its first field was seen: line and offset are set */
    bool overflow; /* over the record cap: further fields are dropped */
} slot;

struct cl_reader {
    char *name;          /* as given ("-" for standard input) */
    const char *display; /* name used in messages */
    int fd;
    bool close_fd;

    unsigned char delim;
    unsigned char quote;
    char *null_string;
    size_t null_len;
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

    /* Parser and line tracking. */
    struct csv_parser csv;
    bool csv_live;
    bool bom_done;
    bool at_line_start;
    bool at_field_start;    /* libcsv's next byte between fields starts one */
    bool field_quoted;      /* the field being parsed started with the quote */
    bool skip_field;        /* the field being parsed is over max_field: dropped */
    uint64_t dropped_nl;    /* newlines dropped from the field being parsed */
    size_t dropped_bytes;   /* bytes dropped from the field being parsed */
    uint64_t fed;           /* decompressed offset of the next byte to parse */
    uint64_t line;          /* physical line of the next byte to parse */
    uint64_t cand_line;     /* where the next record starts, if it starts before */
    uint64_t cand_offset;   /* the parser leaves ROW_NOT_BEGUN again */
    bool finished;          /* csv_fini() done */
    bool no_fast_path;      /* tests: every line through libcsv */
    unsigned char *scratch; /* a quoted field of parse_simple_line() unescaped */

    /* Ring of records: queued ones at [qhead, qhead + qcount), then the one being
     * built. */
    slot *q;
    size_t qcap, qhead, qcount;
    slot *cur; /* the record being built: q[(qhead + qcount) % qcap] */

    int fatal; /* sticky CL_E* code */
    char err[512];
};

/* The reader whose csv_parse()/csv_fini() is running on this thread: libcsv's
 * space callback takes no user pointer. */
static _Thread_local cl_reader *hook_reader;

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

static void
put_errbuf(char *errbuf, size_t errlen, const char *fmt, ...)
{
    va_list ap;

    if (!errbuf || errlen == 0)
        return;
    va_start(ap, fmt);
    vsnprintf(errbuf, errlen, fmt, ap);
    va_end(ap);
}

/* ---- UTF-8 ---- */

#define ONES UINT64_C(0x0101010101010101)
#define HIGHS UINT64_C(0x8080808080808080)

/*
 * Check s[0, n) is UTF-8 without NUL bytes (RFC 3629: no overlongs, surrogates or
 * code points past U+10FFFF). Returns CL_REC_OK, or the status with *bad set to
 * the offending byte's offset. ASCII goes 8 bytes at a time.
 */
static cl_record_status
check_text(const unsigned char *s, size_t n, size_t *bad)
{
    size_t i = 0;

    if (n >= 8) { /* whole words, the last one overlapping: most fields are ASCII */
        uint64_t w;
        for (; n - i >= 8; i += 8) {
            memcpy(&w, s + i, 8);
            if ((w | ((w - ONES) & ~w)) & HIGHS)
                break;
        }
        if (n - i < 8) {
            memcpy(&w, s + n - 8, 8);
            if (!((w | ((w - ONES) & ~w)) & HIGHS))
                return CL_REC_OK;
        }
    }
    while (i < n) {
        while (n - i >= 8) {
            uint64_t w;
            memcpy(&w, s + i, 8);
            /* any byte >= 0x80, or any zero byte */
            if ((w | ((w - ONES) & ~w)) & HIGHS)
                break;
            i += 8;
        }
        if (i == n)
            break;
        unsigned char c = s[i];
        if (c < 0x80) {
            if (c == 0) {
                *bad = i;
                return CL_REC_NUL_BYTE;
            }
            i++;
            continue;
        }
        size_t len;
        unsigned char lo = 0x80, hi = 0xBF; /* range of the second byte */
        if (c >= 0xC2 && c <= 0xDF)
            len = 2;
        else if (c >= 0xE0 && c <= 0xEF) {
            len = 3;
            if (c == 0xE0)
                lo = 0xA0; /* overlong */
            else if (c == 0xED)
                hi = 0x9F; /* surrogates */
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4;
            if (c == 0xF0)
                lo = 0x90; /* overlong */
            else if (c == 0xF4)
                hi = 0x8F; /* past U+10FFFF */
        } else
            goto invalid;
        if (n - i < len || s[i + 1] < lo || s[i + 1] > hi)
            goto invalid;
        for (size_t k = 2; k < len; k++)
            if ((s[i + k] & 0xC0) != 0x80)
                goto invalid;
        i += len;
    }
    return CL_REC_OK;

invalid:
    *bad = i;
    return CL_REC_BAD_UTF8;
}

static uint64_t
count_newlines(const unsigned char *s, size_t n)
{
    uint64_t count = 0;
    const unsigned char *end;

    if (n == 0)
        return 0; /* s may be NULL */
    end = s + n;
    while (s < end && (s = memchr(s, '\n', (size_t)(end - s))) != NULL) {
        count++;
        s++;
    }
    return count;
}

/* ---- the record ring ---- */

/* Point cur at the slot after the queued records (the ring's free slots follow). */
static void
set_building(cl_reader *r)
{
    r->cur = &r->q[(r->qhead + r->qcount) % r->qcap];
}

static void
start_slot(slot *b)
{
    b->nfields = 0;
    b->arena_len = 0;
    b->bytes = 0;
    b->started = false;
    b->overflow = false;
    memset(&b->rec, 0, sizeof b->rec);
}

/* The first problem of a record is the one reported. */
static void
mark(slot *b, cl_record_status st, size_t column, uint64_t line)
{
    if (b->rec.status != CL_REC_OK)
        return;
    b->rec.status = st;
    b->rec.bad_column = column;
    b->rec.bad_line = line;
}

static bool
grow_fields(cl_reader *r, slot *b)
{
    size_t cap = b->fields_cap ? b->fields_cap * 2 : 16;
    cl_field *f = realloc(b->fields, cap * sizeof *f);
    if (f)
        b->fields = f;
    size_t *o = f ? realloc(b->offs, cap * sizeof *o) : NULL;
    if (!o) {
        set_error(r, CL_ENOMEM, "out of memory");
        return false;
    }
    b->offs = o;
    b->fields_cap = cap;
    return true;
}

/* Room for n more bytes in the arena. */
static bool
reserve_arena(cl_reader *r, slot *b, size_t n)
{
    if (b->arena_cap - b->arena_len >= n)
        return true;
    size_t cap = b->arena_cap ? b->arena_cap : 4096;
    while (cap - b->arena_len < n)
        cap *= 2;
    char *a = realloc(b->arena, cap);
    if (!a) {
        set_error(r, CL_ENOMEM, "out of memory");
        return false;
    }
    b->arena = a;
    b->arena_cap = cap;
    return true;
}

/* A record is complete: queue it and start the next one in a free slot. */
static void
push_record(cl_reader *r)
{
    slot *b = r->cur;

    for (size_t i = 0; i < b->nfields; i++)
        b->fields[i].data = b->offs[i] == NULL_OFF ? NULL : b->arena + b->offs[i];
    b->rec.fields = b->fields;
    b->rec.nfields = b->nfields;
    r->qcount++;
    if (r->qcount == r->qcap) {
        /* No free slot left: double the ring, queued records first, in order. */
        size_t cap = r->qcap * 2;
        slot *q = calloc(cap, sizeof *q);
        if (!q) {
            r->qcount--; /* drop it: the ring stays as it was */
            set_error(r, CL_ENOMEM, "out of memory");
            return;
        }
        for (size_t i = 0; i < r->qcap; i++)
            q[i] = r->q[(r->qhead + i) % r->qcap];
        free(r->q);
        r->q = q;
        r->qhead = 0;
        r->qcap = cap;
    }
    set_building(r);
    start_slot(r->cur);
}

/* ---- libcsv callbacks ---- */

/*
 * libcsv's space callback. It is called, among others, for the first byte libcsv
 * reads while between fields (states ROW_NOT_BEGUN, FIELD_NOT_BEGUN); that byte is
 * a delimiter (an empty unquoted field), a line end (an empty last field, or a
 * blank line, so the next byte is still a field start), the quote (a quoted
 * field) or the field's first byte. Returning 0 keeps every blank as data.
 */
static int
field_start_hook(unsigned char c)
{
    cl_reader *r = hook_reader;

    if (r->at_field_start) {
        if (c == '\r' || c == '\n')
            r->field_quoted = false;
        else {
            r->at_field_start = false;
            r->field_quoted = c == r->quote;
        }
    }
    return 0;
}

static void
on_field(void *data, size_t len, void *ctx)
{
    cl_reader *r = ctx;
    slot *b = r->cur;
    bool quoted = r->field_quoted;
    bool skipped = r->skip_field;

    r->at_field_start = true;
    r->field_quoted = false;
    r->skip_field = false;
    uint64_t dropped_nl = r->dropped_nl;
    r->dropped_nl = 0;
    size_t dropped_bytes = r->dropped_bytes;
    r->dropped_bytes = 0;
    if (r->fatal)
        return;
    if (!b->started) {
        b->started = true;
        b->rec.line = r->cand_line;
        b->rec.offset = r->cand_offset;
    }
    if (b->overflow)
        return;

    size_t col = b->nfields + 1;
    /* The caps are checked on the field's whole length, what feed() dropped of
     * it included, so that the outcome does not depend on where the input was
     * cut into pieces (read boundaries, gzip members, a pipe's timing). A field
     * over max_field is "field too long" whatever the record cap, and is kept
     * as an empty placeholder; only the tail of it may be left in data. The
     * line the field starts on is counted only for a mark (error path). */
    if (skipped || len + dropped_bytes > r->max_field) {
        mark(b, CL_REC_FIELD_TOO_LONG, col,
             r->line - count_newlines(data, len) - dropped_nl);
        len = 0; /* the mark below, if any, is then a no-op: one was made */
        skipped = true;
    }
    if (b->nfields == MAX_FIELDS || len + 1 > r->max_record - b->bytes) {
        mark(b, CL_REC_TOO_LONG, col, r->line - count_newlines(data, len) - dropped_nl);
        b->overflow = true;
        return;
    }
    if (b->nfields == b->fields_cap && !grow_fields(r, b))
        return;

    bool is_null;
    if (skipped || quoted)
        is_null = false;
    else if (r->null_string)
        is_null = len == r->null_len && memcmp(data, r->null_string, len) == 0;
    else
        is_null = len == 0;

    if (is_null) {
        b->offs[b->nfields] = NULL_OFF;
        b->fields[b->nfields].len = 0;
    } else {
        if (!reserve_arena(r, b, len + 1))
            return;
        char *dst = b->arena + b->arena_len;
        memcpy(dst, data, len);
        dst[len] = '\0';
        b->offs[b->nfields] = b->arena_len;
        b->fields[b->nfields].len = len;
        b->arena_len += len + 1;
        if (b->rec.status == CL_REC_OK) {
            size_t bad;
            cl_record_status st = check_text((const unsigned char *)dst, len, &bad);
            if (st != CL_REC_OK) {
                /* The field ends on the current line; step back over its newlines. */
                uint64_t after =
                    count_newlines((const unsigned char *)dst + bad, len - bad);
                mark(b, st, col, r->line - after);
            }
        }
    }
    b->bytes += len + 1;
    b->nfields++;
}

static void
on_row(int c, void *ctx)
{
    cl_reader *r = ctx;

    (void)c;
    r->at_field_start = true;
    r->field_quoted = false;
    if (r->fatal)
        return;
    push_record(r);
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

/* ---- parsing ---- */

/* Drop the bytes of the field being parsed, keeping what libcsv may still step
 * back over (the quote that might close the field). */
static void
drop_field_bytes(cl_reader *r)
{
    struct csv_parser *p = &r->csv;
    size_t keep = p->spaces + (p->pstate == FIELD_MIGHT_HAVE_ENDED ? 1 : 0);

    if (keep > p->entry_pos)
        keep = p->entry_pos;
    size_t drop = p->entry_pos - keep;
    r->dropped_nl += count_newlines(p->entry_buf, drop);
    r->dropped_bytes += drop;
    memmove(p->entry_buf, p->entry_buf + drop, keep);
    p->entry_pos = keep;
}

/* The line the field being parsed starts on, given the line of the next byte
 * (error path only: it counts). */
static uint64_t
field_start_line(cl_reader *r, uint64_t next_line)
{
    return next_line - r->dropped_nl -
           count_newlines(r->csv.entry_buf, r->csv.entry_pos);
}

/* Parse s[0, n), which holds at most one '\n', at its end. */
static int
feed(cl_reader *r, const unsigned char *s, size_t n)
{
    struct csv_parser *p = &r->csv;

    /* libcsv grows its buffer by blk_size: make that geometric. */
    size_t blk = p->entry_size < FEED_CHUNK ? FEED_CHUNK : p->entry_size;
    p->blk_size = blk > (8u << 20) ? (8u << 20) : blk;

    hook_reader = r;
    size_t done = csv_parse(p, s, n, on_field, on_row, r);
    if (r->fatal)
        return r->fatal;
    if (done < n) {
        set_error(r, CL_ENOMEM, "%s", csv_strerror(csv_error(p)));
        return r->fatal;
    }

    /* Keep libcsv's buffer bounded (to max_field and a byte): drop the bytes of
     * a field that is over max_field for sure (a quote just read may close it
     * and not count), or of a record already over its cap. Nothing is marked
     * here: on_field() decides on the whole field, as when it came in one
     * piece, knowing how much was dropped (dropped_bytes, dropped_nl). */
    size_t ep = p->entry_pos;
    if (ep > r->max_field) {
        if (r->skip_field || r->cur->overflow) {
            drop_field_bytes(r);
        } else if (ep - (p->pstate == FIELD_MIGHT_HAVE_ENDED ? 1 : 0) > r->max_field) {
            r->skip_field = true;
            drop_field_bytes(r);
        }
    }
    return 0;
}

/*
 * Parse a whole line s[0, n) (ending in '\n') without libcsv, when libcsv is
 * between records. Fields are unquoted (up to the next delimiter; a quote inside
 * is data) or quoted on this line ("..." with "" for a quote, closed just before
 * a delimiter or the line end); libcsv, with the blank-keeping space callback,
 * gives exactly these. A line this does not handle (a quoted field that goes on
 * to the next line or past its closing quote, a CR other than just before the LF,
 * which ends a row for libcsv) is left whole to libcsv: returns false, having
 * undone the fields it gave (the record being built was empty, as libcsv was
 * between records).
 */
static bool
parse_simple_line(cl_reader *r, const unsigned char *s, size_t n)
{
    const unsigned char quote = r->quote, delim = r->delim;
    size_t end = n - 1;

    if (end > 0 && s[end - 1] == '\r')
        end--;
    if (memchr(s, '\r', end))
        return false;
    if (end == 0)
        return true; /* blank line */
    const unsigned char *p = s, *stop = s + end;
    for (;;) {
        const unsigned char *fs = p, *fe;
        if (p < stop && *p == quote) {
            const unsigned char *c = p + 1;
            bool doubled = false;
            for (;;) {
                c = memchr(c, quote, (size_t)(stop - c));
                if (!c)
                    goto undo; /* goes on to the next line, or never closes */
                if (c + 1 < stop && c[1] == quote) {
                    doubled = true;
                    c += 2;
                    continue;
                }
                break;
            }
            if (c + 1 < stop && c[1] != delim)
                goto undo; /* libcsv would take what follows into the field */
            fs = p + 1;
            fe = c;
            p = c + 1;
            if (doubled) { /* every quote inside is one of a pair */
                unsigned char *o = r->scratch;
                for (const unsigned char *k = fs; k < fe; k++) {
                    *o++ = *k;
                    k += *k == quote;
                }
                fs = r->scratch;
                fe = o;
            }
            r->field_quoted = true;
        } else {
            fe = memchr(p, delim, (size_t)(stop - p));
            if (!fe)
                fe = stop;
            p = fe;
            r->field_quoted = false;
        }
        on_field((void *)fs, (size_t)(fe - fs), r);
        if (p == stop)
            break;
        p++; /* the delimiter */
    }
    on_row('\n', r);
    return true;

undo:
    start_slot(r->cur);
    r->at_field_start = true;
    r->field_quoted = false;
    return false;
}

/* For tests: parse every line with libcsv, to compare with parse_simple_line(). */
void cl__reader_set_fast_path(cl_reader *r, bool on);

void
cl__reader_set_fast_path(cl_reader *r, bool on)
{
    r->no_fast_path = !on;
}

/* Parse whole lines from obuf until a record is queued or the buffer is used up. */
static int
feed_lines(cl_reader *r)
{
    while (r->qcount == 0 && r->opos < r->olen) {
        if (r->at_line_start) {
            if (r->csv.pstate == ROW_NOT_BEGUN) {
                r->cand_line = r->line;
                r->cand_offset = r->fed;
            }
            r->at_line_start = false;
        }
        const unsigned char *s = r->obuf + r->opos;
        size_t n = r->olen - r->opos;
        if (n > FEED_CHUNK)
            n = FEED_CHUNK;
        const unsigned char *nl = memchr(s, '\n', n);
        if (nl)
            n = (size_t)(nl - s) + 1;
        int rc = 0;
        bool row_may_end_at_cr = false;
        /* Most lines of a catalog are simple: skip libcsv's byte-at-a-time machine. */
        if (nl && r->csv.pstate == ROW_NOT_BEGUN && !r->no_fast_path &&
            parse_simple_line(r, s, n)) {
            rc = r->fatal;
        } else {
            /* A CR ends a row for libcsv too: stop after one, so that one call
             * completes at most one record and the queue stays short. */
            const unsigned char *cr = memchr(s, '\r', n);
            if (cr) {
                n = (size_t)(cr - s) + 1;
                nl = NULL;
                row_may_end_at_cr = true;
            }
            rc = feed(r, s, n);
        }
        r->opos += n;
        r->fed += n;
        if (rc < 0)
            return rc;
        if (nl) {
            r->line++;
            r->at_line_start = true;
        } else if (row_may_end_at_cr && r->csv.pstate == ROW_NOT_BEGUN) {
            r->cand_line = r->line; /* the next record starts after the CR */
            r->cand_offset = r->fed;
        }
    }
    return 0;
}

/* End of input: flush the last record, flagging a quote left open. */
static int
finish(cl_reader *r)
{
    struct csv_parser *p = &r->csv;

    if (p->pstate == FIELD_BEGUN && p->quoted) {
        slot *b = r->cur;
        /* This overrides an earlier problem: the field swallowed the rest of the
         * input, so nothing else about the record means much. */
        b->rec.status = CL_REC_UNTERMINATED_QUOTE;
        b->rec.bad_column = b->overflow ? 0 : b->nfields + 1;
        b->rec.bad_line = field_start_line(r, r->line);
    }
    hook_reader = r;
    csv_fini(p, on_field, on_row, r);
    r->finished = true;
    return r->fatal;
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
        r->fed += 3;
    }
    r->bom_done = true;
    return 0;
}

/* ---- public ---- */

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
    if (delim == quote || delim == '\n' || delim == '\r' || quote == '\n' ||
        quote == '\r') {
        put_errbuf(errbuf, errlen,
                   "the delimiter and the quote must be two different characters, "
                   "neither a line end");
        return CL_ECONFIG;
    }

    r = calloc(1, sizeof *r);
    if (!r)
        goto nomem;
    r->fd = -1;
    char tcerr[256] = "";
    if ((rc = cl_transcode_open(&r->tc, opts->encoding, tcerr, sizeof tcerr)) != 0) {
        put_errbuf(errbuf, errlen, "%s", tcerr);
        goto fail;
    }
    r->delim = delim;
    r->quote = quote;
    r->max_field = opts->max_field_bytes ? opts->max_field_bytes : CL_READER_MAX_FIELD;
    r->max_record =
        opts->max_record_bytes ? opts->max_record_bytes : CL_READER_MAX_RECORD;
    r->line = 1;
    r->cand_line = 1;
    r->at_line_start = true;
    r->at_field_start = true;
    bool is_stdin = !path || strcmp(path, "-") == 0;
    r->name = strdup(is_stdin ? "-" : path);
    if (!r->name)
        goto nomem;
    r->display = is_stdin ? "standard input" : r->name;
    if (opts->null_string) {
        r->null_string = strdup(opts->null_string);
        if (!r->null_string)
            goto nomem;
        r->null_len = strlen(r->null_string);
    }

    if (is_stdin) {
        r->fd = STDIN_FILENO;
    } else {
        r->fd = open(path, O_RDONLY | O_CLOEXEC);
        if (r->fd < 0) {
            put_errbuf(errbuf, errlen, "could not open file \"%s\": %s", path,
                       strerror(errno));
            rc = CL_EIO;
            goto fail;
        }
        r->close_fd = true;
    }
    struct stat st;
    if (fstat(r->fd, &st) == 0) {
        if (S_ISDIR(st.st_mode)) {
            put_errbuf(errbuf, errlen, "could not read \"%s\": %s", r->display,
                       strerror(EISDIR));
            rc = CL_EIO;
            goto fail;
        }
        if (S_ISREG(st.st_mode))
            r->input_size = (uint64_t)st.st_size;
    }

    r->ibuf = malloc(READ_BLOCK);
    r->scratch = malloc(FEED_CHUNK);
    r->q = calloc(4, sizeof *r->q);
    if (!r->ibuf || !r->scratch || !r->q)
        goto nomem;
    r->qcap = 4;
    set_building(r);

    /* The first bytes tell gzip from plain; a pipe may deliver them one by one. */
    size_t have = 0;
    while (have < 2 && !r->in_eof) {
        size_t n;
        if (read_some(r, r->ibuf + have, READ_BLOCK - have, &n) < 0) {
            put_errbuf(errbuf, errlen, "%s", r->err);
            rc = CL_EIO;
            goto fail;
        }
        have += n;
    }
    if (have >= 2 && r->ibuf[0] == 0x1f && r->ibuf[1] == 0x8b) {
        r->gzip = true;
        r->obuf = malloc(READ_BLOCK);
        if (!r->obuf)
            goto nomem;
        if (inflateInit2(&r->zs, 16 + MAX_WBITS) != Z_OK)
            goto nomem;
        r->zs_live = true;
        r->zs.next_in = r->ibuf;
        r->zs.avail_in = (uInt)have;
    } else {
        r->obuf = r->ibuf;
        r->olen = have;
        r->input_pos = r->data_pos = have;
        if (r->tc && cl_transcode_put(r->tc, r->obuf, have) != 0)
            goto nomem;
        if (r->tc)
            r->olen = 0;
    }

    if (csv_init(&r->csv, CSV_APPEND_NULL) != 0)
        goto nomem;
    r->csv_live = true;
    csv_set_delim(&r->csv, delim);
    csv_set_quote(&r->csv, quote);
    csv_set_space_func(&r->csv, field_start_hook);
    *out = r;
    return 0;

nomem:
    put_errbuf(errbuf, errlen, "out of memory");
    rc = CL_ENOMEM;
fail:
    cl_reader_close(r);
    return rc;
}

int
cl_reader_next(cl_reader *r, cl_record *rec)
{
    if (r->fatal)
        return r->fatal;
    if (!r->bom_done && skip_bom(r) < 0)
        return r->fatal;
    while (r->qcount == 0) {
        int rc;
        if (r->finished)
            return 0;
        if (r->opos < r->olen)
            rc = feed_lines(r);
        else {
            rc = fill(r);
            if (rc == 0)
                rc = finish(r);
        }
        if (rc < 0)
            return rc;
    }
    *rec = r->q[r->qhead].rec;
    if (++r->qhead == r->qcap)
        r->qhead = 0;
    r->qcount--;
    return 1;
}

const char *
cl_reader_error(const cl_reader *r)
{
    return r->err;
}

const char *
cl_reader_name(const cl_reader *r)
{
    return r->name;
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
    if (r->csv_live)
        csv_free(&r->csv);
    if (r->obuf != r->ibuf)
        free(r->obuf);
    free(r->ibuf);
    free(r->scratch);
    for (size_t i = 0; r->q && i < r->qcap; i++) {
        free(r->q[i].fields);
        free(r->q[i].offs);
        free(r->q[i].arena);
    }
    free(r->q);
    free(r->null_string);
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
        return "unterminated quoted field";
    }
    return "unknown record status";
}
