#!/usr/bin/env bash
# bench/crdb_retries.sh - what the node retries on its own while crdbload
# reloads a catalog that is already in the table: per run, the change of the
# node's txn.* counters (crdb_internal.node_metrics) and the run's statements
# (crdb_internal.node_statement_statistics, one application_name a run:
# count | max_retries | service, run, overhead latency s | rows read |
# contention s | full scan | last error | statement), and the jobs (such as
# AUTO CREATE STATS) that ran meanwhile.
#
#   bash tests/harness/with_crdb.sh bash bench/crdb_retries.sh BUILD_DIR [ROWS] [ROUNDS] [VARIANT...]
#
# VARIANT: comma-separated crdbload options, "-" for its defaults, or "seeds"
# (bench/seeds/upsert.js, 1000-row batches, 4 in flight; its node_modules
# installed as bench/crdb.sh does) (default list: "- --pipeline-depth,1 -j,1"). The table is loaded once, then each
# round reloads it once with each variant, alternated. RETRIES_SETTINGS
# (below) sets cluster settings after the load.
set -euo pipefail
build=$(cd "${1:?usage: crdb_retries.sh BUILD_DIR [ROWS] [ROUNDS] [VARIANT...]}" && pwd)
rows=${2:-20000}
rounds=${3:-2}
shift $(($# < 3 ? $# : 3))
variants=("$@")
# shellcheck disable=SC2054 # each variant is its options, comma-separated
[ ${#variants[@]} -gt 0 ] || variants=(- --pipeline-depth,1 -j,1)
: "${CRDB_URL:?run under tests/harness/with_crdb.sh}"
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PGURL=$CRDB_URL
source "$here/bench/benchlib.sh" # psqlq crdb_bench_setup node1_cpu

crdb_bench_setup "$rows"

metrics() { # name value of the node's txn and contention counters
    psqlq -F ' ' -c "SELECT name, value FROM crdb_internal.node_metrics
        WHERE name LIKE 'txn.%' OR name LIKE 'txnwaitqueue.%'
           OR name LIKE 'intentresolver.%' OR name LIKE 'kv.concurrency.%'
        " | LC_ALL=C sort
}

reload() { # VARIANT: one reload, application_name $app
    case $1 in
    seeds) PGAPPNAME=$app node "$here/bench/seeds/upsert.js" "$CRDB_URL" products \
        "$work/base.csv.gz" 1000 4 ;;
    *) PGAPPNAME=$app "$build/crdbload" -q --url "$CRDB_URL_ALL" "${opts[@]}" "$work/base.csv.gz" ;;
    esac
}

"$build/crdbload" -q --url "$CRDB_URL_ALL" "$work/base.csv.gz" >/dev/null
# RETRIES_SETTINGS: "name = value; ..." cluster settings for the reloads, to
# test what makes the node retry (e.g. kv.closed_timestamp.target_duration)
IFS=';' read -r -a settings <<<"${RETRIES_SETTINGS:-}"
for s in "${settings[@]}"; do
    [ -z "${s// /}" ] || psqlq -c "SET CLUSTER SETTING $s" >/dev/null
done
n=0
for r in $(seq "$rounds"); do
    for v in "${variants[@]}"; do
        n=$((n + 1))
        app="reload$n"
        opts=()
        [ "$v" = - ] || IFS=, read -r -a opts <<<"$v"
        sleep 3
        metrics >"$work/m0"
        c0=$(node1_cpu)
        t0=$(date +%s.%N)
        reload "$v" >/dev/null
        t1=$(date +%s.%N)
        c1=$(node1_cpu)
        metrics >"$work/m1"
        echo "== round $r, ${v//,/ } ($app): $(echo "$t1 - $t0" | bc) s," \
            "node CPU $(echo "$c1 - $c0" | bc) s;" \
            "load average $(cut -d' ' -f1-3 /proc/loadavg)"
        LC_ALL=C join "$work/m0" "$work/m1" | awk '{d = $3 - $2; if (d != 0) printf "  %s %+g\n", $1, d}'
        psqlq -F ' | ' -c "SELECT count, max_retries, round(service_lat_avg, 3),
                round(run_lat_avg, 3), round(overhead_lat_avg, 3),
                round(rows_read_avg), round(contention_time_avg, 3), full_scan,
                left(last_error, 40), left(key, 40)
            FROM crdb_internal.node_statement_statistics
            WHERE application_name = '$app' ORDER BY count DESC" | sed 's/^/  /'
        psqlq -F ' | ' -c "SELECT job_type, status, created, finished
            FROM crdb_internal.jobs WHERE created > now() - INTERVAL '$(echo "$t1 - $t0 + 8" | bc) seconds'
            ORDER BY created" | sed 's/^/  job /'
    done
done
