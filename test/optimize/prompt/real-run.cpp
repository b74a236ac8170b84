// The prompt for a trace written by an instrumented program: a trainable
// function and a trainable global feed a bundle that calls both; a second
// top-level call throws and gets feedback without a value.
// RUN: %clangxx_trace %s -o %t %trace_ldflags
// RUN: env TRACE_FILE=%t.bin %t
// RUN: trace-optimize prompt --trace %t.bin 2> %t.err | FileCheck %s --match-full-lines
// RUN: count 0 < %t.err

#include <trace/trace.hpp>

#include <stdexcept>
#include <string>

[[trace::trainable]] double gain = 0.5;
[[trace::trainable("keep the prefix short")]] std::string prefix = "id-";

/// Scales a reading.
[[trace::trainable("must stay O(1)")]] double scale(double x) { return x * 2; }

/// Adds the gain.
[[trace::bundle]] double offset(double y) { return y + gain; }

[[trace::bundle]] double pipeline(double x) {
  double s = scale(x);
  return offset(s);
}

/// Labels a reading; rejects negative ones.
[[trace::bundle]] std::string label(int n) {
  if (n < 0)
    throw std::invalid_argument("negative reading");
  return prefix + std::to_string(n);
}

int main() {
  double r = pipeline(1.5);
  trace::feedback(r, "expected 2", 0.25);
  try {
    label(-1);
  } catch (const std::exception &) {
  }
  trace::feedback("label must accept negative readings");
  return 0;
}

//      CHECK:#Code
// CHECK-NEXT:scale0 = scale(x=x0, __code=__code0)
// CHECK-NEXT:offset0 = offset(y=scale0, gain=gain0)
// CHECK-NEXT:pipeline0 = pipeline(x=x1)  // calls scale0, offset0
// CHECK-NEXT:label0 = label(n=n0, prefix=prefix0)
// CHECK-EMPTY:
// CHECK-NEXT:#Documentation
// CHECK-NEXT:[scale] double scale(double): Scales a reading.
// CHECK-NEXT:[offset] double offset(double): Adds the gain.
// CHECK-NEXT:[pipeline] double pipeline(double)
// CHECK-NEXT:[label] std::string label(int): Labels a reading; rejects negative ones.
// CHECK-EMPTY:
// CHECK-NEXT:#Variables
// CHECK-NEXT:(code) __code0: double scale(double x) { return x * 2; }
// CHECK-NEXT:(double) gain0=0.5
// CHECK-NEXT:(std::string) prefix0="id-"
// CHECK-EMPTY:
// CHECK-NEXT:#Constraints
// CHECK-NEXT:__code0: keep the function's name and signature exactly: `double scale(double x)`; the body may change freely.
// CHECK-NEXT:__code0: must stay O(1)
// CHECK-NEXT:__code0: a suggestion may not add #include directives, macros or helper functions outside the function.
// CHECK-NEXT:__code0: its file real-run.cpp includes <trace/trace.hpp>, <stdexcept>, <string>.
// CHECK-NEXT:__code0: its file real-run.cpp is compiled as C++17 (-std=c++17); a new definition must compile as C++17.
// CHECK-NEXT:gain0: must be a valid value of type double.
// CHECK-NEXT:prefix0: must be a valid value of type std::string.
// CHECK-NEXT:prefix0: keep the prefix short
// CHECK-EMPTY:
// CHECK-NEXT:#Inputs
// CHECK-NEXT:(double) x0=1.5
// CHECK-NEXT:(double) x1=1.5
// CHECK-NEXT:(int) n0=-1
// CHECK-EMPTY:
// CHECK-NEXT:#Others
// CHECK-NEXT:(double) scale0=3
// CHECK-NEXT:(double) offset0=3.5
// CHECK-EMPTY:
// CHECK-NEXT:#Outputs
// CHECK-NEXT:(double) pipeline0=3.5
// CHECK-NEXT:label0=(exception std::invalid_argument) negative reading
// CHECK-NEXT:  real-run.cpp:31: throw std::invalid_argument("negative reading");   <--- (std::invalid_argument) negative reading
// CHECK-EMPTY:
// CHECK-NEXT:#Feedback
// CHECK-NEXT:pipeline0: expected 2 (score 0.25)
// CHECK-NEXT:About the whole run: label must accept negative readings
