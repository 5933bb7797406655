/*
 * lib/src/near_names.c - what an unknown input column name probably means
 * (near_names.h).
 *
 * Only two slips are guessed, the ones spreadsheets and hand-written headers
 * make: case ("SKU", "Price") and spaces around a name (" price", after
 * "sku, price"). Anything looser (edit distance) would guess wrong on
 * tables with similar column names, and a wrong guess is worse than none.
 */
#include "near_names.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crdbload/crdbload.h"
#include "error.h"
#include "util.h"

static bool
is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static char
lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* a, trimmed of surrounding spaces, equals b ignoring ASCII case. */
static bool
near_equal(const char *a, const char *b)
{
    size_t n;

    while (is_space(*a))
        a++;
    n = strlen(a);
    while (n && is_space(a[n - 1]))
        n--;
    if (strlen(b) != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (lower(a[i]) != lower(b[i]))
            return false;
    return true;
}

int
cl_near_column(const cl_table *t, const char *name)
{
    int found = -1;

    for (size_t i = 0; i < t->ncols; i++) {
        if (t->cols[i].generated || !near_equal(name, t->cols[i].name))
            continue;
        if (found >= 0)
            return -1; /* "Sku" and "sku" both exist: no guess */
        found = (int)i;
    }
    return found;
}

/* The --columns argument for the shell: as is when every byte is safe,
 * else in single quotes (a ' written '\''). */
static void
put_shell_word(FILE *m, const char *s)
{
    static const char safe[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                               "0123456789_,.-+:@%/=";
    if (*s && strspn(s, safe) == strlen(s)) {
        fputs(s, m);
        return;
    }
    fputc('\'', m);
    for (const char *p = s; *p; p++) {
        if (*p == '\'')
            fputs("'\\''", m);
        else
            fputc(*p, m);
    }
    fputc('\'', m);
}

char *
cl_near_names_hint(const cl_table *t, const char *const *names, size_t n)
{
    int *col = calloc(n ? n : 1, sizeof *col); /* column each field loads, -1: none */
    bool *guess = calloc(n ? n : 1, sizeof *guess);
    bool *taken = calloc(t->ncols ? t->ncols : 1, sizeof *taken); /* by a field */
    bool *exact = calloc(t->ncols ? t->ncols : 1, sizeof *exact); /* by its own name */
    char *buf = NULL;
    size_t len = 0, nguess = 0;
    bool loadable = true;
    FILE *m = NULL;

    if (!col || !guess || !taken || !exact)
        goto out;
    for (size_t f = 0; f < n; f++) {
        col[f] = names[f] ? cl_table_column(t, names[f]) : -1;
        if (col[f] >= 0)
            taken[col[f]] = exact[col[f]] = true;
    }
    for (size_t f = 0; f < n; f++) {
        if (!names[f] || col[f] >= 0)
            continue;
        col[f] = cl_near_column(t, names[f]);
        if (col[f] < 0 || exact[col[f]]) {
            loadable = false; /* no guess; nor when the file has the column already */
            continue;
        }
        guess[f] = true;
        nguess++;
        if (taken[col[f]] || strchr(t->cols[col[f]].name, ','))
            loadable = false; /* two guesses name one column, or it cannot be listed */
        taken[col[f]] = true;
    }
    if (nguess == 0 || !(m = open_memstream(&buf, &len)))
        goto out;

    fputs(CL_ERR_DETAIL, m);
    for (size_t f = 0, k = 0; f < n; f++) {
        if (!guess[f])
            continue;
        fputs(k++ ? "; " : "", m);
        fprintf(m, "%s is probably %s", CL_IDENT(names[f]),
                CL_IDENT(t->cols[col[f]].name));
    }
    fputs(".", m);
    if (loadable) {
        char *list = NULL;
        size_t list_len = 0;
        FILE *l = open_memstream(&list, &list_len);

        if (l) {
            for (size_t f = 0; f < n; f++) {
                fputs(f ? "," : "", l);
                fputs(names[f] ? t->cols[col[f]].name : "-", l);
            }
            if (fclose(l) == 0 && list) {
                fputs(CL_ERR_HINT "Fix the header, or load the file as it is with: "
                                  "--columns ",
                      m);
                put_shell_word(m, list);
            }
        }
        free(list);
    }
    if (fclose(m) != 0) {
        free(buf);
        buf = NULL;
    }
out:
    free(col);
    free(guess);
    free(taken);
    free(exact);
    return buf;
}
