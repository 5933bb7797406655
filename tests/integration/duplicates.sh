# Keys repeated across a file: the last occurrence wins, whatever the number
# of workers, and repeats inside one batch are merged and counted.
source "$TESTLIB"
source "$LOADLIB"
load_fixture schema.sql
# 3000 distinct keys, each appearing 1-4 times at scattered places with
# different prices; the reference is each key's last occurrence.
dup_catalog "$TMP/dups.csv" 9000 3000 11
distinct=$(q "SELECT count(*) FROM ref_last")
for j in 1 2 8; do
    for b in 1000 7; do
        q "TRUNCATE products" >/dev/null
        run_loader --url "$PGURL" -j $j -b $b --summary-json "$TMP/d$j-$b.json" "$TMP/dups.csv"
        check_eq "-j $j -b $b: exit 0" "$loader_rc" 0
        check_eq "-j $j -b $b: one row per key" "$(q 'SELECT count(*) FROM products')" "$distinct"
        same_rows "-j $j -b $b: the last occurrence of every key wins" products ref_last
        counts_add_up "-j $j -b $b" "$TMP/d$j-$b.json"
    done
done
check_match "duplicates merged inside batches are counted" "$(js duplicates_merged "$TMP/d1-1000.json")" '^[1-9][0-9]*$'
finish
