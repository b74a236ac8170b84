"""Prints a trace of a chain of N calls of one trainable function, each fed by the previous one,
the first call also getting a long string argument; the feedback is on the last call of the chain."""
import json
import sys

n = int(sys.argv[1])
recs = [
    {"k": "header", "format": "trace-cpp", "version": 1, "pid": 1, "program": "/src/chain", "time": "t"},
    {"k": "param", "id": "code:step(long)", "kind": "code", "name": "step", "file": "/src/chain.cpp", "line": 1,
     "begin": 0, "end": 57, "hash": "fnv1a64:0000000000000009",
     "text": "[[trace::trainable]] long step(long x) { return x + 1; }", "signature": "long step(long x)",
     "constraint": None},
    {"k": "site", "site": 1, "key": "step(long)", "name": "step", "signature": "long step(long)",
     "file": "/src/chain.cpp", "line": 1, "params": ["x"], "doc": "One step.", "param": "code:step(long)"},
    {"k": "site", "site": 2, "key": "tag(std::string)", "name": "tag", "signature": "long tag(std::string)",
     "file": "/src/chain.cpp", "line": 2, "params": ["label"], "doc": "", "param": None},
]
base = 1 << 32
long_value = "a" * 500 + "z" * 500
recs.append({"k": "call", "node": base + 1, "site": 2, "parent": 0, "thread": 1,
             "args": [{"name": "label", "type": "std::string", "value": long_value}]})
recs.append({"k": "ret", "node": base + 1, "type": "long", "value": "0"})
prev = base + 1
for i in range(n):
    node = base + 2 + i
    arg = {"name": "x", "type": "long", "value": str(i)}
    arg["from"] = prev
    args = [arg]
    if i == 0:
        args.append({"name": "label", "type": "std::string", "value": long_value})
    recs.append({"k": "call", "node": node, "site": 1, "parent": 0, "thread": 1, "args": args})
    recs.append({"k": "ret", "node": node, "type": "long", "value": str(i + 1)})
    prev = node
recs.append({"k": "feedback", "node": prev, "text": "expected 0", "score": 0})
recs.append({"k": "end", "nodes": n + 1, "dropped": 0})
for r in recs:
    print(json.dumps(r, separators=(",", ":")))
