/*
 * lib/src/transcode.h - private: --encoding, the input's character set
 * converted to UTF-8 while streaming (iconv), between decompression and the
 * CSV parser (reader.c).
 *
 * The parser then sees UTF-8 only: line numbers count the converted text's
 * line ends, which are the input's; byte positions of the input (progress,
 * bytes_read) stay those of the raw bytes, counted before this stage.
 *
 * The bytes of an invalid or incomplete sequence pass through unconverted
 * (an ASCII one as 0xFF): a byte from 0x80 up followed by UTF-8 is never
 * valid UTF-8, so the reader flags the field that holds it (CL_REC_BAD_UTF8,
 * with its line and column), the row is rejected, not the input, and the
 * rejects file shows the input's bytes.
 */
#ifndef CRDBLOAD_TRANSCODE_H
#define CRDBLOAD_TRANSCODE_H

#include <stdbool.h>
#include <stddef.h>

typedef struct cl_transcode cl_transcode;

/*
 * The converter from encoding to UTF-8. PostgreSQL's names (LATIN1, WIN1252,
 * LATIN9, SJIS, EUC_JP, ... and their aliases, as PostgreSQL matches them:
 * case and punctuation ignored) and any name iconv knows are accepted. NULL,
 * or a name of UTF-8 itself: *out is NULL (nothing to convert) and 0 is
 * returned. CL_ECONFIG with the reason in err for a name neither knows;
 * CL_ENOMEM.
 */
int cl_transcode_open(cl_transcode **out, const char *encoding, char *err,
                      size_t errlen);

/* True for NULL and for the names of UTF-8 ("UTF8", "utf-8", "Unicode"). */
bool cl_transcode_is_utf8(const char *encoding);

/* Append n raw input bytes (copied). 0 or CL_ENOMEM. */
int cl_transcode_put(cl_transcode *t, const unsigned char *raw, size_t n);

/*
 * Convert the raw bytes put so far into out (at most cap bytes); returns the
 * bytes written. 0 with at_end false: every complete sequence is converted
 * (a partial one waits for the next put). at_end: the input ended, so a
 * partial sequence is invalid, and a stateful encoding is reset.
 */
size_t cl_transcode_get(cl_transcode *t, unsigned char *out, size_t cap, bool at_end);

void cl_transcode_free(cl_transcode *t);

#endif
