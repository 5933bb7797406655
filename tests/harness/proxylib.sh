# tests/harness/proxylib.sh - the network fault proxy (netproxy.c) from a
# shell test or bench (sourced; needs $NETPROXY, or $build/netproxy):
#
#   start_proxy TARGET_PORT [DELAY_MS] [VAR]   a proxy to 127.0.0.1:TARGET_PORT
#                             with DELAY_MS each way; sets PROXY_PORT and
#                             PROXY_PID (or VAR_PORT and VAR_PID)
#   proxy_url [PORT]          $PGURL with the proxy's port (PORT, else PROXY_PORT)
#   proxy_hang [PID]          stop forwarding, keep every socket open
#   proxy_resume [PID]        forward again
#   proxy_reset [PID]         reset every connection open now
#   stop_proxy [PID]          end it (also done on exit, see below)
#
# A proxy dies with the shell that started it (PR_SET_PDEATHSIG), however that
# shell ends: no trap needed, none taken from the caller.
start_proxy() {
    local target=$1 delay=${2:-0} var=${3:-PROXY} bin=${NETPROXY:-${build:-}/netproxy} pf pid i
    [ -x "$bin" ] || { echo "proxylib: no netproxy at $bin (build it: cmake --build)" >&2; return 1; }
    pf=$(mktemp "${TMP:-/tmp}/proxy.XXXXXX")
    rm -f "$pf"
    "$bin" -t "127.0.0.1:$target" -d "$delay" -p "$pf" &
    pid=$!
    for ((i = 0; i < 100; i++)); do
        [ -s "$pf" ] && break
        sleep 0.05
    done
    [ -s "$pf" ] || { echo "proxylib: netproxy did not start" >&2; return 1; }
    printf -v "${var}_PORT" '%s' "$(cat "$pf")"
    printf -v "${var}_PID" '%s' "$pid"
    rm -f "$pf"
}

proxy_url() {
    local port=${1:-$PROXY_PORT}
    sed -E "s#@127\.0\.0\.1:[0-9]+/#@127.0.0.1:$port/#" <<<"$PGURL"
}

proxy_hang() { kill -USR1 "${1:-$PROXY_PID}"; }
proxy_resume() { kill -USR2 "${1:-$PROXY_PID}"; }
proxy_reset() { kill -HUP "${1:-$PROXY_PID}"; }

stop_proxy() {
    local pid=${1:-$PROXY_PID}
    kill -TERM "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    return 0
}
