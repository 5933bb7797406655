# One run per checkpoint: while a run holds --checkpoint FILE, a second run
# with the same FILE exits 2 at once, naming the first one's process, and
# writes nothing (the first run's checkpoint and lock stay); a run with
# another FILE is not held up; once the first run ends, the file is free.
source "$TESTLIB"
source "$LOADLIB"
source "$(dirname "$LOADLIB")/faultlib.sh"
load_fixture schema.sql
"$GENCATALOG" -n 3000 -s 1 -o "$TMP/a.csv"
"$GENCATALOG" -n 50 -s 2 | sed 's/^SKU-/SKV-/' > "$TMP/b.csv"
ARGS=(--url "$PGURL" -j 2 -b 100 --progress none)

slow_statements 100 # 30 batches: several seconds
start_loader "${ARGS[@]}" --checkpoint "$TMP/ck" --summary-json "$TMP/first.json" "$TMP/a.csv"
first=$loader_pid
wait_rows 1
check "the first run holds the lock file" test -e "$TMP/ck.lock"

t0=$(ms_now)
"$CRDBLOAD" "${ARGS[@]}" --checkpoint "$TMP/ck" "$TMP/a.csv" >"$TMP/second.out" 2>"$TMP/second.err"
second_rc=$?
t1=$(ms_now)
echo "second run: exit $second_rc after $((t1 - t0)) ms:"
sed 's/^/  | /' "$TMP/second.err"
check_eq "second run with the same checkpoint: exit 2" "$second_rc" 2
check_match "second run: names the process holding the checkpoint" \
    "$(cat "$TMP/second.err")" "checkpoint \".*/ck\" is in use by another crdbload run \\(process $first\\)"
check "second run: refused at once (under 3 s)" test $((t1 - t0)) -lt 3000
check "second run: the first run is still loading" kill -0 "$first"
check "second run: the first run's checkpoint is still there" test -s "$TMP/ck"
check "second run: the first run's lock file is still there" test -e "$TMP/ck.lock"

# The same inputs under another checkpoint are not held up by the lock.
"$CRDBLOAD" "${ARGS[@]}" --checkpoint "$TMP/other-ck" "$TMP/b.csv" >/dev/null 2>"$TMP/other.err"
check_eq "another checkpoint file: runs alongside (exit 0)" "$?" 0

wait_loader
check_eq "first run: exit 0" "$loader_rc" 0
check_eq "first run: loaded everything" "$(js rows_written "$TMP/first.json")" 3000
check "first run: checkpoint removed" test ! -e "$TMP/ck"
check "first run: lock file removed" test ! -e "$TMP/ck.lock"
fast_statements

# A run killed with -9 leaves its lock file; the kernel dropped the lock.
q "TRUNCATE products" >/dev/null
slow_statements 100
start_loader "${ARGS[@]}" --checkpoint "$TMP/ck" "$TMP/a.csv"
wait_rows 500
kill -9 "$loader_pid"
wait "$loader_pid" 2>/dev/null
check "killed run: the lock file is left" test -e "$TMP/ck.lock"
fast_statements
run_loader "${ARGS[@]}" --checkpoint "$TMP/ck" --summary-json "$TMP/resumed.json" "$TMP/a.csv"
check_eq "after kill -9: the next run takes the lock and resumes (exit 0)" "$loader_rc" 0
check "after kill -9: lock file removed" test ! -e "$TMP/ck.lock"
finish
