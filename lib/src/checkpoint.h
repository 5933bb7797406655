/*
 * crdbload/checkpoint.h - --checkpoint FILE: where a rerun may resume.
 *
 * A checkpoint holds one position, (input file index, record ordinal), such
 * that every record before it is settled in the table (committed, rejected
 * or merged into a committed row). The ordinal counts the records of that
 * input, header excluded, blank lines not counted, exactly as the reader
 * returns them; a rerun re-parses the records before the position and sends
 * none of them.
 *
 * With it go the identity of every input (path, size, mtime, SHA-256 of its
 * first 64 KiB: raw bytes, so compressed bytes for gzip) and a settings line
 * from the loader (table, header, delimiter, quote: whatever changes how
 * ordinals map to rows). A rerun whose inputs or settings differ is refused.
 *
 * Saves are durable: write FILE.tmp, fsync it, rename it over FILE, fsync
 * the directory. A crash at any point leaves either the old or the new
 * checkpoint, never a torn one. A background thread saves every interval
 * when the position has moved; the loader saves once more at the end of an
 * aborted run and removes the file after a successful one.
 *
 * One run per checkpoint. cl_ckpt_open() locks FILE.lock (beside FILE,
 * which saves replace) until cl_ckpt_free(), which removes it; a second run
 * with the same FILE is refused (CL_ECONFIG) naming the holder's process.
 *
 * Resuming and --rejects. The rerun appends to the rejects file (its header
 * only if the file is empty): the rows rejected before the position are not
 * read again, so truncating would lose them. Records at or after the
 * position are read again, so a row the earlier run rejected there (a
 * client-side reject is written at once, while the position waits for the
 * batches around it) is listed a second time, with the same line: dedupe on
 * "line" if that matters. The rejects file is fsynced before each save, so
 * a checkpoint never counts a reject the disk does not hold.
 *
 * The format is text, one item a line, version 1:
 *
 *   crdbload-checkpoint 1
 *   settings <the loader's settings line>
 *   position <file index> <record ordinal>
 *   inputs <n>
 *   input <i> <size> <mtime s.ns> <sha256 hex> <path, \ and newline escaped>
 */
#ifndef CRDBLOAD_CHECKPOINT_H
#define CRDBLOAD_CHECKPOINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CL_CKPT_HASH_BYTES (64u * 1024) /* head of each input that is hashed */

typedef struct cl_ckpt_pos {
    size_t file;     /* index of the input in the run's file list */
    uint64_t record; /* records of that input before the position */
} cl_ckpt_pos;

typedef struct cl_ckpt cl_ckpt;

/*
 * Take the identity of every input and read path if it exists. When it does,
 * it must name the same inputs and settings: then *found is true and *resume
 * the position to resume from; otherwise *found is false and *resume {0, 0}.
 * Returns 0; CL_ECONFIG with the reason in err when the checkpoint is for
 * other inputs or settings, is corrupt, is one of the inputs, cannot be
 * written (its directory), or is locked by another run; CL_EIO when an input cannot be
 * read; CL_ENOMEM. Nothing is written here.
 */
int cl_ckpt_open(cl_ckpt **out, const char *path, const char *const *inputs,
                 size_t ninputs, const char *settings, cl_ckpt_pos *resume, bool *found,
                 char *err, size_t errlen);

/* Save pos durably (thread-safe). 0, or CL_EIO with the reason in err. */
int cl_ckpt_save(cl_ckpt *c, cl_ckpt_pos pos, char *err, size_t errlen);

/* Remove the file (after a successful run) and sync the directory.
 * 0 (also when there was no file), or CL_EIO with the reason in err. */
int cl_ckpt_remove(cl_ckpt *c, char *err, size_t errlen);

/* The committed position, asked by the saver thread. Must be thread-safe
 * and must never report a position past an unsettled record. */
typedef cl_ckpt_pos (*cl_ckpt_position_fn)(void *ctx);

/*
 * Start the saver thread: every interval_s seconds it asks position() and
 * saves when the answer moved. A failed save is reported once (a warning)
 * and retried on the next tick: the file on disk stays a valid, older
 * checkpoint. 0 or CL_ENOMEM.
 */
int cl_ckpt_start(cl_ckpt *c, double interval_s, cl_ckpt_position_fn position,
                  void *ctx);

/* Stop the saver thread (no final save: the caller makes it). No-op when
 * not started. */
void cl_ckpt_stop(cl_ckpt *c);

/* The position last saved, or the resume position when none was saved. */
cl_ckpt_pos cl_ckpt_saved(cl_ckpt *c);

const char *cl_ckpt_path(const cl_ckpt *c);

/* Stop the thread if running and free; the file is left as it is. */
void cl_ckpt_free(cl_ckpt *c);

/* Lexicographic comparison: <0, 0, >0. */
int cl_ckpt_pos_cmp(cl_ckpt_pos a, cl_ckpt_pos b);

#endif
