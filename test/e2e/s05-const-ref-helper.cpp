// S5: a value passed through a const& parameter of an unannotated helper
// keeps its edge (the helper's parameter is the caller's object).
// RUN: %clangxx_trace %s -o %t %trace_ldflags
// RUN: env TRACE_FILE=%t.bin %t
// RUN: %python %support/tracecheck.py %t.bin validate graph | FileCheck %s

[[trace::bundle]] int f(int x) { return x * 2; }
[[trace::bundle]] int g(int y) { return y + 1; }
[[trace::bundle]] int k(const int &r) { return r - 1; }

static int helper(const int &v) { return g(v); }
static int forward(const int &v) { return k(v); }

int main() {
  int four = 4;
  auto a = f(four);
  int r = helper(a);
  int s = forward(a);
  return r == 9 && s == 7 ? 0 : 1;
}

// CHECK: valid
// CHECK-NEXT: call f#0 parent=- args=[x=4]
// CHECK-NEXT: ret f#0 value=8
// CHECK-NEXT: call g#0 parent=- args=[y=8<-f#0]
// CHECK-NEXT: ret g#0 value=9
// CHECK-NEXT: call k#0 parent=- args=[r=8<-f#0]
// CHECK-NEXT: ret k#0 value=7
