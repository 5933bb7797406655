# tests/crdb/cluster.sh - a 3-node CockroachDB v21.1 cluster on loopback and a
# three-host URI: the workers spread over the three nodes (seen in
# crdb_internal.cluster_sessions); a node killed (SIGKILL) mid-load and then
# another drained (cockroach node drain) mid-load, each run ending with exit 0
# and every row present.
# with_crdb: --nodes 3
# labels: threads
# run_serial
source "$TESTLIB"
source "$LOADLIB"
source "$CRDBLIB"
source "$(dirname "$LOADLIB")/faultlib.sh"
N=4000
"$GENCATALOG" -n $N -s 13 -o "$TMP/cat.csv"
stage_generated ref -n $N -s 13
for t in spread_t kill_t drain_t; do
    sed "s/CREATE TABLE products/CREATE TABLE $t/" "$FIXTURES/schema.sql" | psql -X -q -v ON_ERROR_STOP=1 -d "$PGURL"
done
ARGS=(--url "$CRDB_URL_ALL" -j 6 -b 50 --progress none "${PACE[@]}")
count() { q "SELECT count(*) FROM $1"; }
said() { grep -E 'error|warning' "$TMP/loader.err" | head -n 5 | sed 's/^/  | /'; }
until_rows() { # TABLE N: wait until TABLE holds N rows (60 s at most)
    local i
    for ((i = 0; i < 600; i++)); do
        [ "$(count "$1")" -ge "$2" ] && return 0
        sleep 0.1
    done
    return 1
}

# --- the spread: which node each worker's session is on ---------------------------------
start_loader "${ARGS[@]}" --table spread_t --summary-json "$TMP/s.json" "$TMP/cat.csv"
# Each node's most sessions over the samples: on a loaded machine one sample may
# miss a node (cluster_sessions leaves out a node that does not answer in time).
declare -A most=()
while kill -0 "$loader_pid" 2>/dev/null; do
    for pair in $(q "SELECT node_id::STRING || ':' || count(*)::STRING
                     FROM crdb_internal.cluster_sessions
                     WHERE application_name = 'crdbload' GROUP BY node_id"); do
        node=${pair%%:*} n=${pair##*:}
        [ "${most[$node]:-0}" -ge "$n" ] || most[$node]=$n
    done
    sleep 0.2
done
wait_loader
seen=$(for node in $(printf '%s\n' "${!most[@]}" | sort -n); do printf '%s:%s ' "$node" "${most[$node]}"; done)
seen=${seen% }
echo "crdbload's sessions by node (node:sessions): $seen"
check_eq "spread: exit 0" "$loader_rc" 0
check_eq "spread: 6 workers on the 3 nodes, 2 each" "$seen" "1:2 2:2 3:2"
same_rows "spread: every row" spread_t ref

# --- a node killed mid-load ------------------------------------------------------------------
timed "up-replication" wait_expendable 3
id3=$(node_id 3)
id2=$(node_id 2)
echo "node 3 has id $id3, node 2 id $id2"
check_eq "no range on node 3 has fewer than 3 voters before it is killed" \
    "$(q "SELECT count(*) FROM crdb_internal.ranges_no_leases
          WHERE $id3 = ANY (replicas) AND coalesce(array_length(voting_replicas, 1), 0) < 3")" 0
start_loader "${ARGS[@]}" --table kill_t --summary-json "$TMP/k.json" "$TMP/cat.csv"
until_rows kill_t $((N / 4))
t0=$(date +%s)
kill_node 3
echo "node 3 (pid $(node_pid 3)) killed at $(count kill_t) rows"
wait_loader
said
echo "the load ended $(($(date +%s) - t0)) s after the kill"
check_eq "node killed mid-load: exit 0" "$loader_rc" 0
same_rows "node killed mid-load: every row" kill_t ref
counts_add_up "node killed mid-load" "$TMP/k.json"
check_match "node killed mid-load: the workers on it reconnected" "$(js reconnects "$TMP/k.json")" '^[1-9][0-9]*$'
check_eq "node 3 is gone" "$(kill -0 "$(node_pid 3)" 2>/dev/null && echo alive || echo gone)" gone

# --- a node drained mid-load -------------------------------------------------------------------
start_loader "${ARGS[@]}" --table drain_t --summary-json "$TMP/d.json" "$TMP/cat.csv"
until_rows drain_t $((N / 4))
echo "draining node 2 at $(count drain_t) rows"
t0=$(date +%s)
# shellcheck disable=SC2086 # CRDB_FLAGS is one flag
"$COCKROACH" node drain $CRDB_FLAGS --host="127.0.0.1:$(node_port 2)" >"$TMP/drain.out" 2>&1
echo "cockroach node drain took $(($(date +%s) - t0)) s"
check_match "node 2 drained" "$(cat "$TMP/drain.out")" 'ok'
wait_loader
said
check_eq "node drained mid-load: exit 0" "$loader_rc" 0
same_rows "node drained mid-load: every row" drain_t ref
counts_add_up "node drained mid-load" "$TMP/d.json"
check_eq "node 2 refuses new SQL sessions" \
    "$(psql -X -At -d "$(node_url 2)" -c 'SELECT 1' >/dev/null 2>&1 && echo accepted || echo refused)" refused
check_eq "no crdbload session left on node 2" "$(q "SELECT count(*) FROM crdb_internal.cluster_sessions
    WHERE node_id = $id2 AND application_name = 'crdbload'")" 0
finish
