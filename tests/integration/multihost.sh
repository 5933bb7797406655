# tests/integration/multihost.sh - a URI with two hosts: the workers spread
# over both round-robin (each key on exactly one server, both servers used),
# and when one server stops in the middle of a slowed load, its workers move
# on to the other host and the run finishes with every key present.
#
# Two clusters: this script runs under with_pg.sh (cluster A), saves A's
# settings and re-runs itself under a nested with_pg.sh (cluster B), so both
# are started, stopped and removed by the harness itself.

if [ -z "${MH_A_PORT:-}" ]; then
    export MH_A_URL=$PGURL MH_A_PORT=$PGPORT MH_A_DATA=$PGDATA MH_A_TMP=$PG_TMP MH_A_LOG=$PG_LOG
    exec bash "$(dirname "$TESTLIB")/with_pg.sh" bash "${BASH_SOURCE[0]}"
fi

source "$TESTLIB"
source "$LOADLIB"
MH_B_URL=$PGURL

qa() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$MH_A_URL" -c "$1"; }
qb() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$MH_B_URL" -c "$1"; }
pgctl_a() { (cd "$MH_A_TMP" && $PG_AS "$PG_BIN/pg_ctl" -D "$MH_A_DATA" -l "$MH_A_LOG" -w "$@"); }
# The distinct skus on both servers together, and on both at once.
union_count() { { qa 'SELECT sku FROM products'; qb 'SELECT sku FROM products'; } | sort -u | wc -l; }
both_count() { comm -12 <(qa 'SELECT sku FROM products' | sort) <(qb 'SELECT sku FROM products' | sort) | wc -l; }

check_eq "two clusters on two ports" "$([ "$MH_A_PORT" != "$PGPORT" ] && echo yes)" yes
for qx in qa qb; do
    psql -X -q -v ON_ERROR_STOP=1 -d "$([ $qx = qa ] && echo "$MH_A_URL" || echo "$MH_B_URL")" \
        -f "$FIXTURES/schema.sql"
    $qx 'CREATE TABLE seen (pid int)' >/dev/null
    # Which connection each statement ran on (statement-level: once per batch).
    $qx "CREATE FUNCTION note() RETURNS trigger LANGUAGE plpgsql AS \$\$
         BEGIN INSERT INTO seen VALUES (pg_backend_pid());
               RETURN NULL; END \$\$" >/dev/null
    $qx 'CREATE TRIGGER note AFTER INSERT ON products FOR EACH STATEMENT EXECUTE FUNCTION note()' \
        >/dev/null
done
N=20000
"$GENCATALOG" -n $N -s 21 -o "$TMP/cat.csv"
url="postgresql://postgres@127.0.0.1:$MH_A_PORT,127.0.0.1:$PGPORT/crdbload_test"

# --- both hosts up: the workers spread over them --------------------------------
run_loader --url "$url" -j 4 -b 500 --summary-json "$TMP/spread.json" "$TMP/cat.csv"
check_eq "two hosts, -j 4: loads (exit 0)" "$loader_rc" 0
a=$(qa 'SELECT count(*) FROM products')
b=$(qb 'SELECT count(*) FROM products')
echo "rows on A: $a, on B: $b"
check "two hosts: server A received rows" test "$a" -gt 0
check "two hosts: server B received rows" test "$b" -gt 0
check_eq "two hosts: every key is on one server or the other" "$(union_count)" $N
check_eq "two hosts: no key on both (a key belongs to one worker, a worker to one host)" \
    "$(both_count)" 0
check_eq "two hosts: A + B = the input" "$((a + b))" $N
# Workers 0 and 2 start at A, 1 and 3 at B: two connections on each wrote.
check_eq "two hosts, round-robin: two connections wrote on A" \
    "$(qa 'SELECT count(DISTINCT pid) FROM seen')" 2
check_eq "two hosts, round-robin: two connections wrote on B" \
    "$(qb 'SELECT count(DISTINCT pid) FROM seen')" 2
check_eq "two hosts: no reconnects" "$(js reconnects "$TMP/spread.json")" 0

# --- one host stops in the middle of a slowed load -------------------------------
for qx in qa qb; do
    $qx 'TRUNCATE products, seen' >/dev/null
    $qx "CREATE FUNCTION slow() RETURNS trigger LANGUAGE plpgsql AS \$\$
         BEGIN PERFORM pg_sleep(0.1); RETURN NULL; END \$\$" >/dev/null
    $qx 'CREATE TRIGGER slow AFTER INSERT ON products FOR EACH STATEMENT EXECUTE FUNCTION slow()' \
        >/dev/null
done
# 20000 rows in batches of 100 over 4 workers: about 50 batches a worker, 0.1 s each.
"$CRDBLOAD" --url "$url" -j 4 -b 100 --max-retries 10 --summary-json "$TMP/fail.json" \
    "$TMP/cat.csv" >"$TMP/fail.out" 2>"$TMP/fail.err" &
loader_pid=$!
for _ in $(seq 1 100); do # until A has committed a few batches
    [ "$(qa 'SELECT count(*) FROM products' 2>/dev/null || echo 0)" -ge 500 ] && break
    sleep 0.1
done
check "slowed load: still running when server A is stopped" kill -0 "$loader_pid"
check "server A stops (pg_ctl stop -m fast)" pgctl_a stop -m fast
wait "$loader_pid"
rc=$?
echo "+ loader exit $rc; stderr ends:"
tail -n 16 "$TMP/fail.err" | sed 's/^/  | /'
check_eq "server A down mid-run: the run finishes (exit 0)" "$rc" 0
check "server A down mid-run: reconnects > 0" test "$(js reconnects "$TMP/fail.json")" -gt 0
check_match "server A down mid-run: the retries name the lost connection" \
    "$(cat "$TMP/fail.json")" '"retries_by_sqlstate":\{[^}]*"(57P01|08006|08P01)":[1-9]'
counts_add_up "server A down mid-run" "$TMP/fail.json"
check "server A starts again, to count its rows" pgctl_a start
a=$(qa 'SELECT count(*) FROM products')
b=$(qb 'SELECT count(*) FROM products')
echo "rows on A: $a, on B: $b"
check "server A down mid-run: A kept what it committed before" test "$a" -gt 0
check "server A down mid-run: B took over A's workers" test "$b" -gt $((N / 2))
check_eq "server A down mid-run: every key is on one server or the other" "$(union_count)" $N
check_eq "server A down mid-run: A's two workers reconnected to B (four connections wrote there)" \
    "$(qb 'SELECT count(DISTINCT pid) FROM seen')" 4

# --- a host down from the start: every worker (and the control connection) ------
# --- skips it when connecting ------------------------------------------------------
check "server A stops again" pgctl_a stop -m fast
qb 'TRUNCATE products, seen; DROP TRIGGER slow ON products' >/dev/null
run_loader --url "$url" -j 4 --summary-json "$TMP/down.json" "$TMP/cat.csv"
check_eq "first host down from the start: loads (exit 0)" "$loader_rc" 0
check_eq "first host down from the start: every row on B" "$(qb 'SELECT count(*) FROM products')" $N
check_eq "first host down from the start: all four workers on B" \
    "$(qb 'SELECT count(DISTINCT pid) FROM seen')" 4
check_eq "first host down from the start: no reconnects needed" \
    "$(js reconnects "$TMP/down.json")" 0
finish
