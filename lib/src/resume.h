/*
 * lib/src/resume.h - a run's --checkpoint: where it resumes, its saves while
 * the run goes, and its end (removed after success, else saved for a rerun).
 * Private to the library.
 *
 * checkpoint.c keeps the file (format, durable save, lock, the saver
 * thread); the ledger (ledger.c) says which position is safe to save; this
 * module ties them to a run: the settings that must match for a rerun to
 * resume, the position saved (the ledger's, once the rows rejected before it
 * are on disk), and the messages.
 */
#ifndef CRDBLOAD_RESUME_H
#define CRDBLOAD_RESUME_H

#include <stdbool.h>
#include <stddef.h>

#include "checkpoint.h"
#include "crdbload/crdbload.h"
#include "ledger.h"
#include "rejects.h"

typedef struct cl_resume cl_resume;

/*
 * Check cfg->checkpoint_path (none: *out is NULL) against these inputs and
 * settings, before anything is written: a checkpoint of another run is
 * exit 2. 0, or CL_ECONFIG or CL_ENOMEM, logged.
 */
int cl_resume_open(cl_resume **out, const cl_config *cfg, const char *const *paths,
                   size_t npaths);

/* The position resumed from: records before it were settled by an earlier
 * run ({0, 0}: none, also when r is NULL). */
cl_ckpt_pos cl_resume_from(const cl_resume *r);

/* True when a checkpoint was found, and the run resumes from it. */
bool cl_resume_resuming(const cl_resume *r);

/* Saved once before any row goes (not in a dry run): the file can be
 * written, and a kill from then on leaves a checkpoint. 0, or CL_ECONFIG
 * logged. */
int cl_resume_save_first(cl_resume *r);

/* Start saving, every second, the position the ledger says is settled;
 * rejects is synced before each save. 0, or an error logged. */
int cl_resume_start(cl_resume *r, cl_ledger *ledger, cl_rejects *rejects);

/* The end of the run: the file removed when ok, else saved at the settled
 * position for a rerun to resume from (not in a dry run), and said. */
void cl_resume_settle(cl_resume *r, bool ok);

/* Stop the saver thread if running and free; NULL is a no-op. First at
 * teardown: the thread asks the ledger and the rejects. */
void cl_resume_free(cl_resume *r);

#endif
