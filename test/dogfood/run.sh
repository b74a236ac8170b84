#!/usr/bin/env bash
# The dogfood stage: Trace for C++ records its own tools.
#
#   run.sh SRC MAIN_BUILD WORK
#
# Configures WORK/build, a second tree of this project in which trace-optimize (library and main)
# and the GoogleTest units of the optimizer and of the runtime are compiled with MAIN_BUILD's plugin
# and -fplugin-arg-trace-all (instrument.cmake) and linked with the runtime. Then:
#   - runs the lit suite test/optimize with the instrumented trace-optimize, through a wrapper that
#     gives the tool its own TRACE_FILE; everything else comes from MAIN_BUILD. It starts as soon
#     as the tool is built and runs while the units are built and run;
#   - adds up the plugin's verbose reports (plugin_report.py): functions instrumented and left
#     alone; a TU whose nested parse failed (compiled without instrumentation) fails the stage;
#   - runs the GoogleTest units of that tree (ctest), every test process writing its own trace;
#   - checks the traces (check_traces.py): each is read by MAIN_BUILD's trace-optimize summary,
#     and together they hold calls of the project's own functions (lib/llm/Reply.cpp,
#     lib/traceset/JsonLines.cpp).
# The runtime and the plugin themselves are not instrumented (see instrument.cmake). Every test
# must pass as in the normal build.
#
# The optimizer's units run with TRACE_MAX_CALLS_PER_FUNCTION (TRACE_DOGFOOD_MAX_CALLS, default
# 200) and TRACE_MAX_VALUE (TRACE_DOGFOOD_MAX_VALUE, default 256): some make millions of calls.
# The traces are deleted after they are checked unless TRACE_DOGFOOD_KEEP=1.
set -euo pipefail

src=$(cd "${1:?usage: run.sh SRC MAIN_BUILD WORK}" && pwd)
main_build=$(cd "${2:?}" && pwd)
work=${3:?}
mkdir -p "$work"
work=$(cd "$work" && pwd)
jobs=${JOBS:-2}
llvm_bin=/usr/lib/llvm-19/bin
lit="${TRACE_LIT:-/usr/lib/llvm-19/build/utils/lit/lit.py}"
python=${PYTHON:-python3}
max_value=${TRACE_DOGFOOD_MAX_VALUE:-256}
max_calls=${TRACE_DOGFOOD_MAX_CALLS:-200}
here="$src/test/dogfood"

log() { printf '==> %s\n' "$*"; }
started=$SECONDS

plugin="$main_build/lib/TracePlugin.so"
for f in "$plugin" "$main_build/bin/trace-optimize" "$main_build/lib/libtrace_rt.a"; do
  if [ ! -f "$f" ]; then
    echo "run.sh: $f is missing: build the main tree first" >&2
    exit 1
  fi
done

build="$work/build"
if [ ! -f "$build/build.ninja" ]; then
  log "configuring $build"
  cmake -S "$src" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_C_COMPILER=clang-19 -DCMAKE_CXX_COMPILER=clang++-19 \
    -DCMAKE_PROJECT_INCLUDE="$here/instrument.cmake" -DTRACE_DOGFOOD_PLUGIN="$plugin" >/dev/null
fi
# The lit suite only needs trace-optimize; it runs while the units are built and run. Its tests
# mostly wait (the scripted LLM server, timeouts), so the overlap costs little.
build_targets() {
  if ! ninja -C "$build" -j "$jobs" "$@" >>"$work/build.log" 2>&1; then
    cat "$work/build.log"
    echo "run.sh: the instrumented build failed (log: $work/build.log)" >&2
    exit 1
  fi
}
: >"$work/build.log"
log "building trace-optimize instrumented"
build_targets trace-optimize trace-config
log "built after $((SECONDS - started)) s"

traces="$work/traces"
rm -rf "$traces"
mkdir -p "$traces/units" "$traces/lit"

# The optimizer's lit suite with the instrumented trace-optimize. The wrapper
# sets TRACE_FILE for the tool alone: the lit configuration clears it, and the programs the tool
# runs in its loop get their own TRACE_FILE from the loop. No limit on calls or values here: the
# programs the loop runs would inherit it, and their traces would differ from the normal build's.
bin="$work/lit-bin"
rm -rf "$bin"
mkdir -p "$bin"
# A test that kills the tool on purpose (search-resume.test: SIGKILL in the middle of a search)
# leaves a trace with no `end` record: the wrapper names such a trace killed-*.bin, and
# check_traces.py asks only that it be read up to where it stops. The tool stays the wrapper's
# child (no exec), so the trace's name starts with the wrapper's pid.
cat >"$bin/trace-optimize" <<SH
#!/bin/sh
TRACE_FILE="$traces/lit/\$\$-%p.bin" "$build/bin/trace-optimize" "\$@"
status=\$?
if [ \$status -gt 128 ]; then
  for f in "$traces/lit/\$\$-"*.bin; do
    [ -e "\$f" ] && mv "\$f" "$traces/lit/killed-\${f##*/}"
  done
fi
exit \$status
SH
chmod +x "$bin/trace-optimize"
ln -s "$main_build/bin/trace-config" "$bin/trace-config"
site="$work/lit"
. "$src/test/support/lit_site.sh"
write_lit_site "$site" "$llvm_bin/clang++" "$bin" "$main_build/lib"
log "lit test/optimize with the instrumented trace-optimize (in the background)"
lit_started=$SECONDS
# Its own process group, so that a failure or a timeout of the stage ends all of it.
# bench-tasks.test drives bench/tasks' scripts with a build folder's own tools (--build), not the
# tool on PATH that the wrapper instruments: it is left out here.
setsid "$python" "$lit" -sv -j "$jobs" --filter '^Trace( [(][^)]*[)])? :: optimize/' \
  --filter-out 'optimize/bench-tasks' "$site" >"$work/lit.log" 2>&1 &
lit_pid=$!
trap 'kill -- -"$lit_pid" 2>/dev/null || true' EXIT
trap 'exit 143' TERM INT

status=0
log "building the GoogleTest units instrumented"
build_targets trace_opt_unittests trace-rt-unit
log "built after $((SECONDS - started)) s"

# What the plugin did, TU by TU.
log "plugin reports"
"$python" "$here/plugin_report.py" "$build" trace_opt trace-optimize trace_opt_unittests \
  trace-rt-unit || status=1

# The GoogleTest units, from their folders so that lit, the fuzz targets and the stages (also
# ctest tests) stay out. The runtime's units set their own TRACE_FILE and TRACE_MAX_VALUE (they
# read their own trace back, and some count every call): they get no limit and their files are
# collected afterwards. The optimizer's units write into the traces folder, with both limits.
run_units() {
  local dir=$1
  shift
  if env "$@" ctest --test-dir "$build/$dir" -j "$jobs" --output-on-failure >"$work/units.log" 2>&1; then
    grep -E 'tests passed|Total Test time' "$work/units.log"
  else
    cat "$work/units.log"
    status=1
  fi
}
rt_unit_dir="$build/test/unit/runtime"
rm -f "$rt_unit_dir"/unit-*.bin
log "GoogleTest units of the runtime, instrumented"
run_units test/unit/runtime
for f in "$rt_unit_dir"/unit-*.bin; do
  if [ -e "$f" ]; then
    mv "$f" "$traces/units/rt-$(basename "$f")"
  fi
done
log "GoogleTest units of the optimizer, instrumented"
run_units test/unit/optimize TRACE_FILE="$traces/units/%p.bin" TRACE_MAX_VALUE="$max_value" \
  TRACE_MAX_CALLS_PER_FUNCTION="$max_calls"
log "units done after $((SECONDS - started)) s"

lit_status=0
wait "$lit_pid" || lit_status=$?
trap - EXIT
if [ "$lit_status" = 0 ]; then
  grep -E '^ *(Passed|Failed|Unsupported|Unresolved)|Testing Time' "$work/lit.log"
else
  cat "$work/lit.log"
  status=1
fi
log "lit done after $((SECONDS - started)) s (lit alone $((SECONDS - lit_started)) s)"

# The traces.
log "traces"
"$python" "$here/check_traces.py" --summary "$main_build/bin/trace-optimize" \
  --expect Reply.cpp --expect JsonLines.cpp "$traces/units" "$traces/lit" || status=1
if [ "${TRACE_DOGFOOD_KEEP:-0}" != 1 ]; then
  rm -rf "$traces"
fi
log "dogfood stage took $((SECONDS - started)) s; status $status"
exit $status
