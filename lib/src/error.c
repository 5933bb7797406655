/* lib/src/error.c - names and messages of the CL_E* codes (one table, error.h). */
#include "crdbload/error.h"

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
