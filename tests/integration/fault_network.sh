# A network that misbehaves between crdbload and the server, through the
# fault proxy (tests/harness/netproxy.c): a hang that ends, a reset of every
# connection, a hang for good, and SIGTERM during a hang. Short timeouts by
# option (connect_timeout=2 in the URL, --batch-timeout 2 or 3) keep it to
# seconds; a statement trigger sleeping 50 ms makes the small load last long
# enough to be caught mid-way.
source "$TESTLIB"
source "$LOADLIB"
source "$(dirname "$LOADLIB")/faultlib.sh"
source "$(dirname "$LOADLIB")/proxylib.sh"
load_fixture schema.sql
N=6000
"$GENCATALOG" -n $N -s 12 -o "$TMP/cat.csv"
stage_reference "$TMP/cat.csv" ref
start_proxy "$PGPORT" 0
URL="$(proxy_url)?connect_timeout=2"
ARGS=(--url "$URL" -j 4 -b 50 --progress none)

# rows_written <= rows in the table <= rows_written + rows_in_doubt (SPEC.md)
in_doubt_bounds() {
    local desc=$1 f=$2 written doubt rows
    written=$(js rows_written "$f")
    doubt=$(js rows_in_doubt "$f")
    rows=$(q "SELECT count(*) FROM products")
    echo "$desc: rows_written $written, rows_in_doubt $doubt, table $rows"
    check "$desc: rows_written <= table rows" test "$written" -le "$rows"
    check "$desc: table rows <= rows_written + rows_in_doubt" test "$rows" -le $((written + doubt))
}

# --- a hang of 8 s mid-load, then the network comes back ----------------------
slow_statements 50
start_loader "${ARGS[@]}" --batch-timeout 3 --summary-json "$TMP/h.json" "$TMP/cat.csv"
wait_rows 1500
proxy_hang
sleep 8
proxy_resume
wait_loader
check_eq "hang 8 s: exit 0" "$loader_rc" 0
same_rows "hang 8 s: the table equals the reference" products ref
counts_add_up "hang 8 s" "$TMP/h.json"
check_match "hang 8 s: batches without a reply were sent again" "$(js retries "$TMP/h.json")" '^[1-9][0-9]*$'
check_eq "hang 8 s: nothing left in doubt" "$(js rows_in_doubt "$TMP/h.json")" 0
echo "hang 8 s: retries $(js retries "$TMP/h.json"), reconnects $(js reconnects "$TMP/h.json"), elapsed $(js elapsed_s "$TMP/h.json") s"

# --- every connection reset, twice --------------------------------------------
q "TRUNCATE products" >/dev/null
start_loader "${ARGS[@]}" --summary-json "$TMP/r.json" "$TMP/cat.csv"
wait_rows 1500
proxy_reset
sleep 0.5
proxy_reset
wait_loader
check_eq "reset: exit 0" "$loader_rc" 0
same_rows "reset: the table equals the reference" products ref
counts_add_up "reset" "$TMP/r.json"
reconnects=$(js reconnects "$TMP/r.json")
check "reset: every worker reconnected (reconnects >= 4)" test "${reconnects:-0}" -ge 4
echo "reset: reconnects $reconnects, retries $(js retries "$TMP/r.json")"

# --- a hang for good: the run ends by itself within the README's bound --------
# (R+1) x batch timeout + R x connect timeout + backoffs + cancel grace and
# wait: 3 x 2 + 2 x 2 + 0.15 + 5 = 15.15 s; 3 s of slack for a loaded machine.
q "TRUNCATE products" >/dev/null
start_loader "${ARGS[@]}" --batch-timeout 2 --max-retries 2 --summary-json "$TMP/g.json" "$TMP/cat.csv"
wait_rows 1500
proxy_hang
t0=$(ms_now)
wait_loader
t1=$(ms_now)
echo "hang for good: exit after $((t1 - t0)) ms"
check_eq "hang for good: exit 3" "$loader_rc" 3
check "hang for good: within the bound (15.15 s + slack)" test $((t1 - t0)) -lt 18000
check_match "hang for good: says why" "$(cat "$TMP/loader.err")" 'retries exhausted .*timeout.*the first error: no reply within --batch-timeout \(2 s\)'
check_match "hang for good: rows in doubt are reported" "$(js rows_in_doubt "$TMP/g.json")" '^[1-9][0-9]*$'
check_match "hang for good: the summary shows them" "$(cat "$TMP/loader.err")" 'rows in doubt: +[1-9]'
in_doubt_bounds "hang for good" "$TMP/g.json"
stop_proxy
sleep 0.5 # what the proxy held never reaches the server; look again
in_doubt_bounds "hang for good, proxy gone" "$TMP/g.json"

# --- SIGTERM during a hang: exit 3 within seconds -----------------------------
start_proxy "$PGPORT" 0
URL="$(proxy_url)?connect_timeout=2"
q "TRUNCATE products" >/dev/null
start_loader --url "$URL" -j 4 -b 50 --progress none --summary-json "$TMP/t.json" "$TMP/cat.csv"
wait_rows 1500
proxy_hang
sleep 1
t0=$(ms_now)
kill -TERM "$loader_pid"
wait_loader
t1=$(ms_now)
echo "SIGTERM in a hang: exit after $((t1 - t0)) ms"
check_eq "SIGTERM in a hang: exit 3" "$loader_rc" 3
# the bound: cancel grace 3 s + cancel wait 2 s (README, "Hung networks")
check "SIGTERM in a hang: within 5 s + 2 s of slack" test $((t1 - t0)) -lt 7000
in_doubt_bounds "SIGTERM in a hang" "$TMP/t.json"
stop_proxy
fast_statements
finish
