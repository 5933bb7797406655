# bench/benchlib.sh - what the load benches share (sourced; they run under
# tests/harness/with_pg.sh, which sets PGURL):
#
#   bench_setup ROWS          a scratch dir $work (removed on exit), autovacuum
#                             off until exit (table bloat must not decide a
#                             result), fixtures/schema.sql, and the ROWS-row gzip
#                             catalog $work/base.csv.gz (seed 42)
#   psqlq ARGS...             psql, quiet, unaligned, stop on error
#   median                    the median of the numbers on stdin
#   crdb_bench_setup ROWS     for the CockroachDB benches (under
#                             tests/harness/with_crdb.sh, PGURL=$CRDB_URL): a
#                             scratch dir $work (removed on exit) and the
#                             ROWS-row gzip catalog $work/base.csv.gz (seed 42)
#   node1_cpu                 CPU seconds of CockroachDB's node 1 so far
: "${PGURL:?run under tests/harness/with_pg.sh}"
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

psqlq() { psql -X -q -At -v ON_ERROR_STOP=1 "$PGURL" "$@"; }

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

bench_teardown() {
    psqlq -c "ALTER SYSTEM RESET autovacuum" -c "SELECT pg_reload_conf()" >/dev/null || true
    rm -rf "$work"
}

bench_setup() {
    work=$(mktemp -d)
    trap bench_teardown EXIT
    psqlq -c "ALTER SYSTEM SET autovacuum = off" -c "SELECT pg_reload_conf()" >/dev/null
    psqlq -f "$here/fixtures/schema.sql" >/dev/null
    "$build/gencatalog" -n "$1" -s 42 --gzip -o "$work/base.csv.gz"
}

crdb_bench_setup() {
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
    "$build/gencatalog" -n "$1" -s 42 --gzip -o "$work/base.csv.gz"
}

node1_cpu() {
    local -a st
    read -r -a st <"/proc/${CRDB_NODE_PIDS%% *}/stat"
    echo "scale=2; (${st[13]} + ${st[14]}) / $(getconf CLK_TCK)" | bc
}
