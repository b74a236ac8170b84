// Values reach a bundle through non-bundle helpers (both ways: a wildcard
// note carries d into viaHelper), ternaries, structured
// bindings and copies: the edge names the call that produced the value.
// RUN: %clangxx_trace %s -o %t %trace_ldflags
// RUN: env TRACE_FILE=%t.bin %t
// RUN: %python %support/tracecheck.py %t.bin validate graph feedback | FileCheck %s

#include <trace/trace.hpp>
#include <utility>

[[trace::bundle]] int twice(int x) { return 2 * x; }
[[trace::bundle]] int inc(int x) { return x + 1; }
[[trace::bundle]] std::pair<int, int> split(int x) { return {x / 10, x % 10}; }

int viaHelper(int x) { return twice(x); }
int ignores(int x) { return x + 100; }

int main(int argc, char **) {
  int a = viaHelper(3);
  int b = inc(a);
  int c = argc > 0 ? twice(b) : inc(b);
  int d = inc(c);
  int e = inc(viaHelper(d));
  auto [hi, lo] = split(e);
  int f = inc(lo);
  int g = f;
  int h = inc(g);
  int i = ignores(h);
  trace::feedback(i, "not from a bundle");
  trace::feedback(inc(h), "temporary");
  return hi + i > 0 ? 0 : 1;
}

// CHECK: valid
// CHECK-NEXT: call twice#0 parent=- args=[x=3]
// CHECK-NEXT: ret twice#0 value=6
// CHECK-NEXT: call inc#0 parent=- args=[x=6<-twice#0]
// CHECK-NEXT: ret inc#0 value=7
// CHECK-NEXT: call twice#1 parent=- args=[x=7<-inc#0]
// CHECK-NEXT: ret twice#1 value=14
// CHECK-NEXT: call inc#1 parent=- args=[x=14<-twice#1]
// CHECK-NEXT: ret inc#1 value=15
// CHECK-NEXT: call twice#2 parent=- args=[x=15<-inc#1]
// CHECK-NEXT: ret twice#2 value=30
// CHECK-NEXT: call inc#2 parent=- args=[x=30<-twice#2]
// CHECK-NEXT: ret inc#2 value=31
// CHECK-NEXT: call split#0 parent=- args=[x=31<-inc#2]
// CHECK-NEXT: ret split#0 value=(3, 1)
// CHECK-NEXT: call inc#3 parent=- args=[x=1<~split#0]
// CHECK-NEXT: ret inc#3 value=2
// CHECK-NEXT: call inc#4 parent=- args=[x=2<-inc#3]
// CHECK-NEXT: ret inc#4 value=3
// CHECK-NEXT: feedback run unattributed=not produced by a recorded call text=not from a bundle
// CHECK-NEXT: call inc#5 parent=- args=[x=3<-inc#4]
// CHECK-NEXT: ret inc#5 value=4
// CHECK-NEXT: feedback inc#5 text=temporary
