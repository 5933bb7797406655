# tests/harness/test_with_crdb.sh - the CockroachDB harness itself, from the
# outside: a missing binary fails with a clear message (never a skip); CMD's
# exit status is passed on and the nodes and the temp dir are gone after it;
# WITH_CRDB_KEEP=1 keeps the dir; the store and cache sizes (1 GiB and 64 MiB,
# or WITH_CRDB_STORE_SIZE/WITH_CRDB_CACHE_SIZE) reach the node; a wrapper
# killed with SIGKILL (as a CTest timeout does) is cleaned up by its watchdog.
#
#   bash tests/harness/test_with_crdb.sh
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$here/checks.sh"
source "$here/serverlib.sh"
W=$here/with_crdb.sh
T=$(mktemp -d /tmp/crdbload-harness-test.XXXXXX)
trap 'rm -rf "$T"' EXIT

out=$(COCKROACH_BIN=/nonexistent/cockroach bash "$W" true 2>&1)
check_eq "COCKROACH_BIN missing: exit 1" "$?" 1
check_match "... says so" "$out" 'COCKROACH_BIN=/nonexistent/cockroach is not an executable file'
out=$(env -u COCKROACH_BIN COCKROACH_XZ=/nonexistent/c.xz bash "$W" true 2>&1)
check_eq "the .xz missing: exit 1" "$?" 1
check_match "... says which file and what to set" "$out" 'no CockroachDB binary: /nonexistent/c\.xz is missing.*COCKROACH_BIN'

# A normal run: the command's status, and nothing left behind.
bash "$W" bash -c 'echo "$CRDB_TMP $CRDB_NODE_PIDS" >"$0"
    tr "\0" " " <"/proc/$CRDB_NODE_PIDS/cmdline" >"$0.cmd"; exit 7' "$T/run1" 2>"$T/run1.err"
check_eq "CMD's exit status is passed on" "$?" 7
read -r dir pids <"$T/run1"
check "the temp dir is removed" test ! -e "$dir"
alive=0
for p in $pids; do kill -0 "$p" 2>/dev/null && alive=$((alive + 1)); done
check_eq "no node left running" "$alive" 0
check_match "a failing CMD shows the end of the node's output" "$(cat "$T/run1.err")" 'the end of its output'
check_match "the node's store and cache by default" "$(cat "$T/run1.cmd")" \
    '--store=type=mem,size=1GiB --cache=64MiB '

WITH_CRDB_KEEP=1 WITH_CRDB_STORE_SIZE=2GiB WITH_CRDB_CACHE_SIZE=96MiB bash "$W" bash -c \
    'echo "$CRDB_TMP" >"$0"; tr "\0" " " <"/proc/$CRDB_NODE_PIDS/cmdline" >"$0.cmd"' \
    "$T/run2" 2>/dev/null
read -r dir <"$T/run2"
check "WITH_CRDB_KEEP=1 keeps the temp dir (logs)" test -d "$dir/node1/logs"
check_match "WITH_CRDB_STORE_SIZE and WITH_CRDB_CACHE_SIZE reach the node" \
    "$(cat "$T/run2.cmd")" '--store=type=mem,size=2GiB --cache=96MiB '
rm -rf "$dir"

# The wrapper SIGKILLed while CMD runs: the watchdog kills the nodes and CMD.
# (its output not on ours: an orphan holding our stdout would hold CTest too)
bash "$W" bash -c 'echo "$CRDB_TMP $CRDB_NODE_PIDS $$" >"$0"; sleep 120' "$T/run3" >/dev/null 2>&1 &
wrapper=$!
for i in $(seq 600); do [ -s "$T/run3" ] && break; sleep 0.1; done
read -r dir npid cpid <"$T/run3"
# the wrapper records CMD's pid for the watchdog just after starting it
for i in $(seq 100); do [ -s "$dir/cmd.pid" ] && break; sleep 0.1; done
kill -KILL "$wrapper"
for i in $(seq 300); do
    kill -0 "$npid" 2>/dev/null || kill -0 "$cpid" 2>/dev/null || [ -e "$dir" ] || break
    sleep 0.1
done
check "wrapper killed: the node is killed" bash -c "! kill -0 $npid 2>/dev/null"
check "wrapper killed: CMD is stopped" bash -c "! kill -0 $cpid 2>/dev/null"
check "wrapper killed: the temp dir is removed" test ! -e "$dir"
kill -KILL "$cpid" "$npid" 2>/dev/null # should a check above have failed
finish
