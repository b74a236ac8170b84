#!/usr/bin/env python3
"""Reads back the bytes of the string and char values of a JSON Lines dump.

Usage: string_bytes.py DUMP.jsonl

For every argument of every call whose value is a quoted string ("...") or a char ('.'), prints
  <function>.<parameter>=<hex of the bytes>
decoding the C++ escapes of docs/trace-format.md ("Escaping"): \\" \\\\ \\n \\t \\r \\0 and \\xNN.
Anything after the closing quote (a cut marker) is ignored. An escape the contract never writes is
an error, as is a value text that is not valid UTF-8 once read from JSON.
"""
import json
import sys

SIMPLE = {"n": 0x0A, "t": 0x09, "r": 0x0D, "0": 0x00, '"': 0x22, "\\": 0x5C, "'": 0x27}


def decode(text):
    quote = text[0]
    out = bytearray()
    i = 1
    while i < len(text) and text[i] != quote:
        c = text[i]
        if c != "\\":
            out += c.encode("utf-8")
            i += 1
            continue
        e = text[i + 1]
        if e == "x":
            out.append(int(text[i + 2:i + 4], 16))
            i += 4
        elif e in SIMPLE:
            out.append(SIMPLE[e])
            i += 2
        else:
            sys.exit("unknown escape \\" + e + " in " + text)
    if i == len(text):
        sys.exit("no closing quote in " + text)
    return bytes(out)


def main():
    names = {}
    with open(sys.argv[1], "rb") as f:
        for raw in f:
            rec = json.loads(raw.decode("utf-8", errors="strict"))
            if rec.get("k") == "site":
                names[rec["site"]] = rec["name"]
            elif rec.get("k") == "call":
                for arg in rec.get("args", []):
                    value = arg.get("value", "")
                    if value[:1] in ('"', "'"):
                        print(f"{names[rec['site']]}.{arg['name']}={decode(value).hex()}")


main()
