#!/usr/bin/env bash
# scripts/test.sh - README command (b), and what CI runs (.ci/run):
#
#   1. scripts/deps.sh (apt packages; needs root or sudo), then scripts/style.sh
#      (clang-format and the 88-column limit over every C file)
#   2. build/       RelWithDebInfo with the benches, then the whole CTest suite
#                   (unit, cli, integration; each integration test starts its
#                   own throwaway PostgreSQL cluster, so -j2 is safe)
#   3. build-asan/  ASan + UBSan, the whole suite again; any report fails it
#   4. build-tsan/  ThreadSanitizer on the tests labelled "threads"
#   5. build-fuzz/  clang + libFuzzer: the reader's fuzz targets, 60 s each
#
# A failed build stops at once; failed tests are reported and the next
# configuration still runs. Exits non-zero if anything failed; the last line
# says which.
set -euo pipefail
cd "$(dirname "$0")/.."

t_start=$SECONDS
jobs=$(nproc 2>/dev/null || echo 2)
failed=()

stage() { # NAME CMD... : run one step, timed; remember a failure
    local name=$1 t0=$SECONDS rc=0
    shift
    echo
    echo "=== $name"
    "$@" || rc=$?
    echo "=== $name: $([ $rc = 0 ] && echo ok || echo "FAILED (exit $rc)") in $((SECONDS - t0)) s"
    [ $rc = 0 ] || failed+=("$name")
    return $rc
}

give_up() {
    echo
    echo "test.sh: FAILED: ${failed[*]} (after $((SECONDS - t_start)) s)"
    exit 1
}

stage "dependencies" bash scripts/deps.sh || give_up
stage "style (clang-format, 88 columns)" bash scripts/style.sh || true

# --- 1. release-ish build, whole suite -------------------------------------------
stage "configure build/" cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCRDBLOAD_BUILD_BENCH=ON || give_up
stage "build build/" cmake --build build -j"$jobs" || give_up
stage "ctest build/" ctest --test-dir build --output-on-failure --no-tests=error -j2 || true

# --- 2. ASan + UBSan build, whole suite -----------------------------------------
stage "configure build-asan/" cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug \
    -DCMAKE_C_FLAGS_DEBUG="-O1 -g" -DCRDBLOAD_SANITIZE=ON -DCRDBLOAD_BUILD_BENCH=OFF ||
    give_up
stage "build build-asan/" cmake --build build-asan -j"$jobs" || give_up
stage "ctest build-asan/ (ASan+UBSan)" \
    env ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir build-asan --output-on-failure --no-tests=error -j2 || true

# --- 3. ThreadSanitizer: the tests labelled "threads" ---------------------------
# (tests/CMakeLists.txt: the C programs driving the pool, and the integration
# scripts that load with several workers, fault paths included; CTest gives each
# the crdbload of build-tsan/.) Reports go to build-tsan/tsan-reports/, so that
# one from a process whose exit status a script does not look at (a loader run
# in the background, killed on purpose) still fails the stage. No suppressions:
# libpq and libc are not instrumented, and nothing in them has been reported.
tsan_ctest() {
    local reports=build-tsan/tsan-reports rc=0
    rm -rf "$reports"
    mkdir -p "$reports"
    env TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:log_path=$PWD/$reports/tsan" \
        ctest --test-dir build-tsan -L threads --output-on-failure --no-tests=error -j2 || rc=$?
    if compgen -G "$reports/tsan.*" >/dev/null; then
        echo "ThreadSanitizer reports:"
        cat "$reports"/tsan.*
        rc=1
    fi
    return $rc
}
stage "configure build-tsan/" cmake -S . -B build-tsan -DCMAKE_BUILD_TYPE=Debug \
    -DCMAKE_C_FLAGS_DEBUG="-O1 -g" -DCRDBLOAD_TSAN=ON -DCRDBLOAD_BUILD_BENCH=OFF || give_up
stage "build build-tsan/" cmake --build build-tsan -j"$jobs" || give_up
stage "ctest build-tsan/ (TSan, label threads)" tsan_ctest || true

# --- 4. libFuzzer: the reader, a minute a target (both at once) ------------------
# scripts/fuzz.sh builds build-fuzz/ with clang (-fsanitize=fuzzer,address,
# undefined) and runs tests/fuzz/fuzz_reader and fuzz_reader_gzip; a crash or a
# broken invariant fails the stage and leaves the input in build-fuzz/artifacts/.
stage "fuzz build-fuzz/ (libFuzzer, 60 s)" bash scripts/fuzz.sh -t 60 -B build-fuzz || true

[ ${#failed[@]} -eq 0 ] || give_up
echo
echo "test.sh: all passed (build/, build-asan/, build-tsan/, build-fuzz/) in $((SECONDS - t_start)) s"
