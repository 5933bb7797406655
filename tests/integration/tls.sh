# tests/integration/tls.sh - TLS end to end: sslmode=verify-full with
# sslrootcert loads; a certificate from another CA or for another host name
# fails the run before anything is written (exit 3, libpq's reason shown);
# sslmode=require/prefer load but warn that the server is not verified. A
# password-authenticated user's password never appears in any output.
#
# A throwaway CA and server certificates are made here with the openssl CLI;
# the test cluster gets ssl=on and a pg_hba.conf that accepts TCP only over
# TLS (hostssl), reloaded in place.
source "$TESTLIB"
source "$LOADLIB"

pki=$TMP/pki
mkdir -p "$pki"
PASSWORD='Tls-Pa55-QX7zv9'

# A CA: NAME -> NAME.key, NAME.crt
mkca() {
    openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
        -keyout "$pki/$1.key" -out "$pki/$1.crt" -days 2 -subj "/CN=crdbload test $1" \
        -addext "basicConstraints=critical,CA:TRUE" \
        -addext "keyUsage=critical,keyCertSign,cRLSign" 2>"$pki/$1.log"
}
# A server certificate: NAME CA SAN -> NAME.key, NAME.crt signed by CA
mkcert() {
    openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
        -keyout "$pki/$1.key" -out "$pki/$1.csr" -subj "/CN=crdbload test $1" \
        2>"$pki/$1.log" &&
        printf '%s\n' "subjectAltName=$3" "basicConstraints=CA:FALSE" \
            "keyUsage=critical,digitalSignature,keyEncipherment" \
            "extendedKeyUsage=serverAuth" >"$pki/$1.ext" &&
        openssl x509 -req -in "$pki/$1.csr" -CA "$pki/$2.crt" -CAkey "$pki/$2.key" \
            -CAcreateserial -out "$pki/$1.crt" -days 2 -extfile "$pki/$1.ext" \
            2>>"$pki/$1.log"
}
check "openssl: CA" mkca ca
check "openssl: a second, unrelated CA" mkca otherca
check "openssl: server certificate for localhost and 127.0.0.1" \
    mkcert server ca "DNS:localhost,IP:127.0.0.1"
check "openssl: server certificate for db.example only" mkcert dbexample ca "DNS:db.example"
check "server certificate verifies against the CA" \
    openssl verify -CAfile "$pki/ca.crt" "$pki/server.crt"

# Into the data dir, owned by the cluster's owner, keys 0600.
owner=$(stat -c %U "$PGDATA")
for f in server dbexample; do
    install -m 644 -o "$owner" "$pki/$f.crt" "$PGDATA/$f.crt"
    install -m 600 -o "$owner" "$pki/$f.key" "$PGDATA/$f.key"
done
check_eq "server key is 0600, owned by the cluster's owner" \
    "$(stat -c '%a %U' "$PGDATA/server.key")" "600 $owner"

# Serve certificate NAME and wait until new connections get it.
use_cert() {
    q "ALTER SYSTEM SET ssl_cert_file = '$1.crt'" >/dev/null
    q "ALTER SYSTEM SET ssl_key_file = '$1.key'" >/dev/null
    q "SELECT pg_reload_conf()" >/dev/null
    for _ in $(seq 1 50); do
        [ "$(q 'SHOW ssl_cert_file')" = "$1.crt" ] && return 0
        sleep 0.1
    done
    return 1
}
q "CREATE ROLE app LOGIN PASSWORD '$PASSWORD'" >/dev/null
q "ALTER SYSTEM SET ssl = on" >/dev/null
# TCP only over TLS; the app user with a password (scram), postgres trusted.
cat >"$PGDATA/pg_hba.conf" <<'EOF'
local     all all                trust
hostssl   all app  127.0.0.1/32  scram-sha-256
hostssl   all all  127.0.0.1/32  trust
hostnossl all all  127.0.0.1/32  reject
EOF
check "ssl on, certificate for localhost served" use_cert server
plain="postgresql://postgres@127.0.0.1:$PGPORT/crdbload_test"
check "the server refuses TCP without TLS" \
    bash -c "! psql -X -q -d '$plain?sslmode=disable' -c 'SELECT 1' 2>/dev/null"
check_eq "the test's own connection is TLS" \
    "$(q 'SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()')" t
check_eq "no default ~/.postgresql/root.crt (it would turn require into verify-ca)" \
    "$(ls ~/.postgresql/root.crt 2>/dev/null)" ""

load_fixture schema.sql
q "GRANT SELECT, INSERT, UPDATE ON products TO app" >/dev/null
"$GENCATALOG" -n 2000 -s 5 -o "$TMP/cat.csv"
stage_reference "$TMP/cat.csv" ref

# Every output of the last run_loader, and a summary file, are free of the password.
no_password() {
    check "$1: the password appears in no output" \
        bash -c "! grep -qF -- '$PASSWORD' '$TMP/loader.out' '$TMP/loader.err' ${2:-}"
}

ca=$pki/ca.crt
good="postgresql://app:$PASSWORD@localhost:$PGPORT/crdbload_test?sslmode=verify-full&sslrootcert=$ca"

# --- verify-full, the right CA, the right host name: loads ------------------------
run_loader --url "$good" -j 4 --summary-json "$TMP/good.json" "$TMP/cat.csv"
check_eq "verify-full + sslrootcert + host=localhost: loads (exit 0)" "$loader_rc" 0
same_rows "verify-full: table equals \\copy of the file" products ref
check "verify-full: no warning about verification" \
    bash -c "! grep -q 'not verified' '$TMP/loader.err'"
no_password "verify-full" "$TMP/good.json"
# Over 127.0.0.1, which the certificate names too (IP SAN), and as postgres.
q 'TRUNCATE products' >/dev/null
run_loader --url "postgresql://postgres@127.0.0.1:$PGPORT/crdbload_test?sslmode=verify-full&sslrootcert=$ca" \
    "$TMP/cat.csv"
check_eq "verify-full over 127.0.0.1 (IP SAN): loads" "$loader_rc" 0
check_eq "verify-full over 127.0.0.1: every row" "$(q 'SELECT count(*) FROM products')" 2000
q 'TRUNCATE products' >/dev/null

# --- a certificate from another CA: refused before anything is written -----------
run_loader --url "postgresql://app:$PASSWORD@localhost:$PGPORT/crdbload_test?sslmode=verify-full&sslrootcert=$pki/otherca.crt" \
    --summary-json - "$TMP/cat.csv"
check_eq "wrong CA: exit 3" "$loader_rc" 3
check_match "wrong CA: says the certificate could not be verified" "$(cat "$TMP/loader.err")" \
    'could not connect to the database: .*certificate verify failed'
check_eq "wrong CA: nothing written" "$(q 'SELECT count(*) FROM products')" 0
check_match "wrong CA: summary says aborted" "$(cat "$TMP/loader.out")" '"status":"aborted"'
no_password "wrong CA"
# verify-ca checks the chain too.
run_loader --url "postgresql://app:$PASSWORD@localhost:$PGPORT/crdbload_test?sslmode=verify-ca&sslrootcert=$pki/otherca.crt" \
    "$TMP/cat.csv"
check_eq "wrong CA, verify-ca: exit 3" "$loader_rc" 3
no_password "wrong CA, verify-ca"

# --- a certificate for another host name -------------------------------------------
check "serve the certificate for db.example" use_cert dbexample
for host in localhost 127.0.0.1; do
    run_loader --url "postgresql://app:$PASSWORD@$host:$PGPORT/crdbload_test?sslmode=verify-full&sslrootcert=$ca" \
        -j 2 "$TMP/cat.csv"
    check_eq "wrong host name ($host vs db.example): exit 3" "$loader_rc" 3
    check_match "wrong host name ($host): says the name does not match" \
        "$(cat "$TMP/loader.err")" \
        "could not connect to the database: .*server certificate for \"db\\.example\".* does not match host name \"$host\""
    check_eq "wrong host name ($host): nothing written" "$(q 'SELECT count(*) FROM products')" 0
    no_password "wrong host name ($host)"
done
# The name is what verify-full checks: the same server reached as db.example loads.
run_loader --url "postgresql://app:$PASSWORD@db.example:$PGPORT/crdbload_test?hostaddr=127.0.0.1&sslmode=verify-full&sslrootcert=$ca" \
    "$TMP/cat.csv"
check_eq "verify-full as db.example (hostaddr=127.0.0.1): loads" "$loader_rc" 0
check_eq "verify-full as db.example: every row" "$(q 'SELECT count(*) FROM products')" 2000
no_password "verify-full as db.example"
q 'TRUNCATE products' >/dev/null
check "serve the certificate for localhost again" use_cert server

# --- sslmode=require: loads, but the server is not authenticated: warned ------------
run_loader --url "postgresql://app:$PASSWORD@localhost:$PGPORT/crdbload_test?sslmode=require" \
    -j 4 --summary-json "$TMP/req.json" "$TMP/cat.csv"
check_eq "require: loads (exit 0)" "$loader_rc" 0
same_rows "require: table equals \\copy of the file" products ref
check_match "require: warns that the certificate is not verified" "$(cat "$TMP/loader.err")" \
    "crdbload: warning: the server's certificate is not verified \\(sslmode=require\\); use sslmode=verify-full with sslrootcert="
check_eq "require: warned once, not once a worker" \
    "$(grep -c 'not verified' "$TMP/loader.err")" 1
no_password "require" "$TMP/req.json"
# With sslrootcert libpq checks the chain under require: only the name is unchecked.
run_loader --url "postgresql://app:$PASSWORD@localhost:$PGPORT/crdbload_test?sslmode=require&sslrootcert=$ca" \
    "$TMP/cat.csv"
check_eq "require + sslrootcert: loads" "$loader_rc" 0
check_match "require + sslrootcert: warns that the host name is not verified" \
    "$(cat "$TMP/loader.err")" "warning: the server's host name is not verified \\(sslmode=require\\)"
# libpq's default, prefer, ends up on TLS here: warned as well.
run_loader --url "postgresql://app:$PASSWORD@localhost:$PGPORT/crdbload_test" "$TMP/cat.csv"
check_eq "default sslmode (prefer): loads" "$loader_rc" 0
check_match "prefer: warns" "$(cat "$TMP/loader.err")" \
    "warning: the server's certificate is not verified \\(sslmode=prefer\\)"
# --quiet: errors only.
run_loader --url "postgresql://app:$PASSWORD@localhost:$PGPORT/crdbload_test?sslmode=require" \
    --quiet "$TMP/cat.csv"
check_eq "require --quiet: loads, says nothing" "$loader_rc|$(cat "$TMP/loader.err")" "0|"

# --- the password in other places ----------------------------------------------------
run_loader --url "postgresql://app:not-$PASSWORD@localhost:$PGPORT/crdbload_test?sslmode=verify-full&sslrootcert=$ca" \
    "$TMP/cat.csv"
check_eq "wrong password: exit 3" "$loader_rc" 3
check_match "wrong password: libpq's reason" "$(cat "$TMP/loader.err")" \
    'password authentication failed for user "app"'
no_password "wrong password"
run_loader --url "$good" --dry-run --summary-json - "$TMP/cat.csv"
check_eq "dry run over verify-full: exit 0" "$loader_rc" 0
no_password "dry run"
PGPASSWORD=$PASSWORD run_loader \
    --url "host=localhost port=$PGPORT dbname=crdbload_test user=app sslmode=verify-full sslrootcert=$ca" \
    -j 2 --summary-json - "$TMP/cat.csv"
check_eq "key=value conninfo, password from PGPASSWORD: loads" "$loader_rc" 0
no_password "key=value conninfo"
finish
