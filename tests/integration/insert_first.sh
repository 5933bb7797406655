# tests/integration/insert_first.sh - insert first (the CockroachDB statement
# path, --dialect cockroach) on PostgreSQL 15, and its absence under the
# PostgreSQL dialect. Which statement ran is seen by statement-level
# triggers: every INSERT statement fires AFTER INSERT ... FOR EACH STATEMENT
# once it succeeds, and only an INSERT ... ON CONFLICT DO UPDATE also fires
# AFTER UPDATE ... FOR EACH STATEMENT. An initial load runs no upsert; a
# reload falls back to the upsert with the upsert's counts and no reject or
# retry; with pipelining off and 8 workers as well; --insert-only and
# --only-changed keep their counts; a 23505 on another unique index still
# rejects only that row.
source "$TESTLIB"
source "$LOADLIB"
load_fixture schema.sql
N=3000
"$GENCATALOG" -n $N -s 13 -o "$TMP/cat.csv"
"$GENCATALOG" -n $N -s 13 -c 0.1 -o "$TMP/cat2.csv"
stage_reference "$TMP/cat.csv" ref_base
stage_reference "$TMP/cat2.csv" ref_changed
q "CREATE TABLE fired (op text);
   CREATE FUNCTION note_stmt() RETURNS trigger LANGUAGE plpgsql AS
     \$\$BEGIN INSERT INTO fired VALUES (TG_OP); RETURN NULL; END\$\$;
   CREATE TRIGGER ins_stmt AFTER INSERT ON products FOR EACH STATEMENT EXECUTE FUNCTION note_stmt();
   CREATE TRIGGER upd_stmt AFTER UPDATE ON products FOR EACH STATEMENT EXECUTE FUNCTION note_stmt();" >/dev/null
# "committed statements, of them upserts", then forgotten
fired() {
    q "SELECT count(*) FILTER (WHERE op = 'INSERT') || ' ' || count(*) FILTER (WHERE op = 'UPDATE') FROM fired"
    q "TRUNCATE fired"
}

run_loader --url "$PGURL" --dialect cockroach -b 100 -j 2 --summary-json "$TMP/s1.json" "$TMP/cat.csv"
check_eq "initial load: exit 0" "$loader_rc" 0
check_eq "initial load: rows_written" "$(js rows_written "$TMP/s1.json")" $N
same_rows "initial load equals the reference" products ref_base
check_eq "initial load: every batch committed as a plain INSERT, no upsert" "$(fired)" \
    "$(js batches "$TMP/s1.json") 0"

run_loader --url "$PGURL" --dialect cockroach -b 100 -j 2 --summary-json "$TMP/s2.json" "$TMP/cat2.csv"
check_eq "reload: exit 0" "$loader_rc" 0
check_eq "reload: rows_written, no reject, no retry" \
    "$(js rows_written "$TMP/s2.json") $(js rows_rejected "$TMP/s2.json") $(js retries "$TMP/s2.json")" "$N 0 0"
counts_add_up "reload" "$TMP/s2.json"
same_rows "reload equals the changed reference" products ref_changed
b=$(js batches "$TMP/s2.json")
check_eq "reload: every batch committed as the upsert" "$(fired)" "$b $b"

run_loader --url "$PGURL" --dialect cockroach -b 50 -j 8 --pipeline-depth 1 \
    --summary-json "$TMP/s3.json" "$TMP/cat.csv"
check_eq "reload, one batch in flight, 8 workers: exit 0" "$loader_rc" 0
check_eq "reload, one batch in flight: rows_written, no reject, no retry" \
    "$(js rows_written "$TMP/s3.json") $(js rows_rejected "$TMP/s3.json") $(js retries "$TMP/s3.json")" "$N 0 0"
same_rows "reload, one batch in flight: back to the reference" products ref_base
b=$(js batches "$TMP/s3.json")
check_eq "reload, one batch in flight: every batch committed as the upsert" "$(fired)" "$b $b"

q "DELETE FROM products WHERE sku >= 'SKU-00002000'" >/dev/null
run_loader --url "$PGURL" --dialect cockroach -b 100 --insert-only --summary-json "$TMP/s4.json" "$TMP/cat2.csv"
check_eq "--insert-only, a third new: exit 0" "$loader_rc" 0
check_eq "--insert-only: the new rows written, the rest unchanged" \
    "$(js rows_written "$TMP/s4.json") $(js rows_unchanged "$TMP/s4.json")" "1000 2000"
fired >/dev/null
run_loader --url "$PGURL" --dialect cockroach -b 100 --only-changed --summary-json "$TMP/s5.json" "$TMP/cat2.csv"
check_eq "--only-changed: the rows --insert-only left written, the others unchanged" \
    "$(js rows_written "$TMP/s5.json")" \
    "$(q "SELECT count(*) FROM ref_changed r JOIN ref_base b USING (sku) WHERE sku < 'SKU-00002000' AND (r.*) IS DISTINCT FROM (b.*)")"
same_rows "--only-changed equals the changed reference" products ref_changed

q "TRUNCATE products; CREATE UNIQUE INDEX products_name_key ON products (name)" >/dev/null
awk 'BEGIN { print "sku,name,description,price,stock,currency"
             for (i = 1; i < 60; i++) printf "SKU-%08d,name %d,,1.00,1,EUR\n", i, i
             print "SKU-99999999,name 4,,1.00,1,EUR" }' >"$TMP/dupname.csv"
run_loader --url "$PGURL" --dialect cockroach -j 1 --summary-json "$TMP/s6.json" "$TMP/dupname.csv"
check_eq "another unique index: exit 1 (a row rejected)" "$loader_rc" 1
check_eq "another unique index: 59 written, 1 rejected" \
    "$(js rows_written "$TMP/s6.json") $(js rows_rejected "$TMP/s6.json")" "59 1"
check_match "another unique index: rejected with its line and 23505" "$(cat "$TMP/loader.err")" \
    'dupname\.csv:61: .*23505'
q "DROP INDEX products_name_key" >/dev/null

fired >/dev/null
q "TRUNCATE products" >/dev/null
run_loader --url "$PGURL" --summary-json "$TMP/s7.json" "$TMP/cat.csv"
check_eq "the PostgreSQL dialect: exit 0" "$loader_rc" 0
b=$(js batches "$TMP/s7.json")
check_eq "the PostgreSQL dialect: no insert first, the upsert from the start" "$(fired)" "$b $b"
finish
