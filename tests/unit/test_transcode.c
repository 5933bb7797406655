/*
 * tests/unit/test_transcode.c - --encoding (lib/src/transcode.c) through the
 * reader: Latin-1 and Windows-1252 feeds come out as UTF-8; an invalid
 * sequence flags its field with line and column and the next rows are whole;
 * a multi-byte character split across the reader's 256 KiB reads, gzip, a
 * partial sequence at the end; the BOM is skipped for UTF8 only; names as
 * PostgreSQL spells them, iconv's, and unknown ones; the input position
 * (progress) counts raw bytes.
 */
#include "crdbload/crdbload.h"
#include "reader.h"
#include "transcode.h"

#include "testutil.h"

#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

static char tmpdir[] = "/tmp/test_transcode.XXXXXX";

static const char *
path_of(const char *name)
{
    static char p[512];
    snprintf(p, sizeof p, "%s/%s", tmpdir, name);
    return p;
}

static void
write_bytes(const char *path, const void *data, size_t len)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || write(fd, data, len) != (ssize_t)len)
        abort();
    close(fd);
}

/* Field f of every record, "line:value" joined by ";" ("!line:col" for a
 * record whose status is not OK); NULL on open failure (err filled). */
static char *
fields_of(const char *path, const char *encoding, size_t f, char *err, size_t errlen,
          uint64_t *input_pos)
{
    cl_reader_opts o = {.encoding = encoding};
    cl_reader *r;
    cl_record rec;
    size_t cap = 1 << 20, len = 0;
    char *out;
    int rc;

    if (cl_reader_open(&r, path, &o, err, errlen) != 0)
        return NULL;
    out = calloc(1, cap);
    while ((rc = cl_reader_next(r, &rec)) == 1 && len + 256 < cap) {
        if (rec.status != CL_REC_OK)
            len += (size_t)snprintf(out + len, cap - len, "!%" PRIu64 ":%zu;",
                                    rec.bad_line, rec.bad_column);
        else
            len += (size_t)snprintf(out + len, cap - len, "%" PRIu64 ":%.*s;", rec.line,
                                    f < rec.nfields ? 200 : 0,
                                    f < rec.nfields ? rec.fields[f].data : "");
    }
    CHECK_EQ_INT(rc, 0);
    if (input_pos)
        *input_pos = cl_reader_input_pos(r);
    cl_reader_close(r);
    return out;
}

static void
check_fields(const char *name, const void *data, size_t len, const char *encoding,
             size_t f, const char *want)
{
    char err[256] = "";
    char *got;

    write_bytes(path_of(name), data, len);
    got = fields_of(path_of(name), encoding, f, err, sizeof err, NULL);
    CHECK_EQ_STR(got, want);
    if (!got)
        fprintf(stderr, "  open: %s\n", err);
    free(got);
}

#define BYTES(s) s, sizeof s - 1

static void
test_latin1_and_win1252(void)
{
    /* é ß in Latin-1; € “ ” in Windows-1252 (0x80, 0x93, 0x94) */
    check_fields("latin1.csv",
                 BYTES("sku,name\nA,Caf\xe9 cr\xe8me\nB,Stra\xdf"
                       "e\n"),
                 "LATIN1", 1, "1:name;2:Café crème;3:Straße;");
    check_fields("win1252.csv", BYTES("sku,name\nA,\x80 5\nB,\x93quoted\x94\n"),
                 "WIN1252", 1, "1:name;2:€ 5;3:“quoted”;");
    /* LATIN9 has € at 0xA4, where Latin-1 has ¤ */
    check_fields("latin9.csv", BYTES("sku,name\nA,\xa4\n"), "LATIN9", 1, "1:name;2:€;");
    check_fields("latin1b.csv", BYTES("sku,name\nA,\xa4\n"), "LATIN1", 1,
                 "1:name;2:¤;");
    /* a quoted field over two lines: line numbers of the converted text are the input's
     */
    check_fields("multi.csv", BYTES("sku,name\nA,\"l\xe9\nx\"\nB,\xe9t\xe9\n"),
                 "LATIN1", 1, "1:name;2:lé\nx;4:été;");
}

static void
test_invalid_sequence(void)
{
    /* 0x81 is undefined in Windows-1252 (PostgreSQL refuses it too): that
     * row's field is flagged at its line and column; the rows after are whole */
    check_fields("bad1252.csv", BYTES("sku,name,price\nA,ok,1\nB,x\x81y,2\nC,\x80,3\n"),
                 "WIN1252", 1, "1:name;2:ok;!3:2;4:€;");
    /* Shift-JIS: a lead byte with an invalid trail, then a lead byte at the end */
    check_fields("badsjis.csv", BYTES("k,v\nA,\x82\x20\nB,\x82\xa0\nC,\x82"), "SJIS", 1,
                 "1:v;!2:2;3:あ;!4:2;");
}

static void
test_split_across_reads(void)
{
    /* Shift-JIS rows of two-byte characters, well past the reader's 256 KiB
     * read: some character straddles a read boundary, whatever the offset */
    size_t rows = 40000, len = 0;
    char *in = malloc(rows * 16 + 16), *want = malloc(rows * 32 + 32);
    size_t wl = 0;

    len += (size_t)sprintf(in + len, "k,v\n");
    wl += (size_t)sprintf(want + wl, "1:v;");
    for (size_t i = 0; i < rows; i++) {
        len +=
            (size_t)sprintf(in + len, "%zu,\x82\xa0\x82\xa2%s\n", i, i % 3 ? "" : "x");
        wl += (size_t)sprintf(want + wl, "%zu:あい%s;", i + 2, i % 3 ? "" : "x");
    }
    check_fields("long_sjis.csv", in, len, "SJIS", 1, want);

    /* the same through gzip: raw bytes come out of inflate, then convert */
    gzFile g = gzopen(path_of("long_sjis.csv.gz"), "wb");
    if (!g || gzwrite(g, in, (unsigned)len) != (int)len || gzclose(g) != Z_OK)
        abort();
    struct stat st;
    if (stat(path_of("long_sjis.csv.gz"), &st) != 0)
        abort();
    uint64_t gzlen = (uint64_t)st.st_size;
    char err[256];
    uint64_t pos = 0;
    char *got =
        fields_of(path_of("long_sjis.csv.gz"), "SJIS", 1, err, sizeof err, &pos);
    CHECK_EQ_STR(got, want);
    CHECK_EQ_INT(pos, gzlen); /* progress counts the file's bytes */
    free(got);
    got = fields_of(path_of("long_sjis.csv"), "SJIS", 1, err, sizeof err, &pos);
    CHECK_EQ_INT(pos, len);
    free(got);
    free(in);
    free(want);
}

static void
test_bom_and_utf16(void)
{
    /* the bytes of a UTF-8 BOM mean "ï»¿" in Latin-1: kept; skipped for UTF8 */
    check_fields("bom_latin1.csv", BYTES("\xef\xbb\xbfsku,name\nA,b\n"), "LATIN1", 0,
                 "1:ï»¿sku;2:A;");
    check_fields("bom_utf8.csv", BYTES("\xef\xbb\xbfsku,name\nA,b\n"), "UTF8", 0,
                 "1:sku;2:A;");
    check_fields("bom_default.csv", BYTES("\xef\xbb\xbfsku,name\nA,b\n"), NULL, 0,
                 "1:sku;2:A;");
    /* UTF-16 (iconv's name): newlines are two bytes there; lines still count */
    check_fields("utf16.csv", BYTES("\xff\xfek\0,\0v\0\n\0A\0,\0\xe9\0\n\0"), "UTF-16",
                 1, "1:v;2:é;");
}

static void
test_names(void)
{
    char err[256];
    cl_transcode *t;

    CHECK(cl_transcode_is_utf8(NULL));
    CHECK(cl_transcode_is_utf8("UTF8"));
    CHECK(cl_transcode_is_utf8("utf-8"));
    CHECK(cl_transcode_is_utf8("Unicode"));
    CHECK(!cl_transcode_is_utf8("LATIN1"));
    const char *ok[] = {"LATIN1",   "latin1",      "ISO-8859-1", "WIN1252",
                        "win-1252", "Windows1252", "CP1252",     "LATIN9",
                        "SJIS",     "Shift_JIS",   "EUC_JP",     "KOI8R",
                        "UHC",      "GB18030",     "UTF-16",     "ISO_8859_5"};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        int rc = cl_transcode_open(&t, ok[i], err, sizeof err);
        CHECK_EQ_INT(rc, 0);
        CHECK(t != NULL);
        if (rc != 0)
            fprintf(stderr, "  %s: %s\n", ok[i], err);
        cl_transcode_free(t);
    }
    CHECK_EQ_INT(cl_transcode_open(&t, "UTF8", err, sizeof err), 0);
    CHECK(t == NULL);
    CHECK_EQ_INT(cl_transcode_open(&t, "KLINGON", err, sizeof err), CL_ECONFIG);
    CHECK_CONTAINS(err, "unknown encoding \"KLINGON\"");

    /* the reader refuses it at open: a configuration error */
    cl_reader_opts o = {.encoding = "KLINGON"};
    cl_reader *r = NULL;
    write_bytes(path_of("any.csv"), BYTES("a\n"));
    CHECK_EQ_INT(cl_reader_open(&r, path_of("any.csv"), &o, err, sizeof err),
                 CL_ECONFIG);
    CHECK(r == NULL);
    CHECK_CONTAINS(err, "unknown encoding");
}

int
main(void)
{
    if (!mkdtemp(tmpdir))
        return 2;
    test_latin1_and_win1252();
    test_invalid_sequence();
    test_split_across_reads();
    test_bom_and_utf16();
    test_names();
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", tmpdir);
    return TEST_REPORT();
}
