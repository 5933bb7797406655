# Configuration errors: exit 2, a message that says what, nothing written.
source "$TESTLIB"
source "$LOADLIB"
load_fixture schema.sql
"$GENCATALOG" -n 100 -s 1 -o "$TMP/cat.csv"
{ echo "sku,name,colour,price"; echo "A,a,red,1.00"; } > "$TMP/unknown.csv"
{ echo "name,price"; echo "a,1.00"; } > "$TMP/nokey.csv"
{ echo "sku,description"; echo "A,x"; } > "$TMP/notnull.csv"
{ echo "sku,name,price"; echo "A,a,1.00"; } > "$TMP/ok.csv"
q "CREATE TABLE nounique (sku text, name text, price numeric)" >/dev/null

expect_config_error() { # DESC REGEX ARGS...
    local desc=$1 re=$2
    shift 2
    run_loader --url "$PGURL" "$@"
    check_eq "$desc: exit 2" "$loader_rc" 2
    check_match "$desc: message" "$(cat "$TMP/loader.err")" "$re"
}
expect_config_error "unknown column" 'column "colour".*does not exist.*"id", "sku", "name"' "$TMP/unknown.csv"
expect_config_error "key column absent from the file" '"sku"' "$TMP/nokey.csv"
expect_config_error "NOT NULL column without default" '"(name|price)"' "$TMP/notnull.csv"
expect_config_error "missing table" 'table "nosuch" does not exist' --table nosuch "$TMP/ok.csv"
expect_config_error "key without a unique index" 'unique' --table nounique "$TMP/ok.csv"
expect_config_error "missing input file" 'nosuch.csv' "$TMP/nosuch.csv"
expect_config_error "second input's header differs" 'header' "$TMP/ok.csv" "$TMP/cat.csv"
expect_config_error "--update-columns names a key column" 'sku' --update-columns sku "$TMP/ok.csv"
check_eq "nothing was written by any of them" "$(q 'SELECT count(*) FROM products')" 0

run_loader --url "postgresql://postgres:s3cr3tpw@127.0.0.1:1/none" "$TMP/ok.csv"
check_eq "unreachable server: exit 3" "$loader_rc" 3
check "the password is never printed (URL)" bash -c "! grep -q s3cr3tpw '$TMP/loader.err' '$TMP/loader.out'"
run_loader --url "host=127.0.0.1 port=1 user=postgres password=s3cr3tpw dbname=none" "$TMP/ok.csv"
check_eq "unreachable server (key=value): exit 3" "$loader_rc" 3
check "the password is never printed (key=value)" bash -c "! grep -q s3cr3tpw '$TMP/loader.err' '$TMP/loader.out'"

# Empty and header-only inputs are successful runs of zero rows.
: > "$TMP/empty.csv"
echo "sku,name,price" > "$TMP/header.csv"
run_loader --url "$PGURL" --summary-json "$TMP/e.json" "$TMP/empty.csv"
check_eq "empty input: exit 0" "$loader_rc" 0
run_loader --url "$PGURL" --summary-json "$TMP/h.json" "$TMP/header.csv"
check_eq "header-only input: exit 0" "$loader_rc" 0
check_eq "header-only input: zero rows read" "$(js rows_read "$TMP/h.json")" 0
finish
