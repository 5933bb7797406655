# Header names that almost match: a name the table lacks but has ignoring
# case or surrounding spaces is named with what it probably means, and the
# message's --columns line (run here as given) loads the file.
source "$TESTLIB"
source "$LOADLIB"
load_fixture schema.sql
q 'CREATE TABLE spaced (sku text PRIMARY KEY, "unit price" numeric, "Note" text)' >/dev/null
q 'CREATE TABLE twins (sku text PRIMARY KEY, "Name" text, name text)' >/dev/null

# The --columns argument of the message's hint, shell-unquoted.
hinted_columns() {
    local line
    line=$(sed -n 's/^Hint: Fix the header, or load the file as it is with: --columns //p' "$TMP/loader.err")
    [ -n "$line" ] && eval "printf '%s' $line"
}

{ echo "SKU,name, price,-"; echo "A-1,Widget,9.99,x"; echo "A-2,Gadget,19.50,y"; } > "$TMP/case.csv"
run_loader --url "$PGURL" --progress none "$TMP/case.csv"
err=$(cat "$TMP/loader.err")
check_eq "case and spaces: exit 2" "$loader_rc" 2
check_match "case and spaces: the unknown name and the table's columns" "$err" \
    'column "SKU" of the input does not exist in table "public"."products" \(its columns: "id", "sku"'
check_match "case and spaces: what each name probably means" "$err" \
    'Detail: "SKU" is probably "sku"; " price" is probably "price"\.'
check_eq "case and spaces: the --columns line" "$(hinted_columns)" "sku,name,price,-"
check_eq "case and spaces: nothing written" "$(q 'SELECT count(*) FROM products')" 0
run_loader --url "$PGURL" --progress none --columns "$(hinted_columns)" "$TMP/case.csv"
check_eq "the hinted --columns loads the file: exit 0" "$loader_rc" 0
check_eq "the hinted --columns loads the file: rows" \
    "$(q "SELECT string_agg(sku || '=' || price, ' ' ORDER BY sku) FROM products")" "A-1=9.99 A-2=19.50"

# A column name that needs quoting, in the message and for the shell.
{ echo "Sku,UNIT PRICE, note "; echo "B-1,2.5,it's"; } > "$TMP/spaced.csv"
run_loader --url "$PGURL" --progress none --table spaced "$TMP/spaced.csv"
check_eq "a name with a space: exit 2" "$loader_rc" 2
check_match "a name with a space: the guesses" "$(cat "$TMP/loader.err")" \
    '"Sku" is probably "sku"; "UNIT PRICE" is probably "unit price"; " note " is probably "Note"\.'
check_match "a name with a space: shell-quoted" "$(cat "$TMP/loader.err")" \
    "with: --columns 'sku,unit price,Note'"
run_loader --url "$PGURL" --progress none --table spaced --columns "$(hinted_columns)" "$TMP/spaced.csv"
check_eq "a name with a space: the hinted --columns loads the file" "$loader_rc" 0
check_eq "a name with a space: the row" "$(q 'SELECT sku, "unit price", "Note" FROM spaced')" "B-1|2.5|it's"

# No guess when two columns match, nor when the guess is already in the file;
# no --columns line when some name has no guess at all.
{ echo "sku,NAME"; echo "C-1,c"; } > "$TMP/twins.csv"
run_loader --url "$PGURL" --progress none --table twins "$TMP/twins.csv"
check_eq "two near columns: exit 2" "$loader_rc" 2
check "two near columns: no guess" bash -c "! grep -q probably '$TMP/loader.err'"
{ echo "sku,name,Name"; echo "D-1,d,e"; } > "$TMP/taken.csv"
run_loader --url "$PGURL" --progress none "$TMP/taken.csv"
check_eq "the near column is in the file already: exit 2" "$loader_rc" 2
check_match "the near column is in the file already: the error" "$(cat "$TMP/loader.err")" \
    'column "Name" of the input does not exist'
check "the near column is in the file already: no guess" \
    bash -c "! grep -q probably '$TMP/loader.err'"
{ echo "SKU,price ,colour"; echo "E-1,1,red"; } > "$TMP/partly.csv"
run_loader --url "$PGURL" --progress none "$TMP/partly.csv"
check_eq "one name without a guess: exit 2" "$loader_rc" 2
check_match "one name without a guess: the others guessed, no --columns line" \
    "$(cat "$TMP/loader.err")" '"SKU" is probably "sku"; "price " is probably "price"\.$'
finish
