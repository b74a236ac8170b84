// A lambda that captures by reference passes the caller's own object: the
// edge holds; a capture by copy has no binding of its own and records none.
// RUN: %clangxx_trace %s -o %t %trace_ldflags
// RUN: env TRACE_FILE=%t.bin %t
// RUN: %python %support/tracecheck.py %t.bin validate graph | FileCheck %s

#include <trace/trace.hpp>

[[trace::trainable]] double gain = 0.5;
[[trace::bundle]] double scale(double x) { return x * 4; }
[[trace::bundle]] double shift(double x) { return x + 1; }

int main() {
  double s = scale(2);
  auto byRef = [&s] { return shift(s); };
  auto byCopy = [s] { return shift(s); };
  auto global = [] { return scale(gain); };
  double a = byRef();
  double b = byCopy();
  double c = global();
  return a + b + c > 0 ? 0 : 1;
}

// CHECK: valid
// CHECK-NEXT: call scale#0 parent=- args=[x=2]
// CHECK-NEXT: ret scale#0 value=8
// CHECK-NEXT: call shift#0 parent=- args=[x=8<-scale#0]
// CHECK-NEXT: ret shift#0 value=9
// CHECK-NEXT: call shift#1 parent=- args=[x=8]
// CHECK-NEXT: ret shift#1 value=9
// CHECK-NEXT: call scale#1 parent=- args=[x=0.5<=var:gain]
