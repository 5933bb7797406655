# --checkpoint's contract apart from crashes: an abort for too many rejects
# leaves a checkpoint; a checkpoint made for other inputs or settings, a
# corrupt one, or one that is an input is refused with exit 2 and nothing
# written; the rerun with the right input appends to --rejects (one header),
# resumes, exits 1 and removes the checkpoint.
source "$TESTLIB"
source "$LOADLIB"
source "$(dirname "$LOADLIB")/faultlib.sh"
load_fixture schema.sql
"$GENCATALOG" -n 2000 -s 1 -o "$TMP/a1.csv"
"$GENCATALOG" -n 2000 -s 2 | tail -n +2 | sed 's/^SKU-/SKV-/' > "$TMP/a2.csv"
cat "$TMP/a1.csv" "$TMP/a2.csv" > "$TMP/good.csv"
{ cat "$TMP/a1.csv"; echo "BAD-1,bad stock,,1.00,notanint,EUR"; cat "$TMP/a2.csv"; } > "$TMP/a.csv"
N=4001 # records of a.csv
stage_ordered "$TMP/good.csv" ref
ARGS=(--url "$PGURL" -j 2 -b 100 --progress none)

# --- too many rejects: exit 3, the checkpoint left ----------------------------
slow_statements 20
run_loader "${ARGS[@]}" --max-rejects 0 --rejects "$TMP/rej.csv" --checkpoint "$TMP/ck" \
    --summary-json "$TMP/r1.json" "$TMP/a.csv"
check_eq "too many rejects: exit 3" "$loader_rc" 3
rows=$(q "SELECT count(*) FROM products")
echo "rejects abort: rows_written $(js rows_written "$TMP/r1.json"), table $rows, checkpoint $(ckpt_field "$TMP/ck")"
check_eq "too many rejects: the summary's committed count equals the table" \
    "$(js rows_written "$TMP/r1.json")" "$rows"
check "too many rejects: the checkpoint is left" test -s "$TMP/ck"
prefix_committed "too many rejects" "$TMP/ck" ref
fast_statements
cp "$TMP/ck" "$TMP/ck.orig"
cp "$TMP/rej.csv" "$TMP/rej.orig"

refused() { # DESC PATTERN ARGS...: exit 2, the message, nothing written
    local desc=$1 pat=$2
    shift 2
    run_loader "${ARGS[@]}" --rejects "$TMP/rej.csv" "$@"
    check_eq "$desc: exit 2" "$loader_rc" 2
    check_match "$desc: says why" "$(cat "$TMP/loader.err")" "$pat"
    check_eq "$desc: nothing written" "$(q 'SELECT count(*) FROM products')" "$rows"
    check "$desc: the checkpoint is kept as it was" cmp "$TMP/ck" "$TMP/ck.orig"
    check "$desc: the rejects file is untouched" cmp "$TMP/rej.csv" "$TMP/rej.orig"
}

# --- refused --------------------------------------------------------------------
"$GENCATALOG" -n 4000 -s 3 -o "$TMP/other.csv"
refused "another input" 'different input: ".*other\.csv" has another size' \
    --checkpoint "$TMP/ck" "$TMP/other.csv"
cp "$TMP/a.csv" "$TMP/a-copy.csv"
touch -d '2001-01-01' "$TMP/a-copy.csv"
refused "same bytes, other mtime" 'different input: .* has another modification time' \
    --checkpoint "$TMP/ck" "$TMP/a-copy.csv"
sed 's/Portugal/Portugul/' "$TMP/a.csv" > "$TMP/a-edit.csv"
touch -r "$TMP/a.csv" "$TMP/a-edit.csv"
refused "same size and mtime, other content" 'different input: .* has other content' \
    --checkpoint "$TMP/ck" "$TMP/a-edit.csv"
refused "more inputs" 'written for 1 input, this run has 2' \
    --checkpoint "$TMP/ck" "$TMP/a.csv" "$TMP/other.csv"
refused "other settings" 'other settings' \
    --delimiter ';' --checkpoint "$TMP/ck" "$TMP/a.csv"
printf 'hello\n' > "$TMP/bad.ck"
refused "a corrupt checkpoint" 'not a valid crdbload checkpoint' \
    --checkpoint "$TMP/bad.ck" "$TMP/a.csv"
ln "$TMP/good.csv" "$TMP/good-link.csv" # another name: the CLI's name check passes
refused "the checkpoint is an input" 'is an input of this run' \
    --checkpoint "$TMP/good-link.csv" "$TMP/good.csv" "$TMP/a.csv"
refused "an unwritable checkpoint directory" 'cannot be written' \
    --checkpoint "$TMP/no/such/dir/ck" "$TMP/a.csv"

# --- resumed: appends to --rejects, exit 1, checkpoint removed -------------------
run_loader "${ARGS[@]}" --rejects "$TMP/rej.csv" --checkpoint "$TMP/ck" \
    --summary-json "$TMP/r2.json" "$TMP/a.csv"
check_eq "resumed: exit 1 (a row rejected)" "$loader_rc" 1
same_rows "resumed: the table equals the reference" products ref
skipped=$(js rows_skipped "$TMP/r2.json")
echo "rejects resume: rows_skipped $skipped, rows_read $(js rows_read "$TMP/r2.json")"
check_match "resumed: rows skipped" "$skipped" '^[1-9][0-9]*$'
check_eq "resumed: read + skipped = input" "$(($(js rows_read "$TMP/r2.json") + skipped))" $N
counts_add_up "resumed" "$TMP/r2.json"
check "resumed: the checkpoint is removed after exit 1" test ! -e "$TMP/ck"
check_eq "resumed: the rejects file has one header" "$(grep -c '^"sku",' "$TMP/rej.csv")" 1
check_match "resumed: the earlier run's reject is kept" "$(head -2 "$TMP/rej.csv" | tail -1)" '^"BAD-1"'
check_match "resumed: the rows the earlier run listed are kept, the new ones appended" \
    "$(grep -c '^"BAD-1"' "$TMP/rej.csv")" '^[12]$'

# --- several inputs: the position names the input; earlier ones are skipped whole --
q "TRUNCATE products" >/dev/null
"$GENCATALOG" -n 2000 -s 21 -o "$TMP/m0.csv"
"$GENCATALOG" -n 1000 -s 22 | sed 's/^SKU-/SKV-/' > "$TMP/m1a.csv"
"$GENCATALOG" -n 1000 -s 23 | tail -n +2 | sed 's/^SKU-/SKW-/' > "$TMP/m1b.csv"
{ cat "$TMP/m1a.csv"; echo "BAD-2,bad price,,1.0.0,1,EUR"; cat "$TMP/m1b.csv"; } > "$TMP/m1.csv"
{ cat "$TMP/m0.csv"; tail -n +2 "$TMP/m1a.csv"; cat "$TMP/m1b.csv"; } > "$TMP/mgood.csv"
stage_reference "$TMP/mgood.csv" mref
slow_statements 20
run_loader "${ARGS[@]}" --max-rejects 0 --checkpoint "$TMP/mck" --summary-json "$TMP/m1.json" \
    "$TMP/m0.csv" "$TMP/m1.csv"
check_eq "two inputs, too many rejects: exit 3" "$loader_rc" 3
check_eq "two inputs: the summary's committed count equals the table" \
    "$(js rows_written "$TMP/m1.json")" "$(q 'SELECT count(*) FROM products')"
pos=$(ckpt_field "$TMP/mck")
echo "two inputs: checkpoint at $pos, table $(q 'SELECT count(*) FROM products')"
check_match "two inputs: the position is in the second input" "$pos" '^1 [0-9]+$'
fast_statements
run_loader "${ARGS[@]}" --checkpoint "$TMP/mck" --summary-json "$TMP/m2.json" \
    "$TMP/m0.csv" "$TMP/m1.csv"
check_eq "two inputs, resumed: exit 1" "$loader_rc" 1
same_rows "two inputs, resumed: the table equals the reference" products mref
skipped=$(js rows_skipped "$TMP/m2.json")
check_eq "two inputs, resumed: the first input and the second's prefix skipped" \
    "$skipped" "$((2000 + ${pos#* }))"
check_eq "two inputs, resumed: read + skipped = input" \
    "$(($(js rows_read "$TMP/m2.json") + skipped))" 4001
check "two inputs, resumed: the checkpoint is removed" test ! -e "$TMP/mck"

# --- a run without a checkpoint file to resume from creates and removes it -------
q "TRUNCATE products" >/dev/null
run_loader "${ARGS[@]}" --checkpoint "$TMP/ck" --summary-json "$TMP/r3.json" "$TMP/good.csv"
check_eq "fresh: exit 0" "$loader_rc" 0
check_eq "fresh: nothing skipped" "$(js rows_skipped "$TMP/r3.json")" 0
check "fresh: no checkpoint left" test ! -e "$TMP/ck"
check "fresh: no temp file left" test ! -e "$TMP/ck.tmp"
finish
