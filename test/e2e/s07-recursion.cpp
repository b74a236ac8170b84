// S7: recursion: every level is a node whose parent is the level above.
// RUN: %clangxx_trace %s -o %t %trace_ldflags
// RUN: env TRACE_FILE=%t.bin %t
// RUN: %python %support/tracecheck.py %t.bin validate graph | FileCheck %s

[[trace::bundle]] int fact(int n) { return n <= 1 ? 1 : n * fact(n - 1); }

int main() { return fact(4) == 24 ? 0 : 1; }

// CHECK: valid
// CHECK-NEXT: call fact#0 parent=- args=[n=4]
// CHECK-NEXT: call fact#1 parent=fact#0 args=[n=3]
// CHECK-NEXT: call fact#2 parent=fact#1 args=[n=2]
// CHECK-NEXT: call fact#3 parent=fact#2 args=[n=1]
// CHECK-NEXT: ret fact#3 value=1
// CHECK-NEXT: ret fact#2 value=2
// CHECK-NEXT: ret fact#1 value=6
// CHECK-NEXT: ret fact#0 value=24
