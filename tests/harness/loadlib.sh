# tests/harness/loadlib.sh - helpers shared by the loader's integration tests
# (sourced after testlib.sh).
#
#   js KEY FILE                   a number from a --summary-json file
#   stage_reference FILE TABLE    \copy a catalog (plain or gzip) into an unlogged
#                                 staging table, independently of crdbload
#   same_rows DESC TABLE REF      check that the catalog columns of TABLE and REF
#                                 hold the same rows, compared both ways with EXCEPT
#   counts_add_up DESC FILE       rows_read = written + unchanged + rejected + merged

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
