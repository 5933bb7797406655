#!/usr/bin/env bash
# bench/ab.sh - two builds of crdbload side by side on PostgreSQL, each with
# its defaults: is a change slower? S1 initial load into an empty table and S2
# reload of the same catalog, each preceded by the same table state (emptied,
# or the base freshly loaded, VACUUM ANALYZE, CHECKPOINT), autovacuum off; the
# builds alternate, ROUNDS times, which one goes first swapping each round,
# and medians are compared (B / A > 1: B is faster).
#
#   bash tests/harness/with_pg.sh bash bench/ab.sh BUILD_A BUILD_B [ROWS] [ROUNDS]
set -euo pipefail
a=${1:?usage: ab.sh BUILD_A BUILD_B [ROWS] [ROUNDS]}
b=${2:?usage: ab.sh BUILD_A BUILD_B [ROWS] [ROUNDS]}
rows=${3:-1000000}
rounds=${4:-3}
build=$b # bench_setup's gencatalog
source "$(dirname "$0")/benchlib.sh"
bench_setup "$rows"

settle() { psqlq -c "VACUUM ANALYZE products" -c "CHECKPOINT" >/dev/null; }
load() { # build -> seconds
    local t0 t1
    t0=$(date +%s.%N)
    "$1/crdbload" -q --url "$PGURL" "$work/base.csv.gz"
    t1=$(date +%s.%N)
    echo "$t1 - $t0" | bc
}

for ((r = 1; r <= rounds; r++)); do
    sides="a b"
    ((r % 2)) || sides="b a" # neither build always runs second
    for side in $sides; do
        dir=${!side}
        psqlq -c "TRUNCATE products" >/dev/null
        settle
        s1=$(load "$dir")
        settle
        s2=$(load "$dir")
        echo "$s1" >>"$work/$side.s1"
        echo "$s2" >>"$work/$side.s2"
        echo "  round $r $side: S1 ${s1}s S2 ${s2}s"
    done
done

echo
echo "rows=$rows rounds=$rounds, $(nproc) cores, PostgreSQL $(psqlq -c 'SHOW server_version'), gzip input, fixtures/schema.sql"
echo "A: $a"
echo "B: $b"
echo
echo "| scenario | A rows/s | B rows/s | B / A |"
echo "|---|---|---|---|"
for s in s1 s2; do
    ma=$(median <"$work/a.$s")
    mb=$(median <"$work/b.$s")
    echo "| ${s^^} | $(echo "$rows / $ma" | bc) | $(echo "$rows / $mb" | bc) | $(echo "scale=2; $ma / $mb" | bc) |"
done
