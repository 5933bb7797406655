/*
 * lib/src/checkpoint.c - --checkpoint FILE (checkpoint.h).
 *
 * The position itself is the ledger's (ledger.c), saved for a run by
 * resume.c: this file only knows how to name the inputs, keep the position
 * durably on disk, and tick.
 */
#include "checkpoint.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "crdbload/crdbload.h"
#include "log.h"
#include "util.h"

#define MAGIC "crdbload-checkpoint 1"
#define SHA_LEN 32

typedef struct input_id {
    const char *path; /* borrowed from the caller's list */
    uint64_t size;
    long long mtime_s;
    long mtime_ns;
    unsigned char sha[SHA_LEN];
} input_id;

struct cl_ckpt {
    char *path;
    char *tmp_path;  /* path + ".tmp", same directory: rename is atomic */
    char *lock_path; /* path + ".lock": see "One run per checkpoint" */
    int lock_fd;     /* holds the lock for the whole run; -1 when none */
    int dirfd;       /* the directory, fsynced after rename and unlink */
    char *settings;
    input_id *ids;
    size_t nids;

    pthread_mutex_t mu; /* saved, the file, and the thread's state */
    pthread_cond_t wake;
    cl_ckpt_pos saved;
    pthread_t thread;
    bool running;
    bool stopping;
    bool warned;
    long interval_ms;
    cl_ckpt_position_fn position;
    void *ctx;
};

int
cl_ckpt_pos_cmp(cl_ckpt_pos a, cl_ckpt_pos b)
{
    if (a.file != b.file)
        return a.file < b.file ? -1 : 1;
    if (a.record != b.record)
        return a.record < b.record ? -1 : 1;
    return 0;
}

/* Size, mtime and the hash of the first CL_CKPT_HASH_BYTES of path. */
static int
identify(input_id *id, const char *path, char *err, size_t errlen)
{
    unsigned char *buf;
    struct stat st;
    size_t have = 0;
    unsigned int mdlen = 0;
    int fd;

    id->path = path;
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || fstat(fd, &st) != 0) {
        snprintf(err, errlen, "could not open file \"%s\": %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return CL_EIO;
    }
    id->size = (uint64_t)st.st_size;
    id->mtime_s = (long long)st.st_mtim.tv_sec;
    id->mtime_ns = st.st_mtim.tv_nsec;
    buf = malloc(CL_CKPT_HASH_BYTES);
    if (!buf) {
        close(fd);
        snprintf(err, errlen, "out of memory");
        return CL_ENOMEM;
    }
    while (have < CL_CKPT_HASH_BYTES) {
        ssize_t n = read(fd, buf + have, CL_CKPT_HASH_BYTES - have);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            snprintf(err, errlen, "could not read file \"%s\": %s", path,
                     strerror(errno));
            free(buf);
            close(fd);
            return CL_EIO;
        }
        if (n == 0)
            break;
        have += (size_t)n;
    }
    close(fd);
    if (!EVP_Digest(buf, have, id->sha, &mdlen, EVP_sha256(), NULL) ||
        mdlen != SHA_LEN) {
        free(buf);
        snprintf(err, errlen, "could not compute SHA-256 of \"%s\"", path);
        return CL_ENOMEM;
    }
    free(buf);
    return 0;
}

static void
hex(const unsigned char *b, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[b[i] >> 4];
        out[2 * i + 1] = digits[b[i] & 15];
    }
    out[2 * n] = '\0';
}

/* ---- reading ------------------------------------------------------------ */

/* The next line without its newline into *line (getline's buffer), or NULL
 * at the end. */
static char *
next_line(FILE *f, char **line, size_t *cap)
{
    ssize_t n = getline(line, cap, f);
    if (n < 0)
        return NULL;
    if (n > 0 && (*line)[n - 1] == '\n')
        (*line)[n - 1] = '\0';
    return *line;
}

static int
corrupt(const cl_ckpt *c, const char *what, char *err, size_t errlen)
{
    snprintf(
        err, errlen,
        "checkpoint \"%s\" is not a valid crdbload checkpoint (%s); remove it to load "
        "from the start",
        c->path, what);
    return CL_ECONFIG;
}

/* Compare the checkpoint in f with this run. */
static int
read_existing(cl_ckpt *c, FILE *f, cl_ckpt_pos *resume, char *err, size_t errlen)
{
    char *line = NULL;
    size_t cap = 0, n = 0;
    int rc = 0;
    cl_ckpt_pos pos;

    if (!next_line(f, &line, &cap) || strcmp(line, MAGIC) != 0) {
        rc = corrupt(c, "bad first line", err, errlen);
        goto out;
    }
    if (!next_line(f, &line, &cap) || strncmp(line, "settings ", 9) != 0) {
        rc = corrupt(c, "no settings", err, errlen);
        goto out;
    }
    if (strcmp(line + 9, c->settings) != 0) {
        snprintf(
            err, errlen,
            "checkpoint \"%s\" was written with other settings (%s; this run: %s); "
            "rerun with the same options, or remove it to load from the start",
            c->path, line + 9, c->settings);
        rc = CL_ECONFIG;
        goto out;
    }
    if (!next_line(f, &line, &cap) ||
        sscanf(line, "position %zu %" SCNu64, &pos.file, &pos.record) != 2) {
        rc = corrupt(c, "no position", err, errlen);
        goto out;
    }
    if (!next_line(f, &line, &cap) || sscanf(line, "inputs %zu", &n) != 1) {
        rc = corrupt(c, "no inputs", err, errlen);
        goto out;
    }
    if (n != c->nids) {
        snprintf(
            err, errlen,
            "checkpoint \"%s\" was written for %zu input%s, this run has %zu; rerun "
            "with the inputs it was written for, or remove it to load from the start",
            c->path, n, n == 1 ? "" : "s", c->nids);
        rc = CL_ECONFIG;
        goto out;
    }
    if (pos.file >= n) {
        rc = corrupt(c, "position past the inputs", err, errlen);
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        const input_id *id = &c->ids[i];
        size_t idx;
        uint64_t size;
        long long ms;
        long mns;
        char sha[2 * SHA_LEN + 1], want[2 * SHA_LEN + 1], what_buf[96];
        const char *what = NULL;

        if (!next_line(f, &line, &cap) ||
            sscanf(line, "input %zu %" SCNu64 " %lld.%ld %64s", &idx, &size, &ms, &mns,
                   sha) != 5 ||
            idx != i) {
            rc = corrupt(c, "bad input line", err, errlen);
            goto out;
        }
        hex(id->sha, SHA_LEN, want);
        if (size != id->size) {
            snprintf(what_buf, sizeof what_buf,
                     "another size (%" PRIu64 " bytes, was %" PRIu64 ")", id->size,
                     size);
            what = what_buf;
        } else if (ms != id->mtime_s || mns != id->mtime_ns) {
            what = "another modification time";
        } else if (strcmp(sha, want) != 0) {
            what = "other content";
        }
        if (what) {
            snprintf(
                err, errlen,
                "checkpoint \"%s\" was written for a different input: \"%s\" has %s; "
                "rerun with the input it was written for, or remove it to load from "
                "the start",
                c->path, cl_input_name(id->path), what);
            rc = CL_ECONFIG;
            goto out;
        }
    }
    *resume = pos;
out:
    free(line);
    return rc;
}

/* ---- writing ------------------------------------------------------------ */

static bool
write_all(int fd, const char *s, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, s, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return false;
        s += w;
        n -= (size_t)w;
    }
    return true;
}

/* The file's text; caller frees; NULL on OOM. */
static char *
render(const cl_ckpt *c, cl_ckpt_pos pos, size_t *len)
{
    char *buf = NULL;
    size_t cap = 0;
    FILE *m = open_memstream(&buf, &cap);
    char sha[2 * SHA_LEN + 1];

    if (!m)
        return NULL;
    fprintf(m, "%s\nsettings %s\nposition %zu %" PRIu64 "\ninputs %zu\n", MAGIC,
            c->settings, pos.file, pos.record, c->nids);
    for (size_t i = 0; i < c->nids; i++) {
        const input_id *id = &c->ids[i];
        hex(id->sha, SHA_LEN, sha);
        fprintf(m, "input %zu %" PRIu64 " %lld.%09ld %s ", i, id->size, id->mtime_s,
                id->mtime_ns, sha);
        /* the path is only for people: one line whatever it holds */
        for (const char *p = id->path; *p; p++) {
            if (*p == '\\')
                fputs("\\\\", m);
            else if (*p == '\n')
                fputs("\\n", m);
            else
                fputc(*p, m);
        }
        fputc('\n', m);
    }
    if (ferror(m)) {
        fclose(m);
        free(buf);
        return NULL;
    }
    if (fclose(m) != 0) {
        free(buf);
        return NULL;
    }
    *len = cap;
    return buf;
}

/* Write, fsync, rename, fsync the directory. Called with c->mu held. */
static int
save_locked(cl_ckpt *c, cl_ckpt_pos pos, char *err, size_t errlen)
{
    size_t len = 0;
    char *text = render(c, pos, &len);
    int fd;

    if (!text) {
        snprintf(err, errlen, "out of memory");
        return CL_ENOMEM;
    }
    fd = open(c->tmp_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0) {
        snprintf(err, errlen, "could not create checkpoint file \"%s\": %s",
                 c->tmp_path, strerror(errno));
        free(text);
        return CL_EIO;
    }
    if (!write_all(fd, text, len) || fsync(fd) != 0) {
        snprintf(err, errlen, "could not write checkpoint file \"%s\": %s", c->tmp_path,
                 strerror(errno));
        close(fd);
        unlink(c->tmp_path);
        free(text);
        return CL_EIO;
    }
    free(text);
    if (close(fd) != 0 || rename(c->tmp_path, c->path) != 0) {
        snprintf(err, errlen, "could not write checkpoint file \"%s\": %s", c->path,
                 strerror(errno));
        unlink(c->tmp_path);
        return CL_EIO;
    }
    /* The rename is durable only once the directory is. */
    if (fsync(c->dirfd) != 0 && errno != EINVAL) {
        snprintf(err, errlen, "could not sync the directory of \"%s\": %s", c->path,
                 strerror(errno));
        return CL_EIO;
    }
    c->saved = pos;
    return 0;
}

int
cl_ckpt_save(cl_ckpt *c, cl_ckpt_pos pos, char *err, size_t errlen)
{
    pthread_mutex_lock(&c->mu);
    int rc = save_locked(c, pos, err, errlen);
    pthread_mutex_unlock(&c->mu);
    return rc;
}

int
cl_ckpt_remove(cl_ckpt *c, char *err, size_t errlen)
{
    int rc = 0;

    pthread_mutex_lock(&c->mu);
    if (unlink(c->path) != 0 && errno != ENOENT) {
        snprintf(err, errlen, "could not remove checkpoint file \"%s\": %s", c->path,
                 strerror(errno));
        rc = CL_EIO;
    } else if (fsync(c->dirfd) != 0 && errno != EINVAL) {
        snprintf(err, errlen, "could not sync the directory of \"%s\": %s", c->path,
                 strerror(errno));
        rc = CL_EIO;
    }
    pthread_mutex_unlock(&c->mu);
    return rc;
}

cl_ckpt_pos
cl_ckpt_saved(cl_ckpt *c)
{
    pthread_mutex_lock(&c->mu);
    cl_ckpt_pos pos = c->saved;
    pthread_mutex_unlock(&c->mu);
    return pos;
}

const char *
cl_ckpt_path(const cl_ckpt *c)
{
    return c->path;
}

/* ---- the saver thread --------------------------------------------------- */

static void *
saver_main(void *arg)
{
    cl_ckpt *c = arg;
    char err[512];

    pthread_mutex_lock(&c->mu);
    while (!c->stopping) {
        struct timespec until;

        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_sec += c->interval_ms / 1000;
        until.tv_nsec += (c->interval_ms % 1000) * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        while (!c->stopping &&
               pthread_cond_timedwait(&c->wake, &c->mu, &until) != ETIMEDOUT)
            ;
        if (c->stopping)
            break;
        /* Asked without c->mu: position() takes the pool's locks. */
        pthread_mutex_unlock(&c->mu);
        cl_ckpt_pos pos = c->position(c->ctx);
        pthread_mutex_lock(&c->mu);
        if (c->stopping || cl_ckpt_pos_cmp(pos, c->saved) == 0)
            continue;
        if (save_locked(c, pos, err, sizeof err) != 0 && !c->warned) {
            c->warned = true; /* the older checkpoint on disk is still valid */
            cl_log(CL_LOG_WARNING, "%s", err);
        }
    }
    pthread_mutex_unlock(&c->mu);
    return NULL;
}

int
cl_ckpt_start(cl_ckpt *c, double interval_s, cl_ckpt_position_fn position, void *ctx)
{
    if (c->running)
        return 0;
    c->interval_ms = interval_s > 0.001 ? (long)(interval_s * 1000) : 1;
    c->position = position;
    c->ctx = ctx;
    c->stopping = false;
    if (pthread_create(&c->thread, NULL, saver_main, c) != 0)
        return CL_ENOMEM;
    c->running = true;
    return 0;
}

void
cl_ckpt_stop(cl_ckpt *c)
{
    if (!c || !c->running)
        return;
    pthread_mutex_lock(&c->mu);
    c->stopping = true;
    pthread_cond_signal(&c->wake);
    pthread_mutex_unlock(&c->mu);
    pthread_join(c->thread, NULL);
    c->running = false;
}

/* ---- one run per checkpoint --------------------------------------------- */

/*
 * The lock is a POSIX record lock on FILE.lock, not on FILE: saves replace
 * FILE by rename, and a lock on the old inode would lock nothing. FILE.lock
 * is never renamed; it is unlinked only by its holder, on the way out. A run
 * that opened it just before that unlink could lock the dead inode, so after
 * locking, the name must still lead to the inode locked, else try again.
 * The kernel drops the lock when its holder dies (kill -9 included); a stale
 * FILE.lock is simply locked again. F_GETLK names the holder's process.
 */
static int
take_lock(cl_ckpt *c, char *err, size_t errlen)
{
    for (int attempt = 0; attempt < 100; attempt++) {
        struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
        struct stat held, named;
        int fd = open(c->lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);

        if (fd < 0) {
            snprintf(err, errlen, "could not open lock file \"%s\": %s", c->lock_path,
                     strerror(errno));
            return CL_ECONFIG;
        }
        if (fcntl(fd, F_SETLK, &fl) != 0) {
            int e = errno;
            struct flock who = {.l_type = F_WRLCK, .l_whence = SEEK_SET};

            if (e != EACCES && e != EAGAIN) {
                snprintf(err, errlen, "could not lock \"%s\": %s", c->lock_path,
                         strerror(e));
                close(fd);
                return CL_ECONFIG;
            }
            if (fcntl(fd, F_GETLK, &who) == 0 && who.l_type != F_UNLCK && who.l_pid > 0)
                cl_errf_detail(
                    0, err, errlen, NULL,
                    "One run per checkpoint: wait for that run to end, or give this "
                    "one another --checkpoint file.",
                    "checkpoint \"%s\" is in use by another crdbload run (process %ld)",
                    c->path, (long)who.l_pid);
            else
                snprintf(err, errlen,
                         "checkpoint \"%s\" is in use by another crdbload run (lock "
                         "file \"%s\")",
                         c->path, c->lock_path);
            close(fd);
            return CL_ECONFIG;
        }
        if (fstat(fd, &held) == 0 && stat(c->lock_path, &named) == 0 &&
            held.st_dev == named.st_dev && held.st_ino == named.st_ino) {
            char pid[32];
            int n = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
            /* for people looking at the file; the lock itself is the truth */
            if (ftruncate(fd, 0) == 0)
                (void)write_all(fd, pid, (size_t)n);
            c->lock_fd = fd;
            return 0;
        }
        close(fd); /* unlinked by the run that held it: lock the new one */
    }
    snprintf(err, errlen, "could not lock \"%s\": it keeps being replaced",
             c->lock_path);
    return CL_ECONFIG;
}

/* Unlink while still holding it (see take_lock), then let go. */
static void
drop_lock(cl_ckpt *c)
{
    if (c->lock_fd < 0)
        return;
    unlink(c->lock_path);
    close(c->lock_fd);
    c->lock_fd = -1;
}

/* ---- open and free ------------------------------------------------------ */

void
cl_ckpt_free(cl_ckpt *c)
{
    if (!c)
        return;
    cl_ckpt_stop(c);
    drop_lock(c);
    if (c->dirfd >= 0)
        close(c->dirfd);
    pthread_mutex_destroy(&c->mu);
    pthread_cond_destroy(&c->wake);
    free(c->path);
    free(c->tmp_path);
    free(c->lock_path);
    free(c->settings);
    free(c->ids);
    free(c);
}

/* The directory of path, opened for fsync; checked to be writable, so that
 * a typo fails before the load rather than at the first save. */
static int
open_dir(cl_ckpt *c, char *err, size_t errlen)
{
    char *copy = strdup(c->path);
    const char *dir;

    if (!copy) {
        snprintf(err, errlen, "out of memory");
        return CL_ENOMEM;
    }
    dir = dirname(copy);
    c->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (c->dirfd < 0 || access(dir, W_OK | X_OK) != 0) {
        snprintf(err, errlen,
                 "checkpoint file \"%s\" cannot be written: directory \"%s\": %s",
                 c->path, dir, strerror(errno));
        free(copy);
        return CL_ECONFIG;
    }
    free(copy);
    return 0;
}

/* A checkpoint with its copies of path and settings, nothing opened yet. */
static cl_ckpt *
ckpt_new(const char *path, const char *settings, size_t ninputs)
{
    cl_ckpt *c = calloc(1, sizeof *c);
    pthread_condattr_t ca;

    if (!c)
        return NULL;
    c->dirfd = -1;
    c->lock_fd = -1;
    pthread_mutex_init(&c->mu, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&c->wake, &ca);
    pthread_condattr_destroy(&ca);
    c->path = strdup(path);
    c->settings = strdup(settings);
    c->tmp_path = malloc(strlen(path) + 5);
    c->lock_path = malloc(strlen(path) + 6);
    c->ids = calloc(ninputs ? ninputs : 1, sizeof *c->ids);
    c->nids = ninputs;
    if (!c->path || !c->settings || !c->tmp_path || !c->lock_path || !c->ids) {
        cl_ckpt_free(c);
        return NULL;
    }
    sprintf(c->tmp_path, "%s.tmp", path);
    sprintf(c->lock_path, "%s.lock", path);
    /* The settings share a line with their key: keep them on it. */
    for (char *s = c->settings; *s; s++)
        if (*s == '\n' || *s == '\r')
            *s = ' ';
    return c;
}

/* What is at c->path: 0 and *st when there is a file to read back, 1 when
 * there is nothing to resume from (no file, or an empty one), else an error.
 * The file must be a regular file and none of the inputs. */
static int
stat_existing(const cl_ckpt *c, const char *const *inputs, size_t ninputs,
              struct stat *st, char *err, size_t errlen)
{
    if (stat(c->path, st) != 0)
        return errno == ENOENT ? 1
                               : cl_errf(CL_ECONFIG, err, errlen,
                                         "could not open checkpoint file \"%s\": %s",
                                         c->path, strerror(errno));
    if (!S_ISREG(st->st_mode))
        return cl_errf(CL_ECONFIG, err, errlen,
                       "checkpoint file \"%s\" is not a regular file", c->path);
    for (size_t i = 0; i < ninputs; i++) {
        struct stat is;
        if (stat(inputs[i], &is) == 0 && is.st_dev == st->st_dev &&
            is.st_ino == st->st_ino)
            return cl_errf(CL_ECONFIG, err, errlen,
                           "checkpoint file \"%s\" is an input of this run", c->path);
    }
    return st->st_size == 0 ? 1 : 0; /* made by touch, say: nothing to resume from */
}

/* Read back an earlier run's checkpoint into *resume. */
static int
read_back(cl_ckpt *c, cl_ckpt_pos *resume, char *err, size_t errlen)
{
    FILE *f = fopen(c->path, "r");
    int rc;

    if (!f)
        return cl_errf(CL_ECONFIG, err, errlen,
                       "could not open checkpoint file \"%s\": %s", c->path,
                       strerror(errno));
    rc = read_existing(c, f, resume, err, errlen);
    fclose(f);
    return rc;
}

int
cl_ckpt_open(cl_ckpt **out, const char *path, const char *const *inputs, size_t ninputs,
             const char *settings, cl_ckpt_pos *resume, bool *found, char *err,
             size_t errlen)
{
    cl_ckpt *c;
    struct stat st;
    int rc;

    *out = NULL;
    *found = false;
    resume->file = 0;
    resume->record = 0;
    if (!(c = ckpt_new(path, settings, ninputs)))
        return cl_errf(CL_ENOMEM, err, errlen, "out of memory");
    if ((rc = open_dir(c, err, errlen)) != 0 || (rc = take_lock(c, err, errlen)) != 0)
        goto fail;
    for (size_t i = 0; i < ninputs; i++)
        if ((rc = identify(&c->ids[i], inputs[i], err, errlen)) != 0)
            goto fail;
    rc = stat_existing(c, inputs, ninputs, &st, err, errlen);
    if (rc == 1) { /* a first run */
        *out = c;
        return 0;
    }
    if (rc != 0 || (rc = read_back(c, resume, err, errlen)) != 0)
        goto fail;
    c->saved = *resume;
    *found = true;
    *out = c;
    return 0;

fail:
    cl_ckpt_free(c);
    resume->file = 0;
    resume->record = 0;
    return rc;
}
