# tests/integration/connparams.sh - connection parameters reach every
# connection unchanged: application_name (crdbload only offers itself as
# fallback_application_name, so the user's name wins, from the URL, a
# key=value string or PGAPPNAME) and options=-c ... (custom settings,
# statement_timeout, a search_path that decides which table --table names).
# A statement-level trigger records what each worker's session saw.
source "$TESTLIB"
source "$LOADLIB"
load_fixture schema.sql
q 'CREATE TABLE seen (pid int, app text, tag text, timeout text)' >/dev/null
q "CREATE FUNCTION note() RETURNS trigger LANGUAGE plpgsql AS \$\$
   BEGIN INSERT INTO seen VALUES (pg_backend_pid(), current_setting('application_name'),
                                  current_setting('crdbload.tag', true),
                                  current_setting('statement_timeout'));
         RETURN NULL; END \$\$" >/dev/null
q 'CREATE TRIGGER note AFTER INSERT ON products FOR EACH STATEMENT EXECUTE FUNCTION note()' \
    >/dev/null
"$GENCATALOG" -n 4000 -s 9 -o "$TMP/cat.csv"
base="postgresql://postgres@127.0.0.1:$PGPORT/crdbload_test"

# What the sessions saw: "app|tag|timeout", one line per distinct combination.
seen() { q "SELECT DISTINCT app || '|' || coalesce(tag, '') || '|' || timeout FROM seen"; }
fresh() { q 'TRUNCATE products, seen' >/dev/null; }

# --- nothing given: crdbload names itself ----------------------------------------
run_loader --url "$base" -j 4 -b 500 "$TMP/cat.csv"
check_eq "default: loads" "$loader_rc" 0
check_eq "default: every connection is application_name=crdbload" "$(seen)" "crdbload||0"
check_eq "default: the four workers wrote" "$(q 'SELECT count(DISTINCT pid) FROM seen')" 4

# --- application_name in the URL wins over the fallback ----------------------------
fresh
run_loader --url "$base?application_name=nightly-catalog" -j 4 -b 500 "$TMP/cat.csv"
check_eq "URL application_name: loads" "$loader_rc" 0
check_eq "URL application_name: every worker's session has it" "$(seen)" "nightly-catalog||0"

# --- options=-c ...: custom settings and statement_timeout, URL-encoded ------------
fresh
run_loader --url "$base?options=-c%20crdbload.tag%3Dfrom-options%20-c%20statement_timeout%3D54321" \
    -j 4 -b 500 "$TMP/cat.csv"
check_eq "URL options: loads" "$loader_rc" 0
check_eq "URL options: every session has both settings" "$(seen)" "crdbload|from-options|54321ms"

# --- a key=value string, quoted values with spaces ----------------------------------
fresh
run_loader --url "host=127.0.0.1 port=$PGPORT dbname=crdbload_test user=postgres application_name='shop import' options='-c crdbload.tag=kv -c statement_timeout=7s'" \
    -j 4 -b 500 "$TMP/cat.csv"
check_eq "key=value: loads" "$loader_rc" 0
check_eq "key=value: application_name and options reach every worker" "$(seen)" \
    "shop import|kv|7s"

# --- libpq's environment: PGAPPNAME and PGOPTIONS -----------------------------------
fresh
PGAPPNAME=from-env PGOPTIONS='-c crdbload.tag=env' run_loader --url "$base" -j 4 -b 500 \
    "$TMP/cat.csv"
check_eq "PGAPPNAME/PGOPTIONS: loads" "$loader_rc" 0
check_eq "PGAPPNAME wins over the fallback, PGOPTIONS applies" "$(seen)" "from-env|env|0"

# --- options=-c search_path: --table is looked up in the user's search_path ---------
fresh
q 'CREATE SCHEMA shop; CREATE TABLE shop.products (LIKE public.products INCLUDING ALL)' >/dev/null
run_loader --url "$base?options=-c%20search_path%3Dshop" -j 2 --dry-run "$TMP/cat.csv"
check_match "search_path from options: the dry run names shop.products" \
    "$(cat "$TMP/loader.err")" 'dry run: table "shop"\."products"'
run_loader --url "$base?options=-c%20search_path%3Dshop" -j 2 "$TMP/cat.csv"
check_eq "search_path from options: loads" "$loader_rc" 0
check_eq "search_path from options: rows in shop.products" \
    "$(q 'SELECT count(*) FROM shop.products')" 4000
check_eq "search_path from options: none in public.products" \
    "$(q 'SELECT count(*) FROM public.products')" 0

# --- while a slowed load runs: pg_stat_activity shows the user's name ---------------
fresh
q "CREATE FUNCTION slow() RETURNS trigger LANGUAGE plpgsql AS \$\$
   BEGIN PERFORM pg_sleep(0.2); RETURN NULL; END \$\$" >/dev/null
q 'CREATE TRIGGER slow AFTER INSERT ON products FOR EACH STATEMENT EXECUTE FUNCTION slow()' \
    >/dev/null
"$CRDBLOAD" --url "$base?application_name=watched-load" -j 3 -b 200 "$TMP/cat.csv" \
    >"$TMP/w.out" 2>"$TMP/w.err" &
pid=$!
n=0
for _ in $(seq 1 50); do
    n=$(q "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'watched-load'")
    [ "$n" -ge 3 ] && break
    sleep 0.1
done
check_eq "pg_stat_activity during the load: three sessions named watched-load" "$n" 3
check_eq "pg_stat_activity during the load: none named crdbload" \
    "$(q "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'crdbload'")" 0
wait "$pid"
check_eq "the watched load finishes" "$?" 0
finish
