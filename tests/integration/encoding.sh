# --encoding: Windows-1252 and Latin-1 feeds (made from a UTF-8 catalog with
# iconv(1), with €, é, è, ß, “ and ”) load exactly as PostgreSQL's own
# COPY ... WITH (FORMAT csv, ENCODING '...') reads the same files; a byte
# undefined in Windows-1252 rejects its row with the line and column, the other
# rows load; gzip, a --checkpoint resume after SIGTERM and bytes_read (the
# progress percent's base) stay right; without --encoding the same feed is
# rejected as invalid UTF-8; an unknown encoding is a configuration error.
source "$TESTLIB"
source "$LOADLIB"
source "$(dirname "$LOADLIB")/faultlib.sh"
load_fixture schema.sql
ARGS=(--url "$PGURL" -j 3 -b 100 --progress none)
"$GENCATALOG" -n 3000 -s 5 -o "$TMP/plain.csv"
sed -e 's/Lamp/Lampe “Café” € 5/' -e 's/Mug/Mug ß crème/' -e 's/Oak/Oak “Brûlé”/' \
    "$TMP/plain.csv" > "$TMP/utf8_1252.csv"
sed -e 's/Lamp/Lampe Café/' -e 's/Mug/Mug ß crème/' -e 's/Oak/Oak Brûlé/' \
    "$TMP/plain.csv" > "$TMP/utf8_latin1.csv"
# -c: the catalog's few Japanese names have no place in these character sets
iconv -c -f UTF-8 -t WINDOWS-1252 "$TMP/utf8_1252.csv" > "$TMP/w1252.csv"
iconv -c -f UTF-8 -t ISO-8859-1 "$TMP/utf8_latin1.csv" > "$TMP/latin1.csv"
check_eq "the Windows-1252 feed: every row" "$(grep -c '^SKU-' "$TMP/w1252.csv")" "$(grep -c '^SKU-' "$TMP/plain.csv")"
check "the Windows-1252 feed is not UTF-8" bash -c "! iconv -f UTF-8 -t UTF-8 '$TMP/w1252.csv' >/dev/null 2>&1"

pg_copy() { # TABLE FILE ENCODING: PostgreSQL's own reading of the file
    q "DROP TABLE IF EXISTS $1; CREATE TABLE $1 (sku text, name text, description text, price numeric(10,2), stock integer, currency text)"
    psql -X -q -v ON_ERROR_STOP=1 -d "$PGURL" \
        -c "\\copy $1 ($CATALOG_COLS) FROM '$2' WITH (FORMAT csv, HEADER true, ENCODING '$3')"
}

# --- Windows-1252 -------------------------------------------------------------------
pg_copy ref_1252 "$TMP/w1252.csv" WIN1252
run_loader "${ARGS[@]}" --encoding WIN1252 --summary-json "$TMP/w.json" "$TMP/w1252.csv"
check_eq "WIN1252: exit 0" "$loader_rc" 0
same_rows "WIN1252: the table is what PostgreSQL's COPY ... ENCODING 'WIN1252' reads" products ref_1252
check_match "WIN1252: € and “” arrived" "$(q "SELECT count(*) FROM products WHERE name LIKE '%“Café” € 5%'")" '^[1-9][0-9]*$'
check_match "WIN1252: ß, è, û arrived" "$(q "SELECT count(*) FROM products WHERE name LIKE '%ß crème%' OR name LIKE '%Brûlé%'")" '^[1-9][0-9]*$'
check_eq "WIN1252: bytes_read is the file's size" "$(js bytes_read "$TMP/w.json")" "$(stat -c %s "$TMP/w1252.csv")"

# --- Latin-1, under a PostgreSQL alias ----------------------------------------------------
q "TRUNCATE products" >/dev/null
pg_copy ref_latin1 "$TMP/latin1.csv" LATIN1
run_loader "${ARGS[@]}" --encoding iso8859-1 "$TMP/latin1.csv"
check_eq "LATIN1 (as iso8859-1): exit 0" "$loader_rc" 0
same_rows "LATIN1: the table is what COPY ... ENCODING 'LATIN1' reads" products ref_latin1

# --- an undefined byte rejects its row, with line and column ---------------------------------
{ head -n 5 "$TMP/w1252.csv"; printf 'BAD-1,Caf\xe9 \x81 bar,,1.00,1,EUR\n'; tail -n +6 "$TMP/w1252.csv"; } > "$TMP/bad.csv"
q "TRUNCATE products" >/dev/null
run_loader "${ARGS[@]}" --encoding WIN1252 --rejects "$TMP/rej.csv" --summary-json "$TMP/b.json" "$TMP/bad.csv"
check_eq "undefined byte: exit 1" "$loader_rc" 1
check_match "undefined byte: the row, its line and column" "$(cat "$TMP/loader.err")" \
    'bad\.csv:6: row rejected: line 6, column 2: invalid byte sequence for encoding "WIN1252"'
check_eq "undefined byte: one row rejected" "$(js rows_rejected "$TMP/b.json")" 1
same_rows "undefined byte: every other row loaded" products ref_1252
check_eq "undefined byte: in the rejects file, converted but for the undefined byte" \
    "$(LC_ALL=C grep -c $'^"BAD-1","Café \x81 bar",.*,"6","line 6, column 2' "$TMP/rej.csv")" 1

# --- without --encoding: rejected as invalid UTF-8 -------------------------------------------
q "TRUNCATE products" >/dev/null
run_loader "${ARGS[@]}" --summary-json "$TMP/u.json" "$TMP/w1252.csv"
check_eq "no --encoding: exit 1" "$loader_rc" 1
check_match "no --encoding: invalid UTF-8" "$(cat "$TMP/loader.err")" 'row rejected: line [0-9]+, column 2: invalid byte sequence for encoding "UTF8": 0x93'
check_eq "no --encoding: the rows with those characters rejected" "$(js rows_rejected "$TMP/u.json")" \
    "$(q "SELECT count(*) FROM ref_1252 WHERE sku || name || coalesce(description, '') || currency ~ '[^[:ascii:]]'")"

# --- gzip, a checkpoint resume after SIGTERM --------------------------------------------------
q "TRUNCATE products" >/dev/null
gzip -c "$TMP/w1252.csv" > "$TMP/w1252.csv.gz"
slow_statements 100
start_loader "${ARGS[@]}" --encoding WIN1252 --checkpoint "$TMP/ck" "$TMP/w1252.csv.gz"
wait_rows 500
kill -TERM "$loader_pid"
wait_loader
check_eq "gzip, SIGTERM: exit 3" "$loader_rc" 3
check "gzip, SIGTERM: a checkpoint is left" test -s "$TMP/ck"
check_match "the checkpoint names the encoding" "$(cat "$TMP/ck")" 'encoding=WIN1252'
fast_statements
run_loader "${ARGS[@]}" --encoding UTF8 --checkpoint "$TMP/ck" "$TMP/w1252.csv.gz"
check_eq "resume with another encoding: refused, exit 2" "$loader_rc" 2
run_loader "${ARGS[@]}" --encoding WIN1252 --checkpoint "$TMP/ck" --summary-json "$TMP/r.json" "$TMP/w1252.csv.gz"
check_eq "resumed: exit 0" "$loader_rc" 0
check_match "resumed: rows skipped" "$(js rows_skipped "$TMP/r.json")" '^[1-9][0-9]*$'
check_eq "resumed: read + skipped = input" "$(($(js rows_read "$TMP/r.json") + $(js rows_skipped "$TMP/r.json")))" 3000
same_rows "resumed: the table is what COPY reads" products ref_1252
check_eq "gzip: bytes_read is the compressed file's size" "$(js bytes_read "$TMP/r.json")" "$(stat -c %s "$TMP/w1252.csv.gz")"

# --- an unknown encoding ------------------------------------------------------------------------
run_loader "${ARGS[@]}" --encoding KLINGON "$TMP/w1252.csv"
check_eq "unknown encoding: exit 2" "$loader_rc" 2
check_match "unknown encoding: says so" "$(cat "$TMP/loader.err")" 'unknown encoding "KLINGON"'
finish
