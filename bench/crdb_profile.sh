#!/usr/bin/env bash
# bench/crdb_profile.sh - where node 1 spends its CPU while a tool loads:
# the node's own CPU profile (/debug/pprof/profile; the shipped cockroach
# binary is stripped, so perf cannot name its frames) over a window of the
# load, cut into layers by bench/pprof_layers.py, in % and in CPU µs a row.
#
#   bash tests/harness/with_crdb.sh bash bench/crdb_profile.sh BUILD_DIR TOOL [ROWS] [SECONDS] [S1|S2]
#
# TOOL: crdbload, crdbload+OPTIONS (comma-separated), seeds or import (the
# same commands as bench/crdb.sh). S1 (the default) profiles an initial load
# into the emptied table, S2 a reload (the tool loads the file once first,
# unprofiled). The profile starts 2 s into the load and lasts SECONDS
# (default 20); the rows written in that window are counted from the table
# (for import, which takes the table offline, the whole file: give it a
# window that covers the whole IMPORT). PROFILE_KEEP=FILE keeps the profile.
set -euo pipefail
build=$(cd "${1:?usage: crdb_profile.sh BUILD_DIR TOOL [ROWS] [SECONDS] [S1|S2]}" && pwd)
tool=${2:?usage: crdb_profile.sh BUILD_DIR TOOL [ROWS] [SECONDS] [S1|S2]}
rows=${3:-200000}
seconds=${4:-20}
scenario=${5:-S1}
: "${CRDB_URL:?run under tests/harness/with_crdb.sh}"
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PGURL=$CRDB_URL
source "$here/bench/benchlib.sh" # psqlq crdb_bench_setup node1_cpu

crdb_bench_setup "$rows"
cp "$work/base.csv.gz" "$CRDB_EXTERN/base.csv.gz"
cols="sku, name, description, price, stock, currency"

run() {
    case $tool in
    crdbload) "$build/crdbload" -q --url "$CRDB_URL_ALL" "$work/base.csv.gz" ;;
    crdbload+*)
        local -a opts
        IFS=, read -r -a opts <<<"${tool#crdbload+}"
        "$build/crdbload" -q --url "$CRDB_URL_ALL" "${opts[@]}" "$work/base.csv.gz"
        ;;
    seeds)
        [ -d "$here/bench/seeds/node_modules" ] ||
            (cd "$here/bench/seeds" && npm ci --no-audit --no-fund --loglevel=error) >&2
        node "$here/bench/seeds/upsert.js" "$CRDB_URL" products "$work/base.csv.gz" 1000 4
        ;;
    import)
        psqlq -c "IMPORT INTO products ($cols) CSV DATA ('nodelocal://1/base.csv.gz') WITH skip = '1'"
        ;;
    *) echo "crdb_profile.sh: unknown tool $tool" >&2 && exit 2 ;;
    esac
}

count() { psqlq -c "SELECT count(*) FROM products"; }

psqlq -c "TRUNCATE products" >/dev/null
[ "$scenario" = S1 ] || run >/dev/null
sleep 5 # what the previous statements left behind (intent resolution)
run >"$work/out" 2>"$work/err" &
pid=$!
sleep 2
counted=0 # an initial load other than IMPORT: the window's rows from the table
[ "$tool" = import ] || [ "$scenario" = S2 ] || counted=1
[ "$counted" = 0 ] || c0=$(count)
cpu0=$(node1_cpu)
t0=$(date +%s.%N)
curl -sf -o "$work/cpu.pb.gz" \
    "http://127.0.0.1:${CRDB_HTTP_PORTS%% *}/debug/pprof/profile?seconds=$seconds"
cpu1=$(node1_cpu)
t1=$(date +%s.%N)
[ "$counted" = 0 ] || c1=$(count)
wait "$pid" || {
    echo "crdb_profile.sh: $tool failed" >&2
    cat "$work/err" >&2
    exit 1
}
tend=$(date +%s.%N)
if [ "$tool" = import ]; then
    n=$rows
elif [ "$scenario" = S2 ]; then
    # a reload: the rows of the window, from the run's average rate
    n=$(echo "$rows * ($t1 - $t0) / ($tend - $t0 + 2)" | bc)
    [ "$(echo "$tend < $t1" | bc)" = 1 ] && n=$rows
else
    n=$((c1 - c0))
fi
[ -z "${PROFILE_KEEP:-}" ] || cp "$work/cpu.pb.gz" "$PROFILE_KEEP"
echo "$tool $scenario: $rows rows; profile window ${seconds}s, about $n rows written in it;" \
    "node 1 CPU $(echo "$cpu1 - $cpu0" | bc) s over the window;" \
    "load average $(cut -d' ' -f1-3 /proc/loadavg)"
python3 "$here/bench/pprof_layers.py" "$work/cpu.pb.gz" "$n"
