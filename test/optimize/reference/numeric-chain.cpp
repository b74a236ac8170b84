// The reference's numeric chain, ported: a trainable value `gain` (a
// ParameterNode in the reference) is passed as an argument through three
// bundles, and the loss gets the feedback.
// RUN: %clangxx_trace %s -o %t %trace_ldflags
// RUN: env TRACE_FILE=%t.bin %t
// RUN: trace-optimize prompt --trace %t.bin > %t.prompt 2> %t.err
// RUN: FileCheck %s --match-full-lines < %t.prompt
// RUN: count 0 < %t.err
// A step finds gain connected to the feedback and patches its initializer
// (--dry-run: a diff, nothing written).
// RUN: rm -rf %t.w && printf '###\n{"suggestion": {"gain0": 3}}\n' > %t.script
// RUN: %python %support/fake_llm.py --script %t.script -- trace-optimize step --trace %t.bin --model m --work-dir %t.w --dry-run > %t.step 2>&1
// RUN: FileCheck %s --check-prefix=STEP < %t.step
// RUN: not grep -i "no trainable parameter" %t.prompt %t.step

#include <trace/trace.hpp>

#include <string>

[[trace::trainable]] double gain = 0.5;

/// Scales the input by three.
[[trace::bundle]] double scale(double x) { return 3 * x; }

/// Adds one.
[[trace::bundle]] double offset(double y) { return y + 1; }

/// Squared distance to the target 10.
[[trace::bundle]] double loss(double z) { return (z - 10) * (z - 10); }

int main() {
  double l = loss(offset(scale(gain)));
  trace::feedback(l, "the loss is " + std::to_string(l) + "; make it 0", -l);
  return 0;
}

// gain is the argument of scale: a parameter node of the graph, named gain0.
//      CHECK:#Code
// CHECK-NEXT:scale0 = scale(x=gain0)
// CHECK-NEXT:offset0 = offset(y=scale0)
// CHECK-NEXT:loss0 = loss(z=offset0)
// CHECK-EMPTY:
// CHECK-NEXT:#Documentation
// CHECK-NEXT:[scale] double scale(double): Scales the input by three.
// CHECK-NEXT:[offset] double offset(double): Adds one.
// CHECK-NEXT:[loss] double loss(double): Squared distance to the target 10.
// CHECK-EMPTY:
// CHECK-NEXT:#Variables
// CHECK-NEXT:(double) gain0=0.5
// CHECK-EMPTY:
// CHECK-NEXT:#Constraints
// CHECK-NEXT:gain0: must be a valid value of type double.
// CHECK-EMPTY:
// CHECK-NEXT:#Inputs
// CHECK-NEXT:(none)
// CHECK-EMPTY:
// CHECK-NEXT:#Others
// CHECK-NEXT:(double) scale0=1.5
// CHECK-NEXT:(double) offset0=2.5
// CHECK-EMPTY:
// CHECK-NEXT:#Outputs
// CHECK-NEXT:(double) loss0=56.25
// CHECK-EMPTY:
// CHECK-NEXT:#Feedback
// CHECK-NEXT:loss0: the loss is 56.250000; make it 0 (score -56.25)

// STEP:      -{{\[\[}}trace::trainable]] double gain = 0.5;
// STEP-NEXT: +{{\[\[}}trace::trainable]] double gain = 3.0;
// STEP:      trace-optimize: dry run: nothing written
