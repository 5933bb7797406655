#!/usr/bin/env bash
# tests/package/deb.sh - the Debian packages, built, checked, installed on
# this machine and removed again.
#
# Usage: deb.sh SOURCE_DIR        (as root: it installs into the system)
#
# Checks (label "package"; CI runs it as root):
#   - scripts/package.sh makes crdbload_<version>_<arch>.deb and
#     crdbload-dev_<version>_<arch>.deb, <version> being crdbload --version's;
#   - what each holds (program, man page, completion, copyright, changelog;
#     library, every public header, crdbload.pc), the program stripped, the
#     dependencies computed (libpq5, libcsv3, zlib1g, libssl3, libc6);
#   - lintian reports neither errors nor warnings;
#   - apt-get install ./crdbload_*.deb ./crdbload-dev_*.deb works;
#     /usr/bin/crdbload --version runs, man -w crdbload finds the page, the
#     completion loads the bash-completion way, and a program builds against
#     the installed library with pkg-config;
#   - apt-get remove removes every file the packages installed, and every
#     directory they created.
# Care: it refuses to start (and fails) when a crdbload package is installed
# already, when a file the packages hold exists outside any package (it
# would be overwritten, then removed), or when a crdbload under /usr/local
# would shadow the package's; one run at a time on a machine (a lock);
# whatever happens, what it installed is purged on exit.
set -uo pipefail

if [ $# -ne 1 ]; then
    echo "usage: $0 SOURCE_DIR" >&2
    exit 2
fi
src=$(realpath "$1")
source "$(dirname "$0")/../harness/checks.sh"

if [ "$(id -u)" != 0 ]; then
    fail "must run as root: it installs the packages into this system (CI runs it as root)"
    finish
fi
missing=()
for tool in cmake cpack dpkg-buildflags dpkg-shlibdeps dpkg-deb dpkg-query apt-get lintian \
    man readelf pkg-config cc flock; do
    command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
[ -f /usr/share/bash-completion/bash_completion ] || missing+=(bash-completion)
if [ ${#missing[@]} -gt 0 ]; then
    fail "not installed: ${missing[*]} (scripts/deps.sh installs dpkg-dev, lintian, man-db," \
        "bash-completion)"
    finish
fi

# One run at a time: two would install and remove the same packages.
exec 9>/run/lock/crdbload-package-test.lock
if ! flock -w 600 9; then
    fail "another run of this test held /run/lock/crdbload-package-test.lock for 10 minutes"
    finish
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/crdbload-deb.XXXXXX") || exit 1
installed=0
apt() {
    env DEBIAN_FRONTEND=noninteractive apt-get -q -y -o Dpkg::Use-Pty=0 \
        -o DPkg::Lock::Timeout=300 "$@"
}
cleanup() {
    if [ "$installed" = 1 ]; then
        echo "cleanup: purging crdbload and crdbload-dev"
        apt purge crdbload crdbload-dev >/dev/null 2>&1 ||
            dpkg --purge crdbload crdbload-dev >/dev/null 2>&1
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

state() { # PACKAGE: its dpkg status ("not-installed" when unknown)
    local s
    s=$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)
    echo "${s:-not-installed}"
}
for p in crdbload crdbload-dev; do
    if [ "$(state "$p")" != not-installed ]; then
        fail "package $p is on this system already ($(state "$p")): not touching it" \
            "remove it first (apt-get purge $p) to run this test"
        trap - EXIT
        rm -rf "$tmp"
        finish
    fi
done

# A crdbload under /usr/local (cmake --install's default prefix) comes first
# on PATH and in man's search: the checks below would see it, not ours.
shadow=()
for f in /usr/local/bin/crdbload /usr/local/share/man/man1/crdbload.1; do
    [ -e "$f" ] && shadow+=("$f")
done
if [ ${#shadow[@]} -gt 0 ]; then
    fail "a crdbload under /usr/local would shadow the package's: ${shadow[*]}" \
        "remove that cmake --install first"
    finish
fi

# --- build ------------------------------------------------------------------------
printf -- "--- build (at %s s)\n" "$SECONDS"
if bash "$src/scripts/package.sh" "$tmp/build" >"$tmp/build.log" 2>&1; then
    ok "scripts/package.sh built the packages"
else
    fail "scripts/package.sh failed" "$(tail -n 30 "$tmp/build.log")"
    finish
fi
version=$("$tmp/build/crdbload" --version | cut -d' ' -f2)
arch=$(dpkg --print-architecture)
deb=$tmp/build/crdbload_${version}_${arch}.deb
devdeb=$tmp/build/crdbload-dev_${version}_${arch}.deb
for f in "$deb" "$devdeb"; do
    if [ -f "$f" ]; then
        ok "made $(basename "$f")"
    else
        fail "no $(basename "$f")" "$(ls "$tmp/build"/*.deb 2>&1)"
        finish
    fi
done
check_eq "the Version field is crdbload --version's" \
    "$(dpkg-deb -f "$deb" Version) $(dpkg-deb -f "$devdeb" Version)" "$version $version"

# --- contents ---------------------------------------------------------------------
printf -- "--- contents (at %s s)\n" "$SECONDS"
contents() { dpkg-deb -c "$1" | awk '{ print $6 }' | sed 's|^\./|/|; s|/$||'; }
contents "$deb" >"$tmp/runtime.list"
contents "$devdeb" >"$tmp/dev.list"
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || gcc -print-multiarch)
for f in /usr/bin/crdbload /usr/share/man/man1/crdbload.1.gz \
    /usr/share/bash-completion/completions/crdbload /usr/share/doc/crdbload/copyright \
    /usr/share/doc/crdbload/changelog.gz; do
    check "crdbload holds $f" grep -qx "$f" "$tmp/runtime.list"
done
for f in "/usr/lib/$multiarch/libcrdbload.a" "/usr/lib/$multiarch/pkgconfig/crdbload.pc" \
    /usr/share/doc/crdbload-dev/copyright /usr/share/doc/crdbload-dev/changelog.gz; do
    check "crdbload-dev holds $f" grep -qx "$f" "$tmp/dev.list"
done
missing=()
for h in "$src"/lib/include/crdbload/*.h; do
    grep -qx "/usr/include/crdbload/$(basename "$h")" "$tmp/dev.list" || missing+=("$(basename "$h")")
done
check_eq "crdbload-dev holds every public header" "${missing[*]}" ""
check_eq "the packages share no file" \
    "$(sort "$tmp/runtime.list" "$tmp/dev.list" | uniq -d | grep -vE '^/usr(/share(/doc)?|/lib|/lib/[^/]*)?$' | tr '\n' ' ')" ""

mkdir "$tmp/x"
dpkg-deb -x "$deb" "$tmp/x"
sections=$(readelf -S "$tmp/x/usr/bin/crdbload")
check "the program is stripped (no .symtab, no .debug_*, no .comment)" \
    bash -c "! grep -qE '\\.symtab|\\.debug_|\\.comment' <<<'$sections'"
check "the man page is gzip -9n (no name, no time stamp in the header)" \
    bash -c "gzip -t '$tmp/x/usr/share/man/man1/crdbload.1.gz' &&
        [ \"\$(od -An -tx1 -j3 -N5 '$tmp/x/usr/share/man/man1/crdbload.1.gz' | tr -d ' ')\" = 0000000000 ]"

depends=$(dpkg-deb -f "$deb" Depends)
echo "crdbload Depends: $depends"
for p in libc6 libpq5 libcsv3 zlib1g libssl3; do
    check_match "crdbload depends on $p (computed by dpkg-shlibdeps)" "$depends" "(^|, )$p( |,|$)"
done
devdepends=$(dpkg-deb -f "$devdeb" Depends)
for p in libpq-dev libcsv-dev zlib1g-dev libssl-dev; do
    check_match "crdbload-dev depends on $p (what crdbload.pc links)" "$devdepends" "(^|, )$p( |,|$)"
done

# --- lintian ----------------------------------------------------------------------
printf -- "--- lintian (at %s s)\n" "$SECONDS"
lintian -I "$deb" "$devdeb" >"$tmp/lintian.out" 2>&1
echo "lintian -I output:"
sed 's/^/  | /' "$tmp/lintian.out"
check_eq "lintian: no errors, no warnings" \
    "$(grep -cE '^[EW]: ' "$tmp/lintian.out")" 0

# --- install ----------------------------------------------------------------------
printf -- "--- install (at %s s)\n" "$SECONDS"
# Every file of the packages must be new here: dpkg would overwrite a file that
# no package owns, and apt-get remove would then delete it.
taken=()
while read -r f; do
    [ -e "$f" ] && [ ! -d "$f" ] && taken+=("$f")
done < <(cat "$tmp/runtime.list" "$tmp/dev.list")
if [ ${#taken[@]} -gt 0 ]; then
    fail "files of the packages exist already (a cmake --install to /usr?): not installing" \
        "${taken[@]}"
    finish
fi
# The directories that exist before: the ones that must stay after removal.
while read -r f; do
    [ -d "$f" ] && echo "$f"
done < <(cat "$tmp/runtime.list" "$tmp/dev.list") | sort -u >"$tmp/dirs.before"

installed=1
if apt install --no-install-recommends "$deb" "$devdeb" >"$tmp/apt.log" 2>&1; then
    ok "apt-get install ./$(basename "$deb") ./$(basename "$devdeb")"
else
    fail "apt-get install failed" "$(tail -n 20 "$tmp/apt.log")"
    finish
fi
check_eq "both packages installed" "$(state crdbload) $(state crdbload-dev)" \
    "installed installed"
check_eq "crdbload is /usr/bin/crdbload on PATH" "$(PATH=/usr/local/bin:/usr/bin:/bin command -v crdbload)" \
    /usr/bin/crdbload
check_eq "/usr/bin/crdbload --version" "$(/usr/bin/crdbload --version 2>&1)" "crdbload $version"
check_eq "man -w crdbload finds the page" "$(man -w crdbload 2>&1)" \
    /usr/share/man/man1/crdbload.1.gz
check_match "man crdbload renders it" "$(MANWIDTH=80 man -P cat crdbload 2>&1)" \
    'metrics.file.*EXIT STATUS'
check_eq "bash-completion loads the installed completion on demand" \
    "$(bash -c 'source /usr/share/bash-completion/bash_completion
        __load_completion crdbload && complete -p crdbload' 2>&1)" \
    "complete -F _crdbload crdbload"
check_eq "crdbload.pc: prefix /usr" "$(pkg-config --variable=prefix crdbload 2>&1)" /usr
# shellcheck disable=SC2046 # pkg-config's words are meant to split
if cc -std=c11 -Wall -Werror $(pkg-config --cflags crdbload) \
    "$(dirname "$0")/../harness/uses_library.c" \
    $(pkg-config --static --libs crdbload) -o "$tmp/app" 2>"$tmp/cc.err"; then
    check_match "a program links against the installed library (pkg-config --static) and runs" \
        "$("$tmp/app")" '^CL_EIO [0-9]+$'
else
    fail "build against the installed crdbload-dev" "$(head -n 10 "$tmp/cc.err")"
fi

# --- remove -----------------------------------------------------------------------
printf -- "--- remove (at %s s)\n" "$SECONDS"
dpkg -L crdbload crdbload-dev | sort -u >"$tmp/installed.list"
check "dpkg -L lists the program and the library" \
    bash -c "grep -qx /usr/bin/crdbload '$tmp/installed.list' &&
        grep -qx '/usr/lib/$multiarch/libcrdbload.a' '$tmp/installed.list'"
if apt remove crdbload crdbload-dev >"$tmp/apt.log" 2>&1; then
    ok "apt-get remove crdbload crdbload-dev"
else
    fail "apt-get remove failed" "$(tail -n 20 "$tmp/apt.log")"
fi
check_eq "both packages gone (no config files left either)" \
    "$(state crdbload) $(state crdbload-dev)" "not-installed not-installed"
left=()
while read -r f; do
    [ -e "$f" ] || [ -L "$f" ] || continue
    [ -d "$f" ] && grep -qxF "$f" "$tmp/dirs.before" && continue
    left+=("$f")
done <"$tmp/installed.list"
check_eq "every file installed is removed, and every directory the packages created" \
    "${left[*]}" ""
installed=$([ "$(state crdbload)$(state crdbload-dev)" = not-installednot-installed ] &&
    echo 0 || echo 1)

printf -- "--- done (at %s s)\n" "$SECONDS"
finish
