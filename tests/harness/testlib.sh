# tests/harness/testlib.sh - helpers for tests/integration/*.sh, which run
# inside tests/harness/with_pg.sh, and tests/crdb/*.sh, which run inside
# tests/harness/with_crdb.sh (it sets PGURL too); both start with
#
#   source "$TESTLIB"
#
# CTest sets TESTLIB, CRDBLOAD (the loader), GENCATALOG (fixtures/gencatalog)
# and FIXTURES (the fixtures/ dir); with_pg.sh / with_crdb.sh set PGURL and the rest.
#
#   q "SQL"                      run SQL (psql -At), print the result
#   load_fixture schema.sql      run a file from $FIXTURES
#   run_loader ARGS...           run $CRDBLOAD; sets loader_rc, and the files
#                                $TMP/loader.out and $TMP/loader.err
#   pgctl ARGS...                pg_ctl on the test cluster as its owner, e.g.
#                                pgctl restart -m fast
#   ok, fail, check, check_eq, check_match, finish   from checks.sh
#
# $TMP is a scratch dir inside the cluster's temp dir, removed with it.
# pgctl is PostgreSQL's only.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/checks.sh"

[ -n "${PGURL:-}" ] || {
    echo "testlib: PGURL is not set; run the test under tests/harness/with_pg.sh (or with_crdb.sh)" >&2
    exit 1
}
: "${FIXTURES:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../fixtures" && pwd)}"
TMP=$(mktemp -d "${PG_TMP:-${CRDB_TMP:-/tmp}}/test.XXXXXX") || exit 1
chmod 755 "$TMP"
loader_rc=

q() {
    psql -X -q -At -v ON_ERROR_STOP=1 -d "$PGURL" -c "$1"
}

load_fixture() {
    psql -X -q -v ON_ERROR_STOP=1 -d "$PGURL" -f "$FIXTURES/$1"
}

run_loader() {
    : "${CRDBLOAD:?CRDBLOAD is not set}"
    "$CRDBLOAD" "$@" >"$TMP/loader.out" 2>"$TMP/loader.err"
    loader_rc=$?
    echo "+ crdbload $* -> exit $loader_rc; stderr ends:"
    tail -n 15 "$TMP/loader.err" | sed 's/^/  | /'
}

pgctl() {
    (cd "$PG_TMP" && $PG_AS "$PG_BIN/pg_ctl" -D "$PGDATA" -l "$PG_LOG" -w "$@")
}

