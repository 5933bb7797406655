#!/usr/bin/env bash
# tests/library/readme_example.sh - the library program of README.md ("Using
# the library"), taken from the README as it is, compiled against the
# installed header and crdbload.pc, and run against the test's PostgreSQL.
#
# Usage (under tests/harness/with_pg.sh): readme_example.sh BUILD_DIR SOURCE_DIR
#
# Checks: the program is in the README; it compiles with -Wall -Werror and
# links with `pkg-config --static --libs crdbload` from a staging prefix;
# a clean load writes every row and exits 0; a rejected row reaches the
# program's message function as a warning naming file, line and column, and
# the program exits 1; a server that cannot be reached is an error message
# and CL_ECONNECT's text, exit 2; every line on stderr is the program's (the
# library itself prints nothing).
set -uo pipefail

if [ $# -ne 2 ]; then
    echo "usage: $0 BUILD_DIR SOURCE_DIR" >&2
    exit 2
fi
build=$1 src=$2
source "$TESTLIB"
source "$(dirname "$0")/../harness/installlib.sh"

# --- the program, from the README -------------------------------------------------
awk '/^<!-- readme_example.sh: the program below -->$/ { mark = 1; next }
     mark && /^```c$/ { inside = 1; next }
     inside && /^```$/ { exit }
     inside { print }' "$src/README.md" >"$TMP/load.c"
if grep -q 'cl_load_run' "$TMP/load.c" && grep -q '^main(' "$TMP/load.c"; then
    ok "README.md has the program ($(wc -l <"$TMP/load.c") lines)"
else
    fail "no program after the readme_example.sh marker in README.md"
    finish
fi

# --- installed, compiled, linked --------------------------------------------------
root=$TMP/root
install_staged "$build" "$root" "$TMP/install.log"
PKG_CONFIG_PATH=$(dirname "$pcfile")
export PKG_CONFIG_PATH
# shellcheck disable=SC2046 # pkg-config's words are meant to split
if cc -std=c11 -Wall -Wextra -Werror ${INSTALL_TEST_CFLAGS:-} $(pkg-config --cflags crdbload) \
    "$TMP/load.c" $(pkg-config --static --libs crdbload) -o "$TMP/load" 2>"$TMP/cc.err"; then
    ok "it compiles and links with the installed header and pkg-config --static --libs"
else
    fail "the README's program does not build" "$(head -n 20 "$TMP/cc.err")"
    finish
fi

# --- run --------------------------------------------------------------------------
load_fixture schema.sql
{ echo "sku,name,price"; echo "A1,first,1.50"; echo "A2,second,2.00"; echo "A3,third,3.25"; } \
    >"$TMP/good.csv"
"$TMP/load" "$TMP/good.csv" "$PGURL" >"$TMP/good.out" 2>"$TMP/good.err"
check_eq "clean load: exit 0" "$?" 0
check_eq "clean load: the program's report" "$(cat "$TMP/good.out")" \
    "3 rows read, 3 written, 0 rejected"
check_eq "clean load: no message" "$(cat "$TMP/good.err")" ""
check_eq "clean load: the rows are in the table" \
    "$(q "SELECT string_agg(sku || '=' || price, ' ' ORDER BY sku) FROM products")" \
    "A1=1.50 A2=2.00 A3=3.25"

{ echo "sku,name,price"; echo "B1,one,1.00"; echo "B2,two,12x"; } >"$TMP/bad.csv"
"$TMP/load" "$TMP/bad.csv" "$PGURL" >"$TMP/bad.out" 2>"$TMP/bad.err"
check_eq "a rejected row: exit 1" "$?" 1
check_eq "a rejected row: the program's report" "$(cat "$TMP/bad.out")" \
    "2 rows read, 1 written, 1 rejected"
check_match "a rejected row: a warning through the message function, file:line and column" \
    "$(cat "$TMP/bad.err")" \
    "^load: warning: $TMP/bad.csv:3: row rejected: column 3 \(\"price\"\): invalid input syntax for type numeric: \"12x\""

"$TMP/load" "$TMP/good.csv" "postgresql://nobody@127.0.0.1:1/none" >"$TMP/down.out" \
    2>"$TMP/down.err"
check_eq "no server: exit 2" "$?" 2
check_match "no server: an error message with its hint, then CL_ECONNECT's text" \
    "$(tr '\n' '|' <"$TMP/down.err")" \
    "^load: error: could not connect to the database: .*\|  hint: Check -d/--url.*\|load: failed: could not connect to the server\|$"

# (libpq's own words may go on over lines: those of the loads only)
check_eq "every line on stderr is the program's own (the library printed nothing)" \
    "$(cat "$TMP/good.err" "$TMP/bad.err" | grep -vE '^(load: |  (detail|hint): )')" ""

finish
