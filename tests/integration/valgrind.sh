# One whole run under valgrind's memcheck: a few thousand rows from a gzip
# file, two workers, rows rejected by the client (bad numeric, NUL byte,
# ragged) and by the server (a CHECK constraint the client does not know, so
# that a batch is split), a rejects file. Any invalid read or write, use of
# uninitialised memory, bad free, or a definite or indirect leak makes valgrind
# exit 9 and is counted in its ERROR SUMMARY.
#
# Not registered in sanitizer builds (tests/CMakeLists.txt): valgrind cannot
# run an ASan or TSan binary, and a test that skipped must not pass.
source "$TESTLIB"
source "$LOADLIB"
load_fixture schema.sql
q "ALTER TABLE products ADD CONSTRAINT no_srv CHECK (sku NOT LIKE 'SRV-%')" >/dev/null

check "valgrind is installed (scripts/deps.sh)" command -v valgrind
if ldd "$CRDBLOAD" | grep -qE 'lib(asan|tsan|ubsan)'; then
    # tests/CMakeLists.txt keeps this script out of sanitizer builds.
    fail "crdbload is a sanitizer build; valgrind cannot run it"
    finish
fi

N=3000
{
    "$GENCATALOG" -n $N -s 9
    printf 'BAD-1,bad price,,12x,1,EUR\n'
    printf 'BAD-2,nul\0byte,,1.00,1,EUR\n'
    printf 'BAD-3,ragged\n'
    printf 'SRV-1,refused by the server,,1.00,1,EUR\n'
} | gzip -c >"$TMP/cat.csv.gz"

valgrind --error-exitcode=9 --leak-check=full --show-leak-kinds=definite,indirect \
    --errors-for-leak-kinds=definite,indirect --track-origins=yes --num-callers=30 \
    --log-file="$TMP/valgrind.log" \
    "$CRDBLOAD" --url "$PGURL" -j 2 -b 500 --rejects "$TMP/rej.csv" \
    --summary-json "$TMP/s.json" "$TMP/cat.csv.gz" >"$TMP/loader.out" 2>"$TMP/loader.err"
rc=$?
echo "+ valgrind crdbload ... -> exit $rc; valgrind's summary:"
grep -E 'ERROR SUMMARY|definitely|indirectly|possibly|still reachable|Invalid|uninitialised' \
    "$TMP/valgrind.log" | sed 's/^/  | /'
if [ "$rc" != 1 ]; then
    echo "  valgrind log:"
    sed 's/^/  | /' "$TMP/valgrind.log" | head -n 200
    echo "  crdbload stderr:"
    tail -n 20 "$TMP/loader.err" | sed 's/^/  | /'
fi

check_eq "under valgrind: exit 1 (rows rejected), not 9 (valgrind errors)" "$rc" 1
check_match "valgrind: ERROR SUMMARY: 0 errors" "$(grep 'ERROR SUMMARY' "$TMP/valgrind.log")" \
    'ERROR SUMMARY: 0 errors from 0 contexts'
check "valgrind: no definite or indirect leak" \
    bash -c "! grep -E '(definitely|indirectly) lost: [1-9]' '$TMP/valgrind.log'"
check_eq "under valgrind: every good row loaded" "$(q 'SELECT count(*) FROM products')" $N
check_eq "under valgrind: 4 rows rejected" "$(js rows_rejected "$TMP/s.json")" 4
counts_add_up "under valgrind" "$TMP/s.json"
check_match "under valgrind: the server's reject is isolated and named" \
    "$(cat "$TMP/loader.err")" 'cat\.csv\.gz:[0-9]+: row rejected: 23514: .*no_srv'
check_eq "under valgrind: rejects file holds the 4 rows" "$(grep -ac '^"BAD-\|^"SRV-' "$TMP/rej.csv")" 4
finish
