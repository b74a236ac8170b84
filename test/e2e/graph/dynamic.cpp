// Calls through std::function, a function pointer, a virtual function and a
// lambda: the result binds to the bundle that produced it, and a variable
// passed through reaches the bundle behind the call.
// RUN: %clangxx_trace %s -o %t %trace_ldflags
// RUN: env TRACE_FILE=%t.bin %t
// RUN: %python %support/tracecheck.py %t.bin validate graph feedback | FileCheck %s

#include <functional>
#include <trace/trace.hpp>

[[trace::bundle]] double add(double a, double b) { return a + b; }
[[trace::bundle]] bool is_even(int n) { return n % 2 == 0; }
[[trace::bundle]] double neg(double x) { return -x; }

struct Shape {
  virtual ~Shape() = default;
  virtual double area(double s) const = 0;
};
struct Square : Shape {
  [[trace::bundle]] double area(double s) const override { return s * s; }
};

int main() {
  std::function<double(double, double)> f = add;
  double a = f(2.5, 3.0);
  bool e = is_even(7);
  double (*p)(double) = neg;
  double b = p(a);
  Square sq;
  const Shape &s = sq;
  double c = s.area(b);
  auto lam = [](double x) { return neg(x); };
  double d = lam(c);
  trace::feedback(a, "a is off");
  trace::feedback(d, "d is off");
  return e ? 1 : 0;
}

// CHECK: valid
// CHECK-NEXT: call add#0 parent=- args=[a=2.5, b=3]
// CHECK-NEXT: ret add#0 value=5.5
// CHECK-NEXT: call is_even#0 parent=- args=[n=7]
// CHECK-NEXT: ret is_even#0 value=false
// CHECK-NEXT: call neg#0 parent=- args=[x=5.5<-add#0]
// CHECK-NEXT: ret neg#0 value=-5.5
// CHECK-NEXT: call Square::area#0 parent=- args=[s=-5.5<-neg#0]
// CHECK-NEXT: ret Square::area#0 value=30.25
// CHECK-NEXT: call neg#1 parent=- args=[x=30.25<-Square::area#0]
// CHECK-NEXT: ret neg#1 value=-30.25
// CHECK-NEXT: feedback add#0 text=a is off
// CHECK-NEXT: feedback neg#1 text=d is off
