# tests/crdb/insert_first.sh - insert first on a real CockroachDB v21.1 node:
# an initial load sends its batches as plain INSERTs (no ON CONFLICT) and no
# upsert; a reload meets conflicts (23505), sends those batches again as the
# upsert and only a few INSERTs fail, with the upsert's counts (written,
# unchanged with --only-changed, no retry, no reject); a file half new, half
# loaded; a 23505 on another unique index still rejects that row with its line.
# What ran is read from the server's statement statistics, one application
# name a phase.
# with_crdb: --nodes 1
source "$TESTLIB"
source "$LOADLIB"
source "$CRDBLIB"
N=3000
"$GENCATALOG" -n $N -s 11 --gzip -o "$TMP/base.csv.gz"
"$GENCATALOG" -n $N -s 11 --change-fraction 0.1 -o "$TMP/changed.csv"
stage_generated ref_base -n $N -s 11
stage_generated ref_changed -n $N -s 11 --change-fraction 0.1

# Statements of application $1 (count, failed count): the plain INSERT into
# products ($2 = insert) or the upsert ($2 = upsert).
ran() {
    local like
    [ "$2" = insert ] && like="key NOT LIKE '%ON CONFLICT%'" || like="key LIKE '%ON CONFLICT%'"
    q "SELECT coalesce(sum(count), 0) || ' ' || coalesce(sum(count) FILTER (WHERE flags LIKE '%!%'), 0)
       FROM crdb_internal.node_statement_statistics
       WHERE application_name = '$1' AND key LIKE 'INSERT INTO public.products AS t%' AND $like"
}
url() { echo "$PGURL&application_name=$1"; }

# --- initial load: INSERTs only -----------------------------------------------------
run_loader --url "$(url if_s1)" -b 100 -j 2 --summary-json "$TMP/s1.json" "$TMP/base.csv.gz"
check_eq "initial load: exit 0" "$loader_rc" 0
check_eq "initial load: rows_written" "$(js rows_written "$TMP/s1.json")" $N
counts_add_up "initial load" "$TMP/s1.json"
same_rows "initial load equals the reference" products ref_base
check_eq "initial load: every batch a plain INSERT, none failed" "$(ran if_s1 insert)" \
    "$(js batches "$TMP/s1.json") 0"
check_eq "initial load: no upsert ran" "$(ran if_s1 upsert)" "0 0"

# --- reload: conflicts, the upsert's counts ------------------------------------------
ids=$(q "SELECT md5(string_agg(id::text || sku, ',' ORDER BY sku)) FROM products")
run_loader --url "$(url if_s2)" -b 100 -j 2 --summary-json "$TMP/s2.json" "$TMP/base.csv.gz"
check_eq "reload: exit 0" "$loader_rc" 0
check_eq "reload: rows_written (every row updated)" "$(js rows_written "$TMP/s2.json")" $N
check_eq "reload: no reject" "$(js rows_rejected "$TMP/s2.json")" 0
check_eq "reload: no retry counted" "$(js retries "$TMP/s2.json")" 0
counts_add_up "reload" "$TMP/s2.json"
check_eq "reload: ids kept (updated in place)" \
    "$(q "SELECT md5(string_agg(id::text || sku, ',' ORDER BY sku)) FROM products")" "$ids"
read -r ins ins_failed <<<"$(ran if_s2 insert)"
read -r ups ups_failed <<<"$(ran if_s2 upsert)"
check_eq "reload: every INSERT tried failed" "$ins_failed" "$ins"
check_eq "reload: every batch committed as the upsert" "$ups $ups_failed" \
    "$(js batches "$TMP/s2.json") 0"
# per worker: its first INSERT (alone), and at most one probe after 16 upserts
check_match "reload: few INSERTs tried (1 a worker, and a probe after 16 upserts: 2..4)" "$ins" "^[2-4]$"
same_rows "reload equals the reference" products ref_base

# --- --only-changed reload with 10% changed: counts -----------------------------------
run_loader --url "$(url if_s3)" -b 100 --only-changed --summary-json "$TMP/s3.json" "$TMP/changed.csv"
check_eq "--only-changed: exit 0" "$loader_rc" 0
check_eq "--only-changed: written = the changed rows" "$(js rows_written "$TMP/s3.json")" $((N / 10))
check_eq "--only-changed: the rest unchanged" "$(js rows_unchanged "$TMP/s3.json")" $((N - N / 10))
same_rows "--only-changed equals the changed reference" products ref_changed

# --- half the keys new: inserted or updated, all counted ---------------------------------
q "DELETE FROM products WHERE sku >= 'SKU-00001500'" >/dev/null
run_loader --url "$(url if_s4)" -b 100 -j 3 --only-changed --summary-json "$TMP/s4.json" "$TMP/changed.csv"
check_eq "half new: exit 0" "$loader_rc" 0
check_eq "half new: the new rows written, the loaded ones unchanged" \
    "$(js rows_written "$TMP/s4.json") $(js rows_unchanged "$TMP/s4.json")" "$((N / 2)) $((N / 2))"
counts_add_up "half new" "$TMP/s4.json"
same_rows "half new equals the changed reference" products ref_changed

# --- a 23505 on another unique index: that row rejected with its line ------------------
q "TRUNCATE products; CREATE UNIQUE INDEX products_name_key ON products (name)" >/dev/null
awk 'BEGIN { print "sku,name,description,price,stock,currency"
             for (i = 1; i < 60; i++) printf "SKU-%08d,name %d,,1.00,1,EUR\n", i, i
             print "SKU-99999999,name 4,,1.00,1,EUR" }' >"$TMP/dupname.csv"
run_loader --url "$(url if_s5)" -b 100 -j 1 --summary-json "$TMP/s5.json" "$TMP/dupname.csv"
err=$(cat "$TMP/loader.err")
check_eq "another unique index: exit 1 (rows rejected)" "$loader_rc" 1
check_eq "another unique index: the others written" "$(js rows_written "$TMP/s5.json")" 59
check_eq "another unique index: one row rejected" "$(js rows_rejected "$TMP/s5.json")" 1
check_match "another unique index: rejected with its line and 23505" "$err" 'dupname\.csv:61: .*23505'
check_eq "another unique index: the INSERT tried once" "$(ran if_s5 insert)" "1 1"
finish
