#!/usr/bin/env python3
"""Checks the output of -fplugin-arg-trace-print against the original files.

For every rewritten file: the rewrite only inserts (each original line is a
subsequence of the rewritten line with the same number) and adds no line.
For every Site: the hash is FNV-1a 64 of the key. For every ParamInfo: the
byte range holds the recorded text in the original file, the hash is the
FNV-1a 64 of those bytes, and the line is the line of the first byte.
Prints one summary line; exits non-zero with a message on the first error.
"""
import re
import sys

STR = r'"((?:[^"\\]|\\.)*)"'


def fnv1a64(data: bytes) -> int:
    h = 0xcbf29ce484222325
    for b in data:
        h ^= b
        h = (h * 0x100000001b3) & 0xffffffffffffffff
    return h


def unescape(s: str) -> bytes:
    out = bytearray()
    raw = s.encode("utf-8")
    i = 0
    simple = {ord("n"): 10, ord("t"): 9, ord("r"): 13, ord('"'): 34,
              ord("\\"): 92, ord("?"): 63, ord("'"): 39}
    while i < len(raw):
        c = raw[i]
        if c != 92:
            out.append(c)
            i += 1
            continue
        n = raw[i + 1]
        if n in simple:
            out.append(simple[n])
            i += 2
            continue
        j = i + 1
        digits = b""
        while j < len(raw) and len(digits) < 3 and 48 <= raw[j] <= 55:
            digits += bytes([raw[j]])
            j += 1
        if not digits:
            fail("unknown escape \\%s" % chr(n))
        out.append(int(digits, 8))
        i = j
    return bytes(out)


def fail(msg):
    print("error: " + msg)
    sys.exit(1)


def is_subsequence(small: str, big: str) -> bool:
    it = iter(big)
    return all(ch in it for ch in small)


def main():
    text = sys.stdin.read()
    parts = re.split(r"^//=== trace rewritten: (.*)$\n", text, flags=re.M)
    files = dict(zip(parts[1::2], parts[2::2]))
    if not files:
        fail("no rewritten file in the output")
    sites = params = 0
    for path, rewritten in files.items():
        original = open(path, encoding="utf-8", errors="surrogateescape").read()
        olines = original.split("\n")
        rlines = rewritten.split("\n")
        # The print adds a final newline; the trailer may add one more.
        if rlines and rlines[-1] == "":
            rlines.pop()
        if len(rlines) not in (len(olines), len(olines) - 1, len(olines) + 1):
            fail("%s: %d lines, originally %d" % (path, len(rlines), len(olines)))
        for n, (o, r) in enumerate(zip(olines, rlines), 1):
            if not is_subsequence(o, r):
                fail("%s:%d: the original line is not kept: %r" % (path, n, o))
        # A template's Site picks its instantiation's hash and key by index:
        # "__trace_inst == 1u ? 0x<h1>ull : 0x<h0>ull, __trace_inst == 1u ?
        # "<k1>" : "<k0>"": every pair must match, and both chains must list
        # the same instances.
        hsel = r"__trace_inst == (\d+)u \? 0x([0-9a-f]{16})ull : "
        ksel = r"__trace_inst == (\d+)u \? " + STR + " : "
        site = (r"__trace_site\{((?:" + hsel + r")*)0x([0-9a-f]{16})ull, ((?:" +
                ksel + r")*)" + STR)
        for m in re.finditer(site, rewritten):
            hashes = re.findall(hsel, m.group(1)) + [("0", m.group(4))]
            keys = re.findall(ksel, m.group(5)) + [("0", m.group(8))]
            if [n for n, _ in hashes] != [n for n, _ in keys]:
                fail("hash and key choices differ: %r" % m.group(0))
            for (_, h), (_, k) in zip(hashes, keys):
                if int(h, 16) != fnv1a64(unescape(k)):
                    fail("hash of key %r is not FNV-1a 64" % unescape(k))
            sites += 1
        for m in re.finditer(r"__trace_call\.__global\(0x([0-9a-f]{16})ull, " + STR, rewritten):
            if int(m.group(1), 16) != fnv1a64(unescape(m.group(2))):
                fail("hash of global %r is not FNV-1a 64" % m.group(2))
        pat = (r"__ParamInfo __trace_param_\d+\{" + STR + r", (\d)u, " + STR + ", " + STR +
               r", (\d+)u, (\d+)ull, (\d+)ull, \"fnv1a64:([0-9a-f]{16})\", " + STR)
        for m in re.finditer(pat, rewritten):
            pid, kind, name, pfile, line, begin, end, h, ptext = m.groups()
            data = open(unescape(pfile), "rb").read()
            begin, end = int(begin), int(end)
            if data[begin:end] != unescape(ptext):
                fail("param %s: bytes [%d, %d) are %r, recorded %r" %
                     (pid, begin, end, data[begin:end], unescape(ptext)))
            if fnv1a64(data[begin:end]) != int(h, 16):
                fail("param %s: hash mismatch" % pid)
            if data[:begin].count(b"\n") + 1 != int(line):
                fail("param %s: line %s, text starts on line %d" %
                     (pid, line, data[:begin].count(b"\n") + 1))
            params += 1
    print("checked %d file(s), %d site(s), %d param(s)" % (len(files), sites, params))


if __name__ == "__main__":
    main()
