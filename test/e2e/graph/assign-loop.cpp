// Assignment from a bundle call rebinds the variable: `y = step(y, i)` in a
// loop is a chain, and feedback on y names the last step, not the first input.
// RUN: %clangxx_trace %s -o %t %trace_ldflags
// RUN: env TRACE_FILE=%t.bin %t 5
// RUN: %python %support/tracecheck.py %t.bin validate graph feedback | FileCheck %s
// A million iterations: exactly one edge per step after the first.
// RUN: env TRACE_FILE=%t.big.bin %t 1000000
// RUN: %dump %t.big.bin | grep -c '"from":' | FileCheck %s --check-prefix=BIG
// RUN: %dump %t.big.bin | grep -c '"k":"call"' | FileCheck %s --check-prefix=BIG-CALLS
// RUN: trace-optimize prompt --trace %t.bin | FileCheck %s --check-prefix=PROMPT

#include <cstdlib>
#include <trace/trace.hpp>

/// One step of the recurrence.
[[trace::trainable]] double step(double y, int i) { return y * 1.5 + i; }

int main(int argc, char **argv) {
  int n = argc > 1 ? std::atoi(argv[1]) : 5;
  double y = 1;
  for (int i = 0; i < n; ++i)
    y = step(y, i);
  trace::feedback(y, "make it larger");
  return 0;
}

// CHECK: valid
// CHECK-NEXT: call step#0 parent=- args=[y=1, i=0]
// CHECK-NEXT: ret step#0 value=1.5
// CHECK-NEXT: call step#1 parent=- args=[y=1.5<-step#0, i=1]
// CHECK-NEXT: ret step#1 value=3.25
// CHECK-NEXT: call step#2 parent=- args=[y=3.25<-step#1, i=2]
// CHECK-NEXT: ret step#2 value=6.875
// CHECK-NEXT: call step#3 parent=- args=[y=6.875<-step#2, i=3]
// CHECK-NEXT: ret step#3 value=13.3125
// CHECK-NEXT: call step#4 parent=- args=[y=13.3125<-step#3, i=4]
// CHECK-NEXT: ret step#4 value=23.96875
// CHECK-NEXT: feedback step#4 text=make it larger
// CHECK: feedback step#4 text=make it larger

// BIG: {{^}}999999{{$}}
// BIG-CALLS: {{^}}1000000{{$}}

// The prompt shows the chain and the feedback on its last link.
// PROMPT-LABEL: {{^}}#Code{{$}}
// PROMPT-NEXT: step0 = step(y=y0, i=i0, __code=__code0)
// PROMPT-NEXT: step1 = step(y=step0, i=i1, __code=__code0)
// PROMPT-NEXT: step2 = step(y=step1, i=i2, __code=__code0)
// PROMPT-NEXT: step3 = step(y=step2, i=i3, __code=__code0)
// PROMPT-NEXT: step4 = step(y=step3, i=i4, __code=__code0)
// PROMPT-LABEL: {{^}}#Outputs{{$}}
// PROMPT-NEXT: (double) step4=23.96875
// PROMPT-LABEL: {{^}}#Feedback{{$}}
// PROMPT-NEXT: step4: make it larger
