#!/usr/bin/env bash
# scripts/style.sh - the layout every C file keeps: .clang-format's rules
# (clang-format --dry-run --Werror) and at most 88 columns a line, the
# ColumnLimit clang-format cannot always keep (a long string, a comment).
#
#   bash scripts/style.sh          check; exit 1 naming each file that differs
#   bash scripts/style.sh --fix    rewrite the files in place with clang-format
#
# The files are git's tracked *.c and *.h, so a new file is checked once added.
set -euo pipefail
cd "$(dirname "$0")/.."

limit=$(sed -n 's/^ColumnLimit: *//p' .clang-format)
mapfile -t files < <(git ls-files '*.c' '*.h')
[ ${#files[@]} -gt 0 ] || { echo "style.sh: no C files tracked" >&2; exit 1; }
command -v clang-format >/dev/null || { echo "style.sh: clang-format not found (scripts/deps.sh installs it)" >&2; exit 1; }

if [ "${1:-}" = --fix ]; then
    clang-format -i "${files[@]}"
    exit 0
fi

rc=0
clang-format --dry-run --Werror "${files[@]}" || rc=1
# Columns, not bytes: in a UTF-8 locale grep -P counts a character once.
if LC_ALL=C.UTF-8 grep -nP "^.{$((limit + 1)),}\$" "${files[@]}"; then
    echo "style.sh: the lines above are over $limit columns"
    rc=1
fi
[ $rc = 0 ] && echo "style.sh: ${#files[@]} files as .clang-format says, none over $limit columns"
exit $rc
