/*
 * lib/src/csvparse.h - the CSV parser: bytes in, records out (private to the
 * library; reader.c feeds it).
 *
 * Records are split by the rules of PostgreSQL 15's COPY ... (FORMAT csv)
 * (copyfromparse.c: CopyReadLineText, CopyReadAttributesCSV):
 *  - a quote opens or closes quoting anywhere in a field, and text after a
 *    closing quote continues the field ("a" b -> a b; in 1"2"3 the quotes
 *    go, 123); inside quotes "" is one quote;
 *  - a field whose raw text (no quote seen) equals the NULL string is NULL:
 *    by default the empty unquoted field; a quoted "" is an empty string;
 *  - a blank line is a record of one empty unquoted field;
 *  - the line end style is set by the first line end outside quotes, as in
 *    COPY: bare CR, or LF. Unlike COPY, an LF file may mix LF and CRLF lines
 *    (the CR before an LF is part of the line end); a stray CR outside quotes
 *    in an LF file, or an LF outside quotes in a CR file, marks its record;
 *  - a line "\." at the start of a record is COPY's end-of-data marker: it is
 *    no record, and every record after it is marked (COPY would drop them);
 *  - the input ending inside quotes marks the last record.
 * Where COPY fails the whole input, the parser marks the record and goes on.
 *
 * Memory is bounded by the caps: bytes of a field past max_field are not
 * kept, fields of a record past max_record are not kept.
 */
#ifndef CRDBLOAD_CSVPARSE_H
#define CRDBLOAD_CSVPARSE_H

#include "reader.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct cl_csv cl_csv;

/* A parser for options already checked (delimiter and quote two different
 * characters, neither a line end); null_string may be NULL. 0 or CL_ENOMEM. */
int cl_csv_new(cl_csv **out, unsigned char delimiter, unsigned char quote,
               const char *null_string, size_t max_field, size_t max_record);

void cl_csv_free(cl_csv *p);

/* n bytes of the input that are not given to the parser (a byte order mark):
 * offsets count them. */
void cl_csv_skip(cl_csv *p, size_t n);

/*
 * Parse s[0, n): returns how many bytes were used, up to the end of the first
 * record completed, which is then *rec (else *rec is NULL and all n were used).
 * The record stays valid until the next call. On out of memory, *rec is NULL
 * and cl_csv_failed() is true.
 */
size_t cl_csv_parse(cl_csv *p, const unsigned char *s, size_t n, const cl_record **rec);

/* The input has ended: the last record, if one was begun, else NULL. */
const cl_record *cl_csv_finish(cl_csv *p);

bool cl_csv_failed(const cl_csv *p);

/* Tests: off parses every line byte by byte, to compare with the fast path. */
void cl_csv_set_fast_path(cl_csv *p, bool on);

#endif
