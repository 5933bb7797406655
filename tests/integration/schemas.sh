# tests/integration/schemas.sh - the harness and the fixtures themselves:
# the throwaway cluster is what with_pg.sh promises, both reference schemas
# create the tables SPEC.md describes, and gencatalog's CSV (psql's \copy
# being the reference reader) loads into them with the NULL/empty-string and
# --change-fraction semantics the loader's tests rely on.
#
#   bash tests/harness/with_pg.sh bash tests/integration/schemas.sh
# shellcheck source=../harness/testlib.sh
source "${TESTLIB:-$(dirname "${BASH_SOURCE[0]}")/../harness/testlib.sh}"
: "${GENCATALOG:=$(dirname "${BASH_SOURCE[0]}")/../../build/gencatalog}"

# --- the harness ---------------------------------------------------------------
check_eq "server listens on 127.0.0.1 only" "$(q 'SHOW listen_addresses')" "127.0.0.1"
check_eq "connected over TCP to 127.0.0.1" "$(q 'SELECT inet_server_addr()')" "127.0.0.1"
check_eq "server port is PGPORT" "$(q 'SHOW port')" "$PGPORT"
check_match "PGPORT in 20000-60000" "$PGPORT" '^[2-5][0-9]{4}$|^60000$'
check_match "PostgreSQL 15" "$(q 'SHOW server_version')" '^15\.'
check_eq "data directory is PGDATA" "$(q 'SHOW data_directory')" "$PGDATA"
check_eq "database crdbload_test, user postgres" "$(q 'SELECT current_database(), current_user')" \
    "crdbload_test|postgres"
check_eq "UTF8 database" "$(q 'SHOW server_encoding')" "UTF8"
check_eq "test settings" \
    "$(q "SELECT string_agg(name || '=' || setting, ' ' ORDER BY name) FROM pg_settings
          WHERE name IN ('fsync', 'synchronous_commit', 'full_page_writes', 'max_connections')")" \
    "fsync=off full_page_writes=off max_connections=60 synchronous_commit=off"
check_match "unix socket in a private dir of PG_TMP" "$(q 'SHOW unix_socket_directories')" \
    "^$PG_TMP/"
check_eq "DATABASE_URL equals PGURL" "$DATABASE_URL" "$PGURL"
if [ "$(id -u)" = 0 ]; then
    check_eq "data dir owned by postgres" "$(stat -c %U "$PGDATA")" "postgres"
    check_eq "PG_AS runs as postgres" "$($PG_AS id -un)" "postgres"
else
    check_eq "data dir owned by the current user" "$(stat -c %U "$PGDATA")" "$(id -un)"
fi
listeners=$(ss -Hltn "sport = :$PGPORT" | awk '{print $4}' | sort -u | tr '\n' ' ')
check_eq "no listener on PGPORT but 127.0.0.1" "$listeners" "127.0.0.1:$PGPORT "

# --- fixtures/schema.sql: products ----------------------------------------------
check "schema.sql loads" load_fixture schema.sql
columns() { # TABLE -> name:type:notnull:default, one column a line
    q "SELECT a.attname || ':' || format_type(a.atttypid, a.atttypmod) || ':' ||
              a.attnotnull || ':' || coalesce(pg_get_expr(d.adbin, d.adrelid), '')
       FROM pg_attribute a LEFT JOIN pg_attrdef d ON (d.adrelid, d.adnum) = (a.attrelid, a.attnum)
       WHERE a.attrelid = '$1'::regclass AND a.attnum > 0 AND NOT a.attisdropped
       ORDER BY a.attnum"
}
indexes() { # TABLE -> index definitions, sorted
    q "SELECT indexdef FROM pg_indexes WHERE tablename = '$1' ORDER BY indexname"
}
check_eq "products has 8 columns" "$(q "SELECT count(*) FROM information_schema.columns
                                       WHERE table_name = 'products'")" "8"
check_eq "products columns, types, NOT NULL, defaults" "$(columns products)" \
"id:uuid:true:gen_random_uuid()
sku:text:true:
name:text:true:
description:text:false:
price:numeric(10,2):true:
stock:integer:true:0
currency:text:true:'USD'::text
updated_at:timestamp with time zone:true:now()"
check_eq "products constraints" \
    "$(q "SELECT string_agg(contype::text || ':' || pg_get_constraintdef(oid), ' ' ORDER BY contype)
          FROM pg_constraint WHERE conrelid = 'products'::regclass")" \
    "p:PRIMARY KEY (id) u:UNIQUE (sku)"
check_eq "defaults fill id, stock, currency, updated_at" \
    "$(q "INSERT INTO products (sku, name, price) VALUES ('SKU-T1', 'Test', 1.5)
          RETURNING id IS NOT NULL, stock, currency, updated_at <= now(), price")" \
    "t|0|USD|t|1.50"
check_eq "ON CONFLICT (sku) DO UPDATE works on products" \
    "$(q "INSERT INTO products AS t (sku, name, price) VALUES ('SKU-T1', 'Test 2', 2)
          ON CONFLICT (sku) DO UPDATE SET name = excluded.name, price = excluded.price
          RETURNING t.name, t.price")" \
    "Test 2|2.00"
check "products rejects a price over numeric(10,2)" \
    bash -c "! psql -X -q -d '$PGURL' -c \"INSERT INTO products (sku, name, price)
                                          VALUES ('SKU-T2', 'x', 123456789.00)\""
q "DELETE FROM products" >/dev/null

# --- fixtures/prisma_product.sql: "Product" --------------------------------------
check "prisma_product.sql loads" load_fixture prisma_product.sql
check_eq '"Product" columns (mixed case), types, NOT NULL, defaults' \
    "$(columns '"Product"')" \
"id:text:true:
sku:text:true:
name:text:true:
description:text:false:
price:numeric(10,2):true:
stock:integer:true:0
createdAt:timestamp(3) without time zone:true:CURRENT_TIMESTAMP"
check_eq '"Product" primary key "Product_pkey" on id' \
    "$(q "SELECT conname || ':' || pg_get_constraintdef(oid) FROM pg_constraint
          WHERE conrelid = '\"Product\"'::regclass")" \
    'Product_pkey:PRIMARY KEY (id)'
check_eq '"Product" indexes: pkey, unique sku, plain sku' "$(indexes Product)" \
'CREATE UNIQUE INDEX "Product_pkey" ON public."Product" USING btree (id)
CREATE INDEX "Product_sku_idx" ON public."Product" USING btree (sku)
CREATE UNIQUE INDEX "Product_sku_key" ON public."Product" USING btree (sku)'
check '"Product" has no database default for id (a loader must supply one)' \
    bash -c "! psql -X -q -d '$PGURL' -c \"INSERT INTO \\\"Product\\\" (sku, name, price)
                                          VALUES ('SKU-T1', 'x', 1)\" 2>/dev/null"
check_eq '"Product" upserts ON CONFLICT (sku) with an id supplied' \
    "$(q "WITH u AS (INSERT INTO \"Product\" AS t (id, sku, name, price)
                     VALUES (gen_random_uuid()::text, 'SKU-T1', 'x', 1),
                            (gen_random_uuid()::text, 'SKU-T2', 'y', 2)
                     ON CONFLICT (sku) DO UPDATE SET price = excluded.price RETURNING 1)
          SELECT count(*) FROM u")" \
    "2"
check_eq '"createdAt" defaults to the current time' \
    "$(q "SELECT count(*) FROM \"Product\" WHERE \"createdAt\" > now() - interval '1 minute'")" "2"

# --- gencatalog output against the schema (psql \copy as the reference reader) ---
rows=20000
"$GENCATALOG" -n "$rows" -s 42 -o "$TMP/base.csv"
"$GENCATALOG" -n "$rows" -s 42 --change-fraction 0.1 --gzip -o "$TMP/changed.csv.gz"
check "gencatalog is deterministic" cmp "$TMP/base.csv" <("$GENCATALOG" -n "$rows" -s 42)
check "catalog loads into products with \\copy" \
    psql -X -q -v ON_ERROR_STOP=1 -d "$PGURL" \
    -c "\\copy products (sku, name, description, price, stock, currency) FROM '$TMP/base.csv' CSV HEADER"
check_eq "every row loaded, SKUs distinct" \
    "$(q "SELECT count(*), count(DISTINCT sku) FROM products")" "$rows|$rows"
check_match "~10% NULL descriptions" "$(q "SELECT count(*) FROM products WHERE description IS NULL")" \
    '^(1[6-9]|2[0-4])[0-9]{2}$'
check_match "~1% empty-string descriptions" "$(q "SELECT count(*) FROM products WHERE description = ''")" \
    '^[1-2][0-9]{2}$'
check_match "embedded newlines, quotes, commas, UTF-8 survive" \
    "$(q "SELECT count(*) FILTER (WHERE description LIKE E'%\\n%') > 0,
                 count(*) FILTER (WHERE name LIKE '%\"%') > 0,
                 count(*) FILTER (WHERE name LIKE '%,%') > 0,
                 count(*) FILTER (WHERE octet_length(name) > length(name)) > 0
          FROM products")" '^t\|t\|t\|t$'
check_eq "prices in 0.01..99999.99, stock in 0..10000" \
    "$(q "SELECT min(price) > 0, max(price) < 100000, min(stock) >= 0, max(stock) <= 10000 FROM products")" \
    "t|t|t|t"
q "CREATE TABLE changed (LIKE products INCLUDING DEFAULTS)" >/dev/null
check "changed catalog loads" psql -X -q -v ON_ERROR_STOP=1 -d "$PGURL" \
    -c "\\copy changed (sku, name, description, price, stock, currency) FROM PROGRAM 'zcat $TMP/changed.csv.gz' CSV HEADER"
check_eq "--change-fraction 0.1 changes exactly 10% of rows, same SKUs" \
    "$(q "SELECT count(*) FILTER (WHERE (p.name, p.price, p.stock) IS DISTINCT FROM (c.name, c.price, c.stock)),
                 count(*) FILTER (WHERE p.description IS DISTINCT FROM c.description OR p.currency <> c.currency),
                 count(*)
          FROM products p JOIN changed c USING (sku)")" "$((rows / 10))|0|$rows"

finish
