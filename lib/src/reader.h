/*
 * crdbload/reader.h - stage 1 of the data flow: CSV records from a file or
 * standard input.
 *
 * The reader owns the input stream (plain, or gzip when the input starts with
 * 1f 8b, whatever its name; concatenated members are read whole) and hands its
 * bytes to the CSV parser (csvparse.h), which splits them into records by the
 * rules of PostgreSQL's COPY ... (FORMAT csv) and owns the current record.
 * Memory is bounded by the field and record caps whatever the input size.
 *
 * A record that is malformed (a field over the cap, invalid UTF-8, a NUL
 * byte, a quote never closed, a stray line end character, anything after the
 * end-of-data marker) is still returned, with status != CL_REC_OK and the line
 * and column of the problem, so the caller can reject it and go on: where COPY
 * refuses a whole file for one record, crdbload rejects that record. Only
 * unreadable input (I/O error, corrupt or truncated gzip) is fatal.
 *
 * Not thread-safe: one reader is used by one thread.
 */
#ifndef CRDBLOAD_READER_H
#define CRDBLOAD_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CL_READER_MAX_FIELD (1u << 20)  /* default field cap: 1 MiB */
#define CL_READER_MAX_RECORD (4u << 20) /* default record cap: 4 MiB */

typedef struct cl_reader cl_reader;

/* The delimiter and the quote are two different characters, neither a line
 * end: cl_config_check()'s rule, which the caller checked (asserted here). */
typedef struct cl_reader_opts {
    char delimiter;          /* field delimiter; 0 means ',' */
    char quote;              /* quote character; 0 means '"' */
    const char *null_string; /* unquoted text meaning NULL; NULL: the empty
                                unquoted field is NULL (a quoted "" never is) */
    size_t max_field_bytes;  /* 0: CL_READER_MAX_FIELD */
    size_t max_record_bytes; /* 0: CL_READER_MAX_RECORD */
    const char *encoding;    /* the input's character set, converted to UTF-8
                                (lib/src/transcode.h); NULL: UTF-8 */
} cl_reader_opts;

typedef enum cl_record_status {
    CL_REC_OK = 0,
    CL_REC_FIELD_TOO_LONG,     /* a field is over max_field_bytes (it is
                                  returned empty) */
    CL_REC_TOO_LONG,           /* the record is over max_record_bytes (its
                                  fields plus one byte each) or has more than
                                  65536 fields; only the fields before the one
                                  that passed the cap are returned */
    CL_REC_BAD_UTF8,           /* a field is not valid UTF-8 */
    CL_REC_NUL_BYTE,           /* a field holds a 0x00 byte */
    CL_REC_UNTERMINATED_QUOTE, /* the input ended inside a quoted field
                                  (bad_line: where that quote opened) */
    CL_REC_UNQUOTED_CR,        /* a carriage return outside quotes that is not
                                  part of the file's line ends (LF or CRLF) */
    CL_REC_UNQUOTED_LF,        /* a line feed outside quotes in a file whose
                                  line ends are bare CRs */
    CL_REC_AFTER_END_MARKER,   /* the record comes after COPY's end-of-data
                                  marker, a line "\." (bad_line: its line) */
} cl_record_status;

typedef struct cl_field {
    const char *data; /* NUL-terminated; NULL means SQL NULL */
    size_t len;       /* bytes, without the terminator */
} cl_field;

typedef struct cl_record {
    const cl_field *fields; /* borrowed: valid until the next cl_reader_next() */
    size_t nfields;
    uint64_t line;   /* physical line the record starts on (first line = 1),
                        counting newlines inside quoted fields */
    uint64_t offset; /* byte offset of the record's first byte in the
                        (decompressed) input */
    cl_record_status status;
    size_t bad_column;          /* 1-based field number of the problem, or 0 */
    uint64_t bad_line;          /* physical line of the problem, or 0: of the bad
                                   byte for BAD_UTF8, NUL_BYTE and the stray line
                                   ends, of the opening quote for
                                   UNTERMINATED_QUOTE, of the marker for
                                   AFTER_END_MARKER, of the field's start otherwise */
    unsigned char bad_bytes[4]; /* BAD_UTF8, NUL_BYTE: the invalid sequence, as
                                   far as it was read */
    size_t nbad_bytes;
} cl_record;

/*
 * Open path (NULL or "-": standard input). opts may be NULL for defaults.
 * Returns 0 and *out, or a negative CL_E* code; on failure *out is NULL and
 * the message is in errbuf (which may be NULL).
 */
int cl_reader_open(cl_reader **out, const char *path, const cl_reader_opts *opts,
                   char *errbuf, size_t errlen);

/*
 * The next record into *rec. Returns 1 for a record (check rec->status),
 * 0 at the end of the input, or a negative CL_E* code for unreadable input;
 * then cl_reader_error() says what, naming the file and the offset.
 * A blank line is a record, as COPY reads it: one empty unquoted field.
 */
int cl_reader_next(cl_reader *r, cl_record *rec);

/* Human-readable description of the last fatal error; borrowed. */
const char *cl_reader_error(const cl_reader *r);

/* Size of the input file in bytes (compressed for gzip), 0 when unknown. */
uint64_t cl_reader_input_size(const cl_reader *r);

/* Bytes of the input consumed so far (compressed bytes for gzip): progress. */
uint64_t cl_reader_input_pos(const cl_reader *r);

/* Decompressed bytes consumed so far (equal to input_pos for plain input). */
uint64_t cl_reader_data_pos(const cl_reader *r);

bool cl_reader_is_gzip(const cl_reader *r);

/* Close the input (not standard input) and free everything. NULL is a no-op. */
void cl_reader_close(cl_reader *r);

/* A short description of a record status ("invalid UTF-8", ...). */
const char *cl_record_status_str(cl_record_status s);

/*
 * What is wrong with rec, a record r returned, in PostgreSQL's words where COPY
 * has some ("unterminated CSV quoted field", "invalid byte sequence for
 * encoding \"UTF8\": 0xc3 0x28", ...), after the line and column of the
 * problem ("line 3, column 2: ..."); into buf. Returns buf.
 */
char *cl_reader_problem(const cl_reader *r, const cl_record *rec, char *buf,
                        size_t len);

#endif
