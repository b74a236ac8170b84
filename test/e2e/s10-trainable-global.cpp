// S10: a trainable global variable read inside a bundle is an input of that
// call; trainable parameters are listed even when never used.
// RUN: %clangxx_trace %s -o %t %trace_ldflags
// RUN: env TRACE_FILE=%t.bin %t
// RUN: %python %support/tracecheck.py %t.bin validate graph params | FileCheck %s

[[trace::trainable]] double Gain = 0.5;
[[trace::trainable]] int NeverRead = 7;

[[trace::bundle]] double scale(double x) { return x * Gain; }

/// Never called, still a parameter.
[[trace::trainable]] int unused(int x) { return x + 1; }

int main() {
  double four = 4.0;
  return scale(four) == 2.0 ? 0 : 1;
}

// CHECK: valid
// CHECK-NEXT: call scale#0 parent=- args=[x=4] globals=[var:Gain=0.5]
// CHECK-NEXT: ret scale#0 value=2
// CHECK-DAG: param var:Gain kind=value value=0.5
// CHECK-DAG: param var:NeverRead kind=value value=7
// CHECK-DAG: param code:unused(int) kind=code
