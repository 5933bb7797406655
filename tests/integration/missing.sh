# --missing (SPEC.md, "Catalog sync"): the table's rows whose key the feed
# lacks are deleted, or updated with --missing-set, within --missing-where;
# the guard --max-missing refuses a truncated feed (exit 3, nothing changed);
# a key that occurred in the feed is never missing (rejected by the client or
# the server, duplicated, unchanged, skipped by a --checkpoint resume); an
# aborted run and a dry run change nothing; SQL that does not fit the table is
# a configuration error before anything is written.
source "$TESTLIB"
source "$LOADLIB"
source "$(dirname "$LOADLIB")/faultlib.sh"
load_fixture schema.sql
"$GENCATALOG" -n 2000 -s 7 -o "$TMP/full.csv"
stage_reference "$TMP/full.csv" ref
ARGS=(--url "$PGURL" -j 3 -b 100 --progress none)

# A feed: the rows of ref that WHERE picks, as CSV with a header.
feed() { # FILE WHERE
    psql -X -q -v ON_ERROR_STOP=1 -d "$PGURL" \
        -c "\\copy (SELECT $CATALOG_COLS FROM ref WHERE $2 ORDER BY sku) TO '$1' WITH (FORMAT csv, HEADER true)"
}
table_is() { # DESC WHERE: products holds exactly the rows of ref that WHERE picks
    q "DROP TABLE IF EXISTS want; CREATE TABLE want AS SELECT * FROM ref WHERE $2" >/dev/null
    same_rows "$1" products want
}
snapshot() { q "SELECT md5(string_agg(p::text, ',' ORDER BY sku)) FROM products p"; }

run_loader "${ARGS[@]}" "$TMP/full.csv"
check_eq "initial load: exit 0" "$loader_rc" 0

# --- delete: 3% of the keys left the feed ---------------------------------------
feed "$TMP/f97.csv" "right(sku, 2) NOT IN ('00', '33', '66')" # 60 of 2000 rows gone
run_loader "${ARGS[@]}" --missing=delete --summary-json "$TMP/d.json" "$TMP/f97.csv"
check_eq "delete: exit 0" "$loader_rc" 0
check_eq "delete: rows_missing" "$(js rows_missing "$TMP/d.json")" 60
check_match "delete: the summary line" "$(cat "$TMP/loader.err")" \
    'rows missing: +60 \(absent from the feed, deleted\)'
check_match "delete: says how many of how many" "$(cat "$TMP/loader.err")" \
    '60 of the 2000 rows of "public"."products" were not in the feed: deleted'
table_is "delete: the table is the feed" "right(sku, 2) NOT IN ('00', '33', '66')"
counts_add_up "delete" "$TMP/d.json"
check_eq "delete: rows_read counts input rows only" "$(js rows_read "$TMP/d.json")" 1940

# --- the guard: a truncated feed changes nothing ----------------------------------
before=$(snapshot)
feed "$TMP/half.csv" "sku < 'SKU-00001000' AND right(sku, 2) NOT IN ('00', '33', '66')"
run_loader "${ARGS[@]}" --missing=delete --summary-json "$TMP/g.json" "$TMP/half.csv"
check_eq "guard, 5% default: exit 3" "$loader_rc" 3
check_match "guard: says how many out of how many" "$(cat "$TMP/loader.err")" \
    '970 of the 1940 rows of "public"."products" are not in the feed: more than --max-missing allows; no row was deleted'
check_match "guard: the limit in the hint" "$(cat "$TMP/loader.err")" 'raise --max-missing \(now 97 rows\)'
check_eq "guard: rows_missing 0" "$(js rows_missing "$TMP/g.json")" 0
check_match "guard: status aborted" "$(cat "$TMP/g.json")" '"status":"aborted"'
check_eq "guard: nothing deleted (the half's upserts change no value)" "$(snapshot)" "$before"
run_loader "${ARGS[@]}" --missing=delete --max-missing 969 "$TMP/half.csv"
check_eq "guard in rows, one short: exit 3" "$loader_rc" 3
check_eq "guard in rows, one short: nothing deleted" "$(q 'SELECT count(*) FROM products')" 1940
run_loader "${ARGS[@]}" --missing=delete --max-missing 50% --dry-run --summary-json "$TMP/dry.json" \
    "$TMP/half.csv"
check_eq "dry run within the guard: exit 0" "$loader_rc" 0
check_match "dry run: says how many would be deleted" "$(cat "$TMP/loader.err")" \
    'dry run: 970 of the 1940 rows .* would be deleted'
check_eq "dry run: rows_missing is what would be" "$(js rows_missing "$TMP/dry.json")" 970
check_eq "dry run: nothing deleted" "$(q 'SELECT count(*) FROM products')" 1940
run_loader "${ARGS[@]}" --missing=delete --dry-run "$TMP/half.csv"
check_eq "dry run over the guard: exit 3" "$loader_rc" 3
check_match "dry run over the guard: says so" "$(cat "$TMP/loader.err")" 'dry run: 970 of the 1940 rows'

# --- keys that occurred are never missing -----------------------------------------
q "ALTER TABLE products ADD CONSTRAINT stock_not_negative CHECK (stock >= 0)" >/dev/null
{
    head -1 "$TMP/f97.csv"
    echo "SKU-00000101,client reject,,not-a-price,1,EUR"  # rejected before sending
    echo "SKU-00000102,server reject,,1.00,-5,EUR"          # rejected by the CHECK
    echo "SKU-00000103,short row"                            # wrong field count, key readable
    echo "SKU-00000104,first,,1.00,1,EUR"                    # duplicate: the second one wins
    echo "SKU-00000104,second,,2.00,2,EUR"
} > "$TMP/odd.csv"
feed "$TMP/rest.csv" "sku >= 'SKU-00000105' AND right(sku, 2) NOT IN ('00', '33', '66')"
tail -n +2 "$TMP/rest.csv" >> "$TMP/odd.csv" # 101..104 and 105.. : 100 and below missing
run_loader "${ARGS[@]}" --missing=delete --max-missing 100 --summary-json "$TMP/o.json" "$TMP/odd.csv"
check_eq "rejected and duplicate keys: exit 1 (rows rejected)" "$loader_rc" 1
check_eq "rejected and duplicate keys: three rows rejected" "$(js rows_rejected "$TMP/o.json")" 3
check_eq "rejected and duplicate keys: none of them deleted" \
    "$(q "SELECT count(*) FROM products WHERE sku BETWEEN 'SKU-00000101' AND 'SKU-00000104'")" 4
check_eq "rejected and duplicate keys: the others before them deleted" \
    "$(q "SELECT count(*) FROM products WHERE sku <= 'SKU-00000100'")" 0
check_eq "rejected and duplicate keys: rows_missing" "$(js rows_missing "$TMP/o.json")" \
    "$(q "SELECT count(*) FROM ref WHERE sku <= 'SKU-00000100' AND right(sku, 2) NOT IN ('00', '33', '66')")"
counts_add_up "rejected and duplicate keys" "$TMP/o.json"
q "ALTER TABLE products DROP CONSTRAINT stock_not_negative" >/dev/null

# unchanged rows (--only-changed) are in the feed too
n=$(q 'SELECT count(*) FROM products')
run_loader "${ARGS[@]}" --only-changed --missing=delete --summary-json "$TMP/u.json" "$TMP/odd.csv"
check_eq "unchanged rows: exit 1" "$loader_rc" 1
check_match "unchanged rows: counted unchanged" "$(js rows_unchanged "$TMP/u.json")" '^[1-9][0-9]*$'
check_eq "unchanged rows: nothing missing" "$(js rows_missing "$TMP/u.json")" 0
check_eq "unchanged rows: nothing deleted" "$(q 'SELECT count(*) FROM products')" "$n"

# a record whose key cannot be read: the set of keys is unknown
{ cat "$TMP/rest.csv"; printf 'SKU-X,"never closed,,1.00,1,EUR\n'; } > "$TMP/open.csv"
run_loader "${ARGS[@]}" --missing=delete --max-missing 100% "$TMP/open.csv"
check_eq "unreadable key: exit 3" "$loader_rc" 3
check_match "unreadable key: says why" "$(cat "$TMP/loader.err")" \
    'not deleted: the key of 1 record could not be read \(the first at line [0-9]+: a quote never closed\)'
check_eq "unreadable key: nothing deleted" "$(q 'SELECT count(*) FROM products')" "$n"

# --- update instead of delete, within --missing-where -------------------------------
q "TRUNCATE products; ALTER TABLE products ADD COLUMN active boolean NOT NULL DEFAULT true,
   ADD COLUMN supplier int" >/dev/null
run_loader "${ARGS[@]}" "$TMP/full.csv"
q "UPDATE products SET supplier = CASE WHEN sku < 'SKU-00001000' THEN 1 ELSE 2 END,
   updated_at = '2001-01-01'" >/dev/null
feed "$TMP/s1.csv" "sku < 'SKU-00001000' AND right(sku, 1) <> '7'" # supplier 1, 100 gone
run_loader "${ARGS[@]}" --missing-set active=false --missing-set 'updated_at=now()' \
    --missing-where 'supplier = 1 AND active' --max-missing 10% --summary-json "$TMP/s.json" "$TMP/s1.csv"
check_eq "update within --missing-where: exit 0" "$loader_rc" 0
check_eq "update: rows_missing" "$(js rows_missing "$TMP/s.json")" 100
check_match "update: the summary line" "$(cat "$TMP/loader.err")" 'rows missing: +100 \(absent from the feed, updated\)'
check_match "update: of how many covered" "$(cat "$TMP/loader.err")" \
    '100 of the 1000 rows of "public"."products" that --missing-where covers were not in the feed: updated'
check_eq "update: the rows of supplier 1 absent from the feed are inactive, stamped" \
    "$(q "SELECT count(*) FROM products WHERE NOT active AND updated_at > now() - interval '1 hour'")" 100
check_eq "update: exactly those" \
    "$(q "SELECT count(*) FROM products WHERE NOT active AND (supplier <> 1 OR right(sku, 1) <> '7')")" 0
check_eq "update: supplier 2's rows (not in this feed) untouched" \
    "$(q "SELECT count(*) FROM products WHERE supplier = 2 AND active AND updated_at = '2001-01-01'")" 1000
check_eq "update: no row deleted" "$(q 'SELECT count(*) FROM products')" 2000
run_loader "${ARGS[@]}" --missing-set active=false --missing-where 'supplier = 1 AND active' \
    --summary-json "$TMP/s2.json" "$TMP/s1.csv"
check_eq "update, next night: the inactive rows are no longer covered" "$(js rows_missing "$TMP/s2.json")" 0

# --- SQL that does not fit the table: exit 2 before anything is written -------------
before=$(snapshot)
run_loader "${ARGS[@]}" --missing=delete --missing-where 'no_such_column = 1' "$TMP/s1.csv"
check_eq "bad --missing-where: exit 2" "$loader_rc" 2
check_match "bad --missing-where: names it" "$(cat "$TMP/loader.err")" '--missing-where: 42703: column "no_such_column" does not exist'
run_loader "${ARGS[@]}" --missing-set 'no_such_column=1' "$TMP/s1.csv"
check_eq "bad --missing-set: exit 2" "$loader_rc" 2
check_match "bad --missing-set: names it" "$(cat "$TMP/loader.err")" '--missing-set: 42703: .*no_such_column'
check_eq "bad SQL: nothing written" "$(snapshot)" "$before"
: > "$TMP/empty.csv"
run_loader "${ARGS[@]}" --missing=delete "$TMP/empty.csv"
check_eq "an empty input (no header): exit 3" "$loader_rc" 3
check_eq "an empty input: nothing changed" "$(snapshot)" "$before"

# --- an aborted run changes nothing; its --checkpoint resume still knows every key ---
q "TRUNCATE products; ALTER TABLE products DROP COLUMN active, DROP COLUMN supplier" >/dev/null
run_loader "${ARGS[@]}" "$TMP/full.csv"
feed "$TMP/c1.csv" "right(sku, 2) <> '50'" # 20 rows gone
{ head -n 1001 "$TMP/c1.csv"; echo "BAD-1,bad,,1.00,notanint,EUR"; tail -n +1002 "$TMP/c1.csv"; } > "$TMP/c.csv"
slow_statements 20
run_loader "${ARGS[@]}" --missing=delete --max-rejects 0 --checkpoint "$TMP/ck" \
    --summary-json "$TMP/c1.json" "$TMP/c.csv"
check_eq "aborted (too many rejects): exit 3" "$loader_rc" 3
check_eq "aborted: nothing deleted" "$(q 'SELECT count(*) FROM products')" 2000
check_eq "aborted: rows_missing 0" "$(js rows_missing "$TMP/c1.json")" 0
check "aborted: a checkpoint is left" test -s "$TMP/ck"
fast_statements
run_loader "${ARGS[@]}" --missing=delete --checkpoint "$TMP/ck" --summary-json "$TMP/c2.json" "$TMP/c.csv"
check_eq "resumed: exit 1 (the bad row)" "$loader_rc" 1
check_match "resumed: rows were skipped" "$(js rows_skipped "$TMP/c2.json")" '^[1-9][0-9]*$'
check_eq "resumed: exactly the 20 absent rows deleted" "$(js rows_missing "$TMP/c2.json")" 20
table_is "resumed: the table is the feed (skipped keys kept)" "right(sku, 2) <> '50'"

# a SIGTERM mid-load changes nothing either
slow_statements 300 # 20 batches over 3 workers: 2 s
feed "$TMP/c3.csv" "right(sku, 2) <> '51'"
start_loader "${ARGS[@]}" --missing=delete "$TMP/c3.csv"
sleep 0.5
kill -TERM "$loader_pid"
wait_loader
check_eq "interrupted: exit 3" "$loader_rc" 3
check_eq "interrupted: none of the rows absent from its feed deleted" \
    "$(q "SELECT count(*) FROM products WHERE right(sku, 2) = '51'")" 20
fast_statements
finish
