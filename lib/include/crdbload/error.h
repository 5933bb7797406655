/*
 * crdbload/error.h - the library's error codes.
 *
 * Library functions return 0 on success and a negative CL_E* code on failure;
 * the message with its context (file, line, column, host, SQLSTATE) stays on
 * the object that failed. Released numbers never change.
 */
#ifndef CRDBLOAD_ERROR_H
#define CRDBLOAD_ERROR_H

#define CL_ERRNO_MAP(XX)                                                       \
    XX(NOMEM, 1, "out of memory")                                              \
    XX(IO, 2, "input/output error")                                            \
    XX(GZIP, 3, "corrupt or truncated gzip data")                              \
    XX(CSV, 4, "malformed CSV input")                                          \
    XX(CONFIG, 5, "invalid configuration")                                     \
    XX(CONNECT, 6, "could not connect to the server")                          \
    XX(DB, 7, "database error")                                                \
    XX(RETRIES, 8, "retries exhausted")                                        \
    XX(INTERRUPTED, 9, "interrupted")                                          \
    XX(REJECTS, 10, "too many rejected rows")                                  \
    XX(TOOBIG, 11, "value too large")

typedef enum cl_error {
    CL_OK = 0,
#define XX(name, num, msg) CL_E##name = -(num),
    CL_ERRNO_MAP(XX)
#undef XX
} cl_error;

/* "CL_EIO" for CL_EIO; "CL_UNKNOWN" for a code not in the table. */
const char *cl_err_name(int code);
/* A short lower-case description, never NULL. */
const char *cl_strerror(int code);

#include <stddef.h>

/* An identifier as a message shows it: in double quotes, a quote inside
 * doubled (name "x" , y -> "name ""x"" , y"), so that it reads as one name;
 * cut short (ending in ...") to fit len. Returns buf. */
char *cl_quote_ident(char *buf, size_t len, const char *name);

/* cl_quote_ident() into a buffer that lives as long as the enclosing block:
 * for the arguments of one message. */
#define CL_IDENT_MAX 256
#define CL_IDENT(name) cl_quote_ident((char[CL_IDENT_MAX]){0}, CL_IDENT_MAX, (name))

#endif
