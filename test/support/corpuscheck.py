#!/usr/bin/env python3
"""Runs a corpus program built with and without the plugin and checks its recorded graph.

Usage:
  corpuscheck.py --plain BIN --traced BIN --trace FILE [--source FILE] [--calls]
                 [--allow-open N] [--min-nodes N] [-- ARG...]

1. Runs the plain binary, then the traced one with TRACE_FILE=FILE (same arguments, no input).
   Their standard output and exit codes must be equal, else a diff goes to stderr and the
   exit status is 1.
2. Reads the trace (a binary one through `trace-optimize dump`, see traceio.py; a warning of
   the dump, such as a trace cut short, fails the check) and checks its structure: header
   first with format trace-cpp version 1,
   every line one JSON object, node ids unique, every "ret" and "feedback" names a known node,
   parents and "from" edges name known nodes, sites are declared before use, the "end" record
   counts every node and drops none, and at most --allow-open calls have no "ret" (a program
   that leaves through exit() inside a bundle leaves those open).
3. Prints a summary for FileCheck, sorted so that CHECK lines need no particular order:
     run: exit=<code> stdout-lines=<n>
     graph: nodes=<n> open=<n> dropped=<n> sites=<n>
     site <name> key=<key> calls=<n> rets=<n> exceptions=<n>
   Site records with equal keys (instantiations of one template) are counted as one line.
   Only sites defined in --source are listed (all when it is not given); sites of other files are
   counted on the "graph:" line as other-sites=<n>. With --calls, each thread's call tree follows,
   one line per call in the order of the calls, with one "| " per level of nesting (FileCheck
   ignores plain indentation):
     thread <k>
     <name>(<arg>=<value>, ...) -> <value> | throws <type>: <what> | void | open
     | <callee>(...) -> ...
   Threads are numbered from 1 in the order of their ids (the thread part of the node ids).
"""
import argparse
import difflib
import io
import json
import os
import subprocess
import sys

import traceio


def fail(msg):
    sys.stderr.write("corpuscheck: " + msg + "\n")
    sys.exit(1)


def run(binary, args, env, timeout):
    try:
        p = subprocess.run([binary] + args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, env=env, timeout=timeout)
    except subprocess.TimeoutExpired:
        fail(f"{binary} timed out after {timeout} s")
    return p


def compare_runs(opts):
    env = dict(os.environ)
    env.pop("TRACE_ENABLE", None)
    env["TRACE_FILE"] = opts.trace + ".plain-unused"
    plain = run(opts.plain, opts.args, env, opts.timeout)
    env["TRACE_FILE"] = opts.trace
    if os.path.exists(opts.trace):
        os.remove(opts.trace)
    traced = run(opts.traced, opts.args, env, opts.timeout)
    ok = True
    if plain.stdout != traced.stdout:
        ok = False
        a = plain.stdout.decode("utf-8", "replace").splitlines(keepends=True)
        b = traced.stdout.decode("utf-8", "replace").splitlines(keepends=True)
        sys.stderr.writelines(difflib.unified_diff(a, b, "plain stdout", "traced stdout"))
    if plain.returncode != traced.returncode:
        ok = False
        sys.stderr.write(f"exit code: plain {plain.returncode}, traced {traced.returncode}\n")
    if not ok:
        sys.stderr.write("traced stderr:\n" + traced.stderr.decode("utf-8", "replace")[-4000:])
        fail("the traced program behaves differently from the plain one")
    lines = plain.stdout.count(b"\n")
    print(f"run: exit={plain.returncode} stdout-lines={lines}")


def load(path):
    if not os.path.exists(path):
        fail(f"no trace file at {path}")
    records = []
    try:
        data, warnings = traceio.read_bytes(path)
    except (OSError, traceio.TraceReadError) as e:
        fail(f"cannot read {path}: {e}")
    for w in warnings:
        fail(w)
    with io.BytesIO(data) as f:
        for no, raw in enumerate(f, 1):
            try:
                rec = json.loads(raw)
            except ValueError as e:
                fail(f"{path}:{no}: not a JSON object: {e}: {raw[:200]!r}")
            if not isinstance(rec, dict) or "k" not in rec:
                fail(f"{path}:{no}: a record without a kind: {raw[:200]!r}")
            records.append((no, rec))
    if not records:
        fail(f"{path}: empty trace")
    no, head = records[0]
    if head.get("k") != "header" or head.get("format") != "trace-cpp" or head.get("version") != 1:
        fail(f"{path}:1: the first record is not a version 1 header: {head}")
    return records


def check_graph(opts, records):
    sites = {}
    calls = {}
    order = []
    rets = {}
    end = None
    for no, rec in records[1:]:
        kind = rec["k"]
        where = f"{opts.trace}:{no}"
        if kind == "site":
            sites[rec["site"]] = rec
        elif kind == "call":
            node = rec["node"]
            if node in calls:
                fail(f"{where}: node {node} called twice")
            if rec["site"] not in sites:
                fail(f"{where}: call of undeclared site {rec['site']}")
            calls[node] = rec
            order.append(node)
        elif kind == "ret":
            node = rec["node"]
            if node not in calls:
                fail(f"{where}: ret of unknown node {node}")
            if node in rets:
                fail(f"{where}: node {node} returned twice")
            rets[node] = rec
        elif kind == "feedback":
            if rec.get("node", 0) and rec["node"] not in calls:
                fail(f"{where}: feedback on unknown node {rec['node']}")
        elif kind == "end":
            end = rec
    for node, rec in calls.items():
        parent = rec.get("parent", 0)
        if parent:
            if parent not in calls:
                fail(f"node {node}: unknown parent {parent}")
            if calls[parent].get("thread") != rec.get("thread"):
                fail(f"node {node}: parent {parent} runs on another thread")
        for a in rec.get("args", []):
            src = a.get("from")
            if src and src not in calls:
                fail(f"node {node}: argument {a.get('name')} comes from unknown node {src}")
    open_nodes = [n for n in calls if n not in rets]
    if len(open_nodes) > opts.allow_open:
        names = ", ".join(sites[calls[n]["site"]]["name"] for n in open_nodes[:10])
        fail(f"{len(open_nodes)} calls have no ret (allowed {opts.allow_open}): {names}")
    if end is None:
        if opts.allow_open == 0:
            fail("no end record")
        dropped = 0
    else:
        if end.get("nodes") != len(calls):
            fail(f"end record counts {end.get('nodes')} nodes, the trace holds {len(calls)}")
        dropped = end.get("dropped", 0)
        if dropped:
            fail(f"end record reports {dropped} dropped nodes")
    if len(calls) < opts.min_nodes:
        fail(f"only {len(calls)} nodes, expected at least {opts.min_nodes}")
    return sites, calls, order, rets, len(open_nodes), dropped


def site_in_source(site, source):
    if not source:
        return True
    f = site.get("file") or ""
    try:
        return os.path.realpath(f) == os.path.realpath(source)
    except OSError:
        return False


def render_value(v, limit=60):
    s = str(v)
    return s if len(s) <= limit else s[:limit] + "..."


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--plain", required=True)
    ap.add_argument("--traced", required=True)
    ap.add_argument("--trace", required=True)
    ap.add_argument("--source")
    ap.add_argument("--calls", action="store_true")
    ap.add_argument("--allow-open", type=int, default=0)
    ap.add_argument("--min-nodes", type=int, default=1)
    ap.add_argument("--timeout", type=int, default=120)
    ap.add_argument("args", nargs="*")
    opts = ap.parse_args()

    compare_runs(opts)
    records = load(opts.trace)
    sites, calls, order, rets, n_open, dropped = check_graph(opts, records)

    mine = {sid: s for sid, s in sites.items() if site_in_source(s, opts.source)}
    print(f"graph: nodes={len(calls)} open={n_open} dropped={dropped} sites={len(set(s['key'] for s in mine.values()))} "
          f"other-sites={len(sites) - len(mine)}")
    # Site records with equal keys are one function (e.g. instantiations of one template).
    stats = {}
    for s in mine.values():
        stats.setdefault((s["name"], s["key"]), [0, 0, 0])
    for node, rec in calls.items():
        sid = rec["site"]
        if sid not in mine:
            continue
        st = stats[(mine[sid]["name"], mine[sid]["key"])]
        st[0] += 1
        r = rets.get(node)
        if r is not None:
            st[1] += 1
            if "exception" in r:
                st[2] += 1
    for (name, key) in sorted(stats):
        c, r, e = stats[(name, key)]
        print(f"site {name} key={key} calls={c} rets={r} exceptions={e}")

    if not opts.calls:
        return
    # Records of different threads may be drained in any order; node ids are
    # (thread << 32) | sequence, so sorting them gives each thread's calls in order.
    threads = {}
    for node in sorted(order):
        threads.setdefault(node >> 32, []).append(node)
    depth = {}
    for k, t in enumerate(sorted(threads), 1):
        print(f"thread {k}")
        for node in threads[t]:
            rec = calls[node]
            parent = rec.get("parent", 0)
            d = depth.get(parent, 0) + 1 if parent else 1
            depth[node] = d
            args = ", ".join(f"{a.get('name', '')}={render_value(a.get('value'))}"
                             for a in rec.get("args", []))
            r = rets.get(node)
            if r is None:
                out = "open"
            elif "exception" in r:
                ex = r["exception"]
                out = f"throws {ex.get('type')}: {ex.get('what', '')}"
            elif "value" in r:
                out = render_value(r["value"])
            else:
                out = "void"
            print(f"{'| ' * (d - 1)}{sites[rec['site']]['name']}({args}) -> {out}")


if __name__ == "__main__":
    main()
