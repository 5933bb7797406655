# tests/crdb/rejects.sh - bad rows on a real CockroachDB v21.1 node: the
# client's checks reject with file, line and column before sending; the
# server's own data errors (a CHECK constraint: 23514, a foreign key: 23503,
# another unique index: 23505, all in the classes crdbload splits on) are
# isolated by splitting the batch until the bad row is alone, with many
# workers; everything else is loaded and the counts add up.
# with_crdb: --nodes 1
# labels: threads
source "$TESTLIB"
source "$LOADLIB"
source "$CRDBLIB"
q "CREATE TABLE currencies (code STRING PRIMARY KEY);
   INSERT INTO currencies VALUES ('EUR'), ('USD');
   CREATE TABLE items (sku STRING(10) PRIMARY KEY, name STRING NOT NULL, description STRING,
       price DECIMAL(10,2) NOT NULL, stock INT8 NOT NULL CHECK (stock < 9000),
       currency STRING NOT NULL REFERENCES currencies (code), label STRING UNIQUE)" >/dev/null
cat > "$TMP/bad.csv" <<'CSV'
sku,name,description,price,stock,currency,label
A1,ok one,,1.00,1,EUR,l1
A2,bad price,,12x,1,EUR,l2
A3,"multi
line",,2.00,2,EUR,l3
A4,too big,,123456789.00,1,EUR,l4
A5,bad stock,,1.00,99999999999999999999,EUR,l5
A6,ragged,,1.00
A7,,,1.00,1,EUR,l7
A8,over the check,,1.00,9500,EUR,l8
,no key,,1.00,1,EUR,l9
A9,ok nine,,9.00,9,EUR,l10
A10,no such currency,,1.00,1,XXX,l11
A11,label taken,,1.00,1,EUR,l1
A-TOO-LONG-KEY,too long,,1.00,1,EUR,l13
A12,ok twelve,,1.00,1,USD,l14
CSV
run_loader --url "$PGURL" --table items -b 4 -j 3 --rejects "$TMP/rej.csv" --summary-json "$TMP/r.json" "$TMP/bad.csv"
err=$(cat "$TMP/loader.err")
check_eq "rejects: exit 1" "$loader_rc" 1
check_eq "rejects: the good rows loaded" "$(q 'SELECT string_agg(sku, $$,$$ ORDER BY sku) FROM items')" "A1,A12,A3,A9"
check_eq "rejects: 10 rows rejected" "$(js rows_rejected "$TMP/r.json")" 10
counts_add_up "rejects" "$TMP/r.json"
check_match "bad numeric: file, line, column" "$err" 'bad\.csv:3: .*column 4 \("price"\)'
check_match "line numbers count the line break inside quotes" "$err" 'bad\.csv:6: .*column 4'
check_match "int out of range" "$err" 'bad\.csv:7: .*column 5 \("stock"\).*out of range'
check_match "ragged row" "$err" 'bad\.csv:8: .*expected 7 fields, found 4'
check_match "NULL in a NOT NULL column" "$err" 'bad\.csv:9: .*"name"'
check_match "the server's CHECK violation isolated by splitting (23514)" "$err" 'bad\.csv:10: .*23514'
check_match "NULL key" "$err" 'bad\.csv:11: .*sku'
check_match "the server's foreign key violation isolated (23503)" "$err" 'bad\.csv:13: .*23503'
check_match "the server's unique violation on another index isolated (23505)" "$err" 'bad\.csv:14: .*23505'
check_match "STRING(10) checked before sending" "$err" 'bad\.csv:15: .*"sku".*STRING\(10\)'
check_eq "rejects file: header + 10 rows" "$(wc -l <"$TMP/rej.csv")" 11
check_match "rejects file keeps the fields and the line" "$(grep -c '"A8".*"10"' "$TMP/rej.csv")" '^1$'

# The server's errors spread over a larger load, many workers, big batches:
# each bad row is found by splitting, every good row is in.
"$GENCATALOG" -n 3000 -s 9 -o "$TMP/cat.csv"
stage_generated ref -n 3000 -s 9
q "ALTER TABLE products ADD CONSTRAINT stock_cap CHECK (stock < 9900)" >/dev/null
bad=$(q "SELECT count(*) FROM ref WHERE stock >= 9900")
run_loader --url "$PGURL" -j 6 -b 500 --summary-json "$TMP/big.json" "$TMP/cat.csv"
check_eq "CHECK violations spread over 3000 rows: exit 1" "$loader_rc" 1
check_match "there are some" "$bad" '^[1-9][0-9]*$'
check_eq "each one rejected" "$(js rows_rejected "$TMP/big.json")" "$bad"
check_eq "every reject names 23514" "$(grep -c 'row rejected.*23514' "$TMP/loader.err")" "$bad"
same_rows "every other row is in" products "(SELECT * FROM ref WHERE stock < 9900)"
counts_add_up "CHECK violations spread" "$TMP/big.json"
finish
