/*
 * lib/src/validate.c - the client-side check of a value against its column.
 *
 * Conservative by rule: a value is refused only when the server would surely
 * refuse it, whichever server it is. So the accepted syntax is the union of
 * PostgreSQL 15, later PostgreSQL releases (16 added 0x/0o/0b integers and
 * '_' between digits) and CockroachDB; anything ambiguous ("now", "epoch",
 * "January 8 1999", a time zone name) is left to the server. What is checked
 * is what a catalog file gets wrong: NOT NULL, integer ranges, numeric
 * precision, booleans, uuids, impossible calendar dates, varchar lengths.
 */
#include "validate.h"
#include "crdbload/crdbload.h"
#include "error.h"
#include "util.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SHOW_MAX 40 /* bytes of a value quoted in a message */

/* The value as messages quote it: at most SHOW_MAX bytes, cut at a UTF-8
 * character boundary, "..." when cut. */
static const char *
show(const char *v, size_t len, char buf[SHOW_MAX + 4])
{
    size_t n = len;

    if (n > SHOW_MAX) {
        n = SHOW_MAX;
        while (n > 0 && ((unsigned char)v[n] & 0xC0) == 0x80)
            n--;
    }
    memcpy(buf, v, n);
    strcpy(buf + n, n < len ? "..." : "");
    return buf;
}

/* isspace() in the C locale, as the server's input functions use it. */
static bool
is_space(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\v' || ch == '\f' ||
           ch == '\r';
}

static bool
is_digit(char ch)
{
    return ch >= '0' && ch <= '9';
}

/* Value of a digit in base, or -1. */
static int
digit_in(char ch, int base)
{
    int d = -1;

    if (ch >= '0' && ch <= '9')
        d = ch - '0';
    else if (ch >= 'a' && ch <= 'f')
        d = ch - 'a' + 10;
    else if (ch >= 'A' && ch <= 'F')
        d = ch - 'A' + 10;
    return d < base ? d : -1;
}

static char
lower(char ch)
{
    return ch >= 'A' && ch <= 'Z' ? (char)(ch - 'A' + 'a') : ch;
}

/* v[0..n) equals the lower-case word w, ignoring case. */
static bool
word_eq(const char *v, size_t n, const char *w)
{
    if (strlen(w) != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (lower(v[i]) != w[i])
            return false;
    return true;
}

/* Trim the server's whitespace from both ends of [*b, *e). */
static void
trim(const char *v, size_t *b, size_t *e)
{
    while (*b < *e && is_space(v[*b]))
        (*b)++;
    while (*e > *b && is_space(v[*e - 1]))
        (*e)--;
}

/*
 * Digits in base from v[*i], '_' allowed before a digit (PostgreSQL 16,
 * CockroachDB). The magnitude goes to *mag, saturating at UINT64_MAX. Returns
 * the number of digits read.
 */
static size_t
scan_digits(const char *v, size_t *i, size_t end, int base, uint64_t *mag)
{
    size_t n = 0;

    while (*i < end) {
        int d = digit_in(v[*i], base);

        if (d < 0 && v[*i] == '_' && *i + 1 < end && digit_in(v[*i + 1], base) >= 0) {
            (*i)++;
            continue;
        }
        if (d < 0)
            break;
        if (*mag > (UINT64_MAX - (uint64_t)d) / (uint64_t)base)
            *mag = UINT64_MAX;
        else
            *mag = *mag * (uint64_t)base + (uint64_t)d;
        (*i)++;
        n++;
    }
    return n;
}

/* The base a 0x/0o/0b prefix at v[*i] announces (moving past it), else 10. */
static int
scan_prefix(const char *v, size_t *i, size_t end)
{
    if (*i + 1 < end && v[*i] == '0') {
        char p = lower(v[*i + 1]);
        int base = p == 'x' ? 16 : p == 'o' ? 8 : p == 'b' ? 2 : 10;

        if (base != 10)
            *i += 2;
        return base;
    }
    return 10;
}

static int
check_int(const cl_column *c, const char *v, size_t len, char *why, size_t whylen)
{
    static const struct {
        const char *name;
        uint64_t max;
    } types[] = {
        [CL_TYPE_INT2] = {"smallint", INT16_MAX},
        [CL_TYPE_INT4] = {"integer", INT32_MAX},
        [CL_TYPE_INT8] = {"bigint", INT64_MAX},
    };
    size_t b = 0, e = len, i;
    uint64_t mag = 0, limit = types[c->kind].max;
    bool neg = false;
    int base;
    char buf[SHOW_MAX + 4];

    trim(v, &b, &e);
    i = b;
    if (i < e && (v[i] == '+' || v[i] == '-'))
        neg = v[i++] == '-';
    base = scan_prefix(v, &i, e);
    if (scan_digits(v, &i, e, base, &mag) == 0 || i != e)
        return cl_errf(-1, why, whylen, "invalid input syntax for type %s: \"%s\"",
                       types[c->kind].name, show(v, len, buf));
    if (mag > limit + (neg ? 1 : 0))
        return cl_errf(-1, why, whylen, "value \"%s\" is out of range for type %s",
                       show(v, len, buf), types[c->kind].name);
    return 0;
}

/*
 * numeric: [sign] digits [. digits] [e [sign] digits], or NaN/Infinity, or
 * (PostgreSQL 16) a 0x/0o/0b integer. For numeric(p,s) the integer part must
 * have at most p - s significant digits. Rounding to s places can only add a
 * digit (99.995 -> 100.00), so that edge is left to the server.
 */
static int
check_numeric(const cl_column *c, const char *v, size_t len, char *why, size_t whylen)
{
    size_t b = 0, e = len, i, nint, nfrac = 0;
    size_t int_sig = 0;   /* integer digits from the first non-zero one */
    size_t frac_lead = 0; /* 1-based place of the first non-zero fraction digit */
    long exp = 0;
    int base;
    bool zero;
    char buf[SHOW_MAX + 4];

    trim(v, &b, &e);
    i = b;
    if (i < e && (v[i] == '+' || v[i] == '-'))
        i++;
    if (word_eq(v + i, e - i, "nan") || word_eq(v + i, e - i, "snan") ||
        word_eq(v + i, e - i, "inf") || word_eq(v + i, e - i, "infinity"))
        return 0; /* an infinity in numeric(p,s) is the server's to refuse */
    if ((base = scan_prefix(v, &i, e)) != 10) {
        uint64_t mag = 0;

        if (scan_digits(v, &i, e, base, &mag) > 0 && i == e)
            return 0; /* PostgreSQL 16; too rare to weigh against the precision */
        goto syntax;
    }

    for (nint = 0; i < e; i++) {
        if (v[i] == '_' && i + 1 < e && is_digit(v[i + 1]) && nint)
            continue;
        if (!is_digit(v[i]))
            break;
        nint++;
        if (v[i] != '0' || int_sig)
            int_sig++;
    }
    if (i < e && v[i] == '.') {
        for (i++; i < e; i++) {
            if (v[i] == '_' && i + 1 < e && is_digit(v[i + 1]) && nfrac)
                continue;
            if (!is_digit(v[i]))
                break;
            nfrac++;
            if (v[i] != '0' && !frac_lead)
                frac_lead = nfrac;
        }
    }
    if (nint + nfrac == 0)
        goto syntax;
    if (i < e && (v[i] == 'e' || v[i] == 'E')) {
        bool eneg = false;
        size_t nexp = 0;

        i++;
        if (i < e && (v[i] == '+' || v[i] == '-'))
            eneg = v[i++] == '-';
        for (; i < e && is_digit(v[i]); i++, nexp++)
            if (exp < 1000000)
                exp = exp * 10 + (v[i] - '0');
        if (nexp == 0)
            goto syntax;
        if (eneg)
            exp = -exp;
    }
    if (i != e)
        goto syntax;

    zero = int_sig == 0 && frac_lead == 0;
    if (c->precision > 0 && !zero) {
        /* Decimal weight of the leading digit, counted as integer digits. */
        long weight = int_sig ? (long)int_sig + exp : exp - (long)frac_lead + 1;
        long room = (long)c->precision - c->scale;

        if (weight > room)
            return cl_errf(
                -1, why, whylen,
                "numeric field overflow: \"%s\" does not fit %s (its absolute value "
                "must be less than 10^%ld)",
                show(v, len, buf), c->type_name, room);
    }
    return 0;
syntax:
    return cl_errf(-1, why, whylen, "invalid input syntax for type numeric: \"%s\"",
                   show(v, len, buf));
}

static int
check_float(const cl_column *c, const char *v, size_t len, char *why, size_t whylen)
{
    char tmp[256], buf[SHOW_MAX + 4];
    const char *s = v;
    char *end;
    double d;

    if (len < sizeof tmp) {
        memcpy(tmp, v, len);
        tmp[len] = '\0';
        s = tmp;
    } else if (v[len] != '\0') {
        return 0; /* a value that long is the server's to judge */
    }
    while (is_space(*s))
        s++;
    errno = 0;
    d = strtod(s, &end);
    if (end == s)
        goto syntax;
    while (is_space(*end))
        end++;
    if (*end)
        goto syntax;
    /* Overflow is refused everywhere; an underflow to 0 PostgreSQL refuses
     * too, but CockroachDB takes it. */
    if (errno == ERANGE && isinf(d))
        return cl_errf(-1, why, whylen, "\"%s\" is out of range for type %s",
                       show(v, len, buf), c->type_name);
    return 0;
syntax:
    return cl_errf(-1, why, whylen, "invalid input syntax for type %s: \"%s\"",
                   c->type_name, show(v, len, buf));
}

/* PostgreSQL's parse_bool_with_len(): a unique prefix of true/false/yes/no,
 * on/off (two letters at least), 1 or 0, any case, blanks trimmed. */
static int
check_bool(const char *v, size_t len, char *why, size_t whylen)
{
    static const char *const words[] = {"true", "false", "yes", "no"};
    size_t b = 0, e = len, n;
    const char *s;
    char buf[SHOW_MAX + 4];

    trim(v, &b, &e);
    s = v + b;
    n = e - b;
    if (n == 1 && (s[0] == '1' || s[0] == '0'))
        return 0;
    for (size_t w = 0; n && w < sizeof words / sizeof words[0]; w++) {
        size_t k = 0;

        if (n > strlen(words[w]))
            continue;
        while (k < n && lower(s[k]) == words[w][k])
            k++;
        if (k == n)
            return 0;
    }
    if (n >= 2 && lower(s[0]) == 'o') {
        if (word_eq(s, n, "on") || word_eq(s, n, "of") || word_eq(s, n, "off"))
            return 0;
    }
    return cl_errf(-1, why, whylen, "invalid input syntax for type boolean: \"%s\"",
                   show(v, len, buf));
}

/* PostgreSQL's string_to_uuid(): 32 hex digits, a '-' allowed after any group
 * of four but the last, the whole optionally in braces; plus CockroachDB's
 * "urn:uuid:" prefix. No blanks. */
static int
check_uuid(const char *v, size_t len, char *why, size_t whylen)
{
    size_t i = 0;
    bool braces = false;
    char buf[SHOW_MAX + 4];

    if (len >= 9 && word_eq(v, 9, "urn:uuid:"))
        i = 9;
    if (i < len && v[i] == '{') {
        braces = true;
        i++;
    }
    for (int byte = 0; byte < 16; byte++) {
        if (i + 1 >= len || digit_in(v[i], 16) < 0 || digit_in(v[i + 1], 16) < 0)
            goto syntax;
        i += 2;
        if (i < len && v[i] == '-' && byte % 2 == 1 && byte < 15)
            i++;
    }
    if (braces) {
        if (i >= len || v[i] != '}')
            goto syntax;
        i++;
    }
    if (i == len)
        return 0;
syntax:
    return cl_errf(-1, why, whylen, "invalid input syntax for type uuid: \"%s\"",
                   show(v, len, buf));
}

/* Only YYYY-MM-DD at the very start is read: every server reads it as year,
 * month, day whatever its DateStyle. Anything else is the server's. */
static int
check_date(const char *v, size_t len, char *why, size_t whylen)
{
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    static const char shape[] = "dddd-dd-dd";
    int y, m, d;
    char buf[SHOW_MAX + 4];

    if (len < 10 || (len > 10 && is_digit(v[10])))
        return 0;
    for (int i = 0; i < 10; i++)
        if (shape[i] == 'd' ? !is_digit(v[i]) : v[i] != '-')
            return 0;
    y = (v[0] - '0') * 1000 + (v[1] - '0') * 100 + (v[2] - '0') * 10 + (v[3] - '0');
    m = (v[5] - '0') * 10 + (v[6] - '0');
    d = (v[8] - '0') * 10 + (v[9] - '0');
    if (m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
        goto range;
    if (m == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))) {
        /* Years BC are counted from 1 BC = year 0, so 1 BC, 5 BC, ... are the
         * leap years there: leave any BC date to the server. */
        for (size_t i = 10; i + 1 < len; i++)
            if (lower(v[i]) == 'b' && lower(v[i + 1]) == 'c')
                return 0;
        goto range;
    }
    return 0;
range:
    return cl_errf(-1, why, whylen, "date/time field value out of range: \"%s\"",
                   show(v, len, buf));
}

/* Characters (UTF-8 code points), not counting trailing spaces: the server
 * cuts excess spaces off rather than refuse them. */
static int
check_varchar(const cl_column *c, const char *v, size_t len, char *why, size_t whylen)
{
    size_t n = 0, e = len;
    char buf[SHOW_MAX + 4];

    if (c->max_chars < 0 || len <= (size_t)c->max_chars)
        return 0; /* a character is at least a byte */
    while (e > 0 && v[e - 1] == ' ')
        e--;
    for (size_t i = 0; i < e; i++)
        n += ((unsigned char)v[i] & 0xC0) != 0x80;
    if (n > (size_t)c->max_chars)
        return cl_errf(-1, why, whylen, "value too long for type %s: \"%s\"",
                       c->type_name, show(v, len, buf));
    return 0;
}

int
cl_validate_record(const cl_plan *p, const cl_field *fields, const char *const *names,
                   char *why, size_t whylen)
{
    char reason[512];

    for (size_t c = 0; c < p->ncols; c++) {
        size_t f = p->field_of_col[c];
        const cl_field *fd = &fields[f];
        if (cl_validate_value(p->cols[c], fd->data, fd->len, reason, sizeof reason) !=
            0) {
            snprintf(why, whylen, "column %zu (%s): %s", f + 1,
                     CL_IDENT(p->cols[c]->name), reason);
            return -1;
        }
    }
    for (size_t k = 0; k < p->nkeys; k++) {
        if (!fields[p->key_fields[k]].data) {
            snprintf(why, whylen, "column %zu: the key %s is null",
                     p->key_fields[k] + 1, CL_IDENT(names[p->key_fields[k]]));
            return -1;
        }
    }
    return 0;
}

int
cl_validate_value(const cl_column *c, const char *v, size_t len, char *why,
                  size_t whylen)
{
    if (!v) {
        if (c->not_null)
            return cl_errf(-1, why, whylen,
                           "null value in column %s violates not-null constraint",
                           CL_IDENT(c->name));
        return 0;
    }
    switch (c->kind) {
    case CL_TYPE_INT2:
    case CL_TYPE_INT4:
    case CL_TYPE_INT8:
        return check_int(c, v, len, why, whylen);
    case CL_TYPE_NUMERIC:
        return check_numeric(c, v, len, why, whylen);
    case CL_TYPE_FLOAT:
        return check_float(c, v, len, why, whylen);
    case CL_TYPE_BOOL:
        return check_bool(v, len, why, whylen);
    case CL_TYPE_UUID:
        return check_uuid(v, len, why, whylen);
    case CL_TYPE_DATE:
    case CL_TYPE_TIMESTAMP:
        return check_date(v, len, why, whylen);
    case CL_TYPE_VARCHAR:
        return check_varchar(c, v, len, why, whylen);
    case CL_TYPE_TEXT:
    case CL_TYPE_JSON:
    case CL_TYPE_OTHER:
        break;
    }
    return 0;
}
