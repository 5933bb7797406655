/*
 * tests/unit/test_log.c - the library's messages reach the caller's function
 * (log.c): one call a message, with its level, primary text, detail and
 * hint in their fields (also from an err buffer cl_errf_detail() wrote);
 * nowhere without a route; whole when long.
 */
#include "crdbload/crdbload.h"
#include "log.h"
#include "util.h"

#include "testutil.h"

#include <stdlib.h>
#include <string.h>

typedef struct seen {
    int calls;
    cl_log_level level;
    char primary[8192], detail[256], hint[256];
    bool has_detail, has_hint;
} seen;

static void
keep(void *arg, const cl_message *m)
{
    seen *s = arg;

    s->calls++;
    s->level = m->level;
    snprintf(s->primary, sizeof s->primary, "%s", m->primary);
    s->has_detail = m->detail != NULL;
    s->has_hint = m->hint != NULL;
    snprintf(s->detail, sizeof s->detail, "%s", m->detail ? m->detail : "");
    snprintf(s->hint, sizeof s->hint, "%s", m->hint ? m->hint : "");
}

int
main(void)
{
    seen s = {0};
    char *longtext;

    /* no route: dropped, and nothing else happens */
    cl_log(CL_LOG_ERROR, "lost %d", 1);

    cl_log_route(keep, &s);
    cl_log(CL_LOG_WARNING, "row %d rejected", 3);
    CHECK_EQ_INT(s.calls, 1);
    CHECK_EQ_INT(s.level, CL_LOG_WARNING);
    CHECK_EQ_STR(s.primary, "row 3 rejected");
    CHECK(!s.has_detail && !s.has_hint);

    cl_log_detail(CL_LOG_ERROR, "All inputs must match.", "header of %s differs",
                  "b.csv");
    CHECK_EQ_INT(s.calls, 2);
    CHECK_EQ_STR(s.primary, "header of b.csv differs");
    CHECK_EQ_STR(s.detail, "All inputs must match.");
    CHECK(!s.has_hint);

    cl_log_hint(CL_LOG_ERROR, "Lower -j.", "too many connections");
    CHECK_EQ_STR(s.hint, "Lower -j.");
    CHECK(!s.has_detail);

    /* an err buffer's text: its detail and hint become fields */
    cl_log(CL_LOG_ERROR, "%s",
           "batch failed: 23505: dup\nDetail: Key (sku)=(A) exists.\n"
           "Hint: Check the key.");
    CHECK_EQ_STR(s.primary, "batch failed: 23505: dup");
    CHECK_EQ_STR(s.detail, "Key (sku)=(A) exists.");
    CHECK_EQ_STR(s.hint, "Check the key.");
    cl_log(CL_LOG_ERROR, "%s", "unknown column\nHint: Use --columns.");
    CHECK_EQ_STR(s.primary, "unknown column");
    CHECK(!s.has_detail);
    CHECK_EQ_STR(s.hint, "Use --columns.");

    /* what cl_errf_detail() writes is what log.c splits */
    char err[128];
    CHECK_EQ_INT(cl_errf_detail(CL_ECONFIG, err, sizeof err, "The facts.", "Do this.",
                                "%s failed", "it"),
                 CL_ECONFIG);
    cl_log(CL_LOG_ERROR, "%s", err);
    CHECK_EQ_STR(s.primary, "it failed");
    CHECK_EQ_STR(s.detail, "The facts.");
    CHECK_EQ_STR(s.hint, "Do this.");
    cl_errf_detail(CL_ECONFIG, err, sizeof err, NULL, "Do this.", "it failed");
    CHECK_EQ_STR(err, "it failed\nHint: Do this.");
    cl_errf_detail(CL_ECONFIG, err, 8, "The facts.", "Do this.", "it failed");
    CHECK_EQ_STR(err, "it fail"); /* cut short, never past the buffer */

    /* a report is shown as it is */
    cl_log(CL_LOG_REPORT, "dry run: the statement:\n%s", "SELECT '\nDetail: x'");
    CHECK_EQ_INT(s.level, CL_LOG_REPORT);
    CHECK_EQ_STR(s.primary, "dry run: the statement:\nSELECT '\nDetail: x'");
    CHECK(!s.has_detail);

    /* longer than the stack buffer: whole */
    longtext = malloc(6001);
    CHECK(longtext != NULL);
    if (longtext) {
        memset(longtext, 'x', 6000);
        longtext[6000] = '\0';
        cl_log(CL_LOG_REPORT, "%s!", longtext);
        CHECK_EQ_INT(strlen(s.primary), 6001);
        CHECK_EQ_INT(s.primary[6000], '!');
        free(longtext);
    }

    cl_log_route(NULL, NULL);
    int before = s.calls;
    cl_log(CL_LOG_ERROR, "after the run");
    CHECK_EQ_INT(s.calls, before);
    return TEST_REPORT();
}
