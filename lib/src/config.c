/* lib/src/config.c - the defaults of SPEC.md. */
#include "crdbload/crdbload.h"

#include <string.h>

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
