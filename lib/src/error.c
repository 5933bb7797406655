/* lib/src/error.c - names and messages of the CL_E* codes (one table, error.h). */
#include "crdbload/crdbload.h"
#include "error.h"

#include <string.h>

const char *
cl_err_name(int code)
{
    switch (code) {
    case CL_OK:
        return "CL_OK";
#define XX(name, num, msg)                                                             \
    case CL_E##name:                                                                   \
        return "CL_E" #name;
        CL_ERRNO_MAP(XX)
#undef XX
    }
    return "CL_UNKNOWN";
}

const char *
cl_strerror(int code)
{
    switch (code) {
    case CL_OK:
        return "success";
#define XX(name, num, msg)                                                             \
    case CL_E##name:                                                                   \
        return msg;
        CL_ERRNO_MAP(XX)
#undef XX
    }
    return "unknown error";
}

char *
cl_quote_ident(char *buf, size_t len, const char *name)
{
    size_t need = 3, o = 0; /* the quotes and the terminator */

    if (len < 6) { /* no room for a name: "" at most */
        if (len)
            buf[0] = '\0';
        return buf;
    }
    for (const char *c = name; *c; c++)
        need += *c == '"' ? 2 : 1;
    /* When it does not fit, room is kept for "..." and the closing quote. */
    size_t room = need <= len ? len - 2 : len - 5;
    buf[o++] = '"';
    for (const char *c = name; *c; c++) {
        size_t n = *c == '"' ? 2 : 1;
        if (o + n > room)
            break;
        memcpy(buf + o, *c == '"' ? "\"\"" : c, n);
        o += n;
    }
    if (need > len) {
        memcpy(buf + o, "...", 3);
        o += 3;
    }
    buf[o++] = '"';
    buf[o] = '\0';
    return buf;
}
