#!/usr/bin/env python3
"""Builds tinyxml2's own test program (xmltest) with and without instrument-everything and
compares the results.

Usage: run_tinyxml2.py --work DIR --clangxx CLANGXX --plugin SO --include DIR --runtime LIB
                       [--source DIR] [--timeout SECONDS] [--repeat N] [--plugin-arg ARG]...

tinyxml2 (https://github.com/leethomason/tinyxml2) is fetched at test time as Debian's source
package with `apt-get source --download-only`, using a private apt state under DIR (the system's
apt configuration is read, never written); nothing of it is committed. --source uses an
unpacked tree instead. When the sources cannot be had (no network, no Debian mirror) the test
prints UNSUPPORTED and exits with 77, which ctest reports as skipped.

Both builds compile tinyxml2.cpp and xmltest.cpp the same way (-O1); the traced one adds
-fplugin=... -fplugin-arg-trace-all. Each runs in its own copy of the tree (xmltest writes
files under resources/out). Their standard output (less the one timing line), the pass/fail
lines and the exit codes must be equal, the trace must be complete (header, every call
returned, an end record counting every node, none dropped), and most of tinyxml2's functions
must appear in it.
"""
import argparse
import glob
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tarfile
import time

SKIP = 77


def log(msg):
    print(msg, flush=True)


def skip(msg):
    log("UNSUPPORTED: tinyxml2 third-party test skipped: " + msg)
    sys.exit(SKIP)


def deb_src_lines():
    """deb-src lines for the Debian mirrors the system's apt uses."""
    lines = []
    for path in glob.glob("/etc/apt/sources.list") + sorted(glob.glob("/etc/apt/sources.list.d/*.list")):
        with open(path) as f:
            for line in f:
                line = line.split("#", 1)[0].strip()
                if line.startswith("deb ") and "debian" in line:
                    lines.append("deb-src " + line[4:])
    for path in sorted(glob.glob("/etc/apt/sources.list.d/*.sources")):
        with open(path) as f:
            text = f.read()
        for stanza in re.split(r"\n\s*\n", text):
            fields = {}
            for line in stanza.splitlines():
                if line.startswith("#") or ":" not in line:
                    continue
                key, _, value = line.partition(":")
                fields[key.strip().lower()] = value.strip()
            if "deb" not in fields.get("types", "").split() or "debian" not in fields.get("uris", ""):
                continue
            if fields.get("enabled", "yes").lower() == "no":
                continue
            opts = f"[signed-by={fields['signed-by']}] " if fields.get("signed-by") else ""
            for uri in fields.get("uris", "").split():
                for suite in fields.get("suites", "").split():
                    lines.append(f"deb-src {opts}{uri} {suite} {fields.get('components', 'main')}")
    return lines


def fetch(work):
    src_root = os.path.join(work, "src")
    found = glob.glob(os.path.join(src_root, "tinyxml2-*", "xmltest.cpp"))
    if found:
        return os.path.dirname(found[0])
    if not shutil.which("apt-get"):
        skip("apt-get is not available")
    lines = deb_src_lines()
    if not lines:
        skip("no Debian mirror in the apt configuration")
    apt = os.path.join(work, "apt")
    for d in ["lists/partial", "cache/archives/partial"]:
        os.makedirs(os.path.join(apt, d), exist_ok=True)
    sources = os.path.join(apt, "sources.list")
    with open(sources, "w") as f:
        f.write("\n".join(lines) + "\n")
    opts = ["-o", f"Dir::Etc::SourceList={sources}", "-o", "Dir::Etc::SourceParts=/dev/null",
            "-o", f"Dir::State::Lists={apt}/lists", "-o", f"Dir::Cache={apt}/cache",
            "-o", "APT::Sandbox::User=root", "-q"]
    dl = os.path.join(work, "download")
    os.makedirs(dl, exist_ok=True)
    try:
        up = subprocess.run(["apt-get"] + opts + ["update"], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, timeout=180)
        if up.returncode != 0:
            skip("apt-get update failed: " + up.stdout.decode(errors="replace")[-500:])
        got = subprocess.run(["apt-get"] + opts + ["source", "--download-only", "tinyxml2"], cwd=dl,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=180)
    except subprocess.TimeoutExpired:
        skip("apt-get timed out")
    if got.returncode != 0:
        skip("apt-get source failed: " + got.stdout.decode(errors="replace")[-500:])
    tars = glob.glob(os.path.join(dl, "tinyxml2_*.orig.tar.*"))
    if not tars:
        skip("apt-get source gave no upstream tarball")
    os.makedirs(src_root, exist_ok=True)
    with tarfile.open(tars[0]) as t:
        t.extractall(src_root)
    found = glob.glob(os.path.join(src_root, "tinyxml2-*", "xmltest.cpp"))
    if not found:
        skip("the tarball has no xmltest.cpp")
    return os.path.dirname(found[0])


def children_cpu():
    """User + sys CPU seconds of the children waited for so far."""
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def build(opts, src, out, extra, libs):
    """Compiles each source file on its own (so each one's compile time is known), then links.
    Returns {file: (wall s, cpu s)}."""
    times = {}
    objs = []
    for name in ["tinyxml2.cpp", "xmltest.cpp"]:
        obj = f"{out}.{os.path.splitext(name)[0]}.o"
        cmd = ([opts.clangxx, "-std=c++17", "-O1", "-w"] + extra +
               ["-c", os.path.join(src, name), "-I", src, "-o", obj])
        t0, c0 = time.monotonic(), children_cpu()
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        times[name] = (time.monotonic() - t0, children_cpu() - c0)
        if p.returncode != 0:
            log(p.stdout.decode(errors="replace")[-6000:])
            sys.exit(f"FAILED: cannot compile {name}: {' '.join(cmd)}")
        objs.append(obj)
    cmd = [opts.clangxx] + objs + ["-o", out] + libs
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if p.returncode != 0:
        log(p.stdout.decode(errors="replace")[-6000:])
        sys.exit(f"FAILED: cannot link {os.path.basename(out)}: {' '.join(cmd)}")
    log(f"built {os.path.basename(out)}: " +
        ", ".join(f"{n} {w:.2f} s wall, {c:.2f} s CPU" for n, (w, c) in times.items()))
    return times


def run(opts, src, binary, rundir, env):
    shutil.rmtree(rundir, ignore_errors=True)
    shutil.copytree(os.path.join(src, "resources"), os.path.join(rundir, "resources"))
    os.makedirs(os.path.join(rundir, "resources", "out"), exist_ok=True)
    t0, c0 = time.monotonic(), children_cpu()
    try:
        p = subprocess.run([binary], cwd=rundir, env=env, stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=opts.timeout)
    except subprocess.TimeoutExpired:
        sys.exit(f"FAILED: {binary} ran longer than {opts.timeout} s")
    wall, cpu = time.monotonic() - t0, children_cpu() - c0
    log(f"ran {os.path.basename(binary)} in {wall:.2f} s wall, {cpu:.2f} s CPU: exit {p.returncode}")
    return p, wall, cpu


def normalise(stdout):
    text = stdout.decode("utf-8", "replace")
    # The one line that differs between any two runs: a duration.
    return re.sub(r"(Parsing dream\.xml \([^)]*\)): [0-9.]+ milli-seconds", r"\1: N milli-seconds", text)


def check_trace(path, dump, opts_top=10):
    """Reads the binary trace through `trace-optimize dump` (its JSON Lines export)."""
    if not os.path.exists(path):
        sys.exit(f"FAILED: the traced xmltest wrote no trace at {path}")
    calls = rets = 0
    sites = {}
    called = {}
    end = None
    p = subprocess.Popen([dump, "dump", path], stdout=subprocess.PIPE)
    with p.stdout as f:
        first = json.loads(f.readline())
        if first.get("k") != "header" or first.get("version") != 1:
            sys.exit(f"FAILED: {path} does not start with a header")
        for no, raw in enumerate(f, 2):
            # Most lines are calls and rets: count them without parsing every one.
            if raw.startswith(b'{"k":"call"'):
                calls += 1
                m = re.search(rb'"site":(\d+)', raw)
                if m:
                    site = int(m.group(1))
                    called[site] = called.get(site, 0) + 1
                continue
            if raw.startswith(b'{"k":"ret"'):
                rets += 1
                continue
            try:
                rec = json.loads(raw)
            except ValueError:
                sys.exit(f"FAILED: {path}:{no} is not a JSON object")
            if rec.get("k") == "site":
                sites[rec["site"]] = rec
            elif rec.get("k") == "call":
                calls += 1
                called[rec["site"]] = called.get(rec["site"], 0) + 1
            elif rec.get("k") == "ret":
                rets += 1
            elif rec.get("k") == "end":
                end = rec
    if p.wait() != 0:
        sys.exit(f"FAILED: trace-optimize dump could not read {path}")
    if end is None:
        sys.exit("FAILED: the trace has no end record")
    if end.get("nodes") != calls or end.get("dropped", 0) != 0:
        sys.exit(f"FAILED: end record {end} but the trace holds {calls} calls")
    if rets != calls:
        sys.exit(f"FAILED: {calls} calls but {rets} rets")
    in_lib = [s for s in sites.values() if os.path.basename(s.get("file", "")) == "tinyxml2.cpp"]
    in_test = [s for s in sites.values() if os.path.basename(s.get("file", "")) == "xmltest.cpp"]
    if len(in_lib) < 50:
        sys.exit(f"FAILED: only {len(in_lib)} functions of tinyxml2.cpp were recorded")
    in_header = [s for s in sites.values() if os.path.basename(s.get("file", "")) == "tinyxml2.h"]
    header_calls = sum(called.get(s["site"], 0) for s in in_header)
    log(f"trace: {calls} nodes ({header_calls} of them in tinyxml2.h), {len(sites)} sites "
        f"({len(in_lib)} in tinyxml2.cpp, {len(in_test)} in xmltest.cpp, {len(in_header)} in tinyxml2.h), "
        f"{len(called)} sites called, {os.path.getsize(path)} bytes")
    top = sorted(called.items(), key=lambda kv: -kv[1])[:opts_top]
    for site, n in top:
        rec = sites.get(site, {})
        log(f"  {n:9d} calls  {rec.get('key', site)}  ({os.path.basename(rec.get('file', ''))})")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--work", required=True)
    ap.add_argument("--clangxx", required=True)
    ap.add_argument("--plugin", required=True)
    ap.add_argument("--include", required=True)
    ap.add_argument("--runtime", required=True)
    ap.add_argument("--dump", required=True, help="trace-optimize, to read the trace")
    ap.add_argument("--source")
    ap.add_argument("--timeout", type=int, default=600)
    ap.add_argument("--repeat", type=int, default=3, help="runs of each program; medians are compared")
    ap.add_argument("--plugin-arg", action="append", default=[],
                    help="one more -fplugin-arg-trace-<ARG> for the traced build (repeatable), "
                         "e.g. min-size=0")
    opts = ap.parse_args()
    os.makedirs(opts.work, exist_ok=True)
    src = opts.source or fetch(opts.work)
    log(f"tinyxml2 sources: {src}")

    plain = os.path.join(opts.work, "xmltest-plain")
    traced = os.path.join(opts.work, "xmltest-traced")
    plain_times = build(opts, src, plain, [], [])
    traced_times = build(opts, src, traced,
                         ["-I", opts.include, "-fplugin=" + opts.plugin, "-fplugin-arg-trace-all"] +
                         ["-fplugin-arg-trace-" + a for a in opts.plugin_arg],
                         [opts.runtime, "-lpthread"])
    log("compile time, traced / plain: " + ", ".join(
        f"{n} {traced_times[n][0] / max(plain_times[n][0], 1e-3):.2f}x wall, "
        f"{traced_times[n][1] / max(plain_times[n][1], 1e-3):.2f}x CPU" for n in plain_times))

    env = dict(os.environ)
    for var in ["TRACE_ENABLE", "TRACE_MAX_VALUE"]:
        env.pop(var, None)
    trace = os.path.join(opts.work, "xmltest.trace.bin")
    if os.path.exists(trace):
        os.remove(trace)
    env["TRACE_FILE"] = trace
    # Default settings: xmltest makes about 4 million recorded calls (12 million without the bound on
    # small header functions), many with whole documents as arguments;
    # the value and element limits keep each capture bounded.
    # The plain run takes a tenth of a second: on a busy machine one run says little, so each
    # program runs --repeat times, alternately, and the medians are compared.
    plains, traceds = [], []
    for _ in range(opts.repeat):
        plains.append(run(opts, src, plain, os.path.join(opts.work, "run-plain"), env))
        if os.path.exists(trace):
            os.remove(trace)
        traceds.append(run(opts, src, traced, os.path.join(opts.work, "run-traced"), env))
    a, b = plains[0][0], traceds[-1][0]
    wall_a, cpu_a = statistics.median(r[1] for r in plains), statistics.median(r[2] for r in plains)
    wall_b, cpu_b = statistics.median(r[1] for r in traceds), statistics.median(r[2] for r in traceds)
    log(f"wall time: plain {wall_a:.2f} s, traced {wall_b:.2f} s ({wall_b / max(wall_a, 1e-3):.1f}x); "
        f"CPU: plain {cpu_a:.2f} s, traced {cpu_b:.2f} s ({cpu_b / max(cpu_a, 1e-3):.1f}x) "
        f"(bench/run.sh reports the ratio against its goal)")
    out_a, out_b = normalise(a.stdout), normalise(b.stdout)
    summary = re.findall(r"Pass \d+, Fail \d+", out_a)
    log(f"plain:  exit {a.returncode}, {summary[-1] if summary else 'no summary line'}")
    summary_b = re.findall(r"Pass \d+, Fail \d+", out_b)
    log(f"traced: exit {b.returncode}, {summary_b[-1] if summary_b else 'no summary line'}")
    if out_a != out_b or a.returncode != b.returncode:
        import difflib
        diff = difflib.unified_diff(out_a.splitlines(True), out_b.splitlines(True), "plain", "traced")
        sys.stdout.writelines(list(diff)[:200])
        log(b.stderr.decode(errors="replace")[-3000:])
        sys.exit("FAILED: xmltest behaves differently under instrument-everything")
    if not summary:
        sys.exit("FAILED: xmltest printed no 'Pass N, Fail M' line")
    check_trace(trace, opts.dump)
    os.remove(trace)  # gigabytes: do not leave them in the build folder
    log("PASSED: tinyxml2's xmltest gives the same results with and without -fplugin-arg-trace-all")


if __name__ == "__main__":
    main()
