#!/usr/bin/env python3
"""Compares two traces of one program built under two language standards.

Usage: same-std.py A.bin B.bin
Both traces are read in their JSON Lines export (trace-optimize dump). What may differ is left
out: the header's pid and time, and each `tu` record's command line (it holds the -std= flag).
Prints "same: N records, C calls" or the first differing record, and exits 1 on a difference.
"""

import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "support"))
import traceio  # noqa: E402


def records(path):
    data, _ = traceio.read_bytes(path)
    out = []
    for line in data.decode("utf-8").split("\n"):
        if not line:
            continue
        r = json.loads(line)
        if r.get("k") == "header":
            r = {"k": "header"}
        elif r.get("k") == "tu":
            r.pop("args", None)
        out.append(json.dumps(r, sort_keys=True))
    return out


def main():
    a, b = records(sys.argv[1]), records(sys.argv[2])
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            print("differ at record %d:\n  %s\n  %s" % (i + 1, x, y))
            return 1
    if len(a) != len(b):
        print("differ in length: %d and %d records" % (len(a), len(b)))
        return 1
    calls = sum(1 for r in a if json.loads(r).get("k") == "call")
    print("same: %d records, %d calls" % (len(a), calls))
    return 0


if __name__ == "__main__":
    sys.exit(main())
