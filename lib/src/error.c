/* lib/src/error.c - names and messages of the CL_E* codes (one table, error.h). */
#include "crdbload/error.h"

#include <string.h>

const char *
cl_err_name(int code)
{
    switch (code) {
    case CL_OK:
        return "CL_OK";
#define XX(name, num, msg)                                                     \
    case CL_E##name:                                                           \
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
#define XX(name, num, msg)                                                     \
    case CL_E##name:                                                           \
        return msg;
        CL_ERRNO_MAP(XX)
#undef XX
    }
    return "unknown error";
}

char *
cl_quote_ident(char *buf, size_t len, const char *name)
{
    size_t o = 0;

    if (len < 6) { /* no room for a name: "" at most */
        if (len)
            buf[0] = '\0';
        return buf;
    }
    buf[o++] = '"';
    for (const char *c = name; *c; c++) {
        size_t need = *c == '"' ? 2 : 1;
        if (o + need + 2 > len) { /* the closing quote and the terminator */
            o = o + 5 > len ? len - 5 : o;
            memcpy(buf + o, "...", 3);
            o += 3;
            break;
        }
        buf[o++] = *c;
        if (*c == '"')
            buf[o++] = '"';
    }
    buf[o++] = '"';
    buf[o] = '\0';
    return buf;
}
