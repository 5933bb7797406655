/*
 * tests/harness/uses_library.c - a program that links the whole loader
 * through the installed headers and crdbload.pc (tests/cli/install.sh for
 * cmake --install, tests/package/deb.sh for crdbload-dev). Prints
 * "CL_EIO <default workers>".
 */
#include <stdio.h>

#include <crdbload/crdbload.h>

int
main(int argc, char **argv)
{
    cl_config cfg;
    cl_stats st;

    (void)argv;
    cl_config_init(&cfg);
    cl_stats_init(&st);
    if (argc > 1) /* never: only linked, so that every module is pulled in */
        return (int)cl_load_run(&cfg, &st, NULL);
    printf("%s %d\n", cl_err_name(CL_EIO), cfg.workers);
    return 0;
}
