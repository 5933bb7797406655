# The server goes away in the middle of a load. Restarted (pg_ctl restart
# -m fast): the workers reconnect and the run finishes whole. Stopped for
# good: the run aborts within a bounded time (retries exhausted, exit 3),
# its summary's committed count is what the table holds once the server is
# back, and a rerun with the checkpoint it left completes the load.
source "$TESTLIB"
source "$LOADLIB"
source "$(dirname "$LOADLIB")/faultlib.sh"
load_fixture schema.sql
N=20000
"$GENCATALOG" -n $N -s 13 -o "$TMP/cat.csv"
stage_ordered "$TMP/cat.csv" ref
ARGS=(--url "$PGURL" -j 4 -b 100 --progress none)

# --- restart ----------------------------------------------------------------------
slow_statements 50
start_loader "${ARGS[@]}" --summary-json "$TMP/r.json" "$TMP/cat.csv"
wait_rows 3000
t0=$(ms_now)
pgctl restart -m fast >/dev/null
echo "restart: the server was down and back in $(($(ms_now) - t0)) ms"
wait_loader
echo "restart: reconnects $(js reconnects "$TMP/r.json"), retries $(js retries "$TMP/r.json"), elapsed $(js elapsed_s "$TMP/r.json") s"
grep -o '"retries_by_sqlstate":{[^}]*}' "$TMP/r.json"
check_eq "restart: exit 0" "$loader_rc" 0
check_match "restart: reconnects counted" "$(js reconnects "$TMP/r.json")" '^[1-9][0-9]*$'
same_rows "restart: the table equals the reference" products ref
check_eq "restart: every row counted written once" "$(js rows_written "$TMP/r.json")" $N
counts_add_up "restart" "$TMP/r.json"

# --- stopped for good ---------------------------------------------------------------
q "TRUNCATE products" >/dev/null
start_loader "${ARGS[@]}" --max-retries 3 --checkpoint "$TMP/ck" --summary-json "$TMP/s.json" \
    "$TMP/cat.csv"
wait_rows 3000
t0=$(ms_now)
pgctl stop -m fast >/dev/null
wait_loader
t1=$(ms_now)
echo "stop: exit after $((t1 - t0)) ms (the stop included)"
check_eq "stop: exit 3" "$loader_rc" 3
check_match "stop: retries exhausted" "$(cat "$TMP/loader.err")" 'retries exhausted'
check "stop: aborted within 60 s" test $((t1 - t0)) -lt 60000
check "stop: the checkpoint is left" test -s "$TMP/ck"
pgctl start >/dev/null
rows=$(q "SELECT count(*) FROM products")
echo "stop: rows_written $(js rows_written "$TMP/s.json"), table $rows, checkpoint $(ckpt_field "$TMP/ck"), retries $(js retries "$TMP/s.json")"
check_eq "stop: the summary's committed count equals the table" "$(js rows_written "$TMP/s.json")" "$rows"
prefix_committed "stop" "$TMP/ck" ref
fast_statements
run_loader "${ARGS[@]}" --checkpoint "$TMP/ck" --summary-json "$TMP/s2.json" "$TMP/cat.csv"
check_eq "stop rerun: exit 0" "$loader_rc" 0
same_rows "stop rerun: the table equals the reference" products ref
check_eq "stop rerun: read + skipped = input" \
    "$(($(js rows_read "$TMP/s2.json") + $(js rows_skipped "$TMP/s2.json")))" $N
check "stop rerun: the checkpoint is removed" test ! -e "$TMP/ck"
finish
