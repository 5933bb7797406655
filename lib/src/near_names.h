/*
 * lib/src/near_names.h - private: what an input column name the table lacks
 * probably means (a header written "SKU" or " price" for "sku" and "price").
 */
#ifndef CRDBLOAD_NEAR_NAMES_H
#define CRDBLOAD_NEAR_NAMES_H

#include <stddef.h>

#include "schema.h"

/*
 * The column of t that name probably means: the only one equal to it when
 * ASCII case and surrounding spaces are ignored. -1 when there is none, or
 * more than one (then no guess is better than a wrong one).
 */
int cl_near_column(const cl_table *t, const char *name);

/*
 * Lines to append to the "does not exist" error for the input's names
 * (one per field; NULL for a skipped field), or NULL when no unknown name
 * has a near column that the input does not name already (or out of
 * memory). The first line names each guess:
 *   Detail: "SKU" is probably "sku"; " price" is probably "price".
 * A second one, when every unknown name has a guess and the guesses name no
 * column twice, is the option that loads the file as it is:
 *   Hint: To load the file as it is, add: --columns 'sku,name,price'
 * (shell-quoted where needed: --columns takes each name literally). Each
 * line starts with a newline. Caller frees.
 */
char *cl_near_names_hint(const cl_table *t, const char *const *names, size_t n);

#endif
