// A throw records where it happened; a nested bundle that threw keeps its
// exception; an uncaught exception still gives feedback through the
// terminate handler, naming the exception and where it was thrown.
// RUN: %clangxx_trace %s -o %t %trace_ldflags
// RUN: env TRACE_FILE=%t.bin %t
// RUN: %python %support/tracecheck.py %t.bin validate graph | FileCheck %s
// RUN: env TRACE_FILE=%t.uncaught.bin not --crash %t uncaught
// RUN: %python %support/tracecheck.py %t.uncaught.bin feedback | FileCheck %s --check-prefix=UNCAUGHT

#include <cstring>
#include <stdexcept>
#include <trace/trace.hpp>
#include <vector>

[[trace::bundle]] double inverse(double y) {
  if (y == 0)
    throw std::domain_error("division by zero");
  return 1 / y;
}
[[trace::bundle]] double mean_inverse(const std::vector<double> &v) {
  double s = 0;
  for (double x : v)
    s += inverse(x);
  return s / v.size();
}
[[trace::bundle]] int at(const std::vector<int> &v, int i) { return v.at(i); }

int main(int argc, char **argv) {
  if (argc > 1 && !std::strcmp(argv[1], "uncaught"))
    return static_cast<int>(mean_inverse({1, 0}));
  try {
    mean_inverse({2, 0});
  } catch (const std::exception &) {
  }
  try {
    at({1}, 3);
  } catch (const std::exception &) {
  }
  return 0;
}

// CHECK: valid
// CHECK: call mean_inverse#0 parent=-
// CHECK-NEXT: call inverse#0 parent=mean_inverse#0 args=[y=2]
// CHECK-NEXT: ret inverse#0 value=0.5
// CHECK-NEXT: call inverse#1 parent=mean_inverse#0 args=[y=0]
// CHECK-NEXT: ret inverse#1 exception=std::domain_error what=division by zero at={{.*}}exceptions.cpp:17
// CHECK-NEXT: ret mean_inverse#0 exception=std::domain_error what=division by zero at={{.*}}exceptions.cpp:17
// A library's throw has no location of its own.
// CHECK: ret at#0 exception=std::out_of_range what={{.*}}{{$}}

// UNCAUGHT: feedback mean_inverse#0 text=uncaught exception std::domain_error: division by zero (thrown at {{.*}}exceptions.cpp:17) uncaught
