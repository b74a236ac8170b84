// S3: two calls return equal values; each later use links to the call that
// produced that very object, not to the first equal value.
// RUN: %clangxx_trace %s -o %t %trace_ldflags
// RUN: env TRACE_FILE=%t.bin %t
// RUN: %python %support/tracecheck.py %t.bin validate graph | FileCheck %s

[[trace::bundle]] int f(int x) { return x * 2; }
[[trace::bundle]] int g(int y) { return y + 1; }

int main() {
  int one = 1;
  auto a = f(one);
  auto b = f(one);
  int r = g(b);
  int s = g(a);
  return r == 3 && s == 3 ? 0 : 1;
}

// CHECK: valid
// CHECK-NEXT: call f#0 parent=- args=[x=1]
// CHECK-NEXT: ret f#0 value=2
// CHECK-NEXT: call f#1 parent=- args=[x=1]
// CHECK-NEXT: ret f#1 value=2
// CHECK-NEXT: call g#0 parent=- args=[y=2<-f#1]
// CHECK-NEXT: ret g#0 value=3
// CHECK-NEXT: call g#1 parent=- args=[y=2<-f#0]
// CHECK-NEXT: ret g#1 value=3
