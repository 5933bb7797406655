/*
 * lib/src/validate.h - the client-side check of a value against its column
 * (stage 2, before a row is sent). Private to the library.
 *
 * Conservative: it rejects only what the server would surely refuse.
 */
#ifndef CRDBLOAD_VALIDATE_H
#define CRDBLOAD_VALIDATE_H

#include <stddef.h>

#include "plan.h"
#include "reader.h"
#include "schema.h"

/*
 * One value against its column: NOT NULL, integer ranges, numeric precision
 * and scale, booleans, uuids, dates and timestamps, varchar length. Returns
 * 0, or -1 with the reason in why ("value 99999999999 out of range for
 * integer").
 */
int cl_validate_value(const cl_column *c, const char *v, size_t len, char *why,
                      size_t whylen);

/*
 * The same for a record of p->nfields fields: each value the plan sends
 * against its column, then the key, which may not be null (names: the
 * fields' names, for the message). 0, or -1 with why ("column 3
 * ("price"): ...").
 */
int cl_validate_record(const cl_plan *p, const cl_field *fields,
                       const char *const *names, char *why, size_t whylen);

#endif
