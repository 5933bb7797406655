/*
 * lib/src/test_hooks.h - switches only tests and fuzzers call, to reach a
 * path the public behaviour picks by itself. Declared here once, defined
 * beside what they switch.
 */
#ifndef CRDBLOAD_TEST_HOOKS_H
#define CRDBLOAD_TEST_HOOKS_H

#include <stdbool.h>

#include "reader.h"

/* Off: r parses every line byte by byte (csvparse.c's slow path), so that a
 * test can compare it with the fast path on the same input. reader.c. */
void cl__reader_set_fast_path(cl_reader *r, bool on);

#endif
