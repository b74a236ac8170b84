// Stores into members, elements and containers, and compound assignment,
// make the object a value built from parts of those calls' outputs.
// RUN: %clangxx_trace %s -o %t %trace_ldflags
// RUN: env TRACE_FILE=%t.bin %t
// RUN: %python %support/tracecheck.py %t.bin validate graph feedback | FileCheck %s
// RUN: trace-optimize prompt --trace %t.bin | FileCheck %s --check-prefix=PROMPT

#include <map>
#include <string>
#include <trace/trace.hpp>
#include <vector>

[[trace::trainable]] double sq(double x) { return x * x; }
[[trace::bundle]] double total(const std::vector<double> &v) {
  double s = 0;
  for (double x : v)
    s += x;
  return s;
}
struct Point {
  double x = 0, y = 0;
};
[[trace::bundle]] double norm1(Point p) { return p.x + p.y; }
[[trace::bundle]] int size(const std::map<std::string, double> &m) { return static_cast<int>(m.size()); }
[[trace::bundle]] double half(double x) { return x / 2; }

int main() {
  std::vector<double> v;
  for (int i = 1; i <= 3; ++i)
    v.push_back(sq(i));
  double t = total(v);
  v[0] = half(v[0]);
  double h = half(v[1]);
  Point p;
  p.x = sq(2);
  double n = norm1(p);
  std::map<std::string, double> m;
  m["a"] = sq(3);
  int k = size(m);
  double acc = 0;
  for (int i = 0; i < 2; ++i)
    acc += sq(i);
  double a = half(acc);
  trace::feedback(v, "the vector");
  trace::feedback(v[2], "one element");
  return (t + h + n + k + a) > 0 ? 0 : 1;
}

// CHECK: valid
// CHECK: call total#0 parent=- args=[v=[1, 4, 9]<~sq#0,sq#1,sq#2]
// CHECK: call half#0 parent=- args=[x=1<~sq#0,sq#1,sq#2]
// CHECK: call half#1 parent=- args=[x=4<~sq#0,sq#1,sq#2,half#0]
// CHECK: call norm1#0 parent=- args=[p={x: 4, y: 0}<~sq#3]
// CHECK: call size#0 parent=- args=[m={"a": 9}<~sq#4]
// CHECK: call half#2 parent=- args=[x=1<~sq#5,sq#6]
// CHECK: feedback derived=sq#0,sq#1,sq#2,half#0 text=the vector
// CHECK: feedback derived=sq#0,sq#1,sq#2,half#0 text=one element

// Feedback on the vector reaches the calls its elements came from.
// PROMPT-LABEL: {{^}}#Code{{$}}
// PROMPT: sq0 = sq(x=x0, __code=__code0)
// PROMPT: sq2 = sq(x=x2, __code=__code0)
// PROMPT-LABEL: {{^}}#Feedback{{$}}
// PROMPT-NEXT: On the value built from sq0, sq1, sq2, half0: the vector
