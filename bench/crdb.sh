#!/usr/bin/env bash
# bench/crdb.sh - crdbload on CockroachDB against what else a user would do:
#
#   crdbload  crdbload with its defaults (all the nodes' URI, CRDB_URL_ALL)
#   values    the same with --statement-form values (auto takes unnest here)
#   crdbload+OPTIONS  crdbload with OPTIONS, comma-separated (crdbload+-b,2500)
#   base      the crdbload of another build (BASE_BUILD=DIR) with its defaults:
#             a change measured against the code before it
#   split     crdbload with its defaults into a table split beforehand into 4
#             ranges a index (ALTER TABLE/INDEX ... SPLIT AT: a schema change
#             crdbload does not make on its own; measured, not a default)
#             (these four only when BENCH_TOOLS names them)
#   seeds     the seeds' approach: node-postgres Pool, INSERT ... VALUES ($1, ...), ...
#             ON CONFLICT (sku) DO UPDATE in 1000-row batches, 4 in flight
#             (bench/seeds/upsert.js; one URL, node 1, as pg takes one host)
#   import    IMPORT INTO of the same file (nodelocal://1/, node 1's
#             --external-io-dir) on an empty table: insert only, the table
#             offline; the bulk path CockroachDB offers. Initial load only.
#   copy      COPY FROM STDIN into a staging table, then one INSERT ... SELECT
#             ... ON CONFLICT (sku) DO UPDATE. v21.1's COPY refuses the CSV
#             file (no HEADER option; quoted quotes), so it gets the same rows
#             in COPY's text format (gencatalog --copy-text, made before the
#             timing); the refusal is printed.
#
#   bash tests/harness/with_crdb.sh [--nodes 3] bash bench/crdb.sh BUILD_DIR [ROWS] [ROUNDS]
#
# Scenarios: S1 initial load into an empty table (TRUNCATE, which gives the
# table fresh ranges), S2 reload of the same file into the table the same tool
# just loaded. The tools alternate, ROUNDS times each (BENCH_TOOLS picks some),
# and medians are compared: the machine is shared and noisy, so only ratios
# measured side by side in one run count. Each round starts with the next
# tool, and each run waits for the node to be idle first. Node CPU is the user+system time of
# every node's process over the run. node and npm must be installed (Debian 12:
# apt-get install nodejs npm); bench/seeds' packages are installed from the
# npm registry with `npm ci` on the first run.
set -euo pipefail
build=$(cd "${1:?usage: crdb.sh BUILD_DIR [ROWS] [ROUNDS]}" && pwd)
rows=${2:-200000}
rounds=${3:-3}
tools=${BENCH_TOOLS:-"crdbload seeds import copy"}
: "${CRDB_URL:?run under tests/harness/with_crdb.sh}"
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PGURL=$CRDB_URL
source "$here/bench/benchlib.sh" # psqlq, median

for t in node npm; do
    command -v "$t" >/dev/null || {
        echo "crdb.sh: $t not found (Debian 12: apt-get install nodejs npm)" >&2
        exit 1
    }
done
[ -d "$here/bench/seeds/node_modules" ] ||
    (cd "$here/bench/seeds" && npm ci --no-audit --no-fund --loglevel=error) >&2

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$build/gencatalog" -n "$rows" -s 42 --gzip -o "$work/base.csv.gz"
"$build/gencatalog" -n "$rows" -s 42 --copy-text -o "$work/base.copy"
cp "$work/base.csv.gz" "$CRDB_EXTERN/base.csv.gz"

cols="sku, name, description, price, stock, currency"
upd="name = excluded.name, description = excluded.description, price = excluded.price, stock = excluded.stock, currency = excluded.currency"

# CPU seconds (user + system) of every node so far.
node_cpu() {
    local tck total=0 pid
    tck=$(getconf CLK_TCK)
    for pid in $CRDB_NODE_PIDS; do
        read -r -a st <"/proc/$pid/stat"
        total=$((total + st[13] + st[14]))
    done
    echo "scale=2; $total / $tck" | bc
}

# Wait (up to 60 s) until the nodes use less than a tenth of a core: what a
# run leaves behind (intent resolution, compactions) is not the next one's.
settle() {
    local i a b
    for i in $(seq 60); do
        a=$(node_cpu)
        sleep 1
        b=$(node_cpu)
        [ "$(echo "$b - $a < 0.1" | bc)" = 1 ] && return 0
    done
}

# One timed run of CMD: prints "seconds node_cpu_seconds".
timed() {
    local c0 c1 t0 t1
    settle
    c0=$(node_cpu)
    t0=$(date +%s.%N)
    "$@" >"$work/out" 2>"$work/err" || {
        echo "crdb.sh: failed: $*" >&2
        cat "$work/err" >&2
        return 1
    }
    t1=$(date +%s.%N)
    c1=$(node_cpu)
    echo "$(echo "$t1 - $t0" | bc) $(echo "$c1 - $c0" | bc)"
}

run_crdbload() { "$build/crdbload" -q --url "$CRDB_URL_ALL" "$work/base.csv.gz"; }
run_base() { "${BASE_BUILD:?base: set BASE_BUILD}/crdbload" -q --url "$CRDB_URL_ALL" "$work/base.csv.gz"; }
run_values() { "$build/crdbload" -q --url "$CRDB_URL_ALL" --statement-form values "$work/base.csv.gz"; }
run_variant() { # comma-separated options
    local -a opts
    IFS=, read -r -a opts <<<"$1"
    "$build/crdbload" -q --url "$CRDB_URL_ALL" "${opts[@]}" "$work/base.csv.gz"
}
run_split() {
    local q
    q=$(printf "'%s'," 40000000-0000-0000-0000-000000000000 \
        80000000-0000-0000-0000-000000000000 c0000000-0000-0000-0000-000000000000)
    psqlq -c "ALTER TABLE products SPLIT AT SELECT unnest(ARRAY[${q%,}]::uuid[])" \
        -c "ALTER INDEX products@products_sku_key SPLIT AT
            SELECT 'SKU-' || lpad((i * $rows / 4)::text, 8, '0') FROM generate_series(1, 3) AS i" \
        >/dev/null
    run_crdbload
}
run_seeds() { node "$here/bench/seeds/upsert.js" "$CRDB_URL" products "$work/base.csv.gz" 1000 4; }
run_import() {
    psqlq -c "IMPORT INTO products ($cols) CSV DATA ('nodelocal://1/base.csv.gz') WITH skip = '1'"
}
run_copy() {
    psqlq -c "DROP TABLE IF EXISTS staging" \
        -c "CREATE TABLE staging (sku STRING, name STRING, description STRING, price DECIMAL(10,2), stock INT8, currency STRING)" \
        -c "\\copy staging ($cols) FROM '$work/base.copy'" \
        -c "INSERT INTO products AS t ($cols) SELECT $cols FROM staging ON CONFLICT (sku) DO UPDATE SET $upd" \
        -c "DROP TABLE staging"
}

check_count() { # tool scenario
    local n
    n=$(psqlq -c "SELECT count(*) FROM products")
    [ "$n" = "$rows" ] || { echo "crdb.sh: $1 $2 left $n rows, not $rows" >&2; return 1; }
}

# v21.1's COPY and the CSV file, for the record.
if ! copy_err=$(psqlq -c "CREATE TABLE IF NOT EXISTS copy_probe (LIKE products)" \
    -c "\\copy copy_probe ($cols) FROM PROGRAM 'zcat $work/base.csv.gz' WITH (FORMAT csv, HEADER true)" 2>&1); then
    echo "COPY of the CSV file refused: $(echo "$copy_err" | head -1)"
fi
psqlq -c "DROP TABLE IF EXISTS copy_probe" >/dev/null

load_start=$(cut -d' ' -f1-3 /proc/loadavg)
read -r -a order <<<"$tools"
for ((r = 1; r <= rounds; r++)); do
    # each round starts one tool further on, so no tool always follows another
    n=${#order[@]}
    for ((i = 0; i < n; i++)); do
        tool=${order[(i + r - 1) % n]}
        run=("run_$tool")
        [ "${tool#crdbload+}" = "$tool" ] || run=(run_variant "${tool#crdbload+}")
        psqlq -c "TRUNCATE products" >/dev/null
        read -r s1 c1 < <(timed "${run[@]}")
        check_count "$tool" S1
        echo "$s1 $c1" >>"$work/$tool.s1"
        line="  round $r $tool: S1 ${s1}s (node CPU ${c1}s)"
        if [ "$tool" != import ]; then
            read -r s2 c2 < <(timed "${run[@]}")
            check_count "$tool" S2
            echo "$s2 $c2" >>"$work/$tool.s2"
            line+=", S2 ${s2}s (node CPU ${c2}s)"
        fi
        echo "$line"
    done
done

med() { # file column -> median
    awk -v c="$2" '{ print $c }' "$1" | median
}
rate() { # file -> rows/s of the median time
    echo "$rows / $(med "$1" 1)" | bc
}

echo
echo "rows=$rows rounds=$rounds, $CRDB_NODES node(s), $(nproc) cores," \
    "$(psqlq -c 'SELECT version()' | cut -d' ' -f1-3), gzip input, fixtures/schema.sql," \
    "load average $load_start at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end"
echo
echo "| tool | S1 initial load, rows/s | node CPU s | S2 reload, rows/s | node CPU s |"
echo "|---|---|---|---|---|"
for tool in $tools; do
    if [ -f "$work/$tool.s2" ]; then
        echo "| $tool | $(rate "$work/$tool.s1") | $(med "$work/$tool.s1" 2) | $(rate "$work/$tool.s2") | $(med "$work/$tool.s2" 2) |"
    else
        echo "| $tool | $(rate "$work/$tool.s1") | $(med "$work/$tool.s1" 2) | - | - |"
    fi
done
echo
ratio() { # label num-file den-file
    [ -f "$2" ] && [ -f "$3" ] || return 0
    echo "$1: $(echo "scale=2; $(med "$3" 1) / $(med "$2" 1)" | bc)"
}
ratio "crdbload / seeds, S1" "$work/crdbload.s1" "$work/seeds.s1"
ratio "crdbload / import, S1" "$work/crdbload.s1" "$work/import.s1"
ratio "crdbload / copy, S1" "$work/crdbload.s1" "$work/copy.s1"
ratio "crdbload / seeds, S2" "$work/crdbload.s2" "$work/seeds.s2"
ratio "crdbload / base, S1" "$work/crdbload.s1" "$work/base.s1"
ratio "crdbload / base, S2" "$work/crdbload.s2" "$work/base.s2"
ratio "crdbload (unnest) / values, S1" "$work/crdbload.s1" "$work/values.s1"
ratio "crdbload (unnest) / values, S2" "$work/crdbload.s2" "$work/values.s2"
ratio "crdbload / copy, S2" "$work/crdbload.s2" "$work/copy.s2"
