#!/usr/bin/env bash
# bench/pipeline_vs_copy.sh - crdbload against the copy-merge baseline users
# reach for with PostgreSQL's own tools: psql \copy into an unlogged staging
# table, then one INSERT ... SELECT ... ON CONFLICT (sku) DO UPDATE.
#
#   bash tests/harness/with_pg.sh bash bench/pipeline_vs_copy.sh BUILD_DIR [ROWS] [ROUNDS]
#
# Scenarios: S1 initial load into an empty table; S2 reload of the same file;
# S3 reload with 10% of rows changed; S3c the same with --only-changed against
# a copy-merge whose update has the same IS DISTINCT FROM condition. Every run
# starts from the same table state (emptied, or the base catalog freshly
# loaded, then VACUUM ANALYZE and CHECKPOINT) with autovacuum off; the two
# tools alternate, ROUNDS times each, and medians are compared, because the
# machine is shared and noisy.
set -euo pipefail
build=${1:?usage: pipeline_vs_copy.sh BUILD_DIR [ROWS] [ROUNDS]}
rows=${2:-1000000}
rounds=${3:-3}
workers=${BENCH_WORKERS:-}
batch=${BENCH_BATCH:-}
source "$(dirname "$0")/benchlib.sh"
bench_setup "$rows"
"$build/gencatalog" -n "$rows" -s 42 --change-fraction 0.1 --gzip -o "$work/changed.csv.gz"

cols="sku,name,description,price,stock,currency"
set_all="name = excluded.name, description = excluded.description, price = excluded.price, stock = excluded.stock, currency = excluded.currency, updated_at = now()"
distinct="WHERE (t.name, t.description, t.price, t.stock, t.currency) IS DISTINCT FROM (excluded.name, excluded.description, excluded.price, excluded.stock, excluded.currency)"

# Server CPU seconds of this cluster only: its postmaster and live children,
# plus what exited backends left in the postmaster's children times.
server_cpu() {
    local pm tck total=0 f
    pm=$(head -1 "$PGDATA/postmaster.pid")
    tck=$(getconf CLK_TCK)
    for f in /proc/[0-9]*/stat; do
        { read -r -a st < "$f"; } 2>/dev/null || continue
        if [ "${st[0]}" = "$pm" ]; then
            total=$((total + st[13] + st[14] + st[15] + st[16]))
        elif [ "${st[3]}" = "$pm" ]; then
            total=$((total + st[13] + st[14]))
        fi
    done
    echo "scale=2; $total / $tck" | bc
}

reset_empty() {
    psqlq -c "TRUNCATE products" -c "VACUUM ANALYZE products" -c "CHECKPOINT" >/dev/null
}
reset_base() {
    reset_empty
    "$build/crdbload" -q --url "$PGURL" "$work/base.csv.gz" >/dev/null
    psqlq -c "VACUUM ANALYZE products" -c "CHECKPOINT" >/dev/null
}

# One timed run: prints "seconds client_cpu server_cpu peak_rss_kb".
timed() {
    local s0 s1 t0 t1
    s0=$(server_cpu)
    t0=$(date +%s.%N)
    /usr/bin/time -f "%U %S %M" -o "$work/time" "$@" >/dev/null 2>"$work/err" || {
        cat "$work/err" >&2
        return 1
    }
    t1=$(date +%s.%N)
    s1=$(server_cpu)
    read -r u s m < "$work/time"
    echo "$(echo "$t1 - $t0" | bc) $(echo "$u + $s" | bc) $(echo "$s1 - $s0" | bc) $m"
}

run_crdbload() { # file [extra options]
    local f=$1
    shift
    timed "$build/crdbload" -q --url "$PGURL" ${workers:+-j "$workers"} ${batch:+-b "$batch"} \
        --set 'updated_at=now()' "$@" "$f"
}

run_copy_merge() { # file where-clause
    cat > "$work/merge.sql" <<SQL
CREATE UNLOGGED TABLE staging (sku text, name text, description text, price numeric(10,2), stock integer, currency text);
\\copy staging ($cols) FROM PROGRAM 'zcat $1' WITH (FORMAT csv, HEADER true)
INSERT INTO products AS t ($cols) SELECT $cols FROM staging
  ON CONFLICT (sku) DO UPDATE SET $set_all $2;
DROP TABLE staging;
SQL
    timed psql -X -q -v ON_ERROR_STOP=1 "$PGURL" -f "$work/merge.sql"
}


echo "bench pipeline_vs_copy: rows=$rows rounds=$rounds host=$(nproc) cores, $(free -g | awk '/Mem/{print $2}') GiB, $(uname -m)"
echo "schema: fixtures/schema.sql (products, sku unique); crdbload workers=${workers:-default} batch=${batch:-default}"

for scenario in S1 S2 S3 S3c; do
    : > "$work/$scenario.crdb"
    : > "$work/$scenario.copy"
    for ((r = 1; r <= rounds; r++)); do
        for tool in crdb copy; do
            case $scenario in S1) reset_empty ;; *) reset_base ;; esac
            case $scenario in S1 | S2) f=$work/base.csv.gz ;; *) f=$work/changed.csv.gz ;; esac
            if [ $tool = crdb ]; then
                if [ $scenario = S3c ]; then res=$(run_crdbload "$f" --only-changed); else res=$(run_crdbload "$f"); fi
            else
                if [ $scenario = S3c ]; then res=$(run_copy_merge "$f" "$distinct"); else res=$(run_copy_merge "$f" ""); fi
            fi
            echo "$res" >> "$work/$scenario.$tool"
            echo "  $scenario round $r $tool: seconds client_cpu server_cpu rss_kb = $res"
        done
    done
    c_s=$(cut -d' ' -f1 "$work/$scenario.crdb" | median)
    b_s=$(cut -d' ' -f1 "$work/$scenario.copy" | median)
    c_cpu=$(cut -d' ' -f2 "$work/$scenario.crdb" | median)
    c_srv=$(cut -d' ' -f3 "$work/$scenario.crdb" | median)
    c_rss=$(cut -d' ' -f4 "$work/$scenario.crdb" | sort -n | tail -1)
    c_rate=$(echo "$rows / $c_s" | bc)
    b_rate=$(echo "$rows / $b_s" | bc)
    ratio=$(echo "scale=2; $b_s / $c_s" | bc)
    share=$(echo "scale=1; 100 * $c_cpu / ($c_cpu + $c_srv)" | bc)
    echo "RESULT $scenario crdbload_rows_per_s=$c_rate copy_merge_rows_per_s=$b_rate ratio=$ratio client_cpu_s=$c_cpu server_cpu_s=$c_srv client_cpu_share=${share}% peak_rss_mib=$((c_rss / 1024))"
done
