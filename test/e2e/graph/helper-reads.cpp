// A trainable variable read by a helper that a bundle calls is an input of
// that call, as if the bundle read it itself (transitively, within the TU);
// one declared after the bundle cannot be named there and is left out.
// RUN: %clangxx_trace %s -o %t %trace_ldflags
// RUN: env TRACE_FILE=%t.bin %t
// RUN: %python %support/tracecheck.py %t.bin validate graph | FileCheck %s

#include <trace/trace.hpp>

[[trace::trainable]] double threshold = 0.25;
[[trace::trainable]] double slope = 2.0;

static double clampBelow(double x) { return x < threshold ? threshold : x; }
static double shape(double x) { return clampBelow(x) * slope; }
double late(double x);

[[trace::bundle]] double score(double x) { return shape(x); }
[[trace::bundle]] double other(double x) { return late(x); }

[[trace::trainable]] double declaredLate = 1.0;
double late(double x) { return x + declaredLate; }

int main() { return score(0.1) + other(1) > 0 ? 0 : 1; }

// CHECK: valid
// CHECK-NEXT: call score#0 parent=- args=[x=0.1] globals=[var:threshold=0.25, var:slope=2]
// CHECK: call other#0 parent=- args=[x=1]{{$}}
