#!/usr/bin/env bash
# tests/cli/run_cases.sh - run the CLI case table against a crdbload binary.
#
# Usage: run_cases.sh CRDBLOAD_BIN CASES_FILE
#
# Each row of CASES_FILE (format at its top) runs CRDBLOAD_BIN once, with
# stdin from /dev/null, a timeout, DATABASE_URL unset and libpq's defaults
# pointed at an unreachable address. A case passes when both the exit status
# and the pattern (an ERE, matched against stderr and stdout together; a
# leading "!" means "must not match") are as expected. Prints one line a
# case and "N passed, M failed"; exits 1 on any failure or when no case ran.
#
# CLI_SKIP_LIB=1 skips the rows whose name starts with "lib." (they need the
# real library; with a stub they cannot pass). CLI_TIMEOUT sets the seconds
# a case may take (default 10).
set -u

if [ $# -ne 2 ]; then
    echo "usage: $0 CRDBLOAD_BIN CASES_FILE" >&2
    exit 2
fi
bin=$1
cases=$2
timeout_s=${CLI_TIMEOUT:-10}

case $bin in /*) ;; *) bin=$PWD/$bin ;; esac # the cases run in a scratch dir
if [ ! -x "$bin" ]; then
    echo "run_cases.sh: $bin is not an executable" >&2
    exit 1
fi
if [ ! -r "$cases" ]; then
    echo "run_cases.sh: cannot read $cases" >&2
    exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/crdbload-cli.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
printf 'sku,name,price\nA-1,Widget,9.99\nA-2,Gadget,19.50\n' >"$tmp/in.csv"

# Nothing may reach a real server: no URL from the caller, and libpq's
# defaults lead nowhere.
unset DATABASE_URL PGSERVICE PGSERVICEFILE PGHOSTADDR PGPASSWORD PGPASSFILE
export PGHOST=127.0.0.1 PGPORT=1 PGCONNECT_TIMEOUT=2 PGUSER=nobody PGDATABASE=none

passed=0
failed=0
skipped=0
lineno=0

while IFS= read -r line || [ -n "$line" ]; do
    lineno=$((lineno + 1))
    line=${line%$'\r'}
    case $line in '' | '#'*) continue ;; esac

    # Split on tabs, keeping empty fields (read -a would merge them).
    fields=()
    rest=$line
    while :; do
        case $rest in
        *$'\t'*)
            fields+=("${rest%%$'\t'*}")
            rest=${rest#*$'\t'}
            ;;
        *)
            fields+=("$rest")
            break
            ;;
        esac
    done
    if [ ${#fields[@]} -lt 3 ]; then
        echo "FAIL line $lineno: a row needs name, exit status and pattern"
        failed=$((failed + 1))
        continue
    fi
    name=${fields[0]}
    want=${fields[1]}
    pattern=${fields[2]}

    # Arguments: literal, except <TMP> (a scratch directory holding in.csv),
    # <TAB> and <EMPTY> (a whole argument), <ENV>NAME=VALUE (environment).
    args=()
    envs=()
    for arg in "${fields[@]:3}"; do
        case $arg in
        '<TAB>') args+=($'\t') ;;
        '<EMPTY>') args+=('') ;;
        '<ENV>'*) envs+=("${arg#<ENV>}") ;;
        *) args+=("${arg//<TMP>/$tmp}") ;;
        esac
    done

    if [ "${CLI_SKIP_LIB:-0}" = 1 ] && [ "${name#lib.}" != "$name" ]; then
        echo "skip $name (needs the library)"
        skipped=$((skipped + 1))
        continue
    fi

    rm -f "$tmp/ck" "$tmp/out" "$tmp/rejects.csv"
    out=$(cd "$tmp" && env ${envs[@]+"${envs[@]}"} timeout -k 2 "$timeout_s" \
        "$bin" ${args[@]+"${args[@]}"} </dev/null 2>&1)
    got=$?

    why=
    if [ "$got" -eq 124 ] || [ "$got" -eq 137 ]; then
        why="timed out after ${timeout_s}s"
    elif [ "$got" != "$want" ]; then
        why="expected exit $want got $got"
    fi
    if [ "${pattern:0:1}" = '!' ]; then
        if [[ $out =~ ${pattern:1} ]]; then
            why="${why:+$why; }output matches /${pattern:1}/, which it must not"
        fi
    elif ! [[ $out =~ $pattern ]]; then
        why="${why:+$why; }output does not match /$pattern/"
    fi

    if [ -z "$why" ]; then
        echo "ok $name"
        passed=$((passed + 1))
    else
        echo "FAIL $name: $why"
        printf '%s\n' "$out" | head -n 8 | sed 's/^/    | /'
        failed=$((failed + 1))
    fi
done <"$cases"

if [ "$skipped" -ne 0 ]; then
    echo "$passed passed, $failed failed, $skipped skipped"
else
    echo "$passed passed, $failed failed"
fi
if [ "$failed" -ne 0 ] || [ "$passed" -eq 0 ]; then
    exit 1
fi
exit 0
