/*
 * cmd/args.c - argv -> struct cl_config.
 *
 * getopt_long() over one table sorted by long name; long-only options have
 * named C_* values (curl's style). Numbers go through option_parse_int(),
 * shaped like PostgreSQL's: whole-string check, then range. Every check that
 * involves more than one option is in check_options(), run once after
 * parsing (PostgreSQL's check_mut_excl_opts()). Errors are reported through
 * cli_log() in the PostgreSQL message style; the caller prints the "Try ..."
 * line and exits 2. Option values are never echoed for -d/--url.
 */
#include "args.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "message.h"
#include "help.h"

/* Long-only options; short ones use their letter. Above any char value. */
enum {
    C_BATCH_BYTES = 256,
    C_BATCH_TIMEOUT,
    C_CHECKPOINT,
    C_COLUMNS,
    C_DEFAULT,
    C_DELIMITER,
    C_DIALECT,
    C_DRY_RUN,
    C_ENCODING,
    C_INSERT_ONLY,
    C_MAX_MISSING,
    C_MAX_REJECTS,
    C_MAX_RETRIES,
    C_METRICS_FILE,
    C_MISSING,
    C_MISSING_SET,
    C_MISSING_WHERE,
    C_NO_HEADER,
    C_NULL,
    C_ONLY_CHANGED,
    C_PIPELINE_DEPTH,
    C_PREPARED_STATEMENTS,
    C_PROGRESS,
    C_PROGRESS_INTERVAL,
    C_QUOTE,
    C_REJECTS,
    C_SET,
    C_STATEMENT_FORM,
    C_SUMMARY_JSON,
    C_UPDATE_COLUMNS,
};

/* Sorted by long name. help.c lists every one of them. */
static const struct option long_options[] = {
    {"batch-bytes", required_argument, NULL, C_BATCH_BYTES},
    {"batch-size", required_argument, NULL, 'b'},
    {"batch-timeout", required_argument, NULL, C_BATCH_TIMEOUT},
    {"checkpoint", required_argument, NULL, C_CHECKPOINT},
    {"columns", required_argument, NULL, C_COLUMNS},
    {"default", required_argument, NULL, C_DEFAULT},
    {"delimiter", required_argument, NULL, C_DELIMITER},
    {"dialect", required_argument, NULL, C_DIALECT},
    {"dry-run", no_argument, NULL, C_DRY_RUN},
    {"encoding", required_argument, NULL, C_ENCODING},
    {"help", no_argument, NULL, 'h'},
    {"insert-only", no_argument, NULL, C_INSERT_ONLY},
    {"key", required_argument, NULL, 'k'},
    {"max-missing", required_argument, NULL, C_MAX_MISSING},
    {"max-rejects", required_argument, NULL, C_MAX_REJECTS},
    {"max-retries", required_argument, NULL, C_MAX_RETRIES},
    {"metrics-file", required_argument, NULL, C_METRICS_FILE},
    {"missing", required_argument, NULL, C_MISSING},
    {"missing-set", required_argument, NULL, C_MISSING_SET},
    {"missing-where", required_argument, NULL, C_MISSING_WHERE},
    {"no-header", no_argument, NULL, C_NO_HEADER},
    {"null", required_argument, NULL, C_NULL},
    {"only-changed", no_argument, NULL, C_ONLY_CHANGED},
    {"pipeline-depth", required_argument, NULL, C_PIPELINE_DEPTH},
    {"prepared-statements", required_argument, NULL, C_PREPARED_STATEMENTS},
    {"progress", required_argument, NULL, C_PROGRESS},
    {"progress-interval", required_argument, NULL, C_PROGRESS_INTERVAL},
    {"quiet", no_argument, NULL, 'q'},
    {"quote", required_argument, NULL, C_QUOTE},
    {"rejects", required_argument, NULL, C_REJECTS},
    {"set", required_argument, NULL, C_SET},
    {"statement-form", required_argument, NULL, C_STATEMENT_FORM},
    {"summary-json", required_argument, NULL, C_SUMMARY_JSON},
    {"table", required_argument, NULL, 't'},
    {"update-columns", required_argument, NULL, C_UPDATE_COLUMNS},
    {"url", required_argument, NULL, 'd'},
    {"version", no_argument, NULL, 'V'},
    {"workers", required_argument, NULL, 'j'},
    {NULL, 0, NULL, 0},
};

/* Leading ':' : a missing argument returns ':', an unknown option '?'. */
static const char short_options[] = ":b:d:hj:k:qt:V";

/* Ranges of the numeric options. */
#define WORKERS_MAX 256
#define MAX_RETRIES_MAX 1000
#define BATCH_BYTES_MIN (64LL * 1024)
#define BATCH_BYTES_MAX (256LL * 1024 * 1024)
#define PROGRESS_INTERVAL_MAX 86400.0
#define BATCH_TIMEOUT_MAX 86400.0
#define PIPELINE_DEPTH_MAX 64

/* Byte suffixes of --batch-bytes: SI and IEC, case as written. */
struct unit {
    const char *name;
    long long mult;
};

static const struct unit byte_units[] = {
    {"B", 1},
    {"kB", 1000},
    {"KiB", 1024},
    {"MB", 1000 * 1000},
    {"MiB", 1024 * 1024},
    {"GB", 1000 * 1000 * 1000},
    {"GiB", 1024 * 1024 * 1024},
    {NULL, 0},
};

static const char *const dialect_names[] = {"auto", "postgres", "cockroach", NULL};
/* in cl_stmt_form order */
static const char *const form_names[] = {"auto", "values", "unnest", NULL};
static const char *const prepared_names[] = {"auto", "off", NULL};
static const char *const progress_names[] = {"auto", "bar",  "log",
                                             "json", "none", NULL};
/* --missing's values, in cl_missing_mode order (update comes from --missing-set) */
static const char *const missing_names[] = {"keep", "delete", NULL};

/*
 * "-j/--workers" or "--batch-bytes" for the option whose getopt value is
 * val, as messages name it. A static buffer: parsing is single-threaded.
 */
static const char *
option_name(int val)
{
    static char buf[64];
    const struct option *o;

    for (o = long_options; o->name; o++) {
        if (o->val != val)
            continue;
        if (val < 256)
            snprintf(buf, sizeof buf, "-%c/--%s", val, o->name);
        else
            snprintf(buf, sizeof buf, "--%s", o->name);
        return buf;
    }
    snprintf(buf, sizeof buf, "-%c", val);
    return buf;
}

const char *
args_format_bytes(unsigned long long n, char *buf, size_t len)
{
    const struct unit *best = NULL;
    const struct unit *u;

    /* The largest IEC unit that divides n exactly; plain bytes otherwise. */
    for (u = byte_units; u->name; u++)
        if (strstr(u->name, "iB") && n != 0 && n % (unsigned long long)u->mult == 0)
            best = u;
    if (best)
        snprintf(buf, len, "%llu%s", n / (unsigned long long)best->mult, best->name);
    else
        snprintf(buf, len, "%llu", n);
    return buf;
}

/*
 * The one number parser, after PostgreSQL's option_parse_int(): an optionally
 * signed decimal integer making up the whole argument (no spaces, no
 * fraction), then, when units is not NULL, optionally one of its suffixes;
 * the value must lie in min..max. Reports the error and returns false
 * otherwise.
 */
static bool
option_parse_int(const char *arg, int opt, long long min, long long max,
                 const struct unit *units, long long *result)
{
    const struct unit *u = NULL;
    char *end;
    long long val;
    bool overflow;

    errno = 0;
    val = strtoll(arg, &end, 10);
    overflow = (errno == ERANGE);
    if (*arg == '\0' || isspace((unsigned char)*arg) || end == arg)
        goto invalid;
    if (*end != '\0') {
        if (!units)
            goto invalid;
        for (u = units; u->name; u++)
            if (strcmp(end, u->name) == 0)
                break;
        if (!u->name)
            goto invalid;
        if (val > LLONG_MAX / u->mult || val < LLONG_MIN / u->mult)
            overflow = true;
        else
            val *= u->mult;
    }
    if (overflow || val < min || val > max) {
        if (units) {
            char lo[32], hi[32];
            cli_log(CL_LOG_ERROR, "%s must be in range %s..%s", option_name(opt),
                    args_format_bytes((unsigned long long)min, lo, sizeof lo),
                    args_format_bytes((unsigned long long)max, hi, sizeof hi));
        } else {
            cli_log(CL_LOG_ERROR, "%s must be in range %lld..%lld", option_name(opt),
                    min, max);
        }
        return false;
    }
    *result = val;
    return true;

invalid:
    cli_log(CL_LOG_ERROR, "invalid value \"%s\" for option %s", arg, option_name(opt));
    return false;
}

/* Seconds: plain decimal notation ("10", "0.5"), greater than 0, at most max. */
static bool
option_parse_seconds(const char *arg, int opt, double max, double *result)
{
    const char *digits = arg + (*arg == '+' || *arg == '-');
    const char *dot = strchr(digits, '.');
    double val;

    if (digits[strspn(digits, "0123456789.")] != '\0' ||
        !strpbrk(digits, "0123456789") || (dot && strchr(dot + 1, '.'))) {
        cli_log(CL_LOG_ERROR, "invalid value \"%s\" for option %s", arg,
                option_name(opt));
        return false;
    }
    errno = 0;
    val = strtod(arg, NULL);
    if (errno == ERANGE || !isfinite(val) || !(val > 0) || val > max) {
        cli_log(CL_LOG_ERROR, "%s must be greater than 0 and at most %g",
                option_name(opt), max);
        return false;
    }
    *result = val;
    return true;
}

/* One of names (index = enum value), or an error listing the choices. */
static bool
option_parse_choice(const char *arg, int opt, const char *const *names, int *result)
{
    char detail[256];
    size_t len;
    int i;

    for (i = 0; names[i]; i++) {
        if (strcmp(arg, names[i]) == 0) {
            *result = i;
            return true;
        }
    }
    len = (size_t)snprintf(detail, sizeof detail, "Valid values are");
    for (i = 0; names[i] && len < sizeof detail; i++) {
        const char *sep = i == 0 ? " " : names[i + 1] ? ", " : " and ";
        len += (size_t)snprintf(detail + len, sizeof detail - len, "%s\"%s\"", sep,
                                names[i]);
    }
    if (len < sizeof detail)
        snprintf(detail + len, sizeof detail - len, ".");
    cli_log_detail(CL_LOG_ERROR, detail, "invalid value \"%s\" for option %s", arg,
                   option_name(opt));
    return false;
}

/* --max-missing: a count of rows ("100") or a percent of the covered rows
 * ("5%", "0.5%"), plain decimal notation, at most 100%. */
static bool
option_parse_max_missing(const char *arg, int opt, cl_config *cfg)
{
    size_t n = strlen(arg);
    long long num;

    if (n > 1 && arg[n - 1] == '%') {
        char digits[32];
        const char *dot;
        double pct;

        if (n - 1 >= sizeof digits)
            goto invalid;
        memcpy(digits, arg, n - 1);
        digits[n - 1] = '\0';
        dot = strchr(digits, '.');
        if (digits[strspn(digits, "0123456789.")] != '\0' ||
            !strpbrk(digits, "0123456789") || (dot && strchr(dot + 1, '.')))
            goto invalid;
        pct = strtod(digits, NULL);
        if (!(pct >= 0 && pct <= 100)) {
            cli_log(CL_LOG_ERROR, "%s must be in range 0%%..100%%", option_name(opt));
            return false;
        }
        cfg->max_missing_pct = pct;
        cfg->max_missing_rows = -1;
        return true;
    }
    if (arg[strspn(arg, "+-0123456789")] != '\0')
        goto invalid;
    if (!option_parse_int(arg, opt, 0, LLONG_MAX, NULL, &num))
        return false;
    cfg->max_missing_rows = num;
    return true;

invalid:
    cli_log_detail(CL_LOG_ERROR, "Give a number of rows (100) or a percent (5%).",
                   "invalid value \"%s\" for option %s", arg, option_name(opt));
    return false;
}

/* One one-byte character, or "\t" for a tab. */
static bool
option_parse_char(const char *arg, int opt, char *result)
{
    char c;

    if (strcmp(arg, "\\t") == 0)
        c = '\t';
    else if (arg[0] != '\0' && arg[1] == '\0' && (unsigned char)arg[0] < 0x80)
        c = arg[0];
    else {
        cli_log_detail(CL_LOG_ERROR, "Give one one-byte character, or \\t for a tab.",
                       "invalid value \"%s\" for option %s", arg, option_name(opt));
        return false;
    }
    *result = c; /* a line end is refused by cl_config_check() */
    return true;
}

/* A name or a list: any text but the empty string. */
static bool
option_parse_nonempty(const char *arg, int opt, const char **result)
{
    if (*arg == '\0') {
        cli_log(CL_LOG_ERROR, "%s must not be empty", option_name(opt));
        return false;
    }
    *result = arg;
    return true;
}

/* COL=EXPR, split at the first '='; both parts non-empty. */
static bool
option_parse_assign(const char *arg, int opt, cl_assign *list, size_t *n)
{
    const char *eq = strchr(arg, '=');
    char *column;

    if (!eq || eq == arg || eq[1] == '\0') {
        cli_log_detail(CL_LOG_ERROR,
                       "Expected COL=EXPR, with a column name and an expression.",
                       "invalid value \"%s\" for option %s", arg, option_name(opt));
        return false;
    }
    if (*n >= CL_MAX_ASSIGN) {
        cli_log(CL_LOG_ERROR, "too many %s options (at most %d)", option_name(opt),
                CL_MAX_ASSIGN);
        return false;
    }
    column = strndup(arg, (size_t)(eq - arg));
    if (!column) {
        cli_log(CL_LOG_ERROR, "out of memory");
        return false;
    }
    list[*n].column = column;
    list[*n].expr = eq + 1;
    (*n)++;
    return true;
}

/* Report what getopt_long() refused; it printed nothing (opterr = 0). */
static void
report_getopt_error(int c, char **argv)
{
    const char *arg = argv[optind - 1];

    if (c == ':') {
        cli_log(CL_LOG_ERROR, "option %s requires an argument", option_name(optopt));
    } else if (optopt != 0 && strncmp(arg, "--", 2) == 0) {
        /* a known long option without argument, given "=value" */
        cli_log(CL_LOG_ERROR, "option %s does not take an argument",
                option_name(optopt));
    } else if (optopt != 0) {
        cli_log(CL_LOG_ERROR, "invalid option \"-%c\"", optopt);
    } else {
        /* Unknown or ambiguous long option. Name only: "=value" may be a secret. */
        size_t len = strcspn(arg + 2, "=");
        const struct option *o;
        int matches = 0;

        for (o = long_options; o->name; o++)
            if (strncmp(o->name, arg + 2, len) == 0)
                matches++;
        if (matches > 1)
            cli_log(CL_LOG_ERROR, "option \"--%.*s\" is ambiguous", (int)len, arg + 2);
        else
            cli_log(CL_LOG_ERROR, "unrecognized option \"--%.*s\"", (int)len, arg + 2);
    }
}

static bool
is_stdin(const char *path)
{
    return strcmp(path, "-") == 0;
}

/* Two options name the same output file, or an output file is an input. */
static bool
check_output_paths(const cl_config *cfg)
{
    struct {
        const char *opt;
        const char *path;
    } out[] = {
        {"--rejects", cfg->rejects_path},
        {"--checkpoint", cfg->checkpoint_path},
        {"--summary-json",
         cfg->summary_json && !is_stdin(cfg->summary_json) ? cfg->summary_json : NULL},
        {"--metrics-file", cfg->metrics_file},
    };
    size_t i, j;

    for (i = 0; i < sizeof out / sizeof out[0]; i++) {
        if (!out[i].path)
            continue;
        for (j = i + 1; j < sizeof out / sizeof out[0]; j++) {
            if (out[j].path && strcmp(out[i].path, out[j].path) == 0) {
                cli_log(CL_LOG_ERROR, "options %s and %s name the same file \"%s\"",
                        out[i].opt, out[j].opt, out[i].path);
                return false;
            }
        }
        for (j = 0; j < cfg->nfiles; j++) {
            if (strcmp(out[i].path, cfg->files[j]) == 0) {
                cli_log(CL_LOG_ERROR, "option %s names the input file \"%s\"",
                        out[i].opt, out[i].path);
                return false;
            }
        }
    }
    return true;
}

/*
 * --missing=keep|delete and --missing-set (update) choose one action; the
 * options that shape it need one. missing_given, guard_given: the option
 * was on the command line.
 */
static bool
check_missing(cl_config *cfg, bool missing_given, bool guard_given)
{
    if (cfg->nmissing_sets > 0) {
        if (missing_given) {
            cli_log_detail(
                CL_LOG_ERROR,
                "--missing-set updates the missing rows instead of deleting them.",
                "options --missing and --missing-set cannot be used together");
            return false;
        }
        cfg->missing = CL_MISSING_UPDATE;
    }
    if (cfg->missing == CL_MISSING_KEEP && (cfg->missing_where || guard_given)) {
        cli_log(CL_LOG_ERROR, "option %s requires --missing=delete or --missing-set",
                cfg->missing_where ? "--missing-where" : "--max-missing");
        return false;
    }
    return true;
}

/* Every check of option combinations, once all options are read. */
static bool
check_options(const cl_config *cfg)
{
    size_t i, nstdin = 0;
    char err[512];

    if (cfg->no_header && !cfg->columns) {
        cli_log(CL_LOG_ERROR, "option --no-header requires --columns");
        return false;
    }
    if (cfg->insert_only && cfg->only_changed) {
        cli_log(CL_LOG_ERROR,
                "options --insert-only and --only-changed cannot be used together");
        return false;
    }
    if (cfg->insert_only && cfg->update_columns) {
        cli_log(CL_LOG_ERROR,
                "options --insert-only and --update-columns cannot be used together");
        return false;
    }
    /* the rules the library checks: its words, before anything is done */
    if (cl_config_check(cfg, err, sizeof err) != 0) {
        cli_log(CL_LOG_ERROR, "%s", err);
        return false;
    }
    if (cfg->null_string) {
        if (strchr(cfg->null_string, cfg->delimiter)) {
            cli_log(CL_LOG_ERROR, "--null must not contain the delimiter character");
            return false;
        }
        if (strchr(cfg->null_string, cfg->quote)) {
            cli_log(CL_LOG_ERROR, "--null must not contain the quote character");
            return false;
        }
        if (strpbrk(cfg->null_string, "\r\n")) {
            cli_log(CL_LOG_ERROR, "--null cannot contain newline or carriage return");
            return false;
        }
    }

    for (i = 0; i < cfg->nfiles; i++) {
        if (cfg->files[i][0] == '\0') {
            cli_log(CL_LOG_ERROR, "an input file name must not be empty");
            return false;
        }
        if (is_stdin(cfg->files[i]))
            nstdin++;
    }
    if (cfg->checkpoint_path && (cfg->nfiles == 0 || nstdin > 0)) {
        cli_log_detail(CL_LOG_ERROR, "Standard input cannot be read again to resume.",
                       "--checkpoint needs a file input");
        return false;
    }
    return check_output_paths(cfg);
}

/* The field an on/off option sets, or NULL. */
static bool *
flag_field(cl_config *cfg, int c)
{
    switch (c) {
    case 'q':
        return &cfg->quiet;
    case C_DRY_RUN:
        return &cfg->dry_run;
    case C_INSERT_ONLY:
        return &cfg->insert_only;
    case C_NO_HEADER:
        return &cfg->no_header;
    case C_ONLY_CHANGED:
        return &cfg->only_changed;
    }
    return NULL;
}

/* The field an option of any text but "" sets, or NULL. */
static const char **
text_field(cl_config *cfg, int c)
{
    switch (c) {
    case 'k':
        return &cfg->key;
    case 't':
        return &cfg->table;
    case C_CHECKPOINT:
        return &cfg->checkpoint_path;
    case C_COLUMNS:
        return &cfg->columns;
    case C_ENCODING:
        return &cfg->encoding;
    case C_METRICS_FILE:
        return &cfg->metrics_file;
    case C_MISSING_WHERE:
        return &cfg->missing_where;
    case C_REJECTS:
        return &cfg->rejects_path;
    case C_SUMMARY_JSON:
        return &cfg->summary_json;
    case C_UPDATE_COLUMNS:
        return &cfg->update_columns;
    }
    return NULL;
}

/* The options that take a number, a duration or a size. */
static bool
parse_number(int c, const char *arg, cl_config *cfg)
{
    long long num;

    switch (c) {
    case 'b':
        if (!option_parse_int(arg, c, 1, CL_MAX_PARAMS, NULL, &num))
            return false;
        cfg->batch_size = (int)num;
        return true;
    case 'j':
        if (!option_parse_int(arg, c, 1, WORKERS_MAX, NULL, &num))
            return false;
        cfg->workers = (int)num;
        return true;
    case C_BATCH_BYTES:
        if (!option_parse_int(arg, c, BATCH_BYTES_MIN, BATCH_BYTES_MAX, byte_units,
                              &num))
            return false;
        cfg->batch_bytes = (size_t)num;
        return true;
    case C_MAX_REJECTS:
        if (!option_parse_int(arg, c, 0, LLONG_MAX, NULL, &num))
            return false;
        cfg->max_rejects = num;
        return true;
    case C_MAX_RETRIES:
        if (!option_parse_int(arg, c, 0, MAX_RETRIES_MAX, NULL, &num))
            return false;
        cfg->max_retries = (int)num;
        return true;
    case C_PIPELINE_DEPTH:
        if (!option_parse_int(arg, c, 1, PIPELINE_DEPTH_MAX, NULL, &num))
            return false;
        cfg->pipeline_depth = (int)num;
        return true;
    case C_BATCH_TIMEOUT:
        return option_parse_seconds(arg, c, BATCH_TIMEOUT_MAX, &cfg->batch_timeout);
    case C_PROGRESS_INTERVAL:
        return option_parse_seconds(arg, c, PROGRESS_INTERVAL_MAX,
                                    &cfg->progress_interval);
    }
    return false;
}

/* The options that take one word of a list. */
static bool
parse_choice(int c, const char *arg, cl_config *cfg)
{
    int choice;

    switch (c) {
    case C_DIALECT:
        if (!option_parse_choice(arg, c, dialect_names, &choice))
            return false;
        cfg->dialect = (cl_dialect)choice;
        return true;
    case C_STATEMENT_FORM:
        if (!option_parse_choice(arg, c, form_names, &choice))
            return false;
        cfg->statement_form = (cl_stmt_form)choice;
        return true;
    case C_MISSING:
        if (!option_parse_choice(arg, c, missing_names, &choice))
            return false;
        cfg->missing = (cl_missing_mode)choice;
        return true;
    case C_PREPARED_STATEMENTS:
        if (!option_parse_choice(arg, c, prepared_names, &choice))
            return false;
        cfg->no_prepared = choice == 1;
        return true;
    case C_PROGRESS:
        if (!option_parse_choice(arg, c, progress_names, &choice))
            return false;
        cfg->progress = (cl_progress_mode)choice;
        return true;
    }
    return false;
}

/* Options given on the command line, for the checks that need to know. */
typedef struct given {
    bool missing; /* --missing */
    bool guard;   /* --max-missing */
} given;

/* One option of getopt_long's; false after its error message. */
static bool
parse_option(int c, const char *arg, cl_config *cfg, given *g)
{
    bool *flag = flag_field(cfg, c);
    const char **text = text_field(cfg, c);

    if (flag) {
        *flag = true;
        return true;
    }
    if (text)
        return option_parse_nonempty(arg, c, text);
    switch (c) {
    case 'd':
        cfg->url = arg; /* never echoed: it may hold a password */
        return true;
    case C_NULL:
        cfg->null_string = arg; /* "" is the default made explicit */
        return true;
    case C_DELIMITER:
        return option_parse_char(arg, c, &cfg->delimiter);
    case C_QUOTE:
        return option_parse_char(arg, c, &cfg->quote);
    case C_DEFAULT:
        return option_parse_assign(arg, c, cfg->defaults, &cfg->ndefaults);
    case C_SET:
        return option_parse_assign(arg, c, cfg->sets, &cfg->nsets);
    case C_MISSING_SET:
        return option_parse_assign(arg, c, cfg->missing_sets, &cfg->nmissing_sets);
    case C_MAX_MISSING:
        g->guard = true;
        return option_parse_max_missing(arg, c, cfg);
    case C_MISSING:
        g->missing = true;
        return parse_choice(c, arg, cfg);
    case C_DIALECT:
    case C_STATEMENT_FORM:
    case C_PREPARED_STATEMENTS:
    case C_PROGRESS:
        return parse_choice(c, arg, cfg);
    case 'b':
    case 'j':
    case C_BATCH_BYTES:
    case C_MAX_REJECTS:
    case C_MAX_RETRIES:
    case C_PIPELINE_DEPTH:
    case C_BATCH_TIMEOUT:
    case C_PROGRESS_INTERVAL:
        return parse_number(c, arg, cfg);
    }
    cli_log(CL_LOG_ERROR, "unhandled option %s", option_name(c));
    return false;
}

/* --help and --version first, whatever follows (handle_help_version_opts). */
static bool
help_or_version_first(int argc, char **argv)
{
    if (argc < 2)
        return false;
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-?") == 0 ||
        strcmp(argv[1], "-h") == 0) {
        help_usage(stdout);
        return true;
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
        help_version(stdout);
        return true;
    }
    return false;
}

args_status
args_parse(int argc, char **argv, cl_config *cfg)
{
    given g = {false, false};
    int c;

    cl_config_init(cfg);
    if (help_or_version_first(argc, argv))
        return ARGS_DONE;

    opterr = 0; /* our own messages, in the PostgreSQL style */
    optind = 1;
    while ((c = getopt_long(argc, argv, short_options, long_options, NULL)) != -1) {
        switch (c) {
        case 'h':
            help_usage(stdout);
            return ARGS_DONE;
        case 'V':
            help_version(stdout);
            return ARGS_DONE;
        case '?':
            if (optopt == '?') { /* -? given explicitly */
                help_usage(stdout);
                return ARGS_DONE;
            }
            report_getopt_error(c, argv);
            return ARGS_USAGE;
        case ':':
            report_getopt_error(c, argv);
            return ARGS_USAGE;
        default:
            if (!parse_option(c, optarg, cfg, &g))
                return ARGS_USAGE;
        }
    }

    /* argv[argc] is NULL, so this list is NULL-terminated, empty or not. */
    cfg->files = (const char **)(argv + optind);
    cfg->nfiles = (size_t)(argc - optind);

    if (!cfg->url) {
        const char *env = getenv("DATABASE_URL");
        cfg->url = (env && *env) ? env : NULL;
    }

    if (!check_missing(cfg, g.missing, g.guard))
        return ARGS_USAGE;
    return check_options(cfg) ? ARGS_RUN : ARGS_USAGE;
}

void
args_free(cl_config *cfg)
{
    size_t i;

    for (i = 0; i < cfg->nsets; i++)
        free((char *)cfg->sets[i].column);
    for (i = 0; i < cfg->ndefaults; i++)
        free((char *)cfg->defaults[i].column);
    for (i = 0; i < cfg->nmissing_sets; i++)
        free((char *)cfg->missing_sets[i].column);
    cfg->nsets = cfg->ndefaults = cfg->nmissing_sets = 0;
}
