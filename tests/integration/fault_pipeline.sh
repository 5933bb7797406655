# Pipelining (--pipeline-depth > 1) keeps SPEC.md's order: a batch that
# fails after later batches of its worker were sent, and committed, is
# retried, and those later batches are sent again after it, so that the last
# occurrence of a key still wins. One worker, batches of 100 rows: batch 1
# writes keys 0-99 as "v1", batch 2 the same keys as "v2", batch 3 keys
# 50-149 as "v3". A trigger holds batch 1 for 300 ms (so batches 2 and 3 are
# on the wire behind it) and fails it once with 40001; the server then runs
# batches 2 and 3, which commit before batch 1 is retried.
source "$TESTLIB"
source "$LOADLIB"
load_fixture schema.sql
{
    echo "sku,name,description,price,stock,currency"
    for i in $(seq 0 99); do printf 'K%05d,v1,,1.00,1,EUR\n' "$i"; done
    for i in $(seq 0 99); do printf 'K%05d,v2,,2.00,2,EUR\n' "$i"; done
    for i in $(seq 50 149); do printf 'K%05d,v3,,3.00,3,EUR\n' "$i"; done
} >"$TMP/ord.csv"
expect_rows() { # the table as the last occurrences have it
    q "SELECT (SELECT count(*) FROM products) || ' ' ||
              (SELECT count(*) FROM products WHERE sku < 'K00050' AND name = 'v2') || ' ' ||
              (SELECT count(*) FROM products WHERE sku >= 'K00050' AND name = 'v3')"
}
arm() { # fail batch 1 once, after holding it
    q "DROP SEQUENCE IF EXISTS fired; CREATE SEQUENCE fired;
       CREATE OR REPLACE FUNCTION fail_first() RETURNS trigger LANGUAGE plpgsql AS \$\$
       BEGIN
         IF NEW.name = 'v1' AND NEW.sku = 'K00000' AND nextval('fired') = 1 THEN
           PERFORM pg_sleep(0.3);
           RAISE EXCEPTION 'restart transaction: TransactionRetryWithProtoRefreshError: injected' USING ERRCODE = '40001';
         END IF;
         RETURN NEW;
       END \$\$;
       DROP TRIGGER IF EXISTS fail_first ON products;
       CREATE TRIGGER fail_first BEFORE INSERT ON products FOR EACH ROW EXECUTE FUNCTION fail_first()" \
        >/dev/null
}

for depth in 4 1; do
    q "TRUNCATE products" >/dev/null
    arm
    run_loader --url "$PGURL" -j 1 -b 100 --pipeline-depth $depth --progress none \
        --summary-json "$TMP/p$depth.json" "$TMP/ord.csv"
    check_eq "depth $depth: exit 0" "$loader_rc" 0
    check_eq "depth $depth: 150 keys, 50 of them v2, 100 v3 (the last occurrences)" "$(expect_rows)" "150 50 100"
    check_eq "depth $depth: the injected 40001 was retried once" "$(js retries "$TMP/p$depth.json")" 1
    check_eq "depth $depth: every row counted once (rows_written)" "$(js rows_written "$TMP/p$depth.json")" 300
    counts_add_up "depth $depth" "$TMP/p$depth.json"
    check_eq "depth $depth: nothing in doubt" "$(js rows_in_doubt "$TMP/p$depth.json")" 0
done

# The same through the fault proxy with 25 ms each way: batches 2 and 3 are
# surely sent before batch 1's error comes back.
source "$(dirname "$LOADLIB")/proxylib.sh"
start_proxy "$PGPORT" 25
q "TRUNCATE products" >/dev/null
arm
run_loader --url "$(proxy_url)" -j 1 -b 100 --pipeline-depth 4 --progress none \
    --summary-json "$TMP/px.json" "$TMP/ord.csv"
check_eq "50 ms round trip: exit 0" "$loader_rc" 0
check_eq "50 ms round trip: the last occurrences" "$(expect_rows)" "150 50 100"
check_eq "50 ms round trip: one retry" "$(js retries "$TMP/px.json")" 1
counts_add_up "50 ms round trip" "$TMP/px.json"
stop_proxy
finish
