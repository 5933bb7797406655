/*
 * lib/src/retry.c - sorting database errors into what the pool does next
 * (send again, reconnect, split the batch, give up), and the backoff between
 * tries.
 *
 * Classify first, decide second, as pgbench does: the SQLSTATE decides where
 * there is one; CockroachDB's retry texts and libpq's lost-connection texts
 * decide where there is none.
 */
#include "retry.h"

#include <string.h>

static bool
has(const char *s, const char *needle)
{
    return s && strstr(s, needle) != NULL;
}

/* CockroachDB's transaction retry errors, recognised by their text because a
 * proxy or an old driver path may hand them over without 40001. */
static bool
crdb_retry_text(const char *message)
{
    return has(message, "restart transaction") ||
           has(message, "TransactionRetryWithProtoRefreshError") ||
           has(message, "TransactionRetryError");
}

/* CockroachDB's Raft command size limit (kv.raft.command.max_size, 64 MiB),
 * XXUUU "command is too large: N bytes (max: M)": the rows written by one
 * statement are over it. Halves may fit; a row that alone does not is the
 * row's fault. */
static bool
crdb_command_too_large(const char *message)
{
    return has(message, "command is too large");
}

/* A statement over the server's message size limit: CockroachDB says
 * "message size 17 MiB bigger than maximum allowed message size 16 MiB"
 * (08P01 now, 54000 in older releases) and may close the connection.
 * Sending it again can never work. */
static bool
too_large_text(const char *message)
{
    return (has(message, "too large") && !crdb_command_too_large(message)) ||
           has(message, "bigger than maximum allowed message size");
}

/*
 * SQLSTATEs one row can cause, whatever the rest of the batch: the batch is
 * split until the row is alone, and rejected. Besides classes 22 and 23:
 * 21000, a row touched twice by one statement; 44000, a row outside a view's
 * WITH CHECK OPTION; 54000, a value too large for an index ("index row size
 * 9016 exceeds btree version 4 maximum 2704") or a row too large for a page;
 * 54001, a value nested too deep to parse ("stack depth limit exceeded");
 * class P0, a trigger's RAISE, ASSERT or STRICT lookup about the row.
 */
static bool
row_fault(const char *sqlstate, const char *message)
{
    if (strcmp(sqlstate, "54000") == 0 && has(message, "number of parameters"))
        return false; /* the statement's, not a row's (the planner keeps under it) */
    return strncmp(sqlstate, "22", 2) == 0 || /* data_exception */
           strncmp(sqlstate, "23", 2) == 0 || /* integrity_constraint_violation */
           strncmp(sqlstate, "P0", 2) == 0 || /* plpgsql: raise, no_data_found, ... */
           strcmp(sqlstate, "21000") == 0 ||  /* cardinality_violation */
           strcmp(sqlstate, "44000") == 0 ||  /* with_check_option_violation */
           strcmp(sqlstate, "54000") == 0 ||  /* program_limit_exceeded */
           strcmp(sqlstate, "54001") == 0;    /* statement_too_complex */
}

/* libpq's texts for a connection that went away, when there is no SQLSTATE. */
static bool
lost_connection_text(const char *message)
{
    return has(message, "server closed the connection") ||
           has(message, "terminating connection") ||
           has(message, "could not receive data from server") ||
           has(message, "could not send data to server") ||
           has(message, "no connection to the server") ||
           has(message, "connection to server") || has(message, "SSL SYSCALL error") ||
           has(message, "SSL connection has been closed") ||
           has(message, "connection reset") || has(message, "broken pipe") ||
           has(message, "Broken pipe");
}

cl_err_class
cl_retry_classify(const char *sqlstate, const char *message, bool conn_bad)
{
    bool coded = sqlstate && strlen(sqlstate) == 5;

    /* Checked before conn_bad: these stay fatal even when the server hung up
     * on us, or we would reconnect and fail the same way max_retries times. */
    if (too_large_text(message))
        return CL_ERRCLASS_FATAL;
    if (coded && (strncmp(sqlstate, "28", 2) == 0 || /* authentication */
                  strncmp(sqlstate, "3D", 2) == 0 || /* no such database */
                  strcmp(sqlstate, "57P04") == 0))   /* database dropped */
        return CL_ERRCLASS_FATAL;

    /* Nothing more can be sent on a dead connection, whatever the error. */
    if (conn_bad)
        return CL_ERRCLASS_RECONNECT;

    if (!coded) {
        if (crdb_retry_text(message))
            return CL_ERRCLASS_RETRY;
        if (lost_connection_text(message))
            return CL_ERRCLASS_RECONNECT;
        return CL_ERRCLASS_FATAL;
    }

    if (strcmp(sqlstate, "40001") == 0 || /* serialization_failure */
        strcmp(sqlstate, "40P01") == 0 || /* deadlock_detected */
        strcmp(sqlstate, "40003") == 0 || /* statement_completion_unknown */
        strcmp(sqlstate, "53300") == 0)   /* too_many_connections */
        return CL_ERRCLASS_RETRY;
    if (strncmp(sqlstate, "08", 2) == 0 || /* connection_exception, 08P01 included */
        strcmp(sqlstate, "57P01") == 0 ||  /* admin_shutdown */
        strcmp(sqlstate, "57P02") == 0 ||  /* crash_shutdown */
        strcmp(sqlstate, "57P03") == 0)    /* cannot_connect_now */
        return CL_ERRCLASS_RECONNECT;
    if (row_fault(sqlstate, message) || crdb_command_too_large(message))
        return CL_ERRCLASS_DATA;
    /* Some CockroachDB paths wrap a retry error in another code (XXUUU). */
    if (crdb_retry_text(message))
        return CL_ERRCLASS_RETRY;
    return CL_ERRCLASS_FATAL;
}

/* splitmix64: fine for jitter, and any seed works, zero included. */
static uint64_t
next_random(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);

    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

uint32_t
cl_retry_delay_ms(int attempt, uint32_t base_ms, uint32_t cap_ms, uint64_t *rng)
{
    uint64_t ceiling = base_ms;

    /* Double up to the cap, never past it: no overflow whatever attempt is. */
    for (int i = 1; i < attempt && ceiling < cap_ms; i++)
        ceiling *= 2;
    if (ceiling > cap_ms)
        ceiling = cap_ms;
    if (ceiling == 0)
        return 0;
    return (uint32_t)(next_random(rng) % (ceiling + 1));
}
