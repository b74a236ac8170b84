//===- BenchFuncs.cpp - The bundles the benchmarks call -------------------===//
//
// Built twice: -DBENCH_NS=plain without the plugin and -DBENCH_NS=traced
// with -fplugin=TracePlugin.so. Kept out of line (own TU, no LTO) so the
// calls are real calls in both builds.
//
//===----------------------------------------------------------------------===//

#include "BenchFuncs.h"

namespace BENCH_NS {

/// Adds two numbers.
[[trace::bundle]] int add(int a, int b) { return a + b; }

/// Length of a text.
[[trace::bundle]] std::size_t measure(const std::string &s) { return s.size(); }

} // namespace BENCH_NS
