# --metrics-file: the Prometheus textfile for node_exporter.
#
#   - promtool check metrics accepts the file of every kind of run (exit 0,
#     1, 2, 3), lint included; its figures are those of --summary-json;
#   - the last success time is carried over by failed runs and moved by
#     successful ones; crdbload_runs_total counts runs by outcome;
#   - label values are escaped (quote, backslash, line feed, invalid UTF-8);
#   - an aborted run (unreachable server, SIGTERM) writes the file with its
#     exit status; a run killed with SIGKILL leaves the previous file as it
#     was, with no temporary file beside it; a file that cannot be written
#     at the end is exit status 3 with a message;
#   - a real prometheus-node-exporter (textfile collector only, on a free
#     loopback port) serves the metrics on /metrics without a scrape error;
#   - the README's alert rules pass promtool check rules, and promtool test
#     rules shows them firing (and not) on the series a sync would leave.
source "$TESTLIB"
source "$LOADLIB"
source "$(dirname "$LOADLIB")/faultlib.sh"

for tool in promtool prometheus-node-exporter curl; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        fail "$tool is not installed (scripts/deps.sh installs prometheus," \
            "prometheus-node-exporter and curl)"
        finish
    fi
done
README=${README:-$(cd "$FIXTURES/.." && pwd)/README.md}

load_fixture schema.sql
N=3000
"$GENCATALOG" -n $N -s 7 -o "$TMP/cat.csv"
{ echo "sku,name,price"; echo "A,a,1.00"; echo "B,b,12x"; echo "C,c,3.00"; } >"$TMP/onebad.csv"
{ echo "sku,name,colour"; echo "A,a,red"; } >"$TMP/unknown.csv"
DIR=$TMP/textfile # the directory node_exporter reads
mkdir -p "$DIR"
chmod 755 "$DIR"
PROM=$DIR/crdbload.prom
DOWN="postgresql://postgres@127.0.0.1:1/none"

# metric NAME [LABELS] [FILE]: the value of NAME{table="products"[,LABELS]}.
metric() {
    local series="$1{table=\"products\"${2:+,$2}}"
    awk -v s="$series" 'index($0, s " ") == 1 { print $2; found = 1; exit }
        END { if (!found) print "missing" }' "${3:-$PROM}"
}

promtool_ok() { # DESC FILE: accepted, and no lint remark
    local out rc
    out=$(promtool check metrics <"$2" 2>&1)
    rc=$?
    if [ $rc -eq 0 ] && [ -z "$out" ]; then
        ok "$1: promtool check metrics accepts it, lint included"
    else
        fail "$1: promtool check metrics (exit $rc)" "$out"
    fi
}

# "name{b="2",a="1"} v" -> "name{a="1",b="2"} v" (label values without '",').
norm_series() {
    awk '{
        i = index($1, "{")
        if (i == 0) { print; next }
        name = substr($1, 1, i - 1)
        n = split(substr($1, i + 1, length($1) - i - 1), l, "\",")
        for (j = 1; j < n; j++) l[j] = l[j] "\""
        for (j = 2; j <= n; j++) for (k = j; k > 1 && l[k - 1] > l[k]; k--) {
            t = l[k]; l[k] = l[k - 1]; l[k - 1] = t }
        out = name "{" l[1]
        for (j = 2; j <= n; j++) out = out "," l[j]
        print out "} " $2
    }'
}

no_temp_files() {
    check_eq "$1: no temporary file left in the directory" \
        "$(find "$DIR" -mindepth 1 -name '.*' | wc -l)" 0
}

# --- exit 0: a clean load; the figures are those of --summary-json ------------------
umask 022
t0=$(date +%s)
run_loader --url "$PGURL" -j 2 -b 500 --metrics-file "$PROM" --summary-json "$TMP/s.json" \
    "$TMP/cat.csv"
t1=$(date +%s)
check_eq "clean load: exit 0" "$loader_rc" 0
check "clean load: the metrics file exists" test -s "$PROM"
promtool_ok "clean load" "$PROM"
check_eq "clean load: mode 0644 under umask 022 (node_exporter runs as another user)" \
    "$(stat -c %a "$PROM")" 644
no_temp_files "clean load"
for key in rows_read rows_written rows_unchanged rows_rejected duplicates_merged \
    rows_skipped rows_in_doubt batches retries batches_retried_40003 reconnects bytes_read rows_missing; do
    check_eq "clean load: crdbload_$key = summary's $key" "$(metric "crdbload_$key")" \
        "$(js "$key" "$TMP/s.json")"
done
check_eq "clean load: rows written" "$(metric crdbload_rows_written)" $N
check_eq "clean load: elapsed seconds = summary's elapsed_s" \
    "$(printf '%.3f' "$(metric crdbload_elapsed_seconds)")" "$(js elapsed_s "$TMP/s.json")"
check_eq "clean load: latency max in seconds = summary's max in ms / 1000" \
    "$(printf '%.6f' "$(metric crdbload_batch_latency_max_seconds)")" \
    "$(printf '%.6f' "$(echo "$(grep -o '"max":[0-9.]*' "$TMP/s.json" | cut -d: -f2) / 1000" | bc -l)")"
check_eq "clean load: workers, batch size, files, dry run" \
    "$(metric crdbload_workers) $(metric crdbload_batch_size) $(metric crdbload_files) $(metric crdbload_dry_run)" \
    "2 500 1 0"
check_eq "clean load: exit status 0" "$(metric crdbload_exit_status)" 0
end=$(metric crdbload_last_run_timestamp_seconds)
check "clean load: the end time is now ($t0 <= $end <= $t1 + 1)" \
    bash -c "(( $t0 <= ${end%.*} && ${end%.*} <= $t1 + 1 ))"
check_eq "clean load: last success = this run's end" \
    "$(metric crdbload_last_success_timestamp_seconds)" "$end"
check_eq "clean load: runs_total ok 1, others 0" \
    "$(for s in ok rejects config_error aborted; do metric crdbload_runs_total "status=\"$s\""; done | tr '\n' ' ')" \
    "1 0 0 0 "
check_eq "clean load: run_info names the dialect" \
    "$(metric crdbload_run_info 'dialect="postgres",version="'"$("$CRDBLOAD" --version | cut -d' ' -f2)"'"')" 1
success0=$end

# --- exit 3: unreachable server; the file is rewritten, the last success kept ------
sleep 1.1 # a later end time
run_loader --url "$DOWN" --metrics-file "$PROM" "$TMP/cat.csv"
check_eq "unreachable server: exit 3" "$loader_rc" 3
promtool_ok "unreachable server" "$PROM"
check_eq "unreachable server: exit status 3 in the file" "$(metric crdbload_exit_status)" 3
check_eq "unreachable server: rows written 0" "$(metric crdbload_rows_written)" 0
check "unreachable server: a new end time" \
    test "$(metric crdbload_last_run_timestamp_seconds)" != "$success0"
check_eq "unreachable server: the last success is carried over" \
    "$(metric crdbload_last_success_timestamp_seconds)" "$success0"
check_eq "unreachable server: runs_total ok 1, aborted 1" \
    "$(metric crdbload_runs_total 'status="ok"') $(metric crdbload_runs_total 'status="aborted"')" \
    "1 1"
check_eq "unreachable server: dialect unknown" \
    "$(grep -c '^crdbload_run_info{.*dialect="unknown"' "$PROM")" 1
no_temp_files "unreachable server"

# --- exit 2: a column the table lacks (configuration refused after connecting) ----
run_loader --url "$PGURL" --metrics-file "$PROM" "$TMP/unknown.csv"
check_eq "unknown column: exit 2" "$loader_rc" 2
promtool_ok "unknown column" "$PROM"
check_eq "unknown column: exit status 2, last success still carried" \
    "$(metric crdbload_exit_status) $(metric crdbload_last_success_timestamp_seconds)" \
    "2 $success0"
check_eq "unknown column: runs_total config_error 1" \
    "$(metric crdbload_runs_total 'status="config_error"')" 1

# --- a usage error writes nothing ---------------------------------------------------
cp "$PROM" "$TMP/before.prom"
run_loader --url "$PGURL" --metrics-file "$PROM" --workers zero "$TMP/cat.csv"
check_eq "usage error: exit 2" "$loader_rc" 2
check "usage error: the file is left as it was" cmp -s "$PROM" "$TMP/before.prom"

# --- exit 1: a rejected row counts as a success (the rows were loaded) ---------------
sleep 1.1
run_loader --url "$PGURL" --metrics-file "$PROM" "$TMP/onebad.csv"
check_eq "one rejected row: exit 1" "$loader_rc" 1
promtool_ok "one rejected row" "$PROM"
check_eq "one rejected row: exit status 1, rows rejected 1" \
    "$(metric crdbload_exit_status) $(metric crdbload_rows_rejected)" "1 1"
check_eq "one rejected row: last success = this run's end" \
    "$(metric crdbload_last_success_timestamp_seconds)" \
    "$(metric crdbload_last_run_timestamp_seconds)"
check "one rejected row: a later success than the first" \
    test "$(metric crdbload_last_success_timestamp_seconds)" != "$success0"
check_eq "one rejected row: runs_total ok 1, rejects 1, config_error 1, aborted 1" \
    "$(for s in ok rejects config_error aborted; do metric crdbload_runs_total "status=\"$s\""; done | tr '\n' ' ')" \
    "1 1 1 1 "

# --- a dry run is no success ----------------------------------------------------------
success1=$(metric crdbload_last_success_timestamp_seconds)
run_loader --url "$PGURL" --dry-run --metrics-file "$PROM" "$TMP/cat.csv"
check_eq "dry run: exit 0, dry_run 1, last success unchanged" \
    "$loader_rc $(metric crdbload_dry_run) $(metric crdbload_last_success_timestamp_seconds)" \
    "0 1 $success1"

# --- label values are escaped -------------------------------------------------------
ODD=$DIR/odd.prom
run_loader --url "$DOWN" -t $'sh"op\\x\ny\xff' --metrics-file "$ODD" "$TMP/cat.csv"
check_eq "odd table name: exit 3" "$loader_rc" 3
promtool_ok "odd table name" "$ODD"
check "odd table name: quote, backslash, line feed escaped; invalid UTF-8 replaced" \
    grep -qF "crdbload_exit_status{table=\"sh\\\"op\\\\x\\ny"$'\xef\xbf\xbd'"\"} 3" "$ODD"

# --- SIGTERM: an interrupted run writes the file, exit status 3 -----------------------
q "TRUNCATE products" >/dev/null
slow_statements 40
start_loader --url "$PGURL" -j 2 -b 100 --progress none --metrics-file "$PROM" "$TMP/cat.csv"
wait_rows 200
kill -TERM "$loader_pid"
wait_loader
check_eq "SIGTERM: exit 3" "$loader_rc" 3
promtool_ok "SIGTERM" "$PROM"
check_eq "SIGTERM: exit status 3 in the file" "$(metric crdbload_exit_status)" 3
check_eq "SIGTERM: rows written = rows in the table" \
    "$(metric crdbload_rows_written)" "$(q 'SELECT count(*) FROM products')"
no_temp_files "SIGTERM"

# --- SIGKILL: the previous file stays, whole --------------------------------------------
cp -p "$PROM" "$TMP/before.prom"
q "TRUNCATE products" >/dev/null
start_loader --url "$PGURL" -j 2 -b 100 --progress none --metrics-file "$PROM" "$TMP/cat.csv"
wait_rows 200
kill -KILL "$loader_pid"
wait_loader
check_eq "SIGKILL: killed" "$loader_rc" 137
check "SIGKILL: the previous file is intact" cmp -s "$PROM" "$TMP/before.prom"
no_temp_files "SIGKILL"

# --- the file cannot be written at the end: exit 3, said so ----------------------------
q "TRUNCATE products" >/dev/null
mkdir "$TMP/gone"
start_loader --url "$PGURL" -j 2 -b 100 --progress none --metrics-file "$TMP/gone/m.prom" \
    "$TMP/cat.csv"
wait_rows 200
rm -rf "$TMP/gone"
wait_loader
check_eq "directory removed during the run: exit 3" "$loader_rc" 3
check_match "directory removed during the run: the error names the file" \
    "$(cat "$TMP/loader.err")" 'error: could not write metrics file ".*/gone/m\.prom": No such file'
check_eq "directory removed during the run: the load itself finished" \
    "$(q 'SELECT count(*) FROM products')" $N
fast_statements

# --- node_exporter serves the file -------------------------------------------------------
rm -f "$ODD"
run_loader --url "$PGURL" --metrics-file "$PROM" "$TMP/cat.csv"
check_eq "load for node_exporter: exit 0" "$loader_rc" 0
ne_pid=
stop_node_exporter() {
    if [ -n "$ne_pid" ]; then
        kill "$ne_pid" 2>/dev/null
        wait "$ne_pid" 2>/dev/null
        ne_pid=
    fi
}
trap stop_node_exporter EXIT
page=
for attempt in 1 2 3 4 5; do
    port=$((20000 + (RANDOM * 32768 + RANDOM) % 40001))
    [ -z "$(ss -Hltn "sport = :$port" 2>/dev/null)" ] || continue
    prometheus-node-exporter --web.listen-address="127.0.0.1:$port" \
        --collector.disable-defaults --collector.textfile \
        --collector.textfile.directory="$DIR" >"$TMP/ne.log" 2>&1 &
    ne_pid=$!
    for i in $(seq 50); do
        page=$(curl -fsS "http://127.0.0.1:$port/metrics" 2>/dev/null) && break
        kill -0 "$ne_pid" 2>/dev/null || break
        sleep 0.1
    done
    [ -n "$page" ] && break
    stop_node_exporter # the port was taken meanwhile, or it failed: try another
done
if [ -z "$page" ]; then
    fail "node_exporter did not serve /metrics" "$(tail -n 20 "$TMP/ne.log")"
else
    ok "node_exporter (textfile collector only) serves /metrics on 127.0.0.1:$port"
    check_eq "node_exporter: no textfile scrape error" \
        "$(printf '%s\n' "$page" | awk '$1 == "node_textfile_scrape_error" { print $2 }')" 0
    check_eq "node_exporter: crdbload_rows_written{table=\"products\"} $N" \
        "$(printf '%s\n' "$page" | awk '$1 == "crdbload_rows_written{table=\"products\"}" { print $2 }')" \
        $N
    check_eq "node_exporter: exit status 0" \
        "$(printf '%s\n' "$page" | awk '$1 == "crdbload_exit_status{table=\"products\"}" { print $2 }')" \
        0
    # node_exporter sorts the labels and may print numbers otherwise: compare
    # series with sorted labels, and values as numbers.
    printf '%s\n' "$page" | grep '^crdbload_' | norm_series >"$TMP/page.txt"
    grep -v '^#' "$PROM" | norm_series >"$TMP/file.txt"
    check_eq "node_exporter: every series of the file is on the page, with its value" \
        "$(awk 'NR == FNR { v[$1] = $2; next }
                !($1 in v) { print "missing: " $1; next }
                v[$1] + 0 != $2 + 0 { print "differs: " $1 " " v[$1] " " $2 }' \
            "$TMP/page.txt" "$TMP/file.txt")" ""
    check_eq "node_exporter: as many crdbload series as the file" \
        "$(wc -l <"$TMP/page.txt")" "$(wc -l <"$TMP/file.txt")"
    check "node_exporter: the file's mtime is exported" \
        grep -qF "node_textfile_mtime_seconds{file=\"$PROM\"}" <<<"$page"
fi
stop_node_exporter

# --- the README's alert rules ------------------------------------------------------------
# The block that follows the line "# crdbload-alerts.yml" in the README.
awk '/^# crdbload-alerts\.yml/ { on = 1 } on && /^```/ { exit } on { print }' "$README" \
    >"$TMP/alerts.yml"
check "README: an alert rules block is there" grep -q 'alert:' "$TMP/alerts.yml"
check "README: promtool check rules accepts the alert rules" promtool check rules "$TMP/alerts.yml"
# The series nightly syncs leave, one value an hour for 30 hours. "good":
# succeeded at 02:00 on both nights; "stale": succeeded at 01:00 on the first
# night, then aborted every run; "rejects": exit 1 with 3 rejected rows.
cat >"$TMP/alerts_test.yml" <<'EOF'
rule_files: [alerts.yml]
evaluation_interval: 1m
tests:
  - interval: 1h
    input_series:
      - series: 'crdbload_last_success_timestamp_seconds{table="good"}'
        values: '7200x25 93600x5'
      - series: 'crdbload_exit_status{table="good"}'
        values: '0x30'
      - series: 'crdbload_rows_rejected{table="good"}'
        values: '0x30'
      - series: 'crdbload_last_success_timestamp_seconds{table="stale"}'
        values: '3600x30'
      - series: 'crdbload_exit_status{table="stale"}'
        values: '0 3x29'
      - series: 'crdbload_rows_rejected{table="stale"}'
        values: '0x30'
      - series: 'crdbload_last_success_timestamp_seconds{table="rejects"}'
        values: '0+3600x30'
      - series: 'crdbload_exit_status{table="rejects"}'
        values: '1x30'
      - series: 'crdbload_rows_rejected{table="rejects"}'
        values: '3x30'
    alert_rule_test:
      - eval_time: 20h
        alertname: CrdbloadSyncStale
        exp_alerts: []
      - eval_time: 28h
        alertname: CrdbloadSyncStale
        exp_alerts:
          - exp_labels: {severity: page, table: stale}
            exp_annotations:
              summary: No successful crdbload run for table stale in 26 hours.
      - eval_time: 28h
        alertname: CrdbloadSyncNotOk
        exp_alerts:
          - exp_labels: {severity: ticket, table: stale}
            exp_annotations:
              summary: 'crdbload for table stale: the last run ended with exit status 3.'
              description: &desc 1 rows rejected (crdbload_rows_rejected, the --rejects file), 2 configuration error, 3 aborted; see the sync log.
          - exp_labels: {severity: ticket, table: rejects}
            exp_annotations:
              summary: 'crdbload for table rejects: the last run ended with exit status 1.'
              description: *desc
EOF
check "promtool test rules: the alerts fire for a stale and a failing sync, not a good one" \
    bash -c "cd '$TMP' && promtool test rules alerts_test.yml"

finish
