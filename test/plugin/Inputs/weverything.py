#!/usr/bin/env python3
"""The strict-build stage: the plugin adds no diagnostic under -Weverything -Werror.

Usage: weverything.py CLANGXX PLUGIN INCLUDE_DIR [--all] FILE...

For each program: compiles it without the plugin under -Weverything, collecting the warning
flags that the user's own code triggers (-fdiagnostics-show-option); then compiles it without
and with the plugin under -Weverything -Werror -Wno-<each of those>, and compares the two sets
of diagnostics (file:line:col and flag). -Wunknown-attributes is the plain build's alone (the
plugin knows [[trace::...]]). A program the plain compiler rejects is skipped (it needs flags
of its own RUN lines). --all instruments every function (-fplugin-arg-trace-all), as the
corpus does. Prints one line per program and a summary; exits 1 on a difference.
"""
import re
import subprocess
import sys

DIAG = re.compile(r"^(.*?):(\d+):(\d+): (warning|error): (.*?)(?: \[(?:-Werror,)?(-W[^\],]+)[^\]]*\])?$")


def diagnostics(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True)
    found = set()
    for line in p.stderr.splitlines():
        m = DIAG.match(line)
        if m:
            found.add((m.group(1), int(m.group(2)), int(m.group(3)), m.group(6) or m.group(5)))
    return p.returncode, found


def main():
    clangxx, plugin, include = sys.argv[1:4]
    files = sys.argv[4:]
    # The plugin's own report of a function it leaves alone is a warning the
    # user silences in a strict build (docs/robustness.md).
    extra = ["-fplugin-arg-trace-no-warn-skipped"]
    if files and files[0] == "--all":
        extra += ["-fplugin-arg-trace-all"]
        files = files[1:]
    base = [clangxx, "-std=c++17", "-I" + include, "-fsyntax-only", "-fdiagnostics-show-option",
            "-fno-color-diagnostics", "-ferror-limit=0"]
    failed = checked = 0
    for f in files:
        for std in ["-std=c++17", "-std=c++20"]:
            base[1] = std
            rc, plain = diagnostics(base + ["-Weverything", f])
            if rc == 0:
                break
        if rc != 0:
            print("skipped %s: the plain compile fails" % f)
            continue
        flags = sorted({flag for _, _, _, flag in plain if flag.startswith("-W")})
        strict = ["-Weverything", "-Werror"] + ["-Wno-" + fl[2:] for fl in flags]
        _, plain = diagnostics(base + strict + [f])
        traced_rc, traced = diagnostics(base + strict + ["-fplugin=" + plugin] + extra + [f])
        checked += 1
        if traced != plain or traced_rc != 0:
            failed += 1
            print("FAIL %s (%d flag(s) of the user's subtracted)" % (f, len(flags)))
            for d in sorted(traced - plain):
                print("  only with the plugin: %s:%d:%d %s" % d)
            for d in sorted(plain - traced):
                print("  only without: %s:%d:%d %s" % d)
        else:
            print("ok %s (%d flag(s) of the user's subtracted)" % (f, len(flags)))
    print("weverything: %d program(s) checked, %d differ" % (checked, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
