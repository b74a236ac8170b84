// A std::vector<double> of a million elements passed by const& to a bundle called 1000 times.
// Recording used to render every element (about 30 ms a call, 30 s here); now a container shows
// its first TRACE_MAX_ELEMENTS elements and how many more it has, and the capture stops
// iterating there: its cost is bounded by what is recorded, not by the size of the vector.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: %corpus_plain %s -o %t/plain
// RUN: %corpus_trace %s -o %t/traced %corpus_ldflags
// RUN: %corpus_check --timeout 20 --plain %t/plain --traced %t/traced --trace %t/trace.bin --source %s --calls > %t/summary
// RUN: FileCheck %s < %t/summary
// RUN: %python %support/tracecheck.py %t/trace.bin graph | FileCheck --check-prefix=VALUE %s
// RUN: env TRACE_MAX_ELEMENTS=4 %corpus_check --timeout 20 --plain %t/plain --traced %t/traced --trace %t/trace4.bin --source %s > /dev/null
// RUN: %python %support/tracecheck.py %t/trace4.bin graph | FileCheck --check-prefix=FOUR %s

#include <cstdio>
#include <vector>

/// One entry of a large table.
double at(const std::vector<double> &Table, std::size_t I) { return Table[I]; }

int main() {
  std::vector<double> Table(1000000);
  for (std::size_t I = 0; I < Table.size(); ++I)
    Table[I] = static_cast<double>(I) / 2;
  double Sum = 0;
  for (std::size_t I = 0; I < 1000; ++I)
    Sum += at(Table, I * 997);
  std::printf("%.1f\n", Sum);
  return 0;
}

// CHECK: run: exit=0 stdout-lines=1
// CHECK-DAG: site at key={{.*}} calls=1000 rets=1000
// CHECK: thread 1
// CHECK-NEXT: at(Table=[0, 0.5, 1, 1.5, {{.*}}, I=0) -> 0
// CHECK-NEXT: at(Table=[0, 0.5, 1, 1.5, {{.*}}, I=997) -> 498.5

// VALUE: call at#0 parent=- args=[Table=[0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5, 5.5, 6, 6.5, 7, 7.5, … +999984 more], I=0]
// VALUE: ret at#0 value=0

// FOUR: call at#0 parent=- args=[Table=[0, 0.5, 1, 1.5, … +999996 more], I=0]
