#!/usr/bin/env python3
"""Lists the identifiers that the plugin's inserted text spells, and fails on one that a user
macro could reach.

Usage: injected_names.py PRINT_OUTPUT

PRINT_OUTPUT is the output of -fplugin-arg-trace-print. For every rewritten file, each line is
compared with the original line token by token; the tokens that are not the original's are the
inserted ones. An identifier among them is fine when it is reserved (a leading "__" or "_" and
an uppercase letter), a keyword, or a name of the user's (it appears in the original file outside
`#define` lines, string literals and comments). Prints the sorted reserved names it saw, one per
line, then "injected names: ok"; else names each offender with a line where it was inserted and
exits 1.
"""
import difflib
import re
import sys

TOKEN = re.compile(r'''
    (?P<str>(?:u8|[uUL])?R"(?P<delim>[^(\s]*)\(.*?\)(?P=delim)"   # raw string
         |(?:u8|[uUL])?"(?:[^"\\\n]|\\.)*"                       # string
         |(?:u8|[uUL])?'(?:[^'\\\n]|\\.)*')                      # character
   |(?P<num>\.?[0-9](?:[eEpP][+-]|[0-9A-Za-z_.'])*)
   |(?P<id>[A-Za-z_][A-Za-z0-9_]*)
   |(?P<punct>\S)
''', re.X | re.S)

KEYWORDS = set("""
alignas alignof asm auto bool break case catch char char8_t char16_t char32_t class concept
const consteval constexpr constinit const_cast continue co_await co_return co_yield decltype
default delete do double dynamic_cast else enum explicit export extern false float for friend
goto if inline int long mutable namespace new noexcept nullptr operator private protected public
register reinterpret_cast requires return short signed sizeof static static_assert static_cast
struct switch template this thread_local throw true try typedef typeid typename union unsigned
using virtual void volatile wchar_t while
""".split())


def tokens(line):
    return [(m.lastgroup if m.lastgroup != "delim" else "str", m.group(0))
            for m in TOKEN.finditer(line)]


def strip_comments(text):
    out = []
    for m in re.finditer(r'//[^\n]*|/\*.*?\*/|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|[^/"\']+|.',
                         text, re.S):
        s = m.group(0)
        if s.startswith("//") or s.startswith("/*"):
            out.append(re.sub(r"[^\n]", " ", s))
        else:
            out.append(s)
    return "".join(out)


def reserved(name):
    return name.startswith("__") or (len(name) > 1 and name[0] == "_" and name[1].isupper())


def main():
    sections = re.split(r"^//=== trace rewritten: (.*)\n", open(sys.argv[1]).read(), flags=re.M)
    seen, bad = set(), {}
    for path, rewritten in zip(sections[1::2], sections[2::2]):
        original = strip_comments(open(path).read())
        users = set()
        for line in original.splitlines():
            if not re.match(r"\s*#\s*define\b", line):
                users.update(t for kind, t in tokens(line) if kind == "id")
        rewritten = strip_comments(rewritten)
        olines, rlines = original.splitlines(), rewritten.splitlines()
        # The trailer of trainables may be a line of its own after the last.
        olines += [""] * (len(rlines) - len(olines))
        for n, (o, r) in enumerate(zip(olines, rlines), 1):
            ot, rt = [t for _, t in tokens(o)], tokens(r)
            sm = difflib.SequenceMatcher(None, ot, [t for _, t in rt], autojunk=False)
            for op, _, _, j1, j2 in sm.get_opcodes():
                if op == "equal":
                    continue
                for kind, t in rt[j1:j2]:
                    if kind != "id" or t in KEYWORDS:
                        continue
                    if reserved(t):
                        seen.add(t)
                    elif t not in users:
                        bad.setdefault(t, "%s:%d" % (path, n))
    for name in sorted(seen):
        print(name)
    if bad:
        for name, where in sorted(bad.items()):
            print("error: inserted name %r is neither reserved nor the user's (%s)" % (name, where))
        return 1
    print("injected names: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
