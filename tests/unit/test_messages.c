/*
 * tests/unit/test_messages.c - how messages show identifiers (error.h,
 * cl_quote_ident): in double quotes, a quote inside doubled, so that a name
 * with quotes, commas or blanks reads as one name.
 */
#include "crdbload/crdbload.h"
#include "error.h"

#include "testutil.h"

#include <string.h>

int
main(void)
{
    char buf[64];

    CHECK_EQ_STR(cl_quote_ident(buf, sizeof buf, "sku"), "\"sku\"");
    CHECK_EQ_STR(cl_quote_ident(buf, sizeof buf, "name \"x\" , y"),
                 "\"name \"\"x\"\" , y\"");
    CHECK_EQ_STR(cl_quote_ident(buf, sizeof buf, ""), "\"\"");
    CHECK_EQ_STR(cl_quote_ident(buf, sizeof buf, "\""), "\"\"\"\"");
    /* Cut short to fit, and said so; never a quote left half doubled. */
    CHECK_EQ_STR(cl_quote_ident(buf, 12, "abcdefghijklmnop"), "\"abcdef...\"");
    CHECK_EQ_STR(cl_quote_ident(buf, 12, "abcde\"\"\"\"\"\"\"\""), "\"abcde...\"");
    CHECK_EQ_INT(strlen(cl_quote_ident(buf, 12, "abcdefghijklmnop")), 11);
    CHECK_EQ_STR(cl_quote_ident(buf, 3, "abc"), "");
    /* One buffer an argument, for one message. */
    char msg[128];
    snprintf(msg, sizeof msg, "column %s and column %s", CL_IDENT("a\"b"),
             CL_IDENT("c"));
    CHECK_EQ_STR(msg, "column \"a\"\"b\" and column \"c\"");
    return TEST_REPORT();
}
