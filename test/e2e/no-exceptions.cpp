// A program built with -fno-exceptions records calls the same way.
// RUN: %clangxx_trace -fno-exceptions %s -o %t %trace_ldflags
// RUN: env TRACE_FILE=%t.bin %t
// RUN: %python %support/tracecheck.py %t.bin validate graph | FileCheck %s

[[trace::bundle]] int f(int x) { return x * 2; }
[[trace::bundle]] void sink(int v) { (void)v; }

int main() {
  int x = 5;
  auto a = f(x);
  sink(a);
  return 0;
}

// CHECK: valid
// CHECK-NEXT: call f#0 parent=- args=[x=5]
// CHECK-NEXT: ret f#0 value=10
// CHECK-NEXT: call sink#0 parent=- args=[v=10<-f#0]
// CHECK-NEXT: ret sink#0 void
