#!/usr/bin/env python3
"""A scripted OpenAI-compatible /chat/completions server for the optimizer's tests.

Usage:
  fake_llm.py --script FILE [--log FILE] [--timeout SECONDS] [--refuse] [--n] -- COMMAND [ARG...]

Starts the server on a free port of 127.0.0.1, runs COMMAND with OPENAI_BASE_URL pointing at it
("{base}" and "{port}" in the arguments are replaced too), stops the server when COMMAND exits and
exits with COMMAND's status. With --refuse, nothing listens on the port (connection refused).

The script is a text file of blocks. Each block starts with a line "### <directive>..." and its body
(the lines up to the next "###" line) is the assistant message's content. Directives:
  status=N          HTTP status (default 200); a non-200 status sends an OpenAI-style error body
  retry-after=S     Retry-After header (seconds)
  retry-after-ms=M  retry-after-ms header
  delay=S           sleep S seconds before answering
  drop              close the connection without an answer
  raw               send the body as the HTTP body as-is (a malformed reply)
  usage=P,C         prompt and completion token counts (default 100,20)
  json-mode=reject  answer 400 (json-mode-status=N: N) "response_format is not supported" to a request that asks for JSON mode
                    (this does not consume the block: the next, plain request gets it)
  expect=TEXT       the request's last user message must contain TEXT, else answer 400
When the script is exhausted the server answers 400 "fake_llm: script exhausted".
With --n, a request for "n": K answers gets the next K blocks (fewer when the script ends) as its
choices, the first block's directives applying; without it, "n" is ignored (one choice), as many
servers do.
Every request is appended to the log (JSON Lines: path, headers, body).
"""
import argparse
import http.server
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time


def parse_script(path):
    blocks = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("###"):
                directives = {}
                for tok in line[3:].split():
                    key, _, value = tok.partition("=")
                    directives[key] = value
                blocks.append({"directives": directives, "body": []})
                continue
            if not blocks:
                if line.strip():
                    sys.exit(f"fake_llm: {path}: text before the first '###' block: {line.strip()!r}")
                continue
            blocks[-1]["body"].append(line)
    for b in blocks:
        b["body"] = "".join(b["body"]).rstrip("\n")
    return blocks


class State:
    def __init__(self, blocks, log, honour_n=False):
        self.honour_n = honour_n
        self.blocks = blocks
        self.log = log
        self.lock = threading.Lock()


def make_handler(state):
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *args):
            pass

        def send_json(self, status, obj, headers=None):
            data = json.dumps(obj).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self):
            length = int(self.headers.get("Content-Length", "0"))
            raw = self.rfile.read(length).decode("utf-8", "replace")
            try:
                body = json.loads(raw)
            except ValueError:
                body = raw
            with state.lock:
                if state.log:
                    with open(state.log, "a", encoding="utf-8") as f:
                        f.write(json.dumps({"path": self.path, "headers": dict(self.headers.items()),
                                            "body": body}) + "\n")
                if not self.path.endswith("/chat/completions"):
                    self.send_json(404, {"error": {"message": f"fake_llm: no such path {self.path}"}})
                    return
                if not state.blocks:
                    self.send_json(400, {"error": {"message": "fake_llm: script exhausted"}})
                    return
                block = state.blocks[0]
                d = block["directives"]
                if d.get("json-mode") == "reject" and isinstance(body, dict) and "response_format" in body:
                    self.send_json(int(d.get("json-mode-status", "400")), {"error": {"message": "response_format is not supported by this model",
                                                   "param": "response_format"}})
                    return
                state.blocks.pop(0)
                extra = []
                want = body.get("n", 1) if isinstance(body, dict) and state.honour_n else 1
                while isinstance(want, int) and len(extra) + 1 < want and state.blocks:
                    extra.append(state.blocks.pop(0)["body"])
            if "expect" in d:
                msgs = body.get("messages", []) if isinstance(body, dict) else []
                last = next((m.get("content", "") for m in reversed(msgs) if m.get("role") == "user"), "")
                if d["expect"] not in last:
                    self.send_json(400, {"error": {"message": f"fake_llm: expected {d['expect']!r} in the request"}})
                    return
            if "delay" in d:
                time.sleep(float(d["delay"]))
            if "drop" in d:
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            status = int(d.get("status", "200"))
            headers = {}
            if "retry-after" in d:
                headers["Retry-After"] = d["retry-after"]
            if "retry-after-ms" in d:
                headers["retry-after-ms"] = d["retry-after-ms"]
            if "raw" in d:
                data = block["body"].encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                return
            if status != 200:
                self.send_json(status, {"error": {"message": block["body"] or f"scripted status {status}"}}, headers)
                return
            prompt, completion = (int(x) for x in d.get("usage", "100,20").split(","))
            self.send_json(200, {
                "id": "chatcmpl-fake", "object": "chat.completion", "model": body.get("model", "fake"),
                "choices": [{"index": i, "finish_reason": "stop",
                             "message": {"role": "assistant", "content": c}}
                            for i, c in enumerate([block["body"]] + extra)],
                "usage": {"prompt_tokens": prompt, "completion_tokens": completion,
                          "total_tokens": prompt + completion}}, headers)

    return Handler


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--script", help="reply script (see above)")
    ap.add_argument("--log", help="append every request to this file")
    # Generous: a search on a real Slurm cluster with an instrumented tool, on a CI machine
    # whose two cores run other test stages, takes minutes. A hang still ends.
    ap.add_argument("--timeout", type=float, default=600,
                    help="kill COMMAND and its process group after this many seconds")
    ap.add_argument("--refuse", action="store_true", help="let nothing listen on the port")
    ap.add_argument("--n", action="store_true", help="honour the requests' \"n\" (several choices)")
    ap.add_argument("command", nargs=argparse.REMAINDER)
    args = ap.parse_args()
    cmd = args.command[1:] if args.command and args.command[0] == "--" else args.command
    if not cmd:
        ap.error("no command given after --")

    server = None
    if args.refuse:
        port = free_port()
    else:
        blocks = parse_script(args.script) if args.script else []
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), make_handler(State(blocks, args.log, args.n)))
        server.daemon_threads = True
        port = server.server_address[1]
        threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{port}/v1"
    env = dict(os.environ, OPENAI_BASE_URL=base)
    cmd = [c.replace("{base}", base).replace("{port}", str(port)) for c in cmd]
    try:
        # Its own process group, so that a timeout ends COMMAND's children too (a wrapper
        # script's tool), not only COMMAND: nothing it started outlives the test.
        proc = subprocess.Popen(cmd, env=env, start_new_session=True)
        try:
            rc = proc.wait(timeout=args.timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            print(f"fake_llm: command timed out after {args.timeout} s: {' '.join(cmd)}", file=sys.stderr)
            rc = 124
    except FileNotFoundError:
        print(f"fake_llm: command not found: {cmd[0]}", file=sys.stderr)
        rc = 127
    if server:
        server.shutdown()
    sys.exit(rc)


if __name__ == "__main__":
    main()
