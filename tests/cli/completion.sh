#!/usr/bin/env bash
# tests/cli/completion.sh - the bash completion, run the way bash runs it:
# bash-completion's own bash_completion sourced, then ours, then _crdbload
# called with COMP_WORDS/COMP_CWORD/COMP_LINE/COMP_POINT of a partial
# command line (split as readline splits it: "=" is a word of its own).
#
# Usage: completion.sh ARGS_C COMPLETION_FILE
#
# Checks (label "cli", no server needed):
#   - every long and short option of cmd/args.c is offered after "-", so
#     that an option added to args.c without completing it fails here;
#   - every option offered is in args.c, or one that SPEC.md adds and that
#     another change brings (PENDING below: remove them once they are in);
#   - the value of each option that takes an argument: the list for
#     --progress, --dialect, --statement-form, --missing, --encoding; file
#     names for the options that name a file; nothing for free text (an
#     option of args.c with an argument that the completion does not know
#     would offer file names: that fails too, unless it names a file);
#   - file names for the inputs, also after "--", and "--opt=value" forms.
set -uo pipefail

if [ $# -ne 2 ]; then
    echo "usage: $0 ARGS_C COMPLETION_FILE" >&2
    exit 2
fi
src=$(realpath "$1") completion=$(realpath "$2")
source "$(dirname "$0")/../harness/checks.sh"

# SPEC.md options that other changes are adding to args.c at the time of
# writing: the completion offers them already.
PENDING="--encoding --max-missing --missing --missing-set --missing-where"
# The options of args.c whose value is a file name.
FILE_OPTS="--checkpoint --metrics-file --rejects --summary-json"

bc_main=${BASH_COMPLETION_MAIN:-/usr/share/bash-completion/bash_completion}
if [ ! -f "$bc_main" ]; then
    fail "bash-completion is not installed ($bc_main; scripts/deps.sh installs bash-completion)"
    finish
fi
# bash_completion refuses to load in a non-interactive shell unless told.
source "$bc_main" || {
    fail "could not source $bc_main"
    finish
}
source "$completion" || {
    fail "could not source $completion"
    finish
}
if [ "$(complete -p crdbload 2>/dev/null)" = "complete -F _crdbload crdbload" ]; then
    ok "sourcing $(basename "$completion") registers _crdbload for crdbload"
else
    fail "no completion registered for crdbload" "$(complete -p crdbload 2>&1)"
    finish
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/crdbload-completion.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/feeds"
touch "$tmp/feed.csv" "$tmp/feed2.csv.gz" "$tmp/rejects.csv" "$tmp/feeds/a.csv"
cd "$tmp" || exit 1

# comp LINE: the completions of LINE (the cursor at its end), one a line,
# sorted. Words split at blanks, and "=" apart as COMP_WORDBREAKS does.
comp() {
    local line=$1 spaced
    spaced=${line//=/ = }
    read -ra COMP_WORDS <<<"$spaced"
    [[ $line == *[\ =] ]] && COMP_WORDS+=("")
    COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    COMP_LINE=$line
    COMP_POINT=${#line}
    COMPREPLY=()
    _crdbload crdbload "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}" \
        2>/dev/null
    [ ${#COMPREPLY[@]} -eq 0 ] || printf '%s\n' "${COMPREPLY[@]}" | sort
}

expect() { # LINE EXPECTED... : the completions are exactly these words
    local line=$1 got want
    got=$(comp "$line" | tr '\n' ' ')
    shift
    want=$(printf '%s\n' "$@" | sed '/^$/d' | sort | tr '\n' ' ')
    check_eq "complete \"$line\"" "$got" "$want"
}

# --- the option lists ----------------------------------------------------------
src_long=$(sed -nE 's/^ *\{"([a-z][a-z-]*)", *(no|required|optional)_argument.*/--\1/p' "$src" |
    sort -u)
src_short=$(sed -nE 's/^static const char short_options\[\] = "(.*)";/\1/p' "$src" |
    tr -d ':' | grep -o . | sed 's/^/-/' | sort -u)
src_arg=$(sed -nE 's/^ *\{"([a-z][a-z-]*)", *required_argument.*/--\1/p' "$src" | sort -u)
n=$(printf '%s\n' "$src_long" | grep -c .)
if [ "$n" -ge 20 ] && [ -n "$src_short" ]; then
    ok "found $n long and $(printf '%s\n' "$src_short" | grep -c .) short options in args.c"
else
    fail "found only $n long options (or no short ones) in $src"
fi

offered=$(comp "crdbload -" | sed 's/=$//')
missing=$(comm -23 <(printf '%s\n' "$src_long" "$src_short" | sort -u) \
    <(printf '%s\n' "$offered" | sort -u) | tr '\n' ' ')
if [ -z "$missing" ]; then
    ok "every option of args.c is offered after \"-\""
else
    fail "options of args.c that the completion does not offer: $missing" \
        "add them to $completion"
fi
extra=$(comm -13 <(printf '%s\n' "$src_long" "$src_short" $PENDING | sort -u) \
    <(printf '%s\n' "$offered" | sort -u) | tr '\n' ' ')
if [ -z "$extra" ]; then
    ok "every option offered is in args.c (or pending: $PENDING)"
else
    fail "options offered that args.c lacks: $extra"
fi
landed=$(comm -12 <(printf '%s\n' $PENDING | sort) <(printf '%s\n' "$src_long") | tr '\n' ' ')
[ -z "$landed" ] || echo "note: pending options now in args.c (drop them from PENDING): $landed"
check_eq "the long options that take an argument are offered with \"=\"" \
    "$(comp "crdbload --" | grep -c '=$')" \
    "$(printf '%s\n' "$src_arg" $PENDING | sort -u | grep -c .)"

# --- option values ------------------------------------------------------------------
expect "crdbload --prog" --progress= --progress-interval=
expect "crdbload --progress " auto bar json log none
expect "crdbload --progress=j" json
expect "crdbload -q --dialect c" cockroach
expect "crdbload --dialect=" auto postgres cockroach
expect "crdbload --statement-form " auto values unnest
expect "crdbload --missing=" keep delete
expect "crdbload --encoding WIN125" WIN1250 WIN1251 WIN1252 WIN1253 WIN1254 WIN1255 \
    WIN1256 WIN1257 WIN1258
expect "crdbload --encoding=LATIN" LATIN1 LATIN2 LATIN3 LATIN4 LATIN5 LATIN6 LATIN7 \
    LATIN8 LATIN9 LATIN10
check "--encoding offers UTF8 and SJIS" bash -c "grep -qx UTF8 <<<'$(comp "crdbload --encoding ")' &&
    grep -qx SJIS <<<'$(comp "crdbload --encoding ")'"

# --- file names ---------------------------------------------------------------------
expect "crdbload fe" feed.csv feed2.csv.gz feeds
expect "crdbload -j 4 feeds/" feeds/a.csv
expect "crdbload --rejects=rej" rejects.csv
expect "crdbload -- --"
expect "crdbload -- f" feed.csv feed2.csv.gz feeds

# Every option with an argument: a file option offers the files here, a list
# option its values, any other nothing (file names there would be wrong).
for o in $src_arg $PENDING; do
    got=$(comp "crdbload $o " | tr '\n' ' ')
    case " $FILE_OPTS " in
    *" $o "*)
        check_eq "$o offers file names" "$got" "feed.csv feed2.csv.gz feeds rejects.csv "
        ;;
    *)
        case $o in
        --progress | --dialect | --statement-form | --missing | --encoding | --prepared-statements)
            [[ -n "$got" && "$got" != *feed* ]] && ok "$o offers its values" ||
                fail "$o offers \"$got\""
            ;;
        *) check_eq "$o (free text) offers nothing" "$got" "" ;;
        esac
        ;;
    esac
done
for o in -t -d -j -k -b; do
    got=$(comp "crdbload $o " | tr '\n' ' ')
    check_eq "$o (free text) offers nothing" "$got" ""
done

finish
