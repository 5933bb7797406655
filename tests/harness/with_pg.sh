#!/usr/bin/env bash
# tests/harness/with_pg.sh - run a command against a private, throwaway
# PostgreSQL 15 cluster, then stop the cluster and delete it.
#
#   bash tests/harness/with_pg.sh CMD [ARGS...]
#
# The cluster lives in a fresh temp dir under /tmp (owned by the postgres user
# when run as root, since initdb refuses root), listens on 127.0.0.1 only, on
# a free port picked at random in 20000-60000, with its unix socket in a
# private directory, and is tuned for tests (fsync, synchronous_commit and
# full_page_writes off). CMD runs in the caller's directory with:
#
#   PGURL, DATABASE_URL   postgresql://postgres@127.0.0.1:PORT/crdbload_test
#   PGHOST PGPORT PGUSER PGDATABASE   the same, for libpq and psql
#   PGDATA PG_BIN PG_TMP PG_LOG       data dir, server binaries, temp dir, server log
#   PG_AS   prefix that runs a server binary as the cluster's owner
#           ("runuser -u postgres --" as root, empty otherwise), e.g.
#           $PG_AS "$PG_BIN/pg_ctl" -D "$PGDATA" -l "$PG_LOG" -w restart -m fast
#
# The exit status is CMD's. The server is stopped (-m immediate) and the temp
# dir removed on exit, on INT/TERM/HUP, and - through a watchdog in its own
# session that polls this script's PID - even when this script is SIGKILLed
# (a CTest timeout kills the whole process tree with SIGKILL).
# Failing to start the server is an error (the server log is printed), never a
# skip. WITH_PG_KEEP=1 keeps the temp dir for a post-mortem.
set -uo pipefail

die() {
    printf 'with_pg: %s\n' "$*" >&2
    exit 1
}

# Stop the cluster in $1 (temp dir) with server binaries in $2, as user $3
# ("" = as ourselves), then delete the temp dir unless $4 = 1. Used both by
# the EXIT trap and by the watchdog.
stop_and_remove() {
    local tmp=$1 bin=$2 as_user=$3 keep=${4:-0} pid
    local -a as=()
    [ -n "$as_user" ] && as=(runuser -u "$as_user" --)
    if [ -f "$tmp/data/postmaster.pid" ]; then
        (cd "$tmp" && "${as[@]}" "$bin/pg_ctl" -D "$tmp/data" -m immediate -w -t 20 \
            stop >/dev/null 2>&1)
        # Should pg_ctl fail (binaries gone, say), kill the postmaster itself:
        # SIGQUIT is an immediate shutdown, SIGKILL the last resort.
        if [ -f "$tmp/data/postmaster.pid" ]; then
            pid=$(head -n 1 "$tmp/data/postmaster.pid" 2>/dev/null)
            if [[ "$pid" =~ ^[0-9]+$ ]]; then
                kill -QUIT "$pid" 2>/dev/null
                sleep 1
                kill -KILL "$pid" 2>/dev/null
            fi
        fi
    fi
    [ "$keep" = 1 ] || rm -rf -- "$tmp"
}

source "$(dirname "${BASH_SOURCE[0]}")/serverlib.sh" # start_time, port_free, random_port

# --- watchdog mode: with_pg.sh --watchdog PID START TMP BIN USER KEEP --------
if [ "${1:-}" = "--watchdog" ]; then
    shift
    wpid=$1 wstart=$2
    trap '' INT TERM HUP
    while kill -0 "$wpid" 2>/dev/null && [ "$(start_time "$wpid")" = "$wstart" ]; do
        sleep 1
    done
    # The wrapper is gone without cleaning up: end CMD too, if still running.
    if read -r cpid cstart 2>/dev/null <"$3/cmd.pid" &&
        [ "$(start_time "$cpid")" = "$cstart" ]; then
        kill -TERM "$cpid" 2>/dev/null
    fi
    stop_and_remove "$3" "$4" "$5" "$6"
    exit 0
fi

[ $# -ge 1 ] || die "usage: with_pg.sh CMD [ARGS...]"

# --- find the server binaries: $PG_BIN, else PostgreSQL 15, else the newest --
if [ -z "${PG_BIN:-}" ] || [ ! -x "$PG_BIN/initdb" ]; then
    PG_BIN=
    for d in /usr/lib/postgresql/15/bin $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null |
        sort -t/ -k5 -rn); do
        if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then
            PG_BIN=$d
            break
        fi
    done
    [ -n "$PG_BIN" ] || die "no PostgreSQL server binaries in /usr/lib/postgresql/*/bin" \
        "(run scripts/deps.sh)"
fi

pg_user=
if [ "$(id -u)" = 0 ]; then
    pg_user=postgres
    id -u postgres >/dev/null 2>&1 || die "no postgres user (run scripts/deps.sh)"
    command -v runuser >/dev/null || die "runuser not found (util-linux)"
    PG_AS="runuser -u postgres --"
else
    PG_AS=
fi

# --- temp dir and watchdog ----------------------------------------------------
PG_TMP=$(mktemp -d /tmp/crdbload-pg.XXXXXX) || die "could not create a temp dir in /tmp"
[ -n "$pg_user" ] && chown "$pg_user" "$PG_TMP"
chmod 700 "$PG_TMP"
PGDATA=$PG_TMP/data
PG_LOG=$PG_TMP/server.log
sock_dir=$PG_TMP/sock
keep=${WITH_PG_KEEP:-0}

# The watchdog is double-forked (the subshell exits at once) into its own
# session, so that it is no descendant of this script: CTest, on a timeout,
# kills the test's whole process tree, and the watchdog must outlive it.
self=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")
(
    setsid bash "$self" --watchdog $$ "$(start_time $$)" "$PG_TMP" "$PG_BIN" "$pg_user" \
        "$keep" </dev/null >/dev/null 2>&1 &
    echo $! >"$PG_TMP/watchdog.pid"
)
watchdog_pid=$(cat "$PG_TMP/watchdog.pid")

cmd_pid=
cleanup() {
    local rc=$?
    trap - EXIT INT TERM HUP
    [ -n "$cmd_pid" ] && kill -TERM "$cmd_pid" 2>/dev/null
    kill -KILL "$watchdog_pid" 2>/dev/null # it ignores TERM
    stop_and_remove "$PG_TMP" "$PG_BIN" "$pg_user" "$keep"
    [ "$keep" = 1 ] && echo "with_pg: kept $PG_TMP" >&2
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# Run a server binary as the cluster's owner, from a directory it can read.
as_owner() {
    (cd "$PG_TMP" && $PG_AS "$@")
}

# --- initdb -------------------------------------------------------------------
as_owner mkdir -m 700 "$sock_dir" || die "could not create $sock_dir"
if ! as_owner "$PG_BIN/initdb" -D "$PGDATA" -U postgres -A trust --auth-local=trust \
    -E UTF8 --locale=C --no-sync >"$PG_TMP/initdb.log" 2>&1; then
    cat "$PG_TMP/initdb.log" >&2
    die "initdb failed"
fi
cat >>"$PGDATA/postgresql.conf" <<EOF

# --- tests/harness/with_pg.sh: a private cluster tuned for tests ---
listen_addresses = '127.0.0.1'
unix_socket_directories = '$sock_dir'
max_connections = 60
fsync = off
synchronous_commit = off
full_page_writes = off
include_if_exists = 'with_pg_port.conf'
EOF

# --- start, on a free port; retry when another process took it meanwhile ------
started=0
for attempt in 1 2 3 4 5 6 7 8 9 10; do
    port=$(random_port)
    port_free "$port" || continue
    echo "port = $port" >"$PGDATA/with_pg_port.conf"
    [ -n "$pg_user" ] && chown "$pg_user" "$PGDATA/with_pg_port.conf"
    echo "--- with_pg: start attempt $attempt on port $port" >>"$PG_LOG"
    [ -n "$pg_user" ] && chown "$pg_user" "$PG_LOG"
    if as_owner "$PG_BIN/pg_ctl" -D "$PGDATA" -l "$PG_LOG" -w -t 60 start \
        >>"$PG_TMP/pg_ctl.log" 2>&1; then
        started=1
        break
    fi
    # pg_ctl gave up; make sure no half-started postmaster is left behind.
    as_owner "$PG_BIN/pg_ctl" -D "$PGDATA" -m immediate -w stop >/dev/null 2>&1
    grep -qE 'could not (bind|create any TCP/IP)|already in use' "$PG_LOG" || break
done
if [ "$started" != 1 ]; then
    echo "with_pg: could not start the PostgreSQL server in $PGDATA; its log:" >&2
    cat "$PG_LOG" "$PG_TMP/pg_ctl.log" >&2 2>/dev/null
    exit 1
fi

if ! "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres \
    -d postgres -c 'CREATE DATABASE crdbload_test' >&2; then
    cat "$PG_LOG" >&2
    die "could not create database crdbload_test"
fi

export PGURL="postgresql://postgres@127.0.0.1:$port/crdbload_test"
export DATABASE_URL=$PGURL
export PGHOST=127.0.0.1 PGPORT=$port PGUSER=postgres PGDATABASE=crdbload_test
export PGDATA PG_BIN PG_TMP PG_LOG PG_AS
export PATH="$PG_BIN:$PATH"

# --- run CMD: in the background, so that a signal is handled at once ----------
"$@" <&0 &
cmd_pid=$!
echo "$cmd_pid $(start_time "$cmd_pid")" >"$PG_TMP/cmd.pid" # for the watchdog
wait "$cmd_pid"
rc=$?
cmd_pid=
if [ "$rc" != 0 ]; then
    echo "with_pg: command exited with status $rc; last lines of the server log:" >&2
    tail -n 30 "$PG_LOG" >&2
fi
exit "$rc"
