// The call limit is counted per thread (a shared counter would cost every
// call a contended atomic): with TRACE_MAX_CALLS_PER_FUNCTION=3, each of
// three threads records its first three calls of `square`, and the `cut`
// record still counts every call of the function exactly, across threads,
// whether a thread ended before the run or is joined at its end.
// RUN: %clangxx_trace %s -o %t %trace_ldflags
// RUN: env TRACE_FILE=%t.bin TRACE_MAX_CALLS_PER_FUNCTION=3 %t | FileCheck --check-prefix=OUT %s
// RUN: %python %support/tracecheck.py %t.bin validate | FileCheck --check-prefix=VALID %s
// RUN: %dump %t.bin | FileCheck %s

#include <cstdio>
#include <thread>

[[trace::bundle]] int square(int x) { return x * x; }

static int run(int N) {
  int Sum = 0;
  for (int I = 0; I < N; ++I)
    Sum += square(I);
  return Sum;
}

int main() {
  int A = 0, B = 0;
  std::thread T1([&] { A = run(10); });
  T1.join();
  std::thread T2([&] { B = run(20); });
  T2.join();
  int C = run(5);
  std::printf("sum=%d\n", A + B + C);
  return 0;
}

// OUT: sum=2785
// VALID: valid
// CHECK: {"k":"site","site":[[ID:[0-9]+]],{{.*}}"name":"square"
// CHECK-COUNT-9: {"k":"call",
// CHECK-NOT: {"k":"call",
// CHECK: {"k":"cut","site":[[ID]],"calls":35,"recorded":9}
// CHECK-NEXT: {"k":"end","nodes":9,"dropped":0,"cut":26}
