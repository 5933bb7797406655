#!/usr/bin/env bash
# scripts/deps.sh - install what crdbload needs to build, test and demo on a
# fresh Debian 12: compiler and CMake, libpq, libcsv, zlib, OpenSSL, the
# PostgreSQL server binaries (tests/harness/with_pg.sh runs its own private
# clusters; the Debian "main" cluster, should the package create and start
# one, is never used), valgrind, clang with libFuzzer (tests/fuzz), and the
# tools the harness uses (runuser, setpriv, ss, ps, gzip, openssl, GNU time), and
# PgBouncer for the pooler test (its Debian service is never used).
#
# apt-get update and install always run, so a missing package is never hidden
# by what happens to be on the machine already; both are quick when it is.
# Run as root, or as a user with sudo.
set -euo pipefail

packages=(
    build-essential cmake pkg-config
    libpq-dev libcsv-dev zlib1g-dev libssl-dev
    postgresql postgresql-contrib
    valgrind ca-certificates procps iproute2 util-linux gzip
    openssl # the CLI: tests/integration/tls.sh makes its CA and certificates
    bsdutils groff-base # script(1): a pseudo-terminal for the progress bar test; the man page test
    time # GNU time: peak RSS of crdbload on a 50 MB field (tests/integration/bad_inputs.sh)
    clang libclang-rt-dev # libFuzzer and its sanitizers (tests/fuzz, scripts/fuzz.sh)
    bc # the benches (bench/*.sh) compute rates and ratios with it
    prometheus prometheus-node-exporter curl # --metrics-file: promtool, a real textfile collector
    bash-completion # tests/cli/completion.sh runs the completion under it
    xz-utils libgssapi-krb5-2 libkrb5-3 libtinfo6 # CockroachDB (tests/harness/with_crdb.sh): unpack, run
    dpkg-dev lintian man-db # scripts/package.sh (dpkg-buildflags, dpkg-shlibdeps); tests/package/deb.sh
    pgbouncer # tests/integration/pooler.sh puts a real PgBouncer (1.18) in front of the server
    clang-format # scripts/style.sh: the layout .clang-format gives every C file
)

if [ "$(id -u)" = 0 ]; then
    sudo=()
elif command -v sudo >/dev/null 2>&1; then
    sudo=(sudo)
else
    echo "deps.sh: run as root or install sudo" >&2
    exit 1
fi

apt() {
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -q -y \
        -o Dpkg::Use-Pty=0 "$@"
}

# A mirror can be briefly unreachable; try a few times before giving up.
for attempt in 1 2 3; do
    apt update && break
    [ "$attempt" = 3 ] && { echo "deps.sh: apt-get update failed" >&2; exit 1; }
    sleep $((attempt * 5))
done
for attempt in 1 2 3; do
    apt install --no-install-recommends "${packages[@]}" && break
    [ "$attempt" = 3 ] && { echo "deps.sh: apt-get install failed" >&2; exit 1; }
    sleep $((attempt * 5))
done

# Check what the build and the harness will look for.
missing=()
for tool in cc cmake pkg-config pg_config psql runuser setsid setpriv ss gzip openssl script groff clang \
    valgrind /usr/bin/time promtool prometheus-node-exporter curl xz dpkg-shlibdeps lintian man \
    /usr/sbin/pgbouncer clang-format; do
    command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=("initdb")
[ -f /usr/include/csv.h ] || missing+=("csv.h")
[ -f /usr/share/bash-completion/bash_completion ] || missing+=("bash-completion")
ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-*.a >/dev/null 2>&1 ||
    missing+=("libFuzzer (libclang-rt-dev)")
if [ ${#missing[@]} -gt 0 ]; then
    echo "deps.sh: still missing after install: ${missing[*]}" >&2
    exit 1
fi
echo "deps.sh: ok ($(cmake --version | head -n 1), $(cc --version | head -n 1)," \
    "PostgreSQL $(ls /usr/lib/postgresql | sort -n | tr '\n' ' '| sed 's/ $//'))"
