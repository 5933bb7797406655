#!/usr/bin/env bash
# bench/missing.sh - what --missing=delete costs: the same reload of a ROWS-row
# catalog into a table that also holds 1% more rows whose keys the feed lacks,
# without --missing (they stay) and with it (they are deleted). The extra time
# (the keys streamed by COPY while loading, then the anti-join and the batched
# deletes) is reported as a ratio of the run's time; the peak RSS of both, to
# show that the keys do not live in crdbload's memory.
#
#   bash tests/harness/with_pg.sh bash bench/missing.sh BUILD_DIR [ROWS] [ROUNDS]
#
# Every run starts from the same state: the catalog loaded, ROWS/100 extra rows
# (keys the feed lacks) inserted, VACUUM ANALYZE, CHECKPOINT, autovacuum off.
# The two runs alternate, ROUNDS times each; medians are compared (the machine
# is shared). BENCH_OPTS adds options to both runs (e.g. --only-changed).
set -euo pipefail
build=${1:?usage: missing.sh BUILD_DIR [ROWS] [ROUNDS]}
rows=${2:-1000000}
rounds=${3:-3}
extra=$((rows / 100))
read -r -a opts <<<"${BENCH_OPTS:-}"
source "$(dirname "$0")/benchlib.sh"
bench_setup "$rows"

reset_state() {
    psqlq -c "DELETE FROM products WHERE sku LIKE 'GONE-%'" \
        -c "INSERT INTO products (sku, name, price) SELECT 'GONE-' || g, 'gone', 1 FROM generate_series(1, $extra) g" \
        -c "VACUUM ANALYZE products" -c "CHECKPOINT" >/dev/null
}

# One timed run: prints "seconds peak_rss_kb rows_missing".
timed() {
    local t0 t1
    t0=$(date +%s.%N)
    /usr/bin/time -f "%M" -o "$work/time" "$build/crdbload" -q --url "$PGURL" \
        --summary-json "$work/s.json" "${opts[@]}" "$@" "$work/base.csv.gz" \
        >/dev/null 2>"$work/err" || {
        cat "$work/err" >&2
        return 1
    }
    t1=$(date +%s.%N)
    echo "$(echo "$t1 - $t0" | bc) $(tail -1 "$work/time") $(grep -o '"rows_missing":[0-9]*' "$work/s.json" | cut -d: -f2)"
}

echo "bench missing: rows=$rows extra=$extra rounds=$rounds opts='${opts[*]}' host=$(nproc) cores, $(free -g | awk '/Mem/{print $2}') GiB"
"$build/crdbload" -q --url "$PGURL" "$work/base.csv.gz"
: > "$work/keep"
: > "$work/delete"
for ((r = 1; r <= rounds; r++)); do
    for mode in keep delete; do
        reset_state
        if [ $mode = keep ]; then res=$(timed); else res=$(timed --missing=delete); fi
        echo "$res" >> "$work/$mode"
        echo "  round $r $mode: seconds peak_rss_kb rows_missing = $res"
        want=$([ $mode = keep ] && echo 0 || echo $extra)
        [ "${res##* }" = "$want" ] || { echo "rows_missing ${res##* }, expected $want" >&2; exit 1; }
    done
done
k_s=$(cut -d' ' -f1 "$work/keep" | median)
d_s=$(cut -d' ' -f1 "$work/delete" | median)
k_rss=$(cut -d' ' -f2 "$work/keep" | median)
d_rss=$(cut -d' ' -f2 "$work/delete" | median)
echo "RESULT missing rows=$rows keep_s=$k_s delete_s=$d_s time_ratio=$(echo "scale=3; $d_s / $k_s" | bc)" \
    "keep_rss_mib=$((k_rss / 1024)) delete_rss_mib=$((d_rss / 1024)) rss_ratio=$(echo "scale=3; $d_rss / $k_rss" | bc)"
