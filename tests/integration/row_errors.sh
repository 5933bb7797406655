# Every error one row can cause is that row's rejection (issue 9, part 3): the
# server refuses a batch, crdbload splits it until the row is alone, rejects
# it with its line, SQLSTATE and message, and loads the rest; the run ends
# with exit 1, not 3. Here on PostgreSQL, besides classes 22 and 23:
#   54000  a 9,000-byte random sku (its index row is over the page size) and a
#          4,000-byte one (over btree's 2704 bytes)
#   54001  a jsonb value nested 200,000 deep: "stack depth limit exceeded"
#   P0001  a trigger's RAISE about one row
#   44000  a row outside a view's check option, here raised by a trigger
# (CockroachDB's own: XXUUU "command is too large", the unit test test_retry.)
# Column names in messages are quoted with their quotes doubled. And an error
# no row causes still stops the run (exit 3).
source "$TESTLIB"
source "$LOADLIB"

q "CREATE TABLE items (sku text PRIMARY KEY, name text, doc jsonb)" >/dev/null
q "CREATE FUNCTION items_check() RETURNS trigger LANGUAGE plpgsql AS \$\$
   BEGIN
       IF NEW.name = 'forbidden' THEN
           RAISE EXCEPTION 'the name of % is forbidden', NEW.sku;
       END IF;
       RETURN NEW;
   END \$\$" >/dev/null
q "CREATE TRIGGER items_check BEFORE INSERT OR UPDATE ON items
   FOR EACH ROW EXECUTE FUNCTION items_check()" >/dev/null

# A value that does not compress: hex of AES-CTR output.
random_hex() { # BYTES SEED: 2 x BYTES hex digits
    head -c "$1" /dev/zero |
        openssl enc -aes-128-ctr -nosalt -K "$(printf '%032x' "$2")" -iv 0 2>/dev/null |
        od -An -v -tx1 | tr -d ' \n'
}
big_sku=$(random_hex 4500 9)
mid_sku=$(random_hex 2000 10)
deep=$(printf '%*s' 200000 '' | tr ' ' '[')$(printf '%*s' 200000 '' | tr ' ' ']')
{
    echo 'sku,name,doc'
    for i in $(seq 1 20); do printf 'G%02d,good,"{""i"": %d}"\n' "$i" "$i"; done # 2-21
    printf '%s,too big for a page,\n' "$big_sku"                             # 22
    printf '%s,too big for btree,\n' "$mid_sku"                              # 23
    printf 'F01,forbidden,\n'                                                  # 24
    printf 'D01,too deep,%s\n' "$deep"                                         # 25
    for i in $(seq 21 40); do printf 'G%02d,good,\n' "$i"; done               # 26-45
} >"$TMP/items.csv"
check_eq "the big skus are 9000 and 4000 bytes" "${#big_sku} ${#mid_sku}" "9000 4000"

run_loader --url "$PGURL" -t items -b 50 -j 2 --rejects "$TMP/items.rej" \
    --summary-json "$TMP/items.json" "$TMP/items.csv"
check_eq "rows that fail on the server: exit 1 (rejected, not aborted)" "$loader_rc" 1
check_eq "the 40 good rows are loaded" "$(q "SELECT count(*) FROM items WHERE sku LIKE 'G%'")" 40
check_eq "nothing else is" "$(q "SELECT count(*) FROM items")" 40
check_eq "4 rows rejected" "$(js rows_rejected "$TMP/items.json")" 4
counts_add_up items "$TMP/items.json"
err=$(cat "$TMP/loader.err")
check_match "54000: the 9,000-byte sku, by its line" "$err" \
    'items\.csv:22: row rejected: 54000: index row requires 9016 bytes, maximum size is 8191'
check_match "54000: the 4,000-byte sku, by its line" "$err" \
    'items\.csv:23: row rejected: 54000: index row size [0-9]+ exceeds btree version 4 maximum 2704'
check_match "P0001: the trigger's row, by its line" "$err" \
    'items\.csv:24: row rejected: P0001: the name of F01 is forbidden'
check_match "54001: the deep value, by its line" "$err" \
    'items\.csv:25: row rejected: 54001: stack depth limit exceeded'

# 44000: a view WITH CHECK OPTION is not a table crdbload loads, but the same
# error raised for one row by a trigger is the row's too.
q "CREATE OR REPLACE FUNCTION items_check() RETURNS trigger LANGUAGE plpgsql AS \$\$
   BEGIN
       IF NEW.name = 'outside' THEN
           RAISE EXCEPTION 'new row violates check option' USING ERRCODE = '44000';
       END IF;
       RETURN NEW;
   END \$\$" >/dev/null
printf 'sku,name,doc\nV01,inside,\nV02,outside,\nV03,inside,\n' >"$TMP/view.csv"
run_loader --url "$PGURL" -t items -b 10 --summary-json "$TMP/view.json" "$TMP/view.csv"
check_eq "44000: exit 1" "$loader_rc" 1
check_eq "44000: the other rows loaded" "$(q "SELECT string_agg(sku, ',' ORDER BY sku) FROM items WHERE sku LIKE 'V%'")" "V01,V03"
check_match "44000: the row rejected with its line" "$(cat "$TMP/loader.err")" \
    'view\.csv:3: row rejected: 44000: new row violates check option'

# Messages name a column as PostgreSQL quotes it: a quote inside doubled, so
# that "name ""x"" , y" reads as one name, not several.
q 'CREATE TABLE odd (sku text PRIMARY KEY, "name ""x"" , y" text NOT NULL)' >/dev/null
printf 'sku,"name ""x"" , y"\nO01,fine\nO02,\n' >"$TMP/odd.csv"
run_loader --url "$PGURL" -t odd "$TMP/odd.csv"
check_eq "a quoted column name: the header maps it" "$(q 'SELECT count(*) FROM odd')" 1
check_match "a quoted column name: quoted in the reject, its quotes doubled" \
    "$(cat "$TMP/loader.err")" \
    'odd\.csv:3: row rejected: column 2 \("name ""x"" , y"\): null value in column "name ""x"" , y" violates'
printf 'sku,"name ""x"" , z"\nO03,x\n' >"$TMP/odd2.csv"
run_loader --url "$PGURL" -t odd "$TMP/odd2.csv"
check_eq "an unknown quoted column name: exit 2" "$loader_rc" 2
check_match "an unknown quoted column name: quoted, with the table's columns" \
    "$(cat "$TMP/loader.err")" \
    'column "name ""x"" , z" of the input does not exist in table "public"."odd" \(its columns: "sku", "name ""x"" , y"\)'

# An error no row causes (the table's owner took away the right to insert)
# still ends the run: exit 3.
q "CREATE ROLE loader LOGIN; GRANT SELECT ON items TO loader" >/dev/null
printf 'sku,name,doc\nR01,x,\n' >"$TMP/denied.csv"
run_loader --url "${PGURL/postgres@/loader@}" -t items "$TMP/denied.csv"
check_eq "42501 is no row's fault: exit 3" "$loader_rc" 3
check_eq "42501: nothing written" "$(q "SELECT count(*) FROM items WHERE sku = 'R01'")" 0
finish
