# The table Prisma generates for a Next.js shop: mixed-case identifiers, an
# id without a database default (given with --default), createdAt defaulted.
source "$TESTLIB"
source "$LOADLIB"
load_fixture prisma_product.sql
"$GENCATALOG" -n 5000 -s 3 -o "$TMP/cat.csv"
# Prisma's table has no currency column: skip that field with --columns.
run_loader --url "$PGURL" --table Product --columns sku,name,description,price,stock,- \
    --default 'id=gen_random_uuid()::text' --summary-json "$TMP/p.json" "$TMP/cat.csv"
check_eq "Prisma table loads (exit 0)" "$loader_rc" 0
check_eq "Prisma table: every row" "$(q 'SELECT count(*) FROM "Product"')" 5000
check_eq "Prisma table: ids generated, distinct" "$(q 'SELECT count(DISTINCT id) FROM "Product" WHERE id IS NOT NULL')" 5000
check_eq "Prisma table: createdAt defaulted" "$(q 'SELECT count(*) FROM "Product" WHERE "createdAt" IS NOT NULL')" 5000
stage_reference "$TMP/cat.csv" ref
diff=$(q "SELECT count(*) FROM (SELECT sku, name, description, price, stock FROM \"Product\" EXCEPT SELECT sku, name, description, price, stock FROM ref) a")
check_eq "Prisma table equals \\copy of the file" "$diff" 0

ids=$(q 'SELECT md5(string_agg(id, $$,$$ ORDER BY sku)) FROM "Product"')
run_loader --url "$PGURL" --table Product --columns sku,name,description,price,stock,- \
    --default 'id=gen_random_uuid()::text' "$TMP/cat.csv"
check_eq "Prisma reload exits 0" "$loader_rc" 0
check_eq "Prisma reload keeps the ids (--default is insert-only)" \
    "$(q 'SELECT md5(string_agg(id, $$,$$ ORDER BY sku)) FROM "Product"')" "$ids"

q 'TRUNCATE "Product"' >/dev/null
run_loader --url "$PGURL" --table Product --columns sku,name,description,price,stock,- "$TMP/cat.csv"
check_eq "Prisma without --default: configuration error" "$loader_rc" 2
check_match "names the id column and suggests --default" "$(cat "$TMP/loader.err")" '"id".*--default'
check_eq "nothing written" "$(q 'SELECT count(*) FROM "Product"')" 0

run_loader --url "$PGURL" --table product --default 'id=gen_random_uuid()::text' "$TMP/cat.csv"
check_eq "--table is taken literally (product is not Product)" "$loader_rc" 2
finish
