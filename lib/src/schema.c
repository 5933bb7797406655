/* lib/src/schema.c - placeholder until its module lands. */
