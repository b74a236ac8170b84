// trace::feedback attaches to the producer of a value (named or temporary);
// feedback without a value is about the whole run (node 0), never the
// latest call; trace::success marks the run good.
// RUN: %clangxx_trace %s -o %t %trace_ldflags
// RUN: env TRACE_FILE=%t.bin %t
// RUN: %python %support/tracecheck.py %t.bin validate feedback | FileCheck %s

#include <trace/trace.hpp>

[[trace::bundle]] int f(int x) { return x * 2; }
[[trace::bundle]] int top(int x) { return f(x) + 1; }

int main() {
  int one = 1, two = 2;
  auto a = f(one);
  f(two);
  trace::feedback(a, "too small", 0.25);
  trace::feedback(f(3), "temporary");
  top(two);
  trace::feedback("overall", 0.5);
  trace::success("done");
  return 0;
}

// CHECK: valid
// CHECK-NEXT: feedback f#0 text=too small score=0.25
// CHECK-NEXT: feedback f#2 text=temporary
// CHECK-NEXT: feedback {{-|run}} text=overall score=0.5
// CHECK-NEXT: feedback {{-|run}} text=done success
