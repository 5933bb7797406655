/*
 * lib/src/csvparse.c - the CSV parser: bytes in, records out, by COPY's rules
 * (csvparse.h).
 *
 * DESIGN
 * One state machine reads a byte at a time (parse_bytes): whether it is inside
 * quotes, whether the byte before was a closing quote (then a quote is a
 * literal one: "" inside quotes), whether a CR waits for the next byte to say
 * if it is half of a CRLF. It keeps its state between calls, so a record may
 * span any number of input pieces, and checks the raw bytes as UTF-8 as they
 * come (COPY checks the input's encoding before it splits fields, so a quote
 * between two halves of a character does not make it valid).
 *
 * Most lines of a catalog are a whole record in the buffer. When the parser is
 * between records of an LF file and the buffer holds the line's LF (memchr),
 * the line is split and checked in one pass by parse_line_fast(), which copies
 * runs of ordinary bytes whole. It gives exactly what parse_bytes() would (a
 * differential test and both fuzz targets hold the two together, and the fuzz
 * targets hold both to a plain model of COPY's rules); any line it does not
 * take whole (a quote left open, a stray CR, invalid UTF-8, a cap reached, the
 * end-of-data marker) is left to parse_bytes().
 *
 * The record's fields are kept NUL-terminated, one after another, in an arena
 * reused from record to record; a field past max_field keeps no more bytes,
 * a record past max_record no more fields, so memory stays bounded.
 */
#include "csvparse.h"

#include "crdbload/crdbload.h"
#include "util.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FIELDS 65536  /* fields a record may have; more is CL_REC_TOO_LONG */
#define NULL_OFF SIZE_MAX /* offs[] value of an SQL NULL field */

/* The line end style, set by the first line end outside quotes (COPY's
 * eol_type; CRLF lines are taken in an LF file and the other way round).
 * Lines are counted by LF, by CR once the style is a bare CR (a quoted CR
 * before the first line end is not counted). */
enum eol { EOL_UNKNOWN, EOL_LF, EOL_CR };

struct cl_csv {
    unsigned char delim, quote;
    char *null_string; /* NULL: the empty unquoted field is NULL */
    size_t null_len;
    size_t max_field, max_record;
    bool no_fast_path;
    bool failed; /* out of memory: sticky */
    /* The fast path's byte classes: nonzero for a byte that ends a run of
     * ordinary ones outside quotes (delimiter, quote, CR, not ASCII, NUL) and
     * inside quotes (quote, not ASCII, NUL). */
    unsigned char out_cls[256], in_cls[256];

    uint64_t offset; /* of the next byte */
    uint64_t line;   /* physical line of the next byte */
    enum eol eol;
    uint64_t marker_line; /* line of the end-of-data marker, 0 before one */

    /* The record being read, or handed out (ready). */
    cl_record rec;
    cl_field *fields;
    size_t *offs; /* arena offset of each field, NULL_OFF for NULL */
    size_t nfields, fields_cap;
    char *arena;
    size_t arena_len, arena_cap;
    size_t bytes;          /* counted against max_record: field bytes + 1 each */
    bool overflow;         /* past max_record: no more fields kept */
    bool started;          /* a byte of it was read: line and offset are set */
    bool ready;            /* complete and handed out */
    size_t raw_len;        /* raw bytes read, line end excluded (up to 3) */
    unsigned char head[2]; /* its first two raw bytes: "\." is the marker */

    /* The field being read. */
    size_t fstart;  /* arena offset of its first byte */
    size_t flen;    /* its length, bytes past max_field included */
    uint64_t fline; /* the line it starts on */
    bool saw_quote; /* a quote was read: it cannot be NULL */
    bool in_quote;
    bool after_close;    /* the byte before was a closing quote */
    bool pending_cr;     /* a CR outside quotes: line end or data? */
    uint64_t quote_line; /* line of the quote that last opened quoting */

    /* UTF-8 of the raw bytes: the sequence being read. */
    unsigned utf_need;            /* continuation bytes still expected */
    unsigned char utf_lo, utf_hi; /* range of the next one */
    unsigned char utf_seq[4];
    size_t utf_n;
    size_t utf_col;
    uint64_t utf_line;
};

/* ---- the record ---- */

/* The first problem of a record is the one reported. */
static void
mark(cl_csv *p, cl_record_status st, size_t column, uint64_t line)
{
    if (p->rec.status != CL_REC_OK)
        return;
    p->rec.status = st;
    p->rec.bad_column = column;
    p->rec.bad_line = line;
}

static void
reset_field(cl_csv *p)
{
    p->fstart = p->arena_len;
    p->flen = 0;
    p->fline = p->line;
    p->saw_quote = false;
    p->in_quote = false;
    p->after_close = false;
}

static void
reset_record(cl_csv *p)
{
    memset(&p->rec, 0, sizeof p->rec);
    p->nfields = 0;
    p->arena_len = 0;
    p->bytes = 0;
    p->overflow = false;
    p->started = false;
    p->ready = false;
    p->raw_len = 0;
    p->utf_need = 0;
    reset_field(p);
}

static void
start_record(cl_csv *p)
{
    p->started = true;
    p->rec.line = p->line;
    p->rec.offset = p->offset;
    p->fline = p->line;
}

static bool
reserve_arena(cl_csv *p, size_t n)
{
    if (p->arena_cap - p->arena_len >= n)
        return true;
    char *a = cl_grow(p->arena, &p->arena_cap, p->arena_len + n, 1, 4096);
    if (!a) {
        p->failed = true;
        return false;
    }
    p->arena = a;
    return true;
}

/* fields and offs grow together: one capacity for both. */
static bool
reserve_field(cl_csv *p)
{
    if (p->nfields < p->fields_cap)
        return true;
    size_t cap = p->fields_cap, ocap = p->fields_cap;
    cl_field *f = cl_grow(p->fields, &cap, p->nfields + 1, sizeof *f, 16);
    if (f)
        p->fields = f;
    size_t *o = f ? cl_grow(p->offs, &ocap, p->nfields + 1, sizeof *o, 16) : NULL;
    if (!o) {
        p->failed = true;
        return false;
    }
    p->offs = o;
    p->fields_cap = cap;
    return true;
}

/* A byte of the field's value (bytes past max_field are counted, not kept). */
static inline void
put(cl_csv *p, unsigned char c)
{
    if (++p->flen > p->max_field || p->overflow)
        return;
    if (p->arena_len == p->arena_cap && !reserve_arena(p, 1))
        return;
    p->arena[p->arena_len++] = (char)c;
}

/*
 * Store the field whose value is arena[fstart, fstart + len), its raw length
 * counted against max_record. It is NULL when maybe_null (no quote was read,
 * so the value is the raw text) and it equals the NULL string.
 */
static bool
store_field(cl_csv *p, size_t len, bool maybe_null)
{
    p->arena_len = p->fstart + len;
    if (!reserve_field(p) || !reserve_arena(p, 1))
        return false;
    if (maybe_null && len == p->null_len &&
        (len == 0 || memcmp(p->arena + p->fstart, p->null_string, len) == 0)) {
        p->arena_len = p->fstart;
        p->offs[p->nfields] = NULL_OFF;
        p->fields[p->nfields].len = 0;
    } else {
        p->arena[p->arena_len++] = '\0';
        p->offs[p->nfields] = p->fstart;
        p->fields[p->nfields].len = len;
    }
    p->bytes += len + 1;
    p->nfields++;
    return true;
}

/*
 * The field ends (a delimiter or the record's end). A field over max_field is
 * kept as an empty string and marked; one that does not fit in max_record is
 * dropped with every field after it. NULL: no quote was read and the raw text,
 * which is then the value, equals the NULL string.
 */
static void
end_field(cl_csv *p)
{
    size_t col = p->nfields + 1;
    size_t len = p->flen;
    bool too_long = false;

    if (p->overflow)
        goto done;
    if (len > p->max_field) {
        mark(p, CL_REC_FIELD_TOO_LONG, col, p->fline);
        len = 0;
        too_long = true;
    }
    if (p->nfields == MAX_FIELDS || len + 1 > p->max_record - p->bytes) {
        mark(p, CL_REC_TOO_LONG, col, p->fline);
        p->overflow = true;
        goto done;
    }
    store_field(p, len, !too_long && !p->saw_quote); /* false: p->failed */
done:
    if (p->overflow)
        p->arena_len = p->fstart;
    reset_field(p);
}

/* Every field of the record is in: hand it out. */
static void
publish(cl_csv *p)
{
    for (size_t i = 0; i < p->nfields; i++)
        p->fields[i].data = p->offs[i] == NULL_OFF ? NULL : p->arena + p->offs[i];
    p->rec.fields = p->fields;
    p->rec.nfields = p->nfields;
    if (p->marker_line) {
        /* Whatever else is wrong with it: COPY would not have read it. */
        p->rec.status = CL_REC_AFTER_END_MARKER;
        p->rec.bad_column = 0;
        p->rec.bad_line = p->marker_line;
    }
    p->ready = true;
}

/* The record ends (a line end, or the end of the input). */
static void
end_record(cl_csv *p)
{
    end_field(p);
    publish(p);
}

/* ---- UTF-8, a byte at a time ---- */

static void
utf_bad(cl_csv *p, cl_record_status st, size_t col, uint64_t line)
{
    if (p->rec.status == CL_REC_OK) {
        memcpy(p->rec.bad_bytes, p->utf_seq, p->utf_n);
        p->rec.nbad_bytes = p->utf_n;
    }
    mark(p, st, col, line);
    p->utf_need = 0;
}

static void
utf_check(cl_csv *p, unsigned char c)
{
    if (p->utf_need) {
        p->utf_seq[p->utf_n++] = c;
        if (c >= p->utf_lo && c <= p->utf_hi) {
            p->utf_lo = 0x80;
            p->utf_hi = 0xBF;
            p->utf_need--;
            return;
        }
        utf_bad(p, CL_REC_BAD_UTF8, p->utf_col, p->utf_line);
        if (c >= 0x80)
            return; /* it was counted in the bad sequence */
    }
    if (c < 0x80) {
        if (c == 0) {
            p->utf_seq[0] = 0;
            p->utf_n = 1;
            utf_bad(p, CL_REC_NUL_BYTE, p->nfields + 1, p->line);
        }
        return;
    }
    p->utf_seq[0] = c;
    p->utf_n = 1;
    p->utf_col = p->nfields + 1;
    p->utf_line = p->line;
    p->utf_lo = 0x80;
    p->utf_hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF)
        p->utf_need = 1;
    else if (c >= 0xE0 && c <= 0xEF) {
        p->utf_need = 2;
        if (c == 0xE0)
            p->utf_lo = 0xA0;
        else if (c == 0xED)
            p->utf_hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        p->utf_need = 3;
        if (c == 0xF0)
            p->utf_lo = 0x90;
        else if (c == 0xF4)
            p->utf_hi = 0x8F;
    } else
        utf_bad(p, CL_REC_BAD_UTF8, p->utf_col, p->utf_line);
}

/* A raw byte of the record to the UTF-8 check: ASCII other than NUL, outside
 * a character, needs nothing. */
static inline void
utf_byte(cl_csv *p, unsigned char c)
{
    if ((unsigned)(c - 1) < 0x7F && !p->utf_need)
        return;
    utf_check(p, c);
}

/* ---- the byte machine ---- */

/* A raw byte of the record (line ends excluded): the marker check sees it. */
static inline void
raw_byte(cl_csv *p, unsigned char c)
{
    if (p->raw_len < 2)
        p->head[p->raw_len] = c;
    if (p->raw_len < 3)
        p->raw_len++;
}

/* A line end outside quotes. A record whose raw text is "\." is the
 * end-of-data marker, once (COPY looks for it on the raw bytes at the start
 * of a record; with a backslash or a period for quote or delimiter the two may
 * differ). */
static void
line_end(cl_csv *p, unsigned char c)
{
    if (p->utf_need)
        utf_byte(p, c); /* a character cut short by the line end */
    if (p->raw_len == 2 && p->head[0] == '\\' && p->head[1] == '.' && !p->marker_line &&
        p->rec.status == CL_REC_OK) {
        p->marker_line = p->rec.line;
        reset_record(p);
        return;
    }
    end_record(p);
}

/* A CR outside quotes of an LF file that is not followed by the LF: data. */
static void
stray_cr(cl_csv *p)
{
    utf_byte(p, '\r');
    mark(p, CL_REC_UNQUOTED_CR, p->nfields + 1, p->line);
    raw_byte(p, '\r');
    p->after_close = false;
    put(p, '\r');
}

/* Parse s[0, n) until a record is complete; returns the bytes used. */
static size_t
parse_bytes(cl_csv *p, const unsigned char *s, size_t n)
{
    const unsigned char quote = p->quote, delim = p->delim;
    size_t i = 0;

    while (i < n && !p->ready) {
        unsigned char c = s[i];

        if (p->pending_cr) {
            p->pending_cr = false;
            if (c == '\n') { /* CRLF */
                if (p->eol == EOL_UNKNOWN)
                    p->eol = EOL_LF;
                i++;
                p->offset++;
                p->line++;
                line_end(p, '\r');
                continue;
            }
            if (p->eol == EOL_UNKNOWN) { /* the first line end is a bare CR */
                p->eol = EOL_CR;
                p->line++;
                line_end(p, '\r');
                continue; /* c starts the next record */
            }
            stray_cr(p);
        }
        if (!p->started)
            start_record(p);
        i++;
        p->offset++;

        if (p->in_quote) {
            utf_byte(p, c);
            raw_byte(p, c);
            if (c == quote) {
                p->in_quote = false;
                p->after_close = true;
                continue;
            }
            if (c == (p->eol == EOL_CR ? '\r' : '\n'))
                p->line++;
            put(p, c);
            continue;
        }
        if (c == '\n') {
            if (p->eol != EOL_CR) {
                p->eol = EOL_LF;
                p->line++;
                line_end(p, c);
                continue;
            }
            utf_byte(p, c);
            mark(p, CL_REC_UNQUOTED_LF, p->nfields + 1, p->line);
        } else if (c == '\r') {
            if (p->eol == EOL_CR) {
                p->line++;
                line_end(p, c);
            } else {
                p->pending_cr = true;
            }
            continue;
        } else {
            utf_byte(p, c);
        }
        raw_byte(p, c);
        if (c == quote) {
            if (p->after_close) /* "" inside quotes: quoting goes on */
                put(p, c);
            else
                p->quote_line = p->line;
            p->after_close = false;
            p->saw_quote = true;
            p->in_quote = true;
            continue;
        }
        p->after_close = false;
        if (c == delim)
            end_field(p);
        else
            put(p, c);
    }
    return i;
}

/* ---- the fast path ---- */

/* Copy a piece of a field's value into the arena (room was reserved). */
static inline void
put_span(cl_csv *p, const unsigned char *s, size_t n)
{
    memcpy(p->arena + p->arena_len, s, n);
    p->arena_len += n;
}

/* The length of the well-formed UTF-8 character at s (s < stop), 0 when there
 * is none there (RFC 3629: no overlongs, surrogates or code points past
 * U+10FFFF; a NUL byte is none either). */
static inline size_t
utf8_len(const unsigned char *s, const unsigned char *stop)
{
    unsigned c = s[0];
    size_t len;
    unsigned lo = 0x80, hi = 0xBF; /* range of the second byte */

    if (c >= 0x01 && c < 0x80)
        return 1;
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
        return 0;
    if ((size_t)(stop - s) < len || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t k = 2; k < len; k++)
        if ((s[k] & 0xC0) != 0x80)
            return 0;
    return len;
}

/* ---- finding the next byte that matters, eight at a time ---- */

#define ONES UINT64_C(0x0101010101010101)
#define HIGHS UINT64_C(0x8080808080808080)

/* The high bit of each byte of w that is zero (exact up to the lowest one: a
 * borrow only spills into the bytes above a zero byte). */
static inline uint64_t
zero_bytes(uint64_t w)
{
    return (w - ONES) & ~w & HIGHS;
}

/* The high bit of each byte of w that is c1 or c2, not ASCII, or NUL (and
 * CR too when cr): the lowest one set marks the first such byte. */
static inline uint64_t
special_bytes(uint64_t w, uint64_t c1, uint64_t c2, bool cr)
{
    uint64_t m = zero_bytes(w ^ c1) | zero_bytes(w ^ c2) | (w & HIGHS) | zero_bytes(w);
    if (cr)
        m |= zero_bytes(w ^ (ONES * '\r'));
    return m;
}

/* Copy the character at k (where the scan stopped) whole, move *cur past it;
 * false when it is not well-formed UTF-8 (the slow path takes the line). */
static inline bool
put_char(cl_csv *p, const unsigned char **cur, const unsigned char *k,
         const unsigned char *stop)
{
    size_t len = utf8_len(k, stop);

    if (!len)
        return false;
    put_span(p, k, len);
    *cur = k + len;
    return true;
}

/*
 * The first byte of [k, stop) whose class in cls is not zero, or stop. Words
 * are looked at whole where the byte order lets the lowest set bit name the
 * first byte; the table decides the rest. cls must mark exactly c1, c2, the
 * bytes that are not ASCII, NUL, and CR when cr.
 */
static inline const unsigned char *
scan(const unsigned char *k, const unsigned char *stop, const unsigned char *cls,
     unsigned char c1, unsigned char c2, bool cr)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    const uint64_t w1 = ONES * c1, w2 = ONES * c2;
    while (stop - k >= 8) {
        uint64_t w, m;
        memcpy(&w, k, 8);
        if ((m = special_bytes(w, w1, w2, cr)) != 0)
            return k + (__builtin_ctzll(m) >> 3);
        k += 8;
    }
#else
    (void)c1, (void)c2, (void)cr;
#endif
    while (k < stop && !cls[*k])
        k++;
    return k;
}

/*
 * Parse the whole line s[0, n) (its last byte the LF) as one record, between
 * records of an LF file. Returns false, having changed nothing, for a line
 * parse_bytes() must take: a quote left open at its end, a CR outside quotes
 * other than the one before the LF, invalid UTF-8 or a NUL byte, a line that
 * could reach a cap, the end-of-data marker or a record after it.
 *
 * One pass: runs of ordinary bytes are found with the class tables (outside
 * quotes: delimiter, quote, CR, and bytes that are not ASCII; inside: quote
 * and not ASCII) and copied whole; a character that is not ASCII is checked
 * where it stands (its bytes are never a delimiter, quote or CR).
 */
static bool
parse_line_fast(cl_csv *p, const unsigned char *s, size_t n)
{
    const unsigned char quote = p->quote, delim = p->delim;
    const unsigned char *out_cls = p->out_cls, *in_cls = p->in_cls;
    size_t end = n - 1;

    if (end > 0 && s[end - 1] == '\r')
        end--;
    /* A record of `end` bytes has at most end + 1 fields of end + 1 bytes in
     * all, terminators counted: no cap is reached under these. */
    if (end > p->max_field || end + 1 > p->max_record || end + 1 > MAX_FIELDS ||
        p->marker_line || (end == 2 && s[0] == '\\' && s[1] == '.') ||
        !reserve_arena(p, 2 * end + 1))
        return false;

    const unsigned char *cur = s, *stop = s + end, *k;
    for (;;) {
        bool saw_quote = false;
        p->fstart = p->arena_len;
        for (;;) { /* outside quotes */
            k = scan(cur, stop, out_cls, delim, quote, true);
            put_span(p, cur, (size_t)(k - cur));
            cur = k;
            if (k == stop || *k == delim)
                break;
            if (*k == '\r')
                goto undo;
            if (*k != quote) {
                if (!put_char(p, &cur, k, stop))
                    goto undo;
                continue;
            }
            saw_quote = true;
            cur = k + 1;
            for (;;) { /* inside quotes */
                k = scan(cur, stop, in_cls, quote, quote, false);
                put_span(p, cur, (size_t)(k - cur));
                cur = k;
                if (k == stop)
                    goto undo; /* the record goes on to the next line */
                if (*k != quote) {
                    if (!put_char(p, &cur, k, stop))
                        goto undo;
                    continue;
                }
                cur = k + 1;
                if (cur < stop && *cur == quote) { /* "" */
                    put_span(p, cur, 1);
                    cur++;
                    continue;
                }
                break; /* quoting closed: the field goes on */
            }
        }

        if (!store_field(p, p->arena_len - p->fstart, !saw_quote))
            goto undo;
        if (cur == stop)
            break;
        cur++; /* the delimiter */
    }
    start_record(p);
    p->offset += n;
    p->line++;
    reset_field(p);
    publish(p);
    return true;

undo:
    reset_record(p);
    return false;
}

/* ---- public ---- */

int
cl_csv_new(cl_csv **out, unsigned char delimiter, unsigned char quote,
           const char *null_string, size_t max_field, size_t max_record)
{
    cl_csv *p = calloc(1, sizeof *p);

    *out = NULL;
    if (!p)
        return CL_ENOMEM;
    if (null_string) {
        p->null_string = strdup(null_string);
        if (!p->null_string) {
            free(p);
            return CL_ENOMEM;
        }
        p->null_len = strlen(null_string);
    }
    p->delim = delimiter;
    p->quote = quote;
    for (unsigned c = 0; c < 256; c++)
        p->in_cls[c] = p->out_cls[c] = c == 0 || c >= 0x80;
    p->out_cls[delimiter] = p->out_cls[quote] = p->out_cls['\r'] = 1;
    p->in_cls[quote] = 1;
    /* A delimiter or quote that is not ASCII would be checked as UTF-8 byte
     * by byte, not by the fast path: leave such input to the byte machine. */
    p->no_fast_path = delimiter >= 0x80 || quote >= 0x80;
    p->max_field = max_field;
    p->max_record = max_record;
    p->line = 1;
    reset_record(p);
    *out = p;
    return 0;
}

void
cl_csv_free(cl_csv *p)
{
    if (!p)
        return;
    free(p->fields);
    free(p->offs);
    free(p->arena);
    free(p->null_string);
    free(p);
}

void
cl_csv_skip(cl_csv *p, size_t n)
{
    p->offset += n;
}

size_t
cl_csv_parse(cl_csv *p, const unsigned char *s, size_t n, const cl_record **rec)
{
    size_t done = 0;

    *rec = NULL;
    if (p->ready)
        reset_record(p);
    while (done < n && !p->ready && !p->failed) {
        if (!p->started && !p->pending_cr && p->eol == EOL_LF && !p->no_fast_path) {
            const unsigned char *nl = memchr(s + done, '\n', n - done);
            if (nl) {
                size_t len = (size_t)(nl - (s + done)) + 1;
                if (parse_line_fast(p, s + done, len)) {
                    done += len;
                    break;
                }
            }
        }
        done += parse_bytes(p, s + done, n - done);
    }
    if (p->failed)
        return done;
    if (p->ready)
        *rec = &p->rec;
    return done;
}

const cl_record *
cl_csv_finish(cl_csv *p)
{
    if (p->ready)
        reset_record(p);
    if (p->pending_cr) {
        p->pending_cr = false;
        if (p->eol == EOL_UNKNOWN) {
            p->eol = EOL_CR;
            p->line++;
            line_end(p, '\r');
            return p->ready && !p->failed ? &p->rec : NULL;
        }
        stray_cr(p);
    }
    if (!p->started)
        return NULL;
    if (p->utf_need)
        utf_bad(p, CL_REC_BAD_UTF8, p->utf_col, p->utf_line); /* cut short */
    bool open_quote = p->in_quote;
    size_t col = p->overflow ? 0 : p->nfields + 1;
    end_record(p);
    if (open_quote && !p->marker_line) {
        /* This overrides an earlier problem: the field swallowed the rest of
         * the input, so nothing else about the record means much. */
        p->rec.status = CL_REC_UNTERMINATED_QUOTE;
        p->rec.bad_column = col;
        p->rec.bad_line = p->quote_line;
        p->rec.nbad_bytes = 0;
    }
    return p->failed ? NULL : &p->rec;
}

bool
cl_csv_failed(const cl_csv *p)
{
    return p->failed;
}

void
cl_csv_set_fast_path(cl_csv *p, bool on)
{
    p->no_fast_path = !on || p->delim >= 0x80 || p->quote >= 0x80;
}
