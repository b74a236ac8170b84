// A file with errors is not rewritten (the nested parse fails), so the
// compile reports exactly the user's own diagnostics, as without the plugin.
// Without the plugin the attributes are unknown: silence that warning only.
// RUN: not %clangxx_plain -Wno-unknown-attributes -fsyntax-only %s 2> %t.plain
// RUN: not %clangxx_trace -fplugin-arg-trace-print -fsyntax-only %s > %t.print 2> %t.trace
// RUN: diff %t.plain %t.trace
// RUN: count 0 < %t.print
// RUN: FileCheck %s < %t.trace
#include <string>

[[trace::bundle]] int broken(int X) {
  std::string S = X; // no conversion from int
  return undeclared + 1;
}

[[trace::bundle]] int fine(int X) { return X; }

// CHECK: errors-same.cpp:12:15: error: no viable conversion from 'int' to 'std::string'
// CHECK: errors-same.cpp:13:10: error: use of undeclared identifier 'undeclared'
