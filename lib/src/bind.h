/*
 * lib/src/bind.h - a batch's rows as the parameters of the statement the
 * plan writes for them (plan.h: the text, cl_plan_sql()). Private to the
 * library.
 *
 * The only place that knows both the plan and the batch: the plan says which
 * field goes to which parameter and in which form, the batch holds the
 * values. Values only ever travel as parameters.
 */
#ifndef CRDBLOAD_BIND_H
#define CRDBLOAD_BIND_H

#include <stddef.h>

#include "batch.h"
#include "plan.h"

/* Parameters for rows [first, first+nrows) of a batch; reused across calls. */
typedef struct cl_bind {
    int nparams;
    const char **values; /* NULL entries are SQL NULLs */
    int *lengths;
    char *buf; /* array literals (CL_FORM_UNNEST) */
    size_t bufcap;
    size_t cap; /* capacity of values/lengths */
} cl_bind;

/* Fill bind for rows [first, first+nrows) of b. 0 or CL_ENOMEM. Borrowed
 * pointers into b stay valid until b changes. */
int cl_plan_bind(const cl_plan *p, const cl_batch *b, size_t first, size_t nrows,
                 cl_bind *bind);
void cl_bind_free(cl_bind *bind);

#endif
