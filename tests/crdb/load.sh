# tests/crdb/load.sh - the reference table on a real CockroachDB v21.1 node:
# initial load, reload, reload with 10% changed, --only-changed (an identical
# reload writes nothing), --insert-only, --set, --default, keys repeated far
# apart with many workers (the last occurrence wins), and UPSERT INTO where it
# is equivalent, proven from the server's own statement statistics. Each
# result is compared with a reference that gencatalog writes itself (COPY text).
# with_crdb: --nodes 1
source "$TESTLIB"
source "$LOADLIB"
source "$CRDBLIB"
N=3000
"$GENCATALOG" -n $N -s 7 --gzip -o "$TMP/base.csv.gz"
"$GENCATALOG" -n $N -s 7 --change-fraction 0.1 -o "$TMP/changed.csv"
stage_generated ref_base -n $N -s 7
stage_generated ref_changed -n $N -s 7 --change-fraction 0.1

# --- initial load, reload, 10% changed ----------------------------------------------
timed "initial load" run_loader --url "$PGURL" --summary-json "$TMP/s1.json" "$TMP/base.csv.gz"
check_eq "initial load: exit 0" "$loader_rc" 0
check_eq "initial load: every row" "$(q 'SELECT count(*) FROM products')" $N
check_eq "initial load: rows_written" "$(js rows_written "$TMP/s1.json")" $N
counts_add_up "initial load" "$TMP/s1.json"
same_rows "initial load equals the reference" products ref_base
check_match "the summary says cockroach" "$(cat "$TMP/s1.json")" '"dialect":"cockroach"'

ids=$(q "SELECT md5(string_agg(id::text || sku, ',' ORDER BY sku)) FROM products")
q "UPDATE products SET updated_at = '2000-01-01'" >/dev/null
timed "reload" run_loader --url "$PGURL" --summary-json "$TMP/s2.json" --set 'updated_at=now()' "$TMP/base.csv.gz"
check_eq "reload: exit 0" "$loader_rc" 0
check_eq "reload: every row updated" "$(js rows_written "$TMP/s2.json")" $N
check_eq "reload: --set applied to every row" \
    "$(q "SELECT count(*) FROM products WHERE updated_at > now() - INTERVAL '10 minutes'")" $N
check_eq "reload: ids kept (updated in place)" \
    "$(q "SELECT md5(string_agg(id::text || sku, ',' ORDER BY sku)) FROM products")" "$ids"
same_rows "reload equals the reference" products ref_base

run_loader --url "$PGURL" --summary-json "$TMP/s3.json" "$TMP/changed.csv"
check_eq "reload with 10% changed: exit 0" "$loader_rc" 0
same_rows "reload with 10% changed equals the changed reference" products ref_changed

run_loader --url "$PGURL" --statement-form unnest -j 2 --summary-json "$TMP/s3u.json" "$TMP/base.csv.gz"
check_eq "the unnest form: exit 0" "$loader_rc" 0
check_match "the unnest form: the statement ran (its text in the statement statistics)" \
    "$(q "SELECT count(*) FROM crdb_internal.node_statement_statistics
          WHERE application_name = 'crdbload' AND key LIKE '%FROM ROWS FROM (unnest(%'")" '^[1-9]'
same_rows "the unnest form: back to the reference" products ref_base

# --- --only-changed -------------------------------------------------------------------
run_loader --url "$PGURL" -q "$TMP/base.csv.gz"
q "UPDATE products SET updated_at = '2000-01-01'" >/dev/null
run_loader --url "$PGURL" --only-changed --set 'updated_at=now()' -j 3 \
    --summary-json "$TMP/s4.json" "$TMP/changed.csv"
check_eq "--only-changed: exit 0" "$loader_rc" 0
check_eq "--only-changed: written = the changed rows" "$(js rows_written "$TMP/s4.json")" $((N / 10))
check_eq "--only-changed: the rest unchanged" "$(js rows_unchanged "$TMP/s4.json")" $((N - N / 10))
check_eq "--only-changed: only the changed rows touched" \
    "$(q "SELECT count(*) FROM products WHERE updated_at > '2000-01-01'")" $((N / 10))
same_rows "--only-changed equals the changed reference" products ref_changed
run_loader --url "$PGURL" --only-changed --set 'updated_at=now()' --summary-json "$TMP/s5.json" "$TMP/changed.csv"
check_eq "--only-changed, identical reload: exit 0" "$loader_rc" 0
check_eq "--only-changed, identical reload: writes 0" "$(js rows_written "$TMP/s5.json")" 0
check_eq "--only-changed, identical reload: all unchanged" "$(js rows_unchanged "$TMP/s5.json")" $N

# --- --insert-only, --default -----------------------------------------------------------
q "DELETE FROM products WHERE sku < 'SKU-00000100'" >/dev/null
run_loader --url "$PGURL" --insert-only --default "currency='XXX'" --columns sku,name,description,price,stock,- \
    --summary-json "$TMP/s6.json" "$TMP/base.csv.gz"
check_eq "--insert-only: exit 0" "$loader_rc" 0
check_eq "--insert-only: only the missing rows written" "$(js rows_written "$TMP/s6.json")" 100
check_eq "--insert-only: the others left alone" "$(js rows_unchanged "$TMP/s6.json")" $((N - 100))
check_eq "--default fills the new rows only" \
    "$(q "SELECT count(*) FILTER (WHERE currency = 'XXX'), count(*) FILTER (WHERE currency = 'XXX' AND sku >= 'SKU-00000100') FROM products")" "100|0"
same_rows "--insert-only keeps the changed rows as they were" \
    "(SELECT * FROM products WHERE sku >= 'SKU-00000100')" \
    "(SELECT * FROM ref_changed WHERE sku >= 'SKU-00000100')"

# --- keys repeated far apart, many workers: the last occurrence wins -----------------------
{ zcat "$TMP/base.csv.gz"; tail -n +2 "$TMP/changed.csv"; } >"$TMP/dups.csv"
for b in 1000 40; do
    q "TRUNCATE products" >/dev/null
    run_loader --url "$PGURL" -j 8 -b $b --summary-json "$TMP/d$b.json" "$TMP/dups.csv"
    check_eq "repeats $N lines apart, -j 8 -b $b: exit 0" "$loader_rc" 0
    check_eq "-j 8 -b $b: one row a key" "$(q 'SELECT count(*) FROM products')" $N
    same_rows "-j 8 -b $b: the last occurrence of every key wins" products ref_changed
    counts_add_up "-j 8 -b $b" "$TMP/d$b.json"
done
check_match "-b 1000: repeats inside a batch merged and counted" "$(js duplicates_merged "$TMP/d1000.json")" '^[1-9][0-9]*$'

# --- UPSERT INTO where it is equivalent: keyed by the primary key ----------------------------
q 'CREATE TABLE by_sku (sku STRING PRIMARY KEY, name STRING NOT NULL, description STRING,
   price DECIMAL(10,2) NOT NULL, stock INT8 NOT NULL, currency STRING NOT NULL)' >/dev/null
run_loader --url "$PGURL" --table by_sku --dry-run "$TMP/base.csv.gz"
check_match "dry run: UPSERT INTO on a table keyed by its primary key" "$(cat "$TMP/loader.err")" \
    'UPSERT INTO "public"\."by_sku" \("sku", "name", "description", "price", "stock", "currency"\)'
run_loader --url "$PGURL" --table by_sku -j 2 "$TMP/base.csv.gz"
check_eq "UPSERT: exit 0" "$loader_rc" 0
run_loader --url "$PGURL" --table by_sku -j 2 --summary-json "$TMP/u.json" "$TMP/changed.csv"
check_eq "UPSERT reload: exit 0" "$loader_rc" 0
same_rows "UPSERT: the table equals the changed reference" by_sku ref_changed
stats() { # statements crdbload ran on by_sku, by their first word
    q "SELECT split_part(key, ' ', 1), sum(count) FROM crdb_internal.node_statement_statistics
       WHERE application_name = 'crdbload' AND key LIKE '% INTO public.by_sku%' GROUP BY 1 ORDER BY 1"
}
check_match "the server ran UPSERT INTO public.by_sku (statement statistics)" "$(stats)" '^UPSERT\|[1-9][0-9]*$'
check "... and never INSERT INTO public.by_sku" bash -c "! grep -q '^INSERT' <<<'$(stats)'"
run_loader --url "$PGURL" --table by_sku --only-changed --dry-run "$TMP/base.csv.gz"
check_match "--only-changed is not equivalent: INSERT ... ON CONFLICT" "$(cat "$TMP/loader.err")" \
    'INSERT INTO "public"\."by_sku" AS t .* ON CONFLICT \("sku"\) DO UPDATE .* IS DISTINCT FROM'
finish
