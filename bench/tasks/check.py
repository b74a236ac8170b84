#!/usr/bin/env python3
"""Checks that every task is real: its starting program is not solved, and the good candidate of its
script, applied by `trace-optimize step`, solves it.

usage: bench/tasks/check.py [--build DIR] [--tasks a,b,...] [--jobs N] [--all-blocks] [--apply step|text]
                           [--keep DIR]

For each task, in a fresh copy: build the program with the plugin (the task's build command) and
run it; its trace must hold feedback and no trace::success. Then a scripted server answers one
`trace-optimize step` on that trace with the good block of script.txt (task.json's "good"); the
patched program is built and run again, and its trace must report success. With --all-blocks,
every other block of the script is applied alike (each to a fresh copy) and must not solve the
task: they are the wrong or weaker candidates.

Prints one line per task and block, and exits 1 when a task fails a check.
"""
import argparse
import concurrent.futures
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True  # the import below must leave no __pycache__ in the sources
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run as suite  # noqa: E402


def sh(cmd, cwd, env, log):
    with open(log, "a") as f:
        f.write("$ %s\n" % cmd)
        f.flush()
        return subprocess.run(cmd, shell=True, cwd=cwd, env=env, stdout=f, stderr=subprocess.STDOUT).returncode


def judge(trace, bindir):
    """(score of the run, success) from a trace's feedback records; None when it has no feedback."""
    dump = subprocess.run([os.path.join(bindir, "trace-optimize"), "dump", trace], stdout=subprocess.PIPE,
                          universal_newlines=True)
    if dump.returncode != 0:
        return None
    feedback = [r for r in map(json.loads, dump.stdout.splitlines()) if r.get("k") == "feedback"]
    if not feedback:
        return None
    scores = [r["score"] for r in feedback if "score" in r]
    return (sum(scores) / len(scores) if scores else None, any(r.get("success") for r in feedback))


def show(result):
    if result is None:
        return "no feedback"
    score, success = result
    return "score %s, %s" % ("-" if score is None else "%.3f" % score, "solved" if success else "not solved")


def apply_text(path, block):
    """Writes the block's suggestion over the trainable's text in path, as `step` would."""
    reply = json.loads(block.split("\n", 1)[1])["suggestion"]
    (name, value), = reply.items()
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    at = next(i for i, l in enumerate(lines) if l.startswith("[[trace::trainable]] "))
    head = "[[trace::trainable]] "
    if name.startswith("__code"):
        end = lines.index("}", at)
        lines[at:end + 1] = [head + value]
    else:
        decl, _, _ = lines[at].partition(" = ")
        literal = json.dumps(value) if isinstance(value, str) else repr(float(value))
        lines[at] = decl + " = " + literal + ";"
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines))


def check_block(task, block_no, block, bindir, root, apply):
    """Builds and runs the start, applies one block with `step`, builds and runs again."""
    base = os.path.join(root, "%s.%d" % (task["name"], block_no))
    src = os.path.join(base, "src")
    suite.copy_task(task, src)
    log = os.path.join(base, "log.txt")
    env = dict(os.environ, PATH=bindir + os.pathsep + os.environ.get("PATH", ""))
    for var in ("OPENAI_API_KEY", "OPENAI_API_BASE", "OPENAI_BASE_URL", "TRACE_MODEL"):
        env.pop(var, None)
    start_trace, final_trace = os.path.join(base, "start.bin"), os.path.join(base, "final.bin")
    if sh(task["build"], src, env, log) != 0:
        return None, None, "the starting program does not build (see %s)" % log
    sh("TRACE_FILE=%s %s" % (start_trace, task["run"]), src, env, log)
    start = judge(start_trace, bindir)
    if apply == "text":
        apply_text(os.path.join(src, "main.cpp"), block)
    else:
        script = os.path.join(base, "script.txt")
        with open(script, "w", encoding="utf-8") as f:
            f.write(block)
        step = "%s %s --script %s -- trace-optimize step --model m --work-dir %s --trace %s" % (
            sys.executable, suite.FAKE_LLM, script, os.path.join(base, "work"), start_trace)
        if sh(step, src, env, log) != 0:
            return start, None, "trace-optimize step did not apply block %d (see %s)" % (block_no, log)
    if sh(task["build"], src, env, log) != 0:
        return start, None, "the patched program does not build (see %s)" % log
    sh("TRACE_FILE=%s %s" % (final_trace, task["run"]), src, env, log)
    return start, judge(final_trace, bindir), None


def check_task(task, args, bindir, root):
    """Lines of the report for one task, and whether it passed."""
    blocks = suite.script_blocks(os.path.join(task["dir"], task["script"]))
    good = task["good"]
    todo = [good] + ([n for n in range(1, len(blocks) + 1) if n != good] if args.all_blocks else [])
    lines, ok = [], True
    for n in todo:
        start, final, error = check_block(task, n, blocks[n - 1], bindir, root, args.apply)
        if n == good:
            if start is None or start[1]:
                ok = False
                lines.append("FAIL %s: the starting program: %s (it must give feedback and not be solved)" %
                             (task["name"], show(start)))
            else:
                lines.append("%s: start: %s" % (task["name"], show(start)))
        want = n == good
        if error or final is None or final[1] != want:
            ok = False
            lines.append("FAIL %s: block %d (%s): %s" % (task["name"], n, "good" if want else "not good",
                                                        error or show(final)))
        else:
            lines.append("%s: block %d (%s): %s" % (task["name"], n, "good" if want else "not good", show(final)))
    return lines, ok


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", metavar="DIR", help="the build folder with bin/trace-optimize (default: ./build)")
    ap.add_argument("--tasks", default="", help="comma-separated task names (default: every task)")
    ap.add_argument("--jobs", type=int, default=2, help="tasks checked at a time (default 2)")
    ap.add_argument("--all-blocks", action="store_true", help="also check that the other blocks do not solve")
    ap.add_argument("--apply", choices=["step", "text"], default="step",
                    help="apply a block with trace-optimize step (default), or write its text in place")
    ap.add_argument("--keep", metavar="DIR", help="keep the copies and logs under DIR")
    args = ap.parse_args()
    bindir = suite.find_tools(args.build)
    tasks = suite.load_tasks([t for t in args.tasks.split(",") if t])
    root = os.path.abspath(args.keep) if args.keep else tempfile.mkdtemp(prefix="trace-tasks-check.")
    os.makedirs(root, exist_ok=True)
    try:
        with concurrent.futures.ThreadPoolExecutor(max(1, args.jobs)) as pool:
            results = list(pool.map(lambda t: check_task(t, args, bindir, root), tasks))
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
    for lines, _ in results:
        print("\n".join(lines))
    failed = sum(not ok for _, ok in results)
    print("%d of %d tasks checked: %s" % (len(tasks), len(tasks), "all pass" if not failed else "%d fail" % failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
