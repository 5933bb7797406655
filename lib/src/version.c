/* lib/src/version.c - the library's version (crdbload.h). */
#include "crdbload/crdbload.h"

#ifndef CRDBLOAD_VERSION
#error "CRDBLOAD_VERSION must be defined by the build (CMakeLists.txt)"
#endif

const char *
cl_version(void)
{
    return CRDBLOAD_VERSION;
}
