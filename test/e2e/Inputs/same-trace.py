#!/usr/bin/env python3
"""Compares the traces of two runs of writer-thread.cpp, parent with parent and
child with child, ignoring the header line (pid and time differ).

Usage: same-trace.py PREFIX_A PREFIX_B
Each PREFIX.pid holds "PARENT_PID CHILD_PID"; traces are PREFIX.<pid>.bin,
compared in their JSON Lines export (trace-optimize dump).
Prints, per process: "same" or the first differing line, the number of call
records and what the end record says.
"""

import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "support"))
import traceio  # noqa: E402


def load(prefix):
    with open(prefix + ".pid") as f:
        parent, child = f.read().split()
    out = []
    for pid in (parent, child):
        data, _ = traceio.read_bytes("%s.%s.bin" % (prefix, pid))
        lines = data.decode("utf-8").split("\n")
        out.append(lines)
    return out


def main():
    a, b = load(sys.argv[1]), load(sys.argv[2])
    status = 0
    for name, la, lb in (("parent", a[0], b[0]), ("child", a[1], b[1])):
        ra = [json.loads(l) for l in la if l]
        if ra[0].get("k") != "header":
            print("%s: first line is not the header" % name)
            status = 1
        body_a, body_b = la[1:], lb[1:]
        verdict = "same"
        if body_a != body_b:
            for i, (x, y) in enumerate(zip(body_a, body_b)):
                if x != y:
                    verdict = "differ at line %d:\n  %s\n  %s" % (i + 2, x, y)
                    break
            else:
                verdict = "differ in length: %d and %d lines" % (len(body_a), len(body_b))
            status = 1
        calls = sum(1 for r in ra if r.get("k") == "call")
        # A child's file stands alone: every site it uses is announced in it.
        seen, unknown = set(), 0
        for r in ra:
            if r.get("k") == "site":
                seen.add(r["site"])
            elif r.get("k") == "call" and r["site"] not in seen:
                unknown += 1
        rets = sum(1 for r in ra if r.get("k") == "ret")
        end = [r for r in ra if r.get("k") == "end"]
        end_text = ("end nodes %d dropped %d" % (end[-1]["nodes"], end[-1]["dropped"])
                    if end else "no end record")
        print("%s: %s, calls %d, rets %d, sites %d, unannounced %d, %s"
              % (name, verdict, calls, rets, len(seen), unknown, end_text))
    return status


if __name__ == "__main__":
    sys.exit(main())
