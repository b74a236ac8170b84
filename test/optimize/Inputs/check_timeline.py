"""Checks a timeline written by `trace-optimize export --format perfetto`.

usage: check_timeline.py TIMELINE.json [DUMP.jsonl...]

TIMELINE.json must be a Chrome JSON trace-event object whose events have the keys and types
their phase requires (X complete slices, M metadata, i instants, s/f flows). Per thread, the
slices nest: two slices are disjoint or one holds the other. Each flow has one start and one
end; the start lies in a slice, the end (bound with "bp":"e") in a slice.

With the JSON Lines dumps of the traces (`trace-optimize dump`, in the order the traces were
exported: process i + 1 is dump i), it also checks the timeline against the trace: one slice
per call, at its node, with a child's slice inside its parent's; for every data-flow edge of
the trace (an argument's or this' `from` and `derived`), exactly one flow whose start's
innermost slice is the producer's and whose end's innermost slice is the consumer's, and no
other flow; one instant per timed feedback on the thread the trace names.

Prints "valid" and a summary, then one line per flow ("flow PRODUCER -> CONSUMER", by function
name and node) and per feedback, sorted, for FileCheck; or the problems found, exit status 1.
"""
import json
import sys
from collections import Counter, defaultdict

NUM = (int, float)
PROBLEMS = []


def problem(msg):
    PROBLEMS.append(msg)


def need(ev, key, types, where):
    if key not in ev:
        problem(f"{where}: no '{key}'")
        return False
    if not isinstance(ev[key], types) or isinstance(ev[key], bool):
        problem(f"{where}: '{key}' is {type(ev[key]).__name__}: {ev[key]!r}")
        return False
    return True


def ns(us):
    """Microseconds (3 decimals) as whole nanoseconds."""
    return round(us * 1000)


def main():
    timeline = json.load(open(sys.argv[1], encoding="utf-8"))
    dumps = sys.argv[2:]
    if not isinstance(timeline, dict) or not isinstance(timeline.get("traceEvents"), list):
        print("not a trace-event object with a traceEvents list")
        return 1
    slices = defaultdict(list)  # (pid, tid) -> [(start, end, node, name)]
    flows = defaultdict(dict)   # id -> {"s": ev, "f": ev}
    instants = []
    names = {}
    for i, ev in enumerate(timeline["traceEvents"]):
        where = f"event {i}"
        if not isinstance(ev, dict) or not need(ev, "ph", str, where):
            continue
        ph = ev["ph"]
        where = f"event {i} ({ph})"
        ok = need(ev, "pid", int, where) and need(ev, "name", str, where)
        if ph == "M":
            ok = need(ev, "tid", int, where) and need(ev, "args", dict, where) and ok
            if ok and ev["name"] in ("process_name", "thread_name"):
                ok = need(ev["args"], "name", str, where)
                names[(ev["name"], ev["pid"], ev["tid"])] = ev["args"]["name"]
        elif ph == "X":
            ok = all([need(ev, "tid", int, where), need(ev, "ts", NUM, where), need(ev, "dur", NUM, where),
                      need(ev, "cat", str, where), need(ev, "args", dict, where)]) and ok
            if ok and ev["dur"] < 0:
                problem(f"{where}: negative dur")
            if ok and need(ev["args"], "node", int, where):
                slices[(ev["pid"], ev["tid"])].append(
                    (ns(ev["ts"]), ns(ev["ts"]) + ns(ev["dur"]), ev["args"]["node"], ev["name"]))
        elif ph == "i":
            ok = all([need(ev, "tid", int, where), need(ev, "ts", NUM, where), need(ev, "s", str, where),
                      need(ev, "args", dict, where)]) and ok
            if ok and ev["s"] not in ("t", "p", "g"):
                problem(f"{where}: scope '{ev['s']}'")
            if ok:
                instants.append(ev)
        elif ph in ("s", "f"):
            ok = all([need(ev, "tid", int, where), need(ev, "ts", NUM, where), need(ev, "cat", str, where),
                      need(ev, "id", (int, str), where)]) and ok
            if ok and ph == "f" and ev.get("bp") != "e":
                problem(f"{where}: a flow end that does not bind to its enclosing slice (bp is not 'e')")
            if ok:
                if ph in flows[ev["id"]]:
                    problem(f"{where}: a second '{ph}' for flow {ev['id']}")
                flows[ev["id"]][ph] = ev
        else:
            problem(f"{where}: unexpected phase")

    # Per thread, slices nest.
    by_node = {}
    for key, lst in slices.items():
        lst.sort(key=lambda s: (s[0], -s[1]))
        stack = []
        for s in lst:
            while stack and stack[-1][1] <= s[0] and not (stack[-1][1] == s[0] == s[1]):
                stack.pop()
            if stack and s[1] > stack[-1][1]:
                problem(f"thread {key}: slice {s[3]}#{s[2]} [{s[0]}, {s[1]}] overlaps {stack[-1][3]}#{stack[-1][2]} "
                        f"[{stack[-1][0]}, {stack[-1][1]}] without nesting")
            stack.append(s)
            by_node[(key[0], s[2])] = (key[1], s)

    def innermost(pid, tid, t):
        best = None
        for s in slices.get((pid, tid), []):
            if s[0] <= t <= s[1] and (best is None or s[1] - s[0] <= best[1] - best[0]):
                best = s
        return best

    drawn = Counter()
    for fid, pair in flows.items():
        if set(pair) != {"s", "f"}:
            problem(f"flow {fid}: only {sorted(pair)}")
            continue
        s, f = pair["s"], pair["f"]
        a = innermost(s["pid"], s["tid"], ns(s["ts"]))
        b = innermost(f["pid"], f["tid"], ns(f["ts"]))
        if a is None or b is None:
            problem(f"flow {fid}: an end lies in no slice")
            continue
        drawn[(s["pid"], a[2], b[2])] += 1

    lines = []
    for (pid, p, c), n in sorted(drawn.items()):
        pn = by_node[(pid, p)][1][3]
        cn = by_node[(pid, c)][1][3]
        lines.append(f"flow {pn}#{p & 0xFFFFFFFF}@{p >> 32} -> {cn}#{c & 0xFFFFFFFF}@{c >> 32}" +
                     (f" x{n}" if n > 1 else ""))
    for ev in instants:
        a = ev["args"]
        lines.append(f"feedback tid={ev['tid']} text={a.get('text')} score={a.get('score')} node={a.get('node')}")

    # Against the traces.
    for i, path in enumerate(dumps):
        pid = i + 1
        recs = [json.loads(l) for l in open(path, encoding="utf-8") if l.strip()]
        calls = {r["node"]: r for r in recs if r["k"] == "call"}
        for n, r in calls.items():
            if (pid, n) not in by_node:
                problem(f"{path}: call {n} has no slice")
                continue
            tid, s = by_node[(pid, n)]
            if tid != r["thread"]:
                problem(f"{path}: call {n} is on track {tid}, not its thread {r['thread']}")
            if r["parent"]:
                if (pid, r["parent"]) not in by_node:
                    problem(f"{path}: the parent of call {n} has no slice")
                    continue
                ps = by_node[(pid, r["parent"])][1]
                if not (ps[0] <= s[0] and s[1] <= ps[1]):
                    problem(f"{path}: call {n} [{s[0]}, {s[1]}] is not inside its parent {r['parent']} "
                            f"[{ps[0]}, {ps[1]}]")
        slices_here = sum(1 for (p, _n) in by_node if p == pid)
        if slices_here != len(calls):
            problem(f"{path}: {len(calls)} calls but {slices_here} slices")
        edges = Counter()
        for n, r in calls.items():
            vals = list(r.get("args", []))
            if r.get("this"):
                vals.append(r["this"])
            for v in vals:
                for p in ([v["from"]] if v.get("from") else []) + list(v.get("derived", [])):
                    if p in calls:
                        edges[(pid, p, n)] += 1
        for e in set(edges) | {k for k in drawn if k[0] == pid}:
            if edges[e] != drawn[e]:
                problem(f"{path}: edge {e[1]} -> {e[2]}: {edges[e]} in the trace, {drawn[e]} flows")
        timed = [r for r in recs if r["k"] == "feedback" and "t_ns" in r]
        here = [ev for ev in instants if ev["pid"] == pid]
        if len(timed) != len(here):
            problem(f"{path}: {len(timed)} timed feedback records, {len(here)} instants")
        for r, ev in zip(timed, here):
            if r["thread"] != ev["tid"] or r["text"] != ev["args"].get("text"):
                problem(f"{path}: feedback {r['text']!r} on thread {r['thread']}, instant on {ev['tid']}")

    if PROBLEMS:
        for p in PROBLEMS:
            print(p)
        return 1
    nslices = sum(len(v) for v in slices.values())
    print(f"valid: {nslices} slices, {len(flows)} flows, {len(instants)} instants, {len(slices)} threads")
    for l in sorted(lines):
        print(l)
    return 0


if __name__ == "__main__":
    sys.exit(main())
