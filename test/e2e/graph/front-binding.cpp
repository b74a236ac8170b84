// The thread's front binding (the object bound last, rebound inline) keeps
// every edge the address map gives: two chains interleaved, a chain whose
// producer is far back, a store of a plain value, a nested call among the
// arguments, and an object moved out of the front by another binding. A
// copy from a static member names it as written (`Holder::Value`).
// RUN: %clangxx_trace %s -o %t %trace_ldflags
// RUN: env TRACE_FILE=%t.bin %t
// RUN: %python %support/tracecheck.py %t.bin validate graph feedback | FileCheck %s

#include <trace/trace.hpp>

/// Adds one.
[[trace::bundle]] int inc(int v) { return v + 1; }
/// Doubles.
[[trace::bundle]] int twice(int v) { return 2 * v; }
/// Sums.
[[trace::bundle]] int add(int a, int b) { return a + b; }
/// A value of no interest.
[[trace::bundle]] int noise(int v) { return v; }

struct Holder {
  static int Value;
};
int Holder::Value = 3;

int main() {
  int s = Holder::Value, t = s;
  s = Holder::Value;
  int a = t - 2, b = 10;
  for (int i = 0; i < 2; ++i) {
    a = inc(a);   // a, then b, is the front binding in turn
    b = twice(b);
  }
  // 40 calls between a producer and its use: a reference far back.
  int far = inc(0);
  for (int i = 0; i < 40; ++i)
    noise(i);
  far = inc(far);
  // A store where no bundle returns: the variable no longer holds a call's
  // output (it was the front binding).
  int plain = inc(5);
  plain = a < 0 ? inc(1) : 7;
  int p2 = inc(plain);
  // A nested call among the arguments, next to the front binding.
  p2 = add(p2, twice(3));
  trace::feedback(a, "a");
  trace::feedback(b, "b");
  trace::feedback(p2, "p2");
  return 0;
}

// CHECK: valid
// CHECK-NEXT: call inc#0 parent=- args=[v=1]
// CHECK-NEXT: ret inc#0 value=2
// CHECK-NEXT: call twice#0 parent=- args=[v=10]
// CHECK-NEXT: ret twice#0 value=20
// CHECK-NEXT: call inc#1 parent=- args=[v=2<-inc#0]
// CHECK-NEXT: ret inc#1 value=3
// CHECK-NEXT: call twice#1 parent=- args=[v=20<-twice#0]
// CHECK-NEXT: ret twice#1 value=40
// CHECK-NEXT: call inc#2 parent=- args=[v=0]
// CHECK-NEXT: ret inc#2 value=1
// CHECK: call inc#3 parent=- args=[v=1<-inc#2]
// CHECK-NEXT: ret inc#3 value=2
// CHECK-NEXT: call inc#4 parent=- args=[v=5]
// CHECK-NEXT: ret inc#4 value=6
// CHECK-NEXT: call inc#5 parent=- args=[v=7]
// CHECK-NEXT: ret inc#5 value=8
// CHECK-NEXT: call twice#2 parent=- args=[v=3]
// CHECK-NEXT: ret twice#2 value=6
// CHECK-NEXT: call add#0 parent=- args=[a=8<-inc#5, b=6<-twice#2]
// CHECK-NEXT: ret add#0 value=14
// CHECK-NEXT: feedback inc#1 text=a
// CHECK-NEXT: feedback twice#1 text=b
// CHECK-NEXT: feedback add#0 text=p2
