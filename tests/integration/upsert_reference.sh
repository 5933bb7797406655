# Initial load, reload of the same file, reload with 10% changed and
# --only-changed, each compared with a reference that psql \copy makes.
source "$TESTLIB"
source "$LOADLIB"
load_fixture schema.sql
N=20000
"$GENCATALOG" -n $N -s 7 --gzip -o "$TMP/base.csv.gz"
"$GENCATALOG" -n $N -s 7 --change-fraction 0.1 --gzip -o "$TMP/changed.csv.gz"
stage_reference "$TMP/base.csv.gz" ref_base
stage_reference "$TMP/changed.csv.gz" ref_changed

run_loader --url "$PGURL" --summary-json "$TMP/s1.json" "$TMP/base.csv.gz"
check_eq "initial load exits 0" "$loader_rc" 0
check_eq "initial load: every row in the table" "$(q 'SELECT count(*) FROM products')" $N
check_eq "initial load: rows_written" "$(js rows_written "$TMP/s1.json")" $N
counts_add_up "initial load" "$TMP/s1.json"
same_rows "initial load equals \\copy of the file" products ref_base
check_match "summary on stderr names the rows read" "$(cat "$TMP/loader.err")" "rows read: +$N"

ids_before=$(q "SELECT md5(string_agg(id::text || sku, ',' ORDER BY sku)) FROM products")
run_loader --url "$PGURL" --summary-json "$TMP/s2.json" --set 'updated_at=now()' "$TMP/base.csv.gz"
check_eq "reload exits 0" "$loader_rc" 0
check_eq "reload: every row updated" "$(js rows_written "$TMP/s2.json")" $N
check_eq "reload: row count unchanged" "$(q 'SELECT count(*) FROM products')" $N
check_eq "reload: ids kept (updated in place, not re-inserted)" \
    "$(q "SELECT md5(string_agg(id::text || sku, ',' ORDER BY sku)) FROM products")" "$ids_before"
same_rows "reload equals \\copy of the file" products ref_base

run_loader --url "$PGURL" --summary-json "$TMP/s3.json" "$TMP/changed.csv.gz"
check_eq "reload of 10% changed exits 0" "$loader_rc" 0
same_rows "reload of 10% changed equals \\copy of the changed file" products ref_changed

# Back to the base, then only-changed: exactly the changed rows are written.
run_loader --url "$PGURL" -q "$TMP/base.csv.gz"
q "UPDATE products SET updated_at = '2000-01-01'" >/dev/null
run_loader --url "$PGURL" --summary-json "$TMP/s4.json" --only-changed --set 'updated_at=now()' -j 3 "$TMP/changed.csv.gz"
check_eq "--only-changed exits 0" "$loader_rc" 0
check_eq "--only-changed: written = changed rows" "$(js rows_written "$TMP/s4.json")" $((N / 10))
check_eq "--only-changed: the rest counted unchanged" "$(js rows_unchanged "$TMP/s4.json")" $((N - N / 10))
check_eq "--only-changed: only changed rows touched" \
    "$(q "SELECT count(*) FROM products WHERE updated_at > '2000-01-01'")" $((N / 10))
counts_add_up "--only-changed" "$TMP/s4.json"
same_rows "--only-changed equals \\copy of the changed file" products ref_changed

# Standard input, plain CSV.
q "TRUNCATE products" >/dev/null
zcat "$TMP/base.csv.gz" | "$CRDBLOAD" --url "$PGURL" -q --summary-json "$TMP/s5.json" -
check_eq "standard input: exit 0" "$?" 0
same_rows "standard input equals \\copy of the file" products ref_base
finish
