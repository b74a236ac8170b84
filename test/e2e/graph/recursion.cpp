// Deep recursion keeps every edge: 10,000 levels alive at once (each level
// binds its result) and 10,000 nested notes (inc(nest(n - 1))).
// RUN: %clangxx_trace %s -o %t %trace_ldflags
// RUN: env TRACE_FILE=%t.bin %t
// RUN: %dump %t.bin | grep -c '"from":' | FileCheck %s --check-prefix=EDGES
// RUN: %python %support/tracecheck.py %t.bin validate summary feedback | FileCheck %s

#include <pthread.h>
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

static void *run(void *Ok) {
  long a = chain(10000);
  long b = nest(10000);
  trace::feedback(a, "chain");
  trace::feedback(b, "nest");
  *static_cast<bool *>(Ok) = a == b;
  return nullptr;
}

int main() {
  // 10,000 frames need more than the default stack under AddressSanitizer.
  pthread_attr_t Attr;
  pthread_attr_init(&Attr);
  pthread_attr_setstacksize(&Attr, 512u << 20);
  pthread_t T;
  bool Ok = false;
  if (pthread_create(&T, &Attr, run, &Ok) != 0)
    return 2;
  pthread_join(T, nullptr);
  return Ok ? 0 : 1;
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
