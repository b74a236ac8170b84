#!/usr/bin/env bash
# The main job of README.md: example (a), end to end.
#   examples/demo.sh <trace build dir>
# Copies examples/strange-sort to <build>/demo (the repository's sources are never patched), builds it under the
# plugin with CMake's find_package(Trace), runs it, shows where its graph went and what it holds, then optimizes:
# with an endpoint configured (OPENAI_BASE_URL / OPENAI_API_KEY, TRACE_MODEL) it runs the loop until the test
# cases pass; without one it prints the prompt and how to configure an endpoint.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
build_dir=$(cd "${1:?usage: demo.sh <trace build dir>}" && pwd)
work=$build_dir/demo
optimize=$build_dir/bin/trace-optimize
log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

log "copying example (a), strange-sort, to $work"
rm -rf "$work"
mkdir -p "$work"
cp -r "$here/strange-sort" "$work/src"

log "building it under the plugin (find_package(Trace) + trace_instrument)"
cmake -S "$work/src" -B "$work/build" -G Ninja -DCMAKE_CXX_COMPILER=clang++-19 \
  -DCMAKE_PREFIX_PATH="$build_dir" >/dev/null
cmake --build "$work/build" >/dev/null

log "running it"
trace_file=$work/trace.bin
(cd "$work" && TRACE_FILE="$trace_file" ./build/strange_sort) || true

log "its execution graph went to $trace_file"
"$optimize" summary --trace "$trace_file"

if [ -z "${OPENAI_BASE_URL:-}${OPENAI_API_BASE:-}${OPENAI_API_KEY:-}" ]; then
  log "optimizing: one step (no endpoint configured, so this shows the prompt)"
  cd "$work/src" && exec "$optimize" step --trace "$trace_file" --work-dir "$work/optimize"
fi
log "optimizing: the loop, until every test case passes (sources in $work/src)"
cd "$work/src"
status=0
"$optimize" run --build "cmake --build '$work/build'" --run "'$work/build/strange_sort'" \
  --iterations "${DEMO_ITERATIONS:-5}" --work-dir "$work/optimize" || status=$?
log "the function now reads:"
sed -n '/trace::trainable/,/^}/p' "$work/src/main.cpp"
exit $status
