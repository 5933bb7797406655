# tests/integration/dialect.sh - --dialect auto|postgres|cockroach, end to end.
#
# PostgreSQL never reports crdb_version, so auto must say postgres here
# (auto -> cockroach is pinned in tests/unit/test_dialect.c). --dialect
# cockroach forces the CockroachDB statement path: both seed schemas keep the
# INSERT ... ON CONFLICT (sku) form there (sku is not their primary key, and
# Prisma's id comes from --default), which PostgreSQL runs, so both load; a
# plan that picks UPSERT INTO is shown with --dry-run, and PostgreSQL refusing
# it is a clean fatal error with nothing written.
source "$TESTLIB"
source "$LOADLIB"
load_fixture schema.sql
load_fixture prisma_product.sql
"$GENCATALOG" -n 3000 -s 11 -o "$TMP/cat.csv"
"$GENCATALOG" -n 3000 -s 11 -c 0.2 -o "$TMP/cat2.csv"

# --- auto on PostgreSQL ---------------------------------------------------------
run_loader --url "$PGURL" --dry-run --summary-json "$TMP/auto_dry.json" "$TMP/cat.csv"
check_eq "auto, dry run: exit 0" "$loader_rc" 0
check_match "auto, dry run names dialect postgres" "$(cat "$TMP/loader.err")" \
    'dry run: table "public"\."products", dialect postgres,'
check_match "auto, dry-run JSON says postgres" "$(cat "$TMP/auto_dry.json")" '"dialect":"postgres"'
check_match "auto on PostgreSQL: statement form values (dry run)" "$(cat "$TMP/loader.err")" \
    'dialect postgres, statement form values, 4 workers,.*VALUES \(\$1, \$2, \$3, \$4, \$5, \$6\), \(\$7,'
check_match "auto on PostgreSQL: JSON says statement_form values" "$(cat "$TMP/auto_dry.json")" \
    '"statement_form":"values"'
check_eq "dry run writes nothing" "$(q 'SELECT count(*) FROM products')" 0

run_loader --url "$PGURL" --summary-json "$TMP/auto.json" "$TMP/cat.csv"
check_eq "auto: loads (exit 0)" "$loader_rc" 0
check_match "auto: summary JSON says postgres" "$(cat "$TMP/auto.json")" '"dialect":"postgres"'
check_match "auto: summary text says postgres" "$(cat "$TMP/loader.err")" 'dialect postgres, statement form values, workers'
check_eq "auto: every row" "$(q 'SELECT count(*) FROM products')" 3000
q 'TRUNCATE products' >/dev/null

# --- --dialect postgres: the explicit choice, same result -----------------------
run_loader --url "$PGURL" --dialect postgres --summary-json "$TMP/pg.json" "$TMP/cat.csv"
check_eq "--dialect postgres: loads" "$loader_rc" 0
check_match "--dialect postgres: JSON says postgres" "$(cat "$TMP/pg.json")" '"dialect":"postgres"'
q 'TRUNCATE products' >/dev/null

# --- --dialect cockroach, reference products keyed by sku -----------------------
run_loader --url "$PGURL" --dialect cockroach --statement-form unnest --dry-run \
    --summary-json "$TMP/cr_dry.json" "$TMP/cat.csv"
err=$(cat "$TMP/loader.err")
check_eq "cockroach, products, dry run: exit 0" "$loader_rc" 0
check_match "cockroach, products, dry run names dialect cockroach" "$err" \
    'dry run: table "public"\."products", dialect cockroach,'
check_match "cockroach without -j: 4 workers, as on PostgreSQL" "$err" \
    'dialect cockroach, statement form unnest, 4 workers,'
check_match "cockroach, products: sku is not the primary key -> INSERT ... ON CONFLICT (sku)" \
    "$err" 'INSERT INTO "public"\."products" AS t \("sku", "name", "description", "price", "stock", "currency"\) SELECT u\."sku", .* FROM unnest\(\$1::text\[\], \$2::text\[\], \$3::text\[\], \$4::numeric\(10,2\)\[\], \$5::integer\[\], \$6::text\[\]\) AS u\("sku", .*\) ON CONFLICT \("sku"\) DO UPDATE SET "name" = excluded\."name",'
check "cockroach, products: no UPSERT (not equivalent on a unique non-key column)" \
    bash -c "! grep -q UPSERT '$TMP/loader.err'"
check_match "cockroach, dry-run JSON says cockroach" "$(cat "$TMP/cr_dry.json")" \
    '"dialect":"cockroach".*"dry_run":true'

run_loader --url "$PGURL" --dialect cockroach --statement-form unnest --summary-json "$TMP/cr.json" "$TMP/cat.csv"
check_eq "cockroach, products: loads (exit 0)" "$loader_rc" 0
check_match "cockroach, products: summary JSON says cockroach" "$(cat "$TMP/cr.json")" \
    '"status":"ok".*"dialect":"cockroach"'
check_match "cockroach, products: summary text says cockroach" "$(cat "$TMP/loader.err")" \
    'dialect cockroach, statement form unnest, workers'
check_eq "cockroach, products: rows_written" "$(js rows_written "$TMP/cr.json")" 3000
stage_reference "$TMP/cat.csv" ref1
same_rows "cockroach, products: table equals \\copy of the file" products ref1

# An update pass through the same path, with the default form (auto: unnest
# for cockroach): the changed rows win.
run_loader --url "$PGURL" --dialect cockroach --summary-json "$TMP/cr2.json" "$TMP/cat2.csv"
check_eq "cockroach, products, update pass: exit 0" "$loader_rc" 0
check_match "cockroach, auto form: statement_form unnest in the JSON" "$(cat "$TMP/cr2.json")" \
    '"dialect":"cockroach","statement_form":"unnest"'
stage_reference "$TMP/cat2.csv" ref2
same_rows "cockroach, products, update pass: table equals the new file" products ref2
counts_add_up "cockroach, products, update pass" "$TMP/cr2.json"

# The VALUES form through the CockroachDB path too.
q 'TRUNCATE products' >/dev/null
run_loader --url "$PGURL" --dialect cockroach --statement-form values --dry-run "$TMP/cat.csv"
check_match "cockroach, values form: VALUES ... ON CONFLICT (sku)" "$(cat "$TMP/loader.err")" \
    'INSERT INTO "public"\."products" AS t \(.*\) VALUES \(\$1, \$2, \$3, \$4, \$5, \$6\), \(\$7, .*\) ON CONFLICT \("sku"\) DO UPDATE'
run_loader --url "$PGURL" --dialect cockroach --statement-form values --summary-json "$TMP/crv.json" \
    "$TMP/cat.csv"
check_eq "cockroach, values form: loads" "$loader_rc" 0
same_rows "cockroach, values form: table equals \\copy of the file" products ref1

# --- --dialect cockroach, Prisma's "Product" ------------------------------------
prisma=(--table Product --columns sku,name,description,price,stock,- \
    --default 'id=gen_random_uuid()::text')
run_loader --url "$PGURL" --dialect cockroach --statement-form unnest "${prisma[@]}" --dry-run "$TMP/cat.csv"
err=$(cat "$TMP/loader.err")
check_eq "cockroach, Prisma, dry run: exit 0" "$loader_rc" 0
check_match "cockroach, Prisma, dry run names dialect cockroach" "$err" \
    'dry run: table "public"\."Product", dialect cockroach,'
check_match "cockroach, Prisma: --default -> INSERT ... ON CONFLICT (sku), id only on insert" \
    "$(grep '^INSERT INTO' "$TMP/loader.err")" 'INSERT INTO "public"\."Product" AS t \("sku", "name", "description", "price", "stock", "id"\) SELECT u\."sku", .*, gen_random_uuid\(\)::text FROM unnest\(.*\) AS u\(.*\) ON CONFLICT \("sku"\) DO UPDATE SET "name" = excluded\."name", "description" = excluded\."description", "price" = excluded\."price", "stock" = excluded\."stock"$'

run_loader --url "$PGURL" --dialect cockroach "${prisma[@]}" --summary-json "$TMP/crp.json" \
    "$TMP/cat.csv"
check_eq "cockroach, Prisma: loads (exit 0)" "$loader_rc" 0
check_match "cockroach, Prisma: summary JSON says cockroach" "$(cat "$TMP/crp.json")" \
    '"status":"ok".*"dialect":"cockroach"'
check_eq "cockroach, Prisma: every row, ids generated" \
    "$(q 'SELECT count(*), count(DISTINCT id) FROM "Product"')" "3000|3000"
diff=$(q "SELECT count(*) FROM (SELECT sku, name, description, price, stock FROM \"Product\" EXCEPT SELECT sku, name, description, price, stock FROM ref1) a")
check_eq "cockroach, Prisma: table equals \\copy of the file" "$diff" 0
ids=$(q 'SELECT md5(string_agg(id, $$,$$ ORDER BY sku)) FROM "Product"')
run_loader --url "$PGURL" --dialect cockroach "${prisma[@]}" "$TMP/cat2.csv"
check_eq "cockroach, Prisma, update pass: exit 0" "$loader_rc" 0
check_eq "cockroach, Prisma, update pass keeps the ids" \
    "$(q 'SELECT md5(string_agg(id, $$,$$ ORDER BY sku)) FROM "Product"')" "$ids"
diff=$(q "SELECT count(*) FROM (SELECT sku, name, description, price, stock FROM \"Product\" EXCEPT SELECT sku, name, description, price, stock FROM ref2) a")
check_eq "cockroach, Prisma, update pass: table equals the new file" "$diff" 0

# --- where CockroachDB would get UPSERT: shown, and refused by PostgreSQL --------
# Keyed on the primary key, every column updated: UPSERT INTO is equivalent.
psql -X -q -v ON_ERROR_STOP=1 -d "$PGURL" \
    -c "\\copy (SELECT id, sku, name || ' v2' AS name, price FROM products ORDER BY sku LIMIT 100) TO '$TMP/by_id.csv' WITH (FORMAT csv, HEADER true)"
run_loader --url "$PGURL" --dialect cockroach --statement-form unnest --key id --dry-run "$TMP/by_id.csv"
check_eq "cockroach, keyed on the primary key, dry run: exit 0" "$loader_rc" 0
check_match "cockroach, keyed on the primary key: UPSERT INTO, nothing after" \
    "$(sed -n 3p "$TMP/loader.err")" '^UPSERT INTO "public"\."products" \("id", "sku", "name", "price"\) SELECT u\."id", u\."sku", u\."name", u\."price" FROM unnest\(\$1::uuid\[\], \$2::text\[\], \$3::text\[\], \$4::numeric\(10,2\)\[\]\) AS u\("id", "sku", "name", "price"\)$'
run_loader --url "$PGURL" --dialect cockroach --statement-form values --key id --dry-run \
    "$TMP/by_id.csv"
check_match "cockroach, keyed on the primary key, values form: UPSERT INTO ... VALUES" \
    "$(sed -n 3p "$TMP/loader.err")" '^UPSERT INTO "public"\."products" \("id", "sku", "name", "price"\) VALUES \(\$1, \$2, \$3, \$4\), \(\$5, \$6, \$7, \$8\)$'
run_loader --url "$PGURL" --dialect cockroach --key id --summary-json "$TMP/ups.json" \
    "$TMP/by_id.csv"
check_eq "UPSERT on PostgreSQL: a fatal error (exit 3)" "$loader_rc" 3
check_match "UPSERT on PostgreSQL: the syntax error is reported" "$(cat "$TMP/loader.err")" \
    '42601: syntax error at or near "UPSERT"'
check_eq "UPSERT on PostgreSQL: nothing written" \
    "$(q "SELECT count(*) FROM products WHERE name LIKE '% v2'")" 0
check_match "UPSERT on PostgreSQL: summary says aborted, dialect cockroach" \
    "$(cat "$TMP/ups.json")" '"status":"aborted".*"dialect":"cockroach"'
# The same file with --dialect postgres: ON CONFLICT (id), and it loads.
run_loader --url "$PGURL" --dialect postgres --key id "$TMP/by_id.csv"
check_eq "keyed on the primary key, --dialect postgres: loads" "$loader_rc" 0
check_eq "keyed on the primary key, --dialect postgres: rows updated" \
    "$(q "SELECT count(*) FROM products WHERE name LIKE '% v2'")" 100
finish
