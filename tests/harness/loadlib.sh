# tests/harness/loadlib.sh - helpers shared by the loader's integration tests
# (sourced after testlib.sh).
#
#   js KEY FILE                   a number from a --summary-json file
#   stage_reference FILE TABLE    \copy a catalog (plain or gzip) into an unlogged
#                                 staging table, independently of crdbload
#   same_rows DESC TABLE REF      check that the catalog columns of TABLE and REF
#                                 hold the same rows, compared both ways with EXCEPT
#   counts_add_up DESC FILE       rows_read = written + unchanged + rejected + merged
#   dup_catalog FILE ROWS KEYS SEED   ROWS rows over KEYS keys, each key 1..n
#                                 times at scattered places, "name N" carrying
#                                 the input position N; then the staging table
#                                 ref_all and ref_last (each key's last occurrence)

CATALOG_COLS="sku, name, description, price, stock, currency"

js() {
    grep -o "\"$1\":[0-9.]*" "$2" | head -1 | cut -d: -f2
}

stage_reference() {
    local file=$1 table=$2
    q "DROP TABLE IF EXISTS $table; CREATE UNLOGGED TABLE $table (sku text, name text, description text, price numeric(10,2), stock integer, currency text)"
    if [ "$(head -c2 "$file" | od -An -tx1 | tr -d ' ')" = "1f8b" ]; then
        zcat "$file" > "$TMP/ref.csv"
    else
        cp "$file" "$TMP/ref.csv"
    fi
    psql -X -q -v ON_ERROR_STOP=1 -d "$PGURL" \
        -c "\\copy $table ($CATALOG_COLS) FROM '$TMP/ref.csv' WITH (FORMAT csv, HEADER true)"
}

same_rows() {
    local desc=$1 table=$2 ref=$3 diff
    diff=$(q "SELECT (SELECT count(*) FROM (SELECT $CATALOG_COLS FROM $table EXCEPT SELECT $CATALOG_COLS FROM $ref) a) || ' ' || (SELECT count(*) FROM (SELECT $CATALOG_COLS FROM $ref EXCEPT SELECT $CATALOG_COLS FROM $table) b)")
    check_eq "$desc (rows only in table, only in reference)" "$diff" "0 0"
}

counts_add_up() {
    local f=$2 read written unchanged rejected merged
    read=$(js rows_read "$f")
    written=$(js rows_written "$f")
    unchanged=$(js rows_unchanged "$f")
    rejected=$(js rows_rejected "$f")
    merged=$(js duplicates_merged "$f")
    check_eq "$1: read = written + unchanged + rejected + merged" \
        "$read" "$((written + unchanged + rejected + merged))"
}

dup_catalog() {
    local file=$1 rows=$2 keys=$3 seed=$4
    awk -v rows="$rows" -v keys="$keys" -v seed="$seed" 'BEGIN {
        srand(seed); print "sku,name,description,price,stock,currency"
        for (i = 0; i < rows; i++) {
            k = int(rand() * keys)
            printf "SKU-%05d,name %d,,%d.%02d,%d,EUR\n", k, i, i, i % 100, i
        }
    }' >"$file"
    stage_reference "$file" ref_all
    q "DROP TABLE IF EXISTS ref_last; CREATE TABLE ref_last AS SELECT DISTINCT ON (sku) * FROM ref_all ORDER BY sku, substr(name, 6)::int DESC" >/dev/null
}
