// Parameters whose rendering once broke the instrumented compile: a smart
// pointer whose library operator<< needs the complete std::ostream (only
// <iosfwd> is guaranteed), a pointer to volatile, a function pointer. They
// must compile warning-free in C++17 and C++20 and record a value.
// RUN: %clangxx_trace -Wall -Wextra -Werror %s -o %t17 %trace_ldflags
// RUN: env TRACE_FILE=%t17.bin %t17 | FileCheck --check-prefix=OUT %s
// RUN: %python %support/tracecheck.py %t17.bin validate graph | FileCheck %s
// RUN: %clangxx_trace -std=c++20 -Wall -Wextra -Werror %s -o %t20 %trace_ldflags
// RUN: env TRACE_FILE=%t20.bin %t20 | FileCheck --check-prefix=OUT %s
// RUN: %python %support/tracecheck.py %t20.bin validate graph | FileCheck %s
#include <cstdio>
#include <memory>

[[trace::bundle]] int owned(std::shared_ptr<int> P) { return P ? *P : 0; }
[[trace::bundle]] int watched(const volatile int *P) { return P ? *P : 0; }
[[trace::bundle]] int apply(int (*F)(int)) { return F ? F(4) : 0; }
int twice(int X) { return 2 * X; }

int main() {
  volatile int V = 3;
  std::printf("%d %d %d\n", owned(std::make_shared<int>(5)), watched(&V), apply(twice));
}

// OUT: 5 3 8
// CHECK: valid
// CHECK: call owned#0 parent=- args=[P={{.+}}]
// CHECK: ret owned#0 value=5
// CHECK: call watched#0 parent=- args=[P=0x{{[0-9a-f]+}}]
// CHECK: ret watched#0 value=3
// CHECK: call apply#0 parent=- args=[F=0x{{[0-9a-f]+}}]
// CHECK: ret apply#0 value=8
