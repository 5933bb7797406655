/*
 * cmd/args.h - argv -> struct cl_config (getopt_long, strict numbers, one
 * place for the checks of option combinations).
 */
#ifndef CRDBLOAD_CMD_ARGS_H
#define CRDBLOAD_CMD_ARGS_H

#include <stddef.h>

#include "crdbload/crdbload.h"

typedef enum args_status {
    ARGS_RUN = 0, /* *cfg is filled and checked: go on with the run */
    ARGS_DONE,    /* --help or --version was printed on stdout: exit 0 */
    ARGS_USAGE,   /* a usage error was reported through cli_log(): exit 2 */
} args_status;

/*
 * Fill *cfg from the command line: cl_config_init() defaults, then the
 * options in order (the last one wins, except --set/--default, which add
 * up), then $DATABASE_URL when -d/--url is absent, then the checks of option
 * combinations. The strings in *cfg are borrowed from argv and the
 * environment, except the --set/--default column names, which args_free()
 * releases. getopt_long() may permute argv; cfg->files points into it.
 * On ARGS_USAGE the caller prints the "Try ..." line and exits 2.
 */
args_status args_parse(int argc, char **argv, cl_config *cfg);

/* Release what args_parse() allocated in *cfg. Safe after any result. */
void args_free(cl_config *cfg);

/*
 * Write n bytes as the shortest exact form that --batch-bytes accepts
 * ("8MiB", "64KiB", "1000"). Returns buf.
 */
const char *args_format_bytes(unsigned long long n, char *buf, size_t len);

#endif
