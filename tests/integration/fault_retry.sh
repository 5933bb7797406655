# Transient errors are retried until the load is whole. A row trigger fails
# the first attempt at every chosen row (SKU number divisible by 97) with
# CockroachDB's serialization failure (40001, "restart transaction: ...") or
# with 40003 (statement completion unknown). Which rows fired is remembered
# in one sequence per chosen row (nextval survives the rollback), so each
# fires exactly once: the retries equal the chosen rows.
source "$TESTLIB"
source "$LOADLIB"
source "$(dirname "$LOADLIB")/faultlib.sh"
load_fixture schema.sql
N=20000
"$GENCATALOG" -n $N -s 5 -o "$TMP/cat.csv"
stage_reference "$TMP/cat.csv" ref
chosen=$(q "SELECT count(*) FROM ref WHERE substr(sku, 5)::bigint % 97 = 0")

arm() { # SQLSTATE MESSAGE: fresh sequences, the trigger raising SQLSTATE
    q "SET client_min_messages = warning;
       DO \$\$ BEGIN
         FOR n IN 0..$N - 1 BY 97 LOOP
           EXECUTE format('DROP SEQUENCE IF EXISTS fired_%s; CREATE SEQUENCE fired_%s', n, n);
         END LOOP; END \$\$;
       CREATE OR REPLACE FUNCTION fail_once() RETURNS trigger LANGUAGE plpgsql AS \$\$
       DECLARE n bigint := substr(NEW.sku, 5)::bigint;
       BEGIN
         IF n % 97 = 0 AND nextval(format('fired_%s', n)::regclass) = 1 THEN
           RAISE EXCEPTION '$2' USING ERRCODE = '$1';
         END IF;
         RETURN NEW;
       END \$\$;
       DROP TRIGGER IF EXISTS fail_once ON products;
       CREATE TRIGGER fail_once BEFORE INSERT ON products FOR EACH ROW EXECUTE FUNCTION fail_once()" \
        >/dev/null
}

fired() {
    q "SELECT count(*) FROM generate_series(0, $N - 1, 97) n
       WHERE (SELECT last_value FROM pg_sequences WHERE sequencename = 'fired_' || n) IS NOT NULL"
}

retry_of() { # SQLSTATE FILE: retries_by_sqlstate's count
    grep -o "\"$1\":[0-9]*" "$2" | head -1 | cut -d: -f2
}

# --- 40001, CockroachDB's wording ----------------------------------------------
arm 40001 'restart transaction: TransactionRetryWithProtoRefreshError: ReadWithinUncertaintyIntervalError: read at time 1700000000.000000000,0 encountered previous write with future timestamp'
run_loader --url "$PGURL" -j 4 -b 100 --progress none --summary-json "$TMP/a.json" "$TMP/cat.csv"
check_eq "40001: exit 0" "$loader_rc" 0
same_rows "40001: the table equals the reference" products ref
counts_add_up "40001" "$TMP/a.json"
check_eq "40001: every chosen row fired once" "$(fired)" "$chosen"
check_eq "40001: one retry per chosen row, counted under 40001" \
    "$(retry_of 40001 "$TMP/a.json")" "$chosen"
check_eq "40001: retries total" "$(js retries "$TMP/a.json")" "$chosen"
check_eq "40001: no batch counted as 40003" "$(js batches_retried_40003 "$TMP/a.json")" 0
check_eq "40001: rows written" "$(js rows_written "$TMP/a.json")" $N
echo "40001: rows $N, chosen $chosen, retries $(js retries "$TMP/a.json"), elapsed $(js elapsed_s "$TMP/a.json") s"

# --- 40003, statement completion unknown -----------------------------------------
q "TRUNCATE products" >/dev/null
arm 40003 'result is ambiguous (error=rpc error: code = Unavailable desc = transport is closing)'
run_loader --url "$PGURL" -j 4 -b 100 --progress none --summary-json "$TMP/b.json" "$TMP/cat.csv"
check_eq "40003: exit 0" "$loader_rc" 0
same_rows "40003: the table equals the reference" products ref
counts_add_up "40003" "$TMP/b.json"
check_eq "40003: every chosen row fired once" "$(fired)" "$chosen"
check_eq "40003: one retry per chosen row, counted under 40003" \
    "$(retry_of 40003 "$TMP/b.json")" "$chosen"
b3=$(js batches_retried_40003 "$TMP/b.json")
check_match "40003: batches re-sent after 40003 are counted" "$b3" '^[1-9][0-9]*$'
check "40003: a batch is counted once, however many 40003s it met" test "$b3" -le "$chosen"
echo "40003: rows $N, chosen $chosen, retries $(js retries "$TMP/b.json"), batches_retried_40003 $b3, elapsed $(js elapsed_s "$TMP/b.json") s"

# --- a retry that never succeeds: retries exhausted, exit 3 ----------------------
q "TRUNCATE products" >/dev/null
q "CREATE OR REPLACE FUNCTION fail_once() RETURNS trigger LANGUAGE plpgsql AS \$\$
   BEGIN IF substr(NEW.sku, 5)::bigint = 97 THEN
     RAISE EXCEPTION 'restart transaction: always' USING ERRCODE = '40001'; END IF;
   RETURN NEW; END \$\$" >/dev/null
t0=$(ms_now)
run_loader --url "$PGURL" -j 4 -b 100 --max-retries 3 --progress none --summary-json "$TMP/c.json" "$TMP/cat.csv"
t1=$(ms_now)
check_eq "retries exhausted: exit 3" "$loader_rc" 3
check_match "retries exhausted: says so" "$(cat "$TMP/loader.err")" 'retries exhausted .*40001'
check_eq "retries exhausted: the summary's committed count equals the table" \
    "$(js rows_written "$TMP/c.json")" "$(q 'SELECT count(*) FROM products')"
check_eq "retries exhausted: 3 retries of the batch" "$(retry_of 40001 "$TMP/c.json")" 3
echo "retries exhausted: exit after $((t1 - t0)) ms, written $(js rows_written "$TMP/c.json")"
finish
