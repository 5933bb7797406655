/* lib/src/util.c - small helpers the library's modules share (util.h). */
#include "util.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crdbload/crdbload.h"

const char *
cl_input_name(const char *path)
{
    return strcmp(path, "-") == 0 ? "standard input" : path;
}

int
cl_pq_msg_len(const char *msg)
{
    size_t n = msg ? strlen(msg) : 0;

    while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
        n--;
    return n > INT32_MAX ? INT32_MAX : (int)n;
}

const char *
cl_pq_primary(const PGresult *res, PGconn *conn)
{
    const char *msg = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;

    if (!msg || !*msg)
        msg = conn ? PQerrorMessage(conn) : "";
    return msg;
}

int
cl_verrf(int code, char *buf, size_t len, const char *fmt, va_list ap)
{
    if (buf && len)
        vsnprintf(buf, len, fmt, ap);
    return code;
}

int
cl_errf(int code, char *buf, size_t len, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    cl_verrf(code, buf, len, fmt, ap);
    va_end(ap);
    return code;
}

int
cl_errf_detail(int code, char *buf, size_t len, const char *detail, const char *hint,
               const char *fmt, ...)
{
    va_list ap;
    size_t n;

    va_start(ap, fmt);
    cl_verrf(code, buf, len, fmt, ap);
    va_end(ap);
    if (!buf || !len)
        return code;
    n = strlen(buf);
    if (detail)
        n += (size_t)snprintf(buf + n, len - n, CL_ERR_DETAIL "%s", detail);
    if (hint && n < len)
        snprintf(buf + n, len - n, CL_ERR_HINT "%s", hint);
    return code;
}

size_t
cl_list_count(const char *list)
{
    size_t n = 1;

    for (const char *c = list; *c; c++)
        n += *c == ',';
    return n;
}

char **
cl_list_split(const char *list, size_t *n)
{
    size_t count = cl_list_count(list), len = strlen(list);
    char **items = malloc(count * sizeof *items + len + 1);
    char *s;

    if (!items)
        return NULL;
    s = memcpy((char *)(items + count), list, len + 1);
    for (size_t i = 0; i < count; i++) {
        char *comma = strchr(s, ',');

        items[i] = s;
        if (comma) {
            *comma = '\0';
            s = comma + 1;
        }
    }
    *n = count;
    return items;
}

void *
cl_grow(void *items, size_t *cap, size_t need, size_t elem, size_t first)
{
    size_t c = *cap ? *cap : (first ? first : 1);
    void *grown;

    if (need <= *cap)
        return items;
    while (c < need) {
        if (c > SIZE_MAX / 2)
            return NULL;
        c *= 2;
    }
    if (elem && c > SIZE_MAX / elem)
        return NULL;
    grown = realloc(items, c * elem);
    if (grown)
        *cap = c;
    return grown;
}
