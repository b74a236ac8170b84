// S1: named locals. `auto a = f(x); auto b = g(a); h(a, b);` links g to f and
// h to both, by the addresses of a and b.
// RUN: %clangxx_trace %s -o %t %trace_ldflags
// RUN: env TRACE_FILE=%t.bin %t
// RUN: %python %support/tracecheck.py %t.bin validate graph | FileCheck %s

[[trace::bundle]] int f(int x) { return x * 2; }
[[trace::bundle]] int g(int y) { return y + 1; }
[[trace::bundle]] int h(int a, int b) { return a * b; }

int main() {
  int x = 3;
  auto a = f(x);
  auto b = g(a);
  return h(a, b) == 42 ? 0 : 1;
}

// CHECK: valid
// CHECK-NEXT: call f#0 parent=- args=[x=3]
// CHECK-NEXT: ret f#0 value=6
// CHECK-NEXT: call g#0 parent=- args=[y=6<-f#0]
// CHECK-NEXT: ret g#0 value=7
// CHECK-NEXT: call h#0 parent=- args=[a=6<-f#0, b=7<-g#0]
// CHECK-NEXT: ret h#0 value=42
// CHECK-EMPTY:
