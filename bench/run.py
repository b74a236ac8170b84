#!/usr/bin/env python3
"""Builds the benchmark variants, runs them and prints every figure of issue 4
next to its goal.

    bench/run.sh            full run (about 10 minutes on the 2-core VM)
    bench/run.sh --quick    every benchmark, briefly: shows they still work

The ratio column is "how much of the goal is used": measured / goal for a
ceiling (time, bytes, compile-time ratio), goal / measured for a floor
(throughput). A ratio <= 1.00 meets the goal. Figures are never checked: the
script exits 0 whatever they are (benchmarks are not tests); it fails only
when a benchmark cannot be built or run.

Times are CPU times where a benchmark reports both (the VM is shared with
other builds; CPU time is what the code costs, wall time adds waiting for a
core) and medians of repetitions; per-call percentiles come from the TSC.
Results are also written to <build>/bench-out/results.json.
"""

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

SRC = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(SRC, "bench")
sys.path.insert(0, os.path.join(SRC, "test", "support"))
import traceio  # noqa: E402  (the end record of a binary trace)


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def run(cmd, **kw):
    log("+ " + " ".join(cmd))
    return subprocess.run(cmd, check=True, **kw)


# --------------------------------------------------------------------------
# Build
# --------------------------------------------------------------------------

def configure(build, instrument, cxx, cc):
    run(["cmake", "-S", SRC, "-B", build, "-G", "Ninja", "-DCMAKE_BUILD_TYPE=Release",
         "-DTRACE_BUILD_BENCH=ON", "-DCMAKE_CXX_COMPILER=" + cxx, "-DCMAKE_C_COMPILER=" + cc,
         "-DTRACE_BENCH_INSTRUMENT=" + instrument], stdout=subprocess.DEVNULL)


def ninja(build, targets):
    return subprocess.run(["ninja", "-C", build] + targets, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True)


def build_all(args):
    """Builds the benchmarks; returns (instrument actually used, plugin path or None)."""
    instrument = args.instrument
    plugin = os.path.join(args.build, "lib", "TracePlugin.so")
    plugin_ok = False
    if instrument in ("auto", "plugin"):
        configure(args.build, "plugin", args.cxx, args.cc)
        r = ninja(args.build, ["TracePlugin"])
        plugin_ok = r.returncode == 0 and plugin_works(args, plugin)
        if not plugin_ok:
            log(r.stdout[-3000:])
            if instrument == "plugin":
                sys.exit("bench: the plugin does not build or does not rewrite bundles")
            log("bench: the plugin is not usable; measuring the hand-written rewritten form")
            instrument = "manual"
        else:
            instrument = "plugin"
    if instrument == "manual":
        configure(args.build, "manual", args.cxx, args.cc)
    targets = ["trace-bench-record", "trace-bench-latency", "trace-bench-stream", "trace-bench-optimize",
               "trace-optimize"]
    if instrument == "plugin":
        targets.append("trace-bench-prompt-run")  # needs the plugin's data flow
    r = ninja(args.build, targets)
    if r.returncode != 0:
        log(r.stdout[-5000:])
        sys.exit("bench: build failed")
    if not plugin_ok:
        # Compile-time figures still need the plugin, even if it cannot rewrite yet.
        plugin_ok = ninja(args.build, ["TracePlugin"]).returncode == 0 and os.path.exists(plugin)
    return instrument, plugin if plugin_ok else None


def plugin_works(args, plugin):
    """True when the plugin loads and rewrites a bundle (the object then calls the runtime)."""
    if not os.path.exists(plugin):
        return False
    out = os.path.join(args.out, "probe.o")
    src = os.path.join(BENCH, "src", "BenchFuncs.cpp")
    r = subprocess.run([args.cxx, "-std=c++17", "-O2", "-DBENCH_NS=traced", "-I" + os.path.join(BENCH, "src"),
                        "-fplugin=" + plugin, "-c", src, "-o", out], capture_output=True, text=True)
    if r.returncode != 0:
        log(r.stderr[-2000:])
        return False
    syms = subprocess.run(["nm", "-C", out], capture_output=True, text=True).stdout
    return "__trace_rt" in syms


# --------------------------------------------------------------------------
# Google Benchmark helpers
# --------------------------------------------------------------------------

def gbench(binary, args, flt, env, reps, min_time):
    cmd = [binary, "--benchmark_filter=" + flt, "--benchmark_format=json",
           "--benchmark_min_time=%g" % min_time]
    if reps > 1:
        cmd += ["--benchmark_repetitions=%d" % reps, "--benchmark_report_aggregates_only=true"]
    log("+ " + " ".join(cmd))
    r = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=args.out)
    if r.returncode != 0:
        log(r.stderr[-3000:])
        sys.exit("bench: %s failed" % os.path.basename(binary))
    data = json.loads(r.stdout)
    res = {}
    for b in data["benchmarks"]:
        if b.get("error_occurred"):
            res[b["run_name"]] = {"error": b.get("error_message", "")}
            continue
        if reps > 1 and b.get("aggregate_name") != "median":
            continue
        res[b["run_name"]] = b
    return res


def to_ns(b, key):
    scale = {"ns": 1, "us": 1e3, "ms": 1e6, "s": 1e9}[b.get("time_unit", "ns")]
    return b[key] * scale


# --------------------------------------------------------------------------
# Child processes with their resource usage
# --------------------------------------------------------------------------

def run_stream(binary, calls, env, trace_path=None, mode="traced"):
    """Runs trace-bench-stream in \p mode; returns its whole-process CPU (user + sys, all threads)
    and wall time, peak RSS, the trace's size and its `end` record."""
    env = dict(env)
    env["TRACE_FILE"] = trace_path if trace_path else "/dev/stdout"
    log("+ TRACE_FILE=%s %s %d %s" % (env["TRACE_FILE"], binary, calls, mode))
    t0 = time.monotonic()
    p = subprocess.Popen([binary, str(calls), mode], env=env, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    nbytes = 0
    data = bytearray()
    # Read the trace as it streams (pipe) so the run never needs the disk; the bytes are kept only
    # for small runs (the end record is found by walking the records).
    while True:
        block = p.stdout.read(1 << 20)
        if not block:
            break
        nbytes += len(block)
        if nbytes <= (64 << 20):
            data += block
    stderr = p.stderr.read().decode()
    _, status, usage = os.wait4(p.pid, 0)
    wall = time.monotonic() - t0
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        log(stderr)
        sys.exit("bench: trace-bench-stream failed")
    if trace_path:
        with open(trace_path, "rb") as f:
            data = f.read()
        nbytes = len(data)
    end = traceio.end_record(bytes(data)) if len(data) == nbytes else None
    elapsed_ns = peak = None
    for line in stderr.splitlines():
        if line.startswith("elapsed_ns"):
            elapsed_ns = int(line.split()[1])
        if line.startswith("peak_rss_kib"):
            peak = int(line.split()[1])
        if line.startswith("calls"):
            calls = int(line.split()[1])
    # Not usage.ru_maxrss: it includes this script's image forked before exec.
    return {"calls": calls, "maxrss_kib": peak, "cpu_s": usage.ru_utime + usage.ru_stime,
            "user_s": usage.ru_utime, "sys_s": usage.ru_stime, "wall_s": wall,
            "loop_ns": elapsed_ns, "bytes": nbytes, "end": end or {}}


def best_of(n, f):
    """The run with the least CPU time of \p n (the VM is shared: the least disturbed one)."""
    runs = [f() for _ in range(n)]
    return min(runs, key=lambda r: r["cpu_s"])


def time_command(cmd, env=None):
    """Whole-process CPU (user + sys) and wall seconds of a command, and its peak RSS in KiB (None if
    /usr/bin/time is missing: wait4's maximum would include this script's image from before exec)."""
    log("+ " + " ".join(cmd))
    timer = shutil.which("time") or ("/usr/bin/time" if os.path.exists("/usr/bin/time") else None)
    rss_file = os.path.join(tempfile.gettempdir(), "bench-rss-%d.txt" % os.getpid())
    full = [timer, "-f", "%M", "-o", rss_file] + cmd if timer else cmd
    t0 = time.monotonic()
    p = subprocess.Popen(full, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    err = p.stderr.read().decode(errors="replace")
    _, status, usage = os.wait4(p.pid, 0)
    wall = time.monotonic() - t0
    if os.waitstatus_to_exitcode(status) != 0:
        log(err[-3000:])
        sys.exit("bench: %s failed" % os.path.basename(cmd[0]))
    peak = None
    if timer:
        try:
            with open(rss_file) as f:
                peak = int(f.read().split()[-1])
            os.remove(rss_file)
        except (OSError, ValueError, IndexError):
            peak = None
    return {"cpu_s": usage.ru_utime + usage.ru_stime, "wall_s": wall, "maxrss_kib": peak}


def callgrind_counts(binary, calls, env, out_dir):
    """Instructions per call of the streaming run, recording on minus off (callgrind)."""
    totals = {}
    handoff = 0
    for mode in ("on", "off"):
        out = os.path.join(out_dir, "callgrind.%s.out" % mode)
        e = dict(env, TRACE_FILE="/dev/null")
        if mode == "off":
            e["TRACE_ENABLE"] = "0"
        run(["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out, binary, str(calls)], env=e,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        ann = subprocess.run(["callgrind_annotate", "--inclusive=yes", out], capture_output=True,
                             text=True).stdout
        for line in ann.splitlines():
            cols = line.split()
            if not cols:
                continue
            if "PROGRAM TOTALS" in line:
                totals[mode] = int(cols[0].replace(",", ""))
            elif mode == "on" and "__trace_rt::handOff" in line and handoff == 0:
                handoff = int(cols[0].replace(",", ""))
        os.remove(out)
    return {"amortized": (totals["on"] - totals["off"]) / calls,
            "hot_path": (totals["on"] - handoff - totals["off"]) / calls,
            "handoff": handoff / calls}


def time_compile(cmd):
    """CPU seconds (user + sys of the compiler and its children) and wall seconds."""
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    err = p.stderr.read()
    _, status, usage = os.wait4(p.pid, 0)
    wall = time.monotonic() - t0
    if os.waitstatus_to_exitcode(status) != 0:
        log(err.decode()[-3000:])
        sys.exit("bench: compile failed: " + " ".join(cmd))
    return usage.ru_utime + usage.ru_stime, wall


# --------------------------------------------------------------------------
# The figures
# --------------------------------------------------------------------------

class Table:
    def __init__(self):
        self.rows = []

    def add(self, name, value, unit, goal, kind, note=""):
        """kind: 'max' (value <= goal), 'min' (value >= goal), 'info' (no goal), 'check' (bool)."""
        if kind == "max" and value is not None:
            ratio = value / goal if goal else float("inf")
        elif kind == "min" and value is not None:
            ratio = goal / value if value else float("inf")
        else:
            ratio = None
        self.rows.append({"figure": name, "value": value, "unit": unit, "goal": goal, "kind": kind,
                          "ratio": ratio, "note": note})

    def print(self):
        w = max(len(r["figure"]) for r in self.rows)
        print("%-*s %14s   %-16s %7s  %s" % (w, "figure", "measured", "goal", "ratio", "status"))
        print("-" * (w + 60))
        for r in self.rows:
            v = r["value"]
            if r["kind"] == "check":
                meas = "yes" if v else "NO"
                goal = "yes"
                ratio = ""
                status = "met" if v else "MISSED"
            else:
                meas = "n/a" if v is None else fmt(v) + " " + r["unit"]
                if r["kind"] == "max":
                    goal = "<= " + fmt(r["goal"]) + " " + r["unit"]
                elif r["kind"] == "min":
                    goal = ">= " + fmt(r["goal"]) + " " + r["unit"]
                else:
                    goal = "(no goal)"
                ratio = "" if r["ratio"] is None else "%.2f" % r["ratio"]
                if r["kind"] == "info":
                    status = ""
                elif v is None:
                    status = "not measured"
                else:
                    status = "met" if r["ratio"] <= 1.0 else "MISSED x%.1f" % r["ratio"]
            print("%-*s %14s   %-16s %7s  %s%s" % (w, r["figure"], meas, goal, ratio, status,
                                                  ("  (" + r["note"] + ")") if r["note"] else ""))


def fmt(v):
    if isinstance(v, bool):
        return str(v)
    if abs(v) >= 1e6:
        return "%.3gM" % (v / 1e6)
    if abs(v) >= 100:
        return "%.0f" % v
    if abs(v) >= 10:
        return "%.1f" % v
    return "%.2f" % v


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="run everything briefly (CI: shows it works)")
    ap.add_argument("--build", default=os.path.join(SRC, "build-bench"), help="build directory")
    ap.add_argument("--instrument", choices=["auto", "plugin", "manual"], default="auto",
                    help="traced functions built with the plugin, or its output written by hand")
    ap.add_argument("--no-build", action="store_true", help="use the binaries already built")
    ap.add_argument("--cxx", default="clang++-19")
    ap.add_argument("--cc", default="clang-19")
    ap.add_argument("--reps", type=int, default=None, help="repetitions of each micro-benchmark")
    args = ap.parse_args()
    args.build = os.path.abspath(args.build)
    args.out = os.path.join(args.build, "bench-out")
    os.makedirs(args.out, exist_ok=True)
    q = args.quick
    reps = args.reps or (1 if q else 10)
    min_time = 0.01 if q else 0.2

    if args.no_build:
        instrument = "prebuilt"
        plugin = os.path.join(args.build, "lib", "TracePlugin.so")
        plugin = plugin if os.path.exists(plugin) else None
    else:
        instrument, plugin = build_all(args)
    binp = lambda n: os.path.join(args.build, "bin", n)
    env = dict(os.environ)
    for var in ["TRACE_FILE", "TRACE_ENABLE", "TRACE_MAX_VALUE"]:
        env.pop(var, None)
    results = {"instrument": instrument, "quick": q, "machine": machine()}
    t = Table()

    # -- Recording: amortized (Google Benchmark), on and off, same binary.
    env_on = dict(env, TRACE_FILE=os.path.join(args.out, "record.bin"))
    on = gbench(binp("trace-bench-record"), args, "Add|String1K|WriterBlock", env_on, reps, min_time)
    off = gbench(binp("trace-bench-record"), args, "Add|String1K", dict(env, TRACE_ENABLE="0"), reps, min_time)
    inline = gbench(binp("trace-bench-record"), args, "Add|String1K",
                    dict(env_on, TRACE_WRITER_THREAD="0"), reps, min_time)
    try:
        os.remove(os.path.join(args.out, "record.bin"))
    except OSError:
        pass
    results["gbench_record_on"] = on
    results["gbench_record_off"] = off
    results["gbench_record_inline"] = inline
    cpu = lambda r, n: to_ns(r[n], "cpu_time")

    # -- Per-call percentiles and bytes per node.
    lat_env = dict(env, TRACE_FILE=os.path.join(args.out, "latency.bin"))
    log("+ trace-bench-latency")
    lat = json.loads(subprocess.run([binp("trace-bench-latency"), str(20000 if q else 400000)], env=lat_env,
                                    check=True, capture_output=True, text=True, cwd=args.out).stdout)
    os.remove(os.path.join(args.out, "latency.bin"))
    results["latency"] = lat

    add_med = lat["added_add"]["batch8"]["p50"]
    t.add("on: int f(int,int) added, per-call median", add_med, "ns", 25, "max", "TSC, batches of 8")
    t.add("on: int f(int,int) added, p99 of single calls", lat["added_add"]["single"]["p99"], "ns", 200, "max",
          "TSC, 10 ns steps")
    t.add("on: int f(int,int) added, p99.9 of single calls", lat["added_add"]["single"]["p999"], "ns", None,
          "info", "hand-off, or waiting for the writer")
    t.add("on: int f(int,int) added, amortized, calling thread (GB median)",
          cpu(on, "Add/traced") - cpu(on, "Add/plain"), "ns", 25, "max", "chunk hand-offs included")
    t.add("on: same, whole process (writer thread included)",
          cpu(on, "Add/traced/process_time") - cpu(on, "Add/plain/process_time"), "ns", None, "info",
          "process CPU time")
    t.add("on: same, wall clock (loop bound by the writer)",
          to_ns(on["Add/traced"], "real_time") - to_ns(on["Add/plain"], "real_time"), "ns", None, "info")
    t.add("on: same, TRACE_WRITER_THREAD=0 (write on the caller)",
          cpu(inline, "Add/traced") - cpu(inline, "Add/plain"), "ns", None, "info")
    t.add("off: int f(int,int) added (TRACE_ENABLE=0)",
          cpu(off, "Add/traced") - cpu(off, "Add/plain"), "ns", 2, "max", "GB median, same binary")
    t.add("1 KiB string arg added, per-call median", lat["added_string1k"]["batch8"]["p50"], "ns", 50 + 1024,
          "max", "goal 50 ns + 1 ns/byte")
    t.add("1 KiB string arg added, amortized, calling thread (GB median)",
          cpu(on, "String1K/traced") - cpu(on, "String1K/plain"), "ns", 50 + 1024, "max",
          "chunk hand-offs included")
    t.add("1 KiB string arg added, amortized, whole process",
          cpu(on, "String1K/traced/process_time") - cpu(on, "String1K/plain/process_time"), "ns",
          50 + 1024, "max", "writer thread included")
    t.add("1 KiB string arg added, TRACE_WRITER_THREAD=0",
          cpu(inline, "String1K/traced") - cpu(inline, "String1K/plain"), "ns", 50 + 1024, "max",
          "write() on the caller")
    t.add("1 KiB string arg off added (TRACE_ENABLE=0)",
          cpu(off, "String1K/traced") - cpu(off, "String1K/plain"), "ns", None, "info")

    if shutil.which("valgrind") and shutil.which("callgrind_annotate"):
        cg = callgrind_counts(binp("trace-bench-stream"), 20000 if q else 200000, env, args.out)
        results["callgrind"] = cg
        t.add("callgrind: instructions added per call, recording path", cg["hot_path"], "instr", None, "info",
              "stable under load")
        t.add("callgrind: instructions added per call, amortized", cg["amortized"], "instr", None, "info",
              "render + write: %.0f" % cg["handoff"])

    # -- Memory.
    t.add("bytes per node in the chunk, minus payload", lat["chunk_bytes_add"] - lat["payload_bytes_add"],
          "B", 64, "max", "f(int,int): %d B, payload %d B" % (lat["chunk_bytes_add"], lat["payload_bytes_add"]))
    t.add("bytes per node, 1 KiB string arg, minus payload",
          lat["chunk_bytes_string1k"] - lat["payload_bytes_string1k"], "B", 64, "max",
          "%d B, payload %d B" % (lat["chunk_bytes_string1k"], lat["payload_bytes_string1k"]))
    small, large = (100000, 1000000) if q else (1000000, 10000000)
    stream = binp("trace-bench-stream")
    s_small = run_stream(stream, small, env)
    s_large = run_stream(stream, large, env)
    results["stream"] = {"pipe_small": s_small, "pipe_large": s_large}
    t.add("max RSS, %s calls" % fmt(small), s_small["maxrss_kib"] / 1024, "MiB", None, "info")
    t.add("max RSS, %s calls" % fmt(large), s_large["maxrss_kib"] / 1024, "MiB", None, "info")
    t.add("max RSS growth %s -> %s calls" % (fmt(small), fmt(large)),
          s_large["maxrss_kib"] / s_small["maxrss_kib"], "x", 1.10, "max", "bounded: streams to the file")
    ok = all(s["end"].get("nodes") == s["calls"] and s["end"].get("dropped") == 0
             for s in (s_small, s_large))
    t.add("end record: nodes == calls, dropped == 0", ok, "", True, "check",
          "end=%s" % json.dumps(s_large["end"]))

    # -- The whole process, as a user feels it: the same loop binary traced (trace file on disk)
    # and plain, CPU of all threads (user + sys) and wall time, traced minus plain, per call.
    trace_file = os.path.join(args.out, "stream-%d.bin" % large)
    reps_w = 3 if q else 5
    w_on = best_of(reps_w, lambda: run_stream(stream, large, env, trace_file))
    w_plain = best_of(reps_w, lambda: run_stream(stream, large, env, os.path.join(args.out, "plain.bin"),
                                                 mode="plain"))
    w_off = best_of(reps_w, lambda: run_stream(stream, large, dict(env, TRACE_ENABLE="0"), None))
    results["whole_process"] = {"on": w_on, "plain": w_plain, "off": w_off}
    per = lambda a, b, k: (a[k] - b[k]) * 1e9 / large
    t.add("whole process: int f(int,int) added per call, CPU (user+sys, all threads)",
          per(w_on, w_plain, "cpu_s"), "ns", 25, "max",
          "%s calls, best of %d; user %.0f + sys %.0f ns" % (
              fmt(large), reps_w, per(w_on, w_plain, "user_s"), per(w_on, w_plain, "sys_s")))
    t.add("whole process: same, wall time", per(w_on, w_plain, "wall_s"), "ns", None, "info",
          "trace written to %s" % args.out)
    # Its own file: the loading rows below read both traces.
    def traced_and_plain(mode, path):
        """The best runs of \p mode traced (into \p path) and plain."""
        on = best_of(reps_w, lambda: run_stream(stream, large, env, path, mode=mode + "-traced"))
        plain = best_of(reps_w, lambda: run_stream(stream, large, env, os.path.join(args.out, "plain.bin"),
                                                   mode=mode + "-plain"))
        return on, plain

    chain_file = os.path.join(args.out, "chain-%d.bin" % large)
    c_on, c_plain = traced_and_plain("chain", chain_file)
    results["whole_process_chain"] = {"on": c_on, "plain": c_plain}
    t.add("whole process: y = f(y, i), an edge per call, CPU added per call",
          per(c_on, c_plain, "cpu_s"), "ns", 25, "max",
          "provenance through assignment; user %.0f + sys %.0f ns, %.0f B/call" % (
              per(c_on, c_plain, "user_s"), per(c_on, c_plain, "sys_s"), c_on["bytes"] / large))
    # The same chain with a plain variable as the other argument: the call site notes it too,
    # though nothing can have produced it.
    var_file = os.path.join(args.out, "chainvar-%d.bin" % large)
    v_on, v_plain = traced_and_plain("chainvar", var_file)
    results["whole_process_chainvar"] = {"on": v_on, "plain": v_plain}
    t.add("whole process: y = f(y, j), j a noted plain variable, CPU added per call",
          per(v_on, v_plain, "cpu_s"), "ns", 25, "max",
          "user %.0f + sys %.0f ns, %.0f B/call" % (
              per(v_on, v_plain, "user_s"), per(v_on, v_plain, "sys_s"), v_on["bytes"] / large))
    if os.path.exists(var_file):
        os.remove(var_file)
    t.add("whole process: recording off (TRACE_ENABLE=0), CPU added per call",
          per(w_off, w_plain, "cpu_s"), "ns", 2, "max", "same binary")
    # The call limit is counted per thread: a limit that is never reached must cost a recorded
    # call nothing beyond the recording goal.
    w_lim = best_of(reps_w, lambda: run_stream(stream, large, dict(env, TRACE_MAX_CALLS_PER_FUNCTION="4000000000"),
                                               trace_file))
    results["whole_process"]["limit"] = w_lim
    t.add("whole process: int f(int,int) with a call limit set, CPU added per call",
          per(w_lim, w_plain, "cpu_s"), "ns", 25, "max",
          "TRACE_MAX_CALLS_PER_FUNCTION=4000000000 (not reached); %.1f ns more than without" % (
              per(w_lim, w_on, "cpu_s")))
    t.add("bytes on disk per call of int f(int,int)", w_on["bytes"] / large, "B", 32, "max",
          "%.0f MB for %s calls" % (w_on["bytes"] / 1e6, fmt(large)))

    # -- A const char* cursor through a large text, one call per token.
    tok_on = best_of(reps_w, lambda: run_stream(stream, 0, env, os.path.join(args.out, "tokens.bin"),
                                                mode="tokens-traced"))
    tok_plain = best_of(reps_w, lambda: run_stream(stream, 0, env, os.path.join(args.out, "tokens-plain.bin"),
                                                   mode="tokens-plain"))
    results["tokenizer"] = {"on": tok_on, "plain": tok_plain}
    t.add("tokenizer: const char* cursor, traced / plain process CPU",
          tok_on["cpu_s"] / max(tok_plain["cpu_s"], 1e-3), "x", 5, "max",
          "%s tokens; %.3f s vs %.3f s; %.0f B/call" % (fmt(tok_on["calls"]), tok_on["cpu_s"],
                                                      tok_plain["cpu_s"], tok_on["bytes"] / tok_on["calls"]))
    for f in ("tokens.bin", "tokens-plain.bin", "plain.bin"):
        try:
            os.remove(os.path.join(args.out, f))
        except OSError:
            pass

    # -- Writer.
    t.add("writer end to end (record+write file)", large / w_on["cpu_s"], "nodes/s", 1e6, "min",
          "process CPU time, %s nodes" % fmt(large))
    wc = on.get("WriterBlock", {})
    if "items_per_second" in wc:
        t.add("writer alone (a chunk framed as a block)", wc["items_per_second"], "nodes/s", 1e6, "min",
              "no file")

    # -- trace-optimize reading the binary trace, as a user runs it (whole process).
    opt_bin = binp("trace-optimize")
    if os.path.exists(opt_bin):
        load = best_of(3, lambda: time_command([opt_bin, "summary", "--trace", trace_file], env))
        results["load_binary"] = load
        fsize = os.path.getsize(trace_file)
        t.add("trace-optimize summary of a %s-call binary trace" % fmt(large), load["wall_s"], "s",
              1.0 * large / 10e6, "max", "goal 1 s for 10M calls, scaled; CPU %.2f s; int f(int, int)" % (
                  load["cpu_s"]))
        # Wall time flatters a quiet machine and punishes a loaded one: the CPU the whole process
        # takes (start-up included) is what must stay well under the second.
        t.add("same, whole-process CPU (user + sys)", load["cpu_s"], "s", 0.7 * large / 10e6, "max",
              "aim 0.7 s for 10M calls, scaled, so that 1 s wall holds with margin")
        if load["maxrss_kib"]:
            t.add("same, peak RSS", load["maxrss_kib"] / 1024, "MiB", fsize / 1024 / 1024, "max",
                  "goal: below the file's size (%.0f MB)" % (fsize / 1e6))
        # Every call's argument is the previous call's result: a data-flow fact per call.
        cload = best_of(3, lambda: time_command([opt_bin, "summary", "--trace", chain_file], env))
        csize = os.path.getsize(chain_file)
        results["load_binary_chain"] = dict(cload, bytes=csize)
        t.add("trace-optimize summary of a %s-call y = f(y, i) trace" % fmt(large), cload["wall_s"], "s", None,
              "info", "an edge per call; CPU %.2f s; peak RSS %s MiB; %.0f MB file" % (
                  cload["cpu_s"], fmt(cload["maxrss_kib"] / 1024) if cload["maxrss_kib"] else "n/a",
                  csize / 1e6))
        # The prompt of a trace with a trainable function and a feedback among long-valued calls
        # (bench/prompt/PromptRun.cpp): time, and peak RSS against half the file's size.
        prompt_run = binp("trace-bench-prompt-run")
        if os.path.exists(prompt_run):
            pcalls = large // 10
            ptrace = os.path.join(args.out, "prompt-%d.bin" % pcalls)
            run([prompt_run, str(pcalls)], env=dict(env, TRACE_FILE=ptrace))
            psize = os.path.getsize(ptrace)
            pr = best_of(3, lambda: time_command([opt_bin, "prompt", "--trace", ptrace], env))
            results["prompt_binary"] = dict(pr, bytes=psize)
            t.add("trace-optimize prompt of a %s-call binary trace" % fmt(pcalls), pr["wall_s"], "s",
                  2.0 * pcalls / 1e6, "max", "goal 2 s for 1M calls, scaled; CPU %.2f s; %.0f MB file" % (
                      pr["cpu_s"], psize / 1e6))
            if pr["maxrss_kib"]:
                t.add("same, peak RSS", pr["maxrss_kib"] / 1024, "MiB", psize / 2 / 1024 / 1024, "max",
                      "goal: half the file's size")
            os.remove(ptrace)
        else:
            t.add("trace-optimize prompt of a binary trace", None, "s", 2.0, "max",
                  "not run: trace-bench-prompt-run needs the plugin")

    # -- tinyxml2's xmltest under -fplugin-arg-trace-all, default settings (when its sources are
    # at hand: the thirdparty test fetched them, or TRACE_THIRDPARTY_SOURCE).
    tx_src = os.environ.get("TRACE_THIRDPARTY_SOURCE") or next(iter(sorted(
        __import__("glob").glob(os.path.join(args.build, "test", "thirdparty", "tinyxml2", "src",
                                             "tinyxml2-*")))), None)
    if plugin and tx_src and not q:
        r = subprocess.run([sys.executable, os.path.join(SRC, "test", "thirdparty", "run_tinyxml2.py"),
                            "--work", os.path.join(args.out, "tinyxml2"), "--clangxx", args.cxx,
                            "--plugin", plugin, "--include", os.path.join(SRC, "runtime", "include"),
                            "--runtime", os.path.join(args.build, "lib", "libtrace_rt.a"),
                            "--dump", opt_bin, "--source", tx_src], capture_output=True, text=True)
        m = __import__("re").search(r"wall time: plain ([0-9.]+) s, traced ([0-9.]+) s", r.stderr + r.stdout)
        if r.returncode == 0 and m:
            ratio = float(m.group(2)) / max(float(m.group(1)), 1e-3)
            t.add("tinyxml2 xmltest, trace-all, default settings: traced / plain wall", ratio, "x", 10,
                  "max", "%s s vs %s s, the suite passing" % (m.group(2), m.group(1)))
        else:
            log((r.stderr + r.stdout)[-2000:])
            t.add("tinyxml2 xmltest, trace-all: traced / plain wall", None, "x", 10, "max", "the run failed")
    else:
        t.add("tinyxml2 xmltest, trace-all: traced / plain wall", None, "x", 10, "max",
              "not run (quick run, or no tinyxml2 sources: run the thirdparty test first)")

    # -- trace-optimize.
    opt_env = dict(env, TRACE_BENCH_REAL_TRACE=trace_file)
    flt = "LoadTraces/250000|LoadTraces/real|Backward/125000|Backward/250000|Prompt" if q else "."
    opt = gbench(binp("trace-bench-optimize"), args, flt, opt_env, 1 if q else 3, 0.01)
    results["gbench_optimize"] = opt
    os.remove(trace_file)
    if os.path.exists(chain_file):
        os.remove(chain_file)
    ms = lambda n: to_ns(opt[n], "cpu_time") / 1e6 if n in opt and "error" not in opt[n] else None
    if q:
        t.add("read a 250k-node trace", ms("LoadTraces/250000"), "ms", 2000 / 4, "max", "goal scaled to 250k")
    else:
        t.add("read a 1M-node trace (synthesised)", ms("LoadTraces/1000000"), "ms", 2000, "max")
        t.add("read a 250k-node trace (synthesised)", ms("LoadTraces/250000"), "ms", None, "info")
    real = opt.get("LoadTraces/real", {})
    if "nodes" in real:
        t.add("read the stream run's %s-node trace" % fmt(real["nodes"]), ms("LoadTraces/real"), "ms",
              2000 * real["nodes"] / 1e6, "max", "goal scaled to its size")
    sizes = [125000, 250000] if q else [125000, 250000, 500000, 1000000]
    per_node = {}
    for n in sizes:
        v = ms("Backward/%d" % n)
        if v is not None:
            per_node[n] = v * 1e6 / n
            if n == 1000000:
                t.add("backward on 1M nodes", v, "ms", 1000, "max")
    if len(per_node) >= 2:
        lo, hi = min(per_node), max(per_node)
        t.add("backward ns/node at %s vs %s nodes" % (fmt(hi), fmt(lo)), per_node[hi] / per_node[lo], "x", 1.5,
              "max", "linear: about 1")
    if "Prompt/10000" in opt and "error" not in opt["Prompt/10000"]:
        p = opt["Prompt/10000"]
        t.add("prompt for a 10k-node graph", ms("Prompt/10000"), "ms", 100, "max")
        t.add("prompt tokens within budget", p["user_tokens"] <= p["token_budget"], "", True, "check",
              "%d of %d tokens" % (p["user_tokens"], p["token_budget"]))

    # -- Compile time.
    if plugin:
        inc = "-I" + os.path.join(SRC, "runtime", "include")
        n = 3 if q else 10
        for name, src, opt_flag, goal in [("no annotation, -O2", "NoAnnotation.cpp", "-O2", 1.05),
                                          ("no annotation, -O0", "NoAnnotation.cpp", "-O0", 1.05),
                                          ("20 bundles + std headers, -O0", "Annotated20.cpp", "-O0", 1.5)]:
            base = [args.cxx, "-std=c++17", opt_flag, "-Wno-unknown-attributes", inc, "-c",
                    os.path.join(BENCH, "compile", src), "-o", os.path.join(args.out, "compile.o")]
            with_plugin = base[:1] + ["-fplugin=" + plugin] + base[1:]
            samples = {"plain": [], "plugin": []}
            for _ in range(n):  # interleaved, so both see the same load
                samples["plain"].append(time_compile(base))
                samples["plugin"].append(time_compile(with_plugin))
            med = {k: statistics.median(c for c, _ in v) for k, v in samples.items()}
            medw = {k: statistics.median(w for _, w in v) for k, v in samples.items()}
            results.setdefault("compile", {})[name] = {"cpu_s": med, "wall_s": medw}
            t.add("compile %s: with/without plugin" % name, med["plugin"] / med["plain"], "x", goal, "max",
                  "CPU %.3f s vs %.3f s, median of %d" % (med["plugin"], med["plain"], n))
    else:
        t.add("compile time with the plugin", None, "x", 1.05, "max", "plugin not available")

    results["table"] = t.rows
    with open(os.path.join(args.out, "results.json"), "w") as f:
        json.dump(results, f, indent=1)
    m = results["machine"]
    print()
    print("Trace for C++ benchmarks (%s; traced functions: %s)" % ("quick" if q else "full", instrument))
    print("machine: %s, %s cores, load average before: %s" % (m["cpu"], m["cores"], m["load"]))
    print("ratio = measured/goal for ceilings, goal/measured for floors; <= 1.00 meets the goal")
    print()
    t.print()
    print()
    print("results: " + os.path.join(args.out, "results.json"))
    return 0


def machine():
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mhz = ""
    return {"cpu": cpu + mhz, "cores": os.cpu_count(), "load": "%.1f %.1f %.1f" % os.getloadavg(),
            "compiler": subprocess.run(["clang++-19", "--version"], capture_output=True,
                                       text=True).stdout.splitlines()[0] if shutil.which("clang++-19") else ""}


if __name__ == "__main__":
    sys.exit(main())
