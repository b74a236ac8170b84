#!/usr/bin/env python3
"""compare_lines.py PLAIN TRACE SOURCE: line numbers (one per line) of the
line table without and with the plugin. Every line of the plain table must be
in the instrumented one; the instrumented one may add rows only on lines that
hold nothing but a closing brace (the wrapping lambda's end and the scope end
of a Binding are code of that '}'). Prints a summary or fails."""
import sys

plain = {int(l) for l in open(sys.argv[1]) if l.strip()}
trace = {int(l) for l in open(sys.argv[2]) if l.strip()}
source = open(sys.argv[3]).read().split("\n")
missing = sorted(plain - trace)
if missing:
    print("error: lines lost with the plugin: %s" % missing)
    sys.exit(1)
extra = sorted(trace - plain)
for n in extra:
    if source[n - 1].strip() != "}":
        print("error: line %d gained code with the plugin: %r" % (n, source[n - 1]))
        sys.exit(1)
print("all %d lines kept; extra rows only on closing braces: %s" %
      (len(plain), " ".join(map(str, extra))))
