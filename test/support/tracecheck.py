#!/usr/bin/env python3
"""Reads a Trace for C++ trace file and prints views of it for FileCheck.

A binary trace is read through `trace-optimize dump` (see traceio.py), a JSON Lines trace as it
is; the warnings of a dump (a binary trace cut short) are problems for `validate`, as an
incomplete last line of a JSON Lines trace is.

Usage: tracecheck.py TRACE VIEW [VIEW...]

Views:
  validate  check the file against docs/trace-format.md; print "valid" or the
            problems (and exit 1)
  graph     one line per record, nodes named NAME#K (the K-th call of NAME):
              call f#0 parent=- args=[x=5]
              call g#0 parent=- args=[y=10<-f#0]        (argument from f#0)
              call h#0 parent=- args=[a=11<-f#0!]       (! = modified)
              call s#0 parent=- args=[v={1, 2}<~f#0,f#1] (built from parts of f#0 and f#1)
              call s#1 parent=- args=[v={9}<~f#0+2]     (+2: derived_omitted, producers not listed)
              call g#1 parent=- args=[x=0.5<=var:gain]  (from_param: the trainable variable gain)
              ret f#0 value=10 | ret f#0 void | ret f#0 exception=T what=W [at=FILE:LINE]
            An argument may combine them in this order: 5<-f#0!<~g#0<=var:k.
            A node that never appears in the file is named ?ID.
  summary   counts: "calls NAME N" per site, "nodes N", "threads N",
            "edges N", "dropped N", and "lost N" when the end record has it
  params    one line per param record: "param ID kind=K value=V"
  feedback  one line per feedback:
              feedback NODE text=T [score=S] [success] [uncaught]
              feedback run text=T ...                 (node 0: about the whole run)
              feedback run unattributed=REASON text=T ...
              feedback derived=f#0,f#1 text=T ...      (node 0: on a value built from parts of f#0 and f#1)
              feedback derived=f#0,f#1+3 text=T ...    (+3: derived_omitted, producers not listed)
            `validate` checks that every node a feedback names, as `node` or in
            `derived`, is a call of the file, and that `derived` comes with node 0.
"""

import io
import json
import sys
from collections import Counter, OrderedDict

import traceio


class Trace:
    def __init__(self, path):
        self.records = []
        self.problems = []
        data, warnings = traceio.read_bytes(path)
        self.problems.extend(warnings)
        # Read as open(path, encoding="utf-8") would: the same line splitting.
        with io.TextIOWrapper(io.BytesIO(data), encoding="utf-8") as f:
            for lineno, line in enumerate(f, 1):
                if not line.endswith("\n"):
                    self.problems.append(f"{path}:{lineno}: last line is incomplete")
                try:
                    self.records.append(json.loads(line))
                except json.JSONDecodeError as e:
                    self.problems.append(f"{path}:{lineno}: not JSON: {e}")
        self.sites = {r["site"]: r for r in self.records if r.get("k") == "site"}
        self.calls = OrderedDict((r["node"], r) for r in self.records if r.get("k") == "call")
        self.rets = {r["node"]: r for r in self.records if r.get("k") == "ret"}
        # Stable node names: the K-th call of a site name in file order.
        seen = Counter()
        self.names = {0: "-"}
        for node, call in self.calls.items():
            name = self.sites.get(call["site"], {}).get("name", "?")
            self.names[node] = f"{name}#{seen[name]}"
            seen[name] += 1

    def name(self, node):
        return self.names.get(node, f"?{node}")

    def value(self, v):
        text = v.get("value", "")
        if "from" in v:
            text += "<-" + self.name(v["from"])
            if v.get("modified"):
                text += "!"
        if v.get("derived") or v.get("derived_omitted"):
            text += "<~" + ",".join(self.name(n) for n in v.get("derived", []))
            if v.get("derived_omitted"):
                text += "+%d" % v["derived_omitted"]
        if "from_param" in v:
            text += "<=" + v["from_param"]
        return text

    def validate(self):
        p = list(self.problems)
        if not self.records or self.records[0].get("k") != "header":
            p.append("first record is not the header")
        elif self.records[0].get("version") != 1:
            p.append("header version is not 1")
        seen_nodes = set()
        rets_seen = set()
        param_ids = {r.get("id") for r in self.records if r.get("k") == "param"}
        for r in self.records:
            k = r.get("k")
            if k == "call":
                n = r["node"]
                if n in seen_nodes:
                    p.append(f"node {n} has two call records")
                seen_nodes.add(n)
                if (n >> 32) != r.get("thread"):
                    p.append(f"node {n}: thread field {r.get('thread')} does not match the id")
                if r["site"] not in self.sites:
                    p.append(f"node {n}: unknown site {r['site']}")
                # A parent of another thread may come later in the file: a
                # coroutine's call resumed on this thread is the parent of the
                # calls it makes here.
                parent = r["parent"]
                if parent and parent not in self.calls:
                    p.append(f"node {n}: parent {parent} is no call of the file")
                elif parent and (parent >> 32) == (n >> 32) and parent not in seen_nodes:
                    p.append(f"node {n}: parent {parent} not seen before")
                for a in r.get("args", []) + ([r["this"]] if "this" in r else []):
                    # A producer of the same thread comes earlier in the file;
                    # one of another thread may come later (threads are drained
                    # independently), but it must be somewhere in the file.
                    for src in ([a["from"]] if "from" in a else []) + list(a.get("derived", [])):
                        if src not in self.calls:
                            p.append(f"node {n}: argument from unknown node {src}")
                        elif (src >> 32) == (n >> 32) and src not in seen_nodes:
                            p.append(f"node {n}: argument from node {src} of its thread, not seen before")
                    if "from_param" in a and a["from_param"] not in param_ids:
                        p.append(f"node {n}: from_param names no param record: {a['from_param']}")
                    if "derived_omitted" in a and not (isinstance(a["derived_omitted"], int)
                                                       and a["derived_omitted"] > 0):
                        p.append(f"node {n}: derived_omitted is not a positive count")
            elif k == "ret":
                # A coroutine's call that ends on another thread than it began
                # may end before its call record is in the file.
                if r["node"] not in self.calls:
                    p.append(f"ret for node {r['node']}, which has no call")
                elif r["node"] in rets_seen:
                    p.append(f"node {r['node']} has two ret records")
                rets_seen.add(r["node"])
                e = r.get("exception", {})
                if ("file" in e) != ("line" in e):
                    p.append(f"ret {r['node']}: exception has file or line without the other")
            elif k == "feedback":
                if r["node"] and r["node"] not in self.calls:
                    p.append(f"feedback names unknown node {r['node']}")
                if "unattributed" in r and r["node"]:
                    p.append(f"unattributed feedback names node {r['node']} (must be 0)")
                if "derived" in r or "derived_omitted" in r:
                    # A producer of another thread may come later in the file,
                    # but it must be somewhere in it.
                    if r["node"]:
                        p.append(f"feedback on a derived value names node {r['node']} (must be 0)")
                    if not r.get("derived"):
                        p.append("feedback on a derived value lists no producer")
                    for src in r.get("derived", []):
                        if src not in self.calls:
                            p.append(f"feedback on a value built from unknown node {src}")
                    if "derived_omitted" in r and not (isinstance(r["derived_omitted"], int)
                                                       and r["derived_omitted"] > 0):
                        p.append("feedback: derived_omitted is not a positive count")
        missing = [n for n in self.calls if n not in self.rets]
        if missing:
            p.append(f"{len(missing)} calls have no ret: " + ", ".join(self.name(n) for n in missing[:5]))
        ends = [r for r in self.records if r.get("k") == "end"]
        if len(ends) != 1 or self.records[-1].get("k") != "end":
            p.append("no end record as the last line")
        elif ends[0]["nodes"] != len(self.calls):
            p.append(f"end says {ends[0]['nodes']} nodes, file has {len(self.calls)}")
        if ends and "lost" in ends[-1] and not (isinstance(ends[-1]["lost"], int) and ends[-1]["lost"] > 0):
            p.append("end: lost is written only as a positive count")
        return p

    def graph(self):
        out = []
        for r in self.records:
            k = r.get("k")
            if k == "call":
                line = f"call {self.name(r['node'])} parent={self.name(r['parent'])} args=["
                line += ", ".join(f"{a['name']}={self.value(a)}" for a in r.get("args", [])) + "]"
                if "this" in r:
                    line += f" this={self.value(r['this'])}"
                if "globals" in r:
                    line += " globals=[" + ", ".join(f"{g['param']}={g['value']}" for g in r["globals"]) + "]"
                out.append(line)
            elif k == "ret":
                n = self.name(r["node"])
                if "exception" in r:
                    e = r["exception"]
                    line = f"ret {n} exception={e['type']}" + (f" what={e['what']}" if "what" in e else "")
                    if "file" in e:
                        line += f" at={e['file']}:{e.get('line', '?')}"
                    out.append(line)
                elif "value" in r:
                    out.append(f"ret {n} value={r['value']}")
                else:
                    out.append(f"ret {n} void")
            elif k == "feedback":
                out.append(self.feedback_line(r))
        return out

    def feedback_line(self, r):
        if r["node"]:
            line = f"feedback {self.name(r['node'])}"
        elif r.get("derived") or r.get("derived_omitted"):
            line = "feedback derived=" + ",".join(self.name(n) for n in r.get("derived", []))
            if r.get("derived_omitted"):
                line += "+%d" % r["derived_omitted"]
        else:
            line = "feedback run"
            if "unattributed" in r:
                line += f" unattributed={r['unattributed']}"
        line += f" text={r['text']}"
        if "score" in r:
            line += f" score={r['score']}"
        if r.get("success"):
            line += " success"
        if r.get("uncaught"):
            line += " uncaught"
        return line

    def summary(self):
        out = []
        per = Counter(self.sites[c["site"]]["name"] for c in self.calls.values())
        for name in sorted(per):
            out.append(f"calls {name} {per[name]}")
        out.append(f"nodes {len(self.calls)}")
        out.append(f"threads {len({c['thread'] for c in self.calls.values()})}")
        edges = sum(1 for c in self.calls.values() for a in c.get("args", []) if "from" in a)
        out.append(f"edges {edges}")
        ends = [r for r in self.records if r.get("k") == "end"]
        out.append(f"dropped {ends[-1]['dropped'] if ends else 'no-end'}")
        if ends and "lost" in ends[-1]:
            out.append(f"lost {ends[-1]['lost']}")
        return out

    def params(self):
        out = []
        for r in self.records:
            if r.get("k") == "param":
                line = f"param {r['id']} kind={r['kind']}"
                if "value" in r:
                    line += f" value={r['value']}"
                out.append(line)
        return out


def main(argv):
    if len(argv) < 3:
        sys.stderr.write(__doc__)
        return 2
    try:
        t = Trace(argv[1])
    except OSError as e:
        sys.stderr.write(f"tracecheck: cannot read {argv[1]}: {e.strerror}\n")
        return 2
    except traceio.TraceReadError as e:
        sys.stderr.write(f"tracecheck: cannot read {argv[1]}: {e}\n")
        return 2
    status = 0
    for view in argv[2:]:
        if view == "validate":
            problems = t.validate()
            for p in problems:
                print("problem:", p)
            if problems:
                status = 1
            else:
                print("valid")
        elif view in ("graph", "summary", "params"):
            print("\n".join(getattr(t, view)()))
        elif view == "feedback":
            print("\n".join(t.feedback_line(r) for r in t.records if r.get("k") == "feedback"))
        else:
            sys.stderr.write(f"tracecheck: unknown view '{view}'\n")
            return 2
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv))
