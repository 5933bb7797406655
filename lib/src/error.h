/*
 * lib/src/error.h - identifiers in messages (error.c; the error codes are
 * public: crdbload.h).
 */
#ifndef CRDBLOAD_ERROR_H
#define CRDBLOAD_ERROR_H

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
