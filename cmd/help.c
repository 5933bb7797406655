/*
 * cmd/help.c - the --help text (pgbench's shape: sections, a 2-space indent,
 * descriptions in one column, defaults in parentheses), --version and the
 * "Try ..." line. The defaults printed come from config.h and
 * cl_config_init(); the options listed must match long_options[] in args.c
 * (tests/cli/cases.tsv checks that every long option appears here;
 * tests/cli/man_sync.sh that cmd/crdbload.1 lists the same options and
 * defaults).
 */
#include "help.h"

#include <stdarg.h>
#include <string.h>

#include "args.h"
#include "crdbload/crdbload.h"

#define DESC_COLUMN 29 /* where descriptions start */

/*
 * One option: "  NAME" then the description at DESC_COLUMN (on the next line
 * when NAME is too long); every "\n" in the description starts a line
 * indented to DESC_COLUMN.
 */
static void option(FILE *f, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
option(FILE *f, const char *name, const char *fmt, ...)
{
    char desc[512];
    const char *p, *nl;
    int width = (int)DESC_COLUMN - 2;
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(desc, sizeof desc, fmt, ap);
    va_end(ap);

    if ((int)strlen(name) < width)
        fprintf(f, "  %-*s", width, name);
    else
        fprintf(f, "  %s\n%*s", name, DESC_COLUMN, "");
    for (p = desc; (nl = strchr(p, '\n')) != NULL; p = nl + 1)
        fprintf(f, "%.*s\n%*s", (int)(nl - p), p, DESC_COLUMN, "");
    fprintf(f, "%s\n", p);
}

void
help_usage(FILE *f)
{
    cl_config d;
    char bytes[32];

    cl_config_init(&d);

    fprintf(f, "crdbload upserts CSV product catalogs into CockroachDB or PostgreSQL.\n"
               "\n"
               "Usage:\n"
               "  crdbload [OPTION]... [FILE]...\n"
               "\n"
               "Each FILE (CSV, plain or gzip) is loaded in turn, in one run; with no\n"
               "FILE, or when FILE is -, standard input is read.\n");

    fprintf(f, "\nInput options:\n");
    option(f, "    --columns=LIST",
           "names of the file's fields, in order; - skips\n"
           "a field (default: the header line)");
    option(f, "    --delimiter=CHAR", "field delimiter, \\t for tab (default: \"%c\")",
           d.delimiter);
    option(f, "    --encoding=NAME",
           "the input's character set, converted to UTF-8:\n"
           "PostgreSQL's names (LATIN1, WIN1252, SJIS...)\n"
           "or iconv's (default: UTF8)");
    option(f, "    --no-header", "the first line is data (requires --columns)");
    option(f, "    --null=STRING",
           "unquoted text that means NULL (default: an\n"
           "empty unquoted field)");
    option(f, "    --quote=CHAR", "quote character (default: '%c')", d.quote);

    fprintf(f, "\nTable options:\n");
    option(f, "-t, --table=NAME",
           "target table, schema.table allowed, each part\n"
           "taken literally (default: %s)",
           d.table);
    option(f, "-k, --key=COLS", "conflict column(s), comma-separated (default: %s)",
           d.key);
    option(f, "    --default=COL=EXPR",
           "SQL expression written on insert only;\n"
           "repeatable, up to %d",
           CL_MAX_ASSIGN);
    option(f, "    --insert-only", "insert new rows only (ON CONFLICT DO NOTHING)");
    option(f, "    --only-changed", "update a row only when a value differs");
    option(f, "    --set=COL=EXPR",
           "SQL expression written on insert and update;\n"
           "repeatable, up to %d",
           CL_MAX_ASSIGN);
    option(f, "    --update-columns=LIST",
           "columns an update changes (default: every\n"
           "non-key column of the file)");

    fprintf(f, "\nCatalog sync options (the feed is the whole catalog):\n");
    option(f, "    --missing=ACTION",
           "keep or delete the table's rows whose key the\n"
           "feed lacks (default: keep)");
    option(f, "    --missing-set=COL=EXPR",
           "update those rows instead: COL gets EXPR;\n"
           "repeatable, up to %d",
           CL_MAX_ASSIGN);
    option(f, "    --missing-where=SQL",
           "the part of the table the feed covers\n"
           "(default: the whole table)");
    option(f, "    --max-missing=NUM|PCT%",
           "change nothing and exit 3 when more rows are\n"
           "missing (default: %g%%)",
           CL_DEFAULT_MAX_MISSING_PCT);

    fprintf(f, "\nLoading options:\n");
    option(f, "-b, --batch-size=NUM",
           "rows per statement (default: %d); the values\n"
           "form lowers it so that rows x columns <= %d",
           CL_DEFAULT_BATCH_SIZE, CL_MAX_PARAMS);
    option(f, "    --batch-bytes=SIZE",
           "cut a batch before its values pass SIZE bytes;\n"
           "suffixes kB, MB, KiB, MiB (default: %s)",
           args_format_bytes(CL_DEFAULT_BATCH_BYTES, bytes, sizeof bytes));
    option(f, "-j, --workers=NUM", "parallel connections (default: %d)",
           CL_DEFAULT_WORKERS);
    option(f, "    --max-retries=NUM",
           "retries of a batch on transient errors\n"
           "(default: %d)",
           CL_DEFAULT_MAX_RETRIES);
    option(f, "    --pipeline-depth=NUM",
           "batches in flight per connection, each its\n"
           "own transaction; 1: one at a time (default: %d)",
           CL_DEFAULT_PIPELINE_DEPTH);
    option(f, "    --batch-timeout=SECONDS",
           "a batch without a reply within SECONDS is\n"
           "taken as a lost connection: reconnect, send\n"
           "again (default: %g)",
           CL_DEFAULT_BATCH_TIMEOUT);
    option(f, "    --max-rejects=NUM",
           "abort once more than NUM rows are rejected\n"
           "(default: unlimited)");
    option(f, "    --checkpoint=FILE",
           "record committed progress in FILE and resume\n"
           "from it on a rerun; removed on success; one\n"
           "run at a time");
    option(f, "    --dialect=DIALECT", "auto, postgres or cockroach (default: auto)");
    option(f, "    --statement-form=FORM",
           "auto, values or unnest (default: auto): how\n"
           "rows travel, one parameter a value or one\n"
           "array a column; auto is unnest on CockroachDB\n"
           "and values on PostgreSQL");
    option(f, "    --prepared-statements=MODE",
           "auto: prepare each batch shape once, unnamed\n"
           "statements once a pooler loses one; off:\n"
           "unnamed from the start (default: auto)");
    option(f, "    --dry-run", "connect and validate every row, write nothing");

    fprintf(f, "\nOutput options:\n");
    option(f, "    --rejects=FILE",
           "write rejected rows to FILE (CSV, with their\n"
           "line and error); a resumed --checkpoint run\n"
           "appends to it");
    option(f, "    --progress=MODE",
           "auto, bar, log, json or none (default: auto,\n"
           "a bar on a terminal and log lines otherwise)");
    option(f, "    --progress-interval=SECONDS",
           "seconds between progress lines (default: %g)", d.progress_interval);
    option(f, "    --summary-json=FILE",
           "write the summary as JSON to FILE (- for stdout)");
    option(f, "    --metrics-file=FILE",
           "at the end of every run, the summary as\n"
           "Prometheus metrics in FILE, replaced atomically\n"
           "(for node_exporter's textfile collector)");
    option(f, "-q, --quiet", "print errors only: no progress, no summary");

    fprintf(f, "\nConnection options:\n");
    option(f, "-d, --url=URL",
           "libpq URI or key=value string (default:\n"
           "$DATABASE_URL, else libpq's PGHOST, PGPORT...)");

    fprintf(f, "\nCommon options:\n");
    option(f, "-V, --version", "output version information, then exit");
    option(f, "-?, -h, --help", "show this help, then exit");

    fprintf(f, "\nExit status:\n"
               "  0  every row read was written, unchanged or merged\n"
               "  1  finished, but some rows were rejected\n"
               "  2  usage or configuration error; nothing was written\n"
               "  3  aborted: could not connect, fatal database error, retries\n"
               "     exhausted, too many rejects, interrupted, or the summary or\n"
               "     the metrics could not be written\n");
}

void
help_version(FILE *f)
{
    fprintf(f, "crdbload %s\n", cl_version());
}

void
help_try(void)
{
    fprintf(stderr, "Try \"crdbload --help\" for more information.\n");
}
