/*
 * tests/unit/test_inputs.c - a run's inputs (lib/src/inputs.c), no server:
 * every input opened and its header checked before anything is written
 * (a header that differs, a nameless field, a missing file: configuration
 * errors, with their messages), the first input kept open to be read
 * first, the sizes added up, and the names of the fields from the header
 * or --columns ("-" skips a field).
 */
#include "crdbload/crdbload.h"
#include "inputs.h"
#include "log.h"

#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct seen {
    int calls;
    char primary[512], detail[256], hint[256];
} seen;

static void
keep(void *arg, const cl_message *m)
{
    seen *s = arg;

    s->calls++;
    snprintf(s->primary, sizeof s->primary, "%s", m->primary);
    snprintf(s->detail, sizeof s->detail, "%s", m->detail ? m->detail : "");
    snprintf(s->hint, sizeof s->hint, "%s", m->hint ? m->hint : "");
}

static char dir[] = "/tmp/test_inputs.XXXXXX";

static const char *
file(const char *name, const char *text)
{
    static char paths[8][256];
    static int next;
    char *p = paths[next++ % 8];
    FILE *f;

    snprintf(p, sizeof paths[0], "%s/%s", dir, name);
    f = fopen(p, "w");
    if (!f || fputs(text, f) == EOF || fclose(f) != 0) {
        perror(p);
        exit(2);
    }
    return p;
}

/* cl_inputs_check() over files with cfg's options; the inputs stay for the
 * caller to look at and free. */
static int
check(cl_inputs *in, cl_config *cfg, cl_stats *st, const char **files, size_t n)
{
    cfg->files = files;
    cfg->nfiles = n;
    memset(st, 0, sizeof *st);
    cl_inputs_init(in, cfg);
    return cl_inputs_check(in, cfg, st);
}

int
main(void)
{
    seen s = {0};
    cl_config cfg;
    cl_stats st;
    cl_inputs in;
    cl_reader *r;
    cl_record rec;
    size_t n;

    if (!mkdtemp(dir))
        return 2;
    cl_log_route(keep, &s);
    cl_config_init(&cfg);

    /* no file: standard input */
    cl_inputs_init(&in, &cfg);
    CHECK_EQ_INT(in.npaths, 1);
    CHECK_EQ_STR(in.paths[0], "-");

    /* two inputs, one header: the first stays open, past its header */
    const char *same[] = {file("a.csv", "sku,name\nA-1,x\n"),
                          file("b.csv", "sku,name\nB-1,y\nB-2,z\n")};
    CHECK_EQ_INT(check(&in, &cfg, &st, same, 2), 0);
    CHECK_EQ_INT(s.calls, 0);
    CHECK_EQ_INT(atomic_load(&st.input_size), 15 + 21);
    CHECK_EQ_INT(in.nheader, 2);
    CHECK_EQ_STR(in.header[1], "name");
    CHECK_EQ_INT(cl_inputs_map_names(&in, &cfg), 0);
    CHECK_EQ_INT(in.nnames, 2);
    CHECK_EQ_STR(in.names[0], "sku");
    CHECK(cl_inputs_field_names(&in, &n)[1] == in.header[1] && n == 2);
    CHECK_EQ_INT(cl_inputs_reader(&in, &cfg, 0, &r), 0);
    CHECK(r != NULL && in.first == NULL);
    CHECK_EQ_INT(cl_reader_next(r, &rec), 1);
    CHECK_EQ_STR(rec.fields[0].data, "A-1");
    cl_reader_close(r);
    CHECK_EQ_INT(cl_inputs_reader(&in, &cfg, 1, &r), 0);
    CHECK_EQ_INT(cl_reader_next(r, &rec), 1);
    CHECK_EQ_STR(rec.fields[0].data, "sku"); /* from its start: the caller skips */
    cl_reader_close(r);
    cl_inputs_free(&in);

    /* a header that differs: exit 2, unless --columns names the fields */
    const char *differ[] = {same[0], file("c.csv", "sku,title\nC-1,x\n")};
    CHECK_EQ_INT(check(&in, &cfg, &st, differ, 2), CL_ECONFIG);
    CHECK_EQ_INT(s.calls, 1);
    CHECK(strstr(s.primary, "header of ") == s.primary);
    CHECK_CONTAINS(s.primary, "c.csv differs from the header of ");
    CHECK_EQ_STR(s.detail, "All inputs of one run must have the same columns.");
    CHECK(in.first != NULL); /* the first input's reader, freed with the inputs */
    cl_inputs_free(&in);
    cfg.columns = "sku,-";
    CHECK_EQ_INT(check(&in, &cfg, &st, differ, 2), 0);
    CHECK_EQ_INT(cl_inputs_map_names(&in, &cfg), 0);
    CHECK_EQ_INT(in.nnames, 2);
    CHECK_EQ_STR(in.names[0], "sku");
    CHECK(in.names[1] == NULL); /* "-": skipped */
    CHECK(cl_inputs_field_names(&in, &n) == (const char *const *)in.header);
    cl_inputs_free(&in);
    cfg.columns = NULL;

    /* a field the header names no column for */
    const char *nameless[] = {file("d.csv", "sku,,price\nD-1,x,1\n")};
    CHECK_EQ_INT(check(&in, &cfg, &st, nameless, 1), CL_ECONFIG);
    CHECK_CONTAINS(s.primary, "d.csv:1: the header names no column for field 2");
    CHECK_CONTAINS(s.hint, "--columns");
    cl_inputs_free(&in);

    /* an empty input: nothing to map (the loader's nothing_to_load) */
    const char *empty[] = {file("e.csv", "")};
    s.calls = 0;
    CHECK_EQ_INT(check(&in, &cfg, &st, empty, 1), 0);
    CHECK_EQ_INT(s.calls, 0);
    CHECK(in.header == NULL);
    cl_inputs_free(&in);

    /* a missing file, after one that opened */
    char gone[300];
    snprintf(gone, sizeof gone, "%s/nosuch.csv", dir);
    const char *missing[] = {same[0], gone};
    CHECK_EQ_INT(check(&in, &cfg, &st, missing, 2), CL_ECONFIG);
    CHECK_CONTAINS(s.primary, "nosuch.csv");
    cl_inputs_free(&in);

    /* --no-header: no header read, the names from --columns */
    cfg.no_header = true;
    cfg.columns = "sku,name";
    CHECK_EQ_INT(check(&in, &cfg, &st, same, 2), 0);
    CHECK(in.header == NULL);
    CHECK_EQ_INT(cl_inputs_map_names(&in, &cfg), 0);
    CHECK(cl_inputs_field_names(&in, &n) == (const char *const *)in.names && n == 2);
    cl_inputs_free(&in);

    cl_log_route(NULL, NULL);
    for (const char *f = "abcde"; *f; f++) {
        char p[300];
        snprintf(p, sizeof p, "%s/%c.csv", dir, *f);
        unlink(p);
    }
    rmdir(dir);
    return TEST_REPORT();
}
