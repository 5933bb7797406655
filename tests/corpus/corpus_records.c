/*
 * tests/corpus/corpus_records.c - how crdbload's reader cuts a file into
 * records, for tests/integration/corpus.sh, which holds each cut to COPY.
 *
 *   corpus_records FILE DELIMITER [NFIELDS DIR]
 *
 * One line per record: its first byte's offset, the offset where its line
 * end starts (the end of the input for the last one without), the offset of
 * the next byte after it, its first line, its status (0 = ok, else the
 * cl_record_status) and its number of fields, tab-separated. Exit 1 when
 * the input cannot be read.
 *
 * With NFIELDS and DIR, also writes the input cut where the reader cut it:
 * DIR/kept.csv, the header and every record crdbload would load (status ok,
 * NFIELDS fields), and DIR/bad_LINE.csv, the header and one record it would
 * reject (records after the end-of-data marker excepted: COPY would not read
 * them at all), each record followed by the header's line end, so that a
 * file whose line ends are mixed reads the same with COPY.
 */
#include "reader.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned char *
slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    unsigned char *buf = NULL;
    size_t cap = 0, n;

    *len = 0;
    if (!f)
        return NULL;
    do {
        if (cap - *len < 65536) {
            cap = cap * 2 + 65536;
            buf = realloc(buf, cap);
            if (!buf)
                exit(1);
        }
        n = fread(buf + *len, 1, cap - *len, f);
        *len += n;
    } while (n > 0);
    fclose(f);
    return buf;
}

/* Where the content of the record at start ends, its line end cut off next. */
static uint64_t
cut_line_end(const unsigned char *data, uint64_t start, uint64_t next, bool keep_cr)
{
    uint64_t end = next;
    if (end > start && data[end - 1] == '\n')
        end--;
    if (end > start && data[end - 1] == '\r' && !(keep_cr && end == next))
        end--;
    return end;
}

int
main(int argc, char **argv)
{
    if (argc != 3 && argc != 5) {
        fprintf(stderr, "usage: corpus_records FILE DELIMITER [NFIELDS DIR]\n");
        return 2;
    }
    cl_reader_opts o = {.delimiter = argv[2][0]};
    size_t want = argc == 5 ? (size_t)strtoul(argv[3], NULL, 10) : 0;
    const char *dir = argc == 5 ? argv[4] : NULL;
    FILE *kept = NULL;
    uint64_t head_end = 0, head_next = 0; /* the header and its line end */
    char path[4096];
    size_t len;
    unsigned char *data = slurp(argv[1], &len);
    char err[256];
    cl_reader *r;
    cl_record rec;
    int rc;

    if (!data || cl_reader_open(&r, argv[1], &o, err, sizeof err) != 0) {
        fprintf(stderr, "corpus_records: cannot read %s\n", argv[1]);
        return 1;
    }
    /* A record's line end: the next record starts after it, so it is what
     * lies between the record's last byte and the next start; found from the
     * next start backwards (LF, CRLF or CR). */
    uint64_t prev_start = 0, prev_line = 0;
    int prev_status = -1;
    size_t prev_nfields = 0;
    for (;;) {
        rc = cl_reader_next(r, &rec);
        uint64_t next = rc == 1 ? rec.offset : len;
        if (prev_status >= 0) {
            /* The line end: LF, CRLF or CR (none at the end of the input;
             * there a last CR of a record marked for it is its own). Then a
             * \\. marker line, which the reader drops, if one follows. */
            uint64_t end =
                cut_line_end(data, prev_start, next,
                             next == len && prev_status == CL_REC_UNQUOTED_CR);
            if (end - prev_start >= 3 && end + 1 <= next && data[end - 1] == '.' &&
                data[end - 2] == '\\' &&
                (data[end - 3] == '\n' || data[end - 3] == '\r'))
                end = cut_line_end(data, prev_start, end - 2, false);
            printf("%" PRIu64 "\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64 "\t%d\t%zu\n",
                   prev_start, end, next, prev_line, prev_status, prev_nfields);
            if (dir && !kept) { /* the header */
                head_end = end;
                head_next = next;
                snprintf(path, sizeof path, "%s/kept.csv", dir);
                kept = fopen(path, "wb");
                if (!kept)
                    return 1;
                fwrite(data + prev_start, 1, end - prev_start, kept);
                fwrite(data + head_end, 1, head_next - head_end, kept);
            } else if (dir) {
                bool good = prev_status == CL_REC_OK && prev_nfields == want;
                FILE *f = kept;
                if (!good && prev_status != CL_REC_AFTER_END_MARKER) {
                    snprintf(path, sizeof path, "%s/bad_%" PRIu64 ".csv", dir,
                             prev_line);
                    f = fopen(path, "wb");
                    if (!f)
                        return 1;
                    fwrite(data, 1, head_next, f);
                }
                if (good || f != kept) {
                    fwrite(data + prev_start, 1, end - prev_start, f);
                    fwrite(data + head_end, 1, head_next - head_end, f);
                }
                if (f != kept)
                    fclose(f);
            }
        }
        if (rc != 1)
            break;
        prev_start = rec.offset;
        prev_line = rec.line;
        prev_status = (int)rec.status;
        prev_nfields = rec.nfields;
    }
    if (kept)
        fclose(kept);
    cl_reader_close(r);
    free(data);
    return rc < 0 ? 1 : 0;
}
