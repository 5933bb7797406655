#!/usr/bin/env python3
"""bench/pprof_layers.py - where a CockroachDB node spends its CPU, by layer.

Reads a CPU profile from the node's /debug/pprof/profile endpoint (gzip'd
profile.proto; `go tool pprof` is not needed, and the shipped binary is
stripped, so perf cannot name its frames but the node's own profiler can) and
prints the share of the samples in each layer (a sample goes to the first rule,
GC first, then the innermost frame that a rule names, the first rule that
names it; runtime frames are their caller's), then the top functions by
self time and by total time.

    python3 bench/pprof_layers.py PROFILE.pb.gz [ROWS [REGEX [DEPTH]]]

With ROWS, each layer is also given in CPU microseconds a row. With REGEX,
the stacks through the frames it matches, DEPTH (8) frames of their callers
each, are printed instead, heaviest first: where a cost comes from.
"""
import gzip
import re
import sys
from collections import Counter


def varint(buf, i):
    shift = result = 0
    while True:
        b = buf[i]
        i += 1
        result |= (b & 0x7F) << shift
        if b < 0x80:
            return result, i
        shift += 7


def fields(buf):
    """Yields (field number, wire type, value) of one protobuf message."""
    i = 0
    while i < len(buf):
        key, i = varint(buf, i)
        num, wt = key >> 3, key & 7
        if wt == 0:
            v, i = varint(buf, i)
        elif wt == 2:
            n, i = varint(buf, i)
            v = buf[i:i + n]
            i += n
        elif wt == 1:
            v = int.from_bytes(buf[i:i + 8], "little")
            i += 8
        elif wt == 5:
            v = int.from_bytes(buf[i:i + 4], "little")
            i += 4
        else:
            raise ValueError("wire type %d" % wt)
        yield num, wt, v


def ints(wt, v):
    """A repeated integer field, packed or not."""
    if wt == 0:
        return [v]
    out, i = [], 0
    while i < len(v):
        x, i = varint(v, i)
        out.append(x)
    return out


def load(path):
    data = gzip.open(path).read()
    strings, samples, locs, funcs, types = [], [], {}, {}, []
    for num, wt, v in fields(data):
        if num == 6:
            strings.append(v.decode("utf-8", "replace"))
        elif num == 1:
            types.append(dict((n, x) for n, _, x in fields(v)))
        elif num == 2:
            ids, vals = [], []
            for n, w, x in fields(v):
                if n == 1:
                    ids += ints(w, x)
                elif n == 2:
                    vals += ints(w, x)
            samples.append((ids, vals))
        elif num == 4:
            lid, fns = 0, []
            for n, _, x in fields(v):
                if n == 1:
                    lid = x
                elif n == 4:
                    fns.append(dict((a, b) for a, _, b in fields(x)).get(1, 0))
            locs[lid] = fns  # innermost (inlined) first
        elif num == 5:
            f = dict((n, x) for n, _, x in fields(v))
            funcs[f.get(1, 0)] = f.get(2, 0)
    names = {fid: strings[s] for fid, s in funcs.items()}
    # the value column in nanoseconds of CPU ("cpu"/"nanoseconds")
    col = next((k for k, t in enumerate(types)
                if strings[t.get(1, 0)] == "cpu"), len(types) - 1)
    stacks = []
    for ids, vals in samples:
        frames = [names[f] for lid in ids for f in locs.get(lid, [])]
        stacks.append((frames, vals[col]))
    return stacks


# Whole-stack classes first: a sample with one of these frames anywhere is
# that class's, whatever it was doing (GC work in its own workers or in an
# allocation's assist; pebble's flushes and compactions; background jobs).
WHOLE = [
    ("GC (mark, sweep, assists)",
     r"^runtime\.(gcBgMarkWorker|bgsweep|gcAssistAlloc|bgscavenge)"),
    ("storage: memtable flushes and compactions (background)",
     r"cockroachdb/pebble\.\(\*DB\)\.(flush|compact|runCompaction)|cockroachdb/pebble\.\(\*compaction"),
    ("background: stats jobs, timeseries, node status, queues",
     r"/pkg/sql/stats|samplerProcessor|sampleAggregator|/pkg/jobs|/pkg/ts\.|/pkg/gossip|"
     r"/pkg/server/status|/pkg/server\.\(\*Node\)\.writeNodeStatus|kvserver\.\(\*baseQueue|"
     r"kvserver\.\(\*replicaScanner|kvserver\.\(\*Store\)\.(ComputeMetrics|updateReplicationGauges)|"
     r"/pkg/kv/kvserver/liveness|/pkg/sql/sqlliveness|/pkg/util/log"),
]

# Then the layer of the innermost frame that one of these names (tried in
# order on each frame, innermost first; runtime frames, like an allocation,
# are their caller's, and count as the runtime only when nothing else is named).
LAYERS = [
    ("pgwire: read, decode parameters (text arrays)",
     r"/pkg/sql/pgwire/pgwirebase\.|/pkg/sql/pgwire\.\(\*conn\)\.(handleBind|handleParse|serveImpl)|"
     r"/pkg/sql\.\(\*connExecutor\)\.execBind|/pkg/sql/sem/tree\.ParseDArray"),
    ("pgwire: write results", r"/pkg/sql/pgwire\.\(\*(writeBuffer|conn|commandResult)\)"),
    ("SQL parse", r"/pkg/sql/parser\.|/pkg/sql/scanner\."),
    ("optimizer (plan, optbuild, xform, memo, execbuilder)", r"/pkg/sql/opt/|/pkg/sql/opt\."),
    ("casts, datum parse (decimals, strings)",
     r"/pkg/sql/sem/tree\.(ParseD|PerformCast|\(\*CastExpr\)|Parse)|cockroachdb/apd"),
    ("SQL exec: row writer, index encoding",
     r"/pkg/sql/row\.|/pkg/sql/rowenc\.|/pkg/sql\.\(\*(tableWriter|tableInserter|"
     r"tableUpserter|optTableUpserter|insertNode|upsertNode|insertRun|upsertRun|insertFastPath)"),
    ("SQL exec: other (unnest, lookup join, flows, session)",
     r"/pkg/sql/|/pkg/sql\."),
    ("KV client: txn coordinator, DistSender",
     r"/pkg/kv/kvclient|/pkg/kv\.|/pkg/server\.\(\*Node\)\.(Batch|batchInternal)|"
     r"/pkg/rpc\.internalClientAdapter"),
    ("storage engine (pebble: seeks, memtable, WAL)",
     r"cockroachdb/pebble|/pkg/storage\.(EngineKeyCompare|\(\*pebble|\(\*Pebble|"
     r"\(\*intentInterleavingIter|\(\*pebbleIterator|\(\*pebbleBatch)"),
    ("Raft: proposal, log, replication, apply",
     r"go\.etcd\.io/etcd/raft|/pkg/kv/kvserver/apply|/pkg/kv/kvserver/raftentry|"
     r"kvserver\.\(\*Replica\)\.(handleRaftReady|tick|stepRaftGroup|sendRaftMessage|"
     r"withRaftGroup|append|propose)|kvserver\.\(\*replica(AppBatch|StateMachine|Decoder)|"
     r"kvserver\.\(\*raftScheduler|kvserver\.\(\*Store\)\.processRaft|kvserver\.\(\*propBuf"),
    ("KV server: evaluation (MVCC, latches, locks)", r"/pkg/kv/kvserver|/pkg/storage\."),
    ("runtime: scheduler, syscalls, network", r"^runtime\.|^syscall\.|^internal/poll|^net\."),
]

# The storage engine's samples split by what called it.
STORAGE_BY = [
    ("  of which reads: existence checks of the writes (mvccGetMetadata)",
     r"/pkg/storage\.mvccGetMetadata"),
    ("  of which reads: scans and lookups (MVCCScan, MVCCGet)",
     r"/pkg/storage\.(MVCCScan|MVCCGet|\(\*pebbleMVCCScanner)"),
    ("  of which writes: applying batches, Raft log (commit to memtable, WAL)",
     r"pebble\.\(\*DB\)\.(Apply|commitWrite|commitApply)|pebble\.\(\*commitPipeline|"
     r"pebble\.\(\*Batch\)\.(Commit|Set|Delete)|/pkg/storage\.\(\*pebbleBatch\)\.(put|Put|Clear|Commit)"),
]


def main():
    stacks = load(sys.argv[1])
    rows = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    total = sum(v for _, v in stacks)
    if len(sys.argv) > 3:
        return callers(stacks, total, re.compile(sys.argv[3]),
                       int(sys.argv[4]) if len(sys.argv) > 4 else 8)
    whole = [(name, re.compile(rx)) for name, rx in WHOLE]
    rules = [(name, re.compile(rx)) for name, rx in LAYERS]
    storage_by = [(name, re.compile(rx)) for name, rx in STORAGE_BY]
    layer = Counter()
    for frames, v in stacks:
        name = next((n for n, rx in whole if any(rx.search(f) for f in frames)), None)
        if name is None:
            name = next((n for f in frames for n, rx in rules[:-1] if rx.search(f)), None)
        if name is None:
            name = rules[-1][0] if any(rules[-1][1].search(f) for f in frames) else "other"
        layer[name] += v
        if name.startswith("storage engine"):
            sub = next((n for n, rx in storage_by if any(rx.search(f) for f in frames)),
                       "  of which other")
            layer[sub] += v
    print("total CPU in the profile: %.2f s" % (total / 1e9))
    names = []  # the declared order, the storage engine's parts after it
    for name, _ in WHOLE + LAYERS:
        names.append(name)
        if name.startswith("storage engine"):
            names += [n for n, _ in STORAGE_BY] + ["  of which other"]
    names.append("other")
    for name in names:
        v = layer.get(name, 0)
        if not v:
            continue
        per = "  %7.1f us/row" % (v / 1e3 / rows) if rows else ""
        print("%5.1f%%%s  %s" % (100.0 * v / total, per, name))
    flat, cum = Counter(), Counter()
    for frames, v in stacks:
        if frames:
            flat[frames[0]] += v
        for f in set(frames):
            cum[f] += v
    print("\ntop self:")
    for f, v in flat.most_common(40):
        print("%5.1f%%  %s" % (100.0 * v / total, f))
    print("\ntop total:")
    for f, v in cum.most_common(90):
        print("%5.1f%%  %s" % (100.0 * v / total, f))


def callers(stacks, total, rx, depth):
    paths = Counter()
    for frames, v in stacks:
        k = next((k for k, f in enumerate(frames) if rx.search(f)), None)
        if k is not None:
            short = [re.sub(r"^.*/", "", f) for f in frames[k:k + depth]]
            paths[" <- ".join(short)] += v
    for p, v in paths.most_common(25):
        print("%5.1f%%  %s" % (100.0 * v / total, p))


if __name__ == "__main__":
    main()
