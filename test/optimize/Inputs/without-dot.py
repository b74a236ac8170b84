# Runs PROGRAM ARGS... with a PATH that holds PROGRAM and nothing else, so that no Graphviz `dot`
# can be found: a fresh directory with a link to the program.
import os
import shutil
import subprocess
import sys
import tempfile

program = shutil.which(sys.argv[1])
if not program:
    sys.exit("without-dot.py: %s is not on PATH" % sys.argv[1])
bin_dir = tempfile.mkdtemp()
try:
    link = os.path.join(bin_dir, os.path.basename(program))
    os.symlink(program, link)
    rc = subprocess.call([link] + sys.argv[2:], env=dict(os.environ, PATH=bin_dir))
finally:
    shutil.rmtree(bin_dir)
sys.exit(rc)
