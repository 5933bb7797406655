/* lib/src/validate.c - placeholder until its module lands. */
