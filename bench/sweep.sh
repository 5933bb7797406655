#!/usr/bin/env bash
# bench/sweep.sh - pick the default --workers, --batch-size and
# --statement-form by measuring: for each setting, an initial load into an
# empty table (S1) and a reload of the same catalog (S2), each preceded by the
# same table state (emptied, or the base freshly loaded, VACUUM ANALYZE,
# CHECKPOINT), autovacuum off. The settings are visited ROUNDS times in turn
# (not each ROUNDS times in a row), so machine noise spreads over all of them;
# medians are printed as a Markdown table for the README.
#
#   bash tests/harness/with_pg.sh bash bench/sweep.sh BUILD_DIR [ROWS] [ROUNDS]
set -euo pipefail
build=${1:?usage: sweep.sh BUILD_DIR [ROWS] [ROUNDS]}
rows=${2:-1000000}
rounds=${3:-3}
# The settings of the README's table: FORM:WORKERS:BATCH.
settings=${SWEEP_SETTINGS:-"values:2:1000 values:4:500 values:4:1000 values:8:1000 values:4:2000 unnest:4:1000 unnest:8:1000"}
source "$(dirname "$0")/benchlib.sh"
bench_setup "$rows"

settle() { psqlq -c "VACUUM ANALYZE products" -c "CHECKPOINT" >/dev/null; }
load() { # form workers batch -> seconds
    local t0 t1
    t0=$(date +%s.%N)
    "$build/crdbload" -q --url "$PGURL" --statement-form "$1" -j "$2" -b "$3" "$work/base.csv.gz"
    t1=$(date +%s.%N)
    echo "$t1 - $t0" | bc
}

for ((r = 1; r <= rounds; r++)); do
    for s in $settings; do
        IFS=: read -r form w b <<< "$s"
        psqlq -c "TRUNCATE products" >/dev/null
        settle
        s1=$(load "$form" "$w" "$b")
        settle
        s2=$(load "$form" "$w" "$b")
        echo "$s1" >> "$work/$s.s1"
        echo "$s2" >> "$work/$s.s2"
        echo "  round $r $s: S1 ${s1}s S2 ${s2}s"
    done
done

echo
echo "rows=$rows rounds=$rounds, $(nproc) cores, PostgreSQL $(psqlq -c 'SHOW server_version'), gzip input, fixtures/schema.sql"
echo
echo "| --statement-form | -j | -b | S1 initial load, rows/s | S2 reload, rows/s |"
echo "|---|---|---|---|---|"
for s in $settings; do
    IFS=: read -r form w b <<< "$s"
    m1=$(median < "$work/$s.s1")
    m2=$(median < "$work/$s.s2")
    echo "| $form | $w | $b | $(echo "$rows / $m1" | bc) | $(echo "$rows / $m2" | bc) |"
done
