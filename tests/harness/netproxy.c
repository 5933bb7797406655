/*
 * tests/harness/netproxy.c - a TCP proxy that misbehaves on request, for the
 * network fault tests (tests/integration/fault_net*.sh, pooler.sh) and
 * bench/distance.sh. netem is not available on these machines' kernels.
 *
 *   netproxy -t HOST:PORT [-d MS] [-p PORTFILE]
 *
 * Listens on 127.0.0.1 on a free port (written to PORTFILE, else printed on
 * standard output, once, when it is ready) and forwards every connection to
 * HOST:PORT (an IPv4 address). Controlled by signals, so that a test needs
 * nothing but kill(1):
 *
 *   -d MS     delay every chunk by MS milliseconds in each direction (a round
 *             trip of 2 x MS); the order of bytes is kept
 *   SIGUSR1   hang: stop reading, writing and accepting; every socket stays
 *             open (a frozen middlebox: the kernel still ACKs what fits in
 *             its buffers, so TCP keepalives never fire)
 *   SIGUSR2   resume forwarding (what was delayed or held goes on at once)
 *   SIGHUP    reset every connection open now, both sides (RST: SO_LINGER 0)
 *   SIGTERM, SIGINT   exit
 *
 * It also exits when its parent dies (PR_SET_PDEATHSIG), so a test killed by
 * CTest's timeout leaves no proxy behind. Single-threaded: poll(2) over every
 * socket; at most MAX_QUEUED bytes held per direction (reading stops beyond:
 * back pressure, as a real link has).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_CONNS 256
#define CHUNK 65536
#define MAX_QUEUED (16u << 20) /* bytes held per direction */

typedef struct chunk {
    struct chunk *next;
    int64_t due_ms; /* forward at or after this time */
    size_t len, off;
    char data[];
} chunk;

/* One direction of a connection: what was read from `from`, for `to`. */
typedef struct pipe_dir {
    chunk *head, *tail;
    size_t queued;
    bool eof; /* `from` closed: shut `to` down once the queue is empty */
} pipe_dir;

typedef struct conn {
    bool used;
    int fd[2];       /* 0: client, 1: server */
    pipe_dir dir[2]; /* dir[i]: read from fd[i], written to fd[1 - i] */
} conn;

static volatile sig_atomic_t hang, want_reset, want_exit;
static conn conns[MAX_CONNS];

static void
on_signal(int sig)
{
    if (sig == SIGUSR1)
        hang = 1;
    else if (sig == SIGUSR2)
        hang = 0;
    else if (sig == SIGHUP)
        want_reset = 1;
    else
        want_exit = 1;
}

static int64_t
now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
die(const char *what)
{
    fprintf(stderr, "netproxy: %s: %s\n", what, strerror(errno));
    exit(1);
}

static void
set_nonblock(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
        die("fcntl");
}

static void
close_conn(conn *c, bool reset)
{
    for (int i = 0; i < 2; i++) {
        if (reset) {
            struct linger l = {.l_onoff = 1, .l_linger = 0};
            setsockopt(c->fd[i], SOL_SOCKET, SO_LINGER, &l, sizeof l);
        }
        close(c->fd[i]);
        for (chunk *k = c->dir[i].head, *next; k; k = next) {
            next = k->next;
            free(k);
        }
    }
    memset(c, 0, sizeof *c);
}

static void
accept_one(int lfd, const struct sockaddr_in *target)
{
    int cfd = accept(lfd, NULL, NULL), sfd, one = 1;
    conn *c = NULL;

    if (cfd < 0)
        return;
    for (int i = 0; i < MAX_CONNS && !c; i++)
        if (!conns[i].used)
            c = &conns[i];
    sfd = socket(AF_INET, SOCK_STREAM, 0);
    if (!c || sfd < 0 ||
        connect(sfd, (const struct sockaddr *)target, sizeof *target) != 0) {
        fprintf(stderr, "netproxy: could not connect to the target: %s\n",
                strerror(errno));
        if (sfd >= 0)
            close(sfd);
        close(cfd);
        return;
    }
    setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    setsockopt(sfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    set_nonblock(cfd);
    set_nonblock(sfd);
    c->used = true;
    c->fd[0] = cfd;
    c->fd[1] = sfd;
}

/* Read what fd[i] has into dir[i]. Returns false when the connection ends. */
static bool
pump_in(conn *c, int i, int delay_ms)
{
    pipe_dir *d = &c->dir[i];
    chunk *k = malloc(sizeof *k + CHUNK);
    ssize_t n;

    if (!k)
        return false;
    n = read(c->fd[i], k->data, CHUNK);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
        free(k);
        return true;
    }
    if (n <= 0) {
        free(k);
        if (n < 0)
            return false; /* reset: pass it on by closing both */
        d->eof = true;
        return true;
    }
    k->next = NULL;
    k->len = (size_t)n;
    k->off = 0;
    k->due_ms = now_ms() + delay_ms;
    if (d->tail)
        d->tail->next = k;
    else
        d->head = k;
    d->tail = k;
    d->queued += (size_t)n;
    return true;
}

/* Write what is due from dir[i] to fd[1 - i]. Returns false on error. */
static bool
pump_out(conn *c, int i, int64_t now)
{
    pipe_dir *d = &c->dir[i];

    while (d->head && d->head->due_ms <= now) {
        chunk *k = d->head;
        ssize_t n = write(c->fd[1 - i], k->data + k->off, k->len - k->off);
        if (n < 0)
            return errno == EAGAIN || errno == EINTR;
        k->off += (size_t)n;
        d->queued -= (size_t)n;
        if (k->off < k->len)
            return true;
        d->head = k->next;
        if (!d->head)
            d->tail = NULL;
        free(k);
    }
    if (!d->head && d->eof)
        shutdown(c->fd[1 - i], SHUT_WR);
    return true;
}

int
main(int argc, char **argv)
{
    const char *target_s = NULL, *portfile = NULL;
    int delay_ms = 0, opt, lfd, one = 1;
    struct sockaddr_in target = {.sin_family = AF_INET}, me = {.sin_family = AF_INET};
    socklen_t melen = sizeof me;
    struct sigaction sa;
    pid_t parent = getppid();

    while ((opt = getopt(argc, argv, "t:d:p:")) != -1) {
        if (opt == 't')
            target_s = optarg;
        else if (opt == 'd')
            delay_ms = atoi(optarg);
        else if (opt == 'p')
            portfile = optarg;
        else
            target_s = NULL, optind = argc + 1;
    }
    char host[64];
    const char *colon = target_s ? strrchr(target_s, ':') : NULL;
    if (!colon || optind != argc || delay_ms < 0 ||
        (size_t)(colon - target_s) >= sizeof host) {
        fprintf(stderr, "usage: netproxy -t HOST:PORT [-d MS] [-p PORTFILE]\n");
        return 2;
    }
    memcpy(host, target_s, (size_t)(colon - target_s));
    host[colon - target_s] = '\0';
    target.sin_port = htons((uint16_t)atoi(colon + 1));
    if (inet_pton(AF_INET, host, &target.sin_addr) != 1) {
        fprintf(stderr, "netproxy: %s is not an IPv4 address\n", host);
        return 2;
    }

    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent)
        return 0; /* the parent died before the line above */
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask); /* no SA_RESTART: poll returns at once */
    sigaction(SIGUSR1, &sa, NULL);
    sigaction(SIGUSR2, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    lfd = socket(AF_INET, SOCK_STREAM, 0);
    if (lfd < 0)
        die("socket");
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    me.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(lfd, (struct sockaddr *)&me, sizeof me) != 0 || listen(lfd, 64) != 0 ||
        getsockname(lfd, (struct sockaddr *)&me, &melen) != 0)
        die("listen");
    set_nonblock(lfd);
    if (portfile) {
        char tmp[4096];
        FILE *f;
        snprintf(tmp, sizeof tmp, "%s.tmp", portfile);
        if (!(f = fopen(tmp, "w")) || fprintf(f, "%d\n", ntohs(me.sin_port)) < 0 ||
            fclose(f) != 0 || rename(tmp, portfile) != 0)
            die(portfile);
    } else {
        printf("%d\n", ntohs(me.sin_port));
        fflush(stdout);
    }

    while (!want_exit) {
        struct pollfd pf[1 + 2 * MAX_CONNS];
        conn *owner[1 + 2 * MAX_CONNS];
        int np = 0, timeout = 1000;
        int64_t now = now_ms();

        if (want_reset) {
            want_reset = 0;
            for (int i = 0; i < MAX_CONNS; i++)
                if (conns[i].used)
                    close_conn(&conns[i], true);
        }
        if (!hang) {
            pf[np] = (struct pollfd){.fd = lfd, .events = POLLIN};
            owner[np++] = NULL;
        }
        for (int i = 0; i < MAX_CONNS && !hang; i++) {
            conn *c = &conns[i];
            if (!c->used)
                continue;
            for (int s = 0; s < 2; s++) {
                /* fd[s]: read into dir[s] unless full or done; write dir[1-s] when due
                 */
                short ev = 0;
                const pipe_dir *in = &c->dir[s], *out = &c->dir[1 - s];
                if (!in->eof && in->queued < MAX_QUEUED)
                    ev |= POLLIN;
                if (out->head) {
                    if (out->head->due_ms <= now)
                        ev |= POLLOUT;
                    else if (out->head->due_ms - now < timeout)
                        timeout = (int)(out->head->due_ms - now);
                }
                pf[np] = (struct pollfd){.fd = c->fd[s], .events = ev};
                owner[np++] = c;
            }
        }
        if (poll(pf, (nfds_t)np, timeout) < 0 && errno != EINTR)
            die("poll");
        if (hang || want_exit || want_reset)
            continue; /* a signal came: look again before touching sockets */
        now = now_ms();
        for (int j = 0; j < np; j++) {
            conn *c = owner[j];
            if (!c) {
                if (pf[j].revents & POLLIN)
                    accept_one(lfd, &target);
                continue;
            }
            if (!c->used)
                continue; /* closed by its other socket's turn */
            int s = pf[j].fd == c->fd[0] ? 0 : 1;
            bool alive = true;
            if (pf[j].revents & (POLLIN | POLLHUP | POLLERR))
                alive = pump_in(c, s, delay_ms);
            if (alive)
                alive = pump_out(c, 1 - s, now) && pump_out(c, s, now);
            if (alive && c->dir[0].eof && c->dir[1].eof && !c->dir[0].head &&
                !c->dir[1].head)
                alive = false;
            if (!alive)
                close_conn(c, true);
        }
    }
    for (int i = 0; i < MAX_CONNS; i++)
        if (conns[i].used)
            close_conn(&conns[i], false);
    close(lfd);
    return 0;
}
