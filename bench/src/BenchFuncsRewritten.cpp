//===- BenchFuncsRewritten.cpp - BenchFuncs.cpp as the plugin emits it ----===//
//
// The traced build of BenchFuncs.cpp written out in the plugin's output
// form (docs/design.md, appendix), for measuring the runtime when the
// plugin is not available (TRACE_BENCH_INSTRUMENT=manual). Each inserted
// block stays on the line of the original, as the plugin keeps it.
//
//===----------------------------------------------------------------------===//

#include "trace/abi.hpp"

#include "BenchFuncs.h"

namespace traced {

/// Adds two numbers.
[[trace::bundle]] int add(int a, int b) {static ::__trace_rt::__Site __trace_site{0x8301eb03e3b6a948ull, "traced::add(int, int)", "traced::add", __PRETTY_FUNCTION__, __FILE__, 17, "a\0b\0", 2, "Adds two numbers.", nullptr, 0u}; ::__trace_rt::__Call __trace_call(__trace_site); __trace_call.__arg(0, a); __trace_call.__arg(1, b); try { return ::__trace_rt::__retv(__trace_call, a + b); } catch (...) { __trace_call.__threw(); throw; }}

/// Length of a text.
[[trace::bundle]] std::size_t measure(const std::string &s) {static ::__trace_rt::__Site __trace_site{0xc660878e7ce0925eull, "traced::measure(const std::string &)", "traced::measure", __PRETTY_FUNCTION__, __FILE__, 20, "s\0", 1, "Length of a text.", nullptr, 0u}; ::__trace_rt::__Call __trace_call(__trace_site); __trace_call.__arg(0, s); try { return ::__trace_rt::__retv(__trace_call, s.size()); } catch (...) { __trace_call.__threw(); throw; }}

/// N calls of add in a loop that reassigns its result.
int chain(int n) {
  int y = 0;
  for (int i = 0; i < n; ++i) {
    ((void)::__trace_rt::__Assign(y, ::__trace_rt::__BindSet), y = add((::__trace_rt::__note(y, 0x8301eb03e3b6a948ull, 0)), i & 1023));
  }
  return y;
}

int chainVar(int n) {
  ::__trace_rt::__Local __trace_l1; int y = 0; __trace_l1.__guard(y);
  for (int i = 0; i < n; ++i) {
    int j = i & 1023;
    ((void)::__trace_rt::__Assign(y, ::__trace_rt::__BindSet), y = add(::__trace_rt::__note(y, 0x8301eb03e3b6a948ull, 0), ::__trace_rt::__note(j, 0x8301eb03e3b6a948ull, 1)));
  }
  return y;
}

/// Skips one token (bytes up to a space) and the spaces after it.
[[trace::bundle]] const char *nextToken(const char *p) {static ::__trace_rt::__Site __trace_site{0x5d1e0f3a9b7c2e41ull, "traced::nextToken(const char *)", "traced::nextToken", __PRETTY_FUNCTION__, __FILE__, 24, "p\0", 1, "Skips one token (bytes up to a space) and the spaces after it.", nullptr, 0u}; ::__trace_rt::__Call __trace_call(__trace_site); __trace_call.__arg(0, p); try {
  while (*p && *p != ' ')
    ++p;
  while (*p == ' ')
    ++p;
  return ::__trace_rt::__retv(__trace_call, p);
} catch (...) { __trace_call.__threw(); throw; }}

} // namespace traced
