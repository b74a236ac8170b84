// The reference's exception example, ported: a trainable function whose body
// throws is called from another bundle; the exception reaches the feedback.
// RUN: %clangxx_trace %s -o %t %trace_ldflags
// RUN: env TRACE_FILE=%t.bin %t
// RUN: trace-optimize prompt --trace %t.bin 2> %t.err | FileCheck %s --match-full-lines
// RUN: count 0 < %t.err

#include <trace/trace.hpp>

#include <stdexcept>
#include <string>

/// Returns the reciprocal of y.
[[trace::trainable]] double reciprocal(double y) {
  if (y == 0)
    throw std::domain_error("division by zero");
  return 1 / y;
}

/// Sum of the reciprocals of a and b.
[[trace::bundle]] double harmonic(double a, double b) {
  return reciprocal(a) + reciprocal(b);
}

int main() {
  try {
    double h = harmonic(2, 0);
    trace::feedback(h, "ok");
  } catch (const std::exception &e) {
    trace::feedback(std::string("harmonic(2, 0) threw: ") + e.what() +
                    "; the sum should be 0.5 when one term is 0");
  }
  return 0;
}

// reciprocal(0) threw inside harmonic: it stays in #Code as harmonic's nested
// call, its exception is in #Others, harmonic's in #Outputs; both quote the
// line that threw, marked with <---.
//      CHECK:#Code
// CHECK-NEXT:reciprocal0 = reciprocal(y=y0, __code=__code0)
// CHECK-NEXT:reciprocal1 = reciprocal(y=y1, __code=__code0)
// CHECK-NEXT:harmonic0 = harmonic(a=a0, b=b0)  // calls reciprocal0, reciprocal1
// CHECK-EMPTY:
// CHECK-NEXT:#Documentation
// CHECK-NEXT:[reciprocal] double reciprocal(double): Returns the reciprocal of y.
// CHECK-NEXT:[harmonic] double harmonic(double, double): Sum of the reciprocals of a and b.
// CHECK-EMPTY:
// CHECK-NEXT:#Variables
// CHECK-NEXT:(code) __code0: double reciprocal(double y) {
// CHECK-NEXT:  if (y == 0)
// CHECK-NEXT:    throw std::domain_error("division by zero");
// CHECK-NEXT:  return 1 / y;
// CHECK-NEXT:}
// CHECK:#Inputs
// CHECK-NEXT:(double) y0=2
// CHECK-NEXT:(double) y1=0
// CHECK-NEXT:(double) a0=2
// CHECK-NEXT:(double) b0=0
// CHECK-EMPTY:
// CHECK-NEXT:#Others
// CHECK-NEXT:(double) reciprocal0=0.5
// CHECK-NEXT:reciprocal1=(exception std::domain_error) division by zero
// CHECK-NEXT:  exception.cpp:16: throw std::domain_error("division by zero");   <--- (std::domain_error) division by zero
// CHECK-EMPTY:
// CHECK-NEXT:#Outputs
// CHECK-NEXT:harmonic0=(exception std::domain_error) division by zero
// CHECK-NEXT:  exception.cpp:16: throw std::domain_error("division by zero");   <--- (std::domain_error) division by zero
// CHECK-EMPTY:
// CHECK-NEXT:#Feedback
// CHECK-NEXT:About the whole run: harmonic(2, 0) threw: division by zero; the sum should be 0.5 when one term is 0
