#!/usr/bin/env bash
# scripts/demo_load.sh - the demo proper; runs inside tests/harness/with_pg.sh
# (which sets PGURL) from the repository root: see scripts/demo.sh.
# DEMO_ROWS: catalog size (default 100000); BUILD_DIR: where crdbload is (build).
set -euo pipefail

rows=${DEMO_ROWS:-100000}
bin=${BUILD_DIR:-build}
dir=_demo
mkdir -p "$dir"
sql() { psql -X -q -P pager=off -v ON_ERROR_STOP=1 -d "$PGURL" "$@"; }  # no pager on a terminal
say() { printf '\n== %s\n' "$*"; }

say "PostgreSQL $(psql -X -At -d "$PGURL" -c 'SHOW server_version') at $PGURL"
say "creating the reference table (fixtures/schema.sql)"
sql -f fixtures/schema.sql
sql -c '\d products'

say "generating a catalog of $rows rows, and the same catalog with 5% of rows changed"
"$bin/gencatalog" -n "$rows" -s 1 --gzip -o "$dir/sample.csv.gz"
"$bin/gencatalog" -n "$rows" -s 1 --gzip --change-fraction 0.05 -o "$dir/sample-changed.csv.gz"
ls -l "$dir"/sample*.csv.gz
(set +o pipefail; zcat "$dir/sample.csv.gz" | head -n 4) # zcat stops on SIGPIPE

say "first load: $bin/crdbload --url \"\$PGURL\" $dir/sample.csv.gz"
"$bin/crdbload" --url "$PGURL" "$dir/sample.csv.gz"

t_first=$(psql -X -At -d "$PGURL" -c 'SELECT now()')
say "second load, changed catalog, only changed rows are written (and stamped):"
echo "   $bin/crdbload --url \"\$PGURL\" --only-changed --set 'updated_at=now()' \\"
echo "       --summary-json $dir/summary.json $dir/sample-changed.csv.gz"
"$bin/crdbload" --url "$PGURL" --only-changed --set 'updated_at=now()' \
    --summary-json "$dir/summary.json" "$dir/sample-changed.csv.gz"
echo "--- $dir/summary.json:"
cat "$dir/summary.json"
echo

say "the table now"
sql -c 'SELECT count(*) AS rows, count(description) AS with_description FROM products'
sql -c "SELECT count(*) AS rows_updated_by_second_load FROM products WHERE updated_at > '$t_first'"
sql -c 'SELECT sku, name, price, stock, currency FROM products ORDER BY sku LIMIT 5'
say "done; the throwaway cluster is removed now, the files stay in $dir/"
