# The final summary (stderr), --summary-json (every key SPEC.md lists, valid
# JSON, alone on stdout with "-"), and exit statuses 0, 1, 2 and 3 each from a
# real case. A password in the URL appears in none of the outputs.
source "$TESTLIB"
source "$LOADLIB"
load_fixture schema.sql
N=3000
"$GENCATALOG" -n $N -s 3 -o "$TMP/cat.csv"
{ echo "sku,name,price"; echo "A,a,1.00"; echo "B,b,12x"; echo "C,c,3.00"; } >"$TMP/onebad.csv"
{ echo "sku,name,colour,price"; echo "A,a,red,1.00"; } >"$TMP/unknown.csv"
PW=s3cr3tpw
# trust authentication: the password is sent by no one, yet it is in the URL
PWURL="postgresql://postgres:$PW@127.0.0.1:$PGPORT/crdbload_test"

SPEC_KEYS="batch_latency_ms,batch_size,batches,bytes_read,dialect,duplicates_merged,elapsed_s,files,mb_per_s,reconnects,retries,retries_by_sqlstate,rows_per_s,rows_read,rows_rejected,rows_skipped,rows_unchanged,rows_written,status,workers"

# Parse $1 with PostgreSQL; print "key,key,..." of the SPEC keys it has.
spec_keys_of() {
    q "SELECT string_agg(k, ',' ORDER BY k) FROM json_object_keys(\$j\$$1\$j\$::json) k
       WHERE k = ANY (string_to_array('$SPEC_KEYS', ','))" 2>&1
}
jq_() { # JSON PATH...: the text at PATH (e.g. retries_by_sqlstate 40001)
    local json=$1 path
    shift
    path=$(printf '%s,' "$@")
    q "SELECT \$j\$$json\$j\$::json #>> '{${path%,}}'" 2>&1
}

# --- exit 0: a clean load; --summary-json - alone on stdout --------------------
# Two forced serialization failures first, so that retries_by_sqlstate has
# something in it (a sequence is not rolled back with the statement).
q "CREATE SEQUENCE fail_seq;
   CREATE FUNCTION fail_twice() RETURNS trigger LANGUAGE plpgsql AS \$\$
   BEGIN IF nextval('fail_seq') <= 2 THEN
       RAISE EXCEPTION 'forced' USING ERRCODE = '40001'; END IF; RETURN NULL; END \$\$;
   CREATE TRIGGER fail_twice BEFORE INSERT ON products FOR EACH STATEMENT
       EXECUTE FUNCTION fail_twice()" >/dev/null
run_loader --url "$PWURL" -b 500 --progress json --progress-interval 0.05 \
    --summary-json - "$TMP/cat.csv"
check_eq "clean load: exit 0" "$loader_rc" 0
check_eq "--summary-json -: stdout is one line" "$(wc -l <"$TMP/loader.out")" 1
json=$(cat "$TMP/loader.out")
check_eq "--summary-json -: valid JSON with every key of SPEC.md" "$(spec_keys_of "$json")" \
    "$SPEC_KEYS"
check_eq "status ok" "$(jq_ "$json" status)" ok
check_eq "rows_read" "$(jq_ "$json" rows_read)" $N
check_eq "rows_written" "$(jq_ "$json" rows_written)" $N
check_eq "retries: 2, both 40001" \
    "$(jq_ "$json" retries) $(jq_ "$json" retries_by_sqlstate 40001)" "2 2"
check_eq "batch_latency_ms has p50, p99 and max, numbers" \
    "$(q "SELECT string_agg(k || ':' || json_typeof(v), ',' ORDER BY k) FROM json_each(\$j\$$json\$j\$::json->'batch_latency_ms') AS e(k, v)")" \
    "max:number,p50:number,p99:number"
check_eq "dialect, workers, batch_size" \
    "$(jq_ "$json" dialect) $(jq_ "$json" workers) $(jq_ "$json" batch_size)" "postgres 4 500"
check "the table holds the file" test "$(q 'SELECT count(*) FROM products')" -eq $N
err=$(cat "$TMP/loader.err")
for item in 'summary: ok' 'rows read: +3000' 'rows written: +3000' 'rows unchanged: +0' \
    'rows rejected: +0' 'duplicates merged: +0' 'batches: +[0-9]+' \
    'retries: +2 \(40001 2\)' 'reconnects: +0' 'bytes read: +[0-9]+' 'elapsed: +[0-9.]+ s' \
    'throughput: +[0-9]+ rows/s, [0-9.]+ MB/s' \
    'batch latency: +p50 [0-9.]+ ms, p99 [0-9.]+ ms, max [0-9.]+ ms'; do
    check_match "summary on stderr: $item" "$err" "$item"
done
check "the password appears nowhere (summary, progress, stdout)" \
    bash -c "! grep -q '$PW' '$TMP/loader.err' '$TMP/loader.out'"
check "progress JSON lines were printed too" grep -q '^{"elapsed_s"' "$TMP/loader.err"
q "DROP TRIGGER fail_twice ON products" >/dev/null

# The same figures in a file, with the log progress.
run_loader --url "$PWURL" --progress log --progress-interval 0.05 \
    --summary-json "$TMP/s.json" "$TMP/cat.csv"
check_eq "summary file: exit 0" "$loader_rc" 0
check_eq "summary file: stdout empty" "$(wc -c <"$TMP/loader.out")" 0
check_eq "summary file: every key" "$(spec_keys_of "$(cat "$TMP/s.json")")" "$SPEC_KEYS"
check_eq "summary file: a rerun without --only-changed rewrites every row" \
    "$(js rows_written "$TMP/s.json")" $N
counts_add_up "summary file" "$TMP/s.json"
check "the password appears nowhere (log progress, summary file)" \
    bash -c "! grep -q '$PW' '$TMP/loader.err' '$TMP/loader.out' '$TMP/s.json'"

run_loader --url "$PGURL" -q --only-changed --summary-json - "$TMP/cat.csv"
check_eq "--only-changed rerun: exit 0, every row unchanged, nothing on stderr" \
    "$loader_rc $(jq_ "$(cat "$TMP/loader.out")" rows_unchanged) $(wc -c <"$TMP/loader.err")" \
    "0 $N 0"

# --- exit 1: a rejected row ------------------------------------------------------
run_loader --url "$PGURL" --summary-json - "$TMP/onebad.csv"
check_eq "one rejected row: exit 1" "$loader_rc" 1
json=$(cat "$TMP/loader.out")
check_eq "one rejected row: status rejects, 1 rejected, 2 written" \
    "$(jq_ "$json" status) $(jq_ "$json" rows_rejected) $(jq_ "$json" rows_written)" \
    "rejects 1 2"
check_match "one rejected row: file, line and column named" "$(cat "$TMP/loader.err")" \
    'onebad\.csv:3: row rejected: column 3 \("price"\)'

# --- exit 2: a configuration error; nothing written, no summary ------------------
q "TRUNCATE products" >/dev/null
run_loader --url "$PGURL" --summary-json - "$TMP/unknown.csv"
check_eq "unknown column: exit 2" "$loader_rc" 2
check_match "unknown column: says which, and the table's columns" \
    "$(cat "$TMP/loader.err")" 'error: column "colour" .* does not exist .*\(its columns: "id", "sku",'
check_eq "unknown column: stdout empty" "$(wc -c <"$TMP/loader.out")" 0
check_eq "unknown column: nothing written" "$(q 'SELECT count(*) FROM products')" 0
run_loader --url "$PGURL" --no-such-option "$TMP/cat.csv"
check_eq "unknown option: exit 2" "$loader_rc" 2
check_match "unknown option: the Try line" "$(cat "$TMP/loader.err")" 'Try "crdbload --help"'

# --- exit 3: unreachable server; too many rejects --------------------------------
run_loader --url "postgresql://postgres:$PW@127.0.0.1:1/none" --summary-json - "$TMP/cat.csv"
check_eq "unreachable server: exit 3" "$loader_rc" 3
json=$(cat "$TMP/loader.out")
check_eq "unreachable server: the summary is valid JSON with every key" \
    "$(spec_keys_of "$json")" "$SPEC_KEYS"
check_eq "unreachable server: status aborted, dialect null" \
    "$(jq_ "$json" status) $(q "SELECT json_typeof(\$j\$$json\$j\$::json->'dialect')")" \
    "aborted null"
check_match "unreachable server: says where and what to do" "$(cat "$TMP/loader.err")" \
    'error: could not connect to the database: .*127\.0\.0\.1.*port 1.*Hint: Check -d/--url'
check "unreachable server: the password appears nowhere" \
    bash -c "! grep -q '$PW' '$TMP/loader.err' '$TMP/loader.out'"
run_loader --url "$PGURL" --max-rejects 0 --summary-json - "$TMP/onebad.csv"
check_eq "--max-rejects 0 passed: exit 3" "$loader_rc" 3
check_eq "--max-rejects 0 passed: status aborted" "$(jq_ "$(cat "$TMP/loader.out")" status)" \
    aborted
check_match "--max-rejects: says so" "$(cat "$TMP/loader.err")" \
    'error: more than 0 rows rejected \(--max-rejects\)'

# A fatal database error names the rows and the server.
q "CREATE FUNCTION boom() RETURNS trigger LANGUAGE plpgsql AS \$\$
   BEGIN RAISE EXCEPTION 'boom' USING ERRCODE = 'XX000', HINT = 'ask the DBA'; END \$\$;
   CREATE TRIGGER boom BEFORE INSERT ON products FOR EACH STATEMENT EXECUTE FUNCTION boom()" \
    >/dev/null
run_loader --url "$PGURL" -j 1 --summary-json - "$TMP/onebad.csv"
check_eq "fatal database error: exit 3" "$loader_rc" 3
check_match "fatal database error: the rows, the server, the server's message and hint" \
    "$(cat "$TMP/loader.err")" \
    'error: a batch of 2 rows \(lines 2\.\.4\) failed on server 127\.0\.0\.1:[0-9]+: XX000: boom.Hint: ask the DBA'
finish
