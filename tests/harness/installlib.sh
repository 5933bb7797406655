# tests/harness/installlib.sh - `cmake --install` into a staging prefix, for
# the tests that use what it installs (tests/cli/install.sh,
# tests/library/readme_example.sh). Needs checks.sh (ok, fail, finish).
#
#   install_staged BUILD_DIR ROOT LOG   install; ok, or fail and finish. Sets
#                                       pcfile: crdbload.pc under lib, lib64 or
#                                       lib/<multiarch>, as GNUInstallDirs chose

install_staged() {
    local build=$1 root=$2 log=$3
    if cmake --install "$build" --prefix "$root" >"$log" 2>&1; then
        ok "cmake --install --prefix $root"
    else
        fail "cmake --install failed" "$(tail -n 20 "$log")"
        finish
    fi
    pcfile=$(find "$root" -name crdbload.pc -path '*/pkgconfig/*' | head -n 1)
}
