# Interrupted loads resume from --checkpoint without losing or doubling a row:
# SIGTERM (a clean abort: exit 3, the summary's committed count equals the
# table, the checkpoint saved) and kill -9 (only the checkpoint the saver
# thread wrote before it). Each rerun skips what the checkpoint covers.
source "$TESTLIB"
source "$LOADLIB"
source "$(dirname "$LOADLIB")/faultlib.sh"
load_fixture schema.sql
N=20000
"$GENCATALOG" -n $N -s 41 -o "$TMP/cat.csv"
"$GENCATALOG" -n $N -s 41 --gzip -o "$TMP/cat.csv.gz"
stage_ordered "$TMP/cat.csv" ref
ARGS=(--url "$PGURL" -j 4 -b 100 --progress none)

# --- SIGTERM ----------------------------------------------------------------
slow_statements 50
start_loader "${ARGS[@]}" --checkpoint "$TMP/ck" --summary-json "$TMP/t1.json" "$TMP/cat.csv"
check "SIGTERM: 4000 rows committed before the signal" wait_rows 4000
t0=$(ms_now)
kill -TERM "$loader_pid"
wait_loader
t1=$(ms_now)
echo "SIGTERM: exit after $((t1 - t0)) ms"
check_eq "SIGTERM: exit 3" "$loader_rc" 3
check_eq "SIGTERM: status aborted" "$(grep -o '"status":"[a-z]*"' "$TMP/t1.json")" '"status":"aborted"'
written=$(js rows_written "$TMP/t1.json")
rows=$(q "SELECT count(*) FROM products")
echo "SIGTERM: rows_written $written, table $rows, read $(js rows_read "$TMP/t1.json")"
check_eq "SIGTERM: the summary's committed count equals the table" "$written" "$rows"
# wait_rows saw 4000 rows committed before the signal; rows are never taken back
if [[ "$rows" =~ ^[0-9]+$ ]] && [ "$rows" -ge 4000 ] && [ "$rows" -lt $N ]; then
    ok "SIGTERM: stopped before the end, after the 4000 rows seen ($rows)"
else
    fail "SIGTERM: stopped before the end, after the 4000 rows seen" \
        "expected: 4000 <= rows < $N" "actual:   $rows"
fi
check "SIGTERM: the checkpoint is left" test -s "$TMP/ck"
check_match "SIGTERM: the abort names the checkpoint" "$(cat "$TMP/loader.err")" 'checkpoint .*resume'
prefix_committed "SIGTERM" "$TMP/ck" ref
check "SIGTERM: settled within 10 s" test $((t1 - t0)) -lt 10000

fast_statements
run_loader "${ARGS[@]}" --checkpoint "$TMP/ck" --summary-json "$TMP/t2.json" "$TMP/cat.csv"
check_eq "SIGTERM rerun: exit 0" "$loader_rc" 0
same_rows "SIGTERM rerun: the table equals the reference" products ref
skipped=$(js rows_skipped "$TMP/t2.json")
read2=$(js rows_read "$TMP/t2.json")
echo "SIGTERM rerun: rows_skipped $skipped, rows_read $read2"
check_match "SIGTERM rerun: rows skipped" "$skipped" '^[1-9][0-9]*$'
check_eq "SIGTERM rerun: read + skipped = input" "$((read2 + skipped))" $N
counts_add_up "SIGTERM rerun" "$TMP/t2.json"
check "SIGTERM rerun: the checkpoint is removed on success" test ! -e "$TMP/ck"
check_match "SIGTERM rerun: says it resumes" "$(cat "$TMP/loader.err")" 'resuming from checkpoint'

# --- kill -9, gzip input ------------------------------------------------------
q "TRUNCATE products" >/dev/null
slow_statements 50
start_loader "${ARGS[@]}" --checkpoint "$TMP/ck" "$TMP/cat.csv.gz"
wait_rows 6000
sleep 1.2 # at least one save of the saver thread after rows committed
kill -KILL "$loader_pid"
wait_loader
check_eq "kill -9: killed" "$loader_rc" 137
check "kill -9: a checkpoint is on disk" test -s "$TMP/ck"
check "kill -9: no torn temp file is taken for it" grep -q '^crdbload-checkpoint 1$' "$TMP/ck"
echo "kill -9: table $(q 'SELECT count(*) FROM products'), checkpoint at $(ckpt_field "$TMP/ck")"
prefix_committed "kill -9" "$TMP/ck" ref

fast_statements
run_loader "${ARGS[@]}" --checkpoint "$TMP/ck" --summary-json "$TMP/k2.json" "$TMP/cat.csv.gz"
check_eq "kill -9 rerun: exit 0" "$loader_rc" 0
same_rows "kill -9 rerun: the table equals the reference" products ref
skipped=$(js rows_skipped "$TMP/k2.json")
read2=$(js rows_read "$TMP/k2.json")
echo "kill -9 rerun: rows_skipped $skipped, rows_read $read2"
check_match "kill -9 rerun: rows skipped (gzip)" "$skipped" '^[1-9][0-9]*$'
check_eq "kill -9 rerun: read + skipped = input" "$((read2 + skipped))" $N
counts_add_up "kill -9 rerun" "$TMP/k2.json"
check "kill -9 rerun: the checkpoint is removed" test ! -e "$TMP/ck"

# --- SIGTERM while a statement waits on a lock: cancelled after the grace ------
q "TRUNCATE products" >/dev/null
# An uncommitted insert of a key of the input: its worker's upsert waits.
PGAPPNAME=blocker psql -X -q -d "$PGURL" -c "BEGIN" \
    -c "INSERT INTO products (sku, name, price) VALUES ('SKU-00000007', 'blocker', 1)" \
    -c "SELECT pg_sleep(60)" >/dev/null 2>&1 &
blocker=$!
for ((i = 0; i < 50; i++)); do
    [ "$(q "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'blocker' AND query LIKE '%pg_sleep%'")" = 1 ] && break
    sleep 0.1
done
start_loader "${ARGS[@]}" --checkpoint "$TMP/ck" --summary-json "$TMP/l1.json" "$TMP/cat.csv"
for ((i = 0; i < 100; i++)); do
    [ "$(q "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'crdbload' AND wait_event_type = 'Lock'")" -ge 1 ] && break
    sleep 0.1
done
sleep 0.5
t0=$(ms_now)
kill -TERM "$loader_pid"
wait_loader
t1=$(ms_now)
echo "lock wait: exit after $((t1 - t0)) ms"
check_eq "lock wait: exit 3" "$loader_rc" 3
check "lock wait: the stuck statement is cancelled, the run settles within 15 s" \
    test $((t1 - t0)) -lt 15000
q "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'blocker'" >/dev/null
wait "$blocker" 2>/dev/null
rows=$(q "SELECT count(*) FROM products")
echo "lock wait: rows_written $(js rows_written "$TMP/l1.json"), table $rows, checkpoint $(ckpt_field "$TMP/ck")"
check_eq "lock wait: the summary's committed count equals the table" \
    "$(js rows_written "$TMP/l1.json")" "$rows"
prefix_committed "lock wait" "$TMP/ck" ref
run_loader "${ARGS[@]}" --checkpoint "$TMP/ck" --summary-json "$TMP/l2.json" "$TMP/cat.csv"
check_eq "lock wait rerun: exit 0" "$loader_rc" 0
same_rows "lock wait rerun: the table equals the reference" products ref
check_eq "lock wait rerun: read + skipped = input" \
    "$(($(js rows_read "$TMP/l2.json") + $(js rows_skipped "$TMP/l2.json")))" $N
finish
