/*
 * lib/src/missing.c - --missing: rows of the table the feed no longer has
 * (missing.h).
 *
 * Two temporary tables on this module's own connection:
 *
 *   crdbload_seen (crdbload_k1, ...)      every key read, duplicates and all,
 *                                         typed like the table's key columns
 *   crdbload_missing (crdbload_n, crdbload_k1, ...)
 *                                         the rows to change, numbered 1..n
 *
 * Keys go into crdbload_seen by COPY (text format) while the load runs, one
 * COPY per KEYS_PER_COPY keys so that no transaction stays open for the
 * whole load. At the end: count the rows --missing-where covers, derive the
 * guard's limit, copy at most limit + 1 missing keys into crdbload_missing
 * (so that a truncated feed never builds a huge transaction), and refuse
 * when more than limit came (then count them all, read-only, for the
 * message). Otherwise delete or update by ranges of crdbload_n, BATCH_ROWS
 * rows a statement, each in its own transaction, retrying transient errors.
 * --missing-where is applied again in each statement, so a row changed
 * meanwhile to leave the covered part stays.
 *
 * Which keys count as read (SPEC.md: a key that occurred in the feed is
 * never missing): the key of every record, whatever became of its row. A
 * key field that is NULL, absent (a short row), not valid UTF-8, holding a
 * NUL byte or not a valid value of its column cannot equal a key of the
 * table and is passed over. A record whose key cannot be read at all (over
 * the field or record cap, or an unterminated quote that swallowed the rest
 * of the input) makes the set of keys unknown: then nothing is changed.
 */
#include "missing.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "validate.h"
#include "crdbload/crdbload.h"
#include "log.h"
#include "retry.h"
#include "util.h"

#define KEYS_PER_COPY 100000       /* keys a COPY carries before the next one */
#define COPY_BUF_BYTES (64 * 1024) /* keys buffered before PQputCopyData */
#define BATCH_ROWS 2000            /* rows deleted or updated a statement */
#define RETRY_BASE_MS 50
#define RETRY_CAP_MS 5000
#define SESSION_TEMP_BUFFERS "64MB" /* PostgreSQL: set before the first temp table */
#define SESSION_WORK_MEM "64MB"

struct cl_missing {
    PGconn *conn;
    cl_missing_opts o;
    size_t *key_cols; /* table column of each key column */
    char *covered_sql, *count_sql, *collect_sql, *change_sql; /* built once */

    char *buf; /* COPY text being gathered */
    size_t len;
    uint64_t in_copy; /* keys sent in the current COPY */
    bool copying;

    char *failed;     /* the stream's first failure, reported by apply */
    uint64_t unknown; /* records whose key could not be read */
    uint64_t unknown_line;
    const char *unknown_why;
};

/* ---- SQL text ----------------------------------------------------------- */

static char *
vformat(const char *fmt, va_list ap)
{
    va_list again;
    int n;
    char *s;

    va_copy(again, ap);
    n = vsnprintf(NULL, 0, fmt, again);
    va_end(again);
    if (n < 0 || !(s = malloc((size_t)n + 1)))
        return NULL;
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    return s;
}

static char *format(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *
format(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = vformat(fmt, ap);
    va_end(ap);
    return s;
}

/* Append to *s (freed and NULL on OOM). */
static void append(char **s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
append(char **s, const char *fmt, ...)
{
    va_list ap;
    char *more, *joined;

    if (!*s)
        return;
    va_start(ap, fmt);
    more = vformat(fmt, ap);
    va_end(ap);
    joined = more ? format("%s%s", *s, more) : NULL;
    free(more);
    free(*s);
    *s = joined;
}

/* The quoted name of the table's column i; caller PQfreemem()s. */
static char *
ident(const cl_missing *m, size_t col)
{
    const char *name = m->o.table->cols[col].name;
    return PQescapeIdentifier(m->conn, name, strlen(name));
}

/* "t.k1 IS NOT NULL AND ..." or "s.crdbload_k1 = t.k1 AND ..." or
 * "k1, k2" (kind 0, 1, 2). */
static char *
key_list(const cl_missing *m, int kind)
{
    char *s = format("%s", "");

    for (size_t k = 0; k < m->o.plan->nkeys && s; k++) {
        char *q = ident(m, m->key_cols[k]);
        if (!q) {
            free(s);
            return NULL;
        }
        if (kind == 0)
            append(&s, "%st.%s IS NOT NULL", k ? " AND " : "", q);
        else if (kind == 1)
            append(&s, "%ss.crdbload_k%zu = t.%s", k ? " AND " : "", k + 1, q);
        else
            append(&s, "%s%s", k ? ", " : "", q);
        PQfreemem(q);
    }
    return s;
}

/* "crdbload_k1 <type>, ..." or "crdbload_k1, ..." (typed or not). */
static char *
temp_columns(const cl_missing *m, bool typed)
{
    char *s = format("%s", "");
    for (size_t k = 0; k < m->o.plan->nkeys && s; k++)
        append(&s, "%scrdbload_k%zu%s%s", k ? ", " : "", k + 1, typed ? " " : "",
               typed ? m->o.table->cols[m->key_cols[k]].type_name : "");
    return s;
}

/* Every statement of the module, from the table, the key and the options. */
static int
build_sql(cl_missing *m)
{
    const cl_config *cfg = m->o.cfg;
    const char *t = m->o.table->qualified;
    const char *where = cfg->missing_where ? cfg->missing_where : "true";
    char *notnull = key_list(m, 0), *join = key_list(m, 1), *keys = key_list(m, 2);
    char *tkeys = NULL, *cols = temp_columns(m, false);
    int rc = CL_ENOMEM;

    if (!notnull || !join || !keys || !cols)
        goto out;
    /* the same key list, qualified by t */
    tkeys = format("%s", "");
    for (size_t k = 0; k < m->o.plan->nkeys && tkeys; k++) {
        char *q = ident(m, m->key_cols[k]);
        if (q)
            append(&tkeys, "%st.%s", k ? ", " : "", q);
        else {
            free(tkeys);
            tkeys = NULL;
        }
        PQfreemem(q);
    }
    if (!tkeys)
        goto out;

    m->covered_sql =
        format("SELECT count(*) FROM %s AS t WHERE (%s) AND %s", t, where, notnull);
    m->count_sql =
        format("SELECT count(*) FROM %s AS t WHERE (%s) AND %s AND NOT EXISTS "
               "(SELECT 1 FROM pg_temp.crdbload_seen AS s WHERE %s)",
               t, where, notnull, join);
    m->collect_sql = format(
        "INSERT INTO pg_temp.crdbload_missing (crdbload_n, %s) SELECT row_number() "
        "OVER (), "
        "%s FROM (SELECT %s FROM %s AS t WHERE (%s) AND %s AND NOT EXISTS "
        "(SELECT 1 FROM pg_temp.crdbload_seen AS s WHERE %s) LIMIT $1::int8) AS x (%s)",
        cols, cols, tkeys, t, where, notnull, join, cols);
    if (cfg->missing == CL_MISSING_UPDATE) {
        m->change_sql = format("UPDATE %s SET ", t);
        for (size_t i = 0; i < cfg->nmissing_sets && m->change_sql; i++) {
            const cl_assign *a = &cfg->missing_sets[i];
            char *q = PQescapeIdentifier(m->conn, a->column, strlen(a->column));
            if (q)
                append(&m->change_sql, "%s%s = %s", i ? ", " : "", q, a->expr);
            else {
                free(m->change_sql);
                m->change_sql = NULL;
            }
            PQfreemem(q);
        }
    } else {
        m->change_sql = format("DELETE FROM %s", t);
    }
    append(&m->change_sql,
           " WHERE (%s) IN (SELECT %s FROM pg_temp.crdbload_missing"
           " WHERE crdbload_n > $1::int8 AND crdbload_n <= $2::int8) AND (%s)",
           keys, cols, where);
    if (m->covered_sql && m->count_sql && m->collect_sql && m->change_sql)
        rc = 0;
out:
    free(notnull);
    free(join);
    free(keys);
    free(tkeys);
    free(cols);
    return rc;
}

/* ---- talking to the server ---------------------------------------------- */

/* "SQLSTATE: message" of a failed result into err. */
static void
result_error(const cl_missing *m, const PGresult *res, const char *what, char *err,
             size_t errlen)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    const char *msg = cl_pq_primary(res, m->conn);
    snprintf(err, errlen, "%s: %s%s%.*s", what, state ? state : "", state ? ": " : "",
             cl_pq_msg_len(msg), msg);
}

/* Run sql (no parameters, no rows wanted). */
static int
exec(cl_missing *m, const char *sql, const char *what, char *err, size_t errlen)
{
    PGresult *res = PQexec(m->conn, sql);
    int rc = 0;

    if (PQresultStatus(res) != PGRES_COMMAND_OK &&
        PQresultStatus(res) != PGRES_TUPLES_OK) {
        result_error(m, res, what, err, errlen);
        rc = CL_EDB;
    }
    PQclear(res);
    return rc;
}

/* The server checks the SQL given against the table without running it. */
static int
check_sql(cl_missing *m, const char *name, const char *sql, const char *what, char *err,
          size_t errlen)
{
    PGresult *res = PQprepare(m->conn, name, sql, 0, NULL);
    int rc = 0;

    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        result_error(m, res, what, err, errlen);
        rc = PQstatus(m->conn) == CONNECTION_OK ? CL_ECONFIG : CL_EDB;
    }
    PQclear(res);
    return rc;
}

static int
start_copy(cl_missing *m)
{
    char *cols = temp_columns(m, false);
    char *sql =
        cols ? format("COPY pg_temp.crdbload_seen (%s) FROM STDIN", cols) : NULL;
    PGresult *res = sql ? PQexec(m->conn, sql) : NULL;
    int rc = PQresultStatus(res) == PGRES_COPY_IN ? 0 : -1;

    if (rc != 0 && !m->failed) {
        char err[512];
        result_error(m, res, "could not stream the keys read", err, sizeof err);
        m->failed = strdup(err);
    }
    PQclear(res);
    free(sql);
    free(cols);
    m->copying = rc == 0;
    m->in_copy = 0;
    return rc;
}

static void
stream_failed(cl_missing *m, const char *why)
{
    if (!m->failed) {
        char err[512];
        snprintf(err, sizeof err, "could not stream the keys read: %.*s",
                 cl_pq_msg_len(why), why);
        m->failed = strdup(err);
    }
    m->copying = false;
}

static int
flush_buf(cl_missing *m)
{
    if (m->len && m->copying && PQputCopyData(m->conn, m->buf, (int)m->len) != 1)
        stream_failed(m, PQerrorMessage(m->conn));
    m->len = 0;
    return m->copying ? 0 : -1;
}

static int
end_copy(cl_missing *m)
{
    PGresult *res;
    int rc = 0;

    if (flush_buf(m) != 0)
        return -1;
    if (PQputCopyEnd(m->conn, NULL) != 1) {
        stream_failed(m, PQerrorMessage(m->conn));
        return -1;
    }
    while ((res = PQgetResult(m->conn))) {
        if (PQresultStatus(res) != PGRES_COMMAND_OK && rc == 0) {
            char err[512];
            result_error(m, res, "could not stream the keys read", err, sizeof err);
            if (!m->failed)
                m->failed = strdup(err);
            rc = -1;
        }
        PQclear(res);
    }
    m->copying = false;
    return rc;
}

/* ---- open --------------------------------------------------------------- */

int
cl_missing_open(cl_missing **out, PGconn *conn, const cl_missing_opts *o, char *err,
                size_t errlen)
{
    cl_missing *m = calloc(1, sizeof *m);
    char *typed = NULL, *sql = NULL;
    int rc;

    *out = m;
    if (!m) {
        PQfinish(conn);
        snprintf(err, errlen, "out of memory");
        return CL_ENOMEM;
    }
    m->conn = conn;
    m->o = *o;
    m->buf = malloc(COPY_BUF_BYTES);
    m->key_cols = calloc(o->plan->nkeys, sizeof *m->key_cols);
    for (size_t k = 0; m->key_cols && k < o->plan->nkeys; k++)
        m->key_cols[k] =
            (size_t)cl_table_column(o->table, o->field_names[o->plan->key_fields[k]]);
    if (!m->buf || !m->key_cols || build_sql(m) != 0 ||
        !(typed = temp_columns(m, true))) {
        snprintf(err, errlen, "out of memory");
        return CL_ENOMEM;
    }
    /* CockroachDB before v23.1 keeps temporary tables behind a setting.
     * PostgreSQL (this session only): the keys in local buffers rather than
     * on disk; the anti-join a hash of them in memory. Without statistics
     * the planner picks a merge join that sorts both sides (three times
     * slower at 200,000 keys), or under LIMIT a nested loop: the join's
     * statements turn both off (join_settings). */
    if ((rc = exec(m,
                   o->dialect == CL_DIALECT_COCKROACH
                       ? "SET experimental_enable_temp_tables = on"
                       : "SET temp_buffers = '" SESSION_TEMP_BUFFERS
                         "'; SET work_mem = '" SESSION_WORK_MEM "'; SET jit = off",
                   "could not set up the session", err, errlen)) != 0)
        goto out;
    /* one statement a query: CockroachDB runs a string of several as one
     * transaction, where a schema change may not follow another */
    rc = CL_ENOMEM;
    if (!(sql = format("CREATE TEMP TABLE crdbload_seen (%s)", typed)))
        goto out;
    if ((rc = exec(m, sql, "could not create a temporary table", err, errlen)) != 0)
        goto out;
    free(sql);
    rc = CL_ENOMEM;
    if (!(sql = format(
              "CREATE TEMP TABLE crdbload_missing (crdbload_n int8 PRIMARY KEY, %s)",
              typed)))
        goto out;
    if ((rc = exec(m, sql, "could not create a temporary table", err, errlen)) != 0)
        goto out;
    if ((rc = check_sql(m, "crdbload_covered", m->covered_sql, "--missing-where", err,
                        errlen)) != 0 ||
        (rc = check_sql(m, "crdbload_change", m->change_sql,
                        o->cfg->missing == CL_MISSING_UPDATE ? "--missing-set"
                                                             : "--missing",
                        err, errlen)) != 0)
        goto out;
    rc = start_copy(m) == 0 ? 0 : CL_EDB;
    if (rc != 0)
        snprintf(err, errlen, "%s", m->failed);
out:
    free(typed);
    free(sql);
    return rc;
}

/* ---- keys --------------------------------------------------------------- */

/* Strict UTF-8 (no overlong forms, surrogates or code points past U+10FFFF). */
static bool
valid_utf8(const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        unsigned char c = s[i];
        size_t len;
        uint32_t cp;

        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xc2 && c <= 0xdf)
            len = 2, cp = c & 0x1f;
        else if (c >= 0xe0 && c <= 0xef)
            len = 3, cp = c & 0x0f;
        else if (c >= 0xf0 && c <= 0xf4)
            len = 4, cp = c & 0x07;
        else
            return false;
        if (i + len > n)
            return false;
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xc0) != 0x80)
                return false;
            cp = (cp << 6) | (s[i + k] & 0x3f);
        }
        if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
            (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
            return false;
        i += len;
    }
    return true;
}

/* Can this value of key column k be a key of the table? */
static bool
possible_key(const cl_missing *m, size_t k, const cl_field *f)
{
    char why[256];

    if (!f->data || memchr(f->data, '\0', f->len) ||
        !valid_utf8((const unsigned char *)f->data, f->len))
        return false;
    return cl_validate_value(&m->o.table->cols[m->key_cols[k]], f->data, f->len, why,
                             sizeof why) == 0;
}

/* COPY text format: backslash, tab, newline and carriage return escaped. */
static size_t
escape_into(char *dst, const char *s, size_t n)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '\\' || c == '\t' || c == '\n' || c == '\r') {
            dst[o++] = '\\';
            c = c == '\t' ? 't' : c == '\n' ? 'n' : c == '\r' ? 'r' : '\\';
        }
        dst[o++] = c;
    }
    return o;
}

static void
unknown_key(cl_missing *m, const cl_record *rec, const char *why)
{
    if (m->unknown++ == 0) {
        m->unknown_line = rec->bad_line ? rec->bad_line : rec->line;
        m->unknown_why = why;
    }
}

void
cl_missing_add(cl_missing *m, const cl_record *rec)
{
    size_t need = 0;

    if (rec->status == CL_REC_UNTERMINATED_QUOTE) {
        unknown_key(m, rec, "a quote never closed");
        return;
    }
    for (size_t k = 0; k < m->o.plan->nkeys; k++) {
        size_t f = m->o.plan->key_fields[k];
        bool capped =
            (rec->status == CL_REC_FIELD_TOO_LONG && rec->bad_column == f + 1) ||
            (rec->status == CL_REC_TOO_LONG && f + 1 >= rec->bad_column);
        if (capped) {
            unknown_key(m, rec, "over the field or record size cap");
            return;
        }
        if (f >= rec->nfields || !possible_key(m, k, &rec->fields[f]))
            return; /* no row of the table has this key */
        need += 2 * rec->fields[f].len + 1;
    }
    if (!m->copying)
        return;
    if (need > COPY_BUF_BYTES - m->len && flush_buf(m) != 0)
        return;
    if (need > COPY_BUF_BYTES) { /* a key longer than the buffer: one of its own */
        char *big = malloc(need);
        size_t n = 0;
        if (!big) {
            stream_failed(m, "out of memory");
            return;
        }
        for (size_t k = 0; k < m->o.plan->nkeys; k++) {
            const cl_field *fd = &rec->fields[m->o.plan->key_fields[k]];
            n += escape_into(big + n, fd->data, fd->len);
            big[n++] = k + 1 < m->o.plan->nkeys ? '\t' : '\n';
        }
        if (PQputCopyData(m->conn, big, (int)n) != 1)
            stream_failed(m, PQerrorMessage(m->conn));
        free(big);
    } else {
        for (size_t k = 0; k < m->o.plan->nkeys; k++) {
            const cl_field *fd = &rec->fields[m->o.plan->key_fields[k]];
            m->len += escape_into(m->buf + m->len, fd->data, fd->len);
            m->buf[m->len++] = k + 1 < m->o.plan->nkeys ? '\t' : '\n';
        }
    }
    if (++m->in_copy >= KEYS_PER_COPY && end_copy(m) == 0)
        start_copy(m);
}

/* ---- apply -------------------------------------------------------------- */

/* One row, one count column (or the rows a command touched). */
static int
count(cl_missing *m, const char *sql, int nparams, const char *const *params,
      const char *what, uint64_t *n, char *err, size_t errlen)
{
    PGresult *res = PQexecParams(m->conn, sql, nparams, NULL, params, NULL, NULL, 0);
    int rc = 0;

    if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1)
        *n = strtoull(PQgetvalue(res, 0, 0), NULL, 10);
    else if (PQresultStatus(res) == PGRES_COMMAND_OK)
        *n = strtoull(PQcmdTuples(res), NULL, 10);
    else {
        result_error(m, res, what, err, errlen);
        rc = CL_EDB;
    }
    PQclear(res);
    return rc;
}

/* One batch of the change, retried on transient errors. */
static int
change_batch(cl_missing *m, uint64_t lo, uint64_t hi, uint64_t *changed, uint64_t *rng,
             char *err, size_t errlen)
{
    char a[24], b[24];
    const char *params[2] = {a, b};

    snprintf(a, sizeof a, "%" PRIu64, lo);
    snprintf(b, sizeof b, "%" PRIu64, hi);
    for (int attempt = 1;; attempt++) {
        PGresult *res =
            PQexecPrepared(m->conn, "crdbload_change", 2, params, NULL, NULL, 0);
        const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
        const char *msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);

        if (PQresultStatus(res) == PGRES_COMMAND_OK) {
            *changed += strtoull(PQcmdTuples(res), NULL, 10);
            PQclear(res);
            return 0;
        }
        if (attempt > m->o.cfg->max_retries ||
            cl_retry_classify(state, msg, PQstatus(m->conn) == CONNECTION_BAD) !=
                CL_ERRCLASS_RETRY ||
            atomic_load(m->o.stop)) {
            result_error(m, res,
                         m->o.cfg->missing == CL_MISSING_UPDATE
                             ? "could not update the missing rows"
                             : "could not delete the missing rows",
                         err, errlen);
            PQclear(res);
            return CL_EDB;
        }
        PQclear(res);
        uint32_t ms = cl_retry_delay_ms(attempt, RETRY_BASE_MS, RETRY_CAP_MS, rng);
        nanosleep(
            &(struct timespec){.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L},
            NULL);
    }
}

/*
 * PostgreSQL: the statements that read the whole table (the covered count,
 * the anti-join) as a sequential scan and a hash join, or back to the
 * planner's choice for the batches (index lookups by key). Right after a
 * reload the visibility map is cleared: an index-only scan for the count
 * then fetches every heap tuple at random (18 s instead of 0.5 s at 1M
 * rows); and crdbload_seen has no statistics (see cl_missing_open).
 */
static int
join_settings(cl_missing *m, bool whole_table, char *err, size_t errlen)
{
    if (m->o.dialect != CL_DIALECT_POSTGRES)
        return 0;
    return exec(m,
                whole_table
                    ? "SET enable_mergejoin = off; SET enable_nestloop = off; "
                      "SET enable_indexscan = off; SET enable_indexonlyscan = off; "
                      "SET enable_bitmapscan = off"
                    : "RESET enable_mergejoin; RESET enable_nestloop; "
                      "RESET enable_indexscan; RESET enable_indexonlyscan; "
                      "RESET enable_bitmapscan",
                "could not set up the session", err, errlen);
}

int
cl_missing_apply(cl_missing *m, cl_missing_result *r, char *err, size_t errlen)
{
    const cl_config *cfg = m->o.cfg;
    char limit1[24];
    const char *params[1] = {limit1};
    uint64_t collected = 0, rng = (uint64_t)time(NULL) | 1;
    int rc;

    memset(r, 0, sizeof *r);
    if (m->copying)
        end_copy(m);
    if (m->failed) {
        snprintf(err, errlen, "%s", m->failed);
        return CL_EDB;
    }
    if (m->unknown) {
        snprintf(err, errlen,
                 "the key of %" PRIu64
                 " record%s could not be read (the first at line %" PRIu64
                 ": %s), so any row might be in the feed",
                 m->unknown, m->unknown == 1 ? "" : "s", m->unknown_line,
                 m->unknown_why);
        return CL_EDB;
    }
    if (atomic_load(m->o.stop))
        return CL_EINTERRUPTED;
    if ((rc = join_settings(m, true, err, errlen)) != 0)
        return rc;
    /* planned now, under those settings (the statement prepared at open
     * only checked --missing-where) */
    if ((rc = count(m, m->covered_sql, 0, NULL,
                    "could not count the rows --missing-where covers", &r->covered, err,
                    errlen)) != 0)
        return rc;
    if (cfg->max_missing_rows >= 0)
        r->limit = (uint64_t)cfg->max_missing_rows;
    else
        r->limit = (uint64_t)((double)r->covered * cfg->max_missing_pct / 100.0);

    if (cfg->dry_run) {
        rc = count(m, m->count_sql, 0, NULL, "could not count the missing rows",
                   &r->missing, err, errlen);
        r->refused = rc == 0 && r->missing > r->limit;
        return rc;
    }
    /* at most limit + 1: past the guard the number is all that is needed */
    snprintf(limit1, sizeof limit1, "%" PRIu64, r->limit + 1);
    if ((rc = count(m, m->collect_sql, 1, params, "could not find the missing rows",
                    &collected, err, errlen)) != 0)
        return rc;
    if (collected > r->limit) {
        r->refused = true;
        return count(m, m->count_sql, 0, NULL, "could not count the missing rows",
                     &r->missing, err, errlen);
    }
    r->missing = collected;
    /* the batches: index lookups by key, a nested loop at its best */
    if ((rc = join_settings(m, false, err, errlen)) != 0)
        return rc;
    for (uint64_t lo = 0; lo < collected; lo += BATCH_ROWS) {
        if (atomic_load(m->o.stop))
            return CL_EINTERRUPTED;
        uint64_t hi = lo + BATCH_ROWS < collected ? lo + BATCH_ROWS : collected;
        if ((rc = change_batch(m, lo, hi, &r->changed, &rng, err, errlen)) != 0)
            return rc;
    }
    return 0;
}

/* ---- the run's --missing: its messages ---------------------------------- */

int
cl_missing_start(cl_missing **out, PGconn *conn, const cl_missing_opts *o, cl_stats *st)
{
    char err[2048] = "";
    int rc = cl_missing_open(out, conn, o, err, sizeof err);

    if (rc == CL_ENOMEM)
        return cl_log_out_of_memory("--missing");
    if (rc != 0) {
        cl_log(CL_LOG_ERROR, "%s", err[0] ? err : cl_strerror(rc));
        return rc;
    }
    st->missing = o->cfg->missing;
    return 0;
}

int
cl_missing_settle(cl_missing *m, cl_stats *st)
{
    const cl_config *cfg = m->o.cfg;
    const char *verb = cfg->missing == CL_MISSING_DELETE ? "deleted" : "updated";
    char err[2048] = "", part[256];
    cl_missing_result r;
    int rc = cl_missing_apply(m, &r, err, sizeof err);

    atomic_store(&st->rows_missing, cfg->dry_run ? r.missing : r.changed);
    if (cfg->missing_where)
        snprintf(part, sizeof part, "of %s that --missing-where covers",
                 m->o.table->qualified);
    else
        snprintf(part, sizeof part, "of %s", m->o.table->qualified);
    if (rc == CL_EINTERRUPTED) {
        cl_log(CL_LOG_ERROR,
               "interrupted: %" PRIu64 " of the %" PRIu64
               " rows missing from the feed were "
               "%s; a rerun does the rest",
               r.changed, r.missing, verb);
        return rc;
    }
    if (rc != 0) {
        cl_log(CL_LOG_ERROR, "rows missing from the feed were not %s: %s", verb, err);
        return rc;
    }
    if (r.refused) {
        char hint[256];
        snprintf(
            hint, sizeof hint,
            "Check that the feed is whole. If that many rows really left it, raise "
            "--max-missing (now %" PRIu64 " rows).",
            r.limit);
        cl_log_hint(CL_LOG_ERROR, hint,
                    "%s%" PRIu64 " of the %" PRIu64
                    " rows %s are not in the feed: more than "
                    "--max-missing allows; no row was %s",
                    cfg->dry_run ? "dry run: " : "", r.missing, r.covered, part, verb);
        return CL_EREJECTS;
    }
    if (cfg->dry_run)
        cl_log(CL_LOG_INFO,
               "dry run: %" PRIu64 " of the %" PRIu64 " rows %s are not in the "
               "feed and would be %s",
               r.missing, r.covered, part, verb);
    else
        cl_log(CL_LOG_INFO,
               "%" PRIu64 " of the %" PRIu64 " rows %s were not in the feed: %s",
               r.changed, r.covered, part, verb);
    return 0;
}

void
cl_missing_free(cl_missing *m)
{
    if (!m)
        return;
    if (m->copying &&
        PQputCopyEnd(m->conn, "crdbload: the run ended before its end") == 1) {
        PGresult *res; /* the server's error, expected: the COPY is abandoned */
        while ((res = PQgetResult(m->conn)))
            PQclear(res);
    }
    PQfinish(m->conn); /* the temporary tables go with the session */
    free(m->covered_sql);
    free(m->count_sql);
    free(m->collect_sql);
    free(m->change_sql);
    free(m->buf);
    free(m->failed);
    free(m->key_cols);
    free(m);
}
