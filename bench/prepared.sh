#!/usr/bin/env bash
# bench/prepared.sh - what the fallback to unnamed statements costs (the
# path crdbload takes behind PgBouncer in transaction or statement mode) on
# PostgreSQL directly: --prepared-statements auto (each batch shape prepared
# once per connection) against off (every batch parsed and planned anew),
# defaults otherwise. S1: initial load into an empty table; S2: reload of
# the same catalog; each from the same table state (VACUUM ANALYZE,
# CHECKPOINT), the two settings alternated ROUNDS times; medians.
#
#   bash tests/harness/with_pg.sh bash bench/prepared.sh BUILD_DIR [ROWS] [ROUNDS]
set -euo pipefail
build=${1:?usage: prepared.sh BUILD_DIR [ROWS] [ROUNDS]}
rows=${2:-200000}
rounds=${3:-5}
source "$(dirname "$0")/benchlib.sh"
bench_setup "$rows"

settle() { psqlq -c "VACUUM ANALYZE products" -c "CHECKPOINT" >/dev/null; }
load() { # MODE -> seconds
    local t0 t1
    t0=$(date +%s.%N)
    "$build/crdbload" -q --url "$PGURL" --prepared-statements "$1" "$work/base.csv.gz"
    t1=$(date +%s.%N)
    echo "$t1 - $t0" | bc
}

for ((r = 1; r <= rounds; r++)); do
    for m in auto off; do
        psqlq -c "TRUNCATE products" >/dev/null
        settle
        s1=$(load "$m")
        settle
        s2=$(load "$m")
        echo "$s1" >>"$work/$m.s1"
        echo "$s2" >>"$work/$m.s2"
        echo "  round $r $m: S1 ${s1}s S2 ${s2}s"
    done
done

echo
echo "rows=$rows rounds=$rounds, $(nproc) cores, PostgreSQL $(psqlq -c 'SHOW server_version'), defaults otherwise"
echo
echo "| --prepared-statements | S1 initial load, rows/s | S2 reload, rows/s |"
echo "|---|---|---|"
for m in auto off; do
    echo "| $m | $(echo "$rows / $(median <"$work/$m.s1")" | bc) | $(echo "$rows / $(median <"$work/$m.s2")" | bc) |"
done
echo
for s in s1 s2; do
    echo "$s ratio off/auto (rows/s): $(echo "scale=3; $(median <"$work/auto.$s") / $(median <"$work/off.$s")" | bc)"
done
