#!/usr/bin/env bash
# scripts/fuzz.sh - build the reader's libFuzzer targets (tests/fuzz) with clang
# and run them for a bounded time, all at once (one a core).
#
#   bash scripts/fuzz.sh [-t SECONDS] [-B BUILD_DIR] [-s] [TARGET...]
#
#   -t SECONDS   how long each target runs (default 60)
#   -B DIR       build dir (default build-fuzz); configured with
#                CMAKE_C_COMPILER=clang and CRDBLOAD_FUZZ=ON
#   -s           skip the build (it is up to date)
#   TARGET       fuzz_reader, fuzz_reader_gzip (default: both)
#
# Each target's corpus is DIR/corpus/TARGET, kept between runs and seeded with
# fixtures/csv and tests/fuzz/regressions; its log is DIR/fuzz-TARGET.log. An
# input that crashes a target or breaks an invariant is saved as
# DIR/artifacts/TARGET/crash-*; replay one with
#   DIR/tests/fuzz/TARGET DIR/artifacts/TARGET/crash-...
# then fix, and copy it to tests/fuzz/regressions/ (replayed by every CTest run).
# Exits 1 when any target failed; prints runs, execs/s, coverage and corpus size
# of each.
set -euo pipefail
cd "$(dirname "$0")/.."

secs=60
build=build-fuzz
skip_build=0
while getopts "t:B:s" opt; do
    case $opt in
    t) secs=$OPTARG ;;
    B) build=$OPTARG ;;
    s) skip_build=1 ;;
    *) sed -n '2,20p' "$0" >&2; exit 2 ;;
    esac
done
shift $((OPTIND - 1))
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(fuzz_reader fuzz_reader_gzip)

if [ "$skip_build" = 0 ]; then
    command -v clang >/dev/null || { echo "fuzz.sh: clang not found (scripts/deps.sh)" >&2; exit 1; }
    cmake -S . -B "$build" -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=Debug \
        -DCMAKE_C_FLAGS_DEBUG="-O1 -g" -DCRDBLOAD_FUZZ=ON -DBUILD_TESTING=OFF \
        -DCRDBLOAD_BUILD_BENCH=OFF >"$build.configure.log" 2>&1 ||
        { cat "$build.configure.log" >&2; exit 1; }
    rm -f "$build.configure.log"
    cmake --build "$build" -j"$(nproc 2>/dev/null || echo 2)" --target "${targets[@]}"
fi

# A smaller ASan quarantine than the default 256 MB: the reader allocates its
# 256 KiB buffers per input, and a full quarantine halves the exec rate.
export ASAN_OPTIONS=${ASAN_OPTIONS:-quarantine_size_mb=32:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

pids=()
for t in "${targets[@]}"; do
    mkdir -p "$build/corpus/$t" "$build/artifacts/$t"
    "$build/tests/fuzz/$t" -max_total_time="$secs" -timeout=20 -rss_limit_mb=1024 \
        -print_final_stats=1 -dict=tests/fuzz/csv.dict \
        -artifact_prefix="$build/artifacts/$t/" \
        "$build/corpus/$t" fixtures/csv tests/fuzz/regressions \
        >"$build/fuzz-$t.log" 2>&1 &
    pids+=($!)
done

failed=0
for i in "${!targets[@]}"; do
    t=${targets[$i]} rc=0
    wait "${pids[$i]}" || rc=$?
    log=$build/fuzz-$t.log
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
    cov=$(grep -oE 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+/[0-9a-zA-Z]+' "$log" | tail -n 1)
    if [ "$rc" = 0 ]; then
        echo "fuzz.sh: $t: ok: ${runs:-?} runs in ${secs} s, ${rate:-?} execs/s, ${cov:-?}"
    else
        failed=1
        echo "fuzz.sh: $t: FAILED (exit $rc) after ${runs:-?} runs; the log ends:"
        grep -v '^    #[0-9]' "$log" | tail -n 40 | sed 's/^/  | /'
        ls "$build/artifacts/$t/" | sed 's/^/  saved: /'
    fi
done
exit "$failed"
