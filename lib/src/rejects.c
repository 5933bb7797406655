/* lib/src/rejects.c - placeholder until its module lands. */
