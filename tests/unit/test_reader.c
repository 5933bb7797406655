/*
 * tests/unit/test_reader.c - the CSV reader (lib/src/reader.c,
 * lib/src/csvparse.c): COPY's CSV rules, line numbers and offsets, NULL
 * handling, options, caps, gzip, standard input.
 *
 * Most cases render every record of an input as text and compare it whole:
 *   <line>@<offset> <field>|<field>... [!<status> col=<c> line=<l>]\n ... END
 * with NULL shown as \N and line ends, tabs and NUL bytes escaped. Small inputs
 * live in fixtures/csv/; gzip variants are made at run time with zlib.
 */
#include "crdbload/crdbload.h"
#include "reader.h"
#include "test_hooks.h"

#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#define FIX "fixtures/csv/"

static char tmpdir[] = "/tmp/test_reader.XXXXXX";

/* ---- helpers ---- */

typedef struct strbuf {
    char *s;
    size_t len, cap;
} strbuf;

static void
sb_add(strbuf *b, const char *s, size_t n)
{
    if (b->cap - b->len < n + 1) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap - b->len < n + 1)
            cap *= 2;
        b->s = realloc(b->s, cap);
        if (!b->s)
            abort();
        b->cap = cap;
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

static void
sb_printf(strbuf *b, const char *fmt, ...)
{
    char tmp[512];
    va_list ap;

    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    sb_add(b, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

static void
render_record(strbuf *b, const cl_record *rec)
{
    sb_printf(b, "%" PRIu64 "@%" PRIu64 " ", rec->line, rec->offset);
    for (size_t i = 0; i < rec->nfields; i++) {
        const cl_field *f = &rec->fields[i];
        if (i > 0)
            sb_add(b, "|", 1);
        if (!f->data) {
            sb_add(b, "\\N", 2);
            continue;
        }
        size_t shown = f->len > 64 ? 16 : f->len; /* keep failures readable */
        for (size_t k = 0; k < shown; k++) {
            char c = f->data[k];
            if (c == '\n')
                sb_add(b, "\\n", 2);
            else if (c == '\r')
                sb_add(b, "\\r", 2);
            else if (c == '\t')
                sb_add(b, "\\t", 2);
            else if (c == '\0')
                sb_add(b, "\\0", 2);
            else
                sb_add(b, &c, 1);
        }
        if (shown < f->len)
            sb_printf(b, "...(%zu bytes)", f->len);
        if (f->data[f->len] != '\0')
            sb_add(b, "<not terminated>", 16);
    }
    if (rec->status != CL_REC_OK)
        sb_printf(b, " !%s col=%zu line=%" PRIu64, cl_record_status_str(rec->status),
                  rec->bad_column, rec->bad_line);
    sb_add(b, "\n", 1);
}

static bool bytes_only;

/* Every record of path (NULL: standard input), then "END" or "ERR <name>: <msg>".
 * The caller frees the result. */
static char *
render(const char *path, const cl_reader_opts *opts)
{
    strbuf b = {0};
    char err[256] = "";
    cl_reader *r;
    cl_record rec;
    int rc = cl_reader_open(&r, path, opts, err, sizeof err);

    if (rc < 0) {
        sb_printf(&b, "OPEN %s: %s", cl_err_name(rc), err);
        return b.s;
    }
    if (bytes_only)
        cl__reader_set_fast_path(r, false);
    while ((rc = cl_reader_next(r, &rec)) == 1)
        render_record(&b, &rec);
    if (rc == 0)
        sb_add(&b, "END", 3);
    else
        sb_printf(&b, "ERR %s: %s", cl_err_name(rc), cl_reader_error(r));
    /* An error is sticky; the end stays the end. */
    CHECK_EQ_INT(cl_reader_next(r, &rec), rc);
    cl_reader_close(r);
    return b.s;
}

static void
check_render(const char *path, const cl_reader_opts *opts, const char *expected)
{
    char *got = render(path, opts);
    CHECK_EQ_STR(got, expected);
    free(got);
}

static char *
tmp_path(const char *name)
{
    static char path[4][512];
    static int next;
    char *p = path[next++ % 4];
    snprintf(p, sizeof path[0], "%s/%s", tmpdir, name);
    return p;
}

static void
write_file(const char *path, const void *data, size_t len)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || write(fd, data, len) != (ssize_t)len) {
        perror(path);
        exit(2);
    }
    close(fd);
}

static char *
read_whole(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    strbuf b = {0};
    char tmp[4096];
    size_t n;

    if (!f) {
        perror(path);
        exit(2);
    }
    sb_add(&b, "", 0);
    while ((n = fread(tmp, 1, sizeof tmp, f)) > 0)
        sb_add(&b, tmp, n);
    fclose(f);
    *len = b.len;
    return b.s;
}

/* One gzip member holding data; the caller frees it. */
static unsigned char *
gz_member(const void *data, size_t len, size_t *outlen)
{
    z_stream zs = {0};
    if (deflateInit2(&zs, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        abort();
    size_t cap = deflateBound(&zs, (uLong)len);
    unsigned char *out = malloc(cap);
    zs.next_in = (unsigned char *)data;
    zs.avail_in = (uInt)len;
    zs.next_out = out;
    zs.avail_out = (uInt)cap;
    if (!out || deflate(&zs, Z_FINISH) != Z_STREAM_END)
        abort();
    *outlen = cap - zs.avail_out;
    deflateEnd(&zs);
    return out;
}

static void
write_gzip(const char *path, const void *data, size_t len)
{
    size_t n;
    unsigned char *gz = gz_member(data, len, &n);
    write_file(path, gz, n);
    free(gz);
}

typedef struct pipe_feed {
    int fd;
    const char *data;
    size_t len;
    bool ok;
} pipe_feed;

/* Writes in small odd-sized pieces, so that the reader's reads come back short. */
static void *
pipe_writer(void *arg)
{
    pipe_feed *pf = arg;
    size_t piece = pf->len < 4096 ? 5 : 4093;

    pf->ok = true;
    for (size_t off = 0; off < pf->len;) {
        size_t n = pf->len - off < piece ? pf->len - off : piece;
        ssize_t w = write(pf->fd, pf->data + off, n);
        if (w <= 0) {
            pf->ok = false;
            break;
        }
        off += (size_t)w;
    }
    close(pf->fd);
    return NULL;
}

/* render() with standard input a pipe fed by a thread. */
static char *
render_stdin(const void *data, size_t len, const cl_reader_opts *opts)
{
    int fds[2];
    pthread_t writer;
    if (pipe(fds) != 0)
        abort();
    pipe_feed pf = {.fd = fds[1], .data = data, .len = len};
    if (pthread_create(&writer, NULL, pipe_writer, &pf) != 0)
        abort();
    int saved = dup(STDIN_FILENO);
    dup2(fds[0], STDIN_FILENO);
    close(fds[0]);
    char *out = render(NULL, opts);
    dup2(saved, STDIN_FILENO); /* closes the read end: a stuck writer gets EPIPE */
    close(saved);
    pthread_join(writer, NULL);
    CHECK(pf.ok);
    return out;
}

/* ---- cases ---- */

static void
test_basic(void)
{
    check_render(FIX "basic.csv", NULL,
                 "1@0 sku|name|description|price|stock|currency\n"
                 "2@42 A-1|Widget|Plain widget|9.99|10|USD\n"
                 "3@78 A-2|Gadget, large|He said \"hi\"|19.50|0|EUR\n"
                 "END");
}

static void
test_bom(void)
{
    /* Removed at the start only; offsets still count it. */
    check_render(FIX "bom.csv", NULL, "1@3 sku|name\n2@12 A-1|Widget\nEND");

    /* A BOM-like sequence later is data. */
    const char later[] = "a\n\xEF\xBB\xBF"
                         "b\n";
    write_file(tmp_path("bom_later.csv"), later, sizeof later - 1);
    check_render(tmp_path("bom_later.csv"), NULL,
                 "1@0 a\n2@2 \xEF\xBB\xBF"
                 "b\nEND");

    /* Only a BOM: no record. */
    write_file(tmp_path("bom_only.csv"), "\xEF\xBB\xBF", 3);
    check_render(tmp_path("bom_only.csv"), NULL, "END");
}

static void
test_line_ends(void)
{
    /* CRLF: the CR of a quoted CRLF is data. */
    check_render(FIX "crlf.csv", NULL,
                 "1@0 sku|name\n"
                 "2@10 A-1|Widget\n"
                 "3@22 A-2|two\\r\\nlines\n"
                 "5@40 A-3|\\N\n"
                 "END");
    /* The first line end sets the style, as in COPY. Bare CRs: lines are
     * counted by CR, and an LF outside quotes marks its record (COPY:
     * "unquoted newline found in data"), which ends at the next CR. */
    const char cr[] = "a,b\rc,d\ne,f\n\r\rg\r\r\nh\n";
    write_file(tmp_path("cr.csv"), cr, sizeof cr - 1);
    check_render(tmp_path("cr.csv"), NULL,
                 "1@0 a|b\n"
                 "2@4 c|d\\ne|f\\n !unquoted newline found in data col=2 line=2\n"
                 "3@13 \\N\n"
                 "4@14 g\n"
                 "5@16 \\N\n"
                 "6@17 \\nh\\n !unquoted newline found in data col=1 line=6\n"
                 "END");
    const char cr_ok[] = "a,\"x\ry\"\rb,\"\n\"\r";
    write_file(tmp_path("cr_ok.csv"), cr_ok, sizeof cr_ok - 1);
    check_render(tmp_path("cr_ok.csv"), NULL, "1@0 a|x\\ry\n2@8 b|\\n\nEND");

    /* LF lines: CRLF lines may be mixed in (COPY refuses that; nothing in them
     * is ambiguous), and the CR of a CRLF is never data; a CR anywhere else
     * outside quotes marks its record (COPY: "unquoted carriage return found
     * in data"), which goes on to the LF. */
    const char lf[] = "a,b\nc,d\r\ne,\"f\r\"\ng\rh,i\nj,k\r\r\nl,m\r";
    write_file(tmp_path("lf.csv"), lf, sizeof lf - 1);
    check_render(tmp_path("lf.csv"), NULL,
                 "1@0 a|b\n"
                 "2@4 c|d\n"
                 "3@9 e|f\\r\n"
                 "4@16 g\\rh|i !unquoted carriage return found in data col=1 line=4\n"
                 "5@22 j|k\\r !unquoted carriage return found in data col=2 line=5\n"
                 "6@28 l|m\\r !unquoted carriage return found in data col=2 line=6\n"
                 "END");
    /* A CRLF file with LF lines. */
    const char crlf_lf[] = "a,b\r\nc,d\ne,f\r\n";
    write_file(tmp_path("crlf_lf.csv"), crlf_lf, sizeof crlf_lf - 1);
    check_render(tmp_path("crlf_lf.csv"), NULL, "1@0 a|b\n2@5 c|d\n3@9 e|f\nEND");
}

/*
 * COPY's rules (copyfromparse.c, CopyReadAttributesCSV): a quote opens and
 * closes quoting anywhere in a field and the text after a closing quote goes
 * on in the same field; "" inside quotes is one quote; NULL is decided on the
 * raw text; a blank line is one empty unquoted field. The issue's examples
 * first (issue 9).
 */
static void
test_copy_rules(void)
{
    const char kettle[] = "sku,name,description,price,stock,currency\n"
                          "SKU-1,\"Acme\" Deluxe Kettle,,19.99,3,USD\n"
                          "SKU-2,\"Steel Mug, 12 oz\",,7.50,10,USD\n"
                          "SKU-3,Plain,,1.00,1,USD\n";
    write_file(tmp_path("kettle.csv"), kettle, sizeof kettle - 1);
    check_render(tmp_path("kettle.csv"), NULL,
                 "1@0 sku|name|description|price|stock|currency\n"
                 "2@42 SKU-1|Acme Deluxe Kettle|\\N|19.99|3|USD\n"
                 "3@82 SKU-2|Steel Mug, 12 oz|\\N|7.50|10|USD\n"
                 "4@120 SKU-3|Plain|\\N|1.00|1|USD\n"
                 "END");

    const char space[] = "\"Column 1\" , \"Column 2\"\n\"Kettle\" ,Steel\n";
    write_file(tmp_path("space.csv"), space, sizeof space - 1);
    check_render(tmp_path("space.csv"), NULL,
                 "1@0 Column 1 | Column 2\n2@24 Kettle |Steel\nEND");

    /* A quote in an unquoted field opens quoting: 37.8"N takes the rest of
     * the line, and the next lines, up to a closing quote. */
    const char coord[] = "lat,lon\n37.8\"N,122.4\"W\n1,2\n";
    write_file(tmp_path("coord.csv"), coord, sizeof coord - 1);
    check_render(tmp_path("coord.csv"), NULL,
                 "1@0 lat|lon\n2@8 37.8N,122.4W\n3@23 1|2\nEND");
    const char coord2[] = "lat\n37.8\"N\n1\n";
    write_file(tmp_path("coord2.csv"), coord2, sizeof coord2 - 1);
    check_render(tmp_path("coord2.csv"), NULL,
                 "1@0 lat\n"
                 "2@4 37.8N\\n1\\n !unterminated CSV quoted field col=1 line=2\n"
                 "END");

    /* Quotes in the middle and doubled; NULL on the raw text only. */
    const char mid[] = "a\"b\"c,\"x\"\"y\",\"\"\"\",\"\",,a\"\"b\n";
    write_file(tmp_path("mid.csv"), mid, sizeof mid - 1);
    check_render(tmp_path("mid.csv"), NULL, "1@0 abc|x\"y|\"||\\N|ab\nEND");
    cl_reader_opts nul = {.null_string = "N"};
    const char nn[] = "N,\"N\",N\"\",\"\"N,NN,\n";
    write_file(tmp_path("nn.csv"), nn, sizeof nn - 1);
    check_render(tmp_path("nn.csv"), &nul, "1@0 \\N|N|N|N|NN|\nEND");

    /* Blank lines are records: one NULL field (one empty string with another
     * NULL string). The header is the first line, blank or not. */
    const char blank[] = "\nsku\nA\n\nB\n\n";
    write_file(tmp_path("blank1.csv"), blank, sizeof blank - 1);
    check_render(tmp_path("blank1.csv"), NULL,
                 "1@0 \\N\n2@1 sku\n3@5 A\n4@7 \\N\n5@8 B\n6@10 \\N\nEND");
    check_render(tmp_path("blank1.csv"), &nul,
                 "1@0 \n2@1 sku\n3@5 A\n4@7 \n5@8 B\n6@10 \nEND");
    /* A line of blanks is not blank. */
    write_file(tmp_path("blank2.csv"), " \n\t\n", 4);
    check_render(tmp_path("blank2.csv"), NULL, "1@0  \n2@2 \\t\nEND");
}

/*
 * COPY's end-of-data marker, a line "\." at the start of a record: COPY stops
 * there and drops the rest. crdbload drops the marker when nothing follows it,
 * and marks every record after it rather than losing them in silence. Quoted,
 * or with anything else on its line, or without a line end, it is data.
 */
static void
test_end_marker(void)
{
    const char at_end[] = "a,b\n1,2\n\\.\n";
    write_file(tmp_path("eod1.csv"), at_end, sizeof at_end - 1);
    check_render(tmp_path("eod1.csv"), NULL, "1@0 a|b\n2@4 1|2\nEND");
    const char crlf[] = "a,b\r\n1,2\r\n\\.\r\n";
    write_file(tmp_path("eod2.csv"), crlf, sizeof crlf - 1);
    check_render(tmp_path("eod2.csv"), NULL, "1@0 a|b\n2@5 1|2\nEND");

    const char middle[] = "a,b\n1,2\n\\.\n3,4\n\\.\n\"x\ny\",5\n";
    write_file(tmp_path("eod3.csv"), middle, sizeof middle - 1);
    check_render(tmp_path("eod3.csv"), NULL,
                 "1@0 a|b\n"
                 "2@4 1|2\n"
                 "4@11 3|4 !after the end-of-data marker col=0 line=3\n"
                 "5@15 \\. !after the end-of-data marker col=0 line=3\n"
                 "6@18 x\\ny|5 !after the end-of-data marker col=0 line=3\n"
                 "END");

    const char data[] = "v\n\"\\.\"\n\\.,x\n\\.x\n \\.\n\"a\n\\.\n\"\n\\.";
    write_file(tmp_path("eod4.csv"), data, sizeof data - 1);
    check_render(tmp_path("eod4.csv"), NULL,
                 "1@0 v\n2@2 \\.\n3@7 \\.|x\n4@12 \\.x\n5@16  \\.\n"
                 "6@20 a\\n\\.\\n\n9@28 \\.\nEND");
}

static void
test_quoted_multiline(void)
{
    /* Records after multi-line fields keep their physical line numbers; a
     * blank line is a record of one NULL field, as COPY reads it. */
    check_render(FIX "multiline.csv", NULL,
                 "1@0 sku|description|stock\n"
                 "2@22 A-1|first line\\nsecond line\\nthird line|5\n"
                 "5@64 A-2|a, b and \"c\"|6\n"
                 "6@87 \\N\n"
                 "7@88 A-3|x\\n\\n|7\n"
                 "10@100 A-4|plain|8\n"
                 "END");
    check_render(FIX "blank_lines.csv", NULL,
                 "1@0 sku|name\n"
                 "2@9 \\N\n"
                 "3@10 \\N\n"
                 "4@12 A-1|Widget\n"
                 "5@23 \\N\n"
                 "6@24 \\N\n"
                 "7@25 A-2|  spaced  \n"
                 "END");
}

static void
test_options(void)
{
    cl_reader_opts tsv = {.delimiter = '\t'};
    check_render(FIX "tab.tsv", &tsv,
                 "1@0 sku|name|note\n"
                 "2@14 A-1|Widget, large|quoted\\ttab\n"
                 "3@45 A-2|\\N|\n"
                 "END");

    const char sq[] = "sku;name\nA-1;'it''s; here'\nA-2;\"x\"\n";
    write_file(tmp_path("quote.csv"), sq, sizeof sq - 1);
    cl_reader_opts semi = {.delimiter = ';', .quote = '\''};
    check_render(tmp_path("quote.csv"), &semi,
                 "1@0 sku|name\n2@9 A-1|it's; here\n3@27 A-2|\"x\"\nEND");
    /* A delimiter equal to the quote, or a line end: cl_config_check()'s rule
     * (test_config.c), a precondition of cl_reader_open(). */
}

static void
test_nulls(void)
{
    /* Default: an empty unquoted field is NULL, a quoted "" is an empty string;
     * blanks are data. */
    check_render(FIX "nulls.csv", NULL,
                 "1@0 sku|a|b|c\n"
                 "2@10 A-1|\\N||x\n"
                 "3@20 A-2|NULL|NULL| NULL \n"
                 "END");
    /* With a null string, only the unquoted exact text is NULL; an empty unquoted
     * field is then the empty string. */
    cl_reader_opts opts = {.null_string = "NULL"};
    check_render(FIX "nulls.csv", &opts,
                 "1@0 sku|a|b|c\n"
                 "2@10 A-1|||x\n"
                 "3@20 A-2|\\N|NULL| NULL \n"
                 "END");
    const char bsn[] = "a,b,c\n\\N,\"\\N\",\\Nx\n";
    write_file(tmp_path("bsn.csv"), bsn, sizeof bsn - 1);
    cl_reader_opts opts2 = {.null_string = "\\N"};
    check_render(tmp_path("bsn.csv"), &opts2, "1@0 a|b|c\n2@6 \\N|\\N|\\Nx\nEND");
    /* (the middle field is the two characters \N, rendered the same way) */
    cl_reader *r;
    cl_record rec;
    CHECK_EQ_INT(cl_reader_open(&r, tmp_path("bsn.csv"), &opts2, NULL, 0), 0);
    CHECK_EQ_INT(cl_reader_next(r, &rec), 1);
    CHECK_EQ_INT(cl_reader_next(r, &rec), 1);
    CHECK(rec.fields[0].data == NULL);
    CHECK(rec.fields[1].data != NULL && rec.fields[1].len == 2);
    CHECK(rec.fields[2].data != NULL && rec.fields[2].len == 3);
    cl_reader_close(r);

    /* Empty fields at the start and end of a line, and a lone delimiter. */
    const char edges[] = ",a,\n,\n\"\"\n";
    write_file(tmp_path("edges.csv"), edges, sizeof edges - 1);
    check_render(tmp_path("edges.csv"), NULL, "1@0 \\N|a|\\N\n2@4 \\N|\\N\n3@6 \nEND");
    CHECK_EQ_INT(cl_reader_open(&r, tmp_path("edges.csv"), NULL, NULL, 0), 0);
    for (int i = 0; i < 3; i++)
        CHECK_EQ_INT(cl_reader_next(r, &rec), 1);
    CHECK_EQ_INT(rec.nfields, 1);
    CHECK(rec.fields[0].data != NULL && rec.fields[0].len == 0);
    cl_reader_close(r);
}

static void
test_ragged(void)
{
    check_render(FIX "ragged.csv", NULL,
                 "1@0 sku|name|price\n"
                 "2@15 A-1|Widget\n"
                 "3@26 A-2|Gadget|1.00|extra\n"
                 "4@48 A-3\n"
                 "END");
}

static void
test_utf8(void)
{
    check_render(
        FIX "bad_utf8.csv", NULL,
        "1@0 sku|name\n"
        "2@9 A-1|caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\n"
        "3@28 A-2|bad \xc0\x80 overlong !invalid UTF-8 col=2 line=3\n"
        "4@48 A-3|ok|line1\\nline2 \xed\xa0\x80 surrogate !invalid UTF-8 col=3 line=5\n"
        "6@85 A-4|fine\n"
        "END");

    static const struct {
        const char *text;
        bool ok;
    } cases[] = {
        {"plain ascii long enough for words", true},
        {"\xc2\x80", true},          /* U+0080 */
        {"\xdf\xbf", true},          /* U+07FF */
        {"\xe0\xa0\x80", true},      /* U+0800 */
        {"\xef\xbf\xbf", true},      /* U+FFFF */
        {"\xf0\x90\x80\x80", true},  /* U+10000 */
        {"\xf4\x8f\xbf\xbf", true},  /* U+10FFFF */
        {"\xed\x9f\xbf", true},      /* U+D7FF */
        {"\xc1\xbf", false},         /* overlong */
        {"\xe0\x9f\xbf", false},     /* overlong */
        {"\xf0\x8f\xbf\xbf", false}, /* overlong */
        {"\xed\xbf\xbf", false},     /* surrogate */
        {"\xf4\x90\x80\x80", false}, /* past U+10FFFF */
        {"\xf5\x80\x80\x80", false},
        {"\xff", false},
        {"\x80", false},              /* lone continuation */
        {"abc\xe2\x82", false},       /* cut short at the end */
        {"abcdefgh\xe2\x82x", false}, /* bad continuation after the fast path */
        {"abcdefghijklmnop\xc3\xa9qrstuvwxyz", true},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        strbuf in = {0};
        sb_add(&in, "x,", 2);
        sb_add(&in, cases[i].text, strlen(cases[i].text));
        sb_add(&in, "\n", 1);
        write_file(tmp_path("utf8.csv"), in.s, in.len);
        free(in.s);
        cl_reader *r;
        cl_record rec;
        CHECK_EQ_INT(cl_reader_open(&r, tmp_path("utf8.csv"), NULL, NULL, 0), 0);
        CHECK_EQ_INT(cl_reader_next(r, &rec), 1);
        if (cases[i].ok) {
            CHECK_EQ_INT(rec.status, CL_REC_OK);
        } else {
            CHECK_EQ_INT(rec.status, CL_REC_BAD_UTF8);
            CHECK_EQ_INT(rec.bad_column, 2);
        }
        if (rec.status != (cases[i].ok ? CL_REC_OK : CL_REC_BAD_UTF8))
            fprintf(stderr, "  utf8 case %zu\n", i);
        cl_reader_close(r);
    }
}

static void
test_nul_byte(void)
{
    check_render(FIX "nul_byte.csv", NULL,
                 "1@0 sku|name\n"
                 "2@9 A-1|nul\\0byte !NUL byte in field col=2 line=2\n"
                 "3@22 A-2|fine\n"
                 "END");
}

static void
test_caps(void)
{
    /* A field over the cap; the next record is read normally. */
    cl_reader_opts small = {.max_field_bytes = 8, .max_record_bytes = 20};
    const char in[] = "a,b\n"
                      "12345678,x\n"
                      "123456789,y\n"
                      "z,\"1234\n56789\"\n"
                      "1234567,1234567,1234567\n"
                      "ok,fine\n";
    write_file(tmp_path("caps.csv"), in, sizeof in - 1);
    check_render(tmp_path("caps.csv"), &small,
                 "1@0 a|b\n"
                 "2@4 12345678|x\n"
                 "3@15 |y !field too long col=1 line=3\n"
                 "4@27 z| !field too long col=2 line=4\n"
                 "6@42 1234567|1234567 !record too long col=3 line=6\n"
                 "7@66 ok|fine\n"
                 "END");

    /* Fields and records far over the default caps, longer than the read and feed
     * blocks; one spans lines. The records around them are intact. */
    size_t big = (3u << 20) + 12345;
    strbuf b = {0};
    sb_add(&b, "h1,h2\nbefore,1\nlong,\"", 21);
    for (size_t i = 0; i < big; i++)
        sb_add(&b, i % 100000 == 99999 ? "\n" : "y", 1);
    sb_add(&b, "\"\n", 2);
    uint64_t nl = big / 100000;
    sb_add(&b, "wide", 4);
    for (int i = 0; i < 6; i++) {
        sb_add(&b, ",", 1);
        for (size_t k = 0; k < (900u << 10); k++)
            sb_add(&b, "w", 1);
    }
    sb_add(&b, "\nafter,2\n", 9);
    write_file(tmp_path("big.csv"), b.s, b.len);
    free(b.s);
    /* "wide" keeps the fields that fit in 4 MiB: itself and four of 900 KiB. */
    size_t wide_at = 21 + big + 2;
    size_t after_at = wide_at + 4 + 6 * (1 + (900u << 10)) + 1;
    char expected[512];
    snprintf(expected, sizeof expected,
             "1@0 h1|h2\n"
             "2@6 before|1\n"
             "3@15 long| !field too long col=2 line=3\n"
             "%" PRIu64 "@%zu wide|wwwwwwwwwwwwwwww...(921600 bytes)|wwwwwwwwwwwwwwww"
             "...(921600 bytes)|wwwwwwwwwwwwwwww...(921600 bytes)|wwwwwwwwwwwwwwww"
             "...(921600 bytes) !record too long col=6 line=%" PRIu64 "\n"
             "%" PRIu64 "@%zu after|2\n"
             "END",
             4 + nl, wide_at, 4 + nl, 5 + nl, after_at);
    check_render(tmp_path("big.csv"), NULL, expected);

    /* More fields than a record may hold. */
    strbuf m = {0};
    for (int i = 0; i < 70000; i++)
        sb_add(&m, ",", 1);
    sb_add(&m, "\nnext\n", 6);
    write_file(tmp_path("many.csv"), m.s, m.len);
    free(m.s);
    char *got = render(tmp_path("many.csv"), NULL);
    CHECK_CONTAINS(got, "!record too long col=65537 line=1\n2@70001 next\nEND");
    free(got);
}

/* A 50 MB field must not cost 50 MB: the reader drops what is over the cap. */
static void
test_memory_bounded(void)
{
    const char *path = tmp_path("huge.csv");
    FILE *f = fopen(path, "wb");
    char block[1 << 16];
    memset(block, 'q', sizeof block);
    block[100] = '\n';
    fputs("h1,h2\nA,\"", f);
    for (int i = 0; i < 800; i++) /* 50 MiB, a newline in each block */
        fwrite(block, 1, sizeof block, f);
    fputs("\"\nB,2\n", f);
    fclose(f);

    struct rusage before, after;
    getrusage(RUSAGE_SELF, &before);
    cl_reader *r;
    cl_record rec;
    CHECK_EQ_INT(cl_reader_open(&r, path, NULL, NULL, 0), 0);
    CHECK_EQ_INT(cl_reader_next(r, &rec), 1);
    CHECK_EQ_INT(cl_reader_next(r, &rec), 1);
    CHECK_EQ_INT(rec.status, CL_REC_FIELD_TOO_LONG);
    CHECK_EQ_INT(rec.line, 2);
    CHECK_EQ_INT(rec.bad_column, 2);
    CHECK_EQ_INT(cl_reader_next(r, &rec), 1);
    CHECK_EQ_INT(rec.status, CL_REC_OK);
    CHECK_EQ_INT(rec.line, 3 + 800); /* the closing quote is on line 802 */
    CHECK_EQ_STR(rec.fields[0].data, "B");
    CHECK_EQ_INT(cl_reader_next(r, &rec), 0);
    cl_reader_close(r);
    unlink(path);

    /* A million records ended by bare CRs (lines counted by CR), then one that
     * holds a million LFs outside quotes: records never pile up in the reader,
     * and the marked one keeps nothing past the caps. */
    f = fopen(path, "wb");
    for (int i = 0; i < 1000000; i++)
        fputs("x\r", f);
    for (int i = 0; i < 1000000; i++)
        fputs("\ny", f);
    fputs("\rlast\r", f);
    fclose(f);
    CHECK_EQ_INT(cl_reader_open(&r, path, NULL, NULL, 0), 0);
    uint64_t count = 0, in_place = 0;
    while (cl_reader_next(r, &rec) == 1 && count < 1000000) {
        count++;
        in_place += rec.line == count && rec.offset == 2 * (count - 1) &&
                    rec.nfields == 1 && strcmp(rec.fields[0].data, "x") == 0;
    }
    CHECK_EQ_INT(count, 1000000);
    CHECK_EQ_INT(in_place, 1000000);
    CHECK_EQ_INT(rec.line, 1000001);
    CHECK_EQ_INT(rec.status, CL_REC_UNQUOTED_LF);
    CHECK_EQ_INT(rec.fields[0].len, 0); /* over the field cap: kept empty */
    CHECK_EQ_INT(cl_reader_next(r, &rec), 1);
    CHECK_EQ_INT(rec.line, 1000002);
    CHECK_EQ_STR(rec.fields[0].data, "last");
    CHECK_EQ_INT(cl_reader_next(r, &rec), 0);
    cl_reader_close(r);
    getrusage(RUSAGE_SELF, &after);
    long grown_kb = after.ru_maxrss - before.ru_maxrss;
    if (grown_kb >= 16 * 1024)
        fprintf(stderr, "  peak RSS grew by %ld KiB\n", grown_kb);
    CHECK(grown_kb < 16 * 1024);
    unlink(path);
}

static void
test_gzip(void)
{
    /* Detected by content, not name, both ways. */
    const char *small = "1@0 sku|name\n2@9 A-1|Widget\n3@20 A-2|Gadget, large\nEND";
    check_render(FIX "gzip_named.csv", NULL, small);
    check_render(FIX "plain_named.csv.gz", NULL, small);
    check_render(
        FIX "small.csv.gz", NULL,
        "1@0 sku|name\n2@9 A-1|Widget\n3@20 A-2|Gadget, large\n4@40 A-3|Thing\nEND");

    cl_reader *r;
    cl_record rec;
    CHECK_EQ_INT(cl_reader_open(&r, FIX "gzip_named.csv", NULL, NULL, 0), 0);
    CHECK(cl_reader_is_gzip(r));
    CHECK_EQ_INT(cl_reader_input_size(r), 56);
    while (cl_reader_next(r, &rec) == 1)
        ;
    CHECK_EQ_INT(cl_reader_input_pos(r), 56);
    CHECK_EQ_INT(cl_reader_data_pos(r), 40);
    cl_reader_close(r);
    CHECK_EQ_INT(cl_reader_open(&r, FIX "plain_named.csv.gz", NULL, NULL, 0), 0);
    CHECK(!cl_reader_is_gzip(r));
    while (cl_reader_next(r, &rec) == 1)
        ;
    CHECK_EQ_INT(cl_reader_input_pos(r), 40);
    CHECK_EQ_INT(cl_reader_data_pos(r), 40);
    cl_reader_close(r);

    /* A BOM at the start of the decompressed data goes too. */
    write_gzip(tmp_path("bom.csv.gz"),
               "\xEF\xBB\xBF"
               "a,b\nc,d\n",
               11);
    check_render(tmp_path("bom.csv.gz"), NULL, "1@3 a|b\n2@7 c|d\nEND");

    /* Truncated: the records before the cut come out, then the error. */
    char *got = render(FIX "truncated.csv.gz", NULL);
    CHECK_CONTAINS(got, "ERR CL_EGZIP: " FIX "truncated.csv.gz: truncated gzip data at "
                        "compressed offset 53");
    free(got);

    /* Concatenated members, with zero padding after the last. */
    const char *m1 = "sku,name\nA-1,\"split ", *m2 = "across members\"\nA-2,x\n";
    size_t n1, n2;
    unsigned char *g1 = gz_member(m1, strlen(m1), &n1);
    unsigned char *g2 = gz_member(m2, strlen(m2), &n2);
    strbuf cat = {0};
    sb_add(&cat, (char *)g1, n1);
    sb_add(&cat, (char *)g2, n2);
    write_file(tmp_path("concat.csv.gz"), cat.s, cat.len);
    const char *concat = "1@0 sku|name\n2@9 A-1|split across members\n3@36 A-2|x\nEND";
    check_render(tmp_path("concat.csv.gz"), NULL, concat);
    sb_add(&cat, "\0\0\0\0\0\0\0\0", 8);
    write_file(tmp_path("padded.csv.gz"), cat.s, cat.len);
    check_render(tmp_path("padded.csv.gz"), NULL, concat);

    /* A member cut in its header or trailer, after a complete one. */
    write_file(tmp_path("cut2.csv.gz"), cat.s, n1 + 5);
    got = render(tmp_path("cut2.csv.gz"), NULL);
    CHECK_CONTAINS(got, "truncated gzip data at compressed offset");
    free(got);
    write_file(tmp_path("cut3.csv.gz"), cat.s, n1 + n2 - 3);
    got = render(tmp_path("cut3.csv.gz"), NULL);
    CHECK_CONTAINS(got, "3@36 A-2|x\nERR CL_EGZIP:");
    CHECK_CONTAINS(got, "truncated gzip data at compressed offset");
    free(got);
    /* Just the magic bytes. */
    write_file(tmp_path("magic.gz"), "\x1f\x8b", 2);
    got = render(tmp_path("magic.gz"), NULL);
    CHECK_CONTAINS(got, "ERR CL_EGZIP: ");
    CHECK_CONTAINS(got, "magic.gz: truncated gzip data at compressed offset 2");
    free(got);

    /* Corrupt: garbage in the deflate data, and after a member. */
    memcpy(cat.s + n1, g2, n2);
    cat.len = n1 + n2;
    for (size_t i = 12; i < 20; i++)
        cat.s[n1 + i] ^= 0x5a;
    write_file(tmp_path("corrupt.csv.gz"), cat.s, cat.len);
    got = render(tmp_path("corrupt.csv.gz"), NULL);
    CHECK_CONTAINS(got, "ERR CL_EGZIP: ");
    CHECK_CONTAINS(got, "corrupt.csv.gz: corrupt gzip data at compressed offset ");
    free(got);
    cat.len = 0;
    sb_add(&cat, (char *)g1, n1);
    sb_add(&cat, "garbage\n", 8);
    write_file(tmp_path("garbage.csv.gz"), cat.s, cat.len);
    got = render(tmp_path("garbage.csv.gz"), NULL);
    CHECK_CONTAINS(got, "garbage.csv.gz: corrupt gzip data at compressed offset ");
    free(got);
    /* A bad CRC in the trailer. */
    memcpy(cat.s, g1, n1);
    cat.s[n1 - 6] ^= 1;
    write_file(tmp_path("crc.csv.gz"), cat.s, n1);
    got = render(tmp_path("crc.csv.gz"), NULL);
    CHECK_CONTAINS(got, "corrupt gzip data at compressed offset ");
    CHECK_CONTAINS(got, "incorrect data check");
    free(got);
    free(cat.s);
    free(g1);
    free(g2);
}

/* A larger input read plain, gzip and through a pipe gives the same records, with
 * lines cut across read and inflate buffers. */
static void
test_large_roundtrip(void)
{
    strbuf b = {0};
    sb_add(&b, "sku,name,description,price\n", 27);
    for (int i = 0; i < 40000; i++) {
        if (i % 7 == 0)
            sb_printf(&b, "S%06d,\"Name, %d\",\"Multi\nline \"\"%d\"\"\",%d.%02d\n", i,
                      i, i, i, i % 100);
        else
            sb_printf(&b, "S%06d,Name %d,Descr\xc3\xa9ption %d,%d.%02d\r\n", i, i, i, i,
                      i % 100);
    }
    write_file(tmp_path("large.csv"), b.s, b.len);
    write_gzip(tmp_path("large.csv.gz"), b.s, b.len);

    char *plain = render(tmp_path("large.csv"), NULL);
    char *gz = render(tmp_path("large.csv.gz"), NULL);
    char *piped = render_stdin(b.s, b.len, NULL);
    CHECK(plain && strstr(plain, "\nEND") && !strstr(plain, "!"));
    CHECK_CONTAINS(plain, "2@27 S000000|Name, 0|Multi\\nline \"0\"|0.00\n4@");
    CHECK(gz && strcmp(plain, gz) == 0);
    CHECK(piped && strcmp(plain, piped) == 0);
    size_t count = 0;
    for (const char *p = plain; (p = strchr(p, '\n')) != NULL; p++)
        count++;
    CHECK_EQ_INT(count, 40001);
    free(plain);
    free(gz);
    free(piped);

    /* The same gzip through standard input. */
    size_t len;
    char *data = read_whole(tmp_path("large.csv.gz"), &len);
    cl_reader *r;
    cl_record rec;
    char *via_pipe = render_stdin(data, len, NULL);
    CHECK_CONTAINS(via_pipe,
                   "S039999|Name 39999|Descr\xc3\xa9ption 39999|39999.99\nEND");
    free(via_pipe);
    free(data);

    CHECK_EQ_INT(cl_reader_open(&r, tmp_path("large.csv.gz"), NULL, NULL, 0), 0);
    uint64_t last_pos = 0;
    bool monotonic = true;
    while (cl_reader_next(r, &rec) == 1) {
        monotonic = monotonic && cl_reader_input_pos(r) >= last_pos;
        last_pos = cl_reader_input_pos(r);
    }
    CHECK(monotonic);
    CHECK_EQ_INT(cl_reader_data_pos(r), b.len);
    CHECK_EQ_INT(cl_reader_input_pos(r), cl_reader_input_size(r));
    cl_reader_close(r);
    free(b.s);
}

static void
test_edges(void)
{
    check_render(FIX "empty.csv", NULL, "END");
    check_render(FIX "header_only.csv", NULL, "1@0 sku|name|price\nEND");
    check_render(FIX "no_final_newline.csv", NULL,
                 "1@0 sku|name\n2@9 A-1|Widget\n3@20 A-2|last, no newline\nEND");
    check_render(
        FIX "unterminated_quote.csv", NULL,
        "1@0 sku|name\n"
        "2@9 A-1|Widget\n"
        "3@20 A-2|never closed\\nA-3,swallowed\\n !unterminated CSV quoted field col=2 "
        "line=3\n"
        "END");
    /* Header without a newline; a quoted last field closed right at the end. */
    write_file(tmp_path("h.csv"), "a,b", 3);
    check_render(tmp_path("h.csv"), NULL, "1@0 a|b\nEND");
    write_file(tmp_path("q.csv"), "a,\"b\"", 5);
    check_render(tmp_path("q.csv"), NULL, "1@0 a|b\nEND");
    write_file(tmp_path("q2.csv"), "a,\"", 3);
    check_render(tmp_path("q2.csv"), NULL,
                 "1@0 a| !unterminated CSV quoted field col=2 line=1\nEND");
    /* Only blank lines: records of one NULL field each. */
    write_file(tmp_path("blank.csv"), "\n\r\n\n", 4);
    check_render(tmp_path("blank.csv"), NULL, "1@0 \\N\n2@1 \\N\n3@3 \\N\nEND");
    /* A quote inside an unquoted field opens quoting (never closed here); text
     * after a closing quote is more of the field. */
    write_file(tmp_path("stray.csv"), "a\"b,c\n", 6);
    check_render(tmp_path("stray.csv"), NULL,
                 "1@0 ab,c\\n !unterminated CSV quoted field col=1 line=1\nEND");
    write_file(tmp_path("stray2.csv"), "a,\"c\"d\ne\n", 9);
    check_render(tmp_path("stray2.csv"), NULL, "1@0 a|cd\n2@7 e\nEND");

    /* Missing file, directory. */
    char *got = render(FIX "does-not-exist.csv", NULL);
    CHECK_EQ_STR(got, "OPEN CL_EIO: could not open file \"" FIX
                      "does-not-exist.csv\": No such file or directory");
    free(got);
    got = render(FIX, NULL);
    CHECK_CONTAINS(got, "OPEN CL_EIO: ");
    CHECK_CONTAINS(got, "Is a directory");
    free(got);
}

static void
test_stdin(void)
{
    const char in[] = "\xEF\xBB\xBFsku,name\r\nA-1,\"multi\nline\"\r\nA-2,x";
    char *got = render_stdin(in, sizeof in - 1, NULL);
    CHECK_EQ_STR(got, "1@3 sku|name\n2@13 A-1|multi\\nline\n4@31 A-2|x\nEND");
    free(got);

    got = render_stdin("", 0, NULL);
    CHECK_EQ_STR(got, "END");
    free(got);

    /* "-" is standard input too; it is named so, and its size is unknown. */
    int fds[2];
    CHECK_EQ_INT(pipe(fds), 0);
    CHECK_EQ_INT(write(fds[1], "a\n", 2), 2);
    close(fds[1]);
    int saved = dup(STDIN_FILENO);
    dup2(fds[0], STDIN_FILENO);
    close(fds[0]);
    cl_reader *r;
    cl_record rec;
    CHECK_EQ_INT(cl_reader_open(&r, "-", NULL, NULL, 0), 0);
    CHECK_EQ_INT(cl_reader_input_size(r), 0);
    CHECK_EQ_INT(cl_reader_next(r, &rec), 1);
    CHECK_EQ_INT(cl_reader_next(r, &rec), 0);
    cl_reader_close(r);
    /* Closing the reader left standard input open. */
    CHECK(fcntl(STDIN_FILENO, F_GETFD) != -1);
    dup2(saved, STDIN_FILENO);
    close(saved);

    /* A truncated gzip through a pipe names standard input. */
    size_t n;
    unsigned char *gz = gz_member("a,b\n", 4, &n);
    got = render_stdin(gz, n - 4, NULL);
    CHECK_CONTAINS(got,
                   "ERR CL_EGZIP: standard input: truncated gzip data at compressed "
                   "offset ");
    free(got);
    free(gz);
}

/*
 * Whole lines are split by the fast path (csvparse.c, parse_line_fast) when it
 * can; random inputs made of the bytes that matter (quotes in all places, CR,
 * LF, the end-of-data marker) must come out the same as byte by byte,
 * with any options and caps, and never crash.
 */
static void
test_fast_path_matches_bytes(void)
{
    /* Quotes come mostly balanced, so that most lines are simple; a lone quote is
     * rare, as it turns the rest of the input into one field. */
    static const char *const atoms[] = {
        /* clang-format off */
        "a", "bc", "x y", ",", ",", ",", "\t", "\"q,x\"", "\"a\"\"b\"", "\"\"",
        "\"m\nl\"", "\n", "\n", "\n", "\r\n", "\r", " ", "N", "\\N", "\xc3\xa9",
        "\xc3", "\xed\xa0\x80", "\0", ";", "abcdefghijk", "\"\"\"\"", "\"z\" ",
        "\"N\"", "\"\\N\"", "\"a\tb\"", "\"\r\"", "\"y;\"", "\"\xc3\"",
        "\\.\n", "a\"b", "\" \"x", "\"\"\"",
        /* clang-format on */
    };
    static const cl_reader_opts variants[] = {
        {0},
        {.null_string = "N"},
        {.delimiter = '\t', .null_string = "\\N"},
        {.delimiter = ';', .quote = '\''},
        {.max_field_bytes = 3, .max_record_bytes = 9},
    };
    uint64_t seed = 42;
    int mismatches = 0;

    for (int round = 0; round < 600; round++) {
        for (size_t v = 0; v < sizeof variants / sizeof variants[0]; v++) {
            strbuf in = {0};
            sb_add(&in, "", 0);
            seed = seed * 6364136223846793005u + 1442695040888963407u;
            int natoms = (int)((seed >> 33) % 80);
            for (int i = 0; i < natoms; i++) {
                seed = seed * 6364136223846793005u + 1442695040888963407u;
                uint64_t x = seed >> 33;
                const char *a =
                    x % 97 == 0 ? "\"" : atoms[x % (sizeof atoms / sizeof atoms[0])];
                size_t start = in.len;
                sb_add(&in, a, a[0] ? strlen(a) : 1); /* "\0" is one NUL byte */
                if (variants[v].quote)
                    for (size_t k = start; k < in.len; k++)
                        if (in.s[k] == '"')
                            in.s[k] = variants[v].quote;
            }
            write_file(tmp_path("fuzz.csv"), in.s, in.len);
            bytes_only = false;
            char *fast = render(tmp_path("fuzz.csv"), &variants[v]);
            bytes_only = true;
            char *slow = render(tmp_path("fuzz.csv"), &variants[v]);
            bytes_only = false;
            if (strcmp(fast, slow) != 0 && mismatches++ < 3)
                fprintf(stderr,
                        "fast path differs (round %d, variant %zu):\n%s\n--- byte by "
                        "byte:\n%s\n",
                        round, v, fast, slow);
            CHECK(strstr(fast, "END") != NULL);
            free(fast);
            free(slow);
            free(in.s);
        }
    }
    CHECK_EQ_INT(mismatches, 0);
}

/* Random bytes, and gzip with random bytes flipped: records or a clean error,
 * never a crash (valgrind and the sanitizers watch this one). */
static void
test_garbage_input(void)
{
    uint64_t seed = 7;
    unsigned char buf[3000];
    const char *text = "sku,name\nA-1,\"x, y\"\nA-2,\"multi\nline\"\r\nA-3,z\n";
    size_t gzlen;
    unsigned char *gz = gz_member(text, strlen(text), &gzlen);
    int errors = 0, ends = 0;

    for (int round = 0; round < 300; round++) {
        size_t n;
        if (round % 2 == 0) {
            seed = seed * 6364136223846793005u + 1442695040888963407u;
            n = (size_t)(seed >> 33) % sizeof buf;
            for (size_t i = 0; i < n; i++) {
                seed = seed * 6364136223846793005u + 1442695040888963407u;
                buf[i] = (unsigned char)(seed >> 56);
            }
            if (round % 4 == 0 && n >= 2) { /* looks like gzip, is not */
                buf[0] = 0x1f;
                buf[1] = 0x8b;
            }
        } else {
            memcpy(buf, gz, gzlen);
            n = gzlen;
            for (int k = 0; k < 1 + round % 3; k++) {
                seed = seed * 6364136223846793005u + 1442695040888963407u;
                buf[(seed >> 33) % n] ^= (unsigned char)(1u << ((seed >> 20) % 8));
            }
        }
        write_file(tmp_path("garbage.bin"), buf, n);
        char *got = render(tmp_path("garbage.bin"), NULL);
        if (strstr(got, "ERR CL_EGZIP: "))
            errors++;
        else if (strstr(got, "END"))
            ends++;
        free(got);
    }
    CHECK_EQ_INT(errors + ends, 300);
    CHECK(errors > 0 && ends > 0);
    free(gz);
}

static void
test_status_strings(void)
{
    CHECK_EQ_STR(cl_record_status_str(CL_REC_OK), "ok");
    CHECK_EQ_STR(cl_record_status_str(CL_REC_BAD_UTF8), "invalid UTF-8");
    CHECK_EQ_STR(cl_record_status_str(CL_REC_AFTER_END_MARKER),
                 "after the end-of-data marker");
    CHECK_EQ_STR(cl_record_status_str((cl_record_status)99), "unknown record status");
    cl_reader_close(NULL);
}

int
main(void)
{
    signal(SIGPIPE, SIG_IGN);
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 2;
    }
    test_memory_bounded(); /* first, while the peak RSS is still low */
    test_basic();
    test_bom();
    test_line_ends();
    test_copy_rules();
    test_end_marker();
    test_quoted_multiline();
    test_options();
    test_nulls();
    test_ragged();
    test_utf8();
    test_nul_byte();
    test_caps();
    test_gzip();
    test_large_roundtrip();
    test_edges();
    test_stdin();
    test_fast_path_matches_bytes();
    test_garbage_input();
    test_status_strings();

    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", tmpdir);
    return TEST_REPORT();
}
