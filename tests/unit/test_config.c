/*
 * tests/unit/test_config.c - cl_config_check(): the rules between options
 * the library checks before a run (and the CLI calls before anything else).
 */
#include "crdbload/crdbload.h"

#include "testutil.h"

static const char *
check(const cl_config *cfg)
{
    static char err[512];

    err[0] = '\0';
    if (cl_config_check(cfg, err, sizeof err) != CL_ECONFIG)
        return "(accepted)";
    return err;
}

int
main(void)
{
    cl_config cfg;
    const char *two_stdin[] = {"a.csv", "-", "b.csv", "-"};
    const char *one_stdin[] = {"a.csv", "-"};
    const cl_assign updated_at = {"updated_at", "now()"}, id = {"id", "1"},
                    quoted = {"a\"b", "1"};

    cl_config_init(&cfg);
    CHECK_EQ_INT(cl_config_check(&cfg, NULL, 0), 0); /* the defaults pass */

    cfg.delimiter = '"';
    CHECK_EQ_STR(check(&cfg), "--delimiter and --quote must be different");
    cfg.delimiter = '\n';
    CHECK_EQ_STR(check(&cfg), "--delimiter cannot be newline or carriage return");
    cfg.delimiter = ',';
    cfg.quote = '\r';
    CHECK_EQ_STR(check(&cfg), "--quote cannot be newline or carriage return");
    cfg.quote = '\'';
    CHECK_EQ_STR(check(&cfg), "(accepted)");

    cfg.files = two_stdin;
    cfg.nfiles = 4;
    CHECK_EQ_STR(check(&cfg), "standard input (\"-\") can be given only once");
    cfg.files = one_stdin;
    cfg.nfiles = 2;
    CHECK_EQ_STR(check(&cfg), "(accepted)");

    cfg.sets[0] = cfg.sets[1] = updated_at;
    cfg.nsets = 2;
    CHECK_EQ_STR(check(&cfg),
                 "column \"updated_at\" is given more than once in --set/--default");
    cfg.nsets = 1;
    CHECK_EQ_STR(check(&cfg), "(accepted)");
    cfg.sets[0] = cfg.defaults[0] = id;
    cfg.ndefaults = 1;
    CHECK_EQ_STR(check(&cfg),
                 "column \"id\" is given more than once in --set/--default");
    cfg.sets[0] = cfg.sets[1] = quoted;
    cfg.nsets = 2;
    cfg.ndefaults = 0;
    CHECK_EQ_STR(check(&cfg),
                 "column \"a\"\"b\" is given more than once in --set/--default");
    return TEST_REPORT();
}
