/*
 * lib/src/util.h - small helpers the library's modules share (private to
 * the library): an input's name in messages, libpq's message text, a
 * message into the caller's buffer, comma-separated lists, growable arrays.
 */
#ifndef CRDBLOAD_UTIL_H
#define CRDBLOAD_UTIL_H

#include <stdarg.h>
#include <stddef.h>

#include <libpq-fe.h>

/* How an input path reads in a message: "-" is "standard input". */
const char *cl_input_name(const char *path);

/* The length of libpq's message text (PQerrorMessage, an error field)
 * without the newlines and blanks it ends with: print it with "%.*s".
 * NULL counts as "". */
int cl_pq_msg_len(const char *msg);

/* The primary message of a failed result, else the connection's message;
 * never NULL. */
const char *cl_pq_primary(const PGresult *res, PGconn *conn);

/* printf into the caller's error buffer (nothing when buf is NULL or len is
 * 0); returns code, so that "return cl_errf(CL_ECONFIG, err, len, ...)"
 * says what failed and how in one statement. */
int cl_errf(int code, char *buf, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
int cl_verrf(int code, char *buf, size_t len, const char *fmt, va_list ap)
    __attribute__((format(printf, 4, 0)));

/* A module's error text carries a detail (the facts) and a hint (what to
 * do) after its primary text, each on a line of its own behind these, as
 * PostgreSQL lays them out; log.c splits them into the fields of the
 * caller's cl_message. Spelled only by cl_errf_detail() and log.c. */
#define CL_ERR_DETAIL "\nDetail: "
#define CL_ERR_HINT "\nHint: "

/* cl_errf(), then detail and hint (NULL: none) in that layout. */
int cl_errf_detail(int code, char *buf, size_t len, const char *detail,
                   const char *hint, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

/* The number of items of a comma-separated list: commas + 1 ("" is one
 * empty item). */
size_t cl_list_count(const char *list);

/*
 * The items of a comma-separated list, as an array of *n strings in one
 * allocation (the caller frees the array, and with it the strings). Items
 * are not trimmed; an empty one is "". NULL on out of memory.
 */
char **cl_list_split(const char *list, size_t *n);

/*
 * items (an array of *cap elements of size elem, or NULL) grown to hold at
 * least need elements, its capacity doubled from *cap (or from first). Use
 * as realloc: the new array, or NULL with items and *cap unchanged (out of
 * memory, or a size past SIZE_MAX). items itself when need <= *cap.
 */
void *cl_grow(void *items, size_t *cap, size_t need, size_t elem, size_t first);

#endif
