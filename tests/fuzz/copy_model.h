/*
 * tests/fuzz/copy_model.h - a plain model of how crdbload reads CSV, to hold
 * the reader (lib/src/csvparse.c) to: PostgreSQL 15's COPY ... (FORMAT csv),
 * written the way copyfromparse.c reads, for clarity and not for speed.
 *
 * The whole input is in memory and is read in COPY's two passes:
 *  1. CopyReadLineText: the next logical line. A quote toggles "in quotes";
 *     outside quotes the first line end sets the style: LF (a CR right before
 *     it belongs to the line end) or a bare CR. A line "\." alone is the
 *     end-of-data marker.
 *  2. CopyReadAttributesCSV, transcribed: fields split at delimiters outside
 *     quotes; inside quotes a doubled quote is one; a field whose raw text has
 *     no quote and equals the NULL string is NULL.
 * Where COPY stops with an error crdbload marks the one record and goes on,
 * and so does this model; it also carries crdbload's documented choices:
 * CRLF lines are taken in an LF file (COPY refuses mixed line ends), a stray
 * CR (LF file) or LF (CR file) outside quotes marks its record, the records
 * after the marker are marked rather than dropped, the first problem of a
 * record is the one reported (an open quote at the end, then the marker,
 * override it), and the line counting convention (LF, or CR in a CR file).
 * Records that reach a cap (field, record, 65536 fields) are compared by line
 * and offset only.
 */
#ifndef CRDBLOAD_COPY_MODEL_H
#define CRDBLOAD_COPY_MODEL_H

/* Included by fuzz_common.h, after FZ_CHECK, fz_buf and fz_render_record. */

typedef struct fm_record {
    uint64_t line, offset;
    bool capped;
    char *text; /* fz_render_record() of the whole record */
} fm_record;

typedef struct fm_result {
    fm_record *recs;
    size_t n;
} fm_result;

/* Where the decoder of Unicode's table 3-7 (well-formed UTF-8) first fails in
 * s[from, end): *fail the byte that shows it (end when cut short), *lead the
 * start of that character. false when all is well. A NUL byte fails too. */
static bool
fm_utf8_fail(const unsigned char *s, size_t from, size_t end, size_t *lead,
             size_t *fail)
{
    for (size_t i = from; i < end; i++) {
        unsigned c = s[i];
        size_t len;
        unsigned lo = 0x80, hi = 0xBF;
        *lead = i;
        if (c == 0) {
            *fail = i;
            return true;
        }
        if (c < 0x80)
            continue;
        if (c >= 0xC2 && c <= 0xDF)
            len = 2;
        else if (c == 0xE0)
            len = 3, lo = 0xA0;
        else if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF)
            len = 3;
        else if (c == 0xED)
            len = 3, hi = 0x9F;
        else if (c == 0xF0)
            len = 4, lo = 0x90;
        else if (c >= 0xF1 && c <= 0xF3)
            len = 4;
        else if (c == 0xF4)
            len = 4, hi = 0x8F;
        else {
            *fail = i;
            return true;
        }
        for (size_t k = 1; k < len; k++) {
            if (i + k >= end) {
                *fail = end;
                return true;
            }
            unsigned b = s[i + k];
            if (b < (k == 1 ? lo : 0x80) || b > (k == 1 ? hi : 0xBF)) {
                *fail = i + k;
                return true;
            }
        }
        i += len - 1;
    }
    return false;
}

/* The records crdbload must read from d[0, n) with options o. */
static fm_result
fm_read(const unsigned char *d, size_t n, const cl_reader_opts *o)
{
    const unsigned char delim = o->delimiter ? (unsigned char)o->delimiter : ',';
    const unsigned char quote = o->quote ? (unsigned char)o->quote : '"';
    const char *null = o->null_string ? o->null_string : "";
    const size_t max_field =
        o->max_field_bytes ? o->max_field_bytes : CL_READER_MAX_FIELD;
    const size_t max_record =
        o->max_record_bytes ? o->max_record_bytes : CL_READER_MAX_RECORD;
    enum { UNKNOWN, LF, CR } style = UNKNOWN;
    uint64_t *line = calloc(n + 1, sizeof *line); /* the line of each byte */
    uint64_t cur = 1, marker = 0;
    size_t pos = n >= 3 && memcmp(d, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
    fm_result res = {0};

    FZ_CHECK(line != NULL, "out of memory");
    while (pos < n) {
        /* Pass 1: the logical line [rs, end), then term bytes of line end. */
        size_t rs = pos, end = n, term = 0, i;
        size_t stray = SIZE_MAX; /* the first CR or LF that is no line end */
        bool in_quote = false;
        for (i = pos; i < n; i++) {
            unsigned char c = d[i];
            line[i] = cur;
            if (c == quote)
                in_quote = !in_quote;
            else if (!in_quote && c == '\n' && style != CR) {
                style = LF, end = i, term = 1;
                break;
            } else if (!in_quote && c == '\r' && style != CR && i + 1 < n &&
                       d[i + 1] == '\n') {
                style = LF, end = i, term = 2;
                line[i + 1] = cur;
                break;
            } else if (!in_quote && c == '\r' && style != LF) {
                style = CR, end = i, term = 1;
                break;
            } else if (!in_quote && (c == '\r' || c == '\n') && stray == SIZE_MAX)
                stray = i;
            if (c == (style == CR ? '\r' : '\n'))
                cur++;
        }
        if (term)
            cur++;
        pos = end + term;
        if (term && end - rs == 2 && d[rs] == '\\' && d[rs + 1] == '.' && !marker) {
            marker = line[rs];
            continue;
        }

        /* Pass 2: the fields (CopyReadAttributesCSV). */
        fz_buf vals[64] = {{0}};
        size_t starts[64], nf = 0, field_bytes = 0, last_open = rs;
        bool nulls[64], capped = false, unterminated = false;
        size_t p = rs;
        for (;;) {
            size_t fstart = p, fend;
            bool saw_quote = false, found_delim = false;
            fz_buf v = {0};
            fz_add(&v, "", 0);
            for (;;) {
                unsigned char c;
                for (;;) { /* not in quotes */
                    fend = p;
                    if (p >= end)
                        goto endfield;
                    c = d[p++];
                    if (c == delim) {
                        found_delim = true;
                        goto endfield;
                    }
                    if (c == quote) {
                        saw_quote = true;
                        last_open = p - 1;
                        break;
                    }
                    fz_add(&v, &c, 1);
                }
                for (;;) { /* in quotes */
                    fend = p;
                    if (p >= end) {
                        unterminated = true; /* COPY: unterminated CSV quoted field */
                        goto endfield;
                    }
                    c = d[p++];
                    if (c == quote) {
                        if (p < end && d[p] == quote) {
                            fz_add(&v, &c, 1);
                            p++;
                            continue;
                        }
                        break;
                    }
                    fz_add(&v, &c, 1);
                }
            }
        endfield:;
            size_t raw = fend - fstart;
            bool is_null =
                !saw_quote && raw == strlen(null) && memcmp(d + fstart, null, raw) == 0;
            if (v.len > max_field)
                capped = true;
            field_bytes += v.len + 1; /* the raw text of a NULL counts */
            if (nf < 64) {
                vals[nf] = v;
                starts[nf] = fstart;
                nulls[nf] = is_null;
            } else {
                capped =
                    true; /* more fields than this model keeps: line and offset only */
                free(v.s);
            }
            nf++;
            if (!found_delim)
                break;
        }
        if (field_bytes > max_record || nf > 65536)
            capped = true;

        /* The record's problem: the first one found, byte by byte. */
        cl_record_status st = CL_REC_OK;
        size_t col = 0, at = SIZE_MAX; /* at: the byte whose column it is */
        uint64_t bad_line = 0;
        unsigned char bad[4];
        size_t nbad = 0, lead, fail;
        /* A UTF-8 failure shows at byte `fail` (its key 2 * fail); a stray
         * line end character is known at its byte too, after the check of
         * that byte (key 2 * i + 1). */
        bool ufail = fm_utf8_fail(d, rs, end, &lead, &fail);
        if (ufail && (stray == SIZE_MAX || 2 * fail < 2 * stray + 1)) {
            st = d[lead] == 0 && fail == lead ? CL_REC_NUL_BYTE : CL_REC_BAD_UTF8;
            at = lead;
            bad_line = line[lead];
            for (size_t k = lead; k <= fail && nbad < 4; k++)
                if (k < end || term)
                    bad[nbad++] = d[k];
        } else if (stray != SIZE_MAX) {
            st = d[stray] == '\r' ? CL_REC_UNQUOTED_CR : CL_REC_UNQUOTED_LF;
            at = stray;
            bad_line = line[stray];
        }
        if (at != SIZE_MAX)
            for (col = 1; col < nf && col < 64 && starts[col] <= at; col++)
                ;
        if (unterminated) {
            st = CL_REC_UNTERMINATED_QUOTE;
            col = nf;
            bad_line = line[last_open];
            nbad = 0;
        }
        if (marker) {
            st = CL_REC_AFTER_END_MARKER;
            col = 0;
            bad_line = marker;
            nbad = 0;
        }

        fz_buf text = {0};
        cl_field f[64];
        for (size_t k = 0; k < nf && k < 64; k++)
            f[k] = (cl_field){.data = nulls[k] ? NULL : vals[k].s,
                              .len = nulls[k] ? 0 : vals[k].len};
        fz_render_record(&text, line[rs], rs, st, col, bad_line, bad, nbad, f,
                         nf < 64 ? nf : 64);
        for (size_t k = 0; k < nf && k < 64; k++)
            free(vals[k].s);
        res.recs = realloc(res.recs, (res.n + 1) * sizeof *res.recs);
        FZ_CHECK(res.recs != NULL, "out of memory");
        res.recs[res.n++] = (fm_record){
            .line = line[rs], .offset = rs, .capped = capped, .text = text.s};
    }
    free(line);
    return res;
}

static void
fm_free(fm_result *r)
{
    for (size_t i = 0; i < r->n; i++)
        free(r->recs[i].text);
    free(r->recs);
}

#endif
