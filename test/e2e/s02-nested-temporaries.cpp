// S2: nested temporaries. In h(g(f(x))) each call's argument is the output
// of the call nested in it.
// RUN: %clangxx_trace %s -o %t %trace_ldflags
// RUN: env TRACE_FILE=%t.bin %t
// RUN: %python %support/tracecheck.py %t.bin validate graph | FileCheck %s

[[trace::bundle]] int f(int x) { return x * 2; }
[[trace::bundle]] int g(int y) { return y + 1; }
[[trace::bundle]] int h(int z) { return z * 10; }
[[trace::bundle]] int add(int a, int b) { return a + b; }

int main() {
  int x = 2;
  int r = h(g(f(x)));
  // Two nested calls of the same bundle as arguments of a third one.
  int s = add(add(x, 1), f(x));
  return r == 50 && s == 7 ? 0 : 1;
}

// CHECK: valid
// CHECK-NEXT: call f#0 parent=- args=[x=2]
// CHECK-NEXT: ret f#0 value=4
// CHECK-NEXT: call g#0 parent=- args=[y=4<-f#0]
// CHECK-NEXT: ret g#0 value=5
// CHECK-NEXT: call h#0 parent=- args=[z=5<-g#0]
// CHECK-NEXT: ret h#0 value=50
// The evaluation order of add's arguments is the compiler's choice.
// CHECK-DAG: call add#0 parent=- args=[a=2, b=1]
// CHECK-DAG: call f#1 parent=- args=[x=2]
// CHECK: call add#1 parent=- args=[a=3<-add#0, b=4<-f#1]
// CHECK-NEXT: ret add#1 value=7
