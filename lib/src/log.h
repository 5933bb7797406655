/*
 * lib/src/log.h - the library's messages, handed to the caller.
 *
 * Modules call cl_log() as they would print; the message goes whole, in one
 * call, to the cl_message_fn of the run (cl_config.on_message), never to a
 * stream: the library prints nothing. Thread-safe: any thread may log, and
 * the caller's function is made to be called from any thread.
 */
#ifndef CRDBLOAD_LOG_H
#define CRDBLOAD_LOG_H

#include <libpq-fe.h>

#include "crdbload/crdbload.h"

/* Where messages go from now on: fn(arg, msg); NULL drops them. Set by
 * cl_load_run() before it starts a thread, cleared after it joined them. */
void cl_log_route(cl_message_fn *fn, void *arg);

/* A message with a primary text only; an error text that carries a detail
 * and a hint the way a module's err buffer does (cl_errf_detail(), util.h)
 * is split into the message's fields. */
void cl_log(cl_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The same, with a detail (the facts, in sentences). */
void cl_log_detail(cl_log_level level, const char *detail, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The same, with a hint (what to do). */
void cl_log_hint(cl_log_level level, const char *hint, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Every allocation that fails ends the run with this message: "out of
 * memory (what)", an error. Returns CL_ENOMEM. */
int cl_log_out_of_memory(const char *what);

/* A PQnoticeReceiver for every connection (PQsetNoticeReceiver): a
 * server's NOTICE or WARNING (a trigger's RAISE, say) becomes a message,
 * where libpq's own receiver would print it on stderr. */
void cl_log_server_notice(void *arg, const PGresult *res);

#endif
