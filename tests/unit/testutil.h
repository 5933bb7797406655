/*
 * tests/unit/testutil.h - the unit tests' assertions (after libuv's task.h).
 * A failed check prints where and what, and the test exits 1 at the end;
 * TEST_REPORT() prints "N passed, M failed" and returns the exit status.
 */
#ifndef CRDBLOAD_TESTUTIL_H
#define CRDBLOAD_TESTUTIL_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static int tu_passed, tu_failed;

#define CHECK(cond)                                                                    \
    do {                                                                               \
        if (cond)                                                                      \
            tu_passed++;                                                               \
        else {                                                                         \
            tu_failed++;                                                               \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);   \
        }                                                                              \
    } while (0)

#define CHECK_EQ_INT(a, b)                                                             \
    do {                                                                               \
        long long tu_a = (long long)(a), tu_b = (long long)(b);                        \
        if (tu_a == tu_b)                                                              \
            tu_passed++;                                                               \
        else {                                                                         \
            tu_failed++;                                                               \
            fprintf(stderr, "%s:%d: %s == %s failed: %lld != %lld\n", __FILE__,        \
                    __LINE__, #a, #b, tu_a, tu_b);                                     \
        }                                                                              \
    } while (0)

#define CHECK_EQ_STR(a, b)                                                             \
    do {                                                                               \
        const char *tu_a = (a), *tu_b = (b);                                           \
        if (tu_a && tu_b && strcmp(tu_a, tu_b) == 0)                                   \
            tu_passed++;                                                               \
        else {                                                                         \
            tu_failed++;                                                               \
            fprintf(stderr,                                                            \
                    "%s:%d: %s == %s failed:\n  got:      %s\n  expected: %s\n",       \
                    __FILE__, __LINE__, #a, #b, tu_a ? tu_a : "(null)",                \
                    tu_b ? tu_b : "(null)");                                           \
        }                                                                              \
    } while (0)

#define CHECK_CONTAINS(hay, needle)                                                    \
    do {                                                                               \
        const char *tu_h = (hay), *tu_n = (needle);                                    \
        if (tu_h && strstr(tu_h, tu_n))                                                \
            tu_passed++;                                                               \
        else {                                                                         \
            tu_failed++;                                                               \
            fprintf(stderr, "%s:%d: \"%s\" does not contain \"%s\"\n", __FILE__,       \
                    __LINE__, tu_h ? tu_h : "(null)", tu_n);                           \
        }                                                                              \
    } while (0)

/* Print the closing line CTest logs and return main's exit status. A test
 * that checked nothing fails: it proved nothing. */
#define TEST_REPORT()                                                                  \
    (printf("%d passed, %d failed\n", tu_passed, tu_failed),                           \
     (tu_failed == 0 && tu_passed > 0) ? 0 : 1)

#endif
