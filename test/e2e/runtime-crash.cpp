// A run that crashes leaves a file readable up to its last complete line:
// every write is a whole number of lines.
// RUN: %clangxx_plain -D__TRACE_PLUGIN__ %s -o %t %trace_ldflags
// RUN: env TRACE_FILE=%t.jsonl not --crash %t
// RUN: %python %support/tracecheck.py %t.jsonl graph | FileCheck %s
// RUN: not %python %support/tracecheck.py %t.jsonl validate | FileCheck --check-prefix=INVALID %s

#include "trace/abi.hpp"
#include "trace/trace.hpp"

#include <cstdlib>

static int f(int x) {
  static ::__trace_rt::Site __trace_site{0x1ull, "f(int)", "f", __PRETTY_FUNCTION__, __FILE__, 13, "x\0", 1, "", nullptr, 0u};
  ::__trace_rt::Call __trace_call(__trace_site);
  __trace_call.arg(0, x);
  return ::__trace_rt::invoke(__trace_call, [&]() -> int { return x + 1; });}

int main() {
  f(1);
  trace::flush();
  f(2);
  std::abort();
}

// CHECK: call f#0 parent=- args=[x=1]
// CHECK-NEXT: ret f#0 value=2
// CHECK-EMPTY:
// INVALID: problem: no end record as the last line
