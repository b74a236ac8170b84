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

/// N calls of add in a loop that reassigns its result, `y = add(y, i)`: in
/// the traced build the plugin binds y to each call, so every call but the
/// first records a data-flow edge (the provenance machinery's cost).
int chain(int n) {
  int y = 0;
  for (int i = 0; i < n; ++i)
    y = add(y, i & 1023);
  return y;
}

/// The same loop with a plain variable as the second argument,
/// `y = add(y, j)`: the call site notes both arguments, and only y has a
/// producer.
int chainVar(int n) {
  int y = 0;
  for (int i = 0; i < n; ++i) {
    int j = i & 1023;
    y = add(y, j);
  }
  return y;
}

/// Skips one token (bytes up to a space) and the spaces after it: a cursor
/// into a large text, as a tokenizer passes it.
[[trace::bundle]] const char *nextToken(const char *p) {
  while (*p && *p != ' ')
    ++p;
  while (*p == ' ')
    ++p;
  return p;
}

} // namespace BENCH_NS
