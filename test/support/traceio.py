"""Reads a trace file as JSON Lines, whatever its format.

A traced program writes a binary trace (docs/trace-format.md, version 2); these scripts read
the JSON Lines export. A file that starts with the binary magic is turned into JSON Lines by
`trace-optimize dump`; any other file is returned as it is (a trace in JSON Lines already, or
not a trace, which the caller reports).

trace-optimize is $TRACE_OPTIMIZE when set (lit sets it to the build's binary), else the one
on PATH.
"""
import os
import shutil
import subprocess

MAGIC = b"\x7fTRACEB\x00"


class TraceReadError(Exception):
    pass


def trace_optimize():
    tool = os.environ.get("TRACE_OPTIMIZE") or shutil.which("trace-optimize")
    if not tool:
        raise TraceReadError("binary trace, but trace-optimize is neither $TRACE_OPTIMIZE nor on PATH")
    return tool


def read_bytes(path):
    """The trace at path as JSON Lines bytes, and the warnings of its reading (a binary trace
    cut short: "FILE: byte N: the trace ends inside ..."). Raises OSError if the file cannot
    be read, and TraceReadError if `trace-optimize dump` refuses it (its message says why)."""
    with open(path, "rb") as f:
        data = f.read()
    if not data.startswith(MAGIC):
        return data, []
    run = subprocess.run([trace_optimize(), "dump", path], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if run.returncode != 0:
        raise TraceReadError(run.stderr.decode("utf-8", "replace").strip())
    prefix = "trace-optimize: warning: "
    warnings = [line[len(prefix):] if line.startswith(prefix) else line
                for line in run.stderr.decode("utf-8", "replace").splitlines() if line.strip()]
    return run.stdout, warnings


# The `end` record without `trace-optimize dump`: the top-level records are walked by their
# lengths, thread records are not decoded (docs/trace-format.md, binary format).
END_KIND = 11


def varint(data, pos):
    """An unsigned LEB128 at data[pos:]: (value, next position), or (None, pos) when cut short."""
    value = shift = 0
    while pos < len(data) and shift < 70:
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return value, pos
    return None, pos


class EndScanner:
    """Finds the `end` record of a trace fed to it piece by piece (a stream too large to keep):
    only the top-level record being read is held."""

    def __init__(self):
        self.buf = bytearray()
        self.started = False
        self.bad = False
        self.end = None

    def feed(self, block):
        if self.bad:
            return
        self.buf += block
        pos = 0
        if not self.started:
            if len(self.buf) < len(MAGIC) + 1:
                return
            if not self.buf.startswith(MAGIC):
                self.bad = True
                return
            _, pos = varint(self.buf, len(MAGIC))
            if pos == len(self.buf):
                return
            self.started = True
        data = self.buf
        while pos < len(data):
            length, body = varint(data, pos + 1)
            if length is None or body + length > len(data):
                break
            self.end = None
            if data[pos] == END_KIND:
                self.end = self._end(data, body)
            pos = body + length
        del self.buf[:pos]

    @staticmethod
    def _end(data, body):
        nodes, at = varint(data, body)
        dropped, at = varint(data, at)
        flags = data[at]
        cut, at = varint(data, at + 1)
        lost, at = varint(data, at)
        end = {"k": "end", "nodes": nodes, "dropped": dropped}
        if flags & 1:
            end["cut"] = cut
        if lost:
            end["lost"] = lost
        return end

    def result(self):
        """The end record, or None: no end record, or a trace cut short."""
        if self.bad or not self.started or self.buf:
            return None
        return self.end


def end_record(data):
    """The `end` record of the trace bytes as its JSON export would show it ({"k": "end", "nodes",
    "dropped", ["cut"], ["lost"]}), or None: no end record, or a trace cut short."""
    scanner = EndScanner()
    scanner.feed(data)
    return scanner.result()
