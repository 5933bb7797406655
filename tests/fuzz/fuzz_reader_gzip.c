/*
 * tests/fuzz/fuzz_reader_gzip.c - libFuzzer target: the reader on gzip input.
 *
 * The fuzz input is the text. It is compressed here into one to three gzip
 * members (cut points, compression level and trailing zero padding picked by
 * a hash of the text), and then:
 *
 *   - read whole: no error, the same records as the text read as plain input
 *     (offsets and lines are of the decompressed text), fast path and byte by byte
 *     agreeing, every invariant of fz_read_all() (fuzz_common.h) held; and
 *     the same again from standard input in pieces of 1 to 1000 bytes;
 *   - cut inside a member: CL_EGZIP ("truncated"), never a clean end, and the
 *     records returned before it are a prefix of the whole stream's;
 *   - one byte flipped: records or a clean error, never a crash;
 *   - the text itself as the deflate data of a gzip member (after a fixed
 *     header): zlib's error paths, records or a clean error.
 */
#define _GNU_SOURCE
#include "fuzz_common.h"

#include <zlib.h>

static uint64_t
fnv1a(const uint8_t *d, size_t n)
{
    uint64_t h = UINT64_C(14695981039346656037);
    for (size_t i = 0; i < n; i++)
        h = (h ^ d[i]) * UINT64_C(1099511628211);
    return h;
}

/* Append one gzip member holding d[0, n) to out. */
static void
gzip_member(const uint8_t *d, size_t n, int level, fz_buf *out)
{
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    FZ_CHECK(deflateInit2(&zs, level, Z_DEFLATED, 16 + MAX_WBITS, 8,
                          Z_DEFAULT_STRATEGY) == Z_OK,
             "deflateInit2 failed");
    size_t bound = deflateBound(&zs, (uLong)n) + 32;
    unsigned char *buf = malloc(bound);
    FZ_CHECK(buf != NULL, "out of memory");
    zs.next_in = (Bytef *)(uintptr_t)d;
    zs.avail_in = (uInt)n;
    zs.next_out = buf;
    zs.avail_out = (uInt)bound;
    FZ_CHECK(deflate(&zs, Z_FINISH) == Z_STREAM_END, "deflate did not finish");
    fz_add(out, buf, bound - zs.avail_out);
    deflateEnd(&zs);
    free(buf);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint64_t h = fnv1a(data, size);
    const cl_reader_opts *opts = &fz_variants[(h >> 16) % FZ_NVARIANTS];
    bool magic = size >= 2 && data[0] == 0x1f && data[1] == 0x8b;

    /* The text as plain input: the reference (unless it looks like gzip itself). */
    fz_buf plain = {0};
    if (!magic) {
        fz_expect ex = {.data = data, .len = size, .errors_allowed = false};
        fz_read_all(fz_put(data, size), opts, true, &ex, &plain);
    }

    /* Compress: 1-3 members, level 0-9, 0-3 zero bytes after the last. */
    int nmembers = 1 + (int)(h % 3);
    int level = (int)((h >> 4) % 10);
    size_t pad = (size_t)((h >> 8) % 4);
    fz_buf gz = {0};
    size_t ends[3], from = 0;
    for (int m = 0; m < nmembers; m++) {
        size_t to =
            m == nmembers - 1 ? size : size * (size_t)(m + 1) / (size_t)nmembers;
        gzip_member(data + from, to - from, level, &gz);
        ends[m] = gz.len;
        from = to;
    }
    size_t stream_len = gz.len;
    fz_add(&gz, "\0\0\0", pad);

    /* Whole: the same records as the plain text. */
    fz_expect ex = {.data = data, .len = size, .errors_allowed = false};
    fz_buf whole = {0};
    int rc = fz_read_both(fz_put(gz.s, gz.len), opts, &ex, &whole);
    FZ_CHECK(rc == 0, "whole gzip stream gave %s", cl_err_name(rc));
    if (!magic &&
        (whole.len != plain.len || memcmp(whole.s, plain.s, plain.len) != 0)) {
        fprintf(stderr,
                "fuzz: gzip and plain input differ\n--- gzip:\n%s--- plain:\n%s",
                whole.s, plain.s);
        abort();
    }

    /* The same stream as standard input, in pieces (1 to 1000 bytes a read()). */
    fz_buf pieces = {0};
    rc = fz_read_pieces(gz.s, gz.len, h >> 20, opts, (h >> 28) & 1, &ex, &pieces);
    FZ_CHECK(rc == 0, "gzip stream in pieces gave %s", cl_err_name(rc));
    if (whole.len != pieces.len || memcmp(whole.s, pieces.s, whole.len) != 0) {
        fprintf(stderr,
                "fuzz: gzip as a file and in pieces differ\n--- file:\n%s"
                "--- standard input:\n%s",
                whole.s, pieces.s);
        abort();
    }
    free(pieces.s);

    /* Cut inside a member (not at a member's end: that is a valid stream). */
    size_t cut = 2 + (size_t)((h >> 24) % (stream_len - 2));
    for (int m = 0; m < nmembers; m++)
        if (cut == ends[m])
            cut--;
    fz_expect ex_cut = {.data = data, .len = size, .errors_allowed = true};
    fz_buf part = {0};
    rc = fz_read_all(fz_put(gz.s, cut), opts, (h >> 32) & 1, &ex_cut, &part);
    FZ_CHECK(rc == CL_EGZIP, "gzip cut at %zu of %zu gave %s, not CL_EGZIP", cut,
             stream_len, cl_err_name(rc));
    /* Records before the error: a prefix of the whole stream's (all but the
     * last line, "ERR CL_EGZIP"). */
    size_t recs = part.len - 1;
    while (recs > 0 && part.s[recs - 1] != '\n')
        recs--;
    FZ_CHECK(recs <= whole.len && memcmp(part.s, whole.s, recs) == 0,
             "records before the cut at %zu are no prefix of the whole stream's:\n"
             "--- cut:\n%s--- whole:\n%s",
             cut, part.s, whole.s);

    /* One byte flipped: anything but a crash or a broken invariant. */
    fz_expect ex_bad = {.data = NULL, .len = 0, .errors_allowed = true};
    fz_buf junk = {0};
    size_t at = (size_t)((h >> 40) % gz.len);
    gz.s[at] = (char)(gz.s[at] ^ (((h >> 48) & 0xff) | 1));
    fz_read_all(fz_put(gz.s, gz.len), opts, true, &ex_bad, &junk);

    /* The text as raw deflate data. */
    fz_buf raw = {0};
    fz_add(&raw, "\x1f\x8b\x08\0\0\0\0\0\0\x03", 10);
    fz_add(&raw, data, size);
    junk.len = 0;
    fz_read_all(fz_put(raw.s, raw.len), opts, true, &ex_bad, &junk);

    free(plain.s);
    free(gz.s);
    free(whole.s);
    free(part.s);
    free(raw.s);
    free(junk.s);
    return 0;
}
