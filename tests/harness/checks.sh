# tests/harness/checks.sh - the pass/fail bookkeeping of every shell test
# (sourced; testlib.sh sources it for the integration tests).
#
#   ok DESC                         count a pass
#   fail DESC [DETAIL...]           count a failure, with detail lines
#   check DESC CMD...               passes when CMD exits 0
#   check_eq DESC ACTUAL EXPECTED
#   check_match DESC STRING REGEX   (bash =~, extended regex)
#   finish                          print "N passed, M failed"; exit 1 if any
#                                   check failed or none ran
ck_passed=0
ck_failed=0

ok() {
    ck_passed=$((ck_passed + 1))
    echo "ok - $1"
}

fail() {
    ck_failed=$((ck_failed + 1))
    echo "FAIL - $1"
    shift
    [ $# -gt 0 ] && printf '  %s\n' "$@"
    return 0
}

check() {
    local desc=$1 out rc
    shift
    out=$("$@" 2>&1)
    rc=$?
    if [ $rc -eq 0 ]; then
        ok "$desc"
    else
        fail "$desc" "command failed (exit $rc): $*" "$(tail -n 20 <<< "$out")"
    fi
}

check_eq() {
    if [ "$2" == "$3" ]; then
        ok "$1"
    else
        fail "$1" "expected: $3" "actual:   $2"
    fi
}

check_match() {
    if [[ "$2" =~ $3 ]]; then
        ok "$1"
    else
        fail "$1" "expected to match: $3" "actual: $2"
    fi
}

finish() {
    echo "$ck_passed passed, $ck_failed failed"
    [ "$ck_failed" -eq 0 ] && [ "$ck_passed" -gt 0 ] && exit 0
    exit 1
}
