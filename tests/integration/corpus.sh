# CSV files written by others, and crafted ones (issue 9): each is loaded by
# crdbload and by PostgreSQL's own COPY ... FROM (FORMAT csv, HEADER true)
# into tables of text columns, and the tables are compared: rows, NULLs and
# counts.
#
# The corpus is tests/corpus/: sources/ holds files of the test suites of CSV
# parsers in other languages (tests/corpus/MANIFEST.tsv: repository, commit,
# path and licence of each; the licences in tests/corpus/LICENSES/), crafted/
# one file a rule of COPY's that crdbload must follow (the issue's examples
# among them). A .tsv file is read with a tab delimiter, by both.
#
# For each file, with N the number of fields of its header (of its records,
# when the header is blank), the tables have columns c1..cN, and crdbload is
# given --columns c1,...,cN (its header line is skipped, as HEADER true skips
# it). crdbload needs a key: the column COPY left with the fewest NULLs. So
# that rows with the same key are not merged, the table crdbload loads moves
# the key into _orig in a BEFORE INSERT trigger and puts a sequence number in
# its place (t_setup), and crdbload sends one row a statement (-b 1, one
# worker): every row is kept.
# A row whose key is NULL cannot be loaded by crdbload ("the key is null"):
# their number must equal the number of COPY's rows with a NULL key, and the
# other rows are compared.
#
#  - A file COPY accepts must give the same table (EXCEPT ALL both ways,
#    which compares NULLs as NULLs), and crdbload may reject nothing else than
#    NULL keys and records after an end-of-data marker (which COPY drops).
#  - A file COPY refuses: corpus_records (crdbload's reader) cuts it into the
#    records crdbload keeps (kept.csv) and one file per record it rejects
#    (bad_LINE.csv, the header and that record). COPY must accept kept.csv and
#    give crdbload's table, and must refuse every bad_LINE.csv: each rejected
#    record is one COPY refuses, at the line crdbload names.
#  - A header COPY refuses (not UTF-8): crdbload must refuse it too (exit 2).
source "$TESTLIB"
source "$LOADLIB"
: "${CORPUS:?CORPUS is not set}" "${CORPUS_RECORDS:?CORPUS_RECORDS is not set}"
[ -x "$CORPUS_RECORDS" ] || { fail "corpus_records not built: $CORPUS_RECORDS"; finish; }

IN=$TMP/in
mkdir -p "$IN"
chmod 755 "$IN"
export PGOPTIONS="-c client_min_messages=warning" # no NOTICE taken for an error

# One psql session for all the SQL (a connection costs more than the work):
# sql "SQL" prints what the statements print, errors included ("ERROR: ...").
# (Its pipes are copied to fds 7 and 8, which subshells inherit.)
coproc PSQL { psql -X -q -At -v ON_ERROR_STOP=0 -d "$PGURL" 2>&1; }
exec 7<&"${PSQL[0]}" 8>&"${PSQL[1]}"
sql() {
    printf '%s\n\\echo __END__\n' "$1" >&8
    local line
    while IFS= read -r line <&7; do
        [ "$line" = __END__ ] && break
        printf '%s\n' "$line"
    done
}

# Made once: t_setup(n) creates t_crdb for a file of n fields, keyed by the
# column of t_copy with the fewest NULLs, whose value a trigger moves into
# _orig (a sequence number takes its place), and returns that column's name.
sql "DROP SEQUENCE IF EXISTS t_seq; CREATE SEQUENCE t_seq;
CREATE FUNCTION t_key() RETURNS trigger LANGUAGE plpgsql AS \$\$
BEGIN
    RETURN jsonb_populate_record(NEW, jsonb_build_object(
        '_orig', to_jsonb(NEW) ->> TG_ARGV[0], TG_ARGV[0], nextval('t_seq')::text));
END \$\$;
CREATE FUNCTION t_setup(n int) RETURNS text LANGUAGE plpgsql AS \$\$
DECLARE k text;
BEGIN
    SELECT c INTO k FROM (SELECT 'c' || i AS c, i FROM generate_series(1, n) i) s
     ORDER BY (SELECT count(*) FROM t_copy WHERE (to_jsonb(t_copy) ->> s.c) IS NULL), i LIMIT 1;
    EXECUTE format('CREATE TABLE t_crdb (%s, _orig text)',
                   (SELECT string_agg(format('c%s text', i), ', ') FROM generate_series(1, n) i));
    EXECUTE format('CREATE UNIQUE INDEX ON t_crdb (%I)', k);
    EXECUTE format('CREATE TRIGGER t_key BEFORE INSERT ON t_crdb FOR EACH ROW EXECUTE FUNCTION t_key(%L)', k);
    RETURN k;
END \$\$;" >/dev/null

mapfile -t files < <(awk -F'\t' 'NR > 1 { print $1 }' "$CORPUS/MANIFEST.tsv"
    (cd "$CORPUS" && ls crafted/*))
check "the corpus has files" test "${#files[@]}" -ge 100

n_same=0 n_refused=0 n_header=0 n_bad=0
for rel in "${files[@]}"; do
    src=$CORPUS/$rel
    delim=, copt=
    case $rel in *.tsv) delim=$'\t' copt=", DELIMITER E'\\t'" ;; esac
    work=$IN/w
    rm -rf "$work"
    mkdir -p "$work"
    chmod 755 "$work"
    cp "$src" "$work/f.csv"
    chmod 644 "$work/f.csv"

    # How crdbload's reader cuts the file; N from the header (or the records).
    if ! "$CORPUS_RECORDS" "$work/f.csv" "$delim" >"$work/recs"; then
        fail "$rel: corpus_records could not read it"
        continue
    fi
    nrec=$(wc -l <"$work/recs")
    [ "$nrec" -gt 0 ] || continue # empty: nothing to compare
    n=$(awk -F'\t' 'NR == 1 { h = $6; blank = $2 == $1 } NR > 1 { c[$6]++ }
        END { if (!blank || NR == 1) { print h; exit }
              for (k in c) if (c[k] > best) { best = c[k]; m = k } print m }' "$work/recs")
    cols=$(seq -s, -f 'c%g' 1 "$n")
    coldefs=$(seq -s, -f 'c%g text' 1 "$n")
    header_status=$(head -n 1 "$work/recs" | cut -f5)

    # COPY, the whole file.
    copy_err=$(sql "DROP TABLE IF EXISTS t_copy, t_one, t_crdb;
CREATE TABLE t_copy ($coldefs);
CREATE TABLE t_one ($coldefs);
COPY t_copy FROM '$work/f.csv' (FORMAT csv, HEADER true$copt);")
    accepted=1
    [ -z "$copy_err" ] || accepted=0

    if [ "$header_status" != 0 ]; then
        # The header itself is bad (not UTF-8...): crdbload refuses the file.
        run_loader --url "$PGURL" -t t_one --key c1 --columns "$cols" --delimiter "$delim" \
            --progress none "$work/f.csv"
        if [ "$loader_rc" = 2 ] && [ "$accepted" = 0 ] &&
            grep -q 'bad header' "$TMP/loader.err"; then
            ok "$rel: the header is refused by COPY and crdbload"
            n_header=$((n_header + 1))
        else
            fail "$rel: bad header: crdbload exit $loader_rc (want 2), COPY accepted=$accepted" \
                "COPY: $copy_err"
            n_bad=$((n_bad + 1))
        fi
        continue
    fi

    if [ "$accepted" = 0 ]; then
        # Cut where crdbload cuts; COPY must take what crdbload keeps and refuse
        # each record crdbload rejects.
        "$CORPUS_RECORDS" "$work/f.csv" "$delim" "$n" "$work" >/dev/null
        chmod 644 "$work"/*.csv
        kept_err=$(sql "COPY t_copy FROM '$work/kept.csv' (FORMAT csv, HEADER true$copt);")
        if [ -n "$kept_err" ]; then
            fail "$rel: COPY refuses the records crdbload keeps" "COPY (whole file): $copy_err" \
                "COPY (kept records): $kept_err"
            n_bad=$((n_bad + 1))
            continue
        fi
        nbad=0 bad_sql=
        for b in "$work"/bad_*.csv; do
            [ -e "$b" ] || continue
            nbad=$((nbad + 1))
            bad_sql+="COPY t_one FROM '$b' (FORMAT csv, HEADER true$copt);"$'\n'
        done
        if [ "$nbad" -gt 0 ]; then
            refused=$(sql "$bad_sql" | grep -c '^ERROR:')
            if [ "$refused" != "$nbad" ]; then
                fail "$rel: COPY takes $((nbad - refused)) of the $nbad records crdbload rejects"
                n_bad=$((n_bad + 1))
                continue
            fi
        fi
    fi

    # The key: the column COPY left with the fewest NULLs (t_setup).
    key=$(sql "SELECT t_setup($n);")
    if [[ ! $key =~ ^c[0-9]+$ ]]; then
        fail "$rel: table setup: $key"
        n_bad=$((n_bad + 1))
        continue
    fi
    run_loader --url "$PGURL" -t t_crdb --key "$key" --columns "$cols" --delimiter "$delim" \
        -b 1 -j 1 --progress none --summary-json "$work/sum.json" "$work/f.csv"

    sel=$(seq -s, -f 'c%g' 1 "$n" | sed -E "s/(^|,)$key(,|$)/\1_orig\2/")
    read -r diff_rows null_keys < <(sql "SELECT
        (SELECT count(*) FROM (SELECT $sel FROM t_crdb EXCEPT ALL
            SELECT $cols FROM t_copy WHERE $key IS NOT NULL) a)
        + (SELECT count(*) FROM (SELECT $cols FROM t_copy WHERE $key IS NOT NULL
            EXCEPT ALL SELECT $sel FROM t_crdb) b),
        (SELECT count(*) FROM t_copy WHERE $key IS NULL);" | tr '|' ' ')
    nullkey_rejects=$(grep -c 'row rejected: .*the key .* is null' "$TMP/loader.err")
    marker_rejects=$(grep -c 'row rejected: after the end-of-data marker' "$TMP/loader.err")
    rejected=$(js rows_rejected "$work/sum.json")
    read_=$(js rows_read "$work/sum.json")
    want_rc=0
    [ "${rejected:-0}" = 0 ] || want_rc=1
    problems=()
    [ "$loader_rc" = "$want_rc" ] || problems+=("crdbload exit $loader_rc, want $want_rc")
    [ "$diff_rows" = 0 ] || problems+=("$diff_rows rows differ")
    [ "$null_keys" = "$nullkey_rejects" ] ||
        problems+=("COPY has $null_keys NULL keys, crdbload rejected $nullkey_rejects for it")
    [ "${read_:-x}" = $((nrec - 1)) ] || problems+=("crdbload read ${read_:-?} rows, the reader cut $((nrec - 1))")
    if [ "$accepted" = 1 ] && [ "${rejected:-0}" != $((nullkey_rejects + marker_rejects)) ]; then
        problems+=("COPY accepts the file, crdbload rejected $rejected rows")
    fi
    if [ ${#problems[@]} -eq 0 ]; then
        if [ "$accepted" = 1 ]; then
            n_same=$((n_same + 1))
        else
            n_refused=$((n_refused + 1))
        fi
    else
        fail "$rel: ${problems[*]}" "COPY: ${copy_err:-accepted}" \
            "crdbload: $(tail -n 5 "$TMP/loader.err" | tr '\n' ' ')"
        n_bad=$((n_bad + 1))
    fi
done

echo "corpus: ${#files[@]} files: $n_same accepted by COPY and identical," \
    "$n_refused refused by COPY and rejected record by record, $n_header with a header" \
    "both refuse, $n_bad differences"
check_eq "corpus: no differences with COPY" "$n_bad" 0
check "corpus: most files compared" test $((n_same + n_refused)) -ge 100
exec 8>&- 7<&-
finish
