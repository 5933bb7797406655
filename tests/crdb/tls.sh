# tests/crdb/tls.sh - TLS against a secure CockroachDB v21.1 node, with the
# certificates `cockroach cert` made (tests/harness/with_crdb.sh --certs):
# sslmode=verify-full with the cluster's CA and the password user "loader";
# a wrong CA, a wrong host name and a wrong password (exit 3, nothing written,
# the password in no output); client-certificate authentication.
# with_crdb: --nodes 1 --certs
source "$TESTLIB"
source "$LOADLIB"
source "$CRDBLIB"
# Every connection below says what it uses in its URL: nothing from the
# harness's PGSSL* variables (root's client certificate) may help.
unset PGSSLMODE PGSSLROOTCERT PGSSLCERT PGSSLKEY
PORT=$(node_port 1)
PASSWORD=$CRDB_LOADER_PASSWORD
ca=$CRDB_CERTS/ca.crt
"$GENCATALOG" -n 1500 -s 5 -o "$TMP/cat.csv"
stage_generated ref -n 1500 -s 5
check "the node refuses a connection without TLS" bash -c \
    "! psql -X -At -d 'postgresql://root@127.0.0.1:$PORT/crdbload_test?sslmode=disable' -c 'SELECT 1' 2>/dev/null"

no_password() { # DESC [FILE]: the password in no output of the last run_loader
    check "$1: the password appears in no output" \
        bash -c "! grep -qF -- '$PASSWORD' '$TMP/loader.out' '$TMP/loader.err' ${2:-}"
}
rows() { q 'SELECT count(*) FROM products'; }

# --- verify-full, the cluster's CA, the password user ------------------------------------
good="postgresql://loader:$PASSWORD@localhost:$PORT/crdbload_test?sslmode=verify-full&sslrootcert=$ca"
run_loader --url "$good" -j 4 --summary-json "$TMP/good.json" "$TMP/cat.csv"
check_eq "verify-full, CA, password user loader over localhost: loads (exit 0)" "$loader_rc" 0
same_rows "verify-full: the table equals the reference" products ref
check "verify-full: no warning about verification" bash -c "! grep -q 'warning' '$TMP/loader.err'"
no_password "verify-full" "$TMP/good.json"
q "DELETE FROM products" >/dev/null
run_loader --url "postgresql://loader:$PASSWORD@127.0.0.1:$PORT/crdbload_test?sslmode=verify-full&sslrootcert=$ca" \
    -j 2 "$TMP/cat.csv"
check_eq "verify-full over 127.0.0.1 (the node certificate's IP): loads" "$loader_rc" 0
check_eq "... every row" "$(rows)" 1500
q "DELETE FROM products" >/dev/null

# --- another CA: refused before anything is written -------------------------------------------
mkdir -p "$TMP/other" && "$COCKROACH" cert create-ca --certs-dir="$TMP/other" --ca-key="$TMP/other/ca.key" >/dev/null 2>&1
check "a second, unrelated CA made" test -s "$TMP/other/ca.crt"
run_loader --url "postgresql://loader:$PASSWORD@localhost:$PORT/crdbload_test?sslmode=verify-full&sslrootcert=$TMP/other/ca.crt" \
    --summary-json - "$TMP/cat.csv"
check_eq "wrong CA: exit 3" "$loader_rc" 3
check_match "wrong CA: says the certificate could not be verified" "$(cat "$TMP/loader.err")" \
    'could not connect to the database: .*certificate verify failed'
check_eq "wrong CA: nothing written" "$(rows)" 0
check_match "wrong CA: summary says aborted" "$(cat "$TMP/loader.out")" '"status":"aborted"'
no_password "wrong CA"

# --- a host name the node certificate does not name ---------------------------------------------
run_loader --url "postgresql://loader:$PASSWORD@db.example:$PORT/crdbload_test?hostaddr=127.0.0.1&sslmode=verify-full&sslrootcert=$ca" \
    -j 2 "$TMP/cat.csv"
check_eq "wrong host name (db.example, reached at 127.0.0.1): exit 3" "$loader_rc" 3
check_match "wrong host name: says the name does not match" "$(cat "$TMP/loader.err")" \
    'could not connect to the database: .*server certificate for "(127\.0\.0\.1|localhost|node)".* does not match host name "db\.example"'
check_eq "wrong host name: nothing written" "$(rows)" 0
no_password "wrong host name"

# --- a wrong password ------------------------------------------------------------------------------
run_loader --url "postgresql://loader:not-$PASSWORD@localhost:$PORT/crdbload_test?sslmode=verify-full&sslrootcert=$ca" \
    "$TMP/cat.csv"
check_eq "wrong password: exit 3" "$loader_rc" 3
check_match "wrong password: the server's reason" "$(cat "$TMP/loader.err")" 'password authentication failed for user loader'
check_eq "wrong password: nothing written" "$(rows)" 0
no_password "wrong password"

# --- client-certificate authentication (no password) -----------------------------------------------
run_loader --url "postgresql://loader@localhost:$PORT/crdbload_test?sslmode=verify-full&sslrootcert=$ca&sslcert=$CRDB_CERTS/client.loader.crt&sslkey=$CRDB_CERTS/client.loader.key" \
    -j 4 --summary-json "$TMP/cert.json" "$TMP/cat.csv"
check_eq "client certificate for loader: loads (exit 0)" "$loader_rc" 0
same_rows "client certificate: the table equals the reference" products ref
certurl="postgresql://loader@localhost:$PORT/crdbload_test?sslmode=verify-full&sslrootcert=$ca&sslcert=$CRDB_CERTS/client.loader.crt&sslkey=$CRDB_CERTS/client.loader.key"
run_loader --url "$certurl" --table Product --columns sku,name,description,price,stock,- \
    --default "id=current_user() || '-' || gen_random_uuid()::STRING" "$TMP/cat.csv"
check_eq "client certificate: the sessions are loader's (current_user() in the ids)" \
    "$(q "SELECT count(*) FILTER (WHERE id LIKE 'loader-%') || '/' || count(*) FROM \"Product\"")" "1500/1500"
run_loader --url "postgresql://loader@localhost:$PORT/crdbload_test?sslmode=verify-full&sslrootcert=$ca&sslcert=$CRDB_CERTS/client.root.crt&sslkey=$CRDB_CERTS/client.root.key" \
    "$TMP/cat.csv"
check_eq "root's certificate for user loader (no password): exit 3" "$loader_rc" 3
finish
