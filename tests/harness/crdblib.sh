# tests/harness/crdblib.sh - helpers for tests/crdb/*.sh, which run inside
# tests/harness/with_crdb.sh (sourced after testlib.sh and loadlib.sh).
#
#   stage_generated TABLE GENCATALOG-ARGS...   the reference: a table with the
#                       catalog's columns holding what gencatalog's CSV means,
#                       written by gencatalog itself in COPY's text format and
#                       loaded with psql's \copy (CockroachDB v21.1's COPY
#                       cannot read the CSV: quoted quotes and line breaks),
#                       plus "ord", the record's ordinal (0-based, as
#                       --checkpoint counts records: faultlib's prefix_committed)
#   node_url N [USER]   node N's URL (1-based), same parameters as CRDB_URL
#   node_port N, node_pid N
#   node_id N           node N's id in the cluster: ids follow the order in
#                       which the nodes joined, not the harness's N
#   qn N "SQL"          q on node N
#   kill_node N         SIGKILL node N and wait until it is gone
#   wait_expendable N [SECS]   until node N can be lost: every range has three
#                       voting replicas and no learner (after a cluster starts,
#                       up-replication takes tens of seconds). Not "no range
#                       on N among fewer than 3": a range on {1} passes that
#                       and becomes {1, N} a moment later, which N's loss
#                       leaves without a quorum (seen in CI: the liveness
#                       range, and the whole cluster stopped)
#   timed DESC CMD...   run CMD, print how long it took (the report's figures)
#   PACE                a --default that makes every statement last at least
#                       100 ms (crdb_internal.force_retry: the server retries
#                       the statement until it is that old), so that a small
#                       load lasts long enough to interrupt; v21.1 has no
#                       triggers for faultlib's slow_statements
PACE=(--default "updated_at=now() + crdb_internal.force_retry('100ms'::interval) * INTERVAL '1 microsecond'")

stage_generated() {
    local table=$1
    shift
    q "DROP TABLE IF EXISTS $table; CREATE TABLE $table (sku text, name text, description text, price numeric(10,2), stock integer, currency text, ord int)" >/dev/null
    # one record a line in the text format: the line number is the ordinal
    "$GENCATALOG" --copy-text "$@" | awk '{ print $0 "\t" NR - 1 }' >"$TMP/$table.copy" || return 1
    psql -X -q -v ON_ERROR_STOP=1 -d "$PGURL" \
        -c "\\copy $table ($CATALOG_COLS, ord) FROM '$TMP/$table.copy'"
}

node_port() {
    local -a p
    read -r -a p <<<"$CRDB_PORTS"
    echo "${p[$1 - 1]}"
}

node_pid() {
    local -a p
    read -r -a p <<<"$CRDB_NODE_PIDS"
    echo "${p[$1 - 1]}"
}

node_url() {
    local user=${2:-root}
    echo "postgresql://$user@127.0.0.1:$(node_port "$1")/crdbload_test?${CRDB_URL#*\?}"
}

qn() {
    psql -X -q -At -v ON_ERROR_STOP=1 -d "$(node_url "$1")" -c "$2"
}

kill_node() {
    local pid
    pid=$(node_pid "$1")
    kill -KILL "$pid" 2>/dev/null
    while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
}

node_id() {
    q "SELECT node_id FROM crdb_internal.gossip_nodes WHERE address = '127.0.0.1:$(node_port "$1")'"
}

wait_expendable() {
    local node secs=${2:-120} i at_risk
    node=$(node_id "$1") || return 1
    for ((i = 0; i < secs * 2; i++)); do
        at_risk=$(q "SELECT count(*) FROM crdb_internal.ranges_no_leases
                     WHERE coalesce(array_length(voting_replicas, 1), 0) < 3
                        OR coalesce(array_length(learner_replicas, 1), 0) > 0")
        [ "$at_risk" = 0 ] && return 0
        sleep 0.5
    done
    echo "wait_expendable: $at_risk ranges not on three voters yet after $secs s (node $1 is id $node)" >&2
    return 1
}

timed() {
    local desc=$1 t0 rc
    shift
    t0=$(date +%s.%N)
    "$@"
    rc=$?
    printf '# time: %s %.1f s\n' "$desc" "$(echo "$(date +%s.%N) - $t0" | bc)"
    return $rc
}
