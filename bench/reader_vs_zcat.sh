#!/usr/bin/env bash
# bench/reader_vs_zcat.sh - is the reader ever the bottleneck? Compares reading a
# gzip catalog with the reader against plain decompression with zcat.
#
#   bench/reader_vs_zcat.sh BUILD_DIR [ROWS]
#
# Generates a catalog of ROWS rows (default 1000000) with BUILD_DIR/gencatalog,
# plain and gzip, then runs 3 alternating rounds of: zcat FILE.gz > /dev/null,
# bench_reader FILE.gz, bench_reader FILE. Every run is timed the same way (wall
# time of the whole process). Prints the medians and reader_gz/zcat; exits 1 when
# that ratio is over the target (1.6), 2 on a usage or setup error.
set -euo pipefail

TARGET=1.6
ROUNDS=3

if [[ $# -lt 1 || $# -gt 2 ]]; then
    echo "usage: $0 BUILD_DIR [ROWS]" >&2
    exit 2
fi
build=$1
rows=${2:-1000000}
# A program of the build: at its top (gencatalog) or under bench/ (bench_reader).
find_prog() {
    local d
    for d in "$build" "$build/bench"; do
        if [[ -x $d/$1 ]]; then
            echo "$d/$1"
            return
        fi
    done
    echo "$0: $1 not found in $build or $build/bench; build it first" >&2
    exit 2
}
gencatalog=$(find_prog gencatalog)
bench_reader=$(find_prog bench_reader)

work=$(mktemp -d "${TMPDIR:-/tmp}/reader_vs_zcat.XXXXXX")
trap 'rm -rf "$work"' EXIT
plain=$work/catalog.csv
gz=$work/catalog.csv.gz
"$gencatalog" -n "$rows" -o "$plain"
"$gencatalog" -n "$rows" --gzip -o "$gz"

# Seconds taken by a command, its stdout to $work/out.
timed() {
    local t0 t1
    t0=$(date +%s%N)
    "$@" > "$work/out"
    t1=$(date +%s%N)
    printf '%.3f' "$(echo "scale=3; ($t1 - $t0) / 1000000000" | bc)"
}

median() {
    printf '%s\n' "$@" | sort -n | sed -n "$(( ($# + 1) / 2 ))p"
}

# Warm the page cache so that the first round is not the only one reading disk.
cat "$plain" "$gz" > /dev/null

zcat_t=() gz_t=() plain_t=()
for ((i = 1; i <= ROUNDS; i++)); do
    zcat_t+=("$(timed zcat "$gz")")
    gz_t+=("$(timed "$bench_reader" "$gz")")
    cat "$work/out"
    plain_t+=("$(timed "$bench_reader" "$plain")")
    cat "$work/out"
done

z=$(median "${zcat_t[@]}")
g=$(median "${gz_t[@]}")
p=$(median "${plain_t[@]}")
ratio=$(echo "scale=2; $g / $z" | bc)
verdict=ok
if (( $(echo "$ratio > $TARGET" | bc) )); then
    verdict=over
fi
echo "reader_vs_zcat rows=$rows plain_bytes=$(stat -c %s "$plain") gz_bytes=$(stat -c %s "$gz")" \
     "rounds=$ROUNDS zcat_s=$z reader_gz_s=$g reader_plain_s=$p" \
     "reader_gz/zcat=$(printf '%.2f' "$ratio") target=$TARGET $verdict"
[[ $verdict == ok ]]
