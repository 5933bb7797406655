#!/usr/bin/env bash
# scripts/package.sh - the Debian packages crdbload and crdbload-dev
# (packaging/cpack.cmake), built in BUILD_DIR (default build-deb/):
#
#   bash scripts/package.sh [BUILD_DIR]
#
# A RelWithDebInfo build for the prefix /usr with Debian's build flags
# (dpkg-buildflags, all hardening on: stack protector, fortify, relro, bind
# now), without tests or benches, then `cpack -G DEB`. Needs dpkg-dev (for
# dpkg-buildflags and dpkg-shlibdeps, which computes the dependencies).
# The last lines printed are the paths of the two .deb files.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
out=$(realpath -m "${1:-$src/build-deb}")

command -v dpkg-buildflags >/dev/null && command -v dpkg-shlibdeps >/dev/null ||
    { echo "package.sh: dpkg-buildflags/dpkg-shlibdeps not found (apt-get install dpkg-dev)" >&2; exit 1; }
cd "$src" # dpkg-buildflags maps this directory out of the debug paths
export DEB_BUILD_MAINT_OPTIONS=${DEB_BUILD_MAINT_OPTIONS:-hardening=+all}
cflags="$(dpkg-buildflags --get CFLAGS) $(dpkg-buildflags --get CPPFLAGS)"
ldflags=$(dpkg-buildflags --get LDFLAGS)

cmake -S "$src" -B "$out" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_INSTALL_PREFIX=/usr \
    -DBUILD_TESTING=OFF -DCRDBLOAD_BUILD_BENCH=OFF \
    -DCMAKE_C_FLAGS="$cflags" -DCMAKE_EXE_LINKER_FLAGS="$ldflags"
cmake --build "$out" -j"$(nproc 2>/dev/null || echo 2)"
rm -f "$out"/*.deb
(cd "$out" && cpack -G DEB)
ls "$out"/*.deb
