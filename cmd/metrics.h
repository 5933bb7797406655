/*
 * cmd/metrics.h - --metrics-file: the run's figures in the Prometheus text
 * exposition format, for node_exporter's textfile collector.
 */
#ifndef CRDBLOAD_CMD_METRICS_H
#define CRDBLOAD_CMD_METRICS_H

#include <stdbool.h>

#include "crdbload/crdbload.h"

/*
 * Before the run: the directory of path must take a temporary file (the
 * file is replaced by a rename from there at the end). Reports a failure
 * through cli_log() and returns false.
 */
bool metrics_check_path(const char *path);

/*
 * At the end of a run that ended with exit_status (0..3): write the figures
 * of *s to a temporary file in path's directory, fsync it and rename it over
 * path, so that a reader sees the previous file or this one, never a part.
 * A value that outlives one run (the last success, the run counts) is
 * carried over from the previous file at path. Reports a failure through
 * cli_log() and returns false; path is then left as it was.
 */
bool metrics_write(const char *path, const cl_config *cfg, cl_stats *s,
                   int exit_status);

#endif
