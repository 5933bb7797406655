# A table so wide that rows x columns would pass the protocol's 65535
# parameters at the requested batch size: the batch is lowered, all rows load.
source "$TESTLIB"
source "$LOADLIB"
cols=$(seq -f 'c%g text' 1 120 | paste -sd, -)
q "CREATE TABLE wide (sku text PRIMARY KEY, $cols)" >/dev/null
awk 'BEGIN { printf "sku"; for (c = 1; c <= 120; c++) printf ",c%d", c; print ""
    for (r = 0; r < 3000; r++) { printf "K%d", r; for (c = 1; c <= 120; c++) printf ",v%d_%d", r, c; print "" } }' > "$TMP/wide.csv"
run_loader --url "$PGURL" --table wide -b 5000 --summary-json "$TMP/w.json" "$TMP/wide.csv"
check_eq "wide table loads: exit 0" "$loader_rc" 0
check_eq "wide table: every row" "$(q 'SELECT count(*) FROM wide')" 3000
check_eq "wide table: a value lands in its column" "$(q "SELECT c77 FROM wide WHERE sku = 'K2999'")" "v2999_77"
# The expected sizes are worked out here, not read from the program: on
# PostgreSQL --statement-form auto is values (SPEC), one parameter a value,
# 121 a row: 65535 / 121 = 541 rows; unnest sends one array a column, 121
# parameters whatever the rows, and keeps the requested 5000.
check_eq "VALUES form (auto on PostgreSQL) lowers the batch to 65535 / 121 parameters" \
    "$(js batch_size "$TMP/w.json")" 541
q "TRUNCATE wide" >/dev/null
run_loader --url "$PGURL" --table wide -b 5000 --statement-form unnest \
    --summary-json "$TMP/u.json" "$TMP/wide.csv"
check_eq "unnest form: exit 0" "$loader_rc" 0
check_eq "unnest form keeps the requested batch size" "$(js batch_size "$TMP/u.json")" 5000
check_eq "unnest form: every row" "$(q 'SELECT count(*) FROM wide')" 3000
finish
