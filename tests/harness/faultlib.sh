# tests/harness/faultlib.sh - helpers for the fault-injection tests
# (tests/integration/fault_*.sh), sourced after testlib.sh and loadlib.sh:
#
#   source "$(dirname "$LOADLIB")/faultlib.sh"
#
#   slow_statements MS           every statement on products sleeps MS ms
#                                (a FOR EACH STATEMENT trigger), so that a
#                                small load lasts long enough to interrupt
#   fast_statements              drop that trigger
#   stage_ordered FILE TABLE     like stage_reference, plus "ord": the
#                                record's ordinal in FILE (0-based, header
#                                excluded), as --checkpoint counts records
#   start_loader ARGS...         run $CRDBLOAD in the background; sets
#                                loader_pid (output: $TMP/loader.out, .err)
#   wait_loader                  wait for it; sets loader_rc, prints the tail
#   wait_rows N [SECS]           until products holds N rows (default 30 s)
#   ckpt_field FILE              "FILE RECORD" of a checkpoint's position
#   prefix_committed DESC CKPT REF
#                                every record before the checkpoint's position
#                                (single-input runs) is in products; a missing
#                                checkpoint or position fails
#   ms_now                       monotonic-ish milliseconds, for timings

slow_statements() {
    q "CREATE OR REPLACE FUNCTION crdbload_test_slow() RETURNS trigger LANGUAGE plpgsql AS
       \$\$ BEGIN PERFORM pg_sleep($1 / 1000.0); RETURN NULL; END \$\$;
       DROP TRIGGER IF EXISTS crdbload_test_slow ON products;
       CREATE TRIGGER crdbload_test_slow BEFORE INSERT ON products
           FOR EACH STATEMENT EXECUTE FUNCTION crdbload_test_slow()" >/dev/null
}

fast_statements() {
    q "DROP TRIGGER IF EXISTS crdbload_test_slow ON products" >/dev/null
}

stage_ordered() {
    local file=$1 table=$2
    stage_reference "$file" "$table"
    # \copy keeps the input order: number the rows as they arrive.
    q "ALTER TABLE $table ADD COLUMN ord bigserial" >/dev/null
    q "TRUNCATE $table; ALTER SEQUENCE ${table}_ord_seq RESTART WITH 0 MINVALUE 0" >/dev/null
    psql -X -q -v ON_ERROR_STOP=1 -d "$PGURL" \
        -c "\\copy $table ($CATALOG_COLS) FROM '$TMP/ref.csv' WITH (FORMAT csv, HEADER true)"
}

start_loader() {
    : "${CRDBLOAD:?CRDBLOAD is not set}"
    echo "+ crdbload $* (background)"
    "$CRDBLOAD" "$@" >"$TMP/loader.out" 2>"$TMP/loader.err" &
    loader_pid=$!
}

wait_loader() {
    wait "$loader_pid"
    loader_rc=$?
    echo "  -> exit $loader_rc; stderr ends:"
    tail -n 12 "$TMP/loader.err" | sed 's/^/  | /'
}

wait_rows() {
    local want=$1 secs=${2:-30} i
    for ((i = 0; i < secs * 10; i++)); do
        [ "$(q 'SELECT count(*) FROM products' 2>/dev/null || echo 0)" -ge "$want" ] && return 0
        sleep 0.1
    done
    echo "wait_rows: products never reached $want rows" >&2
    return 1
}

ckpt_field() {
    sed -n 's/^position \([0-9]*\) \([0-9]*\)$/\1 \2/p' "$1"
}

prefix_committed() {
    local desc=$1 ckpt=$2 ref=$3 pos rec missing
    pos=$(ckpt_field "$ckpt" 2>/dev/null)
    # A missing or unreadable checkpoint is a failure, not a position of 0.
    if ! [[ "$pos" =~ ^[0-9]+\ [0-9]+$ ]]; then
        fail "$desc: a checkpoint with a position is on disk ($ckpt)" "position line: '$pos'"
        return 0
    fi
    rec=${pos#* }
    missing=$(q "SELECT count(*) FROM $ref r WHERE r.ord < $rec
                 AND NOT EXISTS (SELECT 1 FROM products p WHERE p.sku = r.sku)")
    check_eq "$desc: every record before the checkpoint ($pos) is in the table" "$missing" 0
}

ms_now() {
    date +%s%3N
}
