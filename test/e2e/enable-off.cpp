// TRACE_ENABLE=0 turns recording off in the same binary: no file, same
// behaviour.
// RUN: %clangxx_trace %s -o %t %trace_ldflags
// RUN: rm -f %t.bin
// RUN: env TRACE_ENABLE=0 TRACE_FILE=%t.bin %t | FileCheck %s
// RUN: not test -e %t.bin
// RUN: env TRACE_FILE=%t.bin %t | FileCheck %s
// RUN: %python %support/tracecheck.py %t.bin summary | FileCheck --check-prefix=ON %s

#include <cstdio>
#include <trace/trace.hpp>

[[trace::bundle]] int f(int x) { return x * 2; }

int main() {
  int Sum = 0;
  for (int I = 0; I < 10; ++I)
    Sum += f(I);
  trace::feedback("ignored when off");
  std::printf("sum=%d\n", Sum);
  return 0;
}

// CHECK: sum=90
// ON: calls f 10
