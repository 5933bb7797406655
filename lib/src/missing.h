/*
 * lib/src/missing.h - private: --missing, the rows of the table whose key
 * does not occur in the feed (SPEC.md, "Catalog sync").
 *
 * The keys seen never live in crdbload's memory: while the load runs, the
 * loader hands every key it reads to cl_missing_add(), which streams it
 * (COPY, in chunks) into a temporary table on a connection of its own. After
 * a run that read every input to its end, cl_missing_apply() finds the
 * table's rows whose key is not in that set (an anti-join on the server),
 * checks the guard, and deletes or updates them in batches of bounded size,
 * each its own transaction (CockroachDB limits what one statement may
 * change). Temporary tables vanish with the session: nothing is left on the
 * server, whatever happens.
 */
#ifndef CRDBLOAD_MISSING_H
#define CRDBLOAD_MISSING_H

#include <libpq-fe.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crdbload/crdbload.h"
#include "plan.h"
#include "reader.h"
#include "schema.h"

typedef struct cl_missing cl_missing;

typedef struct cl_missing_opts {
    const cl_table *table;
    const cl_plan *plan;            /* its key columns: key_fields, nkeys */
    const char *const *field_names; /* the input fields' columns (the plan's) */
    const cl_config
        *cfg; /* missing, missing_sets, missing_where, max_missing*, dry_run */
    cl_dialect dialect; /* resolved */
    atomic_bool *stop;  /* polled between batches */
} cl_missing_opts;

typedef struct cl_missing_result {
    uint64_t covered; /* rows of the table --missing-where covers (key not NULL) */
    uint64_t missing; /* of them, those whose key the feed lacks */
    uint64_t limit;   /* the most --max-missing allows */
    uint64_t changed; /* deleted or updated (0 in a dry run) */
    bool refused;     /* missing > limit: nothing was changed */
} cl_missing_result;

/*
 * Take conn (closed by cl_missing_free, whatever happens), create the
 * temporary tables, check --missing-where and --missing-set against the
 * table (prepared, not run) and start streaming keys. Returns 0; CL_ECONFIG
 * with the server's reason when the SQL given does not fit the table;
 * CL_EDB or CL_ENOMEM otherwise. *out is set in every case.
 */
int cl_missing_open(cl_missing **out, PGconn *conn, const cl_missing_opts *o, char *err,
                    size_t errlen);

/*
 * The key of a record read (rejected, merged, skipped by a checkpoint
 * resume: any record). A key that cannot be read (a field absent or NULL)
 * or is not a valid value of its column (so no row of the table has it) is
 * passed over. A failure of the stream is kept for cl_missing_apply() to
 * report: the load goes on.
 */
void cl_missing_add(cl_missing *m, const cl_record *rec);

/*
 * After a load that read every input to its end: find the missing rows,
 * check the guard, and (unless dry run or refused) delete or update them.
 * 0 (also when refused: see r->refused); CL_EINTERRUPTED when stop was set
 * (rows changed so far are in r->changed); CL_EDB, CL_ENOMEM with err.
 */
int cl_missing_apply(cl_missing *m, cl_missing_result *r, char *err, size_t errlen);

/*
 * A run's --missing, its messages logged: cl_missing_open() (a rejected
 * --missing-where or --missing-set is exit 2) and st->missing set. The
 * return codes of cl_missing_open().
 */
int cl_missing_start(cl_missing **out, PGconn *conn, const cl_missing_opts *o,
                     cl_stats *st);

/*
 * After a run that read every input to its end: cl_missing_apply(), the
 * outcome logged and counted in st->rows_missing. 0; CL_EREJECTS when the
 * guard refused (nothing changed); its other codes (exit 3).
 */
int cl_missing_settle(cl_missing *m, cl_stats *st);

void cl_missing_free(cl_missing *m);

#endif
