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
            "TRACE_WRITER_THREAD", "TRACE_CRASH_FLUSH", "OPENAI_API_KEY", "OPENAI_BASE_URL",
            "OPENAI_API_BASE", "TRACE_MODEL"]:
    config.environment.pop(var, None)

runtime_include = os.path.join(config.trace_src_root, "runtime", "include")
runtime_lib = os.path.join(config.trace_lib, "libtrace_rt.a")
plugin_flag = "-fplugin=" + config.trace_plugin
cxxflags = "-std=c++17 -I" + runtime_include + " " + plugin_flag
ldflags = runtime_lib + " -lpthread"

config.substitutions.append(("%trace_plugin", config.trace_plugin))
config.substitutions.append(("%clangxx_trace", config.clangxx + " " + cxxflags))
config.substitutions.append(("%clangxx_plain", config.clangxx + " -std=c++17 -I" + runtime_include))
config.substitutions.append(("%clangxx", config.clangxx))
config.substitutions.append(("%trace_ldflags", ldflags))
config.substitutions.append(("%trace_include", runtime_include))
config.substitutions.append(("%trace_src", config.trace_src_root))
config.substitutions.append(("%python", config.python))
config.substitutions.append(("%support", os.path.join(config.test_source_root, "support")))

# Traces are binary (docs/trace-format.md); `%dump FILE` prints one as JSON Lines for FileCheck
# (a JSON Lines file is printed unchanged). test/support/traceio.py finds the tool through
# TRACE_OPTIMIZE.
trace_optimize = os.path.join(config.trace_bin, "trace-optimize")
config.environment["TRACE_OPTIMIZE"] = trace_optimize
config.substitutions.append(("%dump", trace_optimize + " dump"))

# Tests that need a sanitizer runtime or a network namespace can require these.
if os.path.exists("/usr/lib/llvm-19/lib/clang/19/lib/linux/libclang_rt.tsan-x86_64.a"):
    config.available_features.add("tsan")
if os.path.exists("/usr/lib/llvm-19/lib/clang/19/lib/linux/libclang_rt.asan-x86_64.a"):
    config.available_features.add("asan")
