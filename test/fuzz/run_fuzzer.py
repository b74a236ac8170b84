#!/usr/bin/env python3
"""Replays a fuzz target's committed inputs, then fuzzes it for a short time.

Usage: run_fuzzer.py --fuzzer BIN --seeds DIR [--regressions DIR] [--pending DIR] --work DIR
                     [--seconds N]

1. Every file under --regressions (crashes found earlier, kept as regression tests) and under
   --seeds is run once; any failure fails the test.
2. The seeds are copied into WORK/corpus (the committed folder is never written) and the target
   runs for --seconds (default 10, 0 skips this step). A crash leaves its input in WORK; the
   input is printed as hex so it can be committed under --regressions. A dictionary named
   <target>.dict beside this script is passed as -dict.
3. --pending holds inputs of known bugs not fixed yet. Each is replayed alone: one that passes
   now is reported (move it to --regressions); while any still fails, step 2 is skipped and the
   test exits with 77 (ctest: skipped) naming them, since fuzzing would only find them again.
"""
import argparse
import os
import shutil
import subprocess
import sys


def files_in(d):
    if not d or not os.path.isdir(d):
        return []
    return sorted(os.path.join(d, f) for f in os.listdir(d)
                  if not f.startswith(".") and os.path.isfile(os.path.join(d, f)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--fuzzer", required=True)
    ap.add_argument("--seeds", required=True)
    ap.add_argument("--regressions")
    ap.add_argument("--pending")
    ap.add_argument("--work", required=True)
    ap.add_argument("--seconds", type=int, default=10)
    opts = ap.parse_args()
    name = os.path.basename(opts.fuzzer)
    os.makedirs(opts.work, exist_ok=True)
    env = dict(os.environ)
    env.setdefault("ASAN_OPTIONS", "detect_leaks=1:abort_on_error=0")
    env.setdefault("UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1")
    env["TMPDIR"] = opts.work

    inputs = files_in(opts.regressions) + files_in(opts.seeds)
    if not inputs:
        sys.exit(f"{name}: no seed inputs in {opts.seeds}")
    replay = subprocess.run([opts.fuzzer, "-runs=1"] + inputs, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    if replay.returncode != 0:
        sys.stdout.write(replay.stdout.decode("utf-8", "replace")[-8000:])
        sys.exit(f"{name}: FAILED replaying the committed inputs")
    print(f"{name}: replayed {len(inputs)} committed inputs")

    still_failing = []
    for f in files_in(opts.pending):
        p = subprocess.run([opts.fuzzer, "-runs=1", f], env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT)
        if p.returncode == 0:
            print(f"{name}: the known bug of {f} is fixed: move the input to {opts.regressions}")
        else:
            still_failing.append(os.path.basename(f))
    if still_failing:
        print(f"{name}: SKIPPED fuzzing: known open bugs still fail ({', '.join(still_failing)}); "
              f"see {os.path.join(os.path.dirname(opts.pending.rstrip(os.sep)), 'README.md')}")
        sys.exit(77)

    if opts.seconds <= 0:
        return
    corpus = os.path.join(opts.work, "corpus")
    shutil.rmtree(corpus, ignore_errors=True)
    os.makedirs(corpus)
    for f in files_in(opts.seeds):
        shutil.copy(f, corpus)
    artifacts = os.path.join(opts.work, "artifacts") + os.sep
    os.makedirs(artifacts, exist_ok=True)
    dict_file = os.path.join(os.path.dirname(os.path.abspath(__file__)), name + ".dict")
    extra = [f"-dict={dict_file}"] if os.path.exists(dict_file) else []
    cmd = [opts.fuzzer] + extra + [f"-max_total_time={opts.seconds}", "-timeout=10", "-rss_limit_mb=2048",
           "-max_len=4096", "-print_final_stats=1", f"-artifact_prefix={artifacts}", corpus]
    run = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out = run.stdout.decode("utf-8", "replace")
    stats = [l for l in out.splitlines() if l.startswith("stat::number_of_executed_units")]
    if run.returncode != 0:
        sys.stdout.write(out[-12000:])
        for f in files_in(artifacts):
            with open(f, "rb") as fh:
                print(f"{name}: crashing input {f} (hex): {fh.read().hex()}")
        sys.exit(f"{name}: FAILED: the fuzzer found a crash; commit the input under "
                 f"{opts.regressions or 'the regressions folder'} once fixed")
    print(f"{name}: fuzzed {opts.seconds} s, {stats[0].split(':')[-1].strip() if stats else '?'} runs, no crash")


if __name__ == "__main__":
    main()
