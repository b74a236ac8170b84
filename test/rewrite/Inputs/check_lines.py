"""Checks trace-rewrite's same-line guarantee for one file.

Usage: check_lines.py ORIGINAL REWRITTEN [PLUGIN_PRINT]

REWRITTEN is trace-rewrite's output for ORIGINAL: a prologue ending in `#line 1 "<ORIGINAL>"`, then
the text. Prints the number of lines of each and of the lines whose original text is no longer in
order on the same line (the rewrite only inserts: every original character stays on its line).
With PLUGIN_PRINT (the output of -fplugin-arg-trace-print for the same file), also says whether the
text is the plugin's rewrite, byte for byte, apart from the TU record's compile arguments.
"""
import os
import re
import sys


def is_subsequence(small, big):
    it = iter(big)
    return all(c in it for c in small)


def body(rewritten, original):
    lines = rewritten.split("\n")
    for i, line in enumerate(lines):
        m = re.match(r'#line 1 "(.*)"$', line)
        if m:
            if os.path.realpath(m.group(1)) != os.path.realpath(original):
                sys.exit("#line names %s, not %s" % (m.group(1), original))
            return "\n".join(lines[i + 1:])
    sys.exit("no #line 1 directive in the output")


def without_tu_args(text):
    return re.sub(r'__trace_tu\{.*?\}; static ::__trace_rt::__Registrar __trace_reg_tu',
                  "__trace_tu{...}; static ::__trace_rt::__Registrar __trace_reg_tu", text)


def main():
    original = open(sys.argv[1]).read()
    text = body(open(sys.argv[2]).read(), sys.argv[1])
    old, new = original.split("\n"), text.split("\n")
    # The registrations of trainable parameters go after the last line: on a line of their own when
    # the file ends with a newline.
    if len(new) == len(old) + 1 and "__trace_param_0" in new[len(old) - 1] and not old[-1]:
        print("registrations on a line after the last")
        del new[len(old) - 1]
    moved = [i + 1 for i, (a, b) in enumerate(zip(old, new)) if not is_subsequence(a, b)]
    print("original lines: %d" % len(old))
    print("rewritten lines: %d" % len(new))
    print("lines not kept: %d %s" % (len(moved), moved[:5]))
    print("edited lines: %d" % sum(1 for a, b in zip(old, new) if a != b))
    if len(sys.argv) > 3:
        printed = open(sys.argv[3]).read()
        marker = "//=== trace rewritten: %s\n" % os.path.realpath(sys.argv[1])
        start = printed.find(marker)
        if start < 0:
            sys.exit("the plugin did not rewrite %s" % sys.argv[1])
        plugin = printed[start + len(marker):].split("\n//=== trace rewritten: ")[0]
        same = without_tu_args(plugin.rstrip("\n")) == without_tu_args(text.rstrip("\n"))
        print("same as the plugin: %s" % ("yes" if same else "no"))


main()
