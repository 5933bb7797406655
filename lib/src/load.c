/* lib/src/load.c - placeholder until its module lands. */
