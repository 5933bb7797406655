# tests/crdb/contention.sh - real contention on a CockroachDB v21.1 node, and
# where a 40001 reaches crdbload.
#
# A concurrent client reads and updates the keys crdbload is reloading, in
# explicit transactions sent statement by statement (SELECT ... FOR UPDATE of 50 keys,
# a pause, UPDATE, COMMIT), retrying its own 40001s, for the whole load. The
# table ends as the reference says. The server retries crdbload's statements
# itself (each is an implicit transaction whose only result, the command tag,
# has not been sent yet): node_statement_statistics shows max_retries > 0 for
# them while crdbload's own summary counts no retry. A 40001 does reach
# crdbload when the statement raises it as an error rather than a transaction
# retry (crdb_internal.force_error, the "restart transaction:" text the
# server's retry errors carry): crdbload sends the batch again and counts it
# under 40001; past --max-retries it stops with exit 3.
# with_crdb: --nodes 1
source "$TESTLIB"
source "$LOADLIB"
source "$CRDBLIB"
N=4000
"$GENCATALOG" -n $N -s 5 -o "$TMP/base.csv"
"$GENCATALOG" -n $N -s 5 -c 0.1 -o "$TMP/changed.csv"
stage_generated ref_changed -n $N -s 5 -c 0.1
timed "base load" run_loader --url "$PGURL" -q "$TMP/base.csv"
check_eq "base load: exit 0" "$loader_rc" 0

# --- a concurrent client on the same keys ------------------------------------------------
contender() { # until $TMP/stop exists; counts in $TMP/contender.log
    local commits=0 retries=0 other=0
    while [ ! -e "$TMP/stop" ]; do
        if psql -X -q -v ON_ERROR_STOP=1 -d "$PGURL&application_name=contender" \
            >/dev/null 2>"$TMP/contender.err" <<'SQL'; then
BEGIN;
SELECT sku, stock FROM products WHERE sku < 'SKU-00000050' FOR UPDATE;
SELECT pg_sleep(0.02);
UPDATE products SET updated_at = now() WHERE sku < 'SKU-00000050';
COMMIT;
SQL
            commits=$((commits + 1))
        elif grep -q '40001\|restart transaction' "$TMP/contender.err"; then
            retries=$((retries + 1))
        else
            other=$((other + 1))
            cat "$TMP/contender.err"
        fi
    done
    echo "$commits $retries $other" >"$TMP/contender.log"
}
contender &
contender_pid=$!
sleep 0.5
timed "reload under contention" run_loader --url "$PGURL" -j 4 -b 250 --set 'updated_at=now()' \
    --summary-json "$TMP/c.json" "$TMP/changed.csv"
touch "$TMP/stop"
wait "$contender_pid"
read -r commits cretries cother <"$TMP/contender.log"
echo "contender: $commits transactions committed, $cretries retried on 40001, $cother other errors"
check_eq "under contention: exit 0" "$loader_rc" 0
same_rows "under contention: the table equals the reference" products ref_changed
counts_add_up "under contention" "$TMP/c.json"
check "the contender committed while crdbload loaded ($commits)" test "$commits" -ge 1
check_eq "the contender saw no error but 40001" "$cother" 0
server=$(q "SELECT sum(count) || ' ' || max(max_retries) FROM crdb_internal.node_statement_statistics
            WHERE application_name = 'crdbload' AND key LIKE 'INSERT INTO public.products%'")
echo "crdbload's statements: executions, the most retries the server made of one: $server"
check "the server retried crdbload's statements itself (max_retries ${server#* })" \
    test "${server#* }" -ge 1
check_eq "... so crdbload counted no retry" "$(js retries "$TMP/c.json")" 0

# --- a 40001 that reaches crdbload ---------------------------------------------------------
# Raised by the statement on the 10th and the 410th value of a sequence
# (sequences are not transactional: a retry draws new values), so exactly two
# batches fail once each. Into the empty Prisma table, through its id.
"$GENCATALOG" -n 600 -s 6 -o "$TMP/small.csv"
q "CREATE SEQUENCE inject; CREATE SEQUENCE inject_always" >/dev/null
prisma=(--table Product --columns sku,name,description,price,stock,-)
timed "40001 injected" run_loader --url "$PGURL" -j 4 -b 50 "${prisma[@]}" --default "id=CASE
    WHEN nextval('inject') IN (10, 410) THEN crdb_internal.force_error('40001', 'injected by the test')::STRING
    ELSE gen_random_uuid()::STRING END" --summary-json "$TMP/i.json" "$TMP/small.csv"
check_eq "40001 reaching crdbload: exit 0" "$loader_rc" 0
check_eq "... every row in" "$(q 'SELECT count(*) FROM "Product"')" 600
check_eq "... each failed batch sent again: retries 2" "$(js retries "$TMP/i.json")" 2
check_match "... counted under 40001" "$(cat "$TMP/i.json")" '"retries_by_sqlstate":\{"40001":2\}'
check_eq "... the summary says so" "$(grep -c 'retries: *2' "$TMP/loader.err")" 1
counts_add_up "40001 reaching crdbload" "$TMP/i.json"

q 'DELETE FROM "Product"' >/dev/null
timed "past --max-retries" run_loader --url "$PGURL" -j 1 -b 50 --max-retries 2 "${prisma[@]}" \
    --default "id=CASE WHEN nextval('inject_always') > 0
        THEN crdb_internal.force_error('40001', 'injected by the test')::STRING END" \
    --summary-json "$TMP/a.json" "$TMP/small.csv"
check_eq "40001 past --max-retries: exit 3" "$loader_rc" 3
check_match "... names the error" "$(cat "$TMP/loader.err")" 'restart transaction: injected by the test'
check_eq "... nothing written" "$(q 'SELECT count(*) FROM "Product"')" 0
check_match "... two retries counted under 40001" "$(cat "$TMP/a.json")" '"retries_by_sqlstate":\{"40001":2\}'
finish
