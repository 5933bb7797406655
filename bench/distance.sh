#!/usr/bin/env bash
# bench/distance.sh - throughput against the round trip: the 200k-row catalog
# loaded into an empty table through the fault proxy (tests/harness/netproxy.c)
# at 0, 10, 50 and 100 ms round trip (half of it each way), crdbload's
# defaults against the same with one batch in flight per connection
# (--pipeline-depth 1). Every setting is visited ROUNDS times in turn (the
# same table state before each: emptied, VACUUM ANALYZE, CHECKPOINT);
# medians. While each load runs, pg_stat_activity is sampled for crdbload's
# connections: their peak is printed next to --workers.
#
#   bash tests/harness/with_pg.sh bash bench/distance.sh BUILD_DIR [ROWS] [ROUNDS]
#
# DISTANCE_RTTS: the round trips (default "0 10 50 100"); "direct" is
# PostgreSQL without the proxy. BASELINE=PATH: also run that crdbload binary
# (e.g. a build of the commit before pipelining) with its own defaults.
set -euo pipefail
build=${1:?usage: distance.sh BUILD_DIR [ROWS] [ROUNDS]}
rows=${2:-200000}
rounds=${3:-3}
rtts=${DISTANCE_RTTS:-"0 10 50 100"}
modes="default depth1${BASELINE:+ baseline}"
source "$(dirname "$0")/benchlib.sh"
source "$here/tests/harness/proxylib.sh"
bench_setup "$rows"
# A copy of the binaries: a rebuild meanwhile must not change what runs.
cp "$build/crdbload" "$build/netproxy" "$work/"
[ -n "${BASELINE:-}" ] && cp "$BASELINE" "$work/crdbload.baseline"
build_orig=$build
build=$work
workers=$("$build/crdbload" --help | sed -nE 's/.*parallel connections \(default: ([0-9]+)\).*/\1/p')

for rtt in $rtts; do
    [ "$rtt" = direct ] || start_proxy "$PGPORT" $((rtt / 2)) "P$rtt"
done

settle() { psqlq -c "VACUUM ANALYZE products" -c "CHECKPOINT" >/dev/null; }
peak_conns() { # sample until $1 exists, print the peak
    local peak=0 n
    while [ ! -e "$1" ] && kill -0 $$ 2>/dev/null; do
        n=$(psqlq -c "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'crdbload'")
        [ "$n" -gt "$peak" ] && peak=$n
        sleep 0.1
    done
    echo "$peak"
}
load() { # RTT MODE -> seconds; the connection peak goes to $work/peak
    local port_var="P$1_PORT" extra=() bin=$build/crdbload url=$PGURL t0 t1
    [ "$2" = depth1 ] && extra=(--pipeline-depth 1)
    [ "$2" = baseline ] && bin=$build/crdbload.baseline
    [ "$1" = direct ] || url=$(proxy_url "${!port_var}")
    rm -f "$work/done"
    peak_conns "$work/done" >"$work/peak" &
    t0=$(date +%s.%N)
    "$bin" -q --url "$url" "${extra[@]}" "$work/base.csv.gz"
    t1=$(date +%s.%N)
    touch "$work/done"
    wait
    echo "$t1 - $t0" | bc
}

for ((r = 1; r <= rounds; r++)); do
    for rtt in $rtts; do
        for m in $modes; do
            psqlq -c "TRUNCATE products" >/dev/null
            settle
            s=$(load "$rtt" "$m")
            echo "$s" >>"$work/$rtt.$m"
            cat "$work/peak" >>"$work/$rtt.$m.peak"
            echo "  round $r, ${rtt} ms, $m: ${s}s, peak $(cat "$work/peak") connections"
        done
    done
done

echo
echo "rows=$rows rounds=$rounds, $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $build_orig, PostgreSQL $(psqlq -c 'SHOW server_version'), initial load, defaults (-j $workers) through netproxy"
echo
echo "| round trip | defaults, rows/s | --pipeline-depth 1, rows/s | defaults / depth 1 | peak connections (-j $workers) |"
echo "|---|---|---|---|---|"
for rtt in $rtts; do
    d=$(median <"$work/$rtt.default")
    o=$(median <"$work/$rtt.depth1")
    peak=$(sort -n "$work/$rtt.default.peak" "$work/$rtt.depth1.peak" | tail -1)
    label="$rtt ms"
    [ "$rtt" = direct ] && label="PostgreSQL, no proxy"
    echo "| $label | $(echo "$rows / $d" | bc) | $(echo "$rows / $o" | bc) | $(echo "scale=2; $o / $d" | bc) | $peak |"
done
if [ -n "${BASELINE:-}" ]; then
    echo
    for rtt in $rtts; do
        echo "defaults / baseline at $rtt (rows/s): $(echo "scale=3; $(median <"$work/$rtt.baseline") / $(median <"$work/$rtt.default")" | bc)"
    done
fi
echo
if [ -e "$work/0.default" ]; then
    base=$(median <"$work/0.default")
    for rtt in $rtts; do
        echo "defaults at $rtt ms / defaults at 0 ms (rows/s): $(echo "scale=3; $base / $(median <"$work/$rtt.default")" | bc)"
    done
fi
