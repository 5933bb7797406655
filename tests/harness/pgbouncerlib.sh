# tests/harness/pgbouncerlib.sh - a private PgBouncer (Debian's pgbouncer,
# 1.18 on Debian 12) on loopback in front of with_pg.sh's PostgreSQL
# (sourced after testlib.sh):
#
#   start_pgbouncer MODE POOL_SIZE   pool_mode MODE (session, transaction,
#                             statement), default_pool_size POOL_SIZE; sets
#                             PGB_URL (crdbload_test through it), PGB_PORT,
#                             PGB_PID, PGB_LOG
#   stop_pgbouncer            stop it (SIGINT: a fast shutdown)
#
# Auth is trust with an auth_file naming the postgres user; no unix socket.
# As root it runs as postgres (setpriv; pgbouncer refuses root). It dies with
# the shell that started it (setpriv --pdeathsig, kept across the exec), so a
# test killed by CTest's timeout leaves none behind; stop_pgbouncer also runs
# on the test's exit. A pgbouncer that does not start fails the test.
PGB_BIN=${PGB_BIN:-$(command -v pgbouncer || echo /usr/sbin/pgbouncer)}
PGB_PID=

start_pgbouncer() {
    local mode=$1 size=$2 attempt=${3:-1} dir port i
    local -a as=(setpriv --pdeathsig TERM)
    [ -x "$PGB_BIN" ] || { echo "pgbouncerlib: no pgbouncer binary (scripts/deps.sh installs it)" >&2; return 1; }
    [ "$(id -u)" = 0 ] && as=(setpriv --reuid postgres --regid postgres --clear-groups --pdeathsig TERM)
    dir=$(mktemp -d "$TMP/pgbouncer.XXXXXX") || return 1
    chmod 755 "$dir"
    for ((i = 0; i < 20; i++)); do
        port=$((20000 + (RANDOM * 32768 + RANDOM) % 40001))
        [ -z "$(ss -Hltn "sport = :$port" 2>/dev/null)" ] && break
    done
    echo '"postgres" ""' >"$dir/users.txt"
    cat >"$dir/pgbouncer.ini" <<EOF
[databases]
crdbload_test = host=127.0.0.1 port=$PGPORT dbname=crdbload_test
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $port
unix_socket_dir =
auth_type = trust
auth_file = $dir/users.txt
pool_mode = $mode
default_pool_size = $size
min_pool_size = 0
reserve_pool_size = 0
max_client_conn = 200
logfile = $dir/pgbouncer.log
admin_users = postgres
EOF
    [ "$(id -u)" = 0 ] && chown -R postgres "$dir"
    "${as[@]}" "$PGB_BIN" "$dir/pgbouncer.ini" >>"$dir/stdout.log" 2>&1 &
    PGB_PID=$!
    PGB_PORT=$port
    PGB_LOG=$dir/pgbouncer.log
    PGB_URL="postgresql://postgres@127.0.0.1:$port/crdbload_test"
    trap stop_pgbouncer EXIT
    for ((i = 0; i < 100; i++)); do
        psql -X -At -d "$PGB_URL" -c "SELECT 1" >/dev/null 2>&1 && return 0
        kill -0 "$PGB_PID" 2>/dev/null || break
        sleep 0.1
    done
    # A port free when picked can be taken before pgbouncer binds it (by
    # another test, or as the local end of some connection): pick another.
    if [ "$attempt" -lt 5 ] && ! kill -0 "$PGB_PID" 2>/dev/null &&
        grep -qs 'Address already in use' "$dir/stdout.log" "$PGB_LOG"; then
        echo "pgbouncerlib: port $port was taken meanwhile; another" >&2
        PGB_PID=
        start_pgbouncer "$mode" "$size" $((attempt + 1))
        return
    fi
    echo "pgbouncerlib: pgbouncer ($mode) did not start; its log:" >&2
    cat "$dir/stdout.log" "$PGB_LOG" >&2 2>/dev/null
    return 1
}

stop_pgbouncer() {
    [ -n "$PGB_PID" ] || return 0
    kill -INT "$PGB_PID" 2>/dev/null
    for ((i = 0; i < 50; i++)); do
        kill -0 "$PGB_PID" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "$PGB_PID" 2>/dev/null
    wait "$PGB_PID" 2>/dev/null
    PGB_PID=
    return 0
}
