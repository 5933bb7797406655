/*
 * cmd/help.h - the --help text, --version and the "Try ..." line.
 */
#ifndef CRDBLOAD_CMD_HELP_H
#define CRDBLOAD_CMD_HELP_H

#include <stdio.h>

/* The --help text (stdout in the CLI). */
void help_usage(FILE *f);

/* "crdbload X.Y.Z" (stdout in the CLI). */
void help_version(FILE *f);

/* After a usage error: Try "crdbload --help" for more information. (stderr) */
void help_try(void);

#endif
