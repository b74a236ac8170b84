#!/usr/bin/env python3
"""Compiles one file without and with the plugin and compares the diagnostics.

Usage: samediags.py CLANGXX PLUGIN INCLUDE_DIR [--all] [--expect-clean] -- FLAG... FILE

Both compiles are -fsyntax-only with the given flags (for example -Werror -Wthread-safety).
A diagnostic is compared by file name, line, flag and message: the plugin's insertions shift
columns on an edited line, never lines. Prints each compile's exit status and count, then
"same" or each difference; exits 1 when they differ, or, with --expect-clean, when either
compile reports anything or fails.
"""
import os
import re
import subprocess
import sys

DIAG = re.compile(r"^(.*?):(\d+):(\d+): (warning|error): (.*?)(?: \[([^\]]*)\])?$")


def diagnostics(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True)
    found = []
    for line in p.stderr.splitlines():
        m = DIAG.match(line)
        if m:
            found.append((os.path.basename(m.group(1)), int(m.group(2)), m.group(4),
                          m.group(5), m.group(6) or ""))
    return p.returncode, sorted(found), p.stderr


def main():
    clangxx, plugin, include = sys.argv[1:4]
    rest = sys.argv[4:]
    extra = ["-fplugin-arg-trace-no-warn-skipped"]
    clean = False
    while rest and rest[0] != "--":
        if rest[0] == "--all":
            extra.append("-fplugin-arg-trace-all")
        elif rest[0] == "--expect-clean":
            clean = True
        rest = rest[1:]
    flags = rest[1:]
    base = [clangxx, "-I" + include, "-fsyntax-only", "-fdiagnostics-show-option",
            "-fno-color-diagnostics", "-ferror-limit=0", "-Wno-unknown-attributes"]
    prc, plain, perr = diagnostics(base + flags)
    trc, traced, terr = diagnostics(base + ["-fplugin=" + plugin] + extra + flags)
    print("plain: exit=%d diagnostics=%d" % (prc, len(plain)))
    print("traced: exit=%d diagnostics=%d" % (trc, len(traced)))
    for d in plain:
        print("  %s:%d: %s: %s [%s]" % d)
    failed = False
    if plain != traced or prc != trc:
        failed = True
        for d in traced:
            if d not in plain:
                print("only with the plugin: %s:%d: %s: %s [%s]" % d)
        for d in plain:
            if d not in traced:
                print("only without: %s:%d: %s: %s [%s]" % d)
        if prc != trc:
            sys.stdout.write(terr)
    else:
        print("same")
    if clean and (prc or trc or plain or traced):
        failed = True
        print("not clean")
        sys.stdout.write(perr + terr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
