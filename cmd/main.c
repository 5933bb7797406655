/*
 * cmd/main.c - crdbload's entry point: parse the options, install the signal
 * handlers, run the load, print the summary, exit with SPEC.md's status.
 *
 * Signals: the first SIGINT/SIGTERM sets `stop`, which cl_load_run() polls to
 * stop reading and settle the batches in flight (the summary and the
 * checkpoint still get written); a second one exits at once with status 3.
 * SIGPIPE is ignored, so a closed pipe is a write error, not a silent death.
 * The connection string is never printed here: it may hold a password.
 *
 * --metrics-file is written once cl_load_run() has run, whatever its exit
 * status (exit 2 too: a configuration the load refused, such as a column
 * the table lacks); not when the command line or an output path is refused.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "args.h"
#include "crdbload/crdbload.h"
#include "help.h"
#include "message.h"
#include "metrics.h"
#include "progress.h"

/* Exit statuses of SPEC.md. */
enum {
    EXIT_OK = 0,      /* every row read was written, unchanged or merged */
    EXIT_REJECTS = 1, /* finished, some rows rejected */
    EXIT_CONFIG = 2,  /* usage or configuration error; nothing written */
    EXIT_ABORTED = 3, /* no connection, fatal error, retries exhausted, interrupted */
};

/* Set by the first SIGINT/SIGTERM; polled by the library. */
static atomic_bool stop;
/* Private to the handler: the library may set stop on its own. */
static volatile sig_atomic_t signalled;
static volatile sig_atomic_t quiet_signals;

_Static_assert(ATOMIC_BOOL_LOCK_FREE == 2,
               "atomic_bool must be lock-free in a signal handler");

static void
write_stderr(const char *msg, size_t len)
{
    ssize_t n = write(STDERR_FILENO, msg, len);
    (void)n;
}

/*
 * Async-signal-safe: an atomic store, write(2) and _exit(2) only. The first
 * signal prints nothing: cl_load_run() reports the interruption itself.
 */
static void
handle_stop_signal(int signo)
{
    static const char again[] = "crdbload: interrupted again; quitting at once\n";
    int saved_errno = errno;

    (void)signo;
    if (signalled) {
        if (!quiet_signals)
            write_stderr(again, sizeof again - 1);
        _exit(EXIT_ABORTED);
    }
    signalled = 1;
    atomic_store(&stop, true);
    errno = saved_errno;
}

static bool
install_signal_handlers(void)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = handle_stop_signal;
    sigemptyset(&sa.sa_mask);
    sigaddset(&sa.sa_mask, SIGINT);
    sigaddset(&sa.sa_mask, SIGTERM);
    /* XXX: SA_RESTART keeps stdio and libpq free of EINTR; the price is that
     * a read blocked on an idle pipe only sees `stop` when data or EOF comes
     * (the second signal still quits). */
    sa.sa_flags = SA_RESTART;
    if (sigaction(SIGINT, &sa, NULL) != 0 || sigaction(SIGTERM, &sa, NULL) != 0)
        return false;

    sa.sa_handler = SIG_IGN;
    sa.sa_flags = 0;
    return sigaction(SIGPIPE, &sa, NULL) == 0;
}

/*
 * Before anything is loaded, make sure the --summary-json file can be
 * written, so that a typo in its path does not surface only after the
 * load. Leaves an existing file as it is and removes one it had to create.
 */
static bool
check_summary_path(const char *path)
{
    struct stat st;
    int fd;

    if (strcmp(path, "-") == 0)
        return true;
    if (stat(path, &st) == 0) {
        if (S_ISDIR(st.st_mode)) {
            cli_log(CL_LOG_ERROR, "could not open summary file \"%s\": %s", path,
                    strerror(EISDIR));
            return false;
        }
        if (S_ISREG(st.st_mode) && access(path, W_OK) != 0) {
            cli_log(CL_LOG_ERROR, "could not open summary file \"%s\": %s", path,
                    strerror(errno));
            return false;
        }
        return true; /* a device or a FIFO: opened at the end only */
    }
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0666);
    if (fd < 0) {
        cli_log(CL_LOG_ERROR, "could not open summary file \"%s\": %s", path,
                strerror(errno));
        return false;
    }
    close(fd);
    unlink(path);
    return true;
}

/* --summary-json: to stdout for "-", else to the file. Reports failures. */
static bool
write_summary_json(cl_stats *stats, const char *path)
{
    FILE *f;
    int rc;

    if (strcmp(path, "-") == 0) {
        errno = 0;
        rc = cl_stats_write_json(stats, stdout);
        if (fflush(stdout) != 0 || ferror(stdout))
            rc = -1;
        if (rc != 0) {
            cli_log(CL_LOG_ERROR, "could not write summary to standard output: %s",
                    errno ? strerror(errno) : "write error");
            return false;
        }
        return true;
    }

    f = fopen(path, "w");
    if (!f) {
        cli_log(CL_LOG_ERROR, "could not open summary file \"%s\": %s", path,
                strerror(errno));
        return false;
    }
    errno = 0;
    rc = cl_stats_write_json(stats, f);
    if (ferror(f))
        rc = -1;
    if (fclose(f) != 0)
        rc = -1;
    if (rc != 0) {
        cli_log(CL_LOG_ERROR, "could not write summary file \"%s\": %s", path,
                errno ? strerror(errno) : "write error");
        return false;
    }
    return true;
}

/* The exit status of a run that returned rc (cl_load_run(), crdbload.h). */
static int
exit_status(int rc, const cl_stats *stats)
{
    if (rc == CL_ECONFIG)
        return EXIT_CONFIG;
    if (rc != 0)
        return EXIT_ABORTED;
    return stats->status == CL_STATUS_REJECTS ? EXIT_REJECTS : EXIT_OK;
}

int
main(int argc, char **argv)
{
    cl_config cfg;
    cl_stats stats;
    int status;

    switch (args_parse(argc, argv, &cfg)) {
    case ARGS_RUN:
        break;
    case ARGS_DONE:
        args_free(&cfg);
        return fflush(stdout) == 0 ? 0 : EXIT_CONFIG;
    case ARGS_USAGE:
    default:
        help_try();
        args_free(&cfg);
        return EXIT_CONFIG;
    }

    if (cfg.quiet) {
        message_set_quiet(true);
        quiet_signals = 1;
    }
    if ((cfg.summary_json && !check_summary_path(cfg.summary_json)) ||
        (cfg.metrics_file && !metrics_check_path(cfg.metrics_file))) {
        args_free(&cfg);
        return EXIT_CONFIG;
    }
    if (!install_signal_handlers())
        cli_log(CL_LOG_WARNING, "could not install signal handlers: %s",
                strerror(errno));

    cfg.on_message = message_print;
    progress_setup(&cfg);
    cl_stats_init(&stats);
    status = exit_status(cl_load_run(&cfg, &stats, &stop), &stats);
    progress_clear(); /* the summary starts on a clean line */

    /* Exit 2: the configuration was refused and nothing ran. */
    if (status != EXIT_CONFIG) {
        if (!cfg.quiet)
            cl_stats_print_summary(&stats, stderr);
        if (cfg.summary_json && !write_summary_json(&stats, cfg.summary_json))
            status = EXIT_ABORTED;
    }
    if (cfg.metrics_file && !metrics_write(cfg.metrics_file, &cfg, &stats, status))
        status = EXIT_ABORTED;

    args_free(&cfg);
    return status;
}
