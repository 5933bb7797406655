# tests/crdb/discovery.sh - the harness, schema discovery and --dialect auto on
# a real CockroachDB v21.1 node: the catalog queries (no to_regclass() there),
# names taken literally and looked up in the search path, STRING(n), the dry
# run showing the dialect and the statement.
# with_crdb: --nodes 1
source "$TESTLIB"
source "$LOADLIB"
source "$CRDBLIB"

# --- the harness ------------------------------------------------------------------
check_match "the server is CockroachDB v21.1" "$(q 'SELECT version()')" '^CockroachDB CCL v21\.1\.'
check_eq "reference table's columns (fixtures/schema.sql as is)" \
    "$(q "SELECT string_agg(column_name || ' ' || data_type, ', ' ORDER BY ordinal_position) FROM information_schema.columns WHERE table_name = 'products'")" \
    "id uuid, sku text, name text, description text, price numeric, stock bigint, currency text, updated_at timestamp with time zone"
check_eq "Prisma table's columns (STRING, DECIMAL(10,2), INT8, TIMESTAMP(3))" \
    "$(q "SELECT string_agg(column_name || ' ' || crdb_sql_type, ', ' ORDER BY ordinal_position) FROM information_schema.columns WHERE table_name = 'Product'")" \
    "id STRING, sku STRING, name STRING, description STRING, price DECIMAL(10,2), stock INT8, createdAt TIMESTAMP(3)"
check_eq "every node live" "$(q 'SELECT count(*) FROM crdb_internal.gossip_liveness WHERE NOT decommissioning AND NOT draining')" "$CRDB_NODES"
check_eq "one pid a node" "$(wc -w <<<"$CRDB_NODE_PIDS")" "$CRDB_NODES"
check_match "the server reports crdb_version" \
    "$(psql -X -At -d "$PGURL" -c '\echo :SERVER_VERSION_NAME')" '^13\.0\.0'

"$GENCATALOG" -n 1000 -s 3 -o "$TMP/cat.csv"

# --- --dialect auto and the dry run -------------------------------------------------
run_loader --url "$PGURL" --dry-run --summary-json "$TMP/dry.json" "$TMP/cat.csv"
err=$(cat "$TMP/loader.err")
check_eq "dry run: exit 0 (the catalog queries run on v21.1)" "$loader_rc" 0
check_match "auto detects CockroachDB" "$err" 'dry run: table "public"\."products", dialect cockroach,'
check_match "the dry run shows the statement" "$err" \
    'INSERT INTO "public"\."products" AS t \("sku", "name", "description", "price", "stock", "currency"\) .* ON CONFLICT \("sku"\) DO UPDATE SET "name" = excluded\."name"'
check_match "dry-run JSON says cockroach" "$(cat "$TMP/dry.json")" '"dialect":"cockroach".*"dry_run":true'
check_eq "the dry run writes nothing" "$(q 'SELECT count(*) FROM products')" 0

# --- names: literal, search path, schema-qualified ------------------------------------
q 'CREATE SCHEMA shop; CREATE TABLE shop.products (sku STRING PRIMARY KEY, name STRING NOT NULL,
   description STRING, price DECIMAL(10,2) NOT NULL, stock INT8 NOT NULL, currency STRING NOT NULL)' >/dev/null
run_loader --url "$PGURL" --table shop.products --dry-run "$TMP/cat.csv"
check_match "schema.table names shop.products" "$(cat "$TMP/loader.err")" 'dry run: table "shop"\."products"'
check_match "keyed by its primary key: UPSERT INTO" "$(cat "$TMP/loader.err")" 'UPSERT INTO "shop"\."products"'
run_loader --url "$PGURL&options=-c%20search_path%3Dshop,public" --dry-run "$TMP/cat.csv"
check_match "unqualified name: the first schema of the search path (options=-c) that holds it" \
    "$(cat "$TMP/loader.err")" 'dry run: table "shop"\."products"'
run_loader --url "$PGURL&options=-c%20search_path%3Dpublic,shop" --dry-run "$TMP/cat.csv"
check_match "... in the search path's order" "$(cat "$TMP/loader.err")" 'dry run: table "public"\."products"'
run_loader --url "$PGURL" --table Products --dry-run "$TMP/cat.csv"
check_eq "--table is taken literally: Products is not products (exit 2)" "$loader_rc" 2
check_match "... and says where it looked" "$(cat "$TMP/loader.err")" \
    'table "Products" does not exist.*search_path'
run_loader --url "$PGURL" --table nosuch.products --dry-run "$TMP/cat.csv"
check_eq "a schema that does not exist: exit 2" "$loader_rc" 2
check_match "... named" "$(cat "$TMP/loader.err")" 'table "nosuch"\."products" does not exist'
q 'CREATE VIEW pv AS SELECT sku, name FROM products' >/dev/null
run_loader --url "$PGURL" --table pv --dry-run "$TMP/cat.csv"
check_eq "a view: exit 2" "$loader_rc" 2
check_match "... is not a table" "$(cat "$TMP/loader.err")" '"pv" is not a table'
# CockroachDB names indexes per table: one may carry a table's name.
q 'CREATE TABLE other (k INT8 PRIMARY KEY, v STRING); CREATE INDEX products ON other (v)' >/dev/null
run_loader --url "$PGURL" --table products --dry-run "$TMP/cat.csv"
check_match "an index named like the table does not hide it" "$(cat "$TMP/loader.err")" \
    'dry run: table "public"\."products"'

# --- types: STRING(n), DECIMAL(p,s), INT2 checked before sending -------------------------
q 'CREATE TABLE typed (sku STRING(12) PRIMARY KEY, name STRING(20) NOT NULL, description STRING,
   price DECIMAL(6,2) NOT NULL, stock INT2 NOT NULL, currency CHAR(3) NOT NULL)' >/dev/null
printf 'sku,name,description,price,stock,currency\nSKU-1,short,,1.00,1,USD\nSKU-2,a name longer than twenty,,1.00,1,USD\nSKU-3,ok,,10000.00,1,USD\nSKU-4,ok,,1.00,40000,USD\nSKU-5,ok,,1.00,1,EURO\n' >"$TMP/typed.csv"
run_loader --url "$PGURL" --table typed --statement-form unnest --summary-json "$TMP/typed.json" "$TMP/typed.csv"
err=$(cat "$TMP/loader.err")
check_eq "typed table: rows rejected (exit 1)" "$loader_rc" 1
check_match "STRING(20) is checked, named STRING(20)" "$err" 'typed.csv:3: .*"name".*value too long for type STRING\(20\)'
check_match "DECIMAL(6,2) is checked" "$err" 'typed.csv:4: .*"price"'
check_match "INT2 is checked" "$err" 'typed.csv:5: .*"stock"'
check_match "CHAR(3) is checked" "$err" 'typed.csv:6: .*"currency"'
check_eq "the good row is in (unnest form: the casts parse)" "$(q 'SELECT sku FROM typed')" "SKU-1"
check_eq "4 rejected" "$(js rows_rejected "$TMP/typed.json")" 4
finish
