/* lib/src/retry.c - placeholder until its module lands. */
