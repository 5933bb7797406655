/*
 * lib/src/session_time.h - values that depend on the session's TimeZone: a
 * timestamp without time zone that the server fills from its clock. Private
 * to the library.
 */
#ifndef CRDBLOAD_SESSION_TIME_H
#define CRDBLOAD_SESSION_TIME_H

#include <libpq-fe.h>
#include <stdbool.h>

#include "crdbload/crdbload.h"
#include "plan.h"
#include "schema.h"

/* A timestamp without time zone: a value the server computes from its clock
 * (now(), CURRENT_TIMESTAMP) lands in it as wall time in the session's
 * TimeZone, which Prisma and most ORMs then read as UTC. */
bool cl_column_is_local_timestamp(const cl_column *c);

/* True when the SQL text expr reads the clock (now(), CURRENT_TIMESTAMP,
 * localtimestamp, ...) without AT TIME ZONE or timezone() pinning the zone:
 * stored in a timestamp without time zone, its value depends on the
 * session's TimeZone. A textual test, meant for warnings. */
bool cl_expr_uses_session_time(const char *expr);

/* A timestamp without time zone that the server fills from its clock (the
 * column's DEFAULT CURRENT_TIMESTAMP, or a --default/--set now()) gets wall
 * time in the session's TimeZone: Prisma's createdAt, read back as UTC, is
 * off by the zone's offset. A warning for each such column p does not send
 * from the file: in a dry run always, in a run only when the session is not
 * on UTC (then the values are shifted). Asks conn for its TimeZone. */
void cl_warn_session_time(PGconn *conn, const cl_config *cfg, const cl_table *t,
                          const cl_plan *p);

#endif
