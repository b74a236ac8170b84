#!/usr/bin/env python3
"""Renders an HTML page in headless Chromium, for the report's tests.

  render_report.py CHROMIUM PAGE FRAGMENT DOM_OUT SCREENSHOT WIDTHxHEIGHT

Writes the DOM after the page's scripts ran (PAGE#FRAGMENT, as a link would open it) to DOM_OUT,
and a screenshot of the page's top, of the window's size, to SCREENSHOT. Fails, saying why, when the browser logs a
console message (a script error, a blocked load) or the screenshot is not a PNG of that size.
"""
import os
import struct
import subprocess
import sys
import tempfile


def run(chromium, args, profile):
    cmd = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--enable-logging=stderr",
           "--v=0", "--user-data-dir=" + profile] + args
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=300)
    log = p.stderr.decode(errors="replace")
    # Every console message is an error here: the page logs nothing when all is well.
    console = [line for line in log.splitlines() if ":CONSOLE" in line]
    if p.returncode != 0 or console:
        sys.exit("render_report: chromium %s: exit %d\n%s" % (" ".join(args[:1]), p.returncode,
                                                               "\n".join(console) or log[-2000:]))
    return p.stdout


def main():
    chromium, page, fragment, dom_out, shot, size = sys.argv[1:7]
    width, height = (int(v) for v in size.split("x"))
    url = "file://" + os.path.abspath(page) + ("#" + fragment if fragment else "")
    with tempfile.TemporaryDirectory() as profile:
        dom = run(chromium, ["--dump-dom", url], profile)
        with open(dom_out, "wb") as f:
            f.write(dom)
        # The top of the page: summary, plot and lineage.
        run(chromium, ["--screenshot=" + os.path.abspath(shot), "--window-size=%d,%d" % (width, height),
                       "--hide-scrollbars", "file://" + os.path.abspath(page)], profile)
    with open(shot, "rb") as f:
        head = f.read(24)
    if head[:8] != b"\x89PNG\r\n\x1a\n" or head[12:16] != b"IHDR":
        sys.exit("render_report: %s is not a PNG" % shot)
    got = struct.unpack(">II", head[16:24])
    if got != (width, height):
        sys.exit("render_report: the screenshot is %dx%d, expected %dx%d" % (got + (width, height)))


if __name__ == "__main__":
    main()
