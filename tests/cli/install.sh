#!/usr/bin/env bash
# tests/cli/install.sh - `cmake --install` into a staging prefix, then use
# what it put there the way a packager and a library user would.
#
# Usage: install.sh BUILD_DIR SOURCE_DIR
#
# Checks (label "install", no server needed):
#   - the program, libcrdbload.a, every public header, crdbload.pc,
#     crdbload.1 and the bash completion are installed under the GNU layout,
#     and the program runs;
#   - the man page renders without a single warning (man -l --warnings, and
#     groff -ww; at least one of them must be there: scripts/deps.sh);
#   - crdbload.pc names the staging prefix, and a C program built with
#     `pkg-config --cflags --libs crdbload` (PKG_CONFIG_PATH into the staging
#     prefix) compiles, links and calls cl_strerror(); one that pulls in the
#     whole loader links with `pkg-config --static --libs` (the private
#     libpq, zlib, libcrypto, libcsv and pthread); every public header
#     compiles on its own with the installed cflags.
set -uo pipefail

if [ $# -ne 2 ]; then
    echo "usage: $0 BUILD_DIR SOURCE_DIR" >&2
    exit 2
fi
build=$1 src=$2
source "$(dirname "$0")/../harness/checks.sh"
source "$(dirname "$0")/../harness/installlib.sh"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/crdbload-install.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
root=$tmp/root

install_staged "$build" "$root" "$tmp/install.log"
libfile=$(find "$root" -name libcrdbload.a | head -n 1)
for f in "$root/bin/crdbload" "$root/share/man/man1/crdbload.1" "$pcfile" "$libfile" \
    "$root/share/bash-completion/completions/crdbload"; do
    if [ -n "$f" ] && [ -f "$f" ]; then
        ok "installed ${f#"$root"/}"
    else
        fail "not installed: ${f:-crdbload.pc or libcrdbload.a}"
    fi
done
missing=()
for h in "$src"/lib/include/crdbload/*.h; do
    [ -f "$root/include/crdbload/$(basename "$h")" ] || missing+=("$(basename "$h")")
done
if [ ${#missing[@]} -eq 0 ]; then
    ok "every public header installed in include/crdbload"
else
    fail "headers not installed: ${missing[*]}"
fi
if "$root/bin/crdbload" --version | grep -qE '^crdbload [0-9]+\.[0-9]+'; then
    ok "the installed program runs (--version)"
else
    fail "the installed program does not run"
fi

# --- the man page renders cleanly ----------------------------------------------
page=$root/share/man/man1/crdbload.1
rendered=0
if command -v man >/dev/null 2>&1; then
    if MANWIDTH=80 man --warnings -l "$page" >"$tmp/man.txt" 2>"$tmp/man.err" &&
        [ ! -s "$tmp/man.err" ] && grep -q 'EXIT STATUS' "$tmp/man.txt"; then
        ok "man -l renders the page without warnings"
    else
        fail "man -l: warnings or no output" "$(head -n 10 "$tmp/man.err")"
    fi
    rendered=1
fi
if command -v groff >/dev/null 2>&1; then
    if groff -man -Tutf8 -ww -z "$page" 2>"$tmp/groff.err" && [ ! -s "$tmp/groff.err" ]; then
        ok "groff -man -ww renders the page without warnings"
    else
        fail "groff -man -ww: warnings" "$(head -n 10 "$tmp/groff.err")"
    fi
    rendered=1
fi
if command -v mandoc >/dev/null 2>&1; then
    # -W warning: style notes are not failures
    if mandoc -Tlint -W warning "$page" >"$tmp/mandoc.err" 2>&1; then
        ok "mandoc -Tlint finds no warnings"
    else
        fail "mandoc -Tlint" "$(head -n 10 "$tmp/mandoc.err")"
    fi
fi
[ "$rendered" = 1 ] || fail "neither man nor groff is installed (scripts/deps.sh installs groff-base)"

# --- pkg-config ---------------------------------------------------------------
export PKG_CONFIG_PATH=$(dirname "$pcfile")
prefix=$(pkg-config --variable=prefix crdbload 2>&1)
if [ "$prefix" = "$root" ]; then
    ok "crdbload.pc names the staging prefix"
else
    fail "crdbload.pc prefix is \"$prefix\", expected \"$root\""
fi
version=$(pkg-config --modversion crdbload 2>&1)
if "$root/bin/crdbload" --version | grep -qF "crdbload $version"; then
    ok "crdbload.pc version $version is the program's"
else
    fail "crdbload.pc version \"$version\" differs from --version"
fi
for field in Requires.private Libs.private; do
    if grep -q "^$field:" "$pcfile"; then
        ok "crdbload.pc has $field"
    else
        fail "crdbload.pc lacks $field"
    fi
done

cat >"$tmp/strerror.c" <<'EOF'
#include <stdio.h>
#include <string.h>

#include <crdbload/crdbload.h>

int
main(void)
{
    const char *msg = cl_strerror(CL_ENOMEM);
    puts(msg);
    return strcmp(msg, "out of memory") == 0 ? 0 : 1;
}
EOF
# shellcheck disable=SC2046 # pkg-config's words are meant to split
if cc -std=c11 -Wall -Werror ${INSTALL_TEST_CFLAGS:-} $(pkg-config --cflags crdbload) "$tmp/strerror.c" \
    $(pkg-config --libs crdbload) -o "$tmp/strerror" 2>"$tmp/cc.err"; then
    ok "a program using pkg-config --cflags --libs crdbload compiles and links"
    if [ "$("$tmp/strerror")" = "out of memory" ]; then
        ok "it calls cl_strerror(CL_ENOMEM): \"out of memory\""
    else
        fail "cl_strerror gave \"$("$tmp/strerror")\""
    fi
else
    fail "compile with pkg-config --cflags --libs crdbload" "$(head -n 10 "$tmp/cc.err")"
fi

# The whole loader: every private dependency must be in the .pc file.
# shellcheck disable=SC2046
if cc -std=c11 -Wall -Werror ${INSTALL_TEST_CFLAGS:-} $(pkg-config --cflags crdbload) \
    "$(dirname "$0")/../harness/uses_library.c" \
    $(pkg-config --static --libs crdbload) -o "$tmp/full" 2>"$tmp/cc.err"; then
    ok "a program using cl_load_run links with pkg-config --static --libs crdbload"
    if "$tmp/full" | grep -q '^CL_EIO [0-9]'; then
        ok "and runs"
    else
        fail "the statically linked program does not run"
    fi
else
    fail "static link with pkg-config --static --libs crdbload" "$(head -n 10 "$tmp/cc.err")"
fi

bad=()
for h in "$root"/include/crdbload/*.h; do
    name=crdbload/$(basename "$h")
    # shellcheck disable=SC2046
    printf '#include <%s>\n#include <%s>\n' "$name" "$name" |
        cc -std=c11 -Wall -Werror -fsyntax-only $(pkg-config --cflags crdbload) -x c - \
            2>>"$tmp/hdr.err" || bad+=("$name")
done
if [ ${#bad[@]} -eq 0 ]; then
    ok "every installed header compiles on its own (and twice) with the installed cflags"
else
    fail "headers that do not compile alone: ${bad[*]}" "$(head -n 10 "$tmp/hdr.err")"
fi

finish
