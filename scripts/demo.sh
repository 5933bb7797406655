#!/usr/bin/env bash
# scripts/demo.sh - README command (a): install the dependencies, build, start
# a throwaway PostgreSQL 15 cluster, and load a sample catalog into it twice
# (scripts/demo_load.sh): a first full load, then a changed catalog with
# --only-changed. The cluster is removed at the end; the generated files stay
# in _demo/.
#
#   DEMO_ROWS=1000000 bash scripts/demo.sh     (default: 100000 rows)
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build -j"$(nproc 2>/dev/null || echo 2)" --target crdbload gencatalog
exec bash tests/harness/with_pg.sh bash scripts/demo_load.sh
