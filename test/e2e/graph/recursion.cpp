// Deep recursion keeps every edge: 10,000 levels alive at once (each level
// binds its result) and 10,000 nested notes (inc(nest(n - 1))).
// RUN: %clangxx_trace %s -o %t %trace_ldflags
// RUN: env TRACE_FILE=%t.jsonl %t
// RUN: grep -c '"from":' %t.jsonl | FileCheck %s --check-prefix=EDGES
// RUN: %python %support/tracecheck.py %t.jsonl validate summary feedback | FileCheck %s

#include <trace/trace.hpp>

[[trace::bundle]] long inc(long x) { return x + 1; }

/// Counts down, binding each level's result before using it.
[[trace::bundle]] long chain(long n) {
  if (n == 0)
    return 0;
  long r = chain(n - 1);
  return inc(r);
}

/// The same depth through nested calls.
[[trace::bundle]] long nest(long n) { return n == 0 ? 0 : inc(nest(n - 1)); }

int main() {
  long a = chain(10000);
  long b = nest(10000);
  trace::feedback(a, "chain");
  trace::feedback(b, "nest");
  return a == b ? 0 : 1;
}

// inc's argument is chain(n - 1) or nest(n - 1) at every level.
// EDGES: {{^}}20000{{$}}
// CHECK: valid
// CHECK: calls chain 10001
// CHECK: calls inc 20000
// CHECK: calls nest 10001
// CHECK-NOT: lost
// CHECK: feedback chain#0 text=chain
// CHECK: feedback nest#0 text=nest
