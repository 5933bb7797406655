/* lib/src/stats.c - placeholder until its module lands. */
