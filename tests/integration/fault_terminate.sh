# Connections killed under the loader (pg_terminate_backend on its backends,
# a few times during the load) are reopened and their batches re-sent:
# the run finishes, nothing lost, nothing doubled.
source "$TESTLIB"
source "$LOADLIB"
source "$(dirname "$LOADLIB")/faultlib.sh"
load_fixture schema.sql
N=20000
"$GENCATALOG" -n $N -s 9 -o "$TMP/cat.csv"
stage_reference "$TMP/cat.csv" ref
slow_statements 50

start_loader --url "$PGURL" -j 4 -b 100 --progress none --summary-json "$TMP/t.json" "$TMP/cat.csv"
wait_rows 1000
killed=0
for i in 1 2 3 4; do
    k=$(q "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
           WHERE application_name = 'crdbload' AND pid <> pg_backend_pid()")
    killed=$((killed + k))
    sleep 0.4
done
wait_loader
echo "terminate: $killed backends terminated; reconnects $(js reconnects "$TMP/t.json"), retries $(js retries "$TMP/t.json"), elapsed $(js elapsed_s "$TMP/t.json") s"
grep -o '"retries_by_sqlstate":{[^}]*}' "$TMP/t.json"
check_match "terminate: backends were terminated during the load" "$killed" '^[1-9][0-9]*$'
check_eq "terminate: exit 0" "$loader_rc" 0
r=$(js reconnects "$TMP/t.json")
check_match "terminate: reconnects counted" "$r" '^[1-9][0-9]*$'
check "terminate: at most one reconnect per kill, give or take a failed one" test "$r" -le $((killed * 2))
same_rows "terminate: the table equals the reference" products ref
check_eq "terminate: nothing doubled" "$(q 'SELECT count(*) FROM products')" $N
check_eq "terminate: every row counted written once" "$(js rows_written "$TMP/t.json")" $N
counts_add_up "terminate" "$TMP/t.json"
finish
