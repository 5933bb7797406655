# tests/harness/testlib.sh - helpers for tests/integration/*.sh, which run
# inside tests/harness/with_pg.sh and start with
#
#   source "$TESTLIB"
#
# CTest sets TESTLIB, CRDBLOAD (the loader), GENCATALOG (fixtures/gencatalog)
# and FIXTURES (the fixtures/ dir); with_pg.sh sets PGURL and the rest.
#
#   q "SQL"                      run SQL (psql -At), print the result
#   load_fixture schema.sql      run a file from $FIXTURES
#   run_loader ARGS...           run $CRDBLOAD; sets loader_rc, and the files
#                                $TMP/loader.out and $TMP/loader.err
#   pgctl ARGS...                pg_ctl on the test cluster as its owner, e.g.
#                                pgctl restart -m fast
#   check DESC CMD...            passes when CMD exits 0
#   check_eq DESC ACTUAL EXPECTED
#   check_match DESC STRING REGEX   (bash =~, extended regex)
#   finish                       print "N passed, M failed"; exit 1 if any
#                                check failed or none ran
#
# $TMP is a scratch dir inside the cluster's temp dir, removed with it.
set -uo pipefail

[ -n "${PGURL:-}" ] || {
    echo "testlib: PGURL is not set; run the test under tests/harness/with_pg.sh" >&2
    exit 1
}
: "${FIXTURES:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../fixtures" && pwd)}"
TMP=$(mktemp -d "${PG_TMP:-/tmp}/test.XXXXXX") || exit 1
chmod 755 "$TMP"
tl_passed=0
tl_failed=0
loader_rc=

q() {
    psql -X -q -At -v ON_ERROR_STOP=1 -d "$PGURL" -c "$1"
}

load_fixture() {
    psql -X -q -v ON_ERROR_STOP=1 -d "$PGURL" -f "$FIXTURES/$1"
}

run_loader() {
    : "${CRDBLOAD:?CRDBLOAD is not set}"
    "$CRDBLOAD" "$@" >"$TMP/loader.out" 2>"$TMP/loader.err"
    loader_rc=$?
    echo "+ crdbload $* -> exit $loader_rc; stderr ends:"
    tail -n 15 "$TMP/loader.err" | sed 's/^/  | /'
}

pgctl() {
    (cd "$PG_TMP" && $PG_AS "$PG_BIN/pg_ctl" -D "$PGDATA" -l "$PG_LOG" -w "$@")
}

tl_pass() {
    tl_passed=$((tl_passed + 1))
    echo "ok - $1"
}

tl_fail() {
    tl_failed=$((tl_failed + 1))
    echo "FAIL - $1"
    shift
    [ $# -gt 0 ] && printf '  %s\n' "$@"
    return 0
}

check() {
    local desc=$1
    shift
    if "$@" >"$TMP/check.out" 2>&1; then
        tl_pass "$desc"
    else
        tl_fail "$desc" "command failed (exit $?): $*" "$(tail -n 20 "$TMP/check.out")"
    fi
}

check_eq() {
    if [ "$2" == "$3" ]; then
        tl_pass "$1"
    else
        tl_fail "$1" "expected: $3" "actual:   $2"
    fi
}

check_match() {
    if [[ "$2" =~ $3 ]]; then
        tl_pass "$1"
    else
        tl_fail "$1" "expected to match: $3" "actual: $2"
    fi
}

finish() {
    echo "$tl_passed passed, $tl_failed failed"
    [ "$tl_failed" -eq 0 ] && [ "$tl_passed" -gt 0 ] && exit 0
    exit 1
}
