/*
 * tests/unit/test_checkpoint.c - lib/src/checkpoint.c: a first run, save
 * and resume, what is refused (other inputs, settings, a corrupt file, an
 * input as the checkpoint, an unwritable directory), removal, and the saver
 * thread. No server needed; works in a temp dir.
 */
#include "checkpoint.h"

#include <fcntl.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "crdbload/crdbload.h"
#include "testutil.h"

static char dir[256];

static char *
path_in(const char *name)
{
    static char buf[64][512]; /* enough for every name a test holds at once */
    static int k;
    char *p = buf[k++ % 64];
    snprintf(p, 512, "%s/%s", dir, name);
    return p;
}

static void
write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

static bool
exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

static int
open_ck(cl_ckpt **c, const char *ck, const char *const *in, size_t n,
        const char *settings, cl_ckpt_pos *pos, bool *found, char *err)
{
    return cl_ckpt_open(c, ck, in, n, settings, pos, found, err, 1024);
}

static void
test_roundtrip(void)
{
    const char *in[] = {path_in("a.csv"), path_in("b.csv")};
    char ck[512], err[1024] = "";
    cl_ckpt *c = NULL;
    cl_ckpt_pos pos = {9, 9};
    bool found = true;

    snprintf(ck, sizeof ck, "%s", path_in("ck"));
    write_file(in[0], "sku\nA\nB\n");
    write_file(in[1], "sku\nC\n");

    /* a first run: nothing to resume from, nothing written yet */
    CHECK_EQ_INT(open_ck(&c, ck, in, 2, "s=1", &pos, &found, err), 0);
    CHECK(!found);
    CHECK_EQ_INT(pos.file, 0);
    CHECK_EQ_INT(pos.record, 0);
    CHECK(!exists(ck));
    CHECK_EQ_INT(cl_ckpt_save(c, (cl_ckpt_pos){1, 12345678901ull}, err, sizeof err), 0);
    CHECK(exists(ck));
    CHECK(!exists(path_in("ck.tmp")));
    CHECK_EQ_INT(cl_ckpt_saved(c).record, 12345678901ull);
    cl_ckpt_free(c);

    /* the rerun resumes there */
    CHECK_EQ_INT(open_ck(&c, ck, in, 2, "s=1", &pos, &found, err), 0);
    CHECK(found);
    CHECK_EQ_INT(pos.file, 1);
    CHECK_EQ_INT(pos.record, 12345678901ull);
    CHECK_EQ_INT(cl_ckpt_remove(c, err, sizeof err), 0);
    CHECK(!exists(ck));
    CHECK_EQ_INT(cl_ckpt_remove(c, err, sizeof err), 0); /* gone already: fine */
    cl_ckpt_free(c);
}

static void
test_refused(void)
{
    const char *in[] = {path_in("a.csv")};
    const char *two[] = {path_in("a.csv"), path_in("a.csv")};
    const char *other[] = {path_in("other.csv")};
    char ck[512], err[1024] = "";
    cl_ckpt *c = NULL;
    cl_ckpt_pos pos;
    bool found;

    snprintf(ck, sizeof ck, "%s", path_in("ck2"));
    write_file(in[0], "sku\nA\nB\n");
    write_file(other[0], "sku\nA\nBB\n");
    CHECK_EQ_INT(open_ck(&c, ck, in, 1, "s=1", &pos, &found, err), 0);
    if (!c) {
        fprintf(stderr, "%s\n", err);
        return;
    }
    CHECK_EQ_INT(cl_ckpt_save(c, (cl_ckpt_pos){0, 1}, err, sizeof err), 0);
    cl_ckpt_free(c);

    CHECK_EQ_INT(open_ck(&c, ck, other, 1, "s=1", &pos, &found, err), CL_ECONFIG);
    CHECK(c == NULL);
    CHECK_CONTAINS(err, "has another size");
    CHECK_EQ_INT(pos.record, 0);
    CHECK_EQ_INT(open_ck(&c, ck, two, 2, "s=1", &pos, &found, err), CL_ECONFIG);
    CHECK_CONTAINS(err, "written for 1 input, this run has 2");
    CHECK_EQ_INT(open_ck(&c, ck, in, 1, "s=2", &pos, &found, err), CL_ECONFIG);
    CHECK_CONTAINS(err, "other settings (s=1; this run: s=2)");

    /* other content, same size, mtime put back: only the hash tells */
    struct stat st;
    CHECK_EQ_INT(stat(in[0], &st), 0);
    write_file(in[0], "sku\nA\nC\n");
    struct timespec times[2] = {st.st_atim, st.st_mtim};
    CHECK_EQ_INT(utimensat(AT_FDCWD, in[0], times, 0), 0);
    CHECK_EQ_INT(open_ck(&c, ck, in, 1, "s=1", &pos, &found, err), CL_ECONFIG);
    CHECK_CONTAINS(err, "has other content");
    /* the original content, another mtime */
    write_file(in[0], "sku\nA\nB\n");
    times[1].tv_sec -= 10;
    CHECK_EQ_INT(utimensat(AT_FDCWD, in[0], times, 0), 0);
    CHECK_EQ_INT(open_ck(&c, ck, in, 1, "s=1", &pos, &found, err), CL_ECONFIG);
    CHECK_CONTAINS(err, "another modification time");

    write_file(path_in("bad.ck"), "crdbload-checkpoint 1\nsettings s=1\nposition x\n");
    CHECK_EQ_INT(open_ck(&c, path_in("bad.ck"), in, 1, "s=1", &pos, &found, err),
                 CL_ECONFIG);
    CHECK_CONTAINS(err, "not a valid crdbload checkpoint");

    /* an empty file (touch): nothing to resume */
    write_file(path_in("empty.ck"), "");
    CHECK_EQ_INT(open_ck(&c, path_in("empty.ck"), in, 1, "s=1", &pos, &found, err), 0);
    CHECK(!found);
    cl_ckpt_free(c);

    CHECK_EQ_INT(open_ck(&c, in[0], in, 1, "s=1", &pos, &found, err), CL_ECONFIG);
    CHECK_CONTAINS(err, "is an input of this run");
    CHECK_EQ_INT(open_ck(&c, path_in("no/such/ck"), in, 1, "s=1", &pos, &found, err),
                 CL_ECONFIG);
    CHECK_CONTAINS(err, "cannot be written");
    CHECK_EQ_INT(open_ck(&c, ck, other + 0, 1, "s=1", &pos, &found, err), CL_ECONFIG);
    const char *missing[] = {path_in("missing.csv")};
    CHECK_EQ_INT(open_ck(&c, ck, missing, 1, "s=1", &pos, &found, err), CL_EIO);
}

static atomic_uint_fast64_t ticks_pos;

static cl_ckpt_pos
position(void *ctx)
{
    (void)ctx;
    return (cl_ckpt_pos){0, atomic_load(&ticks_pos)};
}

static void
test_saver(void)
{
    const char *in[] = {path_in("a.csv")};
    char ck[512], err[1024] = "";
    cl_ckpt *c = NULL;
    cl_ckpt_pos pos;
    bool found;
    struct timespec ms50 = {0, 50 * 1000000L};

    snprintf(ck, sizeof ck, "%s", path_in("ck3"));
    CHECK_EQ_INT(open_ck(&c, ck, in, 1, "s", &pos, &found, err), 0);
    atomic_store(&ticks_pos, 7);
    CHECK_EQ_INT(cl_ckpt_start(c, 0.02, position, NULL), 0);
    for (int i = 0; i < 100 && cl_ckpt_saved(c).record != 7; i++)
        nanosleep(&ms50, NULL);
    CHECK_EQ_INT(cl_ckpt_saved(c).record, 7);
    atomic_store(&ticks_pos, 99);
    for (int i = 0; i < 100 && cl_ckpt_saved(c).record != 99; i++)
        nanosleep(&ms50, NULL);
    cl_ckpt_stop(c);
    cl_ckpt_stop(c); /* twice: a no-op */
    cl_ckpt_free(c);
    CHECK_EQ_INT(open_ck(&c, ck, in, 1, "s", &pos, &found, err), 0);
    CHECK(found);
    CHECK_EQ_INT(pos.record, 99);
    cl_ckpt_free(c);
}

int
main(void)
{
    char tmpl[] = "/tmp/test_checkpoint.XXXXXX";
    char cmd[600];

    if (!mkdtemp(tmpl)) {
        perror("mkdtemp");
        return 1;
    }
    snprintf(dir, sizeof dir, "%s", tmpl);
    CHECK(cl_ckpt_pos_cmp((cl_ckpt_pos){0, 5}, (cl_ckpt_pos){1, 0}) < 0);
    CHECK(cl_ckpt_pos_cmp((cl_ckpt_pos){1, 5}, (cl_ckpt_pos){1, 5}) == 0);
    CHECK(cl_ckpt_pos_cmp((cl_ckpt_pos){1, 6}, (cl_ckpt_pos){1, 5}) > 0);
    test_roundtrip();
    test_refused();
    test_saver();
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    return TEST_REPORT();
}
