#!/usr/bin/env bash
# Regenerates the pictures of docs/optimizer.md from the examples and the tests' inputs:
#   docs/pictures/make.sh <trace build dir>
# Builds examples/text under the plugin (in a temporary directory; the repository's sources are
# never patched), runs it once, and draws its graph with `trace-optimize graph`, as DOT and as
# SVG (through Graphviz's dot); runs it again with call times and writes its timeline with
# `trace-optimize export --format perfetto` (open it in ui.perfetto.dev); and, when Chromium is
# installed, runs the loop of test/optimize/report.test against its scripted server and takes a
# screenshot of the page `trace-optimize report` writes.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
examples=$(cd "$here/../../examples" && pwd)
build_dir=$(cd "${1:?usage: make.sh <trace build dir>}" && pwd)
optimize=$build_dir/bin/trace-optimize
command -v dot >/dev/null || { echo "make.sh: Graphviz's dot is needed (Debian: apt-get install graphviz)" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$examples/text" "$work/src"
cmake -S "$work/src" -B "$work/build" -G Ninja -DCMAKE_CXX_COMPILER=clang++-19 \
  -DCMAKE_PREFIX_PATH="$build_dir" >/dev/null
cmake --build "$work/build" >/dev/null
# The example fails its checks on purpose (that is what the optimizer fixes): its exit status is 1.
(cd "$work" && TRACE_FILE=text.bin ./build/notify >/dev/null) || true
# Run from the work directory, the trace is named text.bin in the pictures' titles.
(cd "$work" && "$optimize" graph --trace text.bin -o "$here/text.dot")
(cd "$work" && "$optimize" graph --trace text.bin --format svg -o "$here/text.svg")
echo "wrote $here/text.dot and $here/text.svg"

(cd "$work" && TRACE_TIMESTAMPS=1 TRACE_FILE=timed.bin ./build/notify >/dev/null) || true
(cd "$work" && "$optimize" export --format perfetto --trace timed.bin -o "$here/text-timeline.json")
echo "wrote $here/text-timeline.json"

chromium=$(command -v chromium || true)
if [ -z "$chromium" ]; then
  echo "make.sh: no chromium (Debian: apt-get install chromium): report.png not made" >&2
  exit 0
fi
tests=$(cd "$here/../../test" && pwd)
mkdir "$work/report"
# The inputs of report.test: leap.cpp, its checker run.py and the scripted replies.
/usr/lib/llvm-19/bin/split-file "$tests/optimize/report.test" "$work/report"
(cd "$work/report" && PATH="$build_dir/bin:$PATH" python3 "$tests/support/fake_llm.py" --script script.txt -- \
   trace-optimize run --model demo --build "clang++-19 -Wno-unknown-attributes leap.cpp -o leap" \
   --run "python3 run.py $tests/support \$TRACE_FILE" --iterations 2 --quiet >/dev/null 2>&1) || true
(cd "$work/report" && "$optimize" report .trace-optimize -o report.html --price 0.15,0.6)
python3 "$tests/optimize/Inputs/render_report.py" "$chromium" "$work/report/report.html" step-1 \
  "$work/report/dom.html" "$here/report.png" 1024x1400
echo "wrote $here/report.png"
