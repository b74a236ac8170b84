#!/usr/bin/env python3
"""Checks the traces the instrumented tools and units wrote in the dogfood stage.

Every *.bin under the given folders must be read by the main build's `trace-optimize summary`
(exit status 0) and must end with an `end` record that reports no dropped node, except a killed-*.bin (a tool that
a test killed on purpose, named so by run.sh's wrapper), which must only be readable. The traces of
each folder must hold calls, and the traces of all folders together must hold calls of
functions defined in each --expect file (a file name such as Reply.cpp): the project's own code
was recorded, not only the tests'.

The counts come from the summary itself (its first line and its list of functions), so the
figures printed here (traces, calls recorded, functions, calls per source file) are what the
project's own reader saw; the calls counted beyond TRACE_MAX_CALLS_PER_FUNCTION come from the
`end` records.
"""
import argparse
import collections
import json
import os
import pathlib
import re
import subprocess
import sys

FIRST_LINE = re.compile(r"^(\d+) runs?, (\d+) calls? of (\d+) functions?")
FUNCTION_LINE = re.compile(r"^  (?P<key>.+?)\s+(?P<calls>\d+) calls?  (?P<file>[^ :]+):(?P<line>\d+)")


sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "support"))
import traceio  # noqa: E402  (the `end` record of a binary trace)


def last_record(path):
    """The trace's `end` record (as its JSON export shows it), or None."""
    with open(path, "rb") as f:
        return traceio.end_record(f.read())


def summarize(summary, paths):
    """Runs `trace-optimize summary` on \p paths: (problem or None, calls, {file:line: key},
    calls per file)."""
    command = [summary, "summary"]
    for path in paths:
        command += ["--trace", str(path)]
    run = subprocess.run(command, capture_output=True, text=True)
    if run.returncode != 0:
        return (f"trace-optimize summary failed ({run.returncode}): {run.stderr.strip()}", 0, {},
                collections.Counter())
    lines = run.stdout.splitlines()
    first = FIRST_LINE.match(lines[0]) if lines else None
    if not first or int(first.group(1)) != len(paths):
        return f"unexpected summary: {lines[:1]}", 0, {}, collections.Counter()
    functions = {}
    by_file = collections.Counter()
    for line in lines[1:]:
        match = FUNCTION_LINE.match(line)
        if match:
            functions[f"{match.group('file')}:{match.group('line')}"] = match.group("key")
            by_file[match.group("file")] += int(match.group("calls"))
    return None, int(first.group(2)), functions, by_file


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--summary", required=True, help="the main build's trace-optimize")
    parser.add_argument("--expect", action="append", default=[],
                        help="a source file name whose functions must have calls")
    parser.add_argument("folders", nargs="+", type=pathlib.Path)
    args = parser.parse_args()

    problems = []
    functions = {}
    by_file = collections.Counter()
    total_calls = 0
    for folder in args.folders:
        files = sorted(folder.rglob("*.bin"))
        size = sum(f.stat().st_size for f in files)
        cut = 0
        for path in files:
            end = last_record(path)
            if path.name.startswith("killed-") and not end:
                continue  # run.sh's wrapper saw the tool die by a signal: no end is expected
            if not end or end.get("k") != "end":
                problems.append(f"{path}: no end record (the process did not exit normally)")
                continue
            cut += end.get("cut", 0)
            if end.get("dropped", 0):
                problems.append(f"{path}: {end['dropped']} nodes dropped")
        # One reader for the whole folder, as fast as reading them all; when it refuses, each
        # file alone names the one it refuses.
        problem, calls, folder_functions, folder_by_file = summarize(args.summary, files)
        if problem:
            for path in files:
                single = summarize(args.summary, [path])[0]
                if single:
                    problems.append(f"{path}: {single}")
            problems.append(f"{folder}: {problem}")
        functions.update(folder_functions)
        by_file.update(folder_by_file)
        total_calls += calls
        print(f"{folder.name}: {len(files)} traces, {size / 1e6:.1f} MB, {calls} calls recorded, "
              f"{cut} more counted beyond the call limit")
        if not files or calls == 0:
            problems.append(f"{folder}: no call recorded")

    print(f"total: {total_calls} calls recorded of {len(functions)} functions; calls by file:")
    for name, count in by_file.most_common():
        print(f"  {count:>9}  {name}")
    for name in args.expect:
        if by_file[name] == 0:
            problems.append(f"no call of a function defined in {name}")
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
