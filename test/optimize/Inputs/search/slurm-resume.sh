#!/bin/sh
# Runs under slurm_cluster.py (search-slurm-resume.test): a Slurm search whose tool is killed
# (SIGKILL) while candidate 1's array task runs, the queue as the kill left it, the search
# resumed, and the queue after it.
#   slurm-resume.sh SUPPORT PYTHON CLANGXX OUT
set -u
support=$1 python=$2 clangxx=$3 out=$4
# Candidate 1 ("return false;"), the first time only: kill this test's tool (the process whose
# command line starts with the trace-optimize program, neither a wrapper script nor fake_llm.py,
# and names this test's work directory: other tests' searches may run meanwhile), then stay in
# the queue. The bracket keeps this shell's own command line from matching.
run="if grep -q 'return false;' leap.cpp && mkdir $out/killed 2>/dev/null; then pkill -KILL -f '^[^ ]*trace-optimize search .*--work-dir $out/searc[h]'; sleep 300; fi; $python run.py $support \$TRACE_FILE"
search() {
  "$python" "$support/fake_llm.py" --n --script wrong-then-right.txt -- trace-optimize search --executor slurm \
    --work-dir "$out/search" --jobs 2 --model m -k 4 --seed 3 --build "$clangxx -Wno-unknown-attributes leap.cpp -o leap" --run "$run" "$@"
}
search > "$out/killed.out" 2> "$out/killed.err"
echo "status $?" >> "$out/killed.out"
# The task that killed the tool is still in the queue (sleeping), with its array's other tasks.
squeue -h -o '%i %T' | sort > "$out/queue-after-kill.txt"
search --resume > "$out/resumed.out" 2> "$out/resumed.err"
echo "status $?" >> "$out/resumed.out"
squeue -h -o '%i %T' > "$out/queue-after-resume.txt"
