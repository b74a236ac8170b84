#!/usr/bin/env python3
"""Fault injection against trace-optimize's LLM client (driver of test/optimize/faults.test).

  faults.py --tool TRACE_OPTIMIZE --support DIR --clangxx CLANGXX --dir DIR [--only NAME]...

For every fault in CASES, a fresh copy of a small project (three sources and a header) gets its traces,
a scripted server on 127.0.0.1 misbehaves in that one way, and `trace-optimize step` (or `run`) talks
to it. Then the guarantee of docs/optimizer.md ("When the endpoint fails") is checked:

  * the exit status is the expected one; the tool's output is printed for the test's CHECK lines;
  * every source is byte-identical to its original, or (for a usable reply) every patched file holds
    exactly the expected text, the project builds and runs, and the step's manifest records the
    hashes of the bytes before and after and a backup of the originals;
  * no file was added next to the sources (a temporary or half-written file) nor left as a
    temporary file in the work directory;
  * `trace-optimize undo` restores the original bytes after a patch, and says "nothing to undo"
    without changing anything when no step is applied;
  * the API key was sent, in the Authorization header only: no file under the case's folder and
    no output of the tool holds it;
  * a huge answer does not make the tool hold it in memory.

Broken invariants are printed as "FAILED <case>: <why>"; the exit status is then 1.
The server's port is printed as PORT so that CHECK lines stay fixed.
"""
import argparse
import concurrent.futures
import importlib.util
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time

SECRET = "sk-faults-7Q2wXsecretKEY41"

PROJECT = {
    "util.h": """#ifndef UTIL_H
#define UTIL_H
int twice(int x);
double scale(double v);
int helper(int x); // declared, defined nowhere: a call compiles but does not link
#endif
""",
    "f.cpp": """#include "util.h"
/// Doubles x.
[[trace::trainable]] int twice(int x) {
  return x;
}
""",
    "gain.cpp": """#include "util.h"
[[trace::trainable]] double Gain = 0.5;
/// Scales v by Gain.
[[trace::trainable]] double scale(double v) {
  return Gain * v;
}
""",
    "main.cpp": """#include "util.h"
int main() { return twice(2) == 4 && scale(1.0) > 0 ? 0 : 1; }
""",
}

OLD_TWICE = "[[trace::trainable]] int twice(int x) {\n  return x;\n}"
NEW_TWICE = "[[trace::trainable]] int twice(int x) {\n  return x + x;\n}"
#: The usable reply: one edit in f.cpp, one in gain.cpp.
GOOD = json.dumps({"reasoning": "twice must double", "answer": "",
                   "suggestion": {"__code0": NEW_TWICE, "Gain0": 1.0}})
#: Only f.cpp (the loop's trace holds only its parameter).
GOOD_RUN = json.dumps({"suggestion": {"__code0": NEW_TWICE}})
NOT_COMPILING = json.dumps({"suggestion": {"__code0": "[[trace::trainable]] int twice(int x) {\n  return x +;\n}"}})
NOT_LINKING = json.dumps({"suggestion": {"__code0": "[[trace::trainable]] int twice(int x) {\n  return helper(x);\n}"}})

EXPECTED_PATCH = {
    "f.cpp": PROJECT["f.cpp"].replace(OLD_TWICE, NEW_TWICE),
    "gain.cpp": PROJECT["gain.cpp"].replace("Gain = 0.5;", "Gain = 1.0;"),
}


def fnv1a64(data):
    h = 0xcbf29ce484222325
    for b in data:
        h ^= b
        h = (h * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return "fnv1a64:%016x" % h


def completion(content, usage=(100, 20)):
    return json.dumps({"id": "chatcmpl-faults", "object": "chat.completion", "model": "m",
                       "choices": [{"index": 0, "finish_reason": "stop",
                                    "message": {"role": "assistant", "content": content}}],
                       "usage": {"prompt_tokens": usage[0], "completion_tokens": usage[1],
                                 "total_tokens": usage[0] + usage[1]}}).encode()


class FaultServer:
    """Answers each POST with the next scripted action; a finished script answers 400."""

    def __init__(self, actions):
        self.actions = list(actions)
        self.requests = []
        self.lock = threading.Lock()
        self.done = threading.Event()
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        while not self.done.is_set():
            try:
                conn, _ = self.sock.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            threading.Thread(target=self.handle, args=(conn,), daemon=True).start()

    def stop(self):
        self.done.set()
        self.thread.join()
        self.sock.close()

    def read_request(self, conn):
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(65536)
            if not chunk:
                return None
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        headers = {}
        for line in lines[1:]:
            k, _, v = line.partition(":")
            headers[k.strip().lower()] = v.strip()
        if headers.get("expect", "").lower() == "100-continue":
            conn.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
        length = int(headers.get("content-length", "0"))
        while len(body) < length:
            chunk = conn.recv(65536)
            if not chunk:
                break
            body += chunk
        return {"line": lines[0], "headers": headers, "body": body.decode("utf-8", "replace")}

    @staticmethod
    def head(status, headers, length=None):
        reason = {200: "OK", 400: "Bad Request", 429: "Too Many Requests", 500: "Internal Server Error",
                  502: "Bad Gateway", 503: "Service Unavailable"}.get(status, "Status")
        out = "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nConnection: close\r\n" % (status, reason)
        if length is not None:
            out += "Content-Length: %d\r\n" % length
        for k, v in headers.items():
            out += "%s: %s\r\n" % (k, v)
        return (out + "\r\n").encode()

    def handle(self, conn):
        conn.settimeout(30)
        try:
            req = self.read_request(conn)
            if req is None:
                return
            with self.lock:
                self.requests.append(req)
                action = self.actions.pop(0) if self.actions else ("status", 400, {}, "fault server: script exhausted")
            self.act(conn, action)
        except OSError:
            pass  # the client gave up (a timeout, or it refused a huge body)
        finally:
            try:
                conn.close()
            except OSError:
                pass

    def act(self, conn, action):
        kind = action[0]
        if kind == "hang":  # accept the request, never answer
            self.done.wait(60)
        elif kind == "trickle":  # headers at once, then the body a byte at a time, too slowly
            body = completion(GOOD)
            conn.sendall(self.head(200, {}, len(body)))
            for i in range(len(body)):
                if self.done.wait(0.1):
                    break
                conn.sendall(body[i:i + 1])
        elif kind == "close":  # close without a word
            conn.shutdown(socket.SHUT_RDWR)
        elif kind == "status":  # an OpenAI-style error
            _, status, headers, message = action
            body = json.dumps({"error": {"message": message}}).encode()
            conn.sendall(self.head(status, headers, len(body)) + body)
        elif kind == "reply":
            body = completion(*action[1:])
            conn.sendall(self.head(200, {}, len(body)) + body)
        elif kind == "raw":
            conn.sendall(self.head(200, {}, len(action[1])) + action[1])
        elif kind == "truncate":  # Content-Length promises more than comes, then an orderly close
            body = completion(GOOD)
            conn.sendall(self.head(200, {}, len(body)) + body[:len(body) // 2])
            conn.shutdown(socket.SHUT_RDWR)
        elif kind == "reset":  # a chunked body broken off by a TCP reset in the middle of a chunk
            body = completion(GOOD)
            conn.sendall(self.head(200, {"Transfer-Encoding": "chunked"}) +
                         b"%x\r\n" % len(body) + body[:len(body) // 2])
            time.sleep(0.05)
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        elif kind == "huge":  # a syntactically valid completion of `size` bytes
            _, size, chunked = action
            prefix = b'{"choices": [{"index": 0, "message": {"role": "assistant", "content": "'
            suffix = b'"}}], "usage": {"prompt_tokens": 1, "completion_tokens": 1}}'
            fill = size - len(prefix) - len(suffix)
            piece = b"x" * (1 << 20)
            if chunked:
                frame = lambda b: b"%x\r\n" % len(b) + b + b"\r\n"
                conn.sendall(self.head(200, {"Transfer-Encoding": "chunked"}) + frame(prefix))
            else:
                frame = lambda b: b
                conn.sendall(self.head(200, {}, size) + prefix)
            while fill > 0:
                n = min(fill, len(piece))
                conn.sendall(frame(piece[:n]))
                fill -= n
            conn.sendall(frame(suffix) + (b"0\r\n\r\n" if chunked else b""))
        else:
            raise ValueError(kind)


class Case:
    def __init__(self, name, command, actions, options=(), rc=1, patched=None, requests=None,
                 huge=False, status=None):
        self.name, self.command, self.actions, self.options = name, command, actions, list(options)
        self.rc = rc
        #: None: every source untouched; else the expected text of each patched file.
        self.patched = patched
        #: Expected number of requests the server saw (None: not checked).
        self.requests = requests
        self.huge = huge
        #: The HTTP status the transcript must record for the last exchange (None: not checked).
        self.status = status
        #: What the case prints, in order, once it is done (cases run two at a time).
        self.log = []
        self.seconds = 0
        self.rss = 0


STEP = ["--retries", "1", "--backoff", "0.01", "--timeout", "3", "--connect-timeout", "2"]

CASES = [
    Case("refused", "step", None, rc=1),
    Case("hang", "step", [("hang",), ("hang",)], ["--timeout", "0.5"], requests=2),
    Case("trickle", "step", [("trickle",), ("trickle",)], ["--timeout", "0.5"], requests=2, status=200),
    Case("429-retry-after", "step", [("status", 429, {"Retry-After": "1"}, "rate limited")] * 2,
         ["--backoff", "5"], requests=2, status=429),
    Case("429-then-ok", "step", [("status", 429, {}, "rate limited"), ("reply", GOOD)], rc=0,
         patched=EXPECTED_PATCH, requests=2),
    Case("5xx-then-nothing", "step",
         [("status", 500, {}, "internal error"), ("status", 502, {}, "bad gateway"),
          ("status", 503, {}, "overloaded"), ("close",)], ["--retries", "3"], requests=4, status=0),
    Case("truncated-body", "step", [("truncate",)] * 2, requests=2),
    Case("invalid-json", "step", [("raw", b'{"choices": [{"message": {"content": "x"}')], requests=1,
         status=200),
    Case("not-a-suggestion", "step",
         [("reply", "I would rather not change anything today."), ("reply", '{"suggestion": {"nosuch": 1}}')],
         ["--repairs", "1"], requests=2),
    Case("huge-content-length", "step", [("huge", 64 << 20, False)], requests=1, huge=True, status=200),
    Case("huge-chunked", "step", [("huge", 64 << 20, True)], requests=1, huge=True),
    Case("does-not-compile", "step", [("reply", NOT_COMPILING)] * 2, ["--repairs", "1"], requests=2),
    Case("reset-mid-body", "step", [("reset",)] * 2, requests=2),
    Case("good", "step", [("reply", GOOD)], rc=0, patched=EXPECTED_PATCH, requests=1),
    # The token budget is checked before every request, repairs included: 120 tokens used by the
    # first answer leave no room for a repair under --max-tokens 100.
    Case("max-tokens-step", "step", [("reply", NOT_COMPILING), ("reply", GOOD)], ["--max-tokens", "100"],
         requests=1),
    Case("run-5xx", "run", [("status", 503, {}, "overloaded")] * 2, rc=1, requests=2),
    Case("run-hang", "run", [("hang",)] * 2, ["--timeout", "0.5"], rc=1, requests=2),
    Case("run-does-not-link", "run", [("reply", NOT_LINKING)] * 2, ["--repairs", "1"], rc=1, requests=2),
    Case("run-max-tokens", "run", [("reply", NOT_COMPILING), ("reply", GOOD_RUN)], ["--max-tokens", "100"],
         rc=3, requests=1),
    Case("run-good", "run", [("reply", GOOD_RUN)], rc=0, patched={"f.cpp": EXPECTED_PATCH["f.cpp"]},
         requests=1),
]


def run_measured(cmd, cwd, env, timeout=120):
    """Runs cmd; returns (status, stdout, stderr, peak resident size in KiB)."""
    out_path, err_path = cwd + ".stdout", cwd + ".stderr"  # outside the case's folder, which is checked
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        p = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=err)
        deadline = time.time() + timeout
        while True:
            pid, status, usage = os.wait4(p.pid, os.WNOHANG)
            if pid:
                break
            if time.time() > deadline:
                p.kill()
                pid, status, usage = os.wait4(p.pid, 0)
                break
            time.sleep(0.01)
        p.returncode = os.waitstatus_to_exitcode(status)
    with open(out_path, "rb") as f:
        stdout = f.read().decode("utf-8", "replace")
    with open(err_path, "rb") as f:
        stderr = f.read().decode("utf-8", "replace")
    os.unlink(out_path)
    os.unlink(err_path)
    return p.returncode, stdout, stderr, usage.ru_maxrss


def snapshot(folder):
    files = {}
    for root, dirs, names in os.walk(folder):
        for n in names:
            path = os.path.join(root, n)
            with open(path, "rb") as f:
                files[os.path.relpath(path, folder)] = f.read()
    return files


class Driver:
    def __init__(self, args):
        self.args = args
        self.failures = []
        self.baseline_rss = None
        spec = importlib.util.spec_from_file_location("mktrace", os.path.join(args.support, "mktrace.py"))
        self.mktrace_module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(self.mktrace_module)

    def fail(self, case, why):
        self.failures.append("FAILED %s: %s" % (case.name, why))
        case.log.append("FAILED %s: %s" % (case.name, why))

    def show(self, case, text, port):
        for line in text.splitlines():
            if port:
                line = line.replace("127.0.0.1:%d" % port, "127.0.0.1:PORT")
            case.log.append("  | " + line)

    def env(self, base):
        env = dict(os.environ)
        for k in ("OPENAI_API_BASE", "TRACE_MODEL"):
            env.pop(k, None)
        env["OPENAI_BASE_URL"] = base
        env["OPENAI_API_KEY"] = SECRET
        return env

    def make_project(self, case_dir):
        src = os.path.join(case_dir, "src")
        os.makedirs(src)
        os.makedirs(os.path.join(case_dir, "out"))
        for name, text in PROJECT.items():
            with open(os.path.join(src, name), "w") as f:
                f.write(text)
        # In this process: a Python start per trace would cost more than the tool's own runs.
        self.mktrace([os.path.join(src, "f.cpp"), "-o", os.path.join(case_dir, "f.jsonl"), "--call", "twice",
                      "x=2", "2", "--feedback", "twice(2) returned 2, expected 4", "--score", "0"])
        self.mktrace([os.path.join(src, "gain.cpp"), "-o", os.path.join(case_dir, "gain.jsonl"), "--call", "scale",
                      "v=2", "1", "--feedback", "scale(2) returned 1, expected 2", "--score", "0"])
        return src

    def mktrace(self, argv):
        saved = sys.argv
        sys.argv = ["mktrace.py"] + argv
        try:
            self.mktrace_module.main()
        finally:
            sys.argv = saved

    def build_cmd(self):
        """Builds the whole project from scratch."""
        return "%s -std=c++17 -Wno-unknown-attributes -Isrc src/f.cpp src/gain.cpp src/main.cpp -o out/prog" % (
            self.args.clangxx)

    def loop_build_cmd(self):
        """The loop's build: incremental like make, since only f.cpp changes between its builds."""
        cxx = "%s -std=c++17 -Wno-unknown-attributes -Isrc" % self.args.clangxx
        return ("{ test -f out/rest.done || { %s -c src/gain.cpp -o out/gain.o && %s -c src/main.cpp -o out/main.o "
                "&& touch out/rest.done; }; } && %s src/f.cpp out/gain.o out/main.o -o out/prog" % (cxx, cxx, cxx))

    def run_cmd(self):
        # The program's exit status decides success; the trace is written as the runtime would.
        mktrace = os.path.join(self.args.support, "mktrace.py")
        return ("if ./out/prog; then s='--success --score 1'; else s='--score 0'; fi; %s %s src/f.cpp -o \"$TRACE_FILE\" "
                "--call twice x=2 2 --feedback 'twice(2) must be 4' $s" % (sys.executable, mktrace))

    def run_case(self, case):
        case_dir = os.path.join(self.args.dir, case.name)
        src = os.path.join(case_dir, "src")
        original = snapshot(src)
        server = None
        if case.actions is None:
            with socket.socket() as s:  # a port nobody listens on
                s.bind(("127.0.0.1", 0))
                port = s.getsockname()[1]
        else:
            server = FaultServer(case.actions)
            port = server.port
        base = "http://127.0.0.1:%d/v1" % port
        env = self.env(base)
        tool = self.args.tool
        options = dict(zip(STEP[::2], STEP[1::2]))
        options.update(zip(case.options[::2], case.options[1::2]))
        options = [x for kv in options.items() for x in kv]
        if case.command == "step":
            cmd = [tool, "step", "--trace", "f.jsonl", "--trace", "gain.jsonl", "--model", "m"] + options
        else:
            cmd = [tool, "run", "--model", "m", "--build", self.loop_build_cmd(), "--run", self.run_cmd(),
                   "--iterations", "2", "--command-timeout", "60"] + options
        start = time.time()
        rc, out, err, rss = run_measured(cmd, case_dir, env)
        seconds = time.time() - start
        case.rss = rss
        requests = server.requests if server else []
        if server:
            server.stop()
        case.log.append("== %s: %s, exit %d" % (case.name, case.command, rc))
        self.show(case, out + err, port)
        outputs = [out, err]
        if rc != case.rc:
            self.fail(case, "exit status %d, expected %d" % (rc, case.rc))
        if case.requests is not None and len(requests) != case.requests:
            self.fail(case, "the server saw %d requests, expected %d" % (len(requests), case.requests))
        for r in requests:
            if r["headers"].get("authorization") != "Bearer " + SECRET:
                self.fail(case, "a request without the API key in its Authorization header")
                break
        if case.huge:
            if self.baseline_rss is None:
                self.fail(case, "no baseline memory measured")
            elif rss - self.baseline_rss > 48 * 1024:
                self.fail(case, "peak memory %d KiB, %d KiB more than a failing step that read a small answer"
                          % (rss, rss - self.baseline_rss))
        if case.name == "invalid-json":
            self.baseline_rss = rss
        if case.status is not None:
            with open(os.path.join(case_dir, ".trace-optimize", "transcript.jsonl")) as f:
                last = json.loads(f.read().splitlines()[-1])
            if last.get("status") != case.status or last.get("ok"):
                self.fail(case, "the transcript records status %s, ok %s; expected status %d, not ok"
                          % (last.get("status"), last.get("ok"), case.status))

        # (b) and (c): untouched, or exactly the expected patch; nothing added next to the sources.
        after = snapshot(src)
        if sorted(after) != sorted(original):
            self.fail(case, "files next to the sources changed: %s" % sorted(set(after) ^ set(original)))
        expected = dict(original)
        for name, text in (case.patched or {}).items():
            expected[name] = text.encode()
        for name in sorted(original):
            if after.get(name) != expected[name]:
                self.fail(case, "%s is neither the original nor the expected patch" % name)
        state = "patched " + ", ".join(sorted(case.patched)) if case.patched else "untouched"
        temps = [p for p in snapshot(case_dir) if ".tmp" in os.path.basename(p)]
        if temps:
            self.fail(case, "temporary files left: %s" % temps)
        work = os.path.join(case_dir, ".trace-optimize")
        manifests = sorted(snapshot(os.path.join(work, "backups")) if os.path.isdir(os.path.join(work, "backups"))
                           else [])
        manifests = [m for m in manifests if m.endswith("manifest.json")]
        applied = []
        for m in manifests:
            with open(os.path.join(work, "backups", m)) as f:
                man = json.load(f)
            if not man.get("undone"):
                applied.append((m, man))
        if case.patched:
            self.check_patched(case, src, original, applied, case_dir)
        elif applied:
            self.fail(case, "an applied step is recorded although the sources are untouched: %s" % applied[0][0])

        # (d) undo: restores the originals after a patch; a no-op with a clear message otherwise.
        for _ in range(len(applied)):
            urc, uout, uerr, _ = run_measured([tool, "undo"], case_dir, env)
            outputs += [uout, uerr]
            if urc != 0:
                self.fail(case, "undo failed: %s" % uerr.strip())
        if snapshot(src) != original:
            self.fail(case, "undo did not restore the original bytes")
        urc, uout, uerr, _ = run_measured([tool, "undo"], case_dir, env)
        outputs += [uout, uerr]
        if urc == 0 or "nothing to undo" not in uerr:
            self.fail(case, "undo with nothing to undo: exit %d, %r" % (urc, (uout + uerr).strip()))
        if snapshot(src) != original:
            self.fail(case, "undo with nothing to undo changed the sources")
        case.log.append("  sources %s; undo restored the originals%s" % (state, "" if case.patched else " (nothing to undo)"))

        # (e) the key is in no file and no output.
        for path, data in snapshot(case_dir).items():
            if SECRET.encode() in data:
                self.fail(case, "the API key is written in %s" % path)
        if any(SECRET in o for o in outputs):
            self.fail(case, "the API key is in the tool's output")
        return seconds

    def check_patched(self, case, src, original, applied, case_dir):
        if len(applied) != 1:
            self.fail(case, "%d applied steps recorded, expected 1" % len(applied))
            return
        m, man = applied[0]
        step_dir = os.path.join(case_dir, ".trace-optimize", "backups", os.path.dirname(m))
        paths = sorted(os.path.relpath(f["path"], src) for f in man["files"])
        if paths != sorted(case.patched):
            self.fail(case, "the manifest lists %s, expected %s" % (paths, sorted(case.patched)))
        for f in man["files"]:
            name = os.path.relpath(f["path"], src)
            with open(f["path"], "rb") as cur:
                now = cur.read()
            with open(os.path.join(step_dir, f["backup"]), "rb") as b:
                backup = b.read()
            if f["after"] != fnv1a64(now) or f["before"] != fnv1a64(original.get(name, b"")):
                self.fail(case, "the manifest's hashes of %s do not match its bytes" % name)
            if backup != original.get(name):
                self.fail(case, "the backup of %s is not the original" % name)
        build = subprocess.run(self.build_cmd(), shell=True, cwd=case_dir, capture_output=True, text=True)
        if build.returncode != 0:
            self.fail(case, "the patched project does not build:\n" + build.stderr)
        elif subprocess.run(["./out/prog"], cwd=case_dir).returncode != 0:
            self.fail(case, "the patched program does not pass")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tool", required=True)
    ap.add_argument("--support", required=True)
    ap.add_argument("--clangxx", required=True)
    ap.add_argument("--dir", required=True)
    ap.add_argument("--only", action="append", default=[])
    args = ap.parse_args()
    args.dir = os.path.abspath(args.dir)
    args.support = os.path.abspath(args.support)
    args.tool = shutil.which(args.tool) or args.tool
    args.tool = os.path.abspath(args.tool)
    shutil.rmtree(args.dir, ignore_errors=True)
    os.makedirs(args.dir)
    d = Driver(args)
    start = time.time()
    cases = [c for c in CASES if not args.only or c.name in args.only or c.name == "invalid-json"]

    def run(case):
        t = time.time()
        d.run_case(case)
        case.seconds = time.time() - t

    # The small failing answer first: its peak memory is the huge answers' baseline. The rest
    # mostly wait on timeouts and back-offs, so two at a time halve the test's time.
    for case in cases:  # sys.argv is borrowed for each trace: not in the threads
        d.make_project(os.path.join(args.dir, case.name))
    run(next(c for c in cases if c.name == "invalid-json"))
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(run, [c for c in cases if c.name != "invalid-json"]))
    for case in cases:
        print("\n".join(case.log))
    for case in cases:
        print("%-22s %5.1f s, peak %6d KiB" % (case.name, case.seconds, case.rss), file=sys.stderr)
    print("%d cases, %d broken invariants, %.0f s" % (len(cases), len(d.failures), time.time() - start),
          file=sys.stderr)
    for f in d.failures:
        print(f, file=sys.stderr)
    sys.exit(1 if d.failures else 0)


if __name__ == "__main__":
    main()
