#!/usr/bin/env bash
# tests/harness/with_crdb.sh - run a command against a private, throwaway
# CockroachDB (a single node or a 3-node cluster), then kill it and delete it.
#
#   bash tests/harness/with_crdb.sh [--nodes 1|3] [--certs] CMD [ARGS...]
#
# The server is ../shared/cockroach/cockroach-v21.1.2.linux-amd64.xz (next to
# the repository; $COCKROACH_XZ overrides the file), unpacked once into
# ${CRDB_CACHE:-/tmp/crdbload-cockroach}/SHA256-OF-THE-XZ/cockroach, or
# $COCKROACH_BIN when set. A missing binary is an error, never a skip.
# Nodes listen on 127.0.0.1 only, on free ports picked at random in
# 20000-60000, with in-memory stores (the data dies with the node). Without
# --certs they run --insecure; with --certs a CA, a node certificate (for
# 127.0.0.1 and localhost) and client certificates for root and for "loader"
# are made with `cockroach cert`, and "loader" also gets a password.
# A cluster is up-replicating for a while (~40 s here) after it starts: a
# test that kills a node waits for 3 replicas first (crdblib's wait_replicated).
# The database crdbload_test holds the reference table (fixtures/schema.sql)
# and the Prisma "Product" table in CockroachDB's DDL
# (fixtures/crdb/prisma_product.sql). CMD runs in the caller's directory with:
#
#   CRDB_URL, DATABASE_URL, PGURL   postgresql://root@127.0.0.1:PORT/crdbload_test?...
#                           (node 1; sslmode=disable, or verify-full with root's
#                           client certificate under --certs)
#   CRDB_URL_ALL            the same with all nodes' host:port (multi-host URI)
#   PGHOST PGPORT PGUSER PGDATABASE PGSSLMODE (and PGSSLROOTCERT PGSSLCERT
#                           PGSSLKEY under --certs)   node 1, for psql and libpq
#   CRDB_PORTS CRDB_HTTP_PORTS CRDB_NODE_PIDS   per node, space-separated, node 1 first
#   CRDB_NODES              number of nodes
#   COCKROACH               the cockroach binary; CRDB_FLAGS its connection flags
#                           (--insecure or --certs-dir=...), e.g.
#                           "$COCKROACH" node drain $CRDB_FLAGS --host=127.0.0.1:PORT
#   CRDB_TMP                the temp dir; node N's logs in $CRDB_TMP/nodeN/logs
#   CRDB_EXTERN             node 1's --external-io-dir: a file put there is
#                           'nodelocal://1/FILE' to IMPORT INTO
#   CRDB_CERTS CRDB_CA_KEY  (--certs) the certs dir (ca.crt, node.*, client.root.*,
#                           client.loader.*) and the CA's key, kept out of it
#   CRDB_LOADER_PASSWORD    (--certs) the password of the user "loader"
#
# The exit status is CMD's. The nodes are killed (SIGTERM, then SIGKILL after
# 2 s: a node that lost its quorum ignores SIGTERM) and the temp dir removed on
# exit, on INT/TERM/HUP, and - through a watchdog in its own session that polls
# this script's PID - even when this script is SIGKILLed (a CTest timeout kills
# the whole process tree). Failing to start is an error (the node logs are
# printed). WITH_CRDB_KEEP=1 keeps the temp dir (logs, certs) for a post-mortem.
# Each node has a 1 GiB in-memory store and a 64 MiB block cache, enough for
# the tests; WITH_CRDB_STORE_SIZE and WITH_CRDB_CACHE_SIZE (cockroach's sizes:
# 4GiB, 512MiB) change them for a bench.
set -uo pipefail

die() {
    printf 'with_crdb: %s\n' "$*" >&2
    exit 1
}

source "$(dirname "${BASH_SOURCE[0]}")/serverlib.sh" # start_time, port_free, random_port

# Kill every node recorded in $1/nodeN/proc ("PID STARTTIME", written at
# start), then delete $1 unless $2 = 1. Used by the EXIT trap and the watchdog.
kill_and_remove() {
    local tmp=$1 keep=${2:-0} f pid st alive i
    local -a pids=()
    for f in "$tmp"/node*/proc; do
        [ -f "$f" ] || continue
        read -r pid st <"$f" || continue
        [ "$(start_time "$pid")" = "$st" ] || continue
        pids+=("$pid")
        kill -TERM "$pid" 2>/dev/null
    done
    for i in $(seq 20); do
        alive=0
        for pid in "${pids[@]}"; do
            kill -0 "$pid" 2>/dev/null && alive=1
        done
        [ "$alive" = 0 ] && break
        sleep 0.1
    done
    for pid in "${pids[@]}"; do
        kill -KILL "$pid" 2>/dev/null
    done
    [ "$keep" = 1 ] || rm -rf -- "$tmp"
}

# --- watchdog mode: with_crdb.sh --watchdog PID START TMP KEEP -----------------
if [ "${1:-}" = "--watchdog" ]; then
    wpid=$2 wstart=$3
    trap '' INT TERM HUP
    while kill -0 "$wpid" 2>/dev/null && [ "$(start_time "$wpid")" = "$wstart" ]; do
        sleep 1
    done
    # The wrapper is gone without cleaning up: end CMD too, if still running.
    if read -r cpid cstart 2>/dev/null <"$4/cmd.pid" &&
        [ "$(start_time "$cpid")" = "$cstart" ]; then
        kill -TERM "$cpid" 2>/dev/null
    fi
    kill_and_remove "$4" "$5"
    exit 0
fi

nodes=1
certs=0
while [ $# -gt 0 ]; do
    case $1 in
    --nodes) nodes=${2:-}; shift 2 ;;
    --certs) certs=1; shift ;;
    --) shift; break ;;
    -*) die "unknown option $1 (usage: with_crdb.sh [--nodes 1|3] [--certs] CMD [ARGS...])" ;;
    *) break ;;
    esac
done
[ $# -ge 1 ] || die "usage: with_crdb.sh [--nodes 1|3] [--certs] CMD [ARGS...]"
[[ "$nodes" =~ ^[1-9]$ ]] || die "--nodes takes 1 to 9, not '$nodes'"

self=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")
repo=$(cd "$(dirname "$self")/../.." && pwd)

# --- the binary: $COCKROACH_BIN, else the shared .xz unpacked into the cache ----
if [ -n "${COCKROACH_BIN:-}" ]; then
    [ -x "$COCKROACH_BIN" ] || die "COCKROACH_BIN=$COCKROACH_BIN is not an executable file"
    COCKROACH=$COCKROACH_BIN
else
    xzfile=${COCKROACH_XZ:-$repo/../shared/cockroach/cockroach-v21.1.2.linux-amd64.xz}
    [ -f "$xzfile" ] || die "no CockroachDB binary: $xzfile is missing" \
        "(set COCKROACH_BIN to a cockroach binary, or COCKROACH_XZ to its .xz)"
    command -v xz >/dev/null || die "xz not found (run scripts/deps.sh)"
    sum=$(sha256sum "$xzfile" | cut -c1-64) || die "could not read $xzfile"
    cache=${CRDB_CACHE:-/tmp/crdbload-cockroach}/$sum
    COCKROACH=$cache/cockroach
    if [ ! -x "$COCKROACH" ]; then
        mkdir -p "$cache" || die "could not create $cache"
        # Unpack beside, then rename: tests starting at once never see half a file.
        part=$(mktemp "$cache/cockroach.XXXXXX") || die "could not write in $cache"
        if ! xz -dc "$xzfile" >"$part" || ! chmod 755 "$part" || ! mv -f "$part" "$COCKROACH"; then
            rm -f "$part"
            die "could not unpack $xzfile into $cache"
        fi
    fi
fi
"$COCKROACH" version >/dev/null 2>&1 || {
    "$COCKROACH" version >&2
    die "$COCKROACH does not run (runtime libraries: run scripts/deps.sh)"
}

# --- temp dir and watchdog ------------------------------------------------------
CRDB_TMP=$(mktemp -d /tmp/crdbload-crdb.XXXXXX) || die "could not create a temp dir in /tmp"
chmod 700 "$CRDB_TMP"
keep=${WITH_CRDB_KEEP:-0}
store_size=${WITH_CRDB_STORE_SIZE:-1GiB}
cache_size=${WITH_CRDB_CACHE_SIZE:-64MiB}

# Double-forked into its own session, so that it outlives a CTest timeout
# that kills this script's whole process tree.
(
    setsid bash "$self" --watchdog $$ "$(start_time $$)" "$CRDB_TMP" "$keep" \
        </dev/null >/dev/null 2>&1 &
    echo $! >"$CRDB_TMP/watchdog.pid"
)
watchdog_pid=$(cat "$CRDB_TMP/watchdog.pid")

cmd_pid=
cleanup() {
    local rc=$?
    trap - EXIT INT TERM HUP
    [ -n "$cmd_pid" ] && kill -TERM "$cmd_pid" 2>/dev/null
    kill -KILL "$watchdog_pid" 2>/dev/null # it ignores TERM
    kill_and_remove "$CRDB_TMP" "$keep"
    [ "$keep" = 1 ] && echo "with_crdb: kept $CRDB_TMP" >&2
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

export COCKROACH_SKIP_ENABLING_DIAGNOSTIC_REPORTING=true # nothing leaves the machine

# --- certificates -----------------------------------------------------------------
if [ "$certs" = 1 ]; then
    CRDB_CERTS=$CRDB_TMP/certs
    CRDB_CA_KEY=$CRDB_TMP/ca/ca.key
    mkdir -p "$CRDB_CERTS" "$CRDB_TMP/ca" && chmod 700 "$CRDB_TMP/ca" || die "mkdir certs"
    for c in "create-ca" "create-node 127.0.0.1 localhost" "create-client root" \
        "create-client loader"; do
        # shellcheck disable=SC2086 # $c holds the subcommand and its words
        "$COCKROACH" cert $c --certs-dir="$CRDB_CERTS" --ca-key="$CRDB_CA_KEY" \
            >>"$CRDB_TMP/cert.log" 2>&1 || {
            cat "$CRDB_TMP/cert.log" >&2
            die "cockroach cert $c failed"
        }
    done
    CRDB_FLAGS="--certs-dir=$CRDB_CERTS"
    CRDB_LOADER_PASSWORD=$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
else
    CRDB_FLAGS=--insecure
fi

pick_port() {
    local p taken
    while :; do
        p=$(random_port)
        taken=0
        for q in "${ports[@]}"; do [ "$q" = "$p" ] && taken=1; done
        [ "$taken" = 0 ] && port_free "$p" && break
    done
    echo "$p"
}

# Start node $1 (1-based) on ${ports[$1-1]}; records "PID STARTTIME" for teardown.
start_node() {
    local n=$1 dir=$CRDB_TMP/node$1 join pid
    local -a mode
    mkdir -p "$dir/logs" "$dir/extern"
    if [ "$nodes" = 1 ]; then
        mode=(start-single-node)
    else
        join=$(printf '127.0.0.1:%s,' "${ports[@]}")
        mode=(start "--join=${join%,}")
    fi
    # shellcheck disable=SC2086 # CRDB_FLAGS is one flag
    "$COCKROACH" "${mode[@]}" $CRDB_FLAGS --store="type=mem,size=$store_size" \
        --cache="$cache_size" --max-sql-memory=256MiB --external-io-dir="$dir/extern" \
        --listen-addr="127.0.0.1:${ports[n - 1]}" --http-addr=127.0.0.1:0 \
        --log="file-defaults: {dir: $dir/logs}" --listening-url-file="$dir/url" \
        --pid-file="$dir/pid" </dev/null >"$dir/stdout" 2>&1 &
    pid=$!
    disown "$pid" # killed by kill_and_remove, without bash's job notices
    echo "$pid $(start_time "$pid")" >"$dir/proc"
    node_pids[n - 1]=$pid
}

node_log_tail() {
    local d
    for d in "$CRDB_TMP"/node*; do
        echo "--- $d: the end of its output" >&2
        tail -n 25 "$d/stdout" >&2 2>/dev/null
    done
}

# Wait until every node wrote its listening URL (it does so once it serves SQL),
# $1 seconds at most; fails at once when a node died.
wait_ready() {
    local deadline=$((SECONDS + $1)) n ready
    while [ $SECONDS -lt "$deadline" ]; do
        ready=1
        for n in $(seq "$nodes"); do
            kill -0 "${node_pids[n - 1]}" 2>/dev/null || return 1
            [ -s "$CRDB_TMP/node$n/url" ] || ready=0
        done
        [ "$ready" = 1 ] && return 0
        sleep 0.2
    done
    return 1
}

# --- start, on free ports; retry when another process took one meanwhile ---------
started=0
t0=$SECONDS
for attempt in 1 2 3 4 5; do
    ports=() node_pids=()
    for n in $(seq "$nodes"); do ports+=("$(pick_port)"); done
    for n in $(seq "$nodes"); do start_node "$n"; done
    if [ "$nodes" -gt 1 ]; then
        # init once every node listens (or died)
        for i in $(seq 100); do
            up=1
            for n in $(seq "$nodes"); do
                port_free "${ports[n - 1]}" && kill -0 "${node_pids[n - 1]}" 2>/dev/null && up=0
            done
            [ "$up" = 1 ] && break
            sleep 0.2
        done
        # init retries without end while node 1 is down (it died at start on a
        # port taken meanwhile): bound it, and let the checks below decide
        # shellcheck disable=SC2086
        timeout 60 "$COCKROACH" init $CRDB_FLAGS --host="127.0.0.1:${ports[0]}" \
            >"$CRDB_TMP/init.log" 2>&1 || true
    fi
    if wait_ready 90; then
        started=1
        break
    fi
    grep -qsi 'address already in use' "$CRDB_TMP"/node*/stdout "$CRDB_TMP"/node*/logs/*.log ||
        break
    for n in $(seq "$nodes"); do kill -KILL "${node_pids[n - 1]}" 2>/dev/null; done
    sleep 1
    rm -rf "$CRDB_TMP"/node*
done
if [ "$started" != 1 ]; then
    echo "with_crdb: could not start $nodes CockroachDB node(s) ($COCKROACH)" >&2
    cat "$CRDB_TMP/init.log" >&2 2>/dev/null
    node_log_tail
    exit 1
fi

export COCKROACH CRDB_FLAGS CRDB_TMP CRDB_NODES=$nodes CRDB_EXTERN=$CRDB_TMP/node1/extern
export CRDB_PORTS="${ports[*]}" CRDB_NODE_PIDS="${node_pids[*]}"
CRDB_HTTP_PORTS=
for n in $(seq "$nodes"); do
    # --http-addr=127.0.0.1:0: the node logs the port it got
    hp=$(grep -o 'starting http server at 127.0.0.1:[0-9]*' "$CRDB_TMP/node$n/stdout" |
        head -n 1 | sed 's/.*://')
    CRDB_HTTP_PORTS+="${hp:-?} "
done
export CRDB_HTTP_PORTS=${CRDB_HTTP_PORTS% }

# Run SQL as root on node 1 (setup only; tests use psql or crdbload).
root_sql() {
    # shellcheck disable=SC2086
    "$COCKROACH" sql $CRDB_FLAGS --host="127.0.0.1:${ports[0]}" "$@"
}

hosts=$(printf '127.0.0.1:%s,' "${ports[@]}")
if [ "$certs" = 1 ]; then
    params="sslmode=verify-full&sslrootcert=$CRDB_CERTS/ca.crt&sslcert=$CRDB_CERTS/client.root.crt&sslkey=$CRDB_CERTS/client.root.key"
    export PGSSLMODE=verify-full PGSSLROOTCERT=$CRDB_CERTS/ca.crt
    export PGSSLCERT=$CRDB_CERTS/client.root.crt PGSSLKEY=$CRDB_CERTS/client.root.key
    export CRDB_CERTS CRDB_CA_KEY CRDB_LOADER_PASSWORD
else
    params=sslmode=disable
    export PGSSLMODE=disable
fi
export CRDB_URL="postgresql://root@127.0.0.1:${ports[0]}/crdbload_test?$params"
export CRDB_URL_ALL="postgresql://root@${hosts%,}/crdbload_test?$params"
export DATABASE_URL=$CRDB_URL PGURL=$CRDB_URL
export PGHOST=127.0.0.1 PGPORT=${ports[0]} PGUSER=root PGDATABASE=crdbload_test

setup_sql="CREATE DATABASE crdbload_test;"
if [ "$certs" = 1 ]; then
    setup_sql+=" CREATE USER loader WITH PASSWORD '$CRDB_LOADER_PASSWORD';
        GRANT ALL ON DATABASE crdbload_test TO loader;"
fi
if ! root_sql -e "$setup_sql" >"$CRDB_TMP/setup.log" 2>&1 ||
    ! root_sql -d crdbload_test -f "$repo/fixtures/schema.sql" >>"$CRDB_TMP/setup.log" 2>&1 ||
    ! root_sql -d crdbload_test -f "$repo/fixtures/crdb/prisma_product.sql" \
        >>"$CRDB_TMP/setup.log" 2>&1; then
    cat "$CRDB_TMP/setup.log" >&2
    die "could not create the database crdbload_test and its tables"
fi
if [ "$certs" = 1 ]; then
    root_sql -d crdbload_test -e 'GRANT ALL ON TABLE products, "Product" TO loader' \
        >>"$CRDB_TMP/setup.log" 2>&1 || {
        cat "$CRDB_TMP/setup.log" >&2
        die "could not grant the tables to loader"
    }
fi
echo "with_crdb: $nodes node(s) ready in $((SECONDS - t0)) s on port(s) ${ports[*]}" >&2

# --- run CMD: in the background, so that a signal is handled at once --------------
"$@" <&0 &
cmd_pid=$!
echo "$cmd_pid $(start_time "$cmd_pid")" >"$CRDB_TMP/cmd.pid" # for the watchdog
wait "$cmd_pid"
rc=$?
cmd_pid=
if [ "$rc" != 0 ]; then
    echo "with_crdb: command exited with status $rc" >&2
    node_log_tail
fi
exit "$rc"
