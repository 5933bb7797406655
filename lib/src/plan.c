/*
 * lib/src/plan.c - the statement a batch is sent with (plan.h).
 *
 * DESIGN. cl_plan_new() checks the mapping of the input onto the table once
 * and writes the fixed parts of the statement (head and tail; for VALUES also
 * the text every row ends with), so that cl_plan_sql() only concatenates and
 * numbers parameters. The plan is read-only afterwards and shared by workers.
 */
#include "plan.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crdbload/crdbload.h"
#include "error.h"
#include "near_names.h"
#include "util.h"

/* ------------------------------------------------------------------------ */
/* A growable string whose failure is sticky: check once at the end.         */

typedef struct sbuf {
    char *s;
    size_t len, cap;
    bool oom;
} sbuf;

static void
sb_putn(sbuf *b, const char *s, size_t n)
{
    char *p;

    if (b->oom)
        return;
    p = cl_grow(b->s, &b->cap, b->len + n + 1, 1, 256);
    if (!p) {
        b->oom = true;
        return;
    }
    b->s = p;
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

static void
sb_puts(sbuf *b, const char *s)
{
    sb_putn(b, s, strlen(s));
}

/* A quoted identifier: as PQescapeIdentifier writes it, "" inside doubled. */
static void
sb_ident(sbuf *b, const char *name)
{
    const char *q;

    sb_putn(b, "\"", 1);
    while ((q = strchr(name, '"')) != NULL) {
        sb_putn(b, name, (size_t)(q - name) + 1);
        sb_putn(b, "\"", 1);
        name = q + 1;
    }
    sb_puts(b, name);
    sb_putn(b, "\"", 1);
}

/* Hand over the string (an empty one when nothing was written); NULL on OOM. */
static char *
sb_take(sbuf *b)
{
    if (!b->oom && !b->s)
        sb_putn(b, "", 0);
    if (b->oom) {
        free(b->s);
        b->s = NULL;
    }
    return b->s;
}

/* Decimal digits of n into p (no terminator); returns the count. */
static size_t
put_uint(char *p, size_t n)
{
    char tmp[24];
    size_t k = 0;

    do {
        tmp[k++] = (char)('0' + n % 10);
        n /= 10;
    } while (n);
    for (size_t i = 0; i < k; i++)
        p[i] = tmp[k - 1 - i];
    return k;
}

/* ------------------------------------------------------------------------ */
/* The plan.                                                                 */

/* Where a table column's value comes from besides the input. */
enum { ASSIGN_NONE, ASSIGN_SET, ASSIGN_DEFAULT };

/* What cl_plan_new() works with while it checks the options. */
typedef struct plan_ctx {
    const cl_table *t;
    const cl_plan_opts *o;
    char *err;
    size_t errlen;
    int *field_col;  /* table column of each input field, -1 when skipped */
    int *col_field;  /* input field of each table column, -1 when not in the input */
    int *col_assign; /* ASSIGN_* of each table column */
} plan_ctx;

static int fail(plan_ctx *x, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
fail(plan_ctx *x, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    cl_verrf(CL_ECONFIG, x->err, x->errlen, fmt, ap);
    va_end(ap);
    return CL_ECONFIG;
}

/* `column "x" of <what> does not exist in table T (its columns: "a", "b", ...)` */
static int
fail_unknown(plan_ctx *x, const char *name, const char *what)
{
    sbuf cols = {0};
    int rc;

    for (size_t i = 0; i < x->t->ncols; i++) {
        if (i)
            sb_puts(&cols, ", ");
        sb_ident(&cols, x->t->cols[i].name);
    }
    if (cols.oom) {
        free(cols.s);
        return CL_ENOMEM;
    }
    rc = fail(x, "column %s of %s does not exist in table %s (its columns: %s)",
              CL_IDENT(name), what, x->t->qualified, cols.s ? cols.s : "");
    free(cols.s);
    return rc;
}

/* The same for a name of the input, with what it probably means
 * (near_names.h): "SKU" for "sku", " price" for "price". */
static int
fail_unknown_field(plan_ctx *x, const char *name)
{
    char *hint = cl_near_names_hint(x->t, x->o->field_names, x->o->nfields);
    int rc = fail_unknown(x, name, "the input");
    size_t used = x->err ? strlen(x->err) : 0;

    if (rc == CL_ECONFIG && hint && used < x->errlen)
        snprintf(x->err + used, x->errlen - used, "%s", hint);
    free(hint);
    return rc;
}

/* Split the comma-separated list of exact names given to option opt into
 * column indexes of the table. *out is the caller's to free. */
static int
parse_columns(plan_ctx *x, const char *list, const char *opt, size_t **out, size_t *n)
{
    size_t count;
    char **names = cl_list_split(list, &count);
    size_t *cols = names ? malloc(count * sizeof *cols) : NULL;
    int rc = cols ? 0 : CL_ENOMEM;

    for (size_t k = 0; rc == 0 && k < count; k++) {
        int ci = *names[k] ? cl_table_column(x->t, names[k]) : -1;

        if (!*names[k])
            rc = fail(x, "empty column name in %s \"%s\"", opt, list);
        else if (ci < 0)
            rc = fail_unknown(x, names[k], opt);
        for (size_t i = 0; rc == 0 && i < k; i++)
            if (cols[i] == (size_t)ci)
                rc = fail(x, "column %s is named twice in %s", CL_IDENT(names[k]), opt);
        cols[k] = (size_t)ci;
    }
    free(names);
    if (rc) {
        free(cols);
        return rc;
    }
    *out = cols;
    *n = count;
    return 0;
}

/* Map the input fields onto the table. */
static int
map_fields(plan_ctx *x)
{
    const cl_plan_opts *o = x->o;

    for (size_t f = 0; f < o->nfields; f++) {
        const char *name = o->field_names[f];
        int ci;

        x->field_col[f] = -1;
        if (!name)
            continue;
        ci = cl_table_column(x->t, name);
        if (ci < 0)
            return fail_unknown_field(x, name);
        if (x->col_field[ci] >= 0)
            return fail(x, "column %s is named twice in the input (fields %d and %zu)",
                        CL_IDENT(name), x->col_field[ci] + 1, f + 1);
        if (x->t->cols[ci].generated)
            return fail(x,
                        "column %s of the input is a generated column and cannot be "
                        "written",
                        CL_IDENT(name));
        x->field_col[f] = ci;
        x->col_field[ci] = (int)f;
    }
    return 0;
}

/* Check --set (ASSIGN_SET) or --default (ASSIGN_DEFAULT). */
static int
check_assigns(plan_ctx *x, const cl_assign *a, size_t n, int kind)
{
    const char *opt = kind == ASSIGN_SET ? "--set" : "--default";

    for (size_t i = 0; i < n; i++) {
        int ci;

        if (!a[i].column || !a[i].column[0])
            return fail(x, "empty column name in %s", opt);
        ci = cl_table_column(x->t, a[i].column);
        if (ci < 0)
            return fail_unknown(x, a[i].column, opt);
        if (!a[i].expr || !a[i].expr[0])
            return fail(x, "empty expression for column %s in %s",
                        CL_IDENT(a[i].column), opt);
        if (x->col_field[ci] >= 0)
            return fail(x, "column %s of %s is also in the input",
                        CL_IDENT(a[i].column), opt);
        /* a column given twice: cl_config_check() */
        if (x->t->cols[ci].generated)
            return fail(x,
                        "column %s of %s is a generated column and cannot be written",
                        CL_IDENT(a[i].column), opt);
        x->col_assign[ci] = kind;
    }
    return 0;
}

/* Write "INSERT INTO t AS t (cols)" or "UPSERT INTO t (cols)". */
static void
write_into(sbuf *s, const cl_plan *p, const cl_plan_opts *o)
{
    sb_puts(s, p->upsert ? "UPSERT INTO " : "INSERT INTO ");
    sb_puts(s, p->table->qualified);
    sb_puts(s, p->upsert ? " (" : " AS t (");
    for (size_t c = 0; c < p->ncols; c++) {
        if (c)
            sb_puts(s, ", ");
        sb_ident(s, p->cols[c]->name);
    }
    for (size_t i = 0; i < o->nsets; i++) {
        sb_puts(s, ", ");
        sb_ident(s, o->sets[i].column);
    }
    for (size_t i = 0; i < o->ndefaults; i++) {
        sb_puts(s, ", ");
        sb_ident(s, o->defaults[i].column);
    }
    sb_puts(s, ")");
}

/* ", expr, ..." of --set then --default, as the VALUES row or SELECT list ends. */
static void
write_exprs(sbuf *s, const cl_plan_opts *o)
{
    for (size_t i = 0; i < o->nsets; i++) {
        sb_puts(s, ", ");
        sb_puts(s, o->sets[i].expr);
    }
    for (size_t i = 0; i < o->ndefaults; i++) {
        sb_puts(s, ", ");
        sb_puts(s, o->defaults[i].expr);
    }
}

/* " SELECT u."a", ..., expr FROM unnest($1::type[], ...) AS u("a", ...)": one
 * array parameter a sent column, cast to the column's type so the server
 * parses each element as that type. unnest() would flatten an array of an
 * array type, so such a column travels as text[] and each element is cast in
 * the SELECT list instead. */
static void
write_unnest(sbuf *head, const cl_plan *p, const cl_plan_opts *o)
{
    sbuf args = {0};
    char num[24];

    sb_puts(head, " SELECT ");
    for (size_t c = 0; c < p->ncols; c++) {
        const char *type = p->cols[c]->type_name;
        size_t tl = strlen(type);
        bool array = tl >= 2 && strcmp(type + tl - 2, "[]") == 0;

        if (c) {
            sb_puts(head, ", ");
            sb_puts(&args, ", ");
        }
        sb_puts(head, "u.");
        sb_ident(head, p->cols[c]->name);
        if (array) {
            sb_puts(head, "::");
            sb_puts(head, type);
        }
        sb_putn(&args, "$", 1);
        sb_putn(&args, num, put_uint(num, c + 1));
        sb_puts(&args, "::");
        sb_puts(&args, array ? "text" : type);
        sb_puts(&args, "[]");
    }
    write_exprs(head, o);
    sb_puts(head, " FROM unnest(");
    sb_puts(head, args.s ? args.s : "");
    if (args.oom)
        head->oom = true;
    free(args.s);
    sb_puts(head, ") AS u(");
    for (size_t c = 0; c < p->ncols; c++) {
        if (c)
            sb_puts(head, ", ");
        sb_ident(head, p->cols[c]->name);
    }
    sb_puts(head, ")");
}

/* Table columns cols as a list: prefix"a", prefix"b", ... */
static void
write_columns(sbuf *s, const cl_table *t, const size_t *cols, size_t n,
              const char *prefix)
{
    for (size_t i = 0; i < n; i++) {
        if (i)
            sb_puts(s, ", ");
        sb_puts(s, prefix);
        sb_ident(s, t->cols[cols[i]].name);
    }
}

/* DO UPDATE's assignments: "a" = excluded."a" for each of upd, then
 * --set's "c" = expr. */
static void
write_set(sbuf *s, const cl_table *t, const cl_plan_opts *o, const size_t *upd,
          size_t nupd)
{
    for (size_t i = 0; i < nupd; i++) {
        const char *name = t->cols[upd[i]].name;

        if (i)
            sb_puts(s, ", ");
        sb_ident(s, name);
        sb_puts(s, " = excluded.");
        sb_ident(s, name);
    }
    for (size_t i = 0; i < o->nsets; i++) {
        if (i || nupd)
            sb_puts(s, ", ");
        sb_ident(s, o->sets[i].column);
        sb_puts(s, " = ");
        sb_puts(s, o->sets[i].expr);
    }
}

/* --only-changed: " WHERE (t."a", ...) IS DISTINCT FROM (excluded."a", ...)".
 * nupd > 0 here: with nothing to compare the plan says DO NOTHING. A row
 * constructor of one column is not allowed to be written bare, so a single
 * column is compared as a scalar. */
static void
write_only_changed(sbuf *s, const cl_table *t, const size_t *upd, size_t nupd)
{
    sb_puts(s, nupd > 1 ? " WHERE (" : " WHERE ");
    write_columns(s, t, upd, nupd, "t.");
    sb_puts(s, nupd > 1 ? ") IS DISTINCT FROM (" : " IS DISTINCT FROM ");
    write_columns(s, t, upd, nupd, "excluded.");
    if (nupd > 1)
        sb_puts(s, ")");
}

/* " ON CONFLICT (k) DO UPDATE SET ... [WHERE ...]" or " ... DO NOTHING".
 * keys and upd are table column indexes. */
static void
write_conflict(sbuf *s, const cl_table *t, const cl_plan_opts *o, const size_t *keys,
               size_t nkeys, const size_t *upd, size_t nupd, bool do_nothing)
{
    sb_puts(s, " ON CONFLICT (");
    write_columns(s, t, keys, nkeys, "");
    if (do_nothing) {
        sb_puts(s, ") DO NOTHING");
        return;
    }
    sb_puts(s, ") DO UPDATE SET ");
    write_set(s, t, o, upd, nupd);
    if (o->only_changed)
        write_only_changed(s, t, upd, nupd);
}

static bool
in_list(const size_t *list, size_t n, size_t v)
{
    for (size_t i = 0; i < n; i++)
        if (list[i] == v)
            return true;
    return false;
}

/* The conflict key: given, columns of the table, all in the input, and
 * exactly the columns of a unique index or the primary key. */
static int
check_key(plan_ctx *x, size_t **keys, size_t *nkeys)
{
    const cl_table *t = x->t;
    const char *key = x->o->key;
    int rc;

    if (!key || !key[0])
        return fail(x,
                    "no key column given: ON CONFLICT needs the column(s) of a unique "
                    "index");
    if ((rc = parse_columns(x, key, "--key", keys, nkeys)) != 0)
        return rc;
    for (size_t k = 0; k < *nkeys; k++)
        if (x->col_field[(*keys)[k]] < 0)
            return fail(x, "key column %s is not in the input",
                        CL_IDENT(t->cols[(*keys)[k]].name));
    if (!cl_table_unique_on(t, *keys, *nkeys))
        return fail(
            x,
            "table %s has no unique index or primary key on exactly (%s), which "
            "ON CONFLICT needs",
            t->qualified, key);
    return 0;
}

/* --update-columns: each in the input and not a key column. */
static int
check_update_columns(plan_ctx *x, const size_t *keys, size_t nkeys, size_t **upd,
                     size_t *nupd)
{
    int rc = parse_columns(x, x->o->update_columns, "--update-columns", upd, nupd);

    for (size_t i = 0; rc == 0 && i < *nupd; i++) {
        const char *name = x->t->cols[(*upd)[i]].name;

        if (x->col_field[(*upd)[i]] < 0)
            rc = fail(x, "column %s of --update-columns is not in the input",
                      CL_IDENT(name));
        else if (in_list(keys, nkeys, (*upd)[i]))
            rc = fail(x, "column %s of --update-columns is a key column",
                      CL_IDENT(name));
    }
    return rc;
}

/* Without --update-columns DO UPDATE sets every non-key input column, in
 * file order. */
static int
all_update_columns(const plan_ctx *x, const size_t *keys, size_t nkeys, size_t **upd,
                   size_t *nupd)
{
    size_t nfields = x->o->nfields;

    *upd = malloc((nfields ? nfields : 1) * sizeof **upd);
    if (!*upd)
        return CL_ENOMEM;
    *nupd = 0;
    for (size_t f = 0; f < nfields; f++) {
        int ci = x->field_col[f];

        if (ci >= 0 && !in_list(keys, nkeys, (size_t)ci))
            (*upd)[(*nupd)++] = (size_t)ci;
    }
    return 0;
}

/* A NOT NULL column without a default must come from somewhere: the input,
 * --set or --default. */
static int
check_not_null(plan_ctx *x)
{
    const cl_table *t = x->t;

    for (size_t ci = 0; ci < t->ncols; ci++) {
        const cl_column *c = &t->cols[ci];

        if (c->not_null && !c->has_default && !c->generated && x->col_field[ci] < 0 &&
            x->col_assign[ci] == ASSIGN_NONE)
            return fail(
                x,
                "column %s of table %s is NOT NULL without a default and is not "
                "in the input (use --default '%s=EXPR' to supply it)",
                CL_IDENT(c->name), t->qualified, c->name);
    }
    return 0;
}

/* The checks of cl_plan_new(), in the order a user would fix them: the
 * input's names, then --set/--default, the key, --update-columns, and last
 * the NOT NULL columns nobody supplies. keys and upd are table column
 * indexes, the caller's to free. */
static int
plan_check(plan_ctx *x, size_t **keys, size_t *nkeys, size_t **upd, size_t *nupd)
{
    const cl_plan_opts *o = x->o;
    int rc;

    if ((rc = map_fields(x)) != 0 ||
        (rc = check_assigns(x, o->sets, o->nsets, ASSIGN_SET)) != 0 ||
        (rc = check_assigns(x, o->defaults, o->ndefaults, ASSIGN_DEFAULT)) != 0 ||
        (rc = check_key(x, keys, nkeys)) != 0)
        return rc;
    rc = o->update_columns ? check_update_columns(x, *keys, *nkeys, upd, nupd)
                           : all_update_columns(x, *keys, *nkeys, upd, nupd);
    return rc ? rc : check_not_null(x);
}

cl_stmt_form
cl_stmt_form_resolve(cl_stmt_form requested, cl_dialect dialect)
{
    if (requested != CL_FORM_AUTO)
        return requested;
    return dialect == CL_DIALECT_COCKROACH ? CL_FORM_UNNEST : CL_FORM_VALUES;
}

/* The sent columns, the mapped input fields in file order, and the key's
 * fields among them. */
static int
plan_columns(cl_plan *p, const plan_ctx *x, const size_t *keys, size_t nkeys)
{
    const cl_table *t = x->t;
    size_t nfields = x->o->nfields;

    p->table = t;
    p->nfields = nfields;
    p->field_of_col = malloc((nfields ? nfields : 1) * sizeof *p->field_of_col);
    p->cols = malloc((nfields ? nfields : 1) * sizeof *p->cols);
    p->key_fields = malloc(nkeys * sizeof *p->key_fields);
    if (!p->field_of_col || !p->cols || !p->key_fields)
        return CL_ENOMEM;
    for (size_t f = 0; f < nfields; f++) {
        if (x->field_col[f] < 0)
            continue;
        p->field_of_col[p->ncols] = f;
        p->cols[p->ncols++] = &t->cols[x->field_col[f]];
    }
    p->nkeys = nkeys;
    for (size_t k = 0; k < nkeys; k++)
        p->key_fields[k] = (size_t)x->col_field[keys[k]];
    return 0;
}

/* The statement form and the batch's limits: a VALUES statement holds at most
 * CL_MAX_PARAMS parameters. */
static void
plan_sizes(cl_plan *p, const cl_plan_opts *o)
{
    p->form = cl_stmt_form_resolve(o->form, o->dialect);
    p->dialect = o->dialect;
    p->batch_size = o->batch_size > 0 ? o->batch_size : CL_DEFAULT_BATCH_SIZE;
    if (p->form == CL_FORM_VALUES && (size_t)p->batch_size * p->ncols > CL_MAX_PARAMS)
        p->batch_size = (int)(CL_MAX_PARAMS / p->ncols);
    if (p->batch_size < 1)
        p->batch_size = 1;
    p->batch_bytes = o->batch_bytes ? o->batch_bytes : CL_DEFAULT_BATCH_BYTES;
}

/* Which statement runs: ON CONFLICT DO NOTHING (returned true), DO UPDATE, or
 * UPSERT INTO; and whether insert first applies. */
static bool
plan_statement_kind(cl_plan *p, const cl_table *t, const cl_plan_opts *o,
                    const size_t *keys, size_t nkeys, size_t nupd)
{
    /* Nothing to update, or nothing to compare under --only-changed: the
     * conflicting row is left as it is. */
    bool do_nothing =
        o->insert_only || (nupd == 0 && (o->only_changed || o->nsets == 0));
    bool primary = cl_table_unique_on(t, keys, nkeys)->primary;

    /* UPSERT writes every listed column of a conflicting row (leaving the rest
     * alone), so it is ON CONFLICT (pk) DO UPDATE of all of them. */
    p->upsert = o->dialect == CL_DIALECT_COCKROACH && primary && !do_nothing &&
                !o->only_changed && o->ndefaults == 0 && nupd == p->ncols - nkeys;
    p->counts_unchanged = o->only_changed || o->insert_only || do_nothing;
    /* A plain INSERT checks the key with conditional writes where the upsert
     * reads the key's index first: on CockroachDB that is cheaper a row when
     * the keys are new (README, "Why insert first"). UPSERT INTO reads no
     * index it does not need. */
    p->insert_first = o->dialect == CL_DIALECT_COCKROACH && !p->upsert;
    return do_nothing;
}

/* The statement's text around the rows: head (INSERT INTO ... VALUES, or the
 * unnest SELECT), each VALUES row's end, and the tail (ON CONFLICT ...). */
static int
plan_write_sql(cl_plan *p, const plan_ctx *x, const size_t *keys, size_t nkeys,
               const size_t *upd, size_t nupd, bool do_nothing)
{
    sbuf head = {0}, tail = {0}, row_end = {0};

    write_into(&head, p, x->o);
    if (p->form == CL_FORM_VALUES) {
        sb_puts(&head, " VALUES ");
        write_exprs(&row_end, x->o);
        sb_puts(&row_end, ")");
    } else {
        write_unnest(&head, p, x->o);
    }
    if (!p->upsert)
        write_conflict(&tail, x->t, x->o, keys, nkeys, upd, nupd, do_nothing);
    p->head = sb_take(&head);
    p->tail = sb_take(&tail);
    p->row_end = sb_take(&row_end);
    if (!p->head || !p->tail || !p->row_end) {
        free(head.s);
        free(tail.s);
        free(row_end.s);
        p->head = p->tail = p->row_end = NULL;
        return CL_ENOMEM;
    }
    p->head_len = head.len;
    p->tail_len = tail.len;
    p->row_end_len = row_end.len;
    return 0;
}

int
cl_plan_new(cl_plan **out, const cl_table *t, const cl_plan_opts *o, char *err,
            size_t errlen)
{
    plan_ctx x = {t, o, err, errlen, NULL, NULL, NULL};
    cl_plan *p = NULL;
    size_t *keys = NULL, *upd = NULL, nkeys = 0, nupd = 0;
    int rc = CL_ENOMEM;

    *out = NULL;
    if (err && errlen)
        err[0] = '\0';
    x.field_col = malloc((o->nfields ? o->nfields : 1) * sizeof *x.field_col);
    x.col_field = malloc((t->ncols ? t->ncols : 1) * sizeof *x.col_field);
    x.col_assign = calloc(t->ncols ? t->ncols : 1, sizeof *x.col_assign);
    p = calloc(1, sizeof *p);
    if (!x.field_col || !x.col_field || !x.col_assign || !p)
        goto done;
    for (size_t ci = 0; ci < t->ncols; ci++)
        x.col_field[ci] = -1;
    if ((rc = plan_check(&x, &keys, &nkeys, &upd, &nupd)) != 0 ||
        (rc = plan_columns(p, &x, keys, nkeys)) != 0)
        goto done;
    plan_sizes(p, o);
    rc = plan_write_sql(p, &x, keys, nkeys, upd, nupd,
                        plan_statement_kind(p, t, o, keys, nkeys, nupd));
    if (rc == 0) {
        *out = p;
        p = NULL;
    }
done:
    cl_plan_free(p);
    if (rc == CL_ENOMEM && err && errlen)
        snprintf(err, errlen, "out of memory");
    free(keys);
    free(upd);
    free(x.field_col);
    free(x.col_field);
    free(x.col_assign);
    return rc;
}

void
cl_plan_free(cl_plan *p)
{
    if (!p)
        return;
    free(p->field_of_col);
    free(p->cols);
    free(p->key_fields);
    free(p->head);
    free(p->tail);
    free(p->row_end);
    free(p);
}

/* Bytes of nrows VALUES rows as put_rows() writes them: "(" and the row end
 * a row, ", " between rows, "$n" a parameter, ", " between those of a
 * row. */
static size_t
rows_len(const cl_plan *p, size_t nrows)
{
    size_t nparams = nrows * p->ncols;
    size_t len = nrows * (1 + p->row_end_len) + (nrows - 1) * 2;

    len += nparams + (nparams - nrows) * 2;
    for (size_t lo = 1, digits = 1; lo <= nparams; lo *= 10, digits++) {
        size_t hi = lo * 10 - 1;

        len += ((nparams < hi ? nparams : hi) - lo + 1) * digits;
    }
    return len;
}

/* "($1, $2, ...row end), ($3, $4, ...row end)" for nrows >= 1 rows at w;
 * returns the end. */
static char *
put_rows(char *w, const cl_plan *p, size_t nrows)
{
    for (size_t r = 0, n = 1; r < nrows; r++) {
        if (r) {
            memcpy(w, ", ", 2);
            w += 2;
        }
        *w++ = '(';
        for (size_t c = 0; c < p->ncols; c++, n++) {
            if (c) {
                memcpy(w, ", ", 2);
                w += 2;
            }
            *w++ = '$';
            w += put_uint(w, n);
        }
        memcpy(w, p->row_end, p->row_end_len);
        w += p->row_end_len;
    }
    return w;
}

/* The statement for nrows rows, ending with tail (tail_len bytes): the head,
 * the rows for VALUES (unnest's arrays hold any number), the tail. */
static char *
plan_sql(const cl_plan *p, size_t nrows, const char *tail, size_t tail_len)
{
    bool values = p->form != CL_FORM_UNNEST;
    char *sql, *w;

    if (values && nrows == 0)
        return NULL;
    sql = malloc(p->head_len + (values ? rows_len(p, nrows) : 0) + tail_len + 1);
    if (!sql)
        return NULL;
    memcpy(sql, p->head, p->head_len);
    w = sql + p->head_len;
    if (values)
        w = put_rows(w, p, nrows);
    memcpy(w, tail, tail_len);
    w[tail_len] = '\0';
    return sql;
}

char *
cl_plan_sql(const cl_plan *p, size_t nrows)
{
    return plan_sql(p, nrows, p->tail, p->tail_len);
}

char *
cl_plan_insert_sql(const cl_plan *p, size_t nrows)
{
    return plan_sql(p, nrows, "", 0);
}
