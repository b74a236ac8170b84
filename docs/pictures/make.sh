#!/usr/bin/env bash
# Regenerates the pictures of docs/optimizer.md ("Seeing the graph") from the examples:
#   docs/pictures/make.sh <trace build dir>
# Builds examples/text under the plugin (in a temporary directory; the repository's sources are
# never patched), runs it once, and draws its graph with `trace-optimize graph`, as DOT and as
# SVG (through Graphviz's dot).
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
