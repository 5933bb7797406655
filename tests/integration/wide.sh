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
bs=$(js batch_size "$TMP/w.json")
run_loader --url "$PGURL" --table wide -b 5000 --dry-run "$TMP/wide.csv"
if grep -q 'unnest(' "$TMP/loader.err"; then
    # One array a column: 121 parameters whatever the rows.
    check_eq "unnest form keeps the requested batch size" "$bs" 5000
else
    check_eq "VALUES form lowers the batch to 65535 / 121 parameters" "$bs" 541
fi
finish
