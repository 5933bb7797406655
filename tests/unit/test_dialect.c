/*
 * tests/unit/test_dialect.c - which dialect a run uses (lib/src/schema.c
 * cl_dialect_resolve): --dialect wins; under auto, CockroachDB exactly when
 * the server reported the crdb_version parameter status. And the names the
 * summary, its JSON and --dry-run print. No server needed: PostgreSQL cannot
 * report crdb_version, so this is where auto -> cockroach is pinned. Also
 * the statement form, which the dialect decides under auto, and its names.
 */
#include "crdbload/crdbload.h"
#include "schema.h"

#include "testutil.h"

static void
test_resolve(void)
{
    /* auto: PQparameterStatus() is NULL for a parameter never reported */
    CHECK_EQ_INT(cl_dialect_resolve(CL_DIALECT_AUTO, NULL), CL_DIALECT_POSTGRES);
    CHECK_EQ_INT(cl_dialect_resolve(CL_DIALECT_AUTO, "v24.3.1"), CL_DIALECT_COCKROACH);
    CHECK_EQ_INT(cl_dialect_resolve(CL_DIALECT_AUTO,
                                    "CockroachDB CCL v23.1.11 (x86_64-pc-linux-gnu)"),
                 CL_DIALECT_COCKROACH);
    /* reported at all is what counts, not its text */
    CHECK_EQ_INT(cl_dialect_resolve(CL_DIALECT_AUTO, ""), CL_DIALECT_COCKROACH);

    /* an explicit --dialect overrides what the server says, both ways */
    CHECK_EQ_INT(cl_dialect_resolve(CL_DIALECT_COCKROACH, NULL), CL_DIALECT_COCKROACH);
    CHECK_EQ_INT(cl_dialect_resolve(CL_DIALECT_POSTGRES, "v24.3.1"),
                 CL_DIALECT_POSTGRES);
    CHECK_EQ_INT(cl_dialect_resolve(CL_DIALECT_POSTGRES, NULL), CL_DIALECT_POSTGRES);
    CHECK_EQ_INT(cl_dialect_resolve(CL_DIALECT_COCKROACH, "v24.3.1"),
                 CL_DIALECT_COCKROACH);
}

static void
test_names(void)
{
    /* as the summary ("dialect cockroach") and its JSON ("dialect":"cockroach") say */
    CHECK_EQ_STR(cl_dialect_name(CL_DIALECT_POSTGRES), "postgres");
    CHECK_EQ_STR(cl_dialect_name(CL_DIALECT_COCKROACH), "cockroach");
    CHECK_EQ_STR(cl_dialect_name(cl_dialect_resolve(CL_DIALECT_AUTO, NULL)),
                 "postgres");
    CHECK_EQ_STR(cl_dialect_name(cl_dialect_resolve(CL_DIALECT_AUTO, "v24.3.1")),
                 "cockroach");
}

/* The default form is auto (SPEC.md), resolved with the dialect; -j is the
 * same on both servers (README, "On CockroachDB"). */
static void
test_default_form(void)
{
    cl_config cfg;

    cl_config_init(&cfg);
    CHECK_EQ_INT(cfg.workers, CL_DEFAULT_WORKERS);
    CHECK_EQ_INT(cfg.statement_form, CL_FORM_AUTO);
    CHECK_EQ_STR(cl_stmt_form_name(CL_FORM_UNNEST), "unnest");
    CHECK_EQ_STR(cl_stmt_form_name(CL_FORM_VALUES), "values");
}

int
main(void)
{
    test_resolve();
    test_names();
    test_default_form();
    return TEST_REPORT();
}
