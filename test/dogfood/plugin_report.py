#!/usr/bin/env python3
"""Adds up what the plugin did in the dogfood build.

compile.sh keeps, next to every instrumented object, the plugin's verbose report
(-fplugin-arg-trace-verbose): one line per TU with the number of bundles and of functions left
alone, then one line per function left alone with the reason. This script prints, per target,
the TUs and the functions instrumented and left alone, and the reasons, most frequent first.

It fails when an object has no report (the launcher or the plugin did not run), when a TU was
not rewritten (the plugin's nested parse failed: the TU was compiled without instrumentation,
which the plugin only warns about), or when nothing at all was instrumented.
"""
import argparse
import collections
import pathlib
import re
import sys

TU_LINE = re.compile(r"^trace plugin: (?P<file>.*): (?P<bundles>\d+) bundle\(s\), "
                     r"(?P<left>\d+) left alone,")
LEFT_LINE = re.compile(r"^trace plugin: (?P<where>.*): left alone: '(?P<name>.*)' is not "
                       r"instrumented: (?P<reason>.*)$")
TARGET_DIR = re.compile(r"CMakeFiles/(?P<target>[^/]+)\.dir/")


def short_reason(reason):
    """The reason up to its explanation, so that equal causes count together."""
    return re.split(r"[;(,]", reason, maxsplit=1)[0].strip()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("build", type=pathlib.Path, help="the dogfood build folder")
    parser.add_argument("targets", nargs="+", help="the instrumented targets")
    args = parser.parse_args()

    totals = collections.defaultdict(lambda: {"tus": 0, "bundles": 0, "left": 0})
    reasons = collections.Counter()
    problems = []
    # Every object of an instrumented target needs its report: one missing means the launcher
    # or the plugin did not run.
    reports = []
    for target in args.targets:
        objects = [o for d in args.build.rglob(f"CMakeFiles/{target}.dir") for o in d.rglob("*.o")]
        if not objects:
            problems.append(f"{target}: no object file")
        for obj in sorted(objects):
            report = obj.with_name(obj.name + ".plugin.txt")
            if report.exists():
                reports.append(report)
            else:
                problems.append(f"{obj}: no plugin report")
    for report in reports:
        match = TARGET_DIR.search(report.as_posix())
        target = match.group("target") if match else "?"
        tu_lines = 0
        for line in report.read_text().splitlines():
            tu = TU_LINE.match(line)
            if tu:
                tu_lines += 1
                totals[target]["tus"] += 1
                totals[target]["bundles"] += int(tu.group("bundles"))
                totals[target]["left"] += int(tu.group("left"))
                continue
            left = LEFT_LINE.match(line)
            if left:
                reasons[short_reason(left.group("reason"))] += 1
                continue
            problems.append(f"{report}: {line}")
        if tu_lines != 1:
            problems.append(f"{report}: {tu_lines} TU reports instead of one")

    print(f"{'target':<24} {'TUs':>5} {'instrumented':>13} {'left alone':>11}")
    sums = {"tus": 0, "bundles": 0, "left": 0}
    for target in sorted(totals):
        t = totals[target]
        print(f"{target:<24} {t['tus']:>5} {t['bundles']:>13} {t['left']:>11}")
        for key in sums:
            sums[key] += t[key]
    print(f"{'total':<24} {sums['tus']:>5} {sums['bundles']:>13} {sums['left']:>11}")
    if reasons:
        print("left alone because:")
        for reason, count in reasons.most_common():
            print(f"  {count:>5}  {reason}")
    if sums["bundles"] == 0:
        problems.append("no function was instrumented")
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
