#!/usr/bin/env bash
# Set-up, build and run Trace for C++ on Debian 12. Installs what is missing, then:
#   ./build.sh demo   build the plugin, runtime and tools, build example (a) under the plugin, run it,
#                     show where its graph went and what it holds, then take optimization steps
#                     (or print the prompt and how to configure an endpoint when none is set)
#   ./build.sh test   build everything, with a plugin for each clang in extra_clangs too, and run the
#                     whole test suite (lit + GoogleTest, through ctest; the compilers stages included)
#   ./build.sh build  only install and build
# Environment: BUILD_DIR (default ./build), JOBS (default: number of cores).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
build_dir=${BUILD_DIR:-$here/build}
jobs=${JOBS:-$(nproc)}

packages=(cmake ninja-build python3 clang-19 libclang-19-dev llvm-19-dev llvm-19-tools libclang-rt-19-dev
          libfmt-dev nlohmann-json3-dev libcurl4-openssl-dev libgtest-dev libgmock-dev libbenchmark-dev bubblewrap lld
          graphviz dpkg-dev file chromium)  # graphviz: graph --format svg; dpkg-dev, file: `cpack -G DEB`;
                                            # chromium: the report's rendering test
packages+=(libsqlite3-dev)  # trace-optimize search: the run database
packages+=(slurm-wlm munge) # search --executor slurm: the test suite starts a single-node Slurm
# The other clangs the test command builds a plugin for and runs the plugin, e2e and corpus suites with
# (ctest stages compilers-clang-N, about 8 minutes each on 2 cores): the oldest supported and 16, the
# first that compiles libstdc++ 12's <ranges>. 15 builds the same way (-DTRACE_CLANG_VERSIONS) but is
# left out to keep within the CI's 90 minutes.
extra_clangs=(14 16)

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

install_missing() {
  local missing=()
  for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing missing packages: ${missing[*]}"
  local sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

configure_and_build() {
  install_missing
  if [ ! -f "$build_dir/build.ninja" ]; then
    log "configuring in $build_dir"
    cmake -S "$here" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DCMAKE_C_COMPILER=clang-19 -DCMAKE_CXX_COMPILER=clang++-19 >/dev/null
  fi
  if [ -n "${clang_versions:-}" ]; then
    log "plugins for clang ${clang_versions//;/, }"
    cmake -B "$build_dir" -DTRACE_CLANG_VERSIONS="$clang_versions" >/dev/null
  fi
  log "building"
  cmake --build "$build_dir" -j "$jobs"
}

cmd=${1:-}
case "$cmd" in
  build)
    configure_and_build ;;
  test)
    for v in "${extra_clangs[@]}"; do
      packages+=("clang-$v" "libclang-$v-dev" "llvm-$v-dev")
      # The sanitizer tests' runtimes: only recommended (not installed here) for 14 and 16; Debian 12's
      # clang 15 has them in libclang-common-15-dev and no libclang-rt-15-dev.
      [ "$v" = 15 ] || packages+=("libclang-rt-$v-dev")
    done
    clang_versions=$(IFS=';'; echo "${extra_clangs[*]};19")
    configure_and_build
    log "running the test suite"
    cd "$build_dir"
    ctest --output-on-failure -j "$jobs" ;;
  demo)
    configure_and_build
    exec "$here/examples/demo.sh" "$build_dir" ;;
  *)
    sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'
    [ -z "$cmd" ] && exit 1
    echo "build.sh: unknown command '$cmd'" >&2; exit 1 ;;
esac
