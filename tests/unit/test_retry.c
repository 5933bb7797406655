/*
 * tests/unit/test_retry.c - the error classification table and the backoff
 * delays of lib/src/retry.c. No server needed.
 */
#include "retry.h"

#include <stdbool.h>
#include <stdint.h>

#include "testutil.h"

#define R CL_ERRCLASS_RETRY
#define C CL_ERRCLASS_RECONNECT
#define D CL_ERRCLASS_DATA
#define F CL_ERRCLASS_FATAL

static const struct {
    const char *sqlstate;
    const char *message;
    bool conn_bad;
    cl_err_class want;
} cases[] = {
    /* transient: send the batch again */
    {"40001", "could not serialize access due to concurrent update", false, R},
    {"40001",
     "restart transaction: TransactionRetryWithProtoRefreshError: "
     "ReadWithinUncertaintyIntervalError: read at time ...",
     false, R},
    {"40001",
     "restart transaction: TransactionRetryWithProtoRefreshError: "
     "TransactionAbortedError(ABORT_REASON_PUSHER_ABORTED)",
     false, R},
    {"40P01", "deadlock detected", false, R},
    {"40003", "result is ambiguous (error=rpc error: code = Unavailable)", false, R},
    {"53300", "sorry, too many clients already", false, R},
    /* CockroachDB retry texts without, or under another, SQLSTATE */
    {NULL,
     "restart transaction: TransactionRetryWithProtoRefreshError: WriteTooOldError",
     false, R},
    {"", "TransactionRetryWithProtoRefreshError: TransactionAbortedError", false, R},
    {"XXUUU",
     "restart transaction: TransactionRetryError: retry txn (RETRY_SERIALIZABLE)",
     false, R},
    /* every entry of CockroachDB's "Transaction Retry Error Reference": all 40001 */
    {"40001",
     "restart transaction: TransactionRetryWithProtoRefreshError: WriteTooOldError: "
     "write for key /Table/106/1/7/0 at timestamp 1700512205.5 too old; must write at "
     "or above 1700512205.6 (RETRY_WRITE_TOO_OLD)",
     false, R},
    {"40001",
     "restart transaction: TransactionRetryWithProtoRefreshError: "
     "TransactionRetryError: "
     "retry txn (RETRY_SERIALIZABLE - failed preemptive refresh due to conflicting "
     "locks "
     "on /Table/106/1/918951292305080321/0 [reason=wait_policy])",
     false, R},
    {"40001",
     "restart transaction: TransactionRetryWithProtoRefreshError: "
     "TransactionRetryError: "
     "retry txn (RETRY_ASYNC_WRITE_FAILURE)",
     false, R},
    {"40001",
     "restart transaction: TransactionRetryWithProtoRefreshError: "
     "TransactionRetryError: "
     "transaction deadline exceeded (RETRY_COMMIT_DEADLINE_EXCEEDED)",
     false, R},
    {"40001",
     "restart transaction: TransactionRetryWithProtoRefreshError: "
     "TransactionAbortedError(ABORT_REASON_ABORTED_RECORD_FOUND)",
     false, R},
    {"40001",
     "restart transaction: TransactionRetryWithProtoRefreshError: "
     "TransactionAbortedError(ABORT_REASON_CLIENT_REJECT)",
     false, R},
    {"40001",
     "restart transaction: TransactionRetryWithProtoRefreshError: "
     "TransactionAbortedError(ABORT_REASON_ABORT_SPAN)",
     false, R},
    {"40001",
     "restart transaction: TransactionRetryWithProtoRefreshError: "
     "TransactionAbortedError(ABORT_REASON_NEW_LEASE_PREVENTS_TXN)",
     false, R},
    {"40001",
     "restart transaction: TransactionRetryWithProtoRefreshError: "
     "TransactionAbortedError(ABORT_REASON_TIMESTAMP_CACHE_REJECTED)",
     false, R},
    {"40001",
     "restart transaction: TransactionRetryWithProtoRefreshError: injected by "
     "`inject_retry_errors_enabled` session variable",
     false, R},
    /* the reference's examples as a proxy may pass them on: text only, no space */
    {NULL,
     "TransactionRetryWithProtoRefreshError:TransactionAbortedError("
     "ABORT_REASON_PUSHER_ABORTED)",
     false, R},
    /* "result is ambiguous" (Common Errors): 40003, safe to re-send an upsert */
    {"40003",
     "result is ambiguous: error=rpc error: code = Unavailable desc = transport is "
     "closing [exhausted]",
     false, R},
    {"40003", "result is ambiguous: context canceled", true, C},
    /* a draining CockroachDB node: 57P01, new and existing connections */
    {"57P01", "server is not accepting clients, try another node", false, C},
    {"57P01", "server is not accepting clients, try another node", true, C},
    {"57P01", "server is shutting down", true, C},
    {NULL, "server is not accepting clients, try another node", true, C},
    /* CockroachDB's connection limit (server.max_connections_per_gateway) */
    {"53300", "sorry, too many clients already", true, C},

    /* the connection is gone: reconnect, then send again */
    {"08000", "connection exception", false, C},
    {"08003", "connection does not exist", false, C},
    {"08006", "connection failure", false, C},
    {"08001", "could not establish connection", false, C},
    {"08004", "server rejected the connection", false, C},
    {"08007", "transaction resolution unknown", false, C},
    {"08P01", "invalid frontend message type 0", false, C},
    {"57P01", "terminating connection due to administrator command", false, C},
    {"57P02", "terminating connection because of crash of another server process",
     false, C},
    {"57P03", "the database system is starting up", false, C},
    {NULL,
     "server closed the connection unexpectedly\n\tThis probably means the server "
     "terminated abnormally",
     true, C},
    {NULL, "server closed the connection unexpectedly", false, C},
    {"", "could not receive data from server: Connection reset by peer", false, C},
    {NULL, "SSL SYSCALL error: EOF detected", false, C},
    {NULL, NULL, true, C},
    {NULL, "", true, C},
    /* a dead connection wins over a retryable or data code */
    {"40001", "restart transaction", true, C},
    {"23505", "duplicate key value violates unique constraint", true, C},

    /* the rows are at fault: split and reject */
    {"22P02", "invalid input syntax for type integer: \"abc\"", false, D},
    {"22003", "numeric field overflow", false, D},
    {"22001", "value too long for type character varying(5)", false, D},
    {"22021", "invalid byte sequence for encoding \"UTF8\": 0xff", false, D},
    {"22007", "invalid input syntax for type timestamp", false, D},
    {"23502", "null value in column \"name\" violates not-null constraint", false, D},
    {"23505", "duplicate key value violates unique constraint \"products_pkey\"", false,
     D},
    {"23514", "new row violates check constraint", false, D},
    {"23503", "insert or update violates foreign key constraint", false, D},
    {"21000", "ON CONFLICT DO UPDATE command cannot affect row a second time", false,
     D},
    {"21000", "UPSERT or INSERT...ON CONFLICT command cannot affect row a second time",
     false, D},
    {"54000",
     "index row size 9016 exceeds btree version 4 maximum 2704 for index "
     "\"products_sku_key\"",
     false, D},
    {"54000", "index row requires 9016 bytes, maximum size is 8191", false, D},
    {"54000", "row is too big: size 9000, maximum size 8160", false, D},
    {"54001", "stack depth limit exceeded", false, D},
    {"44000", "new row violates check option for view \"cheap\"", false, D},
    {"P0001", "price must be positive", false, D},
    {"P0004", "assertion failed", false, D},
    /* CockroachDB: the rows of one statement over the Raft command size */
    {"XXUUU", "command is too large: 4500103 bytes (max: 4194304)", false, D},
    {"XXUUU", "command is too large: 4500103 bytes (max: 4194304)", true, C},

    /* nothing to gain by trying again */
    {"08P01", "message too large", false, F},
    {"08P01", "message size 17 MiB bigger than maximum allowed message size 16 MiB",
     false, F},
    {"08P01", "message size 17 MiB bigger than maximum allowed message size 16 MiB",
     true, F},
    {"54000", "message size 17 MiB bigger than maximum allowed message size 16 MiB",
     false, F},
    /* pgwire's ReadUntypedMsg: 08P01 (ProtocolViolation), humanised sizes */
    {"08P01", "message size 18 MiB bigger than maximum allowed message size 16 MiB",
     true, F},
    {NULL, "message size 1.0 MiB bigger than maximum allowed message size 32 KiB", true,
     F},
    /* CockroachDB's SQL memory budget: a smaller batch is the remedy, not a retry */
    {"53200",
     "root: memory budget exceeded: 10240 bytes requested, 134215680 currently "
     "allocated, 134217728 bytes in budget",
     false, F},
    {"57014", "query execution canceled due to statement timeout", false, F},
    {"54000", "number of parameters must be between 0 and 65535", false, F},
    {"42601", "syntax error at or near \"ON\"", false, F},
    {"42501", "permission denied for table products", false, F},
    {"42P01", "relation \"products\" does not exist", false, F},
    {"42703", "column \"colour\" of relation \"products\" does not exist", false, F},
    {"42P10",
     "there is no unique or exclusion constraint matching the ON CONFLICT "
     "specification",
     false, F},
    {"28P01", "password authentication failed for user \"app\"", false, F},
    {"28P01", "password authentication failed for user \"app\"", true, F},
    {"28000", "no pg_hba.conf entry for host", true, F},
    {"3D000", "database \"shop\" does not exist", false, F},
    {"53100", "could not extend file: No space left on device", false, F},
    {"53200", "out of memory", false, F},
    {"57014", "canceling statement due to statement timeout", false, F},
    {"57P04", "database dropped", true, F},
    {"25006", "cannot execute INSERT in a read-only transaction", false, F},
    {"XX000", "internal error", false, F},
    {NULL, "out of memory", false, F},
    {NULL, NULL, false, F},
    {"", "", false, F},
};

static const char *
class_name(cl_err_class c)
{
    switch (c) {
    case CL_ERRCLASS_RETRY:
        return "RETRY";
    case CL_ERRCLASS_RECONNECT:
        return "RECONNECT";
    case CL_ERRCLASS_DATA:
        return "DATA";
    case CL_ERRCLASS_FATAL:
        return "FATAL";
    }
    return "?";
}

static void
test_classify(void)
{
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cl_err_class got =
            cl_retry_classify(cases[i].sqlstate, cases[i].message, cases[i].conn_bad);
        if (got != cases[i].want)
            fprintf(stderr,
                    "case %zu: sqlstate %s, message \"%s\", conn_bad %d: %s, want %s\n",
                    i, cases[i].sqlstate ? cases[i].sqlstate : "(null)",
                    cases[i].message ? cases[i].message : "(null)", cases[i].conn_bad,
                    class_name(got), class_name(cases[i].want));
        CHECK_EQ_INT(got, cases[i].want);
    }
}

/*
 * Fixed expectations, not retry.c's formula again: the ceiling of each case
 * is written out, and a state seeded 0 first draws splitmix64's published
 * first output for seed 0, 0xe220a8397b1dcdaf, so the delay is that value
 * modulo (ceiling + 1), worked out by hand below.
 */
static const struct {
    int attempt;
    uint32_t base_ms, cap_ms;
    uint32_t ceiling; /* the largest delay the case may draw */
    uint32_t first;   /* the delay drawn from a state seeded 0 */
} delays[] = {
    {1, 50, 5000, 50, 46},
    {2, 50, 5000, 100, 67},
    {3, 50, 5000, 200, 70},
    {4, 50, 5000, 400, 276},
    {7, 50, 5000, 3200, 2377},
    {8, 50, 5000, 5000, 4879}, /* 6400 capped */
    {40, 50, 5000, 5000, 4879},
    {1000000, 50, 5000, 5000, 4879}, /* no overflow however many attempts */
    {0, 50, 5000, 50, 46},           /* out of range: as attempt 1 */
    {1, 500, 20, 20, 16},            /* a cap below base wins */
    /* a ceiling past 32 bits is capped, not wrapped to a small number */
    {2, 2147483648u, 4294967295u, 4294967295u, 2065550767u},
    {2147483647, 2147483648u, 4294967295u, 4294967295u, 2065550767u},
    {64, 1, 4294967295u, 4294967295u, 2065550767u},
    {2, 1, 1, 1, 1},
    {5, 0, 5000, 0, 0}, /* no base, no wait */
    {5, 50, 0, 0, 0},   /* no cap, no wait */
};

static void
test_delay_fixed(void)
{
    for (size_t i = 0; i < sizeof delays / sizeof delays[0]; i++) {
        uint64_t rng = 0;
        uint32_t d = cl_retry_delay_ms(delays[i].attempt, delays[i].base_ms,
                                       delays[i].cap_ms, &rng);
        if (d != delays[i].first)
            fprintf(stderr, "delay case %zu: attempt %d, base %u, cap %u\n", i,
                    delays[i].attempt, delays[i].base_ms, delays[i].cap_ms);
        CHECK_EQ_INT(d, delays[i].first);
    }
}

/* Full jitter: the draws stay within [0, ceiling] and spread over all of it. */
static void
test_delay_spread(void)
{
    uint64_t rng = 12345;

    for (size_t i = 0; i < sizeof delays / sizeof delays[0]; i++) {
        uint32_t ceiling = delays[i].ceiling, lo = ceiling, hi = 0;
        bool in_bounds = true;

        for (int n = 0; n < 2000; n++) {
            uint32_t d = cl_retry_delay_ms(delays[i].attempt, delays[i].base_ms,
                                           delays[i].cap_ms, &rng);
            if (d > ceiling)
                in_bounds = false;
            if (d < lo)
                lo = d;
            if (d > hi)
                hi = d;
        }
        CHECK(in_bounds);
        CHECK(lo <= ceiling / 10);
        CHECK(hi >= ceiling - ceiling / 10);
    }
}

static void
test_delay_state(void)
{
    /* the state advances: a zero seed does not repeat itself */
    uint64_t rng = 0;
    bool varies = false;
    uint32_t first = cl_retry_delay_ms(3, 100, 10000, &rng);

    for (int i = 0; i < 100; i++)
        if (cl_retry_delay_ms(3, 100, 10000, &rng) != first)
            varies = true;
    CHECK(varies);

    /* two threads' states seeded apart give different sequences */
    uint64_t a = 1, b = 2;
    int same = 0;
    for (int i = 0; i < 100; i++)
        if (cl_retry_delay_ms(8, 50, 5000, &a) == cl_retry_delay_ms(8, 50, 5000, &b))
            same++;
    CHECK(same < 10);
}

int
main(void)
{
    test_classify();
    test_delay_fixed();
    test_delay_spread();
    test_delay_state();
    return TEST_REPORT();
}
