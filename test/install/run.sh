#!/usr/bin/env bash
# The install and package stages: an installed Trace for C++ works from wherever it is moved.
#
#   run.sh install SRC BUILD   cmake --install BUILD into a temporary prefix, then move the prefix
#   run.sh deb SRC BUILD       cpack -G DEB in BUILD; check the package's control fields and file
#                              list (dpkg-deb -f/-c), then unpack it (no root, no apt) as the prefix
#
# Then, from the moved prefix only, in a sandbox (bubblewrap) where SRC and BUILD are empty folders
# and the environment names neither: configure and build Inputs/example with find_package(Trace)
# and trace_instrument(), run it, read its trace with the installed `trace-optimize summary`;
# build the same program by hand with the installed trace-config. It reuses BUILD's artifacts.
set -euo pipefail

mode=${1:?usage: run.sh install|deb SRC BUILD}
src=$(cd "${2:?}" && pwd)
build=$(cd "${3:?}" && pwd)
here="$src/test/install"
# A partial build (the sanitize stage's tree has no plugin) has nothing to install: skipped (77).
for f in "$build/lib/TracePlugin.so" "$build/lib/libtrace_rt.a" "$build/bin/trace-optimize" "$build/bin/trace-config"; do
  [ -e "$f" ] || { echo "UNSUPPORTED: $f is not built"; exit 77; }
done
work=$(mktemp -d "${TMPDIR:-/tmp}/trace-install.XXXXXX")
trap 'rm -rf "$work"' EXIT
log() { printf '==> %s\n' "$*"; }
fail() { echo "run.sh: FAIL: $*" >&2; exit 1; }

case "$mode" in
  install)
    log "cmake --install $build --prefix $work/stage"
    cmake --install "$build" --prefix "$work/stage" >"$work/install.log"
    mv "$work/stage" "$work/moved"
    prefix="$work/moved" ;;
  deb)
    log "cpack -G DEB"
    (cd "$work" && cpack -G DEB --config "$build/CPackConfig.cmake" -B "$work/pkg" >"$work/cpack.log") ||
      { cat "$work/cpack.log"; fail "cpack"; }
    debs=("$work"/pkg/trace-cpp_*.deb)
    [ -f "${debs[0]}" ] || fail "no trace-cpp_*.deb in $(ls "$work/pkg")"
    deb=${debs[0]}
    version=$(sed -n 's/^project(Trace VERSION \([0-9.]*\).*/\1/p' "$src/CMakeLists.txt")
    arch=$(dpkg --print-architecture)
    [ "$(basename "$deb")" = "trace-cpp_${version}_${arch}.deb" ] || fail "package named $(basename "$deb")"
    dpkg-deb -f "$deb" Package Version Architecture Depends | tee "$work/control"
    grep -qx "Package: trace-cpp" "$work/control" || fail "Package"
    grep -qx "Version: $version" "$work/control" || fail "Version"
    grep -qx "Architecture: $arch" "$work/control" || fail "Architecture"
    depends=$(sed -n 's/^Depends: //p' "$work/control" | tr ',' '\n' | sed 's/^ *//; s/ .*//')
    # What the binaries need: clang 19 (the plugin loads into it, trace-optimize runs its clang++),
    # and the package of each shared library trace-optimize links, clang's and LLVM's included when
    # it links them dynamically.
    need=(clang-19 libc6 libstdc++6)
    needed=$(objdump -p "$build/bin/trace-optimize" | sed -n 's/^ *NEEDED *//p')
    grep -q '^libclang-cpp' <<<"$needed" && need+=(libclang-cpp19)
    grep -q '^libLLVM' <<<"$needed" && need+=(libllvm19)
    grep -q '^libcurl' <<<"$needed" && need+=(libcurl4)
    for p in "${need[@]}"; do
      grep -qx "$p" <<<"$depends" || fail "Depends lacks $p: $depends"
    done
    # The plugin links no clang library: it binds to the clang that loads it.
    if objdump -p "$build/lib/TracePlugin.so" | grep -q 'NEEDED *lib\(clang\|LLVM\)'; then
      fail "the plugin links a clang library"
    fi
    dpkg-deb -c "$deb" | awk '{print $NF}' | sed 's|^\./|/|' >"$work/files"
    # The plugins for other clangs (-DTRACE_CLANG_VERSIONS) are packaged beside the default one.
    for p in "$build"/lib/TracePlugin-*.so; do
      [ -e "$p" ] || continue
      grep -qx "/usr/lib/trace/${p##*/}" "$work/files" || fail "the package lacks /usr/lib/trace/${p##*/}"
    done
    for f in /usr/bin/trace-optimize /usr/bin/trace-config /usr/lib/trace/TracePlugin.so /usr/lib/libtrace_rt.a \
             /usr/include/trace/abi.hpp /usr/include/trace/trace.hpp /usr/include/trace/format.hpp \
             /usr/lib/cmake/Trace/TraceConfig.cmake /usr/lib/cmake/Trace/TraceConfigVersion.cmake \
             /usr/share/doc/trace-cpp/README.md /usr/share/doc/trace-cpp/getting-started.md; do
      grep -qx "$f" "$work/files" || fail "the package lacks $f"
    done
    outside=$(grep -vx '/\|/usr/\|/usr/\(bin\|lib\|include\|share\)/.*' "$work/files" || true)
    [ -z "$outside" ] || fail "files outside /usr/{bin,lib,include,share}: $outside"
    log "package: $(basename "$deb"), $(wc -l <"$work/files") entries, Depends: $(echo $depends)"
    dpkg-deb -x "$deb" "$work/root"
    prefix="$work/root/usr" ;;
  *) fail "unknown mode '$mode'" ;;
esac

# No installed text file names the source or the build tree.
if grep -rlI -e "$src" -e "$build" "$prefix"; then
  fail "the installed files above name $src or $build"
fi

cp -r "$here/Inputs/example" "$work/example"
cat >"$work/inside.sh" <<'INSIDE'
set -euo pipefail
prefix=$1 work=$2
cd "$work"
cmake -S example -B example-build -G Ninja -DCMAKE_CXX_COMPILER=clang++-19 \
  -DCMAKE_PREFIX_PATH="$prefix" >example-configure.log
cmake --build example-build >example-build.log
TRACE_FILE="$work/cmake.bin" example-build/app
"$prefix/bin/trace-optimize" summary "$work/cmake.bin"
# By hand, with trace-config; -MD lists every header the compile read.
clang++-19 $("$prefix/bin/trace-config" --cxxflags) -MD -MF app.d -c example/app.cpp -o app.o
clang++-19 app.o $("$prefix/bin/trace-config" --ldflags) -o app-by-hand
TRACE_FILE="$work/by-hand.bin" ./app-by-hand
"$prefix/bin/trace-optimize" summary "$work/by-hand.bin" >/dev/null
"$prefix/bin/trace-config" --plugin --includedir --ldflags
# Each other clang with an installed plugin: trace-config and trace_instrument() pick that plugin.
plugindir=$(dirname "$("$prefix/bin/trace-config" --plugin)")
for plugin in "$plugindir"/TracePlugin-*.so; do
  [ -e "$plugin" ] || continue
  v=${plugin##*/TracePlugin-}
  v=${v%.so}
  cxx=clang++-$v
  if ! command -v "$cxx" >/dev/null; then
    echo "clang $v: $cxx is not installed, not tried"
    continue
  fi
  picked=$("$prefix/bin/trace-config" --cxx "$cxx" --plugin)
  [ "$picked" = "$plugin" ] || { echo "trace-config --cxx $cxx picked $picked"; exit 1; }
  cmake -S example -B "example-build-$v" -G Ninja -DCMAKE_CXX_COMPILER="$cxx" \
    -DCMAKE_PREFIX_PATH="$prefix" >"example-configure-$v.log"
  cmake --build "example-build-$v" -v >"example-build-$v.log"
  grep -q -- "-fplugin=$plugin" "example-build-$v.log" || { echo "trace_instrument() did not load $plugin"; exit 1; }
  TRACE_FILE="$work/cmake-$v.bin" "example-build-$v/app"
  "$prefix/bin/trace-optimize" summary "$work/cmake-$v.bin" | grep -q label
  echo "clang $v: trace-config and trace_instrument() use ${plugin##*/}; the example is traced"
done
INSIDE
clean_env=(env -i "PATH=/usr/local/bin:/usr/bin:/bin" "HOME=$work" "TMPDIR=$work" "LANG=C.UTF-8")
if bwrap --dev-bind / / --tmpfs "$src" --tmpfs "$build" true 2>/dev/null; then
  sandbox=(bwrap --dev-bind / / --tmpfs "$src" --tmpfs "$build" --)
else
  log "bubblewrap cannot make a sandbox here: the source and build trees stay visible"
  sandbox=()
fi
log "building the example against $prefix"
"${sandbox[@]}" "${clean_env[@]}" bash "$work/inside.sh" "$prefix" "$work" >"$work/inside.log" 2>&1 ||
  { cat "$work/inside.log"; for f in "$work"/*.log; do echo "--- $f"; cat "$f"; done; fail "the example"; }
cat "$work/inside.log"
grep -q 'label' "$work/inside.log" || fail "the summary does not name label()"
grep -q "$prefix/include/trace/abi.hpp" "$work/app.d" || fail "the compile did not read the installed abi.hpp"
if grep -e "$src" -e "$build" "$work/app.d" "$work/example-build/CMakeCache.txt"; then
  fail "the example's build names $src or $build"
fi
log "PASS ($mode)"
