/* lib/src/batch.c - placeholder until its module lands. */
