// TRACE_MAX_CALLS_PER_FUNCTION=3 records the first three calls of each
// function; the rest are counted in a `cut` record and in the `end` record,
// and the program's output does not change. An invalid limit is reported
// and recording stays unlimited.
// RUN: %clangxx_trace %s -o %t %trace_ldflags
// RUN: env TRACE_FILE=%t.full.bin %t > %t.full.out
// RUN: env TRACE_FILE=%t.bin TRACE_MAX_CALLS_PER_FUNCTION=3 %t > %t.out
// RUN: diff %t.full.out %t.out
// RUN: %python %support/tracecheck.py %t.bin validate | FileCheck --check-prefix=VALID %s
// RUN: %dump %t.bin | FileCheck --check-prefix=CUT %s
// RUN: %dump %t.full.bin | FileCheck --check-prefix=FULL %s
// RUN: env TRACE_FILE=%t.bad.bin TRACE_MAX_CALLS_PER_FUNCTION=three %t 2>&1 | FileCheck --check-prefix=BAD %s
// RUN: %dump %t.bad.bin | FileCheck --check-prefix=FULL %s

#include <cstdio>

[[trace::bundle]] int square(int x) { return x * x; }

int main() {
  int Sum = 0;
  for (int I = 0; I < 10; ++I)
    Sum += square(I);
  std::printf("sum=%d\n", Sum);
  return 0;
}

// VALID: valid

// CUT: {"k":"site","site":[[ID:[0-9]+]],{{.*}}"name":"square"
// CUT-COUNT-3: {"k":"call",
// CUT-NOT: {"k":"call",
// CUT: {"k":"cut","site":[[ID]],"calls":10,"recorded":3}
// CUT-NEXT: {"k":"end","nodes":3,"dropped":0,"cut":7}

// FULL-NOT: "k":"cut"
// FULL: {"k":"end","nodes":10,"dropped":0}

// BAD: trace: ignoring TRACE_MAX_CALLS_PER_FUNCTION='three' (expected a call count from 0 (unlimited) to 4294967295); using 0
// BAD: sum=285
