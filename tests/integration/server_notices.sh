# A server's NOTICE and WARNING (here a trigger's RAISE) reach the user as
# crdbload's messages, through the library's message function on the
# workers' and the control connection's threads, never as libpq's own
# "NOTICE:  ..." lines on stderr; --quiet keeps them out.
source "$TESTLIB"
source "$LOADLIB"
load_fixture schema.sql
{ echo "sku,name,price"; for i in 1 2 3 4 5 6; do echo "N$i,n$i,$i.00"; done; } >"$TMP/six.csv"
q "CREATE FUNCTION talk() RETURNS trigger LANGUAGE plpgsql AS \$\$
   BEGIN
       RAISE NOTICE 'statement on %', TG_TABLE_NAME;
       RAISE WARNING 'stock is low' USING DETAIL = 'Six rows came.', HINT = 'Order more.';
       RETURN NULL;
   END \$\$;
   CREATE TRIGGER talk BEFORE INSERT ON products FOR EACH STATEMENT EXECUTE FUNCTION talk()" \
    >/dev/null

run_loader -j 2 -b 3 --progress none "$TMP/six.csv"
check_eq "exit 0" "$loader_rc" 0
check_eq "the rows are in" "$(q "SELECT count(*) FROM products")" 6
check "a NOTICE is a message" grep -qx 'crdbload: the server says: statement on products' \
    "$TMP/loader.err"
check_match "a WARNING is a warning, with its detail and hint" \
    "$(tr '\n' '|' <"$TMP/loader.err")" \
    "crdbload: warning: the server says: stock is low\|Detail: Six rows came\.\|Hint: Order more\.\|"
check_eq "libpq printed nothing itself" \
    "$(grep -cE '^(NOTICE|WARNING|DETAIL|HINT):' "$TMP/loader.err")" 0

q "TRUNCATE products" >/dev/null
run_loader --quiet -j 2 -b 3 "$TMP/six.csv"
check_eq "--quiet: exit 0, nothing said" "$loader_rc|$(cat "$TMP/loader.err")" "0|"
finish
