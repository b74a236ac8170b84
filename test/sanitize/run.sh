#!/usr/bin/env bash
# The sanitizer stage.
#
#   run.sh asan SRC MAIN_BUILD WORK   AddressSanitizer + UndefinedBehaviorSanitizer: builds the
#                                     runtime, trace-optimize and their GoogleTest units in
#                                     WORK/asan, runs the units, then the lit suites that run
#                                     instrumented programs or the tools (TRACE_ASAN_LIT_FILTER,
#                                     default corpus and e2e) with every test program, the
#                                     runtime and the tools sanitized.
#   run.sh tsan SRC MAIN_BUILD WORK   ThreadSanitizer: builds the runtime in WORK/tsan and runs
#                                     the lit tests with threads (TRACE_TSAN_LIT_FILTER, default
#                                     names containing "thread" or "s9"), programs and runtime
#                                     built with -fsanitize=thread.
#
# The plugin runs inside clang, which is not sanitized, so both stages load MAIN_BUILD's plugin.
# Any sanitizer report fails the test that triggers it (halt_on_error, no recovery).
set -euo pipefail

mode=${1:?usage: run.sh asan|tsan SRC MAIN_BUILD WORK}
src=$(cd "${2:?}" && pwd)
main_build=$(cd "${3:?}" && pwd)
work=${4:?}
mkdir -p "$work"
work=$(cd "$work" && pwd)
jobs=${JOBS:-2}
llvm_bin=/usr/lib/llvm-19/bin
lit="${TRACE_LIT:-/usr/lib/llvm-19/build/utils/lit/lit.py}"
python=${PYTHON:-python3}

log() { printf '==> %s\n' "$*"; }

plugin="$main_build/lib/TracePlugin.so"
if [ ! -f "$plugin" ]; then
  echo "run.sh: $plugin is missing: build the main tree first" >&2
  exit 1
fi

case "$mode" in
  asan)
    flags="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
    export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:halt_on_error=1:abort_on_error=0:detect_stack_use_after_return=1}
    export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
    filter=${TRACE_ASAN_LIT_FILTER:-(corpus|e2e)/}
    # Thread scenarios build with -fsanitize=thread, which cannot be combined with ASan: the
    # TSan stage runs them.
    filter_out='[Tt]san'
    ;;
  tsan)
    flags="-fsanitize=thread -fno-omit-frame-pointer"
    export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1}
    filter=${TRACE_TSAN_LIT_FILTER:-[Tt]hread|[Ss]9}
    ;;
  *)
    echo "run.sh: unknown mode '$mode'" >&2
    exit 2
    ;;
esac

build="$work/$mode"
# Configured every time (quick once cached), so that a folder made by an older version of this
# script gets today's options: linked statically, clang's non-sanitized archives would share
# template instances such as BumpPtrAllocator's with the sanitized units, and ASan's poisoning
# of the allocator's slabs would then be undone by only one of them.
log "configuring $build ($flags)"
cmake -S "$src" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTRACE_STATIC_CLANG=OFF \
  -DCMAKE_C_COMPILER=clang-19 -DCMAKE_CXX_COMPILER=clang++-19 \
  -DCMAKE_C_FLAGS="$flags" -DCMAKE_CXX_FLAGS="$flags" \
  -DCMAKE_EXE_LINKER_FLAGS="$flags" -DCMAKE_SHARED_LINKER_FLAGS="$flags" >/dev/null

# Only what the stage runs; the plugin is not rebuilt here.
available=$(ninja -C "$build" -t targets all | sed -n 's/^\([A-Za-z0-9_.-]*\): .*/\1/p')
want=(trace_rt)
if [ "$mode" = asan ]; then
  want+=(trace-optimize trace-config trace-rt-unit trace_opt_unittests)
fi
targets=()
for t in "${want[@]}"; do
  if grep -qx "$t" <<<"$available"; then targets+=("$t"); fi
done
log "building ${targets[*]}"
ninja -C "$build" -j "$jobs" "${targets[@]}"

status=0
if [ "$mode" = asan ]; then
  log "GoogleTest units under ASan+UBSan"
  # Only the units: lit, fuzzing, the third-party project, dogfooding, the GCC, install and
  # package stages and this stage are ctest tests too (they need the main build's tools).
  ctest --test-dir "$build" -j "$jobs" --output-on-failure \
    -E '^(lit|fuzz_|thirdparty-|sanitize-|dogfood|gcc$|install$|deb$|compilers)' || status=1
fi

# A lit site configuration for the sanitized build: programs compiled with the sanitizer,
# linked with the sanitized runtime, tools from the sanitized build, the main build's plugin.
site="$work/$mode-lit"
. "$src/test/support/lit_site.sh"
# The tools a test runs on a trace (trace-optimize) are not what this stage
# checks: under tsan they come from the main build.
tools_bin="$build/bin"
[ "$mode" = tsan ] && tools_bin="$main_build/bin"
write_lit_site "$site" "$llvm_bin/clang++ $flags" "$tools_bin" "$build/lib"
log "lit tests matching '$filter' under $mode"
"$python" "$lit" -sv --filter "$filter" ${filter_out:+--filter-out "$filter_out"} "$site" || status=1
exit $status
