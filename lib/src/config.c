/* lib/src/config.c - the defaults of SPEC.md, and the rules between options. */
#include "crdbload/crdbload.h"

#include <stdbool.h>
#include <string.h>

#include "error.h"
#include "util.h"

void
cl_config_init(cl_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->table = "products";
    cfg->key = "sku";
    cfg->delimiter = ',';
    cfg->quote = '"';
    cfg->batch_size = CL_DEFAULT_BATCH_SIZE;
    cfg->batch_bytes = CL_DEFAULT_BATCH_BYTES;
    cfg->workers = CL_DEFAULT_WORKERS;
    cfg->max_retries = CL_DEFAULT_MAX_RETRIES;
    cfg->batch_timeout = CL_DEFAULT_BATCH_TIMEOUT;
    cfg->pipeline_depth = CL_DEFAULT_PIPELINE_DEPTH;
    cfg->max_rejects = -1;
    cfg->dialect = CL_DIALECT_AUTO;
    cfg->statement_form = CL_FORM_AUTO; /* resolved once the dialect is known */
    cfg->max_missing_rows = -1;
    cfg->max_missing_pct = CL_DEFAULT_MAX_MISSING_PCT;
    cfg->progress = CL_PROGRESS_AUTO;
    cfg->progress_interval = 10.0;
}

static bool
is_line_end(char c)
{
    return c == '\n' || c == '\r';
}

/* The column of --set or --default number i (sets first). */
static const char *
assigned_column(const cl_config *cfg, size_t i)
{
    return i < cfg->nsets ? cfg->sets[i].column : cfg->defaults[i - cfg->nsets].column;
}

int
cl_config_check(const cl_config *cfg, char *err, size_t errlen)
{
    size_t nstdin = 0, nassigned = cfg->nsets + cfg->ndefaults;

    if (is_line_end(cfg->delimiter) || is_line_end(cfg->quote))
        return cl_errf(CL_ECONFIG, err, errlen,
                       "%s cannot be newline or carriage return",
                       is_line_end(cfg->delimiter) ? "--delimiter" : "--quote");
    if (cfg->delimiter == cfg->quote)
        return cl_errf(CL_ECONFIG, err, errlen,
                       "--delimiter and --quote must be different");
    for (size_t i = 0; i < cfg->nfiles; i++)
        if (strcmp(cfg->files[i], "-") == 0 && ++nstdin > 1)
            return cl_errf(CL_ECONFIG, err, errlen,
                           "standard input (\"-\") can be given only once");
    for (size_t i = 0; i < nassigned; i++)
        for (size_t j = i + 1; j < nassigned; j++)
            if (strcmp(assigned_column(cfg, i), assigned_column(cfg, j)) == 0)
                return cl_errf(CL_ECONFIG, err, errlen,
                               "column %s is given more than once in --set/--default",
                               CL_IDENT(assigned_column(cfg, i)));
    return 0;
}
