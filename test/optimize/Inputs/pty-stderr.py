# Runs a command with its standard error on a pseudo-terminal (standard output and input unchanged)
# and writes what the terminal received to OUT, with the carriage return and the erase-line
# sequence made visible as <CR> and <EL>, and any other escape byte as <ESC>.
# Usage: pty-stderr.py OUT COMMAND ARGS...
import errno
import os
import pty
import subprocess
import sys

out_path, command = sys.argv[1], sys.argv[2:]
master, slave = pty.openpty()
proc = subprocess.Popen(command, stderr=slave, env=dict(os.environ, TERM="xterm"))
os.close(slave)
data = b""
while True:
    try:
        chunk = os.read(master, 4096)
    except OSError as e:
        if e.errno != errno.EIO:  # EIO: every writer of the terminal has closed it
            raise
        break
    if not chunk:
        break
    data += chunk
rc = proc.wait()
# The terminal turns "\n" into "\r\n"; only the status line's own returns are of interest.
data = data.replace(b"\r\n", b"\n").replace(b"\r", b"<CR>").replace(b"\x1b[K", b"<EL>").replace(b"\x1b", b"<ESC>")
with open(out_path, "wb") as f:
    f.write(data)
sys.exit(rc)
