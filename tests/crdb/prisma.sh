# tests/crdb/prisma.sh - the seeds' Prisma "Product" table in CockroachDB's DDL
# (fixtures/crdb/prisma_product.sql: STRING, DECIMAL(10,2), TIMESTAMP(3), INT8)
# on a real CockroachDB v21.1 node: loaded, reloaded (ids kept), reloaded with
# 10% changed; createdAt in UTC with the README's recipe when the session's
# TimeZone is America/New_York (v21.1 has no server or role default for it:
# the session gets it from the URL's options=-c timezone=...).
# with_crdb: --nodes 1
source "$TESTLIB"
source "$LOADLIB"
source "$CRDBLIB"
source "$(dirname "$TESTLIB")/prismalib.sh"
N=3000
"$GENCATALOG" -n $N -s 3 -o "$TMP/cat.csv"
"$GENCATALOG" -n $N -s 3 -c 0.1 -o "$TMP/cat2.csv"
stage_generated ref -n $N -s 3
stage_generated ref2 -n $N -s 3 -c 0.1
prisma=(--table Product --columns sku,name,description,price,stock,- --default 'id=gen_random_uuid()::text')
PCOLS="sku, name, description, price, stock"
same_product() { # DESC REF
    check_eq "$1" "$(q "SELECT (SELECT count(*) FROM (SELECT $PCOLS FROM \"Product\" EXCEPT SELECT $PCOLS FROM $2) a)
                          || ' ' || (SELECT count(*) FROM (SELECT $PCOLS FROM $2 EXCEPT SELECT $PCOLS FROM \"Product\") b)")" "0 0"
}

run_loader --url "$PGURL" "${prisma[@]}" --summary-json "$TMP/p.json" "$TMP/cat.csv"
check_eq "Prisma table loads (exit 0)" "$loader_rc" 0
check_eq "every row" "$(q 'SELECT count(*) FROM "Product"')" $N
check_eq "ids generated, distinct" "$(q 'SELECT count(DISTINCT id) FROM "Product"')" $N
check_eq "createdAt defaulted" "$(q 'SELECT count(*) FROM "Product" WHERE "createdAt" IS NOT NULL')" $N
same_product "the table equals the reference" ref
check_match "dry run of a UTC session: the warning all the same" \
    "$("$CRDBLOAD" --url "$PGURL" "${prisma[@]}" --dry-run "$TMP/cat.csv" 2>&1)" \
    'warning: column "createdAt" \(timestamp without time zone\) is filled with current_timestamp\(\), the time in the session.s TimeZone \(UTC\)'
check "a real run in a UTC session does not warn" bash -c "! grep -q 'warning: column' '$TMP/loader.err'"

ids=$(q 'SELECT md5(string_agg(id, $$,$$ ORDER BY sku)) FROM "Product"')
run_loader --url "$PGURL" "${prisma[@]}" "$TMP/cat.csv"
check_eq "reload: exit 0" "$loader_rc" 0
check_eq "reload keeps the ids (--default is insert-only)" \
    "$(q 'SELECT md5(string_agg(id, $$,$$ ORDER BY sku)) FROM "Product"')" "$ids"
run_loader --url "$PGURL" "${prisma[@]}" --summary-json "$TMP/p2.json" "$TMP/cat2.csv"
check_eq "reload with 10% changed: exit 0" "$loader_rc" 0
same_product "reload with 10% changed equals the changed reference" ref2
counts_add_up "reload with 10% changed" "$TMP/p2.json"

q 'DELETE FROM "Product"' >/dev/null
prisma_timezone_checks "$PGURL&options=-c%20timezone%3DAmerica/New_York"
finish
