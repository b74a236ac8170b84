#!/usr/bin/env python3
"""Probes what a command may do. Usage:
  sandbox_probe.py write PATH          exit 0 if PATH can be written
  sandbox_probe.py connect -- CMD...   listens on 127.0.0.1 (outside CMD), runs CMD with
                                       {port} replaced; prints CMD's exit status
  sandbox_probe.py dial PORT           exit 0 if 127.0.0.1:PORT accepts a connection
"""
import socket
import subprocess
import sys
import threading


def main():
    what = sys.argv[1]
    if what == "write":
        try:
            with open(sys.argv[2], "w") as f:
                f.write("written\n")
        except OSError as e:
            print(f"cannot write: {e.strerror}")
            return 1
        print("wrote")
        return 0
    if what == "dial":
        try:
            socket.create_connection(("127.0.0.1", int(sys.argv[2])), timeout=5).close()
        except OSError as e:
            print(f"cannot connect: {e.strerror}")
            return 1
        print("connected")
        return 0
    if what == "connect":
        srv = socket.socket()
        srv.bind(("127.0.0.1", 0))
        srv.listen(4)
        port = srv.getsockname()[1]
        threading.Thread(target=lambda: [srv.accept()[0].close() for _ in range(4)], daemon=True).start()
        cmd = [a.replace("{port}", str(port)) for a in sys.argv[3:]]
        rc = subprocess.run(cmd).returncode
        print(f"status {rc}")
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
