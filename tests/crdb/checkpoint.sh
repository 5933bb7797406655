# tests/crdb/checkpoint.sh - --checkpoint on a real CockroachDB v21.1 node:
# SIGTERM mid-load (a clean abort: exit 3, the summary's committed count
# equals the table, the checkpoint saved) and SIGKILL mid-load (only what the
# saver thread wrote); each rerun resumes, skips what the checkpoint covers
# and ends with the table equal to the reference, no row lost or doubled.
# with_crdb: --nodes 1
source "$TESTLIB"
source "$LOADLIB"
source "$CRDBLIB"
source "$(dirname "$LOADLIB")/faultlib.sh"
N=8000
"$GENCATALOG" -n $N -s 41 -o "$TMP/cat.csv"
"$GENCATALOG" -n $N -s 41 --gzip -o "$TMP/cat.csv.gz"
stage_generated ref -n $N -s 41
ARGS=(--url "$PGURL" -j 3 -b 50 --progress none)

resumed() { # DESC INPUT: the rerun with the checkpoint completes the table
    local desc=$1 skipped
    run_loader "${ARGS[@]}" --checkpoint "$TMP/ck" --summary-json "$TMP/rerun.json" "$2"
    check_eq "$desc rerun: exit 0" "$loader_rc" 0
    same_rows "$desc rerun: the table equals the reference" products ref
    check_eq "$desc rerun: one row a key" "$(q 'SELECT count(*) FROM products')" $N
    skipped=$(js rows_skipped "$TMP/rerun.json")
    check_match "$desc rerun: rows skipped" "$skipped" '^[1-9][0-9]*$'
    check_eq "$desc rerun: read + skipped = input" "$(($(js rows_read "$TMP/rerun.json") + skipped))" $N
    counts_add_up "$desc rerun" "$TMP/rerun.json"
    check "$desc rerun: the checkpoint is removed" test ! -e "$TMP/ck"
}

# --- SIGTERM ------------------------------------------------------------------------
start_loader "${ARGS[@]}" "${PACE[@]}" --checkpoint "$TMP/ck" --summary-json "$TMP/t1.json" "$TMP/cat.csv"
wait_rows 2000
kill -TERM "$loader_pid"
wait_loader
check_eq "SIGTERM: exit 3" "$loader_rc" 3
written=$(js rows_written "$TMP/t1.json")
rows=$(q "SELECT count(*) FROM products")
echo "SIGTERM: rows_written $written, table $rows"
check_eq "SIGTERM: the summary's committed count equals the table" "$written" "$rows"
check "SIGTERM: stopped before the end ($rows rows)" test "$rows" -lt $N
check "SIGTERM: the checkpoint is left" test -s "$TMP/ck"
check_match "SIGTERM: the abort names the checkpoint" "$(cat "$TMP/loader.err")" 'checkpoint .*resume'
prefix_committed "SIGTERM" "$TMP/ck" ref
resumed SIGTERM "$TMP/cat.csv"

# --- SIGKILL, gzip input ---------------------------------------------------------------
q "TRUNCATE products" >/dev/null
start_loader "${ARGS[@]}" "${PACE[@]}" --checkpoint "$TMP/ck" "$TMP/cat.csv.gz"
wait_rows 2500
sleep 1.2 # at least one save of the saver thread after rows committed
kill -KILL "$loader_pid"
wait_loader
check_eq "SIGKILL: killed" "$loader_rc" 137
check "SIGKILL: a checkpoint is on disk" test -s "$TMP/ck"
echo "SIGKILL: table $(q 'SELECT count(*) FROM products'), checkpoint at $(ckpt_field "$TMP/ck")"
prefix_committed "SIGKILL" "$TMP/ck" ref
resumed "SIGKILL, gzip input," "$TMP/cat.csv.gz"
finish
