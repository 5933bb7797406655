/*
 * lib/src/bind.c - a batch's rows as the statement's parameters (bind.h).
 *
 * DESIGN. For VALUES each parameter points straight at a value held in the
 * batch: nothing is copied. For UNNEST each sent column travels as one array
 * literal, written into a buffer kept across calls: every literal is measured
 * first, so the buffer is made room for once, then written. The literal's
 * form matches the casts plan.c writes around it ($n::type[], or text[] for
 * a column of an array type).
 */
#include "bind.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "crdbload/crdbload.h"

static int
bind_reserve(cl_bind *bind, size_t n)
{
    const char **v;
    int *l;

    if (n <= bind->cap)
        return 0;
    v = realloc(bind->values, n * sizeof *v);
    if (!v)
        return CL_ENOMEM;
    bind->values = v;
    l = realloc(bind->lengths, n * sizeof *l);
    if (!l)
        return CL_ENOMEM; /* values is larger, harmless: cap says what both hold */
    bind->lengths = l;
    bind->cap = n;
    return 0;
}

/* VALUES: one parameter a sent value, pointing into the batch. */
static int
bind_values(const cl_plan *p, const cl_batch *b, size_t first, size_t nrows,
            cl_bind *bind)
{
    size_t n = nrows * p->ncols;

    if (n > INT_MAX || bind_reserve(bind, n) != 0)
        return CL_ENOMEM;
    for (size_t r = 0; r < nrows; r++) {
        for (size_t c = 0; c < p->ncols; c++) {
            size_t i = r * p->ncols + c, len;

            bind->values[i] = cl_batch_value(b, first + r, p->field_of_col[c], &len);
            bind->lengths[i] = (int)len;
        }
    }
    bind->nparams = (int)n;
    return 0;
}

/* Bytes of an array element as written by put_elem(). */
static size_t
elem_size(const char *v, size_t len)
{
    size_t n = len + 2;

    if (!v)
        return 4;
    for (size_t i = 0; i < len; i++)
        n += v[i] == '"' || v[i] == '\\';
    return n;
}

/* "v" with " and \ escaped, or NULL unquoted: quoting every element keeps
 * the text NULL, blanks and braces exactly as they are. */
static char *
put_elem(char *w, const char *v, size_t len)
{
    if (!v) {
        memcpy(w, "NULL", 4);
        return w + 4;
    }
    *w++ = '"';
    for (size_t i = 0; i < len; i++) {
        if (v[i] == '"' || v[i] == '\\')
            *w++ = '\\';
        *w++ = v[i];
    }
    *w++ = '"';
    return w;
}

/* Array elements are separated by the element type's typdelim: ',' for all
 * built-in types but box. */
static char
array_delim(const cl_column *c)
{
    return strcmp(c->type_name, "box") == 0 ? ';' : ',';
}

/* Bytes of field's array literal over rows [first, first+nrows) as
 * put_array() writes it, terminator not included. */
static size_t
array_size(const cl_batch *b, size_t field, size_t first, size_t nrows)
{
    size_t n = 2 + (nrows ? nrows - 1 : 0);

    for (size_t r = first; r < first + nrows; r++) {
        size_t len;
        const char *v = cl_batch_value(b, r, field, &len);

        n += elem_size(v, len);
    }
    return n;
}

/* Write field's array literal "{e,e,...}" over rows [first, first+nrows)
 * and its terminator at w; returns the end. */
static char *
put_array(char *w, const cl_batch *b, size_t field, size_t first, size_t nrows,
          char delim)
{
    *w++ = '{';
    for (size_t r = first; r < first + nrows; r++) {
        size_t len;
        const char *v = cl_batch_value(b, r, field, &len);

        if (r > first)
            *w++ = delim;
        w = put_elem(w, v, len);
    }
    *w++ = '}';
    *w++ = '\0';
    return w;
}

/* UNNEST: one array literal a sent column, in bind->buf. */
static int
bind_arrays(const cl_plan *p, const cl_batch *b, size_t first, size_t nrows,
            cl_bind *bind)
{
    size_t total = 0;
    char *w;

    if (bind_reserve(bind, p->ncols) != 0)
        return CL_ENOMEM;
    for (size_t c = 0; c < p->ncols; c++) {
        size_t n = array_size(b, p->field_of_col[c], first, nrows);

        if (n >= INT_MAX)
            return CL_ENOMEM; /* a parameter's length is an int */
        bind->lengths[c] = (int)n;
        total += n + 1;
    }
    if (total > bind->bufcap) {
        char *buf = realloc(bind->buf, total);

        if (!buf)
            return CL_ENOMEM;
        bind->buf = buf;
        bind->bufcap = total;
    }
    w = bind->buf;
    for (size_t c = 0; c < p->ncols; c++) {
        bind->values[c] = w;
        w = put_array(w, b, p->field_of_col[c], first, nrows, array_delim(p->cols[c]));
    }
    bind->nparams = (int)p->ncols;
    return 0;
}

int
cl_plan_bind(const cl_plan *p, const cl_batch *b, size_t first, size_t nrows,
             cl_bind *bind)
{
    size_t rows = cl_batch_rows(b);

    if (first > rows || nrows > rows - first || cl_batch_nfields(b) != p->nfields)
        return CL_ECONFIG; /* a caller's mistake, not the data's */
    if (p->form == CL_FORM_VALUES)
        return bind_values(p, b, first, nrows, bind);
    return bind_arrays(p, b, first, nrows, bind);
}

void
cl_bind_free(cl_bind *bind)
{
    if (!bind)
        return;
    free(bind->values);
    free(bind->lengths);
    free(bind->buf);
    memset(bind, 0, sizeof *bind);
}
