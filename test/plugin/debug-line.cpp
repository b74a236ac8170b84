// The -g line table of the user's file is the same with and without the
// plugin: insertions never add a line. The instrumented code may add rows
// on a closing brace (the lambda's end, a Binding's destructor), nowhere else.
// RUN: %clangxx_plain -Wno-unknown-attributes -g -O0 -c -o %t.plain.o %s
// RUN: %clangxx_trace -g -O0 -c -o %t.trace.o %s
// RUN: llvm-dwarfdump --debug-line %t.plain.o | %python %S/Inputs/lines_of.py debug-line.cpp > %t.plain.lines
// RUN: llvm-dwarfdump --debug-line %t.trace.o | %python %S/Inputs/lines_of.py debug-line.cpp > %t.trace.lines
// RUN: %python %S/Inputs/compare_lines.py %t.plain.lines %t.trace.lines %s | FileCheck %s --check-prefix=CHECK-SAME-LINES
// RUN: FileCheck %s < %t.trace.lines
// The instrumented object really is different (so the comparison means something).
// RUN: llvm-nm %t.trace.o | FileCheck %s --check-prefix=CHECK-SYMS

/// Squares a number.
[[trace::bundle]] int square(int X) {
  int Y = X * X;
  return Y;
}

[[trace::bundle]] void noop() {}

int main() {
  int A = square(3);
  noop();
  return A - 9;
}

// CHECK: 14
// CHECK: 15
// CHECK: 16
// CHECK: 22
// CHECK: 23
// CHECK: 24
// CHECK-SYMS: __trace_rt
// CHECK-SAME-LINES: all 8 lines kept; extra rows only on closing braces: 17 25
