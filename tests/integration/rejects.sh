# Bad rows are rejected with their line and reason, the rest is loaded, and
# the counts add up: by the client's checks and by the server's (a CHECK
# constraint the client does not know, isolated by splitting the batch).
source "$TESTLIB"
source "$LOADLIB"
load_fixture schema.sql
q "ALTER TABLE products ADD CONSTRAINT stock_cap CHECK (stock < 9000)" >/dev/null
cat > "$TMP/bad.csv" <<'CSV'
sku,name,description,price,stock,currency
A1,ok one,,1.00,1,EUR
A2,bad price,,12x,1,EUR
A3,"multi
line",,2.00,2,EUR
A4,too big,,123456789.00,1,EUR
A5,bad stock,,1.00,99999999999,EUR
A6,ragged,,1.00
A7,null name,,1.00,1,EUR
A8,over the check,,1.00,9500,EUR
,no key,,1.00,1,EUR
A9,ok nine,,9.00,9,EUR
CSV
sed -i 's/^A7,null name,/A7,,/' "$TMP/bad.csv"
run_loader --url "$PGURL" -b 4 --rejects "$TMP/rej.csv" --summary-json "$TMP/r.json" "$TMP/bad.csv"
check_eq "rejects: exit 1" "$loader_rc" 1
check_eq "rejects: the good rows loaded" "$(q 'SELECT string_agg(sku, $$,$$ ORDER BY sku) FROM products')" "A1,A3,A9"
check_eq "rejects: 7 rows rejected" "$(js rows_rejected "$TMP/r.json")" 7
counts_add_up "rejects" "$TMP/r.json"
err=$(cat "$TMP/loader.err")
check_match "bad numeric names file, line and column" "$err" 'bad\.csv:3: .*column 4 \("price"\)'
check_match "line numbers count the newline inside quotes" "$err" 'bad\.csv:6: .*column 4'
check_match "int out of range" "$err" 'bad\.csv:7: .*column 5 \("stock"\).*out of range'
check_match "ragged row" "$err" 'bad\.csv:8: .*expected 6 fields, found 4'
check_match "null in NOT NULL column" "$err" 'bad\.csv:9: .*"name"'
check_match "server CHECK violation isolated (23514)" "$err" 'bad\.csv:10: .*23514'
check_match "null key" "$err" 'bad\.csv:11: .*sku'
check_eq "rejects file: header + 7 rows" "$(wc -l < "$TMP/rej.csv")" 8
check_match "rejects file header" "$(head -1 "$TMP/rej.csv")" '^"sku","name","description","price","stock","currency","line","error"$'
check_match "rejects file keeps the original fields and the line" "$(grep -c '"A8".*"10"' "$TMP/rej.csv")" '^1$'
# The rejects file loads back with the same options once its two extra columns are skipped.
q "ALTER TABLE products DROP CONSTRAINT stock_cap" >/dev/null
run_loader --url "$PGURL" --max-rejects 0 --columns sku,name,description,price,stock,currency,-,- "$TMP/rej.csv"
check_eq "--max-rejects 0 aborts at the first reject: exit 3" "$loader_rc" 3
finish
