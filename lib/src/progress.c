/* lib/src/progress.c - placeholder until its module lands. */
