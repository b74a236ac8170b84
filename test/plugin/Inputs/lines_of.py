#!/usr/bin/env python3
"""Reads `llvm-dwarfdump --debug-line` output on stdin and prints, sorted and
unique, the line numbers of the rows that belong to the file whose name ends
with argv[1]."""
import re
import sys

suffix = sys.argv[1]
files = {}
lines = set()
for line in sys.stdin:
    m = re.match(r'file_names\[\s*(\d+)\]:', line.strip())
    if m:
        current = int(m.group(1))
        continue
    m = re.match(r'\s*name:\s*"(.*)"', line)
    if m and 'current' in dir():
        files[current] = m.group(1)
        continue
    m = re.match(r'0x[0-9a-f]+\s+(\d+)\s+(\d+)\s+(\d+)\s', line)
    if m:
        row_line, file_index = int(m.group(1)), int(m.group(3))
        if row_line and files.get(file_index, '').endswith(suffix):
            lines.add(row_line)
for n in sorted(lines):
    print(n)
