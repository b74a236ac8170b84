#!/usr/bin/env python3
"""Runs the optimizer's task suite and prints one table of what each strategy achieved.

usage: bench/tasks/run.sh --model M [--strategies run,best-of-k,beam,evolve] [--tasks a,b,...]
                          [--scripted] [--jobs N] [--keep DIR] [--build DIR] [options]

Each task (a folder of bench/tasks/ with a task.json) is copied to a temporary folder, and
`trace-optimize run` (strategy `run`, the plain loop: one suggestion per step) or
`trace-optimize search --strategy S` is run there with the task's build and run commands.

The endpoint is the one trace-optimize itself reads (docs/optimizer.md): OPENAI_BASE_URL (or
OPENAI_API_BASE, or OPENAI_API_KEY alone for api.openai.com), with --model naming the model.
With --scripted, each run gets its own scripted server on 127.0.0.1 (test/support/fake_llm.py)
that replays the task's script.txt (its wrong or weaker candidates, then the good one) and then
repeats the good candidate, so that a strategy asking for more answers than the script holds gets
an answer, not an error; the runs are then deterministic (searches use --seed).

The table has one row per task and strategy, then a total per strategy:
  solved   the program reported trace::success in some evaluated version
  best     the best mean feedback score among the evaluated versions (- when none had a score)
  calls    LLM requests (repairs included; a request for K answers counts once)
  tokens   prompt plus completion tokens of those requests, as the endpoint reported them
  evals    versions built and run, the starting program included
  wall s   wall time of the trace-optimize command, builds and runs included
The numbers are read from what the tools wrote: <work-dir>/search.db for `search` (the candidates
and replies tables), <work-dir>/history.jsonl and transcript.jsonl for `run`. A run that ended with
an error is listed under the table with the last line trace-optimize wrote.

The tools are found in --build DIR (default: ./build, else the build folder of this checkout):
DIR/bin/trace-optimize and DIR/bin/trace-config; the tasks' build commands call trace-config,
which names the clang++ and the plugin.
"""
import argparse
import concurrent.futures
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
FAKE_LLM = os.path.join(ROOT, "test", "support", "fake_llm.py")
STRATEGIES = ["run", "best-of-k", "beam", "evolve"]
USAGE = ("bench/tasks/run.sh --model M [--strategies run,best-of-k,beam,evolve] [--tasks a,b,...]\n"
         "                          [--scripted] [--jobs N] [--keep DIR] [--build DIR] [options]")


def fail(message):
    sys.exit("run.sh: error: " + message)


def find_tools(build):
    """The bin folder holding trace-optimize and trace-config, checked to work."""
    candidates = [build] if build else [os.path.join(os.getcwd(), "build"), os.path.join(ROOT, "build")]
    for b in candidates:
        bindir = os.path.join(os.path.abspath(b), "bin")
        if all(os.access(os.path.join(bindir, t), os.X_OK) for t in ("trace-optimize", "trace-config")):
            plugin = subprocess.run([os.path.join(bindir, "trace-config"), "--plugin"], stdout=subprocess.PIPE,
                                    universal_newlines=True).stdout.strip()
            if not os.path.exists(plugin):
                fail("%s/trace-config names the plugin %s, which does not exist; build it first" % (bindir, plugin))
            return bindir
    fail("no trace-optimize and trace-config under %s; build them or give --build DIR" %
         " or ".join(os.path.join(b, "bin") for b in candidates))


def load_tasks(names):
    """The tasks' task.json records (with their folder as "dir"), in name order."""
    tasks = {}
    for entry in sorted(os.listdir(HERE)):
        path = os.path.join(HERE, entry, "task.json")
        if os.path.isfile(path):
            with open(path, encoding="utf-8") as f:
                task = json.load(f)
            task["dir"] = os.path.join(HERE, entry)
            tasks[task["name"]] = task
    if not names:
        return list(tasks.values())
    unknown = [n for n in names if n not in tasks]
    if unknown:
        fail("unknown task%s %s; the tasks are: %s" % ("s" if len(unknown) > 1 else "", ", ".join(unknown),
                                                      ", ".join(tasks)))
    return [tasks[n] for n in names]


def script_blocks(path):
    """The blocks of a scripted conversation, each its "###" line and body, as the server reads them."""
    blocks = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("###"):
                blocks.append(line)
            elif blocks:
                blocks[-1] += line
    return [b if b.endswith("\n") else b + "\n" for b in blocks]


def good_block(task):
    blocks = script_blocks(os.path.join(task["dir"], task["script"]))
    return blocks[task["good"] - 1]


def copy_task(task, dest):
    """Copies the task's sources (not its task.json and script, which are not the program's)."""
    shutil.copytree(task["dir"], dest, ignore=shutil.ignore_patterns("task.json", task["script"]))


def strategy_command(strategy, args):
    if strategy == "run":
        return ["run", "--iterations", str(args.iterations)]
    cmd = ["search", "--strategy", strategy, "--seed", str(args.seed)]
    if strategy == "best-of-k":
        return cmd + ["-k", str(args.k), "--iterations", str(args.generations)]
    if strategy == "beam":
        return cmd + ["-k", str(args.k_small), "--width", "2", "--depth", str(args.generations)]
    return cmd + ["-k", str(args.k_small), "--islands", "2", "--iterations", str(args.generations)]


def read_search(work):
    """Totals of a search from its run database."""
    db = sqlite3.connect(os.path.join(work, "search.db"))
    try:
        evals, solved, best = db.execute(
            "SELECT COUNT(*), MAX(success), MAX(score) FROM candidates "
            "WHERE status IN ('evaluated', 'build-failed', 'dropped')").fetchone()
        calls, tokens = db.execute(
            "SELECT COUNT(DISTINCT seq), SUM(prompt_tokens + completion_tokens) FROM replies").fetchone()
    finally:
        db.close()
    return {"solved": bool(solved), "best": best, "calls": calls or 0, "tokens": tokens or 0, "evals": evals or 0}


def read_jsonl(path):
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def read_loop(work):
    """Totals of a `run` loop from its history (the evaluated versions) and transcript (requests)."""
    cands = [r for r in read_jsonl(os.path.join(work, "history.jsonl")) if r.get("k") == "candidate"]
    exchanges = [r for r in read_jsonl(os.path.join(work, "transcript.jsonl")) if r.get("k") == "exchange"]
    scores = [c["score"] for c in cands if c.get("score") is not None]
    return {"solved": any(c.get("success") for c in cands), "best": max(scores) if scores else None,
            "calls": len(exchanges),
            "tokens": sum(e.get("prompt_tokens", 0) + e.get("completion_tokens", 0) for e in exchanges),
            "evals": len(cands)}


def run_one(task, strategy, args, bindir, root):
    """Runs one strategy on a fresh copy of one task; returns its row of the table."""
    base = os.path.join(root, "%s.%s" % (task["name"], strategy))
    src, work = os.path.join(base, "src"), os.path.join(base, "work")
    copy_task(task, src)
    cmd = [os.path.join(bindir, "trace-optimize")] + strategy_command(strategy, args) + [
        "--model", args.model, "--work-dir", work, "--build", task["build"], "--run", task["run"]]
    if args.scripted:
        script = os.path.join(base, "script.txt")
        with open(script, "w", encoding="utf-8") as f:
            f.write("".join(script_blocks(os.path.join(task["dir"], task["script"]))))
            f.write(good_block(task) * args.pad)
        cmd = [sys.executable, FAKE_LLM, "--n", "--script", script, "--log", os.path.join(base, "requests.jsonl"),
               "--timeout", str(args.timeout), "--"] + cmd
    env = dict(os.environ, PATH=bindir + os.pathsep + os.environ.get("PATH", ""))
    start = time.monotonic()
    with open(os.path.join(base, "stdout.txt"), "w") as out, open(os.path.join(base, "stderr.txt"), "w") as err:
        try:
            status = subprocess.run(cmd, cwd=src, env=env, stdout=out, stderr=err, timeout=args.timeout + 30).returncode
        except subprocess.TimeoutExpired:
            status = 124
    wall = time.monotonic() - start
    row = {"task": task["name"], "strategy": strategy, "status": status, "wall": wall, "dir": base}
    try:
        row.update(read_loop(work) if strategy == "run" else read_search(work))
    except (OSError, sqlite3.Error, ValueError) as e:
        row.update({"solved": False, "best": None, "calls": 0, "tokens": 0, "evals": 0, "error": str(e)})
    if status not in (0, 3):
        with open(os.path.join(base, "stderr.txt")) as f, open(os.path.join(base, "stdout.txt")) as g:
            lines = [l.strip() for l in (f.read() + g.read()).splitlines() if l.strip()]
        row["error"] = "exit status %d: %s" % (status, lines[-1] if lines else "no output")
    return row


def fmt_best(best):
    return "-" if best is None else "%.3f" % best


def print_table(rows, strategies):
    header = ("task", "strategy", "solved", "best", "calls", "tokens", "evals", "wall s")
    lines = [header]
    for r in rows:
        lines.append((r["task"], r["strategy"], "yes" if r["solved"] else "no", fmt_best(r["best"]), str(r["calls"]),
                      str(r["tokens"]), str(r["evals"]), "%.1f" % r["wall"]))
    totals = []
    for s in strategies:
        rs = [r for r in rows if r["strategy"] == s]
        if not rs:
            continue
        scored = [r["best"] for r in rs if r["best"] is not None]
        totals.append(("total", s, "%d/%d" % (sum(r["solved"] for r in rs), len(rs)),
                       fmt_best(sum(scored) / len(scored)) if scored else "-", str(sum(r["calls"] for r in rs)),
                       str(sum(r["tokens"] for r in rs)), str(sum(r["evals"] for r in rs)),
                       "%.1f" % sum(r["wall"] for r in rs)))
    widths = [max(len(l[i]) for l in lines + totals) for i in range(len(header))]
    show = lambda l: "  ".join(c.ljust(w) if i < 3 else c.rjust(w) for i, (c, w) in enumerate(zip(l, widths))).rstrip()
    print(show(header))
    for l in lines[1:]:
        print(show(l))
    print("  ".join("-" * w for w in widths))
    for l in totals:
        print(show(l))
    print("(total: solved runs of all, the mean of the best scores, and sums)")
    for r in rows:
        if "error" in r:
            print("note: %s/%s: %s (see %s)" % (r["task"], r["strategy"], r["error"], r["dir"]))


def main():
    ap = argparse.ArgumentParser(prog="bench/tasks/run.sh", description=__doc__.split("\n\n", 2)[2],
                                 usage=USAGE,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", help="the model to ask (required unless --scripted)")
    ap.add_argument("--strategies", default=",".join(STRATEGIES),
                    help="comma-separated, from run,best-of-k,beam,evolve (default: all four)")
    ap.add_argument("--tasks", default="", help="comma-separated task names (default: every task)")
    ap.add_argument("--scripted", action="store_true", help="answer from each task's script.txt on 127.0.0.1")
    ap.add_argument("--jobs", type=int, default=1, help="task runs at a time (each evaluates one candidate at a time)")
    ap.add_argument("--keep", metavar="DIR", help="keep every run's copy, work dir and output under DIR")
    ap.add_argument("--build", metavar="DIR", help="the build folder with bin/trace-optimize (default: ./build)")
    ap.add_argument("--iterations", type=int, default=4, help="run: steps of the loop (default 4)")
    ap.add_argument("--generations", type=int, default=2,
                    help="best-of-k and evolve: --iterations; beam: --depth (default 2)")
    ap.add_argument("-k", type=int, default=4, help="best-of-k: candidates per step (default 4)")
    ap.add_argument("--k-small", type=int, default=2, help="beam and evolve: candidates per parent (default 2)")
    ap.add_argument("--seed", type=int, default=1, help="seed of the searches' random choices (default 1)")
    ap.add_argument("--timeout", type=int, default=1800, help="limit in seconds for one task's run (default 1800)")
    ap.add_argument("--pad", type=int, default=8, help=argparse.SUPPRESS)
    args = ap.parse_args()

    strategies = [s for s in args.strategies.split(",") if s]
    bad = [s for s in strategies if s not in STRATEGIES]
    if bad or not strategies:
        fail("unknown strategy %s; choose from %s" % (", ".join(bad) or "(none)", ",".join(STRATEGIES)))
    if args.jobs < 1:
        fail("--jobs must be at least 1")
    if args.scripted:
        args.model = args.model or "scripted"
        for var in ("OPENAI_API_KEY", "OPENAI_API_BASE"):
            os.environ.pop(var, None)
    else:
        if not args.model:
            fail("--model M is required (or --scripted, to replay each task's script)")
        if not any(os.environ.get(v) for v in ("OPENAI_BASE_URL", "OPENAI_API_BASE", "OPENAI_API_KEY")):
            fail("no endpoint configured: set OPENAI_BASE_URL (and OPENAI_API_KEY for a hosted API), "
                 "or use --scripted")
    bindir = find_tools(args.build)
    tasks = load_tasks([t for t in args.tasks.split(",") if t])

    if args.keep:
        root = os.path.abspath(args.keep)
        os.makedirs(root, exist_ok=True)
        clash = [e for e in os.listdir(root) if any(e.startswith(t["name"] + ".") for t in tasks)]
        if clash:
            fail("%s already holds %s; give an empty or new folder" % (root, ", ".join(sorted(clash))))
    else:
        root = tempfile.mkdtemp(prefix="trace-tasks.")
    try:
        runs = [(t, s) for t in tasks for s in strategies]
        with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
            rows = list(pool.map(lambda ts: run_one(ts[0], ts[1], args, bindir, root), runs))
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
    print_table(rows, strategies)
    return 1 if any("error" in r for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
