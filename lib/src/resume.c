/* lib/src/resume.c - a run's --checkpoint (resume.h). */
#include "resume.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "log.h"
#include "transcode.h"
#include "util.h"

#define CHECKPOINT_INTERVAL_S 1.0

struct cl_resume {
    const cl_config *cfg;
    const char *const *paths; /* the inputs, for messages */
    size_t npaths;
    cl_ckpt *ckpt;
    bool resuming;
    cl_ckpt_pos from;    /* records before it were settled by an earlier run */
    cl_ledger *ledger;   /* set by cl_resume_start() */
    cl_rejects *rejects; /* set by cl_resume_start() */
};

/* cl_ckpt_position_fn: the saver thread's, and the final save's. */
static cl_ckpt_pos
settled_position(void *ctx)
{
    cl_resume *r = ctx;
    cl_ckpt_pos pos;

    if (!r->ledger)
        return cl_ckpt_saved(r->ckpt);
    pos = cl_ledger_position(r->ledger);
    /* The rows rejected before pos are settled only once on disk: sync after
     * pos is taken, before the checkpoint that counts them is saved; if that
     * fails, the position stays where it was. */
    if (r->rejects && cl_rejects_sync(r->rejects) != 0)
        return cl_ckpt_saved(r->ckpt);
    return pos;
}

/*
 * The settings are what changes which row a record ordinal means, or where
 * it went.
 */
int
cl_resume_open(cl_resume **out, const cl_config *cfg, const char *const *paths,
               size_t npaths)
{
    char settings[1024], err[2048] = "";
    cl_resume *r;
    int rc;

    *out = NULL;
    if (!cfg->checkpoint_path)
        return 0;
    if (!(r = calloc(1, sizeof *r)))
        return cl_log_out_of_memory("--checkpoint");
    *r = (cl_resume){.cfg = cfg, .paths = paths, .npaths = npaths};
    *out = r;
    snprintf(settings, sizeof settings,
             "table=%s no_header=%d delimiter=%d quote=%d%s%s", cfg->table,
             cfg->no_header ? 1 : 0, (int)(unsigned char)cfg->delimiter,
             (int)(unsigned char)cfg->quote,
             /* an encoding changes which bytes end a record (UTF-16) */
             cl_transcode_is_utf8(cfg->encoding) ? "" : " encoding=",
             cl_transcode_is_utf8(cfg->encoding) ? "" : cfg->encoding);
    rc = cl_ckpt_open(&r->ckpt, cfg->checkpoint_path, paths, npaths, settings, &r->from,
                      &r->resuming, err, sizeof err);
    if (rc != 0) {
        cl_log(CL_LOG_ERROR, "%s", err[0] ? err : cl_strerror(rc));
        return rc == CL_ENOMEM ? rc : CL_ECONFIG;
    }
    if (r->resuming)
        cl_log(CL_LOG_INFO,
               "resuming from checkpoint \"%s\": the first %" PRIu64
               " records of %s%s were committed by an earlier run",
               cfg->checkpoint_path, r->from.record, cl_input_name(paths[r->from.file]),
               r->from.file > 0 ? " (and every earlier input)" : "");
    return 0;
}

cl_ckpt_pos
cl_resume_from(const cl_resume *r)
{
    return r ? r->from : (cl_ckpt_pos){0, 0};
}

bool
cl_resume_resuming(const cl_resume *r)
{
    return r && r->resuming;
}

int
cl_resume_save_first(cl_resume *r)
{
    char err[2048] = "";

    if (!r || r->cfg->dry_run)
        return 0;
    if (cl_ckpt_save(r->ckpt, cl_ckpt_saved(r->ckpt), err, sizeof err) != 0) {
        cl_log(CL_LOG_ERROR, "%s", err);
        return CL_ECONFIG;
    }
    return 0;
}

int
cl_resume_start(cl_resume *r, cl_ledger *ledger, cl_rejects *rejects)
{
    int rc;

    if (!r)
        return 0;
    r->ledger = ledger;
    r->rejects = rejects;
    rc = cl_ckpt_start(r->ckpt, CHECKPOINT_INTERVAL_S, settled_position, r);
    if (rc != 0)
        cl_log(CL_LOG_ERROR, "could not start the checkpoint thread");
    return rc;
}

void
cl_resume_settle(cl_resume *r, bool ok)
{
    char err[1024] = "";
    cl_ckpt_pos pos;

    if (!r)
        return;
    cl_ckpt_stop(r->ckpt);
    if (r->cfg->dry_run)
        return; /* writes nothing, the checkpoint included */
    if (ok) {
        if (cl_ckpt_remove(r->ckpt, err, sizeof err) != 0)
            cl_log(CL_LOG_WARNING, "%s", err);
        return;
    }
    pos = settled_position(r);
    if (cl_ckpt_save(r->ckpt, pos, err, sizeof err) != 0) {
        cl_log(CL_LOG_ERROR, "%s", err);
        pos = cl_ckpt_saved(r->ckpt); /* the older one on disk still holds */
    }
    cl_log(CL_LOG_INFO,
           "checkpoint \"%s\": the first %" PRIu64 " records of %s are committed; "
           "rerun with the same --checkpoint to resume",
           cl_ckpt_path(r->ckpt), pos.record,
           pos.file < r->npaths ? cl_input_name(r->paths[pos.file]) : "the last input");
}

void
cl_resume_free(cl_resume *r)
{
    if (!r)
        return;
    cl_ckpt_free(r->ckpt);
    free(r);
}
