/*
 * lib/src/transcode.c - --encoding: the input converted to UTF-8 while
 * streaming (transcode.h).
 *
 * Names are PostgreSQL's first, matched as PostgreSQL matches them (case and
 * everything but letters and digits ignored, so "win1252", "WIN-1252" and
 * "Windows1252" are one), then whatever iconv_open() takes. The iconv name of
 * each PostgreSQL encoding is the one whose table PostgreSQL's own conversion
 * follows: SJIS is Microsoft's CP932 (PostgreSQL's aliases for it include
 * WIN932), UHC is CP949.
 */
#include "transcode.h"

#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crdbload/crdbload.h"
#include "util.h"

#define INVALID_MARK 0xFF /* never valid UTF-8: reader.c flags the field */

struct cl_transcode {
    iconv_t cd;
    unsigned char *in; /* raw bytes put, not yet converted: in[pos, len) */
    size_t pos, len, cap;
};

static const struct {
    const char *pg;    /* PostgreSQL's name or alias, cleaned */
    const char *iconv; /* NULL: UTF-8 itself */
} names[] = {
    {"utf8", NULL},
    {"unicode", NULL},
    {"latin1", "ISO-8859-1"},
    {"iso88591", "ISO-8859-1"},
    {"latin2", "ISO-8859-2"},
    {"iso88592", "ISO-8859-2"},
    {"latin3", "ISO-8859-3"},
    {"iso88593", "ISO-8859-3"},
    {"latin4", "ISO-8859-4"},
    {"iso88594", "ISO-8859-4"},
    {"latin5", "ISO-8859-9"},
    {"iso88599", "ISO-8859-9"},
    {"latin6", "ISO-8859-10"},
    {"iso885910", "ISO-8859-10"},
    {"latin7", "ISO-8859-13"},
    {"iso885913", "ISO-8859-13"},
    {"latin8", "ISO-8859-14"},
    {"iso885914", "ISO-8859-14"},
    {"latin9", "ISO-8859-15"},
    {"iso885915", "ISO-8859-15"},
    {"latin10", "ISO-8859-16"},
    {"iso885916", "ISO-8859-16"},
    {"iso88595", "ISO-8859-5"},
    {"iso88596", "ISO-8859-6"},
    {"iso88597", "ISO-8859-7"},
    {"iso88598", "ISO-8859-8"},
    {"win866", "CP866"},
    {"windows866", "CP866"},
    {"alt", "CP866"},
    {"win874", "CP874"},
    {"windows874", "CP874"},
    {"win1250", "CP1250"},
    {"windows1250", "CP1250"},
    {"win1251", "CP1251"},
    {"windows1251", "CP1251"},
    {"win", "CP1251"},
    {"win1252", "CP1252"},
    {"windows1252", "CP1252"},
    {"win1253", "CP1253"},
    {"windows1253", "CP1253"},
    {"win1254", "CP1254"},
    {"windows1254", "CP1254"},
    {"win1255", "CP1255"},
    {"windows1255", "CP1255"},
    {"win1256", "CP1256"},
    {"windows1256", "CP1256"},
    {"win1257", "CP1257"},
    {"windows1257", "CP1257"},
    {"win1258", "CP1258"},
    {"windows1258", "CP1258"},
    {"abc", "CP1258"},
    {"tcvn", "CP1258"},
    {"tcvn5712", "CP1258"},
    {"vscii", "CP1258"},
    {"koi8r", "KOI8-R"},
    {"koi8", "KOI8-R"},
    {"koi8u", "KOI8-U"},
    {"sjis", "CP932"},
    {"shiftjis", "CP932"},
    {"mskanji", "CP932"},
    {"win932", "CP932"},
    {"windows932", "CP932"},
    {"shiftjis2004", "SHIFT_JISX0213"},
    {"eucjp", "EUC-JP"},
    {"eucjis2004", "EUC-JISX0213"},
    {"euccn", "EUC-CN"},
    {"euckr", "EUC-KR"},
    {"euctw", "EUC-TW"},
    {"gbk", "GBK"},
    {"win936", "GBK"},
    {"windows936", "GBK"},
    {"gb18030", "GB18030"},
    {"uhc", "CP949"},
    {"win949", "CP949"},
    {"windows949", "CP949"},
    {"big5", "BIG5"},
    {"win950", "BIG5"},
    {"windows950", "BIG5"},
    {"johab", "JOHAB"},
};

/* PostgreSQL's clean_encoding_name(): letters and digits, lower case. */
static void
clean(const char *name, char *out, size_t cap)
{
    size_t n = 0;
    for (const char *p = name; *p && n + 1 < cap; p++) {
        char c = *p;
        if (c >= 'A' && c <= 'Z')
            out[n++] = (char)(c - 'A' + 'a');
        else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
            out[n++] = c;
    }
    out[n] = '\0';
}

/* The names table's entry for name, or -1. */
static int
lookup(const char *name)
{
    char key[64];

    if (strlen(name) >= sizeof key)
        return -1;
    clean(name, key, sizeof key);
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(key, names[i].pg) == 0)
            return (int)i;
    return -1;
}

bool
cl_transcode_is_utf8(const char *encoding)
{
    int i = encoding ? lookup(encoding) : -1;
    return !encoding || (i >= 0 && !names[i].iconv);
}

int
cl_transcode_open(cl_transcode **out, const char *encoding, char *err, size_t errlen)
{
    cl_transcode *t;
    int i;

    *out = NULL;
    if (cl_transcode_is_utf8(encoding))
        return 0;
    i = lookup(encoding);
    t = calloc(1, sizeof *t);
    if (!t) {
        snprintf(err, errlen, "out of memory");
        return CL_ENOMEM;
    }
    t->cd = iconv_open("UTF-8", i >= 0 ? names[i].iconv : encoding);
    if (t->cd == (iconv_t)-1) {
        int e = errno;
        free(t);
        if (e == EINVAL)
            cl_errf_detail(0, err, errlen, NULL,
                           "Give PostgreSQL's name (LATIN1, WIN1252, LATIN9, SJIS...) "
                           "or one that iconv knows (iconv --list).",
                           "unknown encoding \"%s\" (--encoding)", encoding);
        else
            snprintf(err, errlen, "could not convert from encoding \"%s\": %s",
                     encoding, strerror(e));
        return e == EINVAL ? CL_ECONFIG : CL_ENOMEM;
    }
    *out = t;
    return 0;
}

int
cl_transcode_put(cl_transcode *t, const unsigned char *raw, size_t n)
{
    if (t->pos > 0) { /* keep only the partial sequence left over */
        memmove(t->in, t->in + t->pos, t->len - t->pos);
        t->len -= t->pos;
        t->pos = 0;
    }
    if (t->len + n > t->cap) {
        size_t cap = t->len + n;
        unsigned char *in = realloc(t->in, cap);
        if (!in)
            return CL_ENOMEM;
        t->in = in;
        t->cap = cap;
    }
    memcpy(t->in + t->len, raw, n);
    t->len += n;
    return 0;
}

size_t
cl_transcode_get(cl_transcode *t, unsigned char *out, size_t cap, bool at_end)
{
    char *dst = (char *)out;
    size_t room = cap;

    while (room > 0 && t->pos < t->len) {
        char *src = (char *)t->in + t->pos;
        size_t left = t->len - t->pos;
        size_t rc = iconv(t->cd, &src, &left, &dst, &room);
        int e = errno;

        t->pos = t->len - left;
        if (rc != (size_t)-1)
            continue; /* all converted: the loop ends */
        if (e == E2BIG)
            break; /* out is full (or too full for the next character) */
        if (e == EINVAL && !at_end)
            break; /* a partial sequence: it waits for more bytes */
        /* EILSEQ, or EINVAL at the end: the byte is passed over as is (when
         * it is not ASCII: a byte from 0x80 up followed by UTF-8 is never
         * valid UTF-8, and the rejects file then shows the input's byte), or
         * as INVALID_MARK; conversion resumes at the next byte */
        unsigned char b = t->in[t->pos];
        *dst++ = (char)(b >= 0x80 ? b : INVALID_MARK);
        room--;
        t->pos++;
    }
    if (at_end && t->pos == t->len && room > 0)
        iconv(t->cd, NULL, NULL, &dst, &room); /* a stateful encoding's reset */
    return cap - room;
}

void
cl_transcode_free(cl_transcode *t)
{
    if (!t)
        return;
    iconv_close(t->cd);
    free(t->in);
    free(t);
}
