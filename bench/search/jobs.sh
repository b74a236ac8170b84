#!/usr/bin/env bash
# What --jobs 2 gains: one search that evaluates 8 candidates from one request, after the
# sources' own evaluation (which runs alone: the request needs its trace), run with --jobs 1
# and with --jobs 2 against the scripted test server; prints both wall times and their ratio.
# Each evaluation compiles the program (clang++ -O2) and runs it. The whole search is timed,
# the sources' evaluation and the request included. Then the machine's own figure for the same
# work without the tool: the 8 evaluations' commands run one at a time and as two streams of 4.
#   bench/search/jobs.sh [BUILD_DIR]      (default: build)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
tool=$build/bin/trace-optimize
[ -x "$tool" ] || tool=$(find "$build" -name trace-optimize -type f -perm -u+x | head -1)
clangxx=${CLANGXX:-clang++-19}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
cp "$root/test/optimize/Inputs/search/leap.cpp" "$root/test/optimize/Inputs/search/run.py" .
# Eight different wrong answers: none succeeds, so the search evaluates all of them. --dry-run
# keeps the sources as they are for the second search.
: > script.txt
for k in 3 5 6 7 9 11 13 15; do
  printf '### usage=100,20\n{"suggestion": {"__code0": "bool is_leap(int year) {\\n  return year %% %d == 0;\\n}"}}\n' "$k" >> script.txt
done
seconds() {
  local start end
  start=$(date +%s.%N)
  python3 "$root/test/support/fake_llm.py" --n --script script.txt -- "$tool" search --model m --work-dir "w$1" \
    --exclude w1 --exclude w2 --jobs "$1" -k 8 --iterations 1 --quiet --dry-run \
    --build "$clangxx -O2 -Wno-unknown-attributes leap.cpp -o leap" \
    --run "python3 run.py $root/test/support \$TRACE_FILE" > "out$1.txt" 2> "err$1.txt" || true
  end=$(date +%s.%N)
  grep -q "9 evaluated" "out$1.txt" || { cat "out$1.txt" "err$1.txt" >&2; echo "jobs.sh: the search did not evaluate the sources and 8 candidates" >&2; exit 1; }
  python3 -c "print(f'{$end - $start:.2f}')"
}
# Evaluations in flight on average: the candidates' build and run seconds over the wall time. Near
# 1 with --jobs 1 and near 2 with --jobs 2 when they overlap, whatever the machine's load.
overlap() {
  python3 -c "import sqlite3; s = sqlite3.connect('w$1/search.db').execute('select sum(build_seconds + run_seconds) from candidates').fetchone()[0]; print(f'{s / $2:.2f}')"
}
# The same 8 evaluations without the tool, each in its own folder: what two at a time can gain
# on this machine at all.
machine() {
  local k i start mid end
  for k in 1 2 3 4 5 6 7 8; do
    mkdir -p "m$k" && cp leap.cpp run.py "m$k/"
    sed -i "s/year % 4 == 0/year % $((k + 2)) == 0/" "m$k/leap.cpp"
  done
  evaluate() { (cd "m$1" && $clangxx -O2 -Wno-unknown-attributes leap.cpp -o leap && python3 run.py "$root/test/support" t.bin) > /dev/null 2>&1 || true; }
  start=$(date +%s.%N)
  for k in 1 2 3 4 5 6 7 8; do evaluate "$k"; done
  mid=$(date +%s.%N)
  (for k in 1 2 3 4; do evaluate "$k"; done) &
  (for k in 5 6 7 8; do evaluate "$k"; done) &
  wait
  end=$(date +%s.%N)
  python3 -c "print(f'{$mid - $start:.2f} {$end - $mid:.2f}')"
}
t1=$(seconds 1)
t2=$(seconds 2)
read -r m1 m2 < <(machine)
echo "sources + 8 candidates: --jobs 1 ${t1} s, --jobs 2 ${t2} s, ratio $(python3 -c "print(f'{$t1 / $t2:.2f}')")"
echo "the 8 evaluations without the tool: one at a time ${m1} s, two at a time ${m2} s, ratio $(python3 -c "print(f'{$m1 / $m2:.2f}')")"
echo "evaluations in flight on average: --jobs 1 $(overlap 1 "$t1"), --jobs 2 $(overlap 2 "$t2")"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
