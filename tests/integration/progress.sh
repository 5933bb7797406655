# Progress reporting: the bar on a terminal (a pseudo-terminal from script(1)),
# log lines at --progress-interval without one, JSON lines that parse, and
# --quiet. The load is slowed by a statement-level trigger that sleeps, so
# that it lasts a couple of seconds whatever the machine.
source "$TESTLIB"
source "$LOADLIB"
load_fixture schema.sql
N=20000
"$GENCATALOG" -n $N -s 7 -o "$TMP/cat.csv"
# one bad row (a record of its own) near the end: its warning comes while the
# bar is drawn
awk 'NR >= 15000 && !done && /^SKU-/ { print "BAD-1,Bad price,,12x,1,EUR"; done = 1 } 1' \
    "$TMP/cat.csv" >"$TMP/cat2.csv" && mv "$TMP/cat2.csv" "$TMP/cat.csv"
q "CREATE FUNCTION slow() RETURNS trigger LANGUAGE plpgsql AS \$\$
   BEGIN PERFORM pg_sleep(0.1); RETURN NULL; END \$\$;
   CREATE TRIGGER slow AFTER INSERT ON products FOR EACH STATEMENT EXECUTE FUNCTION slow()" \
    >/dev/null
LOAD_ARGS=(--url "$PGURL" -b 500 -j 2)

# Run the loader on a pseudo-terminal of COLS columns; its terminal output
# (stdout and stderr, with the terminal's \r\n) into $TMP/tty.out.
run_on_tty() { # COLS ARGS...
    local cols=$1 cmd
    shift
    printf -v cmd '%q ' "$CRDBLOAD" "$@"
    script -qfec "stty cols $cols rows 24; exec $cmd" /dev/null >"$TMP/tty.out" 2>&1
    loader_rc=$?
    echo "+ (tty, $cols columns) crdbload $* -> exit $loader_rc"
}

# --- the bar ------------------------------------------------------------------
run_on_tty 100 "${LOAD_ARGS[@]}" "$TMP/cat.csv"
check_eq "bar: exit 1 (one row rejected)" "$loader_rc" 1
out=$(cat "$TMP/tty.out")
check_match "bar: percent and rows/s drawn" "$out" '[0-9]+\.[0-9]%.* rows/s'
check_match "bar: ETA drawn" "$out" 'ETA [0-9]+:[0-9][0-9]'
check_eq "bar: every row loaded but the bad one" "$(q 'SELECT count(*) FROM products')" $N

# Lines as the terminal got them, less the \r of its \r\n.
mapfile -t lines < <(sed 's/\r$//' "$TMP/tty.out")
summary_line= warning_line= widest=0 draws=0
for l in "${lines[@]}"; do
    case $l in *"crdbload: summary"*) summary_line=$l ;; esac
    case $l in *"row rejected"*) warning_line=$l ;; esac
    IFS=$'\r' read -r -a segs <<<"$l"
    for s in "${segs[@]}"; do
        case $s in "  throughput:"*) ;; *rows/s*)
            draws=$((draws + 1))
            [ ${#s} -gt "$widest" ] && widest=${#s}
            ;;
        esac
    done
done
check "bar: redrawn several times (got $draws)" test "$draws" -ge 4
check "bar: never wider than the terminal less one column (widest $widest)" \
    test "$widest" -le 99
# The summary's line: the bar, then blanks over it, then the summary after
# the last \r - nothing of the bar left after that \r.
last=${summary_line##*$'\r'}
check_match "bar cleared: the summary starts its line after the last \\r" "$last" \
    '^crdbload: summary: rejects'
before=${summary_line%$'\r'*}
before=${before##*$'\r'}
check_match "bar cleared: blanked with spaces before the summary" "$before" '^ +$'
check_match "bar: a warning mid-bar starts on a clean line" "${warning_line##*$'\r'}" \
    '^crdbload: warning: .*cat\.csv:[0-9]+: row rejected'
case $warning_line in
*$'\r'*) # a bar was on that line: blanked before the warning
    before=${warning_line%$'\r'*}
    check_match "bar: blanked before the warning" "${before##*$'\r'}" '^ +$'
    ;;
esac
check "bar: the summary follows on lines of its own" \
    grep -qE "^  rows read: +$((N + 1))\$" <(sed 's/\r$//' "$TMP/tty.out")

# A narrow terminal: the least useful parts go, the line still fits.
q "TRUNCATE products" >/dev/null
run_on_tty 40 "${LOAD_ARGS[@]}" --progress bar "$TMP/cat.csv"
widest=0
while IFS= read -r s; do
    [ ${#s} -gt "$widest" ] && widest=${#s}
done < <(tr '\r' '\n' <"$TMP/tty.out" | grep 'rows/s' | grep -v '^  throughput:')
check "bar, 40 columns: drawn, at most 39 wide (widest $widest)" \
    test "$widest" -gt 0 -a "$widest" -le 39
check_match "bar, 40 columns: keeps percent, rows and rows/s" "$(cat "$TMP/tty.out")" \
    '[0-9]\.[0-9]% [0-9]+ rows [0-9]+ rows/s'

# --quiet on a terminal: nothing at all when all goes well.
q "TRUNCATE products" >/dev/null
head -n 5000 "$TMP/cat.csv" >"$TMP/small.csv"
run_on_tty 100 "${LOAD_ARGS[@]}" -q "$TMP/small.csv"
check_eq "--quiet: exit 0" "$loader_rc" 0
check_eq "--quiet: no output on the terminal" "$(wc -c <"$TMP/tty.out")" 0

# --- log lines (no terminal: auto means log) -----------------------------------
q "TRUNCATE products" >/dev/null
run_loader "${LOAD_ARGS[@]}" --progress-interval 0.2 "$TMP/cat.csv"
check_eq "log: exit 1" "$loader_rc" 1
grep '^crdbload: progress: ' "$TMP/loader.err" >"$TMP/log.txt"
n=$(wc -l <"$TMP/log.txt")
elapsed=$(sed -nE 's/^  elapsed: +([0-9.]+) s$/\1/p' "$TMP/loader.err")
echo "  $n log lines in $elapsed s"
check "log: several lines (got $n)" test "$n" -ge 4
# at the interval: about elapsed / 0.2 lines, each 0.2 s after the previous
check "log: about one line each 0.2 s ($n lines in $elapsed s)" \
    awk -v n="$n" -v e="$elapsed" 'BEGIN { exit !(n >= e / 0.2 * 0.6 && n <= e / 0.2 + 1) }'
check "log: the lines are 0.2 s apart (0.1..0.4 s)" awk '
    { sub(/^crdbload: progress: /, ""); t = $1 + 0 }
    NR > 1 && (t - prev < 0.1 || t - prev > 0.4) { bad = 1; print "gap", t - prev }
    { prev = t } END { exit bad }' "$TMP/log.txt"
# Every line has the figures; the ETA is --:-- until the first bytes are counted
# (every 1024 records: on a slow machine the first line can come before), then a
# time on some line.
log_line='^crdbload: progress: [0-9.]+ s, [0-9.]+% of input, [0-9]+ rows, [0-9]+ rows/s \(now [0-9]+\), [0-9.]+ MB/s, [0-9]+ retries, [0-9]+ rejected, ETA '
check "log: every line has percent, rows, rates, retries, rejects and ETA" \
    bash -c "! grep -vE '${log_line}([0-9:]+|--:--)\$' '$TMP/log.txt'"
check "log: a line has an ETA of hh:mm:ss" grep -qE "${log_line}[0-9]+:[0-9:]+\$" "$TMP/log.txt"
check "log: no \\r and no bar" bash -c "! grep -q \$'\\r' '$TMP/loader.err'"

# --- JSON lines ---------------------------------------------------------------
# Each line must be one JSON object with the same figures; PostgreSQL parses it.
check_json_lines() { # DESC FILE
    local desc=$1 file=$2 n=0 bad=0 line keys
    while IFS= read -r line; do
        n=$((n + 1))
        keys=$(q "SELECT string_agg(k, ',' ORDER BY k) FROM json_object_keys(\$j\$$line\$j\$::json) k" 2>&1)
        if [ "$keys" != "bytes_read,elapsed_s,eta_s,input_size,mb_per_s,percent,reconnects,retries,rows_per_s,rows_per_s_now,rows_read,rows_rejected,rows_written" ]; then
            bad=$((bad + 1))
            echo "  not a progress object: $line -> $keys"
        fi
    done <"$file"
    check "$desc: $n lines, each a JSON object with every key" test "$n" -ge 4 -a "$bad" -eq 0
}
q "TRUNCATE products" >/dev/null
run_loader "${LOAD_ARGS[@]}" --progress json --progress-interval 0.2 "$TMP/cat.csv"
grep '^{' "$TMP/loader.err" >"$TMP/json.txt"
check_json_lines "json, file" "$TMP/json.txt"
check_eq "json: nothing but JSON lines, warnings and the summary on stderr" \
    "$(grep -cvE '^(\{|crdbload: (warning|summary)|  )' "$TMP/loader.err")" 0
check_eq "json: percent is a number for a file" \
    "$(q "SELECT json_typeof(\$j\$$(tail -n 1 "$TMP/json.txt")\$j\$::json->'percent')")" number

# From a pipe the size is unknown: percent, ETA and input_size are null, not -1.
q "TRUNCATE products" >/dev/null
"$CRDBLOAD" "${LOAD_ARGS[@]}" --progress json --progress-interval 0.2 - \
    < <(cat "$TMP/cat.csv") >"$TMP/loader.out" 2>"$TMP/loader.err"
grep '^{' "$TMP/loader.err" >"$TMP/json.txt"
check_json_lines "json, pipe" "$TMP/json.txt"
last=$(tail -n 1 "$TMP/json.txt")
check_eq "json, pipe: percent, eta_s and input_size are null" \
    "$(q "SELECT concat_ws(',', json_typeof(j->'percent'), json_typeof(j->'eta_s'), json_typeof(j->'input_size')) FROM (SELECT \$j\$$last\$j\$::json j) s")" \
    "null,null,null"
check "json, pipe: no negative number anywhere" bash -c "! grep -q ':-' '$TMP/json.txt'"

finish
