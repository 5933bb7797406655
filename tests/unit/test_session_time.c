/*
 * tests/unit/test_session_time.c - which columns and expressions make a
 * value depend on the session's TimeZone (lib/src/session_time.c
 * cl_column_is_local_timestamp, cl_expr_uses_session_time), the test behind
 * the dry run's warning for Prisma's createdAt. The defaults as PostgreSQL 15
 * and CockroachDB v21.1 print them (pg_get_expr) are taken from those servers.
 */
#include "session_time.h"

#include "testutil.h"

static void
test_columns(void)
{
    cl_column c = {0};

    c.kind = CL_TYPE_TIMESTAMP;
    c.type_name = (char *)"timestamp(3) without time zone"; /* PostgreSQL */
    CHECK(cl_column_is_local_timestamp(&c));
    c.type_name = (char *)"timestamp without time zone"; /* CockroachDB drops the (3) */
    CHECK(cl_column_is_local_timestamp(&c));
    c.type_name = (char *)"timestamp with time zone";
    CHECK(!cl_column_is_local_timestamp(&c));
    c.kind = CL_TYPE_DATE;
    c.type_name = (char *)"date";
    CHECK(!cl_column_is_local_timestamp(&c));
}

static void
test_expressions(void)
{
    /* column defaults as the servers print them */
    CHECK(cl_expr_uses_session_time("CURRENT_TIMESTAMP"));   /* PostgreSQL */
    CHECK(cl_expr_uses_session_time("current_timestamp()")); /* CockroachDB */
    CHECK(cl_expr_uses_session_time("now()"));
    CHECK(cl_expr_uses_session_time("LOCALTIMESTAMP"));
    CHECK(cl_expr_uses_session_time("(now())::timestamp(3) without time zone"));
    CHECK(cl_expr_uses_session_time("statement_timestamp()"));
    CHECK(cl_expr_uses_session_time("clock_timestamp()"));
    CHECK(cl_expr_uses_session_time("transaction_timestamp()"));
    /* the zone pinned: the recipe, and its spellings on the servers */
    CHECK(!cl_expr_uses_session_time("(now() AT TIME ZONE 'UTC')"));
    CHECK(!cl_expr_uses_session_time("timezone('UTC'::text, now())"));
    CHECK(!cl_expr_uses_session_time(
        "timezone('UTC':::STRING, current_timestamp():::TIMESTAMPTZ)"));
    /* no clock at all */
    CHECK(!cl_expr_uses_session_time(
        "'2024-01-01 00:00:00'::timestamp without time zone"));
    CHECK(!cl_expr_uses_session_time("gen_random_uuid()::text"));
    CHECK(!cl_expr_uses_session_time(""));
}

int
main(void)
{
    test_columns();
    test_expressions();
    return TEST_REPORT();
}
