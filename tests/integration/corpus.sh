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
# worker): every row is kept. A row whose key is NULL cannot be loaded by
# crdbload ("the key is null"): their number must equal the number of COPY's
# rows with a NULL key, and the other rows are compared.
#
#  - A file COPY accepts must give the same table (EXCEPT ALL both ways,
#    which compares NULLs as NULLs), and crdbload may reject nothing else than
#    NULL keys and records after an end-of-data marker (which COPY drops).
#  - A file COPY refuses: corpus_records (crdbload's reader) cuts it into the
#    records crdbload keeps (kept.csv) and one file per record it rejects
#    (bad_LINE.csv, the header and that record). COPY must accept kept.csv and
#    give crdbload's table, and must refuse every bad_LINE.csv: each rejected
#    record is one COPY refuses.
#  - A header COPY refuses (not UTF-8): crdbload must refuse it too (exit 2).
#
# The files are shared between two lanes that run side by side, each with its
# own tables and its own psql session.
source "$TESTLIB"
source "$LOADLIB"
: "${CORPUS:?CORPUS is not set}" "${CORPUS_RECORDS:?CORPUS_RECORDS is not set}"
[ -x "$CORPUS_RECORDS" ] || { fail "corpus_records not built: $CORPUS_RECORDS"; finish; }

IN=$TMP/in
mkdir -p "$IN"
chmod 755 "$IN"
export PGOPTIONS="-c client_min_messages=warning" # no NOTICE taken for an error

# One psql session a lane (a connection costs more than the work): sql "SQL"
# prints what the statements print, errors included ("ERROR: ..."). Its pipes
# are copied to fds 7 and 8, which the lane's subshells inherit.
open_sql() {
    coproc PSQL { psql -X -q -At -v ON_ERROR_STOP=0 -d "$PGURL" 2>&1; }
    psql_pid=$PSQL_PID
    exec 7<&"${PSQL[0]}" 8>&"${PSQL[1]}"
    eval "exec ${PSQL[0]}<&- ${PSQL[1]}>&-"
}
close_sql() {
    exec 8>&- 7<&-
    wait "$psql_pid" 2>/dev/null
}
sql() {
    printf '%s\n\\echo __END__\n' "$1" >&8
    local line
    while IFS= read -r line <&7; do
        [ "$line" = __END__ ] && break
        printf '%s\n' "$line"
    done
}

# Made once: t_setup(n, lane) creates t_crdbLANE for a file of n fields, keyed
# by the column of t_copyLANE with the fewest NULLs, whose value a trigger
# moves into _orig (a sequence number takes its place); returns that column.
open_sql
out=$(sql "DROP SEQUENCE IF EXISTS t_seq; CREATE SEQUENCE t_seq;
CREATE FUNCTION t_key() RETURNS trigger LANGUAGE plpgsql AS \$\$
BEGIN
    RETURN jsonb_populate_record(NEW, jsonb_build_object(
        '_orig', to_jsonb(NEW) ->> TG_ARGV[0], TG_ARGV[0], nextval('t_seq')::text));
END \$\$;
CREATE FUNCTION t_setup(n int, lane int) RETURNS text LANGUAGE plpgsql AS \$\$
DECLARE k text; nulls bigint; best bigint;
BEGIN
    FOR i IN 1..n LOOP
        EXECUTE format('SELECT count(*) FROM t_copy%s WHERE c%s IS NULL', lane, i) INTO nulls;
        IF best IS NULL OR nulls < best THEN best := nulls; k := 'c' || i; END IF;
    END LOOP;
    EXECUTE format('CREATE TABLE t_crdb%s (%s, _orig text)', lane,
                   (SELECT string_agg(format('c%s text', i), ', ') FROM generate_series(1, n) i));
    EXECUTE format('CREATE UNIQUE INDEX ON t_crdb%s (%I)', lane, k);
    EXECUTE format('CREATE TRIGGER t_key BEFORE INSERT ON t_crdb%s FOR EACH ROW '
                   'EXECUTE FUNCTION t_key(%L)', lane, k);
    RETURN k;
END \$\$;")
check_eq "the helper functions are created" "$out" ""
close_sql

mapfile -t files < <(awk -F'\t' 'NR > 1 { print $1 }' "$CORPUS/MANIFEST.tsv"
    (cd "$CORPUS" && ls crafted/*))
check "the corpus has files" test "${#files[@]}" -ge 100

# compare LANE REL: one file; prints one line, "OK <kind>" or "FAIL <why>".
compare() {
    local lane=$1 rel=$2
    local src=$CORPUS/$rel work=$IN/w$lane delim=, copt=
    local t_copy=t_copy$lane t_one=t_one$lane t_crdb=t_crdb$lane
    case $rel in *.tsv) delim=$'\t' copt=", DELIMITER E'\\t'" ;; esac
    rm -rf "$work"
    mkdir -p "$work"
    chmod 755 "$work"
    cp "$src" "$work/f.csv"
    chmod 644 "$work/f.csv"

    # How crdbload's reader cuts the file; N from the header (or the records).
    "$CORPUS_RECORDS" "$work/f.csv" "$delim" >"$work/recs" ||
        { echo "FAIL corpus_records could not read it"; return; }
    local nrec n cols coldefs header_status
    nrec=$(wc -l <"$work/recs")
    [ "$nrec" -gt 0 ] || { echo "OK empty"; return; }
    n=$(awk -F'\t' 'NR == 1 { h = $6; blank = $2 == $1 } NR > 1 { c[$6]++ }
        END { if (!blank || NR == 1) { print h; exit }
              for (k in c) if (c[k] > best) { best = c[k]; m = k } print m }' "$work/recs")
    cols=$(seq -s, -f 'c%g' 1 "$n")
    coldefs=$(seq -s, -f 'c%g text' 1 "$n")
    header_status=$(head -n 1 "$work/recs" | cut -f5)

    # COPY, the whole file.
    local copy_err accepted=1
    copy_err=$(sql "DROP TABLE IF EXISTS $t_copy, $t_one, $t_crdb;
CREATE TABLE $t_copy ($coldefs);
CREATE TABLE $t_one ($coldefs);
COPY $t_copy FROM '$work/f.csv' (FORMAT csv, HEADER true$copt);")
    [ -z "$copy_err" ] || accepted=0

    local rc
    if [ "$header_status" != 0 ]; then
        # The header itself is bad (not UTF-8...): crdbload refuses the file.
        "$CRDBLOAD" --url "$PGURL" -t "$t_one" --key c1 --columns "$cols" --delimiter "$delim" \
            --progress none "$work/f.csv" >/dev/null 2>"$work/err"
        rc=$?
        if [ "$rc" = 2 ] && [ "$accepted" = 0 ] && grep -q 'bad header' "$work/err"; then
            echo "OK header"
        else
            echo "FAIL bad header: crdbload exit $rc (want 2), COPY accepted=$accepted; COPY: $copy_err"
        fi
        return
    fi

    if [ "$accepted" = 0 ]; then
        # Cut where crdbload cuts; COPY must take what crdbload keeps and refuse
        # each record crdbload rejects.
        "$CORPUS_RECORDS" "$work/f.csv" "$delim" "$n" "$work" >/dev/null
        chmod 644 "$work"/*.csv
        local kept_err nbad=0 bad_sql= b refused
        kept_err=$(sql "COPY $t_copy FROM '$work/kept.csv' (FORMAT csv, HEADER true$copt);")
        if [ -n "$kept_err" ]; then
            echo "FAIL COPY refuses the records crdbload keeps: $kept_err (the whole file: $copy_err)" |
                tr '\n' ' '
            echo
            return
        fi
        for b in "$work"/bad_*.csv; do
            [ -e "$b" ] || continue
            nbad=$((nbad + 1))
            bad_sql+="COPY $t_one FROM '$b' (FORMAT csv, HEADER true$copt);"$'\n'
        done
        if [ "$nbad" -gt 0 ]; then
            refused=$(sql "$bad_sql" | grep -c '^ERROR:')
            if [ "$refused" != "$nbad" ]; then
                echo "FAIL COPY takes $((nbad - refused)) of the $nbad records crdbload rejects"
                return
            fi
        fi
    fi

    # The key: the column COPY left with the fewest NULLs (t_setup).
    local key
    key=$(sql "SELECT t_setup($n, $lane);")
    [[ $key =~ ^c[0-9]+$ ]] || { echo "FAIL table setup: $key" | tr '\n' ' '; echo; return; }
    "$CRDBLOAD" --url "$PGURL" -t "$t_crdb" --key "$key" --columns "$cols" --delimiter "$delim" \
        -b 1 -j 1 --progress none --summary-json "$work/sum.json" "$work/f.csv" \
        >/dev/null 2>"$work/err"
    rc=$?

    local sel diff_rows null_keys nullkey_rejects marker_rejects rejected read_ want_rc=0
    sel=$(seq -s, -f 'c%g' 1 "$n" | sed -E "s/(^|,)$key(,|$)/\1_orig\2/")
    read -r diff_rows null_keys < <(sql "SELECT
        (SELECT count(*) FROM (SELECT $sel FROM $t_crdb EXCEPT ALL
            SELECT $cols FROM $t_copy WHERE $key IS NOT NULL) a)
        + (SELECT count(*) FROM (SELECT $cols FROM $t_copy WHERE $key IS NOT NULL
            EXCEPT ALL SELECT $sel FROM $t_crdb) b),
        (SELECT count(*) FROM $t_copy WHERE $key IS NULL);" | tr '|' ' ')
    nullkey_rejects=$(grep -c 'row rejected: .*the key .* is null' "$work/err")
    marker_rejects=$(grep -c 'row rejected: after the end-of-data marker' "$work/err")
    rejected=$(js rows_rejected "$work/sum.json")
    read_=$(js rows_read "$work/sum.json")
    [ "${rejected:-0}" = 0 ] || want_rc=1
    local problems=()
    [ "$rc" = "$want_rc" ] || problems+=("crdbload exit $rc, want $want_rc")
    [ "$diff_rows" = 0 ] || problems+=("$diff_rows rows differ")
    [ "$null_keys" = "$nullkey_rejects" ] ||
        problems+=("COPY has $null_keys NULL keys, crdbload rejected $nullkey_rejects for it")
    [ "${read_:-x}" = $((nrec - 1)) ] ||
        problems+=("crdbload read ${read_:-?} rows, the reader cut $((nrec - 1))")
    if [ "$accepted" = 1 ] && [ "${rejected:-0}" != $((nullkey_rejects + marker_rejects)) ]; then
        problems+=("COPY accepts the file, crdbload rejected $rejected rows")
    fi
    if [ ${#problems[@]} -gt 0 ]; then
        echo "FAIL ${problems[*]}; COPY: ${copy_err:-accepted}; crdbload: $(tail -n 3 "$work/err")" |
            tr '\n' ' '
        echo
    elif [ "$accepted" = 1 ]; then
        echo "OK same"
    else
        echo "OK refused"
    fi
}

# lane L: every other file, from the L-th; "REL<TAB>RESULT" lines to $TMP/laneL.
lane() {
    local l=$1 i
    open_sql
    for ((i = l - 1; i < ${#files[@]}; i += 2)); do
        printf '%s\t%s\n' "${files[i]}" "$(compare "$l" "${files[i]}")"
    done >"$TMP/lane$l"
    close_sql
}
lane 1 &
lane_pid=$!
lane 2
wait "$lane_pid"

n_same=0 n_refused=0 n_header=0 n_bad=0 n_empty=0
while IFS=$'\t' read -r rel result; do
    case $result in
    "OK same") n_same=$((n_same + 1)) ;;
    "OK refused") n_refused=$((n_refused + 1)) ;;
    "OK header") n_header=$((n_header + 1)) ;;
    "OK empty") n_empty=$((n_empty + 1)) ;;
    *)
        fail "$rel: ${result#FAIL }"
        n_bad=$((n_bad + 1))
        ;;
    esac
done < <(cat "$TMP/lane1" "$TMP/lane2")

echo "corpus: ${#files[@]} files: $n_same accepted by COPY and identical," \
    "$n_refused refused by COPY and rejected record by record, $n_header with a header" \
    "both refuse, $n_empty empty, $n_bad differences"
check_eq "corpus: every file compared" $((n_same + n_refused + n_header + n_empty + n_bad)) \
    "${#files[@]}"
check_eq "corpus: no differences with COPY" "$n_bad" 0
check "corpus: most files compared" test $((n_same + n_refused)) -ge 100
finish
