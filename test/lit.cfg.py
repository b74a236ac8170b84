# -*- Python -*-
# lit configuration for Trace for C++.
import os
import lit.formats

config.name = "Trace"
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".cpp", ".c", ".test", ".py"]
config.excludes = ["Inputs", "lit.cfg.py", "lit.site.cfg.py", "unit", "CMakeLists.txt", "support", "dogfood"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.trace_obj_root, "test")

# FileCheck, not, count and split-file come from LLVM's tools directory.
config.environment["PATH"] = os.pathsep.join(
    [config.trace_bin, config.llvm_tools_dir, config.environment.get("PATH", os.environ.get("PATH", ""))])
# Never let a developer's own settings leak into a test.
for var in ["TRACE_FILE", "TRACE_ENABLE", "TRACE_MAX_VALUE", "TRACE_MAX_ELEMENTS", "TRACE_MAX_CALLS_PER_FUNCTION",
            "TRACE_WRITER_THREAD", "TRACE_CRASH_FLUSH", "TRACE_TIMESTAMPS", "OPENAI_API_KEY", "OPENAI_BASE_URL",
            "OPENAI_API_BASE", "TRACE_MODEL"]:
    config.environment.pop(var, None)

# The language standard the tests compile with: `--param std=c++11` (or TRACE_TEST_STD) runs the
# suites under C++11, C++14, C++17 (the default) or C++20. A test that needs a newer standard says
# `REQUIRES: c++17`: feature c++N is present when the chosen standard is C++N or later.
trace_std = lit_config.params.get("std", os.environ.get("TRACE_TEST_STD", "c++17"))
_std_order = ["c++11", "c++14", "c++17", "c++20", "c++23"]
if trace_std not in _std_order:
    lit_config.fatal("std=%s: expected one of %s" % (trace_std, ", ".join(_std_order)))
config.trace_std = trace_std
for _std in _std_order[:_std_order.index(trace_std) + 1]:
    config.available_features.add(_std)
config.name = "Trace (%s)" % trace_std

# The clang the tests compile with: `--param clang=14` (or TRACE_TEST_CLANG) runs them with clang++ 14 and
# lib/TracePlugin-14.so, when the build made that plugin (-DTRACE_CLANG_VERSIONS). Feature clang-N names
# the chosen major version, so a test can say `UNSUPPORTED: clang-14` when that release's language or
# library cannot do what the test needs (say why next to it).
# A site written by a stage script (test/support/lit_site.sh: sanitizers, dogfood) names one compiler,
# clang 19's, and no other plugins.
if not hasattr(config, "trace_clang_default"):
    config.trace_clang_default = "19"
    config.trace_clangs = {"19": config.clangxx}
trace_clang = lit_config.params.get("clang", os.environ.get("TRACE_TEST_CLANG", config.trace_clang_default))
if trace_clang not in config.trace_clangs:
    lit_config.fatal("clang=%s: this build has a plugin for clang %s (configure with -DTRACE_CLANG_VERSIONS)" %
                     (trace_clang, ", ".join(sorted(config.trace_clangs, key=int))))
if trace_clang != config.trace_clang_default:
    config.clangxx = config.trace_clangs[trace_clang]
    config.trace_plugin = os.path.join(config.trace_lib, "TracePlugin-%s.so" % trace_clang)
    config.name += " clang %s" % trace_clang
config.available_features.add("clang-" + trace_clang)

runtime_include = os.path.join(config.trace_src_root, "runtime", "include")
runtime_lib = os.path.join(config.trace_lib, "libtrace_rt.a")
plugin_flag = "-fplugin=" + config.trace_plugin
cxxflags = "-std=" + trace_std + " -I" + runtime_include + " " + plugin_flag
ldflags = runtime_lib + " -lpthread"

config.substitutions.append(("%trace_plugin", config.trace_plugin))
config.substitutions.append(("%clangxx_trace", config.clangxx + " " + cxxflags))
config.substitutions.append(("%clangxx_plain", config.clangxx + " -std=" + trace_std + " -I" + runtime_include))
config.substitutions.append(("%clangxx", config.clangxx))
config.substitutions.append(("%trace_std", trace_std))
config.substitutions.append(("%trace_ldflags", ldflags))
config.substitutions.append(("%trace_include", runtime_include))
config.substitutions.append(("%trace_src", config.trace_src_root))
config.substitutions.append(("%trace_build", os.path.dirname(config.trace_bin)))
config.substitutions.append(("%python", config.python))
config.substitutions.append(("%support", os.path.join(config.test_source_root, "support")))

# Traces are binary (docs/trace-format.md); `%dump FILE` prints one as JSON Lines for FileCheck
# (a JSON Lines file is printed unchanged). test/support/traceio.py finds the tool through
# TRACE_OPTIMIZE.
trace_optimize = os.path.join(config.trace_bin, "trace-optimize")
config.environment["TRACE_OPTIMIZE"] = trace_optimize
config.substitutions.append(("%dump", trace_optimize + " dump"))

# `REQUIRES: dot`: Graphviz's dot program is on PATH (trace-optimize graph --format svg|png).
import shutil
if shutil.which("dot", path=config.environment["PATH"]):
    config.available_features.add("dot")

# `REQUIRES: chromium`: a headless Chromium (Debian's `chromium`, which build.sh installs) renders the
# page of `trace-optimize report`; `%chromium` is its path. Without it those tests are reported as
# unsupported ("requires ... chromium").
chromium = shutil.which("chromium", path=config.environment["PATH"]) or shutil.which(
    "chromium-browser", path=config.environment["PATH"])
if chromium:
    config.available_features.add("chromium")
    config.substitutions.append(("%chromium", chromium))

# Tests that need a sanitizer runtime can require these: the chosen clang's runtime is installed
# (libclang-rt-N-dev).
import shlex
import subprocess
try:
    # A stage's compiler may carry flags ("clang++ -fsanitize=thread ...").
    _resource_dir = subprocess.run(shlex.split(config.clangxx) + ["-print-resource-dir"], capture_output=True, text=True,
                                   check=True).stdout.strip()
except (OSError, subprocess.CalledProcessError) as e:
    lit_config.fatal("%s -print-resource-dir: %s" % (config.clangxx, e))
for _san in ["tsan", "asan"]:
    if os.path.exists(os.path.join(_resource_dir, "lib", "linux", "libclang_rt.%s-x86_64.a" % _san)):
        config.available_features.add(_san)

# `REQUIRES: g++`: GCC's g++ (12, else the default one) builds trace-rewrite's output; `%gxx` runs it.
_gxx = shutil.which("g++-12", path=config.environment["PATH"]) or shutil.which("g++", path=config.environment["PATH"])
if _gxx:
    config.available_features.add("g++")
    config.substitutions.append(("%gxx", _gxx))

# `REQUIRES: slurm`: a real single-node Slurm starts here (Debian's slurm-wlm and munge, as root, which
# build.sh installs). test/support/slurm_cluster.py starts munged, slurmctld and slurmd in a temporary
# folder and stops them again; where that fails, the note says why and those tests are unsupported.
import subprocess
try:
    _probe = subprocess.run([config.python, os.path.join(config.test_source_root, "support", "slurm_cluster.py"),
                             "probe"], capture_output=True, text=True, timeout=120)
    _slurm_why = _probe.stderr.strip() if _probe.returncode else ""
except (OSError, subprocess.TimeoutExpired) as _e:
    _slurm_why = "the start probe failed: %s" % _e
if _slurm_why:
    lit_config.note("Slurm tests unsupported: " + _slurm_why)
else:
    config.available_features.add("slurm")
