/*
 * tests/fuzz/fuzz_reader.c - libFuzzer target: the reader (lib/src/reader.c) on
 * any bytes, as a file.
 *
 * Each input is read with every option set of fz_variants (delimiters, quotes,
 * NULL strings, tiny field and record caps), each time twice: with the fast
 * path for whole lines and with every byte through the state machine; the two
 * must give the same records, the ones a model of COPY's rules says
 * (copy_model.h), and every record must hold the invariants of fz_read_all()
 * (fuzz_common.h): lines non-decreasing, offsets increasing and inside the
 * input, fields
 * NUL-terminated and within the caps, a record said to be fine is UTF-8
 * without NUL bytes, a problem names a column, plain input never
 * fails, the end and errors are sticky. With one of the option sets it is also
 * read as standard input arriving in pieces of 1 to 1000 bytes (a socket that
 * keeps message boundaries): the records must not depend on the read sizes.
 */
#define _GNU_SOURCE
#include "fuzz_common.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fz_put(data, size);
    /* Input that starts with the gzip magic is inflated: errors are fine, and
     * the decompressed text is not known here (fuzz_reader_gzip does that). */
    bool gz = size >= 2 && data[0] == 0x1f && data[1] == 0x8b;
    fz_expect ex = {.data = gz ? NULL : data, .len = size, .errors_allowed = gz};

    /* One option set, picked by a hash, also from standard input in pieces:
     * the same records. */
    uint64_t h = 0;
    for (size_t i = 0; i < size; i++)
        h = (h ^ data[i]) * UINT64_C(1099511628211);
    size_t pick = (size_t)(h % FZ_NVARIANTS);
    fz_buf whole = {0}, pieces = {0};

    for (size_t v = 0; v < FZ_NVARIANTS; v++)
        fz_read_both(path, &fz_variants[v], &ex, v == pick ? &whole : NULL);
    fz_read_pieces(data, size, h >> 8, &fz_variants[pick], (h >> 16) & 1, &ex, &pieces);
    if (!gz && (whole.len != pieces.len || memcmp(whole.s, pieces.s, whole.len) != 0)) {
        fprintf(stderr,
                "fuzz: a file and standard input in pieces differ\n"
                "--- file:\n%s--- standard input:\n%s",
                whole.s, pieces.s);
        abort();
    }
    free(whole.s);
    free(pieces.s);
    return 0;
}
