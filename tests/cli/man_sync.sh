#!/usr/bin/env bash
# tests/cli/man_sync.sh - the man page, --help and the option table agree.
#
# Usage: man_sync.sh CRDBLOAD_BIN MAN_PAGE ARGS_C
#
# Checks (label "cli", no server needed):
#   - the long options of `crdbload --help` (its option column only), of the
#     man page's OPTIONS section (its .TP tags) and of long_options[] in
#     cmd/args.c are the same three sets;
#   - every option in the man page states its default ("Default: ..."), but
#     --help and --version;
#   - every "(default: X)" of --help appears as "Default: X" in that option's
#     man entry.
# Prints one line a check and "N passed, M failed"; exits 1 on any failure.
set -uo pipefail

if [ $# -ne 3 ]; then
    echo "usage: $0 CRDBLOAD_BIN MAN_PAGE ARGS_C" >&2
    exit 2
fi
bin=$1 man=$2 src=$3
source "$(dirname "$0")/../harness/checks.sh"

help=$("$bin" --help) || { echo "FAIL $bin --help exited $?"; exit 1; }

# --help: "  -t, --table=NAME   desc" -> --table; only the option column, so
# that "(requires --columns)" in a description does not count.
help_opts=$(printf '%s\n' "$help" |
    sed -nE 's/^  +((-[^ ,]+, )*--[a-z][a-z-]*).*/\1/p' |
    grep -oE -- '--[a-z][a-z-]*' | sort -u)

# The man page, as entries: one line each, "TAG<TAB>TEXT", from a .TP to the
# next .TP, .SS or .SH of the OPTIONS section, with the roff markup taken out.
man_entries=$(awk '
    function out() { if (tag != "") print tag "\t" e; tag = ""; e = "" }
    /^\.SH / { out(); on = ($0 ~ /^\.SH OPTIONS/); next }
    !on { next }
    /^\.TP/ { out(); want_tag = 1; next }
    /^\.SS / { out(); next }
    /^\.\\"/ { next }
    { sub(/^\.[A-Z]+ */, "") }
    want_tag { tag = $0; want_tag = 0; next }
    tag != "" { e = (e == "" ? $0 : e " " $0) }
    END { out() }
' "$man" | sed -E 's/"//g; s/\\-/-/g; s/\\f[BIRP]//g; s/\\\((lq|rq|dq)/"/g;
    s/\\[&%]//g; s/\\e/\\/g; s/  +/ /g')
man_opts=$(printf '%s\n' "$man_entries" | cut -f1 | grep -oE -- '--[a-z][a-z-]*' | sort -u)

src_opts=$(sed -nE 's/^ *\{"([a-z][a-z-]*)", *(no|required|optional)_argument.*/--\1/p' "$src" |
    sort -u)

same_set() { # DESC A B NAME_A NAME_B
    local only_a only_b
    only_a=$(comm -23 <(printf '%s\n' "$2") <(printf '%s\n' "$3") | tr '\n' ' ')
    only_b=$(comm -13 <(printf '%s\n' "$2") <(printf '%s\n' "$3") | tr '\n' ' ')
    if [ -z "$only_a$only_b" ]; then
        ok "$1"
    else
        fail "$1" "only in $4: ${only_a:-none}" "only in $5: ${only_b:-none}"
    fi
}

n=$(printf '%s\n' "$src_opts" | grep -c .)
if [ "$n" -ge 20 ]; then
    ok "found $n long options in args.c"
else
    fail "found only $n long options in $src"
fi
same_set "--help and the man page list the same long options" "$help_opts" "$man_opts" \
    "--help" "the man page"
same_set "--help and args.c list the same long options" "$help_opts" "$src_opts" \
    "--help" "args.c"

# The man entry of one option: the entry whose tag names it.
man_entry() {
    printf '%s\n' "$man_entries" | awk -F'\t' -v o="$1" '
        { n = split($1, w, /[ ,=]+/); for (i = 1; i <= n; i++) if (w[i] == o) { print; exit } }'
}

missing=()
for o in $man_opts; do
    case $o in --help | --version) continue ;; esac
    # not `man_entry | grep -q`: grep quits at the match, and under pipefail
    # the writer's SIGPIPE failed the check now and then
    [[ $(man_entry "$o") == *'Default: '* ]] || missing+=("$o")
done
if [ ${#missing[@]} -eq 0 ]; then
    ok "every option in the man page states its default"
else
    fail "options without \"Default:\" in the man page" "${missing[*]}"
fi

# --help defaults: join each option line with its continuation lines (the
# description column), then take "(default: X)" up to ")" or ", ".
help_entries=$(printf '%s\n' "$help" | awk '
    /^  +-/ { if (e != "") print e; e = $0; next }
    /^                          +[^ ]/ && e != "" { sub(/^ +/, ""); e = e " " $0; next }
    { if (e != "") print e; e = "" }
    END { if (e != "") print e }')
checked=0
while IFS= read -r entry; do
    opt=$(printf '%s\n' "$entry" | sed -nE 's/^ +(-[^ ,]+, )*(--[a-z][a-z-]*).*/\2/p')
    def=$(printf '%s\n' "$entry" | sed -nE 's/.*\(default: ([^)]*)\).*/\1/p')
    [ -n "$opt" ] && [ -n "$def" ] || continue
    def=${def%%, *}
    # ',' or '"' in --help: the man page quotes it as "," or """
    [[ "$def" =~ ^[\'\"](.)[\'\"]$ ]] && def=${BASH_REMATCH[1]}
    checked=$((checked + 1))
    entry_man=$(man_entry "$opt")
    if [[ "$entry_man" == *"Default: $def"[.\ ]* ]] ||
        [[ "$entry_man" == *"Default: \"$def\""* ]]; then
        ok "$opt: the default $def is the same in the man page"
    else
        fail "$opt: --help says (default: $def); the man page says otherwise" \
            "${entry_man:-no entry}"
    fi
done <<<"$help_entries"
if [ "$checked" -ge 10 ]; then
    ok "compared $checked defaults"
else
    fail "compared only $checked defaults (the --help format changed?)"
fi

finish
