#!/usr/bin/env python3
"""Writes a small trace (docs/trace-format.md) for a source file, as a test fixture for trace-optimize.

  mktrace.py SOURCE -o TRACE [--call FUNC ARGS RET]... [--feedback TEXT] [--score X] [--success]
             [--run-feedback | --derived K,K... [--derived-omitted N]] [--tu-arg ARG]... [--no-end] [--lost N]

Every definition marked [[trace::trainable]] in SOURCE becomes a `param` record with its exact byte
range and FNV-1a 64 hash, the way the plugin records it: a function's range runs from the attribute
to its closing brace; a variable's range is its initializer after '='. Each --call records one call of
a trainable function (ARGS: "name=value;..."; RET: the returned value). An argument written
"name=@VAR" holds the trainable variable VAR: its value, with "from_param". The feedback goes to the
last call (or to node 0 when there is none); with --run-feedback it is about the whole run (node 0).
With --derived it is on a value built from parts of the outputs of the K-th calls (counted from 1, in
--call order; a K beyond the calls names a node that is not in the trace): node 0 with a "derived"
list, as the runtime writes feedback on a vector filled by push_back(f(i)); --derived-omitted N adds
"derived_omitted": N (producers the runtime did not list).
Every call lists every trainable variable in "globals". --tu-arg adds a `tu` record with those cc1
arguments. --lost N writes "lost": N in the `end` record (data-flow facts the runtime dropped).
"""
import argparse
import json
import os
import re


def fnv1a64(data):
    h = 0xcbf29ce484222325
    for b in data:
        h ^= b
        h = (h * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return "fnv1a64:%016x" % h


def find_params(src):
    params = []
    for m in re.finditer(rb"\[\[trace::trainable[^\]]*\]\]", src):
        begin = m.start()
        rest = src[m.end():]
        semi, brace = rest.find(b";"), rest.find(b"{")
        eq = rest.find(b"=")
        if eq != -1 and (brace == -1 or eq < brace) and (semi == -1 or eq < semi):
            # A variable: "[[trace::trainable]] double Gain = 0.5;"
            decl = rest[:eq].decode()
            name = decl.split()[-1]
            vtype = " ".join(decl.split()[:-1])
            b = m.end() + eq + 1
            while src[b:b + 1] == b" ":
                b += 1
            e = m.end() + semi
            text = src[b:e]
            params.append({"k": "param", "id": "var:" + name, "kind": "value", "name": name, "type": vtype,
                           "value": text.decode(), "begin": b, "end": e, "text": text.decode(),
                           "constraint": None})
            continue
        # A function: match braces from the first '{'.
        i = m.end() + brace
        depth = 0
        while True:
            c = src[i:i + 1]
            if c == b"{":
                depth += 1
            elif c == b"}":
                depth -= 1
                if depth == 0:
                    break
            i += 1
        end = i + 1
        head = src[m.end():m.end() + brace].decode().strip()
        name = re.search(r"([A-Za-z_][\w:]*)\s*\(", head).group(1)
        plist = head[head.index("(") + 1:head.rindex(")")]
        types = []
        for p in filter(None, (x.strip() for x in plist.split(","))):
            types.append(re.sub(r"\s*\b[A-Za-z_]\w*$", "", p))
        key = "%s(%s)" % (name, ", ".join(types))
        text = src[begin:end]
        params.append({"k": "param", "id": "code:" + key, "kind": "code", "name": name, "key": key,
                       "signature": head, "begin": begin, "end": end, "text": text.decode(), "constraint": None,
                       "pnames": [re.search(r"(\w+)$", p.strip()).group(1) for p in plist.split(",") if p.strip()]})
    return params


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("source")
    ap.add_argument("-o", "--output", required=True)
    ap.add_argument("--call", nargs=3, action="append", default=[], metavar=("FUNC", "ARGS", "RET"))
    ap.add_argument("--feedback")
    ap.add_argument("--score", type=float)
    ap.add_argument("--success", action="store_true")
    ap.add_argument("--tu-arg", action="append", default=[])
    ap.add_argument("--no-end", action="store_true")
    ap.add_argument("--run-feedback", action="store_true")
    ap.add_argument("--lost", type=int, default=0)
    ap.add_argument("--derived")
    ap.add_argument("--derived-omitted", type=int, default=0)
    args = ap.parse_args()

    path = os.path.abspath(args.source)
    src = open(path, "rb").read()
    recs = [{"k": "header", "format": "trace-cpp", "version": 1, "pid": 1, "program": "fixture",
             "time": "2026-01-01T00:00:00Z"}]
    if args.tu_arg:
        recs.append({"k": "tu", "file": path, "directory": os.path.dirname(path), "args": args.tu_arg})
    params = find_params(src)
    sites = {}
    for p in params:
        p["file"] = path
        p["line"] = src[:p["begin"]].count(b"\n") + 1
        p["hash"] = fnv1a64(src[p["begin"]:p["end"]])
        rec = {k: v for k, v in p.items() if k not in ("key", "pnames")}
        recs.append(rec)
        if p["kind"] == "code":
            sid = len(sites) + 1
            sites[p["name"]] = (sid, p)
            recs.append({"k": "site", "site": sid, "key": p["key"], "name": p["name"], "signature": p["signature"],
                         "file": path, "line": p["line"], "params": p["pnames"], "doc": "", "param": p["id"]})
    node = 0
    seq = 0
    for func, argtext, ret in args.call:
        sid, p = sites[func]
        seq += 1
        node = (1 << 32) | seq
        values = dict(kv.split("=", 1) for kv in argtext.split(";") if kv)
        variables = {v["name"]: v for v in params if v["kind"] == "value"}
        call_args = []
        for n in p["pnames"]:
            value = values.get(n, "?")
            if value.startswith("@") and value[1:] in variables:
                var = variables[value[1:]]
                call_args.append({"name": n, "type": var["type"], "value": var["value"], "from_param": var["id"]})
            else:
                call_args.append({"name": n, "type": "auto", "value": value})
        recs.append({"k": "call", "node": node, "site": sid, "parent": 0, "thread": 1,
                     "args": call_args,
                     "globals": [{"param": v["id"], "type": v["type"], "value": v["value"]}
                                 for v in params if v["kind"] == "value"]})
        recs.append({"k": "ret", "node": node, "type": "auto", "value": ret})
    if args.feedback is not None:
        fb = {"k": "feedback", "node": 0 if args.run_feedback or args.derived else node}
        if args.derived:
            fb["derived"] = [(1 << 32) | int(k) for k in args.derived.split(",")]
            if args.derived_omitted:
                fb["derived_omitted"] = args.derived_omitted
        fb["text"] = args.feedback
        if args.score is not None:
            fb["score"] = args.score
        if args.success:
            fb["success"] = True
        recs.append(fb)
    if not args.no_end:
        end = {"k": "end", "nodes": seq, "dropped": 0}
        if args.lost:
            end["lost"] = args.lost
        recs.append(end)
    with open(args.output, "w") as f:
        for r in recs:
            f.write(json.dumps(r) + "\n")


if __name__ == "__main__":
    main()
