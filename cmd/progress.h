/*
 * cmd/progress.h - progress on stderr: a live bar on a terminal, a log line
 * every interval otherwise, or JSON lines (--progress).
 */
#ifndef CMD_PROGRESS_H
#define CMD_PROGRESS_H

#include "crdbload/crdbload.h"

/* Unless --quiet or --progress=none: resolve --progress=auto by whether
 * stderr is a terminal, and set cfg->on_progress to draw the snapshots. */
void progress_setup(cl_config *cfg);

/* With stderr locked (flockfile): blank the bar's line, if drawn, so that a
 * message starts on a clean line. */
void progress_blank_locked(void);

/* Blank the bar's line, if drawn: the run is over (the summary follows). */
void progress_clear(void);

#endif
