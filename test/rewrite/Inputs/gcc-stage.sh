#!/bin/sh
# The ctest stage `gcc` (test/CMakeLists.txt): the GCC path without the plugin.
#  1. The runtime's library builds with g++ (runtime/ configured on its own, CXX=g++).
#  2. The three examples build with g++ from trace-rewrite's output (-DTRACE_REWRITE=ON: every
#     trace_instrument() of theirs is trace_instrument(... REWRITE)), run, and record their graph.
#  3. Their instrumented sources also build with g++ against the g++-built runtime, and record.
# Usage: gcc-stage.sh <g++> <Trace package dir> <source tree> <work dir> <trace-optimize>
set -eu
gxx=$1 trace_dir=$2 src=$3 work=$4 optimize=$5
rm -rf "$work"
mkdir -p "$work"

echo "== runtime with $gxx"
mkdir -p "$work/runtime-project"
cat >"$work/runtime-project/CMakeLists.txt" <<EOT
cmake_minimum_required(VERSION 3.20)
project(TraceRuntimeWithGcc LANGUAGES CXX)
set(CMAKE_CXX_STANDARD 17)
find_package(Threads REQUIRED)
include(GNUInstallDirs)
add_subdirectory("$src/runtime" runtime)
EOT
cmake -S "$work/runtime-project" -B "$work/runtime" -G Ninja -DCMAKE_CXX_COMPILER="$gxx" >"$work/runtime.log"
cmake --build "$work/runtime" >>"$work/runtime.log"
test -f "$work/runtime/runtime/libtrace_rt.a"

for example in strange-sort:strange_sort text:notify controller:controller; do
  dir=${example%%:*} exe=${example#*:}
  echo "== examples/$dir with $gxx from trace-rewrite output"
  cmake -S "$src/examples/$dir" -B "$work/$dir" -G Ninja -DCMAKE_CXX_COMPILER="$gxx" -DTRACE_REWRITE=ON \
    -DTrace_DIR="$trace_dir" >"$work/$dir.log"
  grep -q "CMAKE_CXX_COMPILER_ID \"GNU\"" "$work/$dir"/CMakeFiles/*/CMakeCXXCompiler.cmake
  cmake --build "$work/$dir" >>"$work/$dir.log"
  copy=$work/$dir/trace-rewrite/$exe/main.cpp
  grep -q "^#line 1 \"$src/examples/$dir/main.cpp\"" "$copy"
  # The examples' own checks may fail before optimization: only the trace matters here.
  (cd "$work" && TRACE_FILE="$work/$dir.bin" "$work/$dir/$exe" >/dev/null) || true
  "$optimize" summary --trace "$work/$dir.bin" | tee "$work/$dir.summary"
  grep -q "^1 run, [1-9][0-9]* calls\? of" "$work/$dir.summary"

  echo "== examples/$dir against the runtime built by $gxx"
  "$gxx" -std=c++17 -I"$src/runtime/include" "$copy" "$work/runtime/runtime/libtrace_rt.a" -lpthread -o "$work/$dir.gxx-rt"
  (cd "$work" && TRACE_FILE="$work/$dir.gxx-rt.bin" "$work/$dir.gxx-rt" >/dev/null) || true
  "$optimize" summary --trace "$work/$dir.gxx-rt.bin" >"$work/$dir.gxx-rt.summary"
  cmp "$work/$dir.summary" "$work/$dir.gxx-rt.summary"
done
echo "gcc stage: ok"
