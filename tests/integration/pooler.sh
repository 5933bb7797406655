# crdbload through a real PgBouncer (tests/harness/pgbouncerlib.sh) in front
# of the test's PostgreSQL, with no option: transaction and statement pooling
# with fewer server connections than workers (named prepared statements are
# lost there: crdbload falls back to unnamed ones, warning once), session
# pooling with a pool as large as --workers, and a session pool smaller than
# --workers, which must end the run at once (exit 3, saying what to change)
# instead of hanging. The input repeats keys: the table must hold each key's
# last occurrence.
source "$TESTLIB"
source "$LOADLIB"
source "$(dirname "$LOADLIB")/pgbouncerlib.sh"
load_fixture schema.sql
# 6000 rows over 2000 keys; the reference is each key's last occurrence.
dup_catalog "$TMP/dups.csv" 6000 2000 7
distinct=$(q "SELECT count(*) FROM ref_last")
WARN='the server lost a prepared statement \((42P05|26000)\)'

for mode in transaction statement; do
    start_pgbouncer "$mode" 2 || { fail "$mode: pgbouncer started"; continue; }
    q "TRUNCATE products" >/dev/null
    run_loader --url "$PGB_URL" -j 4 -b 100 --progress none --summary-json "$TMP/$mode.json" "$TMP/dups.csv"
    check_eq "$mode, pool 2, -j 4: exit 0" "$loader_rc" 0
    check_eq "$mode: one row per key" "$(q 'SELECT count(*) FROM products')" "$distinct"
    same_rows "$mode: the last occurrence of every key wins" products ref_last
    counts_add_up "$mode" "$TMP/$mode.json"
    check_eq "$mode: no retries (pipelined batches pass the pooler)" "$(js retries "$TMP/$mode.json")" 0
    check_eq "$mode: the fallback to unnamed statements is said once" \
        "$(grep -cE "$WARN" "$TMP/loader.err")" 1
    stop_pgbouncer
done

# --- session pooling, a pool as large as --workers: named statements work -----
start_pgbouncer session 4 || fail "session: pgbouncer started"
q "TRUNCATE products" >/dev/null
run_loader --url "$PGB_URL" -j 4 -b 100 --progress none --summary-json "$TMP/session.json" "$TMP/dups.csv"
check_eq "session, pool 4, -j 4: exit 0" "$loader_rc" 0
same_rows "session: the last occurrence of every key wins" products ref_last
counts_add_up "session" "$TMP/session.json"
check_eq "session: no fallback needed" "$(grep -cE "$WARN" "$TMP/loader.err")" 0
stop_pgbouncer

# --- session pooling, a pool smaller than --workers: exit 3 at once ---------------
start_pgbouncer session 2 || fail "small session pool: pgbouncer started"
q "TRUNCATE products" >/dev/null
t0=$(date +%s%3N)
run_loader --url "$PGB_URL?connect_timeout=3" -j 4 -b 100 --progress none "$TMP/dups.csv"
t1=$(date +%s%3N)
echo "small session pool: exit after $((t1 - t0)) ms"
check_eq "small session pool: exit 3" "$loader_rc" 3
check "small session pool: within the connect timeout (3 s) + 3 s" test $((t1 - t0)) -lt 6000
check_match "small session pool: says what to change" "$(cat "$TMP/loader.err")" \
    'fewer server connections than --workers \(4\); lower -j/--workers'
check_eq "small session pool: nothing written" "$(q 'SELECT count(*) FROM products')" 0
stop_pgbouncer
finish
