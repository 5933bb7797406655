/*
 * cmd/message.h - messages on stderr, in PostgreSQL's style:
 *   crdbload: error: could not open file "x.csv": No such file or directory
 *   Detail: ...
 *   Hint: ...
 * The library's (message_print, its cl_message_fn) and the CLI's own
 * (cli_log...). Thread-safe: one locked write a message.
 */
#ifndef CMD_MESSAGE_H
#define CMD_MESSAGE_H

#include <stdbool.h>

#include "crdbload/crdbload.h"

/* --quiet: errors only (and what was asked for, such as --dry-run's
 * statement); no warnings, no notes. */
void message_set_quiet(bool quiet);

/* A cl_message_fn: print m (arg unused). */
void message_print(void *arg, const cl_message *m);

void cli_log(cl_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The same, then "Detail: ..." (the facts) on its own line. */
void cli_log_detail(cl_log_level level, const char *detail, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
