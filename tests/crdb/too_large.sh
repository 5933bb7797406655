# tests/crdb/too_large.sh - CockroachDB's Raft command size limit
# (kv.raft.command.max_size, set here to its minimum, 4 MiB) on a real v21.1
# node. A statement whose rows are over it fails with XXUUU "command is too
# large: N bytes (max: M)": crdbload splits the batch like for any error a row
# can cause, the halves that fit are loaded, and a row that alone is over it
# (three 1 MB values, two of them indexed again) is rejected with its line;
# the run ends with exit 1, not 3.
# with_crdb: --nodes 1
# labels: threads
source "$TESTLIB"
source "$LOADLIB"
source "$CRDBLIB"
q "SET CLUSTER SETTING kv.raft.command.max_size = '4MiB'" >/dev/null
q "CREATE TABLE big (sku STRING PRIMARY KEY, a STRING, b STRING, c STRING, INDEX (a, b))" >/dev/null

# Values that do not compress: hex of AES-CTR output.
random_hex() { # BYTES SEED: 2 x BYTES hex digits
    head -c "$1" /dev/zero |
        openssl enc -aes-128-ctr -nosalt -K "$(printf '%032x' "$2")" -iv 0 2>/dev/null |
        od -An -v -tx1 | tr -d ' \n'
}
{
    echo 'sku,a,b,c'
    for i in 1 2 3 4 5 6; do # lines 2-7: 0.9 MB each, 5.4 MB together
        printf 'M%d,%s,,\n' "$i" "$(random_hex 450000 "$i")"
    done
    printf 'B1,%s,%s,%s\n' "$(random_hex 500000 11)" "$(random_hex 500000 12)" \
        "$(random_hex 500000 13)" # line 8: 3 MB, 5 MB with its index entry
    printf 'S1,small,,\nS2,small,,\n' # lines 9-10
} >"$TMP/big.csv"

run_loader --url "$PGURL" -t big -b 20 -j 1 --summary-json "$TMP/big.json" "$TMP/big.csv"
check_eq "command too large: exit 1 (a row rejected, not aborted)" "$loader_rc" 1
check_eq "command too large: the rows that fit in halves are loaded" \
    "$(q 'SELECT string_agg(sku, $$,$$ ORDER BY sku) FROM big')" "M1,M2,M3,M4,M5,M6,S1,S2"
check_eq "command too large: one row rejected" "$(js rows_rejected "$TMP/big.json")" 1
counts_add_up "command too large" "$TMP/big.json"
check_match "command too large: the row over the limit, by its line, with XXUUU" \
    "$(cat "$TMP/loader.err")" 'big\.csv:8: row rejected: XXUUU: command is too large'
q "SET CLUSTER SETTING kv.raft.command.max_size = DEFAULT" >/dev/null
finish
