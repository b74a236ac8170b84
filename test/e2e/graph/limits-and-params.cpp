// A trainable variable passed as an argument is the parameter itself (the
// numeric chain of the reference's example), and feedback on a value from a
// call that the call limit did not record says so instead of naming another.
// RUN: %clangxx_trace %s -o %t %trace_ldflags
// RUN: env TRACE_FILE=%t.bin TRACE_MAX_CALLS_PER_FUNCTION=3 %t
// RUN: %python %support/tracecheck.py %t.bin validate graph feedback | FileCheck %s

#include <trace/trace.hpp>

[[trace::trainable]] double gain = 0.5;

[[trace::bundle]] double scale(double x) { return 3 * x; }
[[trace::bundle]] double offset(double x) { return x + 1; }
[[trace::bundle]] double loss(double x) { return (x - 10) * (x - 10); }
[[trace::bundle]] int counted(int i) { return i * 10; }

int main() {
  double l = loss(offset(scale(gain)));
  trace::feedback(l, "minimize it", -l);
  int last = 0;
  for (int i = 0; i < 5; ++i)
    last = counted(i);
  trace::feedback(last, "expected 50");
  return 0;
}

// CHECK: valid
// CHECK-NEXT: call scale#0 parent=- args=[x=0.5<=var:gain]
// CHECK-NEXT: ret scale#0 value=1.5
// CHECK-NEXT: call offset#0 parent=- args=[x=1.5<-scale#0]
// CHECK-NEXT: ret offset#0 value=2.5
// CHECK-NEXT: call loss#0 parent=- args=[x=2.5<-offset#0]
// CHECK-NEXT: ret loss#0 value=56.25
// CHECK-NEXT: feedback loss#0 text=minimize it score=-56.25
// CHECK: call counted#2 parent=- args=[i=2]
// CHECK-NEXT: ret counted#2 value=20
// CHECK-NEXT: feedback run unattributed=produced by a call of counted that the call limit did not record text=expected 50
