# tests/crdb/missing.sh - --missing on a real CockroachDB v21.1 node: the keys
# read stream into a temporary table (experimental_enable_temp_tables, set by
# crdbload) over COPY; the missing rows are deleted in several statements of at
# most 2,000 rows (CockroachDB limits what one transaction may change) or
# updated with --missing-set within --missing-where; the guard refuses a
# truncated feed (exit 3, nothing changed); rejected and duplicate keys are not
# missing; a --checkpoint resume knows the keys of the rows it skips.
# with_crdb: --nodes 1
source "$TESTLIB"
source "$LOADLIB"
source "$CRDBLIB"
N=3000
"$GENCATALOG" -n $N -s 11 -o "$TMP/full.csv"
ARGS=(--url "$PGURL" -j 3 -b 200 --progress none)
count() { q "SELECT count(*) FROM products${1:+ WHERE $1}"; }
# COUNT rows not in the feed, keys PREFIX-1 .. PREFIX-COUNT (columns as given)
extra() { # PREFIX COUNT [COLUMNS VALUES]
    q "INSERT INTO products (sku, name, price${3:+, $3}) SELECT '$1-' || g::STRING, 'gone', 1${4:+, $4}
       FROM generate_series(1, $2) AS g" >/dev/null
}

timed "initial load" run_loader "${ARGS[@]}" "$TMP/full.csv"
check_eq "initial load: exit 0" "$loader_rc" 0

# --- delete, over several statements ---------------------------------------------------
extra GONE 2500
timed "delete 2,500 missing rows" run_loader "${ARGS[@]}" --missing=delete --max-missing 2500 \
    --summary-json "$TMP/d.json" "$TMP/full.csv"
check_eq "delete: exit 0" "$loader_rc" 0
check_eq "delete: rows_missing" "$(js rows_missing "$TMP/d.json")" 2500
check_eq "delete: the missing rows are gone" "$(count "sku LIKE 'GONE-%'")" 0
check_eq "delete: the feed's rows stay" "$(count)" $N
check_match "delete: says how many of how many" "$(cat "$TMP/loader.err")" \
    '2500 of the 5500 rows of "public"."products" were not in the feed: deleted'
check_match "delete: dialect cockroach" "$(cat "$TMP/d.json")" '"dialect":"cockroach"'
counts_add_up "delete" "$TMP/d.json"

# --- the guard ------------------------------------------------------------------------
extra TRUNC 500
run_loader "${ARGS[@]}" --missing=delete --summary-json "$TMP/g.json" "$TMP/full.csv"
check_eq "guard (500 of 3500 > 5%): exit 3" "$loader_rc" 3
check_match "guard: says how many out of how many" "$(cat "$TMP/loader.err")" \
    '500 of the 3500 rows of "public"."products" are not in the feed: more than --max-missing allows; no row was deleted'
check_eq "guard: nothing deleted" "$(count)" 3500
check_eq "guard: rows_missing 0" "$(js rows_missing "$TMP/g.json")" 0
run_loader "${ARGS[@]}" --missing=delete --max-missing 15% --dry-run --summary-json "$TMP/dry.json" \
    "$TMP/full.csv"
check_eq "dry run: exit 0" "$loader_rc" 0
check_eq "dry run: rows_missing is what would be" "$(js rows_missing "$TMP/dry.json")" 500
check_eq "dry run: nothing deleted" "$(count)" 3500
q "DELETE FROM products WHERE sku LIKE 'TRUNC-%'" >/dev/null

# --- rejected and duplicate keys are not missing ------------------------------------------
extra KEEP 3
{
    cat "$TMP/full.csv"
    echo "KEEP-1,client reject,,not-a-price,1,EUR"
    echo "KEEP-2,first,,1.00,1,EUR"
    echo "KEEP-2,second,,2.00,2,EUR"
    echo "KEEP-3,short row"
} > "$TMP/odd.csv"
extra GONE 20
run_loader "${ARGS[@]}" --missing=delete --summary-json "$TMP/o.json" "$TMP/odd.csv"
check_eq "rejected and duplicate keys: exit 1" "$loader_rc" 1
check_eq "rejected and duplicate keys: kept" "$(count "sku LIKE 'KEEP-%'")" 3
check_eq "rejected and duplicate keys: the others deleted" "$(js rows_missing "$TMP/o.json")" 20
check_eq "rejected and duplicate keys: second occurrence won" \
    "$(q "SELECT name FROM products WHERE sku = 'KEEP-2'")" second

# --- update within --missing-where ------------------------------------------------------
q "ALTER TABLE products ADD COLUMN active BOOL NOT NULL DEFAULT true" >/dev/null
extra RETIRE 40 "updated_at" "'2001-01-01'::TIMESTAMPTZ"
extra OTHER 40 "updated_at" "'2001-01-01'::TIMESTAMPTZ"
run_loader "${ARGS[@]}" --missing-set active=false --missing-set 'updated_at=now()' \
    --missing-where "sku NOT LIKE 'OTHER-%' AND active" --summary-json "$TMP/u.json" "$TMP/full.csv"
check_eq "update: exit 0" "$loader_rc" 0
check_eq "update: rows_missing (RETIRE and KEEP)" "$(js rows_missing "$TMP/u.json")" 43
check_eq "update: retired and stamped" \
    "$(count "NOT active AND updated_at > now() - INTERVAL '1 hour' AND sku LIKE 'RETIRE-%'")" 40
check_eq "update: rows outside --missing-where untouched" \
    "$(count "sku LIKE 'OTHER-%' AND active AND updated_at = '2001-01-01'")" 40
check_eq "update: nothing deleted" "$(count)" $((N + 83))
run_loader "${ARGS[@]}" --missing-set active=false --missing-where "sku NOT LIKE 'OTHER-%' AND active" \
    --summary-json "$TMP/u2.json" "$TMP/full.csv"
check_eq "update, next night: retired rows no longer covered" "$(js rows_missing "$TMP/u2.json")" 0
q "DELETE FROM products WHERE sku NOT LIKE 'SKU-%'; ALTER TABLE products DROP COLUMN active" >/dev/null

# --- an aborted run changes nothing; the resume knows the keys it skips ----------------------
"$GENCATALOG" -n 1500 -s 12 -o "$TMP/c1.csv"
"$GENCATALOG" -n 1500 -s 13 | tail -n +2 | sed 's/^SKU-/SKV-/' > "$TMP/c2.csv"
{ cat "$TMP/c1.csv"; echo "BAD-1,bad stock,,1.00,notanint,EUR"; cat "$TMP/c2.csv"; } > "$TMP/c.csv"
q "TRUNCATE products" >/dev/null
run_loader "${ARGS[@]}" "$TMP/c.csv"
extra GONE 30
run_loader "${ARGS[@]}" "${PACE[@]}" --missing=delete --max-rejects 0 --checkpoint "$TMP/ck" \
    --summary-json "$TMP/a.json" "$TMP/c.csv"
check_eq "aborted: exit 3" "$loader_rc" 3
check_eq "aborted: nothing deleted" "$(count "sku LIKE 'GONE-%'")" 30
check "aborted: a checkpoint is left" test -s "$TMP/ck"
run_loader "${ARGS[@]}" --missing=delete --checkpoint "$TMP/ck" --summary-json "$TMP/r.json" "$TMP/c.csv"
check_eq "resumed: exit 1 (the bad row)" "$loader_rc" 1
check_match "resumed: rows were skipped" "$(js rows_skipped "$TMP/r.json")" '^[1-9][0-9]*$'
check_eq "resumed: only the 30 missing rows deleted" "$(js rows_missing "$TMP/r.json")" 30
check_eq "resumed: the feed's rows all stay" "$(count)" 3000
finish
